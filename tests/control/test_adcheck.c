/* SPDX-License-Identifier: BSD-3-Clause */
/* test_adcheck.c: CUnit suite for sandnsctl autodiscover-check's parts (control/adcheck*.c);
 * the network only on loopback (a fake --resolver) */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "adcheck.h"
#include "cutest.h"
#include "tutil.h"

static void test_domain(void)
{
	char d[256];

	CU_ASSERT(adcheck_domain("user@Example.COM", d, sizeof(d)));
	CU_ASSERT_STRING_EQUAL(d, "example.com");
	CU_ASSERT(adcheck_domain("a.b@mail.example.com.", d, sizeof(d)));
	CU_ASSERT_STRING_EQUAL(d, "mail.example.com");
	CU_ASSERT(!adcheck_domain("example.com", d, sizeof(d)));
	CU_ASSERT(!adcheck_domain("@example.com", d, sizeof(d)));
	CU_ASSERT(!adcheck_domain("user@", d, sizeof(d)));
	CU_ASSERT(!adcheck_domain("a@b@example.com", d, sizeof(d)));
	CU_ASSERT(!adcheck_domain("user@exa mple.com", d, sizeof(d)));
	CU_ASSERT(!adcheck_domain("user@example..com", d, sizeof(d)));
	CU_ASSERT(!adcheck_domain("user@.example.com", d, sizeof(d)));
	CU_ASSERT(!adcheck_domain("user@example.com", d, 5));
}

static void test_step_urls(void)
{
	char u[128];

	CU_ASSERT(adcheck_step_url(1, "example.com", u, sizeof(u)));
	CU_ASSERT_STRING_EQUAL(u, "https://example.com/Autodiscover/Autodiscover.xml");
	CU_ASSERT(adcheck_step_url(2, "example.com", u, sizeof(u)));
	CU_ASSERT_STRING_EQUAL(u, "https://autodiscover.example.com/Autodiscover/Autodiscover.xml");
	CU_ASSERT(adcheck_step_url(3, "example.com", u, sizeof(u)));
	CU_ASSERT_STRING_EQUAL(u, "http://autodiscover.example.com/Autodiscover/Autodiscover.xml");
	CU_ASSERT(!adcheck_step_url(4, "example.com", u, sizeof(u)));
	CU_ASSERT(!adcheck_step_url(0, "example.com", u, sizeof(u)));
	CU_ASSERT(!adcheck_step_url(2, "example.com", u, 20));
}

static void test_parse_url(void)
{
	char h[256];
	uint16_t port = 0;
	bool tls = false;

	CU_ASSERT(adcheck_parse_url("https://Mail.Example.com/Autodiscover/Autodiscover.xml", &tls,
				    h, sizeof(h), &port));
	CU_ASSERT(tls);
	CU_ASSERT_STRING_EQUAL(h, "mail.example.com");
	CU_ASSERT_EQUAL(port, 443);
	CU_ASSERT(adcheck_parse_url("http://autodiscover.example.com", &tls, h, sizeof(h), &port));
	CU_ASSERT(!tls);
	CU_ASSERT_EQUAL(port, 80);
	CU_ASSERT(
	    adcheck_parse_url("https://mail.example.com.:8443/x?y", &tls, h, sizeof(h), &port));
	CU_ASSERT_STRING_EQUAL(h, "mail.example.com");
	CU_ASSERT_EQUAL(port, 8443);
	CU_ASSERT(adcheck_parse_url("HTTPS://[2001:db8::25]:444/", &tls, h, sizeof(h), &port));
	CU_ASSERT(tls);
	CU_ASSERT_STRING_EQUAL(h, "2001:db8::25");
	CU_ASSERT_EQUAL(port, 444);
	CU_ASSERT(!adcheck_parse_url("ftp://example.com/", &tls, h, sizeof(h), &port));
	CU_ASSERT(!adcheck_parse_url("https:///x", &tls, h, sizeof(h), &port));
	CU_ASSERT(!adcheck_parse_url("https://example.com:0/", &tls, h, sizeof(h), &port));
	CU_ASSERT(!adcheck_parse_url("https://example.com:70000/", &tls, h, sizeof(h), &port));
	CU_ASSERT(!adcheck_parse_url("https://user@example.com/", &tls, h, sizeof(h), &port));
	CU_ASSERT(!adcheck_parse_url("https://[2001:db8::25/", &tls, h, sizeof(h), &port));
	CU_ASSERT(!adcheck_parse_url("/Autodiscover/Autodiscover.xml", &tls, h, sizeof(h), &port));
}

static void test_parse_server(void)
{
	char a[64];
	uint16_t port = 0;

	CU_ASSERT(adcheck_parse_server("127.0.0.1", a, sizeof(a), &port));
	CU_ASSERT_STRING_EQUAL(a, "127.0.0.1");
	CU_ASSERT_EQUAL(port, 53);
	CU_ASSERT(adcheck_parse_server("198.18.0.2@5353", a, sizeof(a), &port));
	CU_ASSERT_EQUAL(port, 5353);
	CU_ASSERT(adcheck_parse_server("2001:db8::1@53", a, sizeof(a), &port));
	CU_ASSERT_STRING_EQUAL(a, "2001:db8::1");
	CU_ASSERT(!adcheck_parse_server("ns1.example.com", a, sizeof(a), &port));
	CU_ASSERT(!adcheck_parse_server("127.0.0.1@", a, sizeof(a), &port));
	CU_ASSERT(!adcheck_parse_server("127.0.0.1@0", a, sizeof(a), &port));
	CU_ASSERT(!adcheck_parse_server("127.0.0.1@65536", a, sizeof(a), &port));
	CU_ASSERT(!adcheck_parse_server("127.0.0.1@53x", a, sizeof(a), &port));
	CU_ASSERT(!adcheck_parse_server("@53", a, sizeof(a), &port));
}

static void test_parse_http(void)
{
	static const char redirect[] = "HTTP/1.1 302 Found\r\nServer: x\r\n"
				       "location:  https://mail.example.com/Autodiscover/"
				       "Autodiscover.xml\r\n\r\nbody Location: no";
	char loc[256];
	int st = 0;

	CU_ASSERT(adcheck_parse_http(redirect, strlen(redirect), &st, loc, sizeof(loc)));
	CU_ASSERT_EQUAL(st, 302);
	CU_ASSERT_STRING_EQUAL(loc, "https://mail.example.com/Autodiscover/Autodiscover.xml");
	CU_ASSERT(adcheck_parse_http("HTTP/1.0 404 Not Found\n\n", 24, &st, loc, sizeof(loc)));
	CU_ASSERT_EQUAL(st, 404);
	CU_ASSERT_STRING_EQUAL(loc, "");
	CU_ASSERT(!adcheck_parse_http("SSH-2.0-OpenSSH\r\n", 17, &st, loc, sizeof(loc)));
	CU_ASSERT(!adcheck_parse_http("HTTP/1.1 302", 12, &st, loc, sizeof(loc)));
	/* A terminal escape sequence in a Location is never printed as it came. */
	CU_ASSERT(
	    adcheck_parse_http("HTTP/1.1 302 Found\r\nLocation: https://x/\x1b[2J\x07\r\n\r\n", 49,
			       &st, loc, sizeof(loc)));
	CU_ASSERT_STRING_EQUAL(loc, "https://x/?[2J?");
}

/* An SRV answer of the records RDATA (NULL-terminated). */
static void srv_answer(ad_dns_t *d, const char *const *rdata)
{
	memset(d, 0, sizeof(*d));
	d->qtype = 33;
	for (; *rdata != NULL; rdata++)
		snprintf(d->rdata[d->nrr++], AD_RR_LEN, "%s", *rdata);
	d->kind = d->nrr > 0 ? AD_DNS_ANSWER : AD_DNS_NODATA;
}

static void test_srv_pick(void)
{
	static const char *const one[] = {"0 0 443 mail.example.com.", NULL};
	static const char *const many[] = {"10 5 443 b.example.com.", "0 1 444 c.example.com.",
					   "0 9 8443 a.example.com.", NULL};
	static const char *const root[] = {"0 0 0 .", NULL};
	static const char *const none[] = {NULL};
	char t[256];
	uint16_t port = 0;
	ad_dns_t d;

	srv_answer(&d, one);
	CU_ASSERT(adcheck_srv_pick(&d, t, sizeof(t), &port));
	CU_ASSERT_STRING_EQUAL(t, "mail.example.com");
	CU_ASSERT_EQUAL(port, 443);
	srv_answer(&d, many);
	CU_ASSERT(adcheck_srv_pick(&d, t, sizeof(t), &port));
	CU_ASSERT_STRING_EQUAL(t, "a.example.com");
	CU_ASSERT_EQUAL(port, 8443);
	srv_answer(&d, root);
	CU_ASSERT(!adcheck_srv_pick(&d, t, sizeof(t), &port));
	srv_answer(&d, none);
	CU_ASSERT(!adcheck_srv_pick(&d, t, sizeof(t), &port));
}

/* A probe of HOST that connected, shook hands and got a certificate (verified, covering). */
static void good_probe(ad_probe_t *p, const char *host)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->host, sizeof(p->host), "%s", host);
	p->port = 443;
	p->tls = true;
	p->a.kind = AD_DNS_ANSWER;
	p->a.nrr = 1;
	p->aaaa.kind = AD_DNS_NODATA;
	p->nattempts = 1;
	p->attempts[0].conn = AD_CONN_OK;
	p->tls_tried = p->tls_ok = true;
	p->cert.present = p->cert.verified = p->cert.host_covered = true;
}

static void test_verdict(void)
{
	char why[700];
	ad_probe_t p;

	good_probe(&p, "mail.example.com");
	CU_ASSERT_EQUAL(adcheck_probe_verdict(&p, why, sizeof(why)), AD_OK);
	p.cert.host_covered = false;
	CU_ASSERT_EQUAL(adcheck_probe_verdict(&p, why, sizeof(why)), AD_WARN);
	CU_ASSERT_STRING_EQUAL(why, "the certificate does not name mail.example.com");
	good_probe(&p, "mail.example.com");
	p.cert.verified = false;
	snprintf(p.cert.verify_error, sizeof(p.cert.verify_error), "certificate has expired");
	CU_ASSERT_EQUAL(adcheck_probe_verdict(&p, why, sizeof(why)), AD_WARN);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "certificate has expired"));
	/* Failures a client passes over without a word. */
	good_probe(&p, "autodiscover.example.com");
	p.a.kind = AD_DNS_NODATA;
	CU_ASSERT_EQUAL(adcheck_probe_verdict(&p, why, sizeof(why)), AD_SILENT);
	CU_ASSERT_STRING_EQUAL(why, "autodiscover.example.com has no address (A: NODATA, "
				    "AAAA: NODATA)");
	good_probe(&p, "example.com");
	p.attempts[0].conn = AD_CONN_REFUSED;
	CU_ASSERT_EQUAL(adcheck_probe_verdict(&p, why, sizeof(why)), AD_SILENT);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "refused"));
	good_probe(&p, "example.com");
	p.tls_ok = false;
	p.cert.present = false;
	CU_ASSERT_EQUAL(adcheck_probe_verdict(&p, why, sizeof(why)), AD_SILENT);
}

static void test_exit_status(void)
{
	ad_step_t s[4];

	memset(s, 0, sizeof(s));
	s[0].verdict = AD_SILENT;
	s[1].verdict = AD_SILENT;
	s[2].verdict = AD_SILENT;
	s[3].verdict = AD_OK;
	CU_ASSERT_EQUAL(adcheck_exit_status(s, 4), 0);
	s[1].verdict = AD_WARN; /* a warning before the step that succeeds */
	CU_ASSERT_EQUAL(adcheck_exit_status(s, 4), 1);
	s[1].verdict = AD_OK;
	CU_ASSERT_EQUAL(adcheck_exit_status(s, 2), 0);
	s[1].verdict = AD_SILENT;
	s[3].verdict = AD_SILENT; /* nothing succeeds */
	CU_ASSERT_EQUAL(adcheck_exit_status(s, 4), 1);
	CU_ASSERT_EQUAL(adcheck_exit_status(s, 0), 1);
}

static void test_dns_text(void)
{
	ad_dns_t d;

	CU_ASSERT(adcheck_dns_from_text("rcode NOERROR\n_autodiscover._tcp.example.com.\t3600\tIN\t"
					"SRV\t0 0 443 mail.example.com.\n",
					"_autodiscover._tcp.example.com", 33, &d));
	CU_ASSERT_EQUAL(d.kind, AD_DNS_ANSWER);
	CU_ASSERT_EQUAL(d.nrr, 1);
	CU_ASSERT_STRING_EQUAL(d.rdata[0], "0 0 443 mail.example.com.");
	/* A CNAME in front: only the records of the type asked count. */
	CU_ASSERT(
	    adcheck_dns_from_text("rcode NOERROR\nwww.example.com. 300 IN CNAME example.com.\n"
				  "example.com. 300 IN A 198.18.0.10\n",
				  "www.example.com", 1, &d));
	CU_ASSERT_EQUAL(d.nrr, 1);
	CU_ASSERT_STRING_EQUAL(d.rdata[0], "198.18.0.10");
	CU_ASSERT(adcheck_dns_from_text("rcode NOERROR\n", "autodiscover.example.com", 1, &d));
	CU_ASSERT_EQUAL(d.kind, AD_DNS_NODATA);
	CU_ASSERT(adcheck_dns_from_text("rcode NXDOMAIN\n", "x.example.com", 1, &d));
	CU_ASSERT_EQUAL(d.kind, AD_DNS_NXDOMAIN);
	CU_ASSERT(adcheck_dns_from_text("rcode REFUSED\n", "example.org", 1, &d));
	CU_ASSERT_EQUAL(d.kind, AD_DNS_ERROR);
	CU_ASSERT_STRING_EQUAL(d.error, "rcode REFUSED");
	CU_ASSERT(!adcheck_dns_from_text("", "x", 1, &d));
	CU_ASSERT(!adcheck_dns_from_text("rcode FROB\n", "x", 1, &d));
	CU_ASSERT(!adcheck_dns_from_text("rcode NOERROR\nnot a record\n", "x", 1, &d));
}

/*
 * Names with "@" leading a label, as the daemon writes them (ldns's presentation form leaves
 * "@" bare): ldns alone reads an owner that starts with "@" and a name in the data whose first
 * label is "@" as the origin (the root, with none given): an SRV target "." says the service
 * is not there (RFC 2782). Read as the loader reads a zone's (zload_ldnsfix.c), they are the
 * names written.
 */
static void test_dns_text_at(void)
{
	ad_dns_t d;

	CU_ASSERT(adcheck_dns_from_text("rcode NOERROR\n_autodiscover._tcp.@x.test.\t3600\tIN\t"
					"SRV\t0 0 443 @.mail.test.\n",
					"_autodiscover._tcp.@x.test", 33, &d));
	CU_ASSERT_EQUAL(d.kind, AD_DNS_ANSWER);
	CU_ASSERT_EQUAL_FATAL(d.nrr, 1);
	CU_ASSERT_STRING_EQUAL(d.rdata[0], "0 0 443 @.mail.test.");
	CU_ASSERT_PTR_NOT_NULL(strstr(d.rr[0], "_autodiscover._tcp.@x.test."));
	/* Escaped, or the whole owner: the same names. */
	CU_ASSERT(adcheck_dns_from_text("rcode NOERROR\n@x.test. 300 IN CNAME \\@.y.test.\n"
					"\\@.y.test. 300 IN A 198.18.0.10\n"
					"@.y.test. 300 IN A 198.18.0.11\n",
					"@x.test", 1, &d));
	CU_ASSERT_EQUAL_FATAL(d.nrr, 2);
	CU_ASSERT_EQUAL(strncmp(d.rr[0], "@.y.test.", 9), 0);
	CU_ASSERT_EQUAL(strncmp(d.rr[1], "@.y.test.", 9), 0);
	CU_ASSERT(adcheck_dns_from_text("rcode NOERROR\n@x.test. 300 IN CNAME \\@.y.test.\n",
					"@x.test", 5, &d));
	CU_ASSERT_EQUAL_FATAL(d.nrr, 1);
	CU_ASSERT_EQUAL(strncmp(d.rr[0], "@x.test.", 8), 0);
	CU_ASSERT_STRING_EQUAL(d.rdata[0], "@.y.test.");
}

/*
 * A fake --resolver on 127.0.0.1: to the one query it gets it sends spoofed answers (another
 * ID, no QR, another opcode, another name, type or class, a fragment), then, unless
 * spoofed_only, the real one with the name's case changed (0x20 is no mismatch).
 */
struct fake_resolver {
	int fd;
	bool spoofed_only;
};

static void *fake_resolver_main(void *arg)
{
	const struct fake_resolver *f = arg;
	uint8_t q[512], a[600];
	struct sockaddr_storage from;
	socklen_t fromlen = sizeof(from);
	ssize_t qn = recvfrom(f->fd, q, sizeof(q), 0, (struct sockaddr *)&from, &fromlen);
	size_t n;
	int v;

	if (qn < 17)
		return NULL;
	for (v = 0; v <= 7; v++) {
		if (v == 7 && f->spoofed_only)
			break;
		memcpy(a, q, (size_t)qn);
		n = (size_t)qn;
		a[2] |= 0x84; /* QR, AA */
		a[7] = 1;     /* ANCOUNT */
		memcpy(a + n, "\xc0\x0c\x00\x01\x00\x01\x00\x00\x00\x3c\x00\x04", 12);
		n += 12;
		memcpy(a + n, v == 7 ? "\xc0\x00\x02\x01" : "\xc6\x33\x64\x07", 4);
		n += 4;
		if (v == 0)
			a[0] ^= 0xff; /* another ID */
		else if (v == 1)
			a[2] &= 0x7f; /* a query, not an answer */
		else if (v == 2)
			a[2] = (uint8_t)((a[2] & 0x87) | (4 << 3)); /* NOTIFY */
		else if (v == 3)
			a[13] ^= 0x01; /* another name: "dxample" */
		else if (v == 4)
			a[qn - 3] = 28; /* AAAA */
		else if (v == 5)
			a[qn - 1] = 3; /* class CH */
		else if (v == 6)
			n = 5; /* a fragment with the right ID */
		else
			a[13] ^= 0x20; /* "Example": the same name */
		sendto(f->fd, a, n, 0, (struct sockaddr *)&from, fromlen);
	}
	return NULL;
}

/* autodiscover-check --resolver takes only the answer to its question (RFC 5452 9.1). */
static void test_resolver_spoofed(void)
{
	struct sockaddr_in sin = {.sin_family = AF_INET};
	socklen_t len = sizeof(sin);
	struct fake_resolver f = {.fd = -1};
	pthread_t th;
	ad_dns_t d;
	void *res;
	int round;

	for (round = 0; round < 2; round++) {
		f.spoofed_only = round == 1;
		f.fd = socket(AF_INET, SOCK_DGRAM, 0);
		sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		sin.sin_port = 0;
		CU_ASSERT_FATAL(f.fd >= 0);
		CU_ASSERT_FATAL(bind(f.fd, (struct sockaddr *)&sin, sizeof(sin)) == 0);
		CU_ASSERT_FATAL(getsockname(f.fd, (struct sockaddr *)&sin, &len) == 0);
		CU_ASSERT_FATAL(pthread_create(&th, NULL, fake_resolver_main, &f) == 0);
		res = adcheck_resolver_new("127.0.0.1", ntohs(sin.sin_port), 1000);
		CU_ASSERT_FATAL(res != NULL);
		if (!f.spoofed_only) {
			CU_ASSERT(adcheck_resolver_ask(res, "example.com", 1, &d));
			CU_ASSERT_EQUAL(d.kind, AD_DNS_ANSWER);
			CU_ASSERT_EQUAL(d.nrr, 1);
			CU_ASSERT_STRING_EQUAL(d.rdata[0], "192.0.2.1");
		} else {
			/* Only spoofed answers: none is taken; the timeout says how many came. */
			CU_ASSERT(!adcheck_resolver_ask(res, "example.com", 1, &d));
			CU_ASSERT_EQUAL(d.kind, AD_DNS_ERROR);
			CU_ASSERT_EQUAL(d.nrr, 0);
			CU_ASSERT_PTR_NOT_NULL(strstr(d.error, "7 ignored that did not match"));
		}
		adcheck_resolver_free(res);
		pthread_join(th, NULL);
		close(f.fd);
	}
}

/* A fake --resolver that answers its one query truncated and empty, as RRL's slip does. */
static void *tc_resolver_main(void *arg)
{
	const int *fd = arg;
	uint8_t q[512];
	struct sockaddr_storage from;
	socklen_t fromlen = sizeof(from);
	ssize_t qn = recvfrom(*fd, q, sizeof(q), 0, (struct sockaddr *)&from, &fromlen);

	if (qn < 17)
		return NULL;
	q[2] |= 0x86; /* QR, AA, TC; no record */
	sendto(*fd, q, (size_t)qn, 0, (struct sockaddr *)&from, fromlen);
	return NULL;
}

/* A truncated answer is no NODATA: the server was not heard, as when no answer comes. */
static void test_resolver_truncated(void)
{
	struct sockaddr_in sin = {.sin_family = AF_INET};
	socklen_t len = sizeof(sin);
	pthread_t th;
	ad_dns_t d;
	void *res;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_FATAL(bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0);
	CU_ASSERT_FATAL(getsockname(fd, (struct sockaddr *)&sin, &len) == 0);
	CU_ASSERT_FATAL(pthread_create(&th, NULL, tc_resolver_main, &fd) == 0);
	res = adcheck_resolver_new("127.0.0.1", ntohs(sin.sin_port), 2000);
	CU_ASSERT_FATAL(res != NULL);
	CU_ASSERT_FALSE(adcheck_resolver_ask(res, "autodiscover.example.com", 1, &d));
	CU_ASSERT_EQUAL(d.kind, AD_DNS_ERROR);
	CU_ASSERT_PTR_NOT_NULL(strstr(d.error, "truncated"));
	adcheck_resolver_free(res);
	pthread_join(th, NULL);
	close(fd);
}

/*
 * A fake --resolver answering its one query for autodiscover.example.com A with: an A record of
 * another owner, a CNAME to mail.example.com, the A of mail.example.com, and (with LOOP) a CNAME
 * from mail back to autodiscover instead of that A.
 */
struct odd_resolver {
	int fd;
	bool loop;
};

static void *odd_resolver_main(void *arg)
{
	const struct odd_resolver *f = arg;
	/* "mail" + a pointer to "example.com" in the question (offset 12 + 13) */
	static const uint8_t mail[] = "\x04mail\xc0\x19";
	uint8_t q[512], a[700];
	struct sockaddr_storage from;
	socklen_t fromlen = sizeof(from);
	ssize_t qn = recvfrom(f->fd, q, sizeof(q), 0, (struct sockaddr *)&from, &fromlen);
	size_t n;

	if (qn != 12 + 26 + 4)
		return NULL;
	memcpy(a, q, (size_t)qn);
	n = (size_t)qn;
	a[2] |= 0x84; /* QR, AA */
	a[7] = 3;     /* ANCOUNT */
	memcpy(a + n,
	       "\x04"
	       "evil\x00\x00\x01\x00\x01\x00\x00\x00\x3c\x00\x04\xc6\x33\x64\x07",
	       20);
	n += 20;
	memcpy(a + n, "\xc0\x0c\x00\x05\x00\x01\x00\x00\x00\x3c\x00\x07", 12);
	memcpy(a + n + 12, mail, 7);
	n += 19;
	memcpy(a + n, mail, 7);
	n += 7;
	if (f->loop) {
		memcpy(a + n, "\x00\x05\x00\x01\x00\x00\x00\x3c\x00\x02\xc0\x0c", 12);
		n += 12;
	} else {
		memcpy(a + n, "\x00\x01\x00\x01\x00\x00\x00\x3c\x00\x04\xc0\x00\x02\x07", 14);
		n += 14;
	}
	sendto(f->fd, a, n, 0, (struct sockaddr *)&from, fromlen);
	return NULL;
}

/* Only the records at the name asked, or at the end of its CNAME chain, answer it. */
static void test_resolver_owner(void)
{
	struct sockaddr_in sin = {.sin_family = AF_INET};
	socklen_t len = sizeof(sin);
	struct odd_resolver f;
	pthread_t th;
	ad_dns_t d;
	void *res;

	for (int round = 0; round < 2; round++) {
		f = (struct odd_resolver){.fd = socket(AF_INET, SOCK_DGRAM, 0), .loop = round == 1};
		sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		sin.sin_port = 0;
		CU_ASSERT_FATAL(f.fd >= 0);
		CU_ASSERT_FATAL(bind(f.fd, (struct sockaddr *)&sin, sizeof(sin)) == 0);
		CU_ASSERT_FATAL(getsockname(f.fd, (struct sockaddr *)&sin, &len) == 0);
		CU_ASSERT_FATAL(pthread_create(&th, NULL, odd_resolver_main, &f) == 0);
		res = adcheck_resolver_new("127.0.0.1", ntohs(sin.sin_port), 2000);
		CU_ASSERT_FATAL(res != NULL);
		CU_ASSERT(adcheck_resolver_ask(res, "autodiscover.example.com", 1, &d));
		if (!f.loop) {
			CU_ASSERT_EQUAL(d.kind, AD_DNS_ANSWER);
			CU_ASSERT_EQUAL_FATAL(d.nrr, 1);
			CU_ASSERT_STRING_EQUAL(d.rdata[0], "192.0.2.7");
		} else {
			/* A loop ends: no address, and not evil's. */
			CU_ASSERT_EQUAL(d.kind, AD_DNS_NODATA);
			CU_ASSERT_EQUAL(d.nrr, 0);
		}
		adcheck_resolver_free(res);
		pthread_join(th, NULL);
		close(f.fd);
	}
}

/* The configured leaves' fingerprints, read from sandnsd's `policy show`. */
static void test_served_leaves(void)
{
	static const char show[] =
	    "policy: on, 2 certificates\n"
	    "certificate /etc/a.pem: SANs mail.example.com\n"
	    "  subject CN x; sha256 "
	    "0000000000000000000000000000000000000000000000000000000000000000; "
	    "valid 2026-01-01T00:00:00Z .. 2027-01-01T00:00:00Z: valid; sha256 "
	    "1ea50a87aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa; 0 in chain\n"
	    "certificate tls://mail.example.com:443: SANs mail.example.com\n"
	    "  subject CN (none); valid ..: valid; sha256 "
	    "4c5e1d8bb9eb55684a05b05107623ac3c65deb0b108b6721475debf8f5ff169d; 1 in chain\n"
	    "  subject CN y; valid ..: valid; sha256 SHORT; 0 in chain\n"
	    "domain example.com. serial 7\n"
	    "    why: sha256 4c5e1d8bb9eb55684a05b05107623ac3c65deb0b108b6721475debf8f5ff169e\n";
	char sha[4][65];

	/* The last "; sha256 " of a subject line counts (the CN comes before it). */
	CU_ASSERT_EQUAL(adcheck_served_leaves(show, sha, 4), 2);
	CU_ASSERT_STRING_EQUAL(sha[0],
			       "1ea50a87aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
	CU_ASSERT_STRING_EQUAL(sha[1],
			       "4c5e1d8bb9eb55684a05b05107623ac3c65deb0b108b6721475debf8f5ff169d");
	CU_ASSERT_EQUAL(adcheck_served_leaves(show, sha, 1), 1);
	CU_ASSERT_EQUAL(adcheck_served_leaves("policy: off\n", sha, 4), 0);
}

/* --cert NEW: read, fingerprinted, judged for a host as a client would. */
static void test_newcert(void)
{
	char dir[] = "/tmp/sandns-test-adcheck-XXXXXX", path[128], err[1200];
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	ad_newcert_t *n;
	ad_cert_t c;

	CU_ASSERT_FATAL(key != NULL && mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/new.pem", dir);
	CU_ASSERT_FATAL(
	    tu_write_leaf(path, key, 5, "DNS:mail.example.com,DNS:autodiscover.example.com"));
	EVP_PKEY_free(key);
	n = adcheck_newcert_load(path, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(n);
	CU_ASSERT_EQUAL(strlen(adcheck_newcert_sha256(n)), 64);
	CU_ASSERT_STRING_EQUAL(adcheck_newcert_path(n), path);
	/* Self-signed: it names the host, it does not verify against the system store. */
	adcheck_newcert_judge(n, "autodiscover.example.com", NULL, &c);
	CU_ASSERT(c.present && c.host_covered && !c.verified);
	CU_ASSERT_STRING_EQUAL(c.sha256, adcheck_newcert_sha256(n));
	CU_ASSERT_EQUAL(c.nsans, 2);
	CU_ASSERT_STRING_EQUAL(c.sans[1], "autodiscover.example.com");
	CU_ASSERT(c.verify_error[0] != '\0');
	/* Trusting it (its own CA file): it verifies. */
	adcheck_newcert_judge(n, "owa.example.com", path, &c);
	CU_ASSERT(!c.host_covered);
	CU_ASSERT(c.verified);
	adcheck_newcert_free(n);
	snprintf(path, sizeof(path), "%s/none.pem", dir);
	CU_ASSERT_PTR_NULL(adcheck_newcert_load(path, err, sizeof(err)));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "none.pem: cannot open: "));
	CU_ASSERT_PTR_NULL(adcheck_newcert_load(dir, err, sizeof(err)));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, ": not a regular file"));
	snprintf(path, sizeof(path), "%s/new.pem", dir);
	unlink(path);
	rmdir(dir);
}

void reg_cutest_adcheck(void)
{
	CU_pSuite s = CU_add_suite("adcheck", NULL, NULL);

	CU_add_test(s, "the domain of an address", test_domain);
	CU_add_test(s, "the URLs of steps 1 to 3", test_step_urls);
	CU_add_test(s, "URLs: scheme, host, port", test_parse_url);
	CU_add_test(s, "--resolver ADDR[@PORT]", test_parse_server);
	CU_add_test(s, "an HTTP head: status and Location", test_parse_http);
	CU_add_test(s, "the SRV record a client uses", test_srv_pick);
	CU_add_test(s, "the verdict on one connection", test_verdict);
	CU_add_test(s, "the exit status of a walk", test_exit_status);
	CU_add_test(s, "sandnsd's lookup reply read with ldns", test_dns_text);
	CU_add_test(s, "a lookup reply's names with \"@\" leading a label, as written",
		    test_dns_text_at);
	CU_add_test(s, "--resolver: spoofed answers are ignored", test_resolver_spoofed);
	CU_add_test(s, "--resolver: a truncated answer is no NODATA", test_resolver_truncated);
	CU_add_test(s, "--resolver: records of another owner answer nothing", test_resolver_owner);
	CU_add_test(s, "policy show: the configured leaves' SHA-256", test_served_leaves);
	CU_add_test(s, "--cert NEW: read and judged", test_newcert);
}
