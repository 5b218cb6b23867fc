/* SPDX-License-Identifier: Apache-2.0 */
/*
 * liblam internals shared between its files (the role of Xen's libxl_internal.h): the
 * context and the helpers every part uses. Nothing outside tools/lib/liblam includes this.
 */
#pragma once

#include <limits.h>
#include <stdint.h>

#include <lam/liblam.h>
#include <lam/xs.h>

struct lam_ctl;

struct lam_ctx {
	struct lam_ctl *ctl;
	const char *who;
	lam_log_fn *log;
	void *log_arg;
	char run_dir[PATH_MAX];
};

/* Shorthands for lam_log(); every failure is logged once, where it is detected. */
#define LAM_ERR(ctx, ...) lam_log((ctx), LAM_LOG_ERROR, __VA_ARGS__)
#define LAM_INFO(ctx, ...) lam_log((ctx), LAM_LOG_INFO, __VA_ARGS__)

/** Connects to xenstored; NULL after logging why (with a hint that it may not run). */
struct lam_xs *lam__xs_connect(struct lam_ctx *ctx);

/* Xenstore writes that fail a whole transaction: the first error is kept, later calls do
 * nothing, and `failed` says which step it was ("write /local/domain/3/name"). */
struct lam__xs_batch {
	struct lam_xs *xs;
	uint32_t tx;
	int err;
	char failed[256];
};

void lam__xb_write(struct lam__xs_batch *b, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void lam__xb_mkdir(struct lam__xs_batch *b, const char *path);
void lam__xb_perms(struct lam__xs_batch *b, const char *path, const struct lam_xs_perm *p,
		   unsigned int n);
/** Removes path inside the batch's transaction; a missing path is not an error. */
void lam__xb_rm(struct lam__xs_batch *b, const char *path);

/**
 * Runs fill(b, arg) inside a transaction on xs and commits it, retried on conflicts
 * (-EAGAIN). 0, or a negative errno after logging the failed step as "xenstore: ...".
 */
int lam__xs_transact(struct lam_ctx *ctx, struct lam_xs *xs,
		     void (*fill)(struct lam__xs_batch *b, const void *arg), const void *arg);

/** lam_device_write() into an open batch (the domain's layout writes the console with it). */
void lam__device_write(struct lam__xs_batch *b, const struct lam_device *dev);

/* disk.c: a new domain's disks (build.c), every disk of a dying one (teardown.c). */
int lam__disks_add(struct lam_ctx *ctx, struct lam_xs *xs, uint16_t domid,
		   const struct lam_cfg *cfg);
void lam__disks_destroy(struct lam_ctx *ctx, struct lam_xs *xs, uint16_t domid);
