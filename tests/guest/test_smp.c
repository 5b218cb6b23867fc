/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Suites "smp_overcommit" (every vCPU makes progress when there are more vCPUs than
 * physical CPUs) and "counter" (a well-behaved domain printing progress, run next to a
 * hostile one).
 */
#include "guest.h"

#define WINDOWS 6
#define WINDOW_US 500000
/* Work one vCPU must do in a window before the others' zero counts as starvation. */
#define STARVED_BELOW 200000

static volatile unsigned long work[MAX_CPUS];
static volatile bool stop_work;

static void timer_quiet(unsigned int intid)
{
	(void)intid;
	WRITE_SYSREG(cntv_ctl_el0, 0);
	isb();
}

/* Even vCPUs yield (sched_op yield, or plain spinning without Xen); odd ones sleep in WFI. */
static void worker(void *arg)
{
	unsigned int me = cpu_id();
	bool sleeper = (me & 1) != 0;

	(void)arg;
	gic_enable_private(PPI_VTIMER, timer_quiet);
	irq_enable();
	while (!READ_ONCE(stop_work)) {
		for (unsigned int i = 0; i < 2000; i++) {
			work[me]++;
		}
		if (sleeper) {
			irq_disable();
			WRITE_SYSREG(cntv_cval_el0, timer_now() + us_to_ticks(1000));
			WRITE_SYSREG(cntv_ctl_el0, 1);
			isb();
			wfi();
			irq_enable();
			isb();
		} else if (plat.xen) {
			xen_sched_yield();
		}
	}
}

TEST_F(smp_overcommit, all_progress, TF_SMP2)
{
	unsigned long last[MAX_CPUS], stalls[MAX_CPUS];
	unsigned int n = plat.nr_cpus;

	stop_work = false;
	for (unsigned int i = 0; i < n; i++) {
		work[i] = 0;
		stalls[i] = 0;
	}
	for (unsigned int i = 1; i < n; i++) {
		ASSERT_EQ(cpu_start(i, worker, NULL), 0);
	}
	for (unsigned int i = 1; i < n; i++) {
		ASSERT(cpu_wait_started(i, 5000000));
	}
	for (unsigned int i = 0; i < n; i++) {
		last[i] = work[i];
	}
	for (unsigned int w = 0; w < WINDOWS; w++) {
		uint64_t end = timer_now() + us_to_ticks(WINDOW_US);

		while (timer_now() < end) {
			for (unsigned int i = 0; i < 2000; i++) {
				work[0]++;
			}
			if (plat.xen) {
				xen_sched_yield();
			}
		}
		printf("window %u:", w);
		{
			unsigned long delta[MAX_CPUS], busiest = 0;

			for (unsigned int i = 0; i < n; i++) {
				unsigned long now = work[i];

				delta[i] = now - last[i];
				busiest = delta[i] > busiest ? delta[i] : busiest;
				last[i] = now;
				printf(" %lu", delta[i]);
			}
			/*
			 * A stall is a vCPU getting nothing while another got plenty: when the
			 * host starves QEMU itself, every vCPU stands still and the window
			 * says nothing about the scheduler.
			 */
			for (unsigned int i = 0; i < n; i++) {
				if (delta[i] == 0 && busiest >= STARVED_BELOW) {
					stalls[i]++;
				}
			}
		}
		printf("\n");
	}
	stop_work = true;
	for (unsigned int i = 0; i < n; i++) {
		printf("vCPU %u: %lu timer interrupts\n", i, cpus[i].irq_count[PPI_VTIMER]);
		if (stalls[i]) {
			test_fail(__FILE__, __LINE__,
				  "vCPU %u made no progress in %lu of %u windows", i, stalls[i],
				  WINDOWS);
		}
	}
	for (unsigned int i = 1; i < n; i++) {
		EXPECT(cpu_wait_off(i, 5000000));
	}
}

/*
 * A well-behaved domain next to a hostile or crashing one: it gets CPU time in every
 * half-second window, and its memory (all RAM past the image, filled with a pattern
 * first) is exactly as it left it.
 */
TEST(counter, progress)
{
	uint64_t next, first_bad = 0, bad;
	unsigned long count = 0, before;

	ram_pattern_fill(0xc0c0c0c0c0c0c0c0ull);
	next = timer_now();
	for (unsigned int tick = 0; tick < 8; tick++) {
		before = count;
		next += us_to_ticks(500000);
		while (timer_now() < next) {
			count++;
		}
		printf("counter: tick %u, %lu loops\n", tick, count);
		if (count == before) {
			test_fail(__FILE__, __LINE__, "no progress in tick %u", tick);
		}
	}
	bad = ram_pattern_check(0xc0c0c0c0c0c0c0c0ull, &first_bad);
	if (bad != 0) {
		test_fail(__FILE__, __LINE__,
			  "%llu words of RAM changed under the counter, first at %#llx",
			  (unsigned long long)bad, (unsigned long long)first_bad);
	}
}

/* ------------------------------------------------------------------ FP/SIMD context */

void fp_fill(uint64_t seed);
uint64_t fp_check(uint64_t seed);

#define FP_ROUNDS 200

static volatile unsigned long fp_bad[MAX_CPUS];
static volatile bool fp_done[MAX_CPUS];

static void fp_enable(void)
{
	/* CPACR_EL1.FPEN = 0b11: no FP/SIMD traps at EL1 or EL0. */
	WRITE_SYSREG(cpacr_el1, READ_SYSREG(cpacr_el1) | (3ull << 20));
	isb();
}

/* Keeps a per-vCPU pattern in all vector registers while yielding to the others. */
static void fp_worker(void *arg)
{
	unsigned int me = cpu_id();
	uint64_t seed = 0x1000ull * (me + 1) + (uint64_t)(uintptr_t)arg;

	fp_enable();
	for (unsigned int r = 0; r < FP_ROUNDS; r++) {
		uint64_t bad;

		fp_fill(seed + r);
		if (plat.xen) {
			xen_sched_yield();
		} else {
			udelay(100);
		}
		bad = fp_check(seed + r);
		if (bad) {
			fp_bad[me] = bad;
		}
	}
	fp_done[me] = true;
}

TEST_F(fpctx, preserved_across_switches, TF_SMP2)
{
	unsigned int n = plat.nr_cpus;

	for (unsigned int i = 0; i < n; i++) {
		fp_bad[i] = 0;
		fp_done[i] = false;
	}
	for (unsigned int i = 1; i < n; i++) {
		ASSERT_EQ(cpu_start(i, fp_worker, (void *)7), 0);
	}
	fp_worker((void *)7);
	for (unsigned int i = 1; i < n; i++) {
		EXPECT(WAIT_FOR(READ_ONCE(fp_done[i]), 10000000));
		EXPECT(cpu_wait_off(i, 5000000));
	}
	for (unsigned int i = 0; i < n; i++) {
		if (fp_bad[i]) {
			test_fail(__FILE__, __LINE__, "vCPU %u lost register v%lu", i,
				  fp_bad[i] - 1);
		}
	}
}
