/* SPDX-License-Identifier: MIT */
/*
 * platform_op (hypercall 7), the part Lamina implements: XENPF_settime64 (layout- and
 * value-identical to Xen's public/platform.h, struct xen_platform_op).
 */
#ifndef LAMINA_PUBLIC_PLATFORM_H
#define LAMINA_PUBLIC_PLATFORM_H

#include <stdint.h>

#define XENPF_INTERFACE_VERSION 0x03000001u
#define XENPF_settime64 62

/* Wall time secs.nsecs was current at system time 'system_time' (ns since boot). */
struct xenpf_settime64 {
	uint64_t secs;
	uint32_t nsecs;
	uint32_t mbz;
	uint64_t system_time;
};
_Static_assert(sizeof(struct xenpf_settime64) == 24, "xenpf_settime64 size");

struct xen_platform_op {
	uint32_t cmd;
	uint32_t interface_version; /* XENPF_INTERFACE_VERSION */
	union {
		struct xenpf_settime64 settime64;
		uint8_t pad[128];
	} u;
};
_Static_assert(sizeof(struct xen_platform_op) == 136, "xen_platform_op size");
_Static_assert(__builtin_offsetof(struct xen_platform_op, u) == 8, "xen_platform_op.u");

#endif
