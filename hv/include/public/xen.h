/* SPDX-License-Identifier: MIT */
/*
 * Lamina's definitions of the Xen guest ABI basics (layout- and value-identical to
 * Xen's public/xen.h; see shared/docs/xen-abi-guide.md section 2).
 */
#ifndef LAMINA_PUBLIC_XEN_H
#define LAMINA_PUBLIC_XEN_H

#include <stdint.h>

typedef uint16_t domid_t;

/* Hypercall numbers (Xen public/xen.h). */
#define __HYPERVISOR_platform_op 7
#define __HYPERVISOR_memory_op 12
#define __HYPERVISOR_multicall 13
#define __HYPERVISOR_xen_version 17
#define __HYPERVISOR_console_io 18
#define __HYPERVISOR_grant_table_op 20
#define __HYPERVISOR_vm_assist 21
#define __HYPERVISOR_vcpu_op 24
#define __HYPERVISOR_sched_op 29
#define __HYPERVISOR_event_channel_op 32
#define __HYPERVISOR_physdev_op 33
#define __HYPERVISOR_hvm_op 34
#define __HYPERVISOR_sysctl 35
#define __HYPERVISOR_domctl 36

/* The HVC immediate of a Xen hypercall on Arm (public/arch-arm.h). */
#define XEN_HYPERCALL_TAG 0xEA1

/* console_io commands. */
#define CONSOLEIO_write 0
#define CONSOLEIO_read 1

/* sched_op commands and shutdown reasons (public/sched.h). */
#define SCHEDOP_yield 0
#define SCHEDOP_block 1
#define SCHEDOP_shutdown 2
#define SCHEDOP_poll 3
#define SHUTDOWN_poweroff 0
#define SHUTDOWN_reboot 1
#define SHUTDOWN_suspend 2
#define SHUTDOWN_crash 3
#define SHUTDOWN_watchdog 4

struct sched_shutdown {
	unsigned int reason;
};
_Static_assert(sizeof(struct sched_shutdown) == 4, "sched_shutdown size");

/* xen_version commands (public/version.h). */
#define XENVER_version 0
#define XENVER_extraversion 1
#define XENVER_capabilities 3
#define XENVER_get_features 6
#define XENVER_pagesize 7

struct xen_feature_info {
	unsigned int submap_idx; /* IN: which 32-bit submap to return */
	uint32_t submap;	 /* OUT: the feature bits */
};
_Static_assert(sizeof(struct xen_feature_info) == 8, "xen_feature_info size");

/* Reserved domain IDs. */
#define DOMID_FIRST_RESERVED 0x7FF0U
#define DOMID_SELF 0x7FF0U
#define DOMID_IDLE 0x7FFFU
#define DOMID_INVALID 0x7FF4U

/* The fixed guest physical layout for DomUs (public/arch-arm.h). */
#define GUEST_GICV3_GICD_BASE 0x03001000ULL
#define GUEST_GICV3_GICD_SIZE 0x00010000ULL
#define GUEST_GICV3_GICR0_BASE 0x03020000ULL
#define GUEST_GICV3_RDIST_STRIDE 0x20000ULL
#define GUEST_GICV3_GICR0_SIZE 0x01000000ULL
#define GUEST_RAM0_BASE 0x40000000ULL
#define GUEST_RAM0_SIZE 0xC0000000ULL
#define GUEST_RAM1_BASE 0x0200000000ULL
#define GUEST_RAM1_SIZE 0xFE00000000ULL
#define GUEST_GNTTAB_BASE 0x38000000ULL
#define GUEST_GNTTAB_SIZE 0x01000000ULL
#define GUEST_MAGIC_BASE 0x39000000ULL
#define GUEST_MAGIC_SIZE 0x01000000ULL
#define GUEST_MAX_VCPUS 128
#define GUEST_EVTCHN_PPI 31
#define GUEST_VTIMER_PPI 27
#define GUEST_PTIMER_PPI 30
#define GUEST_PHANDLE_GIC 65000

/* Initial vCPU state (public/arch-arm.h): EL1h, DAIF masked; SCTLR with MMU off. */
#define PSR_GUEST64_INIT 0x3C5ULL
#define SCTLR_GUEST_INIT 0x00C50078ULL

#endif
