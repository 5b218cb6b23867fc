UNIT_TESTS += timer
timer_SRCS := tests/unit/test_timer.c hv/common/timer.c
# generated/config.h (CONFIG_NR_CPUS) comes from the build directory.
timer_CFLAGS := -Ibuild/include
