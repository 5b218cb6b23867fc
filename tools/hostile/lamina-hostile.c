/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lamina-hostile: a Dom0 process that issues every domctl and sysctl of Lamina's control
 * interface (hv/include/public/lamctl.h) with malformed structs, and privcmd foreign
 * mappings of frames it may not have (issue 11). Every call must come back with an error
 * code; the hypervisor, Dom0 and the target DomU must stay up (tests/system/dom0/hostile.sh
 * checks them afterwards).
 *
 *   lamina-hostile TARGET_DOMID
 *
 * TARGET_DOMID is a running DomU (never harmed: only refused calls are made on it). The
 * program also creates a paused domain of its own to have a vCPU context and a grant
 * table it knows, and destroys it at the end (and checks calls on it after that).
 * It prints "LAMINA-CHECK hostile-<group>=ok" per group, or the calls that did not fail as
 * they should, and exits non-zero if any did not.
 *
 * The structs are built by hand (not with tools/lib/ctl.c) so that any field can be wrong;
 * the hypercall goes through IOCTL_PRIVCMD_HYPERCALL (Linux include/uapi/xen/privcmd.h),
 * whose return value is the hypercall's (a negative errno becomes -1 and errno).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <public/lamctl.h>
#include <public/xen.h>

/* Xen errno values (lamctl.h lists them). */
#define XEN_EPERM 1
#define XEN_ESRCH 3
#define XEN_EFAULT 14
#define XEN_EBUSY 16
#define XEN_EEXIST 17
#define XEN_EINVAL 22
#define XEN_EACCES 13
#define XEN_EOPNOTSUPP 95

#define NO_SUCH_DOMAIN 0x7000
#define SENTINEL 0x7eadbeef
#define PAGE 4096u

struct privcmd_hypercall {
	uint64_t op;
	uint64_t arg[5];
};

struct privcmd_mmapbatch_v2 {
	uint32_t num;
	uint16_t dom;
	uint64_t addr;
	const uint64_t *arr;
	int *err;
};

#define PRIVCMD_IOC(nr, size) ((unsigned long)(((size) << 16) | ('P' << 8) | (nr)))
#define IOCTL_PRIVCMD_HYPERCALL PRIVCMD_IOC(0, sizeof(struct privcmd_hypercall))
#define IOCTL_PRIVCMD_MMAPBATCH_V2 PRIVCMD_IOC(4, sizeof(struct privcmd_mmapbatch_v2))

static int privcmd = -1;
static struct lam_domctl *dc; /* a locked page: the hypervisor reads it by address */
static struct lam_sysctl *sc;
static uint8_t *buf; /* locked pages for buffers the calls point at */
#define BUF_PAGES 4

static unsigned int calls, bad;
static const char *group;
static unsigned int group_bad;

static void start(const char *name)
{
	group = name;
	group_bad = 0;
}

static void end(void)
{
	if (group_bad == 0) {
		printf("LAMINA-CHECK hostile-%s=ok\n", group);
	} else {
		printf("LAMINA-CHECK hostile-%s=failed (%u calls did not fail as they should)\n",
		       group, group_bad);
	}
	fflush(stdout);
}

static long hypercall(unsigned int op, const void *arg)
{
	struct privcmd_hypercall h = { .op = op, .arg = { (uintptr_t)arg } };
	long rc = ioctl(privcmd, IOCTL_PRIVCMD_HYPERCALL, &h);

	return rc < 0 ? -errno : rc;
}

/* Records a call that had to fail: with want (a Xen errno), or any error if want is 0. */
static void expect_err(long rc, int want, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void expect_err(long rc, int want, const char *fmt, ...)
{
	va_list ap;

	calls++;
	if (rc < 0 && (want == 0 || rc == -want)) {
		return;
	}
	bad++;
	group_bad++;
	printf("LAMINA-HOSTILE-UNEXPECTED %s: ", group);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf(": returned %ld, expected %s%d\n", rc, want ? "-" : "an error, e.g. -", want);
}

/* A fresh domctl (version and everything else valid unless changed). */
static struct lam_domctl *domctl(uint32_t cmd, uint16_t domid)
{
	memset(dc, 0, sizeof(*dc));
	dc->cmd = cmd;
	dc->version = LAMCTL_VERSION;
	dc->domid = domid;
	return dc;
}

static struct lam_sysctl *sysctl(uint32_t cmd)
{
	memset(sc, 0, sizeof(*sc));
	sc->cmd = cmd;
	sc->version = LAMCTL_VERSION;
	return sc;
}

static long do_domctl(void)
{
	return hypercall(__HYPERVISOR_domctl, dc);
}

static long do_sysctl(void)
{
	return hypercall(__HYPERVISOR_sysctl, sc);
}

static void *locked(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		return NULL;
	}
	memset(p, 0, len);
	(void)mlock(p, len);
	return p;
}

static void valid_create(struct lam_dom_create *c, const char *name)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->max_vcpus = 1;
	c->mem_kb = 16 * 1024;
}

/* ------------------------------------------------------------------ groups */

/* Every command, and some that do not exist, with a wrong version, non-zero pads. */
static void header_checks(uint16_t target)
{
	static const uint32_t versions[] = { 0, LAMCTL_VERSION + 1, LAMCTL_VERSION - 1, 0x00000012u,
					     ~0u };

	start("version");
	for (uint32_t cmd = 0; cmd <= LAM_DOMCTL_write_memory + 2; cmd++) {
		for (unsigned int i = 0; i < sizeof(versions) / sizeof(versions[0]); i++) {
			domctl(cmd, target)->version = versions[i];
			expect_err(do_domctl(), XEN_EACCES, "domctl %u version %#x", cmd,
				   versions[i]);
		}
	}
	for (uint32_t cmd = 0; cmd <= LAM_SYSCTL_readconsole + 2; cmd++) {
		for (unsigned int i = 0; i < sizeof(versions) / sizeof(versions[0]); i++) {
			sysctl(cmd)->version = versions[i];
			expect_err(do_sysctl(), XEN_EACCES, "sysctl %u version %#x", cmd,
				   versions[i]);
		}
	}
	end();

	start("pads");
	for (uint32_t cmd = 1; cmd <= LAM_DOMCTL_write_memory; cmd++) {
		domctl(cmd, target)->pad0 = 1;
		expect_err(do_domctl(), XEN_EINVAL, "domctl %u pad0", cmd);
		domctl(cmd, target)->pad1 = 0x80000000u;
		expect_err(do_domctl(), XEN_EINVAL, "domctl %u pad1", cmd);
	}
	for (uint32_t cmd = 1; cmd <= LAM_SYSCTL_readconsole; cmd++) {
		sysctl(cmd)->pad = 1ull << 63;
		expect_err(do_sysctl(), XEN_EINVAL, "sysctl %u pad", cmd);
	}
	end();

	start("unknown-commands");
	static const uint32_t unknown[] = { 0, LAM_DOMCTL_write_memory + 1, 0x100, 0x80000000u,
					    ~0u };

	for (unsigned int i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		domctl(unknown[i], target);
		expect_err(do_domctl(), XEN_EOPNOTSUPP, "domctl cmd %#x", unknown[i]);
		sysctl(unknown[i] == LAM_DOMCTL_write_memory + 1 ? LAM_SYSCTL_readconsole + 1
								 : unknown[i]);
		expect_err(do_sysctl(), XEN_EOPNOTSUPP, "sysctl cmd %#x", sc->cmd);
	}
	end();

	start("bad-pointers");
	{
		/*
		 * Addresses of nothing in this process. Kernel addresses are not among them:
		 * the hypervisor translates Dom0's pointers as Dom0's kernel would (as Xen
		 * does), so root may point it at kernel memory, as root may anyway.
		 */
		static const uint64_t ptrs[] = { 0, 8, 0x0000ffffffff0000ull, 0x0000fffffffff000ull,
						 0x0001000000000000ull };

		for (unsigned int i = 0; i < sizeof(ptrs) / sizeof(ptrs[0]); i++) {
			struct privcmd_hypercall h = { .op = __HYPERVISOR_domctl,
						       .arg = { ptrs[i] } };
			long rc = ioctl(privcmd, IOCTL_PRIVCMD_HYPERCALL, &h);

			expect_err(rc < 0 ? -errno : rc, XEN_EFAULT, "domctl at %#llx",
				   (unsigned long long)ptrs[i]);
			h.op = __HYPERVISOR_sysctl;
			rc = ioctl(privcmd, IOCTL_PRIVCMD_HYPERCALL, &h);
			expect_err(rc < 0 ? -errno : rc, XEN_EFAULT, "sysctl at %#llx",
				   (unsigned long long)ptrs[i]);
		}
	}
	end();
}

/* Commands on domains that are not there or may not be acted on. */
static void domain_id_checks(void)
{
	static const uint16_t gone[] = { NO_SUCH_DOMAIN, DOMID_FIRST_RESERVED - 1, 0x7ff1, 0x7ffe,
					 0xffff };

	start("domain-ids");
	for (uint32_t cmd = LAM_DOMCTL_destroy; cmd <= LAM_DOMCTL_write_memory; cmd++) {
		for (unsigned int i = 0; i < sizeof(gone) / sizeof(gone[0]); i++) {
			domctl(cmd, gone[i]);
			expect_err(do_domctl(), XEN_ESRCH, "domctl %u on d%u", cmd, gone[i]);
		}
	}
	/* Dom0 itself (by ID and as DOMID_SELF): never destroyed, paused, shut down. */
	for (unsigned int self = 0; self < 2; self++) {
		uint16_t id = self ? DOMID_SELF : 0;

		domctl(LAM_DOMCTL_destroy, id);
		expect_err(do_domctl(), XEN_EPERM, "destroy d%#x", id);
		domctl(LAM_DOMCTL_pause, id);
		expect_err(do_domctl(), XEN_EINVAL, "pause d%#x", id);
		domctl(LAM_DOMCTL_unpause, id);
		expect_err(do_domctl(), XEN_EINVAL, "unpause d%#x", id);
		domctl(LAM_DOMCTL_shutdown, id)->u.shutdown.reason = SHUTDOWN_poweroff;
		expect_err(do_domctl(), XEN_EINVAL, "shutdown d%#x", id);
		domctl(LAM_DOMCTL_set_max_mem, id)->u.mem.max_mem_kb = 64 * 1024;
		expect_err(do_domctl(), XEN_EINVAL, "set_max_mem d%#x", id);
		domctl(LAM_DOMCTL_write_memory, id)->u.write = (struct lam_write_memory){
			.gpa = GUEST_RAM0_BASE, .buffer = (uintptr_t)buf, .size = 16
		};
		expect_err(do_domctl(), XEN_EINVAL, "write_memory d%#x", id);
		domctl(LAM_DOMCTL_set_vcpu_context, id)->u.vcpu_ctx.vcpu = 0;
		expect_err(do_domctl(), XEN_EBUSY, "set_vcpu_context d%#x", id);
	}
	end();
}

static void create_checks(uint16_t target)
{
	struct lam_dom_create *c;

	start("create");
#define BAD_CREATE(what, stmt, want)                                   \
	do {                                                           \
		c = &domctl(LAM_DOMCTL_create, 0)->u.create;           \
		valid_create(c, "hostile-bad");                        \
		stmt;                                                  \
		expect_err(do_domctl(), want, "create with %s", what); \
	} while (0)
	BAD_CREATE("an empty name", c->name[0] = 0, XEN_EINVAL);
	BAD_CREATE("an unterminated name", memset(c->name, 'x', sizeof(c->name)), XEN_EINVAL);
	BAD_CREATE("a space in the name", c->name[3] = ' ', XEN_EINVAL);
	BAD_CREATE("a control character in the name", c->name[1] = '\n', XEN_EINVAL);
	BAD_CREATE("a high byte in the name", c->name[0] = (char)0xc3, XEN_EINVAL);
	BAD_CREATE("flags", c->flags = 1, XEN_EINVAL);
	BAD_CREATE("all flags", c->flags = ~0u, XEN_EINVAL);
	BAD_CREATE("pad", c->pad = 1, XEN_EINVAL);
	BAD_CREATE("backend d1", c->backend_domid = 1, XEN_EINVAL);
	BAD_CREATE("backend DOMID_SELF", c->backend_domid = DOMID_SELF, XEN_EINVAL);
	BAD_CREATE("0 vCPUs", c->max_vcpus = 0, XEN_EINVAL);
	BAD_CREATE("129 vCPUs", c->max_vcpus = 129, XEN_EINVAL);
	BAD_CREATE("2^32-1 vCPUs", c->max_vcpus = ~0u, XEN_EINVAL);
	BAD_CREATE("0 KiB", c->mem_kb = 0, XEN_EINVAL);
	BAD_CREATE("15 MiB", c->mem_kb = 15 * 1024, XEN_EINVAL);
	BAD_CREATE("16 MiB + 1 KiB", c->mem_kb = 16 * 1024 + 1, XEN_EINVAL);
	BAD_CREATE("3 GiB + 4 KiB", c->mem_kb = 3ull * 1024 * 1024 + 4, XEN_EINVAL);
	BAD_CREATE("2^64-4 KiB", c->mem_kb = ~3ull, XEN_EINVAL);
	BAD_CREATE("max_mem below mem", c->max_mem_kb = 8 * 1024, XEN_EINVAL);
	BAD_CREATE("max_mem unaligned", c->max_mem_kb = 32 * 1024 + 2, XEN_EINVAL);
	BAD_CREATE("max_mem 2^64-4", c->max_mem_kb = ~3ull, XEN_EINVAL);
	/* More RAM than the machine has free (fits the guest layout): no memory. */
	BAD_CREATE("all the guest RAM window", c->mem_kb = GUEST_RAM0_SIZE / 1024, 0);
	/* IDs: the target's (taken), Dom0's, reserved ones. */
	BAD_CREATE("the target's ID", dc->domid = target, XEN_EEXIST);
	BAD_CREATE("ID DOMID_SELF", dc->domid = DOMID_SELF, XEN_EINVAL);
	BAD_CREATE("ID 0x7ff0 - 1 + 1", dc->domid = DOMID_FIRST_RESERVED, XEN_EINVAL);
	BAD_CREATE("ID 0xffff", dc->domid = 0xffff, XEN_EINVAL);
#undef BAD_CREATE
	end();
}

/* Malformed arguments on a live domain (the running target, or our paused one). */
static void per_command_checks(uint16_t d, unsigned int nr_vcpus, const char *name)
{
	char gname[48];

	snprintf(gname, sizeof(gname), "commands-%s", name);
	start(gname);
	/* getinfo: the union must come in zeroed. */
	domctl(LAM_DOMCTL_getinfo, d)->u.raw[239] = 1;
	expect_err(do_domctl(), XEN_EINVAL, "getinfo with a non-zero union");
	/* set_vcpu_context: vCPU out of range, pad; a running domain is busy anyway. */
	static const uint32_t vcpus[] = { 0, 1, 127, 128, 0x80000000u, ~0u };

	for (unsigned int i = 0; i < sizeof(vcpus) / sizeof(vcpus[0]); i++) {
		if (vcpus[i] < nr_vcpus) {
			continue;
		}
		domctl(LAM_DOMCTL_set_vcpu_context, d)->u.vcpu_ctx.vcpu = vcpus[i];
		expect_err(do_domctl(), 0, "set_vcpu_context vCPU %u", vcpus[i]);
		domctl(LAM_DOMCTL_get_vcpu_info, d)->u.vcpu_info.vcpu = vcpus[i];
		expect_err(do_domctl(), XEN_EINVAL, "get_vcpu_info vCPU %u", vcpus[i]);
		domctl(LAM_DOMCTL_set_vcpu_affinity, d)->u.affinity.vcpu = vcpus[i];
		expect_err(do_domctl(), XEN_EINVAL, "set_vcpu_affinity vCPU %u", vcpus[i]);
	}
	domctl(LAM_DOMCTL_set_vcpu_context, d)->u.vcpu_ctx.pad = 1;
	expect_err(do_domctl(), 0, "set_vcpu_context pad");
	/* get_vcpu_info: OUT fields must come in zeroed. */
	domctl(LAM_DOMCTL_get_vcpu_info, d)->u.vcpu_info.state = 1;
	expect_err(do_domctl(), XEN_EINVAL, "get_vcpu_info state");
	domctl(LAM_DOMCTL_get_vcpu_info, d)->u.vcpu_info.time_ns = 1;
	expect_err(do_domctl(), XEN_EINVAL, "get_vcpu_info time");
	/* set_vcpu_affinity: pCPUs that do not exist. */
	static const uint32_t pcpus[] = { 64, 127, 128, 4096, 0x80000000u, ~0u };

	for (unsigned int i = 0; i < sizeof(pcpus) / sizeof(pcpus[0]); i++) {
		domctl(LAM_DOMCTL_set_vcpu_affinity, d)->u.affinity.pcpu = pcpus[i];
		expect_err(do_domctl(), XEN_EINVAL, "set_vcpu_affinity pCPU %u", pcpus[i]);
	}
	/* shutdown: reasons it does not take, pad. */
	static const uint32_t reasons[] = { SHUTDOWN_suspend, SHUTDOWN_watchdog, 5, 255, ~0u };

	for (unsigned int i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++) {
		domctl(LAM_DOMCTL_shutdown, d)->u.shutdown.reason = reasons[i];
		expect_err(do_domctl(), XEN_EINVAL, "shutdown reason %u", reasons[i]);
	}
	domctl(LAM_DOMCTL_shutdown, d)->u.shutdown.pad = 1;
	expect_err(do_domctl(), XEN_EINVAL, "shutdown pad");
	/* set_max_mem: too small, unaligned, beyond the layout. */
	static const uint64_t mems[] = {
		0, 4, 16 * 1024 - 4, 16 * 1024 + 2, GUEST_RAM0_SIZE / 1024 + 4, ~3ull
	};

	for (unsigned int i = 0; i < sizeof(mems) / sizeof(mems[0]); i++) {
		domctl(LAM_DOMCTL_set_max_mem, d)->u.mem.max_mem_kb = mems[i];
		expect_err(do_domctl(), XEN_EINVAL, "set_max_mem %llu KiB",
			   (unsigned long long)mems[i]);
	}
	/* cacheflush: empty, too many, wrapping, past the guest's address space. */
	static const struct lam_cacheflush flushes[] = {
		{ 0x40000, 0 },	   { 0x40000, (1ull << 18) + 1 },
		{ ~0ull - 2, 4 },  { ~0ull, 1 },
		{ 1ull << 40, 1 }, { 1ull << 52, 16 },
		{ 0, ~0ull },
	};

	for (unsigned int i = 0; i < sizeof(flushes) / sizeof(flushes[0]); i++) {
		domctl(LAM_DOMCTL_cacheflush, d)->u.flush = flushes[i];
		expect_err(do_domctl(), XEN_EINVAL, "cacheflush %#llx+%#llx",
			   (unsigned long long)flushes[i].first_gfn,
			   (unsigned long long)flushes[i].nr_gfns);
	}
	/* write_memory: sizes, wraps, outside RAM, the source not ours. */
	static const struct lam_write_memory writes[] = {
		{ GUEST_RAM0_BASE, 0, 0 },     { GUEST_RAM0_BASE, 0, LAM_WRITE_MEMORY_MAX + 1 },
		{ GUEST_RAM0_BASE, 0, ~0ull }, { ~0ull - 8, 0, 16 },
		{ 1ull << 48, 0, 16 },	       { GUEST_RAM0_BASE, ~0ull - 8, 16 },
	};

	for (unsigned int i = 0; i < sizeof(writes) / sizeof(writes[0]); i++) {
		struct lam_write_memory w = writes[i];

		if (w.buffer == 0) {
			w.buffer = (uintptr_t)buf;
		}
		domctl(LAM_DOMCTL_write_memory, d)->u.write = w;
		expect_err(do_domctl(), XEN_EINVAL, "write_memory %#llx+%#llx from %#llx",
			   (unsigned long long)w.gpa, (unsigned long long)w.size,
			   (unsigned long long)w.buffer);
	}
	/* Holes and devices of the guest, the magic area below RAM: not its RAM. */
	static const uint64_t not_ram[] = { 0, 0x03001000, GUEST_GNTTAB_BASE, 0x3f000000 };

	for (unsigned int i = 0; i < sizeof(not_ram) / sizeof(not_ram[0]); i++) {
		domctl(LAM_DOMCTL_write_memory, d)->u.write = (struct lam_write_memory){
			.gpa = not_ram[i], .buffer = (uintptr_t)buf, .size = 64
		};
		expect_err(do_domctl(), 0, "write_memory to %#llx", (unsigned long long)not_ram[i]);
	}
	/* The source: nothing mapped there, a page past the buffer that is not mapped. */
	static const uint64_t sources[] = { 8, 0x0000fffffffff000ull,
					    (uint64_t)(uintptr_t)0 /* set below */ };

	for (unsigned int i = 0; i < sizeof(sources) / sizeof(sources[0]); i++) {
		uint64_t src =
			sources[i] != 0 ? sources[i] : (uintptr_t)buf + (BUF_PAGES - 1) * PAGE;

		domctl(LAM_DOMCTL_write_memory, d)->u.write = (struct lam_write_memory){
			.gpa = GUEST_RAM0_BASE + 0x1000, .buffer = src, .size = 64
		};
		expect_err(do_domctl(), XEN_EFAULT, "write_memory from %#llx",
			   (unsigned long long)src);
	}
	end();
}

static void sysctl_checks(void)
{
	start("sysctl");
	sysctl(LAM_SYSCTL_physinfo)->u.raw[0] = 1;
	expect_err(do_sysctl(), XEN_EINVAL, "physinfo with a non-zero union");
	sysctl(LAM_SYSCTL_physinfo)->u.physinfo.stray_pages = 1;
	expect_err(do_sysctl(), XEN_EINVAL, "physinfo with a non-zero stray_pages");
	static const struct lam_domain_list lists[] = {
		{ .first_domid = DOMID_FIRST_RESERVED, .max_entries = 1 },
		{ .first_domid = ~0u, .max_entries = 1 },
		{ .max_entries = DOMID_FIRST_RESERVED + 1 },
		{ .max_entries = ~0u },
		{ .max_entries = 1, .nr_entries = 1 },
		{ .max_entries = 1, .pad = 1 },
	};

	for (unsigned int i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		sysctl(LAM_SYSCTL_domain_list)->u.domain_list = lists[i];
		sc->u.domain_list.buffer = (uintptr_t)buf;
		expect_err(do_sysctl(), XEN_EINVAL, "domain_list case %u", i);
	}
	static const uint64_t bad_bufs[] = { 0, 8, 0x0000fffffffff000ull, 0x0001000000000000ull };

	for (unsigned int i = 0; i < sizeof(bad_bufs) / sizeof(bad_bufs[0]); i++) {
		sysctl(LAM_SYSCTL_domain_list)->u.domain_list =
			(struct lam_domain_list){ .max_entries = 4, .buffer = bad_bufs[i] };
		expect_err(do_sysctl(), XEN_EFAULT, "domain_list into %#llx",
			   (unsigned long long)bad_bufs[i]);
		sysctl(LAM_SYSCTL_readconsole)->u.console =
			(struct lam_readconsole){ .buffer = bad_bufs[i], .size = 4096 };
		expect_err(do_sysctl(), XEN_EFAULT, "readconsole into %#llx",
			   (unsigned long long)bad_bufs[i]);
	}
	/* Our buffer is BUF_PAGES pages: a huge size runs off its end into nothing. */
	sysctl(LAM_SYSCTL_domain_list)->u.domain_list =
		(struct lam_domain_list){ .max_entries = DOMID_FIRST_RESERVED,
					  .buffer = (uintptr_t)buf + (BUF_PAGES - 1) * PAGE - 8 };
	expect_err(do_sysctl(), XEN_EFAULT, "domain_list across the end of the buffer");
	sysctl(LAM_SYSCTL_readconsole)->u.console =
		(struct lam_readconsole){ .buffer = (uintptr_t)buf, .size = 4096, .count = 1 };
	expect_err(do_sysctl(), XEN_EINVAL, "readconsole with count set");
	sysctl(LAM_SYSCTL_readconsole)->u.console =
		(struct lam_readconsole){ .buffer = (uintptr_t)buf, .size = 4096, .lost = 1 };
	expect_err(do_sysctl(), XEN_EINVAL, "readconsole with lost set");
	end();
}

/*
 * Foreign mappings: a domain that does not exist, frames outside the guest, the guest's
 * devices, and the target's grant-table frames (hypervisor pages, rule 3 of
 * docs/security.md). Every frame must come back with its own error; nothing maps.
 */
static void foreign_checks(uint16_t target)
{
	enum { N = 12 };
	uint64_t gfns[N] = {
		0,
		0x03001,		 /* the guest's GIC distributor */
		GUEST_GNTTAB_BASE >> 12, /* its grant-table frames */
		(GUEST_GNTTAB_BASE >> 12) + 1,
		(GUEST_GNTTAB_BASE >> 12) + 31,
		(GUEST_RAM0_BASE + GUEST_RAM0_SIZE) >> 12, /* past its RAM window */
		1ull << 36,
		~0ull,
		~0ull >> 12,
		0x3f000,
		0x100000000ull,
		0x7fffffffffffull,
	};
	int errs[N];
	struct privcmd_mmapbatch_v2 b;
	void *addr;

	start("foreign-maps");
	addr = mmap(NULL, N * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, privcmd, 0);
	if (addr == MAP_FAILED) {
		printf("LAMINA-HOSTILE-UNEXPECTED foreign-maps: mmap of privcmd: %s\n",
		       strerror(errno));
		bad++;
		group_bad++;
		end();
		return;
	}
	for (unsigned int pass = 0; pass < 3; pass++) {
		uint16_t dom = pass == 0   ? target
			       : pass == 1 ? NO_SUCH_DOMAIN
					   : DOMID_FIRST_RESERVED;
		long rc;

		/*
		 * Linux's privcmd writes every frame's error back and returns 0 (or -ENOENT); a
		 * failure of the whole call may leave the array as it was: a sentinel tells.
		 */
		for (unsigned int i = 0; i < N; i++) {
			errs[i] = SENTINEL;
		}
		b = (struct privcmd_mmapbatch_v2){
			.num = N, .dom = dom, .addr = (uintptr_t)addr, .arr = gfns, .err = errs
		};
		rc = ioctl(privcmd, IOCTL_PRIVCMD_MMAPBATCH_V2, &b);
		rc = rc < 0 ? -errno : rc;
		for (unsigned int i = 0; i < N; i++) {
			/*
			 * A failure of the whole call (other than -ENOENT, "some frames paged
			 * out") maps nothing, whatever the array says: Linux's privcmd clears it
			 * before it checks the domain.
			 */
			long e = rc < 0 && rc != -ENOENT ? rc
				 : errs[i] == SENTINEL	 ? (rc < 0 ? rc : 0)
							 : errs[i];

			expect_err(e, 0, "MMAPBATCH_V2 of d%#x gfn %#llx (call %ld)", dom,
				   (unsigned long long)gfns[i], rc);
		}
	}
	munmap(addr, N * PAGE);
	end();
}

/* A paused domain of our own: checks on it, then destroyed, then the same calls on its ID. */
static void own_domain_checks(uint16_t target)
{
	struct lam_dom_create *c = &domctl(LAM_DOMCTL_create, 0)->u.create;
	uint16_t id;
	long rc;

	valid_create(c, "hostile-own");
	c->max_vcpus = 2;
	rc = do_domctl();
	if (rc != 0) {
		printf("LAMINA-HOSTILE-UNEXPECTED own-domain: create failed: %ld\n", rc);
		bad++;
		return;
	}
	id = dc->domid;
	per_command_checks(id, 2, "paused");
	foreign_checks(id);
	/* Vectors a paused domain may not take. */
	start("own-domain");
	domctl(LAM_DOMCTL_unpause, id);
	rc = do_domctl(); /* the one pause create left: fine (no vCPU is online) */
	domctl(LAM_DOMCTL_unpause, id);
	expect_err(rc == 0 ? do_domctl() : rc, XEN_EINVAL, "unpause of a domain not paused");
	domctl(LAM_DOMCTL_destroy, id);
	if (do_domctl() != 0) {
		printf("LAMINA-HOSTILE-UNEXPECTED own-domain: destroy failed\n");
		bad++;
	}
	/* Gone (or still dying): every command on its ID fails. */
	for (uint32_t cmd = LAM_DOMCTL_destroy; cmd <= LAM_DOMCTL_write_memory; cmd++) {
		domctl(cmd, id);
		if (cmd == LAM_DOMCTL_shutdown) {
			dc->u.shutdown.reason = SHUTDOWN_poweroff;
		}
		expect_err(do_domctl(), XEN_ESRCH, "domctl %u on the destroyed d%u", cmd, id);
	}
	(void)target;
	end();
}

int main(int argc, char **argv)
{
	uint16_t target;

	if (argc != 2) {
		fprintf(stderr, "usage: lamina-hostile TARGET_DOMID\n");
		return 2;
	}
	target = (uint16_t)strtoul(argv[1], NULL, 0);
	privcmd = open("/dev/xen/privcmd", O_RDWR | O_CLOEXEC);
	dc = locked(PAGE);
	sc = locked(PAGE);
	buf = locked(BUF_PAGES * PAGE);
	if (privcmd < 0 || dc == NULL || sc == NULL || buf == NULL) {
		fprintf(stderr, "lamina-hostile: cannot open /dev/xen/privcmd or lock memory\n");
		return 2;
	}
	/* The buffer's last page is unmapped: a call running past it meets nothing. */
	munmap(buf + (BUF_PAGES - 1) * PAGE, PAGE);
	header_checks(target);
	domain_id_checks();
	create_checks(target);
	per_command_checks(target, 1, "running");
	sysctl_checks();
	foreign_checks(target);
	own_domain_checks(target);
	printf("LAMINA-CHECK hostile-calls=%u\n", calls);
	printf("LAMINA-CHECK hostile-unexpected=%u\n", bad);
	return bad == 0 ? 0 : 1;
}
