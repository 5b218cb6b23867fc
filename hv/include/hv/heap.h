/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Hypervisor heap on top of the page allocator: size-class slabs for small objects
 * (each slab one page, returned to the page allocator when empty), whole page runs
 * for large ones. Every allocation is at least 16-byte aligned. Safe to call from
 * any CPU (IRQ-safe lock), never from a context that must not spin.
 */
#pragma once

#include <hv/types.h>

void *xmalloc(size_t size);
void *xzalloc(size_t size);
/** n * size with overflow check (NULL on overflow), zeroed. */
void *xzalloc_array(size_t n, size_t size);
void xfree(void *p);

struct heap_stats {
	u64 bytes_in_use; /* sum of requested sizes of live allocations */
	u64 nr_allocs;	  /* live allocations */
	u64 pages_in_use; /* pages currently held from the page allocator */
};
void heap_get_stats(struct heap_stats *st);
/** Forgets every slab and counter, with the page allocator's reset (host unit tests). */
void heap_reset_for_test(void);
