/* SPDX-License-Identifier: BSD-3-Clause */
/* rand_zone.h: signed zones made at random from a seed, for the differential tests */
#ifndef RAND_ZONE_H
#define RAND_ZONE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sign.h"
#include "zload.h"

/*
 * A zone made from its seed alone: a random tree of a few to a few thousand names below one of a
 * few origins (the root among them): empty non-terminals, wildcards at several levels and at
 * the apex, delegations with and without DS and with glue, CNAMEs, DNAMEs, many types at a
 * name, labels with \000 and \001, dots, backslashes, high octets, capitals, the SOA's labels
 * and hashed owners' length; signed by sign_zone() (ECDSA or Ed25519, one key or two, NSEC or
 * NSEC3), NSEC3 edited into opt-out now and then.
 */
typedef struct rand_zone {
	char origin[64];    /* with its final dot; "." for the root */
	char *text;	    /* the zone as made, unsigned */
	unsigned names;	    /* names made, the empty non-terminals among them */
	sign_params_t p;    /* how it was signed */
	bool optout;	    /* NSEC3 edited into opt-out: */
	unsigned chain[2];  /* the owners it kept in the chain, those it left out */
	zload_zone_t *zone; /* the zone signed */
} rand_zone_t;

/* Zone SEED made and signed; the test stops (a fatal CUnit assert) when it cannot be. */
rand_zone_t *rand_zone_make(uint64_t seed);
void rand_zone_free(rand_zone_t **rz);

/* The random numbers the zones are made with (splitmix64 over *S): the next; one below N. */
uint64_t rz_rnd(uint64_t *s);
unsigned rz_below(uint64_t *s, unsigned n);

/*
 * A random label at LAB (its length first): mostly short ones, then the odd kinds the denial
 * code treats apart (escaped 0 and 1, a hashed owner's length, the SOA's labels and labels
 * beginning as they do, dots, high octets, capitals), with LONG_OK the longest too.
 */
void rz_label(uint64_t *s, uint8_t *lab, bool long_ok);

/* Label LAB then name W at OUT; false when that is longer than ROOM octets. */
bool rz_prepend(uint8_t *out, const uint8_t *lab, const uint8_t *w, size_t room);

/* Wire name W as presentation text at OUT (WIRE_NAME_MAX * 4 + 2 octets): letters, digits, '-',
 * '_' and '*' as they are, any other octet as \DDD; with the final dot when DOT. */
void rz_name_text(const uint8_t *w, char *out, bool dot);

#endif
