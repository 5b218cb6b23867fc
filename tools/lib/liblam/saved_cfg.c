/* SPDX-License-Identifier: Apache-2.0 */
/*
 * liblam: the saved configuration of each domain, in the run directory as <domid>.cfg in
 * xl.cfg syntax (lam_cfg_write()). lam_domain_create_new() writes it, restarts and
 * `lam shutdown -w` read it back, lam_domain_destroy() removes it. Xen's libxl keeps the
 * same record as JSON (libxl_retrieve_domain_configuration()).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

void lam_domain_config_path(struct lam_ctx *ctx, uint16_t domid, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%u.cfg", ctx->run_dir, domid);
}

int lam_domain_config_save(struct lam_ctx *ctx, const struct lam_cfg *cfg, uint16_t domid)
{
	char path[PATH_MAX + 32], tmp[PATH_MAX + 40];
	FILE *f;
	int err;

	if (mkdir(ctx->run_dir, 0755) < 0 && errno != EEXIST) {
		err = -errno;
		LAM_ERR(ctx, "cannot create %s: %s", ctx->run_dir, strerror(errno));
		return err;
	}
	lam_domain_config_path(ctx, domid, path, sizeof(path));
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (f == NULL) {
		err = -errno;
		LAM_ERR(ctx, "cannot write %s: %s", tmp, strerror(errno));
		return err;
	}
	err = lam_cfg_write(f, cfg);
	if (fclose(f) != 0 || err != 0 || rename(tmp, path) != 0) {
		LAM_ERR(ctx, "cannot save the configuration to %s", path);
		unlink(tmp);
		return -EIO;
	}
	return 0;
}

int lam_domain_config_load(struct lam_ctx *ctx, uint16_t domid, struct lam_cfg *cfg)
{
	char path[PATH_MAX + 32], msg[256];

	lam_domain_config_path(ctx, domid, path, sizeof(path));
	return lam_cfg_parse_file(path, cfg, msg, sizeof(msg)) == 0 ? 0 : -ENOENT;
}
