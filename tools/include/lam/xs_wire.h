/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The xenstore wire protocol: the 16-byte message header, the message types, the error
 * names sent in XS_ERROR replies and the shared ring page a domain and the xenstore
 * daemon talk through. Our own definitions, layout-identical to Xen's
 * xen/include/public/io/xs_wire.h (protocol in Xen's docs/misc/xenstore.txt).
 *
 * The same framing is used on a domain's ring and on the daemon's Unix socket: a
 * struct xsd_sockmsg followed by len (<= XENSTORE_PAYLOAD_MAX) payload bytes.
 */
#ifndef LAM_XS_WIRE_H
#define LAM_XS_WIRE_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

enum xsd_sockmsg_type {
	XS_CONTROL = 0,
	XS_DEBUG = XS_CONTROL,
	XS_DIRECTORY = 1,
	XS_READ = 2,
	XS_GET_PERMS = 3,
	XS_WATCH = 4,
	XS_UNWATCH = 5,
	XS_TRANSACTION_START = 6,
	XS_TRANSACTION_END = 7,
	XS_INTRODUCE = 8,
	XS_RELEASE = 9,
	XS_GET_DOMAIN_PATH = 10,
	XS_WRITE = 11,
	XS_MKDIR = 12,
	XS_RM = 13,
	XS_SET_PERMS = 14,
	XS_WATCH_EVENT = 15, /* server -> client only */
	XS_ERROR = 16,	     /* server -> client only */
	XS_IS_DOMAIN_INTRODUCED = 17,
	XS_RESUME = 18,
	XS_SET_TARGET = 19,
	/* 20 was XS_RESTRICT; invalid now */
	XS_RESET_WATCHES = 21,
	XS_DIRECTORY_PART = 22,
	XS_GET_FEATURE = 23,
	XS_SET_FEATURE = 24,
	XS_GET_QUOTA = 25,
	XS_SET_QUOTA = 26,
	XS_TYPE_COUNT,
	XS_INVALID = 0xffff,
};

struct xsd_sockmsg {
	uint32_t type;	 /* XS_* */
	uint32_t req_id; /* echoed in the reply; 0 in watch events */
	uint32_t tx_id;	 /* transaction, 0 for none */
	uint32_t len;	 /* payload bytes that follow */
};

_Static_assert(sizeof(struct xsd_sockmsg) == 16, "xsd_sockmsg size");
_Static_assert(offsetof(struct xsd_sockmsg, req_id) == 4, "xsd_sockmsg.req_id");
_Static_assert(offsetof(struct xsd_sockmsg, tx_id) == 8, "xsd_sockmsg.tx_id");
_Static_assert(offsetof(struct xsd_sockmsg, len) == 12, "xsd_sockmsg.len");

/* Watch event payload: "path\0token\0". */
enum xs_watch_type {
	XS_WATCH_PATH = 0,
	XS_WATCH_TOKEN,
};

/* Limits. */
#define XENSTORE_PAYLOAD_MAX 4096 /* per message, header excluded */
#define XENSTORE_ABS_PATH_MAX 3072
#define XENSTORE_REL_PATH_MAX 2048

/* ---- The ring page (one 4 KiB page; 2080 bytes used) ---- */

#define XENSTORE_RING_SIZE 1024
#define MASK_XENSTORE_IDX(idx) ((idx) & (XENSTORE_RING_SIZE - 1))

typedef uint32_t XENSTORE_RING_IDX;

struct xenstore_domain_interface {
	char req[XENSTORE_RING_SIZE]; /* requests, client -> server */
	char rsp[XENSTORE_RING_SIZE]; /* replies and watch events, server -> client */
	XENSTORE_RING_IDX req_cons, req_prod;
	XENSTORE_RING_IDX rsp_cons, rsp_prod;
	uint32_t server_features; /* XENSTORE_SERVER_FEATURE_*, written by the server only */
	uint32_t connection;	  /* XENSTORE_CONNECTED / XENSTORE_RECONNECT */
	uint32_t error;		  /* XENSTORE_ERROR_*, written by the server */
	uint32_t evtchn_port;	  /* guest port the server may bind (0 = use INTRODUCE's) */
};

_Static_assert(offsetof(struct xenstore_domain_interface, rsp) == 1024, "xs ring rsp");
_Static_assert(offsetof(struct xenstore_domain_interface, req_cons) == 2048, "xs ring req_cons");
_Static_assert(offsetof(struct xenstore_domain_interface, req_prod) == 2052, "xs ring req_prod");
_Static_assert(offsetof(struct xenstore_domain_interface, rsp_cons) == 2056, "xs ring rsp_cons");
_Static_assert(offsetof(struct xenstore_domain_interface, rsp_prod) == 2060, "xs ring rsp_prod");
_Static_assert(offsetof(struct xenstore_domain_interface, server_features) == 2064,
	       "xs ring server_features");
_Static_assert(offsetof(struct xenstore_domain_interface, connection) == 2068,
	       "xs ring connection");
_Static_assert(offsetof(struct xenstore_domain_interface, error) == 2072, "xs ring error");
_Static_assert(offsetof(struct xenstore_domain_interface, evtchn_port) == 2076,
	       "xs ring evtchn_port");
_Static_assert(sizeof(struct xenstore_domain_interface) == 2080, "xs ring size");

#define XENSTORE_SERVER_FEATURE_RECONNECTION (1u << 0)
#define XENSTORE_SERVER_FEATURE_ERROR (1u << 1)
#define XENSTORE_SERVER_FEATURE_WATCHDEPTH (1u << 2)
#define XENSTORE_SERVER_FEATURE_DOMID_ANY (1u << 3)

#define XENSTORE_CONNECTED 0 /* the steady state */
#define XENSTORE_RECONNECT 1 /* the guest asks the server to reset the ring */

#define XENSTORE_ERROR_NONE 0
#define XENSTORE_ERROR_COMM 1	 /* communication problem */
#define XENSTORE_ERROR_RINGIDX 2 /* invalid ring index */
#define XENSTORE_ERROR_PROTO 3	 /* protocol violation (e.g. payload too long) */

/* Grant reference the domain builder reserves for the xenstore ring. */
#define GNTTAB_RESERVED_XENSTORE 1

/* ---- Error names (sent as "ENAME\0" in XS_ERROR replies), in Xen's table order ---- */

#define XS_WIRE_ERRORS(X) \
	X(EINVAL)         \
	X(EACCES)         \
	X(EEXIST)         \
	X(EISDIR)         \
	X(ENOENT)         \
	X(ENOMEM)         \
	X(ENOSPC)         \
	X(EIO)            \
	X(ENOTEMPTY)      \
	X(ENOSYS)         \
	X(EROFS)          \
	X(EBUSY)          \
	X(EAGAIN)         \
	X(EISCONN)        \
	X(E2BIG)          \
	X(EPERM)

/** The wire name of a positive errno value; unknown values map to "EINVAL" (as Xen does). */
static inline const char *xs_wire_errname(int err)
{
#define XS_WIRE_ERRNAME_CASE(e) \
	if (err == (e))         \
		return #e;
	XS_WIRE_ERRORS(XS_WIRE_ERRNAME_CASE)
#undef XS_WIRE_ERRNAME_CASE
	return "EINVAL";
}

/**
 * The positive errno for an error name of len bytes (a trailing NUL may be included);
 * unknown names give EINVAL, as the Linux client does.
 */
static inline int xs_wire_errnum(const char *name, size_t len)
{
	if (len > 0 && name[len - 1] == '\0') {
		len--;
	}
#define XS_WIRE_ERRNUM_CASE(e)                                     \
	if (len == sizeof(#e) - 1 && memcmp(name, #e, len) == 0) { \
		return e;                                          \
	}
	XS_WIRE_ERRORS(XS_WIRE_ERRNUM_CASE)
#undef XS_WIRE_ERRNUM_CASE
	return EINVAL;
}

#endif /* LAM_XS_WIRE_H */
