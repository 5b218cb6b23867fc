# SPDX-License-Identifier: Apache-2.0
#
# Guest tests: one bare-metal EL1 image (build/tests/guest.bin, an arm64 Image) holding every
# suite; scripts/run-tests.py --guest boots it as dom0less domUs of Lamina under QEMU.
#   make guest-tests                 build lamina and the image, run the guest scenarios
#   make guest-native                run the runtime's own suites on QEMU without Lamina

GUEST_SRCS := $(sort $(wildcard tests/guest/*.c tests/guest/*.S))
GUEST_OBJS := $(patsubst tests/guest/%,$(B)/tests/guest/%.o,$(GUEST_SRCS))
GUEST_CFLAGS := -std=gnu11 -ffreestanding -nostdlib -fno-common -fpie -fvisibility=hidden \
	-mgeneral-regs-only -mstrict-align -mno-outline-atomics -march=armv8-a \
	-fno-stack-protector -fno-builtin -fno-toplevel-reorder -O2 -g -Wall -Wextra -Werror -Wshadow \
	-Wmissing-prototypes -Wstrict-prototypes -Itests/guest -MMD -MP
GUEST_LDFLAGS := -nostdlib -static-pie -Wl,--no-dynamic-linker -Wl,-z,notext -Wl,--no-warn-rwx-segments -Wl,--build-id=none -Wl,-z,max-page-size=4096 \
	-Wl,--no-undefined

.PHONY: guest-tests guest-native
all: $(B)/tests/guest.bin

$(B)/tests/guest/%.c.o: tests/guest/%.c tests/guest/guest.mk | deps
	@mkdir -p $(@D)
	$(say) "  CC      $<"
	$(Q)$(CC) $(GUEST_CFLAGS) -c -o $@ $<

$(B)/tests/guest/%.S.o: tests/guest/%.S tests/guest/guest.mk | deps
	@mkdir -p $(@D)
	$(say) "  AS      $<"
	$(Q)$(CC) -D__ASSEMBLY__ -MMD -MP -c -o $@ $<

$(B)/tests/guest.elf: $(GUEST_OBJS) tests/guest/guest.lds
	$(say) "  LD      $@"
	$(Q)$(CC) $(GUEST_LDFLAGS) -T tests/guest/guest.lds -o $@ $(GUEST_OBJS) -lgcc

$(B)/tests/guest.bin: $(B)/tests/guest.elf
	$(say) "  OBJCOPY $@"
	$(Q)$(OBJCOPY) -O binary $< $@

guest-tests: deps all
	$(Q)python3 scripts/run-tests.py --guest

guest-native: deps $(B)/tests/guest.bin
	$(Q)python3 scripts/run-tests.py --guest-native

-include $(GUEST_OBJS:.o=.d)
