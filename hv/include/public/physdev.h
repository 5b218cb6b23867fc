/* SPDX-License-Identifier: MIT */
/* physdev_op (hypercall 33) commands Dom0 issues on Arm (Xen's public/physdev.h). */
#ifndef LAMINA_PUBLIC_PHYSDEV_H
#define LAMINA_PUBLIC_PHYSDEV_H

#define PHYSDEVOP_pci_device_add 25
#define PHYSDEVOP_pci_device_remove 26

#endif
