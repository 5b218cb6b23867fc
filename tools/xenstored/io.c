/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Shared-ring transport. A ring page holds two 1 KiB byte rings with free-running u32
 * indices (Xen's xen/include/public/io/xs_wire.h, struct xenstore_domain_interface, and
 * docs/misc/xenstore-ring.txt): the client produces requests in req[] and
 * the server consumes them; the server produces into rsp[]. Indices are valid while
 * prod - cons <= XENSTORE_RING_SIZE; a ring that breaks this is given up (error field
 * set, connection ignored, as Xen's xenstored does). Linux notifies only when the
 * server had drained everything, so the server re-scans until no progress is made and
 * notifies after every batch it produced or consumed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <lam/gntdev.h>

#include "io.h"

#define XSD_PROC_PORT "/proc/xen/xsd_port"
#define XSD_PROC_KVA "/proc/xen/xsd_kva"

#define SERVER_FEATURES XENSTORE_SERVER_FEATURE_RECONNECTION

struct lam_evtchn *xsd_evtchn;

static uint32_t idx_load(const volatile XENSTORE_RING_IDX *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static void idx_store(volatile XENSTORE_RING_IDX *p, uint32_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

static void ring_fail(struct xsd_ring *r, uint32_t error, const char *why)
{
	r->dead = true;
	r->intf->error = error;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (r->local_port) {
		lam_evtchn_notify(xsd_evtchn, r->local_port);
	}
	xsd_log(r->st, XSD_LOG_WARN, "domain %u: %s; ignoring its ring from now on", r->domid, why);
}

/* A guest asked for a fresh start (connection = RECONNECT): drop its state, reset. */
static void ring_reconnect(struct xsd_ring *r)
{
	xsd_log(r->st, XSD_LOG_INFO, "domain %u asked to reconnect its ring", r->domid);
	xsd_conn_reset(r->conn);
	r->intf->req_cons = r->intf->req_prod = 0;
	r->intf->rsp_cons = r->intf->rsp_prod = 0;
	r->intf->error = XENSTORE_ERROR_NONE;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	r->intf->connection = XENSTORE_CONNECTED;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	lam_evtchn_notify(xsd_evtchn, r->local_port);
}

/* Moves requests into the core; returns bytes consumed or -1 on a broken ring. */
static long ring_read(struct xsd_ring *r)
{
	struct xenstore_domain_interface *in = r->intf;
	uint32_t cons = idx_load(&in->req_cons);
	uint32_t prod = idx_load(&in->req_prod);
	long total = 0;

	if (prod - cons > XENSTORE_RING_SIZE) {
		ring_fail(r, XENSTORE_ERROR_RINGIDX, "bad request ring indices");
		return -1;
	}
	while (cons != prod && xsd_conn_out_len(r->conn) < XSD_QUOTA_OUTPUT) {
		uint32_t off = MASK_XENSTORE_IDX(cons);
		uint32_t n = prod - cons;
		char buf[XENSTORE_RING_SIZE];

		if (n > XENSTORE_RING_SIZE - off) {
			n = XENSTORE_RING_SIZE - off;
		}
		memcpy(buf, in->req + off, n);
		cons += n;
		total += n;
		/* Free the space before acting, so the client may go on writing. */
		idx_store(&in->req_cons, cons);
		if (xsd_conn_feed(r->conn, buf, n) < 0) {
			ring_fail(r, XENSTORE_ERROR_PROTO, "malformed request");
			return -1;
		}
		prod = idx_load(&in->req_prod);
		if (prod - cons > XENSTORE_RING_SIZE) {
			ring_fail(r, XENSTORE_ERROR_RINGIDX, "bad request ring indices");
			return -1;
		}
	}
	return total;
}

/* Moves queued output into rsp[]; returns bytes produced or -1 on a broken ring. */
static long ring_write(struct xsd_ring *r)
{
	struct xenstore_domain_interface *in = r->intf;
	uint32_t cons = idx_load(&in->rsp_cons);
	uint32_t prod = idx_load(&in->rsp_prod);
	long total = 0;

	if (prod - cons > XENSTORE_RING_SIZE) {
		ring_fail(r, XENSTORE_ERROR_RINGIDX, "bad response ring indices");
		return -1;
	}
	for (;;) {
		size_t avail;
		const char *data = xsd_conn_out_peek(r->conn, &avail);
		uint32_t off = MASK_XENSTORE_IDX(prod);
		uint32_t space = XENSTORE_RING_SIZE - (prod - cons);
		uint32_t n;

		if (!avail || !space) {
			break;
		}
		n = space;
		if (n > XENSTORE_RING_SIZE - off) {
			n = XENSTORE_RING_SIZE - off;
		}
		if (n > avail) {
			n = (uint32_t)avail;
		}
		memcpy(in->rsp + off, data, n);
		xsd_conn_out_consume(r->conn, n);
		prod += n;
		total += n;
		idx_store(&in->rsp_prod, prod); /* data before the index (release) */
		cons = idx_load(&in->rsp_cons);
		if (prod - cons > XENSTORE_RING_SIZE) {
			ring_fail(r, XENSTORE_ERROR_RINGIDX, "bad response ring indices");
			return -1;
		}
	}
	return total;
}

void xsd_ring_process(struct xsd_ring *r)
{
	bool notify = false;

	if (r->dead) {
		return;
	}
	if (r->intf->connection == XENSTORE_RECONNECT && r->granted) {
		ring_reconnect(r);
		return;
	}
	for (;;) {
		long in = ring_read(r);
		long out = in < 0 ? -1 : ring_write(r);

		if (in < 0 || out < 0) {
			return;
		}
		if (in || out) {
			notify = true;
		}
		if (!in && !out) {
			break;
		}
	}
	if (notify) {
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		lam_evtchn_notify(xsd_evtchn, r->local_port);
	}
}

static int read_port(uint32_t *port)
{
	char buf[32];
	ssize_t n;
	uint64_t v;
	int fd = open(XSD_PROC_PORT, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		return -errno;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0) {
		return -EIO;
	}
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' ')) {
		buf[--n] = '\0';
	}
	if (xsd_parse_uint(buf, UINT32_MAX, &v) || v == 0) {
		return -EINVAL;
	}
	*port = (uint32_t)v;
	return 0;
}

int xsd_ring_attach_dom0(struct xsd_store *st, struct xsd_ring **out)
{
	struct xsd_ring *r = calloc(1, sizeof(*r));
	uint32_t port = 0;
	void *page;
	int fd, rc;

	if (!r) {
		return -ENOMEM;
	}
	rc = read_port(&port);
	if (rc) {
		xsd_log(st, XSD_LOG_ERROR,
			"cannot read the kernel's xenstore port from %s: %s (is xenfs mounted on "
			"/proc/xen, and is Dom0's xenbus in local mode?)",
			XSD_PROC_PORT, strerror(-rc));
		goto fail;
	}
	fd = open(XSD_PROC_KVA, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		xsd_log(st, XSD_LOG_ERROR, "cannot open %s: %s", XSD_PROC_KVA, strerror(errno));
		goto fail;
	}
	page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (page == MAP_FAILED) {
		rc = -errno;
		xsd_log(st, XSD_LOG_ERROR, "cannot map %s: %s", XSD_PROC_KVA, strerror(errno));
		goto fail;
	}
	rc = lam_evtchn_bind_interdomain(xsd_evtchn, 0, port);
	if (rc < 0) {
		xsd_log(st, XSD_LOG_ERROR, "cannot bind to Dom0's xenstore port %u: %s", port,
			strerror(-rc));
		munmap(page, 4096);
		goto fail;
	}
	r->io.kind = XSD_IO_RING;
	r->st = st;
	r->intf = page;
	r->domid = 0;
	r->local_port = (uint32_t)rc;
	r->conn = xsd_conn_new(st, 0, true, r);
	if (!r->conn) {
		lam_evtchn_unbind(xsd_evtchn, r->local_port);
		munmap(page, 4096);
		rc = -ENOMEM;
		goto fail;
	}
	r->intf->server_features |= SERVER_FEATURES;
	r->intf->connection = XENSTORE_CONNECTED;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	lam_evtchn_notify(xsd_evtchn, r->local_port); /* wakes xenbus_probe in the kernel */
	xsd_log(st, XSD_LOG_INFO, "attached to Dom0's kernel ring (port %u, local port %u)", port,
		r->local_port);
	*out = r;
	return 0;
fail:
	free(r);
	return rc;
}

struct find_port {
	uint32_t port;
	struct xsd_ring *found;
};

static void find_port_fn(struct xsd_conn *conn, void *arg)
{
	struct find_port *f = arg;
	struct xsd_ring *r = xsd_conn_io(conn);

	if (r && r->io.kind == XSD_IO_RING && r->local_port == f->port) {
		f->found = r;
	}
}

struct xsd_ring *xsd_ring_by_port(struct xsd_store *st, struct xsd_ring *dom0, uint32_t port)
{
	struct find_port f = { port, NULL };

	if (dom0 && dom0->local_port == port) {
		return dom0;
	}
	xsd_for_each_domain(st, find_port_fn, &f);
	return f.found;
}

struct xsd_conn *xsd_io_introduce(struct xsd_store *st, uint32_t domid, uint64_t gfn, uint32_t port,
				  int *err)
{
	struct xsd_ring *r;
	int rc;

	if (!xsd_evtchn) {
		*err = -ENOSYS;
		return NULL;
	}
	r = calloc(1, sizeof(*r));
	if (!r) {
		*err = -ENOMEM;
		return NULL;
	}
	r->io.kind = XSD_IO_RING;
	r->st = st;
	r->domid = domid;
	r->granted = true;
	/* The builder grants the ring as reference 1; gfn is kept for re-introduction checks. */
	r->intf = lam_gnt_map(domid, GNTTAB_RESERVED_XENSTORE, 1);
	if (!r->intf) {
		rc = -errno;
		xsd_log(st, XSD_LOG_ERROR, "domain %u: cannot map its xenstore ring (grant %u): %s",
			domid, GNTTAB_RESERVED_XENSTORE, strerror(errno));
		goto fail;
	}
	if (r->intf->evtchn_port) {
		port = r->intf->evtchn_port; /* the guest's own choice wins */
	}
	rc = lam_evtchn_bind_interdomain(xsd_evtchn, domid, port);
	if (rc < 0) {
		xsd_log(st, XSD_LOG_ERROR, "domain %u: cannot bind its xenstore port %u: %s", domid,
			port, strerror(-rc));
		lam_gnt_unmap(r->intf);
		goto fail;
	}
	r->local_port = (uint32_t)rc;
	r->conn = xsd_conn_new(st, domid, false, r);
	if (!r->conn) {
		lam_evtchn_unbind(xsd_evtchn, r->local_port);
		lam_gnt_unmap(r->intf);
		rc = -ENOMEM;
		goto fail;
	}
	r->intf->server_features |= SERVER_FEATURES;
	if (r->intf->connection == XENSTORE_RECONNECT) {
		ring_reconnect(r);
	}
	(void)gfn;
	return r->conn;
fail:
	free(r);
	*err = rc;
	return NULL;
}

int xsd_io_rebind(struct xsd_conn *conn, uint32_t port)
{
	struct xsd_ring *r = xsd_conn_io(conn);
	int rc;

	if (r->intf->evtchn_port) {
		port = r->intf->evtchn_port;
	}
	lam_evtchn_unbind(xsd_evtchn, r->local_port);
	rc = lam_evtchn_bind_interdomain(xsd_evtchn, r->domid, port);
	if (rc < 0) {
		r->local_port = 0;
		r->dead = true;
		return rc;
	}
	r->local_port = (uint32_t)rc;
	r->dead = false;
	lam_evtchn_notify(xsd_evtchn, r->local_port);
	return 0;
}

void xsd_io_release(struct xsd_conn *conn)
{
	struct xsd_ring *r = xsd_conn_io(conn);

	if (!r) {
		return;
	}
	if (r->local_port) {
		lam_evtchn_unbind(xsd_evtchn, r->local_port);
	}
	if (r->granted) {
		lam_gnt_unmap(r->intf);
	}
	free(r);
}
