/* SPDX-License-Identifier: Apache-2.0 */
/* Console input for Dom0 and the debug keys (hv/common/console_input.c). */
#pragma once

#include <hv/types.h>

/** One character received on the hypervisor's UART (IRQ context). */
void console_input_char(char c);
/** Takes up to max characters queued for Dom0; returns how many. */
size_t console_input_read(char *buf, size_t max);
