/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Calls to the firmware's PSCI (Arm DEN0022, "Power State Coordination Interface").
 * The hypervisor can only use the SMC conduit: an HVC at EL2 would trap to itself.
 */
#include <asm/psci.h>
#include <hv/errno.h>
#include <hv/log.h>

/* PSCI 0.2+ function IDs (DEN0022D table 5-x; SMC64 where arguments are 64-bit). */
#define PSCI_0_2_VERSION 0x84000000u
#define PSCI_0_2_CPU_ON_64 0xC4000003u
#define PSCI_0_2_SYSTEM_OFF 0x84000008u
#define PSCI_0_2_SYSTEM_RESET 0x84000009u

static enum psci_method psci_method;
static unsigned int psci_major;
static u32 psci_cpu_on_id;

static s64 psci_smc(u64 fn, u64 a1, u64 a2, u64 a3)
{
	register u64 x0 __asm__("x0") = fn;
	register u64 x1 __asm__("x1") = a1;
	register u64 x2 __asm__("x2") = a2;
	register u64 x3 __asm__("x3") = a3;

	__asm__ volatile("smc #0"
			 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
			 :
			 : "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13", "x14",
			   "x15", "x16", "x17", "memory");
	return (s64)x0;
}

/** Records the firmware's PSCI conduit; logs the version. */
void psci_init(const struct boot_psci *p)
{
	psci_method = p->method;
	psci_major = p->major;
	psci_cpu_on_id = p->cpu_on_id;
	if (psci_method == PSCI_METHOD_HVC) {
		log_warn("PSCI: the device tree asks for the HVC conduit, which a hypervisor "
			 "cannot use; secondary CPUs and power off are unavailable\n");
		psci_method = PSCI_METHOD_NONE;
	}
	if (psci_method == PSCI_METHOD_NONE) {
		log_warn("PSCI: no usable firmware interface: only the boot CPU will run\n");
		return;
	}
	if (psci_major >= 2) {
		u64 v = (u64)psci_smc(PSCI_0_2_VERSION, 0, 0, 0);

		log_info("PSCI: version %u.%u via SMC\n", (unsigned int)(v >> 16) & 0xffff,
			 (unsigned int)v & 0xffff);
	} else {
		log_info("PSCI: version 0.1 via SMC\n");
	}
}

bool psci_available(void)
{
	return psci_method == PSCI_METHOD_SMC;
}

/** Starts the CPU with affinity 'mpidr' at PA 'entry' with x0 = ctx. 0 or -errno. */
int psci_cpu_on(u64 mpidr, paddr_t entry, u64 ctx)
{
	u32 fn = psci_major >= 2 ? PSCI_0_2_CPU_ON_64 : psci_cpu_on_id;
	s64 r;

	if (!psci_available() || fn == 0) {
		return -HV_ENOSYS;
	}
	r = psci_smc(fn, mpidr, entry, ctx);
	switch (r) {
	case 0:
		return 0;
	case -2: /* INVALID_PARAMETERS */
		return -HV_EINVAL;
	case -4: /* ALREADY_ON */
	case -5: /* ON_PENDING */
		return -HV_EBUSY;
	default:
		return -HV_EIO;
	}
}

void psci_system_off(void)
{
	if (psci_available() && psci_major >= 2) {
		psci_smc(PSCI_0_2_SYSTEM_OFF, 0, 0, 0);
	}
}

void psci_system_reset(void)
{
	if (psci_available() && psci_major >= 2) {
		psci_smc(PSCI_0_2_SYSTEM_RESET, 0, 0, 0);
	}
}
