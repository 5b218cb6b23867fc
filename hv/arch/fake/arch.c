/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The fake architecture's side of the arch contract (hv/arch.h) for host unit tests:
 * every call is recorded in fake_arch or in the vCPU's/domain's struct arch_* so a
 * test can check what common code asked for, and a test can make creation fail.
 * Links with nothing of the hypervisor but the log (and p2m.c for the p2m).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <hv/arch.h>
#include <hv/cache.h>
#include <hv/domain.h>
#include <hv/fake.h>
#include <hv/log.h>
#include <public/hvm_op.h>
#include <public/lamctl.h>

#define FAKE_EVTCHN_IRQ 31
#define FAKE_COUNTER_HZ 62500000ull

struct fake_arch fake_arch;

void fake_arch_reset(void)
{
	memset(&fake_arch, 0, sizeof(fake_arch));
}

int fake_p2m_create(struct domain *d);
void fake_p2m_destroy(struct domain *d);

bool arch_guest_cmpxchg32(u32 *p, u32 *expected, u32 desired)
{
	if (fake_arch.guest_cmpxchg_hook != NULL) {
		fake_arch.guest_cmpxchg_hook(p);
	}
	return __atomic_compare_exchange_n(p, expected, desired, false, __ATOMIC_ACQ_REL,
					   __ATOMIC_ACQUIRE);
}

int arch_domain_create(struct domain *d, const struct domain_config *cfg)
{
	int rc = fake_arch.fail_domain_create;

	if (rc != 0) {
		fake_arch.fail_domain_create = 0;
		return rc;
	}
	rc = fake_p2m_create(d);
	if (rc != 0) {
		return rc;
	}
	d->arch.evtchn_irq = cfg->evtchn_ppi != 0 ? cfg->evtchn_ppi : FAKE_EVTCHN_IRQ;
	d->arch.created = true;
	fake_arch.domains_live++;
	return 0;
}

void arch_domain_destroy(struct domain *d)
{
	fake_p2m_destroy(d);
	if (d->arch.created) {
		d->arch.created = false;
		fake_arch.domains_live--;
	}
}

void arch_domain_describe(const struct domain *d, struct lam_dom_create *out)
{
	out->gicd_base = 0;
	out->gicr_base = 0;
	out->evtchn_ppi = d->arch.evtchn_irq;
	out->clock_frequency = (u32)FAKE_COUNTER_HZ;
}

u64 arch_domain_callback_param(const struct domain *d)
{
	return ((u64)HVM_PARAM_CALLBACK_TYPE_PPI << HVM_PARAM_CALLBACK_TYPE_SHIFT) |
	       d->arch.evtchn_irq;
}

int arch_vcpu_create(struct vcpu *v)
{
	int rc = fake_arch.fail_vcpu_create;

	if (rc != 0) {
		fake_arch.fail_vcpu_create = 0;
		return rc;
	}
	memset(&v->arch, 0, sizeof(v->arch));
	v->arch.created = true;
	fake_arch.vcpus_live++;
	return 0;
}

void arch_vcpu_destroy(struct vcpu *v)
{
	if (v->arch.created) {
		v->arch.created = false;
		fake_arch.vcpus_live--;
	}
}

void arch_vcpu_reset(struct vcpu *v, u64 entry, u64 ctx)
{
	v->arch.pc = entry;
	v->arch.ctx = ctx;
	v->arch.resets++;
}

void arch_vcpu_dump(const struct vcpu *v)
{
	log_warn("  pc %016llx (fake arch)\n", (unsigned long long)v->arch.pc);
}

u64 arch_vcpu_pc(const struct vcpu *v)
{
	return v->arch.pc;
}

unsigned int arch_vcpu_timers(struct vcpu *v, struct timer **out, unsigned int max)
{
	(void)v;
	(void)out;
	(void)max;
	return 0;
}

void arch_vcpu_save(struct vcpu *v)
{
	(void)v;
	fake_arch.saves++;
}

void arch_vcpu_load(struct vcpu *v)
{
	(void)v;
	fake_arch.loads++;
}

void arch_vcpu_prepare_entry(struct vcpu *v)
{
	(void)v;
}

void arch_vcpu_enter(struct vcpu *v)
{
	fake_arch.entered = v;
	mock_assert(fake_arch.enter_jmp != NULL, "arch_vcpu_enter without enter_jmp", __FILE__,
		    __LINE__);
	longjmp(*fake_arch.enter_jmp, 1);
}

bool arch_vcpu_irq_pending(struct vcpu *v)
{
	return v->arch.irq_pending;
}

void arch_evtchn_upcall(struct vcpu *v)
{
	v->arch.upcalls++;
}

void arch_kick_cpu(unsigned int cpu)
{
	mock_assert(cpu < FAKE_NR_CPUS, "arch_kick_cpu: no such pCPU", __FILE__, __LINE__);
	fake_arch.kicks[cpu]++;
}

u64 arch_counter_freq(void)
{
	return FAKE_COUNTER_HZ;
}

void udelay(u64 us)
{
	(void)us;
}

void machine_power_off(void)
{
	mock_assert(0, "machine_power_off", __FILE__, __LINE__);
	abort();
}

void machine_restart(void)
{
	mock_assert(0, "machine_restart", __FILE__, __LINE__);
	abort();
}

void machine_halt_cpu(void)
{
	mock_assert(0, "machine_halt_cpu", __FILE__, __LINE__);
	abort();
}

/* Cache maintenance (hv/cache.h): the host is coherent; calls are only counted. */
void dcache_clean_range(const void *va, u64 len)
{
	fake_arch.cache_cleans++;
	fake_arch.cleaned_bytes += len;
	fake_arch.last_cleaned = va;
}

void dcache_clean_inval_range(const void *va, u64 len)
{
	fake_arch.cache_cleans++;
	fake_arch.cleaned_bytes += len;
	fake_arch.last_cleaned = va;
}

void guest_clean_dcache(struct domain *d, gpaddr_t gpa, u64 len)
{
	(void)d;
	(void)gpa;
	(void)len;
	fake_arch.cache_cleans++;
}
