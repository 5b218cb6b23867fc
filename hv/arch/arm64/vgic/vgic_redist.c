/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The emulated GICv3 redistributors (GICR; register map in IHI 0069 12.10): vCPU n
 * owns the 128 KiB at d->arch.vgic.redist_base + n * VGIC_REDIST_STRIDE, an RD_base frame
 * (control, identification, power) followed by an SGI_base frame (the SGI/PPI
 * registers). There are no LPIs. Frames without a vCPU are RAZ/WI.
 *
 * Locking: the state helpers in vgic.c take d->arch.vgic.lock; GICR_WAKER is a per-vCPU
 * flag accessed atomically, without the lock. Guest mistakes are RAZ/WI and logged once per
 * domain; an access never fails.
 */
#include <hv/domain.h>
#include <hv/lib.h>
#include <hv/mmio.h>
#include <asm/vgic.h>

#include "vgic_priv.h"

/* RD_base registers (IHI 0069 12.10, redistributor register map). */
#define GICR_CTLR 0x0000u
#define GICR_IIDR 0x0004u
#define GICR_TYPER 0x0008u /* 64-bit */
#define GICR_WAKER 0x0014u
#define GICR_PROPBASER 0x0070u /* 64-bit, RAZ/WI: no LPIs */
#define GICR_PENDBASER 0x0078u /* 64-bit, RAZ/WI: no LPIs */

/* SGI_base registers (offsets within that frame). */
#define GICR_IPRIORITYR_END 0x0420u /* GICR_IPRIORITYR0-7 */
#define GICR_ICFGR0 0x0c00u	    /* SGIs */
#define GICR_ICFGR1 0x0c04u	    /* PPIs */

/* GICR_TYPER fields (IHI 0069 12.11, GICR_TYPER). */
#define GICR_TYPER_LAST (1ULL << 4)
#define GICR_TYPER_PROCNUM_SHIFT 8 /* Processor_Number [23:8] */
#define GICR_TYPER_AFF_SHIFT 32	   /* Affinity_Value [63:32] = Aff3.Aff2.Aff1.Aff0 */

/* GICR_WAKER bits (IHI 0069 12.11, GICR_WAKER). */
#define GICR_WAKER_PROCESSOR_SLEEP (1u << 1)
#define GICR_WAKER_CHILDREN_ASLEEP (1u << 2)

/** GICR_TYPER of vCPU t: its MPIDR affinity, index, and Last on the final frame. */
static u64 vgic_redist_typer(const struct domain *d, const struct vcpu *t)
{
	u64 mpidr = t->arch.vmpidr;
	/* MPIDR_EL1 Aff3 [39:32], Aff2 [23:16], Aff1 [15:8], Aff0 [7:0] (Arm ARM D19.2.86). */
	u64 aff = (((mpidr >> 32) & 0xff) << 24) | (mpidr & 0xffffff);
	u64 val =
		(aff << GICR_TYPER_AFF_SHIFT) | ((u64)(t->id & 0xffff) << GICR_TYPER_PROCNUM_SHIFT);

	if (t->id + 1 == d->nr_vcpus) {
		val |= GICR_TYPER_LAST;
	}
	return val;
}

/**
 * True if an access of 'size' bytes at 'reg' of the frame is allowed (IHI 0069 12.1 and
 * 12.11): 64-bit registers as doubleword or word, GICR_IPRIORITYR<n> as byte or word,
 * everything else as word, always naturally aligned.
 */
static bool vgic_redist_access_ok(bool sgi, u64 reg, unsigned int size)
{
	if (size == 0 || size > 8 || !IS_POWER_OF_2(size) || !IS_ALIGNED(reg, (u64)size)) {
		return false;
	}
	if (sgi && reg >= VGIC_IPRIORITYR && reg < GICR_IPRIORITYR_END) {
		return size == 1 || size == 4;
	}
	if (!sgi && (reg == GICR_TYPER || reg == GICR_PROPBASER || reg == GICR_PENDBASER)) {
		return size == 4 || size == 8;
	}
	return size == 4;
}

/** Reads a register of vCPU t's RD_base frame. */
static u64 vgic_rd_read(struct domain *d, struct vcpu *t, u64 reg, unsigned int size)
{
	switch (reg) {
	case GICR_IIDR:
		return VGIC_IIDR;
	case GICR_TYPER:
	case GICR_TYPER + 4: {
		u64 val = vgic_redist_typer(d, t);

		if (size == 4) {
			val = reg == GICR_TYPER ? val & 0xffffffffULL : val >> 32;
		}
		return val;
	}
	case GICR_WAKER: {
		/* ChildrenAsleep follows ProcessorSleep at once: nothing to quiesce. */
		bool asleep = !__atomic_load_n(&t->arch.vgic.redist_awake, __ATOMIC_RELAXED);

		return asleep ? GICR_WAKER_PROCESSOR_SLEEP | GICR_WAKER_CHILDREN_ASLEEP : 0;
	}
	case VGIC_PIDR2_OFFSET:
		return VGIC_PIDR2;
	default:
		/* GICR_CTLR (EnableLPIs RAZ/WI, RWP 0), STATUSR, LPI registers, other ID
		 * registers and reserved space: RAZ/WI. */
		return 0;
	}
}

/** Writes a register of vCPU t's RD_base frame. */
static void vgic_rd_write(struct vcpu *t, u64 reg, u64 val)
{
	if (reg == GICR_WAKER) {
		__atomic_store_n(&t->arch.vgic.redist_awake, !(val & GICR_WAKER_PROCESSOR_SLEEP),
				 __ATOMIC_RELAXED);
	}
	/* Everything else is read-only or RAZ/WI. */
}

/** Reads a register of vCPU t's SGI_base frame (INTIDs 0-31 of t). */
static u64 vgic_sgi_read(struct domain *d, struct vcpu *t, u64 reg, unsigned int size)
{
	if (reg >= VGIC_BITREG_FIRST && reg < VGIC_BITREG_END && reg % VGIC_BITREG_STRIDE == 0) {
		enum vgic_bitreg kind =
			(enum vgic_bitreg)((reg - VGIC_BITREG_FIRST) / VGIC_BITREG_STRIDE);

		return vgic_bitreg_read(d, t, kind, 0);
	}
	if (reg >= VGIC_IPRIORITYR && reg < GICR_IPRIORITYR_END) {
		return vgic_prio_read(d, t, (u32)(reg - VGIC_IPRIORITYR), size);
	}
	if (reg == GICR_ICFGR0 || reg == GICR_ICFGR1) {
		return vgic_cfg_read(d, t, reg == GICR_ICFGR0 ? 0 : 16);
	}
	/* GICR_IGRPMODR0 and GICR_NSACR (one security state), reserved space: RAZ/WI. */
	return 0;
}

/** Writes a register of vCPU t's SGI_base frame. */
static void vgic_sgi_write(struct domain *d, struct vcpu *t, u64 reg, unsigned int size, u64 val)
{
	if (reg >= VGIC_BITREG_FIRST && reg < VGIC_BITREG_END && reg % VGIC_BITREG_STRIDE == 0) {
		enum vgic_bitreg kind =
			(enum vgic_bitreg)((reg - VGIC_BITREG_FIRST) / VGIC_BITREG_STRIDE);

		vgic_bitreg_write(d, t, kind, 0, (u32)val);
		return;
	}
	if (reg >= VGIC_IPRIORITYR && reg < GICR_IPRIORITYR_END) {
		vgic_prio_write(d, t, (u32)(reg - VGIC_IPRIORITYR), size, (u32)val);
		return;
	}
	if (reg == GICR_ICFGR1) {
		vgic_cfg_write(d, t, 16, (u32)val);
	}
	/* GICR_ICFGR0 (SGIs always edge), IGRPMODR0, NSACR: WI. */
}

/**
 * Splits a region offset into the owning vCPU (NULL for frames without one), whether
 * it is the SGI_base frame and the offset inside that frame.
 */
static struct vcpu *vgic_redist_decode(struct domain *d, u64 offset, bool *sgi, u64 *reg)
{
	u64 frame = offset / VGIC_REDIST_STRIDE;
	u64 in_frame = offset % VGIC_REDIST_STRIDE;

	*sgi = in_frame >= VGIC_SGI_BASE_OFFSET;
	*reg = in_frame % VGIC_SGI_BASE_OFFSET;
	if (frame >= d->nr_vcpus) {
		return NULL;
	}
	return vgic_vcpu_by_index(d, (unsigned int)frame);
}

/** MMIO read handler of the redistributor region; priv is the domain. Never fails. */
static int vgic_redist_read(struct vcpu *v, u64 offset, unsigned int size, u64 *val, void *priv)
{
	struct domain *d = priv;
	struct vcpu *t;
	bool sgi;
	u64 reg;

	(void)v;
	*val = 0;
	t = vgic_redist_decode(d, offset, &sgi, &reg);
	if (!vgic_redist_access_ok(sgi, reg, size)) {
		vgic_warn_once(d, VGIC_WARN_ACCESS, "bad GICR access (offset, size)", offset, size);
		return 0;
	}
	if (t != NULL) {
		*val = sgi ? vgic_sgi_read(d, t, reg, size) : vgic_rd_read(d, t, reg, size);
	}
	return 0;
}

/** MMIO write handler of the redistributor region; priv is the domain. Never fails. */
static int vgic_redist_write(struct vcpu *v, u64 offset, unsigned int size, u64 val, void *priv)
{
	struct domain *d = priv;
	struct vcpu *t;
	bool sgi;
	u64 reg;

	(void)v;
	t = vgic_redist_decode(d, offset, &sgi, &reg);
	if (!vgic_redist_access_ok(sgi, reg, size)) {
		vgic_warn_once(d, VGIC_WARN_ACCESS, "bad GICR access (offset, size)", offset, size);
		return 0;
	}
	if (t == NULL) {
		return 0;
	}
	if (sgi) {
		vgic_sgi_write(d, t, reg, size, val);
	} else {
		vgic_rd_write(t, reg, val);
	}
	return 0;
}

const struct mmio_ops vgic_redist_mmio_ops = {
	.read = vgic_redist_read,
	.write = vgic_redist_write,
};
