/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Pure helpers of the `lam` CLI: domain states as xl shows them, memory-size parsing, the
 * list table and its JSON form, uptimes, and the arguments of create and list. No device
 * access, so tests/unit/test_lam_cli.c runs them on the host (with liblam's names.c and
 * cfg.c, which hold DOM resolution and the configuration writer).
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <lam/cfg.h>
#include <public/xen.h>

#include "lam.h"

char lam_shutdown_letter(uint32_t reason)
{
	static const char letters[] = "-rscw"; /* indexed by SHUTDOWN_* */

	return reason < sizeof(letters) - 1 ? letters[reason] : '?';
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

lam_list_json_fn *lam_list_json_extra[LAM_LIST_JSON_EXTRA_MAX];
void *lam_list_json_extra_arg;

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
		for (size_t k = 0; k < LAM_LIST_JSON_EXTRA_MAX; k++) {
			if (lam_list_json_extra[k] != NULL) {
				lam_list_json_extra[k](f, d->domid, lam_list_json_extra_arg);
			}
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
