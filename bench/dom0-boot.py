#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Dom0 boot time: native Linux vs Lamina vs Debian's Xen 4.17, side by side.

The same QEMU machine (virt, GICv3, cortex-a57, TCG), the same Debian kernel Image and the
same busybox initramfs (its init runs the checks of tests/system and powers off); for the
two hypervisors the modules are placed the same way (QEMU guest-loader: Xen's /chosen
multiboot bindings), only the hypervisor image differs. Measured from QEMU's start to Dom0's
init finishing its checks ("LAMINA-CHECK done") and to QEMU exiting after power off.
Reported as medians and ratios to native; never asserted.

  python3 bench/guest-latency.py ...   (other bench)
  python3 bench/dom0-boot.py [--runs N] [--record bench/RECORD.md]
"""
import argparse
import datetime
import os
import re
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CACHE = os.environ.get("LAMINA_CACHE", os.path.join(os.path.expanduser("~"), ".cache", "lamina"))
KERNEL = os.path.join(CACHE, "arm64", "Image")
INITRD = os.path.join(ROOT, "build", "dom0-initrd.cpio.gz")
MACHINE = ["-M", "virt,gic-version=3,virtualization=on", "-cpu", "cortex-a57", "-smp", "2",
           "-m", "2048", "-nographic", "-no-reboot"]
CMDLINE = "rdinit=/init lamina.test"


def xen_image():
    """Debian's xen-hypervisor-4.17-arm64, downloaded once into the cache."""
    d = os.path.join(CACHE, "arm64", "xen")
    img = os.path.join(d, "boot", "xen-4.17-arm64")
    if not os.path.exists(img):
        os.makedirs(os.path.join(CACHE, "debs"), exist_ok=True)
        subprocess.run(["apt-get", "-q", "-o", "APT::Sandbox::User=root", "download",
                        "xen-hypervisor-4.17-arm64:arm64"], cwd=os.path.join(CACHE, "debs"),
                       check=True, capture_output=True)
        deb = sorted(f for f in os.listdir(os.path.join(CACHE, "debs"))
                     if f.startswith("xen-hypervisor-4.17-arm64_"))[-1]
        subprocess.run(["dpkg-deb", "-x", os.path.join(CACHE, "debs", deb), d], check=True)
    return img


def modules(cmdline):
    return ["-device", f"guest-loader,addr=0x50000000,kernel={KERNEL},bootargs={cmdline}",
            "-device", f"guest-loader,addr=0x54000000,initrd={INITRD}"]


def command(kind):
    if kind == "native":
        return MACHINE + ["-kernel", KERNEL, "-initrd", INITRD, "-append",
                          f"console=ttyAMA0 {CMDLINE}"]
    if kind == "lamina":
        return MACHINE + ["-kernel", os.path.join(ROOT, "build", "lamina.bin")] + \
            modules(f"console=hvc0 {CMDLINE}")
    return MACHINE + ["-kernel", xen_image(), "-append",
                      "console=dtuart dtuart=/pl011@9000000 dom0_mem=512M dom0_max_vcpus=2"] + \
        modules(f"console=hvc0 {CMDLINE}")


def one_run(kind):
    t0 = time.monotonic()
    p = subprocess.Popen(["qemu-system-aarch64"] + command(kind), stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    init_done = None
    out = b""
    try:
        while True:
            line = p.stdout.readline()
            if not line:
                break
            out += line
            if init_done is None and b"LAMINA-CHECK done" in line:
                init_done = time.monotonic() - t0
            if time.monotonic() - t0 > 300:
                break
    finally:
        if p.poll() is None:
            p.kill()
        p.wait()
    return init_done, time.monotonic() - t0, out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--record")
    a = ap.parse_args()
    subprocess.run(["make", "-s", "-C", ROOT, "all"], check=True)
    subprocess.run([os.path.join(ROOT, "scripts", "mk-dom0-initrd.sh"), INITRD], check=True)
    res = {}
    for kind in ("native", "lamina", "xen"):
        inits, totals = [], []
        for _ in range(a.runs):
            init_done, total, out = one_run(kind)
            if init_done is None:
                print(f"{kind}: Dom0 init never finished; last output:\n"
                      + out.decode(errors="replace")[-1500:], file=sys.stderr)
                continue
            inits.append(init_done)
            totals.append(total)
        res[kind] = (statistics.median(inits) if inits else None,
                     statistics.median(totals) if totals else None)
    rev = subprocess.run(["git", "-C", ROOT, "describe", "--always", "--dirty"],
                         capture_output=True, text=True).stdout.strip()
    nat = res["native"][0]
    lines = [f"### Dom0 boot, {datetime.date.today()} ({rev}), median of {a.runs} runs",
             "", "| system | QEMU start → init done (s) | × native | QEMU start → exit (s) |",
             "|---|---|---|---|"]
    for kind in ("native", "lamina", "xen"):
        i, t = res[kind]
        ratio = f"{i / nat:.2f}" if i and nat else "-"
        lines.append(f"| {kind} | {i:.2f} | {ratio} | {t:.2f} |" if i else f"| {kind} | failed | - | - |")
    lines.append("")
    print("\n".join(lines))
    if a.record:
        with open(a.record, "a") as f:
            f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
