#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Helpers the Dom0 test scripts (tests/system/dom0/*.sh) source: result lines and the
# hypervisor's page counts.
check() { echo "LAMINA-CHECK $*"; }
# Pages not lost: what the hypervisor has free plus what every domain owns. It only
# changes if memory leaks (including pages left marked as the hypervisor's, which the
# stray count cannot see) or the hypervisor's own metadata grows. Once guests have run,
# Dom0's own metadata grows now and then by a page (its stage-2 tables where its daemons
# map guest rings: the place is Linux's choice), which this count cannot tell from a
# leak: exact comparisons here are for guests that never ran; tests/guest/scenarios.py
# peer-grants compares exactly for domains destroyed holding mappings and channels.
# Empty if lam fails.
accounted() {
	free=$(lam info | sed -n 's/^free_pages *: //p')
	doms=$(lam list --json | sed -n 's/.*"mem_kb": \([0-9]*\).*/\1/p' |
		awk '{ s += $1 / 4 } END { print s + 0 }')
	[ -n "$free" ] && echo $((free + doms))
}
# The hypervisor's count of pages owned by no live domain; empty (never 0) if lam info
# fails, e.g. when the hypervisor cannot take the count.
stray() { lam info | sed -n 's/^stray_pages *: //p'; }
wait_for() { # FILE REGEX SECONDS
	i=0
	while [ $i -lt "$3" ]; do
		grep -q "$2" "$1" 2>/dev/null && return 0
		sleep 1
		i=$((i + 1))
	done
	return 1
}
