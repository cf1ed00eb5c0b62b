/* SPDX-License-Identifier: BSD-3-Clause */
/* test_cert.c: CUnit suite for control/cert.c: files, SAN matching, validity, tls:// endpoints */
#include <arpa/inet.h>
#include <errno.h>
#include <ftw.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <CUnit/CUnit.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "cert.h"
#include "cutest.h"
#include "sandns_err.h"

#define DAY (24 * 3600L)

/* The throwaway CA and one key for every leaf, made at suite init; nothing is checked in. */
static EVP_PKEY *ca_key, *leaf_key;
static X509 *ca;
static char dir[] = "/tmp/sandns-test-cert-XXXXXX";
static bool dir_made;
static char err[1024];
static long serial = 1;

/* A certificate for KEY signed by ISSUER/ISSUER_KEY (self-signed when ISSUER is NULL), valid
 * from NOW+NB to NOW+NA seconds. SANS: OpenSSL's config syntax ("DNS:a,DNS:b") or NULL. */
static X509 *make_cert(EVP_PKEY *key, const char *cn, const char *sans, long nb, long na,
		       bool is_ca, X509 *issuer, EVP_PKEY *issuer_key)
{
	X509V3_CTX v3;
	X509_EXTENSION *ext;
	X509_NAME *name;
	X509 *x = X509_new();

	if (x == NULL)
		return NULL;
	X509_set_version(x, X509_VERSION_3);
	ASN1_INTEGER_set(X509_get_serialNumber(x), serial++);
	X509_gmtime_adj(X509_getm_notBefore(x), nb);
	X509_gmtime_adj(X509_getm_notAfter(x), na);
	X509_set_pubkey(x, key);
	name = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, (const unsigned char *)"sandns test",
				   -1, -1, 0);
	if (cn != NULL)
		X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1,
					   -1, 0);
	X509_set_issuer_name(x, issuer != NULL ? X509_get_subject_name(issuer) : name);
	X509V3_set_ctx(&v3, issuer != NULL ? issuer : x, x, NULL, NULL, 0);
	ext = X509V3_EXT_nconf_nid(NULL, &v3, NID_basic_constraints,
				   is_ca ? "critical,CA:TRUE" : "CA:FALSE");
	X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	if (sans != NULL) {
		ext = X509V3_EXT_nconf_nid(NULL, &v3, NID_subject_alt_name, sans);
		if (ext == NULL || X509_add_ext(x, ext, -1) != 1) {
			X509_EXTENSION_free(ext);
			X509_free(x);
			return NULL;
		}
		X509_EXTENSION_free(ext);
	}
	if (X509_sign(x, issuer_key != NULL ? issuer_key : key, EVP_sha256()) == 0) {
		X509_free(x);
		return NULL;
	}
	return x;
}

/* A leaf signed by the CA, valid from yesterday for a year. */
static X509 *leaf(const char *cn, const char *sans)
{
	return make_cert(leaf_key, cn, sans, -DAY, 365 * DAY, false, ca, ca_key);
}

static void path_of(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", dir, name);
}

/* Writes X (and the CA after it when WITH_CHAIN) as PEM to DIR/NAME. */
static int write_pem(const char *name, X509 *x, bool with_chain)
{
	char path[512];
	FILE *f;
	int ok;

	path_of(path, sizeof(path), name);
	f = fopen(path, "w");
	if (f == NULL)
		return -1;
	ok = PEM_write_X509(f, x) == 1 && (!with_chain || PEM_write_X509(f, ca) == 1);
	return fclose(f) == 0 && ok ? 0 : -1;
}

static int write_der(const char *name, X509 *x)
{
	char path[512];
	FILE *f;
	int ok;

	path_of(path, sizeof(path), name);
	f = fopen(path, "wb");
	if (f == NULL)
		return -1;
	ok = i2d_X509_fp(f, x) == 1;
	return fclose(f) == 0 && ok ? 0 : -1;
}

static int write_text(const char *name, const char *text)
{
	char path[512];
	FILE *f;
	int ok;

	path_of(path, sizeof(path), name);
	f = fopen(path, "w");
	if (f == NULL)
		return -1;
	ok = fputs(text, f) >= 0;
	return fclose(f) == 0 && ok ? 0 : -1;
}

/* A leaf with CN and SANS, written to NAME as PEM, loaded back. */
static cert_t *load_leaf(const char *name, const char *cn, const char *sans)
{
	char path[512];
	X509 *x = leaf(cn, sans);
	cert_t *c;

	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	CU_ASSERT_EQUAL_FATAL(write_pem(name, x, false), 0);
	X509_free(x);
	path_of(path, sizeof(path), name);
	err[0] = '\0';
	c = cert_load_file(path, err, sizeof(err));
	if (c == NULL)
		fprintf(stderr, "\n  %s\n", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	return c;
}

static void expect_err(const char *want)
{
	const char *hit = strstr(err, want);

	if (hit == NULL)
		fprintf(stderr, "\n  expected '%s' in '%s'\n", want, err);
	CU_ASSERT_PTR_NOT_NULL(hit);
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int suite_init(void)
{
	/* The test TLS server may write to a client that has gone: EPIPE, not death. */
	signal(SIGPIPE, SIG_IGN);
	if (mkdtemp(dir) == NULL)
		return -1;
	dir_made = true;
	ca_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	leaf_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	if (ca_key == NULL || leaf_key == NULL)
		return -1;
	ca = make_cert(ca_key, "sandns test CA", NULL, -DAY, 3650 * DAY, true, NULL, NULL);
	return ca == NULL ? -1 : 0;
}

static int suite_cleanup(void)
{
	X509_free(ca);
	EVP_PKEY_free(leaf_key);
	EVP_PKEY_free(ca_key);
	ca = NULL;
	ca_key = leaf_key = NULL;
	if (dir_made && nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS) != 0)
		return -1;
	return 0;
}

/* ---- files and matching */

static void test_san_covers(void)
{
	char path[512];
	cert_t *c = load_leaf("ad.pem", "mail.example.com",
			      "DNS:autodiscover.example.com,DNS:mail.example.com,IP:192.0.2.1");
	const char *fp = cert_fingerprint_sha256(c);

	CU_ASSERT_EQUAL(cert_san_count(c), 2);
	CU_ASSERT_STRING_EQUAL(cert_san(c, 0), "autodiscover.example.com");
	CU_ASSERT_STRING_EQUAL(cert_san(c, 1), "mail.example.com");
	CU_ASSERT_PTR_NULL(cert_san(c, 2));
	CU_ASSERT_TRUE(cert_covers(c, "autodiscover.example.com", false));
	CU_ASSERT_TRUE(cert_covers(c, "mail.example.com", false));
	CU_ASSERT_FALSE(cert_covers(c, "www.example.com", false));
	CU_ASSERT_FALSE(cert_covers(c, "example.com", false));
	CU_ASSERT_FALSE(cert_covers(c, "", false));
	CU_ASSERT_FALSE(cert_covers(c, ".", false));
	/* A leading dot would make X509_check_host match any subdomain. */
	CU_ASSERT_FALSE(cert_covers(c, ".example.com", false));
	CU_ASSERT_STRING_EQUAL(cert_subject_cn(c), "mail.example.com");
	path_of(path, sizeof(path), "ad.pem");
	CU_ASSERT_STRING_EQUAL(cert_source(c), path);
	CU_ASSERT_EQUAL(cert_chain_count(c), 0);
	CU_ASSERT_EQUAL(strlen(fp), 64);
	CU_ASSERT_EQUAL(strspn(fp, "0123456789abcdef"), 64);
	cert_free(&c);
	CU_ASSERT_PTR_NULL(c);
	cert_free(&c);
	cert_free(NULL);
}

static void test_san_mail_only(void)
{
	cert_t *c = load_leaf("mail.pem", "autodiscover.example.com", "DNS:mail.example.com");

	CU_ASSERT_EQUAL(cert_san_count(c), 1);
	CU_ASSERT_FALSE(cert_covers(c, "autodiscover.example.com", false));
	/* The CN never counts while there is a dNSName SAN, even with the legacy switch. */
	CU_ASSERT_FALSE(cert_covers(c, "autodiscover.example.com", true));
	CU_ASSERT_TRUE(cert_covers(c, "mail.example.com", false));
	cert_free(&c);
}

static void test_wildcard(void)
{
	cert_t *c = load_leaf("wild.pem", NULL, "DNS:*.example.com");

	CU_ASSERT_PTR_NULL(cert_subject_cn(c));
	CU_ASSERT_STRING_EQUAL(cert_san(c, 0), "*.example.com");
	CU_ASSERT_TRUE(cert_covers(c, "autodiscover.example.com", false));
	CU_ASSERT_TRUE(cert_covers(c, "Autodiscover.Example.Com.", false));
	CU_ASSERT_FALSE(cert_covers(c, "example.com", false));
	CU_ASSERT_FALSE(cert_covers(c, "a.b.example.com", false));
	CU_ASSERT_FALSE(cert_covers(c, "autodiscover.example.net", false));
	/* A wildcard in the name asked about is not a name. */
	CU_ASSERT_FALSE(cert_covers(c, "*.example.com", false));
	cert_free(&c);
}

static void test_partial_wildcard(void)
{
	cert_t *c = load_leaf("partial.pem", NULL, "DNS:f*.example.com,DNS:*ad.example.org");

	CU_ASSERT_EQUAL(cert_san_count(c), 2);
	CU_ASSERT_FALSE(cert_covers(c, "foo.example.com", false));
	CU_ASSERT_FALSE(cert_covers(c, "f.example.com", false));
	CU_ASSERT_FALSE(cert_covers(c, "autodiscover.example.com", false));
	CU_ASSERT_FALSE(cert_covers(c, "autodiscoverad.example.org", false));
	cert_free(&c);
}

/* A SAN that X509_check_host() compares literally "covers" itself: no name to send a client to. */
static void test_san_plain(void)
{
	cert_t *c = load_leaf("hosts.pem", NULL,
			      "DNS:Mail.example.com,DNS:m*il.example.com,DNS:*.example.com,"
			      "DNS:.example.com,DNS:a..example.com,DNS:ma il.example.com,"
			      "DNS:_x-1.example.com,DNS:@.example.com,DNS:x.example.com");

	CU_ASSERT_EQUAL_FATAL(cert_san_count(c), 9);
	CU_ASSERT_TRUE(cert_san_plain(c, 0));
	CU_ASSERT_FALSE(cert_san_plain(c, 1));
	CU_ASSERT_FALSE(cert_san_plain(c, 2));
	CU_ASSERT_FALSE(cert_san_plain(c, 3));
	CU_ASSERT_FALSE(cert_san_plain(c, 4));
	CU_ASSERT_TRUE(cert_san_plain(c, 5)); /* the zone's business: a\\032b there */
	CU_ASSERT_TRUE(cert_san_plain(c, 6));
	CU_ASSERT_TRUE(cert_san_plain(c, 7));
	CU_ASSERT_TRUE(cert_san_plain(c, 8));
	CU_ASSERT_FALSE(cert_san_plain(c, 9));
	/* Why it matters: the literal comparison. */
	CU_ASSERT_TRUE(cert_covers(c, "a..example.com", false));
	cert_free(&c);
}

static void test_cn_only(void)
{
	cert_t *c = load_leaf("cn.pem", "autodiscover.example.com", NULL);

	CU_ASSERT_EQUAL(cert_san_count(c), 0);
	CU_ASSERT_STRING_EQUAL(cert_subject_cn(c), "autodiscover.example.com");
	CU_ASSERT_FALSE(cert_covers(c, "autodiscover.example.com", false));
	CU_ASSERT_TRUE(cert_covers(c, "autodiscover.example.com", true));
	CU_ASSERT_TRUE(cert_covers(c, "AUTODISCOVER.example.com.", true));
	CU_ASSERT_FALSE(cert_covers(c, "mail.example.com", true));
	cert_free(&c);
}

/* A leaf valid from NOW+NB to NOW+NA, loaded from NAME. */
static cert_t *load_dated(const char *name, long nb, long na)
{
	char path[512];
	X509 *x =
	    make_cert(leaf_key, NULL, "DNS:autodiscover.example.com", nb, na, false, ca, ca_key);
	cert_t *c;

	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	CU_ASSERT_EQUAL_FATAL(write_pem(name, x, true), 0);
	X509_free(x);
	path_of(path, sizeof(path), name);
	c = cert_load_file(path, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	return c;
}

static void test_validity(void)
{
	time_t now = time(NULL);
	cert_t *ok = load_dated("valid.pem", -DAY, 30 * DAY);
	cert_t *old = load_dated("expired.pem", -30 * DAY, -DAY);
	cert_t *young = load_dated("future.pem", DAY, 30 * DAY);

	CU_ASSERT_EQUAL(cert_validity(ok, now), 0);
	CU_ASSERT_TRUE(cert_validity(old, now) > 0);
	CU_ASSERT_TRUE(cert_validity(young, now) < 0);
	CU_ASSERT_TRUE(labs((long)(cert_not_before(ok) - (now - DAY))) <= 5);
	CU_ASSERT_TRUE(labs((long)(cert_not_after(ok) - (now + 30 * DAY))) <= 5);
	CU_ASSERT_EQUAL(cert_validity(young, cert_not_before(young)), 0);
	CU_ASSERT_EQUAL(cert_validity(old, cert_not_after(old)), 0);
	CU_ASSERT_TRUE(cert_validity(old, cert_not_after(old) + 1) > 0);
	/* Validity is separate from naming: an expired leaf still names what it names. */
	CU_ASSERT_TRUE(cert_covers(old, "autodiscover.example.com", false));
	cert_free(&ok);
	cert_free(&old);
	cert_free(&young);
}

static void test_chain_file(void)
{
	char path[512];
	X509 *x = leaf("autodiscover.example.com", "DNS:autodiscover.example.com");
	cert_t *c;

	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	CU_ASSERT_EQUAL_FATAL(write_pem("chain.pem", x, true), 0);
	X509_free(x);
	path_of(path, sizeof(path), "chain.pem");
	c = cert_load_file(path, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(cert_chain_count(c), 1);
	CU_ASSERT_EQUAL(cert_san_count(c), 1);
	CU_ASSERT_STRING_EQUAL(cert_san(c, 0), "autodiscover.example.com");
	CU_ASSERT_STRING_EQUAL(cert_subject_cn(c), "autodiscover.example.com");
	cert_free(&c);
}

static void test_key_and_cert_bundle(void)
{
	char path[512];
	X509 *x = leaf(NULL, "DNS:autodiscover.example.com");
	FILE *f;
	cert_t *c;

	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	path_of(path, sizeof(path), "bundle.pem");
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL(PEM_write_PrivateKey(f, leaf_key, NULL, NULL, 0, NULL, NULL), 1);
	CU_ASSERT_EQUAL(PEM_write_X509(f, x), 1);
	CU_ASSERT_EQUAL(PEM_write_X509(f, ca), 1);
	CU_ASSERT_EQUAL(fclose(f), 0);
	X509_free(x);
	c = cert_load_file(path, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(cert_chain_count(c), 1);
	CU_ASSERT_TRUE(cert_covers(c, "autodiscover.example.com", false));
	cert_free(&c);
}

static void test_der(void)
{
	char path[512];
	X509 *x = leaf("autodiscover.example.com", "DNS:autodiscover.example.com");
	cert_t *c, *p;

	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	CU_ASSERT_EQUAL_FATAL(write_der("leaf.der", x), 0);
	CU_ASSERT_EQUAL_FATAL(write_pem("leaf.pem", x, false), 0);
	X509_free(x);
	path_of(path, sizeof(path), "leaf.der");
	c = cert_load_file(path, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	path_of(path, sizeof(path), "leaf.pem");
	p = cert_load_file(path, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL(cert_san_count(c), 1);
	CU_ASSERT_TRUE(cert_covers(c, "autodiscover.example.com", false));
	CU_ASSERT_EQUAL(cert_chain_count(c), 0);
	/* The same certificate in either encoding: the same fingerprint. */
	CU_ASSERT_STRING_EQUAL(cert_fingerprint_sha256(c), cert_fingerprint_sha256(p));
	cert_free(&c);
	cert_free(&p);
}

static void test_case_and_dot(void)
{
	cert_t *c = load_leaf("case.pem", NULL, "DNS:AutoDiscover.Example.COM");

	CU_ASSERT_STRING_EQUAL(cert_san(c, 0), "autodiscover.example.com");
	CU_ASSERT_TRUE(cert_covers(c, "autodiscover.example.com", false));
	CU_ASSERT_TRUE(cert_covers(c, "AUTODISCOVER.EXAMPLE.COM", false));
	CU_ASSERT_TRUE(cert_covers(c, "autodiscover.example.com.", false));
	CU_ASSERT_FALSE(cert_covers(c, "autodiscover.example.com..", false));
	cert_free(&c);
}

static void test_a_label(void)
{
	cert_t *c = load_leaf("idn.pem", NULL, "DNS:autodiscover.xn--bcher-kva.example");

	CU_ASSERT_STRING_EQUAL(cert_san(c, 0), "autodiscover.xn--bcher-kva.example");
	CU_ASSERT_TRUE(cert_covers(c, "autodiscover.xn--bcher-kva.example", false));
	CU_ASSERT_TRUE(cert_covers(c, "AUTODISCOVER.XN--BCHER-KVA.EXAMPLE.", false));
	/* U-labels are not A-labels: the caller converts. */
	CU_ASSERT_FALSE(cert_covers(c,
				    "autodiscover.b\xc3\xbc"
				    "cher.example",
				    false));
	cert_free(&c);
}

static void test_file_errors(void)
{
	char path[512];
	cert_t *c;

	path_of(path, sizeof(path), "missing.pem");
	c = cert_load_file(path, err, sizeof(err));
	CU_ASSERT_PTR_NULL(c);
	expect_err(path);
	expect_err(strerror(ENOENT));

	CU_ASSERT_EQUAL_FATAL(write_text("notes.txt", "this is not a certificate\n"), 0);
	path_of(path, sizeof(path), "notes.txt");
	c = cert_load_file(path, err, sizeof(err));
	CU_ASSERT_PTR_NULL(c);
	expect_err(path);
	expect_err("not a certificate");

	CU_ASSERT_EQUAL_FATAL(write_text("empty.pem", ""), 0);
	path_of(path, sizeof(path), "empty.pem");
	c = cert_load_file(path, err, sizeof(err));
	CU_ASSERT_PTR_NULL(c);
	expect_err(path);
	expect_err("empty");

	/* PEM, but no CERTIFICATE block in it. */
	CU_ASSERT_EQUAL_FATAL(write_text("key.pem", "-----BEGIN PRIVATE KEY-----\n"
						    "-----END PRIVATE KEY-----\n"),
			      0);
	path_of(path, sizeof(path), "key.pem");
	c = cert_load_file(path, err, sizeof(err));
	CU_ASSERT_PTR_NULL(c);
	expect_err(path);
	expect_err("no certificate");

	/* A certificate block whose base64 is garbage. */
	CU_ASSERT_EQUAL_FATAL(write_text("bad.pem", "-----BEGIN CERTIFICATE-----\nAAAA\n"
						    "-----END CERTIFICATE-----\n"),
			      0);
	path_of(path, sizeof(path), "bad.pem");
	c = cert_load_file(path, err, sizeof(err));
	CU_ASSERT_PTR_NULL(c);
	expect_err(path);
	expect_err("does not parse");

	c = cert_load_file(dir, err, sizeof(err));
	CU_ASSERT_PTR_NULL(c);
	expect_err("not a regular file");

	/* A FIFO with no writer: refused at once, never waited on (the open does not block). */
	path_of(path, sizeof(path), "cert.fifo");
	CU_ASSERT_EQUAL_FATAL(mkfifo(path, 0600), 0);
	c = cert_load_file(path, err, sizeof(err));
	CU_ASSERT_PTR_NULL(c);
	expect_err("not a regular file (a fifo)");
	unlink(path);
}

static void test_parse_source(void)
{
	cert_tls_target_t t;

	CU_ASSERT_EQUAL(cert_parse_source("/etc/ssl/mail.pem", &t, err, sizeof(err)),
			CERT_SOURCE_FILE);
	CU_ASSERT_EQUAL(cert_parse_source("tls://mail.example.com", &t, err, sizeof(err)),
			CERT_SOURCE_TLS);
	CU_ASSERT_STRING_EQUAL(t.host, "mail.example.com");
	CU_ASSERT_EQUAL(t.port, 443);
	CU_ASSERT_STRING_EQUAL(t.addr, "");
	CU_ASSERT_EQUAL(
	    cert_parse_source("tls://mail.example.com:8443@192.0.2.7", &t, err, sizeof(err)),
	    CERT_SOURCE_TLS);
	CU_ASSERT_STRING_EQUAL(t.host, "mail.example.com");
	CU_ASSERT_EQUAL(t.port, 8443);
	CU_ASSERT_STRING_EQUAL(t.addr, "192.0.2.7");
	CU_ASSERT_EQUAL(
	    cert_parse_source("tls://mail.example.com@[2001:db8::1]", &t, err, sizeof(err)),
	    CERT_SOURCE_TLS);
	CU_ASSERT_EQUAL(t.port, 443);
	CU_ASSERT_STRING_EQUAL(t.addr, "2001:db8::1");
	CU_ASSERT_EQUAL(cert_parse_source("tls://h@::1", &t, err, sizeof(err)), CERT_SOURCE_TLS);
	CU_ASSERT_STRING_EQUAL(t.addr, "::1");

	CU_ASSERT_EQUAL(cert_parse_source("tls://", &t, err, sizeof(err)), SANDNS_EPARSE);
	expect_err("missing host");
	CU_ASSERT_EQUAL(cert_parse_source("tls://:443", &t, err, sizeof(err)), SANDNS_EPARSE);
	CU_ASSERT_EQUAL(cert_parse_source("tls://h:99999", &t, err, sizeof(err)), SANDNS_EPARSE);
	expect_err("port");
	CU_ASSERT_EQUAL(cert_parse_source("tls://h:", &t, err, sizeof(err)), SANDNS_EPARSE);
	CU_ASSERT_EQUAL(cert_parse_source("tls://h:0", &t, err, sizeof(err)), SANDNS_EPARSE);
	CU_ASSERT_EQUAL(cert_parse_source("tls://h:+1", &t, err, sizeof(err)), SANDNS_EPARSE);
	CU_ASSERT_EQUAL(cert_parse_source("tls://h@mail.example.com", &t, err, sizeof(err)),
			SANDNS_EPARSE);
	expect_err("not an IPv4 or IPv6 address");
	CU_ASSERT_EQUAL(cert_parse_source("tls://h@", &t, err, sizeof(err)), SANDNS_EPARSE);
}

/* ---- live endpoints: a TLS server in a thread on 127.0.0.1 */

struct tls_server {
	int lfd;
	uint16_t port;
	SSL_CTX *ctx;
	int conns;	/* connections to serve */
	int handshakes; /* completed, written by the thread, read after join */
	char sni[256];	/* the last SNI received */
	pthread_t thread;
};

static void *serve(void *arg)
{
	struct tls_server *s = arg;
	const struct timeval tv = {.tv_sec = 5};
	int i;

	for (i = 0; i < s->conns; i++) {
		struct pollfd pfd = {.fd = s->lfd, .events = POLLIN};
		const char *sni;
		SSL *ssl;
		int fd;

		if (poll(&pfd, 1, 5000) != 1)
			break;
		fd = accept(s->lfd, NULL, NULL);
		if (fd < 0)
			break;
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		ssl = SSL_new(s->ctx);
		if (ssl != NULL && SSL_set_fd(ssl, fd) == 1 && SSL_accept(ssl) == 1) {
			s->handshakes++;
			sni = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
			snprintf(s->sni, sizeof(s->sni), "%s", sni != NULL ? sni : "");
			SSL_shutdown(ssl);
		}
		SSL_free(ssl);
		close(fd);
	}
	ERR_clear_error();
	return NULL;
}

/* A listening socket on 127.0.0.1, ephemeral port; the fd or -1. */
static int listen_loopback(uint16_t *port)
{
	struct sockaddr_in sin = {.sin_family = AF_INET};
	socklen_t sl = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0 || listen(fd, 8) != 0 ||
	    getsockname(fd, (struct sockaddr *)&sin, &sl) != 0) {
		close(fd);
		return -1;
	}
	*port = ntohs(sin.sin_port);
	return fd;
}

static int server_start(struct tls_server *s, X509 *x, int conns)
{
	memset(s, 0, sizeof(*s));
	s->conns = conns;
	s->lfd = listen_loopback(&s->port);
	if (s->lfd < 0)
		return -1;
	s->ctx = SSL_CTX_new(TLS_server_method());
	if (s->ctx == NULL || SSL_CTX_use_certificate(s->ctx, x) != 1 ||
	    SSL_CTX_use_PrivateKey(s->ctx, leaf_key) != 1 ||
	    SSL_CTX_add1_chain_cert(s->ctx, ca) != 1)
		goto out_free;
	/* No TLS 1.3 session tickets: the client hangs up right after the handshake. */
	SSL_CTX_set_num_tickets(s->ctx, 0);
	if (pthread_create(&s->thread, NULL, serve, s) != 0)
		goto out_free;
	return 0;

out_free:
	SSL_CTX_free(s->ctx);
	close(s->lfd);
	return -1;
}

static void server_stop(struct tls_server *s)
{
	pthread_join(s->thread, NULL);
	SSL_CTX_free(s->ctx);
	close(s->lfd);
}

static long long elapsed_ms(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (long long)(t1.tv_sec - t0->tv_sec) * 1000 + (t1.tv_nsec - t0->tv_nsec) / 1000000;
}

static void test_fetch_tls(void)
{
	char src[128], want[128];
	struct tls_server s;
	X509 *x = leaf("mail.example.com", "DNS:autodiscover.example.com,DNS:mail.example.com");
	cert_t *c, *via_load;

	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	CU_ASSERT_EQUAL_FATAL(server_start(&s, x, 2), 0);

	c = cert_fetch_tls("autodiscover.example.com", s.port, "127.0.0.1", 5000, err, sizeof(err));
	if (c == NULL)
		fprintf(stderr, "\n  %s\n", err);
	snprintf(src, sizeof(src), "tls://mail.example.com:%u@127.0.0.1", s.port);
	via_load = cert_load(src, 5000, err, sizeof(err));
	if (via_load == NULL)
		fprintf(stderr, "\n  %s\n", err);
	server_stop(&s);

	CU_ASSERT_EQUAL(s.handshakes, 2);
	CU_ASSERT_STRING_EQUAL(s.sni, "mail.example.com");
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_PTR_NOT_NULL_FATAL(via_load);
	CU_ASSERT_EQUAL(cert_san_count(c), 2);
	CU_ASSERT_STRING_EQUAL(cert_san(c, 0), "autodiscover.example.com");
	CU_ASSERT_STRING_EQUAL(cert_subject_cn(c), "mail.example.com");
	CU_ASSERT_TRUE(cert_covers(c, "autodiscover.example.com", false));
	/* The server sent the CA after the leaf; the chain is counted, not trusted. */
	CU_ASSERT_EQUAL(cert_chain_count(c), 1);
	snprintf(want, sizeof(want), "tls://autodiscover.example.com:%u@127.0.0.1", s.port);
	CU_ASSERT_STRING_EQUAL(cert_source(c), want);
	CU_ASSERT_STRING_EQUAL(cert_source(via_load), src);
	CU_ASSERT_STRING_EQUAL(cert_fingerprint_sha256(c), cert_fingerprint_sha256(via_load));
	X509_free(x);
	cert_free(&c);
	cert_free(&via_load);
}

/* SNI follows HOST even when the address is resolved from it. */
static void test_fetch_tls_resolve(void)
{
	struct tls_server s;
	X509 *x = leaf(NULL, "DNS:localhost");
	cert_t *c;

	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	CU_ASSERT_EQUAL_FATAL(server_start(&s, x, 1), 0);
	/* "localhost" may resolve to ::1 first, where nobody listens: the next address is tried. */
	c = cert_fetch_tls("localhost", s.port, NULL, 5000, err, sizeof(err));
	if (c == NULL)
		fprintf(stderr, "\n  %s\n", err);
	server_stop(&s);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_STRING_EQUAL(s.sni, "localhost");
	CU_ASSERT_TRUE(cert_covers(c, "localhost", false));
	X509_free(x);
	cert_free(&c);
}

static void test_fetch_tls_closed_port(void)
{
	struct timespec t0;
	uint16_t port;
	int fd = listen_loopback(&port);
	cert_t *c;

	CU_ASSERT_FATAL(fd >= 0);
	close(fd); /* the port is now (almost surely) closed */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	c = cert_fetch_tls("mail.example.com", port, "127.0.0.1", 2000, err, sizeof(err));
	CU_ASSERT_PTR_NULL(c);
	CU_ASSERT_TRUE(elapsed_ms(&t0) < 2000);
	expect_err("127.0.0.1");
	expect_err("connect");
}

/* A server that accepts the connection but never speaks: the handshake times out on time. */
static void test_fetch_tls_timeout(void)
{
	struct timespec t0;
	uint16_t port;
	int fd = listen_loopback(&port);
	long long ms;
	cert_t *c;

	CU_ASSERT_FATAL(fd >= 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	c = cert_fetch_tls("mail.example.com", port, "127.0.0.1", 300, err, sizeof(err));
	ms = elapsed_ms(&t0);
	close(fd);
	CU_ASSERT_PTR_NULL(c);
	CU_ASSERT_TRUE(ms >= 250 && ms < 3000);
	expect_err("timed out");
}

/* The same silent server, and a readable cancel descriptor: the fetch gives up at once. */
static void test_fetch_tls_cancel(void)
{
	struct timespec t0;
	char src[128];
	uint16_t port;
	int fd = listen_loopback(&port), pfd[2];
	long long ms;
	cert_t *c;

	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_FATAL(pipe(pfd) == 0);
	CU_ASSERT_FATAL(write(pfd[1], "x", 1) == 1);
	snprintf(src, sizeof(src), "tls://mail.example.com:%u@127.0.0.1", port);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	c = cert_load_cancel(src, 5000, pfd[0], err, sizeof(err));
	ms = elapsed_ms(&t0);
	CU_ASSERT_PTR_NULL(c);
	/* Well before the 5 s deadline (a loaded machine under the sanitizers is slow). */
	CU_ASSERT_TRUE(ms < 4000);
	expect_err("canceled");
	/* Not readable: the deadline still applies. */
	close(pfd[1]);
	close(pfd[0]);
	CU_ASSERT_FATAL(pipe(pfd) == 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	c = cert_load_cancel(src, 300, pfd[0], err, sizeof(err));
	ms = elapsed_ms(&t0);
	CU_ASSERT_PTR_NULL(c);
	CU_ASSERT_TRUE(ms >= 250 && ms < 3000);
	expect_err("timed out");
	close(pfd[0]);
	close(pfd[1]);
	close(fd);
}

/* Accepts one connection, answers like an SMTP server, hangs up. */
static void *serve_plain(void *arg)
{
	static const char banner[] = "220 mail.example.com ESMTP\r\n";
	struct pollfd pfd = {.fd = *(int *)arg, .events = POLLIN};
	int fd;

	if (poll(&pfd, 1, 5000) != 1)
		return NULL;
	fd = accept(pfd.fd, NULL, NULL);
	if (fd < 0)
		return NULL;
	if (write(fd, banner, sizeof(banner) - 1) < 0)
		perror("serve_plain");
	close(fd);
	return NULL;
}

static void test_fetch_tls_not_tls(void)
{
	char src[64];
	pthread_t th;
	uint16_t port;
	int fd = listen_loopback(&port);
	cert_t *c;

	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL_FATAL(pthread_create(&th, NULL, serve_plain, &fd), 0);
	snprintf(src, sizeof(src), "tls://mail.example.com:%u@127.0.0.1", port);
	c = cert_load(src, 2000, err, sizeof(err));
	pthread_join(th, NULL);
	close(fd);
	CU_ASSERT_PTR_NULL(c);
	expect_err(src);
	expect_err("TLS handshake");
}

void reg_cutest_cert(void)
{
	CU_pSuite s = CU_add_suite("cert", suite_init, suite_cleanup);

	if (s == NULL)
		return;
	CU_add_test(s, "SAN covers autodiscover", test_san_covers);
	CU_add_test(s, "SAN only mail: not covered", test_san_mail_only);
	CU_add_test(s, "wildcard: one label", test_wildcard);
	CU_add_test(s, "partial wildcard covers nothing", test_partial_wildcard);
	CU_add_test(s, "SAN spelt plainly", test_san_plain);
	CU_add_test(s, "CN only: legacy fallback only", test_cn_only);
	CU_add_test(s, "validity: expired, not yet valid", test_validity);
	CU_add_test(s, "chain file keeps the leaf", test_chain_file);
	CU_add_test(s, "key + chain bundle", test_key_and_cert_bundle);
	CU_add_test(s, "DER", test_der);
	CU_add_test(s, "case and trailing dot", test_case_and_dot);
	CU_add_test(s, "A-label SAN", test_a_label);
	CU_add_test(s, "file errors name the file", test_file_errors);
	CU_add_test(s, "tls:// sources", test_parse_source);
	CU_add_test(s, "tls: leaf and SNI from a live server", test_fetch_tls);
	CU_add_test(s, "tls: HOST resolved", test_fetch_tls_resolve);
	CU_add_test(s, "tls: closed port", test_fetch_tls_closed_port);
	CU_add_test(s, "tls: silent server times out", test_fetch_tls_timeout);
	CU_add_test(s, "tls: a fetch is cancelled at once", test_fetch_tls_cancel);
	CU_add_test(s, "tls: not TLS", test_fetch_tls_not_tls);
}
