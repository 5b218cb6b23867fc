# SPDX-License-Identifier: Apache-2.0
# Device-tree phases: the checked reader, boot parsing (included from the top Makefile).
hv-y += common/device_tree/reader.o common/device_tree/bootfdt.o
