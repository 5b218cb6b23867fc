/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SMCCC and PSCI for guests (Arm DEN0028 SMCCC 1.1, DEN0022 PSCI 1.1), reached by
 * HVC #0 or SMC #0. Function ID in w0, arguments x1-x3, result in x0; unknown
 * functions return NOT_SUPPORTED as SMCCC requires.
 */
#include <hv/domain.h>
#include <asm/traps.h>
#include <asm/vgic.h>
#include <hv/log.h>
#include <hv/sched.h>

#define PSCI_VERSION 0x84000000u
#define PSCI_CPU_SUSPEND_32 0x84000001u
#define PSCI_CPU_SUSPEND_64 0xC4000001u
#define PSCI_CPU_OFF 0x84000002u
#define PSCI_CPU_ON_32 0x84000003u
#define PSCI_CPU_ON_64 0xC4000003u
#define PSCI_AFFINITY_INFO_32 0x84000004u
#define PSCI_AFFINITY_INFO_64 0xC4000004u
#define PSCI_MIGRATE_INFO_TYPE 0x84000006u
#define PSCI_SYSTEM_OFF 0x84000008u
#define PSCI_SYSTEM_RESET 0x84000009u
#define PSCI_FEATURES 0x8400000Au
#define SMCCC_VERSION 0x80000000u
#define SMCCC_ARCH_FEATURES 0x80000001u

/* PSCI return codes (DEN0022 5.2.2). */
#define PSCI_SUCCESS 0
#define PSCI_NOT_SUPPORTED (-1)
#define PSCI_INVALID_PARAMETERS (-2)
#define PSCI_ALREADY_ON (-4)
#define PSCI_INVALID_ADDRESS (-9)
#define PSCI_1_1 0x10001u /* major 1, minor 1 */
#define SMCCC_1_1 0x10001u
#define AFFINITY_ON 0
#define AFFINITY_OFF 1
#define MIGRATE_NOT_REQUIRED 2

/* The vCPU of d whose virtual MPIDR affinity is 'mpidr' (Aff3..Aff0), or NULL. */
static struct vcpu *vcpu_by_mpidr(struct domain *d, u64 mpidr)
{
	u64 aff = mpidr & MPIDR_AFF_MASK;

	for (unsigned int i = 0; i < d->nr_vcpus; i++) {
		if ((d->vcpus[i]->arch.vmpidr & MPIDR_AFF_MASK) == aff) {
			return d->vcpus[i];
		}
	}
	return NULL;
}

static s64 psci_cpu_on(struct vcpu *v, u64 target, u64 entry, u64 ctx, bool is64)
{
	struct domain *d = v->domain;
	struct vcpu *t;
	unsigned long flags;
	s64 rc = PSCI_SUCCESS;

	if (!is64) {
		target &= 0xffffffff;
		entry &= 0xffffffff;
		ctx &= 0xffffffff;
	}
	t = vcpu_by_mpidr(d, target);
	if (t == NULL) {
		return PSCI_INVALID_PARAMETERS;
	}
	if (entry & 3) {
		return PSCI_INVALID_ADDRESS;
	}
	/* d->lock makes "is it off? then start it" atomic against other callers. */
	spin_lock_irqsave(&d->lock, flags);
	if (t->state != VCPU_OFFLINE || t->online_pending || t->loaded) {
		rc = PSCI_ALREADY_ON;
	} else {
		t->online_pending = true;
	}
	spin_unlock_irqrestore(&d->lock, flags);
	if (rc == PSCI_SUCCESS) {
		vcpu_power_on(t, entry, ctx);
		t->online_pending = false;
	}
	return rc;
}

static s64 psci_affinity_info(struct vcpu *v, u64 target, u64 level)
{
	struct vcpu *t;

	if (level != 0) {
		return PSCI_INVALID_PARAMETERS;
	}
	t = vcpu_by_mpidr(v->domain, target);
	if (t == NULL) {
		return PSCI_INVALID_PARAMETERS;
	}
	/* Still loaded means still on its way off: ON until it is really stopped. */
	return (t->state == VCPU_OFFLINE && !t->online_pending && !t->loaded) ? AFFINITY_OFF
									      : AFFINITY_ON;
}

static bool psci_fn_supported(u32 fn)
{
	switch (fn) {
	case PSCI_VERSION:
	case PSCI_CPU_SUSPEND_32:
	case PSCI_CPU_SUSPEND_64:
	case PSCI_CPU_OFF:
	case PSCI_CPU_ON_32:
	case PSCI_CPU_ON_64:
	case PSCI_AFFINITY_INFO_32:
	case PSCI_AFFINITY_INFO_64:
	case PSCI_MIGRATE_INFO_TYPE:
	case PSCI_SYSTEM_OFF:
	case PSCI_SYSTEM_RESET:
	case PSCI_FEATURES:
	case SMCCC_VERSION:
		return true;
	default:
		return false;
	}
}

/** See hv/hypercall.h. */
void do_trap_smccc(struct vcpu *v)
{
	struct guest_regs *r = &v->arch.regs;
	u32 fn = (u32)r->x[0];
	s64 ret;

	switch (fn) {
	case PSCI_VERSION:
		ret = PSCI_1_1;
		break;
	case PSCI_CPU_SUSPEND_32:
	case PSCI_CPU_SUSPEND_64:
		/* A standby state: wait for an interrupt, like WFI (DEN0022 5.4). */
		vcpu_block_current();
		ret = PSCI_SUCCESS;
		break;
	case PSCI_CPU_OFF:
		vcpu_offline(v);
		ret = PSCI_SUCCESS; /* never seen: the vCPU is off */
		break;
	case PSCI_CPU_ON_32:
	case PSCI_CPU_ON_64:
		ret = psci_cpu_on(v, r->x[1], r->x[2], r->x[3], fn == PSCI_CPU_ON_64);
		break;
	case PSCI_AFFINITY_INFO_32:
	case PSCI_AFFINITY_INFO_64:
		ret = psci_affinity_info(v, r->x[1], r->x[2]);
		break;
	case PSCI_MIGRATE_INFO_TYPE:
		ret = MIGRATE_NOT_REQUIRED;
		break;
	case PSCI_SYSTEM_OFF:
		domain_shutdown(v->domain, SHUTDOWN_poweroff);
		ret = PSCI_SUCCESS;
		break;
	case PSCI_SYSTEM_RESET:
		domain_shutdown(v->domain, SHUTDOWN_reboot);
		ret = PSCI_SUCCESS;
		break;
	case PSCI_FEATURES:
		ret = psci_fn_supported((u32)r->x[1]) ? PSCI_SUCCESS : PSCI_NOT_SUPPORTED;
		break;
	case SMCCC_VERSION:
		ret = SMCCC_1_1;
		break;
	case SMCCC_ARCH_FEATURES:
		/* Only SMCCC_VERSION itself is discoverable; no workarounds are needed. */
		ret = ((u32)r->x[1] == SMCCC_VERSION) ? 0 : PSCI_NOT_SUPPORTED;
		break;
	default:
		ret = PSCI_NOT_SUPPORTED;
		break;
	}
	r->x[0] = (u64)ret;
}
