/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for tools/lam/image.c and the shared probe under it (hv/arch/arm64/guest/image.c):
 * arm64 Image header checks (booting.rst layout), the formats it must refuse with a helpful
 * message, and the kernel/initrd/DTB placement.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <lam/image.h>

#define MIB (1ULL << 20)
#define RAM 0x40000000ULL

static uint8_t hdr[LAM_IMAGE_HDR_SIZE];
static char err[256];
static struct lam_image_info info;
static struct lam_load_plan plan;

static void put_le64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++) {
		p[i] = (uint8_t)(v >> (8 * i));
	}
}

/** A header like a real 6.1 Image: EFI "MZ" code0, fields little-endian, magic at 56. */
static void make_hdr(uint64_t text_offset, uint64_t image_size, uint64_t flags)
{
	/* Byte fields of the header, not strings: no NUL goes into the image. */
	static const uint8_t code0[4] = { 'M', 'Z', '@', 0xfa };
	static const uint8_t magic[4] = { 'A', 'R', 'M', 0x64 };

	memset(hdr, 0, sizeof(hdr));
	memcpy(hdr, code0, sizeof(code0));
	put_le64(hdr + 8, text_offset);
	put_le64(hdr + 16, image_size);
	put_le64(hdr + 24, flags);
	memcpy(hdr + 56, magic, sizeof(magic));
	hdr[60] = 0x40;
}

static int parse(uint64_t file_size)
{
	err[0] = '\0';
	memset(&info, 0xa5, sizeof(info));
	return lam_image_parse("/boot/Image", hdr, sizeof(hdr), file_size, &info, err, sizeof(err));
}

static void expect_refused(const uint8_t *bytes, size_t len, const char *msg)
{
	memset(hdr, 0, sizeof(hdr));
	memcpy(hdr, bytes, len);
	assert_int_equal(parse(30 * MIB), -1);
	assert_string_equal(err, msg);
}

static void test_parse_ok(void **state)
{
	(void)state;
	make_hdr(0, 40 * MIB, 0xa);
	assert_int_equal(parse(30 * MIB), 0);
	assert_int_equal(info.text_offset, 0);
	assert_int_equal(info.image_size, 40 * MIB);
	assert_int_equal(info.flags, 0xa);
	assert_int_equal(info.file_size, 30 * MIB);

	/* image_size below the file size (appended data): the whole file is loaded. */
	make_hdr(0x80000, 10 * MIB, 0);
	assert_int_equal(parse(12 * MIB), 0);
	assert_int_equal(info.text_offset, 0x80000);
	assert_int_equal(info.image_size, 12 * MIB);
}

static void test_parse_legacy(void **state)
{
	(void)state;
	/* image_size 0: a pre-3.17 kernel, text_offset is 0x80000 whatever the field says. */
	make_hdr(0x1234, 0, 0xff);
	assert_int_equal(parse(7 * MIB), 0);
	assert_int_equal(info.text_offset, 0x80000);
	assert_int_equal(info.image_size, 7 * MIB);
	assert_int_equal(info.flags, 0);
}

static void test_parse_refused_formats(void **state)
{
	(void)state;
	expect_refused(
		(const uint8_t *)"\x1f\x8b\x08\x00", 4,
		"/boot/Image is gzip-compressed; give the uncompressed Image (zcat vmlinuz > "
		"Image)");
	expect_refused((const uint8_t *)"\x7f"
					"ELF\x02\x01",
		       6,
		       "/boot/Image is an ELF file (vmlinux); give the arm64 Image "
		       "(arch/arm64/boot/Image)");
	expect_refused((const uint8_t *)"MZ\0\0zimg", 8,
		       "/boot/Image is an EFI zboot compressed kernel; give the uncompressed arm64 "
		       "Image");
	expect_refused((const uint8_t *)"\x27\x05\x19\x56", 4,
		       "/boot/Image is a U-Boot uImage; give the plain arm64 Image");
	expect_refused((const uint8_t *)"BZh9", 4,
		       "/boot/Image is bzip2-compressed; give the uncompressed Image");
	expect_refused((const uint8_t *)"\xfd"
					"7zXZ\0",
		       6, "/boot/Image is xz-compressed; give the uncompressed Image");
	expect_refused((const uint8_t *)"\x28\xb5\x2f\xfd", 4,
		       "/boot/Image is zstd-compressed; give the uncompressed Image");
	expect_refused(
		(const uint8_t *)"#!/bin/sh", 9,
		"/boot/Image is not an arm64 Linux Image (no \"ARM\\x64\" magic at offset 56)");

	/* 32-bit zImage: magic at 0x24. */
	memset(hdr, 0, sizeof(hdr));
	hdr[0x24] = 0x18;
	hdr[0x25] = 0x28;
	hdr[0x26] = 0x6f;
	hdr[0x27] = 0x01;
	assert_int_equal(parse(5 * MIB), -1);
	assert_string_equal(err, "/boot/Image is a 32-bit Arm zImage; only 64-bit arm64 "
				 "Images boot");
}

static void test_parse_bad_headers(void **state)
{
	(void)state;
	make_hdr(0, 20 * MIB, 1);
	assert_int_equal(parse(20 * MIB), -1);
	assert_string_equal(err, "/boot/Image is a big-endian kernel; only little-endian "
				 "guests boot");
	make_hdr(0x80001, 20 * MIB, 0);
	assert_int_equal(parse(20 * MIB), -1);
	assert_string_equal(err, "/boot/Image has an invalid text_offset 0x80001 (must be 4 KiB "
				 "aligned, below 2 MiB)");
	make_hdr(2 * MIB, 20 * MIB, 0);
	assert_int_equal(parse(20 * MIB), -1);
	assert_string_equal(err, "/boot/Image has an invalid text_offset 0x200000 (must be 4 KiB "
				 "aligned, below 2 MiB)");
	make_hdr(0, 1ULL << 41, 0);
	assert_int_equal(parse(20 * MIB), -1);
	assert_string_equal(err,
			    "/boot/Image claims an image_size of 2199023255552 bytes; refusing");

	/* Truncated: the file is shorter than the header. */
	make_hdr(0, 20 * MIB, 0);
	assert_int_equal(parse(40), -1);
	assert_string_equal(err, "/boot/Image is too small (40 bytes) to be an arm64 Image");
	assert_int_equal(lam_image_parse(NULL, hdr, 10, 1000, &info, err, sizeof(err)), -1);
	assert_string_equal(err, "kernel is too small (1000 bytes) to be an arm64 Image");
	/* An empty file. */
	assert_int_equal(parse(0), -1);
	assert_string_equal(err, "/boot/Image is too small (0 bytes) to be an arm64 Image");
}

/* ---- placement ---------------------------------------------------------------------- */

static void set_kernel(uint64_t text_offset, uint64_t image_size)
{
	info.text_offset = text_offset;
	info.image_size = image_size;
	info.flags = 0;
	info.file_size = image_size;
}

static int plan_for(uint64_t ram_size, uint64_t initrd)
{
	err[0] = '\0';
	memset(&plan, 0xa5, sizeof(plan));
	return lam_load_plan(RAM, ram_size, &info, initrd, &plan, err, sizeof(err));
}

static void test_plan_at_128m(void **state)
{
	(void)state;
	set_kernel(0, 30 * MIB);
	assert_int_equal(plan_for(512 * MIB, 12 * MIB + 1), 0);
	assert_int_equal(plan.kernel_gpa, RAM);
	assert_int_equal(plan.kernel_entry, RAM);
	assert_int_equal(plan.initrd_gpa, RAM + 128 * MIB);
	assert_int_equal(plan.initrd_size, 12 * MIB + 1);
	assert_int_equal(plan.dtb_gpa, RAM + 128 * MIB + 14 * MIB);
	assert_int_equal(plan.dtb_max, 2 * MIB);

	/* A kernel ending exactly at 128 MiB still leaves the modules there. */
	set_kernel(0, 128 * MIB);
	assert_int_equal(plan_for(256 * MIB, 0), 0);
	assert_int_equal(plan.initrd_gpa, 0);
	assert_int_equal(plan.initrd_size, 0);
	assert_int_equal(plan.dtb_gpa, RAM + 128 * MIB);
}

static void test_plan_top_of_ram(void **state)
{
	(void)state;
	set_kernel(0x80000, 30 * MIB);
	assert_int_equal(plan_for(64 * MIB, 12 * MIB), 0);
	assert_int_equal(plan.kernel_gpa, RAM + 0x80000);
	assert_int_equal(plan.kernel_entry, RAM + 0x80000);
	assert_int_equal(plan.initrd_gpa, RAM + 50 * MIB);
	assert_int_equal(plan.dtb_gpa, RAM + 62 * MIB);

	/* RAM that is not a 2 MiB multiple: the partial block at the top is not used. */
	assert_int_equal(plan_for(65 * MIB, 12 * MIB), 0);
	assert_int_equal(plan.dtb_gpa, RAM + 62 * MIB);

	/* 128 MiB RAM: the 128 MiB slot is past the end, so the top of RAM is used. */
	assert_int_equal(plan_for(128 * MIB, 0), 0);
	assert_int_equal(plan.dtb_gpa, RAM + 126 * MIB);
	assert_int_equal(plan.initrd_gpa, 0);
}

static void test_plan_exact_fit_and_one_byte_over(void **state)
{
	(void)state;
	/* Kernel ends at 50 MiB; 12 MiB initrd + 2 MiB DTB fill 64 MiB exactly. */
	set_kernel(0, 50 * MIB);
	assert_int_equal(plan_for(64 * MIB, 12 * MIB), 0);
	assert_int_equal(plan.initrd_gpa, RAM + 50 * MIB);
	assert_int_equal(plan.dtb_gpa, RAM + 62 * MIB);
	assert_true(plan.dtb_gpa + plan.dtb_max == RAM + 64 * MIB);

	/* One byte more of kernel. */
	set_kernel(0, 50 * MIB + 1);
	assert_int_equal(plan_for(64 * MIB, 12 * MIB), -1);
	assert_string_equal(err, "kernel (52 MiB) + ramdisk (12 MiB) + device tree (2 MiB) do not "
				 "fit in 64 MiB of guest memory");

	/* One byte more of initrd. */
	set_kernel(0, 50 * MIB);
	assert_int_equal(plan_for(64 * MIB, 12 * MIB + 1), -1);
	assert_string_equal(err, "kernel (50 MiB) + ramdisk (13 MiB) + device tree (2 MiB) do not "
				 "fit in 64 MiB of guest memory");

	/* One byte less of RAM (the partial top 2 MiB is unusable). */
	assert_int_equal(plan_for(64 * MIB - 1, 12 * MIB), -1);
	assert_string_equal(err, "kernel (50 MiB) + ramdisk (12 MiB) + device tree (2 MiB) do not "
				 "fit in 63 MiB of guest memory");

	/* No ramdisk: kernel + DTB. */
	set_kernel(0, 62 * MIB);
	assert_int_equal(plan_for(64 * MIB, 0), 0);
	assert_int_equal(plan.dtb_gpa, RAM + 62 * MIB);
	set_kernel(0, 63 * MIB);
	assert_int_equal(plan_for(64 * MIB, 0), -1);
	assert_string_equal(err, "kernel (64 MiB) + device tree (2 MiB) do not fit in 64 MiB of "
				 "guest memory");
	set_kernel(0, 100 * MIB);
	assert_int_equal(plan_for(16 * MIB, 0), -1);
	assert_string_equal(err, "kernel (100 MiB) + device tree (2 MiB) do not fit in 16 MiB of "
				 "guest memory");
}

static void test_plan_bad_inputs(void **state)
{
	(void)state;
	set_kernel(0, 10 * MIB);
	assert_int_equal(lam_load_plan(RAM + 4096, 64 * MIB, &info, 0, &plan, err, sizeof(err)),
			 -1);
	assert_string_equal(err, "guest RAM base 0x40001000 is not 2 MiB aligned");
	assert_int_equal(lam_load_plan(RAM, UINT64_MAX, &info, 0, &plan, err, sizeof(err)), -1);
	assert_string_equal(err, "guest RAM or module sizes out of range");
	assert_int_equal(plan_for(64 * MIB, 1ULL << 41), -1);
	assert_string_equal(err, "guest RAM or module sizes out of range");
	assert_int_equal(plan_for(0, 0), -1);
}

static void test_parse_then_plan(void **state)
{
	(void)state;
	make_hdr(0, 33 * MIB + 4096, 0xa);
	assert_int_equal(parse(31 * MIB), 0);
	assert_int_equal(plan_for(1024 * MIB, 20 * MIB), 0);
	assert_int_equal(plan.kernel_gpa, RAM);
	assert_int_equal(plan.initrd_gpa, RAM + 128 * MIB);
	assert_int_equal(plan.dtb_gpa, RAM + 148 * MIB);
	assert_int_equal(plan.dtb_gpa % (2 * MIB), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_ok),
		cmocka_unit_test(test_parse_legacy),
		cmocka_unit_test(test_parse_refused_formats),
		cmocka_unit_test(test_parse_bad_headers),
		cmocka_unit_test(test_plan_at_128m),
		cmocka_unit_test(test_plan_top_of_ram),
		cmocka_unit_test(test_plan_exact_fit_and_one_byte_over),
		cmocka_unit_test(test_plan_bad_inputs),
		cmocka_unit_test(test_parse_then_plan),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
