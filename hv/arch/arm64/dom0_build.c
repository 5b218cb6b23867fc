/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Arm's part of building Dom0 (the arch_dom0_ hooks of hv/include/hv/dom0.h; the builder is
 * hv/common/dom0_build.c): the vGIC at the host's GIC addresses with every SPI line and the
 * event-channel PPI, devices mapped 1:1 with their SPIs routed as hardware interrupts, the
 * GIC's frames kept out of the extended regions, and the grant-table window (Xen's
 * xen/arch/arm/domain_build.c).
 */
#include <libfdt.h>

#include <asm/gic.h>
#include <asm/p2m.h>
#include <asm/pt.h>
#include <asm/stage1.h>
#include <hv/arch.h>
#include <hv/dom0.h>
#include <hv/dom0_dt.h>
#include <hv/domain.h>
#include <hv/dt_reader.h>
#include <hv/errno.h>
#include <hv/lib.h>
#include <hv/uart.h>
#include <asm/vgic.h>

#include <arm64_guest.h>

#define DOM0_GNTTAB_FRAMES 64

/** See hv/dom0.h. */
int arch_dom0_configure(const struct boot_info *bi, struct domain_config *cfg, char *err,
			size_t errlen)
{
	cfg->gicd_base = bi->gic.dist_base;
	cfg->gicr_base = bi->gic.redist[0].start;
	cfg->nr_spis = gic_nr_lines() - GIC_SPI_BASE;
	cfg->evtchn_ppi = dom0_pick_evtchn_ppi(bi->fdt);
	if (cfg->evtchn_ppi == 0) {
		hv_snprintf(err, errlen, "no free PPI for the event-channel interrupt");
		return -HV_ENOSPC;
	}
	return 0;
}

/** See hv/dom0.h. */
int arch_dom0_passthrough(struct domain *d, const struct dom0_passthrough *pt, char *err,
			  size_t errlen)
{
	int rc = 0;

	for (unsigned int i = 0; i < pt->nr_mmio && rc == 0; i++) {
		rc = p2m_map(d, pt->mmio[i].start, pt->mmio[i].start,
			     pt->mmio[i].end - pt->mmio[i].start, PT_MEM_DEVICE);
	}
	if (rc != 0) {
		hv_snprintf(err, errlen, "cannot map its devices (%d)", rc);
		return rc;
	}
	/* Its devices' SPIs, same INTIDs, deactivated by Dom0 itself (HW list registers). */
	for (unsigned int i = 0; i < pt->nr_irqs && rc == 0; i++) {
		if (pt->irqs[i] != console_uart_irq) {
			rc = vgic_map_hw_irq(d, pt->irqs[i], pt->irqs[i]);
		}
	}
	if (rc != 0) {
		hv_snprintf(err, errlen, "cannot route its device interrupts (%d)", rc);
	}
	return rc;
}

/* Adds the reg ranges of node and its descendants (the GIC and its ITS), untranslated. */
static unsigned int add_node_regs(struct dt_reader *r, int node, struct mem_range *used,
				  unsigned int n, unsigned int max)
{
	struct dt_reg reg;
	bool present;
	u64 base, size;
	int child;

	if (dt_get_reg(r, node, &reg, &present) == 0) {
		for (int i = 0; present && i < reg.nr && n < max; i++) {
			dt_reg_entry(&reg, i, &base, &size);
			if (size != 0 && base + size > base) {
				used[n++] = (struct mem_range){ base, base + size };
			}
		}
	}
	fdt_for_each_subnode (child, r->fdt, node) {
		n = add_node_regs(r, child, used, n, max);
	}
	return n;
}

/** See hv/dom0.h: the GIC's frames (and its ITS's), and the IPA size. */
unsigned int arch_dom0_reserved_ranges(const struct boot_info *bi, struct mem_range *used,
				       unsigned int n, unsigned int max, u64 *limit)
{
	*limit = 1ULL << p2m_ipa_bits();
	if (n < max) {
		used[n++] = (struct mem_range){ bi->gic.dist_base,
						bi->gic.dist_base + bi->gic.dist_size };
	}
	for (unsigned int i = 0; i < bi->gic.nr_redist && n < max; i++) {
		used[n++] = bi->gic.redist[i];
	}
	if (bi->gic.node >= 0) {
		struct dt_reader r;

		dt_reader_init(&r, bi->fdt, NULL, 0);
		n = add_node_regs(&r, bi->gic.node, used, n, max);
	}
	return n;
}

/** See hv/dom0.h. */
void arch_dom0_dt_params(const struct domain *d, struct dom0_dt_params *dp)
{
	/* The grant-table window sits where Lamina's own image is: never Dom0 RAM. */
	dp->gnttab_base = image_start();
	dp->gnttab_size = MIN((u64)DOM0_GNTTAB_FRAMES * PAGE_SIZE, image_end() - image_start());
	dp->nr_redist_frames = d->nr_vcpus;
}
