/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The fake architecture for host unit tests (Hafnium's src/arch/fake idea): the
 * console is a buffer the tests can inspect, and panic()/BUG() become cmocka
 * assertion failures, so a test can expect them with expect_assert_failure().
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <hv/bug.h>
#include <hv/console.h>
#include <hv/fake.h>
#include <hv/log.h>

bool fake_irqs_enabled; /* see asm/irq.h */
char fake_console[FAKE_CONSOLE_SIZE];
size_t fake_console_len;

void (*fake_console_hook)(const char *s, size_t n);

void console_write(const char *s, size_t n)
{
	if (fake_console_hook != NULL) {
		fake_console_hook(s, n);
	}
	if (getenv("FAKE_CONSOLE_ECHO")) {
		fwrite(s, 1, n, stderr);
	}
	if (n > sizeof(fake_console) - 1 - fake_console_len) {
		n = sizeof(fake_console) - 1 - fake_console_len;
	}
	memcpy(fake_console + fake_console_len, s, n);
	fake_console_len += n;
	fake_console[fake_console_len] = '\0';
}

void fake_console_reset(void)
{
	fake_console_len = 0;
	fake_console[0] = '\0';
	fake_console_hook = NULL;
}

void panic(const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	console_write("PANIC: ", 7);
	console_write(buf, strlen(buf));
	mock_assert(0, buf, __FILE__, __LINE__);
	abort(); /* not reached: mock_assert longjmps or fails the test */
}

void __bug(const char *file, int line, const char *expr)
{
	mock_assert(0, expr, file, line);
	abort();
}
