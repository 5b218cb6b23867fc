/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The fake architecture's p2m (hv/p2m.h) for host unit tests: a table of single-page
 * mappings in host memory, kept sorted by guest frame. A "machine address" is a host
 * address (the fake direct map is the identity, asm/mm.h). Guests of the fake arch run
 * with their MMU off: a guest virtual address is its guest-physical address.
 *
 * As the arm64 p2m under its p2m_lock, each call is atomic: a lock per domain's table,
 * so a test may run two vCPUs' hypercalls in two host threads. fake_arch.p2m_hook is
 * called outside that lock (hv/fake.h).
 */
#include <stdlib.h>
#include <string.h>

#include <hv/domain.h>
#include <hv/errno.h>
#include <hv/fake.h>
#include <hv/p2m.h>
#include <hv/spinlock.h>

#define FAKE_GFN_BITS 28 /* a 40-bit guest-physical space of 4 KiB frames */

struct fake_p2m_entry {
	u64 gfn;
	paddr_t pa;
	unsigned int flags;
};

struct fake_p2m {
	spinlock_t lock;
	struct fake_p2m_entry *e;
	unsigned long nr, cap;
};

int fake_p2m_create(struct domain *d);
void fake_p2m_destroy(struct domain *d);

int fake_p2m_create(struct domain *d)
{
	d->arch.p2m = calloc(1, sizeof(*d->arch.p2m));
	if (d->arch.p2m == NULL) {
		return -HV_ENOMEM;
	}
	spin_lock_init(&d->arch.p2m->lock);
	return 0;
}

void fake_p2m_destroy(struct domain *d)
{
	if (d->arch.p2m != NULL) {
		free(d->arch.p2m->e);
		free(d->arch.p2m);
		d->arch.p2m = NULL;
	}
}

unsigned long fake_p2m_nr_mapped(const struct domain *d)
{
	return d->arch.p2m != NULL ? d->arch.p2m->nr : 0;
}

/* Index of the first entry with gfn >= 'gfn'. */
static unsigned long find(const struct fake_p2m *p, u64 gfn)
{
	unsigned long lo = 0, hi = p->nr;

	while (lo < hi) {
		unsigned long mid = lo + (hi - lo) / 2;

		if (p->e[mid].gfn < gfn) {
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}
	return lo;
}

bool p2m_gfn_valid(const struct domain *d, u64 gfn)
{
	(void)d;
	return gfn < (1ull << FAKE_GFN_BITS);
}

static void hook(struct domain *d, enum fake_p2m_event ev, gpaddr_t gpa)
{
	if (fake_arch.p2m_hook != NULL) {
		fake_arch.p2m_hook(d, ev, gpa);
	}
}

/* Removes the entries of [first, first + n); lock held. */
static void unmap_locked(struct fake_p2m *p, u64 first, u64 n)
{
	for (u64 i = 0; i < n; i++) {
		unsigned long at = find(p, first + i);

		if (at < p->nr && p->e[at].gfn == first + i) {
			memmove(&p->e[at], &p->e[at + 1], (p->nr - at - 1) * sizeof(*p->e));
			p->nr--;
		}
	}
}

static int map_locked(struct fake_p2m *p, u64 first, u64 n, paddr_t pa, unsigned int flags)
{
	for (u64 i = 0; i < n; i++) {
		unsigned long at = find(p, first + i);

		if (at < p->nr && p->e[at].gfn == first + i) {
			unmap_locked(p, first, i); /* undo: nothing changed */
			return -HV_EEXIST;
		}
		if (p->nr == p->cap) {
			unsigned long cap = p->cap ? p->cap * 2 : 64;
			struct fake_p2m_entry *e = realloc(p->e, cap * sizeof(*e));

			if (e == NULL) {
				unmap_locked(p, first, i);
				return -HV_ENOMEM;
			}
			p->e = e;
			p->cap = cap;
		}
		memmove(&p->e[at + 1], &p->e[at], (p->nr - at) * sizeof(*p->e));
		p->e[at] = (struct fake_p2m_entry){ first + i, pa + (i << PAGE_SHIFT), flags };
		p->nr++;
	}
	return 0;
}

int p2m_map(struct domain *d, gpaddr_t gpa, paddr_t pa, u64 size, unsigned int flags)
{
	struct fake_p2m *p = d->arch.p2m;
	u64 first = gpa >> PAGE_SHIFT, n = size >> PAGE_SHIFT;
	unsigned long irqf;
	int rc;

	if (size == 0 || ((gpa | pa | size) & (PAGE_SIZE - 1)) || first + n < first ||
	    !p2m_gfn_valid(d, first + n - 1)) {
		return -HV_EINVAL;
	}
	spin_lock_irqsave(&p->lock, irqf);
	rc = map_locked(p, first, n, pa, flags);
	spin_unlock_irqrestore(&p->lock, irqf);
	for (u64 i = 0; rc == 0 && i < n; i++) {
		hook(d, FAKE_P2M_MAPPED, (first + i) << PAGE_SHIFT);
	}
	return rc;
}

int p2m_unmap(struct domain *d, gpaddr_t gpa, u64 size)
{
	struct fake_p2m *p = d->arch.p2m;
	u64 first = gpa >> PAGE_SHIFT, n = size >> PAGE_SHIFT;
	unsigned long irqf;

	for (u64 i = 0; i < n; i++) {
		hook(d, FAKE_P2M_UNMAPPING, (first + i) << PAGE_SHIFT);
	}
	spin_lock_irqsave(&p->lock, irqf);
	unmap_locked(p, first, n);
	spin_unlock_irqrestore(&p->lock, irqf);
	return 0;
}

int p2m_lookup(struct domain *d, gpaddr_t gpa, paddr_t *pa, unsigned int *flags)
{
	struct fake_p2m *p = d->arch.p2m;
	unsigned long at, irqf;
	int rc = -HV_ENOENT;

	hook(d, FAKE_P2M_LOOKUP, gpa & PAGE_MASK);
	spin_lock_irqsave(&p->lock, irqf);
	at = find(p, gpa >> PAGE_SHIFT);
	if (at < p->nr && p->e[at].gfn == gpa >> PAGE_SHIFT) {
		*pa = p->e[at].pa + (gpa & (PAGE_SIZE - 1));
		*flags = p->e[at].flags;
		rc = 0;
	}
	spin_unlock_irqrestore(&p->lock, irqf);
	return rc;
}

paddr_t p2m_translate_va(struct vcpu *v, u64 va, bool write)
{
	unsigned int flags;
	paddr_t pa;

	if (p2m_lookup(v->domain, va, &pa, &flags) != 0 || (write && (flags & P2M_RO))) {
		return INVALID_PADDR;
	}
	return pa;
}
