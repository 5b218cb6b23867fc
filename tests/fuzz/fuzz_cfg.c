/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target (https://llvm.org/docs/LibFuzzer.html): liblam's xl.cfg parser
 * (tools/lib/liblam/cfg.c). The input up to its first NUL byte is a configuration file;
 * what follows it, if anything, is one `key=value` override (`lam create FILE key=value`).
 * A configuration that parses must survive lam_cfg_write() and be read back to the same
 * settings (the promise of tools/include/lam/cfg.h that restarts rely on).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lam/cfg.h>

#include "fuzz_common.h"

#define CHECK FUZZ_CHECK

/* The settings a caller may use (the fields above "parser state" in struct lam_cfg). */
static void check_same(const struct lam_cfg *a, const struct lam_cfg *b)
{
	CHECK(strcmp(a->name, b->name) == 0);
	CHECK(a->type == b->type);
	CHECK(a->memory_mb == b->memory_mb);
	CHECK(a->maxmem_mb == b->maxmem_mb);
	CHECK(a->vcpus == b->vcpus);
	CHECK(a->max_vcpus == b->max_vcpus);
	CHECK(a->cpus_set == b->cpus_set);
	CHECK(!a->cpus_set || a->cpu_mask == b->cpu_mask);
	CHECK(strcmp(a->kernel, b->kernel) == 0);
	CHECK(strcmp(a->ramdisk, b->ramdisk) == 0);
	CHECK(strcmp(a->cmdline, b->cmdline) == 0);
	CHECK(a->on_poweroff == b->on_poweroff);
	CHECK(a->on_reboot == b->on_reboot);
	CHECK(a->on_crash == b->on_crash);
	CHECK(a->has_uuid == b->has_uuid);
	CHECK(!a->has_uuid || memcmp(a->uuid, b->uuid, sizeof(a->uuid)) == 0);
}

/* Writes cfg and parses the text back: the same settings, unless the writer refused. */
static void round_trip(const struct lam_cfg *cfg)
{
	static struct lam_cfg back;
	char err[512];
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	int rc;

	CHECK(f != NULL);
	rc = lam_cfg_write(f, cfg);
	CHECK(fclose(f) == 0);
	if (rc == 0) {
		if (lam_cfg_parse_string(text, "saved.cfg", &back, err, sizeof(err)) != 0) {
			fprintf(stderr, "written configuration does not parse: %s\n%s\n", err,
				text);
			abort();
		}
		check_same(cfg, &back);
	}
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct lam_cfg cfg;
	char err[512];
	/* Exact-size copies, so that a read past the end is an ASan report. */
	char *text = malloc(size + 1);
	const uint8_t *nul = memchr(data, 0, size);
	size_t tlen = nul != NULL ? (size_t)(nul - data) : size;

	CHECK(text != NULL);
	memcpy(text, data, tlen);
	text[tlen] = '\0';
	err[0] = '\0';
	if (lam_cfg_parse_string(text, "fuzz.cfg", &cfg, err, sizeof(err)) == 0) {
		round_trip(&cfg);
		if (nul != NULL) {
			size_t olen = size - tlen - 1;
			char *ov = malloc(olen + 1);

			CHECK(ov != NULL);
			memcpy(ov, nul + 1, olen);
			ov[olen] = '\0';
			if (lam_cfg_apply_override(&cfg, ov, err, sizeof(err)) == 0) {
				round_trip(&cfg);
			}
			free(ov);
		}
	} else {
		/* A failure always says why, in one NUL-terminated line. */
		CHECK(err[0] != '\0' && memchr(err, '\0', sizeof(err)) != NULL);
		CHECK(strchr(err, '\n') == NULL);
	}
	free(text);
	return 0;
}
