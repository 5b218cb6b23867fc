# SPDX-License-Identifier: Apache-2.0
"""A QEMU boot-test harness: runs one QEMU, watches the serial output for patterns,
stops it when the test has seen what it needs, and checks the expectations."""
import os
import re
import select
import subprocess
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.join(ROOT, "build")
LAMINA_BIN = os.path.join(BUILD, "lamina.bin")
LAMINA_ELF = os.path.join(BUILD, "lamina.elf")
SHIM_BIN = os.path.join(BUILD, "tests", "shim.bin")
QEMU = os.environ.get("QEMU", "qemu-system-aarch64")
MACHINE = "virt,gic-version=3,virtualization=on"
# Speed of QEMU under TCG varies a lot between machines: keep timeouts generous.
TIMEOUT_SCALE = float(os.environ.get("LAMINA_TIMEOUT_SCALE", "1"))


def machine_args(smp=2, mem=2048, machine=MACHINE):
    return ["-M", machine, "-cpu", "cortex-a57", "-smp", str(smp), "-m", str(mem)]


def dump_dtb(path, smp=2, mem=2048, machine=MACHINE, extra=()):
    """Writes QEMU's own device tree for this machine configuration to path."""
    subprocess.run([QEMU] + machine_args(smp, mem, f"{machine},dumpdtb={path}") +
                   ["-nographic", "-nic", "none"] + list(extra),
                   check=True, capture_output=True, timeout=60)


class Case:
    """One boot test.

    qemu_args: arguments after the machine arguments (smp/mem given separately)
    expect: regexes that must all appear in the output
    forbid: regexes that must not appear
    stop_on: regex after which the test has all it needs (QEMU is then killed);
             without it QEMU must exit by itself (power off) before the timeout
    prepare: callable(workdir) run first, returning extra QEMU arguments
    check: callable(output) -> error string or None, for extra checks
    reset_reboots: a reset of the machine boots it again instead of ending QEMU
             (no -no-reboot), so that a silent crash-and-reset cannot pass as a power-off:
             it shows as a second boot (and QEMU does not exit by itself)
    """

    def __init__(self, name, qemu_args=(), smp=2, mem=2048, machine=MACHINE, expect=(),
                 forbid=(), stop_on=None, prepare=None, check=None, timeout=60,
                 use_kernel=True, interact=(), reset_reboots=False):
        self.name = name
        self.qemu_args = list(qemu_args)
        self.smp, self.mem, self.machine = smp, mem, machine
        self.expect, self.forbid = list(expect), list(forbid)
        self.stop_on = stop_on
        self.prepare, self.check = prepare, check
        self.timeout = timeout * TIMEOUT_SCALE
        self.use_kernel = use_kernel
        self.reset_reboots = reset_reboots
        # [(regex, bytes)]: once regex appears in the output, bytes are typed, in order.
        self.interact = list(interact)

    def command(self, workdir):
        extra = self.prepare(workdir) if self.prepare else []
        cmd = [QEMU] + machine_args(self.smp, self.mem, self.machine) + \
            ["-nographic"] + ([] if self.reset_reboots else ["-no-reboot"])
        if self.use_kernel:
            cmd += ["-kernel", LAMINA_BIN]
        return cmd + self.qemu_args + extra

    def run(self):
        workdir = os.path.join(BUILD, "test-work", self.name)
        os.makedirs(workdir, exist_ok=True)
        logpath = os.path.join(BUILD, "test-logs", self.name + ".log")
        os.makedirs(os.path.dirname(logpath), exist_ok=True)
        cmd = self.command(workdir)
        out, exited, rc = self._spawn(cmd)
        with open(logpath, "w") as f:
            f.write("$ " + " ".join(cmd) + "\n" + out)
        problems = []
        if self.stop_on is None and not exited:
            problems.append(f"QEMU did not exit by itself within {self.timeout:.0f} s")
        if self.stop_on is not None and not re.search(self.stop_on, out, re.M):
            problems.append(f"never saw /{self.stop_on}/")
        for pat in self.expect:
            if not re.search(pat, out, re.M):
                problems.append(f"missing /{pat}/")
        for pat in self.forbid:
            m = re.search(pat, out, re.M)
            if m:
                problems.append(f"unexpected /{pat}/: {m.group(0)!r}")
        if self.check and not problems:
            err = self.check(out)
            if err:
                problems.append(err)
        if problems:
            tail = "\n".join(out.splitlines()[-40:])
            return False, "; ".join(problems) + f"\n(log: {logpath})\n--- last lines ---\n{tail}"
        return True, ""

    def _spawn(self, cmd):
        p = subprocess.Popen(cmd, stdin=subprocess.PIPE if self.interact else subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        steps = list(self.interact)
        typed_upto = 0
        buf = b""
        deadline = time.monotonic() + self.timeout
        stop_deadline = None
        exited = False
        try:
            while True:
                now = time.monotonic()
                limit = min(deadline, stop_deadline) if stop_deadline else deadline
                if now >= limit:
                    break
                r, _, _ = select.select([p.stdout], [], [], min(0.2, limit - now))
                if r:
                    chunk = os.read(p.stdout.fileno(), 65536)
                    if not chunk:
                        p.wait(timeout=10)
                        exited = True
                        break
                    buf += chunk
                    while steps and re.search(steps[0][0], buf[typed_upto:].decode(errors="replace"),
                                              re.M):
                        typed_upto = len(buf)
                        for b in steps.pop(0)[1]:  # a byte at a time, like a person
                            p.stdin.write(bytes([b]))
                            p.stdin.flush()
                            time.sleep(0.02)
                    if self.stop_on and stop_deadline is None and re.search(
                            self.stop_on, buf.decode(errors="replace"), re.M):
                        stop_deadline = time.monotonic() + 1.0  # collect a little more
                elif p.poll() is not None:
                    exited = True
                    break
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()
        text = buf.decode(errors="replace").replace("\r\n", "\n")
        return text, exited, p.returncode
