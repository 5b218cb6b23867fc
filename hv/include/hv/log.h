/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Hypervisor log. Every line the hypervisor prints starts with "(LAM) " so it can be
 * told apart from guest output on the shared console. Levels follow Xen's loglvl=
 * names: error, warning, info, debug. Messages above the current level are dropped.
 */
#pragma once

#include <hv/lib.h>

enum log_level {
	LOG_NONE = 0,
	LOG_ERR = 1,
	LOG_WARN = 2,
	LOG_INFO = 3,
	LOG_DEBUG = 4,
};

/** Current threshold; set from loglvl= on the command line. */
extern enum log_level log_threshold;
/** Threshold for messages about guest misbehaviour (guest_loglvl=). */
extern enum log_level hv_guest_loglvl;

/**
 * Writes bytes to the console as they are (Dom0's hvc0 output: terminal control
 * sequences and prompts without a newline must reach the terminal unchanged).
 */
void log_raw_write(const char *s, size_t n);
/** Prints one line of guest output as "<tag><line>\n", without the "(LAM) " prefix. */
void log_guest_line(const char *tag, const char *line, size_t n);

/**
 * Copies up to size bytes of the log ring from offset *index (bytes ever logged) and
 * advances it; an index older than the ring holds starts at the oldest byte kept and
 * *lost says how many were skipped. Returns the number of bytes copied.
 */
size_t log_ring_read(u64 *index, char *buf, size_t size, u64 *lost);
/**
 * From now on every message is on the UART before its log call returns, and what was
 * queued is written now, even if another CPU was writing it out (it may be stopped):
 * for panic() and fatal hypervisor exceptions. Not undone.
 */
void log_start_sync(void);
/** Waits until everything logged so far has been written to the UART (before power off). */
void log_flush(void);
void log_printf(enum log_level lvl, const char *fmt, ...) __printf(2, 3);
void log_vprintf(enum log_level lvl, const char *fmt, va_list ap);

#define printk(...) log_printf(LOG_INFO, __VA_ARGS__)
#define log_err(...) log_printf(LOG_ERR, __VA_ARGS__)
#define log_warn(...) log_printf(LOG_WARN, __VA_ARGS__)
#define log_info(...) log_printf(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_printf(LOG_DEBUG, __VA_ARGS__)

/** Parses "none|error|warning|info|debug|all"; returns -HV_EINVAL if unknown. */
int log_level_parse(const char *s, enum log_level *out);

/** A budget of events per second, for what a guest can make the hypervisor log. */
struct ratelimit {
	u64 window_ns;	      /* start of the current second (0: none yet) */
	unsigned int left;    /* events still allowed in it */
	unsigned int dropped; /* events refused in it */
};

/**
 * True if one more event fits in 'burst' per second at time 'now' (ns); false counts it
 * as dropped. When a new second starts, *dropped_before (if not NULL) is set to how many
 * the previous one dropped (for a single "N dropped" line), else to 0.
 */
bool ratelimit_allow(struct ratelimit *rl, u64 now, unsigned int burst,
		     unsigned int *dropped_before);
