# SPDX-License-Identifier: Apache-2.0
#
# Host unit tests (cmocka, ASan+UBSan, fake arch). Each tests/unit/<name>.mk adds
#   UNIT_TESTS += <name>
#   <name>_SRCS := tests/unit/test_<name>.c hv/common/foo.c ...
#   <name>_LIBS := -lfdt            (optional)
#   <name>_ARCH := arm64            (optional: arm64 code on the host, see below)
# Every test binary links hv/arch/fake/fake.c and hv/common/log.c + hv/lib/vsprintf.c.
# Common code is compiled against the fake architecture (hv/arch/fake/include: its
# struct arch_domain/arch_vcpu; add $(FAKE_ARCH_SRCS) for its side of hv/arch.h).
# Tests of arm64 code on the host (<name>_ARCH := arm64) get the arm64 headers instead,
# with the host stand-ins for interrupt masking and the direct map
# (hv/arch/fake/include/host) in front of them.

UNIT_CC ?= gcc
UNIT_CFLAGS := -std=gnu11 -g -O1 -Wall -Wextra -Werror -Wshadow -Wmissing-prototypes \
	-Wstrict-prototypes -Wvla -fno-omit-frame-pointer -fsanitize=address,undefined \
	-fno-sanitize-recover=all -DUNIT_TEST -Ihv/include -Itests/unit
UNIT_LDFLAGS := -fsanitize=address,undefined
UNIT_COMMON_SRCS := hv/arch/fake/fake.c hv/common/log.c hv/lib/vsprintf.c
FAKE_ARCH_SRCS := hv/arch/fake/arch.c hv/arch/fake/p2m.c
UNIT_ARCH_INC_fake := -Ihv/arch/fake/include -Ihv/arch/fake/include/host
UNIT_ARCH_INC_arm64 := -Ihv/arch/fake/include/host -Ihv/arch/arm64/include \
	-Ihv/arch/arm64/guest/include

UNIT_TESTS :=
include $(sort $(filter-out tests/unit/unit.mk,$(wildcard tests/unit/*.mk)))

UNIT_OUT := build/unit
UNIT_BINS := $(addprefix $(UNIT_OUT)/,$(UNIT_TESTS))

define unit_rule
$(UNIT_OUT)/$(1): $$($(1)_SRCS) $(UNIT_COMMON_SRCS) $$(wildcard hv/include/hv/*.h) \
		$$(wildcard tests/unit/$(1).mk) $$($(1)_DEPS)
	@mkdir -p $$(@D)
	$$(Q)echo "  HOSTCC  $$@"
	$$(Q)$(UNIT_CC) $(UNIT_CFLAGS) $$(UNIT_ARCH_INC_$$(or $$($(1)_ARCH),fake)) $$($(1)_CFLAGS) \
		-o $$@ $$($(1)_SRCS) $(UNIT_COMMON_SRCS) \
		$(UNIT_LDFLAGS) $$($(1)_LIBS) -lcmocka
endef
$(foreach t,$(UNIT_TESTS),$(eval $(call unit_rule,$(t))))

.PHONY: unit-build
unit-build: $(UNIT_BINS)
