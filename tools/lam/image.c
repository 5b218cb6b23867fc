// SPDX-License-Identifier: Apache-2.0
/*
 * `lam`'s names for the arm64 Image probe and boot-module placement. The code is the
 * hypervisor's (hv/arch/arm64/guest/image.c), compiled into lam too, so a DomU built by lam
 * and one built by the hypervisor (dom0less) are probed and placed the same way.
 */
#include <string.h>

#include <arm64_guest.h>
#include <lam/image.h>

_Static_assert(LAM_IMAGE_HDR_SIZE == ARM64_IMAGE_HDR_SIZE, "Image header size");
_Static_assert(LAM_IMAGE_DTB_MAX == ARM64_DTB_MAX, "device-tree slot");

int lam_image_parse(const char *name, const void *hdr, size_t hdr_len, uint64_t file_size,
		    struct lam_image_info *info, char *err, size_t errlen)
{
	struct arm64_image img;

	if (arm64_image_probe(name, hdr, hdr_len, file_size, &img, err, errlen) != 0) {
		return -1;
	}
	info->text_offset = img.text_offset;
	info->image_size = img.image_size;
	info->flags = img.flags;
	info->file_size = img.file_size;
	return 0;
}

int lam_load_plan(uint64_t ram_base, uint64_t ram_size, const struct lam_image_info *info,
		  uint64_t initrd_size, struct lam_load_plan *plan, char *err, size_t errlen)
{
	struct arm64_image img = {
		.text_offset = info->text_offset,
		.image_size = info->image_size,
		.flags = info->flags,
		.file_size = info->file_size,
	};
	struct arm64_boot_plan p;

	if (arm64_boot_plan(ram_base, ram_size, &img, initrd_size, &p, err, errlen) != 0) {
		return -1;
	}
	plan->kernel_gpa = p.kernel_gpa;
	plan->kernel_entry = p.kernel_entry;
	plan->initrd_gpa = p.initrd_gpa;
	plan->initrd_size = p.initrd_size;
	plan->dtb_gpa = p.dtb_gpa;
	plan->dtb_max = p.dtb_max;
	return 0;
}
