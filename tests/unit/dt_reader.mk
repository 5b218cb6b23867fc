# SPDX-License-Identifier: Apache-2.0
# The checked device-tree reader on its own (hv/common/device_tree/reader.c).
UNIT_TESTS += dt_reader
dt_reader_SRCS := tests/unit/test_dt_reader.c hv/common/device_tree/reader.c
dt_reader_LIBS := -lfdt
