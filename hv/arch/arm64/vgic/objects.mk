# SPDX-License-Identifier: Apache-2.0
# The virtual GICv3 (included from the top Makefile).
hv-y += arch/arm64/vgic/vgic.o arch/arm64/vgic/vgic_dist.o arch/arm64/vgic/vgic_redist.o
hv-y += arch/arm64/vgic/vgic_hw.o
