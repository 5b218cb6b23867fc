/* SPDX-License-Identifier: Apache-2.0 */
/* Dom0, the hardware domain (hv/arch/arm64/dom0_build.c). */
#pragma once

#include <hv/bootinfo.h>

struct domain;

/**
 * Builds and starts Dom0 from the boot modules: -HV_ENOENT if there is no Dom0 kernel
 * module, another negative error (already explained in the log) if it cannot be built.
 */
int dom0_build(const struct boot_info *bi, struct domain **out);
