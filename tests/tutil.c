/* SPDX-License-Identifier: BSD-3-Clause */
/* tutil.c: the helpers of tutil.h */
#include <arpa/inet.h>
#include <dirent.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <CUnit/CUnit.h>

#include "denial.h"
#include "render.h"
#include "resolve.h"
#include "tutil.h"
#include "wire.h"
#include "zload_pvt.h"
#include "zt_index.h"

size_t tu_name_wire(uint8_t *out, const char *text)
{
	size_t o = 0;

	while (*text != '\0' && strcmp(text, ".") != 0) {
		const char *dot = strchr(text, '.');
		size_t l = dot ? (size_t)(dot - text) : strlen(text);

		out[o++] = (uint8_t)l;
		memcpy(out + o, text, l);
		o += l;
		text += l + (dot ? 1 : 0);
	}
	out[o++] = 0;
	return o;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

size_t tu_query(uint8_t *buf, uint16_t id, uint16_t flags, const char *name, uint16_t qtype,
		uint16_t qclass)
{
	size_t len = 12;

	memset(buf, 0, 12);
	put16(buf, id);
	put16(buf + 2, flags);
	put16(buf + 4, 1);
	len += tu_name_wire(buf + len, name);
	put16(buf + len, qtype);
	put16(buf + len + 2, qclass);
	return len + 4;
}

ldns_pkt *tu_ask(const zt_t *t, uint16_t id, const char *name, uint16_t qtype)
{
	static uint8_t q[512], r[65535];
	const zt_answer_ctx_t ctx = {.transport = ZT_TCP};
	zt_answer_info_t info;
	size_t qlen = tu_query(q, id, 0, name, qtype, 1), len;
	ldns_pkt *pkt = NULL;

	len = zt_answer(t, q, qlen, r, sizeof(r), &ctx, &info);
	if (len == 0 || ldns_wire2pkt(&pkt, r, len) != LDNS_STATUS_OK)
		return NULL;
	return pkt;
}

/* A transfer's messages one after the other, each after its length (a growing buffer). */
struct tu_xfr {
	uint8_t *p;
	size_t len;
};

static int tu_xfr_sink(void *ctx, const uint8_t *msg, size_t len)
{
	struct tu_xfr *x = ctx;
	uint8_t *g = realloc(x->p, x->len + len + 2);

	if (g == NULL)
		return -1;
	g[x->len] = (uint8_t)(len >> 8);
	g[x->len + 1] = (uint8_t)len;
	memcpy(g + x->len + 2, msg, len);
	x->p = g;
	x->len += len + 2;
	return 0;
}

/* T's transfer of NAME (query Q, QLEN octets) into X; its return code. */
static int tu_xfr_of(const zt_t *t, const uint8_t *q, size_t qlen, struct tu_xfr *x)
{
	*x = (struct tu_xfr){0};
	return zt_xfr_render(t, q, qlen, tu_xfr_sink, x);
}

bool tu_same_answers(const zt_t *a, const zt_t *b, const char *const *names, size_t n)
{
	static const uint16_t types[] = {1, 28, 2, 6, 15, 16, 33, 255};
	static uint8_t q[512], ra[65535], rb[65535];
	const zt_answer_ctx_t tcp = {.transport = ZT_TCP, .xfr_allowed = true};
	const zt_answer_ctx_t udp = {.transport = ZT_UDP};
	bool same = true;

	for (size_t i = 0; i < n; i++) {
		struct tu_xfr xa, xb;
		size_t qlen = tu_query(q, 0x5151, 0, names[i], 252, 1);
		int rca = tu_xfr_of(a, q, qlen, &xa), rcb = tu_xfr_of(b, q, qlen, &xb);

		if (rca != rcb || xa.len != xb.len ||
		    (xa.len > 0 && memcmp(xa.p, xb.p, xa.len) != 0)) {
			fprintf(stderr, "\n  %s AXFR: %d/%d, %zu/%zu octets differ\n", names[i],
				rca, rcb, xa.len, xb.len);
			same = false;
		}
		free(xa.p);
		free(xb.p);
		for (size_t k = 0; k < sizeof(types) / sizeof(types[0]); k++)
			for (int e = 0; e < 2; e++) {
				zt_answer_info_t ia, ib;
				size_t la, lb;

				qlen = tu_query(q, 0x5151, 0, names[i], types[k], 1);
				if (e == 1) {
					/* OPT: root, UDP 1232, no flags, no options. */
					static const uint8_t opt[] = {0, 0, 41, 4, 208, 0,
								      0, 0, 0,	0, 0};

					memcpy(q + qlen, opt, sizeof(opt));
					qlen += sizeof(opt);
					q[11] = 1; /* ARCOUNT */
				}
				la = zt_answer(a, q, qlen, ra, e ? 1232 : sizeof(ra),
					       e ? &udp : &tcp, &ia);
				lb = zt_answer(b, q, qlen, rb, e ? 1232 : sizeof(rb),
					       e ? &udp : &tcp, &ib);
				if (la != lb || memcmp(ra, rb, la) != 0) {
					fprintf(stderr, "\n  %s type %u%s: %zu/%zu octets differ\n",
						names[i], types[k], e ? " (EDNS, UDP)" : "", la,
						lb);
					same = false;
				}
			}
	}
	return same;
}

bool tu_write_leaf(const char *path, EVP_PKEY *key, long serial, const char *sans)
{
	const long day = 24 * 3600;
	X509V3_CTX v3;
	X509_EXTENSION *ext;
	X509 *x = X509_new();
	FILE *f;
	bool ok = false;

	if (x == NULL)
		return false;
	X509_set_version(x, X509_VERSION_3);
	ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
	X509_gmtime_adj(X509_getm_notBefore(x), -day);
	X509_gmtime_adj(X509_getm_notAfter(x), 365 * day);
	X509_set_pubkey(x, key);
	X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "O", MBSTRING_ASC,
				   (const unsigned char *)"sandns test", -1, -1, 0);
	X509_set_issuer_name(x, X509_get_subject_name(x));
	X509V3_set_ctx(&v3, x, x, NULL, NULL, 0);
	ext = X509V3_EXT_nconf_nid(NULL, &v3, NID_subject_alt_name, sans);
	if (ext != NULL && X509_add_ext(x, ext, -1) == 1 && X509_sign(x, key, EVP_sha256()) != 0) {
		f = fopen(path, "w");
		if (f != NULL) {
			ok = PEM_write_X509(f, x) == 1;
			ok = fclose(f) == 0 && ok;
		}
	}
	X509_EXTENSION_free(ext);
	X509_free(x);
	return ok;
}

void tu_rm_dir(const char *dir)
{
	DIR *dh = opendir(dir);
	struct dirent *de;
	char path[4096];

	while (dh != NULL && (de = readdir(dh)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		unlink(path);
	}
	if (dh != NULL)
		closedir(dh);
	rmdir(dir);
}

const char *tu_put_file(char *path, size_t len, const char *dir, const char *name, const char *text)
{
	FILE *fp;

	snprintf(path, len, "%s/%s", dir, name);
	fp = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
	fputs(text, fp);
	fclose(fp);
	return path;
}

/* ---- denial answers against the live path ---- */

size_t tu_name_wire_esc(uint8_t *out, const char *text)
{
	size_t o = 0;

	while (*text != '\0') {
		size_t at = o++;

		while (*text != '\0' && *text != '.') {
			if (text[0] == '\\' && text[1] >= '0' && text[1] <= '9') {
				out[o++] = (uint8_t)((text[1] - '0') * 100 + (text[2] - '0') * 10 +
						     (text[3] - '0'));
				text += 4;
			} else {
				out[o++] = (uint8_t)*text++;
			}
		}
		out[at] = (uint8_t)(o - at - 1);
		if (*text == '.')
			text++;
	}
	out[o++] = 0;
	return o;
}

size_t tu_live(const zt_t *t, const uint8_t *qname, uint16_t qtype, bool dnssec, uint8_t *buf,
	       uint16_t counts[3], uint16_t *flags)
{
	static res_item_t items[RES_LIVE_ITEMS];
	res_t r;
	rbuf_t rb;

	res_init(&r, items, RES_LIVE_ITEMS);
	res_resolve(t, qname, qtype, dnssec, &r);
	rbuf_start(&rb, buf, 65536, qname, qtype, C_IN, false, wire_name_labels(qname));
	rbuf_put_res(&rb, t, &r, counts);
	*flags = (uint16_t)(r.flags | (rb.tc ? F_TC : 0));
	return rb.err == 0 ? rb.len : 0;
}

uint32_t tu_encloser(const zt_t *t, const uint8_t *key, size_t len)
{
	const uint8_t *k = key;
	uint32_t n = zt_find(t, k, len);

	while (n == ZT_NONE && *k != 0) {
		len -= (size_t)*k + 1;
		k += *k + 1;
		n = zt_find(t, k, len);
	}
	return n;
}

struct tu_denial tu_dn;

/* With tu_dn.dump, the tail of an answer (LEN octets at P) in hex, named WHAT. */
static void tu_dump(const char *what, const uint8_t *p, size_t len)
{
	if (!tu_dn.dump)
		return;
	fprintf(stderr, "  %s:", what);
	for (size_t i = 0; i < len; i++)
		fprintf(stderr, "%s%02x", i % 32 ? "" : "\n    ", p[i]);
	fprintf(stderr, "\n");
}

/* Whether QTYPE asked below node CE is a NODATA of CE's wildcard (a type it lacks). */
static bool wild_nodata(const zt_t *t, uint32_t ce, uint16_t qtype)
{
	uint32_t w = t->nodes[ce].wildcard;

	if (w == ZT_NONE || qtype == T_ANY || qtype == T_RRSIG ||
	    (t->nodes[w].flags & (ZN_CNAME | ZN_DNAME)))
		return false;
	for (uint32_t i = t->nodes[w].rrsets; i < t->nodes[w].rrsets + t->nodes[w].nrrsets; i++)
		if (t->rrsets[i].type == qtype)
			return false;
	return true;
}

/* One answer (tail LEN octets at DATA, counts and flags) against the live one. */
static void same_as_live(const char *what, const char *name, uint16_t qtype, const uint8_t *data,
			 size_t len, uint16_t flags, uint16_t an, uint16_t ns, uint16_t ar,
			 const uint8_t *ref, size_t rlen, const uint16_t counts[3], uint16_t rflags)
{
	bool same = len == rlen && flags == rflags && an == counts[0] && ns == counts[1] &&
		    ar == counts[2] && memcmp(data, ref, len) == 0;

	if (same)
		return;
	tu_dn.ndiff++;
	if (tu_dn.quiet)
		return;
	CU_FAIL("answer differs from the live one");
	fprintf(stderr, "%s differs: %s type %u (%zu/%zu octets)\n", what, name, qtype, len, rlen);
	tu_dump(what, data, len);
	tu_dump("live", ref, rlen);
}

void tu_engine_same(const zt_t *t, const char *name, const uint8_t *wire, size_t len,
		    uint16_t qtype, uint8_t transport, bool dnssec, const uint8_t *ref, size_t rlen,
		    const uint16_t counts[3])
{
	static uint8_t query[512], sep[65536], inplace[65536];
	zt_answer_ctx_t ctx = {.transport = transport};
	zt_answer_info_t i1, i2;
	size_t head = WIRE_HDR_LEN + len + 4, qlen = head + 11, l1, l2;

	memset(query, 0, WIRE_HDR_LEN);
	wire_put16(query, 0x4242);
	wire_put16(query + 4, 1);
	wire_put16(query + 10, 1);
	memcpy(query + WIRE_HDR_LEN, wire, len);
	wire_put16(query + WIRE_HDR_LEN + len, qtype);
	wire_put16(query + WIRE_HDR_LEN + len + 2, C_IN);
	/* OPT: payload 65535 (nothing truncated), DO or not */
	memcpy(query + head, "\0\0\51\377\377\0\0\200\0\0\0", 11);
	query[head + 7] = dnssec ? 0x80 : 0;
	memcpy(inplace, query, qlen);
	memset(sep, 0xff, sizeof(sep)); /* nothing of the last answer to lean on */
	l1 = zt_answer(t, query, qlen, sep, sizeof(sep), &ctx, &i1);
	l2 = zt_answer_inplace(t, inplace, qlen, sizeof(inplace), &ctx, &i2);
	CU_ASSERT_TRUE(l1 == l2 && memcmp(sep, inplace, l1) == 0);
	CU_ASSERT_EQUAL(memcmp(&i1, &i2, sizeof(i1)), 0);
	CU_ASSERT_FATAL(l1 >= head + 11);
	if (l1 - 11 - head != rlen || memcmp(sep + head, ref, rlen) != 0 ||
	    wire_get16(sep + 6) != counts[0] || wire_get16(sep + 8) != counts[1] ||
	    wire_get16(sep + 10) != counts[2] + 1u) {
		tu_dn.ndiff++;
		if (tu_dn.quiet)
			return;
		CU_FAIL("the engine's answer is not the live one");
		fprintf(stderr, "engine differs: %s type %u%s (%zu/%zu octets)\n", name, qtype,
			dnssec ? "" : " without DO", l1 - 11 - head, rlen);
		tu_dump("engine", sep + head, l1 - 11 - head);
		tu_dump("live", ref, rlen);
	}
}

int tu_denial_check(const zt_t *t, const char *name, uint16_t qtype)
{
	static uint8_t buf[65536], ref[65536], blob[65536];
	struct zt_query q;
	struct denial_tail d;
	uint8_t wire[WIRE_NAME_MAX + 1];
	uint16_t counts[3], flags;
	size_t rlen, head;
	uint32_t ce, nb;
	uint64_t id;
	int delta, ret = 0;

	memset(&q, 0, sizeof(q));
	q.qname_len = tu_name_wire_esc(wire, name);
	memcpy(wire + q.qname_len, "\0\0\0\1", 4);
	wire_put16(wire + q.qname_len, qtype);
	q.qname = wire;
	wire_name_lower(q.key, wire);
	q.qtype = qtype;
	q.qclass = C_IN;
	q.has_question = true;
	q.dnssec = true;
	q.edns = 11;
	ce = tu_encloser(t, q.key, q.qname_len);
	CU_ASSERT_NOT_EQUAL_FATAL(ce, ZT_NONE);
	/* As answer.c: a name that exists, or below a cut or a DNAME, is no denial. */
	if (zt_find(t, q.key, q.qname_len) != ZT_NONE || t->nodes[ce].deleg != ZT_NONE ||
	    (t->nodes[ce].flags & ZN_DNAME))
		return 0;
	head = WIRE_HDR_LEN + q.qname_len + 4;
	rlen = tu_live(t, wire, qtype, true, ref, counts, &flags);
	CU_ASSERT_FATAL(rlen >= head);
	tu_engine_same(t, name, wire, q.qname_len, qtype, ZT_TCP, true, ref + head, rlen - head,
		       counts);
	if (denial_answer(t, &q, ce, 65535, buf, sizeof(buf), &d)) {
		same_as_live("composed", name, qtype, d.data, d.len, d.flags, d.an, d.ns, d.ar,
			     ref + head, rlen - head, counts, flags);
		ret |= 1;
		tu_dn.wild_composed += wild_nodata(t, ce, qtype);
	}
	/* An NSEC3 zone's answer joined from its parts and the next closer's NSEC3. */
	if (denial_n3_answer(t, &q, ce, 65535, blob, sizeof(blob), &d)) {
		same_as_live("joined", name, qtype, d.data, d.len, d.flags, d.an, d.ns, d.ar,
			     ref + head, rlen - head, counts, flags);
		CU_ASSERT(memcmp(blob + WIRE_HDR_LEN, wire, q.qname_len + 4) == 0);
		tu_dn.wild_joined += wild_nodata(t, ce, qtype);
		ret |= 4;
	}
	/* The NXDOMAIN blob, moved as answer.c's emit_blob() moves it. */
	nb = denial_blob(t, &q, ce, &delta, &id);
	if (nb != ZT_NONE) {
		const zt_blob_t *b = zt_blob(t, nb);
		const uint16_t *fix = zt_blob_fix(b);

		CU_ASSERT(ret == 1);
		CU_ASSERT_EQUAL(id, d.id);
		memcpy(blob, buf, head);
		memcpy(blob + head, zt_blob_data(b), b->len);
		for (unsigned i = 0; i < b->nfix && delta != 0; i++)
			zt_ptr_move(blob + head + fix[i], delta);
		same_as_live("blob", name, qtype, blob + head, b->len, b->flags, b->an, b->ns,
			     b->ar, ref + head, rlen - head, counts, flags);
		ret |= 2;
		tu_dn.wild_blobs += wild_nodata(t, ce, qtype);
	}
	return ret;
}

/* Octets of a table of N (node, blob, hole) lines (n3nx, n3wn) and of the blobs it names. */
static size_t triples_used(const zt_t *t, const uint32_t *tab, uint32_t n)
{
	size_t used = 0;

	for (uint32_t k = 0; tab != NULL && k < n; k++) {
		const zt_blob_t *b = zt_blob(t, tab[3 * k + 1]);

		used += zt_blob_size(b->len, b->nfix) + 3 * sizeof(uint32_t);
	}
	return used;
}

size_t tu_wild_used(const zt_t *t, uint32_t z)
{
	return triples_used(t, t->zones[z].n3wn, t->zones[z].n3wn_count);
}

/*
 * Octets of a per-owner table of zone Z's NSEC3 chain (TAB: n3ax or n3cv, NULL when not kept)
 * and of the blobs it names.
 */
static size_t per_owner_used(const zt_t *t, uint32_t z, const uint32_t *tab)
{
	const zt_zone_t *zone = &t->zones[z];
	size_t used = tab != NULL ? zone->nnsec3 * sizeof(uint32_t) : 0;

	for (uint32_t i = 0; tab != NULL && i < zone->nnsec3; i++) {
		const zt_blob_t *b = zt_blob(t, tab[i]);

		used += tab[i] != ZT_NONE ? zt_blob_size(b->len, b->nfix) : 0;
	}
	return used;
}

size_t tu_ahead_used(const zt_t *t, uint32_t z)
{
	return per_owner_used(t, z, t->zones[z].n3ax);
}

size_t tu_covers_used(const zt_t *t, uint32_t z)
{
	return per_owner_used(t, z, t->zones[z].n3cv);
}

size_t tu_denial_used(const zt_t *t, uint32_t z)
{
	const zt_zone_t *zone = &t->zones[z];
	size_t used = triples_used(t, zone->n3nx, zone->n3nx_count);

	used += tu_wild_used(t, z) + tu_ahead_used(t, z) + tu_covers_used(t, z);
	if (zone->nxb_idx != NULL) {
		used += (zone->nnsec + 1u + zone->nxb_fast_len) * sizeof(uint32_t);
		for (uint32_t k = 0; k < zone->nxb_idx[zone->nnsec]; k++) {
			const zt_blob_t *b = zt_blob(t, zone->nxb[4 * k + 2]);

			used += zt_blob_size(b->len, b->nfix) + 4 * sizeof(uint32_t);
		}
	}
	return used;
}

/* Not inlined: GCC 12 then takes the text for the address of the local open_memstream() fills. */
__attribute__((noinline)) char *tu_zone_print(const zload_zone_t *z)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL(zload_xfr_print(z, f), 0);
	CU_ASSERT_EQUAL_FATAL(fclose(f), 0);
	return text;
}

zload_zone_t *tu_read_with(const char *text, char *e, size_t elen, bool fast, unsigned threads,
			   size_t piece)
{
	size_t piece_was = zload_piece_min;
	zload_zone_t *z;

	zload_no_fast_path = !fast;
	zload_threads = threads;
	zload_piece_min = piece;
	z = zload_string("example.com.", text, "t.zone", NULL, NULL, e, elen);
	zload_no_fast_path = false;
	zload_threads = 0;
	zload_piece_min = piece_was;
	return z;
}

void tu_assert_same(zload_zone_t *a, const char *ea, zload_zone_t *b, const char *eb,
		    const char *how)
{
	CU_ASSERT_EQUAL_FATAL(a == NULL, b == NULL);
	if (a == NULL) {
		if (strcmp(ea, eb) != 0)
			fprintf(stderr, "\n  one pass: %s\n  %s: %s\n", ea, how, eb);
		CU_ASSERT_STRING_EQUAL(ea, eb);
		return;
	}
	CU_ASSERT_EQUAL_FATAL(zload_rr_count(a), zload_rr_count(b));
	for (size_t i = 0; i < zload_rr_count(a); i++) {
		const zload_rec_t *x = &a->recs[i], *y = &b->recs[i];
		const uint8_t *ox = zload_rec_owner(a, i), *oy = zload_rec_owner(b, i);
		size_t lx = wire_name_len(ox);
		bool same = x->type == y->type && x->ttl == y->ttl && x->rdlen == y->rdlen &&
			    memcmp(zload_rec_rdata(a, i), zload_rec_rdata(b, i), x->rdlen) == 0 &&
			    lx == wire_name_len(oy) && memcmp(ox, oy, lx) == 0 &&
			    zload_rec_line(a, i) == zload_rec_line(b, i) &&
			    zload_rec_file(a, i) == zload_rec_file(b, i);

		if (!same) {
			ldns_rr *rx = zload_rr(a, i), *ry = zload_rr(b, i);
			char *tx = rx ? ldns_rr2str(rx) : NULL, *ty = ry ? ldns_rr2str(ry) : NULL;

			fprintf(stderr, "\n  record %zu: one pass line %d %s  %s line %d %s", i,
				zload_rec_line(a, i), tx, how, zload_rec_line(b, i), ty);
			free(tx);
			free(ty);
			ldns_rr_free(rx);
			ldns_rr_free(ry);
		}
		CU_ASSERT_TRUE(same);
	}
	CU_ASSERT_EQUAL(zload_serial(a), zload_serial(b));
	zload_free(&a);
	zload_free(&b);
}

int tu_silent_udp(const char *addr, unsigned *port)
{
	struct sockaddr_in sin = {.sin_family = AF_INET};
	socklen_t sl = sizeof(sin);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL_FATAL(inet_pton(AF_INET, addr, &sin.sin_addr), 1);
	CU_ASSERT_EQUAL_FATAL(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	CU_ASSERT_EQUAL_FATAL(getsockname(fd, (struct sockaddr *)&sin, &sl), 0);
	*port = ntohs(sin.sin_port);
	return fd;
}

bool tu_datagram(int fd, int ms)
{
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	uint8_t buf[512];

	if (poll(&pfd, 1, ms) <= 0)
		return false;
	return recv(fd, buf, sizeof(buf), 0) > 0;
}

unsigned tu_free_port(void)
{
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t sl = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	unsigned port = 0;

	if (fd >= 0 && bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&sin, &sl) == 0)
		port = ntohs(sin.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}
