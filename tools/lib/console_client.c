/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `lam console`: connects to lamina-consoled (protocol in lam/console.h) and copies bytes
 * between the terminal and the guest until the escape byte, end of input, a takeover or the
 * domain's end.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include <lam/console.h>

#define EOF_LINGER_MS 500 /* after end of input: wait this long for more output */

static volatile sig_atomic_t console_stop;

static void console_on_signal(int sig)
{
	(void)sig;
	console_stop = 1;
}

/** Writes all of buf; 0 or a negative errno. */
static int console_write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0) {
			if (errno == EINTR) {
				continue;
			}
			return -errno;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/** Connects to lamina-consoled's socket; the fd or a negative errno (message printed). */
static int console_connect(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, err;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", LAM_CONSOLE_SOCK);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		err = -errno;
		fprintf(stderr, "lam: console: socket: %s\n", strerror(-err));
		return err;
	}
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		err = -errno;
		fprintf(stderr,
			"lam: console: cannot reach lamina-consoled at %s: %s (is it running?)\n",
			LAM_CONSOLE_SOCK, strerror(-err));
		close(fd);
		return err;
	}
	return fd;
}

/**
 * Sends the ATTACH request and reads the reply line, byte by byte so that no console output
 * after it is consumed here. 0 on "OK", else a negative errno (message printed).
 */
static int console_handshake(int fd, uint16_t domid)
{
	char line[256];
	size_t len = 0;
	int err;

	snprintf(line, sizeof(line), "ATTACH %u\n", (unsigned int)domid);
	err = console_write_all(fd, line, strlen(line));
	if (err < 0) {
		fprintf(stderr, "lam: console: lamina-consoled: %s\n", strerror(-err));
		return err;
	}
	for (;;) {
		char c;
		ssize_t n = read(fd, &c, 1);

		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n < 0) {
			err = -errno;
			fprintf(stderr, "lam: console: lamina-consoled: %s\n", strerror(-err));
			return err;
		}
		if (n == 0) {
			fprintf(stderr, "lam: console: lamina-consoled closed the connection\n");
			return -ECONNRESET;
		}
		if (c == '\n') {
			break;
		}
		if (len < sizeof(line) - 1) {
			line[len++] = c;
		}
	}
	line[len] = '\0';
	if (strncmp(line, "OK", 2) == 0) {
		return 0;
	}
	if (strncmp(line, "ERR ", 4) == 0) {
		fprintf(stderr, "lam: console: %s\n", line + 4);
		return -ENOENT;
	}
	fprintf(stderr, "lam: console: unexpected reply from lamina-consoled: %s\n", line);
	return -EPROTO;
}

/** Copies one chunk of input to the guest; detaches (returns 1) on the escape byte. */
static int console_forward_input(int in_fd, int sock, char escape, bool *in_eof)
{
	char buf[512];
	ssize_t n = read(in_fd, buf, sizeof(buf));
	size_t len;
	char *esc;
	int err;

	if (n < 0) {
		return errno == EINTR || errno == EAGAIN ? 0 : -errno;
	}
	if (n == 0) {
		*in_eof = true;
		return 0;
	}
	len = (size_t)n;
	esc = escape != 0 ? memchr(buf, escape, len) : NULL;
	if (esc != NULL) {
		len = (size_t)(esc - buf);
	}
	err = console_write_all(sock, buf, len);
	if (err == -EPIPE || err == -ECONNRESET) {
		return 1; /* the server went away: the session is over */
	}
	if (err < 0) {
		return err;
	}
	return esc != NULL ? 1 : 0;
}

/** The copy loop; 0 when the session ended normally, else a negative errno. */
static int console_session(int sock, int in_fd, int out_fd, char escape)
{
	bool in_eof = false;

	while (!console_stop) {
		struct pollfd p[2] = {
			{ .fd = sock, .events = POLLIN },
			{ .fd = in_eof ? -1 : in_fd, .events = POLLIN },
		};
		int rc = poll(p, 2, in_eof ? EOF_LINGER_MS : -1);

		if (rc < 0) {
			if (errno == EINTR) {
				continue;
			}
			return -errno;
		}
		if (rc == 0) {
			return 0; /* end of input, and the guest has gone quiet */
		}
		if (p[0].revents != 0) {
			char buf[4096];
			ssize_t n = read(sock, buf, sizeof(buf));

			if (n < 0 && errno != EINTR) {
				return errno == ECONNRESET || errno == EPIPE ? 0 : -errno;
			}
			if (n == 0) {
				return 0; /* the domain went away, or another client took over */
			}
			if (n > 0) {
				int err = console_write_all(out_fd, buf, (size_t)n);

				if (err < 0) {
					return err;
				}
			}
		}
		if (p[1].revents != 0) {
			int rc2 = console_forward_input(in_fd, sock, escape, &in_eof);

			if (rc2 != 0) {
				return rc2 > 0 ? 0 : rc2;
			}
			if (in_eof) {
				shutdown(sock, SHUT_WR);
			}
		}
	}
	return 0;
}

/** See lam/console.h. */
int lam_console_attach(uint16_t domid, int in_fd, int out_fd, char escape)
{
	struct sigaction sa = { .sa_handler = console_on_signal }, ign = { .sa_handler = SIG_IGN };
	struct sigaction old[3], old_pipe;
	static const int sigs[3] = { SIGINT, SIGTERM, SIGHUP };
	struct termios saved, raw;
	bool is_tty = isatty(in_fd) && tcgetattr(in_fd, &saved) == 0;
	int sock, err;

	/* A write to a connection the server has just closed must fail, not kill us. */
	sigemptyset(&ign.sa_mask);
	sigaction(SIGPIPE, &ign, &old_pipe);
	sock = console_connect();
	if (sock < 0) {
		sigaction(SIGPIPE, &old_pipe, NULL);
		return sock;
	}
	err = console_handshake(sock, domid);
	if (err < 0) {
		close(sock);
		sigaction(SIGPIPE, &old_pipe, NULL);
		return err;
	}
	console_stop = 0;
	sigemptyset(&sa.sa_mask);
	for (int i = 0; i < 3; i++) {
		sigaction(sigs[i], &sa, &old[i]);
	}
	if (is_tty) {
		raw = saved;
		cfmakeraw(&raw);
		tcsetattr(in_fd, TCSANOW, &raw);
	}
	err = console_session(sock, in_fd, out_fd, escape);
	if (is_tty) {
		tcsetattr(in_fd, TCSANOW, &saved);
		/* The guest's last line may lack a newline: start ours on a fresh line. */
		console_write_all(out_fd, "\n", 1);
	}
	for (int i = 0; i < 3; i++) {
		sigaction(sigs[i], &old[i], NULL);
	}
	sigaction(SIGPIPE, &old_pipe, NULL);
	close(sock);
	if (err < 0) {
		fprintf(stderr, "lam: console: %s\n", strerror(-err));
	}
	return err;
}
