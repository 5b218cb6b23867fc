/* SPDX-License-Identifier: Apache-2.0 */
/* Data-cache maintenance by address (arch contract, see hv/arch.h). */
#pragma once

#include <hv/types.h>

struct domain;

/** Cleans [va, va+len) of the direct map to the point of coherency. */
void dcache_clean_range(const void *va, u64 len);
/** Cleans and invalidates [va, va+len) to the point of coherency. */
void dcache_clean_inval_range(const void *va, u64 len);
/** Cleans d's RAM [gpa, gpa+len) to the point of coherency (what a guest reads with
 * its caches off). */
void guest_clean_dcache(struct domain *d, gpaddr_t gpa, u64 len);
