#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# PV disk checks, run in Dom0 by its init for lamina.test=disk (tests/system, case dom0-disk):
# a guest writes a file system and 4 MiB of known checksum to its xvda (an image file on a
# loop device, served by Dom0's blkback), a second guest reads the same checksum, Dom0 reads
# it from the image file; block-attach / block-detach while a guest runs; bad disks fail with
# one line and leave no loop device or xenstore node; create/destroy cycles lose nothing.
# The guest's side is tools/domu/init's lamina.disk-test=write|read|hotplug.
LOGS=/var/log/lamina
D=/tmp/lamina-disk
IMG=$D/a.img
CFG=$D/base.cfg
. "$(dirname "$0")/lib.sh" # check, accounted, stray, wait_for

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
wait_gone() { # NAME SECONDS: "yes" once the domain is gone
	i=0
	while [ -n "$(domid_of "$1")" ] && [ $i -lt "$2" ]; do
		sleep 1
		i=$((i + 1))
	done
	[ -z "$(domid_of "$1")" ] && echo yes || echo no
}
# Loop devices bound to a file, and what xenstore holds: both must come back to before.
loops() { ls /sys/block/loop*/loop/backing_file 2>/dev/null | wc -l; }
xs_state() {
	echo "domains[$(lamina-xs ls /local/domain 2>/dev/null | tr '\n' ' ')]" \
		"vbd[$(lamina-xs ls /local/domain/0/backend/vbd 2>/dev/null | tr '\n' ' ')]" \
		"error[$(lamina-xs ls /local/domain/0/error 2>/dev/null | tr '\n' ' ')]"
}
blkbacks() { ls -d /sys/bus/xen-backend/devices/vbd-* 2>/dev/null | wc -l; }
guest_checks() { # NAME
	grep 'LAMINA-DOMU-CHECK' "$LOGS/guest-$1.log" | sed "s/^.*LAMINA-DOMU-CHECK /LAMINA-CHECK $1 /"
}
guest_problems() {
	for f in "$LOGS"/guest-*.log; do
		[ -e "$f" ] || continue
		n=${f##*/guest-}
		grep 'LAMINA-DOMU-PROBLEM' "$f" | sed "s/^.*LAMINA-DOMU-PROBLEM /LAMINA-DOMU-PROBLEM ${n%.log}: /"
	done
}
# NAME MODE [lam create args...]: a guest running lamina.disk-test=MODE.
guest() {
	name=$1 mode=$2
	shift 2
	lam create "$CFG" name="$name" extra="console=hvc0 rdinit=/init lamina.disk-test=$mode" "$@"
}

mkdir -p "$D"
grep -v '^disk' /etc/lamina/demo.cfg >"$CFG"
truncate -s 32M "$IMG"
# Warm-up: the first domain splits Dom0's direct map for the builder's mappings.
lam create -p "$CFG" name=warmup >/dev/null && lam destroy warmup
loops0=$(loops)
xs0=$(xs_state)
check disk-start loops=$loops0 blkback=$(blkbacks)

# --- Out of the box: Dom0's blank disk has /var/lib/lamina, the demo guest its disk -------
check dom0-disk-mounted=$(awk '$1 == "/dev/vda" && $2 == "/var/lib/lamina" { print $3 }' /proc/mounts)
magic=$(dd if=/var/lib/lamina/demo.img bs=1 skip=1080 count=2 2>/dev/null | od -An -tx1 | tr -d ' \n')
check demo-img=$([ "$magic" = 53ef ] && echo ext2 || echo "missing ($magic)")
lam create /etc/lamina/demo.cfg extra="console=hvc0 rdinit=/init lamina.disk-test=demo" >/dev/null ||
	check demo-create=failed
wait_for "$LOGS/guest-demo.log" "LAMINA-DOMU-CHECK disk-test done" 300 || tail -20 "$LOGS/guest-demo.log"
guest_checks demo
check demo-gone=$(wait_gone demo 60)
check demo-loops=$(($(loops) - loops0))

# --- Write in one guest, read in the next, then in Dom0 ---------------------------------
if guest dw write "disk=[ 'format=raw, vdev=xvda, access=rw, target=$IMG' ]"; then
	check disk-create=ok
else
	check disk-create=failed
fi
lam list -l dw | grep ': disk ' | sed 's/^/  /'
check list-long-disk=$(lam list -l dw | awk '$2 == "disk" { print $3 "-" $6 }')
check list-json-disk=$(lam list --json dw | grep -o '"vdev": "xvda", "devid": 51712' | wc -l)
wait_for "$LOGS/guest-dw.log" "LAMINA-DOMU-CHECK disk-test done" 300 || tail -20 "$LOGS/guest-dw.log"
guest_checks dw
wsum=$(sed -n 's/.*LAMINA-DOMU-CHECK disk-write sha=\([0-9a-f]*\).*/\1/p' "$LOGS/guest-dw.log")
check disk-written=$([ ${#wsum} = 64 ] && echo yes || echo no)
check disk-writer-gone=$(wait_gone dw 60)
check disk-writer-loops=$(($(loops) - loops0))

guest dr read "disk=[ 'phy:$IMG,xvda,r' ]" >/dev/null || check disk-reader=failed
wait_for "$LOGS/guest-dr.log" "LAMINA-DOMU-CHECK disk-test done" 300 || tail -20 "$LOGS/guest-dr.log"
guest_checks dr
rsum=$(sed -n 's/.*LAMINA-DOMU-CHECK disk-read sha=\([0-9a-f]*\).*/\1/p' "$LOGS/guest-dr.log")
check disk-read-same=$([ -n "$wsum" ] && [ "$rsum" = "$wsum" ] && echo yes || echo "no ($wsum / $rsum)")
check disk-reader-gone=$(wait_gone dr 60)

# Dom0 reads the image file itself, once no guest has it.
mkdir -p "$D/mnt"
l=$(losetup -f)
dsum=
if losetup -r "$l" "$IMG" && mount -t ext4 -o ro "$l" "$D/mnt"; then
	dsum=$(sha256sum "$D/mnt/data" | cut -d' ' -f1)
	umount "$D/mnt"
fi
losetup -d "$l" 2>/dev/null
check disk-dom0-same=$([ -n "$wsum" ] && [ "$dsum" = "$wsum" ] && echo yes || echo "no ($wsum / $dsum)")

# --- on_reboot=restart: the disk is torn down and set up again --------------------------
R=$D/r.img
truncate -s 16M "$R"
guest dreb reboot on_reboot=restart "disk=[ 'vdev=xvda, target=$R' ]" >/dev/null ||
	check reboot-create=failed
wait_for "$LOGS/guest-dreb.log" "disk-reboot second-boot" 300 || tail -20 "$LOGS/guest-dreb.log"
check disk-reboot=$(grep -c 'disk-reboot first-boot' "$LOGS/guest-dreb.log"),$(sed -n \
	's/.*disk-reboot second-boot mark=\(mark-[0-9.]*\).*/\1/p' "$LOGS/guest-dreb.log" | cut -c1-5)
check disk-reboot-gone=$(wait_gone dreb 60)
check disk-reboot-loops=$(($(loops) - loops0))

# --- Destroyed in the middle of heavy disk I/O: Dom0 stays healthy, the next guest works --
S=$D/s.img
truncate -s 16M "$S"
guest ds stress "disk=[ 'vdev=xvda, target=$S' ]" >/dev/null || check stress-create=failed
if wait_for "$LOGS/guest-ds.log" "disk-stress started" 300; then
	sleep 5
	id=$(domid_of ds)
	wr=$(cat "/sys/bus/xen-backend/devices/vbd-$id-51712/statistics/wr_req" 2>/dev/null)
	check stress-writes=$([ "${wr:-0}" -gt 0 ] && echo flowing || echo "none (${wr})")
	if lam destroy ds; then
		check stress-destroy=ok
	else
		check stress-destroy=failed
	fi
else
	check stress-guest=timeout
	lam destroy ds
fi
check stress-left loops=$(($(loops) - loops0)) blkback=$(blkbacks)

# --- Hot-plug: xvdb attached to a running guest, then detached --------------------------
B=$D/b.img
truncate -s 16M "$B"
printf 'LAMINA-HOTPLUG-B' | dd of="$B" conv=notrunc 2>/dev/null
guest dh hotplug "disk=[ 'vdev=xvda, target=$IMG' ]" >/dev/null || check hotplug-create=failed
if wait_for "$LOGS/guest-dh.log" "disk-hotplug ready" 300; then
	if lam block-attach dh "format=raw, vdev=xvdb, access=ro, target=$B"; then
		check block-attach=ok
	else
		check block-attach=failed
	fi
	lam block-list dh
	check block-list=$(lam block-list dh | awk 'NR > 1 { printf "%s:%s,", $1, $4 }')
	check hotplug-loops=$(($(loops) - loops0))
	wait_for "$LOGS/guest-dh.log" "xvdb=appeared" 60
	# Attaching the same vdev twice is refused; so is detaching one the guest lacks.
	out=$(lam block-attach dh "vdev=xvdb, access=ro, target=$B" 2>&1)
	check block-attach-twice="$out"
	out=$(lam block-detach dh xvdc 2>&1)
	check block-detach-missing="$out"
	if lam block-detach dh xvdb; then
		check block-detach=ok
	else
		check block-detach=failed
	fi
	wait_for "$LOGS/guest-dh.log" "xvdb=gone" 60
	check block-list-after=$(lam block-list dh | awk 'NR > 1 { printf "%s:%s,", $1, $4 }')
	check detach-loops=$(($(loops) - loops0))
else
	check hotplug-guest=timeout
	tail -20 "$LOGS/guest-dh.log"
fi
guest_checks dh
lam destroy dh
check hotplug-destroyed loops=$(($(loops) - loops0)) blkback=$(blkbacks)

# --- Bad disks: one line each, nothing left behind ---------------------------------------
RO=$D/ro
mkdir -p "$RO"
mount -t tmpfs -o size=4m tmpfs "$RO" && truncate -s 1M "$RO/ro.img" && mount -o remount,ro "$RO"
bad() { # NAME EXPECTED-REGEX DISK-LIST
	if out=$(lam create -p "$CFG" name="b-$1" "disk=$3" 2>&1); then
		check bad-disk-$1=accepted
		lam destroy "b-$1"
	elif [ "$(echo "$out" | wc -l)" = 1 ] && echo "$out" | grep -qE "$2"; then
		check bad-disk-$1=clear-error
	else
		check bad-disk-$1="unclear: $(echo "$out" | tr '\n' '|')"
	fi
	echo "$out" | sed 's/^/  /'
}
bad missing "disk xvda: '$D/none.img' does not exist" "[ 'vdev=xvda, target=$D/none.img' ]"
bad read-only "disk xvda: '$RO/ro.img' is not writable" "[ 'vdev=xvda, access=rw, target=$RO/ro.img' ]"
bad vdev "vdev 'xvd1' is not a valid virtual device" "[ 'vdev=xvd1, target=$IMG' ]"
bad duplicate "vdev xvda is listed twice" "[ 'vdev=xvda, target=$IMG', 'file:$B,xvda,r' ]"
bad no-blockdev "disk xvdb: '/dev/lamina-none' does not exist" "[ 'phy:/dev/lamina-none,xvdb,w' ]"
# The first disk is set up, the second fails: the first is undone.
bad second-fails "disk xvdb: '$D/none.img' does not exist" \
	"[ 'vdev=xvda, target=$IMG', 'vdev=xvdb, target=$D/none.img' ]"
# In use: writable in one guest, so neither writable nor read-only in another.
lam create -p "$CFG" name=holder "disk=[ 'vdev=xvda, target=$IMG' ]" >/dev/null
bad in-use "disk xvda: '$IMG' is in use by domain [0-9]+ \\(holder\\) \\(writable\\)" \
	"[ 'vdev=xvda, target=$IMG' ]"
bad in-use-ro "is in use by domain [0-9]+ \\(holder\\)" "[ 'vdev=xvda, access=ro, target=$IMG' ]"
lam destroy holder
# Read-only in both: shared, as xl allows; and then not writable in a third.
if lam create -p "$CFG" name=ro1 "disk=[ 'vdev=xvda, access=ro, target=$IMG' ]" >/dev/null &&
	lam create -p "$CFG" name=ro2 "disk=[ 'vdev=xvda, access=ro, target=$IMG' ]" >/dev/null; then
	check disk-shared-ro=ok
else
	check disk-shared-ro=failed
fi
bad in-use-by-readers "is in use by domain [0-9]+ \\(ro[12]\\) \\(read-only\\)" "[ 'vdev=xvda, target=$IMG' ]"
lam destroy ro1
lam destroy ro2
umount "$RO"
check bad-disk-loops=$(($(loops) - loops0))
xs=$(xs_state)
check bad-disk-xenstore=$([ "$xs" = "$xs0" ] && echo same || echo "differs: $xs0 -> $xs")

# --- Create/destroy cycles with a disk: nothing left ------------------------------------
# The base once the guests above are wholly gone: the hypervisor tears a destroyed domain
# down after `lam destroy` returns, in steps, so its pages count as stray until then.
i=0
while [ $i -lt 15 ] && [ "$(stray)" != 0 ]; do
	sleep 1
	i=$((i + 1))
done
base=$(accounted)
n=0
for i in $(seq 15); do
	lam create -p "$CFG" name=cycle "disk=[ 'vdev=xvda, target=$IMG' ]" >/dev/null &&
		lam destroy cycle && n=$((n + 1))
done
check disk-cycles=$n
check disk-cycles-loops=$(($(loops) - loops0))
check disk-cycles-blkback=$(blkbacks)
xs=$(xs_state)
check disk-cycles-xenstore=$([ "$xs" = "$xs0" ] && echo same || echo "differs: $xs0 -> $xs")
check disk-cycles-memory=$(memory_back "$base")

dmesg | grep -iE 'blkback|blkif|loop' | grep -iE 'error|fail|bug|warn' | sed 's/^/LAMINA-XEN-PROBLEM /'
dmesg | grep -E 'WARNING:|blocked for more than|hung_task' | sed 's/^/LAMINA-XEN-PROBLEM /'
guest_problems
check disk-done
