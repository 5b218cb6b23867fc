/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests of the hypervisor heap (hv/common/heap.c) over the real page allocator,
 * which manages a 16 MiB host arena (host addresses serve as physical addresses).
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
#include <hv/heap.h>
#include <hv/lib.h>
#include <hv/page_alloc.h>

#define ARENA_SIZE MiB(16)

static u8 *arena;
static u64 baseline_free; /* free pages right after page_alloc_init() */

static u64 free_pages(void)
{
	struct page_alloc_stats st;

	page_alloc_get_stats(&st);
	return st.free_pages;
}

static struct heap_stats stats(void)
{
	struct heap_stats st;

	heap_get_stats(&st);
	return st;
}

/** Checks the heap holds nothing and every page went back to the page allocator. */
static void check_heap_empty(void)
{
	struct heap_stats st = stats();

	assert_int_equal(st.bytes_in_use, 0);
	assert_int_equal(st.nr_allocs, 0);
	assert_int_equal(st.pages_in_use, 0);
	assert_int_equal(free_pages(), baseline_free);
}

static int group_setup(void **state)
{
	(void)state;
	arena = aligned_alloc(ARENA_SIZE, ARENA_SIZE);
	return arena ? 0 : -1;
}

static int group_teardown(void **state)
{
	(void)state;
	free(arena);
	return 0;
}

static int test_setup(void **state)
{
	struct mem_range bank = { (paddr_t)(uintptr_t)arena,
				  (paddr_t)(uintptr_t)arena + ARENA_SIZE };

	(void)state;
	page_alloc_reset_for_test();
	heap_reset_for_test();
	if (page_alloc_init(&bank, 1, NULL, 0) != 0) {
		return -1;
	}
	baseline_free = free_pages();
	return 0;
}

static void test_every_size_class(void **state)
{
	static const size_t sizes[] = { 0,   1,	  8,   15,   16,   17,	 31,   32,  33,
					63,  64,  65,  127,  128,  129,	 255,  256, 257,
					511, 512, 513, 1023, 1024, 1025, 2047, 2048 };

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		size_t sz = sizes[i];
		u8 *a = xmalloc(sz);
		u8 *b = xmalloc(sz);
		struct heap_stats st = stats();

		assert_non_null(a);
		assert_non_null(b);
		assert_ptr_not_equal(a, b);
		assert_true(IS_ALIGNED((uintptr_t)a, 16));
		assert_true(IS_ALIGNED((uintptr_t)b, 16));
		/* Two objects of a class share one slab page, except for 2048 bytes. */
		assert_int_equal(st.pages_in_use, sz > 1024 ? 2 : 1);
		assert_int_equal(st.nr_allocs, 2);
		assert_int_equal(st.bytes_in_use, 2 * sz);
		assert_int_equal(free_pages(), baseline_free - st.pages_in_use);
		/* The objects are at least as big as asked and do not overlap. */
		memset(a, 0x11, sz);
		memset(b, 0x22, sz);
		for (size_t j = 0; j < sz; j++) {
			assert_int_equal(a[j], 0x11);
		}
		/* Neither lies within the other's class-sized slot. */
		if (sz > 0) {
			size_t cls = 16;

			while (cls < sz) {
				cls *= 2;
			}
			assert_true(a + cls <= b || b + cls <= a);
		}
		xfree(a);
		assert_int_equal(stats().bytes_in_use, sz);
		xfree(b);
		check_heap_empty();
	}
}

static void test_large_allocations(void **state)
{
	static const size_t sizes[] = { 2049,	      4096 - 16, 4096 - 15, 5000,
					KiB(64) - 16, KiB(64),	 MiB(1),    MiB(3) + 1 };

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		size_t sz = sizes[i];
		unsigned int order = page_order_for(sz + 16);
		u8 *p = xmalloc(sz);
		struct heap_stats st = stats();

		assert_non_null(p);
		assert_true(IS_ALIGNED((uintptr_t)p, 16));
		/* The header is the only overhead: the payload starts 16 bytes into a block. */
		assert_true(IS_ALIGNED((uintptr_t)(p - 16), PAGE_SIZE << order));
		assert_int_equal(st.pages_in_use, 1ULL << order);
		assert_int_equal(st.bytes_in_use, sz);
		assert_int_equal(st.nr_allocs, 1);
		assert_int_equal(free_pages(), baseline_free - (1ULL << order));
		memset(p, 0xC3, sz);
		xfree(p);
		check_heap_empty();
	}
	assert_int_equal(page_order_for(4096 - 16 + 16), 0);
	assert_int_equal(page_order_for(4096 - 15 + 16), 1);

	/* Too big for the arena, for the largest order, for the address space. */
	assert_null(xmalloc(MiB(16)));
	assert_null(xmalloc(GiB(1)));
	assert_null(xmalloc(GiB(1) - 16));
	assert_null(xmalloc(GiB(4)));
	assert_null(xmalloc(SIZE_MAX));
	assert_null(xmalloc(SIZE_MAX - 8));
	assert_null(xzalloc(SIZE_MAX - 15));
	check_heap_empty();
}

static void test_zeroing(void **state)
{
	static const size_t sizes[] = { 24, 200, 2048, 3000, 20000 };
	u8 *p, *q;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		size_t sz = sizes[i];

		/* Dirty the memory the next allocation of this size will most likely get. */
		p = xmalloc(sz);
		memset(p, 0xEE, sz);
		xfree(p);
		q = xzalloc(sz);
		assert_non_null(q);
		for (size_t j = 0; j < sz; j++) {
			assert_int_equal(q[j], 0);
		}
		xfree(q);
	}

	p = xzalloc_array(10, 24);
	assert_non_null(p);
	for (size_t j = 0; j < 240; j++) {
		assert_int_equal(p[j], 0);
	}
	assert_int_equal(stats().bytes_in_use, 240);
	xfree(p);

	/* Overflowing products fail cleanly. */
	assert_null(xzalloc_array(SIZE_MAX / 2 + 1, 2));
	assert_null(xzalloc_array(2, SIZE_MAX / 2 + 1));
	assert_null(xzalloc_array(SIZE_MAX, SIZE_MAX));
	assert_null(xzalloc_array((size_t)1 << 33, (size_t)1 << 31));
	assert_null(xzalloc_array(SIZE_MAX / 16 + 1, 16));
	/* Not an overflow, just too big. */
	assert_null(xzalloc_array(SIZE_MAX / 16, 16));
	/* Empty arrays are valid, distinct allocations. */
	p = xzalloc_array(0, 8);
	q = xzalloc_array(8, 0);
	assert_non_null(p);
	assert_non_null(q);
	assert_ptr_not_equal(p, q);
	xfree(p);
	xfree(q);
	check_heap_empty();
}

static void test_empty_slabs_returned(void **state)
{
	static void *objs[1000];
	u64 pages;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(objs); i++) {
		objs[i] = xmalloc(64);
		assert_non_null(objs[i]);
	}
	pages = stats().pages_in_use;
	/* 1000 64-byte objects need more than 15 pages, and not much more. */
	assert_true(pages >= 16 && pages <= 18);
	assert_int_equal(free_pages(), baseline_free - pages);

	/* Freeing every other object empties no slab. */
	for (size_t i = 0; i < ARRAY_SIZE(objs); i += 2) {
		xfree(objs[i]);
	}
	assert_int_equal(stats().pages_in_use, pages);
	/* Refill the holes: no new slab is needed. */
	for (size_t i = 0; i < ARRAY_SIZE(objs); i += 2) {
		objs[i] = xmalloc(50);
	}
	assert_int_equal(stats().pages_in_use, pages);
	for (size_t i = 0; i < ARRAY_SIZE(objs); i++) {
		xfree(objs[i]);
	}
	check_heap_empty();

	/* Mixed classes, freed in reverse: each slab goes back as it empties. */
	for (size_t i = 0; i < ARRAY_SIZE(objs); i++) {
		objs[i] = xmalloc(1 + (i * 37) % 2048);
	}
	for (size_t i = ARRAY_SIZE(objs); i-- > 0;) {
		xfree(objs[i]);
	}
	check_heap_empty();
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

struct live {
	u8 *p;
	size_t size;
	u8 tag;
};

static void fill(const struct live *l)
{
	for (size_t i = 0; i < l->size; i++) {
		l->p[i] = (u8)(l->tag + i * 7);
	}
}

static void verify(const struct live *l)
{
	for (size_t i = 0; i < l->size; i++) {
		if (l->p[i] != (u8)(l->tag + i * 7)) {
			fail_msg("object %p (%zu bytes) corrupted at %zu", (void *)l->p, l->size,
				 i);
		}
	}
}

static void test_stress(void **state)
{
	static struct live live[1500];
	size_t nr_live = 0;
	u64 bytes = 0, nr_null = 0;

	(void)state;
	rng_state = 0x2545F4914F6CDD1DULL;
	for (unsigned int op = 0; op < 40000; op++) {
		bool do_alloc = nr_live == 0 || (nr_live < ARRAY_SIZE(live) && rng() % 100 < 52);
		struct heap_stats st;

		if (do_alloc) {
			u64 r = rng() % 100;
			size_t sz = r < 60   ? rng() % 129
				    : r < 90 ? 129 + rng() % 1920
					     : 2049 + rng() % 30000;
			struct live *l = &live[nr_live];

			l->p = xmalloc(sz);
			if (!l->p) {
				nr_null++;
				continue;
			}
			assert_true(IS_ALIGNED((uintptr_t)l->p, 16));
			l->size = sz;
			l->tag = (u8)rng();
			fill(l);
			bytes += sz;
			nr_live++;
		} else {
			size_t v = (size_t)(rng() % nr_live);

			verify(&live[v]);
			xfree(live[v].p);
			bytes -= live[v].size;
			live[v] = live[--nr_live];
		}
		st = stats();
		assert_int_equal(st.bytes_in_use, bytes);
		assert_int_equal(st.nr_allocs, nr_live);
		assert_int_equal(free_pages(), baseline_free - st.pages_in_use);
	}
	/* 16 MiB is plenty: nothing failed. */
	assert_int_equal(nr_null, 0);
	while (nr_live > 0) {
		nr_live--;
		verify(&live[nr_live]);
		xfree(live[nr_live].p);
	}
	check_heap_empty();
}

static void test_bad_free_is_a_bug(void **state)
{
	u8 *a, *b, *big, *pg;

	(void)state;
	xfree(NULL);
	check_heap_empty();

	a = xmalloc(32);
	b = xmalloc(32);
	/* Inside an object, between objects, the slab header. */
	expect_assert_failure(xfree(a + 1));
	expect_assert_failure(xfree(a + 16));
	expect_assert_failure(xfree(a + 8));
	expect_assert_failure(xfree((void *)((uintptr_t)a & ~(uintptr_t)(PAGE_SIZE - 1))));
	/* Double free while the slab still holds b. */
	xfree(a);
	expect_assert_failure(xfree(a));
	/* Double free after the slab went back to the page allocator. */
	xfree(b);
	expect_assert_failure(xfree(b));
	check_heap_empty();

	/* A page that never came from the heap. */
	pg = page_alloc_va(0, PA_ZERO);
	expect_assert_failure(xfree(pg + 16));
	expect_assert_failure(xfree(pg + 64));
	page_free_va(pg, 0);

	/* Large blocks: wrong offset, a later page of the block, double free. */
	big = xzalloc(3 * PAGE_SIZE);
	expect_assert_failure(xfree(big + 16));
	expect_assert_failure(xfree(big - 16 + PAGE_SIZE + 16));
	xfree(big);
	expect_assert_failure(xfree(big));

	/* The heap lock was dropped on every BUG: the heap still works. */
	a = xmalloc(100);
	assert_non_null(a);
	xfree(a);
	check_heap_empty();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_every_size_class, test_setup),
		cmocka_unit_test_setup(test_large_allocations, test_setup),
		cmocka_unit_test_setup(test_zeroing, test_setup),
		cmocka_unit_test_setup(test_empty_slabs_returned, test_setup),
		cmocka_unit_test_setup(test_stress, test_setup),
		cmocka_unit_test_setup(test_bad_free_is_a_bug, test_setup),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
