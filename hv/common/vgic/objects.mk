# SPDX-License-Identifier: Apache-2.0
# The virtual GICv3 (included from the top Makefile).
hv-y += common/vgic/vgic.o common/vgic/vgic_dist.o common/vgic/vgic_redist.o
