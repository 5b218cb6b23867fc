/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Arm's side of booting a domain the hypervisor builds itself (hv/include/hv/guest_boot.h):
 * an arm64 Image placed as booting.rst and libxl want (Dom0 and dom0less DomUs), and the
 * DomU device tree `lam` writes too (both from hv/arch/arm64/guest/, arm64_guest.h). A
 * dom0less DomU's tree has no /hypervisor node, as Xen gives none without "xen,enhanced".
 */
#include <libfdt.h>

#include <arm64_guest.h>
#include <hv/cache.h>
#include <hv/arch.h>
#include <asm/mm.h>
#include <hv/domain.h>
#include <hv/errno.h>
#include <hv/guest_boot.h>
#include <hv/lib.h>

/** See hv/guest_boot.h. */
int arch_guest_kernel_probe(struct guest_boot *gb, char *err, size_t errlen)
{
	struct arm64_image img;
	int rc = arm64_image_probe("its kernel module", phys_to_virt(gb->kernel), gb->kernel_size,
				   gb->kernel_size, &img, err, errlen);

	gb->load_offset = img.text_offset;
	gb->load_size = img.image_size;
	return rc;
}

/** See hv/guest_boot.h. */
int arch_guest_boot_plan(struct guest_boot *gb, char *err, size_t errlen)
{
	struct arm64_image img = {
		.text_offset = gb->load_offset,
		.image_size = gb->load_size,
		.file_size = gb->kernel_size,
	};
	struct arm64_boot_plan plan;
	int rc = arm64_boot_plan(gb->ram_base, gb->ram_size, &img, gb->initrd_size, &plan, err,
				 errlen);

	gb->kernel_gpa = plan.kernel_gpa;
	gb->entry = plan.kernel_entry;
	gb->initrd_gpa = plan.initrd_gpa;
	gb->dtb_gpa = plan.dtb_gpa;
	return rc;
}

/** Copies len bytes to d's RAM at gpa and cleans them to the point of coherency. */
static int guest_boot_copy(struct domain *d, gpaddr_t gpa, const void *src, u64 len)
{
	int rc = copy_to_guest_phys(d, gpa, src, len);

	if (rc == 0) {
		guest_clean_dcache(d, gpa, len);
	}
	return rc;
}

/** See hv/guest_boot.h: the tree lam writes, without /hypervisor. */
int arch_domu_dt_build(const struct guest_boot *gb, void *buf, size_t size, char *err,
		       size_t errlen)
{
	struct arm64_domu_layout l;

	arm64_domu_layout_init(&l, gb->ram_size, gb->nr_vcpus);
	l.ram_base[0] = gb->ram_base;
	l.gnttab_base = 0;
	l.gnttab_size = 0;
	l.cmdline = gb->cmdline;
	l.initrd_start = gb->initrd_gpa;
	l.initrd_size = gb->initrd_size;
	return arm64_domu_dt_build(&l, buf, size, err, errlen);
}

/** See hv/guest_boot.h. */
int arch_guest_boot_load(struct domain *d, const struct guest_boot *gb, const void *dtb, char *err,
			 size_t errlen)
{
	int rc = guest_boot_copy(d, gb->kernel_gpa, phys_to_virt(gb->kernel), gb->kernel_size);

	rc = rc ?: guest_boot_copy(d, gb->dtb_gpa, dtb, fdt_totalsize(dtb));
	if (rc == 0 && gb->initrd_size != 0) {
		rc = guest_boot_copy(d, gb->initrd_gpa, phys_to_virt(gb->initrd), gb->initrd_size);
	}
	if (rc != 0) {
		hv_snprintf(err, errlen, "cannot load its kernel and device tree (%d)", rc);
	}
	return rc;
}
