/* SPDX-License-Identifier: BSD-3-Clause */
/* adcheck_net.c: autodiscover-check's network: DNS with ldns, TCP, TLS and one HTTP GET, bounded */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ldns/ldns.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "adcheck.h"
#include "zload_ldnsfix.h"

/* ---------------------------------------------------------------- DNS */

/* CNAME links followed from the name asked to its records, as a resolver's chain (RFC 1034 3.6.2).
 */
#define AD_CNAME_HOPS 8

static void dns_start(ad_dns_t *out, const char *qname, uint16_t qtype)
{
	memset(out, 0, sizeof(*out));
	snprintf(out->qname, sizeof(out->qname), "%s", qname);
	out->qtype = qtype;
}

/* Keeps RR when it is of OUT's type. */
static void dns_add_rr(ad_dns_t *out, const ldns_rr *rr)
{
	char *s;
	size_t i, off = 0;

	if (ldns_rr_get_type(rr) != out->qtype)
		return;
	if (out->nrr < AD_RR_MAX) {
		s = ldns_rr2str(rr);
		snprintf(out->rr[out->nrr], AD_RR_LEN, "%s", s != NULL ? s : "?");
		free(s);
		out->rr[out->nrr][strcspn(out->rr[out->nrr], "\n")] = '\0';
		for (i = 0; i < ldns_rr_rd_count(rr); i++) {
			s = ldns_rdf2str(ldns_rr_rdf(rr, i));
			off += (size_t)snprintf(out->rdata[out->nrr] + off,
						off < AD_RR_LEN ? AD_RR_LEN - off : 0, "%s%s",
						i > 0 ? " " : "", s != NULL ? s : "?");
			free(s);
			if (off >= AD_RR_LEN)
				break;
		}
	}
	out->nrr++;
}

/* The kind of OUT from RCODE once its records are in. */
static void dns_finish(ad_dns_t *out, ldns_pkt_rcode rcode)
{
	const ldns_lookup_table *t = ldns_lookup_by_id(ldns_rcodes, (int)rcode);

	if (rcode == LDNS_RCODE_NXDOMAIN) {
		out->kind = AD_DNS_NXDOMAIN;
	} else if (rcode != LDNS_RCODE_NOERROR) {
		out->kind = AD_DNS_ERROR;
		snprintf(out->error, sizeof(out->error), "rcode %s",
			 t != NULL ? t->name : "unknown");
	} else {
		out->kind = out->nrr > 0 ? AD_DNS_ANSWER : AD_DNS_NODATA;
	}
}

/*
 * --resolver: one UDP query, its answers read on a socket connected to the server (the kernel
 * drops what comes from elsewhere). As a stub resolver does (RFC 5452 section 9.1), an answer
 * is taken only when its ID, QR, opcode and question (name without regard to case, type, class)
 * are the query's; any other is ignored and the wait goes on until the timeout, so a spoofed
 * answer neither counts nor hides the real one.
 */
struct ad_resolver {
	struct sockaddr_storage ss;
	socklen_t sslen;
	int timeout_ms;
};

void *adcheck_resolver_new(const char *addr, uint16_t port, int timeout_ms)
{
	struct ad_resolver *r = calloc(1, sizeof(*r));
	struct sockaddr_in *s4 = (struct sockaddr_in *)&r->ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&r->ss;

	if (r == NULL)
		return NULL;
	if (inet_pton(AF_INET, addr, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		r->sslen = sizeof(*s4);
	} else if (inet_pton(AF_INET6, addr, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		r->sslen = sizeof(*s6);
	} else {
		free(r);
		return NULL;
	}
	r->timeout_ms = timeout_ms;
	return r;
}

void adcheck_resolver_free(void *res)
{
	free(res);
}

static long long now_ms(void);
static int wait_fd(int fd, short events, long long deadline);

/* Whether ANSWER (N octets) answers QUERY (its ID, QR, opcode and question); *PKT the parse. */
static bool dns_matches(const uint8_t *answer, size_t n, const ldns_pkt *query, ldns_pkt **pkt)
{
	const ldns_rr *q = ldns_rr_list_rr(ldns_pkt_question(query), 0), *a;

	*pkt = NULL;
	if (n < 12 || ((answer[0] << 8) | answer[1]) != ldns_pkt_id(query) || !(answer[2] & 0x80) ||
	    ((answer[2] >> 3) & 0x0f) != LDNS_PACKET_QUERY)
		return false;
	if (ldns_wire2pkt(pkt, answer, n) != LDNS_STATUS_OK)
		return false;
	if (ldns_pkt_qdcount(*pkt) != 1 || ldns_rr_list_rr_count(ldns_pkt_question(*pkt)) != 1)
		goto out_no;
	a = ldns_rr_list_rr(ldns_pkt_question(*pkt), 0);
	if (ldns_dname_compare(ldns_rr_owner(a), ldns_rr_owner(q)) != 0 ||
	    ldns_rr_get_type(a) != ldns_rr_get_type(q) ||
	    ldns_rr_get_class(a) != ldns_rr_get_class(q))
		goto out_no;
	return true;
out_no:
	ldns_pkt_free(*pkt);
	*pkt = NULL;
	return false;
}

/*
 * Sends QUERY to R and waits (R's timeout as a whole) for the answer that matches it into *PKT;
 * false with OUT's error said when none came.
 */
static bool dns_exchange(const struct ad_resolver *r, const ldns_pkt *query, ldns_pkt **pkt,
			 ad_dns_t *out)
{
	const long long deadline = now_ms() + r->timeout_ms;
	uint8_t *wire = NULL, buf[65536];
	unsigned ignored = 0;
	size_t wlen = 0;
	ssize_t n;
	int fd, w;
	bool got = false;

	*pkt = NULL;
	if (ldns_pkt2wire(&wire, query, &wlen) != LDNS_STATUS_OK) {
		snprintf(out->error, sizeof(out->error), "cannot build the query");
		return false;
	}
	fd = socket(r->ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0 || connect(fd, (const struct sockaddr *)&r->ss, r->sslen) != 0 ||
	    send(fd, wire, wlen, 0) != (ssize_t)wlen) {
		snprintf(out->error, sizeof(out->error), "no answer: %s", strerror(errno));
		goto out;
	}
	for (;;) {
		w = wait_fd(fd, POLLIN, deadline);
		if (w <= 0) {
			if (ignored > 0)
				snprintf(out->error, sizeof(out->error),
					 "no answer within %d ms (%u ignored that did not match "
					 "the question: another ID or question, or unreadable)",
					 r->timeout_ms, ignored);
			else
				snprintf(out->error, sizeof(out->error), "no answer within %d ms",
					 r->timeout_ms);
			break;
		}
		n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0) {
			snprintf(out->error, sizeof(out->error), "no answer: %s", strerror(errno));
			break;
		}
		if (dns_matches(buf, (size_t)n, query, pkt)) {
			got = true;
			break;
		}
		ignored++;
	}
out:
	if (fd >= 0)
		close(fd);
	free(wire);
	return got;
}

/*
 * PKT's answer into OUT, as a stub resolver reads it: the records at the name asked, or at the
 * end of the CNAME chain from it (AD_CNAME_HOPS links at most, which bounds a loop); a record of
 * another owner answers nothing that was asked, whatever the server put it there for.
 */
static void dns_take_answer(ad_dns_t *out, const ldns_pkt *pkt)
{
	const ldns_rr_list *an = ldns_pkt_answer(pkt);
	const ldns_rdf *at = ldns_rr_owner(ldns_rr_list_rr(ldns_pkt_question(pkt), 0));
	size_t n = an != NULL ? ldns_rr_list_rr_count(an) : 0;

	for (int hop = 0; hop <= AD_CNAME_HOPS; hop++) {
		const ldns_rdf *next = NULL;

		for (size_t i = 0; i < n; i++) {
			const ldns_rr *rr = ldns_rr_list_rr(an, i);

			if (ldns_dname_compare(ldns_rr_owner(rr), at) != 0)
				continue;
			if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_CNAME &&
			    out->qtype != LDNS_RR_TYPE_CNAME && ldns_rr_rd_count(rr) == 1)
				next = ldns_rr_rdf(rr, 0);
			else
				dns_add_rr(out, rr);
		}
		if (next == NULL || out->nrr > 0)
			return;
		at = next;
	}
}

bool adcheck_resolver_ask(void *res, const char *qname, uint16_t qtype, ad_dns_t *out)
{
	ldns_rdf *name = ldns_dname_new_frm_str(qname);
	ldns_pkt *query, *pkt = NULL;
	uint16_t id;

	dns_start(out, qname, qtype);
	if (name == NULL) {
		out->kind = AD_DNS_ERROR;
		snprintf(out->error, sizeof(out->error), "not a domain name");
		return true;
	}
	/* No RD (an authoritative server is asked), no EDNS: a truncated answer stays so. */
	query = ldns_pkt_query_new(name, (ldns_rr_type)qtype, LDNS_RR_CLASS_IN, 0);
	if (query == NULL) {
		ldns_rdf_deep_free(name);
		out->kind = AD_DNS_ERROR;
		snprintf(out->error, sizeof(out->error), "out of memory");
		return false;
	}
	if (getentropy(&id, sizeof(id)) != 0)
		id = (uint16_t)(now_ms() ^ getpid());
	ldns_pkt_set_id(query, id);
	if (!dns_exchange(res, query, &pkt, out)) {
		out->kind = AD_DNS_ERROR;
		ldns_pkt_free(query);
		return false;
	}
	ldns_pkt_free(query);
	if (ldns_pkt_tc(pkt)) {
		/* Not NODATA: the records did not fit, or a rate limiter slipped an empty answer
		 * (RRL's TC), and what is here may be only part of them: the server was not
		 * heard, as when no answer comes. */
		out->kind = AD_DNS_ERROR;
		snprintf(out->error, sizeof(out->error),
			 "the answer is truncated (TC: too large for UDP, or rate-limited), "
			 "not read as NODATA");
		ldns_pkt_free(pkt);
		return false;
	}
	dns_take_answer(out, pkt);
	dns_finish(out, ldns_pkt_get_rcode(pkt));
	ldns_pkt_free(pkt);
	return true;
}

bool adcheck_dns_from_text(const char *text, const char *qname, uint16_t qtype, ad_dns_t *out)
{
	const ldns_lookup_table *t;
	char line[1024], rcode[32];
	const char *p = text, *nl;
	ldns_rdf *root = ldns_dname_new_frm_str(".");
	ldns_rr *rr;
	bool first = true, ok = false;

	dns_start(out, qname, qtype);
	rcode[0] = '\0';
	while (*p != '\0') {
		size_t len;

		nl = strchr(p, '\n');
		len = nl != NULL ? (size_t)(nl - p) : strlen(p);
		/* A line longer than the buffer is cut (the daemon writes none that long). */
		memcpy(line, p, len < sizeof(line) ? len : sizeof(line) - 1);
		line[len < sizeof(line) ? len : sizeof(line) - 1] = '\0';
		p += nl != NULL ? len + 1 : len;
		if (first) {
			if (sscanf(line, "rcode %31s", rcode) != 1)
				goto out;
			first = false;
			continue;
		}
		if (line[0] == '\0' || line[0] == ';')
			continue;
		/*
		 * The daemon writes names as ldns does, "@" bare: read as the loader reads a
		 * zone's, not as ldns alone (which takes "@.mail.example." for the origin).
		 */
		if (root == NULL || zload_rr_frm_str(&rr, line, 0, root) != LDNS_STATUS_OK)
			goto out;
		dns_add_rr(out, rr);
		ldns_rr_free(rr);
	}
	t = ldns_lookup_by_name(ldns_rcodes, rcode);
	if (first || t == NULL)
		goto out;
	dns_finish(out, (ldns_pkt_rcode)t->id);
	ok = true;
out:
	ldns_rdf_deep_free(root);
	return ok;
}

/* ---------------------------------------------------------------- TCP, TLS, HTTP */

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits for EVENTS on FD until DEADLINE: 1 ready, 0 timed out, -1 error. */
static int wait_fd(int fd, short events, long long deadline)
{
	struct pollfd pfd = {.fd = fd, .events = events};
	long long left;
	int n;

	for (;;) {
		left = deadline - now_ms();
		if (left <= 0)
			return 0;
		n = poll(&pfd, 1, (int)left);
		if (n < 0 && errno == EINTR)
			continue;
		return n < 0 ? -1 : n > 0;
	}
}

/* A non-blocking TCP connection to ADDR:PORT recorded in A; the socket, or -1. */
static int tcp_connect(const char *addr, uint16_t port, int timeout_ms, ad_attempt_t *a)
{
	struct sockaddr_storage ss = {0};
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
	socklen_t sl, el = sizeof(int);
	int fd, err = 0, w;

	snprintf(a->addr, sizeof(a->addr), "%s", addr);
	if (inet_pton(AF_INET, addr, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		sl = sizeof(*s4);
	} else if (inet_pton(AF_INET6, addr, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		sl = sizeof(*s6);
	} else {
		a->conn = AD_CONN_ERROR;
		snprintf(a->error, sizeof(a->error), "not an address");
		return -1;
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		a->conn = AD_CONN_ERROR;
		snprintf(a->error, sizeof(a->error), "socket: %s", strerror(errno));
		return -1;
	}
	if (connect(fd, (struct sockaddr *)&ss, sl) != 0) {
		if (errno != EINPROGRESS) {
			err = errno;
		} else {
			w = wait_fd(fd, POLLOUT, now_ms() + timeout_ms);
			if (w == 0) {
				a->conn = AD_CONN_TIMEOUT;
				snprintf(a->error, sizeof(a->error), "no answer within %d ms",
					 timeout_ms);
				close(fd);
				return -1;
			}
			if (w < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) != 0)
				err = errno;
		}
	}
	if (err != 0) {
		a->conn = err == ECONNREFUSED ? AD_CONN_REFUSED : AD_CONN_ERROR;
		snprintf(a->error, sizeof(a->error), "%s", strerror(err));
		close(fd);
		return -1;
	}
	a->conn = AD_CONN_OK;
	return fd;
}

/* What a client makes of the certificate SSL got, for HOST: names, dates, verification. */
static void cert_read(SSL *ssl, const char *host, ad_cert_t *c)
{
	X509 *x = SSL_get1_peer_certificate(ssl);
	long v;

	if (x == NULL)
		return;
	adcheck_cert_fill(x, host, c);
	v = SSL_get_verify_result(ssl);
	c->verified = v == X509_V_OK;
	if (!c->verified)
		snprintf(c->verify_error, sizeof(c->verify_error), "%s",
			 X509_verify_cert_error_string(v));
	X509_free(x);
}

bool adcheck_ca_loads(const char *ca)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	bool ok = ctx != NULL && SSL_CTX_load_verify_locations(ctx, ca, NULL) == 1;

	SSL_CTX_free(ctx);
	ERR_clear_error();
	return ok;
}

/* A TLS handshake on FD with SNI P->host, bounded; the certificate checked (not enforced). */
static void tls_probe(ad_probe_t *p, int fd, const char *ca, int timeout_ms)
{
	const long long deadline = now_ms() + timeout_ms;
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	SSL *ssl = NULL;
	unsigned long e;
	int rc, err, w;

	p->tls_tried = true;
	if (ctx == NULL)
		goto out_ssl_err;
	if (ca != NULL && SSL_CTX_load_verify_locations(ctx, ca, NULL) != 1) {
		snprintf(p->tls_error, sizeof(p->tls_error), "cannot load the CA file %s", ca);
		goto out;
	}
	if (ca == NULL && SSL_CTX_set_default_verify_paths(ctx) != 1)
		goto out_ssl_err;
	/* Record the verification, never abort on it: what a client would say is ours to judge. */
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	ssl = SSL_new(ctx);
	if (ssl == NULL || SSL_set_fd(ssl, fd) != 1 || SSL_set_tlsext_host_name(ssl, p->host) != 1)
		goto out_ssl_err;
	for (;;) {
		ERR_clear_error();
		rc = SSL_connect(ssl);
		if (rc == 1)
			break;
		err = SSL_get_error(ssl, rc);
		if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE) {
			e = ERR_peek_error();
			if (e != 0)
				goto out_ssl_err;
			snprintf(p->tls_error, sizeof(p->tls_error), "%s",
				 err == SSL_ERROR_SYSCALL && errno != 0
				     ? strerror(errno)
				     : "the server closed the connection");
			goto out;
		}
		w = wait_fd(fd, err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline);
		if (w <= 0) {
			snprintf(p->tls_error, sizeof(p->tls_error),
				 w == 0 ? "timed out: no handshake within %d ms" : "poll failed",
				 timeout_ms);
			goto out;
		}
	}
	p->tls_ok = true;
	cert_read(ssl, p->host, &p->cert);
	goto out;

out_ssl_err:
	e = ERR_get_error();
	if (e != 0)
		ERR_error_string_n(e, p->tls_error, sizeof(p->tls_error));
	else
		snprintf(p->tls_error, sizeof(p->tls_error), "TLS setup failed");
out:
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	ERR_clear_error();
}

bool adcheck_parse_http(const char *head, size_t len, int *status, char *loc, size_t loclen)
{
	const char *p = head, *end = head + len, *nl;
	char line[AD_HTTP_MAX];
	int minor;

	if (loclen > 0)
		loc[0] = '\0';
	nl = memchr(p, '\n', len);
	if (nl == NULL)
		return false;
	snprintf(line, sizeof(line), "%.*s", (int)(nl - p), p);
	if (sscanf(line, "HTTP/1.%d %3d", &minor, status) != 2 || *status < 100 || *status > 999)
		return false;
	for (p = nl + 1; p < end; p = nl + 1) {
		size_t n;

		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		n = (size_t)(nl - p);
		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (n == 0)
			break;
		if (n > 9 && strncasecmp(p, "location:", 9) == 0) {
			const char *v = p + 9;

			while (v < p + n && (*v == ' ' || *v == '\t'))
				v++;
			snprintf(loc, loclen, "%.*s", (int)(p + n - v), v);
			adcheck_printable(loc);
		}
	}
	return true;
}

/* GET PATH on FD (Host P->host); its status line and Location, bounded in time and size. */
static void http_probe(ad_probe_t *p, int fd, const char *path, int timeout_ms)
{
	const long long deadline = now_ms() + timeout_ms;
	char req[1024], head[AD_HTTP_MAX + 1];
	size_t len = 0, off = 0;
	ssize_t n;
	int w;

	p->http_tried = true;
	len = (size_t)snprintf(
	    req, sizeof(req),
	    "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: sandnsctl autodiscover-check"
	    "\r\nConnection: close\r\n\r\n",
	    path, p->host);
	while (off < len) {
		w = wait_fd(fd, POLLOUT, deadline);
		if (w <= 0)
			goto out_timeout;
		n = send(fd, req + off, len - off, MSG_NOSIGNAL);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n < 0) {
			snprintf(p->http_error, sizeof(p->http_error), "send: %s", strerror(errno));
			return;
		}
		off += (size_t)n;
	}
	len = 0;
	while (len < AD_HTTP_MAX) {
		w = wait_fd(fd, POLLIN, deadline);
		if (w <= 0)
			goto out_timeout;
		n = recv(fd, head + len, AD_HTTP_MAX - len, 0);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
		head[len] = '\0';
		if (strstr(head, "\r\n\r\n") != NULL || strstr(head, "\n\n") != NULL)
			break;
	}
	head[len] = '\0';
	if (!adcheck_parse_http(head, len, &p->http_status, p->location, sizeof(p->location)))
		snprintf(p->http_error, sizeof(p->http_error), "no HTTP status line in the reply");
	return;

out_timeout:
	snprintf(p->http_error, sizeof(p->http_error), "timed out: no reply within %d ms",
		 timeout_ms);
}

void adcheck_probe_net(ad_probe_t *p, const char *path, const char *ca, int timeout_ms)
{
	const ad_dns_t *q[2] = {&p->a, &p->aaaa};
	int fd;

	for (size_t k = 0; k < 2; k++) {
		for (size_t i = 0; i < q[k]->nrr && i < AD_RR_MAX; i++) {
			ad_attempt_t *a;

			if (p->nattempts >= AD_ADDR_MAX)
				return;
			a = &p->attempts[p->nattempts++];
			fd = tcp_connect(q[k]->rdata[i], p->port, timeout_ms, a);
			if (fd < 0)
				continue;
			if (p->tls)
				tls_probe(p, fd, ca, timeout_ms);
			else
				http_probe(p, fd, path, timeout_ms);
			close(fd);
			return;
		}
	}
}
