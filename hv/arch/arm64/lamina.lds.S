/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Lamina's image layout. Linked at 0 as a position-independent executable; head.S
 * applies the R_AARCH64_RELATIVE relocations for wherever the loader put us. Text,
 * read-only data and read-write data each start on a page so stage 1 can map them
 * RX, R and RW (SCTLR_EL2.WXN makes writable pages non-executable).
 */
OUTPUT_ARCH(aarch64)
ENTRY(_head)

PHDRS
{
	text PT_LOAD FLAGS(5);		/* R X */
	rodata PT_LOAD FLAGS(4);	/* R */
	data PT_LOAD FLAGS(6);		/* R W */
	dynamic PT_DYNAMIC FLAGS(4);
}

SECTIONS
{
	. = 0;
	.text : {
		_head = .;
		KEEP(*(.text.head))
		*(.text .text.*)
	} :text
	. = ALIGN(4096);
	_etext = .;
	.rodata : { *(.rodata .rodata.*) } :rodata
	.data.rel.ro : { *(.data.rel.ro .data.rel.ro.*) }
	.got : { *(.got .got.*) }
	.dynamic : { *(.dynamic) } :rodata :dynamic
	.dynsym : { *(.dynsym) } :rodata
	.dynstr : { *(.dynstr) }
	.hash : { *(.hash) }
	.gnu.hash : { *(.gnu.hash) }
	.rela.dyn : {
		__rela_start = .;
		*(.rela .rela.*)
		__rela_end = .;
	}
	. = ALIGN(4096);
	_erodata = .;
	.data : { *(.data .data.*) } :data
	. = ALIGN(16);
	.bss (NOLOAD) : {
		__bss_start = .;
		*(.bss .bss.*)
		*(COMMON)
		. = ALIGN(16);
		__bss_end = .;
	}
	. = ALIGN(4096);
	_end = .;
	/DISCARD/ : { *(.note .note.*) *(.comment) *(.eh_frame .eh_frame_hdr) *(.interp) }
}
lamina_image_size_lo = (_end - _head) & 0xffffffff;
lamina_image_size_hi = (_end - _head) >> 32;
