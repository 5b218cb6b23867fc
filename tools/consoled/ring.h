/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The PV console page (Xen's struct xencons_interface in
 * xen/include/public/io/console.h) and the parts of lamina-consoled that only move bytes: ring copies, the per-console
 * history buffer and the size-capped log file. Nothing here touches a device, so it can be
 * exercised on the host.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Our own definition of the page; the layout is Xen's (public/io/console.h). */
#define XENCONS_IN_SIZE 1024
#define XENCONS_OUT_SIZE 2048
#define XENCONSOLE_CONNECTED 0	  /* connection: the backend serves the ring */
#define XENCONSOLE_DISCONNECTED 1 /* connection: as the domain builder leaves it */

/** One 4 KiB page shared with the guest; indices run freely and wrap at 2^32. */
struct xencons_interface {
	char in[XENCONS_IN_SIZE];   /* to the guest: we produce, it consumes */
	char out[XENCONS_OUT_SIZE]; /* from the guest: it produces, we consume */
	uint32_t in_cons, in_prod;
	uint32_t out_cons, out_prod;
	uint8_t connection; /* XENCONSOLE_*; Linux 6.1 does not read it yet */
};

_Static_assert(offsetof(struct xencons_interface, out) == 1024, "xencons out");
_Static_assert(offsetof(struct xencons_interface, in_cons) == 3072, "xencons in_cons");
_Static_assert(offsetof(struct xencons_interface, in_prod) == 3076, "xencons in_prod");
_Static_assert(offsetof(struct xencons_interface, out_cons) == 3080, "xencons out_cons");
_Static_assert(offsetof(struct xencons_interface, out_prod) == 3084, "xencons out_prod");
_Static_assert(offsetof(struct xencons_interface, connection) == 3088, "xencons connection");

/**
 * Takes up to size bytes of guest output from out[] into buf and advances out_cons.
 * Returns the byte count, or -1 if the guest's indices are impossible (more than the ring
 * holds): the caller then resynchronises with ring_out_reset().
 */
ssize_t ring_out_take(struct xencons_interface *intf, char *buf, size_t size);
/** Drops whatever the guest has queued (after bad indices): out_cons = out_prod. */
void ring_out_reset(struct xencons_interface *intf);
/** Puts up to len bytes into in[] for the guest; returns how many fitted (0 when full). */
size_t ring_in_put(struct xencons_interface *intf, const char *buf, size_t len);

/** The last HIST_SIZE bytes of a console's output, replayed to a client on attach. */
#define HIST_SIZE 16384
struct history {
	char buf[HIST_SIZE];
	size_t head; /* next write position */
	size_t len;  /* valid bytes, at most HIST_SIZE */
};

void history_add(struct history *h, const char *data, size_t len);
/** Copies the history, oldest byte first, into out (HIST_SIZE bytes); returns its length. */
size_t history_copy(const struct history *h, char *out);

/** An append-only log file that moves to "<path>.1" when it would grow past cap bytes. */
struct capped_log {
	char path[256];
	int fd; /* -1 when closed or when the file could not be opened */
	off_t size;
	off_t cap;
};

/** Opens (creating, appending to) path; failures leave fd = -1 and are reported once. */
void capped_log_open(struct capped_log *l, const char *path, off_t cap);
void capped_log_write(struct capped_log *l, const char *data, size_t len);
void capped_log_close(struct capped_log *l);
