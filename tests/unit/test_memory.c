/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests of memory_op (hv/common/memory.c) on the fake arch
 * (tests/unit/world.h), arguments in the calling guest's RAM: balloon out and in with
 * exact page accounting and the max_pages limit, pages the hypervisor uses (shared_info,
 * grant frames) that a guest cannot give back, shared_info placement, foreign mappings
 * (control domain only) holding a page reference until removed, and the refusals:
 * another domain's ID, non-zero orders, oversized batches, bad frames.
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
#include <hv/mm.h>
#include <hv/p2m.h>
#include <hv/page_alloc.h>
#include <hv/xen_abi.h>
#include <public/memory.h>
#include <public/vcpu.h>

#include "world.h"

#define RAM_GFN (GUEST_RAM0_BASE >> PAGE_SHIFT)
#define HOLE_GFN (RAM_GFN + (32ull << (20 - PAGE_SHIFT))) /* unmapped in every guest */
#define LIST_GPA (WORLD_ARGS_GPA + 0x800)		  /* frame lists */
#define ERRS_GPA (WORLD_ARGS_GPA + 0xC00)

static struct domain *g, *ctl;

static int setup(void **state)
{
	if (world_setup(state) != 0) {
		return -1;
	}
	ctl = world_domain(0, 1, true);
	g = world_domain(1, 2, false);
	return 0;
}

static long memory_op(struct domain *d, unsigned int cmd, const void *arg, size_t len)
{
	u64 c = cmd;

	memcpy(world_guest_ptr(d, WORLD_ARGS_GPA), arg, len);
	world_run(d->vcpus[0]);
	return do_memory_op(d->vcpus[0], &c, WORLD_ARGS_GPA);
}

static void put_list(struct domain *d, const u64 *gfns, unsigned int n)
{
	memcpy(world_guest_ptr(d, LIST_GPA), gfns, n * sizeof(*gfns));
}

static long reservation(struct domain *d, unsigned int cmd, const u64 *gfns, unsigned int n)
{
	struct xen_memory_reservation r = { .extent_start = LIST_GPA,
					    .nr_extents = n,
					    .domid = DOMID_SELF };

	put_list(d, gfns, n);
	return memory_op(d, cmd, &r, sizeof(r));
}

static long foreign_batch(struct domain *d, domid_t from, const u64 *idxs, const u64 *gpfns,
			  unsigned int n);

static void test_balloon_out_and_in(void **state)
{
	u64 gfns[3] = { RAM_GFN + 0x200, RAM_GFN + 0x201, RAM_GFN + 0x3ff };
	u64 tot = g->tot_pages, free0 = world_free_pages();

	(void)state;
	*(u32 *)world_guest_ptr(g, gfns[0] << PAGE_SHIFT) = 0xdeadbeef;
	assert_int_equal(reservation(g, XENMEM_decrease_reservation, gfns, 3), 3);
	assert_int_equal(g->tot_pages, tot - 3);
	assert_int_equal(world_free_pages(), free0 + 3);
	for (int i = 0; i < 3; i++) {
		assert_null(world_guest_ptr(g, gfns[i] << PAGE_SHIFT));
	}
	/* Giving back a page it no longer has does nothing. */
	assert_int_equal(reservation(g, XENMEM_decrease_reservation, gfns, 1), 0);
	assert_int_equal(g->tot_pages, tot - 3);

	assert_int_equal(reservation(g, XENMEM_populate_physmap, gfns, 3), 3);
	assert_int_equal(g->tot_pages, tot);
	assert_int_equal(world_free_pages(), free0);
	/* A fresh page: the old contents are gone. */
	assert_int_equal(*(u32 *)world_guest_ptr(g, gfns[0] << PAGE_SHIFT), 0);
	/* Never beyond max_pages. */
	u64 more = HOLE_GFN;
	assert_int_equal(reservation(g, XENMEM_populate_physmap, &more, 1), 0);
	assert_null(world_guest_ptr(g, HOLE_GFN << PAGE_SHIFT));
	assert_int_equal(g->tot_pages, tot);
}

static void test_populate_over_mapped_gfn_refused(void **state)
{
	u64 out = RAM_GFN + 0x10, taken = RAM_GFN + 0x11;
	u64 tot = g->tot_pages;

	(void)state;
	assert_int_equal(reservation(g, XENMEM_decrease_reservation, &out, 1), 1);
	/* RAM is already there: not populated again (and nothing leaks). */
	assert_int_equal(reservation(g, XENMEM_populate_physmap, &taken, 1), 0);
	assert_int_equal(g->tot_pages, tot - 1);
	assert_int_equal(reservation(g, XENMEM_populate_physmap, &out, 1), 1);
}

static void test_reservation_refusals(void **state)
{
	struct xen_memory_reservation r = { .extent_start = LIST_GPA, .nr_extents = 1 };
	u64 gfn = RAM_GFN + 0x20;

	(void)state;
	put_list(g, &gfn, 1);
	r.domid = 0; /* another domain */
	assert_int_equal(memory_op(g, XENMEM_decrease_reservation, &r, sizeof(r)), -HV_EPERM);
	r.domid = DOMID_SELF;
	r.extent_order = 9;
	assert_int_equal(memory_op(g, XENMEM_decrease_reservation, &r, sizeof(r)), -HV_EINVAL);
	r.extent_order = 0;
	r.nr_extents = 1u << 20;
	assert_int_equal(memory_op(g, XENMEM_populate_physmap, &r, sizeof(r)), -HV_EINVAL);
	/* A list outside the guest's RAM: nothing done. */
	r.nr_extents = 1;
	r.extent_start = HOLE_GFN << PAGE_SHIFT;
	assert_int_equal(memory_op(g, XENMEM_decrease_reservation, &r, sizeof(r)), 0);
	assert_non_null(world_guest_ptr(g, gfn << PAGE_SHIFT));
}

static void map_shared_info(struct domain *d, u64 gfn, long expect)
{
	struct xen_add_to_physmap x = { .domid = DOMID_SELF,
					.space = XENMAPSPACE_shared_info,
					.gpfn = gfn };

	assert_int_equal(memory_op(d, XENMEM_add_to_physmap, &x, sizeof(x)), expect);
}

static void test_shared_info_cannot_be_ballooned(void **state)
{
	u64 gfn = HOLE_GFN;
	u64 tot = g->tot_pages;

	(void)state;
	map_shared_info(g, gfn, 0);
	assert_ptr_equal(world_guest_ptr(g, gfn << PAGE_SHIFT), g->shared_info);
	assert_int_equal(reservation(g, XENMEM_decrease_reservation, &gfn, 1), 0);
	assert_ptr_equal(world_guest_ptr(g, gfn << PAGE_SHIFT), g->shared_info);
	assert_int_equal(g->tot_pages, tot);
	/* Xen 4.17: mapped twice is -EBUSY; remove it first, then it may go elsewhere. */
	map_shared_info(g, gfn + 1, -HV_EBUSY);
	struct xen_remove_from_physmap rm = { .domid = DOMID_SELF, .gpfn = gfn };
	assert_int_equal(memory_op(g, XENMEM_remove_from_physmap, &rm, sizeof(rm)), 0);
	assert_null(world_guest_ptr(g, gfn << PAGE_SHIFT));
	map_shared_info(g, gfn + 1, 0);
	assert_ptr_equal(world_guest_ptr(g, (gfn + 1) << PAGE_SHIFT), g->shared_info);
}

/* Placed over RAM, shared_info takes the frame's place and the RAM page is freed (Xen). */
static void test_shared_info_replaces_ram(void **state)
{
	u64 gfn = RAM_GFN + 0x40;
	u64 tot = g->tot_pages, free0 = world_free_pages();

	(void)state;
	map_shared_info(g, gfn, 0);
	assert_ptr_equal(world_guest_ptr(g, gfn << PAGE_SHIFT), g->shared_info);
	assert_int_equal(g->tot_pages, tot - 1);
	assert_int_equal(world_free_pages(), free0 + 1);
}

static void map_grant_frame(struct domain *d, u64 idx, u64 gfn, long expect)
{
	struct xen_add_to_physmap x = {
		.domid = DOMID_SELF, .space = XENMAPSPACE_grant_table, .idx = idx, .gpfn = gfn
	};

	assert_int_equal(memory_op(d, XENMEM_add_to_physmap, &x, sizeof(x)), expect);
}

/*
 * A page the hypervisor gave the guest (grant frame, shared_info) or one that another
 * domain maps is never replaced by another placement: only plain RAM is.
 */
static void test_placement_never_replaces_hypervisor_pages(void **state)
{
	u64 gfn = HOLE_GFN;
	void *frame0;

	(void)state;
	map_grant_frame(g, 0, gfn, 0);
	frame0 = world_guest_ptr(g, gfn << PAGE_SHIFT);
	assert_ptr_equal(frame0, g->gnttab.frames[0]);
	map_shared_info(g, gfn, -HV_EBUSY);
	map_grant_frame(g, 1, gfn, -HV_EBUSY);
	assert_ptr_equal(world_guest_ptr(g, gfn << PAGE_SHIFT), frame0);
	assert_int_equal(g->gnttab.frame_gfn[0], gfn);
	/* And the other way round. */
	map_shared_info(g, gfn + 1, 0);
	map_grant_frame(g, 1, gfn + 1, -HV_EBUSY);
	assert_ptr_equal(world_guest_ptr(g, (gfn + 1) << PAGE_SHIFT), g->shared_info);
	/* RAM that the control domain maps right now is not replaced either. */
	u64 idx = RAM_GFN + 0x90, at = HOLE_GFN + 8;
	assert_int_equal(foreign_batch(ctl, 1, &idx, &at, 1), 0);
	map_grant_frame(g, 1, idx, -HV_EBUSY);
	assert_non_null(world_guest_ptr(g, idx << PAGE_SHIFT));
	struct xen_remove_from_physmap rm = { .domid = DOMID_SELF, .gpfn = at };
	assert_int_equal(memory_op(ctl, XENMEM_remove_from_physmap, &rm, sizeof(rm)), 0);
}

static void test_remove_own_ram_frees_it(void **state)
{
	struct xen_remove_from_physmap rm = { .domid = DOMID_SELF, .gpfn = RAM_GFN + 0x50 };
	u64 tot = g->tot_pages, free0 = world_free_pages();

	(void)state;
	assert_int_equal(memory_op(g, XENMEM_remove_from_physmap, &rm, sizeof(rm)), 0);
	assert_int_equal(g->tot_pages, tot - 1);
	assert_int_equal(world_free_pages(), free0 + 1);
	assert_int_equal(memory_op(g, XENMEM_remove_from_physmap, &rm, sizeof(rm)), -HV_ENOENT);
	rm.domid = 0;
	assert_int_equal(memory_op(g, XENMEM_remove_from_physmap, &rm, sizeof(rm)), -HV_EPERM);
}

static long foreign_batch(struct domain *d, domid_t from, const u64 *idxs, const u64 *gpfns,
			  unsigned int n)
{
	struct xen_add_to_physmap_batch b = { .domid = DOMID_SELF,
					      .space = XENMAPSPACE_gmfn_foreign,
					      .size = (u16)n,
					      .foreign_domid = from,
					      .idxs = LIST_GPA,
					      .gpfns = LIST_GPA + 0x100,
					      .errs = ERRS_GPA };

	memcpy(world_guest_ptr(d, LIST_GPA), idxs, n * 8);
	memcpy(world_guest_ptr(d, LIST_GPA + 0x100), gpfns, n * 8);
	memset(world_guest_ptr(d, ERRS_GPA), 0x55, n * 4);
	return memory_op(d, XENMEM_add_to_physmap_batch, &b, sizeof(b));
}

static void test_foreign_mapping_holds_a_reference(void **state)
{
	u64 idx[2] = { RAM_GFN + 0x60, HOLE_GFN }, gpfn[2] = { HOLE_GFN, HOLE_GFN + 1 };
	s32 *errs = world_guest_ptr(ctl, ERRS_GPA);
	struct page_info *pg;
	unsigned int flags;
	paddr_t pa;

	(void)state;
	assert_int_equal(p2m_lookup(g, idx[0] << PAGE_SHIFT, &pa, &flags), 0);
	pg = paddr_to_page(pa);
	assert_int_equal(pg->count, 0);
	assert_int_equal(foreign_batch(ctl, 1, idx, gpfn, 2), 0);
	assert_int_equal(errs[0], 0);
	assert_int_equal(errs[1], -HV_EINVAL); /* not the guest's RAM */
	assert_ptr_equal(world_guest_ptr(ctl, HOLE_GFN << PAGE_SHIFT), phys_to_virt(pa));
	assert_int_equal(pg->count, 1);
	/* The guest cannot balloon a page someone maps. */
	assert_int_equal(reservation(g, XENMEM_decrease_reservation, idx, 1), 0);
	/* Removing the foreign frame drops the reference, the guest's page stays. */
	struct xen_remove_from_physmap rm = { .domid = DOMID_SELF, .gpfn = HOLE_GFN };
	assert_int_equal(memory_op(ctl, XENMEM_remove_from_physmap, &rm, sizeof(rm)), 0);
	assert_int_equal(pg->count, 0);
	assert_int_equal(pg->owner, 1);
	assert_null(world_guest_ptr(ctl, HOLE_GFN << PAGE_SHIFT));
}

/*
 * A long batch is preemptible: each call maps a bounded number of frames, then asks to be
 * issued again with its progress in the command (Xen's continuation, bits 6 and up of
 * cmd); the reissued call resumes there, never from the start.
 */
static void test_foreign_batch_continues(void **state)
{
	enum { N = 300 };
	u64 idx[N], gpfn[N];
	struct xen_add_to_physmap_batch b = { .domid = DOMID_SELF,
					      .space = XENMAPSPACE_gmfn_foreign,
					      .size = N,
					      .foreign_domid = 1,
					      .idxs = LIST_GPA,
					      .gpfns = LIST_GPA + N * 8,
					      .errs = LIST_GPA + 2 * N * 8 };
	u64 cmd = XENMEM_add_to_physmap_batch, last = 0;
	s32 *errs = world_guest_ptr(ctl, b.errs);
	unsigned int calls = 0;
	long rc;

	(void)state;
	for (unsigned int i = 0; i < N; i++) {
		idx[i] = RAM_GFN + i;
		gpfn[i] = HOLE_GFN + i;
	}
	memcpy(world_guest_ptr(ctl, b.idxs), idx, sizeof(idx));
	memcpy(world_guest_ptr(ctl, b.gpfns), gpfn, sizeof(gpfn));
	memset(errs, 0x55, N * 4);
	memcpy(world_guest_ptr(ctl, WORLD_ARGS_GPA), &b, sizeof(b));
	world_run(ctl->vcpus[0]);
	while ((rc = do_memory_op(ctl->vcpus[0], &cmd, WORLD_ARGS_GPA)) == -HV_ERESTART) {
		u64 done = cmd >> MEMOP_EXTENT_SHIFT;

		assert_int_equal(cmd & MEMOP_CMD_MASK, XENMEM_add_to_physmap_batch);
		assert_true(done > last && done < N); /* progress, kept */
		for (u64 i = 0; i < done; i++) {
			/* Done by this call, or untouched since an earlier one marked it. */
			assert_int_equal((u32)errs[i], i < last ? 0x66666666u : 0u);
			errs[i] = 0x66666666;
		}
		assert_int_equal((u32)errs[done], 0x55555555u); /* not reached yet */
		last = done;
		assert_true(++calls < N);
	}
	assert_int_equal(rc, 0);
	assert_true(calls >= 2);
	for (unsigned int i = 0; i < N; i++) {
		assert_int_equal((u32)errs[i], i < last ? 0x66666666u : 0u);
		assert_ptr_equal(world_guest_ptr(ctl, gpfn[i] << PAGE_SHIFT),
				 world_guest_ptr(g, idx[i] << PAGE_SHIFT));
	}
	/* A progress index past the batch is refused. */
	cmd = XENMEM_add_to_physmap_batch | ((u64)(N + 1) << MEMOP_EXTENT_SHIFT);
	assert_int_equal(do_memory_op(ctl->vcpus[0], &cmd, WORLD_ARGS_GPA), -HV_EINVAL);
	for (unsigned int i = 0; i < N; i++) {
		struct xen_remove_from_physmap rm = { .domid = DOMID_SELF, .gpfn = gpfn[i] };

		assert_int_equal(memory_op(ctl, XENMEM_remove_from_physmap, &rm, sizeof(rm)), 0);
	}
}

static void test_foreign_mapping_refusals(void **state)
{
	u64 idx = RAM_GFN, gpfn = HOLE_GFN;

	(void)state;
	assert_int_equal(foreign_batch(g, 0, &idx, &gpfn, 1),
			 -HV_EPERM); /* not the control domain */
	assert_int_equal(foreign_batch(ctl, 0, &idx, &gpfn, 1), -HV_EINVAL); /* itself */
	assert_int_equal(foreign_batch(ctl, 42, &idx, &gpfn, 1), -HV_ESRCH);
	struct xen_add_to_physmap_batch b = { .domid = DOMID_SELF,
					      .space = XENMAPSPACE_gmfn_foreign,
					      .size = 4096,
					      .foreign_domid = 1 };
	assert_int_equal(memory_op(ctl, XENMEM_add_to_physmap_batch, &b, sizeof(b)), -HV_EINVAL);
	assert_null(world_guest_ptr(ctl, HOLE_GFN << PAGE_SHIFT));
}

/* The guest dies while the control domain maps its page: the page outlives it. */
static void test_foreign_frame_orphaned_then_freed(void **state)
{
	u64 idx = RAM_GFN + 0x70, gpfn = HOLE_GFN;
	struct xen_remove_from_physmap rm = { .domid = DOMID_SELF, .gpfn = HOLE_GFN };
	u64 free_after;
	struct page_info *pg;
	unsigned int flags;
	paddr_t pa;

	(void)state;
	assert_int_equal(foreign_batch(ctl, 1, &idx, &gpfn, 1), 0);
	assert_int_equal(p2m_lookup(ctl, HOLE_GFN << PAGE_SHIFT, &pa, &flags), 0);
	pg = paddr_to_page(pa);
	world_run(NULL);
	domain_destroy(g);
	world_reap();
	assert_int_equal(pg->owner, PAGE_OWNER_ORPHAN);
	free_after = world_free_pages();
	assert_int_equal(memory_op(ctl, XENMEM_remove_from_physmap, &rm, sizeof(rm)), 0);
	assert_int_equal(world_free_pages(), free_after + 1);
}

/*
 * The hypervisor writes a registered vcpu_info at every event: its page must not go back
 * to the allocator while registered (it could become someone's page table), whatever the
 * guest does with its p2m; the domain's end frees it (world_teardown() checks).
 */
static void test_vcpu_info_page_stays_while_registered(void **state)
{
	struct vcpu_register_vcpu_info *info = world_guest_ptr(g, WORLD_ARGS_GPA);
	struct xen_remove_from_physmap rm = { .domid = DOMID_SELF, .gpfn = RAM_GFN + 0x80 };
	u64 gfn = RAM_GFN + 0x80;
	u64 tot = g->tot_pages, free0 = world_free_pages();

	(void)state;
	info->mfn = gfn;
	info->offset = 64;
	info->rsvd = 0;
	world_run(g->vcpus[0]);
	assert_int_equal(do_vcpu_op(g->vcpus[0], VCPUOP_register_vcpu_info, 0, WORLD_ARGS_GPA), 0);
	assert_ptr_equal(g->vcpus[0]->vcpu_info, (u8 *)world_guest_ptr(g, gfn << PAGE_SHIFT) + 64);
	assert_int_equal(reservation(g, XENMEM_decrease_reservation, &gfn, 1), 0);
	assert_int_equal(memory_op(g, XENMEM_remove_from_physmap, &rm, sizeof(rm)), -HV_EBUSY);
	assert_int_equal(g->tot_pages, tot);
	assert_int_equal(world_free_pages(), free0);
	assert_ptr_equal(g->vcpus[0]->vcpu_info, (u8 *)world_guest_ptr(g, gfn << PAGE_SHIFT) + 64);
	/* Registering again is refused and takes no second reference. */
	info->mfn = gfn + 1;
	assert_int_equal(do_vcpu_op(g->vcpus[0], VCPUOP_register_vcpu_info, 0, WORLD_ARGS_GPA),
			 -HV_EINVAL);
	u64 other = gfn + 1;
	assert_int_equal(reservation(g, XENMEM_decrease_reservation, &other, 1), 1);
}

static void test_unknown_commands(void **state)
{
	u64 dummy = 0;

	(void)state;
	assert_int_equal(memory_op(g, 99, &dummy, sizeof(dummy)), -HV_ENOSYS);
	world_run(g->vcpus[0]);
	u64 cmd = XENMEM_add_to_physmap;
	assert_int_equal(do_memory_op(g->vcpus[0], &cmd, HOLE_GFN << PAGE_SHIFT), -HV_EFAULT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, world_teardown)
		T(test_balloon_out_and_in),
		T(test_populate_over_mapped_gfn_refused),
		T(test_reservation_refusals),
		T(test_shared_info_cannot_be_ballooned),
		T(test_shared_info_replaces_ram),
		T(test_placement_never_replaces_hypervisor_pages),
		T(test_remove_own_ram_frees_it),
		T(test_foreign_mapping_holds_a_reference),
		T(test_foreign_batch_continues),
		T(test_foreign_mapping_refusals),
		T(test_foreign_frame_orphaned_then_freed),
		T(test_vcpu_info_page_stays_while_registered),
		T(test_unknown_commands),
#undef T
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
