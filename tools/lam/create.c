/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The domain builder (`lam create`) and its undo (`lam destroy`, the monitor).
 *
 * Build order, everything on a paused domain: check the kernel Image and the ramdisk,
 * LAM_DOMCTL_create (the hypervisor allocates RAM, the console and xenstore rings and their
 * unbound ports, and seeds grant refs 0/1 and the HVM params), plan where the kernel, initrd
 * and device tree go, copy them in through foreign mappings of 2 MiB at a time, clean them
 * to PoC, write the xenstore skeleton (xen-abi-guide.md 5.4, 5.5), XS_INTRODUCE, set vCPU 0's
 * entry point, pin vCPUs. The caller then saves the configuration, starts the monitor and
 * unpauses. A failure at any step after create tears everything down again.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <libfdt.h>

#include <lam/cfg.h>
#include <lam/console.h>
#include <lam/ctl.h>
#include <lam/domu_dt.h>
#include <lam/image.h>
#include <lam/xs.h>
#include <public/xen.h>

#include "lam.h"

#define PAGE_SIZE LAM_CTL_PAGE_SIZE
#define PAGE_SHIFT LAM_CTL_PAGE_SHIFT
#define COPY_CHUNK (2u << 20)	   /* bytes foreign-mapped at a time */
#define GICR_FRAME_SIZE 0x20000ull /* GICv3: RD_base + SGI_base, 64 KiB each */
#define CONSOLE_LIMIT 1048576	   /* libxl's LIBXL_XENCONSOLE_LIMIT */
#define XS_TX_RETRIES 8
#define DESTROY_RETRIES 50

/** An open boot module: the kernel or the ramdisk. */
struct module {
	const char *path;
	int fd;
	uint64_t size;
};

static int module_open(const char *cmd, const char *what, const char *path, struct module *m)
{
	struct stat st;

	m->path = path;
	m->size = 0;
	m->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (m->fd < 0) {
		lam_err(cmd, "cannot open %s '%s': %s", what, path, strerror(errno));
		return -1;
	}
	if (fstat(m->fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		lam_err(cmd, "%s '%s' is not a regular file", what, path);
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
static int load_file(struct lam_ctl *ctl, const char *cmd, uint16_t domid, uint64_t gpa, int fd,
		     uint64_t size, const char *what)
{
	static char *buf;
	uint64_t done = 0;
	int err;

	if (buf == NULL) {
		buf = malloc(LAM_WRITE_MEMORY_MAX);
		if (buf == NULL) {
			lam_err(cmd, "out of memory");
			return -1;
		}
		memset(buf, 0, LAM_WRITE_MEMORY_MAX);
		(void)mlock(buf, LAM_WRITE_MEMORY_MAX); /* resident for the hypervisor's copy */
	}
	while (done < size) {
		uint64_t n =
			size - done < LAM_WRITE_MEMORY_MAX ? size - done : LAM_WRITE_MEMORY_MAX;

		if (pread_full(fd, buf, (size_t)n, done) < 0) {
			lam_err(cmd, "cannot read the %s: %s", what, strerror(errno));
			return -1;
		}
		err = lam_ctl_write_memory(ctl, domid, gpa + done, buf, n);
		if (err != 0) {
			lam_err(cmd, "cannot load the %s at 0x%" PRIx64 ": %s", what, gpa + done,
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
static int copy_to_guest(struct lam_ctl *ctl, const char *cmd, uint16_t domid, uint64_t gpa, int fd,
			 const void *buf, uint64_t size, const char *what)
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
		p = lam_ctl_map_foreign(ctl, domid, gfns, nr, NULL);
		if (p == NULL) {
			lam_err(cmd, "cannot map guest memory at 0x%" PRIx64 " for the %s: %s", gpa,
				what, lam_ctl_strerror(errno));
			return -1;
		}
		if (fd >= 0) {
			if (pread_full(fd, p + off, (size_t)n, done) < 0) {
				lam_err(cmd, "cannot read the %s: %s", what, strerror(errno));
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
static int flush_guest(struct lam_ctl *ctl, const char *cmd, uint16_t domid, uint64_t gpa,
		       uint64_t size, const char *what)
{
	uint64_t first = gpa >> PAGE_SHIFT;
	uint64_t last = (gpa + size + PAGE_SIZE - 1) >> PAGE_SHIFT;
	int err;

	if (size == 0) {
		return 0;
	}
	err = lam_ctl_cacheflush(ctl, domid, first, last - first);
	if (err != 0) {
		lam_err(cmd, "cache flush of the %s failed: %s", what, lam_ctl_strerror(err));
		return -1;
	}
	return 0;
}

void lam_saved_cfg_path(uint16_t domid, char *buf, size_t len)
{
	snprintf(buf, len, LAM_RUN_DIR "/%u.cfg", domid);
}

/* ---- xenstore ---- */

static void format_uuid(const uint8_t u[16], char out[37])
{
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12],
		 u[13], u[14], u[15]);
}

/** Facts the xenstore skeleton needs. */
struct skel {
	uint16_t domid;
	const struct lam_cfg *cfg;
	const struct lam_dom_create *cr;
	const char *uuid;
};

/* Writes fail the whole transaction: the first error is kept and later calls do nothing. */
struct xs_batch {
	struct lam_xs *xs;
	uint32_t tx;
	int err;
	char failed[256];
};

static void xb_write(struct xs_batch *b, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void xb_write(struct xs_batch *b, const char *path, const char *fmt, ...)
{
	char val[512];
	va_list ap;
	int err;

	if (b->err != 0) {
		return;
	}
	va_start(ap, fmt);
	vsnprintf(val, sizeof(val), fmt, ap);
	va_end(ap);
	err = lam_xs_write_str(b->xs, b->tx, path, val);
	if (err != 0) {
		b->err = err;
		snprintf(b->failed, sizeof(b->failed), "write %s", path);
	}
}

static void xb_mkdir(struct xs_batch *b, const char *path)
{
	int err;

	if (b->err != 0) {
		return;
	}
	err = lam_xs_mkdir(b->xs, b->tx, path);
	if (err != 0) {
		b->err = err;
		snprintf(b->failed, sizeof(b->failed), "mkdir %s", path);
	}
}

static void xb_perms(struct xs_batch *b, const char *path, const struct lam_xs_perm *p,
		     unsigned int n)
{
	int err;

	if (b->err != 0) {
		return;
	}
	err = lam_xs_set_permv(b->xs, b->tx, path, p, n);
	if (err != 0) {
		b->err = err;
		snprintf(b->failed, sizeof(b->failed), "set permissions of %s", path);
	}
}

/** The per-domain xenstore layout libxl writes (xen-abi-guide.md 5.4 and 5.5). */
static void skeleton_write(struct xs_batch *b, const struct skel *s)
{
	const struct lam_xs_perm ro[2] = { { 0, LAM_XS_PERM_NONE },
					   { s->domid, LAM_XS_PERM_READ } };
	const struct lam_xs_perm rw[1] = { { s->domid, LAM_XS_PERM_NONE } };
	static const char *const rw_dirs[] = { "data", "drivers", "feature", "attr", "error" };
	static const char *const rw_control[] = { "shutdown", "feature-poweroff", "feature-reboot",
						  "feature-suspend", "sysrq" };
	char dom[64], vm[64], path[160], back[128];
	uint64_t mem_kb = s->cfg->memory_mb * 1024;

	snprintf(dom, sizeof(dom), "/local/domain/%u", s->domid);
	snprintf(vm, sizeof(vm), "/vm/%s", s->uuid);
	snprintf(back, sizeof(back), "/local/domain/0/backend/console/%u/0", s->domid);

	xb_mkdir(b, dom);
	xb_perms(b, dom, ro, 2);
	xb_mkdir(b, vm);
	xb_perms(b, vm, ro, 2);
	snprintf(path, sizeof(path), "%s/uuid", vm);
	xb_write(b, path, "%s", s->uuid);
	snprintf(path, sizeof(path), "%s/name", vm);
	xb_write(b, path, "%s", s->cfg->name);

	snprintf(path, sizeof(path), "%s/vm", dom);
	xb_write(b, path, "%s", vm);
	snprintf(path, sizeof(path), "%s/name", dom);
	xb_write(b, path, "%s", s->cfg->name);
	snprintf(path, sizeof(path), "%s/domid", dom);
	xb_write(b, path, "%u", s->domid);

	for (unsigned int v = 0; v < s->cfg->max_vcpus; v++) {
		snprintf(path, sizeof(path), "%s/cpu/%u/availability", dom, v);
		xb_write(b, path, "%s", v < s->cfg->vcpus ? "online" : "offline");
	}
	/*
	 * static-max is the RAM the guest boots with: Linux's balloon driver subtracts
	 * static-max minus its boot RAM from every target, so a larger maxmem here would
	 * shrink the guest (an Arm guest cannot grow past its device-tree RAM anyway).
	 */
	snprintf(path, sizeof(path), "%s/memory/static-max", dom);
	xb_write(b, path, "%" PRIu64, mem_kb);
	snprintf(path, sizeof(path), "%s/memory/target", dom);
	xb_write(b, path, "%" PRIu64, mem_kb);

	snprintf(path, sizeof(path), "%s/device", dom);
	xb_mkdir(b, path);
	snprintf(path, sizeof(path), "%s/device/suspend/event-channel", dom);
	xb_write(b, path, "%s", "");
	xb_perms(b, path, rw, 1);

	snprintf(path, sizeof(path), "%s/control", dom);
	xb_mkdir(b, path);
	for (size_t i = 0; i < sizeof(rw_control) / sizeof(rw_control[0]); i++) {
		snprintf(path, sizeof(path), "%s/control/%s", dom, rw_control[i]);
		xb_write(b, path, "%s", "");
		xb_perms(b, path, rw, 1);
	}
	snprintf(path, sizeof(path), "%s/control/platform-feature-multiprocessor-suspend", dom);
	xb_write(b, path, "1");
	snprintf(path, sizeof(path), "%s/control/platform-feature-xs_reset_watches", dom);
	xb_write(b, path, "1");

	for (size_t i = 0; i < sizeof(rw_dirs) / sizeof(rw_dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dom, rw_dirs[i]);
		xb_mkdir(b, path);
		xb_perms(b, path, rw, 1);
	}

	snprintf(path, sizeof(path), "%s/store/port", dom);
	xb_write(b, path, "%u", s->cr->store_port);
	snprintf(path, sizeof(path), "%s/store/ring-ref", dom);
	xb_write(b, path, "%" PRIu64, s->cr->store_gfn);

	/* Console 0: frontend keys read-only for the guest, backend under Dom0. */
	snprintf(path, sizeof(path), "%s/console", dom);
	xb_mkdir(b, path);
	xb_perms(b, path, ro, 2);
	snprintf(path, sizeof(path), "%s/console/backend", dom);
	xb_write(b, path, "%s", back);
	snprintf(path, sizeof(path), "%s/console/backend-id", dom);
	xb_write(b, path, "0");
	snprintf(path, sizeof(path), "%s/console/limit", dom);
	xb_write(b, path, "%d", CONSOLE_LIMIT);
	snprintf(path, sizeof(path), "%s/console/type", dom);
	xb_write(b, path, "xenconsoled");
	snprintf(path, sizeof(path), "%s/console/output", dom);
	xb_write(b, path, "pty");
	snprintf(path, sizeof(path), "%s/console/tty", dom);
	xb_write(b, path, "%s", "");
	snprintf(path, sizeof(path), "%s/console/port", dom);
	xb_write(b, path, "%u", s->cr->console_port);
	snprintf(path, sizeof(path), "%s/console/ring-ref", dom);
	xb_write(b, path, "%" PRIu64, s->cr->console_gfn);

	xb_mkdir(b, back);
	xb_perms(b, back, ro, 2);
	snprintf(path, sizeof(path), "%s/frontend", back);
	xb_write(b, path, "%s/console", dom);
	snprintf(path, sizeof(path), "%s/frontend-id", back);
	xb_write(b, path, "%u", s->domid);
	snprintf(path, sizeof(path), "%s/online", back);
	xb_write(b, path, "1");
	snprintf(path, sizeof(path), "%s/state", back);
	xb_write(b, path, "1");
	snprintf(path, sizeof(path), "%s/protocol", back);
	xb_write(b, path, "vt100");
}

/** Writes the skeleton in one transaction (retried on conflicts). */
static int skeleton_create(struct lam_xs *xs, const char *cmd, const struct skel *s)
{
	struct xs_batch b = { .xs = xs };

	for (int attempt = 0; attempt < XS_TX_RETRIES; attempt++) {
		int err;

		b.tx = lam_xs_transaction_start(xs);
		if (b.tx == 0) {
			lam_err(cmd, "xenstore transaction failed: %s", strerror(errno));
			return -1;
		}
		b.err = 0;
		skeleton_write(&b, s);
		if (b.err != 0) {
			lam_xs_transaction_end(xs, b.tx, false);
			lam_err(cmd, "xenstore: cannot %s: %s", b.failed, strerror(-b.err));
			return -1;
		}
		err = lam_xs_transaction_end(xs, b.tx, true);
		if (err == 0) {
			return 0;
		}
		if (err != -EAGAIN) {
			lam_err(cmd, "xenstore: commit failed: %s", strerror(-err));
			return -1;
		}
	}
	lam_err(cmd, "xenstore: commit kept conflicting");
	return -1;
}

static struct lam_xs *xs_connect(const char *cmd)
{
	struct lam_xs *xs;
	int err;

	err = lam_xs_open(&xs);
	if (err != 0) {
		lam_err(cmd, "cannot connect to xenstored: %s (is lamina-xenstored running?)",
			strerror(-err));
		return NULL;
	}
	return xs;
}

/** Removes everything xenstore holds about domid; errors are reported, not fatal. */
static void xs_forget_domain(struct lam_xs *xs, const char *cmd, uint16_t domid)
{
	char path[128];
	char *vm;
	char **kinds;
	unsigned int n = 0;
	int err;

	snprintf(path, sizeof(path), "/local/domain/%u/vm", domid);
	vm = lam_xs_read(xs, LAM_XS_NO_TX, path, NULL);
	if (vm != NULL && strncmp(vm, "/vm/", 4) == 0 && strchr(vm + 4, '/') == NULL &&
	    vm[4] != '\0') {
		err = lam_xs_rm(xs, LAM_XS_NO_TX, vm);
		if (err != 0 && err != -ENOENT) {
			lam_err(cmd, "xenstore: cannot remove %s: %s", vm, strerror(-err));
		}
	}
	free(vm);

	kinds = lam_xs_directory(xs, LAM_XS_NO_TX, "/local/domain/0/backend", &n);
	for (unsigned int i = 0; kinds != NULL && i < n; i++) {
		snprintf(path, sizeof(path), "/local/domain/0/backend/%s/%u", kinds[i], domid);
		err = lam_xs_rm(xs, LAM_XS_NO_TX, path);
		if (err != 0 && err != -ENOENT) {
			lam_err(cmd, "xenstore: cannot remove %s: %s", path, strerror(-err));
		}
	}
	free(kinds);

	snprintf(path, sizeof(path), "/local/domain/%u", domid);
	err = lam_xs_rm(xs, LAM_XS_NO_TX, path);
	if (err != 0 && err != -ENOENT) {
		lam_err(cmd, "xenstore: cannot remove %s: %s", path, strerror(-err));
	}
	err = lam_xs_release(xs, domid);
	if (err != 0 && err != -ENOENT && err != -ESRCH && err != -EINVAL) {
		lam_err(cmd, "xenstore: cannot release domain %u: %s", domid, strerror(-err));
	}
}

int lam_teardown_domain(struct lam_ctl *ctl, const char *cmd, uint16_t domid)
{
	struct lam_xs *xs;
	char path[128];
	int err;

	if (domid == 0) {
		lam_err(cmd, "refusing to destroy Domain-0");
		return -1;
	}
	/* Stop it first, so the guest does not watch its nodes disappear. */
	(void)lam_ctl_domain_pause(ctl, domid);
	xs = xs_connect(cmd);
	if (xs != NULL) {
		xs_forget_domain(xs, cmd, domid);
		lam_xs_close(xs);
	}
	for (int attempt = 0;; attempt++) {
		err = lam_ctl_domain_destroy(ctl, domid);
		if ((err != -EAGAIN && err != -EBUSY) || attempt == DESTROY_RETRIES) {
			break;
		}
		usleep(100 * 1000);
	}
	lam_saved_cfg_path(domid, path, sizeof(path));
	unlink(path);
	if (err != 0 && err != -ESRCH) {
		lam_err(cmd, "cannot destroy domain %u: %s", domid, lam_ctl_strerror(err));
		return -1;
	}
	return err == 0 ? 0 : -1;
}

/* ---- building ---- */

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
static int load_dt(struct lam_ctl *ctl, const char *cmd, uint16_t domid, const struct lam_cfg *cfg,
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
		lam_err(cmd, "out of memory for the device tree");
		return -1;
	}
	if (lam_domu_dt_build(&l, dt, LAM_DOMU_DT_MAX_SIZE, msg, sizeof(msg)) != 0) {
		lam_err(cmd, "%s", msg);
		goto out;
	}
	*dt_size = fdt_totalsize(dt);
	if (*dt_size > plan->dtb_max) {
		lam_err(cmd,
			"device tree of %" PRIu64 " bytes does not fit its %" PRIu64 "-byte slot",
			*dt_size, plan->dtb_max);
		goto out;
	}
	ret = copy_to_guest(ctl, cmd, domid, plan->dtb_gpa, -1, dt, *dt_size, "device tree");
out:
	free(dt);
	return ret;
}

/** Names identify domains (DOM arguments), so two domains may not share one, as in xl. */
static int name_in_use(struct lam_ctl *ctl, const char *cmd, const char *name)
{
	struct lam_dom_info *list;
	size_t n;
	uint16_t id;
	int err;

	err = lam_ctl_domain_list(ctl, &list, &n);
	if (err != 0) {
		lam_err(cmd, "cannot list domains: %s", lam_ctl_strerror(err));
		return -1;
	}
	err = lam_find_domain(list, n, name, &id) == LAM_FIND_OK ? -1 : 0;
	free(list);
	if (err != 0) {
		lam_err(cmd, "a domain named '%s' already exists (ID %u)", name, id);
	}
	return err;
}

/** Explains a refused LAM_DOMCTL_create with the limits the hypervisor applies. */
static void create_error(const char *cmd, const struct lam_cfg *cfg, const struct lam_physinfo *pi,
			 int err)
{
	uint64_t page_kb = pi->page_size ? pi->page_size / 1024 : 4;

	switch (err) {
	case -ENOMEM:
		lam_err(cmd,
			"cannot create domain '%s': %" PRIu64 " MiB asked, the hypervisor has "
			"%" PRIu64 " MiB free",
			cfg->name, cfg->memory_mb, pi->free_pages * page_kb / 1024);
		break;
	case -EINVAL:
		lam_err(cmd,
			"cannot create domain '%s': refused by the hypervisor (memory %" PRIu64
			" MiB, maxmem %" PRIu64 " MiB, %u vCPUs; it takes 16 MiB..3 GiB of RAM and "
			"at most 8 vCPUs per pCPU, this host has %u pCPUs)",
			cfg->name, cfg->memory_mb, cfg->maxmem_mb, cfg->max_vcpus, pi->nr_cpus);
		break;
	default:
		lam_err(cmd, "cannot create domain '%s': %s", cfg->name, lam_ctl_strerror(err));
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

int lam_build_domain(struct lam_ctl *ctl, const char *cmd, const struct lam_cfg *cfg,
		     uint16_t *domid_out)
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
	int err, ret = -1;

	/* Everything that can be checked without a domain first. */
	trace("start");
	if (module_open(cmd, "kernel", cfg->kernel, &kernel) != 0) {
		goto out;
	}
	hdr_len = kernel.size < sizeof(hdr) ? (size_t)kernel.size : sizeof(hdr);
	if (pread_full(kernel.fd, hdr, hdr_len, 0) != 0) {
		lam_err(cmd, "cannot read kernel '%s': %s", kernel.path, strerror(errno));
		goto out;
	}
	if (lam_image_parse(kernel.path, hdr, hdr_len, kernel.size, &img, msg, sizeof(msg)) != 0) {
		lam_err(cmd, "%s", msg);
		goto out;
	}
	if (cfg->ramdisk[0] != '\0' && module_open(cmd, "ramdisk", cfg->ramdisk, &ramdisk) != 0) {
		goto out;
	}
	err = lam_ctl_physinfo(ctl, &pi);
	if (err != 0) {
		lam_err(cmd, "cannot query the hypervisor: %s", lam_ctl_strerror(err));
		goto out;
	}
	xs = xs_connect(cmd);
	if (xs == NULL) {
		goto out;
	}
	if (cfg->has_uuid) {
		memcpy(uuid_bytes, cfg->uuid, sizeof(uuid_bytes));
	} else {
		if (getrandom(uuid_bytes, sizeof(uuid_bytes), 0) != (ssize_t)sizeof(uuid_bytes)) {
			lam_err(cmd, "cannot generate a UUID: %s", strerror(errno));
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
	if (name_in_use(ctl, cmd, cfg->name) != 0) {
		goto out;
	}
	trace("checks done");
	err = lam_ctl_domain_create(ctl, &domid, &cr);
	trace("domain created");
	if (err != 0) {
		create_error(cmd, cfg, &pi, err);
		goto out;
	}
	created = true;

	if (lam_load_plan(cr.ram_base, cfg->memory_mb << 20, &img, ramdisk.size, &plan, msg,
			  sizeof(msg)) != 0) {
		lam_err(cmd, "%s", msg);
		goto out;
	}
	if (load_file(ctl, cmd, domid, plan.kernel_gpa, kernel.fd, kernel.size, "kernel") != 0) {
		goto out;
	}
	trace("kernel loaded");
	if (plan.initrd_size != 0 && load_file(ctl, cmd, domid, plan.initrd_gpa, ramdisk.fd,
					       plan.initrd_size, "ramdisk") != 0) {
		goto out;
	}
	trace("ramdisk loaded");
	if (load_dt(ctl, cmd, domid, cfg, &cr, &pi, &plan, &dt_size) != 0) {
		goto out;
	}
	/* Kernel and initramfs were cleaned by the hypervisor as it wrote them. */
	trace("device tree loaded");
	if (flush_guest(ctl, cmd, domid, plan.dtb_gpa, dt_size, "device tree") != 0) {
		goto out;
	}

	{
		const struct skel s = { .domid = domid, .cfg = cfg, .cr = &cr, .uuid = uuid };

		if (skeleton_create(xs, cmd, &s) != 0) {
			goto out;
		}
	}
	trace("xenstore written");
	err = lam_xs_introduce(xs, domid, cr.store_gfn, cr.store_port);
	trace("introduced");
	if (err != 0) {
		lam_err(cmd, "xenstore: cannot introduce domain %u: %s", domid, strerror(-err));
		goto out;
	}

	err = lam_ctl_vcpu_set_context(ctl, domid, 0, plan.kernel_entry, plan.dtb_gpa);
	trace("vCPU context set");
	if (err != 0) {
		lam_err(cmd, "cannot set the boot vCPU's registers: %s", lam_ctl_strerror(err));
		goto out;
	}
	if (cfg->cpus_set) {
		for (unsigned int v = 0; v < cfg->max_vcpus; v++) {
			int pcpu = pick_pcpu(cfg->cpu_mask, pi.nr_cpus, v);

			if (pcpu < 0) {
				lam_err(cmd, "cpus: no listed pCPU exists (this host has %u)",
					pi.nr_cpus);
				goto out;
			}
			err = lam_ctl_vcpu_affinity(ctl, domid, v, (uint32_t)pcpu);
			if (err != 0) {
				lam_err(cmd, "cannot pin vCPU %u to pCPU %d: %s", v, pcpu,
					lam_ctl_strerror(err));
				goto out;
			}
		}
	}
	*domid_out = domid;
	ret = 0;
out:
	if (ret != 0 && created) {
		if (xs != NULL) {
			xs_forget_domain(xs, cmd, domid);
		}
		err = lam_ctl_domain_destroy(ctl, domid);
		if (err != 0) {
			lam_err(cmd, "could not destroy the half-built domain %u: %s", domid,
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

/** Saves cfg as LAM_RUN_DIR/<domid>.cfg for the monitor and later commands. */
static int save_cfg(const char *cmd, const struct lam_cfg *cfg, uint16_t domid)
{
	char path[128], tmp[140];
	FILE *f;
	int err;

	if (mkdir(LAM_RUN_DIR, 0755) < 0 && errno != EEXIST) {
		lam_err(cmd, "cannot create %s: %s", LAM_RUN_DIR, strerror(errno));
		return -1;
	}
	lam_saved_cfg_path(domid, path, sizeof(path));
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (f == NULL) {
		lam_err(cmd, "cannot write %s: %s", tmp, strerror(errno));
		return -1;
	}
	err = lam_cfg_write(f, cfg);
	if (fclose(f) != 0 || err != 0 || rename(tmp, path) != 0) {
		lam_err(cmd, "cannot save the configuration to %s", path);
		unlink(tmp);
		return -1;
	}
	return 0;
}

int lam_start_domain(struct lam_ctl *ctl, const char *cmd, const struct lam_cfg *cfg, bool paused,
		     bool monitor, uint16_t *domid_out)
{
	uint16_t domid;
	int err;

	if (lam_build_domain(ctl, cmd, cfg, &domid) != 0) {
		return -1;
	}
	if (save_cfg(cmd, cfg, domid) != 0) {
		goto undo;
	}
	if (monitor && lam_monitor_start(cfg, domid) != 0) {
		goto undo;
	}
	if (!paused) {
		err = lam_ctl_domain_unpause(ctl, domid);
		if (err != 0) {
			lam_err(cmd, "cannot start domain %u: %s", domid, lam_ctl_strerror(err));
			goto undo;
		}
	}
	*domid_out = domid;
	return 0;
undo:
	lam_teardown_domain(ctl, cmd, domid);
	return -1;
}

int lam_cmd_create(int argc, char **argv)
{
	const char *cmd = "create";
	struct lam_create_args args;
	const char **overrides;
	struct lam_cfg *cfg;
	struct lam_ctl *ctl;
	char msg[512];
	uint16_t domid;
	int ret = 1;

	overrides = calloc((size_t)argc + 1, sizeof(*overrides));
	cfg = calloc(1, sizeof(*cfg));
	if (overrides == NULL || cfg == NULL) {
		lam_err(cmd, "out of memory");
		goto out_free;
	}
	if (lam_parse_create_args(argc, argv, &args, overrides, msg, sizeof(msg)) != 0) {
		lam_err(cmd, "%s", msg);
		fputs("Usage: lam create CONFIG [-c] [-p] [key=value...]\n", stderr);
		ret = 2;
		goto out_free;
	}
	if (lam_cfg_load(args.config, args.overrides, args.nr_overrides, cfg, msg, sizeof(msg)) !=
	    0) {
		fprintf(stderr, "lam: create: %s\n", msg);
		goto out_free;
	}
	ctl = lam_open_ctl(cmd);
	if (ctl == NULL) {
		goto out_free;
	}
	if (lam_start_domain(ctl, cmd, cfg, args.paused, true, &domid) == 0) {
		printf("Domain '%s' created with ID %u%s\n", cfg->name, domid,
		       args.paused ? " (paused)" : "");
		fflush(stdout);
		ret = 0;
	}
	lam_ctl_close(ctl);
	if (ret == 0 && args.console) {
		ret = lam_console_attach(domid, STDIN_FILENO, STDOUT_FILENO, LAM_CONSOLE_ESCAPE) ==
				      0
			      ? 0
			      : 1;
	}
out_free:
	free(cfg);
	free(overrides);
	return ret;
}
