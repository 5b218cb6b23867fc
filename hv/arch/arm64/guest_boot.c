/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Arm's side of booting a domain the hypervisor builds itself (hv/include/hv/guest_boot.h):
 * an arm64 Image placed as booting.rst and libxl want, and the DomU device tree `lam` writes
 * too (both from hv/arch/arm64/guest/, arm64_guest.h). The tree has no /hypervisor node, as
 * Xen gives a dom0less domain none without "xen,enhanced".
 */
#include <libfdt.h>

#include <arm64_guest.h>
#include <asm/cache.h>
#include <asm/machine.h>
#include <asm/mm.h>
#include <hv/domain.h>
#include <hv/errno.h>
#include <hv/guest_boot.h>
#include <hv/heap.h>
#include <hv/lib.h>

/* Room for the tree while it is written: 128 vCPUs need about 16 KiB. */
#define GUEST_BOOT_DTB_BUF KiB(64)

/** See hv/guest_boot.h. */
int arch_guest_boot_plan(struct guest_boot *gb, char *err, size_t errlen)
{
	struct arm64_image img;
	struct arm64_boot_plan plan;
	int rc;

	rc = arm64_image_probe("the kernel module", phys_to_virt(gb->kernel), gb->kernel_size,
			       gb->kernel_size, &img, err, errlen);
	if (rc == 0) {
		rc = arm64_boot_plan(gb->ram_base, gb->ram_size, &img, gb->initrd_size, &plan, err,
				     errlen);
	}
	if (rc != 0) {
		return rc;
	}
	gb->kernel_gpa = plan.kernel_gpa;
	gb->entry = plan.kernel_entry;
	gb->initrd_gpa = plan.initrd_gpa;
	gb->dtb_gpa = plan.dtb_gpa;
	return 0;
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

/** See hv/guest_boot.h. */
int arch_guest_boot_load(struct domain *d, const struct guest_boot *gb, char *err, size_t errlen)
{
	struct arm64_domu_layout l;
	void *dtb = xmalloc(GUEST_BOOT_DTB_BUF);
	int rc;

	if (dtb == NULL) {
		hv_snprintf(err, errlen, "no memory for the device tree");
		return -HV_ENOMEM;
	}
	arm64_domu_layout_init(&l, gb->ram_size, gb->nr_vcpus);
	l.ram_base[0] = gb->ram_base;
	l.gnttab_base = 0;
	l.gnttab_size = 0;
	l.cmdline = gb->cmdline;
	l.initrd_start = gb->initrd_gpa;
	l.initrd_size = gb->initrd_size;
	rc = arm64_domu_dt_build(&l, dtb, GUEST_BOOT_DTB_BUF, err, errlen);
	if (rc == 0) {
		rc = guest_boot_copy(d, gb->kernel_gpa, phys_to_virt(gb->kernel), gb->kernel_size);
		rc = rc ?: guest_boot_copy(d, gb->dtb_gpa, dtb, fdt_totalsize(dtb));
		if (rc == 0 && gb->initrd_size != 0) {
			rc = guest_boot_copy(d, gb->initrd_gpa, phys_to_virt(gb->initrd),
					     gb->initrd_size);
		}
		if (rc != 0) {
			hv_snprintf(err, errlen, "cannot copy its kernel and device tree (%d)", rc);
		}
	}
	xfree(dtb);
	return rc;
}

/** See hv/guest_boot.h. */
void arch_machine_power_off(void)
{
	machine_power_off();
}

/** See hv/guest_boot.h. */
void arch_machine_restart(void)
{
	machine_restart();
}
