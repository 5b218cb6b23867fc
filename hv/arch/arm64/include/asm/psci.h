/* SPDX-License-Identifier: Apache-2.0 */
/* Firmware PSCI calls made by the hypervisor (hv/arch/arm64/boot/psci.c). */
#pragma once

#include <hv/bootinfo.h>

void psci_init(const struct boot_psci *p);
bool psci_available(void);
int psci_cpu_on(u64 mpidr, paddr_t entry, u64 ctx);
/* Both return only if the firmware refused or there is no PSCI. */
void psci_system_off(void);
void psci_system_reset(void);
