#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""PV disk throughput: 32 MiB written (synced) and read back (cold cache) on one image file,
by Dom0 through a loop device and by a guest through its PV disk (blkfront -> Dom0's
blkback -> the same loop setup), on QEMU's virt board under TCG (2 CPUs, 2 GiB). One boot:
Dom0 runs tests/system/dom0/disk-bench.sh N times each way. Medians; never asserted.

  python3 bench/disk-io.py [--runs N] [--record bench/RECORD.md]
"""
import argparse
import datetime
import os
import re
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CACHE = os.environ.get("LAMINA_CACHE", os.path.join(os.path.expanduser("~"), ".cache", "lamina"))
KERNEL = os.path.join(CACHE, "arm64", "Image")
INITRD = os.path.join(ROOT, "build", "dom0-initrd.cpio.gz")
MACHINE = ["-M", "virt,gic-version=3,virtualization=on", "-cpu", "cortex-a57", "-smp", "2",
           "-m", "2048", "-nographic", "-no-reboot"]
MIB = 32


def runs(n):
    subprocess.run(["make", "-s", "all", "tools"], cwd=ROOT, check=True)
    subprocess.run([os.path.join(ROOT, "scripts", "mk-dom0-initrd.sh"), INITRD], check=True)
    cmdline = f"console=hvc0 rdinit=/init lamina.test=disk-bench lamina.bench-runs={n}"
    cmd = ["qemu-system-aarch64"] + MACHINE + [
        "-kernel", os.path.join(ROOT, "build", "lamina.bin"),
        "-device", f"guest-loader,addr=0x50000000,kernel={KERNEL},bootargs={cmdline}",
        "-device", f"guest-loader,addr=0x54000000,initrd={INITRD}"]
    out = subprocess.run(cmd, capture_output=True, timeout=300 + 180 * n).stdout.decode(
        errors="replace")
    res = {"dom0": {"write_s": [], "read_s": []}, "guest": {"write_s": [], "read_s": []}}
    for m in re.finditer(r"^BENCH side=(dom0|guest) write_s=([0-9.]+) read_s=([0-9.]+)", out,
                         re.M):
        res[m.group(1)]["write_s"].append(float(m.group(2)))
        res[m.group(1)]["read_s"].append(float(m.group(3)))
    if "BENCH error" in out or any(len(v["write_s"]) != n for v in res.values()):
        sys.exit("disk-io: bench runs failed:\n" + out[-3000:])
    return res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--record")
    a = ap.parse_args()
    res = runs(a.runs)
    lines = [f"PV disk throughput, {MIB} MiB (median of {a.runs}; MiB/s)",
             f"{'':24} {'Dom0 (loop)':>12} {'guest (PV)':>11} {'guest/Dom0':>11}"]
    for key, label in (("write_s", "write + fsync"), ("read_s", "read, cold cache")):
        d = MIB / statistics.median(res["dom0"][key])
        g = MIB / statistics.median(res["guest"][key])
        lines.append(f"{label:24} {d:12.1f} {g:11.1f} {g / d:11.2f}")
    report = "\n".join(lines)
    print(report)
    if a.record:
        with open(a.record, "a") as f:
            f.write(f"\n## {datetime.date.today()} PV disk throughput "
                    f"(bench/disk-io.py)\n\n```\n{report}\n```\n")


if __name__ == "__main__":
    main()
