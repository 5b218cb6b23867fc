/* SPDX-License-Identifier: Apache-2.0 */
/*
 * PL011 UART console (Arm PrimeCell UART TRM DDI 0183). Output only for now; the
 * firmware or QEMU has already set the baud rate. Until the device tree has been
 * read, output goes to the platform's early UART.
 */
#include <generated/config.h>
#include <hv/console.h>
#include <hv/console_input.h>
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
#define UARTFR_RXFE (1u << 4) /* receive FIFO empty */
#define UARTIMSC 0x038
#define UARTIMSC_RXIM (1u << 4) /* receive interrupt */
#define UARTIMSC_RTIM (1u << 6) /* receive timeout interrupt */
#define UARTICR 0x044

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

/** Enables receive interrupts; the caller routes and enables the UART's SPI. */
void pl011_enable_rx_irq(void)
{
	if (!uart_muted) {
		uart_write(UARTIMSC, UARTIMSC_RXIM | UARTIMSC_RTIM);
	}
}

/** The UART interrupt: hands every received character to the console input. */
void pl011_handle_irq(void)
{
	unsigned int n = 0;

	while (!(uart_read(UARTFR) & UARTFR_RXFE) && n++ < 256) {
		console_input_char((char)(uart_read(UARTDR) & 0xff));
	}
	uart_write(UARTICR, UARTIMSC_RXIM | UARTIMSC_RTIM);
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
