/* SPDX-License-Identifier: Apache-2.0 */
/* Console UART driver interface (hv/drivers/uart). */
#pragma once

void pl011_set_console(void *base);
void console_flush(void);
