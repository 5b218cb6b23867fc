/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests of the arm64 stage-2 tables (hv/arch/arm64/mmu/p2m.c) on the host, over the
 * real table walker and page allocator; the TLB flush (p2m_hw.c) is faked and records
 * how many pages were free when it ran. Checked: a table page emptied by an unmap is
 * freed only after the TLB flush (break-before-make); table pages are charged to the
 * domain and capped for DomUs (a sparse mapper gets -ENOMEM, not the whole machine);
 * everything comes back at the domain's end.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <asm/p2m.h>
#include <hv/bootinfo.h>
#include <hv/cache.h>
#include <hv/domain.h>
#include <hv/errno.h>
#include <hv/mm.h>
#include <hv/p2m.h>
#include <hv/page_alloc.h>

#define ARENA_SIZE (32ull << 20)

static u8 *arena;
static unsigned int flushes;
static u64 free_at_last_flush;
static u64 free_at_flush[64]; /* free pages at each flush since the test reset flushes */
static struct domain dom;

static u64 free_pages(void)
{
	struct page_alloc_stats st;

	page_alloc_get_stats(&st);
	return st.free_pages;
}

/* The hardware side (p2m_hw.c). */
unsigned int p2m_ipa_bits(void)
{
	return 40;
}
void p2m_tlb_flush(u64 vttbr)
{
	assert_int_equal(vttbr, dom.arch.vttbr);
	free_at_last_flush = free_pages();
	if (flushes < 64) {
		free_at_flush[flushes] = free_at_last_flush;
	}
	flushes++;
}
void dcache_clean_range(const void *va, u64 len)
{
	(void)va;
	(void)len;
}

static int setup(void **state)
{
	struct mem_range bank;

	(void)state;
	arena = aligned_alloc(ARENA_SIZE, ARENA_SIZE);
	if (arena == NULL) {
		return -1;
	}
	bank = (struct mem_range){ virt_to_phys(arena), virt_to_phys(arena) + ARENA_SIZE };
	page_alloc_reset_for_test();
	if (page_alloc_init(&bank, 1, NULL, 0) != 0) {
		return -1;
	}
	memset(&dom, 0, sizeof(dom));
	dom.domid = 1;
	flushes = 0;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(arena);
	return 0;
}

/* A page of the arena to map (its contents do not matter here). */
static paddr_t some_frame(unsigned int i)
{
	return virt_to_phys(arena) + ((u64)i << PAGE_SHIFT);
}

static void test_tables_freed_after_flush(void **state)
{
	u64 free0 = free_pages(), before_unmap;

	(void)state;
	assert_int_equal(p2m_domain_init(&dom), 0);
	/* A page far from anything else: a new L1, L2 and L3 table. */
	assert_int_equal(p2m_map(&dom, 1ull << 38, some_frame(0), PAGE_SIZE, P2M_MEM_NORMAL), 0);
	assert_int_equal(dom.arch.p2m_tables, 4); /* root, L1, L2, L3 */
	before_unmap = free_pages();
	flushes = 0;
	assert_int_equal(p2m_unmap(&dom, 1ull << 38, PAGE_SIZE), 0);
	assert_true(flushes >= 1);
	/* Nothing was freed before the flush; the emptied tables are freed after it. */
	assert_int_equal(free_at_last_flush, before_unmap);
	assert_int_equal(free_pages(), before_unmap + 3);
	assert_int_equal(dom.arch.p2m_tables, 1);
	p2m_domain_destroy(&dom);
	assert_int_equal(free_pages(), free0);
}

/* Many tables emptied by one unmap: still none freed before a flush. */
static void test_many_tables_freed_after_flush(void **state)
{
	u64 before_unmap;

	(void)state;
	dom.privileged = true;
	assert_int_equal(p2m_domain_init(&dom), 0);
	for (unsigned int i = 0; i < 40; i++) { /* 40 L3 tables, 2 MiB apart */
		assert_int_equal(p2m_map(&dom, (1ull << 30) + ((u64)i << 21), some_frame(i),
					 PAGE_SIZE, P2M_MEM_NORMAL),
				 0);
	}
	before_unmap = free_pages();
	flushes = 0;
	assert_int_equal(p2m_unmap(&dom, 1ull << 30, 40ull << 21), 0);
	/*
	 * Freed in batches, each after a flush: at every flush only the batches of earlier
	 * flushes are back in the allocator.
	 */
	assert_true(flushes >= 2);
	assert_int_equal(free_at_flush[0], before_unmap);
	for (unsigned int k = 1; k < flushes; k++) {
		assert_int_equal(free_at_flush[k], free_at_flush[k - 1] + P2M_DEFERRED_MAX);
	}
	assert_int_equal(free_pages(), before_unmap + 40 + 2); /* the L3s, their L2, the L1 */
	p2m_domain_destroy(&dom);
}

static void test_tables_charged_and_capped(void **state)
{
	u64 free0 = free_pages();
	unsigned int mapped = 0;
	int rc = 0;

	(void)state;
	dom.tot_pages = 1024; /* a 4 MiB guest */
	assert_int_equal(p2m_domain_init(&dom), 0);
	/* Sparse single pages, each needing a table of its own, until refused. */
	for (unsigned int i = 0; i < 4096; i++) {
		rc = p2m_map(&dom, (1ull << 32) + ((u64)i << 21), some_frame(i % 64), PAGE_SIZE,
			     P2M_MEM_NORMAL);
		if (rc != 0) {
			break;
		}
		mapped++;
	}
	assert_int_equal(rc, -HV_ENOMEM);
	assert_int_equal(dom.arch.p2m_tables, p2m_table_limit(&dom));
	assert_true(mapped > 10 && mapped < 200);
	/* The refusal left nothing half-done: every mapped page still translates. */
	for (unsigned int i = 0; i < mapped; i++) {
		paddr_t pa;
		unsigned int flags;

		assert_int_equal(p2m_lookup(&dom, (1ull << 32) + ((u64)i << 21), &pa, &flags), 0);
		assert_int_equal(pa, some_frame(i % 64));
	}
	p2m_domain_destroy(&dom);
	assert_int_equal(dom.arch.p2m_tables, 0);
	assert_int_equal(free_pages(), free0);
}

static void test_control_domain_not_capped(void **state)
{
	(void)state;
	dom.privileged = true;
	assert_int_equal(p2m_domain_init(&dom), 0);
	for (unsigned int i = 0; i < 300; i++) {
		assert_int_equal(p2m_map(&dom, (1ull << 32) + ((u64)i << 21), some_frame(0),
					 PAGE_SIZE, P2M_MEM_NORMAL),
				 0);
	}
	assert_true(dom.arch.p2m_tables > 300);
	p2m_domain_destroy(&dom);
}

/*
 * P2M_GRANT (hv/p2m.h) is kept in the descriptor: a lookup returns it with the other
 * attributes, a neighbour mapped without it does not get it, a block split by an unmap
 * keeps the attributes of what remains, and after an unmap a new mapping at the same
 * gfn is what its own flags say.
 */
static void test_grant_type_round_trip(void **state)
{
	const gpaddr_t base = 1ull << 32;
	unsigned int flags;
	paddr_t pa;

	(void)state;
	assert_int_equal(p2m_domain_init(&dom), 0);
	for (unsigned int i = 0; i < 64; i++) {
		unsigned int f =
			P2M_MEM_NORMAL | (i % 2 ? P2M_GRANT : 0) | (i % 4 == 3 ? P2M_RO : 0);

		assert_int_equal(
			p2m_map(&dom, base + ((u64)i << PAGE_SHIFT), some_frame(i), PAGE_SIZE, f),
			0);
	}
	for (unsigned int i = 0; i < 64; i++) {
		assert_int_equal(p2m_lookup(&dom, base + ((u64)i << PAGE_SHIFT), &pa, &flags), 0);
		assert_int_equal(pa, some_frame(i));
		assert_int_equal(flags, P2M_MEM_NORMAL | (i % 2 ? P2M_GRANT : 0) |
						(i % 4 == 3 ? P2M_RO : 0));
	}
	/* Unmapped, then RAM at the same gfn: no grant type left over. */
	assert_int_equal(p2m_unmap(&dom, base + (1ull << PAGE_SHIFT), PAGE_SIZE), 0);
	assert_int_equal(p2m_lookup(&dom, base + (1ull << PAGE_SHIFT), &pa, &flags), -HV_ENOENT);
	assert_int_equal(p2m_map(&dom, base + (1ull << PAGE_SHIFT), some_frame(1), PAGE_SIZE,
				 P2M_MEM_NORMAL),
			 0);
	assert_int_equal(p2m_lookup(&dom, base + (1ull << PAGE_SHIFT), &pa, &flags), 0);
	assert_int_equal(flags, P2M_MEM_NORMAL);
	/* A 2 MiB block with the type, split by unmapping one page: the rest keeps it. */
	assert_int_equal(
		p2m_map(&dom, 1ull << 33, some_frame(512), 2ull << 20, P2M_MEM_NORMAL | P2M_GRANT),
		0);
	assert_int_equal(p2m_unmap(&dom, (1ull << 33) + PAGE_SIZE, PAGE_SIZE), 0);
	assert_int_equal(p2m_lookup(&dom, (1ull << 33) + 2 * PAGE_SIZE, &pa, &flags), 0);
	assert_int_equal(pa, some_frame(514));
	assert_int_equal(flags, P2M_MEM_NORMAL | P2M_GRANT);
	p2m_domain_destroy(&dom);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_tables_freed_after_flush, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_tables_freed_after_flush, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_tables_charged_and_capped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_control_domain_not_capped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_grant_type_round_trip, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
