hv-y += platform/qemu_virt.o
