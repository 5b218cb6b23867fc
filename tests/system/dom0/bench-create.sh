#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# For bench/domu-create.py (lamina.test=bench-create): `lam create` of a 128 MiB, 1-vCPU
# guest (as the Xen 4.17 reference run's domU) until it returns, until the guest's init
# prints its marker on its console, and `lam destroy`; lamina.bench-runs=N times.
# The demo guest without its disk (tests/system/dom0/disk.sh checks disks): several copies
# run at once here, which one writable image refuses.
CFG=/tmp/demo-nodisk.cfg
grep -v '^disk' /etc/lamina/demo.cfg >"$CFG"
up() { cut -d' ' -f1 /proc/uptime; }
dt() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
n=$(sed -n 's/.*lamina\.bench-runs=\([0-9]*\).*/\1/p' /proc/cmdline)
for i in $(seq "${n:-5}"); do
	log=/var/log/lamina/guest-bench$i.log
	t0=$(up)
	lam create "$CFG" name=bench$i memory=128 >/dev/null || echo "BENCH error create"
	t1=$(up)
	w=0
	while ! grep -q 'LAMINA-DOMU-INIT' "$log" 2>/dev/null && [ $w -lt 6000 ]; do
		usleep 20000
		w=$((w + 1))
	done
	t2=$(up)
	lam destroy bench$i || echo "BENCH error destroy"
	t3=$(up)
	echo "BENCH create_s=$(dt "$t0" "$t1") marker_s=$(dt "$t0" "$t2") destroy_s=$(dt "$t2" "$t3")"
done
