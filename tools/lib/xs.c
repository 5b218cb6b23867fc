/* SPDX-License-Identifier: Apache-2.0 */
/*
 * xenstore client over lamina-xenstored's Unix socket. Requests are sent one at a time;
 * while waiting for a reply, XS_WATCH_EVENT messages are queued for lam_xs_read_watch().
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <lam/xs.h>
#include <lam/xs_wire.h>

struct xs_event {
	struct xs_event *next;
	char *path, *token;
};

struct lam_xs {
	int fd;
	uint32_t req_id;
	struct xs_event *events, **events_tail;
};

int lam_xs_open_fd(int fd, struct lam_xs **out)
{
	struct lam_xs *xs = calloc(1, sizeof(*xs));

	if (!xs) {
		return -ENOMEM;
	}
	xs->fd = fd;
	xs->events_tail = &xs->events;
	*out = xs;
	return 0;
}

int lam_xs_open_path(const char *path, struct lam_xs **out)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, err;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		return -ENAMETOOLONG;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		return -errno;
	}
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	err = lam_xs_open_fd(fd, out);
	if (err) {
		close(fd);
	}
	return err;
}

int lam_xs_open(struct lam_xs **out)
{
	const char *env = getenv(LAM_XS_SOCKET_ENV);
	int err;

	if (env && *env) {
		return lam_xs_open_path(env, out);
	}
	err = lam_xs_open_path(LAM_XS_SOCKET_PATH, out);
	if (err == -ENOENT || err == -ECONNREFUSED) {
		err = lam_xs_open_path(LAM_XS_SOCKET_PATH_ALT, out);
	}
	return err;
}

void lam_xs_close(struct lam_xs *xs)
{
	if (!xs) {
		return;
	}
	while (xs->events) {
		struct xs_event *e = xs->events;

		xs->events = e->next;
		free(e->path);
		free(e->token);
		free(e);
	}
	close(xs->fd);
	free(xs);
}

int lam_xs_fd(struct lam_xs *xs)
{
	return xs->fd;
}

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		/* A socket (no SIGPIPE if the daemon died) or a guest's /dev/xen/xenbus. */
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n < 0 && errno == ENOTSOCK) {
			n = write(fd, p, len);
		}

		if (n < 0) {
			if (errno == EINTR) {
				continue;
			}
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int read_all(int fd, void *buf, size_t len)
{
	char *p = buf;

	while (len) {
		ssize_t n = read(fd, p, len);

		if (n < 0) {
			if (errno == EINTR) {
				continue;
			}
			return -errno;
		}
		if (n == 0) {
			return -EPIPE; /* the daemon closed the connection */
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Reads one message; the payload is malloc'd with a NUL appended. */
static int read_msg(struct lam_xs *xs, struct xsd_sockmsg *hdr, char **body)
{
	int err = read_all(xs->fd, hdr, sizeof(*hdr));

	if (err) {
		return err;
	}
	if (hdr->len > XENSTORE_PAYLOAD_MAX) {
		return -EPROTO;
	}
	*body = malloc(hdr->len + 1);
	if (!*body) {
		return -ENOMEM;
	}
	err = read_all(xs->fd, *body, hdr->len);
	if (err) {
		free(*body);
		return err;
	}
	(*body)[hdr->len] = '\0';
	return 0;
}

static int queue_event(struct lam_xs *xs, const char *body, size_t len)
{
	size_t plen = strnlen(body, len);
	struct xs_event *e;

	if (plen >= len) {
		return -EPROTO; /* "path\0token\0" expected */
	}
	e = calloc(1, sizeof(*e));
	if (!e) {
		return -ENOMEM;
	}
	e->path = strdup(body);
	e->token = strndup(body + plen + 1, len - plen - 1);
	if (!e->path || !e->token) {
		free(e->path);
		free(e->token);
		free(e);
		return -ENOMEM;
	}
	*xs->events_tail = e;
	xs->events_tail = &e->next;
	return 0;
}

int lam_xs_request(struct lam_xs *xs, uint32_t type, uint32_t tx, const void *payload, size_t len,
		   char **reply, size_t *reply_len)
{
	struct xsd_sockmsg hdr = { .type = type, .tx_id = tx, .len = (uint32_t)len };
	int err;

	if (len > XENSTORE_PAYLOAD_MAX) {
		return -E2BIG;
	}
	hdr.req_id = ++xs->req_id;
	err = write_all(xs->fd, &hdr, sizeof(hdr));
	if (!err && len) {
		err = write_all(xs->fd, payload, len);
	}
	if (err) {
		return err;
	}
	for (;;) {
		struct xsd_sockmsg rh;
		char *body;

		err = read_msg(xs, &rh, &body);
		if (err) {
			return err;
		}
		if (rh.type == XS_WATCH_EVENT) {
			err = queue_event(xs, body, rh.len);
			free(body);
			if (err) {
				return err;
			}
			continue;
		}
		if (rh.req_id != hdr.req_id) {
			free(body);
			continue; /* a stale reply: not ours */
		}
		if (rh.type == XS_ERROR) {
			err = -xs_wire_errnum(body, rh.len);
			free(body);
			return err;
		}
		if (rh.type != type) {
			free(body);
			return -EPROTO;
		}
		if (reply) {
			*reply = body;
			if (reply_len) {
				*reply_len = rh.len;
			}
		} else {
			free(body);
		}
		return 0;
	}
}

/* Request whose payload is "path\0" [+ extra bytes]. */
static int path_request(struct lam_xs *xs, uint32_t type, uint32_t tx, const char *path,
			const void *extra, size_t extra_len, char **reply, size_t *reply_len)
{
	size_t plen = strlen(path) + 1;
	char *buf;
	int err;

	if (plen + extra_len > XENSTORE_PAYLOAD_MAX) {
		return -E2BIG;
	}
	buf = malloc(plen + extra_len);
	if (!buf) {
		return -ENOMEM;
	}
	memcpy(buf, path, plen);
	if (extra_len) {
		memcpy(buf + plen, extra, extra_len);
	}
	err = lam_xs_request(xs, type, tx, buf, plen + extra_len, reply, reply_len);
	free(buf);
	return err;
}

char *lam_xs_read(struct lam_xs *xs, uint32_t tx, const char *path, size_t *len)
{
	char *reply;
	size_t rlen;
	int err = path_request(xs, XS_READ, tx, path, NULL, 0, &reply, &rlen);

	if (err) {
		errno = -err;
		return NULL;
	}
	if (len) {
		*len = rlen;
	}
	return reply;
}

int lam_xs_write(struct lam_xs *xs, uint32_t tx, const char *path, const void *val, size_t len)
{
	/* The value is not NUL-terminated on the wire: "path\0value". */
	size_t plen = strlen(path);
	int err;
	char *buf;

	if (plen + 1 + len > XENSTORE_PAYLOAD_MAX) {
		return -E2BIG;
	}
	buf = malloc(plen + 1 + len + 1);
	if (!buf) {
		return -ENOMEM;
	}
	memcpy(buf, path, plen + 1);
	if (len) {
		memcpy(buf + plen + 1, val, len);
	}
	err = lam_xs_request(xs, XS_WRITE, tx, buf, plen + 1 + len, NULL, NULL);
	free(buf);
	return err;
}

int lam_xs_write_str(struct lam_xs *xs, uint32_t tx, const char *path, const char *val)
{
	return lam_xs_write(xs, tx, path, val, strlen(val));
}

int lam_xs_printf(struct lam_xs *xs, uint32_t tx, const char *path, const char *fmt, ...)
{
	char *val;
	va_list ap;
	int n, err;

	va_start(ap, fmt);
	n = vasprintf(&val, fmt, ap);
	va_end(ap);
	if (n < 0) {
		return -ENOMEM;
	}
	err = lam_xs_write(xs, tx, path, val, (size_t)n);
	free(val);
	return err;
}

int lam_xs_mkdir(struct lam_xs *xs, uint32_t tx, const char *path)
{
	return path_request(xs, XS_MKDIR, tx, path, NULL, 0, NULL, NULL);
}

int lam_xs_rm(struct lam_xs *xs, uint32_t tx, const char *path)
{
	return path_request(xs, XS_RM, tx, path, NULL, 0, NULL, NULL);
}

/* Splits len bytes of NUL-terminated strings into one block: pointers, then the text. */
static char **split_strings(const char *buf, size_t len, unsigned *n)
{
	unsigned count = 0, i = 0;
	size_t off;
	char **vec, *text;

	for (off = 0; off < len; off++) {
		if (buf[off] == '\0') {
			count++;
		}
	}
	if (len && buf[len - 1] != '\0') {
		count++; /* tolerate a missing final NUL */
	}
	vec = malloc((count + 1) * sizeof(char *) + len + 1);
	if (!vec) {
		return NULL;
	}
	text = (char *)(vec + count + 1);
	memcpy(text, buf, len);
	text[len] = '\0';
	for (off = 0; off < len && i < count; i++) {
		vec[i] = text + off;
		off += strlen(text + off) + 1;
	}
	vec[count] = NULL;
	*n = count;
	return vec;
}

char **lam_xs_directory(struct lam_xs *xs, uint32_t tx, const char *path, unsigned *n)
{
	char *reply, **vec;
	size_t rlen;
	unsigned count;
	int err = path_request(xs, XS_DIRECTORY, tx, path, NULL, 0, &reply, &rlen);

	if (err) {
		errno = -err;
		return NULL;
	}
	vec = split_strings(reply, rlen, &count);
	free(reply);
	if (!vec) {
		errno = ENOMEM;
		return NULL;
	}
	if (n) {
		*n = count;
	}
	return vec;
}

int lam_xs_set_perms(struct lam_xs *xs, uint32_t tx, const char *path, const char *perms,
		     size_t len)
{
	return path_request(xs, XS_SET_PERMS, tx, path, perms, len, NULL, NULL);
}

int lam_xs_set_permv(struct lam_xs *xs, uint32_t tx, const char *path,
		     const struct lam_xs_perm *perms, unsigned n)
{
	static const char letters[4] = { 'n', 'r', 'w', 'b' };
	char buf[XENSTORE_PAYLOAD_MAX];
	size_t off = 0;
	unsigned i;

	if (n == 0) {
		return -EINVAL;
	}
	for (i = 0; i < n; i++) {
		int w;

		if (perms[i].perms > LAM_XS_PERM_BOTH) {
			return -EINVAL;
		}
		w = snprintf(buf + off, sizeof(buf) - off, "%c%u", letters[perms[i].perms],
			     perms[i].domid);
		if (w < 0 || (size_t)w + 1 > sizeof(buf) - off) {
			return -E2BIG;
		}
		off += (size_t)w + 1;
	}
	return lam_xs_set_perms(xs, tx, path, buf, off);
}

struct lam_xs_perm *lam_xs_get_perms(struct lam_xs *xs, uint32_t tx, const char *path, unsigned *n)
{
	struct lam_xs_perm *out;
	char *reply, **vec;
	size_t rlen;
	unsigned count, i;
	int err = path_request(xs, XS_GET_PERMS, tx, path, NULL, 0, &reply, &rlen);

	if (err) {
		errno = -err;
		return NULL;
	}
	vec = split_strings(reply, rlen, &count);
	free(reply);
	if (!vec) {
		errno = ENOMEM;
		return NULL;
	}
	out = calloc(count ? count : 1, sizeof(*out));
	if (!out) {
		free(vec);
		errno = ENOMEM;
		return NULL;
	}
	for (i = 0; i < count; i++) {
		const char *s = vec[i];
		char *end;
		unsigned long id;

		switch (s[0]) {
		case 'n':
			out[i].perms = LAM_XS_PERM_NONE;
			break;
		case 'r':
			out[i].perms = LAM_XS_PERM_READ;
			break;
		case 'w':
			out[i].perms = LAM_XS_PERM_WRITE;
			break;
		case 'b':
			out[i].perms = LAM_XS_PERM_BOTH;
			break;
		default:
			goto bad;
		}
		errno = 0;
		id = strtoul(s + 1, &end, 10);
		if (!s[1] || *end || errno || id > UINT32_MAX) {
			goto bad;
		}
		out[i].domid = (uint32_t)id;
	}
	free(vec);
	*n = count;
	return out;
bad:
	free(vec);
	free(out);
	errno = EPROTO;
	return NULL;
}

static int watch_request(struct lam_xs *xs, uint32_t type, const char *path, const char *token)
{
	return path_request(xs, type, LAM_XS_NO_TX, path, token, strlen(token) + 1, NULL, NULL);
}

int lam_xs_watch(struct lam_xs *xs, const char *path, const char *token)
{
	return watch_request(xs, XS_WATCH, path, token);
}

int lam_xs_unwatch(struct lam_xs *xs, const char *path, const char *token)
{
	return watch_request(xs, XS_UNWATCH, path, token);
}

bool lam_xs_watch_pending(struct lam_xs *xs)
{
	return xs->events != NULL;
}

int lam_xs_read_watch(struct lam_xs *xs, char **path, char **token)
{
	struct xs_event *e;

	while (!xs->events) {
		struct xsd_sockmsg h;
		char *body;
		int err = read_msg(xs, &h, &body);

		if (err) {
			return err;
		}
		if (h.type == XS_WATCH_EVENT) {
			err = queue_event(xs, body, h.len);
		}
		free(body); /* anything else is a stray reply */
		if (err) {
			return err;
		}
	}
	e = xs->events;
	xs->events = e->next;
	if (!xs->events) {
		xs->events_tail = &xs->events;
	}
	*path = e->path;
	*token = e->token;
	free(e);
	return 0;
}

uint32_t lam_xs_transaction_start(struct lam_xs *xs)
{
	char *reply, *end;
	unsigned long id;
	int err = lam_xs_request(xs, XS_TRANSACTION_START, LAM_XS_NO_TX, "", 1, &reply, NULL);

	if (err) {
		errno = -err;
		return 0;
	}
	errno = 0;
	id = strtoul(reply, &end, 10);
	if (*end || errno || id == 0 || id > UINT32_MAX) {
		free(reply);
		errno = EPROTO;
		return 0;
	}
	free(reply);
	return (uint32_t)id;
}

int lam_xs_transaction_end(struct lam_xs *xs, uint32_t tx, bool commit)
{
	return lam_xs_request(xs, XS_TRANSACTION_END, tx, commit ? "T" : "F", 2, NULL, NULL);
}

int lam_xs_introduce(struct lam_xs *xs, uint32_t domid, uint64_t gfn, uint32_t port)
{
	char buf[64];
	int n = snprintf(buf, sizeof(buf), "%u%c%llu%c%u", domid, '\0', (unsigned long long)gfn,
			 '\0', port);

	return lam_xs_request(xs, XS_INTRODUCE, LAM_XS_NO_TX, buf, (size_t)n + 1, NULL, NULL);
}

static int domid_request(struct lam_xs *xs, uint32_t type, uint32_t domid, char **reply)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%u", domid);
	return lam_xs_request(xs, type, LAM_XS_NO_TX, buf, strlen(buf) + 1, reply, NULL);
}

int lam_xs_release(struct lam_xs *xs, uint32_t domid)
{
	return domid_request(xs, XS_RELEASE, domid, NULL);
}

int lam_xs_is_domain_introduced(struct lam_xs *xs, uint32_t domid)
{
	char *reply;
	int err = domid_request(xs, XS_IS_DOMAIN_INTRODUCED, domid, &reply);

	if (err) {
		return err;
	}
	err = reply[0] == 'T' ? 1 : 0;
	free(reply);
	return err;
}

char *lam_xs_get_domain_path(struct lam_xs *xs, uint32_t domid)
{
	char *reply = NULL;
	int err = domid_request(xs, XS_GET_DOMAIN_PATH, domid, &reply);

	if (err) {
		errno = -err;
		return NULL;
	}
	return reply;
}
