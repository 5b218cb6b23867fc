/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The boot CPU's path from head.S to a running system: device tree, command line,
 * console, memory map, page allocator and heap, GIC, timer, secondary CPUs, then the
 * one-line summary that tools read:
 *     lamina: N CPUs online, M MiB RAM, GICv3
 */
#include <asm/gic.h>
#include <asm/irq.h>
#include <hv/arch.h>
#include <asm/mm.h>
#include <asm/psci.h>
#include <asm/stage1.h>
#include <asm/sysregs.h>
#include <asm/time.h>
#include <generated/config.h>
#include <hv/bootinfo.h>
#include <hv/bug.h>
#include <hv/errno.h>
#include <hv/heap.h>
#include <hv/log.h>
#include <hv/page_alloc.h>
#include <hv/params.h>
#include <hv/percpu.h>
#include <hv/dom0.h>
#include <hv/dom0less.h>
#include <hv/sched.h>
#include <hv/smp.h>
#include <asm/vgic.h>
#include <hv/uart.h>

#define DTB_MAX_SIZE MiB(2)

void start_hv(paddr_t dtb, paddr_t load);

static struct boot_info boot_info;
u32 console_uart_irq;

void machine_halt_cpu(void)
{
	arch_local_irq_disable();
	for (;;) {
		wfi();
	}
}

void machine_power_off(void)
{
	log_flush();
	console_flush();
	psci_system_off();
	log_err("power off failed (no PSCI SYSTEM_OFF): halting\n");
	machine_halt_cpu();
}

void machine_restart(void)
{
	log_flush();
	console_flush();
	psci_system_reset();
	log_err("reset failed (no PSCI SYSTEM_RESET): halting\n");
	machine_halt_cpu();
}

static void setup_console(const struct boot_info *bi)
{
	struct boot_uart u = bi->uart;
	void *base;

	if (strcmp(hv_opts.console, "none") == 0) {
		log_info("console=none: no further hypervisor output\n");
		pl011_set_console(NULL);
		return;
	}
	if (hv_opts.dtuart[0] != '\0') {
		if (dt_find_uart(bi->fdt, hv_opts.dtuart, &u) != 0) {
			log_warn("dtuart=%s: no PL011 found at that path or alias; keeping the "
				 "early console\n",
				 hv_opts.dtuart);
			return;
		}
	}
	if (u.node < 0) {
		log_warn("no console UART in the device tree (/chosen/stdout-path); keeping "
			 "the early console at 0x%x\n",
			 CONFIG_EARLY_UART_BASE);
		return;
	}
	base = ioremap(u.base, u.size ? u.size : PAGE_SIZE);
	if (base == NULL) {
		log_warn("cannot map the console UART at 0x%llx\n", (unsigned long long)u.base);
		return;
	}
	if (u.base != CONFIG_EARLY_UART_BASE) {
		pl011_set_console(base);
	}
	console_uart_irq = u.irq >= 32 ? u.irq : 0; /* enabled once the GIC is up */
	log_info("console: PL011 at 0x%llx (%s)\n", (unsigned long long)u.base,
		 u.path ? u.path : "?");
}

static u64 total_ram(const struct boot_info *bi)
{
	u64 sum = 0;

	for (unsigned int i = 0; i < bi->nr_mem; i++) {
		sum += bi->mem[i].end - bi->mem[i].start;
	}
	return sum;
}

static bool ranges_overlap(paddr_t a, paddr_t b, paddr_t c, paddr_t d)
{
	return a < d && c < b;
}

/* Everything the page allocator must not hand out. */
static unsigned int collect_reserved(const struct boot_info *bi, paddr_t dtb, struct mem_range *out,
				     unsigned int max)
{
	unsigned int n = 0;

	out[n++] = (struct mem_range){ image_start(), image_end() };
	out[n++] = (struct mem_range){ dtb, dtb + bi->fdt_size };
	for (unsigned int i = 0; i < bi->nr_modules && n < max; i++) {
		out[n++] = (struct mem_range){ bi->modules[i].start,
					       bi->modules[i].start + bi->modules[i].size };
	}
	for (unsigned int i = 0; i < bi->nr_reserved && n < max; i++) {
		out[n++] = bi->reserved[i];
	}
	return n;
}

static void report_memory(const struct boot_info *bi)
{
	for (unsigned int i = 0; i < bi->nr_mem; i++) {
		log_info("RAM: 0x%010llx - 0x%010llx (%llu MiB)\n",
			 (unsigned long long)bi->mem[i].start,
			 (unsigned long long)bi->mem[i].end - 1,
			 (unsigned long long)(bi->mem[i].end - bi->mem[i].start) >> 20);
	}
	for (unsigned int i = 0; i < bi->nr_reserved; i++) {
		log_info("reserved: 0x%010llx - 0x%010llx\n",
			 (unsigned long long)bi->reserved[i].start,
			 (unsigned long long)bi->reserved[i].end - 1);
	}
}

static void check_modules(const struct boot_info *bi)
{
	for (unsigned int i = 0; i < bi->nr_modules; i++) {
		const struct boot_module *m = &bi->modules[i];
		bool in_ram = false;

		for (unsigned int b = 0; b < bi->nr_mem; b++) {
			if (m->start >= bi->mem[b].start && m->start + m->size <= bi->mem[b].end) {
				in_ram = true;
			}
		}
		if (!in_ram) {
			panic("boot module %s (0x%llx, %llu bytes) is not inside RAM", m->name,
			      (unsigned long long)m->start, (unsigned long long)m->size);
		}
		if (ranges_overlap(m->start, m->start + m->size, image_start(), image_end())) {
			panic("boot module %s overlaps the Lamina image at 0x%llx-0x%llx", m->name,
			      (unsigned long long)image_start(), (unsigned long long)image_end());
		}
	}
}

static const struct boot_module *report_modules(const struct boot_info *bi)
{
	const struct boot_module *kernel = NULL;

	for (unsigned int i = 0; i < bi->nr_modules; i++) {
		const struct boot_module *m = &bi->modules[i];

		printk("boot module: %s at 0x%llx, %llu KiB%s%s%s%s\n",
		       boot_module_kind_name(m->kind), (unsigned long long)m->start,
		       (unsigned long long)(m->size + 1023) / 1024,
		       m->domain_node >= 0 ? " (dom0less domain)" : "",
		       m->bootargs ? ", bootargs \"" : "", m->bootargs ? m->bootargs : "",
		       m->bootargs ? "\"" : "");
		if (m->kind == BOOTMOD_KERNEL && m->domain_node < 0 && kernel == NULL) {
			kernel = m;
		}
	}
	return kernel;
}

static __attribute__((noinline)) void selftest_fault(void)
{
	/* Deliberately read an address that is never mapped (developer self-test of the
	 * crash path: registers, ESR/FAR/ELR and backtrace must be printed). */
	volatile u64 *bad = (volatile u64 *)(uintptr_t)0xdead0000ull;

	log_warn("selftest=fault: reading unmapped address %p\n", (void *)(uintptr_t)bad);
	(void)*bad;
}

/** C entry of the boot CPU, MMU on (from head.S). Never returns. */
void start_hv(paddr_t dtb, paddr_t load)
{
	struct boot_info *bi = &boot_info;
	struct mem_range reserved[BOOT_MAX_RESERVED + BOOT_MAX_MODULES + 2];
	struct page_alloc_stats st;
	const struct boot_module *kernel;
	char err[160];
	unsigned int nr_res, online, nr_domains;
	int rc;

	pcpus[0].id = 0;
	pcpus[0].mpidr = cpu_current_mpidr();
	timer_queue_init(&pcpus[0].timers);
	write_sysreg((uintptr_t)&pcpus[0], tpidr_el2);
	params_defaults(&hv_opts);

	printk("Lamina hypervisor %s, entered at EL2, loaded at 0x%llx\n", LAMINA_VERSION,
	       (unsigned long long)load);
	if (dtb == 0) {
		panic("no device tree: the boot loader passed x0 = 0 (Lamina boots like an "
		      "arm64 Linux Image, with x0 = the device tree address)");
	}
	if (!IS_ALIGNED(dtb, 8)) {
		panic("device tree at 0x%llx is not 8-byte aligned", (unsigned long long)dtb);
	}
	if (ranges_overlap(dtb, dtb + 64, image_start(), image_end())) {
		panic("device tree at 0x%llx overlaps the Lamina image", (unsigned long long)dtb);
	}
	rc = dt_parse_boot_info(phys_to_virt(dtb), DTB_MAX_SIZE, bi, err, sizeof(err));
	if (rc != 0) {
		panic("bad device tree at 0x%llx: %s", (unsigned long long)dtb, err);
	}

	params_parse(bi->hv_cmdline, &hv_opts);
	log_threshold = hv_opts.loglvl;
	if (bi->hv_cmdline[0] != '\0') {
		printk("command line: %s\n", bi->hv_cmdline);
	}
	setup_console(bi);
	report_memory(bi);
	check_modules(bi);

	rc = stage1_map_ram(bi->mem, bi->nr_mem);
	if (rc != 0) {
		panic("cannot map RAM at EL2 (%d): too many boot page-table pages needed", rc);
	}
	nr_res = collect_reserved(bi, dtb, reserved, ARRAY_SIZE(reserved));
	rc = page_alloc_init(bi->mem, bi->nr_mem, reserved, nr_res);
	if (rc != 0) {
		panic("page allocator: cannot manage the RAM banks (%d)", rc);
	}
	stage1_use_page_alloc();

	psci_init(&bi->psci);
	if (bi->gic.version != 3) {
		panic("no GICv3 interrupt controller (compatible \"arm,gic-v3\") in the device "
		      "tree; Lamina supports GICv3 only so far");
	}
	rc = gic_init(&bi->gic);
	if (rc != 0) {
		panic("GICv3 initialisation failed (%d)", rc);
	}
	time_init(&bi->timer);
	if (bi->gic.maint_irq >= 16 && bi->gic.maint_irq < 32) {
		vgic_maint_irq = bi->gic.maint_irq;
	}
	sched_init();
	if (!cpu_local_init(0)) {
		panic("the boot CPU cannot take interrupts (GIC redistributor or timer)");
	}
	pcpus[0].online = true;
	if (console_uart_irq != 0) {
		gic_enable_irq(console_uart_irq); /* SPIs are routed to CPU0 */
		pl011_enable_rx_irq();
	}
	online = smp_bring_up(bi);

	page_alloc_get_stats(&st);
	printk("memory: %llu MiB free of %llu MiB, %u EL2 page-table pages\n",
	       (unsigned long long)(st.free_pages >> (20 - PAGE_SHIFT)),
	       (unsigned long long)(st.total_pages >> (20 - PAGE_SHIFT)), stage1_table_pages());
	printk("lamina: %u CPUs online, %llu MiB RAM, GICv3\n", online,
	       (unsigned long long)(total_ram(bi) >> 20));

	kernel = report_modules(bi);
	if (strcmp(hv_opts.selftest, "fault") == 0) {
		selftest_fault();
	}
	nr_domains = 0;
	if (kernel != NULL) {
		struct domain *d0;

		printk("Dom0 kernel found at 0x%llx: building Dom0\n",
		       (unsigned long long)kernel->start);
		if (dom0_build(bi, &d0) == 0) {
			nr_domains++;
		} else {
			log_err("Dom0 could not be built (see above); continuing without it\n");
		}
	}
	nr_domains += dom0less_create_all(bi);
	if (nr_domains == 0) {
		printk("no domain to run (no Dom0 and no \"xen,domain\" node under /chosen): "
		       "powering off\n");
		machine_power_off();
	}
	printk("%u boot-time domain(s) started\n", nr_domains);
	domains_boot_finished();
	if (domain_count() == 0) {
		printk("every domain has already ended: powering off\n");
		machine_power_off();
	}
	sched_idle_loop();
}
