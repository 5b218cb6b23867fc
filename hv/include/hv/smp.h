/* SPDX-License-Identifier: Apache-2.0 */
/* Bringing up the other CPUs and messaging between them (hv/arch/arm64/boot/smp.c). */
#pragma once

#include <hv/bootinfo.h>

/** INTID of the EL2 physical timer interrupt (from the DT, default PPI 26). */
extern u32 hyp_timer_irq;

/** Starts every CPU in 'bi' through PSCI CPU_ON; returns the number online. */
unsigned int smp_bring_up(const struct boot_info *bi);
void smp_handle_sgi(u32 sgi);
/** Per-CPU GIC and timer setup plus a timer-interrupt check; true if healthy. */
bool cpu_local_init(unsigned int id);
/** This CPU's affinity bits (MPIDR_EL1 Aff3..Aff0). */
u64 cpu_current_mpidr(void);
/** Stops every other CPU (used by panic). */
void smp_stop_others(void);
