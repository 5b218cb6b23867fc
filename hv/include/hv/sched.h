/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The scheduler (hv/common/sched.c): each vCPU belongs to one pCPU's run queue.
 * With no more vCPUs than pCPUs each pCPU gets at most one (pinned, like Xen's
 * "null"); otherwise vCPUs share pCPUs in weighted round-robin with a time slice.
 * Idle pCPUs wait in WFI.
 */
#pragma once

#include <hv/domain.h>

#define SCHED_SLICE_NS 5000000ull /* 5 ms for weight 256 */
#define SCHED_DEFAULT_WEIGHT 256

void sched_init(void);
/** Places a new vCPU on a pCPU (the least loaded). */
void sched_add_vcpu(struct vcpu *v);
/** Removes a vCPU that is not loaded; it must not be on a run queue afterwards. */
void sched_remove_vcpu(struct vcpu *v);
/** Makes v runnable (from BLOCKED or, with online, from OFFLINE); kicks its pCPU. */
void vcpu_wake(struct vcpu *v);
void vcpu_online(struct vcpu *v);
/** Stops v (PSCI CPU_OFF, domain death): OFFLINE, off the run queue, kicked out. */
void vcpu_offline(struct vcpu *v);
/** Current vCPU waits for an interrupt (WFI); returns at once if one is pending. */
void vcpu_block_current(void);
/** Current vCPU gives up the rest of its slice. */
void vcpu_yield_current(void);
/**
 * Pausing nests: a vCPU runs only with pause_count 0. vcpu_pause_nosync() returns at
 * once; the vCPU leaves its pCPU at that pCPU's next scheduling decision (v->loaded
 * turns false). Its state (running, blocked, offline) is kept for when it unpauses.
 */
void vcpu_pause_nosync(struct vcpu *v);
void vcpu_unpause(struct vcpu *v);
/** Makes v's pCPU leave the guest so that new interrupts are presented. */
void vcpu_kick(struct vcpu *v);
/**
 * Moves v to pCPU cpu (vcpu-pin), with its timers. v must not be loaded: the caller
 * pauses its domain first. 0, -HV_EINVAL for a pCPU that is not online, -HV_EBUSY.
 */
int vcpu_migrate(struct vcpu *v, unsigned int cpu);

/**
 * The scheduling decision at the end of every trap: returns the vCPU to enter next on
 * this pCPU (prev if it may continue), after switching contexts if needed. Never
 * returns NULL: with nothing to run it enters the idle loop, which does not return.
 */
struct vcpu *sched_exit_to(struct vcpu *prev);
/** The idle loop of a pCPU: waits for runnable vCPUs and enters them. */
void sched_idle_loop(void) __attribute__((noreturn));
/** Wakes every other online pCPU that has no vCPU loaded (deferred work for its idle loop). */
void sched_kick_idle(void);
/** The SGI handler for SGI_KICK: a reschedule hint. */
void sched_kick_handler(void);
/** sched_op hypercall (SCHEDOP_yield, _block, _poll, _shutdown) from v. */
long do_sched_op(struct vcpu *v, u64 cmd, u64 arg);
/** Per vCPU: prepares its SCHEDOP_poll timeout timer. */
void sched_poll_init(struct vcpu *v);
/** On entry to v: a poll that woke up is over. */
void sched_poll_done(struct vcpu *v);
