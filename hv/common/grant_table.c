/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Grant tables, version 1 (see hv/grant_table.h). What a guest needs to set its table
 * up: GNTTABOP_query_size, set_version (v1 only, as Xen on Arm), get_version, and the
 * frames for XENMEM_add_to_physmap.
 */
#include <asm/cache.h>
#include <asm/mm.h>
#include <hv/domain.h>
#include <hv/errno.h>
#include <hv/grant_table.h>
#include <hv/log.h>
#include <hv/page_alloc.h>
#include <public/grant_table.h>

#define NO_GFN (~0ull)
#define GNTTAB_MAX_BATCH 64 /* uops handled per call; more is -EINVAL (no continuations) */

/* Allocates frames until there are at least n. Lock held. */
static int gnttab_grow(struct domain *d, unsigned int n)
{
	struct gnttab *gt = &d->gnttab;

	while (gt->nr_frames < n) {
		void *f = page_alloc_va(0, PA_ZERO);

		if (f == NULL) {
			return -HV_ENOMEM;
		}
		/* Owned by the domain so its own hypercall copies may touch it. */
		paddr_to_page(virt_to_phys(f))->owner = d->domid;
		paddr_to_page(virt_to_phys(f))->count = 1; /* not balloonable RAM */
		gt->frames[gt->nr_frames] = f;
		gt->frame_gfn[gt->nr_frames] = NO_GFN;
		gt->nr_frames++;
	}
	return 0;
}

/** See hv/grant_table.h. */
int gnttab_domain_init(struct domain *d, unsigned int max_frames)
{
	struct gnttab *gt = &d->gnttab;

	spin_lock_init(&gt->lock);
	gt->nr_frames = 0;
	gt->max_frames = MIN(MAX(max_frames, 1u), (unsigned int)GNTTAB_MAX_FRAMES);
	return gnttab_grow(d, 1); /* INITIAL_NR_GRANT_FRAMES is 1 on Arm */
}

/** See hv/grant_table.h. Safe on a partly initialised table. */
void gnttab_domain_destroy(struct domain *d)
{
	struct gnttab *gt = &d->gnttab;

	for (unsigned int i = 0; i < gt->nr_frames; i++) {
		paddr_to_page(virt_to_phys(gt->frames[i]))->owner = PAGE_OWNER_HV;
		page_free_va(gt->frames[i], 0);
		gt->frames[i] = NULL;
	}
	gt->nr_frames = 0;
}

/** See hv/grant_table.h. */
int gnttab_get_frame(struct domain *d, u64 idx, paddr_t *pa)
{
	struct gnttab *gt = &d->gnttab;
	unsigned long flags;
	int rc;

	if (idx >= gt->max_frames) {
		return -HV_EINVAL;
	}
	spin_lock_irqsave(&gt->lock, flags);
	rc = gnttab_grow(d, (unsigned int)idx + 1);
	if (rc == 0) {
		*pa = virt_to_phys(gt->frames[idx]);
	}
	spin_unlock_irqrestore(&gt->lock, flags);
	return rc;
}

static bool is_self(const struct domain *d, u16 dom)
{
	return dom == DOMID_SELF || dom == d->domid;
}

static long gnttab_query_size(struct vcpu *v, u64 uop, u64 count)
{
	struct domain *d = v->domain;

	for (u64 i = 0; i < count; i++) {
		struct gnttab_query_size q;
		u64 va = uop + i * sizeof(q);

		if (copy_from_guest_va(v, &q, va, sizeof(q)) != 0) {
			return -HV_EFAULT;
		}
		if (!is_self(d, q.dom)) {
			q.status =
				GNTST_permission_denied; /* other domains: the toolstack's, later */
		} else {
			q.nr_frames = d->gnttab.nr_frames;
			q.max_nr_frames = d->gnttab.max_frames;
			q.status = GNTST_okay;
		}
		if (copy_to_guest_va(v, va, &q, sizeof(q)) != 0) {
			return -HV_EFAULT;
		}
	}
	return 0;
}

static long gnttab_set_version(struct vcpu *v, u64 uop)
{
	struct gnttab_set_version sv;

	if (copy_from_guest_va(v, &sv, uop, sizeof(sv)) != 0) {
		return -HV_EFAULT;
	}
	/* Arm Xen: v1 only; asking for v2 is -ENOSYS ("behave as before set_version"). */
	if (sv.version == 2) {
		return -HV_ENOSYS;
	}
	if (sv.version != 1) {
		return -HV_EINVAL;
	}
	return 0;
}

static long gnttab_get_version(struct vcpu *v, u64 uop)
{
	struct gnttab_get_version gv;

	if (copy_from_guest_va(v, &gv, uop, sizeof(gv)) != 0) {
		return -HV_EFAULT;
	}
	if (!is_self(v->domain, gv.dom)) {
		return -HV_EPERM;
	}
	gv.version = 1;
	return copy_to_guest_va(v, uop, &gv, sizeof(gv)) ? -HV_EFAULT : 0;
}

/*
 * GNTTABOP_cache_flush: clean and/or invalidate part of one of the caller's own pages by
 * machine address (direct-mapped Dom0 uses it around DMA). Grant references as the
 * source come with grant mapping. Linux probes support with op 0 and length 0.
 */
static long gnttab_cache_flush(struct vcpu *v, u64 uop, u64 count)
{
	for (u64 i = 0; i < count; i++) {
		struct gnttab_cache_flush cf;
		struct page_info *pg;

		if (copy_from_guest_va(v, &cf, uop + i * sizeof(cf), sizeof(cf)) != 0) {
			return -HV_EFAULT;
		}
		if (cf.op == 0 && cf.length == 0) {
			continue;
		}
		if ((cf.op & GNTTAB_CACHE_SOURCE_GREF) ||
		    (cf.op & ~(GNTTAB_CACHE_CLEAN | GNTTAB_CACHE_INVAL)) ||
		    (u32)cf.offset + cf.length > PAGE_SIZE) {
			return cf.op & GNTTAB_CACHE_SOURCE_GREF ? -HV_EOPNOTSUPP : -HV_EINVAL;
		}
		pg = paddr_to_page(cf.a.dev_bus_addr);
		if (pg == NULL || pg->owner != v->domain->domid || pg->state != PGS_ALLOCATED) {
			return -HV_EPERM;
		}
		if (cf.length > 0) {
			void *va = phys_to_virt((cf.a.dev_bus_addr & PAGE_MASK) + cf.offset);

			if (cf.op & GNTTAB_CACHE_INVAL) {
				dcache_clean_inval_range(va, cf.length);
			} else {
				dcache_clean_range(va, cf.length);
			}
		}
	}
	return 0;
}

/** See hv/grant_table.h. */
long do_grant_table_op(struct vcpu *v, u64 cmd, u64 uop, u64 count)
{
	if (count > GNTTAB_MAX_BATCH) {
		return -HV_EINVAL;
	}
	switch (cmd) {
	case GNTTABOP_query_size:
		return gnttab_query_size(v, uop, count);
	case GNTTABOP_set_version:
		return count == 1 ? gnttab_set_version(v, uop) : -HV_EINVAL;
	case GNTTABOP_get_version:
		return count == 1 ? gnttab_get_version(v, uop) : -HV_EINVAL;
	case GNTTABOP_cache_flush:
		return gnttab_cache_flush(v, uop, count);
	default:
		return -HV_ENOSYS;
	}
}
