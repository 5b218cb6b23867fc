/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The sched_op hypercall (Xen's public/sched.h): yield, block, shutdown, and
 * SCHEDOP_poll, which blocks a vCPU until one of its domain's event-channel ports is
 * pending or a timeout passes. The scheduler itself is hv/common/sched.c.
 */
#include <hv/domain.h>
#include <hv/errno.h>
#include <hv/evtchn.h>
#include <hv/sched.h>
#include <hv/timer.h>

#define SCHED_POLL_MAX_PORTS 128 /* as Xen */

static void poll_timeout(void *data)
{
	struct vcpu *v = data;

	if (__atomic_load_n(&v->polling, __ATOMIC_ACQUIRE)) {
		vcpu_wake(v);
	}
}

/*
 * SCHEDOP_poll: returns at once if one of the ports is pending, else blocks the vCPU
 * until a port of its domain becomes pending or the timeout (system time in ns, 0 =
 * none) passes. The vCPU resumes after the hypercall with 0 either way, like Xen.
 */
static long do_sched_poll(struct vcpu *v, u64 arg)
{
	struct sched_poll sp;
	struct domain *d = v->domain;

	if (copy_from_guest_va(v, &sp, arg, sizeof(sp)) != 0) {
		return -HV_EFAULT;
	}
	if (sp.nr_ports > SCHED_POLL_MAX_PORTS) {
		return -HV_EINVAL;
	}
	__atomic_fetch_add(&d->nr_pollers, 1, __ATOMIC_ACQ_REL);
	__atomic_store_n(&v->polling, true, __ATOMIC_RELEASE);
	for (u32 i = 0; i < sp.nr_ports; i++) {
		evtchn_port_t port;

		if (copy_from_guest_va(v, &port, sp.ports + i * sizeof(port), sizeof(port)) != 0) {
			__atomic_store_n(&v->polling, false, __ATOMIC_RELEASE);
			__atomic_fetch_sub(&d->nr_pollers, 1, __ATOMIC_ACQ_REL);
			return -HV_EFAULT;
		}
		if (evtchn_port_is_pending(d, port)) {
			__atomic_store_n(&v->polling, false, __ATOMIC_RELEASE);
			__atomic_fetch_sub(&d->nr_pollers, 1, __ATOMIC_ACQ_REL);
			return 0;
		}
	}
	if (sp.timeout != 0) {
		timer_set(&v->poll_timer, sp.timeout);
	}
	vcpu_block_current();
	return 0;
}

/** Ends a SCHEDOP_poll when its vCPU runs again (called on every guest entry). */
void sched_poll_done(struct vcpu *v)
{
	if (__atomic_load_n(&v->polling, __ATOMIC_ACQUIRE) && v->state == VCPU_RUNNING) {
		timer_stop(&v->poll_timer);
		__atomic_store_n(&v->polling, false, __ATOMIC_RELEASE);
		__atomic_fetch_sub(&v->domain->nr_pollers, 1, __ATOMIC_ACQ_REL);
	}
}

/** See hv/sched.h. */
void sched_poll_init(struct vcpu *v)
{
	timer_init(&v->poll_timer, poll_timeout, v, v->pcpu);
}

/** See hv/sched.h. */
long do_sched_op(struct vcpu *v, u64 cmd, u64 arg)
{
	struct sched_shutdown sd;

	switch (cmd) {
	case SCHEDOP_yield:
		vcpu_yield_current();
		return 0;
	case SCHEDOP_block:
		vcpu_block_current();
		return 0;
	case SCHEDOP_poll:
		return do_sched_poll(v, arg);
	case SCHEDOP_shutdown:
		if (copy_from_guest_va(v, &sd, arg, sizeof(sd)) != 0) {
			return -HV_EFAULT;
		}
		if (sd.reason > SHUTDOWN_watchdog) {
			return -HV_EINVAL;
		}
		domain_shutdown(v->domain, sd.reason);
		return 0;
	default:
		return -HV_ENOSYS;
	}
}
