/* SPDX-License-Identifier: BSD-3-Clause */
/* dgram.h: one UDP query answered, rate-limited and counted, alike for sockets and DPDK */
#ifndef DGRAM_H
#define DGRAM_H

#include <stddef.h>
#include <stdint.h>

#include "burst.h"
#include "dnstap.h"
#include "rrl.h"
#include "tsig.h"
#include "zt.h"

/*
 * The counters of a thread that answers UDP queries, kernel sockets (control/srv_udp.c) and DPDK
 * (dataplane/dp_pkt.c) alike, under the same names. Of the received, each is answered, dropped
 * or rrl-dropped; the answered are counted once more by their rcode. Each serving module keeps
 * them inside its own per-thread counter array (from an offset of its enum, see
 * DGRAM_STAT_NAMES): one thread writes them (relaxed stores), others read them (relaxed loads).
 */
enum dgram_stat {
	DGRAM_RECEIVED,	   /* queries handed to dgram_answer() (summed when read) */
	DGRAM_ANSWERED,	   /* responses to send (of which rrl-slipped, truncated) */
	DGRAM_DROPPED,	   /* no response: a response, too short, AXFR; no snapshot yet */
	DGRAM_TRUNCATED,   /* responses the engine sent with TC set (too big) */
	DGRAM_RRL_DROPPED, /* no response: over the rate limit */
	DGRAM_RRL_SLIPPED, /* responses the rate limit cut to a truncated one instead */
	DGRAM_RCODE_FIRST, /* responses by rcode: 0..15, BADVERS (16), anything else */
	DGRAM_RCODE_OTHER = DGRAM_RCODE_FIRST + 17,
	DGRAM_QTYPE_FIRST, /* responses by the question's type: the common ones (DGRAM_QTYPES) */
	DGRAM_QTYPE_OTHER = DGRAM_QTYPE_FIRST, /* ... any other type, or no question, first */
	DGRAM_STAT_COUNT = DGRAM_QTYPE_FIRST + 24
};

/* The types counted by name (dgram_qtype_slot[] maps a type below 512 to its offset, 0 other). */
#define DGRAM_QTYPES 24
#define DGRAM_QTYPE_MAP 512
extern const uint8_t dgram_qtype_slot[DGRAM_QTYPE_MAP];

/*
 * The detail each answering thread keeps beside its named counters (dgram_ctx_t.detail,
 * DGRAM_DETAIL of them, written and read as they are): first its responses by rcode (0..16,
 * then any other: DGRAM_RCODES rows) and question type (DGRAM_QTYPES columns), one increment a
 * response where two counters would take two, whose sums dgram_stats_read() adds to the named
 * rcode and type counters; then its responses per zone: slot 1 + the snapshot's zone index
 * (zt_answer_info_t.zone), slot 0 for none (REFUSED, FORMERR, CHAOS), the last slot for the
 * zones past DGRAM_ZONES - 2 (a snapshot with more zones counts the rest together).
 */
#define DGRAM_RCODES 18
#define DGRAM_MATRIX (DGRAM_RCODES * DGRAM_QTYPES)
#define DGRAM_ZONES 256
#define DGRAM_DETAIL (DGRAM_MATRIX + DGRAM_ZONES)

/* The offset of an rcode's row in the detail (zt_answer_info_t.rcode: 0..16 theirs, else 17). */
extern const uint16_t dgram_rcode_row[256];

/*
 * The counters' names, written once for every table that has them: designated initializers
 * for an enum that holds enum dgram_stat from BASE on, as in
 * `const char *const names[N] = {..., DGRAM_STAT_NAMES(MY_DGRAM)};`.
 */
// clang-format off
#define DGRAM_STAT_NAMES(base)                           \
	[(base) + DGRAM_RECEIVED] = "udp-received",      \
	[(base) + DGRAM_ANSWERED] = "udp-answered",      \
	[(base) + DGRAM_DROPPED] = "udp-dropped",        \
	[(base) + DGRAM_TRUNCATED] = "truncated",        \
	[(base) + DGRAM_RRL_DROPPED] = "rrl-dropped",    \
	[(base) + DGRAM_RRL_SLIPPED] = "rrl-slipped",    \
	[(base) + DGRAM_RCODE_FIRST + 0] = "noerror",    \
	[(base) + DGRAM_RCODE_FIRST + 1] = "formerr",    \
	[(base) + DGRAM_RCODE_FIRST + 2] = "servfail",   \
	[(base) + DGRAM_RCODE_FIRST + 3] = "nxdomain",   \
	[(base) + DGRAM_RCODE_FIRST + 4] = "notimp",     \
	[(base) + DGRAM_RCODE_FIRST + 5] = "refused",    \
	[(base) + DGRAM_RCODE_FIRST + 6] = "yxdomain",   \
	[(base) + DGRAM_RCODE_FIRST + 7] = "yxrrset",    \
	[(base) + DGRAM_RCODE_FIRST + 8] = "nxrrset",    \
	[(base) + DGRAM_RCODE_FIRST + 9] = "notauth",    \
	[(base) + DGRAM_RCODE_FIRST + 10] = "notzone",   \
	[(base) + DGRAM_RCODE_FIRST + 11] = "dsotypeni", \
	[(base) + DGRAM_RCODE_FIRST + 12] = "rcode12",   \
	[(base) + DGRAM_RCODE_FIRST + 13] = "rcode13",   \
	[(base) + DGRAM_RCODE_FIRST + 14] = "rcode14",   \
	[(base) + DGRAM_RCODE_FIRST + 15] = "rcode15",   \
	[(base) + DGRAM_RCODE_FIRST + 16] = "badvers",   \
	[(base) + DGRAM_RCODE_OTHER] = "rcode-other",   \
	[(base) + DGRAM_QTYPE_OTHER] = "qtype-other",   \
	[(base) + DGRAM_QTYPE_FIRST + 1] = "qtype-a",    \
	[(base) + DGRAM_QTYPE_FIRST + 2] = "qtype-ns",   \
	[(base) + DGRAM_QTYPE_FIRST + 3] = "qtype-cname", \
	[(base) + DGRAM_QTYPE_FIRST + 4] = "qtype-soa",  \
	[(base) + DGRAM_QTYPE_FIRST + 5] = "qtype-ptr",  \
	[(base) + DGRAM_QTYPE_FIRST + 6] = "qtype-mx",   \
	[(base) + DGRAM_QTYPE_FIRST + 7] = "qtype-txt",  \
	[(base) + DGRAM_QTYPE_FIRST + 8] = "qtype-aaaa", \
	[(base) + DGRAM_QTYPE_FIRST + 9] = "qtype-srv",  \
	[(base) + DGRAM_QTYPE_FIRST + 10] = "qtype-naptr", \
	[(base) + DGRAM_QTYPE_FIRST + 11] = "qtype-ds",  \
	[(base) + DGRAM_QTYPE_FIRST + 12] = "qtype-rrsig", \
	[(base) + DGRAM_QTYPE_FIRST + 13] = "qtype-nsec", \
	[(base) + DGRAM_QTYPE_FIRST + 14] = "qtype-dnskey", \
	[(base) + DGRAM_QTYPE_FIRST + 15] = "qtype-nsec3", \
	[(base) + DGRAM_QTYPE_FIRST + 16] = "qtype-nsec3param", \
	[(base) + DGRAM_QTYPE_FIRST + 17] = "qtype-tlsa", \
	[(base) + DGRAM_QTYPE_FIRST + 18] = "qtype-svcb", \
	[(base) + DGRAM_QTYPE_FIRST + 19] = "qtype-https", \
	[(base) + DGRAM_QTYPE_FIRST + 20] = "qtype-ixfr", \
	[(base) + DGRAM_QTYPE_FIRST + 21] = "qtype-axfr", \
	[(base) + DGRAM_QTYPE_FIRST + 22] = "qtype-any", \
	[(base) + DGRAM_QTYPE_FIRST + 23] = "qtype-caa"
// clang-format on

/* The same names indexed by enum dgram_stat alone. */
extern const char *const dgram_stat_names[DGRAM_STAT_COUNT];

/*
 * What the kernel-socket path brings for the queries the engine leaves to its caller: signed ones
 * (TSIG) and IXFR, which needs the transfer ACL. The DPDK workers have none: they pass such
 * queries to the kernel (the exception path), where srv_udp.c answers them.
 */
typedef struct dgram_auth {
	const tsig_key_t *keys;
	size_t nkeys;
	/* Whether CLIENT (ALEN octets) may transfer zones, its request signed with KEY (or NULL).
	 */
	bool (*xfr_allowed)(const void *arg, const uint8_t *client, size_t alen,
			    const tsig_key_t *key);
	const void *arg;
	/*
	 * A signed NOTIFY the engine answered NOTAUTH (RESP, LEN octets, not signed yet) from
	 * CLIENT with KEY: whether it is taken (then RESP is made NOERROR with AA), before it is
	 * signed. SERIAL: the SOA serial the NOTIFY gave, or NULL. NULL: none is taken. Must not
	 * block.
	 */
	bool (*notify)(void *arg, uint8_t *resp, size_t len, const uint8_t *client, size_t alen,
		       const tsig_key_t *key, const uint32_t *serial);
	void *notify_arg;
} dgram_auth_t;

/* What one answering thread brings to dgram_answer(). */
typedef struct dgram_ctx {
	rrl_t *rrl;	  /* its response rate limiter (rrl_tick() once per batch), or NULL */
	uint64_t *stats;  /* its counters, DGRAM_STAT_COUNT of them (enum dgram_stat) */
	uint64_t *detail; /* its responses by rcode and type, and by zone (DGRAM_DETAIL) */
	const dgram_auth_t *auth; /* keys and transfer ACL; NULL: see dgram_answer() */
	dnstap_q_t *tap;	  /* its query log queue, or NULL: no query log */
} dgram_ctx_t;

/*
 * N more in the counter *C, which only the owning thread writes while other threads load it
 * (relaxed). On x86-64 one add to memory: an aligned 8-octet store is single-copy atomic there,
 * as __atomic_store_n()'s is, and the load and store it makes are one instruction instead of
 * three (two counters a response on the answer path). Elsewhere a relaxed store.
 */
static inline void dgram_add(uint64_t *c, uint64_t n)
{
#if defined(__x86_64__)
	__asm__("addq %1, %0" : "+m"(*c) : "er"(n) : "cc");
#else
	__atomic_store_n(c, *c + n, __ATOMIC_RELAXED);
#endif
}

/* Counts N more of S in ST; only the owning thread calls it, other threads load the value. */
static inline void dgram_stat_add(uint64_t *st, enum dgram_stat s, uint64_t n)
{
	dgram_add(&st[s], n);
}

/* One more response with RCODE (zt_answer_info_t's: 16 is BADVERS), besides dgram_count(). */
static inline void dgram_stat_rcode(uint64_t *st, unsigned rcode)
{
	dgram_stat_add(
	    st, rcode <= 16 ? (enum dgram_stat)(DGRAM_RCODE_FIRST + rcode) : DGRAM_RCODE_OTHER, 1);
}

/*
 * One response counted in DETAIL (a thread's, DGRAM_DETAIL) by what INFO says: by its rcode and
 * question type, and by its zone. Two increments: the whole cost on the answer path.
 */
static inline void dgram_count(uint64_t *detail, const zt_answer_info_t *info)
{
	const size_t qt = info->qtype, z = info->zone;

	dgram_add(&detail[(size_t)dgram_rcode_row[info->rcode] +
			  (qt < DGRAM_QTYPE_MAP ? dgram_qtype_slot[qt] : 0)],
		  1);
	dgram_add(&detail[DGRAM_MATRIX + (z < DGRAM_ZONES - 1 ? z : DGRAM_ZONES - 1)], 1);
}

/*
 * The queries the engine left to the caller (info->tsig, info->xfr_ask) answered with dg->auth:
 * a signed query verified (BADKEY, BADSIG: NOTAUTH unsigned; BADTIME: NOTAUTH signed), answered
 * and signed; an IXFR after the transfer ACL. Not rate-limited (small, and a signed query is
 * authenticated). Returns the length, 0 for no answer. Off the common path: not inline.
 */
size_t dgram_answer_auth(const dgram_ctx_t *dg, const zt_t *zt, uint8_t *buf, size_t qlen,
			 size_t cap, const uint8_t *client, size_t alen, zt_answer_info_t *info);

/*
 * dgram_answer() with the query log on (dg->tap): the query and its response logged around
 * dgram_answer_plain(). Off the common path: not inline.
 */
size_t dgram_answer_tapped(const dgram_ctx_t *dg, const zt_t *zt, uint8_t *buf, size_t qlen,
			   size_t cap, const uint8_t *client, size_t alen, uint16_t port,
			   zt_answer_info_t *info, uint8_t *rrl_action);

/*
 * Answers the UDP query in BUF (QLEN bytes) in place from the snapshot ZT (NULL: none yet, so no
 * response) in at most CAP bytes, puts the response through the rate limit of DG for the client
 * CLIENT (ALEN bytes: 4 for IPv4, 16 for IPv6, network order) and counts into dg->stats. Returns
 * the length of the response to send, 0 for none. *INFO gets what the engine said; *RRL_ACTION
 * (an enum rrl_action, which the caller set to RRL_SEND) what the rate limit did: RRL_SLIP cut
 * the response short in place, RRL_DROP took it. Inline: on the DPDK workers' per-packet path.
 * No allocation, lock or system call. The received are not counted here: dgram_stats_read()
 * adds them up from the answered, dropped and rrl-dropped, one of which each query ends as.
 * A signed query or an IXFR (info->tsig, info->xfr_ask) is answered by dgram_answer_auth(); when
 * dg->auth is NULL (DPDK) it returns 0 without counting, nothing written: the caller passes the
 * query on to whoever has the keys. BURST (or NULL) and BI: BUF may be query BI of a burst that
 * zt_burst_prepare() read already (zt_burst_answer(): the same answer, without reading it again).
 */
static inline size_t dgram_answer_burst(const dgram_ctx_t *dg, const zt_t *zt,
					const zt_burst_t *burst, unsigned bi, uint8_t *buf,
					size_t qlen, size_t cap, const uint8_t *client, size_t alen,
					zt_answer_info_t *info, uint8_t *rrl_action)
{
	/* The client's address goes with the query: DNS cookies hash it. */
	const zt_answer_ctx_t udp = {.transport = ZT_UDP,
				     .xfr_allowed = false,
				     .xfr_ask = true,
				     .client_len = (uint8_t)alen,
				     .client = client};
	uint64_t *st = dg->stats;
	size_t n = 0;

	if (__builtin_expect(zt != NULL, 1))
		n = burst != NULL ? zt_burst_answer(burst, bi, zt, buf, qlen, cap, &udp, info)
				  : zt_answer_inplace(zt, buf, qlen, cap, &udp, info);
	if (n == 0 || n > cap) {
		if (__builtin_expect(n == 0 && (info->tsig | info->xfr_ask), 0)) {
			if (dg->auth == NULL)
				return 0;
			n = dgram_answer_auth(dg, zt, buf, qlen, cap, client, alen, info);
			if (n != 0) {
				dgram_stat_add(st, DGRAM_ANSWERED, 1);
				dgram_count(dg->detail, info);
				return n;
			}
		}
		dgram_stat_add(st, DGRAM_DROPPED, 1);
		return 0;
	}
	if (dg->rrl != NULL) {
		size_t len = n; /* n itself stays in a register where there is no rate limit */
		enum rrl_action act = rrl_apply(dg->rrl, client, alen, info, buf, &len);

		n = len;
		*rrl_action = (uint8_t)act;
		if (act == RRL_DROP) {
			dgram_stat_add(st, DGRAM_RRL_DROPPED, 1);
			return 0;
		}
		if (act == RRL_SLIP)
			dgram_stat_add(st, DGRAM_RRL_SLIPPED, 1);
	}
	dgram_stat_add(st, DGRAM_ANSWERED, 1);
	dgram_count(dg->detail, info);
	if (info->truncated)
		dgram_stat_add(st, DGRAM_TRUNCATED, 1);
	return n;
}

/* dgram_answer_burst() for a query answered alone (no burst read ahead). */
static inline size_t dgram_answer_plain(const dgram_ctx_t *dg, const zt_t *zt, uint8_t *buf,
					size_t qlen, size_t cap, const uint8_t *client, size_t alen,
					zt_answer_info_t *info, uint8_t *rrl_action)
{
	return dgram_answer_burst(dg, zt, NULL, 0, buf, qlen, cap, client, alen, info, rrl_action);
}

/*
 * A copy of the counters ST and DETAIL that one thread keeps (relaxed loads), for any other
 * thread, with the received added up (DGRAM_RECEIVED: answered + dropped + rrl-dropped) and the
 * rcode and type counters with DETAIL's responses by rcode and type added.
 */
void dgram_stats_read(const uint64_t *st, const uint64_t *detail, uint64_t out[DGRAM_STAT_COUNT]);

/* Adds the per-zone counters of DETAIL (one thread's, relaxed loads) into OUT. */
void dgram_zones_add(const uint64_t *detail, uint64_t out[DGRAM_ZONES]);

/*
 * dgram_answer_plain(), and the query and its response logged when the thread has a query log
 * (dg->tap); PORT is the client's, for the log only.
 */
static inline size_t dgram_answer_from(const dgram_ctx_t *dg, const zt_t *zt, uint8_t *buf,
				       size_t qlen, size_t cap, const uint8_t *client, size_t alen,
				       uint16_t port, zt_answer_info_t *info, uint8_t *rrl_action)
{
	if (__builtin_expect(dg->tap != NULL, 0))
		return dgram_answer_tapped(dg, zt, buf, qlen, cap, client, alen, port, info,
					   rrl_action);
	return dgram_answer_plain(dg, zt, buf, qlen, cap, client, alen, info, rrl_action);
}

/* dgram_answer_from() for query BI of a burst read ahead (BURST, or NULL: dgram_answer_burst()). */
static inline size_t dgram_answer_from_burst(const dgram_ctx_t *dg, const zt_t *zt,
					     const zt_burst_t *burst, unsigned bi, uint8_t *buf,
					     size_t qlen, size_t cap, const uint8_t *client,
					     size_t alen, uint16_t port, zt_answer_info_t *info,
					     uint8_t *rrl_action)
{
	if (__builtin_expect(dg->tap != NULL, 0))
		return dgram_answer_tapped(dg, zt, buf, qlen, cap, client, alen, port, info,
					   rrl_action);
	return dgram_answer_burst(dg, zt, burst, bi, buf, qlen, cap, client, alen, info,
				  rrl_action);
}

/* dgram_answer_from() for a caller that does not know the client's port. */
static inline size_t dgram_answer(const dgram_ctx_t *dg, const zt_t *zt, uint8_t *buf, size_t qlen,
				  size_t cap, const uint8_t *client, size_t alen,
				  zt_answer_info_t *info, uint8_t *rrl_action)
{
	return dgram_answer_from(dg, zt, buf, qlen, cap, client, alen, 0, info, rrl_action);
}

#endif
