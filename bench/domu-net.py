#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""PV network: a guest's ping round trip to Dom0 and its TCP throughput to Dom0 (busybox nc),
through xen-netfront, xen-netback and Dom0's bridge xenbr0, on the reference board (virt,
GICv3, cortex-a57, 2 CPUs, 2 GiB, TCG): one boot, Dom0 runs tests/system/dom0/bench-net.sh.
Reported, never asserted.

  python3 bench/domu-net.py [--mb N] [--record bench/RECORD.md]
"""
import argparse
import datetime
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CACHE = os.environ.get("LAMINA_CACHE", os.path.join(os.path.expanduser("~"), ".cache", "lamina"))
KERNEL = os.path.join(CACHE, "arm64", "Image")
INITRD = os.path.join(ROOT, "build", "dom0-initrd.cpio.gz")
MACHINE = ["-M", "virt,gic-version=3,virtualization=on", "-cpu", "cortex-a57", "-smp", "2",
           "-m", "2048", "-nographic", "-no-reboot"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mb", type=int, default=64)
    ap.add_argument("--record")
    a = ap.parse_args()
    subprocess.run(["make", "-s", "all"], cwd=ROOT, check=True)
    subprocess.run([os.path.join(ROOT, "scripts", "mk-dom0-initrd.sh"), INITRD], check=True)
    cmdline = f"console=hvc0 rdinit=/init lamina.test=bench-net lamina.bench-mb={a.mb}"
    cmd = ["qemu-system-aarch64"] + MACHINE + [
        "-kernel", os.path.join(ROOT, "build", "lamina.bin"),
        "-device", f"guest-loader,addr=0x50000000,kernel={KERNEL},bootargs={cmdline}",
        "-device", f"guest-loader,addr=0x54000000,initrd={INITRD}",
        "-netdev", "user,id=n0,restrict=on", "-device", "virtio-net-device,netdev=n0"]
    out = subprocess.run(cmd, capture_output=True, timeout=900).stdout.decode(errors="replace")
    ping = re.search(r"^BENCH ping .*= ([0-9.]+)/([0-9.]+)/([0-9.]+) ms", out, re.M)
    tcp = re.search(r"^BENCH tcp mb=(\d+) seconds=([0-9.]+)", out, re.M)
    if not ping or not tcp or "BENCH error" in out:
        sys.exit("bench runs failed:\n" + out[-3000:])
    mb, secs = int(tcp.group(1)), float(tcp.group(2))
    report = "\n".join([
        "PV network, guest -> Dom0 over xenbr0 (TCG; 20 pings at 1 s, one TCP stream)",
        f"{'ping round trip min/avg/max (ms)':36} {ping.group(1)}/{ping.group(2)}/{ping.group(3)}",
        f"{'TCP throughput (MiB/s)':36} {mb / secs:.1f}  ({mb} MiB in {secs:.1f} s)"])
    print(report)
    if a.record:
        with open(a.record, "a") as f:
            f.write(f"\n## {datetime.date.today()} PV network (bench/domu-net.py)\n\n"
                    f"```\n{report}\n```\n")


if __name__ == "__main__":
    main()
