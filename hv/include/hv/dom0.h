/* SPDX-License-Identifier: Apache-2.0 */
/* Dom0, the hardware domain (hv/common/dom0_build.c; Arm's part hv/arch/arm64/dom0_build.c). */
#pragma once

#include <hv/bootinfo.h>

struct domain;
struct domain_config;
struct dom0_passthrough;
struct dom0_dt_params;

/**
 * Builds and starts Dom0 from the boot modules: -HV_ENOENT if there is no Dom0 kernel
 * module, another negative error (already explained in the log) if it cannot be built.
 */
int dom0_build(const struct boot_info *bi, struct domain **out);

/* The architecture's part of dom0_build(): the arch_dom0_*() hooks in hv/arch.h. */
