/* SPDX-License-Identifier: MIT */
/*
 * Lamina's definitions of the Xen guest ABI basics (layout- and value-identical to
 * Xen's public/xen.h; docs/abi.md lists what Lamina implements).
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

/* SCHEDOP_poll: block until one of 'ports' is pending or 'timeout' (system time, ns;
 * 0 = none) passes (public/sched.h; the guest handle is 64 bits on Arm). */
struct sched_poll {
	uint64_t ports; /* guest address of an evtchn_port_t array */
	unsigned int nr_ports;
	uint32_t _pad;
	uint64_t timeout;
};
_Static_assert(sizeof(struct sched_poll) == 24, "sched_poll size");
_Static_assert(__builtin_offsetof(struct sched_poll, timeout) == 16, "sched_poll.timeout");

/* vm_assist commands and the one type Arm knows (public/xen.h). */
#define VMASST_CMD_enable 0
#define VMASST_CMD_disable 1
#define VMASST_TYPE_runstate_update_flag 5

/* One entry of a multicall list (public/xen.h: struct multicall_entry, xen_ulong_t
 * members on Arm). */
struct multicall_entry {
	uint64_t op;
	uint64_t result;
	uint64_t args[6];
};
_Static_assert(sizeof(struct multicall_entry) == 64, "multicall_entry size");
_Static_assert(__builtin_offsetof(struct multicall_entry, result) == 8, "multicall result");

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

/* Arm: 64-bit guest-visible "unsigned long" and frame numbers (public/arch-arm.h). */
typedef uint64_t xen_ulong_t;
typedef uint64_t xen_pfn_t;

/* Event-channel port numbers (public/event_channel.h). */
typedef uint32_t evtchn_port_t;

/*
 * Virtual interrupts (public/xen.h). TIMER, DEBUG, XENOPROF and XENPMU are per vCPU;
 * the others are global (bound on vCPU 0). 16..23 are architecture-specific (none on Arm).
 */
#define VIRQ_TIMER 0
#define VIRQ_DEBUG 1
#define VIRQ_CONSOLE 2
#define VIRQ_DOM_EXC 3
#define VIRQ_TBUF 4
#define VIRQ_DEBUGGER 6
#define VIRQ_XENOPROF 7
#define VIRQ_CON_RING 8
#define VIRQ_PCPU_STATE 9
#define VIRQ_MEM_EVENT 10
#define VIRQ_ARGO 11
#define VIRQ_ENOMEM 12
#define VIRQ_XENPMU 13
#define NR_VIRQS 24

/*
 * Arm keeps one vcpu_info in shared_info (public/arch-arm.h): vCPU 0 uses it until it
 * registers its own; every other vCPU must use VCPUOP_register_vcpu_info.
 */
#define XEN_LEGACY_MAX_VCPUS 1

/** Per-vCPU time (32 bytes). Linux on Arm uses the generic timer; Lamina leaves it 0. */
struct vcpu_time_info {
	uint32_t version; /* odd while the hypervisor updates the record */
	uint32_t pad0;
	uint64_t tsc_timestamp;
	uint64_t system_time; /* ns */
	uint32_t tsc_to_system_mul;
	int8_t tsc_shift;
	uint8_t flags; /* XEN_PVCLOCK_* */
	uint8_t pad1[2];
};
_Static_assert(sizeof(struct vcpu_time_info) == 32, "vcpu_time_info size");
_Static_assert(__builtin_offsetof(struct vcpu_time_info, system_time) == 16, "system_time");
_Static_assert(__builtin_offsetof(struct vcpu_time_info, tsc_shift) == 28, "tsc_shift");

/**
 * Per-vCPU event state (48 bytes). On Arm the byte after evtchn_upcall_pending is
 * padding (x86's upcall mask) and struct arch_vcpu_info is empty (size 0), so it is
 * left out here; the layout is unchanged.
 */
struct vcpu_info {
	uint8_t evtchn_upcall_pending; /* set by the hypervisor, cleared by the guest */
	uint8_t pad0;
	uint8_t pad1[6];		/* alignment of the next field */
	xen_ulong_t evtchn_pending_sel; /* bit n: word n of shared_info.evtchn_pending */
	struct vcpu_time_info time;
};
_Static_assert(sizeof(struct vcpu_info) == 48, "vcpu_info size");
_Static_assert(__builtin_offsetof(struct vcpu_info, evtchn_pending_sel) == 8, "pending_sel");
_Static_assert(__builtin_offsetof(struct vcpu_info, time) == 16, "vcpu_info.time");

/** 2-level event channels: 64 words of 64 bits (public/event_channel.h). */
#define EVTCHN_2L_NR_CHANNELS 4096

/**
 * The page shared between the hypervisor and a guest (1088 bytes used of 4 KiB). The
 * wall clock (wc_*) is the time at which the guest's virtual counter read 0, updated
 * seqlock-style: wc_version is odd while it changes. struct arch_shared_info is empty
 * on Arm and left out.
 */
struct shared_info {
	struct vcpu_info vcpu_info[XEN_LEGACY_MAX_VCPUS];
	xen_ulong_t evtchn_pending[64]; /* bit per port, set by the hypervisor */
	xen_ulong_t evtchn_mask[64];	/* bit per port, written by the guest */
	uint32_t wc_version;
	uint32_t wc_sec;
	uint32_t wc_nsec;
	uint32_t wc_sec_hi;
};
_Static_assert(sizeof(struct shared_info) == 1088, "shared_info size");
_Static_assert(__builtin_offsetof(struct shared_info, evtchn_pending) == 48, "evtchn_pending");
_Static_assert(__builtin_offsetof(struct shared_info, evtchn_mask) == 560, "evtchn_mask");
_Static_assert(__builtin_offsetof(struct shared_info, wc_version) == 1072, "wc_version");
_Static_assert(__builtin_offsetof(struct shared_info, wc_sec_hi) == 1084, "wc_sec_hi");

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
#define GUEST_TIMER_PHYS_S_PPI 29
#define GUEST_PHANDLE_GIC 65000

/* Initial vCPU state (public/arch-arm.h): EL1h, DAIF masked; SCTLR with MMU off. */
#define PSR_GUEST64_INIT 0x3C5ULL
#define SCTLR_GUEST_INIT 0x00C50078ULL

#endif
