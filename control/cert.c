/* SPDX-License-Identifier: BSD-3-Clause */
/* cert.c: leaf certificates from PEM/DER files and live TLS endpoints; SAN extraction, matching */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "cert.h"
#include "rfile.h"
#include "sandns_err.h"

/* Certificate files beyond this are not certificates (a leaf plus a long chain is ~10 KiB). */
#define CERT_FILE_MAX (1u << 20)

struct cert {
	X509 *leaf;
	char *source;
	char **sans;
	size_t n_sans;
	char *cn;
	time_t not_before;
	time_t not_after;
	size_t chain_count;
	char fingerprint[2 * 32 + 1];
	unsigned refs; /* cert_ref() calls not yet matched by cert_free() */
};

static void seterr(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* The newest OpenSSL error as text (or FALLBACK), and the thread's error queue emptied: a
 * stale entry would otherwise be blamed on the next, unrelated failure. */
static const char *ssl_reason(char *buf, size_t len, const char *fallback)
{
	unsigned long e = ERR_peek_last_error();

	if (e == 0)
		snprintf(buf, len, "%s", fallback);
	else
		ERR_error_string_n(e, buf, len);
	ERR_clear_error();
	return buf;
}

static int asn1_to_time(const ASN1_TIME *t, time_t *out)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1)
		return SANDNS_EPARSE;
	*out = timegm(&tm);
	return SANDNS_EOK;
}

/*
 * A copy of an IA5String dNSName in lower case; NULL when it holds a NUL (a classic spoofing
 * trick: "good.example\0.evil"), is empty, or ends in a dot. A final dot is no part of a
 * dNSName (RFC 5280 4.2.1.6: the preferred name syntax), and cert_covers() (X509_check_host()
 * on the name without its dot) never matches one: listed without its dot, the entry would name
 * a host that cert_covers() denies, and the policy could pick it as the SRV target.
 */
static char *dns_name_dup(const ASN1_STRING *s)
{
	const unsigned char *d = ASN1_STRING_get0_data(s);
	int len = ASN1_STRING_length(s);
	char *out;
	int i;

	if (d == NULL || len <= 0 || memchr(d, '\0', (size_t)len) != NULL || d[len - 1] == '.')
		return NULL;
	out = malloc((size_t)len + 1);
	if (out == NULL)
		return NULL;
	for (i = 0; i < len; i++)
		out[i] = (char)tolower(d[i]);
	out[len] = '\0';
	return out;
}

static int extract_sans(cert_t *c)
{
	GENERAL_NAMES *gens = X509_get_ext_d2i(c->leaf, NID_subject_alt_name, NULL, NULL);
	int n, i, ret = SANDNS_EOK;

	if (gens == NULL)
		return SANDNS_EOK;
	n = sk_GENERAL_NAME_num(gens);
	c->sans = calloc(n > 0 ? (size_t)n : 1, sizeof(*c->sans));
	if (c->sans == NULL) {
		ret = -ENOMEM;
		goto out_free_gens;
	}
	for (i = 0; i < n; i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
		char *name;

		if (g->type != GEN_DNS)
			continue;
		name = dns_name_dup(g->d.dNSName);
		if (name != NULL)
			c->sans[c->n_sans++] = name;
	}
out_free_gens:
	GENERAL_NAMES_free(gens);
	return ret;
}

static int extract_cn(cert_t *c)
{
	const X509_NAME *subj = X509_get_subject_name(c->leaf);
	int idx = -1, last = -1;
	unsigned char *utf8 = NULL;
	int len;

	/* The last CN is the most specific one, as OpenSSL's own legacy check takes it. */
	while ((idx = X509_NAME_get_index_by_NID(subj, NID_commonName, idx)) >= 0)
		last = idx;
	if (last < 0)
		return SANDNS_EOK;
	len = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subj, last)));
	if (len < 0)
		return SANDNS_EPARSE;
	if (memchr(utf8, '\0', (size_t)len) == NULL) {
		c->cn = strdup((const char *)utf8);
		if (c->cn == NULL) {
			OPENSSL_free(utf8);
			return -ENOMEM;
		}
	}
	OPENSSL_free(utf8);
	return SANDNS_EOK;
}

/* A cert_t around LEAF (whose reference it takes over, also on failure). */
static cert_t *cert_from_x509(X509 *leaf, const char *source, size_t chain_count, char *err,
			      size_t errlen)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;
	cert_t *c = calloc(1, sizeof(*c));

	if (c == NULL) {
		X509_free(leaf);
		seterr(err, errlen, "%s: out of memory", source);
		return NULL;
	}
	c->leaf = leaf;
	c->chain_count = chain_count;
	c->source = strdup(source);
	if (c->source == NULL || extract_sans(c) != SANDNS_EOK || extract_cn(c) != SANDNS_EOK) {
		seterr(err, errlen, "%s: out of memory or unreadable subject", source);
		goto out_free_cert;
	}
	if (asn1_to_time(X509_get0_notBefore(leaf), &c->not_before) != SANDNS_EOK ||
	    asn1_to_time(X509_get0_notAfter(leaf), &c->not_after) != SANDNS_EOK) {
		seterr(err, errlen, "%s: unreadable validity period", source);
		goto out_free_cert;
	}
	if (X509_digest(leaf, EVP_sha256(), md, &mdlen) != 1 || mdlen != 32) {
		seterr(err, errlen, "%s: cannot compute the SHA-256 fingerprint", source);
		goto out_free_cert;
	}
	for (i = 0; i < mdlen; i++)
		snprintf(c->fingerprint + 2 * i, 3, "%02x", md[i]);
	ERR_clear_error();
	return c;

out_free_cert:
	ERR_clear_error();
	cert_free(&c);
	return NULL;
}

cert_t *cert_ref(cert_t *c)
{
	/* Atomic: the reload thread and the control thread's previews share the leaves. */
	__atomic_add_fetch(&c->refs, 1, __ATOMIC_RELAXED);
	return c;
}

void cert_free(cert_t **cp)
{
	cert_t *c;
	size_t i;

	if (cp == NULL || *cp == NULL)
		return;
	c = *cp;
	*cp = NULL;
	/* The last holder (no reference left to drop) frees: refs counts the others. */
	if (__atomic_fetch_sub(&c->refs, 1, __ATOMIC_ACQ_REL) > 0)
		return;
	for (i = 0; i < c->n_sans; i++)
		free(c->sans[i]);
	free(c->sans);
	free(c->cn);
	free(c->source);
	X509_free(c->leaf);
	free(c);
}

/* ---- files */

static int read_file(const char *path, unsigned char **data, size_t *len, char *err, size_t errlen)
{
	struct stat st;
	char *text = NULL;
	size_t got = 0;
	int fd, ret;

	/* Never a FIFO or a device: those could hold the control thread (rfile.h). */
	fd = rfile_open("", path, O_RDONLY, 0, 0, err, errlen);
	if (fd < 0)
		return fd;
	if (fstat(fd, &st) != 0) {
		ret = -errno;
		seterr(err, errlen, "%s: cannot stat: %s", path, strerror(errno));
		goto out_close;
	}
	if ((unsigned long long)st.st_size > CERT_FILE_MAX) {
		ret = SANDNS_ETOOBIG;
		seterr(err, errlen, "%s: %lld bytes, too large for a certificate (max %u)", path,
		       (long long)st.st_size, CERT_FILE_MAX);
		goto out_close;
	}
	/* Bounded by what is read, not by the size fstat said: the file may have grown. */
	ret = rfile_read(fd, CERT_FILE_MAX, &text, &got);
	if (ret == -EFBIG) {
		ret = SANDNS_ETOOBIG;
		seterr(err, errlen, "%s: more than %u bytes, too large for a certificate", path,
		       CERT_FILE_MAX);
		goto out_close;
	}
	if (ret != 0) {
		seterr(err, errlen, "%s: cannot read: %s", path, strerror(-ret));
		goto out_close;
	}
	*data = (unsigned char *)text;
	*len = got;
	close(fd);
	return SANDNS_EOK;

out_close:
	close(fd);
	return ret;
}

/* True when the OpenSSL error on top is the PEM reader's "no more PEM blocks". */
static bool pem_at_end(void)
{
	unsigned long e = ERR_peek_last_error();

	return e == 0 ||
	       (ERR_GET_LIB(e) == ERR_LIB_PEM && ERR_GET_REASON(e) == PEM_R_NO_START_LINE);
}

static cert_t *load_pem(const char *path, const unsigned char *data, size_t len, char *err,
			size_t errlen)
{
	char why[256];
	size_t chain = 0;
	X509 *leaf, *x;
	BIO *bio = BIO_new_mem_buf(data, (int)len);

	if (bio == NULL) {
		seterr(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	ERR_clear_error();
	/* PEM_read_bio_X509 skips blocks of other types (a private key in a bundle). */
	leaf = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	if (leaf == NULL) {
		if (pem_at_end()) {
			ERR_clear_error();
			seterr(err, errlen, "%s: no certificate in the PEM data", path);
		} else {
			seterr(err, errlen, "%s: the first certificate does not parse: %s", path,
			       ssl_reason(why, sizeof(why), "bad PEM"));
		}
		goto out_free_bio;
	}
	while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
		X509_free(x);
		chain++;
	}
	if (!pem_at_end()) {
		seterr(err, errlen, "%s: certificate %zu of the chain does not parse: %s", path,
		       chain + 2, ssl_reason(why, sizeof(why), "bad PEM"));
		X509_free(leaf);
		goto out_free_bio;
	}
	ERR_clear_error();
	BIO_free(bio);
	return cert_from_x509(leaf, path, chain, err, errlen);

out_free_bio:
	BIO_free(bio);
	return NULL;
}

cert_t *cert_load_mem(const uint8_t *buf, size_t len, const char *name, char *err, size_t errlen)
{
	const unsigned char *p = buf;
	X509 *leaf;

	if (len == 0) {
		seterr(err, errlen, "%s: empty, no certificate", name);
		return NULL;
	}
	if (len > CERT_FILE_MAX) {
		seterr(err, errlen, "%s: %zu bytes, too large for a certificate (max %u)", name,
		       len, CERT_FILE_MAX);
		return NULL;
	}
	/* PEM when the text before the first NUL holds "-----BEGIN " (as strstr() on the file
	 * read whole decided before): DER has NULs early, a PEM bundle is text throughout. */
	if (memmem(buf, strnlen((const char *)buf, len), "-----BEGIN ", 11) != NULL)
		return load_pem(name, buf, len, err, errlen);
	ERR_clear_error();
	leaf = d2i_X509(NULL, &p, (long)len);
	ERR_clear_error();
	if (leaf == NULL) {
		seterr(err, errlen, "%s: not a certificate (neither PEM nor DER X.509)", name);
		return NULL;
	}
	if (p != buf + len) {
		X509_free(leaf);
		seterr(err, errlen, "%s: %zu bytes of trailing data after the DER certificate",
		       name, (size_t)(buf + len - p));
		return NULL;
	}
	return cert_from_x509(leaf, name, 0, err, errlen);
}

cert_t *cert_load_file(const char *path, char *err, size_t errlen)
{
	unsigned char *data = NULL;
	cert_t *c = NULL;
	size_t len = 0;

	if (path == NULL || *path == '\0') {
		seterr(err, errlen, "certificate: empty file name");
		return NULL;
	}
	if (read_file(path, &data, &len, err, errlen) != SANDNS_EOK)
		return NULL;
	if (len == 0) {
		seterr(err, errlen, "%s: empty file, no certificate", path);
		goto out_free_data;
	}
	c = cert_load_mem(data, len, path, err, errlen);
out_free_data:
	free(data);
	return c;
}

/* ---- sources */

int cert_parse_source(const char *src, cert_tls_target_t *tls, char *err, size_t errlen)
{
	cert_tls_target_t t;
	const char *hp, *at, *colon, *hend;
	size_t hlen;

	if (src == NULL || strncasecmp(src, "tls://", 6) != 0)
		return CERT_SOURCE_FILE;
	memset(&t, 0, sizeof(t));
	t.port = CERT_TLS_PORT;
	hp = src + 6;
	at = strchr(hp, '@');
	hend = at != NULL ? at : hp + strlen(hp);
	colon = memchr(hp, ':', (size_t)(hend - hp));
	if (colon != NULL) {
		char *end;
		unsigned long v;

		errno = 0;
		v = strtoul(colon + 1, &end, 10);
		if (end == colon + 1 || end != hend || v == 0 || v > 65535 || errno != 0 ||
		    !isdigit((unsigned char)colon[1])) {
			seterr(err, errlen, "%s: bad port (1..65535)", src);
			return SANDNS_EPARSE;
		}
		t.port = (uint16_t)v;
		hend = colon;
	}
	hlen = (size_t)(hend - hp);
	if (hlen == 0 || hlen >= sizeof(t.host)) {
		seterr(err, errlen, "%s: %s host name", src, hlen == 0 ? "missing" : "too long a");
		return SANDNS_EPARSE;
	}
	memcpy(t.host, hp, hlen);
	if (strpbrk(t.host, "/[] \t") != NULL) {
		seterr(err, errlen, "%s: bad host name '%s'", src, t.host);
		return SANDNS_EPARSE;
	}
	if (at != NULL) {
		const char *a = at + 1;
		size_t alen = strlen(a);
		unsigned char bin[sizeof(struct in6_addr)];

		if (alen >= 2 && a[0] == '[' && a[alen - 1] == ']') {
			a++;
			alen -= 2;
		}
		if (alen == 0 || alen >= sizeof(t.addr)) {
			seterr(err, errlen, "%s: missing or bad address after '@'", src);
			return SANDNS_EPARSE;
		}
		memcpy(t.addr, a, alen);
		if (inet_pton(AF_INET, t.addr, bin) != 1 && inet_pton(AF_INET6, t.addr, bin) != 1) {
			seterr(err, errlen, "%s: '%s' is not an IPv4 or IPv6 address", src, t.addr);
			return SANDNS_EPARSE;
		}
	}
	if (tls != NULL)
		*tls = t;
	return CERT_SOURCE_TLS;
}

bool cert_any_tls(char *const *src, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strncmp(src[i], "tls://", 6) == 0)
			return true;
	return false;
}

cert_t *cert_load(const char *src, int timeout_ms, char *err, size_t errlen)
{
	return cert_load_cancel(src, timeout_ms, -1, err, errlen);
}

/* ---- live endpoints */

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* How long a fetch may wait: until DEADLINE, or until CANCEL_FD (>= 0) is readable. */
struct until {
	long long deadline;
	int cancel_fd;
};

/* Waits for EVENTS on FD within U: > 0 ready, 0 timed out, -ECANCELED, -errno. */
static int wait_fd(int fd, short events, const struct until *u)
{
	struct pollfd pfd[2] = {{.fd = fd, .events = events},
				{.fd = u->cancel_fd, .events = POLLIN}};

	for (;;) {
		long long left = u->deadline - now_ms();
		int n;

		if (left <= 0)
			return 0;
		n = poll(pfd, u->cancel_fd >= 0 ? 2 : 1, left > 60000 ? 60000 : (int)left);
		if (n > 0 && u->cancel_fd >= 0 && pfd[1].revents != 0)
			return -ECANCELED;
		if (n > 0)
			return n;
		if (n < 0 && errno != EINTR)
			return -errno;
	}
}

static void addr_text(const struct sockaddr *sa, char *buf, size_t len)
{
	char h[INET6_ADDRSTRLEN] = "?";
	const void *a = sa->sa_family == AF_INET6
			    ? (const void *)&((const struct sockaddr_in6 *)sa)->sin6_addr
			    : (const void *)&((const struct sockaddr_in *)sa)->sin_addr;

	inet_ntop(sa->sa_family, a, h, sizeof(h));
	snprintf(buf, len, sa->sa_family == AF_INET6 ? "[%s]" : "%s", h);
}

/* A connected non-blocking socket to AI, or -errno (-ETIMEDOUT past U's deadline). */
static int connect_one(const struct addrinfo *ai, const struct until *u)
{
	socklen_t sl = sizeof(int);
	int fd, ret, soerr = 0;

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
	if (fd < 0)
		return -errno;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
		return fd;
	if (errno != EINPROGRESS) {
		ret = -errno;
		goto out_close;
	}
	ret = wait_fd(fd, POLLOUT, u);
	if (ret <= 0) {
		ret = ret == 0 ? -ETIMEDOUT : ret;
		goto out_close;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) != 0) {
		ret = -errno;
		goto out_close;
	}
	if (soerr != 0) {
		ret = -soerr;
		goto out_close;
	}
	return fd;

out_close:
	close(fd);
	return ret;
}

/*
 * The handshake on the non-blocking FD, each wait bounded by U's deadline (or cancelled): a socket
 * timeout (SO_RCVTIMEO) would bound each read, not the handshake, and a server trickling bytes
 * could hold the control thread for long. Returns the peer's leaf (a new reference) or NULL + ERR.
 */
static X509 *handshake(SSL_CTX *ctx, int fd, const char *host, const struct until *u,
		       size_t *chain_count, const char *what, char *err, size_t errlen)
{
	unsigned char bin[sizeof(struct in6_addr)];
	char why[256];
	X509 *leaf = NULL;
	SSL *ssl = SSL_new(ctx);
	int r, n;

	if (ssl == NULL || SSL_set_fd(ssl, fd) != 1) {
		seterr(err, errlen, "%s: %s", what, ssl_reason(why, sizeof(why), "SSL_new failed"));
		goto out_free_ssl;
	}
	/* SNI carries names only (RFC 6066 §3): no SNI when HOST is an address literal. */
	if (inet_pton(AF_INET, host, bin) != 1 && inet_pton(AF_INET6, host, bin) != 1 &&
	    SSL_set_tlsext_host_name(ssl, host) != 1) {
		seterr(err, errlen, "%s: SNI '%s' refused: %s", what, host,
		       ssl_reason(why, sizeof(why), "bad name"));
		goto out_free_ssl;
	}
	for (;;) {
		int w;

		ERR_clear_error();
		r = SSL_connect(ssl);
		if (r == 1)
			break;
		switch (SSL_get_error(ssl, r)) {
		case SSL_ERROR_WANT_READ:
			w = wait_fd(fd, POLLIN, u);
			break;
		case SSL_ERROR_WANT_WRITE:
			w = wait_fd(fd, POLLOUT, u);
			break;
		case SSL_ERROR_SYSCALL:
			seterr(err, errlen, "%s: TLS handshake: %s", what,
			       errno != 0 ? strerror(errno) : "connection closed by the server");
			ERR_clear_error();
			goto out_free_ssl;
		default:
			seterr(err, errlen, "%s: TLS handshake failed: %s", what,
			       ssl_reason(why, sizeof(why), "protocol error"));
			goto out_free_ssl;
		}
		if (w <= 0) {
			seterr(err, errlen, "%s: TLS handshake: %s", what,
			       w == 0 ? "timed out" : strerror(-w));
			goto out_free_ssl;
		}
	}
	leaf = SSL_get1_peer_certificate(ssl);
	if (leaf == NULL) {
		seterr(err, errlen, "%s: the server presented no certificate", what);
		goto out_free_ssl;
	}
	/* On the client side the peer chain includes the leaf. */
	n = sk_X509_num(SSL_get_peer_cert_chain(ssl)); /* -1 for NULL */
	*chain_count = n > 0 ? (size_t)n - 1 : 0;
	/* No close_notify: we sent nothing worth closing, and a write to a server that already
	 * hung up is only a chance for EPIPE. */
out_free_ssl:
	SSL_free(ssl);
	ERR_clear_error();
	return leaf;
}

/*
 * SIGPIPE held off while writing to a peer that may hang up (libcurl's way): block it in this
 * thread, and afterwards swallow one that arose meanwhile, unless one was pending before.
 */
struct sigpipe_guard {
	sigset_t old;
	bool was_pending;
};

static void sigpipe_block(struct sigpipe_guard *g)
{
	sigset_t pipe, pending;

	sigemptyset(&pipe);
	sigaddset(&pipe, SIGPIPE);
	sigpending(&pending);
	g->was_pending = sigismember(&pending, SIGPIPE) == 1;
	pthread_sigmask(SIG_BLOCK, &pipe, &g->old);
}

static void sigpipe_restore(const struct sigpipe_guard *g)
{
	sigset_t pipe, pending;
	const struct timespec zero = {0, 0};

	sigemptyset(&pipe);
	sigaddset(&pipe, SIGPIPE);
	sigpending(&pending);
	if (!g->was_pending && sigismember(&pending, SIGPIPE) == 1)
		while (sigtimedwait(&pipe, NULL, &zero) < 0 && errno == EINTR)
			;
	pthread_sigmask(SIG_SETMASK, &g->old, NULL);
}

/* Whether U's cancel descriptor says to give up now. */
static bool cancelled(const struct until *u)
{
	struct pollfd pfd = {.fd = u->cancel_fd, .events = POLLIN};

	return u->cancel_fd >= 0 && poll(&pfd, 1, 0) > 0;
}

/* cert_fetch_tls(), given up at once when CANCEL_FD (>= 0) becomes readable. */
static cert_t *fetch_tls(const char *host, uint16_t port, const char *addr, int timeout_ms,
			 int cancel_fd, char *err, size_t errlen)
{
	struct addrinfo hints, *res = NULL, *ai;
	struct sigpipe_guard guard;
	char source[400], portstr[8], where[INET6_ADDRSTRLEN + 16], what[sizeof(source) + 64];
	const char *target;
	struct until u = {.cancel_fd = cancel_fd};
	size_t chain = 0;
	SSL_CTX *ctx;
	X509 *leaf = NULL;
	cert_t *c = NULL;
	bool have_addr = addr != NULL && *addr != '\0';
	int r;

	if (host == NULL || *host == '\0') {
		seterr(err, errlen, "tls://: missing host name");
		return NULL;
	}
	if (port == 0)
		port = CERT_TLS_PORT;
	if (timeout_ms <= 0)
		timeout_ms = CERT_TIMEOUT_MS;
	if (have_addr && strchr(addr, ':') != NULL)
		snprintf(source, sizeof(source), "tls://%s:%u@[%s]", host, port, addr);
	else
		snprintf(source, sizeof(source), "tls://%s:%u%s%s", host, port,
			 have_addr ? "@" : "", have_addr ? addr : "");
	snprintf(portstr, sizeof(portstr), "%u", port);

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV | (have_addr ? AI_NUMERICHOST : 0);
	target = have_addr ? addr : host;
	r = getaddrinfo(target, portstr, &hints, &res);
	if (r != 0) {
		seterr(err, errlen, "%s: cannot resolve '%s': %s", source, target,
		       r == EAI_SYSTEM ? strerror(errno) : gai_strerror(r));
		return NULL;
	}
	/* getaddrinfo cannot be cancelled: a stop that came meanwhile is seen here. */
	if (cancelled(&u)) {
		seterr(err, errlen, "%s: %s", source, strerror(ECANCELED));
		freeaddrinfo(res);
		return NULL;
	}

	ctx = SSL_CTX_new(TLS_client_method());
	if (ctx == NULL) {
		seterr(err, errlen, "%s: %s", source,
		       ssl_reason(what, sizeof(what), "SSL_CTX_new failed"));
		goto out_free_res;
	}
	/* We read what is deployed, trusted or not, weak or not: no verification, and security
	 * level 0 so that an old RSA-1024 or SHA-1 leaf is still read rather than refused. */
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	SSL_CTX_set_security_level(ctx, 0);

	sigpipe_block(&guard);
	u.deadline = now_ms() + timeout_ms;
	for (ai = res; ai != NULL && leaf == NULL; ai = ai->ai_next) {
		int fd;

		addr_text(ai->ai_addr, where, sizeof(where));
		snprintf(what, sizeof(what), "%s (%s)", source, where);
		fd = connect_one(ai, &u);
		if (fd < 0) {
			seterr(err, errlen, "%s: connect: %s", what,
			       fd == -ETIMEDOUT ? "timed out" : strerror(-fd));
			if (now_ms() >= u.deadline || cancelled(&u))
				break;
			continue;
		}
		leaf = handshake(ctx, fd, host, &u, &chain, what, err, errlen);
		close(fd);
		if (now_ms() >= u.deadline || cancelled(&u))
			break;
	}
	sigpipe_restore(&guard);
	if (leaf != NULL)
		c = cert_from_x509(leaf, source, chain, err, errlen);

	SSL_CTX_free(ctx);
out_free_res:
	freeaddrinfo(res);
	ERR_clear_error();
	return c;
}

cert_t *cert_fetch_tls(const char *host, uint16_t port, const char *addr, int timeout_ms, char *err,
		       size_t errlen)
{
	return fetch_tls(host, port, addr, timeout_ms, -1, err, errlen);
}

cert_t *cert_load_cancel(const char *src, int timeout_ms, int cancel_fd, char *err, size_t errlen)
{
	cert_tls_target_t t;
	int kind = cert_parse_source(src, &t, err, errlen);

	if (kind < 0)
		return NULL;
	if (kind == CERT_SOURCE_TLS)
		return fetch_tls(t.host, t.port, t.addr, timeout_ms, cancel_fd, err, errlen);
	return cert_load_file(src, err, errlen);
}

/* ---- accessors and matching */

size_t cert_san_count(const cert_t *c)
{
	return c->n_sans;
}

const char *cert_san(const cert_t *c, size_t i)
{
	return i < c->n_sans ? c->sans[i] : NULL;
}

bool cert_san_plain(const cert_t *c, size_t i)
{
	const char *p = cert_san(c, i);
	size_t label = 0, len = 0;

	if (p == NULL)
		return false;
	for (; *p != '\0'; p++, len++) {
		if (*p == '.' && label == 0)
			return false; /* an empty label */
		label = *p == '.' ? 0 : label + 1;
		/* The target is written as text into the SRV's RDATA, where '\' escapes, ';'
		 * starts a comment and parentheses group: each would make it another name. */
		if (label > 63 || strchr("*\\;()", *p) != NULL)
			return false;
	}
	return label > 0 && len <= 253;
}

const char *cert_subject_cn(const cert_t *c)
{
	return c->cn;
}

time_t cert_not_before(const cert_t *c)
{
	return c->not_before;
}

time_t cert_not_after(const cert_t *c)
{
	return c->not_after;
}

int cert_validity(const cert_t *c, time_t now)
{
	if (now < c->not_before)
		return -1;
	if (now > c->not_after)
		return 1;
	return 0;
}

const char *cert_source(const cert_t *c)
{
	return c->source;
}

size_t cert_chain_count(const cert_t *c)
{
	return c->chain_count;
}

const char *cert_fingerprint_sha256(const cert_t *c)
{
	return c->fingerprint;
}

bool cert_covers(const cert_t *c, const char *name, bool legacy_cn_fallback)
{
	unsigned int flags =
	    X509_CHECK_FLAG_NEVER_CHECK_SUBJECT | X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS;
	size_t len;
	int r;

	if (c == NULL || name == NULL)
		return false;
	len = strlen(name);
	if (len > 0 && name[len - 1] == '.')
		len--;
	/* X509_check_host reads a leading dot as "any subdomain of": not a host name for us. */
	if (len == 0 || name[0] == '.' || memchr(name, '*', len) != NULL)
		return false;
	/* Without NEVER_CHECK_SUBJECT OpenSSL looks at the CN only when there is no dNSName SAN,
	 * which is exactly the legacy rule. */
	if (legacy_cn_fallback && c->n_sans == 0)
		flags &= ~(unsigned int)X509_CHECK_FLAG_NEVER_CHECK_SUBJECT;
	r = X509_check_host(c->leaf, name, len, flags, NULL);
	ERR_clear_error();
	return r == 1;
}
