/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The hypervisor's own EL2 stage-1 address space: an identity map (VA = PA) of the
 * image (text RX, rodata R, data RW), of RAM (RW, never executable) and of the
 * devices the hypervisor drives (Device-nGnRE).
 */
#pragma once

#include <hv/types.h>

/* Image bounds from the linker script (runtime addresses after relocation). */
extern char _start[], _etext[], _erodata[], _end[];

/** First C code, MMU off: builds the boot map; returns the TTBR0_EL2 value. */
u64 early_mmu_init(paddr_t load, paddr_t dtb);
/** Maps every RAM bank (minus the image) RW; unmaps the boot-time DTB window. */
int stage1_map_ram(const struct mem_range *banks, unsigned int nr);
/** From now on take table pages from the page allocator. */
void stage1_use_page_alloc(void);
/** Maps a device region (identity, Device-nGnRE); returns its VA or NULL. */
void *ioremap(paddr_t pa, u64 size);
/** Table pages taken so far (for the boot report). */
unsigned int stage1_table_pages(void);
/** Runtime bounds of the image. */
paddr_t image_start(void);
paddr_t image_end(void);
/** TTBR0_EL2 for secondary CPUs (read by head.S). */
extern u64 boot_ttbr;
