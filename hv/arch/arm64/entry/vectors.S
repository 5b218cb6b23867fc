/* SPDX-License-Identifier: Apache-2.0 */
/*
 * EL2 exception vectors (Arm ARM D1.10.2: 16 entries of 128 bytes, 2 KiB aligned).
 * For now only exceptions taken from EL2 itself are expected: synchronous faults are
 * fatal hypervisor bugs, IRQs are the hypervisor's own (timer, SGIs). Entries for
 * lower ELs come with guests.
 */
#include <asm/domain.h>
#include <asm/regs.h>

/* Saves x0-x30, the interrupted SP, ELR, SPSR, ESR and FAR into a frame on the stack. */
.macro save_frame
	sub	sp, sp, #REGS_SIZE
	stp	x0, x1, [sp, #REGS_X(0)]
	stp	x2, x3, [sp, #REGS_X(2)]
	stp	x4, x5, [sp, #REGS_X(4)]
	stp	x6, x7, [sp, #REGS_X(6)]
	stp	x8, x9, [sp, #REGS_X(8)]
	stp	x10, x11, [sp, #REGS_X(10)]
	stp	x12, x13, [sp, #REGS_X(12)]
	stp	x14, x15, [sp, #REGS_X(14)]
	stp	x16, x17, [sp, #REGS_X(16)]
	stp	x18, x19, [sp, #REGS_X(18)]
	stp	x20, x21, [sp, #REGS_X(20)]
	stp	x22, x23, [sp, #REGS_X(22)]
	stp	x24, x25, [sp, #REGS_X(24)]
	stp	x26, x27, [sp, #REGS_X(26)]
	stp	x28, x29, [sp, #REGS_X(28)]
	add	x0, sp, #REGS_SIZE
	stp	x30, x0, [sp, #REGS_X(30)]
	mrs	x0, elr_el2
	mrs	x1, spsr_el2
	stp	x0, x1, [sp, #REGS_PC]
	mrs	x0, esr_el2
	mrs	x1, far_el2
	stp	x0, x1, [sp, #REGS_ESR]
	/* A frame record so backtraces walk through the exception. */
	ldr	x0, [sp, #REGS_PC]
	stp	x29, x0, [sp, #-16]!
	mov	x29, sp
	add	x0, sp, #16
.endm

.macro restore_frame
	add	sp, sp, #16
	ldp	x0, x1, [sp, #REGS_PC]
	msr	elr_el2, x0
	msr	spsr_el2, x1
	ldp	x0, x1, [sp, #REGS_X(0)]
	ldp	x2, x3, [sp, #REGS_X(2)]
	ldp	x4, x5, [sp, #REGS_X(4)]
	ldp	x6, x7, [sp, #REGS_X(6)]
	ldp	x8, x9, [sp, #REGS_X(8)]
	ldp	x10, x11, [sp, #REGS_X(10)]
	ldp	x12, x13, [sp, #REGS_X(12)]
	ldp	x14, x15, [sp, #REGS_X(14)]
	ldp	x16, x17, [sp, #REGS_X(16)]
	ldp	x18, x19, [sp, #REGS_X(18)]
	ldp	x20, x21, [sp, #REGS_X(20)]
	ldp	x22, x23, [sp, #REGS_X(22)]
	ldp	x24, x25, [sp, #REGS_X(24)]
	ldp	x26, x27, [sp, #REGS_X(26)]
	ldp	x28, x29, [sp, #REGS_X(28)]
	ldr	x30, [sp, #REGS_X(30)]
	add	sp, sp, #REGS_SIZE
.endm

.macro bad_entry which
	.balign	128
	save_frame
	mov	x1, #\which
	bl	do_bad_vector
	b	halt
.endm

	.text
	.balign	2048
	.globl	hyp_vectors
hyp_vectors:
	/* Current EL with SP_EL0: never used. */
	bad_entry 0
	bad_entry 1
	bad_entry 2
	bad_entry 3

	/* Current EL with SP_ELx. */
	.balign	128
	save_frame
	bl	do_hyp_sync
	b	halt

	.balign	128
	b	hyp_irq_entry

	bad_entry 6		/* FIQ: Lamina routes none */

	.balign	128
	save_frame
	bl	do_hyp_serror
	b	halt

	/* Lower EL, AArch64: a guest's exceptions (entry.S saves it into its vCPU). */
	.balign	128
	stp	x0, x1, [sp, #-16]!
	mov	x1, #GUEST_EXIT_SYNC
	b	guest_exit
	.balign	128
	stp	x0, x1, [sp, #-16]!
	mov	x1, #GUEST_EXIT_IRQ
	b	guest_exit
	.balign	128
	stp	x0, x1, [sp, #-16]!
	mov	x1, #GUEST_EXIT_FIQ
	b	guest_exit
	.balign	128
	stp	x0, x1, [sp, #-16]!
	mov	x1, #GUEST_EXIT_SERROR
	b	guest_exit

	/* Lower EL, AArch32: Lamina runs no 32-bit guests. */
	bad_entry 12
	bad_entry 13
	bad_entry 14
	bad_entry 15

hyp_irq_entry:
	save_frame
	bl	do_hyp_irq
	restore_frame
	eret
