/* SPDX-License-Identifier: Apache-2.0 */
/* Data-cache maintenance by address (Arm ARM D7.5). */
#pragma once

#include <hv/types.h>

struct domain;

/** Cleans [va, va+len) to the point of coherency. */
void dcache_clean_range(const void *va, u64 len);
/** Cleans and invalidates [va, va+len) to the point of coherency (DC CIVAC). */
void dcache_clean_inval_range(const void *va, u64 len);
/** Cleans d's RAM [gpa, gpa+len) to the PoC (what a guest reads with caches off). */
void guest_clean_dcache(struct domain *d, gpaddr_t gpa, u64 len);
