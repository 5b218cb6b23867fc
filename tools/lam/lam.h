/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Internals of the `lam` CLI shared between its files.
 *
 * util.c holds the pure helpers (no device access: unit-tested on the host by
 * tests/unit/test_lam_cli.c); main.c dispatches sub-commands; cmds.c implements the
 * query and control commands; create.c is the domain builder; monitor.c the per-domain
 * supervisor that applies on_poweroff/on_reboot/on_crash.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <public/lamctl.h>

struct lam_ctl;
struct lam_cfg;
struct lam_xs;

/* Where `lam create` keeps the configuration of each running domain (for the monitor). */
#define LAM_RUN_DIR "/run/lamina"

/* ---- util.c: pure helpers ---- */

/** Name shown for a domain: its hypervisor name, "Domain-0" for an unnamed Dom0. */
const char *lam_dom_name(const struct lam_dom_info *info);

/** xl's six-letter state (r b p s c d, '-' for unset); out has room for 7 bytes. */
void lam_state_string(const struct lam_dom_info *info, char out[7]);

/** Letter xl uses for a shutdown reason: '-' poweroff, 'r', 's', 'c', 'w', else '?'. */
char lam_shutdown_letter(uint32_t reason);

/** "poweroff", "reboot", "suspend", "crash", "watchdog" or "unknown". */
const char *lam_shutdown_name(uint32_t reason);

/**
 * Parses an unsigned decimal number (no sign, no spaces, no suffix) not above max.
 * 0 or -EINVAL (not a number) / -ERANGE (too large).
 */
int lam_parse_u64(const char *s, uint64_t max, uint64_t *out);

/**
 * xl's memory sizes: a decimal number with an optional suffix b, k, m, g, t (any case); no
 * suffix means MiB. *kb gets KiB. 0 or -EINVAL / -ERANGE.
 */
int lam_parse_mem_kb(const char *s, uint64_t *kb);

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

/** Writes s as a JSON string literal (with quotes). */
void lam_json_string(FILE *f, const char *s);

/** `lam list` table (xl's columns; long adds maximum memory, online vCPUs and uptime). */
void lam_list_print(FILE *f, const struct lam_dom_info *list, size_t n, bool long_fmt,
		    uint64_t now_ns);
/** `lam list --json`: an array of objects, one per domain. */
void lam_list_print_json(FILE *f, const struct lam_dom_info *list, size_t n, uint64_t now_ns);

/** "1 day, 02:03:04" or "02:03:04" (xl uptime style) for a duration in seconds. */
void lam_format_uptime(uint64_t secs, char *buf, size_t len);

/** A cpu mask as an xl.cfg cpus string ("0-3,5"); "all" for 0. */
void lam_format_cpus(uint64_t mask, char *buf, size_t len);

/**
 * Writes cfg in xl.cfg syntax that lam_cfg_parse_file() reads back to the same settings
 * (the saved copy the monitor and `lam list -l` use). 0 or -EINVAL when a string cannot be
 * quoted (it holds both quote characters or a newline).
 */
int lam_cfg_write(FILE *f, const struct lam_cfg *cfg);

/** `lam create` arguments; strings point into argv. */
struct lam_create_args {
	const char *config;
	bool console; /* -c */
	bool paused;  /* -p: leave the domain paused */
	const char **overrides;
	size_t nr_overrides;
};

/**
 * Parses `create [-c] [-p] [-f] CONFIG [key=value...]` (argv[0] = "create"; options may come
 * anywhere before `--`; `-f CONFIG` names the file explicitly). overrides must have room for
 * argc entries. 0, or -EINVAL with a message in err.
 */
int lam_parse_create_args(int argc, char **argv, struct lam_create_args *out,
			  const char **overrides, char *err, size_t errlen);

/** `lam list` arguments; doms point into argv (up to argc entries). */
struct lam_list_args {
	bool long_fmt;
	bool json;
	const char **doms;
	size_t nr_doms;
};

int lam_parse_list_args(int argc, char **argv, struct lam_list_args *out, const char **doms,
			char *err, size_t errlen);

/* ---- main.c ---- */

/** Prints "lam: <cmd>: <message>\n" to stderr. */
void lam_err(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/** Opens the control library or explains why not (printed); NULL on failure. */
struct lam_ctl *lam_open_ctl(const char *cmd);

/**
 * Resolves DOM for sub-command cmd; prints the error and returns -1 if there is no such
 * domain.
 */
int lam_resolve_domain(struct lam_ctl *ctl, const char *cmd, const char *spec, uint16_t *domid);

/* ---- sub-commands: argc/argv start at the sub-command's name; return the exit status ---- */
int lam_cmd_create(int argc, char **argv);
int lam_cmd_list(int argc, char **argv);
int lam_cmd_destroy(int argc, char **argv);
int lam_cmd_shutdown(int argc, char **argv);
int lam_cmd_reboot(int argc, char **argv);
int lam_cmd_pause(int argc, char **argv);
int lam_cmd_unpause(int argc, char **argv);
int lam_cmd_console(int argc, char **argv);
int lam_cmd_info(int argc, char **argv);
int lam_cmd_dmesg(int argc, char **argv);
int lam_cmd_vcpu_list(int argc, char **argv);
int lam_cmd_vcpu_pin(int argc, char **argv);
int lam_cmd_mem_set(int argc, char **argv);
int lam_cmd_uptime(int argc, char **argv);

/* ---- create.c / monitor.c: shared by create, destroy and the monitor ---- */

/**
 * Builds a domain from cfg and leaves it paused, ready to run; *domid gets its ID. On
 * failure nothing is left behind (domain destroyed, xenstore nodes removed) and the reason
 * has been printed with cmd as prefix. Returns 0 or -1.
 */
int lam_build_domain(struct lam_ctl *ctl, const char *cmd, const struct lam_cfg *cfg,
		     uint16_t *domid);

/**
 * lam_build_domain(), then saves the configuration (LAM_RUN_DIR/<domid>.cfg), starts the
 * monitor when asked, and unpauses unless paused. Undoes everything on failure. 0 or -1.
 */
int lam_start_domain(struct lam_ctl *ctl, const char *cmd, const struct lam_cfg *cfg, bool paused,
		     bool monitor, uint16_t *domid);

/**
 * Tears a domain down: its xenstore nodes (/local/domain/<id>, backend dirs, /vm/<uuid>),
 * XS_RELEASE, then LAM_DOMCTL_destroy, and its saved configuration. Errors are printed
 * with cmd as prefix; returns 0 or -1 (only the destroy itself failing counts).
 */
int lam_teardown_domain(struct lam_ctl *ctl, const char *cmd, uint16_t domid);

/** Path of the saved configuration of domid, in buf. */
void lam_saved_cfg_path(uint16_t domid, char *buf, size_t len);

/**
 * Forks the background supervisor of domid (detached, own session). Returns 0 in the
 * parent once the child runs, -1 if it could not be started (printed).
 */
int lam_monitor_start(const struct lam_cfg *cfg, uint16_t domid);

/** Path of the monitor's pid file for domid, in buf. */
void lam_monitor_pid_path(uint16_t domid, char *buf, size_t len);

/**
 * Waits up to timeout_ms for a watch event on xs (NULL: just sleeps). 0 on an event or
 * timeout, or a negative errno if the xenstore connection failed.
 */
int lam_wait_dom_event(struct lam_xs *xs, int timeout_ms);

/** True if a monitor process for domid is alive. */
bool lam_monitor_running(uint16_t domid);

/**
 * Applies cfg's on_poweroff/on_reboot/on_crash to domid, which has shut down for reason
 * (SHUTDOWN_*): destroy (teardown), restart (teardown, then build and start it again;
 * *new_domid gets the new ID, monitor started only if start_monitor), or preserve.
 * Returns the action taken (enum lam_cfg_action) or -1 if it failed.
 */
int lam_apply_shutdown_policy(struct lam_ctl *ctl, const char *cmd, const struct lam_cfg *cfg,
			      uint16_t domid, uint32_t reason, bool start_monitor,
			      uint16_t *new_domid);
