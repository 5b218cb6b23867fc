/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Suite "xenabi": the core of the Xen guest ABI Linux needs at boot, built from
 * Lamina's public headers: shared_info mapped with XENMEM_add_to_physmap, vcpu_info
 * and runstate registration, HVM parameters, and 2-level event channels (IPI,
 * loopback interdomain, virq, masking, status, close), including error returns and a
 * fixed-seed fuzz of every new operation. The tests build on each other in file order
 * (shared_info first, then vcpu_info, then events).
 */
#include "guest.h"
#include "../../hv/include/public/grant_table.h"

#include "../../hv/include/public/event_channel.h"
#include "../../hv/include/public/hvm_op.h"
#include "../../hv/include/public/memory.h"
#include "../../hv/include/public/vcpu.h"
#include "../../hv/include/public/xen.h"

#define XEN_EPERM 1
#define XEN_ENOENT 2
#define XEN_ESRCH 3
#define XEN_EBUSY 16
#define XEN_EEXIST 17
#define XEN_EINVAL 22

/*
 * Cross-domain refusals name a domain that exists (boot argument peer=, the scenario's
 * second domain) and one that does not: Xen looks the domain up before deciding
 * (rcu_lock_domain_by_any_id(), then XSM), so the two answers differ.
 */
#define NO_SUCH_DOMAIN 0x7000
static domid_t peer_domain(void)
{
	return (domid_t)bootarg_num("peer", 0);
}

#define EVTCHN_PPI 31
#define BAD_VA 0x1000ull /* below guest RAM: nothing there */
#define NO_UPCALL_WAIT_US 20000

/* Linux uses one of its RAM pages for shared_info; so does this test. */
static uint8_t shinfo_page[4096] __attribute__((aligned(4096)));
static volatile struct shared_info *const sh = (volatile struct shared_info *)shinfo_page;
static bool shinfo_mapped;

/* Per-vCPU vcpu_info, 64-byte aligned like Linux's per-CPU copies. */
static struct {
	struct vcpu_info vi;
	uint8_t pad[16];
} vinfo[MAX_CPUS] __attribute__((aligned(64)));
static bool vinfo_registered[MAX_CPUS];

static volatile unsigned long upcalls[MAX_CPUS];

/* Scratch for the fuzz: vcpu_info and runstate registrations land here. */
static uint8_t fuzz_scratch[3 * 4096] __attribute__((aligned(4096)));

static long memory_op(unsigned long cmd, const void *arg)
{
	return hypercall5(__HYPERVISOR_memory_op, cmd, (uintptr_t)arg, 0, 0, 0);
}

static long vcpu_op(unsigned long cmd, unsigned long vcpu, const void *arg)
{
	return hypercall5(__HYPERVISOR_vcpu_op, cmd, vcpu, (uintptr_t)arg, 0, 0);
}

static long hvm_op(unsigned long op, const void *arg)
{
	return hypercall5(__HYPERVISOR_hvm_op, op, (uintptr_t)arg, 0, 0, 0);
}

static long evtchn_op(unsigned long cmd, const void *arg)
{
	return hypercall5(__HYPERVISOR_event_channel_op, cmd, (uintptr_t)arg, 0, 0, 0);
}

static void upcall_irq(unsigned int intid)
{
	(void)intid;
	upcalls[cpu_id()]++;
}

static struct vcpu_info *my_vinfo(void)
{
	return &vinfo[cpu_id()].vi;
}

static bool test_bit(volatile const xen_ulong_t *w, unsigned int bit)
{
	return (__atomic_load_n(&w[bit / 64], __ATOMIC_ACQUIRE) >> (bit % 64)) & 1;
}

static void set_bit(volatile xen_ulong_t *w, unsigned int bit)
{
	__atomic_fetch_or(&w[bit / 64], 1ull << (bit % 64), __ATOMIC_ACQ_REL);
}

/* Acknowledges everything pending on this vCPU, as Linux's upcall handler would. */
static void drain_events(void)
{
	struct vcpu_info *vi = my_vinfo();

	__atomic_store_n(&vi->evtchn_upcall_pending, 0, __ATOMIC_RELEASE);
	__atomic_store_n(&vi->evtchn_pending_sel, 0, __ATOMIC_RELEASE);
	for (unsigned int i = 0; i < 64; i++) {
		__atomic_store_n(&sh->evtchn_pending[i], 0, __ATOMIC_RELEASE);
	}
}

static long bind_ipi(unsigned int vcpu, evtchn_port_t *port)
{
	struct evtchn_bind_ipi b = { .vcpu = vcpu };
	long rc = evtchn_op(EVTCHNOP_bind_ipi, &b);

	*port = b.port;
	return rc;
}

static long send(evtchn_port_t port)
{
	struct evtchn_send s = { .port = port };

	return evtchn_op(EVTCHNOP_send, &s);
}

static long close_port(evtchn_port_t port)
{
	struct evtchn_close c = { .port = port };

	return evtchn_op(EVTCHNOP_close, &c);
}

static long unmask(evtchn_port_t port)
{
	struct evtchn_unmask u = { .port = port };

	return evtchn_op(EVTCHNOP_unmask, &u);
}

static long status(evtchn_port_t port, struct evtchn_status *st)
{
	memset(st, 0, sizeof(*st));
	st->dom = DOMID_SELF;
	st->port = port;
	return evtchn_op(EVTCHNOP_status, st);
}

static void upcall_enable(void)
{
	gic_enable_private(EVTCHN_PPI, upcall_irq);
	irq_enable();
}

TEST_F(xenabi, hvm_params, TF_XEN)
{
	struct xen_hvm_param p = { .domid = DOMID_SELF, .index = HVM_PARAM_CALLBACK_IRQ };

	ASSERT_EQ(hvm_op(HVMOP_get_param, &p), 0);
	/* Type 2 (PPI) in bits 63:56, flags 2 (level, active-low) in 15:8, INTID 31. */
	EXPECT_EQ(p.value, (2ull << 56) | (2ull << 8) | EVTCHN_PPI);
	p.index = HVM_PARAM_STORE_PFN;
	EXPECT_EQ(hvm_op(HVMOP_get_param, &p), 0);
	EXPECT_EQ(p.value, 0);
	p.index = HVM_PARAM_CONSOLE_EVTCHN;
	EXPECT_EQ(hvm_op(HVMOP_get_param, &p), 0);
	p.index = 3; /* not on Arm's list */
	EXPECT_EQ(hvm_op(HVMOP_get_param, &p), -XEN_EINVAL);
	p.index = HVM_NR_PARAMS;
	EXPECT_EQ(hvm_op(HVMOP_get_param, &p), -XEN_EINVAL);
	p.index = HVM_PARAM_MONITOR_RING_PFN; /* toolstack only */
	EXPECT_EQ(hvm_op(HVMOP_get_param, &p), -XEN_EPERM);
	p.index = HVM_PARAM_STORE_PFN; /* a domain cannot set its own */
	EXPECT_EQ(hvm_op(HVMOP_set_param, &p), -XEN_EPERM);
	p.domid = 0x1234;
	EXPECT_EQ(hvm_op(HVMOP_get_param, &p), -XEN_ESRCH);
	EXPECT_EQ(hvm_op(HVMOP_get_param, (void *)BAD_VA), -XEN_EFAULT);
	EXPECT_EQ(hvm_op(99, &p), -XEN_ENOSYS);
}

TEST_F(xenabi, map_shared_info, TF_XEN)
{
	struct xen_add_to_physmap x = {
		.domid = DOMID_SELF,
		.space = XENMAPSPACE_shared_info,
		.idx = 0,
		.gpfn = (uintptr_t)shinfo_page >> 12,
	};
	bool all_zero = true;

	memset(shinfo_page, 0xa5, sizeof(shinfo_page));
	dsb(sy);
	/* Errors first: nothing may be mapped by them. */
	x.idx = 1;
	EXPECT_EQ(memory_op(XENMEM_add_to_physmap, &x), -XEN_EINVAL);
	x.idx = 100000; /* beyond max_nr_frames */
	x.space = XENMAPSPACE_grant_table;
	EXPECT_EQ(memory_op(XENMEM_add_to_physmap, &x), -XEN_EINVAL);
	x.idx = 0;
	x.space = 77;
	EXPECT_EQ(memory_op(XENMEM_add_to_physmap, &x), -XEN_EINVAL);
	x.space = XENMAPSPACE_shared_info;
	x.domid = NO_SUCH_DOMAIN;
	EXPECT_EQ(memory_op(XENMEM_add_to_physmap, &x), -XEN_ESRCH);
	x.domid = peer_domain();
	ASSERT(x.domid != 0);
	EXPECT_EQ(memory_op(XENMEM_add_to_physmap, &x), -XEN_EPERM);
	x.domid = DOMID_SELF;
	x.gpfn = plat.gicd >> 12; /* an emulated device */
	EXPECT_EQ(memory_op(XENMEM_add_to_physmap, &x), -XEN_EINVAL);
	x.gpfn = ~0ull >> 4;
	EXPECT_EQ(memory_op(XENMEM_add_to_physmap, &x), -XEN_EINVAL);
	EXPECT_EQ(memory_op(XENMEM_add_to_physmap, (void *)BAD_VA), -XEN_EFAULT);
	EXPECT_EQ(memory_op(XENMEM_increase_reservation, &x), -XEN_ENOSYS);
	EXPECT_EQ(shinfo_page[100], 0xa5);

	x.gpfn = (uintptr_t)shinfo_page >> 12;
	ASSERT_EQ(memory_op(XENMEM_add_to_physmap, &x), 0);
	shinfo_mapped = true;
	/* The RAM page is gone; the hypervisor's zeroed page is there instead. */
	for (unsigned int i = 0; i < sizeof(shinfo_page); i++) {
		if (READ_ONCE(shinfo_page[i]) == 0xa5) {
			all_zero = false;
		}
	}
	EXPECT(all_zero);
	printf("shared_info at %p: wc %u.%09u (version %u), vcpu_info[0].time.version %u\n",
	       (void *)shinfo_page, sh->wc_sec, sh->wc_nsec, sh->wc_version,
	       sh->vcpu_info[0].time.version);
	EXPECT_EQ(sh->wc_version & 1, 0);
	EXPECT_EQ(sh->vcpu_info[0].time.version & 1, 0);
	EXPECT(sh->wc_nsec < 1000000000u);
	/* Mapping it a second time is refused (Xen 4.17). */
	x.gpfn = ((uintptr_t)shinfo_page >> 12) + 1;
	EXPECT_EQ(memory_op(XENMEM_add_to_physmap, &x), -XEN_EBUSY);
	/* The page is guest RAM for hypercalls too: it can be used as an argument. */
	EXPECT(hypercall5(__HYPERVISOR_xen_version, XENVER_extraversion,
			  (uintptr_t)shinfo_page + 2048, 0, 0, 0) == 0);
	EXPECT_EQ(shinfo_page[2048], '.');
	memset(shinfo_page + 2048, 0, 16);
	/* Like Linux: mask every port, unmask the ones in use later. */
	for (unsigned int i = 0; i < 64; i++) {
		sh->evtchn_mask[i] = ~0ull;
	}
}

static long reservation(unsigned int cmd, uint64_t *gfns, uint64_t n, unsigned int order);

TEST_F(xenabi, remove_and_remap_shared_info, TF_XEN)
{
	struct xen_remove_from_physmap r = { .domid = DOMID_SELF };
	struct xen_add_to_physmap x = {
		.domid = DOMID_SELF,
		.space = XENMAPSPACE_shared_info,
		.gpfn = (uintptr_t)shinfo_page >> 12,
	};
	static uint8_t other_page[4096] __attribute__((aligned(4096)));
	static uint8_t ram_page[4096] __attribute__((aligned(4096)));
	uint64_t gfn = (uintptr_t)ram_page >> 12;
	struct fault_record f;

	ASSERT(shinfo_mapped);
	sh->evtchn_mask[63] = 0x1234;
	/* Plain RAM goes back to the hypervisor (as XENMEM_decrease_reservation)... */
	ram_page[0] = 1;
	dsb(sy);
	r.gpfn = gfn;
	EXPECT_EQ(memory_op(XENMEM_remove_from_physmap, &r), 0);
	fault_expect();
	(void)probe_read((uintptr_t)ram_page);
	EXPECT(fault_take(&f));
	/* ...once; a hole, a device frame and another domain are refused. */
	EXPECT_EQ(memory_op(XENMEM_remove_from_physmap, &r), -XEN_ENOENT);
	r.gpfn = plat.gicd >> 12;
	EXPECT_EQ(memory_op(XENMEM_remove_from_physmap, &r), -XEN_ENOENT);
	r.domid = NO_SUCH_DOMAIN;
	EXPECT_EQ(memory_op(XENMEM_remove_from_physmap, &r), -XEN_ESRCH);
	r.domid = peer_domain();
	EXPECT_EQ(memory_op(XENMEM_remove_from_physmap, &r), -XEN_EPERM);
	r.domid = DOMID_SELF;
	ASSERT_EQ(reservation(XENMEM_populate_physmap, &gfn, 1, 0), 1);
	EXPECT_EQ(ram_page[0], 0);
	r.gpfn = (uintptr_t)shinfo_page >> 12;
	ASSERT_EQ(memory_op(XENMEM_remove_from_physmap, &r), 0);
	shinfo_mapped = false;
	/* Now at another page, with the same contents; then back. */
	x.gpfn = (uintptr_t)other_page >> 12;
	ASSERT_EQ(memory_op(XENMEM_add_to_physmap, &x), 0);
	EXPECT_EQ(((volatile struct shared_info *)other_page)->evtchn_mask[63], 0x1234);
	r.gpfn = x.gpfn;
	ASSERT_EQ(memory_op(XENMEM_remove_from_physmap, &r), 0);
	x.gpfn = (uintptr_t)shinfo_page >> 12;
	ASSERT_EQ(memory_op(XENMEM_add_to_physmap, &x), 0);
	shinfo_mapped = true;
	EXPECT_EQ(sh->evtchn_mask[63], 0x1234);
	sh->evtchn_mask[63] = ~0ull;
}

TEST_F(xenabi, runstate, TF_XEN)
{
	static struct vcpu_runstate_info rs;
	struct vcpu_register_runstate_memory_area a = { .addr = (uintptr_t)&rs };

	struct {
		uint64_t ports;
		uint32_t nr_ports, pad;
		uint64_t timeout;
	} poll;
	evtchn_port_t p;
	uint64_t blocked0, running0, t0;

	rs.state = -1;
	ASSERT_EQ(vcpu_op(VCPUOP_register_runstate_memory_area, 0, &a), 0);
	EXPECT_EQ(rs.state, RUNSTATE_running);
	/* Kept up to date: 20 ms blocked in SCHEDOP_poll show up as blocked time. */
	ASSERT_EQ(bind_ipi(0, &p), 0);
	blocked0 = READ_ONCE(rs.time[RUNSTATE_blocked]);
	running0 = READ_ONCE(rs.time[RUNSTATE_running]);
	t0 = READ_SYSREG(cntpct_el0);
	poll = (typeof(poll)){ .ports = (uintptr_t)&p, .nr_ports = 1, .timeout = 0 };
	poll.timeout = (t0 / timer_freq()) * 1000000000ull +
		       (t0 % timer_freq()) * 1000000000ull / timer_freq() + 20000000ull;
	EXPECT_EQ(hypercall5(HYPERVISOR_sched_op, 3, (uintptr_t)&poll, 0, 0, 0), 0);
	EXPECT_EQ(READ_ONCE(rs.state), RUNSTATE_running);
	EXPECT(READ_ONCE(rs.time[RUNSTATE_blocked]) - blocked0 >= 15000000ull);
	EXPECT(READ_ONCE(rs.time[RUNSTATE_running]) >= running0);
	EXPECT_EQ(READ_ONCE(rs.state_entry_time) >> 63, 0); /* no update in progress */
	/* A bad address is accepted too (Linux BUG()s on failure); it is never written. */
	a.addr = BAD_VA;
	EXPECT_EQ(vcpu_op(VCPUOP_register_runstate_memory_area, 0, &a), 0);
	EXPECT_EQ(vcpu_op(VCPUOP_register_runstate_memory_area, 0, (void *)BAD_VA), -XEN_EFAULT);
	EXPECT_EQ(vcpu_op(VCPUOP_register_runstate_memory_area, 64, &a), -XEN_ENOENT);
}

TEST_F(xenabi, register_vcpu_info, TF_XEN)
{
	struct vcpu_register_vcpu_info r = {
		.mfn = (uintptr_t)&vinfo[0] >> 12,
		.offset = (uintptr_t)&vinfo[0] & 4095,
	};
	struct vcpu_info *vi = &vinfo[0].vi;

	ASSERT(shinfo_mapped);
	upcall_enable();
	/* Errors: nothing registered by them. */
	EXPECT_EQ(vcpu_op(VCPUOP_register_vcpu_info, 0, (void *)BAD_VA), -XEN_EFAULT);
	EXPECT_EQ(vcpu_op(VCPUOP_register_vcpu_info, 64, &r), -XEN_ENOENT);
	EXPECT_EQ(vcpu_op(VCPUOP_up, 0, &r), -XEN_EINVAL); /* Arm: only the two registers */
	r.offset = 4096 - 40;
	EXPECT_EQ(vcpu_op(VCPUOP_register_vcpu_info, 0, &r), -XEN_EINVAL);
	r.offset = ((uintptr_t)&vinfo[0] & 4095) + 4; /* misaligned */
	EXPECT_EQ(vcpu_op(VCPUOP_register_vcpu_info, 0, &r), -XEN_EINVAL);
	r.offset = 0;
	r.mfn = plat.gicd >> 12; /* not RAM */
	EXPECT_EQ(vcpu_op(VCPUOP_register_vcpu_info, 0, &r), -XEN_EINVAL);
	r.mfn = ~0ull;
	EXPECT_EQ(vcpu_op(VCPUOP_register_vcpu_info, 0, &r), -XEN_EINVAL);
	EXPECT_EQ(upcalls[0], 0);

	memset(vi, 0x5a, sizeof(*vi));
	upcalls[0] = 0;
	r.mfn = (uintptr_t)&vinfo[0] >> 12;
	r.offset = (uintptr_t)&vinfo[0] & 4095;
	ASSERT_EQ(vcpu_op(VCPUOP_register_vcpu_info, 0, &r), 0);
	vinfo_registered[0] = true;
	/* The old contents (zeros in shared_info) came along; then everything pending. */
	EXPECT_EQ(vi->evtchn_pending_sel, ~0ull);
	EXPECT_EQ(vi->evtchn_upcall_pending, 1);
	EXPECT_EQ(vi->time.version, 0);
	EXPECT(WAIT_FOR(READ_ONCE(upcalls[0]) >= 1, 1000000));
	/* Once only. */
	EXPECT_EQ(vcpu_op(VCPUOP_register_vcpu_info, 0, &r), -XEN_EINVAL);
	drain_events();
}

TEST_F(xenabi, ipi_self, TF_XEN)
{
	struct vcpu_info *vi = my_vinfo();
	struct evtchn_status st;
	evtchn_port_t p;
	unsigned long before;

	ASSERT(shinfo_mapped && vinfo_registered[0]);
	upcall_enable();
	drain_events();
	ASSERT_EQ(bind_ipi(0, &p), 0);
	printf("IPI port %u\n", p);
	EXPECT(p != 0 && p < EVTCHN_2L_NR_CHANNELS);
	EXPECT_EQ(status(p, &st), 0);
	EXPECT_EQ(st.status, EVTCHNSTAT_ipi);
	EXPECT_EQ(st.vcpu, 0);

	/* Masked (all ports are): pending, but no upcall. */
	before = upcalls[0];
	EXPECT_EQ(send(p), 0);
	udelay(NO_UPCALL_WAIT_US);
	EXPECT(test_bit(sh->evtchn_pending, p));
	EXPECT_EQ(vi->evtchn_pending_sel, 0);
	EXPECT_EQ(vi->evtchn_upcall_pending, 0);
	EXPECT_EQ(upcalls[0], before);
	/* Unmasking a pending port delivers it. */
	EXPECT_EQ(unmask(p), 0);
	EXPECT(!test_bit(sh->evtchn_mask, p));
	EXPECT(WAIT_FOR(READ_ONCE(upcalls[0]) > before, 1000000));
	EXPECT(test_bit(&vi->evtchn_pending_sel, p / 64));
	EXPECT_EQ(vi->evtchn_upcall_pending, 1);
	drain_events();

	/* Unmasked: a send is an upcall with the pending bits set. */
	before = upcalls[0];
	EXPECT_EQ(send(p), 0);
	EXPECT(WAIT_FOR(READ_ONCE(upcalls[0]) > before, 1000000));
	EXPECT(test_bit(sh->evtchn_pending, p));
	EXPECT(test_bit(&vi->evtchn_pending_sel, p / 64));
	EXPECT_EQ(vi->evtchn_upcall_pending, 1);
	/* Already pending: a second send raises nothing new. */
	before = upcalls[0];
	EXPECT_EQ(send(p), 0);
	udelay(NO_UPCALL_WAIT_US);
	EXPECT_EQ(upcalls[0], before);
	drain_events();

	/* Masked again by the guest: nothing. */
	set_bit(sh->evtchn_mask, p);
	before = upcalls[0];
	EXPECT_EQ(send(p), 0);
	udelay(NO_UPCALL_WAIT_US);
	EXPECT_EQ(upcalls[0], before);
	EXPECT_EQ(vi->evtchn_upcall_pending, 0);
	EXPECT_EQ(close_port(p), 0);
	/* Closing clears the pending bit. */
	EXPECT(!test_bit(sh->evtchn_pending, p));
	EXPECT_EQ(status(p, &st), 0);
	EXPECT_EQ(st.status, EVTCHNSTAT_closed);
	EXPECT_EQ(close_port(p), -XEN_EINVAL);
	EXPECT_EQ(send(p), -XEN_EINVAL);
	drain_events();
}

TEST_F(xenabi, loopback, TF_XEN)
{
	struct vcpu_info *vi = my_vinfo();
	struct evtchn_alloc_unbound a = { .dom = DOMID_SELF, .remote_dom = DOMID_SELF };
	struct evtchn_bind_interdomain b = { .remote_dom = DOMID_SELF };
	struct evtchn_status st;
	evtchn_port_t pa, pb;
	unsigned long before;
	domid_t me;

	ASSERT(shinfo_mapped && vinfo_registered[0]);
	upcall_enable();
	drain_events();
	ASSERT_EQ(evtchn_op(EVTCHNOP_alloc_unbound, &a), 0);
	pa = a.port;
	EXPECT_EQ(status(pa, &st), 0);
	EXPECT_EQ(st.status, EVTCHNSTAT_unbound);
	me = st.u.unbound.dom;
	printf("unbound port %u for d%u\n", pa, me);
	EXPECT(me < DOMID_FIRST_RESERVED);
	/* Sending on an unbound port is dropped. */
	EXPECT_EQ(send(pa), 0);
	EXPECT(!test_bit(sh->evtchn_pending, pa));

	b.remote_port = pa;
	ASSERT_EQ(evtchn_op(EVTCHNOP_bind_interdomain, &b), 0);
	pb = b.local_port;
	EXPECT(pb != pa);
	/* The new end starts pending (events to the unbound end were lost). */
	EXPECT(test_bit(sh->evtchn_pending, pb));
	EXPECT_EQ(status(pa, &st), 0);
	EXPECT_EQ(st.status, EVTCHNSTAT_interdomain);
	EXPECT_EQ(st.u.interdomain.dom, me);
	EXPECT_EQ(st.u.interdomain.port, pb);
	EXPECT_EQ(status(pb, &st), 0);
	EXPECT_EQ(st.status, EVTCHNSTAT_interdomain);
	EXPECT_EQ(st.u.interdomain.port, pa);
	/* Binding it again: it is no longer unbound. */
	EXPECT_EQ(evtchn_op(EVTCHNOP_bind_interdomain, &b), -XEN_EINVAL);
	b.remote_dom = 0x1234;
	EXPECT_EQ(evtchn_op(EVTCHNOP_bind_interdomain, &b), -XEN_ESRCH);
	drain_events();

	/* A sends to B and B to A. */
	EXPECT_EQ(unmask(pa), 0);
	EXPECT_EQ(unmask(pb), 0);
	before = upcalls[0];
	EXPECT_EQ(send(pa), 0);
	EXPECT(WAIT_FOR(READ_ONCE(upcalls[0]) > before, 1000000));
	EXPECT(test_bit(sh->evtchn_pending, pb));
	EXPECT(!test_bit(sh->evtchn_pending, pa));
	EXPECT(test_bit(&vi->evtchn_pending_sel, pb / 64));
	drain_events();
	before = upcalls[0];
	EXPECT_EQ(send(pb), 0);
	EXPECT(WAIT_FOR(READ_ONCE(upcalls[0]) > before, 1000000));
	EXPECT(test_bit(sh->evtchn_pending, pa));
	EXPECT(!test_bit(sh->evtchn_pending, pb));
	drain_events();

	/* Closing A leaves B unbound (to us); sending on B is then dropped. */
	EXPECT_EQ(close_port(pa), 0);
	EXPECT_EQ(status(pb, &st), 0);
	EXPECT_EQ(st.status, EVTCHNSTAT_unbound);
	EXPECT_EQ(st.u.unbound.dom, me);
	EXPECT_EQ(status(pa, &st), 0);
	EXPECT_EQ(st.status, EVTCHNSTAT_closed);
	EXPECT_EQ(send(pb), 0);
	udelay(NO_UPCALL_WAIT_US);
	EXPECT(!test_bit(sh->evtchn_pending, pa));
	EXPECT(!test_bit(sh->evtchn_pending, pb));
	EXPECT_EQ(close_port(pb), 0);
	/* Errors: ports in another domain are not ours to allocate. */
	a.dom = NO_SUCH_DOMAIN;
	EXPECT_EQ(evtchn_op(EVTCHNOP_alloc_unbound, &a), -XEN_ESRCH);
	a.dom = peer_domain();
	EXPECT_EQ(evtchn_op(EVTCHNOP_alloc_unbound, &a), -XEN_EPERM);
	drain_events();
}

TEST_F(xenabi, virq, TF_XEN)
{
	struct evtchn_bind_virq v = { .virq = VIRQ_TIMER, .vcpu = 0 };
	struct evtchn_bind_vcpu bv;
	struct evtchn_status st;
	evtchn_port_t timer0, dom_exc;

	ASSERT(shinfo_mapped);
	ASSERT_EQ(evtchn_op(EVTCHNOP_bind_virq, &v), 0);
	timer0 = v.port;
	EXPECT_EQ(evtchn_op(EVTCHNOP_bind_virq, &v), -XEN_EEXIST);
	EXPECT_EQ(status(timer0, &st), 0);
	EXPECT_EQ(st.status, EVTCHNSTAT_virq);
	EXPECT_EQ(st.u.virq, VIRQ_TIMER);
	/* Per-vCPU virqs cannot move; they may not be sent to. */
	bv.port = timer0;
	bv.vcpu = plat.nr_cpus > 1 ? 1 : 0;
	EXPECT_EQ(evtchn_op(EVTCHNOP_bind_vcpu, &bv), -XEN_EINVAL);
	EXPECT_EQ(send(timer0), -XEN_EINVAL);
	v.vcpu = 64;
	EXPECT_EQ(evtchn_op(EVTCHNOP_bind_virq, &v), -XEN_ENOENT);
	v.virq = NR_VIRQS;
	v.vcpu = 0;
	EXPECT_EQ(evtchn_op(EVTCHNOP_bind_virq, &v), -XEN_EINVAL);
	v.virq = VIRQ_CONSOLE; /* global: vCPU 0 only */
	v.vcpu = 1;
	EXPECT_EQ(evtchn_op(EVTCHNOP_bind_virq, &v), -XEN_EINVAL);
	v.virq = VIRQ_DOM_EXC;
	v.vcpu = 0;
	ASSERT_EQ(evtchn_op(EVTCHNOP_bind_virq, &v), 0);
	dom_exc = v.port;
	if (plat.nr_cpus > 1) {
		bv.port = dom_exc;
		bv.vcpu = 1;
		EXPECT_EQ(evtchn_op(EVTCHNOP_bind_vcpu, &bv), 0);
		EXPECT_EQ(status(dom_exc, &st), 0);
		EXPECT_EQ(st.vcpu, 1);
	}
	bv.vcpu = 64;
	EXPECT_EQ(evtchn_op(EVTCHNOP_bind_vcpu, &bv), -XEN_ENOENT);
	EXPECT_EQ(close_port(timer0), 0);
	EXPECT_EQ(close_port(dom_exc), 0);
	/* Closed: the virq can be bound again. */
	v.virq = VIRQ_TIMER;
	ASSERT_EQ(evtchn_op(EVTCHNOP_bind_virq, &v), 0);
	EXPECT_EQ(close_port(v.port), 0);
}

TEST_F(xenabi, bad_args, TF_XEN)
{
	struct evtchn_bind_vcpu bv = { .port = 0, .vcpu = 0 };
	struct evtchn_init_control ic = { 0 };
	struct evtchn_reset r = { .dom = DOMID_SELF };
	struct evtchn_status st;
	evtchn_port_t p;
	static const unsigned int ops[] = {
		EVTCHNOP_bind_interdomain,
		EVTCHNOP_bind_virq,
		EVTCHNOP_close,
		EVTCHNOP_send,
		EVTCHNOP_status,
		EVTCHNOP_alloc_unbound,
		EVTCHNOP_bind_ipi,
		EVTCHNOP_bind_vcpu,
		EVTCHNOP_unmask,
	};

	for (unsigned int i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		EXPECT_EQ(evtchn_op(ops[i], (void *)BAD_VA), -XEN_EFAULT);
		EXPECT_EQ(evtchn_op(ops[i], (void *)~0ull), -XEN_EFAULT);
	}
	EXPECT_EQ(send(0), -XEN_EINVAL); /* reserved */
	EXPECT_EQ(close_port(0), -XEN_EINVAL);
	EXPECT_EQ(send(4095), -XEN_EINVAL);
	EXPECT_EQ(send(5000), -XEN_EINVAL);
	EXPECT_EQ(send(~0u), -XEN_EINVAL);
	EXPECT_EQ(unmask(1u << 31), -XEN_EINVAL);
	EXPECT_EQ(close_port(100000), -XEN_EINVAL);
	EXPECT_EQ(status(99999, &st), -XEN_EINVAL);
	st.dom = NO_SUCH_DOMAIN;
	st.port = 1;
	EXPECT_EQ(evtchn_op(EVTCHNOP_status, &st), -XEN_ESRCH);
	st.dom = peer_domain();
	st.port = 1;
	EXPECT_EQ(evtchn_op(EVTCHNOP_status, &st), -XEN_EPERM);
	EXPECT_EQ(evtchn_op(EVTCHNOP_bind_vcpu, &bv), -XEN_EINVAL);
	EXPECT_EQ(bind_ipi(64, &p), -XEN_ENOENT);
	EXPECT_EQ(evtchn_op(EVTCHNOP_init_control, &ic), -XEN_ENOSYS);
	EXPECT_EQ(evtchn_op(EVTCHNOP_reset, &r), -XEN_ENOSYS);
	EXPECT_EQ(evtchn_op(99, &r), -XEN_ENOSYS);
	/* Unknown memory_op commands (only the low 6 bits name the command). */
	EXPECT_EQ(memory_op(12345, NULL), -XEN_ENOSYS);
}

/* vCPU 1: registers its own vcpu_info (as Linux does, on that CPU) and takes upcalls. */
static volatile long cpu1_register_rc = 1;
static volatile bool cpu1_stop;

static void cpu1_main(void *arg)
{
	struct vcpu_register_vcpu_info r = {
		.mfn = (uintptr_t)&vinfo[1] >> 12,
		.offset = (uintptr_t)&vinfo[1] & 4095,
	};

	(void)arg;
	gic_enable_private(EVTCHN_PPI, upcall_irq);
	irq_enable();
	cpu1_register_rc = vcpu_op(VCPUOP_register_vcpu_info, 1, &r);
	/* Idles like Linux: WFI, woken by the upcall. */
	while (!READ_ONCE(cpu1_stop)) {
		wfi();
	}
	irq_disable();
	gic_disable_private(EVTCHN_PPI);
}

TEST_F(xenabi, vcpu1_events, TF_XEN | TF_SMP2)
{
	struct vcpu_info *v0 = &vinfo[0].vi, *v1 = &vinfo[1].vi;
	struct evtchn_alloc_unbound a = { .dom = DOMID_SELF, .remote_dom = DOMID_SELF };
	struct evtchn_bind_interdomain b = { .remote_dom = DOMID_SELF };
	struct evtchn_bind_vcpu bv;
	evtchn_port_t ipi1;
	unsigned long before0;

	ASSERT(shinfo_mapped && vinfo_registered[0]);
	upcall_enable();
	drain_events();
	cpu1_stop = false;
	upcalls[1] = 0;
	memset(v1, 0, sizeof(*v1));
	ASSERT_EQ(cpu_start(1, cpu1_main, NULL), PSCI_RET_SUCCESS);
	ASSERT(cpu_wait_started(1, 1000000));
	ASSERT(WAIT_FOR(READ_ONCE(cpu1_register_rc) != 1, 1000000));
	EXPECT_EQ(cpu1_register_rc, 0);
	vinfo_registered[1] = cpu1_register_rc == 0;
	/* Registration raises a (spurious) upcall on vCPU 1 itself. */
	EXPECT(WAIT_FOR(READ_ONCE(upcalls[1]) >= 1, 1000000));
	EXPECT_EQ(v1->evtchn_pending_sel, ~0ull);
	__atomic_store_n(&v1->evtchn_pending_sel, 0, __ATOMIC_RELEASE);
	__atomic_store_n(&v1->evtchn_upcall_pending, 0, __ATOMIC_RELEASE);

	/* An IPI for vCPU 1 reaches vCPU 1 only. */
	before0 = upcalls[0];
	ASSERT_EQ(bind_ipi(1, &ipi1), 0);
	EXPECT_EQ(unmask(ipi1), 0);
	upcalls[1] = 0;
	EXPECT_EQ(send(ipi1), 0);
	EXPECT(WAIT_FOR(READ_ONCE(upcalls[1]) >= 1, 1000000));
	EXPECT(test_bit(&v1->evtchn_pending_sel, ipi1 / 64));
	EXPECT_EQ(v1->evtchn_upcall_pending, 1);
	EXPECT_EQ(v0->evtchn_pending_sel, 0);
	EXPECT_EQ(upcalls[0], before0);
	EXPECT_EQ(close_port(ipi1), 0);
	__atomic_store_n(&v1->evtchn_pending_sel, 0, __ATOMIC_RELEASE);
	__atomic_store_n(&v1->evtchn_upcall_pending, 0, __ATOMIC_RELEASE);
	drain_events();

	/* A loopback channel whose receiving end is moved to vCPU 1. */
	ASSERT_EQ(evtchn_op(EVTCHNOP_alloc_unbound, &a), 0);
	b.remote_port = a.port;
	ASSERT_EQ(evtchn_op(EVTCHNOP_bind_interdomain, &b), 0);
	drain_events();
	bv.port = a.port;
	bv.vcpu = 1;
	EXPECT_EQ(evtchn_op(EVTCHNOP_bind_vcpu, &bv), 0);
	EXPECT_EQ(unmask(a.port), 0);
	upcalls[1] = 0;
	EXPECT_EQ(send(b.local_port), 0);
	EXPECT(WAIT_FOR(READ_ONCE(upcalls[1]) >= 1, 1000000));
	EXPECT(test_bit(sh->evtchn_pending, a.port));
	EXPECT(test_bit(&v1->evtchn_pending_sel, a.port / 64));
	EXPECT_EQ(v0->evtchn_pending_sel, 0);
	EXPECT_EQ(close_port(a.port), 0);
	EXPECT_EQ(close_port(b.local_port), 0);
	drain_events();

	/* Wake vCPU 1 with one more event so that it sees the stop request. */
	__atomic_store_n(&v1->evtchn_pending_sel, 0, __ATOMIC_RELEASE);
	__atomic_store_n(&v1->evtchn_upcall_pending, 0, __ATOMIC_RELEASE);
	cpu1_stop = true;
	if (bind_ipi(1, &ipi1) == 0) {
		EXPECT_EQ(unmask(ipi1), 0);
		EXPECT_EQ(send(ipi1), 0);
		EXPECT(cpu_wait_off(1, 2000000));
		EXPECT_EQ(close_port(ipi1), 0);
	}
	drain_events();
}

/*
 * vCPU 1 busy in the guest (no exits) takes two upcalls in a row, its handler clearing
 * upcall_pending like Linux's. The second one is raised while the first is still in a
 * list register, consumed by the guest but not yet synced by the hypervisor.
 */
static volatile unsigned long busy_upcalls;

static void busy_upcall_irq(unsigned int intid)
{
	(void)intid;
	__atomic_store_n(&vinfo[1].vi.evtchn_upcall_pending, 0, __ATOMIC_RELEASE);
	__atomic_store_n(&vinfo[1].vi.evtchn_pending_sel, 0, __ATOMIC_RELEASE);
	busy_upcalls++;
}

static void cpu1_busy(void *arg)
{
	(void)arg;
	gic_enable_private(EVTCHN_PPI, busy_upcall_irq);
	irq_enable();
	while (!READ_ONCE(cpu1_stop)) {
	}
	irq_disable();
	gic_disable_private(EVTCHN_PPI);
}

TEST_F(xenabi, vcpu1_busy_events, TF_XEN | TF_SMP2)
{
	evtchn_port_t p;
	bool second;

	ASSERT(shinfo_mapped && vinfo_registered[1]);
	drain_events();
	__atomic_store_n(&vinfo[1].vi.evtchn_pending_sel, 0, __ATOMIC_RELEASE);
	__atomic_store_n(&vinfo[1].vi.evtchn_upcall_pending, 0, __ATOMIC_RELEASE);
	ASSERT_EQ(bind_ipi(1, &p), 0);
	EXPECT_EQ(unmask(p), 0);
	cpu1_stop = false;
	busy_upcalls = 0;
	ASSERT_EQ(cpu_start(1, cpu1_busy, NULL), PSCI_RET_SUCCESS);
	ASSERT(cpu_wait_started(1, 1000000));
	udelay(10000);
	busy_upcalls = 0;
	EXPECT_EQ(send(p), 0);
	EXPECT(WAIT_FOR(READ_ONCE(busy_upcalls) >= 1, 1000000));
	__atomic_fetch_and(&sh->evtchn_pending[p / 64], ~(1ull << (p % 64)), __ATOMIC_ACQ_REL);
	EXPECT_EQ(send(p), 0);
	second = WAIT_FOR(READ_ONCE(busy_upcalls) >= 2, 1000000);
	cpu1_stop = true;
	EXPECT(cpu_wait_off(1, 2000000));
	EXPECT_EQ(close_port(p), 0);
	drain_events();
	/* An upcall raised again while the first is still listed must not be lost. */
	EXPECT(second);
}

/* ------------------------------------------------------------------ fuzz */

#define FUZZ_CALLS 2000

static uint64_t fuzz_ptr(uint64_t *s, uint8_t *buf)
{
	uint64_t r = prng_next(s);

	switch (r % 8) {
	case 0:
		return prng_next(s);
	case 1:
		return BAD_VA;
	case 2:
		return 0;
	default:
		return (uintptr_t)buf + ((r >> 8) % 200 & ~7ull);
	}
}

TEST_F(xenabi, fuzz, TF_XEN)
{
	uint64_t seed = 0x5eed0fa11u;
	static uint8_t buf[256] __attribute__((aligned(64)));
	unsigned long ok = 0, errs = 0;
	evtchn_port_t p;

	for (unsigned int i = 0; i < FUZZ_CALLS; i++) {
		uint64_t r = prng_next(&seed), cmd, a1, a2;
		unsigned long nr;
		long rc;

		for (unsigned int j = 0; j < sizeof(buf); j += 8) {
			uint64_t v = prng_next(&seed);

			/* Mostly small values, so that ports and vCPUs are often valid. */
			*(uint64_t *)&buf[j] = (v & 1) ? (v >> 1) % 64 : v;
		}
		if (r & 0x10) {
			*(uint16_t *)buf = DOMID_SELF;
		}
		a1 = fuzz_ptr(&seed, buf);
		a2 = prng_next(&seed) % 4;
		switch (r % 4) {
		case 0:
			if (!shinfo_mapped) {
				continue; /* a random frame could replace guest RAM in use */
			}
			nr = __HYPERVISOR_memory_op;
			cmd = (r >> 8) % 32;
			if ((cmd & MEMOP_CMD_MASK) == XENMEM_remove_from_physmap) {
				continue; /* keeps shared_info where the other tests expect it */
			}
			if ((r >> 40) & 1) {
				cmd = XENMEM_add_to_physmap;
			}
			break;
		case 1:
			nr = __HYPERVISOR_vcpu_op;
			cmd = (r >> 8) % 12;
			/* Registrations only ever point at the scratch pages. */
			*(uint64_t *)&buf[0] = ((uintptr_t)fuzz_scratch >> 12) + (r >> 20) % 3;
			*(uint64_t *)&buf[8] &= 0xfff;
			if (cmd == VCPUOP_register_runstate_memory_area ||
			    cmd == VCPUOP_register_vcpu_info) {
				a1 = (uintptr_t)buf;
			}
			if (cmd == VCPUOP_register_runstate_memory_area) {
				*(uint64_t *)&buf[0] = (uintptr_t)fuzz_scratch + ((r >> 20) % 4096);
			}
			hypercall5(nr, cmd, a2, a1, 0, 0);
			continue;
		case 2:
			nr = __HYPERVISOR_hvm_op;
			cmd = (r >> 8) % 3;
			break;
		default:
			nr = __HYPERVISOR_event_channel_op;
			cmd = (r >> 8) % 15;
			break;
		}
		rc = hypercall5(nr, cmd, a1, 0, 0, 0);
		if (rc == 0) {
			ok++;
		} else {
			errs++;
		}
	}
	printf("fuzz: %u calls, %lu succeeded, %lu errors\n", FUZZ_CALLS, ok, errs);
	/* Still alive and working: whatever ports the fuzz left bound are closed (the other
	 * tests close their own), then a new one must work end to end. */
	EXPECT(hypercall5(__HYPERVISOR_xen_version, XENVER_version, 0, 0, 0, 0) > 0);
	for (evtchn_port_t q = 1; q < EVTCHN_2L_NR_CHANNELS; q++) {
		(void)close_port(q);
	}
	drain_events();
	ASSERT_EQ(bind_ipi(0, &p), 0);
	EXPECT(!test_bit(sh->evtchn_pending, p));
	EXPECT_EQ(send(p), 0);
	EXPECT(test_bit(sh->evtchn_pending, p));
	EXPECT_EQ(close_port(p), 0);
	drain_events();
}

/* ------------------------------------------------------------------ grant table v1 */

static long gnttab_op(unsigned int cmd, void *uop, unsigned int count)
{
	return hypercall5(20, cmd, (uintptr_t)uop, count, 0, 0);
}

static uint8_t gnt_page[4096] __attribute__((aligned(4096)));
static uint8_t gnt_map_target[4096] __attribute__((aligned(4096)));
static uint8_t gnt_copy_target[4096] __attribute__((aligned(4096)));

TEST_F(xenabi, grant_table_setup, TF_XEN)
{
	struct gnttab_query_size q = { .dom = DOMID_SELF };
	struct gnttab_set_version sv;
	struct gnttab_get_version gv = { .dom = DOMID_SELF };
	struct xen_add_to_physmap x = {
		.domid = DOMID_SELF,
		.space = XENMAPSPACE_grant_table,
		.idx = 0,
		.gpfn = (uintptr_t)gnt_page >> 12,
	};

	ASSERT_EQ(gnttab_op(GNTTABOP_query_size, &q, 1), 0);
	EXPECT_EQ(q.status, GNTST_okay);
	EXPECT_EQ(q.nr_frames, 1);
	EXPECT(q.max_nr_frames >= 1 && q.max_nr_frames <= 64);
	sv.version = 2;
	EXPECT_EQ(gnttab_op(GNTTABOP_set_version, &sv, 1), -XEN_ENOSYS);
	sv.version = 3;
	EXPECT_EQ(gnttab_op(GNTTABOP_set_version, &sv, 1), -XEN_EINVAL);
	sv.version = 1;
	EXPECT_EQ(gnttab_op(GNTTABOP_set_version, &sv, 1), 0);
	ASSERT_EQ(gnttab_op(GNTTABOP_get_version, &gv, 1), 0);
	EXPECT_EQ(gv.version, 1);
	q.dom = peer_domain(); /* another domain: not the caller's business */
	ASSERT_EQ(gnttab_op(GNTTABOP_query_size, &q, 1), 0);
	EXPECT_EQ(q.status, GNTST_permission_denied);
	q.dom = NO_SUCH_DOMAIN;
	ASSERT_EQ(gnttab_op(GNTTABOP_query_size, &q, 1), 0);
	EXPECT_EQ(q.status, GNTST_bad_domain);
	EXPECT_EQ(gnttab_op(GNTTABOP_query_size, (void *)BAD_VA, 1), -XEN_EFAULT);
	EXPECT_EQ(gnttab_op(GNTTABOP_query_size, &q, 100000), -XEN_EINVAL);
	{
		/* Mapping needs another domain's grant; unmapping needs a handle. */
		struct gnttab_map_grant_ref m = { .host_addr = (uintptr_t)gnt_map_target,
						  .flags = GNTMAP_host_map,
						  .ref = 8,
						  .dom = DOMID_SELF };
		struct gnttab_unmap_grant_ref u = { .handle = 0 };
		struct gnttab_copy c = { .len = 8 };
		struct gnttab_setup_table st = { .dom = DOMID_SELF, .nr_frames = 1 };
		uint64_t frames[2] = { 1, 1 };

		ASSERT_EQ(gnttab_op(GNTTABOP_map_grant_ref, &m, 1), 0);
		EXPECT_EQ(m.status, GNTST_bad_virt_addr); /* a RAM page: give an empty frame */
		m.host_addr = 1ull << 52;		  /* beyond the IPA space */
		ASSERT_EQ(gnttab_op(GNTTABOP_map_grant_ref, &m, 1), 0);
		EXPECT_EQ(m.status, GNTST_bad_virt_addr);
		m.host_addr = 0x38000000ull + 0x800000; /* a hole: fine, but not our own grant */
		ASSERT_EQ(gnttab_op(GNTTABOP_map_grant_ref, &m, 1), 0);
		EXPECT_EQ(m.status, GNTST_bad_domain);
		m.dom = NO_SUCH_DOMAIN;
		ASSERT_EQ(gnttab_op(GNTTABOP_map_grant_ref, &m, 1), 0);
		EXPECT_EQ(m.status, GNTST_bad_domain);
		m.dom = peer_domain(); /* it exists, but granted us nothing */
		ASSERT_EQ(gnttab_op(GNTTABOP_map_grant_ref, &m, 1), 0);
		EXPECT_EQ(m.status, GNTST_permission_denied);
		m.flags = GNTMAP_host_map | GNTMAP_contains_pte; /* PV only */
		ASSERT_EQ(gnttab_op(GNTTABOP_map_grant_ref, &m, 1), 0);
		EXPECT_EQ(m.status, GNTST_general_error);
		ASSERT_EQ(gnttab_op(GNTTABOP_unmap_grant_ref, &u, 1), 0);
		EXPECT_EQ(u.status, GNTST_bad_handle);
		/* Copy between two frames of our own. */
		memset(gnt_map_target, 0xab, 16);
		c.source.domid = DOMID_SELF;
		c.source.u.gmfn = (uintptr_t)gnt_map_target >> 12;
		c.dest.domid = DOMID_SELF;
		c.dest.u.gmfn = (uintptr_t)gnt_copy_target >> 12;
		c.dest.offset = 100;
		dsb(sy);
		ASSERT_EQ(gnttab_op(GNTTABOP_copy, &c, 1), 0);
		EXPECT_EQ(c.status, GNTST_okay);
		EXPECT_EQ(READ_ONCE(gnt_copy_target[100]), 0xab);
		EXPECT_EQ(READ_ONCE(gnt_copy_target[107]), 0xab);
		EXPECT_EQ(READ_ONCE(gnt_copy_target[108]), 0);
		c.dest.offset = 4090; /* past the page */
		ASSERT_EQ(gnttab_op(GNTTABOP_copy, &c, 1), 0);
		EXPECT_EQ(c.status, GNTST_bad_copy_arg);
		c.dest.offset = 0;
		c.dest.domid = peer_domain(); /* another domain's frame without a grant */
		ASSERT_EQ(gnttab_op(GNTTABOP_copy, &c, 1), 0);
		EXPECT_EQ(c.status, GNTST_permission_denied);
		EXPECT_EQ(READ_ONCE(gnt_copy_target[0]), 0);
		c.dest.domid = DOMID_SELF;
		c.dest.u.gmfn = plat.gicd >> 12; /* not RAM */
		ASSERT_EQ(gnttab_op(GNTTABOP_copy, &c, 1), 0);
		EXPECT_EQ(c.status, GNTST_bad_page);
		/* setup_table lists where the frames are mapped: nowhere yet. */
		st.frame_list = (uintptr_t)frames;
		ASSERT_EQ(gnttab_op(GNTTABOP_setup_table, &st, 1), 0);
		EXPECT_EQ(st.status, GNTST_okay);
		EXPECT_EQ(frames[0], ~0ull);
		EXPECT_EQ(frames[1], 1); /* untouched */
		st.nr_frames = 1000;
		ASSERT_EQ(gnttab_op(GNTTABOP_setup_table, &st, 1), 0);
		EXPECT_EQ(st.status, GNTST_general_error);
	}
	/* Frame 0 replaces the RAM page: it reads as the table's zeroed entries, and
	 * what the guest writes there persists (it is the hypervisor's frame). */
	memset(gnt_page, 0x5a, sizeof(gnt_page));
	dsb(sy);
	ASSERT_EQ(memory_op(XENMEM_add_to_physmap, &x), 0);
	EXPECT_EQ(gnt_page[0], 0);
	EXPECT_EQ(gnt_page[4095], 0);
	((struct grant_entry_v1 *)gnt_page)[8].domid = 0x1234;
	dsb(sy);
	EXPECT_EQ(((volatile struct grant_entry_v1 *)gnt_page)[8].domid, 0x1234);
	/* Mapping it again elsewhere moves it (Linux remaps its frames on resume). */
	ASSERT_EQ(memory_op(XENMEM_add_to_physmap, &x), 0);
	{
		struct gnttab_setup_table st = { .dom = DOMID_SELF, .nr_frames = 1 };
		uint64_t frame = 0;

		st.frame_list = (uintptr_t)&frame;
		ASSERT_EQ(gnttab_op(GNTTABOP_setup_table, &st, 1), 0);
		EXPECT_EQ(frame, (uintptr_t)gnt_page >> 12);
	}
}

/* ------------------------------------------------------------------ toolstack ABI */

TEST_F(xenabi, control_interface_is_dom0_only, TF_XEN)
{
	static uint8_t buf[256];
	struct xen_add_to_physmap_batch b = { .domid = DOMID_SELF,
					      .space = XENMAPSPACE_gmfn_foreign,
					      .size = 1,
					      .foreign_domid = 0 };

	/* domctl and sysctl: whatever the contents, a DomU is refused. */
	EXPECT_EQ(hypercall5(36, (uintptr_t)buf, 0, 0, 0, 0), -XEN_EPERM);
	EXPECT_EQ(hypercall5(35, (uintptr_t)buf, 0, 0, 0, 0), -XEN_EPERM);
	EXPECT_EQ(hypercall5(36, BAD_VA, 0, 0, 0, 0), -XEN_EPERM);
	/* Mapping another domain's memory is the control domain's alone. */
	EXPECT_EQ(memory_op(XENMEM_add_to_physmap_batch, &b), -XEN_EPERM);
}

/* ------------------------------------------------------------------ multicall, vm_assist */

struct mc_entry {
	uint64_t op, result, args[6];
};

TEST_F(xenabi, multicall_and_vm_assist, TF_XEN)
{
	static struct mc_entry mc[4];
	static const char msg[] = "MULTICALL-LINE\n";

	memset(mc, 0, sizeof(mc));
	mc[0].op = 17; /* xen_version(XENVER_version) */
	mc[1].op = 18; /* console_io(write) */
	mc[1].args[0] = 0;
	mc[1].args[1] = sizeof(msg) - 1;
	mc[1].args[2] = (uintptr_t)msg;
	mc[2].op = 13;	/* nested multicall: refused */
	mc[3].op = 999; /* unknown */
	ASSERT_EQ(hypercall5(13, (uintptr_t)mc, 4, 0, 0, 0), 0);
	EXPECT_EQ(mc[0].result, (4 << 16) | 17);
	EXPECT_EQ(mc[1].result, 0);
	EXPECT_EQ((long)mc[2].result, -XEN_EINVAL);
	EXPECT_EQ((long)mc[3].result, -XEN_ENOSYS);
	EXPECT_EQ(hypercall5(13, BAD_VA, 1, 0, 0, 0), -XEN_EFAULT);
	EXPECT_EQ(hypercall5(13, (uintptr_t)mc, 1u << 20, 0, 0, 0), -7 /* E2BIG */);
	/* vm_assist: only runstate_update_flag (5) exists on Arm. */
	EXPECT_EQ(hypercall5(21, 0, 5, 0, 0, 0), 0);
	EXPECT_EQ(hypercall5(21, 1, 5, 0, 0, 0), 0);
	EXPECT_EQ(hypercall5(21, 0, 2, 0, 0, 0), -XEN_EINVAL);
	EXPECT_EQ(hypercall5(21, 7, 5, 0, 0, 0), -XEN_EINVAL);
}

/* ------------------------------------------------------------------ balloon */

static uint8_t balloon_page[4096] __attribute__((aligned(4096)));

static long reservation(unsigned int cmd, uint64_t *gfns, uint64_t n, unsigned int order)
{
	struct xen_memory_reservation r = {
		.extent_start = (uintptr_t)gfns,
		.nr_extents = n,
		.extent_order = order,
		.domid = DOMID_SELF,
	};

	return memory_op(cmd, &r);
}

TEST_F(xenabi, balloon_out_and_in, TF_XEN)
{
	uint64_t gfn = (uintptr_t)balloon_page >> 12;
	uint64_t not_ram = plat.gicd >> 12;
	uint64_t high = 0x50000; /* IPA 0x5000_0000: outside RAM */
	struct fault_record f;

	memset(balloon_page, 0x77, sizeof(balloon_page));
	dsb(sy);
	/* Out: the page is gone; touching it faults. */
	ASSERT_EQ(reservation(XENMEM_decrease_reservation, &gfn, 1, 0), 1);
	fault_expect();
	(void)probe_read((uintptr_t)balloon_page);
	EXPECT(fault_take(&f));
	EXPECT_EQ(ESR_EC(f.esr), EC_DABT_CUR);
	/* Giving it back twice, or a device frame: nothing done. */
	EXPECT_EQ(reservation(XENMEM_decrease_reservation, &gfn, 1, 0), 0);
	EXPECT_EQ(reservation(XENMEM_decrease_reservation, &not_ram, 1, 0), 0);
	/* In again at the same GFN: a fresh zeroed page. */
	ASSERT_EQ(reservation(XENMEM_populate_physmap, &gfn, 1, 0), 1);
	EXPECT_EQ(balloon_page[0], 0);
	EXPECT_EQ(balloon_page[4095], 0);
	balloon_page[9] = 9;
	dsb(sy);
	EXPECT_EQ(READ_ONCE(balloon_page[9]), 9);
	/*
	 * Never beyond the memory the domain was created with. The RAM pages its shared_info
	 * and grant frames displaced went back to the hypervisor, so a few pages may come
	 * back above RAM first; then nothing more.
	 */
	uint64_t highs[16];
	long got;

	for (unsigned int i = 0; i < 16; i++) {
		highs[i] = high + i;
	}
	got = reservation(XENMEM_populate_physmap, highs, 16, 0);
	EXPECT(got >= 0 && got < 8);
	EXPECT_EQ(reservation(XENMEM_populate_physmap, &highs[15], 1, 0), 0);
	if (got > 0) {
		EXPECT_EQ(reservation(XENMEM_decrease_reservation, highs, (uint64_t)got, 0), got);
	}
	/* Bad arguments. */
	EXPECT_EQ(reservation(XENMEM_decrease_reservation, &gfn, 1, 1), -XEN_EINVAL);
	EXPECT_EQ(reservation(XENMEM_populate_physmap, &gfn, 1000000, 0), -XEN_EINVAL);
	EXPECT_EQ(reservation(XENMEM_decrease_reservation, (uint64_t *)BAD_VA, 1, 0), 0);
	EXPECT_EQ(memory_op(XENMEM_decrease_reservation, (void *)BAD_VA), -XEN_EFAULT);
}

/* ------------------------------------------------------------------ SCHEDOP_poll */

struct sched_poll_arg {
	uint64_t ports;
	uint32_t nr_ports;
	uint32_t pad;
	uint64_t timeout;
};

/* The hypervisor's system time: the physical counter in ns (as Lamina's now_ns()). */
static uint64_t hv_now_ns(void)
{
	uint64_t t = READ_SYSREG(cntpct_el0), f = timer_freq();

	return (t / f) * 1000000000ull + (t % f) * 1000000000ull / f;
}

TEST_F(xenabi, sched_poll, TF_XEN)
{
	evtchn_port_t p;
	struct sched_poll_arg a;
	uint64_t t0, waited_us;

	ASSERT_EQ(bind_ipi(0, &p), 0);
	/* Nothing pending: blocks until the timeout. */
	a = (struct sched_poll_arg){ .ports = (uintptr_t)&p,
				     .nr_ports = 1,
				     .timeout = hv_now_ns() + 20000000ull };
	t0 = timer_now();
	EXPECT_EQ(hypercall5(HYPERVISOR_sched_op, 3, (uintptr_t)&a, 0, 0, 0), 0);
	waited_us = ticks_to_us(timer_now() - t0);
	EXPECT(waited_us >= 19000);
	/* Pending: returns at once (well before a 5 s timeout). */
	EXPECT_EQ(send(p), 0);
	a.timeout = hv_now_ns() + 5000000000ull;
	t0 = timer_now();
	EXPECT_EQ(hypercall5(HYPERVISOR_sched_op, 3, (uintptr_t)&a, 0, 0, 0), 0);
	EXPECT(ticks_to_us(timer_now() - t0) < 1000000);
	/* Bad arguments. */
	a.nr_ports = 1000;
	EXPECT_EQ(hypercall5(HYPERVISOR_sched_op, 3, (uintptr_t)&a, 0, 0, 0), -XEN_EINVAL);
	EXPECT_EQ(hypercall5(HYPERVISOR_sched_op, 3, BAD_VA, 0, 0, 0), -XEN_EFAULT);
	a.nr_ports = 1;
	a.ports = BAD_VA;
	EXPECT_EQ(hypercall5(HYPERVISOR_sched_op, 3, (uintptr_t)&a, 0, 0, 0), -XEN_EFAULT);
	EXPECT_EQ(close_port(p), 0);
	drain_events();
}
