/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Console output sink. The arch/driver side provides console_write(); before the
 * device tree is parsed it goes to the platform's early UART.
 */
#pragma once

#include <hv/types.h>

void console_write(const char *s, size_t n);
