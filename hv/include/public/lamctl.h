/* SPDX-License-Identifier: MIT */
/*
 * Lamina's control interface: domain control (hypercall 36, the slot of Xen's domctl)
 * and system control (hypercall 35, Xen's sysctl), with Lamina's own argument structs.
 * Only the control domain (Dom0) may call them; every other domain gets -EPERM.
 * Dom0 userspace reaches them through /dev/xen/privcmd (IOCTL_PRIVCMD_HYPERCALL,
 * arg[0] = the user address of the struct below).
 *
 * Every call carries LAMCTL_VERSION; a different value is refused with -EACCES (the
 * error Xen gives for a domctl interface mismatch, so Xen's own tools fail cleanly).
 * Reserved and padding fields must be zero (-EINVAL otherwise), so they can be given
 * a meaning later without a version bump.
 *
 * Errors are negative Xen errno values (EPERM 1, ENOENT 2, ESRCH 3, ENOMEM 12,
 * EFAULT 14, EBUSY 16, EEXIST 17, EINVAL 22, ENOSPC 28, EACCES 13, ENOSYS 38).
 */
#ifndef LAMINA_PUBLIC_LAMCTL_H
#define LAMINA_PUBLIC_LAMCTL_H

#include <stddef.h>
#include <stdint.h>

#define LAMCTL_VERSION 0x4C410001u /* "LA", interface 0.1 */

#define LAMCTL_NAME_LEN 32 /* domain name, NUL-terminated */

/* ---- Domain control: __HYPERVISOR_domctl (36), one struct lam_domctl ---- */

#define LAM_DOMCTL_create 1		/* new paused domain: RAM, magic pages, ports */
#define LAM_DOMCTL_destroy 2		/* free everything (also for a shut-down domain) */
#define LAM_DOMCTL_pause 3		/* stop all vCPUs (nests) */
#define LAM_DOMCTL_unpause 4		/* undo one pause (create leaves one) */
#define LAM_DOMCTL_getinfo 5		/* u.info */
#define LAM_DOMCTL_set_vcpu_context 6	/* u.vcpu_ctx: start state of a vCPU (paused domain) */
#define LAM_DOMCTL_shutdown 7		/* u.shutdown: as if the guest shut itself down */
#define LAM_DOMCTL_set_max_mem 8	/* u.mem: populate_physmap limit */
#define LAM_DOMCTL_get_vcpu_info 9	/* u.vcpu_info */
#define LAM_DOMCTL_set_vcpu_affinity 10 /* u.affinity: move a vCPU to a pCPU */
#define LAM_DOMCTL_cacheflush 11	/* u.flush: clean+invalidate guest frames to PoC */
#define LAM_DOMCTL_write_memory 12	/* u.write: copy a buffer of the caller into guest RAM */

/* lam_dom_create.flags */
#define LAM_CREATE_F_MASK 0u /* none defined yet */

/** LAM_DOMCTL_create: header domid 0 = pick a free ID, else that ID (-EEXIST if taken). */
struct lam_dom_create {
	char name[LAMCTL_NAME_LEN]; /* IN: shown in logs and lists */
	uint32_t max_vcpus;	    /* IN: 1..128 (and at most 8 vCPUs per pCPU) */
	uint32_t flags;		    /* IN: LAM_CREATE_F_*, must be 0 today */
	uint64_t mem_kb;	    /* IN: RAM at ram_base, a multiple of 4 KiB, >= 16 MiB */
	uint64_t max_mem_kb;	    /* IN: balloon limit (>= mem_kb; 0 = mem_kb) */
	uint32_t backend_domid;	    /* IN: domain serving console and xenstore (0) */
	uint32_t pad;
	/* OUT: the guest's physical layout (for its device tree) */
	uint64_t ram_base;    /* GUEST_RAM0_BASE */
	uint64_t gicd_base;   /* GICv3 distributor, 64 KiB */
	uint64_t gicr_base;   /* redistributors, 128 KiB per vCPU */
	uint64_t gnttab_base; /* grant-table window (/hypervisor reg) */
	uint64_t gnttab_size;
	uint32_t evtchn_ppi;	  /* event-channel upcall PPI (/hypervisor interrupts) */
	uint32_t clock_frequency; /* CNTFRQ_EL0 in Hz, for the timer node */
	/* OUT: PV console and xenstore rings (guest frames) and their unbound ports,
	 * also set in the guest's HVM params; grant refs 0 and 1 point at them. */
	uint64_t console_gfn;
	uint64_t store_gfn;
	uint32_t console_port;
	uint32_t store_port;
};

/* lam_dom_info.flags */
#define LAM_DOMINF_dying (1u << 0)	/* being destroyed */
#define LAM_DOMINF_shutdown (1u << 1)	/* shut down; reason in shutdown_reason */
#define LAM_DOMINF_paused (1u << 2)	/* paused by the toolstack */
#define LAM_DOMINF_blocked (1u << 3)	/* every online vCPU is waiting */
#define LAM_DOMINF_running (1u << 4)	/* some vCPU is on a pCPU now */
#define LAM_DOMINF_privileged (1u << 5) /* the control domain */

/** LAM_DOMCTL_getinfo (OUT), and the entries of LAM_SYSCTL_domain_list. */
struct lam_dom_info {
	uint32_t domid;
	uint32_t flags;		  /* LAM_DOMINF_* */
	uint32_t shutdown_reason; /* SHUTDOWN_* (valid with LAM_DOMINF_shutdown) */
	uint32_t nr_vcpus;
	uint32_t nr_online_vcpus;
	uint32_t pad;
	uint64_t tot_pages;   /* RAM pages it owns now */
	uint64_t max_pages;   /* populate_physmap limit */
	uint64_t cpu_time_ns; /* summed over its vCPUs */
	uint64_t created_ns;  /* hypervisor uptime at creation */
	char name[LAMCTL_NAME_LEN];
};

/** LAM_DOMCTL_set_vcpu_context (IN): the domain must be paused; the vCPU comes online
 * and starts at pc in EL1h with the MMU off when the domain is unpaused. */
struct lam_vcpu_ctx {
	uint32_t vcpu;
	uint32_t pad;
	uint64_t pc;
	uint64_t x0; /* Linux: the device tree's guest address */
};

struct lam_dom_shutdown {
	uint32_t reason; /* SHUTDOWN_poweroff, _reboot or _crash */
	uint32_t pad;
};

struct lam_dom_mem {
	uint64_t max_mem_kb;
};

/* lam_vcpu_info.state */
#define LAM_VCPU_offline 0
#define LAM_VCPU_runnable 1
#define LAM_VCPU_running 2
#define LAM_VCPU_blocked 3

struct lam_vcpu_info {
	uint32_t vcpu;	  /* IN */
	uint32_t state;	  /* OUT: LAM_VCPU_* */
	uint32_t pcpu;	  /* OUT: where it runs */
	uint32_t pinned;  /* OUT: 1 if placed by set_vcpu_affinity */
	uint64_t time_ns; /* OUT: time it has run */
};

struct lam_vcpu_affinity {
	uint32_t vcpu;
	uint32_t pcpu; /* < physinfo.nr_cpus */
};

struct lam_cacheflush {
	uint64_t first_gfn;
	uint64_t nr_gfns; /* at most 1 GiB worth of frames per call */
};

#define LAM_WRITE_MEMORY_MAX (4u << 20) /* bytes per LAM_DOMCTL_write_memory */

/** LAM_DOMCTL_write_memory (IN): the builder's bulk load (kernel, initramfs). Every
 * byte must land in the guest's RAM (-EFAULT otherwise, possibly after a part was
 * written); the lines written are cleaned to PoC (the guest starts with caches off). */
struct lam_write_memory {
	uint64_t gpa;	 /* guest-physical destination */
	uint64_t buffer; /* the caller's source address */
	uint64_t size;	 /* 1 .. LAM_WRITE_MEMORY_MAX */
};

struct lam_domctl {
	uint32_t cmd;	  /* LAM_DOMCTL_* */
	uint32_t version; /* LAMCTL_VERSION */
	uint16_t domid;	  /* the domain acted on (create: 0 = pick; OUT: the new ID) */
	uint16_t pad0;
	uint32_t pad1;
	union {
		struct lam_dom_create create;
		struct lam_dom_info info;
		struct lam_vcpu_ctx vcpu_ctx;
		struct lam_dom_shutdown shutdown;
		struct lam_dom_mem mem;
		struct lam_vcpu_info vcpu_info;
		struct lam_vcpu_affinity affinity;
		struct lam_cacheflush flush;
		struct lam_write_memory write;
		uint8_t raw[240];
	} u;
};

/* ---- System control: __HYPERVISOR_sysctl (35), one struct lam_sysctl ---- */

#define LAM_SYSCTL_physinfo 1	 /* u.physinfo */
#define LAM_SYSCTL_domain_list 2 /* u.domain_list */
#define LAM_SYSCTL_readconsole 3 /* u.console: the hypervisor's log */

struct lam_physinfo {
	uint32_t nr_cpus;
	uint32_t max_domains;
	uint64_t total_pages; /* RAM frames the hypervisor manages */
	uint64_t free_pages;
	uint64_t page_size;
	uint64_t uptime_ns;
	uint32_t clock_frequency; /* CNTFRQ_EL0 */
	uint32_t hv_version;	  /* Lamina's own: major << 16 | minor */
	uint32_t xen_version;	  /* the Xen ABI it implements: major << 16 | minor */
	uint32_t pad;
	/* Pages owned by no live domain nor the hypervisor: a destroyed domain's pages
	 * still mapped by another domain (freed by its last unmap), else a leak. */
	uint64_t stray_pages;
};

struct lam_domain_list {
	uint32_t first_domid; /* IN: list domains with ID >= this */
	uint32_t max_entries; /* IN: room in buffer */
	uint64_t buffer;      /* IN: address of struct lam_dom_info[max_entries] */
	uint32_t nr_entries;  /* OUT: filled (ascending domid) */
	uint32_t pad;
};

struct lam_readconsole {
	uint64_t buffer; /* IN: address of size bytes */
	uint32_t size;	 /* IN */
	uint32_t count;	 /* OUT: bytes written (no NUL) */
	uint64_t index;	 /* IN/OUT: log offset to start at (0 = oldest kept); OUT: next */
	uint64_t lost;	 /* OUT: bytes already overwritten before index */
};

struct lam_sysctl {
	uint32_t cmd;	  /* LAM_SYSCTL_* */
	uint32_t version; /* LAMCTL_VERSION */
	uint64_t pad;
	union {
		struct lam_physinfo physinfo;
		struct lam_domain_list domain_list;
		struct lam_readconsole console;
		uint8_t raw[240];
	} u;
};

_Static_assert(sizeof(struct lam_dom_create) == 136, "lam_dom_create size");
_Static_assert(offsetof(struct lam_dom_create, ram_base) == 64, "create.ram_base");
_Static_assert(offsetof(struct lam_dom_create, console_gfn) == 112, "create.console_gfn");
_Static_assert(sizeof(struct lam_dom_info) == 88, "lam_dom_info size");
_Static_assert(sizeof(struct lam_vcpu_ctx) == 24, "lam_vcpu_ctx size");
_Static_assert(sizeof(struct lam_vcpu_info) == 24, "lam_vcpu_info size");
_Static_assert(sizeof(struct lam_write_memory) == 24, "lam_write_memory size");
_Static_assert(sizeof(struct lam_domctl) == 256, "lam_domctl size");
_Static_assert(offsetof(struct lam_domctl, u) == 16, "lam_domctl.u");
_Static_assert(sizeof(struct lam_physinfo) == 64, "lam_physinfo size");
_Static_assert(sizeof(struct lam_domain_list) == 24, "lam_domain_list size");
_Static_assert(sizeof(struct lam_readconsole) == 32, "lam_readconsole size");
_Static_assert(sizeof(struct lam_sysctl) == 256, "lam_sysctl size");
_Static_assert(offsetof(struct lam_sysctl, u) == 16, "lam_sysctl.u");

#endif
