/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Freestanding library: string functions (hv/lib/string.c in the hypervisor, the C
 * library's in host unit tests), formatted output and common helper macros.
 */
#pragma once

#include <hv/types.h>
#include <stdarg.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))
/* Alignment helpers; 'a' must be a power of two. */
#define ROUND_UP(x, a) (((x) + ((a)-1)) & ~((__typeof__(x))(a)-1))
#define ROUND_DOWN(x, a) ((x) & ~((__typeof__(x))(a)-1))
#define IS_ALIGNED(x, a) (((x) & ((__typeof__(x))(a)-1)) == 0)
#define IS_POWER_OF_2(x) ((x) != 0 && ((x) & ((x)-1)) == 0)
#define container_of(ptr, type, member) ((type *)((char *)(ptr)-offsetof(type, member)))
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define __unused __attribute__((unused))
#define __noreturn __attribute__((noreturn))
#define __printf(a, b) __attribute__((format(printf, a, b)))
#define __aligned(n) __attribute__((aligned(n)))
#define __packed __attribute__((packed))
#define __section(s) __attribute__((section(s)))

#define KiB(x) ((u64)(x) << 10)
#define MiB(x) ((u64)(x) << 20)
#define GiB(x) ((u64)(x) << 30)

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
void *memchr(const void *s, int c, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
char *strrchr(const char *s, int c);
unsigned long strtoul(const char *s, char **end, int base);
unsigned long long strtoull(const char *s, char **end, int base);

/**
 * Formats like C's vsnprintf (%d %i %u %x %X %o %c %s %p %%, flags '-' '0' '+' ' '
 * '#', width, precision, '*', length modifiers hh h l ll z t j). Always NUL-terminates
 * when size > 0; returns the length the full output would have had.
 */
int hv_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int hv_snprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);
