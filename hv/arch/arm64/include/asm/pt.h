/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Translation tables with the 4 KiB granule (Arm ARM D8, VMSAv8-64): one walker for
 * the EL2 stage-1 tables and, later, stage-2 tables. The table pages come from a
 * caller-supplied allocator so the same code runs at boot (static pool), after boot
 * (page allocator) and in host unit tests.
 */
#pragma once

#include <asm/barrier.h>
#include <hv/types.h>

/* Attribute flags for pt_map(): memory type (one of) ... */
#define PT_MEM_NORMAL 0x0u /* Normal, Inner/Outer WB, inner-shareable */
#define PT_MEM_DEVICE 0x1u /* Device-nGnRE */
#define PT_MEM_NC 0x2u	   /* Normal non-cacheable */
#define PT_MEM_MASK 0x3u
/* ... plus permissions. Default is read/write, non-executable. */
#define PT_RO (1u << 2)
#define PT_EXEC (1u << 3)
/* Force 4 KiB pages (no block descriptors) for this mapping. */
#define PT_NO_BLOCK (1u << 4)
/*
 * A software flag kept in the leaf descriptor (bit 55, the first of the bits[58:55]
 * Arm ARM D8.3.2 reserves for software use): ignored by the walker, returned by
 * pt_lookup(). The p2m marks grant mappings with it (hv/p2m.h, P2M_GRANT).
 */
#define PT_SW0 (1u << 5)

/* MAIR_EL2 indices the descriptors use (asm/sysregs init must program MAIR to match). */
#define MAIR_IDX_NORMAL 0 /* 0xFF: Normal, Inner/Outer WB RW-allocate */
#define MAIR_IDX_DEVICE 1 /* 0x04: Device-nGnRE */
#define MAIR_IDX_NC 2	  /* 0x44: Normal, Inner/Outer non-cacheable */
/*
 * Arm ARM D17.2 MAIR_EL2: Attr<n> is byte n, so Attr0 = 0xFF (Normal, Inner/Outer
 * Write-Back non-transient, read/write-allocate), Attr1 = 0x04 (Device-nGnRE),
 * Attr2 = 0x44 (Normal, Inner/Outer Non-cacheable).
 */
#define MAIR_EL2_VALUE 0x4404FFul

struct pt;

/* arch_pt_barrier(): asm/barrier.h (a no-op among the host stand-ins for unit tests). */

/** Allocates one zeroed, 4 KiB-aligned table page; returns its PA or INVALID_PADDR. */
typedef paddr_t (*pt_alloc_fn)(void *ctx);
/** Returns a table page that is no longer used. */
typedef void (*pt_free_fn)(void *ctx, paddr_t table);

struct pt {
	paddr_t root;	      /* PA of the level-0 table */
	unsigned int va_bits; /* input address size: 48 (4 levels) */
	pt_alloc_fn alloc;
	pt_free_fn free;
	void *ctx;
	bool stage2; /* stage-2 descriptors (set by the caller after pt_init) */
};

/** Creates an empty table (allocates the root). 0 or -HV_ENOMEM. */
int pt_init(struct pt *pt, unsigned int va_bits, pt_alloc_fn alloc, pt_free_fn free, void *ctx);

/**
 * Maps [va, va+size) to [pa, pa+size) with 'flags'. va, pa and size must be page
 * aligned and the range inside va_bits. Uses 1 GiB and 2 MiB block descriptors where
 * both addresses are aligned (unless PT_NO_BLOCK). Returns -HV_EEXIST if any page in
 * the range is already mapped (nothing is changed then), -HV_ENOMEM if a table page
 * could not be allocated (the mappings made so far are undone), -HV_EINVAL for bad
 * arguments.
 */
int pt_map(struct pt *pt, vaddr_t va, paddr_t pa, u64 size, unsigned int flags);

/**
 * Removes mappings in [va, va+size); a block descriptor partly covered is split into
 * the next level first. Table pages left empty are freed. Unmapped holes are ignored.
 * 0, -HV_ENOMEM (block split failed), -HV_EINVAL.
 */
int pt_unmap(struct pt *pt, vaddr_t va, u64 size);

/**
 * Translates va. Returns 0 with the PA, the flags it was mapped with and the size of
 * the mapping granule (4 KiB, 2 MiB or 1 GiB), or -HV_ENOENT if unmapped.
 */
int pt_lookup(const struct pt *pt, vaddr_t va, paddr_t *pa, unsigned int *flags, u64 *granule);

/** Frees every table page (the mappings' targets are untouched). */
void pt_destroy(struct pt *pt);

/** Encodes a stage-1 EL2 leaf descriptor (exposed for tests). level 1, 2 or 3. */
u64 pt_s1_leaf(paddr_t pa, unsigned int flags, unsigned int level);
/** Encodes a stage-2 leaf descriptor (exposed for tests). level 1, 2 or 3. */
u64 pt_s2_leaf(paddr_t pa, unsigned int flags, unsigned int level);
