# SPDX-License-Identifier: Apache-2.0
#
# The AArch64 translation-table walker on the host: arm64 headers, with the host
# stand-ins for <asm/mm.h> and <asm/irq.h> (hv/arch/fake/include/host) in front.
UNIT_TESTS += pt
pt_SRCS := tests/unit/test_pt.c hv/arch/arm64/mmu/pt.c
pt_ARCH := arm64
