/* SPDX-License-Identifier: BSD-3-Clause */
/* ixfr_pub.c: each zone's IXFR history carried to the next snapshot, and its journal kept */
#include <ctype.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>

#include "fnv.h"
#include "ixfr_pvt.h"
#include "sandns_err.h"
#include "wire.h"
#include "zt_index.h"
#include "zt_patch.h"
#include "zt_pvt.h"

static void __attribute__((format(printf, 3, 4)))
say(const ixfr_conf_t *conf, int prio, const char *fmt, ...)
{
	char msg[2048];
	va_list ap;

	if (conf->log == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	conf->log(conf->log_ctx, prio, msg);
}

bool ixfr_journal_path(const char *dir, const char *origin, char *buf, size_t len)
{
	size_t o = (size_t)snprintf(buf, len, "%s/", dir), olen = strlen(origin), at = o;
	uint64_t h = FNV_START;

	/* Lower case; what a file name should not hold (a slash, a backslash, a space) as %XX. */
	for (size_t i = 0; i < olen && o + 8 < len; i++) {
		unsigned char ch = (unsigned char)tolower((unsigned char)origin[i]);

		h = fnv_byte(h, ch);
		if (isalnum(ch) || ch == '-' || ch == '_' || ch == '.')
			buf[o++] = (char)ch;
		else
			o += (size_t)snprintf(buf + o, len - o, "%%%02X", ch);
	}
	/* A file name has 255 octets at most, and the longest made of this one is ".journal.new"
	 * longer (".signed.new": ctl_signstate.c): a name escaped past that is cut, its hash
	 * after it, as a catalog member's copy is named. Those that fit stay as they were. */
	if (o - at > NAME_MAX - sizeof(".journal.new") + 1 && at + 200 < len)
		o = at + 180 +
		    (size_t)snprintf(buf + at + 180, len - at - 180, "~%016llx.",
				     (unsigned long long)h);
	if (o + 9 >= len)
		return false;
	if (olen == 0 || buf[o - 1] != '.')
		buf[o++] = '.';
	snprintf(buf + o, len - o, "journal");
	return true;
}

/* RFC 1982: whether serial A is newer than B. */
static bool serial_newer(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) > 0;
}

/* Zone Z of NEXT in OLD (the same origin), or ZT_NONE. */
static uint32_t old_zone(const zt_t *old, const zt_t *next, uint32_t z)
{
	const zt_node_t *apex = &next->nodes[next->zones[z].apex];
	uint32_t n = zt_find(old, zt_node_name(next, apex), apex->name_len);

	if (n == ZT_NONE || !(old->nodes[n].flags & ZN_APEX) ||
	    strcasecmp(old->zones[old->nodes[n].zone].origin, next->zones[z].origin) != 0)
		return ZT_NONE;
	return old->nodes[n].zone;
}

/* An empty history whose journal is (SYNCED) or may not be (!SYNCED) empty too. */
static ixfr_hist_t *empty(bool synced)
{
	ixfr_hist_t *h = ixfr_hist_new();

	if (h != NULL)
		h->file_synced = synced;
	return h;
}

/*
 * Why history H, read from a journal, is not zone Z's of NEXT (NULL: it is). Its serials say
 * little: zones start at 1 or at today's date alike, so a journal of another zone (a file copied
 * or restored to the wrong name) or of another run of this one may end at the serial served.
 * Its last SOA must be the one served, owner, TTL and RDATA, and every RR must be in the zone:
 * else an IXFR would send a secondary the changes of another zone.
 */
static const char *misfit(const ixfr_hist_t *h, const zt_t *next, uint32_t z)
{
	const zt_rrset_t *soa = &next->rrsets[next->zones[z].soa];
	const uint8_t *apex = zt_node_name(next, &next->nodes[next->zones[z].apex]);
	const uint8_t *rd = next->arena + soa->data, *last;
	const struct ixfr_cs *cs = h->cs[h->n - 1];
	size_t owner;

	last = cs->data + cs->new_soa;
	owner = wire_name_len(last);
	if (soa->count != 1 || !wire_name_eq(last, apex) ||
	    wire_get32(last + owner + 4) != soa->ttl ||
	    cs->new_soa_len != owner + 10 + wire_get16(rd) ||
	    memcmp(last + owner + 8, rd, 2u + wire_get16(rd)) != 0)
		return "its last SOA is not the one served";
	for (size_t i = 0; i < h->n; i++) {
		cs = h->cs[i];
		for (size_t off = 0; off < cs->len;
		     off += ixfr_rr_len(cs->data + off, cs->len - off))
			if (!wire_name_is_sub(cs->data + off, apex))
				return "it holds records of another zone";
	}
	return NULL;
}

/* The history read from zone Z's journal, kept when it ends at the serial served (and fits). */
static ixfr_hist_t *first(const zt_t *next, uint32_t z, const ixfr_conf_t *conf, const char *path)
{
	const zt_zone_t *zone = &next->zones[z];
	uint64_t max_file = 4 * conf->max_bytes + ((uint64_t)1 << 20);
	char err[1024];
	ixfr_hist_t *h;
	const char *why;
	uint32_t from, to;
	unsigned nrecs;
	bool ends;

	if (path == NULL)
		return empty(false);
	if (ixfr_file_read(path, max_file, conf->max_bytes, conf->max_depth, &h, &nrecs, err,
			   sizeof(err)) != SANDNS_EOK) {
		say(conf, LOG_WARNING, "%s: ignored; zone %s starts a new history", err,
		    zone->origin);
		return empty(false);
	}
	if (h == NULL)
		return empty(true);
	ends = ixfr_hist_range(h, &from, &to) && to == (uint32_t)zone->serial;
	why = ends ? misfit(h, next, z) : NULL;
	if (!ends || why != NULL) {
		if (why != NULL)
			say(conf, LOG_WARNING,
			    "IXFR journal %s: not zone %s's as served (%s): dropped (secondaries "
			    "older than %lu transfer the whole zone)",
			    path, zone->origin, why, zone->serial);
		else if (ixfr_hist_count(h) > 0)
			say(conf, LOG_NOTICE,
			    "IXFR journal %s ends at serial %u, zone %s is served at %lu: dropped "
			    "(secondaries older than %lu transfer the whole zone)",
			    path, to, zone->origin, zone->serial, zone->serial);
		ixfr_hist_unref(&h);
		if (ixfr_file_write(path, NULL, err, sizeof(err)) != SANDNS_EOK) {
			say(conf, LOG_WARNING, "%s", err);
			return empty(false);
		}
		return empty(true);
	}
	say(conf, LOG_INFO, "zone %s: IXFR history from serial %u to %u (%zu changesets)",
	    zone->origin, from, to, ixfr_hist_count(h));
	h->file_synced = true;
	h->file_recs = nrecs;
	h->file_bytes = 8;
	for (size_t i = 0; i < h->n; i++)
		h->file_bytes += ixfr_file_record_size(h->cs[i]);
	return h;
}

/* What ixfr_pub_commit() writes of a history (ixfr_hist.file_op). */
enum { IXFR_FILE_NONE, IXFR_FILE_APPEND, IXFR_FILE_REWRITE };

/* Plans the journal of H: its last changeset appended, or the whole journal written again;
 * ixfr_pub_commit() writes it once the snapshot is served. */
static void journal(ixfr_hist_t *h, const ixfr_hist_t *prev, const ixfr_conf_t *conf,
		    const char *path)
{
	const ixfr_cs_t *cs = h->n > 0 ? h->cs[h->n - 1] : NULL;
	bool append;

	if (path == NULL)
		return;
	/* Append only to a file that holds PREV's changesets and ends where CS starts. */
	append = cs != NULL && prev != NULL && prev->file_synced &&
		 (prev->n == 0 ? prev->file_recs == 0 : prev->cs[prev->n - 1]->to == cs->from);
	if (append) {
		h->file_recs = prev->file_recs + 1;
		h->file_bytes =
		    (prev->file_bytes ? prev->file_bytes : 8) + ixfr_file_record_size(cs);
		/* What was dropped from memory stays in the file until it is twice the bound. */
		append =
		    h->file_bytes <= 2 * conf->max_bytes && h->file_recs <= 2 * conf->max_depth;
	}
	if (!append) {
		h->file_recs = (unsigned)h->n;
		h->file_bytes = 8;
		for (size_t i = 0; i < h->n; i++)
			h->file_bytes += ixfr_file_record_size(h->cs[i]);
	}
	h->file_synced = false;
	h->file_op = append ? IXFR_FILE_APPEND : IXFR_FILE_REWRITE;
}

void ixfr_pub_commit(zt_t *next, const ixfr_conf_t *conf)
{
	char path[4096], err[1024];

	for (uint32_t z = 0; next != NULL && conf->dir != NULL && z < next->nzones; z++) {
		ixfr_hist_t *h = next->zones[z].ixfr;
		int ret;

		if (h == NULL || h->file_op == IXFR_FILE_NONE)
			continue;
		if (!ixfr_journal_path(conf->dir, next->zones[z].origin, path, sizeof(path))) {
			h->file_op = IXFR_FILE_NONE;
			continue;
		}
		if (h->file_op == IXFR_FILE_APPEND)
			ret = ixfr_file_append(path, h->cs[h->n - 1], err, sizeof(err));
		else
			ret = ixfr_file_write(path, h, err, sizeof(err));
		h->file_op = IXFR_FILE_NONE;
		h->file_synced = ret == SANDNS_EOK;
		if (ret != SANDNS_EOK)
			say(conf, LOG_WARNING,
			    "%s (IXFR from older serials will not survive a restart)", err);
	}
}

/* Zone Z's history in NEXT, from zone OZ's in OLD. */
static ixfr_hist_t *carry(const zt_t *old, uint32_t oz, const zt_t *next, uint32_t z,
			  const ixfr_conf_t *conf, const char *path)
{
	const ixfr_hist_t *prev = old->zones[oz].ixfr;
	uint32_t was = (uint32_t)old->zones[oz].serial, now = (uint32_t)next->zones[z].serial;
	const char *origin = next->zones[z].origin;
	const uint8_t *const *names;
	size_t nnames;
	ixfr_cs_t *cs;
	ixfr_hist_t *h;
	unsigned dropped;
	int ret;

	if (was == now)
		return ixfr_hist_ref(prev);
	if (!serial_newer(now, was)) {
		say(conf, LOG_WARNING,
		    "zone %s: the served serial went back from %u to %u: its IXFR history is "
		    "dropped",
		    origin, was, now);
		h = empty(false);
		if (h != NULL)
			journal(h, NULL, conf, path);
		return h;
	}
	/* A zone patched from OLD's: only the names compiled again can differ. */
	if (zt_patch_names(next, z, old, &names, &nnames))
		ret = ixfr_diff_names(old, oz, next, z, names, nnames, conf->max_bytes, &cs);
	else
		ret = ixfr_diff(old, oz, next, z, conf->max_bytes, &cs);
	if (ret != SANDNS_EOK) {
		if (ret == SANDNS_ELIMIT)
			say(conf, LOG_NOTICE,
			    "zone %s: the changes from serial %u to %u pass ixfr-max-size (%llu "
			    "octets): secondaries transfer the whole zone",
			    origin, was, now, (unsigned long long)conf->max_bytes);
		else
			say(conf, LOG_WARNING, "zone %s: no IXFR history from %u to %u: %s", origin,
			    was, now, sandns_strerror(ret));
		h = empty(false);
		if (h != NULL)
			journal(h, NULL, conf, path);
		return h;
	}
	h = ixfr_hist_add(prev, cs, conf->max_bytes, conf->max_depth, &dropped);
	if (h != NULL)
		journal(h, prev, conf, path);
	return h;
}

void ixfr_pub_prepare(const zt_t *old, zt_t *next, const ixfr_conf_t *conf)
{
	char path[4096];

	for (uint32_t z = 0; z < next->nzones; z++) {
		const char *p = NULL;
		uint32_t oz;

		if (next->zones[z].origin == NULL)
			continue; /* a slot left empty (zt_patch_zones()) */
		oz = old != NULL ? old_zone(old, next, z) : ZT_NONE;

		if (conf->dir != NULL &&
		    ixfr_journal_path(conf->dir, next->zones[z].origin, path, sizeof(path)))
			p = path;
		if (old == NULL)
			ixfr_hist_attach(next, z, first(next, z, conf, p));
		else if (oz != ZT_NONE)
			ixfr_hist_attach(next, z, carry(old, oz, next, z, conf, p));
	}
}
