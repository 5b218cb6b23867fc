/* SPDX-License-Identifier: Apache-2.0 */
/*
 * liblam: the domain builder (libxl_domain_create_new's role).
 *
 * Build order, everything on a paused domain: check the kernel Image and the ramdisk,
 * LAM_DOMCTL_create (the hypervisor allocates RAM, the console and xenstore rings and their
 * unbound ports, and seeds grant refs 0/1 and the HVM params), plan where the kernel, initrd
 * and device tree go, copy them in, clean the device tree to PoC, write the xenstore layout
 * (xs_layout.c), XS_INTRODUCE, set vCPU 0's entry point, pin vCPUs, save the configuration.
 * The caller then starts its monitor and unpauses (as xl does after
 * libxl_domain_create_new()). A failure at any step after create tears everything down.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <libfdt.h>

#include <lam/ctl.h>
#include <lam/domu_dt.h>
#include <lam/image.h>
#include <lam/xs.h>

#include "internal.h"

#define PAGE_SIZE LAM_CTL_PAGE_SIZE
#define PAGE_SHIFT LAM_CTL_PAGE_SHIFT
#define COPY_CHUNK (2u << 20)	   /* bytes foreign-mapped at a time */
#define GICR_FRAME_SIZE 0x20000ull /* GICv3: RD_base + SGI_base, 64 KiB each */

/** An open boot module: the kernel or the ramdisk. */
struct module {
	const char *path;
	int fd;
	uint64_t size;
};

static int module_open(struct lam_ctx *ctx, const char *what, const char *path, struct module *m)
{
	struct stat st;

	m->path = path;
	m->size = 0;
	m->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (m->fd < 0) {
		LAM_ERR(ctx, "cannot open %s '%s': %s", what, path, strerror(errno));
		return -1;
	}
	if (fstat(m->fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		LAM_ERR(ctx, "%s '%s' is not a regular file", what, path);
		close(m->fd);
		m->fd = -1;
		return -1;
	}
	m->size = (uint64_t)st.st_size;
	return 0;
}

static void module_close(struct module *m)
{
	if (m->fd >= 0) {
		close(m->fd);
		m->fd = -1;
	}
}

/** Reads exactly len bytes at offset off of fd; 0 or -1 with errno (EIO if the file shrank). */
static int pread_full(int fd, void *buf, size_t len, uint64_t off)
{
	char *p = buf;

	while (len > 0) {
		ssize_t n = pread(fd, p, len, (off_t)off);

		if (n < 0) {
			if (errno == EINTR) {
				continue;
			}
			return -1;
		}
		if (n == 0) {
			errno = EIO;
			return -1;
		}
		p += n;
		off += (uint64_t)n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * Loads a file (kernel, initramfs) into the guest: read in LAM_WRITE_MEMORY_MAX pieces
 * into a locked buffer and copied by the hypervisor (one call per piece instead of a
 * foreign mapping per page).
 */
static int load_file(struct lam_ctx *ctx, uint16_t domid, uint64_t gpa, int fd, uint64_t size,
		     const char *what)
{
	static char *buf;
	uint64_t done = 0;
	int err;

	if (buf == NULL) {
		buf = malloc(LAM_WRITE_MEMORY_MAX);
		if (buf == NULL) {
			LAM_ERR(ctx, "out of memory");
			return -1;
		}
		memset(buf, 0, LAM_WRITE_MEMORY_MAX);
		(void)mlock(buf, LAM_WRITE_MEMORY_MAX); /* resident for the hypervisor's copy */
	}
	while (done < size) {
		uint64_t n =
			size - done < LAM_WRITE_MEMORY_MAX ? size - done : LAM_WRITE_MEMORY_MAX;

		if (pread_full(fd, buf, (size_t)n, done) < 0) {
			LAM_ERR(ctx, "cannot read the %s: %s", what, strerror(errno));
			return -1;
		}
		err = lam_ctl_write_memory(ctx->ctl, domid, gpa + done, buf, n);
		if (err != 0) {
			LAM_ERR(ctx, "cannot load the %s at 0x%" PRIx64 ": %s", what, gpa + done,
				lam_ctl_strerror(err));
			return -1;
		}
		done += n;
	}
	return 0;
}

/**
 * Copies size bytes to guest-physical address gpa of domid, from file fd (from its start)
 * or, when fd < 0, from buf; at most COPY_CHUNK bytes mapped at a time.
 */
static int copy_to_guest(struct lam_ctx *ctx, uint16_t domid, uint64_t gpa, int fd, const void *buf,
			 uint64_t size, const char *what)
{
	uint64_t gfns[COPY_CHUNK / PAGE_SIZE + 1];
	uint64_t done = 0;

	while (done < size) {
		uint64_t off = gpa & (PAGE_SIZE - 1);
		uint64_t n = size - done;
		size_t nr;
		char *p;

		if (n > COPY_CHUNK - off) {
			n = COPY_CHUNK - off;
		}
		nr = (size_t)((off + n + PAGE_SIZE - 1) >> PAGE_SHIFT);
		for (size_t i = 0; i < nr; i++) {
			gfns[i] = (gpa >> PAGE_SHIFT) + i;
		}
		p = lam_ctl_map_foreign(ctx->ctl, domid, gfns, nr, NULL);
		if (p == NULL) {
			LAM_ERR(ctx, "cannot map guest memory at 0x%" PRIx64 " for the %s: %s", gpa,
				what, lam_ctl_strerror(errno));
			return -1;
		}
		if (fd >= 0) {
			if (pread_full(fd, p + off, (size_t)n, done) < 0) {
				LAM_ERR(ctx, "cannot read the %s: %s", what, strerror(errno));
				lam_ctl_unmap_foreign(p, nr);
				return -1;
			}
		} else {
			memcpy(p + off, (const char *)buf + done, (size_t)n);
		}
		lam_ctl_unmap_foreign(p, nr);
		gpa += n;
		done += n;
	}
	return 0;
}

/** Cleans [gpa, gpa + size) of domid to PoC (the guest starts with its caches off). */
static int flush_guest(struct lam_ctx *ctx, uint16_t domid, uint64_t gpa, uint64_t size,
		       const char *what)
{
	uint64_t first = gpa >> PAGE_SHIFT;
	uint64_t last = (gpa + size + PAGE_SIZE - 1) >> PAGE_SHIFT;
	int err;

	if (size == 0) {
		return 0;
	}
	err = lam_ctl_cacheflush(ctx->ctl, domid, first, last - first);
	if (err != 0) {
		LAM_ERR(ctx, "cache flush of the %s failed: %s", what, lam_ctl_strerror(err));
		return -1;
	}
	return 0;
}

/** The textual form of a UUID (RFC 4122). */
static void format_uuid(const uint8_t u[16], char out[37])
{
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12],
		 u[13], u[14], u[15]);
}

/** pCPU for vCPU v when the configuration allows the pCPUs in mask: round-robin over them. */
static int pick_pcpu(uint64_t mask, uint32_t nr_cpus, unsigned int v)
{
	unsigned int count = 0, want;

	for (uint32_t c = 0; c < nr_cpus && c < 64; c++) {
		count += (mask >> c) & 1;
	}
	if (count == 0) {
		return -1;
	}
	want = v % count;
	for (uint32_t c = 0; c < nr_cpus && c < 64; c++) {
		if ((mask >> c) & 1) {
			if (want == 0) {
				return (int)c;
			}
			want--;
		}
	}
	return -1;
}

/** Builds the device tree and copies it to plan->dtb_gpa. */
static int load_dt(struct lam_ctx *ctx, uint16_t domid, const struct lam_cfg *cfg,
		   const struct lam_dom_create *cr, const struct lam_physinfo *pi,
		   const struct lam_load_plan *plan, uint64_t *dt_size)
{
	struct lam_domu_layout l;
	uint8_t seed[128];
	char compat[32], msg[256];
	uint64_t mem = cfg->memory_mb << 20;
	void *dt;
	int ret = -1;

	lam_domu_layout_init(&l, mem, cfg->max_vcpus);
	/* The hypervisor's layout wins over the defaults: RAM is one bank at ram_base. */
	l.ram_base[0] = cr->ram_base;
	l.ram_size[0] = mem;
	for (int i = 1; i < LAM_DOMU_RAM_BANKS; i++) {
		l.ram_base[i] = 0;
		l.ram_size[i] = 0;
	}
	l.gicd_base = cr->gicd_base;
	l.gicr_base = cr->gicr_base;
	if (l.gicr_size < cfg->max_vcpus * GICR_FRAME_SIZE) {
		l.gicr_size = cfg->max_vcpus * GICR_FRAME_SIZE;
	}
	l.gnttab_base = cr->gnttab_base;
	l.gnttab_size = cr->gnttab_size;
	l.evtchn_ppi = cr->evtchn_ppi;
	l.clock_frequency = cr->clock_frequency;
	l.cmdline = cfg->cmdline;
	l.initrd_start = plan->initrd_gpa;
	l.initrd_size = plan->initrd_size;
	if (pi->xen_version != 0) {
		snprintf(compat, sizeof(compat), "xen,xen-%u.%u", pi->xen_version >> 16,
			 pi->xen_version & 0xffff);
		l.xen_compat = compat;
	}
	if (getrandom(seed, sizeof(seed), GRND_NONBLOCK) == (ssize_t)sizeof(seed)) {
		l.rng_seed = seed;
		l.rng_seed_len = sizeof(seed);
	}

	dt = calloc(1, LAM_DOMU_DT_MAX_SIZE);
	if (dt == NULL) {
		LAM_ERR(ctx, "out of memory for the device tree");
		return -1;
	}
	if (lam_domu_dt_build(&l, dt, LAM_DOMU_DT_MAX_SIZE, msg, sizeof(msg)) != 0) {
		LAM_ERR(ctx, "%s", msg);
		goto out;
	}
	*dt_size = fdt_totalsize(dt);
	if (*dt_size > plan->dtb_max) {
		LAM_ERR(ctx,
			"device tree of %" PRIu64 " bytes does not fit its %" PRIu64 "-byte slot",
			*dt_size, plan->dtb_max);
		goto out;
	}
	ret = copy_to_guest(ctx, domid, plan->dtb_gpa, -1, dt, *dt_size, "device tree");
out:
	free(dt);
	return ret;
}

/** Names identify domains (DOM arguments), so two domains may not share one, as in xl. */
static int name_in_use(struct lam_ctx *ctx, const char *name)
{
	struct lam_dom_info *list;
	size_t n;
	uint16_t id;
	int err;

	err = lam_list_domain(ctx, &list, &n);
	if (err != 0) {
		return err;
	}
	err = lam_find_domain(list, n, name, &id) == LAM_FIND_OK ? -EEXIST : 0;
	free(list);
	if (err != 0) {
		LAM_ERR(ctx, "a domain named '%s' already exists (ID %u)", name, id);
	}
	return err;
}

/** Explains a refused LAM_DOMCTL_create with the limits the hypervisor applies. */
static void create_error(struct lam_ctx *ctx, const struct lam_cfg *cfg,
			 const struct lam_physinfo *pi, int err)
{
	uint64_t page_kb = pi->page_size ? pi->page_size / 1024 : 4;

	switch (err) {
	case -ENOMEM:
		LAM_ERR(ctx,
			"cannot create domain '%s': %" PRIu64 " MiB asked, the hypervisor has "
			"%" PRIu64 " MiB free",
			cfg->name, cfg->memory_mb, pi->free_pages * page_kb / 1024);
		break;
	case -EINVAL:
		LAM_ERR(ctx,
			"cannot create domain '%s': refused by the hypervisor (memory %" PRIu64
			" MiB, maxmem %" PRIu64 " MiB, %u vCPUs; it takes 16 MiB..3 GiB of RAM and "
			"at most 8 vCPUs per pCPU, this host has %u pCPUs)",
			cfg->name, cfg->memory_mb, cfg->maxmem_mb, cfg->max_vcpus, pi->nr_cpus);
		break;
	default:
		LAM_ERR(ctx, "cannot create domain '%s': %s", cfg->name, lam_ctl_strerror(err));
		break;
	}
}

/* LAM_TRACE=1 in the environment: how long each step of the build took, on stderr. */
static void trace(const char *step)
{
	static struct timespec t0;
	struct timespec t;

	if (getenv("LAM_TRACE") == NULL) {
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &t);
	if (t0.tv_sec == 0 && t0.tv_nsec == 0) {
		t0 = t;
	}
	fprintf(stderr, "lam: trace: %8.3f ms  %s\n",
		(double)(t.tv_sec - t0.tv_sec) * 1e3 + (double)(t.tv_nsec - t0.tv_nsec) / 1e6,
		step);
}

/** Everything but saving the configuration; see lam_domain_create_new(). */
static int build(struct lam_ctx *ctx, const struct lam_cfg *cfg, uint16_t *domid_out)
{
	struct module kernel = { .fd = -1 }, ramdisk = { .fd = -1 };
	struct lam_image_info img;
	struct lam_load_plan plan;
	struct lam_physinfo pi;
	struct lam_dom_create cr;
	struct lam_xs *xs = NULL;
	uint8_t hdr[LAM_IMAGE_HDR_SIZE];
	uint8_t uuid_bytes[16];
	char uuid[37], msg[256];
	uint16_t domid = 0;
	uint64_t dt_size = 0;
	size_t hdr_len;
	bool created = false;
	int err, ret = -EIO;

	/* Everything that can be checked without a domain first. */
	trace("start");
	if (module_open(ctx, "kernel", cfg->kernel, &kernel) != 0) {
		goto out;
	}
	hdr_len = kernel.size < sizeof(hdr) ? (size_t)kernel.size : sizeof(hdr);
	if (pread_full(kernel.fd, hdr, hdr_len, 0) != 0) {
		LAM_ERR(ctx, "cannot read kernel '%s': %s", kernel.path, strerror(errno));
		goto out;
	}
	if (lam_image_parse(kernel.path, hdr, hdr_len, kernel.size, &img, msg, sizeof(msg)) != 0) {
		LAM_ERR(ctx, "%s", msg);
		goto out;
	}
	if (cfg->ramdisk[0] != '\0' && module_open(ctx, "ramdisk", cfg->ramdisk, &ramdisk) != 0) {
		goto out;
	}
	if (lam_physinfo(ctx, &pi) != 0) {
		goto out;
	}
	xs = lam__xs_connect(ctx);
	if (xs == NULL) {
		goto out;
	}
	if (cfg->has_uuid) {
		memcpy(uuid_bytes, cfg->uuid, sizeof(uuid_bytes));
	} else {
		if (getrandom(uuid_bytes, sizeof(uuid_bytes), 0) != (ssize_t)sizeof(uuid_bytes)) {
			LAM_ERR(ctx, "cannot generate a UUID: %s", strerror(errno));
			goto out;
		}
		uuid_bytes[6] = (uint8_t)((uuid_bytes[6] & 0x0f) | 0x40); /* RFC 4122 version 4 */
		uuid_bytes[8] = (uint8_t)((uuid_bytes[8] & 0x3f) | 0x80);
	}
	format_uuid(uuid_bytes, uuid);

	memset(&cr, 0, sizeof(cr));
	snprintf(cr.name, sizeof(cr.name), "%s", cfg->name);
	cr.max_vcpus = cfg->max_vcpus;
	cr.mem_kb = cfg->memory_mb * 1024;
	cr.max_mem_kb = cfg->maxmem_mb * 1024;
	cr.backend_domid = 0;
	if (name_in_use(ctx, cfg->name) != 0) {
		goto out;
	}
	trace("checks done");
	err = lam_ctl_domain_create(ctx->ctl, &domid, &cr);
	trace("domain created");
	if (err != 0) {
		create_error(ctx, cfg, &pi, err);
		ret = err;
		goto out;
	}
	created = true;

	if (lam_load_plan(cr.ram_base, cfg->memory_mb << 20, &img, ramdisk.size, &plan, msg,
			  sizeof(msg)) != 0) {
		LAM_ERR(ctx, "%s", msg);
		goto out;
	}
	if (load_file(ctx, domid, plan.kernel_gpa, kernel.fd, kernel.size, "kernel") != 0) {
		goto out;
	}
	trace("kernel loaded");
	if (plan.initrd_size != 0 &&
	    load_file(ctx, domid, plan.initrd_gpa, ramdisk.fd, plan.initrd_size, "ramdisk") != 0) {
		goto out;
	}
	trace("ramdisk loaded");
	if (load_dt(ctx, domid, cfg, &cr, &pi, &plan, &dt_size) != 0) {
		goto out;
	}
	/* Kernel and initramfs were cleaned by the hypervisor as it wrote them. */
	trace("device tree loaded");
	if (flush_guest(ctx, domid, plan.dtb_gpa, dt_size, "device tree") != 0) {
		goto out;
	}

	{
		const struct lam_xs_layout layout = {
			.domid = domid, .cfg = cfg, .cr = &cr, .uuid = uuid
		};

		if (lam_xs_layout_write(ctx, xs, &layout) != 0) {
			goto out;
		}
	}
	trace("xenstore written");
	err = lam_xs_introduce(xs, domid, cr.store_gfn, cr.store_port);
	trace("introduced");
	if (err != 0) {
		LAM_ERR(ctx, "xenstore: cannot introduce domain %u: %s", domid, strerror(-err));
		goto out;
	}
	if (lam__disks_add(ctx, xs, domid, cfg) != 0) {
		goto out;
	}
	trace("disks set up");

	if (lam_nics_add(ctx, domid, cfg) != 0) {
		goto out;
	}
	trace("NICs added");
	err = lam_ctl_vcpu_set_context(ctx->ctl, domid, 0, plan.kernel_entry, plan.dtb_gpa);
	trace("vCPU context set");
	if (err != 0) {
		LAM_ERR(ctx, "cannot set the boot vCPU's registers: %s", lam_ctl_strerror(err));
		goto out;
	}
	if (cfg->cpus_set) {
		for (unsigned int v = 0; v < cfg->max_vcpus; v++) {
			int pcpu = pick_pcpu(cfg->cpu_mask, pi.nr_cpus, v);

			if (pcpu < 0) {
				LAM_ERR(ctx, "cpus: no listed pCPU exists (this host has %u)",
					pi.nr_cpus);
				goto out;
			}
			if (lam_set_vcpuaffinity(ctx, domid, v, (uint32_t)pcpu) != 0) {
				goto out;
			}
		}
	}
	*domid_out = domid;
	ret = 0;
out:
	if (ret != 0 && created) {
		lam_nics_teardown(ctx, domid);
		if (xs != NULL) {
			lam__disks_destroy(ctx, xs, domid);
			lam_xs_layout_remove(ctx, xs, domid);
		}
		err = lam_ctl_domain_destroy(ctx->ctl, domid);
		if (err != 0) {
			LAM_ERR(ctx, "could not destroy the half-built domain %u: %s", domid,
				lam_ctl_strerror(err));
		}
	}
	if (xs != NULL) {
		lam_xs_close(xs);
	}
	module_close(&kernel);
	module_close(&ramdisk);
	return ret;
}

int lam_domain_create_new(struct lam_ctx *ctx, const struct lam_cfg *cfg, uint16_t *domid_out)
{
	uint16_t domid;
	int err;

	err = build(ctx, cfg, &domid);
	if (err != 0) {
		return err;
	}
	err = lam_domain_config_save(ctx, cfg, domid);
	if (err != 0) {
		lam_domain_destroy(ctx, domid);
		return err;
	}
	*domid_out = domid;
	return 0;
}
