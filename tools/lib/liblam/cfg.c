/* SPDX-License-Identifier: Apache-2.0 */
/*
 * liblam: the xl.cfg(5)-syntax domain configuration parser (see lam/cfg.h for the accepted
 * keys) and its writer, lam_cfg_write(), which the saved configuration of every running
 * domain goes through (the pair lives in the library because the library reads the saved
 * copy back to restart a domain; Xen keeps its parser in the libxlutil library likewise).
 *
 * A small hand-written lexer feeds a recursive-descent parser. Each setting is checked and
 * stored as soon as it is read, so type and range errors point at its line; rules that
 * involve several keys (maxmem >= memory, the final command line, required keys) are
 * checked once at the end by cfg_finalize(), which also runs after every override.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lam/cfg.h>

/* Indices of lam_cfg.where[]: where a key was last set, for messages from cfg_finalize(). */
enum {
	WHERE_FILE = 0,
	WHERE_MEMORY,
	WHERE_MAXMEM,
	WHERE_VCPUS,
	WHERE_MAXVCPUS,
	WHERE_CMDLINE,
	WHERE_ROOT,
	WHERE_EXTRA,
	WHERE_NR,
};
_Static_assert(WHERE_NR <= sizeof(((struct lam_cfg *)0)->where) /
				   sizeof(((struct lam_cfg *)0)->where[0]),
	       "lam_cfg.where too small");

#define CFG_FILE_MAX (1U << 20)
#define CFG_OVERRIDE_FNAME "<command line>"

enum tok_kind {
	TOK_EOF,
	TOK_NEWLINE, /* a newline or ';' */
	TOK_IDENT,
	TOK_STRING,
	TOK_NUMBER,
	TOK_EQ,
	TOK_PLUSEQ,
	TOK_LBRACK,
	TOK_RBRACK,
	TOK_COMMA,
	TOK_ERROR,
};

/** Lexer and parser state for one text (a file, or one override). */
struct parser {
	const char *pos;
	const char *fname;
	unsigned int line;
	/** Overrides: an unquoted value (after '=', not '[') is a string up to ';'. */
	bool bare_words;
	/** The next token starts a value. */
	bool value_pos;
	struct lam_cfg *cfg;
	char *err;
	size_t errlen;
	/* The current token. */
	enum tok_kind tok;
	unsigned int tok_line;
	char text[LAM_CFG_CMDLINE_MAX];
	/* The key of the setting being parsed, for messages ("" outside a setting). */
	char key[64];
};

/** A parsed value: an atom (string or number, as xl keeps both as text) or a list. */
struct value {
	bool is_list;
	bool quoted;
	unsigned int nr_items;
	unsigned int line;
	char text[LAM_CFG_CMDLINE_MAX];
};

/* Messages are one line (cfg.h): control characters the input put in one show as '?'. */
static void one_line(char *err)
{
	for (; *err != '\0'; err++) {
		if ((unsigned char)*err < 0x20 || *err == 0x7f) {
			*err = '?';
		}
	}
}

static void errf(char *err, size_t errlen, const char *fname, unsigned int line, const char *key,
		 const char *fmt, va_list ap)
{
	int n = 0;

	if (!err || !errlen) {
		return;
	}
	if (line && key && key[0]) {
		n = snprintf(err, errlen, "%s:%u: %s: ", fname, line, key);
	} else if (line) {
		n = snprintf(err, errlen, "%s:%u: ", fname, line);
	} else if (key && key[0]) {
		n = snprintf(err, errlen, "%s: %s: ", fname, key);
	} else {
		n = snprintf(err, errlen, "%s: ", fname);
	}
	if (n < 0 || (size_t)n >= errlen) {
		return;
	}
	vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
	one_line(err);
}

/** Report an error about @key at @line of the text being parsed; always returns -1. */
static int __attribute__((format(printf, 4, 5)))
perr(struct parser *p, unsigned int line, const char *key, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	errf(p->err, p->errlen, p->fname, line, key, fmt, ap);
	va_end(ap);
	return -1;
}

/** Report an error found after parsing, at a recorded position; always returns -1. */
static int __attribute__((format(printf, 6, 7)))
werr(const struct lam_cfg *cfg, int where, const char *key, char *err, size_t errlen,
     const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	errf(err, errlen, cfg->where[where].file, cfg->where[where].line, key, fmt, ap);
	va_end(ap);
	return -1;
}

static void set_where(struct parser *p, int where, unsigned int line)
{
	snprintf(p->cfg->where[where].file, sizeof(p->cfg->where[where].file), "%s", p->fname);
	p->cfg->where[where].line = line;
}

static bool is_ident_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_ident_char(char c)
{
	return is_ident_start(c) || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

/** Show a token for an error message (strings quoted, control characters escaped). */
static const char *tok_desc(const struct parser *p, char *buf, size_t len)
{
	switch (p->tok) {
	case TOK_EOF:
		return "end of file";
	case TOK_NEWLINE:
		return "end of line";
	case TOK_EQ:
		return "'='";
	case TOK_PLUSEQ:
		return "'+='";
	case TOK_LBRACK:
		return "'['";
	case TOK_RBRACK:
		return "']'";
	case TOK_COMMA:
		return "','";
	case TOK_STRING:
		snprintf(buf, len, "\"%.40s\"", p->text);
		return buf;
	case TOK_IDENT:
	case TOK_NUMBER:
	case TOK_ERROR:
	default:
		snprintf(buf, len, "%.40s", p->text);
		return buf;
	}
}

/** Read a quoted string starting at the opening quote; sets p->tok. */
static int lex_string(struct parser *p)
{
	char quote = *p->pos++;
	size_t n = 0;

	for (;;) {
		char c = *p->pos;

		if (c == '\0' || c == '\n') {
			return perr(p, p->tok_line, p->key, "unterminated string (missing %c)",
				    quote);
		}
		p->pos++;
		if (c == quote) {
			break;
		}
		if (c == '\\') {
			char e = *p->pos;

			switch (e) {
			case '\\':
			case '"':
			case '\'':
				c = e;
				break;
			case 'n':
				c = '\n';
				break;
			case 't':
				c = '\t';
				break;
			default:
				return perr(p, p->tok_line, p->key,
					    "unsupported escape '\\%c' in string", e ? e : '0');
			}
			p->pos++;
		}
		if (n + 1 >= sizeof(p->text)) {
			return perr(p, p->tok_line, p->key, "string longer than %zu bytes",
				    sizeof(p->text) - 1);
		}
		p->text[n++] = c;
	}
	p->text[n] = '\0';
	p->tok = TOK_STRING;
	return 0;
}

/** Advance to the next token. Returns 0, or -1 (with the message set) on a lexical error. */
static int lex(struct parser *p)
{
	const char *start;
	size_t n;

	for (;;) {
		char c = *p->pos;

		if (c == ' ' || c == '\t' || c == '\r') {
			p->pos++;
		} else if (c == '#') {
			while (*p->pos && *p->pos != '\n') {
				p->pos++;
			}
		} else if (c == '\\' && p->pos[1] == '\n') {
			/* A backslash-newline joins lines, as in shell-like configs. */
			p->pos += 2;
			p->line++;
		} else {
			break;
		}
	}
	p->tok_line = p->line;
	p->text[0] = '\0';
	start = p->pos;
	switch (*p->pos) {
	case '\0':
		p->tok = TOK_EOF;
		return 0;
	case '\n':
		p->pos++;
		p->line++;
		p->tok = TOK_NEWLINE;
		return 0;
	case ';':
		p->pos++;
		p->tok = TOK_NEWLINE;
		return 0;
	case '=':
		p->pos++;
		p->tok = TOK_EQ;
		return 0;
	case '[':
		p->pos++;
		p->tok = TOK_LBRACK;
		return 0;
	case ']':
		p->pos++;
		p->tok = TOK_RBRACK;
		return 0;
	case ',':
		p->pos++;
		p->tok = TOK_COMMA;
		return 0;
	case '+':
		if (p->pos[1] == '=') {
			p->pos += 2;
			p->tok = TOK_PLUSEQ;
			return 0;
		}
		break;
	case '"':
	case '\'':
		return lex_string(p);
	default:
		break;
	}
	if (p->bare_words && p->value_pos) {
		/* Override values: an unquoted value runs to ';' or the end, as the shell gave it. */
		while (*p->pos && *p->pos != ';' && *p->pos != '\n') {
			p->pos++;
		}
		n = (size_t)(p->pos - start);
		while (n && (start[n - 1] == ' ' || start[n - 1] == '\t')) {
			n--;
		}
		if (n >= sizeof(p->text)) {
			return perr(p, p->tok_line, p->key, "value longer than %zu bytes",
				    sizeof(p->text) - 1);
		}
		memcpy(p->text, start, n);
		p->text[n] = '\0';
		p->tok = TOK_STRING;
		return 0;
	}
	if (is_ident_start(*p->pos) || (*p->pos >= '0' && *p->pos <= '9')) {
		bool number = !is_ident_start(*p->pos);

		while (is_ident_char(*p->pos)) {
			p->pos++;
		}
		n = (size_t)(p->pos - start);
		if (n >= sizeof(p->text)) {
			return perr(p, p->tok_line, p->key, "word longer than %zu bytes",
				    sizeof(p->text) - 1);
		}
		memcpy(p->text, start, n);
		p->text[n] = '\0';
		p->tok = number ? TOK_NUMBER : TOK_IDENT;
		return 0;
	}
	if ((unsigned char)*p->pos < 0x20 || (unsigned char)*p->pos >= 0x7f) {
		return perr(p, p->tok_line, p->key, "unexpected byte 0x%02x",
			    (unsigned char)*p->pos);
	}
	return perr(p, p->tok_line, p->key, "unexpected character '%c'", *p->pos);
}

static int skip_newlines(struct parser *p)
{
	while (p->tok == TOK_NEWLINE) {
		if (lex(p)) {
			return -1;
		}
	}
	return 0;
}

/** An item of a top-level list, for the keys that take one (`disk`: cfg_disk.c, `vif`:
 * cfg_nic.c). */
static int list_item(struct parser *p, const struct value *item, unsigned int index)
{
	char msg[256];

	if (strcmp(p->key, "disk") == 0) {
		if (item->is_list) {
			return perr(p, item->line, p->key,
				    "expected a disk specification, got a list");
		}
		if (lam_cfg_disk_add(p->cfg, index, item->text, msg, sizeof(msg)) != 0) {
			return perr(p, item->line, p->key, "%s", msg);
		}
		return 0;
	}
	if (strcmp(p->key, "vif") != 0) {
		return 0;
	}
	if (item->is_list) {
		return perr(p, item->line, p->key, "NIC %u: expected a string, got a list", index);
	}
	if (lam_cfg_nic_add(p->cfg, index, item->text, msg, sizeof(msg)) != 0) {
		return perr(p, item->line, p->key, "%s", msg);
	}
	return 0;
}

/**
 * Parse a value at the current token into @v (items of a top-level list are handed to
 * list_item(), nested ones checked but not kept). Leaves the token after the value.
 */
static int parse_value(struct parser *p, struct value *v, unsigned int depth)
{
	char buf[64];

	v->line = p->tok_line;
	v->is_list = false;
	v->quoted = false;
	v->nr_items = 0;
	v->text[0] = '\0';
	switch (p->tok) {
	case TOK_STRING:
	case TOK_NUMBER:
		v->quoted = p->tok == TOK_STRING;
		memcpy(v->text, p->text, sizeof(v->text));
		return lex(p);
	case TOK_IDENT:
		return perr(p, p->tok_line, p->key,
			    "expected a value, got bare word %s (put strings in quotes)", p->text);
	case TOK_LBRACK:
		break;
	default:
		return perr(p, p->tok_line, p->key, "expected a value, got %s",
			    tok_desc(p, buf, sizeof(buf)));
	}
	if (depth >= 8) {
		return perr(p, p->tok_line, p->key, "lists nested too deeply");
	}
	v->is_list = true;
	if (lex(p) || skip_newlines(p)) {
		return -1;
	}
	while (p->tok != TOK_RBRACK) {
		struct value *item = malloc(sizeof(*item));
		int rc;

		if (!item) {
			return perr(p, p->tok_line, p->key, "out of memory");
		}
		rc = parse_value(p, item, depth + 1);
		if (rc == 0 && depth == 0) {
			rc = list_item(p, item, v->nr_items);
		}
		free(item);
		if (rc || skip_newlines(p)) {
			return -1;
		}
		v->nr_items++;
		if (p->tok == TOK_COMMA) {
			if (lex(p) || skip_newlines(p)) {
				return -1;
			}
		} else if (p->tok != TOK_RBRACK) {
			if (p->tok == TOK_EOF) {
				return perr(p, v->line, p->key,
					    "list opened here is not closed with ']'");
			}
			return perr(p, p->tok_line, p->key, "expected ',' or ']' in list, got %s",
				    tok_desc(p, buf, sizeof(buf)));
		}
	}
	return lex(p);
}

/* ---- value checkers ---- */

static int want_atom(struct parser *p, const struct value *v, const char *what)
{
	if (v->is_list) {
		return perr(p, v->line, p->key, "expected %s, got a list", what);
	}
	return 0;
}

/** An integer atom (decimal, 0x hex or 0 octal; quoted or not, as xl) in [min, max]. */
static int get_uint(struct parser *p, const struct value *v, const char *what, uint64_t min,
		    uint64_t max, uint64_t *out)
{
	unsigned long long x;
	char *end;

	if (want_atom(p, v, what)) {
		return -1;
	}
	errno = 0;
	x = strtoull(v->text, &end, 0);
	if (!v->text[0] || *end || v->text[0] == '-' || v->text[0] == '+' || v->text[0] == ' ') {
		return perr(p, v->line, p->key, "expected %s, got \"%s\"", what, v->text);
	}
	if (errno == ERANGE || x < min || x > max) {
		return perr(p, v->line, p->key, "%s out of range %llu..%llu", v->text,
			    (unsigned long long)min, (unsigned long long)max);
	}
	*out = x;
	return 0;
}

static int get_string(struct parser *p, const struct value *v, const char *what, char *out,
		      size_t outlen)
{
	if (want_atom(p, v, what)) {
		return -1;
	}
	if (strlen(v->text) >= outlen) {
		return perr(p, v->line, p->key, "longer than %zu bytes", outlen - 1);
	}
	memcpy(out, v->text, strlen(v->text) + 1);
	return 0;
}

static int set_name(struct parser *p, const struct value *v)
{
	size_t i, len;

	if (want_atom(p, v, "a string")) {
		return -1;
	}
	len = strlen(v->text);
	if (len == 0 || len > LAM_CFG_NAME_MAX) {
		return perr(p, v->line, p->key, "\"%.40s\" must be 1..%u characters long", v->text,
			    LAM_CFG_NAME_MAX);
	}
	for (i = 0; i < len; i++) {
		char c = v->text[i];

		if (!is_ident_start(c) && !(c >= '0' && c <= '9') && c != '-' && c != '.') {
			return perr(p, v->line, p->key,
				    "\"%s\" may only contain letters, digits, '_', '-' and '.'",
				    v->text);
		}
	}
	memcpy(p->cfg->name, v->text, len + 1);
	p->cfg->name_set = true;
	return 0;
}

static int set_type(struct parser *p, const struct value *v)
{
	if (want_atom(p, v, "a string")) {
		return -1;
	}
	if (!strcmp(v->text, "pvh")) {
		p->cfg->type = LAM_CFG_TYPE_PVH;
	} else if (!strcmp(v->text, "pv")) {
		p->cfg->type = LAM_CFG_TYPE_PV;
	} else if (!strcmp(v->text, "hvm")) {
		return perr(p, v->line, p->key,
			    "\"hvm\" guests are not supported on Arm (use \"pvh\", the default)");
	} else {
		return perr(p, v->line, p->key, "unknown guest type \"%s\" (use \"pvh\" or \"pv\")",
			    v->text);
	}
	return 0;
}

static int set_builder(struct parser *p, const struct value *v)
{
	if (want_atom(p, v, "a string")) {
		return -1;
	}
	if (!strcmp(v->text, "generic")) {
		p->cfg->type = LAM_CFG_TYPE_PV;
		return 0;
	}
	if (!strcmp(v->text, "hvm")) {
		return perr(p, v->line, p->key,
			    "\"hvm\" guests are not supported on Arm (use type = \"pvh\")");
	}
	return perr(p, v->line, p->key, "unknown builder \"%s\" (only \"generic\")", v->text);
}

static int parse_action(struct parser *p, const struct value *v, enum lam_cfg_action *out)
{
	static const char *const unsupported[] = {
		"rename-restart",
		"coredump-destroy",
		"coredump-restart",
		"soft-reset",
	};
	size_t i;

	if (want_atom(p, v, "a string")) {
		return -1;
	}
	if (!strcmp(v->text, "destroy")) {
		*out = LAM_CFG_ACTION_DESTROY;
		return 0;
	}
	if (!strcmp(v->text, "restart")) {
		*out = LAM_CFG_ACTION_RESTART;
		return 0;
	}
	if (!strcmp(v->text, "preserve")) {
		*out = LAM_CFG_ACTION_PRESERVE;
		return 0;
	}
	for (i = 0; i < sizeof(unsupported) / sizeof(unsupported[0]); i++) {
		if (!strcmp(v->text, unsupported[i])) {
			return perr(p, v->line, p->key,
				    "action \"%s\" is not supported yet by lam (use destroy, "
				    "restart or preserve)",
				    v->text);
		}
	}
	return perr(p, v->line, p->key, "unknown action \"%s\" (use destroy, restart or preserve)",
		    v->text);
}

/** Parse one number of a CPU list at *s; advances *s. */
static int cpu_number(struct parser *p, const struct value *v, const char **s, unsigned int *out)
{
	unsigned long x;
	char *end;

	if (**s < '0' || **s > '9') {
		return perr(p, v->line, p->key,
			    "bad CPU list \"%s\": expected a CPU number at \"%s\"", v->text, *s);
	}
	errno = 0;
	x = strtoul(*s, &end, 10);
	if (errno == ERANGE || x >= LAM_CFG_PCPUS_MAX) {
		return perr(p, v->line, p->key, "CPU %.20s in \"%s\" is above the limit of %u", *s,
			    v->text, LAM_CFG_PCPUS_MAX - 1);
	}
	*s = end;
	*out = (unsigned int)x;
	return 0;
}

/**
 * A CPU list as in xl: comma-separated "all", "N", "N-M", each optionally prefixed with '^'
 * to remove CPUs. NUMA node forms are refused.
 */
static int set_cpus(struct parser *p, const struct value *v)
{
	uint64_t mask = 0;
	const char *s = v->text;

	if (v->is_list) {
		return perr(p, v->line, p->key,
			    "per-vCPU lists are not supported yet by lam; give one CPU list string "
			    "such as \"0-3\"");
	}
	if (!*s) {
		return perr(p, v->line, p->key, "empty CPU list");
	}
	for (;;) {
		bool remove = false;
		unsigned int a, b;
		uint64_t bits;

		while (*s == ' ') {
			s++;
		}
		if (*s == '^') {
			remove = true;
			s++;
		}
		if (!strncmp(s, "all", 3) && (s[3] == ',' || s[3] == '\0' || s[3] == ' ')) {
			bits = ~0ULL;
			s += 3;
		} else if (!strncmp(s, "node", 4)) {
			return perr(p, v->line, p->key,
				    "NUMA node selections (\"%s\") are not supported by lam",
				    v->text);
		} else {
			if (cpu_number(p, v, &s, &a)) {
				return -1;
			}
			b = a;
			if (*s == '-') {
				s++;
				if (cpu_number(p, v, &s, &b)) {
					return -1;
				}
				if (b < a) {
					return perr(p, v->line, p->key,
						    "bad CPU range in \"%s\": %u-%u is reversed",
						    v->text, a, b);
				}
			}
			bits = (b - a == 63) ? ~0ULL : (((1ULL << (b - a + 1)) - 1) << a);
		}
		mask = remove ? (mask & ~bits) : (mask | bits);
		while (*s == ' ') {
			s++;
		}
		if (*s == '\0') {
			break;
		}
		if (*s != ',') {
			return perr(p, v->line, p->key, "bad CPU list \"%s\": unexpected \"%s\"",
				    v->text, s);
		}
		s++;
	}
	if (!mask) {
		return perr(p, v->line, p->key, "\"%s\" selects no CPU", v->text);
	}
	p->cfg->cpu_mask = mask;
	p->cfg->cpus_set = mask != ~0ULL;
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9') {
		return c - '0';
	}
	if (c >= 'a' && c <= 'f') {
		return c - 'a' + 10;
	}
	if (c >= 'A' && c <= 'F') {
		return c - 'A' + 10;
	}
	return -1;
}

static int set_uuid(struct parser *p, const struct value *v)
{
	const char *s = v->text;
	uint8_t uuid[16];
	size_t i, n = 0;

	if (want_atom(p, v, "a UUID string")) {
		return -1;
	}
	for (i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-') {
				goto bad;
			}
			continue;
		}
		if (hexval(s[i]) < 0 || hexval(s[i + 1]) < 0) {
			goto bad;
		}
		uuid[n++] = (uint8_t)(hexval(s[i]) << 4 | hexval(s[i + 1]));
		i++;
	}
	if (s[36] != '\0') {
		goto bad;
	}
	memcpy(p->cfg->uuid, uuid, sizeof(uuid));
	p->cfg->has_uuid = true;
	return 0;
bad:
	return perr(p, v->line, p->key,
		    "\"%s\" is not a UUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)", v->text);
}

/** Accept a harmless xl key only with the value that matches what lam does anyway. */
static int accept_only(struct parser *p, const struct value *v, const char *only)
{
	if (want_atom(p, v, "a string")) {
		return -1;
	}
	if (strcmp(v->text, only)) {
		return perr(p, v->line, p->key, "only \"%s\" is supported by lam, got \"%s\"", only,
			    v->text);
	}
	return 0;
}

/** Keys for devices and features lam does not implement yet: always an error, never ignored. */
static const char *const unsupported_keys[] = {
	"vfb",	       "vkb",	      "vtpm",	   "vsnd",     "vdispl",     "pci",
	"dtdev",       "iomem",	      "irqs",	   "channel",  "p9",	     "pvcalls",
	"usbctrl",     "usbdev",      "virtio",	   "vuart",    "serial",     "sound",
	"usb",	       "usbdevice",   "vga",	   "videoram", "nic",	     "rdm",
	"tee",	       "gic_version", "cpus_soft", "pool",     "bootloader", "device_tree",
	"dm_restrict", "seclabel",
};

static const char *const string_keys_append[] = { "cmdline", "root", "extra" };

/** Store the setting p->key (op '=' or '+=') with value @v. */
static int apply_setting(struct parser *p, bool append, const struct value *v)
{
	struct lam_cfg *cfg = p->cfg;
	const char *key = p->key;
	uint64_t x;
	size_t i;

	if (append) {
		bool ok = false;

		for (i = 0; i < sizeof(string_keys_append) / sizeof(string_keys_append[0]); i++) {
			ok |= !strcmp(key, string_keys_append[i]);
		}
		if (!ok) {
			return perr(p, v->line, key,
				    "'+=' is only supported for cmdline, root and extra");
		}
	}

	if (!strcmp(key, "name")) {
		return set_name(p, v);
	}
	if (!strcmp(key, "type")) {
		return set_type(p, v);
	}
	if (!strcmp(key, "builder")) {
		return set_builder(p, v);
	}
	if (!strcmp(key, "memory") || !strcmp(key, "maxmem")) {
		bool is_mem = key[1] == 'e';

		if (get_uint(p, v, "a number of MiB", is_mem ? LAM_CFG_MEMORY_MIN_MB : 1,
			     LAM_CFG_MEMORY_MAX_MB, &x)) {
			return -1;
		}
		if (is_mem) {
			cfg->memory_mb = x;
			cfg->memory_set = true;
		} else {
			cfg->maxmem_mb = x;
			cfg->maxmem_set = true;
		}
		set_where(p, is_mem ? WHERE_MEMORY : WHERE_MAXMEM, v->line);
		return 0;
	}
	if (!strcmp(key, "vcpus") || !strcmp(key, "maxvcpus")) {
		bool is_max = key[0] == 'm';

		if (get_uint(p, v, "a number of vCPUs", 1, LAM_CFG_VCPUS_MAX, &x)) {
			return -1;
		}
		if (is_max) {
			cfg->max_vcpus = (unsigned int)x;
			cfg->maxvcpus_set = true;
		} else {
			cfg->vcpus = (unsigned int)x;
		}
		set_where(p, is_max ? WHERE_MAXVCPUS : WHERE_VCPUS, v->line);
		return 0;
	}
	if (!strcmp(key, "cpus")) {
		return set_cpus(p, v);
	}
	if (!strcmp(key, "kernel") || !strcmp(key, "ramdisk")) {
		bool is_kernel = key[0] == 'k';
		char *dst = is_kernel ? cfg->kernel : cfg->ramdisk;

		if (want_atom(p, v, "a path")) {
			return -1;
		}
		if (!v->text[0] && is_kernel) {
			return perr(p, v->line, key, "empty path");
		}
		if (get_string(p, v, "a path", dst, PATH_MAX)) {
			return -1;
		}
		if (is_kernel) {
			cfg->kernel_set = true;
		}
		return 0;
	}
	if (!strcmp(key, "cmdline") || !strcmp(key, "root") || !strcmp(key, "extra")) {
		char *dst = key[0] == 'c' ? cfg->raw_cmdline
					  : (key[0] == 'r' ? cfg->raw_root : cfg->raw_extra);
		bool *set = key[0] == 'c' ? &cfg->cmdline_set
					  : (key[0] == 'r' ? &cfg->root_set : &cfg->extra_set);
		int where =
			key[0] == 'c' ? WHERE_CMDLINE : (key[0] == 'r' ? WHERE_ROOT : WHERE_EXTRA);
		size_t have = (append && *set) ? strlen(dst) : 0;

		if (want_atom(p, v, "a string")) {
			return -1;
		}
		if (have + strlen(v->text) >= LAM_CFG_CMDLINE_MAX) {
			return perr(p, v->line, key, "longer than %u bytes",
				    LAM_CFG_CMDLINE_MAX - 1);
		}
		memcpy(dst + have, v->text, strlen(v->text) + 1);
		*set = true;
		set_where(p, where, v->line);
		return 0;
	}
	if (!strcmp(key, "on_poweroff")) {
		return parse_action(p, v, &cfg->on_poweroff);
	}
	if (!strcmp(key, "on_reboot")) {
		return parse_action(p, v, &cfg->on_reboot);
	}
	if (!strcmp(key, "on_crash")) {
		return parse_action(p, v, &cfg->on_crash);
	}
	if (!strcmp(key, "on_watchdog")) {
		return accept_only(p, v, "destroy");
	}
	if (!strcmp(key, "on_soft_reset")) {
		return accept_only(p, v, "soft-reset");
	}
	if (!strcmp(key, "uuid")) {
		return set_uuid(p, v);
	}
	if (!strcmp(key, "disk")) {
		/* The items were parsed by list_item(); a later `disk` replaces the list. */
		if (!v->is_list) {
			return perr(p, v->line, key, "expected a list of disk specifications");
		}
		cfg->nr_disks = v->nr_items;
		return 0;
	}
	if (!strcmp(key, "vif")) {
		/* The items were parsed by list_item(); a later `vif` replaces the list. */
		if (!v->is_list) {
			return perr(p, v->line, key, "expected a list of NIC specs, like [ '' ]");
		}
		cfg->nr_nics = v->nr_items;
		return 0;
	}
	for (i = 0; i < sizeof(unsupported_keys) / sizeof(unsupported_keys[0]); i++) {
		if (!strcmp(key, unsupported_keys[i])) {
			return perr(p, v->line, key, "not supported yet by lam");
		}
	}
	return perr(
		p, v->line, key,
		"unknown key (lam supports name, type, memory, maxmem, vcpus, maxvcpus, cpus, "
		"kernel, ramdisk, cmdline, root, extra, on_poweroff, on_reboot, on_crash, uuid, "
		"disk, vif)");
}

/** Parse every setting of the text into p->cfg (no final checks). */
static int parse_text(struct parser *p)
{
	struct value *v;
	char buf[64];
	int rc = -1;

	v = malloc(sizeof(*v));
	if (!v) {
		return perr(p, p->line, NULL, "out of memory");
	}
	if (lex(p)) {
		goto out;
	}
	for (;;) {
		bool append;
		unsigned int key_line;
		int lex_rc;

		p->key[0] = '\0';
		if (skip_newlines(p)) {
			goto out;
		}
		if (p->tok == TOK_EOF) {
			break;
		}
		if (p->tok != TOK_IDENT) {
			perr(p, p->tok_line, NULL, "expected 'key = value', got %s",
			     tok_desc(p, buf, sizeof(buf)));
			goto out;
		}
		key_line = p->tok_line;
		if (strlen(p->text) >= sizeof(p->key)) {
			perr(p, key_line, NULL, "key \"%.40s...\" is too long", p->text);
			goto out;
		}
		memcpy(p->key, p->text, strlen(p->text) + 1);
		if (lex(p)) {
			goto out;
		}
		if (p->tok != TOK_EQ && p->tok != TOK_PLUSEQ) {
			perr(p, p->tok_line, p->key, "expected '=' after the key, got %s",
			     tok_desc(p, buf, sizeof(buf)));
			goto out;
		}
		append = p->tok == TOK_PLUSEQ;
		p->value_pos = true;
		lex_rc = lex(p);
		p->value_pos = false;
		if (lex_rc) {
			goto out;
		}
		if (p->tok == TOK_NEWLINE || p->tok == TOK_EOF) {
			perr(p, key_line, p->key, "missing value after '%s'", append ? "+=" : "=");
			goto out;
		}
		if (parse_value(p, v, 0)) {
			goto out;
		}
		if (p->tok != TOK_NEWLINE && p->tok != TOK_EOF) {
			perr(p, p->tok_line, p->key,
			     "expected end of line after the value, got %s (one setting per line "
			     "or ';')",
			     tok_desc(p, buf, sizeof(buf)));
			goto out;
		}
		if (apply_setting(p, append, v)) {
			goto out;
		}
	}
	rc = 0;
out:
	free(v);
	return rc;
}

/** Cross-key checks and derived fields; run after the file and after every override. */
static int cfg_finalize(struct lam_cfg *cfg, char *err, size_t errlen)
{
	size_t len;

	if (!cfg->name_set) {
		return werr(cfg, WHERE_FILE, "name", err, errlen, "missing (required)");
	}
	if (!cfg->kernel_set) {
		return werr(cfg, WHERE_FILE, "kernel", err, errlen, "missing (required)");
	}
	if (!cfg->maxmem_set) {
		cfg->maxmem_mb = cfg->memory_mb;
	} else if (cfg->maxmem_mb < cfg->memory_mb) {
		return werr(cfg, WHERE_MAXMEM, "maxmem", err, errlen,
			    "%llu MiB is less than memory (%llu MiB)",
			    (unsigned long long)cfg->maxmem_mb, (unsigned long long)cfg->memory_mb);
	}
	if (!cfg->maxvcpus_set) {
		cfg->max_vcpus = cfg->vcpus;
	} else if (cfg->max_vcpus < cfg->vcpus) {
		return werr(cfg, WHERE_MAXVCPUS, "maxvcpus", err, errlen,
			    "%u is less than vcpus (%u)", cfg->max_vcpus, cfg->vcpus);
	}
	if (cfg->cmdline_set) {
		memcpy(cfg->cmdline, cfg->raw_cmdline, strlen(cfg->raw_cmdline) + 1);
	} else if (cfg->root_set) {
		len = strlen(cfg->raw_root) + strlen(cfg->raw_extra) + 6;
		if (len >= sizeof(cfg->cmdline)) {
			return werr(cfg, WHERE_ROOT, "root", err, errlen,
				    "root= plus extra make a command line longer than %zu bytes",
				    sizeof(cfg->cmdline) - 1);
		}
		snprintf(cfg->cmdline, sizeof(cfg->cmdline),
			 cfg->extra_set ? "root=%s %s" : "root=%s", cfg->raw_root, cfg->raw_extra);
	} else {
		memcpy(cfg->cmdline, cfg->raw_extra, strlen(cfg->raw_extra) + 1);
	}
	if (lam_cfg_nics_finalize(cfg, err, errlen) != 0) {
		return -1;
	}
	return 0;
}

void lam_cfg_init(struct lam_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->type = LAM_CFG_TYPE_PVH;
	cfg->memory_mb = LAM_CFG_MEMORY_DEFAULT_MB;
	cfg->maxmem_mb = LAM_CFG_MEMORY_DEFAULT_MB;
	cfg->vcpus = 1;
	cfg->max_vcpus = 1;
	cfg->cpu_mask = ~0ULL;
	cfg->on_poweroff = LAM_CFG_ACTION_DESTROY;
	cfg->on_reboot = LAM_CFG_ACTION_RESTART;
	cfg->on_crash = LAM_CFG_ACTION_DESTROY;
}

static int parse_into(struct lam_cfg *cfg, const char *text, const char *fname,
		      unsigned int first_line, bool bare_words, char *err, size_t errlen)
{
	struct parser *p;
	int rc;

	p = calloc(1, sizeof(*p));
	if (!p) {
		snprintf(err, errlen, "%s: out of memory", fname);
		return -1;
	}
	p->pos = text;
	p->fname = fname;
	p->line = first_line;
	p->bare_words = bare_words;
	p->cfg = cfg;
	p->err = err;
	p->errlen = errlen;
	rc = parse_text(p);
	free(p);
	return rc;
}

int lam_cfg_parse_string(const char *text, const char *fname, struct lam_cfg *out, char *err,
			 size_t errlen)
{
	lam_cfg_init(out);
	snprintf(out->where[WHERE_FILE].file, sizeof(out->where[WHERE_FILE].file), "%s", fname);
	if (parse_into(out, text, fname, 1, false, err, errlen)) {
		return -1;
	}
	return cfg_finalize(out, err, errlen);
}

/** Read a whole file (at most CFG_FILE_MAX bytes) into a NUL-terminated buffer. */
static char *read_file(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	size_t n;

	if (!f) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return NULL;
	}
	buf = malloc(CFG_FILE_MAX + 1);
	if (!buf) {
		fclose(f);
		snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	n = fread(buf, 1, CFG_FILE_MAX + 1, f);
	if (ferror(f)) {
		snprintf(err, errlen, "%s: read error: %s", path, strerror(errno));
		goto fail;
	}
	if (n > CFG_FILE_MAX) {
		snprintf(err, errlen, "%s: larger than %u bytes; is this a config file?", path,
			 CFG_FILE_MAX);
		goto fail;
	}
	if (memchr(buf, '\0', n)) {
		snprintf(err, errlen, "%s: contains NUL bytes; is this a config file?", path);
		goto fail;
	}
	buf[n] = '\0';
	fclose(f);
	return buf;
fail:
	fclose(f);
	free(buf);
	return NULL;
}

int lam_cfg_parse_file(const char *path, struct lam_cfg *out, char *err, size_t errlen)
{
	char *text = read_file(path, err, errlen);
	int rc;

	if (!text) {
		return -1;
	}
	rc = lam_cfg_parse_string(text, path, out, err, errlen);
	free(text);
	return rc;
}

/** Apply override number @idx (1-based) without the final checks. */
static int apply_one(struct lam_cfg *cfg, const char *kv, unsigned int idx, char *err,
		     size_t errlen)
{
	if (!strchr(kv, '=')) {
		snprintf(err, errlen, "%s:%u: expected key=value, got \"%.60s\"",
			 CFG_OVERRIDE_FNAME, idx, kv);
		one_line(err);
		return -1;
	}
	if (strchr(kv, '\n')) {
		snprintf(err, errlen, "%s:%u: newline in an override", CFG_OVERRIDE_FNAME, idx);
		return -1;
	}
	return parse_into(cfg, kv, CFG_OVERRIDE_FNAME, idx, true, err, errlen);
}

int lam_cfg_apply_override(struct lam_cfg *cfg, const char *key_eq_value, char *err, size_t errlen)
{
	struct lam_cfg *tmp = malloc(sizeof(*tmp));
	int rc = -1;

	if (!tmp) {
		snprintf(err, errlen, "%s: out of memory", CFG_OVERRIDE_FNAME);
		return -1;
	}
	memcpy(tmp, cfg, sizeof(*tmp));
	if (!apply_one(tmp, key_eq_value, 1, err, errlen) && !cfg_finalize(tmp, err, errlen)) {
		memcpy(cfg, tmp, sizeof(*tmp));
		rc = 0;
	}
	free(tmp);
	return rc;
}

int lam_cfg_load(const char *path, const char *const *overrides, size_t nr_overrides,
		 struct lam_cfg *out, char *err, size_t errlen)
{
	char *text = read_file(path, err, errlen);
	size_t i;
	int rc = -1;

	if (!text) {
		return -1;
	}
	lam_cfg_init(out);
	snprintf(out->where[WHERE_FILE].file, sizeof(out->where[WHERE_FILE].file), "%s", path);
	if (parse_into(out, text, path, 1, false, err, errlen)) {
		goto out;
	}
	for (i = 0; i < nr_overrides; i++) {
		if (apply_one(out, overrides[i], (unsigned int)(i + 1), err, errlen)) {
			goto out;
		}
	}
	rc = cfg_finalize(out, err, errlen);
out:
	free(text);
	return rc;
}

const char *lam_cfg_action_name(enum lam_cfg_action action)
{
	switch (action) {
	case LAM_CFG_ACTION_DESTROY:
		return "destroy";
	case LAM_CFG_ACTION_RESTART:
		return "restart";
	case LAM_CFG_ACTION_PRESERVE:
		return "preserve";
	default:
		return "?";
	}
}

void lam_format_cpus(uint64_t mask, char *buf, size_t len)
{
	size_t used = 0;

	if (len == 0) {
		return;
	}
	buf[0] = '\0';
	if (mask == 0) {
		snprintf(buf, len, "all");
		return;
	}
	for (unsigned int cpu = 0; cpu < 64;) {
		unsigned int last;
		int w;

		if (!(mask & (1ull << cpu))) {
			cpu++;
			continue;
		}
		last = cpu;
		while (last + 1 < 64 && (mask & (1ull << (last + 1)))) {
			last++;
		}
		if (last == cpu) {
			w = snprintf(buf + used, len - used, "%s%u", used ? "," : "", cpu);
		} else {
			w = snprintf(buf + used, len - used, "%s%u-%u", used ? "," : "", cpu, last);
		}
		if (w < 0 || (size_t)w >= len - used) {
			return; /* truncated, still NUL-terminated */
		}
		used += (size_t)w;
		cpu = last + 1;
	}
}

/** Writes key = "value" with a quote character the value does not contain. */
static int write_string(FILE *f, const char *key, const char *value)
{
	char q = '"';

	if (strchr(value, '\n') != NULL) {
		return -EINVAL;
	}
	if (strchr(value, '"') != NULL) {
		if (strchr(value, '\'') != NULL) {
			return -EINVAL;
		}
		q = '\'';
	}
	/* The reader takes a backslash as an escape (lex_string()): write it as one. */
	fprintf(f, "%s = %c", key, q);
	for (const char *c = value; *c != '\0'; c++) {
		if (*c == '\\') {
			fputc('\\', f);
		}
		fputc(*c, f);
	}
	fprintf(f, "%c\n", q);
	return 0;
}

int lam_cfg_write(FILE *f, const struct lam_cfg *cfg)
{
	char cpus[256];
	int err = 0;

	fputs("# Written by lam create: the configuration this domain was built from.\n", f);
	err |= write_string(f, "name", cfg->name);
	err |= write_string(f, "type", cfg->type == LAM_CFG_TYPE_PV ? "pv" : "pvh");
	fprintf(f, "memory = %" PRIu64 "\n", cfg->memory_mb);
	fprintf(f, "maxmem = %" PRIu64 "\n", cfg->maxmem_mb);
	fprintf(f, "vcpus = %u\n", cfg->vcpus);
	fprintf(f, "maxvcpus = %u\n", cfg->max_vcpus);
	if (cfg->cpus_set) {
		lam_format_cpus(cfg->cpu_mask, cpus, sizeof(cpus));
		err |= write_string(f, "cpus", cpus);
	}
	err |= write_string(f, "kernel", cfg->kernel);
	if (cfg->ramdisk[0] != '\0') {
		err |= write_string(f, "ramdisk", cfg->ramdisk);
	}
	if (cfg->cmdline[0] != '\0') {
		err |= write_string(f, "cmdline", cfg->cmdline);
	}
	err |= write_string(f, "on_poweroff", lam_cfg_action_name(cfg->on_poweroff));
	err |= write_string(f, "on_reboot", lam_cfg_action_name(cfg->on_reboot));
	err |= write_string(f, "on_crash", lam_cfg_action_name(cfg->on_crash));
	err |= lam_cfg_disks_write(f, cfg);
	if (cfg->has_uuid) {
		const uint8_t *u = cfg->uuid;

		fprintf(f,
			"uuid = \"%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
			"%02x%02x%02x%02x%02x%02x\"\n",
			u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11],
			u[12], u[13], u[14], u[15]);
	}
	err |= lam_cfg_nics_write(f, cfg);
	return err != 0 ? -EINVAL : 0;
}
