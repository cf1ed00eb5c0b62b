/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_build.c: zones and certificates in, the policy applied, one snapshot out, off to the side */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "catz.h"
#include "clock.h"
#include "ctl_edits.h"
#include "ctl_part.h"
#include "ctl_pvt.h"
#include "ctl_refused.h"
#include "ctl_serial.h"
#include "ctl_sign.h"
#include "ctl_state.h"
#include "log.h"
#include "rfile.h"
#include "sandns_err.h"
#include "sigtime.h"
#include "zload.h"
#include "zt_patch.h"

/* A certificate source gets this long to answer (tls://); files take what they take. */
#define CTL_CERT_TIMEOUT_MS 5000

static void ctl_zone_warning(void *ctx, const char *msg)
{
	(void)ctx;
	/* MSG says "FILE:LINE: warning: ..." already (zload_msg.c). */
	log_msg(LOG_WARNING, "%s", msg);
}

size_t ctl_keep_auto_records = CFG_KEEP_AUTO_RECORDS;

bool ctl_build_keeps_zones(const cfg_t *cfg, const ctl_build_t *b)
{
	return cfg->keep_zones == CFG_KEEP_YES ||
	       (cfg->keep_zones == CFG_KEEP_AUTO && b->records <= ctl_keep_auto_records);
}

bool ctl_build_drop_zones(const cfg_t *cfg, ctl_build_t *b)
{
	if (ctl_build_keeps_zones(cfg, b))
		return false;
	for (size_t i = 0; i < b->nzones; i++) {
		zload_free(&b->raw[i]);
		if (b->signed_zones != NULL)
			zload_free(&b->signed_zones[i]);
	}
	/* Millions of small allocations went back to malloc: give the pages to the system. */
	malloc_trim(0);
	return true;
}

void ctl_build_clear(ctl_build_t *b)
{
	size_t i;

	zt_free(&b->zt);
	for (i = 0; i < b->nzones; i++) {
		free(b->zones[i].origin);
		zsrc_clear(&b->zones[i].src);
		free(b->zones[i].edits);
		ctl_refused_clear(&b->zones[i]);
		zload_stamps_put(&b->zones[i].stamps);
		pview_put(&b->zones[i].pview);
		zload_free(&b->zones[i].part);
		if (b->raw != NULL)
			zload_free(&b->raw[i]);
		if (b->signed_zones != NULL)
			zload_free(&b->signed_zones[i]);
		if (b->served_signed != NULL)
			zload_free(&b->served_signed[i]);
	}
	free(b->zones);
	free(b->raw);
	free(b->signed_zones);
	free(b->served_signed);
	for (i = 0; i < b->ncerts; i++)
		if (b->certs != NULL)
			cert_free(&b->certs[i]);
	free(b->certs);
	policy_free(&b->policy);
	free(b->policy_key);
	ctl_build_index_free(b);
	memset(b, 0, sizeof(*b));
}

/* Whether configured zone Z is the one "reload ZONE" names (with or without the final dot). */
static bool zone_named(const cfg_zone_t *z, const char *name)
{
	size_t a = strlen(z->origin), b = strlen(name);

	if (a > 0 && z->origin[a - 1] == '.')
		a--;
	if (b > 0 && name[b - 1] == '.')
		b--;
	return a == b && strncasecmp(z->origin, name, a) == 0;
}

/*
 * What stands in the build for a secondary zone with nothing to serve (ERR says why): an SOA
 * alone, never compiled (the snapshot answers SERVFAIL under its origin), so that every index
 * of the build stays that of cfg->zones. Logged.
 */
static zload_zone_t *absent_zone(const char *origin, char *err, size_t errlen)
{
	static const char text[] = "@ 0 IN SOA invalid. invalid. 0 0 0 0 0\n@ 0 IN NS invalid.\n";
	char why[1024];

	log_msg(LOG_WARNING, "%s: answered SERVFAIL until a transfer brings it", err);
	snprintf(why, sizeof(why), "%s", err);
	return zload_string(origin, text, why, NULL, NULL, err, errlen);
}

/* Whether WHAT (asking for zones) names zone Z, the Ith of the configuration. */
static bool asked_for(const ctl_rebuild_t *what, const cfg_zone_t *z, size_t i)
{
	if (what->zone != NULL)
		return zone_named(z, what->zone);
	return what->zone_set == NULL || what->zone_set[i];
}

/*
 * Whether zone Z, the Ith of the configuration, may keep the version PREV read: a master file
 * (not a secondary's copy), PREV's version read from the same origin and file, and that file and
 * its $INCLUDEs unchanged since.
 */
static bool file_unchanged(const ctl_build_t *prev, const cfg_zone_t *z, size_t i)
{
	return prev != NULL && prev->raw != NULL && i < prev->nzones && prev->raw[i] != NULL &&
	       !prev->zones[i].absent && z->src.kind == ZSRC_FILE && z->src.path != NULL &&
	       zsrc_same(&prev->zones[i].src, &z->src) &&
	       cfg_same_origin(zload_origin(prev->raw[i]), z->origin) &&
	       zload_files_unchanged(prev->raw[i], z->src.path);
}

/*
 * Whether zone Z, the Ith of the configuration, may stay unread in build B: PREV compiled it into
 * the snapshot WHAT patches but holds its version no more (keep-zones), read from the same origin
 * and master file, and its files unchanged since (the stamps PREV kept). A whole reload's zones
 * (WHAT->keep_unchanged) and those not asked for: `reload ZONE` reads ZONE. Those that need their
 * records after all are read later (read_unread(), evaluate_policy(): the policy's edits of it
 * must be those PREV compiled in, or be patched in from the records PREV kept at their owners).
 */
static bool may_stay_unread(const ctl_build_t *prev, const ctl_rebuild_t *what, const cfg_zone_t *z,
			    size_t i)
{
	const ctl_zone_info_t *was;

	if (prev == NULL || what->base == NULL || prev->raw == NULL || i >= prev->nzones ||
	    prev->raw[i] != NULL || (what->zones && asked_for(what, z, i) && !what->keep_unchanged))
		return false;
	was = &prev->zones[i];
	return !was->absent && z->src.kind == ZSRC_FILE && z->src.path != NULL &&
	       zsrc_same(&was->src, &z->src) && was->origin != NULL &&
	       cfg_same_origin(was->origin, z->origin) && was->edits != NULL &&
	       zload_stamps_unchanged(was->stamps, z->src.path);
}

/* Zone I of CFG read from its source into B (FIRST: the first build of the process). */
static int read_zone(const cfg_t *cfg, bool first, const ctl_build_t *known, ctl_build_t *b,
		     size_t i, char *err, size_t errlen)
{
	const cfg_zone_t *z = &cfg->zones[i];
	/* What was served of its file (KNOWN: the build served, else serial-state; serials 0 and
	 * 0: nothing yet): a secondary zone's copy that is not it is not served (zsrc.c). */
	const ctl_zone_info_t *was = ctl_build_find(known, z->origin);
	const uint32_t served = was != NULL ? (uint32_t)was->src_serial : 0;
	const bool remembered = was != NULL && (was->serial != 0 || was->src_serial != 0);
	char reason[1024];
	uint64_t t0 = clock_now_ms();

	b->raw[i] = zsrc_load_served(&z->src, z->origin, first, remembered ? &served : NULL,
				     ctl_zone_warning, NULL, &b->zones[i].absent, err, errlen);
	if (b->raw[i] != NULL)
		log_msg(LOG_DEBUG, "zone %s: read in %llu ms (%zu records)", z->origin,
			(unsigned long long)(clock_now_ms() - t0), zload_rr_count(b->raw[i]));
	if (b->raw[i] == NULL && b->zones[i].absent)
		b->raw[i] = absent_zone(z->origin, err, errlen);
	if (b->raw[i] == NULL)
		return SANDNS_EZONE;
	/* Presigned, no signature valid now: served, as Knot does, warned. */
	if (zload_is_signed(b->raw[i]) && cfg_signing_of(cfg, z->origin) == NULL &&
	    sigtime_presigned_stale(b->raw[i], z->src.path != NULL ? z->src.path : z->origin,
				    sigtime_now(), reason, sizeof(reason)))
		log_msg(LOG_WARNING, "%s", reason);
	return SANDNS_EOK;
}

/* Why zone I of B, left unread, needs its records: NULL when it does not (PREV: B's). */
typedef const char *(*need_fn)(const cfg_t *cfg, const ctl_build_t *prev, const ctl_build_t *b,
			       size_t i);

static const char *need_signing(const cfg_t *cfg, const ctl_build_t *prev, const ctl_build_t *b,
				size_t i)
{
	/* Signed now (a dnssec line added too), or no more: what is served changes. */
	return cfg_signing_of(cfg, b->zones[i].origin) != NULL || prev->zones[i].dnssec
		   ? "sandns signs it, or signed it"
		   : NULL;
}

static const char *need_keeping(const cfg_t *cfg, const ctl_build_t *prev, const ctl_build_t *b,
				size_t i)
{
	(void)prev;
	(void)i;
	/* B->records: every zone's (ctl_build()). */
	return ctl_build_keeps_zones(cfg, b) ? "keep-zones keeps the zones as read now" : NULL;
}

static const char *need_unedited(const cfg_t *cfg, const ctl_build_t *prev, const ctl_build_t *b,
				 size_t i)
{
	/* With certificates, evaluate_policy() weighs its edits; without, there are none now: a
	 * zone served with the policy's edits is served as written again, patched from the
	 * records kept at their owners when there are (mark_part_unedited()). */
	return cfg->ncerts == 0 && prev->zones[i].edits != NULL &&
		       prev->zones[i].edits[0] != '\0' && !b->zones[i].part_edits
		   ? "the autodiscover policy no longer edits it (no certificate)"
		   : NULL;
}

/*
 * Without certificates (CFG's), the zones B leaves unread that PREV served with the policy's
 * edits are served as written again: those whose records at the edits' owners PREV kept
 * (ctl_part.c), on a build that may patch, are patched from them (part_edits), left unread;
 * need_unedited() reads the others.
 */
static void mark_part_unedited(const cfg_t *cfg, const ctl_build_t *prev, ctl_build_t *b)
{
	for (size_t i = 0; cfg->ncerts == 0 && b->base != NULL && i < b->nzones; i++) {
		const ctl_zone_info_t *was = &prev->zones[i];

		if (!b->zones[i].unread || was->edits == NULL || was->edits[0] == '\0' ||
		    !ctl_part_covers(was, was->origin, NULL))
			continue;
		b->zones[i].part_edits = true;
		zload_free(&b->zones[i].part);
		b->zones[i].part = zload_ref(was->part);
	}
}

/*
 * The zones of B left unread for which NEED says why they need their records, read now, the
 * reason logged (zones of CFG's, built on PREV; PREVIEW: nothing logged); before the zones'
 * facts are filled in (ctl_build()). NEED NULL: those WHY names (a reason each, NULL: none).
 * B->records counts them as read once all are.
 */
static int read_unread(const cfg_t *cfg, const ctl_build_t *prev, bool preview, ctl_build_t *b,
		       need_fn need, const char *const *whys, char *err, size_t errlen)
{
	const char *why = NULL, *first = NULL;
	size_t n = 0, records = b->records;

	for (size_t i = 0; i < b->nzones; i++) {
		const char *w = !b->zones[i].unread ? NULL
				: need != NULL	    ? need(cfg, prev, b, i)
						    : whys[i];

		if (w == NULL)
			continue;
		b->zones[i].unread = false;
		b->zones[i].part_edits = false;
		zload_free(&b->zones[i].part);
		if (read_zone(cfg, false, prev, b, i, err, errlen) != SANDNS_EOK)
			return SANDNS_EZONE;
		records += zload_rr_count(b->raw[i]) - prev->zones[i].records;
		why = w;
		first = first != NULL ? first : cfg->zones[i].origin;
		n++;
	}
	if (n > 0 && !preview)
		log_msg(LOG_INFO,
			"reload: %zu zone file%s not kept in memory read again though unchanged "
			"(%s%s): %s",
			n, n == 1 ? "" : "s", first, n > 1 ? " and more" : "", why);
	b->records = records;
	return SANDNS_EOK;
}

/*
 * The autodiscover policy over B's zones (B->policy), each zone's pview set: what the policy read
 * of a zone read, recorded; a zone left unread answered by what it read of it before (PREV's
 * pview: its files unchanged since, the same answers). A zone left unread that the policy asks
 * what that view does not hold, or whose edits are no longer those PREV compiled in (edits added,
 * changed or lifted: they are compiled from its records) without its records at their owners
 * kept (ctl_part.c), is read, the reason logged, and the policy evaluated again: the decisions
 * are those reading every zone gives. Each zone's part set beside its view. SANDNS_EOK or an
 * error.
 */
static int evaluate_policy(const cfg_t *cfg, const ctl_build_t *prev, bool preview,
			   const policy_opts_t *popts, ctl_build_t *b, char *err, size_t errlen)
{
	policy_zone_t *pz = calloc(b->nzones + 1, sizeof(*pz));
	const char **whys = calloc(b->nzones + 1, sizeof(*whys));
	const zload_edit_t **edits = NULL;
	policy_t *p = NULL;
	int rc = -ENOMEM, same;
	size_t i, n;
	bool said = false, keeps;

	if (pz == NULL || whys == NULL)
		goto out;
	for (;;) {
		for (i = 0; i < b->nzones; i++) {
			bool unread = b->zones[i].unread;

			pz[i] = (policy_zone_t){
			    .origin = unread ? prev->zones[i].origin : zload_origin(b->raw[i]),
			    .zone = b->raw[i],
			    .view = unread ? prev->zones[i].pview : NULL,
			    .record = unread ? NULL : pview_new(),
			};
			if (!unread && pz[i].record == NULL)
				goto out;
		}
		p = policy_evaluate_zones(pz, b->nzones, b->certs, b->ncerts, popts, err, errlen);
		said = p == NULL; /* ERR holds the policy's reason (a lookup failed, memory) */
		free(edits);
		edits = p != NULL ? calloc(policy_edit_count(p) + 1, sizeof(*edits)) : NULL;
		if (edits == NULL)
			goto out;
		for (i = n = 0; i < b->nzones; i++) {
			whys[i] = NULL;
			b->zones[i].part_edits = false;
			if (!b->zones[i].unread)
				continue;
			if (pz[i].missed) {
				whys[i] = "the autodiscover policy asks of it what it did not when "
					  "it was read";
			} else {
				/* Edits its records refused: asked again, refused again. */
				same = ctl_same_edits(p, pz[i].origin,
						      ctl_refused_asked(&prev->zones[i]), edits);
				if (same < 0)
					goto out;
				/* New edits, every owner they and the old name among those whose
				 * records it kept when read (ctl_part.c), on a build that may
				 * patch: compiled from those, the zone left unread (ctl_patch.c;
				 * a whole compile reads it after all: read_for_compile()). */
				if (!same && b->base != NULL &&
				    ctl_part_covers(&prev->zones[i], pz[i].origin, p))
					b->zones[i].part_edits = true;
				else if (!same)
					whys[i] = "the autodiscover policy's edits of it change";
			}
			n += whys[i] != NULL;
		}
		if (n == 0)
			break;
		policy_free(&p);
		for (i = 0; i < b->nzones; i++)
			pview_put(&pz[i].record);
		rc = read_unread(cfg, prev, preview, b, NULL, whys, err, errlen);
		if (rc != SANDNS_EOK)
			goto out;
		rc = -ENOMEM;
	}
	/* A build that keeps its zones in memory never leaves one unread: no priming, no part. */
	keeps = ctl_build_keeps_zones(cfg, b);
	for (i = 0; i < b->nzones; i++) {
		ctl_zone_info_t *info = &b->zones[i];

		/* A zone read: its view holds too what a certificate change that edits it asks. */
		if (!keeps && !info->unread && !info->absent) {
			ctl_part_prime(&pz[i], b->certs, b->ncerts);
			/* And the names it lacks (a certificate's new name, mostly): no read.
			 * Without memory for them, such a question reads it as before. */
			pview_set_names(pz[i].record, zload_nameset_new(b->raw[i]));
		}
		info->pview = info->unread ? pview_ref(prev->zones[i].pview) : pz[i].record;
		pz[i].record = NULL;
		/* Beside the view, the records at the owners the edits name: those of the version
		 * read (a withheld address is in it, not in the snapshot), or PREV's. */
		zload_free(&info->part);
		if (info->unread)
			info->part = zload_ref(prev->zones[i].part);
		else if (!keeps && info->pview != NULL && !info->absent &&
			 ctl_part_keep(info, b->raw[i]) != 0)
			goto out;
	}
	b->policy = p;
	p = NULL;
	rc = SANDNS_EOK;
out:
	if (rc == -ENOMEM && !said)
		snprintf(err, errlen, "out of memory");
	for (i = 0; pz != NULL && i < b->nzones; i++)
		pview_put(&pz[i].record);
	policy_free(&p);
	free(pz);
	free(whys);
	free(edits);
	return rc;
}

static int load_inputs(const cfg_t *cfg, const ctl_build_t *prev, const ctl_build_t *known,
		       const ctl_rebuild_t *what, ctl_build_t *b, size_t *unchanged, char *err,
		       size_t errlen)
{
	char reason[1024];

	for (size_t i = 0; i < cfg->nzones; i++) {
		const cfg_zone_t *z = &cfg->zones[i];
		const catz_prev_t was = ctl_catz_prev(cfg, prev, known, i);
		bool made;

		/* A catalog sandns produces (catz_gen.c): made again from the zones at every build.
		 */
		b->raw[i] =
		    catz_produce_cfg(cfg, i, &was, &b->zones[i].catz_hash, &made, err, errlen);
		if (made && b->raw[i] == NULL)
			return SANDNS_EZONE;
		if (made) {
			b->nzones++;
			continue;
		}
		/* A zone not kept in memory (keep-zones) is read again whatever WHAT says. */
		if (what->given != NULL && what->given[i] != NULL &&
		    (prev == NULL || prev->raw[i] == NULL ||
		     (what->zones && asked_for(what, z, i)))) {
			/* From memory: its file may be written only later (xfrin.c's writer). */
			b->raw[i] = zload_ref(what->given[i]);
		} else if (what->keep_unchanged && what->zones && asked_for(what, z, i) &&
			   file_unchanged(prev, z, i)) {
			/* As read before: neither read nor compared again (its serial stays). */
			b->raw[i] = zload_ref(prev->raw[i]);
			b->zones[i].absent = false;
			(*unchanged)++;
		} else if (may_stay_unread(prev, what, z, i)) {
			/* Not kept in memory, unchanged: its part of the snapshot served stays,
			 * neither read nor compiled (ctl_patch.c sees its version unchanged). */
			b->raw[i] = NULL;
			b->zones[i].absent = false;
			b->zones[i].unread = true;
		} else if (prev == NULL || prev->raw[i] == NULL ||
			   (what->zones && asked_for(what, z, i))) {
			if (read_zone(cfg, prev == NULL, known, b, i, err, errlen) != SANDNS_EOK)
				return SANDNS_EZONE;
		} else {
			b->raw[i] = zload_ref(prev->raw[i]);
			b->zones[i].absent = prev->zones[i].absent;
		}
		b->nzones++;
	}
	for (size_t i = 0; i < cfg->ncerts; i++) {
		bool tls = strncmp(cfg->certs[i], "tls://", 6) == 0;

		if (prev == NULL || what->certs == CTL_CERTS_ALL ||
		    (what->certs == CTL_CERTS_FILES && !tls)) {
			b->certs[i] =
			    cert_load(cfg->certs[i], CTL_CERT_TIMEOUT_MS, reason, sizeof(reason));
			if (b->certs[i] == NULL && (prev == NULL || !tls)) {
				snprintf(err, errlen, "%s", reason);
				return SANDNS_ECONFIG;
			}
			if (b->certs[i] == NULL)
				/* An endpoint down is no new certificate: the last leaf stands. */
				log_msg(LOG_WARNING, "%s (keeping the leaf it presented before)",
					reason);
		}
		if (b->certs[i] == NULL)
			b->certs[i] = cert_ref(what->fresh != NULL && what->fresh[i] != NULL
						   ? what->fresh[i]
						   : prev->certs[i]);
		b->ncerts++;
	}
	return SANDNS_EOK;
}

/*
 * How zone I of B is compiled: OUT gets the policy's edits for it (FLAT: room for all of them)
 * and the serial to serve; OUT->nedits is 0 and the serial the file's when nothing changes.
 */
static int serve_zone(const cfg_t *cfg, const ctl_build_t *prev, bool preview, ctl_build_t *b,
		      size_t i, const zload_edit_t **edits, zload_edit_t *flat,
		      zt_zone_edits_t *out, char *err, size_t errlen)
{
	ctl_zone_info_t *info = &b->zones[i];
	const ctl_zone_info_t *before = ctl_build_find(prev, info->origin);
	size_t n;

	if (info->absent) {
		/* Nothing served: the serials served before stay what serial-state remembers. */
		info->edits = strdup("");
		info->src_serial = before != NULL ? before->src_serial : 0;
		info->serial = before != NULL ? before->serial : 0;
		info->edits_hash = before != NULL ? before->edits_hash : ctl_edits_hash("");
		/* And whether sandns signed what it served: when the zone comes back unsigned, its
		 * serial must move on (serial-state keeps the flag for the restart after this). */
		info->dnssec = before != NULL && before->dnssec;
		*out = (zt_zone_edits_t){.zone = b->raw[i], .serial = info->serial};
		return info->edits != NULL ? SANDNS_EOK : -ENOMEM;
	}
	if (info->unread && info->part_edits) {
		/* Unread, its new edits patched in from the records kept at their owners
		 * (ctl_part.c): the edits as for a zone read (zload_edits_check() reads the origin
		 * alone, which the part has), its file's serial as PREV had it. */
		const ctl_zone_info_t *was = &prev->zones[i];

		if (ctl_zone_edits(b->policy, info->origin, edits, &n, &info->edits) != 0) {
			snprintf(err, errlen, "out of memory");
			return -ENOMEM;
		}
		for (size_t k = 0; k < n; k++)
			flat[k] = *edits[k];
		if (n > 0 && zload_edits_check(info->part, flat, n, err, errlen) != 0) {
			if (ctl_refused_set(info, err, err, errlen) != SANDNS_EOK)
				return -ENOMEM;
			n = 0;
		}
		info->src_serial = was->src_serial;
		info->edits_hash = ctl_edits_hash(info->edits);
		info->serial =
		    ctl_served_serial(before, info->src_serial, info->edits, info->edits_hash);
		*out = (zt_zone_edits_t){.edits = flat, .nedits = n, .serial = info->serial};
		return SANDNS_EOK;
	}
	if (info->unread) {
		/* As PREV served it (the same zone of the configuration): the same edits, no
		 * signature (may_stay_unread(), read_unread(), evaluate_policy()), its serials as
		 * they were. */
		const ctl_zone_info_t *was = &prev->zones[i];

		info->edits = strdup(was->edits);
		if (ctl_refused_carry(info, was, preview, err, errlen) != SANDNS_EOK)
			return -ENOMEM;
		info->src_serial = was->src_serial;
		info->edits_hash = was->edits_hash;
		info->serial =
		    ctl_served_serial(was, info->src_serial, was->edits, info->edits_hash);
		*out = (zt_zone_edits_t){.serial = info->serial};
		return info->edits != NULL ? SANDNS_EOK : -ENOMEM;
	}
	if (ctl_zone_edits(b->policy, info->origin, edits, &n, &info->edits) != 0) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	for (size_t k = 0; k < n; k++)
		flat[k] = *edits[k];
	if (n > 0 && zload_edits_check(b->raw[i], flat, n, err, errlen) != 0) {
		/* Served as written, loudly; remembered (an unchanged zone may stay unread). */
		if (ctl_refused_set(info, err, err, errlen) != SANDNS_EOK)
			return -ENOMEM;
		n = 0;
	}
	info->src_serial = zload_serial(b->raw[i]);
	info->edits_hash = ctl_edits_hash(info->edits);
	info->serial = ctl_served_serial(before, info->src_serial, info->edits, info->edits_hash);
	/* Signed by sandns before (the build before, or at a start serial-state's record) and no
	 * more: what is served changed (its DNSKEY, RRSIG and NSEC records go), so the serial
	 * moves on, as for any change. */
	if (!preview && before != NULL && before->dnssec &&
	    cfg_signing_of(cfg, info->origin) == NULL &&
	    !ctl_serial_newer(info->serial, before->serial))
		info->serial = (before->serial + 1) & 0xffffffffUL;
	*out = (zt_zone_edits_t){
	    .zone = b->raw[i],
	    .edits = flat,
	    .nedits = n,
	    .serial = info->serial,
	};
	/* A zone sandns signs: signed with the edits in (a preview is never signed). */
	if (!preview)
		return ctl_sign_zone(cfg, prev, before, b, i, flat, n, out, err, errlen);
	return SANDNS_EOK;
}

/* What needs an operator: alerts of the policy, certificates out of their validity period. */
static void policy_alerts(const ctl_build_t *b)
{
	for (size_t i = 0; i < b->ncerts; i++) {
		int v = cert_validity(b->certs[i], time(NULL));

		if (v != 0)
			log_msg(LOG_CRIT, "certificate %s is %s: clients will refuse it",
				cert_source(b->certs[i]), v > 0 ? "expired" : "not yet valid");
	}
	for (size_t i = 0; i < policy_count(b->policy); i++)
		if (policy_alert(b->policy, i))
			log_msg(LOG_WARNING, "autodiscover policy alert: %s %s: %s",
				policy_name(b->policy, i),
				policy_family(b->policy, i) == POLICY_FAMILY_A ? "A" : "AAAA",
				policy_reason(b->policy, i));
}

/*
 * The zones B left unread, read for a whole compile (WHY: why the snapshot is not patched,
 * logged) and served again as read (serve_zone(): their serial follows a file that changed
 * meanwhile); ZEDITS, EDITS, FLAT as ctl_build() passes them (room for the policy's edits of
 * them: those PREV compiled in, evaluate_policy() saw to it). Their pview stays when the files
 * read now are those its version was read from (their stamps alike), else it goes: a file
 * changed meanwhile (the next reload reads the zone for the policy). SANDNS_EOK or an error.
 */
static int read_for_compile(const cfg_t *cfg, const ctl_build_t *prev, bool preview, ctl_build_t *b,
			    zt_zone_edits_t *zedits, const zload_edit_t **edits, zload_edit_t *flat,
			    const char *why, char *err, size_t errlen)
{
	const char *first = NULL;
	size_t n = 0;
	int rc;

	for (size_t i = 0; i < b->nzones; i++) {
		ctl_zone_info_t *info = &b->zones[i];
		zload_stamps_t *was;

		if (!info->unread)
			continue;
		info->unread = false;
		info->part_edits = false;
		rc = read_zone(cfg, false, prev, b, i, err, errlen);
		if (rc != SANDNS_EOK)
			return rc;
		b->records -= info->records;
		info->records = zload_rr_count(b->raw[i]);
		b->records += info->records;
		info->zone_ver = zload_version(b->raw[i]);
		was = info->stamps;
		info->stamps = zload_stamps(b->raw[i]);
		if (!zload_stamps_equal(was, info->stamps))
			pview_put(&info->pview);
		zload_stamps_put(&was);
		/* The records beside the view: from the version read now, as the view stays. */
		if (info->pview != NULL)
			rc = ctl_part_keep(info, b->raw[i]);
		else
			zload_free(&info->part);
		if (rc != 0) {
			snprintf(err, errlen, "out of memory");
			return rc;
		}
		free(info->edits);
		info->edits = NULL;
		ctl_refused_clear(info);
		rc = serve_zone(cfg, prev, preview, b, i, edits, flat, &zedits[i], err, errlen);
		if (rc != SANDNS_EOK)
			return rc;
		flat += zedits[i].nedits;
		first = first != NULL ? first : info->origin;
		n++;
	}
	if (n > 0 && !preview)
		log_msg(LOG_INFO,
			"reload: %zu zone file%s not kept in memory read again though unchanged "
			"(%s%s): the snapshot is compiled whole (%s)",
			n, n == 1 ? "" : "s", first, n > 1 ? " and more" : "", why);
	return SANDNS_EOK;
}

int ctl_build(const cfg_t *cfg, const ctl_build_t *prev, const ctl_rebuild_t *what,
	      ctl_build_t *out, char *err, size_t errlen)
{
	static const ctl_rebuild_t zones_only = {.zones = true};
	zt_opts_t opts;
	const policy_opts_t popts = {
	    .srv_target = cfg->srv_target,
	    .legacy_cn_fallback = cfg->legacy_cn_fallback,
	};
	ctl_build_t b = {0}, state = {0};
	char state_buf[4096];
	const char *state_file = ctl_state_path(cfg, state_buf, sizeof(state_buf));
	zt_zone_edits_t *zedits = NULL;
	const zload_edit_t **edits = NULL;
	zload_edit_t *flat = NULL;
	zload_zone_t **live = NULL;
	const char **dead = NULL;
	size_t i, nflat = 0, nlive = 0, ndead = 0, unchanged = 0, unread = 0;
	char why[512] = "no snapshot to patch";
	int rc = -ENOMEM;

	memset(out, 0, sizeof(*out));
	ctl_build_opts(cfg, &opts);
	if (what == NULL)
		what = &zones_only;
	/* A build that was never published (nothing loaded yet) is no previous one. */
	if (prev != NULL && prev->raw == NULL)
		prev = NULL;
	if (prev != NULL && what->zones && what->zone != NULL) {
		for (i = 0; i < cfg->nzones && !zone_named(&cfg->zones[i], what->zone); i++)
			;
		if (i == cfg->nzones) {
			snprintf(err, errlen, "no zone %s is configured", what->zone);
			return SANDNS_ECONFIG;
		}
	}
	b.zones = calloc(cfg->nzones + 1, sizeof(b.zones[0]));
	b.raw = calloc(cfg->nzones + 1, sizeof(b.raw[0]));
	b.signed_zones = calloc(cfg->nzones + 1, sizeof(b.signed_zones[0]));
	b.served_signed = calloc(cfg->nzones + 1, sizeof(b.served_signed[0]));
	b.certs = calloc(cfg->ncerts + 1, sizeof(b.certs[0]));
	zedits = calloc(cfg->nzones + 1, sizeof(zedits[0]));
	if (b.zones == NULL || b.raw == NULL || b.signed_zones == NULL || b.served_signed == NULL ||
	    b.certs == NULL || zedits == NULL)
		goto out_nomem;
	/* The first build of a process: what was served before it, when it was remembered. */
	if (prev == NULL && state_file != NULL) {
		ctl_state_read(state_file, &state);
		(void)ctl_build_index(&state); /* without memory, it is walked */
	}
	b.base = prev != NULL ? what->base : NULL;
	rc =
	    load_inputs(cfg, prev, prev != NULL ? prev : &state, what, &b, &unchanged, err, errlen);
	/* Every zone's records, for keep-zones (need_keeping(), evaluate_policy()): read_unread()
	 * keeps the sum; summed again below as each zone's facts are filled in. */
	for (i = 0; rc == SANDNS_EOK && i < b.nzones; i++)
		b.records += b.zones[i].unread	? prev->zones[i].records
			     : b.raw[i] != NULL ? zload_rr_count(b.raw[i])
						: 0;
	/* Zones left unread that need their records all the same (only on a PREV of a build). */
	if (rc == SANDNS_EOK && prev != NULL)
		rc = read_unread(cfg, prev, what->preview, &b, need_signing, NULL, err, errlen);
	if (rc == SANDNS_EOK && prev != NULL) {
		mark_part_unedited(cfg, prev, &b);
		rc = read_unread(cfg, prev, what->preview, &b, need_unedited, NULL, err, errlen);
	}
	/* keep-zones would keep them this time (set so now, or fewer records in all): a version
	 * to keep, as every other zone's. */
	if (rc == SANDNS_EOK && prev != NULL)
		rc = read_unread(cfg, prev, what->preview, &b, need_keeping, NULL, err, errlen);
	if (rc != SANDNS_EOK)
		goto out;
	if (prev == NULL && state_file != NULL)
		prev = &state;

	/* No certificate, no policy: the zones are served as written. */
	if (b.ncerts > 0) {
		rc = evaluate_policy(cfg, prev, what->preview, &popts, &b, err, errlen);
		if (rc != SANDNS_EOK)
			goto out;
		if (!what->preview)
			policy_alerts(&b);
		nflat = policy_edit_count(b.policy);
	}
	/* Each zone's edits are a slice of FLAT: zt_new reads them all at once. Twice the room: a
	 * zone patched from its part (part_edits) whose patch falls back to the whole compile is
	 * served again when read (read_for_compile()), its edits a second slice. */
	edits = calloc(nflat + 1, sizeof(*edits));
	flat = calloc(2 * nflat + 1, sizeof(*flat));
	if (edits == NULL || flat == NULL)
		goto out_nomem;
	nflat = 0;
	b.records = 0;
	b.policy_key = ctl_policy_key(b.policy);
	if (b.policy_key == NULL)
		goto out_nomem;

	for (i = 0; i < b.nzones; i++) {
		ctl_zone_info_t *info = &b.zones[i];

		if (info->unread) {
			/* What PREV knew of it: its version served, its files as read then. */
			const ctl_zone_info_t *was = &prev->zones[i];

			info->origin = strdup(was->origin);
			info->records = was->records;
			info->zone_ver = was->zone_ver;
			info->stamps = zload_stamps_ref(was->stamps);
			unread++;
		} else {
			info->origin = strdup(zload_origin(b.raw[i]));
			info->records = zload_rr_count(b.raw[i]);
			info->zone_ver = zload_version(b.raw[i]);
			info->stamps = zload_stamps(b.raw[i]);
		}
		if (info->origin == NULL || zsrc_copy(&info->src, &cfg->zones[i].src) != SANDNS_EOK)
			goto out_nomem;
		b.records += info->records;
		rc = serve_zone(cfg, prev, what->preview, &b, i, edits, flat + nflat, &zedits[i],
				err, errlen);
		if (rc != SANDNS_EOK)
			goto out;
		nflat += zedits[i].nedits;
	}

	/* The zones as read, compiled with the edits: no copy of a zone is made. Those absent
	 * are not compiled: only their origins, answered SERVFAIL. */
	live = calloc(b.nzones + 1, sizeof(*live));
	dead = calloc(b.nzones + 1, sizeof(*dead));
	if (live == NULL || dead == NULL)
		goto out_nomem;
	for (i = 0; i < b.nzones; i++)
		if (b.zones[i].absent)
			dead[ndead++] = b.zones[i].origin;
	opts.edits = zedits;
	opts.nedits = b.nzones;
	opts.absent = dead;
	opts.nabsent = ndead;
	if (what->base != NULL && prev != &state) {
		/* Only some zones' data changed: their names compiled again, the rest shared. */
		rc = ctl_patch(cfg, prev, what->base, &b, &opts, &b.zt, why, sizeof(why), err,
			       errlen);
		if (rc != 0 && rc != ZT_PATCH_FULL)
			goto out;
		if (rc == ZT_PATCH_FULL)
			log_msg(LOG_INFO, "snapshot compiled whole: %s", why);
	}
	/* A whole compile takes every zone's records: those left unread are read now. */
	if (b.zt == NULL && unread > 0) {
		rc = read_for_compile(cfg, prev, what->preview, &b, zedits, edits, flat + nflat,
				      why, err, errlen);
		if (rc != SANDNS_EOK)
			goto out;
		unread = 0;
	}
	for (i = 0; i < b.nzones; i++)
		if (!b.zones[i].absent)
			live[nlive++] = b.signed_zones[i] != NULL ? b.signed_zones[i] : b.raw[i];
	if (b.zt == NULL)
		b.zt = zt_new(live, nlive, &opts, err, errlen);
	if (b.zt == NULL) {
		rc = SANDNS_EZONE;
		goto out;
	}
	/* The served versions read back were for the patch only. */
	for (i = 0; i < b.nzones; i++) {
		zload_free(&b.served_signed[i]);
		b.part_records += b.zones[i].part != NULL ? zload_rr_count(b.zones[i].part) : 0;
	}
	if (ctl_build_index(&b) != 0)
		goto out_nomem;
	if (unread > 0 && !what->preview)
		log_msg(
		    LOG_INFO,
		    "reload: %zu zone file%s unchanged since read, not read again (%zu not kept "
		    "in memory: served as compiled before)",
		    unchanged + unread, unchanged + unread == 1 ? "" : "s", unread);
	else if (unchanged > 0 && !what->preview)
		log_msg(LOG_INFO, "reload: %zu zone file%s unchanged since read, not read again",
			unchanged, unchanged == 1 ? "" : "s");
	b.base = NULL;
	*out = b;
	memset(&b, 0, sizeof(b));
	rc = SANDNS_EOK;
	goto out;
out_nomem:
	rc = -ENOMEM;
	snprintf(err, errlen, "out of memory");
out:
	free(live);
	free(dead);
	free(zedits);
	free(flat);
	free(edits);
	ctl_build_index_free(&state);
	for (i = 0; i < state.nzones; i++)
		free(state.zones[i].origin);
	free(state.zones);
	ctl_build_clear(&b);
	return rc;
}
