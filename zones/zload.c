/* SPDX-License-Identifier: BSD-3-Clause */
/* zload.c: read master files with libldns, then validate them as Knot DNS would */
#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sandns_err.h"
#include "wire.h"
#include "zload_pvt.h"
#include "zload_state.h"
#include "zthread.h"

/* Nested $INCLUDE beyond this depth is refused: it is almost certainly a loop. */
#define ZLOAD_INCLUDE_DEPTH 8
/* And so is a zone made of more files than this (a file including itself many times). */
#define ZLOAD_INCLUDE_MAX 1024

/*
 * The whole of PATH into *TEXT (malloc'd, NUL-terminated) and *LEN: one read of the size fstat
 * gives, then on until the end (a file that grows, or one of unknown size). 0 or -errno.
 */
static int zload_read_all(const char *path, char **text, size_t *len)
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

static int zload_text(struct zload_state *st, const char *text, size_t len, const char *file,
		      ldns_rdf *origin, int depth);

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
 * Whether RR's fields are those its type has (ldns's descriptor: how many, and of which kind).
 * ldns can make them otherwise: "SRV 20 40 500 \# 4 0a000001" (RFC 3597 data after some fields)
 * becomes five 16-bit integers, whose wire form has no target name, and "A \# 0" an address
 * record without an address; the snapshot would serve them as they are: a response, or a whole
 * AXFR message, that no client can parse. Types whose data is opaque (NULL, and every type
 * ldns does not know: one field of any length, RFC 3597) may have none.
 */
static bool zload_rdata_typed(const ldns_rr *rr)
{
	const ldns_rr_descriptor *d = ldns_rr_descript(ldns_rr_get_type(rr));
	size_t n = ldns_rr_rd_count(rr);

	if (d == NULL)
		return true;
	if (n == 0 && ldns_rr_descriptor_field_type(d, 0) == LDNS_RDF_TYPE_UNKNOWN)
		return true;
	if (n > ldns_rr_descriptor_maximum(d))
		return false;
	for (size_t i = 0; i < n; i++)
		if (ldns_rdf_get_type(ldns_rr_rdf(rr, i)) != ldns_rr_descriptor_field_type(d, i))
			return false;
	/*
	 * Fewer fields than the type has: ldns leaves out a last field that \# data holds empty.
	 * Fine where that field's wire form may be empty (CAA's value, a DS digest, a signature,
	 * a type bitmap...); a missing number or name is not.
	 */
	for (size_t i = n; i < ldns_rr_descriptor_minimum(d); i++) {
		switch (ldns_rr_descriptor_field_type(d, i)) {
		case LDNS_RDF_TYPE_B64:
		case LDNS_RDF_TYPE_HEX:
		case LDNS_RDF_TYPE_LONG_STR:
		case LDNS_RDF_TYPE_BITMAP:
			break;
		default:
			return false;
		}
	}
	return true;
}

/*
 * Whether RR's owner and the names in its data are at most 255 octets: ldns appends the origin
 * to a relative name without checking the length.
 */
static bool zload_names_fit(const ldns_rr *rr)
{
	if (ldns_rdf_size(ldns_rr_owner(rr)) > WIRE_NAME_MAX)
		return false;
	for (size_t i = 0; i < ldns_rr_rd_count(rr); i++) {
		const ldns_rdf *f = ldns_rr_rdf(rr, i);

		if (ldns_rdf_get_type(f) == LDNS_RDF_TYPE_DNAME && ldns_rdf_size(f) > WIRE_NAME_MAX)
			return false;
	}
	return true;
}

/*
 * Records that ldns reads: TEXT (LEN octets, whole lines) parsed with ldns_rr_new_frm_fp_l(),
 * which handles $ORIGIN, $TTL, parentheses and RFC 3597 syntax. LINE_BASE: the line before the
 * first. *ORIGIN follows $ORIGIN.
 */
static int zload_ldns(struct zload_state *st, const char *text, size_t len, const char *file,
		      int file_idx, ldns_rdf **origin, int line_base)
{
	FILE *fp;
	int line_nr = line_base, ret = 0;

	if (!prev_sync(st))
		return -ENOMEM;
	fp = fmemopen((void *)text, len, "r");
	if (fp == NULL)
		return len > 0 ? -errno : 0;
	while (!feof(fp)) {
		ldns_rr *rr = NULL;
		int before = line_nr;
		/*
		 * ldns takes a default TTL of 0 for "none" and gives 3600 instead; "$TTL 0" means
		 * 0 (RFC 2308; Knot, and the fast reader). A TTL with its top bit set is 0 anyway
		 * (RFC 2181 8), so that value stands for "no TTL given" here.
		 */
		uint32_t ttl = st->default_ttl != 0 ? st->default_ttl : UINT32_MAX;
		ldns_status s = ldns_rr_new_frm_fp_l(&rr, fp, &ttl, origin, &st->prev, &line_nr);

		if (s == LDNS_STATUS_SYNTAX_EMPTY || s == LDNS_STATUS_SYNTAX_ORIGIN)
			continue;
		if (s == LDNS_STATUS_SYNTAX_TTL) {
			st->default_ttl = ttl;
			st->have_ttl = true;
			continue;
		}
		if (s == LDNS_STATUS_OK && st->default_ttl == 0 && ldns_rr_ttl(rr) == UINT32_MAX)
			ldns_rr_set_ttl(rr, 0);
		if (s != LDNS_STATUS_OK) {
			/* ldns counts the line it stopped on; name the one that failed. */
			zload_fail(st, file, line_nr > before ? line_nr : before + 1, "%s",
				   ldns_get_errorstr_by_id(s));
			ret = SANDNS_EPARSE;
			break;
		}
		if (ldns_rr_get_class(rr) != LDNS_RR_CLASS_IN) {
			zload_fail(st, file, line_nr, "class %u is not IN",
				   (unsigned)ldns_rr_get_class(rr));
			ldns_rr_free(rr);
			ret = SANDNS_EZONE;
			break;
		}
		if (!zload_names_fit(rr)) {
			zload_fail(st, file, line_nr,
				   "a domain name is longer than 255 octets (RFC 1035 3.1)");
			ldns_rr_free(rr);
			ret = SANDNS_EPARSE;
			break;
		}
		if (!zload_rdata_typed(rr)) {
			zload_fail(st, file, line_nr,
				   "the record data does not fit its type (RFC 3597 \\# data "
				   "must be the whole record data, in the type's wire form)");
			ldns_rr_free(rr);
			ret = SANDNS_EPARSE;
			break;
		}
		/* ldns skips blank lines in the same call: the line it ended on is the one we
		 * know (for a record in parentheses, its last). */
		ret = zload_push(st->zone, rr, (unsigned)file_idx, line_nr);
		if (ret == -EINVAL) {
			zload_fail(st, file, line_nr,
				   "the record data is longer than 65535 octets");
			ret = SANDNS_EPARSE;
		}
		if (ret != 0)
			break;
	}
	fclose(fp);
	prev_from_ldns(st);
	return ret;
}

/* Set by the tests: every line goes through ldns (to compare the two readers). */
bool zload_no_fast_path;

static bool fast_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_' || c == '*' || c == '.';
}

/*
 * A plain name (fast_name_char() only, no empty label) in wire form into OUT, ORIGIN (wire,
 * OLEN octets) after it unless it ends in a dot: what ldns_str2rdf_dname() and
 * ldns_dname_cat() make of it. 0 when it is not that simple (ldns then reads the line).
 */
static size_t fast_name(const char *s, const uint8_t *origin, size_t olen,
			uint8_t out[WIRE_NAME_MAX + 1])
{
	size_t w = 0;
	bool absolute = false;

	while (*s != '\0') {
		const char *dot = strchr(s, '.');
		size_t l = dot != NULL ? (size_t)(dot - s) : strlen(s);

		/* Room for the label and for the root after it: 255 octets in all. */
		if (l == 0 || l > 63 || w + 1 + l + 1 > WIRE_NAME_MAX)
			return 0;
		out[w++] = (uint8_t)l;
		memcpy(out + w, s, l);
		w += l;
		s += l;
		if (*s == '.') {
			s++;
			absolute = *s == '\0';
		}
	}
	if (w == 0)
		return 0;
	if (absolute) {
		out[w++] = 0;
		return w;
	}
	if (w + olen > WIRE_NAME_MAX)
		return 0;
	memcpy(out + w, origin, olen);
	return w + olen;
}

/*
 * The fast reader, for the lines a large zone is made of: "[OWNER] [TTL] [IN] A|AAAA ADDRESS
 * [; comment]" (TTL before class, as ldns reads them), owner plain (letters, digits, - _ * and
 * dots), TTL plain digits. It adds the record ldns would make from the line (the tests compare
 * the two), in wire form, with no ldns object. Returns 1 when it did, 0 when the line is for
 * ldns (anything else, or anything odd), or -ENOMEM.
 */
static int fast_line(struct zload_state *st, const char *line, size_t len, const ldns_rdf *origin,
		     int file_idx, int line_nr)
{
	char buf[512], *tok[6], *save = NULL, *t;
	unsigned n = 0, k = 0;
	bool blank_owner;
	uint32_t ttl = st->default_ttl;
	uint8_t addr[16], owner[WIRE_NAME_MAX + 1];
	size_t olen;
	int af;

	if (len == 0 || len >= sizeof(buf) || line[0] == '$')
		return 0;
	memcpy(buf, line, len);
	buf[len] = '\0';
	for (char *c = buf; *c != '\0'; c++) {
		if (*c == ';') {
			*c = '\0';
			break;
		}
		if (*c == '(' || *c == ')' || *c == '"' || *c == '\\')
			return 0;
	}
	blank_owner = buf[0] == ' ' || buf[0] == '\t';
	for (t = strtok_r(buf, " \t\r", &save); t != NULL; t = strtok_r(NULL, " \t\r", &save)) {
		if (n == sizeof(tok) / sizeof(tok[0]))
			return 0;
		tok[n++] = t;
	}
	if (n < 2 || (blank_owner && st->prev_len == 0 && st->prev == NULL))
		return 0;
	if (!blank_owner) {
		const char *o = tok[k++];

		if (strcmp(o, "@") == 0 || o[0] == '.' || strstr(o, "..") != NULL)
			return 0;
		for (const char *c = o; *c != '\0'; c++)
			if (!fast_name_char(*c))
				return 0;
	}
	/* TTL, then class (the order ldns takes), each optional */
	if (k < n && tok[k][0] >= '0' && tok[k][0] <= '9') {
		char *end;
		unsigned long v;

		errno = 0;
		v = strtoul(tok[k], &end, 10);
		if (*end != '\0' || errno != 0 || v > UINT32_MAX)
			return 0;
		ttl = (uint32_t)v;
		k++;
	}
	if (k < n && strcasecmp(tok[k], "IN") == 0)
		k++;
	if (k + 2 != n)
		return 0;
	if (strcasecmp(tok[k], "A") == 0)
		af = AF_INET;
	else if (strcasecmp(tok[k], "AAAA") == 0)
		af = AF_INET6;
	else
		return 0;
	if (inet_pton(af, tok[k + 1], addr) != 1)
		return 0;
	if (blank_owner) {
		if (!st->prev_stale)
			prev_from_ldns(st);
		if (st->prev_len == 0)
			return 0;
		olen = st->prev_len;
		memcpy(owner, st->prev_wire, olen);
	} else {
		olen = fast_name(tok[0], ldns_rdf_data(origin), ldns_rdf_size(origin), owner);
		if (olen == 0)
			return 0;
	}
	if (zload_push_wire(st->zone, owner, olen, af == AF_INET ? T_A : T_AAAA, ttl, addr,
			    af == AF_INET ? 4 : 16, (unsigned)file_idx, line_nr) != 0)
		return -ENOMEM;
	/* The next blank owner is this one, as ldns would have it. */
	memcpy(st->prev_wire, owner, olen);
	st->prev_len = olen;
	st->prev_stale = true;
	return 1;
}

/* A cheap first look (no '$', no parenthesis): whether fast_line() may take the line at all. */
static bool line_may_be_fast(const char *line, size_t len)
{
	if (len > 0 && *line == '$')
		return false;
	for (size_t i = 0; i < len && line[i] != ';'; i++)
		if (line[i] == '(' || line[i] == '"')
			return false;
	return true;
}

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
static void scan_line(struct line_scan *sc, const char *text, size_t off, size_t eol)
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
static bool scan_free(const struct line_scan *sc)
{
	return sc->depth == 0 && !sc->quote && !sc->cont;
}

/*
 * TEXT (LEN octets of whole lines, after LINE_BASE lines): plain address records (most of a
 * large zone) read by fast_line(), every run of other lines handed to ldns as it is, records in
 * parentheses and quoted strings whole. ldns parses a million simple records in about 1.5 s of
 * the 2 s a zone of that size took to read; the fast reader a few times quicker.
 */
static int zload_lines(struct zload_state *st, const char *text, size_t len, const char *file,
		       int file_idx, ldns_rdf **origin, int line_base)
{
	size_t off = 0, run = 0;
	int line = line_base, run_line = line_base, ret = 0;
	bool in_run = false;
	struct line_scan sc = {0};

	while (off < len && ret == 0) {
		const char *nl = memchr(text + off, '\n', len - off);
		size_t eol = nl != NULL ? (size_t)(nl - text) + 1 : len;
		int fast = 0;

		line++;
		/*
		 * A line may go to the fast reader only when it starts a record of its own, and
		 * only once ldns has read the lines before it ($ORIGIN, $TTL, the previous owner).
		 */
		if (scan_free(&sc) && !zload_no_fast_path &&
		    line_may_be_fast(text + off, eol - off)) {
			if (in_run) {
				ret = zload_ldns(st, text + run, off - run, file, file_idx, origin,
						 run_line);
				in_run = false;
				if (ret != 0)
					break;
			}
			fast = fast_line(st, text + off, eol - off - (nl != NULL), *origin,
					 file_idx, line);
			if (fast < 0)
				return -ENOMEM;
		}
		if (fast != 1) {
			if (!in_run) {
				in_run = true;
				run = off;
				run_line = line - 1;
			}
			/* Where the record ends: for ldns, which reads the run. */
			scan_line(&sc, text, off, eol);
		}
		off = eol;
	}
	if (ret == 0 && in_run)
		ret = zload_ldns(st, text + run, len - run, file, file_idx, origin, run_line);
	/* What comes next ($INCLUDE, the next piece) sees the previous owner in PREV. */
	if (ret == 0 && !prev_sync(st))
		ret = -ENOMEM;
	return ret;
}

/* Tests set them: how many threads read a large text (0: one per online CPU, at most
 * ZLOAD_PIECES_MAX), and the least text each is given. */
unsigned zload_threads;
size_t zload_piece_min = (size_t)2 << 20;
unsigned long zload_pieces_threaded;

#define ZLOAD_PIECES_MAX 4

/* A piece of a large text, read by a thread of its own into a zone body of its own. */
struct zload_piece {
	struct zload_state st;
	zload_zone_t zone;
	const char *text;
	size_t len;
	const char *file;
	int file_idx;
	ldns_rdf *origin;
	int line_base;
	int ret;
	char err[512];
};

static void *zload_piece_main(void *arg)
{
	struct zload_piece *p = arg;

	p->ret =
	    zload_lines(&p->st, p->text, p->len, p->file, p->file_idx, &p->origin, p->line_base);
	return NULL;
}

/*
 * Applies the directive LINE ("$ORIGIN ..." or "$TTL ...", LEN octets) to ORIGIN and *TTL as
 * ldns does when it reads it among records. False for anything else (the whole text is then
 * read in one piece, and the error reported where it stands).
 */
static bool zload_directive(const char *line, size_t len, ldns_rdf **origin, uint32_t *ttl)
{
	FILE *fp = fmemopen((void *)line, len, "r");
	ldns_rdf *prev = NULL;
	ldns_rr *rr = NULL;
	int line_nr = 0;
	ldns_status s;

	if (fp == NULL)
		return false;
	s = ldns_rr_new_frm_fp_l(&rr, fp, ttl, origin, &prev, &line_nr);
	fclose(fp);
	ldns_rr_free(rr);
	ldns_rdf_deep_free(prev);
	return s == LDNS_STATUS_SYNTAX_ORIGIN || s == LDNS_STATUS_SYNTAX_TTL;
}

/*
 * Cuts TEXT (whole lines, no $INCLUDE) into up to MAX pieces of about equal size, each starting
 * on a line that begins with an owner, outside parentheses and strings; for each, the $ORIGIN
 * and $TTL in force where it starts. Scans what zload_lines() tracks (parentheses, strings,
 * comments, escapes) the same way. Returns how many pieces; the first is TEXT's start with
 * the caller's state (P[0] is not filled in).
 */
static unsigned zload_cut(struct zload_piece *p, unsigned max, const char *text, size_t len,
			  const ldns_rdf *origin_in, uint32_t ttl_in, int line_base)
{
	ldns_rdf *origin = ldns_rdf_clone(origin_in);
	uint32_t ttl = ttl_in;
	size_t off = 0;
	unsigned n = 1;
	int line = line_base;
	struct line_scan sc = {0};
	bool give_up = false;

	if (origin == NULL)
		return 1;
	while (off < len && n < max && !give_up) {
		const char *nl = memchr(text + off, '\n', len - off);
		size_t eol = nl != NULL ? (size_t)(nl - text) + 1 : len;
		char c0 = text[off];
		bool directive = false;

		if (scan_free(&sc)) {
			size_t b = off;

			while (b < eol && (text[b] == ' ' || text[b] == '\t'))
				b++;
			directive = b < eol && text[b] == '$';
			/* Not a directive this scan follows: one piece, one pass. */
			if (directive &&
			    (b > off || !zload_directive(text + off, eol - off, &origin, &ttl)))
				give_up = true;
			if (!directive && off >= len / max * n &&
			    (fast_name_char(c0) || c0 == '@' || c0 == '\\')) {
				p[n].text = text + off;
				p[n].line_base = line;
				p[n].st.default_ttl = ttl;
				p[n].origin = ldns_rdf_clone(origin);
				if (p[n].origin == NULL)
					break;
				n++;
			}
		}
		scan_line(&sc, text, off, eol);
		/* A directive that goes on past its line ("$TTL (" ...): not followed either. */
		if (directive && !scan_free(&sc))
			give_up = true;
		line++;
		off = eol;
	}
	if (give_up)
		while (n > 1)
			ldns_rdf_deep_free(p[--n].origin);
	ldns_rdf_deep_free(origin);
	for (unsigned i = 1; i < n; i++)
		p[i].len =
		    (i + 1 < n ? (size_t)(p[i + 1].text - text) : len) - (size_t)(p[i].text - text);
	return n;
}

/*
 * zload_lines() for a large TEXT: cut into pieces (zload_cut) read at the same time, one thread
 * each, then joined in file order. A million records take half the time on two cores. The
 * result is what one pass gives: the same records in the same order, the first error in the
 * file, and the parser's state at the end ($ORIGIN, $TTL, the last owner) carried on.
 */
static int zload_lines_par(struct zload_state *st, const char *text, size_t len, const char *file,
			   int file_idx, ldns_rdf **origin, int line_base)
{
	struct zload_piece p[ZLOAD_PIECES_MAX];
	pthread_t tid[ZLOAD_PIECES_MAX];
	bool started[ZLOAD_PIECES_MAX] = {false};
	long cpus = zload_threads > 0 ? (long)zload_threads : sysconf(_SC_NPROCESSORS_ONLN);
	unsigned max = cpus < 1 ? 1 : cpus > ZLOAD_PIECES_MAX ? ZLOAD_PIECES_MAX : (unsigned)cpus;
	unsigned n;
	int ret;

	if (zload_no_fast_path || zload_piece_min == 0 || len / zload_piece_min < 2 || max < 2)
		return zload_lines(st, text, len, file, file_idx, origin, line_base);
	if (len / zload_piece_min < max)
		max = (unsigned)(len / zload_piece_min);
	memset(p, 0, sizeof(p));
	n = zload_cut(p, max, text, len, *origin, st->default_ttl, line_base);
	for (unsigned i = 1; i < n; i++) {
		p[i].st.zone = &p[i].zone;
		p[i].st.err = p[i].err;
		p[i].st.errlen = sizeof(p[i].err);
		p[i].file = file;
		p[i].file_idx = file_idx;
		started[i] = zthread_start(&tid[i], zload_piece_main, &p[i]) == 0;
		zload_pieces_threaded += started[i];
	}
	ret = zload_lines(st, text, n > 1 ? (size_t)(p[1].text - text) : len, file, file_idx,
			  origin, line_base);
	for (unsigned i = 1; i < n; i++) {
		if (started[i])
			pthread_join(tid[i], NULL);
		else
			zload_piece_main(&p[i]); /* no thread: read it here */
	}
	for (unsigned i = 1; i < n; i++) {
		if (ret == 0 && p[i].ret != 0) {
			ret = p[i].ret;
			snprintf(st->err, st->errlen, "%s", p[i].err);
		}
		if (ret == 0 && !zload_adopt(st->zone, &p[i].zone))
			ret = -ENOMEM;
		if (ret == 0 && i + 1 == n) {
			/* The state after the last piece is the state after the text. */
			ldns_rdf_deep_free(*origin);
			*origin = p[i].origin;
			p[i].origin = NULL;
			st->default_ttl = p[i].st.default_ttl;
			st->have_ttl = st->have_ttl || p[i].st.have_ttl;
			if (p[i].st.prev != NULL) {
				ldns_rdf_deep_free(st->prev);
				st->prev = p[i].st.prev;
				p[i].st.prev = NULL;
				prev_from_ldns(st);
			}
		}
		free(p[i].zone.recs);
		free(p[i].zone.data);
		free(p[i].zone.rr_file);
		free(p[i].zone.rr_line);
		ldns_rdf_deep_free(p[i].origin);
		ldns_rdf_deep_free(p[i].st.prev);
	}
	return ret;
}

/*
 * Parses TEXT (zload_lines: the fast reader and ldns). ldns does not implement $INCLUDE, so
 * the text is cut at each $INCLUDE line and the pieces are read in turn with the parser state
 * carried over.
 */
static int zload_text(struct zload_state *st, const char *text, size_t len, const char *file,
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

static zload_zone_t *zload_common(const char *origin, const char *text, size_t len,
				  const char *name, zload_warn_fn warn, void *warn_ctx, char *err,
				  size_t errlen)
{
	struct zload_state st = {
	    .warn = warn,
	    .warn_ctx = warn_ctx,
	    .err = err,
	    .errlen = errlen,
	    .default_ttl = 3600,
	};
	zload_zone_t *z = calloc(1, sizeof(*z));
	size_t olen = strlen(origin);

	if (errlen > 0)
		err[0] = '\0';
	if (z == NULL)
		goto fail_nomem;
	st.zone = z;
	z->origin_text = malloc(olen + 2);
	if (z->origin_text == NULL)
		goto fail_nomem;
	memcpy(z->origin_text, origin, olen + 1);
	if (olen == 0 || origin[olen - 1] != '.')
		strcat(z->origin_text, ".");
	if (ldns_str2rdf_dname(&z->origin, z->origin_text) != LDNS_STATUS_OK) {
		zload_fail(&st, name, 0, "zone origin '%s' is not a domain name", origin);
		goto fail;
	}
	ldns_dname2canonical(z->origin);
	free(z->origin_text);
	z->origin_text = ldns_rdf2str(z->origin);
	if (z->origin_text == NULL)
		goto fail_nomem;
	if (zload_text(&st, text, len, name, z->origin, 0) != 0)
		goto fail;
	if (zload_finish(&st) != 0)
		goto fail;
	ldns_rdf_deep_free(st.prev);
	return z;
fail_nomem:
	if (errlen > 0 && err[0] == '\0')
		snprintf(err, errlen, "%s: out of memory", name);
fail:
	if (errlen > 0 && err[0] == '\0')
		snprintf(err, errlen, "%s: cannot load zone", name);
	ldns_rdf_deep_free(st.prev);
	zload_free(&z);
	return NULL;
}

zload_zone_t *zload_string(const char *origin, const char *text, const char *name,
			   zload_warn_fn warn, void *warn_ctx, char *err, size_t errlen)
{
	return zload_common(origin, text, strlen(text), name, warn, warn_ctx, err, errlen);
}

zload_zone_t *zload_file(const char *origin, const char *path, zload_warn_fn warn, void *warn_ctx,
			 char *err, size_t errlen)
{
	char *text;
	size_t len;
	zload_zone_t *z;
	int ret = zload_read_all(path, &text, &len);

	if (ret != 0) {
		snprintf(err, errlen, "%s: %s", path,
			 ret == -ENOMEM ? "out of memory" : strerror(-ret));
		return NULL;
	}
	z = zload_common(origin, text, len, path, warn, warn_ctx, err, errlen);
	free(text);
	return z;
}
