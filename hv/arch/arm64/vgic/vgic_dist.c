/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The emulated GICv3 distributor (GICD, 64 KiB at d->arch.vgic.dist_base; register map in
 * IHI 0069 12.8). Affinity routing is always on and there is one security state
 * (GICD_CTLR.ARE = 1, DS = 1), so the SGI/PPI words of the distributor's registers are
 * RAZ/WI and SPIs are routed with GICD_IROUTER<n>. Only group 1 is delivered.
 *
 * Locking: the state helpers in vgic.c take d->arch.vgic.lock; this file takes no lock.
 * Guest mistakes (wrong access size or alignment) are RAZ/WI and logged once per
 * domain; an access never fails and never aborts the guest.
 */
#include <hv/domain.h>
#include <hv/lib.h>
#include <hv/mmio.h>
#include <asm/vgic.h>

#include "vgic_priv.h"

/* Register offsets (IHI 0069 12.8, distributor register map). */
#define GICD_CTLR 0x0000u
#define GICD_TYPER 0x0004u
#define GICD_IIDR 0x0008u
#define GICD_TYPER2 0x000cu
#define GICD_IPRIORITYR_END 0x0800u
#define GICD_ICFGR_END 0x0d00u
#define GICD_IROUTER 0x6000u /* GICD_IROUTER<n> at 0x6000 + 8n, n = 32..1019 */
#define GICD_IROUTER_END 0x7fe0u

/* GICD_CTLR bits with DS = 1 (IHI 0069 12.9, GICD_CTLR). */
#define GICD_CTLR_ENABLE_GRP1 (1u << 1) /* EnableGrp1 (EnableGrp1A) */
#define GICD_CTLR_ARE (1u << 4)		/* ARE: RAO/WI here */
#define GICD_CTLR_DS (1u << 6)		/* DS: RAO/WI here */

/* GICD_TYPER fields (IHI 0069 12.9, GICD_TYPER). */
#define GICD_TYPER_CPUNUMBER_SHIFT 5
#define GICD_TYPER_IDBITS_SHIFT 19 /* IDbits [23:19]: INTID bits minus one */
#define GICD_TYPER_IDBITS 9	   /* 10-bit INTIDs: no LPIs */
#define GICD_TYPER_A3V (1u << 24)  /* Aff3 supported */
#define GICD_TYPER_NO1N (1u << 25) /* 1 of N SPI routing not supported */

/** GICD_TYPER for d: ITLinesNumber = 32 * (N + 1) INTIDs cover every SPI. */
static u32 vgic_dist_typer(const struct domain *d)
{
	u32 lines = (d->arch.vgic.nr_spis + VGIC_NR_PRIVATE + 31) / 32 - 1;
	u32 cpus = d->nr_vcpus == 0 ? 0 : MIN(d->nr_vcpus, 8u) - 1;

	return (lines & 0x1f) | (cpus << GICD_TYPER_CPUNUMBER_SHIFT) |
	       ((u32)GICD_TYPER_IDBITS << GICD_TYPER_IDBITS_SHIFT) | GICD_TYPER_A3V |
	       GICD_TYPER_NO1N;
}

/**
 * True if an access of 'size' bytes at 'off' is one the architecture allows (IHI 0069
 * 12.1 and the register descriptions in 12.9): GICD_IPRIORITYR byte or word, GICD_IROUTER
 * doubleword or word, everything else word, always naturally aligned.
 */
static bool vgic_dist_access_ok(u64 off, unsigned int size)
{
	if (size == 0 || size > 8 || !IS_POWER_OF_2(size) || !IS_ALIGNED(off, (u64)size)) {
		return false;
	}
	if (off >= VGIC_IPRIORITYR && off < GICD_IPRIORITYR_END) {
		return size == 1 || size == 4;
	}
	if (off >= GICD_IROUTER && off < GICD_IROUTER + 0x2000u) {
		return size == 4 || size == 8;
	}
	return size == 4;
}

/** The value of the register at 'off' (access already validated). */
static u64 vgic_dist_read_reg(struct domain *d, u64 off, unsigned int size)
{
	if (off == GICD_CTLR) {
		return GICD_CTLR_ARE | GICD_CTLR_DS |
		       (d->arch.vgic.enabled_grp1 ? GICD_CTLR_ENABLE_GRP1 : 0);
	}
	if (off == GICD_TYPER) {
		return vgic_dist_typer(d);
	}
	if (off == GICD_IIDR) {
		return VGIC_IIDR;
	}
	if (off == VGIC_PIDR2_OFFSET) {
		return VGIC_PIDR2;
	}
	if (off >= VGIC_BITREG_FIRST && off < VGIC_BITREG_END) {
		enum vgic_bitreg kind =
			(enum vgic_bitreg)((off - VGIC_BITREG_FIRST) / VGIC_BITREG_STRIDE);
		u32 first = (u32)(off % VGIC_BITREG_STRIDE) / 4 * 32;

		/* The SGI/PPI word is RAZ/WI with ARE = 1 (IHI 0069 12.9). */
		return first < VGIC_NR_PRIVATE ? 0 : vgic_bitreg_read(d, NULL, kind, first);
	}
	if (off >= VGIC_IPRIORITYR && off < GICD_IPRIORITYR_END) {
		u32 intid = (u32)(off - VGIC_IPRIORITYR);

		return intid < VGIC_NR_PRIVATE ? 0 : vgic_prio_read(d, NULL, intid, size);
	}
	if (off >= VGIC_ICFGR && off < GICD_ICFGR_END) {
		u32 first = (u32)(off - VGIC_ICFGR) / 4 * 16;

		return first < VGIC_NR_PRIVATE ? 0 : vgic_cfg_read(d, NULL, first);
	}
	if (off >= GICD_IROUTER && off < GICD_IROUTER_END) {
		u32 intid = (u32)(off - GICD_IROUTER) / 8;
		u64 val = vgic_irouter_read(d, intid);

		if (size == 4) {
			val = (off & 4) ? val >> 32 : val & 0xffffffffULL;
		}
		return val;
	}
	/* GICD_TYPER2 (no extended ranges), STATUSR, SETSPI/CLRSPI (no MBIS), IGRPMODR
	 * and NSACR (one security state), ITARGETSR and SGIR (ARE = 1), other ID
	 * registers and reserved space: RAZ/WI. */
	return 0;
}

/** Applies a write of 'val' to the register at 'off' (access already validated). */
static void vgic_dist_write_reg(struct domain *d, u64 off, unsigned int size, u64 val)
{
	if (off == GICD_CTLR) {
		/* EnableGrp0 is RAZ/WI: group 0 is never delivered. */
		vgic_set_grp1_enable(d, (val & GICD_CTLR_ENABLE_GRP1) != 0);
		return;
	}
	if (off >= VGIC_BITREG_FIRST && off < VGIC_BITREG_END) {
		enum vgic_bitreg kind =
			(enum vgic_bitreg)((off - VGIC_BITREG_FIRST) / VGIC_BITREG_STRIDE);
		u32 first = (u32)(off % VGIC_BITREG_STRIDE) / 4 * 32;

		if (first >= VGIC_NR_PRIVATE) {
			vgic_bitreg_write(d, NULL, kind, first, (u32)val);
		}
		return;
	}
	if (off >= VGIC_IPRIORITYR && off < GICD_IPRIORITYR_END) {
		u32 intid = (u32)(off - VGIC_IPRIORITYR);

		if (intid >= VGIC_NR_PRIVATE) {
			vgic_prio_write(d, NULL, intid, size, (u32)val);
		}
		return;
	}
	if (off >= VGIC_ICFGR && off < GICD_ICFGR_END) {
		u32 first = (u32)(off - VGIC_ICFGR) / 4 * 16;

		if (first >= VGIC_NR_PRIVATE) {
			vgic_cfg_write(d, NULL, first, (u32)val);
		}
		return;
	}
	if (off >= GICD_IROUTER && off < GICD_IROUTER_END) {
		u32 intid = (u32)(off - GICD_IROUTER) / 8;

		if (size == 4) {
			u64 old = vgic_irouter_read(d, intid);

			val = (off & 4) ? (old & 0xffffffffULL) | ((val & 0xffffffffULL) << 32)
					: (old & ~0xffffffffULL) | (val & 0xffffffffULL);
		}
		vgic_irouter_write(d, intid, val);
		return;
	}
	/* Everything else is read-only or RAZ/WI (see vgic_dist_read_reg). */
}

/** MMIO read handler of the distributor region; priv is the domain. Never fails. */
static int vgic_dist_read(struct vcpu *v, u64 offset, unsigned int size, u64 *val, void *priv)
{
	struct domain *d = priv;

	(void)v;
	*val = 0;
	if (!vgic_dist_access_ok(offset, size)) {
		vgic_warn_once(d, VGIC_WARN_ACCESS, "bad GICD access (offset, size)", offset, size);
		return 0;
	}
	*val = vgic_dist_read_reg(d, offset, size);
	return 0;
}

/** MMIO write handler of the distributor region; priv is the domain. Never fails. */
static int vgic_dist_write(struct vcpu *v, u64 offset, unsigned int size, u64 val, void *priv)
{
	struct domain *d = priv;

	(void)v;
	if (!vgic_dist_access_ok(offset, size)) {
		vgic_warn_once(d, VGIC_WARN_ACCESS, "bad GICD access (offset, size)", offset, size);
		return 0;
	}
	vgic_dist_write_reg(d, offset, size, val);
	return 0;
}

const struct mmio_ops vgic_dist_mmio_ops = {
	.read = vgic_dist_read,
	.write = vgic_dist_write,
};
