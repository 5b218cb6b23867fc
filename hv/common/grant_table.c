/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Grant tables, version 1 (see hv/grant_table.h): GNTTABOP_query_size, setup_table,
 * set_version (v1 only, as Xen on Arm), get_version, the frames for
 * XENMEM_add_to_physmap, and between domains map_grant_ref, unmap_grant_ref and copy
 * (Xen's public/grant_table.h and common/grant_table.c).
 */
#include <hv/arch.h>
#include <hv/cache.h>
#include <hv/mm.h>
#include <hv/domain.h>
#include <hv/errno.h>
#include <hv/grant_table.h>
#include <hv/log.h>
#include <hv/p2m.h>
#include <hv/page_alloc.h>
#include <public/grant_table.h>
#include <public/xen.h>

#define NO_GFN (~0ull)
#define GNTTAB_MAX_BATCH 512 /* uops in one call; more is -EINVAL */
#define GNTTAB_PER_CALL 32   /* map, unmap or copy uops done before the call continues */
#define ENTRIES_PER_FRAME (PAGE_SIZE / sizeof(struct grant_entry_v1))
#define MAPTRACK_PER_PAGE (PAGE_SIZE / sizeof(struct gnttab_maptrack))
#define GRANT_CLAIM_TRIES 64 /* attempts to claim an entry the granter keeps changing */
#define MAPTRACK_IN_USE 1u
#define MAPTRACK_RO 2u
#define MAPTRACK_NONE (~0u) /* the end of the free list */

/* Allocates frames until there are at least n. Lock held. */
static int gnttab_grow(struct domain *d, unsigned int n)
{
	struct gnttab *gt = &d->gnttab;

	while (gt->nr_frames < n) {
		void *f = page_alloc_va(0, PA_ZERO);
		struct gnttab_active *act = page_alloc_va(0, PA_ZERO);

		if (f == NULL || act == NULL) {
			page_free_va(f, 0);
			page_free_va(act, 0);
			return -HV_ENOMEM;
		}
		gt->active[gt->nr_frames] = act;
		/* Owned by the domain so its own hypercall copies may touch it. */
		paddr_to_page(virt_to_phys(f))->owner = d->domid;
		paddr_to_page(virt_to_phys(f))->count = PAGE_COUNT_HV; /* not RAM */
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
	spin_lock_init(&gt->maptrack_lock);
	gt->maptrack_head = MAPTRACK_NONE;
	gt->maptrack_tail = MAPTRACK_NONE;
	gt->nr_frames = 0;
	gt->max_frames = MIN(MAX(max_frames, 1u), (unsigned int)GNTTAB_MAX_FRAMES);
	return gnttab_grow(d, 1); /* INITIAL_NR_GRANT_FRAMES is 1 on Arm */
}

static void maptrack_release_all(struct domain *d);

/** See hv/grant_table.h. Safe on a partly initialised table. */
void gnttab_domain_destroy(struct domain *d)
{
	struct gnttab *gt = &d->gnttab;

	maptrack_release_all(d);
	for (unsigned int i = 0; i < gt->nr_frames; i++) {
		page_free_va(gt->active[i], 0);
		gt->active[i] = NULL;
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
			/* Other domains: the toolstack's, later (Xen: bad_domain if none). */
			q.status = domain_refuse_other(q.dom) == -HV_ESRCH
					   ? GNTST_bad_domain
					   : GNTST_permission_denied;
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
 * machine address (direct-mapped Dom0 uses it around DMA; other domains are refused). Grant references as the
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
		/* By machine address: only a direct-mapped domain knows any (see grant_map_one()). */
		if (!v->domain->direct_map) {
			return -HV_EPERM;
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

/* The grant entry 'ref' of d and its pin counts; NULL if past the table. Lock held. */
static struct grant_entry_v1 *entry_of(struct domain *d, u32 ref, struct gnttab_active **act)
{
	struct gnttab *gt = &d->gnttab;
	u32 frame = ref / ENTRIES_PER_FRAME;

	if (frame >= gt->nr_frames) {
		return NULL;
	}
	if (act != NULL) {
		*act = &gt->active[frame][ref % ENTRIES_PER_FRAME];
	}
	return &((struct grant_entry_v1 *)gt->frames[frame])[ref % ENTRIES_PER_FRAME];
}

/** See hv/grant_table.h. */
int gnttab_seed_entry(struct domain *d, u32 ref, u16 grantee, u64 gfn)
{
	struct grant_entry_v1 *e;
	unsigned long flags;

	if (ref >= ENTRIES_PER_FRAME || gfn > 0xFFFFFFFFull) {
		return -HV_EINVAL;
	}
	spin_lock_irqsave(&d->gnttab.lock, flags);
	e = entry_of(d, ref, NULL);
	e->domid = grantee;
	e->frame = (u32)gfn;
	__atomic_store_n(&e->flags, (u16)GTF_permit_access, __ATOMIC_RELEASE);
	spin_unlock_irqrestore(&d->gnttab.lock, flags);
	return 0;
}

/*
 * The machine frame behind guest frame gfn of d if it is d's RAM, with a page
 * reference taken for a mapping or copy elsewhere; NULL otherwise.
 */
static struct page_info *get_ram_frame(struct domain *d, u64 gfn)
{
	struct page_info *pg;
	unsigned int flags;
	paddr_t pa;

	if (!p2m_gfn_valid(d, gfn) || p2m_lookup(d, gfn << PAGE_SHIFT, &pa, &flags) != 0 ||
	    (flags & P2M_MEM_MASK) != P2M_MEM_NORMAL) {
		return NULL;
	}
	pg = paddr_to_page(pa);
	return pg != NULL && page_get_ref(pg, d->domid) ? pg : NULL;
}

/* What a pin is for: a mapping (until unmapped) or a copy (transient, for one uop). */
enum pin_kind { PIN_MAP, PIN_COPY };

/* The pin counter of act for a use of this kind and access. */
static u16 *pin_counter(struct gnttab_active *act, enum pin_kind kind, bool readonly)
{
	if (kind == PIN_MAP) {
		return readonly ? &act->pin_ro : &act->pin_rw;
	}
	return readonly ? &act->copy_ro : &act->copy_rw;
}

/*
 * Clears the GTF_writing / GTF_reading flags of e that no pin in act justifies any more
 * (the granter sees them go when the last user of its frame is done). Lock held.
 */
static void pins_sync_flags(struct grant_entry_v1 *e, const struct gnttab_active *act)
{
	u16 clear = 0;

	if (act->pin_rw == 0 && act->copy_rw == 0) {
		clear |= GTF_writing;
		if (act->pin_ro == 0 && act->copy_ro == 0) {
			clear |= GTF_reading;
		}
	}
	if (clear != 0) {
		__atomic_fetch_and(&e->flags, (u16)~clear, __ATOMIC_RELEASE);
	}
}

/*
 * Claims grant entry e for domain 'user': checks it against what the granter wrote and
 * sets GTF_reading (and GTF_writing unless readonly) in one compare-and-exchange of its
 * flags and domid, so the granter sees either the claim or its own change. A granter
 * rewriting the entry on another vCPU can make every attempt fail: after
 * GRANT_CLAIM_TRIES the claim fails with GNTST_general_error instead of spinning with
 * the lock held (Xen's _set_status_v1() in common/grant_table.c gives up the same way,
 * after five attempts). GNTST_* status.
 */
static int grant_claim(struct grant_entry_v1 *e, domid_t user, bool readonly)
{
	u32 word = __atomic_load_n((u32 *)e, __ATOMIC_ACQUIRE);

	for (unsigned int tries = 0; tries < GRANT_CLAIM_TRIES; tries++) {
		u16 eflags = (u16)word, edom = (u16)(word >> 16);
		u16 want = eflags | GTF_reading | (readonly ? 0 : GTF_writing);

		if ((eflags & GTF_type_mask) != GTF_permit_access || edom != user) {
			return GNTST_permission_denied;
		}
		if (!readonly && (eflags & GTF_readonly)) {
			return GNTST_permission_denied;
		}
		/* On failure 'word' is what the guest has written meanwhile: check that. */
		if (arch_guest_cmpxchg32((u32 *)e, &word, (word & 0xFFFF0000u) | want)) {
			return GNTST_okay;
		}
	}
	return GNTST_general_error;
}

/*
 * Pins grant 'ref' of granter gd for use by domain 'user' (readonly or not), for a
 * mapping or a copy: claims the entry (GTF_reading/GTF_writing), counts the pin in
 * its active entry and returns the frame with a page reference. GNTST_* status;
 * nothing is left pinned on failure.
 */
static int grant_acquire(struct domain *gd, u32 ref, domid_t user, bool readonly,
			 enum pin_kind kind, struct page_info **out)
{
	struct gnttab_active *act;
	struct grant_entry_v1 *e;
	unsigned long flags;
	u16 *pins;
	int st;

	*out = NULL;
	spin_lock_irqsave(&gd->gnttab.lock, flags);
	e = entry_of(gd, ref, &act);
	if (e == NULL) {
		spin_unlock_irqrestore(&gd->gnttab.lock, flags);
		return GNTST_bad_gntref;
	}
	pins = pin_counter(act, kind, readonly);
	st = grant_claim(e, user, readonly);
	if (st == GNTST_okay) {
		*out = get_ram_frame(gd, __atomic_load_n(&e->frame, __ATOMIC_ACQUIRE));
		if (*out == NULL) {
			st = GNTST_bad_page;
		} else if (*pins == 0xFFFF) {
			page_put_ref(*out); /* too many users of one grant */
			*out = NULL;
			st = GNTST_no_space;
		} else {
			(*pins)++;
		}
	}
	/* A claim that failed after its flags were set takes them back. */
	pins_sync_flags(e, act);
	spin_unlock_irqrestore(&gd->gnttab.lock, flags);
	return st;
}

/* Undoes one pin of grant_acquire() (the page reference is dropped by the caller). */
static void grant_release(struct domain *gd, u32 ref, bool readonly, enum pin_kind kind)
{
	struct gnttab_active *act;
	struct grant_entry_v1 *e;
	unsigned long flags;

	spin_lock_irqsave(&gd->gnttab.lock, flags);
	e = entry_of(gd, ref, &act);
	if (e != NULL) {
		u16 *pins = pin_counter(act, kind, readonly);

		if (*pins > 0) {
			(*pins)--;
		}
		pins_sync_flags(e, act);
	}
	spin_unlock_irqrestore(&gd->gnttab.lock, flags);
}

/* Maptrack entry 'handle' of d (below maptrack_pages * MAPTRACK_PER_PAGE). */
static struct gnttab_maptrack *maptrack_entry(struct gnttab *gt, u32 handle)
{
	return &gt->maptrack[handle / MAPTRACK_PER_PAGE][handle % MAPTRACK_PER_PAGE];
}

/* Puts handle at the tail of d's free list: the longest free is reused first. Locked. */
static void maptrack_free(struct gnttab *gt, u32 handle)
{
	maptrack_entry(gt, handle)->flags = 0;
	maptrack_entry(gt, handle)->next_free = MAPTRACK_NONE;
	if (gt->maptrack_tail == MAPTRACK_NONE) {
		gt->maptrack_head = handle;
	} else {
		maptrack_entry(gt, gt->maptrack_tail)->next_free = handle;
	}
	gt->maptrack_tail = handle;
}

/*
 * A free maptrack handle of d, taken off the free list (growing the maptrack by a page
 * when the list is empty); MAPTRACK_NONE if d has too many mappings. The entry is
 * filled by the caller. maptrack_lock held.
 */
static u32 maptrack_alloc(struct domain *d)
{
	struct gnttab *gt = &d->gnttab;
	u32 handle;

	if (gt->maptrack_head == MAPTRACK_NONE &&
	    gt->maptrack_pages <
		    (d->privileged ? GNTTAB_MAPTRACK_MAX_PAGES : GNTTAB_MAPTRACK_GUEST_PAGES)) {
		struct gnttab_maptrack *page = page_alloc_va(0, PA_ZERO);

		if (page != NULL) {
			u32 first = gt->maptrack_pages * (u32)MAPTRACK_PER_PAGE;

			gt->maptrack[gt->maptrack_pages++] = page;
			for (u32 i = 0; i < MAPTRACK_PER_PAGE; i++) {
				maptrack_free(gt, first + i);
			}
		}
	}
	handle = gt->maptrack_head;
	if (handle != MAPTRACK_NONE) {
		gt->maptrack_head = maptrack_entry(gt, handle)->next_free;
		if (gt->maptrack_head == MAPTRACK_NONE) {
			gt->maptrack_tail = MAPTRACK_NONE;
		}
		gt->maptrack_used++;
	}
	return handle;
}

/** See hv/grant_table.h. */
unsigned long gnttab_mappings_lock(struct domain *d)
{
	unsigned long flags;

	spin_lock_irqsave(&d->gnttab.maptrack_lock, flags);
	return flags;
}

/** See hv/grant_table.h. */
void gnttab_mappings_unlock(struct domain *d, unsigned long flags)
{
	spin_unlock_irqrestore(&d->gnttab.maptrack_lock, flags);
}

/** See hv/grant_table.h. */
bool gnttab_gfn_is_mapped_grant(struct domain *d, u64 gfn)
{
	unsigned int flags;
	paddr_t pa;

	return p2m_gfn_valid(d, gfn) && p2m_lookup(d, gfn << PAGE_SHIFT, &pa, &flags) == 0 &&
	       (flags & P2M_GRANT);
}

/*
 * Ends one mapping's hold on the granter: its pin (if the granter is still the domain
 * it was mapped from) and the page reference. The p2m entry and maptrack entry are
 * gone already. No gnttab lock held.
 */
static void mapping_release(const struct gnttab_maptrack *m)
{
	struct domain *gd = domain_get_by_id(m->dom);

	if (gd != NULL) {
		/* Only the granter it was mapped from: not a later domain with its ID. */
		if (gd->created_ns == m->gen) {
			grant_release(gd, m->ref, m->flags & MAPTRACK_RO, PIN_MAP);
		}
		domain_put(gd);
	}
	page_put_ref(paddr_to_page(m->pa));
}

/* d is being destroyed: every mapping it still holds of other domains' grants ends. */
static void maptrack_release_all(struct domain *d)
{
	struct gnttab *gt = &d->gnttab;

	for (unsigned int p = 0; p < gt->maptrack_pages; p++) {
		for (unsigned int i = 0; i < MAPTRACK_PER_PAGE; i++) {
			struct gnttab_maptrack *e = &gt->maptrack[p][i];

			if (e->flags & MAPTRACK_IN_USE) {
				mapping_release(e); /* its p2m goes as a whole */
				e->flags = 0;
			}
		}
		page_free_va(gt->maptrack[p], 0);
		gt->maptrack[p] = NULL;
	}
	gt->maptrack_pages = 0;
	gt->maptrack_used = 0;
	gt->maptrack_head = MAPTRACK_NONE;
	gt->maptrack_tail = MAPTRACK_NONE;
}

/*
 * Maps the pinned frame of *m at m->gfn of d as a grant mapping and records it in the
 * maptrack, both under d's maptrack_lock (see hv/grant_table.h, Locking): no other vCPU
 * of d sees the p2m entry without its maptrack entry. The handle, or a GNTST_* error
 * (negative) with nothing changed.
 */
static long mapping_add(struct domain *d, const struct gnttab_maptrack *m)
{
	unsigned int p2mf = P2M_MEM_NORMAL | P2M_GRANT | (m->flags & MAPTRACK_RO ? P2M_RO : 0);
	unsigned long flags = gnttab_mappings_lock(d);
	u32 handle = maptrack_alloc(d);
	long ret;

	if (handle == MAPTRACK_NONE) {
		ret = GNTST_no_space;
	} else if (p2m_map(d, m->gfn << PAGE_SHIFT, m->pa, PAGE_SIZE, p2mf) != 0) {
		/* Something is there now (another vCPU's map or populate), or no memory. */
		d->gnttab.maptrack_used--;
		maptrack_free(&d->gnttab, handle);
		ret = GNTST_general_error;
	} else {
		struct gnttab_maptrack *e = maptrack_entry(&d->gnttab, handle);

		*e = *m;
		e->flags |= MAPTRACK_IN_USE;
		ret = handle;
	}
	gnttab_mappings_unlock(d, flags);
	return ret;
}

/*
 * Takes maptrack entry 'handle' of d out (copied to *m) with its p2m entry, under d's
 * maptrack_lock; false if there is none (or it is mapped elsewhere than gfn, when gfn is
 * not 0).
 */
static bool mapping_remove(struct domain *d, u64 handle, u64 gfn, struct gnttab_maptrack *m)
{
	struct gnttab *gt = &d->gnttab;
	unsigned long flags = gnttab_mappings_lock(d);
	struct gnttab_maptrack *e;
	unsigned int pflags;
	bool ok = false;
	paddr_t pa;

	if (handle < (u64)gt->maptrack_pages * MAPTRACK_PER_PAGE) {
		e = maptrack_entry(gt, (u32)handle);
		if ((e->flags & MAPTRACK_IN_USE) && (gfn == 0 || e->gfn == gfn)) {
			*m = *e;
			/* The entry is the grant mapping: nothing else removes or replaces one. */
			if (p2m_lookup(d, m->gfn << PAGE_SHIFT, &pa, &pflags) == 0 && pa == m->pa &&
			    (pflags & P2M_GRANT)) {
				(void)p2m_unmap(d, m->gfn << PAGE_SHIFT, PAGE_SIZE);
			}
			gt->maptrack_used--;
			maptrack_free(gt, (u32)handle);
			ok = true;
		}
	}
	gnttab_mappings_unlock(d, flags);
	return ok;
}

/* One GNTTABOP_map_grant_ref: map grant m->ref of m->dom at m->host_addr of v's domain. */
static void grant_map_one(struct vcpu *v, struct gnttab_map_grant_ref *op)
{
	struct domain *d = v->domain, *gd;
	bool ro = op->flags & GNTMAP_readonly;
	struct gnttab_maptrack m;
	struct page_info *pg = NULL;
	unsigned int pflags;
	paddr_t old;
	u64 gfn = op->host_addr >> PAGE_SHIFT;
	long handle;
	int st;

	op->handle = ~0u;
	op->dev_bus_addr = 0;
	/* Arm: host_map (+ readonly) into the caller's own physical address space only. */
	if ((op->flags & ~(GNTMAP_host_map | GNTMAP_readonly | GNTMAP_device_map)) ||
	    !(op->flags & GNTMAP_host_map)) {
		op->status = GNTST_general_error;
		return;
	}
	if ((op->host_addr & (PAGE_SIZE - 1)) || !p2m_gfn_valid(d, gfn) ||
	    mmio_find(d, op->host_addr)) {
		op->status = GNTST_bad_virt_addr;
		return;
	}
	if (p2m_lookup(d, op->host_addr, &old, &pflags) == 0) {
		op->status = GNTST_bad_virt_addr; /* give it an empty (ballooned) frame */
		return;
	}
	if (op->dom == d->domid || op->dom >= DOMID_FIRST_RESERVED ||
	    (gd = domain_get_by_id(op->dom)) == NULL) {
		op->status = GNTST_bad_domain;
		return;
	}
	st = grant_acquire(gd, op->ref, d->domid, ro, PIN_MAP, &pg);
	if (st != GNTST_okay) {
		domain_put(gd);
		op->status = (s16)st;
		return;
	}
	m = (struct gnttab_maptrack){ .gfn = gfn,
				      .pa = page_to_paddr(pg),
				      .gen = gd->created_ns,
				      .ref = op->ref,
				      .dom = gd->domid,
				      .flags = ro ? MAPTRACK_RO : 0 };
	domain_put(gd);
	handle = mapping_add(d, &m);
	if (handle < 0) {
		mapping_release(&m);
		op->status = (s16)handle;
		return;
	}
	op->handle = (grant_handle_t)handle;
	/*
	 * A direct-mapped domain (Dom0) programs DMA with it (Linux's swiotlb-xen); any other
	 * domain gets nothing it could use, and so learns no machine address.
	 */
	op->dev_bus_addr = v->domain->direct_map ? m.pa : 0;
	op->status = GNTST_okay;
}

static void grant_unmap_one(struct vcpu *v, struct gnttab_unmap_grant_ref *op)
{
	struct gnttab_maptrack m;

	if (!mapping_remove(v->domain, op->handle, op->host_addr >> PAGE_SHIFT, &m)) {
		op->status = GNTST_bad_handle;
		return;
	}
	mapping_release(&m);
	op->status = GNTST_okay;
}

/* Map and unmap: copy in, do, copy out, one op at a time. */
/*
 * After GNTTAB_PER_CALL uops of a longer batch: the rest in a continuation (the guest
 * issues the call again on the remaining uops, Xen's model), so one call is bounded.
 */
static long gnttab_continue(u64 *uop, u64 *count, u64 done, size_t uop_size)
{
	*uop += done * uop_size;
	*count -= done;
	return -HV_ERESTART;
}

static long gnttab_map_ops(struct vcpu *v, u64 cmd, u64 *uop_p, u64 *count_p)
{
	u64 uop = *uop_p, count = *count_p;

	for (u64 i = 0; i < count; i++) {
		if (i == GNTTAB_PER_CALL) {
			return gnttab_continue(uop_p, count_p, i,
					       cmd == GNTTABOP_map_grant_ref
						       ? sizeof(struct gnttab_map_grant_ref)
						       : sizeof(struct gnttab_unmap_grant_ref));
		}
		if (cmd == GNTTABOP_map_grant_ref) {
			struct gnttab_map_grant_ref op;
			u64 va = uop + i * sizeof(op);

			if (copy_from_guest_va(v, &op, va, sizeof(op)) != 0) {
				return -HV_EFAULT;
			}
			grant_map_one(v, &op);
			if (copy_to_guest_va(v, va, &op, sizeof(op)) != 0) {
				return -HV_EFAULT;
			}
		} else {
			struct gnttab_unmap_grant_ref op;
			u64 va = uop + i * sizeof(op);

			if (copy_from_guest_va(v, &op, va, sizeof(op)) != 0) {
				return -HV_EFAULT;
			}
			grant_unmap_one(v, &op);
			if (copy_to_guest_va(v, va, &op, sizeof(op)) != 0) {
				return -HV_EFAULT;
			}
		}
	}
	return 0;
}

/*
 * One side of a copy: a referenced frame, and for a grant the granter (a domain
 * reference) and the transient pin to drop after.
 */
struct copy_side {
	struct page_info *pg;
	struct domain *gd; /* granter (NULL for the caller's own frame) */
	u32 ref;
	bool readonly;
};

static int copy_side_get(struct vcpu *v, const struct gnttab_copy_ptr *p, bool is_gref, bool write,
			 struct copy_side *side)
{
	struct domain *d = v->domain;
	int st;

	side->pg = NULL;
	side->gd = NULL;
	if (!is_gref) {
		/* A frame of the caller itself. */
		if (p->domid != DOMID_SELF && p->domid != d->domid) {
			return GNTST_permission_denied;
		}
		side->pg = get_ram_frame(d, p->u.gmfn);
		return side->pg != NULL ? GNTST_okay : GNTST_bad_page;
	}
	if (p->domid == DOMID_SELF || p->domid == d->domid) {
		return GNTST_bad_domain; /* a grant is for another domain */
	}
	side->gd = domain_get_by_id(p->domid);
	if (side->gd == NULL) {
		return GNTST_bad_domain;
	}
	side->ref = p->u.ref;
	side->readonly = !write;
	/* A transient pin: the granter cannot end access while the copy runs. */
	st = grant_acquire(side->gd, p->u.ref, d->domid, !write, PIN_COPY, &side->pg);
	if (st != GNTST_okay) {
		domain_put(side->gd);
		side->gd = NULL;
	}
	return st;
}

static void copy_side_put(struct copy_side *side)
{
	if (side->gd != NULL) {
		grant_release(side->gd, side->ref, side->readonly, PIN_COPY);
		domain_put(side->gd);
	}
	if (side->pg != NULL) {
		page_put_ref(side->pg);
	}
}

static void grant_copy_one(struct vcpu *v, struct gnttab_copy *op)
{
	struct copy_side src, dst;
	int st;

	if ((op->flags & ~(GNTCOPY_source_gref | GNTCOPY_dest_gref)) ||
	    (u32)op->source.offset + op->len > PAGE_SIZE ||
	    (u32)op->dest.offset + op->len > PAGE_SIZE) {
		op->status = GNTST_bad_copy_arg;
		return;
	}
	st = copy_side_get(v, &op->source, op->flags & GNTCOPY_source_gref, false, &src);
	if (st != GNTST_okay) {
		op->status = (s16)st;
		return;
	}
	st = copy_side_get(v, &op->dest, op->flags & GNTCOPY_dest_gref, true, &dst);
	if (st == GNTST_okay) {
		memmove((u8 *)phys_to_virt(page_to_paddr(dst.pg)) + op->dest.offset,
			(u8 *)phys_to_virt(page_to_paddr(src.pg)) + op->source.offset, op->len);
		copy_side_put(&dst);
	}
	copy_side_put(&src);
	op->status = (s16)st;
}

static long gnttab_copy_ops(struct vcpu *v, u64 *uop_p, u64 *count_p)
{
	u64 uop = *uop_p, count = *count_p;

	for (u64 i = 0; i < count; i++) {
		struct gnttab_copy op;
		u64 va = uop + i * sizeof(op);

		if (i == GNTTAB_PER_CALL) {
			return gnttab_continue(uop_p, count_p, i, sizeof(op));
		}

		if (copy_from_guest_va(v, &op, va, sizeof(op)) != 0) {
			return -HV_EFAULT;
		}
		grant_copy_one(v, &op);
		if (copy_to_guest_va(v, va, &op, sizeof(op)) != 0) {
			return -HV_EFAULT;
		}
	}
	return 0;
}

/*
 * GNTTABOP_setup_table: grows the caller's table to nr_frames and lists the guest
 * frames they are mapped at (~0 for one not mapped yet: on Arm the guest maps them
 * with XENMEM_add_to_physmap, as Xen on Arm expects).
 */
static long gnttab_setup_table(struct vcpu *v, u64 uop)
{
	struct domain *d = v->domain;
	struct gnttab_setup_table op;
	unsigned long flags;
	int rc;

	if (copy_from_guest_va(v, &op, uop, sizeof(op)) != 0) {
		return -HV_EFAULT;
	}
	if (!is_self(d, op.dom)) {
		op.status = GNTST_permission_denied;
	} else if (op.nr_frames > d->gnttab.max_frames) {
		op.status = GNTST_general_error;
	} else {
		spin_lock_irqsave(&d->gnttab.lock, flags);
		rc = gnttab_grow(d, op.nr_frames);
		spin_unlock_irqrestore(&d->gnttab.lock, flags);
		op.status = rc == 0 ? GNTST_okay : GNTST_general_error;
		for (u32 i = 0; rc == 0 && i < op.nr_frames; i++) {
			u64 gfn = d->gnttab.frame_gfn[i];

			if (copy_to_guest_va(v, op.frame_list + i * 8ull, &gfn, 8) != 0) {
				return -HV_EFAULT;
			}
		}
	}
	return copy_to_guest_va(v, uop, &op, sizeof(op)) ? -HV_EFAULT : 0;
}

/** See hv/grant_table.h. */
long do_grant_table_op(struct vcpu *v, u64 cmd, u64 *uop_p, u64 *count_p)
{
	u64 uop = *uop_p, count = *count_p;

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
	case GNTTABOP_map_grant_ref:
	case GNTTABOP_unmap_grant_ref:
		return gnttab_map_ops(v, cmd, uop_p, count_p);
	case GNTTABOP_copy:
		return gnttab_copy_ops(v, uop_p, count_p);
	case GNTTABOP_setup_table:
		return count == 1 ? gnttab_setup_table(v, uop) : -HV_EINVAL;
	default:
		return -HV_ENOSYS;
	}
}
