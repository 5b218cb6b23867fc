/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Virtual timers (hv/arch/arm64/vtimer.c): the EL1 virtual timer is the guest's own
 * while it runs (with CNTVOFF_EL2 per domain); while it does not, a hypervisor timer
 * stands in for it. The EL1 physical timer is emulated on a hypervisor timer.
 */
#pragma once

#include <hv/types.h>

struct vcpu;

void vtimer_vcpu_init(struct vcpu *v);
void vtimer_vcpu_destroy(struct vcpu *v);
void vtimer_save(struct vcpu *v);
void vtimer_load(struct vcpu *v);
/** The physical virtual-timer PPI fired while 'v' was running. */
void vtimer_hw_interrupt(struct vcpu *v);
/**
 * At a guest exit of the running 'v': if the virtual PPI was raised but the timer
 * condition no longer holds (disabled, or CVAL moved past the counter), withdraws it.
 */
void vtimer_resample(struct vcpu *v);
/** Trapped CNTP_* access: 0 handled, -1 not a physical-timer register. */
int vtimer_emulate_ptimer(struct vcpu *v, u32 sysreg, bool is_read, u64 *val);
