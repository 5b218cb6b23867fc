# SPDX-License-Identifier: Apache-2.0
UNIT_TESTS += vgic
vgic_SRCS := tests/unit/test_vgic.c hv/common/vgic/vgic.c hv/common/vgic/vgic_dist.c \
	hv/common/vgic/vgic_redist.c
# <asm/domain.h> comes from the arm64 headers (after the fake arch's <asm/irq.h> and
# <asm/mm.h>); generated/config.h from the build directory.
vgic_CFLAGS := -idirafter hv/arch/arm64/include -Ibuild/include
