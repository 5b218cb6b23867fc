/* SPDX-License-Identifier: Apache-2.0 */
/*
 * liblam: frontend/backend device pairs in xenstore, the part of a PV device the toolstack
 * owns (Xen's tools/libs/light/libxl_device.c: libxl__device_frontend_path(),
 * libxl__device_backend_path(), libxl__device_generic_add()). A kind's own keys (a disk's
 * params and mode, a NIC's mac and handle) come from the caller; this file writes the
 * generic keys and permissions every device shares. Today the primary console goes through
 * here; PV disks (vbd) and NICs (vif) are the next callers.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <lam/xs.h>

#include "internal.h"

const char *lam_device_kind_name(enum lam_device_kind kind)
{
	switch (kind) {
	case LAM_DEVICE_CONSOLE:
		return "console";
	case LAM_DEVICE_VBD:
		return "vbd";
	case LAM_DEVICE_VIF:
		return "vif";
	default:
		return "unknown";
	}
}

/** The primary console is Xen's special case: its frontend is /local/domain/D/console. */
static bool is_primary_console(const struct lam_device *dev)
{
	return dev->kind == LAM_DEVICE_CONSOLE && dev->devid == 0;
}

void lam_device_frontend_path(const struct lam_device *dev, char *buf, size_t len)
{
	if (is_primary_console(dev)) {
		snprintf(buf, len, "/local/domain/%u/console", dev->domid);
		return;
	}
	snprintf(buf, len, "/local/domain/%u/device/%s/%u", dev->domid,
		 lam_device_kind_name(dev->kind), dev->devid);
}

void lam_device_backend_path(const struct lam_device *dev, char *buf, size_t len)
{
	snprintf(buf, len, "/local/domain/%u/backend/%s/%u/%u", dev->backend_domid,
		 lam_device_kind_name(dev->kind), dev->domid, dev->devid);
}

void lam__device_write(struct lam__xs_batch *b, const struct lam_device *dev)
{
	/* Backend directory: the backend's, readable by the guest. */
	const struct lam_xs_perm back_perms[2] = { { dev->backend_domid, LAM_XS_PERM_NONE },
						   { dev->domid, LAM_XS_PERM_READ } };
	/* Frontend directory: the guest's, readable by the backend. */
	const struct lam_xs_perm front_perms[2] = { { dev->domid, LAM_XS_PERM_NONE },
						    { dev->backend_domid, LAM_XS_PERM_READ } };
	char front[128], back[128], path[192];

	lam_device_frontend_path(dev, front, sizeof(front));
	lam_device_backend_path(dev, back, sizeof(back));

	lam__xb_mkdir(b, front);
	/* The primary console's keys are set up once by the toolstack: read-only for the guest. */
	lam__xb_perms(b, front, is_primary_console(dev) ? back_perms : front_perms, 2);
	snprintf(path, sizeof(path), "%s/backend", front);
	lam__xb_write(b, path, "%s", back);
	snprintf(path, sizeof(path), "%s/backend-id", front);
	lam__xb_write(b, path, "%u", dev->backend_domid);
	if (!is_primary_console(dev)) {
		/* The primary console does not run the XenbusState machine. */
		snprintf(path, sizeof(path), "%s/state", front);
		lam__xb_write(b, path, "1");
	}
	for (size_t i = 0; i < dev->nr_front; i++) {
		snprintf(path, sizeof(path), "%s/%s", front, dev->front[i].key);
		lam__xb_write(b, path, "%s", dev->front[i].value);
	}

	lam__xb_mkdir(b, back);
	lam__xb_perms(b, back, back_perms, 2);
	snprintf(path, sizeof(path), "%s/frontend", back);
	lam__xb_write(b, path, "%s", front);
	snprintf(path, sizeof(path), "%s/frontend-id", back);
	lam__xb_write(b, path, "%u", dev->domid);
	snprintf(path, sizeof(path), "%s/online", back);
	lam__xb_write(b, path, "1");
	snprintf(path, sizeof(path), "%s/state", back);
	lam__xb_write(b, path, "1");
	for (size_t i = 0; i < dev->nr_back; i++) {
		snprintf(path, sizeof(path), "%s/%s", back, dev->back[i].key);
		lam__xb_write(b, path, "%s", dev->back[i].value);
	}
}

static void device_fill(struct lam__xs_batch *b, const void *arg)
{
	lam__device_write(b, arg);
}

int lam_device_write(struct lam_ctx *ctx, struct lam_xs *xs, uint32_t tx,
		     const struct lam_device *dev)
{
	struct lam__xs_batch b = { .xs = xs, .tx = tx };

	lam__device_write(&b, dev);
	if (b.err != 0) {
		LAM_ERR(ctx, "xenstore: cannot %s: %s", b.failed, strerror(-b.err));
	}
	return b.err;
}

int lam_device_add(struct lam_ctx *ctx, const struct lam_device *dev)
{
	struct lam_xs *xs = lam__xs_connect(ctx);
	int err;

	if (xs == NULL) {
		return -ENOTCONN;
	}
	err = lam__xs_transact(ctx, xs, device_fill, dev);
	lam_xs_close(xs);
	return err;
}

static void device_rm_fill(struct lam__xs_batch *b, const void *arg)
{
	const struct lam_device *dev = arg;
	char path[128];

	lam_device_frontend_path(dev, path, sizeof(path));
	lam__xb_rm(b, path);
	lam_device_backend_path(dev, path, sizeof(path));
	lam__xb_rm(b, path);
}

int lam_device_remove(struct lam_ctx *ctx, const struct lam_device *dev)
{
	struct lam_xs *xs = lam__xs_connect(ctx);
	int err;

	if (xs == NULL) {
		return -ENOTCONN;
	}
	err = lam__xs_transact(ctx, xs, device_rm_fill, dev);
	lam_xs_close(xs);
	return err;
}
