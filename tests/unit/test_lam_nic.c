/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for xl's vif specs (tools/lib/liblam/cfg_nic.c: Xen's
 * docs/man/xl-network-configuration.5.pod) and for `vif =` in a domain configuration.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <lam/cfg.h>

static char err[512];

#define BASE "name = \"web\"\nkernel = \"/boot/Image\"\n"

static void spec_ok(const char *spec, struct lam_nic_cfg *nic)
{
	err[0] = '\0';
	if (lam_nic_spec_parse(spec, nic, err, sizeof(err)) != 0) {
		fail_msg("unexpected error for \"%s\": %s", spec, err);
	}
}

static void spec_bad(const char *spec, const char *msg)
{
	struct lam_nic_cfg nic;

	err[0] = '\0';
	if (lam_nic_spec_parse(spec, &nic, err, sizeof(err)) != -1) {
		fail_msg("expected \"%s\" for \"%s\", but it parsed", msg, spec);
	}
	assert_string_equal(err, msg);
}

static void test_spec_empty_is_defaults(void **state)
{
	struct lam_nic_cfg nic;

	(void)state;
	spec_ok("", &nic);
	assert_false(nic.mac_set);
	assert_string_equal(nic.bridge, "xenbr0");
	assert_string_equal(nic.ip, "");
	spec_ok(" , ,", &nic);
	assert_false(nic.mac_set);
}

static void test_spec_keys(void **state)
{
	static const uint8_t want[6] = { 0x00, 0x16, 0x3e, 0x0a, 0xBC, 0xde };
	struct lam_nic_cfg nic;

	(void)state;
	spec_ok("mac=00:16:3e:0a:BC:de, bridge=br1, type=vif, script=vif-bridge, model=e1000, "
		"ip=10.0.2.50",
		&nic);
	assert_true(nic.mac_set);
	assert_memory_equal(nic.mac, want, 6);
	assert_string_equal(nic.bridge, "br1");
	assert_string_equal(nic.ip, "10.0.2.50");
	assert_string_equal(nic.spec, "mac=00:16:3e:0a:BC:de, bridge=br1, type=vif, "
				      "script=vif-bridge, model=e1000, ip=10.0.2.50");
	/* Spaces around keys and values; the script by its full path. */
	spec_ok("  bridge = xenbr0 ,script=/etc/xen/scripts/vif-bridge", &nic);
	assert_string_equal(nic.bridge, "xenbr0");
}

static void test_spec_refused(void **state)
{
	(void)state;
	spec_bad("rate=10Mb/s", "rate: rate limits are not supported by lam");
	spec_bad("vifname=web0", "vifname: lam keeps netback's vifDOMID.DEVID names");
	spec_bad("backend=1", "backend: the backend is always Domain-0");
	spec_bad("type=ioemu", "type: only \"vif\" (a PV NIC) is supported, got \"ioemu\"");
	spec_bad("script=vif-route",
		 "script: only vif-bridge is supported (lam does its work itself), got "
		 "\"vif-route\"");
	spec_bad("colour=blue",
		 "unknown key \"colour\" (lam knows mac, bridge, type, script, model, ip)");
	spec_bad("bridge", "expected key=value, got \"bridge\"");
	spec_bad("=x", "expected key=value, got \"=x\"");
	spec_bad("bridge=", "bridge: \"\" is not an interface name (1-15 characters, no '/', "
			    "':' or spaces)");
	spec_bad("bridge=a-very-long-bridge0",
		 "bridge: \"a-very-long-bridge0\" is not an interface name (1-15 characters, no "
		 "'/', ':' or spaces)");
	spec_bad("bridge=../x", "bridge: \"../x\" is not an interface name (1-15 characters, no "
				"'/', ':' or spaces)");
	spec_bad("ip=10.0.2.5;rm", "ip: \"10.0.2.5;rm\" is not a list of IP addresses");
}

static void test_mac_parse(void **state)
{
	uint8_t mac[6];

	(void)state;
	assert_int_equal(lam_nic_mac_parse("00:16:3e:00:00:01", mac, err, sizeof(err)), 0);
	assert_int_equal(mac[5], 1);
	assert_int_equal(lam_nic_mac_parse("02:00:00:00:00:00", mac, err, sizeof(err)), 0);
	spec_bad("mac=00:16:3e:00:00", "mac: \"00:16:3e:00:00\" is not a MAC address "
				       "(xx:xx:xx:xx:xx:xx)");
	spec_bad("mac=00:16:3e:00:00:01:02", "mac: \"00:16:3e:00:00:01:02\" is not a MAC address "
					     "(xx:xx:xx:xx:xx:xx)");
	spec_bad("mac=00-16-3e-00-00-01", "mac: \"00-16-3e-00-00-01\" is not a MAC address "
					  "(xx:xx:xx:xx:xx:xx)");
	spec_bad("mac=0:16:3e:00:00:01", "mac: \"0:16:3e:00:00:01\" is not a MAC address "
					 "(xx:xx:xx:xx:xx:xx)");
	spec_bad("mac=00:16:3e:00:0g:01", "mac: \"00:16:3e:00:0g:01\" is not a MAC address "
					  "(xx:xx:xx:xx:xx:xx)");
	spec_bad("mac=", "mac: \"\" is not a MAC address (xx:xx:xx:xx:xx:xx)");
	spec_bad("mac=01:16:3e:00:00:01", "mac: 01:16:3e:00:00:01 is a multicast address (the "
					  "first byte must be even; Xen's prefix is 00:16:3e)");
	spec_bad("mac=ff:ff:ff:ff:ff:ff", "mac: ff:ff:ff:ff:ff:ff is a multicast address (the "
					  "first byte must be even; Xen's prefix is 00:16:3e)");
	spec_bad("mac=00:00:00:00:00:00", "mac: 00:00:00:00:00:00 is not a usable address");
}

static void test_mac_default(void **state)
{
	uint8_t a[6], b[6], c[6], d[6];
	char s[18];

	(void)state;
	lam_nic_mac_default("web", 0, a);
	lam_nic_mac_default("web", 0, b);
	lam_nic_mac_default("web", 1, c);
	lam_nic_mac_default("db", 0, d);
	/* Xen's OUI, unicast, locally stable: same name and devid, same MAC. */
	assert_int_equal(a[0], 0x00);
	assert_int_equal(a[1], 0x16);
	assert_int_equal(a[2], 0x3e);
	assert_true(a[3] < 0x80);
	assert_memory_equal(a, b, 6);
	assert_memory_not_equal(a, c, 6);
	assert_memory_not_equal(a, d, 6);
	lam_nic_mac_format(a, s);
	assert_int_equal(strlen(s), 17);
	assert_int_equal(strncmp(s, "00:16:3e:", 9), 0);
	/* Fewer than 1 in 1000 collisions between 64 guests' first NICs (24 bits of hash). */
	{
		uint8_t m[64][6];
		char name[24];
		int same = 0;

		for (int i = 0; i < 64; i++) {
			snprintf(name, sizeof(name), "guest%d", i);
			lam_nic_mac_default(name, 0, m[i]);
			for (int j = 0; j < i; j++) {
				same += memcmp(m[i], m[j], 6) == 0;
			}
		}
		assert_int_equal(same, 0);
	}
}

static void test_cfg_vif(void **state)
{
	struct lam_cfg *cfg = calloc(1, sizeof(*cfg));
	uint8_t want[6];
	char s[18];
	FILE *f;
	char buf[4096];
	size_t n;
	struct lam_cfg *again = calloc(1, sizeof(*again));

	(void)state;
	assert_non_null(cfg);
	assert_non_null(again);
	assert_int_equal(lam_cfg_parse_string(BASE
					      "vif = [ '', 'mac=00:16:3e:00:00:07,bridge=br1' ]\n",
					      "web.cfg", cfg, err, sizeof(err)),
			 0);
	assert_int_equal(cfg->nr_nics, 2);
	assert_int_equal(cfg->nics[0].devid, 0);
	assert_int_equal(cfg->nics[1].devid, 1);
	lam_nic_mac_default("web", 0, want);
	assert_memory_equal(cfg->nics[0].mac, want, 6);
	lam_nic_mac_format(cfg->nics[1].mac, s);
	assert_string_equal(s, "00:16:3e:00:00:07");
	assert_string_equal(cfg->nics[1].bridge, "br1");

	/* The derived MAC follows a name changed by an override. */
	assert_int_equal(lam_cfg_apply_override(cfg, "name=db", err, sizeof(err)), 0);
	lam_nic_mac_default("db", 0, want);
	assert_memory_equal(cfg->nics[0].mac, want, 6);

	/* The saved configuration reads back to the same NICs. */
	f = fmemopen(buf, sizeof(buf), "w");
	assert_non_null(f);
	assert_int_equal(lam_cfg_write(f, cfg), 0);
	n = (size_t)ftell(f);
	fclose(f);
	buf[n < sizeof(buf) ? n : sizeof(buf) - 1] = '\0';
	assert_int_equal(lam_cfg_parse_string(buf, "saved", again, err, sizeof(err)), 0);
	assert_int_equal(again->nr_nics, 2);
	assert_memory_equal(again->nics[0].mac, cfg->nics[0].mac, 6);
	assert_memory_equal(again->nics[1].mac, cfg->nics[1].mac, 6);
	assert_string_equal(again->nics[1].bridge, "br1");

	/* vif = [] is no NIC; a later vif replaces an earlier one. */
	assert_int_equal(lam_cfg_parse_string(BASE "vif = [ '', '' ]\nvif = []\n", "web.cfg", cfg,
					      err, sizeof(err)),
			 0);
	assert_int_equal(cfg->nr_nics, 0);

	/* Errors name the file, the line, the key and the NIC. */
	assert_int_equal(lam_cfg_parse_string(BASE "vif = [ '', 'rate=1Mb/s' ]\n", "web.cfg", cfg,
					      err, sizeof(err)),
			 -1);
	assert_string_equal(err,
			    "web.cfg:3: vif: NIC 1: rate: rate limits are not supported by lam");
	assert_int_equal(lam_cfg_parse_string(BASE "vif = 'mac=00:16:3e:00:00:01'\n", "web.cfg",
					      cfg, err, sizeof(err)),
			 -1);
	assert_string_equal(err, "web.cfg:3: vif: expected a list of NIC specs, like [ '' ]");
	assert_int_equal(
		lam_cfg_parse_string(BASE "vif = [ [ 'x' ] ]\n", "web.cfg", cfg, err, sizeof(err)),
		-1);
	assert_string_equal(err, "web.cfg:3: vif: NIC 0: expected a string, got a list");
	assert_int_equal(lam_cfg_parse_string(BASE "vif = [ 'mac=00:16:3e:00:00:01', "
						   "'mac=00:16:3e:00:00:01' ]\n",
					      "web.cfg", cfg, err, sizeof(err)),
			 -1);
	assert_string_equal(err, "web.cfg: vif: NICs 0 and 1 have the same MAC");
	assert_int_equal(lam_cfg_parse_string(BASE "vif = [ '','','','','','','','','' ]\n",
					      "web.cfg", cfg, err, sizeof(err)),
			 -1);
	assert_string_equal(err, "web.cfg:3: vif: more than 8 NICs");
	free(cfg);
	free(again);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spec_empty_is_defaults),
		cmocka_unit_test(test_spec_keys),
		cmocka_unit_test(test_spec_refused),
		cmocka_unit_test(test_mac_parse),
		cmocka_unit_test(test_mac_default),
		cmocka_unit_test(test_cfg_vif),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
