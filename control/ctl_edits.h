/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_edits.h: the autodiscover policy's decisions and edits of a zone, as text to compare */
#ifndef CTL_EDITS_H
#define CTL_EDITS_H

#include <stddef.h>

#include "ctl.h" /* ctl_policy_key() */

/*
 * The policy P's edits for zone ORIGIN: into EDITS (a slice of the policy's; room for all of
 * them) and as text, one line an edit ("withhold OWNER TYPE", "add OWNER TYPE TTL RDATA",
 * "empty-node OWNER"; "" none), *N of them. 0, or -ENOMEM.
 */
int ctl_zone_edits(const policy_t *p, const char *origin, const zload_edit_t **edits, size_t *n,
		   char **text);

/* Whether the policy P's edits of zone ORIGIN are those WAS gives (as ctl_zone_edits() writes
 * them); EDITS: room for all of P's. -ENOMEM, 1 or 0. */
int ctl_same_edits(const policy_t *p, const char *origin, const char *was,
		   const zload_edit_t **edits);

#endif
