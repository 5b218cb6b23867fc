/* SPDX-License-Identifier: MIT */
/*
 * Lamina's definitions of the Xen hvm_op ABI subset Arm guests use (layout- and
 * value-identical to Xen's public/hvm/hvm_op.h and public/hvm/params.h).
 */
#ifndef LAMINA_PUBLIC_HVM_OP_H
#define LAMINA_PUBLIC_HVM_OP_H

#include "xen.h"

#define HVMOP_set_param 0
#define HVMOP_get_param 1

/** HVMOP_set_param / HVMOP_get_param argument. */
struct xen_hvm_param {
	domid_t domid; /* DOMID_SELF or a domain ID */
	uint16_t pad;
	uint32_t index; /* HVM_PARAM_* */
	uint64_t value;
};
_Static_assert(sizeof(struct xen_hvm_param) == 16, "xen_hvm_param size");
_Static_assert(__builtin_offsetof(struct xen_hvm_param, index) == 4, "index");
_Static_assert(__builtin_offsetof(struct xen_hvm_param, value) == 8, "value");

/*
 * Event-channel upcall. On Arm: bits 63:56 type (2 = PPI), bits 15:8 flags (bit 0 edge,
 * bit 1 active-low), bits 7:0 the PPI's INTID.
 */
#define HVM_PARAM_CALLBACK_IRQ 0
#define HVM_PARAM_CALLBACK_TYPE_PPI 2
#define HVM_PARAM_CALLBACK_TYPE_SHIFT 56
#define HVM_PARAM_CALLBACK_PPI_FLAG_EDGE 1
#define HVM_PARAM_CALLBACK_PPI_FLAG_LOW 2
#define HVM_PARAM_CALLBACK_FLAGS_SHIFT 8
#define HVM_PARAM_STORE_PFN 1
#define HVM_PARAM_STORE_EVTCHN 2
#define HVM_PARAM_CONSOLE_PFN 17
#define HVM_PARAM_CONSOLE_EVTCHN 18
#define HVM_PARAM_MONITOR_RING_PFN 28
#define HVM_NR_PARAMS 39

#endif
