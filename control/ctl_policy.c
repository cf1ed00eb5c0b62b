/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_policy.c: `policy show` and `explain`: what the policy decided, and why an answer is so */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "clock.h"
#include "ctl_pvt.h"
#include "rrtype.h"

const char *ctl_family_name(enum policy_family f)
{
	return f == POLICY_FAMILY_A ? "A" : "AAAA";
}

static const char *validity_text(const cert_t *c)
{
	int v = cert_validity(c, time(NULL));

	return v == 0 ? "valid" : v > 0 ? "expired" : "not-yet-valid";
}

void ctl_fmt_cert(const cert_t *c, bool json, bool first, buf_t *out)
{
	char nb[32], na[32];
	const char *cn = cert_subject_cn(c);

	(void)clock_utc(cert_not_before(c), nb, sizeof(nb));
	(void)clock_utc(cert_not_after(c), na, sizeof(na));
	if (json) {
		if (!first)
			BUF_LIT(out, ",");
		BUF_LIT(out, "{\"source\":");
		buf_json_str(out, cert_source(c));
		BUF_LIT(out, ",\"sans\":[");
		for (size_t s = 0; s < cert_san_count(c); s++) {
			if (s > 0)
				BUF_LIT(out, ",");
			buf_json_str(out, cert_san(c, s));
		}
		BUF_LIT(out, "],\"subject_cn\":");
		if (cn != NULL)
			buf_json_str(out, cn);
		else
			BUF_LIT(out, "null");
		buf_printf(out,
			   ",\"not_before\":\"%s\",\"not_after\":\"%s\",\"validity\":\"%s\","
			   "\"sha256\":\"%s\",\"chain\":%zu}",
			   nb, na, validity_text(c), cert_fingerprint_sha256(c),
			   cert_chain_count(c));
		return;
	}
	buf_printf(out, "certificate %s: SANs", cert_source(c));
	for (size_t s = 0; s < cert_san_count(c); s++)
		buf_printf(out, " %s", cert_san(c, s));
	if (cert_san_count(c) == 0)
		BUF_LIT(out, " (none)");
	buf_printf(out, "\n  subject CN %s; valid %s .. %s: %s%s; sha256 %s; %zu in chain\n",
		   cn != NULL ? cn : "(none)", nb, na, validity_text(c),
		   cert_validity(c, time(NULL)) != 0 ? " (critical: clients will refuse it)" : "",
		   cert_fingerprint_sha256(c), cert_chain_count(c));
}

void ctl_fmt_decision(const policy_t *p, size_t i, bool json, bool first, buf_t *out)
{
	const char *t = policy_target(p, i);
	const char *state = policy_applies(p, i) ? "applied"
			    : policy_alert(p, i) ? "ALERT, not applied"
						 : "reported";

	if (json) {
		if (!first)
			BUF_LIT(out, ",");
		BUF_LIT(out, "{\"name\":");
		buf_json_str(out, policy_name(p, i));
		buf_printf(out, ",\"family\":\"%s\",\"decision\":\"%s\",\"target\":",
			   ctl_family_name(policy_family(p, i)),
			   policy_kind_name(policy_kind(p, i)));
		if (t != NULL)
			buf_json_str(out, t);
		else
			BUF_LIT(out, "null");
		buf_printf(out, ",\"applied\":%s,\"alert\":%s,\"wildcard\":%s,\"reason\":",
			   policy_applies(p, i) ? "true" : "false",
			   policy_alert(p, i) ? "true" : "false",
			   policy_via_wildcard(p, i) ? "true" : "false");
		buf_json_str(out, policy_reason(p, i));
		BUF_LIT(out, "}");
		return;
	}
	buf_printf(out, "  %s %s: %s%s%s (%s)\n    why: %s\n", policy_name(p, i),
		   ctl_family_name(policy_family(p, i)), policy_kind_name(policy_kind(p, i)),
		   t != NULL ? " -> " : "", t != NULL ? t : "", state, policy_reason(p, i));
}

bool ctl_fmt_policy(const ctl_build_t *b, const char *domain, bool json, buf_t *out, char *err,
		    size_t errlen)
{
	const policy_t *p = b->policy;
	bool any = false;

	for (size_t z = 0; domain != NULL && z < b->nzones && !any; z++)
		any = cfg_same_origin(b->zones[z].origin, domain);
	if (domain != NULL && !any) {
		snprintf(err, errlen, "%s is not a served zone", domain);
		return false;
	}
	if (json)
		buf_printf(out, "{\"enabled\":%s,\"certificates\":[", p != NULL ? "true" : "false");
	else if (p == NULL)
		BUF_LIT(out, "policy: off (no certificate configured with --cert): the zones are "
			     "served as written\n");
	else
		buf_printf(out, "policy: on, %zu certificate%s\n", b->ncerts,
			   b->ncerts == 1 ? "" : "s");
	for (size_t c = 0; c < b->ncerts; c++)
		ctl_fmt_cert(b->certs[c], json, c == 0, out);
	if (json)
		BUF_LIT(out, "],\"domains\":[");
	for (size_t z = 0, shown = 0; z < b->nzones; z++) {
		const ctl_zone_info_t *zi = &b->zones[z];
		bool first = true;

		if (domain != NULL && !cfg_same_origin(zi->origin, domain))
			continue;
		if (json) {
			if (shown++ > 0)
				BUF_LIT(out, ",");
			BUF_LIT(out, "{\"domain\":");
			buf_json_str(out, zi->origin);
			buf_printf(out, ",\"serial\":%lu,\"file_serial\":%lu,\"decisions\":[",
				   zi->serial, zi->src_serial);
		} else {
			buf_printf(out, "domain %s serial %lu", zi->origin, zi->serial);
			if (zi->serial != zi->src_serial)
				buf_printf(out,
					   " (file %lu; raised so that secondaries see what the "
					   "policy changed)",
					   zi->src_serial);
			BUF_LIT(out, "\n");
		}
		for (size_t i = 0; p != NULL && i < policy_count(p); i++) {
			if (strcasecmp(policy_domain(p, i), zi->origin) != 0)
				continue;
			ctl_fmt_decision(p, i, json, first, out);
			first = false;
		}
		if (json) {
			BUF_LIT(out, "],\"edits\":");
			buf_json_lines(out, zi->edits);
			BUF_LIT(out, "}");
		} else if (zi->edits != NULL && zi->edits[0] != '\0') {
			BUF_LIT(out, "  zone data changed:\n");
			for (const char *l = zi->edits; *l != '\0';) {
				size_t n = strcspn(l, "\n");

				buf_printf(out, "    %.*s\n", (int)n, l);
				l += n + (l[n] == '\n');
			}
		}
	}
	if (json)
		BUF_LIT(out, "]}\n");
	return true;
}

/* ---------------------------------------------------------------- explain */

static const char *match_text(enum zt_match m)
{
	switch (m) {
	case ZT_MATCH_NO_ZONE:
		return "no served zone holds the name";
	case ZT_MATCH_EXACT:
		return "exact: the name has records";
	case ZT_MATCH_EMPTY:
		return "empty node: the name exists without records (NODATA for every type)";
	case ZT_MATCH_WILDCARD:
		return "wildcard: no node of that name, the wildcard answers";
	case ZT_MATCH_NXDOMAIN:
		return "no such name below the closest encloser, and no wildcard";
	case ZT_MATCH_DELEGATION:
		return "delegated: at or below a zone cut";
	case ZT_MATCH_DNAME:
		return "below a DNAME: a CNAME is synthesized";
	}
	return "?";
}

static const char *rcode_text(uint8_t rc)
{
	static const char *const names[] = {"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN",
					    "NOTIMP",  "REFUSED", "YXDOMAIN", "YXRRSET",
					    "NXRRSET", "NOTAUTH", "NOTZONE"};

	return rc < sizeof(names) / sizeof(names[0]) ? names[rc] : "RCODE?";
}

static size_t zone_index(const ctl_build_t *b, const char *origin)
{
	const ctl_zone_info_t *z = ctl_build_find(b, origin);

	return z != NULL ? (size_t)(z - b->zones) : b->nzones;
}

static bool same_name(const char *a, const char *b)
{
	return strcasecmp(a, b) == 0;
}

/* The policy's edit of type OP at OWNER for TYPE in ZONE, or NULL. */
static const zload_edit_t *find_edit(const policy_t *p, const char *zone, enum zload_edit_op op,
				     const char *owner, uint16_t type)
{
	for (size_t i = 0; p != NULL && i < policy_edit_count(p); i++) {
		const zload_edit_t *e = policy_edit(p, i);

		if (e->op == op && same_name(policy_edit_domain(p, i), zone) &&
		    same_name(e->owner, owner) && (op == ZLOAD_EDIT_EMPTY_NODE || e->type == type))
			return e;
	}
	return NULL;
}

/* Where the records of SRC come from: zone file lines, or the policy's additions. */
static void fmt_source(const ctl_build_t *b, const zload_zone_t *raw, const char *zone,
		       const zt_explain_src_t *src, char *lines, size_t len)
{
	const policy_t *p = b->policy;

	if (find_edit(p, zone, ZLOAD_EDIT_ADD, src->owner, src->type) != NULL) {
		for (size_t i = 0; i < policy_edit_count(p); i++) {
			const zload_edit_t *e = policy_edit(p, i);
			size_t off = strlen(lines);

			char tb[16];

			if (e->op == ZLOAD_EDIT_ADD && e->type == src->type &&
			    same_name(e->owner, src->owner) && off < len)
				snprintf(lines + off, len - off,
					 "(autodiscover policy): %s %u IN %s %s\n", e->owner,
					 (unsigned)e->ttl, rrtype_name(e->type, tb, sizeof(tb)),
					 e->rdata);
		}
		return;
	}
	if (raw != NULL)
		zload_describe(raw, src->owner, src->type, lines, len);
}

/* The policy's part in NAME's answers: what it withheld there, and the decisions behind it. */
static void fmt_policy_part(const ctl_build_t *b, const zload_zone_t *raw, const char *zone,
			    const char *name, bool json, buf_t *out)
{
	const policy_t *p = b->policy;
	char lines[4096];
	bool first = true;

	for (size_t i = 0; p != NULL && i < policy_edit_count(p); i++) {
		const zload_edit_t *e = policy_edit(p, i);

		if (!same_name(policy_edit_domain(p, i), zone) || !same_name(e->owner, name))
			continue;
		lines[0] = '\0';
		if (e->op == ZLOAD_EDIT_WITHHOLD && raw != NULL) {
			zload_describe(raw, e->owner, e->type, lines, sizeof(lines));
		} else if (e->op == ZLOAD_EDIT_WITHHOLD) {
			char tb[16];

			/* What the policy knows of it: its owner and type (the lines: not kept). */
			snprintf(lines, sizeof(lines), "%s %s (its lines are not kept in memory)\n",
				 e->owner, rrtype_name(e->type, tb, sizeof(tb)));
		}
		if (json) {
			const char *op = e->op == ZLOAD_EDIT_WITHHOLD ? "withheld"
					 : e->op == ZLOAD_EDIT_ADD    ? "added"
								      : "empty-node";

			buf_printf(out, "%s{\"edit\":\"%s\",\"records\":", first ? "" : ",", op);
			buf_json_lines(out, lines);
			BUF_LIT(out, "}");
		} else if (e->op == ZLOAD_EDIT_WITHHOLD) {
			for (const char *l = lines; *l != '\0';) {
				size_t n = strcspn(l, "\n");

				buf_printf(out, "policy: withheld %.*s\n", (int)n, l);
				l += n + (l[n] == '\n');
			}
		} else if (e->op == ZLOAD_EDIT_EMPTY_NODE) {
			buf_printf(out,
				   "policy: %s kept as an empty node: NODATA for every type, "
				   "never NXDOMAIN, no wildcard answers it\n",
				   name);
		} else {
			char tb[16];

			buf_printf(out, "policy: added %s %u IN %s %s\n", e->owner,
				   (unsigned)e->ttl, rrtype_name(e->type, tb, sizeof(tb)),
				   e->rdata);
		}
		first = false;
	}
	if (json)
		BUF_LIT(out, "],\"decisions\":[");
	first = true;
	for (size_t i = 0; p != NULL && i < policy_count(p); i++) {
		char srv[300];

		snprintf(srv, sizeof(srv), "_autodiscover._tcp.%s", policy_domain(p, i));
		if (!same_name(policy_name(p, i), name) &&
		    !(same_name(srv, name) && !same_name(policy_name(p, i), policy_domain(p, i))))
			continue;
		if (!json && first)
			BUF_LIT(out, "policy decisions:\n");
		ctl_fmt_decision(p, i, json, first, out);
		first = false;
	}
}

bool ctl_fmt_explain(const ctl_build_t *b, const zt_t *zt, const char *name, const char *type,
		     bool json, buf_t *out, char *err, size_t errlen)
{
	zt_explanation_t *x = malloc(sizeof(*x));
	char lines[8192];
	zload_zone_t *raw = NULL;
	bool kept;
	size_t z;

	if (x == NULL) {
		snprintf(err, errlen, "out of memory");
		return false;
	}
	if (zt_explain(zt, name, type, x, err, errlen) != 0) {
		free(x);
		return false;
	}
	z = zone_index(b, x->zone);
	/*
	 * The lines behind the answer: from the zone as kept (keep-zones) only. A zone not kept is
	 * never read again here: that would hold the control thread for seconds on a large zone
	 * (status, stop and every other client wait behind it); the answer and the policy's part
	 * come from the snapshot and the policy in memory, and a note says the lines are not kept.
	 */
	if (z < b->nzones && b->raw[z] != NULL)
		raw = zload_ref(b->raw[z]);
	kept = z >= b->nzones || raw != NULL;
	if (json) {
		BUF_LIT(out, "{\"name\":");
		buf_json_str(out, x->name); /* presentation form: odd octets as \DDD */
		BUF_LIT(out, ",\"type\":");
		buf_json_str(out, type);
		BUF_LIT(out, ",\"zone\":");
		if (x->match != ZT_MATCH_NO_ZONE)
			buf_json_str(out, x->zone);
		else
			BUF_LIT(out, "null");
		buf_printf(out, ",\"serial\":%lu,\"match\":", x->serial);
		buf_json_str(out, match_text(x->match));
		BUF_LIT(out, ",\"node\":");
		buf_json_str(out, x->node);
		buf_printf(out, ",\"rcode\":\"%s\",\"aa\":%s,\"records\":", rcode_text(x->rcode),
			   x->aa ? "true" : "false");
		buf_json_lines(out, x->text);
		BUF_LIT(out, ",\"sources\":");
	} else {
		if (x->match == ZT_MATCH_NO_ZONE)
			BUF_LIT(out, "zone: none\n");
		else
			buf_printf(out, "zone: %s serial %lu\n", x->zone, x->serial);
		buf_printf(out, "match: %s%s%s\n", match_text(x->match), x->node[0] ? ": " : "",
			   x->node);
		buf_printf(out, "result: %s%s\n", rcode_text(x->rcode),
			   x->aa ? ", authoritative" : "");
		buf_put(out, x->text, strlen(x->text));
	}
	lines[0] = '\0';
	for (size_t i = 0; i < x->nsrc; i++)
		fmt_source(b, raw, x->zone, &x->src[i], lines, sizeof(lines));
	if (json) {
		buf_json_lines(out, lines);
		buf_printf(out, ",\"lines_kept\":%s,\"policy\":[", kept ? "true" : "false");
	} else {
		for (const char *l = lines; *l != '\0';) {
			size_t n = strcspn(l, "\n");

			buf_printf(out, "from %.*s\n", (int)n, l);
			l += n + (l[n] == '\n');
		}
		if (z < b->nzones && b->zones[z].serial != b->zones[z].src_serial)
			buf_printf(out,
				   "note: %s is served with SOA serial %lu (file: %lu), raised for "
				   "the policy's changes\n",
				   x->zone, b->zones[z].serial, b->zones[z].src_serial);
		if (!kept)
			buf_printf(out,
				   "note: the lines of %s %s are not shown: the zones as read are "
				   "not kept in memory (keep-zones no, or auto over 250,000 "
				   "records); the answer above is the one served\n",
				   zsrc_kind_name(&b->zones[z].src), zsrc_where(&b->zones[z].src));
		if (b->policy == NULL)
			BUF_LIT(out, "policy: off (no certificate configured)\n");
	}
	if (x->match != ZT_MATCH_NO_ZONE)
		fmt_policy_part(b, raw, x->zone, x->name, json, out);
	else if (json)
		BUF_LIT(out, "],\"decisions\":[");
	if (json)
		BUF_LIT(out, "]}\n");
	zload_free(&raw);
	free(x);
	return true;
}
