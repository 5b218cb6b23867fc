/* SPDX-License-Identifier: Apache-2.0 */
/* Suite "psci": PSCI 1.1 and SMCCC over HVC #0 (Arm DEN 0022, DEN 0028; Xen's arch/arm/vpsci.c). */
#include "guest.h"

TEST(psci, version)
{
	EXPECT_EQ(smccc_call(PSCI_VERSION, 0, 0, 0), 0x10001);
}

TEST(psci, smccc_version)
{
	uint64_t v;

	if (!plat.xen && psci_features(SMCCC_VERSION) != PSCI_RET_SUCCESS) {
		test_skip("firmware without SMCCC_VERSION");
		return;
	}
	ASSERT_EQ(psci_features(SMCCC_VERSION), PSCI_RET_SUCCESS);
	v = smccc_call(SMCCC_VERSION, 0, 0, 0);
	printf("SMCCC version %llu.%llu\n", (unsigned long long)(v >> 16),
	       (unsigned long long)(v & 0xffff));
	EXPECT_EQ(v >> 16, 1);
	EXPECT((v & 0xffff) >= 1);
}

TEST(psci, features)
{
	static const uint32_t supported[] = {
		PSCI_VERSION,	    PSCI_CPU_OFF,
		PSCI_CPU_ON,	    0x84000003u,
		PSCI_AFFINITY_INFO, 0x84000004u,
		PSCI_SYSTEM_OFF,    PSCI_SYSTEM_RESET,
		PSCI_FEATURES,	    PSCI_MIGRATE_INFO_TYPE,
		PSCI_CPU_SUSPEND,
	};

	for (unsigned int i = 0; i < sizeof(supported) / sizeof(supported[0]); i++) {
		int32_t rc = psci_features(supported[i]);

		if (rc < 0) {
			test_fail(__FILE__, __LINE__, "PSCI_FEATURES(%#x) = %d", supported[i], rc);
		}
	}
	EXPECT_EQ(psci_features(0x8400001fu), PSCI_RET_NOT_SUPPORTED);
	EXPECT_EQ(psci_features(0x12345678u), PSCI_RET_NOT_SUPPORTED);
}

TEST(psci, unknown_function)
{
	/* SMCCC: an unknown function ID returns -1 in w0. */
	EXPECT_EQ((uint32_t)smccc_call(0x8400001fu, 0, 0, 0), 0xffffffffu);
	EXPECT_EQ((uint32_t)smccc_call(0xc600abcdu, 1, 2, 3), 0xffffffffu);
	EXPECT_EQ((uint32_t)smccc_call(0x8000ff77u, 0, 0, 0), 0xffffffffu);
}

TEST(psci, migrate_info_type)
{
	int32_t rc = (int32_t)smccc_call(PSCI_MIGRATE_INFO_TYPE, 0, 0, 0);

	/* 2: Trusted OS not present or needs no migration; NOT_SUPPORTED is also allowed. */
	EXPECT(rc == 2 || rc == PSCI_RET_NOT_SUPPORTED);
}

static volatile bool release;

static void park(void *arg)
{
	(void)arg;
	while (!READ_ONCE(release)) {
		wfe();
	}
}

/* CPU_ON each secondary, check MPIDR and context_id, ALREADY_ON, then CPU_OFF. */
TEST_F(psci, cpu_on_off, TF_SMP2)
{
	release = false;
	for (unsigned int i = 1; i < plat.nr_cpus; i++) {
		EXPECT_EQ(psci_affinity_info(i), PSCI_AFF_OFF);
		ASSERT_EQ(cpu_start(i, park, NULL), PSCI_RET_SUCCESS);
		if (!cpu_wait_started(i, 5000000)) {
			test_fail(__FILE__, __LINE__, "vCPU %u did not start", i);
			continue;
		}
		printf("vCPU %u started: MPIDR %#llx, context %#llx\n", i,
		       (unsigned long long)cpus[i].mpidr, (unsigned long long)cpus[i].context);
		EXPECT_EQ(cpus[i].mpidr & 0xff, i);
		EXPECT_EQ(cpus[i].mpidr & 0xffff00ffull, 0x80000000u | i);
		EXPECT_EQ(cpus[i].context >> 1, 0xc0de0000u >> 1);
		EXPECT_EQ(psci_affinity_info(i), PSCI_AFF_ON);
		EXPECT_EQ(psci_cpu_on(i, (uintptr_t)secondary_entry, 0), PSCI_RET_ALREADY_ON);
	}
	EXPECT_EQ(psci_affinity_info(0), PSCI_AFF_ON);
	EXPECT_EQ(psci_cpu_on(0, (uintptr_t)secondary_entry, 0), PSCI_RET_ALREADY_ON);
	release = true;
	dsb(sy);
	sev();
	for (unsigned int i = 1; i < plat.nr_cpus; i++) {
		EXPECT(cpu_wait_off(i, 5000000));
	}
}

/* A vCPU that was switched off can be switched on again, many times. */
TEST_F(psci, cpu_on_again, TF_SMP2)
{
	for (unsigned int round = 0; round < 5; round++) {
		for (unsigned int i = 1; i < plat.nr_cpus; i++) {
			int32_t aff = psci_affinity_info(i), rc = cpu_start(i, NULL, NULL);

			if (rc != PSCI_RET_SUCCESS) {
				test_fail(
					__FILE__, __LINE__,
					"round %u: CPU_ON(%u) = %d, AFFINITY_INFO just before: %d",
					round, i, rc, aff);
				return;
			}
		}
		for (unsigned int i = 1; i < plat.nr_cpus; i++) {
			ASSERT(cpu_wait_started(i, 5000000));
			ASSERT(cpu_wait_off(i, 5000000));
		}
	}
}

TEST(psci, cpu_on_invalid)
{
	unsigned int n = plat.nr_cpus;

	EXPECT_EQ(psci_cpu_on(n, (uintptr_t)secondary_entry, 0), PSCI_RET_INVALID_PARAMS);
	EXPECT_EQ(psci_cpu_on(15, (uintptr_t)secondary_entry, 0), PSCI_RET_INVALID_PARAMS);
	EXPECT_EQ(psci_cpu_on(0x100, (uintptr_t)secondary_entry, 0), PSCI_RET_INVALID_PARAMS);
	EXPECT_EQ(psci_cpu_on(0xff00ffffffull, (uintptr_t)secondary_entry, 0),
		  PSCI_RET_INVALID_PARAMS);
	/* AFFINITY_INFO of no vCPU: INVALID_PARAMETERS (or OFF, as Xen answers). */
	int32_t rc = psci_affinity_info(n);

	EXPECT(rc == PSCI_RET_INVALID_PARAMS || rc == PSCI_AFF_OFF);
}

/* CPU_SUSPEND (standby) returns once an interrupt is pending, even with IRQs masked. */
TEST(psci, cpu_suspend)
{
	uint64_t t0 = timer_now(), rc;

	irq_disable();
	WRITE_SYSREG(cntv_cval_el0, t0 + us_to_ticks(5000));
	WRITE_SYSREG(cntv_ctl_el0, 1);
	gic_enable_private(PPI_VTIMER, NULL);
	rc = smccc_call(PSCI_CPU_SUSPEND, 0, (uintptr_t)secondary_entry, 0);
	EXPECT_EQ(rc, 0);
	/* It returned because the timer fired (ISTATUS, Arm ARM D11.2.4), not at once. */
	EXPECT(READ_SYSREG(cntv_ctl_el0) & 4);
	EXPECT(timer_now() - t0 >= us_to_ticks(5000));
	WRITE_SYSREG(cntv_ctl_el0, 0);
	gic_disable_private(PPI_VTIMER);
	printf("CPU_SUSPEND returned after %llu us\n",
	       (unsigned long long)ticks_to_us(timer_now() - t0));
}
