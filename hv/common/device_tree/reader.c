/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The checked device-tree reader (hv/include/hv/dt_reader.h). Bindings: the Devicetree
 * Specification (sections named "DT spec" below) and the Linux DT binding documents.
 */
#include <libfdt.h>

#include <hv/dt_reader.h>
#include <hv/errno.h>
#include <hv/lib.h>

/* Interrupt-parent chains longer than this are loops or nonsense. */
#define DT_MAX_IRQ_HOPS 64

/** See hv/dt_reader.h. */
void dt_reader_init(struct dt_reader *r, const void *fdt, char *err, size_t errlen)
{
	memset(r, 0, sizeof(*r));
	r->fdt = fdt;
	r->err = err;
	r->errlen = errlen;
	if (err != NULL && errlen > 0) {
		err[0] = '\0';
	}
}

/** See hv/dt_reader.h. */
int dt_fail(struct dt_reader *r, int rc, const char *fmt, ...)
{
	va_list ap;

	if (r->err != NULL && r->errlen > 0) {
		va_start(ap, fmt);
		hv_vsnprintf(r->err, r->errlen, fmt, ap);
		va_end(ap);
	}
	return rc;
}

/** See hv/dt_reader.h. */
const char *dt_path(struct dt_reader *r, int node)
{
	const char *name;

	if (fdt_get_path(r->fdt, node, r->path, sizeof(r->path)) == 0) {
		return r->path;
	}
	name = fdt_get_name(r->fdt, node, NULL);
	return name != NULL ? name : "?";
}

/*
 * A property length of 2^31 or more is negative as libfdt's int, and libfdt 1.6.1's
 * fdt_next_tag() adds it to the offset unchecked: the wrapped offset can land on a later tag
 * (fdt_check_full() accepts the tree and the property reads with a negative length) or on the
 * property itself (fdt_check_full() never ends). So before fdt_check_full(), every tag is
 * walked here and such a length refused; any other tag moves the walk forward.
 */
static int dt_check_tags(struct dt_reader *r)
{
	int off = 0, next = 0;
	u32 tag;

	do {
		tag = fdt_next_tag(r->fdt, off, &next);
		if (tag == FDT_PROP) {
			/* byte-wise: the structure block need not be aligned */
			const void *len = fdt_offset_ptr(r->fdt, off + 4, sizeof(fdt32_t));

			if (len != NULL && dt_cell(len, 0) > 0x7fffffffu) {
				return dt_fail(r, -HV_EINVAL,
					       "bad property length %d at structure offset %d",
					       (int)dt_cell(len, 0), off);
			}
		}
		off = next;
	} while (tag != FDT_END);
	return 0;
}

/** See hv/dt_reader.h. */
int dt_check_blob(struct dt_reader *r, size_t max_size)
{
	int rc;

	if (r->fdt == NULL || max_size < sizeof(struct fdt_header)) {
		return dt_fail(r, -HV_EINVAL, "device tree missing or smaller than its header");
	}
	if (fdt_magic(r->fdt) != FDT_MAGIC) {
		return dt_fail(r, -HV_EINVAL, "bad device tree magic 0x%08x (expected 0x%08x)",
			       fdt_magic(r->fdt), FDT_MAGIC);
	}
	if (fdt_totalsize(r->fdt) > max_size) {
		return dt_fail(r, -HV_E2BIG,
			       "device tree truncated: totalsize %u > %zu bytes available",
			       fdt_totalsize(r->fdt), max_size);
	}
	rc = fdt_check_header(r->fdt);
	if (rc != 0) {
		return dt_fail(r, -HV_EINVAL, "bad device tree header: %s", fdt_strerror(rc));
	}
	/*
	 * The DT spec (5.2) defines version 17, compatible with 16. Older blobs name nodes by
	 * path, and libfdt's fdt_check_full() dereferences the NULL that fdt_get_name() returns
	 * for a root name without a '/' (libfdt 1.6.1, libfdt/fdt_check.c).
	 */
	if (fdt_version(r->fdt) < 16) {
		return dt_fail(r, -HV_EINVAL, "device tree version %u is older than 16",
			       fdt_version(r->fdt));
	}
	rc = dt_check_tags(r);
	if (rc != 0) {
		return rc;
	}
	rc = fdt_check_full(r->fdt, fdt_totalsize(r->fdt));
	if (rc != 0) {
		return dt_fail(r, -HV_EINVAL, "corrupt device tree structure: %s",
			       fdt_strerror(rc));
	}
	return 0;
}

/** See hv/dt_reader.h. */
u32 dt_cell(const void *val, unsigned int idx)
{
	const u8 *b = (const u8 *)val + 4 * (size_t)idx;

	return (u32)b[0] << 24 | (u32)b[1] << 16 | (u32)b[2] << 8 | b[3];
}

/** See hv/dt_reader.h. */
u64 dt_number(const void *val, unsigned int idx, u32 n)
{
	u64 v = 0;

	for (u32 i = n > 2 ? n - 2 : 0; i < n; i++) {
		v = v << 32 | dt_cell(val, idx + i);
	}
	return v;
}

/**
 * Walks the string list s (len bytes) and returns true at the first entry for which
 * prefix_only ? it starts with str : it equals str. Stops at a missing final NUL.
 */
static bool dt_strlist_match(const char *s, int len, const char *str, bool prefix_only)
{
	size_t n = strlen(str);

	while (s != NULL && len > 0) {
		size_t l = strnlen(s, (size_t)len);

		if (prefix_only ? l >= n && strncmp(s, str, n) == 0
				: l == n && l < (size_t)len && memcmp(s, str, n) == 0) {
			return true;
		}
		if (l >= (size_t)len) {
			break;
		}
		s += l + 1;
		len -= (int)(l + 1);
	}
	return false;
}

/** See hv/dt_reader.h. */
bool dt_strlist_has(const char *s, int len, const char *str)
{
	return dt_strlist_match(s, len, str, false);
}

/** See hv/dt_reader.h. */
bool dt_strlist_has_prefix(const char *s, int len, const char *prefix)
{
	return dt_strlist_match(s, len, prefix, true);
}

/** See hv/dt_reader.h. */
bool dt_is_compatible(const void *fdt, int node, const char *compat)
{
	int len;
	const char *s = fdt_getprop(fdt, node, "compatible", &len);

	return s != NULL && dt_strlist_has(s, len, compat);
}

/** See hv/dt_reader.h. */
bool dt_is_compatible_any(const void *fdt, int node, const char *const *compats, size_t n)
{
	int len;
	const char *s = fdt_getprop(fdt, node, "compatible", &len);

	for (size_t i = 0; s != NULL && i < n; i++) {
		if (dt_strlist_has(s, len, compats[i])) {
			return true;
		}
	}
	return false;
}

/** See hv/dt_reader.h. */
bool dt_prop_is(const void *fdt, int node, const char *name, const char *str)
{
	int len;
	const char *s = fdt_getprop(fdt, node, name, &len);

	return s != NULL && (size_t)len == strlen(str) + 1 && memcmp(s, str, (size_t)len) == 0;
}

/** See hv/dt_reader.h. */
int dt_get_strlist(struct dt_reader *r, int node, const char *name, const char **out, int *len)
{
	const char *s = fdt_getprop(r->fdt, node, name, len);

	*out = NULL;
	if (s == NULL) {
		if (*len == -FDT_ERR_NOTFOUND) {
			return 0;
		}
		return dt_fail(r, -HV_EINVAL, "%s: cannot read property '%s': %s", dt_path(r, node),
			       name, fdt_strerror(*len));
	}
	if (*len <= 0 || s[*len - 1] != '\0') {
		return dt_fail(r, -HV_EINVAL, "%s: property '%s' is not a NUL-terminated string",
			       dt_path(r, node), name);
	}
	*out = s;
	return 0;
}

/** See hv/dt_reader.h. */
int dt_get_string(struct dt_reader *r, int node, const char *name, const char **out)
{
	int len;

	return dt_get_strlist(r, node, name, out, &len);
}

/** See hv/dt_reader.h. */
int dt_compatible(struct dt_reader *r, int node, const char *compat, bool *match)
{
	const char *s;
	int len, rc = dt_get_strlist(r, node, "compatible", &s, &len);

	*match = rc == 0 && s != NULL && dt_strlist_has(s, len, compat);
	return rc;
}

/** See hv/dt_reader.h. */
int dt_get_u32(struct dt_reader *r, int node, const char *name, u32 max, u32 *out)
{
	int len;
	const void *v = fdt_getprop(r->fdt, node, name, &len);

	if (v == NULL) {
		return 0;
	}
	if (len != 4) {
		return dt_fail(r, -HV_EINVAL, "%s: property '%s' has length %d, expected 4",
			       dt_path(r, node), name, len);
	}
	if (dt_cell(v, 0) > max) {
		return dt_fail(r, -HV_EINVAL, "%s: property '%s' = %u is not supported (max %u)",
			       dt_path(r, node), name, dt_cell(v, 0), max);
	}
	*out = dt_cell(v, 0);
	return 0;
}

/** See hv/dt_reader.h. */
int dt_get_u32_or_u64(struct dt_reader *r, int node, const char *name, u64 *out)
{
	int len;
	const void *v = fdt_getprop(r->fdt, node, name, &len);

	*out = 0;
	if (v == NULL) {
		return 0;
	}
	if (len != 4 && len != 8) {
		return dt_fail(r, -HV_EINVAL, "%s: property '%s' has length %d, expected 4 or 8",
			       dt_path(r, node), name, len);
	}
	*out = dt_number(v, 0, (u32)len / 4);
	return 0;
}

/** See hv/dt_reader.h. */
int dt_is_available(struct dt_reader *r, int node, bool *avail)
{
	const char *status;
	int rc = dt_get_string(r, node, "status", &status);

	*avail = rc == 0 &&
		 (status == NULL || strcmp(status, "okay") == 0 || strcmp(status, "ok") == 0);
	return rc;
}

/** See hv/dt_reader.h. */
int dt_find_compatible(struct dt_reader *r, const char *compat, int *out)
{
	int node, rc;
	bool avail;

	*out = -1;
	for (node = fdt_node_offset_by_compatible(r->fdt, -1, compat); node >= 0;
	     node = fdt_node_offset_by_compatible(r->fdt, node, compat)) {
		rc = dt_is_available(r, node, &avail);
		if (rc != 0 || avail) {
			*out = rc == 0 ? node : -1;
			return rc;
		}
	}
	return 0;
}

/** Reads cell count name for bus's children, inherited from the nearest ancestor, else def. */
static int dt_get_cell_count(struct dt_reader *r, int bus, const char *name, u32 def, u32 *out)
{
	int node = bus, rc;

	while (node >= 0 && fdt_getprop(r->fdt, node, name, NULL) == NULL) {
		node = fdt_parent_offset(r->fdt, node);
	}
	*out = def;
	if (node < 0) {
		return 0;
	}
	rc = dt_get_u32(r, node, name, ~0u, out);
	if (rc == 0 && *out != 1 && *out != 2) {
		rc = dt_fail(r, -HV_EINVAL, "%s: %s = %u is not supported (1 or 2)",
			     dt_path(r, node), name, *out);
	}
	return rc;
}

/** See hv/dt_reader.h. */
int dt_get_cells(struct dt_reader *r, int bus, u32 *addr_cells, u32 *size_cells)
{
	int rc = dt_get_cell_count(r, bus, "#address-cells", 2, addr_cells);

	if (rc != 0 || size_cells == NULL) {
		return rc;
	}
	return dt_get_cell_count(r, bus, "#size-cells", 1, size_cells);
}

/** See hv/dt_reader.h. */
int dt_get_reg(struct dt_reader *r, int node, struct dt_reg *reg, bool *present)
{
	int parent = fdt_parent_offset(r->fdt, node);
	int len, rc;
	u32 entry;

	*present = false;
	if (parent < 0) {
		return dt_fail(r, -HV_EINVAL, "%s: cannot find parent node: %s", dt_path(r, node),
			       fdt_strerror(parent));
	}
	rc = dt_get_cells(r, parent, &reg->ac, &reg->sc);
	if (rc != 0) {
		return rc;
	}
	reg->cells = fdt_getprop(r->fdt, node, "reg", &len);
	if (reg->cells == NULL) {
		return 0;
	}
	entry = (reg->ac + reg->sc) * 4;
	if (len <= 0 || (u32)len % entry != 0) {
		return dt_fail(r, -HV_EINVAL,
			       "%s: property 'reg' has length %d, not a non-zero multiple of %u "
			       "(#address-cells = %u, #size-cells = %u)",
			       dt_path(r, node), len, entry, reg->ac, reg->sc);
	}
	reg->nr = (int)((u32)len / entry);
	*present = true;
	return 0;
}

/** See hv/dt_reader.h. */
int dt_need_reg(struct dt_reader *r, int node, const char *what, struct dt_reg *reg)
{
	bool present;
	int rc = dt_get_reg(r, node, reg, &present);

	if (rc == 0 && !present) {
		rc = dt_fail(r, -HV_EINVAL, "%s: %s has no 'reg' property", dt_path(r, node), what);
	}
	return rc;
}

/** See hv/dt_reader.h. */
void dt_reg_entry(const struct dt_reg *reg, int i, u64 *start, u64 *size)
{
	unsigned int idx = (unsigned int)i * (reg->ac + reg->sc);

	*start = dt_number(reg->cells, idx, reg->ac);
	*size = dt_number(reg->cells, idx + reg->ac, reg->sc);
}

/** See hv/dt_reader.h. */
int dt_check_range(struct dt_reader *r, int node, u64 start, u64 size)
{
	if (start + size < start) {
		return dt_fail(r, -HV_EINVAL, "%s: reg range 0x%llx + 0x%llx overflows",
			       dt_path(r, node), (unsigned long long)start,
			       (unsigned long long)size);
	}
	return 0;
}

/** See hv/dt_reader.h. */
int dt_node_by_phandle(struct dt_reader *r, u32 ph)
{
	int off;

	if (ph == 0 || ph == ~0u) {
		return -1;
	}
	for (unsigned int i = 0; i < DT_PHANDLE_CACHE; i++) {
		if (r->ph_key[i] == ph) {
			return r->ph_val[i];
		}
	}
	off = fdt_node_offset_by_phandle(r->fdt, ph);
	if (off < 0) {
		off = -1;
	}
	r->ph_key[r->ph_next] = ph;
	r->ph_val[r->ph_next] = off;
	r->ph_next = (r->ph_next + 1) % DT_PHANDLE_CACHE;
	return off;
}

/** See hv/dt_reader.h. */
int dt_irq_parent(struct dt_reader *r, int node, u32 *cells)
{
	const void *p;
	int len, ctrl;

	*cells = 0;
	for (unsigned int hop = 0; node >= 0 && hop < DT_MAX_IRQ_HOPS; hop++) {
		p = fdt_getprop(r->fdt, node, "interrupt-parent", &len);
		if (p != NULL) {
			ctrl = len == 4 ? dt_node_by_phandle(r, dt_cell(p, 0)) : -1;
			p = ctrl >= 0 ? fdt_getprop(r->fdt, ctrl, "#interrupt-cells", &len) : NULL;
			if (p == NULL || len != 4) {
				return -1;
			}
			*cells = dt_cell(p, 0);
			return ctrl;
		}
		node = fdt_parent_offset(r->fdt, node);
	}
	return -1;
}
