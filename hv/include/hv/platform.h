/* SPDX-License-Identifier: Apache-2.0 */
/* Platform descriptions: data, not logic (Bao's platform-as-data idea). */
#pragma once

#include <hv/types.h>

struct platform_desc {
	const char *name;
	const char *compatible; /* root node "compatible" entry */
	paddr_t early_uart_base;
};

extern const struct platform_desc platform_qemu_virt;
