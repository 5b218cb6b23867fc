/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Dom0's device tree and passthrough list, derived from the host device tree the way Xen
 * derives them (xen-abi-guide.md 1.3 and 1.4; Xen's xen/arch/arm/domain_build.c handle_node(),
 * write_properties(), make_*_node()). docs/dom0.md lists what Dom0 gets.
 *
 * The host tree is walked recursively with libfdt. Each node is classified once
 * (d0_classify): dropped with its subtree, replaced (primary GIC, architected timer), edited
 * (/chosen, /aliases, /__symbols__) or copied. The output is written with libfdt's
 * sequential-write API, so nodes keep the host order and the added nodes come last in the
 * root. The same classification drives the passthrough collection, so Dom0 is given exactly
 * the devices its tree describes.
 *
 * The host tree is untrusted: fdt_check_full() validates the structure first, then every
 * property used is length-checked, every cell is read byte-wise inside its property, every
 * loop is bounded (depth, interrupt-parent chains) and every address sum is checked for
 * overflow. Errors name the node and property.
 */
#include <libfdt.h>

#include <hv/dom0_dt.h>
#include <hv/errno.h>
#include <hv/lib.h>

/* GIC interrupt specifier, first cell (arm,gic-v3 binding): 0 = SPI, 1 = PPI. */
#define GIC_IRQ_TYPE_SPI 0
#define GIC_IRQ_TYPE_PPI 1
/* INTID ranges (GICv3 architecture specification, section 2.2). */
#define GIC_PPI_BASE 16
#define GIC_NR_PPI 16
#define GIC_SPI_BASE 32
#define GIC_NR_SPI 988
/* Third cell Xen writes for Dom0 PPIs: CPU mask 0xf in [15:8], level-low (8) in [3:0]. */
#define DOM0_PPI_FLAGS 0xf08
/* One GICv3 redistributor = RD_base + SGI_base frames, 64 KiB each (GICv3 spec 12.10). */
#define GICR_FRAME_SIZE 0x20000ULL
/* PSCI 0.1 function numbers Xen advertises in /psci (Xen public/arch-arm.h). */
#define PSCI_0_1_CPU_OFF 1
#define PSCI_0_1_CPU_ON 2
/* vCPU n's MPIDR affinity: Aff0 = n[3:0], Aff1 = n[11:4] (Xen vcpuid_to_vaffinity()). */
#define VCPU_AFF0_BITS 4
#define VCPU_AFF1_SHIFT 8
/* Bounds on interrupt-parent chains and specifier sizes we accept. */
#define D0_MAX_IRQ_HOPS 64
#define D0_MAX_ICELLS 4
#define D0_MAX_ACELLS 4
#define D0_MAX_SCELLS 2
#define D0_PHANDLE_CACHE 4

/** One ancestor of the node being handled; the chain replaces fdt_parent_offset() walks. */
struct d0_level {
	const struct d0_level *up; /* NULL for the root */
	int node;
	unsigned int depth; /* root = 0 */
	u32 ac;		    /* #address-cells for this node's children */
	u32 sc;		    /* #size-cells for this node's children */
	bool is_pci;	    /* device_type = "pci" */
};

/** What happens to one host node. */
enum d0_action {
	D0_COPY,
	D0_DROP,
	D0_GIC,
	D0_TIMER,
	D0_CHOSEN,
	D0_PATHS, /* /aliases or /__symbols__: properties are paths, filtered */
};

/** State shared by one call into this file. */
struct d0_ctx {
	const void *fdt;
	char *err;
	size_t errlen;
	int hv_uart;
	int gic;	 /* primary GICv3 node */
	u32 gic_phandle; /* its phandle (host's, or new if it had none) */
	bool gic_phandle_new;
	u32 gic_icells; /* its #interrupt-cells (3 or 4) */
	int timer;	/* architected timer node */
	int chosen;	/* host /chosen, or negative */
	/* Output (dom0_build_dt only). */
	void *out;
	size_t out_size;
	const struct dom0_dt_params *p;
	bool saw_chosen;
	/* Small phandle -> offset cache: most lookups are the same few controllers. */
	u32 ph_key[D0_PHANDLE_CACHE];
	int ph_val[D0_PHANDLE_CACHE];
	unsigned int ph_next;
	char path[128];
};

/** Accumulates what d0_scan_irqs() finds on one node. */
struct d0_irqs {
	bool has_ppi;
	u32 ppi_mask;		     /* bit n: PPI INTID 16 + n used */
	struct dom0_passthrough *pt; /* SPIs are added here if not NULL */
};

/** Records a formatted reason in c->err and returns rc, for "return d0_fail(...)". */
static int __printf(3, 4) d0_fail(struct d0_ctx *c, int rc, const char *fmt, ...)
{
	va_list ap;

	if (c->err != NULL && c->errlen > 0) {
		va_start(ap, fmt);
		hv_vsnprintf(c->err, c->errlen, fmt, ap);
		va_end(ap);
	}
	return rc;
}

/** Returns node's path for an error message (valid until the next call), or its bare name. */
static const char *d0_path(struct d0_ctx *c, int node)
{
	const char *name;

	if (fdt_get_path(c->fdt, node, c->path, sizeof(c->path)) == 0) {
		return c->path;
	}
	name = fdt_get_name(c->fdt, node, NULL);
	return name != NULL ? name : "?";
}

/** Reads big-endian cell idx of a property value byte by byte (no alignment assumed). */
static u32 d0_cell(const void *val, unsigned int idx)
{
	const u8 *b = (const u8 *)val + 4 * (size_t)idx;

	return (u32)b[0] << 24 | (u32)b[1] << 16 | (u32)b[2] << 8 | b[3];
}

/** Reads an n-cell number starting at cell idx; only the low 64 bits count (PCI's 3rd cell). */
static u64 d0_number(const void *val, unsigned int idx, u32 n)
{
	u64 v = 0;

	for (u32 i = n > 2 ? n - 2 : 0; i < n; i++) {
		v = v << 32 | d0_cell(val, idx + i);
	}
	return v;
}

/** Writes v as n (1 or 2) big-endian cells at cell idx of buf. */
static void d0_put(u8 *buf, unsigned int idx, u32 n, u64 v)
{
	for (u32 i = 0; i < n; i++) {
		u32 w = (u32)(v >> (32 * (n - 1 - i)));
		u8 *b = buf + 4 * ((size_t)idx + i);

		b[0] = (u8)(w >> 24);
		b[1] = (u8)(w >> 16);
		b[2] = (u8)(w >> 8);
		b[3] = (u8)w;
	}
}

/** True if v is representable in n cells (n is 1 or 2). */
static bool d0_fits(u64 v, u32 n)
{
	return n >= 2 || v <= 0xffffffffULL;
}

/** True if the string list s (len bytes, maybe not NUL-terminated) contains str. */
static bool d0_strlist_has(const char *s, int len, const char *str)
{
	size_t n = strlen(str) + 1;

	while (s != NULL && len > 0) {
		size_t l = strnlen(s, (size_t)len);

		if (l + 1 == n && l < (size_t)len && memcmp(s, str, n) == 0) {
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

/** True if the string list s has an entry starting with prefix. */
static bool d0_strlist_has_prefix(const char *s, int len, const char *prefix)
{
	size_t n = strlen(prefix);

	while (s != NULL && len > 0) {
		size_t l = strnlen(s, (size_t)len);

		if (l >= n && strncmp(s, prefix, n) == 0) {
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

/** True if node's "compatible" list contains compat. */
static bool d0_compatible(const void *fdt, int node, const char *compat)
{
	int len;
	const char *s = fdt_getprop(fdt, node, "compatible", &len);

	return s != NULL && d0_strlist_has(s, len, compat);
}

/** True if string property name of node is exactly str. */
static bool d0_prop_is(const void *fdt, int node, const char *name, const char *str)
{
	int len;
	const char *s = fdt_getprop(fdt, node, name, &len);

	return s != NULL && (size_t)len == strlen(str) + 1 && memcmp(s, str, (size_t)len) == 0;
}

/** True if a property name starts with prefix. */
static bool d0_has_prefix(const char *name, const char *prefix)
{
	return strncmp(name, prefix, strlen(prefix)) == 0;
}

/**
 * Reads a one-cell property of node into *out; absent leaves *out unchanged. A length other
 * than 4 bytes or a value above max is an error.
 */
static int d0_get_u32(struct d0_ctx *c, int node, const char *name, u32 max, u32 *out)
{
	int len;
	const void *v = fdt_getprop(c->fdt, node, name, &len);

	if (v == NULL) {
		return 0;
	}
	if (len != 4) {
		return d0_fail(c, -HV_EINVAL, "%s: '%s' is %d bytes, not 4", d0_path(c, node), name,
			       len);
	}
	if (d0_cell(v, 0) > max) {
		return d0_fail(c, -HV_EINVAL, "%s: '%s' = %u is unsupported (max %u)",
			       d0_path(c, node), name, d0_cell(v, 0), max);
	}
	*out = d0_cell(v, 0);
	return 0;
}

/** Returns the node with phandle ph, or -1 (cached: the same controllers recur). */
static int d0_by_phandle(struct d0_ctx *c, u32 ph)
{
	int off;

	if (ph == 0 || ph == ~0u) {
		return -1;
	}
	if (ph == c->gic_phandle && c->gic >= 0 && !c->gic_phandle_new) {
		return c->gic;
	}
	for (unsigned int i = 0; i < D0_PHANDLE_CACHE; i++) {
		if (c->ph_key[i] == ph) {
			return c->ph_val[i];
		}
	}
	off = fdt_node_offset_by_phandle(c->fdt, ph);
	if (off < 0) {
		off = -1;
	}
	c->ph_key[c->ph_next] = ph;
	c->ph_val[c->ph_next] = off;
	c->ph_next = (c->ph_next + 1) % D0_PHANDLE_CACHE;
	return off;
}

/**
 * Fills *lvl for node (whose parent's level is up, NULL for the root): the cell counts its
 * children use (inherited when absent, as Linux does; 2 and 1 at the root) and whether it is
 * a PCI bus. Checks the depth bound and that a non-empty "ranges" is whole entries.
 */
static int d0_level_init(struct d0_ctx *c, int node, const struct d0_level *up,
			 struct d0_level *lvl)
{
	int len;
	const void *r;
	int rc;

	lvl->up = up;
	lvl->node = node;
	lvl->depth = up != NULL ? up->depth + 1 : 0;
	lvl->ac = up != NULL ? up->ac : 2;
	lvl->sc = up != NULL ? up->sc : 1;
	if (lvl->depth > DOM0_DT_MAX_DEPTH) {
		return d0_fail(c, -HV_EINVAL, "%s: nested deeper than %u levels", d0_path(c, node),
			       DOM0_DT_MAX_DEPTH);
	}
	rc = d0_get_u32(c, node, "#address-cells", D0_MAX_ACELLS, &lvl->ac);
	if (rc == 0) {
		rc = d0_get_u32(c, node, "#size-cells", D0_MAX_SCELLS, &lvl->sc);
	}
	if (rc != 0) {
		return rc;
	}
	lvl->is_pci = d0_prop_is(c->fdt, node, "device_type", "pci");

	r = fdt_getprop(c->fdt, node, "ranges", &len);
	if (r != NULL && len != 0 && up != NULL) {
		size_t entry = 4 * ((size_t)lvl->ac + up->ac + lvl->sc);

		if (entry == 0 || (size_t)len % entry != 0) {
			return d0_fail(
				c, -HV_EINVAL,
				"%s: 'ranges' is %d bytes, not a multiple of %zu "
				"(#address-cells %u, parent #address-cells %u, #size-cells %u)",
				d0_path(c, node), len, entry, lvl->ac, up->ac, lvl->sc);
		}
	}
	return 0;
}

/**
 * Finds node's interrupt parent as Linux's of_irq_find_parent() does: follow
 * "interrupt-parent" or else the tree parent until a node with "#interrupt-cells". parent is
 * the level of node's tree parent. *ip = -1 if there is none.
 */
static int d0_irq_parent(struct d0_ctx *c, int node, const struct d0_level *parent, int *ip)
{
	const struct d0_level *chain = parent;
	bool on_chain = true;
	int cur = node;

	*ip = -1;
	for (unsigned int hop = 0; hop < D0_MAX_IRQ_HOPS; hop++) {
		int len, next;
		const void *v = fdt_getprop(c->fdt, cur, "interrupt-parent", &len);

		if (v != NULL) {
			if (len != 4) {
				return d0_fail(c, -HV_EINVAL, "%s: 'interrupt-parent' is %d bytes",
					       d0_path(c, cur), len);
			}
			next = d0_by_phandle(c, d0_cell(v, 0));
			on_chain = false;
		} else if (on_chain) {
			next = chain != NULL ? chain->node : -1;
			chain = chain != NULL ? chain->up : NULL;
		} else {
			next = fdt_parent_offset(c->fdt, cur);
		}
		if (next < 0) {
			return 0;
		}
		if (fdt_getprop(c->fdt, next, "#interrupt-cells", NULL) != NULL) {
			*ip = next;
			return 0;
		}
		cur = next;
	}
	return d0_fail(c, -HV_EINVAL, "%s: interrupt-parent chain longer than %u hops",
		       d0_path(c, node), D0_MAX_IRQ_HOPS);
}

/** Reads the #interrupt-cells of interrupt controller ctl (1..D0_MAX_ICELLS) into *n. */
static int d0_icells(struct d0_ctx *c, int ctl, u32 *n)
{
	int rc;

	*n = 0;
	rc = d0_get_u32(c, ctl, "#interrupt-cells", D0_MAX_ICELLS, n);
	if (rc == 0 && *n == 0) {
		rc = d0_fail(c, -HV_EINVAL, "%s: '#interrupt-cells' missing or 0", d0_path(c, ctl));
	}
	return rc;
}

/** Inserts INTID into the sorted, duplicate-free SPI list. */
static int d0_add_spi(struct d0_ctx *c, struct dom0_passthrough *pt, u32 intid)
{
	unsigned int i = 0;

	while (i < pt->nr_spis && pt->spis[i] < intid) {
		i++;
	}
	if (i < pt->nr_spis && pt->spis[i] == intid) {
		return 0;
	}
	if (pt->nr_spis >= DOM0_MAX_SPIS) {
		return d0_fail(c, -HV_ENOSPC, "more than %u SPIs", DOM0_MAX_SPIS);
	}
	memmove(&pt->spis[i + 1], &pt->spis[i], (pt->nr_spis - i) * sizeof(pt->spis[0]));
	pt->spis[i] = intid;
	pt->nr_spis++;
	return 0;
}

/**
 * Decodes one GIC specifier (cells at spec) of node: PPIs are noted in acc, SPIs are added to
 * acc->pt. Extended SPI/PPI types (GICv3.1) are ignored: Dom0 gets no such interrupts.
 */
static int d0_gic_spec(struct d0_ctx *c, int node, const char *prop, const void *spec,
		       struct d0_irqs *acc)
{
	u32 type = d0_cell(spec, 0), n = d0_cell(spec, 1);

	if (type == GIC_IRQ_TYPE_PPI) {
		if (n >= GIC_NR_PPI) {
			return d0_fail(c, -HV_EINVAL, "%s: '%s' names PPI %u (max %u)",
				       d0_path(c, node), prop, n, GIC_NR_PPI - 1);
		}
		acc->has_ppi = true;
		acc->ppi_mask |= 1u << n;
	} else if (type == GIC_IRQ_TYPE_SPI) {
		if (n >= GIC_NR_SPI) {
			return d0_fail(c, -HV_EINVAL, "%s: '%s' names SPI %u (max %u)",
				       d0_path(c, node), prop, n, GIC_NR_SPI - 1);
		}
		if (acc->pt != NULL) {
			return d0_add_spi(c, acc->pt, GIC_SPI_BASE + n);
		}
	}
	return 0;
}

/**
 * Scans "interrupt-map" of node (a nexus such as a PCI host bridge) and adds the SPIs of
 * entries whose parent is the GIC. Layout per entry (DT spec 2.4.3.1): child unit address
 * (node's #address-cells, default 2), child specifier (node's #interrupt-cells), parent
 * phandle, parent unit address (parent's #address-cells, default 0), parent specifier.
 */
static int d0_scan_imap(struct d0_ctx *c, int node, struct d0_irqs *acc)
{
	int len, rc;
	const void *map = fdt_getprop(c->fdt, node, "interrupt-map", &len);
	u32 child_ac = 2, child_ic = 0;
	size_t ncells, pos = 0;

	if (map == NULL) {
		return 0;
	}
	rc = d0_get_u32(c, node, "#address-cells", D0_MAX_ACELLS, &child_ac);
	if (rc == 0) {
		rc = d0_icells(c, node, &child_ic);
	}
	if (rc != 0) {
		return rc;
	}
	if (len % 4 != 0) {
		return d0_fail(c, -HV_EINVAL, "%s: 'interrupt-map' is %d bytes", d0_path(c, node),
			       len);
	}
	ncells = (size_t)len / 4;
	while (pos < ncells) {
		u32 par_ac = 0, par_ic;
		int par;

		pos += child_ac + child_ic;
		if (pos >= ncells) {
			break;
		}
		par = d0_by_phandle(c, d0_cell(map, (unsigned int)pos));
		pos++;
		if (par < 0) {
			return d0_fail(c, -HV_EINVAL,
				       "%s: 'interrupt-map' names an unknown phandle",
				       d0_path(c, node));
		}
		rc = d0_get_u32(c, par, "#address-cells", D0_MAX_ACELLS, &par_ac);
		if (rc == 0) {
			rc = d0_icells(c, par, &par_ic);
		}
		if (rc != 0) {
			return rc;
		}
		pos += par_ac;
		if (pos + par_ic > ncells) {
			break;
		}
		if (par == c->gic) {
			rc = d0_gic_spec(c, node, "interrupt-map", (const u8 *)map + 4 * pos, acc);
			if (rc != 0) {
				return rc;
			}
		}
		pos += par_ic;
	}
	if (pos != ncells) {
		return d0_fail(c, -HV_EINVAL, "%s: 'interrupt-map' ends inside an entry",
			       d0_path(c, node));
	}
	return 0;
}

/**
 * Scans node's "interrupts" (with its interrupt parent) and "interrupts-extended" for GIC
 * interrupts into acc; with acc->pt set, also its "interrupt-map". Wrongly sized properties
 * are errors; interrupts of other controllers are only length-checked.
 */
static int d0_scan_irqs(struct d0_ctx *c, int node, const struct d0_level *parent,
			struct d0_irqs *acc)
{
	int len, rc;
	const void *v = fdt_getprop(c->fdt, node, "interrupts", &len);

	if (v != NULL) {
		int ip;
		u32 ic;

		rc = d0_irq_parent(c, node, parent, &ip);
		if (rc != 0) {
			return rc;
		}
		if (ip >= 0) {
			rc = d0_icells(c, ip, &ic);
			if (rc != 0) {
				return rc;
			}
			if (len == 0 || (size_t)len % (4 * (size_t)ic) != 0) {
				return d0_fail(c, -HV_EINVAL,
					       "%s: 'interrupts' is %d bytes, not a multiple of %u",
					       d0_path(c, node), len, 4 * ic);
			}
			for (size_t i = 0; ip == c->gic && i < (size_t)len / (4 * ic); i++) {
				rc = d0_gic_spec(c, node, "interrupts", (const u8 *)v + 4 * ic * i,
						 acc);
				if (rc != 0) {
					return rc;
				}
			}
		}
	}

	v = fdt_getprop(c->fdt, node, "interrupts-extended", &len);
	if (v != NULL) {
		size_t ncells = (size_t)len / 4, pos = 0;

		if (len % 4 != 0) {
			return d0_fail(c, -HV_EINVAL, "%s: 'interrupts-extended' is %d bytes",
				       d0_path(c, node), len);
		}
		while (pos < ncells) {
			int ctl = d0_by_phandle(c, d0_cell(v, (unsigned int)pos));
			u32 ic;

			if (ctl < 0) {
				return d0_fail(c, -HV_EINVAL,
					       "%s: 'interrupts-extended' names an unknown phandle",
					       d0_path(c, node));
			}
			rc = d0_icells(c, ctl, &ic);
			if (rc != 0) {
				return rc;
			}
			pos++;
			if (pos + ic > ncells) {
				return d0_fail(c, -HV_EINVAL,
					       "%s: 'interrupts-extended' ends inside an entry",
					       d0_path(c, node));
			}
			if (ctl == c->gic) {
				rc = d0_gic_spec(c, node, "interrupts-extended",
						 (const u8 *)v + 4 * pos, acc);
				if (rc != 0) {
					return rc;
				}
			}
			pos += ic;
		}
	}

	return acc->pt != NULL ? d0_scan_imap(c, node, acc) : 0;
}

/** Checks that node's "reg" is whole (#address-cells + #size-cells) entries of its parent. */
static int d0_check_reg(struct d0_ctx *c, int node, const struct d0_level *parent)
{
	int len;
	size_t entry = 4 * ((size_t)parent->ac + parent->sc);

	if (fdt_getprop(c->fdt, node, "reg", &len) == NULL) {
		return 0;
	}
	if (entry == 0 || (size_t)len % entry != 0) {
		return d0_fail(c, -HV_EINVAL,
			       "%s: 'reg' is %d bytes, not a multiple of %zu "
			       "(parent #address-cells %u, #size-cells %u)",
			       d0_path(c, node), len, entry, parent->ac, parent->sc);
	}
	return 0;
}

/** True if compat names a node Dom0 never sees (xen-abi-guide 1.3 "Removed", rule 1). */
static bool d0_compat_dropped(const void *fdt, int node)
{
	static const char *const dropped[] = {
		"xen,domain",
		"xen,domain-shared-memory-v1",
		"xen,evtchn-v1",
		"xen,xen",
		"xen,multiboot-module",
		"multiboot,module",
		"arm,psci",
		"arm,psci-0.2",
		"arm,psci-1.0",
		"arm,cortex-a7-pmu",
		"arm,cortex-a15-pmu",
		"arm,cortex-a53-edac",
		"arm,armv8-pmuv3",
		"arm,armv7-timer-mem",
		/* Secondary interrupt controllers: only the primary GIC is given (rewritten). */
		"arm,gic-v3",
		"arm,gic-v3-its",
		"arm,gic-400",
		"arm,cortex-a15-gic",
		"arm,cortex-a9-gic",
		"arm,cortex-a7-gic",
	};
	int len;
	const char *s = fdt_getprop(fdt, node, "compatible", &len);

	if (s == NULL) {
		return false;
	}
	for (size_t i = 0; i < ARRAY_SIZE(dropped); i++) {
		if (d0_strlist_has(s, len, dropped[i])) {
			return true;
		}
	}
	return false;
}

/**
 * Decides what happens to node (parent is its parent's level) and validates what the
 * decision depends on: "reg" length, and the interrupts (a node with a PPI is dropped).
 */
static int d0_classify(struct d0_ctx *c, int node, const struct d0_level *parent,
		       enum d0_action *act)
{
	struct d0_irqs irqs = { 0 };
	int len, rc;
	const char *name = fdt_get_name(c->fdt, node, &len);

	*act = D0_DROP;
	if (name == NULL) {
		return d0_fail(c, -HV_EINVAL, "node at offset %d has no name", node);
	}
	if (node == c->hv_uart) {
		return 0;
	}
	if (node == c->gic) {
		*act = D0_GIC;
		return 0;
	}
	if (node == c->timer) {
		*act = D0_TIMER;
		return 0;
	}
	if (parent->depth == 0) {
		/* Replaced by ours (the host's /psci and /hypervisor, if any, would clash). */
		if (strcmp(name, "cpus") == 0 || strcmp(name, "psci") == 0 ||
		    strcmp(name, "hypervisor") == 0) {
			return 0;
		}
		if (strcmp(name, "chosen") == 0) {
			*act = D0_CHOSEN;
			return 0;
		}
		if (strcmp(name, "aliases") == 0 || strcmp(name, "__symbols__") == 0) {
			*act = D0_PATHS;
			return 0;
		}
	}
	if (d0_prop_is(c->fdt, node, "device_type", "memory") || d0_compat_dropped(c->fdt, node)) {
		return 0;
	}
	if (parent->depth == 1 && parent->node == c->chosen) {
		/* Boot modules and dom0less domains of any flavour. */
		const char *s = fdt_getprop(c->fdt, node, "compatible", &len);

		if (d0_strlist_has_prefix(s, len, "multiboot,") ||
		    d0_strlist_has_prefix(s, len, "xen,")) {
			return 0;
		}
	}
	rc = d0_check_reg(c, node, parent);
	if (rc == 0) {
		rc = d0_scan_irqs(c, node, parent, &irqs);
	}
	if (rc != 0) {
		return rc;
	}
	/* The vGIC cannot route a hardware PPI to a guest (xen-abi-guide 1.3, rule 6). */
	*act = irqs.has_ppi ? D0_DROP : D0_COPY;
	return 0;
}

/**
 * Sets *dropped if node (any node of the host tree) or one of its ancestors is left out of
 * Dom0's tree. Used for properties that refer to other nodes (aliases, msi-parent).
 */
static int d0_is_dropped(struct d0_ctx *c, int node, bool *dropped)
{
	struct d0_level lvls[DOM0_DT_MAX_DEPTH + 1];
	int depth = fdt_node_depth(c->fdt, node);
	int rc;

	*dropped = true;
	if (depth < 0 || depth > DOM0_DT_MAX_DEPTH) {
		return 0;
	}
	rc = d0_level_init(c, 0, NULL, &lvls[0]);
	for (int d = 1; rc == 0 && d <= depth; d++) {
		enum d0_action act;
		int anc = fdt_supernode_atdepth_offset(c->fdt, node, d, NULL);

		if (anc < 0) {
			return 0;
		}
		rc = d0_classify(c, anc, &lvls[d - 1], &act);
		/* The GIC and timer are rewritten without children. */
		if (rc != 0 || act == D0_DROP ||
		    ((act == D0_GIC || act == D0_TIMER) && d < depth)) {
			return rc;
		}
		rc = d0_level_init(c, anc, &lvls[d - 1], &lvls[d]);
	}
	if (rc == 0) {
		*dropped = false;
	}
	return rc;
}

/**
 * Finds the primary GIC (the root's interrupt parent if it is a GICv3, else the first GICv3),
 * the architected timer and checks hv_uart; validates the host blob first.
 */
static int d0_init(struct d0_ctx *c, const void *fdt, int hv_uart, char *err, size_t errlen)
{
	int rc, len;
	const void *v;

	memset(c, 0, sizeof(*c));
	c->fdt = fdt;
	c->err = err;
	c->errlen = errlen;
	c->hv_uart = -1;
	c->gic = -1;
	c->timer = -1;
	if (err != NULL && errlen > 0) {
		err[0] = '\0';
	}
	if (fdt == NULL) {
		return d0_fail(c, -HV_EINVAL, "no host device tree");
	}
	rc = fdt_check_header(fdt);
	if (rc != 0) {
		return d0_fail(c, -HV_EINVAL, "host device tree: bad header: %s", fdt_strerror(rc));
	}
	if (fdt_totalsize(fdt) > DOM0_DT_HOST_MAX) {
		return d0_fail(c, -HV_EINVAL, "host device tree: %u bytes exceeds %u",
			       fdt_totalsize(fdt), DOM0_DT_HOST_MAX);
	}
	rc = fdt_check_full(fdt, fdt_totalsize(fdt));
	if (rc != 0) {
		return d0_fail(c, -HV_EINVAL, "host device tree: malformed: %s", fdt_strerror(rc));
	}

	if (hv_uart >= 0) {
		if (hv_uart == 0 || fdt_get_name(fdt, hv_uart, NULL) == NULL) {
			return d0_fail(c, -HV_EINVAL, "hv_uart_node %d is not a device node",
				       hv_uart);
		}
		c->hv_uart = hv_uart;
	}

	v = fdt_getprop(fdt, 0, "interrupt-parent", &len);
	if (v != NULL && len == 4) {
		int ip = fdt_node_offset_by_phandle(fdt, d0_cell(v, 0));

		if (ip >= 0 && d0_compatible(fdt, ip, "arm,gic-v3")) {
			c->gic = ip;
		}
	}
	if (c->gic < 0) {
		c->gic = fdt_node_offset_by_compatible(fdt, -1, "arm,gic-v3");
	}
	if (c->gic < 0) {
		return d0_fail(c, -HV_ENOENT, "host device tree has no \"arm,gic-v3\" node");
	}
	rc = d0_icells(c, c->gic, &c->gic_icells);
	if (rc != 0) {
		return rc;
	}
	if (c->gic_icells < 3) {
		return d0_fail(c, -HV_EINVAL, "%s: '#interrupt-cells' = %u, need 3 or 4",
			       d0_path(c, c->gic), c->gic_icells);
	}
	c->gic_phandle = fdt_get_phandle(fdt, c->gic);
	c->chosen = fdt_path_offset(fdt, "/chosen");

	c->timer = fdt_node_offset_by_compatible(fdt, -1, "arm,armv8-timer");
	if (c->timer < 0) {
		c->timer = fdt_node_offset_by_compatible(fdt, -1, "arm,armv7-timer");
	}
	if (c->timer < 0) {
		return d0_fail(c, -HV_ENOENT, "host device tree has no \"arm,armv8-timer\" node");
	}
	return 0;
}

/* ------------------------------------------------------------------ output helpers */

/** Turns a libfdt write error into -HV_ENOSPC or -HV_EINVAL with a reason. */
static int d0_wfail(struct d0_ctx *c, int fdt_rc, const char *what)
{
	if (fdt_rc == -FDT_ERR_NOSPACE) {
		return d0_fail(c, -HV_ENOSPC, "output buffer of %zu bytes is too small (at %s)",
			       c->out_size, what);
	}
	return d0_fail(c, -HV_EINVAL, "writing %s: %s", what, fdt_strerror(fdt_rc));
}

/** Opens node name in the output; the d0_prop* helpers below fail like d0_wfail(). */
static int d0_begin(struct d0_ctx *c, const char *name)
{
	int rc = fdt_begin_node(c->out, name);

	return rc != 0 ? d0_wfail(c, rc, name) : 0;
}

/** Closes the innermost open output node. */
static int d0_end(struct d0_ctx *c)
{
	int rc = fdt_end_node(c->out);

	return rc != 0 ? d0_wfail(c, rc, "end of node") : 0;
}

/** Writes a raw property to the open output node. */
static int d0_prop(struct d0_ctx *c, const char *name, const void *val, int len)
{
	int rc = fdt_property(c->out, name, val, len);

	return rc != 0 ? d0_wfail(c, rc, name) : 0;
}

/** Writes a one-cell property. */
static int d0_prop_u32(struct d0_ctx *c, const char *name, u32 v)
{
	int rc = fdt_property_u32(c->out, name, v);

	return rc != 0 ? d0_wfail(c, rc, name) : 0;
}

/** Writes a two-cell (64-bit) property. */
static int d0_prop_u64(struct d0_ctx *c, const char *name, u64 v)
{
	int rc = fdt_property_u64(c->out, name, v);

	return rc != 0 ? d0_wfail(c, rc, name) : 0;
}

/** Writes a NUL-terminated string property. */
static int d0_prop_str(struct d0_ctx *c, const char *name, const char *s)
{
	return d0_prop(c, name, s, (int)strlen(s) + 1);
}

/** Writes a 3-cell GIC specifier list of PPIs with Dom0's flags. */
static int d0_prop_ppis(struct d0_ctx *c, const char *name, const u32 *ppis, unsigned int n)
{
	u8 buf[4 * 3 * 4];

	for (unsigned int i = 0; i < n && i < 4; i++) {
		d0_put(buf, 3 * i, 1, GIC_IRQ_TYPE_PPI);
		d0_put(buf, 3 * i + 1, 1, ppis[i]);
		d0_put(buf, 3 * i + 2, 1, DOM0_PPI_FLAGS);
	}
	return d0_prop(c, name, buf, (int)(12 * MIN(n, 4u)));
}

/* ------------------------------------------------------------------ node writers */

/**
 * Sets *skip for a property Dom0 must not see on a copied node: "xen,passthrough", and
 * "msi-parent"/"msi-map" that point at an MSI controller Dom0 does not get (the GIC's ITS).
 */
static int d0_skip_prop(struct d0_ctx *c, const char *name, const void *val, int len, bool *skip)
{
	bool dropped;
	int rc;

	*skip = strcmp(name, "xen,passthrough") == 0;
	if (strcmp(name, "msi-parent") == 0 && len >= 4) {
		int ctl = d0_by_phandle(c, d0_cell(val, 0));

		if (ctl >= 0) {
			rc = d0_is_dropped(c, ctl, &dropped);
			*skip = rc == 0 && dropped;
			return rc;
		}
	}
	if (strcmp(name, "msi-map") == 0) {
		/* <rid-base msi-controller msi-base length> per entry (pci-msi.txt binding). */
		for (int i = 1; 4 * i + 4 <= len; i += 4) {
			int ctl = d0_by_phandle(c, d0_cell(val, (unsigned int)i));

			if (ctl < 0) {
				continue;
			}
			rc = d0_is_dropped(c, ctl, &dropped);
			if (rc != 0) {
				return rc;
			}
			if (dropped) {
				*skip = true;
				return 0;
			}
		}
	}
	return 0;
}

/** True if a /chosen property belongs to the host's boot flow, not to Dom0. */
static bool d0_chosen_prop_dropped(const char *name)
{
	static const char *const dropped[] = {
		"bootargs",    "linux,initrd-start", "linux,initrd-end",
		"stdout-path", "linux,stdout-path",
	};

	for (size_t i = 0; i < ARRAY_SIZE(dropped); i++) {
		if (strcmp(name, dropped[i]) == 0) {
			return true;
		}
	}
	/* xen,xen-bootargs, xen,dom0-bootargs, xen,static-heap, ...; EFI boot state. */
	return d0_has_prefix(name, "xen,") || d0_has_prefix(name, "linux,uefi-");
}

/**
 * Sets *skip for an /aliases or /__symbols__ entry whose path names a node Dom0 does not
 * get (or no node at all), so Linux does not chase a missing node.
 */
static int d0_skip_path_prop(struct d0_ctx *c, const char *name, const char *val, int len,
			     bool *skip)
{
	size_t l;
	int target;

	*skip = true;
	if (strcmp(name, "phandle") == 0 || strcmp(name, "linux,phandle") == 0) {
		*skip = false;
		return 0;
	}
	if (val == NULL || len <= 1 || val[0] != '/') {
		return 0;
	}
	l = strnlen(val, (size_t)len);
	if (l >= (size_t)len) {
		return 0;
	}
	target = fdt_path_offset_namelen(c->fdt, val, (int)l);
	if (target < 0) {
		return 0;
	}
	return d0_is_dropped(c, target, skip);
}

/** Copies node's properties, filtered for its kind. */
static int d0_copy_props(struct d0_ctx *c, int node, enum d0_action act)
{
	int prop, rc;

	fdt_for_each_property_offset (prop, c->fdt, node) {
		const char *name;
		int len;
		const void *val = fdt_getprop_by_offset(c->fdt, prop, &name, &len);
		bool skip;

		if (val == NULL || name == NULL) {
			return d0_fail(c, -HV_EINVAL, "%s: unreadable property", d0_path(c, node));
		}
		if (act == D0_CHOSEN) {
			skip = d0_chosen_prop_dropped(name);
			rc = 0;
		} else if (act == D0_PATHS) {
			rc = d0_skip_path_prop(c, name, val, len, &skip);
		} else {
			rc = d0_skip_prop(c, name, val, len, &skip);
		}
		if (rc != 0) {
			return rc;
		}
		if (node == 0 && c->gic_phandle_new && strcmp(name, "interrupt-parent") == 0) {
			skip = true; /* rewritten to the new GIC phandle */
		}
		if (!skip) {
			rc = d0_prop(c, name, val, len);
			if (rc != 0) {
				return rc;
			}
		}
	}
	if (prop != -FDT_ERR_NOTFOUND) {
		return d0_fail(c, -HV_EINVAL, "%s: bad property list: %s", d0_path(c, node),
			       fdt_strerror(prop));
	}
	return 0;
}

/** Adds Dom0's command line and initrd to /chosen (the node is open). */
static int d0_chosen_props(struct d0_ctx *c)
{
	const struct dom0_dt_params *p = c->p;
	int rc = 0;

	if (p->bootargs != NULL) {
		rc = d0_prop_str(c, "bootargs", p->bootargs);
	}
	if (rc == 0 && p->initrd_size != 0) {
		rc = d0_prop_u64(c, "linux,initrd-start", p->initrd_start);
		if (rc == 0) {
			rc = d0_prop_u64(c, "linux,initrd-end", p->initrd_start + p->initrd_size);
		}
	}
	return rc;
}

/**
 * Writes the primary GIC as Dom0 sees it (Xen gicv3_make_hwdom_dt_node()): host name,
 * phandle, compatible and cell counts; the host GICD plus one GICR region of
 * nr_redist_frames frames at the host's first GICR base; no ITS children, no maintenance
 * interrupt. parent is the GIC's parent level (its "reg" cells).
 */
static int d0_emit_gic(struct d0_ctx *c, int node, const struct d0_level *parent)
{
	static const char *const kept[] = { "compatible", "#address-cells", "#size-cells" };
	u32 ac = parent->ac, sc = parent->sc, entry = ac + sc;
	u64 dist_base, dist_size, rd_base, rd_size, need;
	u8 reg[2 * 2 * 2 * 4];
	int len, rc;
	const void *v = fdt_getprop(c->fdt, node, "reg", &len);

	if (ac < 1 || ac > 2 || sc < 1 || sc > 2) {
		return d0_fail(c, -HV_EINVAL, "%s: unsupported parent cells %u/%u",
			       d0_path(c, node), ac, sc);
	}
	if (v == NULL || (size_t)len < 2 * 4 * (size_t)entry) {
		return d0_fail(c, -HV_EINVAL, "%s: 'reg' must hold GICD and a GICR region",
			       d0_path(c, node));
	}
	dist_base = d0_number(v, 0, ac);
	dist_size = d0_number(v, ac, sc);
	rd_base = d0_number(v, entry, ac);
	rd_size = d0_number(v, entry + ac, sc);
	need = (u64)c->p->nr_redist_frames * GICR_FRAME_SIZE;
	if (need > rd_size) {
		return d0_fail(c, -HV_EINVAL,
			       "%s: %u redistributor frames do not fit the host's first GICR "
			       "region (0x%llx bytes)",
			       d0_path(c, node), c->p->nr_redist_frames,
			       (unsigned long long)rd_size);
	}

	rc = d0_begin(c, fdt_get_name(c->fdt, node, NULL));
	for (size_t i = 0; rc == 0 && i < ARRAY_SIZE(kept); i++) {
		const void *kv = fdt_getprop(c->fdt, node, kept[i], &len);

		if (kv != NULL) {
			rc = d0_prop(c, kept[i], kv, len);
		}
	}
	if (rc == 0) {
		rc = d0_prop_u32(c, "phandle", c->gic_phandle);
	}
	if (rc == 0) {
		rc = d0_prop_u32(c, "#interrupt-cells", 3);
	}
	if (rc == 0) {
		rc = d0_prop(c, "interrupt-controller", NULL, 0);
	}
	if (rc == 0) {
		rc = d0_prop_u32(c, "#redistributor-regions", 1);
	}
	if (rc == 0) {
		d0_put(reg, 0, ac, dist_base);
		d0_put(reg, ac, sc, dist_size);
		d0_put(reg, entry, ac, rd_base);
		d0_put(reg, entry + ac, sc, need);
		rc = d0_prop(c, "reg", reg, (int)(2 * 4 * entry));
	}
	return rc != 0 ? rc : d0_end(c);
}

/**
 * Writes the architected timer as Xen's make_timer_node() does: the host's secure-physical,
 * non-secure-physical and virtual PPIs (the hyp timer's is dropped), level-low, all CPUs.
 */
static int d0_emit_timer(struct d0_ctx *c, int node)
{
	u32 ppis[3];
	size_t spec = 4 * (size_t)c->gic_icells;
	int len, rc;
	const void *v = fdt_getprop(c->fdt, node, "interrupts", &len);
	const void *freq;

	if (v == NULL || len < 0 || (size_t)len < 3 * spec || (size_t)len % spec != 0) {
		return d0_fail(c, -HV_EINVAL,
			       "%s: 'interrupts' must hold at least 3 GIC specifiers (%d bytes)",
			       d0_path(c, node), v == NULL ? 0 : len);
	}
	for (unsigned int i = 0; i < 3; i++) {
		const u8 *s = (const u8 *)v + spec * i;

		if (d0_cell(s, 0) != GIC_IRQ_TYPE_PPI || d0_cell(s, 1) >= GIC_NR_PPI) {
			return d0_fail(c, -HV_EINVAL, "%s: timer interrupt %u is not a PPI",
				       d0_path(c, node), i);
		}
		ppis[i] = d0_cell(s, 1);
	}
	rc = d0_begin(c, "timer");
	if (rc == 0) {
		rc = d0_prop_str(c, "compatible", "arm,armv8-timer");
	}
	if (rc == 0) {
		rc = d0_prop_ppis(c, "interrupts", ppis, 3);
	}
	if (rc == 0) {
		rc = d0_prop_u32(c, "interrupt-parent", c->gic_phandle);
	}
	freq = fdt_getprop(c->fdt, node, "clock-frequency", &len);
	if (rc == 0 && freq != NULL) {
		if (len != 4) {
			return d0_fail(c, -HV_EINVAL, "%s: 'clock-frequency' is %d bytes",
				       d0_path(c, node), len);
		}
		rc = d0_prop(c, "clock-frequency", freq, len);
	}
	return rc != 0 ? rc : d0_end(c);
}

/** Copies node and its subtree, applying the rules; parent is the parent's level. */
static int d0_emit_node(struct d0_ctx *c, int node, const struct d0_level *parent)
{
	struct d0_level lvl;
	enum d0_action act;
	int child, rc;

	rc = d0_classify(c, node, parent, &act);
	if (rc != 0 || act == D0_DROP) {
		return rc;
	}
	if (act == D0_GIC) {
		return d0_emit_gic(c, node, parent);
	}
	if (act == D0_TIMER) {
		return d0_emit_timer(c, node);
	}
	rc = d0_level_init(c, node, parent, &lvl);
	if (rc == 0) {
		rc = d0_begin(c, fdt_get_name(c->fdt, node, NULL));
	}
	if (rc == 0) {
		rc = d0_copy_props(c, node, act);
	}
	if (rc == 0 && act == D0_CHOSEN) {
		c->saw_chosen = true;
		rc = d0_chosen_props(c);
	}
	if (rc != 0) {
		return rc;
	}
	fdt_for_each_subnode (child, c->fdt, node) {
		rc = d0_emit_node(c, child, &lvl);
		if (rc != 0) {
			return rc;
		}
	}
	if (child != -FDT_ERR_NOTFOUND) {
		return d0_fail(c, -HV_EINVAL, "%s: bad subnode list: %s", d0_path(c, node),
			       fdt_strerror(child));
	}
	return d0_end(c);
}

/** Writes "reg" of ranges (n of them, [start, end)) in the root's cells. */
static int d0_prop_ranges(struct d0_ctx *c, const struct d0_level *root, const char *what,
			  paddr_t first_base, u64 first_size, const struct mem_range *r,
			  unsigned int n)
{
	u8 buf[(1 + DOM0_MAX_MEM_BANKS + DOM0_MAX_EXT_REGIONS) * 16];
	u32 ac = root->ac, sc = root->sc, i = 0, cells = 0;

	for (i = 0; i <= n; i++) {
		u64 base = i == 0 ? first_base : r[i - 1].start;
		u64 size = i == 0 ? first_size : r[i - 1].end - r[i - 1].start;

		if (i == 0 && first_size == 0) {
			continue;
		}
		if ((i > 0 && r[i - 1].end <= r[i - 1].start) || !d0_fits(base, ac) ||
		    !d0_fits(size, sc)) {
			return d0_fail(c, -HV_EINVAL,
				       "%s region %u (0x%llx, size 0x%llx) invalid "
				       "or does not fit the root's cells",
				       what, i, (unsigned long long)base, (unsigned long long)size);
		}
		d0_put(buf, cells, ac, base);
		d0_put(buf, cells + ac, sc, size);
		cells += ac + sc;
	}
	return d0_prop(c, "reg", buf, (int)(4 * cells));
}

/** Writes /hypervisor (xen-abi-guide 1.4). */
static int d0_emit_hypervisor(struct d0_ctx *c, const struct d0_level *root)
{
	static const char compat[] = DOM0_DT_XEN_COMPAT "\0xen,xen";
	u32 ppi = c->p->evtchn_ppi - GIC_PPI_BASE;
	int rc = d0_begin(c, "hypervisor");

	if (rc == 0) {
		rc = d0_prop(c, "compatible", compat, sizeof(compat));
	}
	if (rc == 0) {
		rc = d0_prop_ranges(c, root, "hypervisor", c->p->gnttab_base, c->p->gnttab_size,
				    c->p->ext_regions, c->p->nr_ext);
	}
	if (rc == 0) {
		rc = d0_prop_ppis(c, "interrupts", &ppi, 1);
	}
	if (rc == 0) {
		rc = d0_prop_u32(c, "interrupt-parent", c->gic_phandle);
	}
	return rc != 0 ? rc : d0_end(c);
}

/** Writes /psci: PSCI 1.0 over HVC, with the PSCI 0.1 IDs Xen also advertises. */
static int d0_emit_psci(struct d0_ctx *c)
{
	static const char compat[] = "arm,psci-1.0\0arm,psci-0.2\0arm,psci";
	int rc = d0_begin(c, "psci");

	if (rc == 0) {
		rc = d0_prop(c, "compatible", compat, sizeof(compat));
	}
	if (rc == 0) {
		rc = d0_prop_str(c, "method", "hvc");
	}
	if (rc == 0) {
		rc = d0_prop_u32(c, "cpu_off", PSCI_0_1_CPU_OFF);
	}
	if (rc == 0) {
		rc = d0_prop_u32(c, "cpu_on", PSCI_0_1_CPU_ON);
	}
	return rc != 0 ? rc : d0_end(c);
}

/**
 * Writes /cpus with one cpu@<affinity> per vCPU; "compatible" (and "clock-frequency") come
 * from the host's first CPU node, "arm,armv8" if there is none.
 */
static int d0_emit_cpus(struct d0_ctx *c)
{
	static const char generic[] = "arm,armv8";
	const void *compat = generic, *freq = NULL;
	int compat_len = sizeof(generic), freq_len = 0;
	int cpus = fdt_path_offset(c->fdt, "/cpus"), cpu, rc;

	if (cpus >= 0) {
		fdt_for_each_subnode (cpu, c->fdt, cpus) {
			int len;
			const char *s;

			if (!d0_prop_is(c->fdt, cpu, "device_type", "cpu")) {
				continue;
			}
			s = fdt_getprop(c->fdt, cpu, "compatible", &len);
			if (s != NULL && len > 0 && s[len - 1] == '\0') {
				compat = s;
				compat_len = len;
			}
			freq = fdt_getprop(c->fdt, cpu, "clock-frequency", &freq_len);
			if (freq != NULL && freq_len != 4 && freq_len != 8) {
				freq = NULL;
			}
			break;
		}
	}

	rc = d0_begin(c, "cpus");
	if (rc == 0) {
		rc = d0_prop_u32(c, "#address-cells", 1);
	}
	if (rc == 0) {
		rc = d0_prop_u32(c, "#size-cells", 0);
	}
	for (unsigned int n = 0; rc == 0 && n < c->p->nr_vcpus; n++) {
		u32 aff = (n & ((1u << VCPU_AFF0_BITS) - 1)) |
			  ((n >> VCPU_AFF0_BITS) << VCPU_AFF1_SHIFT);
		char name[16];

		hv_snprintf(name, sizeof(name), "cpu@%x", aff);
		rc = d0_begin(c, name);
		if (rc == 0) {
			rc = d0_prop_str(c, "device_type", "cpu");
		}
		if (rc == 0) {
			rc = d0_prop(c, "compatible", compat, compat_len);
		}
		if (rc == 0) {
			rc = d0_prop_u32(c, "reg", aff);
		}
		if (rc == 0) {
			rc = d0_prop_str(c, "enable-method", "psci");
		}
		if (rc == 0 && freq != NULL) {
			rc = d0_prop(c, "clock-frequency", freq, freq_len);
		}
		if (rc == 0) {
			rc = d0_end(c);
		}
	}
	return rc != 0 ? rc : d0_end(c);
}

/** Writes one memory@<first bank> node holding every Dom0 RAM bank. */
static int d0_emit_memory(struct d0_ctx *c, const struct d0_level *root)
{
	char name[32];
	int rc;

	hv_snprintf(name, sizeof(name), "memory@%llx", (unsigned long long)c->p->mem[0].start);
	rc = d0_begin(c, name);
	if (rc == 0) {
		rc = d0_prop_str(c, "device_type", "memory");
	}
	if (rc == 0) {
		rc = d0_prop_ranges(c, root, "memory", 0, 0, c->p->mem, c->p->nr_mem);
	}
	return rc != 0 ? rc : d0_end(c);
}

/** Checks the caller's parameters before anything is written. */
static int d0_check_params(struct d0_ctx *c, const struct dom0_dt_params *p)
{
	if (p == NULL) {
		return d0_fail(c, -HV_EINVAL, "no parameters");
	}
	if (p->mem == NULL || p->nr_mem == 0 || p->nr_mem > DOM0_MAX_MEM_BANKS) {
		return d0_fail(c, -HV_EINVAL, "need 1..%u memory banks, got %u", DOM0_MAX_MEM_BANKS,
			       p->nr_mem);
	}
	if (p->nr_ext > DOM0_MAX_EXT_REGIONS || (p->nr_ext != 0 && p->ext_regions == NULL)) {
		return d0_fail(c, -HV_EINVAL, "at most %u extended regions, got %u",
			       DOM0_MAX_EXT_REGIONS, p->nr_ext);
	}
	if (p->nr_vcpus == 0 || p->nr_vcpus > DOM0_MAX_VCPUS) {
		return d0_fail(c, -HV_EINVAL, "need 1..%u vCPUs, got %u", DOM0_MAX_VCPUS,
			       p->nr_vcpus);
	}
	if (p->nr_redist_frames < p->nr_vcpus) {
		return d0_fail(c, -HV_EINVAL, "%u redistributor frames for %u vCPUs",
			       p->nr_redist_frames, p->nr_vcpus);
	}
	if (p->evtchn_ppi < GIC_PPI_BASE || p->evtchn_ppi >= GIC_SPI_BASE) {
		return d0_fail(c, -HV_EINVAL, "event-channel INTID %u is not a PPI (16..31)",
			       p->evtchn_ppi);
	}
	if (p->gnttab_size == 0 || p->gnttab_base + p->gnttab_size < p->gnttab_base) {
		return d0_fail(c, -HV_EINVAL, "bad grant-table region");
	}
	if (p->initrd_size != 0 && p->initrd_start + p->initrd_size < p->initrd_start) {
		return d0_fail(c, -HV_EINVAL, "initrd wraps around");
	}
	return 0;
}

/** See hv/include/hv/dom0_dt.h. */
int dom0_build_dt(const void *host_fdt, const struct dom0_dt_params *p, void *out, size_t out_size,
		  char *err, size_t errlen)
{
	struct d0_ctx c;
	struct d0_level root;
	int rc, child;
	u32 max_ph;

	rc = d0_init(&c, host_fdt, p != NULL ? p->hv_uart_node : -1, err, errlen);
	if (rc == 0) {
		rc = d0_check_params(&c, p);
	}
	if (rc != 0) {
		return rc;
	}
	c.p = p;
	c.out = out;
	c.out_size = out_size;
	if (out == NULL || ((uintptr_t)out & 7) != 0) {
		return d0_fail(&c, -HV_EINVAL, "output buffer missing or not 8-byte aligned");
	}
	if ((const char *)out < (const char *)host_fdt + fdt_totalsize(host_fdt) &&
	    (const char *)host_fdt < (const char *)out + out_size) {
		return d0_fail(&c, -HV_EINVAL, "output buffer overlaps the host device tree");
	}
	if (c.gic_phandle == 0) {
		/* Nothing could point at the GIC; give it a phandle and make it the root's parent. */
		rc = fdt_find_max_phandle(host_fdt, &max_ph);
		if (rc != 0 || max_ph >= FDT_MAX_PHANDLE) {
			return d0_fail(&c, -HV_EINVAL, "no free phandle for the GIC");
		}
		c.gic_phandle = max_ph + 1;
		c.gic_phandle_new = true;
	}
	rc = d0_level_init(&c, 0, NULL, &root);
	if (rc != 0) {
		return rc;
	}
	if (root.ac < 1 || root.ac > 2 || root.sc < 1 || root.sc > 2) {
		return d0_fail(&c, -HV_EINVAL, "root cells %u/%u unsupported (need 1 or 2)",
			       root.ac, root.sc);
	}

	rc = fdt_create(out, (int)MIN(out_size, (size_t)INT32_MAX));
	if (rc != 0) {
		return d0_wfail(&c, rc, "header");
	}
	rc = fdt_finish_reservemap(out);
	if (rc != 0) {
		return d0_wfail(&c, rc, "reserve map");
	}
	rc = d0_begin(&c, "");
	if (rc == 0) {
		rc = d0_copy_props(&c, 0, D0_COPY);
	}
	if (rc == 0 && c.gic_phandle_new) {
		rc = d0_prop_u32(&c, "interrupt-parent", c.gic_phandle);
	}
	if (rc != 0) {
		return rc;
	}
	fdt_for_each_subnode (child, host_fdt, 0) {
		rc = d0_emit_node(&c, child, &root);
		if (rc != 0) {
			return rc;
		}
	}
	if (child != -FDT_ERR_NOTFOUND) {
		return d0_fail(&c, -HV_EINVAL, "/: bad subnode list: %s", fdt_strerror(child));
	}
	if (!c.saw_chosen) {
		rc = d0_begin(&c, "chosen");
		if (rc == 0) {
			rc = d0_chosen_props(&c);
		}
		if (rc == 0) {
			rc = d0_end(&c);
		}
	}
	if (rc == 0) {
		rc = d0_emit_hypervisor(&c, &root);
	}
	if (rc == 0) {
		rc = d0_emit_psci(&c);
	}
	if (rc == 0) {
		rc = d0_emit_cpus(&c);
	}
	if (rc == 0) {
		rc = d0_emit_memory(&c, &root);
	}
	if (rc == 0) {
		rc = d0_end(&c);
	}
	if (rc != 0) {
		return rc;
	}
	rc = fdt_finish(out);
	return rc != 0 ? d0_wfail(&c, rc, "end of tree") : 0;
}

/* ------------------------------------------------------------------ passthrough */

/** Adds [addr, addr + size) to pt, page-aligned outward, merged with what it touches. */
static int d0_add_mmio(struct d0_ctx *c, struct dom0_passthrough *pt, int node, u64 addr, u64 size)
{
	u64 start, end;
	unsigned int i = 0, j;

	if (size == 0) {
		return 0;
	}
	if (addr + size < addr || addr + size > ~0ULL - PAGE_SIZE + 1) {
		return d0_fail(c, -HV_EINVAL, "%s: region 0x%llx size 0x%llx wraps around",
			       d0_path(c, node), (unsigned long long)addr,
			       (unsigned long long)size);
	}
	start = ROUND_DOWN(addr, PAGE_SIZE);
	end = ROUND_UP(addr + size, PAGE_SIZE);
	while (i < pt->nr_mmio && pt->mmio[i].end < start) {
		i++;
	}
	for (j = i; j < pt->nr_mmio && pt->mmio[j].start <= end; j++) {
		start = MIN(start, pt->mmio[j].start);
		end = MAX(end, pt->mmio[j].end);
	}
	if (i == j) {
		if (pt->nr_mmio >= DOM0_MAX_MMIO) {
			return d0_fail(c, -HV_ENOSPC, "%s: more than %u MMIO ranges",
				       d0_path(c, node), DOM0_MAX_MMIO);
		}
		memmove(&pt->mmio[i + 1], &pt->mmio[i], (pt->nr_mmio - i) * sizeof(pt->mmio[0]));
		pt->nr_mmio++;
	} else if (j > i + 1) {
		memmove(&pt->mmio[i + 1], &pt->mmio[j], (pt->nr_mmio - j) * sizeof(pt->mmio[0]));
		pt->nr_mmio -= j - i - 1;
	}
	pt->mmio[i].start = start;
	pt->mmio[i].end = end;
	return 0;
}

/**
 * Translates bus address *addr (in the child address space of bus) to a CPU physical
 * address through the "ranges" of bus and its ancestors. *mapped = false if some level has
 * no "ranges" or no window covers the address (not memory-mapped: not an error).
 */
static int d0_translate(struct d0_ctx *c, const struct d0_level *bus, u64 *addr, bool *mapped)
{
	*mapped = false;
	for (const struct d0_level *l = bus; l->up != NULL; l = l->up) {
		int len;
		const void *r = fdt_getprop(c->fdt, l->node, "ranges", &len);
		u32 cac = l->ac, pac = l->up->ac, sc = l->sc, entry = cac + pac + sc;
		bool found = false;

		if (r == NULL) {
			return 0;
		}
		if (len == 0) {
			continue;
		}
		if (entry == 0 || len < 0 || (size_t)len % (4 * (size_t)entry) != 0) {
			return d0_fail(c, -HV_EINVAL, "%s: 'ranges' has a partial entry",
				       d0_path(c, l->node));
		}
		for (size_t i = 0; !found && i < (size_t)len / (4 * entry); i++) {
			unsigned int e = (unsigned int)(i * entry);
			u64 cbase = d0_number(r, e, cac), pbase = d0_number(r, e + cac, pac);
			u64 wsize = d0_number(r, e + cac + pac, sc);

			if (*addr >= cbase && *addr - cbase < wsize) {
				*addr = pbase + (*addr - cbase);
				found = true;
			}
		}
		if (!found) {
			return 0;
		}
	}
	*mapped = true;
	return 0;
}

/** Adds node's "reg" regions (parent is its bus) to pt, translated to CPU addresses. */
static int d0_collect_reg(struct d0_ctx *c, int node, const struct d0_level *parent,
			  struct dom0_passthrough *pt)
{
	u32 ac = parent->ac, sc = parent->sc, entry = ac + sc;
	int len, rc;
	const void *v = fdt_getprop(c->fdt, node, "reg", &len);

	/* #size-cells 0 (I2C, SPI, CPUs) and PCI configuration addresses are not MMIO. */
	if (v == NULL || sc == 0 || parent->is_pci) {
		return 0;
	}
	for (size_t i = 0; i < (size_t)len / (4 * entry); i++) {
		u64 addr = d0_number(v, (unsigned int)(i * entry), ac);
		u64 size = d0_number(v, (unsigned int)(i * entry + ac), sc);
		bool mapped;

		rc = d0_translate(c, parent, &addr, &mapped);
		if (rc == 0 && mapped) {
			rc = d0_add_mmio(c, pt, node, addr, size);
		}
		if (rc != 0) {
			return rc;
		}
	}
	return 0;
}

/**
 * Adds the windows of a PCI host bridge's "ranges" (I/O, 32- and 64-bit memory; the BARs
 * Dom0 assigns live there) to pt, translated through the bridge's own bus.
 */
static int d0_collect_pci_windows(struct d0_ctx *c, const struct d0_level *bridge,
				  struct dom0_passthrough *pt)
{
	u32 cac = bridge->ac, pac = bridge->up->ac, sc = bridge->sc, entry = cac + pac + sc;
	int len, rc;
	const void *r = fdt_getprop(c->fdt, bridge->node, "ranges", &len);

	if (r == NULL || len == 0) {
		return 0;
	}
	for (size_t i = 0; i < (size_t)len / (4 * entry); i++) {
		unsigned int e = (unsigned int)(i * entry);
		u64 addr = d0_number(r, e + cac, pac), size = d0_number(r, e + cac + pac, sc);
		bool mapped;

		rc = d0_translate(c, bridge->up, &addr, &mapped);
		if (rc == 0 && mapped) {
			rc = d0_add_mmio(c, pt, bridge->node, addr, size);
		}
		if (rc != 0) {
			return rc;
		}
	}
	return 0;
}

/** True unless node has a "status" other than "okay"/"ok". */
static bool d0_is_enabled(const void *fdt, int node)
{
	int len;
	const char *s = fdt_getprop(fdt, node, "status", &len);

	return s == NULL || d0_prop_is(fdt, node, "status", "okay") ||
	       d0_prop_is(fdt, node, "status", "ok");
}

/** Collects node's and its subtree's MMIO and SPIs into pt. */
static int d0_collect_node(struct d0_ctx *c, int node, const struct d0_level *parent,
			   struct dom0_passthrough *pt)
{
	struct d0_irqs irqs = { .pt = pt };
	struct d0_level lvl;
	enum d0_action act;
	int child, rc;
	const char *name;

	rc = d0_classify(c, node, parent, &act);
	if (rc != 0 || act != D0_COPY) {
		return rc;
	}
	name = fdt_get_name(c->fdt, node, NULL);
	/* Reserved memory is RAM, not MMIO; a disabled bus disables what is on it. */
	if ((parent->depth == 0 && name != NULL && strcmp(name, "reserved-memory") == 0) ||
	    !d0_is_enabled(c->fdt, node)) {
		return 0;
	}
	rc = d0_level_init(c, node, parent, &lvl);
	if (rc == 0) {
		rc = d0_collect_reg(c, node, parent, pt);
	}
	if (rc == 0 && lvl.is_pci && !parent->is_pci) {
		rc = d0_collect_pci_windows(c, &lvl, pt);
	}
	if (rc == 0) {
		rc = d0_scan_irqs(c, node, parent, &irqs);
	}
	if (rc != 0) {
		return rc;
	}
	fdt_for_each_subnode (child, c->fdt, node) {
		rc = d0_collect_node(c, child, &lvl, pt);
		if (rc != 0) {
			return rc;
		}
	}
	if (child != -FDT_ERR_NOTFOUND) {
		return d0_fail(c, -HV_EINVAL, "%s: bad subnode list: %s", d0_path(c, node),
			       fdt_strerror(child));
	}
	return 0;
}

/** See hv/include/hv/dom0_dt.h. */
int dom0_collect_passthrough(const void *host_fdt, int hv_uart_node, struct dom0_passthrough *out,
			     char *err, size_t errlen)
{
	struct d0_ctx c;
	struct d0_level root;
	int rc, child;

	if (out == NULL) {
		return -HV_EINVAL;
	}
	out->nr_mmio = 0;
	out->nr_spis = 0;
	rc = d0_init(&c, host_fdt, hv_uart_node, err, errlen);
	if (rc == 0) {
		rc = d0_level_init(&c, 0, NULL, &root);
	}
	if (rc != 0) {
		return rc;
	}
	fdt_for_each_subnode (child, host_fdt, 0) {
		rc = d0_collect_node(&c, child, &root, out);
		if (rc != 0) {
			break;
		}
	}
	if (rc == 0 && child != -FDT_ERR_NOTFOUND) {
		rc = d0_fail(&c, -HV_EINVAL, "/: bad subnode list: %s", fdt_strerror(child));
	}
	if (rc != 0) {
		out->nr_mmio = 0;
		out->nr_spis = 0;
	}
	return rc;
}

/* ------------------------------------------------------------------ event-channel PPI */

/** Marks the PPIs node and its subtree use; malformed nodes are skipped, not fatal. */
static void d0_mark_ppis(struct d0_ctx *c, int node, const struct d0_level *parent, u32 *mask)
{
	struct d0_irqs irqs = { 0 };
	struct d0_level lvl;
	int child;

	if (d0_scan_irqs(c, node, parent, &irqs) == 0) {
		*mask |= irqs.ppi_mask;
	}
	if (d0_level_init(c, node, parent, &lvl) != 0) {
		return;
	}
	fdt_for_each_subnode (child, c->fdt, node) {
		d0_mark_ppis(c, child, &lvl, mask);
	}
}

/** See hv/include/hv/dom0_dt.h. */
u32 dom0_pick_evtchn_ppi(const void *host_fdt)
{
	struct d0_ctx c;
	struct d0_level root;
	u32 mask = 0;
	int child;

	if (d0_init(&c, host_fdt, -1, NULL, 0) != 0 || d0_level_init(&c, 0, NULL, &root) != 0) {
		return 0;
	}
	fdt_for_each_subnode (child, host_fdt, 0) {
		d0_mark_ppis(&c, child, &root, &mask);
	}
	for (u32 n = 0; n < GIC_NR_PPI; n++) {
		if ((mask & (1u << n)) == 0) {
			return GIC_PPI_BASE + n;
		}
	}
	return 0;
}
