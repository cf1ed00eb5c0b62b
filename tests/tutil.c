/* SPDX-License-Identifier: BSD-3-Clause */
/* tutil.c: the helpers of tutil.h */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "tutil.h"

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
