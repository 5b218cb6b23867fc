#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Lamina's test runner: host unit tests (cmocka, TAP output) and QEMU boot tests.

Prints one line per test case ("ok", "FAIL" or "skip") and ends with the line
"N passed, N failed, N skipped"; the exit status is 1 if anything failed or nothing passed.
  run-tests.py --self-test                the runner's own test (tests/runner fixtures)
  run-tests.py --unit build/unit/*        run the cmocka binaries
  run-tests.py --static                   clang-format and clang-tidy (.clang-tidy) on the tree
  run-tests.py --boot [-k PATTERN]        run the QEMU boot tests (tests/boot/cases.py)
  run-tests.py --guest [-k PATTERN]       run the guest tests: build/tests/guest.bin as dom0less
                                          domUs of Lamina (tests/guest/scenarios.py)
  run-tests.py --guest-native             the guest runtime's own suites on QEMU without Lamina
  run-tests.py --fuzz build/fuzz/fuzz_*   a short libFuzzer run of each target (tests/fuzz)
Logs of the boot and guest tests go to build/test-logs/<name>.log.
"""
import argparse
import concurrent.futures
import os
import re
import shlex
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "boot"))
sys.path.insert(0, os.path.join(ROOT, "tests", "guest"))
sys.path.insert(0, os.path.join(ROOT, "tests", "system"))


def parse_tap(name, out, returncode):
    """Results of one cmocka binary's TAP output: [(name, ok, why)], ok None for a skip.
    cmocka prints "1..N" before each group, then "ok N - test", "not ok N - test" (its
    messages follow as "#" lines) or "not ok N # SKIP test". A plan that the result lines
    do not add up to, no result at all, or a non-zero exit with every case passed (a
    sanitizer report after the last case) is a failure of the binary itself."""
    results = []
    planned = 0
    plans = 0
    detail = []
    for line in out.splitlines():
        m = re.match(r"^(not ok|ok) \d+ # SKIP\b\s*(\S*)", line)
        if m:
            results.append((f"unit/{name}/{m.group(2) or '?'}", None, "skipped"))
            detail = []
            continue
        m = re.match(r"^(not ok|ok) \d+ - (\S+)", line)
        if m:
            ok = m.group(1) == "ok"
            # cmocka prints a failure's messages after its "not ok" line (as "#" lines);
            # anything else before it is kept too
            results.append((f"unit/{name}/{m.group(2)}", ok, "" if ok else "\n".join(detail)))
            detail = []
            continue
        m = re.match(r"^1\.\.(\d+)\s*$", line)
        if m:
            planned += int(m.group(1))
            plans += 1
        elif line.startswith("#") and results and results[-1][1] is False:
            results[-1] = (results[-1][0], False, results[-1][2] + "\n" + line)
        else:
            detail.append(line)
    tail = out[-3000:]
    if not results:
        results.append((f"unit/{name}", False,
                        f"no test results (exit code {returncode}):\n{tail}"))
    elif plans == 0:
        results.append((f"unit/{name}", False, f"no 1..N plan line:\n{tail}"))
    elif planned != len(results):
        results.append((f"unit/{name}", False,
                        f"planned {planned} tests, {len(results)} reported:\n{tail}"))
    elif returncode != 0 and all(ok is not False for _, ok, _ in results):
        # crashed (ASan/UBSan) after the last reported case
        results.append((f"unit/{name}", False, f"exit code {returncode}:\n{tail}"))
    return results


def run_unit(binaries):
    results = []
    for b in binaries:
        name = os.path.basename(b)
        env = dict(os.environ, CMOCKA_MESSAGE_OUTPUT="TAP")
        try:
            p = subprocess.run([b], env=env, capture_output=True, text=True, timeout=300)
            out = p.stdout + p.stderr
        except subprocess.TimeoutExpired:
            results.append((f"unit/{name}", False, "timed out after 300 s"))
            continue
        r = parse_tap(name, out, p.returncode)
        results += r
        if p.returncode != 0 or any(ok is False for _, ok, _ in r):
            log = os.path.join(ROOT, "build", "test-logs", f"unit-{name}.log")
            os.makedirs(os.path.dirname(log), exist_ok=True)
            with open(log, "w") as f:
                f.write(out)
    return results


def report(name, ok, why=""):
    """One line per result: "ok", "FAIL" or "skip" (with the reason) and its name."""
    if ok is None:
        print(f"skip   {name}: {why.splitlines()[0] if why else 'skipped'}", flush=True)
    else:
        print(("ok     " if ok else "FAIL   ") + name, flush=True)


def run_seams():
    """The common/arch seam (docs/design.md): scripts/check-seams.py."""
    p = subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "check-seams.py"), ROOT],
                       capture_output=True, text=True)
    return [("static/check-seams", p.returncode == 0, p.stdout[-4000:] + p.stderr[-2000:])]


def run_static(jobs):
    """The formatter is the authority on layout; clang-tidy (.clang-tidy) looks for bugs in
    every C file, one result per directory; check-seams.py holds the arch contract."""
    files = subprocess.run(["git", "ls-files", "*.c", "*.h"], cwd=ROOT, capture_output=True,
                           text=True).stdout.split()
    p = subprocess.run(["clang-format", "--dry-run", "-Werror"] + files, cwd=ROOT,
                       capture_output=True, text=True)
    why = "" if p.returncode == 0 else (p.stderr[-4000:] + "\nfix with: clang-format -i FILE")
    return [("static/clang-format", p.returncode == 0, why)] + run_tidy(jobs)


TIDY_FINDING = re.compile(r"^(/[^:]+|[^/:][^:]*):(\d+):(\d+): (warning|error): (.*) \[([\w.,-]+)\]$")


def tidy_units():
    """(file, flags) per C file and the pending paths, from `make static-units`."""
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    cmd = ["make", "-s", "--no-print-directory", "static-units"]
    if "STATIC_TIDY_PENDING" in os.environ:  # `make check STATIC_TIDY_PENDING=` previews
        cmd.append("STATIC_TIDY_PENDING=" + os.environ["STATIC_TIDY_PENDING"])
    p = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"make static-units failed:\n{p.stdout}{p.stderr}")
    units, pending = [], []
    for line in p.stdout.splitlines():
        kind, _, rest = line.partition(" ")
        if kind == "unit":
            f, _, flags = rest.partition(" ")
            units.append((f, shlex.split(flags)))
        elif kind == "pending":
            pending = rest.split()
    return units, pending


def tidy_one(unit):
    """Runs clang-tidy on one file; returns (file, findings, trouble). A finding is
    (path relative to ROOT, line, check, text); trouble is output of a run that failed
    without reporting a finding (a crash, an unknown flag)."""
    f, flags = unit
    # Headers are matched as their #include names them (relative -I paths); system headers,
    # libfdt's (-isystem) among them, are never reported.
    cmd = ["clang-tidy", "--quiet", "--header-filter=.*", f, "--"]
    p = subprocess.run(cmd + flags, cwd=ROOT, capture_output=True, text=True)
    findings = []
    out = p.stdout.splitlines()
    for i, line in enumerate(out):
        m = TIDY_FINDING.match(line)
        if m:
            path = os.path.relpath(os.path.join(ROOT, m.group(1)), ROOT)
            # the finding, the source line and its caret
            text = "\n".join(out[i:i + 3]).replace(ROOT + os.sep, "")
            findings.append((path, int(m.group(2)), m.group(6), text))
    trouble = ""
    if p.returncode != 0 and not findings:
        trouble = f"clang-tidy exit code {p.returncode}:\n{(p.stdout + p.stderr)[-3000:]}"
    return f, findings, trouble


def run_tidy(jobs):
    """One result per directory of analysed files (and of headers with findings). Findings in
    files under STATIC_TIDY_PENDING (Makefile) are listed but do not fail."""
    try:
        units, pending = tidy_units()
    except RuntimeError as e:
        return [("static/clang-tidy", False, str(e))]
    groups = {os.path.dirname(f): [] for f, _ in units}
    troubles = {}
    seen = set()
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as ex:
        for f, findings, trouble in ex.map(tidy_one, units):
            if trouble:
                troubles.setdefault(os.path.dirname(f), []).append(f"{f}: {trouble}")
            for path, line, check, text in findings:
                if (path, line, check) in seen:
                    continue  # a header's finding, once per file including it
                seen.add((path, line, check))
                groups.setdefault(os.path.dirname(path), []).append((path, line, check, text))
    results = []
    held = []
    for g in sorted(groups):
        def is_pending(path):
            return any(path == q or (q.endswith("/") and path.startswith(q)) for q in pending)
        # a file that does not compile fails wherever it is
        bad = [x for x in groups[g] if not is_pending(x[0]) or x[2] == "clang-diagnostic-error"]
        held += [x for x in groups[g] if x not in bad]
        why = "\n".join(troubles.get(g, []) + [x[3] for x in sorted(bad)])
        results.append((f"static/clang-tidy/{g}", not bad and g not in troubles, why))
    if held:
        print(f"clang-tidy: {len(held)} findings in files still listed in STATIC_TIDY_PENDING "
              "(Makefile), not counted:")
        for path, line, check, _ in sorted(held):
            print(f"  {path}:{line}: [{check}]")
    return results


def run_boot(pattern, jobs, module="cases", prefix="boot"):
    import importlib
    cases = importlib.import_module(module)
    selected = [c for c in cases.CASES if not pattern or re.search(pattern, c.name)]
    results = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as ex:
        futs = {ex.submit(c.run): c for c in selected}
        for f in concurrent.futures.as_completed(futs):
            c = futs[f]
            try:
                ok, why = f.result()
            except Exception as e:  # a bug in the test itself is a failure too
                ok, why = False, f"runner error: {e!r}"
            results.append((f"{prefix}/{c.name}", ok, why))
            report(f"{prefix}/{c.name}", ok, why)
    return results


def run_guest(pattern, native, jobs):
    """Guest scenarios, two QEMU runs at a time; one result per test inside each run."""
    import scenarios
    todo = scenarios.NATIVE_SCENARIOS if native else scenarios.SCENARIOS
    if native:
        jobs = 1  # each runs 4 vCPUs straight on QEMU: in parallel they starve each other
    selected = [s for s in todo if not pattern or re.search(pattern, s.name)]
    results = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as ex:
        futs = {ex.submit(s.run): s for s in selected}
        for f in concurrent.futures.as_completed(futs):
            s = futs[f]
            try:
                r = f.result()
            except Exception as e:  # a bug in the test itself is a failure too
                r = [(f"guest/{s.name}", False, f"runner error: {e!r}")]
            for name, ok, why in r:
                report(name, ok, why)
            results += r
    return results


def run_selftest():
    """The runner's own test: the fixtures in tests/runner (a real cmocka binary with a test
    failing on purpose and a skip, and binaries that lie about their results) must be
    counted exactly as expected. One result per fixture."""
    import contextlib
    import io
    fixtures = os.path.join(ROOT, "tests", "runner")
    out_dir = os.path.join(ROOT, "build", "runner-selftest")
    os.makedirs(out_dir, exist_ok=True)
    cm = os.path.join(out_dir, "fixture_cmocka")
    p = subprocess.run(["gcc", "-o", cm, os.path.join(fixtures, "fixture_cmocka.c"), "-lcmocka"],
                       capture_output=True, text=True)
    if p.returncode != 0:
        return [("selftest/fixture_cmocka", False, "cannot build the fixture:\n" + p.stderr)]
    # fixture: (passed, failed, skipped, a regex the failure reasons must match)
    expect = {
        "fixture_cmocka": (2, 1, 1, r"fails_on_purpose[\s\S]*0x1 != 0x2"),
        "fixture_silent.sh": (0, 1, 0, r"no test results"),
        "fixture_short_plan.sh": (2, 1, 0, r"planned 3 tests, 2 reported"),
        "fixture_crash_after.sh": (1, 1, 0, r"exit code 1[\s\S]*AddressSanitizer"),
        "fixture_no_plan.sh": (1, 1, 0, r"no 1\.\.N plan"),
    }
    results = []
    for fx, (npass, nfail, nskip, why_re) in expect.items():
        path = cm if fx == "fixture_cmocka" else os.path.join(fixtures, fx)
        r = run_unit([path])
        got = (sum(ok is True for _, ok, _ in r), sum(ok is False for _, ok, _ in r),
               sum(ok is None for _, ok, _ in r))
        whys = "\n".join(f"{n}: {w}" for n, ok, w in r if ok is False)
        ok = got == (npass, nfail, nskip) and re.search(why_re, whys) is not None
        results.append((f"selftest/{fx}", ok, "" if ok else
                        f"expected {npass} passed, {nfail} failed, {nskip} skipped and a "
                        f"reason matching /{why_re}/; got {got}:\n{whys}\n{r!r}"))
    # Guest results: a skipped test is counted as a skip, an unfinished one as a failure.
    import scenarios
    g = scenarios.parse_results("(d1) [ RUN ] a.x\n(d1) [ OK ] a.x\n(d1) [ RUN ] a.y\n"
                                "(d1) [ SKIP ] a.y: needs 2 vCPUs\n(d1) [ RUN ] a.z\n", "(d1) ")
    ok = [(t, o) for t, o, _ in g] == [("a.x", True), ("a.y", None), ("a.z", False)]
    results.append(("selftest/guest-results", ok, "" if ok else f"got {g!r}"))
    # The closing line and the exit status.
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        rc = summarize([("a", True, ""), ("b", None, "why"), ("c", False, "broken")])
        rc_none = summarize([("a", None, "why")])
    lines = buf.getvalue().splitlines()
    ok = "1 passed, 1 failed, 1 skipped" in lines and rc == 1 and rc_none == 1
    results.append(("selftest/closing-line", ok, "" if ok else
                    f"rc {rc}, {rc_none}; output:\n{buf.getvalue()}"))
    return results


def run_fuzz(binaries, seconds):
    """A smoke run of each libFuzzer target (tests/fuzz): `seconds` on its seed corpus
    (tests/fuzz/corpus/<name>, read only; what it finds goes to build/fuzz/smoke/<name>).
    A crash, leak, timeout or sanitizer report fails, naming the reproducer libFuzzer saved."""
    import shutil
    results = []
    for b in binaries:
        name = os.path.basename(b).removeprefix("fuzz_")
        scratch = os.path.join(ROOT, "build", "fuzz", "smoke", name)
        crashes = os.path.join(ROOT, "build", "fuzz", "crashes", name) + os.sep
        shutil.rmtree(scratch, ignore_errors=True)
        os.makedirs(scratch)
        os.makedirs(crashes, exist_ok=True)
        cmd = [b, f"-max_total_time={seconds}", "-timeout=10", "-rss_limit_mb=2048",
               f"-artifact_prefix={crashes}", scratch,
               os.path.join(ROOT, "tests", "fuzz", "corpus", name)]
        try:
            p = subprocess.run(cmd, capture_output=True, text=True, errors="replace",
                               timeout=seconds + 120)
            out, rc = p.stdout + p.stderr, p.returncode
        except subprocess.TimeoutExpired:
            out, rc = "", None
        log = os.path.join(ROOT, "build", "test-logs", f"fuzz-{name}.log")
        os.makedirs(os.path.dirname(log), exist_ok=True)
        with open(log, "w") as f:
            f.write(out)
        done = re.search(r"^Done (\d+) runs in", out, re.M)
        ok = rc == 0 and done is not None
        why = ""
        if rc is None:
            why = f"did not stop within {seconds + 120} s"
        elif not ok:
            m = re.findall(r"Test unit written to (\S+)", out)
            report = [ln for ln in out.splitlines()
                      if re.search(r"ERROR|SUMMARY|does not hold|assertion|runtime error|#[0-9] ",
                                   ln)][:20]
            why = "\n".join(report) + f"\nlog: {log}"
            if m:
                why += f"\nreproducer: {m[-1]}\nrerun: {b} {m[-1]}"
            elif rc == 0:
                why += "\nno 'Done N runs' line: the fuzzer did not run"
        results.append((f"fuzz/{name}", ok, why))
        print(("ok     " if ok else "FAIL   ") + f"fuzz/{name}"
              + (f" ({done.group(1)} runs in {seconds} s)" if ok else ""), flush=True)
    return results


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--unit", nargs="*", default=None)
    ap.add_argument("--boot", action="store_true")
    ap.add_argument("--static", action="store_true")
    ap.add_argument("--self-test", action="store_true", help="the runner's own test (tests/runner)")
    ap.add_argument("--system", action="store_true", help="Dom0 system tests (tests/system)")
    ap.add_argument("--guest", action="store_true")
    ap.add_argument("--guest-native", action="store_true")
    ap.add_argument("--guest-jobs", type=int, default=2)
    ap.add_argument("--fuzz", nargs="*", default=None, help="libFuzzer targets (tests/fuzz)")
    ap.add_argument("--fuzz-seconds", type=int,
                    default=int(os.environ.get("FUZZ_SMOKE_SECONDS", "20")))
    ap.add_argument("-k", dest="pattern", default=None)
    ap.add_argument("-j", dest="jobs", type=int, default=max(1, os.cpu_count() or 1))
    a = ap.parse_args()
    results = []
    if a.unit is not None:
        r = run_unit(a.unit)
        for name, ok, why in r:
            report(name, ok, why)
        results += r
    if a.self_test:
        r = run_selftest()
        for name, ok, why in r:
            report(name, ok, why)
        results += r
    if a.static:
        r = run_static(a.jobs) + run_seams()
        for name, ok, why in r:
            report(name, ok, why)
        results += r
    if a.boot:
        results += run_boot(a.pattern, a.jobs)
    if a.system:
        results += run_boot(a.pattern, a.jobs, module="system_cases", prefix="system")
    if a.guest:
        results += run_guest(a.pattern, False, a.guest_jobs)
    if a.guest_native:
        results += run_guest(a.pattern, True, a.guest_jobs)
    if a.fuzz is not None:
        results += run_fuzz(a.fuzz, a.fuzz_seconds)
    return summarize(results)


def summarize(results):
    """Prints the failures and the closing line "N passed, N failed, N skipped" (CI reads
    it); returns the exit status: 1 if anything failed or nothing ran at all."""
    failed = [(n, why) for n, ok, why in results if ok is False]
    skipped = sum(1 for _, ok, _ in results if ok is None)
    for n, why in failed:
        print(f"\n--- {n} failed ---\n{why}")
    npass = sum(1 for _, ok, _ in results if ok is True)
    print(f"\n{npass} passed, {len(failed)} failed, {skipped} skipped")
    return 1 if failed or npass == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
