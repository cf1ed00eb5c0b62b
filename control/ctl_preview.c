/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_preview.c: `policy check` and `lookup --cert`: the policy with other certificates,
 * unpublished */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "clock.h"
#include "ctl_pvt.h"
#include "rrtype.h"
#include "sandns_err.h"

/* `policy check` takes at most this many --cert files. */
#define PREVIEW_FILES_MAX 8
/* A preview nobody asked about for this long is freed. */
#define PREVIEW_IDLE_MS 10000

/*
 * The one preview: a build as ctl_build() makes it (its snapshot compiled, never published),
 * from the served build with other certificates; KEY says from what (the files, their leaves'
 * fingerprints and the served snapshot), so that `lookup --cert` reuses it while they stay the
 * same.
 */
struct ctl_preview {
	ctl_build_t b;
	char *key;
	uint64_t used_ms;
};

void ctl_preview_free(ctl_t *ctl)
{
	if (ctl->preview == NULL)
		return;
	ctl_build_clear(&ctl->preview->b);
	free(ctl->preview->key);
	free(ctl->preview);
	ctl->preview = NULL;
}

void ctl_preview_tick(ctl_t *ctl)
{
	if (ctl->preview != NULL && clock_now_ms() - ctl->preview->used_ms >= PREVIEW_IDLE_MS)
		ctl_preview_free(ctl);
}

/*
 * The preview with the N FILES in place of the configured certificates: the one kept when it
 * was built from the same leaves and the same served snapshot, else a new one (the old one
 * freed first: one at a time). Each file is read as the configured ones are (cert_load_file:
 * a regular file of at most 1 MiB, never a FIFO or a device, so nothing here waits on an
 * outsider); tls:// sources are refused (fetching one would hold this thread). NULL with ERR.
 */
static const ctl_build_t *preview_get(ctl_t *ctl, const char *const *files, size_t n, char *err,
				      size_t errlen)
{
	cert_t *certs[PREVIEW_FILES_MAX] = {0};
	ctl_rebuild_t what = {.certs = CTL_CERTS_KEEP, .fresh = certs, .preview = true};
	struct ctl_preview *pv = NULL;
	cfg_t cfg = *ctl->cfg;
	buf_t key = {0};
	const ctl_build_t *out = NULL;

	if (n == 0 || n > PREVIEW_FILES_MAX) {
		snprintf(err, errlen, "between 1 and %d certificate files", PREVIEW_FILES_MAX);
		return NULL;
	}
	if (ctl->current == NULL) {
		snprintf(err, errlen, "nothing served yet");
		return NULL;
	}
	buf_printf(&key, "%p %llu\n", (const void *)ctl->current,
		   (unsigned long long)ctl->loaded_ms);
	for (size_t i = 0; i < n; i++) {
		if (strncmp(files[i], "tls://", 6) == 0) {
			snprintf(
			    err, errlen,
			    "%s: a tls:// source is not accepted here (certificate files only: "
			    "save the endpoint's leaf to a file first)",
			    files[i]);
			goto out;
		}
		certs[i] = cert_load_file(files[i], err, errlen);
		if (certs[i] == NULL)
			goto out;
		buf_printf(&key, "%s %s\n", files[i], cert_fingerprint_sha256(certs[i]));
	}
	if (key.oom) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (ctl->preview != NULL && strcmp(ctl->preview->key, key.p) == 0) {
		ctl->preview->used_ms = clock_now_ms();
		out = &ctl->preview->b;
		goto out;
	}
	ctl_preview_free(ctl);
	pv = calloc(1, sizeof(*pv));
	if (pv == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	/* The served configuration with the files as its certificates: the same zones, serials
	 * reckoned from those served, serial-state neither read nor written. */
	cfg.certs = (char **)files;
	cfg.ncerts = n;
	cfg.serial_state = NULL;
	if (ctl_build(&cfg, &ctl->info, &what, &pv->b, err, errlen) != SANDNS_EOK) {
		free(pv);
		goto out;
	}
	pv->key = key.p;
	key.p = NULL;
	pv->used_ms = clock_now_ms();
	ctl->preview = pv;
	out = &pv->b;
out:
	for (size_t i = 0; i < n && i < PREVIEW_FILES_MAX; i++)
		cert_free(&certs[i]);
	free(key.p);
	return out;
}

const zt_t *ctl_preview_zt(ctl_t *ctl, const char *file, char *err, size_t errlen)
{
	const ctl_build_t *b = preview_get(ctl, &file, 1, err, errlen);

	return b != NULL ? b->zt : NULL;
}

/* ---------------------------------------------------------------- policy check */

/* The decision of P about NAME's FAMILY in DOMAIN; the count when there is none. */
static size_t decision_find(const policy_t *p, const char *domain, const char *name,
			    enum policy_family fam)
{
	size_t n = p != NULL ? policy_count(p) : 0;

	for (size_t i = 0; i < n; i++)
		if (policy_family(p, i) == fam && strcasecmp(policy_domain(p, i), domain) == 0 &&
		    strcasecmp(policy_name(p, i), name) == 0)
			return i;
	return n;
}

static const char *state_of(const policy_t *p, size_t i)
{
	return policy_applies(p, i) ? "applied"
	       : policy_alert(p, i) ? "ALERT, not applied"
				    : "reported";
}

static bool same_decision(const policy_t *a, size_t i, const policy_t *b, size_t j)
{
	const char *ta = policy_target(a, i), *tb = policy_target(b, j);

	return policy_kind(a, i) == policy_kind(b, j) &&
	       policy_applies(a, i) == policy_applies(b, j) &&
	       policy_alert(a, i) == policy_alert(b, j) &&
	       ((ta == NULL && tb == NULL) ||
		(ta != NULL && tb != NULL && strcasecmp(ta, tb) == 0));
}

/* "KIND[ -> TARGET] (STATE)" of decision I of P, or "(none)". */
static void decision_text(const policy_t *p, size_t i, buf_t *out)
{
	const char *t;

	if (p == NULL || i >= policy_count(p)) {
		BUF_LIT(out, "(no decision: the policy is off)");
		return;
	}
	t = policy_target(p, i);
	buf_printf(out, "%s%s%s (%s)", policy_kind_name(policy_kind(p, i)), t != NULL ? " -> " : "",
		   t != NULL ? t : "", state_of(p, i));
}

static void decision_json(const policy_t *p, size_t i, buf_t *out)
{
	const char *t;

	if (p == NULL || i >= policy_count(p)) {
		BUF_LIT(out, "null");
		return;
	}
	t = policy_target(p, i);
	buf_printf(out, "{\"decision\":\"%s\",\"target\":", policy_kind_name(policy_kind(p, i)));
	if (t != NULL)
		buf_json_str(out, t);
	else
		BUF_LIT(out, "null");
	buf_printf(out, ",\"applied\":%s,\"alert\":%s,\"reason\":",
		   policy_applies(p, i) ? "true" : "false", policy_alert(p, i) ? "true" : "false");
	buf_json_str(out, policy_reason(p, i));
	BUF_LIT(out, "}");
}

/* The decisions about DOMAIN, served (BEFORE) and previewed (AFTER). */
static void fmt_decisions(const policy_t *before, const policy_t *after, const char *domain,
			  bool json, buf_t *out)
{
	size_t na = after != NULL ? policy_count(after) : 0;
	size_t nb = before != NULL ? policy_count(before) : 0;
	bool first = true;

	/* Every decision of either side once: AFTER's in order, then BEFORE's it no longer has. */
	for (size_t k = 0; k < na + nb; k++) {
		const policy_t *p = k < na ? after : before;
		size_t i = k < na ? k : k - na, j, ia, ib;
		bool same;

		if (strcasecmp(policy_domain(p, i), domain) != 0)
			continue;
		j = decision_find(k < na ? before : after, domain, policy_name(p, i),
				  policy_family(p, i));
		if (k >= na && j < na)
			continue; /* shown with AFTER's */
		ia = k < na ? i : na;
		ib = k < na ? j : i;
		same = ia < na && ib < nb && same_decision(before, ib, after, ia);
		if (json) {
			buf_printf(out, "%s{\"name\":", first ? "" : ",");
			buf_json_str(out, policy_name(p, i));
			buf_printf(out, ",\"family\":\"%s\",\"changed\":%s,\"before\":",
				   ctl_family_name(policy_family(p, i)), same ? "false" : "true");
			decision_json(before, ib, out);
			BUF_LIT(out, ",\"after\":");
			decision_json(after, ia, out);
			BUF_LIT(out, "}");
			first = false;
			continue;
		}
		buf_printf(out, "  %s %s: ", policy_name(p, i),
			   ctl_family_name(policy_family(p, i)));
		decision_text(before, ib, out);
		if (same) {
			BUF_LIT(out, ", unchanged\n");
		} else {
			BUF_LIT(out, " => ");
			decision_text(after, ia, out);
			BUF_LIT(out, "\n");
		}
		if (ia < na)
			buf_printf(out, "    why: %s\n", policy_reason(after, ia));
		if (!same && ib < nb)
			buf_printf(out, "    was: %s\n", policy_reason(before, ib));
	}
}

/* The type mnemonic NAME as rrtype_name() writes it, back to its number (0: unknown). */
static uint16_t type_code(const char *name)
{
	static const uint16_t known[] = {1, 5, 16, 28, 33};
	char tb[16];

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strcmp(rrtype_name(known[i], tb, sizeof(tb)), name) == 0)
			return known[i];
	if (strncmp(name, "TYPE", 4) == 0)
		return (uint16_t)strtoul(name + 4, NULL, 10);
	return 0;
}

/* Whether the text LINE (LEN bytes, no newline) is one of the lines of LINES. */
static bool has_line(const char *lines, const char *line, size_t len)
{
	for (const char *l = lines; l != NULL && *l != '\0';) {
		size_t n = strcspn(l, "\n");

		if (n == len && strncmp(l, line, len) == 0)
			return true;
		l += n + (l[n] == '\n');
	}
	return false;
}

/*
 * What the served data of zone RAW gains or loses when the policy's changes go from the lines
 * BEFORE to AFTER (ctl_zone_info_t.edits): the edits one side has and the other not, as records
 * (a withhold dropped serves the zone file's records again; an addition dropped withdraws it).
 * JSON: strings, ADDED (true) or removed. Returns how many.
 */
static size_t fmt_served(const zload_zone_t *raw, const char *before, const char *after, bool json,
			 bool added, bool *first, buf_t *out)
{
	char owner[300], type[16], lines[4096];
	size_t count = 0;

	/*
	 * Side 0: the edits made now that AFTER drops; side 1: those AFTER makes that are not made
	 * now. ADDED: those that give what is served records (a withhold dropped, an addition
	 * made); else those that take records away.
	 */
	for (int side = 0; side < 2; side++) {
		const char *from = side == 0 ? before : after, *other = side == 0 ? after : before;

		for (const char *l = from; l != NULL && *l != '\0';) {
			size_t n = strcspn(l, "\n");
			bool withhold = strncmp(l, "withhold ", 9) == 0;
			bool add = strncmp(l, "add ", 4) == 0;
			/* A withhold dropped (side 0) or an addition made (side 1) adds records. */
			bool adds = (side == 0 && withhold) || (side == 1 && add);
			const char *what;
			char text[600];

			if (has_line(other, l, n) || adds != added || (!withhold && !add)) {
				l += n + (l[n] == '\n');
				continue;
			}
			count++;
			what = side == 0 ? (withhold ? "served again" : "withdrawn")
					 : (withhold ? "withheld" : "added");
			snprintf(text, sizeof(text), "%.*s", (int)n, l);
			lines[0] = '\0';
			if (withhold && raw != NULL &&
			    sscanf(text, "withhold %299s %15s", owner, type) == 2 &&
			    type_code(type) != 0)
				zload_describe(raw, owner, type_code(type), lines, sizeof(lines));
			/* Nothing of its own withheld: N existed only through the wildcard. */
			if (lines[0] == '\0' && withhold)
				snprintf(lines, sizeof(lines), "%s (no record of its own: %s)\n",
					 text + 9,
					 side == 0 ? "the wildcard answers it again"
						   : "the wildcard no longer answers it");
			else if (lines[0] == '\0')
				snprintf(lines, sizeof(lines), "%s\n", text + 4);
			for (const char *r = lines; *r != '\0';) {
				size_t rn = strcspn(r, "\n");

				if (json) {
					char one[600];

					snprintf(one, sizeof(one), "%s: %.*s", what, (int)rn, r);
					if (!*first)
						BUF_LIT(out, ",");
					buf_json_str(out, one);
					*first = false;
				} else {
					buf_printf(out, "    %c %s: %.*s\n", added ? '+' : '-',
						   what, (int)rn, r);
				}
				r += rn + (r[rn] == '\n');
			}
			l += n + (l[n] == '\n');
		}
	}
	return count;
}

/* The empty nodes that come or go, as text lines. */
static void fmt_nodes(const char *before, const char *after, buf_t *out)
{
	for (int side = 0; side < 2; side++) {
		const char *from = side == 0 ? before : after, *other = side == 0 ? after : before;

		for (const char *l = from; l != NULL && *l != '\0';) {
			size_t n = strcspn(l, "\n");

			if (strncmp(l, "empty-node ", 11) == 0 && !has_line(other, l, n))
				buf_printf(out, "    %c %.*s: %s\n", side == 0 ? '-' : '+',
					   (int)(n - 11), l + 11,
					   side == 0
					       ? "no longer kept as an empty node"
					       : "kept as an empty node (NODATA for every type)");
			l += n + (l[n] == '\n');
		}
	}
}

/*
 * Zone Z of the preview PV against the served build S: serials, decisions, the records that
 * would come or go. Returns whether what is served would change (records or serial).
 */
static bool fmt_domain(const ctl_build_t *s, const ctl_build_t *pv, size_t z, bool json, bool first,
		       buf_t *out)
{
	const ctl_zone_info_t *after = &pv->zones[z], *now = ctl_build_find(s, after->origin);
	const char *eb = now != NULL ? now->edits : "", *ea = after->edits;
	unsigned long serial = now != NULL ? now->serial : after->src_serial;
	const zload_zone_t *raw = pv->raw != NULL ? pv->raw[z] : NULL;
	bool changed, f = true;

	if (json) {
		buf_printf(out, "%s{\"domain\":", first ? "" : ",");
		buf_json_str(out, after->origin);
		buf_printf(out,
			   ",\"serial\":%lu,\"serial_after\":%lu,\"file_serial\":%lu,"
			   "\"decisions\":[",
			   serial, after->serial, after->src_serial);
	} else {
		buf_printf(out, "domain %s serial %lu", after->origin, serial);
		if (after->serial != serial)
			buf_printf(out, " -> %lu", after->serial);
		else
			BUF_LIT(out, ", unchanged");
		buf_printf(out, " (file %lu)\n", after->src_serial);
	}
	fmt_decisions(s->policy, pv->policy, after->origin, json, out);
	changed = strcmp(eb, ea) != 0 || after->serial != serial;
	if (json) {
		BUF_LIT(out, "],\"changed\":");
		buf_printf(out, "%s,\"edits_before\":", changed ? "true" : "false");
		buf_json_lines(out, eb);
		BUF_LIT(out, ",\"edits\":");
		buf_json_lines(out, ea);
		BUF_LIT(out, ",\"served_added\":[");
		fmt_served(raw, eb, ea, true, true, &f, out);
		BUF_LIT(out, "],\"served_removed\":[");
		f = true;
		fmt_served(raw, eb, ea, true, false, &f, out);
		BUF_LIT(out, "]}");
		return changed;
	}
	if (strcmp(eb, ea) != 0) {
		BUF_LIT(out, "  served data would change:\n");
		fmt_served(raw, eb, ea, false, true, &f, out);
		fmt_served(raw, eb, ea, false, false, &f, out);
		fmt_nodes(eb, ea, out);
	}
	if (ea[0] != '\0') {
		BUF_LIT(out, "  zone data changed (after):\n");
		for (const char *l = ea; *l != '\0';) {
			size_t k = strcspn(l, "\n");

			buf_printf(out, "    %.*s\n", (int)k, l);
			l += k + (l[k] == '\n');
		}
	} else {
		BUF_LIT(out, "  zone data changed (after): nothing, served as written\n");
	}
	return changed;
}

bool ctl_cert_validity_problem(const ctl_build_t *b, char *err, size_t errlen)
{
	for (size_t i = 0; i < b->ncerts; i++) {
		const cert_t *c = b->certs[i];
		int v = cert_validity(c, time(NULL));
		time_t t = v > 0 ? cert_not_after(c) : cert_not_before(c);
		char when[32];

		if (v == 0)
			continue;
		clock_utc(t, when, sizeof(when));
		snprintf(err, errlen,
			 "certificate %s is %s (%s %s): clients will refuse it; its names still "
			 "decide the policy",
			 cert_source(c), v > 0 ? "expired" : "not yet valid",
			 v > 0 ? "not after" : "not before", when);
		return true;
	}
	return false;
}

bool ctl_preview_check(ctl_t *ctl, const char *const *argv, size_t argc, bool json, buf_t *out,
		       char *err, size_t errlen, bool *keep_body)
{
	const char *files[PREVIEW_FILES_MAX], *zone = NULL;
	const ctl_build_t *pv;
	size_t nfiles = 0, changed = 0, shown = 0;
	char why[1024] = "";
	bool bad;

	*keep_body = false;
	for (size_t i = 0; i < argc; i++) {
		bool has_value = i + 1 < argc, is_cert = strcmp(argv[i], "--cert") == 0;
		bool is_zone = strcmp(argv[i], "--zone") == 0;

		if (is_cert && has_value && nfiles < PREVIEW_FILES_MAX) {
			files[nfiles++] = argv[++i];
		} else if (is_zone && has_value && zone == NULL) {
			zone = argv[++i];
		} else {
			snprintf(err, errlen,
				 "policy check: %s %s; usage: policy check --cert FILE [--cert "
				 "FILE...] [--zone DOMAIN] (at most %d files, one zone)",
				 (is_cert || is_zone) && !has_value ? "a value is missing after"
				 : is_cert			    ? "too many files at"
				 : is_zone			    ? "a second"
								    : "unexpected argument",
				 argv[i], PREVIEW_FILES_MAX);
			return false;
		}
	}
	if (nfiles == 0) {
		snprintf(err, errlen,
			 "policy check: which certificate? usage: policy check --cert FILE [--cert "
			 "FILE...] [--zone DOMAIN]");
		return false;
	}
	if (zone != NULL) {
		bool found = false;

		for (size_t z = 0; z < ctl->info.nzones && !found; z++)
			found = cfg_same_origin(zone, ctl->info.zones[z].origin);
		if (!found) {
			snprintf(err, errlen, "policy check: %s is not a served zone", zone);
			return false;
		}
	}
	pv = preview_get(ctl, files, nfiles, why, sizeof(why));
	if (pv == NULL) {
		snprintf(err, errlen, "policy check: %s", why);
		return false;
	}
	bad = ctl_cert_validity_problem(pv, why, sizeof(why));
	if (json) {
		/* A leaf clients would refuse: the reply's error (sandnsctl's envelope has it). */
		BUF_LIT(out, "{\"preview\":true,\"certificates\":[");
	} else {
		buf_printf(
		    out,
		    "policy check: the served data with %zu certificate%s in place of the %zu "
		    "configured (nothing is changed)\n",
		    pv->ncerts, pv->ncerts == 1 ? "" : "s", ctl->info.ncerts);
	}
	for (size_t c = 0; c < pv->ncerts; c++)
		ctl_fmt_cert(pv->certs[c], json, c == 0, out);
	if (json)
		BUF_LIT(out, "],\"domains\":[");
	for (size_t z = 0; z < pv->nzones; z++) {
		if (zone != NULL && !cfg_same_origin(zone, pv->zones[z].origin))
			continue;
		changed += fmt_domain(&ctl->info, pv, z, json, shown++ == 0, out);
	}
	if (json)
		buf_printf(out, "],\"domains_changed\":%zu}\n", changed);
	else
		buf_printf(
		    out, "policy check: %zu of %zu domain%s would change; nothing was published\n",
		    changed, shown, shown == 1 ? "" : "s");
	/* Used once: not kept (a `lookup --cert` builds its own and keeps it a while). */
	ctl_preview_free(ctl);
	if (bad) {
		snprintf(err, errlen, "policy check: %s", why);
		*keep_body = true;
		return false;
	}
	return true;
}
