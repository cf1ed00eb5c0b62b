/* SPDX-License-Identifier: BSD-3-Clause */
/* xfrin_pvt.h: what the transfer thread's files (xfrin*.c) give each other */
#ifndef XFRIN_PVT_H
#define XFRIN_PVT_H

#include <ldns/ldns.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cfg.h"
#include "xfrin.h"
#include "zload.h"

/* Bounds against a primary nobody trusts. */
#define XFRIN_CONNECT_MS 3000	/* a TCP connection is up within this */
#define XFRIN_IO_MS 10000	/* each read (a message's length, its rest) or write */
#define XFRIN_UDP_MS 1500	/* the SOA query over UDP: each of two tries */
#define XFRIN_TOTAL_MS 600000	/* one whole transfer */
#define XFRIN_MAX_RRS 20000000u /* records in one transfer */
#define XFRIN_MAX_MSGS 5000000u /* messages in one transfer */
#define XFRIN_WRITE_TRIES 4u /* writes of a copy before the writer gives up (0.5, 1, 2 s apart) */

/* What the transfer of one zone from one primary brings (xfrin_net.c reads, xfrin_apply.c builds).
 */
enum xfrin_rc {
	XFRIN_OK = 0,
	XFRIN_UPTODATE = 1,  /* the primary has nothing newer */
	XFRIN_FAIL = -1,     /* the primary or the network failed: try the next, then retry */
	XFRIN_FALLBACK = -2, /* the IXFR is refused, inconsistent or AXFR-style cut: ask AXFR */
};

/*
 * The requests sent to a primary and the messages it sends back go through these two, and
 * only these: where TSIG signs a request (xfrin_req_finish: REQ into its wire form) and verifies
 * each message of the response, as received (xfrin_msg_check: WIRE, and MSG parsed from it;
 * FIRST for the first message of a transfer) with the primary's key (p->tkey), and check the
 * message's header and question. One exchange at a time (the transfer thread's).
 */
#define XFRIN_TSIG_ROOM 512 /* octets a request grows by when signed */
int xfrin_req_finish(const cfg_primary_t *p, ldns_pkt *req, uint8_t **wire, size_t *len, char *err,
		     size_t errlen);
int xfrin_msg_check(const cfg_primary_t *p, const ldns_pkt *req, const uint8_t *wire, size_t len,
		    const ldns_pkt *msg, bool first, char *err, size_t errlen);

/* Whether the response verified so far ended on a signed message (or needed none). */
bool xfrin_exchange_signed_whole(void);

/* xfrin_net.c: FD (readable for good once the thread must stop) ends every wait at once. */
void xfrin_net_stop_fd(int fd);
/* xfrin_net.c: whether that FD says stop (a wait it ended is no failure, a try not made again). */
bool xfrin_net_stopping(void);

/*
 * xfrin_net.c: with io dpdk, the source of every socket to a primary: the first listen address
 * of its family (the TAP holds it and routes what leaves from it; the host has no other route to
 * the data port's network). With kernel sockets the kernel picks the source.
 */
void xfrin_net_sources(const cfg_t *cfg);

/*
 * xfrin_net.c: the SOA serial of ZONE at primary P: UDP, TCP when truncated. XFRIN_OK with
 * *SERIAL and a copy of the SOA in *SOA (NULL: not wanted), or XFRIN_FAIL with the reason.
 */
int xfrin_soa_query(const cfg_primary_t *p, const ldns_rdf *zone, uint32_t *serial, ldns_rr **soa,
		    char *err, size_t errlen);

/*
 * xfrin_net.c: the SOA an IXFR request for ZONE carries (RFC 1995 3): SERIAL, the one we hold,
 * is all the primary reads of it. Made from ZONE's wire form: a text of it read by ldns would
 * be another name when it starts with "@" ("@x.test.": ldns takes it for the origin). NULL
 * without memory.
 */
ldns_rr *xfrin_ixfr_soa(const ldns_rdf *zone, uint32_t serial);

/* Called with each record of a transfer, taken over; XFRIN_OK to go on, 1 when it is whole. */
typedef int (*xfrin_rr_fn)(void *ctx, ldns_rr *rr, char *err, size_t errlen);

/*
 * xfrin_net.c: AXFR, or IXFR from our SOA OURS (non-NULL), of ZONE from P over TCP: every
 * answer record to FN, in order, until FN says the transfer is whole. MAX_BYTES bounds the
 * octets received. XFRIN_OK, XFRIN_FALLBACK (IXFR refused: NOTIMP, REFUSED, FORMERR...) or
 * XFRIN_FAIL, with the reason; *BYTES and *MSGS say how much came.
 */
int xfrin_tcp_transfer(const cfg_primary_t *p, const ldns_rdf *zone, const ldns_rr *ours,
		       uint64_t max_bytes, xfrin_rr_fn fn, void *ctx, uint64_t *bytes,
		       uint64_t *msgs, char *err, size_t errlen);

/*
 * xfrin_net.c: one message of a transfer's response, as received (WIRE, LEN octets; NMSG its
 * number from 1) to the request REQ: checked (xfrin_msg_check), then its answer records to FN in
 * order. XFRIN_OK to read the next message; 1 when FN said the transfer is whole (and its last
 * message was signed where TSIG is on); XFRIN_FAIL or XFRIN_FALLBACK (an IXFR refused) with the
 * reason. IXFR says which was asked, for the messages and the fallback.
 */
int xfrin_take_msg(const cfg_primary_t *p, const ldns_pkt *req, const uint8_t *wire, size_t len,
		   uint64_t nmsg, bool ixfr, xfrin_rr_fn fn, void *ctx, char *err, size_t errlen);

/* The state of one transfer's record stream (xfrin_apply.c): the zone's next version built. */
typedef struct xfrin_apply {
	const ldns_rdf *origin;
	uint32_t ours;		  /* the serial we hold (IXFR) */
	const zload_zone_t *base; /* our copy at serial OURS, which an IXFR applies to (or NULL) */
	bool asked_ixfr;
	char source[96]; /* "IXFR from ADDR": where the records came from, in messages */
	int state;	 /* internal */
	uint32_t cur;	 /* IXFR: the serial the diffs have reached */
	size_t count;	 /* records seen */
	ldns_rr *soa;	 /* the new SOA (the first record of the response) */
	zload_xfr_t *b;	 /* the next version being built */
	ldns_buffer *buf;
	bool ixfr;     /* an incremental response, applied to BASE */
	size_t ndiffs; /* its sequences of deletions and additions */
	size_t nrecs;  /* records of the version made (xfrin_apply_finish) */
	bool uptodate; /* the response was our SOA alone */
} xfrin_apply_t;

void xfrin_apply_init(xfrin_apply_t *a, const ldns_rdf *origin, uint32_t ours, bool ixfr,
		      const zload_zone_t *base, const char *source);
/*
 * Whether A, an IXFR asked, got a newer SOA and nothing after it: how a primary that cannot
 * answer incrementally may say so (RFC 1995 4 has it over UDP; some say it over TCP too).
 */
bool xfrin_apply_soa_alone(const xfrin_apply_t *a);
/* An xfrin_rr_fn: CTX is an xfrin_apply_t. */
int xfrin_apply_rr(void *ctx, ldns_rr *rr, char *err, size_t errlen);
/*
 * Once the transfer is whole (xfrin_apply_rr returned 1, not up to date): the next version,
 * checked against the zone rules as a file load is (zload_xfr_finish; WARN gets its warnings),
 * at the new SOA's serial. NULL with the reason in ERR: the transfer is refused.
 */
zload_zone_t *xfrin_apply_finish(xfrin_apply_t *a, zload_warn_fn warn, void *warn_ctx, char *err,
				 size_t errlen);
void xfrin_apply_clear(xfrin_apply_t *a);
/* xfrin_apply.c: the SOA's serial, refresh, retry, expire (RDATA fields 3 to 6). */
uint32_t xfrin_soa_field(const ldns_rr *soa, size_t i);

/*
 * xfrin_file.c: writes Z to PATH atomically (a temporary file in its directory, fsync, rename,
 * the directory fsync'd). SANDNS_EOK or an error with the reason.
 */
int xfrin_file_write(const char *path, const zload_zone_t *z, char *err, size_t errlen);
/*
 * Its two halves: Z written to a temporary file beside PATH, fsync'd, its name into TMP (TMPLEN
 * octets); then TMP renamed to PATH (removed when that fails), the directory left to the caller
 * (rfile_sync_dir). SANDNS_EOK or an error with the reason.
 */
int xfrin_file_prepare(const char *path, const zload_zone_t *z, char *tmp, size_t tmplen, char *err,
		       size_t errlen);
int xfrin_file_put(const char *tmp, const char *path, char *err, size_t errlen);
/* The modification time of PATH set to now: the zone was refreshed (its expire starts again). */
void xfrin_file_touch(const char *path);

/*
 * The transfer thread's state (xfrin.c makes and runs it; xfrin_write.c's writer reads the
 * copies handed over from it, under LOCK).
 */
struct xfrin {
	const cfg_t *cfg;
	struct xz *z;
	size_t nz;
	struct xtab *tab; /* the same, for the serving threads: read under urcu-qsbr */
	struct xtab *ix;  /* the same, with Z (swapped under LOCK): lookups by other threads */
	bool armed;	  /* xfrin_start() was called: a reconfiguration starts the thread */
	int wake_fd;	  /* eventfd: a request for the thread */
	size_t want_min;  /* atomic: the lowest zone flagged (want) since the thread looked */
	int stop_fd;	  /* eventfd: written once, at the end */
	int event_fd;	  /* eventfd: zones to reload, for the control thread (no WAKER) */
	pthread_mutex_t lock;
	pthread_mutex_t waker_mu; /* WAKER and WAKER_ARG: set, and called, under it */
	xfrin_waker_fn waker;
	void *waker_arg;
	pthread_t tid;
	bool started;
	/*
	 * The writer: a thread of its own writes the copies handed over once served, so that
	 * neither a transfer nor the control thread waits for the disk.
	 */
	pthread_t wr_tid;
	pthread_cond_t wr_cv;
	bool wr_started;
	bool wr_stop;	      /* under LOCK */
	size_t wr_min;	      /* under LOCK: no copy below this zone is to write (next_write) */
	unsigned wr_delay_ms; /* tests: SANDNS_TEST_XFRIN_WRITE_DELAY_MS before each write */
	/* xfrin_prepare(): the memory of the reconfiguration to PREP.CFG, taken ahead. */
	struct {
		const cfg_t *cfg;
		struct xz *z;
		size_t *from;
		struct xtab *tab;
	} prep;
};

/* The writer thread (xfrin_start() starts it with the xfrin_t): writes each copy handed over
 * once its reload served it (UNSAVED), until wr_stop and no such copy is left to write. */
void *xfrin_writer_main(void *arg);

/* xfrin.c, for xfrin_reconf.c: Z made the Ith zone of CFG, due for a refresh at once (SANDNS_EOK,
 * or an error with the reason); a wake-up written to the eventfd FD; whether FROM is at address
 * A, the port aside (an IPv4-mapped IPv6 address as IPv4). */
int xfrin_zone_init(struct xz *z, const cfg_t *cfg, size_t i, char *err, size_t errlen);
void xfrin_wake(int fd);
bool xfrin_same_address(const struct sockaddr_storage *a, const struct sockaddr *from);

#endif
