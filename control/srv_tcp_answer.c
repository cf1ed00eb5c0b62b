/* SPDX-License-Identifier: BSD-3-Clause */
/* srv_tcp_answer.c: one TCP query answered into its connection's output, or its transfer begun */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "log.h"
#include "sandns_err.h"
#include "srv_tcp_pvt.h"

int srv_tcp_reserve(struct tcp_conn *c, size_t need)
{
	size_t cap;
	uint8_t *grown;

	if (c->out_off == c->out_len)
		c->out_off = c->out_len = 0;
	if (c->out_cap - c->out_len >= need)
		return SANDNS_EOK;
	if (c->out_off != 0) {
		memmove(c->out, c->out + c->out_off, c->out_len - c->out_off);
		c->out_len -= c->out_off;
		c->out_off = 0;
		if (c->out_cap - c->out_len >= need)
			return SANDNS_EOK;
	}
	cap = c->out_cap != 0 ? c->out_cap * 2 : 2 * (2 + TCP_MSG_MAX);
	while (cap < c->out_len + need)
		cap *= 2;
	grown = realloc(c->out, cap);
	if (grown == NULL)
		return -ENOMEM;
	c->out = grown;
	c->out_cap = cap;
	return SANDNS_EOK;
}

/*
 * transfers-out are under way: the transfer asked for by Q is refused (REFUSED, as BIND does),
 * counted, and logged at most once every TCP_XFR_LOG_MS. Returns the response's length.
 */
static size_t tcp_xfr_refuse(struct tcp_loop *l, const uint8_t *q, size_t qlen, uint8_t *resp,
			     zt_answer_info_t *info)
{
	srv_stat_add(l->t, SRV_XFR_REFUSED, 1);
	info->xfr = false;
	info->rcode = RC_REFUSED;
	if (l->xfr_log_ms == 0 || l->now_ms - l->xfr_log_ms >= TCP_XFR_LOG_MS) {
		log_msg(LOG_WARNING,
			"zone transfer refused: transfers-out %u are under way "
			"(%llu more refused since the last message)",
			l->xfr_max, (unsigned long long)l->xfr_unlogged);
		l->xfr_log_ms = l->now_ms;
		l->xfr_unlogged = 0;
	} else {
		l->xfr_unlogged++;
	}
	return zt_xfr_refused(l->zt, q, qlen, resp, TCP_MSG_MAX);
}

/*
 * The signed query Q (*QLEN octets, inside c->in: its TSIG is stripped in place) verified into
 * SIG, then answered into RESP (TCP_MSG_MAX of room) and signed. TSIG errors: BADKEY and BADSIG
 * unsigned, BADTIME signed, rcode NOTAUTH (RFC 8945 5.2, as Knot). Returns the answer's length;
 * 0 with info->xfr: a transfer to start, each of its messages signed with SIG.
 */
static size_t tcp_answer_signed(struct tcp_loop *l, struct tcp_conn *c, uint8_t *q, size_t *qlen,
				uint8_t *resp, zt_answer_info_t *info, tsig_ctx_t *sig)
{
	zt_answer_ctx_t ctx = {.transport = ZT_TCP};
	size_t off, n, alen;
	int r;

	ctx.client = srv_client_ip(&c->peer, &alen);
	ctx.client_len = (uint8_t)alen;

	const cfg_t *live = srv_live(l->t->srv);

	tsig_ctx_init(sig, 0);
	r = tsig_find(q, *qlen, &off) == 1
		? tsig_server_verify(sig, live->keys, live->nkeys, q, qlen, off)
		: -1;
	if (r < 0) {
		info->rcode = RC_FORMERR;
		return tsig_formerr_answer(q, resp);
	}
	if (r != TSIG_OK) {
		info->rcode = RC_NOTAUTH;
		return tsig_error_answer(sig, q, *qlen, resp, TCP_MSG_MAX);
	}
	ctx.xfr_allowed = cfg_xfr_allowed(live, (struct sockaddr *)&c->peer, sig->key);
	n = zt_answer(l->zt, q, *qlen, resp, TCP_MSG_MAX - tsig_reserve(sig), &ctx, info);
	/* A signed NOTIFY: taken or not here, before the answer is signed. */
	if (info->notify && n != 0 &&
	    srv_notify_answer(l->t->srv, resp, n, &c->peer, sig->key, info))
		info->rcode = 0;
	info->notify = false;
	if (n == 0 && info->xfr && l->nxfr >= l->xfr_max)
		n = tcp_xfr_refuse(l, q, *qlen, resp, info);
	if (n == 0)
		return 0;
	tsig_xfr_refused(sig, resp, ctx.xfr_allowed);
	if (tsig_sign_first(sig, resp, n, TCP_MSG_MAX, &n) != 0)
		return 0;
	return n;
}

/* The query log: MSG (LEN octets) from c's peer (RESPONSE false) or to it (true). */
static void tcp_tap(struct srv_thread *t, const struct tcp_conn *c, bool response,
		    const uint8_t *msg, size_t len)
{
	uint16_t port;
	size_t alen;
	const uint8_t *client = srv_client(&c->peer, &alen, &port);

	dnstap_log(t->tap, response, DNSTAP_TCP, client, alen, port, msg, len);
}

int srv_tcp_answer(struct tcp_loop *l, struct tcp_conn *c, uint8_t *q, size_t qlen)
{
	zt_answer_ctx_t ctx = {.transport = ZT_TCP, .xfr_allowed = c->xfr_allowed};
	struct srv_thread *t = l->t;
	zt_answer_info_t info = {0};
	tsig_ctx_t sig;
	bool signed_q;
	size_t len;
	int rc;

	ctx.client = srv_client_ip(&c->peer, &len);
	ctx.client_len = (uint8_t)len;

	srv_stat_add(t, SRV_TCP_QUERIES, 1);
	if (l->zt == NULL)
		return -ENOENT;
	if (t->tap != NULL)
		tcp_tap(t, c, false, q, qlen);
	rc = srv_tcp_reserve(c, 2 + TCP_MSG_MAX);
	if (rc != SANDNS_EOK)
		return rc;
	len = zt_answer(l->zt, q, qlen, c->out + c->out_len + 2, TCP_MSG_MAX, &ctx, &info);
	/* zt_answer() leaves info.tsig set and writes nothing: verified, answered, signed here. */
	signed_q = info.tsig;
	if (signed_q)
		len = tcp_answer_signed(l, c, q, &qlen, c->out + c->out_len + 2, &info, &sig);
	else if (len == 0 && info.xfr && l->nxfr >= l->xfr_max)
		len = tcp_xfr_refuse(l, q, qlen, c->out + c->out_len + 2, &info);
	if (len != 0) {
		if (info.notify &&
		    srv_notify_answer(t->srv, c->out + c->out_len + 2, len, &c->peer, NULL, &info))
			info.rcode = 0;
		c->out[c->out_len] = (uint8_t)(len >> 8);
		c->out[c->out_len + 1] = (uint8_t)len;
		if (t->tap != NULL)
			tcp_tap(t, c, true, c->out + c->out_len + 2, len);
		c->out_len += 2 + len;
		srv_stat_add(t, SRV_TCP_ANSWERED, 1);
		dgram_count(t->detail, &info);
		if (info.truncated)
			srv_stat_add(t, SRV_TRUNCATED, 1);
		return SANDNS_EOK;
	}
	if (!info.xfr) {
		/* Not a query: on a stream the framing is no longer trusted (Knot closes too). */
		srv_stat_add(t, SRV_TCP_DROPPED, 1);
		return SANDNS_EMALF;
	}

	/*
	 * A transfer: it takes a reference on this batch's snapshot here, inside the read-side
	 * section, and goes on over later turns with that one version throughout (tcp_xfr_turn()).
	 */
	srv_stat_add(t, SRV_XFR, 1);
	c->xfr_info = info;
	c->xfr_info.rcode = 0;
	c->xfr = malloc(sizeof(*c->xfr));
	if (signed_q) {
		/* Signed: every message of it, each MAC chained to the one before (RFC 8945 5.3.1).
		 */
		/* With a copy of its key: the transfer outlives a configuration reload. */
		c->tsig = malloc(sizeof(*c->tsig) + sizeof(tsig_key_t));
		if (c->tsig != NULL) {
			tsig_key_t *key = (tsig_key_t *)(c->tsig + 1);

			memcpy(c->tsig, &sig, sizeof(sig));
			if (sig.key != NULL) {
				memcpy(key, sig.key, sizeof(*key));
				c->tsig->key = key;
			}
		}
	}
	rc = c->xfr != NULL && (!signed_q || c->tsig != NULL)
		 ? zt_xfr_begin_query(c->xfr, l->zt, q, qlen)
		 : -ENOMEM;
	if (rc != SANDNS_EOK) {
		free(c->xfr);
		c->xfr = NULL;
		free(c->tsig);
		c->tsig = NULL;
		srv_stat_add(t, SRV_XFR_FAILED, 1);
		log_msg(LOG_WARNING, "zone transfer stopped: %s", sandns_strerror(rc));
		return rc;
	}
	l->nxfr++;
	return SANDNS_EOK;
}
