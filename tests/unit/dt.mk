# SPDX-License-Identifier: Apache-2.0
# The boot device-tree parser: common part, Arm part and the reader under both.
UNIT_TESTS += dt
dt_SRCS := tests/unit/test_dt.c hv/common/device_tree/bootfdt.c hv/common/device_tree/reader.c \
	hv/arch/arm64/bootfdt.c
dt_CFLAGS := -Ihv/arch/arm64/guest/include
dt_LIBS := -lfdt
