/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Per-CPU software timers for the hypervisor's own use, multiplexed on the EL2
 * physical timer (CNTHP, Arm ARM D11.2). Each pCPU keeps a queue sorted by expiry;
 * the hardware comparator always holds the earliest one. Callbacks run in IRQ
 * context on the timer's CPU, with the queue lock dropped.
 *
 * Locking: each queue has an IRQ-safe lock; a timer is on at most one queue.
 */
#pragma once

#include <hv/spinlock.h>
#include <hv/types.h>

struct timer {
	struct timer *next;
	u64 expires; /* ns since boot */
	void (*fn)(void *data);
	void *data;
	unsigned int cpu;
	bool active;
};

struct timer_queue {
	spinlock_t lock;
	struct timer *head;
	struct timer *running; /* the timer whose callback runs now, or NULL */
};

/** Nanoseconds since the counter started (monotonic). */
u64 now_ns(void);

void timer_queue_init(struct timer_queue *q);
/** Prepares t to run fn(data) on pCPU cpu; t must not be active. */
void timer_init(struct timer *t, void (*fn)(void *data), void *data, unsigned int cpu);
/** Arms (or re-arms) t to fire at 'expires' ns; a time in the past fires at once. */
void timer_set(struct timer *t, u64 expires);
/** Disarms t; returns true if it was armed. */
bool timer_stop(struct timer *t);
/**
 * Disarms t and waits until its callback is not running on any pCPU, so the memory
 * of t and of its data can be freed. Must not be called from t's own callback.
 */
void timer_kill(struct timer *t);
/** Runs every expired timer of this CPU and reprograms the hardware (timer IRQ). */
void timer_run_expired(void);

/* Arch hooks (asm side). */
/** Programs this CPU's hypervisor timer for 'expires' ns, or disables it (0). */
void arch_timer_program(u64 expires);
/** Makes pCPU cpu re-evaluate its queue head (an IPI unless cpu is this one). */
void arch_timer_kick(unsigned int cpu);
