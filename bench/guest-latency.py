#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Guest-visible latencies on Lamina vs. the same guest on QEMU without a hypervisor.

Boots build/tests/guest.bin with suite=bench (tests/guest/test_bench.c) RUNS times under
Lamina (as a dom0less domU) and RUNS times directly on QEMU at EL1, and prints the median of
each measurement side by side, in guest counter ticks and ns. Numbers are reported, never
asserted: QEMU's TCG makes them machine-dependent, so compare runs on one machine.

  python3 bench/guest-latency.py [--runs N] [--record bench/RECORD.md]
"""
import argparse
import datetime
import os
import re
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "guest"))
sys.path.insert(0, os.path.join(ROOT, "tests", "boot"))
import scenarios  # noqa: E402
from scenarios import Domain, Scenario  # noqa: E402

BENCH = re.compile(r"BENCH (\S+) ([\d.]+) ticks (\d+) ns")


def measure(native, runs):
    values = {}
    for i in range(runs):
        sc = Scenario(f"bench-{'native' if native else 'lamina'}-{i}",
                      [Domain("bench", vcpus=1)], smp=2, mem=512, native=native)
        case = sc.case()
        ok, why = case.run()
        log = os.path.join(scenarios.BUILD, "test-logs", case.name + ".log")
        text = open(log, errors="replace").read()
        if not ok:
            print(f"run {i} failed: {why.splitlines()[0]}", file=sys.stderr)
        for name, ticks, ns in BENCH.findall(text):
            values.setdefault(name, []).append((float(ticks), int(ns)))
    return {k: (statistics.median(t for t, _ in v), statistics.median(n for _, n in v), len(v))
            for k, v in values.items()}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--record", help="append the table to this Markdown file")
    a = ap.parse_args()
    subprocess.run(["make", "-s", "-C", ROOT, "all"], check=True)
    lamina = measure(False, a.runs)
    native = measure(True, a.runs)
    rev = subprocess.run(["git", "-C", ROOT, "describe", "--always", "--dirty"],
                         capture_output=True, text=True).stdout.strip()
    lines = [f"### Guest latencies, {datetime.date.today()} ({rev}), median of {a.runs} runs",
             "", "| measurement | Lamina (ticks / ns) | no hypervisor (ticks / ns) | ratio |",
             "|---|---|---|---|"]
    for name in sorted(set(lamina) | set(native)):
        lt = lamina.get(name)
        nt = native.get(name)
        ls = f"{lt[0]:.1f} / {lt[1]:.0f}" if lt else "n/a"
        ns = f"{nt[0]:.1f} / {nt[1]:.0f}" if nt else "n/a (needs a hypervisor)"
        ratio = f"{lt[1] / nt[1]:.2f}x" if lt and nt and nt[1] else "-"
        lines.append(f"| {name} | {ls} | {ns} | {ratio} |")
    lines.append("")
    print("\n".join(lines))
    if a.record:
        with open(a.record, "a") as f:
            f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
