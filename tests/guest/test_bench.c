/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Suite "bench": latencies measured in the guest's own counter ticks and printed as
 * "BENCH <name> <ticks> ticks <ns> ns" lines for bench/guest-latency.sh (reported, never
 * asserted beyond "the event happened"). Suite "reboot": asks for a reboot at once, so
 * the runner can count destroy/recreate cycles of the domain.
 */
#include "guest.h"

#define BENCH_HYPERCALLS 2000
#define BENCH_SGIS 200
#define BENCH_TIMERS 20

static void report(const char *name, uint64_t ticks_x1000)
{
	uint64_t ns = ticks_x1000 * 1000000 / timer_freq(); /* (ticks/1000) * 1e9 / freq */

	printf("BENCH %s %llu.%03llu ticks %llu ns\n", name,
	       (unsigned long long)(ticks_x1000 / 1000), (unsigned long long)(ticks_x1000 % 1000),
	       (unsigned long long)ns);
}

TEST_F(bench, hypercall_roundtrip, TF_XEN)
{
	uint64_t t0, t1;

	t0 = timer_now();
	for (unsigned int i = 0; i < BENCH_HYPERCALLS; i++) {
		ASSERT(hypercall5(HYPERVISOR_xen_version, XENVER_version, 0, 0, 0, 0) > 0);
	}
	t1 = timer_now();
	report("hypercall_roundtrip", (t1 - t0) * 1000 / BENCH_HYPERCALLS);
}

static volatile uint64_t sgi_at;
static volatile unsigned int sgi_count;

static void sgi_stamp(unsigned int intid)
{
	(void)intid;
	sgi_at = timer_now();
	sgi_count++;
}

TEST(bench, sgi_self_latency)
{
	uint64_t total = 0;

	gic_enable_private(6, sgi_stamp);
	irq_enable();
	sgi_count = 0;
	for (unsigned int i = 0; i < BENCH_SGIS; i++) {
		uint64_t t0 = timer_now();

		gic_send_sgi(0, 6);
		ASSERT(WAIT_FOR(sgi_count == i + 1, 1000000));
		total += sgi_at - t0;
	}
	report("sgi_self_latency", total * 1000 / BENCH_SGIS);
}

static volatile uint64_t timer_fired_at;
static volatile unsigned int timer_fired;

static void timer_stamp(unsigned int intid)
{
	(void)intid;
	timer_fired_at = timer_now();
	WRITE_SYSREG(cntv_ctl_el0, 3); /* ENABLE | IMASK */
	isb();
	timer_fired++;
}

TEST(bench, vtimer_latency)
{
	uint64_t samples[BENCH_TIMERS], median;

	gic_enable_private(PPI_VTIMER, timer_stamp);
	irq_enable();
	for (unsigned int i = 0; i < BENCH_TIMERS; i++) {
		uint64_t cval = timer_now() + us_to_ticks(1000);

		timer_fired = 0;
		WRITE_SYSREG(cntv_cval_el0, cval);
		WRITE_SYSREG(cntv_ctl_el0, 1);
		isb();
		ASSERT(WAIT_FOR(timer_fired == 1, 1000000));
		samples[i] = timer_fired_at >= cval ? timer_fired_at - cval : 0;
	}
	WRITE_SYSREG(cntv_ctl_el0, 0);
	/* Median: insertion sort of 20 samples. */
	for (unsigned int i = 1; i < BENCH_TIMERS; i++) {
		for (unsigned int j = i; j > 0 && samples[j - 1] > samples[j]; j--) {
			uint64_t t = samples[j];

			samples[j] = samples[j - 1];
			samples[j - 1] = t;
		}
	}
	median = samples[BENCH_TIMERS / 2];
	report("vtimer_latency_median", median * 1000);
}

TEST_F(reboot, now, TF_XEN)
{
	smccc_call(PSCI_SYSTEM_RESET, 0, 0, 0);
	test_fail(__FILE__, __LINE__, "PSCI SYSTEM_RESET returned");
}
