/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_catz.c: catalog zones consumed: members added and removed as the catalog's transfers say */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "catz.h"
#include "clock.h"
#include "ctl_catz_pvt.h"
#include "ctl_pvt.h"
#include "log.h"
#include "origins.h"
#include "sandns_err.h"
#include "xfrin.h"

/* Member MEMBER's copy: state-dir/catalog/NAME.zone (catz_file_name) into BUF; false: no room. */
static bool member_path(const cfg_t *cfg, const char *member, char *buf, size_t len)
{
	char name[256];

	if (cfg->state_dir == NULL)
		return false;
	catz_file_name(member, name, sizeof(name));
	return (size_t)snprintf(buf, len, "%s/" CATZ_MEMBERS_DIR "/%s", cfg->state_dir, name) < len;
}

/* The zone of CFG named ORIGIN, or NULL. */
static const cfg_zone_t *zone_of(const cfg_t *cfg, const char *origin)
{
	long i = cfg_zone_find(cfg, origin); /* indexed once checked, else a pass */

	return i < 0 ? NULL : &cfg->zones[i];
}

/*
 * The zone of CFG named ORIGIN among its first N, those indexed before members were added
 * (cfg_zone_index; without memory, a pass): what zone_of() finds while the list grows, when
 * no zone added since can be ORIGIN.
 */
static const cfg_zone_t *zone_among(const cfg_t *cfg, const char *origin, size_t n)
{
	long i = -1;

	if (cfg->zone_index != NULL && cfg->zone_index_n == n)
		i = origins_exact(cfg->zone_index, origin);
	for (size_t k = 0; (cfg->zone_index == NULL || cfg->zone_index_n != n) && i < 0 && k < n;
	     k++)
		if (cfg_same_origin(cfg->zones[k].origin, origin))
			i = (long)k;
	return i < 0 ? NULL : &cfg->zones[i];
}

/* Whether member Z (of another catalog) is handed over to catalog CAT: its catalog's coo
 * property names CAT (RFC 9432 4.4.1). */
static bool handed_to(const cfg_zone_t *z, const char *cat)
{
	return z->catalog != NULL && z->catalog_coo != NULL &&
	       cfg_same_origin(z->catalog_coo, cat) && !cfg_same_origin(z->catalog, cat);
}

/*
 * ctl_catz_carry(), but for a catalog EXCEPT whose members TAKING lists (NULL: none): the
 * members another catalog hands over to EXCEPT by a coo property are not carried when TAKING
 * lists them, so that EXCEPT takes them.
 */
static int carry(const cfg_t *cur, cfg_t *next, const char *except, const struct catz_ix *taking)
{
	const size_t n0 = next->nzones;

	/* CUR's zones are unique (checked): none added here is another's origin. */
	(void)cfg_zone_index(next);
	for (size_t i = 0; i < cur->nzones; i++) {
		const cfg_zone_t *z = &cur->zones[i];
		const cfg_catalog_t *c;

		if (z->catalog == NULL || (except != NULL && cfg_same_origin(z->catalog, except)))
			continue;
		if (taking != NULL && handed_to(z, except) &&
		    ctl_catz_ix_find(taking, z->origin) >= 0)
			continue;
		c = cfg_catalog_find(next, z->catalog);
		/* Its catalog gone, or the zone now configured otherwise: the member goes. */
		if (c == NULL || c->producer || zone_among(next, z->origin, n0) != NULL)
			continue;
		if (cfg_add_member(next, z->origin, z->src.path, z->catalog, z->catalog_label,
				   z->catalog_coo) != SANDNS_EOK)
			return -ENOMEM;
	}
	return SANDNS_EOK;
}

int ctl_catz_carry(const cfg_t *cur, cfg_t *next, const char *except)
{
	return carry(cur, next, except, NULL);
}

/*
 * Each consumer catalog's serial last read, and whether its members were applied: one whose
 * apply failed (or which could not be read) is tried again at later publishes, at most
 * CTL_CATZ_TRIES times per serial, not before RETRY_MS (clock_now_ms()), each wait twice the
 * one before; a new serial starts again.
 */
struct ctl_catz_seen {
	char *origin;
	unsigned long serial;
	bool done;	   /* applied, or nothing to apply (the catalog refused: logged) */
	unsigned tries;	   /* failed attempts at this serial */
	uint64_t retry_ms; /* not tried again before */
};

uint64_t ctl_catz_retry_ms = CTL_CATZ_RETRY_MS;
unsigned ctl_catz_fail_applies;

/* Catalog ORIGIN's entry, made or started again for SERIAL; NULL without memory. */
static struct ctl_catz_seen *seen_entry(ctl_t *ctl, const char *origin, unsigned long serial)
{
	struct ctl_catz_seen *s;

	for (size_t i = 0; i < ctl->ncatz_seen; i++)
		if (cfg_same_origin(ctl->catz_seen[i].origin, origin)) {
			s = &ctl->catz_seen[i];
			if (s->serial != serial)
				*s = (struct ctl_catz_seen){.origin = s->origin, .serial = serial};
			return s;
		}
	s = realloc(ctl->catz_seen, (ctl->ncatz_seen + 1) * sizeof(*s));
	if (s == NULL)
		return NULL;
	ctl->catz_seen = s;
	s += ctl->ncatz_seen;
	*s = (struct ctl_catz_seen){.origin = strdup(origin), .serial = serial};
	if (s->origin == NULL)
		return NULL;
	ctl->ncatz_seen++;
	return s;
}

/* Whether S is to be read (again) now: never read at its serial, or failed and due again. */
static bool seen_due(const struct ctl_catz_seen *s, uint64_t now)
{
	return !s->done && s->tries < CTL_CATZ_TRIES && now >= s->retry_ms;
}

/* The attempt at S (catalog CAT) went OK or not: a failure is tried again later, or given up. */
static void seen_tried(struct ctl_catz_seen *s, const char *cat, bool ok, uint64_t now)
{
	uint64_t wait;

	if (ok) {
		s->done = true;
		return;
	}
	s->tries++;
	if (s->tries >= CTL_CATZ_TRIES) {
		log_msg(LOG_ERR,
			"catalog %s: its members at serial %lu failed %u times; not tried again "
			"until its serial changes or the configuration is reloaded",
			cat, s->serial, s->tries);
		return;
	}
	wait = ctl_catz_retry_ms << (s->tries - 1);
	s->retry_ms = now + wait;
	log_msg(LOG_WARNING, "catalog %s: its members at serial %lu tried again in %g s (%u of %u)",
		cat, s->serial, (double)wait / 1000, s->tries + 1, CTL_CATZ_TRIES);
}

/*
 * The earliest time a catalog is due again (0: none), for ctl_catz_tick() on the control thread:
 * after NOW only. One due by NOW that ctl_catz_update() did not try (absent, or no longer served)
 * waits for the publish that serves it again: the tick's reload would find it due and untried
 * again, a reload each round of the control thread for as long as it stays so.
 */
static void seen_schedule(ctl_t *ctl, uint64_t now)
{
	uint64_t next = 0;

	for (size_t i = 0; i < ctl->ncatz_seen; i++) {
		const struct ctl_catz_seen *s = &ctl->catz_seen[i];

		if (!s->done && s->tries > 0 && s->tries < CTL_CATZ_TRIES && s->retry_ms > now &&
		    (next == 0 || s->retry_ms < next))
			next = s->retry_ms != 0 ? s->retry_ms : 1;
	}
	__atomic_store_n(&ctl->catz_retry_at, next, __ATOMIC_RELEASE);
}

void ctl_catz_tick(ctl_t *ctl)
{
	/* Nothing read: a publish, then the update; failing before it, ctl_catz_unpublished(). */
	const ctl_rebuild_t what = {.zones = false, .catz_retry = true};
	uint64_t at = __atomic_load_n(&ctl->catz_retry_at, __ATOMIC_ACQUIRE);

	if (at == 0 || clock_now_ms() < at ||
	    !__atomic_compare_exchange_n(&ctl->catz_retry_at, &at, 0, false, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE))
		return;
	ctl_reload_watch(ctl, &what, LOG_INFO, "catalog members tried again",
			 "trying catalog members again: the reload failed");
}

void ctl_catz_unpublished(ctl_t *ctl)
{
	const uint64_t now = clock_now_ms();
	bool due = false;

	/* The tick handed its due time over (catz_retry_at 0) to a publish that did not happen.
	 * A catalog not served (absent) waits for the publish that serves it, as in
	 * seen_schedule(): its tries are not spent meanwhile. */
	for (size_t i = 0; i < ctl->ncatz_seen; i++) {
		struct ctl_catz_seen *s = &ctl->catz_seen[i];
		size_t z = 0;

		while (z < ctl->info.nzones &&
		       !cfg_same_origin(ctl->info.zones[z].origin, s->origin))
			z++;
		if (z == ctl->info.nzones || ctl->info.zones[z].absent)
			continue;
		if (s->tries > 0 && seen_due(s, now)) {
			if (!due)
				log_msg(LOG_WARNING,
					"catalog members not tried: the publish failed");
			due = true;
			seen_tried(s, s->origin, false, now);
		}
	}
	if (due)
		seen_schedule(ctl, now);
}

void ctl_catz_free(ctl_t *ctl)
{
	for (size_t i = 0; i < ctl->ncatz_seen; i++)
		free(ctl->catz_seen[i].origin);
	free(ctl->catz_seen);
	ctl->catz_seen = NULL;
	ctl->ncatz_seen = 0;
	__atomic_store_n(&ctl->catz_retry_at, 0, __ATOMIC_RELEASE);
}

/*
 * The configuration in force made again (as last read: its text, never a file edited since)
 * with catalog CAT's members those of WANT (those configured otherwise left out and logged);
 * the other catalogs' members kept. NULL (logged) on failure.
 */
static cfg_t *remake(ctl_t *ctl, const char *cat, const catz_t *want, const catz_t *taking)
{
	char err[1024], warn[2048], path[4096];
	size_t nwarn = 0, n0;
	cfg_t *next = cfg_new();
	struct ctl_catz_others others = {0};
	struct catz_ix tix;

	ctl_catz_ix_init(&tix, taking);
	if (next == NULL)
		goto nomem;
	next->reuse_text = ctl->cfg->text;
	if (cfg_load_args(next, ctl->argc, ctl->argv, err, sizeof(err)) != SANDNS_EOK)
		goto fail;
	if (carry(ctl->cfg, next, cat, &tix) != SANDNS_EOK)
		goto nomem;
	/*
	 * NEXT's zones indexed before the members are added: WANT's names are unique (catz_parse
	 * leaves out a member listed twice), so none added here is another member's zone.
	 */
	n0 = next->nzones;
	(void)cfg_zone_index(next);
	for (size_t k = 0; k < want->nmembers; k++) {
		const char *m = want->members[k].name;
		const cfg_zone_t *z = zone_among(next, m, n0), *was = zone_of(ctl->cfg, m);

		if (z != NULL)
			continue; /* configured otherwise: said by left_out() */
		if (was == NULL && ctl_catz_left_for_coo(ctl, cat, &want->members[k], &others))
			continue;
		if (!member_path(ctl->cfg, m, path, sizeof(path))) {
			log_msg(LOG_WARNING, "catalog %s: member %s is left out: no state-dir", cat,
				m);
			continue;
		}
		if (was == NULL &&
		    ctl_catz_left_to_owner(ctl, cat, &want->members[k], path, &others))
			continue;
		if (was != NULL && handed_to(was, cat))
			log_msg(
			    LOG_NOTICE,
			    "catalog %s: member %s taken over from catalog %s, whose coo property "
			    "hands it over: its copy and state kept (the same unique label %s)",
			    cat, m, was->catalog, want->members[k].label);
		if (cfg_add_member(next, m, path, cat, want->members[k].label,
				   want->members[k].coo) != SANDNS_EOK)
			goto nomem;
	}
	if (cfg_check(next, err, sizeof(err)) != SANDNS_EOK)
		goto fail;
	if (cfg_keep_static(next, ctl->cfg, warn, sizeof(warn), &nwarn) != SANDNS_EOK)
		goto nomem;
	ctl_catz_others_free(&others);
	ctl_catz_ix_free(&tix);
	return next;
nomem:
	snprintf(err, sizeof(err), "out of memory");
fail:
	if (next != NULL && next->nerrors > 0)
		snprintf(err, sizeof(err), "%s", next->errors[0]);
	log_msg(LOG_ERR, "catalog %s: its members cannot be applied: %s", cat, err);
	cfg_free(&next);
	ctl_catz_others_free(&others);
	ctl_catz_ix_free(&tix);
	return NULL;
}

/*
 * The members of WANT that CFG configures otherwise (a zone line, another catalog): logged; not
 * those handed over by a coo property, to CAT or from it.
 */
static void left_out(const cfg_t *cfg, const char *cat, const catz_t *want)
{
	for (size_t k = 0; k < want->nmembers; k++) {
		const cfg_zone_t *z = zone_of(cfg, want->members[k].name);
		const char *coo = want->members[k].coo;

		if (z == NULL || (z->catalog != NULL && cfg_same_origin(z->catalog, cat)) ||
		    handed_to(z, cat) ||
		    (coo != NULL && z->catalog != NULL && cfg_same_origin(z->catalog, coo)))
			continue;
		log_msg(LOG_WARNING,
			"catalog %s: member %s is left out: it is configured already (%s%s)", cat,
			want->members[k].name, z->catalog != NULL ? "catalog " : "",
			z->catalog != NULL ? z->catalog
			: z->where != NULL ? z->where
					   : "zone");
	}
}

/* Whether two coo properties (NULL: none) name the same catalog. */
static bool same_coo(const char *a, const char *b)
{
	return a == NULL || b == NULL ? a == b : cfg_same_origin(a, b);
}

/*
 * Whether catalog CAT's members in CFG are exactly WANT's (those WANT has configured apart), each
 * under the same unique label and coo property, and none another catalog hands over to CAT.
 * WANT's names are indexed once (without memory: catz_has walks them): ten thousand members
 * would otherwise be compared with each other's zones, 10^8 times per refresh.
 */
static bool same_members(const cfg_t *cfg, const char *cat, const catz_t *want)
{
	size_t have = 0, listed = 0;
	const char **names = calloc(want->nmembers + 1, sizeof(*names));
	origins_t *idx = NULL;
	bool in;

	for (size_t k = 0; names != NULL && k < want->nmembers; k++)
		names[k] = want->members[k].name;
	if (names != NULL)
		idx = origins_new(names, want->nmembers);
	for (size_t i = 0; i < cfg->nzones; i++)
		if (cfg->zones[i].catalog != NULL && cfg_same_origin(cfg->zones[i].catalog, cat)) {
			in = idx != NULL ? origins_exact(idx, cfg->zones[i].origin) >= 0
					 : catz_has(want, cfg->zones[i].origin);
			if (!in) {
				origins_free(idx);
				free(names);
				return false;
			}
			have++;
		}
	origins_free(idx);
	free(names);
	for (size_t k = 0; k < want->nmembers; k++) {
		const cfg_zone_t *z = zone_of(cfg, want->members[k].name);

		if (z == NULL || handed_to(z, cat))
			return false;
		if (z->catalog != NULL && cfg_same_origin(z->catalog, cat)) {
			if (z->catalog_label == NULL ||
			    strcmp(z->catalog_label, want->members[k].label) != 0 ||
			    !same_coo(z->catalog_coo, want->members[k].coo))
				return false;
			listed++;
		}
	}
	return have == listed;
}

/*
 * Per zone of CFG, the version of a secondary zone the transfer thread holds (a reference), or
 * NULL: the one served, which a zone not kept in memory (keep-zones) is read again from, rather
 * than from its copy on disk (another version, not compared with the one served, or not yet
 * written). NULL without secondary zones or memory.
 */
static zload_zone_t **given_copies(ctl_t *ctl, const cfg_t *cfg)
{
	zload_zone_t **g;

	if (ctl->xfrin == NULL || (g = calloc(cfg->nzones + 1, sizeof(*g))) == NULL)
		return NULL;
	for (size_t i = 0; i < cfg->nzones; i++)
		if (cfg->zones[i].src.kind == ZSRC_PRIMARY)
			g[i] = xfrin_lend(ctl->xfrin, cfg->zones[i].origin, false);
	return g;
}

/*
 * What sits at member Z's label file, not a file (catz_label_read()'s WHY), moved aside, logged:
 * whether it was. When it cannot be, the copy is kept and no label recorded (logged), as the
 * copy of an older sandnsd: never removed at every start for a label no write can record.
 */
static bool set_aside(const char *cat, const cfg_zone_t *z, const char *why)
{
	char aside[4096], err[1024];

	if (catz_label_aside(z->src.path, aside, sizeof(aside), err, sizeof(err)) != SANDNS_EOK) {
		log_msg(LOG_ERR,
			"catalog %s: member %s: %s, and %s: its copy kept, its label not recorded "
			"(a catalog that lists it under another label does not reset it)",
			cat, z->origin, why, err);
		return false;
	}
	log_msg(LOG_WARNING,
		"catalog %s: member %s: %s: moved to %s; its copy, if any, kept as made under %s",
		cat, z->origin, why, aside, z->catalog_label);
	return true;
}

/*
 * Member Z of catalog CAT, about to be added: the copy it has on disk (left by a run before, or
 * by a time it was listed before) is served only if it was made under the label the catalog
 * lists it under now: else it is removed, and the zone transferred whole (RFC 9432 5.5). Only
 * the label recorded beside the copy tells, after a restart: the catalog's first version read
 * may be the one that changed it (its copy lost, or a change read whose apply failed). A copy
 * with no label recorded (made by an older sandnsd) is kept: resetting every member at the
 * first start would make each answer SERVFAIL until transferred again, from primaries that may
 * not answer then. Then the label is recorded, with CAT, before any copy made under it can be
 * written (a start reading another catalog that lists it first leaves it to CAT).
 */
static bool check_copy(const char *cat, const cfg_zone_t *z)
{
	const char *path = z->src.path;
	char had[CATZ_LABEL_MAX], owner[CATZ_OWNER_MAX], err[1024], why[1024] = "";
	struct stat st;
	int rc = catz_label_read(path, had, sizeof(had), owner, sizeof(owner), why, sizeof(why));
	const bool aside = rc == -EISDIR, same = rc == 1 && strcmp(had, z->catalog_label) == 0;

	if (same && owner[0] != '\0' && cfg_same_origin(owner, z->catalog))
		return false;
	/* Not a file (a directory, say): none of our writes, nor a label lost, and a directory
	 * would refuse every label written, each start then resetting the member again. Moved
	 * aside, kept whole; the copy is one whose label is not known, as an older sandnsd's. */
	if (aside && !set_aside(cat, z, why))
		return false;
	if (same) {
		/* The copy stays; its catalog recorded, another than the file says (a coo's
		 * hand-over under the same label) or none (an older sandnsd's file). */
	} else if (stat(path, &st) != 0) {
		/* No copy: the label may be what a reset left behind. */
	} else if (aside) {
		/* Said by set_aside(). */
	} else if (rc == 0) {
		log_msg(LOG_INFO,
			"catalog %s: member %s: its copy has no label recorded (an older sandnsd): "
			"kept, as made under %s",
			cat, z->origin, z->catalog_label);
	} else {
		if (rc == 1)
			log_msg(LOG_NOTICE,
				"catalog %s: member %s: its copy was made under label %s, now %s: "
				"removed, the zone transferred whole",
				cat, z->origin, had, z->catalog_label);
		else
			log_msg(
			    LOG_WARNING,
			    "catalog %s: member %s: the label its copy was made under cannot be "
			    "read (%s): the copy removed, the zone transferred whole",
			    cat, z->origin, why);
		if (unlink(path) != 0 && errno != ENOENT) {
			/* Its label stays: the next start tries again. */
			log_msg(LOG_ERR, "catalog %s: cannot remove %s: %s", cat, path,
				strerror(errno));
			return false;
		}
		xfrin_copy_forget(path);
	}
	if (catz_label_write(path, z->catalog_label, z->catalog, err, sizeof(err)) == SANDNS_EOK)
		return true;
	log_msg(LOG_ERR,
		"catalog %s: member %s: its label is not recorded (a restart that finds it "
		"changed keeps the copy): %s",
		cat, z->origin, err);
	return false;
}

/*
 * The label files of the members another catalog's coo property handed over to catalog CAT
 * under the same unique label (PATHS, their LABELS; N of them), served as CAT's now: rewritten
 * to name CAT, and synced; their copies stay. Else a file would still name the catalog that
 * handed the member over, which a start takes for its owner: that catalog, listing it still
 * without a coo, would take it back; no longer configured, the journals' sweep would remove
 * the copy whenever CAT's zone fails to load at that start.
 */
static void relabel_handed(const char *cat, char **paths, char **labels, size_t n)
{
	char err[1024];
	const char *some = NULL; /* one written */

	for (size_t i = 0; i < n; i++) {
		if (paths[i] == NULL || labels[i] == NULL)
			continue;
		if (catz_label_write(paths[i], labels[i], cat, err, sizeof(err)) == SANDNS_EOK)
			some = paths[i];
		else
			log_msg(
			    LOG_ERR,
			    "catalog %s: a member handed over to it: its label file still names "
			    "the catalog it came from: %s",
			    cat, err);
	}
	if (some != NULL)
		catz_label_sync(some);
}

/*
 * Applies catalog CAT's members WANT: NEXT switched to; the copies of members gone removed, their
 * number added to *REMOVED. Whether it was (failures logged).
 */
static bool apply(ctl_t *ctl, const char *cat, const catz_t *want, const catz_t *taking,
		  size_t *removed)
{
	ctl_rebuild_t what = {.zones = false}; /* only the new members are read */
	zload_zone_t **given;
	size_t ngiven;
	char err[1024], dir[4096];
	cfg_t *next, *old = (cfg_t *)ctl->cfg;
	char **gone = NULL, **handed = NULL, **labels = NULL;
	size_t ngone = 0, added = 0, nhanded = 0;
	const char *labelled = NULL; /* a member whose label was just written */
	int rc;

	snprintf(dir, sizeof(dir), "%s/" CATZ_MEMBERS_DIR, ctl->cfg->state_dir);
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		log_msg(LOG_ERR, "catalog %s: cannot create %s: %s", cat, dir, strerror(errno));
	next = remake(ctl, cat, want, taking);
	if (next == NULL)
		return false;
	gone = calloc(old->nzones + 1, sizeof(*gone));
	/* CAT's members it no longer lists, and those handed over to it that go first (another
	 * label: the reset's first apply); the other catalogs' are carried. */
	for (size_t i = 0; gone != NULL && i < old->nzones; i++) {
		const cfg_zone_t *z = &old->zones[i];

		if (z->catalog != NULL && (cfg_same_origin(z->catalog, cat) || handed_to(z, cat)) &&
		    zone_of(next, z->origin) == NULL)
			gone[ngone++] = strdup(z->src.path);
	}
	handed = calloc(old->nzones + 1, sizeof(*handed));
	labels = calloc(old->nzones + 1, sizeof(*labels));
	for (size_t i = 0; i < next->nzones; i++) {
		const cfg_zone_t *z = &next->zones[i], *was = zone_of(old, z->origin);

		/* Handed over under the same label (another is a reset: added again below). */
		if (was != NULL && handed != NULL && labels != NULL && handed_to(was, cat) &&
		    z->catalog != NULL && cfg_same_origin(z->catalog, cat)) {
			handed[nhanded] = strdup(z->src.path);
			labels[nhanded++] = strdup(z->catalog_label);
		}
		if (was != NULL)
			continue;
		added++;
		/* Before the reload reads the members added. */
		if (z->catalog != NULL && cfg_same_origin(z->catalog, cat) && check_copy(cat, z))
			labelled = z->src.path;
	}
	if (labelled != NULL)
		catz_label_sync(labelled); /* before any copy made under them (the writer's) */
	given = given_copies(ctl, next);
	ngiven = next->nzones; /* NEXT is the daemon's, or freed, after the reload */
	what.given = given;
	if (ctl_catz_fail_applies > 0) { /* tests: as a reload that fails */
		ctl_catz_fail_applies--;
		snprintf(err, sizeof(err), "failed for the test");
		cfg_free(&next);
		rc = SANDNS_EZONE;
	} else {
		rc = ctl_reload_cfg(ctl, next, &what, err, sizeof(err));
	}
	for (size_t i = 0; given != NULL && i < ngiven; i++)
		zload_free(&given[i]);
	free(given);
	if (rc != SANDNS_EOK) {
		log_msg(LOG_ERR, "catalog %s: its members cannot be served: %s", cat, err);
		ngone = 0;
	} else {
		log_msg(LOG_NOTICE, "catalog %s: %zu member%s added, %zu removed; %zu zones served",
			cat, added, added == 1 ? "" : "s", ngone, ctl->info.nzones);
		*removed += ngone;
		relabel_handed(cat, handed, labels, nhanded);
	}
	/* A member removed leaves nothing behind: its copy goes too. */
	for (size_t i = 0; gone != NULL && i < ngone; i++)
		if (gone[i] != NULL) {
			bool left = unlink(gone[i]) != 0 && errno != ENOENT;

			if (left)
				log_msg(LOG_WARNING, "catalog %s: cannot remove %s: %s", cat,
					gone[i], strerror(errno));
			xfrin_copy_forget(gone[i]); /* its mark (FILE.serial) too */
			/* Its label after it: a copy left keeps the label it was made under. */
			if (!left)
				catz_label_forget(gone[i]);
		}
	for (size_t i = 0; gone != NULL && i < old->nzones; i++)
		free(gone[i]);
	free(gone);
	for (size_t i = 0; i < nhanded; i++) {
		free(handed[i]);
		free(labels[i]);
	}
	free(handed);
	free(labels);
	return rc == SANDNS_EOK;
}

/*
 * Whether member Z of CFG is listed by catalog CAT under another label than LABEL: CAT's own, or
 * one another catalog hands over to CAT (RFC 9432 4.4.1: its state is reset unless the label is
 * the same).
 */
static bool label_moves(const cfg_zone_t *z, const char *cat, const char *label)
{
	return z != NULL && z->catalog != NULL &&
	       (cfg_same_origin(z->catalog, cat) || handed_to(z, cat)) &&
	       z->catalog_label != NULL && strcmp(z->catalog_label, label) != 0;
}

/*
 * The members of catalog CAT that CFG serves under another unique label than WANT lists them
 * under, each logged: WANT without them into *KEPT (names and labels borrowed from WANT: freed
 * with free(KEPT->members) alone). Their number; 0 leaves *KEPT empty. RFC 9432 5.5: a member
 * whose label changes is removed with all its state, then added as a new member: a producer
 * resets a zone so (a primary that started it again at a lower serial, say), which the SOA
 * checks of the copy held would otherwise never see. -ENOMEM without memory.
 */
static int relabeled(const cfg_t *cfg, const char *cat, const catz_t *want, catz_t *kept)
{
	size_t n = 0;

	memset(kept, 0, sizeof(*kept));
	for (size_t k = 0; k < want->nmembers; k++) {
		const cfg_zone_t *z = zone_of(cfg, want->members[k].name);

		if (!label_moves(z, cat, want->members[k].label))
			continue;
		if (kept->members == NULL &&
		    (kept->members = calloc(want->nmembers, sizeof(*kept->members))) == NULL)
			return -ENOMEM;
		if (cfg_same_origin(z->catalog, cat))
			log_msg(LOG_NOTICE,
				"catalog %s: member %s: its unique label changed (%s, now %s): "
				"removed with its copy and added again",
				cat, want->members[k].name, z->catalog_label,
				want->members[k].label);
		else
			log_msg(LOG_NOTICE,
				"catalog %s: member %s taken over from catalog %s, whose coo "
				"property hands it over, under another unique label (%s, now %s): "
				"removed with its copy and added again",
				cat, want->members[k].name, z->catalog, z->catalog_label,
				want->members[k].label);
		n++;
	}
	for (size_t k = 0; n > 0 && k < want->nmembers; k++)
		if (!label_moves(zone_of(cfg, want->members[k].name), cat, want->members[k].label))
			kept->members[kept->nmembers++] = want->members[k];
	return (int)n;
}

/*
 * Catalog CAT's members WANT applied, those relabeled removed first (relabeled()); the members
 * it no longer lists counted in *REMOVED. Those go with the first apply when there are two: of
 * the members it removes, all but the N relabeled (added again by the second) left CAT.
 */
static bool apply_all(ctl_t *ctl, const char *cat, const catz_t *want, size_t *removed)
{
	catz_t kept;
	size_t first = 0;
	int n = relabeled(ctl->cfg, cat, want, &kept);
	bool ok;

	if (n < 0)
		return false;
	ok = n == 0 || apply(ctl, cat, &kept, want, &first);
	free(kept.members);
	if (first > (size_t)n)
		*removed += first - (size_t)n;
	return ok && apply(ctl, cat, want, want, removed);
}

/*
 * Members left catalog CAT, or its coo properties changed: every other consumer catalog is read
 * again, even at the serial it was read at, so that one listing such a member (refused then: it
 * was CAT's) takes it now. That is how a member moves between catalogs (RFC 9432 5.6: removed
 * from the old, listed by the new; or handed over by the old's coo property, 4.4.1), whichever
 * of the two transfers came first.
 */
static void reread_others(ctl_t *ctl, const char *cat)
{
	for (size_t i = 0; i < ctl->ncatz_seen; i++) {
		struct ctl_catz_seen *s = &ctl->catz_seen[i];

		if (cfg_same_origin(s->origin, cat))
			continue;
		s->done = false;
		s->tries = 0;
		s->retry_ms = 0;
	}
}

/*
 * Consumer catalog C of the configuration in force read (when due) and its members applied.
 * Whether members left it (the others then due again: reread_others()).
 */
static bool update_one(ctl_t *ctl, size_t c, uint64_t now)
{
	char cat[256];
	size_t i, removed = 0;
	catz_t want;
	struct ctl_catz_seen *s;
	bool ok = true, hands = false;
	int rc;

	if (ctl->cfg->catalogs[c].producer)
		return false;
	/* A switch below replaces the configuration: the catalog's name is copied. */
	snprintf(cat, sizeof(cat), "%s", ctl->cfg->catalogs[c].origin);
	for (i = 0; i < ctl->info.nzones && !cfg_same_origin(ctl->info.zones[i].origin, cat); i++)
		;
	if (i == ctl->info.nzones || ctl->info.zones[i].absent)
		return false;
	/* Without memory for the entry: read now, and at every publish until there is. */
	s = seen_entry(ctl, cat, ctl->info.zones[i].src_serial);
	if (s != NULL && !seen_due(s, now))
		return false;
	rc = ctl_catz_read_members(ctl, cat, i, &want, false);
	if (rc == SANDNS_EOK) {
		left_out(ctl->cfg, cat, &want);
		if (!same_members(ctl->cfg, cat, &want)) {
			ok = apply_all(ctl, cat, &want, &removed);
			/* A coo property changed: the catalog it names may list the member now. */
			for (size_t k = 0; ok && !hands && k < want.nmembers; k++)
				hands = want.members[k].coo != NULL;
		}
		catz_clear(&want);
	}
	/* APPLY may switch the configuration, never CATZ_SEEN: S still points into it. */
	if (s != NULL)
		seen_tried(s, cat, ok && rc != -ENOMEM && rc != -EIO, now);
	if (removed > 0 || hands)
		reread_others(ctl, cat);
	return removed > 0 || hands;
}

void ctl_catz_update(ctl_t *ctl)
{
	const uint64_t now = clock_now_ms();
	bool again = true;

	if (ctl->argv == NULL)
		return; /* no command line to make the configuration again from */
	/* A second pass when members left a catalog: the catalogs before it are read again. */
	for (int pass = 0; pass < 2 && again; pass++) {
		again = false;
		for (size_t c = 0; c < ctl->cfg->ncatalogs; c++)
			again |= update_one(ctl, c, now);
	}
	seen_schedule(ctl, now);
}
