/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Suites "isolation" (no IPA outside the guest's RAM and emulated devices reaches
 * anything: each access gets a data abort) and "hostile" (random hypercalls, SMCCC calls,
 * GIC register writes and trapped system registers; the domain and the hypervisor must
 * survive, and the suite ends with FINISHED like any other).
 */
#include "guest.h"

static void check_abort(uint64_t addr, bool write)
{
	struct fault_record f;

	fault_expect();
	if (write) {
		probe_write(addr, 0x5a5a5a5a5a5a5a5aull);
	} else {
		probe_read(addr);
	}
	if (!fault_take(&f)) {
		test_fail(__FILE__, __LINE__, "%s of %#llx did not fault", write ? "write" : "read",
			  (unsigned long long)addr);
		return;
	}
	printf("%s %#llx: ESR %#llx FAR %#llx\n", write ? "write" : "read ",
	       (unsigned long long)addr, (unsigned long long)f.esr, (unsigned long long)f.far);
	if (ESR_EC(f.esr) != EC_DABT_CUR && ESR_EC(f.esr) != EC_DABT_LOWER) {
		test_fail(__FILE__, __LINE__, "%#llx: EC %#llx is no data abort",
			  (unsigned long long)addr, (unsigned long long)ESR_EC(f.esr));
	}
	if (f.far != addr) {
		test_fail(__FILE__, __LINE__, "%#llx: FAR %#llx", (unsigned long long)addr,
			  (unsigned long long)f.far);
	}
	/* ESR_ELx.ISS.WnR (bit 6) tells reads from writes (Arm ARM D17.2.40). */
	if (((f.esr >> 6) & 1) != write) {
		test_fail(__FILE__, __LINE__, "%#llx: WnR %llu for a %s", (unsigned long long)addr,
			  (unsigned long long)((f.esr >> 6) & 1), write ? "write" : "read");
	}
}

static void check_both(uint64_t addr)
{
	check_abort(addr, false);
	check_abort(addr, true);
}

TEST_F(isolation, ipa_zero, TF_XEN)
{
	check_both(0x0);
}

TEST_F(isolation, host_gicd, TF_XEN)
{
	check_both(0x08000000);
	check_both(0x08010000); /* host GICv2-compatible CPU interface / ITS area */
	check_both(0x080a0000); /* host GICR */
}

TEST_F(isolation, host_uart, TF_XEN)
{
	check_both(0x09000000);
}

TEST_F(isolation, below_ram, TF_XEN)
{
	check_both(0x3f000000);
	check_both(plat.ram_base - 8);
}

TEST_F(isolation, gap_after_gicd, TF_XEN)
{
	check_both(plat.gicd + 0x10000);
}

TEST_F(isolation, end_of_ram, TF_XEN)
{
	check_both(plat.ram_base + plat.ram_size);
	check_both(plat.ram_base + plat.ram_size + 0x200000);
}

TEST_F(isolation, above_4g, TF_XEN)
{
	check_both(0x100000000ull);
	check_both(0x200000000ull); /* GUEST_RAM1_BASE: no second bank given */
}

TEST(isolation, last_ram_page)
{
	uint64_t page = plat.ram_base + plat.ram_size - 4096;

	for (uint64_t a = page; a < page + 4096; a += 8) {
		probe_write(a, a ^ 0x1234567887654321ull);
	}
	for (uint64_t a = page; a < page + 4096; a += 8) {
		if (probe_read(a) != (a ^ 0x1234567887654321ull)) {
			test_fail(__FILE__, __LINE__, "RAM at %#llx reads back wrong",
				  (unsigned long long)a);
			return;
		}
	}
}

/* Afterwards the domain still works. */
TEST_F(isolation, still_alive, TF_XEN)
{
	EXPECT_EQ(smccc_call(PSCI_VERSION, 0, 0, 0), 0x10001);
	EXPECT(hypercall5(HYPERVISOR_xen_version, XENVER_version, 0, 0, 0, 0) > 0);
}

/* ------------------------------------------------------------------ hostile */

#define FUZZ_ITERATIONS 2000
#define SCRATCH_SIZE 8192

struct fuzz_stats {
	unsigned long hvc0, xen, gic, sysreg, faults;
};

static struct fuzz_stats stats[MAX_CPUS];
static volatile unsigned int fuzz_done;

/* Scratch buffer for pointer arguments: the top of RAM, per vCPU; nothing else lives there. */
static uint64_t scratch(unsigned int cpu)
{
	return plat.ram_base + plat.ram_size - (uint64_t)(cpu + 1) * 0x40000;
}

static uint64_t rand_arg(uint64_t *s, unsigned int cpu)
{
	uint64_t r = prng_next(s);

	switch (r % 6) {
	case 0:
		return prng_next(s);
	case 1:
		return r >> 58; /* small */
	case 2:
	case 3:
		return scratch(cpu) + ((r >> 8) % (SCRATCH_SIZE - 64) & ~7ull);
	case 4:
		return ((r >> 8) & 0xffff) << 12; /* below RAM: not ours */
	default:
		return (r & 0x100) ? ~0ull : 0;
	}
}

/* Keeps PSCI calls that would stop or restart a vCPU or the domain out of the mix. */
static uint64_t safe_smccc_fid(uint64_t fid)
{
	uint32_t base = (uint32_t)fid & ~0x40000000u;

	if ((base & 0xffffffe0u) == 0x84000000u) {
		switch (base & 0x1f) {
		case 0x0:  /* PSCI_VERSION */
		case 0x4:  /* AFFINITY_INFO */
		case 0x5:  /* MIGRATE */
		case 0x6:  /* MIGRATE_INFO_TYPE */
		case 0x7:  /* MIGRATE_INFO_UP_CPU */
		case 0xa:  /* PSCI_FEATURES */
		case 0xd:  /* NODE_HW_STATE */
		case 0x10: /* PSCI_STAT_RESIDENCY */
		case 0x11: /* PSCI_STAT_COUNT */
			return fid;
		default:
			return PSCI_VERSION;
		}
	}
	return fid;
}

static void fuzz_hvc0(uint64_t *s, unsigned int cpu)
{
	uint64_t r = prng_next(s), fid;

	switch (r % 5) {
	case 0:
		fid = prng_next(s);
		break;
	case 1:
		fid = 0x84000000u | (r >> 8 & 0x1f);
		break;
	case 2:
		fid = 0xc4000000u | (r >> 8 & 0x1f);
		break;
	case 3:
		fid = 0x80000000u | (r >> 8 & 0xffff);
		break;
	default:
		fid = (0x80000000u | (uint32_t)(r >> 8 & 0x3f) << 24) | (r >> 16 & 0xffff);
		break;
	}
	if (r & (1ull << 40)) {
		fid |= prng_next(s) << 32; /* junk in the upper half of x0 */
	}
	fid = safe_smccc_fid(fid);
	smccc_call8(fid, rand_arg(s, cpu), rand_arg(s, cpu), rand_arg(s, cpu), rand_arg(s, cpu),
		    rand_arg(s, cpu), rand_arg(s, cpu), rand_arg(s, cpu));
	stats[cpu].hvc0++;
}

static void fuzz_xen(uint64_t *s, unsigned int cpu)
{
	uint64_t r = prng_next(s);
	uint64_t nr = (r & 3) ? (r >> 8) % 48 : prng_next(s);
	uint64_t a[5];

	for (unsigned int i = 0; i < 5; i++) {
		a[i] = rand_arg(s, cpu);
	}
	switch (nr) {
	case 6: /* sched_op_compat: shutdown takes the reason directly */
		return;
	case HYPERVISOR_console_io:
		if (a[1] >= plat.ram_base && a[1] < plat.ram_base + plat.ram_size) {
			a[1] &= 63; /* keep the log readable */
		}
		if (a[0] == CONSOLEIO_write) {
			a[2] = (uintptr_t) "hostile ";
			a[1] &= 7;
		}
		break;
	case HYPERVISOR_sched_op:
		a[0] = SCHEDOP_yield;
		break;
	case 24: /* vcpu_op: only the register calls; never down/up/initialise */
		if (a[0] < 5) {
			a[0] = 10;
		}
		break;
	default:
		break;
	}
	hypercall5(nr, a[0], a[1], a[2], a[3], a[4]);
	stats[cpu].xen++;
}

static void fuzz_gic(uint64_t *s, unsigned int cpu)
{
	uint64_t r = prng_next(s), v = prng_next(s), addr;
	struct fault_record f;

	if (r & 1) {
		addr = plat.gicd + ((r >> 8) & 0xfffc);
	} else {
		addr = gicr_base((r >> 40) % plat.nr_cpus) + ((r >> 8) & 0x1fffc);
	}
	fault_expect();
	switch ((r >> 32) & 7) {
	case 0:
		__asm__ volatile("strb %w0, [%1]" ::"r"(v), "r"(addr) : "memory");
		break;
	case 1:
		__asm__ volatile("ldr %w0, [%1]" : "=r"(v) : "r"(addr) : "memory");
		break;
	case 2:
		__asm__ volatile("str %0, [%1]" ::"r"(v), "r"(addr & ~7ull) : "memory");
		break;
	case 3:
		__asm__ volatile("strh %w0, [%1]" ::"r"(v), "r"(addr) : "memory");
		break;
	default:
		__asm__ volatile("str %w0, [%1]" ::"r"(v), "r"(addr) : "memory");
		break;
	}
	if (fault_take(&f)) {
		stats[cpu].faults++;
	}
	stats[cpu].gic++;
}

static void fuzz_sysreg(uint64_t *s, unsigned int cpu)
{
	uint64_t r = prng_next(s), v = prng_next(s);
	struct fault_record f;

	fault_expect();
	switch ((r >> 8) % 12) {
	case 0:
	case 1:
		WRITE_SYSREG(icc_sgi1r_el1, v);
		break;
	case 2:
		WRITE_SYSREG(icc_asgi1r_el1, v);
		break;
	case 3:
		WRITE_SYSREG(icc_sgi0r_el1, v);
		break;
	case 4:
		WRITE_SYSREG(cntp_ctl_el0, v & 3);
		break;
	case 5:
		WRITE_SYSREG(cntp_cval_el0, v);
		break;
	case 6:
		WRITE_SYSREG(cntp_tval_el0, v);
		break;
	case 7:
		(void)(READ_SYSREG(cntp_ctl_el0) + READ_SYSREG(cntp_cval_el0) +
		       READ_SYSREG(cntpct_el0)); /* the trapped reads are the point */
		break;
	case 8:
		__asm__ volatile("dc isw, %0" ::"r"(v) : "memory");
		break;
	case 9:
		__asm__ volatile("dc cisw, %0" ::"r"(v) : "memory");
		break;
	case 10:
		WRITE_SYSREG(icc_dir_el1, v & 0xffffff);
		break;
	default:
		v = READ_SYSREG(pmcr_el0);
		WRITE_SYSREG(pmcr_el0, v & ~1ull); /* counters stay off */
		break;
	}
	isb();
	if (fault_take(&f)) {
		stats[cpu].faults++;
	}
	stats[cpu].sysreg++;
}

static void fuzz(void *arg)
{
	unsigned int cpu = cpu_id();
	uint64_t seed = 0x9e3779b97f4a7c15ull ^ ((uint64_t)cpu << 32) ^ (uintptr_t)arg;

	irq_disable();
	for (unsigned int i = 0; i < FUZZ_ITERATIONS; i++) {
		uint64_t r = prng_next(&seed);
		uint64_t *buf = (uint64_t *)(uintptr_t)scratch(cpu);

		/* Fresh random bytes where the pointer arguments point. */
		for (unsigned int j = 0; j < SCRATCH_SIZE / 8; j += 7) {
			buf[j] = prng_next(&seed);
		}
		switch (r % 8) {
		case 0:
		case 1:
			fuzz_hvc0(&seed, cpu);
			break;
		case 2:
		case 3:
		case 4:
			fuzz_xen(&seed, cpu);
			break;
		case 5:
		case 6:
			fuzz_gic(&seed, cpu);
			break;
		default:
			fuzz_sysreg(&seed, cpu);
			break;
		}
		if (cpu == 0 && i % 500 == 499) {
			printf("hostile: %u iterations\n", i + 1);
		}
	}
	fault_expect();
	WRITE_SYSREG(cntp_ctl_el0, 0);
	isb();
	fault_take(&(struct fault_record){ 0 });
	__atomic_fetch_add(&fuzz_done, 1, __ATOMIC_RELEASE);
}

TEST_F(hostile, fuzz, TF_XEN)
{
	unsigned int n = plat.nr_cpus;

	fuzz_done = 0;
	memset(stats, 0, sizeof(stats));
	for (unsigned int i = 1; i < n; i++) {
		ASSERT_EQ(cpu_start(i, fuzz, (void *)0x5eed), 0);
	}
	fuzz((void *)0x5eed);
	ASSERT(WAIT_FOR(READ_ONCE(fuzz_done) == n, 120000000));
	for (unsigned int i = 0; i < n; i++) {
		printf("vCPU %u: %lu SMCCC, %lu hypercalls, %lu GIC accesses, %lu system "
		       "registers, %lu faults\n",
		       i, stats[i].hvc0, stats[i].xen, stats[i].gic, stats[i].sysreg,
		       stats[i].faults);
	}
	for (unsigned int i = 1; i < n; i++) {
		EXPECT(cpu_wait_off(i, 5000000));
	}
}

#define UNDEF_HVC(imm)                                                                       \
	do {                                                                                 \
		struct fault_record f_;                                                      \
		fault_expect();                                                              \
		__asm__ volatile("mov x0, #0x84000000\n\thvc #" #imm ::                      \
					 : "x0", "x1", "x2", "x3", "x16", "memory");         \
		if (!fault_take(&f_)) {                                                      \
			test_fail(__FILE__, __LINE__, "HVC #%s: no exception", #imm);        \
		} else if (ESR_EC(f_.esr) != EC_UNKNOWN) {                                   \
			test_fail(__FILE__, __LINE__, "HVC #%s: EC %#llx, expected 0", #imm, \
				  (unsigned long long)ESR_EC(f_.esr));                       \
		}                                                                            \
	} while (0)

TEST_F(hostile, unknown_hvc_immediates, TF_XEN)
{
	UNDEF_HVC(1);
	UNDEF_HVC(0x42);
	UNDEF_HVC(0xea0);
	UNDEF_HVC(0xea2);
	UNDEF_HVC(0x8000);
	UNDEF_HVC(0xfffe);
}

TEST_F(hostile, still_alive, TF_XEN)
{
	EXPECT_EQ(smccc_call(PSCI_VERSION, 0, 0, 0), 0x10001);
	EXPECT(hypercall5(HYPERVISOR_xen_version, XENVER_version, 0, 0, 0, 0) > 0);
	EXPECT_EQ(xen_sched_yield(), 0);
}
