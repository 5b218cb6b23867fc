/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Suites "evdie_survivor" and "evdie_peer": interdomain event channels whose other end
 * dies while this end keeps using them (issue 11). Two domains, told each other's IDs by
 * boot arguments (survivor=, peer=); the survivor also gets rounds=N.
 *
 * Each round the survivor publishes the round in a page it grants to the peer (ref
 * REF_BOX). The peer's incarnation maps it, offers the survivor an unbound port, binds the
 * unbound port the survivor offered it, and both exchange an event each way. Then the
 * survivor tells the peer to go, and the peer ends holding the mapping and both channel
 * ends: rounds 0..N-2 reboot (Lamina destroys and rebuilds it with the same ID), the last
 * one crashes (destroyed, not rebuilt). Meanwhile the survivor keeps sending on both
 * channels, polling them (SCHEDOP_poll) and asking their status; in odd rounds it also
 * closes its bound end while the peer is going, racing the peer's teardown.
 *
 * What Xen's common/event_channel.c gives a survivor, and what is checked here:
 *   - sends on a channel whose other end went away succeed and are dropped (the port
 *     became unbound, remote the dead domain's ID), never an error or a fault;
 *   - the closed end is freed (a second close, a send, a status: -EINVAL);
 *   - a bind to the dead (or not yet rebuilt) domain's port is -ESRCH or -EINVAL;
 *   - the grant the peer had mapped is released by its destroy (GTF_reading/writing gone);
 *   - every port is freed: each round's alloc_unbound and bind get the same port numbers
 *     as round 0 (the lowest free port), so no round leaks a port.
 * The pages and the heap returned by each of the peer's destroys must be the same every
 * time (tests/guest/scenarios.py EvdieScenario); `make soak` runs this with many rounds.
 */
#include "guest.h"
#include "../../hv/include/public/event_channel.h"
#include "../../hv/include/public/grant_table.h"
#include "../../hv/include/public/memory.h"
#include "../../hv/include/public/xen.h"

#define XEN_ESRCH 3
#define XEN_EINVAL 22

#define REF_BOX 8
#define BOX_READY 0x65766469655f726full /* set by the survivor when a round may start */
#define PEER_UP 0x706565725f75702eull	/* set by the peer once its ports are offered/bound */
#define PEER_GO 0x676f5f676f5f676full	/* the survivor's order to end */

/* The peer boots at the same time (and again after each reboot) on shared pCPUs. */
#define WAIT_US 120000000ull

struct box {
	volatile uint64_t ready;	 /* BOX_READY ^ round */
	volatile uint32_t round;	 /* which round this is, from 0 */
	volatile uint32_t rounds;	 /* the last one crashes instead of rebooting */
	volatile uint32_t port_for_peer; /* the survivor's unbound port, for the peer to bind */
	volatile uint32_t peer_port;	 /* the peer's unbound port, for the survivor */
	volatile uint64_t up;		 /* PEER_UP ^ round */
	volatile uint64_t go;		 /* PEER_GO ^ round */
};

static domid_t id_survivor, id_peer;

static uint8_t shinfo[4096] __attribute__((aligned(4096)));
static volatile struct shared_info *const sh = (volatile struct shared_info *)shinfo;

static long memory_op(unsigned long cmd, const void *arg)
{
	return hypercall5(__HYPERVISOR_memory_op, cmd, (uintptr_t)arg, 0, 0, 0);
}

static long evtchn_op(unsigned long cmd, const void *arg)
{
	return hypercall5(__HYPERVISOR_event_channel_op, cmd, (uintptr_t)arg, 0, 0, 0);
}

static long gnttab_op(unsigned int cmd, void *uop, unsigned int count)
{
	return hypercall5(__HYPERVISOR_grant_table_op, cmd, (uintptr_t)uop, count, 0, 0);
}

static uint64_t gfn_of(const void *p)
{
	return (uintptr_t)p >> 12;
}

static bool read_ids(void)
{
	id_survivor = (domid_t)bootarg_num("survivor", 0);
	id_peer = (domid_t)bootarg_num("peer", 0);
	return id_survivor && id_peer;
}

static bool map_shared_info(void)
{
	struct xen_add_to_physmap x = {
		.domid = DOMID_SELF,
		.space = XENMAPSPACE_shared_info,
		.gpfn = gfn_of(shinfo),
	};

	if (memory_op(XENMEM_add_to_physmap, &x) != 0) {
		return false;
	}
	for (unsigned int i = 0; i < 64; i++) {
		sh->evtchn_mask[i] = ~0ull; /* events are seen as pending bits only */
	}
	dsb(sy);
	return true;
}

static bool pending(evtchn_port_t p)
{
	return (__atomic_load_n(&sh->evtchn_pending[p / 64], __ATOMIC_ACQUIRE) >> (p % 64)) & 1;
}

static void clear_pending(evtchn_port_t p)
{
	__atomic_fetch_and(&sh->evtchn_pending[p / 64], ~(1ull << (p % 64)), __ATOMIC_ACQ_REL);
}

static bool wait_event(evtchn_port_t p)
{
	bool ok = WAIT_FOR(pending(p), WAIT_US);

	clear_pending(p);
	return ok;
}

static long send(evtchn_port_t p)
{
	struct evtchn_send s = { .port = p };

	return evtchn_op(EVTCHNOP_send, &s);
}

static long close_port(evtchn_port_t p)
{
	struct evtchn_close c = { .port = p };

	return evtchn_op(EVTCHNOP_close, &c);
}

static long alloc_unbound(domid_t remote, evtchn_port_t *p)
{
	struct evtchn_alloc_unbound a = { .dom = DOMID_SELF, .remote_dom = remote };
	long rc = evtchn_op(EVTCHNOP_alloc_unbound, &a);

	*p = a.port;
	return rc;
}

static long bind_interdomain(domid_t remote, evtchn_port_t rport, evtchn_port_t *lport)
{
	struct evtchn_bind_interdomain b = { .remote_dom = remote, .remote_port = rport };
	long rc = evtchn_op(EVTCHNOP_bind_interdomain, &b);

	*lport = b.local_port;
	return rc;
}

/* EVTCHNSTAT_* of p and its remote domain; a negative error if the status call failed. */
static long port_state(evtchn_port_t p, domid_t *dom)
{
	struct evtchn_status st = { .dom = DOMID_SELF, .port = p };
	long rc = evtchn_op(EVTCHNOP_status, &st);

	if (rc != 0) {
		return rc;
	}
	*dom = st.status == EVTCHNSTAT_interdomain ? st.u.interdomain.dom : st.u.unbound.dom;
	return st.status;
}

/* SCHEDOP_poll on ports for at most us microseconds (an absolute system-time timeout). */
static long poll_ports(evtchn_port_t *ports, unsigned int n, uint64_t us)
{
	struct sched_poll p = { .nr_ports = n };
	uint64_t t = READ_SYSREG(cntpct_el0), f = timer_freq();

	p.ports = (uintptr_t)ports;
	p.timeout = (t / f) * 1000000000ull + (t % f) * 1000000000ull / f + us * 1000ull;
	return hypercall5(__HYPERVISOR_sched_op, SCHEDOP_poll, (uintptr_t)&p, 0, 0, 0);
}

/* ------------------------------------------------------------------ survivor */

static uint8_t gnt_frame[4096] __attribute__((aligned(4096)));
static volatile struct grant_entry_v1 *const gnt = (volatile struct grant_entry_v1 *)gnt_frame;
static uint8_t box_page[4096] __attribute__((aligned(4096)));

static uint16_t box_flags(void)
{
	return __atomic_load_n(&gnt[REF_BOX].flags, __ATOMIC_ACQUIRE);
}

/*
 * While the peer goes: sends, polls and status calls on both ends must succeed until both
 * show unbound (remote: the peer's ID). close_early closes the bound end at once instead,
 * racing the peer's teardown. Returns false (after recording why) on anything else.
 */
static bool ride_out_death(evtchn_port_t lp, evtchn_port_t sp, bool close_early)
{
	uint64_t end = timer_now() + us_to_ticks(WAIT_US);
	evtchn_port_t ports[2] = { sp, lp };
	unsigned int n = close_early ? 1 : 2;
	domid_t dl = 0, ds = 0;
	long sl = EVTCHNSTAT_unbound, ss, rc;

	if (close_early) {
		EXPECT_EQ(close_port(lp), 0);
	}
	for (;;) {
		for (unsigned int i = 0; i < n; i++) {
			rc = send(ports[i]);
			if (rc != 0) {
				test_fail(__FILE__, __LINE__,
					  "send on port %u while the peer dies: %ld", ports[i], rc);
				return false;
			}
		}
		rc = poll_ports(ports, n, 1000);
		if (rc != 0) {
			test_fail(__FILE__, __LINE__, "SCHEDOP_poll while the peer dies: %ld", rc);
			return false;
		}
		for (unsigned int i = 0; i < n; i++) {
			clear_pending(ports[i]);
		}
		ss = port_state(sp, &ds);
		if (!close_early) {
			sl = port_state(lp, &dl);
		}
		if ((ss != EVTCHNSTAT_interdomain && ss != EVTCHNSTAT_unbound) ||
		    (sl != EVTCHNSTAT_interdomain && sl != EVTCHNSTAT_unbound)) {
			test_fail(__FILE__, __LINE__, "port states %ld/%ld while the peer dies", ss,
				  sl);
			return false;
		}
		if (ss == EVTCHNSTAT_unbound && sl == EVTCHNSTAT_unbound) {
			break;
		}
		if (timer_now() > end) {
			test_fail(__FILE__, __LINE__, "the peer's ends stayed bound");
			return false;
		}
	}
	EXPECT_EQ(ds, id_peer);
	if (!close_early) {
		EXPECT_EQ(dl, id_peer);
	}
	return !test_failed();
}

TEST_F(evdie_survivor, peer_dies_mid_way, TF_XEN)
{
	struct xen_add_to_physmap x = {
		.domid = DOMID_SELF,
		.space = XENMAPSPACE_grant_table,
		.gpfn = gfn_of(gnt_frame),
	};
	struct box *b = (struct box *)box_page;
	unsigned int rounds = (unsigned int)bootarg_num("rounds", 3);
	evtchn_port_t sp, lp, first_sp = 0, first_lp = 0, p;
	domid_t dom = 0;
	long rc;

	ASSERT(read_ids());
	ASSERT(rounds >= 1);
	ASSERT(map_shared_info());
	ASSERT_EQ(memory_op(XENMEM_add_to_physmap, &x), 0);
	gnt[REF_BOX].domid = id_peer;
	gnt[REF_BOX].frame = (uint32_t)gfn_of(box_page);
	__atomic_store_n(&gnt[REF_BOX].flags, (uint16_t)GTF_permit_access, __ATOMIC_RELEASE);

	for (unsigned int r = 0; r < rounds; r++) {
		bool last = r + 1 == rounds;

		/* A port for the peer to bind; the same number every round (no leak). */
		ASSERT_EQ(alloc_unbound(id_peer, &sp), 0);
		b->port_for_peer = sp;
		b->round = r;
		b->rounds = rounds;
		b->peer_port = 0;
		dsb(sy);
		WRITE_ONCE(b->ready, BOX_READY ^ r);
		dsb(sy);
		if (!WAIT_FOR(READ_ONCE(b->up) == (PEER_UP ^ r), WAIT_US)) {
			test_fail(__FILE__, __LINE__, "round %u: the peer did not come up", r);
			return;
		}
		ASSERT_EQ(box_flags(), GTF_permit_access | GTF_reading | GTF_writing);
		ASSERT_EQ(port_state(sp, &dom), EVTCHNSTAT_interdomain);
		EXPECT_EQ(dom, id_peer);
		ASSERT_EQ(bind_interdomain(id_peer, b->peer_port, &lp), 0);
		clear_pending(lp);
		if (r == 0) {
			first_sp = sp;
			first_lp = lp;
		}
		EXPECT_EQ(sp, first_sp);
		EXPECT_EQ(lp, first_lp);
		/* One event each way on each channel. */
		clear_pending(sp);
		EXPECT_EQ(send(lp), 0);
		EXPECT_EQ(send(sp), 0);
		ASSERT(wait_event(lp));
		ASSERT(wait_event(sp));

		/* Go; then keep using both channels while the peer is torn down. */
		WRITE_ONCE(b->ready, 0);
		WRITE_ONCE(b->go, PEER_GO ^ r);
		dsb(sy);
		if (!ride_out_death(lp, sp, r % 2 == 1)) {
			return;
		}
		/* Its destroy released the mapping of the box. */
		ASSERT(WAIT_FOR(box_flags() == GTF_permit_access, WAIT_US));
		if (r % 2 == 0) {
			EXPECT_EQ(send(lp), 0); /* dropped */
			EXPECT_EQ(close_port(lp), 0);
		}
		EXPECT_EQ(close_port(lp), -XEN_EINVAL);
		EXPECT_EQ(send(lp), -XEN_EINVAL);
		EXPECT(port_state(lp, &dom) < 0 || port_state(lp, &dom) == EVTCHNSTAT_closed);
		EXPECT_EQ(send(sp), 0);
		EXPECT_EQ(close_port(sp), 0);
		EXPECT_EQ(close_port(sp), -XEN_EINVAL);
		/* The dead incarnation's port: gone (-ESRCH) or, rebuilt, not offered (-EINVAL). */
		rc = bind_interdomain(id_peer, b->peer_port, &p);
		if (rc != -XEN_ESRCH && rc != -XEN_EINVAL) {
			test_fail(__FILE__, __LINE__, "round %u: bind to the dead peer's port: %ld",
				  r, rc);
		}
		if (last) {
			/* Crashed: destroyed for good. */
			ASSERT(WAIT_FOR(bind_interdomain(id_peer, b->peer_port, &p) == -XEN_ESRCH,
					WAIT_US));
		}
		if (test_failed()) {
			return;
		}
		printf("round %u of %u: the peer ended; ports %u/%u freed\n", r + 1, rounds, sp,
		       lp);
	}
	/* Every port is free again: the next ones are the first ones. */
	ASSERT_EQ(alloc_unbound(id_peer, &p), 0);
	EXPECT_EQ(p, first_sp);
	EXPECT_EQ(close_port(p), 0);
	/* The peer is gone: a channel to it cannot be bound; its grant table is not there. */
	struct gnttab_query_size q = { .dom = id_peer };

	EXPECT_EQ(gnttab_op(GNTTABOP_query_size, &q, 1), 0);
	EXPECT_EQ(q.status, GNTST_bad_domain);
	__atomic_store_n(&gnt[REF_BOX].flags, (uint16_t)0, __ATOMIC_RELEASE);
}

/* ------------------------------------------------------------------ peer */

static uint8_t slot[4096] __attribute__((aligned(4096)));
static uint8_t peek[4096] __attribute__((aligned(4096)));
static volatile struct box *const pb = (volatile struct box *)peek;

TEST_F(evdie_peer, serve_then_die, TF_XEN)
{
	struct box *b = (struct box *)slot;
	struct gnttab_map_grant_ref m;
	struct xen_memory_reservation res = { .nr_extents = 1, .domid = DOMID_SELF };
	uint64_t gfn = gfn_of(slot), end;
	evtchn_port_t pp, bp;
	unsigned int r;

	ASSERT(read_ids());
	ASSERT(map_shared_info());
	res.extent_start = (uintptr_t)&gfn;
	ASSERT_EQ(memory_op(XENMEM_decrease_reservation, &res), 1);
	/*
	 * Read the box by grant copy (no mapping held) until the survivor opens a round: it
	 * does so only after it saw the previous incarnation's mapping released.
	 */
	end = timer_now() + us_to_ticks(WAIT_US);
	for (;;) {
		struct gnttab_copy c = {
			.source = { .u.ref = REF_BOX, .domid = id_survivor },
			.dest = { .u.gmfn = gfn_of(peek), .domid = DOMID_SELF },
			.len = sizeof(struct box),
			.flags = GNTCOPY_source_gref,
		};

		ASSERT_EQ(gnttab_op(GNTTABOP_copy, &c, 1), 0);
		if (c.status == GNTST_okay && (pb->ready ^ BOX_READY) == pb->round) {
			break;
		}
		if (timer_now() > end) {
			test_fail(__FILE__, __LINE__, "the survivor never opened a round (%d)",
				  c.status);
			return;
		}
		udelay(20000);
	}
	m = (struct gnttab_map_grant_ref){ .host_addr = (uintptr_t)slot,
					   .flags = GNTMAP_host_map,
					   .ref = REF_BOX,
					   .dom = id_survivor };
	ASSERT_EQ(gnttab_op(GNTTABOP_map_grant_ref, &m, 1), 0);
	ASSERT_EQ(m.status, GNTST_okay);
	ASSERT_EQ(b->round, pb->round);
	r = b->round;
	ASSERT_EQ(alloc_unbound(id_survivor, &pp), 0);
	ASSERT_EQ(bind_interdomain(id_survivor, b->port_for_peer, &bp), 0);
	clear_pending(bp);
	b->peer_port = pp;
	dsb(sy);
	WRITE_ONCE(b->up, PEER_UP ^ r);
	dsb(sy);
	ASSERT(wait_event(pp));
	ASSERT(wait_event(bp));
	EXPECT_EQ(send(pp), 0);
	EXPECT_EQ(send(bp), 0);
	ASSERT(WAIT_FOR(READ_ONCE(b->go) == (PEER_GO ^ r), WAIT_US));
	/* End holding the mapping and both channel ends, sending until the very end. */
	printf("round %u of %u: %s with the box mapped and ports %u/%u bound\n", r + 1, b->rounds,
	       r + 1 < b->rounds ? "rebooting" : "crashing", pp, bp);
	(void)send(pp);
	(void)send(bp);
	console_flush();
	xen_sched_shutdown(r + 1 < b->rounds ? SHUTDOWN_reboot : SHUTDOWN_crash);
	test_fail(__FILE__, __LINE__, "still running after asking to end");
}
