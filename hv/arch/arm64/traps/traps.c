/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Exceptions taken at EL2. A synchronous exception or SError here is a hypervisor
 * bug: print everything needed to find it (ESR, FAR, ELR, registers, backtrace) and
 * stop the machine. IRQs are the hypervisor's own: timer and SGIs.
 */
#include <asm/gic.h>
#include <asm/regs.h>
#include <asm/stage1.h>
#include <asm/sysregs.h>
#include <hv/bug.h>
#include <hv/log.h>
#include <hv/percpu.h>
#include <hv/smp.h>
#include <hv/timer.h>
#include <hv/domain.h>
#include <asm/vgic.h>
#include <hv/uart.h>
#include <hv/vtimer.h>

#define ESR_EC(esr) (((esr) >> 26) & 0x3f)

/* Exception class names (Arm ARM D17.2.37, ESR_ELx.EC). */
static const char *ec_name(u64 ec)
{
	switch (ec) {
	case 0x00:
		return "unknown reason";
	case 0x01:
		return "WFI/WFE";
	case 0x07:
		return "SVE/SIMD/FP access";
	case 0x0e:
		return "illegal execution state";
	case 0x15:
		return "SVC (AArch64)";
	case 0x16:
		return "HVC (AArch64)";
	case 0x17:
		return "SMC (AArch64)";
	case 0x18:
		return "MSR/MRS/system instruction";
	case 0x20:
		return "instruction abort from a lower EL";
	case 0x21:
		return "instruction abort at EL2";
	case 0x22:
		return "PC alignment fault";
	case 0x24:
		return "data abort from a lower EL";
	case 0x25:
		return "data abort at EL2";
	case 0x26:
		return "SP alignment fault";
	case 0x2f:
		return "SError";
	case 0x3c:
		return "BRK instruction";
	default:
		return "other";
	}
}

/* Load offset: the ELF is linked at 0, so ELF address = runtime address - this. */
static u64 load_offset(void)
{
	return image_start();
}

static bool in_image_text(u64 pc)
{
	return pc >= image_start() && pc < (u64)(uintptr_t)_etext;
}

/* Walks the frame-pointer chain, trusting only records on this CPU's stack. */
static void backtrace(u64 fp, u64 pc, u64 lr)
{
	extern char boot_stacks[];
	u64 lo = (u64)(uintptr_t)boot_stacks;
	u64 hi = lo + (u64)NR_CPUS * BOOT_STACK_SIZE;

	log_err("Backtrace (runtime address / lamina.elf address):\n");
	log_err("  [<%016llx>] %08llx\n", (unsigned long long)pc,
		(unsigned long long)(pc - load_offset()));
	/* A leaf function has no frame record of its own: its caller is only in LR. */
	if (in_image_text(lr) && lr != pc) {
		log_err("  [<%016llx>] %08llx (lr)\n", (unsigned long long)lr,
			(unsigned long long)(lr - load_offset()));
	}
	for (int depth = 0; depth < 32; depth++) {
		u64 next_fp, ret;

		if (fp < lo || fp + 16 > hi || (fp & 0xf) != 0) {
			break;
		}
		next_fp = ((u64 *)(uintptr_t)fp)[0];
		ret = ((u64 *)(uintptr_t)fp)[1];
		if (ret == 0 || !in_image_text(ret)) {
			break;
		}
		if (depth == 0 && ret == lr) {
			fp = next_fp;
			continue;
		}
		log_err("  [<%016llx>] %08llx\n", (unsigned long long)ret,
			(unsigned long long)(ret - load_offset()));
		if (next_fp <= fp) {
			break;
		}
		fp = next_fp;
	}
}

static void dump_regs(const struct cpu_regs *r)
{
	for (int i = 0; i < 30; i += 2) {
		log_err("  x%-2d %016llx   x%-2d %016llx\n", i, (unsigned long long)r->x[i], i + 1,
			(unsigned long long)r->x[i + 1]);
	}
	log_err("  x30 %016llx   sp  %016llx\n", (unsigned long long)r->x[30],
		(unsigned long long)r->sp);
	log_err("  pc  %016llx   pstate %08llx\n", (unsigned long long)r->pc,
		(unsigned long long)r->pstate);
}

static void __noreturn fatal(const char *what, struct cpu_regs *r)
{
	u64 ec = ESR_EC(r->esr);

	log_start_sync(); /* the dump must reach the UART even if this CPU dies in it */
	log_err("FATAL: %s in the hypervisor on CPU%u\n", what, this_pcpu()->id);
	log_err("  ESR_EL2 %016llx (EC 0x%02llx: %s)\n", (unsigned long long)r->esr,
		(unsigned long long)ec, ec_name(ec));
	log_err("  FAR_EL2 %016llx\n", (unsigned long long)r->far);
	log_err("  ELR_EL2 %016llx (lamina.elf 0x%llx)\n", (unsigned long long)r->pc,
		(unsigned long long)(r->pc - load_offset()));
	dump_regs(r);
	backtrace(r->x[29], r->pc, r->x[30]);
	panic("unexpected exception at EL2");
}

void do_hyp_sync(struct cpu_regs *regs)
{
	fatal("synchronous exception", regs);
}

void do_hyp_serror(struct cpu_regs *regs)
{
	fatal("SError", regs);
}

void do_bad_vector(struct cpu_regs *regs, u64 which)
{
	static const char *const names[] = { "sync", "IRQ", "FIQ", "SError" };

	log_start_sync();

	log_err("FATAL: exception through unused vector %llu (%s, %s)\n", (unsigned long long)which,
		which < 4    ? "EL2 with SP_EL0"
		: which < 8  ? "EL2"
		: which < 12 ? "lower EL AArch64"
			     : "lower EL AArch32",
		names[which & 3]);
	fatal("unexpected exception", regs);
}

/** Handles every pending interrupt for the hypervisor on this CPU. */
void do_hyp_irq(struct cpu_regs *regs)
{
	(void)regs;
	for (;;) {
		u32 intid = gic_ack();

		if (intid >= GIC_INTID_SPURIOUS_MIN) {
			break;
		}
		if (gic_route_to_guest(intid)) {
			continue; /* its guest deactivates it */
		}
		this_pcpu()->nr_irqs++;
		if (intid < 16) {
			smp_handle_sgi(intid);
		} else if (intid == hyp_timer_irq) {
			timer_run_expired();
		} else if (intid == GUEST_VTIMER_PPI) {
			struct vcpu *v = current_vcpu();

			if (v != NULL) {
				vtimer_hw_interrupt(v);
			}
		} else if (intid == console_uart_irq && intid != 0) {
			pl011_handle_irq();
		} else if (intid == vgic_maint_irq) {
			/* List-register underflow: the exit itself refills them. */
		} else {
			log_warn("CPU%u: unexpected interrupt %u, disabling it\n", this_pcpu()->id,
				 intid);
			gic_disable_irq(intid);
		}
		gic_eoi(intid);
	}
}
