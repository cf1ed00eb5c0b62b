/* SPDX-License-Identifier: BSD-3-Clause */
/* fuzz_common.c: the helpers of fuzz_common.h */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "ctl.h"
#include "fuzz_common.h"
#include "sandns_err.h"

#ifndef SANDNS_SOURCE_ROOT
#define SANDNS_SOURCE_ROOT "."
#endif

#define LDNS_TYPE_SOA 6

void fz_fail(const char *file, int line, const char *cond, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "\n%s:%d: invariant broken: %s: ", file, line, cond);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	abort();
}

cfg_t *fz_config(const char *extra)
{
	char text[4096], err[1024];
	cfg_t *cfg = cfg_new();

	snprintf(text, sizeof(text),
		 "zone example.com. zones/sample/example.com.zone\n"
		 "zone example.net. zones/sample/example.net.zone\n"
		 "zone example.org. tests/data/peer/example.org.zone\n"
		 "zone deleg.test. tests/data/peer/deleg.test.zone\n"
		 "zone hosted.deleg.test. tests/data/peer/hosted.deleg.test.zone\n"
		 /* signed (NSEC, NSEC3, NSEC3 opt-out): their denial answers with DO (denial.c) */
		 "zone nsec.test. tests/data/peer/nsec.test.zone\n"
		 "zone nsec3.test. tests/data/peer/nsec3.test.zone\n"
		 "zone optout.test. tests/data/peer/optout.test.zone\n"
		 "cert zones/sample/mail.example.com.pem\n"
		 "identity fuzz.sandns.test\n"
		 "version sandns-fuzz\n"
		 "%s",
		 extra != NULL ? extra : "");
	if (cfg == NULL || cfg_load_string(cfg, text, "fuzz.conf", SANDNS_SOURCE_ROOT, err,
					   sizeof(err)) != SANDNS_EOK) {
		fprintf(stderr, "fuzz: the configuration: %s\n", cfg != NULL ? err : "no memory");
		exit(1);
	}
	return cfg;
}

const zt_t *fz_snapshot(void)
{
	static zt_t *zt;
	char err[2048];
	ctl_build_t b;
	cfg_t *cfg;

	if (zt != NULL)
		return zt;
	/* NSID and cookies on: the options' answers are fuzzed too (a client address given). */
	cfg = fz_config("nsid fuzz.nsid.test\ncookies yes\n"
			"cookie-secret 000102030405060708090a0b0c0d0e0f\n");
	if (ctl_build(cfg, NULL, NULL, &b, err, sizeof(err)) != SANDNS_EOK) {
		fprintf(stderr, "fuzz: the snapshot: %s\n", err);
		exit(1);
	}
	/* The snapshot stands alone: the zones as read and the configuration can go. */
	zt = b.zt;
	b.zt = NULL;
	ctl_build_clear(&b);
	cfg_free(&cfg);
	return zt;
}

size_t fz_query(uint8_t *buf, uint16_t id, const char *name, uint16_t qtype)
{
	size_t len = 12;

	memset(buf, 0, 12);
	buf[0] = (uint8_t)(id >> 8);
	buf[1] = (uint8_t)id;
	buf[5] = 1; /* QDCOUNT */
	while (*name != '\0' && strcmp(name, ".") != 0) {
		const char *dot = strchr(name, '.');
		size_t l = dot != NULL ? (size_t)(dot - name) : strlen(name);

		buf[len++] = (uint8_t)l;
		memcpy(buf + len, name, l);
		len += l;
		name += l + (dot != NULL);
	}
	buf[len++] = 0;
	buf[len++] = (uint8_t)(qtype >> 8);
	buf[len++] = (uint8_t)qtype;
	buf[len++] = 0;
	buf[len++] = 1; /* IN */
	return len;
}

/* A response's header against its query; the whole message parsed; the parse for more checks
 * (NULL: the caller does not want it). */
static void check_message(const uint8_t *query, const uint8_t *msg, size_t len, ldns_pkt **out)
{
	ldns_pkt *pkt = NULL;
	ldns_status st;

	FZ_CHECK(len >= 12, "a response of %zu octets", len);
	FZ_CHECK(msg[0] == query[0] && msg[1] == query[1], "ID %02x%02x for query ID %02x%02x",
		 msg[0], msg[1], query[0], query[1]);
	FZ_CHECK((msg[2] & 0x80) != 0, "QR clear in a response");
	st = ldns_wire2pkt(&pkt, msg, len);
	FZ_CHECK(st == LDNS_STATUS_OK, "the response (%zu octets) does not parse: %s", len,
		 ldns_get_errorstr_by_id(st));
	if (out != NULL)
		*out = pkt;
	else
		ldns_pkt_free(pkt);
}

void fz_check_answer(const uint8_t *query, size_t qlen, const uint8_t *resp, size_t len, size_t cap,
		     const zt_answer_info_t *info)
{
	FZ_CHECK(len <= cap, "%zu octets written, the buffer holds %zu", len, cap);
	if (len == 0) {
		/* Signed (TSIG) or an IXFR over UDP needing the ACL: the caller answers those
		 * (dgram.c, srv_tcp.c; fuzz-tsig covers the signing). */
		FZ_CHECK(info->dropped || info->xfr || info->tsig || info->xfr_ask,
			 "nothing to send, neither dropped nor xfr nor left to the caller");
		return;
	}
	FZ_CHECK(!info->dropped && !info->xfr && !info->tsig && !info->xfr_ask,
		 "%zu octets to send, but dropped, xfr or left to the caller", len);
	FZ_CHECK(qlen >= 12, "a response to a query of %zu octets", qlen);
	check_message(query, resp, len, NULL);
	FZ_CHECK((resp[3] & 0x0f) == (info->rcode & 0x0f), "rcode %u in the header, info %u",
		 resp[3] & 0x0fu, info->rcode);
	FZ_CHECK(((resp[2] & 0x02) != 0) == info->truncated, "TC %u in the header, info %d",
		 (resp[2] >> 1) & 1u, info->truncated);
}

struct xfr_sink {
	const uint8_t *query;
	size_t messages;
	bool first_soa;
	uint16_t last_type; /* of the last record seen */
};

static int xfr_sink(void *ctx, const uint8_t *msg, size_t len)
{
	struct xfr_sink *s = ctx;
	ldns_rr_list *an;
	ldns_pkt *pkt;

	FZ_CHECK(len <= 65535, "an AXFR message of %zu octets", len);
	check_message(s->query, msg, len, &pkt);
	an = ldns_pkt_answer(pkt);
	if (s->messages == 0)
		s->first_soa = ldns_rr_list_rr_count(an) > 0 &&
			       ldns_rr_get_type(ldns_rr_list_rr(an, 0)) == LDNS_TYPE_SOA;
	if (ldns_rr_list_rr_count(an) > 0)
		s->last_type = ldns_rr_get_type(ldns_rr_list_rr(an, ldns_rr_list_rr_count(an) - 1));
	s->messages++;
	ldns_pkt_free(pkt);
	return 0;
}

void fz_check_xfr(const zt_t *zt, const uint8_t *query, size_t qlen)
{
	struct xfr_sink s = {.query = query};
	int rc = zt_xfr_render(zt, query, qlen, xfr_sink, &s);

	if (rc != SANDNS_EOK)
		return;
	FZ_CHECK(s.messages > 0, "a transfer of no message");
	FZ_CHECK(s.first_soa && s.last_type == LDNS_TYPE_SOA,
		 "a transfer not between SOAs (first %d, last type %u)", s.first_soa, s.last_type);
}
