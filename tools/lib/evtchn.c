/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Event channels over /dev/xen/evtchn. The ioctl numbers and argument layouts are those of
 * Linux's include/uapi/xen/evtchn.h (_IOC(_IOC_NONE, 'E', nr, size)); read() yields fired
 * ports as u32 values and write() of a port unmasks it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <lam/evtchn.h>

struct lam_evtchn_bind_virq_arg {
	uint32_t virq;
};

struct lam_evtchn_bind_interdomain_arg {
	uint32_t remote_domain;
	uint32_t remote_port;
};

struct lam_evtchn_bind_unbound_arg {
	uint32_t remote_domain;
};

struct lam_evtchn_port_arg {
	uint32_t port;
};

#define LAM_IOCTL_EVTCHN_BIND_VIRQ _IOC(_IOC_NONE, 'E', 0, sizeof(struct lam_evtchn_bind_virq_arg))
#define LAM_IOCTL_EVTCHN_BIND_INTERDOMAIN \
	_IOC(_IOC_NONE, 'E', 1, sizeof(struct lam_evtchn_bind_interdomain_arg))
#define LAM_IOCTL_EVTCHN_BIND_UNBOUND_PORT \
	_IOC(_IOC_NONE, 'E', 2, sizeof(struct lam_evtchn_bind_unbound_arg))
#define LAM_IOCTL_EVTCHN_UNBIND _IOC(_IOC_NONE, 'E', 3, sizeof(struct lam_evtchn_port_arg))
#define LAM_IOCTL_EVTCHN_NOTIFY _IOC(_IOC_NONE, 'E', 4, sizeof(struct lam_evtchn_port_arg))

/* Values of Linux's include/uapi/xen/evtchn.h as compiled for arm64. */
_Static_assert(LAM_IOCTL_EVTCHN_BIND_VIRQ == 0x00044500, "IOCTL_EVTCHN_BIND_VIRQ");
_Static_assert(LAM_IOCTL_EVTCHN_BIND_INTERDOMAIN == 0x00084501, "IOCTL_EVTCHN_BIND_INTERDOMAIN");
_Static_assert(LAM_IOCTL_EVTCHN_BIND_UNBOUND_PORT == 0x00044502, "IOCTL_EVTCHN_BIND_UNBOUND_PORT");
_Static_assert(LAM_IOCTL_EVTCHN_UNBIND == 0x00044503, "IOCTL_EVTCHN_UNBIND");
_Static_assert(LAM_IOCTL_EVTCHN_NOTIFY == 0x00044504, "IOCTL_EVTCHN_NOTIFY");

struct lam_evtchn {
	int fd;
};

int lam_evtchn_open(struct lam_evtchn **out)
{
	struct lam_evtchn *xce = malloc(sizeof(*xce));

	if (!xce) {
		return -ENOMEM;
	}
	xce->fd = open(LAM_EVTCHN_DEVICE, O_RDWR | O_CLOEXEC);
	if (xce->fd < 0) {
		int err = -errno;

		free(xce);
		return err;
	}
	*out = xce;
	return 0;
}

void lam_evtchn_close(struct lam_evtchn *xce)
{
	if (!xce) {
		return;
	}
	close(xce->fd);
	free(xce);
}

int lam_evtchn_fd(struct lam_evtchn *xce)
{
	return xce->fd;
}

int lam_evtchn_set_nonblock(struct lam_evtchn *xce, bool nonblock)
{
	int fl = fcntl(xce->fd, F_GETFL);

	if (fl < 0) {
		return -errno;
	}
	fl = nonblock ? (fl | O_NONBLOCK) : (fl & ~O_NONBLOCK);
	return fcntl(xce->fd, F_SETFL, fl) < 0 ? -errno : 0;
}

static int evtchn_ioctl(struct lam_evtchn *xce, unsigned long req, void *arg)
{
	int rc;

	do {
		rc = ioctl(xce->fd, req, arg);
	} while (rc < 0 && errno == EINTR);
	return rc < 0 ? -errno : rc;
}

int lam_evtchn_bind_interdomain(struct lam_evtchn *xce, uint32_t domid, uint32_t remote_port)
{
	struct lam_evtchn_bind_interdomain_arg a = { .remote_domain = domid,
						     .remote_port = remote_port };

	return evtchn_ioctl(xce, LAM_IOCTL_EVTCHN_BIND_INTERDOMAIN, &a);
}

int lam_evtchn_bind_virq(struct lam_evtchn *xce, uint32_t virq)
{
	struct lam_evtchn_bind_virq_arg a = { .virq = virq };

	return evtchn_ioctl(xce, LAM_IOCTL_EVTCHN_BIND_VIRQ, &a);
}

int lam_evtchn_bind_unbound_port(struct lam_evtchn *xce, uint32_t domid)
{
	struct lam_evtchn_bind_unbound_arg a = { .remote_domain = domid };

	return evtchn_ioctl(xce, LAM_IOCTL_EVTCHN_BIND_UNBOUND_PORT, &a);
}

int lam_evtchn_unbind(struct lam_evtchn *xce, uint32_t port)
{
	struct lam_evtchn_port_arg a = { .port = port };

	return evtchn_ioctl(xce, LAM_IOCTL_EVTCHN_UNBIND, &a);
}

int lam_evtchn_notify(struct lam_evtchn *xce, uint32_t port)
{
	struct lam_evtchn_port_arg a = { .port = port };

	return evtchn_ioctl(xce, LAM_IOCTL_EVTCHN_NOTIFY, &a);
}

int lam_evtchn_pending(struct lam_evtchn *xce)
{
	uint32_t port;
	ssize_t n;

	do {
		n = read(xce->fd, &port, sizeof(port));
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		return -errno;
	}
	if (n != sizeof(port)) {
		return -EIO;
	}
	return (int)port;
}

int lam_evtchn_unmask(struct lam_evtchn *xce, uint32_t port)
{
	ssize_t n;

	do {
		n = write(xce->fd, &port, sizeof(port));
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		return -errno;
	}
	return n == sizeof(port) ? 0 : -EIO;
}
