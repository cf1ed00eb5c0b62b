/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_keys.h: `zone-keys ZONE` (ctl_keys.c) and the signatures' renewal timer (ctl_resign.c) */
#ifndef CTL_KEYS_H
#define CTL_KEYS_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "ctl.h"

/*
 * `zone-keys ZONE` into B (text, or one JSON document): how the zone is signed, each key's
 * DNSKEY and, for key-signing keys, the DS (SHA-256) for the parent. False (reason in err) for a
 * zone not served, not signed by sandns, or whose keys cannot be read.
 */
bool ctl_zone_keys(ctl_t *ctl, const char *zone, bool json, buf_t *b, char *err, size_t errlen);

/*
 * Called about once a second by the control loop: each zone whose signatures are due for renewal
 * gets a reload of its own queued on the reload thread (which re-signs it); asked again no sooner
 * than CTL_RESIGN_RETRY seconds later if that failed.
 */
void ctl_resign_tick(ctl_t *ctl);
#define CTL_RESIGN_RETRY 60

#endif
