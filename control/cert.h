/* SPDX-License-Identifier: BSD-3-Clause */
/* cert.h: leaf certificates for the autodiscover policy, from files or live TLS endpoints */
#ifndef CERT_H
#define CERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/*
 * A cert_t is one leaf certificate, immutable once made: its subjectAltName dNSName entries,
 * subject CN, validity period and SHA-256 fingerprint are extracted once, at load time, so the
 * policy reads plain strings. The chain that came with it is only counted: the policy decides
 * on names, not on trust (a deployed but untrusted certificate still tells which names the
 * server answers for; trust is the client's business).
 *
 * Sources (sandnsd --cert SOURCE):
 *   FILE                       PEM (leaf first, chain after it; other PEM blocks such as a
 *                              private key are skipped) or DER (one certificate).
 *   tls://HOST[:PORT][@ADDR]   handshake with ADDR (default: HOST's addresses), SNI=HOST,
 *                              port 443 by default; the leaf the server presents. An IPv6
 *                              ADDR may be written in brackets: tls://mail.example@[2001:db8::1].
 *
 * Every function taking ERR/ERRLEN writes a one-line reason there on failure, naming the file
 * or the endpoint: "/etc/ssl/x.pem: no certificate in the PEM data".
 */
typedef struct cert cert_t;

#define CERT_TLS_PORT 443
#define CERT_TIMEOUT_MS 5000 /* default bound of a whole fetch: resolve excluded, connect+TLS */

/* A tls:// source, split. */
typedef struct cert_tls_target {
	char host[256]; /* SNI and, without addr, the name resolved */
	uint16_t port;	/* CERT_TLS_PORT when omitted */
	char addr[64];	/* numeric address, brackets removed; "" when omitted */
} cert_tls_target_t;

enum cert_source_kind {
	CERT_SOURCE_FILE = 0,
	CERT_SOURCE_TLS = 1,
};

/*
 * Classifies SRC: CERT_SOURCE_TLS (and fills *TLS, which may be NULL) when it starts with
 * "tls://", CERT_SOURCE_FILE otherwise; SANDNS_EPARSE (with ERR) for a malformed tls:// text.
 */
int cert_parse_source(const char *src, cert_tls_target_t *tls, char *err, size_t errlen);

/* Loads a PEM or DER file. The caller owns the result (cert_free); NULL and ERR on failure. */
cert_t *cert_load_file(const char *path, char *err, size_t errlen);

/*
 * As cert_load_file(), from LEN bytes at BUF (which need not end in a NUL); NAME stands for the
 * file in messages and becomes cert_source(). PEM when "-----BEGIN " comes before any NUL
 * octet, DER otherwise. At most 1 MiB. The caller owns the result; NULL and ERR on failure.
 */
cert_t *cert_load_mem(const uint8_t *buf, size_t len, const char *name, char *err, size_t errlen);

/*
 * Fetches the leaf that HOST:PORT presents, connecting to ADDR (a numeric address) when it is
 * not NULL or empty, else to each of HOST's addresses in turn. The chain is NOT verified. The
 * connect and the handshake together take at most TIMEOUT_MS (<= 0: CERT_TIMEOUT_MS); name
 * resolution is getaddrinfo's own. SIGPIPE is held off in the calling thread meanwhile. The
 * caller owns the result; NULL and ERR (which step failed, against which address) on failure.
 */
cert_t *cert_fetch_tls(const char *host, uint16_t port, const char *addr, int timeout_ms, char *err,
		       size_t errlen);

/* Whether one of the N sources SRC is a tls:// endpoint. */
bool cert_any_tls(char *const *src, size_t n);

/* cert_load_file or cert_fetch_tls, as cert_parse_source classifies SRC. */
cert_t *cert_load(const char *src, int timeout_ms, char *err, size_t errlen);

/*
 * As cert_load(), and a tls:// fetch gives up at once (ERR says "Operation canceled") when
 * CANCEL_FD (an eventfd or a pipe's read end; -1: none) becomes readable: how another thread
 * stops a fetch that waits on an endpoint. The descriptor is only polled, never read.
 */
cert_t *cert_load_cancel(const char *src, int timeout_ms, int cancel_fd, char *err, size_t errlen);

/* Frees *C (NULL accepted) and leaves NULL behind. */
void cert_free(cert_t **c);
/* Another reference to C (never changed once loaded), dropped by its own cert_free(). One thread.
 */
cert_t *cert_ref(cert_t *c);

/* The subjectAltName dNSName entries in certificate order, lower-case; one with a NUL or a final
 * dot is left out (cert_covers() matches nothing against it). IDNs appear as in the
 * certificate, A-labels. Strings live as long as C. */
size_t cert_san_count(const cert_t *c);
const char *cert_san(const cert_t *c, size_t i); /* NULL when I is out of range */

/*
 * Whether SAN I of C spells one name plainly, as the policy may take it for an SRV target: no '*'
 * (a wildcard, or a partial one: "m*il.D"), no empty label (".D", "a..D"), labels of 63 octets
 * at most, 253 in all. X509_check_host() compares a SAN that is no proper wildcard literally, so
 * such a SAN "covers" itself, yet no client could be sent to the name it spells. Nor any of '\',
 * ';', '(' and ')': the SRV's RDATA is written as text, which would read them as syntax, the
 * target another name than the SAN ("m\097il.D" is mail.D, "a;b.D" is a.D). (Other octets are
 * the zone's business: an SRV record that cannot name its target gets the edits refused.)
 */
bool cert_san_plain(const cert_t *c, size_t i);

/* The subject's (last) commonName as UTF-8, or NULL when there is none. */
const char *cert_subject_cn(const cert_t *c);

time_t cert_not_before(const cert_t *c);
time_t cert_not_after(const cert_t *c);
/* 0 when NOW lies within the validity period, < 0 not yet valid, > 0 expired. */
int cert_validity(const cert_t *c, time_t now);

/* The path, or the tls://HOST:PORT[@ADDR] text the certificate came from. */
const char *cert_source(const cert_t *c);
/* How many certificates came after the leaf (the file's or the server's chain). */
size_t cert_chain_count(const cert_t *c);
/* SHA-256 of the DER leaf: 64 lower-case hex digits. */
const char *cert_fingerprint_sha256(const cert_t *c);

/*
 * Whether the certificate names NAME (RFC 9525): dNSName SANs only, case-insensitive, a
 * trailing dot on NAME ignored, a wildcard only as the whole left-most label and matching one
 * label ("*.D" covers "autodiscover.D", not "D" nor "a.b.D"; "f*.D" covers nothing). With
 * LEGACY_CN_FALLBACK the subject CN counts too, and only when the certificate has no dNSName.
 */
bool cert_covers(const cert_t *c, const char *name, bool legacy_cn_fallback);

#endif
