/* SPDX-License-Identifier: BSD-3-Clause */
/* test_xfr.c: CUnit suite for the transfer cursor (xfr.h): resumed, referenced, other bodies */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <CUnit/CUnit.h>

#include "cutest.h"
#include "sandns_err.h"
#include "tutil.h"
#include "wire.h"
#include "xfr.h"
#include "zload.h"
#include "zt.h"
#include "zt_order.h"
#include "zt_pvt.h"

/* A zone of N records (A and TXT of 100 octets, every third an MX), names far from canonical
 * order: several messages, and a transfer order to sort. */
static zload_zone_t *make_zone(unsigned n)
{
	size_t cap = 256 + (size_t)n * 160, o = 0;
	char *text = malloc(cap), err[256];
	zload_zone_t *z;

	if (text == NULL)
		return NULL;
	o += (size_t)snprintf(text + o, cap - o,
			      "$ORIGIN x.test.\n@ 60 IN SOA ns h 7 2 3 4 5\n"
			      "@ 60 IN NS ns\nns 60 IN A 192.0.2.1\n");
	for (unsigned i = 0; i < n; i++) {
		unsigned k = (i * 7919u) % n;

		if (i % 3 == 0)
			o += (size_t)snprintf(text + o, cap - o, "m%u 60 IN MX 10 ns\n", k);
		else if (i % 3 == 1)
			o += (size_t)snprintf(text + o, cap - o, "h%u.s%u 60 IN A 10.0.%u.%u\n", k,
					      i % 5, i / 256, i % 256);
		else
			o +=
			    (size_t)snprintf(text + o, cap - o, "t%u 60 IN TXT \"%0100u\"\n", k, i);
	}
	z = zload_string("x.test", text, "x.zone", NULL, NULL, err, sizeof(err));
	free(text);
	return z;
}

/* Every message of a transfer, one after the other (length-prefixed), and what they held. */
struct msgs {
	uint8_t *buf;
	size_t len, cap;
	unsigned n;
	bool bad; /* a message too long for a TSIG record, or a question where none belongs */
};

static void msgs_add(struct msgs *m, const uint8_t *msg, size_t len)
{
	if (m->len + 2 + len > m->cap) {
		m->cap = (m->len + 2 + len) * 2;
		m->buf = realloc(m->buf, m->cap);
	}
	if (len + ZT_XFR_TSIG_ROOM > ZT_XFR_MSG_MAX || len < WIRE_HDR_LEN ||
	    wire_get16(msg + 4) != (m->n == 0 ? 1 : 0))
		m->bad = true;
	m->buf[m->len] = (uint8_t)(len >> 8);
	m->buf[m->len + 1] = (uint8_t)len;
	memcpy(m->buf + m->len + 2, msg, len);
	m->len += 2 + len;
	m->n++;
}

static int msgs_sink(void *ctx, const uint8_t *msg, size_t len)
{
	msgs_add(ctx, msg, len);
	return 0;
}

/* Runs X to its end into M, one message per call. */
static int cursor_run(zt_xfr_t *x, struct msgs *m)
{
	static uint8_t buf[ZT_XFR_MSG_MAX];
	size_t len;
	int ret = SANDNS_EOK;

	while (ret == SANDNS_EOK && !zt_xfr_done(x)) {
		ret = zt_xfr_next(x, buf, sizeof(buf), &len);
		if (ret == SANDNS_EOK && len != 0)
			msgs_add(m, buf, len);
	}
	return ret;
}

/* Two transfers of one snapshot, a message of each in turn: each is the whole transfer. */
static void test_cursor_interleaved(void)
{
	zload_zone_t *z = make_zone(3000);
	struct msgs whole = {0}, a = {0}, b = {0};
	static uint8_t buf[ZT_XFR_MSG_MAX];
	uint8_t q[512];
	size_t qlen, len;
	zt_xfr_t xa, xb;
	char err[256];
	zt_t *zt;

	CU_ASSERT_PTR_NOT_NULL_FATAL(z);
	zt = zt_new(&z, 1, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(zt);
	qlen = tu_query(q, 0x5151, 0, "x.test", T_AXFR, C_IN);
	CU_ASSERT_EQUAL(zt_xfr_render(zt, q, qlen, msgs_sink, &whole), SANDNS_EOK);
	CU_ASSERT_TRUE(whole.n > 3);
	CU_ASSERT_FALSE(whole.bad);
	CU_ASSERT_EQUAL_FATAL(zt_xfr_begin(&xa, zt, q, qlen), SANDNS_EOK);
	CU_ASSERT_EQUAL_FATAL(zt_xfr_begin(&xb, zt, q, qlen), SANDNS_EOK);
	CU_ASSERT_EQUAL(zt->refs, 3);
	while (!zt_xfr_done(&xa) || !zt_xfr_done(&xb)) {
		if (!zt_xfr_done(&xa)) {
			CU_ASSERT_EQUAL_FATAL(zt_xfr_next(&xa, buf, sizeof(buf), &len), SANDNS_EOK);
			msgs_add(&a, buf, len);
		}
		if (!zt_xfr_done(&xb)) {
			CU_ASSERT_EQUAL_FATAL(zt_xfr_next(&xb, buf, sizeof(buf), &len), SANDNS_EOK);
			msgs_add(&b, buf, len);
		}
	}
	/* Past the end: an error, nothing rendered. */
	CU_ASSERT_NOT_EQUAL(zt_xfr_next(&xa, buf, sizeof(buf), &len), SANDNS_EOK);
	CU_ASSERT_EQUAL(len, 0);
	zt_xfr_end(&xa);
	zt_xfr_end(&xb);
	CU_ASSERT_EQUAL(zt->refs, 1);
	CU_ASSERT_EQUAL(a.n, whole.n);
	CU_ASSERT_TRUE(a.len == whole.len && memcmp(a.buf, whole.buf, a.len) == 0);
	CU_ASSERT_TRUE(b.len == whole.len && memcmp(b.buf, whole.buf, b.len) == 0);
	/* Too small a buffer, a name that is no apex, a query cut short. */
	CU_ASSERT_EQUAL_FATAL(zt_xfr_begin(&xa, zt, q, qlen), SANDNS_EOK);
	CU_ASSERT_EQUAL(zt_xfr_next(&xa, buf, 512, &len), SANDNS_ETOOBIG);
	zt_xfr_end(&xa);
	qlen = tu_query(q, 1, 0, "ns.x.test", T_AXFR, C_IN);
	CU_ASSERT_EQUAL(zt_xfr_begin(&xa, zt, q, qlen), SANDNS_ENOZONE);
	CU_ASSERT_EQUAL(zt_xfr_begin(&xa, zt, q, 14), SANDNS_EMALF);
	CU_ASSERT_EQUAL(zt->refs, 1);
	zt_free(&zt);
	zload_free(&z);
	free(whole.buf);
	free(a.buf);
	free(b.buf);
}

/*
 * The publisher lets go of a snapshot (zpub_publish() after the grace period) while a transfer
 * reads it: the transfer goes on with it, whole, and the last reference frees it (ASan says so
 * either way).
 */
static void test_cursor_outlives_publisher(void)
{
	zload_zone_t *z = make_zone(2000);
	struct msgs before = {0}, after = {0};
	uint8_t q[512];
	size_t qlen;
	zt_xfr_t x;
	char err[256];
	zt_t *zt;

	CU_ASSERT_PTR_NOT_NULL_FATAL(z);
	zt = zt_new(&z, 1, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(zt);
	qlen = tu_query(q, 0x7070, 0, "x.test", T_AXFR, C_IN);
	CU_ASSERT_EQUAL(zt_xfr_render(zt, q, qlen, msgs_sink, &before), SANDNS_EOK);
	CU_ASSERT_EQUAL_FATAL(zt_xfr_begin(&x, zt, q, qlen), SANDNS_EOK);
	zt_free(&zt);
	CU_ASSERT_PTR_NULL(zt);
	CU_ASSERT_EQUAL(x.zt->refs, 1);
	CU_ASSERT_EQUAL(cursor_run(&x, &after), SANDNS_EOK);
	zt_xfr_end(&x);
	CU_ASSERT_PTR_NULL(x.zt);
	CU_ASSERT_TRUE(after.len == before.len && memcmp(after.buf, before.buf, after.len) == 0);
	zload_free(&z);
	free(before.buf);
	free(after.buf);
}

/* Raw wire records, handed out by a test iterator. */
struct rr_list {
	uint8_t **rr;
	size_t *len;
	size_t n, next;
	unsigned done_calls;
};

static int rr_list_next(void *ctx, const uint8_t **rr, size_t *len)
{
	struct rr_list *l = ctx;

	if (l->next == l->n)
		return 0;
	*rr = l->rr[l->next];
	*len = l->len[l->next];
	l->next++;
	return 1;
}

static void rr_list_done(void *ctx)
{
	((struct rr_list *)ctx)->done_calls++;
}

/* A TXT record at x.test. with RDLEN octets of data (strings of at most 255). */
static uint8_t *txt_rr(size_t rdlen, size_t *len)
{
	static const uint8_t owner[] = "\001x\004test";
	uint8_t *p = calloc(1, sizeof(owner) + 10 + rdlen), *d;
	size_t left = rdlen;

	memcpy(p, owner, sizeof(owner));
	d = p + sizeof(owner);
	wire_put16(d, T_TXT);
	wire_put16(d + 2, C_IN);
	wire_put16(d + 6, 60);
	wire_put16(d + 8, (uint16_t)rdlen);
	d += 10;
	while (left > 0) {
		size_t s = left - 1 > 255 ? 255 : left - 1;

		*d++ = (uint8_t)s;
		memset(d, 'a', s);
		d += s;
		left -= s + 1;
	}
	*len = sizeof(owner) + 10 + rdlen;
	return p;
}

/*
 * A second kind of body (an IXFR from history): raw records as an iterator hands them out,
 * each whole in one message (a record that does not fit opens the next), the question in the
 * first message only, every record once and in order; one too large for any message fails.
 */
static void test_cursor_rrs_body(void)
{
	zload_zone_t *z = make_zone(10);
	const size_t sizes[] = {100, 9000, 20000, 30000, 40000, 16000, 500, 60000, 60000, 10};
	enum { N = sizeof(sizes) / sizeof(sizes[0]) };
	uint8_t *rr[N + 1];
	size_t lens[N + 1], off = 0, total = 0, nrr = 0;
	struct rr_list l = {.rr = rr, .len = lens, .n = N};
	zt_xfr_rrs_t rrs = {.next = rr_list_next, .done = rr_list_done, .ctx = &l};
	struct msgs m = {0};
	uint8_t q[512];
	size_t qlen;
	zt_xfr_t x;
	char err[256];
	zt_t *zt;
	bool order_ok = true;

	CU_ASSERT_PTR_NOT_NULL_FATAL(z);
	zt = zt_new(&z, 1, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(zt);
	for (size_t i = 0; i < N; i++)
		rr[i] = txt_rr(sizes[i], &lens[i]);
	qlen = tu_query(q, 0x3131, 0, "x.test", T_IXFR, C_IN);
	CU_ASSERT_EQUAL_FATAL(zt_xfr_begin_rrs(&x, zt, q, qlen, &rrs), SANDNS_EOK);
	CU_ASSERT_EQUAL(zt_xfr_ready(&x), SANDNS_EOK);
	CU_ASSERT_EQUAL(cursor_run(&x, &m), SANDNS_EOK);
	zt_xfr_end(&x);
	CU_ASSERT_EQUAL(l.done_calls, 1);
	CU_ASSERT_FALSE(m.bad);
	CU_ASSERT_TRUE(m.n >= 5);
	/* Walk the messages: after the header (and the question in the first), the records. */
	for (unsigned k = 0; k < m.n && off < m.len; k++) {
		size_t mlen = (size_t)m.buf[off] << 8 | m.buf[off + 1];
		const uint8_t *msg = m.buf + off + 2;
		size_t p = WIRE_HDR_LEN;
		uint16_t an = wire_get16(msg + 6);

		if (k == 0)
			p += wire_name_len(msg + p) + 4;
		for (uint16_t i = 0; i < an; i++, nrr++) {
			if (nrr >= N || p + lens[nrr] > mlen ||
			    memcmp(msg + p, rr[nrr], lens[nrr]) != 0) {
				order_ok = false;
				break;
			}
			p += lens[nrr];
		}
		order_ok = order_ok && p == mlen;
		total += an;
		off += 2 + mlen;
	}
	CU_ASSERT_TRUE(order_ok);
	CU_ASSERT_EQUAL(total, N);
	/* A record no message can hold (with the TSIG room): the transfer fails. */
	free(rr[0]);
	rr[0] = txt_rr(ZT_XFR_MSG_MAX - ZT_XFR_TSIG_ROOM, &lens[0]);
	l.next = 0;
	l.done_calls = 0;
	m.n = 0;
	m.len = 0;
	CU_ASSERT_EQUAL_FATAL(zt_xfr_begin_rrs(&x, zt, q, qlen, &rrs), SANDNS_EOK);
	CU_ASSERT_EQUAL(cursor_run(&x, &m), SANDNS_ETOOBIG);
	zt_xfr_end(&x);
	CU_ASSERT_EQUAL(l.done_calls, 1);
	/* No such zone: the iterator is ended all the same. */
	qlen = tu_query(q, 1, 0, "elsewhere.test", T_IXFR, C_IN);
	CU_ASSERT_EQUAL(zt_xfr_begin_rrs(&x, zt, q, qlen, &rrs), SANDNS_ENOZONE);
	CU_ASSERT_EQUAL(l.done_calls, 2);
	for (size_t i = 0; i < N; i++)
		free(rr[i]);
	free(m.buf);
	zt_free(&zt);
	zload_free(&z);
}

/* A transfer order sorted on a thread: not ready (never a wait) until it is, then the same. */
static void test_cursor_order_ready(void)
{
	zload_zone_t *z = make_zone(3000);
	const size_t was = zt_order_async_min;
	struct msgs now = {0}, later = {0};
	struct timespec ms = {0, 1000000};
	uint8_t q[512];
	size_t qlen;
	zt_xfr_t x;
	char err[256];
	zt_t *a, *b;
	int ret = -EAGAIN;

	CU_ASSERT_PTR_NOT_NULL_FATAL(z);
	zt_order_async_min = SIZE_MAX;
	a = zt_new(&z, 1, NULL, err, sizeof(err));
	zt_order_async_min = 0;
	b = zt_new(&z, 1, NULL, err, sizeof(err));
	zt_order_async_min = was;
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	qlen = tu_query(q, 0x2222, 0, "x.test", T_AXFR, C_IN);
	CU_ASSERT_EQUAL(zt_xfr_render(a, q, qlen, msgs_sink, &now), SANDNS_EOK);
	CU_ASSERT_EQUAL_FATAL(zt_xfr_begin(&x, b, q, qlen), SANDNS_EOK);
	/* Published but its sort not started yet: not ready, and no sorting here. */
	CU_ASSERT_EQUAL(zt_xfr_ready(&x), -EAGAIN);
	CU_ASSERT_EQUAL(b->zones[0].naxfr, 0);
	zt_order_start(b);
	for (int i = 0; i < 10000 && ret == -EAGAIN; i++) {
		ret = zt_xfr_ready(&x);
		if (ret == -EAGAIN)
			nanosleep(&ms, NULL);
	}
	CU_ASSERT_EQUAL(ret, SANDNS_EOK);
	CU_ASSERT_EQUAL(cursor_run(&x, &later), SANDNS_EOK);
	zt_xfr_end(&x);
	CU_ASSERT_TRUE(later.len == now.len && memcmp(later.buf, now.buf, now.len) == 0);
	zt_free(&a);
	zt_free(&b);
	zload_free(&z);
	free(now.buf);
	free(later.buf);
}

/* Beyond transfers-out: REFUSED, the question as asked, our OPT when the query had one. */
static void test_refused(void)
{
	zload_zone_t *z = make_zone(10);
	uint8_t q[512], r[ZT_XFR_MSG_MAX];
	const uint8_t opt[11] = {0, 0, 41, 4, 0, 0, 0, 0x80, 0, 0, 0};
	size_t qlen, len;
	char err[256];
	zt_t *zt;

	CU_ASSERT_PTR_NOT_NULL_FATAL(z);
	zt = zt_new(&z, 1, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(zt);
	qlen = tu_query(q, 0x1234, F_RD, "X.Test", T_AXFR, C_IN);
	len = zt_xfr_refused(zt, q, qlen, r, sizeof(r));
	CU_ASSERT_EQUAL(len, qlen);
	CU_ASSERT_EQUAL(wire_get16(r), 0x1234);
	CU_ASSERT_EQUAL(wire_get16(r + 2), F_QR | F_RD | RC_REFUSED);
	CU_ASSERT_EQUAL(wire_get16(r + 4), 1);
	CU_ASSERT_EQUAL(memcmp(r + WIRE_HDR_LEN, q + WIRE_HDR_LEN, qlen - WIRE_HDR_LEN), 0);
	memcpy(q + qlen, opt, sizeof(opt));
	wire_put16(q + 10, 1);
	len = zt_xfr_refused(zt, q, qlen + sizeof(opt), r, sizeof(r));
	CU_ASSERT_EQUAL(len, qlen + sizeof(opt));
	CU_ASSERT_EQUAL(wire_get16(r + 10), 1);
	CU_ASSERT_EQUAL(wire_get16(r + qlen + 1), T_OPT);
	CU_ASSERT_EQUAL(zt_xfr_refused(zt, q, 11, r, sizeof(r)), 0);
	zt_free(&zt);
	zload_free(&z);
}

void reg_cutest_xfr(void)
{
	CU_pSuite s = CU_add_suite("xfr", NULL, NULL);

	CU_add_test(s, "two cursors interleaved, each the whole transfer", test_cursor_interleaved);
	CU_add_test(s, "a transfer outlives the publisher's reference",
		    test_cursor_outlives_publisher);
	CU_add_test(s, "raw records as the body, resumed across messages", test_cursor_rrs_body);
	CU_add_test(s, "the transfer order: not ready, never waited for", test_cursor_order_ready);
	CU_add_test(s, "REFUSED beyond transfers-out", test_refused);
}
