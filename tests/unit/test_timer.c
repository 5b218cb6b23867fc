/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests of the per-CPU timer queues (hv/common/timer.c) with a fake clock and
 * fake hardware comparators: ordering, re-arming, stopping, callbacks that re-arm,
 * and that the comparator always holds the earliest expiry.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <cmocka.h>

#include <hv/percpu.h>
#include <hv/timer.h>

struct pcpu pcpus[NR_CPUS];
static unsigned int cur_cpu;
static u64 fake_now;
static u64 programmed[NR_CPUS]; /* comparator per CPU, 0 = disabled */
static unsigned int kicks[NR_CPUS];

struct pcpu *this_pcpu(void)
{
	return &pcpus[cur_cpu];
}

u64 now_ns(void)
{
	return fake_now;
}

void arch_timer_program(u64 expires)
{
	programmed[cur_cpu] = expires;
}

void arch_timer_kick(unsigned int cpu)
{
	kicks[cpu]++;
	/* The kicked CPU re-reads its queue head, as the SGI handler does. */
	programmed[cpu] = pcpus[cpu].timers.head ? pcpus[cpu].timers.head->expires : 0;
}

static char order[64];
static size_t norder;

static void record(void *data)
{
	order[norder++] = *(const char *)data;
}

static int setup(void **state)
{
	(void)state;
	for (unsigned int i = 0; i < NR_CPUS; i++) {
		pcpus[i].id = i;
		timer_queue_init(&pcpus[i].timers);
		programmed[i] = 0;
		kicks[i] = 0;
	}
	cur_cpu = 0;
	fake_now = 1000;
	norder = 0;
	return 0;
}

static void test_fires_in_expiry_order(void **state)
{
	static const char names[] = "abcde";
	static const u64 when[] = { 5000, 2000, 9000, 2000, 3000 };
	struct timer t[5];

	(void)state;
	for (int i = 0; i < 5; i++) {
		timer_init(&t[i], record, (void *)&names[i], 0);
		timer_set(&t[i], when[i]);
	}
	assert_int_equal(programmed[0], 2000);
	fake_now = 2500;
	timer_run_expired();
	/* equal expiries fire in the order they were armed */
	assert_int_equal(norder, 2);
	assert_memory_equal(order, "bd", 2);
	assert_int_equal(programmed[0], 3000);
	fake_now = 10000;
	timer_run_expired();
	assert_int_equal(norder, 5);
	assert_memory_equal(order, "bdeac", 5);
	assert_int_equal(programmed[0], 0);
	for (int i = 0; i < 5; i++) {
		assert_false(t[i].active);
	}
}

/*
 * An expiry of 0 (a guest's compare value can become one) must not read as "no timer":
 * the comparator stays armed, so the timer and every later one on the pCPU still fire.
 */
static void test_zero_expiry_keeps_the_queue_running(void **state)
{
	static const char names[] = "zl";
	struct timer tz, tl;

	(void)state;
	timer_init(&tl, record, (void *)&names[1], 0);
	timer_set(&tl, 1500);
	timer_init(&tz, record, (void *)&names[0], 0);
	timer_set(&tz, 0);
	assert_int_not_equal(programmed[0], 0); /* armed: the hardware will interrupt */
	assert_true(programmed[0] <= fake_now);
	timer_run_expired();
	assert_int_equal(norder, 1);
	assert_memory_equal(order, "z", 1);
	assert_int_equal(programmed[0], 1500);
	fake_now = 2000;
	timer_run_expired();
	assert_int_equal(norder, 2);
	assert_memory_equal(order, "zl", 2);
}

static void test_rearm_and_stop(void **state)
{
	static const char a = 'a', b = 'b';
	struct timer ta, tb;

	(void)state;
	timer_init(&ta, record, (void *)&a, 0);
	timer_init(&tb, record, (void *)&b, 0);
	timer_set(&ta, 4000);
	timer_set(&tb, 6000);
	assert_int_equal(programmed[0], 4000);
	timer_set(&ta, 8000); /* re-arm later: b becomes the head */
	assert_int_equal(programmed[0], 6000);
	assert_true(timer_stop(&tb));
	assert_false(timer_stop(&tb));
	fake_now = 7000;
	timer_run_expired(); /* nothing due; comparator moves to a */
	assert_int_equal(norder, 0);
	assert_int_equal(programmed[0], 8000);
	fake_now = 8000;
	timer_run_expired();
	assert_int_equal(norder, 1);
	assert_int_equal(order[0], 'a');
}

static void test_past_expiry_fires_at_once(void **state)
{
	static const char a = 'a';
	struct timer ta;

	(void)state;
	timer_init(&ta, record, (void *)&a, 0);
	timer_set(&ta, 10); /* already in the past */
	assert_int_equal(programmed[0], 10);
	timer_run_expired();
	assert_int_equal(norder, 1);
}

struct periodic {
	struct timer t;
	unsigned int runs;
};

static void periodic_fn(void *data)
{
	struct periodic *p = data;

	if (++p->runs < 3) {
		timer_set(&p->t, p->t.expires + 1000);
	}
}

static void test_callback_may_rearm(void **state)
{
	struct periodic p = { .runs = 0 };

	(void)state;
	timer_init(&p.t, periodic_fn, &p, 0);
	timer_set(&p.t, 2000);
	fake_now = 2000;
	timer_run_expired();
	assert_int_equal(p.runs, 1);
	assert_int_equal(programmed[0], 3000);
	fake_now = 10000;
	timer_run_expired(); /* catches up: runs at 3000, re-arms 4000, runs again */
	assert_int_equal(p.runs, 3);
	assert_false(p.t.active);
	assert_int_equal(programmed[0], 0);
}

static void test_remote_cpu_is_kicked(void **state)
{
	static const char a = 'a', b = 'b';
	struct timer ta, tb;

	(void)state;
	timer_init(&ta, record, (void *)&a, 1);
	timer_init(&tb, record, (void *)&b, 1);
	timer_set(&ta, 5000);
	assert_int_equal(kicks[1], 1);
	timer_set(&tb, 9000); /* not the new head: no kick */
	assert_int_equal(kicks[1], 1);
	assert_int_equal(programmed[1], 5000);
	assert_int_equal(programmed[0], 0);
	cur_cpu = 1;
	fake_now = 9000;
	timer_run_expired();
	assert_int_equal(norder, 2);
	assert_memory_equal(order, "ab", 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_fires_in_expiry_order, setup),
		cmocka_unit_test_setup(test_zero_expiry_keeps_the_queue_running, setup),
		cmocka_unit_test_setup(test_rearm_and_stop, setup),
		cmocka_unit_test_setup(test_past_expiry_fires_at_once, setup),
		cmocka_unit_test_setup(test_callback_may_rearm, setup),
		cmocka_unit_test_setup(test_remote_cpu_is_kicked, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
