/* SPDX-License-Identifier: Apache-2.0 */
/*
 * liblam: PV NICs (vif), the toolstack's half of Xen's netif protocol. What libxl does in
 * tools/libs/light/libxl_nic.c (the xenstore keys) and what Xen's hotplug script
 * tools/hotplug/Linux/vif-bridge does for it (the vif into the bridge), done here in C with
 * every failure named:
 *
 *  add:     the frontend (handle, mac) and backend (frontend, frontend-id, online, state,
 *           script, mac, bridge, handle, type, [ip]) directories through device.c; then
 *           Dom0's netback probes the backend and creates the interface vifDOMID.DEVID
 *           (Linux's drivers/net/xen-netback/xenbus.c backend_create_xenvif()); we wait for
 *           it, put it in the bridge with the bridge's MTU, bring it up and write
 *           hotplug-status = connected, which netback waits for before it reports
 *           Connected (hotplug_status_changed()); last we wait for the backend state.
 *  remove:  online = 0 and state = Closing in the backend, as libxl does: the frontend
 *           closes, netback follows to Closed (6) and unregisters. A bounded wait, then the
 *           nodes are removed anyway (which makes netback drop the device), the vif leaves
 *           the bridge and we wait for it to be gone.
 *
 * A failed add undoes itself, so `lam create` and `lam network-attach` leave nothing
 * behind: no node, no vif in the bridge.
 */
#include <dirent.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <linux/sockios.h>

#include <lam/xs.h>

#include "internal.h"

#define VIF_SCRIPT "/etc/xen/scripts/vif-bridge" /* what libxl writes; lam runs no script */
#define WAIT_VIF_MS 10000			 /* netback creating vifD.N */
#define WAIT_INITWAIT_MS 10000			 /* netback reaching InitWait */
#define WAIT_CONNECTED_MS 30000			 /* a running guest's netfront connecting */
#define WAIT_CLOSED_MS 10000			 /* a running guest closing its NIC */
#define WAIT_CLOSED_DEAD_MS 3000		 /* a dying (paused) guest's NIC */
#define WAIT_GONE_MS 5000			 /* netback unregistering vifD.N */
#define POLL_MS 20

/* XenbusState (Xen's include/public/io/xenbus.h). */
enum { XB_INITWAIT = 2, XB_CONNECTED = 4, XB_CLOSING = 5, XB_CLOSED = 6 };

static uint64_t now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000u + (uint64_t)t.tv_nsec / 1000000u;
}

static bool sysfs_exists(const char *fmt, const char *a, const char *b)
{
	char path[128];
	struct stat st;

	snprintf(path, sizeof(path), fmt, a, b);
	return stat(path, &st) == 0;
}

static void vif_name(uint16_t domid, uint32_t devid, char out[IFNAMSIZ])
{
	snprintf(out, IFNAMSIZ, "vif%u.%u", domid, devid);
}

static bool netdev_exists(const char *name)
{
	return sysfs_exists("/sys/class/net/%s%s", name, "");
}

/* ---- the bridge (ioctls of Linux's net/bridge/br_ioctl.c, as brctl uses) ---- */

static int ifreq_ioctl(unsigned long req, struct ifreq *ifr)
{
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int err = 0;

	if (s < 0) {
		return -errno;
	}
	if (ioctl(s, req, ifr) < 0) {
		err = -errno;
	}
	close(s);
	return err;
}

static int ifname_set(struct ifreq *ifr, const char *name)
{
	memset(ifr, 0, sizeof(*ifr));
	if (strlen(name) >= sizeof(ifr->ifr_name)) {
		return -ENAMETOOLONG;
	}
	memcpy(ifr->ifr_name, name, strlen(name) + 1);
	return 0;
}

static int bridge_port(const char *bridge, const char *port, bool add)
{
	struct ifreq ifr;
	unsigned int idx = if_nametoindex(port);

	if (idx == 0) {
		return -errno;
	}
	if (ifname_set(&ifr, bridge) != 0) {
		return -ENAMETOOLONG;
	}
	ifr.ifr_ifindex = (int)idx;
	return ifreq_ioctl(add ? SIOCBRADDIF : SIOCBRDELIF, &ifr);
}

static int netdev_mtu(const char *name, int *mtu)
{
	struct ifreq ifr;
	int err;

	if (ifname_set(&ifr, name) != 0) {
		return -ENAMETOOLONG;
	}
	err = ifreq_ioctl(SIOCGIFMTU, &ifr);
	*mtu = ifr.ifr_mtu;
	return err;
}

static int netdev_set_mtu(const char *name, int mtu)
{
	struct ifreq ifr;

	if (ifname_set(&ifr, name) != 0) {
		return -ENAMETOOLONG;
	}
	ifr.ifr_mtu = mtu;
	return ifreq_ioctl(SIOCSIFMTU, &ifr);
}

static int netdev_flags(const char *name, short *flags)
{
	struct ifreq ifr;
	int err;

	if (ifname_set(&ifr, name) != 0) {
		return -ENAMETOOLONG;
	}
	err = ifreq_ioctl(SIOCGIFFLAGS, &ifr);
	*flags = ifr.ifr_flags;
	return err;
}

static int netdev_up(const char *name)
{
	struct ifreq ifr;
	int err;

	if (ifname_set(&ifr, name) != 0) {
		return -ENAMETOOLONG;
	}
	err = ifreq_ioctl(SIOCGIFFLAGS, &ifr);
	if (err == 0) {
		ifr.ifr_flags = (short)(ifr.ifr_flags | IFF_UP);
		err = ifreq_ioctl(SIOCSIFFLAGS, &ifr);
	}
	return err;
}

void lam_bridge_status(const char *bridge, struct lam_bridge_status *st)
{
	char path[128];
	struct ifaddrs *ifa, *i;
	DIR *d;
	struct dirent *e;
	short flags = 0;

	memset(st, 0, sizeof(*st));
	st->exists = netdev_exists(bridge);
	if (!st->exists) {
		return;
	}
	st->is_bridge = sysfs_exists("/sys/class/net/%s/bridge%s", bridge, "");
	st->up = netdev_flags(bridge, &flags) == 0 && (flags & IFF_UP) != 0;
	(void)netdev_mtu(bridge, &st->mtu);
	snprintf(path, sizeof(path), "/sys/class/net/%s/brif", bridge);
	d = opendir(path);
	while (d != NULL && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.') {
			continue;
		}
		if (strncmp(e->d_name, "vif", 3) == 0) {
			st->nr_vifs++;
		} else if (st->uplink[0] == '\0') {
			snprintf(st->uplink, sizeof(st->uplink), "%.15s", e->d_name);
		}
	}
	if (d != NULL) {
		closedir(d);
	}
	if (getifaddrs(&ifa) == 0) {
		for (i = ifa; i != NULL; i = i->ifa_next) {
			if (i->ifa_addr == NULL || i->ifa_addr->sa_family != AF_INET ||
			    strcmp(i->ifa_name, bridge) != 0) {
				continue;
			}
			const struct sockaddr_in *a = (const struct sockaddr_in *)i->ifa_addr;
			const struct sockaddr_in *m = (const struct sockaddr_in *)i->ifa_netmask;
			char ip[INET_ADDRSTRLEN] = "";
			int bits = m != NULL ? __builtin_popcount(m->sin_addr.s_addr) : 32;

			inet_ntop(AF_INET, &a->sin_addr, ip, sizeof(ip));
			snprintf(st->addr, sizeof(st->addr), "%s/%d", ip, bits);
			break;
		}
		freeifaddrs(ifa);
	}
}

/* ---- xenstore helpers ---- */

static void nic_device(struct lam_device *dev, uint16_t domid, uint32_t devid)
{
	memset(dev, 0, sizeof(*dev));
	dev->kind = LAM_DEVICE_VIF;
	dev->devid = devid;
	dev->domid = domid;
	dev->backend_domid = 0;
}

/** An unsigned number at path, or -1 if absent or not a number. */
static long xs_read_num(struct lam_xs *xs, const char *path)
{
	char *v = lam_xs_read(xs, LAM_XS_NO_TX, path, NULL);
	char *end;
	long n;

	if (v == NULL) {
		return -1;
	}
	n = strtol(v, &end, 10);
	if (end == v || *end != '\0' || n < 0) {
		n = -1;
	}
	free(v);
	return n;
}

static long backend_state(struct lam_xs *xs, uint16_t domid, uint32_t devid)
{
	char path[128];

	snprintf(path, sizeof(path), "/local/domain/0/backend/vif/%u/%u/state", domid, devid);
	return xs_read_num(xs, path);
}

/** Whether a NIC of any domain has mac (then *who and *devid say which). */
static int mac_in_use(struct lam_xs *xs, const uint8_t mac[6], uint16_t *who, uint32_t *devid)
{
	char path[128], msg[128];
	char **doms, **devs;
	unsigned int nd = 0, nv = 0;
	int found = 0;

	doms = lam_xs_directory(xs, LAM_XS_NO_TX, "/local/domain/0/backend/vif", &nd);
	for (unsigned int i = 0; doms != NULL && i < nd && !found; i++) {
		snprintf(path, sizeof(path), "/local/domain/0/backend/vif/%s", doms[i]);
		devs = lam_xs_directory(xs, LAM_XS_NO_TX, path, &nv);
		for (unsigned int j = 0; devs != NULL && j < nv && !found; j++) {
			uint8_t m[6];
			char *v;

			snprintf(path, sizeof(path), "/local/domain/0/backend/vif/%s/%s/mac",
				 doms[i], devs[j]);
			v = lam_xs_read(xs, LAM_XS_NO_TX, path, NULL);
			if (v != NULL && lam_nic_mac_parse(v, m, msg, sizeof(msg)) == 0 &&
			    memcmp(m, mac, 6) == 0) {
				*who = (uint16_t)strtoul(doms[i], NULL, 10);
				*devid = (uint32_t)strtoul(devs[j], NULL, 10);
				found = 1;
			}
			free(v);
		}
		free(devs);
	}
	free(doms);
	return found;
}

/** Waits until the backend state is in [lo, hi] or it is gone; the last state read, -1: gone. */
static long wait_state(struct lam_xs *xs, uint16_t domid, uint32_t devid, long lo, long hi,
		       unsigned int ms)
{
	uint64_t end = now_ms() + ms;
	long st;

	for (;;) {
		st = backend_state(xs, domid, devid);
		if (st < 0 || (st >= lo && st <= hi) || now_ms() >= end) {
			return st;
		}
		usleep(POLL_MS * 1000);
	}
}

static bool wait_netdev(const char *name, bool present, unsigned int ms)
{
	uint64_t end = now_ms() + ms;

	for (;;) {
		if (netdev_exists(name) == present) {
			return true;
		}
		if (now_ms() >= end) {
			return false;
		}
		usleep(POLL_MS * 1000);
	}
}

static const char *state_name(long st)
{
	static const char *const names[] = { "Unknown",	    "Initialising",  "InitWait",
					     "Initialised", "Connected",     "Closing",
					     "Closed",	    "Reconfiguring", "Reconfigured" };

	if (st < 0) {
		return "gone";
	}
	return st < (long)(sizeof(names) / sizeof(names[0])) ? names[st] : "invalid";
}

/**
 * Removes NIC devid of domid: the Closing handshake (bounded by wait_ms; 0 skips it), then
 * its nodes, its vif out of the bridge, and waits for netback to drop the vif.
 */
static void nic_remove(struct lam_ctx *ctx, struct lam_xs *xs, uint16_t domid, uint32_t devid,
		       unsigned int wait_ms, bool frontend_dead)
{
	char path[128], vif[IFNAMSIZ], bridge_path[128];
	struct lam_device dev;
	char *bridge;
	long st;

	nic_device(&dev, domid, devid);
	vif_name(domid, devid, vif);
	snprintf(bridge_path, sizeof(bridge_path), "/local/domain/0/backend/vif/%u/%u/bridge",
		 domid, devid);
	bridge = lam_xs_read(xs, LAM_XS_NO_TX, bridge_path, NULL);
	if (wait_ms > 0 && backend_state(xs, domid, devid) >= 0) {
		snprintf(path, sizeof(path), "/local/domain/0/backend/vif/%u/%u/online", domid,
			 devid);
		(void)lam_xs_write_str(xs, LAM_XS_NO_TX, path, "0");
		snprintf(path, sizeof(path), "/local/domain/0/backend/vif/%u/%u/state", domid,
			 devid);
		(void)lam_xs_write_str(xs, LAM_XS_NO_TX, path, "5");
		if (frontend_dead) {
			/* The guest cannot answer: its frontend going away closes netback. */
			lam_device_frontend_path(&dev, path, sizeof(path));
			(void)lam_xs_rm(xs, LAM_XS_NO_TX, path);
		}
		st = wait_state(xs, domid, devid, XB_CLOSED, XB_CLOSED, wait_ms);
		if (st >= 0 && st != XB_CLOSED) {
			LAM_INFO(
				ctx,
				"NIC %u of domain %u: backend still %s after %u ms: removed anyway",
				devid, domid, state_name(st), wait_ms);
		}
	}
	/* vif-bridge offline: out of the bridge (netback's unregister would do it too). */
	if (bridge != NULL && netdev_exists(vif)) {
		(void)bridge_port(bridge, vif, false);
	}
	free(bridge);
	lam_device_frontend_path(&dev, path, sizeof(path));
	(void)lam_xs_rm(xs, LAM_XS_NO_TX, path);
	lam_device_backend_path(&dev, path, sizeof(path));
	(void)lam_xs_rm(xs, LAM_XS_NO_TX, path);
	if (!wait_netdev(vif, false, WAIT_GONE_MS)) {
		LAM_ERR(ctx, "NIC %u of domain %u: netback still has %s %u ms after its nodes went",
			devid, domid, vif, WAIT_GONE_MS);
	}
}

/** The vif-bridge work and the waits of an add; 0 or -errno after logging. */
static int nic_plug(struct lam_ctx *ctx, struct lam_xs *xs, uint16_t domid,
		    const struct lam_nic_cfg *nic, unsigned int flags)
{
	char vif[IFNAMSIZ], path[128];
	long st;
	int mtu = 0, err;

	vif_name(domid, nic->devid, vif);
	if (!wait_netdev(vif, true, WAIT_VIF_MS)) {
		st = backend_state(xs, domid, nic->devid);
		LAM_ERR(ctx,
			"NIC %u: netback did not create %s within %u ms (backend %s; is "
			"xen-netback "
			"loaded in Dom0?)",
			nic->devid, vif, WAIT_VIF_MS, state_name(st));
		return -ETIMEDOUT;
	}
	err = bridge_port(nic->bridge, vif, true);
	if (err != 0) {
		LAM_ERR(ctx, "NIC %u: cannot add %s to bridge %s: %s", nic->devid, vif, nic->bridge,
			strerror(-err));
		return err;
	}
	if (netdev_mtu(nic->bridge, &mtu) == 0 && mtu > 0) {
		err = netdev_set_mtu(vif, mtu);
		if (err != 0) {
			LAM_ERR(ctx, "NIC %u: cannot set %s's MTU to %d (the bridge's): %s",
				nic->devid, vif, mtu, strerror(-err));
			return err;
		}
	}
	err = netdev_up(vif);
	if (err != 0) {
		LAM_ERR(ctx, "NIC %u: cannot bring %s up: %s", nic->devid, vif, strerror(-err));
		return err;
	}
	snprintf(path, sizeof(path), "/local/domain/0/backend/vif/%u/%u/hotplug-status", domid,
		 nic->devid);
	err = lam_xs_write_str(xs, LAM_XS_NO_TX, path, "connected");
	if (err != 0) {
		LAM_ERR(ctx, "xenstore: cannot write %s: %s", path, strerror(-err));
		return err;
	}
	if (flags & LAM_NIC_WAIT_CONNECTED) {
		st = wait_state(xs, domid, nic->devid, XB_CONNECTED, XB_CONNECTED,
				WAIT_CONNECTED_MS);
		if (st != XB_CONNECTED) {
			LAM_ERR(ctx,
				"NIC %u: the guest's netfront did not connect within %u ms "
				"(backend "
				"%s; is xen-netfront loaded in the guest?)",
				nic->devid, WAIT_CONNECTED_MS, state_name(st));
			return -ETIMEDOUT;
		}
	} else {
		st = wait_state(xs, domid, nic->devid, XB_INITWAIT, XB_CONNECTED, WAIT_INITWAIT_MS);
		if (st < XB_INITWAIT || st > XB_CONNECTED) {
			LAM_ERR(ctx,
				"NIC %u: netback did not reach InitWait within %u ms (backend %s)",
				nic->devid, WAIT_INITWAIT_MS, state_name(st));
			return -ETIMEDOUT;
		}
	}
	return 0;
}

int lam_nic_add(struct lam_ctx *ctx, uint16_t domid, const struct lam_nic_cfg *nic,
		unsigned int flags)
{
	struct lam_bridge_status bs;
	struct lam_device dev;
	struct lam_xs *xs;
	char mac[18], handle[16], path[128];
	uint16_t other = 0;
	uint32_t other_devid = 0;
	int err;

	lam_bridge_status(nic->bridge, &bs);
	if (!bs.exists || !bs.is_bridge) {
		LAM_ERR(ctx, "NIC %u: %s %s (lam network-check tells how to set it up)", nic->devid,
			nic->bridge, bs.exists ? "is not a bridge" : "bridge does not exist");
		return -ENODEV;
	}
	xs = lam__xs_connect(ctx);
	if (xs == NULL) {
		return -ENOTCONN;
	}
	lam_nic_mac_format(nic->mac, mac);
	if (mac_in_use(xs, nic->mac, &other, &other_devid)) {
		LAM_ERR(ctx, "NIC %u: MAC %s is already used by NIC %u of domain %u", nic->devid,
			mac, other_devid, other);
		err = -EEXIST;
		goto out;
	}
	snprintf(path, sizeof(path), "/local/domain/0/backend/vif/%u/%u", domid, nic->devid);
	{
		char *v = lam_xs_read(xs, LAM_XS_NO_TX, path, NULL);

		if (v != NULL) {
			free(v);
			LAM_ERR(ctx, "NIC %u of domain %u already exists", nic->devid, domid);
			err = -EEXIST;
			goto out;
		}
	}
	snprintf(handle, sizeof(handle), "%u", nic->devid);
	{
		const struct lam_device_key front[] = { { "handle", handle }, { "mac", mac } };
		struct lam_device_key back[] = {
			{ "script", VIF_SCRIPT }, { "mac", mac },    { "bridge", nic->bridge },
			{ "handle", handle },	  { "type", "vif" }, { "ip", nic->ip },
		};

		nic_device(&dev, domid, nic->devid);
		dev.front = front;
		dev.nr_front = sizeof(front) / sizeof(front[0]);
		dev.back = back;
		dev.nr_back = sizeof(back) / sizeof(back[0]) - (nic->ip[0] == '\0' ? 1 : 0);
		err = lam_device_add(ctx, &dev);
	}
	if (err == 0) {
		err = nic_plug(ctx, xs, domid, nic, flags);
		if (err != 0) {
			nic_remove(ctx, xs, domid, nic->devid, WAIT_CLOSED_DEAD_MS, true);
		}
	}
out:
	lam_xs_close(xs);
	return err;
}

int lam_nics_add(struct lam_ctx *ctx, uint16_t domid, const struct lam_cfg *cfg)
{
	for (unsigned int i = 0; i < cfg->nr_nics; i++) {
		int err = lam_nic_add(ctx, domid, &cfg->nics[i], 0);

		if (err != 0) {
			lam_nics_teardown(ctx, domid);
			return err;
		}
	}
	return 0;
}

int lam_nic_remove(struct lam_ctx *ctx, uint16_t domid, uint32_t devid)
{
	struct lam_xs *xs = lam__xs_connect(ctx);

	if (xs == NULL) {
		return -ENOTCONN;
	}
	if (backend_state(xs, domid, devid) < 0) {
		lam_xs_close(xs);
		LAM_ERR(ctx, "domain %u has no NIC %u", domid, devid);
		return -ENOENT;
	}
	nic_remove(ctx, xs, domid, devid, WAIT_CLOSED_MS, false);
	lam_xs_close(xs);
	return 0;
}

void lam_nics_teardown(struct lam_ctx *ctx, uint16_t domid)
{
	char path[96];
	char **devs;
	unsigned int n = 0;
	struct lam_xs *xs = lam__xs_connect(ctx);

	if (xs == NULL) {
		return;
	}
	snprintf(path, sizeof(path), "/local/domain/0/backend/vif/%u", domid);
	devs = lam_xs_directory(xs, LAM_XS_NO_TX, path, &n);
	for (unsigned int i = 0; devs != NULL && i < n; i++) {
		char *end;
		unsigned long devid = strtoul(devs[i], &end, 10);

		if (*end == '\0' && end != devs[i]) {
			nic_remove(ctx, xs, domid, (uint32_t)devid, WAIT_CLOSED_DEAD_MS, true);
		}
	}
	free(devs);
	(void)lam_xs_rm(xs, LAM_XS_NO_TX, path);
	lam_xs_close(xs);
}

static int cmp_nic(const void *a, const void *b)
{
	const struct lam_nic_info *x = a, *y = b;

	return x->devid < y->devid ? -1 : x->devid > y->devid;
}

int lam_nic_list(struct lam_ctx *ctx, uint16_t domid, struct lam_nic_info **out, size_t *nr)
{
	char path[160];
	char **devs;
	unsigned int n = 0;
	struct lam_nic_info *list;
	struct lam_xs *xs = lam__xs_connect(ctx);

	*out = NULL;
	*nr = 0;
	if (xs == NULL) {
		return -ENOTCONN;
	}
	snprintf(path, sizeof(path), "/local/domain/0/backend/vif/%u", domid);
	devs = lam_xs_directory(xs, LAM_XS_NO_TX, path, &n);
	list = calloc(n + 1, sizeof(*list));
	if (list == NULL) {
		free(devs);
		lam_xs_close(xs);
		LAM_ERR(ctx, "out of memory");
		return -ENOMEM;
	}
	for (unsigned int i = 0; devs != NULL && i < n; i++) {
		struct lam_nic_info *e = &list[*nr];
		char *end, *v;
		unsigned long devid = strtoul(devs[i], &end, 10);
		struct lam_device dev;
		char front[96];

		if (*end != '\0' || end == devs[i]) {
			continue;
		}
		e->devid = (uint32_t)devid;
		e->backend_domid = 0;
		nic_device(&dev, domid, e->devid);
		lam_device_backend_path(&dev, e->be_path, sizeof(e->be_path));
		lam_device_frontend_path(&dev, front, sizeof(front));
		snprintf(path, sizeof(path), "%s/mac", e->be_path);
		v = lam_xs_read(xs, LAM_XS_NO_TX, path, NULL);
		snprintf(e->mac, sizeof(e->mac), "%s", v != NULL ? v : "?");
		free(v);
		snprintf(path, sizeof(path), "%s/bridge", e->be_path);
		v = lam_xs_read(xs, LAM_XS_NO_TX, path, NULL);
		snprintf(e->bridge, sizeof(e->bridge), "%s", v != NULL ? v : "?");
		free(v);
		snprintf(path, sizeof(path), "%s/state", e->be_path);
		e->be_state = (int)xs_read_num(xs, path);
		snprintf(path, sizeof(path), "%s/state", front);
		e->fe_state = (int)xs_read_num(xs, path);
		snprintf(path, sizeof(path), "%s/event-channel", front);
		e->evtch = (int)xs_read_num(xs, path);
		if (e->evtch < 0) {
			snprintf(path, sizeof(path), "%s/event-channel-tx", front);
			e->evtch = (int)xs_read_num(xs, path);
		}
		snprintf(path, sizeof(path), "%s/tx-ring-ref", front);
		e->tx_ring_ref = (int)xs_read_num(xs, path);
		snprintf(path, sizeof(path), "%s/rx-ring-ref", front);
		e->rx_ring_ref = (int)xs_read_num(xs, path);
		vif_name(domid, e->devid, e->vif);
		(*nr)++;
	}
	free(devs);
	lam_xs_close(xs);
	qsort(list, *nr, sizeof(*list), cmp_nic);
	*out = list;
	return 0;
}

int lam_nic_free_devid(struct lam_ctx *ctx, uint16_t domid, uint32_t *devid)
{
	struct lam_nic_info *list;
	size_t n;
	int err = lam_nic_list(ctx, domid, &list, &n);

	if (err != 0) {
		return err;
	}
	*devid = 0;
	for (size_t i = 0; i < n; i++) {
		if (list[i].devid == *devid) {
			(*devid)++;
		}
	}
	free(list);
	return 0;
}
