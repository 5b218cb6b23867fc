/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Mapping other domains' granted pages from Dom0 userspace, over /dev/xen/gntdev
 * (Linux xen-gntdev). The library keeps one gntdev file open for the whole process and
 * remembers each mapping, so that lam_gnt_unmap() needs only the address. Thread-safe.
 */
#ifndef LAM_GNTDEV_H
#define LAM_GNTDEV_H

#include <stdint.h>

#define LAM_GNTDEV_DEVICE "/dev/xen/gntdev"
#define LAM_GNT_PAGE_SIZE 4096

/**
 * Maps the single 4 KiB page that domid granted as ref, read-only or read-write.
 * Returns the address, or NULL with errno set.
 */
void *lam_gnt_map(uint32_t domid, uint32_t ref, int writable);
/** Unmaps a page returned by lam_gnt_map(). Returns 0 or a negative errno. */
int lam_gnt_unmap(void *addr);
/** Closes the gntdev file once nothing is mapped (optional; for tidy exits). */
void lam_gnt_shutdown(void);

#endif /* LAM_GNTDEV_H */
