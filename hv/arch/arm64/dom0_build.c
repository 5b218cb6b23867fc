/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Building Dom0 the way Xen on Arm does (xen-abi-guide §1): memory direct-mapped
 * (IPA = PA) in naturally aligned blocks, one vCPU per pCPU (dom0_max_vcpus=), the
 * vGIC at the host's GIC addresses, every other device's MMIO passed through, and the
 * kernel (an arm64 Image), initrd and device tree placed in the largest bank as every
 * guest's are (arm64_boot_plan(): kernel at text_offset, modules at 128 MiB or the top).
 */
#include <libfdt.h>

#include <arm64_guest.h>
#include <asm/cache.h>
#include <asm/gic.h>
#include <asm/mm.h>
#include <asm/p2m.h>
#include <asm/pt.h>
#include <asm/stage1.h>
#include <hv/dom0.h>
#include <hv/dom0_dt.h>
#include <hv/dom0_mem.h>
#include <hv/domain.h>
#include <hv/dt_reader.h>
#include <hv/errno.h>
#include <hv/heap.h>
#include <hv/log.h>
#include <hv/page_alloc.h>
#include <hv/params.h>
#include <hv/percpu.h>
#include <hv/uart.h>
#include <hv/vgic.h>

#define DOM0_DTB_MAX ARM64_DTB_MAX
#define DOM0_GNTTAB_FRAMES 64

/* Sorted insertion of a block into the bank list, merging neighbours. */
static void add_bank(struct mem_range *banks, unsigned int *nr, paddr_t s, paddr_t e)
{
	unsigned int i = 0;

	while (i < *nr && banks[i].start < s) {
		i++;
	}
	memmove(&banks[i + 1], &banks[i], (*nr - i) * sizeof(*banks));
	banks[i] = (struct mem_range){ s, e };
	(*nr)++;
	for (unsigned int j = 0; j + 1 < *nr;) {
		if (banks[j].end == banks[j + 1].start) {
			banks[j].end = banks[j + 1].end;
			memmove(&banks[j + 1], &banks[j + 2], (*nr - j - 2) * sizeof(*banks));
			(*nr)--;
		} else {
			j++;
		}
	}
}

/*
 * Gives Dom0 'bytes' of direct-mapped RAM in the largest blocks the allocator has
 * (1 GiB down to 2 MiB), so Linux sees few, large banks.
 */
static int dom0_alloc_ram(struct domain *d, u64 bytes, struct mem_range *banks,
			  unsigned int *nr_banks)
{
	u64 left = bytes;

	*nr_banks = 0;
	while (left > 0) {
		unsigned int order = PAGE_MAX_ORDER;
		struct page_info *pg = NULL;
		int rc;

		while (order > 9 && (PAGE_SIZE << order) > left) {
			order--;
		}
		for (;; order--) {
			pg = page_alloc(order, PA_ZERO);
			if (pg != NULL || order == 9) {
				break;
			}
		}
		if (pg == NULL) {
			return -HV_ENOMEM;
		}
		if (*nr_banks == DOM0_MAX_MEM_BANKS) {
			page_free(pg, order);
			return -HV_ENOMEM;
		}
		rc = domain_add_ram_block(d, pg, order, page_to_paddr(pg));
		if (rc != 0) {
			page_free(pg, order);
			return rc;
		}
		add_bank(banks, nr_banks, page_to_paddr(pg),
			 page_to_paddr(pg) + (PAGE_SIZE << order));
		left -= MIN(left, PAGE_SIZE << order);
	}
	return 0;
}

static const struct boot_module *find_module(const struct boot_info *bi, enum boot_module_kind kind)
{
	for (unsigned int i = 0; i < bi->nr_modules; i++) {
		if (bi->modules[i].kind == kind && bi->modules[i].domain_node < 0) {
			return &bi->modules[i];
		}
	}
	return NULL;
}

/* Copies host memory into Dom0's RAM at a direct-mapped address and cleans it. */
static int dom0_load(struct domain *d, paddr_t dst, const void *src, u64 len)
{
	int rc = copy_to_guest_phys(d, dst, src, len);

	if (rc == 0) {
		guest_clean_dcache(d, dst, len);
	}
	return rc;
}

/** See hv/dom0.h. */
#define EXT_USED_MAX (BOOT_MAX_MEM_BANKS + BOOT_MAX_RESERVED + DOM0_MAX_MMIO + 64)

/* Adds the reg ranges of node and its descendants (the GIC and its ITS), untranslated. */
static unsigned int add_node_regs(struct dt_reader *r, int node, struct mem_range *used,
				  unsigned int n, unsigned int max)
{
	struct dt_reg reg;
	bool present;
	u64 base, size;
	int child;

	if (dt_get_reg(r, node, &reg, &present) == 0) {
		for (int i = 0; present && i < reg.nr && n < max; i++) {
			dt_reg_entry(&reg, i, &base, &size);
			if (size != 0 && base + size > base) {
				used[n++] = (struct mem_range){ base, base + size };
			}
		}
	}
	fdt_for_each_subnode (child, r->fdt, node) {
		n = add_node_regs(r, child, used, n, max);
	}
	return n;
}

/*
 * Dom0's extended regions: the address space (up to the IPA size) that is neither RAM
 * nor any device's, for foreign and grant mappings (Xen's find_unallocated_memory).
 */
static unsigned int dom0_find_ext_regions(const struct boot_info *bi,
					  const struct dom0_passthrough *pt, struct mem_range *out,
					  unsigned int max)
{
	struct mem_range *used = xmalloc(EXT_USED_MAX * sizeof(*used));
	unsigned int n = 0, nr;

	if (used == NULL) {
		return 0;
	}
	for (unsigned int i = 0; i < bi->nr_mem; i++) {
		used[n++] = bi->mem[i];
	}
	for (unsigned int i = 0; i < bi->nr_reserved; i++) {
		used[n++] = bi->reserved[i];
	}
	for (unsigned int i = 0; i < pt->nr_mmio; i++) {
		used[n++] = pt->mmio[i];
	}
	used[n++] = (struct mem_range){ bi->gic.dist_base, bi->gic.dist_base + bi->gic.dist_size };
	for (unsigned int i = 0; i < bi->gic.nr_redist && n < EXT_USED_MAX; i++) {
		used[n++] = bi->gic.redist[i];
	}
	if (bi->uart.node >= 0 && n < EXT_USED_MAX) {
		used[n++] = (struct mem_range){ bi->uart.base, bi->uart.base + bi->uart.size };
	}
	if (bi->gic.node >= 0) {
		struct dt_reader r;

		dt_reader_init(&r, bi->fdt, NULL, 0);
		n = add_node_regs(&r, bi->gic.node, used, n, EXT_USED_MAX);
	}
	nr = dom0_ext_regions(used, n, 1ull << p2m_ipa_bits(), out, max);
	xfree(used);
	return nr;
}

int dom0_build(const struct boot_info *bi, struct domain **out)
{
	const struct boot_module *kernel = find_module(bi, BOOTMOD_KERNEL);
	const struct boot_module *initrd = find_module(bi, BOOTMOD_RAMDISK);
	struct dom0_passthrough *pt = NULL;
	struct mem_range ext[DOM0_MAX_EXT_REGIONS];
	struct domain_config cfg = { .privileged = true, .direct_map = true };
	struct mem_range banks[DOM0_MAX_MEM_BANKS];
	struct dom0_dt_params dp = { 0 };
	struct page_alloc_stats st;
	unsigned int nr_banks = 0, big = 0;
	struct arm64_image image;
	struct arm64_boot_plan plan;
	u64 mem, total = 0;
	paddr_t kernel_pa, dtb_pa, initrd_pa;
	const u8 *img;
	void *dtb = NULL;
	struct domain *d = NULL;
	char err[200];
	int rc;

	if (kernel == NULL) {
		return -HV_ENOENT;
	}
	img = phys_to_virt(kernel->start);
	rc = arm64_image_probe("Dom0's kernel module", img, kernel->size, kernel->size, &image, err,
			       sizeof(err));
	if (rc != 0) {
		log_err("Dom0: %s\n", err);
		return rc;
	}

	for (unsigned int i = 0; i < bi->nr_mem; i++) {
		total += bi->mem[i].end - bi->mem[i].start;
	}
	page_alloc_get_stats(&st);
	rc = dom0_mem_choose(total, st.free_pages << PAGE_SHIFT, &hv_opts, &mem, err, sizeof(err));
	if (rc != 0) {
		log_err("Dom0: %s\n", err);
		return rc;
	}
	cfg.nr_vcpus = hv_opts.dom0_max_vcpus ? MIN(hv_opts.dom0_max_vcpus, nr_cpus_online)
					      : nr_cpus_online;
	if (hv_opts.dom0_max_vcpus > nr_cpus_online) {
		log_warn("Dom0: dom0_max_vcpus=%u but only %u pCPUs: using %u vCPUs\n",
			 hv_opts.dom0_max_vcpus, nr_cpus_online, cfg.nr_vcpus);
	}
	hv_snprintf(cfg.name, sizeof(cfg.name), "Domain-0");
	cfg.gicd_base = bi->gic.dist_base;
	cfg.gicr_base = bi->gic.redist[0].start;
	cfg.nr_spis = gic_nr_lines() - 32;
	cfg.evtchn_ppi = dom0_pick_evtchn_ppi(bi->fdt);
	if (cfg.evtchn_ppi == 0) {
		log_err("Dom0: no free PPI for the event-channel interrupt\n");
		return -HV_ENOSPC;
	}

	rc = domain_create(0, &cfg, &d);
	if (rc != 0) {
		log_err("Dom0: cannot create the domain (%d)\n", rc);
		return rc;
	}
	rc = dom0_alloc_ram(d, mem, banks, &nr_banks);
	d->max_pages = d->tot_pages;
	if (rc != 0) {
		log_err("Dom0: cannot allocate %llu MiB of RAM (%d)\n",
			(unsigned long long)(mem >> 20), rc);
		goto fail;
	}

	/* Kernel, initrd and device tree go in the largest bank. */
	for (unsigned int i = 1; i < nr_banks; i++) {
		if (banks[i].end - banks[i].start > banks[big].end - banks[big].start) {
			big = i;
		}
	}
	rc = arm64_boot_plan(banks[big].start, banks[big].end - banks[big].start, &image,
			    initrd ? initrd->size : 0, &plan, err, sizeof(err));
	if (rc != 0) {
		log_err("Dom0: its largest RAM bank: %s: give it more memory (dom0_mem=)\n", err);
		goto fail;
	}
	kernel_pa = plan.kernel_gpa;
	dtb_pa = plan.dtb_gpa;
	initrd_pa = plan.initrd_gpa;

	/* Everything the host has but Lamina keeps goes to Dom0. */
	pt = xzalloc(sizeof(*pt));
	dtb = xmalloc(DOM0_DTB_MAX);
	if (pt == NULL || dtb == NULL) {
		rc = -HV_ENOMEM;
		goto fail;
	}
	rc = dom0_collect_passthrough(bi->fdt, bi->uart.node, pt, err, sizeof(err));
	if (rc != 0) {
		log_err("Dom0: %s\n", err);
		goto fail;
	}
	for (unsigned int i = 0; i < pt->nr_mmio && rc == 0; i++) {
		rc = p2m_map(d, pt->mmio[i].start, pt->mmio[i].start,
			     pt->mmio[i].end - pt->mmio[i].start, PT_MEM_DEVICE);
	}
	if (rc != 0) {
		log_err("Dom0: cannot map its devices (%d)\n", rc);
		goto fail;
	}
	/* Its devices' SPIs, same INTIDs, deactivated by Dom0 itself (HW list registers). */
	for (unsigned int i = 0; i < pt->nr_irqs && rc == 0; i++) {
		if (pt->irqs[i] != console_uart_irq) {
			rc = vgic_map_hw_irq(d, pt->irqs[i], pt->irqs[i]);
		}
	}
	if (rc != 0) {
		log_err("Dom0: cannot route its device interrupts (%d)\n", rc);
		goto fail;
	}

	dp.mem = banks;
	dp.nr_mem = nr_banks;
	dp.nr_vcpus = d->nr_vcpus;
	dp.bootargs = bi->dom0_cmdline;
	dp.initrd_start = initrd_pa;
	dp.initrd_size = initrd ? initrd->size : 0;
	/* The grant-table window sits where Lamina's own image is: never Dom0 RAM. */
	dp.gnttab_base = image_start();
	dp.gnttab_size = MIN((u64)DOM0_GNTTAB_FRAMES * PAGE_SIZE, image_end() - image_start());
	/* Linux maps max_nr_frames frames of the window: they must fit in it. */
	d->gnttab.max_frames =
		MIN(d->gnttab.max_frames, (unsigned int)(dp.gnttab_size >> PAGE_SHIFT));
	dp.evtchn_ppi = cfg.evtchn_ppi;
	dp.ext_regions = ext;
	dp.nr_ext = dom0_find_ext_regions(bi, pt, ext, DOM0_MAX_EXT_REGIONS);
	dp.hv_uart_node = bi->uart.node;
	dp.nr_redist_frames = d->nr_vcpus;
	rc = dom0_build_dt(bi->fdt, &dp, dtb, DOM0_DTB_MAX, err, sizeof(err));
	if (rc != 0) {
		log_err("Dom0: cannot build its device tree: %s\n", err);
		goto fail;
	}
	rc = dom0_load(d, kernel_pa, img, kernel->size);
	rc = rc ?: dom0_load(d, dtb_pa, dtb, fdt_totalsize(dtb));
	if (rc == 0 && initrd) {
		rc = dom0_load(d, initrd_pa, phys_to_virt(initrd->start), initrd->size);
	}
	if (rc != 0) {
		log_err("Dom0: cannot load its kernel and device tree (%d)\n", rc);
		goto fail;
	}
	log_info("Dom0: %u vCPU(s), %llu MiB in %u bank(s), kernel at 0x%llx, "
		 "device tree at 0x%llx, %u MMIO ranges and %u SPIs passed through, "
		 "%u extended regions\n",
		 d->nr_vcpus, (unsigned long long)(mem >> 20), nr_banks,
		 (unsigned long long)kernel_pa, (unsigned long long)dtb_pa, pt->nr_mmio,
		 pt->nr_irqs, dp.nr_ext);
	xfree(pt);
	xfree(dtb);
	*out = d;
	return vcpu_power_on(d->vcpus[0], plan.kernel_entry, dtb_pa);

fail:
	xfree(pt);
	xfree(dtb);
	if (d != NULL) {
		/* Not a Dom0 crash (which resets the machine): it never ran. */
		d->privileged = false;
		domain_shutdown(d, SHUTDOWN_crash);
	}
	return rc;
}
