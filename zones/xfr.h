/* SPDX-License-Identifier: BSD-3-Clause */
/* xfr.h: a zone transfer as a cursor: one message at a time, resumed where the last one ended */
#ifndef XFR_H
#define XFR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "query.h"
#include "zt.h"

/* A transfer message is at most this long (the TCP length prefix's limit). */
#define ZT_XFR_MSG_MAX 65535
/*
 * Octets every message leaves free at its end for a TSIG record (RFC 8945: every message of a
 * transfer signed, each MAC chained to the previous): a hmac-sha512 TSIG with a 255-octet key
 * name and an error's other data fits, with room to spare.
 */
#define ZT_XFR_TSIG_ROOM 512

/*
 * A transfer's body as raw wire records handed out one at a time, beside the snapshot's own
 * RRsets (an IXFR from history: SOA new, [SOA old, deletions, SOA next, additions]..., SOA new).
 * Each record is uncompressed wire form: owner, type, class, TTL, RDLENGTH, RDATA.
 */
typedef struct zt_xfr_rrs {
	/*
	 * The next record: *RR and *LEN, valid until the call after this one (a record that did
	 * not fit one message opens the next). 1: a record; 0: no more; < 0: a sandns error.
	 */
	int (*next)(void *ctx, const uint8_t **rr, size_t *len);
	/* Called once by zt_xfr_end() (may be NULL): frees CTX. */
	void (*done)(void *ctx);
	void *ctx;
} zt_xfr_rrs_t;

/* The body a transfer sends. */
enum zt_xfr_body {
	ZT_XFR_BODY_ZONE, /* the snapshot's zone: SOA, every RRset in transfer order, SOA */
	ZT_XFR_BODY_RRS,  /* records from a zt_xfr_rrs_t, as they come */
};

/*
 * One transfer in progress. It holds a reference on its snapshot (zt_free() drops it at the
 * end), so it may go on across any number of RCU quiescent states. Fields are the cursor's own.
 */
typedef struct zt_xfr {
	zt_t *zt;
	enum zt_xfr_body body;
	uint32_t zone; /* index in zt->zones */
	uint32_t pos;  /* ZONE: next item: 0 the SOA, 1..naxfr axfr[pos-1], naxfr+1 the SOA */
	zt_xfr_rrs_t rrs;
	const uint8_t *held; /* RRS: a record that did not fit the last message, or NULL */
	size_t held_len;
	struct zt_query q; /* its EDNS facts (q.qname is not kept: see qname) */
	uint8_t qname[WIRE_NAME_MAX];
	uint8_t id[2];
	uint16_t rd;   /* the query's RD bit, echoed */
	unsigned msgs; /* messages rendered so far */
	bool done;
} zt_xfr_t;

/*
 * Starts the AXFR (or IXFR answered AXFR-style) QUERY asks of snapshot ZT: reads the question,
 * finds the zone and takes a reference on ZT. Call it where ZT is known valid (inside the RCU
 * read-side section that found it, or on a snapshot the caller holds). Returns 0, SANDNS_EMALF
 * or SANDNS_ENOZONE (then X holds nothing).
 */
int zt_xfr_begin(zt_xfr_t *x, const zt_t *zt, const uint8_t *query, size_t qlen);

/*
 * The same with the records of RRS as its body (the question is still QUERY's, its zone must
 * be one of ZT's). X takes RRS over: zt_xfr_end() calls rrs->done, on failure too.
 */
int zt_xfr_begin_rrs(zt_xfr_t *x, const zt_t *zt, const uint8_t *query, size_t qlen,
		     const zt_xfr_rrs_t *rrs);

/*
 * The transfer QUERY asks for, whatever it is: an IXFR the zone's history reaches (RFC 1995:
 * the differences, from ixfr_out_prepare()), else the whole zone AXFR-style (zt_xfr_begin()).
 * Same calling rules and results, plus -ENOMEM.
 */
int zt_xfr_begin_query(zt_xfr_t *x, const zt_t *zt, const uint8_t *query, size_t qlen);

/*
 * Whether zt_xfr_next() can run without waiting: 0 yes; -EAGAIN: the zone's transfer order is
 * still being sorted (zt_order_start()), ask again later; another error: it cannot be had.
 */
int zt_xfr_ready(const zt_xfr_t *x);

/*
 * Renders the next message into BUF (CAP >= ZT_XFR_MSG_MAX octets): the first with the question,
 * later ones without (RFC 5936 2.2.1); our OPT when the query had one; at least
 * ZT_XFR_TSIG_ROOM octets of BUF left free after it. Sets *LEN; returns 0 or a sandns error
 * (the transfer cannot go on). Waits for the transfer order if zt_xfr_ready() said -EAGAIN.
 */
int zt_xfr_next(zt_xfr_t *x, uint8_t *buf, size_t cap, size_t *len);

/* True once the last message has been rendered. */
static inline bool zt_xfr_done(const zt_xfr_t *x)
{
	return x->done;
}

/* Ends the transfer (done or not): drops the snapshot's reference, ends the records' source. */
void zt_xfr_end(zt_xfr_t *x);

/*
 * The response refusing QUERY (a transfer beyond the server's limit): the question, REFUSED, our
 * OPT when the query had one, into RESP (cap octets). Returns its length; 0 when QUERY has no
 * question to echo.
 */
size_t zt_xfr_refused(const zt_t *zt, const uint8_t *query, size_t qlen, uint8_t *resp, size_t cap);

#endif
