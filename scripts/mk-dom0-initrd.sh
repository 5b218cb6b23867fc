#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds Dom0's initramfs from Debian's busybox-static (arm64) and tools/dom0/init, with
# the Dom0 toolstack (build/tools/{lam,lamina-xenstored,lamina-consoled} in /usr/sbin), the
# Xen device modules, and a demo DomU: Debian's kernel Image, a busybox DomU initramfs
# (tools/domu/init) and /etc/lamina/demo.cfg, all under /usr/share/lamina and /etc/lamina.
# Usage: mk-dom0-initrd.sh OUTPUT.cpio.gz
# The output is rebuilt only when one of its inputs is newer. Missing tool binaries are
# left out with a warning (run 'make tools' first), so Dom0 still boots without them.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${LAMINA_CACHE:-${HOME:-/root}/.cache/lamina}
B=$ROOT/build
OUT=$1
BB=$CACHE/arm64/busybox/bin/busybox
IMAGE=$CACHE/arm64/Image
[ -x "$BB" ] || { echo "mk-dom0-initrd: $BB missing: run scripts/setup-deps.sh" >&2; exit 1; }
[ -f "$IMAGE" ] || { echo "mk-dom0-initrd: $IMAGE missing: run scripts/setup-deps.sh" >&2; exit 1; }
KVER=$(cat "$CACHE/arm64/kernel-version")
MODDIR=$CACHE/arm64/kernel/lib/modules/$KVER
# Kernel modules Dom0 loads at boot (Debian builds these drivers as modules), in load
# order: a module comes after the ones it depends on (modinfo -F depends: xenfs needs
# xen-privcmd; the others need nothing that is not built in).
# The PV backends (xen-blkback, xen-netback) serve the guests' disks and NICs; loop backs
# disk image files, bridge (with llc, stp) is xenbr0, virtio_net (with its failover
# modules) is the uplink on QEMU's user network. ext4 (which also mounts ext2) holds the
# guests' disk images on Dom0's disk (/var/lib/lamina) and reads them back.
MODS="kernel/drivers/virtio/virtio_mmio.ko kernel/drivers/block/virtio_blk.ko
	kernel/net/core/failover.ko kernel/drivers/net/net_failover.ko
	kernel/drivers/net/virtio_net.ko kernel/net/llc/llc.ko kernel/net/802/stp.ko
	kernel/net/bridge/bridge.ko kernel/drivers/block/loop.ko
	kernel/drivers/xen/xen-evtchn.ko kernel/drivers/xen/xen-gntdev.ko
	kernel/drivers/xen/xen-privcmd.ko kernel/drivers/xen/xenfs/xenfs.ko
	kernel/drivers/block/xen-blkback/xen-blkback.ko
	kernel/drivers/net/xen-netback/xen-netback.ko
	kernel/lib/crc16.ko kernel/crypto/crc32c_generic.ko kernel/fs/mbcache.ko
	kernel/fs/jbd2/jbd2.ko kernel/fs/ext4/ext4.ko"
# The DomU's: the PV frontends, and ext4 (which also mounts ext2) for file systems on
# its disks. Same rule: dependencies first.
DOMU_MODS="kernel/drivers/block/xen-blkfront.ko kernel/drivers/net/xen-netfront.ko
	kernel/lib/crc16.ko kernel/crypto/crc32c_generic.ko kernel/fs/mbcache.ko
	kernel/fs/jbd2/jbd2.ko kernel/fs/ext4/ext4.ko"
TOOLS="lam lamina-xenstored lamina-consoled lamina-xs lamina-hostile"

inputs=("$0" "$BB" "$IMAGE" "$ROOT/tools/dom0/init" "$ROOT/tools/dom0/demo.cfg"
	"$ROOT/tools/domu/init" "$ROOT/tools/dom0/udhcpc.script" "$ROOT"/tests/system/dom0/*.sh "$B/tools/lamina-xs")
[ -f "$B/tests/guest.bin" ] && inputs+=("$B/tests/guest.bin")
for t in $TOOLS; do
	[ -f "$B/tools/$t" ] && inputs+=("$B/tools/$t")
done
if [ -f "$OUT" ]; then
	fresh=1
	for f in "${inputs[@]}"; do
		[ "$OUT" -nt "$f" ] || { fresh=0; break; }
	done
	[ "$fresh" = 1 ] && exit 0
fi

STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT

# --- the DomU's initramfs (packed into Dom0's as a file) ---
D=$STAGE/domu
mkdir -p "$D"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,etc,root,run}
cp "$BB" "$D/bin/busybox"
ln -s busybox "$D/bin/sh"
install -m 755 "$ROOT/tools/domu/init" "$D/init"
# DHCP on eth0 (the PV NIC): busybox udhcpc's lease script at its default path.
install -D -m 755 "$ROOT/tools/dom0/udhcpc.script" "$D/etc/udhcpc/default.script"
# xenstore from the guest's shell (the isolation checks use it).
if [ -f "$B/tools/lamina-xs" ]; then
	install -m 755 "$B/tools/lamina-xs" "$D/usr/sbin/lamina-xs"
fi
mkdir -p "$D/lib/modules"
: >"$D/lib/modules/modules.load"
for m in $DOMU_MODS; do
	src=$MODDIR/$m
	[ -f "$src" ] || { echo "mk-dom0-initrd: $src missing" >&2; exit 1; }
	cp "$src" "$D/lib/modules/"
	basename "$m" >>"$D/lib/modules/modules.load"
done
echo "root:x:0:0:root:/root:/bin/sh" >"$D/etc/passwd"
echo "root:x:0:" >"$D/etc/group"
( cd "$D" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet ) | gzip -9 -n \
	>"$STAGE/domu-initrd.cpio.gz"

# --- Dom0's initramfs ---
R=$STAGE/dom0
mkdir -p "$R"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,etc/lamina,root,run,var/log/lamina}
mkdir -p "$R/usr/share/lamina"
cp "$BB" "$R/bin/busybox"
ln -s busybox "$R/bin/sh"
install -m 755 "$ROOT/tools/dom0/init" "$R/init"
# DHCP on xenbr0 (tools/dom0/init): busybox udhcpc's lease script at its default path.
install -D -m 755 "$ROOT/tools/dom0/udhcpc.script" "$R/etc/udhcpc/default.script"
mkdir -p "$R/lib/modules"
: >"$R/lib/modules/modules.load"
for m in $MODS; do
	src=$MODDIR/$m
	[ -f "$src" ] || { echo "mk-dom0-initrd: $src missing" >&2; exit 1; }
	cp "$src" "$R/lib/modules/"
	basename "$m" >>"$R/lib/modules/modules.load"
done
for t in $TOOLS; do
	if [ -f "$B/tools/$t" ]; then
		install -m 755 "$B/tools/$t" "$R/usr/sbin/$t"
	else
		echo "mk-dom0-initrd: warning: $B/tools/$t missing ('make tools'): left out" >&2
	fi
done
cp "$IMAGE" "$R/usr/share/lamina/Image"
mv "$STAGE/domu-initrd.cpio.gz" "$R/usr/share/lamina/domu-initrd.cpio.gz"
install -m 644 "$ROOT/tools/dom0/demo.cfg" "$R/etc/lamina/demo.cfg"
# The system tests' Dom0 scripts (tests/system/dom0/NAME.sh, run by lamina.test=NAME).
mkdir -p "$R/usr/share/lamina/tests"
for t in "$ROOT"/tests/system/dom0/*.sh; do
	[ -f "$t" ] && install -m 755 "$t" "$R/usr/share/lamina/tests/"
done
# The bare-metal test guest (tests/guest), which the soak runs as its hostile guest.
if [ -f "$B/tests/guest.bin" ]; then
	install -m 644 "$B/tests/guest.bin" "$R/usr/share/lamina/tests/guest.bin"
fi
echo "root:x:0:0:root:/root:/bin/sh" >"$R/etc/passwd"
echo "root:x:0:" >"$R/etc/group"
( cd "$R" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet ) | gzip -6 -n >"$OUT.tmp"
mv "$OUT.tmp" "$OUT"
