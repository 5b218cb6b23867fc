/* SPDX-License-Identifier: Apache-2.0 */
/* Offsets in struct pcpu used by assembly (checked by static asserts in percpu.h). */
#pragma once

#define PCPU_CURRENT_OFFSET 0
#define PCPU_STACK_TOP_OFFSET 8
