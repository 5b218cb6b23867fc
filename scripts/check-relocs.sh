#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The hypervisor relocates itself in head.S and handles R_AARCH64_RELATIVE only:
# fail the build if the linker produced any other dynamic relocation.
set -e
bad=$("$1" -rW "$2" | awk '/^[0-9a-f]+ +[0-9a-f]+ R_AARCH64_/ && $3 != "R_AARCH64_RELATIVE"')
if [ -n "$bad" ]; then
	echo "error: $2 has relocations head.S cannot apply:" >&2
	echo "$bad" >&2
	exit 1
fi
