/* SPDX-License-Identifier: MIT */
/*
 * Lamina's definitions of the Xen vcpu_op ABI (layout- and value-identical to Xen's
 * public/vcpu.h). On Arm only
 * the two registration calls exist; vCPUs are started with PSCI.
 */
#ifndef LAMINA_PUBLIC_VCPU_H
#define LAMINA_PUBLIC_VCPU_H

#include "xen.h"

#define VCPUOP_initialise 0
#define VCPUOP_up 1
#define VCPUOP_down 2
#define VCPUOP_is_up 3
#define VCPUOP_get_runstate_info 4
#define VCPUOP_register_runstate_memory_area 5
#define VCPUOP_register_vcpu_info 10

/* vcpu_runstate_info.state */
#define RUNSTATE_running 0
#define RUNSTATE_runnable 1
#define RUNSTATE_blocked 2
#define RUNSTATE_offline 3

/** How long a vCPU spent in each state (ns); kept up to date in guest memory. */
struct vcpu_runstate_info {
	int state; /* RUNSTATE_* */
	uint32_t pad0;
	uint64_t state_entry_time; /* bit 63: update in progress (vm_assist) */
	uint64_t time[4];	   /* indexed by RUNSTATE_* */
};
_Static_assert(sizeof(struct vcpu_runstate_info) == 48, "vcpu_runstate_info size");
_Static_assert(__builtin_offsetof(struct vcpu_runstate_info, state_entry_time) == 8, "entry");
_Static_assert(__builtin_offsetof(struct vcpu_runstate_info, time) == 16, "time");

/** VCPUOP_register_runstate_memory_area: on Arm a guest virtual address. */
struct vcpu_register_runstate_memory_area {
	uint64_t addr;
};
_Static_assert(sizeof(struct vcpu_register_runstate_memory_area) == 8, "runstate area size");

/** VCPUOP_register_vcpu_info: move the vCPU's vcpu_info into guest RAM. */
struct vcpu_register_vcpu_info {
	uint64_t mfn;	 /* guest frame number (a GFN despite the name) */
	uint32_t offset; /* within that frame */
	uint32_t rsvd;
};
_Static_assert(sizeof(struct vcpu_register_vcpu_info) == 16, "register_vcpu_info size");
_Static_assert(__builtin_offsetof(struct vcpu_register_vcpu_info, offset) == 8, "offset");

#endif
