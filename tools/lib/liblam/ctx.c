/* SPDX-License-Identifier: Apache-2.0 */
/*
 * liblam: the context (libxl_ctx's role) and logging. A context holds the control handle
 * (/dev/xen/privcmd), the logger and the run directory; xenstore connections are opened
 * per operation, as the daemon may be restarted between them.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lam/ctl.h>
#include <lam/xs.h>

#include "internal.h"

void lam_log_stdio(void *arg, enum lam_log_level level, const char *who, const char *msg)
{
	(void)arg;
	if (level == LAM_LOG_INFO) {
		printf("%s\n", msg);
		return;
	}
	fprintf(stderr, "lam: %s: %s\n", who, msg);
}

int lam_ctx_alloc(struct lam_ctx **out, const char *who, lam_log_fn *log, void *log_arg)
{
	struct lam_ctx *ctx = calloc(1, sizeof(*ctx));
	int err;

	if (ctx == NULL) {
		return -ENOMEM;
	}
	err = lam_ctl_open(&ctx->ctl);
	if (err != 0) {
		free(ctx);
		return err;
	}
	ctx->who = who;
	ctx->log = log != NULL ? log : lam_log_stdio;
	ctx->log_arg = log_arg;
	snprintf(ctx->run_dir, sizeof(ctx->run_dir), "%s", LAM_RUN_DIR);
	*out = ctx;
	return 0;
}

void lam_ctx_free(struct lam_ctx *ctx)
{
	if (ctx == NULL) {
		return;
	}
	lam_ctl_close(ctx->ctl);
	free(ctx);
}

void lam_ctx_set_who(struct lam_ctx *ctx, const char *who)
{
	ctx->who = who;
}

void lam_ctx_set_run_dir(struct lam_ctx *ctx, const char *dir)
{
	snprintf(ctx->run_dir, sizeof(ctx->run_dir), "%s", dir);
}

void lam_log(struct lam_ctx *ctx, enum lam_log_level level, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ctx->log(ctx->log_arg, level, ctx->who, msg);
}

struct lam_xs *lam__xs_connect(struct lam_ctx *ctx)
{
	struct lam_xs *xs;
	int err;

	err = lam_xs_open(&xs);
	if (err != 0) {
		LAM_ERR(ctx, "cannot connect to xenstored: %s (is lamina-xenstored running?)",
			strerror(-err));
		return NULL;
	}
	return xs;
}
