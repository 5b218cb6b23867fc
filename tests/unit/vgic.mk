# SPDX-License-Identifier: Apache-2.0
# The arm64 vGIC on the host: arm64 headers, host stand-ins for IRQ masking and the
# direct map; generated/config.h from the build directory.
UNIT_TESTS += vgic
vgic_SRCS := tests/unit/test_vgic.c hv/arch/arm64/vgic/vgic.c hv/arch/arm64/vgic/vgic_dist.c \
	hv/arch/arm64/vgic/vgic_redist.c
vgic_ARCH := arm64
vgic_CFLAGS := -Ibuild/include
