/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_patch.c: a build's snapshot patched from the one served when only some zones' data changed */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>

#include "ctl_pvt.h"
#include "log.h"
#include "sandns_err.h"
#include "zload.h"
#include "zt_patch.h"

/* More zones changed at once than this: one compile of them all. */
#define CTL_PATCH_ZONES_MAX 8

/* The version of zone I that build B compiles: as signed, else as read. */
static const zload_zone_t *compiled(const ctl_build_t *b, size_t i)
{
	return b->signed_zones != NULL && b->signed_zones[i] != NULL ? b->signed_zones[i]
								     : b->raw[i];
}

/* Whether PREV still holds zone I as read (keep-zones may have dropped it after the publish). */
static bool kept(const ctl_build_t *prev, size_t i)
{
	return prev->raw != NULL && prev->raw[i] != NULL;
}

/*
 * Why zone I of B (built on PREV) cannot be patched in, or NULL: an unchanged zone must be the
 * very version PREV compiled (by its number when PREV no longer holds it), a changed one a zone
 * sandns does not sign, served before.
 */
static const char *zone_blocks(const cfg_t *cfg, const ctl_build_t *prev, const ctl_build_t *b,
			       size_t i, bool *changed)
{
	const ctl_zone_info_t *now = &b->zones[i], *was = &prev->zones[i];

	*changed = false;
	if (strcasecmp(now->origin, was->origin) != 0)
		return "the zones are not those of the snapshot served";
	if (now->absent != was->absent)
		return "a secondary zone comes or goes";
	if (strcmp(now->edits, was->edits) != 0)
		return "the policy's edits changed";
	if (now->serial == was->serial &&
	    (kept(prev, i)
		 ? compiled(b, i) != NULL && compiled(b, i) == compiled(prev, i)
		 : b->signed_zones[i] == NULL && !was->dnssec && now->zone_ver == was->zone_ver))
		return NULL;
	*changed = true;
	if (now->absent)
		return "a secondary zone without data changed";
	if (now->dnssec || was->dnssec || cfg_signing_of(cfg, now->origin) != NULL ||
	    b->signed_zones[i] != NULL)
		return "a zone sandns signs changed";
	return NULL;
}

int ctl_patch(const cfg_t *cfg, const ctl_build_t *prev, const zt_t *base, ctl_build_t *b,
	      const zt_zone_edits_t *zedits, zt_t **out, char *why, size_t whylen, char *err,
	      size_t errlen)
{
	size_t changed[CTL_PATCH_ZONES_MAX], nchanged = 0, names = 0;
	const char *no = NULL;
	zt_t *cur = NULL;
	int rc = ZT_PATCH_FULL;

	*out = NULL;
	if (base == NULL || prev == NULL || prev->nzones != b->nzones)
		no = "no snapshot of these zones to patch";
	else if (strcmp(prev->policy_key != NULL ? prev->policy_key : "",
			b->policy_key != NULL ? b->policy_key : "") != 0)
		no = "the policy's decisions changed";
	for (size_t i = 0; no == NULL && i < b->nzones; i++) {
		bool ch;

		no = zone_blocks(cfg, prev, b, i, &ch);
		if (no == NULL && ch && nchanged == CTL_PATCH_ZONES_MAX)
			no = "too many zones changed";
		if (no == NULL && ch)
			changed[nchanged++] = i;
	}
	if (no == NULL && nchanged == 0)
		no = "no zone's data changed";
	if (no != NULL) {
		snprintf(why, whylen, "%s", no);
		return ZT_PATCH_FULL;
	}
	/* One patch a zone, each on the one before it. */
	for (size_t k = 0; k < nchanged; k++) {
		size_t i = changed[k], n;
		zload_names_t *nm = NULL;
		const uint8_t *const *list;
		zt_patch_in_t in;
		zt_t *next = NULL;
		/* The served version compared, or, not kept, what the transfers since noted. */
		int ch = kept(prev, i)
			     ? zload_changes(prev->raw[i], b->raw[i], &nm)
			     : zload_changes_since(prev->zones[i].zone_ver, b->raw[i], &nm);

		if (ch != 0) {
			snprintf(
			    why, whylen, "zone %s: %s", b->zones[i].origin,
			    ch != -ENOTSUP ? "out of memory"
			    : kept(prev, i)
				? "no way to tell what changed"
				: "the version served is not kept (keep-zones) and no transfer "
				  "noted what changed");
			rc = ZT_PATCH_FULL;
			break;
		}
		list = zload_names_list(nm, &n);
		in = (zt_patch_in_t){.zone = b->raw[i],
				     .edits = &zedits[i],
				     .serial = b->zones[i].serial,
				     .names = list,
				     .nnames = n};
		rc = zt_patch(cur != NULL ? cur : base, &in, &next, why, whylen);
		zload_names_free(&nm);
		if (rc != 0) {
			if (rc != ZT_PATCH_FULL)
				snprintf(err, errlen, "%s", why);
			break;
		}
		names += n;
		zt_free(&cur);
		cur = next;
	}
	if (rc != 0) {
		zt_free(&cur);
		return rc;
	}
	*out = cur;
	b->patched_names = names;
	b->patched = true;
	return 0;
}
