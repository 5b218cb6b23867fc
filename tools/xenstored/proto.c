/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The xenstore protocol engine: framing of client byte streams, request dispatch with
 * Xen's permission and quota rules, watches (with relative paths and the special
 * @introduceDomain / @releaseDomain events), transactions and introduced domains.
 *
 * Transactions: each one works on a private copy of the tree taken when it starts and
 * records the generation of every node it reads or changes, as the store had it when the
 * transaction started (nodes the transaction has not changed itself keep a generation at
 * or below start_gen). Commit checks those generations against the live tree; any
 * difference answers EAGAIN, otherwise the logged operations are replayed on the live
 * tree (firing watches then, and only then).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xsd.h"

#define XSD_SPECIAL_PERMS_MAX 32

struct xsd_watch {
	struct xsd_watch *next;
	char *path; /* absolute, or "@..." */
	char *token;
	bool relative; /* registered relative to the connection's home */
};

struct xsd_access {
	struct xsd_access *next;
	char *path;
	uint64_t gen; /* 0: absent */
};

struct xsd_txop {
	struct xsd_txop *next;
	uint32_t type; /* XS_WRITE, XS_MKDIR, XS_RM, XS_SET_PERMS */
	char *path;
	void *data; /* value bytes, or struct xsd_perm[] */
	size_t len; /* bytes, or number of perms */
};

struct xsd_tx {
	struct xsd_tx *next;
	uint32_t id;
	uint64_t start_gen;
	struct xsd_tree *tree;
	struct xsd_access *accessed;
	struct xsd_txop *ops, **ops_tail;
};

struct xsd_domain {
	struct xsd_domain *next;
	uint32_t domid;
	uint64_t gfn;
	uint32_t port;
	bool shutdown;
	struct xsd_conn *conn;
};

struct xsd_conn {
	struct xsd_store *st;
	struct xsd_conn *next, *prev;
	uint32_t domid;
	bool privileged;
	void *io;
	struct xsd_domain *dom; /* set for an introduced domain's ring */
	uint32_t target;	/* XS_SET_TARGET, else XSD_NO_OWNER */
	char home[32];		/* /local/domain/<domid> */

	/* input: one message at a time */
	unsigned char in[sizeof(struct xsd_sockmsg) + XENSTORE_PAYLOAD_MAX + 1];
	size_t in_len;
	bool broken;

	/* output queue */
	char *out;
	size_t out_head, out_tail, out_cap;

	struct xsd_watch *watches;
	unsigned nr_watches;
	struct xsd_tx *txs;
	unsigned nr_txs;
};

struct xsd_special {
	const char *name;
	struct xsd_perm perms[XSD_SPECIAL_PERMS_MAX];
	unsigned nr_perms;
};

struct xsd_store {
	const struct xsd_ops *ops;
	uint64_t gen;
	struct xsd_tree *tree;
	struct xsd_conn *conns;
	struct xsd_domain *doms;
	uint32_t next_txid;
	struct xsd_special special[2];
};

/* One request being served. */
struct req {
	struct xsd_conn *c;
	const struct xsd_sockmsg *hdr;
	const char *data; /* NUL appended past len */
	uint32_t len;
	struct xsd_tx *tx;
	struct xsd_tree *t; /* tx ? tx->tree : the live tree */
};

/* ---- logging -------------------------------------------------------------------- */

void xsd_log(struct xsd_store *st, enum xsd_log_level level, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (st && st->ops && st->ops->log) {
		st->ops->log(level, msg);
	} else {
		fprintf(stderr, "xenstored: %s\n", msg);
	}
}

/* ---- output --------------------------------------------------------------------- */

struct part {
	const void *p;
	size_t len;
};

static int out_reserve(struct xsd_conn *c, size_t need)
{
	size_t used = c->out_tail - c->out_head;

	if (c->out_head && (c->out_cap - c->out_tail < need)) {
		memmove(c->out, c->out + c->out_head, used);
		c->out_head = 0;
		c->out_tail = used;
	}
	if (c->out_cap - c->out_tail < need) {
		size_t cap = c->out_cap ? c->out_cap : 4096;
		char *n;

		while (cap - c->out_tail < need) {
			cap *= 2;
		}
		n = realloc(c->out, cap);
		if (!n) {
			return -ENOMEM;
		}
		c->out = n;
		c->out_cap = cap;
	}
	return 0;
}

static int out_msg(struct xsd_conn *c, uint32_t type, uint32_t req_id, uint32_t tx_id,
		   const struct part *parts, unsigned nr)
{
	struct xsd_sockmsg h = { .type = type, .req_id = req_id, .tx_id = tx_id, .len = 0 };
	unsigned i;

	for (i = 0; i < nr; i++) {
		h.len += (uint32_t)parts[i].len;
	}
	if (out_reserve(c, sizeof(h) + h.len)) {
		xsd_log(c->st, XSD_LOG_ERROR, "out of memory queueing a reply to domain %u",
			c->domid);
		return -ENOMEM;
	}
	memcpy(c->out + c->out_tail, &h, sizeof(h));
	c->out_tail += sizeof(h);
	for (i = 0; i < nr; i++) {
		if (parts[i].len) {
			memcpy(c->out + c->out_tail, parts[i].p, parts[i].len);
		}
		c->out_tail += parts[i].len;
	}
	if (c->st->ops && c->st->ops->kick) {
		c->st->ops->kick(c);
	}
	return 0;
}

static void reply_err(struct req *r, int err)
{
	const char *name = xs_wire_errname(err < 0 ? -err : err);
	struct part p = { name, strlen(name) + 1 };

	out_msg(r->c, XS_ERROR, r->hdr->req_id, r->hdr->tx_id, &p, 1);
}

static void reply(struct req *r, const void *data, size_t len)
{
	struct part p = { data, len };

	if (len > XENSTORE_PAYLOAD_MAX) {
		reply_err(r, -E2BIG);
		return;
	}
	out_msg(r->c, r->hdr->type, r->hdr->req_id, r->hdr->tx_id, &p, 1);
}

static void reply_ok(struct req *r)
{
	reply(r, "OK", 3);
}

const void *xsd_conn_out_peek(const struct xsd_conn *c, size_t *len)
{
	*len = c->out_tail - c->out_head;
	return *len ? c->out + c->out_head : NULL;
}

void xsd_conn_out_consume(struct xsd_conn *c, size_t n)
{
	size_t used = c->out_tail - c->out_head;

	if (n > used) {
		n = used;
	}
	c->out_head += n;
	if (c->out_head == c->out_tail) {
		c->out_head = c->out_tail = 0;
	}
}

size_t xsd_conn_out_len(const struct xsd_conn *c)
{
	return c->out_tail - c->out_head;
}

/* ---- watches -------------------------------------------------------------------- */

static void watch_free(struct xsd_watch *w)
{
	free(w->path);
	free(w->token);
	free(w);
}

static void queue_event(struct xsd_conn *c, const struct xsd_watch *w, const char *path)
{
	struct part p[2];

	if (w->relative && path[0] == '/') {
		size_t hl = strlen(c->home);

		if (strncmp(path, c->home, hl) == 0 && path[hl] == '/') {
			path += hl + 1;
		}
	}
	if (!c->privileged && xsd_conn_out_len(c) > XSD_QUOTA_OUTPUT) {
		xsd_log(c->st, XSD_LOG_WARN, "domain %u: output queue full, watch event %s dropped",
			c->domid, path);
		return;
	}
	p[0].p = path;
	p[0].len = strlen(path) + 1;
	p[1].p = w->token;
	p[1].len = strlen(w->token) + 1;
	out_msg(c, XS_WATCH_EVENT, 0, 0, p, 2);
}

static bool can_see(const struct xsd_conn *c, const struct xsd_perm *p, unsigned nr)
{
	if (c->privileged || !p) {
		return true;
	}
	return (xsd_perm_for(p, nr, c->domid, false, c->target) & XSD_PERM_READ) != 0;
}

/*
 * A change at path: fire every watch on path or an ancestor of it (exact: only watches
 * on path itself). The watcher must be able to read the node, with its perms before
 * (old) or after (now) the change.
 */
static void fire(struct xsd_store *st, const char *path, bool exact, const struct xsd_perm *now,
		 unsigned nr_now, const struct xsd_perm *old, unsigned nr_old)
{
	struct xsd_conn *c;
	struct xsd_watch *w;

	for (c = st->conns; c; c = c->next) {
		for (w = c->watches; w; w = w->next) {
			bool match;

			if (w->path[0] == '@') {
				continue;
			}
			match = exact ? strcmp(path, w->path) == 0
				      : xsd_path_is_child(path, w->path);
			if (!match) {
				continue;
			}
			if (!can_see(c, now, nr_now) && !(old && can_see(c, old, nr_old))) {
				continue;
			}
			queue_event(c, w, path);
		}
	}
}

static struct xsd_special *special_find(struct xsd_store *st, const char *name)
{
	unsigned i;

	for (i = 0; i < 2; i++) {
		if (strcmp(st->special[i].name, name) == 0) {
			return &st->special[i];
		}
	}
	return NULL;
}

static void fire_special(struct xsd_store *st, const char *name)
{
	struct xsd_special *sp = special_find(st, name);
	struct xsd_conn *c;
	struct xsd_watch *w;

	for (c = st->conns; c; c = c->next) {
		for (w = c->watches; w; w = w->next) {
			if (strcmp(w->path, name) == 0 && can_see(c, sp->perms, sp->nr_perms)) {
				queue_event(c, w, name);
			}
		}
	}
}

/* ---- transactions --------------------------------------------------------------- */

static void tx_free(struct xsd_tx *tx)
{
	while (tx->accessed) {
		struct xsd_access *a = tx->accessed;

		tx->accessed = a->next;
		free(a->path);
		free(a);
	}
	while (tx->ops) {
		struct xsd_txop *op = tx->ops;

		tx->ops = op->next;
		free(op->path);
		free(op->data);
		free(op);
	}
	xsd_tree_free(tx->tree);
	free(tx);
}

static struct xsd_tx *tx_find(struct xsd_conn *c, uint32_t id)
{
	struct xsd_tx *tx;

	for (tx = c->txs; tx; tx = tx->next) {
		if (tx->id == id) {
			return tx;
		}
	}
	return NULL;
}

static void tx_unlink(struct xsd_conn *c, struct xsd_tx *tx)
{
	struct xsd_tx **pp;

	for (pp = &c->txs; *pp; pp = &(*pp)->next) {
		if (*pp == tx) {
			*pp = tx->next;
			c->nr_txs--;
			return;
		}
	}
}

/*
 * Records what the transaction saw at path, unless the answer there is already decided
 * by the transaction's own changes (then the change itself was recorded first).
 */
static int tx_access(struct xsd_tx *tx, const char *path)
{
	struct xsd_node *n = xsd_tree_nearest(tx->tree, path);
	bool exists = xsd_tree_missing(tx->tree, path) == 0;
	struct xsd_access *a;

	if (n->gen > tx->start_gen) {
		return 0;
	}
	for (a = tx->accessed; a; a = a->next) {
		if (strcmp(a->path, path) == 0) {
			return 0;
		}
	}
	a = calloc(1, sizeof(*a));
	if (!a) {
		return -ENOMEM;
	}
	a->path = strdup(path);
	if (!a->path) {
		free(a);
		return -ENOMEM;
	}
	a->gen = exists ? n->gen : 0;
	a->next = tx->accessed;
	tx->accessed = a;
	return 0;
}

static int tx_log(struct xsd_tx *tx, uint32_t type, const char *path, const void *data, size_t len,
		  size_t bytes)
{
	struct xsd_txop *op = calloc(1, sizeof(*op));

	if (!op) {
		return -ENOMEM;
	}
	op->type = type;
	op->path = strdup(path);
	if (bytes) {
		op->data = malloc(bytes);
		if (op->data) {
			memcpy(op->data, data, bytes);
		}
	}
	if (!op->path || (bytes && !op->data)) {
		free(op->path);
		free(op->data);
		free(op);
		return -ENOMEM;
	}
	op->len = len;
	*tx->ops_tail = op;
	tx->ops_tail = &op->next;
	return 0;
}

/* ---- tree operations with Xen's checks (shared by requests and commit replay) ---- */

struct opctx {
	struct xsd_conn *c;
	struct xsd_tx *tx;
	struct xsd_tree *t;
	bool replay; /* commit: checks were done inside the transaction */
};

static unsigned perm_of(const struct opctx *o, const struct xsd_node *n)
{
	if (o->replay) {
		return XSD_PERM_READ | XSD_PERM_WRITE | XSD_PERM_OWNER;
	}
	return xsd_perm_for(n->perms, n->nr_perms, o->c->domid, o->c->privileged, o->c->target);
}

/*
 * The node at path with rights perm, or NULL and *err: EACCES without the rights, and
 * for a missing node ENOENT only if the nearest existing ancestor grants perm (so
 * callers learn nothing about places they may not look into).
 */
static struct xsd_node *get_node(const struct opctx *o, const char *path, unsigned perm, int *err)
{
	struct xsd_node *n = xsd_tree_lookup(o->t, path);

	if (n) {
		if ((perm_of(o, n) & perm) != perm) {
			*err = -EACCES;
			return NULL;
		}
		return n;
	}
	n = xsd_tree_nearest(o->t, path);
	*err = (perm_of(o, n) & perm) ? -ENOENT : -EACCES;
	return NULL;
}

static bool quota_applies(const struct opctx *o)
{
	return !o->replay && !o->c->privileged;
}

static int op_write(struct opctx *o, const char *path, const void *val, size_t len, bool mkdir)
{
	struct xsd_node *n;
	int err = 0;

	n = get_node(o, path, XSD_PERM_WRITE, &err);
	if (!n && err != -ENOENT) {
		return err;
	}
	if (n && mkdir) {
		return 0; /* already there: fine, and nothing changes */
	}
	if (quota_applies(o)) {
		if (!n) {
			unsigned missing = xsd_tree_missing(o->t, path);
			struct xsd_node *p = xsd_tree_nearest(o->t, path);

			if (xsd_tree_owned(o->t, o->c->domid) + missing > XSD_QUOTA_NODES) {
				return -ENOSPC;
			}
			if (16 + p->nr_perms * 8 + len >= XSD_QUOTA_ENTRY_SIZE) {
				return -ENOSPC;
			}
		} else if (xsd_node_record_size(n) - n->len + len >= XSD_QUOTA_ENTRY_SIZE) {
			return -ENOSPC;
		}
	}
	if (o->tx) {
		err = tx_access(o->tx, path);
		if (!err && !n) {
			char ppath[XENSTORE_ABS_PATH_MAX + 1];

			xsd_node_path(xsd_tree_nearest(o->t, path), ppath, sizeof(ppath));
			err = tx_access(o->tx, ppath);
		}
		if (err) {
			return err;
		}
	}
	if (!n) {
		n = xsd_tree_create(o->t, path, o->c->privileged ? XSD_NO_OWNER : o->c->domid);
		if (!n) {
			return -ENOMEM;
		}
	}
	if (!mkdir) {
		err = xsd_node_set_value(o->t, n, val, len);
		if (err) {
			return err;
		}
	}
	if (o->tx) {
		return tx_log(o->tx, mkdir ? XS_MKDIR : XS_WRITE, path, val, len, len);
	}
	fire(o->c->st, path, false, n->perms, n->nr_perms, NULL, 0);
	return 0;
}

struct rm_visit {
	struct xsd_store *st;
	const struct xsd_node *top;
};

static void rm_visit(struct xsd_node *n, const char *path, void *arg)
{
	struct rm_visit *v = arg;

	if (n != v->top) {
		fire(v->st, path, true, n->perms, n->nr_perms, NULL, 0);
	}
}

static int op_rm(struct opctx *o, const char *path)
{
	struct xsd_node *n;
	int err = 0;

	n = get_node(o, path, XSD_PERM_WRITE, &err);
	if (!n) {
		if (err == -ENOENT) {
			/* Removing something absent is fine if its parent exists. */
			char parent[XENSTORE_ABS_PATH_MAX + 1];
			char *slash;

			snprintf(parent, sizeof(parent), "%s", path);
			slash = strrchr(parent, '/');
			if (slash == parent) {
				slash[1] = '\0';
			} else if (slash) {
				*slash = '\0';
			}
			if (xsd_tree_lookup(o->t, parent)) {
				if (o->tx) {
					return tx_access(o->tx, path);
				}
				return 0;
			}
		}
		return err;
	}
	if (!n->parent) {
		return -EINVAL; /* the root stays */
	}
	if (o->tx) {
		char ppath[XENSTORE_ABS_PATH_MAX + 1];

		xsd_node_path(n->parent, ppath, sizeof(ppath));
		err = tx_access(o->tx, path);
		if (!err) {
			err = tx_access(o->tx, ppath);
		}
		if (!err) {
			err = tx_log(o->tx, XS_RM, path, NULL, 0, 0);
		}
		if (err) {
			return err;
		}
		xsd_tree_remove(o->t, n, NULL, NULL);
		return 0;
	} else {
		struct rm_visit v = { o->c->st, n };

		fire(o->c->st, path, false, n->perms, n->nr_perms, NULL, 0);
		xsd_tree_remove(o->t, n, rm_visit, &v);
	}
	return 0;
}

static int op_set_perms(struct opctx *o, const char *path, const struct xsd_perm *p, unsigned nr)
{
	struct xsd_perm *old;
	struct xsd_node *n;
	unsigned nr_old;
	int err = 0;

	n = get_node(o, path, XSD_PERM_WRITE | XSD_PERM_OWNER, &err);
	if (!n) {
		return err;
	}
	if (quota_applies(o) && p[0].id != n->perms[0].id) {
		return -EPERM; /* guests may not give their nodes away */
	}
	if (o->tx) {
		err = tx_access(o->tx, path);
		if (!err) {
			err = xsd_node_set_perms(o->t, n, p, nr);
		}
		if (!err) {
			err = tx_log(o->tx, XS_SET_PERMS, path, p, nr, nr * sizeof(*p));
		}
		return err;
	}
	old = malloc(n->nr_perms * sizeof(*old));
	if (!old) {
		return -ENOMEM;
	}
	memcpy(old, n->perms, n->nr_perms * sizeof(*old));
	nr_old = n->nr_perms;
	err = xsd_node_set_perms(o->t, n, p, nr);
	if (!err) {
		fire(o->c->st, path, false, n->perms, n->nr_perms, old, nr_old);
	}
	free(old);
	return err;
}

static int tx_commit(struct xsd_conn *c, struct xsd_tx *tx)
{
	struct opctx o = { .c = c, .tx = NULL, .t = c->st->tree, .replay = true };
	struct xsd_access *a;
	struct xsd_txop *op;

	for (a = tx->accessed; a; a = a->next) {
		struct xsd_node *n = xsd_tree_lookup(c->st->tree, a->path);

		if ((n ? n->gen : 0) != a->gen) {
			return -EAGAIN;
		}
	}
	for (op = tx->ops; op; op = op->next) {
		int err;

		switch (op->type) {
		case XS_WRITE:
			err = op_write(&o, op->path, op->data, op->len, false);
			break;
		case XS_MKDIR:
			err = op_write(&o, op->path, NULL, 0, true);
			break;
		case XS_RM:
			err = op_rm(&o, op->path);
			break;
		default:
			err = op_set_perms(&o, op->path, op->data, (unsigned)op->len);
			break;
		}
		if (err) {
			xsd_log(c->st, XSD_LOG_ERROR,
				"transaction %u of domain %u: replaying %s: %s", tx->id, c->domid,
				op->path, xs_wire_errname(-err));
		}
	}
	return 0;
}

/* ---- request helpers ------------------------------------------------------------ */

/* The request's payload as exactly one NUL-terminated string, or NULL. */
static const char *onearg(const struct req *r)
{
	if (r->len == 0 || r->data[r->len - 1] != '\0' || strlen(r->data) != r->len - 1) {
		return NULL;
	}
	return r->data;
}

/* Splits a payload of NUL-terminated strings; returns how many (or -EINVAL). */
static int get_strings(const struct req *r, const char **vec, unsigned max)
{
	unsigned n = 0;
	size_t off = 0;

	if (r->len == 0 || r->data[r->len - 1] != '\0') {
		return -EINVAL;
	}
	while (off < r->len && n < max) {
		vec[n++] = r->data + off;
		off += strlen(r->data + off) + 1;
	}
	return (int)n;
}

/* Canonical absolute path of a client path (relative = below the client's home). */
static int canon(const struct xsd_conn *c, const char *in, char *out, size_t size)
{
	int w;

	if (in[0] == '/') {
		w = snprintf(out, size, "%s", in);
	} else {
		w = snprintf(out, size, "%s/%s", c->home, in);
	}
	if (w < 0 || (size_t)w >= size || !xsd_path_valid(out)) {
		return -EINVAL;
	}
	return 0;
}

static int parse_domid(const struct xsd_conn *c, const char *s, uint32_t *domid)
{
	uint64_t v;

	if (xsd_parse_uint(s, UINT32_MAX, &v)) {
		return -EINVAL;
	}
	if (v == XSD_DOMID_SELF) {
		v = c->domid;
	}
	*domid = (uint32_t)v;
	return 0;
}

static struct xsd_domain *dom_find(struct xsd_store *st, uint32_t domid)
{
	struct xsd_domain *d;

	for (d = st->doms; d; d = d->next) {
		if (d->domid == domid) {
			return d;
		}
	}
	return NULL;
}

static struct opctx req_op(struct req *r)
{
	struct opctx o = { .c = r->c, .tx = r->tx, .t = r->t, .replay = false };

	return o;
}

/* ---- requests ------------------------------------------------------------------- */

static int do_read(struct req *r)
{
	char path[XENSTORE_ABS_PATH_MAX + 1];
	struct opctx o = req_op(r);
	const char *arg = onearg(r);
	struct xsd_node *n;
	int err = 0;

	if (!arg || canon(r->c, arg, path, sizeof(path))) {
		return -EINVAL;
	}
	n = get_node(&o, path, XSD_PERM_READ, &err);
	if (r->tx && (n || err == -ENOENT) && (err = tx_access(r->tx, path)) == 0 && !n) {
		err = -ENOENT;
	}
	if (!n) {
		return err;
	}
	reply(r, n->value, n->len);
	return 0;
}

static int do_write(struct req *r, bool mkdir)
{
	char path[XENSTORE_ABS_PATH_MAX + 1];
	struct opctx o = req_op(r);
	size_t plen;
	int err;

	if (mkdir) {
		const char *arg = onearg(r);

		if (!arg) {
			return -EINVAL;
		}
		plen = strlen(arg);
	} else {
		plen = strnlen(r->data, r->len);
		if (plen == r->len) {
			return -EINVAL; /* no NUL after the path */
		}
	}
	if (canon(r->c, r->data, path, sizeof(path))) {
		return -EINVAL;
	}
	err = op_write(&o, path, r->data + plen + 1, mkdir ? 0 : r->len - plen - 1, mkdir);
	if (err) {
		return err;
	}
	reply_ok(r);
	return 0;
}

static int do_rm(struct req *r)
{
	char path[XENSTORE_ABS_PATH_MAX + 1];
	struct opctx o = req_op(r);
	const char *arg = onearg(r);
	int err;

	if (!arg || canon(r->c, arg, path, sizeof(path))) {
		return -EINVAL;
	}
	err = op_rm(&o, path);
	if (err) {
		return err;
	}
	reply_ok(r);
	return 0;
}

static int do_directory(struct req *r, bool part)
{
	char path[XENSTORE_ABS_PATH_MAX + 1];
	const char *vec[2];
	struct opctx o = req_op(r);
	struct xsd_node *n;
	uint64_t offset = 0;
	size_t total = 0, off = 0, skip = 0;
	char *buf;
	unsigned i;
	int err = 0;

	if (!part) {
		if (!onearg(r)) {
			return -EINVAL;
		}
		vec[0] = r->data;
	} else {
		if (get_strings(r, vec, 2) != 2 || xsd_parse_uint(vec[1], UINT32_MAX, &offset)) {
			return -EINVAL;
		}
	}
	if (canon(r->c, vec[0], path, sizeof(path))) {
		return -EINVAL;
	}
	n = get_node(&o, path, XSD_PERM_READ, &err);
	if (r->tx && (n || err == -ENOENT) && (err = tx_access(r->tx, path)) == 0 && !n) {
		err = -ENOENT;
	}
	if (!n) {
		return err;
	}
	for (i = 0; i < n->nr_children; i++) {
		total += strlen(n->children[i]->name) + 1;
	}
	buf = malloc(total + 32);
	if (!buf) {
		return -ENOMEM;
	}
	if (part) {
		/* "generation\0" then children from byte offset; an empty string ends the list. */
		if (offset > total) {
			free(buf);
			return -EINVAL;
		}
		off = (size_t)snprintf(buf, 32, "%llu", (unsigned long long)n->gen) + 1;
		skip = (size_t)offset;
	}
	for (i = 0; i < n->nr_children; i++) {
		const char *name = n->children[i]->name;
		size_t l = strlen(name) + 1;

		if (skip >= l) {
			skip -= l;
			continue;
		}
		if (part && off + l + 1 > XENSTORE_PAYLOAD_MAX) {
			break;
		}
		memcpy(buf + off, name, l);
		off += l;
	}
	if (part && i == n->nr_children) {
		buf[off++] = '\0';
	}
	reply(r, buf, off);
	free(buf);
	return 0;
}

static int do_get_perms(struct req *r)
{
	char path[XENSTORE_ABS_PATH_MAX + 1];
	char buf[XENSTORE_PAYLOAD_MAX];
	struct opctx o = req_op(r);
	const char *arg = onearg(r);
	const struct xsd_perm *p;
	unsigned nr;
	int len, err = 0;

	if (!arg) {
		return -EINVAL;
	}
	if (arg[0] == '@') {
		struct xsd_special *sp = special_find(r->c->st, arg);

		if (!sp) {
			return -EINVAL;
		}
		if (!can_see(r->c, sp->perms, sp->nr_perms)) {
			return -EACCES;
		}
		p = sp->perms;
		nr = sp->nr_perms;
	} else {
		struct xsd_node *n;

		if (canon(r->c, arg, path, sizeof(path))) {
			return -EINVAL;
		}
		n = get_node(&o, path, XSD_PERM_READ, &err);
		if (r->tx && (n || err == -ENOENT) && (err = tx_access(r->tx, path)) == 0 && !n) {
			err = -ENOENT;
		}
		if (!n) {
			return err;
		}
		p = n->perms;
		nr = n->nr_perms;
	}
	len = xsd_perms_format(p, nr, buf, sizeof(buf));
	if (len < 0) {
		return len;
	}
	reply(r, buf, (size_t)len);
	return 0;
}

static int do_set_perms(struct req *r)
{
	char path[XENSTORE_ABS_PATH_MAX + 1];
	struct xsd_perm perms[XSD_SPECIAL_PERMS_MAX];
	struct opctx o = req_op(r);
	unsigned nr, max;
	size_t plen;
	int err;

	plen = strnlen(r->data, r->len);
	if (plen + 1 >= r->len) {
		return -EINVAL; /* needs the path and at least one entry */
	}
	max = r->c->privileged ? XSD_SPECIAL_PERMS_MAX : XSD_QUOTA_PERMS;
	err = xsd_perms_parse(r->data + plen + 1, r->len - plen - 1, perms, max, &nr);
	if (err) {
		return err;
	}
	if (r->data[0] == '@') {
		struct xsd_special *sp = special_find(r->c->st, r->data);

		if (!sp) {
			return -EINVAL;
		}
		if (!r->c->privileged) {
			return -EACCES;
		}
		memcpy(sp->perms, perms, nr * sizeof(perms[0]));
		sp->nr_perms = nr;
		reply_ok(r);
		return 0;
	}
	if (canon(r->c, r->data, path, sizeof(path))) {
		return -EINVAL;
	}
	err = op_set_perms(&o, path, perms, nr);
	if (err) {
		return err;
	}
	reply_ok(r);
	return 0;
}

/* "wpath\0token\0" (a third string, a watch depth, is accepted and ignored) */
static int watch_args(struct req *r, char *path, size_t size, const char **token, bool *relative)
{
	const char *vec[3];
	int n = get_strings(r, vec, 3);

	if (n < 2) {
		return -EINVAL;
	}
	*token = vec[1];
	if (vec[0][0] == '@') {
		if (strlen(vec[0]) > XENSTORE_REL_PATH_MAX) {
			return -EINVAL;
		}
		snprintf(path, size, "%s", vec[0]);
		*relative = false;
		return 0;
	}
	*relative = vec[0][0] != '/';
	return canon(r->c, vec[0], path, size);
}

static int do_watch(struct req *r)
{
	char path[XENSTORE_ABS_PATH_MAX + 1];
	struct xsd_conn *c = r->c;
	struct xsd_watch *w, **tail;
	const char *token;
	bool relative;
	int err;

	err = watch_args(r, path, sizeof(path), &token, &relative);
	if (err) {
		return err;
	}
	for (tail = &c->watches; *tail; tail = &(*tail)->next) {
		if (strcmp((*tail)->path, path) == 0 && strcmp((*tail)->token, token) == 0) {
			return -EEXIST;
		}
	}
	if (!c->privileged && c->nr_watches >= XSD_QUOTA_WATCHES) {
		return -E2BIG;
	}
	w = calloc(1, sizeof(*w));
	if (!w) {
		return -ENOMEM;
	}
	w->path = strdup(path);
	w->token = strdup(token);
	w->relative = relative;
	if (!w->path || !w->token) {
		watch_free(w);
		return -ENOMEM;
	}
	*tail = w;
	c->nr_watches++;
	reply_ok(r);
	/* Every new watch fires once at once, with the path as registered. */
	queue_event(c, w, w->path);
	return 0;
}

static int do_unwatch(struct req *r)
{
	char path[XENSTORE_ABS_PATH_MAX + 1];
	struct xsd_conn *c = r->c;
	struct xsd_watch **pp;
	const char *token;
	bool relative;
	int err;

	err = watch_args(r, path, sizeof(path), &token, &relative);
	if (err) {
		return err;
	}
	for (pp = &c->watches; *pp; pp = &(*pp)->next) {
		struct xsd_watch *w = *pp;

		if (strcmp(w->path, path) == 0 && strcmp(w->token, token) == 0) {
			*pp = w->next;
			c->nr_watches--;
			watch_free(w);
			reply_ok(r);
			return 0;
		}
	}
	return -ENOENT;
}

static int do_transaction_start(struct req *r)
{
	struct xsd_conn *c = r->c;
	struct xsd_store *st = c->st;
	struct xsd_tx *tx;
	char buf[16];

	if (r->tx) {
		return -EBUSY; /* no nesting */
	}
	if (!c->privileged && c->nr_txs >= XSD_QUOTA_TRANSACTIONS) {
		return -ENOSPC;
	}
	tx = calloc(1, sizeof(*tx));
	if (!tx) {
		return -ENOMEM;
	}
	tx->tree = xsd_tree_clone(st->tree);
	if (!tx->tree) {
		free(tx);
		return -ENOMEM;
	}
	do {
		tx->id = st->next_txid++;
	} while (tx->id == 0 || tx_find(c, tx->id));
	tx->start_gen = st->gen;
	tx->ops_tail = &tx->ops;
	tx->next = c->txs;
	c->txs = tx;
	c->nr_txs++;
	snprintf(buf, sizeof(buf), "%u", tx->id);
	reply(r, buf, strlen(buf) + 1);
	return 0;
}

static int do_transaction_end(struct req *r)
{
	const char *arg = onearg(r);
	struct xsd_tx *tx = r->tx;
	bool commit;
	int err = 0;

	if (!tx) {
		return -ENOENT;
	}
	if (!arg || (strcmp(arg, "T") != 0 && strcmp(arg, "F") != 0)) {
		return -EINVAL;
	}
	commit = arg[0] == 'T';
	tx_unlink(r->c, tx);
	if (commit) {
		err = tx_commit(r->c, tx);
	}
	tx_free(tx);
	r->tx = NULL;
	if (err) {
		return err;
	}
	reply_ok(r);
	return 0;
}

static int do_introduce(struct req *r)
{
	struct xsd_store *st = r->c->st;
	const char *vec[3];
	struct xsd_domain *d;
	struct xsd_conn *c;
	uint64_t gfn, port;
	uint32_t domid;
	int err = -EINVAL;

	if (get_strings(r, vec, 3) != 3 || parse_domid(r->c, vec[0], &domid) ||
	    xsd_parse_uint(vec[1], UINT64_MAX, &gfn) || xsd_parse_uint(vec[2], UINT32_MAX, &port)) {
		return -EINVAL;
	}
	if (domid == 0 || domid >= XSD_DOMID_FIRST_RESERVED) {
		return -EINVAL;
	}
	d = dom_find(st, domid);
	if (d) {
		/* Again with the same ring: re-establish the event channel. */
		if (d->gfn != gfn) {
			return -EINVAL;
		}
		if (st->ops && st->ops->rebind) {
			err = st->ops->rebind(d->conn, (uint32_t)port);
			if (err) {
				return err;
			}
		}
		d->port = (uint32_t)port;
		reply_ok(r);
		return 0;
	}
	if (!st->ops || !st->ops->introduce) {
		return -ENOSYS;
	}
	d = calloc(1, sizeof(*d));
	if (!d) {
		return -ENOMEM;
	}
	c = st->ops->introduce(st, domid, gfn, (uint32_t)port, &err);
	if (!c) {
		free(d);
		return err ? err : -EINVAL;
	}
	d->domid = domid;
	d->gfn = gfn;
	d->port = (uint32_t)port;
	d->conn = c;
	c->dom = d;
	d->next = st->doms;
	st->doms = d;
	xsd_log(st, XSD_LOG_INFO, "domain %u introduced (gfn %#llx, port %u)", domid,
		(unsigned long long)gfn, (unsigned)port);
	reply_ok(r);
	fire_special(st, "@introduceDomain");
	return 0;
}

static void conn_drop_state(struct xsd_conn *c)
{
	while (c->watches) {
		struct xsd_watch *w = c->watches;

		c->watches = w->next;
		watch_free(w);
	}
	c->nr_watches = 0;
	while (c->txs) {
		struct xsd_tx *tx = c->txs;

		c->txs = tx->next;
		tx_free(tx);
	}
	c->nr_txs = 0;
}

static void dom_forget(struct xsd_store *st, struct xsd_domain *d)
{
	struct xsd_domain **pp;

	for (pp = &st->doms; *pp; pp = &(*pp)->next) {
		if (*pp == d) {
			*pp = d->next;
			break;
		}
	}
	if (st->ops && st->ops->release) {
		st->ops->release(d->conn);
	}
	d->conn->dom = NULL;
	xsd_conn_free(d->conn);
	xsd_log(st, XSD_LOG_INFO, "domain %u released", d->domid);
	free(d);
}

int xsd_domain_release(struct xsd_store *st, uint32_t domid)
{
	struct xsd_domain *d = dom_find(st, domid);

	if (!d) {
		return -ENOENT;
	}
	dom_forget(st, d);
	fire_special(st, "@releaseDomain");
	return 0;
}

static int do_release(struct req *r)
{
	const char *arg = onearg(r);
	uint32_t domid;
	int err;

	if (!arg || parse_domid(r->c, arg, &domid) || domid == 0) {
		return -EINVAL;
	}
	if (dom_find(r->c->st, domid) && dom_find(r->c->st, domid)->conn == r->c) {
		return -EINVAL; /* cannot happen: domains are unprivileged */
	}
	err = xsd_domain_release(r->c->st, domid);
	if (err) {
		return err;
	}
	reply_ok(r);
	return 0;
}

static int do_domid_query(struct req *r)
{
	const char *arg = onearg(r);
	struct xsd_domain *d;
	char buf[40];
	uint32_t domid;

	if (!arg || parse_domid(r->c, arg, &domid)) {
		return -EINVAL;
	}
	switch (r->hdr->type) {
	case XS_GET_DOMAIN_PATH:
		snprintf(buf, sizeof(buf), "/local/domain/%u", domid);
		reply(r, buf, strlen(buf) + 1);
		return 0;
	case XS_IS_DOMAIN_INTRODUCED:
		reply(r, xsd_domain_introduced(r->c->st, domid) ? "T" : "F", 2);
		return 0;
	default: /* XS_RESUME */
		d = dom_find(r->c->st, domid);
		if (!d) {
			return -ENOENT;
		}
		d->shutdown = false;
		reply_ok(r);
		return 0;
	}
}

static int do_set_target(struct req *r)
{
	const char *vec[2];
	struct xsd_domain *d;
	uint32_t domid, target;

	if (get_strings(r, vec, 2) != 2 || parse_domid(r->c, vec[0], &domid) ||
	    parse_domid(r->c, vec[1], &target)) {
		return -EINVAL;
	}
	d = dom_find(r->c->st, domid);
	if (!d) {
		return -ENOENT;
	}
	d->conn->target = target;
	reply_ok(r);
	return 0;
}

static int do_reset_watches(struct req *r)
{
	conn_drop_state(r->c);
	r->tx = NULL;
	reply_ok(r);
	return 0;
}

static bool type_is_privileged(uint32_t type)
{
	switch (type) {
	case XS_INTRODUCE:
	case XS_RELEASE:
	case XS_IS_DOMAIN_INTRODUCED:
	case XS_RESUME:
	case XS_SET_TARGET:
		return true;
	default:
		return false;
	}
}

static void process(struct xsd_conn *c, const struct xsd_sockmsg *hdr, const char *data)
{
	struct req r = { .c = c, .hdr = hdr, .data = data, .len = hdr->len };
	int err;

	if (hdr->type != XS_TRANSACTION_START && hdr->tx_id) {
		r.tx = tx_find(c, hdr->tx_id);
		if (!r.tx) {
			reply_err(&r, -ENOENT);
			return;
		}
	}
	r.t = r.tx ? r.tx->tree : c->st->tree;
	if (type_is_privileged(hdr->type) && !c->privileged) {
		reply_err(&r, -EACCES);
		return;
	}
	switch (hdr->type) {
	case XS_READ:
		err = do_read(&r);
		break;
	case XS_WRITE:
		err = do_write(&r, false);
		break;
	case XS_MKDIR:
		err = do_write(&r, true);
		break;
	case XS_RM:
		err = do_rm(&r);
		break;
	case XS_DIRECTORY:
		err = do_directory(&r, false);
		break;
	case XS_DIRECTORY_PART:
		err = do_directory(&r, true);
		break;
	case XS_GET_PERMS:
		err = do_get_perms(&r);
		break;
	case XS_SET_PERMS:
		err = do_set_perms(&r);
		break;
	case XS_WATCH:
		err = do_watch(&r);
		break;
	case XS_UNWATCH:
		err = do_unwatch(&r);
		break;
	case XS_TRANSACTION_START:
		if (hdr->tx_id && !tx_find(c, hdr->tx_id)) {
			err = -ENOENT;
			break;
		}
		r.tx = hdr->tx_id ? tx_find(c, hdr->tx_id) : NULL;
		err = do_transaction_start(&r);
		break;
	case XS_TRANSACTION_END:
		err = do_transaction_end(&r);
		break;
	case XS_INTRODUCE:
		err = do_introduce(&r);
		break;
	case XS_RELEASE:
		err = do_release(&r);
		break;
	case XS_GET_DOMAIN_PATH:
	case XS_IS_DOMAIN_INTRODUCED:
	case XS_RESUME:
		err = do_domid_query(&r);
		break;
	case XS_SET_TARGET:
		err = do_set_target(&r);
		break;
	case XS_RESET_WATCHES:
		err = do_reset_watches(&r);
		break;
	default:
		/* CONTROL, features, quotas, server-only and unknown types */
		xsd_log(c->st, XSD_LOG_DEBUG, "domain %u: unsupported request type %u", c->domid,
			hdr->type);
		err = -ENOSYS;
		break;
	}
	if (err) {
		reply_err(&r, err);
	}
}

/* ---- connections ------------------------------------------------------------------ */

struct xsd_conn *xsd_conn_new(struct xsd_store *st, uint32_t domid, bool privileged, void *io)
{
	struct xsd_conn *c = calloc(1, sizeof(*c));

	if (!c) {
		return NULL;
	}
	c->st = st;
	c->domid = domid;
	c->privileged = privileged;
	c->io = io;
	c->target = XSD_NO_OWNER;
	snprintf(c->home, sizeof(c->home), "/local/domain/%u", domid);
	c->next = st->conns;
	if (st->conns) {
		st->conns->prev = c;
	}
	st->conns = c;
	return c;
}

void xsd_conn_free(struct xsd_conn *c)
{
	struct xsd_store *st;

	if (!c) {
		return;
	}
	st = c->st;
	if (c->dom) {
		/* A domain's ring goes with its domain. */
		dom_forget(st, c->dom);
		return;
	}
	conn_drop_state(c);
	if (c->prev) {
		c->prev->next = c->next;
	} else {
		st->conns = c->next;
	}
	if (c->next) {
		c->next->prev = c->prev;
	}
	free(c->out);
	free(c);
}

void *xsd_conn_io(const struct xsd_conn *c)
{
	return c->io;
}

uint32_t xsd_conn_domid(const struct xsd_conn *c)
{
	return c->domid;
}

bool xsd_conn_broken(const struct xsd_conn *c)
{
	return c->broken;
}

void xsd_conn_reset(struct xsd_conn *c)
{
	conn_drop_state(c);
	c->in_len = 0;
	c->broken = false;
	c->out_head = c->out_tail = 0;
}

int xsd_conn_feed(struct xsd_conn *c, const void *buf, size_t len)
{
	const unsigned char *p = buf;
	const size_t hsz = sizeof(struct xsd_sockmsg);

	while (len && !c->broken) {
		struct xsd_sockmsg hdr;
		size_t want, take;

		if (c->in_len < hsz) {
			want = hsz - c->in_len;
		} else {
			memcpy(&hdr, c->in, hsz);
			want = hsz + hdr.len - c->in_len;
		}
		take = len < want ? len : want;
		memcpy(c->in + c->in_len, p, take);
		c->in_len += take;
		p += take;
		len -= take;
		if (c->in_len < hsz) {
			break;
		}
		memcpy(&hdr, c->in, hsz);
		if (hdr.len > XENSTORE_PAYLOAD_MAX) {
			struct req r = { .c = c, .hdr = &hdr };

			xsd_log(c->st, XSD_LOG_WARN,
				"domain %u: request of %u bytes (max %u): dropping the connection",
				c->domid, hdr.len, XENSTORE_PAYLOAD_MAX);
			reply_err(&r, -EINVAL);
			c->broken = true;
			break;
		}
		if (c->in_len < hsz + hdr.len) {
			continue;
		}
		c->in[c->in_len] = '\0';
		c->in_len = 0;
		process(c, &hdr, (const char *)c->in + hsz);
	}
	return c->broken ? -EPROTO : 0;
}

/* ---- store -------------------------------------------------------------------- */

struct xsd_store *xsd_store_new(const struct xsd_ops *ops)
{
	struct xsd_store *st = calloc(1, sizeof(*st));

	if (!st) {
		return NULL;
	}
	st->ops = ops;
	st->next_txid = 1;
	st->tree = xsd_tree_new(&st->gen);
	if (!st->tree) {
		free(st);
		return NULL;
	}
	st->special[0].name = "@introduceDomain";
	st->special[1].name = "@releaseDomain";
	st->special[0].nr_perms = st->special[1].nr_perms = 1; /* owner 0, others none */
	return st;
}

void xsd_store_free(struct xsd_store *st)
{
	struct xsd_conn *c, *next;

	if (!st) {
		return;
	}
	while (st->doms) {
		dom_forget(st, st->doms); /* each domain takes its ring's connection with it */
	}
	for (c = st->conns; c; c = next) {
		next = c->next; /* no domain is left, so freeing c frees only c */
		xsd_conn_free(c);
	}
	xsd_tree_free(st->tree);
	free(st);
}

struct xsd_tree *xsd_store_tree(struct xsd_store *st)
{
	return st->tree;
}

int xsd_store_setup_dom0(struct xsd_store *st)
{
	static const struct {
		const char *path, *value;
	} init[] = {
		{ "/local/domain/0/name", "Domain-0" },
		{ "/local/domain/0/domid", "0" },
	};
	struct xsd_conn *c = xsd_conn_new(st, 0, true, NULL);
	struct opctx o = { .c = c, .t = st->tree };
	unsigned i;
	int err = 0;

	if (!c) {
		return -ENOMEM;
	}
	for (i = 0; i < sizeof(init) / sizeof(init[0]) && !err; i++) {
		err = op_write(&o, init[i].path, init[i].value, strlen(init[i].value), false);
	}
	xsd_conn_free(c);
	return err;
}

bool xsd_domain_introduced(struct xsd_store *st, uint32_t domid)
{
	return domid == 0 || dom_find(st, domid) != NULL;
}

void xsd_domains_update(struct xsd_store *st, const struct xsd_domstate *doms, unsigned n)
{
	struct xsd_domain *d, *next;
	bool notify = false;

	for (d = st->doms; d; d = next) {
		const struct xsd_domstate *s = NULL;
		unsigned i;

		next = d->next;
		for (i = 0; i < n; i++) {
			if (doms[i].domid == d->domid) {
				s = &doms[i];
			}
		}
		if (s && !s->dying) {
			if (s->shutdown && !d->shutdown) {
				d->shutdown = true;
				notify = true;
			}
			continue;
		}
		xsd_log(st, XSD_LOG_INFO, "domain %u is %s", d->domid, s ? "dying" : "gone");
		dom_forget(st, d);
		notify = true;
	}
	if (notify) {
		fire_special(st, "@releaseDomain");
	}
}

void xsd_for_each_domain(struct xsd_store *st, void (*fn)(struct xsd_conn *conn, void *arg),
			 void *arg)
{
	struct xsd_domain *d, *next;

	for (d = st->doms; d; d = next) {
		next = d->next;
		fn(d->conn, arg);
	}
}
