/* SPDX-License-Identifier: BSD-3-Clause */
/* zload_lines.c: lines of zone text in one pass: plain common records read fast, ldns the rest */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "wire.h"
#include "zload_fastrr.h"
#include "zload_scan.h"
#include "zload_state.h"

/* Set by the tests: every line goes through ldns (to compare the two readers). */
bool zload_no_fast_path;
unsigned long zload_fast_joined;

/*
 * The fast reader, for the lines a large zone is made of: "[OWNER] [TTL] [IN] TYPE DATA
 * [; comment]" (TTL before class, as ldns reads them), owner plain (letters, digits, - _ * and
 * dots), TTL plain digits, TYPE A or AAAA, or a DNSSEC type whose data zload_fastrr.c reads
 * (a presigned zone's RRSIG and NSEC3 lines). It adds the record ldns would make from the
 * line (the tests compare the two), in wire form, with no ldns object. Returns 1 when it did,
 * 0 when the line is for ldns (anything else, or anything odd), or -ENOMEM.
 */
static int fast_line(struct zload_state *st, const char *line, size_t len, const ldns_rdf *origin,
		     int file_idx, int line_nr)
{
	/* a signature of RSA-4096 (684 base64 digits) fits; a bitmap of dozens of types */
	char buf[2048], *tok[72], *save = NULL, *t;
	unsigned n = 0, k = 0;
	bool blank_owner;
	uint32_t ttl = st->default_ttl;
	uint8_t rdata[ZLOAD_FASTRR_MAX], owner[WIRE_NAME_MAX + 1];
	size_t olen, rdlen;
	uint16_t type;

	if (len == 0 || len >= sizeof(buf) || line[0] == '$')
		return 0;
	memcpy(buf, line, len);
	buf[len] = '\0';
	for (char *c = buf;; c++) {
		/* ldns's reader drops a NUL and reads on: the line would be cut here */
		if (*c == '\0') {
			if (c != buf + len)
				return 0;
			break;
		}
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
		/* 4294967295 stands for "no TTL" in zload_ldns.c (0 under "$TTL 0"): ldns's */
		if (*end != '\0' || errno != 0 || v >= UINT32_MAX)
			return 0;
		ttl = (uint32_t)v;
		k++;
	}
	if (k < n && strcasecmp(tok[k], "IN") == 0)
		k++;
	if (k + 2 > n)
		return 0;
	if (strcasecmp(tok[k], "A") == 0 || strcasecmp(tok[k], "AAAA") == 0) {
		int af = tok[k][1] == '\0' ? AF_INET : AF_INET6;

		if (k + 2 != n || inet_pton(af, tok[k + 1], rdata) != 1)
			return 0;
		type = af == AF_INET ? T_A : T_AAAA;
		rdlen = af == AF_INET ? 4 : 16;
	} else {
		type = zload_fastrr_type(tok[k]);
		rdlen = type != 0 ? zload_fastrr_rdata(type, tok + k + 1, n - k - 1,
						       ldns_rdf_data(origin), ldns_rdf_size(origin),
						       rdata)
				  : 0;
		if (rdlen == 0)
			return 0;
	}
	if (blank_owner) {
		if (!st->prev_stale)
			prev_from_ldns(st);
		if (st->prev_len == 0)
			return 0;
		olen = st->prev_len;
		memcpy(owner, st->prev_wire, olen);
	} else {
		olen = zload_fast_name(tok[0], ldns_rdf_data(origin), ldns_rdf_size(origin), owner);
		if (olen == 0)
			return 0;
	}
	if (zload_push_wire(st->zone, owner, olen, type, ttl, rdata, rdlen, (unsigned)file_idx,
			    line_nr) != 0)
		return -ENOMEM;
	/* The next blank owner is this one, as ldns would have it. */
	memcpy(st->prev_wire, owner, olen);
	st->prev_len = olen;
	st->prev_stale = true;
	return 1;
}

/*
 * A cheap first look (no '$', no parenthesis): whether fast_line() may take the line at all as
 * it stands; a line with a parenthesis may start a record zload_join() makes one line of.
 */
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
 * TEXT (LEN octets of whole lines, after LINE_BASE lines): plain address records (most of a
 * large zone) and DNSSEC records (most of a presigned one), on one line or in parentheses
 * over several (as BIND writes RRSIG and DNSKEY), read by fast_line(), every run of other
 * lines handed to ldns as it is, records in parentheses and quoted strings whole. ldns parses
 * a million simple records in about 1.5 s of the 2 s a zone of that size took to read; the
 * fast reader a few times quicker (a presigned zone's RRSIGs and NSEC3s: five).
 */
int zload_lines(struct zload_state *st, const char *text, size_t len, const char *file,
		int file_idx, ldns_rdf **origin, int line_base)
{
	size_t off = 0, run = 0;
	int line = line_base, run_line = line_base, ret = 0;
	unsigned long joined_n = 0;
	bool in_run = false;
	struct line_scan sc = {0};

	while (off < len && ret == 0) {
		const char *nl = memchr(text + off, '\n', len - off);
		size_t eol = nl != NULL ? (size_t)(nl - text) + 1 : len, end = 0;
		int fast = 0, newlines = 0;
		bool plain = false;
		/* a record in parentheses as one line (a signature of RSA-4096 fits) */
		char joined[2048];
		size_t jlen = 0;

		line++;
		/*
		 * A line may go to the fast reader only when it starts a record of its own, and
		 * only once ldns has read the lines before it ($ORIGIN, $TTL, the previous owner).
		 * One that starts with a CR, form feed or vertical tab here (not after a record:
		 * see below) follows a comment line or starts the text, where ldns reads a CR as
		 * a blank (a blank owner): it is for ldns.
		 */
		if (scan_free(&sc) && !zload_no_fast_path && !ldns_skipped_char(text[off])) {
			plain = line_may_be_fast(text + off, eol - off);
			if (!plain && text[off] != '$')
				jlen = zload_join(text + off, len - off, joined, sizeof(joined),
						  &end, &newlines);
		}
		if (plain || jlen > 0) {
			if (in_run) {
				ret = zload_ldns(st, text + run, off - run, file, file_idx, origin,
						 run_line);
				in_run = false;
				if (ret != 0)
					break;
			}
			/*
			 * A record in parentheses has the line it ends on, as zload_ldns() gives
			 * it: NEWLINES on, the last one its own unless the text ends without one.
			 */
			if (plain)
				fast = fast_line(st, text + off, eol - off - (nl != NULL), *origin,
						 file_idx, line);
			else
				fast =
				    fast_line(st, joined, jlen, *origin, file_idx,
					      line - 1 + newlines + (text[off + end - 1] != '\n'));
			if (fast < 0)
				return -ENOMEM;
			if (fast == 1 && !plain) {
				eol = off + end;
				line += newlines > 0 ? newlines - 1 : 0;
				joined_n++;
			}
			/*
			 * ldns reads on past a record's newline over newlines, CRs, form feeds
			 * and vertical tabs (ldns_fskipcs_l()): the next record starts after
			 * them ("\r300 IN A ..." is owned by 300), so it does here too.
			 */
			while (fast == 1 && eol < len && ldns_skipped_char(text[eol]))
				line += text[eol++] == '\n';
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
	if (joined_n > 0)
		__atomic_add_fetch(&zload_fast_joined, joined_n, __ATOMIC_RELAXED);
	/* What comes next ($INCLUDE, the next piece) sees the previous owner in PREV. */
	if (ret == 0 && !prev_sync(st))
		ret = -ENOMEM;
	return ret;
}
