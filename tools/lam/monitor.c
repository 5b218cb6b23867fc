/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The per-domain supervisor `lam create` leaves behind (xl's background process does the
 * same job). A guest that shuts down stays in the hypervisor as "shut down" until the
 * toolstack acts; this process waits for lamina-xenstored's @releaseDomain watch (fired
 * when the hypervisor raises VIRQ_DOM_EXC), looks at the domain, and has liblam apply the
 * configuration's on_poweroff / on_reboot / on_crash: destroy, restart or preserve
 * (lam_domain_handle_shutdown()). It is a caller of liblam only: it never builds a domain
 * itself and nothing in the library calls back into it.
 *
 * It also polls every few seconds, so a lost or late event only delays the action.
 * Its output goes to /var/log/lamina/lam-<name>.log (or /run/lamina/lam-<name>.log).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <lam/cfg.h>
#include <lam/ctl.h>
#include <lam/liblam.h>
#include <public/xen.h>

#include "lam.h"

#define MONITOR_LOG_DIR "/var/log/lamina"
#define MONITOR_POLL_MS 5000
#define MONITOR_TOKEN "lam-monitor"
/* A domain that needs restarting this soon after its creation counts as a fast restart;
 * after this many in a row the monitor gives up and destroys it (a boot loop). */
#define FAST_RESTART_NS (10ull * 1000000000ull)
#define FAST_RESTART_MAX 5

/** Path of the monitor's pid file for domid, in buf. */
static void pid_path(uint16_t domid, char *buf, size_t len)
{
	snprintf(buf, len, LAM_RUN_DIR "/%u.monitor.pid", domid);
}

bool lam_monitor_running(uint16_t domid)
{
	char path[128];
	FILE *f;
	long pid = 0;

	pid_path(domid, path, sizeof(path));
	f = fopen(path, "r");
	if (f == NULL) {
		return false;
	}
	if (fscanf(f, "%ld", &pid) != 1) {
		pid = 0;
	}
	fclose(f);
	return pid > 1 && (kill((pid_t)pid, 0) == 0 || errno == EPERM);
}

static void write_pid_file(uint16_t domid)
{
	char path[128];
	FILE *f;

	pid_path(domid, path, sizeof(path));
	f = fopen(path, "w");
	if (f != NULL) {
		fprintf(f, "%ld\n", (long)getpid());
		fclose(f);
	}
}

static void remove_pid_file(uint16_t domid)
{
	char path[128];

	pid_path(domid, path, sizeof(path));
	unlink(path);
}

/** Redirects stdio: stdin from /dev/null, stdout and stderr to the domain's log. */
static void monitor_stdio(const char *name)
{
	char path[256];
	int in, out;

	in = open("/dev/null", O_RDONLY);
	out = -1;
	if (mkdir(MONITOR_LOG_DIR, 0755) == 0 || errno == EEXIST) {
		snprintf(path, sizeof(path), MONITOR_LOG_DIR "/lam-%s.log", name);
		out = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	}
	if (out < 0) {
		/* A minimal Dom0 may have no /var/log: keep the log next to the saved config. */
		snprintf(path, sizeof(path), LAM_RUN_DIR "/lam-%s.log", name);
		out = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	}
	if (out < 0) {
		out = open("/dev/null", O_WRONLY);
	}
	if (in >= 0) {
		dup2(in, STDIN_FILENO);
		close(in);
	}
	if (out >= 0) {
		dup2(out, STDOUT_FILENO);
		dup2(out, STDERR_FILENO);
		close(out);
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
}

static void log_time(void)
{
	char buf[32];
	time_t now = time(NULL);
	struct tm tm;

	if (localtime_r(&now, &tm) != NULL && strftime(buf, sizeof(buf), "%F %T", &tm) > 0) {
		printf("[%s] ", buf);
	}
}

/** The supervisor's main loop; returns when there is nothing left to watch. */
static void monitor_loop(struct lam_ctx *ctx, struct lam_domain_watch *w, const struct lam_cfg *cfg,
			 uint16_t *domidp)
{
	uint16_t domid = *domidp;
	unsigned int fast_restarts = 0;

	for (;;) {
		struct lam_dom_info info;
		struct lam_physinfo pi;
		uint16_t new_domid;
		int err, action;

		lam_domain_watch_wait(w, MONITOR_POLL_MS);
		err = lam_domain_info(ctx, domid, &info);
		if (err == -ESRCH) {
			log_time();
			printf("Domain %u (%s) is gone; monitor exits\n", domid, cfg->name);
			return;
		}
		if (err != 0 || (info.flags & LAM_DOMINF_dying) ||
		    !(info.flags & LAM_DOMINF_shutdown) ||
		    info.shutdown_reason == SHUTDOWN_suspend) {
			continue;
		}

		log_time();
		if (lam_shutdown_action(cfg, info.shutdown_reason) == LAM_CFG_ACTION_RESTART &&
		    lam_physinfo(ctx, &pi) == 0) {
			bool fast = pi.uptime_ns - info.created_ns < FAST_RESTART_NS;

			fast_restarts = fast ? fast_restarts + 1 : 0;
			if (fast_restarts >= FAST_RESTART_MAX) {
				printf("Domain %u (%s) keeps shutting down right after it starts; "
				       "destroying it instead of restarting\n",
				       domid, cfg->name);
				lam_domain_destroy(ctx, domid);
				return;
			}
		}
		{
			/* The saved copy, which block-attach/-detach keep current, wins. */
			struct lam_cfg *saved = calloc(1, sizeof(*saved));
			bool have = saved != NULL && lam_domain_config_load(ctx, domid, saved) == 0;

			action = lam_domain_handle_shutdown(ctx, have ? saved : cfg, domid,
							    info.shutdown_reason, 0, &new_domid);
			free(saved);
		}
		if (action != LAM_CFG_ACTION_RESTART) {
			return;
		}
		remove_pid_file(domid);
		domid = new_domid;
		*domidp = domid;
		write_pid_file(domid);
	}
}

/** The detached grandchild: set up, report readiness on ready_fd, then supervise. */
static void monitor_main(const struct lam_cfg *cfg, uint16_t domid, int ready_fd)
{
	struct lam_domain_watch *w = NULL;
	struct lam_ctx *ctx = NULL;
	char ok = 'k';
	int err;

	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	if (chdir("/") < 0) {
		/* Not fatal: only keeps a mount point busy. */
	}
	monitor_stdio(cfg->name);
	/*
	 * Ready as soon as it is detached with its log: `lam create` need not wait for the
	 * rest. Nothing is missed meanwhile: a new watch fires once at once, and the loop
	 * reads the domain's state on every wake-up.
	 */
	if (write(ready_fd, &ok, 1) != 1) {
		/* The parent will report the failure; keep supervising anyway. */
	}
	close(ready_fd);
	log_time();
	printf("Monitoring domain %u (%s)\n", domid, cfg->name);
	/* The parent's context does not survive fork(): this process opens its own. */
	err = lam_ctx_alloc(&ctx, "monitor", NULL, NULL);
	if (err != 0) {
		printf("cannot open %s\n", LAM_CTL_PRIVCMD_PATH);
		_exit(1);
	}
	if (lam_domain_watch_open(ctx, MONITOR_TOKEN, &w) != 0) {
		_exit(1);
	}
	if (!lam_domain_watch_connected(w)) {
		printf("xenstored not reachable; polling the domain's state instead\n");
	}
	write_pid_file(domid);

	monitor_loop(ctx, w, cfg, &domid);
	remove_pid_file(domid);
	lam_domain_watch_close(w);
	lam_ctx_free(ctx);
	_exit(0);
}

int lam_monitor_start(const char *cmd, const struct lam_cfg *cfg, uint16_t domid)
{
	int fds[2];
	pid_t pid;
	char c;
	ssize_t n;
	int status;

	if (pipe2(fds, O_CLOEXEC) < 0) {
		lam_err(cmd, "cannot start the domain monitor: %s", strerror(errno));
		return -1;
	}
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		lam_err(cmd, "cannot start the domain monitor: %s", strerror(errno));
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0) {
		close(fds[0]);
		setsid();
		pid = fork();
		if (pid != 0) {
			_exit(pid < 0 ? 1 : 0);
		}
		monitor_main(cfg, domid, fds[1]);
		_exit(1);
	}
	close(fds[1]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
	}
	do {
		n = read(fds[0], &c, 1);
	} while (n < 0 && errno == EINTR);
	close(fds[0]);
	if (n != 1) {
		lam_err(cmd, "the domain monitor failed to start (see %s/lam-%s.log)",
			MONITOR_LOG_DIR, cfg->name);
		(void)status;
		return -1;
	}
	return 0;
}
