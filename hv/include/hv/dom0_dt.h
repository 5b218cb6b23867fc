/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Dom0's device tree, derived from the host's as Xen derives it (Xen's
 * xen/arch/arm/domain_build.c; docs/dom0.md), and the list of host devices Dom0 gets passed through.
 * Pure functions over flattened device trees (hv/common/device_tree/dom0_dt.c: the walk,
 * dom0_passthrough.c: devices; Arm's nodes in hv/arch/arm64/dom0_dt.c): no allocation, no
 * hypervisor state, so they run unchanged in host unit tests.
 *
 * The host blob is untrusted firmware input. Every function first checks its header and
 * structure (dt_check_blob()) over fdt_totalsize(host_fdt) bytes, so the caller must make sure
 * that many bytes are readable (dt_parse_boot_info() has already bounded totalsize at boot).
 * Errors are negative -HV_Exxx with a one-line reason naming the node and property in err:
 *   -HV_EINVAL  malformed host tree or parameter;
 *   -HV_ENOENT  a node Dom0 needs (GICv3, architected timer) is missing;
 *   -HV_ENOSPC  the output buffer or a fixed-size table is too small.
 */
#pragma once

#include <hv/types.h>

/* Limits of the parameter and result tables. */
#define DOM0_MAX_MEM_BANKS 16
#define DOM0_MAX_EXT_REGIONS 16
#define DOM0_MAX_VCPUS 256
#define DOM0_MAX_MMIO 256
#define DOM0_MAX_IRQS 988 /* every shared interrupt (Arm: SPI INTIDs 32..1019, GICv3 spec 2.2) */
/* Deepest host node handled; deeper trees are rejected. */
#define DOM0_DT_MAX_DEPTH 32
/* Host blobs larger than this are rejected (the boot loader's DTB limit, booting.rst). */
#define DOM0_DT_HOST_MAX (2u << 20)
/* "compatible" of /hypervisor; the version part is only printed by Linux. */
#define DOM0_DT_XEN_COMPAT "xen,xen-4.17"

/** What Dom0's device tree describes besides the host devices it inherits. */
struct dom0_dt_params {
	/* Dom0 RAM banks, direct-mapped (IPA == PA), [start, end), 1..DOM0_MAX_MEM_BANKS. */
	const struct mem_range *mem;
	unsigned int nr_mem;
	unsigned int nr_vcpus; /* 1..DOM0_MAX_VCPUS */
	const char *bootargs;  /* Dom0 command line; NULL writes no "bootargs" */
	paddr_t initrd_start;
	u64 initrd_size; /* 0: no initrd, no linux,initrd-* properties */
	/* /hypervisor reg[0]: the grant-table window (non-empty). */
	paddr_t gnttab_base;
	u64 gnttab_size;
	/* /hypervisor reg[1..]: extended regions, [start, end), 0..DOM0_MAX_EXT_REGIONS. */
	const struct mem_range *ext_regions;
	unsigned int nr_ext;
	u32 evtchn_ppi;		       /* event-channel upcall INTID, 16..31 */
	int hv_uart_node;	       /* host DT offset of the UART Lamina keeps, or -1 */
	unsigned int nr_redist_frames; /* GICR frames (128 KiB each) Dom0 sees: = nr_vcpus */
};

/** Everything Dom0 gets from the host: MMIO to map 1:1 and SPIs to route to it. */
struct dom0_passthrough {
	/* Page-aligned outward, sorted, overlapping and adjacent ranges merged. */
	struct mem_range mmio[DOM0_MAX_MMIO];
	unsigned int nr_mmio;
	/* Shared interrupts as the controller numbers them (Arm: SPI INTIDs 32..1019), sorted,
	 * no duplicates. */
	u32 irqs[DOM0_MAX_IRQS];
	unsigned int nr_irqs;
};

/**
 * Writes Dom0's device tree into out (out_size bytes, 8-byte aligned, not overlapping the
 * host blob): the host tree minus what the hypervisor keeps or replaces, plus /hypervisor,
 * /psci, /cpus and /memory built from p. See docs/dom0.md for the exact rules. Returns 0 or
 * a negative -HV_Exxx (-HV_ENOSPC if out is too small) with a reason in err.
 */
int dom0_build_dt(const void *host_fdt, const struct dom0_dt_params *p, void *out, size_t out_size,
		  char *err, size_t errlen);

/**
 * Fills *out with the MMIO ranges (translated through bus "ranges", PCI host-bridge windows
 * included) and shared interrupts (from interrupts, interrupts-extended and interrupt-map) of every host
 * node Dom0 keeps that is not disabled. The hypervisor's UART (hv_uart_node, or -1), the GIC
 * and the timer are never included. Returns 0 or a negative -HV_Exxx with a reason in err.
 */
int dom0_collect_passthrough(const void *host_fdt, int hv_uart_node, struct dom0_passthrough *out,
			     char *err, size_t errlen);

/**
 * Returns the first PPI INTID from 16 upward that no host node uses as a GIC interrupt (Xen's
 * choice of event-channel PPI for Dom0), or 0 if all are used or the tree is unusable
 * (hv/arch/arm64/dom0_dt.c).
 */
u32 dom0_pick_evtchn_ppi(const void *host_fdt);
