/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Pure helpers of the `lam` CLI: domain names and states as xl shows them, number and
 * memory-size parsing, DOM resolution, the list table and its JSON form, and writing a
 * configuration back in xl.cfg syntax. No device access, so tests/unit/test_lam_cli.c runs
 * them on the host.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <lam/cfg.h>
#include <public/xen.h>

#include "lam.h"

const char *lam_dom_name(const struct lam_dom_info *info)
{
	if (info->name[0] == '\0' && info->domid == 0) {
		return "Domain-0";
	}
	return info->name;
}

char lam_shutdown_letter(uint32_t reason)
{
	static const char letters[] = "-rscw"; /* indexed by SHUTDOWN_* */

	return reason < sizeof(letters) - 1 ? letters[reason] : '?';
}

const char *lam_shutdown_name(uint32_t reason)
{
	switch (reason) {
	case SHUTDOWN_poweroff:
		return "poweroff";
	case SHUTDOWN_reboot:
		return "reboot";
	case SHUTDOWN_suspend:
		return "suspend";
	case SHUTDOWN_crash:
		return "crash";
	case SHUTDOWN_watchdog:
		return "watchdog";
	default:
		return "unknown";
	}
}

void lam_state_string(const struct lam_dom_info *info, char out[7])
{
	bool shut = (info->flags & LAM_DOMINF_shutdown) != 0;

	out[0] = (info->flags & LAM_DOMINF_running) ? 'r' : '-';
	out[1] = (info->flags & LAM_DOMINF_blocked) ? 'b' : '-';
	out[2] = (info->flags & LAM_DOMINF_paused) ? 'p' : '-';
	out[3] = shut ? 's' : '-';
	out[4] = shut ? lam_shutdown_letter(info->shutdown_reason) : '-';
	out[5] = (info->flags & LAM_DOMINF_dying) ? 'd' : '-';
	out[6] = '\0';
}

int lam_parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (s == NULL || *s == '\0') {
		return -EINVAL;
	}
	for (; *s != '\0'; s++) {
		unsigned int d;

		if (*s < '0' || *s > '9') {
			return -EINVAL;
		}
		d = (unsigned int)(*s - '0');
		if (v > (max - d) / 10) {
			return -ERANGE;
		}
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

int lam_parse_mem_kb(const char *s, uint64_t *kb)
{
	char num[24];
	size_t len;
	unsigned int shift_up = 0, shift_down = 0;
	uint64_t v;
	int err;

	if (s == NULL) {
		return -EINVAL;
	}
	len = strlen(s);
	if (len == 0 || len >= sizeof(num)) {
		return len == 0 ? -EINVAL : -ERANGE;
	}
	memcpy(num, s, len + 1);
	if (!isdigit((unsigned char)num[len - 1])) {
		switch (tolower((unsigned char)num[len - 1])) {
		case 't':
			shift_up = 30;
			break;
		case 'g':
			shift_up = 20;
			break;
		case 'm':
			shift_up = 10;
			break;
		case 'k':
			break;
		case 'b':
			shift_down = 10;
			break;
		default:
			return -EINVAL;
		}
		num[--len] = '\0';
	} else {
		shift_up = 10; /* no suffix: MiB */
	}
	err = lam_parse_u64(num, UINT64_MAX, &v);
	if (err != 0) {
		return err;
	}
	if (shift_up != 0 && v > (UINT64_MAX >> shift_up)) {
		return -ERANGE;
	}
	*kb = (v << shift_up) >> shift_down;
	return 0;
}

enum lam_find lam_find_domain(const struct lam_dom_info *list, size_t n, const char *spec,
			      uint16_t *domid)
{
	uint64_t id;
	int err;

	if (spec == NULL || *spec == '\0') {
		return LAM_FIND_BAD_SPEC;
	}
	err = lam_parse_u64(spec, UINT64_MAX, &id);
	if (err == -ERANGE) {
		return LAM_FIND_BAD_SPEC;
	}
	if (err == 0) {
		if (id >= DOMID_FIRST_RESERVED) {
			return LAM_FIND_BAD_SPEC;
		}
		for (size_t i = 0; i < n; i++) {
			if (list[i].domid == id) {
				*domid = (uint16_t)id;
				return LAM_FIND_OK;
			}
		}
		return LAM_FIND_NO_ID;
	}
	for (size_t i = 0; i < n; i++) {
		if (strcmp(lam_dom_name(&list[i]), spec) == 0) {
			*domid = (uint16_t)list[i].domid;
			return LAM_FIND_OK;
		}
	}
	return LAM_FIND_NO_NAME;
}

void lam_json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		switch (c) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		default:
			if (c < 0x20) {
				fprintf(f, "\\u%04x", c);
			} else {
				fputc(c, f);
			}
			break;
		}
	}
	fputc('"', f);
}

/** Name of a lam_dom_info, bounded even if the hypervisor forgot the NUL. */
static void dom_name_copy(const struct lam_dom_info *info, char out[LAMCTL_NAME_LEN + 1])
{
	const char *name = lam_dom_name(info);

	strncpy(out, name, LAMCTL_NAME_LEN);
	out[LAMCTL_NAME_LEN] = '\0';
}

static uint64_t dom_uptime_s(const struct lam_dom_info *info, uint64_t now_ns)
{
	return now_ns > info->created_ns ? (now_ns - info->created_ns) / 1000000000ull : 0;
}

void lam_list_print(FILE *f, const struct lam_dom_info *list, size_t n, bool long_fmt,
		    uint64_t now_ns)
{
	fprintf(f, "%-40s %5s %5s %5s     %-6s  %8s", "Name", "ID", "Mem", "VCPUs", "State",
		"Time(s)");
	if (long_fmt) {
		fprintf(f, " %6s %8s %10s  %s", "MaxMem", "MaxVCPUs", "Uptime(s)", "Shutdown");
	}
	fputc('\n', f);
	for (size_t i = 0; i < n; i++) {
		const struct lam_dom_info *d = &list[i];
		char name[LAMCTL_NAME_LEN + 1];
		char state[7];

		dom_name_copy(d, name);
		lam_state_string(d, state);
		fprintf(f, "%-40s %5" PRIu32 " %5" PRIu64 " %5" PRIu32 "     %-6s  %8.1f", name,
			d->domid, d->tot_pages * 4 / 1024, d->nr_online_vcpus, state,
			(double)d->cpu_time_ns / 1e9);
		if (long_fmt) {
			fprintf(f, " %6" PRIu64 " %8" PRIu32 " %10" PRIu64 "  %s",
				d->max_pages * 4 / 1024, d->nr_vcpus, dom_uptime_s(d, now_ns),
				(d->flags & LAM_DOMINF_shutdown)
					? lam_shutdown_name(d->shutdown_reason)
					: "-");
		}
		fputc('\n', f);
	}
}

void lam_list_print_json(FILE *f, const struct lam_dom_info *list, size_t n, uint64_t now_ns)
{
	fputs("[", f);
	for (size_t i = 0; i < n; i++) {
		const struct lam_dom_info *d = &list[i];
		char name[LAMCTL_NAME_LEN + 1];
		char state[7];

		dom_name_copy(d, name);
		lam_state_string(d, state);
		fputs(i == 0 ? "\n  {" : ",\n  {", f);
		fprintf(f, "\"domid\": %" PRIu32 ", \"name\": ", d->domid);
		lam_json_string(f, name);
		fprintf(f,
			", \"mem_kb\": %" PRIu64 ", \"memory\": %" PRIu64
			", \"max_mem_kb\": %" PRIu64 ", \"vcpus\": %" PRIu32
			", \"online_vcpus\": %" PRIu32 ", \"state\": \"%s\"",
			d->tot_pages * 4, d->tot_pages * 4 / 1024, d->max_pages * 4, d->nr_vcpus,
			d->nr_online_vcpus, state);
		fprintf(f, ", \"cpu_time\": %.3f, \"uptime\": %" PRIu64,
			(double)d->cpu_time_ns / 1e9, dom_uptime_s(d, now_ns));
		if (d->flags & LAM_DOMINF_shutdown) {
			fprintf(f, ", \"shutdown_reason\": \"%s\"",
				lam_shutdown_name(d->shutdown_reason));
		} else {
			fputs(", \"shutdown_reason\": null", f);
		}
		fputs("}", f);
	}
	fputs(n == 0 ? "]\n" : "\n]\n", f);
}

void lam_format_uptime(uint64_t secs, char *buf, size_t len)
{
	uint64_t days = secs / 86400;
	unsigned int h = (unsigned int)(secs / 3600 % 24);
	unsigned int m = (unsigned int)(secs / 60 % 60);
	unsigned int s = (unsigned int)(secs % 60);

	if (days > 0) {
		snprintf(buf, len, "%" PRIu64 " day%s, %02u:%02u:%02u", days, days == 1 ? "" : "s",
			 h, m, s);
	} else {
		snprintf(buf, len, "%02u:%02u:%02u", h, m, s);
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
	fprintf(f, "%s = %c%s%c\n", key, q, value, q);
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
	if (cfg->has_uuid) {
		const uint8_t *u = cfg->uuid;

		fprintf(f,
			"uuid = \"%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
			"%02x%02x%02x%02x%02x%02x\"\n",
			u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11],
			u[12], u[13], u[14], u[15]);
	}
	return err != 0 ? -EINVAL : 0;
}

int lam_parse_create_args(int argc, char **argv, struct lam_create_args *out,
			  const char **overrides, char *err, size_t errlen)
{
	bool options_done = false;

	*out = (struct lam_create_args){ .overrides = overrides };
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!options_done && a[0] == '-' && a[1] != '\0') {
			if (strcmp(a, "--") == 0) {
				options_done = true;
			} else if (strcmp(a, "-c") == 0) {
				out->console = true;
			} else if (strcmp(a, "-p") == 0) {
				out->paused = true;
			} else if (strcmp(a, "-f") == 0 || strncmp(a, "--defconfig=", 12) == 0) {
				const char *file =
					a[1] == 'f' ? (i + 1 < argc ? argv[++i] : NULL) : a + 12;

				if (file == NULL || *file == '\0') {
					snprintf(err, errlen, "-f needs a file name");
					return -EINVAL;
				}
				if (out->config != NULL) {
					snprintf(err, errlen, "more than one configuration file");
					return -EINVAL;
				}
				out->config = file;
			} else {
				snprintf(err, errlen, "unknown option '%s'", a);
				return -EINVAL;
			}
		} else if (strchr(a, '=') != NULL) {
			if (a[0] == '=') {
				snprintf(err, errlen, "'%s': expected key=value", a);
				return -EINVAL;
			}
			out->overrides[out->nr_overrides++] = a;
		} else if (out->config == NULL) {
			out->config = a;
		} else {
			snprintf(err, errlen, "unexpected argument '%s' (expected key=value)", a);
			return -EINVAL;
		}
	}
	if (out->config == NULL) {
		snprintf(err, errlen, "no configuration file given");
		return -EINVAL;
	}
	return 0;
}

int lam_parse_list_args(int argc, char **argv, struct lam_list_args *out, const char **doms,
			char *err, size_t errlen)
{
	bool options_done = false;

	*out = (struct lam_list_args){ .doms = doms };
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!options_done && a[0] == '-' && a[1] != '\0') {
			if (strcmp(a, "--") == 0) {
				options_done = true;
			} else if (strcmp(a, "-l") == 0 || strcmp(a, "--long") == 0) {
				out->long_fmt = true;
			} else if (strcmp(a, "--json") == 0 || strcmp(a, "-j") == 0) {
				out->json = true;
			} else {
				snprintf(err, errlen, "unknown option '%s'", a);
				return -EINVAL;
			}
		} else {
			out->doms[out->nr_doms++] = a;
		}
	}
	return 0;
}
