/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Dom0's device tree, derived from the host's the way Xen derives it (Xen's
 * xen/arch/arm/domain_build.c: handle_node(), write_properties()); docs/dom0.md lists what Dom0 gets.
 *
 * This is the walk: the host tree is walked recursively with libfdt and each node classified
 * once (d0_classify): dropped with its subtree, written by the architecture (Arm: the GIC
 * and the timer, hv/arch/arm64/dom0_dt.c), edited (/chosen, /aliases, /__symbols__) or
 * copied. The output is written with libfdt's sequential-write API, so nodes keep the host
 * order and the added nodes (/hypervisor, the arch's, /memory) come last in the root. The
 * same classification drives the passthrough collection (dom0_passthrough.c), so Dom0 is
 * given exactly the devices its tree describes.
 *
 * The host tree is untrusted: dt_check_blob() validates the structure first, then the
 * checked reader (hv/dt_reader.h) length-checks every property used and reads every cell
 * byte-wise inside its property; every loop is bounded (depth, interrupt-parent chains) and
 * every address sum is checked for overflow. Errors name the node and property.
 */
#include <libfdt.h>

#include <hv/dom0_dt_walk.h>
#include <hv/errno.h>
#include <hv/lib.h>

/* Bounds on the cell counts we accept. */
#define D0_MAX_ACELLS 4
#define D0_MAX_SCELLS 2

/** See hv/dom0_dt_walk.h. */
int d0_level_init(struct d0_ctx *c, int node, const struct d0_level *up, struct d0_level *lvl)
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
		return dt_fail(&c->r, -HV_EINVAL, "%s: nested deeper than %u levels",
			       dt_path(&c->r, node), DOM0_DT_MAX_DEPTH);
	}
	rc = dt_get_u32(&c->r, node, "#address-cells", D0_MAX_ACELLS, &lvl->ac);
	if (rc == 0) {
		rc = dt_get_u32(&c->r, node, "#size-cells", D0_MAX_SCELLS, &lvl->sc);
	}
	if (rc != 0) {
		return rc;
	}
	lvl->is_pci = dt_prop_is(c->r.fdt, node, "device_type", "pci");

	r = fdt_getprop(c->r.fdt, node, "ranges", &len);
	if (r != NULL && len != 0 && up != NULL) {
		size_t entry = 4 * ((size_t)lvl->ac + up->ac + lvl->sc);

		if (entry == 0 || (size_t)len % entry != 0) {
			return dt_fail(
				&c->r, -HV_EINVAL,
				"%s: 'ranges' is %d bytes, not a multiple of %zu "
				"(#address-cells %u, parent #address-cells %u, #size-cells %u)",
				dt_path(&c->r, node), len, entry, lvl->ac, up->ac, lvl->sc);
		}
	}
	return 0;
}

/** Checks that node's "reg" is whole (#address-cells + #size-cells) entries of its parent. */
static int d0_check_reg(struct d0_ctx *c, int node, const struct d0_level *parent)
{
	int len;
	size_t entry = 4 * ((size_t)parent->ac + parent->sc);

	if (fdt_getprop(c->r.fdt, node, "reg", &len) == NULL) {
		return 0;
	}
	if (entry == 0 || (size_t)len % entry != 0) {
		return dt_fail(&c->r, -HV_EINVAL,
			       "%s: 'reg' is %d bytes, not a multiple of %zu "
			       "(parent #address-cells %u, #size-cells %u)",
			       dt_path(&c->r, node), len, entry, parent->ac, parent->sc);
	}
	return 0;
}

/**
 * True if node is a Xen-binding node Dom0 never sees (docs/dom0.md, "The tree");
 * the architecture drops its own (arch_dom0_dt_drops()).
 */
static bool d0_compat_dropped(const void *fdt, int node)
{
	static const char *const dropped[] = {
		"xen,domain", "xen,domain-shared-memory-v1", "xen,evtchn-v1",
		"xen,xen",    "xen,multiboot-module",	     "multiboot,module",
	};

	return dt_is_compatible_any(fdt, node, dropped, ARRAY_SIZE(dropped));
}

/**
 * See hv/dom0_dt_walk.h: validates what the decision depends on, "reg" length and the
 * interrupts (a node with a per-CPU interrupt is dropped).
 */
int d0_classify(struct d0_ctx *c, int node, const struct d0_level *parent, enum d0_action *act)
{
	struct d0_irqs irqs = { 0 };
	int len, rc;
	const char *name = fdt_get_name(c->r.fdt, node, &len);

	*act = D0_DROP;
	if (name == NULL) {
		return dt_fail(&c->r, -HV_EINVAL, "node at offset %d has no name", node);
	}
	if (node == c->hv_uart) {
		return 0;
	}
	for (unsigned int i = 0; i < D0_MAX_ARCH_NODES; i++) {
		if (node == c->arch_nodes[i]) {
			*act = D0_ARCH;
			return 0;
		}
	}
	if (parent->depth == 0) {
		/* Replaced by ours (the host's /hypervisor, if any, would clash). */
		if (strcmp(name, "cpus") == 0 || strcmp(name, "hypervisor") == 0) {
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
	if (dt_prop_is(c->r.fdt, node, "device_type", "memory") ||
	    d0_compat_dropped(c->r.fdt, node) || arch_dom0_dt_drops(c, node, parent)) {
		return 0;
	}
	if (parent->depth == 1 && parent->node == c->chosen) {
		/* Boot modules and dom0less domains of any flavour. */
		const char *s = fdt_getprop(c->r.fdt, node, "compatible", &len);

		if (dt_strlist_has_prefix(s, len, "multiboot,") ||
		    dt_strlist_has_prefix(s, len, "xen,")) {
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
	/* A per-CPU interrupt cannot be routed to a guest (docs/dom0.md, "The tree"). */
	*act = irqs.has_private ? D0_DROP : D0_COPY;
	return 0;
}

/**
 * Sets *dropped if node (any node of the host tree) or one of its ancestors is left out of
 * Dom0's tree. Used for properties that refer to other nodes (aliases, msi-parent).
 */
static int d0_is_dropped(struct d0_ctx *c, int node, bool *dropped)
{
	struct d0_level lvls[DOM0_DT_MAX_DEPTH + 1];
	int depth = fdt_node_depth(c->r.fdt, node);
	int rc;

	*dropped = true;
	if (depth < 0 || depth > DOM0_DT_MAX_DEPTH) {
		return 0;
	}
	rc = d0_level_init(c, 0, NULL, &lvls[0]);
	for (int d = 1; rc == 0 && d <= depth; d++) {
		enum d0_action act;
		int anc = fdt_supernode_atdepth_offset(c->r.fdt, node, d, NULL);

		if (anc < 0) {
			return 0;
		}
		rc = d0_classify(c, anc, &lvls[d - 1], &act);
		/* The arch's nodes are rewritten without children. */
		if (rc != 0 || act == D0_DROP || (act == D0_ARCH && d < depth)) {
			return rc;
		}
		rc = d0_level_init(c, anc, &lvls[d - 1], &lvls[d]);
	}
	if (rc == 0) {
		*dropped = false;
	}
	return rc;
}

/** See hv/dom0_dt_walk.h. */
int d0_init(struct d0_ctx *c, const void *fdt, int hv_uart, char *err, size_t errlen)
{
	int rc;

	memset(c, 0, sizeof(*c));
	dt_reader_init(&c->r, fdt, err, errlen);
	c->hv_uart = -1;
	c->intc = -1;
	for (unsigned int i = 0; i < D0_MAX_ARCH_NODES; i++) {
		c->arch_nodes[i] = -1;
	}
	if (fdt == NULL) {
		return dt_fail(&c->r, -HV_EINVAL, "no host device tree");
	}
	rc = fdt_check_header(fdt);
	if (rc != 0) {
		return dt_fail(&c->r, -HV_EINVAL, "host device tree: bad header: %s",
			       fdt_strerror(rc));
	}
	if (fdt_totalsize(fdt) > DOM0_DT_HOST_MAX) {
		return dt_fail(&c->r, -HV_EINVAL, "host device tree: %u bytes exceeds %u",
			       fdt_totalsize(fdt), DOM0_DT_HOST_MAX);
	}
	/* The reader's whole check: fdt_check_full() and what it misses (reader.c). */
	rc = dt_check_blob(&c->r, fdt_totalsize(fdt));
	if (rc != 0) {
		return -HV_EINVAL;
	}

	if (hv_uart >= 0) {
		if (hv_uart == 0 || fdt_get_name(fdt, hv_uart, NULL) == NULL) {
			return dt_fail(&c->r, -HV_EINVAL, "hv_uart_node %d is not a device node",
				       hv_uart);
		}
		c->hv_uart = hv_uart;
	}

	rc = arch_dom0_dt_init(c);
	if (rc != 0) {
		return rc;
	}
	c->intc_phandle = fdt_get_phandle(fdt, c->intc);
	c->chosen = fdt_path_offset(fdt, "/chosen");
	return 0;
}

/* ------------------------------------------------------------------ output helpers */

/** See hv/dom0_dt_walk.h. */
int d0_wfail(struct d0_ctx *c, int fdt_rc, const char *what)
{
	if (fdt_rc == -FDT_ERR_NOSPACE) {
		return dt_fail(&c->r, -HV_ENOSPC, "output buffer of %zu bytes is too small (at %s)",
			       c->out_size, what);
	}
	return dt_fail(&c->r, -HV_EINVAL, "writing %s: %s", what, fdt_strerror(fdt_rc));
}

/** See hv/dom0_dt_walk.h. */
int d0_begin(struct d0_ctx *c, const char *name)
{
	int rc = fdt_begin_node(c->out, name);

	return rc != 0 ? d0_wfail(c, rc, name) : 0;
}

/** See hv/dom0_dt_walk.h. */
int d0_end(struct d0_ctx *c)
{
	int rc = fdt_end_node(c->out);

	return rc != 0 ? d0_wfail(c, rc, "end of node") : 0;
}

/** See hv/dom0_dt_walk.h. */
int d0_prop(struct d0_ctx *c, const char *name, const void *val, int len)
{
	int rc = fdt_property(c->out, name, val, len);

	return rc != 0 ? d0_wfail(c, rc, name) : 0;
}

/** See hv/dom0_dt_walk.h. */
int d0_prop_u32(struct d0_ctx *c, const char *name, u32 v)
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

/** See hv/dom0_dt_walk.h. */
int d0_prop_str(struct d0_ctx *c, const char *name, const char *s)
{
	return d0_prop(c, name, s, (int)strlen(s) + 1);
}

/** See hv/dom0_dt_walk.h. */
void d0_put(u8 *buf, unsigned int idx, u32 n, u64 v)
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

/* ------------------------------------------------------------------ node writers */

/** True if a property name starts with prefix. */
static bool d0_has_prefix(const char *name, const char *prefix)
{
	return strncmp(name, prefix, strlen(prefix)) == 0;
}

/**
 * Sets *skip for a property Dom0 must not see on a copied node: "xen,passthrough", and
 * "msi-parent"/"msi-map" that point at an MSI controller Dom0 does not get (e.g. an interrupt controller's ITS).
 */
static int d0_skip_prop(struct d0_ctx *c, const char *name, const void *val, int len, bool *skip)
{
	bool dropped;
	int rc;

	*skip = strcmp(name, "xen,passthrough") == 0;
	if (strcmp(name, "msi-parent") == 0 && len >= 4) {
		int ctl = dt_node_by_phandle(&c->r, dt_cell(val, 0));

		if (ctl >= 0) {
			rc = d0_is_dropped(c, ctl, &dropped);
			*skip = rc == 0 && dropped;
			return rc;
		}
	}
	if (strcmp(name, "msi-map") == 0) {
		/* <rid-base msi-controller msi-base length> per entry (pci-msi.txt binding). */
		for (int i = 1; 4 * i + 4 <= len; i += 4) {
			int ctl = dt_node_by_phandle(&c->r, dt_cell(val, (unsigned int)i));

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
	target = fdt_path_offset_namelen(c->r.fdt, val, (int)l);
	if (target < 0) {
		return 0;
	}
	return d0_is_dropped(c, target, skip);
}

/** Copies node's properties, filtered for its kind. */
static int d0_copy_props(struct d0_ctx *c, int node, enum d0_action act)
{
	int prop, rc;

	fdt_for_each_property_offset (prop, c->r.fdt, node) {
		const char *name;
		int len;
		const void *val = fdt_getprop_by_offset(c->r.fdt, prop, &name, &len);
		bool skip;

		if (val == NULL || name == NULL) {
			return dt_fail(&c->r, -HV_EINVAL, "%s: unreadable property",
				       dt_path(&c->r, node));
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
		if (node == 0 && c->intc_phandle_new && strcmp(name, "interrupt-parent") == 0) {
			skip = true; /* rewritten to the controller's new phandle */
		}
		if (!skip) {
			rc = d0_prop(c, name, val, len);
			if (rc != 0) {
				return rc;
			}
		}
	}
	if (prop != -FDT_ERR_NOTFOUND) {
		return dt_fail(&c->r, -HV_EINVAL, "%s: bad property list: %s", dt_path(&c->r, node),
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
	if (act == D0_ARCH) {
		return arch_dom0_dt_emit_node(c, node, parent);
	}
	rc = d0_level_init(c, node, parent, &lvl);
	if (rc == 0) {
		rc = d0_begin(c, fdt_get_name(c->r.fdt, node, NULL));
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
	fdt_for_each_subnode (child, c->r.fdt, node) {
		rc = d0_emit_node(c, child, &lvl);
		if (rc != 0) {
			return rc;
		}
	}
	if (child != -FDT_ERR_NOTFOUND) {
		return dt_fail(&c->r, -HV_EINVAL, "%s: bad subnode list: %s", dt_path(&c->r, node),
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
			return dt_fail(&c->r, -HV_EINVAL,
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

/** Writes /hypervisor (Xen's docs/misc/arm/device-tree/guest.txt). */
static int d0_emit_hypervisor(struct d0_ctx *c, const struct d0_level *root)
{
	static const char compat[] = DOM0_DT_XEN_COMPAT "\0xen,xen";
	int rc = d0_begin(c, "hypervisor");

	if (rc == 0) {
		rc = d0_prop(c, "compatible", compat, sizeof(compat));
	}
	if (rc == 0) {
		rc = d0_prop_ranges(c, root, "hypervisor", c->p->gnttab_base, c->p->gnttab_size,
				    c->p->ext_regions, c->p->nr_ext);
	}
	if (rc == 0) {
		rc = arch_dom0_dt_evtchn_irq(c);
	}
	if (rc == 0) {
		rc = d0_prop_u32(c, "interrupt-parent", c->intc_phandle);
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
		return dt_fail(&c->r, -HV_EINVAL, "no parameters");
	}
	if (p->mem == NULL || p->nr_mem == 0 || p->nr_mem > DOM0_MAX_MEM_BANKS) {
		return dt_fail(&c->r, -HV_EINVAL, "need 1..%u memory banks, got %u",
			       DOM0_MAX_MEM_BANKS, p->nr_mem);
	}
	if (p->nr_ext > DOM0_MAX_EXT_REGIONS || (p->nr_ext != 0 && p->ext_regions == NULL)) {
		return dt_fail(&c->r, -HV_EINVAL, "at most %u extended regions, got %u",
			       DOM0_MAX_EXT_REGIONS, p->nr_ext);
	}
	if (p->nr_vcpus == 0 || p->nr_vcpus > DOM0_MAX_VCPUS) {
		return dt_fail(&c->r, -HV_EINVAL, "need 1..%u vCPUs, got %u", DOM0_MAX_VCPUS,
			       p->nr_vcpus);
	}
	if (p->gnttab_size == 0 || p->gnttab_base + p->gnttab_size < p->gnttab_base) {
		return dt_fail(&c->r, -HV_EINVAL, "bad grant-table region");
	}
	if (p->initrd_size != 0 && p->initrd_start + p->initrd_size < p->initrd_start) {
		return dt_fail(&c->r, -HV_EINVAL, "initrd wraps around");
	}
	return arch_dom0_dt_check_params(c, p);
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
		return dt_fail(&c.r, -HV_EINVAL, "output buffer missing or not 8-byte aligned");
	}
	if ((const char *)out < (const char *)host_fdt + fdt_totalsize(host_fdt) &&
	    (const char *)host_fdt < (const char *)out + out_size) {
		return dt_fail(&c.r, -HV_EINVAL, "output buffer overlaps the host device tree");
	}
	if (c.intc_phandle == 0) {
		/* Nothing could point at the controller: give it a phandle, make it the root's parent. */
		rc = fdt_find_max_phandle(host_fdt, &max_ph);
		if (rc != 0 || max_ph >= FDT_MAX_PHANDLE) {
			return dt_fail(&c.r, -HV_EINVAL,
				       "no free phandle for the interrupt controller");
		}
		c.intc_phandle = max_ph + 1;
		c.intc_phandle_new = true;
	}
	rc = d0_level_init(&c, 0, NULL, &root);
	if (rc != 0) {
		return rc;
	}
	if (root.ac < 1 || root.ac > 2 || root.sc < 1 || root.sc > 2) {
		return dt_fail(&c.r, -HV_EINVAL, "root cells %u/%u unsupported (need 1 or 2)",
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
	if (rc == 0 && c.intc_phandle_new) {
		rc = d0_prop_u32(&c, "interrupt-parent", c.intc_phandle);
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
		return dt_fail(&c.r, -HV_EINVAL, "/: bad subnode list: %s", fdt_strerror(child));
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
		rc = arch_dom0_dt_emit_root(&c);
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
