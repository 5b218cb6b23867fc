/* SPDX-License-Identifier: Apache-2.0 */
/* Suites "console" (output, console_io, xen_version) and "runtime" (the runtime itself). */
#include "guest.h"

TEST(console, printf_formats)
{
	char buf[64];

	EXPECT_EQ(snprintf(buf, sizeof(buf), "%d %u %x %s", -42, 42u, 0xbeefu, "ok"), 14);
	EXPECT(!strcmp(buf, "-42 42 beef ok"));
	snprintf(buf, sizeof(buf), "%08llx|%-4d|%4d|%c", 0x1234ull, 7, -7, 'z');
	EXPECT(!strcmp(buf, "00001234|7   |  -7|z"));
	snprintf(buf, sizeof(buf), "%#lx %llu", 0xfffffffffffffffful, 18446744073709551615ull);
	EXPECT(!strcmp(buf, "0xffffffffffffffff 18446744073709551615"));
	EXPECT_EQ(snprintf(buf, 4, "abcdef"), 6);
	EXPECT(!strcmp(buf, "abc"));
	printf("console.printf: hello from vCPU %u, %d%%\n", cpu_id(), 100);
}

/* A line longer than any buffer on the way: the runner looks for its end marker. */
TEST(console, long_line)
{
	puts_("LONGLINE:");
	for (unsigned int i = 0; i < 40; i++) {
		printf("%02u-abcdefgh", i);
	}
	puts_(":END\n");
}

static char big[1024];

TEST_F(console, console_io_direct, TF_XEN)
{
	long rc;

	memset(big, 'x', sizeof(big));
	/* A marker at the start of the buffer, not a string: no NUL (the write has a length). */
	/* NOLINTNEXTLINE(bugprone-not-null-terminated-result) */
	memcpy(big, "\nBIGWRITE:", 10);
	big[sizeof(big) - 1] = '\n';
	rc = xen_console_write(big, sizeof(big));
	EXPECT(rc >= 0);
	EXPECT_EQ(xen_console_write(big, 0), 0);
}

TEST_F(console, console_io_bad_buffer, TF_XEN)
{
	uint64_t end = plat.ram_base + plat.ram_size;
	char *tail = (char *)(uintptr_t)(end - 16);

	/* Unbacked IPA and a buffer running off the end of RAM: -EFAULT, never a crash. */
	EXPECT_EQ(hypercall5(HYPERVISOR_console_io, CONSOLEIO_write, 16, 0x1000, 0, 0),
		  -XEN_EFAULT);
	memset(tail, '#', 16);
	EXPECT_EQ(hypercall5(HYPERVISOR_console_io, CONSOLEIO_write, 64, (uintptr_t)tail, 0, 0),
		  -XEN_EFAULT);
	EXPECT(hypercall5(HYPERVISOR_console_io, 77, 16, (uintptr_t)big, 0, 0) < 0);
	printf("\n");
}

TEST_F(console, xen_version, TF_XEN)
{
	long v = hypercall5(HYPERVISOR_xen_version, XENVER_version, 0, 0, 0, 0);
	char extra[16];
	struct {
		uint32_t idx, submap;
	} feat = { 0, 0 };

	printf("xen_version: %ld.%ld\n", v >> 16, v & 0xffff);
	EXPECT(v > 0);
	EXPECT((v >> 16) >= 3 && (v >> 16) < 100);
	memset(extra, 0x55, sizeof(extra));
	if (hypercall5(HYPERVISOR_xen_version, XENVER_extraversion, (uintptr_t)extra, 0, 0, 0) ==
	    0) {
		bool nul = false;

		for (unsigned int i = 0; i < sizeof(extra); i++) {
			nul |= extra[i] == '\0';
		}
		EXPECT(nul);
	}
	EXPECT_EQ(
		hypercall5(HYPERVISOR_xen_version, XENVER_get_features, (uintptr_t)&feat, 0, 0, 0),
		0);
	EXPECT(hypercall5(HYPERVISOR_xen_version, 0x7777, 0, 0, 0, 0) < 0);
}

TEST_F(console, unknown_hypercall, TF_XEN)
{
	EXPECT_EQ(hypercall5(1000, 0, 0, 0, 0, 0), -XEN_ENOSYS);
	EXPECT_EQ(hypercall5(64, 0, 0, 0, 0, 0), -XEN_ENOSYS);
	EXPECT_EQ(hypercall5(~0ul, 0, 0, 0, 0, 0), -XEN_ENOSYS);
}

TEST_F(console, yield, TF_XEN)
{
	for (unsigned int i = 0; i < 50; i++) {
		ASSERT_EQ(xen_sched_yield(), 0);
	}
}

/* ------------------------------------------------------------------ runtime */

TEST(runtime, fault_capture)
{
	struct fault_record f;
	/* Level-1 entry 255 of our identity map is invalid; without MMU it is no RAM. */
	uint64_t va = 0x3fc0000000ull;

	fault_expect();
	probe_read(va);
	ASSERT(fault_take(&f));
	EXPECT_EQ(ESR_EC(f.esr), EC_DABT_CUR);
	EXPECT_EQ(f.far, va);
	EXPECT_EQ(f.elr, (uintptr_t)probe_read);
}

TEST(runtime, undef_capture)
{
	struct fault_record f;

	fault_expect();
	__asm__ volatile("udf #0x4c" ::: "memory");
	ASSERT(fault_take(&f));
	EXPECT_EQ(ESR_EC(f.esr), EC_UNKNOWN);
}

static struct spinlock test_lock;
static volatile unsigned long shared_counter;
static volatile unsigned int lock_done;

static void lock_worker(void *arg)
{
	unsigned long n = (unsigned long)arg;

	for (unsigned long i = 0; i < n; i++) {
		spin_lock(&test_lock);
		shared_counter = shared_counter + 1;
		spin_unlock(&test_lock);
	}
	__atomic_fetch_add(&lock_done, 1, __ATOMIC_RELEASE);
}

/* Exclusives on every vCPU at once: no increment may be lost. */
TEST_F(runtime, spinlock, TF_SMP2)
{
	const unsigned long n = 2000;
	unsigned int ncpu = plat.nr_cpus;

	shared_counter = 0;
	lock_done = 0;
	for (unsigned int i = 1; i < ncpu; i++) {
		ASSERT_EQ(cpu_start(i, lock_worker, (void *)n), 0);
	}
	lock_worker((void *)n);
	ASSERT(WAIT_FOR(READ_ONCE(lock_done) == ncpu, 60000000));
	EXPECT_EQ(shared_counter, n * ncpu);
	for (unsigned int i = 1; i < ncpu; i++) {
		EXPECT(cpu_wait_off(i, 2000000));
	}
}
