# SPDX-License-Identifier: Apache-2.0
# Dom0 device-tree builder: the walk (hv/common/device_tree/dom0_dt.c), the passthrough list
# (dom0_passthrough.c), Arm's nodes (hv/arch/arm64/dom0_dt.c) and the reader under them. The
# host trees are DTS fixtures compiled with dtc into build/unit/fixtures/ and embedded into
# the test binary with .incbin.
UNIT_TESTS += dom0_dt
dom0_dt_SRCS := tests/unit/test_dom0_dt.c hv/common/device_tree/dom0_dt.c \
	hv/common/device_tree/dom0_passthrough.c hv/common/device_tree/reader.c \
	hv/arch/arm64/dom0_dt.c
dom0_dt_LIBS := -lfdt
dom0_dt_CFLAGS := -DDOM0_DT_FIXTURE_DIR='"build/unit/fixtures"' -Ihv/arch/arm64/guest/include
DOM0_DT_FIXTURES := build/unit/fixtures/qemu-virt.dtb build/unit/fixtures/dom0-bus.dtb

build/unit/fixtures/%.dtb: tests/unit/fixtures/%.dts
	@mkdir -p $(@D)
	$(Q)echo "  DTC     $@"
	$(Q)dtc -q -I dts -O dtb -o $@ $<

build/unit/dom0_dt: $(DOM0_DT_FIXTURES)
