# SPDX-License-Identifier: Apache-2.0
#
# Host unit tests of the common domain code on the fake arch (tests/unit/world.h): each
# test_<name>.c links the whole of it with the harness.
WORLD_SRCS := tests/unit/world.c $(FAKE_ARCH_SRCS) hv/common/domain.c hv/common/sched.c \
	hv/common/sched_op.c hv/common/timer.c hv/common/page_alloc.c hv/common/heap.c \
	hv/common/evtchn.c hv/common/grant_table.c hv/common/memory.c \
	hv/common/vcpu.c hv/common/lamctl.c hv/common/hypercall.c \
	hv/common/console_input.c hv/common/params.c
WORLD_TESTS := domain grant_table memory lamctl hypercall
UNIT_TESTS += $(WORLD_TESTS)
$(foreach t,$(WORLD_TESTS),$(eval $(t)_SRCS := tests/unit/test_$(t).c $(WORLD_SRCS)))
$(foreach t,$(WORLD_TESTS),$(eval $(t)_CFLAGS := -Ibuild/include))
$(foreach t,$(WORLD_TESTS),$(eval $(t)_DEPS := tests/unit/world.mk tests/unit/world.h))
# test_grant_table runs a second vCPU of a domain in a host thread (the race tests).
grant_table_LIBS := -lpthread
