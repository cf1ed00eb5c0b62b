/* SPDX-License-Identifier: BSD-3-Clause */
/* tutil.h: what several test suites build the same way: wire names, queries, certificates, a
 * directory removed, denial answers compared with the live path */
#ifndef TUTIL_H
#define TUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ldns/ldns.h>
#include <openssl/evp.h>

#include "zt.h"

/* The usual head of a good zone example.com.: SOA on line 3, apex NS with glue on lines 4-5. */
#define TU_ZONE_HEAD                                                                               \
	"$ORIGIN example.com.\n"                                                                   \
	"$TTL 3600\n"                                                                              \
	"@ IN SOA ns1 hostmaster 2024010101 7200 3600 1209600 300\n"                               \
	"@ IN NS ns1\n"                                                                            \
	"ns1 IN A 192.0.2.53\n"

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

/* TEXT written to DIR/NAME (failing the test if it cannot be); its path, in PATH (LEN octets). */
const char *tu_put_file(char *path, size_t len, const char *dir, const char *name,
			const char *text);

/* ---- DNSSEC denial answers against the live path (test_denial.c, test_denial_rand.c) ---- */

/* What the comparisons below saw since the caller last zeroed it. */
struct tu_denial {
	unsigned ndiff; /* answers that differ from the live one */
	bool quiet;	/* differences only counted (else each fails the test and is printed) */
	bool dump;	/* each difference printed with both answers' tails in hex */
	/* wildcard NODATA answers (RFC 5155 7.2.5) joined by denial_n3.c, composed by denial.c,
	 * answered by a blob made at compile time (NSEC) */
	unsigned wild_joined, wild_composed, wild_blobs;
};
extern struct tu_denial tu_dn;

/* TEXT (labels with \\DDD escapes, no trailing dot) in wire form at OUT; its length. */
size_t tu_name_wire_esc(uint8_t *out, const char *text);

/* What the live path (resolve.c, render.c) answers to QNAME/QTYPE, with DO when DNSSEC: the
 * whole message (65536 octets at BUF, its length; 0 on error), its counts and flags. */
size_t tu_live(const zt_t *t, const uint8_t *qname, uint16_t qtype, bool dnssec, uint8_t *buf,
	       uint16_t counts[3], uint16_t *flags);

/* The closest encloser of KEY (LEN octets, lower case), as answer.c's lookup finds it. */
uint32_t tu_encloser(const zt_t *t, const uint8_t *key, size_t len);

/*
 * The engine's answer to WIRE (LEN octets, a name)/QTYPE with EDNS (payload 65535), DO when
 * DNSSEC, over TRANSPORT: into a buffer of its own and in place (zt_answer_inplace(), where a
 * denial is composed over the query's OPT), the same octets and info, its tail (without our OPT)
 * the live one REF (RLEN octets, COUNTS). A difference is counted in tu_dn; NAME names it.
 */
void tu_engine_same(const zt_t *t, const char *name, const uint8_t *wire, size_t len,
		    uint16_t qtype, uint8_t transport, bool dnssec, const uint8_t *ref, size_t rlen,
		    const uint16_t counts[3]);

/*
 * Asks T for NAME (presentation, \\DDD escapes)/QTYPE with DO: the engine's answer, and when
 * denial.c composes it, or has a blob for it, or denial_n3.c joins it from its parts, that one
 * too, the live path's to the octet. Returns 1 when it was composed, 2 when a blob answered, 4
 * when it was joined (or-ed), 0 when left to the live path or no denial (a name that exists,
 * one below a cut or a DNAME: nothing compared).
 */
int tu_denial_check(const zt_t *t, const char *name, uint16_t qtype);

/* The octets zone Z's denial answers made ahead take, as zt_denial.c counts them: its wildcard
 * NODATA parts (n3wn), its NXDOMAINs joined ahead (n3ax), its covers written ahead (n3cv), and
 * all of them (its NSEC blobs and their tables or its NSEC3 parts too). */
size_t tu_wild_used(const zt_t *t, uint32_t z);
size_t tu_ahead_used(const zt_t *t, uint32_t z);
size_t tu_covers_used(const zt_t *t, uint32_t z);
size_t tu_denial_used(const zt_t *t, uint32_t z);

/*
 * Z printed by zload_xfr_print() (its records in its order, as a secondary's saved copy and the
 * state directory's hold them), malloc'd; a failure fails the test.
 */
char *tu_zone_print(const zload_zone_t *z);

/* ---- the loader's two readers compared (test_zload.c, test_zload_fastrr.c) ---- */
/*
 * TEXT (origin example.com., file "t.zone") read with the fast reader (FAST) or ldns alone, by
 * THREADS readers of PIECE octets each (0, 0: as sandnsd would); the error in E (ELEN octets).
 */
zload_zone_t *tu_read_with(const char *text, char *e, size_t elen, bool fast, unsigned threads,
			   size_t piece);
/*
 * The same records (owner octets, case included, TTL, class, type, RDATA) on the same lines,
 * or the same error (EA, EB); a difference is printed with HOW (what B was read by). Frees both.
 */
void tu_assert_same(zload_zone_t *a, const char *ea, zload_zone_t *b, const char *eb,
		    const char *how);

/* A UDP socket on ADDR (127.0.0.x), a port the kernel picks (into *PORT), that never answers:
 * a primary that lets a query wait. */
int tu_silent_udp(const char *addr, unsigned *port);

/* Whether a datagram reaches FD within MS milliseconds (0: one there now); it is read. */
bool tu_datagram(int fd, int ms);

/* A loopback TCP port nobody uses now (0 when none could be had). */
unsigned tu_free_port(void);

#endif
