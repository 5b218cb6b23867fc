/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Dom0 control library: Lamina's domctl/sysctl (hv/include/public/lamctl.h) issued through
 * /dev/xen/privcmd, plus foreign mappings of a guest's frames for the domain builder.
 *
 * Every function returning int gives 0 or a negative errno. Errors from the hypervisor are
 * negative Xen errno values (equal to Linux's for every value lamctl.h uses); errors from the
 * kernel (open, mmap, ioctl itself) are negative Linux errno values. lam_ctl_strerror()
 * turns either into a message.
 *
 * Not thread-safe: one struct lam_ctl per thread. A forked child must open its own handle
 * (hypercall buffers are not inherited in a usable state across fork()).
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <public/lamctl.h>

#define LAM_CTL_PAGE_SIZE 4096u
#define LAM_CTL_PAGE_SHIFT 12

#define LAM_CTL_PRIVCMD_PATH "/dev/xen/privcmd"
#define LAM_CTL_HYPERCALL_PATH "/dev/xen/hypercall"

struct lam_ctl;

/** Opens /dev/xen/privcmd (and /dev/xen/hypercall for pinned hypercall buffers when present). */
int lam_ctl_open(struct lam_ctl **out);
void lam_ctl_close(struct lam_ctl *ctl);

/**
 * LAM_DOMCTL_create. *domid is IN (0 = let the hypervisor pick) and OUT (the new domain's
 * ID); cr carries the IN fields and receives the OUT layout, magic frames and ports. The new
 * domain is paused once.
 */
int lam_ctl_domain_create(struct lam_ctl *ctl, uint16_t *domid, struct lam_dom_create *cr);
int lam_ctl_domain_destroy(struct lam_ctl *ctl, uint16_t domid);
int lam_ctl_domain_pause(struct lam_ctl *ctl, uint16_t domid);
int lam_ctl_domain_unpause(struct lam_ctl *ctl, uint16_t domid);
int lam_ctl_domain_getinfo(struct lam_ctl *ctl, uint16_t domid, struct lam_dom_info *info);
/** All domains, ascending domid, in a malloc()ed array the caller frees. */
int lam_ctl_domain_list(struct lam_ctl *ctl, struct lam_dom_info **list, size_t *nr);
/** Shuts a domain down as if it had done so itself (reason: SHUTDOWN_*). */
int lam_ctl_domain_shutdown(struct lam_ctl *ctl, uint16_t domid, uint32_t reason);
int lam_ctl_domain_set_max_mem(struct lam_ctl *ctl, uint16_t domid, uint64_t max_mem_kb);
/** Start state of a vCPU of a paused domain: EL1h, MMU off, at pc with x0 set. */
int lam_ctl_vcpu_set_context(struct lam_ctl *ctl, uint16_t domid, uint32_t vcpu, uint64_t pc,
			     uint64_t x0);
int lam_ctl_vcpu_info(struct lam_ctl *ctl, uint16_t domid, uint32_t vcpu,
		      struct lam_vcpu_info *info);
int lam_ctl_vcpu_affinity(struct lam_ctl *ctl, uint16_t domid, uint32_t vcpu, uint32_t pcpu);
/** Cleans and invalidates guest frames to PoC; any count (split into 1 GiB calls). */
int lam_ctl_cacheflush(struct lam_ctl *ctl, uint16_t domid, uint64_t first_gfn, uint64_t nr_gfns);
/**
 * Copies len bytes of buf (resident memory of this process) to guest-physical gpa of
 * domid, cleaned to PoC (LAM_DOMCTL_write_memory, in LAM_WRITE_MEMORY_MAX pieces).
 */
int lam_ctl_write_memory(struct lam_ctl *ctl, uint16_t domid, uint64_t gpa, const void *buf,
			 uint64_t len);

int lam_ctl_physinfo(struct lam_ctl *ctl, struct lam_physinfo *info);
/**
 * Reads the hypervisor's log from *index (0 = oldest kept) into buf (no NUL added);
 * *count = bytes read, *index = where the next read starts, *lost (may be NULL) = bytes
 * overwritten before the requested index.
 */
int lam_ctl_readconsole(struct lam_ctl *ctl, char *buf, size_t size, uint64_t *index, size_t *count,
			uint64_t *lost);

/**
 * Maps n frames of domain domid (guest frame numbers gfns[]) into our address space,
 * read-write and contiguous. errs (n ints, may be NULL) receives the per-frame result.
 * Returns NULL with errno set if the mapping failed or any frame could not be mapped.
 */
void *lam_ctl_map_foreign(struct lam_ctl *ctl, uint16_t domid, const uint64_t *gfns, size_t n,
			  int *errs);
int lam_ctl_unmap_foreign(void *addr, size_t n);

/** A message for a negative (or positive) errno from this library; never NULL. */
const char *lam_ctl_strerror(int err);
