/* SPDX-License-Identifier: Apache-2.0 */
/* Dom0's memory size: dom0_mem= or Lamina's automatic rule (see hv/dom0_mem.h). */
#include <hv/dom0_mem.h>
#include <hv/errno.h>
#include <hv/lib.h>

/** See hv/dom0_mem.h. */
int dom0_mem_choose(u64 total, u64 free, const struct hv_options *o, u64 *out, char *err,
		    size_t errlen)
{
	u64 avail = free > DOM0_HV_RESERVE ? free - DOM0_HV_RESERVE : 0;
	u64 want;

	avail = ROUND_DOWN(avail, DOM0_MEM_ALIGN);
	if (o->dom0_mem != 0) {
		want = ROUND_UP(o->dom0_mem, DOM0_MEM_ALIGN);
		if (want > avail) {
			hv_snprintf(err, errlen,
				    "dom0_mem=%lluM does not fit: %llu MiB free, %llu MiB kept for "
				    "the hypervisor, so at most %lluM",
				    (unsigned long long)(o->dom0_mem >> 20),
				    (unsigned long long)(free >> 20),
				    (unsigned long long)(DOM0_HV_RESERVE >> 20),
				    (unsigned long long)(avail >> 20));
			return -HV_ENOMEM;
		}
		if (want < DOM0_MEM_FLOOR) {
			hv_snprintf(err, errlen,
				    "dom0_mem=%lluM is too small: Dom0 needs at least %llu MiB",
				    (unsigned long long)(o->dom0_mem >> 20),
				    (unsigned long long)(DOM0_MEM_FLOOR >> 20));
			return -HV_ENOMEM;
		}
		*out = want;
		return 0;
	}
	want = ROUND_DOWN(total / 4, DOM0_MEM_ALIGN);
	want = MAX(want, DOM0_MEM_MIN_AUTO);
	want = MIN(want, DOM0_MEM_MAX_AUTO);
	if (o->dom0_mem_max != 0) {
		want = MIN(want, ROUND_DOWN(o->dom0_mem_max, DOM0_MEM_ALIGN));
	}
	want = MIN(want, avail);
	if (want < DOM0_MEM_FLOOR) {
		hv_snprintf(err, errlen,
			    "not enough memory for Dom0: %llu MiB free, %llu MiB kept for the "
			    "hypervisor, Dom0 needs at least %llu MiB",
			    (unsigned long long)(free >> 20),
			    (unsigned long long)(DOM0_HV_RESERVE >> 20),
			    (unsigned long long)(DOM0_MEM_FLOOR >> 20));
		return -HV_ENOMEM;
	}
	*out = want;
	return 0;
}
