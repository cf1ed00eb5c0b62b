/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_part.h: the records a change of a zone's policy edits compiles again, kept when it is read */
#ifndef CTL_PART_H
#define CTL_PART_H

#include <stdbool.h>

#include "cert.h"
#include "ctl.h"
#include "policy.h"
#include "policy_zone.h"

/* The most records and octets (owners and data) a zone's part holds: past them, none is kept. */
#define CTL_PART_RECS_MAX 256
#define CTL_PART_OCTETS_MAX 65536

/*
 * INFO->part made from ZONE, a version just read (whole, before the policy's edits: a withheld
 * address is in it): its records at the apex, autodiscover.D, _autodiscover._tcp.D and the
 * marker name below autodiscover.D (D the origin), the only owners the policy's edits name
 * (policy.c). None (NULL) for a signed version, or past the bound. 0, or -ENOMEM.
 */
int ctl_part_keep(ctl_zone_info_t *info, const zload_zone_t *zone);

/*
 * Whether every owner that the edits WAS compiled in (its edits text) and the edits P makes of
 * zone ORIGIN (NULL: none) name is one whose records WAS's part holds: a change of them may then
 * be patched from it, without reading the zone. False when WAS keeps no part.
 */
bool ctl_part_covers(const ctl_zone_info_t *was, const char *origin, const policy_t *p);

/*
 * Asks PZ (a zone read, its answers recorded in its view: PZ->record) now the questions the
 * policy asks of it when a certificate change makes or lifts its edits, so that the view holds
 * them while the zone stays unread: records at, below, at or below each of its edits' owners
 * and of the names the certificates CERTS (NCERTS) give that lie in it (a wildcard's without
 * its "*."), data other than addresses there, the A, AAAA, CNAME and SRV records there (up to
 * what the view keeps), and whether it is signed. Answers of the zone as read: the decisions
 * from the view are those reading it gives. Without memory some are not recorded (missed).
 */
void ctl_part_prime(policy_zone_t *pz, cert_t *const *certs, size_t ncerts);

#endif
