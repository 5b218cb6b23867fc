/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The query and control sub-commands of `lam`: list, destroy, shutdown, reboot, pause,
 * unpause, console, info, dmesg, vcpu-list, vcpu-pin, mem-set, uptime. Each parses its
 * arguments, calls liblam and prints; the library reports its own failures.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <lam/cfg.h>
#include <lam/console.h>
#include <lam/liblam.h>
#include <public/xen.h>

#include "lam.h"

#define DMESG_INDEX_FILE LAM_RUN_DIR "/dmesg.index"
#define DMESG_CHUNK 16384
#define WAIT_POLL_MS 1000

/** Checks that argv has exactly want arguments after options; prints usage if not. */
static bool nargs_ok(const char *cmd, int argc, int first, int want, const char *usage)
{
	if (argc - first != want) {
		lam_err(cmd, "expected %s", usage);
		return false;
	}
	return true;
}

/** Rejects any option: commands that take none still refuse typos like `-x`. */
static bool no_options(const char *cmd, int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (argv[i][0] == '-' && argv[i][1] != '\0') {
			lam_err(cmd, "unknown option '%s'", argv[i]);
			return false;
		}
	}
	return true;
}

static uint64_t now_ns(struct lam_ctx *ctx)
{
	struct lam_physinfo pi;

	return lam_physinfo(ctx, &pi) == 0 ? pi.uptime_ns : 0;
}

/** The domains a [DOM...] command works on, and the context it opened to find them. */
struct dom_selection {
	struct lam_ctx *ctx;
	struct lam_dom_info *list;
	size_t n;
};

/**
 * The shared prologue of the [DOM...] commands (list, vcpu-list, uptime): opens the
 * context and selects the domains named in doms (all when nr_doms is 0). 0, or the exit
 * status after printing why not.
 */
static int select_begin(const char *cmd, const char *const *doms, size_t nr_doms,
			struct dom_selection *sel)
{
	sel->list = NULL;
	sel->n = 0;
	sel->ctx = lam_open_ctx(cmd);
	if (sel->ctx == NULL) {
		return 1;
	}
	if (lam_domain_select(sel->ctx, doms, nr_doms, &sel->list, &sel->n) != 0) {
		lam_ctx_free(sel->ctx);
		sel->ctx = NULL;
		return 1;
	}
	return 0;
}

static void select_end(struct dom_selection *sel)
{
	free(sel->list);
	lam_ctx_free(sel->ctx);
}

/**
 * The shared prologue of the DOM commands: opens the context and resolves spec. The
 * context, or NULL after printing why not.
 */
static struct lam_ctx *open_domain(const char *cmd, const char *spec, uint16_t *domid)
{
	struct lam_ctx *ctx = lam_open_ctx(cmd);

	if (ctx != NULL && lam_domain_resolve(ctx, spec, domid) != 0) {
		lam_ctx_free(ctx);
		return NULL;
	}
	return ctx;
}

int lam_cmd_list(int argc, char **argv)
{
	struct lam_list_args args;
	struct dom_selection sel;
	const char **doms;
	char msg[256];
	int ret;

	doms = calloc((size_t)argc + 1, sizeof(*doms));
	if (doms == NULL) {
		return 1;
	}
	if (lam_parse_list_args(argc, argv, &args, doms, msg, sizeof(msg)) != 0) {
		lam_err("list", "%s", msg);
		free(doms);
		return 2;
	}
	ret = select_begin("list", args.doms, args.nr_doms, &sel);
	if (ret == 0) {
		if (args.json) {
			lam_list_json_extra[0] = lam_list_json_disks;
			lam_list_json_extra[1] = lam_list_json_nics;
			lam_list_json_extra_arg = sel.ctx;
			lam_list_print_json(stdout, sel.list, sel.n, now_ns(sel.ctx));
		} else {
			lam_list_print(stdout, sel.list, sel.n, args.long_fmt, now_ns(sel.ctx));
			if (args.long_fmt) {
				lam_list_print_disks(stdout, sel.ctx, sel.list, sel.n);
				lam_list_print_nics(stdout, sel.ctx, sel.list, sel.n);
			}
		}
		select_end(&sel);
	}
	free(doms);
	return ret;
}

/** Common shape of the DOM-only commands: resolve DOM, refuse Dom0 if asked, run fn. */
static int with_domain(int argc, char **argv, const char *cmd, bool allow_dom0,
		       int (*fn)(struct lam_ctx *ctx, uint16_t domid))
{
	struct lam_ctx *ctx;
	uint16_t domid;
	int ret = 1;

	if (!no_options(cmd, argc, argv) || !nargs_ok(cmd, argc, 1, 1, "DOM")) {
		return 2;
	}
	ctx = open_domain(cmd, argv[1], &domid);
	if (ctx == NULL) {
		return 1;
	}
	if (domid == 0 && !allow_dom0) {
		lam_err(cmd, "not allowed on Domain-0");
	} else {
		ret = fn(ctx, domid) == 0 ? 0 : 1;
	}
	lam_ctx_free(ctx);
	return ret;
}

int lam_cmd_destroy(int argc, char **argv)
{
	return with_domain(argc, argv, "destroy", false, lam_domain_destroy);
}

int lam_cmd_pause(int argc, char **argv)
{
	return with_domain(argc, argv, "pause", false, lam_domain_pause);
}

int lam_cmd_unpause(int argc, char **argv)
{
	return with_domain(argc, argv, "unpause", false, lam_domain_unpause);
}

static int do_console(struct lam_ctx *ctx, uint16_t domid)
{
	/* The console client prints its own errors. */
	lam_ctx_free(ctx);
	exit(lam_console_attach(domid, STDIN_FILENO, STDOUT_FILENO, LAM_CONSOLE_ESCAPE) == 0 ? 0
											     : 1);
}

int lam_cmd_console(int argc, char **argv)
{
	/* xl console accepts -t TYPE and -n NUM; only the primary PV console exists here. */
	int i = 1;

	while (i < argc && argv[i][0] == '-') {
		if ((strcmp(argv[i], "-t") == 0 || strcmp(argv[i], "-n") == 0) && i + 1 < argc) {
			if (strcmp(argv[i], "-t") == 0 && strcmp(argv[i + 1], "pv") != 0) {
				lam_err("console", "only the PV console (-t pv) exists");
				return 2;
			}
			if (strcmp(argv[i], "-n") == 0 && strcmp(argv[i + 1], "0") != 0) {
				lam_err("console", "only console 0 exists");
				return 2;
			}
			i += 2;
			continue;
		}
		break;
	}
	argv[i - 1] = argv[0];
	return with_domain(argc - i + 1, argv + i - 1, "console", false, do_console);
}

/* ---- shutdown / reboot ---- */

/**
 * Waits until domid has shut down and been dealt with: destroyed or restarted by its
 * monitor, or preserved. Without a monitor, applies the saved configuration's policy here
 * (a restarted domain gets a monitor of its own).
 */
static int wait_shutdown(struct lam_ctx *ctx, const char *cmd, uint16_t domid)
{
	struct lam_domain_watch *w;
	int ret = -1;

	if (lam_domain_watch_open(ctx, "lam-wait", &w) != 0) {
		return -1;
	}
	printf("Waiting for domain %u to shut down\n", domid);
	fflush(stdout);
	for (;;) {
		struct lam_dom_info info;
		int err = lam_domain_info(ctx, domid, &info);

		if (err == -ESRCH) {
			printf("Domain %u has been shut down\n", domid);
			ret = 0;
			break;
		}
		if (err != 0) {
			lam_err(cmd, "domain %u: %s", domid, strerror(-err));
			break;
		}
		if ((info.flags & LAM_DOMINF_shutdown) && !(info.flags & LAM_DOMINF_dying) &&
		    !lam_monitor_running(domid)) {
			struct lam_cfg *cfg = calloc(1, sizeof(*cfg));
			uint16_t new_domid;
			int action;

			if (cfg == NULL) {
				break;
			}
			if (lam_domain_config_load(ctx, domid, cfg) != 0) {
				/* No record of it: xl's defaults without a restart. */
				lam_cfg_init(cfg);
				snprintf(cfg->name, sizeof(cfg->name), "%s", info.name);
				cfg->on_reboot = LAM_CFG_ACTION_DESTROY;
			}
			action = lam_domain_handle_shutdown(ctx, cfg, domid, info.shutdown_reason,
							    LAM_RESTART_PAUSED, &new_domid);
			if (action == LAM_CFG_ACTION_RESTART) {
				action = lam_start_monitored(ctx, cmd, cfg, new_domid, false);
			}
			free(cfg);
			ret = action < 0 ? -1 : 0;
			break;
		}
		lam_domain_watch_wait(w, WAIT_POLL_MS);
	}
	lam_domain_watch_close(w);
	return ret;
}

/** Asks the guest (control/shutdown), or with -F shuts it down directly. */
static int shutdown_common(int argc, char **argv, const char *cmd, uint32_t reason)
{
	bool wait = false, force = false;
	const char *spec = NULL;
	struct lam_ctx *ctx;
	uint16_t domid;
	int ret = 1;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-w") == 0) {
			wait = true;
		} else if (strcmp(argv[i], "-F") == 0) {
			force = true;
		} else if (argv[i][0] == '-' && argv[i][1] != '\0') {
			lam_err(cmd, "unknown option '%s'", argv[i]);
			return 2;
		} else if (spec == NULL) {
			spec = argv[i];
		} else {
			lam_err(cmd, "expected one DOM");
			return 2;
		}
	}
	if (spec == NULL) {
		lam_err(cmd, "expected [-w] [-F] DOM");
		return 2;
	}
	ctx = open_domain(cmd, spec, &domid);
	if (ctx == NULL) {
		return 1;
	}
	if (domid == 0) {
		lam_err(cmd, "not allowed on Domain-0 (shut Dom0 down from inside)");
		goto out;
	}
	if (lam_domain_shutdown(ctx, domid, reason, force) != 0) {
		goto out;
	}
	ret = 0;
	if (wait) {
		ret = wait_shutdown(ctx, cmd, domid) == 0 ? 0 : 1;
	}
out:
	lam_ctx_free(ctx);
	return ret;
}

int lam_cmd_shutdown(int argc, char **argv)
{
	return shutdown_common(argc, argv, "shutdown", SHUTDOWN_poweroff);
}

int lam_cmd_reboot(int argc, char **argv)
{
	return shutdown_common(argc, argv, "reboot", SHUTDOWN_reboot);
}

/* ---- info, dmesg ---- */

int lam_cmd_info(int argc, char **argv)
{
	struct lam_physinfo pi;
	struct utsname u;
	struct lam_ctx *ctx;
	char up[64];
	int err;

	if (!no_options("info", argc, argv) || !nargs_ok("info", argc, 1, 0, "no arguments")) {
		return 2;
	}
	ctx = lam_open_ctx("info");
	if (ctx == NULL) {
		return 1;
	}
	err = lam_physinfo(ctx, &pi);
	lam_ctx_free(ctx);
	if (err != 0) {
		return 1;
	}
	if (uname(&u) < 0) {
		memset(&u, 0, sizeof(u));
	}
	uint64_t page_kb = pi.page_size ? pi.page_size / 1024 : 4;

	printf("%-22s : %s\n", "host", u.nodename);
	printf("%-22s : %s\n", "release", u.release);
	printf("%-22s : %s\n", "version", u.version);
	printf("%-22s : %s\n", "machine", u.machine);
	printf("%-22s : %u\n", "nr_cpus", pi.nr_cpus);
	printf("%-22s : %u\n", "max_cpu_id", pi.nr_cpus ? pi.nr_cpus - 1 : 0);
	printf("%-22s : %u\n", "nr_nodes", 1);
	printf("%-22s : %s\n", "virt_caps", "hvm");
	printf("%-22s : %" PRIu64 "\n", "total_memory", pi.total_pages * page_kb / 1024);
	printf("%-22s : %" PRIu64 "\n", "free_memory", pi.free_pages * page_kb / 1024);
	printf("%-22s : %" PRIu64 "\n", "free_pages", pi.free_pages);
	printf("%-22s : %" PRIu64 "\n", "stray_pages", pi.stray_pages);
	printf("%-22s : %u\n", "xen_major", pi.xen_version >> 16);
	printf("%-22s : %u\n", "xen_minor", pi.xen_version & 0xffff);
	printf("%-22s : %u.%u\n", "xen_version", pi.xen_version >> 16, pi.xen_version & 0xffff);
	printf("%-22s : %s\n", "xen_caps", "xen-3.0-aarch64");
	printf("%-22s : %s\n", "xen_scheduler", "lamina");
	printf("%-22s : %" PRIu64 "\n", "xen_pagesize", pi.page_size);
	printf("%-22s : %u.%u\n", "lamina_version", pi.hv_version >> 16, pi.hv_version & 0xffff);
	printf("%-22s : %u\n", "max_domains", pi.max_domains);
	printf("%-22s : %u\n", "timer_frequency", pi.clock_frequency);
	lam_format_uptime(pi.uptime_ns / 1000000000ull, up, sizeof(up));
	printf("%-22s : %s\n", "hv_uptime", up);
	printf("%-22s : 0x%08x\n", "lamctl_version", LAMCTL_VERSION);
	lam_network_info_line();
	return 0;
}

static uint64_t dmesg_saved_index(void)
{
	unsigned long long idx = 0;
	FILE *f = fopen(DMESG_INDEX_FILE, "r");

	if (f != NULL) {
		if (fscanf(f, "%llu", &idx) != 1) {
			idx = 0;
		}
		fclose(f);
	}
	return idx;
}

static void dmesg_save_index(uint64_t idx)
{
	FILE *f;

	if (mkdir(LAM_RUN_DIR, 0755) < 0 && errno != EEXIST) {
		return;
	}
	f = fopen(DMESG_INDEX_FILE, "w");
	if (f != NULL) {
		fprintf(f, "%" PRIu64 "\n", idx);
		fclose(f);
	}
}

int lam_cmd_dmesg(int argc, char **argv)
{
	bool clear = false;
	struct lam_ctx *ctx;
	uint64_t index, lost = 0;
	char *buf;
	int err = 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-c") == 0) {
			clear = true;
		} else {
			lam_err("dmesg", "unexpected argument '%s' (usage: dmesg [-c])", argv[i]);
			return 2;
		}
	}
	ctx = lam_open_ctx("dmesg");
	if (ctx == NULL) {
		return 1;
	}
	buf = malloc(DMESG_CHUNK);
	if (buf == NULL) {
		lam_ctx_free(ctx);
		return 1;
	}
	/*
	 * The hypervisor keeps its log; "clearing" is remembered here as the offset to start
	 * at, so both forms show only what came after the last `dmesg -c`.
	 */
	index = dmesg_saved_index();
	for (;;) {
		size_t count = 0;
		uint64_t l = 0;

		err = lam_xen_console_read(ctx, buf, DMESG_CHUNK, &index, &count, &l);
		if (err != 0) {
			break;
		}
		lost += l;
		if (count == 0) {
			break;
		}
		fwrite(buf, 1, count, stdout);
	}
	if (err == 0 && lost > 0) {
		fprintf(stderr, "lam: dmesg: (%" PRIu64 " earlier bytes were overwritten)\n", lost);
	}
	if (err == 0 && clear) {
		dmesg_save_index(index);
	}
	free(buf);
	lam_ctx_free(ctx);
	return err == 0 ? 0 : 1;
}

/* ---- vCPUs ---- */

int lam_cmd_vcpu_list(int argc, char **argv)
{
	struct dom_selection sel;
	int ret;

	if (!no_options("vcpu-list", argc, argv)) {
		return 2;
	}
	ret = select_begin("vcpu-list", (const char *const *)argv + 1, (size_t)argc - 1, &sel);
	if (ret != 0) {
		return ret;
	}
	printf("%-32s %5s %5s %5s %5s %9s  %s\n", "Name", "ID", "VCPU", "CPU", "State", "Time(s)",
	       "Affinity (Hard / Soft)");
	for (size_t i = 0; i < sel.n; i++) {
		const struct lam_dom_info *d = &sel.list[i];
		char name[LAMCTL_NAME_LEN + 1];

		snprintf(name, sizeof(name), "%s", lam_dom_name(d));
		for (uint32_t v = 0; v < d->nr_vcpus; v++) {
			struct lam_vcpu_info vi;
			char aff[16];

			if (lam_vcpu_info(sel.ctx, (uint16_t)d->domid, v, &vi) != 0) {
				ret = 1;
				break;
			}
			printf("%-32s %5u %5u ", name, d->domid, v);
			if (vi.state == LAM_VCPU_offline) {
				printf("%5s %5s ", "-", "--p");
			} else {
				printf("%5u %3c%c- ", vi.pcpu,
				       vi.state == LAM_VCPU_running ? 'r' : '-',
				       vi.state == LAM_VCPU_blocked ? 'b' : '-');
			}
			if (vi.pinned) {
				snprintf(aff, sizeof(aff), "%u", vi.pcpu);
			} else {
				snprintf(aff, sizeof(aff), "all");
			}
			printf("%9.1f  %s / all\n", (double)vi.time_ns / 1e9, aff);
		}
	}
	select_end(&sel);
	return ret;
}

int lam_cmd_vcpu_pin(int argc, char **argv)
{
	const char *cmd = "vcpu-pin";
	struct lam_dom_info info;
	struct lam_physinfo pi;
	struct lam_ctx *ctx;
	uint64_t vcpu = 0, pcpu;
	bool all = false;
	uint16_t domid;
	int err, ret = 1;

	if (!no_options(cmd, argc, argv) || !nargs_ok(cmd, argc, 1, 3, "DOM VCPU PCPU")) {
		return 2;
	}
	if (strcmp(argv[2], "all") == 0) {
		all = true;
	} else if (lam_parse_u64(argv[2], UINT32_MAX, &vcpu) != 0) {
		lam_err(cmd, "'%s' is not a vCPU number (or \"all\")", argv[2]);
		return 2;
	}
	if (lam_parse_u64(argv[3], UINT32_MAX, &pcpu) != 0) {
		lam_err(cmd, "'%s' is not a pCPU number (only single-pCPU pinning is supported)",
			argv[3]);
		return 2;
	}
	ctx = open_domain(cmd, argv[1], &domid);
	if (ctx == NULL) {
		return 1;
	}
	err = lam_physinfo(ctx, &pi);
	if (err == 0 && pcpu >= pi.nr_cpus) {
		lam_err(cmd, "pCPU %" PRIu64 " does not exist (this host has %u)", pcpu,
			pi.nr_cpus);
		goto out;
	}
	err = lam_domain_info(ctx, domid, &info);
	if (err != 0) {
		lam_err(cmd, "domain %u: %s", domid, strerror(-err));
		goto out;
	}
	if (!all && vcpu >= info.nr_vcpus) {
		lam_err(cmd, "domain %u has no vCPU %" PRIu64 " (it has %u)", domid, vcpu,
			info.nr_vcpus);
		goto out;
	}
	ret = 0;
	for (uint32_t v = all ? 0 : (uint32_t)vcpu; v < (all ? info.nr_vcpus : vcpu + 1); v++) {
		if (lam_set_vcpuaffinity(ctx, domid, v, (uint32_t)pcpu) != 0) {
			ret = 1;
		}
	}
out:
	lam_ctx_free(ctx);
	return ret;
}

/* ---- memory ---- */

int lam_cmd_mem_set(int argc, char **argv)
{
	const char *cmd = "mem-set";
	struct lam_ctx *ctx;
	uint64_t target_kb;
	uint16_t domid;
	int ret;

	if (!no_options(cmd, argc, argv) || !nargs_ok(cmd, argc, 1, 2, "DOM MEM")) {
		return 2;
	}
	if (lam_parse_mem_kb(argv[2], &target_kb) != 0 || target_kb == 0) {
		lam_err(cmd, "invalid memory size '%s' (MiB, or a number with suffix b/k/m/g/t)",
			argv[2]);
		return 2;
	}
	ctx = open_domain(cmd, argv[1], &domid);
	if (ctx == NULL) {
		return 1;
	}
	ret = lam_set_memory_target(ctx, domid, target_kb) == 0 ? 0 : 1;
	lam_ctx_free(ctx);
	return ret;
}

int lam_cmd_uptime(int argc, char **argv)
{
	struct dom_selection sel;
	uint64_t now;
	int ret;

	if (!no_options("uptime", argc, argv)) {
		return 2;
	}
	ret = select_begin("uptime", (const char *const *)argv + 1, (size_t)argc - 1, &sel);
	if (ret != 0) {
		return ret;
	}
	now = now_ns(sel.ctx);
	printf("%-32s %5s %s\n", "Name", "ID", "Uptime");
	for (size_t i = 0; i < sel.n; i++) {
		char up[64];
		uint64_t ns = now > sel.list[i].created_ns ? now - sel.list[i].created_ns : 0;

		lam_format_uptime(ns / 1000000000ull, up, sizeof(up));
		printf("%-32s %5u %s\n", lam_dom_name(&sel.list[i]), sel.list[i].domid, up);
	}
	select_end(&sel);
	return 0;
}
