/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Internals of the `lam` CLI shared between its files. The CLI is a caller of liblam
 * (lam/liblam.h), as xl is of libxl: it parses arguments, prints, and leaves domains,
 * devices and xenstore to the library.
 *
 * util.c holds the pure helpers (no device access: unit-tested on the host by
 * tests/unit/test_lam_cli.c); main.c dispatches sub-commands; cmds.c implements the
 * query and control commands; create.c is `lam create`; monitor.c the per-domain
 * supervisor that applies on_poweroff/on_reboot/on_crash.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <public/lamctl.h>

#include <lam/liblam.h>

/* ---- util.c: pure helpers ---- */

/** xl's six-letter state (r b p s c d, '-' for unset); out has room for 7 bytes. */
void lam_state_string(const struct lam_dom_info *info, char out[7]);

/** Letter xl uses for a shutdown reason: '-' poweroff, 'r', 's', 'c', 'w', else '?'. */
char lam_shutdown_letter(uint32_t reason);

/**
 * xl's memory sizes: a decimal number with an optional suffix b, k, m, g, t (any case); no
 * suffix means MiB. *kb gets KiB. 0 or -EINVAL / -ERANGE.
 */
int lam_parse_mem_kb(const char *s, uint64_t *kb);

/** Writes s as a JSON string literal (with quotes). */
void lam_json_string(FILE *f, const char *s);

/** `lam list` table (xl's columns; long adds maximum memory, online vCPUs and uptime). */
void lam_list_print(FILE *f, const struct lam_dom_info *list, size_t n, bool long_fmt,
		    uint64_t now_ns);
/** `lam list --json`: an array of objects, one per domain. */
void lam_list_print_json(FILE *f, const struct lam_dom_info *list, size_t n, uint64_t now_ns);

/** Prints more members (", \"disks\": [...]") of domid's object in `lam list --json`. */
typedef void lam_list_json_fn(FILE *f, uint32_t domid, void *arg);
#define LAM_LIST_JSON_EXTRA_MAX 4
/** The device kinds' printers (set by `lam list`; none in the unit tests), called with arg. */
extern lam_list_json_fn *lam_list_json_extra[LAM_LIST_JSON_EXTRA_MAX];
extern void *lam_list_json_extra_arg;

/** "1 day, 02:03:04" or "02:03:04" (xl uptime style) for a duration in seconds. */
void lam_format_uptime(uint64_t secs, char *buf, size_t len);

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

/**
 * Opens a liblam context whose messages carry the prefix cmd, or explains why not
 * (printed); NULL on failure.
 */
struct lam_ctx *lam_open_ctx(const char *cmd);

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

/* ---- block.c: PV disks ---- */
int lam_cmd_block_attach(int argc, char **argv);
int lam_cmd_block_detach(int argc, char **argv);
int lam_cmd_block_list(int argc, char **argv);
/** `lam list -l`: one line per disk of each listed domain. */
void lam_list_print_disks(FILE *f, struct lam_ctx *ctx, const struct lam_dom_info *list, size_t n);
/** lam_list_json_fn for disks (arg: the context). */
void lam_list_json_disks(FILE *f, uint32_t domid, void *arg);
/* ---- network.c: PV NICs (network-attach/-detach/-list, network-check) ---- */
int lam_cmd_network_attach(int argc, char **argv);
int lam_cmd_network_detach(int argc, char **argv);
int lam_cmd_network_list(int argc, char **argv);
int lam_cmd_network_check(int argc, char **argv);
/** `lam info`'s "network" line: the state of xenbr0. */
void lam_network_info_line(void);
/** `lam list -l`: one line per NIC of each listed domain. */
void lam_list_print_nics(FILE *f, struct lam_ctx *ctx, const struct lam_dom_info *list, size_t n);
/** lam_list_json_fn for NICs (", \"nics\": [...]"; arg: the context), slot 1. */
void lam_list_json_nics(FILE *f, uint32_t domid, void *arg);

/* ---- create.c ---- */

/**
 * After lam_domain_create_new() (or a restart left paused): starts the domain's monitor,
 * then unpauses it unless paused. A failure destroys the domain again. 0 or -1.
 */
int lam_start_monitored(struct lam_ctx *ctx, const char *cmd, const struct lam_cfg *cfg,
			uint16_t domid, bool paused);

/* ---- monitor.c: the per-domain supervisor, a caller of liblam ---- */

/**
 * Forks the background supervisor of domid (detached, own session), which applies cfg's
 * on_* actions through lam_domain_handle_shutdown(). Returns 0 in the parent once the
 * child runs, -1 if it could not be started (printed with cmd as prefix).
 */
int lam_monitor_start(const char *cmd, const struct lam_cfg *cfg, uint16_t domid);

/** True if a monitor process for domid is alive. */
bool lam_monitor_running(uint16_t domid);
