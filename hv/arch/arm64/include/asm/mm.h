/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The hypervisor identity-maps RAM at EL2 (VA = PA), so the direct-map conversions
 * are the identity. RAM is mapped once, with no aliases of the hypervisor image.
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
