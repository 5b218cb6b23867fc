/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests of the 2-level event channels (hv/common/evtchn.c) against fake domains
 * whose shared_info is a host buffer (upcalls counted by the fake arch,
 * hv/arch/fake/arch.c): the hypercall boundary (with "guest addresses"
 * that are host pointers), delivery and masking, loopback and two-domain channels,
 * close and destroy unbinding the peer, virqs, and every error return.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <hv/domain.h>
#include <hv/errno.h>
#include <hv/evtchn.h>
#include <hv/sched.h>
#include <hv/heap.h>
#include <public/event_channel.h>

#define NR_DOMS 2
#define NR_VCPUS 2
#define FAULT_VA 0xdead0000ull /* the fake copy functions fail for this address */

static struct domain doms[NR_DOMS];
static struct vcpu vcpus[NR_DOMS][NR_VCPUS];
static struct vcpu *vcpu_ptrs[NR_DOMS][NR_VCPUS];
static struct shared_info shinfo[NR_DOMS];
static bool dom_alive[NR_DOMS];

/* Fakes of what evtchn.c uses. */
void *xzalloc_array(size_t n, size_t size)
{
	return calloc(n, size);
}
void xfree(void *p)
{
	free(p);
}
struct domain *domain_get_by_id(domid_t domid)
{
	for (unsigned int i = 0; i < NR_DOMS; i++) {
		if (dom_alive[i] && doms[i].domid == domid) {
			doms[i].refcnt++;
			return &doms[i];
		}
	}
	return NULL;
}
void domain_put(struct domain *d)
{
	assert_true(d->refcnt > 0);
	d->refcnt--;
}
long domain_refuse_other(domid_t domid)
{
	struct domain *o = domain_get_by_id(domid);

	if (o == NULL) {
		return -HV_ESRCH;
	}
	domain_put(o);
	return -HV_EPERM;
}
/* SCHEDOP_poll wake-ups (none of these tests polls). */
static unsigned int wakes;
void vcpu_wake(struct vcpu *v)
{
	(void)v;
	wakes++;
}

int copy_from_guest_va(struct vcpu *v, void *dst, u64 va, u64 len)
{
	(void)v;
	if (va == FAULT_VA) {
		return -HV_EFAULT;
	}
	memcpy(dst, (void *)(uintptr_t)va, len);
	return 0;
}
int copy_to_guest_va(struct vcpu *v, u64 va, const void *src, u64 len)
{
	(void)v;
	if (va == FAULT_VA) {
		return -HV_EFAULT;
	}
	memcpy((void *)(uintptr_t)va, src, len);
	return 0;
}

static int setup(void **state)
{
	(void)state;
	memset(doms, 0, sizeof(doms));
	memset(vcpus, 0, sizeof(vcpus));
	memset(shinfo, 0, sizeof(shinfo));
	for (unsigned int i = 0; i < NR_DOMS; i++) {
		struct domain *d = &doms[i];

		d->domid = (domid_t)(i + 1);
		d->refcnt = 1;
		d->nr_vcpus = NR_VCPUS;
		d->vcpus = vcpu_ptrs[i];
		d->shared_info = &shinfo[i];
		for (unsigned int j = 0; j < NR_VCPUS; j++) {
			vcpus[i][j].id = j;
			vcpus[i][j].domain = d;
			vcpus[i][j].vcpu_info =
				j == 0 ? &shinfo[i].vcpu_info[0] : &vcpus[i][j].vcpu_info_dummy;
			vcpu_ptrs[i][j] = &vcpus[i][j];
		}
		assert_int_equal(evtchn_domain_init(d), 0);
		dom_alive[i] = true;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	for (unsigned int i = 0; i < NR_DOMS; i++) {
		dom_alive[i] = false;
		evtchn_domain_destroy(&doms[i]);
		assert_int_equal(doms[i].refcnt, 1); /* every reference given back */
	}
	return 0;
}

static long op(unsigned int d, unsigned int cmd, void *arg)
{
	return do_event_channel_op(&vcpus[d][0], cmd, (u64)(uintptr_t)arg);
}

static bool pending(unsigned int d, evtchn_port_t p)
{
	return (shinfo[d].evtchn_pending[p / 64] >> (p % 64)) & 1;
}

static long send(unsigned int d, evtchn_port_t p)
{
	struct evtchn_send s = { .port = p };

	return op(d, EVTCHNOP_send, &s);
}

static long status(unsigned int d, evtchn_port_t p, struct evtchn_status *st)
{
	memset(st, 0, sizeof(*st));
	st->dom = DOMID_SELF;
	st->port = p;
	return op(d, EVTCHNOP_status, st);
}

static void test_ipi_delivery_and_mask(void **state)
{
	struct evtchn_bind_ipi b = { .vcpu = 1 };
	struct evtchn_unmask u;
	struct vcpu_info *vi = vcpus[0][1].vcpu_info;

	(void)state;
	assert_int_equal(op(0, EVTCHNOP_bind_ipi, &b), 0);
	assert_int_equal(b.port, 1); /* port 0 is reserved */
	assert_int_equal(send(0, b.port), 0);
	assert_true(pending(0, b.port));
	assert_int_equal(vi->evtchn_pending_sel, 1);
	assert_int_equal(vi->evtchn_upcall_pending, 1);
	assert_int_equal(vcpus[0][1].arch.upcalls, 1);
	assert_int_equal(vcpus[0][0].arch.upcalls, 0);
	/* Already pending: nothing new. upcall_pending still 1: no new PPI either. */
	assert_int_equal(send(0, b.port), 0);
	assert_int_equal(vcpus[0][1].arch.upcalls, 1);
	/* Guest acknowledges, then masks: pending only. */
	shinfo[0].evtchn_pending[0] = 0;
	vi->evtchn_pending_sel = 0;
	vi->evtchn_upcall_pending = 0;
	shinfo[0].evtchn_mask[0] = 1ull << b.port;
	assert_int_equal(send(0, b.port), 0);
	assert_true(pending(0, b.port));
	assert_int_equal(vi->evtchn_pending_sel, 0);
	assert_int_equal(vcpus[0][1].arch.upcalls, 1);
	/* Unmask delivers it. */
	u.port = b.port;
	assert_int_equal(op(0, EVTCHNOP_unmask, &u), 0);
	assert_int_equal(shinfo[0].evtchn_mask[0], 0);
	assert_int_equal(vi->evtchn_pending_sel, 1);
	assert_int_equal(vcpus[0][1].arch.upcalls, 2);
	/* IPIs cannot move. */
	struct evtchn_bind_vcpu bv = { .port = b.port, .vcpu = 0 };
	assert_int_equal(op(0, EVTCHNOP_bind_vcpu, &bv), -HV_EINVAL);
}

static void test_loopback(void **state)
{
	struct evtchn_alloc_unbound a = { .dom = DOMID_SELF, .remote_dom = DOMID_SELF };
	struct evtchn_bind_interdomain b = { .remote_dom = DOMID_SELF };
	struct evtchn_close c;
	struct evtchn_status st;

	(void)state;
	assert_int_equal(op(0, EVTCHNOP_alloc_unbound, &a), 0);
	assert_int_equal(status(0, a.port, &st), 0);
	assert_int_equal(st.status, EVTCHNSTAT_unbound);
	assert_int_equal(st.u.unbound.dom, 1);
	assert_int_equal(send(0, a.port), 0); /* dropped */
	assert_false(pending(0, a.port));
	b.remote_port = a.port;
	assert_int_equal(op(0, EVTCHNOP_bind_interdomain, &b), 0);
	assert_true(pending(0, b.local_port)); /* the new end starts pending */
	shinfo[0].evtchn_pending[0] = 0;
	assert_int_equal(send(0, a.port), 0);
	assert_true(pending(0, b.local_port));
	assert_false(pending(0, a.port));
	assert_int_equal(send(0, b.local_port), 0);
	assert_true(pending(0, a.port));
	c.port = a.port;
	assert_int_equal(op(0, EVTCHNOP_close, &c), 0);
	assert_false(pending(0, a.port)); /* a freed port loses its pending bit */
	assert_int_equal(status(0, b.local_port, &st), 0);
	assert_int_equal(st.status, EVTCHNSTAT_unbound);
	assert_int_equal(status(0, a.port, &st), 0);
	assert_int_equal(st.status, EVTCHNSTAT_closed);
	assert_int_equal(op(0, EVTCHNOP_close, &c), -HV_EINVAL);
	/* Binding an unbound port meant for someone else. */
	a.remote_dom = 2;
	assert_int_equal(op(0, EVTCHNOP_alloc_unbound, &a), 0);
	b.remote_port = a.port;
	assert_int_equal(op(0, EVTCHNOP_bind_interdomain, &b), -HV_EINVAL);
}

static void test_two_domains(void **state)
{
	struct evtchn_alloc_unbound a = { .dom = DOMID_SELF, .remote_dom = 2 };
	struct evtchn_bind_interdomain b = { .remote_dom = 1 };
	struct evtchn_bind_vcpu bv;
	struct evtchn_status st;
	struct evtchn_close c;

	(void)state;
	assert_int_equal(op(0, EVTCHNOP_alloc_unbound, &a), 0);
	b.remote_port = a.port;
	assert_int_equal(op(1, EVTCHNOP_bind_interdomain, &b), 0);
	shinfo[1].evtchn_pending[0] = 0;
	/* d1 moves its end to vCPU 1; d2's send lands there. */
	bv.port = a.port;
	bv.vcpu = 1;
	assert_int_equal(op(0, EVTCHNOP_bind_vcpu, &bv), 0);
	assert_int_equal(send(1, b.local_port), 0);
	assert_true(pending(0, a.port));
	assert_int_equal(vcpus[0][1].arch.upcalls, 1);
	assert_int_equal(vcpus[0][0].arch.upcalls, 0);
	assert_int_equal(send(0, a.port), 0);
	assert_true(pending(1, b.local_port));
	/* d1 closes: d2's end is unbound (to d1) again and can be rebound. */
	c.port = a.port;
	assert_int_equal(op(0, EVTCHNOP_close, &c), 0);
	assert_int_equal(status(1, b.local_port, &st), 0);
	assert_int_equal(st.status, EVTCHNSTAT_unbound);
	assert_int_equal(st.u.unbound.dom, 1);
	b.remote_dom = 2;
	b.remote_port = st.port;
	assert_int_equal(op(0, EVTCHNOP_bind_interdomain, &b), 0);
	/* d1 dies: d2's end becomes unbound; sends from d2 are dropped. */
	dom_alive[0] = false;
	evtchn_domain_destroy(&doms[0]);
	assert_int_equal(status(1, st.port, &st), 0);
	assert_int_equal(st.status, EVTCHNSTAT_unbound);
	assert_int_equal(send(1, st.port), 0);
	assert_int_equal(evtchn_domain_init(&doms[0]), 0); /* for teardown */
	/* A domain that does not exist. */
	b.remote_dom = 77;
	assert_int_equal(op(1, EVTCHNOP_bind_interdomain, &b), -HV_ESRCH);
	assert_int_equal(doms[1].refcnt, 1);
}

static void test_virq(void **state)
{
	struct evtchn_bind_virq v = { .virq = VIRQ_DOM_EXC, .vcpu = 0 };
	struct evtchn_bind_vcpu bv;

	(void)state;
	assert_int_equal(op(0, EVTCHNOP_bind_virq, &v), 0);
	assert_int_equal(op(0, EVTCHNOP_bind_virq, &v), -HV_EEXIST);
	evtchn_send_virq(&doms[0], VIRQ_DOM_EXC, 1); /* global: vCPU 0's binding */
	assert_true(pending(0, v.port));
	assert_int_equal(vcpus[0][0].arch.upcalls, 1);
	bv.port = v.port;
	bv.vcpu = 1;
	assert_int_equal(op(0, EVTCHNOP_bind_vcpu, &bv), 0);
	assert_int_equal(send(0, v.port), -HV_EINVAL);
	v.virq = VIRQ_TIMER;
	v.vcpu = 1;
	assert_int_equal(op(0, EVTCHNOP_bind_virq, &v), 0);
	evtchn_send_virq(&doms[0], VIRQ_TIMER, 1);
	assert_int_equal(vcpus[0][1].arch.upcalls, 1);
	evtchn_send_virq(&doms[0], VIRQ_TIMER, 0); /* not bound there */
	evtchn_send_virq(&doms[0], NR_VIRQS, 0);
	evtchn_send_virq(&doms[0], VIRQ_TIMER, 99);
	bv.port = v.port;
	assert_int_equal(op(0, EVTCHNOP_bind_vcpu, &bv), -HV_EINVAL);
	v.vcpu = 2;
	assert_int_equal(op(0, EVTCHNOP_bind_virq, &v), -HV_ENOENT);
	v.virq = VIRQ_CONSOLE;
	v.vcpu = 1;
	assert_int_equal(op(0, EVTCHNOP_bind_virq, &v), -HV_EINVAL);
	v.virq = NR_VIRQS;
	v.vcpu = 0;
	assert_int_equal(op(0, EVTCHNOP_bind_virq, &v), -HV_EINVAL);
}

static void test_errors_and_exhaustion(void **state)
{
	struct evtchn_bind_ipi b = { .vcpu = 0 };
	struct evtchn_init_control ic = { 0 };
	struct evtchn_alloc_unbound a = { .dom = 5, .remote_dom = DOMID_SELF };
	evtchn_port_t p = 0;

	(void)state;
	assert_int_equal(op(0, EVTCHNOP_send, (void *)(uintptr_t)FAULT_VA), -HV_EFAULT);
	assert_int_equal(op(0, EVTCHNOP_bind_ipi, (void *)(uintptr_t)FAULT_VA), -HV_EFAULT);
	assert_int_equal(op(0, EVTCHNOP_init_control, &ic), -HV_ENOSYS);
	assert_int_equal(op(0, 1000, &ic), -HV_ENOSYS);
	/* In another domain: refused, as "no such domain" or "not yours" (Xen's order). */
	assert_int_equal(op(0, EVTCHNOP_alloc_unbound, &a), -HV_ESRCH);
	a.dom = doms[1].domid;
	assert_int_equal(op(0, EVTCHNOP_alloc_unbound, &a), -HV_EPERM);
	{
		struct evtchn_status st = { .dom = 5, .port = 1 };

		assert_int_equal(op(0, EVTCHNOP_status, &st), -HV_ESRCH);
		st.dom = doms[1].domid;
		assert_int_equal(op(0, EVTCHNOP_status, &st), -HV_EPERM);
	}
	assert_int_equal(send(0, 0), -HV_EINVAL);
	assert_int_equal(send(0, EVTCHN_2L_NR_CHANNELS), -HV_EINVAL);
	assert_int_equal(send(0, 0xffffffffu), -HV_EINVAL);
	b.vcpu = NR_VCPUS;
	assert_int_equal(op(0, EVTCHNOP_bind_ipi, &b), -HV_ENOENT);
	/* Every port but 0, then ENOSPC. */
	b.vcpu = 0;
	for (unsigned int i = 1; i < EVTCHN_2L_NR_CHANNELS; i++) {
		assert_int_equal(op(0, EVTCHNOP_bind_ipi, &b), 0);
		assert_int_equal(b.port, i);
		p = b.port;
	}
	assert_int_equal(op(0, EVTCHNOP_bind_ipi, &b), -HV_ENOSPC);
	assert_int_equal(send(0, p), 0);
	assert_true(pending(0, p));
	assert_int_equal(shinfo[0].vcpu_info[0].evtchn_pending_sel, 1ull << 63);
	assert_int_equal(evtchn_alloc_unbound_for(&doms[0], 2, &p), -HV_ENOSPC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ipi_delivery_and_mask, setup, teardown),
		cmocka_unit_test_setup_teardown(test_loopback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_two_domains, setup, teardown),
		cmocka_unit_test_setup_teardown(test_virq, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors_and_exhaustion, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
