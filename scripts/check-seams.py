#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The seam between common and arch code (docs/design.md, "The arch contract").

hv/common may reach an architecture only through hv/include/hv/arch.h and the contract
headers it names (hv/p2m.h, hv/cache.h, hv/mm.h, hv/timer.h's arch_timer_*). This
check fails when a hv/common source file, outside comments:
  - includes an <asm/...> header,
  - looks inside struct arch_domain / struct arch_vcpu ("->arch." or ".arch."),
  - names an arm64 system register (..._el0.._el3, read_sysreg/write_sysreg),
  - names a GIC register or list-register encoding (GICD_*, GICR_*, ICC_*, ICH_*),
    or calls the GIC driver or the vGIC (gic_*(), vgic_*()),
  - contains inline assembly.
and when any file of the hypervisor or the tools outside hv/arch/fake tests for
UNIT_TEST (production code is the same code the host tests run; host differences
belong to the fake arch and its host stand-ins).
It prints each offence as file:line: rule: text, and exits 1 if there is any.
Usage: check-seams.py [ROOT]   (ROOT: the repository, default: the current directory)
"""
import pathlib
import re
import sys

RULES = [
    ("asm include", re.compile(r"#\s*include\s*<asm/")),
    ("arch internals", re.compile(r"(->|\.)arch\.")),
    ("arm64 system register", re.compile(r"\b\w+_el[0-3]\b|\b(read|write)_sysreg\b")),
    ("GIC register or LR encoding", re.compile(r"\b(GICD|GICR|ICC|ICH)_[A-Z0-9_]+")),
    ("GIC driver or vGIC call", re.compile(r"\b(gic|vgic)_\w+\s*\(")),
    ("inline assembly", re.compile(r"\b(__asm__|asm)\s*(volatile\b|__volatile__\b|\()")),
]


def strip_comments(text):
    """Blanks out /* */ and // comments, keeping line numbers."""
    out, i, n = [], 0, len(text)
    while i < n:
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif text[i] == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            out.append(text[i:j + 1])
            i = j + 1
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def check(root):
    bad = []
    for path in sorted((root / "hv" / "common").rglob("*.[ch]")):
        code = strip_comments(path.read_text())
        for no, line in enumerate(code.split("\n"), 1):
            for name, rx in RULES:
                if rx.search(line):
                    bad.append(f"{path.relative_to(root)}:{no}: {name}: {line.strip()}")
    for top in ("hv", "tools"):
        for path in sorted((root / top).rglob("*.[chS]")):
            if (root / "hv" / "arch" / "fake") in path.parents:
                continue
            code = strip_comments(path.read_text())
            for no, line in enumerate(code.split("\n"), 1):
                if re.search(r"\bUNIT_TEST\b", line):
                    bad.append(f"{path.relative_to(root)}:{no}: test-only code: {line.strip()}")
    return bad


def main():
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    bad = check(root)
    for b in bad:
        print(b)
    if bad:
        print(f"check-seams: {len(bad)} offence(s) against the arch contract (docs/design.md)")
        return 1
    print("check-seams: hv/common keeps to the arch contract")
    return 0


if __name__ == "__main__":
    sys.exit(main())
