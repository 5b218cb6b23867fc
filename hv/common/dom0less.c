/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Boot-time domains from Xen's "dom0less" device-tree bindings
 * (docs/misc/arm/device-tree/booting.txt in Xen): every /chosen child compatible
 * "xen,domain" with "memory" (KiB, 64-bit), "cpus" and a kernel module (an arm64
 * Image), optionally a ramdisk. Lamina builds each one a device tree of Xen's DomU
 * layout, loads the kernel and starts vCPU 0. A domain that reboots is built again
 * from the same modules; when the last domain has ended the machine powers off.
 */
#include <libfdt.h>

#include <hv/cache.h>
#include <hv/arch.h>
#include <hv/mm.h>
#include <hv/bootinfo.h>
#include <hv/dom0less.h>
#include <hv/domain.h>
#include <hv/errno.h>
#include <hv/heap.h>
#include <hv/log.h>
#include <hv/sched.h>

#define MAX_BOOT_DOMAINS 16
#define GUEST_DTB_MAX 65536
#define IMAGE_MAGIC 0x644d5241u /* "ARM\x64" at offset 56 (Linux booting.rst) */
#define IMAGE_DEFAULT_TEXT_OFFSET 0x80000

struct boot_domain {
	char name[DOMAIN_NAME_LEN];
	unsigned int nr_vcpus;
	u64 mem_bytes;
	const struct boot_module *kernel;
	const struct boot_module *ramdisk;
	const char *bootargs;
	domid_t domid;
	unsigned int restarts;
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

static u64 rd_le64(const u8 *p)
{
	u64 v = 0;

	for (int i = 7; i >= 0; i--) {
		v = (v << 8) | p[i];
	}
	return v;
}

/* Reads a property of 1 or 2 cells as a number; -1 if absent or malformed. */
static int dt_read_number(const void *fdt, int node, const char *prop, u64 *out)
{
	int len;
	const fdt32_t *p = fdt_getprop(fdt, node, prop, &len);

	if (p == NULL) {
		return -HV_ENOENT;
	}
	if (len == 4) {
		*out = fdt32_to_cpu(p[0]);
	} else if (len == 8) {
		*out = ((u64)fdt32_to_cpu(p[0]) << 32) | fdt32_to_cpu(p[1]);
	} else {
		return -HV_EINVAL;
	}
	return 0;
}

/* Fills bd from one "xen,domain" node; logs and returns an error if it is unusable. */
static int parse_domain_node(const struct boot_info *bi, int node, struct boot_domain *bd)
{
	const char *name = fdt_get_name(bi->fdt, node, NULL);
	u64 mem_kb, cpus;

	memset(bd, 0, sizeof(*bd));
	hv_snprintf(bd->name, sizeof(bd->name), "%s", name ? name : "domU");
	if (dt_read_number(bi->fdt, node, "memory", &mem_kb) != 0 || mem_kb == 0 ||
	    mem_kb > (GUEST_RAM0_SIZE >> 10)) {
		log_err("dom0less: /chosen/%s: \"memory\" must be a size in KiB from 1 to %llu\n",
			bd->name, (unsigned long long)(GUEST_RAM0_SIZE >> 10));
		return -HV_EINVAL;
	}
	if (dt_read_number(bi->fdt, node, "cpus", &cpus) != 0 || cpus == 0 ||
	    cpus > MAX_VCPUS_PER_DOMAIN) {
		log_err("dom0less: /chosen/%s: \"cpus\" must be 1 to %u\n", bd->name,
			MAX_VCPUS_PER_DOMAIN);
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

/* Writes a DomU device tree of Xen's guest layout into buf. */
static int build_guest_dt(const struct boot_domain *bd, void *buf, gpaddr_t initrd, u64 initrd_size)
{
	static const char psci_compat[] = "arm,psci-1.0\0arm,psci-0.2\0arm,psci";
	static const char vm_compat[] = "xen,xenvm-4.17\0xen,xenvm";
	fdt32_t cells[16];
	char node[48];
	int rc = 0;

	rc |= fdt_create(buf, GUEST_DTB_MAX);
	rc |= fdt_finish_reservemap(buf);
	rc |= fdt_begin_node(buf, "");
	rc |= fdt_property_u32(buf, "#address-cells", 2);
	rc |= fdt_property_u32(buf, "#size-cells", 2);
	rc |= fdt_property(buf, "compatible", vm_compat, sizeof(vm_compat));
	rc |= fdt_property_string(buf, "model", "XENVM-4.17");
	rc |= fdt_property_u32(buf, "interrupt-parent", GUEST_PHANDLE_GIC);

	rc |= fdt_begin_node(buf, "chosen");
	rc |= fdt_property_string(buf, "bootargs", bd->bootargs ? bd->bootargs : "");
	if (initrd_size) {
		rc |= fdt_property_u64(buf, "linux,initrd-start", initrd);
		rc |= fdt_property_u64(buf, "linux,initrd-end", initrd + initrd_size);
	}
	rc |= fdt_end_node(buf);

	rc |= fdt_begin_node(buf, "cpus");
	rc |= fdt_property_u32(buf, "#address-cells", 1);
	rc |= fdt_property_u32(buf, "#size-cells", 0);
	for (unsigned int i = 0; i < bd->nr_vcpus; i++) {
		u32 aff = ((i >> 4) << 8) | (i & 0xf);

		hv_snprintf(node, sizeof(node), "cpu@%x", aff);
		rc |= fdt_begin_node(buf, node);
		rc |= fdt_property_string(buf, "device_type", "cpu");
		rc |= fdt_property_string(buf, "compatible", "arm,armv8");
		rc |= fdt_property_string(buf, "enable-method", "psci");
		rc |= fdt_property_u32(buf, "reg", aff);
		rc |= fdt_end_node(buf);
	}
	rc |= fdt_end_node(buf);

	rc |= fdt_begin_node(buf, "psci");
	rc |= fdt_property(buf, "compatible", psci_compat, sizeof(psci_compat));
	rc |= fdt_property_string(buf, "method", "hvc");
	rc |= fdt_property_u32(buf, "cpu_off", 1);
	rc |= fdt_property_u32(buf, "cpu_on", 2);
	rc |= fdt_end_node(buf);

	hv_snprintf(node, sizeof(node), "memory@%llx", (unsigned long long)GUEST_RAM0_BASE);
	rc |= fdt_begin_node(buf, node);
	rc |= fdt_property_string(buf, "device_type", "memory");
	cells[0] = cpu_to_fdt32((u32)(GUEST_RAM0_BASE >> 32));
	cells[1] = cpu_to_fdt32((u32)GUEST_RAM0_BASE);
	cells[2] = cpu_to_fdt32((u32)(bd->mem_bytes >> 32));
	cells[3] = cpu_to_fdt32((u32)bd->mem_bytes);
	rc |= fdt_property(buf, "reg", cells, 16);
	rc |= fdt_end_node(buf);

	hv_snprintf(node, sizeof(node), "interrupt-controller@%llx",
		    (unsigned long long)GUEST_GICV3_GICD_BASE);
	rc |= fdt_begin_node(buf, node);
	rc |= fdt_property_string(buf, "compatible", "arm,gic-v3");
	rc |= fdt_property_u32(buf, "#interrupt-cells", 3);
	rc |= fdt_property_u32(buf, "#address-cells", 0);
	rc |= fdt_property(buf, "interrupt-controller", NULL, 0);
	rc |= fdt_property_u32(buf, "#redistributor-regions", 1);
	cells[0] = 0;
	cells[1] = cpu_to_fdt32((u32)GUEST_GICV3_GICD_BASE);
	cells[2] = 0;
	cells[3] = cpu_to_fdt32((u32)GUEST_GICV3_GICD_SIZE);
	cells[4] = 0;
	cells[5] = cpu_to_fdt32((u32)GUEST_GICV3_GICR0_BASE);
	cells[6] = 0;
	cells[7] = cpu_to_fdt32((u32)(bd->nr_vcpus * GUEST_GICV3_RDIST_STRIDE));
	rc |= fdt_property(buf, "reg", cells, 32);
	rc |= fdt_property_u32(buf, "phandle", GUEST_PHANDLE_GIC);
	rc |= fdt_end_node(buf);

	rc |= fdt_begin_node(buf, "timer");
	rc |= fdt_property_string(buf, "compatible", "arm,armv8-timer");
	/* PPIs 29 (secure phys), 30 (phys), 27 (virt), 26 (hyp): <1 n-16 0xf08> */
	{
		static const u32 ppis[] = { 13, 14, 11, 10 };

		for (unsigned int i = 0; i < 4; i++) {
			cells[i * 3] = cpu_to_fdt32(1);
			cells[i * 3 + 1] = cpu_to_fdt32(ppis[i]);
			cells[i * 3 + 2] = cpu_to_fdt32(0xf08);
		}
	}
	rc |= fdt_property(buf, "interrupts", cells, 48);
	rc |= fdt_property_u32(buf, "interrupt-parent", GUEST_PHANDLE_GIC);
	rc |= fdt_end_node(buf);

	rc |= fdt_end_node(buf);
	rc |= fdt_finish(buf);
	return rc == 0 ? 0 : -HV_ENOSPC;
}

/* Creates, loads and starts one boot-time domain. */
static int build_domain(struct boot_domain *bd)
{
	const u8 *img = phys_to_virt(bd->kernel->start);
	struct domain_config cfg = { .nr_vcpus = bd->nr_vcpus, .mem_bytes = bd->mem_bytes };
	u64 text_offset = 0, image_size = bd->kernel->size;
	gpaddr_t kernel_gpa, dtb_gpa, initrd_gpa = 0, ram_end;
	u64 initrd_size = bd->ramdisk ? bd->ramdisk->size : 0;
	struct domain *d;
	void *dtb;
	int rc;

	if (bd->kernel->size < 64 || (u32)rd_le64(img + 56) != IMAGE_MAGIC) {
		log_err("dom0less: %s: the kernel module is not an arm64 Image (no \"ARM\\x64\" "
			"magic at offset 56)\n",
			bd->name);
		return -HV_ENOEXEC;
	}
	text_offset = rd_le64(img + 8);
	if (rd_le64(img + 16) == 0) {
		text_offset = IMAGE_DEFAULT_TEXT_OFFSET;
	} else {
		image_size = MAX(rd_le64(img + 16), bd->kernel->size);
	}
	ram_end = GUEST_RAM0_BASE + bd->mem_bytes;
	kernel_gpa = GUEST_RAM0_BASE + text_offset;
	/* Device tree in the last 2 MiB-aligned slot of RAM, ramdisk under it. */
	dtb_gpa = ROUND_DOWN(ram_end - GUEST_DTB_MAX, MiB(2));
	if (initrd_size) {
		initrd_gpa = ROUND_DOWN(dtb_gpa - initrd_size, MiB(2));
	}
	if (text_offset > bd->mem_bytes ||
	    kernel_gpa + image_size > (initrd_size ? initrd_gpa : dtb_gpa) ||
	    dtb_gpa < GUEST_RAM0_BASE || initrd_gpa > dtb_gpa) {
		log_err("dom0less: %s: %llu KiB of memory is too small for its kernel (%llu "
			"KiB)%s\n",
			bd->name, (unsigned long long)(bd->mem_bytes >> 10),
			(unsigned long long)(image_size >> 10),
			initrd_size ? ", ramdisk and device tree" : " and device tree");
		return -HV_ENOMEM;
	}
	hv_snprintf(cfg.name, sizeof(cfg.name), "%s", bd->name);
	rc = domain_create(bd->domid, &cfg, &d);
	if (rc != 0) {
		log_err("dom0less: %s: cannot create the domain (%d)\n", bd->name, rc);
		return rc;
	}
	dtb = xmalloc(GUEST_DTB_MAX);
	rc = dtb ? build_guest_dt(bd, dtb, initrd_gpa, initrd_size) : -HV_ENOMEM;
	rc = rc ?: copy_to_guest_phys(d, kernel_gpa, img, bd->kernel->size);
	rc = rc ?: copy_to_guest_phys(d, dtb_gpa, dtb, fdt_totalsize(dtb));
	if (rc == 0 && initrd_size) {
		rc = copy_to_guest_phys(d, initrd_gpa, phys_to_virt(bd->ramdisk->start),
					initrd_size);
	}
	xfree(dtb);
	if (rc != 0) {
		log_err("dom0less: %s: cannot load the domain (%d)\n", bd->name, rc);
		domain_shutdown(d, SHUTDOWN_crash);
		return rc;
	}
	/* The guest starts with its caches off: make the loaded images visible. */
	guest_clean_dcache(d, kernel_gpa, bd->kernel->size);
	guest_clean_dcache(d, dtb_gpa, GUEST_DTB_MAX);
	guest_clean_dcache(d, initrd_gpa, initrd_size);
	log_info("d%u (%s): %u vCPU(s), %llu MiB, kernel at 0x%llx, device tree at 0x%llx\n",
		 d->domid, d->name, d->nr_vcpus, (unsigned long long)(bd->mem_bytes >> 20),
		 (unsigned long long)kernel_gpa, (unsigned long long)dtb_gpa);
	return vcpu_power_on(d->vcpus[0], kernel_gpa, dtb_gpa);
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

		if (fdt_node_check_compatible(bi->fdt, node, "xen,domain") != 0) {
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

		if (bd->domid == domid && reason == SHUTDOWN_reboot) {
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
