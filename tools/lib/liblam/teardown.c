/* SPDX-License-Identifier: Apache-2.0 */
/*
 * liblam: tearing a domain down (libxl_domain_destroy's role). The order matters: the
 * domain is paused first, so its kernel does not watch its xenstore nodes disappear and
 * react; then xenstore forgets it (nodes, backend directories, XS_RELEASE, which drops the
 * daemon's mapping of its ring); then the hypervisor destroys it, which it refuses with
 * -EBUSY/-EAGAIN while a teardown step of its own is still running; last, the saved
 * configuration goes, so a monitor that reads it meanwhile still finds it.
 */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include <lam/ctl.h>
#include <lam/xs.h>

#include "internal.h"

#define DESTROY_RETRIES 50
#define DESTROY_RETRY_US (100 * 1000)

int lam_domain_destroy(struct lam_ctx *ctx, uint16_t domid)
{
	struct lam_xs *xs;
	char path[PATH_MAX + 32];
	int err;

	if (domid == 0) {
		LAM_ERR(ctx, "refusing to destroy Domain-0");
		return -EPERM;
	}
	(void)lam_ctl_domain_pause(ctx->ctl, domid);
	lam_nics_teardown(ctx, domid); /* netback closed before its guest's pages go */
	xs = lam__xs_connect(ctx);
	if (xs != NULL) {
		lam__disks_destroy(ctx, xs, domid);
		lam_xs_layout_remove(ctx, xs, domid);
		lam_xs_close(xs);
	}
	for (int attempt = 0;; attempt++) {
		err = lam_ctl_domain_destroy(ctx->ctl, domid);
		if ((err != -EAGAIN && err != -EBUSY) || attempt == DESTROY_RETRIES) {
			break;
		}
		usleep(DESTROY_RETRY_US);
	}
	lam_domain_config_path(ctx, domid, path, sizeof(path));
	unlink(path);
	if (err != 0 && err != -ESRCH) {
		LAM_ERR(ctx, "cannot destroy domain %u: %s", domid, lam_ctl_strerror(err));
	}
	return err;
}
