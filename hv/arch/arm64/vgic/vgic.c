/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The virtual GICv3 state machine: per-IRQ state, injection, list registers and
 * ICC_SGI1R_EL1. One struct vgic_irq per interrupt (SPIs per domain, SGIs/PPIs per
 * vCPU); the list registers are filled from it before every guest entry and folded
 * back into it after every exit, so while a vCPU is in the hypervisor its interrupts'
 * state is entirely in the structs.
 *
 * Lock order: d->arch.vgic.lock is the only lock this file takes (see hv/domain.h for its
 * place in the global order); the log's lock may be taken under it (rate-limited guest
 * warnings). vcpu_kick() is called after dropping it.
 *
 * Pending state: an IRQ is pending when pending_latch is set, or when it is
 * level-triggered and line_level is high. A level IRQ's pending_latch (a software
 * "set pending") is cleared when the guest acknowledges it. An edge IRQ's latch is
 * consumed when it is written into a list register as pending and comes back if the
 * list register is still pending at the next exit.
 */
#include <hv/bug.h>
#include <hv/domain.h>
#include <hv/errno.h>
#include <hv/heap.h>
#include <hv/lib.h>
#include <hv/log.h>
#include <hv/mmio.h>
#include <hv/sched.h>
#include <asm/vgic.h>

#include "vgic_priv.h"

#define VGIC_KICK_WORDS ((MAX_VCPUS_PER_DOMAIN + 63) / 64)

/** vCPUs to kick once d->arch.vgic.lock is dropped. */
struct vgic_kick_set {
	u64 bits[VGIC_KICK_WORDS];
};

/**
 * Logs a guest-caused problem once per domain and kind; later occurrences are silent
 * so a guest cannot flood the console. Lock-free (atomic on d->arch.vgic.warned).
 */
void vgic_warn_once(struct domain *d, u32 bit, const char *what, u64 a, u64 b)
{
	u32 old = __atomic_fetch_or(&d->arch.vgic.warned, bit, __ATOMIC_RELAXED);

	if (!(old & bit)) {
		log_warn("d%u: vGIC: %s (0x%llx, 0x%llx); further ones not logged\n",
			 (unsigned int)d->domid, what, (unsigned long long)a,
			 (unsigned long long)b);
	}
}

/** Returns vCPU idx of d, or NULL when d has no such vCPU (yet). */
struct vcpu *vgic_vcpu_by_index(struct domain *d, unsigned int idx)
{
	if (d->vcpus == NULL || idx >= d->nr_vcpus) {
		return NULL;
	}
	return d->vcpus[idx];
}

/** The IRQ state of 'intid' (owner supplies SGIs/PPIs), or NULL. Caller holds the lock. */
static struct vgic_irq *vgic_irq_get(struct domain *d, struct vcpu *owner, u32 intid)
{
	ASSERT(spin_is_locked(&d->arch.vgic.lock));
	if (intid < VGIC_NR_PRIVATE) {
		return owner != NULL ? &owner->arch.vgic.private_irqs[intid] : NULL;
	}
	if (intid - VGIC_NR_PRIVATE < d->arch.vgic.nr_spis) {
		return &d->arch.vgic.spis[intid - VGIC_NR_PRIVATE];
	}
	return NULL;
}

/** The vCPU an IRQ is delivered to: the owner for SGIs/PPIs, the router's for SPIs. */
static struct vcpu *vgic_irq_vcpu(struct domain *d, struct vcpu *owner, const struct vgic_irq *irq)
{
	if (irq->intid < VGIC_NR_PRIVATE) {
		return owner;
	}
	return vgic_vcpu_by_index(d, irq->target_vcpu);
}

static bool vgic_irq_is_pending(const struct vgic_irq *irq)
{
	return irq->pending_latch || (!irq->edge && irq->line_level);
}

/** True if the IRQ could be signalled to its vCPU now. Caller holds the lock. */
static bool vgic_irq_deliverable(struct domain *d, struct vcpu *owner, const struct vgic_irq *irq)
{
	if (!irq->enabled || !irq->group1 || !vgic_irq_is_pending(irq)) {
		return false;
	}
	if (irq->intid >= VGIC_NR_PRIVATE) {
		return d->arch.vgic.enabled_grp1 && vgic_irq_vcpu(d, owner, irq) != NULL;
	}
	return owner != NULL;
}

/** Notes irq's vCPU for a kick if the IRQ became deliverable ('was': before the change). */
static void vgic_kick_note(struct vgic_kick_set *k, struct domain *d, struct vcpu *owner,
			   const struct vgic_irq *irq, bool was)
{
	struct vcpu *t;

	if (was || !vgic_irq_deliverable(d, owner, irq)) {
		return;
	}
	t = vgic_irq_vcpu(d, owner, irq);
	if (t != NULL && t->id < MAX_VCPUS_PER_DOMAIN) {
		k->bits[t->id / 64] |= 1ULL << (t->id % 64);
	}
}

/** Kicks every vCPU in k. Called without d->arch.vgic.lock. */
static void vgic_kick_all(struct domain *d, const struct vgic_kick_set *k)
{
	for (unsigned int w = 0; w < VGIC_KICK_WORDS; w++) {
		u64 bits = k->bits[w];

		while (bits != 0) {
			unsigned int b = (unsigned int)__builtin_ctzll(bits);
			struct vcpu *t = vgic_vcpu_by_index(d, w * 64 + b);

			bits &= bits - 1;
			if (t != NULL) {
				vcpu_kick(t);
			}
		}
	}
}

/** The vCPU whose MPIDR affinity equals the router's, or VGIC_NO_TARGET. */
static u16 vgic_route(struct domain *d, u64 irouter)
{
	for (unsigned int i = 0; i < d->nr_vcpus && i < VGIC_NO_TARGET; i++) {
		struct vcpu *t = vgic_vcpu_by_index(d, i);

		if (t != NULL && (t->arch.vmpidr & VGIC_AFF_MASK) == (irouter & VGIC_AFF_MASK)) {
			return (u16)i;
		}
	}
	return VGIC_NO_TARGET;
}

/** The list-register state an IRQ is in while listed on a running vCPU, or 0. */
static u64 vgic_irq_lr_state(struct domain *d, const struct vgic_irq *irq)
{
	struct vcpu *t;

	if (irq->lr < 0 || (unsigned int)irq->lr >= VGIC_MAX_LRS) {
		return 0;
	}
	t = vgic_vcpu_by_index(d, irq->lr_vcpu);
	if (t == NULL) {
		return 0;
	}
	return t->arch.vgic.lrs[irq->lr] & (ICH_LR_PENDING | ICH_LR_ACTIVE);
}

/**
 * Sets the register bit of one IRQ for a bitmap register write of 1 (writes of 0 have
 * no effect in every one of these registers except IGROUPR). Caller holds the lock.
 */
static void vgic_bitreg_set_one(struct domain *d, struct vcpu *owner, struct vgic_irq *irq,
				enum vgic_bitreg kind, bool bit, struct vgic_kick_set *k)
{
	bool was = vgic_irq_deliverable(d, owner, irq);

	switch (kind) {
	case VGIC_IGROUPR:
		irq->group1 = bit;
		if (irq->enabled && !bit) {
			vgic_warn_once(d, VGIC_WARN_GROUP0,
				       "group-0 interrupt enabled, not delivered", irq->intid, 0);
		}
		break;
	case VGIC_ISENABLER:
		if (bit) {
			irq->enabled = true;
			if (irq->hw) {
				arch_gic_hw_enable(irq->hwintid, true);
			}
			if (!irq->group1) {
				vgic_warn_once(d, VGIC_WARN_GROUP0,
					       "group-0 interrupt enabled, not delivered",
					       irq->intid, 0);
			}
		}
		break;
	case VGIC_ICENABLER:
		if (bit) {
			irq->enabled = false;
			if (irq->hw) {
				arch_gic_hw_enable(irq->hwintid, false);
			}
		}
		break;
	case VGIC_ISPENDR:
		if (bit) {
			irq->pending_latch = true;
		}
		break;
	case VGIC_ICPENDR:
		/* A level IRQ whose line is high stays pending (IHI 0069 12.9, GICD_ICPENDR). */
		if (bit) {
			irq->pending_latch = false;
		}
		break;
	case VGIC_ISACTIVER:
		if (bit) {
			irq->active = true;
		}
		break;
	case VGIC_ICACTIVER:
		if (bit) {
			irq->active = false;
		}
		break;
	default:
		break;
	}
	vgic_kick_note(k, d, owner, irq, was);
}

/** Reads the register bit of one IRQ. Caller holds the lock. */
static bool vgic_bitreg_get_one(struct domain *d, const struct vgic_irq *irq, enum vgic_bitreg kind)
{
	u64 lr = vgic_irq_lr_state(d, irq);

	switch (kind) {
	case VGIC_IGROUPR:
		return irq->group1;
	case VGIC_ISENABLER:
	case VGIC_ICENABLER:
		return irq->enabled;
	case VGIC_ISPENDR:
	case VGIC_ICPENDR:
		return vgic_irq_is_pending(irq) || (lr & ICH_LR_PENDING) != 0;
	case VGIC_ISACTIVER:
	case VGIC_ICACTIVER:
		return irq->active || (lr & ICH_LR_ACTIVE) != 0;
	default:
		return false;
	}
}

/**
 * Reads one 32-bit word of a bitmap register (GICD_I[SC]{ENABLE,PEND,ACTIVE}R<n>,
 * GICD_IGROUPR<n> or their GICR_*0 forms): bit i is INTID first + i. INTIDs the domain
 * does not have read as zero. Takes d->arch.vgic.lock.
 */
u32 vgic_bitreg_read(struct domain *d, struct vcpu *owner, enum vgic_bitreg kind, u32 first)
{
	unsigned long flags;
	u32 val = 0;

	spin_lock_irqsave(&d->arch.vgic.lock, flags);
	for (u32 i = 0; i < 32; i++) {
		const struct vgic_irq *irq = vgic_irq_get(d, owner, first + i);

		if (irq != NULL && vgic_bitreg_get_one(d, irq, kind)) {
			val |= 1u << i;
		}
	}
	spin_unlock_irqrestore(&d->arch.vgic.lock, flags);
	return val;
}

/**
 * Writes one 32-bit word of a bitmap register; set/clear registers act on the 1 bits
 * only, IGROUPR sets every bit. Non-existent INTIDs ignore the write. Takes
 * d->arch.vgic.lock, then kicks the vCPUs that gained a deliverable interrupt.
 */
void vgic_bitreg_write(struct domain *d, struct vcpu *owner, enum vgic_bitreg kind, u32 first,
		       u32 val)
{
	struct vgic_kick_set k = { { 0 } };
	unsigned long flags;

	spin_lock_irqsave(&d->arch.vgic.lock, flags);
	for (u32 i = 0; i < 32; i++) {
		struct vgic_irq *irq = vgic_irq_get(d, owner, first + i);

		if (irq != NULL) {
			vgic_bitreg_set_one(d, owner, irq, kind, (val >> i) & 1, &k);
		}
	}
	spin_unlock_irqrestore(&d->arch.vgic.lock, flags);
	vgic_kick_all(d, &k);
}

/**
 * Reads nbytes (1 or 4) priority bytes from INTID 'intid' on (GICD/GICR_IPRIORITYR<n>,
 * byte-accessible, IHI 0069 12.9). Takes d->arch.vgic.lock.
 */
u32 vgic_prio_read(struct domain *d, struct vcpu *owner, u32 intid, unsigned int nbytes)
{
	unsigned long flags;
	u32 val = 0;

	spin_lock_irqsave(&d->arch.vgic.lock, flags);
	for (unsigned int i = 0; i < nbytes && i < 4; i++) {
		const struct vgic_irq *irq = vgic_irq_get(d, owner, intid + i);

		if (irq != NULL) {
			val |= (u32)irq->priority << (8 * i);
		}
	}
	spin_unlock_irqrestore(&d->arch.vgic.lock, flags);
	return val;
}

/** Writes nbytes (1 or 4) priority bytes from INTID 'intid' on. Takes d->arch.vgic.lock. */
void vgic_prio_write(struct domain *d, struct vcpu *owner, u32 intid, unsigned int nbytes, u32 val)
{
	unsigned long flags;

	spin_lock_irqsave(&d->arch.vgic.lock, flags);
	for (unsigned int i = 0; i < nbytes && i < 4; i++) {
		struct vgic_irq *irq = vgic_irq_get(d, owner, intid + i);

		if (irq != NULL) {
			irq->priority = (u8)(val >> (8 * i));
		}
	}
	spin_unlock_irqrestore(&d->arch.vgic.lock, flags);
}

/**
 * Reads one ICFGR word for INTIDs first..first+15: Int_config bit 2n+1 is 1 for edge
 * (IHI 0069 12.9, GICD_ICFGR<n>); bit 2n is RES0. Takes d->arch.vgic.lock.
 */
u32 vgic_cfg_read(struct domain *d, struct vcpu *owner, u32 first)
{
	unsigned long flags;
	u32 val = 0;

	spin_lock_irqsave(&d->arch.vgic.lock, flags);
	for (u32 i = 0; i < 16; i++) {
		const struct vgic_irq *irq = vgic_irq_get(d, owner, first + i);

		if (irq != NULL && irq->edge) {
			val |= 2u << (2 * i);
		}
	}
	spin_unlock_irqrestore(&d->arch.vgic.lock, flags);
	return val;
}

/**
 * Writes one ICFGR word. SGIs are always edge-triggered (GICR_ICFGR0 is RAO/WI for
 * the odd bits, IHI 0069 12.11). Takes d->arch.vgic.lock, then kicks as needed (a pending
 * latch of a level IRQ may become deliverable as the configuration changes).
 */
void vgic_cfg_write(struct domain *d, struct vcpu *owner, u32 first, u32 val)
{
	struct vgic_kick_set k = { { 0 } };
	unsigned long flags;

	spin_lock_irqsave(&d->arch.vgic.lock, flags);
	for (u32 i = 0; i < 16; i++) {
		struct vgic_irq *irq = vgic_irq_get(d, owner, first + i);
		bool was;

		if (irq == NULL || irq->intid < 16) {
			continue;
		}
		was = vgic_irq_deliverable(d, owner, irq);
		irq->edge = (val >> (2 * i + 1)) & 1;
		if (irq->hw) {
			arch_gic_hw_set_edge(irq->hwintid, irq->edge);
		}
		vgic_kick_note(&k, d, owner, irq, was);
	}
	spin_unlock_irqrestore(&d->arch.vgic.lock, flags);
	vgic_kick_all(d, &k);
}

/**
 * GICD_CTLR.EnableGrp1A: enabling kicks every vCPU with a deliverable SPI. Takes
 * d->arch.vgic.lock.
 */
void vgic_set_grp1_enable(struct domain *d, bool on)
{
	struct vgic_kick_set k = { { 0 } };
	unsigned long flags;

	spin_lock_irqsave(&d->arch.vgic.lock, flags);
	if (on && !d->arch.vgic.enabled_grp1) {
		d->arch.vgic.enabled_grp1 = true;
		for (unsigned int i = 0; i < d->arch.vgic.nr_spis; i++) {
			vgic_kick_note(&k, d, NULL, &d->arch.vgic.spis[i], false);
		}
	}
	d->arch.vgic.enabled_grp1 = on;
	spin_unlock_irqrestore(&d->arch.vgic.lock, flags);
	vgic_kick_all(d, &k);
}

/** GICD_IROUTER<intid> for an SPI, 0 for anything else. Takes d->arch.vgic.lock. */
u64 vgic_irouter_read(struct domain *d, u32 intid)
{
	unsigned long flags;
	u64 val = 0;

	if (intid < VGIC_NR_PRIVATE) {
		return 0;
	}
	spin_lock_irqsave(&d->arch.vgic.lock, flags);
	{
		const struct vgic_irq *irq = vgic_irq_get(d, NULL, intid);

		if (irq != NULL) {
			val = irq->irouter;
		}
	}
	spin_unlock_irqrestore(&d->arch.vgic.lock, flags);
	return val;
}

/**
 * Sets GICD_IROUTER<intid>: only the affinity fields are kept (IRM is RAZ/WI since
 * GICD_TYPER.No1N = 1, IHI 0069 12.9). An IRQ routed to no vCPU stays pending but
 * undeliverable until routed again. Takes d->arch.vgic.lock, then kicks the new target.
 */
void vgic_irouter_write(struct domain *d, u32 intid, u64 val)
{
	struct vgic_kick_set k = { { 0 } };
	unsigned long flags;
	struct vgic_irq *irq;
	u32 hw_pirq = 0;
	unsigned int hw_pcpu = 0;

	if (intid < VGIC_NR_PRIVATE) {
		return;
	}
	spin_lock_irqsave(&d->arch.vgic.lock, flags);
	irq = vgic_irq_get(d, NULL, intid);
	if (irq != NULL) {
		bool was = vgic_irq_deliverable(d, NULL, irq);
		u16 old_target = irq->target_vcpu;

		irq->irouter = val & VGIC_AFF_MASK;
		irq->target_vcpu = vgic_route(d, irq->irouter);
		vgic_kick_note(&k, d, NULL, irq, was && old_target == irq->target_vcpu);
		if (irq->hw) {
			struct vcpu *t = vgic_vcpu_by_index(d, irq->target_vcpu);

			hw_pirq = irq->hwintid;
			hw_pcpu = t != NULL ? t->pcpu : 0;
		}
	}
	spin_unlock_irqrestore(&d->arch.vgic.lock, flags);
	/* The physical SPI follows: delivered on the pCPU where its vCPU runs. */
	if (hw_pirq != 0) {
		arch_gic_hw_set_affinity(hw_pirq, hw_pcpu);
	}
	vgic_kick_all(d, &k);
}

/** Resets one IRQ to the architectural reset state (IHI 0069 12.9: all registers 0). */
static void vgic_irq_reset(struct vgic_irq *irq, u32 intid)
{
	*irq = (struct vgic_irq){
		.intid = intid,
		.edge = intid < 16, /* SGIs are always edge-triggered */
		.lr = -1,
	};
}

/**
 * Allocates d's SPIs (nr_spis rounded up to a multiple of 32, at most VGIC_MAX_SPIS;
 * all disabled, group 0, priority 0, level-triggered, routed to affinity 0) and
 * registers the distributor and redistributor MMIO regions. On failure the caller
 * destroys the domain, which calls vgic_domain_destroy().
 */
int vgic_domain_init(struct domain *d, unsigned int nr_spis, gpaddr_t dist_base,
		     gpaddr_t redist_base)
{
	struct vgic_dist *vd = &d->arch.vgic;
	unsigned int nr_frames = d->nr_vcpus != 0 ? d->nr_vcpus : MAX_VCPUS_PER_DOMAIN;
	int ret;

	spin_lock_init(&vd->lock);
	vd->enabled_grp1 = false;
	vd->warned = 0;
	vd->dist_base = dist_base;
	vd->redist_base = redist_base;
	vd->nr_spis = MIN(ROUND_UP(MIN(nr_spis, 1024u), 32u), (unsigned int)VGIC_MAX_SPIS);
	vd->spis = NULL;
	if (vd->nr_spis != 0) {
		vd->spis = xzalloc_array(vd->nr_spis, sizeof(*vd->spis));
		if (vd->spis == NULL) {
			vd->nr_spis = 0;
			return -HV_ENOMEM;
		}
	}
	for (unsigned int i = 0; i < vd->nr_spis; i++) {
		vgic_irq_reset(&vd->spis[i], VGIC_NR_PRIVATE + i);
		vd->spis[i].target_vcpu = 0; /* IROUTER 0: affinity 0.0.0.0, normally vCPU 0 */
	}

	ret = mmio_register(d, dist_base, VGIC_DIST_SIZE, &vgic_dist_mmio_ops, d);
	if (ret == 0) {
		ret = mmio_register(d, redist_base, (u64)nr_frames * VGIC_REDIST_STRIDE,
				    &vgic_redist_mmio_ops, d);
	}
	if (ret != 0) {
		log_err("d%u: vGIC: MMIO registration failed (%d)\n", (unsigned int)d->domid, ret);
		vgic_domain_destroy(d);
	}
	return ret;
}

/** Frees d's SPI state. Idempotent; the MMIO regions go with the domain. */
void vgic_domain_destroy(struct domain *d)
{
	for (unsigned int i = 0; d->arch.vgic.spis != NULL && i < d->arch.vgic.nr_spis; i++) {
		struct vgic_irq *irq = &d->arch.vgic.spis[i];

		if (irq->hw) {
			/* Leave the device's line usable: off, not active, back to Lamina. */
			arch_gic_hw_enable(irq->hwintid, false);
			arch_gic_hw_deactivate(irq->hwintid);
			arch_irq_route(irq->hwintid, NULL);
			irq->hw = false;
		}
	}
	xfree(d->arch.vgic.spis);
	d->arch.vgic.spis = NULL;
	d->arch.vgic.nr_spis = 0;
}

/**
 * Resets v's redistributor (asleep, no list registers in use) and private IRQs, and
 * routes to v the SPIs whose router names v's affinity (vCPUs may be created after
 * the guest-visible reset routing of IROUTER = 0). Takes d->arch.vgic.lock.
 */
int vgic_vcpu_init(struct vcpu *v)
{
	struct domain *d = v->domain;
	struct vgic_cpu *vc = &v->arch.vgic;
	unsigned long flags;

	spin_lock_irqsave(&d->arch.vgic.lock, flags);
	for (u32 i = 0; i < VGIC_NR_PRIVATE; i++) {
		vgic_irq_reset(&vc->private_irqs[i], i);
	}
	vc->redist_awake = false;
	vc->vmcr = 0;
	for (unsigned int i = 0; i < VGIC_MAX_APRS; i++) {
		vc->ap0r[i] = 0;
		vc->ap1r[i] = 0;
	}
	for (unsigned int i = 0; i < VGIC_MAX_LRS; i++) {
		vc->lrs[i] = 0;
		vc->lr_intid[i] = 0;
	}
	vc->nr_lrs_used = 0;
	for (unsigned int i = 0; i < d->arch.vgic.nr_spis; i++) {
		struct vgic_irq *irq = &d->arch.vgic.spis[i];

		if ((irq->irouter & VGIC_AFF_MASK) == (v->arch.vmpidr & VGIC_AFF_MASK)) {
			irq->target_vcpu = (u16)v->id;
		} else if (irq->target_vcpu == v->id) {
			irq->target_vcpu = vgic_route(d, irq->irouter);
		}
	}
	spin_unlock_irqrestore(&d->arch.vgic.lock, flags);
	return 0;
}

/**
 * Injects an interrupt from an emulated device or the hypervisor (vtimer, event
 * channel upcall, SGIs). Unknown INTIDs, and SGIs/PPIs without a vCPU of d, are
 * logged once and dropped. Takes d->arch.vgic.lock; kicks the target after dropping it if
 * the IRQ became deliverable.
 */
void vgic_inject_irq(struct domain *d, struct vcpu *v, u32 intid, bool level)
{
	struct vgic_kick_set k = { { 0 } };
	unsigned long flags;
	struct vgic_irq *irq;

	if (intid < VGIC_NR_PRIVATE && (v == NULL || v->domain != d)) {
		vgic_warn_once(d, VGIC_WARN_INJECT, "private IRQ injected without a vCPU", intid,
			       0);
		return;
	}
	spin_lock_irqsave(&d->arch.vgic.lock, flags);
	irq = vgic_irq_get(d, v, intid);
	if (irq != NULL) {
		bool was = vgic_irq_deliverable(d, v, irq);

		if (irq->edge) {
			if (level) {
				irq->pending_latch = true;
			}
		} else {
			irq->line_level = level;
		}
		vgic_kick_note(&k, d, v, irq, was);
	}
	spin_unlock_irqrestore(&d->arch.vgic.lock, flags);
	if (irq == NULL) {
		vgic_warn_once(d, VGIC_WARN_INJECT, "injection of an INTID the domain lacks", intid,
			       0);
		return;
	}
	vgic_kick_all(d, &k);
}

/** See asm/vgic.h: GICD/GICR_ISPENDR semantics for an interrupt the hypervisor raises. */
void vgic_set_pending(struct domain *d, struct vcpu *v, u32 intid)
{
	struct vgic_kick_set k = { { 0 } };
	unsigned long flags;
	struct vgic_irq *irq;

	if (intid < VGIC_NR_PRIVATE && (v == NULL || v->domain != d)) {
		vgic_warn_once(d, VGIC_WARN_INJECT, "private IRQ made pending without a vCPU",
			       intid, 0);
		return;
	}
	spin_lock_irqsave(&d->arch.vgic.lock, flags);
	irq = vgic_irq_get(d, v, intid);
	if (irq != NULL) {
		/* Listed now: this is a new instance after the listed one, so kick even
		 * though it already looks pending (the exit folds and relists it). */
		bool was = irq->lr < 0 && vgic_irq_deliverable(d, v, irq);

		irq->pending_latch = true;
		if (irq->lr >= 0) {
			irq->raised_again = true;
		}
		vgic_kick_note(&k, d, v, irq, was);
	}
	spin_unlock_irqrestore(&d->arch.vgic.lock, flags);
	vgic_kick_all(d, &k);
}

/** See asm/vgic.h. */
void vgic_withdraw_pending(struct domain *d, struct vcpu *v, u32 intid)
{
	unsigned long flags;
	struct vgic_irq *irq;

	if (intid < VGIC_NR_PRIVATE && (v == NULL || v->domain != d)) {
		return;
	}
	spin_lock_irqsave(&d->arch.vgic.lock, flags);
	irq = vgic_irq_get(d, v, intid);
	if (irq != NULL && irq->lr < 0) {
		irq->pending_latch = false;
		irq->raised_again = false;
	}
	spin_unlock_irqrestore(&d->arch.vgic.lock, flags);
}

/** See asm/vgic.h. */
int vgic_map_hw_irq(struct domain *d, u32 virq, u32 pirq)
{
	unsigned long flags;
	struct vgic_irq *irq;
	int rc = -HV_EINVAL;

	if (virq < VGIC_NR_PRIVATE || pirq < VGIC_NR_PRIVATE || pirq >= GIC_SPI_BASE + GIC_NR_SPI) {
		return -HV_EINVAL;
	}
	spin_lock_irqsave(&d->arch.vgic.lock, flags);
	irq = vgic_irq_get(d, NULL, virq);
	if (irq != NULL && !irq->hw) {
		irq->hw = true;
		irq->hwintid = pirq;
		rc = 0;
	}
	spin_unlock_irqrestore(&d->arch.vgic.lock, flags);
	if (rc == 0) {
		arch_irq_route(pirq, d);
	}
	return rc;
}

/** See asm/vgic.h. Called from the physical IRQ handler. */
void vgic_inject_hw(struct domain *d, u32 virq)
{
	struct vgic_kick_set k = { { 0 } };
	unsigned long flags;
	struct vgic_irq *irq;

	spin_lock_irqsave(&d->arch.vgic.lock, flags);
	irq = vgic_irq_get(d, NULL, virq);
	if (irq != NULL && irq->hw) {
		bool was = irq->lr < 0 && vgic_irq_deliverable(d, NULL, irq);

		irq->pending_latch = true;
		vgic_kick_note(&k, d, NULL, irq, was);
	}
	spin_unlock_irqrestore(&d->arch.vgic.lock, flags);
	vgic_kick_all(d, &k);
}

/** True if v has a deliverable IRQ or a pending list register. Takes d->arch.vgic.lock. */
bool vgic_vcpu_has_pending(struct vcpu *v)
{
	struct domain *d = v->domain;
	unsigned long flags;
	bool found = false;

	spin_lock_irqsave(&d->arch.vgic.lock, flags);
	for (unsigned int i = 0; i < v->arch.vgic.nr_lrs_used && i < VGIC_MAX_LRS && !found; i++) {
		found = (v->arch.vgic.lrs[i] & ICH_LR_PENDING) != 0;
	}
	for (u32 i = 0; i < VGIC_NR_PRIVATE && !found; i++) {
		found = vgic_irq_deliverable(d, v, &v->arch.vgic.private_irqs[i]);
	}
	for (unsigned int i = 0; i < d->arch.vgic.nr_spis && !found; i++) {
		const struct vgic_irq *irq = &d->arch.vgic.spis[i];

		found = irq->target_vcpu == v->id && vgic_irq_deliverable(d, NULL, irq);
	}
	spin_unlock_irqrestore(&d->arch.vgic.lock, flags);
	return found;
}

/**
 * Decodes a guest write to ICC_SGI1R_EL1 (IHI 0069 12.2, ICC_SGI1R_EL1): TargetList
 * [15:0], Aff1 [23:16], INTID [27:24], Aff2 [39:32], IRM [40], RS [47:44], Aff3
 * [55:48]. With IRM = 1 the SGI goes to every vCPU of the domain but v; otherwise to
 * each vCPU whose affinity is Aff3.Aff2.Aff1.(RS * 16 + n) for a set TargetList bit n.
 * Targets that name no vCPU are ignored. Takes d->arch.vgic.lock; kicks afterwards.
 */
void vgic_handle_sgi1r(struct vcpu *v, u64 value)
{
	struct domain *d = v->domain;
	struct vgic_kick_set k = { { 0 } };
	u32 intid = (u32)(value >> 24) & 0xf;
	u32 targets = (u32)value & 0xffff;
	bool irm = (value >> 40) & 1;
	u64 rs = (value >> 44) & 0xf;
	/* Aff3.Aff2.Aff1 in MPIDR_EL1 positions (Arm ARM D19.2.86). */
	u64 aff321 = (((value >> 48) & 0xff) << 32) | (((value >> 32) & 0xff) << 16) |
		     (((value >> 16) & 0xff) << 8);
	unsigned long flags;

	spin_lock_irqsave(&d->arch.vgic.lock, flags);
	for (unsigned int i = 0; i < d->nr_vcpus; i++) {
		struct vcpu *t = vgic_vcpu_by_index(d, i);
		struct vgic_irq *irq;
		u64 aff;
		bool was;

		if (t == NULL) {
			continue;
		}
		aff = t->arch.vmpidr & VGIC_AFF_MASK;
		if (irm) {
			if (t == v) {
				continue;
			}
		} else {
			u64 aff0 = aff & 0xff;

			if ((aff & ~0xffULL) != aff321 || aff0 / 16 != rs ||
			    !(targets & (1u << (aff0 % 16)))) {
				continue;
			}
		}
		irq = &t->arch.vgic.private_irqs[intid];
		was = vgic_irq_deliverable(d, t, irq);
		irq->pending_latch = true;
		irq->sgi_source = 0; /* GICv3 with ARE: no source ID */
		vgic_kick_note(&k, d, t, irq, was);
	}
	spin_unlock_irqrestore(&d->arch.vgic.lock, flags);
	vgic_kick_all(d, &k);
}

/** Folds v's list registers back into the IRQ state. Caller holds d->arch.vgic.lock. */
static void vgic_sync_locked(struct vcpu *v)
{
	struct domain *d = v->domain;
	struct vgic_cpu *vc = &v->arch.vgic;

	ASSERT(spin_is_locked(&d->arch.vgic.lock));
	for (unsigned int i = 0; i < vc->nr_lrs_used && i < VGIC_MAX_LRS; i++) {
		u64 lr = arch_gic_read_lr(i);
		u64 written = vc->lrs[i];
		struct vgic_irq *irq = vgic_irq_get(d, v, vc->lr_intid[i]);

		vc->lrs[i] = lr;
		if (irq == NULL || irq->lr != (s8)i || irq->lr_vcpu != v->id) {
			vgic_warn_once(d, VGIC_WARN_BAD_LR, "list register lost track of INTID",
				       vc->lr_intid[i], i);
			continue;
		}
		irq->lr = -1;
		irq->active = (lr & ICH_LR_ACTIVE) != 0;
		if (lr & ICH_LR_PENDING) {
			/* Not yet acknowledged: an edge keeps (or merges into) its latch. */
			if (irq->edge || irq->hw) {
				irq->pending_latch = true;
			}
		} else if ((written & ICH_LR_PENDING) && !irq->edge) {
			/* The guest acknowledged a level IRQ: a software pending is consumed
			 * unless it was raised again meanwhile; line_level, if still high,
			 * keeps it pending. */
			irq->pending_latch = irq->raised_again;
		}
		irq->raised_again = false;
	}
	vc->nr_lrs_used = 0;
}

/** Orders list-register candidates: active first, then priority, then INTID. */
static bool vgic_lr_before(const struct vgic_irq *a, const struct vgic_irq *b)
{
	if (a->active != b->active) {
		return a->active;
	}
	if (a->priority != b->priority) {
		return a->priority < b->priority;
	}
	return a->intid < b->intid;
}

/**
 * Inserts irq into the sorted selection sel[0..*n) of at most max entries. Returns
 * false if an IRQ (irq or the one pushed out) did not fit.
 */
static bool vgic_lr_select(struct vgic_irq **sel, unsigned int *n, unsigned int max,
			   struct vgic_irq *irq)
{
	unsigned int pos = *n;
	bool fits = true;

	while (pos > 0 && vgic_lr_before(irq, sel[pos - 1])) {
		pos--;
	}
	if (pos >= max) {
		return false;
	}
	if (*n == max) {
		fits = false; /* the last one drops out */
	} else {
		(*n)++;
	}
	for (unsigned int i = *n - 1; i > pos; i--) {
		sel[i] = sel[i - 1];
	}
	sel[pos] = irq;
	return fits;
}

/** Considers one IRQ for v's list registers. Caller holds d->arch.vgic.lock. */
static void vgic_lr_consider(struct domain *d, struct vcpu *v, struct vgic_irq *irq,
			     struct vgic_irq **sel, unsigned int *n, unsigned int max,
			     bool *overflow)
{
	if (irq->lr >= 0) {
		return; /* an SPI still listed on the vCPU it was routed to before */
	}
	if (!irq->active && !vgic_irq_deliverable(d, v, irq)) {
		return;
	}
	if (!vgic_lr_select(sel, n, max, irq)) {
		*overflow = true;
	}
}

/**
 * Fills v's list registers with its active IRQs and its highest-priority deliverable
 * ones (IHI 0069 12.5, ICH_LR<n>_EL2), clears the others and requests the underflow
 * maintenance interrupt if some did not fit. Runs on v's pCPU before entering it, IRQs
 * masked; takes d->arch.vgic.lock.
 */
void vgic_flush_lrs(struct vcpu *v)
{
	struct domain *d = v->domain;
	struct vgic_cpu *vc = &v->arch.vgic;
	struct vgic_irq *sel[VGIC_MAX_LRS];
	unsigned int max = MIN(arch_gic_nr_lrs(), (unsigned int)VGIC_MAX_LRS);
	unsigned int n = 0;
	bool overflow = false;
	unsigned long flags;

	spin_lock_irqsave(&d->arch.vgic.lock, flags);
	if (vc->nr_lrs_used != 0) {
		vgic_sync_locked(v); /* flushed twice without a sync in between */
	}
	for (u32 i = 0; i < VGIC_NR_PRIVATE; i++) {
		vgic_lr_consider(d, v, &vc->private_irqs[i], sel, &n, max, &overflow);
	}
	for (unsigned int i = 0; i < d->arch.vgic.nr_spis; i++) {
		struct vgic_irq *irq = &d->arch.vgic.spis[i];

		if (irq->target_vcpu == v->id) {
			vgic_lr_consider(d, v, irq, sel, &n, max, &overflow);
		}
	}
	for (unsigned int i = 0; i < max; i++) {
		u64 lr = 0;

		if (i < n) {
			struct vgic_irq *irq = sel[i];

			lr = (irq->intid & ICH_LR_VINTID_MASK) |
			     ((u64)irq->priority << ICH_LR_PRIORITY_SHIFT) | ICH_LR_GROUP;
			if (irq->hw) {
				/* pINTID [41:32]; the guest's deactivation reaches the GIC. */
				lr |= ICH_LR_HW | ((u64)(irq->hwintid & 0x3ff) << 32);
			}
			if (irq->active) {
				lr |= ICH_LR_ACTIVE;
			}
			if (vgic_irq_deliverable(d, v, irq)) {
				lr |= ICH_LR_PENDING;
				/* Edge and hardware IRQs: each physical event is one pending. */
				if (irq->edge || irq->hw) {
					irq->pending_latch = false;
				}
			}
			irq->lr = (s8)i;
			irq->lr_vcpu = (u16)v->id;
			vc->lr_intid[i] = irq->intid;
		}
		vc->lrs[i] = lr;
		arch_gic_write_lr(i, lr);
	}
	vc->nr_lrs_used = n;
	spin_unlock_irqrestore(&d->arch.vgic.lock, flags);
	arch_gic_set_underflow(overflow);
}

/**
 * Folds v's list registers back into the IRQ state after the guest ran: what it
 * acknowledged becomes active, what it deactivated (invalid LR) becomes inactive;
 * level IRQs stay pending while their line is high. Runs on v's pCPU right after the
 * exit, IRQs masked; takes d->arch.vgic.lock.
 */
void vgic_sync_lrs(struct vcpu *v)
{
	struct domain *d = v->domain;
	unsigned long flags;

	spin_lock_irqsave(&d->arch.vgic.lock, flags);
	vgic_sync_locked(v);
	spin_unlock_irqrestore(&d->arch.vgic.lock, flags);
}

/**
 * Saves v's virtual CPU interface state (ICH_VMCR_EL2 and the active-priority
 * registers, IHI 0069 12.5) when it is switched out. The list registers need no
 * saving: vgic_sync_lrs() has folded them already. On v's pCPU, IRQs masked.
 */
void vgic_save_state(struct vcpu *v)
{
	struct vgic_cpu *vc = &v->arch.vgic;
	unsigned int nr = MIN(arch_gic_nr_aprs(), (unsigned int)VGIC_MAX_APRS);

	vc->vmcr = arch_gic_read_vmcr();
	for (unsigned int i = 0; i < nr; i++) {
		vc->ap0r[i] = arch_gic_read_apr(0, i);
		vc->ap1r[i] = arch_gic_read_apr(1, i);
	}
}

/** Restores what vgic_save_state() saved, before v is entered again. */
void vgic_restore_state(struct vcpu *v)
{
	struct vgic_cpu *vc = &v->arch.vgic;
	unsigned int nr = MIN(arch_gic_nr_aprs(), (unsigned int)VGIC_MAX_APRS);

	arch_gic_write_vmcr(vc->vmcr);
	for (unsigned int i = 0; i < nr; i++) {
		arch_gic_write_apr(0, i, vc->ap0r[i]);
		arch_gic_write_apr(1, i, vc->ap1r[i]);
	}
}
