/* SPDX-License-Identifier: BSD-3-Clause */
/* adcheck.h: sandnsctl autodiscover-check: MS-OXDISCO's steps for an address, as a client sees them
 */
#ifndef ADCHECK_H
#define ADCHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AD_RR_MAX 8	    /* records kept of one DNS answer */
#define AD_RR_LEN 300	    /* one record in presentation form */
#define AD_ADDR_MAX 8	    /* addresses tried for one host */
#define AD_SAN_MAX 16	    /* dNSName SANs kept of one certificate */
#define AD_PROBES 2	    /* a step's connections: step 3's HTTP one and its redirect's */
#define AD_HTTP_MAX 8192    /* bytes of an HTTP response head read at most */
#define AD_TIMEOUT_MAX 3600 /* --timeout's bound in seconds */
#define AD_SERVED_MAX 16    /* configured certificates compared with a presented leaf */

/* One DNS question and what came back. */
enum ad_dns_kind { AD_DNS_NONE, AD_DNS_ANSWER, AD_DNS_NODATA, AD_DNS_NXDOMAIN, AD_DNS_ERROR };

typedef struct ad_dns {
	char qname[256];
	uint16_t qtype;
	enum ad_dns_kind kind;
	char error[160];	       /* AD_DNS_ERROR: the rcode or the failure */
	size_t nrr;		       /* records of QTYPE in the answer (at most AD_RR_MAX kept) */
	char rr[AD_RR_MAX][AD_RR_LEN]; /* presentation form */
	char rdata[AD_RR_MAX][AD_RR_LEN]; /* the rdata alone ("198.18.0.25", "0 0 443 x.") */
} ad_dns_t;

/*
 * Asks QNAME QTYPE and fills OUT (kind, records). Returns false only when the resolver could
 * not be asked at all (no reply, the control socket gone): the walk ends with exit status 2.
 */
typedef bool (*ad_dns_fn)(void *ctx, const char *qname, uint16_t qtype, ad_dns_t *out);

enum ad_conn { AD_CONN_NONE, AD_CONN_OK, AD_CONN_REFUSED, AD_CONN_TIMEOUT, AD_CONN_ERROR };

typedef struct ad_attempt {
	char addr[64]; /* "198.18.0.25" or "2001:db8::1" */
	enum ad_conn conn;
	char error[96];
} ad_attempt_t;

/* The certificate a server presented and what a client makes of it for HOST. */
typedef struct ad_cert {
	bool present;
	char cn[256];
	size_t nsans;
	char sans[AD_SAN_MAX][256];
	char not_before[32], not_after[32]; /* "2026-12-05 12:00:00 UTC" */
	bool verified;			    /* chains to --ca (or the system store), in date */
	char verify_error[128];		    /* why not */
	bool host_covered;		    /* X509_check_host(HOST) */
	char sha256[65];		    /* of the DER leaf, lower-case hex */
} ad_cert_t;

/* --cert NEW: the certificate autodiscover-check puts in place of the configured ones. */
typedef struct ad_newcert ad_newcert_t;

/* One connection a step makes: DNS for HOST, TCP to its addresses, TLS (https) or a GET (http). */
typedef struct ad_probe {
	char url[600];
	char host[256];
	uint16_t port;
	bool tls;
	ad_dns_t a, aaaa;
	size_t nattempts;
	ad_attempt_t attempts[AD_ADDR_MAX];
	/* https: the handshake on the connected address (SNI HOST) */
	bool tls_tried, tls_ok;
	char tls_error[160];
	ad_cert_t cert;
	/*
	 * --cert NEW: the presented leaf (PRESENTED, its SHA-256) is one of the configured
	 * certificates, so CERT is NEW's, judged for HOST (SWAPPED); or it is not, and CERT is what
	 * the server presented (KEPT).
	 */
	bool swapped, kept;
	char presented[65];
	/* http: the response's status and Location */
	bool http_tried;
	int http_status;
	char http_error[160];
	char location[600];
} ad_probe_t;

enum ad_verdict {
	AD_SILENT, /* fails without a word (no address, refused, no TLS): the client goes on */
	AD_WARN,   /* a certificate warning: "a client would warn here" */
	AD_OK,	   /* the client gets through without a warning: the walk ends */
};

typedef struct ad_step {
	int n;	      /* 1..4 */
	ad_dns_t srv; /* step 4: the SRV question */
	size_t nprobes;
	ad_probe_t probe[AD_PROBES];
	enum ad_verdict verdict;
	char reason[700];
} ad_step_t;

typedef struct ad_opts {
	const char *ca; /* CA file, NULL: the system store */
	int timeout_ms; /* per connect, handshake, DNS query */
	ad_dns_fn dns;	/* where DNS answers come from */
	void *dns_ctx;
	const char *dns_via; /* for the output: "sandnsd (control socket PATH)" or "ADDR@PORT" */
	/*
	 * --cert NEW, or NULL: an https endpoint presenting a leaf whose SHA-256 is one of the N
	 * SERVED (the certificates sandnsd is configured with) is judged with NEW's certificate.
	 */
	const ad_newcert_t *newcert;
	size_t nserved;
	char served[AD_SERVED_MAX][65];
} ad_opts_t;

/* ---- adcheck.c: the walk and its output */

/* The domain of EMAIL (the part after its one '@', lower case, no final dot) into BUF. */
bool adcheck_domain(const char *email, char *buf, size_t len);

/* Step N's (1..3) URL for DOMAIN into BUF; false if N is not one of them or it does not fit. */
bool adcheck_step_url(int n, const char *domain, char *buf, size_t len);

/*
 * Splits URL (http:// or https://HOST[:PORT][/...]) into *TLS, HOST (lower case, brackets of an
 * IPv6 literal taken off) and *PORT (the scheme's default when absent). False if it is not one.
 */
bool adcheck_parse_url(const char *url, bool *tls, char *host, size_t hostlen, uint16_t *port);

/* "ADDR[@PORT]" (IPv4 or IPv6, port default 53) into ADDR and *PORT. */
bool adcheck_parse_server(const char *arg, char *addr, size_t addrlen, uint16_t *port);

/*
 * The SRV record a client uses of S (lowest priority, then highest weight): its target (no
 * final dot) and port. False when S has none or the target is ".".
 */
bool adcheck_srv_pick(const ad_dns_t *s, char *target, size_t len, uint16_t *port);

/* What a client makes of probe P (an https one): silent failure, warning or success. */
enum ad_verdict adcheck_probe_verdict(const ad_probe_t *p, char *reason, size_t len);

/* The exit status of a walk of N steps: 0 one succeeds and none before it warns, else 1. */
int adcheck_exit_status(const ad_step_t *steps, size_t n);

/*
 * Walks the steps for EMAIL with O and prints them (text or JSON) on stdout. Returns the exit
 * status: 0, 1 (adcheck_exit_status), 2 when the resolver could not be asked.
 */
int adcheck_run(const char *email, const ad_opts_t *o, bool json);

/* ---- adcheck_cert.c: certificates, without network */

/* Every control octet of S becomes '?': an outsider's text printed safely. */
void adcheck_printable(char *s);

/* C filled from the leaf X (an X509 *) for HOST: names, dates, SHA-256, host_covered. */
struct x509_st;
void adcheck_cert_fill(struct x509_st *x, const char *host, ad_cert_t *c);

/*
 * --cert PATH: a PEM file (the leaf first, its chain after it; other blocks skipped) or DER,
 * a regular file of at most 1 MiB. NULL with the reason in ERR.
 */
ad_newcert_t *adcheck_newcert_load(const char *path, char *err, size_t errlen);
void adcheck_newcert_free(ad_newcert_t *n);
const char *adcheck_newcert_sha256(const ad_newcert_t *n);
const char *adcheck_newcert_path(const ad_newcert_t *n);

/*
 * C as a client would judge N's leaf presented for HOST with N's chain: verified against CA
 * (a PEM file; NULL: the system store) for a TLS server, in date; names HOST.
 */
void adcheck_newcert_judge(const ad_newcert_t *n, const char *host, const char *ca, ad_cert_t *c);

/*
 * The SHA-256 of each certificate `policy show` (TEXT, sandnsd's reply) lists, into SHA (at
 * most MAX); how many.
 */
size_t adcheck_served_leaves(const char *text, char (*sha)[65], size_t max);

/* ---- adcheck_net.c: the network: ldns resolver, TCP, TLS, one HTTP GET, each bounded */

/*
 * Reads an HTTP response head (LEN bytes): *STATUS from its status line, Location into LOC
 * ("" when none). False if there is no status line.
 */
bool adcheck_parse_http(const char *head, size_t len, int *status, char *loc, size_t loclen);

/* A resolver at ADDR@PORT asked with ldns; NULL if ADDR is no address. */
void *adcheck_resolver_new(const char *addr, uint16_t port, int timeout_ms);
void adcheck_resolver_free(void *res);
/* An ad_dns_fn for a resolver of adcheck_resolver_new(). */
bool adcheck_resolver_ask(void *res, const char *qname, uint16_t qtype, ad_dns_t *out);

/*
 * Fills OUT from a `lookup` reply body of sandnsd (TEXT: "rcode RCODE" then records in
 * presentation form, one a line), read with ldns. False if it is not one.
 */
bool adcheck_dns_from_text(const char *text, const char *qname, uint16_t qtype, ad_dns_t *out);

/* Whether CA (a PEM file of certificates) loads as trust anchors. */
bool adcheck_ca_loads(const char *ca);

/*
 * Connects to P's addresses in turn (each attempt recorded, each bounded by TIMEOUT_MS) and on
 * the first that accepts runs TLS (SNI P->host; recorded, the certificate checked against CA) or
 * an HTTP GET of PATH (status and Location recorded).
 */
void adcheck_probe_net(ad_probe_t *p, const char *path, const char *ca, int timeout_ms);

#endif
