/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The hypervisor log: level filtering and the "(LAM) " line prefix. Lines are
 * formatted into a local buffer and written with one console_write() under a lock,
 * so output of two CPUs never interleaves within a line. Everything the log writes
 * (not Dom0's raw console output) is also kept in a ring, read back by the toolstack
 * (LAM_SYSCTL_readconsole, `lam dmesg`).
 */
#include <hv/console.h>
#include <hv/errno.h>
#include <hv/log.h>
#include <hv/spinlock.h>

#define LOG_LINE_MAX 256
#define LOG_PREFIX "(LAM) "

enum log_level log_threshold = LOG_INFO;
enum log_level hv_guest_loglvl = LOG_WARN;
static spinlock_t log_lock = SPINLOCK_INIT;
/* True when the last character written ended a line (the next one needs a prefix). */
static bool log_at_line_start = true;
/* Dom0's raw output left the cursor mid-line: hypervisor lines start on a new one. */
static bool raw_mid_line;

#define LOG_RING_SIZE (64 * 1024) /* a power of two */
static char log_ring[LOG_RING_SIZE];
static u64 log_ring_head; /* bytes ever written; guarded by log_lock */

/* console_write() and a copy in the ring. log_lock held. */
static void log_emit(const char *s, size_t n)
{
	console_write(s, n);
	for (size_t i = 0; i < n; i++) {
		log_ring[(log_ring_head + i) & (LOG_RING_SIZE - 1)] = s[i];
	}
	log_ring_head += n;
}

/** See hv/log.h. */
size_t log_ring_read(u64 *index, char *buf, size_t size, u64 *lost)
{
	unsigned long flags;
	size_t n = 0;
	u64 start;

	spin_lock_irqsave(&log_lock, flags);
	start = *index;
	*lost = 0;
	if (log_ring_head > LOG_RING_SIZE && start < log_ring_head - LOG_RING_SIZE) {
		*lost = log_ring_head - LOG_RING_SIZE - start;
		start = log_ring_head - LOG_RING_SIZE;
	}
	if (start > log_ring_head) {
		start = log_ring_head;
	}
	n = (size_t)MIN((u64)size, log_ring_head - start);
	for (size_t i = 0; i < n; i++) {
		buf[i] = log_ring[(start + i) & (LOG_RING_SIZE - 1)];
	}
	*index = start + n;
	spin_unlock_irqrestore(&log_lock, flags);
	return n;
}

/** Formats and prints one message if lvl is within the threshold. */
void log_vprintf(enum log_level lvl, const char *fmt, va_list ap)
{
	char buf[LOG_LINE_MAX];
	unsigned long flags;
	int n;
	size_t len, start;

	if (lvl > log_threshold) {
		return;
	}
	n = hv_vsnprintf(buf, sizeof(buf), fmt, ap);
	len = n < 0 ? 0 : MIN((size_t)n, sizeof(buf) - 1);
	if ((size_t)n > len && len > 0) {
		buf[len - 1] = '\n'; /* truncated: still end the line */
	}

	spin_lock_irqsave(&log_lock, flags);
	if (raw_mid_line && len > 0) {
		log_emit("\n", 1);
		raw_mid_line = false;
	}
	start = 0;
	for (size_t i = 0; i < len; i++) {
		if (log_at_line_start) {
			log_emit(LOG_PREFIX, sizeof(LOG_PREFIX) - 1);
			/*
			 * Warnings and errors say so where the message starts; indented lines
			 * continue a block (register dumps, backtraces) and stay untagged.
			 */
			if (i == 0 && buf[0] != ' ' && lvl == LOG_WARN) {
				log_emit("warning: ", 9);
			} else if (i == 0 && buf[0] != ' ' && lvl == LOG_ERR) {
				log_emit("error: ", 7);
			}
			log_at_line_start = false;
		}
		if (buf[i] == '\n') {
			log_emit(buf + start, i + 1 - start);
			start = i + 1;
			log_at_line_start = true;
		}
	}
	if (start < len) {
		log_emit(buf + start, len - start);
	}
	spin_unlock_irqrestore(&log_lock, flags);
}

/** See hv/log.h. Non-printable characters are shown as '?'. */
void log_guest_line(const char *tag, const char *line, size_t n)
{
	char buf[LOG_LINE_MAX];
	size_t len = 0;
	unsigned long flags;

	for (const char *t = tag; *t && len < sizeof(buf) - 2; t++) {
		buf[len++] = *t;
	}
	for (size_t i = 0; i < n && len < sizeof(buf) - 2; i++) {
		char c = line[i];

		buf[len++] = (c == '\t' || (c >= 0x20 && c < 0x7f)) ? c : '?';
	}
	buf[len++] = '\n';
	spin_lock_irqsave(&log_lock, flags);
	if (!log_at_line_start) {
		log_emit("\n", 1);
		log_at_line_start = true;
	}
	log_emit(buf, len);
	spin_unlock_irqrestore(&log_lock, flags);
}

/** See hv/log.h. */
void log_raw_write(const char *s, size_t n)
{
	unsigned long flags;

	if (n == 0) {
		return;
	}
	spin_lock_irqsave(&log_lock, flags);
	console_write(s, n);
	raw_mid_line = s[n - 1] != '\n';
	spin_unlock_irqrestore(&log_lock, flags);
}

/** printf-style log message at level lvl. */
void log_printf(enum log_level lvl, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vprintf(lvl, fmt, ap);
	va_end(ap);
}

static const struct {
	const char *name;
	enum log_level lvl;
} log_level_names[] = {
	{ "none", LOG_NONE }, { "error", LOG_ERR },   { "warning", LOG_WARN },
	{ "info", LOG_INFO }, { "debug", LOG_DEBUG }, { "all", LOG_DEBUG },
};

/** See hv/include/hv/log.h. */
int log_level_parse(const char *s, enum log_level *out)
{
	for (size_t i = 0; i < ARRAY_SIZE(log_level_names); i++) {
		if (strcmp(s, log_level_names[i].name) == 0) {
			*out = log_level_names[i].lvl;
			return 0;
		}
	}
	return -HV_EINVAL;
}

/** See hv/log.h. */
bool ratelimit_allow(struct ratelimit *rl, u64 now, unsigned int burst,
		     unsigned int *dropped_before)
{
	if (dropped_before != NULL) {
		*dropped_before = 0;
	}
	if (rl->window_ns == 0 || now - rl->window_ns >= 1000000000ull) {
		if (dropped_before != NULL) {
			*dropped_before = rl->dropped;
		}
		rl->window_ns = now;
		rl->left = burst;
		rl->dropped = 0;
	}
	if (rl->left == 0) {
		rl->dropped++;
		return false;
	}
	rl->left--;
	return true;
}
