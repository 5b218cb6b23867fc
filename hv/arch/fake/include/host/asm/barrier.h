/* SPDX-License-Identifier: Apache-2.0 */
/* Host unit tests: one thread, no table walker; page-table barriers are no-ops. */
#pragma once

static inline void arch_pt_barrier(void)
{
}
