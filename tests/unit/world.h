/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A small machine for host unit tests of the common domain code (tests/unit/world.c):
 * the real page allocator over a host arena, the real heap, scheduler, timers, event
 * channels, grant tables, memory_op, vcpu_op, domctl and domain life cycle, on the
 * fake architecture (hv/arch/fake: its p2m maps guest frames to arena pages, guests
 * run with their MMU off, so a guest virtual address is a guest-physical one).
 *
 * A test "is" a guest by writing hypercall arguments into the guest's RAM
 * (world_guest_ptr()) and calling the hypercall's do_*() entry with the vCPU.
 */
#pragma once

#include <hv/domain.h>
#include <hv/page_alloc.h>

#define WORLD_ARENA_SIZE (64ull << 20)
#define WORLD_GUEST_MEM (4ull << 20) /* RAM of a world_domain() guest */
/* A guest-physical scratch address inside every guest's RAM (for hypercall arguments). */
#define WORLD_ARGS_GPA (GUEST_RAM0_BASE + 0x1000)

/** Sets up the machine (call from a cmocka setup); 0 or -1. */
int world_setup(void **state);
/** Destroys every domain left and checks nothing leaked (pages, heap, domain IDs). */
int world_teardown(void **state);

/** Creates a guest with 'nr_vcpus' vCPUs and WORLD_GUEST_MEM of RAM, ID 'domid'. */
struct domain *world_domain(domid_t domid, unsigned int nr_vcpus, bool privileged);
/** Host pointer to guest-physical gpa of d (must be d's RAM); NULL if not. */
void *world_guest_ptr(struct domain *d, gpaddr_t gpa);
/** Free pages of the page allocator now. */
u64 world_free_pages(void);
/** Moves the fake clock (now_ns()) forward. */
void world_advance_ns(u64 ns);
/**
 * Runs the deferred teardown of dead domains to the end, as an idle pCPU would
 * (domain_reap_step()); returns the number of steps it took.
 */
unsigned int world_reap(void);
/** Makes v the vCPU "running" on pCPU 0 (what current_vcpu() returns). */
void world_run(struct vcpu *v);
