/* SPDX-License-Identifier: Apache-2.0 */
/* Boot-time domains from the device tree (hv/common/dom0less.c). */
#pragma once

#include <hv/bootinfo.h>
#include <public/xen.h>

/** Creates and starts every "xen,domain" node's domain; returns how many started. */
unsigned int dom0less_create_all(const struct boot_info *bi);

/** Called when a domain has been freed: reboots boot domains that asked for it, and
 * powers the machine off once no domain is left. */
void domain_on_destroyed(domid_t domid, unsigned int reason, bool privileged);
/** Boot has started all its domains: from now on, when the last one ends, power off. */
void domains_boot_finished(void);
