/* SPDX-License-Identifier: MIT */
/*
 * Lamina's definitions of the Xen grant-table ABI, version 1 (layout- and value-identical
 * to Xen's public/grant_table.h; shared/docs/xen-abi-guide.md sections 3.6 and 4.6).
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
#define GNTST_permission_denied (-8)

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
_Static_assert(offsetof(struct grant_entry_v1, frame) == 4, "grant_entry_v1.frame");
_Static_assert(sizeof(struct gnttab_query_size) == 16, "gnttab_query_size size");
_Static_assert(offsetof(struct gnttab_query_size, nr_frames) == 4, "query_size.nr_frames");
_Static_assert(offsetof(struct gnttab_query_size, max_nr_frames) == 8, "query_size.max");
_Static_assert(offsetof(struct gnttab_query_size, status) == 12, "query_size.status");
_Static_assert(sizeof(struct gnttab_set_version) == 4, "gnttab_set_version size");
_Static_assert(sizeof(struct gnttab_get_version) == 8, "gnttab_get_version size");
_Static_assert(offsetof(struct gnttab_get_version, version) == 4, "get_version.version");

#endif
