/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lamina-consoled: the backend of every DomU's PV console (Xen's xenconsoled,
 * tools/console/daemon/io.c; protocol in Xen's docs/misc/console.txt and
 * xen/include/public/io/console.h).
 *
 * For each domain D > 0 whose /local/domain/D/console has a `port` (and a `type` that is
 * "xenconsoled" or absent), the daemon maps the console page (grant ref 0,
 * GNTTAB_RESERVED_CONSOLE, through gntdev; a foreign map of `ring-ref` through privcmd if that
 * fails), binds the console event channel (remote D, remote port `port`), marks the page
 * connected, and from then on drains out[] whenever the guest signals (and once a second, in
 * case a signal was missed): a guest whose ring is full spins until we make room. The output
 * goes to /var/log/lamina/guest-<name>.log (rotated to .1 past 1 MiB), to a 16 KiB history
 * and to the attached client. When the domain shuts down or disappears, the console is torn
 * down (unmap, unbind, close the log and the client).
 *
 * Discovery: watches on @introduceDomain and @releaseDomain rescan /local/domain, and a watch
 * on each domain's console directory catches the keys the toolstack writes later.
 *
 * Clients: the Unix socket LAM_CONSOLE_SOCK (/run/lamina/consoled.sock) speaks the line
 * protocol described in tools/include/lam/console.h:
 *   "ATTACH <domid or name>\n" -> "OK <domid> <name>\n" + history + live output; client bytes
 *                                 go into the guest's in[] ring. A second ATTACH to the same
 *                                 console takes it over (the first client is told and
 *                                 disconnected). The connection closes when the domain goes.
 *   "LIST\n"                   -> "<domid> <name> <log file>\n" per console, then close.
 *   errors                     -> "ERR <message>\n", then close.
 *
 * Single-threaded: one poll() loop over the event-channel device, the xenstore socket, the
 * listening socket and the clients. Usage: lamina-consoled [-v] (runs in the foreground;
 * messages go to stderr).
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <lam/console.h>
#include <lam/ctl.h>
#include <lam/evtchn.h>
#include <lam/gntdev.h>
#include <lam/xs.h>
#include <public/grant_table.h>

#include "ring.h"

_Static_assert(HIST_SIZE == LAM_CONSOLE_HISTORY, "the history replayed on ATTACH");

#define LOG_DIR "/var/log/lamina"
#define LOG_CAP (1 << 20) /* bytes per guest log before it moves to .1 */
#define MAX_CONSOLES 128
#define MAX_CLIENTS 64
#define CLIENT_OUT_MAX (256 * 1024) /* unsent output kept for a slow client */
#define CLIENT_LINE_MAX 128
#define TICK_MS 1000 /* periodic drain and xenstore reconnect */

enum console_state {
	CONS_WAITING,	/* the domain exists; its console keys are not complete yet */
	CONS_CONNECTED, /* page mapped, port bound */
	CONS_IGNORED,	/* `type` names another backend */
	CONS_DEAD,	/* the domain shut down: kept until it disappears, never reconnected */
};

struct client;

/** One domain's console. */
struct console {
	bool used;
	uint16_t domid;
	enum console_state state;
	char name[64];
	char type[32];
	struct xencons_interface *intf;
	bool foreign; /* intf came from lam_ctl_map_foreign(), not gntdev */
	uint32_t remote_port, local_port;
	uint64_t ring_ref;
	bool bad_indices_reported;
	bool connect_err_reported; /* a failed map or bind is reported once, then retried */
	struct capped_log log;
	struct history hist;
	struct client *client; /* the attached client, or NULL */
};

enum client_state {
	CLIENT_REQUEST, /* reading the request line */
	CLIENT_ATTACHED,
	CLIENT_CLOSING, /* sending the rest of out[], then close */
};

struct client {
	bool used;
	int fd;
	enum client_state state;
	struct console *con;
	char line[CLIENT_LINE_MAX];
	size_t line_len;
	char in[XENCONS_IN_SIZE]; /* read from the client, not yet in the guest's ring */
	size_t in_len;
	char *out; /* not yet sent to the client */
	size_t out_len;
	bool out_dropped;
};

static struct console consoles[MAX_CONSOLES];
static struct client clients[MAX_CLIENTS];
static struct lam_evtchn *xce;
static struct lam_xs *xs;
static struct lam_ctl *ctl;
static int listen_fd = -1;
static bool verbose;
static volatile sig_atomic_t quit;

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/** A timestamped line on stderr (the daemon's log file). */
static void say(const char *fmt, ...)
{
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	va_list ap;

	strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", localtime_r(&now, &tm));
	fprintf(stderr, "%s lamina-consoled: ", stamp);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* ------------------------------------------------------------------ clients */

/** Queues bytes for a client and sends what the socket takes now. */
static void client_send(struct client *c, const char *data, size_t len)
{
	if (c->out_len == 0) {
		while (len > 0) {
			ssize_t n = send(c->fd, data, len, MSG_NOSIGNAL | MSG_DONTWAIT);

			if (n < 0 && errno == EINTR) {
				continue;
			}
			if (n <= 0) {
				break; /* EAGAIN: queue the rest; errors show up in poll() */
			}
			data += n;
			len -= (size_t)n;
		}
	}
	if (len == 0) {
		return;
	}
	if (c->out_len + len > CLIENT_OUT_MAX) {
		/* A stopped client must not stall the guest: the log keeps everything. */
		c->out_dropped = true;
		return;
	}
	char *grown = realloc(c->out, c->out_len + len);

	if (grown == NULL) {
		c->out_dropped = true;
		return;
	}
	c->out = grown;
	memcpy(c->out + c->out_len, data, len);
	c->out_len += len;
}

static void client_send_str(struct client *c, const char *s)
{
	client_send(c, s, strlen(s));
}

static void client_free(struct client *c)
{
	if (c->con != NULL && c->con->client == c) {
		c->con->client = NULL;
	}
	close(c->fd);
	free(c->out);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}

/** Closes the connection once the queued output has gone (or at once if nothing is queued). */
static void client_finish(struct client *c)
{
	if (c->con != NULL && c->con->client == c) {
		c->con->client = NULL;
	}
	c->con = NULL;
	if (c->out_len == 0) {
		client_free(c);
		return;
	}
	shutdown(c->fd, SHUT_RD);
	c->state = CLIENT_CLOSING;
}

/** Sends as much queued output as the socket takes. */
static void client_flush(struct client *c)
{
	size_t done = 0;

	while (done < c->out_len) {
		ssize_t n =
			send(c->fd, c->out + done, c->out_len - done, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			break;
		}
		if (n <= 0) {
			client_free(c);
			return;
		}
		done += (size_t)n;
	}
	memmove(c->out, c->out + done, c->out_len - done);
	c->out_len -= done;
	if (c->out_len == 0 && c->state == CLIENT_CLOSING) {
		client_free(c);
	}
}

/* ----------------------------------------------------------------- consoles */

static struct console *console_find(uint16_t domid)
{
	for (int i = 0; i < MAX_CONSOLES; i++) {
		if (consoles[i].used && consoles[i].domid == domid) {
			return &consoles[i];
		}
	}
	return NULL;
}

static struct console *console_find_port(uint32_t local_port)
{
	for (int i = 0; i < MAX_CONSOLES; i++) {
		struct console *con = &consoles[i];

		if (con->used && con->state == CONS_CONNECTED && con->local_port == local_port) {
			return con;
		}
	}
	return NULL;
}

static struct console *console_find_name(const char *name)
{
	for (int i = 0; i < MAX_CONSOLES; i++) {
		if (consoles[i].used && strcmp(consoles[i].name, name) == 0) {
			return &consoles[i];
		}
	}
	return NULL;
}

/** Sends guest output to the log, the history and the attached client. */
static void console_emit(struct console *con, const char *data, size_t len)
{
	capped_log_write(&con->log, data, len);
	history_add(&con->hist, data, len);
	if (con->client != NULL) {
		client_send(con->client, data, len);
	}
}

/** Empties the guest's out[] ring; notifies the guest if room was made. */
static void console_drain(struct console *con)
{
	bool took = false;

	if (con->state != CONS_CONNECTED) {
		return;
	}
	for (;;) {
		char buf[XENCONS_OUT_SIZE];
		ssize_t n = ring_out_take(con->intf, buf, sizeof(buf));

		if (n < 0) {
			if (!con->bad_indices_reported) {
				say("d%u: impossible console ring indices: dropping its output",
				    con->domid);
				con->bad_indices_reported = true;
			}
			ring_out_reset(con->intf);
			took = true;
			break;
		}
		if (n == 0) {
			break;
		}
		console_emit(con, buf, (size_t)n);
		took = true;
	}
	if (took) {
		lam_evtchn_notify(xce, con->local_port);
	}
}

/** Moves the attached client's pending input into in[]; notifies the guest. */
static void console_feed(struct console *con)
{
	struct client *c = con->client;
	size_t n;

	if (con->state != CONS_CONNECTED || c == NULL || c->in_len == 0) {
		return;
	}
	n = ring_in_put(con->intf, c->in, c->in_len);
	if (n == 0) {
		return; /* full: the guest notifies when it has read some */
	}
	memmove(c->in, c->in + n, c->in_len - n);
	c->in_len -= n;
	lam_evtchn_notify(xce, con->local_port);
}

/** Unmaps and unbinds a connected console (its entry and log stay). */
static void console_disconnect(struct console *con)
{
	if (con->state != CONS_CONNECTED) {
		return;
	}
	console_drain(con); /* whatever the guest wrote last */
	lam_evtchn_unbind(xce, con->local_port);
	if (con->foreign) {
		lam_ctl_unmap_foreign(con->intf, 1);
	} else {
		lam_gnt_unmap(con->intf);
	}
	con->intf = NULL;
	capped_log_close(&con->log);
	say("d%u (%s): console disconnected", con->domid, con->name);
}

/** Forgets a console: disconnects it and ends its client's session. */
static void console_remove(struct console *con)
{
	char watch[64];

	console_disconnect(con);
	if (con->client != NULL) {
		client_finish(con->client);
	}
	if (xs != NULL) {
		snprintf(watch, sizeof(watch), "/local/domain/%u/console", con->domid);
		lam_xs_unwatch(xs, watch, watch);
	}
	memset(con, 0, sizeof(*con));
	con->log.fd = -1;
}

/** A domain's xenstore key below /local/domain/D, malloc'd, or NULL. */
static char *console_read_key(uint16_t domid, const char *key)
{
	char path[96];

	snprintf(path, sizeof(path), "/local/domain/%u/%s", domid, key);
	return lam_xs_read(xs, LAM_XS_NO_TX, path, NULL);
}

/** Reads a decimal key; false if missing or not a number. */
static bool console_read_num(uint16_t domid, const char *key, uint64_t *out)
{
	char *val = console_read_key(domid, key), *end;
	bool ok = false;

	if (val != NULL && val[0] != '\0') {
		errno = 0;
		*out = strtoull(val, &end, 10);
		ok = errno == 0 && *end == '\0';
	}
	free(val);
	return ok;
}

/** "guest-<name>.log" with anything odd in the name replaced. */
static void console_log_path(const struct console *con, char *out, size_t size)
{
	char safe[sizeof(con->name)];
	size_t i;

	for (i = 0; con->name[i] != '\0' && i < sizeof(safe) - 1; i++) {
		char ch = con->name[i];

		safe[i] = isalnum((unsigned char)ch) || ch == '-' || ch == '_' || ch == '.' ? ch
											    : '_';
	}
	safe[i] = '\0';
	if (safe[0] == '.' || safe[0] == '\0') {
		snprintf(safe, sizeof(safe), "d%u", con->domid);
	}
	snprintf(out, size, "%s/guest-%s.log", LOG_DIR, safe);
}

/** Maps the console page: grant ref 0 first, then a foreign map of ring-ref. */
static int console_map(struct console *con)
{
	int saved;

	con->intf = lam_gnt_map(con->domid, GNTTAB_RESERVED_CONSOLE, 1);
	con->foreign = false;
	if (con->intf != NULL) {
		return 0;
	}
	saved = errno;
	if (ctl != NULL && con->ring_ref != 0) {
		int err = 0;

		con->intf = lam_ctl_map_foreign(ctl, con->domid, &con->ring_ref, 1, &err);
		if (con->intf != NULL) {
			con->foreign = true;
			if (verbose) {
				say("d%u: grant ref 0 not mappable (%s): using ring-ref %#llx",
				    con->domid, strerror(saved), (unsigned long long)con->ring_ref);
			}
			return 0;
		}
	}
	return -saved;
}

/**
 * Connects a console whose keys are complete; leaves it WAITING otherwise. A console
 * whose port or ring-ref changed (the domain ID was reused) is reconnected.
 */
static void console_try_connect(struct console *con)
{
	uint64_t port = 0, ring_ref = 0;
	char *type, *name, logpath[sizeof(con->log.path)];
	int rc;

	if (xs == NULL || con->state == CONS_DEAD) {
		return;
	}
	type = console_read_key(con->domid, "console/type");
	snprintf(con->type, sizeof(con->type), "%s", type != NULL ? type : "");
	free(type);
	if (con->type[0] != '\0' && strcmp(con->type, "xenconsoled") != 0) {
		console_disconnect(con);
		con->state = CONS_IGNORED;
		return;
	}
	if (!console_read_num(con->domid, "console/port", &port) || port == 0) {
		return;
	}
	console_read_num(con->domid, "console/ring-ref", &ring_ref);
	if (con->state == CONS_CONNECTED) {
		if (port == con->remote_port && ring_ref == con->ring_ref) {
			return;
		}
		console_disconnect(con);
	}
	con->state = CONS_WAITING;
	con->remote_port = (uint32_t)port;
	con->ring_ref = ring_ref;
	name = console_read_key(con->domid, "name");
	snprintf(con->name, sizeof(con->name), "%s", name != NULL ? name : "");
	free(name);
	if (con->name[0] == '\0') {
		snprintf(con->name, sizeof(con->name), "d%u", con->domid);
	}

	rc = console_map(con);
	if (rc < 0) {
		if (!con->connect_err_reported) {
			say("d%u (%s): cannot map the console page: %s (retrying)", con->domid,
			    con->name, strerror(-rc));
			con->connect_err_reported = true;
		}
		return;
	}
	rc = lam_evtchn_bind_interdomain(xce, con->domid, con->remote_port);
	if (rc < 0) {
		if (!con->connect_err_reported) {
			say("d%u (%s): cannot bind event channel %u: %s (retrying)", con->domid,
			    con->name, con->remote_port, strerror(-rc));
			con->connect_err_reported = true;
		}
		if (con->foreign) {
			lam_ctl_unmap_foreign(con->intf, 1);
		} else {
			lam_gnt_unmap(con->intf);
		}
		con->intf = NULL;
		return;
	}
	con->local_port = (uint32_t)rc;
	con->state = CONS_CONNECTED;
	con->bad_indices_reported = false;
	con->connect_err_reported = false;
	__atomic_store_n(&con->intf->connection, XENCONSOLE_CONNECTED, __ATOMIC_RELEASE);
	console_log_path(con, logpath, sizeof(logpath));
	capped_log_open(&con->log, logpath, LOG_CAP);
	say("d%u (%s): console connected (port %u, local port %u%s), logging to %s", con->domid,
	    con->name, con->remote_port, con->local_port, con->foreign ? ", foreign map" : "",
	    logpath);
	console_drain(con); /* output written before we were there */
	console_feed(con);
	lam_evtchn_notify(xce, con->local_port);
}

/** Adds a WAITING console for a domain seen in xenstore and watches its console keys. */
static struct console *console_add(uint16_t domid)
{
	char watch[64];

	for (int i = 0; i < MAX_CONSOLES; i++) {
		struct console *con = &consoles[i];

		if (con->used) {
			continue;
		}
		memset(con, 0, sizeof(*con));
		con->used = true;
		con->domid = domid;
		con->state = CONS_WAITING;
		con->log.fd = -1;
		snprintf(con->name, sizeof(con->name), "d%u", domid);
		snprintf(watch, sizeof(watch), "/local/domain/%u/console", domid);
		/* The watch fires at once, and again whenever the toolstack writes a key. */
		lam_xs_watch(xs, watch, watch);
		return con;
	}
	say("d%u: more than %d consoles: not served", domid, MAX_CONSOLES);
	return NULL;
}

/**
 * Is the domain gone or shut down? Asks the hypervisor when we can; otherwise its xenstore
 * directory tells (the toolstack removes it when it destroys the domain).
 */
static bool console_domain_over(uint16_t domid)
{
	char path[48], *val;

	if (ctl != NULL) {
		struct lam_dom_info info;
		int rc = lam_ctl_domain_getinfo(ctl, domid, &info);

		if (rc == 0) {
			return (info.flags & (LAM_DOMINF_dying | LAM_DOMINF_shutdown)) != 0;
		}
		if (rc == -ESRCH || rc == -ENOENT) {
			return true;
		}
	}
	snprintf(path, sizeof(path), "/local/domain/%u", domid);
	val = lam_xs_read(xs, LAM_XS_NO_TX, path, NULL);
	if (val == NULL) {
		return errno == ENOENT;
	}
	free(val);
	return false;
}

/** Brings the console table in line with /local/domain and the hypervisor's domains. */
static void consoles_scan(void)
{
	bool seen[MAX_CONSOLES] = { false };
	unsigned int n = 0;
	char **dir;

	if (xs == NULL) {
		return;
	}
	dir = lam_xs_directory(xs, LAM_XS_NO_TX, "/local/domain", &n);
	if (dir == NULL) {
		if (errno != ENOENT) {
			say("cannot list /local/domain: %s", strerror(errno));
			return;
		}
		n = 0; /* no /local/domain: every domain is gone (whatever the call did to n) */
	}
	for (unsigned int i = 0; i < n; i++) {
		char *end;
		unsigned long domid = strtoul(dir[i], &end, 10);
		struct console *con;

		if (*end != '\0' || domid == 0 || domid >= 0x7ff0) {
			continue; /* Dom0 and anything that is not a domain */
		}
		con = console_find((uint16_t)domid);
		if (con == NULL) {
			if (console_domain_over((uint16_t)domid)) {
				continue;
			}
			con = console_add((uint16_t)domid);
			if (con == NULL) {
				continue;
			}
		}
		seen[con - consoles] = true;
	}
	free(dir);
	for (int i = 0; i < MAX_CONSOLES; i++) {
		struct console *con = &consoles[i];

		if (!con->used) {
			continue;
		}
		if (!seen[i]) {
			say("d%u (%s): domain gone", con->domid, con->name);
			console_remove(con);
		} else if (con->state != CONS_DEAD && console_domain_over(con->domid)) {
			say("d%u (%s): domain shut down", con->domid, con->name);
			console_disconnect(con);
			if (con->client != NULL) {
				client_finish(con->client);
			}
			con->state = CONS_DEAD;
		} else {
			console_try_connect(con);
		}
	}
}

/* ----------------------------------------------------------------- xenstore */

/** Drops the xenstore connection (it is retried every tick). */
static void xs_lost(void)
{
	say("lost the connection to xenstored: retrying");
	lam_xs_close(xs);
	xs = NULL;
}

/** Connects to xenstored if we are not; sets the global watches. Quiet while it is down. */
static void xs_connect(void)
{
	static bool reported;
	int rc;

	if (xs != NULL) {
		return;
	}
	rc = lam_xs_open(&xs);
	if (rc < 0) {
		xs = NULL;
		if (!reported) {
			say("xenstored not reachable yet (%s): retrying every second",
			    strerror(-rc));
			reported = true;
		}
		return;
	}
	reported = false;
	if (lam_xs_watch(xs, "@introduceDomain", "intro") < 0 ||
	    lam_xs_watch(xs, "@releaseDomain", "release") < 0) {
		say("cannot set the domain watches: %s", strerror(errno));
		xs_lost();
		return;
	}
	/* Watches of consoles we already knew died with the old connection. */
	for (int i = 0; i < MAX_CONSOLES; i++) {
		if (consoles[i].used) {
			char watch[64];

			snprintf(watch, sizeof(watch), "/local/domain/%u/console",
				 consoles[i].domid);
			lam_xs_watch(xs, watch, watch);
		}
	}
	say("connected to xenstored");
	consoles_scan();
}

/** Handles every watch event that has arrived (one read may queue several). */
static void xs_events(void)
{
	do {
		char *path = NULL, *token = NULL;
		unsigned int domid;
		int rc = lam_xs_read_watch(xs, &path, &token);

		if (rc < 0) {
			free(path);
			free(token);
			xs_lost();
			return;
		}
		if (verbose) {
			say("watch %s (%s)", path, token);
		}
		if (sscanf(token, "/local/domain/%u/console", &domid) == 1) {
			struct console *con = console_find((uint16_t)domid);

			if (con != NULL) {
				console_try_connect(con);
			}
		} else {
			consoles_scan();
		}
		free(path);
		free(token);
	} while (xs != NULL && lam_xs_watch_pending(xs));
}

/* ------------------------------------------------------------ the socket */

/** Finds the console an ATTACH names (a domid or a domain name), scanning if unknown. */
static struct console *attach_lookup(const char *what)
{
	char *end;
	unsigned long domid = strtoul(what, &end, 10);
	bool numeric = what[0] != '\0' && *end == '\0';

	for (int pass = 0; pass < 2; pass++) {
		struct console *con =
			numeric ? console_find((uint16_t)domid) : console_find_name(what);

		if (con != NULL || (numeric && (domid == 0 || domid >= 0x7ff0))) {
			return con;
		}
		if (pass == 0) {
			consoles_scan(); /* `lam create -c` may be quicker than the watch */
		}
	}
	return NULL;
}

static void client_attach(struct client *c, const char *what)
{
	char msg[160];
	struct console *con;
	char *hist;
	size_t len;

	if (xs == NULL) {
		client_send_str(c, "ERR lamina-consoled cannot reach xenstored\n");
		client_finish(c);
		return;
	}
	con = attach_lookup(what);
	if (con == NULL) {
		snprintf(msg, sizeof(msg), "ERR no guest console for domain '%s'%s\n", what,
			 strcmp(what, "0") == 0 ? " (Dom0's console is the hypervisor's)" : "");
		client_send_str(c, msg);
		client_finish(c);
		return;
	}
	if (con->state == CONS_IGNORED) {
		snprintf(msg, sizeof(msg), "ERR d%u's console is served by '%s', not by us\n",
			 con->domid, con->type);
		client_send_str(c, msg);
		client_finish(c);
		return;
	}
	if (con->state == CONS_DEAD) {
		snprintf(msg, sizeof(msg), "ERR d%u (%s) has shut down\n", con->domid, con->name);
		client_send_str(c, msg);
		client_finish(c);
		return;
	}
	if (con->client != NULL) {
		client_send_str(con->client, LAM_CONSOLE_TAKEN_MSG);
		client_finish(con->client);
	}
	snprintf(msg, sizeof(msg), "OK %u %s\n", con->domid, con->name);
	client_send_str(c, msg);
	hist = malloc(HIST_SIZE);
	if (hist != NULL) {
		len = history_copy(&con->hist, hist);
		client_send(c, hist, len);
		free(hist);
	}
	c->state = CLIENT_ATTACHED;
	c->con = con;
	con->client = c;
	say("d%u (%s): client attached", con->domid, con->name);
}

static void client_list(struct client *c)
{
	for (int i = 0; i < MAX_CONSOLES; i++) {
		struct console *con = &consoles[i];
		char line[400];

		if (!con->used || con->state == CONS_IGNORED) {
			continue;
		}
		snprintf(line, sizeof(line), "%u %s %s\n", con->domid, con->name,
			 con->log.path[0] != '\0' ? con->log.path : "-");
		client_send_str(c, line);
	}
	client_finish(c);
}

/** Parses the request line once it is complete. */
static void client_request(struct client *c, const char *data, size_t len)
{
	size_t i;

	for (i = 0; i < len && c->state == CLIENT_REQUEST; i++) {
		if (data[i] != '\n') {
			if (c->line_len >= sizeof(c->line) - 1) {
				client_send_str(c, "ERR request line too long\n");
				client_finish(c);
				return;
			}
			c->line[c->line_len++] = data[i];
			continue;
		}
		c->line[c->line_len] = '\0';
		if (c->line_len > 0 && c->line[c->line_len - 1] == '\r') {
			c->line[--c->line_len] = '\0';
		}
		if (strncmp(c->line, "ATTACH ", 7) == 0) {
			client_attach(c, c->line + 7);
		} else if (strcmp(c->line, "LIST") == 0) {
			client_list(c);
			return;
		} else {
			client_send_str(c,
					"ERR unknown request (expected ATTACH <domid> or LIST)\n");
			client_finish(c);
			return;
		}
	}
	/* Input typed right behind the request line goes to the guest. */
	if (c->used && c->state == CLIENT_ATTACHED && i < len) {
		size_t n = len - i;

		if (n > sizeof(c->in) - c->in_len) {
			n = sizeof(c->in) - c->in_len;
		}
		memcpy(c->in + c->in_len, data + i, n);
		c->in_len += n;
		console_feed(c->con);
	}
}

/** The client's socket is readable. */
static void client_readable(struct client *c)
{
	char buf[XENCONS_IN_SIZE];
	size_t room = c->state == CLIENT_ATTACHED ? sizeof(c->in) - c->in_len : sizeof(buf);
	ssize_t n;

	if (room == 0) {
		return;
	}
	if (c->state == CLIENT_REQUEST) {
		room = sizeof(buf);
	}
	n = recv(c->fd, buf, room, MSG_DONTWAIT);
	if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
		return;
	}
	if (n <= 0) {
		if (c->con != NULL) {
			say("d%u (%s): client detached", c->con->domid, c->con->name);
		}
		client_free(c);
		return;
	}
	if (c->state == CLIENT_REQUEST) {
		client_request(c, buf, (size_t)n);
		return;
	}
	memcpy(c->in + c->in_len, buf, (size_t)n);
	c->in_len += (size_t)n;
	console_feed(c->con);
}

static void listener_accept(void)
{
	int fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

	if (fd < 0) {
		return;
	}
	for (int i = 0; i < MAX_CLIENTS; i++) {
		if (!clients[i].used) {
			memset(&clients[i], 0, sizeof(clients[i]));
			clients[i].used = true;
			clients[i].fd = fd;
			clients[i].state = CLIENT_REQUEST;
			return;
		}
	}
	send(fd, "ERR too many clients\n", 21, MSG_NOSIGNAL | MSG_DONTWAIT);
	close(fd);
}

/** Creates the listening socket; refuses to start if another daemon answers on it. */
static int listener_open(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", LAM_CONSOLE_SOCK);
	mkdir("/run/lamina", 0755);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		return -errno;
	}
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
		close(fd);
		return -EADDRINUSE;
	}
	close(fd);
	unlink(LAM_CONSOLE_SOCK); /* a stale socket of a daemon that died */
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		return -errno;
	}
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || chmod(sa.sun_path, 0600) < 0 ||
	    listen(fd, 16) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

/* ---------------------------------------------------------------- main loop */

/** Drains every port that fired and re-enables it. */
static void evtchn_events(void)
{
	for (;;) {
		int port = lam_evtchn_pending(xce);
		struct console *con;

		if (port < 0) {
			if (port != -EAGAIN && port != -EINTR) {
				say("reading /dev/xen/evtchn: %s", strerror(-port));
			}
			return;
		}
		con = console_find_port((uint32_t)port);
		if (con != NULL) {
			console_drain(con);
			console_feed(con); /* the guest may have read its input */
		}
		lam_evtchn_unmask(xce, (uint32_t)port);
	}
}

static void on_signal(int sig)
{
	(void)sig;
	quit = 1;
}

/** One round: poll everything, then handle what is ready. */
static void loop_once(void)
{
	struct pollfd p[3 + MAX_CLIENTS];
	struct client *who[MAX_CLIENTS];
	int nfds = 0, nc = 0, rc;

	p[nfds++] = (struct pollfd){ .fd = lam_evtchn_fd(xce), .events = POLLIN };
	p[nfds++] = (struct pollfd){ .fd = listen_fd, .events = POLLIN };
	p[nfds++] = (struct pollfd){ .fd = xs != NULL ? lam_xs_fd(xs) : -1, .events = POLLIN };
	for (int i = 0; i < MAX_CLIENTS; i++) {
		struct client *c = &clients[i];
		short ev = 0;

		if (!c->used) {
			continue;
		}
		/* Input waits in c->in while the guest's ring is full. */
		if (c->state == CLIENT_REQUEST ||
		    (c->state == CLIENT_ATTACHED && c->in_len < sizeof(c->in))) {
			ev |= POLLIN;
		}
		if (c->out_len > 0) {
			ev |= POLLOUT;
		}
		who[nc++] = c;
		p[nfds++] = (struct pollfd){ .fd = c->fd, .events = ev };
	}
	rc = poll(p, (nfds_t)nfds, TICK_MS);
	if (rc < 0) {
		return; /* EINTR: a signal; the caller checks quit */
	}
	if (p[0].revents != 0) {
		evtchn_events();
	}
	if (p[2].revents != 0 && xs != NULL) {
		xs_events();
	}
	for (int i = 0; i < nc; i++) {
		struct client *c = who[i];
		short re = p[3 + i].revents;

		if (!c->used || c->fd != p[3 + i].fd) {
			continue; /* freed (or reused) while handling an earlier fd */
		}
		if (re & POLLOUT) {
			client_flush(c);
		}
		if (c->used && (re & (POLLIN | POLLHUP | POLLERR))) {
			if (c->state == CLIENT_CLOSING) {
				if (re & (POLLHUP | POLLERR)) {
					client_free(c);
				}
			} else {
				client_readable(c);
			}
		}
	}
	if (p[1].revents != 0) {
		listener_accept(); /* after the clients: a new one may take a freed slot */
	}
	/* The tick: reconnect xenstore, retry consoles that could not connect, catch output
	 * whose event we missed. */
	if (rc == 0) {
		xs_connect();
		for (int i = 0; i < MAX_CONSOLES && xs != NULL; i++) {
			struct console *con = &consoles[i];

			if (con->used && con->state == CONS_WAITING) {
				console_try_connect(con);
			}
			if (con->used) {
				console_drain(con);
				console_feed(con);
			}
		}
	}
	if (xs != NULL && lam_xs_watch_pending(xs)) {
		xs_events(); /* events queued behind replies to our own requests */
	}
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	int rc;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-v") == 0) {
			verbose = true;
		} else {
			fprintf(stderr, "usage: lamina-consoled [-v]\n");
			return 2;
		}
	}
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	for (int i = 0; i < MAX_CLIENTS; i++) {
		clients[i].fd = -1;
	}
	mkdir(LOG_DIR, 0755);

	rc = lam_evtchn_open(&xce);
	if (rc < 0) {
		say("cannot open %s: %s", LAM_EVTCHN_DEVICE, strerror(-rc));
		return 1;
	}
	lam_evtchn_set_nonblock(xce, true);
	rc = lam_ctl_open(&ctl);
	if (rc < 0) {
		say("no privcmd (%s): domain state from xenstore only, no foreign-map fallback",
		    lam_ctl_strerror(rc));
		ctl = NULL;
	}
	listen_fd = listener_open();
	if (listen_fd < 0) {
		say("cannot listen on %s: %s", LAM_CONSOLE_SOCK,
		    listen_fd == -EADDRINUSE ? "another lamina-consoled is running"
					     : strerror(-listen_fd));
		return 1;
	}
	say("serving %s; guest logs in %s", LAM_CONSOLE_SOCK, LOG_DIR);
	xs_connect();
	while (!quit) {
		loop_once();
	}

	say("stopping");
	for (int i = 0; i < MAX_CONSOLES; i++) {
		if (consoles[i].used) {
			console_remove(&consoles[i]);
		}
	}
	for (int i = 0; i < MAX_CLIENTS; i++) {
		if (clients[i].used) {
			client_free(&clients[i]);
		}
	}
	close(listen_fd);
	unlink(LAM_CONSOLE_SOCK);
	if (xs != NULL) {
		lam_xs_close(xs);
	}
	if (ctl != NULL) {
		lam_ctl_close(ctl);
	}
	lam_evtchn_close(xce);
	lam_gnt_shutdown();
	return 0;
}
