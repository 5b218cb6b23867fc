/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the hypervisor learns from the boot device tree (hv/common/device_tree/bootfdt.c and
 * the arch's part, arch_dt_parse_boot_info()).
 * Strings point into the device tree blob, which stays reserved for the
 * hypervisor's lifetime.
 */
#pragma once

#include <hv/types.h>

#define BOOT_MAX_MEM_BANKS 16
#define BOOT_MAX_RESERVED 32
#define BOOT_MAX_MODULES 16
#define BOOT_MAX_CPUS 64
#define BOOT_MAX_REDIST_REGIONS 8

enum boot_module_kind {
	BOOTMOD_KERNEL,
	BOOTMOD_RAMDISK,
	BOOTMOD_XSM,
	BOOTMOD_UNKNOWN,
};

struct boot_module {
	enum boot_module_kind kind;
	paddr_t start;
	u64 size;
	const char *bootargs; /* the module's own "bootargs", or NULL */
	const char *name;     /* DT node name, e.g. "module@50000000" */
	int node;	      /* DT offset of the module node */
	/* "xen,domain" node the module belongs to (dom0less), or -1 for /chosen. */
	int domain_node;
};

enum psci_method {
	PSCI_METHOD_NONE,
	PSCI_METHOD_SMC,
	PSCI_METHOD_HVC,
};

struct boot_psci {
	enum psci_method method;
	/* 1 for "arm,psci" only (PSCI 0.1, IDs from the node), 2 for 0.2 or later. */
	unsigned int major;
	u32 cpu_on_id; /* PSCI 0.1 "cpu_on" function ID; 0 if not given */
};

struct boot_gic {
	unsigned int version; /* 3; 0 if no supported GIC was found */
	int node;
	paddr_t dist_base;
	u64 dist_size;
	unsigned int nr_redist;
	struct mem_range redist[BOOT_MAX_REDIST_REGIONS];
	u64 redist_stride; /* "redistributor-stride", 0 if absent */
	u32 maint_irq;	   /* INTID of the vGIC maintenance interrupt (PPI), 0 if absent */
};

struct boot_timer {
	/* INTIDs (PPIs) from the "arm,armv8-timer" node; 0 if absent */
	u32 irq_sec_phys;
	u32 irq_phys;
	u32 irq_virt;
	u32 irq_hyp;
	u32 clock_frequency; /* 0 if the node has none (use CNTFRQ_EL0) */
	int node;
};

struct boot_uart {
	paddr_t base;
	u64 size;
	u32 irq;  /* INTID, 0 if absent */
	int node; /* -1 if none found */
	const char *path;
};

struct boot_info {
	const void *fdt;
	u32 fdt_size; /* totalsize from the header */

	unsigned int nr_mem;
	struct mem_range mem[BOOT_MAX_MEM_BANKS];
	/* /memreserve/ entries and /reserved-memory children with a reg */
	unsigned int nr_reserved;
	struct mem_range reserved[BOOT_MAX_RESERVED];

	unsigned int nr_modules;
	struct boot_module modules[BOOT_MAX_MODULES];

	unsigned int nr_cpus;
	u64 cpu_mpidr[BOOT_MAX_CPUS]; /* affinity bits from each cpu node's reg */

	struct boot_psci psci;
	struct boot_gic gic;
	struct boot_timer timer;
	struct boot_uart uart; /* from stdout-path (or dtuart= later) */

	const char *hv_cmdline;	  /* never NULL ("" if none) */
	const char *dom0_cmdline; /* NULL if none found */
};

/**
 * Validates the blob (header, size limit, structure) and fills *bi. On failure returns
 * a negative -HV_Exxx and writes a one-line, human-readable reason into err, naming the
 * node or property at fault. max_size bounds how far the blob may extend (2 MiB at boot).
 */
int dt_parse_boot_info(const void *fdt, size_t max_size, struct boot_info *bi, char *err,
		       size_t errlen);

/**
 * Finds a UART by DT path ("/pl011@9000000") or alias ("serial0"), with an optional
 * ":options" suffix ignored, as Xen's dtuart= and /chosen/stdout-path allow.
 */
int dt_find_uart(const void *fdt, const char *path_or_alias, struct boot_uart *out);

const char *boot_module_kind_name(enum boot_module_kind k);

struct dt_reader;

/* The arch's part of boot parsing: arch_dt_parse_boot_info(), arch_dt_get_irq() (hv/arch.h). */
