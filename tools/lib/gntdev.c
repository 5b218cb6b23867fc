/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Grant mapping over /dev/xen/gntdev (Linux include/uapi/xen/gntdev.h): MAP_GRANT_REF
 * reserves an offset ("index") in the device for the grant, mmap() at that offset maps
 * it, and after munmap() UNMAP_GRANT_REF releases the index. One device file serves the
 * whole process; each mapping is remembered so that unmapping needs only the address.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <lam/gntdev.h>

struct lam_gntdev_grant_ref {
	uint32_t domid;
	uint32_t ref;
};

struct lam_gntdev_map_grant_ref {
	uint32_t count;
	uint32_t pad;
	uint64_t index; /* OUT: mmap offset */
	struct lam_gntdev_grant_ref refs[1];
};

struct lam_gntdev_unmap_grant_ref {
	uint64_t index;
	uint32_t count;
	uint32_t pad;
};

#define LAM_IOCTL_GNTDEV_MAP_GRANT_REF \
	_IOC(_IOC_NONE, 'G', 0, sizeof(struct lam_gntdev_map_grant_ref))
#define LAM_IOCTL_GNTDEV_UNMAP_GRANT_REF \
	_IOC(_IOC_NONE, 'G', 1, sizeof(struct lam_gntdev_unmap_grant_ref))

_Static_assert(sizeof(struct lam_gntdev_map_grant_ref) == 24, "ioctl_gntdev_map_grant_ref");
_Static_assert(sizeof(struct lam_gntdev_unmap_grant_ref) == 16, "ioctl_gntdev_unmap_grant_ref");
_Static_assert(LAM_IOCTL_GNTDEV_MAP_GRANT_REF == 0x00184700, "IOCTL_GNTDEV_MAP_GRANT_REF");
_Static_assert(LAM_IOCTL_GNTDEV_UNMAP_GRANT_REF == 0x00104701, "IOCTL_GNTDEV_UNMAP_GRANT_REF");

struct gnt_mapping {
	struct gnt_mapping *next;
	void *addr;
	uint64_t index;
};

static pthread_mutex_t gnt_lock = PTHREAD_MUTEX_INITIALIZER;
static int gnt_fd = -1;
static struct gnt_mapping *gnt_maps;

static int gnt_open_locked(void)
{
	if (gnt_fd >= 0) {
		return 0;
	}
	gnt_fd = open(LAM_GNTDEV_DEVICE, O_RDWR | O_CLOEXEC);
	return gnt_fd < 0 ? -errno : 0;
}

static int gnt_release_index(uint64_t index)
{
	struct lam_gntdev_unmap_grant_ref u = { .index = index, .count = 1 };

	return ioctl(gnt_fd, LAM_IOCTL_GNTDEV_UNMAP_GRANT_REF, &u) < 0 ? -errno : 0;
}

void *lam_gnt_map(uint32_t domid, uint32_t ref, int writable)
{
	struct lam_gntdev_map_grant_ref m = { .count = 1 };
	struct gnt_mapping *gm;
	void *addr;
	int err;

	gm = malloc(sizeof(*gm));
	if (!gm) {
		return NULL;
	}
	pthread_mutex_lock(&gnt_lock);
	err = gnt_open_locked();
	if (err) {
		goto fail;
	}
	m.refs[0].domid = domid;
	m.refs[0].ref = ref;
	if (ioctl(gnt_fd, LAM_IOCTL_GNTDEV_MAP_GRANT_REF, &m) < 0) {
		err = -errno;
		goto fail;
	}
	addr = mmap(NULL, LAM_GNT_PAGE_SIZE, PROT_READ | (writable ? PROT_WRITE : 0), MAP_SHARED,
		    gnt_fd, (off_t)m.index);
	if (addr == MAP_FAILED) {
		err = -errno;
		gnt_release_index(m.index);
		goto fail;
	}
	gm->addr = addr;
	gm->index = m.index;
	gm->next = gnt_maps;
	gnt_maps = gm;
	pthread_mutex_unlock(&gnt_lock);
	return addr;
fail:
	pthread_mutex_unlock(&gnt_lock);
	free(gm);
	errno = -err;
	return NULL;
}

int lam_gnt_unmap(void *addr)
{
	struct gnt_mapping **pp, *gm = NULL;
	int err = 0, rc;

	pthread_mutex_lock(&gnt_lock);
	for (pp = &gnt_maps; *pp; pp = &(*pp)->next) {
		if ((*pp)->addr == addr) {
			gm = *pp;
			*pp = gm->next;
			break;
		}
	}
	if (!gm) {
		pthread_mutex_unlock(&gnt_lock);
		return -EINVAL;
	}
	if (munmap(addr, LAM_GNT_PAGE_SIZE) < 0) {
		err = -errno;
	}
	rc = gnt_release_index(gm->index);
	if (rc && !err) {
		err = rc;
	}
	pthread_mutex_unlock(&gnt_lock);
	free(gm);
	return err;
}

void lam_gnt_shutdown(void)
{
	pthread_mutex_lock(&gnt_lock);
	if (!gnt_maps && gnt_fd >= 0) {
		close(gnt_fd);
		gnt_fd = -1;
	}
	pthread_mutex_unlock(&gnt_lock);
}
