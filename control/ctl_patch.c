/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_patch.c: a build's snapshot patched from the one served when only some zones' data changed */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>

#include "clock.h"
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

/* Whether zone I of B is left unread with new edits, patched from its part (ctl_build.c). */
static bool from_part(const ctl_build_t *b, size_t i)
{
	return b->zones[i].unread && b->zones[i].part_edits && b->zones[i].part != NULL;
}

/* What a patch of zone I of B reads: the version compiled, or the records kept at the owners of
 * its edits when it is left unread (from_part()). */
static const zload_zone_t *patched_from(const ctl_build_t *b, size_t i)
{
	return from_part(b, i) ? b->zones[i].part : compiled(b, i);
}

/* Whether PREV still holds zone I as read (keep-zones may have dropped it after the publish). */
static bool kept(const ctl_build_t *prev, size_t i)
{
	return prev->raw != NULL && prev->raw[i] != NULL;
}

/*
 * The signed version of zone J that PREV's snapshot compiled, as B has it: PREV's own, or the one
 * B read back from the state directory when PREV held it no more (ctl_sign.c); NULL: neither.
 */
static const zload_zone_t *served_signed(const ctl_build_t *prev, size_t j, const ctl_build_t *b,
					 size_t i)
{
	if (prev->signed_zones != NULL && prev->signed_zones[j] != NULL)
		return prev->signed_zones[j];
	return b->served_signed != NULL ? b->served_signed[i] : NULL;
}

/*
 * Why zone I of B, which sandns signs and whose data changed, cannot be patched in over zone J
 * of PREV, or NULL: signed with NSEC both times, with the same keys and policy (else every
 * signature was made again), and both signed versions held: the one PREV compiled (kept by
 * PREV, or read back from the state directory) is what the new one is compared with (ctl_sign.c
 * indexed both by owner). The policy's edits are signed
 * in: a change of them is a change of the signed version, compared as any other.
 */
static const char *signed_blocks(const cfg_t *cfg, const ctl_build_t *prev, size_t j,
				 const ctl_build_t *b, size_t i)
{
	const cfg_signing_t *sg = cfg_signing_of(cfg, b->zones[i].origin);
	const ctl_zone_info_t *now = &b->zones[i], *was = &prev->zones[j];

	if (sg == NULL || !now->dnssec || !was->dnssec)
		return "a zone comes to be or stops being signed by sandns";
	if (now->sign_hash != was->sign_hash)
		return "a zone sandns signs has other keys or signing parameters: every signature "
		       "is made again";
	if (served_signed(prev, j, b, i) == NULL || b->signed_zones[i] == NULL)
		return "the signed version served is neither kept (keep-zones) nor in the state "
		       "directory";
	return NULL;
}

/* Whether the policy's edits of zone I of B are other than those of zone J of PREV. */
static bool edits_new(const ctl_build_t *prev, size_t j, const ctl_build_t *b, size_t i)
{
	return strcmp(b->zones[i].edits, prev->zones[j].edits) != 0;
}

/*
 * Why zone I of B cannot be patched in, zone J of PREV (the same origin) served before, or NULL:
 * an unchanged zone must be the very version PREV compiled (by its number when PREV no longer
 * holds it) with the same edits, a changed one (its data, its edits or both) a zone sandns does
 * not sign, or one signed_blocks() lets through.
 */
static const char *zone_blocks(const cfg_t *cfg, const ctl_build_t *prev, size_t j,
			       const ctl_build_t *b, size_t i, bool *changed)
{
	const ctl_zone_info_t *now = &b->zones[i], *was = &prev->zones[j];

	*changed = false;
	if (now->absent != was->absent)
		return "a secondary zone comes or goes";
	if (!edits_new(prev, j, b, i) && now->serial == was->serial &&
	    (kept(prev, j)
		 ? compiled(b, i) != NULL && compiled(b, i) == compiled(prev, j)
		 : b->signed_zones[i] == NULL && !was->dnssec && now->zone_ver == was->zone_ver))
		return NULL;
	*changed = true;
	if (now->absent)
		return "a secondary zone without data changed";
	if (now->dnssec || was->dnssec || cfg_signing_of(cfg, now->origin) != NULL ||
	    b->signed_zones[i] != NULL)
		return signed_blocks(cfg, prev, j, b, i);
	return NULL;
}

/* Why zone I of B, which PREV did not serve (or without data), cannot be added by a patch. */
static const char *added_blocks(const cfg_t *cfg, const ctl_build_t *b, size_t i)
{
	if (b->zones[i].dnssec || cfg_signing_of(cfg, b->zones[i].origin) != NULL ||
	    b->signed_zones[i] != NULL)
		return "a zone sandns signs comes";
	return NULL;
}

/*
 * Whether zone I of B, read again, holds the records of the version PREV compiled (zone J), which
 * PREV no longer holds: read from the same files, unchanged since (their stamps alike, as a zone
 * left unread is told unchanged: may_stay_unread(), ctl_build.c), the same serial.
 */
static bool same_file(const ctl_build_t *prev, size_t j, const ctl_build_t *b, size_t i)
{
	return b->raw[i] != NULL && zload_stamps_equal(prev->zones[j].stamps, b->zones[i].stamps) &&
	       prev->zones[j].src_serial == b->zones[i].src_serial;
}

/*
 * The owner each line of TEXT names, edits as ctl_build.c writes them ("withhold OWNER TYPE",
 * "add OWNER TYPE TTL RDATA", "empty-node OWNER"), into OWNERS (room for a line each): TEXT cut
 * in place. An owner ends at the first space not escaped (presentation form: "\ ").
 */
static size_t text_owners(char *text, const char **owners)
{
	size_t n = 0;

	for (char *l = text; *l != '\0';) {
		char *o = strchr(l, ' '), *end = strchr(l, '\n'), *next, *c;

		if (end == NULL)
			end = l + strlen(l);
		next = *end != '\0' ? end + 1 : end;
		if (o != NULL && o < end) {
			for (c = ++o; c < end && *c != ' '; c++)
				if (*c == '\\' && c + 1 < end)
					c++;
			owners[n++] = o;
			*c = '\0';
		}
		l = next;
	}
	return n;
}

/*
 * NM with the names a change of zone I's edits touches (zone J of PREV): the apex (the serial
 * moves) and the owner of every edit PREV compiled in (its edits text) and B compiles in (OPTS's).
 * 0 or -ENOMEM.
 */
static int edit_names(const ctl_build_t *prev, size_t j, const ctl_build_t *b, size_t i,
		      const zt_opts_t *opts, zload_names_t **nm)
{
	const zt_zone_edits_t *e = &opts->edits[i];
	char *text = strdup(prev->zones[j].edits);
	size_t lines = 0, n;
	const char **owners;
	int rc = -ENOMEM;

	for (const char *c = prev->zones[j].edits; *c != '\0'; c++)
		lines += *c == '\n';
	owners = calloc(lines + e->nedits + 2, sizeof(*owners));
	if (text != NULL && owners != NULL) {
		n = text_owners(text, owners);
		for (size_t k = 0; k < e->nedits; k++)
			owners[n++] = e->edits[k].owner;
		rc = zload_names_owners(nm, patched_from(b, i), owners, n);
	}
	free(owners);
	free(text);
	return rc;
}

/* What a patch makes of B: zones whose data changed, zones that come and go. */
struct plan {
	size_t changed[CTL_PATCH_ZONES_MAX], was[CTL_PATCH_ZONES_MAX], nchanged;
	zload_zone_t *add[CTL_PATCH_ZONES_MAX];
	const zt_zone_edits_t *add_edits[CTL_PATCH_ZONES_MAX];
	const char *add_origin[CTL_PATCH_ZONES_MAX];
	size_t nadd;
	const char *remove[CTL_PATCH_ZONES_MAX];
	size_t nremove;
	/* Which of ADD and REMOVE replace a zone (taken out, its new version added: not kept,
	 * nothing to compare it with), one of each a zone. */
	bool add_repl[CTL_PATCH_ZONES_MAX], remove_repl[CTL_PATCH_ZONES_MAX];
	size_t nreplace;
	bool absent; /* the zones answered SERVFAIL change */
};

/*
 * Zone I of B, whose version served (zone J of PREV) is not kept and whose changes no transfer
 * noted, replaced in PL: its names taken out, the new version's put in by zt_patch_zones(), the
 * other zones untouched. NULL, or why not.
 */
static const char *plan_replace(const ctl_build_t *prev, size_t j, ctl_build_t *b, size_t i,
				const zt_opts_t *opts, struct plan *pl)
{
	if (pl->nadd + pl->nremove + 2 > CTL_PATCH_ZONES_MAX)
		return "too many zones come or go";
	/* PREV's origin, as the snapshot names it: the one taken out. */
	pl->remove_repl[pl->nremove] = true;
	pl->remove[pl->nremove++] = prev->zones[j].origin;
	pl->add_repl[pl->nadd] = true;
	pl->add[pl->nadd] = b->raw[i];
	pl->add_edits[pl->nadd] = &opts->edits[i];
	pl->add_origin[pl->nadd++] = b->zones[i].origin;
	pl->nreplace++;
	return NULL;
}

/* B's zones against PREV's (by origin) and BASE's: PL made, or why not. */
static const char *plan_make(const cfg_t *cfg, const ctl_build_t *prev, const zt_t *base,
			     ctl_build_t *b, const zt_opts_t *opts, struct plan *pl)
{
	const char *no = NULL;

	/* What the policy makes of the zones is each zone's edits (and serial), compared zone by
	 * zone (zone_blocks()): decisions that edit nothing change no answer, and a configuration
	 * reload (ctl_cfg_prev_map()) or a zone added changes the decisions' list. */
	if (!zt_opts_match(base, opts))
		return "the settings changed";
	pl->absent = !zt_absent_same(base, opts);
	for (size_t i = 0; no == NULL && i < b->nzones; i++) {
		const ctl_zone_info_t *was = ctl_build_find(prev, b->zones[i].origin);
		bool ch;

		/* Not served before, or without data (answered SERVFAIL, never compiled), and
		 * served now: added. Without data now: in the list zt_patch_zones() is given. */
		if ((was == NULL || was->absent) && !b->zones[i].absent) {
			no = added_blocks(cfg, b, i);
			if (no == NULL && pl->nadd + pl->nremove >= CTL_PATCH_ZONES_MAX)
				no = "too many zones come or go";
			if (no == NULL) {
				pl->add[pl->nadd] = b->raw[i];
				pl->add_edits[pl->nadd] = &opts->edits[i];
				pl->add_origin[pl->nadd++] = b->zones[i].origin;
			}
			continue;
		}
		if (was == NULL || b->zones[i].absent) {
			/* Served before and expired now: taken out, answered SERVFAIL. */
			if (was != NULL && !was->absent &&
			    pl->nremove + pl->nadd >= CTL_PATCH_ZONES_MAX)
				no = "too many zones come or go";
			else if (was != NULL && !was->absent)
				pl->remove[pl->nremove++] = b->zones[i].origin;
			continue;
		}
		no = zone_blocks(cfg, prev, (size_t)(was - prev->zones), b, i, &ch);
		if (no == NULL && ch && pl->nchanged == CTL_PATCH_ZONES_MAX)
			no = "too many zones changed";
		if (no == NULL && ch) {
			pl->was[pl->nchanged] = (size_t)(was - prev->zones);
			pl->changed[pl->nchanged++] = i;
		}
	}
	/* The zones served that B no longer has (its index: no pass over B per zone). */
	if (no == NULL)
		(void)ctl_build_index(b); /* without memory, it is walked */
	for (size_t z = 0; no == NULL && z < zt_zone_count(base); z++) {
		const char *o = zt_zone_origin(base, z);

		if (o == NULL || ctl_build_find(b, o) != NULL)
			continue;
		if (pl->nremove + pl->nadd >= CTL_PATCH_ZONES_MAX)
			no = "too many zones come or go";
		else
			pl->remove[pl->nremove++] = o;
	}
	if (no == NULL && pl->nadd + pl->nremove > CTL_PATCH_ZONES_MAX)
		no = "too many zones come or go";
	return no;
}

int ctl_patch(const cfg_t *cfg, const ctl_build_t *prev, const zt_t *base, ctl_build_t *b,
	      const zt_opts_t *opts, zt_t **out, char *why, size_t whylen, char *err, size_t errlen)
{
	struct plan pl = {.nchanged = 0};
	size_t names = 0, unread = 0;
	const char *no = NULL;
	zt_t *cur = NULL;
	bool copy;
	int rc = 0;

	*out = NULL;
	if (base == NULL || prev == NULL)
		no = "no snapshot of these zones to patch";
	else
		no = plan_make(cfg, prev, base, b, opts, &pl);
	if (no != NULL) {
		snprintf(why, whylen, "%s", no);
		return ZT_PATCH_FULL;
	}
	/* One patch a zone, each on the one before it. */
	for (size_t k = 0; k < pl.nchanged; k++) {
		size_t i = pl.changed[k], j = pl.was[k], n;
		zload_names_t *nm = NULL;
		const uint8_t *const *list;
		zt_patch_in_t in;
		zt_t *next = NULL;
		uint64_t t0 = clock_now_ms(), t1;
		/* The served version compared (a zone sandns signs: as signed, the version PREV
		 * compiled, with the one B compiles), or, not kept, what the transfers since noted.
		 */
		const zload_zone_t *from = b->zones[i].dnssec ? served_signed(prev, j, b, i)
					   : kept(prev, j)    ? prev->raw[j]
							      : NULL;
		/* The policy's edits changed, compiled over the records as read (a zone sandns
		 * signs has them signed in: its signed versions' comparison finds them). */
		bool ed = edits_new(prev, j, b, i) && b->signed_zones[i] == NULL;
		/* A zone the snapshot served lets no patch touch, known to differ (a new serial or
		 * new edits): whole, without the comparison. Otherwise compared first: read again
		 * and the same (a plain reload), it is shared as it is; zt_patch() refuses it if
		 * anything differs. */
		const char *blk =
		    edits_new(prev, j, b, i) || b->zones[i].serial != prev->zones[j].serial
			? zt_patch_blocked(cur != NULL ? cur : base, b->zones[i].origin)
			: NULL;
		int ch;

		if (blk != NULL) {
			snprintf(why, whylen, "zone %s %s", b->zones[i].origin, blk);
			rc = ZT_PATCH_FULL;
			break;
		}
		/* Left unread: its data is the version served (its files unchanged), its records at
		 * the edits' owners kept when it was read. */
		if (b->zones[i].unread && (!ed || !from_part(b, i))) {
			snprintf(why, whylen,
				 "zone %s: not read, and no records of it to patch with",
				 b->zones[i].origin);
			rc = ZT_PATCH_FULL;
			break;
		}
		ch = from != NULL ? zload_changes(from, compiled(b, i), &nm)
		     : ed && (from_part(b, i) || same_file(prev, j, b, i))
			 ? 0 /* its edits alone changed */
			 : zload_changes_since(prev->zones[j].zone_ver, b->raw[i], &nm);

		if (ch == 0 && ed)
			ch = edit_names(prev, j, b, i, opts, &nm);

		/* Not kept, no transfer noted what changed: the zone is replaced whole, after. */
		if (ch == -ENOTSUP && from == NULL) {
			const char *no_repl = plan_replace(prev, j, b, i, opts, &pl);

			if (no_repl == NULL)
				continue;
			snprintf(why, whylen,
				 "zone %s: the version served is not kept (keep-zones) and no "
				 "transfer noted what changed: %s",
				 b->zones[i].origin, no_repl);
			rc = ZT_PATCH_FULL;
			break;
		}
		if (ch != 0) {
			snprintf(why, whylen, "zone %s: %s", b->zones[i].origin,
				 ch != -ENOTSUP ? "out of memory" : "no way to tell what changed");
			rc = ZT_PATCH_FULL;
			break;
		}
		list = zload_names_list(nm, &n);
		/* Read again and the same records (a configuration reload reads every zone): what
		 * is served of it stays (with nothing else to patch: a snapshot of its own, below).
		 */
		if (n == 0 && b->zones[i].serial == prev->zones[j].serial) {
			zload_names_free(&nm);
			continue;
		}
		in = (zt_patch_in_t){.zone = patched_from(b, i),
				     .edits = &opts->edits[i],
				     .serial = b->zones[i].serial,
				     .names = list,
				     .nnames = n,
				     .edits_new = ed};
		t1 = clock_now_ms();
		rc = zt_patch(cur != NULL ? cur : base, &in, &next, why, whylen);
		log_msg(LOG_DEBUG,
			"zone %s: %zu names changed, found in %llu ms, patched in %llu ms",
			b->zones[i].origin, n, (unsigned long long)(t1 - t0),
			(unsigned long long)(clock_now_ms() - t1));
		zload_names_free(&nm);
		if (rc != 0)
			break;
		if (from_part(b, i)) {
			log_msg(
			    LOG_INFO,
			    "snapshot patched: zone %s: the autodiscover policy's edits changed "
			    "(%zu names compiled again from the %zu records kept at them when "
			    "it was read; its file not read), the other zones untouched",
			    b->zones[i].origin, n, zload_rr_count(b->zones[i].part));
			unread++;
		} else if (edits_new(prev, j, b, i))
			log_msg(
			    LOG_INFO,
			    "snapshot patched: zone %s: the autodiscover policy's edits changed "
			    "(%zu names compiled again), the other zones untouched",
			    b->zones[i].origin, n);
		names += n;
		zt_free(&cur);
		cur = next;
	}
	/*
	 * Then the zones that come and go (or are replaced): the others' nodes untouched, their
	 * numbers kept. Or nothing changed at all (no zone's data, edits, decisions or settings;
	 * a zone B left unread, ctl_build.c, has no records to compile whole with): every zone's
	 * part of BASE shared by a snapshot of B's own, which answers as BASE does.
	 */
	copy = pl.nadd == 0 && pl.nremove == 0 && !pl.absent && cur == NULL;
	if (rc == 0 && (pl.nadd > 0 || pl.nremove > 0 || pl.absent || copy)) {
		const zt_patch_zones_in_t zin = {.add = pl.add,
						 .add_edits = pl.add_edits,
						 .nadd = pl.nadd,
						 .remove = pl.remove,
						 .nremove = pl.nremove,
						 .opts = opts};
		zt_t *next = NULL;

		rc = zt_patch_zones(cur != NULL ? cur : base, &zin, &next, why, whylen);
		if (rc == 0) {
			zt_free(&cur);
			cur = next;
		}
	}
	if (rc != 0) {
		if (rc != ZT_PATCH_FULL)
			snprintf(err, errlen, "%s", why);
		zt_free(&cur);
		return rc;
	}
	for (size_t k = 0; k < pl.nadd; k++)
		log_msg(LOG_INFO,
			pl.add_repl[k]
			    ? "snapshot patched: zone %s replaced (not kept in memory: "
			      "its names taken out, the new version's compiled in), the "
			      "other zones untouched"
			    : "snapshot patched: zone %s added, the other zones untouched",
			pl.add_origin[k]);
	for (size_t k = 0; k < pl.nremove; k++)
		if (!pl.remove_repl[k])
			log_msg(LOG_INFO,
				"snapshot patched: zone %s taken out, the other zones untouched",
				pl.remove[k]);
	if (copy)
		log_msg(LOG_INFO, "snapshot patched: no zone's data changed, every zone untouched");
	*out = cur;
	b->patched_names = names;
	b->patched_unread = unread;
	b->patched_zones = pl.nadd + pl.nremove - pl.nreplace;
	b->patched = true;
	return 0;
}
