/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Entry points, exception vectors and the hypercall/SMCCC trampolines of the guest-test
 * runtime. The image starts with an arm64 Image header (Linux Documentation/arch/arm64/
 * booting.rst, "Call the kernel image") so that Lamina and QEMU load it like a kernel.
 */

#define STACK_SIZE 16384
#define FRAME_SIZE (34 * 8)

/* MAIR_EL1: attr0 Device-nGnRnE, attr1 Normal WB RA/WA, attr2 Device-nGnRE (Arm ARM D17.2.97). */
#define MAIR_VALUE 0x04ff00
/*
 * TCR_EL1 (Arm ARM D17.2.131): T0SZ 25 (39-bit VA, walk starts at level 1 with 4 KiB
 * granule), IRGN0/ORGN0 WB WA, SH0 inner shareable, TG0 4 KiB, EPD1 (no TTBR1 walks),
 * IPS 40 bits.
 */
#define TCR_VALUE 0x200993519
/* SCTLR_EL1.M, C and I (Arm ARM D17.2.118). */
#define SCTLR_MMU_BITS ((1 << 0) | (1 << 2) | (1 << 12))

	.section .head, "ax"
	.globl _start
_start:
	b	primary_entry		/* code0 */
	.long	0			/* code1 */
	.quad	0			/* text_offset: placed at the start of guest RAM */
	.quad	_image_size		/* image_size: file and stacks, all loaded */
	.quad	0x2			/* flags: little endian, 4 KiB pages */
	.quad	0			/* res2 */
	.quad	0			/* res3 */
	.quad	0			/* res4 */
	.ascii	"ARM\x64"		/* magic */
	.long	0			/* res5: no PE header */

	.text
/* Points sp at the top of this vCPU's stack (index MPIDR_EL1.Aff0). Clobbers x1, x2. */
set_stack:
	mrs	x1, mpidr_el1
	and	x1, x1, #0xf
	adrp	x2, stacks
	add	x2, x2, :lo12:stacks
	add	x1, x1, #1
	lsl	x1, x1, #14		/* STACK_SIZE */
	add	x2, x2, x1
	mov	sp, x2
	ret

/*
 * The image is linked at LINK_BASE (the start of guest RAM, where Lamina puts it).
 * Other loaders put it elsewhere (QEMU: 2 MiB into RAM), so it carries its
 * R_AARCH64_RELATIVE relocations and applies them itself when it runs at another address.
 */
#define LINK_BASE 0x40000000
#define R_AARCH64_RELATIVE 1027

primary_entry:
	msr	daifset, #0xf
	mov	x19, x0			/* device tree */
	adr	x0, _start
	mov	x1, #LINK_BASE
	subs	x0, x0, x1		/* x0 = load offset */
	b.eq	3f
	adrp	x2, __rela_start
	add	x2, x2, :lo12:__rela_start
	adrp	x3, __rela_end
	add	x3, x3, :lo12:__rela_end
1:	cmp	x2, x3
	b.hs	3f
	ldp	x4, x5, [x2]		/* r_offset, r_info */
	ldr	x6, [x2, #16]		/* r_addend */
	add	x2, x2, #24
	cmp	w5, #R_AARCH64_RELATIVE
	b.ne	1b
	add	x6, x6, x0
	str	x6, [x4, x0]
	b	1b
3:
	adr	x1, vectors
	msr	vbar_el1, x1
	isb
	bl	set_stack
	mov	x29, #0
	mov	x0, x19
	bl	primary_main
1:	wfi
	b	1b

/* PSCI CPU_ON entry: x0 = context_id; bit 0 asks for the MMU (same tables as vCPU 0). */
	.globl secondary_entry
secondary_entry:
	msr	daifset, #0xf
	mov	x19, x0
	adr	x1, vectors
	msr	vbar_el1, x1
	isb
	bl	set_stack
	mov	x29, #0
	tbz	x19, #0, 1f
	bl	mmu_enable
1:	mov	x0, x19
	bl	secondary_main
2:	wfi
	b	2b

/*
 * Turns on stage 1 with the identity map in l1_table. Reads no data besides the literal
 * pool, so a secondary vCPU can call it before it has a coherent view of RAM.
 */
	.globl mmu_enable
mmu_enable:
	ldr	x0, =MAIR_VALUE
	msr	mair_el1, x0
	ldr	x0, =TCR_VALUE
	msr	tcr_el1, x0
	adrp	x0, l1_table
	msr	ttbr0_el1, x0
	isb
	tlbi	vmalle1
	dsb	nsh
	isb
	mrs	x0, sctlr_el1
	ldr	x1, =SCTLR_MMU_BITS
	orr	x0, x0, x1
	msr	sctlr_el1, x0
	isb
	ret
	.ltorg

/* long hypercall5(nr, a0..a4): Xen hypercall, HVC #0xEA1 with the number in x16. */
	.globl hypercall5
hypercall5:
	mov	x16, x0
	mov	x0, x1
	mov	x1, x2
	mov	x2, x3
	mov	x3, x4
	mov	x4, x5
	hvc	#0xea1
	ret

/* uint64_t smccc_call(fn, a1, ...a7): SMCCC fast call over HVC #0, x0..x7 as given. */
	.globl smccc_call
	.globl smccc_call8
smccc_call:
smccc_call8:
	hvc	#0
	ret

/*
 * void run_a32_el0(entry, r1): runs A32 code at EL0 in AArch32 (SPSR_EL1.M = 0x10, User,
 * interrupts masked) with r1 = the low half of x1, until it takes an exception to EL1;
 * exc_handler() then resumes at a32_el0_return (at EL1), which returns from here.
 */
	.globl run_a32_el0
	.globl a32_el0_return
run_a32_el0:
	stp	x29, x30, [sp, #-96]!
	stp	x19, x20, [sp, #16]
	stp	x21, x22, [sp, #32]
	stp	x23, x24, [sp, #48]
	stp	x25, x26, [sp, #64]
	stp	x27, x28, [sp, #80]
	mrs	x2, daif
	adr	x3, a32_saved
	mov	x4, sp
	stp	x4, x2, [x3]
	msr	elr_el1, x0
	mov	x2, #0x1d0		/* A, I, F masked; M = 0x10: AArch32 User */
	msr	spsr_el1, x2
	isb
	eret
a32_el0_return:
	adr	x3, a32_saved
	ldp	x4, x2, [x3]
	mov	sp, x4
	msr	daif, x2
	ldp	x19, x20, [sp, #16]
	ldp	x21, x22, [sp, #32]
	ldp	x23, x24, [sp, #48]
	ldp	x25, x26, [sp, #64]
	ldp	x27, x28, [sp, #80]
	ldp	x29, x30, [sp], #96
	ret

/* A32 code (encoded by hand: this is an AArch64 assembler): ldr r0, [r1]; b . */
	.balign	4
	.globl a32_load_r1
a32_load_r1:
	.word	0xe5910000
	.word	0xeafffffe

/* Single-instruction accesses: the fault handler may skip them (ELR += 4). */
	.globl probe_read
probe_read:
	ldr	x0, [x0]
	ret
	.globl probe_write
probe_write:
	str	x1, [x0]
	ret

	.data
	.balign	16
a32_saved:				/* run_a32_el0's SP and DAIF (one vCPU at a time) */
	.quad	0, 0
	.text

/* ------------------------------------------------------------------ vectors */
.macro ventry kind
	.balign	0x80
	sub	sp, sp, #FRAME_SIZE
	stp	x0, x1, [sp, #0]
	mov	x1, #\kind
	b	exc_common
.endm

	.balign	2048
vectors:
	ventry	0	/* current EL, SP0: sync */
	ventry	1	/* irq */
	ventry	2	/* fiq */
	ventry	3	/* serror */
	ventry	4	/* current EL, SPx: sync */
	ventry	5	/* irq */
	ventry	6	/* fiq */
	ventry	7	/* serror */
	ventry	8	/* lower EL, AArch64 */
	ventry	9
	ventry	10
	ventry	11
	ventry	12	/* lower EL, AArch32 */
	ventry	13
	ventry	14
	ventry	15

exc_common:
	stp	x2, x3, [sp, #16]
	stp	x4, x5, [sp, #32]
	stp	x6, x7, [sp, #48]
	stp	x8, x9, [sp, #64]
	stp	x10, x11, [sp, #80]
	stp	x12, x13, [sp, #96]
	stp	x14, x15, [sp, #112]
	stp	x16, x17, [sp, #128]
	stp	x18, x19, [sp, #144]
	stp	x20, x21, [sp, #160]
	stp	x22, x23, [sp, #176]
	stp	x24, x25, [sp, #192]
	stp	x26, x27, [sp, #208]
	stp	x28, x29, [sp, #224]
	add	x2, sp, #FRAME_SIZE
	stp	x30, x2, [sp, #240]
	mrs	x2, elr_el1
	mrs	x3, spsr_el1
	stp	x2, x3, [sp, #256]
	mov	x0, sp
	bl	exc_handler		/* (struct exc_frame *, kind) */
	ldp	x2, x3, [sp, #256]
	msr	elr_el1, x2
	msr	spsr_el1, x3
	ldp	x0, x1, [sp, #0]
	ldp	x2, x3, [sp, #16]
	ldp	x4, x5, [sp, #32]
	ldp	x6, x7, [sp, #48]
	ldp	x8, x9, [sp, #64]
	ldp	x10, x11, [sp, #80]
	ldp	x12, x13, [sp, #96]
	ldp	x14, x15, [sp, #112]
	ldp	x16, x17, [sp, #128]
	ldp	x18, x19, [sp, #144]
	ldp	x20, x21, [sp, #160]
	ldp	x22, x23, [sp, #176]
	ldp	x24, x25, [sp, #192]
	ldp	x26, x27, [sp, #208]
	ldp	x28, x29, [sp, #224]
	ldr	x30, [sp, #240]
	add	sp, sp, #FRAME_SIZE
	eret

	.bss
	.balign	4096
	.globl stacks
stacks:
	.space	STACK_SIZE * 16
