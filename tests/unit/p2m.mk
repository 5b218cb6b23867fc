# SPDX-License-Identifier: Apache-2.0
# The arm64 stage-2 tables (hv/arch/arm64/mmu/p2m.c, over pt.c and the real page
# allocator) on the host; the hardware side (p2m_hw.c: VTCR, TLBI, AT) is faked in the test.
UNIT_TESTS += p2m
p2m_SRCS := tests/unit/test_p2m.c hv/arch/arm64/mmu/p2m.c hv/arch/arm64/mmu/pt.c \
	hv/common/page_alloc.c
p2m_ARCH := arm64
p2m_CFLAGS := -Ibuild/include
