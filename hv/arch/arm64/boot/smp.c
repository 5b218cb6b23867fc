/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Secondary CPU bring-up through PSCI CPU_ON, and the SGIs the hypervisor's CPUs
 * send each other. A CPU counts as online only after it has proven that its
 * redistributor, CPU interface and hypervisor timer work: it takes a timer interrupt
 * and answers an SGI from the boot CPU.
 */
#include <asm/gic.h>
#include <asm/irq.h>
#include <hv/arch.h>
#include <asm/mm.h>
#include <asm/psci.h>
#include <asm/sysregs.h>
#include <asm/time.h>
#include <hv/log.h>
#include <hv/percpu.h>
#include <asm/p2m.h>
#include <hv/sched.h>
#include <hv/smp.h>
#include <asm/vgic.h>
#include <public/xen.h>

extern char boot_stacks[];

#define CPU_ON_TIMEOUT_NS 10000000000ull /* TCG on a loaded host is slow: 10 s */
#define SELFCHECK_TIMER_NS 1000000ull	 /* 1 ms */
#define SELFCHECK_TIMEOUT_NS 1000000000ull

struct pcpu pcpus[NR_CPUS];
unsigned int nr_cpus_online;

extern char secondary_entry[];
void secondary_start(u64 id);

struct pcpu *this_pcpu(void)
{
	return (struct pcpu *)(uintptr_t)read_sysreg(tpidr_el2);
}

/** This CPU's affinity (Aff3..Aff0 of MPIDR_EL1). */
u64 cpu_current_mpidr(void)
{
	return read_sysreg(mpidr_el1) & MPIDR_AFF_MASK;
}

static void selfcheck_fired(void *data)
{
	__atomic_store_n((bool *)data, true, __ATOMIC_RELEASE);
}

/*
 * Proves this CPU takes hypervisor timer interrupts: arms a timer 1 ms ahead and
 * waits for it with interrupts enabled. Called with IRQs masked; returns likewise.
 */
static bool cpu_timer_selfcheck(void)
{
	struct timer t;
	bool fired = false;
	u64 deadline = now_ns() + SELFCHECK_TIMEOUT_NS;

	timer_init(&t, selfcheck_fired, &fired, this_pcpu()->id);
	timer_set(&t, now_ns() + SELFCHECK_TIMER_NS);
	/* Polled, not WFI: a lost interrupt must end in a message, not a hang. */
	arch_local_irq_enable();
	while (!__atomic_load_n(&fired, __ATOMIC_ACQUIRE) && now_ns() < deadline) {
		arch_cpu_relax();
	}
	arch_local_irq_disable();
	timer_stop(&t);
	return fired;
}

/** Per-CPU setup shared by the boot CPU and secondaries. Returns true if healthy. */
bool cpu_local_init(unsigned int id)
{
	struct pcpu *c = &pcpus[id];

	write_sysreg((uintptr_t)c, tpidr_el2);
	c->stack_top = (u64)(uintptr_t)boot_stacks + ((u64)id + 1) * BOOT_STACK_SIZE;
	c->boot_stage = 1;
	if (gic_cpu_init() != 0) {
		return false;
	}
	c->boot_stage = 2;
	time_cpu_init();
	c->boot_stage = 3;
	p2m_cpu_init();
	vgic_hw_cpu_init();
	c->boot_stage = 4;
	gic_enable_irq(SGI_PING);
	gic_enable_irq(SGI_TIMER_KICK);
	gic_enable_irq(SGI_STOP);
	gic_enable_irq(SGI_KICK);
	gic_enable_irq(GUEST_VTIMER_PPI);
	gic_enable_irq(vgic_maint_irq);
	c->boot_stage = 5;
	if (!cpu_timer_selfcheck()) {
		log_err("CPU%u: the hypervisor timer interrupt never arrived (CNTHP_CTL 0x%llx, "
			"%llu interrupts taken)\n",
			id, (unsigned long long)read_sysreg(cnthp_ctl_el2),
			(unsigned long long)c->nr_irqs);
		return false;
	}
	return true;
}

/** C entry of a secondary CPU (from head.S, MMU on). */
void secondary_start(u64 id)
{
	struct pcpu *c = &pcpus[id];

	if (!cpu_local_init((unsigned int)id)) {
		machine_halt_cpu();
	}
	__atomic_store_n(&c->online, true, __ATOMIC_RELEASE);
	sched_idle_loop();
}

static void clean_to_poc(const void *p, size_t n)
{
	for (uintptr_t a = (uintptr_t)p & ~63ul; a < (uintptr_t)p + n; a += 64) {
		__asm__ volatile("dc cvac, %0" : : "r"(a) : "memory");
	}
	dsb_sy();
}

static bool wait_for(volatile bool *flag, u64 timeout_ns)
{
	u64 end = now_ns() + timeout_ns;

	while (!__atomic_load_n(flag, __ATOMIC_ACQUIRE)) {
		if (now_ns() > end) {
			return false;
		}
		arch_cpu_relax();
	}
	return true;
}

/* Sends an SGI to cpu and waits until its handler has run. */
static bool sgi_ping(unsigned int cpu)
{
	u64 before = __atomic_load_n(&pcpus[cpu].nr_sgis_seen, __ATOMIC_ACQUIRE);
	u64 end = now_ns() + SELFCHECK_TIMEOUT_NS;

	gic_send_sgi(cpu, SGI_PING);
	while (__atomic_load_n(&pcpus[cpu].nr_sgis_seen, __ATOMIC_ACQUIRE) == before) {
		if (now_ns() > end) {
			return false;
		}
		arch_cpu_relax();
	}
	return true;
}

/** See hv/smp.h. The boot CPU (pcpus[0]) is already initialised. */
unsigned int smp_bring_up(const struct boot_info *bi)
{
	extern u64 boot_ttbr;
	u64 boot_mpidr = pcpus[0].mpidr;
	unsigned int next = 1;

	nr_cpus_online = 1;
	clean_to_poc(&boot_ttbr, sizeof(boot_ttbr));
	for (unsigned int i = 0; i < bi->nr_cpus; i++) {
		u64 mpidr = bi->cpu_mpidr[i];
		struct pcpu *c;
		int rc;

		if (mpidr == boot_mpidr) {
			continue;
		}
		if (next >= NR_CPUS) {
			log_warn("CPU with MPIDR 0x%llx ignored: this build supports %u CPUs "
				 "(CONFIG_NR_CPUS)\n",
				 (unsigned long long)mpidr, NR_CPUS);
			continue;
		}
		if (!psci_available()) {
			break;
		}
		c = &pcpus[next];
		c->id = next;
		c->mpidr = mpidr;
		timer_queue_init(&c->timers);
		clean_to_poc(c, sizeof(*c));
		rc = psci_cpu_on(mpidr, virt_to_phys(secondary_entry), next);
		if (rc != 0) {
			log_warn("CPU%u (MPIDR 0x%llx): PSCI CPU_ON failed (%d)\n", next,
				 (unsigned long long)mpidr, rc);
			continue;
		}
		if (!wait_for(&c->online, CPU_ON_TIMEOUT_NS)) {
			log_warn("CPU%u (MPIDR 0x%llx) did not come online (reached stage %u, "
				 "%llu interrupts taken)\n",
				 next, (unsigned long long)mpidr, c->boot_stage,
				 (unsigned long long)c->nr_irqs);
			next++;
			continue;
		}
		if (!sgi_ping(next)) {
			log_warn("CPU%u does not answer SGIs: not used\n", next);
			c->online = false;
			next++;
			continue;
		}
		log_debug("CPU%u online (MPIDR 0x%llx)\n", next, (unsigned long long)mpidr);
		nr_cpus_online++;
		next++;
	}
	return nr_cpus_online;
}

/** SGI handler (IRQ context). */
void smp_handle_sgi(u32 sgi)
{
	switch (sgi) {
	case SGI_PING:
		__atomic_fetch_add(&this_pcpu()->nr_sgis_seen, 1, __ATOMIC_RELEASE);
		break;
	case SGI_TIMER_KICK:
		arch_timer_kick(this_pcpu()->id);
		break;
	case SGI_KICK:
		sched_kick_handler();
		break;
	case SGI_STOP:
		gic_eoi(sgi);
		machine_halt_cpu();
	default:
		log_warn("CPU%u: unexpected SGI %u\n", this_pcpu()->id, sgi);
		break;
	}
}

/** See hv/smp.h. */
void smp_stop_others(void)
{
	if (nr_cpus_online > 1) {
		gic_send_sgi_others(SGI_STOP);
		udelay(1000);
	}
}
