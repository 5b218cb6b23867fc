/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `lam create`, shaped like xl's create_domain() over libxl (Xen's tools/xl/xl_vmcontrol.c):
 * parse the configuration, have liblam build the domain paused
 * (lam_domain_create_new()), start its monitor, unpause it, and attach the console if asked.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <lam/cfg.h>
#include <lam/console.h>
#include <lam/liblam.h>

#include "lam.h"

int lam_start_monitored(struct lam_ctx *ctx, const char *cmd, const struct lam_cfg *cfg,
			uint16_t domid, bool paused)
{
	if (lam_monitor_start(cmd, cfg, domid) != 0) {
		goto undo;
	}
	if (!paused && lam_domain_unpause(ctx, domid) != 0) {
		goto undo;
	}
	return 0;
undo:
	lam_domain_destroy(ctx, domid);
	return -1;
}

int lam_cmd_create(int argc, char **argv)
{
	const char *cmd = "create";
	struct lam_create_args args;
	const char **overrides;
	struct lam_cfg *cfg;
	struct lam_ctx *ctx;
	char msg[512];
	uint16_t domid;
	int ret = 1;

	overrides = calloc((size_t)argc + 1, sizeof(*overrides));
	cfg = calloc(1, sizeof(*cfg));
	if (overrides == NULL || cfg == NULL) {
		lam_err(cmd, "out of memory");
		goto out_free;
	}
	if (lam_parse_create_args(argc, argv, &args, overrides, msg, sizeof(msg)) != 0) {
		lam_err(cmd, "%s", msg);
		fputs("Usage: lam create CONFIG [-c] [-p] [key=value...]\n", stderr);
		ret = 2;
		goto out_free;
	}
	if (lam_cfg_load(args.config, args.overrides, args.nr_overrides, cfg, msg, sizeof(msg)) !=
	    0) {
		fprintf(stderr, "lam: create: %s\n", msg);
		goto out_free;
	}
	ctx = lam_open_ctx(cmd);
	if (ctx == NULL) {
		goto out_free;
	}
	if (lam_domain_create_new(ctx, cfg, &domid) == 0 &&
	    lam_start_monitored(ctx, cmd, cfg, domid, args.paused) == 0) {
		printf("Domain '%s' created with ID %u%s\n", cfg->name, domid,
		       args.paused ? " (paused)" : "");
		fflush(stdout);
		ret = 0;
	}
	lam_ctx_free(ctx);
	if (ret == 0 && args.console) {
		ret = lam_console_attach(domid, STDIN_FILENO, STDOUT_FILENO, LAM_CONSOLE_ESCAPE) ==
				      0
			      ? 0
			      : 1;
	}
out_free:
	free(cfg);
	free(overrides);
	return ret;
}
