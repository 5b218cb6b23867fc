/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Grant tables, version 1 (hv/common/grant_table.c): each domain's shared frames are
 * hypervisor-allocated pages owned by the domain, mapped into it with
 * XENMEM_add_to_physmap(XENMAPSPACE_grant_table).
 *
 * Another domain maps a grant (GNTTABOP_map_grant_ref) at a guest-physical address of
 * its own: the granter's entry gets GTF_reading/GTF_writing while any mapping is live
 * (pin counts in 'active'), the frame gets a page reference (page_get_ref()), the p2m
 * entry has the type P2M_GRANT (hv/p2m.h), and the mapper records the mapping in its
 * maptrack; the handle is the maptrack index. A GNTTABOP_copy takes the same flags with
 * a transient pin for the length of the copy (Xen's acquire_grant_for_copy()), so the
 * granter cannot end access to a frame while a copy is using it.
 *
 * Locking:
 *  - gd->gnttab.lock guards the frame and active arrays of gd, the granter side (frames
 *    are only added until the domain is destroyed).
 *  - d->gnttab.maptrack_lock guards d's maptrack and, with it, the grant mappings in
 *    d's p2m: a P2M_GRANT entry is made or removed only with it held, together with its
 *    maptrack entry. Code that looks at a gfn of d and then changes it according to
 *    what it found (XENMEM_remove_from_physmap, decrease_reservation, add_to_physmap:
 *    hv/common/memory.c) holds it too, through gnttab_mappings_lock(), so that it sees
 *    a grant mapping either whole or not at all (one vCPU's map or unmap cannot happen
 *    between another vCPU's check and act).
 *  - Order: d->gnttab.maptrack_lock, then d->arch.p2m_lock (inside p2m_*()), then the
 *    page allocator's lock. Never two gnttab locks at once: the granter's lock is taken
 *    and dropped before (pin) and after (unpin) the mapper's maptrack_lock.
 */
#pragma once

#include <hv/spinlock.h>
#include <hv/types.h>

#define GNTTAB_MAX_FRAMES 64 /* Xen's default max_grant_frames */

struct domain;
struct vcpu;

#define GNTTAB_MAPTRACK_MAX_PAGES 256 /* maptrack pages of the control domain (~32k mappings) */
/* Other domains map fewer grants (each mapping may cost the hypervisor stage-2 tables). */
#define GNTTAB_MAPTRACK_GUEST_PAGES 8

/**
 * Pin counts of one grant entry: live mappings of it by its grantee, and transient
 * pins of copies under way.
 */
struct gnttab_active {
	u16 pin_ro, pin_rw;   /* mappings */
	u16 copy_ro, copy_rw; /* GNTTABOP_copy sources and destinations */
};

/** One mapping this domain made of another domain's grant. */
struct gnttab_maptrack {
	u64 gfn;    /* where it is mapped in this domain */
	paddr_t pa; /* the frame */
	u64 gen;    /* the granter's created_ns: its ID may be reused after its end */
	union {
		u32 ref;       /* the granter's reference (in use) */
		u32 next_free; /* the next free handle, or MAPTRACK_NONE (free) */
	};
	u16 dom;   /* the granter */
	u16 flags; /* MAPTRACK_* */
};

struct gnttab {
	spinlock_t lock;
	unsigned int nr_frames; /* frames allocated (the table grows, never shrinks) */
	unsigned int max_frames;
	void *frames[GNTTAB_MAX_FRAMES];
	u64 frame_gfn[GNTTAB_MAX_FRAMES]; /* where each is mapped in the guest, or ~0 */
	struct gnttab_active *active[GNTTAB_MAX_FRAMES]; /* a page per frame */

	spinlock_t maptrack_lock;
	struct gnttab_maptrack *maptrack[GNTTAB_MAPTRACK_MAX_PAGES];
	unsigned int maptrack_pages;
	unsigned int maptrack_used; /* live entries */
	/* Free handles, oldest first: taken at the head, returned at the tail. */
	u32 maptrack_head, maptrack_tail;
};

/** Creates the table with its first frame; max_frames <= GNTTAB_MAX_FRAMES. */
int gnttab_domain_init(struct domain *d, unsigned int max_frames);
void gnttab_domain_destroy(struct domain *d);
/** Machine address of frame idx, allocating frames up to it. -HV_EINVAL past the max. */
int gnttab_get_frame(struct domain *d, u64 idx, paddr_t *pa);
/**
 * Writes grant entry 'ref' of d (growing nothing: ref must be in the first frame) to
 * grant 'frame' to domain 'grantee' (the toolstack's reserved entries 0 and 1).
 */
int gnttab_seed_entry(struct domain *d, u32 ref, u16 grantee, u64 gfn);
/**
 * True if d has a grant mapped at gfn (XENMEM_remove_from_physmap must not take it):
 * one p2m lookup. Stays true only while gnttab_mappings_lock(d) is held.
 */
bool gnttab_gfn_is_mapped_grant(struct domain *d, u64 gfn);
/**
 * Keeps d's grant mappings as they are (no map or unmap of d completes meanwhile) while
 * the caller checks a gfn of d and changes it; see Locking above. Returns the
 * interrupt state for gnttab_mappings_unlock().
 */
unsigned long gnttab_mappings_lock(struct domain *d);
void gnttab_mappings_unlock(struct domain *d, unsigned long flags);
/**
 * The grant_table_op hypercall: (cmd, array of uops, count). Long map, unmap and copy
 * batches continue: after a bounded number of uops *uop and *count are advanced past
 * them and -HV_ERESTART asks the guest to issue the call again.
 */
long do_grant_table_op(struct vcpu *v, u64 cmd, u64 *uop, u64 *count);
