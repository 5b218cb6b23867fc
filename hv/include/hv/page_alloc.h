/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Physical page allocator: a binary buddy allocator over the RAM banks, with one
 * struct page_info per 4 KiB frame (the frame table). The frame table of a bank is
 * carved out of that bank's own free memory at init.
 *
 * Locking: one lock (page_alloc_lock, IRQ-safe) guards the free lists and the
 * counters; page_info fields other than the free-list links belong to the page's
 * current owner.
 */
#pragma once

#include <hv/types.h>

/** Largest order that can be allocated at once (2^MAX_ORDER pages = 1 GiB). */
#define PAGE_MAX_ORDER 18

/* page_info.state */
#define PGS_RESERVED 0	/* not managed: hole, firmware, image, frame table */
#define PGS_FREE 1	/* in the buddy allocator (head or tail of a free block) */
#define PGS_ALLOCATED 2 /* handed out by page_alloc() */

/* Owner values for page_info.owner. */
#define PAGE_OWNER_NONE 0xFFFFu	  /* free or reserved */
#define PAGE_OWNER_HV 0x7FF0u	  /* hypervisor (page tables, heap, ...) */
#define PAGE_OWNER_ORPHAN 0x7FF1u /* its domain is gone; freed when the last ref goes */

/*
 * page_info.count of a domain's page: the references other domains hold through
 * foreign and grant mappings (page_get_ref()). Hypervisor pages a domain owns
 * (shared_info, grant frames) carry PAGE_COUNT_HV instead: they are never mapped into
 * another domain or ballooned, and are freed by their own code.
 */
#define PAGE_COUNT_HV (1u << 31)
#define PAGE_COUNT_MAX_REFS (1u << 20)

/** Per-frame metadata (16 bytes). */
struct page_info {
	u32 next;  /* free list: index of the next free block head in the bank, or ~0 */
	u32 prev;  /* free list: index of the previous one, or ~0 */
	u32 count; /* references held by the owner (later: mappings, grants) */
	u16 owner; /* domid or PAGE_OWNER_* */
	u8 state;  /* PGS_* */
	u8 order;  /* order of the free block this page heads (valid for free heads) */
};

/** Page allocator flags. */
#define PA_ZERO (1u << 0) /* zero the pages */

/**
 * Initialises the allocator over the RAM banks, excluding every reserved range
 * (hypervisor image, device tree, boot modules, firmware reservations). Ranges may
 * overlap and need not be page-aligned (partial pages are treated as reserved).
 * Returns 0, -HV_EINVAL for bad input (no banks, overlapping banks, too many),
 * or -HV_ENOMEM if no bank has room for its frame table.
 */
int page_alloc_init(const struct mem_range *banks, unsigned int nr_banks,
		    const struct mem_range *reserved, unsigned int nr_reserved);

/** Allocates 2^order contiguous, naturally aligned frames; NULL if none. */
struct page_info *page_alloc(unsigned int order, unsigned int flags);
/** Frees 2^order frames allocated with page_alloc() at that order. */
void page_free(struct page_info *pg, unsigned int order);

/**
 * Turns an allocated block of 2^order frames into 2^order allocated single frames, so
 * each can be freed on its own (domain RAM, which a guest may give back page by page).
 */
void page_split(struct page_info *pg, unsigned int order);
/**
 * Frees every single-frame allocation owned by 'owner' whose count is 0 (a domain's
 * RAM when the domain is destroyed); returns how many. Frames still referenced by
 * another domain's mappings become PAGE_OWNER_ORPHAN and are freed by the last
 * page_put_ref(). Scans the frame tables.
 */
u64 page_free_owned(u16 owner);
/**
 * page_free_owned() in bounded steps: examines at most 'budget' frames from *cursor (a
 * frame index across the banks, 0 to start), adds the frames freed to *freed and moves
 * *cursor on. Returns true when the scan has covered every frame, false if another step
 * is needed. A domain's teardown uses it so that no single step walks the whole frame
 * table (hv/common/domain.c).
 */
bool page_free_owned_step(u16 owner, u64 *cursor, u64 budget, u64 *freed);

/**
 * Allocates the one frame mfn if it is free (a direct-mapped domain taking back the
 * very frame it gave up); NULL if it is allocated, reserved or not RAM.
 */
struct page_info *page_alloc_at(mfn_t mfn);
/**
 * Takes a reference on a RAM frame of domain 'owner' for a mapping in another domain;
 * false if the frame is not a single-frame allocation of that owner or is a hypervisor
 * page. While referenced, page_free_owned() leaves the frame (marked orphan).
 */
bool page_get_ref(struct page_info *pg, u16 owner);
/**
 * A domain gives up its RAM frame pg (already out of its p2m): freed now if nobody holds
 * a reference, else orphaned and freed by the last page_put_ref(). Under the allocator's
 * lock, so a concurrent page_get_ref() either wins (orphan) or fails.
 */
void page_release_owned(struct page_info *pg, u16 owner);
/** Drops a page_get_ref() reference; the last one frees an orphaned frame. */
void page_put_ref(struct page_info *pg);

/**
 * Counts allocated frames whose owner is a domain ID not set in 'live' (a bitmap of
 * DOMID_FIRST_RESERVED bits) or PAGE_OWNER_ORPHAN. Scans the frame tables.
 */
u64 page_count_stray(const u64 *live);

/** Convenience: allocate/free returning the hypervisor VA of the first frame. */
void *page_alloc_va(unsigned int order, unsigned int flags);
void page_free_va(void *va, unsigned int order);

paddr_t page_to_paddr(const struct page_info *pg);
mfn_t page_to_mfn(const struct page_info *pg);
/** The page_info of a RAM frame, or NULL if pa is not in a managed bank. */
struct page_info *paddr_to_page(paddr_t pa);
struct page_info *mfn_to_page(mfn_t mfn);

struct page_alloc_stats {
	u64 total_pages;       /* frames in all banks, reserved ones included */
	u64 managed_pages;     /* frames the allocator ever got (not reserved) */
	u64 free_pages;	       /* frames free now */
	u64 frame_table_pages; /* frames used by the frame tables */
};
void page_alloc_get_stats(struct page_alloc_stats *st);

/** Smallest order such that 2^order pages hold 'bytes'. */
unsigned int page_order_for(u64 bytes);
/** Forgets all banks and counters so page_alloc_init() may run again (host unit tests). */
void page_alloc_reset_for_test(void);
