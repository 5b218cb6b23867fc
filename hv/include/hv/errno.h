/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Internal error codes. The values equal Xen's public/errno.h (and Linux's generic
 * errno numbers), so a hypercall can return them to a guest unchanged.
 */
#pragma once

#define HV_EPERM 1
#define HV_ENOENT 2
#define HV_ESRCH 3
#define HV_EINTR 4
#define HV_EIO 5
#define HV_ENXIO 6
#define HV_E2BIG 7
#define HV_ENOEXEC 8
#define HV_EBADF 9
#define HV_ECHILD 10
#define HV_EAGAIN 11
#define HV_ENOMEM 12
#define HV_EACCES 13
#define HV_EFAULT 14
#define HV_EBUSY 16
#define HV_EEXIST 17
#define HV_EXDEV 18
#define HV_ENODEV 19
#define HV_EINVAL 22
#define HV_ENFILE 23
#define HV_EMFILE 24
#define HV_ENOSPC 28
#define HV_EROFS 30
#define HV_EMLINK 31
#define HV_EDOM 33
#define HV_ERANGE 34
#define HV_EDEADLK 35
#define HV_ENAMETOOLONG 36
#define HV_ENOLCK 37
#define HV_ENOSYS 38
#define HV_ENOTEMPTY 39
#define HV_ENODATA 61
#define HV_ETIME 62
#define HV_EBADMSG 74
#define HV_EOVERFLOW 75
#define HV_EILSEQ 84
#define HV_ERESTART 85
#define HV_ENOTSOCK 88
#define HV_EOPNOTSUPP 95
#define HV_EADDRINUSE 98
#define HV_EADDRNOTAVAIL 99
#define HV_ENOBUFS 105
#define HV_EISCONN 106
#define HV_ENOTCONN 107
#define HV_ETIMEDOUT 110
