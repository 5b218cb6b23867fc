/* SPDX-License-Identifier: Apache-2.0 */
/* GICv3 driver interface (hv/drivers/irqchip/gic_v3.c). */
#pragma once

#include <arm64_guest.h>
#include <hv/bootinfo.h>

/* SGIs the hypervisor uses between its own CPUs (INTIDs 0-15). */
#define SGI_PING 0	 /* bring-up check and wake-up */
#define SGI_TIMER_KICK 1 /* re-evaluate the timer queue */
#define SGI_STOP 2	 /* stop this CPU (panic) */
#define SGI_KICK 3	 /* reschedule / re-enter the guest with new interrupts */

#define GIC_INTID_SPURIOUS_MIN (GIC_SPI_BASE + GIC_NR_SPI) /* 1020..1023 */

int gic_init(const struct boot_gic *g);
/** Per-CPU: finds and wakes this CPU's redistributor, enables the CPU interface. */
int gic_cpu_init(void);
void gic_enable_irq(u32 intid);
void gic_disable_irq(u32 intid);
void gic_send_sgi(unsigned int cpu, u32 sgi);
void gic_send_sgi_others(u32 sgi);
u32 gic_ack(void);
void gic_eoi(u32 intid);
void gic_priority_drop(u32 intid);
/** Passthrough: true if intid was handed to its guest (priority dropped). */
bool gic_route_to_guest(u32 intid);
unsigned int gic_nr_lines(void);
