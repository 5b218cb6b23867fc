/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target (https://llvm.org/docs/LibFuzzer.html): the hypercall argument
 * decoders, through the dispatch (hv/common/hypercall.c) on the machine of
 * tests/unit/world.h: the real common code (domains, memory_op, grant tables, event
 * channels, vcpu_op, sched_op, domctl/sysctl) on the fake arch, where a guest's
 * hypercall arguments live in its RAM.
 *
 * Each input starts a machine with Dom0 (domain 0, privileged) and a DomU (domain 1), two
 * vCPUs each, and issues up to MAX_CALLS hypercalls. A call is:
 *   1 byte   caller: bits 0-1 the domain ID (2 and 3 exist only if Dom0 made them),
 *            bit 2 the vCPU, bits 4-7 how many ms pass before the call;
 *   3 bytes  a write into the caller's RAM: 2 bytes offset from WORLD_ARGS_GPA, 1 byte
 *            length, then that many bytes (the structures the arguments point to);
 *   1 byte   the hypercall: an index into calls[] below, or from NR_RAW up a raw number;
 *   2 bytes  how each of the six arguments is given, 2 bits each: 0 one byte, 1 a guest
 *            pointer WORLD_ARGS_GPA + a 2-byte offset, 2 four bytes, 3 eight bytes.
 * A call the domain's vCPU could not make (the domain is gone, shut down or paused, the vCPU
 * blocked) is skipped. -ERESTART is issued again with the updated arguments, as the arm64
 * trap code does. A panic() or BUG() the guest reaches is a crash (hv/bug.h: never on a
 * condition a guest can reach); at the end every domain is destroyed and world_teardown()
 * checks that no page, heap allocation, domain or vCPU is left.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>

#include <hv/domain.h>
#include <hv/errno.h>
#include <hv/hypercall.h>
#include <public/xen.h>

#include "fuzz_common.h"
#include "world.h"

#define MAX_CALLS 16
#define MAX_RESTARTS 256
#define ARGS_WINDOW 0x10000u /* bytes from WORLD_ARGS_GPA a write or pointer may reach */

static const u64 calls[] = {
	__HYPERVISOR_memory_op,	  __HYPERVISOR_grant_table_op, __HYPERVISOR_event_channel_op,
	__HYPERVISOR_vcpu_op,	  __HYPERVISOR_sched_op,       __HYPERVISOR_domctl,
	__HYPERVISOR_sysctl,	  __HYPERVISOR_multicall,      __HYPERVISOR_hvm_op,
	__HYPERVISOR_xen_version, __HYPERVISOR_console_io,     __HYPERVISOR_platform_op,
	__HYPERVISOR_physdev_op,  __HYPERVISOR_vm_assist,
};
#define NR_CALLS (sizeof(calls) / sizeof(calls[0]))
#define NR_RAW 0xf0 /* hypercall bytes from here on are raw numbers 0..15 */

static bool can_run(const struct domain *d, const struct vcpu *v)
{
	return !d->is_shutdown && !d->is_dying && v->pause_count == 0 && v->state != VCPU_BLOCKED;
}

static void one_call(struct fuzz_in *in)
{
	u8 who = (u8)fuzz_take(in, 1);
	u64 off = fuzz_take(in, 2) % ARGS_WINDOW;
	size_t len = (size_t)fuzz_take(in, 1);
	const u8 *bytes = in->p;
	u8 which;
	u64 kinds;
	struct hcall_args args;
	struct domain *d;
	struct vcpu *v;
	long rc = 0;

	len = len < in->left ? len : in->left;
	in->p += len;
	in->left -= len;
	which = (u8)fuzz_take(in, 1);
	args.nr = which < NR_RAW ? calls[which % NR_CALLS] : (u64)(which - NR_RAW);
	kinds = fuzz_take(in, 2);
	for (unsigned int i = 0; i < HCALL_NR_ARGS; i++) {
		static const unsigned int width[] = { 1, 2, 4, 8 };
		unsigned int k = (kinds >> (2 * i)) & 3;

		args.a[i] = fuzz_take(in, width[k]);
		if (k == 1) {
			args.a[i] = WORLD_ARGS_GPA + args.a[i] % ARGS_WINDOW;
		}
	}

	world_advance_ns((u64)(who >> 4) * 1000000ull);
	d = domain_get_by_id(who & 3);
	if (d == NULL) {
		return;
	}
	v = d->vcpus[((who >> 2) & 1) % d->nr_vcpus];
	if (can_run(d, v)) {
		size_t room = ARGS_WINDOW - off;

		/* Not RAM any more (Dom0 may give its pages back): then nothing is written. */
		(void)copy_to_guest_phys(d, WORLD_ARGS_GPA + off, bytes, len < room ? len : room);
		world_run(v);
		for (unsigned int n = 0; n < MAX_RESTARTS; n++) {
			rc = hypercall_do(v, &args);
			if (rc != -HV_ERESTART || !can_run(d, v)) {
				break;
			}
		}
		world_run(NULL);
		if (getenv("FUZZ_TRACE") != NULL) { /* to check what a seed does */
			fprintf(stderr, "d%u v%u hypercall %llu (%llx %llx %llx) = %ld\n", d->domid,
				v->id, (unsigned long long)args.nr, (unsigned long long)args.a[0],
				(unsigned long long)args.a[1], (unsigned long long)args.a[2], rc);
		}
	}
	domain_put(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };

	FUZZ_CHECK(world_setup(NULL) == 0);
	(void)world_domain(0, 2, true);
	(void)world_domain(1, 2, false);
	for (unsigned int n = 0; n < MAX_CALLS && in.left > 0; n++) {
		one_call(&in);
	}
	FUZZ_CHECK(world_teardown(NULL) == 0);
	return 0;
}
