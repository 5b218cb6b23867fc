/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests of the hypercall dispatch (hv/common/hypercall.c) on the fake arch
 * (tests/unit/world.h): a DomU's console output is rate-limited per domain (a flood of
 * lines neither fills the log nor holds the console for long), Dom0's is not; unsupported
 * hypercalls are -ENOSYS and reported once; a multicall inside a multicall is refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <hv/domain.h>
#include <hv/errno.h>
#include <hv/fake.h>
#include <hv/hypercall.h>
#include <public/xen.h>

#include "world.h"

#define FLOOD 16384

static long hcall(struct domain *d, u64 nr, u64 a0, u64 a1, u64 a2)
{
	struct hcall_args args = { .nr = nr, .a = { a0, a1, a2 } };

	world_run(d->vcpus[0]);
	return hypercall_do(d->vcpus[0], &args);
}

static unsigned int count(const char *hay, const char *needle)
{
	unsigned int n = 0;

	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle)) {
		n++;
	}
	return n;
}

static void test_domu_console_flood_is_limited(void **state)
{
	struct domain *d;
	char *buf;

	(void)state;
	d = world_domain(1, 1, false);
	buf = world_guest_ptr(d, WORLD_ARGS_GPA);
	for (unsigned int i = 0; i < FLOOD; i += 2) {
		buf[i] = 'x';
		buf[i + 1] = '\n';
	}
	fake_console_reset();
	assert_int_equal(hcall(d, __HYPERVISOR_console_io, CONSOLEIO_write, FLOOD, WORLD_ARGS_GPA),
			 0);
	/* A burst gets through; the rest of the second is dropped, not printed. */
	unsigned int lines = count(fake_console, "(d1) x");
	assert_true(lines >= 100);
	assert_true(lines <= 1000);
	/* A second later the count of what was dropped is reported, once. */
	world_advance_ns(1000000000ull);
	fake_console_reset();
	assert_int_equal(hcall(d, __HYPERVISOR_console_io, CONSOLEIO_write, 2, WORLD_ARGS_GPA), 0);
	assert_int_equal(count(fake_console, "lines of console output dropped"), 1);
	assert_int_equal(count(fake_console, "(d1) x"), 1);
}

static void test_dom0_console_is_not_limited(void **state)
{
	struct domain *d0;
	char *buf;

	(void)state;
	d0 = world_domain(0, 1, true);
	buf = world_guest_ptr(d0, WORLD_ARGS_GPA);
	for (unsigned int i = 0; i < 2000; i += 2) {
		buf[i] = 'y';
		buf[i + 1] = '\n';
	}
	fake_console_reset();
	assert_int_equal(hcall(d0, __HYPERVISOR_console_io, CONSOLEIO_write, 2000, WORLD_ARGS_GPA),
			 0);
	assert_int_equal(count(fake_console, "y\n"), 1000);
}

static void test_unsupported_reported_once(void **state)
{
	struct domain *d;

	(void)state;
	d = world_domain(1, 1, false);
	fake_console_reset();
	assert_int_equal(hcall(d, 3, 0, 0, 0), -HV_ENOSYS);
	assert_int_equal(hcall(d, 3, 0, 0, 0), -HV_ENOSYS);
	assert_int_equal(count(fake_console, "hypercall 3"), 1);
}

static void test_nested_multicall_refused(void **state)
{
	struct domain *d;
	struct multicall_entry *e;

	(void)state;
	d = world_domain(1, 1, false);
	e = world_guest_ptr(d, WORLD_ARGS_GPA);
	memset(e, 0, 2 * sizeof(*e));
	e[0].op = __HYPERVISOR_multicall;
	e[0].args[0] = WORLD_ARGS_GPA;
	e[0].args[1] = 1;
	e[1].op = __HYPERVISOR_xen_version;
	assert_int_equal(hcall(d, __HYPERVISOR_multicall, WORLD_ARGS_GPA, 2, 0), 0);
	assert_int_equal((long)e[0].result, -HV_EINVAL);
	assert_int_equal(e[1].result, (4u << 16) | 17u); /* XENVER_version */
}

/*
 * A long multicall continues: after a bounded number of entries the call is to be issued
 * again with its list pointer and count advanced (Xen's multicall continuation), and an
 * entry that itself continues is resumed from the arguments it left in its entry.
 */
static void test_multicall_continues(void **state)
{
	enum { N = 100 };
	struct domain *d;
	struct multicall_entry *e;
	struct hcall_args args = { .nr = __HYPERVISOR_multicall, .a = { WORLD_ARGS_GPA, N } };
	unsigned int calls = 0;
	long rc;

	(void)state;
	d = world_domain(1, 1, false);
	e = world_guest_ptr(d, WORLD_ARGS_GPA);
	for (unsigned int i = 0; i < N; i++) {
		memset(&e[i], 0, sizeof(e[i]));
		e[i].op = __HYPERVISOR_xen_version;
		e[i].args[0] = 7; /* XENVER_pagesize */
		e[i].result = 12345;
	}
	world_run(d->vcpus[0]);
	while ((rc = hypercall_do(d->vcpus[0], &args)) == -HV_ERESTART) {
		u64 done = (args.a[0] - WORLD_ARGS_GPA) / sizeof(*e);

		assert_int_equal(done + args.a[1], N);
		assert_true(done > 0 && done < N);
		assert_int_equal(e[done - 1].result, PAGE_SIZE);
		assert_int_equal(e[done].result, 12345); /* not yet */
		assert_true(++calls < N);
	}
	assert_int_equal(rc, 0);
	assert_true(calls >= 2);
	for (unsigned int i = 0; i < N; i++) {
		assert_int_equal(e[i].result, PAGE_SIZE);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, world_setup, world_teardown)
		T(test_domu_console_flood_is_limited), T(test_dom0_console_is_not_limited),
		T(test_unsupported_reported_once),     T(test_nested_multicall_refused),
		T(test_multicall_continues),
#undef T
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
