/* SPDX-License-Identifier: MIT */
/*
 * Lamina's definitions of the Xen grant-table ABI, version 1 (layout- and value-identical
 * to Xen's public/grant_table.h).
 */
#ifndef LAMINA_PUBLIC_GRANT_TABLE_H
#define LAMINA_PUBLIC_GRANT_TABLE_H

#include <stddef.h>
#include <stdint.h>

typedef uint32_t grant_ref_t;

#define GNTTABOP_map_grant_ref 0
#define GNTTABOP_unmap_grant_ref 1
#define GNTTABOP_setup_table 2
#define GNTTABOP_copy 5
#define GNTTABOP_query_size 6
#define GNTTABOP_set_version 8
#define GNTTABOP_get_version 10
#define GNTTABOP_cache_flush 12

/* Status codes (GNTST_*). */
#define GNTST_okay 0
#define GNTST_general_error (-1)
#define GNTST_bad_domain (-2)
#define GNTST_bad_gntref (-3)
#define GNTST_bad_handle (-4)
#define GNTST_bad_virt_addr (-5)
#define GNTST_bad_dev_addr (-6)
#define GNTST_no_device_space (-7)
#define GNTST_permission_denied (-8)
#define GNTST_bad_page (-9)
#define GNTST_bad_copy_arg (-10)
#define GNTST_address_too_big (-11)
#define GNTST_eagain (-12)
#define GNTST_no_space (-13)

/* Reserved grant references (the toolstack writes them for the guest). */
#define GNTTAB_RESERVED_CONSOLE 0
#define GNTTAB_RESERVED_XENSTORE 1

/* The first entries are the toolstack's (0 console ring, 1 xenstore ring). */
#define GNTTAB_NR_RESERVED_ENTRIES 8

/* A v1 grant entry: 512 of them per 4 KiB frame. */
struct grant_entry_v1 {
	uint16_t flags;
	uint16_t domid;
	uint32_t frame;
};
#define GTF_permit_access 1
#define GTF_readonly (1 << 2)
#define GTF_reading (1 << 3)
#define GTF_writing (1 << 4)
#define GTF_type_mask 3
#define GTF_invalid 0

typedef uint32_t grant_handle_t;

/* gnttab_map_grant_ref.flags (GNTMAP_*); on Arm only host_map (+ readonly) is valid. */
#define GNTMAP_device_map (1 << 0)
#define GNTMAP_host_map (1 << 1)
#define GNTMAP_readonly (1 << 2)
#define GNTMAP_application_map (1 << 3)
#define GNTMAP_contains_pte (1 << 4)

/** GNTTABOP_map_grant_ref: map grant 'ref' of domain 'dom' at guest-physical host_addr. */
struct gnttab_map_grant_ref {
	uint64_t host_addr;    /* IN: guest physical address (auto-translated guests) */
	uint32_t flags;	       /* IN: GNTMAP_* */
	grant_ref_t ref;       /* IN */
	uint16_t dom;	       /* IN: the granting domain */
	int16_t status;	       /* OUT: GNTST_* */
	grant_handle_t handle; /* OUT: for unmap */
	uint64_t dev_bus_addr; /* OUT: machine address of the frame */
};

struct gnttab_unmap_grant_ref {
	uint64_t host_addr;    /* IN: as mapped, or 0 */
	uint64_t dev_bus_addr; /* IN: ignored on Arm */
	grant_handle_t handle; /* IN */
	int16_t status;	       /* OUT */
};

/** GNTTABOP_setup_table: grow to nr_frames and list where the frames are mapped. */
struct gnttab_setup_table {
	uint16_t dom;	     /* IN */
	uint32_t nr_frames;  /* IN */
	int16_t status;	     /* OUT */
	uint64_t frame_list; /* IN: guest handle of xen_pfn_t[nr_frames] (OUT values) */
};

/* gnttab_copy.flags */
#define GNTCOPY_source_gref (1 << 0)
#define GNTCOPY_dest_gref (1 << 1)

struct gnttab_copy_ptr {
	union {
		grant_ref_t ref; /* with GNTCOPY_*_gref */
		uint64_t gmfn;	 /* else: a frame of the caller */
	} u;
	uint16_t domid;
	uint16_t offset;
};

/** GNTTABOP_copy: copy len bytes between two frames (grants or the caller's own). */
struct gnttab_copy {
	struct gnttab_copy_ptr source, dest;
	uint16_t len;
	uint16_t flags;
	int16_t status;
};

struct gnttab_query_size {
	uint16_t dom;		/* IN */
	uint32_t nr_frames;	/* OUT */
	uint32_t max_nr_frames; /* OUT */
	int16_t status;		/* OUT */
};

struct gnttab_set_version {
	uint32_t version; /* IN/OUT */
};

struct gnttab_get_version {
	uint16_t dom; /* IN */
	uint16_t pad;
	uint32_t version; /* OUT */
};

struct gnttab_cache_flush {
	union {
		uint64_t dev_bus_addr;
		grant_ref_t ref;
	} a;
	uint16_t offset;
	uint16_t length;
	uint32_t op;
};
#define GNTTAB_CACHE_CLEAN (1u << 0)
#define GNTTAB_CACHE_INVAL (1u << 1)
#define GNTTAB_CACHE_SOURCE_GREF (1u << 31)

_Static_assert(sizeof(struct gnttab_cache_flush) == 16, "gnttab_cache_flush size");
_Static_assert(offsetof(struct gnttab_cache_flush, op) == 12, "cache_flush.op");
_Static_assert(sizeof(struct grant_entry_v1) == 8, "grant_entry_v1 size");
_Static_assert(sizeof(struct gnttab_map_grant_ref) == 32, "gnttab_map_grant_ref size");
_Static_assert(offsetof(struct gnttab_map_grant_ref, ref) == 12, "map.ref");
_Static_assert(offsetof(struct gnttab_map_grant_ref, dom) == 16, "map.dom");
_Static_assert(offsetof(struct gnttab_map_grant_ref, status) == 18, "map.status");
_Static_assert(offsetof(struct gnttab_map_grant_ref, handle) == 20, "map.handle");
_Static_assert(offsetof(struct gnttab_map_grant_ref, dev_bus_addr) == 24, "map.dev_bus_addr");
_Static_assert(sizeof(struct gnttab_unmap_grant_ref) == 24, "gnttab_unmap_grant_ref size");
_Static_assert(offsetof(struct gnttab_unmap_grant_ref, handle) == 16, "unmap.handle");
_Static_assert(offsetof(struct gnttab_unmap_grant_ref, status) == 20, "unmap.status");
_Static_assert(sizeof(struct gnttab_setup_table) == 24, "gnttab_setup_table size");
_Static_assert(offsetof(struct gnttab_setup_table, nr_frames) == 4, "setup.nr_frames");
_Static_assert(offsetof(struct gnttab_setup_table, status) == 8, "setup.status");
_Static_assert(offsetof(struct gnttab_setup_table, frame_list) == 16, "setup.frame_list");
_Static_assert(sizeof(struct gnttab_copy_ptr) == 16, "gnttab_copy_ptr size");
_Static_assert(offsetof(struct gnttab_copy_ptr, domid) == 8, "copy_ptr.domid");
_Static_assert(offsetof(struct gnttab_copy_ptr, offset) == 10, "copy_ptr.offset");
_Static_assert(sizeof(struct gnttab_copy) == 40, "gnttab_copy size");
_Static_assert(offsetof(struct gnttab_copy, len) == 32, "copy.len");
_Static_assert(offsetof(struct gnttab_copy, flags) == 34, "copy.flags");
_Static_assert(offsetof(struct gnttab_copy, status) == 36, "copy.status");
_Static_assert(offsetof(struct grant_entry_v1, frame) == 4, "grant_entry_v1.frame");
_Static_assert(sizeof(struct gnttab_query_size) == 16, "gnttab_query_size size");
_Static_assert(offsetof(struct gnttab_query_size, nr_frames) == 4, "query_size.nr_frames");
_Static_assert(offsetof(struct gnttab_query_size, max_nr_frames) == 8, "query_size.max");
_Static_assert(offsetof(struct gnttab_query_size, status) == 12, "query_size.status");
_Static_assert(sizeof(struct gnttab_set_version) == 4, "gnttab_set_version size");
_Static_assert(sizeof(struct gnttab_get_version) == 8, "gnttab_get_version size");
_Static_assert(offsetof(struct gnttab_get_version, version) == 4, "get_version.version");

#endif
