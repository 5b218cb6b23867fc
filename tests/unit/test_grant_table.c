/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests of grant tables v1 (hv/common/grant_table.c) between real domains on the
 * fake arch (tests/unit/world.h). Domain 1 grants, domain 2 maps and copies, domain 3
 * is a third party. The hypercall arguments are written into the caller's RAM and the
 * calls go through do_grant_table_op(), as a guest's would: map, write through the
 * mapping, unmap, copy both ways, and the refusals (a grant for someone else,
 * write-mapping a read-only grant, mapping after revoke, copying into a frame of the
 * peer without a grant, bad handles), pins (GTF_reading/GTF_writing) and page
 * references, and a mapper destroyed with live mappings.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <hv/domain.h>
#include <hv/errno.h>
#include <hv/fake.h>
#include <hv/grant_table.h>
#include <hv/mm.h>
#include <hv/p2m.h>
#include <hv/page_alloc.h>
#include <public/grant_table.h>

#include "world.h"

#define GRANTED_GFN ((GUEST_RAM0_BASE >> PAGE_SHIFT) + 0x100) /* a frame of domain 1 */
#define MAP_GPA (GUEST_RAM0_BASE + (16ull << 20))	      /* where domain 2 maps it */
#define REF 8

static struct domain *granter, *mapper, *third;

static int setup(void **state)
{
	if (world_setup(state) != 0) {
		return -1;
	}
	granter = world_domain(1, 1, false);
	mapper = world_domain(2, 1, false);
	third = world_domain(3, 1, false);
	return 0;
}

/* Grant entry 'ref' of the granter, as the granting guest sees it. */
static struct grant_entry_v1 *entry(u32 ref)
{
	return &((struct grant_entry_v1 *)granter->gnttab.frames[0])[ref];
}

static void grant(u32 ref, domid_t to, u16 extra_flags)
{
	struct grant_entry_v1 *e = entry(ref);

	e->domid = to;
	e->frame = (u32)GRANTED_GFN;
	e->flags = GTF_permit_access | extra_flags;
}

static u8 *granted_page(void)
{
	return world_guest_ptr(granter, GRANTED_GFN << PAGE_SHIFT);
}

static struct page_info *granted_frame(void)
{
	unsigned int flags;
	paddr_t pa;

	assert_int_equal(p2m_lookup(granter, GRANTED_GFN << PAGE_SHIFT, &pa, &flags), 0);
	return paddr_to_page(pa);
}

/* grant_table_op from d's vCPU 0 as one call (no continuation expected). */
static long gnttab_call(struct domain *d, u64 cmd, u64 uop, u64 count)
{
	world_run(d->vcpus[0]);
	return do_grant_table_op(d->vcpus[0], cmd, &uop, &count);
}

/* Issues one map from d's vCPU 0 with the op in d's RAM; returns the op after it. */
static struct gnttab_map_grant_ref map_op(struct domain *d, domid_t dom, u32 ref, u64 gpa,
					  u32 flags)
{
	struct gnttab_map_grant_ref *op = world_guest_ptr(d, WORLD_ARGS_GPA);

	memset(op, 0, sizeof(*op));
	op->host_addr = gpa;
	op->flags = flags;
	op->ref = ref;
	op->dom = dom;
	assert_int_equal(gnttab_call(d, GNTTABOP_map_grant_ref, WORLD_ARGS_GPA, 1), 0);
	return *op;
}

static s16 unmap_op(struct domain *d, u64 gpa, u32 handle)
{
	struct gnttab_unmap_grant_ref *op = world_guest_ptr(d, WORLD_ARGS_GPA);

	memset(op, 0, sizeof(*op));
	op->host_addr = gpa;
	op->handle = handle;
	assert_int_equal(gnttab_call(d, GNTTABOP_unmap_grant_ref, WORLD_ARGS_GPA, 1), 0);
	return op->status;
}

static s16 copy_op(struct domain *d, const struct gnttab_copy *c)
{
	struct gnttab_copy *op = world_guest_ptr(d, WORLD_ARGS_GPA);

	*op = *c;
	assert_int_equal(gnttab_call(d, GNTTABOP_copy, WORLD_ARGS_GPA, 1), 0);
	return op->status;
}

static void test_map_write_unmap(void **state)
{
	struct gnttab_map_grant_ref op;
	u32 refs0 = granted_frame()->count;
	u8 *seen;

	(void)state;
	grant(REF, 2, 0);
	op = map_op(mapper, 1, REF, MAP_GPA, GNTMAP_host_map);
	assert_int_equal(op.status, GNTST_okay);
	/* Pinned for writing, the frame referenced, and mapped in the mapper. */
	assert_int_equal(entry(REF)->flags & (GTF_reading | GTF_writing),
			 GTF_reading | GTF_writing);
	assert_int_equal(granted_frame()->count, refs0 + 1);
	seen = world_guest_ptr(mapper, MAP_GPA);
	assert_ptr_equal(seen, granted_page());
	memcpy(seen + 100, "hello", 6); /* the mapper writes, the granter reads */
	assert_string_equal((char *)granted_page() + 100, "hello");
	assert_true(gnttab_gfn_is_mapped_grant(mapper, MAP_GPA >> PAGE_SHIFT));
	/* The frame stays the granter's: the mapper cannot balloon or copy into it. */
	assert_int_equal(granted_frame()->owner, 1);

	assert_int_equal(unmap_op(mapper, MAP_GPA, op.handle), GNTST_okay);
	assert_int_equal(entry(REF)->flags & (GTF_reading | GTF_writing), 0);
	assert_int_equal(granted_frame()->count, refs0);
	assert_null(world_guest_ptr(mapper, MAP_GPA));
	assert_false(gnttab_gfn_is_mapped_grant(mapper, MAP_GPA >> PAGE_SHIFT));
	/* A second unmap of the same handle is refused. */
	assert_int_equal(unmap_op(mapper, MAP_GPA, op.handle), GNTST_bad_handle);
}

static void test_readonly_grant(void **state)
{
	struct gnttab_map_grant_ref op;

	(void)state;
	grant(REF, 2, GTF_readonly);
	op = map_op(mapper, 1, REF, MAP_GPA, GNTMAP_host_map);
	assert_int_equal(op.status, GNTST_permission_denied);
	assert_null(world_guest_ptr(mapper, MAP_GPA));
	assert_int_equal(entry(REF)->flags & (GTF_reading | GTF_writing), 0);

	op = map_op(mapper, 1, REF, MAP_GPA, GNTMAP_host_map | GNTMAP_readonly);
	assert_int_equal(op.status, GNTST_okay);
	assert_int_equal(entry(REF)->flags & (GTF_reading | GTF_writing), GTF_reading);
	/* Mapped read-only in the p2m. */
	paddr_t pa;
	unsigned int flags;
	assert_int_equal(p2m_lookup(mapper, MAP_GPA, &pa, &flags), 0);
	assert_true(flags & P2M_RO);
	assert_int_equal(unmap_op(mapper, MAP_GPA, op.handle), GNTST_okay);
}

static void test_grant_for_someone_else(void **state)
{
	(void)state;
	grant(REF, 3, 0); /* for domain 3, not the mapper */
	assert_int_equal(map_op(mapper, 1, REF, MAP_GPA, GNTMAP_host_map).status,
			 GNTST_permission_denied);
	assert_null(world_guest_ptr(mapper, MAP_GPA));
	/* Domain 3 itself may. */
	struct gnttab_map_grant_ref op = map_op(third, 1, REF, MAP_GPA, GNTMAP_host_map);
	assert_int_equal(op.status, GNTST_okay);
	assert_int_equal(unmap_op(third, MAP_GPA, op.handle), GNTST_okay);
}

static void test_map_after_revoke_and_bad_refs(void **state)
{
	(void)state;
	grant(REF, 2, 0);
	entry(REF)->flags = GTF_invalid; /* the granter ends access */
	assert_int_equal(map_op(mapper, 1, REF, MAP_GPA, GNTMAP_host_map).status,
			 GNTST_permission_denied);
	assert_int_equal(map_op(mapper, 1, 1u << 20, MAP_GPA, GNTMAP_host_map).status,
			 GNTST_bad_gntref);
	assert_int_equal(map_op(mapper, 77, REF, MAP_GPA, GNTMAP_host_map).status,
			 GNTST_bad_domain);
	/* A grant of a frame that is not the granter's RAM. */
	grant(REF, 2, 0);
	entry(REF)->frame = (u32)((GUEST_RAM0_BASE + WORLD_GUEST_MEM) >> PAGE_SHIFT);
	assert_int_equal(map_op(mapper, 1, REF, MAP_GPA, GNTMAP_host_map).status, GNTST_bad_page);
	assert_null(world_guest_ptr(mapper, MAP_GPA));
}

static void test_map_over_own_ram_refused(void **state)
{
	struct gnttab_map_grant_ref op;

	(void)state;
	grant(REF, 2, 0);
	/* A gpa that already holds the mapper's RAM: refused, its page is untouched. */
	u8 *own = world_guest_ptr(mapper, GUEST_RAM0_BASE + 0x5000);
	op = map_op(mapper, 1, REF, GUEST_RAM0_BASE + 0x5000, GNTMAP_host_map);
	assert_int_not_equal(op.status, GNTST_okay);
	assert_ptr_equal(world_guest_ptr(mapper, GUEST_RAM0_BASE + 0x5000), own);
	assert_int_equal(entry(REF)->flags & (GTF_reading | GTF_writing), 0);
}

static void test_copy_both_ways(void **state)
{
	struct gnttab_copy c = { 0 };
	u8 *mine = world_guest_ptr(mapper, GUEST_RAM0_BASE + 0x7000);

	(void)state;
	grant(REF, 2, 0);
	memcpy(granted_page() + 8, "from the granter", 17);
	/* Granted frame -> the mapper's own frame. */
	c.source.u.ref = REF;
	c.source.domid = 1;
	c.source.offset = 8;
	c.dest.u.gmfn = (GUEST_RAM0_BASE + 0x7000) >> PAGE_SHIFT;
	c.dest.domid = DOMID_SELF;
	c.dest.offset = 16;
	c.len = 17;
	c.flags = GNTCOPY_source_gref;
	assert_int_equal(copy_op(mapper, &c), GNTST_okay);
	assert_string_equal((char *)mine + 16, "from the granter");
	/* The mapper's frame -> the granted frame. */
	memcpy(mine, "from the mapper", 16);
	memset(&c, 0, sizeof(c));
	c.source.u.gmfn = (GUEST_RAM0_BASE + 0x7000) >> PAGE_SHIFT;
	c.source.domid = DOMID_SELF;
	c.dest.u.ref = REF;
	c.dest.domid = 1;
	c.dest.offset = 200;
	c.len = 16;
	c.flags = GNTCOPY_dest_gref;
	assert_int_equal(copy_op(mapper, &c), GNTST_okay);
	assert_string_equal((char *)granted_page() + 200, "from the mapper");
	/* A copy pins nothing once done. */
	assert_int_equal(entry(REF)->flags & (GTF_reading | GTF_writing), 0);
}

static void test_copy_refusals(void **state)
{
	struct gnttab_copy c = { 0 };

	(void)state;
	memset(granted_page(), 0xAA, PAGE_SIZE);
	/* Into a frame of the peer named by frame number, not by grant: refused. */
	c.source.u.gmfn = (GUEST_RAM0_BASE + 0x7000) >> PAGE_SHIFT;
	c.source.domid = DOMID_SELF;
	c.dest.u.gmfn = GRANTED_GFN;
	c.dest.domid = 1;
	c.len = 16;
	assert_int_equal(copy_op(mapper, &c), GNTST_permission_denied);
	/* Into a read-only grant. */
	grant(REF, 2, GTF_readonly);
	c.dest.u.ref = REF;
	c.flags = GNTCOPY_dest_gref;
	assert_int_equal(copy_op(mapper, &c), GNTST_permission_denied);
	/* Into a grant for domain 3. */
	grant(REF, 3, 0);
	assert_int_equal(copy_op(mapper, &c), GNTST_permission_denied);
	/* Past the end of the page. */
	grant(REF, 2, 0);
	c.dest.offset = PAGE_SIZE - 8;
	assert_int_equal(copy_op(mapper, &c), GNTST_bad_copy_arg);
	for (unsigned int i = 0; i < PAGE_SIZE; i++) {
		assert_int_equal(granted_page()[i], 0xAA); /* nothing was written */
	}
}

/* The mapper dies with a live mapping: its pin and page reference go with it. */
static void test_mapper_destroyed_with_live_mapping(void **state)
{
	struct gnttab_map_grant_ref op;
	u32 refs0 = granted_frame()->count;

	(void)state;
	grant(REF, 2, 0);
	op = map_op(mapper, 1, REF, MAP_GPA, GNTMAP_host_map);
	assert_int_equal(op.status, GNTST_okay);
	assert_int_equal(granted_frame()->count, refs0 + 1);
	world_run(NULL);
	domain_destroy(mapper);
	world_reap();
	assert_int_equal(entry(REF)->flags & (GTF_reading | GTF_writing), 0);
	assert_int_equal(granted_frame()->count, refs0);
}

/* The granter dies first: its frame is orphaned until the mapper unmaps it. */
static void test_granter_destroyed_with_live_mapping(void **state)
{
	struct gnttab_map_grant_ref op;
	struct page_info *pg;
	u64 free_before;

	(void)state;
	grant(REF, 2, 0);
	op = map_op(mapper, 1, REF, MAP_GPA, GNTMAP_host_map);
	assert_int_equal(op.status, GNTST_okay);
	pg = granted_frame();
	world_run(NULL);
	domain_destroy(granter);
	world_reap();
	assert_int_equal(pg->owner, PAGE_OWNER_ORPHAN);
	free_before = world_free_pages();
	assert_ptr_equal(world_guest_ptr(mapper, MAP_GPA), phys_to_virt(page_to_paddr(pg)));
	assert_int_equal(unmap_op(mapper, MAP_GPA, op.handle), GNTST_okay);
	assert_int_equal(world_free_pages(), free_before + 1); /* the orphan is freed */
}

/* A guest that is not direct-mapped learns no machine address (it could use none). */
static void test_no_machine_addresses_for_domus(void **state)
{
	struct gnttab_map_grant_ref op;
	struct gnttab_cache_flush *cf = world_guest_ptr(mapper, WORLD_ARGS_GPA);
	unsigned int flags;
	paddr_t own;

	(void)state;
	grant(REF, 2, 0);
	op = map_op(mapper, 1, REF, MAP_GPA, GNTMAP_host_map);
	assert_int_equal(op.status, GNTST_okay);
	assert_int_equal(op.dev_bus_addr, 0);
	assert_int_equal(unmap_op(mapper, MAP_GPA, op.handle), GNTST_okay);
	/* Cache maintenance by machine address: refused, even for its own page. */
	assert_int_equal(p2m_lookup(mapper, GUEST_RAM0_BASE, &own, &flags), 0);
	memset(cf, 0, sizeof(*cf));
	cf->a.dev_bus_addr = own;
	cf->length = 64;
	cf->op = GNTTAB_CACHE_CLEAN;
	world_run(mapper->vcpus[0]);
	assert_int_equal(gnttab_call(mapper, GNTTABOP_cache_flush, WORLD_ARGS_GPA, 1), -HV_EPERM);
	/* Linux's probe (op 0, length 0) still answers that the call exists. */
	memset(cf, 0, sizeof(*cf));
	assert_int_equal(gnttab_call(mapper, GNTTABOP_cache_flush, WORLD_ARGS_GPA, 1), 0);
}

/*
 * A long batch of copies is done a bounded number at a time: the call continues with
 * the uop pointer and count advanced past what is done (the guest issues it again),
 * so no one call holds the pCPU for the whole batch; every copy is done exactly once.
 */
static void test_copy_batch_continues(void **state)
{
	enum { N = 100 };
	struct gnttab_copy *ops = world_guest_ptr(mapper, WORLD_ARGS_GPA);
	u64 uop = WORLD_ARGS_GPA, count = N;
	unsigned int calls = 0;
	long rc;

	(void)state;
	grant(REF, 2, 0);
	for (unsigned int i = 0; i < N; i++) {
		granted_page()[i] = (u8)(i + 1);
		memset(&ops[i], 0, sizeof(ops[i]));
		ops[i].source.u.ref = REF;
		ops[i].source.domid = 1;
		ops[i].source.offset = (u16)i;
		ops[i].dest.u.gmfn = (GUEST_RAM0_BASE + 0x9000) >> PAGE_SHIFT;
		ops[i].dest.domid = DOMID_SELF;
		ops[i].dest.offset = (u16)(N - 1 - i);
		ops[i].len = 1;
		ops[i].flags = GNTCOPY_source_gref;
		ops[i].status = 99;
	}
	world_run(mapper->vcpus[0]);
	while ((rc = do_grant_table_op(mapper->vcpus[0], GNTTABOP_copy, &uop, &count)) ==
	       -HV_ERESTART) {
		u64 done = (uop - WORLD_ARGS_GPA) / sizeof(*ops);

		assert_int_equal(done + count, N);
		assert_true(done > 0 && done < N);
		assert_int_equal(ops[done - 1].status, GNTST_okay);
		assert_int_equal(ops[done].status, 99); /* not yet */
		assert_true(++calls < N);
	}
	assert_int_equal(rc, 0);
	assert_true(calls >= 2);
	u8 *dst = world_guest_ptr(mapper, GUEST_RAM0_BASE + 0x9000);
	for (unsigned int i = 0; i < N; i++) {
		assert_int_equal(ops[i].status, GNTST_okay);
		assert_int_equal(dst[N - 1 - i], (u8)(i + 1));
	}
}

static void test_batch_and_bad_arguments(void **state)
{
	(void)state;
	world_run(mapper->vcpus[0]);
	assert_int_equal(gnttab_call(mapper, GNTTABOP_map_grant_ref, WORLD_ARGS_GPA, 1u << 20),
			 -HV_EINVAL);
	/* Arguments outside the caller's RAM. */
	assert_int_equal(
		gnttab_call(mapper, GNTTABOP_map_grant_ref, GUEST_RAM0_BASE + WORLD_GUEST_MEM, 1),
		-HV_EFAULT);
	assert_int_equal(gnttab_call(mapper, 99, WORLD_ARGS_GPA, 1), -HV_ENOSYS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, world_teardown)
		T(test_map_write_unmap),
		T(test_readonly_grant),
		T(test_grant_for_someone_else),
		T(test_map_after_revoke_and_bad_refs),
		T(test_map_over_own_ram_refused),
		T(test_copy_both_ways),
		T(test_copy_refusals),
		T(test_mapper_destroyed_with_live_mapping),
		T(test_granter_destroyed_with_live_mapping),
		T(test_no_machine_addresses_for_domus),
		T(test_copy_batch_continues),
		T(test_batch_and_bad_arguments),
#undef T
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
