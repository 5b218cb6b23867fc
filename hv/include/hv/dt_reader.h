/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The one checked device-tree reader (hv/common/device_tree/reader.c), over libfdt, used by
 * every phase that reads a tree: the boot parser (bootfdt.c and its Arm part), the Dom0 tree
 * builder and passthrough collection, dom0less. Device trees come from firmware and are
 * untrusted: the blob is checked once (dt_check_blob()), then every property is
 * length-checked before use and every cell is read byte-wise inside its property.
 *
 * Errors: functions taking a struct dt_reader return 0 or a negative -HV_Exxx and, on error,
 * leave a one-line reason naming the node's path and the property in r->err (see
 * dt_fail()). Functions taking a bare blob never fail: they answer "no" to a malformed tree.
 */
#pragma once

#include <hv/types.h>

#define DT_PATH_MAX 128
/* Small phandle -> offset cache: the same few interrupt controllers recur. */
#define DT_PHANDLE_CACHE 4

/** One reading of a blob: the blob, where errors go, scratch for paths, a phandle cache. */
struct dt_reader {
	const void *fdt;
	char *err;
	size_t errlen;
	char path[DT_PATH_MAX];
	u32 ph_key[DT_PHANDLE_CACHE];
	int ph_val[DT_PHANDLE_CACHE];
	unsigned int ph_next;
};

/** A decoded "reg" property: nr entries of ac address cells then sc size cells. */
struct dt_reg {
	const void *cells;
	u32 ac;
	u32 sc;
	int nr;
};

/** Starts a reading of fdt; err (errlen bytes, may be NULL) is cleared. */
void dt_reader_init(struct dt_reader *r, const void *fdt, char *err, size_t errlen);

/**
 * Checks that r->fdt is a complete, structurally valid blob of at most max_size bytes
 * (fdt_check_full), of version 16 or later, with no property length libfdt would read as
 * negative; nothing past the header is read before its size is known to fit.
 * -HV_EINVAL if malformed, -HV_E2BIG if totalsize exceeds max_size.
 */
int dt_check_blob(struct dt_reader *r, size_t max_size);

/** Records a formatted reason in r->err and returns rc, for "return dt_fail(...)". */
int dt_fail(struct dt_reader *r, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/** node's full path for a message (valid until the next call), or its bare name. */
const char *dt_path(struct dt_reader *r, int node);

/** Big-endian cell idx of a property value, read byte-wise (no alignment assumed). */
u32 dt_cell(const void *val, unsigned int idx);
/** The n-cell number at cell idx; only the low 64 bits count (PCI's third cell). */
u64 dt_number(const void *val, unsigned int idx, u32 n);

/** True if the string list s (len bytes, not necessarily NUL-terminated) contains str. */
bool dt_strlist_has(const char *s, int len, const char *str);
/** True if the string list s has an entry starting with prefix. */
bool dt_strlist_has_prefix(const char *s, int len, const char *prefix);
/** True if node's "compatible" contains compat (a malformed list: false). */
bool dt_is_compatible(const void *fdt, int node, const char *compat);
/** True if node's "compatible" contains any of the n strings in compats. */
bool dt_is_compatible_any(const void *fdt, int node, const char *const *compats, size_t n);
/** True if string property name of node is exactly str. */
bool dt_prop_is(const void *fdt, int node, const char *name, const char *str);

/**
 * Reads string property name into *out: NULL if absent, else the (first) NUL-terminated
 * string inside the blob. A property not NUL-terminated within its length is an error.
 */
int dt_get_string(struct dt_reader *r, int node, const char *name, const char **out);
/** Reads string-list property name into *out and *len (NULL if absent); it must end in a NUL. */
int dt_get_strlist(struct dt_reader *r, int node, const char *name, const char **out, int *len);
/** Sets *match if node's "compatible" lists compat; a malformed list is an error. */
int dt_compatible(struct dt_reader *r, int node, const char *compat, bool *match);
/** Reads a one-cell property; absent leaves *out as it is; not 4 bytes or above max: error. */
int dt_get_u32(struct dt_reader *r, int node, const char *name, u32 max, u32 *out);
/** Reads a 1- or 2-cell property into *out (0 if absent); another length is an error. */
int dt_get_u32_or_u64(struct dt_reader *r, int node, const char *name, u64 *out);
/** *avail per "status" (DT spec 2.3.4): absent, "okay" or "ok"; a malformed one is an error. */
int dt_is_available(struct dt_reader *r, int node, bool *avail);
/** The first available node compatible with compat, or -1, in *out. */
int dt_find_compatible(struct dt_reader *r, const char *compat, int *out);

/**
 * The "#address-cells" and "#size-cells" (size_cells may be NULL) for bus's children,
 * inherited from the nearest ancestor that has them as Linux and Xen do (QEMU's
 * guest-loader relies on it), 2 and 1 at the root (DT spec 2.3.5); only 1 or 2 accepted.
 */
int dt_get_cells(struct dt_reader *r, int bus, u32 *addr_cells, u32 *size_cells);
/**
 * Looks up node's "reg" with its parent's cells; *present says whether it exists. A present
 * reg that is empty or not whole entries is an error.
 */
int dt_get_reg(struct dt_reader *r, int node, struct dt_reg *reg, bool *present);
/** dt_get_reg() for a node that must have one: "<path>: <what> has no 'reg' property". */
int dt_need_reg(struct dt_reader *r, int node, const char *what, struct dt_reg *reg);
/** Entry i of reg. */
void dt_reg_entry(const struct dt_reg *reg, int i, u64 *start, u64 *size);
/** Rejects a range of node whose end does not fit in 64 bits. */
int dt_check_range(struct dt_reader *r, int node, u64 start, u64 size);

/** The node with phandle ph, or -1 (cached). */
int dt_node_by_phandle(struct dt_reader *r, u32 ph);
/**
 * node's interrupt controller per "interrupt-parent" on it or its ancestors (DT spec
 * 2.4.1), and that controller's "#interrupt-cells" in *cells; -1 if none can be resolved.
 */
int dt_irq_parent(struct dt_reader *r, int node, u32 *cells);
