#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# For bench/domu-net.py (lamina.test=bench-net): a 128 MiB, 1-vCPU guest with a PV NIC pings
# Dom0 and sends lamina.bench-mb MiB to Dom0's `nc -l` over TCP (tools/domu/init,
# lamina.net-bench); its LAMINA-DOMU-BENCH lines are copied out as BENCH lines.
CFG=/etc/lamina/demo.cfg
i=0
while [ $i -lt 20 ] && ! ip -4 -o addr show dev xenbr0 | grep -q inet; do
	sleep 1
	i=$((i + 1))
done
ip=$(ip -4 -o addr show dev xenbr0 | awk '{print $4}' | cut -d/ -f1)
[ -n "$ip" ] || echo "BENCH error: xenbr0 has no address"
mb=$(sed -n 's/.*lamina\.bench-mb=\([0-9]*\).*/\1/p' /proc/cmdline)
nc -l -p 5001 >/dev/null &
lam create "$CFG" name=bench memory=128 \
	extra="console=hvc0 rdinit=/init lamina.domu-test lamina.net-bench=$ip lamina.net-bench-mb=${mb:-64}" \
	>/dev/null || echo "BENCH error create"
w=0
while ! grep -q 'LAMINA-DOMU-CHECK done' /var/log/lamina/guest-bench.log 2>/dev/null && [ $w -lt 600 ]; do
	sleep 1
	w=$((w + 1))
done
grep 'LAMINA-DOMU-BENCH' /var/log/lamina/guest-bench.log | sed 's/^LAMINA-DOMU-BENCH /BENCH /'
lam destroy bench 2>/dev/null
