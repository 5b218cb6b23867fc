# SPDX-License-Identifier: Apache-2.0
UNIT_TESTS += page_alloc
page_alloc_SRCS := tests/unit/test_page_alloc.c hv/common/page_alloc.c $(FAKE_ARCH_SRCS)
