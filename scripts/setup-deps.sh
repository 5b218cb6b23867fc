#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Installs everything Lamina's build and tests need on a Debian 12 (bookworm) machine,
# and fetches Debian's arm64 guest packages into a cache outside git.
# Idempotent: a second run with everything present does nothing but check.
#
#   scripts/setup-deps.sh            install host packages + fetch guest packages
#   scripts/setup-deps.sh --check    exit 0 if everything is present, 1 otherwise
#
# Environment:
#   LAMINA_CACHE   cache for downloaded packages (default: $HOME/.cache/lamina)
set -euo pipefail

CACHE=${LAMINA_CACHE:-${HOME:-/root}/.cache/lamina}
HOST_PKGS="make gcc gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu qemu-system-arm
	device-tree-compiler libfdt-dev libcmocka-dev cpio python3 gzip xz-utils gdb-multiarch
	ipxe-qemu clang-format clang-tidy libc6-dev-arm64-cross tmux
	clang libclang-rt-14-dev"
# clang + libclang-rt-14-dev (its libclang_rt.fuzzer): the libFuzzer targets, tests/fuzz.
# Guest packages (arm64), downloaded, never installed on the host.
GUEST_PKGS="libfdt-dev linux-image-arm64 busybox-static"

say() { echo "[setup-deps] $*" >&2; }
die() { echo "[setup-deps] error: $*" >&2; exit 1; }

host_missing() {
	local p missing=""
	for p in $HOST_PKGS; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
			missing="$missing $p"
	done
	echo "$missing"
}

# A guest package is "present" when its unpacked stamp exists in the cache.
guest_present() { [ -f "$CACHE/arm64/.$1.done" ]; }

check_all() {
	[ -z "$(host_missing)" ] || return 1
	local p
	for p in $GUEST_PKGS; do guest_present "$p" || return 1; done
	return 0
}

if [ "${1:-}" = "--check" ]; then
	check_all
	exit $?
fi

if check_all; then
	say "all dependencies present (cache: $CACHE)"
	exit 0
fi

SUDO=""
if [ "$(id -u)" != 0 ]; then
	command -v sudo >/dev/null || die "not root and no sudo: run this script as root"
	SUDO=sudo
fi

# arm64 must be a foreign architecture for 'apt-get download PKG:arm64'.
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
	say "adding arm64 as a foreign dpkg architecture"
	$SUDO dpkg --add-architecture arm64
	NEED_UPDATE=1
fi

missing=$(host_missing)
stamp=/var/lib/apt/periodic/lamina-update-stamp
if [ -n "${NEED_UPDATE:-}" ] || [ -n "$missing" ] || [ ! -f "$stamp" ]; then
	say "apt-get update"
	$SUDO apt-get update -q >&2 || die "apt-get update failed"
	$SUDO mkdir -p "$(dirname "$stamp")" && $SUDO touch "$stamp"
fi
if [ -n "$missing" ]; then
	say "installing host packages:$missing"
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends $missing >&2 ||
		die "apt-get install failed for:$missing"
fi

mkdir -p "$CACHE/debs" "$CACHE/arm64"
cd "$CACHE/debs"

# Downloads PKG:arm64 (the current candidate) into the cache; prints the .deb path.
download() {
	local p=$1 v f
	v=$(apt-cache show --no-all-versions "$p:arm64" 2>/dev/null | awk '/^Version:/{print $2; exit}')
	[ -n "$v" ] || die "no arm64 candidate for $p (is arm64 added and apt-get update run?)"
	f=$(ls "${p}_${v//:/%3a}_"{arm64,all}.deb 2>/dev/null | head -1 || true)
	if [ -z "$f" ]; then
		say "apt-get download $p:arm64 ($v)"
		apt-get -q -o APT::Sandbox::User=root download "$p:arm64=$v" >&2 ||
			die "could not download $p:arm64=$v"
		f=$(ls "${p}_${v//:/%3a}_"{arm64,all}.deb 2>/dev/null | head -1)
	fi
	echo "$CACHE/debs/$f"
}

for p in $GUEST_PKGS; do
	guest_present "$p" && continue
	case "$p" in
	libfdt-dev)
		# Its libfdt.a links into the freestanding hypervisor; libfdt-dev:arm64 conflicts
		# with the host's libfdt-dev, so it is unpacked, not installed.
		deb=$(download libfdt-dev)
		rm -rf "$CACHE/arm64/libfdt" && mkdir -p "$CACHE/arm64/libfdt"
		dpkg-deb -x "$deb" "$CACHE/arm64/libfdt"
		[ -f "$CACHE/arm64/libfdt/usr/lib/aarch64-linux-gnu/libfdt.a" ] ||
			die "libfdt-dev:arm64 has no libfdt.a"
		;;
	linux-image-arm64)
		# A metapackage: its Depends names the versioned kernel package.
		meta=$(download linux-image-arm64)
		real=$(dpkg-deb -f "$meta" Depends | tr ',' '\n' | sed 's/[ (].*//;s/^ *//' |
			grep '^linux-image-[0-9]' | head -1)
		[ -n "$real" ] || die "cannot find the kernel package behind linux-image-arm64"
		deb=$(download "$real")
		rm -rf "$CACHE/arm64/kernel" && mkdir -p "$CACHE/arm64/kernel"
		dpkg-deb -x "$deb" "$CACHE/arm64/kernel"
		vmlinuz=$(ls "$CACHE"/arm64/kernel/boot/vmlinuz-* | head -1)
		# The arm64 Image protocol has no decompressor: keep a plain Image.
		if [ "$(head -c2 "$vmlinuz" | od -An -tx1 | tr -d ' ')" = 1f8b ]; then
			gzip -dc "$vmlinuz" >"$CACHE/arm64/Image"
		else
			cp "$vmlinuz" "$CACHE/arm64/Image"
		fi
		basename "$vmlinuz" | sed 's/^vmlinuz-//' >"$CACHE/arm64/kernel-version"
		;;
	busybox-static)
		deb=$(download busybox-static)
		rm -rf "$CACHE/arm64/busybox" && mkdir -p "$CACHE/arm64/busybox"
		dpkg-deb -x "$deb" "$CACHE/arm64/busybox"
		;;
	*) die "internal: no recipe for $p" ;;
	esac
	touch "$CACHE/arm64/.$p.done"
	say "cached $p:arm64"
done

check_all || die "dependencies still missing after install: $(host_missing)"
say "done (cache: $CACHE)"
