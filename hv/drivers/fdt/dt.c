/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Boot device tree parser: turns the blob the boot loader hands us into a struct boot_info
 * (memory, reserved ranges, boot modules, CPUs, PSCI, GIC, timer, console UART, command
 * lines). Bindings follow the Linux DT bindings and Xen's docs/misc/arm/device-tree/booting.txt.
 *
 * The blob is untrusted input from firmware: the whole structure is checked once with
 * fdt_check_full(), and afterwards every property is length-checked before use and every
 * string is checked to be NUL-terminated within its property. Nothing here reads outside
 * the blob. On error the caller gets a negative -HV_Exxx and a one-line reason naming the
 * node and property:
 *   -HV_EINVAL  malformed blob, node or property;
 *   -HV_E2BIG   the blob's totalsize exceeds the allowed size;
 *   -HV_ENOENT  a required node (memory, CPUs) is missing;
 *   -HV_ENOSPC  more entries than struct boot_info can hold.
 */
#include <libfdt.h>

#include <hv/bootinfo.h>
#include <hv/errno.h>
#include <hv/lib.h>
#include <hv/log.h>

/* MPIDR_EL1 affinity fields Aff3 [39:32] and Aff2..Aff0 [23:0] (Arm ARM D19.2.86). */
#define MPIDR_AFF_MASK 0xff00ffffffULL

/* GIC interrupt specifier (3 cells): type 0 = SPI, 1 = PPI (GICv3 binding, arm,gic-v3.yaml). */
#define GIC_IRQ_TYPE_SPI 0
#define GIC_IRQ_TYPE_PPI 1
/* INTID ranges (GICv3 architecture spec, section 2.2): PPIs 16..31, SPIs 32..1019. */
#define GIC_PPI_BASE 16
#define GIC_NR_PPI 16
#define GIC_SPI_BASE 32
#define GIC_NR_SPI 988

/* "arm,armv8-timer" interrupts order (timer binding): secure, non-secure, virtual, hyp. */
#define TIMER_NR_IRQS 4

#define DT_PATH_MAX 128

/** State of one parse: the blob, where errors go and a scratch buffer for node paths. */
struct dt_ctx {
	const void *fdt;
	char *err;
	size_t errlen;
	char path[DT_PATH_MAX];
};

/** Records a formatted reason in ctx->err (if any) and returns rc, for "return dt_fail(...)". */
static int __printf(3, 4) dt_fail(struct dt_ctx *c, int rc, const char *fmt, ...)
{
	va_list ap;

	if (c->err != NULL && c->errlen > 0) {
		va_start(ap, fmt);
		hv_vsnprintf(c->err, c->errlen, fmt, ap);
		va_end(ap);
	}
	return rc;
}

/**
 * Returns the full path of node for an error message, in c->path (valid until the next
 * call). Falls back to the bare node name when the path does not fit.
 */
static const char *dt_path(struct dt_ctx *c, int node)
{
	const char *name;

	if (fdt_get_path(c->fdt, node, c->path, sizeof(c->path)) == 0) {
		return c->path;
	}
	name = fdt_get_name(c->fdt, node, NULL);
	return name != NULL ? name : "?";
}

/** True if the property value is a non-empty list of strings whose last byte is a NUL. */
static bool dt_is_strlist(const char *s, int len)
{
	return s != NULL && len > 0 && s[len - 1] == '\0';
}

/**
 * Reads string property name of node into *out: NULL if absent, else a NUL-terminated
 * string inside the blob (the first one if it is a string list). A present property that
 * is not NUL-terminated within its length is an error.
 */
static int dt_get_string(struct dt_ctx *c, int node, const char *name, const char **out)
{
	int len;
	const char *s = fdt_getprop(c->fdt, node, name, &len);

	*out = NULL;
	if (s == NULL) {
		if (len == -FDT_ERR_NOTFOUND) {
			return 0;
		}
		return dt_fail(c, -HV_EINVAL, "%s: cannot read property '%s': %s", dt_path(c, node),
			       name, fdt_strerror(len));
	}
	if (!dt_is_strlist(s, len)) {
		return dt_fail(c, -HV_EINVAL, "%s: property '%s' is not a NUL-terminated string",
			       dt_path(c, node), name);
	}
	*out = s;
	return 0;
}

/**
 * Sets *match to whether node's "compatible" list contains compat. A missing compatible
 * is no match; a malformed one is an error.
 */
static int dt_compatible(struct dt_ctx *c, int node, const char *compat, bool *match)
{
	int len;
	const char *s = fdt_getprop(c->fdt, node, "compatible", &len);

	*match = false;
	if (s == NULL) {
		return 0;
	}
	if (!dt_is_strlist(s, len)) {
		return dt_fail(c, -HV_EINVAL,
			       "%s: property 'compatible' is not a NUL-terminated string",
			       dt_path(c, node));
	}
	*match = fdt_stringlist_contains(s, len, compat) != 0;
	return 0;
}

/** Reads a one-cell property; absent → def. A length other than 4 bytes is an error. */
static int dt_get_u32(struct dt_ctx *c, int node, const char *name, u32 def, u32 *out)
{
	int len;
	const fdt32_t *p = fdt_getprop(c->fdt, node, name, &len);

	if (p == NULL) {
		*out = def;
		return 0;
	}
	if (len != (int)sizeof(*p)) {
		return dt_fail(c, -HV_EINVAL, "%s: property '%s' has length %d, expected 4",
			       dt_path(c, node), name, len);
	}
	*out = fdt32_ld(p);
	return 0;
}

/**
 * Sets *avail per the "status" property (DT spec 2.3.4): absent, "okay" or "ok" means
 * the device is usable; anything else ("disabled", "fail", ...) means it is not.
 */
static int dt_is_available(struct dt_ctx *c, int node, bool *avail)
{
	const char *status;
	int rc = dt_get_string(c, node, "status", &status);

	if (rc != 0) {
		return rc;
	}
	*avail = status == NULL || strcmp(status, "okay") == 0 || strcmp(status, "ok") == 0;
	return 0;
}

/**
 * Reads cell-count property name ("#address-cells" or "#size-cells") for the children of
 * bus into *out. When bus lacks it, the nearest ancestor's value applies, then def. The
 * DT spec (2.3.5) says the value is not inherited, but Linux (of_n_addr_cells()) and Xen
 * (device_tree_for_each_node()) both inherit it, and QEMU's guest-loader relies on that:
 * it puts modules with 2 + 2 cells under a /chosen that has no cell properties. Only 1 or
 * 2 cells are supported, since addresses and sizes are 64-bit.
 */
static int dt_get_cell_count(struct dt_ctx *c, int bus, const char *name, u32 def, u32 *out)
{
	int node = bus, rc;

	while (node >= 0 && fdt_getprop(c->fdt, node, name, NULL) == NULL) {
		node = fdt_parent_offset(c->fdt, node);
	}
	if (node < 0) {
		*out = def;
		return 0;
	}
	rc = dt_get_u32(c, node, name, def, out);
	if (rc != 0) {
		return rc;
	}
	if (*out != 1 && *out != 2) {
		return dt_fail(c, -HV_EINVAL, "%s: %s = %u is not supported (1 or 2)",
			       dt_path(c, node), name, *out);
	}
	return 0;
}

/**
 * Reads the "#address-cells" and "#size-cells" that apply to bus's children (see
 * dt_get_cell_count()), defaulting to 2 and 1 at the root (DT spec 2.3.5); size_cells may
 * be NULL when only addresses are needed.
 */
static int dt_get_cells(struct dt_ctx *c, int bus, u32 *addr_cells, u32 *size_cells)
{
	int rc = dt_get_cell_count(c, bus, "#address-cells", 2, addr_cells);

	if (rc != 0 || size_cells == NULL) {
		return rc;
	}
	return dt_get_cell_count(c, bus, "#size-cells", 1, size_cells);
}

/** Reads n (1 or 2) big-endian cells as one number; the caller has bounds-checked them. */
static u64 dt_read_number(const fdt32_t *p, u32 n)
{
	u64 v = 0;

	for (u32 i = 0; i < n; i++) {
		v = (v << 32) | fdt32_ld(&p[i]);
	}
	return v;
}

/** A decoded "reg" property: entries of ac address cells then sc size cells. */
struct dt_reg {
	const fdt32_t *cells;
	u32 ac;
	u32 sc;
	int nr; /* number of (address, size) entries */
};

/**
 * Looks up node's "reg" with the parent's cell sizes. *present tells whether the property
 * exists (absent is not an error here); a present reg that is empty or not a whole
 * number of entries is an error.
 */
static int dt_get_reg(struct dt_ctx *c, int node, struct dt_reg *reg, bool *present)
{
	int parent = fdt_parent_offset(c->fdt, node);
	int len, rc;
	u32 entry;

	*present = false;
	if (parent < 0) {
		return dt_fail(c, -HV_EINVAL, "%s: cannot find parent node: %s", dt_path(c, node),
			       fdt_strerror(parent));
	}
	rc = dt_get_cells(c, parent, &reg->ac, &reg->sc);
	if (rc != 0) {
		return rc;
	}
	reg->cells = fdt_getprop(c->fdt, node, "reg", &len);
	if (reg->cells == NULL) {
		return 0;
	}
	entry = (reg->ac + reg->sc) * (u32)sizeof(fdt32_t);
	if (len <= 0 || (u32)len % entry != 0) {
		return dt_fail(c, -HV_EINVAL,
			       "%s: property 'reg' has length %d, not a non-zero multiple of %u "
			       "(#address-cells = %u, #size-cells = %u)",
			       dt_path(c, node), len, entry, reg->ac, reg->sc);
	}
	reg->nr = (int)((u32)len / entry);
	*present = true;
	return 0;
}

/** Decodes entry i of reg into *start and *size. */
static void dt_reg_entry(const struct dt_reg *reg, int i, u64 *start, u64 *size)
{
	const fdt32_t *p = reg->cells + (size_t)i * (reg->ac + reg->sc);

	*start = dt_read_number(p, reg->ac);
	*size = dt_read_number(p + reg->ac, reg->sc);
}

/** Rejects a range whose end does not fit in 64 bits. */
static int dt_check_range(struct dt_ctx *c, int node, u64 start, u64 size)
{
	if (start + size < start) {
		return dt_fail(c, -HV_EINVAL, "%s: reg range 0x%llx + 0x%llx overflows",
			       dt_path(c, node), (unsigned long long)start,
			       (unsigned long long)size);
	}
	return 0;
}

/**
 * Returns the "#interrupt-cells" of node's interrupt parent (found through
 * "interrupt-parent" on the node or its ancestors, the DT spec 2.4.1 rule), or 0 if there
 * is none or it cannot be resolved.
 */
static u32 dt_irq_cells(struct dt_ctx *c, int node)
{
	const fdt32_t *p;
	int len, ctrl;

	while (node >= 0) {
		p = fdt_getprop(c->fdt, node, "interrupt-parent", &len);
		if (p != NULL) {
			if (len != (int)sizeof(*p)) {
				return 0;
			}
			ctrl = fdt_node_offset_by_phandle(c->fdt, fdt32_ld(p));
			if (ctrl < 0) {
				return 0;
			}
			p = fdt_getprop(c->fdt, ctrl, "#interrupt-cells", &len);
			if (p == NULL || len != (int)sizeof(*p)) {
				return 0;
			}
			return fdt32_ld(p);
		}
		node = fdt_parent_offset(c->fdt, node);
	}
	return 0;
}

/**
 * Converts GIC specifier i of node's "interrupts" (3 cells: type, number, flags) to an
 * INTID in *intid; 0 when the node has no such entry or its interrupt controller does not
 * use 3-cell GIC specifiers. An entry that names an impossible interrupt is an error.
 */
static int dt_get_gic_irq(struct dt_ctx *c, int node, int i, u32 *intid)
{
	const fdt32_t *p;
	int len;
	u32 type, nr;

	*intid = 0;
	p = fdt_getprop(c->fdt, node, "interrupts", &len);
	if (p == NULL) {
		return 0;
	}
	if (dt_irq_cells(c, node) != 3) {
		return 0;
	}
	if (len <= 0 || len % 12 != 0) {
		return dt_fail(c, -HV_EINVAL,
			       "%s: property 'interrupts' has length %d, not a multiple of 12",
			       dt_path(c, node), len);
	}
	if (i >= len / 12) {
		return 0;
	}
	type = fdt32_ld(&p[i * 3]);
	nr = fdt32_ld(&p[i * 3 + 1]);
	if (type == GIC_IRQ_TYPE_PPI && nr < GIC_NR_PPI) {
		*intid = GIC_PPI_BASE + nr;
	} else if (type == GIC_IRQ_TYPE_SPI && nr < GIC_NR_SPI) {
		*intid = GIC_SPI_BASE + nr;
	} else {
		return dt_fail(c, -HV_EINVAL,
			       "%s: property 'interrupts' entry %d (type %u, number %u) is not a "
			       "GIC PPI or SPI",
			       dt_path(c, node), i, type, nr);
	}
	return 0;
}

/**
 * Sets *out to the first available node compatible with compat, or -1 if there is none.
 * Returns 0, or -HV_EINVAL (c->err set) if a candidate's status is malformed.
 */
static int dt_find_compatible(struct dt_ctx *c, const char *compat, int *out)
{
	int node, rc;
	bool avail;

	*out = -1;
	for (node = fdt_node_offset_by_compatible(c->fdt, -1, compat); node >= 0;
	     node = fdt_node_offset_by_compatible(c->fdt, node, compat)) {
		rc = dt_is_available(c, node, &avail);
		if (rc != 0) {
			return rc;
		}
		if (avail) {
			*out = node;
			return 0;
		}
	}
	return 0;
}

/* ---- memory and reserved ranges ---------------------------------------------------- */

/** Adds every "reg" range of memory node to bi->mem, skipping empty banks. */
static int dt_parse_memory_node(struct dt_ctx *c, int node, struct boot_info *bi)
{
	struct dt_reg reg;
	bool present;
	u64 start, size;
	int rc = dt_get_reg(c, node, &reg, &present);

	if (rc != 0) {
		return rc;
	}
	if (!present) {
		return dt_fail(c, -HV_EINVAL, "%s: memory node has no 'reg' property",
			       dt_path(c, node));
	}
	for (int i = 0; i < reg.nr; i++) {
		dt_reg_entry(&reg, i, &start, &size);
		if (size == 0) {
			continue;
		}
		rc = dt_check_range(c, node, start, size);
		if (rc != 0) {
			return rc;
		}
		if (bi->nr_mem == BOOT_MAX_MEM_BANKS) {
			return dt_fail(c, -HV_ENOSPC, "%s: too many memory banks (at most %d)",
				       dt_path(c, node), BOOT_MAX_MEM_BANKS);
		}
		bi->mem[bi->nr_mem].start = start;
		bi->mem[bi->nr_mem].end = start + size;
		bi->nr_mem++;
	}
	return 0;
}

/** Scans the whole tree for available nodes with device_type = "memory". */
static int dt_parse_memory(struct dt_ctx *c, struct boot_info *bi)
{
	const char *type;
	bool avail;
	int node, rc;

	for (node = fdt_next_node(c->fdt, -1, NULL); node >= 0;
	     node = fdt_next_node(c->fdt, node, NULL)) {
		rc = dt_get_string(c, node, "device_type", &type);
		if (rc != 0) {
			return rc;
		}
		if (type == NULL || strcmp(type, "memory") != 0) {
			continue;
		}
		rc = dt_is_available(c, node, &avail);
		if (rc != 0) {
			return rc;
		}
		if (!avail) {
			continue;
		}
		rc = dt_parse_memory_node(c, node, bi);
		if (rc != 0) {
			return rc;
		}
	}
	if (bi->nr_mem == 0) {
		return dt_fail(c, -HV_ENOENT, "no memory node in the device tree");
	}
	return 0;
}

/** Appends [start, start + size) to bi->reserved; node is only for messages (-1: /memreserve/). */
static int dt_add_reserved(struct dt_ctx *c, int node, u64 start, u64 size, struct boot_info *bi)
{
	const char *where = node >= 0 ? dt_path(c, node) : "/memreserve/";

	if (size == 0) {
		return 0;
	}
	if (start + size < start) {
		return dt_fail(c, -HV_EINVAL, "%s: reserved range 0x%llx + 0x%llx overflows", where,
			       (unsigned long long)start, (unsigned long long)size);
	}
	if (bi->nr_reserved == BOOT_MAX_RESERVED) {
		return dt_fail(c, -HV_ENOSPC, "%s: too many reserved ranges (at most %d)", where,
			       BOOT_MAX_RESERVED);
	}
	bi->reserved[bi->nr_reserved].start = start;
	bi->reserved[bi->nr_reserved].end = start + size;
	bi->nr_reserved++;
	return 0;
}

/** Collects the /memreserve/ entries and the reg ranges of /reserved-memory children. */
static int dt_parse_reserved(struct dt_ctx *c, struct boot_info *bi)
{
	struct dt_reg reg;
	bool present;
	u64 start, size;
	int n, parent, node, rc;

	n = fdt_num_mem_rsv(c->fdt);
	if (n < 0) {
		return dt_fail(c, -HV_EINVAL, "/memreserve/ block is malformed: %s",
			       fdt_strerror(n));
	}
	for (int i = 0; i < n; i++) {
		rc = fdt_get_mem_rsv(c->fdt, i, &start, &size);
		if (rc != 0) {
			return dt_fail(c, -HV_EINVAL, "/memreserve/ entry %d: %s", i,
				       fdt_strerror(rc));
		}
		rc = dt_add_reserved(c, -1, start, size, bi);
		if (rc != 0) {
			return rc;
		}
	}

	parent = fdt_path_offset(c->fdt, "/reserved-memory");
	if (parent < 0) {
		return 0;
	}
	fdt_for_each_subnode (node, c->fdt, parent) {
		rc = dt_get_reg(c, node, &reg, &present);
		if (rc != 0) {
			return rc;
		}
		for (int i = 0; present && i < reg.nr; i++) {
			dt_reg_entry(&reg, i, &start, &size);
			rc = dt_add_reserved(c, node, start, size, bi);
			if (rc != 0) {
				return rc;
			}
		}
	}
	return 0;
}

/* ---- boot modules and command lines ------------------------------------------------ */

/** Compatible strings that make a /chosen child a boot module, with the kind they imply. */
static const struct {
	const char *compat;
	enum boot_module_kind kind; /* BOOTMOD_UNKNOWN: generic, no kind implied */
} dt_module_compats[] = {
	{ "multiboot,kernel", BOOTMOD_KERNEL },
	{ "multiboot,ramdisk", BOOTMOD_RAMDISK },
	{ "xen,xsm-policy", BOOTMOD_XSM },
	/* Xen 4.4 names; a legacy node may carry only these, without the generic one. */
	{ "xen,linux-zimage", BOOTMOD_KERNEL },
	{ "xen,linux-initrd", BOOTMOD_RAMDISK },
	{ "multiboot,module", BOOTMOD_UNKNOWN },
	{ "xen,multiboot-module", BOOTMOD_UNKNOWN },
};

/**
 * Classifies node: *is_module tells whether it is a boot module at all, and *kind is the
 * kind its compatible list names (BOOTMOD_UNKNOWN for a generic module). The specific
 * strings are looked for first, so the order within the property does not matter.
 */
static int dt_module_kind(struct dt_ctx *c, int node, bool *is_module, enum boot_module_kind *kind)
{
	const char *s;
	int len;

	*is_module = false;
	*kind = BOOTMOD_UNKNOWN;
	s = fdt_getprop(c->fdt, node, "compatible", &len);
	if (s == NULL) {
		return 0;
	}
	if (!dt_is_strlist(s, len)) {
		return dt_fail(c, -HV_EINVAL,
			       "%s: property 'compatible' is not a NUL-terminated string",
			       dt_path(c, node));
	}
	for (size_t i = 0; i < ARRAY_SIZE(dt_module_compats); i++) {
		if (fdt_stringlist_contains(s, len, dt_module_compats[i].compat)) {
			*is_module = true;
			*kind = dt_module_compats[i].kind;
			return 0;
		}
	}
	return 0;
}

/** Records module node (child of /chosen or of a "xen,domain" node) in bi->modules. */
static int dt_add_module(struct dt_ctx *c, int node, enum boot_module_kind kind, int domain_node,
			 struct boot_info *bi)
{
	struct boot_module *m;
	struct dt_reg reg;
	bool present;
	u64 start, size;
	int rc = dt_get_reg(c, node, &reg, &present);

	if (rc != 0) {
		return rc;
	}
	if (!present) {
		return dt_fail(c, -HV_EINVAL, "%s: boot module has no 'reg' property",
			       dt_path(c, node));
	}
	dt_reg_entry(&reg, 0, &start, &size);
	if (size == 0) {
		return dt_fail(c, -HV_EINVAL, "%s: boot module has size 0", dt_path(c, node));
	}
	if (start + size < start) {
		return dt_fail(c, -HV_EINVAL, "%s: boot module 0x%llx + 0x%llx overflows",
			       dt_path(c, node), (unsigned long long)start,
			       (unsigned long long)size);
	}
	if (bi->nr_modules == BOOT_MAX_MODULES) {
		return dt_fail(c, -HV_ENOSPC, "%s: too many boot modules (at most %d)",
			       dt_path(c, node), BOOT_MAX_MODULES);
	}
	m = &bi->modules[bi->nr_modules];
	rc = dt_get_string(c, node, "bootargs", &m->bootargs);
	if (rc != 0) {
		return rc;
	}
	m->kind = kind;
	m->start = start;
	m->size = size;
	m->name = fdt_get_name(c->fdt, node, NULL);
	m->node = node;
	m->domain_node = domain_node;
	bi->nr_modules++;
	return 0;
}

/**
 * Applies Xen's guess to the modules of one domain (those from index first on, all with
 * the same domain_node) that named no kind: the first becomes the kernel and the second
 * the ramdisk, unless a module names that kind explicitly.
 */
static void dt_guess_module_kinds(struct boot_info *bi, unsigned int first,
				  const bool *explicit_kind)
{
	bool have_kernel = false, have_ramdisk = false;
	unsigned int i;

	for (i = first; i < bi->nr_modules; i++) {
		if (explicit_kind[i]) {
			have_kernel |= bi->modules[i].kind == BOOTMOD_KERNEL;
			have_ramdisk |= bi->modules[i].kind == BOOTMOD_RAMDISK;
		}
	}
	for (i = first; i < bi->nr_modules; i++) {
		if (explicit_kind[i]) {
			continue;
		}
		if (!have_kernel) {
			bi->modules[i].kind = BOOTMOD_KERNEL;
			have_kernel = true;
		} else if (!have_ramdisk) {
			bi->modules[i].kind = BOOTMOD_RAMDISK;
			have_ramdisk = true;
		}
	}
}

/** Adds the module children of parent (/chosen or a "xen,domain" node), then guesses kinds. */
static int dt_parse_module_list(struct dt_ctx *c, int parent, int domain_node, struct boot_info *bi,
				bool *explicit_kind)
{
	enum boot_module_kind kind;
	unsigned int first = bi->nr_modules;
	bool is_module;
	int node, rc;

	fdt_for_each_subnode (node, c->fdt, parent) {
		rc = dt_module_kind(c, node, &is_module, &kind);
		if (rc != 0) {
			return rc;
		}
		if (!is_module) {
			continue;
		}
		rc = dt_add_module(c, node, kind, domain_node, bi);
		if (rc != 0) {
			return rc;
		}
		explicit_kind[bi->nr_modules - 1] = kind != BOOTMOD_UNKNOWN;
	}
	dt_guess_module_kinds(bi, first, explicit_kind);
	return 0;
}

/** Collects Dom0's modules from /chosen and each dom0less domain's from its "xen,domain" node. */
static int dt_parse_modules(struct dt_ctx *c, int chosen, struct boot_info *bi)
{
	bool explicit_kind[BOOT_MAX_MODULES] = { false };
	bool is_domain;
	int node, rc;

	rc = dt_parse_module_list(c, chosen, -1, bi, explicit_kind);
	if (rc != 0) {
		return rc;
	}
	fdt_for_each_subnode (node, c->fdt, chosen) {
		rc = dt_compatible(c, node, "xen,domain", &is_domain);
		if (rc != 0) {
			return rc;
		}
		if (!is_domain) {
			continue;
		}
		rc = dt_parse_module_list(c, node, node, bi, explicit_kind);
		if (rc != 0) {
			return rc;
		}
	}
	return 0;
}

/**
 * Picks the hypervisor's and Dom0's command lines from /chosen, following Xen's rules
 * (docs/misc/arm/device-tree/booting.txt, "Command lines"): "xen,xen-bootargs" is ours
 * and "xen,dom0-bootargs" is Dom0's; plain "bootargs" is ours when there is no
 * "xen,xen-bootargs" but Dom0 has a command line from elsewhere, else it is Dom0's.
 * The Dom0 kernel module's own "bootargs" wins over "xen,dom0-bootargs".
 * Lamina's one extension: with no Dom0 kernel module at all and no Xen-specific
 * property, plain "bootargs" is ours (there is no Dom0 to give it to), so
 * "qemu -kernel lamina.bin -append ..." works.
 */
static int dt_parse_cmdlines(struct dt_ctx *c, int chosen, struct boot_info *bi)
{
	const char *xen_args, *dom0_args, *args, *kernel_args = NULL;
	bool args_for_xen, has_kernel = false;
	int rc;

	rc = dt_get_string(c, chosen, "xen,xen-bootargs", &xen_args);
	if (rc == 0) {
		rc = dt_get_string(c, chosen, "xen,dom0-bootargs", &dom0_args);
	}
	if (rc == 0) {
		rc = dt_get_string(c, chosen, "bootargs", &args);
	}
	if (rc != 0) {
		return rc;
	}
	for (unsigned int i = 0; i < bi->nr_modules; i++) {
		const struct boot_module *m = &bi->modules[i];

		if (m->kind == BOOTMOD_KERNEL && m->domain_node < 0) {
			has_kernel = true;
			if (m->bootargs != NULL && m->bootargs[0] != '\0') {
				kernel_args = m->bootargs;
			}
			break;
		}
	}

	args_for_xen =
		xen_args == NULL && (dom0_args != NULL || kernel_args != NULL || !has_kernel);
	if (xen_args != NULL) {
		bi->hv_cmdline = xen_args;
	} else if (args_for_xen && args != NULL) {
		bi->hv_cmdline = args;
	} else {
		bi->hv_cmdline = "";
	}

	if (kernel_args != NULL) {
		bi->dom0_cmdline = kernel_args;
	} else if (dom0_args != NULL) {
		bi->dom0_cmdline = dom0_args;
	} else if (!args_for_xen) {
		bi->dom0_cmdline = args;
	} else {
		bi->dom0_cmdline = NULL;
	}
	return 0;
}

/* ---- CPUs, PSCI, GIC, timer, UART -------------------------------------------------- */

/** Collects the MPIDR affinity of every available /cpus child with device_type = "cpu". */
static int dt_parse_cpus(struct dt_ctx *c, struct boot_info *bi)
{
	const char *type;
	const fdt32_t *p;
	bool avail;
	u32 ac;
	int cpus, node, len, rc;

	cpus = fdt_path_offset(c->fdt, "/cpus");
	if (cpus < 0) {
		return dt_fail(c, -HV_ENOENT, "no /cpus node in the device tree");
	}
	rc = dt_get_cells(c, cpus, &ac, NULL);
	if (rc != 0) {
		return rc;
	}
	fdt_for_each_subnode (node, c->fdt, cpus) {
		rc = dt_get_string(c, node, "device_type", &type);
		if (rc != 0) {
			return rc;
		}
		if (type == NULL || strcmp(type, "cpu") != 0) {
			continue; /* e.g. cpu-map */
		}
		rc = dt_is_available(c, node, &avail);
		if (rc != 0) {
			return rc;
		}
		if (!avail) {
			continue;
		}
		p = fdt_getprop(c->fdt, node, "reg", &len);
		if (p == NULL || len != (int)(ac * sizeof(fdt32_t))) {
			return dt_fail(c, -HV_EINVAL,
				       "%s: property 'reg' missing or not %u cell(s) "
				       "(/cpus #address-cells)",
				       dt_path(c, node), ac);
		}
		if (bi->nr_cpus == BOOT_MAX_CPUS) {
			log_warn("%s: more than %d CPUs, ignoring the rest\n", dt_path(c, node),
				 BOOT_MAX_CPUS);
			break;
		}
		bi->cpu_mpidr[bi->nr_cpus++] = dt_read_number(p, ac) & MPIDR_AFF_MASK;
	}
	if (bi->nr_cpus == 0) {
		return dt_fail(c, -HV_ENOENT, "no cpu nodes under /cpus");
	}
	return 0;
}

/** Finds the PSCI firmware node (PSCI 0.2+ binding preferred over 0.1); absence is fine. */
static int dt_parse_psci(struct dt_ctx *c, struct boot_info *bi)
{
	static const struct {
		const char *compat;
		unsigned int major;
	} compats[] = { { "arm,psci-1.0", 2 }, { "arm,psci-0.2", 2 }, { "arm,psci", 1 } };
	const char *method;
	int node = -1, rc;
	size_t i;

	bi->psci.method = PSCI_METHOD_NONE;
	for (i = 0; i < ARRAY_SIZE(compats); i++) {
		rc = dt_find_compatible(c, compats[i].compat, &node);
		if (rc != 0) {
			return rc;
		}
		if (node >= 0) {
			break;
		}
	}
	if (node < 0) {
		return 0;
	}
	rc = dt_get_string(c, node, "method", &method);
	if (rc != 0) {
		return rc;
	}
	if (method != NULL && strcmp(method, "smc") == 0) {
		bi->psci.method = PSCI_METHOD_SMC;
	} else if (method != NULL && strcmp(method, "hvc") == 0) {
		bi->psci.method = PSCI_METHOD_HVC;
	} else {
		return dt_fail(c, -HV_EINVAL, "%s: property 'method' must be \"smc\" or \"hvc\"",
			       dt_path(c, node));
	}
	bi->psci.major = compats[i].major;
	if (bi->psci.major == 1) {
		return dt_get_u32(c, node, "cpu_on", 0, &bi->psci.cpu_on_id);
	}
	return 0;
}

/** Reads a u32 or u64 property (the GICv3 binding allows either for redistributor-stride). */
static int dt_get_u32_or_u64(struct dt_ctx *c, int node, const char *name, u64 *out)
{
	int len;
	const fdt32_t *p = fdt_getprop(c->fdt, node, name, &len);

	*out = 0;
	if (p == NULL) {
		return 0;
	}
	if (len != 4 && len != 8) {
		return dt_fail(c, -HV_EINVAL, "%s: property '%s' has length %d, expected 4 or 8",
			       dt_path(c, node), name, len);
	}
	*out = dt_read_number(p, (u32)len / 4);
	return 0;
}

/**
 * Reads the GICv3 node (arm,gic-v3 binding): reg[0] is the distributor, followed by
 * #redistributor-regions redistributor ranges; the first interrupt is the maintenance PPI.
 * No GICv3 leaves version 0 for the caller to judge.
 */
static int dt_parse_gic(struct dt_ctx *c, struct boot_info *bi)
{
	struct boot_gic *gic = &bi->gic;
	struct dt_reg reg;
	bool present;
	u64 start, size;
	u32 nr_redist;
	int node, rc;

	gic->version = 0;
	gic->node = -1;
	rc = dt_find_compatible(c, "arm,gic-v3", &node);
	if (rc != 0 || node < 0) {
		return rc;
	}
	rc = dt_get_u32(c, node, "#redistributor-regions", 1, &nr_redist);
	if (rc != 0) {
		return rc;
	}
	if (nr_redist == 0 || nr_redist > BOOT_MAX_REDIST_REGIONS) {
		return dt_fail(c, -HV_EINVAL, "%s: #redistributor-regions = %u (supported: 1..%d)",
			       dt_path(c, node), nr_redist, BOOT_MAX_REDIST_REGIONS);
	}
	rc = dt_get_reg(c, node, &reg, &present);
	if (rc != 0) {
		return rc;
	}
	if (!present || reg.nr < (int)(1 + nr_redist)) {
		return dt_fail(c, -HV_EINVAL,
			       "%s: property 'reg' needs the distributor and %u redistributor "
			       "region(s)",
			       dt_path(c, node), nr_redist);
	}
	for (int i = 0; i <= (int)nr_redist; i++) {
		dt_reg_entry(&reg, i, &start, &size);
		rc = dt_check_range(c, node, start, size);
		if (rc != 0) {
			return rc;
		}
		if (i == 0) {
			gic->dist_base = start;
			gic->dist_size = size;
		} else {
			gic->redist[i - 1].start = start;
			gic->redist[i - 1].end = start + size;
		}
	}
	gic->nr_redist = nr_redist;
	rc = dt_get_u32_or_u64(c, node, "redistributor-stride", &gic->redist_stride);
	if (rc == 0) {
		rc = dt_get_gic_irq(c, node, 0, &gic->maint_irq);
	}
	if (rc != 0) {
		return rc;
	}
	gic->node = node;
	gic->version = 3;
	return 0;
}

/** Reads the generic timer's PPIs (arm,arch_timer binding) and optional clock-frequency. */
static int dt_parse_timer(struct dt_ctx *c, struct boot_info *bi)
{
	struct boot_timer *t = &bi->timer;
	u32 *irqs[TIMER_NR_IRQS] = { &t->irq_sec_phys, &t->irq_phys, &t->irq_virt, &t->irq_hyp };
	int node, len, rc;

	t->node = -1;
	rc = dt_find_compatible(c, "arm,armv8-timer", &node);
	if (rc != 0 || node < 0) {
		return rc;
	}
	if (fdt_getprop(c->fdt, node, "interrupts", &len) != NULL &&
	    len < TIMER_NR_IRQS * 3 * (int)sizeof(fdt32_t)) {
		return dt_fail(c, -HV_EINVAL, "%s: property 'interrupts' has fewer than %d entries",
			       dt_path(c, node), TIMER_NR_IRQS);
	}
	for (int i = 0; i < TIMER_NR_IRQS; i++) {
		rc = dt_get_gic_irq(c, node, i, irqs[i]);
		if (rc != 0) {
			return rc;
		}
	}
	rc = dt_get_u32(c, node, "clock-frequency", 0, &t->clock_frequency);
	if (rc != 0) {
		return rc;
	}
	t->node = node;
	return 0;
}

/**
 * Resolves a DT path or alias (up to len bytes of spec, no ":options") to a node offset.
 * An alias may be followed by "/sub/path". The alias value is checked to be a string
 * before it is used as a path. Returns the offset or -HV_ENOENT / -HV_EINVAL.
 */
static int dt_resolve_path(struct dt_ctx *c, const char *spec, int len)
{
	const char *slash, *target;
	int aliases, node, tlen, rest;

	if (len <= 0) {
		return -HV_ENOENT;
	}
	if (spec[0] == '/') {
		node = fdt_path_offset_namelen(c->fdt, spec, len);
		return node >= 0 ? node : -HV_ENOENT;
	}
	slash = memchr(spec, '/', (size_t)len);
	rest = slash != NULL ? (int)(spec + len - slash) : 0;
	aliases = fdt_path_offset(c->fdt, "/aliases");
	if (aliases < 0) {
		return -HV_ENOENT;
	}
	target = fdt_getprop_namelen(c->fdt, aliases, spec, len - rest, &tlen);
	if (target == NULL) {
		return -HV_ENOENT;
	}
	if (!dt_is_strlist(target, tlen) || target[0] != '/') {
		return dt_fail(c, -HV_EINVAL, "/aliases: property '%.*s' is not a path", len - rest,
			       spec);
	}
	node = fdt_path_offset(c->fdt, target);
	/* Walk the rest ("/a/b") one component at a time below the alias's node. */
	while (node >= 0 && rest > 0) {
		const char *comp = spec + len - rest + 1;
		const char *end = memchr(comp, '/', (size_t)(rest - 1));
		int clen = end != NULL ? (int)(end - comp) : rest - 1;

		if (clen > 0) {
			node = fdt_subnode_offset_namelen(c->fdt, node, comp, clen);
		}
		rest -= clen + 1;
	}
	return node >= 0 ? node : -HV_ENOENT;
}

/** dt_find_uart() with error reporting into c. */
static int dt_find_uart_ctx(struct dt_ctx *c, const char *spec, struct boot_uart *out)
{
	const char *colon = strchr(spec, ':');
	int len = (int)(colon != NULL ? (size_t)(colon - spec) : strlen(spec));
	struct dt_reg reg;
	bool present, is_pl011;
	u64 base, size;
	u32 irq;
	int node, rc;

	node = dt_resolve_path(c, spec, len);
	if (node < 0) {
		if (node == -HV_ENOENT) {
			dt_fail(c, node, "console UART '%.*s' not found", len, spec);
		}
		return node;
	}
	rc = dt_compatible(c, node, "arm,pl011", &is_pl011);
	if (rc != 0) {
		return rc;
	}
	if (!is_pl011) {
		return dt_fail(c, -HV_ENODEV, "%s: not an arm,pl011 UART", dt_path(c, node));
	}
	rc = dt_get_reg(c, node, &reg, &present);
	if (rc != 0) {
		return rc;
	}
	if (!present) {
		return dt_fail(c, -HV_EINVAL, "%s: UART has no 'reg' property", dt_path(c, node));
	}
	dt_reg_entry(&reg, 0, &base, &size);
	rc = dt_check_range(c, node, base, size);
	if (rc == 0) {
		rc = dt_get_gic_irq(c, node, 0, &irq);
	}
	if (rc != 0) {
		return rc;
	}
	out->base = base;
	out->size = size;
	out->irq = irq;
	out->node = node;
	out->path = spec;
	return 0;
}

/**
 * Finds the console UART named by a DT path or /aliases name with an optional ":options"
 * suffix. Returns 0 and fills *out, -HV_ENOENT if nothing by that name exists, -HV_ENODEV
 * if the node is not an "arm,pl011", or -HV_EINVAL if its properties are malformed. The
 * blob must already have passed dt_parse_boot_info(). *out is untouched on failure.
 */
int dt_find_uart(const void *fdt, const char *path_or_alias, struct boot_uart *out)
{
	struct dt_ctx c = { .fdt = fdt };

	return dt_find_uart_ctx(&c, path_or_alias, out);
}

/**
 * Resolves /chosen "stdout-path" (or the older "linux,stdout-path"). A missing property
 * or one naming something other than a PL011 leaves uart.node = -1; only a malformed
 * property is an error.
 */
static int dt_parse_uart(struct dt_ctx *c, int chosen, struct boot_info *bi)
{
	const char *path;
	int rc;

	bi->uart.node = -1;
	rc = dt_get_string(c, chosen, "stdout-path", &path);
	if (rc == 0 && path == NULL) {
		rc = dt_get_string(c, chosen, "linux,stdout-path", &path);
	}
	if (rc != 0 || path == NULL) {
		return rc;
	}
	bi->uart.path = path;
	rc = dt_find_uart_ctx(c, path, &bi->uart);
	if (rc == -HV_ENOENT || rc == -HV_ENODEV) {
		log_warn("stdout-path '%s': no usable PL011 UART there\n", path);
		return 0;
	}
	return rc;
}

/* ---- entry points ------------------------------------------------------------------ */

/**
 * Checks that fdt is a complete, structurally valid blob of at most max_size bytes.
 * Nothing past the header is read before its size is known to fit.
 */
static int dt_check_blob(struct dt_ctx *c, size_t max_size)
{
	int rc;

	if (c->fdt == NULL || max_size < sizeof(struct fdt_header)) {
		return dt_fail(c, -HV_EINVAL, "device tree missing or smaller than its header");
	}
	if (fdt_magic(c->fdt) != FDT_MAGIC) {
		return dt_fail(c, -HV_EINVAL, "bad device tree magic 0x%08x (expected 0x%08x)",
			       fdt_magic(c->fdt), FDT_MAGIC);
	}
	if (fdt_totalsize(c->fdt) > max_size) {
		return dt_fail(c, -HV_E2BIG,
			       "device tree truncated: totalsize %u > %zu bytes available",
			       fdt_totalsize(c->fdt), max_size);
	}
	rc = fdt_check_header(c->fdt);
	if (rc != 0) {
		return dt_fail(c, -HV_EINVAL, "bad device tree header: %s", fdt_strerror(rc));
	}
	rc = fdt_check_full(c->fdt, fdt_totalsize(c->fdt));
	if (rc != 0) {
		return dt_fail(c, -HV_EINVAL, "corrupt device tree structure: %s",
			       fdt_strerror(rc));
	}
	return 0;
}

/**
 * Validates the blob and fills *bi; see bootinfo.h. On failure *bi is partly filled and
 * must not be used; err holds the reason.
 */
int dt_parse_boot_info(const void *fdt, size_t max_size, struct boot_info *bi, char *err,
		       size_t errlen)
{
	struct dt_ctx c = { .fdt = fdt, .err = err, .errlen = errlen };
	int chosen, rc;

	if (err != NULL && errlen > 0) {
		err[0] = '\0';
	}
	memset(bi, 0, sizeof(*bi));
	bi->hv_cmdline = "";
	bi->uart.node = -1;
	bi->gic.node = -1;
	bi->timer.node = -1;

	rc = dt_check_blob(&c, max_size);
	if (rc != 0) {
		return rc;
	}
	bi->fdt = fdt;
	bi->fdt_size = fdt_totalsize(fdt);

	rc = dt_parse_memory(&c, bi);
	if (rc == 0) {
		rc = dt_parse_reserved(&c, bi);
	}
	if (rc == 0) {
		rc = dt_parse_cpus(&c, bi);
	}
	if (rc == 0) {
		rc = dt_parse_psci(&c, bi);
	}
	if (rc == 0) {
		rc = dt_parse_gic(&c, bi);
	}
	if (rc == 0) {
		rc = dt_parse_timer(&c, bi);
	}
	if (rc != 0) {
		return rc;
	}

	chosen = fdt_path_offset(fdt, "/chosen");
	if (chosen < 0) {
		return 0; /* no modules, no command lines, no stdout-path */
	}
	rc = dt_parse_modules(&c, chosen, bi);
	if (rc == 0) {
		rc = dt_parse_cmdlines(&c, chosen, bi);
	}
	if (rc == 0) {
		rc = dt_parse_uart(&c, chosen, bi);
	}
	return rc;
}

/** Returns a short lower-case name for k, for boot logs. */
const char *boot_module_kind_name(enum boot_module_kind k)
{
	switch (k) {
	case BOOTMOD_KERNEL:
		return "kernel";
	case BOOTMOD_RAMDISK:
		return "ramdisk";
	case BOOTMOD_XSM:
		return "xsm-policy";
	case BOOTMOD_UNKNOWN:
		return "unknown";
	default:
		return "invalid";
	}
}
