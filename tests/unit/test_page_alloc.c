/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests of the buddy page allocator (hv/common/page_alloc.c). "Physical memory"
 * is a 64 MiB host arena aligned to 64 MiB whose host addresses serve as physical
 * addresses (the fake arch's phys_to_virt() is the identity).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <asm/mm.h>
#include <hv/bootinfo.h>
#include <hv/errno.h>
#include <hv/fake.h>
#include <hv/lib.h>
#include <hv/page_alloc.h>
#include <public/xen.h>

#define ARENA_SIZE MiB(64)
#define ARENA_FRAMES (ARENA_SIZE >> PAGE_SHIFT)

static u8 *arena;
static paddr_t A; /* "physical" address of the arena */

/* ---- The multi-bank layout used by most tests (offsets from A). ---- */

#define NR_LAYOUT_BANKS 3
#define NR_LAYOUT_RES 11

static struct mem_range lay_banks[NR_LAYOUT_BANKS];
static struct mem_range lay_res[NR_LAYOUT_RES];

static void make_layout(void)
{
	/* Bank 1 has unaligned edges: its partial first and last pages are not RAM to us. */
	lay_banks[0] = (struct mem_range){ A, A + MiB(16) };
	lay_banks[1] = (struct mem_range){ A + MiB(20) + 123, A + MiB(40) - 77 };
	lay_banks[2] = (struct mem_range){ A + MiB(48), A + MiB(64) };

	/* Starts below the arena, ends one byte into the third page: reserves [0, 12K). */
	lay_res[0] = (struct mem_range){ A - KiB(12), A + KiB(8) + 1 };
	/* Two overlapping unaligned ranges: together [1M, 1M + 12K). */
	lay_res[1] = (struct mem_range){ A + MiB(1) + 10, A + MiB(1) + 5000 };
	lay_res[2] = (struct mem_range){ A + MiB(1) + 4000, A + MiB(1) + 9000 };
	/* 100 bytes inside one page. */
	lay_res[3] = (struct mem_range){ A + MiB(15) + 100, A + MiB(15) + 200 };
	/* Across the gap between banks 0 and 1: [16M - 8K, 20M + 12K). */
	lay_res[4] = (struct mem_range){ A + MiB(16) - KiB(4) - 1, A + MiB(20) + KiB(8) + 5 };
	/* Entirely outside every bank. */
	lay_res[5] = (struct mem_range){ A + MiB(44), A + MiB(46) };
	/* Empty: reserves nothing. */
	lay_res[6] = (struct mem_range){ A + MiB(2), A + MiB(2) };
	/* Leaves a one-page run at the top of bank 2, too small for its frame table. */
	lay_res[7] = (struct mem_range){ A + MiB(64) - KiB(20) + 5, A + MiB(64) - KiB(4) - 3 };
	/* A large aligned range in bank 1, and one contained in it. */
	lay_res[8] = (struct mem_range){ A + MiB(30), A + MiB(34) };
	lay_res[9] = (struct mem_range){ A + MiB(31), A + MiB(31) + 100 };
	/* Beyond the arena. */
	lay_res[10] = (struct mem_range){ A + MiB(64) + KiB(8), A + GiB(1) };
}

/** Makes the checks below describe a single bank without reserved ranges. */
static void use_single_bank(paddr_t start, paddr_t end)
{
	memset(lay_banks, 0, sizeof(lay_banks));
	memset(lay_res, 0, sizeof(lay_res));
	lay_banks[0] = (struct mem_range){ start, end };
}

static int init_layout(void)
{
	make_layout();
	return page_alloc_init(lay_banks, NR_LAYOUT_BANKS, lay_res, NR_LAYOUT_RES);
}

/** True if the frame at pa is (partly) covered by a layout reserved range. */
static bool frame_reserved(paddr_t pa)
{
	for (unsigned int i = 0; i < NR_LAYOUT_RES; i++) {
		const struct mem_range *r = &lay_res[i];

		if (r->start < r->end && r->start < pa + PAGE_SIZE && pa < r->end) {
			return true;
		}
	}
	return false;
}

/** True if the whole frame at pa is inside a layout bank. */
static bool frame_in_bank(paddr_t pa)
{
	for (unsigned int i = 0; i < NR_LAYOUT_BANKS; i++) {
		if (pa >= lay_banks[i].start && pa + PAGE_SIZE <= lay_banks[i].end) {
			return true;
		}
	}
	return false;
}

/* ---- Helpers ---- */

struct block {
	struct page_info *pg;
	unsigned int order;
};

/* Enough for every frame of the arena as an order-0 block. */
static struct block blocks[ARENA_FRAMES];

static u64 free_pages(void)
{
	struct page_alloc_stats st;

	page_alloc_get_stats(&st);
	return st.free_pages;
}

/**
 * Takes every free block, largest order first, and gives them back. With a fully
 * coalesced allocator this yields exactly its free-block histogram.
 */
static void free_histogram(unsigned long hist[PAGE_MAX_ORDER + 1])
{
	size_t n = 0;

	for (int k = PAGE_MAX_ORDER; k >= 0; k--) {
		struct page_info *pg;

		hist[k] = 0;
		while ((pg = page_alloc((unsigned int)k, 0)) != NULL) {
			assert_true(n < ARENA_FRAMES);
			blocks[n++] = (struct block){ pg, (unsigned int)k };
			hist[k]++;
		}
	}
	assert_int_equal(free_pages(), 0);
	for (size_t i = 0; i < n; i++) {
		page_free(blocks[i].pg, blocks[i].order);
	}
}

/** Checks the block is aligned, inside a bank, never reserved and fully allocated. */
static void check_allocated_block(struct page_info *pg, unsigned int order)
{
	paddr_t pa = page_to_paddr(pg);

	assert_true(IS_ALIGNED(pa, PAGE_SIZE << order));
	assert_int_equal(pg->order, order);
	for (u64 i = 0; i < (1ULL << order); i++) {
		paddr_t f = pa + (i << PAGE_SHIFT);
		struct page_info *fp = paddr_to_page(f);

		assert_ptr_equal(fp, pg + i);
		assert_true(frame_in_bank(f));
		assert_false(frame_reserved(f));
		assert_int_equal(fp->state, PGS_ALLOCATED);
		assert_int_equal(fp->owner, PAGE_OWNER_HV);
		assert_int_equal(fp->count, 0);
	}
}

static int group_setup(void **state)
{
	(void)state;
	arena = aligned_alloc(ARENA_SIZE, ARENA_SIZE);
	if (!arena) {
		return -1;
	}
	A = (paddr_t)(uintptr_t)arena;
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	free(arena);
	return 0;
}

static int test_setup(void **state)
{
	(void)state;
	page_alloc_reset_for_test();
	fake_console_reset();
	return 0;
}

/* ---- Tests ---- */

static void test_order_for(void **state)
{
	(void)state;
	assert_int_equal(page_order_for(0), 0);
	assert_int_equal(page_order_for(1), 0);
	assert_int_equal(page_order_for(PAGE_SIZE), 0);
	assert_int_equal(page_order_for(PAGE_SIZE + 1), 1);
	assert_int_equal(page_order_for(2 * PAGE_SIZE), 1);
	assert_int_equal(page_order_for(2 * PAGE_SIZE + 1), 2);
	assert_int_equal(page_order_for(MiB(2)), 9);
	assert_int_equal(page_order_for(GiB(1)), PAGE_MAX_ORDER);
	assert_int_equal(page_order_for(GiB(1) + 1), PAGE_MAX_ORDER + 1);
	assert_int_equal(page_order_for(~0ULL), 52);
}

static void test_init_bad_input(void **state)
{
	struct mem_range many[BOOT_MAX_MEM_BANKS + 1];
	struct mem_range b[3];

	(void)state;
	/* No banks, too many banks, NULL arrays. */
	assert_int_equal(page_alloc_init(NULL, 0, NULL, 0), -HV_EINVAL);
	b[0] = (struct mem_range){ A, A + MiB(8) };
	assert_int_equal(page_alloc_init(b, 0, NULL, 0), -HV_EINVAL);
	assert_int_equal(page_alloc_init(NULL, 1, NULL, 0), -HV_EINVAL);
	assert_int_equal(page_alloc_init(b, 1, NULL, 1), -HV_EINVAL);
	for (unsigned int i = 0; i < ARRAY_SIZE(many); i++) {
		many[i] = (struct mem_range){ A + i * MiB(2), A + (i + 1) * MiB(2) };
	}
	assert_int_equal(page_alloc_init(many, ARRAY_SIZE(many), NULL, 0), -HV_EINVAL);

	/* Empty and inverted banks. */
	b[0] = (struct mem_range){ A, A };
	assert_int_equal(page_alloc_init(b, 1, NULL, 0), -HV_EINVAL);
	b[0] = (struct mem_range){ A, A + MiB(8) };
	b[1] = (struct mem_range){ A + MiB(10), A + MiB(9) };
	assert_int_equal(page_alloc_init(b, 2, NULL, 0), -HV_EINVAL);

	/* Overlaps, in any order: partial, containment, identical. */
	b[0] = (struct mem_range){ A + MiB(32), A + MiB(48) };
	b[1] = (struct mem_range){ A, A + MiB(16) };
	b[2] = (struct mem_range){ A + MiB(8), A + MiB(32) + 1 };
	assert_int_equal(page_alloc_init(b, 3, NULL, 0), -HV_EINVAL);
	b[2] = (struct mem_range){ A + MiB(1), A + MiB(2) };
	assert_int_equal(page_alloc_init(b, 3, NULL, 0), -HV_EINVAL);
	b[2] = b[0];
	assert_int_equal(page_alloc_init(b, 3, NULL, 0), -HV_EINVAL);

	/* Nothing was set up by the failures. */
	assert_null(page_alloc(0, 0));
	assert_null(paddr_to_page(A));
	assert_int_equal(free_pages(), 0);

	/* Sixteen adjacent banks are fine (adjacent is not overlapping). */
	assert_int_equal(page_alloc_init(many, BOOT_MAX_MEM_BANKS, NULL, 0), 0);
	assert_int_equal(free_pages(), BOOT_MAX_MEM_BANKS * (512 - 2));
	/* A second init is refused. */
	assert_int_equal(page_alloc_init(many, 1, NULL, 0), -HV_EBUSY);
}

static void test_init_no_usable_bank(void **state)
{
	static struct mem_range holes[512];
	struct mem_range b[3], r[2];
	struct page_alloc_stats st;

	(void)state;
	/* No whole page in the bank. */
	b[0] = (struct mem_range){ A + 100, A + PAGE_SIZE + 4000 };
	assert_int_equal(page_alloc_init(b, 1, NULL, 0), -HV_ENOMEM);
	/* Fully reserved bank. */
	b[0] = (struct mem_range){ A, A + MiB(4) };
	r[0] = (struct mem_range){ A - 1, A + MiB(4) + 1 };
	assert_int_equal(page_alloc_init(b, 1, r, 1), -HV_ENOMEM);
	/* Free runs (3 pages) all shorter than the frame table (8 pages): 1 byte every 16K. */
	b[0] = (struct mem_range){ A, A + MiB(8) };
	for (unsigned int i = 0; i < ARRAY_SIZE(holes); i++) {
		holes[i] = (struct mem_range){ A + i * KiB(16) + 77, A + i * KiB(16) + 78 };
	}
	assert_int_equal(page_alloc_init(b, 1, holes, ARRAY_SIZE(holes)), -HV_ENOMEM);
	/* One hole fewer: the last run is 7 pages, still too short. */
	holes[ARRAY_SIZE(holes) - 1].end = holes[ARRAY_SIZE(holes) - 1].start;
	assert_int_equal(page_alloc_init(b, 1, holes, ARRAY_SIZE(holes)), -HV_ENOMEM);
	/* Two fewer: an 11-page run at the top, which then holds the table. */
	holes[ARRAY_SIZE(holes) - 2].end = holes[ARRAY_SIZE(holes) - 2].start;
	assert_int_equal(page_alloc_init(b, 1, holes, ARRAY_SIZE(holes)), 0);
	assert_int_equal(paddr_to_page(A + MiB(8) - KiB(4))->owner, PAGE_OWNER_HV);
	assert_int_equal(paddr_to_page(A + MiB(8) - KiB(32))->owner, PAGE_OWNER_HV);
	assert_int_equal(paddr_to_page(A + MiB(8) - KiB(36))->state, PGS_FREE);
	assert_int_equal(free_pages(), 509 * 3 + 3);
	page_alloc_reset_for_test();
	/* A single-page bank: the frame table would take it all. */
	b[0] = (struct mem_range){ A, A + PAGE_SIZE };
	assert_int_equal(page_alloc_init(b, 1, NULL, 0), -HV_ENOMEM);
	page_alloc_get_stats(&st);
	assert_int_equal(st.total_pages, 0);
	assert_null(page_alloc(0, 0));

	/* Unusable banks next to a usable one are skipped with a warning. */
	fake_console_reset();
	b[0] = (struct mem_range){ A + 100, A + 200 };
	b[1] = (struct mem_range){ A + MiB(8), A + MiB(16) };
	b[2] = (struct mem_range){ A + MiB(32), A + MiB(33) };
	r[0] = (struct mem_range){ A + MiB(32), A + MiB(33) };
	assert_int_equal(page_alloc_init(b, 3, r, 1), 0);
	assert_non_null(strstr(fake_console, "bank 0"));
	assert_non_null(strstr(fake_console, "bank 2"));
	assert_null(strstr(fake_console, "bank 1 "));
	assert_null(paddr_to_page(A + MiB(32)));
	assert_non_null(paddr_to_page(A + MiB(8)));
	page_alloc_get_stats(&st);
	assert_int_equal(st.total_pages, 2048 + 256);
	assert_int_equal(st.frame_table_pages, 8);
	assert_int_equal(st.managed_pages, 2048 - 8);
	assert_int_equal(st.free_pages, 2048 - 8);
}

static void test_init_layout(void **state)
{
	static const struct {
		u64 bank_off, ft_off, ft_pages;
	} ft_expect[NR_LAYOUT_BANKS] = {
		/* Highest run [15M + 4K, 16M - 8K): the table sits at its top. */
		{ 0, MiB(16) - KiB(8) - KiB(64), 16 },
		/* 5118 frames: 20 pages, at the top of [34M, 40M - 4K). */
		{ MiB(20) + KiB(4), MiB(40) - KiB(4) - KiB(80), 20 },
		/* The top run [64M - 4K, 64M) is too small: the run below it is used. */
		{ MiB(48), MiB(64) - KiB(20) - KiB(64), 16 },
	};
	struct page_alloc_stats st;
	u64 exp_total = 0, exp_avail = 0, nr_hv = 0, nr_free = 0;

	(void)state;
	assert_int_equal(init_layout(), 0);
	assert_non_null(strstr(fake_console, "page_alloc:"));
	assert_non_null(strstr(fake_console, "MiB"));
	page_alloc_get_stats(&st);

	for (u64 f = 0; f < ARENA_FRAMES; f++) {
		paddr_t pa = A + (f << PAGE_SHIFT);
		struct page_info *pg = paddr_to_page(pa);

		if (!frame_in_bank(pa)) {
			assert_null(pg);
			continue;
		}
		assert_non_null(pg);
		assert_int_equal(page_to_paddr(pg), pa);
		assert_int_equal(mfn_x(page_to_mfn(pg)), pa >> PAGE_SHIFT);
		assert_ptr_equal(mfn_to_page(paddr_to_mfn(pa)), pg);
		/* Any address inside the frame finds it. */
		assert_ptr_equal(paddr_to_page(pa + PAGE_SIZE - 1), pg);
		exp_total++;
		if (frame_reserved(pa)) {
			assert_int_equal(pg->state, PGS_RESERVED);
			assert_int_equal(pg->owner, PAGE_OWNER_NONE);
			continue;
		}
		exp_avail++;
		if (pg->state == PGS_RESERVED) {
			assert_int_equal(pg->owner, PAGE_OWNER_HV);
			nr_hv++;
		} else {
			assert_int_equal(pg->state, PGS_FREE);
			assert_int_equal(pg->owner, PAGE_OWNER_NONE);
			nr_free++;
		}
	}
	/* The empty reserved range reserved nothing. */
	assert_int_equal(paddr_to_page(A + MiB(2))->state, PGS_FREE);
	/* Partial pages of bank 1 are not managed; the gap has no frames. */
	assert_null(paddr_to_page(A + MiB(20)));
	assert_non_null(paddr_to_page(A + MiB(20) + KiB(4)));
	assert_null(paddr_to_page(A + MiB(40) - KiB(4)));
	assert_null(paddr_to_page(A + MiB(18)));

	/* Each frame table where expected, holding the entries of its own bank. */
	for (unsigned int i = 0; i < NR_LAYOUT_BANKS; i++) {
		paddr_t ft = A + ft_expect[i].ft_off;
		struct page_info *first = paddr_to_page(A + ft_expect[i].bank_off);

		assert_ptr_equal(phys_to_virt(ft), first);
		for (u64 p = 0; p < ft_expect[i].ft_pages; p++) {
			struct page_info *pg = paddr_to_page(ft + (p << PAGE_SHIFT));

			assert_int_equal(pg->state, PGS_RESERVED);
			assert_int_equal(pg->owner, PAGE_OWNER_HV);
		}
		/* The frame above the table is not part of it. */
		if (i != 1) {
			assert_int_not_equal(
				paddr_to_page(ft + (ft_expect[i].ft_pages << PAGE_SHIFT))->owner,
				PAGE_OWNER_HV);
		}
	}

	assert_int_equal(st.total_pages, exp_total);
	assert_int_equal(st.total_pages, 4096 + 5118 + 4096);
	assert_int_equal(st.frame_table_pages, 16 + 20 + 16);
	assert_int_equal(nr_hv, st.frame_table_pages);
	assert_int_equal(st.managed_pages, exp_avail - st.frame_table_pages);
	assert_int_equal(st.managed_pages, nr_free);
	assert_int_equal(st.free_pages, st.managed_pages);
}

static void test_exhaust_never_hands_out_reserved(void **state)
{
	struct page_alloc_stats st;
	unsigned long h0[PAGE_MAX_ORDER + 1], h1[PAGE_MAX_ORDER + 1];
	size_t n = 0;
	struct page_info *pg;

	(void)state;
	assert_int_equal(init_layout(), 0);
	page_alloc_get_stats(&st);
	free_histogram(h0);
	assert_int_equal(free_pages(), st.managed_pages);

	/* Every order-0 page: in a bank, not reserved, distinct, scribbled over. */
	while ((pg = page_alloc(0, 0)) != NULL) {
		check_allocated_block(pg, 0);
		memset(phys_to_virt(page_to_paddr(pg)), 0xA5, PAGE_SIZE);
		blocks[n++] = (struct block){ pg, 0 };
	}
	assert_int_equal(n, st.managed_pages);
	assert_int_equal(free_pages(), 0);
	assert_null(page_alloc(0, 0));
	/* Scribbling over everything handed out left the frame tables intact. */
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(blocks[i].pg->state, PGS_ALLOCATED);
	}
	/* Even blocks upwards, then odd ones downwards: merges happen late and mixed. */
	for (size_t i = 0; i < n; i += 2) {
		page_free(blocks[i].pg, 0);
	}
	for (size_t i = n; i-- > 0;) {
		if (i & 1) {
			page_free(blocks[i].pg, 0);
		}
	}
	assert_int_equal(free_pages(), st.managed_pages);
	free_histogram(h1);
	assert_memory_equal(h0, h1, sizeof(h0));
}

static void test_alloc_every_order(void **state)
{
	struct mem_range bank = { A, A + MiB(64) };
	u64 before = 0;

	(void)state;
	use_single_bank(bank.start, bank.end);
	assert_int_equal(page_alloc_init(&bank, 1, NULL, 0), 0);
	before = free_pages();
	/* The frame table takes the top 64 pages: the lower 32 MiB is one order-13 block. */
	for (unsigned int k = 0; k <= 13; k++) {
		struct page_info *pg = page_alloc(k, 0);
		void *va;

		assert_non_null(pg);
		check_allocated_block(pg, k);
		assert_int_equal(free_pages(), before - (1ULL << k));
		page_free(pg, k);
		assert_int_equal(free_pages(), before);

		va = page_alloc_va(k, 0);
		assert_non_null(va);
		assert_true(IS_ALIGNED((uintptr_t)va, PAGE_SIZE << k));
		assert_int_equal(paddr_to_page(virt_to_phys(va))->order, k);
		page_free_va(va, k);
		assert_int_equal(free_pages(), before);
	}
	assert_null(page_alloc(14, 0));
	assert_null(page_alloc(PAGE_MAX_ORDER, 0));
	assert_null(page_alloc(PAGE_MAX_ORDER + 1, 0));
	assert_null(page_alloc(~0u, 0));
	assert_int_equal(free_pages(), before);
	/* NULL is ignored. */
	page_free(NULL, 0);
	page_free_va(NULL, 3);
}

static void test_exhaust_mixed_orders_and_coalesce(void **state)
{
	static const unsigned int pattern[] = { 0, 3, 1, 5, 0, 2, 7, 1, 4, 0, 9, 6 };
	struct mem_range bank = { A + MiB(32), A + MiB(64) };
	unsigned long h0[PAGE_MAX_ORDER + 1], h1[PAGE_MAX_ORDER + 1];
	u64 managed, used = 0;
	size_t n = 0;

	(void)state;
	use_single_bank(bank.start, bank.end);
	assert_int_equal(page_alloc_init(&bank, 1, NULL, 0), 0);
	managed = free_pages();
	assert_int_equal(managed, 8192 - 32);
	free_histogram(h0);
	/* The lower half is one order-12 block; the rest is split around the table. */
	assert_int_equal(h0[12], 1);
	for (unsigned int k = 13; k <= PAGE_MAX_ORDER; k++) {
		assert_int_equal(h0[k], 0);
	}

	for (size_t i = 0;; i++) {
		unsigned int k = pattern[i % ARRAY_SIZE(pattern)];
		struct page_info *pg = page_alloc(k, 0);

		while (!pg && k > 0) {
			pg = page_alloc(--k, 0);
		}
		if (!pg) {
			break;
		}
		check_allocated_block(pg, k);
		blocks[n++] = (struct block){ pg, k };
		used += 1ULL << k;
	}
	assert_int_equal(used, managed);
	assert_int_equal(free_pages(), 0);

	/* Free in a scrambled order (stride coprime with most n). */
	for (size_t i = 0, j = 0; i < n; i++, j = (j + 7919) % n) {
		page_free(blocks[j].pg, blocks[j].order);
		blocks[j].pg = NULL;
	}
	for (size_t i = 0; i < n; i++) {
		if (blocks[i].pg) {
			page_free(blocks[i].pg, blocks[i].order);
		}
	}
	assert_int_equal(free_pages(), managed);
	free_histogram(h1);
	assert_memory_equal(h0, h1, sizeof(h0));
	assert_non_null(page_alloc(12, 0));
}

static u64 rng_state;

static u64 rng(void)
{
	/* xorshift64 */
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static void test_random_stress(void **state)
{
	static u32 shadow[ARENA_FRAMES]; /* 1 + index of the live block holding the frame */
	unsigned long h0[PAGE_MAX_ORDER + 1], h1[PAGE_MAX_ORDER + 1];
	struct page_alloc_stats st;
	size_t nr_live = 0;
	u64 live_pages = 0, nr_fail = 0;

	(void)state;
	memset(shadow, 0, sizeof(shadow));
	assert_int_equal(init_layout(), 0);
	page_alloc_get_stats(&st);
	free_histogram(h0);
	rng_state = 0x9E3779B97F4A7C15ULL;

	for (unsigned int op = 0; op < 60000; op++) {
		bool do_alloc = nr_live == 0 || (rng() % 100) < 55;

		if (do_alloc && nr_live < ARENA_FRAMES) {
			u64 r = rng() % 100;
			unsigned int k = r < 50	  ? 0
					 : r < 75 ? 1
					 : r < 90 ? (unsigned int)(2 + rng() % 3)
						  : (unsigned int)(5 + rng() % 6);
			struct page_info *pg = page_alloc(k, (rng() & 7) == 0 ? PA_ZERO : 0);
			paddr_t pa;

			if (!pg) {
				nr_fail++;
				continue;
			}
			pa = page_to_paddr(pg);
			assert_true(IS_ALIGNED(pa, PAGE_SIZE << k));
			assert_int_equal(pg->state, PGS_ALLOCATED);
			for (u64 i = 0; i < (1ULL << k); i++) {
				paddr_t f = pa + (i << PAGE_SHIFT);
				u64 fi = (f - A) >> PAGE_SHIFT;

				assert_true(frame_in_bank(f));
				assert_false(frame_reserved(f));
				assert_int_equal(shadow[fi], 0);
				shadow[fi] = (u32)(nr_live + 1);
				/* A tag the allocator must not disturb while the block is live. */
				*(u64 *)phys_to_virt(f) = f ^ 0x5A5A5A5A5A5A5A5AULL;
			}
			blocks[nr_live++] = (struct block){ pg, k };
			live_pages += 1ULL << k;
		} else {
			size_t v = (size_t)(rng() % nr_live);
			struct block b = blocks[v];
			paddr_t pa = page_to_paddr(b.pg);

			for (u64 i = 0; i < (1ULL << b.order); i++) {
				paddr_t f = pa + (i << PAGE_SHIFT);
				u64 fi = (f - A) >> PAGE_SHIFT;

				assert_int_equal(shadow[fi], v + 1);
				assert_int_equal(*(u64 *)phys_to_virt(f),
						 f ^ 0x5A5A5A5A5A5A5A5AULL);
				shadow[fi] = 0;
			}
			page_free(b.pg, b.order);
			live_pages -= 1ULL << b.order;
			/* Move the last live block into the hole, renumbering its frames. */
			nr_live--;
			if (v != nr_live) {
				struct block m = blocks[nr_live];
				paddr_t mpa = page_to_paddr(m.pg);

				blocks[v] = m;
				for (u64 i = 0; i < (1ULL << m.order); i++) {
					shadow[((mpa - A) >> PAGE_SHIFT) + i] = (u32)(v + 1);
				}
			}
		}
		assert_int_equal(free_pages(), st.managed_pages - live_pages);
	}
	/* The run was long enough to exhaust memory now and then. */
	assert_true(nr_fail > 0);
	while (nr_live > 0) {
		nr_live--;
		page_free(blocks[nr_live].pg, blocks[nr_live].order);
	}
	assert_int_equal(free_pages(), st.managed_pages);
	free_histogram(h1);
	assert_memory_equal(h0, h1, sizeof(h0));
}

static void test_pa_zero(void **state)
{
	size_t n = 0;
	struct page_info *pg;

	(void)state;
	assert_int_equal(init_layout(), 0);
	while ((pg = page_alloc(2, 0)) != NULL) {
		memset(phys_to_virt(page_to_paddr(pg)), 0xFF, PAGE_SIZE << 2);
		blocks[n++] = (struct block){ pg, 2 };
	}
	while ((pg = page_alloc(0, 0)) != NULL) {
		memset(phys_to_virt(page_to_paddr(pg)), 0xFF, PAGE_SIZE);
		blocks[n++] = (struct block){ pg, 0 };
	}
	for (size_t i = 0; i < n; i++) {
		page_free(blocks[i].pg, blocks[i].order);
	}
	/*
	 * Every page is now dirty: PA_ZERO must zero each one it hands out, and clean the
	 * zeroes to the point of coherency (a guest reading with its caches off must not
	 * see the previous owner's data), exactly the block, once.
	 */
	n = 0;
	fake_arch_reset();
	while ((pg = page_alloc(1, PA_ZERO)) != NULL) {
		const u8 *p = phys_to_virt(page_to_paddr(pg));

		for (size_t i = 0; i < 2 * PAGE_SIZE; i++) {
			assert_int_equal(p[i], 0);
		}
		assert_ptr_equal(fake_arch.last_cleaned, p);
		assert_int_equal(fake_arch.cleaned_bytes, (u64)(n + 1) * 2 * PAGE_SIZE);
		blocks[n++] = (struct block){ pg, 1 };
	}
	assert_true(n > 1000);
	for (size_t i = 0; i < n; i++) {
		page_free(blocks[i].pg, blocks[i].order);
	}
}

static void test_split_and_free_owned(void **state)
{
	struct page_alloc_stats before, after;
	struct page_info *pg, *hv;

	(void)state;
	assert_int_equal(init_layout(), 0);
	page_alloc_get_stats(&before);
	pg = page_alloc(4, 0);
	hv = page_alloc(0, 0); /* someone else's page: must survive */
	assert_non_null(pg);
	assert_non_null(hv);
	page_split(pg, 4);
	for (unsigned int i = 0; i < 16; i++) {
		pg[i].owner = 5;
	}
	pg[7].count = PAGE_COUNT_HV; /* a hypervisor page of that owner: skipped */
	/* Single pages now free on their own... */
	pg[3].owner = PAGE_OWNER_HV;
	page_free(&pg[3], 0);
	pg[15].owner = PAGE_OWNER_HV;
	page_free(&pg[15], 0);
	/* ...and the owner's remaining ones go in one sweep. */
	assert_int_equal(page_free_owned(5), 13);
	assert_int_equal(page_free_owned(5), 0);
	pg[7].count = 0;
	pg[7].owner = PAGE_OWNER_HV;
	page_free(&pg[7], 0);
	page_free(hv, 0);
	page_alloc_get_stats(&after);
	assert_int_equal(after.free_pages, before.free_pages);
	/* Everything merged back: the same order-4 block is available again. */
	assert_ptr_equal(page_alloc(4, 0), pg);
	/* Freeing a split page at the old order is a bug. */
	page_split(pg, 4);
	expect_assert_failure(page_free(pg, 4));
}

/* References from other domains' mappings keep a frame past its owner's end. */
static void test_refs_and_orphans(void **state)
{
	struct page_alloc_stats before, after;
	struct page_info *pg;

	(void)state;
	assert_int_equal(init_layout(), 0);
	page_alloc_get_stats(&before);
	pg = page_alloc(2, 0);
	assert_non_null(pg);
	assert_false(page_get_ref(pg, PAGE_OWNER_HV)); /* not split: a block, refused */
	page_split(pg, 2);
	for (unsigned int i = 0; i < 4; i++) {
		pg[i].owner = 9;
	}
	assert_false(page_get_ref(&pg[0], 8)); /* wrong owner */
	assert_true(page_get_ref(&pg[0], 9));
	assert_true(page_get_ref(&pg[0], 9));
	assert_true(page_get_ref(&pg[1], 9));
	pg[2].count = PAGE_COUNT_HV;
	assert_false(page_get_ref(&pg[2], 9)); /* hypervisor page: never mapped elsewhere */
	pg[2].count = 0;
	page_put_ref(&pg[1]); /* owner alive: stays its page */
	assert_int_equal(pg[1].owner, 9);
	assert_int_equal(pg[1].state, PGS_ALLOCATED);
	/* The owner ends: 3 frames freed, frame 0 (2 refs) orphaned. */
	assert_int_equal(page_free_owned(9), 3);
	assert_int_equal(pg[0].owner, PAGE_OWNER_ORPHAN);
	assert_false(page_get_ref(&pg[0], 9));
	page_put_ref(&pg[0]);
	assert_int_equal(pg[0].state, PGS_ALLOCATED);
	page_put_ref(&pg[0]); /* the last reference frees it */
	assert_int_equal(pg[0].state, PGS_FREE);
	page_alloc_get_stats(&after);
	assert_int_equal(after.free_pages, before.free_pages);
	expect_assert_failure(page_put_ref(&pg[0]));
}

/* Frames of no live domain (physinfo stray_pages): dead owners and orphans only. */
static void test_stray_count(void **state)
{
	static u64 live[(DOMID_FIRST_RESERVED + 63) / 64];
	struct page_info *pg, *hv;

	(void)state;
	assert_int_equal(init_layout(), 0);
	memset(live, 0, sizeof(live));
	assert_int_equal(page_count_stray(live), 0); /* nothing allocated yet */
	pg = page_alloc(3, 0);
	hv = page_alloc(2, 0); /* the hypervisor's own block */
	assert_non_null(pg);
	assert_non_null(hv);
	page_split(pg, 3);
	pg[0].owner = 3;			/* live */
	pg[1].owner = 5;			/* dead */
	pg[2].owner = PAGE_OWNER_ORPHAN;	/* dead owner, still mapped elsewhere */
	pg[3].owner = PAGE_OWNER_HV;		/* never stray */
	pg[4].owner = 700;			/* live, in another word of the bitmap */
	pg[5].owner = DOMID_FIRST_RESERVED - 1; /* dead: the last bit of the bitmap */
	pg[6].owner = 64;			/* dead: first bit of the second word */
	pg[7].owner = PAGE_OWNER_HV;		/* freed below: free frames never count */
	page_free(&pg[7], 0);
	live[3 / 64] |= 1ull << (3 % 64);
	live[700 / 64] |= 1ull << (700 % 64);
	assert_int_equal(page_count_stray(live), 4);
	/* Domain 5 alive after all (and 64's neighbour 65, which owns nothing). */
	live[0] |= 1ull << 5;
	live[1] |= 1ull << 1;
	assert_int_equal(page_count_stray(live), 3);
	/* Every ID alive: only the orphan is left. */
	memset(live, 0xff, sizeof(live));
	assert_int_equal(page_count_stray(live), 1);
	/* The orphan's last reference goes: nothing stray. */
	pg[2].owner = PAGE_OWNER_HV;
	page_free(&pg[2], 0);
	assert_int_equal(page_count_stray(live), 0);
	for (unsigned int i = 0; i < 7; i++) {
		if (i != 2) {
			pg[i].owner = PAGE_OWNER_HV;
			page_free(&pg[i], 0);
		}
	}
	page_free(hv, 2);
}

/* A direct-mapped domain takes back the exact frame it gave up. */
static void test_alloc_at(void **state)
{
	struct page_alloc_stats before, after;
	struct page_info *pg, *again;
	mfn_t mfn;

	(void)state;
	assert_int_equal(init_layout(), 0);
	page_alloc_get_stats(&before);
	pg = page_alloc(5, 0);
	assert_non_null(pg);
	mfn = page_to_mfn(&pg[13]);
	assert_null(page_alloc_at(mfn)); /* allocated */
	page_free(pg, 5);
	again = page_alloc_at(mfn);
	assert_ptr_equal(again, &pg[13]);
	check_allocated_block(again, 0);
	assert_null(page_alloc_at(mfn)); /* now taken */
	page_alloc_get_stats(&after);
	assert_int_equal(after.free_pages, before.free_pages - 1);
	/* Every other frame of the old block is still allocatable, one by one. */
	for (unsigned int i = 0; i < 32; i++) {
		if (i != 13) {
			assert_ptr_equal(page_alloc_at(page_to_mfn(&pg[i])), &pg[i]);
		}
	}
	for (unsigned int i = 0; i < 32; i++) {
		page_free(&pg[i], 0);
	}
	page_alloc_get_stats(&after);
	assert_int_equal(after.free_pages, before.free_pages);
	/* Merged back into one block. */
	assert_ptr_equal(page_alloc(5, 0), pg);
	/* Not RAM at all. */
	assert_null(page_alloc_at(_mfn(1)));
}

static void test_bad_free_is_a_bug(void **state)
{
	struct page_info *pg, *pg2, *big;
	u64 before;

	(void)state;
	assert_int_equal(init_layout(), 0);
	before = free_pages();

	/* Double free of a page whose buddy is allocated (it stays a free order-0 head). */
	pg = page_alloc(0, 0);
	pg2 = page_alloc(0, 0);
	page_free(pg, 0);
	expect_assert_failure(page_free(pg, 0));
	/* Double free of a page that merged into a larger free block (now a free tail). */
	page_free(pg2, 0);
	expect_assert_failure(page_free(pg2, 0));
	expect_assert_failure(page_free(pg, 0));
	assert_int_equal(free_pages(), before);

	/* Wrong order, either way, and freeing a frame inside the block. */
	big = page_alloc(3, 0);
	expect_assert_failure(page_free(big, 2));
	expect_assert_failure(page_free(big, 4));
	expect_assert_failure(page_free(big, PAGE_MAX_ORDER + 1));
	expect_assert_failure(page_free(big + 1, 0));
	expect_assert_failure(page_free(big + 4, 2));
	expect_assert_failure(page_free_va(phys_to_virt(page_to_paddr(big + 2)), 0));
	/* The failed frees changed nothing: the right free still works. */
	check_allocated_block(big, 3);
	assert_int_equal(free_pages(), before - 8);
	page_free(big, 3);
	assert_int_equal(free_pages(), before);

	/* Reserved frames: a reserved range, a frame table, outside any bank. */
	expect_assert_failure(page_free(paddr_to_page(A + MiB(1) + KiB(4)), 0));
	expect_assert_failure(page_free(paddr_to_page(A + MiB(16) - KiB(16)), 0));
	expect_assert_failure(page_free_va(phys_to_virt(A + MiB(18)), 0));
	expect_assert_failure(page_free_va(phys_to_virt(A + MiB(1)), 0));
	assert_int_equal(free_pages(), before);

	/* The lock was released on each BUG: the allocator still works. */
	pg = page_alloc(5, 0);
	assert_non_null(pg);
	page_free(pg, 5);
	assert_int_equal(free_pages(), before);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_order_for, test_setup),
		cmocka_unit_test_setup(test_init_bad_input, test_setup),
		cmocka_unit_test_setup(test_init_no_usable_bank, test_setup),
		cmocka_unit_test_setup(test_init_layout, test_setup),
		cmocka_unit_test_setup(test_exhaust_never_hands_out_reserved, test_setup),
		cmocka_unit_test_setup(test_alloc_every_order, test_setup),
		cmocka_unit_test_setup(test_exhaust_mixed_orders_and_coalesce, test_setup),
		cmocka_unit_test_setup(test_random_stress, test_setup),
		cmocka_unit_test_setup(test_pa_zero, test_setup),
		cmocka_unit_test_setup(test_bad_free_is_a_bug, test_setup),
		cmocka_unit_test_setup(test_split_and_free_owned, test_setup),
		cmocka_unit_test_setup(test_refs_and_orphans, test_setup),
		cmocka_unit_test_setup(test_alloc_at, test_setup),
		cmocka_unit_test_setup(test_stray_count, test_setup),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
