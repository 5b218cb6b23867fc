/* SPDX-License-Identifier: Apache-2.0 */
/* The register frame entry code saves on an exception (layout used by vectors.S). */
#pragma once

#define REGS_X(n) ((n)*8)
#define REGS_SP (31 * 8)
#define REGS_PC (32 * 8)
#define REGS_PSTATE (33 * 8)
#define REGS_ESR (34 * 8)
#define REGS_FAR (35 * 8)
#define REGS_SIZE (36 * 8)

#ifndef __ASSEMBLY__
#include <hv/types.h>

struct cpu_regs {
	u64 x[31];
	u64 sp;	    /* SP at the time of the exception */
	u64 pc;	    /* ELR_EL2 */
	u64 pstate; /* SPSR_EL2 */
	u64 esr;
	u64 far;
};

_Static_assert(sizeof(struct cpu_regs) == REGS_SIZE, "cpu_regs layout");
_Static_assert(REGS_SIZE % 16 == 0, "stack alignment");

void do_hyp_sync(struct cpu_regs *regs);
void do_hyp_irq(struct cpu_regs *regs);
void do_hyp_serror(struct cpu_regs *regs);
void do_bad_vector(struct cpu_regs *regs, u64 which);
#endif

/* Kinds of guest exit passed from vectors.S to do_guest_exit(). */
#define GUEST_EXIT_SYNC 0
#define GUEST_EXIT_IRQ 1
#define GUEST_EXIT_FIQ 2
#define GUEST_EXIT_SERROR 3
