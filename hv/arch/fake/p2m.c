/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The fake architecture's p2m (hv/p2m.h) for host unit tests: a table of single-page
 * mappings in host memory, kept sorted by guest frame. A "machine address" is a host
 * address (the fake direct map is the identity, asm/mm.h). Guests of the fake arch run
 * with their MMU off: a guest virtual address is its guest-physical address.
 */
#include <stdlib.h>
#include <string.h>

#include <hv/domain.h>
#include <hv/errno.h>
#include <hv/fake.h>
#include <hv/p2m.h>

#define FAKE_GFN_BITS 28 /* a 40-bit guest-physical space of 4 KiB frames */

struct fake_p2m_entry {
	u64 gfn;
	paddr_t pa;
	unsigned int flags;
};

struct fake_p2m {
	struct fake_p2m_entry *e;
	unsigned long nr, cap;
};

int fake_p2m_create(struct domain *d);
void fake_p2m_destroy(struct domain *d);

int fake_p2m_create(struct domain *d)
{
	d->arch.p2m = calloc(1, sizeof(*d->arch.p2m));
	return d->arch.p2m != NULL ? 0 : -HV_ENOMEM;
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

int p2m_map(struct domain *d, gpaddr_t gpa, paddr_t pa, u64 size, unsigned int flags)
{
	struct fake_p2m *p = d->arch.p2m;
	u64 first = gpa >> PAGE_SHIFT, n = size >> PAGE_SHIFT;

	if (size == 0 || ((gpa | pa | size) & (PAGE_SIZE - 1)) || first + n < first ||
	    !p2m_gfn_valid(d, first + n - 1)) {
		return -HV_EINVAL;
	}
	for (u64 i = 0; i < n; i++) {
		unsigned long at = find(p, first + i);

		if (at < p->nr && p->e[at].gfn == first + i) {
			(void)p2m_unmap(d, gpa, i << PAGE_SHIFT); /* undo: nothing changed */
			return -HV_EEXIST;
		}
		if (p->nr == p->cap) {
			unsigned long cap = p->cap ? p->cap * 2 : 64;
			struct fake_p2m_entry *e = realloc(p->e, cap * sizeof(*e));

			if (e == NULL) {
				(void)p2m_unmap(d, gpa, i << PAGE_SHIFT);
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

int p2m_unmap(struct domain *d, gpaddr_t gpa, u64 size)
{
	struct fake_p2m *p = d->arch.p2m;
	u64 first = gpa >> PAGE_SHIFT, n = size >> PAGE_SHIFT;

	for (u64 i = 0; i < n; i++) {
		unsigned long at = find(p, first + i);

		if (at < p->nr && p->e[at].gfn == first + i) {
			memmove(&p->e[at], &p->e[at + 1], (p->nr - at - 1) * sizeof(*p->e));
			p->nr--;
		}
	}
	return 0;
}

int p2m_lookup(struct domain *d, gpaddr_t gpa, paddr_t *pa, unsigned int *flags)
{
	struct fake_p2m *p = d->arch.p2m;
	unsigned long at = find(p, gpa >> PAGE_SHIFT);

	if (at >= p->nr || p->e[at].gfn != gpa >> PAGE_SHIFT) {
		return -HV_ENOENT;
	}
	*pa = p->e[at].pa + (gpa & (PAGE_SIZE - 1));
	*flags = p->e[at].flags;
	return 0;
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
