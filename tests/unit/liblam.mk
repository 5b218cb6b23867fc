# SPDX-License-Identifier: Apache-2.0
# liblam (tools/lib/liblam) against the xenstored core and a recording fake of lam/ctl.h
# (in the test itself): xenstore layout, failed-build undo, teardown order, restart, devices.
# The DomU device tree and Image probe are the hypervisor's Arm guest code (hv/arch/arm64/guest).
UNIT_TESTS += liblam
liblam_SRCS := tests/unit/test_liblam.c $(sort $(wildcard tools/lib/liblam/*.c)) \
	tools/lam/domu_dt.c tools/lam/image.c $(sort $(wildcard hv/arch/arm64/guest/*.c)) \
	tools/lib/xs.c tools/xenstored/store.c tools/xenstored/proto.c
liblam_CFLAGS := -Itools/include -Ihv/arch/arm64/guest/include -D_GNU_SOURCE
liblam_LIBS := -lfdt -lpthread
