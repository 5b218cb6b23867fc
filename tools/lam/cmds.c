/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The query and control sub-commands of `lam`: list, destroy, shutdown, reboot, pause,
 * unpause, console, info, dmesg, vcpu-list, vcpu-pin, mem-set, uptime.
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
#include <lam/ctl.h>
#include <lam/xs.h>
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

static struct lam_xs *xs_open_or_say(const char *cmd)
{
	struct lam_xs *xs;
	int err = lam_xs_open(&xs);

	if (err != 0) {
		lam_err(cmd, "cannot connect to xenstored: %s (is lamina-xenstored running?)",
			strerror(-err));
		return NULL;
	}
	return xs;
}

static uint64_t now_ns(struct lam_ctl *ctl)
{
	struct lam_physinfo pi;

	return lam_ctl_physinfo(ctl, &pi) == 0 ? pi.uptime_ns : 0;
}

/**
 * The domains named in doms (all domains when nr_doms is 0) as a malloc'd list of *n
 * entries; NULL after printing an error.
 */
static struct lam_dom_info *select_domains(struct lam_ctl *ctl, const char *cmd, const char **doms,
					   size_t nr_doms, size_t *n)
{
	struct lam_dom_info *all, *sel;
	size_t nr_all;
	int err;

	err = lam_ctl_domain_list(ctl, &all, &nr_all);
	if (err != 0) {
		lam_err(cmd, "cannot list domains: %s", lam_ctl_strerror(err));
		return NULL;
	}
	if (nr_doms == 0) {
		*n = nr_all;
		return all != NULL ? all : calloc(1, sizeof(*all));
	}
	sel = calloc(nr_doms, sizeof(*sel));
	if (sel == NULL) {
		free(all);
		lam_err(cmd, "out of memory");
		return NULL;
	}
	for (size_t i = 0; i < nr_doms; i++) {
		uint16_t id;
		enum lam_find f = lam_find_domain(all, nr_all, doms[i], &id);

		if (f != LAM_FIND_OK) {
			if (f == LAM_FIND_NO_NAME) {
				lam_err(cmd, "no domain named '%s'", doms[i]);
			} else if (f == LAM_FIND_NO_ID) {
				lam_err(cmd, "no domain with ID %s", doms[i]);
			} else {
				lam_err(cmd, "'%s' is not a domain name or ID", doms[i]);
			}
			free(all);
			free(sel);
			return NULL;
		}
		for (size_t j = 0; j < nr_all; j++) {
			if (all[j].domid == id) {
				sel[i] = all[j];
			}
		}
	}
	free(all);
	*n = nr_doms;
	return sel;
}

int lam_cmd_list(int argc, char **argv)
{
	struct lam_list_args args;
	struct lam_dom_info *list;
	struct lam_ctl *ctl;
	const char **doms;
	char msg[256];
	size_t n;
	int ret = 1;

	doms = calloc((size_t)argc + 1, sizeof(*doms));
	if (doms == NULL) {
		return 1;
	}
	if (lam_parse_list_args(argc, argv, &args, doms, msg, sizeof(msg)) != 0) {
		lam_err("list", "%s", msg);
		free(doms);
		return 2;
	}
	ctl = lam_open_ctl("list");
	if (ctl == NULL) {
		free(doms);
		return 1;
	}
	list = select_domains(ctl, "list", args.doms, args.nr_doms, &n);
	if (list != NULL) {
		if (args.json) {
			lam_list_print_json(stdout, list, n, now_ns(ctl));
		} else {
			lam_list_print(stdout, list, n, args.long_fmt, now_ns(ctl));
		}
		free(list);
		ret = 0;
	}
	lam_ctl_close(ctl);
	free(doms);
	return ret;
}

/** Common shape of the DOM-only commands: resolve DOM, refuse Dom0 if asked, run fn. */
static int with_domain(int argc, char **argv, const char *cmd, bool allow_dom0,
		       int (*fn)(struct lam_ctl *ctl, const char *cmd, uint16_t domid))
{
	struct lam_ctl *ctl;
	uint16_t domid;
	int ret = 1;

	if (!no_options(cmd, argc, argv) || !nargs_ok(cmd, argc, 1, 1, "DOM")) {
		return 2;
	}
	ctl = lam_open_ctl(cmd);
	if (ctl == NULL) {
		return 1;
	}
	if (lam_resolve_domain(ctl, cmd, argv[1], &domid) == 0) {
		if (domid == 0 && !allow_dom0) {
			lam_err(cmd, "not allowed on Domain-0");
		} else {
			ret = fn(ctl, cmd, domid) == 0 ? 0 : 1;
		}
	}
	lam_ctl_close(ctl);
	return ret;
}

static int do_destroy(struct lam_ctl *ctl, const char *cmd, uint16_t domid)
{
	return lam_teardown_domain(ctl, cmd, domid);
}

int lam_cmd_destroy(int argc, char **argv)
{
	return with_domain(argc, argv, "destroy", false, do_destroy);
}

static int do_pause(struct lam_ctl *ctl, const char *cmd, uint16_t domid)
{
	int err = lam_ctl_domain_pause(ctl, domid);

	if (err != 0) {
		lam_err(cmd, "domain %u: %s", domid, lam_ctl_strerror(err));
		return -1;
	}
	return 0;
}

static int do_unpause(struct lam_ctl *ctl, const char *cmd, uint16_t domid)
{
	int err = lam_ctl_domain_unpause(ctl, domid);

	if (err != 0) {
		lam_err(cmd, "domain %u: %s", domid, lam_ctl_strerror(err));
		return -1;
	}
	return 0;
}

int lam_cmd_pause(int argc, char **argv)
{
	return with_domain(argc, argv, "pause", false, do_pause);
}

int lam_cmd_unpause(int argc, char **argv)
{
	return with_domain(argc, argv, "unpause", false, do_unpause);
}

static int do_console(struct lam_ctl *ctl, const char *cmd, uint16_t domid)
{
	(void)cmd;
	/* The console client prints its own errors. */
	lam_ctl_close(ctl);
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

/** Reads the saved configuration of domid; 0 or -1 (missing or unreadable). */
static int load_saved_cfg(uint16_t domid, struct lam_cfg *cfg)
{
	char path[128], msg[256];

	lam_saved_cfg_path(domid, path, sizeof(path));
	return lam_cfg_parse_file(path, cfg, msg, sizeof(msg)) == 0 ? 0 : -1;
}

/**
 * Waits until domid has shut down and been dealt with: destroyed or restarted by its
 * monitor, or preserved. Without a monitor, applies the saved configuration's policy here.
 */
static int wait_shutdown(struct lam_ctl *ctl, const char *cmd, uint16_t domid)
{
	struct lam_xs *xs = NULL;
	int ret = -1;

	if (lam_xs_open(&xs) != 0 || lam_xs_watch(xs, "@releaseDomain", "lam-wait") != 0) {
		lam_xs_close(xs);
		xs = NULL;
	}
	printf("Waiting for domain %u to shut down\n", domid);
	fflush(stdout);
	for (;;) {
		struct lam_dom_info info;
		int err = lam_ctl_domain_getinfo(ctl, domid, &info);

		if (err == -ESRCH) {
			printf("Domain %u has been shut down\n", domid);
			ret = 0;
			break;
		}
		if (err != 0) {
			lam_err(cmd, "domain %u: %s", domid, lam_ctl_strerror(err));
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
			if (load_saved_cfg(domid, cfg) != 0) {
				/* No record of it: xl's defaults without a restart. */
				lam_cfg_init(cfg);
				snprintf(cfg->name, sizeof(cfg->name), "%s", info.name);
				cfg->on_reboot = LAM_CFG_ACTION_DESTROY;
			}
			action = lam_apply_shutdown_policy(ctl, cmd, cfg, domid,
							   info.shutdown_reason, true, &new_domid);
			free(cfg);
			ret = action < 0 ? -1 : 0;
			break;
		}
		lam_wait_dom_event(xs, WAIT_POLL_MS);
	}
	if (xs != NULL) {
		lam_xs_close(xs);
	}
	return ret;
}

/** Asks the guest (control/shutdown = what), or with force shuts it down directly. */
static int shutdown_common(int argc, char **argv, const char *cmd, const char *what,
			   uint32_t reason)
{
	bool wait = false, force = false;
	const char *spec = NULL;
	struct lam_ctl *ctl;
	struct lam_xs *xs;
	uint16_t domid;
	char path[96];
	int err, ret = 1;

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
	ctl = lam_open_ctl(cmd);
	if (ctl == NULL) {
		return 1;
	}
	if (lam_resolve_domain(ctl, cmd, spec, &domid) != 0) {
		goto out;
	}
	if (domid == 0) {
		lam_err(cmd, "not allowed on Domain-0 (shut Dom0 down from inside)");
		goto out;
	}
	if (force) {
		err = lam_ctl_domain_shutdown(ctl, domid, reason);
		if (err != 0) {
			lam_err(cmd, "domain %u: %s", domid, lam_ctl_strerror(err));
			goto out;
		}
	} else {
		char *feature;

		xs = xs_open_or_say(cmd);
		if (xs == NULL) {
			goto out;
		}
		snprintf(path, sizeof(path), "/local/domain/%u/control/feature-%s", domid, what);
		feature = lam_xs_read(xs, LAM_XS_NO_TX, path, NULL);
		if (feature == NULL || strcmp(feature, "1") != 0) {
			fprintf(stderr,
				"lam: %s: note: domain %u has not announced PV %s support yet; the "
				"request stays pending until its kernel reads it (-F forces it)\n",
				cmd, domid, what);
		}
		free(feature);
		snprintf(path, sizeof(path), "/local/domain/%u/control/shutdown", domid);
		err = lam_xs_write_str(xs, LAM_XS_NO_TX, path, what);
		lam_xs_close(xs);
		if (err != 0) {
			lam_err(cmd, "cannot write %s: %s", path, strerror(-err));
			goto out;
		}
	}
	ret = 0;
	if (wait) {
		ret = wait_shutdown(ctl, cmd, domid) == 0 ? 0 : 1;
	}
out:
	lam_ctl_close(ctl);
	return ret;
}

int lam_cmd_shutdown(int argc, char **argv)
{
	return shutdown_common(argc, argv, "shutdown", "poweroff", SHUTDOWN_poweroff);
}

int lam_cmd_reboot(int argc, char **argv)
{
	return shutdown_common(argc, argv, "reboot", "reboot", SHUTDOWN_reboot);
}

/* ---- info, dmesg ---- */

int lam_cmd_info(int argc, char **argv)
{
	struct lam_physinfo pi;
	struct utsname u;
	struct lam_ctl *ctl;
	char up[64];
	int err;

	if (!no_options("info", argc, argv) || !nargs_ok("info", argc, 1, 0, "no arguments")) {
		return 2;
	}
	ctl = lam_open_ctl("info");
	if (ctl == NULL) {
		return 1;
	}
	err = lam_ctl_physinfo(ctl, &pi);
	lam_ctl_close(ctl);
	if (err != 0) {
		lam_err("info", "cannot query the hypervisor: %s", lam_ctl_strerror(err));
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
	struct lam_ctl *ctl;
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
	ctl = lam_open_ctl("dmesg");
	if (ctl == NULL) {
		return 1;
	}
	buf = malloc(DMESG_CHUNK);
	if (buf == NULL) {
		lam_ctl_close(ctl);
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

		err = lam_ctl_readconsole(ctl, buf, DMESG_CHUNK, &index, &count, &l);
		if (err != 0) {
			lam_err("dmesg", "cannot read the hypervisor log: %s",
				lam_ctl_strerror(err));
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
	lam_ctl_close(ctl);
	return err == 0 ? 0 : 1;
}

/* ---- vCPUs ---- */

int lam_cmd_vcpu_list(int argc, char **argv)
{
	struct lam_dom_info *list;
	struct lam_ctl *ctl;
	size_t n;
	int ret = 0;

	if (!no_options("vcpu-list", argc, argv)) {
		return 2;
	}
	ctl = lam_open_ctl("vcpu-list");
	if (ctl == NULL) {
		return 1;
	}
	list = select_domains(ctl, "vcpu-list", (const char **)argv + 1, (size_t)argc - 1, &n);
	if (list == NULL) {
		lam_ctl_close(ctl);
		return 1;
	}
	printf("%-32s %5s %5s %5s %5s %9s  %s\n", "Name", "ID", "VCPU", "CPU", "State", "Time(s)",
	       "Affinity (Hard / Soft)");
	for (size_t i = 0; i < n; i++) {
		char name[LAMCTL_NAME_LEN + 1];

		snprintf(name, sizeof(name), "%s", lam_dom_name(&list[i]));
		for (uint32_t v = 0; v < list[i].nr_vcpus; v++) {
			struct lam_vcpu_info vi;
			char aff[16];
			int err = lam_ctl_vcpu_info(ctl, (uint16_t)list[i].domid, v, &vi);

			if (err != 0) {
				lam_err("vcpu-list", "domain %u vCPU %u: %s", list[i].domid, v,
					lam_ctl_strerror(err));
				ret = 1;
				break;
			}
			printf("%-32s %5u %5u ", name, list[i].domid, v);
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
	free(list);
	lam_ctl_close(ctl);
	return ret;
}

int lam_cmd_vcpu_pin(int argc, char **argv)
{
	const char *cmd = "vcpu-pin";
	struct lam_dom_info info;
	struct lam_physinfo pi;
	struct lam_ctl *ctl;
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
	ctl = lam_open_ctl(cmd);
	if (ctl == NULL) {
		return 1;
	}
	if (lam_resolve_domain(ctl, cmd, argv[1], &domid) != 0) {
		goto out;
	}
	err = lam_ctl_physinfo(ctl, &pi);
	if (err == 0 && pcpu >= pi.nr_cpus) {
		lam_err(cmd, "pCPU %" PRIu64 " does not exist (this host has %u)", pcpu,
			pi.nr_cpus);
		goto out;
	}
	err = lam_ctl_domain_getinfo(ctl, domid, &info);
	if (err != 0) {
		lam_err(cmd, "domain %u: %s", domid, lam_ctl_strerror(err));
		goto out;
	}
	if (!all && vcpu >= info.nr_vcpus) {
		lam_err(cmd, "domain %u has no vCPU %" PRIu64 " (it has %u)", domid, vcpu,
			info.nr_vcpus);
		goto out;
	}
	ret = 0;
	for (uint32_t v = all ? 0 : (uint32_t)vcpu; v < (all ? info.nr_vcpus : vcpu + 1); v++) {
		err = lam_ctl_vcpu_affinity(ctl, domid, v, (uint32_t)pcpu);
		if (err != 0) {
			lam_err(cmd, "domain %u vCPU %u -> pCPU %" PRIu64 ": %s", domid, v, pcpu,
				lam_ctl_strerror(err));
			ret = 1;
		}
	}
out:
	lam_ctl_close(ctl);
	return ret;
}

/* ---- memory ---- */

int lam_cmd_mem_set(int argc, char **argv)
{
	const char *cmd = "mem-set";
	struct lam_dom_info info;
	struct lam_ctl *ctl;
	struct lam_xs *xs = NULL;
	uint64_t target_kb, static_max_kb = 0, cur_max_kb;
	char path[96], *val;
	uint16_t domid;
	int err, ret = 1;

	if (!no_options(cmd, argc, argv) || !nargs_ok(cmd, argc, 1, 2, "DOM MEM")) {
		return 2;
	}
	if (lam_parse_mem_kb(argv[2], &target_kb) != 0 || target_kb == 0) {
		lam_err(cmd, "invalid memory size '%s' (MiB, or a number with suffix b/k/m/g/t)",
			argv[2]);
		return 2;
	}
	ctl = lam_open_ctl(cmd);
	if (ctl == NULL) {
		return 1;
	}
	if (lam_resolve_domain(ctl, cmd, argv[1], &domid) != 0) {
		goto out;
	}
	err = lam_ctl_domain_getinfo(ctl, domid, &info);
	if (err != 0) {
		lam_err(cmd, "domain %u: %s", domid, lam_ctl_strerror(err));
		goto out;
	}
	xs = xs_open_or_say(cmd);
	if (xs == NULL) {
		goto out;
	}
	snprintf(path, sizeof(path), "/local/domain/%u/memory/static-max", domid);
	val = lam_xs_read(xs, LAM_XS_NO_TX, path, NULL);
	if (val == NULL || lam_parse_u64(val, UINT64_MAX, &static_max_kb) != 0) {
		static_max_kb = 0;
	}
	free(val);
	if (static_max_kb != 0 && target_kb > static_max_kb) {
		lam_err(cmd, "%" PRIu64 " MiB is above domain %u's maximum of %" PRIu64 " MiB",
			target_kb / 1024, domid, static_max_kb / 1024);
		goto out;
	}
	cur_max_kb = info.max_pages * 4;
	/* Raise the limit before the guest balloons up; lower it after asking it to shrink. */
	if (target_kb > cur_max_kb) {
		err = lam_ctl_domain_set_max_mem(ctl, domid, target_kb);
		if (err != 0) {
			lam_err(cmd, "cannot raise domain %u's memory limit: %s", domid,
				lam_ctl_strerror(err));
			goto out;
		}
	}
	snprintf(path, sizeof(path), "/local/domain/%u/memory/target", domid);
	err = lam_xs_printf(xs, LAM_XS_NO_TX, path, "%" PRIu64, target_kb);
	if (err != 0) {
		lam_err(cmd, "cannot write %s: %s", path, strerror(-err));
		goto out;
	}
	if (target_kb < cur_max_kb) {
		err = lam_ctl_domain_set_max_mem(ctl, domid, target_kb);
		if (err != 0) {
			lam_err(cmd,
				"target set, but domain %u's memory limit stays at %" PRIu64
				" MiB: %s",
				domid, cur_max_kb / 1024, lam_ctl_strerror(err));
			goto out;
		}
	}
	ret = 0;
out:
	if (xs != NULL) {
		lam_xs_close(xs);
	}
	lam_ctl_close(ctl);
	return ret;
}

int lam_cmd_uptime(int argc, char **argv)
{
	struct lam_dom_info *list;
	struct lam_ctl *ctl;
	uint64_t now;
	size_t n;

	if (!no_options("uptime", argc, argv)) {
		return 2;
	}
	ctl = lam_open_ctl("uptime");
	if (ctl == NULL) {
		return 1;
	}
	list = select_domains(ctl, "uptime", (const char **)argv + 1, (size_t)argc - 1, &n);
	if (list == NULL) {
		lam_ctl_close(ctl);
		return 1;
	}
	now = now_ns(ctl);
	printf("%-32s %5s %s\n", "Name", "ID", "Uptime");
	for (size_t i = 0; i < n; i++) {
		char up[64];
		uint64_t ns = now > list[i].created_ns ? now - list[i].created_ns : 0;

		lam_format_uptime(ns / 1000000000ull, up, sizeof(up));
		printf("%-32s %5u %s\n", lam_dom_name(&list[i]), list[i].domid, up);
	}
	free(list);
	lam_ctl_close(ctl);
	return 0;
}
