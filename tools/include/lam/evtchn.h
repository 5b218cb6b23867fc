/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Event channels from Dom0 userspace, over /dev/xen/evtchn (Linux xen-evtchn).
 *
 * Each handle owns one open file; ports bound through it are closed when it is closed.
 * A fired port stays masked until lam_evtchn_unmask() writes it back. Functions return
 * 0 (or a port number) on success and a negative errno on failure.
 */
#ifndef LAM_EVTCHN_H
#define LAM_EVTCHN_H

#include <stdbool.h>
#include <stdint.h>

#define LAM_EVTCHN_DEVICE "/dev/xen/evtchn"

#define LAM_VIRQ_DOM_EXC 3 /* a domain shut down or died (global VIRQ) */

struct lam_evtchn;

/** Opens /dev/xen/evtchn (blocking reads; see lam_evtchn_set_nonblock()). */
int lam_evtchn_open(struct lam_evtchn **out);
void lam_evtchn_close(struct lam_evtchn *xce);
/** The file descriptor, for poll(): readable when a port has fired. */
int lam_evtchn_fd(struct lam_evtchn *xce);
/** Makes lam_evtchn_pending() return -EAGAIN instead of blocking when nothing fired. */
int lam_evtchn_set_nonblock(struct lam_evtchn *xce, bool nonblock);

/** Binds to remote_port of domid (domid may be 0 for a loopback channel); returns the local port. */
int lam_evtchn_bind_interdomain(struct lam_evtchn *xce, uint32_t domid, uint32_t remote_port);
/** Binds a VIRQ (e.g. LAM_VIRQ_DOM_EXC) on vCPU 0; returns the local port. */
int lam_evtchn_bind_virq(struct lam_evtchn *xce, uint32_t virq);
/** Allocates a port that domid may bind to; returns the local port. */
int lam_evtchn_bind_unbound_port(struct lam_evtchn *xce, uint32_t domid);
int lam_evtchn_unbind(struct lam_evtchn *xce, uint32_t port);
int lam_evtchn_notify(struct lam_evtchn *xce, uint32_t port);

/** Reads one fired port (blocking unless nonblocking: then -EAGAIN when none). */
int lam_evtchn_pending(struct lam_evtchn *xce);
/** Re-enables delivery of a port after it fired. */
int lam_evtchn_unmask(struct lam_evtchn *xce, uint32_t port);

#endif /* LAM_EVTCHN_H */
