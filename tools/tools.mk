# SPDX-License-Identifier: Apache-2.0
#
# Dom0 userspace (static aarch64 binaries, packed into Dom0's initramfs):
#   build/tools/lam               the toolstack CLI          (tools/lam/*.c)
#   build/tools/lamina-xenstored  the xenstore daemon        (tools/xenstored/*.c)
#   build/tools/lamina-consoled   the PV console daemon      (tools/consoled/*.c)
#   build/tools/lamina-xs         xenstore from the shell    (tools/xs/*.c; Dom0 and guests)
#   build/tools/lamina-hostile    malformed domctl/sysctl/foreign maps (tools/hostile/*.c;
#                                 tests/system/dom0/hostile.sh runs it)
# All of them link tools/lib/*.c (privcmd/lamctl, evtchn, gntdev, xenstore client); `lam`
# also links liblam (build/tools/liblam.a: tools/lib/liblam/*.c, the toolstack library),
# the hypervisor's Arm guest code (hv/arch/arm64/guest: Image probe, DomU device tree) and
# the hv_snprintf it formats with (hv/lib/vsprintf.c), like Xen's libelf in its toolstack.
# Public ABI structs come from hv/include/public (shared with the hypervisor).

TOOLS_CC := $(CROSS_COMPILE)gcc
TOOLS_CFLAGS := -std=gnu11 -O2 -g -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow \
	-Wmissing-prototypes -Wstrict-prototypes -Wvla -fstack-protector-strong \
	-Itools/include -Ihv/include -Ihv/arch/arm64/guest/include -isystem $(LIBFDT_DIR)/include -MMD -MP
TOOLS_LDFLAGS := -static

TOOLS_LIB_SRCS := $(sort $(wildcard tools/lib/*.c))
# The DomU device tree and the Image probe are liblam's, though their sources sit in tools/lam.
LIBLAM_EXTRA_SRCS := tools/lam/domu_dt.c tools/lam/image.c
LIBLAM_SRCS := $(sort $(wildcard tools/lib/liblam/*.c)) $(LIBLAM_EXTRA_SRCS)
TOOLS_LAM_SRCS := $(filter-out $(LIBLAM_EXTRA_SRCS),$(sort $(wildcard tools/lam/*.c)))
TOOLS_XENSTORED_SRCS := $(sort $(wildcard tools/xenstored/*.c))
TOOLS_CONSOLED_SRCS := $(sort $(wildcard tools/consoled/*.c))
TOOLS_XS_SRCS := $(sort $(wildcard tools/xs/*.c))
TOOLS_HOSTILE_SRCS := $(sort $(wildcard tools/hostile/*.c))

tools_objs = $(patsubst tools/%.c,$(B)/tools-obj/%.o,$(1))
TOOLS_LIB_OBJS := $(call tools_objs,$(TOOLS_LIB_SRCS))
TOOLS_HV_SRCS := $(sort $(wildcard hv/arch/arm64/guest/*.c)) hv/lib/vsprintf.c
TOOLS_HV_OBJS := $(patsubst hv/%.c,$(B)/tools-obj/hv/%.o,$(TOOLS_HV_SRCS))
TOOLS_BINS := $(B)/tools/lam $(B)/tools/lamina-xenstored $(B)/tools/lamina-consoled \
	$(B)/tools/lamina-xs $(B)/tools/lamina-hostile

$(B)/tools-obj/%.o: tools/%.c | deps
	@mkdir -p $(@D)
	$(say) "  CC      $<"
	$(Q)$(TOOLS_CC) $(TOOLS_CFLAGS) -c -o $@ $<

$(B)/tools/liblam.a: $(call tools_objs,$(LIBLAM_SRCS))
	@mkdir -p $(@D)
	$(say) "  AR      $@"
	$(Q)rm -f $@ && $(CROSS_COMPILE)ar rcs $@ $^

$(B)/tools-obj/hv/%.o: hv/%.c | deps
	@mkdir -p $(@D)
	$(say) "  CC      $<"
	$(Q)$(TOOLS_CC) $(TOOLS_CFLAGS) -c -o $@ $<

$(B)/tools/lam: $(call tools_objs,$(TOOLS_LAM_SRCS)) $(B)/tools/liblam.a $(TOOLS_LIB_OBJS) $(TOOLS_HV_OBJS)
	@mkdir -p $(@D)
	$(say) "  LD      $@"
	$(Q)$(TOOLS_CC) $(TOOLS_LDFLAGS) -o $@ $^ $(LIBFDT_A)

$(B)/tools/lamina-xenstored: $(call tools_objs,$(TOOLS_XENSTORED_SRCS)) $(TOOLS_LIB_OBJS)
	@mkdir -p $(@D)
	$(say) "  LD      $@"
	$(Q)$(TOOLS_CC) $(TOOLS_LDFLAGS) -o $@ $^

$(B)/tools/lamina-consoled: $(call tools_objs,$(TOOLS_CONSOLED_SRCS)) $(TOOLS_LIB_OBJS)
	@mkdir -p $(@D)
	$(say) "  LD      $@"
	$(Q)$(TOOLS_CC) $(TOOLS_LDFLAGS) -o $@ $^

$(B)/tools/lamina-xs: $(call tools_objs,$(TOOLS_XS_SRCS)) $(TOOLS_LIB_OBJS)
	@mkdir -p $(@D)
	$(say) "  LD      $@"
	$(Q)$(TOOLS_CC) $(TOOLS_LDFLAGS) -o $@ $^

$(B)/tools/lamina-hostile: $(call tools_objs,$(TOOLS_HOSTILE_SRCS))
	@mkdir -p $(@D)
	$(say) "  LD      $@"
	$(Q)$(TOOLS_CC) $(TOOLS_LDFLAGS) -o $@ $^

-include $(patsubst tools/%.c,$(B)/tools-obj/%.d,$(TOOLS_LIB_SRCS) $(LIBLAM_SRCS) $(TOOLS_LAM_SRCS) \
	$(TOOLS_XENSTORED_SRCS) $(TOOLS_CONSOLED_SRCS) $(TOOLS_XS_SRCS) $(TOOLS_HOSTILE_SRCS)) $(TOOLS_HV_OBJS:.o=.d)

.PHONY: tools
tools: $(TOOLS_BINS)
