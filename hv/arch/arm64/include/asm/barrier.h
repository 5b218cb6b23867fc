/* SPDX-License-Identifier: Apache-2.0 */
/* Barriers the page-table code needs (Arm ARM B2.3, D8). */
#pragma once

/**
 * Makes descriptor stores visible to the table walker before later instructions:
 * DSB ISHST then ISB (Arm ARM D8: a translation table walk observes a store to a
 * descriptor only after a DSB completes it; the ISB resynchronises this PE). pt.c calls
 * it before publishing a new table and at the end of every update.
 * TLB invalidation is not included: after pt_unmap() or a change of a live mapping the
 * caller issues the TLBI/DSB/ISB sequence for the affected range.
 */
static inline void arch_pt_barrier(void)
{
	__asm__ volatile("dsb ishst\n\tisb" ::: "memory");
}
