/* SPDX-License-Identifier: Apache-2.0 */
/* See world.h: a machine of real common code on the fake arch, for host unit tests. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <hv/dom0less.h>
#include <hv/domain.h>
#include <hv/fake.h>
#include <hv/heap.h>
#include <hv/mm.h>
#include <hv/p2m.h>
#include <hv/params.h>
#include <hv/percpu.h>
#include <hv/sched.h>
#include <hv/timer.h>

#include "world.h"

struct pcpu pcpus[NR_CPUS];
unsigned int nr_cpus_online = 2;
static u8 *arena;
static u64 free_at_start;
static u64 fake_now_ns;

struct pcpu *this_pcpu(void)
{
	return &pcpus[0];
}
u64 now_ns(void)
{
	return fake_now_ns += 1000;
}
void world_advance_ns(u64 ns)
{
	fake_now_ns += ns;
}
void arch_timer_program(u64 expires)
{
	(void)expires;
}
void arch_timer_kick(unsigned int cpu)
{
	(void)cpu;
}
void arch_idle_wait(void)
{
	fail_msg("the idle loop ran in a world test");
}
/* Boot-time domains end the machine when the last one goes (hv/common/dom0less.c). */
void domain_on_destroyed(domid_t domid, unsigned int reason, bool privileged)
{
	(void)domid;
	(void)reason;
	(void)privileged;
}

int world_setup(void **state)
{
	struct mem_range bank;

	(void)state;
	/* One arena for the process: a fresh 64 MiB each time costs its page faults again
	 * (tests/fuzz/fuzz_hypercall.c sets up a machine per input). */
	if (arena == NULL) {
		arena = aligned_alloc(WORLD_ARENA_SIZE, WORLD_ARENA_SIZE);
	}
	if (arena == NULL) {
		return -1;
	}
	bank = (struct mem_range){ virt_to_phys(arena), virt_to_phys(arena) + WORLD_ARENA_SIZE };
	page_alloc_reset_for_test();
	heap_reset_for_test();
	if (page_alloc_init(&bank, 1, NULL, 0) != 0) {
		return -1;
	}
	memset(pcpus, 0, sizeof(pcpus));
	params_defaults(&hv_opts);
	for (unsigned int i = 0; i < NR_CPUS; i++) {
		pcpus[i].id = i;
		pcpus[i].online = i < nr_cpus_online;
		timer_queue_init(&pcpus[i].timers);
	}
	sched_init();
	fake_arch_reset();
	fake_console_reset();
	free_at_start = world_free_pages();
	return 0;
}

static bool kill_one(struct domain *d, void *arg)
{
	(void)arg;
	domain_destroy(d);
	return true;
}

int world_teardown(void **state)
{
	struct heap_stats hs;

	(void)state;
	pcpus[0].current = NULL;
	domain_for_each(0, kill_one, NULL);
	world_reap();
	assert_int_equal(domain_count(), 0);
	assert_int_equal(fake_arch.domains_live, 0);
	assert_int_equal(fake_arch.vcpus_live, 0);
	heap_get_stats(&hs);
	assert_int_equal(hs.nr_allocs, 0);
	assert_int_equal(hs.pages_in_use, 0);
	assert_int_equal(world_free_pages(), free_at_start);
	return 0;
}

struct domain *world_domain(domid_t domid, unsigned int nr_vcpus, bool privileged)
{
	struct domain_config cfg = { .nr_vcpus = nr_vcpus,
				     .mem_bytes = WORLD_GUEST_MEM,
				     .weight = 256,
				     .privileged = privileged };
	struct domain *d = NULL;

	snprintf(cfg.name, sizeof(cfg.name), "w%u", domid);
	assert_int_equal(domain_create(domid, &cfg, &d), 0);
	return d;
}

void *world_guest_ptr(struct domain *d, gpaddr_t gpa)
{
	unsigned int flags;
	paddr_t pa;

	if (p2m_lookup(d, gpa, &pa, &flags) != 0) {
		return NULL;
	}
	return phys_to_virt(pa);
}

u64 world_free_pages(void)
{
	struct page_alloc_stats st;

	page_alloc_get_stats(&st);
	return st.free_pages;
}

unsigned int world_reap(void)
{
	unsigned int steps = 0;

	while (domain_reap_pending()) {
		domain_reap_step(false);
		steps++;
	}
	return steps;
}

void world_run(struct vcpu *v)
{
	pcpus[0].current = v;
}
