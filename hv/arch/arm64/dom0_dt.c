/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Arm's part of Dom0's device tree (the arch_dom0_dt_ hooks of hv/include/hv/dom0_dt_walk.h;
 * the walk is hv/common/device_tree/dom0_dt.c): the primary GICv3 and the architected timer
 * rewritten as Xen writes them (Xen's gicv3_make_hwdom_dt_node(), make_timer_node()), /psci
 * and /cpus for Dom0's vCPUs, the event-channel PPI of /hypervisor, GIC specifier decoding
 * for the walk and the passthrough list, and Xen's choice of that PPI.
 */
#include <libfdt.h>

#include <arm64_guest.h>
#include <hv/dom0_dt_walk.h>
#include <hv/errno.h>
#include <hv/lib.h>

/* Nodes the arch writes itself: c->arch_nodes[] slots. */
#define D0_ARCH_GIC 0
#define D0_ARCH_TIMER 1

/** True if compat names an Arm node Dom0 never sees (docs/dom0.md, "The tree"). */
static bool d0_arm_compat_dropped(const void *fdt, int node)
{
	static const char *const dropped[] = {
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

	return dt_is_compatible_any(fdt, node, dropped, ARRAY_SIZE(dropped));
}

/** See hv/dom0_dt_walk.h: the host's /psci is replaced by ours. */
bool arch_dom0_dt_drops(struct d0_ctx *c, int node, const struct d0_level *parent)
{
	const char *name = fdt_get_name(c->r.fdt, node, NULL);

	if (parent->depth == 0 && name != NULL && strcmp(name, "psci") == 0) {
		return true;
	}
	return d0_arm_compat_dropped(c->r.fdt, node);
}

/**
 * See hv/dom0_dt_walk.h: the primary GIC is the root's interrupt parent if it is a GICv3,
 * else the first GICv3; the timer is the first "arm,armv8-timer" (or armv7).
 */
int arch_dom0_dt_init(struct d0_ctx *c)
{
	const void *fdt = c->r.fdt;
	int rc, len, gic = -1, timer;
	const void *v = fdt_getprop(fdt, 0, "interrupt-parent", &len);

	if (v != NULL && len == 4) {
		int ip = fdt_node_offset_by_phandle(fdt, dt_cell(v, 0));

		if (ip >= 0 && dt_is_compatible(fdt, ip, "arm,gic-v3")) {
			gic = ip;
		}
	}
	if (gic < 0) {
		gic = fdt_node_offset_by_compatible(fdt, -1, "arm,gic-v3");
	}
	if (gic < 0) {
		return dt_fail(&c->r, -HV_ENOENT, "host device tree has no \"arm,gic-v3\" node");
	}
	rc = d0_icells(c, gic, &c->intc_cells);
	if (rc != 0) {
		return rc;
	}
	if (c->intc_cells < GIC_DT_IRQ_CELLS) {
		return dt_fail(&c->r, -HV_EINVAL, "%s: '#interrupt-cells' = %u, need 3 or 4",
			       dt_path(&c->r, gic), c->intc_cells);
	}
	timer = fdt_node_offset_by_compatible(fdt, -1, "arm,armv8-timer");
	if (timer < 0) {
		timer = fdt_node_offset_by_compatible(fdt, -1, "arm,armv7-timer");
	}
	if (timer < 0) {
		return dt_fail(&c->r, -HV_ENOENT,
			       "host device tree has no \"arm,armv8-timer\" node");
	}
	c->intc = gic;
	c->arch_nodes[D0_ARCH_GIC] = gic;
	c->arch_nodes[D0_ARCH_TIMER] = timer;
	return 0;
}

/**
 * See hv/dom0_dt_walk.h: PPIs are noted as private interrupts (bit = PPI number), SPIs are
 * added to acc->pt as INTIDs. Extended SPI/PPI types (GICv3.1) are ignored: Dom0 gets none.
 */
int arch_dom0_dt_irq(struct d0_ctx *c, int node, const char *prop, const void *spec,
		     struct d0_irqs *acc)
{
	u32 type = dt_cell(spec, 0), n = dt_cell(spec, 1);

	if (type == GIC_DT_IRQ_TYPE_PPI) {
		if (n >= GIC_NR_PPI) {
			return dt_fail(&c->r, -HV_EINVAL, "%s: '%s' names PPI %u (max %u)",
				       dt_path(&c->r, node), prop, n, GIC_NR_PPI - 1);
		}
		acc->has_private = true;
		acc->private_mask |= 1u << n;
	} else if (type == GIC_DT_IRQ_TYPE_SPI) {
		if (n >= GIC_NR_SPI) {
			return dt_fail(&c->r, -HV_EINVAL, "%s: '%s' names SPI %u (max %u)",
				       dt_path(&c->r, node), prop, n, GIC_NR_SPI - 1);
		}
		if (acc->pt != NULL) {
			return d0_add_irq(c, acc->pt, GIC_SPI_BASE + n);
		}
	}
	return 0;
}

/** See hv/dom0_dt_walk.h. */
int arch_dom0_dt_check_params(struct d0_ctx *c, const struct dom0_dt_params *p)
{
	if (p->nr_redist_frames < p->nr_vcpus) {
		return dt_fail(&c->r, -HV_EINVAL, "%u redistributor frames for %u vCPUs",
			       p->nr_redist_frames, p->nr_vcpus);
	}
	if (p->evtchn_ppi < GIC_PPI_BASE || p->evtchn_ppi >= GIC_SPI_BASE) {
		return dt_fail(&c->r, -HV_EINVAL, "event-channel INTID %u is not a PPI (16..31)",
			       p->evtchn_ppi);
	}
	return 0;
}

/** Writes a 3-cell GIC specifier list of PPIs with Dom0's flags. */
static int d0_prop_ppis(struct d0_ctx *c, const char *name, const u32 *ppis, unsigned int n)
{
	u8 buf[4 * 3 * 4];

	for (unsigned int i = 0; i < n && i < 4; i++) {
		d0_put(buf, 3 * i, 1, GIC_DT_IRQ_TYPE_PPI);
		d0_put(buf, 3 * i + 1, 1, ppis[i]);
		d0_put(buf, 3 * i + 2, 1, GIC_DT_PPI_FLAGS);
	}
	return d0_prop(c, name, buf, (int)(12 * MIN(n, 4u)));
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
	const void *v = fdt_getprop(c->r.fdt, node, "reg", &len);

	if (ac < 1 || ac > 2 || sc < 1 || sc > 2) {
		return dt_fail(&c->r, -HV_EINVAL, "%s: unsupported parent cells %u/%u",
			       dt_path(&c->r, node), ac, sc);
	}
	if (v == NULL || (size_t)len < 2 * 4 * (size_t)entry) {
		return dt_fail(&c->r, -HV_EINVAL, "%s: 'reg' must hold GICD and a GICR region",
			       dt_path(&c->r, node));
	}
	dist_base = dt_number(v, 0, ac);
	dist_size = dt_number(v, ac, sc);
	rd_base = dt_number(v, entry, ac);
	rd_size = dt_number(v, entry + ac, sc);
	need = (u64)c->p->nr_redist_frames * GICV3_REDIST_SIZE;
	if (need > rd_size) {
		return dt_fail(&c->r, -HV_EINVAL,
			       "%s: %u redistributor frames do not fit the host's first GICR "
			       "region (0x%llx bytes)",
			       dt_path(&c->r, node), c->p->nr_redist_frames,
			       (unsigned long long)rd_size);
	}

	rc = d0_begin(c, fdt_get_name(c->r.fdt, node, NULL));
	for (size_t i = 0; rc == 0 && i < ARRAY_SIZE(kept); i++) {
		const void *kv = fdt_getprop(c->r.fdt, node, kept[i], &len);

		if (kv != NULL) {
			rc = d0_prop(c, kept[i], kv, len);
		}
	}
	if (rc == 0) {
		rc = d0_prop_u32(c, "phandle", c->intc_phandle);
	}
	if (rc == 0) {
		rc = d0_prop_u32(c, "#interrupt-cells", GIC_DT_IRQ_CELLS);
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
	size_t spec = 4 * (size_t)c->intc_cells;
	int len, rc;
	const void *v = fdt_getprop(c->r.fdt, node, "interrupts", &len);
	const void *freq;

	if (v == NULL || len < 0 || (size_t)len < 3 * spec || (size_t)len % spec != 0) {
		return dt_fail(&c->r, -HV_EINVAL,
			       "%s: 'interrupts' must hold at least 3 GIC specifiers (%d bytes)",
			       dt_path(&c->r, node), v == NULL ? 0 : len);
	}
	for (unsigned int i = 0; i < 3; i++) {
		const u8 *s = (const u8 *)v + spec * i;

		if (dt_cell(s, 0) != GIC_DT_IRQ_TYPE_PPI || dt_cell(s, 1) >= GIC_NR_PPI) {
			return dt_fail(&c->r, -HV_EINVAL, "%s: timer interrupt %u is not a PPI",
				       dt_path(&c->r, node), i);
		}
		ppis[i] = dt_cell(s, 1);
	}
	rc = d0_begin(c, "timer");
	if (rc == 0) {
		rc = d0_prop_str(c, "compatible", "arm,armv8-timer");
	}
	if (rc == 0) {
		rc = d0_prop_ppis(c, "interrupts", ppis, 3);
	}
	if (rc == 0) {
		rc = d0_prop_u32(c, "interrupt-parent", c->intc_phandle);
	}
	freq = fdt_getprop(c->r.fdt, node, "clock-frequency", &len);
	if (rc == 0 && freq != NULL) {
		if (len != 4) {
			return dt_fail(&c->r, -HV_EINVAL, "%s: 'clock-frequency' is %d bytes",
				       dt_path(&c->r, node), len);
		}
		rc = d0_prop(c, "clock-frequency", freq, len);
	}
	return rc != 0 ? rc : d0_end(c);
}

/** See hv/dom0_dt_walk.h. */
int arch_dom0_dt_emit_node(struct d0_ctx *c, int node, const struct d0_level *parent)
{
	return node == c->arch_nodes[D0_ARCH_GIC] ? d0_emit_gic(c, node, parent)
						  : d0_emit_timer(c, node);
}

/** See hv/dom0_dt_walk.h: one PPI, level-low, all CPUs. */
int arch_dom0_dt_evtchn_irq(struct d0_ctx *c)
{
	u32 ppi = c->p->evtchn_ppi - GIC_PPI_BASE;

	return d0_prop_ppis(c, "interrupts", &ppi, 1);
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
	int cpus = fdt_path_offset(c->r.fdt, "/cpus"), cpu, rc;

	if (cpus >= 0) {
		fdt_for_each_subnode (cpu, c->r.fdt, cpus) {
			int len;
			const char *s;

			if (!dt_prop_is(c->r.fdt, cpu, "device_type", "cpu")) {
				continue;
			}
			s = fdt_getprop(c->r.fdt, cpu, "compatible", &len);
			if (s != NULL && len > 0 && s[len - 1] == '\0') {
				compat = s;
				compat_len = len;
			}
			freq = fdt_getprop(c->r.fdt, cpu, "clock-frequency", &freq_len);
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
		u32 aff = arm64_vcpu_to_mpidr(n);
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

/** See hv/dom0_dt_walk.h. */
int arch_dom0_dt_emit_root(struct d0_ctx *c)
{
	int rc = d0_emit_psci(c);

	return rc != 0 ? rc : d0_emit_cpus(c);
}

/** See hv/dom0_dt.h: the first PPI INTID from 16 upward no host node uses (Xen's choice). */
u32 dom0_pick_evtchn_ppi(const void *host_fdt)
{
	u32 used;

	if (dom0_dt_private_irqs(host_fdt, &used) != 0) {
		return 0;
	}
	for (u32 n = 0; n < GIC_NR_PPI; n++) {
		if ((used & (1u << n)) == 0) {
			return GIC_PPI_BASE + n;
		}
	}
	return 0;
}
