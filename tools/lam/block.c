/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `lam block-attach`, `block-detach`, `block-list` (xl's, Xen's tools/xl/xl_block.c) and
 * the disks `lam list -l` and `lam list --json` show. The work is liblam's (disk.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lam/liblam.h>

#include "lam.h"

/** Opens the context and resolves DOM, refusing options; NULL after printing why. */
static struct lam_ctx *block_open(const char *cmd, int argc, char **argv, int want,
				  const char *usage, uint16_t *domid)
{
	struct lam_ctx *ctx;

	for (int i = 1; i < argc; i++) {
		if (argv[i][0] == '-' && argv[i][1] != '\0') {
			lam_err(cmd, "unknown option '%s'", argv[i]);
			return NULL;
		}
	}
	if (argc != want + 1) {
		lam_err(cmd, "expected %s", usage);
		return NULL;
	}
	ctx = lam_open_ctx(cmd);
	if (ctx != NULL && lam_domain_resolve(ctx, argv[1], domid) != 0) {
		lam_ctx_free(ctx);
		return NULL;
	}
	return ctx;
}

int lam_cmd_block_attach(int argc, char **argv)
{
	struct lam_ctx *ctx;
	uint16_t domid;
	int ret;

	ctx = block_open("block-attach", argc, argv, 2, "DOM DISK-SPEC", &domid);
	if (ctx == NULL) {
		return 2;
	}
	ret = lam_disk_attach(ctx, domid, argv[2]) == 0 ? 0 : 1;
	lam_ctx_free(ctx);
	return ret;
}

int lam_cmd_block_detach(int argc, char **argv)
{
	struct lam_ctx *ctx;
	uint16_t domid;
	int ret;

	ctx = block_open("block-detach", argc, argv, 2, "DOM VDEV|DEVID", &domid);
	if (ctx == NULL) {
		return 2;
	}
	ret = lam_disk_detach(ctx, domid, argv[2]) == 0 ? 0 : 1;
	lam_ctx_free(ctx);
	return ret;
}

int lam_cmd_block_list(int argc, char **argv)
{
	struct lam_disk_info *disks;
	struct lam_ctx *ctx;
	uint16_t domid;
	size_t n;

	ctx = block_open("block-list", argc, argv, 1, "DOM", &domid);
	if (ctx == NULL) {
		return 2;
	}
	if (lam_disk_list(ctx, domid, &disks, &n) != 0) {
		lam_ctx_free(ctx);
		return 1;
	}
	/* xl's columns; "handle" is the frontend's domain, as xl prints it. */
	printf("%-5s %-3s %-6s %-5s %-6s %-8s %-30s\n", "Vdev", "BE", "handle", "state", "evt-ch",
	       "ring-ref", "BE-path");
	for (size_t i = 0; i < n; i++) {
		printf("%-5u %-3u %-6u %-5d %-6d %-8d %-30s\n", disks[i].devid,
		       disks[i].backend_domid, disks[i].domid, disks[i].state, disks[i].evtch,
		       disks[i].rref, disks[i].backend);
	}
	free(disks);
	lam_ctx_free(ctx);
	return 0;
}

void lam_list_print_disks(FILE *f, struct lam_ctx *ctx, const struct lam_dom_info *list, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct lam_disk_info *disks;
		size_t nd;

		if (list[i].domid == 0 ||
		    lam_disk_list(ctx, (uint16_t)list[i].domid, &disks, &nd) != 0) {
			continue;
		}
		for (size_t j = 0; j < nd; j++) {
			const struct lam_disk_info *d = &disks[j];

			fprintf(f, "%s: disk %s (%u) %s %s %s%s%s, state %d\n",
				lam_dom_name(&list[i]), d->vdev, d->devid, d->type,
				d->mode[0] == 'w' ? "rw" : "ro", d->target,
				d->phys[0] != '\0' && strcmp(d->phys, d->target) != 0 ? " on " : "",
				d->phys[0] != '\0' && strcmp(d->phys, d->target) != 0 ? d->phys
										      : "",
				d->state);
		}
		free(disks);
	}
}

void lam_list_json_disks(FILE *f, uint32_t domid, void *arg)
{
	struct lam_ctx *ctx = arg;
	struct lam_disk_info *disks = NULL;
	size_t n = 0;

	if (domid != 0 && ctx != NULL) {
		(void)lam_disk_list(ctx, (uint16_t)domid, &disks, &n);
	}
	fputs(", \"disks\": [", f);
	for (size_t j = 0; j < n; j++) {
		const struct lam_disk_info *d = &disks[j];

		fputs(j == 0 ? "{" : ", {", f);
		fputs("\"vdev\": ", f);
		lam_json_string(f, d->vdev);
		fprintf(f, ", \"devid\": %u, \"target\": ", d->devid);
		lam_json_string(f, d->target);
		fputs(", \"device\": ", f);
		lam_json_string(f, d->phys);
		fprintf(f, ", \"access\": \"%s\", \"devtype\": ", d->mode[0] == 'w' ? "rw" : "ro");
		lam_json_string(f, d->type);
		fprintf(f, ", \"state\": %d, \"backend_state\": %d}", d->state, d->backend_state);
	}
	fputs("]", f);
	free(disks);
}
