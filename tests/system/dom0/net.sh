#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# PV network checks, run in Dom0 by its init for lamina.test=net (tests/system, case dom0-net):
# Dom0's bridge, two guests with NICs (DHCP, ping Dom0 / the gateway / each other, a file
# fetched from Dom0's httpd), hot-plug, bad input, create/destroy cycles, on_reboot=restart.
# Each result is a "LAMINA-CHECK name=value" line.
# The demo guest without its disk: several of these guests run at once, and one writable
# image is not shared (tests/system/dom0/disk.sh tests disks).
CFG=/tmp/demo-nodisk.cfg
grep -v '^disk' /etc/lamina/demo.cfg >"$CFG"
LOGS=/var/log/lamina
. "$(dirname "$0")/lib.sh" # check, accounted, stray, wait_for
domid_of() { lam list | awk -v n="$1" '$1 == n { print $2 }'; }
ndomains() { lam list | tail -n +2 | wc -l; }
guest_checks() { # NAME
	grep 'LAMINA-DOMU-CHECK' "$LOGS/guest-$1.log" | sed "s/^LAMINA-DOMU-CHECK /LAMINA-CHECK $1 /"
}
guest_value() { # NAME KEY: the value of the guest's LAMINA-DOMU-CHECK KEY=...
	sed -n "s/^LAMINA-DOMU-CHECK $2=\\([^[:space:]]*\\).*/\\1/p" "$LOGS/guest-$1.log" | tail -1
}
# The bridge's ports that are vifs (its sysfs brif directory, as `brctl show xenbr0` lists).
vifs() { ls /sys/class/net/xenbr0/brif | grep '^vif' | tr '\n' ' ' | sed 's/ $//'; }
xs_absent_vif() { lamina-xs ls "/local/domain/0/backend/vif/$1" >/dev/null 2>&1 && echo present || echo absent; }
nr_vifs() { ls /sys/class/net/xenbr0/brif | grep -c '^vif'; }
bridged() { ls /sys/class/net/xenbr0/brif | grep -c "^$1\$"; }
vif_nodes() { lamina-xs ls /local/domain/0/backend/vif 2>/dev/null | tr '\n' ' ' | sed 's/ $//'; }
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

# --- Dom0's side: the bridge, its address, httpd -------------------------------------
i=0
while [ $i -lt 20 ] && ! ip -4 -o addr show dev xenbr0 | grep -q inet; do
	sleep 1
	i=$((i + 1))
done
if ! ip -4 -o addr show dev xenbr0 | grep -q inet; then
	echo "net: no address on xenbr0 after 20 s; udhcpc's log:"
	cat /var/log/lamina/udhcpc.log
	ip -s link
	grep -i virtio /proc/interrupts
	dmesg | grep -iE 'virtio|eth0|xenbr0'
fi
lam network-check
check net-check=$(lam network-check >/dev/null 2>&1 && echo ok || echo failed)
check info-network=$(lam info | sed -n 's/^network *: \(xenbr0 up, uplink eth0\).*/\1/p' | tr ' ,' '__')
DOM0IP=$(ip -4 -o addr show dev xenbr0 | awk '{print $4}' | cut -d/ -f1)
check dom0-addr=$DOM0IP
dd if=/dev/urandom of=/srv/www/blob bs=1024 count=768 2>/dev/null
BLOB=$(sha256sum /srv/www/blob | cut -d' ' -f1)
check dom0-httpd=$(wget -q -O - "http://$DOM0IP/blob" | sha256sum | cut -d' ' -f1 |
	grep -qx "$BLOB" && echo ok || echo failed)

base=$(accounted)
# Warm-up (as toolstack.sh): the first domain splits Dom0's direct map.
lam create -p "$CFG" name=warmup >/dev/null && lam destroy warmup

# --- Two guests: DHCP, ping, fetch, each other -----------------------------------------
ARGS="console=hvc0 rdinit=/init lamina.domu-test=stay lamina.net-test=$DOM0IP"
if lam create "$CFG" name=n1 memory=128 extra="$ARGS"; then check n1-create=ok; else check n1-create=failed; fi
wait_for "$LOGS/guest-n1.log" "LAMINA-DOMU-CHECK done" 240 || check n1-checks=timeout
guest_checks n1
N1IP=$(guest_value n1 net-addr | cut -d/ -f1)
if lam create "$CFG" name=n2 memory=128 extra="$ARGS lamina.peer=$N1IP"; then check n2-create=ok; else check n2-create=failed; fi
wait_for "$LOGS/guest-n2.log" "LAMINA-DOMU-CHECK done" 240 || check n2-checks=timeout
guest_checks n2
check fetch-matches=$([ "$(guest_value n1 net-fetch-sha256)" = "$BLOB" ] &&
	[ "$(guest_value n2 net-fetch-sha256)" = "$BLOB" ] && echo yes || echo no)
check addrs-differ=$([ -n "$N1IP" ] && [ "$N1IP" != "$(guest_value n2 net-addr | cut -d/ -f1)" ] && echo yes || echo no)
check dom0-pings-n1=$(ping -c 2 -W 5 "$N1IP" >/dev/null 2>&1 && echo ok || echo failed)
lam network-list n1 n2
check list-n1=$(lam network-list n1 | awk 'NR == 2 { print $1 "-" $2 "-" $5 }')
check list-json=$(lam list --json n1 | grep -o '"nics": \[{"devid": 0, "mac": "00:16:3e:[0-9a-f:]*", "bridge": "xenbr0", "vif": "vif[0-9.]*", "backend_state": "Connected"' | wc -l)
check list-long=$(lam list -l n1 | grep -c 'nic 0: 00:16:3e:.* on xenbr0 (vif.*, backend Connected, frontend Connected)')
check vifs-two=$(nr_vifs)

# --- Hot-plug while n1 runs ------------------------------------------------------------
N1=$(domid_of n1)
if lam network-attach n1 mac=00:16:3e:5a:00:01; then check attach=ok; else check attach=failed; fi
check attach-state=$(lam network-list n1 | awk '$1 == 1 { print $5 }')
check attach-bridged=$(bridged "vif$N1.1")
if lam network-detach n1 00:16:3e:5a:00:01; then check detach=ok; else check detach=failed; fi
check detach-gone=$(bridged "vif$N1.1")-$(lamina-xs ls "/local/domain/0/backend/vif/$N1" | tr '\n' ' ')
if lam network-attach n1 bridge=xenbr0 && lam network-detach n1 1; then check reattach=ok; else check reattach=failed; fi

# --- Bad input: one line each, nothing left ----------------------------------------------
bad() { # NAME REGEX COMMAND...
	name=$1 re=$2
	shift 2
	before="$(vifs)|$(vif_nodes)|$(ndomains)"
	if out=$("$@" 2>&1); then
		check bad-$name=accepted
	elif [ "$(echo "$out" | wc -l)" = 1 ] && echo "$out" | grep -qE "$re"; then
		check bad-$name=clear-error
	else
		check bad-$name="unclear: $(echo "$out" | tr '\n' '|')"
	fi
	echo "$out" | sed 's/^/  /'
	after="$(vifs)|$(vif_nodes)|$(ndomains)"
	[ "$before" = "$after" ] || check bad-$name-left="'$before' -> '$after'"
}
N1MAC=$(guest_value n1 net-mac)
bad no-bridge "bridge does not exist" lam create -p "$CFG" name=b1 "vif=['bridge=nobr0']"
bad mac-malformed "is not a MAC address" lam create -p "$CFG" name=b2 "vif=['mac=00:16:3e:zz:00:01']"
bad mac-multicast "multicast" lam create -p "$CFG" name=b3 "vif=['mac=01:16:3e:00:00:01']"
bad mac-duplicate "already used by NIC 0 of domain $N1" lam create -p "$CFG" name=b4 "vif=['mac=$N1MAC']"
bad rate "rate limits are not supported" lam create -p "$CFG" name=b5 "vif=['rate=10Mb/s']"
bad script "only vif-bridge" lam create -p "$CFG" name=b6 "vif=['script=vif-nat']"
bad attach-duplicate "already used" lam network-attach n2 "mac=$N1MAC"
bad attach-no-bridge "bridge does not exist" lam network-attach n2 bridge=nobr0
bad detach-none "has no NIC 7" lam network-detach n2 7

lam destroy n1
lam destroy n2
check two-destroyed=$(ndomains)-$(nr_vifs)-$(vif_nodes)

# --- A guest destroyed in the middle of heavy traffic: Dom0 stays healthy ----------------
(while :; do nc -l -p 5001 >/dev/null; done) &
sink=$!
lam create "$CFG" name=fl memory=128 extra="$ARGS lamina.net-flood=$DOM0IP" >/dev/null
wait_for "$LOGS/guest-fl.log" "LAMINA-DOMU-CHECK flood=started" 240 || check flood=timeout
sleep 5
FL=$(domid_of fl)
# What the guest sent arrives on its vif: Dom0 counts it as received.
rxv=$(cat "/sys/class/net/vif$FL.0/statistics/rx_bytes" 2>/dev/null)
# Traffic is flowing when the guest is destroyed (how much depends on the host's load: about
# 1 MB in these 5 s under TCG, so the bar is well below that).
check flood-traffic=$([ "${rxv:-0}" -gt 200000 ] && echo yes || echo "no (${rxv:-?} bytes)")
lam destroy fl
check flood-destroyed=$([ -z "$(domid_of fl)" ] && echo yes || echo no)-$(bridged "vif$FL.0")-$(xs_absent_vif "$FL")
kill $sink 2>/dev/null
check flood-dom0-healthy=$(ping -c 2 -W 5 10.0.2.2 >/dev/null 2>&1 && lam network-check >/dev/null && echo yes || echo no)
check flood-stray=$(stray_gone)

# --- on_reboot=restart: the NIC comes back with the new domain --------------------------
lam create "$CFG" name=rb memory=128 on_reboot=restart extra="console=hvc0 rdinit=/init" >/dev/null
wait_for "$LOGS/guest-rb.log" "LAMINA-DOMU-NET" 240
old=$(domid_of rb)
lam reboot rb
i=0
while [ $i -lt 60 ]; do
	new=$(domid_of rb)
	[ -n "$new" ] && [ "$new" != "$old" ] && break
	sleep 1
	i=$((i + 1))
done
check restart-new-domain=$([ -n "$new" ] && [ "$new" != "$old" ] && echo yes || echo no)
i=0
while [ $i -lt 120 ] && [ "$(lam network-list rb | awk '$1 == 0 { print $5 }')" != 4 ]; do
	sleep 1
	i=$((i + 1))
done
check restart-nic=$(lam network-list rb | awk '$1 == 0 { print $5 }')-$(bridged "vif$old.0")-$(bridged "vif$new.0")
lam destroy rb

# --- Create/destroy cycles with a NIC: no vif, node or page left -----------------------
check stray-after-guests=$(stray_gone)
base=$(accounted)
n=0
for i in $(seq 15); do
	lam create -p "$CFG" name=cyc >/dev/null && lam destroy cyc && n=$((n + 1))
done
check cycles=$n
check cycles-left=$(nr_vifs)-$(vif_nodes)
check cycles-memory=$(memory_back "$base")
dmesg | grep -iE 'xen-netback|vif' | grep -iE 'error|fail|bug|warn' | sed 's/^/LAMINA-XEN-PROBLEM /'
check net-done
