# SPDX-License-Identifier: Apache-2.0
UNIT_TESTS += params
params_SRCS := tests/unit/test_params.c hv/common/params.c
