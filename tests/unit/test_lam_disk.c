/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for xl's disk specification as liblam reads it (tools/lib/liblam/cfg_disk.c):
 * the virtual-device numbers of Xen's libxl__device_disk_dev_number(), the key=value and
 * positional forms of docs/man/xl-disk-configuration.5.pod, the errors, and the writer's
 * round trip.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <lam/cfg.h>

static struct lam_disk_spec d;
static char err[512];

static void num(const char *vdev, uint32_t want)
{
	uint32_t got = 0;

	if (lam_disk_vdev_number(vdev, &got) != 0) {
		fail_msg("vdev '%s' refused, expected %u", vdev, want);
	}
	if (got != want) {
		fail_msg("vdev '%s' is %u, expected %u", vdev, got, want);
	}
}

static void bad_num(const char *vdev)
{
	uint32_t got = 0;

	if (lam_disk_vdev_number(vdev, &got) != -EINVAL) {
		fail_msg("vdev '%s' accepted as %u", vdev, got);
	}
}

static void test_vdev_numbers(void **state)
{
	(void)state;
	/* xvd: major 202, 16 partitions per disk; past disk 15 or partition 15, extended. */
	num("xvda", 51712);
	num("xvdb", 51728);
	num("xvda1", 51713);
	num("xvdb15", 51743);
	num("xvdp", 51952);
	num("xvda16", (1u << 28) | 16);
	num("xvdq", (1u << 28) | (16u << 8));
	num("xvdz", (1u << 28) | (25u << 8));
	num("xvdaa", (1u << 28) | (26u << 8));
	num("xvdba", (1u << 28) | (52u << 8));
	num("xvdaaa", (1u << 28) | (702u << 8));
	num("xvda255", (1u << 28) | 255);
	num("d0p0", 51712);
	num("d1p2", 51730);
	num("d16p0", (1u << 28) | (16u << 8));
	/* IDE: hda/hdb on major 3, hdc/hdd on 22, 64 minors per disk. */
	num("hda", 768);
	num("hdb", 832);
	num("hdc", 5632);
	num("hdd", 5696);
	num("hda1", 769);
	num("hdd63", 5759);
	/* SCSI: major 8, 16 minors per disk. */
	num("sda", 2048);
	num("sdb", 2064);
	num("sdp15", 2303);
	/* A number is taken as it is. */
	num("51712", 51712);
	num("0x10", 16);

	bad_num("");
	bad_num("xvd");
	bad_num("xvdA");
	bad_num("xvd1");
	bad_num("xvda0");
	bad_num("xvda01");
	bad_num("xvda256");
	bad_num("xvda-1");
	bad_num("xvda1x");
	bad_num("hde");
	bad_num("hda64");
	bad_num("sdq");
	bad_num("sda16");
	bad_num("vda");
	bad_num("d0");
	bad_num("d0p");
	bad_num("d0p256");
	bad_num("12x");
	bad_num("99999999999");
	/* Past 2^20 - 1 disks. */
	bad_num("xvdbzzzz");
}

static void ok(const char *spec)
{
	if (lam_disk_spec_parse(spec, &d, err, sizeof(err)) != 0) {
		fail_msg("'%s' refused: %s", spec, err);
	}
}

static void bad(const char *spec, const char *want)
{
	err[0] = '\0';
	if (lam_disk_spec_parse(spec, &d, err, sizeof(err)) != -1) {
		fail_msg("'%s' accepted", spec);
	}
	if (strncmp(err, want, strlen(want)) != 0) {
		fail_msg("'%s': message '%s', expected it to start with '%s'", spec, err, want);
	}
}

static void test_key_value(void **state)
{
	(void)state;
	ok("format=raw, vdev=xvda, access=rw, target=/var/lib/lamina/demo.img");
	assert_string_equal(d.target, "/var/lib/lamina/demo.img");
	assert_string_equal(d.vdev, "xvda");
	assert_int_equal(d.devid, 51712);
	assert_false(d.readonly);
	assert_false(d.cdrom);
	assert_true(d.discard);
	/* Order does not matter, target is the last; access defaults to rw. */
	ok("vdev=xvdb,format=raw,target=/a");
	assert_int_equal(d.devid, 51728);
	assert_false(d.readonly);
	ok("access=ro, vdev=xvdc, target=/x");
	assert_true(d.readonly);
	ok("access=r,vdev=xvdc,target=/x");
	assert_true(d.readonly);
	ok("access=w,vdev=xvdc,target=/x");
	assert_false(d.readonly);
	/* target= takes the rest of the string, commas and '=' included. */
	ok("vdev=xvda, target=/img/a,b=c.img");
	assert_string_equal(d.target, "/img/a,b=c.img");
	ok("vdev=xvda, target=/img/a.img,");
	assert_string_equal(d.target, "/img/a.img");
	ok("  vdev=xvda ,\ttarget=/t");
	assert_string_equal(d.vdev, "xvda");
	ok("vdev=hdc, devtype=cdrom, target=/c.iso");
	assert_true(d.cdrom);
	assert_int_equal(d.devid, 5632);
	ok("vdev=xvda, no-discard, backendtype=phy, backend=0, target=/t");
	assert_false(d.discard);
	ok("vdev=xvda:cdrom, target=/c.iso");
	assert_true(d.cdrom);
	assert_string_equal(d.vdev, "xvda");
}

static void test_positional(void **state)
{
	(void)state;
	/* Legacy prefix: target, vdev, access. */
	ok("file:/path/img,xvda,w");
	assert_string_equal(d.target, "/path/img");
	assert_string_equal(d.vdev, "xvda");
	assert_false(d.readonly);
	ok("phy:/dev/vdb,xvdb,r");
	assert_string_equal(d.target, "/dev/vdb");
	assert_int_equal(d.devid, 51728);
	assert_true(d.readonly);
	ok("raw:/i.img,xvdc,rw");
	assert_string_equal(d.target, "/i.img");
	ok("phy:/dev/sr0,hdc:cdrom,r");
	assert_true(d.cdrom);
	/* Without a prefix: target, format, vdev, access. */
	ok("/srv/a.img,raw,xvda,ro");
	assert_string_equal(d.target, "/srv/a.img");
	assert_true(d.readonly);
	ok("/srv/a.img,,xvde");
	assert_int_equal(d.devid, 51776);
	/* Mixed: positional target, then keys. */
	ok("/srv/a.img, vdev=xvdf, access=ro");
	assert_true(d.readonly);
	assert_int_equal(d.devid, 51792);
}

static void test_errors(void **state)
{
	(void)state;
	bad("format=raw, access=rw, target=/x", "no vdev");
	bad("vdev=xvda", "no target");
	bad("vdev=xvda, target=", "no target");
	bad("vdev=xvd1, target=/x", "vdev 'xvd1' is not a valid virtual device");
	bad("vdev=vda, target=/x", "vdev 'vda' is not a valid virtual device");
	bad("file:/x,xvda0,w", "vdev 'xvda0' is not a valid virtual device");
	bad("format=qcow2, vdev=xvda, target=/x", "format qcow2 is not supported");
	bad("format=iso, vdev=xvda, target=/x", "unknown format 'iso'");
	bad("access=rx, vdev=xvda, target=/x", "access 'rx': expected r, ro, w or rw");
	bad("backendtype=qdisk, vdev=xvda, target=/x", "backendtype 'qdisk' is not supported");
	bad("script=block-iscsi, vdev=xvda, target=/x", "script is not supported");
	bad("color=red, vdev=xvda, target=/x", "unknown parameter 'color'");
	bad("devtype=floppy, vdev=xvda, target=/x", "devtype 'floppy'");
	bad("vdev=xvda:tape, target=/x", "vdev 'xvda:tape': unknown device type 'tape'");
	bad("iscsi:iqn.x,xvda,w", "'iscsi:' needs a hotplug script");
	bad("weird:/x,xvda,w", "unknown legacy disk prefix 'weird:'");
	bad("file:/x,xvda,w,extra", "too many positional parameters at 'extra'");
	/* Without a prefix the second field is the format (xl reads it so too). */
	bad("/x,xvda,w", "unknown format 'xvda'");
	bad("vdev=xvdaaaaaaaaaaaaaaaaa, target=/x", "vdev 'xvdaaaaaaaaaaaaaaaaa' is too long");
	bad("backend=3, vdev=xvda, target=/x", "backend '3': only Dom0");
	/* Messages are one line. */
	bad("format=r\naw, vdev=xvda, target=/x", "unknown format 'r?aw'");
}

static void test_format_roundtrip(void **state)
{
	static const char *const specs[] = {
		"format=raw, vdev=xvda, access=rw, target=/var/lib/lamina/demo.img",
		"phy:/dev/vdb,xvdb,r",
		"vdev=hdc:cdrom, no-discard, target=/iso/a, b.iso",
		"/srv/x.img,raw,sdb2,ro",
	};
	struct lam_disk_spec a;
	char buf[PATH_MAX + 128];

	(void)state;
	for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		ok(specs[i]);
		a = d;
		lam_disk_spec_format(&a, buf, sizeof(buf));
		ok(buf);
		assert_memory_equal(&a, &d, sizeof(d));
	}
}

static void test_cfg_list(void **state)
{
	struct lam_cfg *cfg = calloc(1, sizeof(*cfg));
	char line[64];

	(void)state;
	assert_non_null(cfg);
	assert_int_equal(lam_cfg_disk_add(cfg, 0, "phy:/dev/vdb,xvda,w", err, sizeof(err)), 0);
	assert_int_equal(lam_cfg_disk_add(cfg, 1, "vdev=xvdb, target=/b", err, sizeof(err)), 0);
	assert_int_equal(cfg->nr_disks, 2);
	assert_int_equal(lam_cfg_disk_add(cfg, 2, "vdev=xvda, target=/c", err, sizeof(err)), -1);
	assert_string_equal(err, "vdev xvda is listed twice");
	/* d0p0 is xvda under another name. */
	assert_int_equal(lam_cfg_disk_add(cfg, 2, "vdev=d0p0, target=/c", err, sizeof(err)), -1);
	assert_string_equal(err, "vdev d0p0 is the same device as xvda (51712)");
	assert_int_equal(
		lam_cfg_disk_add(cfg, LAM_CFG_DISKS_MAX, "vdev=xvdz, target=/c", err, sizeof(err)),
		-1);
	snprintf(line, sizeof(line), "more than %u disks", LAM_CFG_DISKS_MAX);
	assert_string_equal(err, line);
	free(cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vdev_numbers),	 cmocka_unit_test(test_key_value),
		cmocka_unit_test(test_positional),	 cmocka_unit_test(test_errors),
		cmocka_unit_test(test_format_roundtrip), cmocka_unit_test(test_cfg_list),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
