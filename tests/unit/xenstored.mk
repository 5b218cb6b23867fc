# SPDX-License-Identifier: Apache-2.0
UNIT_TESTS += xenstored
xenstored_SRCS := tests/unit/test_xenstored.c tools/xenstored/store.c tools/xenstored/proto.c \
	tools/lib/xs.c
xenstored_CFLAGS := -Itools/include -D_GNU_SOURCE
xenstored_LIBS := -lpthread
