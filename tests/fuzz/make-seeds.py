#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes the seed corpora of the fuzz targets (tests/fuzz/corpus/<target>/), reproducibly:
  tests/fuzz/make-seeds.py        (re)write every seed file
Device trees are the unit tests' fixtures (tests/unit/fixtures/*.dts) compiled with dtc; the
other seeds are built here in each target's input format (see the comment at the top of
tests/fuzz/fuzz_<target>.c). Structures follow hv/include/public and tools/include/lam."""
import os
import struct
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CORPUS = os.path.join(HERE, "corpus")


def put(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def dtc(src):
    return subprocess.run(["dtc", "-q", "-I", "dts", "-O", "dtb", "-"], input=src.encode(),
                          capture_output=True, check=True).stdout


MINIMAL_DTS = """/dts-v1/;
/ {
	#address-cells = <2>; #size-cells = <2>;
	memory@40000000 { device_type = "memory"; reg = <0 0x40000000 0 0x8000000>; };
	cpus { #address-cells = <1>; #size-cells = <0>;
		cpu@0 { device_type = "cpu"; compatible = "arm,cortex-a57"; reg = <0>; enable-method = "psci"; }; };
	psci { compatible = "arm,psci-1.0", "arm,psci-0.2"; method = "hvc"; };
	intc: intc@8000000 { compatible = "arm,gic-v3"; #interrupt-cells = <3>; interrupt-controller;
		reg = <0 0x8000000 0 0x10000>, <0 0x80a0000 0 0xf60000>; interrupts = <1 9 4>; };
	timer { compatible = "arm,armv8-timer"; interrupt-parent = <&intc>;
		interrupts = <1 13 4>, <1 14 4>, <1 11 4>, <1 10 4>; };
	pl011@9000000 { compatible = "arm,pl011", "arm,primecell"; reg = <0 0x9000000 0 0x1000>;
		interrupt-parent = <&intc>; interrupts = <0 1 4>; };
	chosen { stdout-path = "/pl011@9000000"; xen,xen-bootargs = "dtuart=serial0";
		module@48000000 { compatible = "multiboot,kernel", "multiboot,module";
			reg = <0 0x48000000 0 0x100000>; bootargs = "console=hvc0"; }; };
};
"""


def dt_seeds():
    for name in ("qemu-virt", "dom0-bus"):
        with open(os.path.join(ROOT, "tests", "unit", "fixtures", name + ".dts")) as f:
            blob = dtc(f.read())
        put("dt", name + ".dtb", blob)
        put("dom0_dt", name + ".dtb", blob)
    blob = dtc(MINIMAL_DTS)
    put("dt", "minimal.dtb", blob)
    put("dom0_dt", "minimal.dtb", blob)


def cfg_seeds():
    put("cfg", "minimal.cfg", 'name = "demo"\nkernel = "/boot/Image"\n')
    put("cfg", "full.cfg", """# every key lam knows
name = "web1"
type = "pvh"
memory = 512
maxmem = 1024
vcpus = 2
maxvcpus = 4
cpus = "0-1,3"
kernel = "/boot/Image"
ramdisk = '/boot/initrd.img'
root = "/dev/xvda1 ro"
extra = "console=hvc0 \\"quoted\\"\\tx"
on_poweroff = "destroy"; on_reboot = "restart"
on_crash = "preserve"
uuid = "6d8f2c1a-1b2c-4d5e-8f90-0123456789ab"
disk = [ 'phy:/dev/vg/web1,xvda,w',
         'file:/tmp/b.img,xvdb,r', ]
vif = []
""")
    put("cfg", "cmdline-override.cfg",
        b'name = "a"\nkernel = "/k"\ncmdline = "x=1"\nmemory = 64\n\x00memory=128;vcpus=2')
    put("cfg", "errors.cfg", 'name = "a"\nkernel = "/k"\nmemory = "12"\nvcpus += [1, 2\n')


# ---- xenstored: the operations of tests/fuzz/fuzz_xenstored.c -----------------------------
XS = dict(DIRECTORY=1, READ=2, GET_PERMS=3, WATCH=4, UNWATCH=5, TRANSACTION_START=6,
          TRANSACTION_END=7, INTRODUCE=8, RELEASE=9, GET_DOMAIN_PATH=10, WRITE=11, MKDIR=12,
          RM=13, SET_PERMS=14, IS_DOMAIN_INTRODUCED=17, RESUME=18, SET_TARGET=19,
          RESET_WATCHES=21, DIRECTORY_PART=22, GET_QUOTA=25, SET_QUOTA=26)


def req(conn, kind, payload, tx=0):
    """A framed request (op bits 0-1 = 1) on connection conn (0 Dom0, 1-4 guests)."""
    if isinstance(payload, str):
        payload = payload.encode()
    return bytes([1 | conn << 2, XS[kind], tx]) + struct.pack(">H", len(payload)) + payload


def raw(conn, data):
    return bytes([0 | conn << 2]) + struct.pack(">H", len(data)) + data


def xenstored_seeds():
    put("xenstored", "dom0-basics",
        req(0, "WRITE", b"/local/domain/0/a\0value")
        + req(0, "READ", "/local/domain/0/a\0") + req(0, "DIRECTORY", "/local/domain/0\0")
        + req(0, "MKDIR", "/tool/x\0") + req(0, "GET_PERMS", "/tool/x\0")
        + req(0, "SET_PERMS", "/tool/x\0n0\0r1\0") + req(0, "RM", "/tool\0")
        + req(0, "DIRECTORY_PART", "/\0" + "0\0"))
    put("xenstored", "watch-transaction",
        req(0, "WATCH", "/local\0tok\0") + req(0, "TRANSACTION_START", "\0")
        + req(0, "WRITE", b"/local/t\0in-tx", tx=1) + req(0, "TRANSACTION_END", "T\0", tx=1)
        + req(0, "UNWATCH", "/local\0tok\0") + req(0, "RESET_WATCHES", ""))
    # Dom0 introduces domain 1 (gfn, port), which then talks on its own connection.
    put("xenstored", "introduce-guest",
        req(0, "INTRODUCE", "1\0" "12345\0" "3\0")
        + req(0, "IS_DOMAIN_INTRODUCED", "1\0")
        + req(0, "MKDIR", "/local/domain/1/data\0")
        + req(0, "SET_PERMS", "/local/domain/1/data\0b1\0")
        + req(1, "GET_DOMAIN_PATH", "1\0") + req(1, "WRITE", b"data/x\0guest")
        + req(1, "READ", "data/x\0") + req(1, "WATCH", "@releaseDomain\0rel\0")
        + req(1, "WRITE", b"/local/domain/0/name\0denied")
        + req(0, "GET_QUOTA", "1\0") + req(0, "RELEASE", "1\0"))
    put("xenstored", "domains-update",
        req(0, "INTRODUCE", "2\0" "1\0" "4\0") + req(0, "WATCH", "@releaseDomain\0r\0")
        + bytes([2, 2, 2 | 0x40, 5]) + bytes([2, 1, 2 | 0x80]))
    put("xenstored", "raw-partial",
        raw(0, struct.pack("<IIII", XS["READ"], 7, 0, 6) + b"/loc") + raw(0, b"a\0")
        + raw(0, struct.pack("<IIII", XS["READ"], 8, 0, 5000)))


# ---- hypercall: the calls of tests/fuzz/fuzz_hypercall.c ------------------------------------
CALLS = ["memory_op", "grant_table_op", "event_channel_op", "vcpu_op", "sched_op", "domctl",
         "sysctl", "multicall", "hvm_op", "xen_version", "console_io", "platform_op",
         "physdev_op", "vm_assist"]
ARGS_GPA = 0x40000000 + 0x1000  # WORLD_ARGS_GPA


def call(dom, name, args, write=b"", off=0, vcpu=0):
    """args: ints (8 bytes each) or ("p", offset) guest pointers into the args window."""
    kinds, enc = 0, b""
    for i, a in enumerate(list(args) + [0] * (6 - len(args))):
        if isinstance(a, tuple):
            kinds |= 1 << (2 * i)
            enc += struct.pack(">H", a[1])
        else:
            kinds |= 3 << (2 * i)
            enc += struct.pack(">Q", a & (2**64 - 1))
    return (bytes([dom | vcpu << 2]) + struct.pack(">HB", off, len(write)) + write
            + bytes([CALLS.index(name)]) + struct.pack(">H", kinds) + enc)


def domctl(cmd, domid, body=b""):
    return struct.pack("<IIHHI", cmd, 0x4C410001, domid, 0, 0) + body  # the rest is zero RAM


def hypercall_seeds():
    put("hypercall", "version",
        call(1, "xen_version", [0]) + call(1, "xen_version", [6, ("p", 0)], b"\0" * 8)
        + call(1, "console_io", [0, 6, ("p", 0)], b"hello\n"))
    # Dom0: alloc_unbound for domain 1; domain 1 binds it; both send; close.
    put("hypercall", "evtchn",
        call(0, "event_channel_op", [6, ("p", 0)], struct.pack("<HHI", 0x7ff0, 1, 0))
        + call(1, "event_channel_op", [0, ("p", 0)], struct.pack("<HHII", 0, 0, 1, 0))
        + call(1, "event_channel_op", [4, ("p", 0)], struct.pack("<I", 1))
        + call(0, "event_channel_op", [4, ("p", 0)], struct.pack("<I", 1))
        + call(1, "event_channel_op", [3, ("p", 0)], struct.pack("<I", 1)))
    put("hypercall", "gnttab",
        call(1, "grant_table_op", [6, ("p", 0), 1], struct.pack("<HxxIIhxx", 0x7ff0, 0, 0, 0))
        + call(1, "grant_table_op", [2, ("p", 0), 1],
               struct.pack("<HxxIhxxxxxxQ", 0x7ff0, 1, 0, ARGS_GPA + 0x100))
        + call(1, "memory_op", [7, ("p", 0)],
               struct.pack("<HHIQQ", 0x7ff0, 0, 1, 0, 0x40200))
        + call(1, "memory_op", [7, ("p", 0)], struct.pack("<HHIQQ", 0x7ff0, 0, 0, 0, 0x40300)))
    name = b"seed".ljust(32, b"\0")
    put("hypercall", "domctl-create",
        call(0, "domctl", [("p", 0)],
             domctl(1, 0, name + struct.pack("<IIQQII", 1, 0, 16384, 16384, 0, 0)))
        + call(0, "domctl", [("p", 0)], domctl(5, 2)) + call(0, "domctl", [("p", 0)],
                                                            domctl(4, 2))
        + call(2, "xen_version", [0]) + call(0, "domctl", [("p", 0)], domctl(2, 2)))
    # A multicall of two entries {op, result, args[6]}.
    entries = (struct.pack("<QQ6Q", 17, 0, 0, 0, 0, 0, 0, 0)
               + struct.pack("<QQ6Q", 29, 0, 0, 0, 0, 0, 0, 0))
    put("hypercall", "multicall-sched",
        call(1, "multicall", [("p", 0), 2], entries) + call(1, "sched_op", [0])
        + call(1, "vcpu_op", [3, 1]) + call(1, "sched_op", [2, ("p", 0)], struct.pack("<I", 0)))


if __name__ == "__main__":
    dt_seeds()
    cfg_seeds()
    xenstored_seeds()
    hypercall_seeds()
