/* SPDX-License-Identifier: MIT */
/*
 * Feature bits reported by XENVER_get_features (values as in Xen's public/features.h).
 * Only the bits an Arm guest can be offered are named here.
 */
#ifndef LAMINA_PUBLIC_FEATURES_H
#define LAMINA_PUBLIC_FEATURES_H

#define XENFEAT_writable_page_tables 0
#define XENFEAT_auto_translated_physmap 2
#define XENFEAT_dom0 11
#define XENFEAT_memory_op_vnode_supported 13
#define XENFEAT_ARM_SMCCC_supported 14
#define XENFEAT_not_direct_mapped 16
#define XENFEAT_direct_mapped 17
#define XENFEAT_runstate_phys_area 18

#endif
