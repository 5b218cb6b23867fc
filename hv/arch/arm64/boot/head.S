/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Entry point. Lamina is loaded like an arm64 Linux Image (Documentation/arm64/
 * booting.rst in Linux; Xen's docs/misc/arm/booting.txt): x0 = PA of the device tree,
 * MMU and D-cache off, at EL2. From EL3 we drop to EL2; at EL1 nothing can work, so
 * we say so on the platform's early UART and stop.
 */
#include <asm/sysregs.h>
#include <generated/config.h>

#define R_AARCH64_RELATIVE 1027
#define STACK_SHIFT 14 /* 16 KiB boot stack per CPU; keep in sync with setup.c */

	.section .text.head, "ax"
	.globl	_start
_start:
	/* arm64 Image header (booting.rst section 4), 64 bytes. */
	b	primary_entry		/* code0 */
	.long	0			/* code1 */
	.quad	0			/* text_offset: any 2 MiB-aligned base */
	.long	lamina_image_size_lo	/* image_size, including .bss */
	.long	lamina_image_size_hi
	.quad	0xa			/* flags: LE, 4 KiB pages, anywhere in RAM */
	.quad	0, 0, 0			/* reserved */
	.ascii	"ARM\x64"		/* magic */
	.long	0			/* reserved (PE header offset) */

primary_entry:
	mov	x19, x0			/* device tree PA */
	mrs	x1, CurrentEL
	ubfx	x1, x1, #2, #2
	cmp	x1, #2
	b.eq	at_el2
	cmp	x1, #3
	b.eq	from_el3
	b	el1_stop

from_el3:
	/* Route nothing to EL3, let EL2 use the GIC system registers, drop to EL2h. */
	ldr	x0, =SCR_EL3_TO_EL2
	msr	scr_el3, x0
	mov	x0, #0xf		/* ICC_SRE_EL3: SRE, DFB, DIB, Enable */
	msr	S3_6_C12_C12_5, x0
	msr	cptr_el3, xzr
	/*
	 * With no firmware at EL3 nobody has set the GIC up for the non-secure world:
	 * switch the distributor to a single security state (GICD_CTLR.DS, IHI 0069
	 * 12.9.4) so EL2 can configure every interrupt. Platform address from the config.
	 */
	ldr	x1, =CONFIG_EARLY_GICD_BASE
	ldr	w0, [x1]
	orr	w0, w0, #(1 << 6)
	str	w0, [x1]
	dsb	sy
	ldr	x0, =SCTLR_EL2_RES1
	msr	sctlr_el2, x0
	mov	x0, #SPSR_EL2H_MASKED
	msr	spsr_el3, x0
	adr	x0, at_el2
	msr	elr_el3, x0
	isb
	eret

at_el2:
	msr	daifset, #0xf
	ldr	x0, =SCTLR_EL2_RES1	/* MMU and caches stay off until early_mmu_init */
	msr	sctlr_el2, x0
	isb
	adr	x20, _start		/* load address */

	/* Apply R_AARCH64_RELATIVE relocations: *(base + offset) = base + addend. */
	adrp	x1, __rela_start
	add	x1, x1, :lo12:__rela_start
	adrp	x2, __rela_end
	add	x2, x2, :lo12:__rela_end
1:	cmp	x1, x2
	b.hs	2f
	ldp	x3, x4, [x1], #16
	ldr	x5, [x1], #8
	cmp	w4, #R_AARCH64_RELATIVE
	b.ne	bad_reloc
	add	x5, x5, x20
	str	x5, [x20, x3]
	b	1b
2:
	/* Clear .bss. */
	adrp	x1, __bss_start
	add	x1, x1, :lo12:__bss_start
	adrp	x2, __bss_end
	add	x2, x2, :lo12:__bss_end
3:	cmp	x1, x2
	b.hs	4f
	stp	xzr, xzr, [x1], #16
	b	3b
4:
	/* CPU 0's boot stack. */
	adrp	x0, boot_stacks
	add	x0, x0, :lo12:boot_stacks
	add	x0, x0, #(1 << STACK_SHIFT)
	mov	sp, x0
	mov	x29, xzr
	mov	x30, xzr

	/* A stack-protector canary that differs from boot to boot. */
	mrs	x0, cntpct_el0
	ldr	x1, =0x5bd1e995a5a5c3c3
	eor	x0, x0, x1, ror #13
	adrp	x1, __stack_chk_guard
	str	x0, [x1, :lo12:__stack_chk_guard]

	adrp	x0, hyp_vectors
	add	x0, x0, :lo12:hyp_vectors
	msr	vbar_el2, x0
	ldr	x0, =CPTR_EL2_RES1	/* FP/SIMD allowed at EL2 (libfdt uses it) */
	msr	cptr_el2, x0
	ldr	x0, =HCR_EL2_BOOT
	msr	hcr_el2, x0
	isb

	mov	x0, x20
	mov	x1, x19
	bl	early_mmu_init		/* returns TTBR0_EL2 value */
	/*
	 * Everything written so far (relocations, .bss, page tables) went to memory with
	 * the caches off; drop any stale lines for the image before they are turned on.
	 */
	mov	x21, x0
	mrs	x3, ctr_el0		/* DminLine, bits 19:16: log2(words) of the line */
	ubfx	x3, x3, #16, #4
	mov	x4, #4
	lsl	x3, x4, x3		/* smallest D-cache line in bytes */
	adrp	x1, _start
	add	x1, x1, :lo12:_start
	adrp	x2, _end
	add	x2, x2, :lo12:_end
5:	dc	ivac, x1
	add	x1, x1, x3
	cmp	x1, x2
	b.lo	5b
	dsb	sy
	mov	x0, x21
	bl	mmu_enable
	mov	x0, x19
	mov	x1, x20
	bl	start_hv
	b	halt

/*
 * Secondary CPUs enter here from PSCI CPU_ON at EL2 with the MMU off;
 * x0 = context ID = logical CPU index.
 */
	.globl	secondary_entry
secondary_entry:
	msr	daifset, #0xf
	mov	x19, x0
	ldr	x0, =SCTLR_EL2_RES1
	msr	sctlr_el2, x0
	isb
	adrp	x0, boot_stacks
	add	x0, x0, :lo12:boot_stacks
	add	x1, x19, #1
	add	x0, x0, x1, lsl #STACK_SHIFT
	mov	sp, x0
	mov	x29, xzr
	mov	x30, xzr
	adrp	x0, hyp_vectors
	add	x0, x0, :lo12:hyp_vectors
	msr	vbar_el2, x0
	ldr	x0, =CPTR_EL2_RES1
	msr	cptr_el2, x0
	ldr	x0, =HCR_EL2_BOOT
	msr	hcr_el2, x0
	isb
	adrp	x0, boot_ttbr
	ldr	x0, [x0, :lo12:boot_ttbr]
	bl	mmu_enable
	mov	x0, x19
	bl	secondary_start
	b	halt

/*
 * Turns the EL2 MMU on with TTBR0_EL2 = x0, using the identity map, so execution
 * continues at the next instruction. Clobbers x0-x2.
 */
	.globl	mmu_enable
mmu_enable:
	ldr	x1, =MAIR_EL2_INIT
	msr	mair_el2, x1
	mrs	x1, id_aa64mmfr0_el1
	and	x1, x1, #7		/* PARange */
	cmp	x1, #5
	mov	x2, #5
	csel	x1, x1, x2, ls		/* 48 bits at most with 4 KiB pages and no LPA */
	lsl	x1, x1, #TCR_EL2_PS_SHIFT
	ldr	x2, =TCR_EL2_BASE
	orr	x1, x1, x2
	msr	tcr_el2, x1
	msr	ttbr0_el2, x0
	isb
	tlbi	alle2
	dsb	sy
	isb
	ldr	x1, =SCTLR_EL2_ON
	msr	sctlr_el2, x1
	isb
	ic	iallu
	dsb	sy
	isb
	ret

bad_reloc:
	adr	x0, msg_reloc
	bl	early_puts_asm
	b	halt

el1_stop:
	adr	x0, msg_el1
	bl	early_puts_asm
	b	halt

	.globl	halt
halt:
	wfi
	b	halt

/* Writes the NUL-terminated string at x0 to the early PL011, with the MMU off. */
early_puts_asm:
	ldr	x1, =CONFIG_EARLY_UART_BASE
1:	ldrb	w2, [x0], #1
	cbz	w2, 3f
2:	ldr	w3, [x1, #0x18]		/* UARTFR */
	tbnz	w3, #5, 2b		/* TXFF: transmit FIFO full */
	str	w2, [x1]		/* UARTDR */
	b	1b
3:	ret

msg_el1:
	.ascii	"(LAM) Lamina was entered at EL1, but a hypervisor must start at EL2.\r\n"
	.ascii	"(LAM) Start it at EL2 (QEMU: -M virt,virtualization=on). Stopped.\r\n"
	.byte	0
msg_reloc:
	.asciz	"(LAM) Lamina image has an unsupported relocation type. Stopped.\r\n"
	.ltorg

	.section .bss
	.balign	4096
	.globl	boot_stacks
boot_stacks:
	.space	(CONFIG_NR_CPUS << STACK_SHIFT)
