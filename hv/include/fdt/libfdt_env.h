/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libfdt's environment header for the freestanding hypervisor: the types and
 * byte-order helpers libfdt.h needs, without a C library. Found before Debian's own
 * libfdt_env.h (which pulls in <stdlib.h>) by include order in the Makefile. The
 * string functions libfdt calls come from hv/lib/string.c.
 */
#ifndef LAMINA_LIBFDT_ENV_H
#define LAMINA_LIBFDT_ENV_H

#include <hv/lib.h>

#ifndef INT_MAX
#define INT_MAX __INT_MAX__
#endif
#ifndef UINT_MAX
#define UINT_MAX (__INT_MAX__ * 2U + 1U)
#endif
#ifndef INT32_MAX
#define INT32_MAX __INT32_MAX__
#endif

typedef uint16_t fdt16_t;
typedef uint32_t fdt32_t;
typedef uint64_t fdt64_t;

/* The device tree is big-endian; Lamina runs little-endian. */
static inline uint16_t fdt16_to_cpu(fdt16_t x)
{
	return __builtin_bswap16(x);
}
static inline fdt16_t cpu_to_fdt16(uint16_t x)
{
	return __builtin_bswap16(x);
}
static inline uint32_t fdt32_to_cpu(fdt32_t x)
{
	return __builtin_bswap32(x);
}
static inline fdt32_t cpu_to_fdt32(uint32_t x)
{
	return __builtin_bswap32(x);
}
static inline uint64_t fdt64_to_cpu(fdt64_t x)
{
	return __builtin_bswap64(x);
}
static inline fdt64_t cpu_to_fdt64(uint64_t x)
{
	return __builtin_bswap64(x);
}

#endif
