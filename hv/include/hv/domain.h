/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Domains and vCPUs (hv/common/domain.c). Domains are refcounted: the domain list
 * holds one reference, every vCPU loaded on a pCPU one more, and any hypercall that
 * names another domain takes one with domain_get_by_id() for its duration. The
 * domain is freed, with all its memory, when the last reference goes.
 *
 * Lock order: domlist_lock, then d->lock, then d->evtchn_lock (two domains': lowest
 * domid first), then a pCPU's sched lock, then the arch's interrupt-controller lock
 * (arm64: d->arch.vgic.lock), then the arch's p2m lock, then page_alloc's lock.
 */
#pragma once

#include <asm/domain.h>
#include <hv/evtchn.h>
#include <hv/grant_table.h>
#include <hv/log.h>
#include <hv/mmio.h>
#include <hv/spinlock.h>
#include <hv/timer.h>
#include <hv/types.h>
#include <public/hvm_op.h>
#include <public/vcpu.h>
#include <public/xen.h>

#define MAX_VCPUS_PER_DOMAIN 128
#define DOMAIN_NAME_LEN 32

enum vcpu_state {
	VCPU_OFFLINE,  /* never started, or PSCI CPU_OFF, or its domain is dying */
	VCPU_RUNNABLE, /* waiting on its pCPU's run queue */
	VCPU_RUNNING,  /* loaded on its pCPU */
	VCPU_BLOCKED,  /* WFI / SCHEDOP_block: waits for an interrupt */
};

struct vcpu {
	struct arch_vcpu arch; /* must stay first (entry.S) */
	unsigned int id;
	struct domain *domain;

	/* Scheduling; guarded by the sched lock of pcpus[pcpu]. */
	enum vcpu_state state;
	unsigned int pcpu; /* the pCPU it runs on */
	struct vcpu *rq_next;
	bool on_rq;
	unsigned int pause_count; /* > 0: never picked to run */
	/* SCHEDOP_poll: blocked until an event-channel port of the domain becomes pending
	 * (the caller re-checks its own ports) or poll_timer fires. */
	bool polling;
	struct timer poll_timer;
	bool loaded; /* its state is on pcpus[pcpu] right now */
	bool pinned; /* placed by the toolstack (vcpu-pin) */
	u64 runtime_ns;
	u64 last_start_ns;
	u32 weight;

	/* PSCI CPU_ON parameters (taken when it goes from OFFLINE to RUNNABLE). */
	bool online_pending;
	u64 on_entry, on_ctx;

	/* Xen guest ABI (evtchn.c, vcpu.c); guarded by domain->evtchn_lock. */
	struct vcpu_info *vcpu_info;	    /* in shared_info, vcpu_info_dummy or guest RAM */
	struct vcpu_info vcpu_info_dummy;   /* until registered (vCPUs without a legacy slot) */
	bool vcpu_info_registered;	    /* VCPUOP_register_vcpu_info done (once only) */
	struct page_info *vcpu_info_page;   /* its guest page, referenced while registered */
	u64 runstate_va;		    /* VCPUOP_register_runstate_memory_area, 0 if none */
	struct vcpu_runstate_info runstate; /* kept by the scheduler's switches */
	evtchn_port_t virq_to_port[NR_VIRQS];
};

struct domain_config {
	char name[DOMAIN_NAME_LEN];
	unsigned int nr_vcpus;
	u64 mem_bytes;	 /* RAM at GUEST_RAM0_BASE */
	u32 weight;	 /* scheduler weight, default 256 */
	bool privileged; /* the hardware domain (Dom0) */
	/* Dom0: RAM is added by its builder at IPA = PA (domain_add_ram_block). */
	bool direct_map;
	/* vGIC layout; 0 = Xen's DomU layout (GUEST_GICV3_*) and GUEST_NR_SPIS */
	gpaddr_t gicd_base, gicr_base;
	unsigned int nr_spis;
	u32 evtchn_ppi; /* 0 = GUEST_EVTCHN_PPI */
};

struct domain {
	domid_t domid;
	char name[DOMAIN_NAME_LEN];
	u32 refcnt; /* atomic */
	spinlock_t lock;
	struct arch_domain arch;

	unsigned int nr_vcpus;
	struct vcpu **vcpus;

	struct mmio_region mmio[DOMAIN_MAX_MMIO];
	unsigned int nr_mmio;

	u64 tot_pages;	      /* RAM pages it owns */
	u64 max_pages;	      /* what populate_physmap may grow it back to */
	struct mem_range ram; /* guest-physical RAM (bank 0) */
	bool privileged;
	bool direct_map; /* IPA = PA (Dom0) */
	/*
	 * Created by the toolstack (LAM_DOMCTL_create): when it shuts down it stays, with
	 * is_shutdown set, until the toolstack destroys it (Xen's semantics). Boot-time
	 * domains end at once instead.
	 */
	bool toolstack;
	bool is_shutdown;
	bool is_dying;
	unsigned int shutdown_reason; /* SHUTDOWN_* once shut down or dying */
	unsigned int ctl_pause;	      /* toolstack pauses (guarded by lock) */
	u64 created_ns;

	/* console_io output, assembled into lines tagged "(dN)". */
	char cons_buf[160];
	unsigned int cons_len;
	spinlock_t cons_lock;
	struct ratelimit cons_limit; /* DomU console lines per second (hypercall.c) */
	/* hypercalls already reported as unsupported (bit = hypercall number) */
	u64 warned_hcalls;
	/* rate limit of guest-misbehaviour messages: a budget per second */
	struct ratelimit log_limit;

	/* Xen guest ABI (evtchn.c, memory.c, vcpu.c). */
	spinlock_t evtchn_lock; /* see hv/evtchn.h */
	struct evtchn *evtchn_buckets[EVTCHN_NR_BUCKETS];
	struct shared_info *shared_info; /* hypervisor page; owner = domid */
	struct gnttab gnttab;		 /* grant table v1 frames (hv/grant_table.h) */
	u64 shared_info_gfn;		 /* where the guest mapped it, or ~0 */
	u32 physmap_busy;		 /* a vCPU is changing the p2m (atomic) */
	u64 hvm_params[HVM_NR_PARAMS];	 /* HVM_PARAM_*; atomic loads/stores */

	unsigned int nr_pollers;   /* vCPUs in SCHEDOP_poll (atomic) */
	bool runstate_update_flag; /* VMASST_TYPE_runstate_update_flag enabled */
	struct domain *next;	   /* domain list */

	/* Teardown after the last reference (domain_reap_step(), hv/common/domain.c). */
	struct domain *reap_next; /* the queue of domains waiting for it */
	unsigned int reap_phase;
	u64 reap_cursor;   /* frame-table position of the RAM scan */
	u64 reap_returned; /* frames freed so far (for the "destroyed" line) */
};

/** Creates a domain with its vCPUs (all offline) and zeroed RAM. 0 or -errno. */
int domain_create(domid_t domid, const struct domain_config *cfg, struct domain **out);
struct page_info;
/**
 * Gives d the 2^order pages at pg (allocated by the caller) as RAM at 'gpa': owner
 * set, mapped in stage 2, freed with the domain. 0 or -errno (nothing recorded).
 */
int domain_add_ram_block(struct domain *d, struct page_info *pg, unsigned int order, gpaddr_t gpa);
/** Takes a reference to the domain with this ID (NULL if none or dying). */
struct domain *domain_get_by_id(domid_t domid);
void domain_get(struct domain *d);
/**
 * Drops a reference. The last one does not free the domain there (it is often a pCPU
 * switching vCPUs, with IRQs masked): it queues the domain for domain_reap_step().
 */
void domain_put(struct domain *d);
/**
 * Does one bounded step of the queued domains' teardown (structures, then RAM in
 * chunks of the frame table, then the domain itself and what follows its end, such
 * as a boot-time domain's rebuild). Called with IRQs enabled and no vCPU loaded on this
 * pCPU (the idle loop; between two vCPUs in the scheduler), or 'light' with IRQs masked
 * on a guest exit that switches nothing (so a pCPU that never idles still makes
 * progress): a light step never ends a boot-time domain (its rebuild is not bounded).
 * One pCPU at a time does the work; returns true if there is more to do.
 */
bool domain_reap_step(bool light);
/** True if a dead domain waits for domain_reap_step(). */
bool domain_reap_pending(void);
/**
 * The error for a domain naming another domain where only the toolstack may (Xen looks
 * the domain up first, then asks XSM): -HV_ESRCH if no domain has that ID, else -HV_EPERM.
 */
long domain_refuse_other(domid_t domid);
/** Ends the domain: its vCPUs stop, it leaves the domain list, memory is freed when
 * the last reference goes. Safe to call from any of its own vCPUs. */
void domain_shutdown(struct domain *d, unsigned int reason);
/**
 * The toolstack's destroy: ends d whatever its state (running, paused, shut down), as
 * domain_shutdown() does for a boot-time domain. Never for the control domain.
 */
void domain_destroy(struct domain *d);
/** Calls fn for every live domain (with a reference held), in ascending domid order
 * from 'first'; stops when fn returns false. */
void domain_for_each(domid_t first, bool (*fn)(struct domain *d, void *arg), void *arg);
/** A free domain ID for a new domain (1..DOMID_FIRST_RESERVED-1), or 0 if none. */
domid_t domain_alloc_id(void);
/** A guest did something fatal: log (with v's registers if given) and shut it down. */
void domain_crash(struct domain *d, struct vcpu *v, const char *why);
/**
 * Stops every vCPU of d and waits until none is loaded on a pCPU, so its state can be
 * read or changed (the toolstack's pause). Nests with domain_unpause(). -HV_EINVAL if
 * called from one of d's own vCPUs, which cannot wait for itself.
 */
int domain_pause(struct domain *d);
void domain_unpause(struct domain *d);
/** Number of live domains. */
unsigned int domain_count(void);

/** Starts vCPU v at entry with x0 = ctx (boot vCPU and PSCI CPU_ON). */
int vcpu_power_on(struct vcpu *v, u64 entry, u64 ctx);
/** Puts the guest page [gpa, gpa+len) in a hypervisor buffer; -HV_EFAULT if not RAM. */
int copy_from_guest_phys(struct domain *d, void *dst, gpaddr_t gpa, u64 len);
int copy_to_guest_phys(struct domain *d, gpaddr_t gpa, const void *src, u64 len);
/** Copies from a guest virtual address of the running vCPU v (stage 1 + 2). */
int copy_from_guest_va(struct vcpu *v, void *dst, u64 va, u64 len);
int copy_to_guest_va(struct vcpu *v, u64 va, const void *src, u64 len);

/** The vCPU running on this pCPU, or NULL in the idle loop. */
struct vcpu *current_vcpu(void);
