/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The virtual GICv3 (hv/arch/arm64/vgic/): per-IRQ state for each domain's SPIs and each
 * vCPU's SGIs/PPIs, emulated distributor and redistributor registers, and the
 * list registers that present pending interrupts to the running vCPU.
 *
 * Locking: d->arch.vgic.lock guards every struct vgic_irq of the domain (SPIs and all
 * vCPUs' private IRQs) and the list-register shadow of its vCPUs. Taken with IRQs
 * masked (spin_lock_irqsave). Never held while calling into the scheduler except
 * vcpu_kick(), which takes only scheduler locks.
 */
#pragma once

#include <arm64_guest.h>
#include <hv/spinlock.h>
#include <hv/types.h>

#define VGIC_NR_PRIVATE GIC_SPI_BASE /* SGIs 0-15, PPIs 16-31 */
#define VGIC_MAX_SPIS GIC_NR_SPI     /* INTIDs 32..1019 */
#define VGIC_MAX_LRS 16
#define VGIC_MAX_APRS 4 /* ICH_AP<g>R<n>_EL2, n < 4 (IHI 0069 12.5) */

/* Guest-physical frame sizes (IHI 0069 12.8 and 12.10): the distributor is 64 KiB;
 * each redistributor is an RD_base frame and an SGI_base frame of 64 KiB each. */
#define VGIC_DIST_SIZE 0x10000ULL
#define VGIC_REDIST_STRIDE 0x20000ULL
#define VGIC_SGI_BASE_OFFSET 0x10000ULL

/* struct vgic_irq.target_vcpu when GICD_IROUTER names no vCPU of the domain. */
#define VGIC_NO_TARGET 0xffffu

/* ICH_LR<n>_EL2 fields (IHI 0069 12.5, ICH_LR<n>_EL2). */
#define ICH_LR_VINTID_MASK 0xffffffffULL /* vINTID [31:0] */
#define ICH_LR_PRIORITY_SHIFT 48	 /* Priority [55:48] */
#define ICH_LR_GROUP (1ULL << 60)	 /* Group [60]: 1 = Group 1 */
#define ICH_LR_HW (1ULL << 61)		 /* HW [61] */
#define ICH_LR_STATE_SHIFT 62		 /* State [63:62] */
#define ICH_LR_PENDING (1ULL << 62)	 /* State 0b01 */
#define ICH_LR_ACTIVE (1ULL << 63)	 /* State 0b10 (0b11: pending and active) */

struct domain;
struct vcpu;

struct vgic_irq {
	u32 intid;
	u8 priority; /* GICD/GICR_IPRIORITYR byte (8 bits kept, as written) */
	bool enabled;
	bool pending_latch; /* edge: pending; level: a software "set pending" */
	/* Made pending again (vgic_set_pending) while listed in an LR: survives the
	 * guest's acknowledge of the listed instance. */
	bool raised_again;
	/* Bound to a physical SPI (passthrough): listed with ICH_LR.HW so the guest's
	 * deactivation deactivates the physical interrupt too. */
	bool hw;
	u32 hwintid;
	bool line_level; /* level-triggered: the emulated device's line */
	bool active;
	bool edge; /* GICD_ICFGR: true = edge-triggered */
	bool group1;
	u64 irouter;	 /* SPIs: GICD_IROUTER value (affinity) */
	u16 target_vcpu; /* SPIs: vCPU index the router names (valid if < nr_vcpus) */
	s8 lr;		 /* list register holding it on vCPU lr_vcpu, or -1 */
	u16 lr_vcpu;	 /* valid while lr >= 0: the vCPU whose list register holds it */
	u8 sgi_source;	 /* for SGIs: the vCPU that sent it (GICv3 ignores it: 0) */
};

struct vgic_dist {
	spinlock_t lock;
	bool enabled_grp1;     /* GICD_CTLR.EnableGrp1A */
	unsigned int nr_spis;  /* multiple of 32, or VGIC_MAX_SPIS */
	struct vgic_irq *spis; /* nr_spis entries, intid 32 + i */
	gpaddr_t dist_base;
	gpaddr_t redist_base; /* vCPU n's frames at redist_base + n * 0x20000 */
	u32 warned; /* VGIC_WARN_* bits: guest mistakes already logged (once per domain) */
};

struct vgic_cpu {
	struct vgic_irq private_irqs[VGIC_NR_PRIVATE];
	bool redist_awake;	    /* GICR_WAKER.ProcessorSleep == 0 */
	u64 vmcr;		    /* ICH_VMCR_EL2 while not running */
	u64 ap0r[4], ap1r[4];	    /* ICH_AP0R<n>_EL2 / ICH_AP1R<n>_EL2 while not running */
	u64 lrs[VGIC_MAX_LRS];	    /* list register contents while not running */
	u32 lr_intid[VGIC_MAX_LRS]; /* which INTID each used LR holds */
	u32 nr_lrs_used;
};

/**
 * Creates d's distributor state and registers its MMIO handlers. 0 or -errno.
 * Call it once d->nr_vcpus is set: the redistributor region covers d->nr_vcpus frames
 * (MAX_VCPUS_PER_DOMAIN frames if it is still 0; frames without a vCPU are RAZ/WI).
 */
int vgic_domain_init(struct domain *d, unsigned int nr_spis, gpaddr_t dist_base,
		     gpaddr_t redist_base);
void vgic_domain_destroy(struct domain *d);
/**
 * Per vCPU, after vgic_domain_init and with v->id, v->domain and v->arch.vmpidr set:
 * resets the private IRQs (all disabled, group 0, priority 0; SGIs edge, PPIs level)
 * and routes to v the SPIs whose GICD_IROUTER names v's affinity.
 */
int vgic_vcpu_init(struct vcpu *v);

/**
 * Makes 'intid' pending. For SGIs and PPIs 'v' names the target vCPU; for SPIs it is
 * ignored (the routing decides). Level-triggered: 'level' sets the line state; edge:
 * level=true latches pending and level=false does nothing. Wakes or kicks the
 * target vCPU when the interrupt becomes deliverable.
 */
void vgic_inject_irq(struct domain *d, struct vcpu *v, u32 intid, bool level);
/**
 * Sets the pending latch of intid as a write to GICD/GICR_ISPENDR would: it stays
 * pending until the guest acknowledges it, whatever its trigger mode. Used for
 * interrupts the hypervisor raises (virtual timers). Kicks the target vCPU.
 */
void vgic_set_pending(struct domain *d, struct vcpu *v, u32 intid);
/**
 * Undoes vgic_set_pending() for a level source whose line has dropped (the virtual
 * timer): the IRQ is no longer pending unless it is in a list register right now (v
 * is folded at every exit, so not at an exit). Active state is kept. Takes the lock.
 */
void vgic_withdraw_pending(struct domain *d, struct vcpu *v, u32 intid);
/**
 * Binds virtual SPI virq of d to physical SPI pirq (device passthrough). The guest's
 * enable/disable and trigger-mode writes reach the physical interrupt. 0 or -errno.
 */
int vgic_map_hw_irq(struct domain *d, u32 virq, u32 pirq);
/** The physical SPI bound to virq fired (priority already dropped): make it pending. */
void vgic_inject_hw(struct domain *d, u32 virq);
/** True if v has an enabled, pending interrupt it could take (WFI wake-up). */
bool vgic_vcpu_has_pending(struct vcpu *v);
/** A trapped guest write to ICC_SGI1R_EL1 from vCPU v. */
void vgic_handle_sgi1r(struct vcpu *v, u64 value);

/* Called by the arch context-switch code on the vCPU's own pCPU, IRQs masked. */
/** Before entering the guest: load the highest-priority pending IRQs into the LRs. */
void vgic_flush_lrs(struct vcpu *v);
/** After leaving the guest: fold the LRs' state back into the IRQ state. */
void vgic_sync_lrs(struct vcpu *v);
/** Switching away from / back to v: save/restore ICH_VMCR and the APRs. */
void vgic_save_state(struct vcpu *v);
void vgic_restore_state(struct vcpu *v);

/* Physical side of passthrough SPIs (hv/drivers/irqchip/gic_v3.c). */
void arch_gic_hw_enable(u32 pirq, bool on);
void arch_gic_hw_set_edge(u32 pirq, bool edge);
/** Routes a physical SPI to logical pCPU 'pcpu' (GICD_IROUTER). */
void arch_gic_hw_set_affinity(u32 pirq, unsigned int pcpu);
/** Clears a physical SPI's active state (domain destroyed while it was in service). */
void arch_gic_hw_deactivate(u32 pirq);
/** Routes a physical SPI to this domain (d) or back to the hypervisor (NULL). */
void arch_irq_route(u32 pirq, struct domain *d);

/** INTID of the GIC maintenance interrupt (PPI; from the DT, default 25). */
extern u32 vgic_maint_irq;
/** Per pCPU: enables the virtual CPU interface (ICH_HCR_EL2.En). */
void vgic_hw_cpu_init(void);

/* Hardware access, provided by the arch (fakeable in unit tests). */
unsigned int arch_gic_nr_lrs(void);
u64 arch_gic_read_lr(unsigned int n);
void arch_gic_write_lr(unsigned int n, u64 val);
/** Turns the underflow maintenance interrupt on or off (ICH_HCR_EL2.UIE). */
void arch_gic_set_underflow(bool on);
/** ICH_VMCR_EL2 (IHI 0069 12.5). */
u64 arch_gic_read_vmcr(void);
void arch_gic_write_vmcr(u64 val);
/**
 * Number of implemented ICH_AP0R<n>_EL2 / ICH_AP1R<n>_EL2 per group: 1, 2 or 4 for
 * 5, 6 or 7 bits of preemption (ICH_VTR_EL2.PREbits, IHI 0069 12.5). At most
 * VGIC_MAX_APRS.
 */
unsigned int arch_gic_nr_aprs(void);
/** ICH_AP<group>R<n>_EL2 (group 0 or 1, n < arch_gic_nr_aprs()). */
u64 arch_gic_read_apr(unsigned int group, unsigned int n);
void arch_gic_write_apr(unsigned int group, unsigned int n, u64 val);
