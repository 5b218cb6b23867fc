/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Event channels with the 2-level ABI (Xen's public/event_channel.h and
 * common/event_2l.c): per-domain ports that are unbound, interdomain (to a port of another
 * domain or of the same one), bound to a virtual IRQ, or IPIs. Raising a port sets its
 * bit in shared_info.evtchn_pending; unless the guest masked it in evtchn_mask, the bit
 * for its 64-port word is set in the notify vCPU's vcpu_info.evtchn_pending_sel and the
 * upcall PPI is raised on the 0 -> 1 edge of vcpu_info.evtchn_upcall_pending. The guest
 * writes those words concurrently, so every update is an atomic read-modify-write.
 *
 * Lock order: domlist_lock (domain_get_by_id, never called with an evtchn_lock held),
 * then d->evtchn_lock; when two domains are involved, the lower domid's evtchn_lock
 * first; then the arch's interrupt-controller lock (inside arch_evtchn_upcall()) and the
 * sched locks (its kicks).
 * An interdomain port names its peer by domid, never by pointer: every use looks the
 * peer up with domain_get_by_id(), which also holds it for the duration.
 */
#include <hv/domain.h>
#include <hv/errno.h>
#include <hv/evtchn.h>
#include <hv/sched.h>
#include <hv/heap.h>
#include <hv/lib.h>
#include <hv/arch.h>
#include <public/event_channel.h>

#define BITS_PER_WORD 64u

static bool bit_test_and_set(xen_ulong_t *words, unsigned int bit)
{
	xen_ulong_t m = 1ull << (bit % BITS_PER_WORD);

	return (__atomic_fetch_or(&words[bit / BITS_PER_WORD], m, __ATOMIC_ACQ_REL) & m) != 0;
}

static bool bit_test_and_clear(xen_ulong_t *words, unsigned int bit)
{
	xen_ulong_t m = 1ull << (bit % BITS_PER_WORD);

	return (__atomic_fetch_and(&words[bit / BITS_PER_WORD], ~m, __ATOMIC_ACQ_REL) & m) != 0;
}

static bool bit_test(xen_ulong_t *words, unsigned int bit)
{
	return (__atomic_load_n(&words[bit / BITS_PER_WORD], __ATOMIC_ACQUIRE) >>
		(bit % BITS_PER_WORD)) &
	       1;
}

/* Per-vCPU virqs; all others are global and bound on vCPU 0 (Xen's virq_is_global). */
static bool virq_is_global(unsigned int virq)
{
	return virq != VIRQ_TIMER && virq != VIRQ_DEBUG && virq != VIRQ_XENOPROF &&
	       virq != VIRQ_XENPMU;
}

/* The port's entry, or NULL if it lies beyond the allocated buckets. */
static struct evtchn *evtchn_get(struct domain *d, u64 port)
{
	struct evtchn *b;

	if (port >= EVTCHN_2L_NR_CHANNELS) {
		return NULL;
	}
	b = d->evtchn_buckets[port / EVTCHN_BUCKET_PORTS];
	return b == NULL ? NULL : &b[port % EVTCHN_BUCKET_PORTS];
}

/* Finds a free port (allocating a bucket if all are in use). Caller holds the lock. */
static int evtchn_alloc_port(struct domain *d, evtchn_port_t *port)
{
	for (unsigned int b = 0; b < EVTCHN_NR_BUCKETS; b++) {
		struct evtchn *bucket = d->evtchn_buckets[b];

		if (bucket == NULL) {
			bucket = xzalloc_array(EVTCHN_BUCKET_PORTS, sizeof(*bucket));
			if (bucket == NULL) {
				return -HV_ENOMEM;
			}
			d->evtchn_buckets[b] = bucket;
		}
		for (unsigned int i = 0; i < EVTCHN_BUCKET_PORTS; i++) {
			if (bucket[i].state == ECS_FREE) {
				*port = b * EVTCHN_BUCKET_PORTS + i;
				return 0;
			}
		}
	}
	return -HV_ENOSPC;
}

static void lock_two(struct domain *a, struct domain *b, unsigned long *flags)
{
	*flags = arch_local_irq_save();
	if (a == b) {
		spin_lock(&a->evtchn_lock);
	} else if (a->domid < b->domid) {
		spin_lock(&a->evtchn_lock);
		spin_lock(&b->evtchn_lock);
	} else {
		spin_lock(&b->evtchn_lock);
		spin_lock(&a->evtchn_lock);
	}
}

static void unlock_two(struct domain *a, struct domain *b, unsigned long flags)
{
	if (a != b) {
		spin_unlock(&b->evtchn_lock);
	}
	spin_unlock(&a->evtchn_lock);
	arch_local_irq_restore(flags);
}

/** See hv/evtchn.h. */
bool evtchn_port_is_pending(struct domain *d, evtchn_port_t port)
{
	return port < EVTCHN_2L_NR_CHANNELS && bit_test(d->shared_info->evtchn_pending, port);
}

/** See hv/evtchn.h. */
void evtchn_vcpu_mark_pending(struct vcpu *v)
{
	if (__atomic_exchange_n(&v->vcpu_info->evtchn_upcall_pending, 1, __ATOMIC_ACQ_REL) == 0) {
		arch_evtchn_upcall(v);
	}
}

/* Raises 'port' of d (2-level algorithm). Caller holds d->evtchn_lock. */
static void evtchn_set_pending(struct domain *d, evtchn_port_t port)
{
	struct evtchn *chn = evtchn_get(d, port);
	struct shared_info *sh = d->shared_info;
	struct vcpu *v;

	if (chn == NULL || chn->notify_vcpu >= d->nr_vcpus) {
		return;
	}
	v = d->vcpus[chn->notify_vcpu];
	if (bit_test_and_set(sh->evtchn_pending, port)) {
		return;
	}
	/* SCHEDOP_poll waits for ports becoming pending, masked or not. */
	if (__atomic_load_n(&d->nr_pollers, __ATOMIC_ACQUIRE) != 0) {
		for (unsigned int i = 0; i < d->nr_vcpus; i++) {
			if (__atomic_load_n(&d->vcpus[i]->polling, __ATOMIC_ACQUIRE)) {
				vcpu_wake(d->vcpus[i]);
			}
		}
	}
	if (!bit_test(sh->evtchn_mask, port) &&
	    !bit_test_and_set(&v->vcpu_info->evtchn_pending_sel, port / BITS_PER_WORD)) {
		evtchn_vcpu_mark_pending(v);
	}
}

/* Returns a port to the free state. Caller holds d->evtchn_lock. */
static void evtchn_free_port(struct domain *d, evtchn_port_t port)
{
	struct evtchn *chn = evtchn_get(d, port);

	memset(chn, 0, sizeof(*chn));
	/* A stale pending bit would fire at once when the port is reused. */
	bit_test_and_clear(d->shared_info->evtchn_pending, port);
}

/** See hv/evtchn.h. */
int evtchn_alloc_unbound_for(struct domain *d, domid_t remote, evtchn_port_t *port)
{
	unsigned long flags;
	int rc;

	spin_lock_irqsave(&d->evtchn_lock, flags);
	rc = evtchn_alloc_port(d, port);
	if (rc == 0) {
		struct evtchn *chn = evtchn_get(d, *port);

		chn->state = ECS_UNBOUND;
		chn->notify_vcpu = 0;
		chn->u.unbound_remote = remote;
	}
	spin_unlock_irqrestore(&d->evtchn_lock, flags);
	return rc;
}

static long evtchn_alloc_unbound(struct vcpu *cur, struct evtchn_alloc_unbound *a)
{
	struct domain *d = cur->domain;

	/* Allocating in another domain is for the toolstack (privileged): not yet. */
	if (a->dom != DOMID_SELF && a->dom != d->domid) {
		return domain_refuse_other(a->dom);
	}
	return evtchn_alloc_unbound_for(d, a->remote_dom == DOMID_SELF ? d->domid : a->remote_dom,
					&a->port);
}

static long evtchn_bind_interdomain(struct vcpu *cur, struct evtchn_bind_interdomain *a)
{
	struct domain *ld = cur->domain, *rd;
	domid_t rdom = a->remote_dom == DOMID_SELF ? ld->domid : a->remote_dom;
	struct evtchn *lchn, *rchn;
	evtchn_port_t lport;
	unsigned long flags;
	long rc;

	rd = rdom == ld->domid ? ld : domain_get_by_id(rdom);
	if (rd == NULL) {
		return -HV_ESRCH;
	}
	lock_two(ld, rd, &flags);
	rchn = evtchn_get(rd, a->remote_port);
	if (rchn == NULL || rchn->state != ECS_UNBOUND || rchn->u.unbound_remote != ld->domid) {
		rc = -HV_EINVAL;
		goto out_unlock;
	}
	rc = evtchn_alloc_port(ld, &lport);
	if (rc != 0) {
		goto out_unlock;
	}
	lchn = evtchn_get(ld, lport);
	lchn->state = ECS_INTERDOMAIN;
	lchn->notify_vcpu = 0;
	lchn->u.interdomain.dom = rd->domid;
	lchn->u.interdomain.port = a->remote_port;
	rchn->state = ECS_INTERDOMAIN;
	rchn->u.interdomain.dom = ld->domid;
	rchn->u.interdomain.port = lport;
	/* Sends to the unbound end were dropped: tell the new end, as Xen does. */
	evtchn_set_pending(ld, lport);
	a->local_port = lport;
out_unlock:
	unlock_two(ld, rd, flags);
	if (rd != ld) {
		domain_put(rd);
	}
	return rc;
}

static long evtchn_bind_virq(struct vcpu *cur, struct evtchn_bind_virq *a)
{
	struct domain *d = cur->domain;
	struct vcpu *v;
	unsigned long flags;
	long rc;

	if (a->virq >= NR_VIRQS || (virq_is_global(a->virq) && a->vcpu != 0)) {
		return -HV_EINVAL;
	}
	if (a->vcpu >= d->nr_vcpus) {
		return -HV_ENOENT;
	}
	v = d->vcpus[a->vcpu];
	spin_lock_irqsave(&d->evtchn_lock, flags);
	if (v->virq_to_port[a->virq] != 0) {
		rc = -HV_EEXIST;
	} else {
		rc = evtchn_alloc_port(d, &a->port);
	}
	if (rc == 0) {
		struct evtchn *chn = evtchn_get(d, a->port);

		chn->state = ECS_VIRQ;
		chn->notify_vcpu = (u16)a->vcpu;
		chn->u.virq = a->virq;
		v->virq_to_port[a->virq] = a->port;
	}
	spin_unlock_irqrestore(&d->evtchn_lock, flags);
	return rc;
}

static long evtchn_bind_ipi(struct vcpu *cur, struct evtchn_bind_ipi *a)
{
	struct domain *d = cur->domain;
	unsigned long flags;
	long rc;

	if (a->vcpu >= d->nr_vcpus) {
		return -HV_ENOENT;
	}
	spin_lock_irqsave(&d->evtchn_lock, flags);
	rc = evtchn_alloc_port(d, &a->port);
	if (rc == 0) {
		struct evtchn *chn = evtchn_get(d, a->port);

		chn->state = ECS_IPI;
		chn->notify_vcpu = (u16)a->vcpu;
	}
	spin_unlock_irqrestore(&d->evtchn_lock, flags);
	return rc;
}

/*
 * Makes the peer's end of an interdomain channel unbound again if it still points at
 * (d, port). Caller holds both domains' locks.
 */
static void evtchn_unbind_peer(struct domain *d, evtchn_port_t port, struct domain *rd,
			       evtchn_port_t rport)
{
	struct evtchn *rchn = evtchn_get(rd, rport);

	if (rchn != NULL && rchn->state == ECS_INTERDOMAIN && rchn->u.interdomain.dom == d->domid &&
	    rchn->u.interdomain.port == port) {
		rchn->state = ECS_UNBOUND;
		rchn->u.unbound_remote = d->domid;
	}
}

/* Closes 'port' of d. The peer of an interdomain channel becomes unbound. */
static long evtchn_close_port(struct domain *d, u64 port)
{
	struct evtchn *chn;
	struct domain *rd = NULL;
	unsigned long flags;
	domid_t rdom;
	evtchn_port_t rport;
	long rc = 0;

	for (;;) {
		spin_lock_irqsave(&d->evtchn_lock, flags);
		chn = evtchn_get(d, port);
		if (chn == NULL || chn->state != ECS_INTERDOMAIN ||
		    chn->u.interdomain.dom == d->domid) {
			break;
		}
		/* Another domain's end: take a reference to it outside the lock, then both. */
		rdom = chn->u.interdomain.dom;
		rport = chn->u.interdomain.port;
		spin_unlock_irqrestore(&d->evtchn_lock, flags);
		rd = domain_get_by_id(rdom);
		if (rd == NULL) {
			/* The peer is dying; its destruction checks before touching this port. */
			spin_lock_irqsave(&d->evtchn_lock, flags);
			chn = evtchn_get(d, port);
			break;
		}
		lock_two(d, rd, &flags);
		if (chn->state == ECS_INTERDOMAIN && chn->u.interdomain.dom == rdom &&
		    chn->u.interdomain.port == rport) {
			evtchn_unbind_peer(d, (evtchn_port_t)port, rd, rport);
			evtchn_free_port(d, (evtchn_port_t)port);
			unlock_two(d, rd, flags);
			domain_put(rd);
			return 0;
		}
		/* It changed meanwhile: start again. */
		unlock_two(d, rd, flags);
		domain_put(rd);
		rd = NULL;
	}
	/* d->evtchn_lock held. */
	if (chn == NULL) {
		rc = -HV_EINVAL;
		goto out_unlock;
	}
	switch (chn->state) {
	case ECS_UNBOUND:
	case ECS_IPI:
		break;
	case ECS_INTERDOMAIN:
		if (chn->u.interdomain.dom == d->domid) { /* loopback */
			evtchn_unbind_peer(d, (evtchn_port_t)port, d, chn->u.interdomain.port);
		}
		break;
	case ECS_VIRQ:
		for (unsigned int i = 0; i < d->nr_vcpus; i++) {
			if (d->vcpus[i]->virq_to_port[chn->u.virq] == port) {
				d->vcpus[i]->virq_to_port[chn->u.virq] = 0;
			}
		}
		break;
	default: /* free or reserved */
		rc = -HV_EINVAL;
		goto out_unlock;
	}
	evtchn_free_port(d, (evtchn_port_t)port);
out_unlock:
	spin_unlock_irqrestore(&d->evtchn_lock, flags);
	return rc;
}

static long evtchn_send(struct domain *d, u64 port)
{
	struct evtchn *chn;
	struct domain *rd;
	unsigned long flags;
	domid_t rdom;
	evtchn_port_t rport;
	long rc = 0;

	spin_lock_irqsave(&d->evtchn_lock, flags);
	chn = evtchn_get(d, port);
	if (chn == NULL) {
		rc = -HV_EINVAL;
		goto out_unlock;
	}
	switch (chn->state) {
	case ECS_IPI:
		evtchn_set_pending(d, (evtchn_port_t)port);
		break;
	case ECS_UNBOUND:
		break; /* nobody listens yet: dropped (Xen) */
	case ECS_INTERDOMAIN:
		rdom = chn->u.interdomain.dom;
		rport = chn->u.interdomain.port;
		if (rdom == d->domid) {
			evtchn_set_pending(d, rport);
			break;
		}
		spin_unlock_irqrestore(&d->evtchn_lock, flags);
		rd = domain_get_by_id(rdom);
		if (rd == NULL) {
			return 0; /* the peer is dying */
		}
		lock_two(d, rd, &flags);
		/* Deliver only if both ends still point at each other. */
		chn = evtchn_get(d, port);
		if (chn->state == ECS_INTERDOMAIN && chn->u.interdomain.dom == rdom &&
		    chn->u.interdomain.port == rport) {
			struct evtchn *rchn = evtchn_get(rd, rport);

			if (rchn != NULL && rchn->state == ECS_INTERDOMAIN &&
			    rchn->u.interdomain.dom == d->domid &&
			    rchn->u.interdomain.port == port) {
				evtchn_set_pending(rd, rport);
			}
		}
		unlock_two(d, rd, flags);
		domain_put(rd);
		return 0;
	default:
		rc = -HV_EINVAL;
		break;
	}
out_unlock:
	spin_unlock_irqrestore(&d->evtchn_lock, flags);
	return rc;
}

static long evtchn_status(struct vcpu *cur, struct evtchn_status *a)
{
	struct domain *d = cur->domain;
	struct evtchn *chn;
	unsigned long flags;
	long rc = 0;

	if (a->dom != DOMID_SELF && a->dom != d->domid) {
		return domain_refuse_other(a->dom); /* other domains: toolstack, later */
	}
	spin_lock_irqsave(&d->evtchn_lock, flags);
	chn = evtchn_get(d, a->port);
	if (chn == NULL) {
		rc = -HV_EINVAL;
		goto out_unlock;
	}
	memset(&a->u, 0, sizeof(a->u));
	a->vcpu = chn->notify_vcpu;
	switch (chn->state) {
	case ECS_UNBOUND:
		a->status = EVTCHNSTAT_unbound;
		a->u.unbound.dom = chn->u.unbound_remote;
		break;
	case ECS_INTERDOMAIN:
		a->status = EVTCHNSTAT_interdomain;
		a->u.interdomain.dom = chn->u.interdomain.dom;
		a->u.interdomain.port = chn->u.interdomain.port;
		break;
	case ECS_VIRQ:
		a->status = EVTCHNSTAT_virq;
		a->u.virq = chn->u.virq;
		break;
	case ECS_IPI:
		a->status = EVTCHNSTAT_ipi;
		break;
	default: /* free or reserved */
		a->status = EVTCHNSTAT_closed;
		break;
	}
out_unlock:
	spin_unlock_irqrestore(&d->evtchn_lock, flags);
	return rc;
}

static long evtchn_bind_vcpu(struct vcpu *cur, struct evtchn_bind_vcpu *a)
{
	struct domain *d = cur->domain;
	struct evtchn *chn;
	unsigned long flags;
	long rc = 0;

	if (a->vcpu >= d->nr_vcpus) {
		return -HV_ENOENT;
	}
	spin_lock_irqsave(&d->evtchn_lock, flags);
	chn = evtchn_get(d, a->port);
	if (chn == NULL) {
		rc = -HV_EINVAL;
		goto out_unlock;
	}
	switch (chn->state) {
	case ECS_VIRQ:
		if (!virq_is_global(chn->u.virq)) {
			rc = -HV_EINVAL; /* per-vCPU virqs stay where they are */
			break;
		}
		chn->notify_vcpu = (u16)a->vcpu;
		break;
	case ECS_UNBOUND:
	case ECS_INTERDOMAIN:
		chn->notify_vcpu = (u16)a->vcpu;
		break;
	default: /* IPIs cannot move; free ports have nothing to move */
		rc = -HV_EINVAL;
		break;
	}
out_unlock:
	spin_unlock_irqrestore(&d->evtchn_lock, flags);
	return rc;
}

static long evtchn_unmask(struct domain *d, u64 port)
{
	struct shared_info *sh = d->shared_info;
	struct evtchn *chn;
	unsigned long flags;
	long rc = 0;

	spin_lock_irqsave(&d->evtchn_lock, flags);
	chn = evtchn_get(d, port);
	if (chn == NULL) {
		rc = -HV_EINVAL;
	} else if (chn->notify_vcpu < d->nr_vcpus && bit_test_and_clear(sh->evtchn_mask, port) &&
		   bit_test(sh->evtchn_pending, port)) {
		struct vcpu *v = d->vcpus[chn->notify_vcpu];

		if (!bit_test_and_set(&v->vcpu_info->evtchn_pending_sel, port / BITS_PER_WORD)) {
			evtchn_vcpu_mark_pending(v);
		}
	}
	spin_unlock_irqrestore(&d->evtchn_lock, flags);
	return rc;
}

/** See hv/evtchn.h. */
void evtchn_send_virq(struct domain *d, unsigned int virq, unsigned int vcpu)
{
	unsigned long flags;
	evtchn_port_t port;

	if (virq >= NR_VIRQS) {
		return;
	}
	if (virq_is_global(virq)) {
		vcpu = 0;
	}
	if (vcpu >= d->nr_vcpus) {
		return;
	}
	spin_lock_irqsave(&d->evtchn_lock, flags);
	port = d->vcpus[vcpu]->virq_to_port[virq];
	if (port != 0) {
		evtchn_set_pending(d, port);
	}
	spin_unlock_irqrestore(&d->evtchn_lock, flags);
}

/** See hv/evtchn.h. */
int evtchn_domain_init(struct domain *d)
{
	spin_lock_init(&d->evtchn_lock);
	d->evtchn_buckets[0] = xzalloc_array(EVTCHN_BUCKET_PORTS, sizeof(struct evtchn));
	if (d->evtchn_buckets[0] == NULL) {
		return -HV_ENOMEM;
	}
	d->evtchn_buckets[0][0].state = ECS_RESERVED;
	return 0;
}

/** See hv/evtchn.h. d is off the domain list: no new channel can reach it. */
void evtchn_domain_destroy(struct domain *d)
{
	for (evtchn_port_t port = 1; port < EVTCHN_2L_NR_CHANNELS; port++) {
		struct evtchn *chn = evtchn_get(d, port);
		struct domain *rd;
		unsigned long flags;

		if (chn == NULL) {
			port += EVTCHN_BUCKET_PORTS - 1 - port % EVTCHN_BUCKET_PORTS;
			continue;
		}
		if (chn->state != ECS_INTERDOMAIN || chn->u.interdomain.dom == d->domid) {
			continue;
		}
		rd = domain_get_by_id(chn->u.interdomain.dom);
		if (rd == NULL) {
			continue;
		}
		lock_two(d, rd, &flags);
		evtchn_unbind_peer(d, port, rd, chn->u.interdomain.port);
		unlock_two(d, rd, flags);
		domain_put(rd);
	}
	for (unsigned int b = 0; b < EVTCHN_NR_BUCKETS; b++) {
		xfree(d->evtchn_buckets[b]);
		d->evtchn_buckets[b] = NULL;
	}
}

/** See hv/evtchn.h. Copy in, typed call, copy out; no guest pointer past this point. */
long do_event_channel_op(struct vcpu *v, u64 cmd, u64 arg)
{
	union {
		struct evtchn_alloc_unbound alloc_unbound;
		struct evtchn_bind_interdomain bind_interdomain;
		struct evtchn_bind_virq bind_virq;
		struct evtchn_bind_ipi bind_ipi;
		struct evtchn_close close;
		struct evtchn_send send;
		struct evtchn_status status;
		struct evtchn_bind_vcpu bind_vcpu;
		struct evtchn_unmask unmask;
	} u;
	size_t size;
	bool copy_out = false;
	long rc;

	switch (cmd) {
	case EVTCHNOP_alloc_unbound:
		size = sizeof(u.alloc_unbound);
		copy_out = true;
		break;
	case EVTCHNOP_bind_interdomain:
		size = sizeof(u.bind_interdomain);
		copy_out = true;
		break;
	case EVTCHNOP_bind_virq:
		size = sizeof(u.bind_virq);
		copy_out = true;
		break;
	case EVTCHNOP_bind_ipi:
		size = sizeof(u.bind_ipi);
		copy_out = true;
		break;
	case EVTCHNOP_status:
		size = sizeof(u.status);
		copy_out = true;
		break;
	case EVTCHNOP_close:
	case EVTCHNOP_send:
	case EVTCHNOP_unmask:
		size = sizeof(u.close);
		break;
	case EVTCHNOP_bind_vcpu:
		size = sizeof(u.bind_vcpu);
		break;
	default:
		/*
		 * init_control, expand_array, set_priority: no FIFO ABI, so Linux uses
		 * 2-level. reset, bind_pirq: not implemented.
		 */
		return -HV_ENOSYS;
	}
	if (copy_from_guest_va(v, &u, arg, size) != 0) {
		return -HV_EFAULT;
	}
	switch (cmd) {
	case EVTCHNOP_alloc_unbound:
		rc = evtchn_alloc_unbound(v, &u.alloc_unbound);
		break;
	case EVTCHNOP_bind_interdomain:
		rc = evtchn_bind_interdomain(v, &u.bind_interdomain);
		break;
	case EVTCHNOP_bind_virq:
		rc = evtchn_bind_virq(v, &u.bind_virq);
		break;
	case EVTCHNOP_bind_ipi:
		rc = evtchn_bind_ipi(v, &u.bind_ipi);
		break;
	case EVTCHNOP_status:
		rc = evtchn_status(v, &u.status);
		break;
	case EVTCHNOP_close:
		rc = evtchn_close_port(v->domain, u.close.port);
		break;
	case EVTCHNOP_send:
		rc = evtchn_send(v->domain, u.send.port);
		break;
	case EVTCHNOP_unmask:
		rc = evtchn_unmask(v->domain, u.unmask.port);
		break;
	case EVTCHNOP_bind_vcpu:
		rc = evtchn_bind_vcpu(v, &u.bind_vcpu);
		break;
	default:
		rc = -HV_ENOSYS;
		break;
	}
	if (rc == 0 && copy_out && copy_to_guest_va(v, arg, &u, size) != 0) {
		/* The port stays allocated, as in Xen; the guest can find it with status. */
		rc = -HV_EFAULT;
	}
	return rc;
}
