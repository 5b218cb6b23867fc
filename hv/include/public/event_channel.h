/* SPDX-License-Identifier: MIT */
/*
 * Lamina's definitions of the Xen event_channel_op ABI (layout- and value-identical to
 * Xen's public/event_channel.h).
 * Lamina implements the 2-level ABI (pending/mask bitmaps in shared_info).
 */
#ifndef LAMINA_PUBLIC_EVENT_CHANNEL_H
#define LAMINA_PUBLIC_EVENT_CHANNEL_H

#include "xen.h"

#define EVTCHNOP_bind_interdomain 0
#define EVTCHNOP_bind_virq 1
#define EVTCHNOP_bind_pirq 2
#define EVTCHNOP_close 3
#define EVTCHNOP_send 4
#define EVTCHNOP_status 5
#define EVTCHNOP_alloc_unbound 6
#define EVTCHNOP_bind_ipi 7
#define EVTCHNOP_bind_vcpu 8
#define EVTCHNOP_unmask 9
#define EVTCHNOP_reset 10
#define EVTCHNOP_init_control 11
#define EVTCHNOP_expand_array 12
#define EVTCHNOP_set_priority 13

/** A new port in 'dom' that 'remote_dom' may later bind to. */
struct evtchn_alloc_unbound {
	domid_t dom;
	domid_t remote_dom;
	evtchn_port_t port; /* OUT */
};
_Static_assert(sizeof(struct evtchn_alloc_unbound) == 8, "evtchn_alloc_unbound size");

/** Connects a new local port to an unbound port of remote_dom. */
struct evtchn_bind_interdomain {
	domid_t remote_dom;
	uint16_t pad;
	evtchn_port_t remote_port;
	evtchn_port_t local_port; /* OUT */
};
_Static_assert(sizeof(struct evtchn_bind_interdomain) == 12, "evtchn_bind_interdomain size");
_Static_assert(__builtin_offsetof(struct evtchn_bind_interdomain, remote_port) == 4, "rport");

/** Binds a virtual interrupt (VIRQ_*) of a vCPU to a new port. */
struct evtchn_bind_virq {
	uint32_t virq;
	uint32_t vcpu;
	evtchn_port_t port; /* OUT */
};
_Static_assert(sizeof(struct evtchn_bind_virq) == 12, "evtchn_bind_virq size");

/** A new port that signals the given vCPU of the caller's own domain. */
struct evtchn_bind_ipi {
	uint32_t vcpu;
	evtchn_port_t port; /* OUT */
};
_Static_assert(sizeof(struct evtchn_bind_ipi) == 8, "evtchn_bind_ipi size");

/** EVTCHNOP_close, EVTCHNOP_send and EVTCHNOP_unmask take just a port. */
struct evtchn_close {
	evtchn_port_t port;
};
struct evtchn_send {
	evtchn_port_t port;
};
struct evtchn_unmask {
	evtchn_port_t port;
};
_Static_assert(sizeof(struct evtchn_close) == 4, "evtchn_close size");
_Static_assert(sizeof(struct evtchn_send) == 4, "evtchn_send size");
_Static_assert(sizeof(struct evtchn_unmask) == 4, "evtchn_unmask size");

/* evtchn_status.status */
#define EVTCHNSTAT_closed 0
#define EVTCHNSTAT_unbound 1
#define EVTCHNSTAT_interdomain 2
#define EVTCHNSTAT_pirq 3
#define EVTCHNSTAT_virq 4
#define EVTCHNSTAT_ipi 5

/** What a port of 'dom' is bound to. */
struct evtchn_status {
	domid_t dom;
	uint16_t pad;
	evtchn_port_t port;
	uint32_t status; /* OUT: EVTCHNSTAT_* */
	uint32_t vcpu;	 /* OUT: the vCPU it notifies */
	union {
		struct {
			domid_t dom;
		} unbound;
		struct {
			domid_t dom;
			uint16_t pad;
			evtchn_port_t port;
		} interdomain;
		uint32_t pirq;
		uint32_t virq;
	} u; /* OUT */
};
_Static_assert(sizeof(struct evtchn_status) == 24, "evtchn_status size");
_Static_assert(__builtin_offsetof(struct evtchn_status, status) == 8, "status");
_Static_assert(__builtin_offsetof(struct evtchn_status, u) == 16, "u");
_Static_assert(__builtin_offsetof(struct evtchn_status, u.interdomain.port) == 20, "u.port");

/** Moves the notification of a port to another vCPU. */
struct evtchn_bind_vcpu {
	evtchn_port_t port;
	uint32_t vcpu;
};
_Static_assert(sizeof(struct evtchn_bind_vcpu) == 8, "evtchn_bind_vcpu size");

/** Closes every port of 'dom'. */
struct evtchn_reset {
	domid_t dom;
};
_Static_assert(sizeof(struct evtchn_reset) == 2, "evtchn_reset size");

/** Switches to the FIFO ABI (Lamina: not supported, -ENOSYS). */
struct evtchn_init_control {
	uint64_t control_gfn;
	uint32_t offset;
	uint32_t vcpu;
	uint8_t link_bits; /* OUT */
	uint8_t pad[7];
};
_Static_assert(sizeof(struct evtchn_init_control) == 24, "evtchn_init_control size");

#endif
