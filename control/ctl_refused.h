/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_refused.h: the policy's edits a zone's records refused, remembered (ctl_refused.c) */
#ifndef CTL_REFUSED_H
#define CTL_REFUSED_H

#include <stdbool.h>
#include <stddef.h>

#include "ctl_pvt.h"

/*
 * INFO's edits (the policy's, as zone_edits() writes them) refused by its records for WHY
 * (zload_edits_check()'s reason): logged as an alert, kept as INFO->edits_refused with WHY, and
 * INFO->edits made "": the zone is served as written. SANDNS_EOK or -ENOMEM (ERR said).
 */
int ctl_refused_set(ctl_zone_info_t *info, const char *why, char *err, size_t errlen);

/*
 * The refusal WAS remembered, carried to INFO, a zone left unread (the same records): the alert
 * logged again (unless PREVIEW). SANDNS_EOK or -ENOMEM (ERR said).
 */
int ctl_refused_carry(ctl_zone_info_t *info, const ctl_zone_info_t *was, bool preview, char *err,
		      size_t errlen);

/* Forgets INFO's refusal (the zone is read and its edits weighed again). */
void ctl_refused_clear(ctl_zone_info_t *info);

/*
 * The edits the policy asked of WAS's zone when it was built: those compiled in, or those its
 * records refused (the same asked again of the same records: refused again).
 */
const char *ctl_refused_asked(const ctl_zone_info_t *was);

#endif
