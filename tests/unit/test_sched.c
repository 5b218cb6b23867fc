/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests of the scheduler (hv/common/sched.c) with a fake arch: placement, block
 * and wake (including a wake that lands while the vCPU is still loaded, the lost-wake-up
 * bug once seen under load), time slices, sched=pinned, CPU_OFF/CPU_ON, pause/unpause.
 * The fake arch (hv/arch/fake/arch.c) records kicks, saves and loads; its
 * arch_vcpu_enter() and the idle wait jump back into the test with longjmp.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <hv/arch.h>
#include <hv/domain.h>
#include <hv/fake.h>
#include <hv/params.h>
#include <hv/percpu.h>
#include <hv/sched.h>
#include <hv/xen_abi.h>

struct pcpu pcpus[NR_CPUS];
struct hv_options hv_opts;
static unsigned int cur_cpu;
static u64 fake_now;
static jmp_buf back;
static struct domain dom;
static struct vcpu vc[4];

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
	(void)expires;
}
void arch_timer_kick(unsigned int cpu)
{
	(void)cpu;
}
/* SCHEDOP_poll's end (hv/common/sched_op.c): the last vCPU about to be entered. */
static struct vcpu *poll_done_for;
void sched_poll_done(struct vcpu *v)
{
	poll_done_for = v;
}
void vcpu_runstate_switch(struct vcpu *v, bool in)
{
	(void)v;
	(void)in;
}

void arch_idle_wait(void)
{
	fake_arch.entered = NULL;
	longjmp(back, 2); /* "nothing to run": the test regains control */
}
void domain_get(struct domain *d)
{
	d->refcnt++;
}
void domain_put(struct domain *d)
{
	d->refcnt--;
}
/* A dead domain's teardown (hv/common/domain.c): 'reap_work' steps of 0.4 ms each. */
static unsigned int reap_work, reap_steps, reap_steps_masked;
static struct vcpu *reap_rebuilds; /* brought online by the last step, as a rebuild does */
bool domain_reap_pending(void)
{
	return reap_work > 0;
}
static unsigned int reap_light_steps;
bool domain_reap_step(bool light)
{
	if (light) {
		reap_light_steps++;
	}
	if (reap_work == 0) {
		return false;
	}
	reap_steps++;
	if (!fake_irqs_enabled) {
		reap_steps_masked++;
	}
	reap_work--;
	fake_now += 400000;
	if (reap_work == 0 && reap_rebuilds != NULL) {
		vcpu_online(reap_rebuilds);
	}
	return reap_work > 0;
}
struct vcpu *current_vcpu(void)
{
	return this_pcpu()->current;
}

static int setup(void **state)
{
	(void)state;
	memset(pcpus, 0, sizeof(pcpus));
	memset(vc, 0, sizeof(vc));
	memset(&dom, 0, sizeof(dom));
	fake_arch_reset();
	fake_arch.enter_jmp = &back;
	hv_opts.sched = SCHED_AUTO;
	for (unsigned int i = 0; i < NR_CPUS; i++) {
		pcpus[i].id = i;
		pcpus[i].online = i < 2; /* two pCPUs */
		timer_queue_init(&pcpus[i].timers);
	}
	sched_init();
	dom.nr_vcpus = 4;
	for (unsigned int i = 0; i < 4; i++) {
		vc[i].id = i;
		vc[i].domain = &dom;
		sched_add_vcpu(&vc[i]);
	}
	cur_cpu = 0;
	fake_now = 1000;
	fake_arch.saves = fake_arch.loads = 0;
	reap_work = reap_steps = reap_steps_masked = reap_light_steps = 0;
	reap_rebuilds = NULL;
	fake_irqs_enabled = false; /* a trap: IRQs masked */
	return 0;
}

/* Runs the idle loop of the current pCPU; returns the vCPU it entered (or NULL). */
static struct vcpu *idle_pick(void)
{
	poll_done_for = NULL;
	if (setjmp(back) == 0) {
		sched_idle_loop();
	}
	/* Whatever is entered has its finished poll ended first. */
	assert_ptr_equal(poll_done_for, fake_arch.entered);
	return fake_arch.entered;
}

/* One trap exit of the running vCPU; returns what runs next (NULL: went idle). */
static struct vcpu *exit_to(struct vcpu *prev)
{
	struct vcpu *next;

	poll_done_for = NULL;
	if (setjmp(back) == 0) {
		next = sched_exit_to(prev);
		assert_ptr_equal(poll_done_for, next);
		return next;
	}
	assert_ptr_equal(poll_done_for, fake_arch.entered);
	return fake_arch.entered;
}

static void test_placement_balances(void **state)
{
	(void)state;
	assert_int_equal(vc[0].pcpu, 0);
	assert_int_equal(vc[1].pcpu, 1);
	assert_int_equal(vc[2].pcpu, 0);
	assert_int_equal(vc[3].pcpu, 1);
	assert_int_equal(pcpus[0].sched.nr_assigned, 2);
	for (unsigned int i = 0; i < 4; i++) {
		assert_int_equal(vc[i].state, VCPU_OFFLINE);
	}
}

static void test_online_runs_and_blocks(void **state)
{
	(void)state;
	vcpu_online(&vc[0]);
	assert_true(vc[0].on_rq);
	assert_ptr_equal(idle_pick(), &vc[0]);
	assert_int_equal(vc[0].state, VCPU_RUNNING);
	assert_true(vc[0].loaded);
	assert_int_equal(dom.refcnt, 1); /* a loaded vCPU holds its domain */
	vcpu_block_current();
	assert_int_equal(vc[0].state, VCPU_BLOCKED);
	assert_null(exit_to(&vc[0]));
	assert_false(vc[0].loaded);
	assert_int_equal(dom.refcnt, 0);
	/* A wake from elsewhere puts it back on the queue. */
	vcpu_wake(&vc[0]);
	assert_int_equal(vc[0].state, VCPU_RUNNABLE);
	assert_ptr_equal(idle_pick(), &vc[0]);
}

static void test_wake_while_still_loaded_is_not_lost(void **state)
{
	(void)state;
	vcpu_online(&vc[0]);
	assert_ptr_equal(idle_pick(), &vc[0]);
	/* The vCPU blocks (WFI), and before its pCPU decides, an SGI wakes it. */
	vcpu_block_current();
	vcpu_wake(&vc[0]);
	assert_int_equal(vc[0].state, VCPU_RUNNABLE);
	assert_true(vc[0].on_rq);
	/* The decision keeps it running... */
	assert_ptr_equal(exit_to(&vc[0]), &vc[0]);
	assert_int_equal(vc[0].state, VCPU_RUNNING);
	assert_false(vc[0].on_rq);
	/* ...and a block decided before the wake still ends up queued, not lost. */
	vcpu_block_current();
	assert_null(exit_to(&vc[0]));
	vcpu_wake(&vc[0]);
	assert_true(vc[0].on_rq);
	assert_ptr_equal(idle_pick(), &vc[0]);
}

static void test_time_slices_rotate(void **state)
{
	(void)state;
	vcpu_online(&vc[0]);
	vcpu_online(&vc[2]); /* both on pCPU 0 */
	assert_ptr_equal(idle_pick(), &vc[0]);
	assert_true(pcpus[0].sched.slice_timer.active);
	/* Within the slice: keeps running. */
	fake_now += SCHED_SLICE_NS / 2;
	assert_ptr_equal(exit_to(&vc[0]), &vc[0]);
	/* After it: the other one, and the first waits its turn. */
	fake_now += SCHED_SLICE_NS;
	assert_ptr_equal(exit_to(&vc[0]), &vc[2]);
	assert_int_equal(vc[0].state, VCPU_RUNNABLE);
	assert_true(vc[0].on_rq);
	fake_now += 2 * SCHED_SLICE_NS;
	assert_ptr_equal(exit_to(&vc[2]), &vc[0]);
}

/*
 * A dead domain's teardown runs between two vCPUs (a bounded time, IRQs enabled) and in
 * the idle loop (until done), never while the same vCPU simply continues.
 */
static void test_deferred_teardown_between_vcpus_and_when_idle(void **state)
{
	(void)state;
	vcpu_online(&vc[0]);
	vcpu_online(&vc[2]); /* both on pCPU 0 */
	assert_ptr_equal(idle_pick(), &vc[0]);
	reap_work = 10;
	fake_irqs_enabled = false;
	fake_now += SCHED_SLICE_NS / 2;
	/* No switch: one light step (IRQs masked) so that a busy pCPU still progresses. */
	assert_ptr_equal(exit_to(&vc[0]), &vc[0]);
	assert_int_equal(reap_steps, 1);
	assert_int_equal(reap_light_steps, 1);
	reap_steps = reap_steps_masked = 0;
	fake_now += SCHED_SLICE_NS;
	assert_ptr_equal(exit_to(&vc[0]), &vc[2]);
	assert_false(fake_irqs_enabled); /* masked again before the guest entry */
	/* Within the 1 ms budget (3 steps of 0.4 ms), with IRQs on. */
	assert_true(reap_steps >= 1 && reap_steps <= 3);
	assert_int_equal(reap_steps_masked, 0);
	/* Work is left: the idle pCPU 1 was asked to go on with it. */
	assert_true(fake_arch.kicks[1] > 0);
	/* The idle loop finishes it (then waits: idle_pick() regains control). */
	vcpu_offline(&vc[0]);
	vcpu_offline(&vc[2]);
	assert_null(exit_to(&vc[2]));
	assert_int_equal(reap_work, 0);
	assert_int_equal(reap_steps, 9);
	assert_int_equal(reap_steps_masked, 0);
	assert_int_equal(reap_light_steps, 1);
	/* A vCPU made runnable by the last step is entered, not left waiting in WFI. */
	reap_work = 2;
	reap_rebuilds = &vc[0];
	assert_ptr_equal(idle_pick(), &vc[0]);
	assert_int_equal(reap_work, 0);
}

static void test_pinned_never_preempts(void **state)
{
	(void)state;
	hv_opts.sched = SCHED_PINNED;
	vcpu_online(&vc[0]);
	vcpu_online(&vc[2]);
	assert_ptr_equal(idle_pick(), &vc[0]);
	assert_false(pcpus[0].sched.slice_timer.active);
	fake_now += 100 * SCHED_SLICE_NS;
	assert_ptr_equal(exit_to(&vc[0]), &vc[0]);
	/* It still gives way when it yields. */
	vcpu_yield_current();
	assert_ptr_equal(exit_to(&vc[0]), &vc[2]);
}

static void test_offline_leaves_queue(void **state)
{
	(void)state;
	vcpu_online(&vc[0]);
	vcpu_online(&vc[2]);
	vcpu_offline(&vc[2]);
	assert_false(vc[2].on_rq);
	assert_int_equal(vc[2].state, VCPU_OFFLINE);
	assert_ptr_equal(idle_pick(), &vc[0]);
	/* CPU_OFF of the running vCPU: it leaves the pCPU at the next decision. */
	vcpu_offline(&vc[0]);
	assert_null(exit_to(&vc[0]));
	assert_false(vc[0].loaded);
	assert_null(idle_pick());
}

static void test_pause_and_unpause(void **state)
{
	(void)state;
	vcpu_online(&vc[0]);
	assert_ptr_equal(idle_pick(), &vc[0]);
	/* Paused while running: switched out, not queued, state kept runnable. */
	vcpu_pause_nosync(&vc[0]);
	assert_null(exit_to(&vc[0]));
	assert_false(vc[0].loaded);
	assert_false(vc[0].on_rq);
	assert_null(idle_pick());
	/* Pauses nest. */
	vcpu_pause_nosync(&vc[0]);
	vcpu_unpause(&vc[0]);
	assert_false(vc[0].on_rq);
	vcpu_unpause(&vc[0]);
	assert_true(vc[0].on_rq);
	assert_ptr_equal(idle_pick(), &vc[0]);
	/* Paused while blocked: a wake does not queue it until unpaused. */
	vcpu_block_current();
	assert_null(exit_to(&vc[0]));
	vcpu_pause_nosync(&vc[0]);
	vcpu_wake(&vc[0]);
	assert_false(vc[0].on_rq);
	vcpu_unpause(&vc[0]);
	assert_true(vc[0].on_rq);
	/* Unpause while the switch-out is still pending queues it too (no lost vCPU). */
	assert_ptr_equal(idle_pick(), &vc[0]);
	vcpu_pause_nosync(&vc[0]);
	vcpu_unpause(&vc[0]);
	assert_ptr_equal(exit_to(&vc[0]), &vc[0]);
}

static void test_remote_wake_sends_sgi(void **state)
{
	(void)state;
	vcpu_online(&vc[1]); /* placed on pCPU 1 */
	assert_int_equal(fake_arch.kicks[1], 1);
	cur_cpu = 1;
	assert_ptr_equal(idle_pick(), &vc[1]);
	vcpu_block_current();
	assert_null(exit_to(&vc[1]));
	cur_cpu = 0;
	vcpu_wake(&vc[1]);
	assert_int_equal(fake_arch.kicks[1], 2);
	/* A kick of a blocked vCPU wakes it. */
	cur_cpu = 1;
	assert_ptr_equal(idle_pick(), &vc[1]);
	vcpu_block_current();
	assert_null(exit_to(&vc[1]));
	cur_cpu = 0;
	vcpu_kick(&vc[1]);
	assert_int_equal(vc[1].state, VCPU_RUNNABLE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_placement_balances, setup),
		cmocka_unit_test_setup(test_online_runs_and_blocks, setup),
		cmocka_unit_test_setup(test_wake_while_still_loaded_is_not_lost, setup),
		cmocka_unit_test_setup(test_time_slices_rotate, setup),
		cmocka_unit_test_setup(test_pinned_never_preempts, setup),
		cmocka_unit_test_setup(test_deferred_teardown_between_vcpus_and_when_idle, setup),
		cmocka_unit_test_setup(test_offline_leaves_queue, setup),
		cmocka_unit_test_setup(test_pause_and_unpause, setup),
		cmocka_unit_test_setup(test_remote_wake_sends_sgi, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
