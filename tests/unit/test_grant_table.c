/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests of grant tables v1 (hv/common/grant_table.c) between real domains on the
 * fake arch (tests/unit/world.h). Domain 1 grants, domain 2 maps and copies, domain 3
 * is a third party. The hypercall arguments are written into the caller's RAM and the
 * calls go through do_grant_table_op(), as a guest's would: map, write through the
 * mapping, unmap, copy both ways, and the refusals (a grant for someone else,
 * write-mapping a read-only grant, mapping after revoke, copying into a frame of the
 * peer without a grant, bad handles), pins (GTF_reading/GTF_writing) and page
 * references, and a mapper destroyed with live mappings. Then the hostile timings, with
 * the fake arch's hooks (hv/fake.h): a control domain's second vCPU (a host thread)
 * running XENMEM_remove_from_physmap inside a map or unmap of the same gfn, a granter
 * rewriting its entry during every claim, the granter ending access during a copy.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include <hv/domain.h>
#include <hv/errno.h>
#include <hv/fake.h>
#include <hv/grant_table.h>
#include <hv/mm.h>
#include <hv/p2m.h>
#include <hv/page_alloc.h>
#include <public/grant_table.h>
#include <public/memory.h>
#include <hv/xen_abi.h>

#include "world.h"

#define GRANTED_GFN ((GUEST_RAM0_BASE >> PAGE_SHIFT) + 0x100) /* a frame of domain 1 */
#define MAP_GPA (GUEST_RAM0_BASE + (16ull << 20))	      /* where domain 2 maps it */
#define REF 8
/* Mappings a DomU may hold at once. */
#define MAPTRACK_LIMIT (GNTTAB_MAPTRACK_GUEST_PAGES * (PAGE_SIZE / sizeof(struct gnttab_maptrack)))

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

/*
 * Many mappings at once: every one is a grant mapping in the p2m with its access (the
 * type survives next to the others), handles are distinct, an unmap clears the type of
 * its gfn only, freed handles are reused, and the maptrack limit of a DomU ends in
 * GNTST_no_space with nothing left behind.
 */
static void test_many_mappings(void **state)
{
	enum { N = 300 };
	static u32 handle[N];
	const u64 map_gfn = MAP_GPA >> PAGE_SHIFT;
	unsigned int flags, mapped;
	struct gnttab_map_grant_ref op;
	paddr_t pa;

	(void)state;
	for (u32 i = 0; i < N; i++) {
		grant(REF + i, 2, 0);
		entry(REF + i)->frame = (u32)(GRANTED_GFN + i);
	}
	for (u32 i = 0; i < N; i++) {
		op = map_op(mapper, 1, REF + i, MAP_GPA + ((u64)i << PAGE_SHIFT),
			    GNTMAP_host_map | (i % 3 == 0 ? GNTMAP_readonly : 0));
		assert_int_equal(op.status, GNTST_okay);
		handle[i] = op.handle;
		for (u32 j = 0; j < i; j++) {
			assert_int_not_equal(handle[j], handle[i]);
		}
	}
	assert_int_equal(mapper->gnttab.maptrack_used, N);
	for (u32 i = 0; i < N; i++) {
		assert_int_equal(p2m_lookup(mapper, MAP_GPA + ((u64)i << PAGE_SHIFT), &pa, &flags),
				 0);
		assert_ptr_equal(phys_to_virt(pa),
				 world_guest_ptr(granter, (GRANTED_GFN + i) << PAGE_SHIFT));
		assert_int_equal(flags, P2M_MEM_NORMAL | P2M_GRANT | (i % 3 == 0 ? P2M_RO : 0));
		assert_true(gnttab_gfn_is_mapped_grant(mapper, map_gfn + i));
	}
	/* Neither the mapper's own RAM nor an empty gfn is a grant mapping. */
	assert_false(gnttab_gfn_is_mapped_grant(mapper, (GUEST_RAM0_BASE >> PAGE_SHIFT) + 5));
	assert_false(gnttab_gfn_is_mapped_grant(mapper, map_gfn + N));
	/* Unmap every other one: those gfns are empty, the others still grant mappings. */
	for (u32 i = 0; i < N; i += 2) {
		assert_int_equal(unmap_op(mapper, MAP_GPA + ((u64)i << PAGE_SHIFT), handle[i]),
				 GNTST_okay);
	}
	for (u32 i = 0; i < N; i++) {
		assert_int_equal(gnttab_gfn_is_mapped_grant(mapper, map_gfn + i), i % 2 == 1);
		assert_int_equal(p2m_lookup(mapper, MAP_GPA + ((u64)i << PAGE_SHIFT), &pa, &flags),
				 i % 2 == 1 ? 0 : -HV_ENOENT);
		assert_int_equal(entry(REF + i)->flags & (GTF_reading | GTF_writing),
				 i % 2 == 0   ? 0
				 : i % 3 == 0 ? GTF_reading
					      : GTF_reading | GTF_writing);
	}
	/* RAM put back at an unmapped gfn is plain RAM again. */
	assert_int_equal(
		p2m_map(mapper, MAP_GPA, virt_to_phys(granted_page()), PAGE_SIZE, P2M_MEM_NORMAL),
		0);
	assert_false(gnttab_gfn_is_mapped_grant(mapper, map_gfn));
	assert_int_equal(p2m_unmap(mapper, MAP_GPA, PAGE_SIZE), 0);
	/*
	 * Freed handles go to the back of the free list: a stale handle does not name the
	 * next mapping of its gfn at once.
	 */
	op = map_op(mapper, 1, REF, MAP_GPA, GNTMAP_host_map);
	assert_int_equal(op.status, GNTST_okay);
	assert_int_not_equal(op.handle, handle[0]);
	assert_int_equal(unmap_op(mapper, MAP_GPA, handle[0]), GNTST_bad_handle);
	assert_int_equal(unmap_op(mapper, MAP_GPA, op.handle), GNTST_okay);
	/* Fill the DomU's maptrack (the same grant, many times): the one past it fails. */
	mapped = N / 2;
	for (u32 i = 0;; i++) {
		u64 gpa = MAP_GPA + ((u64)(N + i) << PAGE_SHIFT);

		op = map_op(mapper, 1, REF + 1, gpa, GNTMAP_host_map);
		if (op.status != GNTST_okay) {
			assert_int_equal(op.status, GNTST_no_space);
			assert_null(world_guest_ptr(mapper, gpa));
			assert_false(gnttab_gfn_is_mapped_grant(mapper, gpa >> PAGE_SHIFT));
			break;
		}
		mapped++;
		assert_true(mapped <= MAPTRACK_LIMIT);
	}
	assert_int_equal(mapped, MAPTRACK_LIMIT);
	assert_int_equal(mapper->gnttab.maptrack_used, mapped);
	/* The refused map left no pin: REF + 1 is mapped once from the first round. */
	assert_int_equal(granter->gnttab.active[0][REF + 1].pin_rw, 1 + mapped - N / 2);
}

/*
 * A second vCPU of the control domain racing the first: a host thread that runs
 * XENMEM_remove_from_physmap of one gfn from the domain's vCPU 1 when the fake p2m
 * reaches event 'ev' for that gfn in the main thread (the hook runs inside the map or
 * unmap). The main thread waits for the racer to end, or 200 ms if it cannot (it waits
 * for a lock the main thread holds), then goes on.
 */
struct racer {
	struct domain *d;
	enum fake_p2m_event ev;
	gpaddr_t gpa;
	pthread_t main, thread;
	bool armed, started;
	int done;
	long rc;
};
static struct racer racer;

#define RACER_ARGS_GPA (WORLD_ARGS_GPA + PAGE_SIZE) /* the racer's own argument page */

static void *racer_main(void *arg)
{
	struct racer *r = arg;
	struct xen_remove_from_physmap *x = world_guest_ptr(r->d, RACER_ARGS_GPA);
	u64 cmd = XENMEM_remove_from_physmap;

	x->domid = DOMID_SELF;
	x->gpfn = r->gpa >> PAGE_SHIFT;
	r->rc = do_memory_op(r->d->vcpus[1], &cmd, RACER_ARGS_GPA);
	__atomic_store_n(&r->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void racer_hook(struct domain *d, enum fake_p2m_event ev, gpaddr_t gpa)
{
	const struct timespec ms = { 0, 1000000 };

	if (!racer.armed || d != racer.d || ev != racer.ev || gpa != racer.gpa ||
	    !pthread_equal(pthread_self(), racer.main)) {
		return;
	}
	racer.armed = false;
	assert_int_equal(pthread_create(&racer.thread, NULL, racer_main, &racer), 0);
	racer.started = true;
	for (unsigned int i = 0; i < 200 && !__atomic_load_n(&racer.done, __ATOMIC_ACQUIRE); i++) {
		nanosleep(&ms, NULL);
	}
}

static void racer_arm(struct domain *d, enum fake_p2m_event ev, gpaddr_t gpa)
{
	racer = (struct racer){
		.d = d, .ev = ev, .gpa = gpa, .main = pthread_self(), .armed = true
	};
	fake_arch.p2m_hook = racer_hook;
}

/* The racer ran and ended; its result. */
static long racer_join(void)
{
	assert_true(racer.started);
	assert_int_equal(pthread_join(racer.thread, NULL), 0);
	fake_arch.p2m_hook = NULL;
	return racer.rc;
}

/*
 * XENMEM_remove_from_physmap on another vCPU between the map's p2m change and its
 * maptrack entry (the window the fake p2m's hook opens right after the p2m entry is
 * made): it must not take the grant mapping away as if it were a foreign frame and drop
 * the mapping's page reference, which the unmap would then drop a second time.
 */
static void test_remove_from_physmap_races_map(void **state)
{
	struct domain *ctl = world_domain(0, 2, true);
	struct gnttab_map_grant_ref op;
	u32 refs0 = granted_frame()->count;

	(void)state;
	grant(REF, 0, 0);
	racer_arm(ctl, FAKE_P2M_MAPPED, MAP_GPA);
	op = map_op(ctl, 1, REF, MAP_GPA, GNTMAP_host_map);
	assert_int_equal(op.status, GNTST_okay);
	assert_int_not_equal(racer_join(), 0); /* refused: a grant mapping */
	assert_ptr_equal(world_guest_ptr(ctl, MAP_GPA), granted_page());
	assert_int_equal(granted_frame()->count, refs0 + 1);
	assert_true(gnttab_gfn_is_mapped_grant(ctl, MAP_GPA >> PAGE_SHIFT));
	assert_int_equal(unmap_op(ctl, MAP_GPA, op.handle), GNTST_okay);
	assert_int_equal(granted_frame()->count, refs0);
	assert_int_equal(entry(REF)->flags & (GTF_reading | GTF_writing), 0);
}

/*
 * The same inside an unmap: after its maptrack entry is taken and before its p2m entry
 * goes (the hook fires at the unmap's look at the gfn). The racer finds the grant
 * mapping or nothing, never a foreign frame to drop a reference of.
 */
static void test_remove_from_physmap_races_unmap(void **state)
{
	struct domain *ctl = world_domain(0, 2, true);
	struct gnttab_map_grant_ref op;
	u32 refs0 = granted_frame()->count;

	(void)state;
	grant(REF, 0, 0);
	op = map_op(ctl, 1, REF, MAP_GPA, GNTMAP_host_map);
	assert_int_equal(op.status, GNTST_okay);
	assert_int_equal(granted_frame()->count, refs0 + 1);
	racer_arm(ctl, FAKE_P2M_LOOKUP, MAP_GPA);
	assert_int_equal(unmap_op(ctl, MAP_GPA, op.handle), GNTST_okay);
	assert_int_not_equal(racer_join(), 0);
	assert_null(world_guest_ptr(ctl, MAP_GPA));
	assert_int_equal(granted_frame()->count, refs0);
	assert_int_equal(granted_frame()->owner, 1);
	assert_int_equal(entry(REF)->flags & (GTF_reading | GTF_writing), 0);
}

/* The granter on another vCPU rewriting its entry during the claim: flips GTF_readonly. */
static unsigned int flips, flip_limit;

static void flip_hook(u32 *p)
{
	if (flips < flip_limit) {
		flips++;
		__atomic_fetch_xor(p, (u32)GTF_readonly, __ATOMIC_ACQ_REL);
	}
}

/*
 * A granter that changes its entry between every look and claim of the hypervisor's
 * (here a flag a read-only use does not care about) cannot keep the mapper's vCPU in
 * the claim loop: after a bounded number of attempts the map or copy fails with
 * GNTST_general_error, leaving no pin or reference. A granter that changes it a few
 * times only delays the claim.
 */
static void test_claim_is_bounded(void **state)
{
	struct gnttab_map_grant_ref op;
	struct gnttab_copy c = { 0 };
	u32 refs0 = granted_frame()->count;

	(void)state;
	grant(REF, 2, 0);
	fake_arch.guest_cmpxchg_hook = flip_hook;
	flips = 0;
	flip_limit = 100000;
	op = map_op(mapper, 1, REF, MAP_GPA, GNTMAP_host_map | GNTMAP_readonly);
	assert_int_equal(op.status, GNTST_general_error);
	assert_true(flips >= 2 && flips <= 1000); /* it retried, then gave up */
	assert_null(world_guest_ptr(mapper, MAP_GPA));
	assert_int_equal(entry(REF)->flags & (GTF_reading | GTF_writing), 0);
	assert_int_equal(granted_frame()->count, refs0);
	assert_int_equal(granter->gnttab.active[0][REF].pin_ro, 0);
	/* A copy from it gives up the same way; nothing is copied. */
	memset(granted_page(), 0x5A, 16);
	memset(world_guest_ptr(mapper, GUEST_RAM0_BASE + 0x7000), 0, 16);
	c.source.u.ref = REF;
	c.source.domid = 1;
	c.dest.u.gmfn = (GUEST_RAM0_BASE + 0x7000) >> PAGE_SHIFT;
	c.dest.domid = DOMID_SELF;
	c.len = 16;
	c.flags = GNTCOPY_source_gref;
	flips = 0;
	assert_int_equal(copy_op(mapper, &c), GNTST_general_error);
	assert_int_equal(*(u8 *)world_guest_ptr(mapper, GUEST_RAM0_BASE + 0x7000), 0);
	assert_int_equal(entry(REF)->flags & (GTF_reading | GTF_writing), 0);
	/* A few changes only: the claim sees each one and retries until it holds. */
	flips = 0;
	flip_limit = 3;
	op = map_op(mapper, 1, REF, MAP_GPA, GNTMAP_host_map | GNTMAP_readonly);
	assert_int_equal(op.status, GNTST_okay);
	assert_int_equal(flips, 3);
	assert_int_equal(entry(REF)->flags & (GTF_reading | GTF_writing), GTF_reading);
	fake_arch.guest_cmpxchg_hook = NULL;
	assert_int_equal(unmap_op(mapper, MAP_GPA, op.handle), GNTST_okay);
	assert_int_equal(granted_frame()->count, refs0);
}

/*
 * What the granter sees when it ends access during a copy, checked from inside the
 * copy: the fake p2m's hook runs when the copy looks up the granter's destination frame,
 * after both grants are claimed and before any byte moves.
 */
struct copy_watch {
	unsigned int seen;
	u16 src_flags, dst_flags;
	bool end_access_refused;
};
static struct copy_watch watch;

#define SRC_REF REF
#define DST_REF (REF + 1)
#define DST_GFN (GRANTED_GFN + 1)

/*
 * The granter ending access as Linux's gnttab_end_foreign_access_ref() does: it
 * succeeds only if neither GTF_reading nor GTF_writing is set, in one compare-and-swap.
 */
static bool end_access(u32 ref)
{
	u16 flags = __atomic_load_n(&entry(ref)->flags, __ATOMIC_ACQUIRE);

	do {
		if (flags & (GTF_reading | GTF_writing)) {
			return false;
		}
	} while (!__atomic_compare_exchange_n(&entry(ref)->flags, &flags, 0, false,
					      __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE));
	return true;
}

static void copy_watch_hook(struct domain *d, enum fake_p2m_event ev, gpaddr_t gpa)
{
	if (d != granter || ev != FAKE_P2M_LOOKUP || gpa != DST_GFN << PAGE_SHIFT) {
		return;
	}
	watch.seen++;
	watch.src_flags = entry(SRC_REF)->flags;
	watch.dst_flags = entry(DST_REF)->flags;
	watch.end_access_refused = !end_access(SRC_REF) && !end_access(DST_REF);
}

/*
 * A copy holds a transient pin on each grant it uses (Xen's acquire_grant_for_copy()):
 * GTF_reading on the source, GTF_reading | GTF_writing on the destination while it runs,
 * so the granter cannot end access to either; both are cleared when it is done, and a
 * mapping's own pin outlives a copy of the same grant. A revoked entry fails the copy.
 */
static void test_copy_pins_transiently(void **state)
{
	struct gnttab_copy c = { 0 };
	struct gnttab_map_grant_ref op;
	u8 *dst = world_guest_ptr(granter, DST_GFN << PAGE_SHIFT);

	(void)state;
	grant(SRC_REF, 2, GTF_readonly);
	grant(DST_REF, 2, 0);
	entry(DST_REF)->frame = (u32)DST_GFN;
	memcpy(granted_page(), "source bytes", 13);
	memset(dst, 0, 16);
	c.source.u.ref = SRC_REF;
	c.source.domid = 1;
	c.dest.u.ref = DST_REF;
	c.dest.domid = 1;
	c.len = 13;
	c.flags = GNTCOPY_source_gref | GNTCOPY_dest_gref;
	memset(&watch, 0, sizeof(watch));
	fake_arch.p2m_hook = copy_watch_hook;
	assert_int_equal(copy_op(mapper, &c), GNTST_okay);
	fake_arch.p2m_hook = NULL;
	assert_int_equal(watch.seen, 1);
	assert_int_equal(watch.src_flags & (GTF_reading | GTF_writing), GTF_reading);
	assert_int_equal(watch.dst_flags & (GTF_reading | GTF_writing), GTF_reading | GTF_writing);
	assert_true(watch.end_access_refused);
	assert_string_equal((char *)dst, "source bytes");
	/* Done: no flag is left, the pins are gone, and the granter can end access. */
	assert_int_equal(entry(SRC_REF)->flags & (GTF_reading | GTF_writing), 0);
	assert_int_equal(entry(DST_REF)->flags & (GTF_reading | GTF_writing), 0);
	assert_int_equal(granter->gnttab.active[0][SRC_REF].copy_ro, 0);
	assert_int_equal(granter->gnttab.active[0][DST_REF].copy_rw, 0);
	/* A copy into a mapped grant leaves the mapping's pin (and flags) in place. */
	op = map_op(mapper, 1, DST_REF, MAP_GPA, GNTMAP_host_map | GNTMAP_readonly);
	assert_int_equal(op.status, GNTST_okay);
	assert_int_equal(copy_op(mapper, &c), GNTST_okay);
	assert_int_equal(entry(DST_REF)->flags & (GTF_reading | GTF_writing), GTF_reading);
	assert_false(end_access(DST_REF));
	assert_int_equal(unmap_op(mapper, MAP_GPA, op.handle), GNTST_okay);
	assert_true(end_access(SRC_REF));
	assert_true(end_access(DST_REF));
	/* Revoked: the copy fails and nothing is written. */
	memset(dst, 0, 16);
	assert_int_equal(copy_op(mapper, &c), GNTST_permission_denied);
	grant(SRC_REF, 2, GTF_readonly);
	assert_int_equal(copy_op(mapper, &c), GNTST_permission_denied); /* dest still revoked */
	assert_int_equal(dst[0], 0);
	assert_int_equal(entry(SRC_REF)->flags & (GTF_reading | GTF_writing), 0);
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
		T(test_many_mappings),
		T(test_remove_from_physmap_races_map),
		T(test_remove_from_physmap_races_unmap),
		T(test_claim_is_bounded),
		T(test_copy_pins_transiently),
#undef T
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
