# SPDX-License-Identifier: Apache-2.0
UNIT_TESTS += lam_cfg
lam_cfg_SRCS := tests/unit/test_lam_cfg.c tools/lib/liblam/cfg.c tools/lib/liblam/cfg_disk.c tools/lib/liblam/cfg_nic.c
lam_cfg_CFLAGS := -Itools/include
