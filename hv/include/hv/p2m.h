/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Guest-physical memory (the p2m: guest frame -> machine frame), the part of the arch
 * contract common code uses (see hv/arch.h). hv/arch/arm64/mmu/p2m.c implements it
 * with stage-2 tables; hv/arch/fake/p2m.c with a table in host memory.
 */
#pragma once

#include <hv/types.h>

struct domain;
struct vcpu;

/* Mapping attributes: one memory type ... */
#define P2M_MEM_NORMAL 0x0u /* RAM: normal memory, write-back cacheable */
#define P2M_MEM_DEVICE 0x1u /* device memory (passthrough MMIO) */
#define P2M_MEM_NC 0x2u	    /* normal memory, non-cacheable */
#define P2M_MEM_MASK 0x3u
/* ... plus permissions; the default is read/write, not executable. */
#define P2M_RO (1u << 2)
#define P2M_EXEC (1u << 3)
/*
 * ... plus a type the hardware ignores: the entry maps another domain's grant
 * (GNTTABOP_map_grant_ref), as Xen on Arm's p2m_grant_map_rw/ro types
 * (xen/arch/arm/include/asm/p2m.h). p2m_map() stores it with the entry and
 * p2m_lookup() returns it, so "is this gfn a grant mapping" costs one lookup; the entry
 * and its type come and go together under the p2m's lock.
 */
#define P2M_GRANT (1u << 5)

/** True if guest frame 'gfn' lies inside d's guest-physical address space. */
bool p2m_gfn_valid(const struct domain *d, u64 gfn);
/**
 * Maps [gpa, gpa+size) of d to machine [pa, ...) with P2M_* flags; page aligned. The
 * caller owns the pages. -HV_EEXIST if any page is mapped already (nothing changed),
 * -HV_ENOMEM, -HV_EINVAL.
 */
int p2m_map(struct domain *d, gpaddr_t gpa, paddr_t pa, u64 size, unsigned int flags);
/** Removes d's mappings in [gpa, gpa+size) and flushes them from every TLB. */
int p2m_unmap(struct domain *d, gpaddr_t gpa, u64 size);
/** Translates d's gpa: the machine address and P2M_* flags, or -HV_ENOENT. */
int p2m_lookup(struct domain *d, gpaddr_t gpa, paddr_t *pa, unsigned int *flags);
/**
 * Translates a virtual address of v, the running vCPU, through the guest's own page
 * tables and the p2m, checking read or write permission. The machine address, or
 * INVALID_PADDR if the guest could not access it.
 */
paddr_t p2m_translate_va(struct vcpu *v, u64 va, bool write);
