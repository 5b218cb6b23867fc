/* SPDX-License-Identifier: Apache-2.0 */
/* String functions and a small vsnprintf for the guest-test runtime. */
#include "guest.h"

void *memset(void *s, int c, size_t n)
{
	unsigned char *p = s;

	while (n--) {
		*p++ = (unsigned char)c;
	}
	return s;
}

void *memcpy(void *d, const void *s, size_t n)
{
	unsigned char *dp = d;
	const unsigned char *sp = s;

	while (n--) {
		*dp++ = *sp++;
	}
	return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (; n; n--, x++, y++) {
		if (*x != *y) {
			return *x - *y;
		}
	}
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n]) {
		n++;
	}
	return n;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b || !*a) {
			return (unsigned char)*a - (unsigned char)*b;
		}
	}
	return 0;
}

int strcmp(const char *a, const char *b)
{
	return strncmp(a, b, (size_t)-1);
}

struct out {
	char *buf;
	size_t size, pos;
};

static void out_c(struct out *o, char c)
{
	if (o->pos + 1 < o->size) {
		o->buf[o->pos] = c;
	}
	o->pos++;
}

static void out_num(struct out *o, unsigned long long v, unsigned int base, bool upper, bool neg,
		    int width, bool zero, bool left)
{
	char tmp[24];
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	int n = 0, len;

	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v);
	len = n + (neg ? 1 : 0);
	if (neg && zero) {
		out_c(o, '-');
	}
	if (!left) {
		for (; len < width; width--) {
			out_c(o, zero ? '0' : ' ');
		}
	}
	if (neg && !zero) {
		out_c(o, '-');
	}
	while (n) {
		out_c(o, tmp[--n]);
	}
	if (left) {
		for (; len < width; width--) {
			out_c(o, ' ');
		}
	}
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { buf, size, 0 };

	for (; *fmt; fmt++) {
		bool zero = false, left = false, alt = false;
		int width = 0, lng = 0;
		unsigned long long u;
		long long s;

		if (*fmt != '%') {
			out_c(&o, *fmt);
			continue;
		}
		fmt++;
		for (;; fmt++) {
			if (*fmt == '0') {
				zero = true;
			} else if (*fmt == '-') {
				left = true;
			} else if (*fmt == '#') {
				alt = true;
			} else {
				break;
			}
		}
		while (*fmt >= '0' && *fmt <= '9') {
			width = width * 10 + (*fmt++ - '0');
		}
		for (;; fmt++) {
			if (*fmt == 'l') {
				lng++;
			} else if (*fmt == 'z') {
				lng = 1;
			} else if (*fmt != 'h') {
				break;
			}
		}
		switch (*fmt) {
		case 'd':
		case 'i':
			s = lng ? va_arg(ap, long long) : va_arg(ap, int);
			out_num(&o, s < 0 ? -(unsigned long long)s : (unsigned long long)s, 10,
				false, s < 0, width, zero, left);
			break;
		case 'u':
		case 'x':
		case 'X':
			u = lng ? va_arg(ap, unsigned long long) : va_arg(ap, unsigned int);
			if (alt && *fmt != 'u') {
				out_c(&o, '0');
				out_c(&o, 'x');
			}
			out_num(&o, u, *fmt == 'u' ? 10 : 16, *fmt == 'X', false, width, zero,
				left);
			break;
		case 'p':
			out_c(&o, '0');
			out_c(&o, 'x');
			out_num(&o, (uintptr_t)va_arg(ap, void *), 16, false, false, width, zero,
				left);
			break;
		case 'c':
			out_c(&o, (char)va_arg(ap, int));
			break;
		case 's': {
			const char *str = va_arg(ap, const char *);
			int len;

			if (!str) {
				str = "(null)";
			}
			len = (int)strlen(str);
			for (; !left && len < width; width--) {
				out_c(&o, ' ');
			}
			while (*str) {
				out_c(&o, *str++);
			}
			for (; left && len < width; width--) {
				out_c(&o, ' ');
			}
			break;
		}
		case '%':
			out_c(&o, '%');
			break;
		case '\0':
			fmt--;
			break;
		default:
			out_c(&o, '%');
			out_c(&o, *fmt);
			break;
		}
	}
	if (size) {
		buf[o.pos < size ? o.pos : size - 1] = '\0';
	}
	return (int)o.pos;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
