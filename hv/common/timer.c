/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Per-CPU timer queues (see hv/include/hv/timer.h). A queue is a list sorted by
 * expiry; the arch keeps the CPU's hardware comparator on the head.
 *
 * Locking: each queue's lock guards its list and the 'active' flag of the timers on
 * it. Callbacks run with no lock held, so a callback may re-arm its own timer.
 */
#include <hv/bug.h>
#include <hv/percpu.h>
#include <hv/timer.h>

void timer_queue_init(struct timer_queue *q)
{
	spin_lock_init(&q->lock);
	q->head = NULL;
	q->running = NULL;
}

void timer_init(struct timer *t, void (*fn)(void *data), void *data, unsigned int cpu)
{
	ASSERT(cpu < NR_CPUS);
	t->next = NULL;
	t->expires = 0;
	t->fn = fn;
	t->data = data;
	t->cpu = cpu;
	t->active = false;
}

/* Removes t from q if it is there; returns true if it was the head. Lock held. */
static bool queue_remove(struct timer_queue *q, struct timer *t)
{
	struct timer **pp = &q->head;

	while (*pp != NULL) {
		if (*pp == t) {
			bool was_head = (pp == &q->head);

			*pp = t->next;
			t->next = NULL;
			t->active = false;
			return was_head;
		}
		pp = &(*pp)->next;
	}
	return false;
}

/* Inserts t in expiry order (after timers with the same expiry); lock held.
 * Returns true if t became the head. */
static bool queue_insert(struct timer_queue *q, struct timer *t)
{
	struct timer **pp = &q->head;

	while (*pp != NULL && (*pp)->expires <= t->expires) {
		pp = &(*pp)->next;
	}
	t->next = *pp;
	*pp = t;
	t->active = true;
	return pp == &q->head;
}

/** See hv/timer.h. */
void timer_set(struct timer *t, u64 expires)
{
	struct timer_queue *q = &pcpus[t->cpu].timers;
	unsigned long flags;
	bool head_changed;

	spin_lock_irqsave(&q->lock, flags);
	head_changed = t->active && queue_remove(q, t);
	/* 0 is arch_timer_program()'s "no timer": an expiry of 0 is as good as 1 (long past). */
	t->expires = MAX(expires, 1ull);
	head_changed |= queue_insert(q, t);
	spin_unlock_irqrestore(&q->lock, flags);
	if (head_changed) {
		arch_timer_kick(t->cpu);
	}
}

/** See hv/timer.h. */
bool timer_stop(struct timer *t)
{
	struct timer_queue *q = &pcpus[t->cpu].timers;
	unsigned long flags;
	bool was_active;

	spin_lock_irqsave(&q->lock, flags);
	was_active = t->active;
	if (was_active) {
		queue_remove(q, t);
	}
	spin_unlock_irqrestore(&q->lock, flags);
	/* A stale comparator value only causes one early interrupt: no kick needed. */
	return was_active;
}

/** See hv/timer.h. */
void timer_kill(struct timer *t)
{
	struct timer_queue *q = &pcpus[t->cpu].timers;

	timer_stop(t);
	while (__atomic_load_n(&q->running, __ATOMIC_ACQUIRE) == t) {
		arch_cpu_relax();
	}
}

/** See hv/timer.h. Called on the queue's own CPU with IRQs masked. */
void timer_run_expired(void)
{
	struct timer_queue *q = &this_pcpu()->timers;
	unsigned long flags;

	spin_lock_irqsave(&q->lock, flags);
	for (;;) {
		struct timer *t = q->head;

		if (t == NULL || t->expires > now_ns()) {
			break;
		}
		q->head = t->next;
		t->next = NULL;
		t->active = false;
		q->running = t;
		spin_unlock_irqrestore(&q->lock, flags);
		t->fn(t->data);
		spin_lock_irqsave(&q->lock, flags);
		q->running = NULL;
	}
	arch_timer_program(q->head ? q->head->expires : 0);
	spin_unlock_irqrestore(&q->lock, flags);
}
