# SPDX-License-Identifier: Apache-2.0
# Dom0 device-tree builder (hv/common/dom0_dt.c). The host trees are DTS fixtures compiled
# with dtc into build/unit/fixtures/ and embedded into the test binary with .incbin.
UNIT_TESTS += dom0_dt
dom0_dt_SRCS := tests/unit/test_dom0_dt.c hv/common/dom0_dt.c
dom0_dt_LIBS := -lfdt
dom0_dt_CFLAGS := -DDOM0_DT_FIXTURE_DIR='"build/unit/fixtures"'
DOM0_DT_FIXTURES := build/unit/fixtures/qemu-virt.dtb build/unit/fixtures/dom0-bus.dtb

build/unit/fixtures/%.dtb: tests/unit/fixtures/%.dts
	@mkdir -p $(@D)
	$(Q)echo "  DTC     $@"
	$(Q)dtc -q -I dts -O dtb -o $@ $<

build/unit/dom0_dt: $(DOM0_DT_FIXTURES)
