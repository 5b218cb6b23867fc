/* SPDX-License-Identifier: Apache-2.0 */
/* Data-cache maintenance by address (Arm ARM D7.5, DC CVAC). */
#include <hv/cache.h>
#include <asm/mm.h>
#include <asm/p2m.h>
#include <asm/sysregs.h>
#include <hv/domain.h>
#include <hv/lib.h>

static u64 dcache_line(void)
{
	/* CTR_EL0.DminLine (bits 19:16): log2 of the smallest line in 4-byte words. */
	return 4ull << ((read_sysreg(ctr_el0) >> 16) & 0xf);
}

void dcache_clean_range(const void *va, u64 len)
{
	u64 line = dcache_line();
	uintptr_t p = (uintptr_t)va & ~(line - 1);

	for (; p < (uintptr_t)va + len; p += line) {
		__asm__ volatile("dc cvac, %0" : : "r"(p) : "memory");
	}
	dsb_sy();
}

void dcache_clean_inval_range(const void *va, u64 len)
{
	u64 line = dcache_line();
	uintptr_t p = (uintptr_t)va & ~(line - 1);

	for (; p < (uintptr_t)va + len; p += line) {
		__asm__ volatile("dc civac, %0" : : "r"(p) : "memory");
	}
	dsb_sy();
}

void guest_clean_dcache(struct domain *d, gpaddr_t gpa, u64 len)
{
	for (gpaddr_t g = ROUND_DOWN(gpa, PAGE_SIZE); g < gpa + len; g += PAGE_SIZE) {
		paddr_t pa;
		unsigned int f;

		if (p2m_lookup(d, g, &pa, &f) == 0) {
			dcache_clean_range(phys_to_virt(pa), PAGE_SIZE);
		}
	}
}
