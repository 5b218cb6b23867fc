/* SPDX-License-Identifier: Apache-2.0 */
/*
 * xenstore client library for Dom0 userspace: talks to lamina-xenstored over its Unix
 * socket (connections from the socket act as Dom0, i.e. privileged).
 *
 * Conventions: functions returning int give 0 or a negative errno (-EAGAIN for a
 * conflicting transaction commit; -EACCES, -ENOENT, ... as the daemon answered).
 * Functions returning pointers give malloc'd memory (free() it), or NULL with errno set.
 * tx is a transaction ID from lam_xs_transaction_start(), or LAM_XS_NO_TX.
 *
 * One request is outstanding at a time; a handle is not thread-safe. Watch events that
 * arrive while a reply is awaited are queued and returned by lam_xs_read_watch().
 */
#ifndef LAM_XS_H
#define LAM_XS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LAM_XS_SOCKET_PATH "/run/xenstored/socket"
#define LAM_XS_SOCKET_PATH_ALT "/var/run/xenstored/socket"
/* Environment variable that overrides the socket path (Xen's libxenstore uses the same). */
#define LAM_XS_SOCKET_ENV "XENSTORED_PATH"

#define LAM_XS_NO_TX 0u

/* Permission bits of one entry (wire letters: 'n' none, 'r' read, 'w' write, 'b' both). */
#define LAM_XS_PERM_NONE 0u
#define LAM_XS_PERM_READ 1u
#define LAM_XS_PERM_WRITE 2u
#define LAM_XS_PERM_BOTH (LAM_XS_PERM_READ | LAM_XS_PERM_WRITE)

/** One permission entry; the first entry of a list names the owner and the default. */
struct lam_xs_perm {
	uint32_t domid;
	uint32_t perms; /* LAM_XS_PERM_* */
};

struct lam_xs;

/** Connects to $XENSTORED_PATH, else LAM_XS_SOCKET_PATH, else LAM_XS_SOCKET_PATH_ALT. */
int lam_xs_open(struct lam_xs **out);
/** Connects to the socket at path. */
int lam_xs_open_path(const char *path, struct lam_xs **out);
/** Wraps an already-connected stream socket (the handle takes ownership of fd). */
int lam_xs_open_fd(int fd, struct lam_xs **out);
void lam_xs_close(struct lam_xs *xs);
/** The socket, for poll(): readable when a watch event (or part of one) arrived. */
int lam_xs_fd(struct lam_xs *xs);

/** Value of path (NUL-terminated; *len, if given, excludes the NUL). NULL + errno on error. */
char *lam_xs_read(struct lam_xs *xs, uint32_t tx, const char *path, size_t *len);
/** Writes len bytes to path, creating missing parents. */
int lam_xs_write(struct lam_xs *xs, uint32_t tx, const char *path, const void *val, size_t len);
/** lam_xs_write() of a NUL-terminated string. */
int lam_xs_write_str(struct lam_xs *xs, uint32_t tx, const char *path, const char *val);
/** printf-style lam_xs_write_str(). */
int lam_xs_printf(struct lam_xs *xs, uint32_t tx, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
int lam_xs_mkdir(struct lam_xs *xs, uint32_t tx, const char *path);
/** Removes path and everything below it. */
int lam_xs_rm(struct lam_xs *xs, uint32_t tx, const char *path);
/**
 * The child names of path: an array of *n strings followed by a NULL entry, all in one
 * malloc'd block (a single free()). NULL + errno on error.
 */
char **lam_xs_directory(struct lam_xs *xs, uint32_t tx, const char *path, unsigned *n);

/**
 * Sets the permissions of path from the wire form: len bytes of NUL-terminated entries
 * such as "n0\0r5\0" (first entry: owner 0, default none; then domain 5 may read).
 */
int lam_xs_set_perms(struct lam_xs *xs, uint32_t tx, const char *path, const char *perms,
		     size_t len);
/** Sets the permissions of path from n entries (entry 0 = owner and default). */
int lam_xs_set_permv(struct lam_xs *xs, uint32_t tx, const char *path,
		     const struct lam_xs_perm *perms, unsigned n);
/** The permissions of path as a malloc'd array of *n entries. NULL + errno on error. */
struct lam_xs_perm *lam_xs_get_perms(struct lam_xs *xs, uint32_t tx, const char *path, unsigned *n);

/** Registers a watch on path (or "@introduceDomain" / "@releaseDomain"); it fires once at once. */
int lam_xs_watch(struct lam_xs *xs, const char *path, const char *token);
int lam_xs_unwatch(struct lam_xs *xs, const char *path, const char *token);
/**
 * Waits for the next watch event (queued ones first) and returns its path and token,
 * malloc'd (free both). Blocks. 0 or a negative errno (-EPIPE if the daemon went away).
 */
int lam_xs_read_watch(struct lam_xs *xs, char **path, char **token);
/** True if a watch event is already queued (lam_xs_read_watch() will not block). */
bool lam_xs_watch_pending(struct lam_xs *xs);

/** Starts a transaction; returns its ID, or 0 with errno set. */
uint32_t lam_xs_transaction_start(struct lam_xs *xs);
/** Commits (commit = true) or aborts a transaction; -EAGAIN if a commit conflicted. */
int lam_xs_transaction_end(struct lam_xs *xs, uint32_t tx, bool commit);

/** Tells the daemon about a new domain's ring (guest frame gfn) and its xenstore port. */
int lam_xs_introduce(struct lam_xs *xs, uint32_t domid, uint64_t gfn, uint32_t port);
/** Makes the daemon forget a domain (its watches and transactions go; nodes stay). */
int lam_xs_release(struct lam_xs *xs, uint32_t domid);
/** 1 if domid is introduced, 0 if not, or a negative errno. */
int lam_xs_is_domain_introduced(struct lam_xs *xs, uint32_t domid);
/** "/local/domain/<domid>", malloc'd; NULL + errno on error. */
char *lam_xs_get_domain_path(struct lam_xs *xs, uint32_t domid);

/**
 * Sends one raw request and waits for its reply (the general form all the calls above
 * use). On success returns 0, *reply is the malloc'd payload with a NUL appended and
 * *reply_len its length without that NUL. An XS_ERROR reply gives its negative errno.
 */
int lam_xs_request(struct lam_xs *xs, uint32_t type, uint32_t tx, const void *payload, size_t len,
		   char **reply, size_t *reply_len);

#endif /* LAM_XS_H */
