/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A small, bounded printf formatter for the hypervisor. No floating point, no %n.
 * Conversions: d i u x X o c s p %; flags - 0 + space #; width and precision
 * (also '*'); length modifiers hh h l ll z t j.
 */
#include <hv/lib.h>

struct out {
	char *buf;
	size_t size;
	size_t len; /* characters produced so far, stored or not */
};

static void out_char(struct out *o, char c)
{
	if (o->len + 1 < o->size) {
		o->buf[o->len] = c;
	}
	o->len++;
}

static void out_pad(struct out *o, char c, int n)
{
	while (n-- > 0) {
		out_char(o, c);
	}
}

#define F_LEFT 0x01
#define F_ZERO 0x02
#define F_PLUS 0x04
#define F_SPACE 0x08
#define F_ALT 0x10
#define F_UPPER 0x20

static void out_number(struct out *o, unsigned long long v, bool negative, unsigned int base,
		       unsigned int flags, int width, int prec)
{
	const char *digits = (flags & F_UPPER) ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0;
	char sign = 0;
	const char *prefix = "";
	int plen, zeros, total;

	if (negative) {
		sign = '-';
	} else if (flags & F_PLUS) {
		sign = '+';
	} else if (flags & F_SPACE) {
		sign = ' ';
	}
	if ((flags & F_ALT) && v != 0) {
		if (base == 16) {
			prefix = (flags & F_UPPER) ? "0X" : "0x";
		} else if (base == 8) {
			prefix = "0";
		}
	}
	/* A precision of 0 with the value 0 prints no digits (C11 7.21.6.1). */
	if (!(v == 0 && prec == 0)) {
		do {
			tmp[n++] = digits[v % base];
			v /= base;
		} while (v != 0);
	}
	plen = (int)strlen(prefix) + (sign ? 1 : 0);
	zeros = prec > n ? prec - n : 0;
	if (prec < 0 && (flags & F_ZERO) && !(flags & F_LEFT) && width > n + plen) {
		zeros = width - n - plen;
	}
	total = plen + zeros + n;
	if (!(flags & F_LEFT)) {
		out_pad(o, ' ', width - total);
	}
	if (sign) {
		out_char(o, sign);
	}
	while (*prefix) {
		out_char(o, *prefix++);
	}
	out_pad(o, '0', zeros);
	while (n > 0) {
		out_char(o, tmp[--n]);
	}
	if (flags & F_LEFT) {
		out_pad(o, ' ', width - total);
	}
}

static void out_string(struct out *o, const char *s, unsigned int flags, int width, int prec)
{
	int n;

	if (s == NULL) {
		s = "(null)";
	}
	n = (int)(prec >= 0 ? strnlen(s, (size_t)prec) : strlen(s));
	if (!(flags & F_LEFT)) {
		out_pad(o, ' ', width - n);
	}
	for (int i = 0; i < n; i++) {
		out_char(o, s[i]);
	}
	if (flags & F_LEFT) {
		out_pad(o, ' ', width - n);
	}
}

/** See hv/include/hv/lib.h. */
int hv_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { buf, size, 0 };

	while (*fmt) {
		unsigned int flags = 0;
		int width = 0, prec = -1;
		int lng = 0; /* -2 hh, -1 h, 1 l, 2 ll, 3 z/t/j */
		unsigned long long uv;
		long long sv;
		char c = *fmt++;

		if (c != '%') {
			out_char(&o, c);
			continue;
		}
		for (;; fmt++) {
			if (*fmt == '-') {
				flags |= F_LEFT;
			} else if (*fmt == '0') {
				flags |= F_ZERO;
			} else if (*fmt == '+') {
				flags |= F_PLUS;
			} else if (*fmt == ' ') {
				flags |= F_SPACE;
			} else if (*fmt == '#') {
				flags |= F_ALT;
			} else {
				break;
			}
		}
		if (*fmt == '*') {
			width = va_arg(ap, int);
			if (width < 0) {
				flags |= F_LEFT;
				width = -width;
			}
			fmt++;
		} else {
			while (*fmt >= '0' && *fmt <= '9') {
				width = width * 10 + (*fmt++ - '0');
			}
		}
		if (*fmt == '.') {
			fmt++;
			prec = 0;
			if (*fmt == '*') {
				prec = va_arg(ap, int);
				fmt++;
			} else {
				while (*fmt >= '0' && *fmt <= '9') {
					prec = prec * 10 + (*fmt++ - '0');
				}
			}
		}
		switch (*fmt) {
		case 'h':
			lng = -1;
			if (*++fmt == 'h') {
				lng = -2;
				fmt++;
			}
			break;
		case 'l':
			lng = 1;
			if (*++fmt == 'l') {
				lng = 2;
				fmt++;
			}
			break;
		case 'z':
		case 't':
		case 'j':
			lng = 3;
			fmt++;
			break;
		default:
			break;
		}
		c = *fmt;
		if (c == '\0') {
			break;
		}
		fmt++;
		switch (c) {
		case 'd':
		case 'i':
			if (lng >= 2) {
				sv = va_arg(ap, long long);
			} else if (lng == 1) {
				sv = va_arg(ap, long);
			} else {
				sv = va_arg(ap, int);
				if (lng == -1) {
					sv = (short)sv;
				} else if (lng == -2) {
					/*
					 * %hhd prints the argument converted to signed char
					 * (C11 7.21.6.1p7); the widening back is the point.
					 */
					/* NOLINTNEXTLINE(bugprone-signed-char-misuse) */
					sv = (signed char)sv;
				}
			}
			uv = sv < 0 ? 0ULL - (unsigned long long)sv : (unsigned long long)sv;
			out_number(&o, uv, sv < 0, 10, flags, width, prec);
			break;
		case 'u':
		case 'x':
		case 'X':
		case 'o':
			if (lng >= 2) {
				uv = va_arg(ap, unsigned long long);
			} else if (lng == 1) {
				uv = va_arg(ap, unsigned long);
			} else {
				uv = va_arg(ap, unsigned int);
				if (lng == -1) {
					uv = (unsigned short)uv;
				} else if (lng == -2) {
					uv = (unsigned char)uv;
				}
			}
			if (c == 'X') {
				flags |= F_UPPER;
			}
			out_number(&o, uv, false, c == 'u' ? 10 : (c == 'o' ? 8 : 16),
				   flags & ~(unsigned int)(F_PLUS | F_SPACE), width, prec);
			break;
		case 'p':
			uv = (uintptr_t)va_arg(ap, void *);
			out_number(&o, uv, false, 16, F_ALT, width, prec);
			break;
		case 'c':
			out_pad(&o, ' ', (flags & F_LEFT) ? 0 : width - 1);
			out_char(&o, (char)va_arg(ap, int));
			out_pad(&o, ' ', (flags & F_LEFT) ? width - 1 : 0);
			break;
		case 's':
			out_string(&o, va_arg(ap, const char *), flags, width, prec);
			break;
		case '%':
			out_char(&o, '%');
			break;
		default:
			/* Unknown conversion: print it literally so the mistake shows. */
			out_char(&o, '%');
			out_char(&o, c);
			break;
		}
	}
	if (size > 0) {
		buf[o.len < size ? o.len : size - 1] = '\0';
	}
	return (int)o.len;
}

/** See hv/include/hv/lib.h. */
int hv_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = hv_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
