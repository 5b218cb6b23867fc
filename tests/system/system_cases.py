# SPDX-License-Identifier: Apache-2.0
"""System tests: Debian's arm64 kernel boots as Dom0 on Lamina under QEMU, from the same
boot modules a Xen boot uses (QEMU guest-loader: /chosen multiboot modules)."""
import os
import subprocess
import sys
import threading

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "boot"))
from qemu import BUILD, ROOT, Case  # noqa: E402

CACHE = os.environ.get("LAMINA_CACHE", os.path.join(os.path.expanduser("~"), ".cache", "lamina"))
KERNEL = os.path.join(CACHE, "arm64", "Image")
INITRD = os.path.join(BUILD, "dom0-initrd.cpio.gz")


_initrd_lock = threading.Lock()


DISK_MAGIC = b"LAMINA-TEST-DISK-v1"
DISK_SIZE = 8 << 20


def make_disk(path):
    with open(path, "wb") as f:
        f.write(DISK_MAGIC.ljust(512, b"\0"))
        f.truncate(DISK_SIZE)


# Dom0's NIC, as scripts/run-qemu.sh gives it: QEMU's user network, cut off from the host's
# (restrict=on). Every Dom0 case has it (net=False leaves it out): the demo guest's config
# has a NIC on the bridge Dom0's init builds over it.
NET_ARGS = ["-netdev", "user,id=n0,restrict=on", "-device", "virtio-net-device,netdev=n0"]


def dom0_args(cmdline, disk=False, net=True):
    def prepare(workdir):
        with _initrd_lock:  # cases run in parallel; build the shared initramfs once
            subprocess.run([os.path.join(ROOT, "scripts", "mk-dom0-initrd.sh"), INITRD],
                           check=True)
        args = ["-device", f"guest-loader,addr=0x50000000,kernel={KERNEL},bootargs={cmdline}",
                "-device", f"guest-loader,addr=0x54000000,initrd={INITRD}"]
        if disk:
            img = os.path.join(workdir, "disk.img")
            if disk == "blank":  # all zeros, as scripts/run-qemu.sh makes Dom0's disk
                with open(img, "wb") as f:
                    f.truncate(64 << 20)
            else:
                make_disk(img)
            args += ["-drive", f"file={img},if=none,format=raw,id=hd0",
                     "-device", "virtio-blk-device,drive=hd0"]
        if net:
            args += NET_ARGS
        return args
    return prepare


# The hypervisor's warnings and errors; with guest_warnings, not those about a guest's own
# doing ("(LAM) warning: d5v0: ..."), which a hostile guest is there to cause.
HV_WARNING = r"\(LAM\) (warning|error):"
HV_WARNING_NOT_GUEST = r"\(LAM\) (warning|error): (?!d\d+(v\d+)?: )"


def dom0_case(name, smp, extra_cmdline="", hv_args="", expect_exit="powering the machine off",
              mem=2048, disk=False, more_expect=(), vcpus=None, timeout=240, more_forbid=(),
              net=True, guest_warnings=False):
    vcpus = vcpus or smp
    cmdline = f"console=hvc0 earlycon=xen rdinit=/init lamina.test {extra_cmdline}".strip()
    qemu_args = ["-append", hv_args] if hv_args else []
    return Case(name, smp=smp, mem=mem, timeout=timeout, qemu_args=qemu_args,
                prepare=dom0_args(cmdline, disk, net),
                expect=list(more_expect) + [rf"LAMINA-DOM0-INIT: {vcpus} vCPUs online, hypervisor: xen",
                        r"LAMINA-CHECK hypervisor-type=xen",
                        rf"LAMINA-CHECK cpus={vcpus}", r"LAMINA-CHECK done",
                        r"Xen 4\.17 support found", r"xen:events: Using 2-level ABI",
                        r"xen:grant_table: Grant tables using version 1 layout",
                        expect_exit],
                forbid=[r"\(LAM\) .*(FATAL|Panic)",
                        HV_WARNING_NOT_GUEST if guest_warnings else HV_WARNING,
                        r"Kernel panic", r"Internal error",
                        r"LAMINA-XEN-PROBLEM",
                        r"Unable to handle kernel", r"BUG:", *more_forbid])


CTRL_A3 = b"\x01\x01" * 3  # QEMU's -nographic takes Ctrl-a Ctrl-a for one Ctrl-a


def console_case():
    """The interactive console: typed input reaches Dom0's shell on hvc0; Ctrl-a three
    times switches input to Lamina's debug keys and back; 'poweroff' ends the machine."""
    cmdline = "console=hvc0 earlycon=xen rdinit=/init"
    return Case("dom0-console", smp=2, mem=2048, timeout=240, prepare=dom0_args(cmdline),
                interact=[(r"built-in shell", b"echo LAMINA-INPUT-$((6*7))\n"),
                          (r"LAMINA-INPUT-42", CTRL_A3),
                          (r"Input to Lamina", b"q"),
                          (r"v0: pCPU", CTRL_A3),
                          (r"Input to Dom0", b"echo back-in-dom0-$((1+1))\n"),
                          (r"back-in-dom0-2", b"poweroff\n")],
                expect=[r"LAMINA-INPUT-42", r"\*\*\* Input to Lamina",
                        r"d0 \(Domain-0\): 2 vCPU\(s\)", r"\*\*\* Input to Dom0",
                        r"back-in-dom0-2", r"Dom0 has powered off"],
                forbid=[r"\(LAM\) .*(FATAL|Panic)", r"Kernel panic"])


# The Xen 4.17 reference run (bench/README.md, "The Xen reference run"): LAMINA_XEN_ANCHOR,
# else its usual place beside the checkout. The case is skipped when it is absent.
ANCHOR = os.environ.get("LAMINA_XEN_ANCHOR") or os.path.join(os.path.dirname(ROOT), "shared",
                                                              "bench", "xen-anchor")
ANCHOR_IMG = os.environ.get("XA_CACHE", "/tmp/xen-anchor") + "/images"


def anchor_prepare(workdir):
    """Builds the Xen 4.17 reference run's DTB and modules (ANCHOR's build.sh)."""
    with _initrd_lock:
        if not os.path.exists(os.path.join(ANCHOR_IMG, "xen.dtb")):
            subprocess.run(["bash", os.path.join(ANCHOR, "build.sh")], check=True,
                           capture_output=True, timeout=900)
    return ["-dtb", os.path.join(ANCHOR_IMG, "xen.dtb"),
            "-device", f"loader,file={ANCHOR_IMG}/Image,addr=0x50000000,force-raw=on",
            "-device", f"loader,file={ANCHOR_IMG}/dom0-initrd,addr=0x54000000,force-raw=on"]


class SkippedCase:
    """A case that cannot run here: reported as skipped, with the reason, never dropped."""

    def __init__(self, name, why):
        self.name, self.why = name, why

    def run(self):
        return None, self.why


def anchor_case():
    """Xen's own boot flow: the DTB and modules that boot Debian's Xen 4.17 in the
    reference run, with Lamina's image in Xen's place. Dom0 must reach its init with both
    vCPUs; the reference run's userspace then fails at `xl create` (no toolstack ABI yet),
    which is where the case stops."""
    return Case("xen-anchor-flow", smp=2, mem=2048, timeout=600, prepare=anchor_prepare,
                stop_on=r"ANCHOR: DAEMONS-UP",
                expect=[r"\(LAM\) Dom0: 2 vCPU\(s\), 768 MiB", r"d0v1: powered on",
                        r"ANCHOR: DOM0-INIT", r"ANCHOR: starting oxenstored"],
                # Dom0's xenfs says it is the control domain (Linux saw XENFEAT_dom0).
                forbid=[r"\(LAM\) .*(FATAL|Panic)", r"Kernel panic",
                        r"ANCHOR: WARNING not control_d"])


# The toolstack in Dom0 (tests/system/dom0/toolstack.sh): lam create boots Debian's kernel
# as a DomU to its init on the PV console; list, console, vcpu-pin, pause, mem-set,
# shutdown -w through xenstore, four guests at once with xenstore isolation, 50
# create/destroy cycles without a page lost, bad configs with clear errors and nothing left.
TOOLSTACK_EXPECT = [
    r"LAMINA-CHECK create=ok", r"LAMINA-CHECK guest-init=ok",
    r"LAMINA-CHECK demo hypervisor-type=xen", r"LAMINA-CHECK demo cpus=1",
    r"LAMINA-CHECK demo xs-own-name=demo", r"LAMINA-CHECK demo xs-write-own=ok",
    # xenstore isolation: "denied" is the permission error itself (tools/domu/init), and
    # Dom0 checks afterwards that nothing was written where the guests were refused.
    r"LAMINA-CHECK demo xs-read-dom0=denied\s*$", r"LAMINA-CHECK demo xs-write-dom0=denied\s*$",
    r"LAMINA-CHECK demo xs-ls-backend=denied\s*$", r"LAMINA-CHECK demo xs-dom0-evil=absent\s*$",
    r"LAMINA-CHECK list demo mem=256 vcpus=1", r"LAMINA-CHECK list dom0 id=0",
    r"LAMINA-CHECK console-shows-init=[1-9]", r"LAMINA-CHECK vcpu-pin=vcpu0-cpu1",
    r"LAMINA-CHECK paused=[b-]{2}p-{3}", r"LAMINA-CHECK unpaused=[rb-]{2}-{4}",
    r"LAMINA-CHECK dmesg-created=[1-9]", r"LAMINA-CHECK mem-set=ok",
    r"LAMINA-CHECK shutdown=ok", r"LAMINA-CHECK shutdown-gone=yes",
    r"LAMINA-CHECK guest-powered-down=1", r"LAMINA-CHECK memory-released=yes",
    r"LAMINA-CHECK xenstore-cleaned=0\s*$",
    # Four guests at once (tests/system/dom0/toolstack.sh four_guests).
    *[p for r, g in (("four", "g"),) for p in [
        rf"LAMINA-CHECK {r}-guests-up=4\s*$", rf"LAMINA-CHECK {r}-guests-listed=5\s*$",
        *[rf"LAMINA-CHECK {g}{i} xs-{op}-other=denied\s*$" for i in range(1, 5)
          for op in ("read", "write", "rm")],
        rf"LAMINA-CHECK {r}-victims-planted-intact=4\s*$",
        rf"LAMINA-CHECK {r}-victims-no-attacker-node=4\s*$", rf"LAMINA-CHECK {r}-destroyed=1\s*$"]],
    r"LAMINA-CHECK four-memory-released=yes",
    r"LAMINA-CHECK cycles=50", r"LAMINA-CHECK cycles-memory=yes",
    r"LAMINA-CHECK bad-memory=clear-error", r"LAMINA-CHECK bad-unknown-key=clear-error",
    r"LAMINA-CHECK bad-syntax=clear-error", r"LAMINA-CHECK bad-not-image=clear-error",
    r"LAMINA-CHECK bad-too-big=clear-error", r"LAMINA-CHECK bad-no-kernel=clear-error",
    r"LAMINA-CHECK bad-disk=clear-error", r"LAMINA-CHECK bad-missing-file=clear-error",
    r"LAMINA-CHECK bad-left-domains=1", r"LAMINA-CHECK bad-left-xenstore=0\s*$",
    r"LAMINA-CHECK bad-memory-restored=yes", r"LAMINA-CHECK toolstack-done",
]


# PV disks (tests/system/dom0/disk.sh): Dom0's blank disk gets a file system for
# /var/lib/lamina and the demo guest's image, whose disk it mounts; a guest writes 4 MiB of known checksum through
# blkfront/blkback to an image file, the next guest and Dom0 read the same; hot-plug; bad
# disks with one-line errors and nothing left; a guest destroyed in the middle of heavy
# writes leaves Dom0 healthy; create/destroy cycles without a loop device,
# blkback device, xenstore node or page left.
DISK_EXPECT = [
    r"init: /dev/vda is blank: making an ext2 file system on it for /var/lib/lamina",
    r"LAMINA-CHECK dom0-disk-mounted=ext4\s*$", r"LAMINA-CHECK demo-img=ext2\s*$",
    r"LAMINA-CHECK demo disk-demo mnt=ext4 writable=yes", r"LAMINA-CHECK demo-gone=yes",
    r"LAMINA-CHECK demo-loops=0\s*$",
    r"LAMINA-CHECK disk-create=ok", r"LAMINA-CHECK list-long-disk=xvda-rw\s*$",
    r"LAMINA-CHECK list-json-disk=1\s*$", r"LAMINA-CHECK dw disk-present=yes",
    r"LAMINA-CHECK dw disk-write sha=[0-9a-f]{64}", r"LAMINA-CHECK disk-written=yes",
    r"LAMINA-CHECK disk-writer-gone=yes", r"LAMINA-CHECK disk-writer-loops=0\s*$",
    r"LAMINA-CHECK dr disk-read sha=[0-9a-f]{64}", r"LAMINA-CHECK disk-read-same=yes",
    r"LAMINA-CHECK disk-reader-gone=yes", r"LAMINA-CHECK disk-dom0-same=yes",
    r"LAMINA-CHECK disk-reboot=1,mark-\s*$", r"LAMINA-CHECK disk-reboot-gone=yes",
    r"LAMINA-CHECK disk-reboot-loops=0\s*$",
    r"LAMINA-CHECK stress-writes=flowing", r"LAMINA-CHECK stress-destroy=ok",
    r"LAMINA-CHECK stress-left loops=0 blkback=0\s*$",
    r"LAMINA-CHECK block-attach=ok", r"LAMINA-CHECK block-list=51712:4,51728:4,\s*$",
    r"LAMINA-CHECK hotplug-loops=2\s*$",
    r"LAMINA-CHECK dh disk-hotplug xvdb=appeared head=LAMINA-HOTPLUG-B\s*$",
    r"LAMINA-CHECK block-attach-twice=lam: block-attach: disk xvdb: domain \d+ already has a "
    r"disk with that vdev \(51728\)\s*$",
    r"LAMINA-CHECK block-detach-missing=lam: block-detach: domain \d+ has no disk xvdc\s*$",
    r"LAMINA-CHECK block-detach=ok", r"LAMINA-CHECK dh disk-hotplug xvdb=gone",
    r"LAMINA-CHECK block-list-after=51712:4,\s*$", r"LAMINA-CHECK detach-loops=1\s*$",
    r"LAMINA-CHECK hotplug-destroyed loops=0 blkback=0\s*$",
    *[rf"LAMINA-CHECK bad-disk-{n}=clear-error" for n in (
        "missing", "read-only", "vdev", "duplicate", "no-blockdev", "second-fails", "in-use",
        "in-use-ro", "in-use-by-readers")],
    r"LAMINA-CHECK disk-shared-ro=ok", r"LAMINA-CHECK bad-disk-loops=0\s*$",
    r"LAMINA-CHECK bad-disk-xenstore=same", r"LAMINA-CHECK disk-cycles=15\s*$",
    r"LAMINA-CHECK disk-cycles-loops=0\s*$", r"LAMINA-CHECK disk-cycles-blkback=0\s*$",
    r"LAMINA-CHECK disk-cycles-xenstore=same", r"LAMINA-CHECK disk-cycles-memory=yes",
    r"LAMINA-CHECK disk-done",
]


# The soak's length: `make soak` sets SOAK_CYCLES=1000; `make test` runs a short one.
SOAK_CYCLES = int(os.environ.get("SOAK_CYCLES", "20"))


def soak_case():
    """tests/system/dom0/soak.sh: Linux guests created and destroyed from Dom0 over and over
    (at different points of their boot) beside a hostile guest re-created whenever it ends;
    not a page lost, no hypervisor warning, no kernel problem line."""
    n = SOAK_CYCLES
    return dom0_case("dom0-soak", 2, extra_cmdline=f"lamina.test=soak lamina.soak={n}",
                     timeout=300 + 6 * n, guest_warnings=True,
                     more_expect=[rf"LAMINA-CHECK soak-cycles={n}/{n}\s*$",
                                  rf"LAMINA-CHECK soak-boots-seen={n // 10}/{n // 10}\s*$",
                                  r"LAMINA-CHECK soak-failures=none\s*$",
                                  r"LAMINA-CHECK soak-hostile-runs=some",
                                  r"LAMINA-CHECK soak-domains-left=1\s*$",
                                  r"LAMINA-CHECK soak-stray=0\s*$",
                                  r"LAMINA-CHECK soak-pages-lost=none\b"],
                     more_forbid=[r"LAMINA-DOMU-PROBLEM", r"LAMINA-CHECK soak=no-hostile-image"])


CASES = [
    console_case(),
    dom0_case("dom0-smp1", 1),
    dom0_case("dom0-smp2", 2, disk=True,
              more_expect=[r"LAMINA-CHECK disk-head=LAMINA-TEST-DISK-v1",
                           rf"LAMINA-CHECK disk-read={DISK_SIZE}",
                           r"LAMINA-CHECK disk-irq-on-cpu1=[1-9]"]),
    dom0_case("dom0-smp4", 4),
    # A minute of CPU and disk load on every vCPU: no hypervisor warning or error.
    dom0_case("dom0-load", 2, extra_cmdline="lamina.test=load", disk=True,
              more_expect=[r"LAMINA-CHECK load-done"]),
    anchor_case() if os.path.isdir(ANCHOR) else
    SkippedCase("xen-anchor-flow", "the Xen 4.17 reference run's build files are not here"),
    # dom0_max_vcpus= and dom0_mem= from the hypervisor's command line.
    dom0_case("dom0-options", 4, hv_args="dom0_max_vcpus=2 dom0_mem=300M", vcpus=2,
              more_expect=[r"\(LAM\) Dom0: 2 vCPU\(s\), 300 MiB"]),
    Case("dom0-mem-too-big", smp=2, mem=2048, timeout=120,
         qemu_args=["-append", "dom0_mem=3000M"], prepare=dom0_args("console=hvc0"),
         expect=[r"\(LAM\) error: Dom0: dom0_mem=3000M does not fit: \d+ MiB free, 64 MiB kept "
                 r"for the hypervisor, so at most \d+M",
                 r"Dom0 could not be built", r"no domain to run"],
         forbid=[r"\(LAM\) .*(FATAL|Panic)"]),
    dom0_case("dom0-toolstack", 2, extra_cmdline="lamina.test=toolstack", timeout=900,
              more_expect=TOOLSTACK_EXPECT,
              more_forbid=[r"LAMINA-DOMU-PROBLEM", r"LAMINA-CHECK .*=(failed|timeout)",
                           r"LAMINA-CHECK .*=error: "]),
    # A Dom0 process issuing malformed domctls, sysctls and foreign mappings beside a
    # running DomU (tests/system/dom0/hostile.sh, tools/hostile): all refused, all alive.
    dom0_case("dom0-hostile", 2, extra_cmdline="lamina.test=hostile", timeout=600,
              more_expect=[r"LAMINA-CHECK hostile-target-up=ok", r"LAMINA-CHECK hostile-run=ok",
                           r"LAMINA-CHECK hostile-calls=[1-9]\d\d",
                           r"LAMINA-CHECK hostile-unexpected=0\s*$",
                           r"LAMINA-CHECK hostile-target-after=same",
                           r"LAMINA-CHECK hostile-domains=2\s*$",
                           r"LAMINA-CHECK hostile-target-shutdown=ok",
                           r"LAMINA-CHECK hostile-stray=0\s*$", r"LAMINA-CHECK hostile-done"],
              more_forbid=[r"LAMINA-HOSTILE-UNEXPECTED", r"LAMINA-CHECK hostile-.*=failed",
                           r"LAMINA-DOMU-PROBLEM"]),
    dom0_case("dom0-reboot", 2, extra_cmdline="lamina.test=reboot",
              expect_exit="Dom0 has rebooted: resetting the machine"),
    dom0_case("dom0-disk", 2, extra_cmdline="lamina.test=disk", timeout=900, disk="blank",
              more_expect=DISK_EXPECT,
              more_forbid=[r"LAMINA-DOMU-PROBLEM", r"LAMINA-CHECK .*=(failed|timeout|accepted)",
                           r"LAMINA-CHECK .*=unclear", r"disk-write failed", r"disk-read failed",
                           r"init: (cannot|mke2fs)", r"WARNING: CPU", r"blocked for more than"]),
    soak_case(),
]


# PV networks (tests/system/dom0/net.sh): Dom0's bridge xenbr0 over QEMU's user network, two
# guests with NICs (DHCP, ping Dom0, the gateway and each other, a file from Dom0's httpd),
# hot-plug, bad input with one-line errors and nothing left, on_reboot=restart, and
# create/destroy cycles without a vif, node or page left.
NET_EXPECT = [
    r"LAMINA-CHECK net-check=ok", r"LAMINA-CHECK info-network=xenbr0_up__uplink_eth0",
    r"LAMINA-CHECK dom0-addr=10\.0\.2\.\d+", r"LAMINA-CHECK dom0-httpd=ok",
    r"LAMINA-CHECK n1-create=ok", r"LAMINA-CHECK n2-create=ok",
    *[p for g in ("n1", "n2") for p in [
        rf"LAMINA-CHECK {g} net-eth0=present", rf"LAMINA-CHECK {g} net-addr=10\.0\.2\.\d+/24",
        rf"LAMINA-CHECK {g} net-mac=00:16:3e:[0-7][0-9a-f]:[0-9a-f]{{2}}:[0-9a-f]{{2}}",
        rf"LAMINA-CHECK {g} net-ping-dom0=ok", rf"LAMINA-CHECK {g} net-ping-gateway=ok",
        rf"LAMINA-CHECK {g} net-ping-dom0-1500=ok",
        rf"LAMINA-CHECK {g} net-fetch-index=Lamina Dom0",
        rf"LAMINA-CHECK {g} net-fetch-sha256=[0-9a-f]{{64}}"]],
    r"LAMINA-CHECK n2 net-ping-peer=ok", r"LAMINA-CHECK fetch-matches=yes",
    r"LAMINA-CHECK addrs-differ=yes", r"LAMINA-CHECK dom0-pings-n1=ok",
    r"LAMINA-CHECK list-n1=0-0-4", r"LAMINA-CHECK list-json=1", r"LAMINA-CHECK list-long=1",
    r"LAMINA-CHECK vifs-two=2",
    r"LAMINA-CHECK attach=ok", r"LAMINA-CHECK attach-state=4", r"LAMINA-CHECK attach-bridged=1",
    r"LAMINA-CHECK detach=ok", r"LAMINA-CHECK detach-gone=0-0\s*$", r"LAMINA-CHECK reattach=ok",
    *[rf"LAMINA-CHECK bad-{n}=clear-error" for n in (
        "no-bridge", "mac-malformed", "mac-multicast", "mac-duplicate", "rate", "script",
        "attach-duplicate", "attach-no-bridge", "detach-none")],
    r"LAMINA-CHECK two-destroyed=1-0-\s*$",
    r"LAMINA-CHECK flood-traffic=yes", r"LAMINA-CHECK flood-destroyed=yes-0-absent",
    r"LAMINA-CHECK flood-dom0-healthy=yes", r"LAMINA-CHECK flood-stray=yes",
    r"LAMINA-CHECK restart-new-domain=yes", r"LAMINA-CHECK restart-nic=4-0-1",
    r"LAMINA-CHECK stray-after-guests=yes",
    r"LAMINA-CHECK cycles=15", r"LAMINA-CHECK cycles-left=0-\s*$",
    r"LAMINA-CHECK cycles-memory=yes", r"LAMINA-CHECK net-done",
]
CASES.append(dom0_case("dom0-net", 2, extra_cmdline="lamina.test=net", timeout=900,
                       more_expect=NET_EXPECT,
                       more_forbid=[r"LAMINA-DOMU-PROBLEM", r"LAMINA-CHECK .*=(failed|timeout)",
                                    r"LAMINA-CHECK bad-.*-left=", r"LAMINA-CHECK .*=unclear"]))
