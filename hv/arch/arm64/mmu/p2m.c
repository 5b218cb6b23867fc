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
#include <hv/bug.h>
#include <hv/domain.h>
#include <hv/errno.h>
#include <hv/log.h>
#include <hv/p2m.h>
#include <hv/page_alloc.h>

/* The contract's flags are the descriptor encoder's (asm/pt.h), so they pass as is. */
_Static_assert(P2M_MEM_NORMAL == PT_MEM_NORMAL && P2M_MEM_DEVICE == PT_MEM_DEVICE &&
		       P2M_MEM_NC == PT_MEM_NC && P2M_MEM_MASK == PT_MEM_MASK && P2M_RO == PT_RO &&
		       P2M_EXEC == PT_EXEC && P2M_GRANT == PT_SW0,
	       "P2M_* flags match PT_*");

#define NR_VMIDS 256 /* VTCR_EL2.VS = 0: 8-bit VMIDs */
#define VTTBR_VMID_SHIFT 48

static spinlock_t vmid_lock = SPINLOCK_INIT;
static u64 vmid_used[NR_VMIDS / 64];

/** See hv/p2m.h. */
bool p2m_gfn_valid(const struct domain *d, u64 gfn)
{
	return gfn < (1ull << (d->arch.ipa_bits - PAGE_SHIFT));
}

/*
 * Stage-2 table pages are charged to their domain: a guest that maps sparsely (balloon,
 * grant maps) makes the hypervisor allocate tables, so a DomU may hold at most
 * P2M_TABLES_BASE plus one table per P2M_PAGES_PER_TABLE pages of its memory; past that
 * its mapping call fails (-ENOMEM) instead of starving everyone. The control domain is
 * not limited (it maps the other domains' memory to build and serve them).
 */
#define P2M_TABLES_BASE 64
#define P2M_PAGES_PER_TABLE 64

/** See asm/p2m.h. */
u64 p2m_table_limit(const struct domain *d)
{
	u64 pages = MAX(d->tot_pages, d->max_pages);

	return d->privileged ? ~0ull : P2M_TABLES_BASE + pages / P2M_PAGES_PER_TABLE;
}

static paddr_t p2m_alloc_table(void *ctx)
{
	struct domain *d = ctx;
	void *p;

	if (d->arch.p2m_tables >= p2m_table_limit(d)) {
		return INVALID_PADDR;
	}
	p = page_alloc_va(0, PA_ZERO);
	if (p == NULL) {
		return INVALID_PADDR;
	}
	d->arch.p2m_tables++;
	return virt_to_phys(p);
}

/* Invalidates d's TLB entries on every pCPU. */
static void p2m_flush_tlb(struct domain *d)
{
	p2m_tlb_flush(d->arch.vttbr);
}

/*
 * Frees the table pages the walker may still reach through stale TLB entries: only
 * after the TLB flush, so a freed table page reused elsewhere is never walked (Arm ARM
 * D8.14, break-before-make). p2m_lock held.
 */
static void p2m_release_tables(struct domain *d)
{
	if (d->arch.nr_p2m_deferred == 0) {
		return;
	}
	p2m_flush_tlb(d);
	for (unsigned int i = 0; i < d->arch.nr_p2m_deferred; i++) {
		page_free_va(phys_to_virt(d->arch.p2m_deferred[i]), 0);
		d->arch.p2m_tables--;
	}
	d->arch.nr_p2m_deferred = 0;
}

/* A table page pt no longer uses: freed by p2m_release_tables(), after the flush. */
static void p2m_free_table(void *ctx, paddr_t table)
{
	struct domain *d = ctx;

	if (d->arch.nr_p2m_deferred == P2M_DEFERRED_MAX) {
		p2m_release_tables(d);
	}
	d->arch.p2m_deferred[d->arch.nr_p2m_deferred++] = table;
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

/** See asm/p2m.h. */
int p2m_domain_init(struct domain *d)
{
	int vmid = vmid_alloc();
	int rc;

	if (vmid < 0) {
		return vmid;
	}
	spin_lock_init(&d->arch.p2m_lock);
	d->arch.ipa_bits = p2m_ipa_bits();
	rc = pt_init(&d->arch.p2m, d->arch.ipa_bits, p2m_alloc_table, p2m_free_table, d);
	if (rc != 0) {
		vmid_free((unsigned int)vmid);
		return rc;
	}
	d->arch.p2m.stage2 = true;
	d->arch.vmid = (u16)vmid;
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
	p2m_release_tables(d);
	vmid_free(d->arch.vmid);
	d->arch.vmid = 0;
}

/** See hv/p2m.h. */
int p2m_map(struct domain *d, gpaddr_t gpa, paddr_t pa, u64 size, unsigned int flags)
{
	unsigned long irqf;
	int rc;

	if (gpa + size < gpa || gpa + size > (1ull << d->arch.ipa_bits)) {
		return -HV_EINVAL;
	}
	spin_lock_irqsave(&d->arch.p2m_lock, irqf);
	rc = pt_map(&d->arch.p2m, gpa, pa, size, flags);
	p2m_release_tables(d); /* a failed map undoes what it had published */
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
	if (d->arch.nr_p2m_deferred != 0) {
		p2m_release_tables(d); /* flushes, then frees the emptied tables */
	} else {
		p2m_flush_tlb(d);
	}
	spin_unlock_irqrestore(&d->arch.p2m_lock, irqf);
	return rc;
}

/** See hv/p2m.h. */
int p2m_lookup(struct domain *d, gpaddr_t gpa, paddr_t *pa, unsigned int *flags)
{
	unsigned long irqf;
	int rc;

	if (gpa >= (1ull << d->arch.ipa_bits)) {
		return -HV_ENOENT;
	}
	spin_lock_irqsave(&d->arch.p2m_lock, irqf);
	rc = pt_lookup(&d->arch.p2m, gpa, pa, flags, NULL);
	spin_unlock_irqrestore(&d->arch.p2m_lock, irqf);
	return rc;
}
