/* SPDX-License-Identifier: Apache-2.0 */
/*
 * GICv3 driver (Arm IHI 0069, "GICv3 and GICv4 Architecture Specification"):
 * distributor, one redistributor per CPU, and the system-register CPU interface.
 * Every interrupt is Group 1 Non-secure; the hypervisor uses EOImode 0 for its own
 * interrupts.
 */
#include <asm/gic.h>
#include <asm/stage1.h>
#include <asm/sysregs.h>
#include <hv/errno.h>
#include <hv/log.h>
#include <hv/percpu.h>
#include <hv/spinlock.h>
#include <asm/vgic.h>

/* Distributor registers (IHI 0069 12.9). */
#define GICD_CTLR 0x0000
#define GICD_CTLR_RWP (1u << 31)
#define GICD_CTLR_ARE_NS (1u << 4)
#define GICD_CTLR_ENGRP1A (1u << 1)
#define GICD_CTLR_ENGRP1 (1u << 0)
#define GICD_TYPER 0x0004
#define GICD_IGROUPR 0x0080
#define GICD_ISENABLER 0x0100
#define GICD_ICENABLER 0x0180
#define GICD_ICPENDR 0x0280
#define GICD_ICACTIVER 0x0380
#define GICD_IPRIORITYR 0x0400
#define GICD_ICFGR 0x0C00
#define GICD_IROUTER 0x6000
#define GICD_PIDR2 0xFFE8

/* Redistributor registers (IHI 0069 12.10/12.11); SGI_base is RD_base + 64 KiB. */
#define GICR_CTLR 0x0000
#define GICR_TYPER 0x0008
#define GICR_TYPER_VLPIS (1ull << 1)
#define GICR_TYPER_LAST (1ull << 4)
#define GICR_WAKER 0x0014
#define GICR_WAKER_PROCESSOR_SLEEP (1u << 1)
#define GICR_WAKER_CHILDREN_ASLEEP (1u << 2)
#define GICR_SGI_BASE 0x10000
#define GICR_IGROUPR0 (GICR_SGI_BASE + 0x0080)
#define GICR_ISENABLER0 (GICR_SGI_BASE + 0x0100)
#define GICR_ICENABLER0 (GICR_SGI_BASE + 0x0180)
#define GICR_ICPENDR0 (GICR_SGI_BASE + 0x0280)
#define GICR_IPRIORITYR0 (GICR_SGI_BASE + 0x0400)

#define GIC_PRIO_DEFAULT 0xA0
#define GIC_PMR_ALLOW_ALL 0xF0

/* CPU interface system registers (IHI 0069 12.2), by encoding. */
#define ICC_SRE_EL2 S3_4_C12_C9_5
#define ICC_PMR_EL1 S3_0_C4_C6_0
#define ICC_IAR1_EL1 S3_0_C12_C12_0
#define ICC_EOIR1_EL1 S3_0_C12_C12_1
#define ICC_BPR1_EL1 S3_0_C12_C12_3
#define ICC_CTLR_EL1 S3_0_C12_C12_4
#define ICC_IGRPEN1_EL1 S3_0_C12_C12_7
#define ICC_SGI1R_EL1 S3_0_C12_C11_5
#define ICC_DIR_EL1 S3_0_C12_C11_1
#define ICC_CTLR_EOIMODE (1u << 1)

static volatile u8 *gicd;
static unsigned int gic_lines;
static struct boot_gic gic_desc;
static void *gicr_regions[BOOT_MAX_REDIST_REGIONS];

static inline u32 rd32(volatile u8 *base, u32 off)
{
	return *(volatile u32 *)(base + off);
}
static inline void wr32(volatile u8 *base, u32 off, u32 v)
{
	*(volatile u32 *)(base + off) = v;
}
static inline u64 rd64(volatile u8 *base, u32 off)
{
	return *(volatile u64 *)(base + off);
}
static inline void wr64(volatile u8 *base, u32 off, u64 v)
{
	*(volatile u64 *)(base + off) = v;
}

static void gicd_wait_rwp(void)
{
	unsigned int n = 0;

	while (rd32(gicd, GICD_CTLR) & GICD_CTLR_RWP) {
		if (++n > 10000000) {
			log_warn("GICv3: distributor write still pending (RWP)\n");
			return;
		}
	}
}

/** Maps and resets the distributor; routes every SPI to the boot CPU, disabled. */
int gic_init(const struct boot_gic *g)
{
	u32 typer, pidr2;

	if (g->version != 3 || g->dist_size < 0x10000 || g->nr_redist == 0) {
		return -HV_ENODEV;
	}
	gic_desc = *g;
	gicd = ioremap(g->dist_base, g->dist_size);
	if (gicd == NULL) {
		return -HV_ENOMEM;
	}
	for (unsigned int i = 0; i < g->nr_redist; i++) {
		gicr_regions[i] =
			ioremap(g->redist[i].start, g->redist[i].end - g->redist[i].start);
		if (gicr_regions[i] == NULL) {
			return -HV_ENOMEM;
		}
	}
	pidr2 = rd32(gicd, GICD_PIDR2);
	if (((pidr2 >> 4) & 0xf) != 3 && ((pidr2 >> 4) & 0xf) != 4) {
		log_err("GICv3: distributor reports architecture revision %u\n",
			(pidr2 >> 4) & 0xf);
		return -HV_ENODEV;
	}
	typer = rd32(gicd, GICD_TYPER);
	gic_lines = MIN(((typer & 0x1f) + 1) * 32, (u32)GIC_INTID_SPURIOUS_MIN);

	wr32(gicd, GICD_CTLR, 0);
	gicd_wait_rwp();
	for (unsigned int i = 32; i < gic_lines; i += 32) {
		wr32(gicd, GICD_IGROUPR + i / 8, ~0u);
		wr32(gicd, GICD_ICENABLER + i / 8, ~0u);
		wr32(gicd, GICD_ICPENDR + i / 8, ~0u);
		wr32(gicd, GICD_ICACTIVER + i / 8, ~0u);
	}
	for (unsigned int i = 32; i < gic_lines; i += 4) {
		wr32(gicd, GICD_IPRIORITYR + i, GIC_PRIO_DEFAULT * 0x01010101u);
	}
	for (unsigned int i = 32; i < gic_lines; i++) {
		wr64(gicd, GICD_IROUTER + i * 8, pcpus[0].mpidr & MPIDR_AFF_MASK);
	}
	gicd_wait_rwp();
	wr32(gicd, GICD_CTLR, GICD_CTLR_ARE_NS | GICD_CTLR_ENGRP1A | GICD_CTLR_ENGRP1);
	gicd_wait_rwp();
	log_info("GICv3: distributor at 0x%llx, %u interrupt lines, %u redistributor "
		 "region(s)\n",
		 (unsigned long long)g->dist_base, gic_lines, g->nr_redist);
	return 0;
}

unsigned int gic_nr_lines(void)
{
	return gic_lines;
}

/* Finds the redistributor whose GICR_TYPER affinity matches 'mpidr'. */
static volatile u8 *gic_find_redist(u64 mpidr)
{
	u32 aff = (u32)(((mpidr >> 32) & 0xff) << 24 | (mpidr & 0xffffff));

	for (unsigned int r = 0; r < gic_desc.nr_redist; r++) {
		volatile u8 *p = gicr_regions[r];
		volatile u8 *end = p + (gic_desc.redist[r].end - gic_desc.redist[r].start);

		while (p + 0x20000 <= end) {
			u64 typer = rd64(p, GICR_TYPER);
			u64 stride = gic_desc.redist_stride;

			if ((u32)(typer >> 32) == aff) {
				return p;
			}
			if (typer & GICR_TYPER_LAST) {
				break;
			}
			if (stride == 0) {
				stride = (typer & GICR_TYPER_VLPIS) ? 0x40000 : 0x20000;
			}
			p += stride;
		}
	}
	return NULL;
}

/** See asm/gic.h. */
int gic_cpu_init(void)
{
	struct pcpu *c = this_pcpu();
	volatile u8 *rd = gic_find_redist(c->mpidr);
	unsigned int n = 0;

	if (rd == NULL) {
		log_err("GICv3: no redistributor for CPU%u (MPIDR 0x%llx)\n", c->id,
			(unsigned long long)c->mpidr);
		return -HV_ENODEV;
	}
	c->redist = (void *)(uintptr_t)rd;
	wr32(rd, GICR_WAKER, rd32(rd, GICR_WAKER) & ~GICR_WAKER_PROCESSOR_SLEEP);
	while (rd32(rd, GICR_WAKER) & GICR_WAKER_CHILDREN_ASLEEP) {
		if (++n > 10000000) {
			log_err("GICv3: redistributor of CPU%u does not wake up\n", c->id);
			return -HV_EIO;
		}
	}
	wr32(rd, GICR_IGROUPR0, ~0u);
	wr32(rd, GICR_ICENABLER0, ~0u);
	wr32(rd, GICR_ICPENDR0, ~0u);
	for (unsigned int i = 0; i < 32; i += 4) {
		wr32(rd, GICR_IPRIORITYR0 + i, GIC_PRIO_DEFAULT * 0x01010101u);
	}

	write_sysreg(read_sysreg(ICC_SRE_EL2) | 0x9, ICC_SRE_EL2); /* Enable | SRE */
	isb();
	write_sysreg(GIC_PMR_ALLOW_ALL, ICC_PMR_EL1);
	write_sysreg(0, ICC_BPR1_EL1);
	/*
	 * EOImode 1 (IHI 0069 12.2.6): EOIR only drops the priority, ICC_DIR deactivates.
	 * Passthrough SPIs are dropped here and deactivated by the guest through a
	 * hardware-mapped list register.
	 */
	write_sysreg(ICC_CTLR_EOIMODE, ICC_CTLR_EL1);
	write_sysreg(1, ICC_IGRPEN1_EL1);
	isb();
	return 0;
}

/** Enables an interrupt: SGIs/PPIs in this CPU's redistributor, SPIs globally. */
void gic_enable_irq(u32 intid)
{
	if (intid < 32) {
		wr32(this_pcpu()->redist, GICR_ISENABLER0, 1u << intid);
	} else if (intid < gic_lines) {
		wr32(gicd, GICD_ISENABLER + (intid / 32) * 4, 1u << (intid % 32));
	}
}

void gic_disable_irq(u32 intid)
{
	if (intid < 32) {
		wr32(this_pcpu()->redist, GICR_ICENABLER0, 1u << intid);
	} else if (intid < gic_lines) {
		wr32(gicd, GICD_ICENABLER + (intid / 32) * 4, 1u << (intid % 32));
	}
}

/* ICC_SGI1R_EL1 value targeting one CPU (IHI 0069 12.2.23). */
static u64 sgi1r_for(u64 mpidr, u32 sgi)
{
	return ((mpidr >> 32) & 0xff) << 48 | ((mpidr >> 16) & 0xff) << 32 |
	       (u64)(sgi & 0xf) << 24 | ((mpidr >> 8) & 0xff) << 16 | (1ull << (mpidr & 0xf));
}

/** Sends SGI 'sgi' to logical CPU 'cpu'. */
void gic_send_sgi(unsigned int cpu, u32 sgi)
{
	dsb_ish(); /* make our writes visible before the target runs its handler */
	write_sysreg(sgi1r_for(pcpus[cpu].mpidr, sgi), ICC_SGI1R_EL1);
	isb();
}

/** Sends SGI 'sgi' to every other CPU (IRM = 1). */
void gic_send_sgi_others(u32 sgi)
{
	dsb_ish();
	write_sysreg((1ull << 40) | (u64)(sgi & 0xf) << 24, ICC_SGI1R_EL1);
	isb();
}

u32 gic_ack(void)
{
	u32 intid = (u32)read_sysreg(ICC_IAR1_EL1) & 0xffffff;

	__asm__ volatile("dsb sy" : : : "memory");
	return intid;
}

/** Ends the hypervisor's own interrupt: priority drop and deactivation. */
void gic_eoi(u32 intid)
{
	write_sysreg(intid, ICC_EOIR1_EL1);
	write_sysreg(intid, ICC_DIR_EL1);
	isb();
}

/** Priority drop only: the interrupt stays active until its guest deactivates it. */
void gic_priority_drop(u32 intid)
{
	write_sysreg(intid, ICC_EOIR1_EL1);
	isb();
}

/* Owners of SPIs routed to guests (passthrough); NULL = the hypervisor's. */
static struct domain *spi_owner[GIC_SPI_BASE + GIC_NR_SPI];
static spinlock_t route_lock = SPINLOCK_INIT;

void arch_irq_route(u32 pirq, struct domain *d)
{
	unsigned long flags;

	if (pirq < 32 || pirq >= gic_lines) {
		return;
	}
	spin_lock_irqsave(&route_lock, flags);
	spi_owner[pirq] = d;
	spin_unlock_irqrestore(&route_lock, flags);
}

/**
 * If SPI intid belongs to a guest, drops its priority and makes it pending in the
 * guest's vGIC; returns false for the hypervisor's own interrupts.
 */
bool gic_route_to_guest(u32 intid)
{
	unsigned long flags;
	bool routed = false;

	if (intid < 32 || intid >= gic_lines) {
		return false;
	}
	spin_lock_irqsave(&route_lock, flags);
	if (spi_owner[intid] != NULL) {
		gic_priority_drop(intid);
		vgic_inject_hw(spi_owner[intid], intid);
		routed = true;
	}
	spin_unlock_irqrestore(&route_lock, flags);
	return routed;
}

void arch_gic_hw_enable(u32 pirq, bool on)
{
	if (on) {
		gic_enable_irq(pirq);
	} else {
		gic_disable_irq(pirq);
	}
}

/* GICD_ICFGR<n>: two bits per INTID, bit 1 of each = edge-triggered (IHI 0069 12.9.9). */
void arch_gic_hw_set_edge(u32 pirq, bool edge)
{
	u32 reg = GICD_ICFGR + (pirq / 16) * 4;
	u32 bit = 2u << ((pirq % 16) * 2);
	unsigned long flags;

	if (pirq < 32 || pirq >= gic_lines) {
		return;
	}
	flags = arch_local_irq_save();
	spin_lock(&route_lock);
	wr32(gicd, reg, edge ? (rd32(gicd, reg) | bit) : (rd32(gicd, reg) & ~bit));
	spin_unlock(&route_lock);
	arch_local_irq_restore(flags);
}

void arch_gic_hw_set_affinity(u32 pirq, unsigned int pcpu)
{
	if (pirq >= 32 && pirq < gic_lines && pcpu < NR_CPUS && pcpus[pcpu].online) {
		wr64(gicd, GICD_IROUTER + pirq * 8, pcpus[pcpu].mpidr & MPIDR_AFF_MASK);
	}
}

void arch_gic_hw_deactivate(u32 pirq)
{
	if (pirq >= 32 && pirq < gic_lines) {
		wr32(gicd, GICD_ICACTIVER + (pirq / 32) * 4, 1u << (pirq % 32));
	}
}
