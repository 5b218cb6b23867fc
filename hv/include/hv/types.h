/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Basic scalar types and the typed physical/virtual address and frame types.
 * Frame numbers are one-member structs so that an MFN cannot be passed where a
 * GFN is expected (Xen's typesafe idea); conversions are named helpers.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef int64_t s64;

/** Host physical address (machine address). */
typedef u64 paddr_t;
/** Guest physical address (stage-2 input, IPA). */
typedef u64 gpaddr_t;
/** Hypervisor virtual address. */
typedef u64 vaddr_t;

#define PAGE_SHIFT 12
#define PAGE_SIZE (1UL << PAGE_SHIFT)
#define PAGE_MASK (~(PAGE_SIZE - 1))

/** Machine frame number: a host physical address >> PAGE_SHIFT. */
typedef struct {
	u64 m;
} mfn_t;
/** Guest frame number: a guest physical address >> PAGE_SHIFT. */
typedef struct {
	u64 g;
} gfn_t;

#define INVALID_PADDR (~(paddr_t)0)

static inline mfn_t _mfn(u64 m)
{
	return (mfn_t){ m };
}
static inline u64 mfn_x(mfn_t m)
{
	return m.m;
}
static inline gfn_t _gfn(u64 g)
{
	return (gfn_t){ g };
}
static inline u64 gfn_x(gfn_t g)
{
	return g.g;
}
static inline paddr_t mfn_to_paddr(mfn_t m)
{
	return (paddr_t)m.m << PAGE_SHIFT;
}
static inline mfn_t paddr_to_mfn(paddr_t pa)
{
	return _mfn(pa >> PAGE_SHIFT);
}
static inline gpaddr_t gfn_to_gpaddr(gfn_t g)
{
	return (gpaddr_t)g.g << PAGE_SHIFT;
}
static inline gfn_t gpaddr_to_gfn(gpaddr_t ga)
{
	return _gfn(ga >> PAGE_SHIFT);
}
static inline mfn_t mfn_add(mfn_t m, u64 n)
{
	return _mfn(m.m + n);
}
static inline gfn_t gfn_add(gfn_t g, u64 n)
{
	return _gfn(g.g + n);
}
static inline bool mfn_eq(mfn_t a, mfn_t b)
{
	return a.m == b.m;
}

/** A half-open physical range [start, end). */
struct mem_range {
	paddr_t start;
	paddr_t end;
};
