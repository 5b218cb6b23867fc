# SPDX-License-Identifier: Apache-2.0
# liblam (tools/lib/liblam) against the xenstored core and a recording fake of lam/ctl.h
# (in the test itself): xenstore layout, failed-build undo, teardown order, restart, devices.
UNIT_TESTS += liblam
liblam_SRCS := tests/unit/test_liblam.c $(sort $(wildcard tools/lib/liblam/*.c)) \
	tools/lam/domu_dt.c tools/lam/image.c tools/lib/xs.c tools/xenstored/store.c \
	tools/xenstored/proto.c
liblam_CFLAGS := -Itools/include -D_GNU_SOURCE
liblam_LIBS := -lfdt -lpthread
