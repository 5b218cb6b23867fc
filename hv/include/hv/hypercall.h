/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Xen hypercalls, architecture-neutral (hv/common/hypercall.c). The arch trap code
 * decodes the guest's registers into a struct hcall_args, calls hypercall_do() and
 * puts the result back (or, for -HV_ERESTART, makes the guest issue the same call
 * again); nothing past hypercall_do() sees a guest register.
 */
#pragma once

#include <hv/types.h>

struct vcpu;

#define HCALL_NR_ARGS 6

/** One hypercall as the guest issued it: its number and arguments. */
struct hcall_args {
	u64 nr;
	u64 a[HCALL_NR_ARGS];
};

/**
 * Runs hypercall args->nr for v, the running vCPU. Returns the result for the guest,
 * or -HV_ERESTART: the call must be issued again after a trip through the guest, with
 * args->a[] as they are now (a continuation: a call that did part of its work records
 * its progress there, as Xen's hypercall_create_continuation() does; the arch puts them
 * back in the guest's argument registers).
 */
long hypercall_do(struct vcpu *v, struct hcall_args *args);
/**
 * The wall-clock time at hypervisor time 0, as Dom0 last set it (XENPF_settime64);
 * false if it never did.
 */
bool wallclock_get(u64 *sec, u32 *nsec);
/** The toolstack's domain and system control (hv/common/lamctl.c, public/lamctl.h). */
long do_domctl(struct vcpu *v, u64 arg);
long do_sysctl(struct vcpu *v, u64 arg);
