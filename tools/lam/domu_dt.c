// SPDX-License-Identifier: Apache-2.0
/*
 * `lam`'s names for the shared DomU device-tree builder (hv/arch/arm64/guest/domu_dt.c,
 * see arm64_guest.h), which the hypervisor's dom0less builder uses too.
 */
#include <stdio.h>

#include <lam/domu_dt.h>

uint32_t lam_domu_vcpu_mpidr(unsigned int vcpuid)
{
	return arm64_vcpu_to_mpidr(vcpuid);
}

void lam_domu_layout_init(struct lam_domu_layout *l, uint64_t mem_bytes, unsigned int nr_vcpus)
{
	arm64_domu_layout_init(l, mem_bytes, nr_vcpus);
}

int lam_domu_dt_build(const struct lam_domu_layout *l, void *buf, size_t bufsize, char *err,
		      size_t errlen)
{
	if (l->gnttab_size == 0) {
		/* The shared builder leaves /hypervisor out then; lam's guests always have it. */
		snprintf(err, errlen, "device tree: empty grant-table region");
		return -1;
	}
	return arm64_domu_dt_build(l, buf, bufsize, err, errlen) != 0 ? -1 : 0;
}
