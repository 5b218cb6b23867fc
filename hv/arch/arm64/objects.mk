hv-y += arch/arm64/boot/head.o arch/arm64/boot/setup.o arch/arm64/boot/smp.o
hv-y += arch/arm64/boot/psci.o
hv-y += arch/arm64/entry/vectors.o arch/arm64/traps/traps.o
hv-y += arch/arm64/mmu/pt.o arch/arm64/mmu/stage1.o
hv-y += arch/arm64/stack_protector.o
hv-y += arch/arm64/time.o
