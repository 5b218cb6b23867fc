#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Boots Lamina on the reference board (QEMU virt, GICv3, cortex-a57, TCG) the way Xen
# on Arm is booted: the hypervisor with -kernel, Debian's arm64 kernel and a busybox
# initramfs as /chosen boot modules (QEMU's guest-loader, Xen's multiboot bindings).
#
# Environment: QEMU_SMP (default 2), QEMU_MEM in MiB (default 2048), DOM0_DISK (raw image
#              for Dom0's virtio disk, default build/dom0-disk.img, 256 MiB, created if missing),
#              LAMINA_ARGS (hypervisor command line), DOM0_ARGS (Dom0 command line),
#              LAMINA_CACHE (downloaded packages, see scripts/setup-deps.sh).
#
# Network: Dom0 gets a virtio NIC (eth0, the uplink of its bridge xenbr0) on QEMU's user
# network with restrict=on: Dom0 and its guests reach each other, QEMU's DHCP server and
# its gateway 10.0.2.2, never the host's network or the outside world.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${LAMINA_CACHE:-${HOME:-/root}/.cache/lamina}
B=$ROOT/build
SMP=${QEMU_SMP:-2}
MEM=${QEMU_MEM:-2048}
LAMINA_ARGS=${LAMINA_ARGS:-"console=dtuart loglvl=info"}
DOM0_ARGS=${DOM0_ARGS:-"console=hvc0 earlycon=xen rdinit=/init"}
KERNEL_ADDR=0x50000000
INITRD_ADDR=0x54000000 # the Debian Image is ~32 MiB

[ -f "$B/lamina.bin" ] || { echo "run-qemu: build/lamina.bin missing: run 'make'" >&2; exit 1; }
[ -f "$CACHE/arm64/Image" ] || { echo "run-qemu: no Debian kernel in $CACHE: run scripts/setup-deps.sh" >&2; exit 1; }
"$ROOT/scripts/mk-dom0-initrd.sh" "$B/dom0-initrd.cpio.gz"
# Dom0's block device (/dev/vda): a sparse raw image, kept between runs.
DISK=${DOM0_DISK:-$B/dom0-disk.img}
[ -f "$DISK" ] || truncate -s 256M "$DISK"

cat <<MSG
== Lamina on QEMU virt: $SMP CPUs, $MEM MiB, GICv3 (software emulation) ==
   Dom0 kernel: $(cat "$CACHE/arm64/kernel-version") (Debian linux-image-arm64)
   Dom0's shell is on this terminal (hvc0). 'poweroff' in Dom0 ends the machine.
   Lamina's debug keys: press Ctrl-a six times (QEMU needs Ctrl-a twice for each of the
   three Ctrl-a Lamina listens for), then 'h'; six more Ctrl-a return to Dom0.
   To quit QEMU at any time: press Ctrl-a, then x.
MSG
exec qemu-system-aarch64 \
	-M virt,gic-version=3,virtualization=on -cpu cortex-a57 -smp "$SMP" -m "$MEM" \
	-nographic -no-reboot \
	-kernel "$B/lamina.bin" -append "$LAMINA_ARGS" \
	-device guest-loader,addr=$KERNEL_ADDR,kernel="$CACHE/arm64/Image",bootargs="$DOM0_ARGS" \
	-device guest-loader,addr=$INITRD_ADDR,initrd="$B/dom0-initrd.cpio.gz" \
	-drive file="$DISK",if=none,format=raw,id=hd0 -device virtio-blk-device,drive=hd0 \
	-netdev user,id=n0,restrict=on -device virtio-net-device,netdev=n0
