/* SPDX-License-Identifier: Apache-2.0 */
/*
 * liblam: the xenstore layout of a domain, written when it is built and removed when it is
 * torn down. The layout is libxl's (Xen's tools/libs/light/libxl_create.c,
 * libxl__domain_make(), and docs/misc/xenstore-paths.pandoc): /local/domain/<id> with name,
 * domid, vm, cpu availability, memory, control, store, the rw directories a guest writes,
 * /vm/<uuid>, and the primary console device (device.c).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lam/xs.h>

#include "internal.h"

#define CONSOLE_LIMIT "1048576" /* libxl's LIBXL_XENCONSOLE_LIMIT */

static void layout_fill(struct lam__xs_batch *b, const void *arg)
{
	const struct lam_xs_layout *l = arg;
	const struct lam_xs_perm ro[2] = { { 0, LAM_XS_PERM_NONE },
					   { l->domid, LAM_XS_PERM_READ } };
	const struct lam_xs_perm rw[1] = { { l->domid, LAM_XS_PERM_NONE } };
	static const char *const rw_dirs[] = { "data", "drivers", "feature", "attr", "error" };
	static const char *const rw_control[] = { "shutdown", "feature-poweroff", "feature-reboot",
						  "feature-suspend", "sysrq" };
	char dom[64], vm[64], path[160], port[16], ring[24];
	uint64_t mem_kb = l->cfg->memory_mb * 1024;
	const struct lam_device_key console_front[] = {
		{ "limit", CONSOLE_LIMIT }, { "type", "xenconsoled" },
		{ "output", "pty" },	    { "tty", "" },
		{ "port", port },	    { "ring-ref", ring },
	};
	const struct lam_device_key console_back[] = { { "protocol", "vt100" } };
	const struct lam_device console = {
		.kind = LAM_DEVICE_CONSOLE,
		.devid = 0,
		.domid = l->domid,
		.backend_domid = 0,
		.front = console_front,
		.nr_front = sizeof(console_front) / sizeof(console_front[0]),
		.back = console_back,
		.nr_back = 1,
	};

	snprintf(dom, sizeof(dom), "/local/domain/%u", l->domid);
	snprintf(vm, sizeof(vm), "/vm/%s", l->uuid);
	snprintf(port, sizeof(port), "%u", l->cr->console_port);
	snprintf(ring, sizeof(ring), "%" PRIu64, l->cr->console_gfn);

	lam__xb_mkdir(b, dom);
	lam__xb_perms(b, dom, ro, 2);
	lam__xb_mkdir(b, vm);
	lam__xb_perms(b, vm, ro, 2);
	snprintf(path, sizeof(path), "%s/uuid", vm);
	lam__xb_write(b, path, "%s", l->uuid);
	snprintf(path, sizeof(path), "%s/name", vm);
	lam__xb_write(b, path, "%s", l->cfg->name);

	snprintf(path, sizeof(path), "%s/vm", dom);
	lam__xb_write(b, path, "%s", vm);
	snprintf(path, sizeof(path), "%s/name", dom);
	lam__xb_write(b, path, "%s", l->cfg->name);
	snprintf(path, sizeof(path), "%s/domid", dom);
	lam__xb_write(b, path, "%u", l->domid);

	for (unsigned int v = 0; v < l->cfg->max_vcpus; v++) {
		snprintf(path, sizeof(path), "%s/cpu/%u/availability", dom, v);
		lam__xb_write(b, path, "%s", v < l->cfg->vcpus ? "online" : "offline");
	}
	/*
	 * static-max is the RAM the guest boots with: Linux's balloon driver subtracts
	 * static-max minus its boot RAM from every target, so a larger maxmem here would
	 * shrink the guest (an Arm guest cannot grow past its device-tree RAM anyway).
	 */
	snprintf(path, sizeof(path), "%s/memory/static-max", dom);
	lam__xb_write(b, path, "%" PRIu64, mem_kb);
	snprintf(path, sizeof(path), "%s/memory/target", dom);
	lam__xb_write(b, path, "%" PRIu64, mem_kb);

	snprintf(path, sizeof(path), "%s/device", dom);
	lam__xb_mkdir(b, path);
	snprintf(path, sizeof(path), "%s/device/suspend/event-channel", dom);
	lam__xb_write(b, path, "%s", "");
	lam__xb_perms(b, path, rw, 1);

	snprintf(path, sizeof(path), "%s/control", dom);
	lam__xb_mkdir(b, path);
	for (size_t i = 0; i < sizeof(rw_control) / sizeof(rw_control[0]); i++) {
		snprintf(path, sizeof(path), "%s/control/%s", dom, rw_control[i]);
		lam__xb_write(b, path, "%s", "");
		lam__xb_perms(b, path, rw, 1);
	}
	snprintf(path, sizeof(path), "%s/control/platform-feature-multiprocessor-suspend", dom);
	lam__xb_write(b, path, "1");
	snprintf(path, sizeof(path), "%s/control/platform-feature-xs_reset_watches", dom);
	lam__xb_write(b, path, "1");

	for (size_t i = 0; i < sizeof(rw_dirs) / sizeof(rw_dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dom, rw_dirs[i]);
		lam__xb_mkdir(b, path);
		lam__xb_perms(b, path, rw, 1);
	}

	snprintf(path, sizeof(path), "%s/store/port", dom);
	lam__xb_write(b, path, "%u", l->cr->store_port);
	snprintf(path, sizeof(path), "%s/store/ring-ref", dom);
	lam__xb_write(b, path, "%" PRIu64, l->cr->store_gfn);

	lam__device_write(b, &console);
}

int lam_xs_layout_write(struct lam_ctx *ctx, struct lam_xs *xs, const struct lam_xs_layout *l)
{
	return lam__xs_transact(ctx, xs, layout_fill, l);
}

void lam_xs_layout_remove(struct lam_ctx *ctx, struct lam_xs *xs, uint16_t domid)
{
	char path[128];
	char *vm;
	char **kinds;
	unsigned int n = 0;
	int err;

	snprintf(path, sizeof(path), "/local/domain/%u/vm", domid);
	vm = lam_xs_read(xs, LAM_XS_NO_TX, path, NULL);
	if (vm != NULL && strncmp(vm, "/vm/", 4) == 0 && strchr(vm + 4, '/') == NULL &&
	    vm[4] != '\0') {
		err = lam_xs_rm(xs, LAM_XS_NO_TX, vm);
		if (err != 0 && err != -ENOENT) {
			LAM_ERR(ctx, "xenstore: cannot remove %s: %s", vm, strerror(-err));
		}
	}
	free(vm);

	kinds = lam_xs_directory(xs, LAM_XS_NO_TX, "/local/domain/0/backend", &n);
	for (unsigned int i = 0; kinds != NULL && i < n; i++) {
		snprintf(path, sizeof(path), "/local/domain/0/backend/%s/%u", kinds[i], domid);
		err = lam_xs_rm(xs, LAM_XS_NO_TX, path);
		if (err != 0 && err != -ENOENT) {
			LAM_ERR(ctx, "xenstore: cannot remove %s: %s", path, strerror(-err));
		}
	}
	free(kinds);

	snprintf(path, sizeof(path), "/local/domain/%u", domid);
	err = lam_xs_rm(xs, LAM_XS_NO_TX, path);
	if (err != 0 && err != -ENOENT) {
		LAM_ERR(ctx, "xenstore: cannot remove %s: %s", path, strerror(-err));
	}
	err = lam_xs_release(xs, domid);
	if (err != 0 && err != -ENOENT && err != -ESRCH && err != -EINVAL) {
		LAM_ERR(ctx, "xenstore: cannot release domain %u: %s", domid, strerror(-err));
	}
}
