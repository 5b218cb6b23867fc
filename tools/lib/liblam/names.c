/* SPDX-License-Identifier: Apache-2.0 */
/*
 * liblam: domain names, IDs and shutdown reasons as xl shows and accepts them. Pure
 * functions (no device access), unit-tested on the host by tests/unit/test_lam_cli.c.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <lam/liblam.h>
#include <public/xen.h>

const char *lam_dom_name(const struct lam_dom_info *info)
{
	if (info->name[0] == '\0' && info->domid == 0) {
		return "Domain-0";
	}
	return info->name;
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
