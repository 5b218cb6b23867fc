/* SPDX-License-Identifier: Apache-2.0 */
/*
 * liblam: queries and control of existing domains (the parts of Xen's libxl_domain.c,
 * libxl_sched.c and libxl_mem.c that `lam` uses): lists, resolution of DOM arguments,
 * pause, shutdown requests through control/shutdown, the balloon target, vCPUs and the
 * hypervisor's log.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lam/ctl.h>
#include <lam/xs.h>
#include <public/xen.h>

#include "internal.h"

int lam_physinfo(struct lam_ctx *ctx, struct lam_physinfo *info)
{
	int err = lam_ctl_physinfo(ctx->ctl, info);

	if (err != 0) {
		LAM_ERR(ctx, "cannot query the hypervisor: %s", lam_ctl_strerror(err));
	}
	return err;
}

int lam_list_domain(struct lam_ctx *ctx, struct lam_dom_info **list, size_t *n)
{
	int err = lam_ctl_domain_list(ctx->ctl, list, n);

	if (err != 0) {
		LAM_ERR(ctx, "cannot list domains: %s", lam_ctl_strerror(err));
		return err;
	}
	if (*list == NULL) {
		*list = calloc(1, sizeof(**list));
		if (*list == NULL) {
			LAM_ERR(ctx, "out of memory");
			return -ENOMEM;
		}
	}
	return 0;
}

int lam_domain_info(struct lam_ctx *ctx, uint16_t domid, struct lam_dom_info *info)
{
	return lam_ctl_domain_getinfo(ctx->ctl, domid, info);
}

/** Logs why spec matched no domain; the errno lam_domain_resolve() returns for it. */
static int find_error(struct lam_ctx *ctx, enum lam_find f, const char *spec)
{
	switch (f) {
	case LAM_FIND_OK:
		return 0;
	case LAM_FIND_NO_NAME:
		LAM_ERR(ctx, "no domain named '%s'", spec);
		return -ESRCH;
	case LAM_FIND_NO_ID:
		LAM_ERR(ctx, "no domain with ID %s", spec);
		return -ESRCH;
	case LAM_FIND_BAD_SPEC:
	default:
		LAM_ERR(ctx, "'%s' is not a domain name or ID", spec);
		return -EINVAL;
	}
}

int lam_domain_resolve(struct lam_ctx *ctx, const char *spec, uint16_t *domid)
{
	struct lam_dom_info *list;
	size_t n;
	int err;

	err = lam_list_domain(ctx, &list, &n);
	if (err != 0) {
		return err;
	}
	err = find_error(ctx, lam_find_domain(list, n, spec, domid), spec);
	free(list);
	return err;
}

int lam_domain_select(struct lam_ctx *ctx, const char *const *specs, size_t nr_specs,
		      struct lam_dom_info **out, size_t *n)
{
	struct lam_dom_info *all, *sel;
	size_t nr_all;
	int err;

	err = lam_list_domain(ctx, &all, &nr_all);
	if (err != 0) {
		return err;
	}
	if (nr_specs == 0) {
		*out = all;
		*n = nr_all;
		return 0;
	}
	sel = calloc(nr_specs, sizeof(*sel));
	if (sel == NULL) {
		free(all);
		LAM_ERR(ctx, "out of memory");
		return -ENOMEM;
	}
	for (size_t i = 0; i < nr_specs; i++) {
		uint16_t id;

		err = find_error(ctx, lam_find_domain(all, nr_all, specs[i], &id), specs[i]);
		if (err != 0) {
			free(all);
			free(sel);
			return err;
		}
		for (size_t j = 0; j < nr_all; j++) {
			if (all[j].domid == id) {
				sel[i] = all[j];
			}
		}
	}
	free(all);
	*out = sel;
	*n = nr_specs;
	return 0;
}

int lam_domain_pause(struct lam_ctx *ctx, uint16_t domid)
{
	int err = lam_ctl_domain_pause(ctx->ctl, domid);

	if (err != 0) {
		LAM_ERR(ctx, "domain %u: %s", domid, lam_ctl_strerror(err));
	}
	return err;
}

int lam_domain_unpause(struct lam_ctx *ctx, uint16_t domid)
{
	int err = lam_ctl_domain_unpause(ctx->ctl, domid);

	if (err != 0) {
		LAM_ERR(ctx, "domain %u: %s", domid, lam_ctl_strerror(err));
	}
	return err;
}

int lam_domain_shutdown(struct lam_ctx *ctx, uint16_t domid, uint32_t reason, bool force)
{
	const char *what = reason == SHUTDOWN_reboot ? "reboot" : "poweroff";
	struct lam_xs *xs;
	char path[96], *feature;
	int err;

	if (force) {
		err = lam_ctl_domain_shutdown(ctx->ctl, domid, reason);
		if (err != 0) {
			LAM_ERR(ctx, "domain %u: %s", domid, lam_ctl_strerror(err));
		}
		return err;
	}
	xs = lam__xs_connect(ctx);
	if (xs == NULL) {
		return -ENOTCONN;
	}
	snprintf(path, sizeof(path), "/local/domain/%u/control/feature-%s", domid, what);
	feature = lam_xs_read(xs, LAM_XS_NO_TX, path, NULL);
	if (feature == NULL || strcmp(feature, "1") != 0) {
		lam_log(ctx, LAM_LOG_WARN,
			"note: domain %u has not announced PV %s support yet; the request stays "
			"pending until its kernel reads it (-F forces it)",
			domid, what);
	}
	free(feature);
	snprintf(path, sizeof(path), "/local/domain/%u/control/shutdown", domid);
	err = lam_xs_write_str(xs, LAM_XS_NO_TX, path, what);
	lam_xs_close(xs);
	if (err != 0) {
		LAM_ERR(ctx, "cannot write %s: %s", path, strerror(-err));
	}
	return err;
}

int lam_set_memory_target(struct lam_ctx *ctx, uint16_t domid, uint64_t target_kb)
{
	struct lam_dom_info info;
	struct lam_xs *xs;
	uint64_t static_max_kb = 0, cur_max_kb;
	char path[96], *val;
	int err;

	err = lam_ctl_domain_getinfo(ctx->ctl, domid, &info);
	if (err != 0) {
		LAM_ERR(ctx, "domain %u: %s", domid, lam_ctl_strerror(err));
		return err;
	}
	xs = lam__xs_connect(ctx);
	if (xs == NULL) {
		return -ENOTCONN;
	}
	snprintf(path, sizeof(path), "/local/domain/%u/memory/static-max", domid);
	val = lam_xs_read(xs, LAM_XS_NO_TX, path, NULL);
	if (val == NULL || lam_parse_u64(val, UINT64_MAX, &static_max_kb) != 0) {
		static_max_kb = 0;
	}
	free(val);
	if (static_max_kb != 0 && target_kb > static_max_kb) {
		LAM_ERR(ctx, "%" PRIu64 " MiB is above domain %u's maximum of %" PRIu64 " MiB",
			target_kb / 1024, domid, static_max_kb / 1024);
		err = -EINVAL;
		goto out;
	}
	cur_max_kb = info.max_pages * 4;
	/* Raise the limit before the guest balloons up; lower it after asking it to shrink. */
	if (target_kb > cur_max_kb) {
		err = lam_ctl_domain_set_max_mem(ctx->ctl, domid, target_kb);
		if (err != 0) {
			LAM_ERR(ctx, "cannot raise domain %u's memory limit: %s", domid,
				lam_ctl_strerror(err));
			goto out;
		}
	}
	snprintf(path, sizeof(path), "/local/domain/%u/memory/target", domid);
	err = lam_xs_printf(xs, LAM_XS_NO_TX, path, "%" PRIu64, target_kb);
	if (err != 0) {
		LAM_ERR(ctx, "cannot write %s: %s", path, strerror(-err));
		goto out;
	}
	if (target_kb < cur_max_kb) {
		err = lam_ctl_domain_set_max_mem(ctx->ctl, domid, target_kb);
		if (err != 0) {
			LAM_ERR(ctx,
				"target set, but domain %u's memory limit stays at %" PRIu64
				" MiB: %s",
				domid, cur_max_kb / 1024, lam_ctl_strerror(err));
			goto out;
		}
	}
out:
	lam_xs_close(xs);
	return err;
}

int lam_vcpu_info(struct lam_ctx *ctx, uint16_t domid, uint32_t vcpu, struct lam_vcpu_info *info)
{
	int err = lam_ctl_vcpu_info(ctx->ctl, domid, vcpu, info);

	if (err != 0) {
		LAM_ERR(ctx, "domain %u vCPU %u: %s", domid, vcpu, lam_ctl_strerror(err));
	}
	return err;
}

int lam_set_vcpuaffinity(struct lam_ctx *ctx, uint16_t domid, uint32_t vcpu, uint32_t pcpu)
{
	int err = lam_ctl_vcpu_affinity(ctx->ctl, domid, vcpu, pcpu);

	if (err != 0) {
		LAM_ERR(ctx, "domain %u vCPU %u -> pCPU %u: %s", domid, vcpu, pcpu,
			lam_ctl_strerror(err));
	}
	return err;
}

int lam_xen_console_read(struct lam_ctx *ctx, char *buf, size_t size, uint64_t *index,
			 size_t *count, uint64_t *lost)
{
	int err = lam_ctl_readconsole(ctx->ctl, buf, size, index, count, lost);

	if (err != 0) {
		LAM_ERR(ctx, "cannot read the hypervisor log: %s", lam_ctl_strerror(err));
	}
	return err;
}
