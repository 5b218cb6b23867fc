/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests of Lamina's domctl and sysctl (hv/common/lamctl.c, public/lamctl.h) on the
 * fake arch (tests/unit/world.h): the control domain (ID 0) issues them with the struct
 * in its RAM, as the toolstack does through privcmd. Refused to other domains; wrong
 * interface version, non-zero padding, bad sizes, vCPUs and frames are each an errno
 * and change nothing; a created domain gets RAM, magic pages, ports and HVM params, and
 * its destroy gives back exactly the pages it took.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <hv/domain.h>
#include <hv/errno.h>
#include <hv/fake.h>
#include <hv/hypercall.h>
#include <hv/xen_abi.h>
#include <public/hvm_op.h>
#include <public/lamctl.h>

#include "world.h"

#define BUF_GPA (GUEST_RAM0_BASE + 0x10000) /* a buffer in the control domain */

static struct domain *ctl, *guest;

static int setup(void **state)
{
	if (world_setup(state) != 0) {
		return -1;
	}
	ctl = world_domain(0, 1, true);
	guest = world_domain(1, 1, false);
	return 0;
}

static struct lam_domctl *domctl_arg(struct domain *d)
{
	struct lam_domctl *dc = world_guest_ptr(d, WORLD_ARGS_GPA);

	memset(dc, 0, sizeof(*dc));
	dc->version = LAMCTL_VERSION;
	return dc;
}

static long domctl(struct domain *d)
{
	world_run(d->vcpus[0]);
	return do_domctl(d->vcpus[0], WORLD_ARGS_GPA);
}

static struct lam_domctl *create_arg(const char *name, u64 mem_kb, u32 vcpus)
{
	struct lam_domctl *dc = domctl_arg(ctl);

	dc->cmd = LAM_DOMCTL_create;
	strcpy(dc->u.create.name, name);
	dc->u.create.mem_kb = mem_kb;
	dc->u.create.max_vcpus = vcpus;
	return dc;
}

static void test_refused_to_other_domains(void **state)
{
	struct lam_domctl *dc = domctl_arg(guest);

	(void)state;
	dc->cmd = LAM_DOMCTL_getinfo;
	assert_int_equal(domctl(guest), -HV_EPERM);
	struct lam_sysctl *sc = world_guest_ptr(guest, WORLD_ARGS_GPA);
	memset(sc, 0, sizeof(*sc));
	sc->version = LAMCTL_VERSION;
	sc->cmd = LAM_SYSCTL_physinfo;
	assert_int_equal(do_sysctl(guest->vcpus[0], WORLD_ARGS_GPA), -HV_EPERM);
}

static void test_malformed_headers(void **state)
{
	struct lam_domctl *dc;

	(void)state;
	dc = domctl_arg(ctl);
	dc->cmd = LAM_DOMCTL_getinfo;
	dc->domid = 1;
	dc->version = 0x00000012; /* Xen 4.17's XEN_DOMCTL_INTERFACE_VERSION */
	assert_int_equal(domctl(ctl), -HV_EACCES);
	dc = domctl_arg(ctl);
	dc->cmd = LAM_DOMCTL_getinfo;
	dc->domid = 1;
	dc->pad1 = 1;
	assert_int_equal(domctl(ctl), -HV_EINVAL);
	dc = domctl_arg(ctl);
	dc->cmd = LAM_DOMCTL_getinfo;
	dc->domid = 1;
	dc->u.raw[7] = 1; /* getinfo takes nothing in */
	assert_int_equal(domctl(ctl), -HV_EINVAL);
	dc = domctl_arg(ctl);
	dc->cmd = 999;
	dc->domid = 1;
	assert_int_equal(domctl(ctl), -HV_EOPNOTSUPP);
	dc = domctl_arg(ctl);
	dc->cmd = LAM_DOMCTL_getinfo;
	dc->domid = 4242; /* no such domain */
	assert_int_equal(domctl(ctl), -HV_ESRCH);
	/* The struct outside the caller's RAM. */
	world_run(ctl->vcpus[0]);
	assert_int_equal(do_domctl(ctl->vcpus[0], GUEST_RAM0_BASE + WORLD_GUEST_MEM), -HV_EFAULT);
}

static void test_create_getinfo_destroy(void **state)
{
	u64 free0 = world_free_pages();
	struct lam_domctl *dc;
	struct domain *d;
	u16 id;

	(void)state;
	dc = create_arg("vm", 16 * 1024, 2);
	assert_int_equal(domctl(ctl), 0);
	id = dc->domid;
	assert_true(id != 0 && id != 1);
	assert_int_equal(dc->u.create.ram_base, GUEST_RAM0_BASE);
	assert_int_equal(dc->u.create.evtchn_ppi, 31); /* the fake arch's upcall IRQ */
	assert_int_not_equal(dc->u.create.console_port, 0);
	assert_int_not_equal(dc->u.create.store_port, dc->u.create.console_port);
	d = domain_get_by_id(id);
	assert_non_null(d);
	assert_true(d->toolstack);
	assert_int_equal(d->nr_vcpus, 2);
	assert_int_equal(d->tot_pages, (16 << 20) / PAGE_SIZE + 2); /* RAM and magic pages */
	assert_int_equal(d->hvm_params[HVM_PARAM_STORE_EVTCHN], dc->u.create.store_port);
	assert_int_equal(d->hvm_params[HVM_PARAM_CONSOLE_PFN], dc->u.create.console_gfn);
	domain_put(d);

	dc = domctl_arg(ctl);
	dc->cmd = LAM_DOMCTL_getinfo;
	dc->domid = id;
	assert_int_equal(domctl(ctl), 0);
	assert_int_equal(dc->u.info.domid, id);
	assert_true(dc->u.info.flags & LAM_DOMINF_paused); /* created paused */
	assert_int_equal(dc->u.info.nr_vcpus, 2);
	assert_string_equal(dc->u.info.name, "vm");

	dc = domctl_arg(ctl);
	dc->cmd = LAM_DOMCTL_destroy;
	dc->domid = id;
	assert_int_equal(domctl(ctl), 0);
	assert_null(domain_get_by_id(id));
	world_reap();
	assert_int_equal(world_free_pages(), free0);
}

/* Each bad create is an errno, and nothing is left: no domain, no page. */
static void test_create_bad_inputs(void **state)
{
	u64 free0 = world_free_pages();
	unsigned int count0 = domain_count();
	struct lam_domctl *dc;

	(void)state;
	create_arg("", 16 * 1024, 1);
	assert_int_equal(domctl(ctl), -HV_EINVAL);
	create_arg("two words", 16 * 1024, 1);
	assert_int_equal(domctl(ctl), -HV_EINVAL);
	create_arg("vm", 16 * 1024 + 2, 1);
	assert_int_equal(domctl(ctl), -HV_EINVAL);
	create_arg("vm", 8 * 1024, 1); /* below the minimum */
	assert_int_equal(domctl(ctl), -HV_EINVAL);
	create_arg("vm", 16 * 1024, 0);
	assert_int_equal(domctl(ctl), -HV_EINVAL);
	create_arg("vm", 16 * 1024, 1000);
	assert_int_equal(domctl(ctl), -HV_EINVAL);
	dc = create_arg("vm", 16 * 1024, 1);
	dc->u.create.max_mem_kb = 8 * 1024; /* below mem_kb */
	assert_int_equal(domctl(ctl), -HV_EINVAL);
	dc = create_arg("vm", 16 * 1024, 1);
	dc->u.create.flags = 1;
	assert_int_equal(domctl(ctl), -HV_EINVAL);
	dc = create_arg("vm", 16 * 1024, 1);
	dc->u.create.backend_domid = 1;
	assert_int_equal(domctl(ctl), -HV_EINVAL);
	create_arg("vm", 1024 * 1024, 1); /* more than the machine has */
	assert_int_equal(domctl(ctl), -HV_ENOMEM);
	dc = create_arg("vm", 16 * 1024, 1);
	dc->domid = 1; /* taken */
	assert_int_equal(domctl(ctl), -HV_EEXIST);
	assert_int_equal(domain_count(), count0);
	assert_int_equal(world_free_pages(), free0);
}

static u16 create_vm(void)
{
	struct lam_domctl *dc = create_arg("vm", 16 * 1024, 1);

	assert_int_equal(domctl(ctl), 0);
	return dc->domid;
}

static void test_write_memory(void **state)
{
	u8 *buf = world_guest_ptr(ctl, BUF_GPA);
	struct lam_domctl *dc;
	struct domain *d;
	u16 id;

	(void)state;
	id = create_vm();
	for (unsigned int i = 0; i < 8192; i++) {
		buf[i] = (u8)(i * 7);
	}
	dc = domctl_arg(ctl);
	dc->cmd = LAM_DOMCTL_write_memory;
	dc->domid = id;
	dc->u.write = (struct lam_write_memory){ GUEST_RAM0_BASE + 0x1800, BUF_GPA, 8192 };
	fake_arch.cache_cleans = 0;
	assert_int_equal(domctl(ctl), 0);
	assert_true(fake_arch.cache_cleans >= 3); /* every page written is cleaned to PoC */
	d = domain_get_by_id(id);
	for (unsigned int i = 0; i < 8192; i += 1021) {
		assert_int_equal(*(u8 *)world_guest_ptr(d, GUEST_RAM0_BASE + 0x1800 + i),
				 (u8)(i * 7));
	}
	/* Past the guest's RAM, empty, oversized, into the caller itself. */
	dc = domctl_arg(ctl);
	dc->cmd = LAM_DOMCTL_write_memory;
	dc->domid = id;
	dc->u.write = (struct lam_write_memory){ GUEST_RAM0_BASE + (16 << 20), BUF_GPA, 16 };
	assert_int_equal(domctl(ctl), -HV_EFAULT);
	dc->u.write = (struct lam_write_memory){ GUEST_RAM0_BASE, BUF_GPA, 0 };
	assert_int_equal(domctl(ctl), -HV_EINVAL);
	dc->u.write =
		(struct lam_write_memory){ GUEST_RAM0_BASE, BUF_GPA, LAM_WRITE_MEMORY_MAX + 1 };
	assert_int_equal(domctl(ctl), -HV_EINVAL);
	dc->u.write = (struct lam_write_memory){ ~0ull - 8, BUF_GPA, 16 };
	assert_int_equal(domctl(ctl), -HV_EINVAL);
	dc->domid = 0;
	dc->u.write = (struct lam_write_memory){ GUEST_RAM0_BASE, BUF_GPA, 16 };
	assert_int_equal(domctl(ctl), -HV_EINVAL);
	/* The source outside the caller's memory. */
	dc->domid = id;
	dc->u.write =
		(struct lam_write_memory){ GUEST_RAM0_BASE, GUEST_RAM0_BASE + (64 << 20), 16 };
	assert_int_equal(domctl(ctl), -HV_EFAULT);
	domain_put(d);
}

static void test_vcpu_ops_range_checked(void **state)
{
	struct lam_domctl *dc;
	u16 id;

	(void)state;
	id = create_vm();
	dc = domctl_arg(ctl);
	dc->cmd = LAM_DOMCTL_set_vcpu_context;
	dc->domid = id;
	dc->u.vcpu_ctx.vcpu = 1; /* it has one vCPU */
	dc->u.vcpu_ctx.pc = GUEST_RAM0_BASE;
	assert_int_equal(domctl(ctl), -HV_EINVAL);
	dc->u.vcpu_ctx.vcpu = 0;
	dc->u.vcpu_ctx.pad = 3;
	assert_int_equal(domctl(ctl), -HV_EINVAL);
	dc->u.vcpu_ctx.pad = 0;
	assert_int_equal(domctl(ctl), 0);
	dc = domctl_arg(ctl);
	dc->cmd = LAM_DOMCTL_set_vcpu_affinity;
	dc->domid = id;
	dc->u.affinity.vcpu = 0;
	dc->u.affinity.pcpu = 64;
	assert_int_equal(domctl(ctl), -HV_EINVAL);
	dc = domctl_arg(ctl);
	dc->cmd = LAM_DOMCTL_cacheflush;
	dc->domid = id;
	dc->u.flush.first_gfn = 1ull << 40; /* beyond the guest-physical space */
	dc->u.flush.nr_gfns = 4;
	assert_int_equal(domctl(ctl), -HV_EINVAL);
	dc->u.flush.first_gfn = ~0ull - 1; /* wraps */
	assert_int_equal(domctl(ctl), -HV_EINVAL);
	dc->u.flush.first_gfn = 0;
	dc->u.flush.nr_gfns = 0;
	assert_int_equal(domctl(ctl), -HV_EINVAL);
}

static void test_control_domain_not_destroyed(void **state)
{
	struct lam_domctl *dc = domctl_arg(ctl);

	(void)state;
	dc->cmd = LAM_DOMCTL_destroy;
	dc->domid = 0;
	assert_int_equal(domctl(ctl), -HV_EPERM);
	assert_false(ctl->is_dying);
}

static void test_sysctl_physinfo_and_list(void **state)
{
	struct lam_sysctl *sc = world_guest_ptr(ctl, WORLD_ARGS_GPA);
	struct lam_dom_info *list = world_guest_ptr(ctl, BUF_GPA);

	(void)state;
	memset(sc, 0, sizeof(*sc));
	sc->version = LAMCTL_VERSION;
	sc->cmd = LAM_SYSCTL_physinfo;
	world_run(ctl->vcpus[0]);
	assert_int_equal(do_sysctl(ctl->vcpus[0], WORLD_ARGS_GPA), 0);
	assert_int_equal(sc->u.physinfo.free_pages, world_free_pages());
	assert_int_equal(sc->u.physinfo.page_size, PAGE_SIZE);
	assert_int_equal(sc->u.physinfo.stray_pages, 0);
	sc->u.physinfo.pad = 1; /* IN fields must be zero */
	assert_int_equal(do_sysctl(ctl->vcpus[0], WORLD_ARGS_GPA), -HV_EINVAL);

	memset(sc, 0, sizeof(*sc));
	sc->version = LAMCTL_VERSION;
	sc->cmd = LAM_SYSCTL_domain_list;
	sc->u.domain_list.max_entries = 8;
	sc->u.domain_list.buffer = BUF_GPA;
	assert_int_equal(do_sysctl(ctl->vcpus[0], WORLD_ARGS_GPA), 0);
	assert_int_equal(sc->u.domain_list.nr_entries, 2);
	assert_int_equal(list[0].domid, 0);
	assert_int_equal(list[1].domid, 1);
	assert_true(list[0].flags & LAM_DOMINF_privileged);
	sc->u.domain_list.nr_entries = 0;
	sc->u.domain_list.first_domid = DOMID_FIRST_RESERVED;
	assert_int_equal(do_sysctl(ctl->vcpus[0], WORLD_ARGS_GPA), -HV_EINVAL);
	sc->version = 1;
	assert_int_equal(do_sysctl(ctl->vcpus[0], WORLD_ARGS_GPA), -HV_EACCES);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, world_teardown)
		T(test_refused_to_other_domains),
		T(test_malformed_headers),
		T(test_create_getinfo_destroy),
		T(test_create_bad_inputs),
		T(test_write_memory),
		T(test_vcpu_ops_range_checked),
		T(test_control_domain_not_destroyed),
		T(test_sysctl_physinfo_and_list),
#undef T
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
