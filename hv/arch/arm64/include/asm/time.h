/* SPDX-License-Identifier: Apache-2.0 */
/* Generic timer helpers (hv/arch/arm64/time.c). */
#pragma once

#include <hv/arch.h>
#include <hv/bootinfo.h>

void time_init(const struct boot_timer *t);
void time_cpu_init(void);

u64 ticks_to_ns(u64 t);
u64 ns_to_ticks(u64 ns);
