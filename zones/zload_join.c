/* SPDX-License-Identifier: BSD-3-Clause */
/* zload_join.c: a record written over lines in parentheses, joined into one line as ldns does */
#include "zload_scan.h"

/*
 * ldns (ldns_fget_token_l_st(), 1.8.3) reads a record's lines into one before it reads its
 * fields: it drops each parenthesis and each comment, turns a newline inside parentheses into
 * a blank (unless the newline ends a comment, or nothing came before it: then into nothing),
 * and CR into a blank; a newline outside parentheses ends the record. Joined the same way, the
 * line the fast reader reads is the one ldns would, to the octet: "300(1" is "3001", but
 * "300(\n1" is "300 1" and "300;c\n1" is "3001". What this does not follow goes to ldns:
 * quotes and escapes (which change where parentheses and comments count), form feeds and
 * vertical tabs (which end a record outside parentheses), NULs, a ')' with none open (ldns
 * then ends the record where it stands), parentheses still open at the end of the text (an
 * error), and a record that is nothing but parentheses and comments.
 */
size_t zload_join(const char *text, size_t len, char *out, size_t size, size_t *end, int *newlines)
{
	size_t n = 0, i;
	int depth = 0, nl = 0;
	bool comment = false;

	for (i = 0; i < len; i++) {
		char c = text[i];

		if (c == '\n') {
			nl++;
			if (depth == 0) {
				i++;
				break;
			}
			if (!comment && n > 0) {
				if (n + 1 >= size)
					return 0;
				out[n++] = ' ';
			}
			comment = false;
			continue;
		}
		if (comment)
			continue;
		switch (c) {
		case ';':
			comment = true;
			continue;
		case '(':
			depth++;
			continue;
		case ')':
			if (--depth < 0)
				return 0;
			continue;
		case '"':
		case '\\':
		case '\0':
		case '\f':
		case '\v':
			return 0;
		case '\r':
			c = ' ';
			break;
		default:
			break;
		}
		if (n + 1 >= size)
			return 0;
		out[n++] = c;
	}
	if (depth != 0 || n == 0)
		return 0;
	out[n] = '\0';
	*end = i;
	*newlines = nl;
	return n;
}
