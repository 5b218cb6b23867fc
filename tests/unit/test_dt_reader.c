/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for the checked device-tree reader (hv/common/device_tree/reader.c) on its own:
 * string lists that are not NUL-terminated, numbers wider than 64 bits, cell inheritance,
 * reg decoding, the phandle cache, interrupt parents and the error context (the node's path
 * and the property in every message). The phases built on it are tested in test_dt.c and
 * test_dom0_dt.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <libfdt.h>

#include <hv/dt_reader.h>
#include <hv/errno.h>

static char blob[8192] __attribute__((aligned(8)));
static char err[256];
static struct dt_reader r;

#define CHECK(call) assert_int_equal((call), 0)

/*
 * / { #address-cells = <2>; #size-cells = <2>; interrupt-parent = <&intc>;
 *     intc: intc { phandle = <1>; #interrupt-cells = <3>; };
 *     bus { #address-cells = <1>; compatible = "a,b\0c,d"; status = "ok";
 *           dev@10 { reg = <0x10 0 0x20  0x30 0 0x40>; bad = "x" (no NUL); n3 = <1 2 3>; }; };
 *     other { interrupt-parent = <99>; }; };
 */
static void build(void)
{
	static const uint32_t reg[] = { 0x10, 0, 0x20, 0x30, 0, 0x40 };
	static const uint32_t n3[] = { 1, 2, 3 };
	fdt32_t be[6];

	CHECK(fdt_create(blob, sizeof(blob)));
	CHECK(fdt_finish_reservemap(blob));
	CHECK(fdt_begin_node(blob, ""));
	CHECK(fdt_property_u32(blob, "#address-cells", 2));
	CHECK(fdt_property_u32(blob, "#size-cells", 2));
	CHECK(fdt_property_u32(blob, "interrupt-parent", 1));
	CHECK(fdt_begin_node(blob, "intc"));
	CHECK(fdt_property_u32(blob, "phandle", 1));
	CHECK(fdt_property_u32(blob, "#interrupt-cells", 3));
	CHECK(fdt_end_node(blob));
	CHECK(fdt_begin_node(blob, "bus"));
	CHECK(fdt_property_u32(blob, "#address-cells", 1));
	CHECK(fdt_property(blob, "compatible", "a,b\0c,d", 8));
	CHECK(fdt_property_string(blob, "status", "ok"));
	CHECK(fdt_begin_node(blob, "dev@10"));
	for (int i = 0; i < 6; i++) {
		be[i] = cpu_to_fdt32(reg[i]);
	}
	CHECK(fdt_property(blob, "reg", be, sizeof(be)));
	CHECK(fdt_property(blob, "bad", "x", 1));
	for (int i = 0; i < 3; i++) {
		be[i] = cpu_to_fdt32(n3[i]);
	}
	CHECK(fdt_property(blob, "n3", be, 12));
	CHECK(fdt_end_node(blob));
	CHECK(fdt_end_node(blob));
	CHECK(fdt_begin_node(blob, "other"));
	CHECK(fdt_property_u32(blob, "interrupt-parent", 99));
	CHECK(fdt_end_node(blob));
	CHECK(fdt_end_node(blob));
	CHECK(fdt_finish(blob));
	dt_reader_init(&r, blob, err, sizeof(err));
	CHECK(dt_check_blob(&r, sizeof(blob)));
}

static int node(const char *path)
{
	int off = fdt_path_offset(blob, path);

	assert_true(off >= 0);
	return off;
}

static void test_strlists(void **state)
{
	(void)state;
	assert_true(dt_strlist_has("a,b\0c,d", 8, "c,d"));
	assert_false(dt_strlist_has("a,b\0c,d", 8, "c,"));
	assert_true(dt_strlist_has_prefix("a,b\0c,d", 8, "c,"));
	/* The last entry lacks its NUL: it is not a whole string and never matches. */
	assert_false(dt_strlist_has("a,b\0c,d", 7, "c,d"));
	assert_true(dt_strlist_has("a,b\0c,d", 7, "a,b"));
	assert_false(dt_strlist_has(NULL, 0, "a,b"));
}

static void test_strings_and_errors(void **state)
{
	const char *s;
	bool match, avail;

	(void)state;
	build();
	CHECK(dt_compatible(&r, node("/bus"), "c,d", &match));
	assert_true(match);
	assert_true(dt_is_compatible(blob, node("/bus"), "a,b"));
	CHECK(dt_is_available(&r, node("/bus"), &avail));
	assert_true(avail);
	CHECK(dt_get_string(&r, node("/bus"), "missing", &s));
	assert_null(s);
	assert_int_equal(dt_get_string(&r, node("/bus/dev@10"), "bad", &s), -HV_EINVAL);
	assert_null(s);
	assert_string_equal(err, "/bus/dev@10: property 'bad' is not a NUL-terminated string");
}

static void test_numbers_and_cells(void **state)
{
	struct dt_reg reg;
	bool present;
	u64 start, size;
	u32 ac, sc, v = 7;
	const void *p;
	int len;

	(void)state;
	build();
	p = fdt_getprop(blob, node("/bus/dev@10"), "n3", &len);
	/* Three cells: only the low 64 bits count (a PCI address's phys.hi is dropped). */
	assert_int_equal(dt_number(p, 0, 3), 0x200000003ULL);
	assert_int_equal(dt_number(p, 1, 1), 2);
	/* #size-cells is inherited from the root, #address-cells is the bus's own. */
	CHECK(dt_get_cells(&r, node("/bus"), &ac, &sc));
	assert_int_equal(ac, 1);
	assert_int_equal(sc, 2);
	CHECK(dt_get_reg(&r, node("/bus/dev@10"), &reg, &present));
	assert_true(present);
	assert_int_equal(reg.nr, 2);
	dt_reg_entry(&reg, 1, &start, &size);
	assert_int_equal(start, 0x30);
	assert_int_equal(size, 0x40);
	/* Absent leaves the value alone; a wrong length names the node and property. */
	CHECK(dt_get_u32(&r, node("/bus"), "absent", ~0u, &v));
	assert_int_equal(v, 7);
	assert_int_equal(dt_get_u32(&r, node("/bus/dev@10"), "n3", ~0u, &v), -HV_EINVAL);
	assert_string_equal(err, "/bus/dev@10: property 'n3' has length 12, expected 4");
	assert_int_equal(dt_get_u32(&r, node("/bus"), "#address-cells", 0, &v), -HV_EINVAL);
	assert_int_equal(dt_check_range(&r, node("/bus"), ~0ULL, 2), -HV_EINVAL);
	assert_non_null(strstr(err, "/bus: reg range"));
}

static void test_phandles_and_irq_parent(void **state)
{
	u32 cells;

	(void)state;
	build();
	assert_int_equal(dt_node_by_phandle(&r, 1), node("/intc"));
	/* Cached: still answered after the blob's phandle is gone. */
	fdt_setprop_inplace_u32(blob, node("/intc"), "phandle", 5);
	assert_int_equal(dt_node_by_phandle(&r, 1), node("/intc"));
	assert_int_equal(dt_node_by_phandle(&r, 0), -1);
	assert_int_equal(dt_node_by_phandle(&r, ~0u), -1);
	build();
	assert_int_equal(dt_irq_parent(&r, node("/bus/dev@10"), &cells), node("/intc"));
	assert_int_equal(cells, 3);
	assert_int_equal(dt_irq_parent(&r, node("/other"), &cells), -1);
}

/* / { empty; n = <1>; }: the smallest tree with a property followed by another. */
static void build_small(void)
{
	CHECK(fdt_create(blob, sizeof(blob)));
	CHECK(fdt_finish_reservemap(blob));
	CHECK(fdt_begin_node(blob, ""));
	CHECK(fdt_property(blob, "empty", NULL, 0));
	CHECK(fdt_property_u32(blob, "n", 1));
	CHECK(fdt_end_node(blob));
	CHECK(fdt_finish(blob));
	CHECK(fdt_check_full(blob, fdt_totalsize(blob)));
	dt_reader_init(&r, blob, err, sizeof(err));
}

/*
 * Blobs libfdt 1.6.1's fdt_check_full() lets through or crashes on (found by fuzz_dt and
 * fuzz_dom0_dt): a version below 16, whose node names libfdt reads as paths (fdt_get_name()
 * returns NULL for a root name without '/', which fdt_check_full() dereferences), and a
 * property length of 2^32 - 3 (-3 as libfdt's int), whose offset arithmetic wraps onto the
 * next tag: the property then reads with length -3; with 2^32 - 12 it wraps onto itself.
 */
static void test_blob_libfdt_misses(void **state)
{
	struct fdt_property *p;
	int len;

	(void)state;
	build_small();
	fdt_set_version(blob, 15);
	fdt_set_last_comp_version(blob, 2);
	assert_int_equal(dt_check_blob(&r, sizeof(blob)), -HV_EINVAL);
	assert_non_null(strstr(err, "version 15"));

	build_small();
	p = (struct fdt_property *)fdt_get_property(blob, 0, "empty", &len);
	assert_non_null(p);
	p->len = cpu_to_fdt32(0xfffffffdu);
	/* libfdt itself still takes the tree */
	CHECK(fdt_check_full(blob, fdt_totalsize(blob)));
	assert_int_equal(dt_check_blob(&r, sizeof(blob)), -HV_EINVAL);
	assert_non_null(strstr(err, "bad property length -3"));

	/* -12 leads fdt_next_tag() back to the property itself: fdt_check_full() never ended. */
	build_small();
	p = (struct fdt_property *)fdt_get_property(blob, 0, "empty", &len);
	assert_non_null(p);
	p->len = cpu_to_fdt32(0xfffffff4u);
	assert_int_equal(dt_check_blob(&r, sizeof(blob)), -HV_EINVAL);
	assert_non_null(strstr(err, "bad property length -12"));

	/* The structure block one byte off alignment: its lengths are read byte-wise. */
	build_small();
	{
		uint32_t st = fdt_off_dt_struct(blob), total = fdt_totalsize(blob);

		memmove(blob + st + 1, blob + st, total - st);
		fdt_set_off_dt_struct(blob, st + 1);
		fdt_set_off_dt_strings(blob, fdt_off_dt_strings(blob) + 1);
		fdt_set_totalsize(blob, total + 1);
	}
	/* the root's tag and empty name, then "empty"'s tag and its length */
	static const uint8_t minus12[4] = { 0xff, 0xff, 0xff, 0xf4 }; /* big-endian -12 */

	memcpy(blob + fdt_off_dt_struct(blob) + 12, minus12, sizeof(minus12));
	assert_int_equal(dt_check_blob(&r, sizeof(blob)), -HV_EINVAL);
	assert_non_null(strstr(err, "bad property length -12"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strlists),
		cmocka_unit_test(test_strings_and_errors),
		cmocka_unit_test(test_numbers_and_cells),
		cmocka_unit_test(test_phandles_and_irq_parent),
		cmocka_unit_test(test_blob_libfdt_misses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
