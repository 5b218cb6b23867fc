/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lamina-xenstored transports (Linux): shared xenstore rings (Dom0's kernel and each
 * introduced guest) in io.c, the Unix socket and the main loop in main.c.
 */
#ifndef LAMINA_XENSTORED_IO_H
#define LAMINA_XENSTORED_IO_H

#include <stdbool.h>
#include <stdint.h>

#include <lam/evtchn.h>

#include "xsd.h"

enum xsd_io_kind {
	XSD_IO_RING,
	XSD_IO_SOCKET,
};

/* First member of every transport's per-connection state (xsd_conn_io()). */
struct xsd_io {
	enum xsd_io_kind kind;
};

struct xsd_ring {
	struct xsd_io io;
	struct xsd_store *st;
	struct xenstore_domain_interface *intf;
	struct xsd_conn *conn;
	uint32_t domid;
	uint32_t local_port;
	bool granted; /* mapped with lam_gnt_map() (guests), else Dom0's kernel page */
	bool dead;    /* bad indices or protocol error: ignored from now on */
};

/* The event-channel handle every ring binds through (set by main.c). */
extern struct lam_evtchn *xsd_evtchn;

/**
 * Attaches to Dom0's kernel xenbus in local mode: reads /proc/xen/xsd_port, maps
 * /proc/xen/xsd_kva, binds the loopback channel and notifies the kernel.
 */
int xsd_ring_attach_dom0(struct xsd_store *st, struct xsd_ring **out);
/** Serves a ring: consumes requests, produces output, notifies. */
void xsd_ring_process(struct xsd_ring *r);
/** The ring behind a fired local port, or NULL. */
struct xsd_ring *xsd_ring_by_port(struct xsd_store *st, struct xsd_ring *dom0, uint32_t port);

/* xsd_ops hooks for guest domains (gntdev + evtchn). */
struct xsd_conn *xsd_io_introduce(struct xsd_store *st, uint32_t domid, uint64_t gfn, uint32_t port,
				  int *err);
int xsd_io_rebind(struct xsd_conn *conn, uint32_t port);
void xsd_io_release(struct xsd_conn *conn);

#endif /* LAMINA_XENSTORED_IO_H */
