/* SPDX-License-Identifier: BSD-3-Clause */
/* buf.c: a growing text buffer for the control responses, with JSON strings */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

void buf_put(buf_t *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap != 0 ? b->cap : 256;
		char *grown;

		while (cap < b->len + n + 1)
			cap *= 2;
		grown = realloc(b->p, cap);
		if (grown == NULL) {
			b->oom = true;
			return;
		}
		b->p = grown;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void buf_printf(buf_t *b, const char *fmt, ...)
{
	char small[512], *big = NULL;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof(small)) {
		buf_put(b, small, (size_t)n);
		return;
	}
	va_start(ap, fmt);
	n = vasprintf(&big, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->oom = true;
		return;
	}
	buf_put(b, big, (size_t)n);
	free(big);
}

void buf_json_str(buf_t *b, const char *s)
{
	BUF_LIT(b, "\"");
	for (; *s != '\0'; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\') {
			char esc[2] = {'\\', (char)ch};

			buf_put(b, esc, 2);
		} else if (ch < 0x20 || ch >= 0x7f) {
			/* Control octets, and anything not ASCII (no UTF-8 is promised): escaped.
			 */
			buf_printf(b, "\\u%04x", ch);
		} else {
			buf_put(b, s, 1);
		}
	}
	BUF_LIT(b, "\"");
}

/* S's first N octets as a JSON string. */
static void json_strn(buf_t *b, const char *s, size_t n)
{
	char one[512], *big;

	if (n < sizeof(one)) {
		memcpy(one, s, n);
		one[n] = '\0';
		buf_json_str(b, one);
		return;
	}
	big = strndup(s, n);
	if (big == NULL) {
		b->oom = true;
		return;
	}
	buf_json_str(b, big);
	free(big);
}

void buf_json_lines(buf_t *b, const char *text)
{
	BUF_LIT(b, "[");
	for (const char *l = text; l != NULL && *l != '\0';) {
		size_t n = strcspn(l, "\n");

		if (l != text)
			BUF_LIT(b, ",");
		json_strn(b, l, n);
		l += n + (l[n] == '\n');
	}
	BUF_LIT(b, "]");
}

void buf_json_key(buf_t *b, const char *name)
{
	char key[64];
	size_t i;

	for (i = 0; name[i] != '\0' && i + 1 < sizeof(key); i++)
		key[i] = name[i] == '-' ? '_' : name[i];
	key[i] = '\0';
	buf_json_str(b, key);
	BUF_LIT(b, ":");
}
