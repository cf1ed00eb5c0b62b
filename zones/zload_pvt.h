/* SPDX-License-Identifier: BSD-3-Clause */
/* zload_pvt.h: the loaded zone's body, shared by zload.c and the compiler (zt.c) only */
#ifndef ZLOAD_PVT_H
#define ZLOAD_PVT_H

#include <ldns/ldns.h>

#include "zload.h"

struct zload_zone {
	char *origin_text;   /* presentation form with trailing dot */
	ldns_rdf *origin;    /* as a DNAME rdf */
	ldns_rr_list *rrs;   /* every record, deduplicated, in file order */
	char **files;        /* distinct file names ($INCLUDE adds more) */
	size_t nfiles;
	unsigned *rr_file;   /* per record: index into files */
	int *rr_line;        /* per record: line it ended on */
	size_t cap;          /* allocated length of rr_file/rr_line */
	unsigned long serial;
	ldns_rdf **empty;    /* names kept as nodes without records (zload_edit's EMPTY_NODE) */
	size_t nempty;
	unsigned refs;       /* zload_ref() calls not yet matched by zload_free() */
	size_t *by_owner;    /* record indexes sorted by owner (zload.c's owner_cmp), or NULL */
	bool is_signed;      /* DNSKEY or RRSIG present */
};

/* Tests set it: every line is read by ldns, to compare with the fast reader. */
extern bool zload_no_fast_path;
/*
 * Tests set them: how many threads may read one large file (0: one per online CPU, up to 4),
 * and the least text (octets) each is given (2 MiB).
 */
extern unsigned zload_threads;
extern size_t zload_piece_min;
/* Tests read it: how many pieces threads of their own have read. */
extern unsigned long zload_pieces_threaded;

/* Shared by zload.c and zedit.c. */
/* Appends NAME to the zone's file names; returns its index or -ENOMEM. */
int zload_add_file(zload_zone_t *z, const char *name);
/* Appends RR (taken over on success) read from file index FILE at LINE. */
int zload_push(zload_zone_t *z, ldns_rr *rr, unsigned file, int line);
/*
 * The record an ADD edit makes, as zload_edit() adds it (owner canonical). 0, or an error with
 * the reason in err.
 */
int zload_edit_rr(const zload_zone_t *z, const zload_edit_t *e, ldns_rr **out, char *err,
		  size_t errlen);
/* The file record I came from. */
const char *zload_rr_file(const zload_zone_t *z, size_t i);

#endif
