#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Hostile control-interface checks, run in Dom0 by its init for lamina.test=hostile
# (tests/system): with a DomU running, lamina-hostile (tools/hostile) issues every domctl
# and sysctl with malformed structs and foreign mappings of frames Dom0 may not have; each
# must fail. Then Dom0 and the DomU must still work: the guest answers a shutdown request
# through xenstore, and no page is left behind.
CFG=/etc/lamina/demo.cfg
LOGS=/var/log/lamina
. "$(dirname "$0")/lib.sh" # check, accounted, stray, wait_for
domid_of() { lam list | awk -v n="$1" '$1 == n { print $2 }'; }

if lam create "$CFG" extra="console=hvc0 rdinit=/init lamina.domu-test=stay"; then
	check hostile-target-created=ok
else
	check hostile-target-created=failed
fi
if wait_for "$LOGS/guest-demo.log" "LAMINA-DOMU-CHECK done" 180; then
	check hostile-target-up=ok
else
	check hostile-target-up=timeout
fi
id=$(domid_of demo)
before=$(lam list | awk '$1 == "demo" { print $2 " " $3 " " $4 }')
if lamina-hostile "$id"; then
	check hostile-run=ok
else
	check hostile-run=failed
fi
# Dom0 is alive (this script runs); the hypervisor still answers; the guest is unchanged
# and still alive: it answers a shutdown request through xenstore (tools/domu/init).
check hostile-target-after=$([ "$(lam list | awk '$1 == "demo" { print $2 " " $3 " " $4 }')" = "$before" ] && echo same || echo changed)
check hostile-domains=$(lam list | tail -n +2 | wc -l)
if lam shutdown -w demo; then check hostile-target-shutdown=ok; else check hostile-target-shutdown=failed; fi
i=0
while [ $i -lt 15 ] && [ "$(stray)" != 0 ]; do
	sleep 1
	i=$((i + 1))
done
check hostile-stray=$(stray)
check hostile-done
