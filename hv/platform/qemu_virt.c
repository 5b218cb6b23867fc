/* SPDX-License-Identifier: Apache-2.0 */
/*
 * QEMU "virt" (the reference board). Everything Lamina needs is in the device tree;
 * the only platform fact used before it is read is the early UART address, which
 * comes from configs/qemu-virt.mk (CONFIG_EARLY_UART_BASE).
 */
#include <generated/config.h>
#include <hv/platform.h>

const struct platform_desc platform_qemu_virt = {
	.name = "QEMU virt",
	.compatible = "linux,dummy-virt",
	.early_uart_base = CONFIG_EARLY_UART_BASE,
};
