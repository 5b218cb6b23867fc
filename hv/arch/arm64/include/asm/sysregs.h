/* SPDX-License-Identifier: Apache-2.0 */
/* System register access and the EL2 register values Lamina programs (Arm ARM D17). */
#pragma once

#define STR_(x) #x
#define STR(x) STR_(x)

/* SCTLR_EL2 (non-VHE), Arm ARM D17.2.120: RES1 bits, then M, C, SA, I, WXN. */
#define SCTLR_EL2_RES1 0x30C50830ul
#define SCTLR_EL2_M (1ul << 0)
#define SCTLR_EL2_C (1ul << 2)
#define SCTLR_EL2_SA (1ul << 3)
#define SCTLR_EL2_I (1ul << 12)
#define SCTLR_EL2_WXN (1ul << 19)
#define SCTLR_EL2_ON \
	(SCTLR_EL2_RES1 | SCTLR_EL2_M | SCTLR_EL2_C | SCTLR_EL2_SA | SCTLR_EL2_I | SCTLR_EL2_WXN)

/* TCR_EL2 (non-VHE), D17.2.139: RES1 bits 31 and 23, T0SZ = 16 (48-bit VA),
 * IRGN0/ORGN0 = WBWA, SH0 = inner shareable, TG0 = 4 KiB; PS filled in from
 * ID_AA64MMFR0_EL1.PARange at run time (bits 18:16). */
#define TCR_EL2_BASE ((1ul << 31) | (1ul << 23) | (3ul << 12) | (1ul << 10) | (1ul << 8) | 16ul)
#define TCR_EL2_PS_SHIFT 16

/* HCR_EL2 (D17.2.48): RW = EL1 is AArch64; FMO/IMO/AMO route physical FIQ, IRQ and
 * SError to EL2 (without IMO, a physical IRQ is never taken while at EL2). */
#define HCR_EL2_RW (1ul << 31)
#define HCR_EL2_AMO (1ul << 5)
#define HCR_EL2_IMO (1ul << 4)
#define HCR_EL2_FMO (1ul << 3)
#define HCR_EL2_BOOT (HCR_EL2_RW | HCR_EL2_AMO | HCR_EL2_IMO | HCR_EL2_FMO)

/* CPTR_EL2 (non-VHE), D17.2.30: RES1 bits 13:12, 9:0; TFP (bit 10) clear = FP allowed. */
#define CPTR_EL2_RES1 0x33FFul

/* SPSR for an exception return to EL2h with D, A, I, F masked. */
#define SPSR_EL2H_MASKED 0x3C9ul

/* SCR_EL3 for dropping from EL3 to non-secure EL2 (D17.2.117): NS, RES1 bits 5:4,
 * HCE (HVC enabled), RW (lower ELs are AArch64). */
#define SCR_EL3_TO_EL2 ((1ul << 0) | (3ul << 4) | (1ul << 8) | (1ul << 10))

#ifndef __ASSEMBLY__
#include <hv/types.h>

#define read_sysreg(r)                                          \
	({                                                      \
		u64 v_;                                         \
		__asm__ volatile("mrs %0, " STR(r) : "=r"(v_)); \
		v_;                                             \
	})
#define write_sysreg(v, r)                                          \
	do {                                                        \
		u64 w_ = (u64)(v);                                  \
		__asm__ volatile("msr " STR(r) ", %0" : : "r"(w_)); \
	} while (0)

static inline void isb(void)
{
	__asm__ volatile("isb" : : : "memory");
}
static inline void dsb_sy(void)
{
	__asm__ volatile("dsb sy" : : : "memory");
}
static inline void dsb_ish(void)
{
	__asm__ volatile("dsb ish" : : : "memory");
}
static inline void wfi(void)
{
	__asm__ volatile("wfi" : : : "memory");
}
static inline void wfe(void)
{
	__asm__ volatile("wfe" : : : "memory");
}
#endif

/* MAIR_EL2 (D17.2.97): attr0 = 0xFF Normal WB RW-alloc, attr1 = 0x04 Device-nGnRE,
 * attr2 = 0x44 Normal non-cacheable. Indices match asm/pt.h MAIR_IDX_*. */
#define MAIR_EL2_INIT 0x4404FFul
