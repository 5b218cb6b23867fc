/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Hypervisor command-line options (from /chosen xen,xen-bootargs, Xen's binding).
 * Documented in docs/command-line.md. Unknown options and bad values are warned
 * about and otherwise ignored: a typo never stops the boot.
 */
#pragma once

#include <hv/log.h>
#include <hv/types.h>

enum sched_kind {
	SCHED_AUTO,   /* pinned when vCPUs <= pCPUs, else rr */
	SCHED_PINNED, /* one vCPU per pCPU (Xen's "null") */
	SCHED_RR,     /* weighted round-robin with a time slice */
};

struct hv_options {
	char console[32];	     /* "dtuart" (default) or "none" */
	char dtuart[128];	     /* DT path or alias of the console UART, "" = stdout-path */
	enum log_level loglvl;	     /* default LOG_INFO */
	enum log_level guest_loglvl; /* default LOG_WARN */
	u64 dom0_mem;		     /* bytes, 0 = automatic */
	u64 dom0_mem_max;	     /* bytes, 0 = same as dom0_mem */
	u32 dom0_max_vcpus;	     /* 0 = one per pCPU */
	enum sched_kind sched;
	bool noreboot; /* on panic, halt instead of resetting the machine */
	/* A boot-time domain is rebuilt at most this often within the window (domu_restarts=). */
	u32 domu_restart_limit;
	u32 domu_restart_window_s;
	char selftest[16]; /* developer self-tests: "fault" */
};

/** Sets every option to its default. */
void params_defaults(struct hv_options *o);

/**
 * Parses a space-separated "name=value" / "name" list into *o. Each unknown option or
 * bad value is reported through log_warn() and leaves that option unchanged.
 * Returns the number of warnings given.
 */
int params_parse(const char *cmdline, struct hv_options *o);

/** Parses a size with optional B/K/M/G/T suffix (binary units; no suffix = KiB, as Xen). */
int params_parse_size(const char *s, u64 *out);

extern struct hv_options hv_opts;
