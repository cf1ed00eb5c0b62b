/* SPDX-License-Identifier: BSD-3-Clause */
/* adcheck_cert.c: autodiscover-check's certificates: what a client makes of one, and --cert NEW */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "adcheck.h"

/* The largest certificate file read (as sandnsd reads its own). */
#define AD_CERT_FILE_MAX (1u << 20)

struct ad_newcert {
	X509 *leaf;
	STACK_OF(X509) * chain; /* what followed the leaf in the file */
	char path[1024];
	char sha256[65];
};

void adcheck_printable(char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s == 0x7f)
			*s = '?';
}

static void asn1_time_str(const ASN1_TIME *t, char *buf, size_t len)
{
	struct tm tm;

	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1 ||
	    strftime(buf, len, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		snprintf(buf, len, "?");
}

static void sha256_hex(X509 *x, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	out[0] = '\0';
	if (X509_digest(x, EVP_sha256(), md, &n) != 1)
		return;
	for (unsigned int i = 0; i < n && i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

void adcheck_cert_fill(struct x509_st *x, const char *host, ad_cert_t *c)
{
	GENERAL_NAMES *gens;

	memset(c, 0, sizeof(*c));
	c->present = true;
	if (X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName, c->cn,
				      sizeof(c->cn)) < 0)
		c->cn[0] = '\0';
	adcheck_printable(c->cn);
	gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	for (int i = 0; gens != NULL && i < sk_GENERAL_NAME_num(gens); i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);

		if (g->type != GEN_DNS || c->nsans >= AD_SAN_MAX)
			continue;
		snprintf(c->sans[c->nsans++], sizeof(c->sans[0]), "%.*s",
			 ASN1_STRING_length(g->d.dNSName),
			 (const char *)ASN1_STRING_get0_data(g->d.dNSName));
		adcheck_printable(c->sans[c->nsans - 1]);
	}
	GENERAL_NAMES_free(gens);
	asn1_time_str(X509_get0_notBefore(x), c->not_before, sizeof(c->not_before));
	asn1_time_str(X509_get0_notAfter(x), c->not_after, sizeof(c->not_after));
	sha256_hex(x, c->sha256);
	c->host_covered = X509_check_host(x, host, 0, 0, NULL) == 1;
}

/* The file at PATH, whole: a regular file of at most AD_CERT_FILE_MAX bytes (never a FIFO). */
static unsigned char *read_small(const char *path, size_t *len, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	unsigned char *buf = NULL;
	struct stat st;
	ssize_t n;

	if (fd < 0) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		goto out;
	}
	if ((unsigned long long)st.st_size > AD_CERT_FILE_MAX || st.st_size == 0) {
		snprintf(err, errlen, "%s: %lld bytes: %s", path, (long long)st.st_size,
			 st.st_size == 0 ? "empty, no certificate" : "too large for a certificate");
		goto out;
	}
	buf = malloc((size_t)st.st_size + 1);
	*len = 0;
	while (buf != NULL && *len < (size_t)st.st_size) {
		n = read(fd, buf + *len, (size_t)st.st_size - *len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		*len += (size_t)n;
	}
	if (buf == NULL || *len == 0) {
		snprintf(err, errlen, "%s: cannot read: %s", path,
			 buf == NULL ? "out of memory" : strerror(errno));
		free(buf);
		buf = NULL;
	}
out:
	close(fd);
	return buf;
}

ad_newcert_t *adcheck_newcert_load(const char *path, char *err, size_t errlen)
{
	ad_newcert_t *n = calloc(1, sizeof(*n));
	unsigned char *data;
	const unsigned char *p;
	size_t len = 0;
	BIO *bio = NULL;
	X509 *x;

	if (n == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	snprintf(n->path, sizeof(n->path), "%s", path);
	data = read_small(path, &len, err, errlen);
	if (data == NULL)
		goto out_fail;
	ERR_clear_error();
	if (memmem(data, strnlen((const char *)data, len), "-----BEGIN ", 11) != NULL) {
		/* PEM: the leaf first, its chain after it; other blocks (a key) are skipped. */
		bio = BIO_new_mem_buf(data, (int)len);
		n->chain = sk_X509_new_null();
		n->leaf = bio != NULL ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
		while (n->leaf != NULL && n->chain != NULL &&
		       (x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL)
			if (sk_X509_push(n->chain, x) == 0)
				X509_free(x);
		BIO_free(bio);
	} else {
		p = data;
		n->leaf = d2i_X509(NULL, &p, (long)len);
	}
	ERR_clear_error();
	free(data);
	if (n->leaf == NULL) {
		snprintf(err, errlen, "%s: no certificate in it (neither PEM nor DER X.509)", path);
		goto out_fail;
	}
	sha256_hex(n->leaf, n->sha256);
	return n;
out_fail:
	adcheck_newcert_free(n);
	return NULL;
}

void adcheck_newcert_free(ad_newcert_t *n)
{
	if (n == NULL)
		return;
	X509_free(n->leaf);
	sk_X509_pop_free(n->chain, X509_free);
	free(n);
}

const char *adcheck_newcert_sha256(const ad_newcert_t *n)
{
	return n->sha256;
}

const char *adcheck_newcert_path(const ad_newcert_t *n)
{
	return n->path;
}

void adcheck_newcert_judge(const ad_newcert_t *n, const char *host, const char *ca, ad_cert_t *c)
{
	X509_STORE *st = X509_STORE_new();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	bool loaded;
	int e;

	adcheck_cert_fill(n->leaf, host, c);
	loaded = st != NULL && (ca != NULL ? X509_STORE_load_locations(st, ca, NULL) == 1
					   : X509_STORE_set_default_paths(st) == 1);
	if (!loaded || ctx == NULL || X509_STORE_CTX_init(ctx, st, n->leaf, n->chain) != 1) {
		snprintf(c->verify_error, sizeof(c->verify_error),
			 "cannot set up the verification");
		goto out;
	}
	/* As a TLS client checks a server's chain (SSL_get_verify_result): purpose sslserver. */
	X509_STORE_CTX_set_default(ctx, "ssl_server");
	c->verified = X509_verify_cert(ctx) == 1;
	e = X509_STORE_CTX_get_error(ctx);
	if (!c->verified)
		snprintf(c->verify_error, sizeof(c->verify_error), "%s",
			 X509_verify_cert_error_string(e));
out:
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(st);
	ERR_clear_error();
}

size_t adcheck_served_leaves(const char *text, char (*sha)[65], size_t max)
{
	size_t n = 0;

	for (const char *l = text; l != NULL && *l != '\0' && n < max;) {
		size_t len = strcspn(l, "\n");
		const char *s = NULL;

		/* "  subject CN ...; valid ...: valid; sha256 HEX; N in chain": the last "; sha256
		 * " (the CN, before it, is the certificate's own text). */
		if (strncmp(l, "  subject CN ", 13) == 0)
			for (const char *p = l; p < l + len; p++)
				if (strncmp(p, "; sha256 ", 9) == 0)
					s = p + 9;
		if (s != NULL && s + 64 <= l + len) {
			bool hex = true;

			for (size_t i = 0; i < 64 && hex; i++)
				hex =
				    isxdigit((unsigned char)s[i]) && !isupper((unsigned char)s[i]);
			if (hex) {
				memcpy(sha[n], s, 64);
				sha[n++][64] = '\0';
			}
		}
		l += len + (l[len] == '\n');
	}
	return n;
}
