/* SPDX-License-Identifier: Apache-2.0 */
/*
 * liblam: xl's network-device specs (Xen's docs/man/xl-network-configuration.5.pod), the
 * strings of `vif = [ ... ]` and of `lam network-attach`: comma-separated key=value pairs.
 * Only what a PV NIC bridged by Dom0 means is accepted; every other key is refused by name
 * rather than ignored, except `model`, which only selects an emulated NIC's hardware and
 * means nothing for a PV one (xl ignores it for PV guests too). MACs without mac= come from
 * Xen's own OUI, 00:16:3e, as libxl's do, but derived from the guest's name instead of
 * random, so a guest keeps its address (and its DHCP lease) across restarts.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <lam/cfg.h>

#define IFNAMSIZ_MAX 15 /* Linux's IFNAMSIZ minus the NUL */

static int hexdigit(char c)
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

int lam_nic_mac_parse(const char *s, uint8_t mac[6], char *err, size_t errlen)
{
	uint8_t m[6];

	for (int i = 0; i < 6; i++) {
		const char *p = s + i * 3;
		int hi, lo;

		if (p[0] == '\0' || (hi = hexdigit(p[0])) < 0 || (lo = hexdigit(p[1])) < 0 ||
		    p[2] != (i == 5 ? '\0' : ':')) {
			snprintf(err, errlen,
				 "mac: \"%s\" is not a MAC address (xx:xx:xx:xx:xx:xx)", s);
			return -1;
		}
		m[i] = (uint8_t)(hi << 4 | lo);
	}
	if (m[0] & 1) {
		snprintf(err, errlen,
			 "mac: %s is a multicast address (the first byte must be even; Xen's "
			 "prefix is 00:16:3e)",
			 s);
		return -1;
	}
	if ((m[0] | m[1] | m[2] | m[3] | m[4] | m[5]) == 0) {
		snprintf(err, errlen, "mac: 00:00:00:00:00:00 is not a usable address");
		return -1;
	}
	memcpy(mac, m, sizeof(m));
	return 0;
}

void lam_nic_mac_format(const uint8_t mac[6], char out[18])
{
	snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4],
		 mac[5]);
}

void lam_nic_mac_default(const char *name, uint32_t devid, uint8_t mac[6])
{
	/* FNV-1a over the name, a separator and the devid (little-endian). */
	uint32_t h = 2166136261u;

	for (const char *c = name; *c != '\0'; c++) {
		h = (h ^ (uint8_t)*c) * 16777619u;
	}
	h = (h ^ 0xffu) * 16777619u;
	for (int i = 0; i < 4; i++) {
		h = (h ^ ((devid >> (8 * i)) & 0xffu)) * 16777619u;
	}
	mac[0] = 0x00;
	mac[1] = 0x16;
	mac[2] = 0x3e;
	/* Xen's tools keep the fourth byte below 0x80 (libxl_nic.c); so do we. */
	mac[3] = (uint8_t)((h >> 16) & 0x7f);
	mac[4] = (uint8_t)(h >> 8);
	mac[5] = (uint8_t)h;
}

static bool valid_bridge(const char *b)
{
	size_t n = strlen(b);

	if (n == 0 || n > IFNAMSIZ_MAX || strcmp(b, ".") == 0 || strcmp(b, "..") == 0) {
		return false;
	}
	for (; *b != '\0'; b++) {
		if (*b == '/' || *b == ':' || isspace((unsigned char)*b) ||
		    !isprint((unsigned char)*b)) {
			return false;
		}
	}
	return true;
}

/** Keys of xl's syntax lam refuses, and why. */
static const struct {
	const char *key;
	const char *why;
} refused[] = {
	{ "rate", "rate limits are not supported by lam" },
	{ "vifname", "lam keeps netback's vifDOMID.DEVID names" },
	{ "backend", "the backend is always Domain-0" },
	{ "gatewaydev", "only bridged networking (vif-bridge) is supported" },
	{ "mtu", "the vif takes the bridge's MTU" },
	{ "trusted", "not supported by lam" },
	{ "untrusted", "not supported by lam" },
	{ "accel", "not supported by lam" },
	{ "devid", "the devid is the NIC's place in the list" },
	{ "powerswitch", "not supported by lam" },
	{ "forwarddev", "not supported by lam" },
};

/** Applies one trimmed key=value token to nic. */
static int spec_item(const char *tok, struct lam_nic_cfg *nic, char *err, size_t errlen)
{
	const char *eq = strchr(tok, '=');
	char key[32];
	const char *val;
	size_t klen;

	if (eq == NULL) {
		snprintf(err, errlen, "expected key=value, got \"%s\"", tok);
		return -1;
	}
	klen = (size_t)(eq - tok);
	while (klen > 0 && isspace((unsigned char)tok[klen - 1])) {
		klen--;
	}
	if (klen == 0 || klen >= sizeof(key)) {
		snprintf(err, errlen, "expected key=value, got \"%s\"", tok);
		return -1;
	}
	memcpy(key, tok, klen);
	key[klen] = '\0';
	val = eq + 1;
	while (isspace((unsigned char)*val)) {
		val++;
	}

	if (strcmp(key, "mac") == 0) {
		if (lam_nic_mac_parse(val, nic->mac, err, errlen) != 0) {
			return -1;
		}
		nic->mac_set = true;
		return 0;
	}
	if (strcmp(key, "bridge") == 0) {
		if (!valid_bridge(val)) {
			snprintf(err, errlen,
				 "bridge: \"%s\" is not an interface name (1-15 characters, "
				 "no '/', ':' or spaces)",
				 val);
			return -1;
		}
		snprintf(nic->bridge, sizeof(nic->bridge), "%s", val);
		return 0;
	}
	if (strcmp(key, "type") == 0) {
		if (strcmp(val, "vif") != 0) {
			snprintf(err, errlen,
				 "type: only \"vif\" (a PV NIC) is supported, got \"%s\"", val);
			return -1;
		}
		return 0;
	}
	if (strcmp(key, "script") == 0) {
		const char *base = strrchr(val, '/');

		base = base != NULL ? base + 1 : val;
		if (strcmp(base, "vif-bridge") != 0) {
			snprintf(err, errlen,
				 "script: only vif-bridge is supported (lam does its work itself), "
				 "got \"%s\"",
				 val);
			return -1;
		}
		return 0;
	}
	if (strcmp(key, "model") == 0) {
		return 0; /* an emulated NIC's model: nothing to do for a PV NIC */
	}
	if (strcmp(key, "ip") == 0) {
		if (val[0] == '\0' || strlen(val) >= sizeof(nic->ip) ||
		    strspn(val, "0123456789abcdefABCDEF.:/ ") != strlen(val)) {
			snprintf(err, errlen, "ip: \"%s\" is not a list of IP addresses", val);
			return -1;
		}
		snprintf(nic->ip, sizeof(nic->ip), "%s", val);
		return 0;
	}
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		if (strcmp(key, refused[i].key) == 0) {
			snprintf(err, errlen, "%s: %s", key, refused[i].why);
			return -1;
		}
	}
	snprintf(err, errlen, "unknown key \"%s\" (lam knows mac, bridge, type, script, model, ip)",
		 key);
	return -1;
}

int lam_nic_spec_parse(const char *spec, struct lam_nic_cfg *nic, char *err, size_t errlen)
{
	char tok[LAM_NIC_SPEC_MAX];
	const char *p = spec;

	memset(nic, 0, sizeof(*nic));
	snprintf(nic->bridge, sizeof(nic->bridge), "%s", LAM_NIC_BRIDGE_DEFAULT);
	if (strlen(spec) >= sizeof(nic->spec)) {
		snprintf(err, errlen, "spec longer than %u bytes", LAM_NIC_SPEC_MAX - 1);
		return -1;
	}
	if (strchr(spec, '\'') != NULL || strchr(spec, '"') != NULL || strchr(spec, '\\') != NULL) {
		snprintf(err, errlen, "quotes and backslashes have no place in a vif spec");
		return -1;
	}
	snprintf(nic->spec, sizeof(nic->spec), "%s", spec);
	while (*p != '\0') {
		const char *end = strchr(p, ',');
		size_t len = end != NULL ? (size_t)(end - p) : strlen(p);

		while (len > 0 && isspace((unsigned char)*p)) {
			p++;
			len--;
		}
		while (len > 0 && isspace((unsigned char)p[len - 1])) {
			len--;
		}
		memcpy(tok, p, len);
		tok[len] = '\0';
		if (len > 0 && spec_item(tok, nic, err, errlen) != 0) {
			return -1;
		}
		if (end == NULL) {
			break;
		}
		p = end + 1;
	}
	return 0;
}

int lam_cfg_nic_add(struct lam_cfg *cfg, unsigned int index, const char *spec, char *err,
		    size_t errlen)
{
	char msg[256];

	if (index >= LAM_CFG_NICS_MAX) {
		snprintf(err, errlen, "more than %u NICs", LAM_CFG_NICS_MAX);
		return -1;
	}
	if (lam_nic_spec_parse(spec, &cfg->nics[index], msg, sizeof(msg)) != 0) {
		snprintf(err, errlen, "NIC %u: %s", index, msg);
		return -1;
	}
	cfg->nics[index].devid = index;
	return 0;
}

int lam_cfg_nics_finalize(struct lam_cfg *cfg, char *err, size_t errlen)
{
	for (unsigned int i = 0; i < cfg->nr_nics; i++) {
		if (!cfg->nics[i].mac_set) {
			lam_nic_mac_default(cfg->name, cfg->nics[i].devid, cfg->nics[i].mac);
		}
		for (unsigned int j = 0; j < i; j++) {
			if (memcmp(cfg->nics[i].mac, cfg->nics[j].mac, 6) == 0) {
				snprintf(err, errlen, "%s: vif: NICs %u and %u have the same MAC",
					 cfg->where[0].file, j, i);
				return -1;
			}
		}
	}
	return 0;
}

int lam_cfg_nics_write(FILE *f, const struct lam_cfg *cfg)
{
	if (cfg->nr_nics == 0) {
		return 0;
	}
	fputs("vif = [", f);
	for (unsigned int i = 0; i < cfg->nr_nics; i++) {
		/* lam_nic_spec_parse() keeps quotes and backslashes out of specs. */
		fprintf(f, "%s'%s'", i ? ", " : " ", cfg->nics[i].spec);
	}
	fputs(" ]\n", f);
	return 0;
}
