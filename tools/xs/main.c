/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lamina-xs: xenstore from the shell, in Dom0 (through lamina-xenstored's socket) or in
 * a guest (through the kernel's /dev/xen/xenbus), like Xen's xenstore-read/-write/-ls/-rm.
 *   lamina-xs read PATH | write PATH VALUE | ls PATH | rm PATH
 * Relative paths are relative to the caller's /local/domain/<id>. Errors name the
 * operation, the path and the reason; the exit status is 1.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lam/xs.h>

#define XENBUS_DEV "/dev/xen/xenbus"

static int xs_connect(struct lam_xs **xs)
{
	int fd, rc;

	/* Dom0: the daemon's socket. A guest: its kernel's xenbus device. */
	if (lam_xs_open(xs) == 0) {
		return 0;
	}
	fd = open(XENBUS_DEV, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr,
			"lamina-xs: cannot reach xenstore: no lamina-xenstored socket and %s: "
			"%s\n",
			XENBUS_DEV, strerror(errno));
		return -1;
	}
	rc = lam_xs_open_fd(fd, xs);
	if (rc != 0) {
		fprintf(stderr, "lamina-xs: %s: %s\n", XENBUS_DEV, strerror(-rc));
		close(fd);
		return -1;
	}
	return 0;
}

static int usage(FILE *f)
{
	fprintf(f, "usage: lamina-xs read PATH | write PATH VALUE | ls PATH | rm PATH\n");
	return f == stderr ? 2 : 0;
}

int main(int argc, char **argv)
{
	struct lam_xs *xs;
	const char *op, *path;
	int rc = 0;

	if (argc == 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
		return usage(stdout);
	}
	if (argc < 3) {
		return usage(stderr);
	}
	op = argv[1];
	path = argv[2];
	if ((strcmp(op, "write") == 0) != (argc == 4) || argc > 4) {
		return usage(stderr);
	}
	if (xs_connect(&xs) != 0) {
		return 1;
	}
	if (strcmp(op, "read") == 0) {
		size_t len;
		char *v = lam_xs_read(xs, 0, path, &len);

		if (v == NULL) {
			rc = -errno;
		} else {
			fwrite(v, 1, len, stdout);
			putchar('\n');
			free(v);
		}
	} else if (strcmp(op, "write") == 0) {
		rc = lam_xs_write(xs, 0, path, argv[3], strlen(argv[3]));
	} else if (strcmp(op, "ls") == 0) {
		unsigned int n;
		char **names = lam_xs_directory(xs, 0, path, &n);

		if (names == NULL) {
			rc = -errno;
		} else {
			for (unsigned int i = 0; i < n; i++) {
				puts(names[i]);
			}
			free(names);
		}
	} else if (strcmp(op, "rm") == 0) {
		rc = lam_xs_rm(xs, 0, path);
	} else {
		lam_xs_close(xs);
		return usage(stderr);
	}
	lam_xs_close(xs);
	if (rc != 0) {
		fprintf(stderr, "lamina-xs: %s %s: %s\n", op, path, strerror(-rc));
		return 1;
	}
	return 0;
}
