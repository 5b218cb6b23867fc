/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Host unit tests: "physical" memory is an arena the test allocates, and a physical
 * address is the arena's host address, so the mapping is the identity, as in the
 * hypervisor.
 */
#pragma once

#include <hv/types.h>

static inline void *phys_to_virt(paddr_t pa)
{
	return (void *)(uintptr_t)pa;
}
static inline paddr_t virt_to_phys(const void *va)
{
	return (paddr_t)(uintptr_t)va;
}
