UNIT_TESTS += dom0_mem
dom0_mem_SRCS := tests/unit/test_dom0_mem.c hv/common/dom0_mem.c hv/common/params.c
