/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Stack-protector support (our code is built with -fstack-protector-strong, and so is
 * Debian's libfdt.a). head.S seeds the canary from the counter before any C runs.
 */
#include <hv/bug.h>

u64 __stack_chk_guard;
void __stack_chk_fail(void);

void __stack_chk_fail(void)
{
	panic("stack protector: stack corruption detected");
}
