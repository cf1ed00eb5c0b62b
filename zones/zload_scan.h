/* SPDX-License-Identifier: BSD-3-Clause */
/* zload_scan.h: a line of zone text scanned for what it leaves open for the next line */
#ifndef ZLOAD_SCAN_H
#define ZLOAD_SCAN_H

#include <stdbool.h>
#include <stddef.h>

/*
 * What a line leaves for the next as ldns reads them (checked against ldns 1.8): parentheses
 * still open; a string still open, which only parentheses carry over (outside them ldns ends a
 * string with its line); and whether it ended in an escaped newline, which makes the next line
 * part of the same record.
 */
struct line_scan {
	int depth;
	bool quote;
	bool cont;
};

/* Scans the line TEXT[OFF..EOL) (its newline included) into SC. */
static inline void scan_line(struct line_scan *sc, const char *text, size_t off, size_t eol)
{
	sc->cont = false;
	for (size_t i = off; i < eol; i++) {
		char c = text[i];

		if (c == '\\' && i + 1 < eol) {
			i++;
			sc->cont = text[i] == '\n';
		} else if (c == '"') {
			sc->quote = !sc->quote;
		} else if (!sc->quote && c == ';') {
			break;
		} else if (!sc->quote && c == '(') {
			sc->depth++;
		} else if (!sc->quote && c == ')' && sc->depth > 0) {
			sc->depth--;
		}
	}
	if (sc->depth == 0)
		sc->quote = false;
}

/* Whether a line may start on its own (not inside a record that began above). */
static inline bool scan_free(const struct line_scan *sc)
{
	return sc->depth == 0 && !sc->quote && !sc->cont;
}

/*
 * zload_join.c: the record that starts at TEXT (LEN octets to the end of the text), its lines
 * joined into one as ldns joins them (parentheses and comments out), into OUT (SIZE octets,
 * NUL-terminated): its length, with *END the offset past its last line and *NEWLINES how many
 * newlines it has (one a line, but for a last line without one at the end of the text). 0 when
 * it is left to ldns, or longer than OUT holds.
 */
size_t zload_join(const char *text, size_t len, char *out, size_t size, size_t *end, int *newlines);

/* What ldns reads on over after a record's newline (ldns_fskipcs_l()), the newline itself too. */
static inline bool ldns_skipped_char(char c)
{
	return c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* The characters of a plain name (the fast reader's owners, a piece's first line). */
static inline bool fast_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_' || c == '*' || c == '.';
}

#endif
