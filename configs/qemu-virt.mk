# SPDX-License-Identifier: Apache-2.0
# Build configuration for QEMU's virt machine (the reference board).
CONFIG_NR_CPUS := 8
# PL011 the platform guarantees before the device tree is read (QEMU virt).
CONFIG_EARLY_UART_BASE := 0x09000000
# GICv3 distributor, used only when Lamina is entered at EL3 with no firmware.
CONFIG_EARLY_GICD_BASE := 0x08000000
CONFIG_DEBUG := y
