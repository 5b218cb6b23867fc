# SPDX-License-Identifier: Apache-2.0
"""Boot tests: Lamina on QEMU's virt board with various CPUs, memory sizes, boot
modules and broken device trees. Each case is one QEMU run (tests/boot/qemu.py)."""
import os
import re
import struct
import subprocess

from qemu import LAMINA_BIN, LAMINA_ELF, MACHINE, SHIM_BIN, Case, dump_dtb

SUMMARY = r"^\(LAM\) lamina: {cpus} CPUs online, {mib} MiB RAM, GICv3$"
NO_ERRORS = [r"\(LAM\) .*(FATAL|Panic)", r"\(LAM\) (warning|error):", r"did not come online"]
SHIM_ADDR = 0x401F0000  # QEMU puts its own DTB at the start of RAM
HV_ADDR = 0x40200000
DTB_ADDR = 0x48000000


def summary(cpus, mib):
    return SUMMARY.format(cpus=cpus, mib=mib)


def shim_args(workdir, dtb_path, dtb_addr=DTB_ADDR):
    """Loads Lamina, a device tree and the shim that enters Lamina with x0 = dtb_addr."""
    shim = open(SHIM_BIN, "rb").read()
    shim = shim[:-16] + struct.pack("<QQ", dtb_addr, HV_ADDR)
    path = os.path.join(workdir, "shim.bin")
    with open(path, "wb") as f:
        f.write(shim)
    args = ["-device", f"loader,file={path},addr={SHIM_ADDR:#x},cpu-num=0",
            "-device", f"loader,file={LAMINA_BIN},addr={HV_ADDR:#x}"]
    if dtb_path:
        args += ["-device", f"loader,file={dtb_path},addr={dtb_addr:#x}"]
    return args


def shim_case(name, mutate, smp=2, mem=1024, machine=MACHINE, **kw):
    """A case whose device tree is QEMU's own, changed by mutate(path) (which may also
    rewrite the file's bytes), and handed over by the shim."""
    def prepare(workdir):
        dtb = os.path.join(workdir, "board.dtb")
        dump_dtb(dtb, smp, mem, machine)
        if mutate:
            mutate(dtb)
        return shim_args(workdir, dtb)
    return Case(name, smp=smp, mem=mem, machine=machine, prepare=prepare, use_kernel=False,
                **kw)


def fdtput(*args):
    subprocess.run(["fdtput"] + list(args), check=True, capture_output=True)


def remove_memory(dtb):
    out = subprocess.run(["fdtget", "-l", dtb, "/"], check=True, capture_output=True,
                         text=True).stdout.split()
    for node in out:
        if node.startswith("memory"):
            fdtput("-r", dtb, "/" + node)


def truncate(dtb):
    """Cuts the blob in the middle of its structure block; the header still claims the
    full size, so what follows in memory (zeros) is read as the rest."""
    data = open(dtb, "rb").read()
    off_struct, = struct.unpack(">I", data[8:12])
    size_struct, = struct.unpack(">I", data[36:40])
    with open(dtb, "wb") as f:
        f.write(data[: off_struct + size_struct // 2])


def oversize(dtb):
    """A header claiming 3 MiB: more than the 2 MiB a device tree may have."""
    data = bytearray(open(dtb, "rb").read())
    data[4:8] = struct.pack(">I", 3 << 20)
    open(dtb, "wb").write(bytes(data))


def corrupt_magic(dtb):
    data = bytearray(open(dtb, "rb").read())
    data[0:4] = b"\xde\xad\xbe\xef"
    open(dtb, "wb").write(bytes(data))


def corrupt_structure(dtb):
    """Overwrites the first property's tag in the structure block with garbage."""
    data = bytearray(open(dtb, "rb").read())
    off_struct = struct.unpack(">I", data[8:12])[0]
    # The root node begins with FDT_BEGIN_NODE and its (empty) name; then its first
    # FDT_PROP tag: replace it with an invalid tag value.
    for i in range(off_struct, len(data) - 4, 4):
        if data[i:i + 4] == b"\x00\x00\x00\x03":
            data[i:i + 4] = b"\x00\x00\x00\x77"
            break
    open(dtb, "wb").write(bytes(data))


def add_modules(dtb):
    fdtput("-p", "-t", "s", dtb, "/chosen/module@50000000", "compatible",
           "multiboot,kernel", "multiboot,module")
    fdtput("-t", "x", dtb, "/chosen/module@50000000", "reg", "0", "0x50000000", "0",
           "0x200000")
    fdtput("-t", "s", dtb, "/chosen/module@50000000", "bootargs", "console=hvc0 quiet")
    fdtput("-p", "-t", "s", dtb, "/chosen/module@54000000", "compatible",
           "xen,linux-initrd", "xen,multiboot-module")
    fdtput("-t", "x", dtb, "/chosen/module@54000000", "reg", "0", "0x54000000", "0",
           "0x100000")
    fdtput("-t", "s", dtb, "/chosen", "xen,xen-bootargs", "loglvl=all dom0_mem=256M")


def module_files(workdir):
    """A fake kernel (2 MiB) and initrd (300 KiB) for guest-loader."""
    k = os.path.join(workdir, "kernel.img")
    r = os.path.join(workdir, "initrd.img")
    with open(k, "wb") as f:
        f.write(b"\0" * (2 << 20))
    with open(r, "wb") as f:
        f.write(b"\1" * (300 << 10))
    return k, r


def guest_loader(workdir):
    k, r = module_files(workdir)
    return ["-device", f"guest-loader,addr=0x50000000,kernel={k},"
            "bootargs=console=hvc0 earlycon=xen",
            "-device", f"guest-loader,addr=0x54000000,initrd={r}"]


def booted_once(out):
    """Exactly one boot banner: a second one means the machine was reset."""
    n = len(re.findall(r"^\(LAM\) Lamina hypervisor .*, entered at EL2", out, re.M))
    return None if n == 1 else f"{n} boot banners (the machine was reset)"


def check_backtrace(out):
    """The crash dump's backtrace must name the function that faulted."""
    addrs = re.findall(r"\(LAM\)   \[<[0-9a-f]+>\] ([0-9a-f]+)", out)
    if not addrs:
        return "no backtrace entries"
    p = subprocess.run(["aarch64-linux-gnu-addr2line", "-f", "-e", LAMINA_ELF] +
                       ["0x" + a for a in addrs], capture_output=True, text=True)
    if "selftest_fault" not in p.stdout:
        return f"backtrace does not reach selftest_fault:\n{p.stdout}"
    if "start_hv" not in p.stdout:
        return f"backtrace does not reach start_hv:\n{p.stdout}"
    return None


CASES = [
    # The reference command line of the foundation issue, and CPU/memory variants.
    Case("smp4-2048M", smp=4, mem=2048, expect=[summary(4, 2048)], forbid=NO_ERRORS),
    Case("smp1-512M", smp=1, mem=512, expect=[summary(1, 512)], forbid=NO_ERRORS),
    Case("smp2-2048M", smp=2, mem=2048, expect=[summary(2, 2048)], forbid=NO_ERRORS),
    Case("smp4-4096M", smp=4, mem=4096, expect=[summary(4, 4096)], forbid=NO_ERRORS),
    Case("smp2-512M-no-dom0", smp=2, mem=512,
         expect=[summary(2, 512), r"no domain to run .*powering off"]),
    # Xen's boot flow: QEMU's guest-loader puts the modules in /chosen, -append the
    # hypervisor's command line (bootargs, since the kernel module has its own).
    Case("modules-guest-loader", smp=2, mem=2048,
         qemu_args=["-append", "loglvl=all dom0_mem=512M bogus_option=1"],
         prepare=guest_loader,
         expect=[summary(2, 2048),
                 r"boot module: kernel at 0x50000000, 2048 KiB, bootargs \"console=hvc0 earlycon=xen\"",
                 r"boot module: ramdisk at 0x54000000, 300 KiB",
                 r"unknown command-line option 'bogus_option'",
                 r"Dom0 kernel found at 0x50000000"]),
    # Hand-written Xen bindings (legacy names for the initrd), via the shim.
    shim_case("modules-xen-bindings", add_modules,
              expect=[summary(2, 1024), r"command line: loglvl=all dom0_mem=256M",
                      r"boot module: kernel at 0x50000000, 2048 KiB, bootargs \"console=hvc0 quiet\"",
                      r"boot module: ramdisk at 0x54000000, 1024 KiB"]),
    # Broken device trees end in a clear panic, never a silent hang.
    shim_case("dt-no-memory", remove_memory, stop_on=r"\*{10}\n.*\n.*\n.*\*{10}",
              expect=[r"Panic on CPU0", r"bad device tree.*no memory node"]),
    shim_case("dt-truncated", truncate, stop_on=r"Panic on CPU0[\s\S]*\*{10}",
              expect=[r"bad device tree.*(truncat|corrupt)"]),
    shim_case("dt-oversize", oversize, stop_on=r"Panic on CPU0[\s\S]*\*{10}",
              expect=[r"bad device tree.*(size|big|large)"]),
    shim_case("dt-bad-magic", corrupt_magic, stop_on=r"Panic on CPU0[\s\S]*\*{10}",
              expect=[r"bad device tree.*(magic|not a device tree)"]),
    shim_case("dt-corrupt-structure", corrupt_structure,
              stop_on=r"Panic on CPU0[\s\S]*\*{10}", expect=[r"bad device tree"]),
    Case("dt-none", use_kernel=False, smp=1, mem=512,
         prepare=lambda w: shim_args(w, None, dtb_addr=0),
         stop_on=r"Panic on CPU0[\s\S]*\*{10}", expect=[r"no device tree"]),
    # Entry at EL1 (no virtualisation): a clear message, then stop.
    Case("entry-el1", machine="virt,gic-version=3", smp=1, mem=512,
         stop_on=r"Stopped\.", expect=[r"entered at EL1.*must start at EL2"]),
    # Entry at EL3 (secure world present): Lamina drops to EL2 itself.
    shim_case("entry-el3", None, smp=1, mem=1024,
              machine="virt,gic-version=3,virtualization=on,secure=on",
              stop_on=r"lamina: 1 CPUs online", expect=[summary(1, 1024)]),
    # The crash path: registers, ESR/FAR/ELR and a backtrace that addr2line resolves.
    Case("crash-dump", smp=2, mem=1024, qemu_args=["-append", "selftest=fault noreboot"],
         stop_on=r"System halted",
         expect=[r"FATAL: synchronous exception in the hypervisor on CPU0",
                 r"ESR_EL2 [0-9a-f]+ \(EC 0x25: data abort at EL2\)",
                 r"FAR_EL2 00000000dead0000", r"x30 [0-9a-f]+\s+sp", r"Backtrace"],
         check=check_backtrace),
    # Command-line handling: bad values are warned about (each its own line, naming the
    # option and the value), never fatal. The "command line:" echo repeats the values, so
    # only the warning lines themselves count.
    Case("cmdline-bad-values", smp=2, mem=1024,
         qemu_args=["-append", "loglvl=shouty dom0_mem=lots sched=fastest dom0_max_vcpus=0"],
         expect=[summary(2, 1024)] + [
             rf"^\(LAM\) warning: command-line option '{opt}': bad value '{val}' \(expected .*\), "
             r"ignored$"
             for opt, val in [("loglvl", "shouty"), ("dom0_mem", "lots"), ("sched", "fastest"),
                              ("dom0_max_vcpus", "0")]]),
    # console=none: the hypervisor says so, then stays silent and (no Dom0 here) powers
    # the machine off. A crash would reset the machine without a word: with reset_reboots
    # QEMU boots it again instead of exiting, and a second boot banner is a failure.
    Case("console-none", smp=2, mem=1024,
         qemu_args=["-append", "console=none"], reset_reboots=True,
         expect=[r"^\(LAM\) console=none: no further hypervisor output$"],
         forbid=[r"lamina: \d+ CPUs online"], check=booted_once, timeout=30),
]
