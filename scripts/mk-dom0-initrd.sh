#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds Dom0's initramfs from Debian's busybox-static (arm64) and tools/dom0/init.
# Usage: mk-dom0-initrd.sh OUTPUT.cpio.gz
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${LAMINA_CACHE:-${HOME:-/root}/.cache/lamina}
OUT=$1
BB=$CACHE/arm64/busybox/bin/busybox
[ -x "$BB" ] || { echo "mk-dom0-initrd: $BB missing: run scripts/setup-deps.sh" >&2; exit 1; }
if [ -f "$OUT" ] && [ "$OUT" -nt "$ROOT/tools/dom0/init" ] && [ "$OUT" -nt "$BB" ] &&
	[ "$OUT" -nt "$0" ]; then
	exit 0
fi
STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT
mkdir -p "$STAGE"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,etc,root,run,var/log}
cp "$BB" "$STAGE/bin/busybox"
ln -s busybox "$STAGE/bin/sh"
install -m 755 "$ROOT/tools/dom0/init" "$STAGE/init"
# Kernel modules Dom0 loads at boot (Debian builds these drivers as modules).
KVER=$(cat "$CACHE/arm64/kernel-version")
MODS="kernel/drivers/virtio/virtio_mmio.ko kernel/drivers/block/virtio_blk.ko"
mkdir -p "$STAGE/lib/modules"
for m in $MODS; do
	src=$CACHE/arm64/kernel/lib/modules/$KVER/$m
	[ -f "$src" ] || { echo "mk-dom0-initrd: $src missing" >&2; exit 1; }
	cp "$src" "$STAGE/lib/modules/"
done
echo "root:x:0:0:root:/root:/bin/sh" >"$STAGE/etc/passwd"
echo "root:x:0:" >"$STAGE/etc/group"
( cd "$STAGE" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet ) | gzip -9 -n >"$OUT.tmp"
mv "$OUT.tmp" "$OUT"
