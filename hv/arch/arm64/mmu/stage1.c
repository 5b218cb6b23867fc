/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Builds and extends the hypervisor's EL2 stage-1 identity map. early_mmu_init() runs
 * with the MMU off (the file is built with -mstrict-align like all of the hypervisor,
 * so no unaligned access reaches Device memory); table pages come from a static pool
 * until the page allocator exists.
 *
 * Locking: stage1_lock serialises changes; lookups by the MMU need none.
 */
#include <asm/mm.h>
#include <asm/pt.h>
#include <asm/stage1.h>
#include <asm/sysregs.h>
#include <generated/config.h>
#include <hv/errno.h>
#include <hv/lib.h>
#include <hv/log.h>
#include <hv/page_alloc.h>
#include <hv/spinlock.h>

#define BOOT_PT_POOL_PAGES 64
#define DTB_MAX_SIZE MiB(2)
#define FDT_MAGIC 0xd00dfeedu

static u8 boot_pt_pool[BOOT_PT_POOL_PAGES][PAGE_SIZE] __aligned(PAGE_SIZE);
static unsigned int boot_pt_used;
static bool use_page_alloc;
static unsigned int nr_table_pages;
static struct pt hv_pt;
static spinlock_t stage1_lock = SPINLOCK_INIT;
static struct mem_range dtb_window;
u64 boot_ttbr;

static paddr_t stage1_alloc_table(void *ctx)
{
	(void)ctx;
	if (use_page_alloc) {
		void *p = page_alloc_va(0, PA_ZERO);

		if (p == NULL) {
			return INVALID_PADDR;
		}
		nr_table_pages++;
		return virt_to_phys(p);
	}
	if (boot_pt_used >= BOOT_PT_POOL_PAGES) {
		return INVALID_PADDR;
	}
	nr_table_pages++;
	/* The pool is in .bss, which head.S cleared. */
	return virt_to_phys(boot_pt_pool[boot_pt_used++]);
}

static void stage1_free_table(void *ctx, paddr_t table)
{
	(void)ctx;
	nr_table_pages--;
	if (table >= virt_to_phys(boot_pt_pool) &&
	    table < virt_to_phys(boot_pt_pool) + sizeof(boot_pt_pool)) {
		memset(phys_to_virt(table), 0, PAGE_SIZE); /* pool pages are not reused */
		return;
	}
	page_free_va(phys_to_virt(table), 0);
}

paddr_t image_start(void)
{
	return virt_to_phys(_start);
}

paddr_t image_end(void)
{
	return virt_to_phys(_end);
}

/* Big-endian 32-bit load done bytewise: safe with the MMU off. */
static u32 be32_at(paddr_t pa)
{
	const volatile u8 *p = phys_to_virt(pa);

	return (u32)p[0] << 24 | (u32)p[1] << 16 | (u32)p[2] << 8 | p[3];
}

static void early_fail(void)
{
	/* Nothing can be printed reliably yet; head.S's halt loop is the only option. */
	for (;;) {
		wfi();
	}
}

/** See asm/stage1.h. Any failure here is a build or loader bug: stop. */
u64 early_mmu_init(paddr_t load, paddr_t dtb)
{
	paddr_t text = image_start(), etext = virt_to_phys(_etext);
	paddr_t erodata = virt_to_phys(_erodata), end = image_end();
	int rc;

	(void)load;
	rc = pt_init(&hv_pt, 48, stage1_alloc_table, stage1_free_table, NULL);
	rc = rc ?: pt_map(&hv_pt, text, text, etext - text, PT_MEM_NORMAL | PT_RO | PT_EXEC);
	rc = rc ?: pt_map(&hv_pt, etext, etext, erodata - etext, PT_MEM_NORMAL | PT_RO);
	rc = rc ?: pt_map(&hv_pt, erodata, erodata, end - erodata, PT_MEM_NORMAL);
	rc = rc
		     ?: pt_map(&hv_pt, CONFIG_EARLY_UART_BASE, CONFIG_EARLY_UART_BASE, PAGE_SIZE,
			       PT_MEM_DEVICE);
	if (rc != 0) {
		early_fail();
	}
	/*
	 * The device tree, read-only. Its size comes from its header when the magic is
	 * right; otherwise one page, enough for the parser to report the bad header.
	 */
	if (dtb != 0 && IS_ALIGNED(dtb, 8) && (dtb + DTB_MAX_SIZE > dtb)) {
		u64 size = PAGE_SIZE;

		if (be32_at(dtb) == FDT_MAGIC) {
			size = MIN((u64)be32_at(dtb + 4), DTB_MAX_SIZE);
		}
		dtb_window.start = ROUND_DOWN(dtb, PAGE_SIZE);
		dtb_window.end = ROUND_UP(dtb + size, PAGE_SIZE);
		/* A device tree overlapping the image is rejected later by setup. */
		if (dtb_window.end <= text || dtb_window.start >= end) {
			if (pt_map(&hv_pt, dtb_window.start, dtb_window.start,
				   dtb_window.end - dtb_window.start, PT_MEM_NORMAL | PT_RO)) {
				dtb_window.start = dtb_window.end = 0;
			}
		} else {
			dtb_window.start = dtb_window.end = 0;
		}
	}
	boot_ttbr = hv_pt.root;
	return hv_pt.root;
}

static void tlb_flush_all(void)
{
	__asm__ volatile("dsb ishst\n\ttlbi alle2is\n\tdsb ish\n\tisb" : : : "memory");
}

/* Maps [s, e) RW unless it overlaps [hole_s, hole_e), which is skipped. */
static int map_ram_skipping(paddr_t s, paddr_t e, paddr_t hole_s, paddr_t hole_e)
{
	int rc = 0;

	if (hole_s < e && hole_e > s) {
		if (s < hole_s) {
			rc = pt_map(&hv_pt, s, s, hole_s - s, PT_MEM_NORMAL);
		}
		if (rc == 0 && hole_e < e) {
			rc = pt_map(&hv_pt, hole_e, hole_e, e - hole_e, PT_MEM_NORMAL);
		}
		return rc;
	}
	return pt_map(&hv_pt, s, s, e - s, PT_MEM_NORMAL);
}

/** See asm/stage1.h. */
int stage1_map_ram(const struct mem_range *banks, unsigned int nr)
{
	unsigned long flags;
	int rc = 0;

	spin_lock_irqsave(&stage1_lock, flags);
	if (dtb_window.end) {
		/* RAM covers the DTB: its RO window goes, the RW RAM map replaces it. */
		pt_unmap(&hv_pt, dtb_window.start, dtb_window.end - dtb_window.start);
		tlb_flush_all();
	}
	for (unsigned int i = 0; i < nr && rc == 0; i++) {
		paddr_t s = ROUND_UP(banks[i].start, PAGE_SIZE);
		paddr_t e = ROUND_DOWN(banks[i].end, PAGE_SIZE);

		if (s >= e) {
			continue;
		}
		rc = map_ram_skipping(s, e, image_start(), image_end());
	}
	if (rc == 0 && dtb_window.end) {
		/* A device tree outside RAM keeps its own window. */
		paddr_t pa;
		unsigned int f;
		u64 g;

		if (pt_lookup(&hv_pt, dtb_window.start, &pa, &f, &g) != 0) {
			rc = pt_map(&hv_pt, dtb_window.start, dtb_window.start,
				    dtb_window.end - dtb_window.start, PT_MEM_NORMAL | PT_RO);
		}
	}
	tlb_flush_all();
	spin_unlock_irqrestore(&stage1_lock, flags);
	return rc;
}

void stage1_use_page_alloc(void)
{
	use_page_alloc = true;
}

unsigned int stage1_table_pages(void)
{
	return nr_table_pages;
}

/** See asm/stage1.h. Regions already mapped with the same identity are accepted. */
void *ioremap(paddr_t pa, u64 size)
{
	paddr_t s = ROUND_DOWN(pa, PAGE_SIZE);
	paddr_t e = ROUND_UP(pa + size, PAGE_SIZE);
	unsigned long flags;
	void *ret = phys_to_virt(pa);

	if (size == 0 || e < s) {
		return NULL;
	}
	spin_lock_irqsave(&stage1_lock, flags);
	if (pt_map(&hv_pt, s, s, e - s, PT_MEM_DEVICE) == 0) {
		goto out;
	}
	/* Partly mapped already (two devices sharing a page): go page by page. */
	for (paddr_t p = s; p < e; p += PAGE_SIZE) {
		paddr_t out;
		unsigned int f;
		u64 g;

		if (pt_lookup(&hv_pt, p, &out, &f, &g) == 0) {
			if ((f & PT_MEM_MASK) != PT_MEM_DEVICE) {
				log_err("ioremap: 0x%llx is already mapped as memory\n",
					(unsigned long long)p);
				ret = NULL;
				break;
			}
			continue;
		}
		if (pt_map(&hv_pt, p, p, PAGE_SIZE, PT_MEM_DEVICE | PT_NO_BLOCK) != 0) {
			ret = NULL;
			break;
		}
	}
out:
	tlb_flush_all();
	spin_unlock_irqrestore(&stage1_lock, flags);
	return ret;
}
