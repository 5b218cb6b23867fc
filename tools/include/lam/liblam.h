/* SPDX-License-Identifier: Apache-2.0 */
/*
 * liblam: Lamina's toolstack library, the role libxl plays for Xen's xl. It owns a domain's
 * life cycle (build, start, shutdown requests, teardown, restart for on_reboot), its devices
 * and its xenstore layout; `lam` (tools/lam) and the per-domain monitor are its callers.
 * Sources in tools/lib/liblam/, split by concern: ctx.c (context, logging), names.c (names
 * and IDs), cfg.c (the xl.cfg parser, lam/cfg.h), domain.c (queries and control), build.c
 * (domain building), xs_layout.c (the xenstore layout), device.c (frontend/backend
 * devices), teardown.c (destroy), saved_cfg.c (the saved configuration), lifecycle.c
 * (shutdown policy, restart, waiting for domain events), xs_batch.c (transactions). Calls
 * between them go one way, lifecycle -> build -> teardown -> xs_layout -> device ->
 * xs_batch -> ctx, with domain.c and saved_cfg.c below build. Design notes:
 * docs/toolstack.md.
 *
 * Conventions: functions returning int give 0 or a negative errno (hypervisor errors are
 * Xen's values, equal to Linux's for every value used). Failures are also reported, once,
 * through the context's logger, prefixed with its `who` (the sub-command), so callers need
 * not print them again; the few exceptions say "not logged". A context is not thread-safe and does not survive fork(): a child
 * allocates its own.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <limits.h>

#include <lam/cfg.h>
#include <public/lamctl.h>

struct lam_ctx;
struct lam_xs;

/* Where liblam keeps the saved configuration of each running domain (default run_dir). */
#define LAM_RUN_DIR "/run/lamina"

/* ---- ctx.c: the context ---- */

enum lam_log_level {
	LAM_LOG_INFO,  /* progress the user asked for ("Domain 3 (web) shut down: ...") */
	LAM_LOG_WARN,  /* a note; the operation went on */
	LAM_LOG_ERROR, /* the operation failed */
};

/** Receives each message (one line, no newline); who is the context's current prefix. */
typedef void lam_log_fn(void *arg, enum lam_log_level level, const char *who, const char *msg);

/** The default logger: INFO to stdout as is, WARN/ERROR to stderr as "lam: WHO: MSG". */
void lam_log_stdio(void *arg, enum lam_log_level level, const char *who, const char *msg);

/**
 * Opens the hypervisor's control interface (/dev/xen/privcmd) and returns a context that
 * logs through log (NULL: lam_log_stdio) with prefix who. 0 or the negative errno of the
 * open; nothing is logged on failure (the caller knows best how to explain it).
 */
int lam_ctx_alloc(struct lam_ctx **out, const char *who, lam_log_fn *log, void *log_arg);
/** Closes the control interface and frees ctx (NULL is allowed). */
void lam_ctx_free(struct lam_ctx *ctx);
/** Changes the prefix of later messages; who must outlive its use. */
void lam_ctx_set_who(struct lam_ctx *ctx, const char *who);
/** Directory for saved configurations (default LAM_RUN_DIR); dir is copied. */
void lam_ctx_set_run_dir(struct lam_ctx *ctx, const char *dir);
/** Logs a message through ctx's logger. */
void lam_log(struct lam_ctx *ctx, enum lam_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* ---- names.c: pure helpers ---- */

/** Name shown for a domain: its hypervisor name, "Domain-0" for an unnamed Dom0. */
const char *lam_dom_name(const struct lam_dom_info *info);
/** "poweroff", "reboot", "suspend", "crash", "watchdog" or "unknown". */
const char *lam_shutdown_name(uint32_t reason);
/**
 * Parses an unsigned decimal number (no sign, no spaces, no suffix) not above max.
 * 0 or -EINVAL (not a number) / -ERANGE (too large).
 */
int lam_parse_u64(const char *s, uint64_t max, uint64_t *out);

/** Result of lam_find_domain(). */
enum lam_find {
	LAM_FIND_OK = 0,
	LAM_FIND_NO_NAME,  /* not a number, and no domain has that name */
	LAM_FIND_NO_ID,	   /* a number, but no domain has that ID */
	LAM_FIND_BAD_SPEC, /* empty, or a number out of the domid range */
};

/**
 * Resolves DOM (a numeric ID or a name, as xl: all digits means an ID) against the domain
 * list; *domid is set on LAM_FIND_OK.
 */
enum lam_find lam_find_domain(const struct lam_dom_info *list, size_t n, const char *spec,
			      uint16_t *domid);

/* ---- domain.c: queries and control (libxl_list_domain, libxl_domain_pause, ...) ---- */

/** The hypervisor's facts (CPUs, memory, versions, uptime). */
int lam_physinfo(struct lam_ctx *ctx, struct lam_physinfo *info);
/** All domains, ascending domid, in a malloc()ed array the caller frees (never NULL on 0). */
int lam_list_domain(struct lam_ctx *ctx, struct lam_dom_info **list, size_t *n);
/** One domain's state (-ESRCH: no such domain). Not logged: callers poll it. */
int lam_domain_info(struct lam_ctx *ctx, uint16_t domid, struct lam_dom_info *info);
/** Resolves a name or an ID (lam_find_domain()); -ESRCH or -EINVAL after logging why. */
int lam_domain_resolve(struct lam_ctx *ctx, const char *spec, uint16_t *domid);
/**
 * The domains named in specs (all domains when nr_specs is 0), in that order, as a
 * malloc()ed array of *n entries; -ESRCH/-EINVAL after logging the first unknown name.
 */
int lam_domain_select(struct lam_ctx *ctx, const char *const *specs, size_t nr_specs,
		      struct lam_dom_info **list, size_t *n);
/** Stops all of a domain's vCPUs until lam_domain_unpause() (libxl_domain_pause). */
int lam_domain_pause(struct lam_ctx *ctx, uint16_t domid);
/** Lets a paused (or newly built) domain run again (libxl_domain_unpause). */
int lam_domain_unpause(struct lam_ctx *ctx, uint16_t domid);
/**
 * Asks a guest to power off or reboot (reason SHUTDOWN_poweroff / SHUTDOWN_reboot) through
 * its control/shutdown node, noting when it has not announced support; with force, shuts
 * it down directly in the hypervisor instead (as if it had done so itself).
 */
int lam_domain_shutdown(struct lam_ctx *ctx, uint16_t domid, uint32_t reason, bool force);
/**
 * Sets a guest's balloon target (memory/target) to target_kb, not above its static-max,
 * raising the hypervisor's limit before and lowering it after (libxl_set_memory_target).
 */
int lam_set_memory_target(struct lam_ctx *ctx, uint16_t domid, uint64_t target_kb);
/** One vCPU's state, pCPU and run time (libxl_list_vcpu, one entry). */
int lam_vcpu_info(struct lam_ctx *ctx, uint16_t domid, uint32_t vcpu, struct lam_vcpu_info *info);
/** Pins a vCPU to one pCPU (libxl_set_vcpuaffinity with a single-CPU map). */
int lam_set_vcpuaffinity(struct lam_ctx *ctx, uint16_t domid, uint32_t vcpu, uint32_t pcpu);
/**
 * Reads the hypervisor's log from *index into buf (libxl_xen_console_read_line): *count
 * bytes, *index advanced, *lost (may be NULL) bytes overwritten before the request.
 */
int lam_xen_console_read(struct lam_ctx *ctx, char *buf, size_t size, uint64_t *index,
			 size_t *count, uint64_t *lost);

/* ---- build.c: domain building (libxl_domain_create_new) ---- */

/**
 * Builds a domain from cfg and leaves it paused, ready to run, with its configuration
 * saved (lam_domain_config_path()); *domid gets its ID. The steps and their order are in
 * docs/toolstack.md. On failure nothing is left behind (domain destroyed, xenstore nodes
 * and saved configuration removed) and the failed step has been logged.
 */
int lam_domain_create_new(struct lam_ctx *ctx, const struct lam_cfg *cfg, uint16_t *domid);

/* ---- xs_layout.c: the xenstore layout of a domain ---- */

/** What the layout of a new domain is made of (LAM_DOMCTL_create's results and the config). */
struct lam_xs_layout {
	uint16_t domid;
	const struct lam_cfg *cfg;
	const struct lam_dom_create *cr;
	/** "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" */
	const char *uuid;
};

/**
 * Writes the per-domain xenstore layout libxl writes (/local/domain/<id>, /vm/<uuid>, the
 * primary console's frontend and backend, Xen's permissions; Xen's
 * docs/misc/xenstore-paths.pandoc) in one transaction, retried on conflicts.
 */
int lam_xs_layout_write(struct lam_ctx *ctx, struct lam_xs *xs, const struct lam_xs_layout *l);
/**
 * Removes everything xenstore holds about domid: /vm/<uuid>, every backend directory of
 * Dom0 for it, /local/domain/<id>, then XS_RELEASE. Errors are logged, not fatal.
 */
void lam_xs_layout_remove(struct lam_ctx *ctx, struct lam_xs *xs, uint16_t domid);

/* ---- device.c: frontend/backend device pairs (libxl_device_*_add / _destroy) ---- */

enum lam_device_kind {
	LAM_DEVICE_CONSOLE, /* "console": devid 0 is the primary console (Xen's special case) */
	LAM_DEVICE_VBD,	    /* "vbd": PV block device */
	LAM_DEVICE_VIF,	    /* "vif": PV network interface */
};

/** One key of a device directory. */
struct lam_device_key {
	const char *key;
	const char *value;
};

/** A device as the toolstack announces it; the kind's own keys come from the caller. */
struct lam_device {
	enum lam_device_kind kind;
	uint32_t devid;
	uint16_t domid;		/* the frontend's domain */
	uint16_t backend_domid; /* the backend's domain (0 = Dom0) */
	const struct lam_device_key *front;
	size_t nr_front;
	const struct lam_device_key *back;
	size_t nr_back;
};

/** The kind's xenstore name ("console", "vbd", "vif"). */
const char *lam_device_kind_name(enum lam_device_kind kind);
/** /local/domain/D/device/KIND/DEVID (the primary console: /local/domain/D/console). */
void lam_device_frontend_path(const struct lam_device *dev, char *buf, size_t len);
/** /local/domain/B/backend/KIND/D/DEVID. */
void lam_device_backend_path(const struct lam_device *dev, char *buf, size_t len);
/**
 * Writes dev's frontend and backend directories inside transaction tx: Xen's generic keys
 * (backend, backend-id, state = 1 except for the primary console; frontend, frontend-id,
 * online = 1, state = 1), the caller's keys, and Xen's permissions (frontend owned by the
 * guest and readable by the backend, backend the other way round; the primary console's
 * frontend belongs to the backend and is read-only for the guest).
 */
int lam_device_write(struct lam_ctx *ctx, struct lam_xs *xs, uint32_t tx,
		     const struct lam_device *dev);
/** lam_device_write() in its own transaction on a fresh connection (a device hot-added). */
int lam_device_add(struct lam_ctx *ctx, const struct lam_device *dev);
/**
 * Removes dev's frontend and backend directories (forcibly, as libxl's *_destroy: no
 * XenbusStateClosing handshake). Missing directories are not an error.
 */
int lam_device_remove(struct lam_ctx *ctx, const struct lam_device *dev);

/* ---- disk.c: PV disks served by Dom0's blkback (libxl_device_disk_*, the block script) ---- */

/**
 * Sets disk d of domid up: checks the target, binds an image file to a loop device,
 * writes the vbd's frontend and backend directories and waits (bounded) until blkback has
 * opened the device, or with running until the backend is Connected. On failure
 * (-ENOENT, -EACCES, -EBUSY: in use elsewhere, -EEXIST: vdev taken, ...) the cause is
 * logged in one line and nothing is left: no node, no loop device.
 */
int lam_disk_add(struct lam_ctx *ctx, struct lam_xs *xs, uint16_t domid,
		 const struct lam_disk_spec *d, bool running);
/**
 * Tears vbd devid of domid down: with graceful (a running guest), backend online = 0 and
 * state Closing, waiting (bounded) for Closed; then, or straight away, its nodes go, and
 * blkback's release of the device and of its loop device are waited for (bounded).
 */
int lam_disk_remove(struct lam_ctx *ctx, struct lam_xs *xs, uint16_t domid, uint32_t devid,
		    bool graceful);
/** `lam block-attach`: parses spec and adds it to a built domain (kept for restarts). */
int lam_disk_attach(struct lam_ctx *ctx, uint16_t domid, const char *spec);
/** `lam block-detach`: removes the disk named by a vdev or device number (xl's semantics). */
int lam_disk_detach(struct lam_ctx *ctx, uint16_t domid, const char *which);

/** One disk of a domain, as xenstore describes it (`lam block-list`, `lam list -l`). */
struct lam_disk_info {
	uint32_t devid;
	uint16_t domid;
	uint16_t backend_domid;
	int state;	   /* the frontend's XenbusState, -1 if it has none */
	int backend_state; /* the backend's */
	int evtch;	   /* the frontend's event-channel, -1 if none */
	int rref;	   /* the frontend's ring-ref, -1 if none */
	char vdev[LAM_DISK_VDEV_MAX + 1];
	char mode[4];  /* "w" or "r" */
	char type[8];  /* "disk" or "cdrom" */
	char phys[32]; /* physical-device-path: the loop device or the block device */
	char backend[96];
	char target[PATH_MAX];
};

/** domid's disks, ascending devid, in a malloc()ed array (NULL when none). */
int lam_disk_list(struct lam_ctx *ctx, uint16_t domid, struct lam_disk_info **out, size_t *n);
/* ---- nic.c: PV NICs (libxl_device_nic_add / _remove, Xen's vif-bridge script) ---- */

/** What `lam network-check` reports about a bridge. */
struct lam_bridge_status {
	bool exists;	/* an interface of that name */
	bool is_bridge; /* ... and it is a bridge */
	bool up;
	int mtu;
	char uplink[16];      /* its first port that is not a vif ("" if none) */
	unsigned int nr_vifs; /* ports that are guests' vifs */
	char addr[64];	      /* its first IPv4 address as "a.b.c.d/len" ("" if none) */
};

/** Reads a bridge's state from Linux (sysfs, ioctls, getifaddrs); never fails. */
void lam_bridge_status(const char *bridge, struct lam_bridge_status *st);

#define LAM_NIC_WAIT_CONNECTED 1u /* wait for Connected (a running guest), not InitWait */

/**
 * Adds NIC nic to domid: its xenstore nodes, then vif-bridge's work (vifD.N into the
 * bridge, up, the bridge's MTU, hotplug-status = connected), then waits (bounded) for the
 * backend to reach InitWait, or Connected with LAM_NIC_WAIT_CONNECTED. Refuses a missing
 * bridge, a MAC another NIC has, a devid in use. On failure everything is undone.
 */
int lam_nic_add(struct lam_ctx *ctx, uint16_t domid, const struct lam_nic_cfg *nic,
		unsigned int flags);
/** Adds all of cfg's NICs (lam_nic_add()); on failure removes them all again. */
int lam_nics_add(struct lam_ctx *ctx, uint16_t domid, const struct lam_cfg *cfg);
/**
 * Detaches NIC devid of a running domid: backend online = 0 and Closing, a bounded wait for
 * Closed, then (forced if need be) the vif out of the bridge and the nodes removed.
 * -ENOENT (logged) if there is no such NIC.
 */
int lam_nic_remove(struct lam_ctx *ctx, uint16_t domid, uint32_t devid);
/** Every NIC of a paused or dead domid, as lam_nic_remove() with a shorter bound. */
void lam_nics_teardown(struct lam_ctx *ctx, uint16_t domid);

/** One NIC as `lam network-list` shows it (xl's columns); -1 for what is not there yet. */
struct lam_nic_info {
	uint32_t devid;
	uint16_t backend_domid;
	char mac[18];
	char bridge[16];
	char vif[16];
	int be_state, fe_state;
	int evtch, tx_ring_ref, rx_ring_ref;
	char be_path[96];
};

/** domid's NICs by devid, in a malloc()ed array the caller frees. */
int lam_nic_list(struct lam_ctx *ctx, uint16_t domid, struct lam_nic_info **list, size_t *n);
/** The lowest devid no NIC of domid uses (for a hot-plugged NIC). */
int lam_nic_free_devid(struct lam_ctx *ctx, uint16_t domid, uint32_t *devid);

/* ---- teardown.c (libxl_domain_destroy) ---- */

/**
 * Tears a domain down, in this order: pause it (the guest does not watch its nodes go),
 * remove its xenstore nodes and release it (lam_xs_layout_remove()), LAM_DOMCTL_destroy
 * (retried while the hypervisor answers busy), then its saved configuration. Refuses
 * Domain-0. Only the destroy itself failing is an error (-ESRCH, already gone: not logged).
 */
int lam_domain_destroy(struct lam_ctx *ctx, uint16_t domid);

/* ---- saved_cfg.c: the configuration each running domain was built from ---- */

/** Path of domid's saved configuration in the context's run directory. */
void lam_domain_config_path(struct lam_ctx *ctx, uint16_t domid, char *buf, size_t len);
/** Saves cfg as domid's configuration (written to a temporary file, then renamed). */
int lam_domain_config_save(struct lam_ctx *ctx, const struct lam_cfg *cfg, uint16_t domid);
/** Reads domid's saved configuration back (libxl_retrieve_domain_configuration); not logged. */
int lam_domain_config_load(struct lam_ctx *ctx, uint16_t domid, struct lam_cfg *cfg);

/* ---- lifecycle.c: shutdown policy, restart, domain events ---- */

/** The action cfg asks for when a domain shuts down for reason (SHUTDOWN_*). */
enum lam_cfg_action lam_shutdown_action(const struct lam_cfg *cfg, uint32_t reason);

/** Flags of lam_domain_handle_shutdown(). */
#define LAM_RESTART_PAUSED 1u /* leave a restarted domain paused (the caller unpauses) */

/**
 * Applies cfg's on_poweroff/on_reboot/on_crash to domid, which has shut down for reason:
 * destroy (lam_domain_destroy()), restart (destroy, lam_domain_create_new() from cfg,
 * unpause unless LAM_RESTART_PAUSED; *new_domid gets the new ID) or preserve. Logs what it
 * does. Returns the action taken (enum lam_cfg_action) or a negative errno.
 */
int lam_domain_handle_shutdown(struct lam_ctx *ctx, const struct lam_cfg *cfg, uint16_t domid,
			       uint32_t reason, unsigned int flags, uint16_t *new_domid);

/**
 * A watch on domain state changes (xenstored's @releaseDomain, fired when the hypervisor
 * raises VIRQ_DOM_EXC): the event source of the monitor and of `shutdown -w`.
 */
struct lam_domain_watch;

/** Starts watching; without xenstored the watch still works, by polling. */
int lam_domain_watch_open(struct lam_ctx *ctx, const char *token, struct lam_domain_watch **out);
/** True while the watch has a xenstored connection (else waits are plain sleeps). */
bool lam_domain_watch_connected(const struct lam_domain_watch *w);
/**
 * Returns after an event or timeout_ms. Reconnects first if xenstored was unreachable and
 * drops a connection that failed, so a restarted xenstored is picked up again.
 */
void lam_domain_watch_wait(struct lam_domain_watch *w, int timeout_ms);
/** Unregisters the watch and frees it (NULL is allowed). */
void lam_domain_watch_close(struct lam_domain_watch *w);
