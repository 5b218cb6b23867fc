/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lamina-xenstored: the xenstore daemon of Lamina's Dom0. Serves Dom0's kernel (its
 * xenbus ring in local mode), Dom0 tools (a Unix socket; such clients act as Dom0) and
 * each guest introduced by the toolstack (its grant-mapped ring). Watches VIRQ_DOM_EXC
 * to forget domains that died. One thread, one poll() loop.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <lam/ctl.h>
#include <lam/xs.h>

#include "io.h"

#define SOCKET_DIR "/run/xenstored"
#define VAR_RUN_DIR "/var/run/xenstored"
#define MAX_CLIENTS 256

struct sock_client {
	struct xsd_io io;
	struct sock_client *next;
	int fd;
	struct xsd_conn *conn;
	bool closing; /* protocol error: flush, then close */
};

static struct {
	FILE *log;
	bool verbose;
	const char *socket_path;
	bool use_kernel_ring;
	bool use_hypervisor;
} opts = {
	.socket_path = LAM_XS_SOCKET_PATH,
	.use_kernel_ring = true,
	.use_hypervisor = true,
};

static struct xsd_store *store;
static struct xsd_ring *dom0_ring;
static struct sock_client *clients;
static unsigned nr_clients;
static int listen_fd = -1;
static int virq_port = -1;
static struct lam_ctl *ctl;
static volatile sig_atomic_t stop;

static void log_msg(enum xsd_log_level level, const char *msg)
{
	static const char *const names[] = { "error", "warning", "info", "debug" };
	char stamp[32];
	struct tm tm;
	time_t now;

	if (level == XSD_LOG_DEBUG && !opts.verbose) {
		return;
	}
	now = time(NULL);
	localtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", &tm);
	fprintf(opts.log, "%s lamina-xenstored %s: %s\n", stamp, names[level], msg);
	fflush(opts.log);
}

/* ---- Unix socket clients ---------------------------------------------------------- */

static void client_close(struct sock_client *cl)
{
	struct sock_client **pp;

	for (pp = &clients; *pp; pp = &(*pp)->next) {
		if (*pp == cl) {
			*pp = cl->next;
			break;
		}
	}
	xsd_conn_free(cl->conn);
	close(cl->fd);
	free(cl);
	nr_clients--;
}

/* Writes what the socket takes; returns false if the client is gone. */
static bool client_flush(struct sock_client *cl)
{
	for (;;) {
		size_t len;
		const void *data = xsd_conn_out_peek(cl->conn, &len);
		ssize_t n;

		if (!len) {
			return true;
		}
		n = send(cl->fd, data, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR) {
				continue;
			}
			return errno == EAGAIN || errno == EWOULDBLOCK;
		}
		xsd_conn_out_consume(cl->conn, (size_t)n);
	}
}

static void client_read(struct sock_client *cl)
{
	char buf[4096];
	ssize_t n = recv(cl->fd, buf, sizeof(buf), MSG_DONTWAIT);

	if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
		return;
	}
	if (n <= 0) {
		client_close(cl);
		return;
	}
	if (xsd_conn_feed(cl->conn, buf, (size_t)n) < 0) {
		cl->closing = true;
	}
}

static void accept_client(void)
{
	struct sock_client *cl;
	int fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

	if (fd < 0) {
		return;
	}
	if (nr_clients >= MAX_CLIENTS) {
		xsd_log(store, XSD_LOG_WARN, "too many socket clients; refusing one");
		close(fd);
		return;
	}
	cl = calloc(1, sizeof(*cl));
	if (!cl) {
		close(fd);
		return;
	}
	cl->io.kind = XSD_IO_SOCKET;
	cl->fd = fd;
	cl->conn = xsd_conn_new(store, 0, true, cl); /* socket clients are Dom0 tools */
	if (!cl->conn) {
		close(fd);
		free(cl);
		return;
	}
	cl->next = clients;
	clients = cl;
	nr_clients++;
}

static int mkdir_p(const char *dir)
{
	char tmp[PATH_MAX];
	char *p;

	snprintf(tmp, sizeof(tmp), "%s", dir);
	for (p = tmp + 1; *p; p++) {
		if (*p != '/') {
			continue;
		}
		*p = '\0';
		if (mkdir(tmp, 0755) < 0 && errno != EEXIST) {
			return -errno;
		}
		*p = '/';
	}
	if (mkdir(tmp, 0755) < 0 && errno != EEXIST) {
		return -errno;
	}
	return 0;
}

static int open_socket(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char dir[PATH_MAX], *slash;
	int fd, err;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		return -ENAMETOOLONG;
	}
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		err = mkdir_p(dir);
		if (err) {
			xsd_log(store, XSD_LOG_ERROR, "cannot create %s: %s", dir, strerror(-err));
			return err;
		}
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		return -errno;
	}
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || chmod(path, 0600) < 0 ||
	    listen(fd, 32) < 0) {
		err = -errno;
		xsd_log(store, XSD_LOG_ERROR, "cannot listen on %s: %s", path, strerror(errno));
		close(fd);
		return err;
	}
	return fd;
}

/* Tools built against Xen's older default look in /var/run; point it at our socket. */
static void link_var_run(void)
{
	char real_var_run[PATH_MAX], real_run[PATH_MAX];

	if (strcmp(opts.socket_path, LAM_XS_SOCKET_PATH) != 0) {
		return;
	}
	if (!realpath("/var/run", real_var_run) || !realpath("/run", real_run)) {
		return;
	}
	if (strcmp(real_var_run, real_run) == 0) {
		return; /* the same directory already */
	}
	if (mkdir_p(VAR_RUN_DIR) < 0) {
		return;
	}
	unlink(LAM_XS_SOCKET_PATH_ALT);
	if (symlink(LAM_XS_SOCKET_PATH, LAM_XS_SOCKET_PATH_ALT) < 0) {
		xsd_log(store, XSD_LOG_WARN, "cannot link %s: %s", LAM_XS_SOCKET_PATH_ALT,
			strerror(errno));
	}
}

/* ---- domains ---------------------------------------------------------------------- */

static void check_domains(void)
{
	struct lam_dom_info *list = NULL;
	struct xsd_domstate *states;
	size_t nr = 0, i;
	int err;

	if (!ctl) {
		return;
	}
	err = lam_ctl_domain_list(ctl, &list, &nr);
	if (err) {
		xsd_log(store, XSD_LOG_ERROR, "cannot list domains: %s", lam_ctl_strerror(err));
		return;
	}
	states = calloc(nr ? nr : 1, sizeof(*states));
	if (!states) {
		free(list);
		return;
	}
	for (i = 0; i < nr; i++) {
		states[i].domid = list[i].domid;
		states[i].shutdown = (list[i].flags & LAM_DOMINF_shutdown) != 0;
		states[i].dying = (list[i].flags & LAM_DOMINF_dying) != 0;
	}
	xsd_domains_update(store, states, (unsigned)nr);
	free(states);
	free(list);
}

static void kick(struct xsd_conn *conn)
{
	/* Output is moved by flush_all() at the end of each loop turn. */
	(void)conn;
}

static void process_ring_fn(struct xsd_conn *conn, void *arg)
{
	(void)arg;
	xsd_ring_process(xsd_conn_io(conn));
}

static void flush_all(void)
{
	struct sock_client *cl, *next;

	if (dom0_ring) {
		xsd_ring_process(dom0_ring);
	}
	xsd_for_each_domain(store, process_ring_fn, NULL);
	for (cl = clients; cl; cl = next) {
		next = cl->next;
		if (!client_flush(cl) || (cl->closing && !xsd_conn_out_len(cl->conn))) {
			client_close(cl);
		}
	}
}

static void handle_events(void)
{
	for (;;) {
		int port = lam_evtchn_pending(xsd_evtchn);
		struct xsd_ring *r;

		if (port < 0) {
			return;
		}
		if (port == virq_port) {
			check_domains();
		} else {
			r = xsd_ring_by_port(store, dom0_ring, (uint32_t)port);
			if (r) {
				xsd_ring_process(r);
			}
		}
		lam_evtchn_unmask(xsd_evtchn, (uint32_t)port);
	}
}

static int run(void)
{
	struct pollfd *pfds = calloc(MAX_CLIENTS + 2, sizeof(*pfds));
	struct sock_client **map = calloc(MAX_CLIENTS + 2, sizeof(struct sock_client *));

	if (!pfds || !map) {
		free(pfds);
		free(map);
		return -ENOMEM;
	}
	while (!stop) {
		struct sock_client *cl, *next;
		unsigned n = 0, i;
		int rc;

		flush_all();
		pfds[n].fd = listen_fd;
		pfds[n].events = POLLIN;
		map[n++] = NULL;
		if (xsd_evtchn) {
			pfds[n].fd = lam_evtchn_fd(xsd_evtchn);
			pfds[n].events = POLLIN;
			map[n++] = NULL;
		}
		for (cl = clients; cl; cl = cl->next) {
			pfds[n].fd = cl->fd;
			pfds[n].events = (short)((cl->closing ? 0 : POLLIN) |
						 (xsd_conn_out_len(cl->conn) ? POLLOUT : 0));
			map[n++] = cl;
		}
		rc = poll(pfds, n, -1);
		if (rc < 0) {
			if (errno == EINTR) {
				continue;
			}
			xsd_log(store, XSD_LOG_ERROR, "poll: %s", strerror(errno));
			break;
		}
		if (xsd_evtchn && pfds[1].revents) {
			handle_events();
		}
		/* Clients may be closed below; act only on those still in the list. */
		for (i = 0; i < n; i++) {
			if (!map[i] || !pfds[i].revents) {
				continue;
			}
			for (cl = clients; cl && cl != map[i]; cl = next) {
				next = cl->next;
			}
			if (!cl) {
				continue;
			}
			if (pfds[i].revents & (POLLIN | POLLHUP | POLLERR)) {
				client_read(cl);
			}
		}
		if (pfds[0].revents & POLLIN) {
			accept_client();
		}
	}
	free(pfds);
	free(map);
	return 0;
}

/* ---- start-up ------------------------------------------------------------------- */

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: lamina-xenstored [options]\n"
		"The xenstore daemon of Lamina's Dom0.\n\n"
		"  -D, --daemon           run in the background (default: foreground)\n"
		"  -l, --log FILE         log to FILE instead of stderr\n"
		"  -s, --socket PATH      Unix socket for Dom0 tools (default %s)\n"
		"  -N, --no-kernel-ring   do not attach to Dom0's kernel xenbus ring\n"
		"  -X, --no-hypervisor    no event channels, grant maps or domain list\n"
		"                         (socket-only store, e.g. for testing off Xen)\n"
		"  -v, --verbose          log debug messages\n"
		"  -h, --help             show this help\n",
		LAM_XS_SOCKET_PATH);
}

static int daemonise(void)
{
	pid_t pid = fork();
	int fd;

	if (pid < 0) {
		return -errno;
	}
	if (pid > 0) {
		_exit(0);
	}
	if (setsid() < 0) {
		return -errno;
	}
	pid = fork();
	if (pid < 0) {
		return -errno;
	}
	if (pid > 0) {
		_exit(0);
	}
	if (chdir("/") < 0) {
		return -errno;
	}
	fd = open("/dev/null", O_RDWR);
	if (fd >= 0) {
		dup2(fd, STDIN_FILENO);
		dup2(fd, STDOUT_FILENO);
		if (opts.log != stderr) {
			dup2(fd, STDERR_FILENO);
		}
		if (fd > STDERR_FILENO) {
			close(fd);
		}
	}
	return 0;
}

static const struct xsd_ops ops = {
	.kick = kick,
	.introduce = xsd_io_introduce,
	.rebind = xsd_io_rebind,
	.release = xsd_io_release,
	.log = log_msg,
};

static int setup_hypervisor(void)
{
	int err = lam_evtchn_open(&xsd_evtchn);

	if (err) {
		xsd_log(store, XSD_LOG_ERROR, "cannot open %s: %s (is xen-evtchn loaded?)",
			LAM_EVTCHN_DEVICE, strerror(-err));
		return err;
	}
	lam_evtchn_set_nonblock(xsd_evtchn, true);
	virq_port = lam_evtchn_bind_virq(xsd_evtchn, LAM_VIRQ_DOM_EXC);
	if (virq_port < 0) {
		xsd_log(store, XSD_LOG_WARN,
			"cannot bind VIRQ_DOM_EXC: %s; dead domains will not be noticed",
			strerror(-virq_port));
	}
	err = lam_ctl_open(&ctl);
	if (err) {
		xsd_log(store, XSD_LOG_WARN, "cannot open the control interface: %s",
			lam_ctl_strerror(err));
		ctl = NULL;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "daemon", no_argument, NULL, 'D' },
		{ "log", required_argument, NULL, 'l' },
		{ "socket", required_argument, NULL, 's' },
		{ "no-kernel-ring", no_argument, NULL, 'N' },
		{ "no-hypervisor", no_argument, NULL, 'X' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool daemon = false;
	int c, err;

	opts.log = stderr;
	while ((c = getopt_long(argc, argv, "Dl:s:NXvh", longopts, NULL)) != -1) {
		switch (c) {
		case 'D':
			daemon = true;
			break;
		case 'l':
			opts.log = fopen(optarg, "a");
			if (!opts.log) {
				fprintf(stderr, "lamina-xenstored: cannot open log %s: %s\n",
					optarg, strerror(errno));
				return 1;
			}
			break;
		case 's':
			opts.socket_path = optarg;
			break;
		case 'N':
			opts.use_kernel_ring = false;
			break;
		case 'X':
			opts.use_hypervisor = false;
			opts.use_kernel_ring = false;
			break;
		case 'v':
			opts.verbose = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		usage(stderr);
		return 2;
	}

	signal(SIGPIPE, SIG_IGN);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);

	store = xsd_store_new(&ops);
	if (!store || xsd_store_setup_dom0(store)) {
		fprintf(stderr, "lamina-xenstored: out of memory\n");
		return 1;
	}
	if (opts.use_hypervisor && setup_hypervisor()) {
		return 1;
	}
	listen_fd = open_socket(opts.socket_path);
	if (listen_fd < 0) {
		return 1;
	}
	link_var_run();
	if (opts.use_kernel_ring) {
		err = xsd_ring_attach_dom0(store, &dom0_ring);
		if (err) {
			return 1;
		}
	}
	if (daemon) {
		err = daemonise();
		if (err) {
			xsd_log(store, XSD_LOG_ERROR, "cannot daemonise: %s", strerror(-err));
			return 1;
		}
	}
	xsd_log(store, XSD_LOG_INFO, "serving on %s", opts.socket_path);
	if (ctl) {
		check_domains();
	}
	run();
	xsd_log(store, XSD_LOG_INFO, "exiting");
	unlink(opts.socket_path);
	return 0;
}
