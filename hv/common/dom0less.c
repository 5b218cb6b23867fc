/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Boot-time domains from Xen's "dom0less" device-tree bindings
 * (docs/misc/arm/device-tree/booting.txt in Xen): every /chosen child compatible
 * "xen,domain" with "memory" (KiB, 64-bit), "cpus" and a kernel module, optionally a
 * ramdisk. This file decides which domains there are, with which modules and how much
 * memory; the architecture (hv/include/hv/guest_boot.h) probes the kernel, places it and
 * writes the guest's device tree, and vCPU 0 is started. A domain that reboots is built again
 * from the same modules; when the last domain has ended the machine powers off.
 */
#include <libfdt.h>

#include <hv/arch.h>
#include <hv/bootinfo.h>
#include <hv/dom0less.h>
#include <hv/domain.h>
#include <hv/dt_reader.h>
#include <hv/errno.h>
#include <hv/guest_boot.h>
#include <hv/heap.h>
#include <hv/log.h>
#include <hv/params.h>
#include <hv/sched.h>

#define MAX_BOOT_DOMAINS 16
/* Room for a DomU's device tree while it is written: 128 vCPUs need about 16 KiB. */
#define DOM0LESS_DTB_BUF KiB(64)

struct boot_domain {
	char name[DOMAIN_NAME_LEN];
	unsigned int nr_vcpus;
	u64 mem_bytes;
	const struct boot_module *kernel;
	const struct boot_module *ramdisk;
	const char *bootargs;
	domid_t domid;
	unsigned int restarts;	      /* rebuilds so far */
	u64 window_start_ns;	      /* start of the current restart window */
	unsigned int window_restarts; /* rebuilds within it */
	bool given_up;		      /* rebooted too often: left ended */
};

static struct boot_domain boot_domains[MAX_BOOT_DOMAINS];
/* Until boot has started every domain, a domain's end must not power the machine off. */
static bool boot_finished;

/** See hv/dom0less.h. */
void domains_boot_finished(void)
{
	boot_finished = true;
}
static unsigned int nr_boot_domains;

/* Fills bd from one "xen,domain" node; logs and returns an error if it is unusable. */
static int parse_domain_node(const struct boot_info *bi, int node, struct boot_domain *bd)
{
	const char *name = fdt_get_name(bi->fdt, node, NULL);
	struct dt_reader r;
	char err[120];
	u64 mem_kb, cpus;

	memset(bd, 0, sizeof(*bd));
	hv_snprintf(bd->name, sizeof(bd->name), "%s", name ? name : "domU");
	dt_reader_init(&r, bi->fdt, err, sizeof(err));
	if (dt_get_u32_or_u64(&r, node, "memory", &mem_kb) != 0 || mem_kb == 0 ||
	    mem_kb > (GUEST_RAM0_SIZE >> 10)) {
		log_err("dom0less: /chosen/%s: \"memory\" must be a size in KiB from 1 to %llu "
			"%s\n",
			bd->name, (unsigned long long)(GUEST_RAM0_SIZE >> 10), err);
		return -HV_EINVAL;
	}
	if (dt_get_u32_or_u64(&r, node, "cpus", &cpus) != 0 || cpus == 0 ||
	    cpus > MAX_VCPUS_PER_DOMAIN) {
		log_err("dom0less: /chosen/%s: \"cpus\" must be 1 to %u %s\n", bd->name,
			MAX_VCPUS_PER_DOMAIN, err);
		return -HV_EINVAL;
	}
	bd->mem_bytes = ROUND_UP(mem_kb << 10, PAGE_SIZE);
	bd->nr_vcpus = (unsigned int)cpus;
	for (unsigned int i = 0; i < bi->nr_modules; i++) {
		const struct boot_module *m = &bi->modules[i];

		if (m->domain_node != node) {
			continue;
		}
		if (m->kind == BOOTMOD_KERNEL && bd->kernel == NULL) {
			bd->kernel = m;
			bd->bootargs = m->bootargs;
		} else if (m->kind == BOOTMOD_RAMDISK && bd->ramdisk == NULL) {
			bd->ramdisk = m;
		}
	}
	if (bd->kernel == NULL) {
		log_err("dom0less: /chosen/%s has no kernel module (\"multiboot,kernel\")\n",
			bd->name);
		return -HV_EINVAL;
	}
	return 0;
}

/* Creates, loads and starts one boot-time domain. */
static int build_domain(struct boot_domain *bd)
{
	struct domain_config cfg = { .nr_vcpus = bd->nr_vcpus, .mem_bytes = bd->mem_bytes };
	struct guest_boot gb = {
		.name = bd->name,
		.nr_vcpus = bd->nr_vcpus,
		.ram_base = GUEST_RAM0_BASE,
		.ram_size = bd->mem_bytes,
		.kernel = bd->kernel->start,
		.kernel_size = bd->kernel->size,
		.initrd = bd->ramdisk ? bd->ramdisk->start : 0,
		.initrd_size = bd->ramdisk ? bd->ramdisk->size : 0,
		.cmdline = bd->bootargs,
	};
	struct domain *d;
	void *dtb;
	char err[160];
	int rc;

	rc = arch_guest_kernel_probe(&gb, err, sizeof(err));
	rc = rc ?: arch_guest_boot_plan(&gb, err, sizeof(err));
	if (rc != 0) {
		log_err("dom0less: %s: %s\n", bd->name, err);
		return rc;
	}
	hv_snprintf(cfg.name, sizeof(cfg.name), "%s", bd->name);
	rc = domain_create(bd->domid, &cfg, &d);
	if (rc != 0) {
		log_err("dom0less: %s: cannot create the domain (%d)\n", bd->name, rc);
		return rc;
	}
	dtb = xmalloc(DOM0LESS_DTB_BUF);
	rc = dtb != NULL ? arch_domu_dt_build(&gb, dtb, DOM0LESS_DTB_BUF, err, sizeof(err))
			 : -HV_ENOMEM;
	rc = rc ?: arch_guest_boot_load(d, &gb, dtb, err, sizeof(err));
	xfree(dtb);
	if (rc != 0) {
		log_err("dom0less: %s: cannot load the domain: %s\n", bd->name,
			rc == -HV_ENOMEM ? "out of memory" : err);
		domain_shutdown(d, SHUTDOWN_crash);
		return rc;
	}
	log_info("d%u (%s): %u vCPU(s), %llu MiB, kernel at 0x%llx, device tree at 0x%llx\n",
		 d->domid, d->name, d->nr_vcpus, (unsigned long long)(bd->mem_bytes >> 20),
		 (unsigned long long)gb.kernel_gpa, (unsigned long long)gb.dtb_gpa);
	return vcpu_power_on(d->vcpus[0], gb.entry, gb.dtb_gpa);
}

/** See hv/dom0less.h. */
unsigned int dom0less_create_all(const struct boot_info *bi)
{
	int chosen = fdt_path_offset(bi->fdt, "/chosen");
	unsigned int created = 0;
	int node;

	if (chosen < 0) {
		return 0;
	}
	fdt_for_each_subnode (node, bi->fdt, chosen) {
		struct boot_domain *bd;

		if (!dt_is_compatible(bi->fdt, node, "xen,domain")) {
			continue;
		}
		if (nr_boot_domains == MAX_BOOT_DOMAINS) {
			log_err("dom0less: more than %u domains; the rest are ignored\n",
				MAX_BOOT_DOMAINS);
			break;
		}
		bd = &boot_domains[nr_boot_domains];
		if (parse_domain_node(bi, node, bd) != 0) {
			continue;
		}
		bd->domid = (domid_t)(nr_boot_domains + 1);
		nr_boot_domains++;
		if (build_domain(bd) == 0) {
			created++;
		}
	}
	return created;
}

/**
 * A boot-time domain that reboots is built again at most hv_opts.domu_restart_limit times
 * within domu_restart_window_s seconds (Xen's dom0less has no rebuild; the bound keeps a
 * guest that reboots in a loop from using the machine for building itself). Past it the
 * domain stays ended and that is logged once.
 */
static bool restart_allowed(struct boot_domain *bd)
{
	u64 now = now_ns();
	u64 window = (u64)hv_opts.domu_restart_window_s * 1000000000ull;

	if (bd->given_up) {
		return false;
	}
	if (bd->window_restarts == 0 || now - bd->window_start_ns >= window) {
		bd->window_start_ns = now;
		bd->window_restarts = 0;
	}
	if (bd->window_restarts >= hv_opts.domu_restart_limit) {
		bd->given_up = true;
		log_warn("d%u (%s): rebooted %u times within %u s: not restarting it "
			 "(domu_restarts=)\n",
			 bd->domid, bd->name, bd->window_restarts, hv_opts.domu_restart_window_s);
		return false;
	}
	bd->window_restarts++;
	return true;
}

/** Called when a domain has been freed: restart boot domains that rebooted. */
void domain_on_destroyed(domid_t domid, unsigned int reason, bool privileged)
{
	if (privileged) {
		/* Dom0 is the machine's owner: its end is the machine's (Xen does the same). */
		if (reason == SHUTDOWN_poweroff) {
			log_info("Dom0 has powered off: powering the machine off\n");
			machine_power_off();
		}
		log_info("Dom0 has %s: resetting the machine\n",
			 reason == SHUTDOWN_reboot ? "rebooted" : "crashed");
		machine_restart();
	}
	for (unsigned int i = 0; i < nr_boot_domains; i++) {
		struct boot_domain *bd = &boot_domains[i];

		if (bd->domid == domid && reason == SHUTDOWN_reboot && restart_allowed(bd)) {
			bd->restarts++;
			log_info("d%u (%s): rebooting (restart %u)\n", domid, bd->name,
				 bd->restarts);
			if (build_domain(bd) == 0) {
				return;
			}
		}
	}
	if (domain_count() == 0 && boot_finished) {
		log_info("all domains have ended: powering off\n");
		machine_power_off();
	}
}
