/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The architecture contract: every function common code (hv/common) may call into an
 * architecture, each with its one-line contract. hv/arch/arm64 implements it for the
 * hardware, hv/arch/fake for the host unit tests, and a new port starts here (see
 * docs/design.md, "The arch contract"). The shape follows Xen's xen/include/xen/domain.h
 * (arch_domain_create(), arch_vcpu_create(), ...) and Hafnium's inc/hf/arch/.
 *
 * Besides these functions an architecture provides, through its include/asm/:
 *   asm/domain.h  struct arch_domain and struct arch_vcpu (embedded in struct domain
 *                 and struct vcpu as 'arch'; common code never looks inside)
 *   asm/irq.h     arch_local_irq_save/restore/enable/disable, arch_cpu_relax,
 *                 arch_send_event, arch_idle_wait (through hv/spinlock.h)
 *   asm/mm.h      phys_to_virt/virt_to_phys of the direct map (through hv/mm.h)
 * Common code includes only hv/ and public/ headers; `make check` enforces that no
 * hv/common file includes an asm/ header or names an arm64 register or GIC encoding.
 *
 * Guest memory (stage 2 / p2m) is its own contract: hv/p2m.h. Cache maintenance:
 * hv/cache.h. Timer hardware: arch_timer_program()/arch_timer_kick() in hv/timer.h.
 */
#pragma once

#include <hv/lib.h>
#include <hv/types.h>

struct domain;
struct domain_config;
struct lam_dom_create;
struct timer;
struct vcpu;

/* ---- Domains ------------------------------------------------------------------- */

/**
 * Sets up d's architectural state from cfg: guest-physical translation (stage 2), the
 * virtual counter offset, the interrupt controller and the event upcall interrupt.
 * Called before any vCPU is created. 0 or -errno; arch_domain_destroy() undoes a
 * partial set-up.
 */
int arch_domain_create(struct domain *d, const struct domain_config *cfg);
/** Frees what arch_domain_create() set up (not d's RAM); safe after a partial create. */
void arch_domain_destroy(struct domain *d);
/**
 * Fills the architecture's part of the guest layout the toolstack needs for the
 * guest's device tree (interrupt controller frames, upcall interrupt, timer rate).
 */
void arch_domain_describe(const struct domain *d, struct lam_dom_create *out);
/** The HVM_PARAM_CALLBACK_IRQ value that tells d's guest where event upcalls arrive. */
u64 arch_domain_callback_param(const struct domain *d);

/* ---- vCPUs --------------------------------------------------------------------- */

/**
 * Sets up v's architectural state (registers reset, timers, interrupt state); v->id,
 * v->domain and v->pcpu are set. 0 or -errno; arch_vcpu_destroy() undoes a partial set-up.
 */
int arch_vcpu_create(struct vcpu *v);
/** Frees v's architectural state and stops its timers; safe after a partial create. */
void arch_vcpu_destroy(struct vcpu *v);
/**
 * Resets v's registers to the architecture's boot state, to start at 'entry' with
 * 'ctx' as its first argument (boot vCPU, PSCI CPU_ON, toolstack's vCPU context).
 */
void arch_vcpu_reset(struct vcpu *v, u64 entry, u64 ctx);
/** Logs v's general registers at warning level (guest crash reports). */
void arch_vcpu_dump(const struct vcpu *v);
/** v's program counter as last saved (debug keys). */
u64 arch_vcpu_pc(const struct vcpu *v);
/**
 * The hypervisor timers of v's architectural state that fire on v's pCPU and must
 * move with it (virtual timers): stores up to 'max' in out[], returns how many.
 */
unsigned int arch_vcpu_timers(struct vcpu *v, struct timer **out, unsigned int max);
/** Saves the state v left on this pCPU (v is being switched out). */
void arch_vcpu_save(struct vcpu *v);
/** Loads v's state onto this pCPU (v is being switched in). */
void arch_vcpu_load(struct vcpu *v);
/** Right before entering v: presents its pending interrupts, ends a finished poll. */
void arch_vcpu_prepare_entry(struct vcpu *v);
/** Restores v's registers and enters it; does not return. */
void arch_vcpu_enter(struct vcpu *v) __noreturn;
/** True if v has an interrupt pending that ends a wait for interrupt. */
bool arch_vcpu_irq_pending(struct vcpu *v);
/** Raises v's event-channel upcall interrupt (and kicks v to take it). */
void arch_evtchn_upcall(struct vcpu *v);

/* ---- Physical CPUs and the machine --------------------------------------------- */

/** Makes pCPU 'cpu' (not this one) reschedule and re-enter its guest soon. */
void arch_kick_cpu(unsigned int cpu);
/** The frequency of the counter guests read, in Hz. */
u64 arch_counter_freq(void);
/** Busy-waits for 'us' microseconds. */
void udelay(u64 us);
/** Powers the machine off; halts if that is impossible. */
void machine_power_off(void) __noreturn;
/** Resets the machine; halts if that is impossible. */
void machine_restart(void) __noreturn;
/** Stops this CPU for good, interrupts masked. */
void machine_halt_cpu(void) __noreturn;
