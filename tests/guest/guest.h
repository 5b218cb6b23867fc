/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Lamina guest-test runtime: a freestanding EL1 program that Lamina boots as a domU kernel
 * (or QEMU boots directly at EL1, to validate the runtime itself). One image holds every
 * suite; the "suite=" boot argument selects which run.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdarg.h>

#define MAX_CPUS 16
#define STACK_SIZE 16384

/* Hypercall numbers and sub-ops (Xen public/xen.h, sched.h, version.h). */
#define HYPERVISOR_xen_version 17
#define HYPERVISOR_console_io 18
#define HYPERVISOR_sched_op 29
#define CONSOLEIO_write 0
#define SCHEDOP_yield 0
#define SCHEDOP_shutdown 2
#define SHUTDOWN_poweroff 0
#define SHUTDOWN_reboot 1
#define SHUTDOWN_crash 3
#define XENVER_version 0
#define XENVER_extraversion 1
#define XENVER_get_features 6
#define XEN_ENOSYS 38
#define XEN_EFAULT 14

/* PSCI 1.1 and SMCCC 1.2 function IDs and return codes (Arm DEN0022, DEN0028). */
#define PSCI_VERSION 0x84000000u
#define PSCI_CPU_SUSPEND 0xC4000001u
#define PSCI_CPU_OFF 0x84000002u
#define PSCI_CPU_ON 0xC4000003u
#define PSCI_AFFINITY_INFO 0xC4000004u
#define PSCI_MIGRATE_INFO_TYPE 0x84000006u
#define PSCI_SYSTEM_OFF 0x84000008u
#define PSCI_SYSTEM_RESET 0x84000009u
#define PSCI_FEATURES 0x8400000Au
#define SMCCC_VERSION 0x80000000u
#define SMCCC_ARCH_FEATURES 0x80000001u
#define PSCI_RET_SUCCESS 0
#define PSCI_RET_NOT_SUPPORTED (-1)
#define PSCI_RET_INVALID_PARAMS (-2)
#define PSCI_RET_ALREADY_ON (-4)
#define PSCI_AFF_ON 0
#define PSCI_AFF_OFF 1

/* ESR_ELx exception classes (Arm ARM D17.2.37). */
#define EC_UNKNOWN 0x00
#define EC_DABT_LOWER 0x24
#define EC_DABT_CUR 0x25
#define ESR_EC(esr) (((esr) >> 26) & 0x3f)

/* Interrupt IDs. */
#define PPI_VTIMER 27
#define PPI_PTIMER 30
#define SPURIOUS_INTID 1020

#define READ_SYSREG(r)                                      \
	({                                                  \
		uint64_t v_;                                \
		__asm__ volatile("mrs %0, " #r : "=r"(v_)); \
		v_;                                         \
	})
#define WRITE_SYSREG(r, v) __asm__ volatile("msr " #r ", %0" ::"r"((uint64_t)(v)) : "memory")
#define isb() __asm__ volatile("isb" ::: "memory")
#define dsb(o) __asm__ volatile("dsb " #o ::: "memory")
#define wfi() __asm__ volatile("dsb sy; wfi" ::: "memory")
#define wfe() __asm__ volatile("wfe" ::: "memory")
#define sev() __asm__ volatile("sev" ::: "memory")
#define irq_enable() __asm__ volatile("msr daifclr, #2" ::: "memory")
#define irq_disable() __asm__ volatile("msr daifset, #2" ::: "memory")
#define barrier() __asm__ volatile("" ::: "memory")

#define READ_ONCE(x) (*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v) (*(volatile __typeof__(x) *)&(x) = (v))

static inline uint32_t mmio_read32(uint64_t addr)
{
	uint32_t v;

	__asm__ volatile("ldr %w0, [%1]" : "=r"(v) : "r"(addr) : "memory");
	return v;
}

static inline void mmio_write32(uint64_t addr, uint32_t v)
{
	__asm__ volatile("str %w0, [%1]" ::"r"(v), "r"(addr) : "memory");
}

static inline uint64_t mmio_read64(uint64_t addr)
{
	uint64_t v;

	__asm__ volatile("ldr %0, [%1]" : "=r"(v) : "r"(addr) : "memory");
	return v;
}

static inline void mmio_write64(uint64_t addr, uint64_t v)
{
	__asm__ volatile("str %0, [%1]" ::"r"(v), "r"(addr) : "memory");
}

/** The platform as read from the device tree the guest was booted with. */
struct platform {
	uint64_t ram_base, ram_size;
	uint64_t gicd, gicr;
	unsigned int nr_cpus;
	char bootargs[256];
	bool xen;      /* console_io and Xen hypercalls are available */
	bool mmu;      /* stage-1 identity map with Normal WB RAM is on */
	uint64_t uart; /* PL011 console when not Xen */
};
extern struct platform plat;
/* Allowed interrupt latency (boot argument slack_ms=; TCG is slow and hosts get busy). */
extern uint64_t timer_slack_us;

/* Registers saved by the exception vectors (start.S); layout shared with the assembly. */
struct exc_frame {
	uint64_t x[31];
	uint64_t sp;
	uint64_t elr;
	uint64_t spsr;
};

/** A synchronous exception seen by a vCPU, kept for the test that provoked it. */
struct fault_record {
	uint64_t esr, far, elr;
	unsigned long count;
};

/* Per-vCPU state. Index = MPIDR_EL1.Aff0. */
struct cpu_state {
	volatile bool started;
	volatile bool expect_fault;
	struct fault_record last_fault;
	uint64_t mpidr;
	uint64_t context;
	void (*volatile fn)(void *);
	void *volatile arg;
	void (*irq_handler[32])(unsigned int intid);
	volatile unsigned long irq_count[32];
	volatile unsigned long unexpected_irqs;
	char line[160];
	unsigned int line_len;
};
extern struct cpu_state cpus[MAX_CPUS];

unsigned int cpu_id(void);

/* Console: line-buffered per vCPU, through console_io or the PL011. */
void putchar_(char c);
void puts_(const char *s);
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void console_flush(void);

/* Boot arguments ("key=value" words): the value of key in out (true if present). */
bool bootarg(const char *key, char *out, unsigned int size);
/* A decimal boot argument, or dflt if absent or not a number. */
unsigned long bootarg_num(const char *key, unsigned long dflt);

/*
 * The RAM past the image (free once the device tree was read): fill it with a pattern
 * derived from seed; count the words that no longer match (the first in *first_bad).
 */
void ram_pattern_fill(uint64_t seed);
uint64_t ram_pattern_check(uint64_t seed, uint64_t *first_bad);

/* Library bits. */
void *memset(void *s, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);

/* Hypercalls (start.S). */
long hypercall5(unsigned long nr, unsigned long a0, unsigned long a1, unsigned long a2,
		unsigned long a3, unsigned long a4);
uint64_t smccc_call(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3);
uint64_t smccc_call8(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5,
		     uint64_t a6, uint64_t a7);
long xen_console_write(const char *buf, unsigned long len);
long xen_sched_shutdown(unsigned int reason);
long xen_sched_yield(void);

/* PSCI. */
int32_t psci_cpu_on(uint64_t mpidr, uint64_t entry, uint64_t context);
int32_t psci_affinity_info(uint64_t mpidr);
int32_t psci_features(uint32_t fn);
void psci_cpu_off(void) __attribute__((noreturn));
void system_off(void) __attribute__((noreturn));
void guest_crash(const char *why) __attribute__((noreturn));

/* Secondary vCPUs. */
int cpu_start(unsigned int cpu, void (*fn)(void *), void *arg);
bool cpu_wait_started(unsigned int cpu, uint64_t timeout_us);
bool cpu_wait_off(unsigned int cpu, uint64_t timeout_us);
extern char secondary_entry[];

/* GICv3. */
void gic_init_cpu(void);
void gic_enable_private(unsigned int intid, void (*handler)(unsigned int intid));
void gic_disable_private(unsigned int intid);
void gic_send_sgi(unsigned int cpu, unsigned int intid);
void gic_send_sgi_others(unsigned int intid);
uint64_t gicr_base(unsigned int cpu);

/* Generic timer. */
uint64_t timer_freq(void);
uint64_t timer_now(void);
uint64_t us_to_ticks(uint64_t us);
uint64_t ticks_to_us(uint64_t ticks);
void udelay(uint64_t us);

/* Spinlock: ticket lock using exclusives (valid since RAM is Normal WB with the MMU on). */
struct spinlock {
	uint32_t next, owner;
};
void spin_lock(struct spinlock *l);
void spin_unlock(struct spinlock *l);

/* Faults: arm, run a faulting access, check what was recorded. */
void fault_expect(void);
bool fault_take(struct fault_record *out);
uint64_t probe_read(uint64_t addr);
/* Runs A32 code at EL0 in AArch32 until its first exception (start.S); fault_expect() first. */
void run_a32_el0(const void *entry, uint64_t r1);
extern char a32_el0_return[];
extern char a32_load_r1[]; /* A32: ldr r0, [r1] */
void probe_write(uint64_t addr, uint64_t v);

/* Tests. */
#define TF_XEN 1u    /* needs Lamina's hypercalls: skipped when booted directly by QEMU */
#define TF_SMP2 2u   /* needs at least 2 vCPUs */
#define TF_NATIVE 4u /* only meaningful on real hardware / QEMU directly */

struct test_desc {
	const char *suite;
	const char *name;
	void (*fn)(void);
	unsigned int flags;
};

#define TEST_F(suite, name, flags)                                                               \
	static void test_##suite##_##name(void);                                                 \
	static const struct test_desc desc_##suite##_##name                                      \
		__attribute__((used, section(".tests"),                                          \
			       aligned(8))) = { #suite, #name, test_##suite##_##name, (flags) }; \
	static void test_##suite##_##name(void)
#define TEST(suite, name) TEST_F(suite, name, 0)

void test_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
bool test_failed(void);
void test_skip(const char *why);

#define EXPECT(cond)                                                \
	do {                                                        \
		if (!(cond)) {                                      \
			test_fail(__FILE__, __LINE__, "%s", #cond); \
		}                                                   \
	} while (0)
#define ASSERT(cond)                                                \
	do {                                                        \
		if (!(cond)) {                                      \
			test_fail(__FILE__, __LINE__, "%s", #cond); \
			return;                                     \
		}                                                   \
	} while (0)
#define EXPECT_EQ(a, b)                                                                          \
	do {                                                                                     \
		long long a_ = (long long)(a), b_ = (long long)(b);                              \
		if (a_ != b_) {                                                                  \
			test_fail(__FILE__, __LINE__, "%s == %s (%lld, 0x%llx vs %lld, 0x%llx)", \
				  #a, #b, a_, a_, b_, b_);                                       \
		}                                                                                \
	} while (0)
#define ASSERT_EQ(a, b)                                                                          \
	do {                                                                                     \
		long long a_ = (long long)(a), b_ = (long long)(b);                              \
		if (a_ != b_) {                                                                  \
			test_fail(__FILE__, __LINE__, "%s == %s (%lld, 0x%llx vs %lld, 0x%llx)", \
				  #a, #b, a_, a_, b_, b_);                                       \
			return;                                                                  \
		}                                                                                \
	} while (0)

/* Waits until cond holds or timeout_us of virtual time passed; true if it holds. */
#define WAIT_FOR(cond, timeout_us)                                     \
	({                                                             \
		uint64_t end_ = timer_now() + us_to_ticks(timeout_us); \
		bool ok_;                                              \
		while (!(ok_ = (cond)) && timer_now() < end_) {        \
		}                                                      \
		ok_;                                                   \
	})

/*
 * Sleeps in WFI until cond holds. IRQs are masked around the check and the WFI, so an
 * interrupt that makes cond true cannot slip in between (it ends the WFI instead).
 */
#define WFI_UNTIL(cond)                \
	do {                           \
		irq_disable();         \
		while (!(cond)) {      \
			wfi();         \
			irq_enable();  \
			isb();         \
			irq_disable(); \
		}                      \
		irq_enable();          \
	} while (0)

/* Small PRNG (xorshift64*) with a fixed seed so a failure replays. */
static inline uint64_t prng_next(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545F4914F6CDD1Dull;
}
