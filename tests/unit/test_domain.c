/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests of the domain life cycle (hv/common/domain.c) on the fake arch
 * (tests/unit/world.h): creation and its failures leave nothing behind, references keep
 * a domain (and its ID) until the last one goes, IDs are handed out round robin,
 * vCPU power-on goes through the arch contract, crash and shutdown, and the guest copy
 * functions touch only the domain's own RAM. Each test ends in world_teardown(), which
 * checks that every page, heap block, arch object and domain ID came back.
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
#include <hv/heap.h>
#include <hv/p2m.h>

#include "world.h"

static void test_create_maps_ram_and_destroy_returns_it(void **state)
{
	u64 free0 = world_free_pages();
	struct domain *d;

	(void)state;
	d = world_domain(1, 2, false);
	assert_int_equal(d->tot_pages, WORLD_GUEST_MEM >> PAGE_SHIFT);
	assert_int_equal(d->max_pages, d->tot_pages);
	assert_true(free0 - world_free_pages() >= d->tot_pages);
	assert_int_equal(fake_p2m_nr_mapped(d), d->tot_pages);
	assert_int_equal(fake_arch.domains_live, 1);
	assert_int_equal(fake_arch.vcpus_live, 2);
	/* The RAM is zeroed and mapped where the guest expects it. */
	u8 *p = world_guest_ptr(d, GUEST_RAM0_BASE + WORLD_GUEST_MEM - 1);
	assert_non_null(p);
	assert_int_equal(*p, 0);
	assert_null(world_guest_ptr(d, GUEST_RAM0_BASE + WORLD_GUEST_MEM));
	domain_destroy(d);
	assert_int_equal(domain_count(), 0);
	world_reap();
	assert_int_equal(world_free_pages(), free0);
	assert_int_equal(fake_arch.domains_live, 0);
}

/* A failure at each step of domain_create() unwinds everything before it. */
static void check_failed_create(int *fail_hook)
{
	struct domain_config cfg = { .nr_vcpus = 3, .mem_bytes = WORLD_GUEST_MEM, .weight = 256 };
	u64 free0 = world_free_pages();
	struct heap_stats hs;
	struct domain *d = NULL;

	*fail_hook = -HV_ENOMEM;
	assert_int_equal(domain_create(7, &cfg, &d), -HV_ENOMEM);
	assert_null(d);
	assert_int_equal(domain_count(), 0);
	assert_int_equal(world_free_pages(), free0);
	assert_int_equal(fake_arch.domains_live, 0);
	assert_int_equal(fake_arch.vcpus_live, 0);
	heap_get_stats(&hs);
	assert_int_equal(hs.nr_allocs, 0);
	/* The ID is free again. */
	assert_int_equal(domain_create(7, &cfg, &d), 0);
	assert_int_equal(d->domid, 7);
}

static void test_arch_domain_failure_leaves_nothing(void **state)
{
	(void)state;
	check_failed_create(&fake_arch.fail_domain_create);
}

static void test_arch_vcpu_failure_leaves_nothing(void **state)
{
	(void)state;
	check_failed_create(&fake_arch.fail_vcpu_create);
}

static void test_out_of_memory_leaves_nothing(void **state)
{
	struct domain_config cfg = { .nr_vcpus = 1, .mem_bytes = WORLD_ARENA_SIZE, .weight = 256 };
	u64 free0 = world_free_pages();
	struct domain *d = NULL;

	(void)state;
	assert_int_equal(domain_create(3, &cfg, &d), -HV_ENOMEM);
	assert_int_equal(world_free_pages(), free0);
	assert_int_equal(domain_count(), 0);
}

static void test_bad_config_refused(void **state)
{
	struct domain_config cfg = { .nr_vcpus = 1, .mem_bytes = WORLD_GUEST_MEM, .weight = 256 };
	struct domain *d = NULL;

	(void)state;
	cfg.nr_vcpus = 0;
	assert_int_equal(domain_create(1, &cfg, &d), -HV_EINVAL);
	cfg.nr_vcpus = MAX_VCPUS_PER_DOMAIN + 1;
	assert_int_equal(domain_create(1, &cfg, &d), -HV_EINVAL);
	cfg.nr_vcpus = 1;
	cfg.mem_bytes = WORLD_GUEST_MEM + 1;
	assert_int_equal(domain_create(1, &cfg, &d), -HV_EINVAL);
	cfg.mem_bytes = 0;
	assert_int_equal(domain_create(1, &cfg, &d), -HV_EINVAL);
	cfg.mem_bytes = WORLD_GUEST_MEM;
	assert_int_equal(domain_create(DOMID_FIRST_RESERVED, &cfg, &d), -HV_EEXIST);
	assert_int_equal(domain_create(2, &cfg, &d), 0);
	assert_int_equal(domain_create(2, &cfg, &d), -HV_EEXIST);
}

/* A reference keeps the memory and the ID; the last domain_put() frees both. */
static void test_reference_keeps_domain_and_id(void **state)
{
	struct domain *d, *ref, *again = NULL;
	struct domain_config cfg = { .nr_vcpus = 1, .mem_bytes = WORLD_GUEST_MEM, .weight = 256 };
	u64 free0 = world_free_pages();
	u64 tot;

	(void)state;
	d = world_domain(5, 1, false);
	tot = d->tot_pages;
	ref = domain_get_by_id(5);
	assert_ptr_equal(ref, d);
	domain_destroy(d);
	assert_null(domain_get_by_id(5)); /* dying: no new references */
	assert_int_equal(domain_count(), 0);
	assert_true(free0 - world_free_pages() >= tot); /* still held */
	assert_int_equal(domain_create(5, &cfg, &again), -HV_EEXIST);
	domain_put(ref);
	world_reap();
	assert_int_equal(world_free_pages(), free0);
	assert_int_equal(domain_create(5, &cfg, &again), 0);
}

/*
 * The last reference (a pCPU switching the domain's last vCPU out, with IRQs masked)
 * frees nothing there: the teardown is queued and done in bounded steps later
 * (domain_reap_step()), the RAM scan in several of them, and the ID stays taken until
 * the end.
 */
static void test_last_put_defers_teardown_in_steps(void **state)
{
	struct domain_config cfg = { .nr_vcpus = 1, .mem_bytes = WORLD_GUEST_MEM, .weight = 256 };
	u64 free0 = world_free_pages();
	struct domain *d, *ref, *again = NULL;
	unsigned int steps = 0;
	u64 held;

	(void)state;
	d = world_domain(6, 2, false);
	ref = domain_get_by_id(6); /* as a loaded vCPU holds it */
	domain_destroy(d);
	held = world_free_pages();
	domain_put(ref); /* what switch_out() does */
	assert_true(domain_reap_pending());
	assert_int_equal(world_free_pages(), held); /* nothing freed in the put */
	assert_int_equal(fake_arch.vcpus_live, 2);
	while (domain_reap_step(false)) {
		steps++;
		/* Until the last step the ID is not free for a new domain. */
		assert_int_equal(domain_create(6, &cfg, &again), -HV_EEXIST);
	}
	steps++;
	assert_false(domain_reap_pending());
	/* Structures, RAM in chunks of the frame table (a 64 MiB arena), the end. */
	assert_true(steps >= 4);
	assert_int_equal(fake_arch.vcpus_live, 0);
	assert_int_equal(world_free_pages(), free0);
	assert_int_equal(domain_create(6, &cfg, &again), 0);
}

static void test_ids_round_robin(void **state)
{
	struct domain *d;
	domid_t a, b;

	(void)state;
	a = domain_alloc_id();
	assert_int_not_equal(a, 0);
	d = world_domain(a, 1, false);
	b = domain_alloc_id();
	assert_int_not_equal(b, a);
	domain_destroy(d);
	/* The just-freed ID is not handed out next. */
	assert_int_not_equal(domain_alloc_id(), a);
}

static void test_power_on_goes_through_arch(void **state)
{
	struct domain *d;
	struct vcpu *v;

	(void)state;
	d = world_domain(1, 2, false);
	v = d->vcpus[1];
	assert_int_equal(v->state, VCPU_OFFLINE);
	assert_int_equal(vcpu_power_on(v, 0x40080000, 0x48000000), 0);
	assert_int_equal(v->arch.resets, 1);
	assert_int_equal(v->arch.pc, 0x40080000);
	assert_int_equal(v->arch.ctx, 0x48000000);
	assert_int_equal(v->state, VCPU_RUNNABLE);
}

static void test_crash_of_boot_domain_ends_it(void **state)
{
	struct domain *d;

	(void)state;
	d = world_domain(1, 1, false);
	fake_console_reset();
	domain_crash(d, d->vcpus[0], "test crash");
	assert_true(d->is_dying);
	assert_int_equal(domain_count(), 0);
	assert_non_null(strstr(fake_console, "d1 (w1): crashed: test crash"));
	assert_non_null(strstr(fake_console, "pc ")); /* the arch's register dump */
}

static void test_toolstack_domain_waits_after_shutdown(void **state)
{
	struct domain *d;

	(void)state;
	d = world_domain(1, 1, false);
	d->toolstack = true;
	domain_shutdown(d, SHUTDOWN_reboot);
	assert_true(d->is_shutdown);
	assert_false(d->is_dying);
	assert_int_equal(d->shutdown_reason, SHUTDOWN_reboot);
	assert_ptr_equal(domain_get_by_id(1), d); /* stays until the toolstack's destroy */
	domain_put(d);
	domain_shutdown(d, SHUTDOWN_crash); /* a second shutdown changes nothing */
	assert_int_equal(d->shutdown_reason, SHUTDOWN_reboot);
	domain_destroy(d);
	assert_null(domain_get_by_id(1));
}

/* Guest copies reach the domain's own RAM only, never a frame of another domain. */
static void test_copies_touch_only_own_ram(void **state)
{
	struct domain *a, *b;
	unsigned int flags;
	paddr_t pa_b;
	u32 val = 0x12345678, out = 0;
	gpaddr_t foreign = GUEST_RAM0_BASE + WORLD_GUEST_MEM + 0x10000;

	(void)state;
	a = world_domain(1, 1, false);
	b = world_domain(2, 1, false);
	assert_int_equal(copy_to_guest_phys(a, GUEST_RAM0_BASE + 0x2ffe, &val, sizeof(val)), 0);
	assert_int_equal(copy_from_guest_phys(a, &out, GUEST_RAM0_BASE + 0x2ffe, sizeof(out)), 0);
	assert_int_equal(out, val); /* across a page boundary */
	assert_int_equal(copy_to_guest_phys(a, GUEST_RAM0_BASE + WORLD_GUEST_MEM - 2, &val, 4),
			 -HV_EFAULT);
	/* One of b's frames mapped into a (as a grant or foreign mapping would): not a's. */
	assert_int_equal(p2m_lookup(b, GUEST_RAM0_BASE, &pa_b, &flags), 0);
	assert_int_equal(p2m_map(a, foreign, pa_b, PAGE_SIZE, P2M_MEM_NORMAL), 0);
	assert_int_equal(copy_to_guest_phys(a, foreign, &val, sizeof(val)), -HV_EFAULT);
	assert_int_equal(copy_from_guest_phys(a, &out, foreign, sizeof(out)), -HV_EFAULT);
	world_run(a->vcpus[0]);
	assert_int_equal(copy_to_guest_va(a->vcpus[0], foreign, &val, sizeof(val)), -HV_EFAULT);
	assert_int_equal(p2m_unmap(a, foreign, PAGE_SIZE), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, world_setup, world_teardown)
		T(test_create_maps_ram_and_destroy_returns_it),
		T(test_arch_domain_failure_leaves_nothing),
		T(test_arch_vcpu_failure_leaves_nothing),
		T(test_out_of_memory_leaves_nothing),
		T(test_bad_config_refused),
		T(test_reference_keeps_domain_and_id),
		T(test_last_put_defers_teardown_in_steps),
		T(test_last_put_defers_teardown_in_steps),
		T(test_ids_round_robin),
		T(test_power_on_goes_through_arch),
		T(test_crash_of_boot_domain_ends_it),
		T(test_toolstack_domain_waits_after_shutdown),
		T(test_copies_touch_only_own_ram),
#undef T
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
