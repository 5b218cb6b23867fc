/* SPDX-License-Identifier: Apache-2.0 */
/*
 * panic(): the end of the line for boot-time failures and hypervisor bugs. Prints the
 * reason framed so it stands out, stops the other CPUs, then resets the machine after
 * a few seconds (like Xen), or halts with "noreboot" or when no reset is possible.
 */
#include <hv/spinlock.h>
#include <hv/arch.h>
#include <hv/bug.h>
#include <hv/log.h>
#include <hv/params.h>
#include <hv/percpu.h>
#include <hv/smp.h>
#include <hv/uart.h>

#define PANIC_REBOOT_DELAY_S 5

static int panicking;

void panic(const char *fmt, ...)
{
	va_list ap;

	arch_local_irq_disable();
	if (__atomic_exchange_n(&panicking, 1, __ATOMIC_SEQ_CST)) {
		machine_halt_cpu(); /* another CPU is already panicking */
	}
	/* Whatever the log level, a panic is printed, at once (hv/common/log.c). */
	log_threshold = LOG_DEBUG;
	log_start_sync();
	log_err("****************************************\n");
	log_err("Panic on CPU%u:\n", this_pcpu() ? this_pcpu()->id : 0);
	va_start(ap, fmt);
	log_vprintf(LOG_ERR, fmt, ap);
	va_end(ap);
	log_err("\n****************************************\n");
	smp_stop_others();
	if (hv_opts.noreboot) {
		log_err("System halted (noreboot).\n");
		console_flush();
		machine_halt_cpu();
	}
	log_err("Reboot in %u seconds...\n", PANIC_REBOOT_DELAY_S);
	udelay(PANIC_REBOOT_DELAY_S * 1000000ull);
	machine_restart();
}

void __bug(const char *file, int line, const char *expr)
{
	panic("BUG at %s:%d: %s", file, line, expr);
}
