/* SPDX-License-Identifier: BSD-3-Clause */
/* denial_keys.h: NSEC owners' canonical keys and searches, for denial.c (zones/ only) */
#ifndef DENIAL_KEYS_H
#define DENIAL_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire.h"
#include "zt_pvt.h"

/* The longest canonical key: every octet escaped, a terminator a label. */
#define KEY_MAX (2 * WIRE_NAME_MAX + 2 + 8) /* and 8 octets of room */

/*
 * NAME's canonical key (RFC 4034 6.1) at OUT, ordered as memcmp orders it: the labels from the
 * last, octets 0 and 1 written as 1 1 and 1 2, each label ended by 0 (sorts before any octet: a
 * label before the longer ones it begins, a name before the names below it). NAME is in lower
 * case and readable 8 octets past its end; OUT has room for 8 octets more than the key.
 * Only the labels in NAME's first REL octets are taken (a name of a zone: those before the
 * apex, which every name of the zone ends with). BND (if not NULL) gets the key's length after
 * each label, from the last taken: BND[i] for i labels. BELOW (if not NULL) gets the last label
 * taken (NULL: none).
 */
size_t denial_canon_key(uint8_t *out, const uint8_t *name, size_t rel, uint16_t *bnd,
			const uint8_t **below);

/* The NSEC owner (a node) of zone Z with the greatest key at or before KEY (KLEN octets, a name's
 * of the zone without the apex's), wrapping around to the last; ZT_NONE without owners. */
uint32_t denial_cover_key(const zt_zone_t *z, const uint8_t *key, size_t klen);

/* Whether LAB (a label, lower case; NULL: none) is one the SOA's names below the apex have
 * just below it: then they compress to a question with it. */
bool denial_soa_label(const zt_zone_t *z, const uint8_t *lab);

#endif
