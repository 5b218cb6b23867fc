/* SPDX-License-Identifier: Apache-2.0 */
/* Guest calls into the hypervisor: Xen hypercalls, SMCCC/PSCI, trapped registers. */
#pragma once

#include <hv/types.h>

struct vcpu;

/** HVC #0xEA1 from v: number in x16, arguments x0-x4, result in x0. */
void do_trap_hypercall(struct vcpu *v);
/** HVC #0 / SMC #0 from v: SMCCC function ID in w0 (PSCI, SMCCC features). */
void do_trap_smccc(struct vcpu *v);
/** Trapped MSR/MRS; 0 if emulated, -1 to inject an undefined instruction. */
int do_trap_sysreg(struct vcpu *v, u64 esr);
void inject_undef(struct vcpu *v);
void inject_dabt(struct vcpu *v, u64 va, bool write);
/**
 * The wall-clock time at hypervisor time 0, as Dom0 last set it (XENPF_settime64);
 * false if it never did.
 */
bool wallclock_get(u64 *sec, u32 *nsec);
/** The toolstack's domain and system control (hv/common/domctl.c, public/lamctl.h). */
long do_domctl(struct vcpu *v, u64 arg);
long do_sysctl(struct vcpu *v, u64 arg);
/** Per vCPU: prepares its SCHEDOP_poll timeout timer. */
void sched_poll_init(struct vcpu *v);
/** On entry to v: a poll that woke up is over. */
void sched_poll_done(struct vcpu *v);
