/* SPDX-License-Identifier: BSD-3-Clause */
/* zload_par.c: a large zone text cut into pieces read on threads of their own, then joined */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "zload_scan.h"
#include "zload_state.h"
#include "zthread.h"

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
 * and $TTL in force where it starts. A piece is read with no previous owner: its first record
 * names one, so a blank owner in it always repeats one of its own, never taken for a blank
 * owner with none before it (which zload_ldns() refuses). Scans what zload_lines() tracks
 * (parentheses, strings, comments, escapes) the same way. Returns how many pieces; the first is
 * TEXT's start with the caller's state (P[0] is not filled in).
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
int zload_lines_par(struct zload_state *st, const char *text, size_t len, const char *file,
		    int file_idx, ldns_rdf **origin, int line_base)
{
	struct zload_piece p[ZLOAD_PIECES_MAX];
	pthread_t tid[ZLOAD_PIECES_MAX];
	bool started[ZLOAD_PIECES_MAX] = {false};
	long cpus = zload_threads > 0 ? (long)zload_threads : sysconf(_SC_NPROCESSORS_ONLN);
	unsigned max = cpus < 1 ? 1 : cpus > ZLOAD_PIECES_MAX ? ZLOAD_PIECES_MAX : (unsigned)cpus;
	unsigned n;
	int ret;

	/* The check mode (st->collect) reads in one pass: its errors come in file order. */
	if (zload_no_fast_path || zload_piece_min == 0 || len / zload_piece_min < 2 || max < 2 ||
	    st->collect != NULL)
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
