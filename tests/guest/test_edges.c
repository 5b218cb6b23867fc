/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Suite "timer_edges" (issue 11): timers programmed with edge values. The generic timer
 * fires when the counter reaches the compare value as unsigned 64-bit numbers (Arm ARM
 * D12.1.2 "The CompareValue view": CNTx_CVAL is met when count - cval >= 0 with unbounded
 * integers), so a compare value of all ones, or anything centuries ahead, never fires;
 * zero or a past value fires at once. Lamina keeps the virtual timer in software while the
 * vCPU is switched out (its physical deadline is the compare value plus the domain's
 * counter offset) and emulates the physical EL1 timer (hv/arch/arm64/vtimer.c): neither
 * may turn a far-future value into an early interrupt by wrapping. SCHEDOP_poll's timeout
 * (system time in ns; 0 = none, Xen's public/sched.h) gets the same edges, and Xen on Arm
 * has no VCPUOP_set_singleshot_timer (Xen's arch/arm/domain.c do_arm_vcpu_op: -EINVAL).
 *
 * It runs beside suite "counter" on one physical CPU (tests/guest/scenarios.py
 * "timer-edges"): a guest storming its own timer must leave the neighbour its time slices.
 */
#include "guest.h"
#include "../../hv/include/public/event_channel.h"
#include "../../hv/include/public/vcpu.h"
#include "../../hv/include/public/xen.h"

#define XEN_EINVAL 22

/* Xen's public/vcpu.h: timer sub-ops that Xen on Arm refuses. */
#define VCPUOP_set_periodic_timer 6
#define VCPUOP_set_singleshot_timer 8
#define VCPUOP_stop_singleshot_timer 9
struct vcpu_set_singleshot_timer {
	uint64_t timeout_abs_ns;
	uint32_t flags;
};

#define CTL_ENABLE 1u
#define CTL_IMASK 2u
#define CTL_ISTATUS 4u

static volatile unsigned long v_fired, p_fired;
static volatile bool storm;
static volatile uint64_t storm_end;

static void vtimer_irq(unsigned int intid)
{
	(void)intid;
	v_fired++;
	/*
	 * Storm: leave it enabled and unmasked, so it fires again at once (the interrupted
	 * code makes no progress: this handler ends the storm when its time is up).
	 */
	if (storm && timer_now() >= storm_end) {
		storm = false;
	}
	WRITE_SYSREG(cntv_ctl_el0, storm ? CTL_ENABLE : CTL_ENABLE | CTL_IMASK);
	isb();
}

static void ptimer_irq(unsigned int intid)
{
	(void)intid;
	p_fired++;
	WRITE_SYSREG(cntp_ctl_el0, CTL_ENABLE | CTL_IMASK);
	isb();
}

static uint64_t sys_now_ns(void)
{
	uint64_t t = READ_SYSREG(cntpct_el0), f = timer_freq();

	return (t / f) * 1000000000ull + (t % f) * 1000000000ull / f;
}

/* SCHEDOP_poll on no port: blocks (the vCPU is switched out) until timeout_ns or a wake. */
static long poll_until(uint64_t timeout_ns, evtchn_port_t *ports, unsigned int n)
{
	struct sched_poll p = { .ports = (uintptr_t)ports, .nr_ports = n, .timeout = timeout_ns };

	return hypercall5(__HYPERVISOR_sched_op, SCHEDOP_poll, (uintptr_t)&p, 0, 0, 0);
}

/* Blocks for about ms milliseconds: the vCPU is out and its timers run in software. */
static void block_ms(unsigned int ms)
{
	uint64_t end = timer_now() + us_to_ticks(ms * 1000ull);

	while (timer_now() < end) {
		EXPECT_EQ(poll_until(sys_now_ns() + ms * 1000000ull, NULL, 0), 0);
	}
}

/* The counter offset Lamina gave this domain (CNTVOFF_EL2 = physical - virtual). */
static uint64_t counter_offset(void)
{
	uint64_t p, v;

	isb();
	p = READ_SYSREG(cntpct_el0);
	v = READ_SYSREG(cntvct_el0);
	return p - v;
}

/*
 * Compare values that must never fire within a test: the far future. The physical timer
 * is Lamina's emulation, so it gets the edges: all ones, the sign bit, and values whose
 * conversion to nanoseconds overflows 64 bits. The virtual timer is QEMU's own while the
 * vCPU runs, and under QEMU 7.2 a virtual compare value that is all ones once the counter
 * offset is added stopped the whole emulated machine (the guest spinning, Lamina not
 * involved): such values would test QEMU, so the virtual timer gets far values below
 * that. Lamina's software timer for a switched-out vCPU treats a sum past 2^64 as never
 * (hv/arch/arm64/vtimer.c), which only real hardware can show.
 */
static void far_values(uint64_t *out, unsigned int *n, bool virt)
{
	unsigned int i = 0;

	if (virt) {
		out[i++] = timer_now() + (1ull << 50);
		out[i++] = timer_now() + (1ull << 58);
	} else {
		out[i++] = ~0ull;
		out[i++] = ~0ull - 1000;
		out[i++] = 1ull << 63;
		out[i++] = 1ull << 62; /* ticks to ns overflows 64 bits */
		out[i++] = READ_SYSREG(cntpct_el0) + (1ull << 50);
	}
	*n = i;
}

TEST_F(timer_edges, no_singleshot_timer_on_arm, TF_XEN)
{
	static const uint64_t vals[] = { 0, ~0ull, 1, 1ull << 63 };
	struct vcpu_set_singleshot_timer st;

	gic_enable_private(PPI_VTIMER, vtimer_irq);
	irq_enable();
	v_fired = 0;
	for (unsigned int i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		st = (struct vcpu_set_singleshot_timer){ .timeout_abs_ns = vals[i] };
		EXPECT_EQ(hypercall5(__HYPERVISOR_vcpu_op, VCPUOP_set_singleshot_timer, 0,
				     (uintptr_t)&st, 0, 0),
			  -XEN_EINVAL);
		st.timeout_abs_ns = sys_now_ns() + 1000000;
		st.flags = ~0u;
		EXPECT_EQ(hypercall5(__HYPERVISOR_vcpu_op, VCPUOP_set_singleshot_timer, 0,
				     (uintptr_t)&st, 0, 0),
			  -XEN_EINVAL);
	}
	EXPECT_EQ(hypercall5(__HYPERVISOR_vcpu_op, VCPUOP_stop_singleshot_timer, 0, 0, 0, 0),
		  -XEN_EINVAL);
	block_ms(10);
	EXPECT_EQ(v_fired, 0);
}

TEST_F(timer_edges, virtual_compare_values, TF_XEN)
{
	uint64_t far[8];
	unsigned int n;

	gic_enable_private(PPI_VTIMER, vtimer_irq);
	irq_enable();
	/* Zero and the past: at once, running or blocked. */
	for (unsigned int blocked = 0; blocked < 2; blocked++) {
		const uint64_t vals[] = { 0, 1, timer_now() - us_to_ticks(1000) };

		for (unsigned int i = 0; i < 3; i++) {
			v_fired = 0;
			WRITE_SYSREG(cntv_cval_el0, vals[i]);
			WRITE_SYSREG(cntv_ctl_el0, CTL_ENABLE);
			isb();
			if (blocked) {
				block_ms(2);
			}
			EXPECT(WAIT_FOR(READ_ONCE(v_fired) == 1, 1000000));
		}
	}
	/* Far ahead: never, even while the vCPU is out for a while. */
	far_values(far, &n, true);
	for (unsigned int i = 0; i < n; i++) {
		v_fired = 0;
		WRITE_SYSREG(cntv_cval_el0, far[i]);
		WRITE_SYSREG(cntv_ctl_el0, CTL_ENABLE);
		isb();
		block_ms(15);
		udelay(2000);
		if (READ_ONCE(v_fired) != 0 || (READ_SYSREG(cntv_ctl_el0) & CTL_ISTATUS)) {
			test_fail(__FILE__, __LINE__,
				  "virtual timer with compare value %#llx (offset %#llx) fired",
				  (unsigned long long)far[i], (unsigned long long)counter_offset());
		}
		WRITE_SYSREG(cntv_ctl_el0, 0);
		isb();
	}
	/* A normal deadline still works after all that. */
	v_fired = 0;
	WRITE_SYSREG(cntv_cval_el0, timer_now() + us_to_ticks(3000));
	WRITE_SYSREG(cntv_ctl_el0, CTL_ENABLE);
	isb();
	block_ms(10);
	EXPECT(WAIT_FOR(READ_ONCE(v_fired) == 1, 1000000));
	WRITE_SYSREG(cntv_ctl_el0, 0);
	isb();
}

TEST_F(timer_edges, physical_compare_values, TF_XEN)
{
	uint64_t far[8];
	unsigned int n;

	gic_enable_private(PPI_PTIMER, ptimer_irq);
	irq_enable();
	for (unsigned int blocked = 0; blocked < 2; blocked++) {
		const uint64_t vals[] = { 0, 1, READ_SYSREG(cntpct_el0) - us_to_ticks(1000) };

		for (unsigned int i = 0; i < 3; i++) {
			p_fired = 0;
			WRITE_SYSREG(cntp_cval_el0, vals[i]);
			WRITE_SYSREG(cntp_ctl_el0, CTL_ENABLE);
			isb();
			if (blocked) {
				block_ms(2);
			}
			EXPECT(WAIT_FOR(READ_ONCE(p_fired) == 1, 1000000));
		}
	}
	/* A small negative TVAL is a past compare value: at once. */
	p_fired = 0;
	WRITE_SYSREG(cntp_tval_el0, (uint32_t)-1000);
	WRITE_SYSREG(cntp_ctl_el0, CTL_ENABLE);
	isb();
	EXPECT(WAIT_FOR(READ_ONCE(p_fired) == 1, 1000000));
	far_values(far, &n, false);
	for (unsigned int i = 0; i < n; i++) {
		p_fired = 0;
		WRITE_SYSREG(cntp_cval_el0, far[i]);
		WRITE_SYSREG(cntp_ctl_el0, CTL_ENABLE);
		isb();
		block_ms(15);
		udelay(2000);
		if (READ_ONCE(p_fired) != 0 || (READ_SYSREG(cntp_ctl_el0) & CTL_ISTATUS)) {
			test_fail(__FILE__, __LINE__,
				  "physical timer with compare value %#llx fired",
				  (unsigned long long)far[i]);
		}
		WRITE_SYSREG(cntp_ctl_el0, 0);
		isb();
	}
	gic_disable_private(PPI_PTIMER);
}

TEST_F(timer_edges, poll_timeouts, TF_XEN)
{
	struct evtchn_bind_ipi b = { .vcpu = 0 };
	static const uint64_t never[] = { ~0ull, 1ull << 63, ~0ull - 1000 };
	uint64_t t0, waited;

	gic_enable_private(PPI_VTIMER, vtimer_irq);
	irq_enable();
	/* Timeout 0 (none) and all ones with a port pending: back at once. */
	ASSERT_EQ(hypercall5(__HYPERVISOR_event_channel_op, EVTCHNOP_bind_ipi, (uintptr_t)&b, 0, 0,
			     0),
		  0);
	struct evtchn_send s = { .port = b.port };

	ASSERT_EQ(hypercall5(__HYPERVISOR_event_channel_op, EVTCHNOP_send, (uintptr_t)&s, 0, 0, 0),
		  0);
	t0 = timer_now();
	EXPECT_EQ(poll_until(0, &b.port, 1), 0);
	EXPECT_EQ(poll_until(~0ull, &b.port, 1), 0);
	EXPECT(ticks_to_us(timer_now() - t0) < 500000);
	/* In the past: back at once. */
	t0 = timer_now();
	EXPECT_EQ(poll_until(1, NULL, 0), 0);
	EXPECT(ticks_to_us(timer_now() - t0) < 500000);
	/*
	 * Timeout 0 (none), all ones and other far values with nothing pending: only the
	 * virtual timer, 20 ms later, wakes the vCPU. Returning much earlier means the
	 * timeout was taken for a near one.
	 */
	for (unsigned int i = 0; i <= sizeof(never) / sizeof(never[0]); i++) {
		v_fired = 0;
		WRITE_SYSREG(cntv_cval_el0, timer_now() + us_to_ticks(20000));
		WRITE_SYSREG(cntv_ctl_el0, CTL_ENABLE);
		isb();
		t0 = timer_now();
		EXPECT_EQ(poll_until(i == 0 ? 0 : never[i - 1], NULL, 0), 0);
		waited = ticks_to_us(timer_now() - t0);
		if (waited < 15000) {
			test_fail(__FILE__, __LINE__,
				  "SCHEDOP_poll with timeout %#llx returned after "
				  "%llu us",
				  (unsigned long long)(i == 0 ? 0 : never[i - 1]),
				  (unsigned long long)waited);
		}
		EXPECT(WAIT_FOR(READ_ONCE(v_fired) == 1, 1000000));
	}
	struct evtchn_close c = { .port = b.port };

	EXPECT_EQ(hypercall5(__HYPERVISOR_event_channel_op, EVTCHNOP_close, (uintptr_t)&c, 0, 0, 0),
		  0);
	WRITE_SYSREG(cntv_ctl_el0, 0);
	isb();
}

/*
 * The guest's own interrupt storm: its timer handler leaves the timer enabled and
 * unmasked with a past compare value, so it fires again the moment the handler returns,
 * for about two seconds. The neighbour (suite "counter") must progress meanwhile.
 */
TEST_F(timer_edges, storm_leaves_neighbour_running, TF_XEN)
{
	gic_enable_private(PPI_VTIMER, vtimer_irq);
	v_fired = 0;
	storm_end = timer_now() + us_to_ticks(2000000);
	storm = true;
	WRITE_SYSREG(cntv_cval_el0, 0);
	WRITE_SYSREG(cntv_ctl_el0, CTL_ENABLE);
	isb();
	irq_enable();
	WAIT_FOR(!READ_ONCE(storm), 60000000);
	EXPECT(!storm);
	WRITE_SYSREG(cntv_ctl_el0, 0);
	isb();
	printf("timer storm: %lu interrupts in 2 s\n", (unsigned long)v_fired);
	EXPECT(v_fired > 100);
}
