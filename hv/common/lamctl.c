/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Lamina's control interface for the toolstack (hv/include/public/lamctl.h): domain
 * control on hypercall 36 and system control on hypercall 35, for the control domain
 * only. Each call is one struct copied in, checked whole (version, command, reserved
 * fields), acted on, and copied back.
 *
 * A domain built by the toolstack gets, at creation, everything the hypervisor can do
 * for it in one step: its RAM, the PV console and xenstore pages at Xen's magic frames,
 * unbound event channels for both towards the backend domain, the HVM parameters that
 * tell the guest where they are, and grant entries 0 and 1 for the backends (Xen's
 * toolstack does these in six further calls). It starts paused with every vCPU
 * offline; set_vcpu_context and unpause start it.
 */
#include <hv/cache.h>
#include <hv/p2m.h>
#include <hv/mm.h>
#include <hv/arch.h>
#include <hv/domain.h>
#include <hv/errno.h>
#include <hv/evtchn.h>
#include <hv/grant_table.h>
#include <hv/heap.h>
#include <hv/hypercall.h>
#include <hv/log.h>
#include <hv/page_alloc.h>
#include <hv/percpu.h>
#include <hv/sched.h>
#include <hv/timer.h>
#include <hv/xen_abi.h>
#include <public/grant_table.h>
#include <public/hvm_op.h>
#include <public/lamctl.h>

#define MIN_GUEST_MEM_KB (16u * 1024)
#define MAGIC_CONSOLE_GFN (GUEST_MAGIC_BASE >> PAGE_SHIFT)
#define MAGIC_STORE_GFN ((GUEST_MAGIC_BASE >> PAGE_SHIFT) + 1)
#define MAGIC_PAGES 2
#define CACHEFLUSH_MAX_GFNS (1ull << 18) /* 1 GiB of frames per call */
#define VCPUS_PER_PCPU_MAX 8

static bool all_zero(const void *p, size_t n)
{
	const u8 *b = p;

	for (size_t i = 0; i < n; i++) {
		if (b[i] != 0) {
			return false;
		}
	}
	return true;
}

/* A name shown in logs and lists: printable ASCII without spaces, NUL-terminated. */
static bool name_ok(const char *name)
{
	size_t n = 0;

	for (; n < LAMCTL_NAME_LEN && name[n] != '\0'; n++) {
		if (name[n] <= ' ' || name[n] > '~') {
			return false;
		}
	}
	return n > 0 && n < LAMCTL_NAME_LEN;
}

/* One page of zeroed RAM for d at gfn (a magic page). */
static int add_magic_page(struct domain *d, u64 gfn)
{
	struct page_info *pg = page_alloc(0, PA_ZERO);
	int rc;

	if (pg == NULL) {
		return -HV_ENOMEM;
	}
	rc = domain_add_ram_block(d, pg, 0, gfn << PAGE_SHIFT);
	if (rc != 0) {
		page_free(pg, 0);
	}
	return rc;
}

/* The console and xenstore pages, their ports, HVM params and grant entries 0/1. */
static int setup_pv_rings(struct domain *d, domid_t backend, struct lam_dom_create *c)
{
	evtchn_port_t cport, sport;
	int rc;

	rc = add_magic_page(d, MAGIC_CONSOLE_GFN);
	rc = rc ?: add_magic_page(d, MAGIC_STORE_GFN);
	rc = rc ?: evtchn_alloc_unbound_for(d, backend, &cport);
	rc = rc ?: evtchn_alloc_unbound_for(d, backend, &sport);
	rc = rc ?: hvm_param_set(d, HVM_PARAM_CONSOLE_PFN, MAGIC_CONSOLE_GFN);
	rc = rc ?: hvm_param_set(d, HVM_PARAM_CONSOLE_EVTCHN, cport);
	rc = rc ?: hvm_param_set(d, HVM_PARAM_STORE_PFN, MAGIC_STORE_GFN);
	rc = rc ?: hvm_param_set(d, HVM_PARAM_STORE_EVTCHN, sport);
	rc = rc ?: gnttab_seed_entry(d, GNTTAB_RESERVED_CONSOLE, backend, MAGIC_CONSOLE_GFN);
	rc = rc ?: gnttab_seed_entry(d, GNTTAB_RESERVED_XENSTORE, backend, MAGIC_STORE_GFN);
	if (rc == 0) {
		c->console_gfn = MAGIC_CONSOLE_GFN;
		c->store_gfn = MAGIC_STORE_GFN;
		c->console_port = cport;
		c->store_port = sport;
	}
	return rc;
}

static long domctl_create(struct lam_domctl *dc)
{
	struct lam_dom_create *c = &dc->u.create;
	struct domain_config cfg = { .weight = 0 };
	struct page_alloc_stats st;
	struct domain *d;
	domid_t domid;
	u64 max_kb;
	long rc;

	if (!name_ok(c->name) || c->flags != 0 || c->pad != 0 || c->backend_domid != 0 ||
	    c->max_vcpus == 0 || c->max_vcpus > MAX_VCPUS_PER_DOMAIN ||
	    c->max_vcpus > VCPUS_PER_PCPU_MAX * nr_cpus_online || c->mem_kb % 4 != 0 ||
	    c->mem_kb < MIN_GUEST_MEM_KB || c->mem_kb > GUEST_RAM0_SIZE / 1024) {
		return -HV_EINVAL;
	}
	max_kb = c->max_mem_kb != 0 ? c->max_mem_kb : c->mem_kb;
	if (max_kb < c->mem_kb || max_kb % 4 != 0 || max_kb > GUEST_RAM0_SIZE / 1024) {
		return -HV_EINVAL;
	}
	page_alloc_get_stats(&st);
	if (c->mem_kb / 4 + MAGIC_PAGES > st.free_pages) {
		log_info("domctl: cannot create '%s': %llu MiB asked, %llu MiB free\n", c->name,
			 (unsigned long long)(c->mem_kb / 1024),
			 (unsigned long long)(st.free_pages >> (20 - PAGE_SHIFT)));
		return -HV_ENOMEM;
	}
	domid = dc->domid != 0 ? dc->domid : domain_alloc_id();
	if (domid == 0 || domid >= DOMID_FIRST_RESERVED) {
		return dc->domid != 0 ? -HV_EINVAL : -HV_ENOSPC;
	}
	memcpy(cfg.name, c->name, sizeof(cfg.name));
	cfg.nr_vcpus = c->max_vcpus;
	cfg.mem_bytes = c->mem_kb * 1024;
	rc = domain_create(domid, &cfg, &d);
	if (rc != 0) {
		return rc;
	}
	d->toolstack = true;
	/* Held until the toolstack's unpause; its vCPUs stay offline until then anyway. */
	d->ctl_pause = 1;
	(void)domain_pause(d);
	rc = setup_pv_rings(d, (domid_t)c->backend_domid, c);
	if (rc != 0) {
		domain_destroy(d); /* frees it: nothing else holds a reference yet */
		return rc;
	}
	d->max_pages = max_kb / 4 + MAGIC_PAGES;
	c->ram_base = GUEST_RAM0_BASE;
	c->gnttab_base = GUEST_GNTTAB_BASE;
	c->gnttab_size = GUEST_GNTTAB_SIZE;
	arch_domain_describe(d, c); /* interrupt controller, upcall IRQ, counter rate */
	dc->domid = domid;
	log_info("d%u (%s): created by the toolstack: %u vCPUs, %llu MiB\n", domid, d->name,
		 d->nr_vcpus, (unsigned long long)(c->mem_kb / 1024));
	return 0; /* domain_create()'s reference is the domain list's */
}

/* Time v has run, including the slice it is running now. */
static u64 vcpu_cpu_time(struct vcpu *v)
{
	u64 t = __atomic_load_n(&v->runtime_ns, __ATOMIC_RELAXED);
	u64 start = __atomic_load_n(&v->last_start_ns, __ATOMIC_RELAXED);
	u64 now = now_ns();

	if (__atomic_load_n(&v->loaded, __ATOMIC_ACQUIRE) && now > start) {
		t += now - start;
	}
	return t;
}

static void fill_info(struct domain *d, struct lam_dom_info *info)
{
	unsigned int online = 0, blocked = 0, running = 0;
	u64 cpu_ns = 0;

	memset(info, 0, sizeof(*info));
	for (unsigned int i = 0; i < d->nr_vcpus; i++) {
		struct vcpu *v = d->vcpus[i];
		enum vcpu_state s = __atomic_load_n(&v->state, __ATOMIC_RELAXED);

		cpu_ns += vcpu_cpu_time(v);
		if (s != VCPU_OFFLINE) {
			online++;
		}
		if (s == VCPU_BLOCKED) {
			blocked++;
		}
		if (s == VCPU_RUNNING) {
			running++;
		}
	}
	info->domid = d->domid;
	info->flags = (d->is_dying ? LAM_DOMINF_dying : 0) |
		      (d->is_shutdown ? LAM_DOMINF_shutdown : 0) |
		      (d->ctl_pause > 0 ? LAM_DOMINF_paused : 0) |
		      (online > 0 && blocked == online ? LAM_DOMINF_blocked : 0) |
		      (running > 0 ? LAM_DOMINF_running : 0) |
		      (d->privileged ? LAM_DOMINF_privileged : 0);
	info->shutdown_reason = d->shutdown_reason;
	info->nr_vcpus = d->nr_vcpus;
	info->nr_online_vcpus = online;
	info->tot_pages = d->tot_pages;
	info->max_pages = d->max_pages;
	info->cpu_time_ns = cpu_ns;
	info->created_ns = d->created_ns;
	memcpy(info->name, d->name, sizeof(info->name));
	info->name[LAMCTL_NAME_LEN - 1] = '\0';
}

static long domctl_vcpu_context(struct domain *d, const struct lam_vcpu_ctx *ctx)
{
	struct vcpu *v;

	if (ctx->pad != 0 || ctx->vcpu >= d->nr_vcpus) {
		return -HV_EINVAL;
	}
	if (d->ctl_pause == 0 || d->is_shutdown) {
		return -HV_EBUSY; /* pause it first */
	}
	v = d->vcpus[ctx->vcpu];
	if (__atomic_load_n(&v->state, __ATOMIC_RELAXED) != VCPU_OFFLINE) {
		return -HV_EBUSY;
	}
	return vcpu_power_on(v, ctx->pc, ctx->x0);
}

static long domctl_vcpu_info(struct domain *d, struct lam_vcpu_info *vi)
{
	static const u32 states[] = {
		[VCPU_OFFLINE] = LAM_VCPU_offline,
		[VCPU_RUNNABLE] = LAM_VCPU_runnable,
		[VCPU_RUNNING] = LAM_VCPU_running,
		[VCPU_BLOCKED] = LAM_VCPU_blocked,
	};
	struct vcpu *v;

	if (vi->vcpu >= d->nr_vcpus || vi->state != 0 || vi->pcpu != 0 || vi->pinned != 0 ||
	    vi->time_ns != 0) {
		return -HV_EINVAL;
	}
	v = d->vcpus[vi->vcpu];
	vi->state = states[__atomic_load_n(&v->state, __ATOMIC_RELAXED)];
	vi->pcpu = v->pcpu;
	vi->pinned = v->pinned;
	vi->time_ns = vcpu_cpu_time(v);
	return 0;
}

static long domctl_affinity(struct domain *d, const struct lam_vcpu_affinity *a)
{
	long rc;

	if (a->vcpu >= d->nr_vcpus || a->pcpu >= NR_CPUS || !pcpus[a->pcpu].online) {
		return -HV_EINVAL;
	}
	rc = domain_pause(d); /* -EINVAL for the caller's own domain */
	if (rc != 0) {
		return rc;
	}
	rc = vcpu_migrate(d->vcpus[a->vcpu], a->pcpu);
	if (rc == 0) {
		d->vcpus[a->vcpu]->pinned = true;
	}
	domain_unpause(d);
	return rc;
}

static long domctl_cacheflush(struct domain *d, const struct lam_cacheflush *f)
{
	if (f->nr_gfns == 0 || f->nr_gfns > CACHEFLUSH_MAX_GFNS ||
	    f->first_gfn + f->nr_gfns < f->first_gfn ||
	    !p2m_gfn_valid(d, f->first_gfn + f->nr_gfns - 1)) {
		return -HV_EINVAL;
	}
	/* Only the domain's own RAM is cleaned: holes, devices and other frames are skipped. */
	for (u64 gfn = f->first_gfn; gfn < f->first_gfn + f->nr_gfns; gfn++) {
		struct page_info *pg;
		unsigned int flags;
		paddr_t pa;

		if (p2m_lookup(d, gfn << PAGE_SHIFT, &pa, &flags) != 0 ||
		    (flags & P2M_MEM_MASK) != P2M_MEM_NORMAL) {
			continue;
		}
		pg = paddr_to_page(pa);
		if (pg == NULL || !page_get_ref(pg, d->domid)) {
			continue;
		}
		dcache_clean_inval_range(phys_to_virt(pa), PAGE_SIZE);
		page_put_ref(pg);
	}
	return 0;
}

/*
 * Copies the caller's buffer into d's RAM, page by page, each page held with a
 * reference (the guest cannot balloon it away meanwhile) and cleaned to PoC.
 */
static long domctl_write_memory(struct vcpu *cur, struct domain *d,
				const struct lam_write_memory *w)
{
	u64 done = 0;

	if (w->size == 0 || w->size > LAM_WRITE_MEMORY_MAX || w->gpa + w->size < w->gpa ||
	    w->buffer + w->size < w->buffer ||
	    !p2m_gfn_valid(d, (w->gpa + w->size - 1) >> PAGE_SHIFT)) {
		return -HV_EINVAL;
	}
	while (done < w->size) {
		u64 gpa = w->gpa + done;
		u64 chunk = MIN(w->size - done, PAGE_SIZE - (gpa & (PAGE_SIZE - 1)));
		struct page_info *pg;
		unsigned int flags;
		paddr_t pa;
		u8 *va;
		int rc;

		if (p2m_lookup(d, gpa & PAGE_MASK, &pa, &flags) != 0 ||
		    (flags & P2M_MEM_MASK) != P2M_MEM_NORMAL) {
			return -HV_EFAULT;
		}
		pg = paddr_to_page(pa);
		if (pg == NULL || !page_get_ref(pg, d->domid)) {
			return -HV_EFAULT; /* not the domain's RAM */
		}
		va = (u8 *)phys_to_virt(pa) + (gpa & (PAGE_SIZE - 1));
		rc = copy_from_guest_va(cur, va, w->buffer + done, chunk);
		if (rc == 0) {
			dcache_clean_inval_range(va, chunk);
		}
		page_put_ref(pg);
		if (rc != 0) {
			return rc;
		}
		done += chunk;
	}
	return 0;
}

/* Commands on an existing domain d (a reference held). */
static long domctl_on_domain(struct vcpu *cur, struct domain *d, struct lam_domctl *dc)
{
	unsigned long flags;
	long rc = 0;

	switch (dc->cmd) {
	case LAM_DOMCTL_destroy:
		if (d->privileged || d == cur->domain) {
			return -HV_EPERM;
		}
		domain_destroy(d);
		return 0;
	case LAM_DOMCTL_pause:
		if (d == cur->domain || d->privileged) {
			return -HV_EINVAL;
		}
		spin_lock_irqsave(&d->lock, flags);
		d->ctl_pause++;
		spin_unlock_irqrestore(&d->lock, flags);
		return domain_pause(d);
	case LAM_DOMCTL_unpause:
		spin_lock_irqsave(&d->lock, flags);
		if (d->ctl_pause == 0) {
			rc = -HV_EINVAL; /* not paused */
		} else {
			d->ctl_pause--;
		}
		spin_unlock_irqrestore(&d->lock, flags);
		if (rc == 0) {
			domain_unpause(d);
		}
		return rc;
	case LAM_DOMCTL_getinfo:
		if (!all_zero(&dc->u, sizeof(dc->u))) {
			return -HV_EINVAL;
		}
		fill_info(d, &dc->u.info);
		return 0;
	case LAM_DOMCTL_set_vcpu_context:
		return domctl_vcpu_context(d, &dc->u.vcpu_ctx);
	case LAM_DOMCTL_shutdown:
		if (d->privileged || dc->u.shutdown.pad != 0 ||
		    (dc->u.shutdown.reason != SHUTDOWN_poweroff &&
		     dc->u.shutdown.reason != SHUTDOWN_reboot &&
		     dc->u.shutdown.reason != SHUTDOWN_crash)) {
			return -HV_EINVAL;
		}
		domain_shutdown(d, dc->u.shutdown.reason);
		return 0;
	case LAM_DOMCTL_set_max_mem:
		if (dc->u.mem.max_mem_kb % 4 != 0 || dc->u.mem.max_mem_kb < MIN_GUEST_MEM_KB ||
		    dc->u.mem.max_mem_kb > GUEST_RAM0_SIZE / 1024 || d->privileged) {
			return -HV_EINVAL;
		}
		d->max_pages = dc->u.mem.max_mem_kb / 4 + MAGIC_PAGES;
		return 0;
	case LAM_DOMCTL_get_vcpu_info:
		return domctl_vcpu_info(d, &dc->u.vcpu_info);
	case LAM_DOMCTL_set_vcpu_affinity:
		return domctl_affinity(d, &dc->u.affinity);
	case LAM_DOMCTL_cacheflush:
		return domctl_cacheflush(d, &dc->u.flush);
	case LAM_DOMCTL_write_memory:
		if (d->privileged || d == cur->domain) {
			return -HV_EINVAL;
		}
		return domctl_write_memory(cur, d, &dc->u.write);
	default:
		return -HV_EOPNOTSUPP;
	}
}

/** The domain-control hypercall (see the top of this file). */
long do_domctl(struct vcpu *v, u64 arg)
{
	struct lam_domctl dc;
	struct domain *d;
	long rc;

	if (!v->domain->privileged) {
		return -HV_EPERM;
	}
	if (copy_from_guest_va(v, &dc, arg, sizeof(dc)) != 0) {
		return -HV_EFAULT;
	}
	if (dc.version != LAMCTL_VERSION) {
		return -HV_EACCES; /* another interface (e.g. Xen's own xl): refused cleanly */
	}
	if (dc.pad0 != 0 || dc.pad1 != 0) {
		return -HV_EINVAL;
	}
	if (dc.cmd == LAM_DOMCTL_create) {
		rc = domctl_create(&dc);
	} else {
		d = domain_get_by_id(dc.domid == DOMID_SELF ? v->domain->domid : dc.domid);
		if (d == NULL) {
			return -HV_ESRCH;
		}
		rc = domctl_on_domain(v, d, &dc);
		domain_put(d);
	}
	if (rc == 0 && copy_to_guest_va(v, arg, &dc, sizeof(dc)) != 0) {
		return -HV_EFAULT;
	}
	return rc;
}

struct list_ctx {
	struct vcpu *cur;
	u64 buffer;
	u32 max, n;
	bool fault;
};

static bool list_one(struct domain *d, void *arg)
{
	struct list_ctx *lc = arg;
	struct lam_dom_info info;

	if (lc->n == lc->max) {
		return false;
	}
	fill_info(d, &info);
	if (copy_to_guest_va(lc->cur, lc->buffer + (u64)lc->n * sizeof(info), &info,
			     sizeof(info)) != 0) {
		lc->fault = true;
		return false;
	}
	lc->n++;
	return true;
}

#define READCONSOLE_CHUNK 256

static long sysctl_readconsole(struct vcpu *v, struct lam_readconsole *rc)
{
	char chunk[READCONSOLE_CHUNK];
	u64 index = rc->index, lost = 0, first_lost = 0;
	u32 done = 0;

	if (rc->count != 0 || rc->lost != 0) {
		return -HV_EINVAL;
	}
	while (done < rc->size) {
		size_t n = log_ring_read(&index, chunk, MIN((u32)sizeof(chunk), rc->size - done),
					 &lost);

		if (done == 0) {
			first_lost = lost;
		}
		if (n == 0) {
			break;
		}
		if (copy_to_guest_va(v, rc->buffer + done, chunk, n) != 0) {
			return -HV_EFAULT;
		}
		done += (u32)n;
	}
	rc->count = done;
	rc->index = index;
	rc->lost = first_lost;
	return 0;
}

static bool mark_live(struct domain *d, void *arg)
{
	u64 *live = arg;

	live[d->domid / 64] |= 1ull << (d->domid % 64);
	return true;
}

/*
 * Pages of no live domain (see lam_physinfo.stray_pages) in *n; -HV_ENOMEM if the
 * bitmap of live domains cannot be allocated (never a count of 0 that was not taken).
 */
static int stray_pages(u64 *n)
{
	u64 *live = xzalloc((DOMID_FIRST_RESERVED + 63) / 64 * 8);

	if (live == NULL) {
		return -HV_ENOMEM;
	}
	domain_for_each(0, mark_live, live);
	*n = page_count_stray(live);
	xfree(live);
	return 0;
}

/** The system-control hypercall. */
long do_sysctl(struct vcpu *v, u64 arg)
{
	struct lam_sysctl sc;
	struct page_alloc_stats st;
	long rc = 0;

	if (!v->domain->privileged) {
		return -HV_EPERM;
	}
	if (copy_from_guest_va(v, &sc, arg, sizeof(sc)) != 0) {
		return -HV_EFAULT;
	}
	if (sc.version != LAMCTL_VERSION) {
		return -HV_EACCES;
	}
	if (sc.pad != 0) {
		return -HV_EINVAL;
	}
	switch (sc.cmd) {
	case LAM_SYSCTL_physinfo:
		if (!all_zero(&sc.u, sizeof(sc.u))) {
			return -HV_EINVAL;
		}
		page_alloc_get_stats(&st);
		sc.u.physinfo.nr_cpus = nr_cpus_online;
		sc.u.physinfo.max_domains = DOMID_FIRST_RESERVED - 1;
		sc.u.physinfo.total_pages = st.managed_pages;
		sc.u.physinfo.free_pages = st.free_pages;
		sc.u.physinfo.page_size = PAGE_SIZE;
		sc.u.physinfo.uptime_ns = now_ns();
		sc.u.physinfo.clock_frequency = (u32)arch_counter_freq();
		sc.u.physinfo.hv_version = 0 << 16 | 1;
		sc.u.physinfo.xen_version = 4 << 16 | 17;
		if (stray_pages(&sc.u.physinfo.stray_pages) != 0) {
			return -HV_ENOMEM;
		}
		break;
	case LAM_SYSCTL_domain_list: {
		struct lam_domain_list *dl = &sc.u.domain_list;
		struct list_ctx lc = { .cur = v, .buffer = dl->buffer, .max = dl->max_entries };

		if (dl->nr_entries != 0 || dl->pad != 0 ||
		    dl->first_domid >= DOMID_FIRST_RESERVED ||
		    dl->max_entries > DOMID_FIRST_RESERVED) {
			return -HV_EINVAL;
		}
		domain_for_each((domid_t)dl->first_domid, list_one, &lc);
		if (lc.fault) {
			return -HV_EFAULT;
		}
		dl->nr_entries = lc.n;
		break;
	}
	case LAM_SYSCTL_readconsole:
		rc = sysctl_readconsole(v, &sc.u.console);
		break;
	default:
		return -HV_EOPNOTSUPP;
	}
	if (rc == 0 && copy_to_guest_va(v, arg, &sc, sizeof(sc)) != 0) {
		return -HV_EFAULT;
	}
	return rc;
}
