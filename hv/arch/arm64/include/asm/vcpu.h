/* SPDX-License-Identifier: Apache-2.0 */
/* Arch hooks of the vCPU life cycle (hv/arch/arm64/domain.c, entry.S). */
#pragma once

struct vcpu;

/** Resets v's registers: EL1h, interrupts masked, MMU off, its virtual MPIDR. */
void arch_vcpu_init(struct vcpu *v);
/** Saves v's EL1, FP, timer and vGIC state from this pCPU (switching out). */
void arch_vcpu_save(struct vcpu *v);
/** Loads v's state onto this pCPU (switching in). */
void arch_vcpu_load(struct vcpu *v);
/** Right before entering v: presents its pending interrupts. */
void arch_vcpu_prepare_entry(struct vcpu *v);
/** Restores v's general registers and returns to it (entry.S). */
void guest_enter(struct vcpu *v) __attribute__((noreturn));
