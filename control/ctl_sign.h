/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_sign.h: the build's signing step, for the zones sandns signs (ctl_sign.c) */
#ifndef CTL_SIGN_H
#define CTL_SIGN_H

#include "ctl.h"

/*
 * Zone I of B, when CFG says sandns signs it: its keys read from the key directory (made when
 * missing, their DS logged), then B->signed_zones[I] the zone as read with EDITS, signed, with
 * a serial newer than BEFORE's (the zone's in PREV, or in the serial state); or, when the zone,
 * edits, keys and policy are those of PREV and its signatures are not yet due for renewal,
 * PREV's signed zone and serial again. With no signed zone of it in PREV (the first build after a
 * start), the one kept in the state directory stands in for PREV's (ctl_signstate_take: served as
 * it is when it matches, else its fresh signatures reused); a zone signed anew is marked
 * sign_fresh, for the publish to save. OUT is set to compile it (no edits: they are in). Not
 * signed: nothing changes. SANDNS_EOK, or an error naming the file or zone in err.
 */
int ctl_sign_zone(const cfg_t *cfg, const ctl_build_t *prev, const ctl_zone_info_t *before,
		  ctl_build_t *b, size_t i, const zload_edit_t *edits, size_t nedits,
		  zt_zone_edits_t *out, char *err, size_t errlen);

/* The earliest time (Unix) a zone of B is due to have its signatures renewed; 0: none. */
int64_t ctl_sign_next_due(const ctl_build_t *b);

#endif
