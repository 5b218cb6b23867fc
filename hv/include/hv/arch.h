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
 * hv/cache.h. Timer hardware: arch_timer_program()/arch_timer_kick() in hv/timer.h. The
 * Dom0 device-tree builder's node emitters (arch_dom0_dt_*()) work on its private walk
 * state and are declared with it, in hv/dom0_dt_walk.h.
 */
#pragma once

#include <hv/lib.h>
#include <hv/types.h>

struct boot_info;
struct dom0_dt_params;
struct dom0_passthrough;
struct domain;
struct domain_config;
struct dt_reader;
struct guest_boot;
struct lam_dom_create;
struct mem_range;
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
/**
 * One compare-and-exchange of a 32-bit word of memory a guest shares with the
 * hypervisor (a grant entry, hv/common/grant_table.c): if *p equals *expected, stores
 * desired and returns true; otherwise loads *p into *expected and returns false. The
 * guest may write the word on another CPU at any time, so callers bound their retries
 * (as Xen's guest_cmpxchg, xen/arch/arm/include/asm/guest_atomics.h).
 */
bool arch_guest_cmpxchg32(u32 *p, u32 *expected, u32 desired);

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

/* ---- Boot: the host device tree (hv/common/device_tree/bootfdt.c) -------------- */

/**
 * The arch's part of dt_parse_boot_info(), after memory and reserved ranges: CPUs, firmware
 * interface, interrupt controller and timer into bi (Arm: /cpus MPIDRs, PSCI, GICv3,
 * generic timer; hv/arch/arm64/bootfdt.c). 0 or -HV_Exxx with the reason in r.
 */
int arch_dt_parse_boot_info(struct dt_reader *r, struct boot_info *bi);

/**
 * Interrupt i of node's "interrupts" as the interrupt controller's number (Arm: GIC INTID)
 * in *irq; 0 if there is no such entry or its controller is not one the arch reads. An
 * entry naming an impossible interrupt is an error (-HV_EINVAL, reason in r).
 */
int arch_dt_get_irq(struct dt_reader *r, int node, int i, u32 *irq);

/* ---- Building Dom0 (hv/common/dom0_build.c) ------------------------------------ */

/**
 * Sets cfg's interrupt-controller layout and event-channel interrupt for Dom0 (Arm: the vGIC
 * at the host GIC's addresses with all its SPI lines, a PPI no host device uses). 0, or a
 * negative -HV_Exxx with a reason in err.
 */
int arch_dom0_configure(const struct boot_info *bi, struct domain_config *cfg, char *err,
			size_t errlen);
/**
 * Maps pt's MMIO into d 1:1 and routes pt's interrupts to it, except the hypervisor
 * console's. 0, or a negative -HV_Exxx with a reason in err.
 */
int arch_dom0_passthrough(struct domain *d, const struct dom0_passthrough *pt, char *err,
			  size_t errlen);
/**
 * Appends to used[n..max) what Dom0's extended regions must also avoid (Arm: the GIC's
 * frames), returns the new count, and sets *limit to the guest address-space size.
 */
unsigned int arch_dom0_reserved_ranges(const struct boot_info *bi, struct mem_range *used,
				       unsigned int n, unsigned int max, u64 *limit);
/** Fills the arch's fields of dp for d (Arm: GICR frames) and the grant-table window. */
void arch_dom0_dt_params(const struct domain *d, struct dom0_dt_params *dp);

/* ---- Booting a guest the hypervisor builds: Dom0 and dom0less DomUs -------------- */

/**
 * Checks the kernel image gb->kernel (Arm: an arm64 Image), before the domain exists.
 * Returns 0, or a negative -HV_Exxx with a reason in err.
 */
int arch_guest_kernel_probe(struct guest_boot *gb, char *err, size_t errlen);

/**
 * Decides where the probed kernel, the initrd and the device tree go in the guest's RAM
 * [ram_base, ram_base + ram_size). Returns 0, or a negative -HV_Exxx with a reason in err.
 */
int arch_guest_boot_plan(struct guest_boot *gb, char *err, size_t errlen);

/**
 * Writes a DomU's device tree for gb into buf (size bytes). Returns 0, or a negative
 * -HV_Exxx with a reason in err.
 */
int arch_domu_dt_build(const struct guest_boot *gb, void *buf, size_t size, char *err,
		       size_t errlen);

/**
 * Copies kernel, initrd and the device tree dtb into d's RAM as planned, visible to a guest
 * that starts with its caches off. Returns 0 or a negative -HV_Exxx with a reason in err.
 */
int arch_guest_boot_load(struct domain *d, const struct guest_boot *gb, const void *dtb, char *err,
			 size_t errlen);
