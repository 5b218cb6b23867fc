/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target (https://llvm.org/docs/LibFuzzer.html): the Dom0 device-tree builder
 * (hv/common/device_tree/dom0_dt.c, the passthrough list dom0_passthrough.c and Arm's nodes
 * hv/arch/arm64/dom0_dt.c) on host trees, in the order boot runs them
 * (hv/common/dom0_build.c): the boot parser accepts the blob first, then the event-channel
 * PPI is picked, the passthrough list collected and Dom0's tree written. The seeds are the
 * unit tests' fixtures (tests/unit/fixtures), so mutations start from real trees.
 * What hv/dom0_dt.h promises is checked: a valid output tree, a passthrough list sorted,
 * merged and page-aligned, shared interrupts only.
 */
#include <stdbool.h>
#include <string.h>

#include <libfdt.h>

#include <hv/bootinfo.h>
#include <hv/dom0_dt.h>
#include <hv/errno.h>

#include "fuzz_common.h"

#define OUT_SIZE (2u << 20) /* DOM0_DTB_MAX of hv/common/dom0_build.c */
#define PAGE 4096u

static const struct mem_range ext[] = {
	{ 0x100000000ULL, 0x140000000ULL },
	{ 0x200000000ULL, 0x280000000ULL },
};

static void check_passthrough(const struct dom0_passthrough *pt)
{
	FUZZ_CHECK(pt->nr_mmio <= DOM0_MAX_MMIO && pt->nr_irqs <= DOM0_MAX_IRQS);
	for (unsigned int i = 0; i < pt->nr_mmio; i++) {
		const struct mem_range *m = &pt->mmio[i];

		FUZZ_CHECK(m->start % PAGE == 0 && m->end % PAGE == 0);
		FUZZ_CHECK(m->start < m->end);
		/* sorted, and overlapping or adjacent ranges merged */
		FUZZ_CHECK(i == 0 || pt->mmio[i - 1].end < m->start);
	}
	for (unsigned int i = 0; i < pt->nr_irqs; i++) {
		FUZZ_CHECK(pt->irqs[i] >= 32 && pt->irqs[i] <= 1019);
		FUZZ_CHECK(i == 0 || pt->irqs[i - 1] < pt->irqs[i]);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct boot_info bi;
	static struct dom0_passthrough pt;
	static char out[OUT_SIZE] __attribute__((aligned(8)));
	struct dom0_dt_params p;
	char err[256];
	char *host;
	u32 ppi;
	int rc;

	if (size > DOM0_DT_HOST_MAX) {
		return 0;
	}
	host = malloc(size != 0 ? size : 1); /* exactly the input: ASan sees any overread */
	FUZZ_CHECK(host != NULL);
	memcpy(host, data, size);
	if (dt_parse_boot_info(host, size, &bi, err, sizeof(err)) != 0 || bi.nr_mem == 0) {
		free(host);
		return 0;
	}

	ppi = dom0_pick_evtchn_ppi(host);
	FUZZ_CHECK(ppi == 0 || (ppi >= 16 && ppi <= 31));
	err[0] = '\0';
	rc = dom0_collect_passthrough(host, bi.uart.node, &pt, err, sizeof(err));
	if (rc != 0) {
		FUZZ_CHECK(rc < 0 && err[0] != '\0');
		free(host);
		return 0;
	}
	check_passthrough(&pt);

	memset(&p, 0, sizeof(p));
	p.mem = bi.mem;
	p.nr_mem = bi.nr_mem;
	p.nr_vcpus = bi.nr_cpus != 0 ? bi.nr_cpus : 1;
	p.bootargs = bi.dom0_cmdline;
	if (bi.nr_modules > 1) {
		p.initrd_start = bi.modules[1].start;
		p.initrd_size = bi.modules[1].size;
	}
	p.gnttab_base = 0x38000000;
	p.gnttab_size = 0x40000;
	p.ext_regions = ext;
	p.nr_ext = 2;
	p.evtchn_ppi = ppi != 0 ? ppi : 31;
	p.hv_uart_node = bi.uart.node;
	p.nr_redist_frames = p.nr_vcpus;
	err[0] = '\0';
	rc = dom0_build_dt(host, &p, out, sizeof(out), err, sizeof(err));
	if (rc == 0) {
		FUZZ_CHECK(fdt_totalsize(out) <= sizeof(out));
		FUZZ_CHECK(fdt_check_full(out, fdt_totalsize(out)) == 0);
		FUZZ_CHECK(fdt_path_offset(out, "/hypervisor") >= 0);
	} else {
		FUZZ_CHECK(rc < 0 && err[0] != '\0');
	}
	free(host);
	return 0;
}
