# SPDX-License-Identifier: Apache-2.0
# The pure helpers of the `lam` CLI (no privcmd/xenstore access): tools/lam/util.c, with
# liblam's names.c (DOM resolution) and cfg.c (the saved-configuration round trip).
UNIT_TESTS += lam_cli
lam_cli_SRCS := tests/unit/test_lam_cli.c tools/lam/util.c tools/lib/liblam/cfg.c tools/lib/liblam/cfg_disk.c tools/lib/liblam/cfg_nic.c \
	tools/lib/liblam/names.c
lam_cli_CFLAGS := -Itools/include
