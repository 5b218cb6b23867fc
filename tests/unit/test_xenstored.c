/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for lamina-xenstored's core (tools/xenstored/store.c, proto.c) driven through
 * its byte-stream interface with a fake transport, and for the client library
 * (tools/lib/xs.c) against the core over a socketpair.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include <lam/xs.h>
#include <lam/xs_wire.h>

#include "../../tools/xenstored/xsd.h"
#include "analyzer_assert.h"

/* ---- fake transport ---------------------------------------------------------------- */

#define MAX_EVENTS 512

struct event {
	struct xsd_conn *c;
	char path[256], token[64];
};

static struct event events[MAX_EVENTS];
static unsigned nr_events;
static struct xsd_store *st;
static struct xsd_conn *dom0;
static struct xsd_conn *guests[16];
static unsigned nr_released, nr_rebinds;
static int introduce_fail;

static struct xsd_conn *fake_introduce(struct xsd_store *s, uint32_t domid, uint64_t gfn,
				       uint32_t port, int *err)
{
	(void)gfn;
	(void)port;
	if (introduce_fail) {
		*err = introduce_fail;
		return NULL;
	}
	guests[domid % 16] = xsd_conn_new(s, domid, false, NULL);
	return guests[domid % 16];
}

static int fake_rebind(struct xsd_conn *c, uint32_t port)
{
	(void)c;
	(void)port;
	nr_rebinds++;
	return 0;
}

static void fake_release(struct xsd_conn *c)
{
	guests[xsd_conn_domid(c) % 16] = NULL;
	nr_released++;
}

static void fake_log(enum xsd_log_level level, const char *msg)
{
	(void)level;
	(void)msg;
}

static const struct xsd_ops fake_ops = {
	.introduce = fake_introduce,
	.rebind = fake_rebind,
	.release = fake_release,
	.log = fake_log,
};

static int setup(void **state)
{
	(void)state;
	nr_events = 0;
	nr_released = nr_rebinds = 0;
	introduce_fail = 0;
	memset(guests, 0, sizeof(guests));
	st = xsd_store_new(&fake_ops);
	assert_non_null(st);
	assert_int_equal(xsd_store_setup_dom0(st), 0);
	dom0 = xsd_conn_new(st, 0, true, NULL);
	assert_non_null(dom0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	xsd_store_free(st);
	st = NULL;
	return 0;
}

/* Pops one message from c's output; false if none. */
static bool pop(struct xsd_conn *c, struct xsd_sockmsg *h, char *body, size_t size)
{
	size_t len;
	const char *p = xsd_conn_out_peek(c, &len);

	if (len < sizeof(*h))
		return false;
	memcpy(h, p, sizeof(*h));
	assert_true(len >= sizeof(*h) + h->len);
	assert_true(h->len <= size);
	memcpy(body, p + sizeof(*h), h->len);
	xsd_conn_out_consume(c, sizeof(*h) + h->len);
	return true;
}

/* Moves c's pending watch events into events[] and returns the first other message. */
static bool drain(struct xsd_conn *c, struct xsd_sockmsg *h, char *body, size_t size)
{
	while (pop(c, h, body, size)) {
		if (h->type == XS_WATCH_EVENT) {
			struct event *e = &events[nr_events++];

			assert_true(nr_events < MAX_EVENTS);
			assert_int_equal(h->req_id, 0);
			e->c = c;
			snprintf(e->path, sizeof(e->path), "%s", body);
			snprintf(e->token, sizeof(e->token), "%s", body + strlen(body) + 1);
			continue;
		}
		return true;
	}
	return false;
}

static uint32_t next_req = 100;

/* Sends a request; returns 0 (reply in out) or the -errno of an XS_ERROR reply. */
static int req(struct xsd_conn *c, uint32_t type, uint32_t tx, const void *payload, size_t len,
	       char *out, size_t *olen)
{
	struct xsd_sockmsg h = { .type = type, .req_id = ++next_req, .tx_id = tx, .len = len };
	char body[XENSTORE_PAYLOAD_MAX + 1];
	struct xsd_sockmsg r;

	assert_int_equal(xsd_conn_feed(c, &h, sizeof(h)), 0);
	if (len)
		xsd_conn_feed(c, payload, len);
	assert_true(drain(c, &r, body, sizeof(body) - 1));
	body[r.len] = '\0';
	assert_int_equal(r.req_id, h.req_id);
	assert_int_equal(r.tx_id, tx);
	if (out) {
		memcpy(out, body, r.len + 1);
		if (olen)
			*olen = r.len;
	}
	if (r.type == XS_ERROR) {
		assert_int_equal(body[r.len - 1], '\0');
		return -xs_wire_errnum(body, r.len);
	}
	assert_int_equal(r.type, type);
	return 0;
}

static int req_str(struct xsd_conn *c, uint32_t type, uint32_t tx, const char *s, char *out)
{
	return req(c, type, tx, s, strlen(s) + 1, out, NULL);
}

static int xwrite(struct xsd_conn *c, uint32_t tx, const char *path, const char *val)
{
	char buf[XENSTORE_PAYLOAD_MAX + 16];
	size_t pl = strlen(path) + 1, vl = strlen(val);

	memcpy(buf, path, pl);
	/* NOLINTNEXTLINE(bugprone-not-null-terminated-result): XS_WRITE's value has no NUL */
	memcpy(buf + pl, val, vl);
	return req(c, XS_WRITE, tx, buf, pl + vl, NULL, NULL);
}

/* Reads path; returns 0 and compares with expect, or the error. */
static int xread(struct xsd_conn *c, uint32_t tx, const char *path, const char *expect)
{
	char out[XENSTORE_PAYLOAD_MAX + 1];
	size_t len = 0;
	int err = req(c, XS_READ, tx, path, strlen(path) + 1, out, &len);

	if (!err && expect) {
		assert_int_equal(len, strlen(expect));
		assert_memory_equal(out, expect, len);
	}
	return err;
}

static int two(struct xsd_conn *c, uint32_t type, const char *a, const char *b)
{
	char buf[512];
	size_t la = strlen(a) + 1, lb = strlen(b) + 1;

	memcpy(buf, a, la);
	memcpy(buf + la, b, lb);
	return req(c, type, 0, buf, la + lb, NULL, NULL);
}

static int set_perms(struct xsd_conn *c, uint32_t tx, const char *path, const char *perms,
		     size_t plen)
{
	char buf[512];
	size_t l = strlen(path) + 1;

	memcpy(buf, path, l);
	memcpy(buf + l, perms, plen);
	return req(c, XS_SET_PERMS, tx, buf, l + plen, NULL, NULL);
}

static void expect_event(struct xsd_conn *c, const char *path, const char *token)
{
	struct xsd_sockmsg h;
	char body[64];
	unsigned i;

	assert_false(drain(c, &h, body, sizeof(body)));
	for (i = 0; i < nr_events; i++) {
		if (events[i].c != c)
			continue;
		assert_string_equal(events[i].path, path);
		assert_string_equal(events[i].token, token);
		memmove(&events[i], &events[i + 1], (nr_events - i - 1) * sizeof(events[0]));
		nr_events--;
		return;
	}
	fail_msg("no event %s %s", path, token);
}

static void expect_no_event(struct xsd_conn *c)
{
	struct xsd_sockmsg h;
	char body[64];
	unsigned i;

	assert_false(drain(c, &h, body, sizeof(body)));
	for (i = 0; i < nr_events; i++)
		if (events[i].c == c)
			fail_msg("unexpected event %s %s", events[i].path, events[i].token);
}

/* Dom0 introduces domain domid with a home it owns (like libxl: owner domid). */
static struct xsd_conn *make_guest(uint32_t domid)
{
	char buf[64], home[64];
	int n = snprintf(buf, sizeof(buf), "%u%c%u%c%u", domid, 0, 0x1000 + domid, 0, 10 + domid);

	snprintf(home, sizeof(home), "/local/domain/%u", domid);
	assert_int_equal(req(dom0, XS_INTRODUCE, 0, buf, (size_t)n + 1, NULL, NULL), 0);
	assert_non_null(guests[domid % 16]);
	assert_int_equal(req_str(dom0, XS_MKDIR, 0, home, NULL), 0);
	snprintf(buf, sizeof(buf), "n%u", domid);
	assert_int_equal(set_perms(dom0, 0, home, buf, strlen(buf) + 1), 0);
	return guests[domid % 16];
}

/* ---- basic operations ----------------------------------------------------------- */

static void test_dom0_nodes(void **state)
{
	char out[64];

	(void)state;
	assert_int_equal(xread(dom0, 0, "/local/domain/0/name", "Domain-0"), 0);
	assert_int_equal(xread(dom0, 0, "/local/domain/0/domid", "0"), 0);
	assert_int_equal(xread(dom0, 0, "name", "Domain-0"), 0); /* relative: home of dom0 */
	assert_int_equal(req_str(dom0, XS_GET_DOMAIN_PATH, 0, "7", out), 0);
	assert_string_equal(out, "/local/domain/7");
}

static void test_read_write(void **state)
{
	char out[XENSTORE_PAYLOAD_MAX + 1];
	size_t len;

	(void)state;
	assert_int_equal(xwrite(dom0, 0, "/a/b/c", "hello"), 0);
	assert_int_equal(xread(dom0, 0, "/a/b/c", "hello"), 0);
	assert_int_equal(xread(dom0, 0, "/a/b", ""), 0); /* parents created empty */
	assert_int_equal(xwrite(dom0, 0, "/a/b/c", ""), 0);
	assert_int_equal(xread(dom0, 0, "/a/b/c", ""), 0);
	assert_int_equal(xread(dom0, 0, "/a/nope", NULL), -ENOENT);
	/* Binary values keep their bytes. */
	assert_int_equal(req(dom0, XS_WRITE, 0, "/bin\0a\0b", 8, NULL, NULL), 0);
	assert_int_equal(req_str(dom0, XS_READ, 0, "/bin", out), 0);
	assert_memory_equal(out, "a\0b", 3);

	assert_int_equal(xwrite(dom0, 0, "/a/x", "1"), 0);
	assert_int_equal(xwrite(dom0, 0, "/a/y", "2"), 0);
	assert_int_equal(req(dom0, XS_DIRECTORY, 0, "/a", 3, out, &len), 0);
	assert_int_equal(len, 6);
	assert_memory_equal(out, "b\0x\0y\0", 6);
	assert_int_equal(req(dom0, XS_DIRECTORY, 0, "/a/x", 5, out, &len), 0);
	assert_int_equal(len, 0);
	assert_int_equal(req_str(dom0, XS_DIRECTORY, 0, "/zz", out), -ENOENT);

	assert_int_equal(req_str(dom0, XS_MKDIR, 0, "/m/n", out), 0);
	assert_string_equal(out, "OK");
	assert_int_equal(req_str(dom0, XS_MKDIR, 0, "/a/x", NULL), 0); /* exists: fine */
	assert_int_equal(xread(dom0, 0, "/a/x", "1"), 0);	       /* and unchanged */

	assert_int_equal(req_str(dom0, XS_RM, 0, "/a", NULL), 0);
	assert_int_equal(xread(dom0, 0, "/a/b/c", NULL), -ENOENT);
	assert_int_equal(xread(dom0, 0, "/a", NULL), -ENOENT);
	assert_int_equal(req_str(dom0, XS_RM, 0, "/a", NULL), 0); /* parent "/" exists */
	assert_int_equal(req_str(dom0, XS_RM, 0, "/a/b", NULL), -ENOENT);
	assert_int_equal(req_str(dom0, XS_RM, 0, "/", NULL), -EINVAL);
	/* Accounting follows removal. */
	/* /, /local, /local/domain, /local/domain/0, name, domid, /bin, /m, /m/n */
	assert_int_equal(xsd_tree_owned(xsd_store_tree(st), 0), 9);
}

static void test_directory_part(void **state)
{
	char out[XENSTORE_PAYLOAD_MAX + 1];
	size_t len;
	char name[64];
	unsigned i;

	(void)state;
	for (i = 0; i < 300; i++) {
		snprintf(name, sizeof(name), "/big/child-with-a-long-name-%03u", i);
		assert_int_equal(xwrite(dom0, 0, name, "v"), 0);
	}
	/* 300 * 31 bytes is too much for one reply. */
	assert_int_equal(req_str(dom0, XS_DIRECTORY, 0, "/big", NULL), -E2BIG);
	assert_int_equal(req(dom0, XS_DIRECTORY_PART, 0,
			     "/big\0"
			     "0",
			     7, out, &len),
			 0);
	assert_true(len > 100 && len <= XENSTORE_PAYLOAD_MAX);
	assert_int_not_equal(out[len - 2], '\0'); /* not the end yet */
	assert_int_equal(req(dom0, XS_DIRECTORY_PART, 0,
			     "/big\0"
			     "8100",
			     10, out, &len),
			 0);
	assert_int_equal(len, strlen(out) + 2); /* generation, then the empty terminator */
	assert_int_equal(req(dom0, XS_DIRECTORY_PART, 0,
			     "/big\0"
			     "99999",
			     11, NULL, NULL),
			 -EINVAL);
}

/* ---- relative paths and watches ------------------------------------------------- */

static void test_relative_paths(void **state)
{
	struct xsd_conn *g = make_guest(5);
	char out[64];

	(void)state;
	assert_int_equal(xwrite(g, 0, "data/x", "1"), 0);
	assert_int_equal(xread(dom0, 0, "/local/domain/5/data/x", "1"), 0);
	assert_int_equal(xread(g, 0, "/local/domain/5/data/x", "1"), 0);
	assert_int_equal(req_str(g, XS_GET_DOMAIN_PATH, 0, "5", out), 0);
	assert_string_equal(out, "/local/domain/5");
	assert_int_equal(req_str(g, XS_DIRECTORY, 0, "data", out), 0);
	assert_string_equal(out, "x");
	assert_int_equal(req_str(g, XS_RM, 0, "data", NULL), 0);
	assert_int_equal(xread(dom0, 0, "/local/domain/5/data", NULL), -ENOENT);
	assert_int_equal(xread(g, 0, "", NULL), -EINVAL); /* "home/" has a trailing slash */
}

static void test_watch_basic(void **state)
{
	(void)state;
	assert_int_equal(two(dom0, XS_WATCH, "/w", "tok"), 0);
	expect_event(dom0, "/w", "tok"); /* fires once at once */
	expect_no_event(dom0);
	assert_int_equal(two(dom0, XS_WATCH, "/w", "tok"), -EEXIST);
	assert_int_equal(xwrite(dom0, 0, "/w", "1"), 0);
	expect_event(dom0, "/w", "tok");
	assert_int_equal(xwrite(dom0, 0, "/w/a/b", "1"), 0); /* child change */
	expect_event(dom0, "/w/a/b", "tok");
	assert_int_equal(xwrite(dom0, 0, "/wx", "1"), 0); /* a sibling is no child */
	expect_no_event(dom0);
	assert_int_equal(set_perms(dom0, 0, "/w/a", "n0\0r1", 6), 0);
	expect_event(dom0, "/w/a", "tok");
	assert_int_equal(req_str(dom0, XS_RM, 0, "/w/a", NULL), 0);
	expect_event(dom0, "/w/a", "tok");
	expect_no_event(dom0);
	assert_int_equal(two(dom0, XS_UNWATCH, "/w", "tok"), 0);
	assert_int_equal(two(dom0, XS_UNWATCH, "/w", "tok"), -ENOENT);
	assert_int_equal(xwrite(dom0, 0, "/w", "2"), 0);
	expect_no_event(dom0);
}

static void test_watch_rm_ancestor(void **state)
{
	(void)state;
	assert_int_equal(xwrite(dom0, 0, "/p/q/r", "1"), 0);
	assert_int_equal(two(dom0, XS_WATCH, "/p/q/r", "deep"), 0);
	assert_int_equal(two(dom0, XS_WATCH, "/p/q/missing", "none"), 0);
	expect_event(dom0, "/p/q/r", "deep");
	expect_event(dom0, "/p/q/missing", "none");
	assert_int_equal(req_str(dom0, XS_RM, 0, "/p", NULL), 0);
	expect_event(dom0, "/p/q/r", "deep");
	expect_no_event(dom0); /* nothing existed at /p/q/missing */
}

static void test_watch_relative(void **state)
{
	struct xsd_conn *g = make_guest(3);

	(void)state;
	assert_int_equal(two(g, XS_WATCH, "control/shutdown", "ctl"), 0);
	expect_event(g, "control/shutdown", "ctl");
	assert_int_equal(two(g, XS_WATCH, "/local/domain/3/memory", "abs"), 0);
	expect_event(g, "/local/domain/3/memory", "abs");
	assert_int_equal(xwrite(dom0, 0, "/local/domain/3/control/shutdown", "poweroff"), 0);
	expect_event(g, "control/shutdown", "ctl");
	assert_int_equal(xwrite(dom0, 0, "/local/domain/3/memory/target", "1024"), 0);
	expect_event(g, "/local/domain/3/memory/target", "abs");
	assert_int_equal(two(g, XS_UNWATCH, "control/shutdown", "ctl"), 0);
	/* RESET_WATCHES drops the rest. */
	assert_int_equal(req(g, XS_RESET_WATCHES, 0, "", 1, NULL, NULL), 0);
	assert_int_equal(xwrite(dom0, 0, "/local/domain/3/memory/target", "2048"), 0);
	expect_no_event(g);
}

static void test_watch_permissions(void **state)
{
	struct xsd_conn *g5 = make_guest(5);
	struct xsd_conn *g6 = make_guest(6);

	(void)state;
	/* 6 watches 5's home: it may not read there, so it hears nothing but the first. */
	assert_int_equal(two(g6, XS_WATCH, "/local/domain/5", "spy"), 0);
	expect_event(g6, "/local/domain/5", "spy");
	assert_int_equal(xwrite(g5, 0, "secret", "x"), 0);
	expect_no_event(g6);
	/* Once 5 lets 6 read a node, 6 sees its changes. */
	assert_int_equal(set_perms(g5, 0, "secret", "n5\0r6", 6), 0);
	expect_event(g6, "/local/domain/5/secret", "spy");
	assert_int_equal(xwrite(g5, 0, "secret", "y"), 0);
	expect_event(g6, "/local/domain/5/secret", "spy");
}

/* ---- transactions --------------------------------------------------------------- */

static uint32_t tx_start(struct xsd_conn *c)
{
	char out[32];

	assert_int_equal(req(c, XS_TRANSACTION_START, 0, "", 1, out, NULL), 0);
	return (uint32_t)strtoul(out, NULL, 10);
}

static int tx_end(struct xsd_conn *c, uint32_t tx, bool commit)
{
	return req(c, XS_TRANSACTION_END, tx, commit ? "T" : "F", 2, NULL, NULL);
}

static void test_tx_commit_abort(void **state)
{
	uint32_t tx;

	(void)state;
	assert_int_equal(two(dom0, XS_WATCH, "/t", "tw"), 0);
	expect_event(dom0, "/t", "tw");
	tx = tx_start(dom0);
	assert_int_not_equal(tx, 0);
	assert_int_equal(xwrite(dom0, tx, "/t/a", "1"), 0);
	assert_int_equal(xread(dom0, tx, "/t/a", "1"), 0);	 /* own writes visible */
	assert_int_equal(xread(dom0, 0, "/t/a", NULL), -ENOENT); /* others do not see them */
	expect_no_event(dom0);					 /* no events before commit */
	assert_int_equal(req_str(dom0, XS_MKDIR, tx, "/t/d", NULL), 0);
	assert_int_equal(tx_end(dom0, tx, true), 0);
	expect_event(dom0, "/t/a", "tw");
	expect_event(dom0, "/t/d", "tw");
	assert_int_equal(xread(dom0, 0, "/t/a", "1"), 0);
	assert_int_equal(tx_end(dom0, tx, true), -ENOENT); /* gone */

	tx = tx_start(dom0);
	assert_int_equal(xwrite(dom0, tx, "/t/a", "2"), 0);
	assert_int_equal(req_str(dom0, XS_RM, tx, "/t/d", NULL), 0);
	assert_int_equal(tx_end(dom0, tx, false), 0);
	assert_int_equal(xread(dom0, 0, "/t/a", "1"), 0);
	assert_int_equal(xread(dom0, 0, "/t/d", ""), 0);
	expect_no_event(dom0);
}

static void test_tx_conflict(void **state)
{
	struct xsd_conn *other = xsd_conn_new(st, 0, true, NULL);
	uint32_t tx;

	(void)state;
	assert_int_equal(xwrite(dom0, 0, "/c/v", "0"), 0);
	tx = tx_start(dom0);
	assert_int_equal(xread(dom0, tx, "/c/v", "0"), 0);
	assert_int_equal(xwrite(dom0, tx, "/c/v", "1"), 0);
	assert_int_equal(xwrite(other, 0, "/c/v", "9"), 0); /* someone else changes it */
	assert_int_equal(tx_end(dom0, tx, true), -EAGAIN);
	assert_int_equal(xread(dom0, 0, "/c/v", "9"), 0);
	assert_int_equal(tx_end(dom0, tx, false), -ENOENT); /* a conflict ends it too */

	/* Creating what a transaction saw as absent conflicts as well. */
	tx = tx_start(dom0);
	assert_int_equal(xread(dom0, tx, "/c/new", NULL), -ENOENT);
	assert_int_equal(xwrite(dom0, tx, "/c/other", "x"), 0);
	assert_int_equal(xwrite(other, 0, "/c/new", "x"), 0);
	assert_int_equal(tx_end(dom0, tx, true), -EAGAIN);

	/* Unrelated changes do not conflict. */
	tx = tx_start(dom0);
	assert_int_equal(xread(dom0, tx, "/c/v", "9"), 0);
	assert_int_equal(xwrite(dom0, tx, "/c/v", "10"), 0);
	assert_int_equal(xwrite(other, 0, "/elsewhere", "x"), 0);
	assert_int_equal(tx_end(dom0, tx, true), 0);
	assert_int_equal(xread(dom0, 0, "/c/v", "10"), 0);

	/* What the transaction itself removed is no conflict when read again. */
	tx = tx_start(dom0);
	assert_int_equal(req_str(dom0, XS_RM, tx, "/c", NULL), 0);
	assert_int_equal(xread(dom0, tx, "/c/v", NULL), -ENOENT);
	assert_int_equal(xwrite(dom0, tx, "/c/v", "11"), 0);
	assert_int_equal(tx_end(dom0, tx, true), 0);
	assert_int_equal(xread(dom0, 0, "/c/v", "11"), 0);
	assert_int_equal(xread(dom0, 0, "/c/new", NULL), -ENOENT);
	xsd_conn_free(other);
}

static void test_tx_errors(void **state)
{
	uint32_t tx;

	(void)state;
	assert_int_equal(xread(dom0, 12345, "/x", NULL), -ENOENT); /* unknown transaction */
	tx = tx_start(dom0);
	assert_int_equal(req(dom0, XS_TRANSACTION_START, tx, "", 1, NULL, NULL), -EBUSY);
	assert_int_equal(req(dom0, XS_TRANSACTION_END, tx, "X", 2, NULL, NULL), -EINVAL);
	assert_int_equal(req(dom0, XS_TRANSACTION_END, 0, "T", 2, NULL, NULL), -ENOENT);
	assert_int_equal(tx_end(dom0, tx, true), 0);
}

/* ---- permissions ---------------------------------------------------------------- */

static void test_permissions(void **state)
{
	struct xsd_conn *g5 = make_guest(5);
	struct xsd_conn *g6 = make_guest(6);
	char out[128];
	size_t len;

	(void)state;
	assert_int_equal(xwrite(g5, 0, "mine/a", "1"), 0);
	/* A new node inherits its parent's perms, with the creating guest as owner. */
	assert_int_equal(req(g5, XS_GET_PERMS, 0, "mine/a", 7, out, &len), 0);
	assert_int_equal(len, 3);
	assert_memory_equal(out, "n5\0", 3);
	/* Another guest can neither read nor write it, nor learn whether it exists. */
	assert_int_equal(xread(g6, 0, "/local/domain/5/mine/a", NULL), -EACCES);
	assert_int_equal(xread(g6, 0, "/local/domain/5/mine/zz", NULL), -EACCES);
	assert_int_equal(xwrite(g6, 0, "/local/domain/5/mine/a", "x"), -EACCES);
	assert_int_equal(xwrite(g6, 0, "/local/domain/5/new", "x"), -EACCES);
	assert_int_equal(req_str(g6, XS_RM, 0, "/local/domain/5/mine", NULL), -EACCES);
	assert_int_equal(req_str(g6, XS_DIRECTORY, 0, "/local/domain/5", NULL), -EACCES);
	/* Guests cannot write outside places given to them. */
	assert_int_equal(xwrite(g5, 0, "/tool/x", "1"), -EACCES);
	assert_int_equal(xread(g5, 0, "/local/domain/0/name", NULL), -EACCES);
	/* The owner grants read to 6: read yes, write no. */
	assert_int_equal(set_perms(g5, 0, "mine/a", "n5\0r6", 6), 0);
	assert_int_equal(xread(g6, 0, "/local/domain/5/mine/a", "1"), 0);
	assert_int_equal(xwrite(g6, 0, "/local/domain/5/mine/a", "x"), -EACCES);
	/* Only the owner sets perms, and a guest may not give a node away. */
	assert_int_equal(set_perms(g6, 0, "/local/domain/5/mine/a", "n6", 3), -EACCES);
	assert_int_equal(set_perms(g5, 0, "mine/a", "n6", 3), -EPERM);
	assert_int_equal(set_perms(g5, 0, "mine/a", "x5", 3), -EINVAL);
	assert_int_equal(set_perms(g5, 0, "mine/a", "r", 2), -EINVAL);
	/* Dom0 bypasses everything, and its new nodes keep the parent's owner. */
	assert_int_equal(xread(dom0, 0, "/local/domain/5/mine/a", "1"), 0);
	assert_int_equal(xwrite(dom0, 0, "/local/domain/5/fromdom0", "1"), 0);
	assert_int_equal(req_str(dom0, XS_GET_PERMS, 0, "/local/domain/5/fromdom0", out), 0);
	assert_string_equal(out, "n5");
	assert_int_equal(set_perms(dom0, 0, "/local/domain/5/mine/a", "b6\0r5", 6), 0);
	assert_int_equal(xwrite(g6, 0, "/local/domain/5/mine/a", "by6"), 0);
	assert_int_equal(xread(g5, 0, "mine/a", "by6"), 0);
	assert_int_equal(xwrite(g5, 0, "mine/a", "x"), -EACCES); /* 5 only reads now */
	/* A "b" default lets everyone in; entries override the default. */
	assert_int_equal(xwrite(dom0, 0, "/pub/v", "1"), 0);
	assert_int_equal(set_perms(dom0, 0, "/pub/v", "b0\0n6", 6), 0);
	assert_int_equal(xwrite(g5, 0, "/pub/v", "5"), 0);
	assert_int_equal(xread(g6, 0, "/pub/v", NULL), -EACCES);
	/* Privileged-only requests. */
	assert_int_equal(req_str(g5, XS_RELEASE, 0, "6", NULL), -EACCES);
	assert_int_equal(req_str(g5, XS_IS_DOMAIN_INTRODUCED, 0, "6", NULL), -EACCES);
	assert_int_equal(req(g5, XS_INTRODUCE, 0,
			     "7\0"
			     "1\0"
			     "1",
			     6, NULL, NULL),
			 -EACCES);
	assert_int_equal(set_perms(g5, 0, "@releaseDomain", "r5", 3), -EACCES);
}

static void test_set_target(void **state)
{
	struct xsd_conn *g5 = make_guest(5);

	(void)state;
	make_guest(6);
	assert_int_equal(xwrite(dom0, 0, "/local/domain/6/x", "1"), 0);
	assert_int_equal(xread(g5, 0, "/local/domain/6/x", NULL), -EACCES);
	assert_int_equal(two(dom0, XS_SET_TARGET, "5", "6"), 0);
	assert_int_equal(xread(g5, 0, "/local/domain/6/x", "1"), 0); /* acts as 6 now */
	assert_int_equal(two(dom0, XS_SET_TARGET, "9", "6"), -ENOENT);
}

/* ---- quotas --------------------------------------------------------------------- */

static void test_quotas(void **state)
{
	struct xsd_conn *g = make_guest(5);
	char big[3000], path[64];
	unsigned i, owned;
	uint32_t txs[XSD_QUOTA_TRANSACTIONS];

	(void)state;
	memset(big, 'v', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(xwrite(g, 0, "big", big), -ENOSPC);
	big[1900] = '\0';
	assert_int_equal(xwrite(g, 0, "big", big), 0);
	big[1900] = 'v';
	assert_int_equal(xwrite(dom0, 0, "/local/domain/5/dom0big", big), 0); /* Dom0: no quota */

	/* Nodes: the home and dom0big already count for 5. */
	owned = xsd_tree_owned(xsd_store_tree(st), 5);
	for (i = owned; i < XSD_QUOTA_NODES; i++) {
		snprintf(path, sizeof(path), "n/%u", i);
		assert_int_equal(xwrite(g, 0, path, "x"), 0);
		if (i == owned)
			i++; /* "n" itself was created too */
		/* Each write is charged the nodes it created: the first, two. */
		assert_int_equal(xsd_tree_owned(xsd_store_tree(st), 5), i + 1);
	}
	assert_int_equal(xsd_tree_owned(xsd_store_tree(st), 5), XSD_QUOTA_NODES);
	assert_int_equal(xwrite(g, 0, "n/one-more", "x"), -ENOSPC);
	assert_int_equal(req_str(g, XS_MKDIR, 0, "n/one-more", NULL), -ENOSPC);
	assert_int_equal(req_str(g, XS_RM, 0, "n/7", NULL), 0);
	assert_int_equal(xwrite(g, 0, "n/one-more", "x"), 0);

	/* Watches. */
	for (i = 0; i < XSD_QUOTA_WATCHES; i++) {
		snprintf(path, sizeof(path), "w%u", i);
		assert_int_equal(two(g, XS_WATCH, "data", path), 0);
	}
	assert_int_equal(two(g, XS_WATCH, "data", "too-many"), -E2BIG);
	nr_events = 0;

	/* Transactions. */
	for (i = 0; i < XSD_QUOTA_TRANSACTIONS; i++)
		txs[i] = tx_start(g);
	assert_int_equal(req(g, XS_TRANSACTION_START, 0, "", 1, NULL, NULL), -ENOSPC);
	assert_int_equal(tx_end(g, txs[0], false), 0);
	txs[0] = tx_start(g);

	/* Permission lists. */
	assert_int_equal(set_perms(g, 0, "big", "n5\0r1\0r2\0r3\0r4\0r6", 18), -ENOSPC);
	assert_int_equal(set_perms(g, 0, "big", "n5\0r1\0r2\0r3\0r4", 15), 0);
}

/* ---- domains -------------------------------------------------------------------- */

static void test_domains(void **state)
{
	char out[16];

	(void)state;
	assert_int_equal(two(dom0, XS_WATCH, "@introduceDomain", "intro"), 0);
	assert_int_equal(two(dom0, XS_WATCH, "@releaseDomain", "rel"), 0);
	expect_event(dom0, "@introduceDomain", "intro");
	expect_event(dom0, "@releaseDomain", "rel");
	assert_int_equal(req_str(dom0, XS_IS_DOMAIN_INTRODUCED, 0, "4", out), 0);
	assert_string_equal(out, "F");
	make_guest(4);
	expect_event(dom0, "@introduceDomain", "intro");
	assert_int_equal(req_str(dom0, XS_IS_DOMAIN_INTRODUCED, 0, "4", out), 0);
	assert_string_equal(out, "T");
	assert_int_equal(req_str(dom0, XS_IS_DOMAIN_INTRODUCED, 0, "0", out), 0);
	assert_string_equal(out, "T");

	/* Introducing again: same ring rebinds, another ring is refused. */
	assert_int_equal(req(dom0, XS_INTRODUCE, 0,
			     "4\0"
			     "4100\0"
			     "99",
			     10, NULL, NULL),
			 0);
	assert_int_equal(nr_rebinds, 1);
	assert_int_equal(req(dom0, XS_INTRODUCE, 0,
			     "4\0"
			     "1\0"
			     "99",
			     7, NULL, NULL),
			 -EINVAL);
	assert_int_equal(req(dom0, XS_INTRODUCE, 0,
			     "0\0"
			     "1\0"
			     "1",
			     6, NULL, NULL),
			 -EINVAL);
	assert_int_equal(req(dom0, XS_INTRODUCE, 0,
			     "x\0"
			     "1\0"
			     "1",
			     6, NULL, NULL),
			 -EINVAL);
	assert_int_equal(req(dom0, XS_INTRODUCE, 0,
			     "8\0"
			     "1",
			     4, NULL, NULL),
			 -EINVAL);
	introduce_fail = -ENOENT;
	assert_int_equal(req(dom0, XS_INTRODUCE, 0,
			     "8\0"
			     "1\0"
			     "1",
			     6, NULL, NULL),
			 -ENOENT);
	introduce_fail = 0;

	/* The guest's watches and transactions go with it; its nodes stay. */
	assert_int_equal(xwrite(guests[4], 0, "data/x", "1"), 0);
	assert_int_equal(two(guests[4], XS_WATCH, "data", "t"), 0);
	tx_start(guests[4]);
	assert_int_equal(req_str(dom0, XS_RELEASE, 0, "4", NULL), 0);
	assert_int_equal(nr_released, 1);
	expect_event(dom0, "@releaseDomain", "rel");
	assert_int_equal(req_str(dom0, XS_RELEASE, 0, "4", NULL), -ENOENT);
	assert_int_equal(req_str(dom0, XS_RELEASE, 0, "0", NULL), -EINVAL);
	assert_int_equal(xread(dom0, 0, "/local/domain/4/data/x", "1"), 0);
	nr_events = 0;
	assert_int_equal(xwrite(dom0, 0, "/local/domain/4/data/x", "2"), 0);
	assert_int_equal(nr_events, 0);
}

static void test_domain_death(void **state)
{
	struct xsd_domstate alive[] = { { 0, false, false },
					{ 2, false, false },
					{ 3, false, false } };
	struct xsd_domstate down[] = { { 0, false, false },
				       { 2, true, false },
				       { 3, false, false } };
	struct xsd_domstate dying[] = { { 0, false, false }, { 2, true, true } };

	(void)state;
	make_guest(2);
	make_guest(3);
	assert_int_equal(two(dom0, XS_WATCH, "@releaseDomain", "rel"), 0);
	expect_event(dom0, "@releaseDomain", "rel");
	xsd_domains_update(st, alive, 3);
	expect_no_event(dom0);
	xsd_domains_update(st, down, 3); /* shut down: fires once, keeps it */
	expect_event(dom0, "@releaseDomain", "rel");
	assert_true(xsd_domain_introduced(st, 2));
	xsd_domains_update(st, down, 3);
	expect_no_event(dom0);
	xsd_domains_update(st, dying, 2); /* 2 dying, 3 gone */
	expect_event(dom0, "@releaseDomain", "rel");
	expect_no_event(dom0);
	assert_false(xsd_domain_introduced(st, 2));
	assert_false(xsd_domain_introduced(st, 3));
	assert_int_equal(nr_released, 2);
	/* Special-node perms: a guest hears @releaseDomain only when allowed. */
	make_guest(7);
	assert_int_equal(two(guests[7], XS_WATCH, "@releaseDomain", "g"), 0);
	expect_event(guests[7], "@releaseDomain", "g"); /* the first firing is unconditional */
	assert_int_equal(req_str(dom0, XS_RELEASE, 0, "2", NULL), -ENOENT);
	make_guest(9);
	assert_int_equal(req_str(dom0, XS_RELEASE, 0, "9", NULL), 0);
	expect_no_event(guests[7]); /* not allowed to see it */
	assert_int_equal(set_perms(dom0, 0, "@releaseDomain", "n0\0r7", 6), 0);
	make_guest(8);
	assert_int_equal(req_str(dom0, XS_RELEASE, 0, "8", NULL), 0);
	expect_event(guests[7], "@releaseDomain", "g");
}

/* ---- malformed input ------------------------------------------------------------ */

static void test_malformed(void **state)
{
	struct xsd_conn *g = make_guest(5);
	struct xsd_sockmsg h = { .type = XS_READ, .req_id = 1, .len = XENSTORE_PAYLOAD_MAX + 1 };
	struct xsd_sockmsg r;
	char body[64];

	(void)state;
	/* Missing NULs, bad paths, wrong argument counts. */
	assert_int_equal(req(dom0, XS_READ, 0, "/local", 6, NULL, NULL), -EINVAL);
	assert_int_equal(req(dom0, XS_READ, 0, "", 0, NULL, NULL), -EINVAL);
	assert_int_equal(req(dom0, XS_READ, 0, "/a\0b", 4, NULL, NULL), -EINVAL);
	assert_int_equal(req(dom0, XS_WRITE, 0, "/nonul", 6, NULL, NULL), -EINVAL);
	assert_int_equal(xread(dom0, 0, "/a//b", NULL), -EINVAL);
	assert_int_equal(xread(dom0, 0, "/a/", NULL), -EINVAL);
	assert_int_equal(xread(dom0, 0, "/a b", NULL), -EINVAL);
	assert_int_equal(xread(dom0, 0, "/a*", NULL), -EINVAL);
	assert_int_equal(req(dom0, XS_WATCH, 0, "/a", 3, NULL, NULL), -EINVAL);
	assert_int_equal(req(dom0, XS_WATCH, 0, "/a\0tok", 6, NULL, NULL), -EINVAL);
	assert_int_equal(req(dom0, XS_SET_PERMS, 0, "/local", 7, NULL, NULL), -EINVAL);
	assert_int_equal(req_str(dom0, XS_GET_DOMAIN_PATH, 0, "12x", NULL), -EINVAL);
	assert_int_equal(req_str(dom0, XS_GET_DOMAIN_PATH, 0, "99999999999", NULL), -EINVAL);
	/* Unknown and server-only types. */
	assert_int_equal(req(dom0, 99, 0, "", 1, NULL, NULL), -ENOSYS);
	assert_int_equal(req(dom0, 20, 0, "", 1, NULL, NULL), -ENOSYS);
	assert_int_equal(req(dom0, XS_ERROR, 0, "", 1, NULL, NULL), -ENOSYS);
	assert_int_equal(req(dom0, XS_WATCH_EVENT, 0, "", 1, NULL, NULL), -ENOSYS);
	assert_int_equal(req(dom0, XS_GET_QUOTA, 0, "", 1, NULL, NULL), -ENOSYS);
	/* A long path. */
	{
		char p[XENSTORE_ABS_PATH_MAX + 10];

		memset(p, 'a', sizeof(p) - 1);
		p[0] = '/';
		p[sizeof(p) - 1] = '\0';
		assert_int_equal(xread(dom0, 0, p, NULL), -EINVAL);
		assert_int_equal(xread(g, 0, p + 1, NULL), -EINVAL);
	}
	/* A request split into single bytes is served all the same. */
	{
		struct xsd_sockmsg sh = { .type = XS_READ, .req_id = 77, .len = 21 };
		const char *path = "/local/domain/0/name";
		size_t i;

		for (i = 0; i < sizeof(sh); i++)
			assert_int_equal(xsd_conn_feed(dom0, (char *)&sh + i, 1), 0);
		for (i = 0; i <= strlen(path); i++)
			assert_int_equal(xsd_conn_feed(dom0, path + i, 1), 0);
		assert_true(drain(dom0, &r, body, sizeof(body)));
		assert_int_equal(r.req_id, 77);
		assert_memory_equal(body, "Domain-0", 8);
	}
	/* An oversized length is answered with EINVAL; the stream is then given up. */
	assert_int_equal(xsd_conn_feed(g, &h, sizeof(h)), -EPROTO);
	assert_true(drain(g, &r, body, sizeof(body)));
	assert_int_equal(r.type, XS_ERROR);
	assert_int_equal(r.req_id, 1);
	assert_string_equal(body, "EINVAL");
	assert_true(xsd_conn_broken(g));
	assert_int_equal(xsd_conn_feed(g, "more", 4), -EPROTO);
	xsd_conn_reset(g);
	assert_false(xsd_conn_broken(g));
}

static uint32_t rnd_state = 12345;

static uint32_t rnd(void)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return rnd_state >> 8;
}

static void test_fuzz(void **state)
{
	static const char *const words[] = {
		"/",  "/a", "/a/b", "data", "@releaseDomain", "T", "F", "5", "n0",
		"r5", "b7", "0",    "",	    "/local/domain/5"
	};
	unsigned iter, i;

	(void)state;
	make_guest(5);
	for (iter = 0; iter < 20000; iter++) {
		struct xsd_conn *c = (iter & 1) ? dom0 : guests[5];
		unsigned char buf[sizeof(struct xsd_sockmsg) + 256];
		struct xsd_sockmsg *h = (struct xsd_sockmsg *)buf;
		size_t len = 0, out;

		if (iter % 3 == 0) {
			/* Raw random bytes with a plausible length. */
			h->type = rnd() % 30;
			h->req_id = rnd();
			h->tx_id = rnd() % 4 ? 0 : rnd() % 4;
			len = rnd() % 200;
			for (i = 0; i < len; i++)
				buf[sizeof(*h) + i] = (unsigned char)rnd();
		} else {
			/* Strings that mean something, in random order and number. */
			h->type = rnd() % 28;
			h->req_id = rnd();
			h->tx_id = rnd() % 3 ? 0 : rnd() % 5;
			for (i = rnd() % 4; i > 0; i--) {
				const char *w = words[rnd() % (sizeof(words) / sizeof(words[0]))];
				size_t wl = strlen(w) + (rnd() % 5 ? 1 : 0);

				if (len + wl > 200)
					break;
				/* wl leaves the NUL off one word in five on purpose: unterminated
				 * strings are part of the fuzz. */
				/* NOLINTNEXTLINE(bugprone-not-null-terminated-result): as above */
				memcpy(buf + sizeof(*h) + len, w, wl);
				len += wl;
			}
		}
		if (h->type == XS_INTRODUCE || h->type == XS_RELEASE)
			h->type = XS_READ; /* keep domain 5 around */
		h->len = (uint32_t)len;
		assert_int_equal(xsd_conn_feed(c, buf, sizeof(*h) + len), 0);
		xsd_conn_out_consume(c, xsd_conn_out_len(c));
		(void)out;
	}
	/* Pure noise, including oversized lengths: never a crash. */
	for (iter = 0; iter < 2000; iter++) {
		struct xsd_conn *c = xsd_conn_new(st, 9, false, NULL);
		unsigned char noise[512];

		for (i = 0; i < sizeof(noise); i++)
			noise[i] = (unsigned char)rnd();
		xsd_conn_feed(c, noise, rnd() % sizeof(noise));
		xsd_conn_free(c);
	}
	nr_events = 0;
	assert_int_equal(xread(dom0, 0, "/local/domain/0/name", "Domain-0"), 0);
}

/* ---- the client library over a socketpair --------------------------------------- */

struct server {
	int fd;
	struct xsd_conn *c;
};

/* Serves one socket with the core until the client closes it. */
static void *serve(void *arg)
{
	struct server *s = arg;
	char buf[4096];

	for (;;) {
		ssize_t n = read(s->fd, buf, sizeof(buf));
		size_t len;
		const void *out;

		if (n <= 0)
			break;
		xsd_conn_feed(s->c, buf, (size_t)n);
		while ((out = xsd_conn_out_peek(s->c, &len)) != NULL) {
			ssize_t w = write(s->fd, out, len);

			if (w <= 0)
				return NULL;
			xsd_conn_out_consume(s->c, (size_t)w);
		}
	}
	return NULL;
}

static void test_client(void **state)
{
	struct server s;
	struct lam_xs *xs;
	struct lam_xs_perm perms[2] = { { 0, LAM_XS_PERM_NONE }, { 5, LAM_XS_PERM_READ } };
	struct lam_xs_perm *got;
	pthread_t th;
	int sv[2];
	char *v, *path, *token, **dir;
	size_t len;
	unsigned n;
	uint32_t tx;

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	s.fd = sv[1];
	s.c = xsd_conn_new(st, 0, true, NULL);
	assert_int_equal(pthread_create(&th, NULL, serve, &s), 0);
	assert_int_equal(lam_xs_open_fd(sv[0], &xs), 0);

	assert_int_equal(lam_xs_write_str(xs, 0, "/cl/a", "va"), 0);
	assert_int_equal(lam_xs_printf(xs, 0, "/cl/b", "%d", 42), 0);
	v = lam_xs_read(xs, 0, "/cl/b", &len);
	assert_non_null(v);
	assert_int_equal(len, 2);
	assert_string_equal(v, "42");
	free(v);
	assert_null(lam_xs_read(xs, 0, "/cl/none", NULL));
	assert_int_equal(errno, ENOENT);
	dir = lam_xs_directory(xs, 0, "/cl", &n);
	assert_non_null(dir);
	assert_int_equal(n, 2);
	assert_string_equal(dir[0], "a");
	assert_string_equal(dir[1], "b");
	assert_null(dir[2]);
	free(dir);
	assert_int_equal(lam_xs_mkdir(xs, 0, "/cl/d"), 0);

	/* Events that arrive while a reply is awaited are queued, in order. */
	assert_int_equal(lam_xs_watch(xs, "/cl", "w"), 0);
	assert_int_equal(lam_xs_write_str(xs, 0, "/cl/a", "changed"), 0);
	assert_int_equal(lam_xs_read_watch(xs, &path, &token), 0);
	assert_string_equal(path, "/cl");
	assert_string_equal(token, "w");
	free(path);
	free(token);
	assert_int_equal(lam_xs_read_watch(xs, &path, &token), 0);
	assert_string_equal(path, "/cl/a");
	free(path);
	free(token);
	assert_false(lam_xs_watch_pending(xs));
	assert_int_equal(lam_xs_unwatch(xs, "/cl", "w"), 0);
	assert_int_equal(lam_xs_unwatch(xs, "/cl", "w"), -ENOENT);

	/* Transactions, including a conflict. */
	tx = lam_xs_transaction_start(xs);
	assert_int_not_equal(tx, 0);
	assert_int_equal(lam_xs_write_str(xs, tx, "/cl/t", "1"), 0);
	assert_int_equal(lam_xs_transaction_end(xs, tx, true), 0);
	tx = lam_xs_transaction_start(xs);
	v = lam_xs_read(xs, tx, "/cl/t", NULL);
	free(v);
	assert_int_equal(lam_xs_write_str(xs, tx, "/cl/t", "2"), 0);
	{
		struct xsd_conn *other = xsd_conn_new(st, 0, true, NULL);

		/* Changed behind the transaction's back (the server thread is idle now). */
		assert_int_equal(xwrite(other, 0, "/cl/t", "3"), 0);
		xsd_conn_free(other);
	}
	assert_int_equal(lam_xs_transaction_end(xs, tx, true), -EAGAIN);

	/* Permissions. */
	assert_int_equal(lam_xs_set_permv(xs, 0, "/cl/a", perms, 2), 0);
	got = lam_xs_get_perms(xs, 0, "/cl/a", &n);
	assert_non_null(got);
	assert_int_equal(n, 2);
	assert_int_equal(got[1].domid, 5);
	assert_int_equal(got[1].perms, LAM_XS_PERM_READ);
	free(got);
	assert_int_equal(lam_xs_set_perms(xs, 0, "/cl/a", "b0\0", 3), 0);

	/* Domains. */
	v = lam_xs_get_domain_path(xs, 12);
	assert_string_equal(v, "/local/domain/12");
	free(v);
	assert_int_equal(lam_xs_is_domain_introduced(xs, 12), 0);
	assert_int_equal(lam_xs_introduce(xs, 12, 0x40001ull, 1), 0);
	assert_int_equal(lam_xs_is_domain_introduced(xs, 12), 1);
	assert_int_equal(lam_xs_release(xs, 12), 0);
	assert_int_equal(lam_xs_release(xs, 12), -ENOENT);

	assert_int_equal(lam_xs_rm(xs, 0, "/cl"), 0);
	assert_null(lam_xs_read(xs, 0, "/cl/a", NULL));

	lam_xs_close(xs);
	pthread_join(th, NULL);
	close(sv[1]);
	xsd_conn_free(s.c);
}

static void test_wire_helpers(void **state)
{
	char buf[64];
	struct xsd_perm p[3];
	unsigned n;

	(void)state;
	assert_string_equal(xs_wire_errname(EAGAIN), "EAGAIN");
	assert_string_equal(xs_wire_errname(12345), "EINVAL");
	assert_int_equal(xs_wire_errnum("E2BIG", 6), E2BIG);
	assert_int_equal(xs_wire_errnum("EWHAT", 6), EINVAL);
	assert_true(xsd_path_valid("/"));
	assert_true(xsd_path_valid("/a-b_c@d/0"));
	assert_false(xsd_path_valid("a"));
	assert_false(xsd_path_valid("/a/"));
	assert_true(xsd_path_is_child("/a/b", "/a"));
	assert_true(xsd_path_is_child("/a", "/a"));
	assert_false(xsd_path_is_child("/ab", "/a"));
	assert_true(xsd_path_is_child("/ab", "/"));
	assert_int_equal(xsd_perms_parse("b0\0r12\0", 7, p, 3, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(p[1].id, 12);
	assert_int_equal(xsd_perms_format(p, n, buf, sizeof(buf)), 7);
	assert_memory_equal(buf, "b0\0r12\0", 7);
	assert_int_equal(xsd_perms_parse("r", 1, p, 3, &n), -EINVAL);
	assert_int_equal(xsd_perms_parse("r1\0r2\0r3\0r4", 12, p, 3, &n), -ENOSPC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wire_helpers),
		cmocka_unit_test_setup_teardown(test_dom0_nodes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_write, setup, teardown),
		cmocka_unit_test_setup_teardown(test_directory_part, setup, teardown),
		cmocka_unit_test_setup_teardown(test_relative_paths, setup, teardown),
		cmocka_unit_test_setup_teardown(test_watch_basic, setup, teardown),
		cmocka_unit_test_setup_teardown(test_watch_rm_ancestor, setup, teardown),
		cmocka_unit_test_setup_teardown(test_watch_relative, setup, teardown),
		cmocka_unit_test_setup_teardown(test_watch_permissions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tx_commit_abort, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tx_conflict, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tx_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_permissions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_target, setup, teardown),
		cmocka_unit_test_setup_teardown(test_quotas, setup, teardown),
		cmocka_unit_test_setup_teardown(test_domains, setup, teardown),
		cmocka_unit_test_setup_teardown(test_domain_death, setup, teardown),
		cmocka_unit_test_setup_teardown(test_malformed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fuzz, setup, teardown),
		cmocka_unit_test_setup_teardown(test_client, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
