# SPDX-License-Identifier: Apache-2.0
UNIT_TESTS += sched
sched_SRCS := tests/unit/test_sched.c hv/common/sched.c hv/common/timer.c $(FAKE_ARCH_SRCS)
# generated/config.h from the build.
sched_CFLAGS := -Ibuild/include
