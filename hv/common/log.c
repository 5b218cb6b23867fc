/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The hypervisor log: level filtering and the "(LAM) " line prefix.
 *
 * Output goes through a transmit ring, as Xen's console ring and serial transmit buffer
 * do (xen/drivers/char/console.c, serial.c): a message is formatted outside any lock,
 * copied whole into the ring under log_lock (short, IRQs masked), and written to the
 * UART outside the lock by one drainer at a time, in ring order. So lines of different
 * CPUs never interleave within a line, and no CPU waits on the lock while another
 * writes to a slow UART. The CPU that finds no drainer becomes it and writes until the
 * ring is empty (IRQs masked, so nothing on that CPU can wait for itself). A writer that
 * finds the ring full waits for room without the lock; a drainer that has written a
 * ring's worth while writers wait hands over to them, so a CPU is not kept writing
 * another's flood for long. log_start_sync() (panic, fatal hypervisor exceptions) makes
 * every message written before its call returns, whoever was draining.
 *
 * Everything the log writes (not Dom0's raw console output) is also kept in a second
 * ring, read back by the toolstack (LAM_SYSCTL_readconsole, `lam dmesg`).
 */
#include <hv/console.h>
#include <hv/errno.h>
#include <hv/log.h>
#include <hv/spinlock.h>

#define LOG_LINE_MAX 256
#define LOG_PREFIX "(LAM) "
/* Most a message adds per line it has: the prefix and "warning: ". */
#define LOG_LINE_EXTRA (sizeof(LOG_PREFIX) - 1 + 9)

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

/* The transmit ring: bytes [tx_tail, tx_head) wait for the UART. */
#define LOG_TX_SIZE (16 * 1024) /* a power of two, more than a message can take */
#define LOG_TX_CHUNK 128	/* bytes taken out per device write */
static char log_tx[LOG_TX_SIZE];
static u64 tx_head, tx_tail;	/* bytes ever queued, ever taken out; log_lock */
static bool tx_busy;		/* a CPU is the drainer; log_lock (read unlocked to wait) */
static unsigned int tx_waiters; /* writers waiting for room; log_lock */
static bool log_sync;		/* log_start_sync(): write before returning */

_Static_assert(LOG_TX_SIZE >= 2 * LOG_LINE_MAX * (1 + LOG_LINE_EXTRA), "a message fits");

static u64 tx_free(void)
{
	return LOG_TX_SIZE - (tx_head - tx_tail);
}

/* Queues bytes for the UART and copies them into the log ring. log_lock held, room checked. */
static void log_emit(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		log_ring[(log_ring_head + i) & (LOG_RING_SIZE - 1)] = s[i];
		log_tx[(tx_head + i) & (LOG_TX_SIZE - 1)] = s[i];
	}
	log_ring_head += n;
	tx_head += n;
}

/*
 * Writes the transmit ring to the UART until it is empty, taking a chunk at a time under
 * the lock and writing it outside. The caller is the drainer (tx_busy set by it), or
 * forces it in sync mode. Stops early, leaving the rest to a waiting writer, once it has
 * written a ring's worth while others wait for room.
 */
static void tx_drain(void)
{
	char chunk[LOG_TX_CHUNK];
	unsigned long irq = arch_local_irq_save();
	u64 written = 0;

	for (;;) {
		size_t n;

		spin_lock(&log_lock);
		n = (size_t)MIN(tx_head - tx_tail, (u64)sizeof(chunk));
		if (n == 0 || (written >= LOG_TX_SIZE && tx_waiters > 0 && !log_sync)) {
			__atomic_store_n(&tx_busy, false, __ATOMIC_RELEASE);
			spin_unlock(&log_lock);
			break;
		}
		for (size_t i = 0; i < n; i++) {
			chunk[i] = log_tx[(tx_tail + i) & (LOG_TX_SIZE - 1)];
		}
		tx_tail += n;
		spin_unlock(&log_lock);
		console_write(chunk, n);
		written += n;
	}
	arch_local_irq_restore(irq);
}

/*
 * Takes log_lock (IRQs masked, flags returned) with room for n bytes in the transmit
 * ring. Without room: becomes the drainer if there is none, else waits (unlocked) until
 * the drainer has made room or handed over.
 */
static unsigned long log_lock_room(size_t n)
{
	unsigned long flags;

	for (;;) {
		bool drain;

		spin_lock_irqsave(&log_lock, flags);
		if (tx_free() >= n) {
			return flags;
		}
		drain = !tx_busy || log_sync;
		if (drain) {
			__atomic_store_n(&tx_busy, true, __ATOMIC_RELAXED);
		} else {
			tx_waiters++;
		}
		spin_unlock_irqrestore(&log_lock, flags);
		if (drain) {
			tx_drain();
			continue;
		}
		while (__atomic_load_n(&tx_busy, __ATOMIC_ACQUIRE) &&
		       LOG_TX_SIZE - (__atomic_load_n(&tx_head, __ATOMIC_RELAXED) -
				      __atomic_load_n(&tx_tail, __ATOMIC_RELAXED)) <
			       n) {
			arch_cpu_relax();
		}
		spin_lock_irqsave(&log_lock, flags);
		tx_waiters--;
		spin_unlock_irqrestore(&log_lock, flags);
	}
}

/* Drops log_lock after queueing; writes the ring out if no other CPU is doing it. */
static void log_unlock_and_drain(unsigned long flags)
{
	bool drain = (!tx_busy || log_sync) && tx_head != tx_tail;

	if (drain) {
		__atomic_store_n(&tx_busy, true, __ATOMIC_RELAXED);
	}
	spin_unlock_irqrestore(&log_lock, flags);
	if (drain) {
		tx_drain();
	}
}

/** See hv/log.h. */
void log_start_sync(void)
{
	unsigned long flags;

	__atomic_store_n(&log_sync, true, __ATOMIC_RELEASE);
	spin_lock_irqsave(&log_lock, flags);
	log_unlock_and_drain(flags); /* what was queued before, whoever was draining it */
}

/** See hv/log.h. */
void log_flush(void)
{
	unsigned long flags;

	for (;;) {
		spin_lock_irqsave(&log_lock, flags);
		if (tx_head == tx_tail && !tx_busy) {
			spin_unlock_irqrestore(&log_lock, flags);
			return;
		}
		if (!tx_busy || log_sync) {
			log_unlock_and_drain(flags);
			continue;
		}
		spin_unlock_irqrestore(&log_lock, flags);
		while (__atomic_load_n(&tx_busy, __ATOMIC_ACQUIRE)) {
			arch_cpu_relax();
		}
	}
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
	size_t len, start, lines;

	if (lvl > log_threshold) {
		return;
	}
	n = hv_vsnprintf(buf, sizeof(buf), fmt, ap);
	len = n < 0 ? 0 : MIN((size_t)n, sizeof(buf) - 1);
	if ((size_t)n > len && len > 0) {
		buf[len - 1] = '\n'; /* truncated: still end the line */
	}

	lines = 1;
	for (size_t i = 0; i < len; i++) {
		lines += buf[i] == '\n';
	}
	flags = log_lock_room(1 + len + lines * LOG_LINE_EXTRA);
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
	log_unlock_and_drain(flags);
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
	flags = log_lock_room(len + 1);
	if (!log_at_line_start) {
		log_emit("\n", 1);
		log_at_line_start = true;
	}
	log_emit(buf, len);
	log_unlock_and_drain(flags);
}

/** See hv/log.h. Through the transmit ring only, in pieces if it is long. */
void log_raw_write(const char *s, size_t n)
{
	unsigned long flags;

	while (n > 0) {
		size_t part = MIN(n, (size_t)LOG_TX_SIZE / 2);

		flags = log_lock_room(part);
		for (size_t i = 0; i < part; i++) {
			log_tx[(tx_head + i) & (LOG_TX_SIZE - 1)] = s[i];
		}
		tx_head += part;
		raw_mid_line = s[part - 1] != '\n';
		log_unlock_and_drain(flags);
		s += part;
		n -= part;
	}
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
