/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Hypervisor heap: xmalloc()/xfree() on top of the page allocator.
 *
 * Small requests (up to HEAP_MAX_SMALL bytes) are served from slabs, one per page and
 * size class (16, 32, ..., 2048 bytes). A slab starts with a struct slab header that
 * records, per object, the requested size (or SLAB_OBJ_FREE), so xfree() can both
 * account the bytes and catch a double free. Free objects are chained through their
 * first two bytes by object index. Slabs with at least one free object sit on their
 * class's partial list; a slab whose last object is freed goes back to the page
 * allocator at once.
 *
 * Larger requests get a whole block of 2^order pages with a struct large_hdr in the
 * first 16 bytes; the caller's memory starts right after it.
 *
 * Locking: heap_lock (IRQ-safe) guards the partial lists, the slab headers and the
 * statistics. Lock order: heap_lock, then page_alloc_lock (a new slab is allocated
 * with heap_lock held).
 */
#include <hv/mm.h>
#include <hv/bug.h>
#include <hv/heap.h>
#include <hv/lib.h>
#include <hv/page_alloc.h>
#include <hv/spinlock.h>

#define HEAP_MIN_SHIFT 4 /* smallest class: 16 bytes, the heap's alignment */
#define HEAP_NR_CLASSES 8
#define HEAP_MAX_SMALL (1u << (HEAP_MIN_SHIFT + HEAP_NR_CLASSES - 1)) /* 2048 */
#define HEAP_ALIGN (1u << HEAP_MIN_SHIFT)

#define SLAB_MAGIC 0x51AB0C8Eu
#define LARGE_MAGIC 0x1A26E0B1u
#define DEAD_MAGIC 0xDEADB10Cu /* written over a header when its page is released */

#define SLAB_OBJ_FREE 0xFFFFu /* slab->req[] of a free object */
#define SLAB_NONE 0xFFFFu     /* end of a slab's free list */

/** Header at the start of every slab page. */
struct slab {
	u32 magic;	   /* SLAB_MAGIC */
	u16 cls;	   /* size class index: object size is 16 << cls */
	u16 nr_objs;	   /* objects in this slab */
	u16 nr_free;	   /* free objects */
	u16 free_head;	   /* index of the first free object, or SLAB_NONE */
	u32 obj_offset;	   /* offset of object 0 from the page start, HEAP_ALIGN-aligned */
	struct slab *next; /* partial list of the class; NULL when full */
	struct slab *prev;
	u16 req[]; /* per object: requested bytes, or SLAB_OBJ_FREE */
};

/** Header of a large (whole-page) allocation; the caller's memory follows it. */
struct large_hdr {
	u32 magic; /* LARGE_MAGIC */
	u32 order; /* the block is 2^order pages */
	u64 size;  /* requested bytes */
};

_Static_assert(sizeof(struct large_hdr) == HEAP_ALIGN, "large payload must stay aligned");
_Static_assert(HEAP_MAX_SMALL == 2048, "size classes are 16..2048 bytes");

static spinlock_t heap_lock = SPINLOCK_INIT;
static struct slab *heap_partial[HEAP_NR_CLASSES];
static struct heap_stats heap_st;

/* Reports one of our own bugs found with heap_lock held (dropped first, see page_alloc.c). */
#define HEAP_BUG_ON_LOCKED(cond, flags)                            \
	do {                                                       \
		if (unlikely(cond)) {                              \
			spin_unlock_irqrestore(&heap_lock, flags); \
			__bug(__FILE__, __LINE__, #cond);          \
		}                                                  \
	} while (0)

/** Object size of class cls. */
static size_t class_size(unsigned int cls)
{
	return (size_t)HEAP_ALIGN << cls;
}

/** Smallest class holding size bytes (size <= HEAP_MAX_SMALL; 0 uses the smallest). */
static unsigned int class_for(size_t size)
{
	unsigned int cls = 0;

	while (class_size(cls) < size) {
		cls++;
	}
	return cls;
}

/** The u16 free-list link stored in the first bytes of a free object. */
static u16 *obj_link(struct slab *s, unsigned int i)
{
	return (u16 *)((u8 *)s + s->obj_offset + i * class_size(s->cls));
}

static void partial_push(struct slab *s)
{
	struct slab **head = &heap_partial[s->cls];

	s->prev = NULL;
	s->next = *head;
	if (*head) {
		(*head)->prev = s;
	}
	*head = s;
}

static void partial_remove(struct slab *s)
{
	if (s->prev) {
		s->prev->next = s->next;
	} else {
		heap_partial[s->cls] = s->next;
	}
	if (s->next) {
		s->next->prev = s->prev;
	}
	s->next = NULL;
	s->prev = NULL;
}

/**
 * Takes a page from the page allocator and formats it as an empty slab of class cls,
 * with as many objects as fit after the header and its per-object table. Called with
 * heap_lock held; NULL if the page allocator is out of memory.
 */
static struct slab *slab_new(unsigned int cls)
{
	size_t size = class_size(cls);
	struct slab *s = page_alloc_va(0, 0);
	size_t n, off;

	if (!s) {
		return NULL;
	}
	n = (PAGE_SIZE - sizeof(struct slab)) / (size + sizeof(u16));
	for (;;) {
		off = ROUND_UP(sizeof(struct slab) + n * sizeof(u16), (size_t)HEAP_ALIGN);
		if (off + n * size <= PAGE_SIZE) {
			break;
		}
		n--;
	}
	s->magic = SLAB_MAGIC;
	s->cls = (u16)cls;
	s->nr_objs = (u16)n;
	s->nr_free = (u16)n;
	s->free_head = 0;
	s->obj_offset = (u32)off;
	s->next = NULL;
	s->prev = NULL;
	for (size_t i = 0; i < n; i++) {
		s->req[i] = SLAB_OBJ_FREE;
		*obj_link(s, (unsigned int)i) = i + 1 < n ? (u16)(i + 1) : SLAB_NONE;
	}
	heap_st.pages_in_use++;
	return s;
}

/** Allocates from the slabs of class cls; NULL if a new slab was needed and failed. */
static void *slab_alloc(size_t size)
{
	unsigned int cls = class_for(size);
	unsigned long flags;
	struct slab *s;
	unsigned int i;
	u16 *obj;

	spin_lock_irqsave(&heap_lock, flags);
	s = heap_partial[cls];
	if (!s) {
		s = slab_new(cls);
		if (!s) {
			spin_unlock_irqrestore(&heap_lock, flags);
			return NULL;
		}
		partial_push(s);
	}
	i = s->free_head;
	/* A corrupt free list means someone wrote to a freed object. */
	HEAP_BUG_ON_LOCKED(i >= s->nr_objs || s->req[i] != SLAB_OBJ_FREE, flags);
	obj = obj_link(s, i);
	HEAP_BUG_ON_LOCKED(
		*obj != SLAB_NONE && (*obj >= s->nr_objs || s->req[*obj] != SLAB_OBJ_FREE), flags);
	s->free_head = *obj;
	s->req[i] = (u16)size;
	s->nr_free--;
	if (s->nr_free == 0) {
		partial_remove(s);
	}
	heap_st.bytes_in_use += size;
	heap_st.nr_allocs++;
	spin_unlock_irqrestore(&heap_lock, flags);
	return obj;
}

/** Allocates a whole-page block for a request above HEAP_MAX_SMALL; NULL if none. */
static void *large_alloc(size_t size)
{
	struct large_hdr *h;
	unsigned long flags;
	unsigned int order;

	if ((u64)size > (PAGE_SIZE << PAGE_MAX_ORDER) - sizeof(struct large_hdr)) {
		return NULL;
	}
	order = page_order_for((u64)size + sizeof(struct large_hdr));
	h = page_alloc_va(order, 0);
	if (!h) {
		return NULL;
	}
	h->magic = LARGE_MAGIC;
	h->order = order;
	h->size = size;

	spin_lock_irqsave(&heap_lock, flags);
	heap_st.bytes_in_use += size;
	heap_st.nr_allocs++;
	heap_st.pages_in_use += 1ULL << order;
	spin_unlock_irqrestore(&heap_lock, flags);
	return h + 1;
}

/**
 * Allocates size bytes, 16-byte aligned, uninitialised; NULL if out of memory. A
 * zero-byte request gets a distinct 16-byte object that xfree() accepts.
 */
void *xmalloc(size_t size)
{
	return size <= HEAP_MAX_SMALL ? slab_alloc(size) : large_alloc(size);
}

/** xmalloc() with the memory zeroed. */
void *xzalloc(size_t size)
{
	void *p = xmalloc(size);

	if (p) {
		memset(p, 0, size);
	}
	return p;
}

/** Zeroed array of n objects of size bytes; NULL if n * size overflows or no memory. */
void *xzalloc_array(size_t n, size_t size)
{
	if (size != 0 && n > (size_t)-1 / size) {
		return NULL;
	}
	return xzalloc(n * size);
}

/**
 * Frees an object of the slab s (at offset off of its page), with heap_lock held
 * (flags from spin_lock_irqsave). Drops the lock. A pointer that is not the start of
 * a live object of s BUGs.
 */
static void slab_free(struct slab *s, size_t off, unsigned long flags)
{
	bool was_full, now_empty;
	size_t size, rel;
	unsigned int i;

	HEAP_BUG_ON_LOCKED(s->cls >= HEAP_NR_CLASSES, flags);
	HEAP_BUG_ON_LOCKED(off < s->obj_offset, flags);
	size = class_size(s->cls);
	rel = off - s->obj_offset;
	HEAP_BUG_ON_LOCKED(rel % size != 0, flags);
	i = (unsigned int)(rel / size);
	HEAP_BUG_ON_LOCKED(i >= s->nr_objs, flags);
	HEAP_BUG_ON_LOCKED(s->req[i] == SLAB_OBJ_FREE, flags); /* double free */

	heap_st.bytes_in_use -= s->req[i];
	heap_st.nr_allocs--;
	s->req[i] = SLAB_OBJ_FREE;
	*obj_link(s, i) = s->free_head;
	s->free_head = (u16)i;
	was_full = s->nr_free == 0;
	s->nr_free++;
	now_empty = s->nr_free == s->nr_objs;

	if (now_empty) {
		if (!was_full) {
			partial_remove(s);
		}
		s->magic = DEAD_MAGIC;
		heap_st.pages_in_use--;
	} else if (was_full) {
		partial_push(s);
	}
	spin_unlock_irqrestore(&heap_lock, flags);

	if (now_empty) {
		page_free_va(s, 0);
	}
}

/**
 * Frees memory from xmalloc() and friends; NULL does nothing. A pointer the heap did
 * not hand out (or already took back) is a hypervisor bug and BUGs, as far as the
 * headers can tell.
 */
void xfree(void *p)
{
	uintptr_t page, off;
	struct large_hdr *h;
	const struct page_info *pg;
	unsigned long flags;
	unsigned int order;

	if (!p) {
		return;
	}
	page = (uintptr_t)p & (uintptr_t)PAGE_MASK;
	off = (uintptr_t)p - page;

	spin_lock_irqsave(&heap_lock, flags);
	if (*(const u32 *)page == SLAB_MAGIC) {
		slab_free((struct slab *)page, off, flags);
		return;
	}
	HEAP_BUG_ON_LOCKED(*(const u32 *)page != LARGE_MAGIC, flags);
	HEAP_BUG_ON_LOCKED(off != sizeof(struct large_hdr), flags);
	h = (struct large_hdr *)page;
	pg = paddr_to_page(virt_to_phys(h));
	HEAP_BUG_ON_LOCKED(!pg || pg->state != PGS_ALLOCATED || h->order > PAGE_MAX_ORDER, flags);
	order = h->order;
	heap_st.bytes_in_use -= h->size;
	heap_st.nr_allocs--;
	heap_st.pages_in_use -= 1ULL << order;
	h->magic = DEAD_MAGIC;
	spin_unlock_irqrestore(&heap_lock, flags);

	page_free_va(h, order);
}

/** Copies the heap counters (a consistent snapshot, under heap_lock). */
void heap_get_stats(struct heap_stats *st)
{
	unsigned long flags;

	spin_lock_irqsave(&heap_lock, flags);
	*st = heap_st;
	spin_unlock_irqrestore(&heap_lock, flags);
}

/** See hv/include/hv/heap.h. */
void heap_reset_for_test(void)
{
	spin_lock_init(&heap_lock);
	memset(heap_partial, 0, sizeof(heap_partial));
	heap_st = (struct heap_stats){ 0 };
}
