/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lamina-xenstored core: the node tree (store.c) and the protocol engine (proto.c).
 *
 * The core is host-portable: it performs no I/O of its own. A transport creates one
 * struct xsd_conn per client (Dom0's kernel ring, each Unix-socket client, each guest
 * ring), feeds received bytes with xsd_conn_feed(), and drains replies and watch events
 * with xsd_conn_out_peek()/xsd_conn_out_consume() whenever ops->kick says there is output.
 * Domain rings are set up and torn down through ops->introduce / ops->release.
 *
 * Everything runs on one thread; nothing here is thread-safe.
 */
#ifndef LAMINA_XENSTORED_XSD_H
#define LAMINA_XENSTORED_XSD_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <lam/xs_wire.h>

/* Quotas for unprivileged domains (Xen's defaults). */
#define XSD_QUOTA_NODES 1000	     /* nodes owned per domain           -> ENOSPC */
#define XSD_QUOTA_ENTRY_SIZE 2048    /* node record (value, children..)  -> ENOSPC */
#define XSD_QUOTA_WATCHES 128	     /* watches per connection           -> E2BIG  */
#define XSD_QUOTA_TRANSACTIONS 10    /* open transactions per connection -> ENOSPC */
#define XSD_QUOTA_PERMS 5	     /* entries in a permission list     -> ENOSPC */
#define XSD_QUOTA_OUTPUT (64 * 1024) /* queued output before watch events are dropped */

#define XSD_DOMID_SELF 0x7ff0u
#define XSD_DOMID_FIRST_RESERVED 0x7ff0u

/* Permission bits (wire letters n, r, w, b). XSD_PERM_OWNER is internal only. */
#define XSD_PERM_NONE 0u
#define XSD_PERM_READ 1u
#define XSD_PERM_WRITE 2u
#define XSD_PERM_OWNER 4u

enum xsd_log_level {
	XSD_LOG_ERROR,
	XSD_LOG_WARN,
	XSD_LOG_INFO,
	XSD_LOG_DEBUG,
};

/* ---- store.c: the tree ---------------------------------------------------------- */

struct xsd_perm {
	uint32_t id;
	uint32_t perms; /* XSD_PERM_READ | XSD_PERM_WRITE */
};

struct xsd_node {
	char *name; /* leaf name; "" for the root */
	struct xsd_node *parent;
	struct xsd_node **children; /* in creation order */
	unsigned nr_children, cap_children;
	char *value;
	unsigned len;
	struct xsd_perm *perms; /* perms[0] = owner + default; never empty */
	unsigned nr_perms;
	uint64_t gen; /* store-wide counter value at the last change of this node */
};

struct xsd_acct {
	uint32_t domid;
	unsigned nodes;
};

struct xsd_tree {
	struct xsd_node *root;
	uint64_t *gen_counter; /* shared by a store's main tree and its transactions' copies */
	struct xsd_acct *acct;
	unsigned nr_acct, cap_acct;
};

struct xsd_tree *xsd_tree_new(uint64_t *gen_counter);
struct xsd_tree *xsd_tree_clone(const struct xsd_tree *t);
void xsd_tree_free(struct xsd_tree *t);
/** The node at an absolute, valid path, or NULL. */
struct xsd_node *xsd_tree_lookup(const struct xsd_tree *t, const char *path);
/** The node at path if it exists, else its nearest existing ancestor (never NULL). */
struct xsd_node *xsd_tree_nearest(const struct xsd_tree *t, const char *path);
/** How many path components below nearest are missing (0 = path exists). */
unsigned xsd_tree_missing(const struct xsd_tree *t, const char *path);
/**
 * Creates path and any missing parents (each inherits its parent's perms; if owner is
 * not XSD_NO_OWNER it becomes each new node's owner). Returns the node or NULL (ENOMEM).
 */
#define XSD_NO_OWNER UINT32_MAX
struct xsd_node *xsd_tree_create(struct xsd_tree *t, const char *path, uint32_t owner);
int xsd_node_set_value(struct xsd_tree *t, struct xsd_node *n, const void *val, size_t len);
int xsd_node_set_perms(struct xsd_tree *t, struct xsd_node *n, const struct xsd_perm *p,
		       unsigned nr);
/** Marks n changed (new generation) without changing its contents. */
void xsd_node_touch(struct xsd_tree *t, struct xsd_node *n);
/** Removes n and everything below (not the root). visit, if set, sees each node first. */
void xsd_tree_remove(struct xsd_tree *t, struct xsd_node *n,
		     void (*visit)(struct xsd_node *n, const char *path, void *arg), void *arg);
/** Writes the absolute path of n into buf (size XENSTORE_ABS_PATH_MAX + 1 is enough). */
void xsd_node_path(const struct xsd_node *n, char *buf, size_t size);
/** Nodes owned by domid. */
unsigned xsd_tree_owned(const struct xsd_tree *t, uint32_t domid);
/** Size of n's record as Xen counts it for the entry-size quota. */
size_t xsd_node_record_size(const struct xsd_node *n);

/** Effective rights (XSD_PERM_*) of a caller on a permission list. */
unsigned xsd_perm_for(const struct xsd_perm *p, unsigned nr, uint32_t domid, bool privileged,
		      uint32_t target);
/** Parses "r5\0n0\0..." (count strings, each NUL-terminated) into out (count entries). */
int xsd_perms_parse(const char *buf, size_t len, struct xsd_perm *out, unsigned max,
		    unsigned *count);
/** Formats perms in wire form into buf; returns the length or -E2BIG. */
int xsd_perms_format(const struct xsd_perm *p, unsigned nr, char *buf, size_t size);

/** True if path is a valid absolute node path (Xen's rules). */
bool xsd_path_valid(const char *path);
/** True if path is parent or below it. */
bool xsd_path_is_child(const char *path, const char *parent);
/** Strict unsigned decimal parse of a NUL-terminated string. */
int xsd_parse_uint(const char *s, uint64_t max, uint64_t *out);

/* ---- proto.c: connections, requests, watches, transactions, domains ------------- */

struct xsd_store;
struct xsd_conn;

struct xsd_ops {
	/** conn has new output queued (called after each request and each event). */
	void (*kick)(struct xsd_conn *conn);
	/**
	 * XS_INTRODUCE of a new domain: map its ring, bind port, and return a new
	 * connection made with xsd_conn_new(st, domid, false, io), or NULL + *err.
	 */
	struct xsd_conn *(*introduce)(struct xsd_store *st, uint32_t domid, uint64_t gfn,
				      uint32_t port, int *err);
	/** Re-bind a domain's event channel (XS_INTRODUCE again with the same gfn). */
	int (*rebind)(struct xsd_conn *conn, uint32_t port);
	/** The domain of conn is released: unmap and unbind; conn is freed afterwards. */
	void (*release)(struct xsd_conn *conn);
	void (*log)(enum xsd_log_level level, const char *msg);
};

struct xsd_store *xsd_store_new(const struct xsd_ops *ops);
void xsd_store_free(struct xsd_store *st);
/** Writes /local/domain/0/{name,domid} (what xen-init-dom0 does). */
int xsd_store_setup_dom0(struct xsd_store *st);
struct xsd_tree *xsd_store_tree(struct xsd_store *st);
void xsd_log(struct xsd_store *st, enum xsd_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/** A new client; privileged connections (Dom0) bypass permissions and quotas. */
struct xsd_conn *xsd_conn_new(struct xsd_store *st, uint32_t domid, bool privileged, void *io);
/** Closes a client: its watches and transactions go (not for introduced domains: release). */
void xsd_conn_free(struct xsd_conn *conn);
void *xsd_conn_io(const struct xsd_conn *conn);
uint32_t xsd_conn_domid(const struct xsd_conn *conn);
/**
 * Feeds received bytes; complete requests are processed at once. Returns 0, or
 * -EPROTO once the stream is unusable (a header with len > XENSTORE_PAYLOAD_MAX: it
 * is answered with EINVAL and later input is ignored; the transport should close).
 */
int xsd_conn_feed(struct xsd_conn *conn, const void *buf, size_t len);
bool xsd_conn_broken(const struct xsd_conn *conn);
/** Forgets a connection's watches, transactions, partial input and queued output. */
void xsd_conn_reset(struct xsd_conn *conn);
/** Queued output: a contiguous run of bytes (NULL, *len 0 when empty). */
const void *xsd_conn_out_peek(const struct xsd_conn *conn, size_t *len);
void xsd_conn_out_consume(struct xsd_conn *conn, size_t n);
size_t xsd_conn_out_len(const struct xsd_conn *conn);

/** A domain as the hypervisor reports it, for xsd_domains_update(). */
struct xsd_domstate {
	uint32_t domid;
	bool shutdown;
	bool dying;
};

/**
 * The hypervisor's current domain list (after VIRQ_DOM_EXC): introduced domains that
 * are missing or dying are released; a domain seen shut down for the first time only
 * fires @releaseDomain (as Xen's xenstored does).
 */
void xsd_domains_update(struct xsd_store *st, const struct xsd_domstate *doms, unsigned n);
/** True if domid was introduced (0 always is). */
bool xsd_domain_introduced(struct xsd_store *st, uint32_t domid);
/** Releases domid as XS_RELEASE would (0 or -ENOENT). */
int xsd_domain_release(struct xsd_store *st, uint32_t domid);
/** Calls fn for each introduced domain's connection (e.g. to poll its ring). */
void xsd_for_each_domain(struct xsd_store *st, void (*fn)(struct xsd_conn *conn, void *arg),
			 void *arg);

#endif /* LAMINA_XENSTORED_XSD_H */
