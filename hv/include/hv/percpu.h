/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Per-physical-CPU data: one struct pcpu per CPU in a static array. TPIDR_EL2 holds
 * the running CPU's entry; this_pcpu() is the only accessor.
 */
#pragma once

#include <generated/config.h>
#include <hv/timer.h>
#include <hv/types.h>

#define NR_CPUS CONFIG_NR_CPUS

struct pcpu {
	unsigned int id; /* logical index; 0 = boot CPU */
	u64 mpidr;	 /* affinity (MPIDR_EL1 without the U/MT bits) */
	bool online;	 /* written once by the CPU itself, read by others */
	struct timer_queue timers;
	void *redist;	  /* this CPU's GIC redistributor (RD_base) */
	u64 nr_irqs;	  /* interrupts taken */
	u64 nr_sgis_seen; /* SGIs taken (bring-up check) */
};

extern struct pcpu pcpus[NR_CPUS];
/** Number of CPUs that completed bring-up. */
extern unsigned int nr_cpus_online;

struct pcpu *this_pcpu(void);
