/* SPDX-License-Identifier: BSD-3-Clause */
/* zt_sides.h: a zone's parent-side names (its records below a zone served under it), by name */
#ifndef ZT_SIDES_H
#define ZT_SIDES_H

#include <stddef.h>
#include <stdint.h>

#include "zt_pvt.h"

struct zt_build;

/*
 * Each zone's table of its parent-side nodes (ZN_SHADOW: its records at and below the apex of
 * a zone served below it, which the index leaves to that zone), written into the arena once
 * every node is linked. NSEC3 owners, out of the index too, are no names and are left out.
 * 0 or -ENOMEM. A patch never changes these nodes (a name there is compiled whole), and a zone
 * a patch adds has none: the tables made by zt_new() stay right.
 */
int zt_sides_make(struct zt_build *b);

/* Zone Z's parent-side node named KEY (LEN octets, lower case), or ZT_NONE. */
uint32_t zt_sides_find(const zt_t *zt, uint32_t z, const uint8_t *key, size_t len);

#endif
