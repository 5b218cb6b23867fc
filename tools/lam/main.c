/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `lam`: Lamina's Dom0 toolstack CLI, with xl-compatible sub-commands. This file holds the
 * sub-command table, help, and the helpers every command shares (errors, opening the
 * liblam context).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lam/ctl.h>

#include "lam.h"

struct lam_command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *usage;
	const char *help;
};

static const struct lam_command commands[] = {
	{ "create", lam_cmd_create, "CONFIG [-c] [-p] [key=value...]",
	  "Create a domain from an xl.cfg file (-c: attach its console; -p: leave it paused)" },
	{ "list", lam_cmd_list, "[-l|--long] [--json] [DOM...]", "List domains" },
	{ "destroy", lam_cmd_destroy, "DOM", "Terminate a domain immediately" },
	{ "shutdown", lam_cmd_shutdown, "[-w] DOM",
	  "Ask a domain to power off (-w: wait until it has shut down)" },
	{ "reboot", lam_cmd_reboot, "[-w] DOM", "Ask a domain to reboot" },
	{ "pause", lam_cmd_pause, "DOM", "Pause a domain" },
	{ "unpause", lam_cmd_unpause, "DOM", "Unpause a paused domain" },
	{ "console", lam_cmd_console, "DOM", "Attach to a domain's console (Ctrl-] detaches)" },
	{ "info", lam_cmd_info, "", "Information about the host and the hypervisor" },
	{ "dmesg", lam_cmd_dmesg, "[-c]", "The hypervisor's log (-c: clear after reading)" },
	{ "vcpu-list", lam_cmd_vcpu_list, "[DOM...]", "List the vCPUs of all or some domains" },
	{ "vcpu-pin", lam_cmd_vcpu_pin, "DOM VCPU PCPU", "Run a vCPU on one physical CPU" },
	{ "mem-set", lam_cmd_mem_set, "DOM MEM",
	  "Set a domain's memory target (MEM in MiB, or with suffix b/k/m/g/t)" },
	{ "uptime", lam_cmd_uptime, "[DOM...]", "How long domains have been running" },
	{ "block-attach", lam_cmd_block_attach, "DOM DISK-SPEC",
	  "Attach a PV disk (xl-disk-configuration syntax) to a domain" },
	{ "block-detach", lam_cmd_block_detach, "DOM VDEV|DEVID",
	  "Detach a PV disk from a domain" },
	{ "block-list", lam_cmd_block_list, "DOM", "List a domain's PV disks" },
	{ "network-attach", lam_cmd_network_attach, "DOM [mac=M] [bridge=B] [ip=IP]...",
	  "Hot-plug a PV NIC into a domain (xl's vif spec, one key=value per argument)" },
	{ "network-detach", lam_cmd_network_detach, "DOM DEVID|MAC", "Unplug a domain's PV NIC" },
	{ "network-list", lam_cmd_network_list, "DOM...", "List domains' PV NICs" },
	{ "network-check", lam_cmd_network_check, "[BRIDGE]",
	  "Whether Dom0's bridge (default xenbr0) is ready for guests' NICs, and how to fix it" },
};

#define NR_COMMANDS (sizeof(commands) / sizeof(commands[0]))

void lam_err(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "lam: %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

struct lam_ctx *lam_open_ctx(const char *cmd)
{
	struct lam_ctx *ctx;
	int err;

	err = lam_ctx_alloc(&ctx, cmd, NULL, NULL);
	if (err != 0) {
		fprintf(stderr, "lam: cannot open %s: %s", LAM_CTL_PRIVCMD_PATH, strerror(-err));
		if (err == -ENOENT || err == -ENODEV || err == -ENXIO) {
			fputs(" (is the xen-privcmd module loaded? lam must run in Dom0)", stderr);
		} else if (err == -EACCES || err == -EPERM) {
			fputs(" (lam must run as root in Dom0)", stderr);
		}
		fputc('\n', stderr);
		return NULL;
	}
	return ctx;
}

static const struct lam_command *find_command(const char *name)
{
	for (size_t i = 0; i < NR_COMMANDS; i++) {
		if (strcmp(commands[i].name, name) == 0) {
			return &commands[i];
		}
	}
	return NULL;
}

static void usage_all(FILE *f)
{
	fputs("Usage: lam <subcommand> [args]\n\nSubcommands:\n", f);
	for (size_t i = 0; i < NR_COMMANDS; i++) {
		fprintf(f, "  %-14s %s\n", commands[i].name, commands[i].help);
	}
	fputs("  help           This list, or `lam help SUBCOMMAND` for one\n\n"
	      "DOM is a domain name or a numeric domain ID.\n",
	      f);
}

static int cmd_help(int argc, char **argv)
{
	const struct lam_command *c;

	if (argc < 2) {
		usage_all(stdout);
		return 0;
	}
	c = find_command(argv[1]);
	if (c == NULL) {
		lam_err("help", "unknown subcommand '%s'", argv[1]);
		return 1;
	}
	printf("Usage: lam %s %s\n\n%s.\n", c->name, c->usage, c->help);
	return 0;
}

int main(int argc, char **argv)
{
	const struct lam_command *c;
	const char *name;

	if (argc < 2) {
		usage_all(stderr);
		return 2;
	}
	name = argv[1];
	if (strcmp(name, "help") == 0 || strcmp(name, "-h") == 0 || strcmp(name, "--help") == 0) {
		return cmd_help(argc - 1, argv + 1);
	}
	c = find_command(name);
	if (c == NULL) {
		fprintf(stderr, "lam: unknown subcommand '%s' (try `lam help`)\n", name);
		return 2;
	}
	/* `lam CMD -h` / `--help` anywhere before a `--`: the sub-command's usage. */
	for (int i = 2; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			printf("Usage: lam %s %s\n\n%s.\n", c->name, c->usage, c->help);
			return 0;
		}
	}
	return c->fn(argc - 1, argv + 1);
}
