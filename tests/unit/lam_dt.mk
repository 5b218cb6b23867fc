# SPDX-License-Identifier: Apache-2.0
UNIT_TESTS += lam_dt
lam_dt_SRCS := tests/unit/test_lam_dt.c tools/lam/domu_dt.c hv/arch/arm64/guest/domu_dt.c
lam_dt_CFLAGS := -Itools/include -Ihv/arch/arm64/guest/include
lam_dt_LIBS := -lfdt
