/* SPDX-License-Identifier: BSD-3-Clause */
/* zload_include.c: zone files read whole, cut at each $INCLUDE, the files it names read in turn */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "rfile.h"
#include "sandns_err.h"
#include "zload_state.h"

/*
 * PATH opened for reading without waiting on anyone: O_NONBLOCK, so that a FIFO with no writer
 * does not hold the open; O_NOCTTY, so that a terminal does not become ours. Then the opened
 * descriptor (not the path, which may change under us) must be a regular file, not one of /proc
 * or /sys (rfile_irregular). The descriptor, or -1 with the reason in WHY.
 */
static int zload_open(const char *path, struct stat *sb, char *why, size_t whylen)
{
	int fd = rfile_open_stat(path, O_RDONLY, 0, sb);
	const char *kind;

	if (fd < 0) {
		snprintf(why, whylen, "%s", strerror(-fd));
		return -1;
	}
	kind = rfile_irregular(fd, sb);
	if (kind == NULL)
		return fd;
	if (S_ISDIR(sb->st_mode))
		snprintf(why, whylen, "%s", strerror(EISDIR));
	else
		snprintf(why, whylen, "not a regular file (%s)", kind);
	close(fd);
	return -1;
}

/* WHY for a file that would take the zone's text past BOUND, after USED octets of other files. */
static void zload_over(size_t bound, size_t used, char *why, size_t whylen)
{
	if (used == 0)
		snprintf(why, whylen,
			 "larger than %zu octets, the bound on one zone's text "
			 "(its file and $INCLUDEs together)",
			 bound);
	else
		snprintf(why, whylen,
			 "with the %zu octets of the zone's other files, more than %zu octets, "
			 "the bound on one zone's text (its file and $INCLUDEs together)",
			 used, bound);
}

/*
 * The whole of FD (a regular file of SB) into *TEXT and *LEN, at most LIMIT octets, bounded by
 * what is read (rfile_read), not by the size fstat gave: a file that has grown meanwhile is read
 * on as far as LIMIT, no further. 0; -EFBIG over LIMIT; -errno.
 */
static int zload_read_fd(int fd, const struct stat *sb, size_t limit, char **text, size_t *len)
{
	if ((uintmax_t)sb->st_size > (uintmax_t)limit)
		return -EFBIG;
	return rfile_read(fd, limit, text, len);
}

int zload_read_all(const char *path, size_t bound, size_t used, const struct zload_file_id *reading,
		   int nreading, char **text, size_t *len, struct zload_file_id *id, char *why,
		   size_t whylen)
{
	struct stat sb;
	struct timespec now;
	int fd, ret;

	/* Taken first: any change after the fstat gets a time later than NOW less a second. */
	if (clock_gettime(CLOCK_REALTIME, &now) != 0)
		now.tv_sec = 0;
	fd = zload_open(path, &sb, why, whylen);

	*text = NULL;
	*len = 0;
	if (fd < 0)
		return -1;
	id->dev = sb.st_dev;
	id->ino = sb.st_ino;
	id->size = sb.st_size;
	id->mtime = sb.st_mtim;
	id->racy = sb.st_mtim.tv_sec >= now.tv_sec - 1;
	id->known = true;
	for (int i = 0; i < nreading; i++) {
		if (reading[i].known && reading[i].dev == id->dev && reading[i].ino == id->ino) {
			snprintf(why, whylen,
				 "a loop: the file is already being read "
				 "(it includes itself, or a file that includes it)");
			close(fd);
			return -1;
		}
	}
	ret = zload_read_fd(fd, &sb, used < bound ? bound - used : 0, text, len);
	close(fd);
	if (ret == -EFBIG)
		zload_over(bound, used, why, whylen);
	else if (ret == -ENOMEM)
		snprintf(why, whylen, "out of memory");
	else if (ret != 0)
		snprintf(why, whylen, "%s", strerror(-ret));
	return ret == 0 ? 0 : -1;
}

/*
 * The file an $INCLUDE of FILE names as PATH: an absolute path as it is, a relative one from the
 * directory of FILE (as Knot reads it: not from wherever sandnsd was started), or as it is when
 * FILE names no directory (a zone given from the current one, or a text). NULL: too long.
 */
static const char *include_path(const char *file, const char *path, char *buf, size_t len)
{
	const char *slash = strrchr(file, '/');

	if (path[0] == '/' || slash == NULL)
		return path;
	if ((size_t)snprintf(buf, len, "%.*s/%s", (int)(slash - file), file, path) >= len)
		return NULL;
	return buf;
}

/* "$INCLUDE file [origin]" on LINE (NUL-terminated, no newline). */
static int zload_include(struct zload_state *st, char *line, const char *file, int line_nr,
			 ldns_rdf *origin, int depth)
{
	char *save = NULL;
	char *path, *org;
	ldns_rdf *inc_origin = NULL, *owner = NULL;
	char *text = NULL;
	size_t len = 0;
	struct zload_file_id id;
	char why[256], full[PATH_MAX];
	const char *where;
	int ret;

	strtok_r(line, " \t", &save);
	path = strtok_r(NULL, " \t\r", &save);
	org = strtok_r(NULL, " \t\r", &save);
	if (path == NULL) {
		zload_fail(st, file, line_nr, "$INCLUDE without a file name");
		return zload_go_on(st) ? 0 : SANDNS_EPARSE;
	}
	if (depth >= ZLOAD_INCLUDE_DEPTH) {
		zload_fail(st, file, line_nr, "$INCLUDE nested more than %d deep",
			   ZLOAD_INCLUDE_DEPTH);
		return zload_go_on(st) ? 0 : SANDNS_EPARSE;
	}
	if (++st->includes > ZLOAD_INCLUDE_MAX) {
		zload_fail(st, file, line_nr, "more than %d $INCLUDE files in one zone",
			   ZLOAD_INCLUDE_MAX);
		return SANDNS_EPARSE; /* the same again for every $INCLUDE after it */
	}
	if (org != NULL && org[0] != ';') {
		if (ldns_str2rdf_dname(&inc_origin, org) != LDNS_STATUS_OK) {
			zload_fail(st, file, line_nr, "$INCLUDE origin '%s' is not a name", org);
			return zload_go_on(st) ? 0 : SANDNS_EPARSE;
		}
		if (!ldns_dname_str_absolute(org)) {
			ldns_rdf *abs = ldns_dname_cat_clone(inc_origin, origin);

			ldns_rdf_deep_free(inc_origin);
			inc_origin = abs;
		}
	}
	where = include_path(file, path, full, sizeof(full));
	if (where == NULL) {
		zload_fail(st, file, line_nr, "$INCLUDE %s: the path is too long", path);
		ret = zload_go_on(st) ? 0 : SANDNS_EPARSE;
		goto out;
	}
	ret = zload_read_all(where, st->text_max, st->text_read, st->open_files, depth + 1, &text,
			     &len, &id, why, sizeof(why));
	if (ret != 0) {
		if (where != path)
			zload_fail(st, file, line_nr, "$INCLUDE %s (%s): %s", path, where, why);
		else
			zload_fail(st, file, line_nr, "$INCLUDE %s: %s", path, why);
		ret = zload_go_on(st) ? 0 : SANDNS_EPARSE; /* the check mode: the next line */
		goto out;
	}
	st->text_read += len;
	(void)zload_stamp_add(st->zone, where, &id); /* not recorded: read again at reloads */
	/*
	 * RFC 1035 5.1: after the included file, the current owner is the one before the
	 * $INCLUDE again (BIND and Knot read it so), not the included file's last: a blank
	 * owner on the next line is that one's. (The origin is zload_text()'s own copy.)
	 */
	if (!prev_sync(st) || (st->prev != NULL && (owner = ldns_rdf_clone(st->prev)) == NULL)) {
		ret = -ENOMEM;
		goto out;
	}
	st->open_files[depth + 1] = id;
	ret = zload_text(st, text, len, where, inc_origin ? inc_origin : origin, depth + 1);
	st->open_files[depth + 1].known = false;
	ldns_rdf_deep_free(st->prev);
	st->prev = owner;
	owner = NULL;
	prev_from_ldns(st);
out:
	free(text);
	ldns_rdf_deep_free(owner);
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
