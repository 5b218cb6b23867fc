/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Internals shared by the three files of the virtual GICv3: vgic.c owns the per-IRQ
 * state machine; vgic_dist.c and vgic_redist.c decode register offsets and call the
 * register helpers below, which take d->arch.vgic.lock themselves and kick the vCPUs that
 * gained a deliverable interrupt after dropping it.
 */
#pragma once

#include <hv/domain.h>
#include <hv/mmio.h>
#include <hv/types.h>
#include <asm/vgic.h>

/* Implementation identification shared by GICD_IIDR and GICR_IIDR (IHI 0069
 * 12.9 GICD_IIDR, 12.11 GICR_IIDR): ProductID [31:24] = 0x4c ('L' for Lamina), Variant [19:16] = 0,
 * Revision [15:12] = 1, Implementer [11:0] = 0x000. JEP106 code 0 in bank 0 belongs to
 * no manufacturer, so no guest driver applies a vendor quirk to the virtual GIC. */
#define VGIC_IIDR 0x4c001000u

/* Peripheral ID2 (IHI 0069 12.9 GICD_PIDR2, 12.11 GICR_PIDR2): ArchRev [7:4] =
 * 3 for GICv3. The JEP106 bits are 0, matching the implementer above. */
#define VGIC_PIDR2 0x30u
#define VGIC_PIDR2_OFFSET 0xffe8u

/* The bitmap registers, in their order at offset 0x80 + kind * 0x80 of both the
 * distributor and the SGI_base frame (IHI 0069 12.8 and 12.10 register maps). */
enum vgic_bitreg {
	VGIC_IGROUPR = 0,
	VGIC_ISENABLER,
	VGIC_ICENABLER,
	VGIC_ISPENDR,
	VGIC_ICPENDR,
	VGIC_ISACTIVER,
	VGIC_ICACTIVER,
};
#define VGIC_BITREG_FIRST 0x080u /* GICD_IGROUPR<n> / GICR_IGROUPR0 */
#define VGIC_BITREG_END 0x400u	 /* GICD_IPRIORITYR<n> / GICR_IPRIORITYR<n> */
#define VGIC_BITREG_STRIDE 0x80u
#define VGIC_IPRIORITYR 0x400u
#define VGIC_ICFGR 0xc00u
#define VGIC_IGRPMODR 0xd00u
#define VGIC_NSACR 0xe00u

/* d->arch.vgic.warned bits. */
#define VGIC_WARN_ACCESS (1u << 0) /* bad MMIO access size or alignment */
#define VGIC_WARN_GROUP0 (1u << 1) /* a group-0 interrupt was enabled */
#define VGIC_WARN_INJECT (1u << 2) /* injection of an INTID the domain does not have */
#define VGIC_WARN_BAD_LR (1u << 3) /* a list register named an unknown INTID */

/* MPIDR_EL1 affinity fields Aff3 [39:32], Aff2..Aff0 [23:0] (Arm ARM D19.2.86); the
 * same bit positions in GICD_IROUTER<n> (IHI 0069 12.9 GICD_IROUTER<n>). */
#define VGIC_AFF_MASK MPIDR_AFF_MASK

extern const struct mmio_ops vgic_dist_mmio_ops;
extern const struct mmio_ops vgic_redist_mmio_ops;

/** Logs 'what' once per domain (guest-caused conditions, rate limited by 'bit'). */
void vgic_warn_once(struct domain *d, u32 bit, const char *what, u64 a, u64 b);
/** The vCPU with index idx of d, or NULL. */
struct vcpu *vgic_vcpu_by_index(struct domain *d, unsigned int idx);

/** One 32-bit word of a bitmap register for INTIDs first..first+31 (owner: private). */
u32 vgic_bitreg_read(struct domain *d, struct vcpu *owner, enum vgic_bitreg kind, u32 first);
void vgic_bitreg_write(struct domain *d, struct vcpu *owner, enum vgic_bitreg kind, u32 first,
		       u32 val);
/** nbytes (1 or 4) priority bytes starting at INTID 'intid', little-endian. */
u32 vgic_prio_read(struct domain *d, struct vcpu *owner, u32 intid, unsigned int nbytes);
void vgic_prio_write(struct domain *d, struct vcpu *owner, u32 intid, unsigned int nbytes, u32 val);
/** One ICFGR word: INTIDs first..first+15, bit 2n+1 = edge (SGIs read as edge, WI). */
u32 vgic_cfg_read(struct domain *d, struct vcpu *owner, u32 first);
void vgic_cfg_write(struct domain *d, struct vcpu *owner, u32 first, u32 val);
/** GICD_CTLR.EnableGrp1A. */
void vgic_set_grp1_enable(struct domain *d, bool on);
/** GICD_IROUTER<intid> (SPIs only; other INTIDs read 0 and ignore writes). */
u64 vgic_irouter_read(struct domain *d, u32 intid);
void vgic_irouter_write(struct domain *d, u32 intid, u64 val);
