/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Ticket spinlocks, built on the compiler's atomics so the same code runs in the
 * hypervisor and in host unit tests. spin_lock_irqsave() is required for any lock an
 * interrupt handler can take.
 */
#pragma once

#include <asm/irq.h>
#include <hv/types.h>

typedef struct {
	u16 next;
	u16 owner;
} spinlock_t;

#define SPINLOCK_INIT \
	{             \
		0, 0  \
	}

static inline void spin_lock_init(spinlock_t *l)
{
	l->next = 0;
	l->owner = 0;
}

static inline void spin_lock(spinlock_t *l)
{
	u16 ticket = __atomic_fetch_add(&l->next, 1, __ATOMIC_RELAXED);

	while (__atomic_load_n(&l->owner, __ATOMIC_ACQUIRE) != ticket) {
		arch_cpu_relax();
	}
}

static inline void spin_unlock(spinlock_t *l)
{
	__atomic_store_n(&l->owner, (u16)(l->owner + 1), __ATOMIC_RELEASE);
	arch_send_event();
}

static inline bool spin_is_locked(spinlock_t *l)
{
	return __atomic_load_n(&l->owner, __ATOMIC_RELAXED) !=
	       __atomic_load_n(&l->next, __ATOMIC_RELAXED);
}

#define spin_lock_irqsave(l, flags)              \
	do {                                     \
		(flags) = arch_local_irq_save(); \
		spin_lock(l);                    \
	} while (0)

#define spin_unlock_irqrestore(l, flags)       \
	do {                                   \
		spin_unlock(l);                \
		arch_local_irq_restore(flags); \
	} while (0)
