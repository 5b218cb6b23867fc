/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Suites "peer_granter", "peer_mapper" and "peer_third" (and "linger", at the end: a
 * domain that outlives another one, for refusals naming it): real domains sharing memory and
 * events through the grant table and event channels, as a Linux frontend and backend do
 * (Linux drivers/xen/grant-table.c, events/events_base.c; Xen common/grant_table.c,
 * common/event_channel.c for the rules). Three domains run them side by side, told each
 * other's IDs by boot arguments (granter=, mapper=, third=):
 *
 *   granter  grants its mailbox page, a read-only page and a copy target to the mapper and a
 *            page to the third domain; offers an unbound port to each of them.
 *   mapper   maps the mailbox, writes through it, binds its port, grant-copies into the
 *            copy target, unmaps; is refused a ref granted to the third domain, a
 *            writable mapping of the read-only grant, a copy into the granter's frame
 *            without a grant, the port offered to the third domain, and a mapping after
 *            the granter revoked the grant.
 *   third    maps its page (so that ref is valid, for the right domain) and binds its port.
 *
 * The granter and the mapper signal each other both ways on their channel; the third
 * domain signals the granter on its own. Every domain first fills the RAM past its image
 * with a pattern and checks it at the end: no other domain's access landed there.
 *
 * With rounds=N (granter), the mapper's first N-1 incarnations map two grants, bind the
 * channel, signal, and reboot holding all of it: Lamina destroys and rebuilds the mapper,
 * its destroy must release the granter's pins and unbind the channel, and the page
 * counts after those destroys must not change (tests/guest/scenarios.py PeerScenario).
 */
#include "guest.h"
#include "../../hv/include/public/event_channel.h"
#include "../../hv/include/public/grant_table.h"
#include "../../hv/include/public/memory.h"
#include "../../hv/include/public/xen.h"

#define XEN_EINVAL 22

#define REF_MAILBOX 8 /* read-write for the mapper */
#define REF_RO 9      /* read-only for the mapper */
#define REF_THIRD 10  /* read-write for the third domain */
#define REF_COPY 11   /* read-write for the mapper: its grant-copy target */

#define MAILBOX_READY 0x4d41494c424f5821ull
#define MAPPER_HELLO 0x6d61707065722121ull
#define THIRD_HELLO 0x7468697264212121ull
#define THIRD_GO 0x676f21676f21676full
#define COPY_OFFSET 128
#define COPY_LEN 64
#define NOGRANT_OFFSET 3000 /* where the refused copy without a grant would have landed */

/* Waits for the other domains: they boot at the same time, on shared physical CPUs. */
#define PEER_WAIT_US 60000000ull

/* The granter's mailbox page, as the mapper sees it through its mapping. */
struct mailbox {
	volatile uint64_t magic; /* MAILBOX_READY once the fields below are set */
	volatile uint32_t port_mapper;
	volatile uint32_t port_third;
	volatile uint64_t copy_gfn;    /* the frame behind REF_COPY, for the refused copy */
	volatile uint64_t from_mapper; /* MAPPER_HELLO + round, written by the mapper */
	volatile uint32_t round;       /* the mapper incarnation being served, from 0 */
	volatile uint32_t rounds;      /* the last one (rounds - 1) does the whole exchange */
};

/* The third domain's page: the granter's go-ahead and the third domain's answer. */
struct third_page {
	volatile uint64_t go;
	volatile uint64_t from_third;
	volatile uint32_t port; /* the granter's unbound port for the third domain */
	uint32_t pad;
	volatile uint64_t pattern[16];
};

static domid_t id_granter, id_mapper, id_third;

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
	id_granter = (domid_t)bootarg_num("granter", 0);
	id_mapper = (domid_t)bootarg_num("mapper", 0);
	id_third = (domid_t)bootarg_num("third", 0);
	return id_granter && id_mapper && id_third;
}

/* ------------------------------------------------------------------ RAM pattern */

static uint64_t ram_seed(void)
{
	char role[16] = "";

	bootarg("role", role, sizeof(role));
	return 0x5eed000000000000ull ^ ((uint64_t)(uint8_t)role[0] << 40);
}

static void ram_check(void)
{
	uint64_t first = 0, bad = ram_pattern_check(ram_seed(), &first);

	if (bad != 0) {
		test_fail(__FILE__, __LINE__,
			  "%llu words of the RAM pattern changed, first at %#llx",
			  (unsigned long long)bad, (unsigned long long)first);
	}
}

static void ram_fill(void)
{
	ram_pattern_fill(ram_seed());
}

/* ------------------------------------------------------------------ events */

static bool map_shared_info(void)
{
	struct xen_add_to_physmap x = {
		.domid = DOMID_SELF,
		.space = XENMAPSPACE_shared_info,
		.idx = 0,
		.gpfn = gfn_of(shinfo),
	};

	if (memory_op(XENMEM_add_to_physmap, &x) != 0) {
		return false;
	}
	/* Every port masked: events are seen as pending bits, never as upcalls. */
	for (unsigned int i = 0; i < 64; i++) {
		sh->evtchn_mask[i] = ~0ull;
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

/* Waits for an event on p and consumes it. */
static bool wait_event(evtchn_port_t p)
{
	bool ok = WAIT_FOR(pending(p), PEER_WAIT_US);

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

/* EVTCHNSTAT_* of p, with the peer domain in *dom (unbound or interdomain); -1 on error. */
static long port_state(evtchn_port_t p, domid_t *dom)
{
	struct evtchn_status st = { .dom = DOMID_SELF, .port = p };

	if (evtchn_op(EVTCHNOP_status, &st) != 0) {
		return -1;
	}
	*dom = st.status == EVTCHNSTAT_interdomain ? st.u.interdomain.dom : st.u.unbound.dom;
	return st.status;
}

/* ------------------------------------------------------------------ grants */

static bool give_back_frame(void *page)
{
	struct xen_memory_reservation r = { .nr_extents = 1, .domid = DOMID_SELF };
	uint64_t gfn = gfn_of(page);

	r.extent_start = (uintptr_t)&gfn;
	return memory_op(XENMEM_decrease_reservation, &r) == 1;
}

/* Maps grant ref of the granter at slot; GNTST_* status, the handle in *handle. */
static int map_grant(uint32_t ref, void *slot, bool readonly, grant_handle_t *handle)
{
	struct gnttab_map_grant_ref m = {
		.host_addr = (uintptr_t)slot,
		.flags = GNTMAP_host_map | (readonly ? GNTMAP_readonly : 0),
		.ref = ref,
		.dom = id_granter,
	};

	if (gnttab_op(GNTTABOP_map_grant_ref, &m, 1) != 0) {
		return GNTST_general_error;
	}
	*handle = m.handle;
	return m.status;
}

static int unmap_grant(void *slot, grant_handle_t handle)
{
	struct gnttab_unmap_grant_ref u = { .host_addr = (uintptr_t)slot, .handle = handle };

	if (gnttab_op(GNTTABOP_unmap_grant_ref, &u, 1) != 0) {
		return GNTST_general_error;
	}
	return u.status;
}

/* Retries a mapping until the granter has published the grant. */
static int map_grant_when_granted(uint32_t ref, void *slot, grant_handle_t *handle)
{
	uint64_t end = timer_now() + us_to_ticks(PEER_WAIT_US);
	int st;

	do {
		st = map_grant(ref, slot, false, handle);
		if (st != GNTST_permission_denied && st != GNTST_bad_gntref &&
		    st != GNTST_bad_domain) {
			return st;
		}
		udelay(20000);
	} while (timer_now() < end);
	return st;
}

static int grant_copy(struct gnttab_copy *c)
{
	dsb(sy);
	if (gnttab_op(GNTTABOP_copy, c, 1) != 0) {
		return GNTST_general_error;
	}
	return c->status;
}

/* ------------------------------------------------------------------ granter */

static uint8_t gnt_frame[4096] __attribute__((aligned(4096)));
static volatile struct grant_entry_v1 *const gnt = (volatile struct grant_entry_v1 *)gnt_frame;
static uint8_t mailbox_page[4096] __attribute__((aligned(4096)));
static uint8_t ro_page[4096] __attribute__((aligned(4096)));
static uint8_t third_pg[4096] __attribute__((aligned(4096)));
static uint8_t copy_page[4096] __attribute__((aligned(4096)));

static void grant(uint32_t ref, domid_t to, const void *page, bool readonly)
{
	gnt[ref].domid = to;
	gnt[ref].frame = (uint32_t)gfn_of(page);
	__atomic_store_n(&gnt[ref].flags,
			 (uint16_t)(GTF_permit_access | (readonly ? GTF_readonly : 0)),
			 __ATOMIC_RELEASE);
}

static uint16_t grant_flags(uint32_t ref)
{
	return __atomic_load_n(&gnt[ref].flags, __ATOMIC_ACQUIRE);
}

TEST_F(peer_granter, fill_ram, TF_XEN)
{
	ASSERT(read_ids());
	ram_fill();
}

TEST_F(peer_granter, exchange, TF_XEN)
{
	struct xen_add_to_physmap x = {
		.domid = DOMID_SELF,
		.space = XENMAPSPACE_grant_table,
		.idx = 0,
		.gpfn = gfn_of(gnt_frame),
	};
	struct mailbox *mb = (struct mailbox *)mailbox_page;
	struct third_page *tp = (struct third_page *)third_pg;
	evtchn_port_t pm, pt;
	uint16_t expect_flags = GTF_permit_access;
	domid_t dom;
	bool copied = true;
	unsigned int r, rounds = (unsigned int)bootarg_num("rounds", 1);

	ASSERT(read_ids());
	ASSERT(map_shared_info());
	ASSERT_EQ(memory_op(XENMEM_add_to_physmap, &x), 0);
	ASSERT_EQ(alloc_unbound(id_mapper, &pm), 0);
	ASSERT_EQ(alloc_unbound(id_third, &pt), 0);
	for (unsigned int i = 0; i < 4096; i++) {
		ro_page[i] = (uint8_t)(0x52 ^ i);
	}
	for (unsigned int i = 0; i < 16; i++) {
		tp->pattern[i] = 0x7468697264000000ull + i;
	}
	tp->port = pt;
	mb->port_mapper = pm;
	mb->port_third = pt;
	mb->copy_gfn = gfn_of(copy_page);
	mb->round = 0;
	mb->rounds = rounds;
	mb->magic = MAILBOX_READY;
	dsb(sy);
	grant(REF_RO, id_mapper, ro_page, true);
	grant(REF_COPY, id_mapper, copy_page, false);
	grant(REF_THIRD, id_third, third_pg, false);
	/* The third domain maps its page first, so that nothing it does falls between the
	 * mapper's destroys. */
	ASSERT(WAIT_FOR(grant_flags(REF_THIRD) & GTF_writing, PEER_WAIT_US));
	grant(REF_MAILBOX, id_mapper, mailbox_page, false); /* last: the mapper starts with it */
	printf("granted refs %u-%u; port %u for d%u, port %u for d%u; %u round(s)\n", REF_MAILBOX,
	       REF_COPY, pm, id_mapper, pt, id_third, rounds);

	/* Mappers that end holding two mappings and a bound channel. */
	for (r = 0; r + 1 < rounds; r++) {
		ASSERT(wait_event(pm));
		EXPECT_EQ(mb->from_mapper, MAPPER_HELLO + r);
		EXPECT_EQ(grant_flags(REF_MAILBOX), GTF_permit_access | GTF_reading | GTF_writing);
		EXPECT_EQ(grant_flags(REF_RO), GTF_permit_access | GTF_readonly | GTF_reading);
		mb->round = r + 1;
		dsb(sy);
		EXPECT_EQ(send(pm), 0);
		/* Its destroy drops both pins and leaves the port unbound, for it again. */
		ASSERT(WAIT_FOR(grant_flags(REF_MAILBOX) == GTF_permit_access &&
					grant_flags(REF_RO) == (GTF_permit_access | GTF_readonly) &&
					port_state(pm, &dom) == EVTCHNSTAT_unbound,
				PEER_WAIT_US));
		EXPECT_EQ(dom, id_mapper);
		if (test_failed()) {
			return;
		}
	}

	/* 1: the mapper has mapped the mailbox, written through it and bound its port. */
	ASSERT(wait_event(pm));
	EXPECT_EQ(port_state(pm, &dom), EVTCHNSTAT_interdomain);
	EXPECT_EQ(dom, id_mapper);
	EXPECT_EQ(mb->from_mapper, MAPPER_HELLO + r);
	/* Mapped writable: the entry says so (Xen's GTF_reading/GTF_writing). */
	EXPECT_EQ(grant_flags(REF_MAILBOX), GTF_permit_access | GTF_reading | GTF_writing);
	EXPECT_EQ(send(pm), 0);

	/* 2: the mapper has copied, tried what it may not, and unmapped. */
	ASSERT(wait_event(pm));
	for (unsigned int i = 0; i < COPY_LEN; i++) {
		if (READ_ONCE(copy_page[COPY_OFFSET + i]) != (uint8_t)(0xc0 + i)) {
			copied = false;
		}
	}
	EXPECT(copied);
	EXPECT_EQ(READ_ONCE(copy_page[COPY_OFFSET - 1]), 0);
	EXPECT_EQ(READ_ONCE(copy_page[COPY_OFFSET + COPY_LEN]), 0);
	for (unsigned int i = 0; i < COPY_LEN; i++) {
		EXPECT_EQ(READ_ONCE(copy_page[NOGRANT_OFFSET + i]), 0);
	}
	for (unsigned int i = 0; i < 4096; i++) {
		if (READ_ONCE(ro_page[i]) != (uint8_t)(0x52 ^ i)) {
			test_fail(__FILE__, __LINE__, "read-only page changed at %u", i);
			break;
		}
	}
	EXPECT_EQ(grant_flags(REF_MAILBOX), expect_flags);
	EXPECT_EQ(grant_flags(REF_RO), GTF_permit_access | GTF_readonly);
	EXPECT_EQ(grant_flags(REF_COPY), GTF_permit_access);
	/* The third domain's port was not taken by the mapper. */
	EXPECT_EQ(port_state(pt, &dom), EVTCHNSTAT_unbound);
	EXPECT_EQ(dom, id_third);
	/* Revoked as Linux's gnttab_end_foreign_access does: only if nobody uses it. */
	EXPECT(__atomic_compare_exchange_n(&gnt[REF_MAILBOX].flags, &expect_flags, 0, false,
					   __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE));
	EXPECT_EQ(send(pm), 0);

	/* 3: the mapper was refused the revoked grant. */
	ASSERT(wait_event(pm));

	/* The third domain, which has its page mapped, may now bind its port. */
	tp->go = THIRD_GO;
	dsb(sy);
	ASSERT(wait_event(pt));
	EXPECT_EQ(port_state(pt, &dom), EVTCHNSTAT_interdomain);
	EXPECT_EQ(dom, id_third);
	EXPECT_EQ(tp->from_third, THIRD_HELLO);
	EXPECT(WAIT_FOR(grant_flags(REF_THIRD) == GTF_permit_access, PEER_WAIT_US));
	EXPECT_EQ(close_port(pm), 0);
	EXPECT_EQ(close_port(pt), 0);
}

TEST_F(peer_granter, ram_intact, TF_XEN)
{
	ram_check();
}

/* ------------------------------------------------------------------ mapper */

static uint8_t slot1[4096] __attribute__((aligned(4096)));
static uint8_t slot2[4096] __attribute__((aligned(4096)));
static uint8_t src_page[4096] __attribute__((aligned(4096)));

TEST_F(peer_mapper, fill_ram, TF_XEN)
{
	ASSERT(read_ids());
	ram_fill();
}

TEST_F(peer_mapper, exchange, TF_XEN)
{
	struct mailbox *mb = (struct mailbox *)slot1;
	struct gnttab_copy c;
	struct fault_record f;
	grant_handle_t h, h2;
	evtchn_port_t pm, pt, lp, bad;
	uint64_t copy_gfn;
	bool same = true;
	unsigned int round;

	ASSERT(read_ids());
	ASSERT(map_shared_info());
	/* Empty frames to map grants at, as Linux takes them from its balloon. */
	ASSERT(give_back_frame(slot1));
	ASSERT(give_back_frame(slot2));
	ASSERT_EQ(map_grant_when_granted(REF_MAILBOX, slot1, &h), GNTST_okay);
	ASSERT_EQ(mb->magic, MAILBOX_READY);
	pm = mb->port_mapper;
	pt = mb->port_third;
	copy_gfn = mb->copy_gfn;
	round = mb->round;
	mb->from_mapper = MAPPER_HELLO + round;
	dsb(sy);
	if (round + 1 < mb->rounds) {
		/* Not the last round: end holding two mappings and a bound channel. */
		printf("round %u of %u: rebooting with grants mapped and a channel bound\n",
		       round + 1, mb->rounds);
		ASSERT_EQ(map_grant(REF_RO, slot2, true, &h2), GNTST_okay);
		ASSERT_EQ(bind_interdomain(id_granter, pm, &lp), 0);
		clear_pending(lp);
		EXPECT_EQ(send(lp), 0);
		ASSERT(wait_event(lp));
		if (!test_failed()) {
			console_flush();
			xen_sched_shutdown(SHUTDOWN_reboot);
		}
		test_fail(__FILE__, __LINE__, "still running after asking for a reboot");
		return;
	}

	/* Refused: the port offered to the third domain, the ref granted to it, a writable
	 * mapping of the read-only grant. */
	EXPECT_EQ(bind_interdomain(id_granter, pt, &bad), -XEN_EINVAL);
	EXPECT_EQ(map_grant(REF_THIRD, slot2, false, &h2), GNTST_permission_denied);
	EXPECT_EQ(map_grant(REF_THIRD, slot2, true, &h2), GNTST_permission_denied);
	EXPECT_EQ(map_grant(REF_RO, slot2, false, &h2), GNTST_permission_denied);
	/* Read-only, it maps and reads the granter's bytes. */
	ASSERT_EQ(map_grant(REF_RO, slot2, true, &h2), GNTST_okay);
	/*
	 * A grant mapping is not the mapper's to balloon out or remove: only its unmap
	 * takes it away (the frame and its reference stay the granter's).
	 */
	{
		struct xen_remove_from_physmap rm = { .domid = DOMID_SELF, .gpfn = gfn_of(slot2) };

		EXPECT(!give_back_frame(slot2));
		EXPECT(memory_op(XENMEM_remove_from_physmap, &rm) != 0);
	}
	for (unsigned int i = 0; i < 4096; i++) {
		if (READ_ONCE(slot2[i]) != (uint8_t)(0x52 ^ i)) {
			same = false;
		}
	}
	EXPECT(same);
	EXPECT_EQ(unmap_grant(slot2, h2), GNTST_okay);

	ASSERT_EQ(bind_interdomain(id_granter, pm, &lp), 0);
	clear_pending(lp); /* a new end starts pending */
	EXPECT_EQ(send(lp), 0);
	/* The granter answers on the same channel. */
	ASSERT(wait_event(lp));

	/* Copy into the granter's copy target, through its grant. */
	for (unsigned int i = 0; i < COPY_LEN; i++) {
		src_page[i] = (uint8_t)(0xc0 + i);
	}
	c = (struct gnttab_copy){
		.source = { .u.gmfn = gfn_of(src_page), .domid = DOMID_SELF },
		.dest = { .u.ref = REF_COPY, .domid = id_granter, .offset = COPY_OFFSET },
		.len = COPY_LEN,
		.flags = GNTCOPY_dest_gref
	};
	EXPECT_EQ(grant_copy(&c), GNTST_okay);
	/* Refused: the same frame without the grant, and a write into the read-only grant. */
	c.dest = (struct gnttab_copy_ptr){ .u.gmfn = copy_gfn,
					   .domid = id_granter,
					   .offset = NOGRANT_OFFSET };
	c.flags = 0;
	EXPECT_EQ(grant_copy(&c), GNTST_permission_denied);
	c.dest = (struct gnttab_copy_ptr){ .u.ref = REF_RO, .domid = id_granter };
	c.flags = GNTCOPY_dest_gref;
	EXPECT_EQ(grant_copy(&c), GNTST_permission_denied);

	/* Unmapped: the frame is empty again, and the handle is spent. */
	EXPECT_EQ(unmap_grant(slot1, h), GNTST_okay);
	fault_expect();
	(void)probe_read((uintptr_t)slot1);
	EXPECT(fault_take(&f));
	EXPECT_EQ(unmap_grant(slot1, h), GNTST_bad_handle);
	EXPECT_EQ(send(lp), 0);

	/* The granter revokes the mailbox grant: it can no longer be mapped. */
	ASSERT(wait_event(lp));
	EXPECT_EQ(map_grant(REF_MAILBOX, slot1, false, &h), GNTST_permission_denied);
	EXPECT_EQ(send(lp), 0);
	EXPECT_EQ(close_port(lp), 0);
}

TEST_F(peer_mapper, ram_intact, TF_XEN)
{
	ram_check();
}

/* ------------------------------------------------------------------ third */

TEST_F(peer_third, fill_ram, TF_XEN)
{
	ASSERT(read_ids());
	ram_fill();
}

TEST_F(peer_third, exchange, TF_XEN)
{
	struct third_page *tp = (struct third_page *)slot1;
	grant_handle_t h;
	evtchn_port_t lp;

	ASSERT(read_ids());
	ASSERT(give_back_frame(slot1));
	ASSERT_EQ(map_grant_when_granted(REF_THIRD, slot1, &h), GNTST_okay);
	for (unsigned int i = 0; i < 16; i++) {
		EXPECT_EQ(tp->pattern[i], 0x7468697264000000ull + i);
	}
	/* The granter's go-ahead (once the mapper was refused this domain's port). */
	ASSERT(WAIT_FOR(tp->go == THIRD_GO, PEER_WAIT_US));
	ASSERT_EQ(bind_interdomain(id_granter, tp->port, &lp), 0);
	tp->from_third = THIRD_HELLO;
	dsb(sy);
	EXPECT_EQ(send(lp), 0);
	EXPECT_EQ(unmap_grant(slot1, h), GNTST_okay);
	/* The channel stays bound: the granter checks it, and the destroy closes it. */
}

TEST_F(peer_third, ram_intact, TF_XEN)
{
	ram_check();
}

/* ------------------------------------------------------------------ linger */

/* Sleeps about ms milliseconds in CPU_SUSPEND, woken by the virtual timer. */
static void sleep_ms(unsigned int ms)
{
	irq_disable();
	WRITE_SYSREG(cntv_cval_el0, timer_now() + us_to_ticks(ms * 1000ull));
	WRITE_SYSREG(cntv_ctl_el0, 1);
	gic_enable_private(PPI_VTIMER, NULL);
	(void)smccc_call(PSCI_CPU_SUSPEND, 0, (uintptr_t)secondary_entry, 0);
	WRITE_SYSREG(cntv_ctl_el0, 0);
	gic_disable_private(PPI_VTIMER);
}

/*
 * Suite "linger": a domain that exists for as long as domain peer= does, so that the
 * other one's refusals can name a live domain (tests/guest/test_xenabi.c). The peer's
 * grant table is none of its business (permission_denied) until it is gone (bad_domain).
 */
TEST_F(linger, until_peer_ends, TF_XEN)
{
	domid_t peer = (domid_t)bootarg_num("peer", 0);
	uint64_t end = timer_now() + us_to_ticks(600000000ull);
	struct gnttab_query_size q;

	ASSERT(peer != 0);
	for (;;) {
		q = (struct gnttab_query_size){ .dom = peer };
		ASSERT_EQ(gnttab_op(GNTTABOP_query_size, &q, 1), 0);
		if (q.status == GNTST_bad_domain) {
			break;
		}
		ASSERT_EQ(q.status, GNTST_permission_denied);
		ASSERT(timer_now() < end);
		sleep_ms(100);
	}
}
