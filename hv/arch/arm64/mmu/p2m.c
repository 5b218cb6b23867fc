/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Stage-2 tables (Arm ARM D8, stage 2 translation). Each domain has its own table and
 * an 8-bit VMID, so TLB entries of different domains never mix. Table pages come from
 * the page allocator and are owned by the hypervisor, never by the guest.
 *
 * Locking: d->arch.p2m_lock guards the table of d; VMID allocation has its own lock.
 */
#include <asm/irq.h>
#include <asm/mm.h>
#include <asm/p2m.h>
#include <asm/pt.h>
#include <asm/sysregs.h>
#include <hv/bug.h>
#include <hv/domain.h>
#include <hv/errno.h>
#include <hv/log.h>
#include <hv/p2m.h>
#include <hv/page_alloc.h>

/* The contract's flags are the descriptor encoder's (asm/pt.h), so they pass as is. */
_Static_assert(P2M_MEM_NORMAL == PT_MEM_NORMAL && P2M_MEM_DEVICE == PT_MEM_DEVICE &&
		       P2M_MEM_NC == PT_MEM_NC && P2M_MEM_MASK == PT_MEM_MASK && P2M_RO == PT_RO &&
		       P2M_EXEC == PT_EXEC,
	       "P2M_* flags match PT_*");

#define NR_VMIDS 256 /* VTCR_EL2.VS = 0: 8-bit VMIDs */
#define VTTBR_VMID_SHIFT 48

static spinlock_t vmid_lock = SPINLOCK_INIT;
static u64 vmid_used[NR_VMIDS / 64];
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

unsigned int p2m_ipa_bits(void)
{
	return ipa_bits;
}

/** See hv/p2m.h. */
bool p2m_gfn_valid(const struct domain *d, u64 gfn)
{
	return gfn < (1ull << (d->arch.ipa_bits - PAGE_SHIFT));
}

static paddr_t p2m_alloc_table(void *ctx)
{
	void *p = page_alloc_va(0, PA_ZERO);

	(void)ctx;
	return p ? virt_to_phys(p) : INVALID_PADDR;
}

static void p2m_free_table(void *ctx, paddr_t table)
{
	(void)ctx;
	page_free_va(phys_to_virt(table), 0);
}

static int vmid_alloc(void)
{
	unsigned long flags;
	int vmid = -HV_EBUSY;

	spin_lock_irqsave(&vmid_lock, flags);
	for (unsigned int i = 1; i < NR_VMIDS; i++) { /* VMID 0: no guest */
		if (!(vmid_used[i / 64] & (1ull << (i % 64)))) {
			vmid_used[i / 64] |= 1ull << (i % 64);
			vmid = (int)i;
			break;
		}
	}
	spin_unlock_irqrestore(&vmid_lock, flags);
	return vmid;
}

static void vmid_free(unsigned int vmid)
{
	unsigned long flags;

	spin_lock_irqsave(&vmid_lock, flags);
	vmid_used[vmid / 64] &= ~(1ull << (vmid % 64));
	spin_unlock_irqrestore(&vmid_lock, flags);
}

/** Invalidates every stage-1+2 TLB entry of d on all pCPUs (inner shareable). */
static void p2m_flush_tlb(struct domain *d)
{
	unsigned long flags = arch_local_irq_save();
	u64 old = read_sysreg(vttbr_el2);

	/* TLBI VMALLS12E1IS acts on the VMID in VTTBR_EL2 (D8.13.5). */
	write_sysreg(d->arch.vttbr, vttbr_el2);
	isb();
	__asm__ volatile("dsb ishst\n\ttlbi vmalls12e1is\n\tdsb ish\n\tisb" : : : "memory");
	write_sysreg(old, vttbr_el2);
	isb();
	arch_local_irq_restore(flags);
}

/** See asm/p2m.h. */
int p2m_domain_init(struct domain *d)
{
	int vmid = vmid_alloc();
	int rc;

	if (vmid < 0) {
		return vmid;
	}
	spin_lock_init(&d->arch.p2m_lock);
	rc = pt_init(&d->arch.p2m, ipa_bits, p2m_alloc_table, p2m_free_table, NULL);
	if (rc != 0) {
		vmid_free((unsigned int)vmid);
		return rc;
	}
	d->arch.p2m.stage2 = true;
	d->arch.vmid = (u16)vmid;
	d->arch.ipa_bits = ipa_bits;
	d->arch.vttbr = ((u64)vmid << VTTBR_VMID_SHIFT) | d->arch.p2m.root;
	/* Stale entries of a previous owner of this VMID must not survive. */
	p2m_flush_tlb(d);
	return 0;
}

/** See asm/p2m.h. */
void p2m_domain_destroy(struct domain *d)
{
	if (d->arch.vmid == 0) {
		return;
	}
	p2m_flush_tlb(d);
	pt_destroy(&d->arch.p2m);
	vmid_free(d->arch.vmid);
	d->arch.vmid = 0;
}

/** See hv/p2m.h. */
int p2m_map(struct domain *d, gpaddr_t gpa, paddr_t pa, u64 size, unsigned int flags)
{
	unsigned long irqf;
	int rc;

	if (gpa + size < gpa || gpa + size > (1ull << ipa_bits)) {
		return -HV_EINVAL;
	}
	spin_lock_irqsave(&d->arch.p2m_lock, irqf);
	rc = pt_map(&d->arch.p2m, gpa, pa, size, flags);
	spin_unlock_irqrestore(&d->arch.p2m_lock, irqf);
	return rc;
}

/** See hv/p2m.h. */
int p2m_unmap(struct domain *d, gpaddr_t gpa, u64 size)
{
	unsigned long irqf;
	int rc;

	spin_lock_irqsave(&d->arch.p2m_lock, irqf);
	rc = pt_unmap(&d->arch.p2m, gpa, size);
	spin_unlock_irqrestore(&d->arch.p2m_lock, irqf);
	p2m_flush_tlb(d);
	return rc;
}

/** See hv/p2m.h. */
int p2m_lookup(struct domain *d, gpaddr_t gpa, paddr_t *pa, unsigned int *flags)
{
	unsigned long irqf;
	int rc;

	if (gpa >= (1ull << ipa_bits)) {
		return -HV_ENOENT;
	}
	spin_lock_irqsave(&d->arch.p2m_lock, irqf);
	rc = pt_lookup(&d->arch.p2m, gpa, pa, flags, NULL);
	spin_unlock_irqrestore(&d->arch.p2m_lock, irqf);
	return rc;
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
