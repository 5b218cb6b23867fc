/* SPDX-License-Identifier: Apache-2.0 */
/*
 * arm64 Linux `Image` files (Linux Documentation/arm64/booting.rst) and where the kernel,
 * initrd and device tree go in a DomU's RAM.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** Bytes of the Image header lam_image_parse() needs. */
#define LAM_IMAGE_HDR_SIZE 64
/** Room the load plan reserves for the device tree (booting.rst: at most 2 MiB). */
#define LAM_IMAGE_DTB_MAX (2ULL << 20)

/** What the Image header says. */
struct lam_image_info {
	/** Load offset from a 2 MiB-aligned base (0x80000 for pre-3.17 kernels). */
	uint64_t text_offset;
	/** Bytes from the load address the kernel may use, BSS included (>= file_size). */
	uint64_t image_size;
	/** The header's flags word (bit 0 big-endian, bits 1-2 page size, bit 3 placement). */
	uint64_t flags;
	uint64_t file_size;
};

/**
 * Check the first @hdr_len bytes (at least LAM_IMAGE_HDR_SIZE, or the whole file if shorter)
 * of the file @name of @file_size bytes. Fails with a clear message for anything that is not
 * a little-endian arm64 Image: gzip'd vmlinuz, ELF vmlinux, EFI zboot, U-Boot uImage, 32-bit
 * zImage, big-endian kernels, truncated files. Returns 0 or -1 with a message in @err.
 */
int lam_image_parse(const char *name, const void *hdr, size_t hdr_len, uint64_t file_size,
		    struct lam_image_info *info, char *err, size_t errlen);

/** Where things go; all addresses are guest-physical. */
struct lam_load_plan {
	uint64_t kernel_gpa;
	/** PC of the boot vCPU (the first byte of the Image). */
	uint64_t kernel_entry;
	/** initrd_size 0 = no initrd (initrd_gpa is then 0 too). */
	uint64_t initrd_gpa, initrd_size;
	/** 2 MiB-aligned slot of dtb_max (= 2 MiB) bytes for the device tree. */
	uint64_t dtb_gpa, dtb_max;
};

/**
 * Plan a 64-bit guest's boot modules in the RAM bank [@ram_base, @ram_base + @ram_size)
 * (@ram_base 2 MiB-aligned), following libxl's policy: the kernel at ram_base + text_offset;
 * the initrd then the device tree at ram_base + 128 MiB if they fit there above the kernel,
 * else at the top of RAM, else below the kernel. The initrd starts 2 MiB-aligned and the DTB
 * gets its own 2 MiB-aligned 2 MiB slot. Returns 0, or -1 with a message in @err such as
 * "kernel (30 MiB) + ramdisk (12 MiB) + device tree (2 MiB) do not fit in 64 MiB of guest memory".
 */
int lam_load_plan(uint64_t ram_base, uint64_t ram_size, const struct lam_image_info *info,
		  uint64_t initrd_size, struct lam_load_plan *plan, char *err, size_t errlen);
