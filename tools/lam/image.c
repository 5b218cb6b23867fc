// SPDX-License-Identifier: Apache-2.0
/*
 * arm64 Linux Image header checks and DomU boot-module placement.
 *
 * Header layout (Linux Documentation/arm64/booting.rst, "Call the kernel image"): all fields
 * little-endian; code0/code1 at 0 and 4, text_offset at 8, image_size at 16, flags at 24,
 * three reserved words, magic "ARM\x64" at 56, and the PE header offset at 60.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <lam/image.h>

#define SZ_2M (2ULL << 20)
#define SZ_128M (128ULL << 20)
#define PAGE_4K 4096ULL

/* booting.rst: image_size 0 means a pre-3.17 kernel, loaded at this offset. */
#define IMAGE_LEGACY_TEXT_OFFSET 0x80000ULL
/* booting.rst flags: bit 0 = kernel endianness (1 = big-endian). */
#define IMAGE_FLAG_BE (1ULL << 0)

static void __attribute__((format(printf, 3, 4)))
seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen) {
		return;
	}
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static uint64_t round_up(uint64_t x, uint64_t a)
{
	return (x + a - 1) & ~(a - 1);
}

static unsigned long long mib_up(uint64_t bytes)
{
	return (unsigned long long)((bytes + (1ULL << 20) - 1) >> 20);
}

/** Name other kernel formats people commonly pass by mistake; NULL if none matches. */
static const char *other_format(const uint8_t *h, size_t len)
{
	if (len >= 2 && h[0] == 0x1f && h[1] == 0x8b) {
		return "is gzip-compressed; give the uncompressed Image (zcat vmlinuz > Image)";
	}
	if (len >= 4 && !memcmp(h,
				"\x7f"
				"ELF",
				4)) {
		return "is an ELF file (vmlinux); give the arm64 Image (arch/arm64/boot/Image)";
	}
	/* EFI zboot (CONFIG_EFI_ZBOOT): a PE stub with "zimg" at offset 4. */
	if (len >= 8 && h[0] == 'M' && h[1] == 'Z' && !memcmp(h + 4, "zimg", 4)) {
		return "is an EFI zboot compressed kernel; give the uncompressed arm64 Image";
	}
	/* U-Boot legacy image header, big-endian magic 0x27051956. */
	if (len >= 4 && be32(h) == 0x27051956U) {
		return "is a U-Boot uImage; give the plain arm64 Image";
	}
	/* 32-bit Arm zImage: magic 0x016f2818 at offset 0x24. */
	if (len >= 0x28 && le32(h + 0x24) == 0x016f2818U) {
		return "is a 32-bit Arm zImage; lam boots 64-bit arm64 Images only";
	}
	if (len >= 3 && h[0] == 'B' && h[1] == 'Z' && h[2] == 'h') {
		return "is bzip2-compressed; give the uncompressed Image";
	}
	if (len >= 6 && !memcmp(h,
				"\xfd"
				"7zXZ",
				5)) {
		return "is xz-compressed; give the uncompressed Image";
	}
	if (len >= 4 && le32(h) == 0xfd2fb528U) {
		return "is zstd-compressed; give the uncompressed Image";
	}
	return NULL;
}

int lam_image_parse(const char *name, const void *hdr, size_t hdr_len, uint64_t file_size,
		    struct lam_image_info *info, char *err, size_t errlen)
{
	const uint8_t *h = hdr;
	const char *why;
	uint64_t text_offset, image_size, flags;

	if (!name) {
		name = "kernel";
	}
	if (hdr_len > file_size) {
		hdr_len = (size_t)file_size;
	}
	why = other_format(h, hdr_len);
	if (why) {
		seterr(err, errlen, "%s %s", name, why);
		return -1;
	}
	if (hdr_len < LAM_IMAGE_HDR_SIZE) {
		seterr(err, errlen, "%s is too small (%llu bytes) to be an arm64 Image", name,
		       (unsigned long long)file_size);
		return -1;
	}
	if (memcmp(h + 56, "ARM\x64", 4)) {
		seterr(err, errlen,
		       "%s is not an arm64 Linux Image (no \"ARM\\x64\" magic at offset 56)", name);
		return -1;
	}
	text_offset = le64(h + 8);
	image_size = le64(h + 16);
	flags = le64(h + 24);
	if (image_size == 0) {
		/* Pre-3.17 kernels: fixed offset, size unknown beyond the file itself. */
		text_offset = IMAGE_LEGACY_TEXT_OFFSET;
		flags = 0;
		image_size = file_size;
	}
	if (flags & IMAGE_FLAG_BE) {
		seterr(err, errlen,
		       "%s is a big-endian kernel; lam boots little-endian guests only", name);
		return -1;
	}
	if (text_offset >= SZ_2M || (text_offset & (PAGE_4K - 1))) {
		seterr(err, errlen,
		       "%s has an invalid text_offset 0x%llx (must be 4 KiB aligned, below 2 MiB)",
		       name, (unsigned long long)text_offset);
		return -1;
	}
	if (image_size < file_size) {
		/* Appended data (e.g. signatures) beyond image_size is loaded too. */
		image_size = file_size;
	}
	if (image_size > (1ULL << 40)) {
		seterr(err, errlen, "%s claims an image_size of %llu bytes; refusing", name,
		       (unsigned long long)image_size);
		return -1;
	}
	info->text_offset = text_offset;
	info->image_size = image_size;
	info->flags = flags;
	info->file_size = file_size;
	return 0;
}

int lam_load_plan(uint64_t ram_base, uint64_t ram_size, const struct lam_image_info *info,
		  uint64_t initrd_size, struct lam_load_plan *plan, char *err, size_t errlen)
{
	uint64_t kernel_gpa, kernel_end, ram_end, mod_size, initrd_room, base;

	if (ram_base & (SZ_2M - 1)) {
		seterr(err, errlen, "guest RAM base 0x%llx is not 2 MiB aligned",
		       (unsigned long long)ram_base);
		return -1;
	}
	if (ram_size > UINT64_MAX - ram_base || info->image_size > (1ULL << 40) ||
	    initrd_size > (1ULL << 40)) {
		seterr(err, errlen, "guest RAM or module sizes out of range");
		return -1;
	}
	ram_end = ram_base + (ram_size & ~(SZ_2M - 1));
	kernel_gpa = ram_base + info->text_offset;
	kernel_end = round_up(kernel_gpa + info->image_size, SZ_2M);
	/* The initrd starts on a 2 MiB boundary and the DTB gets the 2 MiB slot after it. */
	initrd_room = round_up(initrd_size, SZ_2M);
	mod_size = initrd_room + LAM_IMAGE_DTB_MAX;

	/* libxl's order of preference: at 128 MiB, at the top of RAM, below the kernel. */
	if (ram_end >= ram_base + SZ_128M + mod_size && kernel_end <= ram_base + SZ_128M) {
		base = ram_base + SZ_128M;
	} else if (ram_end >= kernel_end + mod_size) {
		base = ram_end - mod_size;
	} else if (kernel_gpa - ram_base >= mod_size && kernel_end <= ram_end) {
		base = ram_base;
	} else {
		if (initrd_size) {
			seterr(err, errlen,
			       "kernel (%llu MiB) + ramdisk (%llu MiB) + device tree (2 MiB) do "
			       "not fit in %llu MiB of guest memory",
			       mib_up(kernel_end - ram_base), mib_up(initrd_size),
			       (unsigned long long)(ram_size >> 20));
		} else {
			seterr(err, errlen,
			       "kernel (%llu MiB) + device tree (2 MiB) do not fit in %llu MiB of "
			       "guest memory",
			       mib_up(kernel_end - ram_base), (unsigned long long)(ram_size >> 20));
		}
		return -1;
	}
	plan->kernel_gpa = kernel_gpa;
	plan->kernel_entry = kernel_gpa;
	plan->initrd_gpa = initrd_size ? base : 0;
	plan->initrd_size = initrd_size;
	plan->dtb_gpa = base + initrd_room;
	plan->dtb_max = LAM_IMAGE_DTB_MAX;
	return 0;
}
