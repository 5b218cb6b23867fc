# SPDX-License-Identifier: Apache-2.0
# The Arm guest code shared by the hypervisor and lam (hv/arch/arm64/guest/).
UNIT_TESTS += arm64_guest
arm64_guest_SRCS := tests/unit/test_arm64_guest.c hv/arch/arm64/guest/image.c \
	hv/arch/arm64/guest/domu_dt.c
arm64_guest_CFLAGS := -Ihv/arch/arm64/guest/include
arm64_guest_LIBS := -lfdt
