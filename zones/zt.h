/* SPDX-License-Identifier: BSD-3-Clause */
/* zt.h: the compiled, immutable snapshot of every served zone, and the answer engine */
#ifndef ZT_H
#define ZT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zload.h"

typedef struct zt zt_t;

/* Largest UDP payload we send when EDNS allows more than 512 (Knot's default, DNS flag day 2020).
 */
#define ZT_UDP_MAX_DEFAULT 1232

/*
 * Changes a zone is compiled with (the autodiscover policy's), as zload_edit() would make them
 * but without copying the zone: what a million-record zone cannot afford twice.
 */
typedef struct zt_zone_edits {
	const zload_zone_t *zone;  /* the zone (one of those given to zt_new) */
	const zload_edit_t *edits; /* applied in this order */
	size_t nedits;
	unsigned long serial; /* the SOA serial served */
} zt_zone_edits_t;

typedef struct zt_opts {
	uint16_t udp_max_payload;     /* 0: ZT_UDP_MAX_DEFAULT; never below 512 */
	const char *identity;	      /* CHAOS id.server./hostname.bind. TXT; NULL: refused */
	const char *version;	      /* CHAOS version.server./version.bind. TXT; NULL: refused */
	const zt_zone_edits_t *edits; /* per edited zone, or NULL */
	size_t nedits;
	const char *const *absent; /* origins of zones served but with no data: SERVFAIL under */
	size_t nabsent;		   /* them (an expired secondary zone, as Knot answers) */
	const uint8_t *nsid;	   /* NSID (RFC 5001) to answer with, NSID_LEN octets; NULL: none */
	size_t nsid_len;	   /* at most ZT_NSID_MAX */
	const uint8_t *cookie_secret; /* DNS cookies (RFC 7873, 9018) with this 16-octet secret;
				       * NULL: cookie options ignored */
} zt_opts_t;

/* The longest NSID served: the OPT record's room must stay small (edns.h). */
#define ZT_NSID_MAX 128

/*
 * Compiles the zones into a snapshot with every answer rendered ahead of time. The zones are
 * only read: the caller still owns and frees them. A name can be served by one zone only
 * (the deepest). On failure returns NULL with the reason in err.
 */
zt_t *zt_new(zload_zone_t *const *zones, size_t nzones, const zt_opts_t *opts, char *err,
	     size_t errlen);

/*
 * A snapshot is freed when its last reference is dropped. zt_new() gives the caller one; a
 * published snapshot's is the publisher's, dropped after the grace period that follows its
 * replacement (zpub_publish()). A reader that must keep a snapshot across quiescent states (a
 * zone transfer going on over many event-loop turns) takes one with zt_ref() while it is still
 * inside the read-side section that found it, and drops it with zt_free(). The answer path
 * takes none: QSBR alone keeps its snapshot alive, with no atomic operation per query.
 */
zt_t *zt_ref(const zt_t *zt);

/* Drops a reference to *zt (NULL is fine) and leaves NULL behind; the last one frees it. */
void zt_free(zt_t **zt);

/*
 * A large unsigned zone's transfer order (canonical order of every RRset) is not sorted by
 * zt_new(): nothing but a transfer needs it, and the first answer need not wait the tenth of a
 * second a million names take. This sorts it on a thread of its own; a transfer that comes
 * first waits for it, or sorts it itself when no thread was started. Call it where a thread
 * may start: after fork(), with the signals the process handles blocked (the publisher does).
 * Any number of calls; most snapshots have nothing to sort.
 */
void zt_order_start(const zt_t *zt);

/*
 * Whether ZT was made with OPTS's settings (UDP size, identity, version, NSID, cookies): what a
 * snapshot patched from it keeps (zt_patch.h). zt_absent_same(): and the same zones answered
 * SERVFAIL, in the same order (zt_patch_zones() makes them otherwise).
 */
bool zt_opts_match(const zt_t *zt, const zt_opts_t *opts);
bool zt_absent_same(const zt_t *zt, const zt_opts_t *opts);

/* Bytes the snapshot holds (all its allocations). */
size_t zt_memsize(const zt_t *zt);

/*
 * Number of zone slots and their origins (presentation form, owned by the snapshot). A slot
 * whose zone a patch took out (zt_patch_zones()) has no origin (NULL) and serial 0: zone
 * numbers (zt_answer_info_t.zone) stay those of the zones kept. zt_zones_served() counts the
 * zones, slots with an origin.
 */
size_t zt_zone_count(const zt_t *zt);
size_t zt_zones_served(const zt_t *zt);
const char *zt_zone_origin(const zt_t *zt, size_t i);
unsigned long zt_zone_serial(const zt_t *zt, size_t i);

enum zt_transport { ZT_UDP = 0, ZT_TCP = 1 };

typedef struct zt_answer_ctx {
	uint8_t transport;  /* enum zt_transport */
	bool xfr_allowed;   /* the client may transfer zones (checked by the caller's ACL) */
	bool xfr_ask;	    /* the ACL is not checked yet: an IXFR returns 0 with info->xfr_ask */
	uint8_t client_len; /* octets at client: 4 (IPv4) or 16 (IPv6); 0: unknown */
	const uint8_t *client; /* the client's address, for DNS cookies (none when unknown) */
} zt_answer_ctx_t;

typedef struct zt_answer_info {
	uint8_t rcode;	 /* rcode written (low 4 bits; BADVERS shows as 16) */
	bool truncated;	 /* TC was set */
	bool xfr;	 /* a zone transfer the caller must run (xfr.h; zt_xfr_render()) */
	bool dropped;	 /* nothing to send (too short to have a header, or a response) */
	bool tsig;	 /* nothing written: signed (RFC 8945), verify and strip it, then again */
	bool xfr_ask;	 /* nothing written: an IXFR over UDP that needs the transfer ACL */
	bool notify;	 /* a NOTIFY with its question read, answered NOTAUTH: the caller may
			  * accept it instead (flags rewritten: NOERROR, AA) */
	bool notify_soa; /* ... and its answer section gave the SOA's NOTIFY_SERIAL */
	/*
	 * What the answer is, the same for every name that gets it (a node's RRset, any name
	 * under one wildcard, any NXDOMAIN of one zone, any name below one cut), per snapshot;
	 * 0 for errors. Response rate limiting keys on it.
	 */
	uint64_t answer;
	uint16_t qtype; /* the question's type; 0: none read (counted by type, dgram.h) */
	uint32_t zone;	/* 1 + the index of the zone that answered (zt_zone_origin()); 0: none */
	uint32_t notify_serial;
} zt_answer_info_t;

/*
 * The answer engine: reads the DNS query QUERY (qlen bytes) and writes the response into RESP
 * (cap bytes: at least 512; 65535 for TCP). RESP may be QUERY itself (answer in place).
 * Returns the response length; 0 means send nothing (see info->dropped and info->xfr).
 * Never allocates, locks or blocks: the UDP workers, the TCP path and the tests share it.
 */
size_t zt_answer(const zt_t *zt, const uint8_t *query, size_t qlen, uint8_t *resp, size_t cap,
		 const zt_answer_ctx_t *ctx, zt_answer_info_t *info);

/* zt_answer() in place: the response written over the query in BUF (the UDP paths). */
size_t zt_answer_inplace(const zt_t *zt, uint8_t *buf, size_t qlen, size_t cap,
			 const zt_answer_ctx_t *ctx, zt_answer_info_t *info);

/* Receives each message of a zone transfer (without the TCP length prefix). */
typedef int (*zt_xfr_sink)(void *ctx, const uint8_t *msg, size_t len);

/*
 * Runs the transfer asked for by QUERY whole (AXFR, or IXFR from the zone's history when it
 * reaches the client's serial, else AXFR-style): calls SINK once per message (each at most 65535
 * bytes), SOA first and last. Returns 0 or a sandns error (a sink's non-zero return stops it).
 * An RRset that no message holds ends the transfer with a SERVFAIL message, as Knot's: 0.
 * ZT must stay valid during the call (it takes a reference meanwhile). A server streams a
 * transfer instead, one message at a time (xfr.h's cursor, on which this is built).
 */
int zt_xfr_render(const zt_t *zt, const uint8_t *query, size_t qlen, zt_xfr_sink sink, void *ctx);

/* ---- explain: why a name and type get the answer they get (sandnsctl explain) ---- */

enum zt_match {
	ZT_MATCH_NO_ZONE,    /* no served zone holds the name: REFUSED */
	ZT_MATCH_EXACT,	     /* a node with records */
	ZT_MATCH_EMPTY,	     /* a node without records (empty non-terminal or an explicit one) */
	ZT_MATCH_WILDCARD,   /* no node: the wildcard at the closest encloser answers */
	ZT_MATCH_NXDOMAIN,   /* no node and no wildcard */
	ZT_MATCH_DELEGATION, /* at or below a zone cut: a referral */
	ZT_MATCH_DNAME,	     /* below a DNAME: a synthesized CNAME */
};

#define ZT_EXPLAIN_SOURCES 32

/* One RRset of the answer and the node whose data it is. */
typedef struct zt_explain_src {
	char owner[256]; /* the node's name (a wildcard shows as "*.example.net.") */
	uint16_t type;
	uint8_t section; /* 1 answer, 2 authority, 3 additional */
} zt_explain_src_t;

typedef struct zt_explanation {
	enum zt_match match;
	char name[256]; /* the name asked about, lower case with the final dot */
	char zone[256]; /* the zone's origin, "" for NO_ZONE */
	unsigned long serial;
	char node[256]; /* the name matched: the name, the wildcard, the cut or the DNAME */
	uint8_t rcode;
	bool aa;
	size_t nsrc;
	zt_explain_src_t src[ZT_EXPLAIN_SOURCES];
	char text[8192]; /* the response's records, one per line, "SECTION: RR" */
} zt_explanation_t;

/*
 * Resolves NAME (presentation form) and TYPE (a mnemonic such as "A" or "TYPE65") as a query
 * without EDNS over TCP would be, and says how: OUT gets the match, the rcode, the records
 * and the node each RRset comes from. Returns SANDNS_EOK, or SANDNS_EPARSE with the reason in
 * err for a name or type that does not parse.
 */
int zt_explain(const zt_t *zt, const char *name, const char *type, zt_explanation_t *out, char *err,
	       size_t errlen);

#endif
