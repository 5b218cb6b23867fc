/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Guest-test runtime: device-tree reading, console, exceptions, stage-1 identity map,
 * PSCI, GICv3, timer, locks and the test loop. Everything runs at EL1; vCPU n has its
 * state in cpus[n], where n = MPIDR_EL1.Aff0.
 */
#include "guest.h"

struct platform plat;
/* Lateness allowed for a timer interrupt: QEMU on a loaded 2-core host can be slow. */
uint64_t timer_slack_us = 250000;
struct cpu_state cpus[MAX_CPUS];

/* Stage-1 level-1 table: 1 GiB blocks, identity (start.S mmu_enable()). */
uint64_t l1_table[512] __attribute__((aligned(4096)));

static struct spinlock console_lock;
static const struct test_desc *cur_test;
static bool cur_failed, cur_skipped;
static char cur_reason[160];

void primary_main(uint64_t dtb);
void secondary_main(uint64_t context);
void exc_handler(struct exc_frame *f, unsigned long kind);
void mmu_enable(void);

unsigned int cpu_id(void)
{
	return READ_SYSREG(mpidr_el1) & 0xf;
}

/* ------------------------------------------------------------------ console */

static void pl011_putc(char c)
{
	/* PL011 UARTFR.TXFF is bit 5 (PL011 TRM 3.3.3); UARTDR at offset 0. */
	while (mmio_read32(plat.uart + 0x18) & (1u << 5)) {
	}
	mmio_write32(plat.uart, (uint8_t)c);
}

long xen_console_write(const char *buf, unsigned long len)
{
	return hypercall5(HYPERVISOR_console_io, CONSOLEIO_write, len, (uintptr_t)buf, 0, 0);
}

static void console_write(const char *s, unsigned int n)
{
	if (plat.xen) {
		xen_console_write(s, n);
		return;
	}
	if (!plat.uart) {
		return;
	}
	if (plat.mmu) {
		spin_lock(&console_lock);
	}
	for (unsigned int i = 0; i < n; i++) {
		if (s[i] == '\n') {
			pl011_putc('\r');
		}
		pl011_putc(s[i]);
	}
	if (plat.mmu) {
		spin_unlock(&console_lock);
	}
}

/** Writes this vCPU's buffered partial line, if any. */
void console_flush(void)
{
	struct cpu_state *c = &cpus[cpu_id()];

	if (c->line_len) {
		console_write(c->line, c->line_len);
		c->line_len = 0;
	}
}

void putchar_(char c)
{
	struct cpu_state *cs = &cpus[cpu_id()];

	cs->line[cs->line_len++] = c;
	if (c == '\n' || cs->line_len == sizeof(cs->line)) {
		console_flush();
	}
}

void puts_(const char *s)
{
	while (*s) {
		putchar_(*s++);
	}
}

int printf(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	puts_(buf);
	return n;
}

/* ------------------------------------------------------------------ device tree */

static uint32_t be32(const void *p)
{
	const uint8_t *b = p;

	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static uint64_t read_cells(const uint8_t *p, unsigned int cells)
{
	uint64_t v = 0;

	for (unsigned int i = 0; i < cells; i++) {
		v = v << 32 | be32(p + 4 * i);
	}
	return v;
}

static bool strlist_has(const char *list, unsigned int len, const char *want)
{
	unsigned int i = 0;

	while (i < len) {
		if (!strcmp(list + i, want)) {
			return true;
		}
		i += strlen(list + i) + 1;
	}
	return false;
}

/*
 * A tiny flattened-device-tree walk (devicetree specification v0.4, chapter 5): only what
 * the runtime needs — root cell sizes, first memory bank, cpu nodes, the GICv3 and PL011
 * frames, and /chosen/bootargs.
 */
static bool fdt_scan(const uint8_t *fdt)
{
	const uint8_t *st, *strs, *p, *end;
	unsigned int depth = 0, acells = 2, scells = 2;
	char node1[32] = "";
	const uint8_t *reg1 = NULL;
	unsigned int reg1_len = 0;
	bool is_gic = false, is_uart = false;

	if (be32(fdt) != 0xd00dfeed) {
		return false;
	}
	st = fdt + be32(fdt + 8);
	strs = fdt + be32(fdt + 12);
	end = st + be32(fdt + 36);
	for (p = st; p < end;) {
		uint32_t tok = be32(p);

		p += 4;
		if (tok == 1) { /* FDT_BEGIN_NODE */
			const char *name = (const char *)p;
			unsigned int len = strlen(name);

			depth++;
			if (depth == 2) {
				unsigned int n = len < sizeof(node1) - 1 ? len : sizeof(node1) - 1;

				memcpy(node1, name, n);
				node1[n] = '\0';
				reg1 = NULL;
				is_gic = is_uart = false;
			}
			if (depth == 3 && !strcmp(node1, "cpus") && !strncmp(name, "cpu@", 4)) {
				plat.nr_cpus++;
			}
			p += (len + 4) & ~3u;
		} else if (tok == 2) { /* FDT_END_NODE */
			if (depth == 2 && reg1) {
				if (is_gic && reg1_len >= 8 * (acells + scells)) {
					plat.gicd = read_cells(reg1, acells);
					plat.gicr =
						read_cells(reg1 + 4 * (acells + scells), acells);
				}
				if (is_uart && !plat.uart) {
					plat.uart = read_cells(reg1, acells);
				}
				if (!strncmp(node1, "memory", 6) && !plat.ram_size) {
					plat.ram_base = read_cells(reg1, acells);
					plat.ram_size = read_cells(reg1 + 4 * acells, scells);
				}
			}
			depth--;
		} else if (tok == 3) { /* FDT_PROP */
			uint32_t len = be32(p), nameoff = be32(p + 4);
			const char *pname = (const char *)strs + nameoff;
			const uint8_t *val = p + 8;

			if (depth == 1 && !strcmp(pname, "#address-cells")) {
				acells = be32(val);
			} else if (depth == 1 && !strcmp(pname, "#size-cells")) {
				scells = be32(val);
			} else if (depth == 2 && !strcmp(pname, "reg")) {
				reg1 = val;
				reg1_len = len;
			} else if (depth == 2 && !strcmp(pname, "compatible")) {
				is_gic = strlist_has((const char *)val, len, "arm,gic-v3");
				is_uart = strlist_has((const char *)val, len, "arm,pl011");
			} else if (depth == 2 && !strcmp(node1, "chosen") &&
				   !strcmp(pname, "bootargs")) {
				unsigned int n = len < sizeof(plat.bootargs) - 1
							 ? len
							 : sizeof(plat.bootargs) - 1;

				memcpy(plat.bootargs, val, n);
				plat.bootargs[n] = '\0';
			}
			p += 8 + ((len + 3) & ~3u);
		} else if (tok == 4) { /* FDT_NOP */
		} else {
			break; /* FDT_END or garbage */
		}
	}
	return true;
}

/* Value of "key=" in the boot arguments, copied to out; false if absent. */
/** See guest.h. */
bool bootarg(const char *key, char *out, unsigned int size)
{
	const char *s = plat.bootargs;
	unsigned int klen = strlen(key);

	while (*s) {
		while (*s == ' ') {
			s++;
		}
		if (!strncmp(s, key, klen) && s[klen] == '=') {
			unsigned int n = 0;

			s += klen + 1;
			while (*s && *s != ' ' && n + 1 < size) {
				out[n++] = *s++;
			}
			out[n] = '\0';
			return true;
		}
		while (*s && *s != ' ') {
			s++;
		}
	}
	return false;
}

/* The RAM past the image (its stacks and page tables included) up to RAM's end. */
extern char _end[];

static uint64_t pattern_start(void)
{
	return ((uintptr_t)_end + 4095) & ~4095ull;
}

static uint64_t pattern_at(uint64_t addr, uint64_t seed)
{
	return (addr * 0x9E3779B97F4A7C15ull) ^ seed;
}

/** See guest.h. */
void ram_pattern_fill(uint64_t seed)
{
	uint64_t end = plat.ram_base + plat.ram_size;

	for (uint64_t a = pattern_start(); a < end; a += 8) {
		*(volatile uint64_t *)a = pattern_at(a, seed);
	}
	dsb(sy);
	printf("RAM %#llx-%#llx filled with a pattern\n", (unsigned long long)pattern_start(),
	       (unsigned long long)end - 1);
}

/** See guest.h. */
uint64_t ram_pattern_check(uint64_t seed, uint64_t *first_bad)
{
	uint64_t end = plat.ram_base + plat.ram_size, bad = 0;

	for (uint64_t a = pattern_start(); a < end; a += 8) {
		if (*(volatile uint64_t *)a != pattern_at(a, seed) && bad++ == 0) {
			*first_bad = a;
		}
	}
	return bad;
}

/** See guest.h. */
unsigned long bootarg_num(const char *key, unsigned long dflt)
{
	char v[24];
	unsigned long n = 0;

	if (!bootarg(key, v, sizeof(v)) || v[0] < '0' || v[0] > '9') {
		return dflt;
	}
	for (const char *c = v; *c >= '0' && *c <= '9'; c++) {
		n = n * 10 + (unsigned long)(*c - '0');
	}
	return n;
}

/* ------------------------------------------------------------------ MMU */

/*
 * Identity map of the first 16 GiB with 1 GiB blocks (Arm ARM D8.3 block descriptors):
 * blocks that overlap RAM are Normal WB inner-shareable, so exclusives and hypercall
 * buffers have the attributes the Xen ABI asks for; all else is Device-nGnRnE, so that
 * probes of non-RAM addresses reach stage 2. Above 16 GiB nothing is mapped.
 */
static void mmu_setup(void)
{
	uint64_t ram_end = plat.ram_base + plat.ram_size;

	for (uint64_t i = 0; i < 16; i++) {
		uint64_t base = i << 30;
		bool ram = base < ram_end && base + (1ull << 30) > plat.ram_base;

		if (ram) {
			/* AttrIndx 1, SH inner, AF, UXN */
			l1_table[i] = base | (1ull << 54) | (1u << 10) | (3u << 8) | (1u << 2) | 1;
		} else {
			/* AttrIndx 0, AF, PXN, UXN */
			l1_table[i] = base | (1ull << 54) | (1ull << 53) | (1u << 10) | 1;
		}
	}
	for (uintptr_t a = (uintptr_t)l1_table; a < (uintptr_t)(l1_table + 512); a += 64) {
		__asm__ volatile("dc civac, %0" ::"r"(a) : "memory");
	}
	dsb(sy);
	mmu_enable();
	plat.mmu = true;
}

/* ------------------------------------------------------------------ exceptions */

void fault_expect(void)
{
	struct cpu_state *c = &cpus[cpu_id()];

	c->last_fault.count = 0;
	barrier();
	c->expect_fault = true;
	barrier();
}

/** Returns the fault recorded since fault_expect(), disarming the expectation. */
bool fault_take(struct fault_record *out)
{
	struct cpu_state *c = &cpus[cpu_id()];
	bool seen;

	barrier();
	c->expect_fault = false;
	seen = c->last_fault.count != 0;
	*out = c->last_fault;
	c->last_fault.count = 0;
	return seen;
}

static bool is_hvc(uint64_t addr)
{
	/* HVC #imm16: 0xd4000002 | imm16 << 5 (Arm ARM C6.2.100). */
	return (*(const volatile uint32_t *)addr & 0xffe0001fu) == 0xd4000002u;
}

static void irq_dispatch(void)
{
	struct cpu_state *c = &cpus[cpu_id()];

	for (;;) {
		uint64_t iar = READ_SYSREG(icc_iar1_el1);
		unsigned int intid = iar & 0xffffff;

		if (intid >= SPURIOUS_INTID) {
			break;
		}
		if (intid < 32) {
			c->irq_count[intid]++;
			if (c->irq_handler[intid]) {
				c->irq_handler[intid](intid);
			} else {
				c->unexpected_irqs++;
				/* Keep an unclaimed level interrupt from storming. */
				if (intid >= 16) {
					gic_disable_private(intid);
				}
			}
		} else {
			c->unexpected_irqs++;
		}
		WRITE_SYSREG(icc_eoir1_el1, iar);
		isb();
	}
}

static const char *const kind_names[16] = {
	"sync/SP0", "irq/SP0", "fiq/SP0",  "serror/SP0", "sync",    "irq",
	"fiq",	    "serror",  "sync/EL0", "irq/EL0",	 "fiq/EL0", "serror/EL0",
	"sync/A32", "irq/A32", "fiq/A32",  "serror/A32",
};

void exc_handler(struct exc_frame *f, unsigned long kind)
{
	struct cpu_state *c = &cpus[cpu_id()];
	uint64_t esr = READ_SYSREG(esr_el1), far = READ_SYSREG(far_el1);

	if (kind == 5) {
		irq_dispatch();
		return;
	}
	if (kind == 12 && c->expect_fault) {
		/* From AArch32 EL0 (run_a32_el0()): record it and go back to EL1. */
		c->last_fault.esr = esr;
		c->last_fault.far = far;
		c->last_fault.elr = f->elr;
		c->last_fault.count++;
		f->elr = (uintptr_t)a32_el0_return;
		f->spsr = 0x3c5; /* EL1h, DAIF masked (a32_el0_return restores DAIF) */
		return;
	}
	if (kind == 4 && c->expect_fault) {
		c->last_fault.esr = esr;
		c->last_fault.far = far;
		c->last_fault.elr = f->elr;
		c->last_fault.count++;
		/*
		 * Resume after the faulting instruction. An UNDEF injected for an HVC may
		 * point at the HVC or after it; only the former needs skipping.
		 */
		if (ESR_EC(esr) == EC_UNKNOWN && !is_hvc(f->elr) && is_hvc(f->elr - 4)) {
			return;
		}
		f->elr += 4;
		return;
	}
	console_flush();
	printf("UNEXPECTED EXCEPTION on vCPU %u: %s, ESR_EL1 %#llx (EC %#llx), FAR_EL1 %#llx, "
	       "ELR_EL1 %#llx, SPSR %#llx\n",
	       cpu_id(), kind_names[kind & 15], (unsigned long long)esr,
	       (unsigned long long)ESR_EC(esr), (unsigned long long)far, (unsigned long long)f->elr,
	       (unsigned long long)f->spsr);
	guest_crash("unexpected exception");
}

/* ------------------------------------------------------------------ PSCI, shutdown */

long xen_sched_shutdown(unsigned int reason)
{
	static struct {
		unsigned int reason;
	} arg[MAX_CPUS];

	arg[cpu_id()].reason = reason;
	return hypercall5(HYPERVISOR_sched_op, SCHEDOP_shutdown, (uintptr_t)&arg[cpu_id()], 0, 0,
			  0);
}

long xen_sched_yield(void)
{
	return hypercall5(HYPERVISOR_sched_op, SCHEDOP_yield, 0, 0, 0, 0);
}

int32_t psci_cpu_on(uint64_t mpidr, uint64_t entry, uint64_t context)
{
	return (int32_t)smccc_call(PSCI_CPU_ON, mpidr, entry, context);
}

int32_t psci_affinity_info(uint64_t mpidr)
{
	return (int32_t)smccc_call(PSCI_AFFINITY_INFO, mpidr, 0, 0);
}

int32_t psci_features(uint32_t fn)
{
	return (int32_t)smccc_call(PSCI_FEATURES, fn, 0, 0);
}

void psci_cpu_off(void)
{
	console_flush();
	irq_disable();
	WRITE_SYSREG(cntv_ctl_el0, 0);
	for (;;) {
		smccc_call(PSCI_CPU_OFF, 0, 0, 0);
	}
}

void system_off(void)
{
	console_flush();
	for (;;) {
		smccc_call(PSCI_SYSTEM_OFF, 0, 0, 0);
		wfi();
	}
}

void guest_crash(const char *why)
{
	printf("CRASH: %s\n", why);
	console_flush();
	if (plat.xen) {
		xen_sched_shutdown(SHUTDOWN_crash);
	}
	system_off();
}

int cpu_start(unsigned int cpu, void (*fn)(void *), void *arg)
{
	cpus[cpu].started = false;
	cpus[cpu].fn = fn;
	cpus[cpu].arg = arg;
	dsb(sy);
	return psci_cpu_on(cpu, (uintptr_t)secondary_entry, 0xc0de0000u | (plat.mmu ? 1 : 0));
}

bool cpu_wait_started(unsigned int cpu, uint64_t timeout_us)
{
	return WAIT_FOR(READ_ONCE(cpus[cpu].started), timeout_us);
}

bool cpu_wait_off(unsigned int cpu, uint64_t timeout_us)
{
	return WAIT_FOR(psci_affinity_info(cpu) == PSCI_AFF_OFF, timeout_us);
}

void secondary_main(uint64_t context)
{
	struct cpu_state *c = &cpus[cpu_id()];

	c->context = context;
	c->mpidr = READ_SYSREG(mpidr_el1);
	c->line_len = 0;
	c->expect_fault = false;
	gic_init_cpu();
	dsb(sy);
	c->started = true;
	if (c->fn) {
		c->fn(c->arg);
	}
	psci_cpu_off();
}

/* ------------------------------------------------------------------ GICv3 */

uint64_t gicr_base(unsigned int cpu)
{
	/* One RD_base + SGI_base pair of 64 KiB frames per CPU (GICv3 spec 12.10). */
	return plat.gicr + (uint64_t)cpu * 0x20000;
}

static void gicd_init(void)
{
	/* GICD_CTLR: ARE (bit 4), EnableGrp1 (bit 1); wait for RWP (bit 31). */
	mmio_write32(plat.gicd, (1u << 4) | (1u << 1));
	WAIT_FOR(!(mmio_read32(plat.gicd) & (1u << 31)), 100000);
}

void gic_init_cpu(void)
{
	unsigned int me = cpu_id();
	uint64_t rd = gicr_base(me), sgi = rd + 0x10000;

	/* ICC_SRE_EL1.SRE: use the system-register interface. */
	WRITE_SYSREG(icc_sre_el1, READ_SYSREG(icc_sre_el1) | 1);
	isb();
	/* GICR_WAKER: clear ProcessorSleep (bit 1), wait for ChildrenAsleep (bit 2) clear. */
	mmio_write32(rd + 0x14, mmio_read32(rd + 0x14) & ~(1u << 1));
	WAIT_FOR(!(mmio_read32(rd + 0x14) & (1u << 2)), 100000);
	mmio_write32(sgi + 0x80, 0xffffffffu);	/* GICR_IGROUPR0: all group 1 */
	mmio_write32(sgi + 0x180, 0xffffffffu); /* GICR_ICENABLER0: all off */
	for (unsigned int i = 0; i < 8; i++) {
		mmio_write32(sgi + 0x400 + 4 * i, 0xa0a0a0a0u); /* GICR_IPRIORITYR<n> */
	}
	memset(cpus[me].irq_handler, 0, sizeof(cpus[me].irq_handler));
	WRITE_SYSREG(icc_pmr_el1, 0xff);
	WRITE_SYSREG(icc_bpr1_el1, 0);
	WRITE_SYSREG(icc_ctlr_el1, 0); /* EOImode 0: EOIR also deactivates */
	WRITE_SYSREG(icc_igrpen1_el1, 1);
	isb();
}

void gic_enable_private(unsigned int intid, void (*handler)(unsigned int intid))
{
	unsigned int me = cpu_id();

	cpus[me].irq_handler[intid] = handler;
	dsb(sy);
	mmio_write32(gicr_base(me) + 0x10000 + 0x100, 1u << intid); /* GICR_ISENABLER0 */
}

void gic_disable_private(unsigned int intid)
{
	uint64_t rd = gicr_base(cpu_id());

	mmio_write32(rd + 0x10000 + 0x180, 1u << intid);  /* GICR_ICENABLER0 */
	WAIT_FOR(!(mmio_read32(rd) & (1u << 3)), 100000); /* GICR_CTLR.RWP */
}

void gic_send_sgi(unsigned int cpu, unsigned int intid)
{
	/* ICC_SGI1R_EL1: INTID [27:24], TargetList [15:0] for Aff3.Aff2.Aff1 = 0. */
	dsb(sy);
	WRITE_SYSREG(icc_sgi1r_el1, ((uint64_t)intid << 24) | (1u << cpu));
	isb();
}

void gic_send_sgi_others(unsigned int intid)
{
	dsb(sy);
	WRITE_SYSREG(icc_sgi1r_el1, (1ull << 40) | ((uint64_t)intid << 24)); /* IRM */
	isb();
}

/* ------------------------------------------------------------------ timer, locks */

uint64_t timer_freq(void)
{
	return READ_SYSREG(cntfrq_el0);
}

uint64_t timer_now(void)
{
	isb();
	return READ_SYSREG(cntvct_el0);
}

uint64_t us_to_ticks(uint64_t us)
{
	return us * timer_freq() / 1000000;
}

uint64_t ticks_to_us(uint64_t ticks)
{
	return ticks * 1000000 / timer_freq();
}

void udelay(uint64_t us)
{
	uint64_t end = timer_now() + us_to_ticks(us);

	while (timer_now() < end) {
	}
}

void spin_lock(struct spinlock *l)
{
	uint32_t t = __atomic_fetch_add(&l->next, 1, __ATOMIC_ACQUIRE);

	while (__atomic_load_n(&l->owner, __ATOMIC_ACQUIRE) != t) {
	}
}

void spin_unlock(struct spinlock *l)
{
	__atomic_store_n(&l->owner, l->owner + 1, __ATOMIC_RELEASE);
}

/* ------------------------------------------------------------------ tests */

void test_fail(const char *file, int line, const char *fmt, ...)
{
	char msg[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	printf("    failed at %s:%d: %s\n", file, line, msg);
	if (!cur_failed) {
		snprintf(cur_reason, sizeof(cur_reason), "%s:%d: %s", file, line, msg);
	}
	cur_failed = true;
}

bool test_failed(void)
{
	return cur_failed;
}

void test_skip(const char *why)
{
	cur_skipped = true;
	snprintf(cur_reason, sizeof(cur_reason), "%s", why);
}

extern const struct test_desc __tests_start[], __tests_end[];

static bool suite_selected(const char *list, const char *suite)
{
	const char *s = list;

	while (*s) {
		unsigned int i = 0;

		/* Names compare with '-' and '_' equal (smp-overcommit = smp_overcommit). */
		while (suite[i] && (s[i] == suite[i] || (s[i] == '-' && suite[i] == '_'))) {
			i++;
		}
		if (!suite[i] && (s[i] == ',' || !s[i])) {
			return true;
		}
		while (*s && *s != ',') {
			s++;
		}
		if (*s == ',') {
			s++;
		}
	}
	return false;
}

/* Leaves vCPU 0 and the other vCPUs in a known state after a test. */
static void test_cleanup(void)
{
	irq_disable();
	WRITE_SYSREG(cntv_ctl_el0, 0);
	isb();
	cpus[0].expect_fault = false;
	for (unsigned int i = 1; i < plat.nr_cpus; i++) {
		if (psci_affinity_info(i) == PSCI_AFF_ON && !cpu_wait_off(i, 2000000)) {
			test_fail(__FILE__, __LINE__, "vCPU %u still on after the test", i);
		}
	}
	for (unsigned int i = 0; i < 32; i++) {
		if (cpus[0].irq_handler[i]) {
			gic_disable_private(i);
			cpus[0].irq_handler[i] = NULL;
		}
	}
}

static void run_tests(const char *list, unsigned int *passed, unsigned int *failed,
		      unsigned int *skipped)
{
	for (const struct test_desc *t = __tests_start; t < __tests_end; t++) {
		if (!suite_selected(list, t->suite)) {
			continue;
		}
		cur_test = t;
		cur_failed = cur_skipped = false;
		cur_reason[0] = '\0';
		printf("[ RUN ] %s.%s\n", t->suite, t->name);
		if ((t->flags & TF_XEN) && !plat.xen) {
			test_skip("needs the Xen hypercall interface");
		} else if ((t->flags & TF_NATIVE) && plat.xen) {
			test_skip("only meaningful without a hypervisor");
		} else if ((t->flags & TF_SMP2) && plat.nr_cpus < 2) {
			test_skip("needs 2 vCPUs");
		} else {
			t->fn();
			test_cleanup();
		}
		if (cur_skipped && !cur_failed) {
			printf("[ SKIP ] %s.%s: %s\n", t->suite, t->name, cur_reason);
			(*skipped)++;
		} else if (cur_failed) {
			printf("[ FAIL ] %s.%s: %s\n", t->suite, t->name, cur_reason);
			(*failed)++;
		} else {
			printf("[ OK ] %s.%s\n", t->suite, t->name);
			(*passed)++;
		}
	}
}

void primary_main(uint64_t dtb)
{
	char suite[128], opt[32];
	unsigned int passed = 0, failed = 0, skipped = 0;
	bool dt_ok = fdt_scan((const uint8_t *)(uintptr_t)dtb);

	plat.xen = true;
	if (bootarg("console", opt, sizeof(opt)) && !strcmp(opt, "pl011")) {
		plat.xen = false;
		if (!plat.uart) {
			plat.uart = 0x09000000; /* QEMU virt */
		}
	}
	cpus[cpu_id()].mpidr = READ_SYSREG(mpidr_el1);
	if (!dt_ok) {
		guest_crash("no device tree in x0");
	}
	if (!plat.ram_size || !plat.gicd || !plat.gicr || !plat.nr_cpus) {
		printf("device tree: RAM %#llx+%#llx, GICD %#llx, GICR %#llx, %u CPUs\n",
		       (unsigned long long)plat.ram_base, (unsigned long long)plat.ram_size,
		       (unsigned long long)plat.gicd, (unsigned long long)plat.gicr, plat.nr_cpus);
		guest_crash("device tree lacks memory, GICv3 or cpus");
	}
	if (plat.nr_cpus > MAX_CPUS) {
		plat.nr_cpus = MAX_CPUS;
	}
	if (bootarg("slack_ms", opt, sizeof(opt))) {
		timer_slack_us = 0;
		for (const char *c = opt; *c >= '0' && *c <= '9'; c++) {
			timer_slack_us = timer_slack_us * 10 + (uint64_t)(*c - '0');
		}
		timer_slack_us *= 1000;
	}
	if (!(bootarg("mmu", opt, sizeof(opt)) && !strcmp(opt, "off"))) {
		mmu_setup();
	}
	gicd_init();
	gic_init_cpu();
	cpus[cpu_id()].started = true;
	if (!bootarg("suite", suite, sizeof(suite))) {
		guest_crash("no suite= in the boot arguments");
	}
	printf("guest-tests: suite %s; %u vCPUs, RAM %#llx-%#llx, GICD %#llx, GICR %#llx, "
	       "MMU %s, console %s, timer %llu Hz\n",
	       suite, plat.nr_cpus, (unsigned long long)plat.ram_base,
	       (unsigned long long)(plat.ram_base + plat.ram_size - 1),
	       (unsigned long long)plat.gicd, (unsigned long long)plat.gicr,
	       plat.mmu ? "on" : "off", plat.xen ? "xen" : "pl011",
	       (unsigned long long)timer_freq());
	run_tests(suite, &passed, &failed, &skipped);
	if (!passed && !failed && !skipped) {
		printf("no tests in suite '%s'\n", suite);
		failed = 1;
	}
	printf("FINISHED: %u passed, %u failed (%u skipped)\n", passed, failed, skipped);
	system_off();
}
