# SPDX-License-Identifier: Apache-2.0
UNIT_TESTS += evtchn
evtchn_SRCS := tests/unit/test_evtchn.c hv/common/evtchn.c
# <asm/domain.h> from the arm64 headers (data only); generated/config.h from the build.
evtchn_CFLAGS := -idirafter hv/arch/arm64/include -Ibuild/include
