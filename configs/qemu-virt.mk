# SPDX-License-Identifier: Apache-2.0
# Build configuration for QEMU's virt machine (the reference board).
CONFIG_NR_CPUS := 8
# PL011 the platform guarantees before the device tree is read (QEMU virt).
CONFIG_EARLY_UART_BASE := 0x09000000
CONFIG_DEBUG := y
