#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Toolstack checks, run in Dom0 by its init for lamina.test=toolstack (tests/system). Each
# result is a "LAMINA-CHECK name=value" line that tests/system/system_cases.py matches.
# The demo guest without its disk (tests/system/dom0/disk.sh checks disks): several copies
# run at once here, which one writable image refuses.
CFG=/tmp/demo-nodisk.cfg
grep -v '^disk' /etc/lamina/demo.cfg >"$CFG"
LOGS=/var/log/lamina
. "$(dirname "$0")/lib.sh" # check, accounted, stray, wait_for

# Waits (up to 15 s) until no page of a destroyed domain is left (the daemons unmap the
# rings of a released domain) and accounted() is back to BASE exactly: "yes", or
# "no (...)".
memory_back() { # BASE
	i=0
	while [ $i -lt 15 ]; do
		st=$(stray)
		a=$(accounted)
		[ "$st" = 0 ] && [ -n "$1" ] && [ "$a" = "$1" ] && { echo yes; return; }
		sleep 1
		i=$((i + 1))
	done
	echo "no (stray pages '$st', accounted '$1' -> '$a')"
}
domid_of() { lam list | awk -v n="$1" '$1 == n { print $2 }'; }
ndomains() { lam list | tail -n +2 | wc -l; }
xs_domains() { lamina-xs ls /local/domain | tr '\n' ' ' | sed 's/ $//'; }
guest_checks() { # NAME: the guest's own check lines
	grep 'LAMINA-DOMU-CHECK' "$LOGS/guest-$1.log" | sed "s/^LAMINA-DOMU-CHECK /LAMINA-CHECK $1 /"
}
# Every guest's problem lines (its kernel's Xen errors and warnings), which tests/system
# forbids: they are only in the guests' console logs, so they are copied out here.
guest_problems() {
	for f in "$LOGS"/guest-*.log; do
		[ -e "$f" ] || continue
		n=${f##*/guest-}
		grep 'LAMINA-DOMU-PROBLEM' "$f" | sed "s/^.*LAMINA-DOMU-PROBLEM /LAMINA-DOMU-PROBLEM ${n%.log}: /"
	done
}
# Waits (up to 15 s) until no page of a destroyed domain is left: "yes" or "no (...)".
stray_gone() {
	i=0
	while [ $i -lt 15 ]; do
		st=$(stray)
		[ "$st" = 0 ] && { echo yes; return; }
		sleep 1
		i=$((i + 1))
	done
	echo "no (stray pages '$st')"
}
# PATH: "absent" if xenstore says the node does not exist (ENOENT), else what it said.
xs_absent() {
	if out=$(lamina-xs read "$1" 2>&1); then
		echo "present ($out)"
	elif echo "$out" | grep -q ': No such file or directory$'; then
		echo absent
	else
		echo "error: $out"
	fi
}

# Warm-up: the first domain splits Dom0's direct map for the builder's mappings.
lam create -p "$CFG" name=warmup >/dev/null && lam destroy warmup

# --- One guest: boot, list, console, vCPUs, pause, balloon, shutdown -----------------
if lam create "$CFG" extra="console=hvc0 rdinit=/init lamina.domu-test=stay"; then
	check create=ok
else
	check create=failed
fi
if wait_for "$LOGS/guest-demo.log" "LAMINA-DOMU-CHECK done" 180; then
	check guest-init=ok
else
	check guest-init=timeout
	tail -20 "$LOGS/guest-demo.log"
fi
guest_checks demo
# The guest's refused write to Dom0's directory did not happen.
check demo xs-dom0-evil=$(xs_absent /local/domain/0/lamina-evil)
lam list
lam list | awk '$1 == "demo" { print "LAMINA-CHECK list demo mem=" $3 " vcpus=" $4 }'
lam list | awk '$1 == "Domain-0" { print "LAMINA-CHECK list dom0 id=" $2 }'
check console-shows-init=$(lam console demo </dev/null | grep -c 'LAMINA-DOMU-INIT')
lam vcpu-pin demo 0 1 && check vcpu-pin=$(lam vcpu-list demo | awk '$1 == "demo" { print "vcpu" $3 "-cpu" $4 }')
lam pause demo && check paused=$(lam list | awk '$1 == "demo" { print $5 }')
lam unpause demo && check unpaused=$(lam list | awk '$1 == "demo" { print $5 }')
check dmesg-created=$(lam dmesg | grep -c 'd[0-9]* (demo): created by the toolstack')
# Balloon: the guest gives memory back down to the target (within a few MiB).
lam mem-set demo 192m
i=0
while [ $i -lt 30 ]; do
	m=$(lam list | awk '$1 == "demo" { print $3 }')
	[ "$m" -le 196 ] 2>/dev/null && break
	sleep 1
	i=$((i + 1))
done
check mem-set=$([ "$m" -le 196 ] && [ "$m" -ge 188 ] && echo ok || echo "got-$m")
# Shutdown through xenstore control/shutdown: the guest powers itself off.
if lam shutdown -w demo; then check shutdown=ok; else check shutdown=failed; fi
check shutdown-gone=$([ -z "$(domid_of demo)" ] && echo yes || echo no)
check guest-powered-down=$(grep -c 'reboot: Power down' "$LOGS/guest-demo.log")
# No page of the guest left (its console and xenstore rings were mapped into Dom0 by the
# daemons); not compared exactly (see accounted()).
check memory-released=$(stray_gone)
check xenstore-cleaned=$(xs_domains)

# --- Four guests at once, with xenstore isolation between them -----------------------
# Each guest attacks the previous one's nodes (the first one Dom0's): a node planted in
# the victim's data directory must survive, and the attacker's node must not appear.
# ROUND (check prefix) NAME-PREFIX.
four_guests() {
	r=$1 p=$2
	prev=0
	victims=""
	for g in ${p}1 ${p}2 ${p}3 ${p}4; do
		lamina-xs write "/local/domain/$prev/data/lamina-victim" intact ||
			check plant-victim-$prev=failed
		victims="$victims $prev"
		lam create "$CFG" name=$g memory=128 \
			extra="console=hvc0 rdinit=/init lamina.domu-test=stay lamina.other=$prev" \
			>/dev/null || check create-$g=failed
		prev=$(domid_of $g)
	done
	up=0
	for g in ${p}1 ${p}2 ${p}3 ${p}4; do
		wait_for "$LOGS/guest-$g.log" "LAMINA-DOMU-CHECK done" 240 && up=$((up + 1))
	done
	check $r-guests-up=$up
	check $r-guests-listed=$(ndomains)
	lam list
	for g in ${p}1 ${p}2 ${p}3 ${p}4; do guest_checks $g; done
	intact=0
	untouched=0
	for v in $victims; do
		x=$(lamina-xs read "/local/domain/$v/data/lamina-victim" 2>&1)
		[ "$x" = intact ] && intact=$((intact + 1)) || echo "victim d$v: planted node: $x"
		x=$(xs_absent "/local/domain/$v/data/lamina-evil")
		[ "$x" = absent ] && untouched=$((untouched + 1)) ||
			echo "victim d$v: attacker's node: $x"
	done
	check $r-victims-planted-intact=$intact
	check $r-victims-no-attacker-node=$untouched
	for g in ${p}1 ${p}2 ${p}3 ${p}4; do lam destroy $g || check destroy-$g=failed; done
	check $r-destroyed=$(ndomains)
}
four_guests four g
check four-memory-released=$(stray_gone)

# --- Create and destroy 50 times: not a page lost ------------------------------------
base=$(accounted)
n=0
for i in $(seq 50); do
	lam create -p "$CFG" name=cycle >/dev/null && lam destroy cycle && n=$((n + 1))
done
check cycles=$n
check cycles-memory=$(memory_back "$base")

# --- Bad input: a clear error, nothing left behind -----------------------------------
bad() { # NAME EXPECTED-REGEX CONFIG-TEXT [ARGS...]
	name=$1 re=$2 text=$3
	shift 3
	printf '%s\n' "$text" >"/tmp/$name.cfg"
	if out=$(lam create "/tmp/$name.cfg" "$@" 2>&1); then
		check bad-$name=accepted
	elif echo "$out" | grep -qE "$re"; then
		check bad-$name=clear-error
	else
		check bad-$name="unclear: $out"
	fi
	echo "$out" | sed 's/^/  /'
}
K='kernel = "/usr/share/lamina/Image"'
bad memory "memory.cfg:2: memory" "$(printf 'name = "b1"\nmemory = "lots"\n%s' "$K")"
bad unknown-key "unknown-key.cfg:3: frobnicate" "$(printf 'name = "b2"\n%s\nfrobnicate = 1' "$K")"
bad syntax "syntax.cfg:[23]" "$(printf 'name = "b3"\nmemory = [ 1,\n%s' "$K")"
bad not-image "not an arm64 Linux Image|not a Linux Image|Image" \
	"$(printf 'name = "b4"\nmemory = 64\nkernel = "/etc/passwd"')"
bad too-big "memory|MiB" "$(printf 'name = "b5"\nmemory = 100000\n%s' "$K")"
bad no-kernel "kernel" "$(printf 'name = "b6"\nmemory = 64\nkernel = "/nonexistent"')"
bad disk "disk xvda: '/dev/lamina-none' does not exist" \
	"$(printf 'name = "b7"\nmemory = 128\n%s\ndisk = [ "phy:/dev/lamina-none,xvda,w" ]' "$K")"
if out=$(lam create /nonexistent.cfg 2>&1); then
	check bad-missing-file=accepted
else
	echo "$out" | grep -q nonexistent && check bad-missing-file=clear-error
fi
check bad-left-domains=$(ndomains)
check bad-left-xenstore=$(xs_domains)
check bad-memory-restored=$(memory_back "$base")
guest_problems
check toolstack-done
