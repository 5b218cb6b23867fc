/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Domain configuration files in xl.cfg(5) syntax, as read by `lam create`: struct lam_cfg is
 * liblam's domain configuration (the role of libxl's libxl_domain_config), filled by the
 * parser in tools/lib/liblam/cfg.c.
 *
 * Syntax: `KEY = VALUE` settings separated by newlines or `;`; VALUE is a "string" or 'string',
 * a number (decimal, 0x hex, 0 octal) or a [ list, ... ] that may span lines and may end with
 * a trailing comma; `#` starts a comment; `KEY += "string"` appends to an earlier string.
 * A key set twice keeps its last value (xl does the same), which is how command-line
 * overrides (`lam create demo.cfg memory=512`) work: they are applied after the file.
 *
 * Supported keys and their xl defaults:
 *   name       required, 1..31 characters of [A-Za-z0-9_.-]
 *   type       "pvh" (default on Arm) or "pv"; "hvm" is rejected
 *   memory     MiB, default 32 (libxl's default), 16..1048576
 *   maxmem     MiB, default = memory, must be >= memory
 *   vcpus      default 1, 1..128
 *   maxvcpus   default = vcpus, must be >= vcpus and <= 128
 *   cpus       hard affinity for all vCPUs: "all", "2", "0-3,5", "all,^1" (pCPUs 0..63)
 *   kernel     required, path of an arm64 Linux Image
 *   ramdisk    optional path
 *   cmdline    kernel command line; when set, root and extra are ignored (as xl)
 *   root       adds "root=ROOT" in front of extra
 *   extra      kernel command line
 *   on_poweroff / on_reboot / on_crash   "destroy", "restart" or "preserve"
 *                                        (defaults destroy / restart / destroy)
 *   uuid       optional, "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"
 *   disk       a list of PV disks in xl-disk-configuration(5) syntax (lam_disk_spec_parse())
 *   vif        list of PV NIC specs, e.g. [ 'mac=00:16:3e:00:00:01, bridge=xenbr0' ] or [ '' ]
 *              (lam_nic_spec_parse())
 * Keys that only select defaults we already use (builder = "generic", on_watchdog = "destroy",
 * on_soft_reset = "soft-reset") are accepted with those values only. Other device keys (disk,
 * vfb, pci, ...) and every other key are errors: nothing is silently ignored.
 *
 * Every error message names the file, the line and the key, as in
 *   demo.cfg:7: memory: expected a number of MiB, got "lots"
 * Command-line overrides are reported as "<command line>:2: memory: ..." (2 = the override's
 * 1-based position), and a
 * missing required key as "demo.cfg: kernel: missing (required)".
 */
#pragma once

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define LAM_CFG_NAME_MAX 31
#define LAM_CFG_CMDLINE_MAX 4096
#define LAM_CFG_MEMORY_DEFAULT_MB 32ULL
#define LAM_CFG_MEMORY_MIN_MB 16ULL
#define LAM_CFG_MEMORY_MAX_MB (1ULL << 20)
#define LAM_CFG_VCPUS_MAX 128U
/** Number of pCPUs `cpus` can name (bits of lam_cfg.cpu_mask). */
#define LAM_CFG_PCPUS_MAX 64U

/* ---- PV disks: `disk = [ 'SPEC', ... ]` (the parser is tools/lib/liblam/cfg_disk.c) ---- */

struct lam_cfg;

/** Disks one configuration may list. */
#define LAM_CFG_DISKS_MAX 16U
/** Longest vdev accepted ("xvdaaa15" and the like). */
#define LAM_DISK_VDEV_MAX 15U

/**
 * One disk of xl's disk specification (Xen's docs/man/xl-disk-configuration.5.pod), as lam
 * serves it: a raw image file (through a loop device) or a block device of Dom0, exported
 * by Dom0's xen-blkback.
 */
struct lam_disk_spec {
	/** Image file or block device (the spec's target). */
	char target[PATH_MAX];
	/** The guest's name for it, as written ("xvda", "hdc", "51712"). */
	char vdev[LAM_DISK_VDEV_MAX + 1];
	/** Its virtual-device number (lam_disk_vdev_number()): the frontend's devid. */
	uint32_t devid;
	/** access=ro (mode "r"); default rw. */
	bool readonly;
	/** devtype=cdrom or a ":cdrom" vdev suffix. */
	bool cdrom;
	/** discard (default) or no-discard: the backend's discard-enable. */
	bool discard;
};

/**
 * Parses one disk specification: key=value settings (format, vdev, access, devtype,
 * backendtype, target, the last, which takes the rest of the string) and the positional
 * form (target, format, vdev, access; after a legacy "phy:" / "file:" prefix: target,
 * vdev, access), whitespace between settings ignored. Only raw images and the phy backend
 * are served. 0, or -1 with a one-line message in err.
 */
int lam_disk_spec_parse(const char *spec, struct lam_disk_spec *out, char *err, size_t errlen);

/**
 * The virtual-device number of vdev, as Xen's libxl__device_disk_dev_number() computes it:
 * xvdX[N] (X in a..z, aa.., N a partition), hdX[N], sdX[N], dDpP, or a plain number.
 * 0 or -EINVAL.
 */
int lam_disk_vdev_number(const char *vdev, uint32_t *devid);

/** Writes d back as a key=value spec that lam_disk_spec_parse() reads to the same disk. */
void lam_disk_spec_format(const struct lam_disk_spec *d, char *buf, size_t len);

/**
 * The parser's step for item index of a `disk` list: parses spec into cfg->disks[index]
 * and refuses a vdev (or virtual-device number) an earlier item already has and more
 * than LAM_CFG_DISKS_MAX disks. 0, or -1 with a one-line message in err.
 */
int lam_cfg_disk_add(struct lam_cfg *cfg, unsigned int index, const char *spec, char *err,
		     size_t errlen);

/** Writes cfg's `disk` list (nothing when it has none); 0 or -EINVAL (unquotable target). */
int lam_cfg_disks_write(FILE *f, const struct lam_cfg *cfg);
/* ---- PV NICs: `vif = [ 'SPEC', ... ]` (tools/lib/liblam/cfg_nic.c) ---- */
#define LAM_CFG_NICS_MAX 8U
#define LAM_NIC_BRIDGE_DEFAULT "xenbr0"
#define LAM_NIC_SPEC_MAX 256U

/**
 * One NIC of xl's network configuration (Xen's docs/man/xl-network-configuration.5.pod):
 * "mac=00:16:3e:01:02:03, bridge=xenbr0" as comma-separated key=value pairs.
 */
struct lam_nic_cfg {
	uint32_t devid; /* the vif's handle: its index in the list (hot-plug: the first free) */
	uint8_t mac[6];
	bool mac_set;	 /* mac= given; else a MAC is derived from the guest's name and devid */
	char bridge[16]; /* IFNAMSIZ; default xenbr0 */
	char ip[64];	 /* ip=, informative (written to the backend as libxl does) */
	char spec[LAM_NIC_SPEC_MAX]; /* the spec as given, for the saved configuration */
};

/**
 * Parses one vif spec into nic (devid and a derived MAC are left to the caller). Keys: mac,
 * bridge, type (vif), script (vif-bridge only: lam does its work itself), model (ignored),
 * ip; anything else (rate, vifname, backend, ...) is refused. 0, or -1 with a one-line
 * message in err.
 */
int lam_nic_spec_parse(const char *spec, struct lam_nic_cfg *nic, char *err, size_t errlen);
/** Parses "xx:xx:xx:xx:xx:xx"; a multicast or all-zero address is refused. 0 or -1 + err. */
int lam_nic_mac_parse(const char *s, uint8_t mac[6], char *err, size_t errlen);
/** "00:16:3e:12:34:56" (18 bytes with the NUL). */
void lam_nic_mac_format(const uint8_t mac[6], char out[18]);
/**
 * The MAC of a NIC without mac=: Xen's 00:16:3e prefix and three bytes of a hash of the
 * guest's name and the NIC's devid, so a guest keeps its MAC across restarts.
 */
void lam_nic_mac_default(const char *name, uint32_t devid, uint8_t mac[6]);

struct lam_cfg;
/**
 * The parser's step for item index of a `vif` list: parses spec into cfg->nics[index]
 * (devid = index); more than LAM_CFG_NICS_MAX NICs are refused. 0, or -1 + err.
 */
int lam_cfg_nic_add(struct lam_cfg *cfg, unsigned int index, const char *spec, char *err,
		    size_t errlen);
/** After parsing: derived MACs (from the final name) and no MAC twice. 0 or -1 + err. */
int lam_cfg_nics_finalize(struct lam_cfg *cfg, char *err, size_t errlen);
/** Writes cfg's `vif` list (nothing when it has none); 0. */
int lam_cfg_nics_write(FILE *f, const struct lam_cfg *cfg);

/** What to do when the guest powers off, reboots or crashes. */
enum lam_cfg_action {
	LAM_CFG_ACTION_DESTROY = 0,
	LAM_CFG_ACTION_RESTART,
	LAM_CFG_ACTION_PRESERVE,
};

/** Guest type; both mean the same thing on Arm (an HVM-like guest with PV drivers). */
enum lam_cfg_type {
	LAM_CFG_TYPE_PVH = 0,
	LAM_CFG_TYPE_PV,
};

/**
 * A parsed domain configuration. Only the fields above the "parser state" line are meant
 * for callers; they are valid after a successful lam_cfg_parse_*() / lam_cfg_load() /
 * lam_cfg_apply_override().
 */
struct lam_cfg {
	char name[LAM_CFG_NAME_MAX + 1];
	enum lam_cfg_type type;
	uint64_t memory_mb;
	uint64_t maxmem_mb;
	unsigned int vcpus;
	unsigned int max_vcpus;
	/** True when `cpus` was given and is not "all"; then bit n = pCPU n. */
	bool cpus_set;
	uint64_t cpu_mask;
	char kernel[PATH_MAX];
	/** Empty string when there is no ramdisk. */
	char ramdisk[PATH_MAX];
	/** Final kernel command line (cmdline, or "root=ROOT EXTRA"); may be empty. */
	char cmdline[LAM_CFG_CMDLINE_MAX];
	enum lam_cfg_action on_poweroff;
	enum lam_cfg_action on_reboot;
	enum lam_cfg_action on_crash;
	bool has_uuid;
	uint8_t uuid[16];
	/** PV disks, in the order of the `disk` list. */
	unsigned int nr_disks;
	struct lam_disk_spec disks[LAM_CFG_DISKS_MAX];
	/* PV NICs (vif), devid = index (cfg_nic.c) */
	unsigned int nr_nics;
	struct lam_nic_cfg nics[LAM_CFG_NICS_MAX];

	/* ---- parser state (raw values, kept so overrides can be re-validated) ---- */
	bool memory_set, maxmem_set, maxvcpus_set, name_set, kernel_set;
	bool cmdline_set, root_set, extra_set;
	char raw_cmdline[LAM_CFG_CMDLINE_MAX];
	char raw_root[LAM_CFG_CMDLINE_MAX];
	char raw_extra[LAM_CFG_CMDLINE_MAX];
	/** Where some keys were last set (indexed privately by cfg.c), for later messages. */
	struct {
		char file[128];
		unsigned int line;
	} where[8];
};

/** Fill @cfg with the xl defaults (no name, no kernel: those stay required). */
void lam_cfg_init(struct lam_cfg *cfg);

/**
 * Parse a whole configuration from @text; @fname is only used in error messages.
 * Initialises @out first, then checks required keys and cross-key rules.
 * Returns 0, or -1 with a one-line message (no trailing newline) in @err.
 */
int lam_cfg_parse_string(const char *text, const char *fname, struct lam_cfg *out, char *err,
			 size_t errlen);

/** Read @path (at most 1 MiB) and parse it as lam_cfg_parse_string() does. */
int lam_cfg_parse_file(const char *path, struct lam_cfg *out, char *err, size_t errlen);

/**
 * Apply one `key=value` override to an already parsed @cfg and re-check the whole result.
 * The value has the file syntax; a bare word that is not a number is taken as a string,
 * so both `name=web1` and `name="web1"` work. Several settings may be given separated by
 * `;`, as with xl. Returns 0 or -1 with a message in @err; on error @cfg is unchanged.
 */
int lam_cfg_apply_override(struct lam_cfg *cfg, const char *key_eq_value, char *err, size_t errlen);

/**
 * What `lam create FILE [key=value...]` needs: parse @path, apply the @nr_overrides
 * overrides in order, then check the result once (so `memory=2048 maxmem=4096` may be given
 * in any order). Returns 0 or -1 with a message in @err.
 */
int lam_cfg_load(const char *path, const char *const *overrides, size_t nr_overrides,
		 struct lam_cfg *out, char *err, size_t errlen);

/** "destroy", "restart" or "preserve". */
const char *lam_cfg_action_name(enum lam_cfg_action action);

/** A cpu mask as an xl.cfg cpus string ("0-3,5"); "all" for 0. */
void lam_format_cpus(uint64_t mask, char *buf, size_t len);

/**
 * Writes cfg in xl.cfg syntax that lam_cfg_parse_file() reads back to the same settings
 * (the saved copy liblam keeps for restarts and `lam list -l`). 0 or -EINVAL when a string
 * cannot be quoted (it holds both quote characters or a newline).
 */
int lam_cfg_write(FILE *f, const struct lam_cfg *cfg);
