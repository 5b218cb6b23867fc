/* SPDX-License-Identifier: Apache-2.0 */
/*
 * String and memory functions for the freestanding hypervisor (also what libfdt.a
 * links against). Simple byte loops with a word-sized fast path for the big copies.
 */
#include <hv/lib.h>

void *memcpy(void *dst, const void *src, size_t n)
{
	u8 *d = dst;
	const u8 *s = src;

	if ((((uintptr_t)d | (uintptr_t)s) & 7) == 0) {
		for (; n >= 8; n -= 8, d += 8, s += 8) {
			*(u64 *)(void *)d = *(const u64 *)(const void *)s;
		}
	}
	while (n--) {
		*d++ = *s++;
	}
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	u8 *d = dst;
	const u8 *s = src;

	if (d == s || n == 0) {
		return dst;
	}
	if (d < s || d >= s + n) {
		return memcpy(dst, src, n);
	}
	while (n--) {
		d[n] = s[n];
	}
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	u8 *d = dst;

	if (((uintptr_t)d & 7) == 0) {
		u64 w = 0x0101010101010101ull * (u8)c;

		for (; n >= 8; n -= 8, d += 8) {
			*(u64 *)(void *)d = w;
		}
	}
	while (n--) {
		*d++ = (u8)c;
	}
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const u8 *x = a, *y = b;

	for (size_t i = 0; i < n; i++) {
		if (x[i] != y[i]) {
			return x[i] - y[i];
		}
	}
	return 0;
}

void *memchr(const void *s, int c, size_t n)
{
	const u8 *p = s;

	for (size_t i = 0; i < n; i++) {
		if (p[i] == (u8)c) {
			return (void *)(uintptr_t)(p + i);
		}
	}
	return NULL;
}

size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n]) {
		n++;
	}
	return n;
}

size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n]) {
		n++;
	}
	return n;
}

int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return (u8)*a - (u8)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n > 0; n--, a++, b++) {
		if (*a != *b || *a == '\0') {
			return (u8)*a - (u8)*b;
		}
	}
	return 0;
}

char *strchr(const char *s, int c)
{
	for (;; s++) {
		if (*s == (char)c) {
			return (char *)(uintptr_t)s;
		}
		if (*s == '\0') {
			return NULL;
		}
	}
}

char *strrchr(const char *s, int c)
{
	const char *last = NULL;

	for (;; s++) {
		if (*s == (char)c) {
			last = s;
		}
		if (*s == '\0') {
			return (char *)(uintptr_t)last;
		}
	}
}

unsigned long long strtoull(const char *s, char **end, int base)
{
	unsigned long long v = 0;
	const char *p = s;

	while (*p == ' ' || *p == '\t') {
		p++;
	}
	if (*p == '+') {
		p++;
	}
	if ((base == 0 || base == 16) && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		p += 2;
		base = 16;
	} else if (base == 0 && p[0] == '0') {
		base = 8;
	} else if (base == 0) {
		base = 10;
	}
	const char *digits_start = p;
	for (;; p++) {
		int d;

		if (*p >= '0' && *p <= '9') {
			d = *p - '0';
		} else if (*p >= 'a' && *p <= 'z') {
			d = *p - 'a' + 10;
		} else if (*p >= 'A' && *p <= 'Z') {
			d = *p - 'A' + 10;
		} else {
			break;
		}
		if (d >= base) {
			break;
		}
		if (v > (~0ULL - (unsigned)d) / (unsigned)base) {
			v = ~0ULL; /* saturate like the C library on overflow */
		} else {
			v = v * (unsigned)base + (unsigned)d;
		}
	}
	if (end) {
		*end = (char *)(uintptr_t)(p == digits_start ? s : p);
	}
	return v;
}

unsigned long strtoul(const char *s, char **end, int base)
{
	return (unsigned long)strtoull(s, end, base);
}
