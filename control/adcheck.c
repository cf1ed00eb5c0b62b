/* SPDX-License-Identifier: BSD-3-Clause */
/* adcheck.c: sandnsctl autodiscover-check: walks MS-OXDISCO's steps for an address and judges each
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adcheck.h"
#include "ctl_out.h"

#define AD_PATH "/Autodiscover/Autodiscover.xml"
#define AD_TYPE_A 1
#define AD_TYPE_AAAA 28
#define AD_TYPE_SRV 33

bool adcheck_domain(const char *email, char *buf, size_t len)
{
	const char *at = strchr(email, '@');
	size_t n;

	if (at == NULL || at == email || strchr(at + 1, '@') != NULL)
		return false;
	n = strlen(at + 1);
	if (n > 0 && at[n] == '.')
		n--;
	if (n == 0 || n > 253 || n >= len)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)at[1 + i];

		if (!isalnum(c) && c != '-' && c != '.' && c != '_')
			return false;
		buf[i] = (char)tolower(c);
	}
	buf[n] = '\0';
	return strstr(buf, "..") == NULL && buf[0] != '.';
}

bool adcheck_step_url(int n, const char *domain, char *buf, size_t len)
{
	int w;

	switch (n) {
	case 1:
		w = snprintf(buf, len, "https://%s" AD_PATH, domain);
		break;
	case 2:
		w = snprintf(buf, len, "https://autodiscover.%s" AD_PATH, domain);
		break;
	case 3:
		w = snprintf(buf, len, "http://autodiscover.%s" AD_PATH, domain);
		break;
	default:
		return false;
	}
	return w > 0 && (size_t)w < len;
}

bool adcheck_parse_url(const char *url, bool *tls, char *host, size_t hostlen, uint16_t *port)
{
	const char *p, *h, *he;
	char *end;
	unsigned long v;
	size_t n;

	if (strncasecmp(url, "https://", 8) == 0) {
		*tls = true;
		p = url + 8;
		*port = 443;
	} else if (strncasecmp(url, "http://", 7) == 0) {
		*tls = false;
		p = url + 7;
		*port = 80;
	} else {
		return false;
	}
	if (*p == '[') {
		h = p + 1;
		he = strchr(h, ']');
		if (he == NULL)
			return false;
		p = he + 1;
	} else {
		h = p;
		he = p + strcspn(p, ":/?#");
		p = he;
	}
	n = (size_t)(he - h);
	if (n == 0 || n >= hostlen || memchr(h, '@', n) != NULL)
		return false;
	for (size_t i = 0; i < n; i++)
		host[i] = (char)tolower((unsigned char)h[i]);
	host[n] = '\0';
	if (n > 1 && host[n - 1] == '.')
		host[n - 1] = '\0';
	if (*p == ':') {
		v = strtoul(p + 1, &end, 10);
		if (end == p + 1 || v == 0 || v > 65535)
			return false;
		*port = (uint16_t)v;
		p = end;
	}
	return *p == '\0' || *p == '/' || *p == '?' || *p == '#';
}

bool adcheck_parse_server(const char *arg, char *addr, size_t addrlen, uint16_t *port)
{
	const char *at = strrchr(arg, '@');
	unsigned char tmp[16];
	unsigned long v;
	char *end;
	size_t n = at != NULL ? (size_t)(at - arg) : strlen(arg);

	*port = 53;
	if (n == 0 || n >= addrlen)
		return false;
	memcpy(addr, arg, n);
	addr[n] = '\0';
	if (inet_pton(AF_INET, addr, tmp) != 1 && inet_pton(AF_INET6, addr, tmp) != 1)
		return false;
	if (at != NULL) {
		v = strtoul(at + 1, &end, 10);
		if (end == at + 1 || *end != '\0' || v == 0 || v > 65535)
			return false;
		*port = (uint16_t)v;
	}
	return true;
}

bool adcheck_srv_pick(const ad_dns_t *s, char *target, size_t len, uint16_t *port)
{
	long best = -1;
	unsigned bp = 0, bw = 0;
	char t[AD_RR_LEN];

	if (s->kind != AD_DNS_ANSWER)
		return false;
	for (size_t i = 0; i < s->nrr && i < AD_RR_MAX; i++) {
		unsigned pr, w, po;

		if (sscanf(s->rdata[i], "%u %u %u %299s", &pr, &w, &po, t) != 4 || po == 0 ||
		    po > 65535)
			continue;
		if (best < 0 || pr < bp || (pr == bp && w > bw)) {
			best = (long)i;
			bp = pr;
			bw = w;
		}
	}
	if (best < 0)
		return false;
	sscanf(s->rdata[best], "%*u %*u %u %299s", &bp, t);
	if (strcmp(t, ".") == 0)
		return false;
	if (strlen(t) > 1 && t[strlen(t) - 1] == '.')
		t[strlen(t) - 1] = '\0';
	snprintf(target, len, "%s", t);
	*port = (uint16_t)bp;
	return true;
}

/* "NODATA", "NXDOMAIN", the error, or "N records". */
static const char *dns_word(const ad_dns_t *d)
{
	switch (d->kind) {
	case AD_DNS_NODATA:
		return "NODATA";
	case AD_DNS_NXDOMAIN:
		return "NXDOMAIN";
	case AD_DNS_ERROR:
		return d->error;
	case AD_DNS_ANSWER:
		return "answer";
	default:
		return "not asked";
	}
}

static const char *conn_word(enum ad_conn c)
{
	switch (c) {
	case AD_CONN_OK:
		return "ok";
	case AD_CONN_REFUSED:
		return "refused";
	case AD_CONN_TIMEOUT:
		return "timed out";
	default:
		return "failed";
	}
}

enum ad_verdict adcheck_probe_verdict(const ad_probe_t *p, char *reason, size_t len)
{
	size_t i;

	if (p->a.kind != AD_DNS_ANSWER && p->aaaa.kind != AD_DNS_ANSWER) {
		snprintf(reason, len, "%s has no address (A: %s, AAAA: %s)", p->host,
			 dns_word(&p->a), dns_word(&p->aaaa));
		return AD_SILENT;
	}
	for (i = 0; i < p->nattempts && p->attempts[i].conn != AD_CONN_OK; i++)
		;
	if (i == p->nattempts) {
		snprintf(reason, len, "no connection to %s port %u (%s)", p->host, p->port,
			 p->nattempts > 0 ? conn_word(p->attempts[p->nattempts - 1].conn)
					  : "no address tried");
		return AD_SILENT;
	}
	if (!p->tls_ok) {
		snprintf(reason, len, "the TLS handshake with %s failed: %s", p->host,
			 p->tls_error);
		return AD_SILENT;
	}
	if (!p->cert.present) {
		snprintf(reason, len, "%s presented no certificate", p->host);
		return AD_SILENT;
	}
	if (!p->cert.verified) {
		snprintf(reason, len, "the certificate of %s does not verify: %s", p->host,
			 p->cert.verify_error);
		return AD_WARN;
	}
	if (!p->cert.host_covered) {
		snprintf(reason, len, "the certificate does not name %s", p->host);
		return AD_WARN;
	}
	snprintf(reason, len, "the certificate verifies and names %s", p->host);
	return AD_OK;
}

int adcheck_exit_status(const ad_step_t *steps, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (steps[i].verdict == AD_WARN)
			return 1;
		if (steps[i].verdict == AD_OK)
			return 0;
	}
	return 1;
}

/* ---------------------------------------------------------------- the walk */

/* Sets P up for URL and asks for its host's addresses; false: the resolver is unreachable. */
static bool probe_prepare(ad_probe_t *p, const char *url, const ad_opts_t *o)
{
	unsigned char tmp[16];

	snprintf(p->url, sizeof(p->url), "%s", url);
	if (!adcheck_parse_url(url, &p->tls, p->host, sizeof(p->host), &p->port)) {
		p->a.kind = p->aaaa.kind = AD_DNS_ERROR;
		snprintf(p->a.error, sizeof(p->a.error), "not a URL");
		snprintf(p->aaaa.error, sizeof(p->aaaa.error), "not a URL");
		return true;
	}
	if (inet_pton(AF_INET, p->host, tmp) == 1 || inet_pton(AF_INET6, p->host, tmp) == 1) {
		ad_dns_t *d = strchr(p->host, ':') != NULL ? &p->aaaa : &p->a;

		/* An address in the URL: nothing to ask. */
		snprintf(d->qname, sizeof(d->qname), "%s", p->host);
		d->qtype = d == &p->a ? AD_TYPE_A : AD_TYPE_AAAA;
		d->kind = AD_DNS_ANSWER;
		d->nrr = 1;
		snprintf(d->rdata[0], AD_RR_LEN, "%s", p->host);
		snprintf(d->rr[0], AD_RR_LEN, "(an address in the URL)");
		return true;
	}
	return o->dns(o->dns_ctx, p->host, AD_TYPE_A, &p->a) &&
	       o->dns(o->dns_ctx, p->host, AD_TYPE_AAAA, &p->aaaa);
}

/*
 * --cert NEW: where the endpoint presents one of the configured certificates (the same
 * SHA-256: the certificate sandnsd's policy reads is the one deployed there), NEW is what it
 * will present once NEW is deployed: P's certificate becomes NEW's, judged for P's host.
 */
static void preview_swap(ad_probe_t *p, const ad_opts_t *o)
{
	if (o->newcert == NULL || !p->cert.present)
		return;
	for (size_t i = 0; i < o->nserved && i < AD_SERVED_MAX; i++) {
		if (strcmp(p->cert.sha256, o->served[i]) != 0)
			continue;
		memcpy(p->presented, p->cert.sha256, sizeof(p->presented));
		adcheck_newcert_judge(o->newcert, p->host, o->ca, &p->cert);
		p->swapped = true;
		return;
	}
	p->kept = true;
}

/* Step S's https probe K at URL, judged. */
static bool step_https(ad_step_t *s, size_t k, const char *url, const ad_opts_t *o)
{
	ad_probe_t *p = &s->probe[k];

	s->nprobes = k + 1;
	if (!probe_prepare(p, url, o))
		return false;
	adcheck_probe_net(p, AD_PATH, o->ca, o->timeout_ms);
	preview_swap(p, o);
	s->verdict = adcheck_probe_verdict(p, s->reason, sizeof(s->reason));
	return true;
}

/* Step 3: http://autodiscover.D, a redirect to https followed once. */
static bool step_redirect(ad_step_t *s, const char *domain, const ad_opts_t *o)
{
	ad_probe_t *p = &s->probe[0];
	char url[600];
	bool tls = false;
	uint16_t port;
	char host[256];
	int st;

	adcheck_step_url(3, domain, url, sizeof(url));
	s->nprobes = 1;
	if (!probe_prepare(p, url, o))
		return false;
	adcheck_probe_net(p, AD_PATH, o->ca, o->timeout_ms);
	st = p->http_status;
	if (!p->http_tried) {
		/* Judged as an https probe would be up to the connection. */
		adcheck_probe_verdict(p, s->reason, sizeof(s->reason));
		s->verdict = AD_SILENT;
		return true;
	}
	if (p->http_error[0] != '\0') {
		s->verdict = AD_SILENT;
		snprintf(s->reason, sizeof(s->reason), "no HTTP answer from %s: %s", p->host,
			 p->http_error);
		return true;
	}
	if ((st != 301 && st != 302 && st != 303 && st != 307 && st != 308) ||
	    !adcheck_parse_url(p->location, &tls, host, sizeof(host), &port) || !tls) {
		s->verdict = AD_SILENT;
		snprintf(s->reason, sizeof(s->reason), "HTTP %d%s%s: no redirect to an https URL",
			 st, p->location[0] != '\0' ? " to " : "", p->location);
		return true;
	}
	return step_https(s, 1, p->location, o);
}

/* Step 4: the SRV record's target. */
static bool step_srv(ad_step_t *s, const char *domain, const ad_opts_t *o)
{
	char qname[300], target[256], url[600];
	uint16_t port;

	snprintf(qname, sizeof(qname), "_autodiscover._tcp.%s", domain);
	if (!o->dns(o->dns_ctx, qname, AD_TYPE_SRV, &s->srv))
		return false;
	if (!adcheck_srv_pick(&s->srv, target, sizeof(target), &port)) {
		s->verdict = AD_SILENT;
		snprintf(s->reason, sizeof(s->reason), "no usable SRV record for %s (%s)", qname,
			 dns_word(&s->srv));
		return true;
	}
	snprintf(url, sizeof(url), "https://%s:%u" AD_PATH, target, port);
	return step_https(s, 0, url, o);
}

/* ---------------------------------------------------------------- output */

static void json_str(const char *s)
{
	putchar('"');
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static const char *type_name(uint16_t t)
{
	return t == AD_TYPE_A ? "A" : t == AD_TYPE_AAAA ? "AAAA" : t == AD_TYPE_SRV ? "SRV" : "?";
}

static const char *verdict_word(enum ad_verdict v)
{
	return v == AD_OK ? "ok" : v == AD_WARN ? "a client would warn here" : "fails silently";
}

static void text_dns(const ad_dns_t *d)
{
	if (d->kind == AD_DNS_NONE)
		return;
	printf("  dns: %s %s: ", d->qname, type_name(d->qtype));
	if (d->kind != AD_DNS_ANSWER) {
		printf("%s\n", dns_word(d));
		return;
	}
	for (size_t i = 0; i < d->nrr && i < AD_RR_MAX; i++)
		printf("%s%s", i > 0 ? ", " : "", d->rdata[i]);
	putchar('\n');
}

/* Probe P; REDIRECT: it follows step 3's redirect; NEWCERT: --cert NEW (or NULL). */
static void text_probe(const ad_probe_t *p, bool redirect, const ad_newcert_t *newcert)
{
	const ad_cert_t *c = &p->cert;

	printf("  %s: %s\n", redirect ? "redirect followed" : "url", p->url);
	text_dns(&p->a);
	text_dns(&p->aaaa);
	for (size_t i = 0; i < p->nattempts; i++) {
		const ad_attempt_t *a = &p->attempts[i];

		printf("  tcp: %s%s%s:%u %s%s%s\n", strchr(a->addr, ':') ? "[" : "", a->addr,
		       strchr(a->addr, ':') ? "]" : "", p->port, conn_word(a->conn),
		       a->conn > AD_CONN_REFUSED && a->error[0] ? ": " : "",
		       a->conn > AD_CONN_REFUSED ? a->error : "");
	}
	if (p->tls_tried)
		printf("  tls: SNI %s: %s%s\n", p->host,
		       p->tls_ok ? "ok" : "failed: ", p->tls_ok ? "" : p->tls_error);
	if (p->swapped)
		printf("  certificate: presented %.16s..., a configured certificate: judged as %s "
		       "(%.16s...) instead\n",
		       p->presented, adcheck_newcert_path(newcert), c->sha256);
	else if (p->kept)
		printf("  certificate: presented %.16s..., not a configured certificate: judged as "
		       "presented\n",
		       c->sha256);
	if (c->present) {
		printf("  certificate: CN %s; SANs", c->cn[0] ? c->cn : "(none)");
		for (size_t i = 0; i < c->nsans; i++)
			printf("%s%s", i > 0 ? ", " : " ", c->sans[i]);
		printf("%s; valid %s to %s\n", c->nsans == 0 ? " (none)" : "", c->not_before,
		       c->not_after);
		printf("  certificate: verifies: %s%s; names %s: %s\n",
		       c->verified ? "yes" : "no, ", c->verified ? "" : c->verify_error, p->host,
		       c->host_covered ? "yes" : "no");
	}
	if (p->http_tried && p->http_error[0] != '\0')
		printf("  http: GET %s: %s\n", AD_PATH, p->http_error);
	else if (p->http_tried)
		printf("  http: GET %s: status %d%s%s\n", AD_PATH, p->http_status,
		       p->location[0] ? ", Location " : "", p->location);
}

static void json_dns(const ad_dns_t *d)
{
	static const char *const kinds[] = {"not-asked", "answer", "nodata", "nxdomain", "error"};

	printf("{\"name\":");
	json_str(d->qname);
	printf(",\"type\":\"%s\",\"result\":\"%s\",\"records\":[", type_name(d->qtype),
	       kinds[d->kind]);
	for (size_t i = 0; i < d->nrr && i < AD_RR_MAX; i++) {
		if (i > 0)
			putchar(',');
		json_str(d->rdata[i]);
	}
	printf("]");
	if (d->kind == AD_DNS_ERROR) {
		printf(",\"error\":");
		json_str(d->error);
	}
	putchar('}');
}

static void json_probe(const ad_probe_t *p)
{
	const ad_cert_t *c = &p->cert;

	printf("{\"url\":");
	json_str(p->url);
	printf(",\"host\":");
	json_str(p->host);
	printf(",\"port\":%u,\"dns\":[", p->port);
	json_dns(&p->a);
	putchar(',');
	json_dns(&p->aaaa);
	printf("],\"connect\":[");
	for (size_t i = 0; i < p->nattempts; i++) {
		printf("%s{\"address\":", i > 0 ? "," : "");
		json_str(p->attempts[i].addr);
		printf(",\"result\":\"%s\",\"error\":", conn_word(p->attempts[i].conn));
		json_str(p->attempts[i].error);
		putchar('}');
	}
	putchar(']');
	if (p->tls_tried) {
		printf(",\"tls\":{\"sni\":");
		json_str(p->host);
		printf(",\"ok\":%s,\"error\":", p->tls_ok ? "true" : "false");
		json_str(p->tls_error);
		putchar('}');
	}
	if (c->present) {
		printf(",\"certificate\":{\"cn\":");
		json_str(c->cn);
		printf(",\"sans\":[");
		for (size_t i = 0; i < c->nsans; i++) {
			if (i > 0)
				putchar(',');
			json_str(c->sans[i]);
		}
		printf("],\"not_before\":");
		json_str(c->not_before);
		printf(",\"not_after\":");
		json_str(c->not_after);
		printf(",\"verified\":%s,\"verify_error\":", c->verified ? "true" : "false");
		json_str(c->verify_error);
		printf(",\"host_covered\":%s,\"sha256\":", c->host_covered ? "true" : "false");
		json_str(c->sha256);
		printf(",\"preview\":\"%s\"", p->swapped ? "replaced" : p->kept ? "kept" : "none");
		if (p->swapped) {
			printf(",\"presented_sha256\":");
			json_str(p->presented);
		}
		putchar('}');
	}
	if (p->http_tried) {
		printf(",\"http\":{\"status\":%d,\"location\":", p->http_status);
		json_str(p->location);
		printf(",\"error\":");
		json_str(p->http_error);
		putchar('}');
	}
	putchar('}');
}

static void print_steps(const char *email, const char *domain, const ad_opts_t *o,
			const ad_step_t *steps, size_t n, int status, bool json)
{
	static const char *const titles[] = {"", "https://DOMAIN", "https://autodiscover.DOMAIN",
					     "http://autodiscover.DOMAIN, a redirect to https",
					     "the _autodiscover._tcp SRV record"};
	static const char *const vkey[] = {"fails-silently", "warn", "ok"};
	long ok_at = -1;

	for (size_t i = 0; i < n && ok_at < 0; i++)
		if (steps[i].verdict == AD_OK)
			ok_at = steps[i].n;
	if (json) {
		char why[80];

		/* ok only with exit 0; otherwise the result line is the error (ctl_out.h). */
		if (ok_at > 0)
			snprintf(
			    why, sizeof(why),
			    "a client succeeds at step %ld, after a warning at an earlier step",
			    ok_at);
		else
			snprintf(why, sizeof(why), "no step succeeds without a warning");
		ctl_out_begin(status == 0, why);
		printf("{\"email\":");
		json_str(email);
		printf(",\"domain\":");
		json_str(domain);
		printf(",\"dns\":");
		json_str(o->dns_via);
		printf(",\"ca\":");
		json_str(o->ca != NULL ? o->ca : "(system store)");
		printf(",\"timeout_ms\":%d,\"preview\":", o->timeout_ms);
		if (o->newcert != NULL) {
			printf("{\"cert\":");
			json_str(adcheck_newcert_path(o->newcert));
			printf(",\"sha256\":\"%s\",\"replaces\":[",
			       adcheck_newcert_sha256(o->newcert));
			for (size_t i = 0; i < o->nserved; i++)
				printf("%s\"%s\"", i > 0 ? "," : "", o->served[i]);
			printf("]}");
		} else {
			printf("null");
		}
		printf(",\"steps\":[");
		for (size_t i = 0; i < n; i++) {
			const ad_step_t *s = &steps[i];

			printf("%s{\"step\":%d,\"what\":", i > 0 ? "," : "", s->n);
			json_str(titles[s->n]);
			if (s->srv.kind != AD_DNS_NONE) {
				printf(",\"srv\":");
				json_dns(&s->srv);
			}
			printf(",\"probes\":[");
			for (size_t k = 0; k < s->nprobes; k++) {
				if (k > 0)
					putchar(',');
				json_probe(&s->probe[k]);
			}
			printf("],\"verdict\":\"%s\",\"reason\":", vkey[s->verdict]);
			json_str(s->reason);
			putchar('}');
		}
		printf("],\"succeeded_at\":");
		if (ok_at > 0)
			printf("%ld", ok_at);
		else
			printf("null");
		printf(",\"exit\":%d}", status);
		ctl_out_end();
		return;
	}
	printf("autodiscover-check %s: domain %s; DNS from %s; CA %s; timeout %d ms\n", email,
	       domain, o->dns_via, o->ca != NULL ? o->ca : "(system store)", o->timeout_ms);
	if (o->newcert != NULL) {
		printf("preview: %s (sha256 %.16s...) deployed: DNS as sandnsd would serve it with "
		       "it; "
		       "an https endpoint presenting a configured certificate (",
		       adcheck_newcert_path(o->newcert), adcheck_newcert_sha256(o->newcert));
		for (size_t i = 0; i < o->nserved; i++)
			printf("%s%.16s...", i > 0 ? ", " : "", o->served[i]);
		printf("%s) is judged with it\n", o->nserved == 0 ? "none: the policy is off" : "");
	}
	for (size_t i = 0; i < n; i++) {
		const ad_step_t *s = &steps[i];

		printf("step %d: %s\n", s->n, titles[s->n]);
		text_dns(&s->srv);
		for (size_t k = 0; k < s->nprobes; k++)
			text_probe(&s->probe[k], k > 0, o->newcert);
		printf("  verdict: %s: %s\n", verdict_word(s->verdict), s->reason);
	}
	if (ok_at > 0)
		printf("result: a client succeeds at step %ld%s\n", ok_at,
		       status == 0 ? " without a warning" : ", after a warning at an earlier step");
	else
		printf("result: no step succeeds without a warning\n");
}

int adcheck_run(const char *email, const ad_opts_t *o, bool json)
{
	ad_step_t *steps = calloc(4, sizeof(*steps));
	char domain[256], url[600];
	size_t n = 0;
	bool asked = true;
	int status;

	if (steps == NULL) {
		ctl_say("out of memory");
		return 2;
	}
	if (!adcheck_domain(email, domain, sizeof(domain))) {
		ctl_say("autodiscover-check: not an e-mail address: %s", email);
		free(steps);
		return 2;
	}
	for (int k = 1; k <= 4 && asked; k++) {
		ad_step_t *s = &steps[n++];

		s->n = k;
		if (k <= 2) {
			adcheck_step_url(k, domain, url, sizeof(url));
			asked = step_https(s, 0, url, o);
		} else if (k == 3) {
			asked = step_redirect(s, domain, o);
		} else {
			asked = step_srv(s, domain, o);
		}
		if (asked && s->verdict == AD_OK)
			break;
	}
	if (!asked) {
		const ad_step_t *s = &steps[n - 1];
		const ad_dns_t *d = s->srv.kind == AD_DNS_ERROR ? &s->srv
				    : s->probe[s->nprobes - 1].a.kind == AD_DNS_ERROR
					? &s->probe[s->nprobes - 1].a
					: &s->probe[s->nprobes - 1].aaaa;

		ctl_say("autodiscover-check: cannot ask %s for %s %s: %s", o->dns_via, d->qname,
			type_name(d->qtype), d->error);
		free(steps);
		return 2;
	}
	status = adcheck_exit_status(steps, n);
	print_steps(email, domain, o, steps, n, status, json);
	free(steps);
	return status;
}
