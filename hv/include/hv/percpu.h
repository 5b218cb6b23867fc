/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Per-physical-CPU data: one struct pcpu per CPU in a static array. TPIDR_EL2 holds
 * the running CPU's entry; this_pcpu() is the only accessor.
 */
#pragma once

#include <generated/config.h>
#include <hv/percpu_offsets.h>
#include <hv/timer.h>
#include <hv/types.h>

#define NR_CPUS CONFIG_NR_CPUS
/* Per-pCPU hypervisor stack (head.S STACK_SHIFT). */
#define BOOT_STACK_SIZE 16384

struct vcpu;

/** Run queue of one pCPU (hv/common/sched.c); guarded by 'lock'. */
struct sched_pcpu {
	spinlock_t lock;
	struct vcpu *rq_head, *rq_tail; /* runnable vCPUs waiting for this pCPU */
	unsigned int nr_assigned;	/* vCPUs placed on this pCPU */
	bool need_resched;
	u64 slice_end; /* when the running vCPU's time slice ends */
	struct timer slice_timer;
};

struct pcpu {
	/* These two first: the guest entry/exit code uses their offsets. */
	struct vcpu *current; /* vCPU loaded on this pCPU, NULL when idle */
	u64 stack_top;	      /* top of this pCPU's hypervisor stack */
	unsigned int id;      /* logical index; 0 = boot CPU */
	u64 mpidr;	      /* affinity (MPIDR_EL1 without the U/MT bits) */
	bool online;	      /* written once by the CPU itself, read by others */
	struct timer_queue timers;
	void *redist;	  /* this CPU's GIC redistributor (RD_base) */
	u64 nr_irqs;	  /* interrupts taken */
	u64 nr_sgis_seen; /* SGIs taken (bring-up check) */
	struct sched_pcpu sched;
	unsigned int boot_stage; /* bring-up progress, reported if it stalls */
};

_Static_assert(offsetof(struct pcpu, current) == PCPU_CURRENT_OFFSET, "entry.S");
_Static_assert(offsetof(struct pcpu, stack_top) == PCPU_STACK_TOP_OFFSET, "entry.S");

extern struct pcpu pcpus[NR_CPUS];
/** Number of CPUs that completed bring-up. */
extern unsigned int nr_cpus_online;

struct pcpu *this_pcpu(void);
