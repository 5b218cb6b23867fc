/* SPDX-License-Identifier: Apache-2.0 */
/*
 * liblam: a domain's life after it is built. A domain that shut down gets its
 * configuration's on_poweroff / on_reboot / on_crash
 * (destroy, restart or preserve; xl's handle_domain_death() in Xen's tools/xl/xl_vmcontrol.c
 * makes the same choice); and state changes are waited for on xenstored's @releaseDomain
 * watch, with polling as the fallback.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lam/ctl.h>
#include <lam/xs.h>
#include <public/xen.h>

#include "internal.h"

enum lam_cfg_action lam_shutdown_action(const struct lam_cfg *cfg, uint32_t reason)
{
	switch (reason) {
	case SHUTDOWN_reboot:
		return cfg->on_reboot;
	case SHUTDOWN_crash:
	case SHUTDOWN_watchdog:
		return cfg->on_crash;
	case SHUTDOWN_poweroff:
	default:
		return cfg->on_poweroff;
	}
}

int lam_domain_handle_shutdown(struct lam_ctx *ctx, const struct lam_cfg *cfg, uint16_t domid,
			       uint32_t reason, unsigned int flags, uint16_t *new_domid)
{
	enum lam_cfg_action action = lam_shutdown_action(cfg, reason);
	int err;

	switch (action) {
	case LAM_CFG_ACTION_PRESERVE:
		LAM_INFO(ctx, "Domain %u (%s) shut down (%s): preserved", domid, cfg->name,
			 lam_shutdown_name(reason));
		return LAM_CFG_ACTION_PRESERVE;
	case LAM_CFG_ACTION_RESTART:
		LAM_INFO(ctx, "Domain %u (%s) shut down (%s): restarting", domid, cfg->name,
			 lam_shutdown_name(reason));
		err = lam_domain_destroy(ctx, domid);
		if (err != 0) {
			return err;
		}
		err = lam_domain_create_new(ctx, cfg, new_domid);
		if (err != 0) {
			return err;
		}
		if (!(flags & LAM_RESTART_PAUSED)) {
			err = lam_ctl_domain_unpause(ctx->ctl, *new_domid);
			if (err != 0) {
				LAM_ERR(ctx, "cannot start domain %u: %s", *new_domid,
					lam_ctl_strerror(err));
				lam_domain_destroy(ctx, *new_domid);
				return err;
			}
		}
		LAM_INFO(ctx, "Domain '%s' restarted with ID %u", cfg->name, *new_domid);
		return LAM_CFG_ACTION_RESTART;
	case LAM_CFG_ACTION_DESTROY:
	default:
		LAM_INFO(ctx, "Domain %u (%s) shut down (%s): destroying", domid, cfg->name,
			 lam_shutdown_name(reason));
		err = lam_domain_destroy(ctx, domid);
		return err == 0 ? LAM_CFG_ACTION_DESTROY : err;
	}
}

struct lam_domain_watch {
	struct lam_ctx *ctx;
	struct lam_xs *xs;
	char token[64];
};

/** Connects and registers the watch; quietly stays disconnected if xenstored is away. */
static void watch_connect(struct lam_domain_watch *w)
{
	if (lam_xs_open(&w->xs) != 0) {
		w->xs = NULL;
		return;
	}
	if (lam_xs_watch(w->xs, "@releaseDomain", w->token) != 0) {
		lam_xs_close(w->xs);
		w->xs = NULL;
	}
}

int lam_domain_watch_open(struct lam_ctx *ctx, const char *token, struct lam_domain_watch **out)
{
	struct lam_domain_watch *w = calloc(1, sizeof(*w));

	if (w == NULL) {
		LAM_ERR(ctx, "out of memory");
		return -ENOMEM;
	}
	w->ctx = ctx;
	snprintf(w->token, sizeof(w->token), "%s", token);
	watch_connect(w);
	*out = w;
	return 0;
}

bool lam_domain_watch_connected(const struct lam_domain_watch *w)
{
	return w->xs != NULL;
}

void lam_domain_watch_wait(struct lam_domain_watch *w, int timeout_ms)
{
	struct pollfd pfd;
	char *path = NULL, *token = NULL;

	if (w->xs == NULL) {
		watch_connect(w);
	}
	if (w->xs == NULL) {
		poll(NULL, 0, timeout_ms);
		return;
	}
	if (!lam_xs_watch_pending(w->xs)) {
		pfd.fd = lam_xs_fd(w->xs);
		pfd.events = POLLIN;
		pfd.revents = 0;
		if (poll(&pfd, 1, timeout_ms) <= 0) {
			return; /* timeout (or a signal): the caller looks at the state anyway */
		}
	}
	if (lam_xs_read_watch(w->xs, &path, &token) != 0) {
		/* xenstored went away: poll meanwhile and reconnect on the next wait. */
		lam_xs_close(w->xs);
		w->xs = NULL;
	}
	free(path);
	free(token);
}

void lam_domain_watch_close(struct lam_domain_watch *w)
{
	if (w == NULL) {
		return;
	}
	if (w->xs != NULL) {
		lam_xs_close(w->xs);
	}
	free(w);
}
