/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_signstate.c: the signed zones kept in the state directory: taken at start, saved, dropped */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "clock.h"
#include "ctl_signstate.h"
#include "ixfr.h"
#include "log.h"
#include "sigtime.h"

/* The suffix of the file beside the zone's IXFR journal's ("journal"). */
#define SIGNED_SUFFIX "signed"

bool ctl_signstate_path(const char *dir, const char *origin, char *buf, size_t len)
{
	size_t n;

	if (dir == NULL || !ixfr_journal_path(dir, origin, buf, len))
		return false;
	n = strlen(buf);
	if (n < 7 || strcmp(buf + n - 7, "journal") != 0)
		return false;
	memcpy(buf + n - 7, SIGNED_SUFFIX, sizeof(SIGNED_SUFFIX));
	return true;
}

/* RFC 1982: whether serial A is newer than B. */
static bool newer(unsigned long a, unsigned long b)
{
	return (int32_t)(uint32_t)(a - b) > 0;
}

/* How A (the file's policy) differs from B (the configured one), into BUF; false: the same. */
static bool params_differ(const sign_params_t *a, const sign_params_t *b, char *buf, size_t len)
{
	int n = 0;

	buf[0] = '\0';
	if (a->nsec3 != b->nsec3)
		n += snprintf(buf + n, len - (size_t)n, " %s -> %s", a->nsec3 ? "nsec3" : "nsec",
			      b->nsec3 ? "nsec3" : "nsec");
	if (a->algorithm != b->algorithm && (size_t)n < len)
		n += snprintf(buf + n, len - (size_t)n, " algorithm %u -> %u",
			      (unsigned)a->algorithm, (unsigned)b->algorithm);
	if (a->csk != b->csk && (size_t)n < len)
		n += snprintf(buf + n, len - (size_t)n, " %s -> %s", a->csk ? "CSK" : "KSK+ZSK",
			      b->csk ? "CSK" : "KSK+ZSK");
	if ((a->lifetime != b->lifetime || a->refresh != b->refresh) && (size_t)n < len)
		n += snprintf(buf + n, len - (size_t)n, " rrsig-lifetime/refresh %u/%u -> %u/%u",
			      a->lifetime, a->refresh, b->lifetime, b->refresh);
	return n > 0;
}

zload_zone_t *ctl_signstate_take(const cfg_t *cfg, const ctl_zone_info_t *info,
				 const ctl_zone_info_t *before, const sign_params_t *p, time_t now,
				 sign_state_meta_t *m, bool *as_is)
{
	char path[4096], err[1024], what[256], t[32], t2[32];
	const char *origin = info->origin;
	sigtime_span_t span;
	zload_zone_t *z;
	uint64_t t0;
	bool missing;

	*as_is = false;
	if (!ctl_signstate_path(cfg->state_dir, origin, path, sizeof(path)))
		return NULL;
	t0 = clock_now_ms();
	z = sign_state_read(path, origin, m, &missing, err, sizeof(err));
	if (z == NULL) {
		if (!missing)
			log_msg(LOG_WARNING, "zone %s: %s: ignored, the zone is signed anew",
				origin, err);
		return NULL;
	}
	log_msg(LOG_INFO, "zone %s: signed zone %s read (%zu records, serial %lu, %llu ms)", origin,
		path, zload_rr_count(z), (unsigned long)m->serial,
		(unsigned long long)(clock_now_ms() - t0));
	if (params_differ(&m->p, p, what, sizeof(what))) {
		log_msg(LOG_WARNING,
			"zone %s: signed zone %s: signed with another dnssec policy (%s): "
			"ignored, the zone is signed anew",
			origin, path, what + 1);
		goto drop;
	}
	if (m->sign != info->sign_hash) {
		log_msg(LOG_WARNING,
			"zone %s: signed zone %s: signed with other keys: ignored, the zone is "
			"signed anew",
			origin, path);
		goto drop;
	}
	/*
	 * sigtime_clock_check()'s test, worded for a start: a reload refuses to sign (and keeps
	 * serving what it signed), here nothing is served yet and the zone is signed anew.
	 */
	sigtime_scan(z, (int64_t)now, &span);
	if (span.nsigs > 0 && (int64_t)now < span.max_inception - SIGTIME_CLOCK_MARGIN) {
		log_msg(
		    LOG_WARNING,
		    "zone %s: signed zone %s: signed after the clock (%s), its latest inception "
		    "%s more than %d s later: the clock went back while sandnsd was down, or "
		    "the file was signed by one ahead; ignored, the zone is signed anew by this "
		    "clock",
		    origin, path, clock_utc((int64_t)now, t, sizeof(t)),
		    clock_utc(span.max_inception, t2, sizeof(t2)), SIGTIME_CLOCK_MARGIN);
		goto drop;
	}
	if (before != NULL && newer(before->serial, m->serial))
		log_msg(LOG_WARNING,
			"zone %s: signed zone %s: its serial %lu is older than the one served "
			"before (%lu, serial state): only its fresh signatures of unchanged "
			"RRsets are kept",
			origin, path, (unsigned long)m->serial, before->serial);
	else if (m->src != info->sign_src || m->edits != info->edits_hash)
		log_msg(LOG_INFO,
			"zone %s: signed zone %s: signed from another version of the zone%s: "
			"its fresh signatures of unchanged RRsets are kept",
			origin, path, m->src != info->sign_src ? " (edited since)" : "'s edits");
	else if ((int64_t)now >= m->due)
		log_msg(LOG_INFO,
			"zone %s: signed zone %s: signatures due for renewal since %s: its fresh "
			"ones are kept",
			origin, path, clock_utc(m->due, t, sizeof(t)));
	else
		*as_is = true;
	return z;
drop:
	zload_free(&z);
	return NULL;
}

/* Removes zone ORIGIN's file from DIR, logged (WHY) when there was one. */
static void drop_one(const char *dir, const char *origin, const char *why)
{
	char path[4096];

	if (ctl_signstate_path(dir, origin, path, sizeof(path)) && unlink(path) == 0)
		log_msg(LOG_INFO, "zone %s: %s, its signed zone %s removed", origin, why, path);
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Whether NAME ends with SUFFIX. */
static bool ends_with(const char *name, const char *suffix)
{
	size_t n = strlen(name), m = strlen(suffix);

	return n > m && strcmp(name + n - m, suffix) == 0;
}

/*
 * The files of DIR that no zone of B that CFG signs owns removed: those of zones gone from the
 * configuration or no longer signed while sandnsd was down, and writes a crash cut short
 * (".signed.new").
 */
static void drop_strays(const char *dir, const cfg_t *cfg, const ctl_build_t *b)
{
	char **mine = calloc(b->nzones + 1, sizeof(*mine)), path[4096];
	size_t n = 0, dlen = strlen(dir);
	struct dirent *de;
	DIR *d;

	if (mine == NULL)
		return; /* left for the next start */
	for (size_t i = 0; i < b->nzones; i++)
		if (cfg_signing_of(cfg, b->zones[i].origin) != NULL &&
		    ctl_signstate_path(dir, b->zones[i].origin, path, sizeof(path)) &&
		    (mine[n] = strdup(path + dlen + 1)) != NULL)
			n++;
	qsort(mine, n, sizeof(*mine), name_cmp);
	d = opendir(dir);
	while (d != NULL && (de = readdir(d)) != NULL) {
		const char *name = de->d_name;
		bool cut = ends_with(name, "." SIGNED_SUFFIX ".new");
		struct stat st;

		if ((!cut && !ends_with(name, "." SIGNED_SUFFIX)) ||
		    (!cut && bsearch(&name, mine, n, sizeof(*mine), name_cmp) != NULL) ||
		    (size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path) ||
		    lstat(path, &st) != 0 || !S_ISREG(st.st_mode) || unlink(path) != 0)
			continue;
		log_msg(LOG_INFO, "%s removed: %s", path,
			cut ? "a write cut short" : "no zone signed here owns it");
	}
	if (d != NULL)
		closedir(d);
	for (size_t i = 0; i < n; i++)
		free(mine[i]);
	free(mine);
}

void ctl_signstate_drop(const cfg_t *cfg, const ctl_build_t *before, const ctl_build_t *b)
{
	const char *dir = cfg->state_dir;

	if (dir == NULL)
		return;
	for (size_t i = 0; i < before->nzones; i++) {
		const char *origin = before->zones[i].origin;

		if (!before->zones[i].dnssec)
			continue;
		if (ctl_build_find(b, origin) == NULL)
			drop_one(dir, origin, "no longer served");
		else if (cfg_signing_of(cfg, origin) == NULL)
			drop_one(dir, origin, "no longer signed");
	}
	/* At start nothing in memory says what was signed before: the directory does. */
	if (before->nzones == 0)
		drop_strays(dir, cfg, b);
}

void ctl_signstate_save(const cfg_t *cfg, ctl_build_t *b)
{
	char path[4096], err[1024];

	for (size_t i = 0; cfg->state_dir != NULL && i < b->nzones; i++) {
		ctl_zone_info_t *info = &b->zones[i];
		const cfg_signing_t *sg = cfg_signing_of(cfg, info->origin);
		sign_state_meta_t m;
		uint64_t t0;

		if (!info->sign_fresh || b->signed_zones == NULL || b->signed_zones[i] == NULL ||
		    sg == NULL ||
		    !ctl_signstate_path(cfg->state_dir, info->origin, path, sizeof(path)))
			continue;
		info->sign_fresh = false; /* written once, whatever comes of it */
		m = (sign_state_meta_t){.src = info->sign_src,
					.edits = info->edits_hash,
					.sign = info->sign_hash,
					.p = sg->params,
					.serial = (uint32_t)info->serial,
					.expire = info->sign_expire,
					.due = info->sign_due};
		t0 = clock_now_ms();
		if (sign_state_write(path, b->signed_zones[i], &m, err, sizeof(err)) != 0)
			log_msg(LOG_ERR,
				"zone %s: %s: a restart will sign the zone anew (new signatures, "
				"a new serial)",
				info->origin, err);
		else
			log_msg(LOG_INFO, "zone %s: signed zone saved to %s (serial %lu, %llu ms)",
				info->origin, path, info->serial,
				(unsigned long long)(clock_now_ms() - t0));
	}
}
