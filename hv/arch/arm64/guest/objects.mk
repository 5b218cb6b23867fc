# SPDX-License-Identifier: Apache-2.0
# Arm guest code shared with tools/lam and the unit tests (arm64_guest.h), and the
# hypervisor-only glue that boots dom0less DomUs with it (../guest_boot.c).
hv-y += arch/arm64/guest/image.o arch/arm64/guest/domu_dt.o arch/arm64/guest_boot.o
