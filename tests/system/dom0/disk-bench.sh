#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# For bench/disk-io.py (lamina.test=disk-bench): 32 MiB written (synced) and read back (cold
# cache) on the same image file, by Dom0 through a loop device and by a guest through its
# PV disk (blkfront -> blkback -> loop), lamina.bench-runs=N times each. Timed with
# /proc/uptime on each side; reported, never asserted.
CFG=/tmp/demo-nodisk.cfg
grep -v '^disk' /etc/lamina/demo.cfg >"$CFG"
IMG=/tmp/lamina-bench.img
LOGS=/var/log/lamina
up() { cut -d' ' -f1 /proc/uptime; }
dt() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
n=$(sed -n 's/.*lamina\.bench-runs=\([0-9]*\).*/\1/p' /proc/cmdline)
truncate -s 64M "$IMG"
for i in $(seq "${n:-3}"); do
	l=$(losetup -f)
	losetup "$l" "$IMG" || { echo "BENCH error losetup"; break; }
	t0=$(up)
	dd if=/dev/zero of="$l" bs=1M count=32 conv=fsync 2>/dev/null
	t1=$(up)
	echo 3 >/proc/sys/vm/drop_caches
	dd if="$l" of=/dev/null bs=1M count=32 2>/dev/null
	t2=$(up)
	losetup -d "$l"
	echo "BENCH side=dom0 write_s=$(dt "$t0" "$t1") read_s=$(dt "$t1" "$t2")"

	log=$LOGS/guest-bench$i.log
	lam create "$CFG" name="bench$i" "disk=[ 'vdev=xvda, target=$IMG' ]" \
		extra="console=hvc0 rdinit=/init lamina.disk-test=bench" >/dev/null ||
		echo "BENCH error create"
	w=0
	while ! grep -q 'LAMINA-DOMU-CHECK disk-bench' "$log" 2>/dev/null && [ $w -lt 600 ]; do
		sleep 1
		w=$((w + 1))
	done
	sed -n 's/.*LAMINA-DOMU-CHECK disk-bench \(write_s=.*\)$/BENCH side=guest \1/p' "$log"
	w=0
	while lam list "bench$i" >/dev/null 2>&1 && [ $w -lt 60 ]; do
		sleep 1
		w=$((w + 1))
	done
done
