/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests of the virtual GICv3 (hv/arch/arm64/vgic/): distributor and redistributor
 * registers through the MMIO handlers the vGIC registers, injection and kicks, the
 * list-register flush/sync cycle against four fake list registers, ICC_SGI1R_EL1,
 * and a fixed-seed fuzz loop over both regions that must survive ASan/UBSan.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <hv/domain.h>
#include <hv/errno.h>
#include <hv/fake.h>
#include <hv/heap.h>
#include <hv/lib.h>
#include <hv/mmio.h>
#include <hv/sched.h>
#include <asm/vgic.h>

#define NR_VCPUS 4
#define NR_LRS 4
#define DIST_BASE 0x03001000ULL
#define REDIST_BASE 0x03020000ULL

/* Register offsets used by the tests (IHI 0069 12.8 and 12.10). */
#define GICD_CTLR 0x0000
#define GICD_TYPER 0x0004
#define GICD_IIDR 0x0008
#define GICD_TYPER2 0x000c
#define GICD_IGROUPR 0x0080
#define GICD_ISENABLER 0x0100
#define GICD_ICENABLER 0x0180
#define GICD_ISPENDR 0x0200
#define GICD_ICPENDR 0x0280
#define GICD_ISACTIVER 0x0300
#define GICD_ICACTIVER 0x0380
#define GICD_IPRIORITYR 0x0400
#define GICD_ICFGR 0x0c00
#define GICD_IGRPMODR 0x0d00
#define GICD_NSACR 0x0e00
#define GICD_IROUTER(n) (0x6000 + 8 * (n))
#define GICD_PIDR2 0xffe8
#define GICR_CTLR 0x0000
#define GICR_IIDR 0x0004
#define GICR_TYPER 0x0008
#define GICR_WAKER 0x0014
#define GICR_PIDR2 0xffe8
#define GICR_SGI 0x10000
#define GICR_IGROUPR0 (GICR_SGI + 0x0080)
#define GICR_ISENABLER0 (GICR_SGI + 0x0100)
#define GICR_ICENABLER0 (GICR_SGI + 0x0180)
#define GICR_ISPENDR0 (GICR_SGI + 0x0200)
#define GICR_ICPENDR0 (GICR_SGI + 0x0280)
#define GICR_ISACTIVER0 (GICR_SGI + 0x0300)
#define GICR_IPRIORITYR0 (GICR_SGI + 0x0400)
#define GICR_ICFGR0 (GICR_SGI + 0x0c00)
#define GICR_ICFGR1 (GICR_SGI + 0x0c04)
#define GICR_IGRPMODR0 (GICR_SGI + 0x0d00)

#define LR_STATE_MASK (ICH_LR_PENDING | ICH_LR_ACTIVE)

/* ---- Fakes of what the vGIC calls ---- */

struct fake_region {
	gpaddr_t base;
	u64 size;
	const struct mmio_ops *ops;
	void *priv;
};
static struct fake_region regions[4];
static unsigned int nr_regions;
static unsigned int kicks[NR_VCPUS];
static u64 hw_lr[NR_LRS];
static bool underflow;
static u64 hw_vmcr;
static u64 hw_apr[2][VGIC_MAX_APRS];

int mmio_register(struct domain *d, gpaddr_t base, u64 size, const struct mmio_ops *ops, void *priv)
{
	(void)d;
	if (nr_regions == ARRAY_SIZE(regions)) {
		return -HV_ENOSPC;
	}
	regions[nr_regions++] = (struct fake_region){ base, size, ops, priv };
	return 0;
}

void *xzalloc_array(size_t n, size_t size)
{
	return calloc(n, size);
}

void xfree(void *p)
{
	free(p);
}

void vcpu_kick(struct vcpu *v)
{
	assert_true(v->id < NR_VCPUS);
	kicks[v->id]++;
}

unsigned int arch_gic_nr_lrs(void)
{
	return NR_LRS;
}

u64 arch_gic_read_lr(unsigned int n)
{
	assert_true(n < NR_LRS);
	return hw_lr[n];
}

void arch_gic_write_lr(unsigned int n, u64 val)
{
	assert_true(n < NR_LRS);
	hw_lr[n] = val;
}

void arch_gic_set_underflow(bool on)
{
	underflow = on;
}

/* Physical side of passthrough SPIs: recorded for the hardware-mapped IRQ test. */
static bool hw_enabled[1020], hw_edge[1020];
static unsigned int hw_deactivated[1020];
static struct domain *hw_route[1020];

void arch_gic_hw_enable(u32 pirq, bool on)
{
	hw_enabled[pirq] = on;
}
void arch_gic_hw_set_edge(u32 pirq, bool edge)
{
	hw_edge[pirq] = edge;
}
void arch_gic_hw_deactivate(u32 pirq)
{
	hw_deactivated[pirq]++;
}
static unsigned int hw_affinity[1020];
void arch_gic_hw_set_affinity(u32 pirq, unsigned int pcpu)
{
	hw_affinity[pirq] = pcpu + 100; /* +100: "was set" */
}
void arch_irq_route(u32 pirq, struct domain *d)
{
	hw_route[pirq] = d;
}

u64 arch_gic_read_vmcr(void)
{
	return hw_vmcr;
}

void arch_gic_write_vmcr(u64 val)
{
	hw_vmcr = val;
}

unsigned int arch_gic_nr_aprs(void)
{
	return 2;
}

u64 arch_gic_read_apr(unsigned int group, unsigned int n)
{
	assert_true(group < 2 && n < 2);
	return hw_apr[group][n];
}

void arch_gic_write_apr(unsigned int group, unsigned int n, u64 val)
{
	assert_true(group < 2 && n < 2);
	hw_apr[group][n] = val;
}

/* ---- A domain with four vCPUs ---- */

/* vCPU affinities (VMPIDR_EL2, bit 31 RES1): 0.0.0.0, 0.0.0.1, 0.0.0.2 and 2.0.1.0. */
static const u64 vmpidrs[NR_VCPUS] = { 0x80000000ULL, 0x80000001ULL, 0x80000002ULL,
				       0x0280000100ULL };

static struct domain *dom;

static struct domain *make_domain(unsigned int nr_spis)
{
	struct domain *d = calloc(1, sizeof(*d));

	assert_non_null(d);
	d->domid = 1;
	d->nr_vcpus = NR_VCPUS;
	d->vcpus = calloc(NR_VCPUS, sizeof(struct vcpu *));
	assert_non_null(d->vcpus);
	nr_regions = 0;
	assert_int_equal(vgic_domain_init(d, nr_spis, DIST_BASE, REDIST_BASE), 0);
	for (unsigned int i = 0; i < NR_VCPUS; i++) {
		struct vcpu *v = calloc(1, sizeof(*v));

		assert_non_null(v);
		v->id = i;
		v->domain = d;
		v->arch.vmpidr = vmpidrs[i];
		d->vcpus[i] = v;
		assert_int_equal(vgic_vcpu_init(v), 0);
	}
	return d;
}

static void free_domain(struct domain *d)
{
	vgic_domain_destroy(d);
	for (unsigned int i = 0; i < d->nr_vcpus; i++) {
		free(d->vcpus[i]);
	}
	free(d->vcpus);
	free(d);
}

static int setup(void **state)
{
	(void)state;
	memset(kicks, 0, sizeof(kicks));
	memset(hw_lr, 0, sizeof(hw_lr));
	underflow = false;
	fake_console_reset();
	dom = make_domain(64);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free_domain(dom);
	dom = NULL;
	return 0;
}

static struct vcpu *vcpu(unsigned int i)
{
	return dom->vcpus[i];
}

static const struct fake_region *region(gpaddr_t base)
{
	for (unsigned int i = 0; i < nr_regions; i++) {
		if (regions[i].base == base) {
			return &regions[i];
		}
	}
	fail_msg("no region at 0x%llx", (unsigned long long)base);
	return NULL;
}

static u64 rd(gpaddr_t base, u64 off, unsigned int size)
{
	const struct fake_region *r = region(base);
	u64 val = 0xdeadbeef;

	assert_int_equal(r->ops->read(vcpu(0), off, size, &val, r->priv), 0);
	return val;
}

static void wr(gpaddr_t base, u64 off, unsigned int size, u64 val)
{
	const struct fake_region *r = region(base);

	assert_int_equal(r->ops->write(vcpu(0), off, size, val, r->priv), 0);
}

static u64 dist_rd(u64 off)
{
	return rd(DIST_BASE, off, 4);
}

static void dist_wr(u64 off, u64 val)
{
	wr(DIST_BASE, off, 4, val);
}

static u64 redist_rd(unsigned int cpu, u64 off, unsigned int size)
{
	return rd(REDIST_BASE, cpu * VGIC_REDIST_STRIDE + off, size);
}

static void redist_wr(unsigned int cpu, u64 off, unsigned int size, u64 val)
{
	wr(REDIST_BASE, cpu * VGIC_REDIST_STRIDE + off, size, val);
}

static unsigned int total_kicks(void)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < NR_VCPUS; i++) {
		n += kicks[i];
	}
	return n;
}

/** Enables SPI 'intid' in group 1 with a priority, routed to vCPU 'cpu'. */
static void spi_setup(u32 intid, u8 prio, bool edge, unsigned int cpu)
{
	u32 bit = 1u << (intid % 32);
	u32 cfg;

	dist_wr(GICD_CTLR, 2);
	dist_wr(GICD_IGROUPR + intid / 32 * 4, dist_rd(GICD_IGROUPR + intid / 32 * 4) | bit);
	wr(DIST_BASE, GICD_IPRIORITYR + intid, 1, prio);
	cfg = (u32)dist_rd(GICD_ICFGR + intid / 16 * 4);
	cfg &= ~(2u << (2 * (intid % 16)));
	cfg |= edge ? 2u << (2 * (intid % 16)) : 0;
	dist_wr(GICD_ICFGR + intid / 16 * 4, cfg);
	wr(DIST_BASE, GICD_IROUTER(intid), 8, vmpidrs[cpu] & 0xff00ffffffULL);
	dist_wr(GICD_ISENABLER + intid / 32 * 4, bit);
}

/** Enables private IRQ 'intid' of vCPU 'cpu' in group 1 with a priority. */
static void ppi_setup(unsigned int cpu, u32 intid, u8 prio)
{
	redist_wr(cpu, GICR_IGROUPR0, 4, redist_rd(cpu, GICR_IGROUPR0, 4) | (1u << intid));
	redist_wr(cpu, GICR_IPRIORITYR0 + intid, 1, prio);
	redist_wr(cpu, GICR_ISENABLER0, 4, 1u << intid);
}

static u64 lr_expect(u32 intid, u8 prio, u64 state)
{
	return intid | ((u64)prio << ICH_LR_PRIORITY_SHIFT) | ICH_LR_GROUP | state;
}

static struct vgic_irq *spi(u32 intid)
{
	return &dom->arch.vgic.spis[intid - 32];
}

/* ---- Tests ---- */

static void test_dist_reset_registers(void **state)
{
	u64 typer;

	(void)state;
	/* ARE (bit 4) and DS (bit 6) RAO; groups disabled; RWP (bit 31) 0. */
	assert_int_equal(dist_rd(GICD_CTLR), 0x50);
	typer = dist_rd(GICD_TYPER);
	assert_int_equal(typer & 0x1f, 2); /* 32 * 3 INTIDs cover 32 + 64 */
	assert_int_equal((typer >> 5) & 7, NR_VCPUS - 1);
	assert_int_equal((typer >> 10) & 1, 0); /* SecurityExtn */
	assert_int_equal((typer >> 17) & 3, 0); /* MBIS, LPIS */
	assert_int_equal((typer >> 19) & 0x1f, 9);
	assert_int_equal((typer >> 24) & 1, 1); /* A3V */
	assert_int_equal((typer >> 25) & 1, 1); /* No1N */
	assert_int_equal(dist_rd(GICD_IIDR), 0x4c001000);
	assert_int_equal(dist_rd(GICD_TYPER2), 0);
	assert_int_equal((dist_rd(GICD_PIDR2) >> 4) & 0xf, 3);
	/* SPIs reset disabled, group 0, level, priority 0, routed to 0. */
	assert_int_equal(dist_rd(GICD_ISENABLER + 4), 0);
	assert_int_equal(dist_rd(GICD_IGROUPR + 4), 0);
	assert_int_equal(dist_rd(GICD_ICFGR + 8), 0);
	assert_int_equal(dist_rd(GICD_IPRIORITYR + 32), 0);
	assert_int_equal(rd(DIST_BASE, GICD_IROUTER(32), 8), 0);
	assert_int_equal(spi(32)->target_vcpu, 0);
	/* Unknown and reserved registers read as zero. */
	assert_int_equal(dist_rd(0x0010), 0);
	assert_int_equal(dist_rd(0xfff0), 0);
	assert_int_equal(dist_rd(GICD_IGRPMODR + 4), 0);
	assert_int_equal(dist_rd(GICD_NSACR + 8), 0);
	assert_int_equal(total_kicks(), 0);
}

static void test_redist_reset_registers(void **state)
{
	(void)state;
	for (unsigned int i = 0; i < NR_VCPUS; i++) {
		u64 typer = redist_rd(i, GICR_TYPER, 8);

		assert_int_equal((typer >> 8) & 0xffff, i);
		assert_int_equal((typer >> 4) & 1, i == NR_VCPUS - 1);
		assert_int_equal(typer & 0x3, 0); /* no LPIs */
		assert_int_equal(redist_rd(i, GICR_TYPER, 4), typer & 0xffffffff);
		assert_int_equal(redist_rd(i, GICR_TYPER + 4, 4), typer >> 32);
		assert_int_equal(redist_rd(i, GICR_IIDR, 4), 0x4c001000);
		assert_int_equal((redist_rd(i, GICR_PIDR2, 4) >> 4) & 0xf, 3);
		assert_int_equal(redist_rd(i, GICR_CTLR, 4), 0);
		/* Asleep at reset: ProcessorSleep and ChildrenAsleep. */
		assert_int_equal(redist_rd(i, GICR_WAKER, 4), 6);
		assert_int_equal(redist_rd(i, GICR_ICFGR0, 4), 0xaaaaaaaa);
		assert_int_equal(redist_rd(i, GICR_ICFGR1, 4), 0);
		assert_int_equal(redist_rd(i, GICR_ISENABLER0, 4), 0);
		assert_int_equal(redist_rd(i, GICR_IGROUPR0, 4), 0);
	}
	/* Affinity_Value = Aff3.Aff2.Aff1.Aff0. */
	assert_int_equal(redist_rd(0, GICR_TYPER, 8) >> 32, 0x00000000);
	assert_int_equal(redist_rd(2, GICR_TYPER, 8) >> 32, 0x00000002);
	assert_int_equal(redist_rd(3, GICR_TYPER, 8) >> 32, 0x02000100);
	/* A frame beyond the last vCPU is RAZ/WI. */
	assert_int_equal(regions[1].size, NR_VCPUS * VGIC_REDIST_STRIDE);
	assert_int_equal(redist_rd(NR_VCPUS, GICR_TYPER, 8), 0);
	redist_wr(NR_VCPUS, GICR_WAKER, 4, 0);
	assert_int_equal(redist_rd(NR_VCPUS, GICR_WAKER, 4), 0);
}

static void test_ctlr_and_waker(void **state)
{
	(void)state;
	dist_wr(GICD_CTLR, 0xffffffff);
	/* EnableGrp1 sticks; EnableGrp0, E1NWF and RWP do not; ARE/DS stay set. */
	assert_int_equal(dist_rd(GICD_CTLR), 0x52);
	assert_true(dom->arch.vgic.enabled_grp1);
	dist_wr(GICD_CTLR, 0);
	assert_int_equal(dist_rd(GICD_CTLR), 0x50);

	redist_wr(1, GICR_WAKER, 4, 0);
	assert_int_equal(redist_rd(1, GICR_WAKER, 4), 0);
	assert_true(vcpu(1)->arch.vgic.redist_awake);
	assert_int_equal(redist_rd(0, GICR_WAKER, 4), 6);
	redist_wr(1, GICR_WAKER, 4, 2);
	assert_int_equal(redist_rd(1, GICR_WAKER, 4), 6);
	redist_wr(1, GICR_CTLR, 4, 1); /* EnableLPIs: WI */
	assert_int_equal(redist_rd(1, GICR_CTLR, 4), 0);
}

static void test_enable_pending_active(void **state)
{
	(void)state;
	dist_wr(GICD_ISENABLER + 4, 0x5);
	assert_int_equal(dist_rd(GICD_ISENABLER + 4), 0x5);
	assert_int_equal(dist_rd(GICD_ICENABLER + 4), 0x5);
	dist_wr(GICD_ISENABLER + 4, 0); /* zeros have no effect */
	assert_int_equal(dist_rd(GICD_ISENABLER + 4), 0x5);
	dist_wr(GICD_ICENABLER + 4, 0x1);
	assert_int_equal(dist_rd(GICD_ISENABLER + 4), 0x4);
	assert_false(spi(32)->enabled);
	assert_true(spi(34)->enabled);

	/* The SGI/PPI word of the distributor is RAZ/WI (ARE = 1). */
	dist_wr(GICD_ISENABLER, 0xffffffff);
	assert_int_equal(dist_rd(GICD_ISENABLER), 0);
	assert_false(vcpu(0)->arch.vgic.private_irqs[0].enabled);

	dist_wr(GICD_ISPENDR + 8, 0x80000001); /* INTIDs 64 and 95 */
	assert_int_equal(dist_rd(GICD_ISPENDR + 8), 0x80000001);
	assert_int_equal(dist_rd(GICD_ICPENDR + 8), 0x80000001);
	dist_wr(GICD_ICPENDR + 8, 0x1);
	assert_int_equal(dist_rd(GICD_ISPENDR + 8), 0x80000000);

	dist_wr(GICD_ISACTIVER + 4, 0x10);
	assert_int_equal(dist_rd(GICD_ISACTIVER + 4), 0x10);
	assert_int_equal(dist_rd(GICD_ICACTIVER + 4), 0x10);
	dist_wr(GICD_ICACTIVER + 4, 0x10);
	assert_int_equal(dist_rd(GICD_ISACTIVER + 4), 0);

	/* A level IRQ whose line is high stays pending through ICPENDR. */
	vgic_inject_irq(dom, NULL, 40, true);
	assert_int_equal(dist_rd(GICD_ISPENDR + 4), 1u << 8);
	dist_wr(GICD_ICPENDR + 4, 1u << 8);
	assert_int_equal(dist_rd(GICD_ISPENDR + 4), 1u << 8);
	vgic_inject_irq(dom, NULL, 40, false);
	assert_int_equal(dist_rd(GICD_ISPENDR + 4), 0);

	/* INTIDs past nr_spis (word 3 = INTIDs 96-127) are RAZ/WI. */
	dist_wr(GICD_ISENABLER + 12, 0xffffffff);
	assert_int_equal(dist_rd(GICD_ISENABLER + 12), 0);

	/* Redistributor: each vCPU has its own SGIs/PPIs. */
	redist_wr(2, GICR_ISENABLER0, 4, 0x08000001);
	assert_int_equal(redist_rd(2, GICR_ISENABLER0, 4), 0x08000001);
	assert_int_equal(redist_rd(1, GICR_ISENABLER0, 4), 0);
	redist_wr(2, GICR_ICENABLER0, 4, 1);
	assert_int_equal(redist_rd(2, GICR_ISENABLER0, 4), 0x08000000);
	redist_wr(2, GICR_ISPENDR0, 4, 0x10);
	assert_int_equal(redist_rd(2, GICR_ISPENDR0, 4), 0x10);
	redist_wr(2, GICR_ICPENDR0, 4, 0x10);
	assert_int_equal(redist_rd(2, GICR_ISPENDR0, 4), 0);
	redist_wr(2, GICR_ISACTIVER0, 4, 0x20);
	assert_int_equal(redist_rd(2, GICR_ISACTIVER0, 4), 0x20);
	redist_wr(2, GICR_IGRPMODR0, 4, 0xffffffff);
	assert_int_equal(redist_rd(2, GICR_IGRPMODR0, 4), 0);
	/* Only the first word of each bitmap register exists in SGI_base. */
	redist_wr(2, GICR_ISENABLER0 + 4, 4, 0xffffffff);
	assert_int_equal(redist_rd(2, GICR_ISENABLER0 + 4, 4), 0);
	assert_int_equal(redist_rd(2, GICR_ISENABLER0, 4), 0x08000000);
}

static void test_priority_bytes(void **state)
{
	(void)state;
	wr(DIST_BASE, GICD_IPRIORITYR + 33, 1, 0x80);
	assert_int_equal(dist_rd(GICD_IPRIORITYR + 32), 0x8000);
	assert_int_equal(rd(DIST_BASE, GICD_IPRIORITYR + 33, 1), 0x80);
	dist_wr(GICD_IPRIORITYR + 36, 0x44332211);
	assert_int_equal(rd(DIST_BASE, GICD_IPRIORITYR + 36, 1), 0x11);
	assert_int_equal(rd(DIST_BASE, GICD_IPRIORITYR + 39, 1), 0x44);
	assert_int_equal(spi(38)->priority, 0x33);
	/* The distributor's SGI/PPI priorities are RAZ/WI. */
	dist_wr(GICD_IPRIORITYR, 0xffffffff);
	assert_int_equal(dist_rd(GICD_IPRIORITYR), 0);
	/* A halfword access is not allowed: RAZ/WI, logged once. */
	wr(DIST_BASE, GICD_IPRIORITYR + 40, 2, 0xffff);
	assert_int_equal(rd(DIST_BASE, GICD_IPRIORITYR + 40, 2), 0);
	assert_int_equal(dist_rd(GICD_IPRIORITYR + 40), 0);
	assert_non_null(strstr(fake_console, "bad GICD access"));
	assert_null(strstr(strstr(fake_console, "bad GICD access") + 1, "bad GICD access"));

	redist_wr(1, GICR_IPRIORITYR0 + 27, 1, 0xa0);
	assert_int_equal(redist_rd(1, GICR_IPRIORITYR0 + 24, 4), 0xa0000000);
	assert_int_equal(vcpu(1)->arch.vgic.private_irqs[27].priority, 0xa0);
	assert_int_equal(vcpu(0)->arch.vgic.private_irqs[27].priority, 0);
	redist_wr(1, GICR_IPRIORITYR0 + 28, 4, 0x01020304);
	assert_int_equal(redist_rd(1, GICR_IPRIORITYR0 + 31, 1), 0x01);
}

static void test_icfgr(void **state)
{
	(void)state;
	dist_wr(GICD_ICFGR + 8, 0x3); /* INTID 32: edge; bit 0 is RES0 */
	assert_int_equal(dist_rd(GICD_ICFGR + 8), 0x2);
	assert_true(spi(32)->edge);
	assert_false(spi(33)->edge);
	dist_wr(GICD_ICFGR + 12, 0x80000000); /* INTID 63 */
	assert_true(spi(63)->edge);
	/* SPIs 96+ do not exist. */
	dist_wr(GICD_ICFGR + 24, 0xaaaaaaaa);
	assert_int_equal(dist_rd(GICD_ICFGR + 24), 0);
	/* The distributor's ICFGR0/1 (SGIs, PPIs) are RAZ/WI. */
	dist_wr(GICD_ICFGR + 4, 0xaaaaaaaa);
	assert_int_equal(dist_rd(GICD_ICFGR + 4), 0);
	/* SGIs are always edge; PPIs are configurable. */
	redist_wr(0, GICR_ICFGR0, 4, 0);
	assert_int_equal(redist_rd(0, GICR_ICFGR0, 4), 0xaaaaaaaa);
	redist_wr(0, GICR_ICFGR1, 4, 0x8);
	assert_int_equal(redist_rd(0, GICR_ICFGR1, 4), 0x8);
	assert_true(vcpu(0)->arch.vgic.private_irqs[17].edge);
	assert_false(vcpu(1)->arch.vgic.private_irqs[17].edge);
}

static void test_irouter(void **state)
{
	(void)state;
	spi_setup(40, 0x80, false, 2);
	assert_int_equal(rd(DIST_BASE, GICD_IROUTER(40), 8), 2);
	assert_int_equal(spi(40)->target_vcpu, 2);
	vgic_inject_irq(dom, NULL, 40, true);
	assert_int_equal(kicks[2], 1);
	assert_int_equal(total_kicks(), 1);
	assert_true(vgic_vcpu_has_pending(vcpu(2)));
	assert_false(vgic_vcpu_has_pending(vcpu(0)));
	vgic_flush_lrs(vcpu(0));
	assert_int_equal(hw_lr[0], 0);
	vgic_flush_lrs(vcpu(2));
	assert_int_equal(hw_lr[0], lr_expect(40, 0x80, ICH_LR_PENDING));
	vgic_sync_lrs(vcpu(2));

	/* 32-bit halves: Aff3 in the upper word; IRM (bit 31) is RAZ/WI. */
	wr(DIST_BASE, GICD_IROUTER(40), 4, 0x80000100);
	wr(DIST_BASE, GICD_IROUTER(40) + 4, 4, 0x2);
	assert_int_equal(rd(DIST_BASE, GICD_IROUTER(40), 8), 0x0200000100ULL);
	assert_int_equal(rd(DIST_BASE, GICD_IROUTER(40), 4), 0x100);
	assert_int_equal(rd(DIST_BASE, GICD_IROUTER(40) + 4, 4), 0x2);
	assert_int_equal(spi(40)->target_vcpu, 3);
	assert_int_equal(kicks[3], 1); /* the pending IRQ moved to vCPU 3 */
	assert_true(vgic_vcpu_has_pending(vcpu(3)));
	assert_false(vgic_vcpu_has_pending(vcpu(2)));

	/* A router naming no vCPU: pending but undeliverable until routed again. */
	memset(kicks, 0, sizeof(kicks));
	wr(DIST_BASE, GICD_IROUTER(40), 8, 0x5);
	assert_int_equal(spi(40)->target_vcpu, VGIC_NO_TARGET);
	for (unsigned int i = 0; i < NR_VCPUS; i++) {
		assert_false(vgic_vcpu_has_pending(vcpu(i)));
		vgic_flush_lrs(vcpu(i));
		assert_int_equal(hw_lr[0], 0);
		vgic_sync_lrs(vcpu(i));
	}
	vgic_inject_irq(dom, NULL, 40, true);
	assert_int_equal(total_kicks(), 0);
	wr(DIST_BASE, GICD_IROUTER(40), 8, 1);
	assert_int_equal(kicks[1], 1);
	assert_true(vgic_vcpu_has_pending(vcpu(1)));

	/* The SGI/PPI routers and those past nr_spis are RAZ/WI. */
	wr(DIST_BASE, GICD_IROUTER(31), 8, 1);
	assert_int_equal(rd(DIST_BASE, GICD_IROUTER(31), 8), 0);
	wr(DIST_BASE, GICD_IROUTER(96), 8, 1);
	assert_int_equal(rd(DIST_BASE, GICD_IROUTER(96), 8), 0);
}

static void test_grp1_enable_gates_spis(void **state)
{
	(void)state;
	spi_setup(50, 0x10, true, 1);
	dist_wr(GICD_CTLR, 0);
	vgic_inject_irq(dom, NULL, 50, true);
	assert_int_equal(total_kicks(), 0);
	assert_false(vgic_vcpu_has_pending(vcpu(1)));
	dist_wr(GICD_CTLR, 2);
	assert_int_equal(kicks[1], 1);
	assert_true(vgic_vcpu_has_pending(vcpu(1)));
	/* Disabled or group 0: not deliverable. */
	dist_wr(GICD_ICENABLER + 4, 1u << (50 - 32));
	assert_false(vgic_vcpu_has_pending(vcpu(1)));
	dist_wr(GICD_IGROUPR + 4, 0);
	dist_wr(GICD_ISENABLER + 4, 1u << (50 - 32));
	assert_false(vgic_vcpu_has_pending(vcpu(1)));
	assert_non_null(strstr(fake_console, "group-0"));
}

static void test_inject_ppi_flush_sync(void **state)
{
	struct vgic_irq *irq = &vcpu(1)->arch.vgic.private_irqs[27];

	(void)state;
	ppi_setup(1, 27, 0xa0);
	assert_int_equal(total_kicks(), 0);
	vgic_inject_irq(dom, vcpu(1), 27, true);
	assert_int_equal(kicks[1], 1);
	vgic_inject_irq(dom, vcpu(1), 27, true); /* already deliverable: no new kick */
	assert_int_equal(kicks[1], 1);
	assert_true(vgic_vcpu_has_pending(vcpu(1)));
	assert_false(vgic_vcpu_has_pending(vcpu(0)));

	hw_lr[1] = 0x1234; /* stale content must be cleared */
	vgic_flush_lrs(vcpu(1));
	assert_int_equal(hw_lr[0], lr_expect(27, 0xa0, ICH_LR_PENDING));
	assert_int_equal(hw_lr[1], 0);
	assert_int_equal(hw_lr[2], 0);
	assert_int_equal(hw_lr[3], 0);
	assert_false(underflow);
	assert_int_equal(vcpu(1)->arch.vgic.nr_lrs_used, 1);
	assert_int_equal(vcpu(1)->arch.vgic.lr_intid[0], 27);
	assert_int_equal(irq->lr, 0);

	/* The guest acknowledges it: active; the line is still high. */
	hw_lr[0] = (hw_lr[0] & ~LR_STATE_MASK) | ICH_LR_ACTIVE;
	vgic_sync_lrs(vcpu(1));
	assert_int_equal(irq->lr, -1);
	assert_int_equal(vcpu(1)->arch.vgic.nr_lrs_used, 0);
	assert_true(irq->active);
	assert_int_equal(redist_rd(1, GICR_ISACTIVER0, 4), 1u << 27);
	vgic_flush_lrs(vcpu(1));
	assert_int_equal(hw_lr[0], lr_expect(27, 0xa0, ICH_LR_PENDING | ICH_LR_ACTIVE));

	/* The device lowers its line, the guest EOIs: nothing left. */
	vgic_inject_irq(dom, vcpu(1), 27, false);
	hw_lr[0] = 0;
	vgic_sync_lrs(vcpu(1));
	assert_false(irq->active);
	assert_false(vgic_vcpu_has_pending(vcpu(1)));
	vgic_flush_lrs(vcpu(1));
	assert_int_equal(hw_lr[0], 0);
	assert_int_equal(vcpu(1)->arch.vgic.nr_lrs_used, 0);
	vgic_sync_lrs(vcpu(1));
}

static void test_hw_mapped_spi(void **state)
{
	struct vgic_irq *irq;

	(void)state;
	assert_int_equal(vgic_map_hw_irq(dom, 40, 40), 0);
	assert_ptr_equal(hw_route[40], dom);
	assert_int_equal(vgic_map_hw_irq(dom, 40, 40), -HV_EINVAL); /* once */
	assert_int_equal(vgic_map_hw_irq(dom, 20, 20), -HV_EINVAL); /* PPIs are not passed */
	irq = spi(40);
	/* The guest's configuration reaches the physical interrupt. */
	vcpu(2)->pcpu = 1;
	spi_setup(40, 0x50, true, 2);
	assert_int_equal(hw_affinity[40], 101); /* routed to vCPU 2's pCPU */
	spi_setup(40, 0x50, true, 0);
	assert_true(hw_edge[40]);
	assert_true(hw_enabled[40]);
	/* A physical event: pending, listed with HW and the physical INTID. */
	vgic_inject_hw(dom, 40);
	assert_int_equal(kicks[0], 1);
	vgic_flush_lrs(vcpu(0));
	assert_int_equal(hw_lr[0], lr_expect(40, 0x50, ICH_LR_PENDING) | ICH_LR_HW | (40ull << 32));
	assert_false(irq->pending_latch); /* one physical event, one listing */
	/* The guest deactivates it (the GIC deactivates the physical one): gone. */
	hw_lr[0] = 0;
	vgic_sync_lrs(vcpu(0));
	assert_false(vgic_vcpu_has_pending(vcpu(0)));
	/* A new event while the first is still listed is not lost. */
	vgic_inject_hw(dom, 40);
	vgic_flush_lrs(vcpu(0));
	vgic_inject_hw(dom, 40);
	hw_lr[0] = 0;
	vgic_sync_lrs(vcpu(0));
	assert_true(vgic_vcpu_has_pending(vcpu(0)));
	/* Disabling by the guest disables the physical interrupt. */
	dist_wr(GICD_ICENABLER + 4, 1u << (40 - 32));
	assert_false(hw_enabled[40]);
	/* Destroying the domain hands the line back, off and not active. */
	hw_enabled[40] = true;
	vgic_domain_destroy(dom);
	assert_false(hw_enabled[40]);
	assert_int_equal(hw_deactivated[40], 1);
	assert_null(hw_route[40]);
}

static void test_priority_order_and_underflow(void **state)
{
	static const u8 prios[6] = { 0x80, 0x20, 0xf0, 0x40, 0x20, 0x60 };

	(void)state;
	for (unsigned int i = 0; i < 6; i++) {
		spi_setup(33 + i, prios[i], true, 0);
		vgic_inject_irq(dom, NULL, 33 + i, true);
	}
	vgic_flush_lrs(vcpu(0));
	assert_true(underflow);
	assert_int_equal(hw_lr[0], lr_expect(34, 0x20, ICH_LR_PENDING));
	assert_int_equal(hw_lr[1], lr_expect(37, 0x20, ICH_LR_PENDING));
	assert_int_equal(hw_lr[2], lr_expect(36, 0x40, ICH_LR_PENDING));
	assert_int_equal(hw_lr[3], lr_expect(38, 0x60, ICH_LR_PENDING));
	/* Listed edges are consumed; the two left out are still latched. */
	assert_false(spi(34)->pending_latch);
	assert_true(spi(33)->pending_latch);
	assert_true(spi(35)->pending_latch);

	/* The guest takes and completes all four. */
	for (unsigned int i = 0; i < NR_LRS; i++) {
		hw_lr[i] = 0;
	}
	vgic_sync_lrs(vcpu(0));
	vgic_flush_lrs(vcpu(0));
	assert_false(underflow);
	assert_int_equal(hw_lr[0], lr_expect(33, 0x80, ICH_LR_PENDING));
	assert_int_equal(hw_lr[1], lr_expect(35, 0xf0, ICH_LR_PENDING));
	assert_int_equal(hw_lr[2], 0);
	assert_int_equal(hw_lr[3], 0);
	hw_lr[0] = hw_lr[1] = 0;
	vgic_sync_lrs(vcpu(0));
	assert_false(vgic_vcpu_has_pending(vcpu(0)));
	vgic_flush_lrs(vcpu(0));
	assert_int_equal(hw_lr[0], 0);
	assert_false(underflow);
}

static void test_active_irqs_stay_listed(void **state)
{
	(void)state;
	/* Four active IRQs at low priority plus a pending high-priority one. */
	for (unsigned int i = 0; i < 5; i++) {
		spi_setup(40 + i, (u8)(i == 4 ? 0x00 : 0xe0), true, 0);
	}
	dist_wr(GICD_ISACTIVER + 4, 0xf << 8);
	vgic_inject_irq(dom, NULL, 44, true);
	vgic_flush_lrs(vcpu(0));
	for (unsigned int i = 0; i < NR_LRS; i++) {
		assert_int_equal(hw_lr[i], lr_expect(40 + i, 0xe0, ICH_LR_ACTIVE));
	}
	assert_true(underflow);
	assert_true(spi(44)->pending_latch);
	assert_true(vgic_vcpu_has_pending(vcpu(0)));
	vgic_sync_lrs(vcpu(0));
}

static void test_edge_lifecycle(void **state)
{
	struct vgic_irq *irq = spi(45);

	(void)state;
	spi_setup(45, 0x50, true, 3);
	vgic_inject_irq(dom, NULL, 45, false); /* edge: a low level does nothing */
	assert_false(irq->pending_latch);
	assert_int_equal(kicks[3], 0);
	vgic_inject_irq(dom, NULL, 45, true);
	assert_int_equal(kicks[3], 1);
	vgic_flush_lrs(vcpu(3));
	assert_int_equal(hw_lr[0], lr_expect(45, 0x50, ICH_LR_PENDING));
	assert_false(irq->pending_latch);
	/* While listed, ISPENDR still reads it as pending. */
	assert_int_equal(dist_rd(GICD_ISPENDR + 4), 1u << 13);
	/* Exit before the guest took it: stays pending and is listed again. */
	vgic_sync_lrs(vcpu(3));
	assert_true(irq->pending_latch);
	assert_true(vgic_vcpu_has_pending(vcpu(3)));
	vgic_flush_lrs(vcpu(3));
	assert_int_equal(hw_lr[0], lr_expect(45, 0x50, ICH_LR_PENDING));
	/* The guest acknowledges it. */
	hw_lr[0] = (hw_lr[0] & ~LR_STATE_MASK) | ICH_LR_ACTIVE;
	vgic_sync_lrs(vcpu(3));
	assert_true(irq->active);
	assert_false(irq->pending_latch);
	assert_false(vgic_vcpu_has_pending(vcpu(3)));
	/* A new edge while active: pending and active. */
	vgic_inject_irq(dom, NULL, 45, true);
	assert_int_equal(kicks[3], 2);
	vgic_flush_lrs(vcpu(3));
	assert_int_equal(hw_lr[0], lr_expect(45, 0x50, ICH_LR_PENDING | ICH_LR_ACTIVE));
	assert_false(irq->pending_latch);
	/* The guest EOIs the first one and takes the second: active. */
	hw_lr[0] = (hw_lr[0] & ~LR_STATE_MASK) | ICH_LR_ACTIVE;
	vgic_sync_lrs(vcpu(3));
	vgic_flush_lrs(vcpu(3));
	assert_int_equal(hw_lr[0], lr_expect(45, 0x50, ICH_LR_ACTIVE));
	/* EOI: the LR becomes invalid; the IRQ is inactive and consumed. */
	hw_lr[0] = 0;
	vgic_sync_lrs(vcpu(3));
	assert_false(irq->active);
	assert_false(irq->pending_latch);
	assert_int_equal(irq->lr, -1);
	vgic_flush_lrs(vcpu(3));
	assert_int_equal(hw_lr[0], 0);
	assert_int_equal(vcpu(3)->arch.vgic.nr_lrs_used, 0);
}

static void test_level_stays_pending(void **state)
{
	struct vgic_irq *irq = spi(60);

	(void)state;
	spi_setup(60, 0x30, false, 0);
	vgic_inject_irq(dom, NULL, 60, true);
	for (int round = 0; round < 3; round++) {
		vgic_flush_lrs(vcpu(0));
		assert_int_equal(hw_lr[0], lr_expect(60, 0x30, ICH_LR_PENDING));
		hw_lr[0] = 0; /* the guest handles it, but the line stays high */
		vgic_sync_lrs(vcpu(0));
		assert_true(vgic_vcpu_has_pending(vcpu(0)));
	}
	vgic_inject_irq(dom, NULL, 60, false);
	assert_false(vgic_vcpu_has_pending(vcpu(0)));
	vgic_flush_lrs(vcpu(0));
	assert_int_equal(hw_lr[0], 0);
	vgic_sync_lrs(vcpu(0));

	/* A software pending (ISPENDR) of a level IRQ is consumed by the acknowledge. */
	dist_wr(GICD_ISPENDR + 4, 1u << (60 - 32));
	assert_true(vgic_vcpu_has_pending(vcpu(0)));
	vgic_flush_lrs(vcpu(0));
	assert_int_equal(hw_lr[0], lr_expect(60, 0x30, ICH_LR_PENDING));
	vgic_sync_lrs(vcpu(0)); /* not taken yet: still pending */
	assert_true(irq->pending_latch);
	vgic_flush_lrs(vcpu(0));
	hw_lr[0] = (hw_lr[0] & ~LR_STATE_MASK) | ICH_LR_ACTIVE;
	vgic_sync_lrs(vcpu(0));
	assert_false(irq->pending_latch);
	assert_true(irq->active);
	vgic_flush_lrs(vcpu(0));
	assert_int_equal(hw_lr[0], lr_expect(60, 0x30, ICH_LR_ACTIVE));
	hw_lr[0] = 0;
	vgic_sync_lrs(vcpu(0));
	assert_false(vgic_vcpu_has_pending(vcpu(0)));
}

static void test_pending_lr_counts_for_has_pending(void **state)
{
	(void)state;
	ppi_setup(2, 20, 0x10);
	vgic_inject_irq(dom, vcpu(2), 20, true);
	vgic_flush_lrs(vcpu(2));
	/* The latch is consumed, but the LR still holds it pending. */
	vcpu(2)->arch.vgic.private_irqs[20].line_level = false;
	assert_true(vgic_vcpu_has_pending(vcpu(2)));
	hw_lr[0] = 0;
	vgic_sync_lrs(vcpu(2));
	assert_false(vgic_vcpu_has_pending(vcpu(2)));
}

static void test_sgi1r(void **state)
{
	(void)state;
	for (unsigned int i = 0; i < NR_VCPUS; i++) {
		ppi_setup(i, 3, 0x00);
	}
	/* INTID 3 to Aff 0.0.0.{1,2}. */
	vgic_handle_sgi1r(vcpu(0), (3ULL << 24) | 0x6);
	assert_int_equal(kicks[0], 0);
	assert_int_equal(kicks[1], 1);
	assert_int_equal(kicks[2], 1);
	assert_int_equal(kicks[3], 0);
	assert_true(vcpu(1)->arch.vgic.private_irqs[3].pending_latch);
	assert_true(vcpu(2)->arch.vgic.private_irqs[3].pending_latch);
	assert_false(vcpu(0)->arch.vgic.private_irqs[3].pending_latch);
	vgic_flush_lrs(vcpu(1));
	assert_int_equal(hw_lr[0], lr_expect(3, 0, ICH_LR_PENDING));
	hw_lr[0] = 0;
	vgic_sync_lrs(vcpu(1));

	/* Aff3 = 2, Aff1 = 1, target 0: vCPU 3. */
	memset(kicks, 0, sizeof(kicks));
	vgic_handle_sgi1r(vcpu(0), (2ULL << 48) | (1ULL << 16) | (3ULL << 24) | 0x1);
	assert_int_equal(kicks[3], 1);
	assert_int_equal(total_kicks(), 1);

	/* IRM = 1: everyone but the sender. */
	memset(kicks, 0, sizeof(kicks));
	for (unsigned int i = 0; i < NR_VCPUS; i++) {
		vcpu(i)->arch.vgic.private_irqs[3].pending_latch = false;
	}
	vgic_handle_sgi1r(vcpu(1), (1ULL << 40) | (3ULL << 24));
	assert_int_equal(kicks[0], 1);
	assert_int_equal(kicks[1], 0);
	assert_int_equal(kicks[2], 1);
	assert_int_equal(kicks[3], 1);
	assert_false(vcpu(1)->arch.vgic.private_irqs[3].pending_latch);

	/* Targets naming no vCPU: Aff1 = 5, RS = 1, target bit 15. */
	memset(kicks, 0, sizeof(kicks));
	for (unsigned int i = 0; i < NR_VCPUS; i++) {
		vcpu(i)->arch.vgic.private_irqs[3].pending_latch = false;
	}
	vgic_handle_sgi1r(vcpu(0), (5ULL << 16) | (3ULL << 24) | 0xffff);
	vgic_handle_sgi1r(vcpu(0), (1ULL << 44) | (3ULL << 24) | 0xffff);
	vgic_handle_sgi1r(vcpu(0), (3ULL << 24) | 0x8000);
	assert_int_equal(total_kicks(), 0);
	for (unsigned int i = 0; i < NR_VCPUS; i++) {
		assert_false(vcpu(i)->arch.vgic.private_irqs[3].pending_latch);
	}
	/* A disabled SGI is latched but does not kick. */
	vgic_handle_sgi1r(vcpu(0), (9ULL << 24) | 0x2);
	assert_true(vcpu(1)->arch.vgic.private_irqs[9].pending_latch);
	assert_int_equal(total_kicks(), 0);
	assert_int_equal(redist_rd(1, GICR_ISPENDR0, 4), 1u << 9);
}

static void test_save_restore(void **state)
{
	(void)state;
	hw_vmcr = 0xf0000003;
	hw_apr[0][0] = 1;
	hw_apr[0][1] = 2;
	hw_apr[1][0] = 3;
	hw_apr[1][1] = 4;
	vgic_save_state(vcpu(2));
	hw_vmcr = 0;
	memset(hw_apr, 0, sizeof(hw_apr));
	vgic_restore_state(vcpu(2));
	assert_int_equal(hw_vmcr, 0xf0000003);
	assert_int_equal(hw_apr[0][0], 1);
	assert_int_equal(hw_apr[0][1], 2);
	assert_int_equal(hw_apr[1][0], 3);
	assert_int_equal(hw_apr[1][1], 4);
	assert_int_equal(vcpu(2)->arch.vgic.ap1r[1], 4);
}

static void test_bad_injections(void **state)
{
	(void)state;
	vgic_inject_irq(dom, NULL, 5, true);	   /* SGI without a vCPU */
	vgic_inject_irq(dom, vcpu(0), 96, true);   /* past nr_spis */
	vgic_inject_irq(dom, vcpu(0), 1023, true); /* special INTID */
	vgic_inject_irq(dom, vcpu(0), 0xffffffffu, true);
	assert_int_equal(total_kicks(), 0);
	assert_non_null(strstr(fake_console, "vGIC"));
}

static void test_spi_count(void **state)
{
	struct domain *d;

	(void)state;
	d = make_domain(1000);
	assert_int_equal(d->arch.vgic.nr_spis, VGIC_MAX_SPIS);
	free_domain(d);
	d = make_domain(40);
	assert_int_equal(d->arch.vgic.nr_spis, 64);
	free_domain(d);
	d = make_domain(0);
	assert_int_equal(d->arch.vgic.nr_spis, 0);
	vgic_inject_irq(d, NULL, 32, true);
	free_domain(d);

	/* The full-size distributor: ITLinesNumber 31, IROUTER up to INTID 1019. */
	free_domain(dom);
	dom = make_domain(VGIC_MAX_SPIS);
	assert_int_equal(dist_rd(GICD_TYPER) & 0x1f, 31);
	wr(DIST_BASE, GICD_IROUTER(1019), 8, 1);
	assert_int_equal(rd(DIST_BASE, GICD_IROUTER(1019), 8), 1);
	wr(DIST_BASE, GICD_IPRIORITYR + 1019, 1, 0x42);
	assert_int_equal(dist_rd(GICD_IPRIORITYR + 1016), 0x42000000);
	dist_wr(GICD_ISENABLER + 124, 0xffffffff);
	assert_int_equal(dist_rd(GICD_ISENABLER + 124), 0x0fffffff);
}

static void test_fuzz_registers(void **state)
{
	static const unsigned int sizes[] = { 1, 2, 4, 8, 0, 3, 16, 4, 4, 8 };
	u64 rng = 0x2545f4914f6cdd1dULL;

	(void)state;
	for (unsigned int iter = 0; iter < 10000; iter++) {
		unsigned int which, size;
		const struct fake_region *r;
		u64 off, val;

		rng ^= rng << 13;
		rng ^= rng >> 7;
		rng ^= rng << 17;
		which = (unsigned int)(rng & 1);
		r = &regions[which];
		size = sizes[(rng >> 1) % ARRAY_SIZE(sizes)];
		/* Mostly word-aligned offsets in the register-dense areas, some anywhere
		 * (including one frame past the last redistributor). */
		if ((rng >> 8) & 1) {
			off = (rng >> 16) % (r->size + VGIC_REDIST_STRIDE);
		} else {
			off = ((rng >> 16) % 0x1000) & ~3ULL;
			if (which == 1) {
				off += ((rng >> 40) & 1) * VGIC_SGI_BASE_OFFSET +
				       ((rng >> 41) % (NR_VCPUS + 1)) * VGIC_REDIST_STRIDE;
			} else if ((rng >> 41) & 1) {
				off += 0x6000;
			}
		}
		val = rng * 0x9e3779b97f4a7c15ULL;
		if ((rng >> 60) & 1) {
			assert_int_equal(r->ops->write(vcpu((rng >> 50) % NR_VCPUS), off, size, val,
						       r->priv),
					 0);
		} else {
			u64 out = 0x5a5a;

			assert_int_equal(r->ops->read(vcpu((rng >> 50) % NR_VCPUS), off, size, &out,
						      r->priv),
					 0);
			if (size != 1 && size != 4 && size != 8) {
				assert_int_equal(out, 0);
			}
		}
		/* Keep the state machine moving too. */
		if (iter % 16 == 0) {
			struct vcpu *v = vcpu((rng >> 20) % NR_VCPUS);

			vgic_inject_irq(dom, v, (u32)((rng >> 24) % 128), (rng >> 31) & 1);
			vgic_flush_lrs(v);
			for (unsigned int i = 0; i < NR_LRS; i++) {
				if ((rng >> (32 + i)) & 1) {
					hw_lr[i] &= ~(((rng >> (36 + 2 * i)) & 3) << 62);
				}
			}
			vgic_sync_lrs(v);
			(void)vgic_vcpu_has_pending(v);
			vgic_handle_sgi1r(v, val);
		}
	}
	/* Bad accesses were logged, but only once per region kind. */
	assert_true(fake_console_len < 1024);
	for (unsigned int i = 0; i < NR_VCPUS; i++) {
		assert_int_equal(vcpu(i)->arch.vgic.nr_lrs_used, 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_dist_reset_registers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_redist_reset_registers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ctlr_and_waker, setup, teardown),
		cmocka_unit_test_setup_teardown(test_enable_pending_active, setup, teardown),
		cmocka_unit_test_setup_teardown(test_priority_bytes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_icfgr, setup, teardown),
		cmocka_unit_test_setup_teardown(test_irouter, setup, teardown),
		cmocka_unit_test_setup_teardown(test_grp1_enable_gates_spis, setup, teardown),
		cmocka_unit_test_setup_teardown(test_inject_ppi_flush_sync, setup, teardown),
		cmocka_unit_test_setup_teardown(test_priority_order_and_underflow, setup, teardown),
		cmocka_unit_test_setup_teardown(test_active_irqs_stay_listed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_edge_lifecycle, setup, teardown),
		cmocka_unit_test_setup_teardown(test_level_stays_pending, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pending_lr_counts_for_has_pending, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_sgi1r, setup, teardown),
		cmocka_unit_test_setup_teardown(test_save_restore, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_injections, setup, teardown),
		cmocka_unit_test_setup_teardown(test_spi_count, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hw_mapped_spi, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fuzz_registers, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
