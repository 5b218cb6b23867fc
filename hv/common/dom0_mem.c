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

/** See hv/dom0_mem.h. */
unsigned int dom0_ext_regions(struct mem_range *used, unsigned int nr_used, u64 limit,
			      struct mem_range *out, unsigned int max)
{
	unsigned int n = 0;
	u64 pos = 0;

	/* Insertion sort by start: a few dozen ranges at most. */
	for (unsigned int i = 1; i < nr_used; i++) {
		struct mem_range r = used[i];
		unsigned int j = i;

		for (; j > 0 && used[j - 1].start > r.start; j--) {
			used[j] = used[j - 1];
		}
		used[j] = r;
	}
	for (unsigned int i = 0; i <= nr_used && n < max && pos < limit; i++) {
		u64 gap_end = i < nr_used ? MIN(used[i].start, limit) : limit;
		u64 s = ROUND_UP(pos, DOM0_EXT_REGION_ALIGN);
		u64 e = ROUND_DOWN(gap_end, DOM0_EXT_REGION_ALIGN);

		if (gap_end > pos && s < e && s >= pos) {
			out[n].start = s;
			out[n].end = e;
			n++;
		}
		if (i < nr_used && used[i].end > pos) {
			pos = used[i].end;
		}
	}
	return n;
}
