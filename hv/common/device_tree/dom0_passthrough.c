/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Dom0's passthrough list: the MMIO ranges (translated through bus "ranges", PCI host-bridge
 * windows included) and shared interrupts of every host node Dom0 keeps, so Dom0 is given
 * exactly the devices its tree describes (the walk's d0_classify() decides which). Also the
 * interrupt scan the walk uses to drop nodes with per-CPU interrupts. Interrupt specifiers
 * of the primary controller are decoded by the arch (arch_dom0_dt_irq()); everything else
 * here is architecture-neutral (DT spec 2.3.8 "ranges", 2.4 interrupts, Linux's
 * of_irq_find_parent()); docs/dom0.md.
 */
#include <libfdt.h>

#include <hv/dom0_dt_walk.h>
#include <hv/errno.h>
#include <hv/lib.h>

/* Bounds on interrupt-parent chains and specifier sizes we accept. */
#define D0_MAX_IRQ_HOPS 64
#define D0_MAX_ICELLS 4
#define D0_MAX_ACELLS 4

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
		const void *v = fdt_getprop(c->r.fdt, cur, "interrupt-parent", &len);

		if (v != NULL) {
			if (len != 4) {
				return dt_fail(&c->r, -HV_EINVAL,
					       "%s: 'interrupt-parent' is %d bytes",
					       dt_path(&c->r, cur), len);
			}
			next = dt_node_by_phandle(&c->r, dt_cell(v, 0));
			on_chain = false;
		} else if (on_chain) {
			next = chain != NULL ? chain->node : -1;
			chain = chain != NULL ? chain->up : NULL;
		} else {
			next = fdt_parent_offset(c->r.fdt, cur);
		}
		if (next < 0) {
			return 0;
		}
		if (fdt_getprop(c->r.fdt, next, "#interrupt-cells", NULL) != NULL) {
			*ip = next;
			return 0;
		}
		cur = next;
	}
	return dt_fail(&c->r, -HV_EINVAL, "%s: interrupt-parent chain longer than %u hops",
		       dt_path(&c->r, node), D0_MAX_IRQ_HOPS);
}

/** Reads the #interrupt-cells of interrupt controller ctl (1..D0_MAX_ICELLS) into *n. */
int d0_icells(struct d0_ctx *c, int ctl, u32 *n)
{
	int rc;

	*n = 0;
	rc = dt_get_u32(&c->r, ctl, "#interrupt-cells", D0_MAX_ICELLS, n);
	if (rc == 0 && *n == 0) {
		rc = dt_fail(&c->r, -HV_EINVAL, "%s: '#interrupt-cells' missing or 0",
			     dt_path(&c->r, ctl));
	}
	return rc;
}

/** See hv/dom0_dt_walk.h. */
int d0_add_irq(struct d0_ctx *c, struct dom0_passthrough *pt, u32 irq)
{
	unsigned int i = 0;

	while (i < pt->nr_irqs && pt->irqs[i] < irq) {
		i++;
	}
	if (i < pt->nr_irqs && pt->irqs[i] == irq) {
		return 0;
	}
	if (pt->nr_irqs >= DOM0_MAX_IRQS) {
		return dt_fail(&c->r, -HV_ENOSPC, "more than %u shared interrupts", DOM0_MAX_IRQS);
	}
	memmove(&pt->irqs[i + 1], &pt->irqs[i], (pt->nr_irqs - i) * sizeof(pt->irqs[0]));
	pt->irqs[i] = irq;
	pt->nr_irqs++;
	return 0;
}

/**
 * Scans "interrupt-map" of node (a nexus such as a PCI host bridge) for the entries whose
 * parent is the primary interrupt controller. Layout per entry (DT spec 2.4.3.1): child unit address
 * (node's #address-cells, default 2), child specifier (node's #interrupt-cells), parent
 * phandle, parent unit address (parent's #address-cells, default 0), parent specifier.
 */
static int d0_scan_imap(struct d0_ctx *c, int node, struct d0_irqs *acc)
{
	int len, rc;
	const void *map = fdt_getprop(c->r.fdt, node, "interrupt-map", &len);
	u32 child_ac = 2, child_ic = 0;
	size_t ncells, pos = 0;

	if (map == NULL) {
		return 0;
	}
	rc = dt_get_u32(&c->r, node, "#address-cells", D0_MAX_ACELLS, &child_ac);
	if (rc == 0) {
		rc = d0_icells(c, node, &child_ic);
	}
	if (rc != 0) {
		return rc;
	}
	if (len % 4 != 0) {
		return dt_fail(&c->r, -HV_EINVAL, "%s: 'interrupt-map' is %d bytes",
			       dt_path(&c->r, node), len);
	}
	ncells = (size_t)len / 4;
	while (pos < ncells) {
		u32 par_ac = 0, par_ic;
		int par;

		pos += child_ac + child_ic;
		if (pos >= ncells) {
			break;
		}
		par = dt_node_by_phandle(&c->r, dt_cell(map, (unsigned int)pos));
		pos++;
		if (par < 0) {
			return dt_fail(&c->r, -HV_EINVAL,
				       "%s: 'interrupt-map' names an unknown phandle",
				       dt_path(&c->r, node));
		}
		rc = dt_get_u32(&c->r, par, "#address-cells", D0_MAX_ACELLS, &par_ac);
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
		if (par == c->intc) {
			rc = arch_dom0_dt_irq(c, node, "interrupt-map", (const u8 *)map + 4 * pos,
					      acc);
			if (rc != 0) {
				return rc;
			}
		}
		pos += par_ic;
	}
	if (pos != ncells) {
		return dt_fail(&c->r, -HV_EINVAL, "%s: 'interrupt-map' ends inside an entry",
			       dt_path(&c->r, node));
	}
	return 0;
}

/** See hv/dom0_dt_walk.h; wrongly sized properties are errors, other controllers' interrupts
 * are only length-checked. */
int d0_scan_irqs(struct d0_ctx *c, int node, const struct d0_level *parent, struct d0_irqs *acc)
{
	int len, rc;
	const void *v = fdt_getprop(c->r.fdt, node, "interrupts", &len);

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
				return dt_fail(&c->r, -HV_EINVAL,
					       "%s: 'interrupts' is %d bytes, not a multiple of %u",
					       dt_path(&c->r, node), len, 4 * ic);
			}
			for (size_t i = 0; ip == c->intc && i < (size_t)len / (4 * ic); i++) {
				rc = arch_dom0_dt_irq(c, node, "interrupts",
						      (const u8 *)v + 4 * ic * i, acc);
				if (rc != 0) {
					return rc;
				}
			}
		}
	}

	v = fdt_getprop(c->r.fdt, node, "interrupts-extended", &len);
	if (v != NULL) {
		size_t ncells = (size_t)len / 4, pos = 0;

		if (len % 4 != 0) {
			return dt_fail(&c->r, -HV_EINVAL, "%s: 'interrupts-extended' is %d bytes",
				       dt_path(&c->r, node), len);
		}
		while (pos < ncells) {
			int ctl = dt_node_by_phandle(&c->r, dt_cell(v, (unsigned int)pos));
			u32 ic;

			if (ctl < 0) {
				return dt_fail(&c->r, -HV_EINVAL,
					       "%s: 'interrupts-extended' names an unknown phandle",
					       dt_path(&c->r, node));
			}
			rc = d0_icells(c, ctl, &ic);
			if (rc != 0) {
				return rc;
			}
			pos++;
			if (pos + ic > ncells) {
				return dt_fail(&c->r, -HV_EINVAL,
					       "%s: 'interrupts-extended' ends inside an entry",
					       dt_path(&c->r, node));
			}
			if (ctl == c->intc) {
				rc = arch_dom0_dt_irq(c, node, "interrupts-extended",
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
		return dt_fail(&c->r, -HV_EINVAL, "%s: region 0x%llx size 0x%llx wraps around",
			       dt_path(&c->r, node), (unsigned long long)addr,
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
			return dt_fail(&c->r, -HV_ENOSPC, "%s: more than %u MMIO ranges",
				       dt_path(&c->r, node), DOM0_MAX_MMIO);
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
		const void *r = fdt_getprop(c->r.fdt, l->node, "ranges", &len);
		u32 cac = l->ac, pac = l->up->ac, sc = l->sc, entry = cac + pac + sc;
		bool found = false;

		if (r == NULL) {
			return 0;
		}
		if (len == 0) {
			continue;
		}
		if (entry == 0 || len < 0 || (size_t)len % (4 * (size_t)entry) != 0) {
			return dt_fail(&c->r, -HV_EINVAL, "%s: 'ranges' has a partial entry",
				       dt_path(&c->r, l->node));
		}
		for (size_t i = 0; !found && i < (size_t)len / (4 * entry); i++) {
			unsigned int e = (unsigned int)(i * entry);
			u64 cbase = dt_number(r, e, cac), pbase = dt_number(r, e + cac, pac);
			u64 wsize = dt_number(r, e + cac + pac, sc);

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
	const void *v = fdt_getprop(c->r.fdt, node, "reg", &len);

	/* #size-cells 0 (I2C, SPI, CPUs) and PCI configuration addresses are not MMIO. */
	if (v == NULL || sc == 0 || parent->is_pci) {
		return 0;
	}
	for (size_t i = 0; i < (size_t)len / (4 * entry); i++) {
		u64 addr = dt_number(v, (unsigned int)(i * entry), ac);
		u64 size = dt_number(v, (unsigned int)(i * entry + ac), sc);
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
	const void *r = fdt_getprop(c->r.fdt, bridge->node, "ranges", &len);

	if (r == NULL || len == 0) {
		return 0;
	}
	for (size_t i = 0; i < (size_t)len / (4 * entry); i++) {
		unsigned int e = (unsigned int)(i * entry);
		u64 addr = dt_number(r, e + cac, pac), size = dt_number(r, e + cac + pac, sc);
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

/** Collects node's and its subtree's MMIO and shared interrupts into pt. */
static int d0_collect_node(struct d0_ctx *c, int node, const struct d0_level *parent,
			   struct dom0_passthrough *pt)
{
	struct d0_irqs irqs = { .pt = pt };
	struct d0_level lvl;
	enum d0_action act;
	int child, rc;
	const char *name;
	bool avail;

	rc = d0_classify(c, node, parent, &act);
	if (rc != 0 || act != D0_COPY) {
		return rc;
	}
	name = fdt_get_name(c->r.fdt, node, NULL);
	/* Reserved memory is RAM, not MMIO; a disabled bus disables what is on it. */
	if (parent->depth == 0 && name != NULL && strcmp(name, "reserved-memory") == 0) {
		return 0;
	}
	rc = dt_is_available(&c->r, node, &avail);
	if (rc != 0 || !avail) {
		return rc;
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
	fdt_for_each_subnode (child, c->r.fdt, node) {
		rc = d0_collect_node(c, child, &lvl, pt);
		if (rc != 0) {
			return rc;
		}
	}
	if (child != -FDT_ERR_NOTFOUND) {
		return dt_fail(&c->r, -HV_EINVAL, "%s: bad subnode list: %s", dt_path(&c->r, node),
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
	out->nr_irqs = 0;
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
		rc = dt_fail(&c.r, -HV_EINVAL, "/: bad subnode list: %s", fdt_strerror(child));
	}
	if (rc != 0) {
		out->nr_mmio = 0;
		out->nr_irqs = 0;
	}
	return rc;
}

/* ------------------------------------------------------------------ private interrupts */

/** Marks the private interrupts node and its subtree use; malformed nodes are skipped. */
static void d0_mark_private(struct d0_ctx *c, int node, const struct d0_level *parent, u32 *mask)
{
	struct d0_irqs irqs = { 0 };
	struct d0_level lvl;
	int child;

	if (d0_scan_irqs(c, node, parent, &irqs) == 0) {
		*mask |= irqs.private_mask;
	}
	if (d0_level_init(c, node, parent, &lvl) != 0) {
		return;
	}
	fdt_for_each_subnode (child, c->r.fdt, node) {
		d0_mark_private(c, child, &lvl, mask);
	}
}

/** See hv/dom0_dt_walk.h; an unusable tree is an error. */
int dom0_dt_private_irqs(const void *host_fdt, u32 *mask)
{
	struct d0_ctx c;
	struct d0_level root;
	int child, rc;

	*mask = 0;
	rc = d0_init(&c, host_fdt, -1, NULL, 0);
	rc = rc ?: d0_level_init(&c, 0, NULL, &root);
	if (rc != 0) {
		return rc;
	}
	fdt_for_each_subnode (child, host_fdt, 0) {
		d0_mark_private(&c, child, &root, mask);
	}
	return 0;
}
