/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The scheduler. Every vCPU is placed on one pCPU (the least loaded at creation) and
 * stays there. A pCPU runs the vCPU at the head of its run queue; when others wait,
 * the running one is preempted at the end of its time slice (SCHED_SLICE_NS scaled
 * by weight/256) and goes to the tail. With one vCPU per pCPU this is exactly a
 * pinned scheduler. Idle pCPUs wait in WFI.
 *
 * Locking: pcpus[n].sched.lock guards the run queue of pCPU n and the state, on_rq
 * and rq_next of every vCPU placed on it. Taken with IRQs masked. Order: a sched lock,
 * then the arch's interrupt-controller lock (arch_vcpu_irq_pending() is called with
 * it held).
 */
#include <hv/arch.h>
#include <hv/bug.h>
#include <hv/domain.h>
#include <hv/errno.h>
#include <hv/log.h>
#include <hv/params.h>
#include <hv/percpu.h>
#include <hv/sched.h>
#include <hv/smp.h>
#include <hv/spinlock.h>
#include <hv/xen_abi.h>

/* Timers per vCPU that move with it: the arch's (virtual timers) and the poll timeout. */
#define VCPU_MAX_TIMERS 4

static struct sched_pcpu *rq_of(const struct vcpu *v)
{
	return &pcpus[v->pcpu].sched;
}

static void rq_push(struct sched_pcpu *rq, struct vcpu *v)
{
	ASSERT(!v->on_rq);
	v->rq_next = NULL;
	if (rq->rq_tail) {
		rq->rq_tail->rq_next = v;
	} else {
		rq->rq_head = v;
	}
	rq->rq_tail = v;
	v->on_rq = true;
}

/* Makes v runnable on its queue unless it is paused (then unpausing queues it). */
static void make_runnable(struct sched_pcpu *rq, struct vcpu *v)
{
	v->state = VCPU_RUNNABLE;
	if (v->pause_count == 0 && !v->on_rq) {
		rq_push(rq, v);
	}
}

static struct vcpu *rq_pop(struct sched_pcpu *rq)
{
	struct vcpu *v = rq->rq_head;

	if (v) {
		rq->rq_head = v->rq_next;
		if (rq->rq_head == NULL) {
			rq->rq_tail = NULL;
		}
		v->rq_next = NULL;
		v->on_rq = false;
	}
	return v;
}

static void rq_remove(struct sched_pcpu *rq, struct vcpu *v)
{
	struct vcpu **pp = &rq->rq_head, *prev = NULL;

	while (*pp && *pp != v) {
		prev = *pp;
		pp = &(*pp)->rq_next;
	}
	if (*pp == v) {
		*pp = v->rq_next;
		if (rq->rq_tail == v) {
			rq->rq_tail = prev;
		}
		v->rq_next = NULL;
		v->on_rq = false;
	}
}

static void slice_expired(void *data)
{
	struct sched_pcpu *rq = data;

	/* Runs on the pCPU itself, in IRQ context; the IRQ exit path reschedules. */
	rq->need_resched = true;
}

void sched_init(void)
{
	for (unsigned int i = 0; i < NR_CPUS; i++) {
		struct sched_pcpu *rq = &pcpus[i].sched;

		spin_lock_init(&rq->lock);
		rq->rq_head = rq->rq_tail = NULL;
		timer_init(&rq->slice_timer, slice_expired, rq, i);
	}
}

/** See hv/sched.h. Placement: the online pCPU with the fewest vCPUs. */
void sched_add_vcpu(struct vcpu *v)
{
	unsigned int best = 0;
	unsigned long flags;

	for (unsigned int i = 0; i < NR_CPUS; i++) {
		if (pcpus[i].online && pcpus[i].sched.nr_assigned < pcpus[best].sched.nr_assigned) {
			best = i;
		}
	}
	if (pcpus[best].sched.nr_assigned > 0 && hv_opts.sched == SCHED_PINNED) {
		log_warn("sched=pinned: more vCPUs than pCPUs; d%uv%u shares pCPU%u without "
			 "time slices\n",
			 v->domain->domid, v->id, best);
	}
	v->pcpu = best;
	v->state = VCPU_OFFLINE;
	if (v->weight == 0) {
		v->weight = SCHED_DEFAULT_WEIGHT;
	}
	spin_lock_irqsave(&pcpus[best].sched.lock, flags);
	pcpus[best].sched.nr_assigned++;
	spin_unlock_irqrestore(&pcpus[best].sched.lock, flags);
}

/** See hv/sched.h. */
void sched_remove_vcpu(struct vcpu *v)
{
	struct sched_pcpu *rq = rq_of(v);
	unsigned long flags;

	spin_lock_irqsave(&rq->lock, flags);
	BUG_ON(v->loaded);
	rq_remove(rq, v);
	v->state = VCPU_OFFLINE;
	rq->nr_assigned--;
	spin_unlock_irqrestore(&rq->lock, flags);
}

static void poke_pcpu(unsigned int cpu);

/** See hv/sched.h. */
int vcpu_migrate(struct vcpu *v, unsigned int cpu)
{
	struct sched_pcpu *from = rq_of(v), *to;
	unsigned long flags;
	bool queued, armed[VCPU_MAX_TIMERS];
	u64 exp[VCPU_MAX_TIMERS];
	struct timer *timers[VCPU_MAX_TIMERS];
	unsigned int nr_timers;

	if (cpu >= NR_CPUS || !pcpus[cpu].online) {
		return -HV_EINVAL;
	}
	if (__atomic_load_n(&v->loaded, __ATOMIC_ACQUIRE)) {
		return -HV_EBUSY; /* the caller pauses the domain first */
	}
	if (cpu == v->pcpu) {
		return 0;
	}
	to = &pcpus[cpu].sched;
	/* The timers that fire on v's pCPU move with it: the arch's and its poll timeout. */
	nr_timers = arch_vcpu_timers(v, timers, VCPU_MAX_TIMERS - 1);
	timers[nr_timers++] = &v->poll_timer;
	for (unsigned int i = 0; i < nr_timers; i++) {
		exp[i] = timers[i]->expires;
		armed[i] = timer_stop(timers[i]);
		timer_kill(timers[i]);
	}
	spin_lock_irqsave(&from->lock, flags);
	queued = v->on_rq;
	rq_remove(from, v);
	from->nr_assigned--;
	spin_unlock_irqrestore(&from->lock, flags);

	spin_lock_irqsave(&to->lock, flags);
	v->pcpu = cpu;
	to->nr_assigned++;
	if (queued) {
		rq_push(to, v);
	}
	spin_unlock_irqrestore(&to->lock, flags);
	for (unsigned int i = 0; i < nr_timers; i++) {
		timer_init(timers[i], timers[i]->fn, timers[i]->data, cpu);
		if (armed[i]) {
			timer_set(timers[i], exp[i]);
		}
	}
	if (queued) {
		poke_pcpu(cpu);
	}
	return 0;
}

/* Asks v's pCPU to reconsider: an SGI unless it is this pCPU. */
static void poke_pcpu(unsigned int cpu)
{
	if (cpu == this_pcpu()->id) {
		pcpus[cpu].sched.need_resched = true;
	} else {
		arch_kick_cpu(cpu);
	}
}

/** See hv/sched.h. */
void vcpu_wake(struct vcpu *v)
{
	struct sched_pcpu *rq = rq_of(v);
	unsigned long flags;
	bool poke = false;

	spin_lock_irqsave(&rq->lock, flags);
	if (v->state == VCPU_BLOCKED) {
		/*
		 * Queued even if it is still loaded on its pCPU (blocked but not yet switched
		 * out): that pCPU's next decision finds it on the queue and either keeps it
		 * running or switches it out and back in later. Only that pCPU takes vCPUs
		 * off its queue, after any switch-out has completed.
		 */
		make_runnable(rq, v);
		poke = true;
	}
	spin_unlock_irqrestore(&rq->lock, flags);
	if (poke) {
		poke_pcpu(v->pcpu);
	}
}

/** See hv/sched.h. */
void vcpu_online(struct vcpu *v)
{
	struct sched_pcpu *rq = rq_of(v);
	unsigned long flags;

	spin_lock_irqsave(&rq->lock, flags);
	if (v->state == VCPU_OFFLINE && !v->domain->is_dying && !v->domain->is_shutdown) {
		make_runnable(rq, v);
	}
	spin_unlock_irqrestore(&rq->lock, flags);
	poke_pcpu(v->pcpu);
}

/** See hv/sched.h. */
void vcpu_offline(struct vcpu *v)
{
	struct sched_pcpu *rq = rq_of(v);
	unsigned long flags;
	bool loaded;

	spin_lock_irqsave(&rq->lock, flags);
	rq_remove(rq, v);
	v->state = VCPU_OFFLINE;
	loaded = v->loaded;
	spin_unlock_irqrestore(&rq->lock, flags);
	if (loaded) {
		poke_pcpu(v->pcpu);
	}
}

/** See hv/sched.h. */
void vcpu_kick(struct vcpu *v)
{
	struct sched_pcpu *rq = rq_of(v);
	unsigned long flags;
	enum vcpu_state st;
	bool loaded;

	spin_lock_irqsave(&rq->lock, flags);
	st = v->state;
	loaded = v->loaded;
	spin_unlock_irqrestore(&rq->lock, flags);
	if (st == VCPU_BLOCKED) {
		vcpu_wake(v);
	} else if (loaded && v->pcpu != this_pcpu()->id) {
		/* Running elsewhere: make it exit so the new interrupt is listed. */
		arch_kick_cpu(v->pcpu);
	}
}

/** See hv/sched.h. Called on the vCPU's own pCPU from a trap. */
void vcpu_block_current(void)
{
	struct vcpu *v = current_vcpu();
	struct sched_pcpu *rq = rq_of(v);
	unsigned long flags;

	spin_lock_irqsave(&rq->lock, flags);
	if (v->state == VCPU_RUNNING && !arch_vcpu_irq_pending(v)) {
		v->state = VCPU_BLOCKED;
	}
	spin_unlock_irqrestore(&rq->lock, flags);
}

void vcpu_yield_current(void)
{
	struct vcpu *v = current_vcpu();
	struct sched_pcpu *rq = rq_of(v);
	unsigned long flags;

	spin_lock_irqsave(&rq->lock, flags);
	if (rq->rq_head) {
		rq->need_resched = true;
		rq->slice_end = 0;
	}
	spin_unlock_irqrestore(&rq->lock, flags);
}

/** See hv/sched.h. */
void vcpu_pause_nosync(struct vcpu *v)
{
	struct sched_pcpu *rq = rq_of(v);
	unsigned long flags;
	bool loaded;

	spin_lock_irqsave(&rq->lock, flags);
	v->pause_count++;
	rq_remove(rq, v);
	loaded = v->loaded;
	spin_unlock_irqrestore(&rq->lock, flags);
	if (loaded) {
		poke_pcpu(v->pcpu);
	}
}

/** See hv/sched.h. */
void vcpu_unpause(struct vcpu *v)
{
	struct sched_pcpu *rq = rq_of(v);
	unsigned long flags;
	bool poke = false;

	spin_lock_irqsave(&rq->lock, flags);
	/* Queued even if still loaded (switch-out pending): see vcpu_wake(). */
	if (v->pause_count > 0 && --v->pause_count == 0 && v->state == VCPU_RUNNABLE && !v->on_rq) {
		rq_push(rq, v);
		poke = true;
	}
	spin_unlock_irqrestore(&rq->lock, flags);
	if (poke) {
		poke_pcpu(v->pcpu);
	}
}

/** See hv/sched.h. */
void sched_kick_idle(void)
{
	unsigned int self = this_pcpu()->id;

	for (unsigned int i = 0; i < NR_CPUS; i++) {
		if (i != self && pcpus[i].online &&
		    __atomic_load_n(&pcpus[i].current, __ATOMIC_ACQUIRE) == NULL) {
			arch_kick_cpu(i);
		}
	}
}

void sched_kick_handler(void)
{
	this_pcpu()->sched.need_resched = true;
}

/*
 * sched=pinned (Xen's "null"): a vCPU keeps its pCPU until it blocks or yields, even if
 * others wait there. Otherwise (auto, rr) the slice is SCHED_SLICE_NS * weight / 256.
 */
static u64 slice_for(const struct vcpu *v)
{
	if (hv_opts.sched == SCHED_PINNED) {
		return ~0ull / 2;
	}
	return SCHED_SLICE_NS * v->weight / SCHED_DEFAULT_WEIGHT;
}

/* Loads next on this pCPU (prev already saved). Called with IRQs masked. */
static void switch_in(struct sched_pcpu *rq, struct vcpu *next)
{
	struct pcpu *c = this_pcpu();

	/* loaded and the domain reference were set when it was taken off the queue. */
	next->last_start_ns = now_ns();
	c->current = next;
	arch_vcpu_load(next);
	vcpu_runstate_switch(next, true);
	rq->slice_end = now_ns() + slice_for(next);
	if (rq->rq_head && hv_opts.sched != SCHED_PINNED) {
		timer_set(&rq->slice_timer, rq->slice_end);
	} else {
		timer_stop(&rq->slice_timer);
	}
}

static void switch_out(struct vcpu *prev)
{
	struct pcpu *c = this_pcpu();

	vcpu_runstate_switch(prev, false); /* its context still loaded */
	arch_vcpu_save(prev);
	prev->runtime_ns += now_ns() - prev->last_start_ns;
	c->current = NULL;
	/* The pCPU's lock is not held: domain_put() may free the domain. */
	__atomic_store_n(&prev->loaded, false, __ATOMIC_RELEASE);
	domain_put(prev->domain);
}

/*
 * Deferred work (a dead domain's teardown, domain_reap_step()) between two vCPUs: this
 * pCPU has nothing loaded, as in the idle loop, so IRQs are taken meanwhile. At most
 * SCHED_REAP_BUDGET_NS here; the idle loop (or the next switch) does the rest.
 */
#define SCHED_REAP_BUDGET_NS 1000000ull

static void sched_deferred_work(void)
{
	u64 until;

	if (!domain_reap_pending()) {
		return;
	}
	until = now_ns() + SCHED_REAP_BUDGET_NS;
	arch_local_irq_enable();
	while (domain_reap_step(false) && now_ns() < until) {
	}
	arch_local_irq_disable();
	if (domain_reap_pending()) {
		sched_kick_idle(); /* an idle pCPU goes on with it before our next switch */
	}
}

/*
 * The same vCPU goes on (IRQs masked): one light, bounded step of deferred work, so
 * that a pCPU that never idles nor switches still moves a dead domain's teardown on.
 */
static void sched_light_work(void)
{
	if (domain_reap_pending()) {
		domain_reap_step(true);
		/*
		 * An idle pCPU that found this step under way went back to sleep, and a light
		 * step never does a boot-time domain's last one (its rebuild): wake it for the
		 * rest.
		 */
		if (domain_reap_pending()) {
			sched_kick_idle();
		}
	}
}

/** See hv/sched.h. IRQs are masked. */
static struct vcpu *sched_pick_next(struct vcpu *prev)
{
	struct sched_pcpu *rq = &this_pcpu()->sched;
	struct vcpu *next;
	unsigned long flags;

	ASSERT(prev != NULL && prev == this_pcpu()->current);
	spin_lock_irqsave(&rq->lock, flags);
	if (prev->state == VCPU_RUNNING) {
		if (prev->pause_count == 0 &&
		    (rq->rq_head == NULL || (!rq->need_resched && now_ns() < rq->slice_end))) {
			if (rq->rq_head && !rq->slice_timer.active &&
			    hv_opts.sched != SCHED_PINNED) {
				timer_set(&rq->slice_timer, rq->slice_end);
			}
			rq->need_resched = false;
			spin_unlock_irqrestore(&rq->lock, flags);
			sched_light_work();
			return prev;
		}
		make_runnable(rq, prev);
	}
	rq->need_resched = false;
	next = rq_pop(rq);
	if (next == prev) {
		prev->state = VCPU_RUNNING;
		rq->slice_end = now_ns() + slice_for(prev);
		spin_unlock_irqrestore(&rq->lock, flags);
		sched_light_work();
		return prev;
	}
	if (next) {
		next->state = VCPU_RUNNING;
		/*
		 * Loaded from now on (a pause or migration waits for it to leave), and its
		 * domain referenced before the lock goes (it cannot be freed under us).
		 */
		__atomic_store_n(&next->loaded, true, __ATOMIC_RELEASE);
		domain_get(next->domain);
	}
	spin_unlock_irqrestore(&rq->lock, flags);

	switch_out(prev); /* may drop the last reference to prev's domain: queued */
	if (next == NULL) {
		sched_idle_loop();
	}
	sched_deferred_work();
	switch_in(rq, next);
	return next;
}

/** See hv/sched.h. */
struct vcpu *sched_exit_to(struct vcpu *prev)
{
	struct vcpu *next = sched_pick_next(prev);

	sched_poll_done(next);
	return next;
}

/** See hv/sched.h. Runs on the pCPU's stack, reset by the caller. */
void sched_idle_loop(void)
{
	struct sched_pcpu *rq = &this_pcpu()->sched;

	this_pcpu()->current = NULL;
	timer_stop(&rq->slice_timer);
	for (;;) {
		struct vcpu *next;
		unsigned long flags;

		arch_local_irq_disable();
		spin_lock_irqsave(&rq->lock, flags);
		next = rq_pop(rq);
		if (next) {
			next->state = VCPU_RUNNING;
			__atomic_store_n(&next->loaded, true, __ATOMIC_RELEASE);
			domain_get(next->domain);
		}
		rq->need_resched = false;
		spin_unlock_irqrestore(&rq->lock, flags);
		if (next) {
			switch_in(rq, next);
			sched_poll_done(next);
			arch_vcpu_prepare_entry(next);
			arch_vcpu_enter(next);
		}
		if (domain_reap_pending()) {
			bool more;

			/* Teardown steps with IRQs on, until done or a vCPU is runnable. */
			arch_local_irq_enable();
			do {
				more = domain_reap_step(false);
			} while (more && __atomic_load_n(&rq->rq_head, __ATOMIC_ACQUIRE) == NULL);
			/* A step may have made a vCPU runnable here (a boot-time domain's rebuild). */
			if (more || __atomic_load_n(&rq->rq_head, __ATOMIC_ACQUIRE) != NULL) {
				continue;
			}
			/* Done, or another pCPU is doing it (it kicks us if it stops early). */
			arch_local_irq_disable();
		}
		arch_idle_wait();
		arch_local_irq_enable();
	}
}
