/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for the AArch64 translation-table walker (hv/arch/arm64/mmu/pt.c). Table
 * pages come from an arena that counts allocations and frees, can fail on demand and
 * poisons freed pages; "physical" addresses of table pages are host addresses (the
 * fake arch's phys_to_virt() is the identity). Mapped target PAs are only numbers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <asm/mm.h>
#include <asm/pt.h>
#include <hv/errno.h>
#include <hv/lib.h>

#include "analyzer_assert.h"

#define ARENA_PAGES 4096u
#define POISON 0xA5

/* Expected descriptor bits (Arm ARM D8.3.2 and D8.4), spelled out independently of pt.c. */
#define D_PAGE 0x3ull  /* bits[1:0] = 0b11 at L3 */
#define D_BLOCK 0x1ull /* bits[1:0] = 0b01 at L1/L2 */
#define D_TABLE 0x3ull /* bits[1:0] = 0b11 at L0-L2 */
#define D_AP1 (1ull << 6)
#define D_RO (1ull << 7)
#define D_SH_IS (3ull << 8)
#define D_AF (1ull << 10)
#define D_XN (1ull << 54)
#define D_OA 0x0000FFFFFFFFF000ull

/** The table-page allocator handed to pt_init(). */
struct arena {
	u8 *base;
	bool in_use[ARENA_PAGES];
	unsigned int free_list[ARENA_PAGES];
	unsigned int nr_free;
	unsigned long allocs;
	unsigned long frees;
	unsigned long live;
	long fail_after; /* allocations that still succeed; -1 = never fail */
};

static struct arena arena;

/** Allocates a zeroed arena page, or fails once fail_after reaches 0. */
static paddr_t arena_alloc(void *ctx)
{
	struct arena *a = ctx;
	unsigned int idx;
	u8 *page;

	if (a->fail_after == 0) {
		return INVALID_PADDR;
	}
	if (a->fail_after > 0) {
		a->fail_after--;
	}
	if (a->nr_free == 0) {
		return INVALID_PADDR;
	}
	idx = a->free_list[--a->nr_free];
	assert_false(a->in_use[idx]);
	a->in_use[idx] = true;
	page = a->base + (size_t)idx * PAGE_SIZE;
	memset(page, 0, PAGE_SIZE);
	a->allocs++;
	a->live++;
	return virt_to_phys(page);
}

/** Returns a page; checks it is one of ours and in use, then poisons it. */
static void arena_free(void *ctx, paddr_t table)
{
	struct arena *a = ctx;
	u8 *page = phys_to_virt(table);
	size_t off;
	unsigned int idx;

	assert_true(page >= a->base && page < a->base + (size_t)ARENA_PAGES * PAGE_SIZE);
	off = (size_t)(page - a->base);
	assert_int_equal(off % PAGE_SIZE, 0);
	idx = (unsigned int)(off / PAGE_SIZE);
	assert_true(a->in_use[idx]);
	a->in_use[idx] = false;
	memset(page, POISON, PAGE_SIZE);
	a->free_list[a->nr_free++] = idx;
	a->frees++;
	a->live--;
}

/** Resets the arena: all pages free, counters zero, no failure injection. */
static void arena_reset(struct arena *a)
{
	unsigned int i;

	a->nr_free = 0;
	for (i = 0; i < ARENA_PAGES; i++) {
		a->in_use[i] = false;
		a->free_list[a->nr_free++] = ARENA_PAGES - 1 - i;
	}
	a->allocs = 0;
	a->frees = 0;
	a->live = 0;
	a->fail_after = -1;
}

/** Group setup: one arena for all tests. */
static int group_setup(void **state)
{
	(void)state;
	arena.base = aligned_alloc(PAGE_SIZE, (size_t)ARENA_PAGES * PAGE_SIZE);
	return arena.base ? 0 : -1;
}

/** Group teardown. */
static int group_teardown(void **state)
{
	(void)state;
	free(arena.base);
	return 0;
}

/** Per-test setup: fresh arena. */
static int test_setup(void **state)
{
	(void)state;
	arena_reset(&arena);
	return 0;
}

/** Creates a 48-bit table on the arena. */
static void new_pt(struct pt *pt, unsigned int va_bits)
{
	assert_int_equal(pt_init(pt, va_bits, arena_alloc, arena_free, &arena), 0);
	assert_int_equal(arena.live, 1);
}

/** Destroys pt and checks that every table page went back. */
static void destroy_pt(struct pt *pt)
{
	pt_destroy(pt);
	assert_int_equal(arena.live, 0);
	assert_int_equal(arena.allocs, arena.frees);
}

/** Asserts va translates to pa with the given flags and granule. */
static void expect_map(const struct pt *pt, vaddr_t va, paddr_t pa, unsigned int flags, u64 granule)
{
	paddr_t got_pa = 0;
	unsigned int got_flags = 0;
	u64 got_granule = 0;

	assert_int_equal(pt_lookup(pt, va, &got_pa, &got_flags, &got_granule), 0);
	assert_int_equal(got_pa, pa);
	assert_int_equal(got_flags, flags);
	assert_int_equal(got_granule, granule);
}

/** Asserts va is unmapped. */
static void expect_unmapped(const struct pt *pt, vaddr_t va)
{
	assert_int_equal(pt_lookup(pt, va, NULL, NULL, NULL), -HV_ENOENT);
}

/** Descriptor for va at 'level' (walks tables; the path must exist). */
static u64 raw_desc(const struct pt *pt, vaddr_t va, unsigned int level)
{
	paddr_t table = pt->root;
	unsigned int l;

	for (l = 0;; l++) {
		const u64 *t = phys_to_virt(table);
		u64 d = t[(va >> (12 + 9 * (3 - l))) & 511];

		if (l == level) {
			return d;
		}
		assert_int_equal(d & 3, D_TABLE);
		table = d & D_OA;
	}
}

/** Counts the tables under 'table' and checks no non-root table is empty. */
static unsigned long count_tables(paddr_t table, unsigned int level, bool is_root)
{
	const u64 *t = phys_to_virt(table);
	unsigned long n = 1;
	unsigned int i, valid = 0;

	for (i = 0; i < 512; i++) {
		u64 d = t[i];

		if (!(d & 1)) {
			assert_int_equal(d, 0);
			continue;
		}
		valid++;
		if (level == 0) {
			assert_int_equal(d & 3, D_TABLE); /* no L0 blocks with 4 KiB */
		}
		if (level < 3 && (d & 3) == D_TABLE) {
			n += count_tables(d & D_OA, level + 1, false);
		} else if (level == 3) {
			assert_int_equal(d & 3, D_PAGE);
		}
	}
	if (!is_root) {
		assert_true(valid > 0);
	}
	return n;
}

/** The exact leaf encodings of the common flag combinations. */
static void test_leaf_encoding(void **state)
{
	(void)state;
	/* Normal RW XN page: AttrIndx 0, AP[1], SH=IS, AF, XN. */
	assert_int_equal(pt_s1_leaf(0x12345000ull, PT_MEM_NORMAL, 3),
			 0x12345000ull | D_PAGE | D_AP1 | D_SH_IS | D_AF | D_XN);
	assert_int_equal(pt_s1_leaf(0x12345000ull, PT_MEM_NORMAL, 3), 0x0040000012345743ull);
	/* Normal RO executable 2 MiB block. */
	assert_int_equal(pt_s1_leaf(0x40200000ull, PT_MEM_NORMAL | PT_RO | PT_EXEC, 2),
			 0x00000000402007C1ull);
	/* Device-nGnRE RW XN page: AttrIndx 1, not shareable. */
	assert_int_equal(pt_s1_leaf(0x09000000ull, PT_MEM_DEVICE, 3), 0x0040000009000447ull);
	/* Normal NC RW XN 1 GiB block: AttrIndx 2. */
	assert_int_equal(pt_s1_leaf(0x80000000ull, PT_MEM_NC, 1), 0x0040000080000749ull);
	/* Device RO exec (odd but encodable); PT_NO_BLOCK does not change the bits. */
	assert_int_equal(
		pt_s1_leaf(0xFFFFFFFFF000ull, PT_MEM_DEVICE | PT_RO | PT_EXEC | PT_NO_BLOCK, 3),
		0x0000FFFFFFFFF4C7ull);
	/* PT_SW0 is descriptor bit 55 (software use, Arm ARM D8.3.2), at both stages. */
	assert_int_equal(pt_s1_leaf(0x12345000ull, PT_MEM_NORMAL | PT_SW0, 3),
			 0x00C0000012345743ull);
	assert_int_equal(pt_s2_leaf(0x12345000ull, PT_MEM_NORMAL | PT_SW0, 3) ^
				 pt_s2_leaf(0x12345000ull, PT_MEM_NORMAL, 3),
			 1ull << 55);
	/* MAIR_EL2: Attr0 0xFF, Attr1 0x04, Attr2 0x44. */
	assert_int_equal(MAIR_EL2_VALUE & 0xFF, 0xFF);
	assert_int_equal((MAIR_EL2_VALUE >> (8 * MAIR_IDX_DEVICE)) & 0xFF, 0x04);
	assert_int_equal((MAIR_EL2_VALUE >> (8 * MAIR_IDX_NC)) & 0xFF, 0x44);
	assert_int_equal(MAIR_EL2_VALUE, 0x4404FFull);
}

/** 4 KiB pages: lookups, flag round trip, written descriptors, tables used. */
static void test_map_pages(void **state)
{
	struct pt pt;
	const unsigned int fl[] = {
		PT_MEM_NORMAL,		 PT_MEM_NORMAL | PT_RO,
		PT_MEM_NORMAL | PT_EXEC, PT_MEM_NORMAL | PT_RO | PT_EXEC,
		PT_MEM_DEVICE,		 PT_MEM_NC,
		PT_MEM_NC | PT_RO,	 PT_MEM_DEVICE | PT_EXEC,
	};
	unsigned int i;

	(void)state;
	new_pt(&pt, 48);
	for (i = 0; i < ARRAY_SIZE(fl); i++) {
		vaddr_t va = 0x1000ull * (i + 1);

		assert_int_equal(pt_map(&pt, va, 0x80000000ull + va, PAGE_SIZE, fl[i]), 0);
	}
	assert_int_equal(arena.live, 4); /* root + L1 + L2 + L3 */
	for (i = 0; i < ARRAY_SIZE(fl); i++) {
		vaddr_t va = 0x1000ull * (i + 1);

		expect_map(&pt, va, 0x80000000ull + va, fl[i], PAGE_SIZE);
		expect_map(&pt, va + 0x123, 0x80000123ull + va, fl[i], PAGE_SIZE);
		assert_int_equal(raw_desc(&pt, va, 3), pt_s1_leaf(0x80000000ull + va, fl[i], 3));
	}
	expect_unmapped(&pt, 0);
	expect_unmapped(&pt, 0x1000ull * (ARRAY_SIZE(fl) + 1));
	expect_unmapped(&pt, 1ull << 47);
	expect_unmapped(&pt, 1ull << 48); /* outside va_bits */
	/* Table descriptors: 0b11 and the next table's PA, nothing else. */
	assert_int_equal(raw_desc(&pt, 0, 0) & ~D_OA, D_TABLE);
	assert_int_equal(raw_desc(&pt, 0, 1) & ~D_OA, D_TABLE);
	assert_int_equal(raw_desc(&pt, 0, 2) & ~D_OA, D_TABLE);
	assert_int_equal(count_tables(pt.root, 0, true), arena.live);
	destroy_pt(&pt);
}

/** 2 MiB and 1 GiB blocks are used when va, pa and size allow, not otherwise. */
static void test_map_blocks(void **state)
{
	struct pt pt;

	(void)state;
	new_pt(&pt, 48);
	/* 2 MiB block. */
	assert_int_equal(pt_map(&pt, MiB(2), GiB(4) + MiB(2), MiB(2), PT_MEM_NORMAL), 0);
	assert_int_equal(arena.live, 3); /* root + L1 + L2 */
	expect_map(&pt, MiB(2), GiB(4) + MiB(2), PT_MEM_NORMAL, MiB(2));
	expect_map(&pt, MiB(4) - 8, GiB(4) + MiB(4) - 8, PT_MEM_NORMAL, MiB(2));
	assert_int_equal(raw_desc(&pt, MiB(2), 2), pt_s1_leaf(GiB(4) + MiB(2), PT_MEM_NORMAL, 2));
	expect_unmapped(&pt, MiB(4));
	/* 1 GiB block. */
	assert_int_equal(pt_map(&pt, GiB(1), GiB(7), GiB(1), PT_MEM_DEVICE), 0);
	assert_int_equal(arena.live, 3);
	expect_map(&pt, GiB(1) + 0x12345, GiB(7) + 0x12345, PT_MEM_DEVICE, GiB(1));
	assert_int_equal(raw_desc(&pt, GiB(1), 1), pt_s1_leaf(GiB(7), PT_MEM_DEVICE, 1));
	/* va aligned but pa only 4 KiB aligned: pages. */
	assert_int_equal(pt_map(&pt, GiB(3), GiB(9) + PAGE_SIZE, MiB(2), PT_MEM_NC), 0);
	expect_map(&pt, GiB(3), GiB(9) + PAGE_SIZE, PT_MEM_NC, PAGE_SIZE);
	expect_map(&pt, GiB(3) + MiB(2) - PAGE_SIZE, GiB(9) + MiB(2), PT_MEM_NC, PAGE_SIZE);
	/* pa 2 MiB aligned but not 1 GiB: 2 MiB blocks for a 1 GiB range. */
	assert_int_equal(pt_map(&pt, GiB(4), GiB(10) + MiB(2), GiB(1), PT_MEM_NORMAL | PT_RO), 0);
	expect_map(&pt, GiB(4), GiB(10) + MiB(2), PT_MEM_NORMAL | PT_RO, MiB(2));
	expect_map(&pt, GiB(5) - 1, GiB(11) + MiB(2) - 1, PT_MEM_NORMAL | PT_RO, MiB(2));
	/* PT_NO_BLOCK forces pages. */
	assert_int_equal(pt_map(&pt, GiB(6), GiB(6), MiB(4), PT_MEM_NORMAL | PT_NO_BLOCK), 0);
	expect_map(&pt, GiB(6) + MiB(3), GiB(6) + MiB(3), PT_MEM_NORMAL, PAGE_SIZE);
	assert_int_equal(count_tables(pt.root, 0, true), arena.live);
	destroy_pt(&pt);
}

/** A range unaligned at both ends is split into pages, blocks and pages. */
static void test_map_mixed(void **state)
{
	struct pt pt;
	const u64 off = 0x100000000000ull; /* PA = VA + off keeps every alignment */
	vaddr_t va = GiB(1) - 2 * PAGE_SIZE;
	u64 size = 2 * PAGE_SIZE + GiB(1) + MiB(2) + 3 * PAGE_SIZE;
	unsigned int fl = PT_MEM_NORMAL | PT_EXEC;

	(void)state;
	new_pt(&pt, 48);
	assert_int_equal(pt_map(&pt, va, va + off, size, fl), 0);
	expect_unmapped(&pt, va - PAGE_SIZE);
	expect_map(&pt, va, va + off, fl, PAGE_SIZE);
	expect_map(&pt, GiB(1) - PAGE_SIZE, GiB(1) - PAGE_SIZE + off, fl, PAGE_SIZE);
	expect_map(&pt, GiB(1), GiB(1) + off, fl, GiB(1));
	expect_map(&pt, GiB(2) - PAGE_SIZE, GiB(2) - PAGE_SIZE + off, fl, GiB(1));
	expect_map(&pt, GiB(2), GiB(2) + off, fl, MiB(2));
	expect_map(&pt, GiB(2) + MiB(2), GiB(2) + MiB(2) + off, fl, PAGE_SIZE);
	expect_map(&pt, GiB(2) + MiB(2) + 2 * PAGE_SIZE, GiB(2) + MiB(2) + 2 * PAGE_SIZE + off, fl,
		   PAGE_SIZE);
	expect_unmapped(&pt, va + size);
	/* L1 tables: one; L2: two (below 1 GiB, at 2 GiB); L3: two. */
	assert_int_equal(arena.live, 1 + 1 + 2 + 2);

	/* Crossing a 2 MiB boundary: page, block, page. */
	assert_int_equal(pt_map(&pt, GiB(8) + MiB(2) - PAGE_SIZE, GiB(20) + MiB(2) - PAGE_SIZE,
				MiB(2) + 2 * PAGE_SIZE, PT_MEM_DEVICE),
			 0);
	expect_map(&pt, GiB(8) + MiB(2) - PAGE_SIZE, GiB(20) + MiB(2) - PAGE_SIZE, PT_MEM_DEVICE,
		   PAGE_SIZE);
	expect_map(&pt, GiB(8) + MiB(3), GiB(20) + MiB(3), PT_MEM_DEVICE, MiB(2));
	expect_map(&pt, GiB(8) + MiB(4), GiB(20) + MiB(4), PT_MEM_DEVICE, PAGE_SIZE);
	expect_unmapped(&pt, GiB(8) + MiB(4) + PAGE_SIZE);

	/* Crossing a 512 GiB (L0) boundary. */
	assert_int_equal(pt_map(&pt, GiB(512) - PAGE_SIZE, PAGE_SIZE, 2 * PAGE_SIZE, PT_MEM_NC), 0);
	expect_map(&pt, GiB(512) - PAGE_SIZE, PAGE_SIZE, PT_MEM_NC, PAGE_SIZE);
	expect_map(&pt, GiB(512), 2 * PAGE_SIZE, PT_MEM_NC, PAGE_SIZE);

	/* The top of the VA space. */
	assert_int_equal(pt_map(&pt, (1ull << 48) - GiB(1), GiB(1), GiB(1), PT_MEM_NORMAL), 0);
	expect_map(&pt, (1ull << 48) - 1, GiB(2) - 1, PT_MEM_NORMAL, GiB(1));
	assert_int_equal(count_tables(pt.root, 0, true), arena.live);
	destroy_pt(&pt);
}

/** Overlap returns -HV_EEXIST and changes nothing. */
static void test_map_eexist(void **state)
{
	struct pt pt;
	unsigned long live;

	(void)state;
	new_pt(&pt, 48);
	assert_int_equal(pt_map(&pt, GiB(1) + MiB(4), GiB(3), MiB(2), PT_MEM_NORMAL), 0);
	assert_int_equal(pt_map(&pt, GiB(2), GiB(5), PAGE_SIZE, PT_MEM_DEVICE), 0);
	live = arena.live;

	/* Starts in a hole far away (needs new tables there), ends inside the block. */
	assert_int_equal(pt_map(&pt, MiB(2), GiB(8), GiB(1) + MiB(3), PT_MEM_NC), -HV_EEXIST);
	/* Whole 1 GiB around the block. */
	assert_int_equal(pt_map(&pt, GiB(1), GiB(8), GiB(1), PT_MEM_NC), -HV_EEXIST);
	/* Last page only. */
	assert_int_equal(pt_map(&pt, GiB(2) - PAGE_SIZE, GiB(8), 2 * PAGE_SIZE, PT_MEM_NC),
			 -HV_EEXIST);
	/* Exactly the same. */
	assert_int_equal(pt_map(&pt, GiB(1) + MiB(4), GiB(3), MiB(2), PT_MEM_NORMAL), -HV_EEXIST);
	assert_int_equal(arena.live, live);
	assert_int_equal(arena.allocs, live);
	expect_map(&pt, GiB(1) + MiB(5), GiB(3) + MiB(1), PT_MEM_NORMAL, MiB(2));
	expect_map(&pt, GiB(2), GiB(5), PT_MEM_DEVICE, PAGE_SIZE);
	expect_unmapped(&pt, MiB(2));
	expect_unmapped(&pt, GiB(1));
	expect_unmapped(&pt, GiB(2) - PAGE_SIZE);
	/* Adjacent ranges are fine. */
	assert_int_equal(pt_map(&pt, GiB(1) + MiB(2), GiB(4), MiB(2), PT_MEM_NC), 0);
	assert_int_equal(pt_map(&pt, GiB(1) + MiB(6), GiB(4) + MiB(2), MiB(2), PT_MEM_NC), 0);
	expect_map(&pt, GiB(1) + MiB(6), GiB(4) + MiB(2), PT_MEM_NC, MiB(2));
	destroy_pt(&pt);
}

/** Bad arguments are rejected with -HV_EINVAL before anything changes. */
static void test_einval(void **state)
{
	struct pt pt;
	const u64 top = 1ull << 48;

	(void)state;
	assert_int_equal(pt_init(&pt, 38, arena_alloc, arena_free, &arena), -HV_EINVAL);
	assert_int_equal(pt_init(&pt, 49, arena_alloc, arena_free, &arena), -HV_EINVAL);
	assert_int_equal(pt_init(&pt, 64, arena_alloc, arena_free, &arena), -HV_EINVAL);
	assert_int_equal(arena.allocs, 0);
	new_pt(&pt, 48);

	assert_int_equal(pt_map(&pt, 0, 0, 0, PT_MEM_NORMAL), -HV_EINVAL);
	assert_int_equal(pt_map(&pt, 0x800, 0, PAGE_SIZE, PT_MEM_NORMAL), -HV_EINVAL);
	assert_int_equal(pt_map(&pt, 0, 0x800, PAGE_SIZE, PT_MEM_NORMAL), -HV_EINVAL);
	assert_int_equal(pt_map(&pt, 0, 0, 0x1800, PT_MEM_NORMAL), -HV_EINVAL);
	assert_int_equal(pt_map(&pt, top, 0, PAGE_SIZE, PT_MEM_NORMAL), -HV_EINVAL);
	assert_int_equal(pt_map(&pt, top - PAGE_SIZE, 0, 2 * PAGE_SIZE, PT_MEM_NORMAL), -HV_EINVAL);
	/* va + size wraps around 2^64. */
	assert_int_equal(pt_map(&pt, PAGE_SIZE, 0, ~0ull - 0xFFF, PT_MEM_NORMAL), -HV_EINVAL);
	assert_int_equal(pt_map(&pt, ~0ull - 0xFFF, 0, PAGE_SIZE, PT_MEM_NORMAL), -HV_EINVAL);
	/* PA beyond 48 bits, or pa + size past it. */
	assert_int_equal(pt_map(&pt, 0, top, PAGE_SIZE, PT_MEM_NORMAL), -HV_EINVAL);
	assert_int_equal(pt_map(&pt, 0, top - PAGE_SIZE, 2 * PAGE_SIZE, PT_MEM_NORMAL), -HV_EINVAL);
	/* Reserved memory type, unknown flag bit. */
	assert_int_equal(pt_map(&pt, 0, 0, PAGE_SIZE, 3), -HV_EINVAL);
	assert_int_equal(pt_map(&pt, 0, 0, PAGE_SIZE, 1u << 6), -HV_EINVAL);
	assert_int_equal(pt_map(&pt, 0, 0, PAGE_SIZE, 1u << 31), -HV_EINVAL);

	assert_int_equal(pt_unmap(&pt, 0, 0), -HV_EINVAL);
	assert_int_equal(pt_unmap(&pt, 0x10, PAGE_SIZE), -HV_EINVAL);
	assert_int_equal(pt_unmap(&pt, 0, 0x10), -HV_EINVAL);
	assert_int_equal(pt_unmap(&pt, top, PAGE_SIZE), -HV_EINVAL);
	assert_int_equal(pt_unmap(&pt, top - PAGE_SIZE, 2 * PAGE_SIZE), -HV_EINVAL);
	assert_int_equal(pt_unmap(&pt, PAGE_SIZE, ~0ull - 0xFFF), -HV_EINVAL);

	/* Nothing happened; the edge cases just inside are accepted. */
	assert_int_equal(arena.allocs, 1);
	assert_int_equal(pt_map(&pt, top - PAGE_SIZE, top - PAGE_SIZE, PAGE_SIZE, PT_MEM_NORMAL),
			 0);
	expect_map(&pt, top - 1, top - 1, PT_MEM_NORMAL, PAGE_SIZE);
	assert_int_equal(pt_unmap(&pt, 0, top), 0);
	assert_int_equal(arena.live, 1);
	destroy_pt(&pt);
}

/** va_bits below 48: 39 uses a 3-level walk from L1, 40 a 2-entry L0. */
static void test_small_va_bits(void **state)
{
	struct pt pt;

	(void)state;
	new_pt(&pt, 39);
	assert_int_equal(pt_map(&pt, GiB(1), GiB(2), GiB(1), PT_MEM_NORMAL), 0);
	assert_int_equal(arena.live, 1); /* the L1 root holds the block */
	assert_int_equal(((const u64 *)phys_to_virt(pt.root))[1], pt_s1_leaf(GiB(2), 0, 1));
	assert_int_equal(pt_map(&pt, GiB(512) - PAGE_SIZE, 0, PAGE_SIZE, PT_MEM_NORMAL), 0);
	expect_map(&pt, GiB(512) - 1, PAGE_SIZE - 1, PT_MEM_NORMAL, PAGE_SIZE);
	expect_map(&pt, GiB(1) + 5, GiB(2) + 5, PT_MEM_NORMAL, GiB(1));
	assert_int_equal(pt_map(&pt, GiB(512), 0, PAGE_SIZE, PT_MEM_NORMAL), -HV_EINVAL);
	expect_unmapped(&pt, GiB(512));
	assert_int_equal(pt_unmap(&pt, GiB(1) + PAGE_SIZE, PAGE_SIZE), 0);
	expect_map(&pt, GiB(1), GiB(2), PT_MEM_NORMAL, PAGE_SIZE);
	expect_unmapped(&pt, GiB(1) + PAGE_SIZE);
	destroy_pt(&pt);

	new_pt(&pt, 40);
	assert_int_equal(pt_map(&pt, GiB(1024) - GiB(1), GiB(1), GiB(1), PT_MEM_NC), 0);
	expect_map(&pt, GiB(1024) - 1, GiB(2) - 1, PT_MEM_NC, GiB(1));
	assert_int_equal(pt_map(&pt, GiB(1024), 0, PAGE_SIZE, PT_MEM_NORMAL), -HV_EINVAL);
	destroy_pt(&pt);
}

/** Unmapping the middle of a 1 GiB block splits it; both sides keep their PAs. */
static void test_unmap_split(void **state)
{
	struct pt pt;
	const unsigned int fl = PT_MEM_NORMAL | PT_RO | PT_EXEC;
	const vaddr_t hole = GiB(1) + MiB(2) + PAGE_SIZE;

	(void)state;
	new_pt(&pt, 48);
	assert_int_equal(pt_map(&pt, GiB(1), GiB(4), GiB(1), fl), 0);
	assert_int_equal(arena.live, 2);
	assert_int_equal(pt_unmap(&pt, hole, 2 * PAGE_SIZE), 0);
	assert_int_equal(arena.live, 4); /* + L2 from the 1 GiB split, + L3 from the 2 MiB one */
	expect_map(&pt, GiB(1), GiB(4), fl, MiB(2));
	expect_map(&pt, GiB(1) + MiB(2), GiB(4) + MiB(2), fl, PAGE_SIZE);
	expect_unmapped(&pt, hole);
	expect_unmapped(&pt, hole + PAGE_SIZE);
	expect_map(&pt, hole + 2 * PAGE_SIZE, GiB(4) + MiB(2) + 3 * PAGE_SIZE, fl, PAGE_SIZE);
	expect_map(&pt, GiB(1) + MiB(4) - 1, GiB(4) + MiB(4) - 1, fl, PAGE_SIZE);
	expect_map(&pt, GiB(1) + MiB(4), GiB(4) + MiB(4), fl, MiB(2));
	expect_map(&pt, GiB(2) - PAGE_SIZE, GiB(5) - PAGE_SIZE, fl, MiB(2));
	/* The split entries carry the same attribute bits as a direct mapping. */
	assert_int_equal(raw_desc(&pt, GiB(1) + MiB(4), 2), pt_s1_leaf(GiB(4) + MiB(4), fl, 2));
	assert_int_equal(raw_desc(&pt, GiB(1) + MiB(2), 3), pt_s1_leaf(GiB(4) + MiB(2), fl, 3));
	/* Unmapping part of a block straddling a split boundary. */
	assert_int_equal(pt_unmap(&pt, GiB(2) - MiB(3), MiB(2)), 0);
	expect_map(&pt, GiB(2) - MiB(6), GiB(5) - MiB(6), fl, MiB(2));
	expect_map(&pt, GiB(2) - MiB(4), GiB(5) - MiB(4), fl, PAGE_SIZE);
	expect_map(&pt, GiB(2) - MiB(3) - PAGE_SIZE, GiB(5) - MiB(3) - PAGE_SIZE, fl, PAGE_SIZE);
	expect_unmapped(&pt, GiB(2) - MiB(3));
	expect_unmapped(&pt, GiB(2) - MiB(1) - PAGE_SIZE);
	expect_map(&pt, GiB(2) - MiB(1), GiB(5) - MiB(1), fl, PAGE_SIZE);
	assert_int_equal(count_tables(pt.root, 0, true), arena.live);
	/* Unmap everything: back to the root alone. */
	assert_int_equal(pt_unmap(&pt, GiB(1), GiB(1)), 0);
	assert_int_equal(arena.live, 1);
	expect_unmapped(&pt, GiB(1));
	destroy_pt(&pt);
}

/** Empty tables are freed, holes are ignored, the root stays. */
static void test_unmap_frees_tables(void **state)
{
	struct pt pt;
	const vaddr_t vas[] = { 0, GiB(1) + MiB(6), GiB(512) + PAGE_SIZE, (1ull << 47) + GiB(3),
				(1ull << 48) - PAGE_SIZE };
	unsigned int i;

	(void)state;
	new_pt(&pt, 48);
	for (i = 0; i < ARRAY_SIZE(vas); i++) {
		assert_int_equal(pt_map(&pt, vas[i], GiB(1), PAGE_SIZE, PT_MEM_NORMAL), 0);
	}
	assert_true(arena.live > 10);
	/* Hole-only unmaps change nothing. */
	assert_int_equal(pt_unmap(&pt, PAGE_SIZE, MiB(2)), 0);
	assert_int_equal(pt_unmap(&pt, GiB(256), GiB(1)), 0);
	for (i = 0; i < ARRAY_SIZE(vas); i++) {
		expect_map(&pt, vas[i], GiB(1), PT_MEM_NORMAL, PAGE_SIZE);
	}
	/* Unmap one at a time, then check the table count is exact. */
	assert_int_equal(pt_unmap(&pt, vas[0], PAGE_SIZE), 0);
	assert_int_equal(count_tables(pt.root, 0, true), arena.live);
	assert_int_equal(pt_unmap(&pt, vas[1], PAGE_SIZE), 0);
	assert_int_equal(count_tables(pt.root, 0, true), arena.live);
	/* One large unmap covering the rest (also spans unpopulated L0 entries). */
	assert_int_equal(pt_unmap(&pt, GiB(2), (1ull << 48) - GiB(2)), 0);
	assert_int_equal(arena.live, 1);
	assert_int_equal(count_tables(pt.root, 0, true), 1);
	for (i = 0; i < ARRAY_SIZE(vas); i++) {
		expect_unmapped(&pt, vas[i]);
	}
	destroy_pt(&pt);
}

/** Allocation failure part-way: -HV_ENOMEM, nothing mapped, no tables leaked. */
static void test_map_enomem_rollback(void **state)
{
	struct pt pt;
	/*
	 * Page, block | block, page around the 512 GiB (L0) boundary: below it a new L2
	 * and L3 under the existing L1, above it a new L1, L2 and L3 - 5 tables.
	 */
	const vaddr_t va = GiB(512) - MiB(2) - PAGE_SIZE;
	const u64 size = 2 * MiB(2) + 2 * PAGE_SIZE;
	unsigned long before;
	long n;

	(void)state;
	new_pt(&pt, 48);
	/* An existing mapping that shares the first L1 table, to check it survives. */
	assert_int_equal(pt_map(&pt, GiB(100), GiB(1), MiB(2), PT_MEM_DEVICE), 0);
	before = arena.live;
	for (n = 0; n < 5; n++) {
		arena.fail_after = n;
		assert_int_equal(pt_map(&pt, va, GiB(8) - MiB(2) - PAGE_SIZE, size, PT_MEM_NORMAL),
				 -HV_ENOMEM);
		arena.fail_after = -1;
		assert_int_equal(arena.live, before);
		assert_int_equal(count_tables(pt.root, 0, true), arena.live);
		expect_unmapped(&pt, va);
		expect_unmapped(&pt, va + PAGE_SIZE);
		expect_unmapped(&pt, GiB(512));
		expect_unmapped(&pt, va + size - PAGE_SIZE);
		expect_map(&pt, GiB(100), GiB(1), PT_MEM_DEVICE, MiB(2));
	}
	arena.fail_after = 5;
	assert_int_equal(pt_map(&pt, va, GiB(8) - MiB(2) - PAGE_SIZE, size, PT_MEM_NORMAL), 0);
	arena.fail_after = -1;
	assert_int_equal(arena.live, before + 5);
	expect_map(&pt, va, GiB(8) - MiB(2) - PAGE_SIZE, PT_MEM_NORMAL, PAGE_SIZE);
	expect_map(&pt, va + PAGE_SIZE, GiB(8) - MiB(2), PT_MEM_NORMAL, MiB(2));
	expect_map(&pt, GiB(512), GiB(8), PT_MEM_NORMAL, MiB(2));
	expect_map(&pt, va + size - PAGE_SIZE, GiB(8) + MiB(2), PT_MEM_NORMAL, PAGE_SIZE);
	destroy_pt(&pt);

	/* pt_init itself. */
	arena.fail_after = 0;
	assert_int_equal(pt_init(&pt, 48, arena_alloc, arena_free, &arena), -HV_ENOMEM);
	arena.fail_after = -1;
	assert_int_equal(arena.live, 0);
}

/** A split that cannot get a table page leaves the block untouched. */
static void test_unmap_enomem(void **state)
{
	struct pt pt;

	(void)state;
	new_pt(&pt, 48);
	assert_int_equal(pt_map(&pt, GiB(1), GiB(1), GiB(1), PT_MEM_NORMAL), 0);
	arena.fail_after = 0;
	assert_int_equal(pt_unmap(&pt, GiB(1) + MiB(2), PAGE_SIZE), -HV_ENOMEM);
	assert_int_equal(arena.live, 2);
	expect_map(&pt, GiB(1) + MiB(2), GiB(1) + MiB(2), PT_MEM_NORMAL, GiB(1));
	/* The first split succeeds, the second fails: the 1 GiB block is now 2 MiB blocks. */
	arena.fail_after = 1;
	assert_int_equal(pt_unmap(&pt, GiB(1) + MiB(2), PAGE_SIZE), -HV_ENOMEM);
	arena.fail_after = -1;
	expect_map(&pt, GiB(1) + MiB(2), GiB(1) + MiB(2), PT_MEM_NORMAL, MiB(2));
	expect_map(&pt, GiB(2) - 1, GiB(2) - 1, PT_MEM_NORMAL, MiB(2));
	assert_int_equal(count_tables(pt.root, 0, true), arena.live);
	destroy_pt(&pt);
}

/** pt_destroy frees every table of a large, mixed tree. */
static void test_destroy(void **state)
{
	struct pt pt;
	unsigned int i;

	(void)state;
	new_pt(&pt, 48);
	for (i = 0; i < 64; i++) {
		vaddr_t va = (u64)i * GiB(37) + (u64)i * MiB(3) + (u64)i * PAGE_SIZE;

		assert_int_equal(pt_map(&pt, va, va, MiB(5), PT_MEM_NORMAL), 0);
	}
	assert_true(arena.live > 64 * 2);
	assert_int_equal(count_tables(pt.root, 0, true), arena.live);
	destroy_pt(&pt);
	assert_int_equal(pt.root, INVALID_PADDR);
	pt_destroy(&pt); /* idempotent */
	assert_int_equal(arena.frees, arena.allocs);
}

/* Random operations against a page-granular shadow model. */
#define ST_BASE GiB(510) /* window straddles the L0 boundary at 512 GiB */
#define ST_SIZE GiB(4)
#define ST_PAGES (ST_SIZE / PAGE_SIZE)
#define ST_PA_OFF 0x100000000000ull /* PA = VA + offset keeps all alignments */
#define ST_OPS 3000
#define ST_UNMAPPED 0xFFu

/** The shadow model: per page, target PA and flags (ST_UNMAPPED if none). */
struct shadow {
	paddr_t *pa;
	u8 *flags;
};

static u64 rng_state;

/** xorshift64*: deterministic, seedable. */
static u64 rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1Dull;
}

/** Checks one page of the window against the model. */
static void check_page(const struct pt *pt, const struct shadow *sh, u64 page)
{
	vaddr_t va = ST_BASE + page * PAGE_SIZE;
	paddr_t pa;
	unsigned int flags;
	u64 granule;
	int ret = pt_lookup(pt, va, &pa, &flags, &granule);

	if (sh->flags[page] == ST_UNMAPPED) {
		assert_int_equal(ret, -HV_ENOENT);
		return;
	}
	assert_int_equal(ret, 0);
	assert_int_equal(pa, sh->pa[page]);
	assert_int_equal(flags, sh->flags[page] & ~PT_NO_BLOCK);
}

/** Checks [first, first+n) pages, all of them or a sample if the range is large. */
static void check_range(const struct pt *pt, const struct shadow *sh, u64 first, u64 n)
{
	u64 i;

	if (first > 0) {
		check_page(pt, sh, first - 1);
	}
	if (first + n < ST_PAGES) {
		check_page(pt, sh, first + n);
	}
	if (n <= 8192) {
		for (i = 0; i < n; i++) {
			check_page(pt, sh, first + i);
		}
		return;
	}
	for (i = 0; i < 1024; i++) {
		check_page(pt, sh, first + i);
		check_page(pt, sh, first + n - 1 - i);
	}
	for (i = 0; i < 2048; i++) {
		check_page(pt, sh, first + rng() % n);
	}
}

/** After a successful map, sampled pages use the largest block the op allowed. */
static void check_granules(const struct pt *pt, vaddr_t va, paddr_t pa, u64 size,
			   unsigned int flags)
{
	static const u64 sizes[] = { GiB(1), MiB(2) };
	const u64 pages = size / PAGE_SIZE;
	unsigned int s, i;

	assert_true(pages > 0);
	for (i = 0; i < 16; i++) {
		vaddr_t at = va + (rng() % pages) * PAGE_SIZE;
		u64 want = PAGE_SIZE;
		u64 granule = 0;

		for (s = 0; s < ARRAY_SIZE(sizes) && !(flags & PT_NO_BLOCK); s++) {
			vaddr_t start = ROUND_DOWN(at, sizes[s]);

			if (start >= va && start + sizes[s] <= va + size &&
			    IS_ALIGNED(pa + (start - va), sizes[s])) {
				want = sizes[s];
				break;
			}
		}
		assert_int_equal(pt_lookup(pt, at, NULL, NULL, &granule), 0);
		assert_int_equal(granule, want);
	}
}

/** Picks a random page-aligned range inside the window. */
static void random_range(vaddr_t *va, u64 *size)
{
	u64 r = rng() % 10;
	u64 align = PAGE_SIZE;
	u64 pages;

	if (r < 5) {
		pages = 1 + rng() % 64;
	} else if (r < 8) {
		pages = (1 + rng() % 3) * 512 + (rng() % 2 ? rng() % 600 : 0);
		align = rng() % 4 ? MiB(2) : PAGE_SIZE;
	} else if (r < 9) {
		pages = (rng() % 2 + 1) * (GiB(1) / PAGE_SIZE) + (rng() % 2 ? rng() % 1024 : 0);
		align = rng() % 2 ? GiB(1) : MiB(2);
	} else {
		pages = 1 + rng() % (MiB(600) / PAGE_SIZE);
	}
	pages = MIN(pages, ST_PAGES);
	*va = ST_BASE + (rng() % (ST_PAGES - pages + 1)) * PAGE_SIZE;
	*va = ROUND_DOWN(*va, align);
	*size = pages * PAGE_SIZE;
}

/** Checks the whole window and the tree structure against the model and the arena. */
static void check_all(const struct pt *pt, const struct shadow *sh)
{
	u64 page;

	for (page = 0; page < ST_PAGES; page++) {
		check_page(pt, sh, page);
	}
	assert_int_equal(count_tables(pt->root, 0, true), arena.live);
}

/** Random map/unmap (with injected allocation failures) against the shadow model. */
static void test_stress(void **state)
{
	struct pt pt;
	struct shadow sh;
	unsigned int op;
	unsigned long nr_map = 0, nr_exist = 0, nr_nomem = 0, nr_unmap = 0;

	(void)state;
	rng_state = 0x9E3779B97F4A7C15ull;
	sh.pa = calloc(ST_PAGES, sizeof(*sh.pa));
	sh.flags = malloc(ST_PAGES);
	assert_non_null(sh.pa);
	assert_non_null(sh.flags);
	memset(sh.flags, ST_UNMAPPED, ST_PAGES);
	new_pt(&pt, 48);

	for (op = 0; op < ST_OPS; op++) {
		vaddr_t va;
		u64 size, first, n, i;
		int ret;

		random_range(&va, &size);
		first = (va - ST_BASE) / PAGE_SIZE;
		n = size / PAGE_SIZE;
		if (rng() % 100 < 55) {
			paddr_t pa =
				va + ST_PA_OFF + (rng() % 4 ? 0 : (1 + rng() % 511) * PAGE_SIZE);
			unsigned int flags = (unsigned int)(rng() % 3);
			bool busy = false;
			bool inject = rng() % 10 == 0;

			flags |= rng() % 2 ? PT_RO : 0;
			flags |= rng() % 2 ? PT_EXEC : 0;
			flags |= rng() % 8 ? 0 : PT_NO_BLOCK;
			for (i = 0; i < n && !busy; i++) {
				busy = sh.flags[first + i] != ST_UNMAPPED;
			}
			if (inject) {
				arena.fail_after = (long)(rng() % 4);
			}
			ret = pt_map(&pt, va, pa, size, flags);
			arena.fail_after = -1;
			if (busy) {
				assert_int_equal(ret, -HV_EEXIST);
				nr_exist++;
			} else if (inject && ret == -HV_ENOMEM) {
				nr_nomem++;
			} else {
				assert_int_equal(ret, 0);
				for (i = 0; i < n; i++) {
					sh.pa[first + i] = pa + i * PAGE_SIZE;
					sh.flags[first + i] = (u8)flags;
				}
				check_granules(&pt, va, pa, size, flags);
				nr_map++;
			}
		} else {
			assert_int_equal(pt_unmap(&pt, va, size), 0);
			memset(sh.flags + first, ST_UNMAPPED, n);
			nr_unmap++;
		}
		check_range(&pt, &sh, first, n);
		if (op % 500 == 499) {
			check_all(&pt, &sh);
		}
	}
	check_all(&pt, &sh);
	/* Every kind of outcome was exercised. */
	assert_true(nr_map > 100 && nr_exist > 100 && nr_nomem > 5 && nr_unmap > 100);
	assert_int_equal(pt_unmap(&pt, ST_BASE, ST_SIZE), 0);
	assert_int_equal(arena.live, 1);
	destroy_pt(&pt);
	free(sh.pa);
	free(sh.flags);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_leaf_encoding, test_setup),
		cmocka_unit_test_setup(test_map_pages, test_setup),
		cmocka_unit_test_setup(test_map_blocks, test_setup),
		cmocka_unit_test_setup(test_map_mixed, test_setup),
		cmocka_unit_test_setup(test_map_eexist, test_setup),
		cmocka_unit_test_setup(test_einval, test_setup),
		cmocka_unit_test_setup(test_small_va_bits, test_setup),
		cmocka_unit_test_setup(test_unmap_split, test_setup),
		cmocka_unit_test_setup(test_unmap_frees_tables, test_setup),
		cmocka_unit_test_setup(test_map_enomem_rollback, test_setup),
		cmocka_unit_test_setup(test_unmap_enomem, test_setup),
		cmocka_unit_test_setup(test_destroy, test_setup),
		cmocka_unit_test_setup(test_stress, test_setup),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
