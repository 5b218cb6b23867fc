/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The GICv3 virtual CPU interface registers (IHI 0069 12.5, ICH_*_EL2) behind the
 * vGIC's arch hooks (asm/vgic.h).
 */
#include <asm/sysregs.h>
#include <hv/bug.h>
#include <asm/vgic.h>

#define ICH_HCR_EL2 S3_4_C12_C11_0
#define ICH_VTR_EL2 S3_4_C12_C11_1
#define ICH_VMCR_EL2 S3_4_C12_C11_7
#define ICH_HCR_EN (1ull << 0)
#define ICH_HCR_UIE (1ull << 1)

u32 vgic_maint_irq = 25;
static unsigned int nr_lrs;
static unsigned int nr_aprs;

/** See asm/vgic.h. */
void vgic_hw_cpu_init(void)
{
	u64 vtr = read_sysreg(ICH_VTR_EL2);
	unsigned int pre_bits = (unsigned int)((vtr >> 26) & 7) + 1;

	nr_lrs = MIN((unsigned int)(vtr & 0x1f) + 1, (unsigned int)VGIC_MAX_LRS);
	/* 5 preemption bits: one APR register per group, 6: two, 7: four (12.5.x). */
	nr_aprs = pre_bits <= 5 ? 1 : (pre_bits == 6 ? 2 : 4);
	for (unsigned int i = 0; i < nr_lrs; i++) {
		arch_gic_write_lr(i, 0);
	}
	write_sysreg(ICH_HCR_EN, ICH_HCR_EL2);
	isb();
}

unsigned int arch_gic_nr_lrs(void)
{
	return nr_lrs;
}

unsigned int arch_gic_nr_aprs(void)
{
	return nr_aprs;
}

#define LR_CASE(n, crm, op2)                                       \
	case n:                                                    \
		if (write) {                                       \
			write_sysreg(val, S3_4_C12_##crm##_##op2); \
		} else {                                           \
			val = read_sysreg(S3_4_C12_##crm##_##op2); \
		}                                                  \
		break

/* ICH_LR<n>_EL2: LR0-7 are C12,C12,0-7 and LR8-15 are C12,C13,0-7. */
static u64 lr_access(unsigned int n, bool write, u64 val)
{
	switch (n) {
		LR_CASE(0, C12, 0);
		LR_CASE(1, C12, 1);
		LR_CASE(2, C12, 2);
		LR_CASE(3, C12, 3);
		LR_CASE(4, C12, 4);
		LR_CASE(5, C12, 5);
		LR_CASE(6, C12, 6);
		LR_CASE(7, C12, 7);
		LR_CASE(8, C13, 0);
		LR_CASE(9, C13, 1);
		LR_CASE(10, C13, 2);
		LR_CASE(11, C13, 3);
		LR_CASE(12, C13, 4);
		LR_CASE(13, C13, 5);
		LR_CASE(14, C13, 6);
		LR_CASE(15, C13, 7);
	default:
		BUG();
	}
	return val;
}

u64 arch_gic_read_lr(unsigned int n)
{
	return lr_access(n, false, 0);
}

void arch_gic_write_lr(unsigned int n, u64 val)
{
	lr_access(n, true, val);
}

void arch_gic_set_underflow(bool on)
{
	u64 hcr = read_sysreg(ICH_HCR_EL2);

	hcr = on ? (hcr | ICH_HCR_UIE) : (hcr & ~ICH_HCR_UIE);
	write_sysreg(hcr, ICH_HCR_EL2);
	isb();
}

u64 arch_gic_read_vmcr(void)
{
	return read_sysreg(ICH_VMCR_EL2);
}

void arch_gic_write_vmcr(u64 val)
{
	write_sysreg(val, ICH_VMCR_EL2);
	isb();
}

/* ICH_AP0R<n>_EL2 = C12,C8,n; ICH_AP1R<n>_EL2 = C12,C9,n. */
static u64 apr_access(unsigned int group, unsigned int n, bool write, u64 val)
{
	switch (group * 4 + n) {
		LR_CASE(0, C8, 0);
		LR_CASE(1, C8, 1);
		LR_CASE(2, C8, 2);
		LR_CASE(3, C8, 3);
		LR_CASE(4, C9, 0);
		LR_CASE(5, C9, 1);
		LR_CASE(6, C9, 2);
		LR_CASE(7, C9, 3);
	default:
		BUG();
	}
	return val;
}

u64 arch_gic_read_apr(unsigned int group, unsigned int n)
{
	return apr_access(group, n, false, 0);
}

void arch_gic_write_apr(unsigned int group, unsigned int n, u64 val)
{
	apr_access(group, n, true, val);
}
