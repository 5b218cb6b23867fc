# SPDX-License-Identifier: Apache-2.0
# xl's disk specification and virtual-device numbering (tools/lib/liblam/cfg_disk.c).
UNIT_TESTS += lam_disk
lam_disk_SRCS := tests/unit/test_lam_disk.c tools/lib/liblam/cfg_disk.c
lam_disk_CFLAGS := -Itools/include
