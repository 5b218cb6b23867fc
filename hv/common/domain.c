/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Domains: creation with memory and vCPUs, the domain list, references, shutdown,
 * crash, and destruction with every page returned.
 *
 * Lock order: see hv/domain.h. Everything architectural (stage 2, interrupt
 * controller, timers, registers) is set up and torn down through hv/arch.h.
 */
#include <hv/arch.h>
#include <hv/bug.h>
#include <hv/dom0less.h>
#include <hv/domain.h>
#include <hv/errno.h>
#include <hv/evtchn.h>
#include <hv/heap.h>
#include <hv/hypercall.h>
#include <hv/log.h>
#include <hv/mm.h>
#include <hv/p2m.h>
#include <hv/page_alloc.h>
#include <hv/percpu.h>
#include <hv/sched.h>
#include <hv/xen_abi.h>

#define RAM_CHUNK_ORDER 9 /* allocate guest RAM in 2 MiB blocks where possible */

static spinlock_t domlist_lock = SPINLOCK_INIT;
static struct domain *domain_list;
static unsigned int nr_domains;
/*
 * Domain IDs in use, from creation until the domain is freed (not just until it leaves
 * the list): its pages carry the ID until then, so it must not be reused earlier.
 */
static u64 domid_busy[(DOMID_FIRST_RESERVED + 63) / 64];

static bool domid_test_and_set(domid_t id)
{
	u64 bit = 1ull << (id % 64);

	return __atomic_fetch_or(&domid_busy[id / 64], bit, __ATOMIC_ACQ_REL) & bit;
}

static void domid_release(domid_t id)
{
	__atomic_fetch_and(&domid_busy[id / 64], ~(1ull << (id % 64)), __ATOMIC_ACQ_REL);
}

/** See hv/domain.h. */
domid_t domain_alloc_id(void)
{
	/*
	 * Round robin from the last ID handed out (as Xen does): a new domain does not get
	 * a just-destroyed one's ID, which other domains' grants and ports may still name.
	 */
	static domid_t last;

	for (u32 i = 1; i < DOMID_FIRST_RESERVED; i++) {
		domid_t id = (domid_t)((last + i) % DOMID_FIRST_RESERVED);

		if (id != 0 && !(__atomic_load_n(&domid_busy[id / 64], __ATOMIC_ACQUIRE) &
				 (1ull << (id % 64)))) {
			last = id;
			return id;
		}
	}
	return 0;
}

/** See hv/domain.h. */
void domain_for_each(domid_t first, bool (*fn)(struct domain *d, void *arg), void *arg)
{
	for (u32 id = first; id < DOMID_FIRST_RESERVED; id++) {
		struct domain *d;

		if (!(__atomic_load_n(&domid_busy[id / 64], __ATOMIC_ACQUIRE) &
		      (1ull << (id % 64)))) {
			continue;
		}
		d = domain_get_by_id((domid_t)id);
		if (d == NULL) {
			continue;
		}
		bool more = fn(d, arg);

		domain_put(d);
		if (!more) {
			break;
		}
	}
}

struct vcpu *current_vcpu(void)
{
	return this_pcpu()->current;
}

unsigned int domain_count(void)
{
	return __atomic_load_n(&nr_domains, __ATOMIC_ACQUIRE);
}

void domain_get(struct domain *d)
{
	__atomic_fetch_add(&d->refcnt, 1, __ATOMIC_ACQ_REL);
}

/** See hv/domain.h. */
struct domain *domain_get_by_id(domid_t domid)
{
	struct domain *d;
	unsigned long flags;

	spin_lock_irqsave(&domlist_lock, flags);
	for (d = domain_list; d != NULL; d = d->next) {
		if (d->domid == domid && !d->is_dying) {
			domain_get(d);
			break;
		}
	}
	spin_unlock_irqrestore(&domlist_lock, flags);
	return d;
}

/** See hv/domain.h. */
long domain_refuse_other(domid_t domid)
{
	struct domain *o = domain_get_by_id(domid);

	if (o == NULL) {
		return -HV_ESRCH;
	}
	domain_put(o);
	return -HV_EPERM;
}

/** See hv/mmio.h. */
int mmio_register(struct domain *d, gpaddr_t base, u64 size, const struct mmio_ops *ops, void *priv)
{
	if (size == 0 || base + size < base) {
		return -HV_EINVAL;
	}
	if (d->nr_mmio >= DOMAIN_MAX_MMIO) {
		return -HV_ENOSPC;
	}
	for (unsigned int i = 0; i < d->nr_mmio; i++) {
		if (base < d->mmio[i].base + d->mmio[i].size && d->mmio[i].base < base + size) {
			return -HV_EEXIST;
		}
	}
	d->mmio[d->nr_mmio++] = (struct mmio_region){ base, size, ops, priv };
	return 0;
}

/** See hv/mmio.h. */
const struct mmio_region *mmio_find(const struct domain *d, gpaddr_t gpa)
{
	for (unsigned int i = 0; i < d->nr_mmio; i++) {
		if (gpa >= d->mmio[i].base && gpa - d->mmio[i].base < d->mmio[i].size) {
			return &d->mmio[i];
		}
	}
	return NULL;
}

/* Frees d's RAM: every single page it owns (see domain_add_ram_block()). */
static void domain_free_ram(struct domain *d)
{
	page_free_owned(d->domid);
	d->tot_pages = 0;
}

/** See hv/domain.h. */
int domain_add_ram_block(struct domain *d, struct page_info *pg, unsigned int order, gpaddr_t gpa)
{
	int rc = p2m_map(d, gpa, page_to_paddr(pg), PAGE_SIZE << order, P2M_MEM_NORMAL | P2M_EXEC);

	if (rc != 0) {
		return rc;
	}
	/*
	 * Single pages from now on: the guest may give any of them back (balloon), and the
	 * domain's end frees whatever it still owns (page_free_owned()).
	 */
	for (u64 i = 0; i < (1ull << order); i++) {
		pg[i].owner = d->domid;
		pg[i].count = 0;
	}
	page_split(pg, order);
	d->tot_pages += 1ull << order;
	return 0;
}

/*
 * Gives d 'bytes' of zeroed RAM at 'gpa', in the largest naturally aligned blocks
 * available (2 MiB preferred, smaller when memory is fragmented).
 */
static int domain_alloc_ram(struct domain *d, gpaddr_t gpa, u64 bytes)
{
	u64 pages = bytes >> PAGE_SHIFT;
	u64 done = 0;
	int rc = 0;

	while (done < pages) {
		unsigned int order = RAM_CHUNK_ORDER;
		struct page_info *pg = NULL;

		while (order > 0 && ((1ull << order) > pages - done ||
				     !IS_ALIGNED(gpa + (done << PAGE_SHIFT), PAGE_SIZE << order))) {
			order--;
		}
		for (;; order--) {
			pg = page_alloc(order, PA_ZERO);
			if (pg != NULL || order == 0) {
				break;
			}
		}
		if (pg == NULL) {
			rc = -HV_ENOMEM;
			break;
		}
		rc = domain_add_ram_block(d, pg, order, gpa + (done << PAGE_SHIFT));
		if (rc != 0) {
			page_free(pg, order);
			break;
		}
		done += 1ull << order;
	}
	return rc;
}

static void vcpu_free(struct vcpu *v)
{
	if (v == NULL) {
		return;
	}
	arch_vcpu_destroy(v);
	timer_kill(&v->poll_timer);
	sched_remove_vcpu(v);
	xfree(v);
}

/*
 * Tells the control domain that a domain changed state (shut down or gone): the global
 * VIRQ_DOM_EXC, which xenstored binds to fire @releaseDomain.
 */
static void notify_control_domain(void)
{
	struct domain *d0 = domain_get_by_id(0);

	if (d0 != NULL) {
		if (d0->privileged) {
			evtchn_send_virq(d0, VIRQ_DOM_EXC, 0);
		}
		domain_put(d0);
	}
}

/*
 * Teardown after the last reference, in steps (domain_reap_step()). Like Xen's
 * domain_relinquish_resources(), which frees a dying domain's pages in preemptible
 * chunks, no step walks the whole frame table, and none runs in the scheduler's switch
 * path with IRQs masked. Domain IDs stay busy until the last step, so a domain's pages
 * never carry a reused ID.
 */
enum reap_phase {
	REAP_STRUCTURES, /* event channels, grants, vCPUs, stage 2 */
	REAP_RAM,	 /* REAP_FRAMES_PER_STEP frames of the frame table per step */
	REAP_FINISH,	 /* the domain itself, its ID, and what its end means */
};
#define REAP_FRAMES_PER_STEP 4096 /* 16 MiB of RAM's frames per step */

static spinlock_t reap_lock = SPINLOCK_INIT;
static struct domain *reap_head, *reap_tail; /* guarded by reap_lock */
static bool reap_busy;			     /* a pCPU is doing a step; reap_lock */

/* Queues d (no reference left) for domain_reap_step() and wakes an idle pCPU to do it. */
static void domain_queue_reap(struct domain *d)
{
	unsigned long flags;

	d->reap_phase = REAP_STRUCTURES;
	d->reap_cursor = 0;
	d->reap_returned = 0;
	d->reap_next = NULL;
	spin_lock_irqsave(&reap_lock, flags);
	if (reap_tail != NULL) {
		reap_tail->reap_next = d;
	} else {
		reap_head = d;
	}
	reap_tail = d;
	spin_unlock_irqrestore(&reap_lock, flags);
	sched_kick_idle(); /* an idle pCPU's loop does the steps */
}

/** See hv/domain.h. */
bool domain_reap_pending(void)
{
	return __atomic_load_n(&reap_head, __ATOMIC_ACQUIRE) != NULL;
}

/* Frees the frame-table-independent parts of d (reverse order of domain_create()). */
static void domain_free_structures(struct domain *d)
{
	xen_domain_destroy(d); /* event channels, grant table, shared_info */
	for (unsigned int i = 0; i < d->nr_vcpus && d->vcpus; i++) {
		vcpu_free(d->vcpus[i]);
	}
	xfree(d->vcpus);
	d->vcpus = NULL;
	arch_domain_destroy(d);
}

/*
 * Frees everything of d, fully or partly created, and its ID; the one teardown path
 * of domain_create()'s failures and of the last domain_put(). Reverse order of
 * domain_create().
 */
static void domain_teardown(struct domain *d)
{
	domid_t domid = d->domid;

	domain_free_structures(d);
	domain_free_ram(d);
	xfree(d);
	domid_release(domid);
}

/* The last step: d is gone; logs it, frees its ID and tells who needs to know. */
static void domain_finish(struct domain *d)
{
	domid_t domid = d->domid;
	unsigned int reason = d->shutdown_reason;
	bool privileged = d->privileged;
	bool toolstack = d->toolstack;
	u64 returned = d->reap_returned;
	struct page_alloc_stats st0, st;
	struct heap_stats hs;

	page_alloc_get_stats(&st0);
	xfree(d);
	domid_release(domid);
	page_alloc_get_stats(&st);
	returned += st.free_pages - st0.free_pages;
	heap_get_stats(&hs); /* leak checks (tests/guest/scenarios.py, make soak) */
	log_info("d%u: destroyed, %lld pages returned; %llu pages free; heap %llu bytes in %llu "
		 "allocations\n",
		 domid, (long long)returned, (unsigned long long)st.free_pages,
		 (unsigned long long)hs.bytes_in_use, (unsigned long long)hs.nr_allocs);
	notify_control_domain();
	if (!toolstack) {
		domain_on_destroyed(domid, reason, privileged);
	}
}

/** See hv/domain.h. */
bool domain_reap_step(bool light)
{
	struct page_alloc_stats st0, st;
	unsigned long flags;
	struct domain *d;
	bool more;

	spin_lock_irqsave(&reap_lock, flags);
	d = reap_busy ? NULL : reap_head;
	if (d != NULL && light && d->reap_phase == REAP_FINISH && !d->toolstack) {
		d = NULL; /* a boot-time domain's end may rebuild it: not in a light step */
	}
	if (d != NULL) {
		reap_busy = true;
	}
	spin_unlock_irqrestore(&reap_lock, flags);
	if (d == NULL) {
		return false; /* nothing queued, or another pCPU is at it */
	}
	switch (d->reap_phase) {
	case REAP_STRUCTURES:
		/* Measured, not d->tot_pages: shared_info, grant frames, page tables too. */
		page_alloc_get_stats(&st0);
		domain_free_structures(d);
		page_alloc_get_stats(&st);
		d->reap_returned += st.free_pages - st0.free_pages;
		d->reap_phase = REAP_RAM;
		break;
	case REAP_RAM:
		if (page_free_owned_step(d->domid, &d->reap_cursor, REAP_FRAMES_PER_STEP,
					 &d->reap_returned)) {
			d->tot_pages = 0;
			d->reap_phase = REAP_FINISH;
		}
		break;
	default:
		break;
	}
	spin_lock_irqsave(&reap_lock, flags);
	if (d->reap_phase == REAP_FINISH && (!light || d->toolstack)) {
		reap_head = d->reap_next;
		if (reap_head == NULL) {
			reap_tail = NULL;
		}
	} else {
		d = NULL;
	}
	reap_busy = false;
	spin_unlock_irqrestore(&reap_lock, flags);
	if (d != NULL) {
		/* Off the queue and unlocked: a rebuild may create and even queue a domain. */
		domain_finish(d);
	}
	spin_lock_irqsave(&reap_lock, flags);
	more = reap_head != NULL;
	spin_unlock_irqrestore(&reap_lock, flags);
	return more;
}

/** Drops a reference; the last one queues the domain's teardown (see hv/domain.h). */
void domain_put(struct domain *d)
{
	if (__atomic_sub_fetch(&d->refcnt, 1, __ATOMIC_ACQ_REL) == 0) {
		domain_queue_reap(d);
	}
}

static const char *shutdown_reason_name(unsigned int r)
{
	switch (r) {
	case SHUTDOWN_poweroff:
		return "power off";
	case SHUTDOWN_reboot:
		return "reboot";
	case SHUTDOWN_suspend:
		return "suspend";
	case SHUTDOWN_crash:
		return "crash";
	case SHUTDOWN_watchdog:
		return "watchdog";
	default:
		return "unknown reason";
	}
}

/* Takes d off the domain list and stops it; the last reference frees it. */
static void domain_kill(struct domain *d, unsigned int reason)
{
	unsigned long flags;

	spin_lock_irqsave(&domlist_lock, flags);
	if (d->is_dying) {
		spin_unlock_irqrestore(&domlist_lock, flags);
		return;
	}
	d->is_dying = true;
	if (!d->is_shutdown) {
		d->shutdown_reason = reason;
	}
	for (struct domain **pp = &domain_list; *pp; pp = &(*pp)->next) {
		if (*pp == d) {
			*pp = d->next;
			break;
		}
	}
	nr_domains--;
	spin_unlock_irqrestore(&domlist_lock, flags);

	for (unsigned int i = 0; i < d->nr_vcpus; i++) {
		vcpu_offline(d->vcpus[i]);
	}
	domain_put(d); /* the domain list's reference */
}

/** See hv/domain.h. */
void domain_shutdown(struct domain *d, unsigned int reason)
{
	unsigned long flags;

	if (!d->toolstack) {
		log_info("d%u (%s): shutting down (%s)\n", d->domid, d->name,
			 shutdown_reason_name(reason));
		domain_kill(d, reason);
		return;
	}
	/* A toolstack domain stops and waits for the toolstack's verdict (on_poweroff...). */
	spin_lock_irqsave(&domlist_lock, flags);
	if (d->is_dying || d->is_shutdown) {
		spin_unlock_irqrestore(&domlist_lock, flags);
		return;
	}
	d->is_shutdown = true;
	d->shutdown_reason = reason;
	spin_unlock_irqrestore(&domlist_lock, flags);
	log_info("d%u (%s): shut down (%s)\n", d->domid, d->name, shutdown_reason_name(reason));
	for (unsigned int i = 0; i < d->nr_vcpus; i++) {
		vcpu_offline(d->vcpus[i]);
	}
	notify_control_domain();
}

/** See hv/domain.h. */
void domain_destroy(struct domain *d)
{
	log_info("d%u (%s): destroyed by the toolstack\n", d->domid, d->name);
	domain_kill(d, d->is_shutdown ? d->shutdown_reason : SHUTDOWN_poweroff);
}

/** See hv/domain.h. */
void domain_crash(struct domain *d, struct vcpu *v, const char *why)
{
	if (d->is_dying) {
		return;
	}
	log_warn("d%u (%s): crashed: %s\n", d->domid, d->name, why);
	if (v != NULL) {
		log_warn("d%uv%u registers:\n", d->domid, v->id);
		arch_vcpu_dump(v);
	}
	domain_shutdown(d, SHUTDOWN_crash);
}

/** See hv/domain.h. */
int domain_create(domid_t domid, const struct domain_config *cfg, struct domain **out)
{
	struct domain *d;
	unsigned long flags;
	int rc;

	if (cfg->nr_vcpus == 0 || cfg->nr_vcpus > MAX_VCPUS_PER_DOMAIN) {
		return -HV_EINVAL;
	}
	if (!cfg->direct_map && (cfg->mem_bytes == 0 || !IS_ALIGNED(cfg->mem_bytes, PAGE_SIZE) ||
				 cfg->mem_bytes > GUEST_RAM0_SIZE)) {
		return -HV_EINVAL;
	}
	if (domid >= DOMID_FIRST_RESERVED || domid_test_and_set(domid)) {
		return -HV_EEXIST;
	}
	d = xzalloc(sizeof(*d));
	if (d == NULL) {
		domid_release(domid);
		return -HV_ENOMEM;
	}
	d->domid = domid;
	d->created_ns = now_ns();
	memcpy(d->name, cfg->name, sizeof(d->name));
	d->name[sizeof(d->name) - 1] = '\0';
	d->refcnt = 1;
	d->privileged = cfg->privileged;
	d->direct_map = cfg->direct_map;
	spin_lock_init(&d->lock);
	spin_lock_init(&d->cons_lock);

	rc = arch_domain_create(d, cfg); /* stage 2, counter offset, interrupt controller */
	if (rc != 0) {
		goto out_free;
	}
	d->vcpus = xzalloc_array(cfg->nr_vcpus, sizeof(struct vcpu *));
	if (d->vcpus == NULL) {
		rc = -HV_ENOMEM;
		goto out_free;
	}
	d->nr_vcpus = cfg->nr_vcpus;
	for (unsigned int i = 0; i < d->nr_vcpus; i++) {
		struct vcpu *v = xzalloc(sizeof(*v));

		if (v == NULL) {
			rc = -HV_ENOMEM;
			goto out_free;
		}
		v->id = i;
		v->domain = d;
		v->weight = cfg->weight;
		d->vcpus[i] = v;
		sched_add_vcpu(v); /* sets v->pcpu, which its timers need */
		sched_poll_init(v);
		rc = arch_vcpu_create(v);
		if (rc != 0) {
			goto out_free;
		}
	}
	rc = xen_domain_init(d); /* shared_info, vcpu_info, event channels */
	if (rc != 0) {
		goto out_free;
	}
	if (!cfg->direct_map) {
		/* A direct-mapped domain (Dom0) gets its RAM from its builder. */
		d->ram.start = GUEST_RAM0_BASE;
		d->ram.end = GUEST_RAM0_BASE + cfg->mem_bytes;
		rc = domain_alloc_ram(d, GUEST_RAM0_BASE, cfg->mem_bytes);
		if (rc != 0) {
			goto out_free;
		}
		d->max_pages = d->tot_pages;
	}

	spin_lock_irqsave(&domlist_lock, flags);
	d->next = domain_list;
	domain_list = d;
	nr_domains++;
	spin_unlock_irqrestore(&domlist_lock, flags);
	*out = d;
	return 0;

out_free:
	domain_teardown(d);
	return rc;
}

/** See hv/domain.h. */
int domain_pause(struct domain *d)
{
	struct vcpu *cur = current_vcpu();

	if (cur != NULL && cur->domain == d) {
		return -HV_EINVAL;
	}
	for (unsigned int i = 0; i < d->nr_vcpus; i++) {
		vcpu_pause_nosync(d->vcpus[i]);
	}
	for (unsigned int i = 0; i < d->nr_vcpus; i++) {
		while (__atomic_load_n(&d->vcpus[i]->loaded, __ATOMIC_ACQUIRE)) {
			arch_cpu_relax();
		}
	}
	return 0;
}

/** See hv/domain.h. */
void domain_unpause(struct domain *d)
{
	for (unsigned int i = 0; i < d->nr_vcpus; i++) {
		vcpu_unpause(d->vcpus[i]);
	}
}

/** See hv/domain.h. */
int vcpu_power_on(struct vcpu *v, u64 entry, u64 ctx)
{
	arch_vcpu_reset(v, entry, ctx);
	log_debug("d%uv%u: powered on at 0x%llx\n", v->domain->domid, v->id,
		  (unsigned long long)entry);
	vcpu_online(v);
	return 0;
}

/* Machine address of guest-physical gpa if it is mapped as memory (copy_guest checks
 * that it is the domain's own). */
static paddr_t guest_ram_pa(struct domain *d, gpaddr_t gpa)
{
	unsigned int flags;
	paddr_t pa;

	if (p2m_lookup(d, gpa, &pa, &flags) != 0 || (flags & P2M_MEM_MASK) != P2M_MEM_NORMAL) {
		return INVALID_PADDR;
	}
	return pa;
}

/*
 * Copies between hypervisor memory and guest memory page by page. 'addr' is a guest
 * physical address (v == NULL) or a virtual address of the running vCPU v (stage 1 +
 * stage 2 through AT). Only the domain's own RAM is ever touched, never device memory
 * it may have mapped: anything else is -HV_EFAULT.
 */
static int copy_guest(struct domain *d, struct vcpu *v, u64 addr, void *buf, u64 len, bool to_guest)
{
	u8 *p = buf;

	while (len > 0) {
		u64 chunk = MIN(len, PAGE_SIZE - (addr & (PAGE_SIZE - 1)));
		paddr_t pa =
			v != NULL ? p2m_translate_va(v, addr, to_guest) : guest_ram_pa(d, addr);
		struct page_info *pg = pa == INVALID_PADDR ? NULL : paddr_to_page(pa);

		if (pg == NULL || pg->owner != d->domid || pg->state != PGS_ALLOCATED) {
			return -HV_EFAULT;
		}
		if (to_guest) {
			memcpy(phys_to_virt(pa), p, chunk);
		} else {
			memcpy(p, phys_to_virt(pa), chunk);
		}
		p += chunk;
		addr += chunk;
		len -= chunk;
	}
	return 0;
}

int copy_from_guest_phys(struct domain *d, void *dst, gpaddr_t gpa, u64 len)
{
	return copy_guest(d, NULL, gpa, dst, len, false);
}

int copy_to_guest_phys(struct domain *d, gpaddr_t gpa, const void *src, u64 len)
{
	return copy_guest(d, NULL, gpa, (void *)(uintptr_t)src, len, true);
}

int copy_from_guest_va(struct vcpu *v, void *dst, u64 va, u64 len)
{
	return copy_guest(v->domain, v, va, dst, len, false);
}

int copy_to_guest_va(struct vcpu *v, u64 va, const void *src, u64 len)
{
	return copy_guest(v->domain, v, va, (void *)(uintptr_t)src, len, true);
}
