/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Event channels, 2-level ABI (hv/common/evtchn.c). Each domain has up to
 * EVTCHN_2L_NR_CHANNELS ports, kept in buckets of EVTCHN_BUCKET_PORTS allocated on
 * first use; port 0 is reserved. Delivery sets the port's bit in shared_info's pending
 * bitmap and, unless masked, raises the event-channel PPI on the port's notify vCPU.
 *
 * Locking: d->evtchn_lock (IRQ-safe) guards d's ports, every v->vcpu_info of d and the
 * switch of d->shared_info. Two domains' locks are taken lowest domid first. It comes
 * after domlist_lock and d->lock and before the sched locks and d->arch.vgic.lock.
 */
#pragma once

#include <hv/types.h>
#include <public/xen.h>

struct domain;
struct vcpu;

#define EVTCHN_BUCKET_PORTS 64
#define EVTCHN_NR_BUCKETS (EVTCHN_2L_NR_CHANNELS / EVTCHN_BUCKET_PORTS)

/** Port states (Xen's ECS_*). */
enum evtchn_state {
	ECS_FREE = 0,
	ECS_RESERVED, /* port 0 */
	ECS_UNBOUND,
	ECS_INTERDOMAIN,
	ECS_VIRQ,
	ECS_IPI,
};

/** One port. Guarded by its domain's evtchn_lock. */
struct evtchn {
	u8 state;	 /* enum evtchn_state */
	u16 notify_vcpu; /* vCPU whose upcall fires */
	union {
		domid_t unbound_remote; /* ECS_UNBOUND: who may bind it */
		struct {
			domid_t dom;
			evtchn_port_t port;
		} interdomain; /* ECS_INTERDOMAIN: the other end */
		u32 virq;      /* ECS_VIRQ */
	} u;
};

/** Sets up d's event channels (port 0 reserved); d->shared_info must be set. 0/-errno. */
int evtchn_domain_init(struct domain *d);
/** Closes every port of d (remote ends become unbound) and frees the tables. */
void evtchn_domain_destroy(struct domain *d);

/** The event_channel_op hypercall of vCPU v (the caller). */
long do_event_channel_op(struct vcpu *v, u64 cmd, u64 arg);

/** Raises 'virq' on d: vCPU 'vcpu' for per-vCPU virqs, the bound port for global ones. */
/** True if 'port' of d is pending (in shared_info), whatever its mask. */
bool evtchn_port_is_pending(struct domain *d, evtchn_port_t port);
void evtchn_send_virq(struct domain *d, unsigned int virq, unsigned int vcpu);
/**
 * Allocates an unbound port in d that domain 'remote' may bind (toolstack: console and
 * xenstore ports). 0 and *port, or -HV_ENOSPC / -HV_ENOMEM.
 */
int evtchn_alloc_unbound_for(struct domain *d, domid_t remote, evtchn_port_t *port);
/**
 * Marks events pending on v (vcpu_info.evtchn_upcall_pending) and raises the upcall
 * PPI on the 0 -> 1 edge. Caller holds v->domain->evtchn_lock.
 */
void evtchn_vcpu_mark_pending(struct vcpu *v);
