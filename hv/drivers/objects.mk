hv-y += drivers/uart/pl011.o drivers/irqchip/gic_v3.o
