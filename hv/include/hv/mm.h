/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The hypervisor's direct map of RAM (arch contract, see hv/arch.h): the arch's
 * asm/mm.h defines phys_to_virt() and virt_to_phys() as inline functions.
 */
#pragma once

#include <asm/mm.h>
