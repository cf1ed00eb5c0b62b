/* SPDX-License-Identifier: BSD-3-Clause */
/* catz.h: a catalog zone (RFC 9432, version 2) read: its members, and where their copies live */
#ifndef CATZ_H
#define CATZ_H

#include <stdbool.h>
#include <stddef.h>

#include "zload.h"

/* One member: the zone, and the unique label it is listed under (UNIQUE.zones.CATALOG). */
typedef struct catz_member {
	char *name;  /* lower case, with the final dot */
	char *label; /* lower case, as in the owner */
} catz_member_t;

typedef struct catz {
	catz_member_t *members; /* in the order of their first record */
	size_t nmembers;
	char **refused; /* why each member left out was, one reason each ("NAME: ...") */
	size_t nrefused;
} catz_t;

/*
 * The members of catalog ZONE (as read: its origin is the catalog's). A catalog without exactly
 * one version TXT "2" (version.CATALOG) is refused whole: SANDNS_EZONE with the reason in ERR
 * (the caller keeps the members it had). Otherwise SANDNS_EOK and OUT holds every member listed
 * once by one PTR; a member listed under two labels, a label with several PTR records, a PTR
 * naming no valid absolute name, the catalog itself: left out, each with its reason in
 * OUT->refused. -ENOMEM without memory.
 */
int catz_parse(const zload_zone_t *zone, catz_t *out, char *err, size_t errlen);

/* Frees what OUT holds; leaves it empty. */
void catz_clear(catz_t *out);

/* Whether MEMBER (any case, final dot or not) is among C's members. */
bool catz_has(const catz_t *c, const char *member);

/*
 * The file name of member MEMBER's copy, without a directory: the name in lower case without
 * its final dot, each octet other than a-z, 0-9, '-', '_' and the dots between labels written
 * %XX, then ".zone" ("example.com.zone", "odd%2Fname.example.zone"; the root "@root.zone");
 * beyond 200 characters, the first 180 then "~" and a 64-bit FNV-1a hash of the whole name in
 * hex. Never empty, never "." or "..", no '/'. Into BUF (LEN bytes, at least 256).
 */
void catz_file_name(const char *member, char *buf, size_t len);

#endif
