# SPDX-License-Identifier: Apache-2.0
#
# libFuzzer targets (tests/fuzz/fuzz_<name>.c, https://llvm.org/docs/LibFuzzer.html), built
# with clang and its libFuzzer runtime (Debian's libclang-rt-14-dev) under ASan + UBSan,
# from the same sources as their unit tests (tests/unit/<name>.mk). Hypervisor code runs on
# the fake arch; tests/fuzz/cmocka_shim.c turns its panic()/BUG() into an abort.
#   make fuzz-build      build/fuzz/fuzz_<name>
#   make fuzz            each target for FUZZ_SECONDS on its corpus (tests/fuzz/corpus/<name>);
#                        new inputs go to build/fuzz/corpus/<name>, crashes to
#                        build/fuzz/crashes/<name>/
# `make test` runs a short smoke of each (scripts/run-tests.py --fuzz).

FUZZ_CC ?= clang
FUZZ_CFLAGS := $(filter-out -fsanitize=%,$(UNIT_CFLAGS)) -fsanitize=fuzzer,address,undefined
FUZZ_LDFLAGS := -fsanitize=fuzzer,address,undefined
FUZZ_OUT := build/fuzz
FUZZ_SECONDS ?= 600
FUZZ_SHIM := tests/fuzz/cmocka_shim.c

FUZZ_TARGETS := dt dom0_dt cfg xenstored hypercall
# Hypervisor targets also link the fake arch's console and panic (UNIT_COMMON_SRCS).
FUZZ_HV := dt dom0_dt hypercall

fuzz_dt_SRCS := $(filter-out tests/unit/%,$(dt_SRCS))
fuzz_dt_CFLAGS := $(dt_CFLAGS) $(UNIT_ARCH_INC_fake)
fuzz_dt_LIBS := $(dt_LIBS)

fuzz_dom0_dt_SRCS := $(filter-out tests/unit/%,$(dom0_dt_SRCS)) \
	hv/common/device_tree/bootfdt.c hv/arch/arm64/bootfdt.c
fuzz_dom0_dt_CFLAGS := -Ihv/arch/arm64/guest/include $(UNIT_ARCH_INC_fake)
fuzz_dom0_dt_LIBS := $(dom0_dt_LIBS)

fuzz_cfg_SRCS := $(filter-out tests/unit/%,$(lam_cfg_SRCS))
fuzz_cfg_CFLAGS := $(lam_cfg_CFLAGS)

fuzz_xenstored_SRCS := tools/xenstored/store.c tools/xenstored/proto.c
fuzz_xenstored_CFLAGS := $(xenstored_CFLAGS)

fuzz_hypercall_SRCS := $(WORLD_SRCS)
fuzz_hypercall_CFLAGS := -Ibuild/include $(UNIT_ARCH_INC_fake)
fuzz_hypercall_DEPS := $(B)/include/generated/config.h

FUZZ_BINS := $(addprefix $(FUZZ_OUT)/fuzz_,$(FUZZ_TARGETS))

define fuzz_rule
$(FUZZ_OUT)/fuzz_$(1): tests/fuzz/fuzz_$(1).c $$(fuzz_$(1)_SRCS) $(FUZZ_SHIM) \
		tests/fuzz/fuzz_common.h tests/fuzz/fuzz.mk $$(wildcard hv/include/hv/*.h) \
		$$(fuzz_$(1)_DEPS)
	@mkdir -p $$(@D)
	$$(Q)echo "  FUZZCC  $$@"
	$$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) $$(fuzz_$(1)_CFLAGS) -o $$@ tests/fuzz/fuzz_$(1).c \
		$$(fuzz_$(1)_SRCS) $(if $(filter $(1),$(FUZZ_HV)),$(UNIT_COMMON_SRCS)) $(FUZZ_SHIM) \
		$(FUZZ_LDFLAGS) $$(fuzz_$(1)_LIBS)
endef
$(foreach t,$(FUZZ_TARGETS),$(eval $(call fuzz_rule,$(t))))

.PHONY: fuzz-build fuzz
fuzz-build: $(FUZZ_BINS)

# The long run: one target after the other, each for FUZZ_SECONDS (FUZZ_TARGETS= to pick);
# a crash stops that target only. The tree's seeds are read, never written.
fuzz: deps
	$(Q)$(MAKE) --no-print-directory fuzz-build
	$(Q)failed=""; for t in $(FUZZ_TARGETS); do \
		mkdir -p $(FUZZ_OUT)/corpus/$$t $(FUZZ_OUT)/crashes/$$t; \
		echo "fuzz/$$t: $(FUZZ_SECONDS) s, log $(FUZZ_OUT)/$$t.log"; \
		if $(FUZZ_OUT)/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -timeout=10 \
			-rss_limit_mb=2048 -print_final_stats=1 \
			-artifact_prefix=$(FUZZ_OUT)/crashes/$$t/ \
			$(FUZZ_OUT)/corpus/$$t tests/fuzz/corpus/$$t >$(FUZZ_OUT)/$$t.log 2>&1; then \
			grep -E '^(Done|stat::number_of_executed_units)' $(FUZZ_OUT)/$$t.log; \
		else \
			grep -E 'ERROR|SUMMARY|does not hold|Test unit written' $(FUZZ_OUT)/$$t.log; \
			failed="$$failed $$t"; \
		fi; \
	done; \
	if [ -n "$$failed" ]; then echo "fuzz: failed:$$failed"; exit 1; fi

# Only the smoke tier of `make test` (FUZZ_SMOKE_SECONDS per target, default 20).
.PHONY: fuzz-smoke
fuzz-smoke: deps
	$(Q)$(MAKE) --no-print-directory fuzz-build
	$(Q)python3 scripts/run-tests.py --fuzz $(FUZZ_BINS)
