# SPDX-License-Identifier: Apache-2.0
UNIT_TESTS += heap
heap_SRCS := tests/unit/test_heap.c hv/common/heap.c hv/common/page_alloc.c $(FAKE_ARCH_SRCS)
