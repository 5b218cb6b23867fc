/* SPDX-License-Identifier: Apache-2.0 */
/* Hooks of the fake architecture that host unit tests use (hv/arch/fake). */
#pragma once

#include <stddef.h>

#define FAKE_CONSOLE_SIZE 65536

/** Everything the code under test printed since the last reset. */
extern char fake_console[FAKE_CONSOLE_SIZE];
extern size_t fake_console_len;
void fake_console_reset(void);
