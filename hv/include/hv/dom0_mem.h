/* SPDX-License-Identifier: Apache-2.0 */
/*
 * How much RAM Dom0 gets (hv/common/dom0_mem.c). With dom0_mem= the administrator
 * decides; without it, Lamina's rule (docs/command-line.md):
 *   a quarter of the machine's RAM, at least 512 MiB and at most 4 GiB,
 *   and never more than what is free minus a reserve for the hypervisor
 *   (DOM0_HV_RESERVE: heap, page tables, future guests' metadata).
 * Sizes are whole 2 MiB blocks so Dom0's direct map can use block mappings.
 */
#pragma once

#include <hv/params.h>
#include <hv/types.h>

#define DOM0_MEM_MIN_AUTO MiB(512)
#define DOM0_MEM_MAX_AUTO GiB(4)
#define DOM0_HV_RESERVE MiB(64)
#define DOM0_MEM_ALIGN MiB(2)
/* Below this, Debian's kernel with an initramfs cannot boot. */
#define DOM0_MEM_FLOOR MiB(128)

/**
 * Chooses Dom0's memory size. total: all RAM; free: what the page allocator has.
 * Returns 0 with *out set, or -HV_ENOMEM with a message in err naming the numbers
 * (an explicit dom0_mem= that does not fit, or too little memory for any Dom0).
 */
int dom0_mem_choose(u64 total, u64 free, const struct hv_options *o, u64 *out, char *err,
		    size_t errlen);

#define DOM0_EXT_REGION_ALIGN MiB(128) /* Linux arm64 hot-adds whole 128 MiB sections */

/**
 * Dom0's extended regions (Xen's /hypervisor reg[1..]): the parts of [0, limit) that no
 * range in used[] covers (RAM, devices, the GIC, the hypervisor's UART, ...), trimmed to
 * DOM0_EXT_REGION_ALIGN and at least that big, in address order, at most max. Dom0 maps
 * foreign and granted pages there. used[] need not be sorted; it is sorted in place.
 * Returns how many regions were written to out.
 */
unsigned int dom0_ext_regions(struct mem_range *used, unsigned int nr_used, u64 limit,
			      struct mem_range *out, unsigned int max);
