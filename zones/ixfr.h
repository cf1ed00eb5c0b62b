/* SPDX-License-Identifier: BSD-3-Clause */
/* ixfr.h: IXFR out (RFC 1995): the differences between served versions, kept, persisted, sent */
#ifndef IXFR_H
#define IXFR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zt.h"

/*
 * One changeset: a zone from serial FROM to serial TO, as the RRs of RFC 1995's body for one
 * version: the old SOA, the RRs removed, the new SOA, the RRs added (uncompressed wire RRs:
 * owner, type, class, TTL, RDLENGTH, RDATA). Immutable once made; reference-counted.
 */
typedef struct ixfr_cs ixfr_cs_t;

/*
 * A zone's history: changesets oldest first, each one's TO the next one's FROM, the last one's
 * TO the serial served. Immutable once attached to a snapshot (each snapshot that serves the
 * zone holds a reference); reference-counted with atomic counts, so that a reader that must
 * outlive its RCU read-side section (a streamed transfer) takes a reference of its own.
 */
typedef struct ixfr_hist ixfr_hist_t;

/* ---- ixfr_hist.c: changesets and histories ---- */

/*
 * A changeset from a copy of DATA (LEN octets: SOA old, deletions, SOA new, additions); NULL
 * when DATA is not such a sequence (every RR whole, exactly two SOAs, the first one's serial
 * FROM... as read) or without memory. Its serials are the two SOAs'.
 */
ixfr_cs_t *ixfr_cs_new(const uint8_t *data, size_t len);
uint32_t ixfr_cs_from(const ixfr_cs_t *cs);
uint32_t ixfr_cs_to(const ixfr_cs_t *cs);
/* Octets of its RRs. */
size_t ixfr_cs_size(const ixfr_cs_t *cs);
const uint8_t *ixfr_cs_data(const ixfr_cs_t *cs);
void ixfr_cs_unref(ixfr_cs_t **cs);

/*
 * A new history: PREV's changesets (NULL: none) then CS (its reference is taken over, even on
 * failure), the oldest dropped until at most MAX_BYTES octets and MAX_DEPTH changesets are left
 * (*DROPPED says how many went; CS alone above MAX_BYTES: an empty history). PREV is kept
 * only when its last serial is CS's FROM. NULL without memory.
 */
ixfr_hist_t *ixfr_hist_add(const ixfr_hist_t *prev, ixfr_cs_t *cs, uint64_t max_bytes,
			   unsigned max_depth, unsigned *dropped);

/* A history without changesets; NULL without memory. */
ixfr_hist_t *ixfr_hist_new(void);

/* Another reference to H (NULL is fine); ixfr_hist_unref() gives it back, leaving NULL. */
ixfr_hist_t *ixfr_hist_ref(const ixfr_hist_t *h);
void ixfr_hist_unref(ixfr_hist_t **h);

/* Changesets held, their octets, the serial the oldest starts from and the last one ends at. */
size_t ixfr_hist_count(const ixfr_hist_t *h);
uint64_t ixfr_hist_bytes(const ixfr_hist_t *h);
const ixfr_cs_t *ixfr_hist_get(const ixfr_hist_t *h, size_t i);
/* False when H is NULL or empty. */
bool ixfr_hist_range(const ixfr_hist_t *h, uint32_t *first, uint32_t *last);

/* Zone Z's history in snapshot ZT (NULL: none); ixfr_hist_attach() gives it one (ZT not yet
 * published; H's reference is taken over, any previous one dropped). */
const ixfr_hist_t *ixfr_hist_of(const zt_t *zt, uint32_t z);
void ixfr_hist_attach(zt_t *zt, uint32_t z, ixfr_hist_t *h);

/* ---- ixfr_diff.c: the difference of two snapshots ---- */

/*
 * The changeset from zone OZ of OLD to zone NZ of NEW (the same zone, two versions): their
 * records walked together in transfer order (canonical), RRs only in OLD removed, only in NEW
 * added, an RRset whose TTL changed removed and added whole. 0 with *OUT; SANDNS_ELIMIT when
 * the changeset would pass MAX_BYTES octets (0: no bound); -ENOMEM.
 */
int ixfr_diff(const zt_t *old, uint32_t oz, const zt_t *new, uint32_t nz, uint64_t max_bytes,
	      ixfr_cs_t **out);

/*
 * ixfr_diff() when only the owners NAMES (wire, any order, repeats fine) can differ between the
 * two versions (a snapshot patched: zt_patch_names()): only their RRsets compared, each found by
 * a search of the transfer orders. The same changeset as ixfr_diff() then, in time that grows
 * with the names, not the zone.
 */
int ixfr_diff_names(const zt_t *old, uint32_t oz, const zt_t *new, uint32_t nz,
		    const uint8_t *const *names, size_t nnames, uint64_t max_bytes,
		    ixfr_cs_t **out);

/* ---- ixfr_file.c: a zone's journal file ---- */

/*
 * The journal: a header, then one record per changeset, oldest first, each with its length
 * and a checksum. ixfr_file_read() reads PATH (a regular file of at most MAX_FILE octets,
 * through rfile.c) into a history bounded as ixfr_hist_add() bounds it, *NRECS records read;
 * SANDNS_EOK with *OUT (NULL: no file), or an error with the reason in ERR (damaged: ignore it).
 */
int ixfr_file_read(const char *path, uint64_t max_file, uint64_t max_bytes, unsigned max_depth,
		   ixfr_hist_t **out, unsigned *nrecs, char *err, size_t errlen);

/* Appends CS to the journal PATH (created when missing), then fsync. SANDNS_EOK or an error. */
int ixfr_file_append(const char *path, const ixfr_cs_t *cs, char *err, size_t errlen);

/* Writes H as the whole journal PATH: a new file, fsync, renamed over the old one, the
 * directory synced. An empty H removes the file. SANDNS_EOK or an error with ERR. */
int ixfr_file_write(const char *path, const ixfr_hist_t *h, char *err, size_t errlen);

/* Whether PATH is a regular file (not followed) that begins with a journal's header: one that
 * sandns wrote, which a sweep of the state directory may remove. */
bool ixfr_file_is_journal(const char *path);

/* Octets one changeset takes in the journal. */
uint64_t ixfr_file_record_size(const ixfr_cs_t *cs);

/* ---- ixfr_pub.c: the history kept at each publish ---- */

typedef void (*ixfr_log_fn)(void *ctx, int priority, const char *msg);

typedef struct ixfr_conf {
	const char *dir;    /* where the journals live (the state directory); NULL: memory only */
	uint64_t max_bytes; /* per zone (ixfr-max-size) */
	unsigned max_depth; /* changesets per zone (ixfr-max-depth) */
	ixfr_log_fn log;    /* log lines (syslog priorities) */
	void *log_ctx;
} ixfr_conf_t;

/*
 * Before NEXT is published in place of OLD (NULL: the first snapshot of the process): every
 * zone of NEXT gets its history. A zone whose served serial moved forward gets OLD's history
 * plus the difference (ixfr_diff()), bounded, and its journal is to be appended or rewritten
 * (by ixfr_pub_commit(), after the swap); one whose serial is the same keeps OLD's; the first
 * snapshot reads the journals, kept only when they end at the serial served. Nothing here
 * fails a publish: what goes wrong is logged.
 */
void ixfr_pub_prepare(const zt_t *old, zt_t *next, const ixfr_conf_t *conf);

/*
 * Once NEXT (prepared by ixfr_pub_prepare()) is served, by the one publisher, before it prepares
 * the next: the journals of the zones whose history changed written and fsync'd. A crash before
 * this leaves a journal that ends before the serial served (or a damaged last record): read at
 * start, it is dropped (ixfr_pub_prepare() with OLD NULL), never served: secondaries older than
 * the serial served then transfer the whole zone.
 */
void ixfr_pub_commit(zt_t *next, const ixfr_conf_t *conf);

/* The journal's file name for ORIGIN in DIR into BUF: "DIR/ORIGIN.journal" (escaped). */
bool ixfr_journal_path(const char *dir, const char *origin, char *buf, size_t len);

/* ---- ixfr_iter.c: the RRs of an IXFR response, one at a time ---- */

/*
 * A resumable cursor over the RRs of the IXFR body for a client at serial FROM (RFC 1995 4):
 * the SOA served, then per version the old SOA, deletions, the new SOA, additions, then the
 * SOA served again. Plain data: a streamed transfer keeps it between messages, together with
 * a reference to the history (ixfr_hist_ref()) when it leaves its RCU read-side section.
 */
typedef struct ixfr_iter {
	const ixfr_hist_t *hist;
	size_t cs;     /* the changeset being walked */
	size_t off;    /* the next RR's offset in it */
	uint8_t stage; /* 0: the first SOA, 1: the changesets, 2: the last SOA, 3: done */
} ixfr_iter_t;

/* Starts IT at serial FROM; false when H holds no changeset from FROM (then AXFR-style). */
bool ixfr_iter_start(ixfr_iter_t *it, const ixfr_hist_t *h, uint32_t from);

/* The next RR (*RR, *LEN octets, inside the history); false once all were given. */
bool ixfr_iter_next(ixfr_iter_t *it, const uint8_t **rr, size_t *len);

/* ---- ixfr_query.c: the serial an IXFR query asks from ---- */

struct zt_query;

/*
 * The serial of the IXFR query QUERY's SOA (RFC 1995 3; Q its question, parsed): the first
 * authority record, an SOA owned by the question's name (what Knot requires), read inside its
 * RDATA. False when there is none such: FORMERR.
 */
bool ixfr_query_serial(const uint8_t *query, size_t qlen, const struct zt_query *q,
		       uint32_t *serial);

/* ---- ixfr_out.c: an IXFR query against the history (xfr.c streams the answer) ---- */

/*
 * What the IXFR query QUERY asks for: Q gets the query parsed (question, EDNS: query.h), IT the
 * RRs to send from the history of the zone it names (the history is ZT's: take a reference with
 * ixfr_hist_ref(IT->hist) to walk it after leaving the RCU read-side section). Returns 0,
 * IXFR_OUT_AXFR when the history cannot answer it (then AXFR-style), or a sandns error
 * (SANDNS_EMALF, SANDNS_ENOZONE). A streamed transfer starts here, then calls ixfr_iter_next().
 */
int ixfr_out_prepare(const zt_t *zt, const uint8_t *query, size_t qlen, struct zt_query *q,
		     ixfr_iter_t *it);

/* ixfr_out_prepare(): the history cannot answer it, send the zone AXFR-style. */
#define IXFR_OUT_AXFR 1

#endif
