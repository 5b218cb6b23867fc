/* SPDX-License-Identifier: Apache-2.0 */
/*
 * liblam: xl's disk specification (Xen's docs/man/xl-disk-configuration.5.pod, the syntax
 * its tools/libs/util/libxlu_disk_l.l lexes) and the virtual-device numbering of
 * tools/libs/light/libxl_device.c's libxl__device_disk_dev_number(), for the items of a
 * `disk = [ ... ]` list. What lam cannot serve (formats other than raw, QEMU's qdisk,
 * hotplug scripts, driver domains) is an error naming the setting, never ignored.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lam/cfg.h>

/* Xen's limits: xvd disks up to 2^20 - 1 with 255 partitions, hd 4 x 63, sd 16 x 15. */
#define XVD_DISKS_MAX ((1 << 20) - 1)
#define XVD_PARTS_MAX 255
#define HD_DISKS_MAX 3
#define HD_PARTS_MAX 63
#define SD_DISKS_MAX 15
#define SD_PARTS_MAX 15
/* Linux's block majors the numbers encode (Documentation/admin-guide/devices.txt). */
#define MAJOR_XVD 202
#define MAJOR_IDE0 3
#define MAJOR_IDE1 22
#define MAJOR_SCSI 8
/* Numbers that do not fit the xvd major's 16 disks x 16 partitions: Xen's extended form. */
#define EXTENDED_FLAG (1u << 28)

/** Parses a partition number: no leading zero, no sign, at most max. */
static int parse_partition(const char *s, int max, int *out)
{
	int n = 0;

	if (*s == '\0') {
		*out = 0;
		return 0;
	}
	if (*s == '0') {
		return -1;
	}
	for (; *s != '\0'; s++) {
		if (!isdigit((unsigned char)*s)) {
			return -1;
		}
		n = n * 10 + (*s - '0');
		if (n > max) {
			return -1;
		}
	}
	*out = n;
	return 0;
}

/**
 * "PREFIX" + disk letters + optional partition: the letters count like spreadsheet
 * columns (a = 0, z = 25, aa = 26, ...). 0 with *disk and *part set, or -1.
 */
static int match_letters(const char *vdev, const char *prefix, int max_disk, int max_part,
			 int *disk, int *part)
{
	size_t plen = strlen(prefix);
	const char *s = vdev + plen;
	int d = -1;

	if (strncmp(vdev, prefix, plen) != 0 || *s < 'a' || *s > 'z') {
		return -1;
	}
	for (; *s >= 'a' && *s <= 'z'; s++) {
		d = (d + 1) * 26 + (*s - 'a');
		if (d > max_disk) {
			return -1;
		}
	}
	if (parse_partition(s, max_part, part) != 0) {
		return -1;
	}
	*disk = d;
	return 0;
}

/** "dDpP": disk D, partition P, both decimal. */
static int match_dp(const char *vdev, int *disk, int *part)
{
	char *end;
	unsigned long d, p;

	if (vdev[0] != 'd' || !isdigit((unsigned char)vdev[1])) {
		return -1;
	}
	errno = 0;
	d = strtoul(vdev + 1, &end, 10);
	if (errno != 0 || *end != 'p' || !isdigit((unsigned char)end[1]) || d > XVD_DISKS_MAX) {
		return -1;
	}
	p = strtoul(end + 1, &end, 10);
	if (errno != 0 || *end != '\0' || p > XVD_PARTS_MAX) {
		return -1;
	}
	*disk = (int)d;
	*part = (int)p;
	return 0;
}

int lam_disk_vdev_number(const char *vdev, uint32_t *devid)
{
	int disk, part;

	if (vdev == NULL || vdev[0] == '\0') {
		return -EINVAL;
	}
	if (match_dp(vdev, &disk, &part) == 0 ||
	    match_letters(vdev, "xvd", XVD_DISKS_MAX, XVD_PARTS_MAX, &disk, &part) == 0) {
		if (disk < 16 && part < 16) {
			*devid = (uint32_t)(MAJOR_XVD << 8 | disk << 4 | part);
		} else {
			*devid = EXTENDED_FLAG | (uint32_t)disk << 8 | (uint32_t)part;
		}
		return 0;
	}
	if (isdigit((unsigned char)vdev[0])) {
		char *end;
		unsigned long n;

		errno = 0;
		n = strtoul(vdev, &end, 0);
		if (errno != 0 || *end != '\0' || n > INT_MAX) {
			return -EINVAL;
		}
		*devid = (uint32_t)n;
		return 0;
	}
	if (match_letters(vdev, "hd", HD_DISKS_MAX, HD_PARTS_MAX, &disk, &part) == 0) {
		*devid = (uint32_t)((disk < 2 ? MAJOR_IDE0 : MAJOR_IDE1) << 8 | (disk & 1) << 6 |
				    part);
		return 0;
	}
	if (match_letters(vdev, "sd", SD_DISKS_MAX, SD_PARTS_MAX, &disk, &part) == 0) {
		*devid = (uint32_t)(MAJOR_SCSI << 8 | disk << 4 | part);
		return 0;
	}
	return -EINVAL;
}

/* ---- the specification ---- */

struct disk_parse {
	struct lam_disk_spec *d;
	char *err;
	size_t errlen;
	bool have_target, have_format, have_vdev, have_access, legacy_prefix;
};

static int __attribute__((format(printf, 2, 3))) derr(struct disk_parse *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->err, p->errlen, fmt, ap);
	va_end(ap);
	for (char *c = p->err; *c != '\0'; c++) {
		if ((unsigned char)*c < 0x20 || *c == 0x7f) {
			*c = '?';
		}
	}
	return -1;
}

static int set_format(struct disk_parse *p, const char *v)
{
	static const char *const others[] = { "qcow", "qcow2", "vhd", "qed", "empty" };

	p->have_format = true;
	if (v[0] == '\0' || strcmp(v, "raw") == 0) {
		return 0;
	}
	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
		if (strcmp(v, others[i]) == 0) {
			return derr(p, "format %s is not supported (lam serves raw images only)",
				    v);
		}
	}
	return derr(p, "unknown format '%s' (raw, qcow, qcow2, vhd, qed, empty)", v);
}

/** vdev, with an optional ":cdrom" / ":disk" suffix (xl's legacy device type). */
static int set_vdev(struct disk_parse *p, const char *v)
{
	const char *colon = strchr(v, ':');
	size_t len = colon != NULL ? (size_t)(colon - v) : strlen(v);

	if (colon != NULL) {
		if (strcmp(colon + 1, "cdrom") == 0) {
			p->d->cdrom = true;
		} else if (strcmp(colon + 1, "disk") != 0) {
			return derr(p, "vdev '%s': unknown device type '%s' (cdrom, disk)", v,
				    colon + 1);
		}
	}
	if (len == 0) {
		return derr(p, "empty vdev");
	}
	if (len > LAM_DISK_VDEV_MAX) {
		return derr(p, "vdev '%.*s' is too long", (int)len, v);
	}
	memcpy(p->d->vdev, v, len);
	p->d->vdev[len] = '\0';
	p->have_vdev = true;
	return 0;
}

static int set_access(struct disk_parse *p, const char *v)
{
	p->have_access = true;
	if (strcmp(v, "r") == 0 || strcmp(v, "ro") == 0) {
		p->d->readonly = true;
		return 0;
	}
	if (strcmp(v, "w") == 0 || strcmp(v, "rw") == 0) {
		p->d->readonly = false;
		return 0;
	}
	return derr(p, "access '%s': expected r, ro, w or rw", v);
}

static int set_target(struct disk_parse *p, const char *v)
{
	if (strlen(v) >= sizeof(p->d->target)) {
		return derr(p, "target longer than %zu bytes", sizeof(p->d->target) - 1);
	}
	memcpy(p->d->target, v, strlen(v) + 1);
	p->have_target = true;
	return 0;
}

/** One key=value setting (but target=, handled by the caller). */
static int key_value(struct disk_parse *p, const char *key, const char *v)
{
	if (strcmp(key, "format") == 0) {
		return set_format(p, v);
	}
	if (strcmp(key, "vdev") == 0) {
		return set_vdev(p, v);
	}
	if (strcmp(key, "access") == 0) {
		return set_access(p, v);
	}
	if (strcmp(key, "devtype") == 0) {
		if (strcmp(v, "cdrom") != 0 && strcmp(v, "disk") != 0) {
			return derr(p, "devtype '%s': expected cdrom or disk", v);
		}
		p->d->cdrom = v[0] == 'c';
		return 0;
	}
	if (strcmp(key, "backendtype") == 0) {
		if (strcmp(v, "phy") != 0) {
			return derr(p,
				    "backendtype '%s' is not supported (lam serves disks with "
				    "Dom0's blkback: phy)",
				    v);
		}
		return 0;
	}
	if (strcmp(key, "backend") == 0) {
		if (strcmp(v, "0") != 0 && strcmp(v, "Domain-0") != 0) {
			return derr(p, "backend '%s': only Dom0 serves disks", v);
		}
		return 0;
	}
	if (strcmp(key, "script") == 0) {
		return derr(p, "script is not supported (lam sets disks up itself)");
	}
	return derr(p, "unknown parameter '%s'", key);
}

/** One positional setting, in xl's order. */
static int positional(struct disk_parse *p, const char *v)
{
	if (!p->have_target) {
		return set_target(p, v);
	}
	if (!p->legacy_prefix && !p->have_format) {
		return set_format(p, v);
	}
	if (!p->have_vdev) {
		return set_vdev(p, v);
	}
	if (!p->have_access) {
		return set_access(p, v);
	}
	return derr(p, "too many positional parameters at '%s'", v);
}

/** xl's legacy prefixes ("phy:", "file:", ...): 1 if tok starts with one (skipped). */
static int legacy_prefix(struct disk_parse *p, const char *tok, size_t *skip)
{
	static const char *const plain[] = {
		"phy", "file", "aio", "tap", "tap2", "tapdisk", "ioemu"
	};
	static const char *const formats[] = { "raw", "qcow", "qcow2", "vhd" };
	static const char *const scripts[] = { "iscsi", "nbd", "enbd", "drbd" };
	const char *colon = strchr(tok, ':');
	size_t len;
	char name[16];

	if (colon == NULL || colon == tok || p->have_target) {
		return 0;
	}
	len = (size_t)(colon - tok);
	for (size_t i = 0; i < len; i++) {
		if (!islower((unsigned char)tok[i]) && !isdigit((unsigned char)tok[i])) {
			return 0;
		}
	}
	if (len >= sizeof(name)) {
		return derr(p, "unknown legacy disk prefix '%.*s:'", (int)len, tok);
	}
	memcpy(name, tok, len);
	name[len] = '\0';
	*skip = len + 1;
	p->legacy_prefix = true;
	for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
		if (strcmp(name, plain[i]) == 0) {
			return 1;
		}
	}
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		if (strcmp(name, formats[i]) == 0) {
			return set_format(p, name) == 0 ? 1 : -1;
		}
	}
	for (size_t i = 0; i < sizeof(scripts) / sizeof(scripts[0]); i++) {
		if (strcmp(name, scripts[i]) == 0) {
			return derr(p, "'%s:' needs a hotplug script, which lam does not run",
				    name);
		}
	}
	return derr(p, "unknown legacy disk prefix '%s:'", name);
}

/** True if tok is KEY=... with KEY in xl's [a-z][-a-z0-9]* form; *eq gets the '='. */
static bool is_key_value(const char *tok, const char **eq)
{
	const char *s = tok;

	if (!islower((unsigned char)*s)) {
		return false;
	}
	while (islower((unsigned char)*s) || isdigit((unsigned char)*s) || *s == '-') {
		s++;
	}
	if (*s != '=') {
		return false;
	}
	*eq = s;
	return true;
}

static int parse_tokens(struct disk_parse *p, const char *spec)
{
	char tok[PATH_MAX + 64];
	const char *s = spec;

	for (;;) {
		const char *end, *eq;
		size_t len, skip = 0;
		int rc;

		while (*s == ' ' || *s == '\t' || *s == '\n') {
			s++;
		}
		if (*s == '\0') {
			return 0;
		}
		if (strncmp(s, "target=", 7) == 0) {
			/* The rest of the string, commas included (one trailing comma dropped). */
			len = strlen(s + 7);
			if (len > 0 && s[7 + len - 1] == ',') {
				len--;
			}
			if (len >= sizeof(tok)) {
				return derr(p, "target longer than %zu bytes", sizeof(tok) - 1);
			}
			memcpy(tok, s + 7, len);
			tok[len] = '\0';
			if (p->have_target) {
				return derr(p, "target given twice");
			}
			return set_target(p, tok);
		}
		end = strchr(s, ',');
		len = end != NULL ? (size_t)(end - s) : strlen(s);
		if (len >= sizeof(tok)) {
			return derr(p, "setting longer than %zu bytes", sizeof(tok) - 1);
		}
		memcpy(tok, s, len);
		tok[len] = '\0';
		while (len > 0 && (tok[len - 1] == ' ' || tok[len - 1] == '\t')) {
			tok[--len] = '\0';
		}
		s = end != NULL ? end + 1 : s + strlen(s);

		if (strcmp(tok, "discard") == 0 || strcmp(tok, "no-discard") == 0) {
			p->d->discard = tok[0] == 'd';
			continue;
		}
		if (is_key_value(tok, &eq)) {
			char key[32];
			size_t klen = (size_t)(eq - tok);

			if (klen >= sizeof(key)) {
				return derr(p, "unknown parameter '%.*s'", (int)klen, tok);
			}
			memcpy(key, tok, klen);
			key[klen] = '\0';
			if (key_value(p, key, eq + 1) != 0) {
				return -1;
			}
			continue;
		}
		rc = legacy_prefix(p, tok, &skip);
		if (rc < 0) {
			return -1;
		}
		if (positional(p, tok + skip) != 0) {
			return -1;
		}
	}
}

int lam_disk_spec_parse(const char *spec, struct lam_disk_spec *out, char *err, size_t errlen)
{
	struct disk_parse p = { .d = out, .err = err, .errlen = errlen };

	memset(out, 0, sizeof(*out));
	out->discard = true;
	if (parse_tokens(&p, spec) != 0) {
		return -1;
	}
	if (!p.have_target || out->target[0] == '\0') {
		return derr(&p, "no target (the image file or block device)");
	}
	if (!p.have_vdev) {
		return derr(&p, "no vdev (the guest's name for the disk, e.g. xvda)");
	}
	if (lam_disk_vdev_number(out->vdev, &out->devid) != 0) {
		return derr(&p,
			    "vdev '%s' is not a valid virtual device (xvdX, hdX, sdX with X in "
			    "a..z, aa.., an optional partition number, or dDpP)",
			    out->vdev);
	}
	return 0;
}

void lam_disk_spec_format(const struct lam_disk_spec *d, char *buf, size_t len)
{
	snprintf(buf, len, "format=raw, vdev=%s, access=%s%s%s, target=%s", d->vdev,
		 d->readonly ? "ro" : "rw", d->cdrom ? ", devtype=cdrom" : "",
		 d->discard ? "" : ", no-discard", d->target);
}

int lam_cfg_disk_add(struct lam_cfg *cfg, unsigned int index, const char *spec, char *err,
		     size_t errlen)
{
	struct lam_disk_spec *d;

	if (index >= LAM_CFG_DISKS_MAX) {
		snprintf(err, errlen, "more than %u disks", LAM_CFG_DISKS_MAX);
		return -1;
	}
	d = &cfg->disks[index];
	if (lam_disk_spec_parse(spec, d, err, errlen) != 0) {
		return -1;
	}
	for (unsigned int i = 0; i < index; i++) {
		if (cfg->disks[i].devid == d->devid) {
			if (strcmp(cfg->disks[i].vdev, d->vdev) == 0) {
				snprintf(err, errlen, "vdev %s is listed twice", d->vdev);
			} else {
				snprintf(err, errlen, "vdev %s is the same device as %s (%u)",
					 d->vdev, cfg->disks[i].vdev, d->devid);
			}
			return -1;
		}
	}
	cfg->nr_disks = index + 1;
	return 0;
}

int lam_cfg_disks_write(FILE *f, const struct lam_cfg *cfg)
{
	char spec[PATH_MAX + 128];

	if (cfg->nr_disks == 0) {
		return 0;
	}
	fputs("disk = [\n", f);
	for (unsigned int i = 0; i < cfg->nr_disks; i++) {
		const char *q = "'";

		lam_disk_spec_format(&cfg->disks[i], spec, sizeof(spec));
		if (strchr(spec, '\n') != NULL ||
		    (strchr(spec, '\'') != NULL && strchr(spec, '"') != NULL)) {
			return -EINVAL;
		}
		if (strchr(spec, '\'') != NULL) {
			q = "\"";
		}
		/* The reader takes a backslash as an escape (cfg.c's lexer): written as two. */
		fprintf(f, "\t%s", q);
		for (const char *c = spec; *c != '\0'; c++) {
			if (*c == '\\') {
				fputc('\\', f);
			}
			fputc(*c, f);
		}
		fprintf(f, "%s,\n", q);
	}
	fputs("]\n", f);
	return 0;
}
