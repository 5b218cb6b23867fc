/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Lamina's control interface over /dev/xen/privcmd.
 *
 * The hypervisor reads and writes the argument structs (and the buffers they point to)
 * through Dom0's stage-1 translation of our user addresses, so all of that memory must be
 * resident while the hypercall runs: it comes from /dev/xen/hypercall (kernel pages, pinned)
 * when that device exists, else from anonymous memory locked with mlock().
 *
 * The privcmd ioctls and structs are defined here (layout of Linux's
 * include/uapi/xen/privcmd.h) so that the build does not depend on kernel headers.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <lam/ctl.h>
#include <public/xen.h>

/** IOCTL_PRIVCMD_HYPERCALL's argument: x16 = op, x0..x4 = arg[]. */
struct privcmd_hypercall {
	uint64_t op;
	uint64_t arg[5];
};

/** IOCTL_PRIVCMD_MMAPBATCH_V2's argument: addr lies in a VMA from mmap() of privcmd. */
struct privcmd_mmapbatch_v2 {
	uint32_t num;
	uint16_t dom;
	uint64_t addr;
	const uint64_t *arr; /* xen_pfn_t: guest frames of dom */
	int *err;
};

_Static_assert(sizeof(struct privcmd_hypercall) == 48, "privcmd_hypercall size");
_Static_assert(sizeof(struct privcmd_mmapbatch_v2) == 32, "privcmd_mmapbatch_v2 size");

/* _IOC(_IOC_NONE, 'P', nr, size): direction 0, so the value is size << 16 | 'P' << 8 | nr. */
#define PRIVCMD_IOC(nr, size) ((unsigned long)(((size) << 16) | ('P' << 8) | (nr)))
#define IOCTL_PRIVCMD_HYPERCALL PRIVCMD_IOC(0, sizeof(struct privcmd_hypercall))
#define IOCTL_PRIVCMD_MMAPBATCH_V2 PRIVCMD_IOC(4, sizeof(struct privcmd_mmapbatch_v2))

_Static_assert(IOCTL_PRIVCMD_HYPERCALL == 0x00305000ul, "IOCTL_PRIVCMD_HYPERCALL");
_Static_assert(IOCTL_PRIVCMD_MMAPBATCH_V2 == 0x00205004ul, "IOCTL_PRIVCMD_MMAPBATCH_V2");

/* lamctl.h: LAM_DOMCTL_cacheflush takes at most 1 GiB worth of frames per call. */
#define CACHEFLUSH_MAX_GFNS ((1ull << 30) >> LAM_CTL_PAGE_SHIFT)

/* Domain-list entries fetched per sysctl (one page of struct lam_dom_info is 46). */
#define DOMAIN_LIST_CHUNK 128u

struct lam_ctl {
	int fd;	    /* /dev/xen/privcmd */
	int buf_fd; /* /dev/xen/hypercall, or -1 */
	/* One hypercall-safe page holding the domctl or sysctl struct of the current call. */
	union {
		struct lam_domctl *domctl;
		struct lam_sysctl *sysctl;
		void *page;
	};
};

static size_t page_round(size_t size)
{
	return (size + LAM_CTL_PAGE_SIZE - 1) & ~(size_t)(LAM_CTL_PAGE_SIZE - 1);
}

/** Hypercall-safe memory of size bytes (zeroed), or NULL with errno set. */
static void *hbuf_alloc(struct lam_ctl *ctl, size_t size)
{
	size_t len = page_round(size);
	void *p;

	if (ctl->buf_fd >= 0) {
		p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, ctl->buf_fd, 0);
		if (p != MAP_FAILED) {
			memset(p, 0, len);
			return p;
		}
		/* The device limits how much a process may hold: fall back to locked memory. */
	}
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		return NULL;
	}
	/* Touch every page so that it exists even if the lock is refused (RLIMIT_MEMLOCK). */
	memset(p, 0, len);
	(void)mlock(p, len);
	return p;
}

static void hbuf_free(void *p, size_t size)
{
	if (p != NULL) {
		munmap(p, page_round(size));
	}
}

int lam_ctl_open(struct lam_ctl **out)
{
	struct lam_ctl *ctl;
	int err;

	*out = NULL;
	ctl = calloc(1, sizeof(*ctl));
	if (ctl == NULL) {
		return -ENOMEM;
	}
	ctl->fd = open(LAM_CTL_PRIVCMD_PATH, O_RDWR | O_CLOEXEC);
	if (ctl->fd < 0) {
		err = -errno;
		free(ctl);
		return err;
	}
	ctl->buf_fd = open(LAM_CTL_HYPERCALL_PATH, O_RDWR | O_CLOEXEC);
	ctl->page = hbuf_alloc(ctl, LAM_CTL_PAGE_SIZE);
	if (ctl->page == NULL) {
		err = -errno;
		lam_ctl_close(ctl);
		return err;
	}
	*out = ctl;
	return 0;
}

void lam_ctl_close(struct lam_ctl *ctl)
{
	if (ctl == NULL) {
		return;
	}
	hbuf_free(ctl->page, LAM_CTL_PAGE_SIZE);
	if (ctl->buf_fd >= 0) {
		close(ctl->buf_fd);
	}
	close(ctl->fd);
	free(ctl);
}

/** Issues hypercall op with its struct at arg (hypercall-safe memory); 0 or -errno. */
static int hypercall(struct lam_ctl *ctl, uint64_t op, void *arg)
{
	struct privcmd_hypercall call = { .op = op, .arg = { (uint64_t)(uintptr_t)arg } };
	long ret;

	ret = ioctl(ctl->fd, IOCTL_PRIVCMD_HYPERCALL, &call);
	if (ret < 0) {
		/* privcmd hands the hypervisor's negative return to libc, which puts it in errno. */
		return -errno;
	}
	return 0;
}

/** A zeroed domctl in the call page with the envelope filled in. */
static struct lam_domctl *domctl_prepare(struct lam_ctl *ctl, uint32_t cmd, uint16_t domid)
{
	struct lam_domctl *dc = ctl->domctl;

	memset(dc, 0, sizeof(*dc));
	dc->cmd = cmd;
	dc->version = LAMCTL_VERSION;
	dc->domid = domid;
	return dc;
}

static struct lam_sysctl *sysctl_prepare(struct lam_ctl *ctl, uint32_t cmd)
{
	struct lam_sysctl *sc = ctl->sysctl;

	memset(sc, 0, sizeof(*sc));
	sc->cmd = cmd;
	sc->version = LAMCTL_VERSION;
	return sc;
}

static int domctl_simple(struct lam_ctl *ctl, uint32_t cmd, uint16_t domid)
{
	return hypercall(ctl, __HYPERVISOR_domctl, domctl_prepare(ctl, cmd, domid));
}

int lam_ctl_domain_create(struct lam_ctl *ctl, uint16_t *domid, struct lam_dom_create *cr)
{
	struct lam_domctl *dc = domctl_prepare(ctl, LAM_DOMCTL_create, *domid);
	int err;

	dc->u.create = *cr;
	dc->u.create.pad = 0;
	err = hypercall(ctl, __HYPERVISOR_domctl, dc);
	if (err == 0) {
		*domid = dc->domid;
		*cr = dc->u.create;
	}
	return err;
}

int lam_ctl_domain_destroy(struct lam_ctl *ctl, uint16_t domid)
{
	return domctl_simple(ctl, LAM_DOMCTL_destroy, domid);
}

int lam_ctl_domain_pause(struct lam_ctl *ctl, uint16_t domid)
{
	return domctl_simple(ctl, LAM_DOMCTL_pause, domid);
}

int lam_ctl_domain_unpause(struct lam_ctl *ctl, uint16_t domid)
{
	return domctl_simple(ctl, LAM_DOMCTL_unpause, domid);
}

int lam_ctl_domain_getinfo(struct lam_ctl *ctl, uint16_t domid, struct lam_dom_info *info)
{
	struct lam_domctl *dc = domctl_prepare(ctl, LAM_DOMCTL_getinfo, domid);
	int err;

	err = hypercall(ctl, __HYPERVISOR_domctl, dc);
	if (err == 0) {
		*info = dc->u.info;
	}
	return err;
}

int lam_ctl_domain_list(struct lam_ctl *ctl, struct lam_dom_info **list, size_t *nr)
{
	size_t bytes = DOMAIN_LIST_CHUNK * sizeof(struct lam_dom_info);
	struct lam_dom_info *buf, *all = NULL, *grown;
	size_t n = 0;
	uint32_t first = 0;
	int err = 0;

	*list = NULL;
	*nr = 0;
	buf = hbuf_alloc(ctl, bytes);
	if (buf == NULL) {
		return -errno;
	}
	for (;;) {
		struct lam_sysctl *sc = sysctl_prepare(ctl, LAM_SYSCTL_domain_list);
		uint32_t got;

		sc->u.domain_list.first_domid = first;
		sc->u.domain_list.max_entries = DOMAIN_LIST_CHUNK;
		sc->u.domain_list.buffer = (uint64_t)(uintptr_t)buf;
		err = hypercall(ctl, __HYPERVISOR_sysctl, sc);
		if (err != 0) {
			goto out;
		}
		got = sc->u.domain_list.nr_entries;
		if (got > DOMAIN_LIST_CHUNK) {
			err = -EPROTO;
			goto out;
		}
		if (got == 0) {
			break;
		}
		grown = realloc(all, (n + got) * sizeof(*all));
		if (grown == NULL) {
			err = -ENOMEM;
			goto out;
		}
		all = grown;
		memcpy(all + n, buf, got * sizeof(*all));
		n += got;
		if (got < DOMAIN_LIST_CHUNK || all[n - 1].domid >= DOMID_FIRST_RESERVED) {
			break;
		}
		first = all[n - 1].domid + 1;
	}
out:
	hbuf_free(buf, bytes);
	if (err != 0) {
		free(all);
		return err;
	}
	*list = all;
	*nr = n;
	return 0;
}

int lam_ctl_domain_shutdown(struct lam_ctl *ctl, uint16_t domid, uint32_t reason)
{
	struct lam_domctl *dc = domctl_prepare(ctl, LAM_DOMCTL_shutdown, domid);

	dc->u.shutdown.reason = reason;
	return hypercall(ctl, __HYPERVISOR_domctl, dc);
}

int lam_ctl_domain_set_max_mem(struct lam_ctl *ctl, uint16_t domid, uint64_t max_mem_kb)
{
	struct lam_domctl *dc = domctl_prepare(ctl, LAM_DOMCTL_set_max_mem, domid);

	dc->u.mem.max_mem_kb = max_mem_kb;
	return hypercall(ctl, __HYPERVISOR_domctl, dc);
}

int lam_ctl_vcpu_set_context(struct lam_ctl *ctl, uint16_t domid, uint32_t vcpu, uint64_t pc,
			     uint64_t x0)
{
	struct lam_domctl *dc = domctl_prepare(ctl, LAM_DOMCTL_set_vcpu_context, domid);

	dc->u.vcpu_ctx.vcpu = vcpu;
	dc->u.vcpu_ctx.pc = pc;
	dc->u.vcpu_ctx.x0 = x0;
	return hypercall(ctl, __HYPERVISOR_domctl, dc);
}

int lam_ctl_vcpu_info(struct lam_ctl *ctl, uint16_t domid, uint32_t vcpu,
		      struct lam_vcpu_info *info)
{
	struct lam_domctl *dc = domctl_prepare(ctl, LAM_DOMCTL_get_vcpu_info, domid);
	int err;

	dc->u.vcpu_info.vcpu = vcpu;
	err = hypercall(ctl, __HYPERVISOR_domctl, dc);
	if (err == 0) {
		*info = dc->u.vcpu_info;
	}
	return err;
}

int lam_ctl_vcpu_affinity(struct lam_ctl *ctl, uint16_t domid, uint32_t vcpu, uint32_t pcpu)
{
	struct lam_domctl *dc = domctl_prepare(ctl, LAM_DOMCTL_set_vcpu_affinity, domid);

	dc->u.affinity.vcpu = vcpu;
	dc->u.affinity.pcpu = pcpu;
	return hypercall(ctl, __HYPERVISOR_domctl, dc);
}

int lam_ctl_cacheflush(struct lam_ctl *ctl, uint16_t domid, uint64_t first_gfn, uint64_t nr_gfns)
{
	while (nr_gfns > 0) {
		uint64_t n = nr_gfns < CACHEFLUSH_MAX_GFNS ? nr_gfns : CACHEFLUSH_MAX_GFNS;
		struct lam_domctl *dc = domctl_prepare(ctl, LAM_DOMCTL_cacheflush, domid);
		int err;

		dc->u.flush.first_gfn = first_gfn;
		dc->u.flush.nr_gfns = n;
		err = hypercall(ctl, __HYPERVISOR_domctl, dc);
		if (err != 0) {
			return err;
		}
		first_gfn += n;
		nr_gfns -= n;
	}
	return 0;
}

int lam_ctl_write_memory(struct lam_ctl *ctl, uint16_t domid, uint64_t gpa, const void *buf,
			 uint64_t len)
{
	const char *p = buf;

	while (len > 0) {
		uint64_t n = len < LAM_WRITE_MEMORY_MAX ? len : LAM_WRITE_MEMORY_MAX;
		struct lam_domctl *dc = domctl_prepare(ctl, LAM_DOMCTL_write_memory, domid);
		int err;

		dc->u.write.gpa = gpa;
		dc->u.write.buffer = (uint64_t)(uintptr_t)p;
		dc->u.write.size = n;
		err = hypercall(ctl, __HYPERVISOR_domctl, dc);
		if (err != 0) {
			return err;
		}
		gpa += n;
		p += n;
		len -= n;
	}
	return 0;
}

int lam_ctl_physinfo(struct lam_ctl *ctl, struct lam_physinfo *info)
{
	struct lam_sysctl *sc = sysctl_prepare(ctl, LAM_SYSCTL_physinfo);
	int err;

	err = hypercall(ctl, __HYPERVISOR_sysctl, sc);
	if (err == 0) {
		*info = sc->u.physinfo;
	}
	return err;
}

int lam_ctl_readconsole(struct lam_ctl *ctl, char *buf, size_t size, uint64_t *index, size_t *count,
			uint64_t *lost)
{
	struct lam_sysctl *sc;
	char *hbuf;
	int err;

	*count = 0;
	if (size > UINT32_MAX) {
		size = UINT32_MAX & ~(LAM_CTL_PAGE_SIZE - 1);
	}
	if (size == 0) {
		return 0;
	}
	hbuf = hbuf_alloc(ctl, size);
	if (hbuf == NULL) {
		return -errno;
	}
	sc = sysctl_prepare(ctl, LAM_SYSCTL_readconsole);
	sc->u.console.buffer = (uint64_t)(uintptr_t)hbuf;
	sc->u.console.size = (uint32_t)size;
	sc->u.console.index = *index;
	err = hypercall(ctl, __HYPERVISOR_sysctl, sc);
	if (err == 0) {
		size_t n = sc->u.console.count < size ? sc->u.console.count : size;

		memcpy(buf, hbuf, n);
		*count = n;
		*index = sc->u.console.index;
		if (lost != NULL) {
			*lost = sc->u.console.lost;
		}
	}
	hbuf_free(hbuf, size);
	return err;
}

void *lam_ctl_map_foreign(struct lam_ctl *ctl, uint16_t domid, const uint64_t *gfns, size_t n,
			  int *errs)
{
	struct privcmd_mmapbatch_v2 batch;
	int *own = NULL;
	void *addr;
	int err = 0;

	if (n == 0 || n > UINT32_MAX || n > SIZE_MAX / LAM_CTL_PAGE_SIZE) {
		errno = EINVAL;
		return NULL;
	}
	if (errs == NULL) {
		own = calloc(n, sizeof(*own));
		if (own == NULL) {
			errno = ENOMEM;
			return NULL;
		}
		errs = own;
	}
	/* privcmd wants a VMA of exactly the batch's size, backed by its own pages. */
	addr = mmap(NULL, n * LAM_CTL_PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, ctl->fd, 0);
	if (addr == MAP_FAILED) {
		err = errno;
		addr = NULL;
		goto out;
	}
	batch = (struct privcmd_mmapbatch_v2){
		.num = (uint32_t)n,
		.dom = domid,
		.addr = (uint64_t)(uintptr_t)addr,
		.arr = gfns,
		.err = errs,
	};
	if (ioctl(ctl->fd, IOCTL_PRIVCMD_MMAPBATCH_V2, &batch) < 0) {
		err = errno;
	} else {
		for (size_t i = 0; i < n; i++) {
			if (errs[i] != 0) {
				err = errs[i] < 0 ? -errs[i] : errs[i];
				break;
			}
		}
	}
	if (err != 0) {
		munmap(addr, n * LAM_CTL_PAGE_SIZE);
		addr = NULL;
	}
out:
	free(own);
	if (err != 0) {
		errno = err;
	}
	return addr;
}

int lam_ctl_unmap_foreign(void *addr, size_t n)
{
	if (addr == NULL) {
		return 0;
	}
	if (munmap(addr, n * LAM_CTL_PAGE_SIZE) < 0) {
		return -errno;
	}
	return 0;
}

/** Messages for the Xen errno values the control interface returns (lamctl.h). */
static const struct {
	int err;
	const char *msg;
} xen_errors[] = {
	{ 1, "operation not permitted (only Dom0 may control domains)" },
	{ 2, "no such entry" },
	{ 3, "no such domain" },
	{ 12, "out of memory in the hypervisor" },
	{ 13, "refused: control interface version mismatch between lam and the hypervisor" },
	{ 14, "bad address (hypercall buffer not accessible)" },
	{ 16, "busy" },
	{ 17, "already exists" },
	{ 22, "invalid argument" },
	{ 25, "not a privcmd device" },
	{ 28, "no space left (limit reached)" },
	{ 38, "operation not implemented by the hypervisor" },
	{ 71, "protocol error (unexpected reply from the hypervisor)" },
	{ 95, "operation not supported by this hypervisor" },
};

const char *lam_ctl_strerror(int err)
{
	if (err < 0) {
		err = -err;
	}
	for (size_t i = 0; i < sizeof(xen_errors) / sizeof(xen_errors[0]); i++) {
		if (xen_errors[i].err == err) {
			return xen_errors[i].msg;
		}
	}
	return strerror(err);
}
