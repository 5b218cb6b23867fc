/* SPDX-License-Identifier: Apache-2.0 */
/* Console UART driver interface (hv/drivers/uart). */
#pragma once

#include <hv/types.h>

void pl011_set_console(void *base);
void console_flush(void);
void pl011_enable_rx_irq(void);
void pl011_handle_irq(void);
/** INTID of the console UART's interrupt, 0 if it has none (no input then). */
extern u32 console_uart_irq;
