/* SPDX-License-Identifier: Apache-2.0 */
/*
 * liblam: PV disks (vbd) served by Dom0's xen-blkback, the work of Xen's
 * tools/libs/light/libxl_disk.c plus its tools/hotplug/Linux/block script, done here in C:
 *
 *   add     check the target (exists; writable for access=rw; a raw image file or a block
 *           device; not already writable in another guest, nor writable here while another
 *           guest has it: the block script's sharing rule), put an image file on a loop
 *           device (LOOP_CTL_GET_FREE + LOOP_CONFIGURE, read-only for access=ro, autoclear,
 *           so the device goes when its last user, blkback, closes it), write the frontend
 *           and backend directories (device.c) with the keys blkback reads
 *           (physical-device "MAJOR:MINOR" in hex, mode, device-type, ...) and wait, bounded,
 *           until blkback has opened the device (its sysfs physical_device attribute appears,
 *           Linux's drivers/block/xen-blkback/xenbus.c xenvbd_sysfs_addif()) or, for a
 *           running guest, until the backend is Connected. Our loop descriptor is closed only
 *           then, so autoclear cannot take the device away in between.
 *   remove  online = 0 and the backend in Closing (libxl__initiate_device_generic_remove()'s
 *           protocol); a running guest's frontend is given time to close (bounded), then, or
 *           straight away for a paused or dead guest, the frontend's directory goes, blkback
 *           drops the device (its state Closed; bounded wait), then the backend's directory
 *           goes and the loop device clears itself once blkback let go (bounded wait).
 *
 * Every failure is one line naming the disk and is undone: nodes removed, loop released.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/loop.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include <lam/xs.h>

#include "internal.h"

/* XenbusState (Xen's xen/include/public/io/xenbus.h). */
#define XENBUS_INIT_WAIT 2
#define XENBUS_CONNECTED 4
#define XENBUS_CLOSING 5
#define XENBUS_CLOSED 6

#define POLL_MS 20
/* Bounds: blkback opening a device, a guest connecting or closing one, blkback letting go. */
#define OPEN_TIMEOUT_MS 10000
#define CONNECT_TIMEOUT_MS 30000
#define CLOSE_TIMEOUT_MS 10000
#define RELEASE_TIMEOUT_MS 10000
#define LOOP_ATTEMPTS 16

#define SYSFS_BACKEND "/sys/bus/xen-backend/devices"

static uint64_t now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000 + (uint64_t)t.tv_nsec / 1000000;
}

static void sleep_ms(unsigned int ms)
{
	usleep(ms * 1000);
}

/** A xenstore value as an int; def when absent or not a number. */
static int xs_read_int(struct lam_xs *xs, const char *path, int def)
{
	char *v = lam_xs_read(xs, LAM_XS_NO_TX, path, NULL);
	char *end;
	long n;

	if (v == NULL) {
		return def;
	}
	n = strtol(v, &end, 10);
	if (end == v || *end != '\0') {
		n = def;
	}
	free(v);
	return (int)n;
}

static void vbd_device(struct lam_device *dev, uint16_t domid, uint32_t devid)
{
	memset(dev, 0, sizeof(*dev));
	dev->kind = LAM_DEVICE_VBD;
	dev->devid = devid;
	dev->domid = domid;
	dev->backend_domid = 0;
}

static void backend_path(uint16_t domid, uint32_t devid, const char *key, char *buf, size_t len)
{
	snprintf(buf, len, "/local/domain/0/backend/vbd/%u/%u%s%s", domid, devid,
		 key[0] != '\0' ? "/" : "", key);
}

static void sysfs_dev_path(uint16_t domid, uint32_t devid, const char *attr, char *buf, size_t len)
{
	snprintf(buf, len, SYSFS_BACKEND "/vbd-%u-%u%s%s", domid, devid, attr[0] != '\0' ? "/" : "",
		 attr);
}

/* ---- loop devices ---- */

/** /sys/block/loopN/loop/backing_file exists while loopN is bound to a file. */
static bool loop_bound(int n)
{
	char path[64];

	snprintf(path, sizeof(path), "/sys/block/loop%d/loop/backing_file", n);
	return access(path, F_OK) == 0;
}

/** N of "/dev/loopN", or -1. */
static int loop_number(const char *dev)
{
	char *end;
	long n;

	if (strncmp(dev, "/dev/loop", 9) != 0 || dev[9] < '0' || dev[9] > '9') {
		return -1;
	}
	n = strtol(dev + 9, &end, 10);
	return *end == '\0' && n < 1 << 20 ? (int)n : -1;
}

/**
 * Binds file_fd to a free loop device, read-only if ro, with autoclear; the device stays
 * while *loop_fd is open (or later, while someone else has it open). 0 or -1 after logging.
 */
static int loop_attach(struct lam_ctx *ctx, const char *vdev, const char *path, int file_fd,
		       bool ro, int *loop_fd, char *loop_path, size_t len)
{
	int ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
	int err = 0;

	if (ctl < 0) {
		LAM_ERR(ctx,
			"disk %s: cannot open /dev/loop-control: %s (is the loop module loaded?)",
			vdev, strerror(errno));
		return -1;
	}
	for (int attempt = 0; attempt < LOOP_ATTEMPTS; attempt++) {
		struct loop_config lc;
		int n = ioctl(ctl, LOOP_CTL_GET_FREE);
		int fd;

		if (n < 0) {
			err = errno;
			break;
		}
		snprintf(loop_path, len, "/dev/loop%d", n);
		fd = open(loop_path, (ro ? O_RDONLY : O_RDWR) | O_CLOEXEC);
		if (fd < 0) {
			err = errno;
			if (err == ENOENT) {
				sleep_ms(POLL_MS); /* devtmpfs has not made the node yet */
				continue;
			}
			break;
		}
		memset(&lc, 0, sizeof(lc));
		lc.fd = (uint32_t)file_fd;
		lc.info.lo_flags = LO_FLAGS_AUTOCLEAR | (ro ? LO_FLAGS_READ_ONLY : 0);
		/* The name shown by losetup; the kernel keeps the file itself. */
		{
			size_t nlen = strlen(path);

			if (nlen >= sizeof(lc.info.lo_file_name)) {
				nlen = sizeof(lc.info.lo_file_name) - 1;
			}
			memcpy(lc.info.lo_file_name, path, nlen);
		}
		if (ioctl(fd, LOOP_CONFIGURE, &lc) == 0) {
			*loop_fd = fd;
			close(ctl);
			return 0;
		}
		err = errno;
		if (err == EINVAL || err == ENOTTY) {
			/* Before Linux 5.8: LOOP_SET_FD, then the flags. */
			if (ioctl(fd, LOOP_SET_FD, file_fd) == 0) {
				if (ioctl(fd, LOOP_SET_STATUS64, &lc.info) == 0) {
					*loop_fd = fd;
					close(ctl);
					return 0;
				}
				err = errno;
				(void)ioctl(fd, LOOP_CLR_FD, 0);
				close(fd);
				break;
			}
			err = errno;
		}
		close(fd);
		if (err != EBUSY) {
			break;
		}
		/* Another user took that device between GET_FREE and now: ask again. */
	}
	close(ctl);
	LAM_ERR(ctx, "disk %s: cannot set up a loop device for '%s': %s", vdev, path,
		strerror(err != 0 ? err : EBUSY));
	return -1;
}

/* ---- checks ---- */

/**
 * The block script's sharing rule: a target another guest has writable cannot be added,
 * nor can one be added writable that another guest has at all. Same target means the same
 * file (device and inode) or the same block device. 0 or -1 after logging.
 */
static int check_sharing(struct lam_ctx *ctx, struct lam_xs *xs, uint16_t domid,
			 const struct lam_disk_spec *d, const struct stat *st)
{
	char path[192];
	char **doms;
	unsigned int nd = 0;
	int ret = 0;

	doms = lam_xs_directory(xs, LAM_XS_NO_TX, "/local/domain/0/backend/vbd", &nd);
	for (unsigned int i = 0; doms != NULL && i < nd && ret == 0; i++) {
		char **devs;
		unsigned int nv = 0;

		snprintf(path, sizeof(path), "/local/domain/0/backend/vbd/%s", doms[i]);
		devs = lam_xs_directory(xs, LAM_XS_NO_TX, path, &nv);
		for (unsigned int j = 0; devs != NULL && j < nv && ret == 0; j++) {
			char *params, *mode, *name;
			struct stat ost;
			bool same, other_w;

			if (strtoul(doms[i], NULL, 10) == domid) {
				continue; /* this guest's own disks: the vdev check covers them */
			}
			snprintf(path, sizeof(path), "/local/domain/0/backend/vbd/%s/%s/params",
				 doms[i], devs[j]);
			params = lam_xs_read(xs, LAM_XS_NO_TX, path, NULL);
			if (params == NULL || stat(params, &ost) != 0) {
				free(params);
				continue;
			}
			free(params);
			if (S_ISBLK(st->st_mode)) {
				same = S_ISBLK(ost.st_mode) && ost.st_rdev == st->st_rdev;
			} else {
				same = S_ISREG(ost.st_mode) && ost.st_dev == st->st_dev &&
				       ost.st_ino == st->st_ino;
			}
			if (!same) {
				continue;
			}
			snprintf(path, sizeof(path), "/local/domain/0/backend/vbd/%s/%s/mode",
				 doms[i], devs[j]);
			mode = lam_xs_read(xs, LAM_XS_NO_TX, path, NULL);
			other_w = mode == NULL || strchr(mode, 'w') != NULL;
			free(mode);
			if (d->readonly && !other_w) {
				continue; /* read-only on both sides: shared */
			}
			snprintf(path, sizeof(path), "/local/domain/%s/name", doms[i]);
			name = lam_xs_read(xs, LAM_XS_NO_TX, path, NULL);
			LAM_ERR(ctx,
				"disk %s: '%s' is in use by domain %s%s%s%s (%s); guests may share "
				"a disk only read-only",
				d->vdev, d->target, doms[i], name != NULL ? " (" : "",
				name != NULL ? name : "", name != NULL ? ")" : "",
				other_w ? "writable" : "read-only");
			free(name);
			ret = -1;
		}
		free(devs);
	}
	free(doms);
	return ret;
}

/* ---- waiting for the backend ---- */

/** Why a backend failed: blkback's error node (xenbus_dev_fatal()), if it wrote one. */
static void backend_error(struct lam_xs *xs, uint16_t domid, uint32_t devid, char *buf, size_t len)
{
	char path[160];
	char *e;

	snprintf(path, sizeof(path), "/local/domain/0/error/backend/vbd/%u/%u/error", domid, devid);
	e = lam_xs_read(xs, LAM_XS_NO_TX, path, NULL);
	snprintf(buf, len, "%s", e != NULL ? e : "");
	free(e);
}

/**
 * Waits until blkback has opened the device (want_connected: until the backend is
 * Connected, i.e. the guest's frontend took it too). 0, or -1 after logging why.
 */
static int wait_backend(struct lam_ctx *ctx, struct lam_xs *xs, uint16_t domid,
			const struct lam_disk_spec *d, bool want_connected)
{
	uint64_t deadline = now_ms() + (want_connected ? CONNECT_TIMEOUT_MS : OPEN_TIMEOUT_MS);
	char state_path[160], attr[160], why[256];
	int state = -1;

	backend_path(domid, d->devid, "state", state_path, sizeof(state_path));
	sysfs_dev_path(domid, d->devid, "physical_device", attr, sizeof(attr));
	for (;;) {
		bool opened = access(attr, F_OK) == 0;

		state = xs_read_int(xs, state_path, -1);
		backend_error(xs, domid, d->devid, why, sizeof(why));
		if (why[0] != '\0' || state == XENBUS_CLOSING || state == XENBUS_CLOSED) {
			LAM_ERR(ctx, "disk %s: the backend refused it: %s", d->vdev,
				why[0] != '\0' ? why : "it closed");
			return -1;
		}
		if (opened && (!want_connected || state == XENBUS_CONNECTED)) {
			return 0;
		}
		if (now_ms() >= deadline) {
			break;
		}
		sleep_ms(POLL_MS);
	}
	if (state < XENBUS_INIT_WAIT) {
		LAM_ERR(ctx,
			"disk %s: no answer from Dom0's blkback within %u s (is xen-blkback "
			"loaded?)",
			d->vdev, OPEN_TIMEOUT_MS / 1000);
	} else if (!want_connected || access(attr, F_OK) != 0) {
		LAM_ERR(ctx, "disk %s: blkback did not open '%s' within %u s", d->vdev, d->target,
			OPEN_TIMEOUT_MS / 1000);
	} else {
		LAM_ERR(ctx,
			"disk %s: the guest did not connect it within %u s (backend state %d; "
			"does the guest have xen-blkfront?)",
			d->vdev, CONNECT_TIMEOUT_MS / 1000, state);
	}
	return -1;
}

/** Waits (bounded) until blkback let go of the device and its loop device is free. */
static void wait_released(struct lam_ctx *ctx, uint16_t domid, uint32_t devid, int loop)
{
	uint64_t deadline = now_ms() + RELEASE_TIMEOUT_MS;
	char dir[128];

	sysfs_dev_path(domid, devid, "", dir, sizeof(dir));
	while ((access(dir, F_OK) == 0 || (loop >= 0 && loop_bound(loop))) && now_ms() < deadline) {
		sleep_ms(POLL_MS);
	}
	if (access(dir, F_OK) == 0) {
		LAM_ERR(ctx, "vbd %u of domain %u: blkback still holds it after %u s", devid, domid,
			RELEASE_TIMEOUT_MS / 1000);
		return;
	}
	if (loop >= 0 && loop_bound(loop)) {
		char path[32];
		int fd;

		/* Autoclear did not happen (someone else has it open): detach it ourselves. */
		snprintf(path, sizeof(path), "/dev/loop%d", loop);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			(void)ioctl(fd, LOOP_CLR_FD, 0);
			close(fd);
		}
		if (loop_bound(loop)) {
			LAM_ERR(ctx, "vbd %u of domain %u: %s is still in use (autoclear pending)",
				devid, domid, path);
		}
	}
}

/* ---- add ---- */

struct vbd_write {
	const struct lam_device *dev;
};

static void vbd_fill(struct lam__xs_batch *b, const void *arg)
{
	const struct vbd_write *w = arg;

	lam__device_write(b, w->dev);
}

int lam_disk_add(struct lam_ctx *ctx, struct lam_xs *xs, uint16_t domid,
		 const struct lam_disk_spec *d, bool running)
{
	char loop_path[32] = "", phys[32], devid_s[16], path[160];
	struct lam_device dev;
	struct stat st;
	int file_fd = -1, loop_fd = -1, ret = -1;
	bool written = false;
	char *have;

	backend_path(domid, d->devid, "", path, sizeof(path));
	have = lam_xs_read(xs, LAM_XS_NO_TX, path, NULL);
	if (have != NULL) {
		free(have);
		LAM_ERR(ctx, "disk %s: domain %u already has a disk with that vdev (%u)", d->vdev,
			domid, d->devid);
		return -EEXIST;
	}
	if (stat(d->target, &st) != 0) {
		LAM_ERR(ctx, "disk %s: '%s' %s", d->vdev, d->target,
			errno == ENOENT ? "does not exist" : strerror(errno));
		return -ENOENT;
	}
	if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) {
		LAM_ERR(ctx, "disk %s: '%s' is neither an image file nor a block device", d->vdev,
			d->target);
		return -EINVAL;
	}
	/* Opened as blkback will use it: a read-only file refuses access=rw here. */
	file_fd = open(d->target, (d->readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (file_fd < 0) {
		int e = errno;

		if (!d->readonly && (e == EACCES || e == EROFS || e == EPERM)) {
			LAM_ERR(ctx, "disk %s: '%s' is not writable (%s); use access=ro", d->vdev,
				d->target, strerror(e));
		} else {
			LAM_ERR(ctx, "disk %s: cannot open '%s': %s", d->vdev, d->target,
				strerror(e));
		}
		return -e;
	}
	if (check_sharing(ctx, xs, domid, d, &st) != 0) {
		ret = -EBUSY;
		goto out;
	}
	if (S_ISREG(st.st_mode)) {
		struct stat lst;

		if (loop_attach(ctx, d->vdev, d->target, file_fd, d->readonly, &loop_fd, loop_path,
				sizeof(loop_path)) != 0 ||
		    fstat(loop_fd, &lst) != 0) {
			goto out;
		}
		snprintf(phys, sizeof(phys), "%x:%x", major(lst.st_rdev), minor(lst.st_rdev));
	} else {
		snprintf(loop_path, sizeof(loop_path), "%s", "");
		snprintf(phys, sizeof(phys), "%x:%x", major(st.st_rdev), minor(st.st_rdev));
	}
	snprintf(devid_s, sizeof(devid_s), "%u", d->devid);
	{
		/* libxl_disk.c's keys (device_disk_add()) and the block script's. */
		const struct lam_device_key back[] = {
			{ "params", d->target },
			{ "type", S_ISREG(st.st_mode) ? "file" : "phy" },
			{ "mode", d->readonly ? "r" : "w" },
			{ "dev", d->vdev },
			{ "device-type", d->cdrom ? "cdrom" : "disk" },
			{ "removable", "0" },
			{ "bootable", "1" },
			{ "discard-enable", d->discard ? "1" : "0" },
			{ "physical-device-path", S_ISREG(st.st_mode) ? loop_path : d->target },
			{ "physical-device", phys },
		};
		const struct lam_device_key front[] = {
			{ "virtual-device", devid_s },
			{ "device-type", d->cdrom ? "cdrom" : "disk" },
			{ "trusted", "1" },
		};
		struct vbd_write w = { .dev = &dev };

		vbd_device(&dev, domid, d->devid);
		dev.back = back;
		dev.nr_back = sizeof(back) / sizeof(back[0]);
		dev.front = front;
		dev.nr_front = sizeof(front) / sizeof(front[0]);
		if (lam__xs_transact(ctx, xs, vbd_fill, &w) != 0) {
			goto out;
		}
	}
	written = true;
	if (wait_backend(ctx, xs, domid, d, running) != 0) {
		goto out;
	}
	ret = 0;
out:
	if (loop_fd >= 0) {
		close(loop_fd); /* blkback has it now, or autoclear releases it */
	}
	close(file_fd);
	if (ret != 0 && written) {
		(void)lam_disk_remove(ctx, xs, domid, d->devid, false);
	} else if (ret != 0 && loop_path[0] != '\0') {
		wait_released(ctx, domid, d->devid, loop_number(loop_path));
	}
	return ret;
}

int lam__disks_add(struct lam_ctx *ctx, struct lam_xs *xs, uint16_t domid,
		   const struct lam_cfg *cfg)
{
	for (unsigned int i = 0; i < cfg->nr_disks; i++) {
		int err = lam_disk_add(ctx, xs, domid, &cfg->disks[i], false);

		if (err != 0) {
			return err;
		}
	}
	return 0;
}

/* ---- remove ---- */

/** Waits until the backend is Closed or blkback dropped the device; true if so in time. */
static bool wait_closed(uint16_t domid, uint32_t devid, struct lam_xs *xs, unsigned int ms)
{
	uint64_t deadline = now_ms() + ms;
	char state_path[160], dir[128];

	backend_path(domid, devid, "state", state_path, sizeof(state_path));
	sysfs_dev_path(domid, devid, "", dir, sizeof(dir));
	for (;;) {
		int state = xs_read_int(xs, state_path, -1);

		if (state == XENBUS_CLOSED || state < 0 || access(dir, F_OK) != 0) {
			return true;
		}
		if (now_ms() >= deadline) {
			return false;
		}
		sleep_ms(POLL_MS);
	}
}

int lam_disk_remove(struct lam_ctx *ctx, struct lam_xs *xs, uint16_t domid, uint32_t devid,
		    bool graceful)
{
	char path[160], *phys;
	struct lam_device dev;
	int state, loop = -1, err;

	backend_path(domid, devid, "physical-device-path", path, sizeof(path));
	phys = lam_xs_read(xs, LAM_XS_NO_TX, path, NULL);
	if (phys != NULL) {
		loop = loop_number(phys);
		free(phys);
	}
	/*
	 * libxl__initiate_device_generic_remove()'s steps: online = 0 (blkback unregisters
	 * itself once closed) and the backend in Closing, which a live frontend answers by
	 * closing; Linux's xenbus then leaves the backend Closed as it drops the device.
	 */
	backend_path(domid, devid, "state", path, sizeof(path));
	state = xs_read_int(xs, path, -1);
	if (state >= 0) {
		backend_path(domid, devid, "online", path, sizeof(path));
		(void)lam_xs_write_str(xs, LAM_XS_NO_TX, path, "0");
		if (state != XENBUS_CLOSED) {
			backend_path(domid, devid, "state", path, sizeof(path));
			(void)lam_xs_printf(xs, LAM_XS_NO_TX, path, "%d", XENBUS_CLOSING);
		}
	}
	if (graceful && state >= 0 && !wait_closed(domid, devid, xs, CLOSE_TIMEOUT_MS)) {
		LAM_INFO(ctx,
			 "vbd %u of domain %u: the guest did not close it within %u s: forcing",
			 devid, domid, CLOSE_TIMEOUT_MS / 1000);
	}
	/*
	 * Forcing (or a guest that cannot answer: paused, dead): the frontend's directory goes
	 * first, which blkback takes as its frontend gone and drops the device; then the
	 * backend's. Both waits are bounded.
	 */
	vbd_device(&dev, domid, devid);
	lam_device_frontend_path(&dev, path, sizeof(path));
	(void)lam_xs_rm(xs, LAM_XS_NO_TX, path);
	if (state >= 0) {
		(void)wait_closed(domid, devid, xs, CLOSE_TIMEOUT_MS / 2);
	}
	err = lam_device_remove(ctx, &dev);
	snprintf(path, sizeof(path), "/local/domain/0/error/backend/vbd/%u/%u", domid, devid);
	(void)lam_xs_rm(xs, LAM_XS_NO_TX, path);
	wait_released(ctx, domid, devid, loop);
	return err;
}

void lam__disks_destroy(struct lam_ctx *ctx, struct lam_xs *xs, uint16_t domid)
{
	char path[96];
	char **devs;
	unsigned int n = 0;

	snprintf(path, sizeof(path), "/local/domain/0/backend/vbd/%u", domid);
	devs = lam_xs_directory(xs, LAM_XS_NO_TX, path, &n);
	for (unsigned int i = 0; devs != NULL && i < n; i++) {
		char *end;
		unsigned long devid = strtoul(devs[i], &end, 10);

		if (*end == '\0' && devid <= UINT32_MAX) {
			(void)lam_disk_remove(ctx, xs, domid, (uint32_t)devid, false);
		}
	}
	free(devs);
	(void)lam_xs_rm(xs, LAM_XS_NO_TX, path);
	snprintf(path, sizeof(path), "/local/domain/0/error/backend/vbd/%u", domid);
	(void)lam_xs_rm(xs, LAM_XS_NO_TX, path);
}

/* ---- queries ---- */

static void read_str(struct lam_xs *xs, const char *dir, const char *key, char *buf, size_t len)
{
	char path[192], *v;

	snprintf(path, sizeof(path), "%s/%s", dir, key);
	v = lam_xs_read(xs, LAM_XS_NO_TX, path, NULL);
	snprintf(buf, len, "%s", v != NULL ? v : "");
	free(v);
}

static int read_int(struct lam_xs *xs, const char *dir, const char *key)
{
	char path[192];

	snprintf(path, sizeof(path), "%s/%s", dir, key);
	return xs_read_int(xs, path, -1);
}

static int cmp_info(const void *a, const void *b)
{
	const struct lam_disk_info *x = a, *y = b;

	return x->devid < y->devid ? -1 : x->devid > y->devid;
}

int lam_disk_list(struct lam_ctx *ctx, uint16_t domid, struct lam_disk_info **out, size_t *nr)
{
	struct lam_xs *xs = lam__xs_connect(ctx);
	struct lam_disk_info *list = NULL;
	char path[96];
	char **devs;
	unsigned int n = 0;
	size_t k = 0;

	*out = NULL;
	*nr = 0;
	if (xs == NULL) {
		return -ENOTCONN;
	}
	snprintf(path, sizeof(path), "/local/domain/0/backend/vbd/%u", domid);
	devs = lam_xs_directory(xs, LAM_XS_NO_TX, path, &n);
	if (devs != NULL && n > 0) {
		list = calloc(n, sizeof(*list));
		if (list == NULL) {
			free(devs);
			lam_xs_close(xs);
			LAM_ERR(ctx, "out of memory");
			return -ENOMEM;
		}
	}
	for (unsigned int i = 0; devs != NULL && i < n; i++) {
		struct lam_disk_info *di = &list[k];
		struct lam_device dev;
		char front[128];
		char *end;
		unsigned long devid = strtoul(devs[i], &end, 10);

		if (*end != '\0' || devid > UINT32_MAX) {
			continue;
		}
		vbd_device(&dev, domid, (uint32_t)devid);
		di->devid = (uint32_t)devid;
		di->domid = domid;
		di->backend_domid = 0;
		lam_device_backend_path(&dev, di->backend, sizeof(di->backend));
		lam_device_frontend_path(&dev, front, sizeof(front));
		read_str(xs, di->backend, "dev", di->vdev, sizeof(di->vdev));
		read_str(xs, di->backend, "params", di->target, sizeof(di->target));
		read_str(xs, di->backend, "mode", di->mode, sizeof(di->mode));
		read_str(xs, di->backend, "physical-device-path", di->phys, sizeof(di->phys));
		read_str(xs, di->backend, "device-type", di->type, sizeof(di->type));
		di->backend_state = read_int(xs, di->backend, "state");
		di->state = read_int(xs, front, "state");
		di->evtch = read_int(xs, front, "event-channel");
		di->rref = read_int(xs, front, "ring-ref");
		k++;
	}
	free(devs);
	lam_xs_close(xs);
	if (k > 1) {
		qsort(list, k, sizeof(*list), cmp_info);
	}
	*out = list;
	*nr = k;
	return 0;
}

/* ---- hot-plug ---- */

/** Does the guest run (so that its frontend can answer)? */
static bool domain_running(struct lam_ctx *ctx, uint16_t domid)
{
	struct lam_dom_info info;

	if (lam_domain_info(ctx, domid, &info) != 0) {
		return false;
	}
	return !(info.flags & (LAM_DOMINF_paused | LAM_DOMINF_shutdown | LAM_DOMINF_dying));
}

/** Adds or removes devid in domid's saved configuration, so a restart keeps the change. */
static void update_saved(struct lam_ctx *ctx, uint16_t domid, const struct lam_disk_spec *add,
			 uint32_t remove_devid)
{
	struct lam_cfg *cfg = calloc(1, sizeof(*cfg));

	if (cfg == NULL || lam_domain_config_load(ctx, domid, cfg) != 0) {
		free(cfg);
		return; /* no saved configuration: nothing to keep in step */
	}
	if (add != NULL) {
		if (cfg->nr_disks >= LAM_CFG_DISKS_MAX) {
			LAM_ERR(ctx, "disk %s: not kept for a restart (more than %u disks)",
				add->vdev, LAM_CFG_DISKS_MAX);
			free(cfg);
			return;
		}
		cfg->disks[cfg->nr_disks++] = *add;
	} else {
		unsigned int j = 0;

		for (unsigned int i = 0; i < cfg->nr_disks; i++) {
			if (cfg->disks[i].devid != remove_devid) {
				cfg->disks[j++] = cfg->disks[i];
			}
		}
		cfg->nr_disks = j;
	}
	(void)lam_domain_config_save(ctx, cfg, domid);
	free(cfg);
}

int lam_disk_attach(struct lam_ctx *ctx, uint16_t domid, const char *spec)
{
	struct lam_disk_spec d;
	struct lam_xs *xs;
	char msg[256];
	int err;

	if (domid == 0) {
		LAM_ERR(ctx, "Domain-0 gets no PV disks");
		return -EINVAL;
	}
	if (lam_disk_spec_parse(spec, &d, msg, sizeof(msg)) != 0) {
		LAM_ERR(ctx, "%s", msg);
		return -EINVAL;
	}
	xs = lam__xs_connect(ctx);
	if (xs == NULL) {
		return -ENOTCONN;
	}
	err = lam_disk_add(ctx, xs, domid, &d, domain_running(ctx, domid));
	lam_xs_close(xs);
	if (err == 0) {
		update_saved(ctx, domid, &d, 0);
	}
	return err;
}

int lam_disk_detach(struct lam_ctx *ctx, uint16_t domid, const char *which)
{
	struct lam_xs *xs;
	char path[160], *have;
	uint32_t devid;
	int err;

	if (lam_disk_vdev_number(which, &devid) != 0) {
		LAM_ERR(ctx, "'%s' is neither a vdev nor a device number", which);
		return -EINVAL;
	}
	xs = lam__xs_connect(ctx);
	if (xs == NULL) {
		return -ENOTCONN;
	}
	backend_path(domid, devid, "", path, sizeof(path));
	have = lam_xs_read(xs, LAM_XS_NO_TX, path, NULL);
	if (have == NULL) {
		lam_xs_close(xs);
		LAM_ERR(ctx, "domain %u has no disk %s", domid, which);
		return -ENOENT;
	}
	free(have);
	err = lam_disk_remove(ctx, xs, domid, devid, domain_running(ctx, domid));
	lam_xs_close(xs);
	update_saved(ctx, domid, NULL, devid);
	return err;
}
