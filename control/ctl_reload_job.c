/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_reload_job.c: what the reload thread runs: a reload and its replies, a probe's leaves */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "buf.h"
#include "ctl_rl.h"
#include "log.h"
#include "sandns_err.h"
#include "svc.h"
#include "xfrin.h"

enum ctl_flip ctl_flip(const char *served, char **pending, const char *seen)
{
	if (strcmp(served, seen) == 0) {
		free(*pending);
		*pending = NULL;
		return CTL_FLIP_SAME;
	}
	if (*pending != NULL && strcmp(*pending, seen) == 0) {
		free(*pending);
		*pending = NULL;
		return CTL_FLIP_APPLY;
	}
	free(*pending);
	*pending = strdup(seen); /* without memory: no flip now, the next probe tries again */
	return CTL_FLIP_WAIT;
}

/* What a reload serves now, as `reload` and `policy reload` say it (LABEL: what was read). */
static void reload_text(const ctl_t *ctl, const char *label, bool json, buf_t *b)
{
	const zt_t *zt = ctl->current;
	char text[600];
	size_t i, n;

	if (json) {
		buf_printf(b,
			   "{\"zones\":%zu,\"records\":%zu,\"snapshot_bytes\":%zu,"
			   "\"serials\":{",
			   zt_zones_served(zt), ctl->info.records, zt_memsize(zt));
		for (i = 0, n = 0; i < zt_zone_count(zt); i++) {
			if (zt_zone_origin(zt, i) == NULL)
				continue; /* a slot left empty by a zone taken out */
			if (n++ > 0)
				BUF_LIT(b, ",");
			buf_json_str(b, zt_zone_origin(zt, i));
			buf_printf(b, ":%lu", zt_zone_serial(zt, i));
		}
		BUF_LIT(b, "},\"warnings\":[");
		for (i = 0, n = 0; i < ctl->info.nzones; i++) {
			if (!ctl->info.zones[i].serial_stale)
				continue;
			snprintf(text, sizeof(text), CTL_STALE_SERIAL_FMT,
				 ctl->info.zones[i].origin, ctl->info.zones[i].src_serial);
			if (n++ > 0)
				BUF_LIT(b, ",");
			buf_json_str(b, text);
		}
		BUF_LIT(b, "]}\n");
		return;
	}
	buf_printf(b, "reloaded %s: %zu zones, %zu records, %zu bytes snapshot\n", label,
		   zt_zones_served(zt), ctl->info.records, zt_memsize(zt));
	for (i = 0; i < zt_zone_count(zt); i++)
		if (zt_zone_origin(zt, i) != NULL)
			buf_printf(b, "zone %s serial %lu\n", zt_zone_origin(zt, i),
				   zt_zone_serial(zt, i));
	for (i = 0; i < ctl->info.nzones; i++)
		if (ctl->info.zones[i].serial_stale) {
			BUF_LIT(b, "warning: ");
			buf_printf(b, CTL_STALE_SERIAL_FMT "\n", ctl->info.zones[i].origin,
				   ctl->info.zones[i].src_serial);
		}
}

/* The rest of a `policy reload`'s reply once published: the policy, a leaf's validity. */
static void policy_reply(ctl_t *ctl, bool json, buf_t *body, char *err, size_t errlen,
			 bool *keep_body)
{
	log_msg(LOG_INFO, "policy reloaded: %zu certificate%s", ctl->info.ncerts,
		ctl->info.ncerts == 1 ? "" : "s");
	if (!json) {
		BUF_LIT(body, "\n");
		ctl_fmt_policy(&ctl->info, NULL, false, body, err, errlen);
	}
	/*
	 * Published all the same (an expired leaf decides by its names, as the policy says), but
	 * a deployment that clients will refuse is no success: the reply says so, exit non-zero.
	 */
	if (err[0] == '\0' && ctl_cert_validity_problem(&ctl->info, err, errlen)) {
		size_t n = strlen(err);

		snprintf(err + n, errlen - n, "; the policy was reloaded and published");
		*keep_body = true;
		if (json && body->len > 0 && body->p[0] == '{') {
			/* What is served now, said published (the reply's error says why it
			 * failed). */
			buf_t doc = {0};

			BUF_LIT(&doc, "{\"published\":true,");
			buf_put(&doc, body->p + 1, body->len - 1);
			free(body->p);
			*body = doc;
		}
	}
}

/* How the snapshot served was made, for the log: "patched N names[, M zones in or out]". */
static const char *patched_text(const ctl_t *ctl, char *buf, size_t len)
{
	if (!ctl->info.patched)
		return "full compile";
	if (ctl->info.patched_zones == 0)
		snprintf(buf, len, "patched %zu names", ctl->info.patched_names);
	else
		snprintf(buf, len, "patched %zu names, %zu zones added, taken out or replaced",
			 ctl->info.patched_names, ctl->info.patched_zones);
	return buf;
}

void ctl_rl_reply(ctl_t *ctl, enum ctl_ask_kind kind, const char *zone, bool json, int rc,
		  const char *joberr, buf_t *body, char *err, size_t errlen, bool *keep_body)
{
	const bool policy = kind == CTL_ASK_POLICY;
	char text[96];

	if (rc != SANDNS_EOK) {
		snprintf(err, errlen, "%s", joberr);
		log_msg(LOG_ERR, "%s: %s",
			policy ? "policy reload failed, the previous certificates and policy stay"
			       : "reload failed, still serving the previous snapshot",
			err);
		return;
	}
	reload_text(ctl,
		    policy	   ? "the certificates"
		    : zone != NULL ? zone
				   : "every zone",
		    json, body);
	if (policy)
		policy_reply(ctl, json, body, err, errlen, keep_body);
	else
		log_msg(LOG_INFO, "reloaded %s (%zu zones, %zu records) on request, %s",
			zone != NULL ? zone : "every zone", ctl->info.nzones, ctl->info.records,
			patched_text(ctl, text, sizeof(text)));
}

/* The transfer thread hears how its zones' reloads went; each is logged as it was. */
static void xfrin_told(ctl_t *ctl, const struct ctl_rl_job *job, int rc, const char *err)
{
	char text[96];

	for (size_t i = 0; i < ctl->cfg->nzones; i++) {
		const char *origin = ctl->cfg->zones[i].origin;

		if (!job->xfrin[i])
			continue;
		if (rc != SANDNS_EOK) {
			log_msg(LOG_ERR,
				"zone %s: the transferred copy is not served, the previous "
				"snapshot stays: %s",
				origin, err);
			xfrin_reloaded(ctl->xfrin, i, err, 0);
			continue;
		}
		xfrin_reloaded(ctl->xfrin, i, NULL, ctl->info.zones[i].src_serial);
		log_msg(LOG_INFO, "zone %s: reloaded, serial %lu served%s, %s", origin,
			ctl->info.zones[i].serial,
			ctl->info.zones[i].absent ? " (expired: SERVFAIL)" : "",
			patched_text(ctl, text, sizeof(text)));
	}
}

bool ctl_rl_job_remap(ctl_t *ctl, struct ctl_rl_job *job)
{
	const cfg_t *from = job->cfg, *to = ctl->cfg;
	bool *zones, *xfrin;

	if (from == to)
		return true;
	zones = calloc(to->nzones + 1, sizeof(*zones));
	xfrin = calloc(to->nzones + 1, sizeof(*xfrin));
	if (zones == NULL || xfrin == NULL) {
		free(zones);
		free(xfrin);
		/* Read every zone again rather than a wrong one; no transfer told (a refresh
		 * brings it again). */
		memset(job->zones, 0, from->nzones * sizeof(*job->zones));
		memset(job->xfrin, 0, from->nzones * sizeof(*job->xfrin));
		job->zones_all = true;
		return false;
	}
	/* Each zone's flags to the zone of the same origin (TO's origins are indexed and unique).
	 */
	for (size_t i = 0; i < from->nzones; i++) {
		long j;

		if (!job->zones[i] && !job->xfrin[i])
			continue;
		j = cfg_zone_find(to, from->zones[i].origin);
		if (j >= 0) {
			zones[j] = job->zones[i];
			xfrin[j] = job->xfrin[i];
		}
	}
	free(job->zones);
	free(job->xfrin);
	job->zones = zones;
	job->xfrin = xfrin;
	job->cfg = to;
	return true;
}

/* The reply's "warning:" lines of a configuration read again (text, or JSON's "config"). */
static void warn_reply(const char *warn, bool json, buf_t *body)
{
	const char *p = warn;

	if (!json) {
		buf_put(body, warn, strlen(warn));
		return;
	}
	if (body->len < 3 || body->p[body->len - 2] != '}')
		return;
	body->len -= 2; /* "}\n" */
	BUF_LIT(body, ",\"config_warnings\":[");
	for (bool first = true; *p != '\0'; first = false) {
		const char *nl = strchr(p, '\n');
		size_t n = nl != NULL ? (size_t)(nl - p) : strlen(p);
		char line[512];

		snprintf(line, sizeof(line), "%.*s", (int)n, p);
		if (!first)
			BUF_LIT(body, ",");
		buf_json_str(body, line);
		p += n + (nl != NULL);
	}
	BUF_LIT(body, "]}\n");
}

/*
 * Per zone of CFG, the version of a secondary zone the transfer thread holds (a reference), or
 * NULL: a reload serves it rather than its file, which the writer may not have written yet.
 * NULL when there is no secondary zone (or no memory: the files are read).
 */
static zload_zone_t **given_of(ctl_t *ctl, const cfg_t *cfg)
{
	zload_zone_t **g = NULL;

	for (size_t i = 0; ctl->xfrin != NULL && i < cfg->nzones; i++) {
		if (cfg->zones[i].src.kind != ZSRC_PRIMARY)
			continue;
		if (g == NULL && (g = calloc(cfg->nzones + 1, sizeof(*g))) == NULL)
			return NULL;
		g[i] = xfrin_lend(ctl->xfrin, cfg->zones[i].origin, true);
	}
	return g;
}

static void given_free(zload_zone_t **g, size_t n)
{
	for (size_t i = 0; g != NULL && i < n; i++)
		zload_free(&g[i]);
	free(g);
}

int ctl_rl_job_run(ctl_t *ctl, struct ctl_rl_job *job, char *err, size_t errlen)
{
	ctl_rebuild_t what = {.certs = job->certs, .fresh = job->fresh};
	bool some = false, announce;
	char text[96];
	int rc;

	ctl_rl_job_remap(ctl, job);
	for (size_t i = 0; i < ctl->cfg->nzones; i++)
		some |= job->zones[i];
	what.zones = job->zones_all || some;
	what.zone_set = job->zones_all ? NULL : job->zones;
	/* Every zone, none named (`reload ZONE` and a transfer's reload read theirs whatever): a
	 * zone whose files did not change keeps its version unread. */
	what.keep_unchanged = job->zones_all && !some;
	if (job->policy) {
		/* A policy reload decides anew: what a probe saw once is forgotten. */
		ctl_pub_lock(ctl);
		free(ctl->pending_key);
		ctl->pending_key = NULL;
		ctl_pub_unlock(ctl);
	}
	/* systemd hears of the reloads someone asked for (SIGHUP, reload, policy reload). */
	announce = job->sighups > 0 || job->asks != NULL;
	if (announce)
		svc_reloading(job->zones_all ? "every zone"
			      : job->policy  ? "the certificates"
					     : "some zones");
	if (job->newcfg != NULL) {
		const size_t ng = job->newcfg->nzones;
		zload_zone_t **given = given_of(ctl, job->newcfg);

		/* The configuration read again: every zone read again, as `reload` always did. */
		what.zones = true;
		what.zone_set = NULL;
		what.given = given;
		rc = ctl_reload_cfg(ctl, job->newcfg, &what, err, errlen);
		given_free(given, ng);
		job->newcfg = NULL;
		/* Each consumer catalog's members weighed again against it (below): a zone line
		 * that had taken one over may be gone. */
		if (rc == SANDNS_EOK)
			ctl_catz_free(ctl);
		/* Its zones now index the configuration in force, when it was switched to. */
		ctl_rl_job_remap(ctl, job);
	} else {
		zload_zone_t **given = given_of(ctl, ctl->cfg);
		const size_t ng = ctl->cfg->nzones;

		what.given = given;
		rc = ctl_reload(ctl, &what, err, errlen);
		given_free(given, ng);
	}
	for (const char *w = job->warn; rc == SANDNS_EOK && w != NULL && *w != '\0';) {
		const char *nl = strchr(w, '\n');
		int n = nl != NULL ? (int)(nl - w) : (int)strlen(w);

		log_msg(LOG_WARNING, "configuration reloaded, %.*s", n, w);
		w += n + (nl != NULL);
	}
	/* A catalog transferred or read again: its members follow. */
	if (rc == SANDNS_EOK) {
		ctl_catz_update(ctl);
		ctl_rl_job_remap(ctl, job); /* members added or removed: another configuration */
	} else if (job->catz_retry) {
		ctl_catz_unpublished(ctl);
	}
	if (announce)
		svc_reloaded(rc == SANDNS_EOK, ctl->info.nzones, ctl->info.records,
			     rc == SANDNS_EOK ? NULL : err);
	if (job->sighups > 0 && rc == SANDNS_EOK)
		log_msg(LOG_INFO, "reloaded %zu zones (%zu records) on SIGHUP, %s",
			ctl->info.nzones, ctl->info.records, patched_text(ctl, text, sizeof(text)));
	else if (job->sighups > 0)
		log_msg(LOG_ERR, "reload failed, still serving the previous snapshot: %s", err);
	for (const struct ctl_rl_note *n = job->notes; n != NULL; n = n->next) {
		/* How it was made, as a reload asked for says it (a renewal, the watch). */
		if (rc == SANDNS_EOK)
			log_msg(n->level, "%s, %s", n->done, patched_text(ctl, text, sizeof(text)));
		else
			log_msg(LOG_ERR, "%s: %s", n->failed, err);
	}
	if (ctl->xfrin != NULL)
		xfrin_told(ctl, job, rc, err);
	for (struct ctl_rl_ask *a = job->asks; a != NULL; a = a->next) {
		buf_t body = {0};
		char aerr[1024] = "";
		bool keep = false;

		ctl_rl_reply(ctl, a->kind, a->zone, a->json, rc, err, &body, aerr, sizeof(aerr),
			     &keep);
		if (rc == SANDNS_EOK && a->kind == CTL_ASK_RELOAD && a->zone == NULL &&
		    job->warn != NULL)
			warn_reply(job->warn, a->json, &body);
		if (ctl_frame_reply(a->json, aerr, keep,
				    a->kind == CTL_ASK_RELOAD ? CTL_RELOAD_FAILED_BODY : NULL,
				    &body, &a->out, &a->len) != SANDNS_EOK)
			a->out = NULL;
	}
	return rc;
}

/* Whether PROBED has a leaf other than the one served for some source. */
static bool leaf_changed(const ctl_t *ctl, cert_t *const *probed)
{
	for (size_t i = 0; i < ctl->cfg->ncerts && i < ctl->info.ncerts; i++)
		if (probed[i] != NULL && strcmp(cert_fingerprint_sha256(probed[i]),
						cert_fingerprint_sha256(ctl->info.certs[i])) != 0)
			return true;
	return false;
}

void ctl_rl_probe_run(ctl_t *ctl, cert_t *const *probed)
{
	zload_zone_t **given = NULL;
	ctl_rebuild_t what = {.fresh = probed};
	enum ctl_flip flip;
	ctl_build_t b;
	char err[1024];
	size_t got = 0;
	int rc;

	for (size_t i = 0; i < ctl->cfg->ncerts; i++)
		got += probed[i] != NULL;
	if (got == 0 || !leaf_changed(ctl, probed)) {
		/* The same leaves as served: the served decisions stand. */
		if (got > 0) {
			ctl_pub_lock(ctl);
			free(ctl->pending_key);
			ctl->pending_key = NULL;
			ctl_pub_unlock(ctl);
		}
		return;
	}
	/* Zones not kept in memory are read again: a secondary zone's from the transfer thread. */
	given = given_of(ctl, ctl->cfg);
	what.given = given;
	rc = ctl_build(ctl->cfg, &ctl->info, &what, &b, err, sizeof(err));
	given_free(given, ctl->cfg->nzones);
	if (rc != SANDNS_EOK) {
		log_msg(LOG_ERR, "certificate probe: cannot rebuild, the previous policy stays: %s",
			err);
		return;
	}
	if (__atomic_load_n(&ctl->rl_stop, __ATOMIC_ACQUIRE)) {
		ctl_build_clear(&b); /* stopping: nothing more is published */
		return;
	}
	/* `status` shows whether a flip is pending: the control thread reads it. */
	ctl_pub_lock(ctl);
	flip = ctl_flip(ctl->info.policy_key, &ctl->pending_key, b.policy_key);
	ctl_pub_unlock(ctl);
	switch (flip) {
	case CTL_FLIP_SAME:
		/* A new leaf with the same decisions: show it, nothing served changes. */
		if (ctl_publish(ctl, &b, err, sizeof(err)) == SANDNS_EOK)
			log_msg(LOG_INFO, "certificate probe: new leaf, same decisions");
		break;
	case CTL_FLIP_APPLY:
		/* Two probes agreed; when the publish fails (ctl_publish() logged why), the
		 * decisions seen stay pending, so that the next probe that sees them again
		 * publishes them at once, as the next reload would. */
		ctl_pub_lock(ctl);
		ctl->pending_key = b.policy_key != NULL ? strdup(b.policy_key) : NULL;
		ctl_pub_unlock(ctl);
		if (ctl_publish(ctl, &b, err, sizeof(err)) != SANDNS_EOK) {
			log_msg(LOG_ERR, "certificate probe: the new policy is not published, the "
					 "previous policy stays");
			break;
		}
		ctl_pub_lock(ctl);
		free(ctl->pending_key);
		ctl->pending_key = NULL;
		ctl_pub_unlock(ctl);
		ctl_pub_count(ctl, &ctl->probe_flips);
		ctl_pub_count(ctl, &ctl->reloads);
		log_msg(LOG_NOTICE, "certificate probe: the decisions changed in two probes in a "
				    "row: new policy published");
		break;
	case CTL_FLIP_WAIT:
		log_msg(LOG_NOTICE, "certificate probe: the decisions would change; waiting for "
				    "the next probe to agree before publishing");
		break;
	}
	ctl_build_clear(&b);
}
