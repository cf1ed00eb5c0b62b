/* SPDX-License-Identifier: BSD-3-Clause */
/* zload_state.h: the reader's state from line to line, and the calls between the loader's files */
#ifndef ZLOAD_STATE_H
#define ZLOAD_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "wire.h"
#include "zload_ldnsfix.h"
#include "zload_pvt.h"

/*
 * The loader's files call downwards only: zload.c (zload_file, zload_string) on top;
 * zload_include.c ($INCLUDE, files read whole) -> zload_par.c (large texts in pieces on
 * threads) -> zload_lines.c (the fast reader; zload_fastrr.c its DNSSEC records' data,
 * zload_join.c a record's lines in parentheses joined) ->
 * zload_ldns.c (ldns reads the rest);
 * zload_validate.c (the zone rules) and zload_query.c (text, lookups) beside them; all of them
 * -> zload_store.c (the records) and zload_msg.c (errors and warnings). zedit.c (copies of a
 * zone with edits) uses the store, and zload_ldnsfix.c to read its records' names as a zone
 * file's are read; zload_xfr.c (a transfer's next version) the store and
 * zload_finish(). zload_spare.c (a freed transfer version's arrays, for the next) is called by
 * zload_store.c (zload_free) and zload_xfr.c, and calls none of them.
 */

/* Nested $INCLUDE beyond this depth is refused: it is almost certainly a loop. */
#define ZLOAD_INCLUDE_DEPTH 8
/* And so is a zone made of more files than this (a file including itself many times). */
#define ZLOAD_INCLUDE_MAX 1024

/* A file as the kernel knows it, whatever the path that named it. */
struct zload_file_id {
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
	bool racy;  /* modified within a second of the reading: a later change may keep MTIME */
	bool known; /* false for text from memory */
};

/*
 * One reading of a zone (or of a piece of its text): the records' zone body, where errors and
 * warnings go, and what the parser carries from one line to the next.
 */
struct zload_state {
	zload_zone_t *zone;
	zload_warn_fn warn;
	void *warn_ctx;
	char *err;
	size_t errlen;
	uint32_t default_ttl;
	bool have_ttl;
	int includes;	  /* $INCLUDE files read so far */
	size_t text_max;  /* bound on the zone's text: its file and every $INCLUDE together */
	size_t text_read; /* octets of text read so far, against text_max */
	/* The files being read, the zone's own at depth 0: an $INCLUDE of one of them is a loop. */
	struct zload_file_id open_files[ZLOAD_INCLUDE_DEPTH + 1];
	ldns_rdf *prev; /* previous owner, for records with a blank owner (ldns's) */
	/*
	 * The previous owner as the fast reader keeps it: its wire form, and whether PREV is
	 * behind it (the fast reader sets it without making an ldns object each time).
	 */
	uint8_t prev_wire[WIRE_NAME_MAX + 1];
	size_t prev_len;
	bool prev_stale;
	/*
	 * The check mode (zload_check): each error goes to COLLECT and the reading goes on with the
	 * next record (zload_go_on), until MAX_ERRORS (then STOPPED). NULL: the first error stops.
	 */
	zload_warn_fn collect;
	void *collect_ctx;
	size_t nerrors, max_errors;
	bool stopped;
};

/* After an error: whether to go on with the next record or rule (the check mode) or stop. */
static inline bool zload_go_on(const struct zload_state *st)
{
	return st->collect != NULL && !st->stopped;
}

/* Makes PREV the fast reader's previous owner, if it is behind; false without memory. */
static inline bool prev_sync(struct zload_state *st)
{
	ldns_rdf *p;

	if (!st->prev_stale)
		return true;
	p = ldns_rdf_new_frm_data(LDNS_RDF_TYPE_DNAME, st->prev_len, st->prev_wire);
	if (p == NULL)
		return false;
	ldns_rdf_deep_free(st->prev);
	st->prev = p;
	st->prev_stale = false;
	return true;
}

/* After ldns read records: its previous owner is the fast reader's too. */
static inline void prev_from_ldns(struct zload_state *st)
{
	st->prev_stale = false;
	st->prev_len = 0;
	if (st->prev != NULL && ldns_rdf_size(st->prev) <= sizeof(st->prev_wire)) {
		memcpy(st->prev_wire, ldns_rdf_data(st->prev), ldns_rdf_size(st->prev));
		st->prev_len = ldns_rdf_size(st->prev);
	}
}

/*
 * zload_msg.c: "FILE:LINE: reason" into st->err (LINE 0: "FILE: reason"); in the check mode also
 * to st->collect, counted.
 */
void __attribute__((format(printf, 4, 5)))
zload_fail(struct zload_state *st, const char *file, int line, const char *fmt, ...);
/* zload_msg.c: "FILE:LINE: warning: reason" to st->warn, if there is one. */
void __attribute__((format(printf, 4, 5)))
zload_warn(struct zload_state *st, const char *file, int line, const char *fmt, ...);

/* zload_validate.c: sorts the records, drops duplicates, checks the zone rules (0 or an error). */
int zload_finish(struct zload_state *st);
/*
 * zload_validate.c: as zload_finish() for records already in the sort's order: IDX (malloc'd,
 * one index per record of st->zone, ordered by zload_rec_order()) is taken over either way.
 */
int zload_finish_sorted(struct zload_state *st, uint32_t *idx);
/* Positions [FROM, TO) of a zone's sorted records: the records of whole owners. */
struct zload_span {
	size_t from, to;
};
/*
 * zload_validate.c: as zload_finish_sorted() for a zone whose records passed the rules but for
 * the owners at SP[0..NSP) (an IXFR's: whole owners, in order, the apex's among them, with
 * what the rules relate them to, their ancestors): those checked alone, for duplicates and
 * against the rules (the same errors as a whole check would find first). IDX is taken over;
 * st->zone's is_signed is the caller's.
 */
int zload_finish_touched(struct zload_state *st, uint32_t *idx, const struct zload_span *sp,
			 size_t nsp);
/* zload_validate.c: the sort's order of records I and J: owner (owner_cmp), type, data, index. */
int zload_rec_order(const zload_zone_t *z, size_t i, size_t j);

/* zload_ldns.c: records of whole lines TEXT read by ldns; *ORIGIN follows $ORIGIN. */
int zload_ldns(struct zload_state *st, const char *text, size_t len, const char *file, int file_idx,
	       ldns_rdf **origin, int line_base);
/* zload_lines.c: whole lines TEXT read in one pass, the fast reader first, ldns for the rest. */
int zload_lines(struct zload_state *st, const char *text, size_t len, const char *file,
		int file_idx, ldns_rdf **origin, int line_base);
/* zload_par.c: zload_lines() for TEXT, a large one cut into pieces read on threads. */
int zload_lines_par(struct zload_state *st, const char *text, size_t len, const char *file,
		    int file_idx, ldns_rdf **origin, int line_base);
/*
 * zload_include.c: the whole of PATH into *TEXT (malloc'd, NUL-terminated) and *LEN. PATH is
 * opened without blocking and read only if it is a regular file (never a FIFO or a device),
 * none of the NREADING files READING (those being read: a loop), and only as far as BOUND, the
 * bound on the zone's text, less USED, what the zone's other files took of it: a file over it
 * is refused, even one that grows while it is read. The file's identity goes to *ID. 0, or -1
 * with the reason (no file name) in WHY (WHYLEN octets).
 */
int zload_read_all(const char *path, size_t bound, size_t used, const struct zload_file_id *reading,
		   int nreading, char **text, size_t *len, struct zload_file_id *id, char *why,
		   size_t whylen);
/*
 * zload_stamp.c: file PATH (ID) recorded as one Z was read from. 0, or -ENOMEM (then Z's files
 * count as not recorded).
 */
int zload_stamp_add(zload_zone_t *z, const char *path, const struct zload_file_id *id);
/*
 * zload_stamp.c: whether S was recorded under the bound on the text BOUND, reading file PATH
 * first, and every file it recorded is the same now (device, inode, size, modification time).
 */
bool zload_stamps_same(const zload_stamps_t *s, const char *path, size_t bound);
/* zload_include.c: TEXT, the content of FILE, with the files it $INCLUDEs. */
int zload_text(struct zload_state *st, const char *text, size_t len, const char *file,
	       ldns_rdf *origin, int depth);

#endif
