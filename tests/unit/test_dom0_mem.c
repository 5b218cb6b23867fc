/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of Dom0's memory sizing (hv/common/dom0_mem.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include <hv/dom0_mem.h>
#include <hv/errno.h>
#include <hv/lib.h>

static struct hv_options opts;
static char err[200];

static u64 choose(u64 total, u64 free)
{
	u64 out = 0;

	err[0] = '\0';
	assert_int_equal(dom0_mem_choose(total, free, &opts, &out, err, sizeof(err)), 0);
	return out;
}

static int setup(void **state)
{
	(void)state;
	params_defaults(&opts);
	return 0;
}

static void test_auto_rule(void **state)
{
	(void)state;
	/* A quarter of RAM, within 512 MiB .. 4 GiB, whole 2 MiB blocks. */
	assert_int_equal(choose(GiB(2), GiB(2) - MiB(10)), MiB(512));
	assert_int_equal(choose(GiB(4), GiB(4) - MiB(20)), GiB(1));
	assert_int_equal(choose(GiB(24), GiB(24) - MiB(100)), GiB(4));
	assert_int_equal(choose(GiB(6) + MiB(6), GiB(6)), ROUND_DOWN(GiB(6) / 4 + MiB(1), MiB(2)));
	/* Small machines: all that is free minus the hypervisor's reserve. */
	assert_int_equal(choose(MiB(512), MiB(500)), MiB(436));
	/* max: caps the automatic size. */
	opts.dom0_mem_max = MiB(300);
	assert_int_equal(choose(GiB(8), GiB(8)), MiB(300));
}

static void test_explicit_size(void **state)
{
	(void)state;
	opts.dom0_mem = MiB(768);
	assert_int_equal(choose(GiB(2), GiB(2) - MiB(10)), MiB(768));
	opts.dom0_mem = MiB(767) + 1; /* rounded up to 2 MiB */
	assert_int_equal(choose(GiB(2), GiB(2)), MiB(768));
}

static void test_explicit_too_big_names_numbers(void **state)
{
	u64 out = 123;

	(void)state;
	opts.dom0_mem = GiB(3);
	assert_int_equal(dom0_mem_choose(GiB(2), GiB(2) - MiB(10), &opts, &out, err, sizeof(err)),
			 -HV_ENOMEM);
	assert_int_equal(out, 123);
	assert_non_null(strstr(err, "dom0_mem=3072M does not fit"));
	assert_non_null(strstr(err, "2038 MiB free"));
	assert_non_null(strstr(err, "at most 1974M"));
}

static void test_too_small(void **state)
{
	u64 out = 0;

	(void)state;
	opts.dom0_mem = MiB(64);
	assert_int_equal(dom0_mem_choose(GiB(2), GiB(2), &opts, &out, err, sizeof(err)),
			 -HV_ENOMEM);
	assert_non_null(strstr(err, "too small"));
	opts.dom0_mem = 0;
	assert_int_equal(dom0_mem_choose(MiB(256), MiB(150), &opts, &out, err, sizeof(err)),
			 -HV_ENOMEM);
	assert_non_null(strstr(err, "not enough memory for Dom0: 150 MiB free"));
	/* free below the reserve itself */
	assert_int_equal(dom0_mem_choose(MiB(256), MiB(10), &opts, &out, err, sizeof(err)),
			 -HV_ENOMEM);
}

static void test_ext_regions(void **state)
{
	/* QEMU virt-like: devices below 1 GiB, 2 GiB RAM, high redistributors, PCIe. */
	struct mem_range used[] = {
		{ GiB(256), GiB(256) + MiB(64) }, /* high GICR, unsorted on purpose */
		{ 0x08000000, 0x08100000 },	  /* GIC */
		{ GiB(1), GiB(3) },		  /* RAM */
		{ 0x09000000, 0x09001000 },	  /* UART */
		{ 0x09000000, 0x09000800 },	  /* overlapping */
		{ GiB(512), GiB(1024) },	  /* PCIe high window */
		{ 0, 0x08000000 },		  /* flash */
	};
	struct mem_range out[8];
	unsigned int n;

	(void)state;
	n = dom0_ext_regions(used, ARRAY_SIZE(used), GiB(1024) + GiB(3), out, ARRAY_SIZE(out));
	assert_int_equal(n, 4);
	/* Flash and GIC leave nothing below the UART; after it, from 256 MiB to RAM. */
	assert_int_equal(out[0].start, MiB(256));
	assert_int_equal(out[0].end, GiB(1));
	assert_int_equal(out[1].start, GiB(3));
	assert_int_equal(out[1].end, GiB(256));
	/* The GICR end is rounded up to the next 128 MiB. */
	assert_int_equal(out[2].start, GiB(256) + MiB(128));
	assert_int_equal(out[2].end, GiB(512));
	assert_int_equal(out[3].start, GiB(1024));
	assert_int_equal(out[3].end, GiB(1024) + GiB(3));
	/* At most max; nothing when everything is used. */
	assert_int_equal(dom0_ext_regions(used, ARRAY_SIZE(used), GiB(1024) + GiB(3), out, 2), 2);
	used[0] = (struct mem_range){ 0, GiB(2048) };
	assert_int_equal(dom0_ext_regions(used, 1, GiB(2048), out, 8), 0);
	/* No used ranges at all: one region, the whole space. */
	n = dom0_ext_regions(used, 0, GiB(4), out, 8);
	assert_int_equal(n, 1);
	assert_int_equal(out[0].start, 0);
	assert_int_equal(out[0].end, GiB(4));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_auto_rule, setup),
		cmocka_unit_test_setup(test_explicit_size, setup),
		cmocka_unit_test_setup(test_explicit_too_big_names_numbers, setup),
		cmocka_unit_test_setup(test_too_small, setup),
		cmocka_unit_test_setup(test_ext_regions, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
