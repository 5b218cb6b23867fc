/* SPDX-License-Identifier: Apache-2.0 */
/* Whole-machine control (hv/arch/arm64/boot/setup.c). */
#pragma once

#include <hv/lib.h>

/** Powers the machine off through PSCI; halts if that is impossible. */
void machine_power_off(void) __noreturn;
/** Resets the machine through PSCI; halts if that is impossible. */
void machine_restart(void) __noreturn;
/** Stops this CPU for good, interrupts masked. */
void machine_halt_cpu(void) __noreturn;
