/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Arm's part of the boot device-tree parser (arch_dt_parse_boot_info() and arch_dt_get_irq()
 * of hv/include/hv/bootinfo.h; the common part is hv/common/device_tree/bootfdt.c): the CPUs'
 * MPIDRs, PSCI, the GICv3 and the generic timer, with the checked reader (hv/dt_reader.h).
 * Bindings: Linux Documentation/devicetree/bindings/arm/{cpus,psci}.yaml,
 * interrupt-controller/arm,gic-v3.yaml, timer/arm,arch_timer.yaml.
 */
#include <libfdt.h>

#include <arm64_guest.h>
#include <hv/arch.h>
#include <hv/bootinfo.h>
#include <hv/dt_reader.h>
#include <hv/errno.h>
#include <hv/lib.h>
#include <hv/log.h>

/* "arm,armv8-timer" interrupts order (timer binding): secure, non-secure, virtual, hyp. */
#define TIMER_NR_IRQS 4

/** See hv/bootinfo.h: GIC specifiers (3 cells: type, number, flags) become INTIDs. */
int arch_dt_get_irq(struct dt_reader *c, int node, int i, u32 *intid)
{
	const void *p;
	int len;
	u32 type, nr, cells;

	*intid = 0;
	p = fdt_getprop(c->fdt, node, "interrupts", &len);
	if (p == NULL || dt_irq_parent(c, node, &cells) < 0 || cells != GIC_DT_IRQ_CELLS) {
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
	type = dt_cell(p, (unsigned int)i * 3);
	nr = dt_cell(p, (unsigned int)i * 3 + 1);
	if (type == GIC_DT_IRQ_TYPE_PPI && nr < GIC_NR_PPI) {
		*intid = GIC_PPI_BASE + nr;
	} else if (type == GIC_DT_IRQ_TYPE_SPI && nr < GIC_NR_SPI) {
		*intid = GIC_SPI_BASE + nr;
	} else {
		return dt_fail(c, -HV_EINVAL,
			       "%s: property 'interrupts' entry %d (type %u, number %u) is not a "
			       "GIC PPI or SPI",
			       dt_path(c, node), i, type, nr);
	}
	return 0;
}

/** Collects the MPIDR affinity of every available /cpus child with device_type = "cpu". */
static int dt_parse_cpus(struct dt_reader *c, struct boot_info *bi)
{
	const char *type;
	const void *p;
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
		if (p == NULL || len != (int)(ac * 4)) {
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
		bi->cpu_mpidr[bi->nr_cpus++] = dt_number(p, 0, ac) & MPIDR_AFF_MASK;
	}
	if (bi->nr_cpus == 0) {
		return dt_fail(c, -HV_ENOENT, "no cpu nodes under /cpus");
	}
	return 0;
}

/** Finds the PSCI firmware node (PSCI 0.2+ binding preferred over 0.1); absence is fine. */
static int dt_parse_psci(struct dt_reader *c, struct boot_info *bi)
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
		bi->psci.cpu_on_id = 0;
		return dt_get_u32(c, node, "cpu_on", ~0u, &bi->psci.cpu_on_id);
	}
	return 0;
}

/**
 * Reads the GICv3 node (arm,gic-v3 binding): reg[0] is the distributor, followed by
 * #redistributor-regions redistributor ranges; the first interrupt is the maintenance PPI.
 * No GICv3 leaves version 0 for the caller to judge.
 */
static int dt_parse_gic(struct dt_reader *c, struct boot_info *bi)
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
	nr_redist = 1;
	rc = dt_get_u32(c, node, "#redistributor-regions", ~0u, &nr_redist);
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
		rc = arch_dt_get_irq(c, node, 0, &gic->maint_irq);
	}
	if (rc != 0) {
		return rc;
	}
	gic->node = node;
	gic->version = 3;
	return 0;
}

/** Reads the generic timer's PPIs (arm,arch_timer binding) and optional clock-frequency. */
static int dt_parse_timer(struct dt_reader *c, struct boot_info *bi)
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
	    len < TIMER_NR_IRQS * GIC_DT_IRQ_CELLS * 4) {
		return dt_fail(c, -HV_EINVAL, "%s: property 'interrupts' has fewer than %d entries",
			       dt_path(c, node), TIMER_NR_IRQS);
	}
	for (int i = 0; i < TIMER_NR_IRQS; i++) {
		rc = arch_dt_get_irq(c, node, i, irqs[i]);
		if (rc != 0) {
			return rc;
		}
	}
	t->clock_frequency = 0;
	rc = dt_get_u32(c, node, "clock-frequency", ~0u, &t->clock_frequency);
	if (rc != 0) {
		return rc;
	}
	t->node = node;
	return 0;
}

/** See hv/bootinfo.h. */
int arch_dt_parse_boot_info(struct dt_reader *r, struct boot_info *bi)
{
	int rc = dt_parse_cpus(r, bi);

	if (rc == 0) {
		rc = dt_parse_psci(r, bi);
	}
	if (rc == 0) {
		rc = dt_parse_gic(r, bi);
	}
	if (rc == 0) {
		rc = dt_parse_timer(r, bi);
	}
	return rc;
}
