/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Boot device tree parser: turns the blob the boot loader hands us into a struct boot_info.
 * This file reads what every architecture has (memory, reserved ranges, boot modules,
 * command lines, the console UART); arch_dt_parse_boot_info() reads the CPUs, firmware
 * interface, interrupt controller and timer (Arm: hv/arch/arm64/bootfdt.c). Bindings follow
 * the Linux DT bindings and Xen's docs/misc/arm/device-tree/booting.txt (Xen splits it the
 * same way: xen/common/device-tree/bootfdt.c and the arch's own probes).
 *
 * The blob is untrusted input from firmware: dt_check_blob() checks the whole structure
 * once, and afterwards the reader (hv/dt_reader.h) length-checks every property and checks
 * every string to be NUL-terminated within its property. Nothing here reads outside the
 * blob. On error the caller gets a negative -HV_Exxx and a one-line reason naming the
 * node and property:
 *   -HV_EINVAL  malformed blob, node or property;
 *   -HV_E2BIG   the blob's totalsize exceeds the allowed size;
 *   -HV_ENOENT  a required node (memory, CPUs) is missing;
 *   -HV_ENOSPC  more entries than struct boot_info can hold.
 */
#include <libfdt.h>

#include <hv/arch.h>
#include <hv/bootinfo.h>
#include <hv/dt_reader.h>
#include <hv/errno.h>
#include <hv/lib.h>
#include <hv/log.h>

/* ---- memory and reserved ranges ---------------------------------------------------- */

/** Adds every "reg" range of memory node to bi->mem, skipping empty banks. */
static int dt_parse_memory_node(struct dt_reader *c, int node, struct boot_info *bi)
{
	struct dt_reg reg;
	u64 start, size;
	int rc = dt_need_reg(c, node, "memory node", &reg);

	if (rc != 0) {
		return rc;
	}
	for (int i = 0; i < reg.nr; i++) {
		dt_reg_entry(&reg, i, &start, &size);
		if (size == 0) {
			continue;
		}
		rc = dt_check_range(c, node, start, size);
		if (rc != 0) {
			return rc;
		}
		if (bi->nr_mem == BOOT_MAX_MEM_BANKS) {
			return dt_fail(c, -HV_ENOSPC, "%s: too many memory banks (at most %d)",
				       dt_path(c, node), BOOT_MAX_MEM_BANKS);
		}
		bi->mem[bi->nr_mem].start = start;
		bi->mem[bi->nr_mem].end = start + size;
		bi->nr_mem++;
	}
	return 0;
}

/** Scans the whole tree for available nodes with device_type = "memory". */
static int dt_parse_memory(struct dt_reader *c, struct boot_info *bi)
{
	const char *type;
	bool avail;
	int node, rc;

	for (node = fdt_next_node(c->fdt, -1, NULL); node >= 0;
	     node = fdt_next_node(c->fdt, node, NULL)) {
		rc = dt_get_string(c, node, "device_type", &type);
		if (rc != 0) {
			return rc;
		}
		if (type == NULL || strcmp(type, "memory") != 0) {
			continue;
		}
		rc = dt_is_available(c, node, &avail);
		if (rc != 0) {
			return rc;
		}
		if (!avail) {
			continue;
		}
		rc = dt_parse_memory_node(c, node, bi);
		if (rc != 0) {
			return rc;
		}
	}
	if (bi->nr_mem == 0) {
		return dt_fail(c, -HV_ENOENT, "no memory node in the device tree");
	}
	return 0;
}

/** Appends [start, start + size) to bi->reserved; node is only for messages (-1: /memreserve/). */
static int dt_add_reserved(struct dt_reader *c, int node, u64 start, u64 size, struct boot_info *bi)
{
	const char *where = node >= 0 ? dt_path(c, node) : "/memreserve/";

	if (size == 0) {
		return 0;
	}
	if (start + size < start) {
		return dt_fail(c, -HV_EINVAL, "%s: reserved range 0x%llx + 0x%llx overflows", where,
			       (unsigned long long)start, (unsigned long long)size);
	}
	if (bi->nr_reserved == BOOT_MAX_RESERVED) {
		return dt_fail(c, -HV_ENOSPC, "%s: too many reserved ranges (at most %d)", where,
			       BOOT_MAX_RESERVED);
	}
	bi->reserved[bi->nr_reserved].start = start;
	bi->reserved[bi->nr_reserved].end = start + size;
	bi->nr_reserved++;
	return 0;
}

/** Collects the /memreserve/ entries and the reg ranges of /reserved-memory children. */
static int dt_parse_reserved(struct dt_reader *c, struct boot_info *bi)
{
	struct dt_reg reg;
	bool present;
	u64 start, size;
	int n, parent, node, rc;

	n = fdt_num_mem_rsv(c->fdt);
	if (n < 0) {
		return dt_fail(c, -HV_EINVAL, "/memreserve/ block is malformed: %s",
			       fdt_strerror(n));
	}
	for (int i = 0; i < n; i++) {
		rc = fdt_get_mem_rsv(c->fdt, i, &start, &size);
		if (rc != 0) {
			return dt_fail(c, -HV_EINVAL, "/memreserve/ entry %d: %s", i,
				       fdt_strerror(rc));
		}
		rc = dt_add_reserved(c, -1, start, size, bi);
		if (rc != 0) {
			return rc;
		}
	}

	parent = fdt_path_offset(c->fdt, "/reserved-memory");
	if (parent < 0) {
		return 0;
	}
	fdt_for_each_subnode (node, c->fdt, parent) {
		rc = dt_get_reg(c, node, &reg, &present);
		if (rc != 0) {
			return rc;
		}
		for (int i = 0; present && i < reg.nr; i++) {
			dt_reg_entry(&reg, i, &start, &size);
			rc = dt_add_reserved(c, node, start, size, bi);
			if (rc != 0) {
				return rc;
			}
		}
	}
	return 0;
}

/* ---- boot modules and command lines ------------------------------------------------ */

/** Compatible strings that make a /chosen child a boot module, with the kind they imply. */
static const struct {
	const char *compat;
	enum boot_module_kind kind; /* BOOTMOD_UNKNOWN: generic, no kind implied */
} dt_module_compats[] = {
	{ "multiboot,kernel", BOOTMOD_KERNEL },
	{ "multiboot,ramdisk", BOOTMOD_RAMDISK },
	{ "xen,xsm-policy", BOOTMOD_XSM },
	/* Xen 4.4 names; a legacy node may carry only these, without the generic one. */
	{ "xen,linux-zimage", BOOTMOD_KERNEL },
	{ "xen,linux-initrd", BOOTMOD_RAMDISK },
	{ "multiboot,module", BOOTMOD_UNKNOWN },
	{ "xen,multiboot-module", BOOTMOD_UNKNOWN },
};

/**
 * Classifies node: *is_module tells whether it is a boot module at all, and *kind is the
 * kind its compatible list names (BOOTMOD_UNKNOWN for a generic module). The specific
 * strings are looked for first, so the order within the property does not matter.
 */
static int dt_module_kind(struct dt_reader *c, int node, bool *is_module,
			  enum boot_module_kind *kind)
{
	const char *s;
	int len, rc;

	*is_module = false;
	*kind = BOOTMOD_UNKNOWN;
	rc = dt_get_strlist(c, node, "compatible", &s, &len);
	if (rc != 0 || s == NULL) {
		return rc;
	}
	for (size_t i = 0; i < ARRAY_SIZE(dt_module_compats); i++) {
		if (dt_strlist_has(s, len, dt_module_compats[i].compat)) {
			*is_module = true;
			*kind = dt_module_compats[i].kind;
			return 0;
		}
	}
	return 0;
}

/** Records module node (child of /chosen or of a "xen,domain" node) in bi->modules. */
static int dt_add_module(struct dt_reader *c, int node, enum boot_module_kind kind, int domain_node,
			 struct boot_info *bi)
{
	struct boot_module *m;
	struct dt_reg reg;
	u64 start, size;
	int rc = dt_need_reg(c, node, "boot module", &reg);

	if (rc != 0) {
		return rc;
	}
	dt_reg_entry(&reg, 0, &start, &size);
	if (size == 0) {
		return dt_fail(c, -HV_EINVAL, "%s: boot module has size 0", dt_path(c, node));
	}
	if (start + size < start) {
		return dt_fail(c, -HV_EINVAL, "%s: boot module 0x%llx + 0x%llx overflows",
			       dt_path(c, node), (unsigned long long)start,
			       (unsigned long long)size);
	}
	if (bi->nr_modules == BOOT_MAX_MODULES) {
		return dt_fail(c, -HV_ENOSPC, "%s: too many boot modules (at most %d)",
			       dt_path(c, node), BOOT_MAX_MODULES);
	}
	m = &bi->modules[bi->nr_modules];
	rc = dt_get_string(c, node, "bootargs", &m->bootargs);
	if (rc != 0) {
		return rc;
	}
	m->kind = kind;
	m->start = start;
	m->size = size;
	m->name = fdt_get_name(c->fdt, node, NULL);
	m->node = node;
	m->domain_node = domain_node;
	bi->nr_modules++;
	return 0;
}

/**
 * Applies Xen's guess to the modules of one domain (those from index first on, all with
 * the same domain_node) that named no kind: the first becomes the kernel and the second
 * the ramdisk, unless a module names that kind explicitly.
 */
static void dt_guess_module_kinds(struct boot_info *bi, unsigned int first,
				  const bool *explicit_kind)
{
	bool have_kernel = false, have_ramdisk = false;
	unsigned int i;

	for (i = first; i < bi->nr_modules; i++) {
		if (explicit_kind[i]) {
			have_kernel |= bi->modules[i].kind == BOOTMOD_KERNEL;
			have_ramdisk |= bi->modules[i].kind == BOOTMOD_RAMDISK;
		}
	}
	for (i = first; i < bi->nr_modules; i++) {
		if (explicit_kind[i]) {
			continue;
		}
		if (!have_kernel) {
			bi->modules[i].kind = BOOTMOD_KERNEL;
			have_kernel = true;
		} else if (!have_ramdisk) {
			bi->modules[i].kind = BOOTMOD_RAMDISK;
			have_ramdisk = true;
		}
	}
}

/** Adds the module children of parent (/chosen or a "xen,domain" node), then guesses kinds. */
static int dt_parse_module_list(struct dt_reader *c, int parent, int domain_node,
				struct boot_info *bi, bool *explicit_kind)
{
	enum boot_module_kind kind;
	unsigned int first = bi->nr_modules;
	bool is_module;
	int node, rc;

	fdt_for_each_subnode (node, c->fdt, parent) {
		rc = dt_module_kind(c, node, &is_module, &kind);
		if (rc != 0) {
			return rc;
		}
		if (!is_module) {
			continue;
		}
		rc = dt_add_module(c, node, kind, domain_node, bi);
		if (rc != 0) {
			return rc;
		}
		explicit_kind[bi->nr_modules - 1] = kind != BOOTMOD_UNKNOWN;
	}
	dt_guess_module_kinds(bi, first, explicit_kind);
	return 0;
}

/** Collects Dom0's modules from /chosen and each dom0less domain's from its "xen,domain" node. */
static int dt_parse_modules(struct dt_reader *c, int chosen, struct boot_info *bi)
{
	bool explicit_kind[BOOT_MAX_MODULES] = { false };
	bool is_domain;
	int node, rc;

	rc = dt_parse_module_list(c, chosen, -1, bi, explicit_kind);
	if (rc != 0) {
		return rc;
	}
	fdt_for_each_subnode (node, c->fdt, chosen) {
		rc = dt_compatible(c, node, "xen,domain", &is_domain);
		if (rc != 0) {
			return rc;
		}
		if (!is_domain) {
			continue;
		}
		rc = dt_parse_module_list(c, node, node, bi, explicit_kind);
		if (rc != 0) {
			return rc;
		}
	}
	return 0;
}

/**
 * Picks the hypervisor's and Dom0's command lines from /chosen, following Xen's rules
 * (docs/misc/arm/device-tree/booting.txt, "Command lines"): "xen,xen-bootargs" is ours
 * and "xen,dom0-bootargs" is Dom0's; plain "bootargs" is ours when there is no
 * "xen,xen-bootargs" but Dom0 has a command line from elsewhere, else it is Dom0's.
 * The Dom0 kernel module's own "bootargs" wins over "xen,dom0-bootargs".
 * Lamina's one extension: with no Dom0 kernel module at all and no Xen-specific
 * property, plain "bootargs" is ours (there is no Dom0 to give it to), so
 * "qemu -kernel lamina.bin -append ..." works.
 */
static int dt_parse_cmdlines(struct dt_reader *c, int chosen, struct boot_info *bi)
{
	const char *xen_args, *dom0_args, *args, *kernel_args = NULL;
	bool args_for_xen, has_kernel = false;
	int rc;

	rc = dt_get_string(c, chosen, "xen,xen-bootargs", &xen_args);
	if (rc == 0) {
		rc = dt_get_string(c, chosen, "xen,dom0-bootargs", &dom0_args);
	}
	if (rc == 0) {
		rc = dt_get_string(c, chosen, "bootargs", &args);
	}
	if (rc != 0) {
		return rc;
	}
	for (unsigned int i = 0; i < bi->nr_modules; i++) {
		const struct boot_module *m = &bi->modules[i];

		if (m->kind == BOOTMOD_KERNEL && m->domain_node < 0) {
			has_kernel = true;
			if (m->bootargs != NULL && m->bootargs[0] != '\0') {
				kernel_args = m->bootargs;
			}
			break;
		}
	}

	args_for_xen =
		xen_args == NULL && (dom0_args != NULL || kernel_args != NULL || !has_kernel);
	if (xen_args != NULL) {
		bi->hv_cmdline = xen_args;
	} else if (args_for_xen && args != NULL) {
		bi->hv_cmdline = args;
	} else {
		bi->hv_cmdline = "";
	}

	if (kernel_args != NULL) {
		bi->dom0_cmdline = kernel_args;
	} else if (dom0_args != NULL) {
		bi->dom0_cmdline = dom0_args;
	} else if (!args_for_xen) {
		bi->dom0_cmdline = args;
	} else {
		bi->dom0_cmdline = NULL;
	}
	return 0;
}

/**
 * Resolves a DT path or alias (up to len bytes of spec, no ":options") to a node offset.
 * An alias may be followed by "/sub/path". The alias value is checked to be a string
 * before it is used as a path. Returns the offset or -HV_ENOENT / -HV_EINVAL.
 */
static int dt_resolve_path(struct dt_reader *c, const char *spec, int len)
{
	const char *slash, *target;
	int aliases, node, tlen, rest;

	if (len <= 0) {
		return -HV_ENOENT;
	}
	if (spec[0] == '/') {
		node = fdt_path_offset_namelen(c->fdt, spec, len);
		return node >= 0 ? node : -HV_ENOENT;
	}
	slash = memchr(spec, '/', (size_t)len);
	rest = slash != NULL ? (int)(spec + len - slash) : 0;
	aliases = fdt_path_offset(c->fdt, "/aliases");
	if (aliases < 0) {
		return -HV_ENOENT;
	}
	target = fdt_getprop_namelen(c->fdt, aliases, spec, len - rest, &tlen);
	if (target == NULL) {
		return -HV_ENOENT;
	}
	if (tlen <= 0 || target[tlen - 1] != '\0' || target[0] != '/') {
		return dt_fail(c, -HV_EINVAL, "/aliases: property '%.*s' is not a path", len - rest,
			       spec);
	}
	node = fdt_path_offset(c->fdt, target);
	/* Walk the rest ("/a/b") one component at a time below the alias's node. */
	while (node >= 0 && rest > 0) {
		const char *comp = spec + len - rest + 1;
		const char *end = memchr(comp, '/', (size_t)(rest - 1));
		int clen = end != NULL ? (int)(end - comp) : rest - 1;

		if (clen > 0) {
			node = fdt_subnode_offset_namelen(c->fdt, node, comp, clen);
		}
		rest -= clen + 1;
	}
	return node >= 0 ? node : -HV_ENOENT;
}

/** dt_find_uart() with error reporting into c. */
static int dt_find_uart_ctx(struct dt_reader *c, const char *spec, struct boot_uart *out)
{
	const char *colon = strchr(spec, ':');
	int len = (int)(colon != NULL ? (size_t)(colon - spec) : strlen(spec));
	struct dt_reg reg;
	bool is_pl011;
	u64 base, size;
	u32 irq;
	int node, rc;

	node = dt_resolve_path(c, spec, len);
	if (node < 0) {
		if (node == -HV_ENOENT) {
			dt_fail(c, node, "console UART '%.*s' not found", len, spec);
		}
		return node;
	}
	rc = dt_compatible(c, node, "arm,pl011", &is_pl011);
	if (rc != 0) {
		return rc;
	}
	if (!is_pl011) {
		return dt_fail(c, -HV_ENODEV, "%s: not an arm,pl011 UART", dt_path(c, node));
	}
	rc = dt_need_reg(c, node, "UART", &reg);
	if (rc != 0) {
		return rc;
	}
	dt_reg_entry(&reg, 0, &base, &size);
	rc = dt_check_range(c, node, base, size);
	if (rc == 0) {
		rc = arch_dt_get_irq(c, node, 0, &irq);
	}
	if (rc != 0) {
		return rc;
	}
	out->base = base;
	out->size = size;
	out->irq = irq;
	out->node = node;
	out->path = spec;
	return 0;
}

/**
 * Finds the console UART named by a DT path or /aliases name with an optional ":options"
 * suffix. Returns 0 and fills *out, -HV_ENOENT if nothing by that name exists, -HV_ENODEV
 * if the node is not an "arm,pl011", or -HV_EINVAL if its properties are malformed. The
 * blob must already have passed dt_parse_boot_info(). *out is untouched on failure.
 */
int dt_find_uart(const void *fdt, const char *path_or_alias, struct boot_uart *out)
{
	struct dt_reader c;

	dt_reader_init(&c, fdt, NULL, 0);
	return dt_find_uart_ctx(&c, path_or_alias, out);
}

/**
 * Resolves /chosen "stdout-path" (or the older "linux,stdout-path"). A missing property
 * or one naming something other than a PL011 leaves uart.node = -1; only a malformed
 * property is an error.
 */
static int dt_parse_uart(struct dt_reader *c, int chosen, struct boot_info *bi)
{
	const char *path;
	int rc;

	bi->uart.node = -1;
	rc = dt_get_string(c, chosen, "stdout-path", &path);
	if (rc == 0 && path == NULL) {
		rc = dt_get_string(c, chosen, "linux,stdout-path", &path);
	}
	if (rc != 0 || path == NULL) {
		return rc;
	}
	bi->uart.path = path;
	rc = dt_find_uart_ctx(c, path, &bi->uart);
	if (rc == -HV_ENOENT || rc == -HV_ENODEV) {
		log_warn("stdout-path '%s': no usable PL011 UART there\n", path);
		return 0;
	}
	return rc;
}

/* ---- entry points ------------------------------------------------------------------ */

/**
 * Validates the blob and fills *bi; see bootinfo.h. On failure *bi is partly filled and
 * must not be used; err holds the reason.
 */
int dt_parse_boot_info(const void *fdt, size_t max_size, struct boot_info *bi, char *err,
		       size_t errlen)
{
	struct dt_reader c;
	int chosen, rc;

	dt_reader_init(&c, fdt, err, errlen);
	memset(bi, 0, sizeof(*bi));
	bi->hv_cmdline = "";
	bi->uart.node = -1;

	rc = dt_check_blob(&c, max_size);
	if (rc != 0) {
		return rc;
	}
	bi->fdt = fdt;
	bi->fdt_size = fdt_totalsize(fdt);

	rc = dt_parse_memory(&c, bi);
	if (rc == 0) {
		rc = dt_parse_reserved(&c, bi);
	}
	if (rc == 0) {
		rc = arch_dt_parse_boot_info(&c, bi);
	}
	if (rc != 0) {
		return rc;
	}

	chosen = fdt_path_offset(fdt, "/chosen");
	if (chosen < 0) {
		return 0; /* no modules, no command lines, no stdout-path */
	}
	rc = dt_parse_modules(&c, chosen, bi);
	if (rc == 0) {
		rc = dt_parse_cmdlines(&c, chosen, bi);
	}
	if (rc == 0) {
		rc = dt_parse_uart(&c, chosen, bi);
	}
	return rc;
}

/** Returns a short lower-case name for k, for boot logs. */
const char *boot_module_kind_name(enum boot_module_kind k)
{
	switch (k) {
	case BOOTMOD_KERNEL:
		return "kernel";
	case BOOTMOD_RAMDISK:
		return "ramdisk";
	case BOOTMOD_XSM:
		return "xsm-policy";
	case BOOTMOD_UNKNOWN:
		return "unknown";
	default:
		return "invalid";
	}
}
