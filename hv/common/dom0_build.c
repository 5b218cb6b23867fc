/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Building Dom0 the way Xen on Arm does (Xen's xen/arch/arm/domain_build.c), the part every
 * architecture shares: which modules, how much memory (dom0_mem.c) in naturally aligned
 * blocks direct-mapped (IPA = PA), one vCPU per pCPU (dom0_max_vcpus=), the devices Lamina
 * does not keep passed through (dom0_passthrough.c), Dom0's device tree (dom0_dt.c), and the
 * kernel, initrd and tree placed in the largest bank as every guest's are. The architecture
 * configures the interrupt controller, maps and routes the devices and probes and places
 * the kernel (hv/dom0.h, hv/guest_boot.h; Arm: hv/arch/arm64/dom0_build.c, guest_boot.c).
 */
#include <hv/arch.h>
#include <hv/dom0.h>
#include <hv/dom0_dt.h>
#include <hv/dom0_mem.h>
#include <hv/domain.h>
#include <hv/errno.h>
#include <hv/guest_boot.h>
#include <hv/heap.h>
#include <hv/log.h>
#include <hv/page_alloc.h>
#include <hv/params.h>
#include <hv/percpu.h>

/* Largest Dom0 device tree (Linux Documentation/arch/arm64/booting.rst: 2 MiB). */
#define DOM0_DTB_MAX MiB(2)
/* Ranges the extended-region search sets aside, beyond RAM, reserved memory and MMIO. */
#define EXT_USED_MAX (BOOT_MAX_MEM_BANKS + BOOT_MAX_RESERVED + DOM0_MAX_MMIO + 64)

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

/** The first module of kind for /chosen (Dom0), or NULL. */
static const struct boot_module *dom0_find_module(const struct boot_info *bi,
						  enum boot_module_kind kind)
{
	for (unsigned int i = 0; i < bi->nr_modules; i++) {
		if (bi->modules[i].kind == kind && bi->modules[i].domain_node < 0) {
			return &bi->modules[i];
		}
	}
	return NULL;
}

/*
 * Dom0's extended regions: the address space that is neither RAM nor any device's, for
 * foreign and grant mappings (Xen's find_unallocated_memory()).
 */
static unsigned int dom0_find_ext_regions(const struct boot_info *bi,
					  const struct dom0_passthrough *pt, struct mem_range *out,
					  unsigned int max)
{
	struct mem_range *used = xmalloc(EXT_USED_MAX * sizeof(*used));
	unsigned int n = 0, nr;
	u64 limit;

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
	if (bi->uart.node >= 0) {
		used[n++] = (struct mem_range){ bi->uart.base, bi->uart.base + bi->uart.size };
	}
	n = arch_dom0_reserved_ranges(bi, used, n, EXT_USED_MAX, &limit);
	nr = dom0_ext_regions(used, n, limit, out, max);
	xfree(used);
	return nr;
}

/** See hv/dom0.h. */
int dom0_build(const struct boot_info *bi, struct domain **out)
{
	const struct boot_module *kernel = dom0_find_module(bi, BOOTMOD_KERNEL);
	const struct boot_module *initrd = dom0_find_module(bi, BOOTMOD_RAMDISK);
	struct dom0_passthrough *pt = NULL;
	struct mem_range ext[DOM0_MAX_EXT_REGIONS];
	struct domain_config cfg = { .privileged = true, .direct_map = true };
	struct mem_range banks[DOM0_MAX_MEM_BANKS];
	struct dom0_dt_params dp = { 0 };
	struct guest_boot gb = { .name = "Dom0" };
	struct page_alloc_stats st;
	unsigned int nr_banks = 0, big = 0;
	u64 mem, total = 0;
	void *dtb = NULL;
	struct domain *d = NULL;
	char err[200];
	int rc;

	if (kernel == NULL) {
		return -HV_ENOENT;
	}
	gb.kernel = kernel->start;
	gb.kernel_size = kernel->size;
	rc = arch_guest_kernel_probe(&gb, err, sizeof(err));
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
	rc = arch_dom0_configure(bi, &cfg, err, sizeof(err));
	if (rc != 0) {
		log_err("Dom0: %s\n", err);
		return rc;
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

	/* Kernel, initrd and device tree go in the largest bank (there is one: mem > 0). */
	if (nr_banks == 0) {
		rc = -HV_ENOMEM;
		goto fail;
	}
	for (unsigned int i = 1; i < nr_banks; i++) {
		if (banks[i].end - banks[i].start > banks[big].end - banks[big].start) {
			big = i;
		}
	}
	gb.nr_vcpus = d->nr_vcpus;
	gb.ram_base = banks[big].start;
	gb.ram_size = banks[big].end - banks[big].start;
	gb.initrd = initrd ? initrd->start : 0;
	gb.initrd_size = initrd ? initrd->size : 0;
	gb.cmdline = bi->dom0_cmdline;
	rc = arch_guest_boot_plan(&gb, err, sizeof(err));
	if (rc != 0) {
		log_err("Dom0: %s (its largest RAM bank: %llu MiB)\n", err,
			(unsigned long long)(gb.ram_size >> 20));
		goto fail;
	}

	/* Everything the host has but Lamina keeps goes to Dom0. */
	pt = xzalloc(sizeof(*pt));
	dtb = xmalloc(DOM0_DTB_MAX);
	if (pt == NULL || dtb == NULL) {
		rc = -HV_ENOMEM;
		goto fail;
	}
	rc = dom0_collect_passthrough(bi->fdt, bi->uart.node, pt, err, sizeof(err));
	rc = rc ?: arch_dom0_passthrough(d, pt, err, sizeof(err));
	if (rc != 0) {
		log_err("Dom0: %s\n", err);
		goto fail;
	}

	dp.mem = banks;
	dp.nr_mem = nr_banks;
	dp.nr_vcpus = d->nr_vcpus;
	dp.bootargs = bi->dom0_cmdline;
	dp.initrd_start = gb.initrd_gpa;
	dp.initrd_size = gb.initrd_size;
	dp.evtchn_ppi = cfg.evtchn_ppi;
	dp.ext_regions = ext;
	dp.nr_ext = dom0_find_ext_regions(bi, pt, ext, DOM0_MAX_EXT_REGIONS);
	dp.hv_uart_node = bi->uart.node;
	arch_dom0_dt_params(d, &dp);
	/* Linux maps max_nr_frames frames of the grant-table window: they must fit in it. */
	d->gnttab.max_frames =
		MIN(d->gnttab.max_frames, (unsigned int)(dp.gnttab_size >> PAGE_SHIFT));
	rc = dom0_build_dt(bi->fdt, &dp, dtb, DOM0_DTB_MAX, err, sizeof(err));
	if (rc != 0) {
		log_err("Dom0: cannot build its device tree: %s\n", err);
		goto fail;
	}
	rc = arch_guest_boot_load(d, &gb, dtb, err, sizeof(err));
	if (rc != 0) {
		log_err("Dom0: %s\n", err);
		goto fail;
	}
	log_info("Dom0: %u vCPU(s), %llu MiB in %u bank(s), kernel at 0x%llx, "
		 "device tree at 0x%llx, %u MMIO ranges and %u interrupts passed through, "
		 "%u extended regions\n",
		 d->nr_vcpus, (unsigned long long)(mem >> 20), nr_banks,
		 (unsigned long long)gb.kernel_gpa, (unsigned long long)gb.dtb_gpa, pt->nr_mmio,
		 pt->nr_irqs, dp.nr_ext);
	xfree(pt);
	xfree(dtb);
	*out = d;
	return vcpu_power_on(d->vcpus[0], gb.entry, gb.dtb_gpa);

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
