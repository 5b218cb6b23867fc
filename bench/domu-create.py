#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Guest creation and destruction: Lamina's `lam create` / `lam destroy` against Xen 4.17's
`xl create` / `xl destroy` in the Xen reference run (bench/README.md), on the same QEMU
board (virt, GICv3, cortex-a57, 2 CPUs, 2 GiB, TCG) with the same Debian kernel as Dom0 and
guest, a 128 MiB 1-vCPU guest booting a busybox initramfs to a marker on its PV console.

Lamina: one boot, Dom0 runs tests/system/dom0/bench-create.sh N times (create returns,
create -> guest marker in the console log, destroy). Xen: the reference run's own scenario
(run.sh, one boot per sample). Note the reference domU also has a vbd and a vif, whose
hotplug scripts are part of `xl create`; Xen's "domain introduced (build done)" time, from
oxenstored's access log, is shown too as the build-only figure. Reported as medians; never
asserted.

  python3 bench/domu-create.py [--runs N] [--xen-runs M] [--record bench/RECORD.md]
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
# The Xen reference run (bench/README.md): LAMINA_XEN_ANCHOR, else beside the checkout.
ANCHOR = os.environ.get("LAMINA_XEN_ANCHOR") or os.path.join(os.path.dirname(ROOT), "shared",
                                                              "bench", "xen-anchor")
MACHINE = ["-M", "virt,gic-version=3,virtualization=on", "-cpu", "cortex-a57", "-smp", "2",
           "-m", "2048", "-nographic", "-no-reboot"]


def lamina_runs(n):
    subprocess.run(["make", "-s", "all"], cwd=ROOT, check=True)
    subprocess.run([os.path.join(ROOT, "scripts", "mk-dom0-initrd.sh"), INITRD], check=True)
    cmdline = f"console=hvc0 rdinit=/init lamina.test=bench-create lamina.bench-runs={n}"
    cmd = ["qemu-system-aarch64"] + MACHINE + [
        "-kernel", os.path.join(ROOT, "build", "lamina.bin"),
        "-device", f"guest-loader,addr=0x50000000,kernel={KERNEL},bootargs={cmdline}",
        "-device", f"guest-loader,addr=0x54000000,initrd={INITRD}",
        # Dom0's NIC (scripts/run-qemu.sh): the demo guest's vif needs its bridge, as the
        # reference run's domU has a vif too.
        "-netdev", "user,id=n0,restrict=on", "-device", "virtio-net-device,netdev=n0"]
    out = subprocess.run(cmd, capture_output=True, timeout=300 + 60 * n).stdout.decode(
        errors="replace")
    rows = [dict(kv.split("=") for kv in m.group(1).split())
            for m in re.finditer(r"^BENCH (create_s=.*)$", out, re.M)]
    if len(rows) != n or "BENCH error" in out:
        sys.exit("lamina: bench runs failed:\n" + out[-3000:])
    return {k: [float(r[k]) for r in rows] for k in ("create_s", "marker_s", "destroy_s")}


def xen_runs(m):
    """The reference run's own measurements, one boot per sample."""
    res = {"create_s": [], "marker_s": [], "destroy_s": [], "built_s": []}
    for i in range(m):
        outdir = f"/tmp/xen-anchor/bench-{i}"
        subprocess.run(["bash", os.path.join(ANCHOR, "run.sh"), outdir], check=True,
                       capture_output=True, timeout=900)
        text = open(os.path.join(outdir, "summary.txt")).read()
        for line in text.splitlines():
            for label, key in (("xl create (returns)", "create_s"),
                               ("xl create start -> domU marker", "marker_s"),
                               ("xl destroy", "destroy_s"),
                               ("xenstore: domain introduced (build done)", "built_s")):
                if label in line:
                    mm = re.search(r"([0-9.]+)( s)?\s*$", line)
                    if mm:
                        res[key].append(float(mm.group(1)))
    return res


def med(v):
    return statistics.median(v) if v else float("nan")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--xen-runs", type=int, default=3)
    ap.add_argument("--record")
    a = ap.parse_args()
    lam = lamina_runs(a.runs)
    xen = xen_runs(a.xen_runs) if os.path.isdir(ANCHOR) and a.xen_runs > 0 else None
    lines = [f"Guest create/destroy (median; Lamina n={a.runs}"
             + (f", Xen 4.17 n={a.xen_runs})" if xen else ", Xen not run)"),
             f"{'':34} {'Lamina':>8} {'Xen 4.17':>9} {'ratio':>6}"]
    for key, label in (("create_s", "create returns (s)"),
                       ("marker_s", "create -> guest init marker (s)"),
                       ("destroy_s", "destroy returns (s)")):
        lv = med(lam[key])
        xv = med(xen[key]) if xen else float("nan")
        lines.append(f"{label:34} {lv:8.2f} {xv:9.2f} {lv / xv if xen else float('nan'):6.2f}")
    if xen:
        lines.append(f"{'Xen: domain built (no hotplug) (s)':34} {'':8} "
                     f"{med(xen['built_s']):9.2f}")
    report = "\n".join(lines)
    print(report)
    if a.record:
        with open(a.record, "a") as f:
            f.write(f"\n## {datetime.date.today()} guest create/destroy "
                    f"(bench/domu-create.py)\n\n```\n{report}\n```\n")


if __name__ == "__main__":
    main()
