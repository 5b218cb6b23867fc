# SPDX-License-Identifier: Apache-2.0
UNIT_TESTS += dt
dt_SRCS := tests/unit/test_dt.c hv/drivers/fdt/dt.c
dt_LIBS := -lfdt
