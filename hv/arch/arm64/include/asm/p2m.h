/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Stage-2 translation (guest physical → machine), one table and one VMID per domain
 * (hv/arch/arm64/mmu/p2m.c). 4 KiB granule; the IPA size follows the CPU's PA range.
 * These are the arch-internal calls; what common code uses is in hv/p2m.h.
 */
#pragma once

#include <hv/types.h>

struct domain;
struct vcpu;

/** Per pCPU: programs VTCR_EL2. */
void p2m_cpu_init(void);
/** IPA bits every domain gets (from ID_AA64MMFR0_EL1.PARange; p2m_hw.c). */
unsigned int p2m_ipa_bits(void);
/** Invalidates every stage-1+2 TLB entry of the VMID in vttbr on all pCPUs (p2m_hw.c). */
void p2m_tlb_flush(u64 vttbr);
/** Stage-2 table pages d may hold (its memory's share; unlimited for Dom0). */
u64 p2m_table_limit(const struct domain *d);
int p2m_domain_init(struct domain *d);
/** Flushes the domain's TLB entries, frees its tables and VMID (not the pages). */
void p2m_domain_destroy(struct domain *d);
/* p2m_map(), p2m_unmap(), p2m_lookup(), p2m_translate_va(): the contract, hv/p2m.h. */
#include <hv/p2m.h>
