/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target (https://llvm.org/docs/LibFuzzer.html): the boot device-tree parser
 * (hv/common/device_tree/bootfdt.c, Arm's part hv/arch/arm64/bootfdt.c, the reader
 * hv/common/device_tree/reader.c under both) on an arbitrary blob, as the hypervisor
 * gets it from firmware. The input is the whole blob, copied to an 8-byte aligned buffer
 * of exactly its size, so any read past it is an ASan report. On success, what
 * hv/bootinfo.h promises is checked: tables within their bounds, strings inside the blob.
 */
#include <stdbool.h>
#include <string.h>

#include <hv/bootinfo.h>
#include <hv/errno.h>

#include "fuzz_common.h"

static const char *blob;
static size_t blob_size;

/* s is NULL or a NUL-terminated string inside the blob. */
static bool in_blob(const char *s)
{
	if (s == NULL) {
		return true;
	}
	if (s < blob || s >= blob + blob_size) {
		return false;
	}
	return memchr(s, '\0', (size_t)(blob + blob_size - s)) != NULL;
}

static void check_info(const struct boot_info *bi)
{
	FUZZ_CHECK(bi->fdt == blob && bi->fdt_size <= blob_size);
	FUZZ_CHECK(bi->nr_mem <= BOOT_MAX_MEM_BANKS);
	FUZZ_CHECK(bi->nr_reserved <= BOOT_MAX_RESERVED);
	FUZZ_CHECK(bi->nr_modules <= BOOT_MAX_MODULES);
	FUZZ_CHECK(bi->nr_cpus <= BOOT_MAX_CPUS);
	FUZZ_CHECK(bi->gic.nr_redist <= BOOT_MAX_REDIST_REGIONS);
	for (unsigned int i = 0; i < bi->nr_mem; i++) {
		FUZZ_CHECK(bi->mem[i].start < bi->mem[i].end);
	}
	for (unsigned int i = 0; i < bi->nr_modules; i++) {
		const struct boot_module *m = &bi->modules[i];

		FUZZ_CHECK(m->size != 0 && m->start + m->size > m->start);
		FUZZ_CHECK(in_blob(m->bootargs) && in_blob(m->name));
	}
	FUZZ_CHECK(bi->hv_cmdline != NULL);
	FUZZ_CHECK(bi->hv_cmdline[0] == '\0' || in_blob(bi->hv_cmdline));
	FUZZ_CHECK(in_blob(bi->dom0_cmdline));
	FUZZ_CHECK(bi->uart.node < 0 || in_blob(bi->uart.path));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct boot_info bi;
	struct boot_uart uart;
	char err[256];
	char *copy = malloc(size != 0 ? size : 1); /* ASan: 8-byte aligned */
	int rc;

	FUZZ_CHECK(copy != NULL);
	memcpy(copy, data, size);
	blob = copy;
	blob_size = size;
	err[0] = '\0';
	rc = dt_parse_boot_info(copy, size, &bi, err, sizeof(err));
	if (rc != 0) {
		/* A failure is a -HV_Exxx with a one-line reason. */
		FUZZ_CHECK(rc < 0 && err[0] != '\0' && memchr(err, '\0', sizeof(err)) != NULL);
	} else {
		check_info(&bi);
		/* dtuart= on the command line names the console UART the same way. */
		if (dt_find_uart(copy, bi.hv_cmdline, &uart) == 0) {
			FUZZ_CHECK(uart.node >= 0);
		}
		(void)dt_find_uart(copy, "serial0:115200n8", &uart);
	}
	free(copy);
	return 0;
}
