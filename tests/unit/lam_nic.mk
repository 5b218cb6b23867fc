# SPDX-License-Identifier: Apache-2.0
# xl's vif specs (tools/lib/liblam/cfg_nic.c), MAC generation, and `vif =` in a configuration
# through the cfg.c parser (devids, derived MACs, the saved-configuration round trip).
UNIT_TESTS += lam_nic
lam_nic_SRCS := tests/unit/test_lam_nic.c tools/lib/liblam/cfg.c tools/lib/liblam/cfg_disk.c tools/lib/liblam/cfg_nic.c
lam_nic_CFLAGS := -Itools/include
