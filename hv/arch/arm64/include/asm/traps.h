/* SPDX-License-Identifier: Apache-2.0 */
/* Guest exceptions on arm64 (hv/arch/arm64/traps/): the handlers guest.c dispatches to. */
#pragma once

#include <hv/types.h>

struct vcpu;

/** HVC #0 / SMC #0 from v: SMCCC function ID in w0 (PSCI, SMCCC features). */
void do_trap_smccc(struct vcpu *v);
/** Trapped MSR/MRS; 0 if emulated, -1 to inject an undefined instruction. */
int do_trap_sysreg(struct vcpu *v, u64 esr);
/** Injects an undefined-instruction exception at the trapping instruction. */
void inject_undef(struct vcpu *v);
/** Injects a synchronous external data abort for address 'va'. */
void inject_dabt(struct vcpu *v, u64 va, bool write);
