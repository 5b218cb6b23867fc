/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Grant tables, version 1 (hv/common/grant_table.c): each domain's shared frames are
 * hypervisor-allocated pages owned by the domain, mapped into it with
 * XENMEM_add_to_physmap(XENMAPSPACE_grant_table). Mapping and copying grants between
 * domains comes with the toolstack (issue 5).
 *
 * Locking: d->gnttab.lock guards the frame array; frames are only added, never removed,
 * until the domain is destroyed.
 */
#pragma once

#include <hv/spinlock.h>
#include <hv/types.h>

#define GNTTAB_MAX_FRAMES 64 /* Xen's default max_grant_frames */

struct domain;
struct vcpu;

struct gnttab {
	spinlock_t lock;
	unsigned int nr_frames; /* frames allocated (the table grows, never shrinks) */
	unsigned int max_frames;
	void *frames[GNTTAB_MAX_FRAMES];
	u64 frame_gfn[GNTTAB_MAX_FRAMES]; /* where each is mapped in the guest, or ~0 */
};

/** Creates the table with its first frame; max_frames <= GNTTAB_MAX_FRAMES. */
int gnttab_domain_init(struct domain *d, unsigned int max_frames);
void gnttab_domain_destroy(struct domain *d);
/** Machine address of frame idx, allocating frames up to it. -HV_EINVAL past the max. */
int gnttab_get_frame(struct domain *d, u64 idx, paddr_t *pa);
/** The grant_table_op hypercall: (cmd, array of uops, count). */
long do_grant_table_op(struct vcpu *v, u64 cmd, u64 uop, u64 count);
