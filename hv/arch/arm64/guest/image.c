/* SPDX-License-Identifier: Apache-2.0 */
/*
 * arm64 Linux Image probe and boot-module placement, shared by the hypervisor (Dom0 and
 * dom0less DomUs) and `lam` (see arm64_guest.h).
 *
 * Header (Linux Documentation/arch/arm64/booting.rst, "Call the kernel image"), all fields
 * little-endian: code0/code1 at 0 and 4, text_offset at 8, image_size at 16, flags at 24,
 * three reserved words, the magic "ARM\x64" at 56 and the PE header offset at 60.
 */
#include <hv/errno.h>
#include <hv/lib.h>

#include <arm64_guest.h>

#define SZ_2M (2ULL << 20)
#define SZ_128M (128ULL << 20)
/* booting.rst: image_size 0 marks a pre-3.17 kernel, loaded at this offset. */
#define IMAGE_LEGACY_TEXT_OFFSET 0x80000ULL
/* booting.rst flags bit 0: kernel endianness, 1 = big-endian. */
#define IMAGE_FLAG_BE (1ULL << 0)
/* Sizes beyond this are nonsense from a corrupt or hostile header. */
#define IMAGE_SIZE_LIMIT (1ULL << 40)

static u32 le32(const u8 *p)
{
	return (u32)p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24;
}

static u64 le64(const u8 *p)
{
	return (u64)le32(p) | (u64)le32(p + 4) << 32;
}

/** Says what a file that is not an Image is, for the kernels people pass by mistake. */
static const char *image_other_format(const u8 *h, size_t len)
{
	if (len >= 2 && h[0] == 0x1f && h[1] == 0x8b) {
		return "is gzip-compressed; give the uncompressed Image (zcat vmlinuz > Image)";
	}
	if (len >= 4 && memcmp(h, "\177ELF", 4) == 0) {
		return "is an ELF file (vmlinux); give the arm64 Image (arch/arm64/boot/Image)";
	}
	/* EFI zboot (Linux CONFIG_EFI_ZBOOT): a PE stub with "zimg" at offset 4. */
	if (len >= 8 && h[0] == 'M' && h[1] == 'Z' && memcmp(h + 4, "zimg", 4) == 0) {
		return "is an EFI zboot compressed kernel; give the uncompressed arm64 Image";
	}
	/* U-Boot legacy image: big-endian magic 0x27051956 at offset 0. */
	if (len >= 4 && h[0] == 0x27 && h[1] == 0x05 && h[2] == 0x19 && h[3] == 0x56) {
		return "is a U-Boot uImage; give the plain arm64 Image";
	}
	/* 32-bit Arm zImage: magic 0x016f2818 at offset 0x24. */
	if (len >= 0x28 && le32(h + 0x24) == 0x016f2818U) {
		return "is a 32-bit Arm zImage; only 64-bit arm64 Images boot";
	}
	if (len >= 3 && h[0] == 'B' && h[1] == 'Z' && h[2] == 'h') {
		return "is bzip2-compressed; give the uncompressed Image";
	}
	if (len >= 6 && memcmp(h, "\3757zXZ", 5) == 0) {
		return "is xz-compressed; give the uncompressed Image";
	}
	if (len >= 4 && le32(h) == 0xfd2fb528U) {
		return "is zstd-compressed; give the uncompressed Image";
	}
	return NULL;
}

/** See arm64_guest.h. */
int arm64_image_probe(const char *name, const void *hdr, size_t hdr_len, u64 file_size,
		      struct arm64_image *out, char *err, size_t errlen)
{
	const u8 *h = hdr;
	const char *why;
	u64 text_offset, image_size, flags;

	if (name == NULL) {
		name = "kernel";
	}
	if (hdr_len > file_size) {
		hdr_len = (size_t)file_size;
	}
	why = image_other_format(h, hdr_len);
	if (why != NULL) {
		hv_snprintf(err, errlen, "%s %s", name, why);
		return -HV_ENOEXEC;
	}
	if (hdr_len < ARM64_IMAGE_HDR_SIZE) {
		hv_snprintf(err, errlen, "%s is too small (%llu bytes) to be an arm64 Image", name,
			    (unsigned long long)file_size);
		return -HV_ENOEXEC;
	}
	if (memcmp(h + 56, "ARM\x64", 4) != 0) {
		hv_snprintf(err, errlen,
			    "%s is not an arm64 Linux Image (no \"ARM\\x64\" magic at offset 56)",
			    name);
		return -HV_ENOEXEC;
	}
	text_offset = le64(h + 8);
	image_size = le64(h + 16);
	flags = le64(h + 24);
	if (image_size == 0) {
		/* Pre-3.17: fixed offset, and no size beyond the file itself. */
		text_offset = IMAGE_LEGACY_TEXT_OFFSET;
		flags = 0;
	}
	if (flags & IMAGE_FLAG_BE) {
		hv_snprintf(err, errlen,
			    "%s is a big-endian kernel; only little-endian guests boot", name);
		return -HV_ENOEXEC;
	}
	if (text_offset >= SZ_2M || !IS_ALIGNED(text_offset, PAGE_SIZE)) {
		hv_snprintf(
			err, errlen,
			"%s has an invalid text_offset 0x%llx (must be 4 KiB aligned, below 2 MiB)",
			name, (unsigned long long)text_offset);
		return -HV_ENOEXEC;
	}
	/* The kernel needs image_size bytes; data appended to the file is loaded too. */
	image_size = MAX(image_size, file_size);
	if (image_size > IMAGE_SIZE_LIMIT) {
		hv_snprintf(err, errlen, "%s claims an image_size of %llu bytes; refusing", name,
			    (unsigned long long)image_size);
		return -HV_ENOEXEC;
	}
	out->text_offset = text_offset;
	out->image_size = image_size;
	out->flags = flags;
	out->file_size = file_size;
	return 0;
}

/** Whole MiB, rounded up, for messages. */
static unsigned long long mib_up(u64 bytes)
{
	return (unsigned long long)((bytes + MiB(1) - 1) >> 20);
}

/** See arm64_guest.h. */
int arm64_boot_plan(u64 ram_base, u64 ram_size, const struct arm64_image *img, u64 initrd_size,
		    struct arm64_boot_plan *plan, char *err, size_t errlen)
{
	u64 kernel_gpa, kernel_end, ram_end, mod_size, initrd_room, base;

	if (!IS_ALIGNED(ram_base, SZ_2M)) {
		hv_snprintf(err, errlen, "guest RAM base 0x%llx is not 2 MiB aligned",
			    (unsigned long long)ram_base);
		return -HV_EINVAL;
	}
	if (ram_size > ~0ULL - ram_base || img->image_size > IMAGE_SIZE_LIMIT ||
	    img->text_offset >= SZ_2M || initrd_size > IMAGE_SIZE_LIMIT) {
		hv_snprintf(err, errlen, "guest RAM or module sizes out of range");
		return -HV_EINVAL;
	}
	ram_end = ram_base + ROUND_DOWN(ram_size, SZ_2M);
	kernel_gpa = ram_base + img->text_offset;
	kernel_end = ROUND_UP(kernel_gpa + img->image_size, SZ_2M);
	/* The initrd starts on a 2 MiB boundary; the device tree gets the 2 MiB slot after it. */
	initrd_room = ROUND_UP(initrd_size, SZ_2M);
	mod_size = initrd_room + ARM64_DTB_MAX;

	if (ram_end >= ram_base + SZ_128M + mod_size && kernel_end <= ram_base + SZ_128M) {
		base = ram_base + SZ_128M;
	} else if (ram_end >= kernel_end + mod_size) {
		base = ram_end - mod_size;
	} else if (kernel_gpa - ram_base >= mod_size && kernel_end <= ram_end) {
		base = ram_base;
	} else {
		char initrd[48] = "";

		if (initrd_size != 0) {
			hv_snprintf(initrd, sizeof(initrd), "ramdisk (%llu MiB) + ",
				    mib_up(initrd_size));
		}
		hv_snprintf(
			err, errlen,
			"kernel (%llu MiB) + %sdevice tree (2 MiB) do not fit in %llu MiB of guest "
			"memory",
			mib_up(kernel_end - ram_base), initrd,
			(unsigned long long)(ram_size >> 20));
		return -HV_ENOMEM;
	}
	plan->kernel_gpa = kernel_gpa;
	plan->kernel_entry = kernel_gpa;
	plan->initrd_gpa = initrd_size ? base : 0;
	plan->initrd_size = initrd_size;
	plan->dtb_gpa = base + initrd_room;
	plan->dtb_max = ARM64_DTB_MAX;
	return 0;
}
