/* SPDX-License-Identifier: Apache-2.0 */
/*
 * liblam: batches of xenstore writes inside one transaction, the way every multi-node
 * update of the library is made (a domain's layout, a device's directories): the first
 * failing step is remembered and reported, the transaction is aborted, and a commit that
 * conflicts with another writer (-EAGAIN) is retried from the start.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <lam/xs.h>

#include "internal.h"

#define XS_TX_RETRIES 8

void lam__xb_write(struct lam__xs_batch *b, const char *path, const char *fmt, ...)
{
	char val[512];
	va_list ap;
	int err;

	if (b->err != 0) {
		return;
	}
	va_start(ap, fmt);
	vsnprintf(val, sizeof(val), fmt, ap);
	va_end(ap);
	err = lam_xs_write_str(b->xs, b->tx, path, val);
	if (err != 0) {
		b->err = err;
		snprintf(b->failed, sizeof(b->failed), "write %s", path);
	}
}

void lam__xb_mkdir(struct lam__xs_batch *b, const char *path)
{
	int err;

	if (b->err != 0) {
		return;
	}
	err = lam_xs_mkdir(b->xs, b->tx, path);
	if (err != 0) {
		b->err = err;
		snprintf(b->failed, sizeof(b->failed), "mkdir %s", path);
	}
}

void lam__xb_perms(struct lam__xs_batch *b, const char *path, const struct lam_xs_perm *p,
		   unsigned int n)
{
	int err;

	if (b->err != 0) {
		return;
	}
	err = lam_xs_set_permv(b->xs, b->tx, path, p, n);
	if (err != 0) {
		b->err = err;
		snprintf(b->failed, sizeof(b->failed), "set permissions of %s", path);
	}
}

void lam__xb_rm(struct lam__xs_batch *b, const char *path)
{
	int err;

	if (b->err != 0) {
		return;
	}
	err = lam_xs_rm(b->xs, b->tx, path);
	if (err != 0 && err != -ENOENT) {
		b->err = err;
		snprintf(b->failed, sizeof(b->failed), "remove %s", path);
	}
}

int lam__xs_transact(struct lam_ctx *ctx, struct lam_xs *xs,
		     void (*fill)(struct lam__xs_batch *b, const void *arg), const void *arg)
{
	struct lam__xs_batch b = { .xs = xs };

	for (int attempt = 0; attempt < XS_TX_RETRIES; attempt++) {
		int err;

		b.tx = lam_xs_transaction_start(xs);
		if (b.tx == 0) {
			LAM_ERR(ctx, "xenstore transaction failed: %s", strerror(errno));
			return -errno;
		}
		b.err = 0;
		fill(&b, arg);
		if (b.err != 0) {
			lam_xs_transaction_end(xs, b.tx, false);
			LAM_ERR(ctx, "xenstore: cannot %s: %s", b.failed, strerror(-b.err));
			return b.err;
		}
		err = lam_xs_transaction_end(xs, b.tx, true);
		if (err == 0) {
			return 0;
		}
		if (err != -EAGAIN) {
			LAM_ERR(ctx, "xenstore: commit failed: %s", strerror(-err));
			return err;
		}
	}
	LAM_ERR(ctx, "xenstore: commit kept conflicting");
	return -EAGAIN;
}
