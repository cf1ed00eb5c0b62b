/* SPDX-License-Identifier: BSD-3-Clause */
/* zload_ldns.c: lines of zone text read by libldns ($ORIGIN, $TTL, every record syntax) */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rr_typed.h"
#include "sandns_err.h"
#include "wire.h"
#include "zload_scan.h"
#include "zload_state.h"

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

/* One token of zone text at TEXT[*I] (quoted or not): its length once unescaped. */
static size_t token_len(const char *text, size_t len, size_t *i, bool *quoted)
{
	size_t n = 0;

	*quoted = text[*i] == '"';
	if (*quoted)
		(*i)++;
	while (*i < len) {
		char ch = text[*i];

		if (*quoted ? ch == '"'
			    : isspace((unsigned char)ch) || ch == ';' || ch == '(' || ch == ')')
			break;
		(*i)++;
		if (ch == '\\' && *i < len) {
			/* \DDD is one octet, so is \X */
			size_t d = 0;

			while (d < 3 && *i < len && isdigit((unsigned char)text[*i])) {
				(*i)++;
				d++;
			}
			if (d == 0)
				(*i)++;
		}
		n++;
	}
	if (*quoted && *i < len)
		(*i)++;
	return n;
}

/*
 * ldns cuts a record whose text is longer than its line buffer (about 64 KiB) and keeps the
 * character-strings read so far without a word: a TXT of 280 strings of 255 octets comes out
 * as 255. The record's text again (TEXT, LEN octets): the fields after its type in *FIELDS,
 * and the octets they make as character-strings in *OCTETS.
 */
static void count_fields(const ldns_rr *rr, const char *text, size_t len, size_t *fields,
			 size_t *octets)
{
	char *type = ldns_rr_type2str(ldns_rr_get_type(rr));
	bool after_type = false;
	size_t i = 0;

	*fields = *octets = 0;
	while (type != NULL && i < len) {
		char ch = text[i];
		size_t start = i, n;
		bool quoted;

		if (ch == ';') {
			while (i < len && text[i] != '\n')
				i++;
			continue;
		}
		if (isspace((unsigned char)ch) || ch == '(' || ch == ')') {
			i++;
			continue;
		}
		n = token_len(text, len, &i, &quoted);
		if (after_type) {
			(*fields)++;
			*octets += 1 + n;
		} else if (!quoted && i - start == strlen(type) &&
			   strncasecmp(text + start, type, i - start) == 0) {
			after_type = true;
		}
	}
	free(type);
}

/*
 * Whether ldns kept every field of RR, read from TEXT (LEN octets); else the reason is in ST,
 * with FILE and LINE.
 */
static bool fields_kept(struct zload_state *st, const ldns_rr *rr, const char *text, size_t len,
			const char *file, int line)
{
	size_t fields, octets;

	/* Only records of character-strings (TXT, SPF): one field each. Short ones are whole. */
	if (len < 4096 || ldns_rr_rd_count(rr) == 0)
		return true;
	for (size_t i = 0; i < ldns_rr_rd_count(rr); i++)
		if (ldns_rdf_get_type(ldns_rr_rdf(rr, i)) != LDNS_RDF_TYPE_STR)
			return true;
	count_fields(rr, text, len, &fields, &octets);
	if (fields <= ldns_rr_rd_count(rr))
		return true;
	if (octets > UINT16_MAX)
		zload_fail(st, file, line,
			   "the record data is longer than 65535 octets (%zu fields, %zu octets): "
			   "text is too long",
			   fields, octets);
	else
		zload_fail(st, file, line,
			   "%zu character-strings, of which only %zu were read: the record is too "
			   "long to be read whole",
			   fields, ldns_rr_rd_count(rr));
	return false;
}

/*
 * Whether T (N octets) is a TTL as RFC 1035 and BIND write them: a number, or numbers each with
 * a unit (s, m, h, d, w: "1h30m"), at most 2^32-1 seconds. ldns reads "1x2y" as 1, and a
 * number past 2^32 as what is left of it.
 */
static bool ttl_text_ok(const char *t, size_t n)
{
	uint64_t total = 0, v = 0;
	bool digits = false;

	for (size_t i = 0; i < n; i++) {
		char c = (char)tolower((unsigned char)t[i]);
		uint64_t unit;

		if (isdigit((unsigned char)c)) {
			v = v * 10 + (uint64_t)(c - '0');
			digits = true;
			if (v > UINT32_MAX)
				return false;
			continue;
		}
		if (!digits)
			return false;
		unit = c == 's'	  ? 1
		       : c == 'm' ? 60
		       : c == 'h' ? 3600
		       : c == 'd' ? 86400
		       : c == 'w' ? 604800
				  : 0;
		if (unit == 0)
			return false;
		total += v * unit;
		v = 0;
		digits = false;
	}
	return total + v <= UINT32_MAX;
}

/* Where the record in TEXT (LEN octets) has its first field after the owner: the blank and
 * comment lines ldns skipped to reach it, then the owner (none when the line starts blank). */
static size_t after_owner(const char *text, size_t len)
{
	size_t i = zload_record_start(text, len);

	if (i < len && !isspace((unsigned char)text[i]))
		while (i < len && !isspace((unsigned char)text[i]))
			i++;
	return i;
}

/* The next field at *I of TEXT (LEN octets) on the record's line: [*START, *I); false at none. */
static bool next_field(const char *text, size_t len, size_t *i, size_t *start)
{
	while (*i < len && (text[*i] == ' ' || text[*i] == '\t' || text[*i] == '('))
		(*i)++;
	*start = *i;
	while (*i < len && !isspace((unsigned char)text[*i]) && text[*i] != ';' &&
	       text[*i] != '(' && text[*i] != ')')
		(*i)++;
	return *i > *start;
}

/*
 * The TTL of the record (or $TTL) TEXT (LEN octets: its lines, blank and comment lines before
 * it too), when one is written: true when it reads as a TTL (or none is there), else false with
 * the token in *BAD and *BADLEN. Owner, then up to two fields: a TTL and a class, in any order.
 */
static bool record_ttl_ok(const char *text, size_t len, const char **bad, size_t *badlen)
{
	size_t i = after_owner(text, len), start;

	for (int k = 0; k < 2 && next_field(text, len, &i, &start); k++) {
		if (isdigit((unsigned char)text[start])) {
			*bad = text + start;
			*badlen = i - start;
			return ttl_text_ok(text + start, i - start);
		}
		if (!zload_is_class(text + start, i - start))
			return true; /* the type: no TTL written */
	}
	return true;
}

/*
 * RFC 1035 5.1 lets the class come before the TTL ("www IN 300 A ..."), as BIND and Knot read
 * it; ldns reads only the TTL first. The record whose first line is TEXT (LEN octets) gets the
 * two swapped in place: the same octets, so its lines and offsets stay.
 */
static void class_ttl_swap(char *text, size_t len)
{
	size_t i = after_owner(text, len), s1, e1, s2, e2;
	char tmp[128];

	if (!next_field(text, len, &i, &s1) || !zload_is_class(text + s1, i - s1))
		return;
	e1 = i;
	if (!next_field(text, len, &i, &s2) || !isdigit((unsigned char)text[s2]))
		return;
	e2 = i;
	if (e2 - s1 > sizeof(tmp))
		return;
	/* "IN<gap>300" -> "300<gap>IN" */
	memcpy(tmp, text + s2, e2 - s2);
	memcpy(tmp + (e2 - s2), text + e1, s2 - e1);
	memcpy(tmp + (e2 - s2) + (s2 - e1), text + s1, e1 - s1);
	memcpy(text + s1, tmp, e2 - s1);
}

/*
 * What ldns read in one call, TEXT[AT..END), after *LINES lines: *LINES moved past its
 * newlines, and the line its record ends on (as the fast reader counts) returned. ldns's own
 * count is one short in three ways: it reads on past the blank lines after a record (and CRs,
 * form feeds, vertical tabs) in the same call and counts them in; a record that no newline
 * ends (the text's last line, one cut by a form feed) has the line before it; and a ')' too
 * many ends its read with the octet after it, a newline it does not count.
 */
static int record_line(const char *text, size_t at, size_t end, int *lines)
{
	int before = *lines, k = 0;
	size_t e = end;

	while (e > at && ldns_skipped_char(text[e - 1]))
		e--;
	for (size_t i = at; i < end; i++) {
		if (text[i] != '\n')
			continue;
		(*lines)++;
		k += i < e;
	}
	return before + k + 1;
}

/*
 * Records that ldns reads: TEXT (LEN octets, whole lines) parsed with ldns_rr_new_frm_fp_l(),
 * which handles $ORIGIN, $TTL, parentheses and RFC 3597 syntax. LINE_BASE: the line before the
 * first. *ORIGIN follows $ORIGIN.
 */
int zload_ldns(struct zload_state *st, const char *text, size_t len, const char *file, int file_idx,
	       ldns_rdf **origin, int line_base)
{
	FILE *fp;
	int lines = line_base, ldns_line = line_base, ret = 0;
	const char *orig;
	char *copy;

	if (!prev_sync(st))
		return -ENOMEM;
	if (len == 0)
		return 0;
	/* A copy, so that a record's class and TTL can be put in the order ldns reads, and an
	 * owner it misreads hidden from it (read again from ORIG, the text as written). */
	copy = malloc(len);
	if (copy == NULL)
		return -ENOMEM;
	memcpy(copy, text, len);
	orig = text;
	text = copy;
	{
		/* Every line that starts a record (the stream reads ahead: before it opens). */
		struct line_scan sc = {0};

		for (size_t off = 0, eol; off < len; off = eol) {
			const char *nl = memchr(copy + off, '\n', len - off);

			eol = nl != NULL ? (size_t)(nl - copy) + 1 : len;
			if (scan_free(&sc)) {
				zload_owner_hide(copy + off, eol - off);
				class_ttl_swap(copy + off, eol - off);
			}
			scan_line(&sc, copy, off, eol);
		}
	}
	fp = fmemopen(copy, len, "r");
	if (fp == NULL) {
		free(copy);
		return -errno;
	}
	while (!feof(fp)) {
		ldns_rr *rr = NULL;
		/*
		 * ldns takes a default TTL of 0 for "none" and gives 3600 instead; "$TTL 0" means
		 * 0 (RFC 2308; Knot, and the fast reader). A TTL with its top bit set is 0 anyway
		 * (RFC 2181 8), so that value stands for "no TTL given" here.
		 */
		uint32_t ttl = st->default_ttl != 0 ? st->default_ttl : UINT32_MAX;
		long at = ftell(fp);
		const char *bad = NULL;
		size_t badlen = 0;
		/*
		 * Whether a record before this one named an owner: in this file, or before the
		 * $INCLUDE that reads it (zload_include.c). A piece of a file read on a thread of
		 * its own starts with none, on a line that names one (zload_par.c's zload_cut()).
		 */
		bool had_owner = st->prev != NULL;
		ldns_status s;

		s = ldns_rr_new_frm_fp_l(&rr, fp, &ttl, origin, &st->prev, &ldns_line);
		/* Where the record's text ends (once: ftell on a memory stream is not free). */
		long end = at >= 0 ? ftell(fp) : -1;
		/* its line as the fast reader counts (ldns's own only where there is no offset) */
		int line_nr = at >= 0 && end >= at
				  ? record_line(text, (size_t)at, (size_t)end, &lines)
				  : (lines = ldns_line);

		if (s == LDNS_STATUS_SYNTAX_EMPTY || s == LDNS_STATUS_SYNTAX_ORIGIN)
			continue;
		if ((s == LDNS_STATUS_OK || s == LDNS_STATUS_SYNTAX_TTL) && end > at &&
		    !record_ttl_ok(text + at, (size_t)(end - at), &bad, &badlen)) {
			zload_fail(st, file, line_nr,
				   "bad TTL '%.*s' (a number of seconds up to 4294967295, or with "
				   "units: 1h30m)",
				   (int)(badlen < 40 ? badlen : 40), bad);
			ldns_rr_free(rr);
			if (zload_go_on(st))
				continue;
			ret = SANDNS_EPARSE;
			break;
		}
		if (s == LDNS_STATUS_SYNTAX_TTL) {
			st->default_ttl = ttl;
			st->have_ttl = true;
			continue;
		}
		if (s == LDNS_STATUS_OK && st->default_ttl == 0 && ldns_rr_ttl(rr) == UINT32_MAX)
			ldns_rr_set_ttl(rr, 0);
		if (s != LDNS_STATUS_OK) {
			/* the line the record that failed ends on (record_line()) */
			zload_fail(st, file, line_nr, "%s", ldns_get_errorstr_by_id(s));
			ldns_rr_free(rr);
			/* The check mode goes on after the record, if ldns read past it. */
			if (zload_go_on(st) && end > at)
				continue;
			ret = SANDNS_EPARSE;
			break;
		}
		/*
		 * ldns gives a blank owner with no owner before it the origin (as NSD does); RFC
		 * 1035 5.1 has a blank owner repeat the previous record's, and the first record
		 * has none: BIND ("no current owner name") and Knot refuse the zone. ldns sets
		 * PREV for every owner written ("@" too), never for a blank one: still NULL, the
		 * owner was blank and none came before. $ORIGIN names no owner, in BIND and Knot.
		 */
		if (!had_owner && st->prev == NULL) {
			zload_fail(st, file, line_nr,
				   "no current owner name: the record's line starts with a blank, "
				   "which repeats the previous owner (RFC 1035 5.1), and none was "
				   "written before it");
			ldns_rr_free(rr);
			if (zload_go_on(st))
				continue;
			ret = SANDNS_EPARSE;
			break;
		}
		/* The names ldns misread, read again from the record as written. */
		ret = at >= 0 && end > at
			  ? zload_names_fix(rr, orig + at, (size_t)(end - at), *origin, &st->prev)
			  : 0;
		if (ret == -ENOMEM) {
			ldns_rr_free(rr);
			break;
		}
		if (ret != 0) {
			zload_fail(st, file, line_nr, "a domain name that does not parse");
			ret = SANDNS_EPARSE;
		} else if (ldns_rr_get_type(rr) == 0) {
			/* ldns takes a word it does not know as type 0 ("broken line"), and
			 * TYPE0 is reserved (RFC 6895 3.1): neither is a record. */
			zload_fail(st, file, line_nr,
				   "no known record type (a mnemonic such as A or MX, or TYPEnnn "
				   "other than 0)");
			ret = SANDNS_EPARSE;
		} else if (ldns_rr_get_class(rr) != LDNS_RR_CLASS_IN) {
			zload_fail(st, file, line_nr, "class %u is not IN",
				   (unsigned)ldns_rr_get_class(rr));
			ret = SANDNS_EZONE;
		} else if (!zload_names_fit(rr)) {
			zload_fail(st, file, line_nr,
				   "a domain name is longer than 255 octets (RFC 1035 3.1)");
			ret = SANDNS_EPARSE;
		} else if (!rr_rdata_typed(rr)) {
			zload_fail(st, file, line_nr,
				   "the record data does not fit its type (RFC 3597 \\# data "
				   "must be the whole record data, in the type's wire form)");
			ret = SANDNS_EPARSE;
		} else if (at >= 0 && end >= at &&
			   !fields_kept(st, rr, text + at, (size_t)(end - at), file, line_nr)) {
			ret = SANDNS_EPARSE;
		}
		if (ret != 0) {
			ldns_rr_free(rr);
			if (!zload_go_on(st))
				break;
			ret = 0;
			continue;
		}
		/* ldns skips blank lines in the same call: the line it ended on is the one we
		 * know (for a record in parentheses, its last). */
		ret = zload_push(st->zone, rr, (unsigned)file_idx, line_nr);
		if (ret == -EINVAL) {
			zload_fail(st, file, line_nr,
				   "the record data is longer than 65535 octets");
			ret = zload_go_on(st) ? 0 : SANDNS_EPARSE;
		}
		if (ret != 0)
			break;
	}
	fclose(fp);
	free(copy);
	prev_from_ldns(st);
	return ret;
}
