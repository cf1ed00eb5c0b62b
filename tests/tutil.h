/* SPDX-License-Identifier: BSD-3-Clause */
/* tutil.h: what several test suites build the same way: wire names, queries, certificates, a
 * directory removed */
#ifndef TUTIL_H
#define TUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ldns/ldns.h>
#include <openssl/evp.h>

#include "zt.h"

/* A presentation name (no escapes; "" or "." is the root) in wire form at OUT; its length. */
size_t tu_name_wire(uint8_t *out, const char *text);

/* A query at BUF: header (ID, FLAGS, QDCOUNT 1) and one question; returns its length. */
size_t tu_query(uint8_t *buf, uint16_t id, uint16_t flags, const char *name, uint16_t qtype,
		uint16_t qclass);

/*
 * Asks snapshot T for NAME/QTYPE as over TCP (never truncated; ID ID): the response parsed, or
 * NULL when there is none or it does not parse. The caller frees it.
 */
ldns_pkt *tu_ask(const zt_t *t, uint16_t id, const char *name, uint16_t qtype);

/*
 * Whether snapshots A and B answer each of NAMES (N of them) in a few types (A, AAAA, NS, SOA,
 * MX, TXT, SRV, ANY) over TCP and over UDP with EDNS, and its transfer (AXFR: the zone's
 * messages, or the refusal), with the same octets; each difference is printed.
 */
bool tu_same_answers(const zt_t *a, const zt_t *b, const char *const *names, size_t n);

/*
 * A self-signed leaf with subjectAltName SANS (OpenSSL config syntax, "DNS:a,DNS:b"), valid
 * from a day ago for a year, signed by KEY, written as PEM to PATH. False on any failure.
 */
bool tu_write_leaf(const char *path, EVP_PKEY *key, long serial, const char *sans);

/* Directory DIR removed with the files in it (one level: what a test made there). */
void tu_rm_dir(const char *dir);

#endif
