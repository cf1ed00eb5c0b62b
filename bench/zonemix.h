/* SPDX-License-Identifier: BSD-3-Clause */
/* zonemix.h: a query mix drawn from a zone file's own names, for the load tools */
#ifndef ZONEMIX_H
#define ZONEMIX_H

#include <stddef.h>
#include <stdint.h>

/* One question of the mix: a name in wire form (as written in the zone) and a type. */
struct zonemix_q {
	uint8_t name[255];
	uint8_t name_len;
	uint16_t type;
	uint8_t nx; /* 1: a name made up under the origin, expected not to exist */
};

struct zonemix {
	struct zonemix_q *q;
	size_t n;      /* questions in all */
	size_t n_zone; /* of them, the zone's own (owner, type) pairs, each once */
};

/*
 * Reads SPEC, "ORIGIN=FILE" (or "ORIGIN FILE"), with libldns and appends to MIX every distinct
 * (owner, type) of the zone except RRSIG and NSEC3 (their owners answer no query of their own),
 * then one made-up name under ORIGIN (type A) for every eight of them, at least one. Returns 0,
 * or -1 with the reason (FILE:LINE when the zone does not parse) in ERR.
 */
int zonemix_add(struct zonemix *mix, const char *spec, char *err, size_t errlen);

void zonemix_free(struct zonemix *mix);

/* The name of rcode RC ("NOERROR", ..., "RCODE12"), into BUF when it has no name. */
const char *zonemix_rcode_name(unsigned rc, char buf[16]);

/* Whether an answer with rcode RC is an error for a load tool: anything but NOERROR, NXDOMAIN. */
static inline int zonemix_rcode_is_error(unsigned rc)
{
	return rc != 0 && rc != 3;
}

#endif
