/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Per-domain Xen guest ABI state besides event channels: the shared_info page and
 * memory_op (hv/common/memory.c), vcpu_op and hvm_op (hv/common/vcpu.c).
 */
#pragma once

#include <hv/types.h>

struct domain;
struct vcpu;

/**
 * Gives d its shared_info page, default vcpu_info locations, HVM parameters and event
 * channels. Call after d's vCPUs exist. 0 or -errno; xen_domain_destroy() undoes a
 * partial init.
 */
int xen_domain_init(struct domain *d);
void xen_domain_destroy(struct domain *d);

/** Drops v's reference to its registered vcpu_info page (the domain is ending). */
void vcpu_info_release(struct vcpu *v);

/**
 * memory_op. *cmd carries Xen's continuation index in bits MEMOP_EXTENT_SHIFT and up: a
 * long operation does a bounded part, records its progress in *cmd and returns
 * -HV_ERESTART to be issued again.
 */
long do_memory_op(struct vcpu *v, u64 *cmd, u64 arg);
long do_vcpu_op(struct vcpu *v, u64 cmd, u64 vcpuid, u64 arg);
long do_hvm_op(struct vcpu *v, u64 op, u64 arg);

/** Reads/writes an HVM parameter of d from the hypervisor (toolstack); -HV_EINVAL if
 * index is out of range. */
int hvm_param_get(struct domain *d, unsigned int index, u64 *value);
int hvm_param_set(struct domain *d, unsigned int index, u64 value);

/**
 * The scheduler switches v in (running) or out (to its new state): accounts the
 * runstate times and writes them to v's registered runstate area, while v's EL1
 * context is on this pCPU (so its virtual address translates).
 */
void vcpu_runstate_switch(struct vcpu *v, bool in);
