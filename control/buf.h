/* SPDX-License-Identifier: BSD-3-Clause */
/* buf.h: a growing text buffer for the control responses, with JSON strings */
#ifndef BUF_H
#define BUF_H

#include <stdbool.h>
#include <stddef.h>

/* A growing text buffer, always terminated; running out of memory is sticky (OOM), checked once
 * at the end. A zeroed buf_t is an empty one; free(b.p) frees it. */
typedef struct buf {
	char *p;
	size_t len, cap;
	bool oom;
} buf_t;

/* Appends the N bytes at S. */
void buf_put(buf_t *b, const char *s, size_t n);

/* Appends printf output. */
__attribute__((format(printf, 2, 3))) void buf_printf(buf_t *b, const char *fmt, ...);

/* Appends S as a JSON string, quotes included (control octets and non-ASCII as \u00XX). */
void buf_json_str(buf_t *b, const char *s);

/* Appends the lines of TEXT (each ending in a newline, the last one may not) as a JSON array of
 * strings, the newlines left out: [] for NULL or "". */
void buf_json_lines(buf_t *b, const char *text);

/* Appends NAME as a JSON key and its colon, '-' turned into '_' ("udp-received" ->
 * "udp_received":). */
void buf_json_key(buf_t *b, const char *name);

/* LIT must be a string literal (the "" around it refuse anything else at compile time). */
#define BUF_LIT(b, lit) buf_put((b), "" lit "", sizeof(lit) - 1)

#endif
