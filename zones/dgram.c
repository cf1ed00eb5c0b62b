/* SPDX-License-Identifier: BSD-3-Clause */
/* dgram.c: the UDP counters, and signed queries and IXFR answered off the inline path */
#include <stdlib.h>
#include <string.h>

#include "dgram.h"
#include "edns.h"
#include "query.h"
#include "wire.h"
#include "zt_pvt.h"

const char *const dgram_stat_names[DGRAM_STAT_COUNT] = {DGRAM_STAT_NAMES(0)};

/* The counted types, in the order of their names (slot 0: any other). */
// clang-format off
const uint8_t dgram_qtype_slot[DGRAM_QTYPE_MAP] = {
	[1] = 1, [2] = 2, [5] = 3, [6] = 4, [12] = 5, [15] = 6, [16] = 7, [28] = 8, [33] = 9,
	[35] = 10, [43] = 11, [46] = 12, [47] = 13, [48] = 14, [50] = 15, [51] = 16, [52] = 17,
	[64] = 18, [65] = 19, [251] = 20, [252] = 21, [255] = 22, [257] = 23};
// clang-format on

/* Rows 0..16 for the rcodes 0..16 (BADVERS last), row 17 for any other (gnu11 ranges). */
#define ROW(r) [r] = (r)*DGRAM_QTYPES
const uint16_t dgram_rcode_row[256] = {
    ROW(0),  ROW(1),  ROW(2),  ROW(3),	ROW(4),	 ROW(5),
    ROW(6),  ROW(7),  ROW(8),  ROW(9),	ROW(10), ROW(11),
    ROW(12), ROW(13), ROW(14), ROW(15), ROW(16), [17 ... 255] = (DGRAM_RCODES - 1) * DGRAM_QTYPES};
#undef ROW

void dgram_zones_add(const uint64_t *detail, uint64_t out[DGRAM_ZONES])
{
	for (size_t z = 0; z < DGRAM_ZONES; z++)
		out[z] += __atomic_load_n(&detail[DGRAM_MATRIX + z], __ATOMIC_RELAXED);
}

void dgram_stats_read(const uint64_t *st, const uint64_t *detail, uint64_t out[DGRAM_STAT_COUNT])
{
	size_t s;

	for (s = 0; s < DGRAM_STAT_COUNT; s++)
		out[s] = __atomic_load_n(&st[s], __ATOMIC_RELAXED);
	out[DGRAM_RECEIVED] = out[DGRAM_ANSWERED] + out[DGRAM_DROPPED] + out[DGRAM_RRL_DROPPED];
	for (size_t r = 0; r < DGRAM_RCODES; r++) {
		for (size_t q = 0; q < DGRAM_QTYPES; q++) {
			const uint64_t n =
			    __atomic_load_n(&detail[r * DGRAM_QTYPES + q], __ATOMIC_RELAXED);

			out[DGRAM_RCODE_FIRST + r] += n;
			out[DGRAM_QTYPE_FIRST + q] += n;
		}
	}
}

/* The UDP limit the engine applies to QUERY (QLEN): its EDNS payload within ours, else 512. */
static size_t dgram_limit(const zt_t *zt, const uint8_t *query, size_t qlen)
{
	struct zt_query q;
	wire_ctx_t c;

	memset(&q, 0, sizeof(q));
	wire_ctx_init(&c, query, qlen);
	wire_ctx_skip(&c, WIRE_HDR_LEN);
	if (wire_get16(query + 4) != 1 || !query_parse_qname(&c, &q) || wire_ctx_left(&c) < 4)
		return 512;
	wire_ctx_skip(&c, 4);
	edns_parse_records(&c, &q, wire_get16(query + 6), wire_get16(query + 8),
			   wire_get16(query + 10));
	if (!q.edns)
		return 512;
	q.payload = q.payload < 512 ? 512 : q.payload;
	return q.payload < zt->udp_max ? q.payload : zt->udp_max;
}

/*
 * The answer N octets long does not fit LIMIT once signed: header and question alone with TC,
 * so that the client asks again over TCP. Returns the new length.
 */
static size_t dgram_truncate(uint8_t *buf, size_t n)
{
	size_t end = WIRE_HDR_LEN;

	if (wire_get16(buf + 4) == 1)
		end += wire_name_len(buf + WIRE_HDR_LEN) + 4; /* the engine's own, uncompressed */
	if (end > n)
		end = WIRE_HDR_LEN;
	wire_put16(buf + 2, (uint16_t)(wire_get16(buf + 2) | F_TC));
	wire_put16(buf + 4, end > WIRE_HDR_LEN ? 1 : 0);
	memset(buf + 6, 0, 6);
	return end;
}

size_t dgram_answer_tapped(const dgram_ctx_t *dg, const zt_t *zt, uint8_t *buf, size_t qlen,
			   size_t cap, const uint8_t *client, size_t alen, uint16_t port,
			   zt_answer_info_t *info, uint8_t *rrl_action)
{
	size_t n;
	dnstap_rec_t *qr =
	    dnstap_capture(dg->tap, false, DNSTAP_UDP, client, alen, port, buf, qlen);

	n = dgram_answer_plain(dg, zt, buf, qlen, cap, client, alen, info, rrl_action);
	if (n == 0 && (info->tsig | info->xfr_ask) && dg->auth == NULL) {
		/* Passed on untouched (DPDK): logged where it is answered. */
		dnstap_cancel(dg->tap, qr);
		return 0;
	}
	dnstap_commit(dg->tap, qr);
	if (n != 0)
		dnstap_log(dg->tap, true, DNSTAP_UDP, client, alen, port, buf, n);
	return n;
}

size_t dgram_answer_auth(const dgram_ctx_t *dg, const zt_t *zt, uint8_t *buf, size_t qlen,
			 size_t cap, const uint8_t *client, size_t alen, zt_answer_info_t *info)
{
	const dgram_auth_t *a = dg->auth;
	zt_answer_ctx_t ctx = {.transport = ZT_UDP,
			       .client = client,
			       .client_len = client != NULL ? (uint8_t)alen : 0};
	const tsig_key_t *key = NULL;
	bool sign = info->tsig;
	size_t off, n, limit = 0;
	tsig_ctx_t t;

	if (zt == NULL)
		return 0;
	if (sign) {
		int r;

		tsig_ctx_init(&t, 0);
		r = tsig_find(buf, qlen, &off);
		if (r == 1)
			r = tsig_server_verify(&t, a->keys, a->nkeys, buf, &qlen, off);
		else
			r = -1;
		if (r < 0) {
			info->rcode = RC_FORMERR;
			return tsig_formerr_answer(buf, buf);
		}
		if (r != TSIG_OK) {
			info->rcode = RC_NOTAUTH;
			return tsig_error_answer(&t, buf, qlen, buf, cap);
		}
		key = t.key;
		limit = dgram_limit(zt, buf, qlen);
	}
	ctx.xfr_allowed = a->xfr_allowed != NULL && a->xfr_allowed(a->arg, client, alen, key);
	n = zt_answer(zt, buf, qlen, buf, cap, &ctx, info);
	if (n == 0 || n > cap)
		return 0;
	if (sign) {
		/* A signed NOTIFY: taken or not here, before the answer is signed; no caller
		 * rewrites it afterwards. */
		if (info->notify && a->notify != NULL &&
		    a->notify(a->notify_arg, buf, n, client, alen, key,
			      info->notify_soa ? &info->notify_serial : NULL))
			info->rcode = 0;
		info->notify = false;
		tsig_xfr_refused(&t, buf, ctx.xfr_allowed);
		if (n + tsig_reserve(&t) > limit) {
			n = dgram_truncate(buf, n);
			info->truncated = true;
		}
	}
	if (sign && tsig_sign_first(&t, buf, n, cap, &n) != 0)
		return 0;
	return n;
}
