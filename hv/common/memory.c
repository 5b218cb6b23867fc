/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The shared_info page and the memory_op subset guests need at boot (Xen's
 * public/memory.h).
 *
 * Each domain gets a zeroed hypervisor page for its shared_info, owned by the domain
 * in the frame table so that hypercall copies reach it once it is mapped. The guest
 * maps it with XENMEM_add_to_physmap(XENMAPSPACE_shared_info) at a frame of its
 * choice; Linux picks one of its own RAM pages. As in Xen, the page then replaces
 * whatever RAM was mapped there: that RAM page stays allocated to the domain, unmapped,
 * and is freed with the rest of its RAM. Like Xen 4.17, a second mapping is refused
 * (-EBUSY) until XENMEM_remove_from_physmap took the first one away.
 *
 * Replacing one page of a 2 MiB block mapping splits the block. The Arm ARM requires
 * break-before-make for that on a live table (D8, changing the block size), so the
 * domain's other vCPUs are paused and out of the guest while the calling vCPU, which
 * is in the hypervisor, changes the table; d->physmap_busy keeps two vCPUs from
 * pausing each other.
 *
 * A vCPU of the domain may map or unmap a grant (hv/common/grant_table.c) while another
 * one is here: nothing stops it on the paths that do not pause (foreign frames), and
 * the others should not rely on the pause for it. So wherever
 * this file looks at a gfn and then changes it according to what is there, it holds
 * gnttab_mappings_lock() (the domain's maptrack_lock) from the look to the change: a
 * grant mapping (type P2M_GRANT) is then seen whole or not at all, is never taken away
 * here, and its page reference is dropped only by its unmap.
 *
 * Lock order (see hv/grant_table.h): the domain's maptrack_lock, then the p2m's lock,
 * then the page allocator's; beyond those only the scheduler's own locks.
 */
#include <hv/mm.h>
#include <hv/p2m.h>
#include <hv/arch.h>
#include <hv/cache.h>
#include <hv/domain.h>
#include <hv/errno.h>
#include <hv/evtchn.h>
#include <hv/lib.h>
#include <hv/page_alloc.h>
#include <hv/sched.h>
#include <hv/grant_table.h>
#include <hv/hypercall.h>
#include <hv/timer.h>
#include <hv/xen_abi.h>
#include <public/hvm_op.h>
#include <public/memory.h>

#define INVALID_GFN (~0ull)

/** See hv/xen_abi.h. */
int xen_domain_init(struct domain *d)
{
	struct shared_info *sh = page_alloc_va(0, PA_ZERO);
	int rc;

	if (sh == NULL) {
		return -HV_ENOMEM;
	}
	paddr_to_page(virt_to_phys(sh))->owner = d->domid;
	/* count 1: the hypervisor's page, never RAM the guest may balloon out. */
	paddr_to_page(virt_to_phys(sh))->count = PAGE_COUNT_HV;
	d->shared_info = sh;
	{
		/* The wall clock at the guest's counter 0 ~ at domain creation. */
		u64 sec, boot_ns = now_ns();
		u32 nsec;

		if (wallclock_get(&sec, &nsec)) {
			u64 t = sec * 1000000000ull + nsec + boot_ns;

			sh->wc_sec = (u32)(t / 1000000000ull);
			sh->wc_sec_hi = (u32)((t / 1000000000ull) >> 32);
			sh->wc_nsec = (u32)(t % 1000000000ull);
		}
	}
	d->shared_info_gfn = INVALID_GFN;
	for (unsigned int i = 0; i < d->nr_vcpus; i++) {
		struct vcpu *v = d->vcpus[i];

		v->vcpu_info = i < XEN_LEGACY_MAX_VCPUS ? &sh->vcpu_info[i] : &v->vcpu_info_dummy;
	}
	/* Where the guest's event upcall arrives (on Arm: the upcall PPI). */
	d->hvm_params[HVM_PARAM_CALLBACK_IRQ] = arch_domain_callback_param(d);
	rc = gnttab_domain_init(d, GNTTAB_MAX_FRAMES);
	return rc ?: evtchn_domain_init(d);
}

/** See hv/xen_abi.h. Safe on a partly initialised domain. */
void xen_domain_destroy(struct domain *d)
{
	for (unsigned int i = 0; i < d->nr_vcpus && d->vcpus != NULL; i++) {
		if (d->vcpus[i] != NULL) {
			vcpu_info_release(d->vcpus[i]);
		}
	}
	evtchn_domain_destroy(d);
	gnttab_domain_destroy(d);
	if (d->shared_info != NULL) {
		paddr_to_page(virt_to_phys(d->shared_info))->owner = PAGE_OWNER_HV;
		page_free_va(d->shared_info, 0);
		d->shared_info = NULL;
	}
}

/*
 * Serialises p2m changes of d's vCPUs and, with pause, takes every vCPU of d but cur out
 * of the guest. False if another vCPU of d is doing it now: the caller then returns
 * -HV_ERESTART, so that its vCPU goes back to the guest (where the other one's pause
 * can take it) and issues the hypercall again. It must not wait here: the other vCPU
 * may be waiting for this one to leave the hypervisor.
 */
static bool physmap_begin(struct domain *d, struct vcpu *cur, bool pause)
{
	u32 idle = 0;

	if (!__atomic_compare_exchange_n(&d->physmap_busy, &idle, pause ? 2 : 1, false,
					 __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
		return false;
	}
	if (!pause) {
		return true;
	}
	for (unsigned int i = 0; i < d->nr_vcpus; i++) {
		if (d->vcpus[i] != cur) {
			vcpu_pause_nosync(d->vcpus[i]);
		}
	}
	for (unsigned int i = 0; i < d->nr_vcpus; i++) {
		while (d->vcpus[i] != cur &&
		       __atomic_load_n(&d->vcpus[i]->loaded, __ATOMIC_ACQUIRE)) {
			arch_cpu_relax();
		}
	}
	return true;
}

static void physmap_end(struct domain *d, struct vcpu *cur)
{
	bool paused = __atomic_load_n(&d->physmap_busy, __ATOMIC_RELAXED) == 2;

	for (unsigned int i = 0; i < d->nr_vcpus && paused; i++) {
		if (d->vcpus[i] != cur) {
			vcpu_unpause(d->vcpus[i]);
		}
	}
	__atomic_store_n(&d->physmap_busy, 0, __ATOMIC_RELEASE);
}

/*
 * Maps pa at gpa of d in place of what is there: nothing, or d's own RAM page, which is
 * unmapped and returned in *old for the caller to free. Anything else there is -EINVAL
 * or -EBUSY, and nothing changes. The look and the change are one step under
 * gnttab_mappings_lock() (see the top of the file).
 */
static long physmap_replace(struct domain *d, gpaddr_t gpa, paddr_t pa, struct page_info **old)
{
	unsigned long lockf = gnttab_mappings_lock(d);
	paddr_t old_pa = INVALID_PADDR;
	unsigned int old_flags = 0;
	long rc;

	*old = NULL;
	if (p2m_lookup(d, gpa, &old_pa, &old_flags) == 0) {
		struct page_info *pg = paddr_to_page(old_pa);

		/* Only the domain's own RAM may be replaced, never a device mapping. */
		if ((old_flags & P2M_MEM_MASK) != P2M_MEM_NORMAL || pg == NULL ||
		    pg->owner != d->domid || pg->state != PGS_ALLOCATED) {
			rc = -HV_EINVAL;
			goto out;
		}
		/*
		 * Nor a page the hypervisor placed there (shared_info, a grant frame: its
		 * record of where it is would go stale) or one another domain maps now.
		 */
		if (pg->count != 0 || (old_flags & P2M_GRANT)) {
			rc = -HV_EBUSY;
			goto out;
		}
		rc = p2m_unmap(d, gpa, PAGE_SIZE);
		if (rc != 0) {
			goto out;
		}
		*old = pg;
	}
	rc = p2m_map(d, gpa, pa, PAGE_SIZE, P2M_MEM_NORMAL);
	if (rc != 0 && *old != NULL) {
		/* Put the RAM back; a 4 KiB entry whose table exists already. */
		(void)p2m_map(d, gpa, old_pa, PAGE_SIZE, old_flags);
		*old = NULL;
	}
out:
	gnttab_mappings_unlock(d, lockf);
	return rc;
}

/*
 * Maps the hypervisor-allocated page at pa (owned by d) at gfn, replacing (and freeing)
 * the RAM page there if there is one; anything else there is -EINVAL or -EBUSY. *where records the gfn it is mapped at (INVALID_GFN: nowhere);
 * a page already mapped elsewhere is moved when allow_move, else -EBUSY (Xen 4.17's
 * rule for shared_info).
 */
static long physmap_place(struct vcpu *cur, paddr_t pa, u64 gfn, u64 *where, bool allow_move)
{
	struct domain *d = cur->domain;
	struct page_info *old = NULL;
	gpaddr_t gpa;
	long rc;

	if (!p2m_gfn_valid(d, gfn)) {
		return -HV_EINVAL;
	}
	gpa = gfn << PAGE_SHIFT;
	if (mmio_find(d, gpa) != NULL) {
		return -HV_EINVAL; /* an emulated device's frame */
	}
	if (!physmap_begin(d, cur, true)) {
		return -HV_ERESTART;
	}
	if (*where == gfn) {
		rc = 0;
		goto out;
	}
	if (*where != INVALID_GFN) {
		if (!allow_move) {
			rc = -HV_EBUSY; /* remove it first (Xen 4.17) */
			goto out;
		}
		rc = p2m_unmap(d, *where << PAGE_SHIFT, PAGE_SIZE);
		if (rc != 0) {
			goto out;
		}
		*where = INVALID_GFN;
	}
	rc = physmap_replace(d, gpa, pa, &old);
	if (rc != 0) {
		goto out;
	}
	if (old != NULL) {
		/* The RAM page it replaced goes back to the allocator (Xen's guest_remove_page). */
		page_release_owned(old, d->domid);
		d->tot_pages--;
	}
	*where = gfn;
out:
	physmap_end(d, cur);
	return rc;
}

/* Maps d's shared_info page at gfn. */
static long shared_info_map(struct vcpu *cur, u64 gfn)
{
	struct domain *d = cur->domain;

	return physmap_place(cur, virt_to_phys(d->shared_info), gfn, &d->shared_info_gfn, false);
}

/* Maps grant-table frame idx of the caller's domain at gfn (growing the table). */
static long grant_frame_map(struct vcpu *cur, u64 idx, u64 gfn)
{
	struct domain *d = cur->domain;
	paddr_t pa;
	int rc = gnttab_get_frame(d, idx, &pa);

	if (rc != 0) {
		return rc;
	}
	return physmap_place(cur, pa, gfn, &d->gnttab.frame_gfn[idx], true);
}

static long xenmem_add_to_physmap(struct vcpu *cur, const struct xen_add_to_physmap *x)
{
	struct domain *d = cur->domain;

	/* Mapping into other domains is for the toolstack (privileged): not yet. */
	if (x->domid != DOMID_SELF && x->domid != d->domid) {
		return domain_refuse_other(x->domid);
	}
	switch (x->space) {
	case XENMAPSPACE_shared_info:
		if (x->idx != 0) {
			return -HV_EINVAL;
		}
		return shared_info_map(cur, x->gpfn);
	case XENMAPSPACE_grant_table:
		/* v1 shared frames only: XENMAPIDX_grant_table_status (bit 31) is v2's. */
		return grant_frame_map(cur, x->idx, x->gpfn);
	case XENMAPSPACE_gmfn:
	case XENMAPSPACE_gmfn_range:
	case XENMAPSPACE_gmfn_foreign:
	case XENMAPSPACE_dev_mmio:
		return -HV_ENOSYS; /* not yet */
	default:
		return -HV_EINVAL;
	}
}

/*
 * Takes whatever d has at gfn out of its p2m (caller in physmap_begin()): a frame of
 * another domain (foreign mapping) drops its reference, d's own RAM is freed (as
 * XENMEM_decrease_reservation). Grant mappings go with unmap_grant_ref, and hypervisor
 * pages (grant frames) and devices stay. The look and the removal are one step under
 * gnttab_mappings_lock(): a grant map or unmap on another vCPU comes before or after it.
 */
static long physmap_remove_gfn(struct domain *d, u64 gfn)
{
	struct page_info *pg;
	unsigned int flags;
	unsigned long lockf;
	paddr_t pa;
	long rc;

	if (!p2m_gfn_valid(d, gfn)) {
		return -HV_ENOENT;
	}
	lockf = gnttab_mappings_lock(d);
	if (p2m_lookup(d, gfn << PAGE_SHIFT, &pa, &flags) != 0) {
		rc = -HV_ENOENT;
		goto out;
	}
	pg = paddr_to_page(pa);
	if ((flags & P2M_MEM_MASK) != P2M_MEM_NORMAL || (flags & P2M_GRANT) || pg == NULL ||
	    pg->state != PGS_ALLOCATED || (pg->count & PAGE_COUNT_HV)) {
		rc = -HV_EINVAL;
		goto out;
	}
	if (pg->owner == d->domid && pg->count != 0) {
		rc = -HV_EBUSY; /* its RAM, mapped by another domain right now */
		goto out;
	}
	if (pg->owner != d->domid && !d->privileged) {
		rc = -HV_EINVAL; /* only the control domain has foreign frames: a grant */
		goto out;
	}
	rc = p2m_unmap(d, gfn << PAGE_SHIFT, PAGE_SIZE);
	if (rc != 0) {
		goto out;
	}
	if (pg->owner == d->domid) {
		/* Freed now, or by the last reference someone took meanwhile. */
		page_release_owned(pg, d->domid);
		d->tot_pages--;
	} else {
		page_put_ref(pg); /* a foreign frame (see foreign_map_one()) */
	}
out:
	gnttab_mappings_unlock(d, lockf);
	return rc;
}

/*
 * True if gfn of d maps a RAM frame of another domain (not a grant mapping): a hint to
 * pick the path, which physmap_remove_gfn() checks again under the lock.
 */
static bool gfn_holds_foreign(struct domain *d, u64 gfn)
{
	struct page_info *pg;
	unsigned int flags;
	paddr_t pa;

	if (!p2m_gfn_valid(d, gfn) || p2m_lookup(d, gfn << PAGE_SHIFT, &pa, &flags) != 0) {
		return false;
	}
	pg = paddr_to_page(pa);
	return pg != NULL && pg->state == PGS_ALLOCATED && pg->owner != d->domid &&
	       !(pg->count & PAGE_COUNT_HV) && !(flags & P2M_GRANT);
}

static long xenmem_remove_from_physmap(struct vcpu *cur, const struct xen_remove_from_physmap *x)
{
	struct domain *d = cur->domain;
	long rc;

	if (x->domid != DOMID_SELF && x->domid != d->domid) {
		return domain_refuse_other(x->domid);
	}
	/*
	 * A frame of another domain was mapped as a single 4 KiB entry (foreign_map_one()),
	 * which can go without break-before-make: no need to stop the other vCPUs (the
	 * domain builder unmaps thousands of them). RAM may sit in a block: pause then.
	 */
	if (!physmap_begin(d, cur, false)) {
		return -HV_ERESTART;
	}
	if (gfn_holds_foreign(d, x->gpfn)) {
		rc = physmap_remove_gfn(d, x->gpfn);
		physmap_end(d, cur);
		return rc;
	}
	physmap_end(d, cur);
	if (!physmap_begin(d, cur, true)) {
		return -HV_ERESTART;
	}
	if (d->shared_info_gfn != INVALID_GFN && x->gpfn == d->shared_info_gfn) {
		rc = p2m_unmap(d, x->gpfn << PAGE_SHIFT, PAGE_SIZE);
		if (rc == 0) {
			d->shared_info_gfn = INVALID_GFN;
		}
	} else {
		rc = physmap_remove_gfn(d, x->gpfn);
	}
	physmap_end(d, cur);
	return rc;
}

/*
 * One frame of XENMEM_add_to_physmap_batch(gmfn_foreign): frame idx of domain fd appears
 * at gpfn of the caller's domain d, holding a reference on the page until
 * XENMEM_remove_from_physmap takes it away. What d had at gpfn goes first (RAM freed,
 * an older foreign frame released).
 */
static long foreign_map_one(struct vcpu *cur, struct domain *fd, u64 idx, u64 gpfn)
{
	struct domain *d = cur->domain;
	struct page_info *pg;
	unsigned int flags;
	paddr_t pa;
	bool mapped;
	long rc;

	if (!p2m_gfn_valid(d, gpfn) || mmio_find(d, gpfn << PAGE_SHIFT) != NULL ||
	    !p2m_gfn_valid(fd, idx) || p2m_lookup(fd, idx << PAGE_SHIFT, &pa, &flags) != 0 ||
	    (flags & P2M_MEM_MASK) != P2M_MEM_NORMAL) {
		return -HV_EINVAL;
	}
	pg = paddr_to_page(pa);
	if (pg == NULL || !page_get_ref(pg, fd->domid)) {
		return -HV_EINVAL; /* not the domain's RAM (a hypervisor page, a device) */
	}
	/* Changing a live entry may split a block (break-before-make): pause d then. */
	if (!physmap_begin(d, cur, false)) {
		page_put_ref(pg);
		return -HV_ERESTART;
	}
	mapped = p2m_lookup(d, gpfn << PAGE_SHIFT, &pa, &flags) == 0;
	if (mapped) {
		physmap_end(d, cur);
		if (!physmap_begin(d, cur, true)) {
			page_put_ref(pg);
			return -HV_ERESTART;
		}
	}
	rc = mapped ? physmap_remove_gfn(d, gpfn) : 0;
	if (rc == 0) {
		rc = p2m_map(d, gpfn << PAGE_SHIFT, page_to_paddr(pg), PAGE_SIZE, P2M_MEM_NORMAL);
	}
	physmap_end(d, cur);
	if (rc != 0) {
		page_put_ref(pg);
	}
	return rc;
}

#define PHYSMAP_BATCH_MAX 1024	  /* frames in one XENMEM_add_to_physmap_batch */
#define PHYSMAP_BATCH_PER_CALL 64 /* of them mapped before the call continues */

/*
 * XENMEM_add_to_physmap_batch(gmfn_foreign), from entry *start on: at most
 * PHYSMAP_BATCH_PER_CALL entries per call, then (or when another vCPU holds the p2m)
 * -HV_ERESTART with *start at the first entry not done yet.
 */
static long xenmem_add_to_physmap_batch(struct vcpu *cur, const struct xen_add_to_physmap_batch *b,
					u64 *start)
{
	struct domain *d = cur->domain, *fd;

	if (b->domid != DOMID_SELF && b->domid != d->domid) {
		return -HV_EPERM;
	}
	if (b->space != XENMAPSPACE_gmfn_foreign) {
		return -HV_EOPNOTSUPP;
	}
	/* Only the control domain maps other domains' memory (the domain builder, backends). */
	if (!d->privileged) {
		return -HV_EPERM;
	}
	if (b->size > PHYSMAP_BATCH_MAX) {
		return -HV_EINVAL;
	}
	if (b->foreign_domid == d->domid || b->foreign_domid == DOMID_SELF) {
		return -HV_EINVAL;
	}
	if (*start > b->size) {
		return -HV_EINVAL;
	}
	fd = domain_get_by_id(b->foreign_domid);
	if (fd == NULL) {
		return -HV_ESRCH;
	}
	for (u64 i = *start; i < b->size; i++) {
		u64 idx, gpfn;
		s32 err;

		if (i - *start == PHYSMAP_BATCH_PER_CALL) {
			*start = i; /* preempted: the rest in the next call */
			domain_put(fd);
			return -HV_ERESTART;
		}

		if (copy_from_guest_va(cur, &idx, b->idxs + i * 8, 8) != 0 ||
		    copy_from_guest_va(cur, &gpfn, b->gpfns + i * 8, 8) != 0) {
			domain_put(fd);
			return -HV_EFAULT;
		}
		err = (s32)foreign_map_one(cur, fd, idx, gpfn);
		if (err == -HV_ERESTART) {
			/* From this entry on, once the other vCPU is done with the p2m. */
			*start = i;
			domain_put(fd);
			return -HV_ERESTART;
		}
		if (copy_to_guest_va(cur, b->errs + i * 4, &err, 4) != 0) {
			domain_put(fd);
			return -HV_EFAULT;
		}
	}
	domain_put(fd);
	return 0;
}

/*
 * Bits 6 and up of memory_op's cmd (Xen's continuation index) carry
 * add_to_physmap_batch's progress; the other commands ignore them.
 */
#define BALLOON_MAX_EXTENTS 4096 /* per call; the guest calls again for more */

/*
 * What decrease_reservation and populate_physmap check first: the caller's own domain,
 * single pages, a bounded count; then the p2m is theirs (physmap_begin(), paused).
 */
static long reservation_begin(struct vcpu *cur, const struct xen_memory_reservation *r)
{
	struct domain *d = cur->domain;

	if (r->domid != DOMID_SELF && r->domid != d->domid) {
		return -HV_EPERM;
	}
	if (r->extent_order != 0 || r->nr_extents > BALLOON_MAX_EXTENTS) {
		return -HV_EINVAL;
	}
	return physmap_begin(d, cur, true) ? 0 : -HV_ERESTART;
}

/*
 * XENMEM_decrease_reservation: the guest gives RAM pages back (balloon out). Each
 * extent (order 0 only) must be a page of its own RAM; it is unmapped and freed.
 * Returns how many extents were done, as Xen does.
 */
static long xenmem_decrease(struct vcpu *cur, const struct xen_memory_reservation *r)
{
	struct domain *d = cur->domain;
	u64 done = 0;

	long rc = reservation_begin(cur, r);

	if (rc != 0) {
		return rc;
	}
	for (; done < r->nr_extents; done++) {
		struct page_info *pg = NULL;
		unsigned long lockf;
		unsigned int flags;
		paddr_t pa;
		u64 gfn;

		if (copy_from_guest_va(cur, &gfn, r->extent_start + done * 8, 8) != 0 ||
		    !p2m_gfn_valid(d, gfn)) {
			break;
		}
		/* The look and the unmap in one step (see the top of the file). */
		lockf = gnttab_mappings_lock(d);
		if (p2m_lookup(d, gfn << PAGE_SHIFT, &pa, &flags) == 0 &&
		    (flags & P2M_MEM_MASK) == P2M_MEM_NORMAL && !(flags & P2M_GRANT)) {
			pg = paddr_to_page(pa);
		}
		if (pg == NULL || pg->owner != d->domid || pg->count != 0 ||
		    pg->state != PGS_ALLOCATED || p2m_unmap(d, gfn << PAGE_SHIFT, PAGE_SIZE) != 0) {
			/* not its RAM, a grant mapping, or a hypervisor page (shared_info, grants) */
			gnttab_mappings_unlock(d, lockf);
			break;
		}
		gnttab_mappings_unlock(d, lockf);
		page_release_owned(pg, d->domid);
		d->tot_pages--;
	}
	physmap_end(d, cur);
	return (long)done;
}

/*
 * XENMEM_populate_physmap: the guest asks for RAM back at unmapped GFNs (balloon in),
 * never beyond the memory it was created with. A direct-mapped Dom0 gets the very frame
 * (IPA = PA) if it is still free; if someone else has it now, the extent fails and Linux
 * keeps the page ballooned. Returns how many extents were done.
 */
static long xenmem_populate(struct vcpu *cur, const struct xen_memory_reservation *r)
{
	struct domain *d = cur->domain;
	u64 done = 0;

	long rc = reservation_begin(cur, r);

	if (rc != 0) {
		return rc;
	}
	for (; done < r->nr_extents && d->tot_pages < d->max_pages; done++) {
		u64 gfn;
		paddr_t pa;
		unsigned int flags;
		struct page_info *pg;

		if (copy_from_guest_va(cur, &gfn, r->extent_start + done * 8, 8) != 0 ||
		    !p2m_gfn_valid(d, gfn) || p2m_lookup(d, gfn << PAGE_SHIFT, &pa, &flags) == 0 ||
		    mmio_find(d, gfn << PAGE_SHIFT) != NULL) {
			break;
		}
		pg = d->direct_map ? page_alloc_at(_mfn(gfn)) : page_alloc(0, PA_ZERO);
		if (pg == NULL) {
			break;
		}
		if (d->direct_map) {
			/* As page_alloc(PA_ZERO) does: zeroed, and cleaned to PoC. */
			memset(phys_to_virt(page_to_paddr(pg)), 0, PAGE_SIZE);
			dcache_clean_range(phys_to_virt(page_to_paddr(pg)), PAGE_SIZE);
		}
		if (domain_add_ram_block(d, pg, 0, gfn << PAGE_SHIFT) != 0) {
			page_free(pg, 0);
			break;
		}
	}
	physmap_end(d, cur);
	return (long)done;
}

/** See hv/xen_abi.h. */
long do_memory_op(struct vcpu *v, u64 *cmdp, u64 arg)
{
	u64 cmd = *cmdp, start = cmd >> MEMOP_EXTENT_SHIFT;
	long rc;

	union {
		struct xen_add_to_physmap add;
		struct xen_add_to_physmap_batch batch;
		struct xen_remove_from_physmap remove;
		struct xen_memory_reservation res;
	} u;

	switch (cmd & MEMOP_CMD_MASK) {
	case XENMEM_add_to_physmap:
		if (copy_from_guest_va(v, &u.add, arg, sizeof(u.add)) != 0) {
			return -HV_EFAULT;
		}
		return xenmem_add_to_physmap(v, &u.add);
	case XENMEM_add_to_physmap_batch:
		if (copy_from_guest_va(v, &u.batch, arg, sizeof(u.batch)) != 0) {
			return -HV_EFAULT;
		}
		rc = xenmem_add_to_physmap_batch(v, &u.batch, &start);
		if (rc == -HV_ERESTART) {
			*cmdp = (cmd & MEMOP_CMD_MASK) | (start << MEMOP_EXTENT_SHIFT);
		}
		return rc;
	case XENMEM_remove_from_physmap:
		if (copy_from_guest_va(v, &u.remove, arg, sizeof(u.remove)) != 0) {
			return -HV_EFAULT;
		}
		return xenmem_remove_from_physmap(v, &u.remove);
	case XENMEM_decrease_reservation:
	case XENMEM_populate_physmap:
		if (copy_from_guest_va(v, &u.res, arg, sizeof(u.res)) != 0) {
			return -HV_EFAULT;
		}
		return (cmd & MEMOP_CMD_MASK) == XENMEM_decrease_reservation
			       ? xenmem_decrease(v, &u.res)
			       : xenmem_populate(v, &u.res);
	default:
		/* increase_reservation, batch, acquire_resource: later. */
		return -HV_ENOSYS;
	}
}
