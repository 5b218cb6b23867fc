/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Hypervisor command line (docs/command-line.md). Options are described by one const
 * table; each is either a string copied into a fixed buffer, a boolean flag, or a value
 * with its own parser. A parser validates the whole value before it changes anything, so
 * a bad value leaves the option at its previous setting. Spelling follows Xen's
 * docs/misc/xen-command-line.pandoc wherever Lamina has the same option.
 */
#include <hv/errno.h>
#include <hv/lib.h>
#include <hv/log.h>
#include <hv/params.h>

/* Longest "name=value" token considered; anything longer is reported and skipped. */
#define PARAM_TOKEN_MAX 192

/* domu_restarts= defaults and bounds. */
#define PARAM_RESTART_LIMIT 5
#define PARAM_RESTART_WINDOW_S 60
#define PARAM_RESTART_MAX 100000
#define PARAM_RESTART_WINDOW_MAX 86400

/* dom0_max_vcpus= upper bound (the most vCPUs one domain may have here). */
#define PARAM_MAX_VCPUS 128

struct hv_options hv_opts = {
	.console = "dtuart",
	.loglvl = LOG_INFO,
	.guest_loglvl = LOG_WARN,
	.sched = SCHED_AUTO,
	.domu_restart_limit = PARAM_RESTART_LIMIT,
	.domu_restart_window_s = PARAM_RESTART_WINDOW_S,
};

enum param_type {
	PARAM_STRING, /* value copied into a char[] field of struct hv_options */
	PARAM_FLAG,   /* "name" alone sets it; "name=<bool>" sets or clears it */
	PARAM_CUSTOM, /* value given to the option's parse function */
};

/** One command-line option. */
struct param {
	const char *name;
	enum param_type type;
	size_t offset; /* PARAM_STRING, PARAM_FLAG: field offset in struct hv_options */
	size_t size;   /* PARAM_STRING: field size including the NUL */
	/* PARAM_CUSTOM: parses val (NUL-terminated, writable) into o, 0 or -HV_EINVAL. */
	int (*parse)(char *val, struct hv_options *o);
	const char *expect; /* the accepted form, quoted in warnings */
};

/** Parses a decimal or 0x-prefixed hexadecimal u64 at *s, advancing *s; -HV_EINVAL on overflow. */
static int param_parse_u64(const char **s, u64 *out)
{
	const char *p = *s;
	unsigned int base = 10, digit;
	u64 v = 0;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	}
	for (*s = p;; p++) {
		if (*p >= '0' && *p <= '9') {
			digit = (unsigned int)(*p - '0');
		} else if (base == 16 && *p >= 'a' && *p <= 'f') {
			digit = (unsigned int)(*p - 'a' + 10);
		} else if (base == 16 && *p >= 'A' && *p <= 'F') {
			digit = (unsigned int)(*p - 'A' + 10);
		} else {
			break;
		}
		if (v > (UINT64_MAX - digit) / base) {
			return -HV_EINVAL;
		}
		v = v * base + digit;
	}
	if (p == *s) {
		return -HV_EINVAL; /* no digits */
	}
	*s = p;
	*out = v;
	return 0;
}

/**
 * Parses "<number>[B|K|M|G|T]" (binary units, either case). As in Xen, a number with no
 * suffix counts KiB; B means bytes.
 * into *out. The whole string must be consumed; overflow is an error.
 */
int params_parse_size(const char *s, u64 *out)
{
	unsigned int shift = 10;
	u64 v;

	if (s == NULL || param_parse_u64(&s, &v) != 0) {
		return -HV_EINVAL;
	}
	switch (*s) {
	case 'T':
	case 't':
		shift = 40;
		break;
	case 'G':
	case 'g':
		shift = 30;
		break;
	case 'M':
	case 'm':
		shift = 20;
		break;
	case 'K':
	case 'k':
		shift = 10;
		break;
	case 'B':
	case 'b':
		shift = 0;
		break;
	case '\0':
		break;
	default:
		return -HV_EINVAL;
	}
	if (*s != '\0') {
		s++;
	}
	if (*s != '\0' || (shift != 0 && v > (UINT64_MAX >> shift))) {
		return -HV_EINVAL;
	}
	*out = v << shift;
	return 0;
}

/** A dom0 memory size: positive, rounded up to whole pages without overflowing. */
static int param_parse_mem_size(const char *s, u64 *out)
{
	u64 v;

	if (params_parse_size(s, &v) != 0 || v == 0 || v > UINT64_MAX - (PAGE_SIZE - 1)) {
		return -HV_EINVAL;
	}
	*out = ROUND_UP(v, PAGE_SIZE);
	return 0;
}

/** Parses Xen's boolean spellings into *out. */
static int param_parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "1", "yes", "true", "on", "enable" };
	static const char *const no[] = { "0", "no", "false", "off", "disable" };

	for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
		if (strcmp(s, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcmp(s, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return -HV_EINVAL;
}

/** console=dtuart|none. */
static int param_console(char *val, struct hv_options *o)
{
	if (strcmp(val, "dtuart") != 0 && strcmp(val, "none") != 0) {
		return -HV_EINVAL;
	}
	memcpy(o->console, val, strlen(val) + 1);
	return 0;
}

/** Parses Xen's "level[/rate-limited-level]"; the second level is checked but not kept. */
static int param_log_level(char *val, enum log_level *out)
{
	char *slash = strchr(val, '/');
	enum log_level lvl, limited;

	if (slash != NULL) {
		*slash = '\0';
		if (log_level_parse(slash + 1, &limited) != 0) {
			return -HV_EINVAL;
		}
	}
	if (log_level_parse(val, &lvl) != 0) {
		return -HV_EINVAL;
	}
	*out = lvl;
	return 0;
}

/** loglvl=level[/level]. */
static int param_loglvl(char *val, struct hv_options *o)
{
	return param_log_level(val, &o->loglvl);
}

/** guest_loglvl=level[/level]. */
static int param_guest_loglvl(char *val, struct hv_options *o)
{
	return param_log_level(val, &o->guest_loglvl);
}

/**
 * dom0_mem=<size>[,max:<size>] or max:<size> (Xen's Arm-relevant forms). An initial size
 * above the maximum is rejected rather than clamped.
 */
static int param_dom0_mem(char *val, struct hv_options *o)
{
	u64 mem = o->dom0_mem, max = 0;
	bool have_mem = false, have_max = false;
	char *item = val, *comma;

	for (;;) {
		comma = strchr(item, ',');
		if (comma != NULL) {
			*comma = '\0';
		}
		if (strncmp(item, "max:", 4) == 0) {
			if (have_max || param_parse_mem_size(item + 4, &max) != 0) {
				return -HV_EINVAL;
			}
			have_max = true;
		} else {
			if (have_mem || have_max || param_parse_mem_size(item, &mem) != 0) {
				return -HV_EINVAL;
			}
			have_mem = true;
		}
		if (comma == NULL) {
			break;
		}
		item = comma + 1;
	}
	if (have_max && have_mem && mem > max) {
		return -HV_EINVAL;
	}
	o->dom0_mem = mem;
	o->dom0_mem_max = max;
	return 0;
}

/** domu_restarts=<N>[,<seconds>]: N <= PARAM_RESTART_MAX, 1 <= seconds <= one day. */
static int param_domu_restarts(char *val, struct hv_options *o)
{
	const char *s = val;
	u64 n, secs = PARAM_RESTART_WINDOW_S;

	if (param_parse_u64(&s, &n) != 0 || n > PARAM_RESTART_MAX) {
		return -HV_EINVAL;
	}
	if (*s == ',') {
		s++;
		if (param_parse_u64(&s, &secs) != 0 || secs == 0 ||
		    secs > PARAM_RESTART_WINDOW_MAX) {
			return -HV_EINVAL;
		}
	}
	if (*s != '\0') {
		return -HV_EINVAL;
	}
	o->domu_restart_limit = (u32)n;
	o->domu_restart_window_s = (u32)secs;
	return 0;
}

/** dom0_max_vcpus=N or 1-N, 1 <= N <= PARAM_MAX_VCPUS. */
static int param_dom0_max_vcpus(char *val, struct hv_options *o)
{
	const char *s = val;
	u64 n;

	if (strncmp(s, "1-", 2) == 0) {
		s += 2;
	}
	if (*s == '-' || param_parse_u64(&s, &n) != 0 || *s != '\0' || n == 0 ||
	    n > PARAM_MAX_VCPUS) {
		return -HV_EINVAL;
	}
	o->dom0_max_vcpus = (u32)n;
	return 0;
}

/** sched=auto|pinned|rr, with Xen's scheduler names mapped onto ours. */
static int param_sched(char *val, struct hv_options *o)
{
	static const struct {
		const char *name;
		enum sched_kind kind;
		bool is_xen_alias;
	} names[] = {
		{ "auto", SCHED_AUTO, false }, { "pinned", SCHED_PINNED, false },
		{ "rr", SCHED_RR, false },     { "null", SCHED_PINNED, true },
		{ "credit", SCHED_RR, true },  { "credit2", SCHED_RR, true },
	};

	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		if (strcmp(val, names[i].name) != 0) {
			continue;
		}
		if (names[i].is_xen_alias) {
			log_info("sched=%s: Xen scheduler name, using Lamina's '%s' scheduler\n",
				 val, names[i].kind == SCHED_PINNED ? "pinned" : "rr");
		}
		o->sched = names[i].kind;
		return 0;
	}
	return -HV_EINVAL;
}

/** selftest=fault. */
static int param_selftest(char *val, struct hv_options *o)
{
	if (strcmp(val, "fault") != 0) {
		return -HV_EINVAL;
	}
	memcpy(o->selftest, val, strlen(val) + 1);
	return 0;
}

#define PARAM_STR(n, field, exp)                                                                 \
	{                                                                                        \
		.name = (n), .type = PARAM_STRING, .offset = offsetof(struct hv_options, field), \
		.size = sizeof(((struct hv_options *)0)->field), .expect = (exp),                \
	}
#define PARAM_BOOL(n, field)                                                                   \
	{                                                                                      \
		.name = (n), .type = PARAM_FLAG, .offset = offsetof(struct hv_options, field), \
		.expect = "0|1|no|yes|false|true|off|on",                                      \
	}
#define PARAM_FN(n, fn, exp)                                                       \
	{                                                                          \
		.name = (n), .type = PARAM_CUSTOM, .parse = (fn), .expect = (exp), \
	}

/** Every option the hypervisor knows; docs/command-line.md documents each one. */
static const struct param params[] = {
	PARAM_FN("console", param_console, "dtuart|none"),
	PARAM_STR("dtuart", dtuart, "a device tree path or alias, e.g. serial0"),
	PARAM_FN("loglvl", param_loglvl,
		 "<level>[/<level>], level none|error|warning|info|debug|all"),
	PARAM_FN("guest_loglvl", param_guest_loglvl,
		 "<level>[/<level>], level none|error|warning|info|debug|all"),
	PARAM_FN("dom0_mem", param_dom0_mem,
		 "<size>[,max:<size>] or max:<size>, size > 0 with K/M/G/T"),
	PARAM_FN("dom0_max_vcpus", param_dom0_max_vcpus, "N or 1-N with 1 <= N <= 128"),
	PARAM_FN("sched", param_sched, "auto|pinned|rr (Xen's null|credit|credit2 also accepted)"),
	PARAM_BOOL("noreboot", noreboot),
	PARAM_FN("domu_restarts", param_domu_restarts, "<N>[,<seconds>], N <= 100000"),
	PARAM_FN("selftest", param_selftest, "fault"),
};

/** Finds the option called name (namelen bytes, not NUL-terminated), or NULL. */
static const struct param *params_find(const char *name, size_t namelen)
{
	for (size_t i = 0; i < ARRAY_SIZE(params); i++) {
		if (strlen(params[i].name) == namelen &&
		    memcmp(params[i].name, name, namelen) == 0) {
			return &params[i];
		}
	}
	return NULL;
}

/**
 * Applies one "name[=value]" token (NUL-terminated, shorter than PARAM_TOKEN_MAX);
 * returns 1 if it warned, else 0.
 */
static int params_apply(const char *tok, struct hv_options *o)
{
	const char *eq = strchr(tok, '=');
	size_t namelen = eq != NULL ? (size_t)(eq - tok) : strlen(tok);
	const struct param *p = params_find(tok, namelen);
	const char *val = eq != NULL ? eq + 1 : NULL;
	char *base = (char *)o;
	char copy[PARAM_TOKEN_MAX];
	size_t len;
	bool b;

	if (p == NULL) {
		log_warn("unknown command-line option '%.*s' ignored\n", (int)namelen, tok);
		return 1;
	}
	if (p->type == PARAM_FLAG) {
		if (val == NULL) {
			*(bool *)(base + p->offset) = true;
			return 0;
		}
		if (param_parse_bool(val, &b) == 0) {
			*(bool *)(base + p->offset) = b;
			return 0;
		}
	} else if (val == NULL) {
		log_warn("command-line option '%s' needs a value (%s), ignored\n", p->name,
			 p->expect);
		return 1;
	} else if (p->type == PARAM_STRING) {
		len = strlen(val);
		if (len >= p->size) {
			log_warn("command-line option '%s': value '%s' is longer than %zu "
				 "characters, ignored\n",
				 p->name, val, p->size - 1);
			return 1;
		}
		memcpy(base + p->offset, val, len + 1);
		return 0;
	} else {
		/* Parsers may split their copy in place; val stays intact for the warning. */
		len = strlen(val);
		memcpy(copy, val, len + 1);
		if (p->parse(copy, o) == 0) {
			return 0;
		}
	}
	log_warn("command-line option '%s': bad value '%s' (expected %s), ignored\n", p->name, val,
		 p->expect);
	return 1;
}

/** Sets every option to its default (the initial value of hv_opts). */
void params_defaults(struct hv_options *o)
{
	memset(o, 0, sizeof(*o));
	memcpy(o->console, "dtuart", sizeof("dtuart"));
	o->loglvl = LOG_INFO;
	o->guest_loglvl = LOG_WARN;
	o->sched = SCHED_AUTO;
	o->domu_restart_limit = PARAM_RESTART_LIMIT;
	o->domu_restart_window_s = PARAM_RESTART_WINDOW_S;
}

/**
 * Parses cmdline (tokens separated by any run of spaces or tabs; may be NULL) into *o;
 * see params.h. Never fails: each problem is logged as a warning and counted.
 */
int params_parse(const char *cmdline, struct hv_options *o)
{
	char tok[PARAM_TOKEN_MAX];
	const char *p = cmdline, *start;
	size_t len;
	int warnings = 0;

	if (p == NULL) {
		return 0;
	}
	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') {
			p++;
		}
		if (*p == '\0') {
			break;
		}
		start = p;
		while (*p != '\0' && *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r') {
			p++;
		}
		len = (size_t)(p - start);
		if (len >= sizeof(tok)) {
			log_warn("command-line option '%.32s...' is too long, ignored\n", start);
			warnings++;
			continue;
		}
		memcpy(tok, start, len);
		tok[len] = '\0';
		warnings += params_apply(tok, o);
	}
	return warnings;
}
