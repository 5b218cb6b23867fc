/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The hardware side of stage 2 (Arm ARM D8): VTCR_EL2 per pCPU, TLB invalidation by
 * VMID, and address translation of a guest virtual address through the running vCPU's
 * stage 1 and stage 2 (AT S12E1R/W). The tables themselves are hv/arch/arm64/mmu/p2m.c,
 * which runs on the host in unit tests; this file is what cannot.
 */
#include <asm/irq.h>
#include <asm/p2m.h>
#include <asm/sysregs.h>
#include <hv/bug.h>
#include <hv/domain.h>
#include <hv/p2m.h>

static unsigned int ipa_bits;
static u64 vtcr;

static unsigned int parange_bits(u64 parange)
{
	static const unsigned int bits[] = { 32, 36, 40, 42, 44, 48, 52 };

	return parange < ARRAY_SIZE(bits) ? bits[parange] : 48;
}

/** See asm/p2m.h. The same VTCR on every pCPU (computed on the first call). */
void p2m_cpu_init(void)
{
	if (vtcr == 0) {
		u64 parange = read_sysreg(id_aa64mmfr0_el1) & 0xf;
		unsigned int pa = parange_bits(parange);

		if (pa < 40) {
			panic("this CPU's physical address range (%u bits) is too small for "
			      "Lamina's stage-2 tables (40 bits or more)",
			      pa);
		}
		if (pa > 48) {
			pa = 48;
			parange = 5;
		}
		ipa_bits = pa;
		/*
		 * VTCR_EL2 (D17.2.163): T0SZ = 64 - IPA bits; SL0 = 2 (start at level 0, valid
		 * for 4 KiB granule and 40..48-bit IPAs); IRGN0 = ORGN0 = WBWA; SH0 = inner
		 * shareable; TG0 = 4 KiB; PS = the PA range; bit 31 RES1; VS = 0.
		 */
		vtcr = (64ull - ipa_bits) | (2ull << 6) | (1ull << 8) | (1ull << 10) |
		       (3ull << 12) | (parange << 16) | (1ull << 31);
	}
	write_sysreg(vtcr, vtcr_el2);
	isb();
}

/** See asm/p2m.h. */
unsigned int p2m_ipa_bits(void)
{
	return ipa_bits;
}

/** See asm/p2m.h: every stage-1+2 TLB entry of the VMID in vttbr, all pCPUs (inner shareable). */
void p2m_tlb_flush(u64 vttbr)
{
	unsigned long flags = arch_local_irq_save();
	u64 old = read_sysreg(vttbr_el2);

	/* TLBI VMALLS12E1IS acts on the VMID in VTTBR_EL2 (D8.13.5). */
	write_sysreg(vttbr, vttbr_el2);
	isb();
	__asm__ volatile("dsb ishst\n\ttlbi vmalls12e1is\n\tdsb ish\n\tisb" : : : "memory");
	write_sysreg(old, vttbr_el2);
	isb();
	arch_local_irq_restore(flags);
}

/** See hv/p2m.h. v must be the vCPU loaded on this pCPU. */
paddr_t p2m_translate_va(struct vcpu *v, u64 va, bool write)
{
	unsigned long flags = arch_local_irq_save();
	u64 saved_par = read_sysreg(par_el1);
	u64 par;

	ASSERT(v == current_vcpu());
	if (write) {
		__asm__ volatile("at s12e1w, %0" : : "r"(va));
	} else {
		__asm__ volatile("at s12e1r, %0" : : "r"(va));
	}
	isb();
	par = read_sysreg(par_el1);
	write_sysreg(saved_par, par_el1);
	arch_local_irq_restore(flags);
	if (par & 1) { /* PAR_EL1.F: the translation faulted (D17.2.112) */
		return INVALID_PADDR;
	}
	return (par & 0x0000FFFFFFFFF000ull) | (va & 0xfff);
}
