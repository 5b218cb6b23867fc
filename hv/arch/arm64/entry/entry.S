/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Entering and leaving guests. Each pCPU has one hypervisor stack; while a guest runs
 * nothing lives on it, so every exit saves the guest's registers straight into its
 * struct vcpu, resets SP to the stack top and calls C, which returns the vCPU to
 * enter next (the same one, or another after a context switch).
 */
#include <asm/domain.h>
#include <asm/regs.h>
#include <hv/percpu_offsets.h>

	.text
/*
 * From a lower-EL vector: the guest's x0 and x1 are on the stack, x1 = exit kind.
 */
	.globl	guest_exit
guest_exit:
	mrs	x0, tpidr_el2
	ldr	x0, [x0, #PCPU_CURRENT_OFFSET]	/* struct vcpu *, regs at offset 0 */
	stp	x2, x3, [x0, #GREGS_X(2)]
	stp	x4, x5, [x0, #GREGS_X(4)]
	stp	x6, x7, [x0, #GREGS_X(6)]
	stp	x8, x9, [x0, #GREGS_X(8)]
	stp	x10, x11, [x0, #GREGS_X(10)]
	stp	x12, x13, [x0, #GREGS_X(12)]
	stp	x14, x15, [x0, #GREGS_X(14)]
	stp	x16, x17, [x0, #GREGS_X(16)]
	stp	x18, x19, [x0, #GREGS_X(18)]
	stp	x20, x21, [x0, #GREGS_X(20)]
	stp	x22, x23, [x0, #GREGS_X(22)]
	stp	x24, x25, [x0, #GREGS_X(24)]
	stp	x26, x27, [x0, #GREGS_X(26)]
	stp	x28, x29, [x0, #GREGS_X(28)]
	str	x30, [x0, #GREGS_X(30)]
	ldp	x2, x3, [sp], #16		/* the guest's x0, x1 */
	stp	x2, x3, [x0, #GREGS_X(0)]
	mrs	x2, elr_el2
	mrs	x3, spsr_el2
	stp	x2, x3, [x0, #GREGS_PC]
	mrs	x2, tpidr_el2
	ldr	x2, [x2, #PCPU_STACK_TOP_OFFSET]
	mov	sp, x2
	mov	x29, xzr
	mov	x30, xzr
	bl	do_guest_exit			/* (vcpu, kind) -> vcpu to enter */
	/* fall through */

/*
 * void arch_vcpu_enter(struct vcpu *v): restores v's registers and returns to it.
 * v's EL1 state, stage 2 and vGIC are already loaded on this pCPU.
 */
	.globl	arch_vcpu_enter
arch_vcpu_enter:
	mrs	x1, tpidr_el2
	ldr	x1, [x1, #PCPU_STACK_TOP_OFFSET]
	mov	sp, x1
	ldp	x1, x2, [x0, #GREGS_PC]
	msr	elr_el2, x1
	msr	spsr_el2, x2
	ldp	x2, x3, [x0, #GREGS_X(2)]
	ldp	x4, x5, [x0, #GREGS_X(4)]
	ldp	x6, x7, [x0, #GREGS_X(6)]
	ldp	x8, x9, [x0, #GREGS_X(8)]
	ldp	x10, x11, [x0, #GREGS_X(10)]
	ldp	x12, x13, [x0, #GREGS_X(12)]
	ldp	x14, x15, [x0, #GREGS_X(14)]
	ldp	x16, x17, [x0, #GREGS_X(16)]
	ldp	x18, x19, [x0, #GREGS_X(18)]
	ldp	x20, x21, [x0, #GREGS_X(20)]
	ldp	x22, x23, [x0, #GREGS_X(22)]
	ldp	x24, x25, [x0, #GREGS_X(24)]
	ldp	x26, x27, [x0, #GREGS_X(26)]
	ldp	x28, x29, [x0, #GREGS_X(28)]
	ldr	x30, [x0, #GREGS_X(30)]
	ldp	x0, x1, [x0, #GREGS_X(0)]
	eret
	dsb	nsh				/* no speculation past the ERET */
	isb

/* FP/SIMD save and restore: x0 = struct fp_state *. */
	.globl	fp_save
fp_save:
	stp	q0, q1, [x0, #0x000]
	stp	q2, q3, [x0, #0x020]
	stp	q4, q5, [x0, #0x040]
	stp	q6, q7, [x0, #0x060]
	stp	q8, q9, [x0, #0x080]
	stp	q10, q11, [x0, #0x0a0]
	stp	q12, q13, [x0, #0x0c0]
	stp	q14, q15, [x0, #0x0e0]
	stp	q16, q17, [x0, #0x100]
	stp	q18, q19, [x0, #0x120]
	stp	q20, q21, [x0, #0x140]
	stp	q22, q23, [x0, #0x160]
	stp	q24, q25, [x0, #0x180]
	stp	q26, q27, [x0, #0x1a0]
	stp	q28, q29, [x0, #0x1c0]
	stp	q30, q31, [x0, #0x1e0]
	mrs	x1, fpsr
	mrs	x2, fpcr
	add	x0, x0, #0x200
	stp	x1, x2, [x0]
	ret

	.globl	fp_restore
fp_restore:
	ldp	q0, q1, [x0, #0x000]
	ldp	q2, q3, [x0, #0x020]
	ldp	q4, q5, [x0, #0x040]
	ldp	q6, q7, [x0, #0x060]
	ldp	q8, q9, [x0, #0x080]
	ldp	q10, q11, [x0, #0x0a0]
	ldp	q12, q13, [x0, #0x0c0]
	ldp	q14, q15, [x0, #0x0e0]
	ldp	q16, q17, [x0, #0x100]
	ldp	q18, q19, [x0, #0x120]
	ldp	q20, q21, [x0, #0x140]
	ldp	q22, q23, [x0, #0x160]
	ldp	q24, q25, [x0, #0x180]
	ldp	q26, q27, [x0, #0x1a0]
	ldp	q28, q29, [x0, #0x1c0]
	ldp	q30, q31, [x0, #0x1e0]
	add	x0, x0, #0x200
	ldp	x1, x2, [x0]
	msr	fpsr, x1
	msr	fpcr, x2
	ret
