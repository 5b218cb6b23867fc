/* SPDX-License-Identifier: Apache-2.0 */
/*
 * PL011 UART console (Arm PrimeCell UART TRM DDI 0183). Output only for now; the
 * firmware or QEMU has already set the baud rate. Until the device tree has been
 * read, output goes to the platform's early UART.
 */
#include <generated/config.h>
#include <hv/console.h>
#include <hv/lib.h>
#include <hv/uart.h>

#define UARTDR 0x000
#define UARTFR 0x018
#define UARTFR_TXFF (1u << 5) /* transmit FIFO full */
#define UARTFR_BUSY (1u << 3)
#define UARTCR 0x030
#define UARTCR_UARTEN (1u << 0)
#define UARTCR_TXE (1u << 8)
#define UARTCR_RXE (1u << 9)
#define UARTIMSC 0x038

static volatile u8 *uart_base = (volatile u8 *)(uintptr_t)CONFIG_EARLY_UART_BASE;
static bool uart_muted;

static inline u32 uart_read(u32 reg)
{
	return *(volatile u32 *)(uart_base + reg);
}
static inline void uart_write(u32 reg, u32 v)
{
	*(volatile u32 *)(uart_base + reg) = v;
}

static void uart_putc(char c)
{
	while (uart_read(UARTFR) & UARTFR_TXFF) {
	}
	uart_write(UARTDR, (u8)c);
}

/** Switches the console to the PL011 mapped at 'base' (NULL: no output). */
void pl011_set_console(void *base)
{
	if (base == NULL) {
		uart_muted = true;
		return;
	}
	uart_base = base;
	uart_muted = false;
	uart_write(UARTIMSC, 0);
	uart_write(UARTCR, uart_read(UARTCR) | UARTCR_UARTEN | UARTCR_TXE | UARTCR_RXE);
}

/** Writes n bytes, turning "\n" into "\r\n". Callers serialise (the log lock). */
void console_write(const char *s, size_t n)
{
	if (uart_muted) {
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n') {
			uart_putc('\r');
		}
		uart_putc(s[i]);
	}
}

/** Waits until everything written has left the UART (before power off). */
void console_flush(void)
{
	if (uart_muted) {
		return;
	}
	while (uart_read(UARTFR) & UARTFR_BUSY) {
	}
}
