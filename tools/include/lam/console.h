/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The client side of lamina-consoled's Unix socket: `lam console` and `lam create -c`.
 *
 * The socket protocol (a stream socket at LAM_CONSOLE_SOCK; every request is one line):
 *
 *   ATTACH <domid>\n   (or ATTACH <domain name>\n) reply "OK <domid> <name>\n", then the last
 *                      LAM_CONSOLE_HISTORY bytes of the guest's output, then its live output
 *                      (a domain whose console keys are not written yet is accepted: its
 *                      output starts when the daemon connects to it). Bytes the client sends
 *                      after the request line go to the guest's input ring (in[]). The server
 *                      closes the connection when the domain goes away. One client per
 *                      console: a new ATTACH takes the console over, and the previous client
 *                      is sent LAM_CONSOLE_TAKEN_MSG and disconnected.
 *   LIST\n             one line per console, "<domid> <name> <log file>\n", then the server
 *                      closes the connection.
 *   any failure        reply "ERR <message>\n", then the server closes the connection.
 */
#pragma once

#include <stdint.h>

#define LAM_CONSOLE_SOCK "/run/lamina/consoled.sock"
#define LAM_CONSOLE_HISTORY 16384 /* bytes of earlier output replayed on ATTACH */
#define LAM_CONSOLE_ESCAPE 0x1d	  /* Ctrl-], as xl console */
#define LAM_CONSOLE_TAKEN_MSG "\r\n[lamina-consoled: another client attached to this console]\r\n"

/**
 * Attaches to domain domid's PV console through lamina-consoled: guest output goes to out_fd,
 * bytes read from in_fd go to the guest. When in_fd is a terminal it is put in raw mode for
 * the duration (and restored on every return path, also after SIGINT/SIGTERM/SIGHUP). The
 * byte escape (0 = none; normally LAM_CONSOLE_ESCAPE) read from in_fd detaches.
 *
 * At end of file on in_fd (a pipe or a file) the output keeps being copied until the guest
 * has been quiet for half a second, so `echo ls | lam console 1` shows the answer.
 *
 * Returns 0 after a detach, a takeover by another client, end of input, or when the domain
 * went away (the server closed the connection); otherwise a negative errno, after printing
 * a message starting with "lam: console: " to stderr (for example when lamina-consoled is
 * not running or does not know the domain).
 */
int lam_console_attach(uint16_t domid, int in_fd, int out_fd, char escape);
