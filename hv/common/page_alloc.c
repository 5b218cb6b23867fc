/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Physical page allocator: a binary buddy allocator per RAM bank.
 *
 * Every bank that gets an allocator has a frame table (one struct page_info per 4 KiB
 * frame of the bank) carved from the top of the bank's highest free run that can hold
 * it. Free blocks are kept on one list per order and bank, linked by u32 frame indices
 * within the bank, so a block never spans two banks. A block of order k is naturally
 * aligned in the physical address space (its MFN is a multiple of 2^k); its buddy is
 * the block whose MFN differs in bit k, and the two merge on free when both are free.
 *
 * While a frame is free or allocated, its next/prev links belong to the allocator and
 * say what the frame is (see the PA_LINK_* values): a free block head (list links), a
 * free tail, an allocated head (carrying the allocation order) or an allocated tail
 * (carrying the index of its head). page_free() uses them to check that it is given
 * exactly a block that page_alloc() handed out.
 *
 * Locking: page_alloc_lock (IRQ-safe) guards the banks' free lists, the free-list
 * links of every page_info and the counters. It is a leaf lock: nothing else is
 * taken while it is held.
 */
#include <hv/mm.h>
#include <hv/bootinfo.h>
#include <hv/bug.h>
#include <hv/cache.h>
#include <hv/errno.h>
#include <hv/lib.h>
#include <hv/log.h>
#include <hv/page_alloc.h>
#include <hv/spinlock.h>

_Static_assert(sizeof(struct page_info) == 16, "struct page_info must stay 16 bytes");

/* Link values of frames that are not on a free list (all above any frame index). */
#define PA_LINK_NONE 0xFFFFFFFFu	    /* end of a free list; prev of a free tail */
#define PA_LINK_FREE_TAIL 0xFFFFFFFEu	    /* next of a non-head frame of a free block */
#define PA_LINK_ALLOC_TAIL 0xFFFFFFFDu	    /* next of a non-head frame of an allocated block */
#define PA_LINK_ALLOC_HEAD_BASE 0xFFFFFF00u /* next of an allocated head: base | order */
#define PA_LINK_ALLOC_HEAD(order) (PA_LINK_ALLOC_HEAD_BASE | (u32)(order))

/* Frame indices must stay below the link values above. */
#define PA_MAX_BANK_FRAMES ((u64)PA_LINK_ALLOC_HEAD_BASE)

/** One RAM bank with an allocator. */
struct pa_bank {
	u64 base_mfn; /* MFN of frames[0] */
	u64 nr_frames;
	struct page_info *frames;	   /* the frame table, inside the bank */
	u32 free_head[PAGE_MAX_ORDER + 1]; /* first free block of each order, or NONE */
};

static spinlock_t page_alloc_lock = SPINLOCK_INIT;
static struct pa_bank pa_banks[BOOT_MAX_MEM_BANKS];
static unsigned int pa_nr_banks;
static bool pa_initialised;
static struct page_alloc_stats pa_stats;

/*
 * Reports one of our own bugs found while holding page_alloc_lock. The lock is
 * dropped first so that the panic path (console, log) cannot deadlock on it.
 */
#define PA_BUG_ON_LOCKED(cond, flags)                                    \
	do {                                                             \
		if (unlikely(cond)) {                                    \
			spin_unlock_irqrestore(&page_alloc_lock, flags); \
			__bug(__FILE__, __LINE__, #cond);                \
		}                                                        \
	} while (0)

/** Rounds a range outward to whole frames; false if the range is empty. */
static bool range_to_frames(const struct mem_range *r, paddr_t *start, paddr_t *end)
{
	if (r->start >= r->end) {
		return false;
	}
	*start = ROUND_DOWN(r->start, PAGE_SIZE);
	if (r->end > ~(paddr_t)0 - (PAGE_SIZE - 1)) {
		/* No frame can start at the last page address: bank ends are exclusive. */
		*end = ROUND_DOWN(~(paddr_t)0, PAGE_SIZE);
	} else {
		*end = ROUND_UP(r->end, PAGE_SIZE);
	}
	return true;
}

/**
 * Finds the lowest run of frames at or above pos and below end that no reserved
 * range (rounded outward to frames) and not 'extra' (may be NULL) covers. pos and
 * end are frame-aligned. Returns false if there is none.
 */
static bool next_free_run(paddr_t pos, paddr_t end, const struct mem_range *reserved,
			  unsigned int nr_reserved, const struct mem_range *extra,
			  paddr_t *run_start, paddr_t *run_end)
{
	unsigned int nr = nr_reserved + (extra ? 1 : 0);
	paddr_t rs, re, limit;
	bool moved;

	/* Skip every range that covers pos, until none does. */
	do {
		moved = false;
		for (unsigned int i = 0; i < nr; i++) {
			const struct mem_range *r = i < nr_reserved ? &reserved[i] : extra;

			if (range_to_frames(r, &rs, &re) && rs <= pos && pos < re) {
				pos = re;
				moved = true;
			}
		}
	} while (moved && pos < end);

	if (pos >= end) {
		return false;
	}
	limit = end;
	for (unsigned int i = 0; i < nr; i++) {
		const struct mem_range *r = i < nr_reserved ? &reserved[i] : extra;

		if (range_to_frames(r, &rs, &re) && rs > pos && rs < limit) {
			limit = rs;
		}
	}
	*run_start = pos;
	*run_end = limit;
	return true;
}

/** Pushes the free block of 2^order frames headed by frame idx on its free list. */
static void free_list_push(struct pa_bank *b, u32 idx, unsigned int order)
{
	struct page_info *pg = &b->frames[idx];
	u32 old = b->free_head[order];

	pg->state = PGS_FREE;
	pg->order = (u8)order;
	pg->prev = PA_LINK_NONE;
	pg->next = old;
	if (old != PA_LINK_NONE) {
		b->frames[old].prev = idx;
	}
	b->free_head[order] = idx;
}

/** Unlinks the free block headed by frame idx from the list of its order. */
static void free_list_remove(struct pa_bank *b, u32 idx)
{
	struct page_info *pg = &b->frames[idx];

	if (pg->prev != PA_LINK_NONE) {
		b->frames[pg->prev].next = pg->next;
	} else {
		b->free_head[pg->order] = pg->next;
	}
	if (pg->next != PA_LINK_NONE) {
		b->frames[pg->next].prev = pg->prev;
	}
	/* The frame becomes a tail of a larger free block or part of an allocated one. */
	pg->next = PA_LINK_FREE_TAIL;
	pg->prev = PA_LINK_NONE;
}

/** Marks frame idx as a non-head frame of a free block. */
static void frame_make_free_tail(struct page_info *pg)
{
	pg->next = PA_LINK_FREE_TAIL;
	pg->prev = PA_LINK_NONE;
	pg->state = PGS_FREE;
	pg->order = 0;
	pg->owner = PAGE_OWNER_NONE;
	pg->count = 0;
}

/** True if frame idx heads a free block of exactly 2^order frames. */
static bool frame_is_free_head(const struct pa_bank *b, u64 idx, unsigned int order)
{
	const struct page_info *pg = &b->frames[idx];

	return pg->state == PGS_FREE && pg->next != PA_LINK_FREE_TAIL && pg->order == order;
}

/**
 * Gives the frames [start, end) of bank b (frame-aligned, inside the bank, not
 * reserved) to the buddy allocator as the largest naturally aligned blocks that fit.
 * Only used at init, before the bank is visible to page_alloc().
 */
static void bank_add_free_run(struct pa_bank *b, paddr_t start, paddr_t end)
{
	u64 mfn = start >> PAGE_SHIFT;
	u64 end_mfn = end >> PAGE_SHIFT;

	while (mfn < end_mfn) {
		unsigned int order = PAGE_MAX_ORDER;
		u32 idx = (u32)(mfn - b->base_mfn);

		while (order > 0 &&
		       (!IS_ALIGNED(mfn, 1ULL << order) || mfn + (1ULL << order) > end_mfn)) {
			order--;
		}
		for (u64 i = 1; i < (1ULL << order); i++) {
			frame_make_free_tail(&b->frames[idx + i]);
		}
		b->frames[idx].owner = PAGE_OWNER_NONE;
		b->frames[idx].count = 0;
		free_list_push(b, idx, order);
		pa_stats.managed_pages += 1ULL << order;
		pa_stats.free_pages += 1ULL << order;
		mfn += 1ULL << order;
	}
}

/** Checks the banks for the errors page_alloc_init() reports as -HV_EINVAL. */
static int banks_validate(const struct mem_range *banks, unsigned int nr_banks,
			  const struct mem_range *reserved, unsigned int nr_reserved)
{
	if (!banks || nr_banks == 0 || nr_banks > BOOT_MAX_MEM_BANKS) {
		return -HV_EINVAL;
	}
	if (nr_reserved > 0 && !reserved) {
		return -HV_EINVAL;
	}
	for (unsigned int i = 0; i < nr_banks; i++) {
		if (banks[i].start >= banks[i].end) {
			return -HV_EINVAL;
		}
		for (unsigned int j = 0; j < i; j++) {
			if (banks[i].start < banks[j].end && banks[j].start < banks[i].end) {
				return -HV_EINVAL;
			}
		}
	}
	return 0;
}

/**
 * Sets up the allocator of one bank: frame table at the top of the highest free run
 * that holds it, then every other free frame into the buddy lists. Returns false (and
 * logs why) if the bank gets no allocator: no whole page, no run that fits the frame
 * table, or no free frame left besides it. Adds the bank's frames to the total either
 * way.
 */
static bool bank_setup(unsigned int bank_nr, const struct mem_range *bank,
		       const struct mem_range *reserved, unsigned int nr_reserved)
{
	struct pa_bank *b = &pa_banks[pa_nr_banks];
	paddr_t start, end, rs, re, pos;
	struct mem_range ft = { 0, 0 };
	u64 nr_frames, ft_pages, nr_free = 0;

	start = bank->start > ROUND_DOWN(~(paddr_t)0, PAGE_SIZE) ? ~(paddr_t)0
								 : ROUND_UP(bank->start, PAGE_SIZE);
	end = ROUND_DOWN(bank->end, PAGE_SIZE);
	if (start >= end) {
		log_warn("page_alloc: bank %u [%#llx, %#llx) holds no whole page, ignored\n",
			 bank_nr, (unsigned long long)bank->start, (unsigned long long)bank->end);
		return false;
	}
	nr_frames = (end - start) >> PAGE_SHIFT;
	if (nr_frames > PA_MAX_BANK_FRAMES) {
		log_warn("page_alloc: bank %u is too large, using its first %llu frames\n", bank_nr,
			 (unsigned long long)PA_MAX_BANK_FRAMES);
		nr_frames = PA_MAX_BANK_FRAMES;
		end = start + (nr_frames << PAGE_SHIFT);
	}
	pa_stats.total_pages += nr_frames;

	ft_pages = (nr_frames * sizeof(struct page_info) + PAGE_SIZE - 1) >> PAGE_SHIFT;
	for (pos = start; next_free_run(pos, end, reserved, nr_reserved, NULL, &rs, &re);
	     pos = re) {
		nr_free += (re - rs) >> PAGE_SHIFT;
		if (((re - rs) >> PAGE_SHIFT) >= ft_pages) {
			ft.end = re;
			ft.start = re - (ft_pages << PAGE_SHIFT);
		}
	}
	/* A bank whose free frames all go to its frame table would be pure overhead. */
	if (ft.start == ft.end || nr_free <= ft_pages) {
		log_warn("page_alloc: bank %u [%#llx, %#llx) has no free run of %llu pages for "
			 "its frame table, or nothing besides, ignored\n",
			 bank_nr, (unsigned long long)bank->start, (unsigned long long)bank->end,
			 (unsigned long long)ft_pages);
		return false;
	}

	b->base_mfn = start >> PAGE_SHIFT;
	b->nr_frames = nr_frames;
	b->frames = phys_to_virt(ft.start);
	for (unsigned int o = 0; o <= PAGE_MAX_ORDER; o++) {
		b->free_head[o] = PA_LINK_NONE;
	}
	for (u64 i = 0; i < nr_frames; i++) {
		b->frames[i] = (struct page_info){
			.next = PA_LINK_NONE,
			.prev = PA_LINK_NONE,
			.count = 0,
			.owner = PAGE_OWNER_NONE,
			.state = PGS_RESERVED,
			.order = 0,
		};
	}
	for (u64 i = 0; i < ft_pages; i++) {
		b->frames[((ft.start - start) >> PAGE_SHIFT) + i].owner = PAGE_OWNER_HV;
	}
	pa_stats.frame_table_pages += ft_pages;

	for (pos = start; next_free_run(pos, end, reserved, nr_reserved, &ft, &rs, &re); pos = re) {
		bank_add_free_run(b, rs, re);
	}
	pa_nr_banks++;
	return true;
}

/** See hv/include/hv/page_alloc.h. Called once, on the boot CPU, before any other use. */
int page_alloc_init(const struct mem_range *banks, unsigned int nr_banks,
		    const struct mem_range *reserved, unsigned int nr_reserved)
{
	int rc;

	if (pa_initialised) {
		return -HV_EBUSY;
	}
	rc = banks_validate(banks, nr_banks, reserved, nr_reserved);
	if (rc) {
		return rc;
	}

	for (unsigned int i = 0; i < nr_banks; i++) {
		bank_setup(i, &banks[i], reserved, nr_reserved);
	}
	if (pa_nr_banks == 0) {
		pa_stats = (struct page_alloc_stats){ 0 };
		return -HV_ENOMEM;
	}
	pa_initialised = true;

	log_info("page_alloc: %u of %u bank(s), %llu MiB total, %llu MiB free, frame table "
		 "%llu KiB\n",
		 pa_nr_banks, nr_banks, (unsigned long long)(pa_stats.total_pages >> 8),
		 (unsigned long long)(pa_stats.free_pages >> 8),
		 (unsigned long long)(pa_stats.frame_table_pages << (PAGE_SHIFT - 10)));
	return 0;
}

/** See hv/include/hv/page_alloc.h. */
void page_alloc_reset_for_test(void)
{
	spin_lock_init(&page_alloc_lock);
	memset(pa_banks, 0, sizeof(pa_banks));
	pa_nr_banks = 0;
	pa_initialised = false;
	pa_stats = (struct page_alloc_stats){ 0 };
}

/** The bank whose frame table holds pg, or NULL. */
static struct pa_bank *bank_of_page(const struct page_info *pg)
{
	for (unsigned int i = 0; i < pa_nr_banks; i++) {
		struct pa_bank *b = &pa_banks[i];

		if (pg >= b->frames && pg < b->frames + b->nr_frames) {
			return b;
		}
	}
	return NULL;
}

/** The bank holding frame mfn, or NULL. */
static struct pa_bank *bank_of_mfn(u64 mfn)
{
	for (unsigned int i = 0; i < pa_nr_banks; i++) {
		struct pa_bank *b = &pa_banks[i];

		if (mfn >= b->base_mfn && mfn - b->base_mfn < b->nr_frames) {
			return b;
		}
	}
	return NULL;
}

/**
 * Allocates 2^order naturally aligned frames from the smallest free block that fits,
 * searching all banks; NULL if there is none. The frames are owned by the hypervisor
 * (owner PAGE_OWNER_HV, state PGS_ALLOCATED, count 0); PA_ZERO zeroes them and cleans
 * the zeroes to the point of coherency. Takes
 * page_alloc_lock.
 */
struct page_info *page_alloc(unsigned int order, unsigned int flags)
{
	struct pa_bank *b = NULL;
	struct page_info *pg;
	unsigned long irqflags;
	unsigned int k;
	u32 idx = 0;

	if (order > PAGE_MAX_ORDER) {
		return NULL;
	}

	spin_lock_irqsave(&page_alloc_lock, irqflags);
	for (k = order; k <= PAGE_MAX_ORDER && !b; k++) {
		for (unsigned int i = 0; i < pa_nr_banks; i++) {
			if (pa_banks[i].free_head[k] != PA_LINK_NONE) {
				b = &pa_banks[i];
				idx = b->free_head[k];
				break;
			}
		}
	}
	if (!b) {
		spin_unlock_irqrestore(&page_alloc_lock, irqflags);
		return NULL;
	}
	k = b->frames[idx].order;
	free_list_remove(b, idx);
	/* Split: the upper half of each too-large block goes back on the lists. */
	while (k > order) {
		k--;
		free_list_push(b, idx + (1u << k), k);
	}
	for (u32 i = 0; i < (1u << order); i++) {
		pg = &b->frames[idx + i];
		pg->next = i == 0 ? PA_LINK_ALLOC_HEAD(order) : PA_LINK_ALLOC_TAIL;
		pg->prev = idx;
		pg->count = 0;
		pg->owner = PAGE_OWNER_HV;
		pg->state = PGS_ALLOCATED;
		pg->order = i == 0 ? (u8)order : 0;
	}
	pa_stats.free_pages -= 1ULL << order;
	pg = &b->frames[idx];
	spin_unlock_irqrestore(&page_alloc_lock, irqflags);

	if (flags & PA_ZERO) {
		void *va = phys_to_virt(page_to_paddr(pg));

		memset(va, 0, PAGE_SIZE << order);
		/*
		 * To the point of coherency: a guest that reads with its MMU or caches off (or
		 * through a non-cacheable mapping) must see the zeroes, not what the previous
		 * owner left in memory behind them.
		 */
		dcache_clean_range(va, PAGE_SIZE << order);
	}
	return pg;
}

/* page_free() with page_alloc_lock held (irqflags: for the BUG path only). */
static void page_free_locked(struct page_info *pg, unsigned int order, unsigned long irqflags)
{
	struct pa_bank *b;
	u64 idx, mfn;
	unsigned int k;

	b = bank_of_page(pg);
	PA_BUG_ON_LOCKED(!b, irqflags);
	idx = (u64)(pg - b->frames);
	PA_BUG_ON_LOCKED(order > PAGE_MAX_ORDER, irqflags);
	PA_BUG_ON_LOCKED(pg->state != PGS_ALLOCATED, irqflags);
	PA_BUG_ON_LOCKED(pg->next != PA_LINK_ALLOC_HEAD(order) || pg->prev != idx, irqflags);
	PA_BUG_ON_LOCKED(idx + (1ULL << order) > b->nr_frames, irqflags);
	for (u64 i = 1; i < (1ULL << order); i++) {
		const struct page_info *t = &b->frames[idx + i];

		PA_BUG_ON_LOCKED(t->state != PGS_ALLOCATED || t->next != PA_LINK_ALLOC_TAIL ||
					 t->prev != idx,
				 irqflags);
	}

	for (u64 i = 0; i < (1ULL << order); i++) {
		frame_make_free_tail(&b->frames[idx + i]);
	}
	pa_stats.free_pages += 1ULL << order;

	/* Merge with the buddy while it heads a free block of the same order. */
	mfn = b->base_mfn + idx;
	for (k = order; k < PAGE_MAX_ORDER; k++) {
		u64 buddy_mfn = mfn ^ (1ULL << k);
		u64 buddy_idx;

		if (buddy_mfn < b->base_mfn || buddy_mfn - b->base_mfn >= b->nr_frames) {
			break;
		}
		buddy_idx = buddy_mfn - b->base_mfn;
		if (!frame_is_free_head(b, buddy_idx, k)) {
			break;
		}
		free_list_remove(b, (u32)buddy_idx);
		b->frames[buddy_idx].order = 0;
		mfn &= ~(1ULL << k);
	}
	free_list_push(b, (u32)(mfn - b->base_mfn), k);
}

/**
 * Returns a block to the allocator and merges it with its free buddies. pg and order
 * must be exactly what page_alloc() returned and was given; anything else (double
 * free, reserved frame, wrong order, a frame inside a block) is a hypervisor bug and
 * BUGs. page_free(NULL, ...) does nothing. Takes page_alloc_lock.
 */
void page_free(struct page_info *pg, unsigned int order)
{
	unsigned long irqflags;

	if (!pg) {
		return;
	}
	spin_lock_irqsave(&page_alloc_lock, irqflags);
	page_free_locked(pg, order, irqflags);
	spin_unlock_irqrestore(&page_alloc_lock, irqflags);
}

/** See hv/page_alloc.h. */
struct page_info *page_alloc_at(mfn_t frame)
{
	u64 mfn = mfn_x(frame);
	struct pa_bank *b = bank_of_mfn(mfn);
	struct page_info *pg = NULL;
	unsigned long irqflags;
	u64 idx, head = 0;
	unsigned int k;

	if (b == NULL) {
		return NULL;
	}
	idx = mfn - b->base_mfn;
	spin_lock_irqsave(&page_alloc_lock, irqflags);
	/* The free block holding the frame is the aligned one of some order that is free. */
	for (k = 0; k <= PAGE_MAX_ORDER; k++) {
		head = ((mfn & ~((1ULL << k) - 1)) - b->base_mfn);
		if ((mfn & ~((1ULL << k) - 1)) < b->base_mfn) {
			break;
		}
		if (frame_is_free_head(b, head, k)) {
			break;
		}
	}
	if (k > PAGE_MAX_ORDER || (mfn & ~((1ULL << k) - 1)) < b->base_mfn) {
		spin_unlock_irqrestore(&page_alloc_lock, irqflags);
		return NULL; /* allocated or reserved */
	}
	free_list_remove(b, (u32)head);
	b->frames[head].order = 0;
	/* Split down to the frame: the halves without it go back on the lists. */
	while (k > 0) {
		k--;
		if (idx >= head + (1ULL << k)) {
			free_list_push(b, (u32)head, k);
			head += 1ULL << k;
		} else {
			free_list_push(b, (u32)(head + (1ULL << k)), k);
		}
	}
	pg = &b->frames[idx];
	pg->next = PA_LINK_ALLOC_HEAD(0);
	pg->prev = (u32)idx;
	pg->count = 0;
	pg->owner = PAGE_OWNER_HV;
	pg->state = PGS_ALLOCATED;
	pg->order = 0;
	pa_stats.free_pages--;
	spin_unlock_irqrestore(&page_alloc_lock, irqflags);
	return pg;
}

/* True for a single-frame allocation (domain RAM after page_split()). */
static bool frame_is_single(const struct pa_bank *b, const struct page_info *pg)
{
	return pg->state == PGS_ALLOCATED && pg->next == PA_LINK_ALLOC_HEAD(0) &&
	       pg->prev == (u64)(pg - b->frames);
}

/** See hv/page_alloc.h. */
bool page_get_ref(struct page_info *pg, u16 owner)
{
	struct pa_bank *b = bank_of_page(pg);
	unsigned long irqflags;
	bool ok;

	if (b == NULL) {
		return false;
	}
	spin_lock_irqsave(&page_alloc_lock, irqflags);
	ok = frame_is_single(b, pg) && pg->owner == owner && !(pg->count & PAGE_COUNT_HV) &&
	     pg->count < PAGE_COUNT_MAX_REFS;
	if (ok) {
		pg->count++;
	}
	spin_unlock_irqrestore(&page_alloc_lock, irqflags);
	return ok;
}

/** See hv/page_alloc.h. */
void page_release_owned(struct page_info *pg, u16 owner)
{
	unsigned long irqflags;

	spin_lock_irqsave(&page_alloc_lock, irqflags);
	PA_BUG_ON_LOCKED(pg->owner != owner || (pg->count & PAGE_COUNT_HV), irqflags);
	if (pg->count == 0) {
		pg->owner = PAGE_OWNER_HV;
		page_free_locked(pg, 0, irqflags);
	} else {
		pg->owner = PAGE_OWNER_ORPHAN;
	}
	spin_unlock_irqrestore(&page_alloc_lock, irqflags);
}

/** See hv/page_alloc.h. */
void page_put_ref(struct page_info *pg)
{
	unsigned long irqflags;

	spin_lock_irqsave(&page_alloc_lock, irqflags);
	PA_BUG_ON_LOCKED(pg->count == 0 || (pg->count & PAGE_COUNT_HV), irqflags);
	if (--pg->count == 0 && pg->owner == PAGE_OWNER_ORPHAN) {
		/* Its domain is gone: the last mapping frees it. */
		pg->owner = PAGE_OWNER_HV;
		page_free_locked(pg, 0, irqflags);
	}
	spin_unlock_irqrestore(&page_alloc_lock, irqflags);
}

/** See hv/page_alloc.h. */
void page_split(struct page_info *pg, unsigned int order)
{
	unsigned long irqflags;
	struct pa_bank *b;
	u64 idx;

	spin_lock_irqsave(&page_alloc_lock, irqflags);
	b = bank_of_page(pg);
	PA_BUG_ON_LOCKED(!b, irqflags);
	idx = (u64)(pg - b->frames);
	PA_BUG_ON_LOCKED(order > PAGE_MAX_ORDER || idx + (1ULL << order) > b->nr_frames, irqflags);
	PA_BUG_ON_LOCKED(pg->state != PGS_ALLOCATED || pg->next != PA_LINK_ALLOC_HEAD(order) ||
				 pg->prev != idx,
			 irqflags);
	for (u64 i = 0; i < (1ULL << order); i++) {
		struct page_info *f = &b->frames[idx + i];

		PA_BUG_ON_LOCKED(i > 0 && (f->next != PA_LINK_ALLOC_TAIL || f->prev != idx),
				 irqflags);
		f->next = PA_LINK_ALLOC_HEAD(0);
		f->prev = (u32)(idx + i);
		f->order = 0;
	}
	spin_unlock_irqrestore(&page_alloc_lock, irqflags);
}

/** See hv/page_alloc.h. */
bool page_free_owned_step(u16 owner, u64 *cursor, u64 budget, u64 *freed)
{
	u64 base = 0; /* index of the first frame of bank bi in the scan order */

	for (unsigned int bi = 0; bi < pa_nr_banks; bi++) {
		struct pa_bank *b = &pa_banks[bi];

		if (*cursor >= base + b->nr_frames) {
			base += b->nr_frames;
			continue;
		}
		for (u64 i = *cursor - base; i < b->nr_frames; i++) {
			struct page_info *f = &b->frames[i];
			unsigned long irqflags;

			if (budget == 0) {
				*cursor = base + i;
				return false;
			}
			budget--;
			/* Single-frame allocations of this owner (domain RAM after page_split). */
			if (f->owner != owner || f->state != PGS_ALLOCATED) {
				continue;
			}
			spin_lock_irqsave(&page_alloc_lock, irqflags);
			if (f->owner == owner && frame_is_single(b, f) &&
			    !(f->count & PAGE_COUNT_HV)) {
				if (f->count == 0) {
					f->owner = PAGE_OWNER_HV;
					page_free_locked(f, 0, irqflags);
					(*freed)++;
				} else {
					/* Still mapped by another domain: freed by its last unmap. */
					f->owner = PAGE_OWNER_ORPHAN;
				}
			}
			spin_unlock_irqrestore(&page_alloc_lock, irqflags);
		}
		base += b->nr_frames;
		*cursor = base;
	}
	return true;
}

/** See hv/page_alloc.h. */
u64 page_free_owned(u16 owner)
{
	u64 cursor = 0, freed = 0;

	while (!page_free_owned_step(owner, &cursor, ~0ull, &freed)) {
	}
	return freed;
}

/** See hv/page_alloc.h. */
u64 page_count_stray(const u64 *live)
{
	u64 n = 0;

	for (unsigned int bi = 0; bi < pa_nr_banks; bi++) {
		const struct pa_bank *b = &pa_banks[bi];

		for (u64 i = 0; i < b->nr_frames; i++) {
			const struct page_info *f = &b->frames[i];
			u16 o = f->owner;

			if (f->state != PGS_ALLOCATED) {
				continue;
			}
			if (o == PAGE_OWNER_ORPHAN ||
			    (o < PAGE_OWNER_HV && !(live[o / 64] & (1ull << (o % 64))))) {
				n++;
			}
		}
	}
	return n;
}

/** page_alloc() returning the hypervisor VA of the first frame, or NULL. */
void *page_alloc_va(unsigned int order, unsigned int flags)
{
	struct page_info *pg = page_alloc(order, flags);

	return pg ? phys_to_virt(page_to_paddr(pg)) : NULL;
}

/**
 * page_free() by hypervisor VA. va must come from page_alloc_va() (or be the VA of a
 * page_alloc() block); an address outside the managed banks BUGs. NULL does nothing.
 */
void page_free_va(void *va, unsigned int order)
{
	struct page_info *pg;

	if (!va) {
		return;
	}
	pg = paddr_to_page(virt_to_phys(va));
	BUG_ON(!pg);
	page_free(pg, order);
}

/** Physical address of the frame pg describes; pg must come from a frame table. */
paddr_t page_to_paddr(const struct page_info *pg)
{
	return mfn_to_paddr(page_to_mfn(pg));
}

/** Frame number of the frame pg describes; pg must come from a frame table. */
mfn_t page_to_mfn(const struct page_info *pg)
{
	const struct pa_bank *b = bank_of_page(pg);

	BUG_ON(!b);
	return _mfn(b->base_mfn + (u64)(pg - b->frames));
}

/**
 * The page_info of the frame holding pa (reserved frames included), or NULL if pa is
 * not in a bank with an allocator. The bank table is fixed after init: no lock.
 */
struct page_info *paddr_to_page(paddr_t pa)
{
	return mfn_to_page(paddr_to_mfn(pa));
}

/** As paddr_to_page(), by frame number. */
struct page_info *mfn_to_page(mfn_t mfn)
{
	struct pa_bank *b = bank_of_mfn(mfn_x(mfn));

	return b ? &b->frames[mfn_x(mfn) - b->base_mfn] : NULL;
}

/**
 * Copies the counters. total_pages counts every whole frame of every bank given to
 * page_alloc_init(), including banks that got no allocator; managed_pages those
 * handed to the buddy lists (so total = managed + reserved + frame tables + ignored
 * banks). Takes page_alloc_lock for a consistent snapshot.
 */
void page_alloc_get_stats(struct page_alloc_stats *st)
{
	unsigned long irqflags;

	spin_lock_irqsave(&page_alloc_lock, irqflags);
	*st = pa_stats;
	spin_unlock_irqrestore(&page_alloc_lock, irqflags);
}

/** Smallest order whose 2^order frames hold 'bytes' (0 for 0 bytes); may exceed the max. */
unsigned int page_order_for(u64 bytes)
{
	u64 pages = (bytes >> PAGE_SHIFT) + ((bytes & (PAGE_SIZE - 1)) ? 1 : 0);
	unsigned int order = 0;

	while ((1ULL << order) < pages) {
		order++;
	}
	return order;
}
