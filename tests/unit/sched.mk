UNIT_TESTS += sched
sched_SRCS := tests/unit/test_sched.c hv/common/sched.c hv/common/timer.c
# <asm/domain.h>, <asm/gic.h>, <asm/vcpu.h> from arm64 (data only); irq/mm from the fake arch.
sched_CFLAGS := -idirafter hv/arch/arm64/include -Ibuild/include
