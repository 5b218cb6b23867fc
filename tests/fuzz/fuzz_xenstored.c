/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target (https://llvm.org/docs/LibFuzzer.html): lamina-xenstored's wire
 * protocol and store (tools/xenstored/proto.c, store.c) through their byte-stream
 * interface, as tests/unit/test_xenstored.c drives them, with a fake transport:
 * XS_INTRODUCE makes a guest connection, release drops it.
 *
 * The input is a sequence of operations, each starting with one byte:
 *   bits 0-1  0: raw bytes (2-byte length, then the bytes) fed to a connection;
 *             1: one framed request (type, tx_id and 2-byte length, then the payload: the
 *                header is built here, so the fuzzer reaches the handlers quickly);
 *             2: the hypervisor's domain list changes (xsd_domains_update);
 *             3: the connection is reset (xsd_conn_reset), as on XS_RESET_WATCHES.
 *   bits 2-4  the connection: 0 is Dom0's socket, 1-4 the guests introduced.
 * After each operation every connection's output must be whole messages of at most
 * XENSTORE_PAYLOAD_MAX bytes (Xen's docs/misc/xenstore.txt), error replies and watch events
 * with their NUL-terminated strings; it is then consumed, as the transport would. At the
 * end the store is freed: LeakSanitizer reports anything left behind.
 */
#include <stdbool.h>
#include <string.h>

#include <lam/xs_wire.h>

#include "../../tools/xenstored/xsd.h"
#include "fuzz_common.h"

#define NR_GUESTS 4
#define MAX_OPS 64

static struct {
	uint32_t domid;
	struct xsd_conn *c;
} guests[NR_GUESTS];

static struct xsd_conn *fake_introduce(struct xsd_store *s, uint32_t domid, uint64_t gfn,
				       uint32_t port, int *err)
{
	(void)gfn;
	(void)port;
	for (unsigned int i = 0; i < NR_GUESTS; i++) {
		if (guests[i].c == NULL) {
			guests[i].domid = domid;
			guests[i].c = xsd_conn_new(s, domid, false, NULL);
			if (guests[i].c == NULL) {
				*err = ENOMEM;
			}
			return guests[i].c;
		}
	}
	*err = ENOSPC;
	return NULL;
}

static int fake_rebind(struct xsd_conn *c, uint32_t port)
{
	(void)c;
	(void)port;
	return 0;
}

static void fake_release(struct xsd_conn *c)
{
	for (unsigned int i = 0; i < NR_GUESTS; i++) {
		if (guests[i].c == c) {
			guests[i].c = NULL;
			return;
		}
	}
	FUZZ_CHECK(!"release of a connection never introduced");
}

static void fake_log(enum xsd_log_level level, const char *msg)
{
	(void)level;
	(void)msg;
}

static const struct xsd_ops ops = {
	.introduce = fake_introduce,
	.rebind = fake_rebind,
	.release = fake_release,
	.log = fake_log,
};

/* Checks and consumes c's queued output. */
static void drain(struct xsd_conn *c)
{
	size_t len;
	const char *p = xsd_conn_out_peek(c, &len);
	size_t off = 0;

	while (off < len) {
		struct xsd_sockmsg h;
		const char *body = p + off + sizeof(h);

		FUZZ_CHECK(len - off >= sizeof(h));
		memcpy(&h, p + off, sizeof(h));
		FUZZ_CHECK(h.len <= XENSTORE_PAYLOAD_MAX);
		FUZZ_CHECK(len - off - sizeof(h) >= h.len);
		if (h.type == XS_ERROR) {
			FUZZ_CHECK(h.len > 0 && body[h.len - 1] == '\0');
		}
		if (h.type == XS_WATCH_EVENT) {
			const char *nul = memchr(body, '\0', h.len);

			/* "path\0token\0" */
			FUZZ_CHECK(h.req_id == 0 && nul != NULL && body[h.len - 1] == '\0');
			FUZZ_CHECK(nul != body + h.len - 1);
		}
		off += sizeof(h) + h.len;
	}
	xsd_conn_out_consume(c, len);
	FUZZ_CHECK(xsd_conn_out_len(c) == 0);
}

static void drain_all(struct xsd_conn *dom0)
{
	drain(dom0);
	for (unsigned int i = 0; i < NR_GUESTS; i++) {
		if (guests[i].c != NULL) {
			drain(guests[i].c);
		}
	}
}

static void feed(struct xsd_conn *c, struct fuzz_in *in, bool framed)
{
	static uint32_t req_id;
	struct xsd_sockmsg h;
	size_t len;

	if (framed) {
		h.type = (uint32_t)fuzz_take(in, 1);
		h.tx_id = (uint32_t)fuzz_take(in, 1);
		h.req_id = ++req_id;
	}
	len = (size_t)fuzz_take(in, 2);
	len = len < in->left ? len : in->left;
	if (framed) {
		h.len = (uint32_t)len;
		(void)xsd_conn_feed(c, &h, sizeof(h));
	}
	(void)xsd_conn_feed(c, in->p, len);
	in->p += len;
	in->left -= len;
}

static void domains_update(struct xsd_store *st, struct fuzz_in *in)
{
	struct xsd_domstate doms[NR_GUESTS + 1];
	unsigned int n = (unsigned int)fuzz_take(in, 1) % (NR_GUESTS + 2);

	for (unsigned int i = 0; i < n; i++) {
		uint8_t b = (uint8_t)fuzz_take(in, 1);

		doms[i].domid = b & 0x3f;
		doms[i].shutdown = (b & 0x40) != 0;
		doms[i].dying = (b & 0x80) != 0;
	}
	xsd_domains_update(st, doms, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct xsd_store *st = xsd_store_new(&ops);
	struct xsd_conn *dom0;

	memset(guests, 0, sizeof(guests));
	FUZZ_CHECK(st != NULL);
	FUZZ_CHECK(xsd_store_setup_dom0(st) == 0);
	dom0 = xsd_conn_new(st, 0, true, NULL);
	FUZZ_CHECK(dom0 != NULL);
	for (unsigned int n = 0; n < MAX_OPS && in.left > 0; n++) {
		uint8_t op = (uint8_t)fuzz_take(&in, 1);
		unsigned int sel = (op >> 2) % (NR_GUESTS + 1);
		struct xsd_conn *c = sel == 0 ? dom0 : guests[sel - 1].c;

		switch (op & 3) {
		case 0:
		case 1:
			if (c != NULL) {
				feed(c, &in, (op & 3) == 1);
			}
			break;
		case 2:
			domains_update(st, &in);
			break;
		default:
			if (c != NULL) {
				xsd_conn_reset(c);
			}
			break;
		}
		drain_all(dom0);
	}
	xsd_store_free(st);
	return 0;
}
