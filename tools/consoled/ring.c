/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Byte movers of lamina-consoled (see ring.h).
 *
 * Ring ordering (Xen's xen/include/public/io/console.h, docs/misc/console.txt): the guest writes data, then (after a write
 * barrier) out_prod; so we read out_prod, then (acquire) the data, and publish out_cons
 * only after the data has been copied (release), or the guest could overwrite bytes we have
 * not read yet. The input ring is the mirror image: data first, then in_prod (release).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ring.h"

/* Both indices are shared with a guest that may change them at any time. */
static uint32_t ring_load(const uint32_t *idx)
{
	return __atomic_load_n(idx, __ATOMIC_ACQUIRE);
}

static void ring_store(uint32_t *idx, uint32_t val)
{
	__atomic_store_n(idx, val, __ATOMIC_RELEASE);
}

/** See ring.h. */
ssize_t ring_out_take(struct xencons_interface *intf, char *buf, size_t size)
{
	uint32_t cons = ring_load(&intf->out_cons);
	uint32_t prod = ring_load(&intf->out_prod); /* acquire: data below is at least this new */
	uint32_t avail = prod - cons;
	size_t n = 0;

	if (avail > XENCONS_OUT_SIZE) {
		return -1;
	}
	while (n < size && cons != prod) {
		buf[n++] = intf->out[cons & (XENCONS_OUT_SIZE - 1)];
		cons++;
	}
	ring_store(&intf->out_cons, cons);
	return (ssize_t)n;
}

/** See ring.h. */
void ring_out_reset(struct xencons_interface *intf)
{
	ring_store(&intf->out_cons, ring_load(&intf->out_prod));
}

/** See ring.h. */
size_t ring_in_put(struct xencons_interface *intf, const char *buf, size_t len)
{
	uint32_t cons = ring_load(&intf->in_cons);
	uint32_t prod = ring_load(&intf->in_prod);
	uint32_t used = prod - cons;
	size_t n = 0;

	if (used > XENCONS_IN_SIZE) {
		return 0; /* the guest broke its index: give it nothing rather than garbage */
	}
	/* Full barrier: the guest's in_cons update must be seen before we reuse its slots. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	while (n < len && used < XENCONS_IN_SIZE) {
		intf->in[prod & (XENCONS_IN_SIZE - 1)] = buf[n++];
		prod++;
		used++;
	}
	ring_store(&intf->in_prod, prod);
	return n;
}

/** See ring.h. */
void history_add(struct history *h, const char *data, size_t len)
{
	if (len >= HIST_SIZE) {
		memcpy(h->buf, data + len - HIST_SIZE, HIST_SIZE);
		h->head = 0;
		h->len = HIST_SIZE;
		return;
	}
	for (size_t done = 0; done < len;) {
		size_t chunk = HIST_SIZE - h->head;

		if (chunk > len - done) {
			chunk = len - done;
		}
		memcpy(h->buf + h->head, data + done, chunk);
		h->head = (h->head + chunk) % HIST_SIZE;
		done += chunk;
	}
	h->len = h->len + len > HIST_SIZE ? HIST_SIZE : h->len + len;
}

/** See ring.h. */
size_t history_copy(const struct history *h, char *out)
{
	size_t start = (h->head + HIST_SIZE - h->len) % HIST_SIZE;
	size_t first = HIST_SIZE - start;

	if (first > h->len) {
		first = h->len;
	}
	memcpy(out, h->buf + start, first);
	memcpy(out + first, h->buf, h->len - first);
	return h->len;
}

/** See ring.h. */
void capped_log_open(struct capped_log *l, const char *path, off_t cap)
{
	struct stat st;

	snprintf(l->path, sizeof(l->path), "%s", path);
	l->cap = cap;
	l->size = 0;
	l->fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (l->fd < 0) {
		fprintf(stderr, "lamina-consoled: cannot open %s: %s (output not logged)\n", path,
			strerror(errno));
		return;
	}
	if (fstat(l->fd, &st) == 0) {
		l->size = st.st_size;
	}
}

/** Moves the full log to "<path>.1" (replacing an older one) and starts a new file. */
static void capped_log_rotate(struct capped_log *l)
{
	char old[sizeof(l->path) + 2];

	snprintf(old, sizeof(old), "%s.1", l->path);
	close(l->fd);
	if (rename(l->path, old) < 0) {
		fprintf(stderr, "lamina-consoled: cannot rotate %s: %s\n", l->path,
			strerror(errno));
	}
	l->fd = open(l->path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
	l->size = 0;
}

/** See ring.h. */
void capped_log_write(struct capped_log *l, const char *data, size_t len)
{
	if (l->fd < 0) {
		return;
	}
	if (l->size > 0 && l->size + (off_t)len > l->cap) {
		capped_log_rotate(l);
		if (l->fd < 0) {
			return;
		}
	}
	while (len > 0) {
		ssize_t n = write(l->fd, data, len);

		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			return; /* full disk and the like: keep serving the guest */
		}
		data += n;
		len -= (size_t)n;
		l->size += n;
	}
}

/** See ring.h. */
void capped_log_close(struct capped_log *l)
{
	if (l->fd >= 0) {
		close(l->fd);
	}
	l->fd = -1;
}
