/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Invariants and fatal errors. panic() is for boot-time failures and our own bugs;
 * BUG_ON() only where continuing would corrupt hypervisor state, and never on a
 * condition a guest can reach. ASSERT() is compiled in debug builds only.
 */
#pragma once

#include <hv/lib.h>

void panic(const char *fmt, ...) __printf(1, 2) __noreturn;
void __bug(const char *file, int line, const char *expr) __noreturn;

#define BUG() __bug(__FILE__, __LINE__, "BUG")
#define BUG_ON(cond)                                      \
	do {                                              \
		if (unlikely(cond)) {                     \
			__bug(__FILE__, __LINE__, #cond); \
		}                                         \
	} while (0)

#ifdef NDEBUG
#define ASSERT(cond) ((void)0)
#else
#define ASSERT(cond) BUG_ON(!(cond))
#endif
