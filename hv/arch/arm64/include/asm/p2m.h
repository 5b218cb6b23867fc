/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Stage-2 translation (guest physical → machine), one table and one VMID per domain
 * (hv/arch/arm64/mmu/p2m.c). 4 KiB granule; the IPA size follows the CPU's PA range.
 */
#pragma once

#include <hv/types.h>

struct domain;
struct vcpu;

/** Per pCPU: programs VTCR_EL2. */
void p2m_cpu_init(void);
/** IPA bits every domain gets (from ID_AA64MMFR0_EL1.PARange). */
unsigned int p2m_ipa_bits(void);
int p2m_domain_init(struct domain *d);
/** Flushes the domain's TLB entries, frees its tables and VMID (not the pages). */
void p2m_domain_destroy(struct domain *d);
/** Maps [gpa, gpa+size) to [pa, ...) with PT_* flags; the caller owns the pages. */
int p2m_map(struct domain *d, gpaddr_t gpa, paddr_t pa, u64 size, unsigned int flags);
int p2m_unmap(struct domain *d, gpaddr_t gpa, u64 size);
/** Translates gpa; -HV_ENOENT if unmapped. */
int p2m_lookup(struct domain *d, gpaddr_t gpa, paddr_t *pa, unsigned int *flags);
/**
 * Translates a virtual address of the running vCPU v through its stage 1 and stage 2
 * (AT S12E1R/W). Returns the machine address, or INVALID_PADDR on a fault.
 */
paddr_t p2m_translate_va(struct vcpu *v, u64 va, bool write);
