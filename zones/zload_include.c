/* SPDX-License-Identifier: BSD-3-Clause */
/* zload_include.c: zone files read whole, cut at each $INCLUDE, the files it names read in turn */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "sandns_err.h"
#include "zload_state.h"

/* Nested $INCLUDE beyond this depth is refused: it is almost certainly a loop. */
#define ZLOAD_INCLUDE_DEPTH 8
/* And so is a zone made of more files than this (a file including itself many times). */
#define ZLOAD_INCLUDE_MAX 1024

/*
 * The whole of PATH into *TEXT (malloc'd, NUL-terminated) and *LEN: one read of the size fstat
 * gives, then on until the end (a file that grows, or one of unknown size). 0 or -errno.
 */
int zload_read_all(const char *path, char **text, size_t *len)
{
	FILE *fp = fopen(path, "r");
	struct stat sb;
	size_t cap, n = 0;
	char *buf;

	*text = NULL;
	*len = 0;
	if (fp == NULL)
		return -errno;
	cap = fstat(fileno(fp), &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size > 0
		  ? (size_t)sb.st_size + 1
		  : 65536;
	buf = malloc(cap + 1);
	while (buf != NULL) {
		size_t got = fread(buf + n, 1, cap - n, fp);

		n += got;
		if (n < cap) {
			if (ferror(fp)) {
				int e = errno ? errno : EIO;

				free(buf);
				fclose(fp);
				return -e;
			}
			break;
		}
		{
			char *grown = realloc(buf, cap * 2 + 1);

			if (grown == NULL) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = grown;
			cap *= 2;
		}
	}
	fclose(fp);
	if (buf == NULL)
		return -ENOMEM;
	buf[n] = '\0';
	*text = buf;
	*len = n;
	return 0;
}

/* "$INCLUDE file [origin]" on LINE (NUL-terminated, no newline). */
static int zload_include(struct zload_state *st, char *line, const char *file, int line_nr,
			 ldns_rdf *origin, int depth)
{
	char *save = NULL;
	char *path, *org;
	ldns_rdf *inc_origin = NULL;
	char *text = NULL;
	size_t len = 0;
	int ret;

	strtok_r(line, " \t", &save);
	path = strtok_r(NULL, " \t\r", &save);
	org = strtok_r(NULL, " \t\r", &save);
	if (path == NULL) {
		zload_fail(st, file, line_nr, "$INCLUDE without a file name");
		return SANDNS_EPARSE;
	}
	if (depth >= ZLOAD_INCLUDE_DEPTH) {
		zload_fail(st, file, line_nr, "$INCLUDE nested more than %d deep",
			   ZLOAD_INCLUDE_DEPTH);
		return SANDNS_EPARSE;
	}
	if (++st->includes > ZLOAD_INCLUDE_MAX) {
		zload_fail(st, file, line_nr, "more than %d $INCLUDE files in one zone",
			   ZLOAD_INCLUDE_MAX);
		return SANDNS_EPARSE;
	}
	if (org != NULL && org[0] != ';') {
		if (ldns_str2rdf_dname(&inc_origin, org) != LDNS_STATUS_OK) {
			zload_fail(st, file, line_nr, "$INCLUDE origin '%s' is not a name", org);
			return SANDNS_EPARSE;
		}
		if (!ldns_dname_str_absolute(org)) {
			ldns_rdf *abs = ldns_dname_cat_clone(inc_origin, origin);

			ldns_rdf_deep_free(inc_origin);
			inc_origin = abs;
		}
	}
	ret = zload_read_all(path, &text, &len);
	if (ret != 0) {
		zload_fail(st, file, line_nr, "$INCLUDE %s: %s", path,
			   ret == -ENOMEM ? "out of memory" : strerror(-ret));
		goto out;
	}
	ret = zload_text(st, text, len, path, inc_origin ? inc_origin : origin, depth + 1);
out:
	free(text);
	ldns_rdf_deep_free(inc_origin);
	return ret;
}

/*
 * Parses TEXT (zload_lines: the fast reader and ldns). ldns does not implement $INCLUDE, so
 * the text is cut at each $INCLUDE line and the pieces are read in turn with the parser state
 * carried over.
 */
int zload_text(struct zload_state *st, const char *text, size_t len, const char *file,
	       ldns_rdf *origin_in, int depth)
{
	ldns_rdf *origin = ldns_rdf_clone(origin_in);
	int file_idx = zload_add_file(st->zone, file);
	size_t off = 0;
	int line_base = 0;
	int ret = 0;

	if (file_idx < 0 || origin == NULL) {
		ldns_rdf_deep_free(origin);
		return -ENOMEM;
	}
	while (off < len && ret == 0) {
		/* The next piece runs up to (not including) the next $INCLUDE line. */
		size_t seg_end = off, inc_at = len;
		int seg_lines = 0;

		while (seg_end < len) {
			const char *nl = memchr(text + seg_end, '\n', len - seg_end);
			size_t eol = nl ? (size_t)(nl - text) + 1 : len;

			if (len - seg_end > 8 && strncasecmp(text + seg_end, "$INCLUDE", 8) == 0 &&
			    (text[seg_end + 8] == ' ' || text[seg_end + 8] == '\t')) {
				inc_at = seg_end;
				break;
			}
			seg_end = eol;
			seg_lines++;
		}
		ret = zload_lines_par(st, text + off, seg_end - off, file, file_idx, &origin,
				      line_base);
		line_base += seg_lines;
		off = seg_end;
		if (ret == 0 && inc_at < len) {
			const char *nl = memchr(text + inc_at, '\n', len - inc_at);
			size_t eol = nl ? (size_t)(nl - text) : len;
			char line[1024];
			size_t ll =
			    eol - inc_at < sizeof(line) - 1 ? eol - inc_at : sizeof(line) - 1;

			memcpy(line, text + inc_at, ll);
			line[ll] = '\0';
			line_base++;
			ret = zload_include(st, line, file, line_base, origin, depth);
			off = nl ? eol + 1 : len;
		}
	}
	ldns_rdf_deep_free(origin);
	return ret;
}
