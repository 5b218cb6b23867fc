/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `lam network-attach`, `network-detach`, `network-list` (xl's commands of the same names,
 * Xen's tools/xl/xl_vif.c) and `lam network-check`, which says whether Dom0's bridge is
 * ready for guests' NICs and how to fix it when not. The work is liblam's (nic.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lam.h"

static const char *const STATE_NAMES[] = { "Unknown",	  "Initialising",  "InitWait",
					   "Initialised", "Connected",	   "Closing",
					   "Closed",	  "Reconfiguring", "Reconfigured" };

/** The problems with bridge br, one fix per line in out (empty when it is ready). */
static unsigned int bridge_problems(const char *br, const struct lam_bridge_status *st, FILE *out)
{
	unsigned int n = 0;

	if (!st->exists) {
		fprintf(out,
			"  no %s: create it with `brctl addbr %s; echo 0 "
			">/sys/class/net/%s/bridge/forward_delay`\n",
			br, br, br);
		return 1;
	}
	if (!st->is_bridge) {
		fprintf(out, "  %s is not a bridge: guests' NICs need one (`brctl addbr`)\n", br);
		return 1;
	}
	if (!st->up) {
		fprintf(out, "  %s is down: `ip link set %s up`\n", br, br);
		n++;
	}
	if (st->uplink[0] == '\0') {
		fprintf(out,
			"  %s has no uplink: `brctl addif %s eth0; ip link set eth0 up` (guests "
			"then "
			"reach QEMU's DHCP server and 10.0.2.2; without one only each other and "
			"Dom0)\n",
			br, br);
		n++;
	}
	if (st->addr[0] == '\0') {
		fprintf(out,
			"  %s has no IPv4 address: `udhcpc -i %s -b` (guests cannot reach Dom0)\n",
			br, br);
		n++;
	}
	return n;
}

/** One line for `lam info`: the default bridge's state. */
void lam_network_info_line(void)
{
	struct lam_bridge_status st;

	lam_bridge_status(LAM_NIC_BRIDGE_DEFAULT, &st);
	if (!st.exists || !st.is_bridge) {
		printf("%-22s : no bridge %s (lam network-check)\n", "network",
		       LAM_NIC_BRIDGE_DEFAULT);
		return;
	}
	printf("%-22s : %s %s, uplink %s, %s, %u vif(s)\n", "network", LAM_NIC_BRIDGE_DEFAULT,
	       st.up ? "up" : "down", st.uplink[0] ? st.uplink : "none",
	       st.addr[0] ? st.addr : "no address", st.nr_vifs);
}

int lam_cmd_network_check(int argc, char **argv)
{
	struct lam_bridge_status st;
	const char *br = LAM_NIC_BRIDGE_DEFAULT;
	unsigned int problems;

	if (argc > 2 || (argc == 2 && argv[1][0] == '-')) {
		lam_err("network-check", "expected at most one BRIDGE (default %s)", br);
		return 2;
	}
	if (argc == 2) {
		br = argv[1];
	}
	lam_bridge_status(br, &st);
	printf("bridge %s: %s, %s, uplink %s, address %s, MTU %d, %u vif(s)\n", br,
	       !st.exists ? "missing" : (st.is_bridge ? "present" : "not a bridge"),
	       st.up ? "up" : "down", st.uplink[0] ? st.uplink : "none",
	       st.addr[0] ? st.addr : "none", st.mtu, st.nr_vifs);
	problems = bridge_problems(br, &st, stdout);
	if (problems == 0) {
		printf("network: ok\n");
		return 0;
	}
	printf("network: %u problem(s); tools/dom0/init sets all this up at boot when Dom0 has "
	       "eth0\n",
	       problems);
	return 1;
}

/** DOM's domid and name from the shared prologue; NULL context after printing why. */
static struct lam_ctx *open_dom(const char *cmd, const char *spec, uint16_t *domid,
				struct lam_dom_info *info)
{
	struct lam_ctx *ctx = lam_open_ctx(cmd);

	if (ctx == NULL) {
		return NULL;
	}
	if (lam_domain_resolve(ctx, spec, domid) != 0) {
		lam_ctx_free(ctx);
		return NULL;
	}
	if (*domid == 0) {
		lam_err(cmd, "Domain-0 has no PV NICs (its own are real)");
		lam_ctx_free(ctx);
		return NULL;
	}
	if (lam_domain_info(ctx, *domid, info) != 0) {
		lam_err(cmd, "domain %u went away", *domid);
		lam_ctx_free(ctx);
		return NULL;
	}
	return ctx;
}

/** Keeps the saved configuration in step, so a restart brings hot-plugged NICs back. */
static void saved_cfg_update(struct lam_ctx *ctx, uint16_t domid, const struct lam_nic_cfg *add,
			     const char *remove_mac)
{
	struct lam_cfg *cfg = calloc(1, sizeof(*cfg));
	char mac[18];
	unsigned int j = 0;

	if (cfg == NULL || lam_domain_config_load(ctx, domid, cfg) != 0) {
		free(cfg);
		return;
	}
	if (add != NULL && cfg->nr_nics < LAM_CFG_NICS_MAX) {
		cfg->nics[cfg->nr_nics++] = *add;
	}
	for (unsigned int i = 0; i < cfg->nr_nics; i++) {
		lam_nic_mac_format(cfg->nics[i].mac, mac);
		if (remove_mac == NULL || strcmp(mac, remove_mac) != 0) {
			cfg->nics[j++] = cfg->nics[i];
		}
	}
	cfg->nr_nics = j;
	(void)lam_domain_config_save(ctx, cfg, domid);
	free(cfg);
}

int lam_cmd_network_attach(int argc, char **argv)
{
	struct lam_nic_cfg nic;
	struct lam_dom_info info;
	struct lam_ctx *ctx;
	char spec[LAM_NIC_SPEC_MAX] = "", msg[LAM_NIC_SPEC_MAX + 32], mac[18];
	uint16_t domid;
	uint32_t devid;
	size_t len = 0;
	int err;

	if (argc < 2) {
		lam_err("network-attach", "expected DOM [key=value...]");
		return 2;
	}
	/* xl's form: each key=value its own argument (one comma-separated spec also works). */
	for (int i = 2; i < argc; i++) {
		int w = snprintf(spec + len, sizeof(spec) - len, "%s%s", i > 2 ? ", " : "",
				 argv[i]);

		if (w < 0 || (size_t)w >= sizeof(spec) - len) {
			lam_err("network-attach", "NIC spec longer than %u bytes",
				LAM_NIC_SPEC_MAX - 1);
			return 2;
		}
		len += (size_t)w;
	}
	if (lam_nic_spec_parse(spec, &nic, msg, sizeof(msg)) != 0) {
		lam_err("network-attach", "%s", msg);
		return 2;
	}
	ctx = open_dom("network-attach", argv[1], &domid, &info);
	if (ctx == NULL) {
		return 1;
	}
	err = lam_nic_free_devid(ctx, domid, &devid);
	if (err == 0) {
		nic.devid = devid;
		if (!nic.mac_set) {
			lam_nic_mac_default(lam_dom_name(&info), devid, nic.mac);
			/* Saved with its MAC: a restart numbers NICs afresh. */
			lam_nic_mac_format(nic.mac, mac);
			snprintf(msg, sizeof(msg), "%s%smac=%s", nic.spec, nic.spec[0] ? ", " : "",
				 mac);
			snprintf(nic.spec, sizeof(nic.spec), "%.*s", (int)sizeof(nic.spec) - 1,
				 msg);
			nic.mac_set = true;
		}
		err = lam_nic_add(ctx, domid, &nic,
				  (info.flags & LAM_DOMINF_paused) ? 0 : LAM_NIC_WAIT_CONNECTED);
	}
	if (err == 0) {
		saved_cfg_update(ctx, domid, &nic, NULL);
		lam_nic_mac_format(nic.mac, mac);
		printf("NIC %u of %s: %s on %s (vif%u.%u)\n", devid, lam_dom_name(&info), mac,
		       nic.bridge, domid, devid);
	}
	lam_ctx_free(ctx);
	return err == 0 ? 0 : 1;
}

int lam_cmd_network_detach(int argc, char **argv)
{
	struct lam_nic_info *list = NULL;
	struct lam_dom_info info;
	struct lam_ctx *ctx;
	uint8_t want[6];
	char msg[128], want_s[18] = "";
	uint64_t devid = UINT32_MAX;
	bool by_mac;
	size_t n = 0;
	int err;

	if (!(argc == 3 && argv[2][0] != '-')) {
		lam_err("network-detach", "expected DOM DEVID|MAC");
		return 2;
	}
	by_mac = strchr(argv[2], ':') != NULL;
	if (by_mac) {
		if (lam_nic_mac_parse(argv[2], want, msg, sizeof(msg)) != 0) {
			lam_err("network-detach", "%s", msg);
			return 2;
		}
		lam_nic_mac_format(want, want_s);
	} else if (lam_parse_u64(argv[2], UINT32_MAX - 1, &devid) != 0) {
		lam_err("network-detach", "'%s' is neither a devid nor a MAC", argv[2]);
		return 2;
	}
	ctx = open_dom("network-detach", argv[1], &(uint16_t){ 0 }, &info);
	if (ctx == NULL) {
		return 1;
	}
	err = lam_nic_list(ctx, (uint16_t)info.domid, &list, &n);
	if (err == 0) {
		err = -ENOENT;
		for (size_t i = 0; i < n; i++) {
			uint8_t m[6];

			if (by_mac ? (lam_nic_mac_parse(list[i].mac, m, msg, sizeof(msg)) == 0 &&
				      memcmp(m, want, 6) == 0)
				   : list[i].devid == devid) {
				devid = list[i].devid;
				lam_nic_mac_format(m, want_s);
				if (!by_mac) {
					snprintf(want_s, sizeof(want_s), "%s", list[i].mac);
				}
				err = 0;
			}
		}
		if (err != 0) {
			lam_err("network-detach", "%s has no NIC %s", lam_dom_name(&info), argv[2]);
		}
	}
	if (err == 0) {
		err = lam_nic_remove(ctx, (uint16_t)info.domid, (uint32_t)devid);
	}
	if (err == 0) {
		saved_cfg_update(ctx, (uint16_t)info.domid, NULL, want_s);
	}
	free(list);
	lam_ctx_free(ctx);
	return err == 0 ? 0 : 1;
}

static const char *state_name(int st)
{
	return st >= 0 && st < (int)(sizeof(STATE_NAMES) / sizeof(STATE_NAMES[0])) ? STATE_NAMES[st]
										   : "-";
}

int lam_cmd_network_list(int argc, char **argv)
{
	struct lam_nic_info *list;
	struct lam_dom_info info;
	struct lam_ctx *ctx;
	uint16_t domid;
	size_t n;
	int rc = 0;

	if (argc < 2 || !(argv[1][0] != '-')) {
		lam_err("network-list", "expected DOM...");
		return 2;
	}
	printf("%-3s %-2s %-17s %-6s %-5s %-6s %-15s %s\n", "Idx", "BE", "Mac Addr.", "handle",
	       "state", "evt-ch", "tx-/rx-ring-ref", "BE-path");
	for (int a = 1; a < argc; a++) {
		ctx = open_dom("network-list", argv[a], &domid, &info);
		if (ctx == NULL) {
			rc = 1;
			continue;
		}
		if (lam_nic_list(ctx, domid, &list, &n) != 0) {
			rc = 1;
			lam_ctx_free(ctx);
			continue;
		}
		for (size_t i = 0; i < n; i++) {
			char rings[32];

			snprintf(rings, sizeof(rings), "%d/%d", list[i].tx_ring_ref,
				 list[i].rx_ring_ref);
			printf("%-3u %-2u %-17s %-6u %-5d %-6d %-15s %s\n", list[i].devid,
			       list[i].backend_domid, list[i].mac, list[i].devid, list[i].fe_state,
			       list[i].evtch, rings, list[i].be_path);
		}
		free(list);
		lam_ctx_free(ctx);
	}
	return rc;
}

void lam_list_json_nics(FILE *f, uint32_t domid, void *arg)
{
	struct lam_nic_info *list;
	size_t n;

	fputs(", \"nics\": [", f);
	if (domid != 0 && lam_nic_list(arg, (uint16_t)domid, &list, &n) == 0) {
		for (size_t i = 0; i < n; i++) {
			fprintf(f, "%s{\"devid\": %u, \"mac\": ", i ? ", " : "", list[i].devid);
			lam_json_string(f, list[i].mac);
			fputs(", \"bridge\": ", f);
			lam_json_string(f, list[i].bridge);
			fputs(", \"vif\": ", f);
			lam_json_string(f, list[i].vif);
			fprintf(f, ", \"backend_state\": \"%s\", \"frontend_state\": \"%s\"}",
				state_name(list[i].be_state), state_name(list[i].fe_state));
		}
		free(list);
	}
	fputc(']', f);
}

void lam_list_print_nics(FILE *f, struct lam_ctx *ctx, const struct lam_dom_info *doms, size_t nd)
{
	for (size_t d = 0; d < nd; d++) {
		struct lam_nic_info *list;
		size_t n;

		if (doms[d].domid == 0 ||
		    lam_nic_list(ctx, (uint16_t)doms[d].domid, &list, &n) != 0) {
			continue;
		}
		for (size_t i = 0; i < n; i++) {
			fprintf(f, "%s: nic %u: %s on %s (%s, backend %s, frontend %s)\n",
				lam_dom_name(&doms[d]), list[i].devid, list[i].mac, list[i].bridge,
				list[i].vif, state_name(list[i].be_state),
				state_name(list[i].fe_state));
		}
		free(list);
	}
}
