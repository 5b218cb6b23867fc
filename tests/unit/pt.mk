# SPDX-License-Identifier: Apache-2.0
#
# The AArch64 translation-table walker on the host. -idirafter puts the arm64 headers
# behind the fake arch's: <asm/mm.h> and <asm/irq.h> come from hv/arch/fake/include,
# while <asm/pt.h>, which only arm64 has, falls through to hv/arch/arm64/include.
UNIT_TESTS += pt
pt_SRCS := tests/unit/test_pt.c hv/arch/arm64/mmu/pt.c
pt_CFLAGS := -idirafter hv/arch/arm64/include
