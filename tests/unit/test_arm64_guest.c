/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for what hv/arch/arm64/guest/ gives the hypervisor besides lam (whose use is
 * covered by test_lam_dt.c and test_lam_image.c): the one vCPU -> MPIDR mapping, the
 * dom0less flavour of the DomU tree (no /hypervisor), the error codes, and the boot plan
 * with an Image whose header size is smaller than the file (the case Dom0 and dom0less
 * used to disagree on).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <libfdt.h>

#include <arm64_guest.h>
#include <hv/errno.h>

#define MIB (1ULL << 20)

static char buf[64 * 1024] __attribute__((aligned(8)));
static char err[256];

static void test_vcpu_mpidr(void **state)
{
	(void)state;
	assert_int_equal(arm64_vcpu_to_mpidr(0), 0x0);
	assert_int_equal(arm64_vcpu_to_mpidr(15), 0xf);
	assert_int_equal(arm64_vcpu_to_mpidr(16), 0x100);
	assert_int_equal(arm64_vcpu_to_mpidr(17), 0x101);
	assert_int_equal(arm64_vcpu_to_mpidr(127), 0x70f);
	assert_int_equal(arm64_vcpu_to_mpidr(4095), 0xff0f);
	/* Aff2 and above stay 0: every vCPU is in cluster Aff1 of one Aff2 group. */
	assert_int_equal(arm64_vcpu_to_mpidr(4096) & ~MPIDR_AFF_MASK, 0);
	assert_int_equal(arm64_vcpu_to_mpidr(4096), 0x0);
}

static void test_dom0less_tree_has_no_hypervisor(void **state)
{
	struct arm64_domu_layout l;
	const fdt32_t *p;
	int len, cpus, n = 0, child;

	(void)state;
	arm64_domu_layout_init(&l, 64 * MIB, 18);
	l.gnttab_size = 0;
	l.evtchn_ppi = 0; /* not checked without /hypervisor */
	assert_int_equal(arm64_domu_dt_build(&l, buf, sizeof(buf), err, sizeof(err)), 0);
	assert_int_equal(fdt_check_full(buf, fdt_totalsize(buf)), 0);
	assert_true(fdt_path_offset(buf, "/hypervisor") < 0);
	assert_true(fdt_path_offset(buf, "/memory@200000000") < 0);
	assert_true(fdt_path_offset(buf, "/memory@40000000") >= 0);
	cpus = fdt_path_offset(buf, "/cpus");
	fdt_for_each_subnode (child, buf, cpus) {
		p = fdt_getprop(buf, child, "reg", &len);
		assert_int_equal(len, 4);
		assert_int_equal(fdt32_to_cpu(*p), arm64_vcpu_to_mpidr((unsigned int)n));
		n++;
	}
	assert_int_equal(n, 18);
	assert_true(fdt_path_offset(buf, "/cpus/cpu@101") >= 0);
	/* The architected timer: secure, non-secure physical, virtual PPIs, level-low. */
	p = fdt_getprop(buf, fdt_path_offset(buf, "/timer"), "interrupts", &len);
	assert_int_equal(len, 36);
	assert_int_equal(fdt32_to_cpu(p[1]), GUEST_TIMER_PHYS_S_PPI - GIC_PPI_BASE);
	assert_int_equal(fdt32_to_cpu(p[4]), GUEST_PTIMER_PPI - GIC_PPI_BASE);
	assert_int_equal(fdt32_to_cpu(p[7]), GUEST_VTIMER_PPI - GIC_PPI_BASE);
	assert_int_equal(fdt32_to_cpu(p[8]), GIC_DT_PPI_FLAGS);
}

static void test_dt_error_codes(void **state)
{
	struct arm64_domu_layout l;

	(void)state;
	arm64_domu_layout_init(&l, 64 * MIB, 200);
	assert_int_equal(arm64_domu_dt_build(&l, buf, sizeof(buf), err, sizeof(err)), -HV_EINVAL);
	assert_string_equal(err, "device tree: 200 vCPUs (must be 1..128)");
	arm64_domu_layout_init(&l, 64 * MIB, 1);
	assert_int_equal(arm64_domu_dt_build(&l, buf, 256, err, sizeof(err)), -HV_ENOSPC);
	assert_string_equal(err, "device tree: does not fit in a buffer of 256 bytes");
	/* With /hypervisor, the event-channel interrupt must be a PPI. */
	l.evtchn_ppi = 32;
	assert_int_equal(arm64_domu_dt_build(&l, buf, sizeof(buf), err, sizeof(err)), -HV_EINVAL);
}

static void put_le64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++) {
		p[i] = (uint8_t)(v >> (8 * i));
	}
}

static void test_probe_size_is_the_larger(void **state)
{
	uint8_t hdr[ARM64_IMAGE_HDR_SIZE] = { 0 };
	struct arm64_image img;
	struct arm64_boot_plan plan;

	(void)state;
	put_le64(hdr + 8, 0);
	put_le64(hdr + 16, 4 * MIB); /* header: 4 MiB, file: 6 MiB of appended data */
	memcpy(hdr + 56, "ARM\x64", 4);
	assert_int_equal(arm64_image_probe(NULL, hdr, sizeof(hdr), 6 * MIB, &img, err, sizeof(err)),
			 0);
	assert_int_equal(img.image_size, 6 * MIB);
	assert_int_equal(img.file_size, 6 * MIB);
	/* 8 MiB of RAM: kernel (6 MiB) + device tree (2 MiB) fit exactly. */
	assert_int_equal(arm64_boot_plan(0x40000000, 8 * MIB, &img, 0, &plan, err, sizeof(err)), 0);
	assert_int_equal(plan.dtb_gpa, 0x40000000 + 6 * MIB);
	assert_int_equal(arm64_boot_plan(0x40000000, 7 * MIB, &img, 0, &plan, err, sizeof(err)),
			 -HV_ENOMEM);
	hdr[56] = 0;
	assert_int_equal(arm64_image_probe(NULL, hdr, sizeof(hdr), 6 * MIB, &img, err, sizeof(err)),
			 -HV_ENOEXEC);
	assert_string_equal(err, "kernel is not an arm64 Linux Image (no \"ARM\\x64\" magic at "
				 "offset 56)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vcpu_mpidr),
		cmocka_unit_test(test_dom0less_tree_has_no_hypervisor),
		cmocka_unit_test(test_dt_error_codes),
		cmocka_unit_test(test_probe_size_is_the_larger),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
