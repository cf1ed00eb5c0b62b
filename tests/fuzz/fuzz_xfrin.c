/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_xfrin.c: libFuzzer target for what a primary sends a secondary: the input plays the
 * messages of an AXFR or IXFR answer for example.com., which go through what the transfer
 * thread does with each message as received (xfrin_take_msg: xfrin_msg_check against our
 * request, TSIG verified, then every answer record into xfrin_apply_rr's AXFR/IXFR builder),
 * with no socket and no file: our copy, which an IXFR applies to, is a fixed zone at serial 10
 * held in memory (as the transfer thread holds it), and nothing is written.
 *   The input: one octet of mode, then messages, each a 2-octet length and its octets (as over
 * TCP; one shorter than a header ends the transfer as a cut connection does; the last may be
 * cut short). Mode bit 0 asks IXFR (from serial 10) rather than AXFR; bit 1 signs the request
 * with a TSIG key, and the target then signs each message as the primary would.
 *   Invariants: no crash or leak; a transfer accepted starts and ends with the zone's SOA, and
 * the version it yields (when it keeps the zone rules) is at the new SOA's serial with every
 * record in the zone (zload_xfr_finish checks the rules); an IXFR applied ends at that serial.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "tsig.h"
#include "xfrin_pvt.h"

#define MAX_MSGS 256
#define REQ_ID 0x5a5a
#define OURS 10u

static ldns_rdf *origin;
static ldns_rr *ours_soa;
static zload_zone_t *copy;
static tsig_key_t key;
static cfg_primary_t prim_plain, prim_tsig;

/* Our copy of example.com. at serial 10. */
static const char *const copy_rrs[] = {
    "example.com. 3600 IN NS ns1.example.com.",
    "example.com. 3600 IN NS ns2.example.net.",
    "example.com. 3600 IN MX 10 mail.example.com.",
    "ns1.example.com. 3600 IN A 192.0.2.1",
    "mail.example.com. 3600 IN A 192.0.2.25",
    "mail.example.com. 3600 IN AAAA 2001:db8::25",
    "www.example.com. 300 IN CNAME mail.example.com.",
    "txt.example.com. 300 IN TXT \"v=1\" \"two\"",
};
#define SOA_TEXT                                                                                   \
	"example.com. 3600 IN SOA ns1.example.com. host.example.com. 10 7200 900 1209600 300"

static ldns_rr *rr_text(const char *text)
{
	ldns_rr *rr = NULL;

	if (ldns_rr_new_frm_str(&rr, text, 3600, NULL, NULL) != LDNS_STATUS_OK) {
		fprintf(stderr, "fuzz-xfrin: cannot read '%s'\n", text);
		exit(1);
	}
	return rr;
}

/* Our copy in memory, as zload_string() reads it. */
static zload_zone_t *copy_zone(void)
{
	char text[4096], err[256];
	size_t len = (size_t)snprintf(text, sizeof(text), "%s\n", SOA_TEXT);
	zload_zone_t *z;

	for (size_t i = 0; i < sizeof(copy_rrs) / sizeof(copy_rrs[0]); i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len, "%s\n", copy_rrs[i]);
	z = zload_string("example.com.", text, "copy", NULL, NULL, err, sizeof(err));
	if (z == NULL) {
		fprintf(stderr, "fuzz-xfrin: our copy: %s\n", err);
		exit(1);
	}
	return z;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char err[256];

	(void)argc;
	(void)argv;
	origin = ldns_dname_new_frm_str("example.com.");
	ours_soa = rr_text(SOA_TEXT);
	copy = copy_zone();
	if (tsig_key_init(&key, "xfr.fuzz.", "hmac-sha256",
			  "c2FuZG5zLWZ1enoteGZyaW4tc2VjcmV0LWtleQ==", err, sizeof(err)) != 0) {
		fprintf(stderr, "fuzz-xfrin: the key: %s\n", err);
		exit(1);
	}
	snprintf(prim_plain.addr.text, sizeof(prim_plain.addr.text), "192.0.2.53@53");
	prim_tsig = prim_plain;
	prim_tsig.tkey = &key;
	return 0;
}

/* xfrin_apply_rr, with the first and last record's types kept. */
struct tap {
	xfrin_apply_t a;
	size_t n;
	ldns_rr_type first, last;
};

static int tap_rr(void *ctx, ldns_rr *rr, char *err, size_t errlen)
{
	struct tap *t = ctx;

	if (t->n++ == 0)
		t->first = ldns_rr_get_type(rr);
	t->last = ldns_rr_get_type(rr);
	return xfrin_apply_rr(&t->a, rr, err, errlen);
}

static void check_accepted(struct tap *t)
{
	char err[512];
	zload_zone_t *z;

	FZ_CHECK(t->first == LDNS_RR_TYPE_SOA && t->last == LDNS_RR_TYPE_SOA,
		 "a transfer accepted from type %d to type %d", (int)t->first, (int)t->last);
	FZ_CHECK(t->a.soa != NULL && ldns_rr_get_type(t->a.soa) == LDNS_RR_TYPE_SOA &&
		     ldns_rr_get_class(t->a.soa) == LDNS_RR_CLASS_IN &&
		     ldns_dname_compare(ldns_rr_owner(t->a.soa), origin) == 0,
		 "the accepted zone's SOA is not the zone's");
	if (t->a.uptodate)
		return;
	if (t->a.ixfr)
		FZ_CHECK(t->a.cur == xfrin_soa_field(t->a.soa, 2),
			 "an IXFR applied up to %u, the new SOA says %u", t->a.cur,
			 xfrin_soa_field(t->a.soa, 2));
	z = xfrin_apply_finish(&t->a, NULL, NULL, err, sizeof(err));
	if (z != NULL)
		FZ_CHECK(zload_serial(z) == xfrin_soa_field(t->a.soa, 2),
			 "the version is at serial %lu, the new SOA says %u", zload_serial(z),
			 xfrin_soa_field(t->a.soa, 2));
	zload_free(&z);
}

/* The request, finished (signed with TSIG) by xfrin_req_finish(); the primary's TSIG state in
 * *SRV when signed. */
static ldns_pkt *request(const cfg_primary_t *p, bool ixfr, tsig_ctx_t *srv)
{
	ldns_pkt *q =
	    ldns_pkt_query_new(ldns_rdf_clone(origin), ixfr ? LDNS_RR_TYPE_IXFR : LDNS_RR_TYPE_AXFR,
			       LDNS_RR_CLASS_IN, 0);
	uint8_t *wire = NULL;
	size_t len, off = 0;
	char err[256];

	ldns_pkt_set_id(q, REQ_ID);
	if (ixfr)
		ldns_pkt_push_rr(q, LDNS_SECTION_AUTHORITY, ldns_rr_clone(ours_soa));
	FZ_CHECK(xfrin_req_finish(p, q, &wire, &len, err, sizeof(err)) == XFRIN_OK, "%s", err);
	if (p->tkey != NULL) {
		tsig_ctx_init(srv, 0);
		FZ_CHECK(tsig_find(wire, len, &off) == 1 &&
			     tsig_server_verify(srv, &key, 1, wire, &len, off) == TSIG_OK,
			 "our signed request does not verify");
	}
	free(wire);
	return q;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bool ixfr, tsig;
	const cfg_primary_t *p;
	tsig_ctx_t srv;
	struct tap t = {.n = 0};
	char err[512];
	ldns_pkt *q;
	size_t pos = 1;
	uint64_t nmsg = 0;
	int r = XFRIN_OK;

	if (size < 1)
		return 0;
	ixfr = (data[0] & 1) != 0;
	tsig = (data[0] & 2) != 0;
	p = tsig ? &prim_tsig : &prim_plain;
	q = request(p, ixfr, &srv);
	xfrin_apply_init(&t.a, origin, OURS, ixfr, copy, ixfr ? "IXFR fuzz" : "AXFR fuzz");
	while (r == XFRIN_OK && nmsg < MAX_MSGS && size - pos >= 2) {
		size_t l = (size_t)data[pos] << 8 | data[pos + 1], n = 0;
		uint8_t *msg;

		pos += 2;
		if (l > size - pos)
			l = size - pos;
		if (l < 12)
			break; /* a cut connection */
		msg = malloc(l + (tsig ? tsig_reserve(&srv) : 0));
		memcpy(msg, data + pos, l);
		pos += l;
		n = l;
		if (tsig && tsig_sign(&srv, msg, l, l + tsig_reserve(&srv), &n) != 0) {
			free(msg);
			break;
		}
		r = xfrin_take_msg(p, q, msg, n, ++nmsg, ixfr, tap_rr, &t, err, sizeof(err));
		free(msg);
	}
	if (r == 1)
		check_accepted(&t);
	xfrin_apply_clear(&t.a);
	ldns_pkt_free(q);
	return 0;
}
