/* SPDX-License-Identifier: MIT */
/*
 * Lamina's definitions of the Xen memory_op ABI (layout- and value-identical to Xen's
 * public/memory.h).
 */
#ifndef LAMINA_PUBLIC_MEMORY_H
#define LAMINA_PUBLIC_MEMORY_H

#include "xen.h"

/* memory_op commands. Bits 6 and up of the command carry a continuation index. */
#define XENMEM_increase_reservation 0
#define XENMEM_decrease_reservation 1
#define XENMEM_populate_physmap 6
#define XENMEM_add_to_physmap 7
#define XENMEM_remove_from_physmap 15
#define XENMEM_add_to_physmap_batch 23
#define XENMEM_acquire_resource 28
#define MEMOP_EXTENT_SHIFT 6
#define MEMOP_CMD_MASK ((1u << MEMOP_EXTENT_SHIFT) - 1)

/* xen_add_to_physmap.space */
#define XENMAPSPACE_shared_info 0
#define XENMAPSPACE_grant_table 1
#define XENMAPSPACE_gmfn 2
#define XENMAPSPACE_gmfn_range 3
#define XENMAPSPACE_gmfn_foreign 4
#define XENMAPSPACE_dev_mmio 5
/* OR-ed into idx for grant-table status frames (grant table v2). */
#define XENMAPIDX_grant_table_status 0x80000000U

/** XENMEM_add_to_physmap: make frame idx of 'space' appear at guest frame gpfn. */
struct xen_add_to_physmap {
	domid_t domid;	 /* DOMID_SELF or the caller's own ID */
	uint16_t size;	 /* gmfn_range only: number of frames */
	uint32_t space;	 /* XENMAPSPACE_* */
	xen_ulong_t idx; /* index within the space (0 for shared_info) */
	xen_pfn_t gpfn;	 /* guest frame number to map it at */
};
_Static_assert(sizeof(struct xen_add_to_physmap) == 24, "xen_add_to_physmap size");
_Static_assert(__builtin_offsetof(struct xen_add_to_physmap, space) == 4, "space");
_Static_assert(__builtin_offsetof(struct xen_add_to_physmap, idx) == 8, "idx");
_Static_assert(__builtin_offsetof(struct xen_add_to_physmap, gpfn) == 16, "gpfn");

/** XENMEM_remove_from_physmap: unmap whatever is at gpfn. */
struct xen_remove_from_physmap {
	domid_t domid;
	xen_pfn_t gpfn;
};
_Static_assert(sizeof(struct xen_remove_from_physmap) == 16, "xen_remove_from_physmap size");
_Static_assert(__builtin_offsetof(struct xen_remove_from_physmap, gpfn) == 8, "gpfn");

/** XENMEM_add_to_physmap_batch: 'size' frames at once; per-frame errors in errs. */
struct xen_add_to_physmap_batch {
	domid_t domid;	       /* the domain whose p2m changes (DOMID_SELF) */
	uint16_t space;	       /* XENMAPSPACE_* (gmfn_foreign only here) */
	uint16_t size;	       /* number of frames */
	domid_t foreign_domid; /* gmfn_foreign: the domain owning the frames */
	uint64_t idxs;	       /* guest handle: xen_ulong_t[size], frames of foreign_domid */
	uint64_t gpfns;	       /* guest handle: xen_pfn_t[size], where they appear */
	uint64_t errs;	       /* guest handle: int[size], OUT */
};
_Static_assert(sizeof(struct xen_add_to_physmap_batch) == 32, "add_to_physmap_batch size");
_Static_assert(__builtin_offsetof(struct xen_add_to_physmap_batch, foreign_domid) == 6, "fdom");
_Static_assert(__builtin_offsetof(struct xen_add_to_physmap_batch, idxs) == 8, "idxs");
_Static_assert(__builtin_offsetof(struct xen_add_to_physmap_batch, errs) == 24, "errs");

/** XENMEM_{increase,decrease}_reservation and XENMEM_populate_physmap. */
struct xen_memory_reservation {
	uint64_t extent_start; /* guest handle: array of xen_pfn_t */
	xen_ulong_t nr_extents;
	uint32_t extent_order;
	uint32_t mem_flags; /* XENMEMF_* */
	domid_t domid;
};
_Static_assert(sizeof(struct xen_memory_reservation) == 32, "xen_memory_reservation size");
_Static_assert(__builtin_offsetof(struct xen_memory_reservation, domid) == 24, "domid");

#endif
