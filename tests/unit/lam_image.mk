# SPDX-License-Identifier: Apache-2.0
UNIT_TESTS += lam_image
lam_image_SRCS := tests/unit/test_lam_image.c tools/lam/image.c hv/arch/arm64/guest/image.c
lam_image_CFLAGS := -Itools/include -Ihv/arch/arm64/guest/include
