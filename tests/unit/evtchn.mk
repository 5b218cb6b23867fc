# SPDX-License-Identifier: Apache-2.0
UNIT_TESTS += evtchn
evtchn_SRCS := tests/unit/test_evtchn.c hv/common/evtchn.c $(FAKE_ARCH_SRCS)
# generated/config.h from the build.
evtchn_CFLAGS := -Ibuild/include
