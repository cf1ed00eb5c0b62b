/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_build.c: zones and certificates in, the policy applied, one snapshot out, off to the side */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "catz.h"
#include "ctl_pvt.h"
#include "ctl_sign.h"
#include "fnv.h"
#include "log.h"
#include "rfile.h"
#include "rrtype.h"
#include "sandns_err.h"
#include "sigtime.h"
#include "zload.h"

/* A certificate source gets this long to answer (tls://); files take what they take. */
#define CTL_CERT_TIMEOUT_MS 5000
/* The serials' file in the state directory (serial-state names another). */
#define CTL_SERIALS_FILE "serials"
/* serial-state holds a line per zone (under 600 bytes, 40 or so usually): room for
 * about a hundred thousand zones. */
#define CTL_STATE_MAX (4u << 20)

static void ctl_zone_warning(void *ctx, const char *msg)
{
	(void)ctx;
	/* MSG says "FILE:LINE: warning: ..." already (zload_msg.c). */
	log_msg(LOG_WARNING, "%s", msg);
}

bool ctl_build_keeps_zones(const cfg_t *cfg, const ctl_build_t *b)
{
	return cfg->keep_zones == CFG_KEEP_YES ||
	       (cfg->keep_zones == CFG_KEEP_AUTO && b->records <= CFG_KEEP_AUTO_RECORDS);
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
		if (b->raw != NULL)
			zload_free(&b->raw[i]);
		if (b->signed_zones != NULL)
			zload_free(&b->signed_zones[i]);
	}
	free(b->zones);
	free(b->raw);
	free(b->signed_zones);
	for (i = 0; i < b->ncerts; i++)
		if (b->certs != NULL)
			cert_free(&b->certs[i]);
	free(b->certs);
	policy_free(&b->policy);
	free(b->policy_key);
	ctl_build_index_free(b);
	memset(b, 0, sizeof(*b));
}

/* Appends printf output to a malloc'd string; false without memory (the string is kept). */
static bool __attribute__((format(printf, 2, 3))) str_add(char **s, const char *fmt, ...)
{
	size_t old = *s != NULL ? strlen(*s) : 0;
	va_list ap;
	char *more, *grown;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&more, fmt, ap);
	va_end(ap);
	if (n < 0)
		return false;
	grown = realloc(*s, old + (size_t)n + 1);
	if (grown == NULL) {
		free(more);
		return false;
	}
	memcpy(grown + old, more, (size_t)n + 1);
	free(more);
	*s = grown;
	return true;
}

char *ctl_policy_key(const policy_t *p)
{
	char *key = strdup("");

	for (size_t i = 0; p != NULL && key != NULL && i < policy_count(p); i++) {
		const char *t = policy_target(p, i);

		if (!str_add(&key, "%s %u %s %s %d\n", policy_name(p, i),
			     (unsigned)policy_family(p, i), policy_kind_name(policy_kind(p, i)),
			     t != NULL ? t : "-", policy_applies(p, i))) {
			free(key);
			return NULL;
		}
	}
	return key;
}

static const char *edit_op_name(enum zload_edit_op op)
{
	switch (op) {
	case ZLOAD_EDIT_WITHHOLD:
		return "withhold";
	case ZLOAD_EDIT_ADD:
		return "add";
	case ZLOAD_EDIT_EMPTY_NODE:
		return "empty-node";
	}
	return "?";
}

/* The policy's edits for zone ORIGIN: into EDITS (a slice of the policy's) and as text. */
static int zone_edits(const policy_t *p, const char *origin, const zload_edit_t **edits, size_t *n,
		      char **text)
{
	*n = 0;
	*text = strdup("");
	if (*text == NULL)
		return -ENOMEM;
	for (size_t i = 0; p != NULL && i < policy_edit_count(p); i++) {
		const zload_edit_t *e = policy_edit(p, i);
		char tb[16];

		if (strcasecmp(policy_edit_domain(p, i), origin) != 0)
			continue;
		edits[(*n)++] = e;
		if (!str_add(text, "%s %s", edit_op_name(e->op), e->owner) ||
		    (e->op != ZLOAD_EDIT_EMPTY_NODE &&
		     !str_add(text, " %s", rrtype_name(e->type, tb, sizeof(tb)))) ||
		    (e->op == ZLOAD_EDIT_ADD && !str_add(text, " %u %s", e->ttl, e->rdata)) ||
		    !str_add(text, "\n"))
			return -ENOMEM;
	}
	return 0;
}

/* RFC 1982: whether serial A is newer than B. */
static bool serial_newer(unsigned long a, unsigned long b)
{
	return (int32_t)(uint32_t)(a - b) > 0;
}

/*
 * The serial to serve: the file's when nothing is edited; one more when the policy edits the
 * zone; and whenever what is served changes (file serial or edits), newer than the serial
 * served before, so that secondaries see every change (a policy lifted still moves forward).
 */
static unsigned long served_serial(const ctl_zone_info_t *before, unsigned long src_serial,
				   const char *edits, uint64_t edits_hash)
{
	unsigned long want = (src_serial + (edits[0] != '\0' ? 1 : 0)) & 0xffffffffUL;

	if (before == NULL)
		return want;
	if (before->src_serial == src_serial && before->edits_hash == edits_hash)
		return before->serial;
	/* Never raised and nothing to raise for (no policy, a signed zone): the file's own. */
	if (edits[0] == '\0' && before->serial == before->src_serial)
		return src_serial;
	return serial_newer(want, before->serial) ? want : (before->serial + 1) & 0xffffffffUL;
}

static uint64_t fnv1a(const char *s)
{
	return fnv_bytes(FNV_START, s, strlen(s));
}

static int digest_msg(void *ctx, const uint8_t *msg, size_t len)
{
	uint64_t *h = ctx;

	*h = fnv_bytes(*h, msg, len);
	return 0;
}

/*
 * A digest of zone ORIGIN as snapshot ZT serves it: its transfer (AXFR, every record in
 * canonical order, the policy's edits and the served serial in), rendered from the
 * precomputed data, no zone file read. 0: not known (an origin with escapes, or no such zone).
 */
static uint64_t zone_digest(const zt_t *zt, const char *origin)
{
	uint8_t q[12 + 256 + 4] = {0, 0, 0, 0, 0, 1}; /* id 0, QDCOUNT 1 */
	size_t len = 12, lab;
	uint64_t h = FNV_START;

	while (*origin != '\0' && strcmp(origin, ".") != 0) {
		lab = strcspn(origin, ".");
		if (lab == 0 || lab > 63 || len + 1 + lab + 5 > sizeof(q) ||
		    memchr(origin, '\\', lab) != NULL)
			return 0;
		q[len++] = (uint8_t)lab;
		memcpy(q + len, origin, lab);
		len += lab;
		origin += lab + (origin[lab] == '.');
	}
	q[len++] = 0;
	q[len++] = 0;
	q[len++] = 252; /* AXFR */
	q[len++] = 0;
	q[len++] = 1; /* IN */
	if (zt_xfr_render(zt, q, len, digest_msg, &h) != SANDNS_EOK)
		return 0;
	return h != 0 ? h : 1;
}

void ctl_build_check_serials(const ctl_build_t *prev, const zt_t *prev_zt, ctl_build_t *b)
{
	for (size_t i = 0; i < b->nzones; i++) {
		ctl_zone_info_t *info = &b->zones[i];
		const ctl_zone_info_t *before = ctl_build_find(prev, info->origin);
		uint64_t was;

		info->serial_stale = false;
		/* A secondary zone going or coming back (expired, transferred) is no stale serial.
		 */
		if (prev_zt == NULL || info->absent || (before != NULL && before->absent))
			continue;
		/* A new serial is seen by secondaries; an unchanged zone needs no look. */
		if (before == NULL || before->src_serial != info->src_serial ||
		    before->serial != info->serial)
			continue;
		if (prev->raw != NULL && i < prev->nzones && prev->raw[i] == b->raw[i] &&
		    strcmp(before->edits, info->edits) == 0)
			continue;
		was = zone_digest(prev_zt, info->origin);
		info->serial_stale = was != 0 && was != zone_digest(b->zt, info->origin);
	}
}

/*
 * serial-state: what was served before this process started, one zone a line, "ORIGIN SERIAL
 * FILE_SERIAL EDITS_HASH", so that a restart never serves an older serial than secondaries
 * hold. Read into STATE (zones only: origin, serials, hash); a missing file is an empty state.
 */
static void state_read(const char *path, ctl_build_t *state)
{
	char line[1024], origin[512], why[1024], *text = NULL;
	unsigned long serial, file_serial;
	unsigned long long hash;
	size_t len = 0;
	int nr = 0, fd, rc;
	FILE *f = NULL;

	/* Never a FIFO or a device (the start would wait on it), and bounded while it is read. */
	fd = rfile_open("serial-state ", path, O_RDONLY, 0, CTL_STATE_MAX, why, sizeof(why));
	if (fd >= 0) {
		rc = rfile_read(fd, CTL_STATE_MAX, &text, &len);
		close(fd);
		if (rc == 0 && len == 0) {
			free(text);
			return; /* empty: nothing remembered */
		}
		if (rc == 0)
			f = fmemopen(text, len, "r");
		else
			errno = -rc;
		if (f == NULL && rc == -EFBIG)
			snprintf(why, sizeof(why), "serial-state %.900s: more than %u bytes", path,
				 CTL_STATE_MAX);
		else if (f == NULL)
			snprintf(why, sizeof(why), "serial-state %.900s: %s", path,
				 strerror(errno));
	}
	if (f == NULL) {
		free(text);
		if (fd != -ENOENT)
			log_msg(LOG_WARNING, "%s (serials start from the files)", why);
		return;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		ctl_zone_info_t *zi, *grown;

		nr++;
		if (sscanf(line, "%511s %lu %lu %llx", origin, &serial, &file_serial, &hash) != 4) {
			log_msg(LOG_WARNING,
				"serial-state %s:%d: not 'ORIGIN SERIAL FILE_SERIAL "
				"HASH', ignored",
				path, nr);
			continue;
		}
		grown = realloc(state->zones, (state->nzones + 1) * sizeof(*grown));
		if (grown == NULL)
			break;
		state->zones = grown;
		zi = &state->zones[state->nzones];
		*zi = (ctl_zone_info_t){.serial = serial & 0xffffffffUL,
					.src_serial = file_serial & 0xffffffffUL,
					.edits_hash = (uint64_t)hash};
		zi->origin = strdup(origin);
		if (zi->origin == NULL)
			break;
		state->nzones++;
	}
	fclose(f);
	free(text);
}

/* Writes B's serials to PATH (a new file renamed over the old one); a failure is logged. */
static void state_write(const char *path, const ctl_build_t *b)
{
	char dir[4096];
	const char *slash;
	int dfd;
	char tmp[4096], why[1024];
	FILE *f;
	bool ok;
	int fd;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.new", path) >= sizeof(tmp))
		return;
	/* What sits at TMP is replaced by a new file: a FIFO there must not hold us either. */
	fd = rfile_open("serial-state ", tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0666, 0,
			why, sizeof(why));
	f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (f == NULL && fd >= 0) {
		snprintf(why, sizeof(why), "serial-state %.900s: %s", tmp, strerror(errno));
		close(fd);
	}
	if (f == NULL) {
		log_msg(LOG_WARNING, "%s", why);
		return;
	}
	for (size_t i = 0; i < b->nzones; i++)
		fprintf(f, "%s %lu %lu %016llx\n", b->zones[i].origin, b->zones[i].serial,
			b->zones[i].src_serial, (unsigned long long)b->zones[i].edits_hash);
	ok = fflush(f) == 0 && fsync(fileno(f)) == 0;
	ok = fclose(f) == 0 && ok;
	if (!ok || rename(tmp, path) != 0) {
		log_msg(LOG_WARNING, "serial-state %s: cannot write: %s", path, strerror(errno));
		unlink(tmp);
		return;
	}
	/* The rename itself must survive a power loss: the directory too. */
	slash = strrchr(path, '/');
	snprintf(dir, sizeof(dir), "%.*s", slash == NULL ? 1 : (int)(slash - path + 1),
		 slash == NULL ? "." : path);
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		(void)fsync(dfd);
		close(dfd);
	}
}

/* Where the serials are remembered: serial-state, else state-dir's "serials"; NULL: nowhere. */
static const char *state_path(const cfg_t *cfg, char *buf, size_t len)
{
	if (cfg->serial_state != NULL)
		return cfg->serial_state;
	if (cfg->state_dir == NULL ||
	    (size_t)snprintf(buf, len, "%s/" CTL_SERIALS_FILE, cfg->state_dir) >= len)
		return NULL;
	return buf;
}

void ctl_build_save_serials(const cfg_t *cfg, const ctl_build_t *b)
{
	char buf[4096];
	const char *path = state_path(cfg, buf, sizeof(buf));

	if (path != NULL)
		state_write(path, b);
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

static int load_inputs(const cfg_t *cfg, const ctl_build_t *prev, const ctl_rebuild_t *what,
		       ctl_build_t *b, char *err, size_t errlen)
{
	char reason[1024];

	for (size_t i = 0; i < cfg->nzones; i++) {
		const cfg_zone_t *z = &cfg->zones[i];
		bool made;

		/* A catalog sandns produces (catz_gen.c): made again from the zones at every build.
		 */
		b->raw[i] = catz_produce_cfg(cfg, i, prev != NULL ? prev->raw[i] : NULL,
					     prev != NULL ? prev->zones[i].src_serial : 0, &made,
					     err, errlen);
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
		} else if (prev == NULL || prev->raw[i] == NULL ||
			   (what->zones && asked_for(what, z, i))) {
			b->raw[i] =
			    zsrc_load_served(&z->src, z->origin, prev == NULL, ctl_zone_warning,
					     NULL, &b->zones[i].absent, err, errlen);
			if (b->raw[i] == NULL && b->zones[i].absent)
				b->raw[i] = absent_zone(z->origin, err, errlen);
			if (b->raw[i] == NULL)
				return SANDNS_EZONE;
			/* Presigned, no signature valid now: served, as Knot does, warned. */
			if (zload_is_signed(b->raw[i]) && cfg_signing_of(cfg, z->origin) == NULL &&
			    sigtime_presigned_stale(b->raw[i],
						    z->src.path != NULL ? z->src.path : z->origin,
						    sigtime_now(), reason, sizeof(reason)))
				log_msg(LOG_WARNING, "%s", reason);
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
		info->edits_hash = before != NULL ? before->edits_hash : fnv1a("");
		*out = (zt_zone_edits_t){.zone = b->raw[i], .serial = info->serial};
		return info->edits != NULL ? SANDNS_EOK : -ENOMEM;
	}
	if (zone_edits(b->policy, info->origin, edits, &n, &info->edits) != 0) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	for (size_t k = 0; k < n; k++)
		flat[k] = *edits[k];
	if (n > 0 && zload_edits_check(b->raw[i], flat, n, err, errlen) != 0) {
		/* The policy must never cost a zone its service: serve it as written, loudly. */
		log_msg(LOG_ERR,
			"autodiscover policy alert: cannot apply the policy to %s (%s): "
			"the zone is served as written",
			info->origin, err);
		info->edits[0] = '\0';
		n = 0;
	}
	info->src_serial = zload_serial(b->raw[i]);
	info->edits_hash = fnv1a(info->edits);
	info->serial = served_serial(before, info->src_serial, info->edits, info->edits_hash);
	/* Signed by sandns before and no more: what is served changed (its DNSKEY, RRSIG and NSEC
	 * records go), so the serial moves on, as for any change. */
	if (!preview && before != NULL && before->dnssec &&
	    cfg_signing_of(cfg, info->origin) == NULL &&
	    !serial_newer(info->serial, before->serial))
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

/* The cookie secret when the configuration gives none: drawn once a process, so that a reload
 * keeps the cookies clients hold valid. */
static uint8_t cookie_secret[16];

static void cookie_secret_draw(void)
{
	size_t got = 0;

	while (got < sizeof(cookie_secret)) {
		ssize_t n = getrandom(cookie_secret + got, sizeof(cookie_secret) - got, 0);

		if (n > 0)
			got += (size_t)n;
		else if (errno != EINTR)
			abort(); /* no randomness at all: no secret worth the name */
	}
}

/* The secret the snapshot's DNS cookies are made with, or NULL with cookies off. */
static const uint8_t *cookie_secret_of(const cfg_t *cfg)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	if (!cfg->cookies)
		return NULL;
	if (cfg->cookie_secret_set)
		return cfg->cookie_secret;
	pthread_once(&once, cookie_secret_draw);
	return cookie_secret;
}

int ctl_build(const cfg_t *cfg, const ctl_build_t *prev, const ctl_rebuild_t *what,
	      ctl_build_t *out, char *err, size_t errlen)
{
	static const ctl_rebuild_t zones_only = {.zones = true};
	zt_opts_t opts = {
	    .udp_max_payload = cfg->udp_max_payload,
	    .identity = cfg->identity,
	    .version = cfg->version,
	    .nsid = cfg->nsid,
	    .nsid_len = cfg->nsid_len,
	    .cookie_secret = cookie_secret_of(cfg),
	};
	const policy_opts_t popts = {
	    .srv_target = cfg->srv_target,
	    .legacy_cn_fallback = cfg->legacy_cn_fallback,
	};
	ctl_build_t b = {0}, state = {0};
	char state_buf[4096];
	const char *state_file = state_path(cfg, state_buf, sizeof(state_buf));
	zt_zone_edits_t *zedits = NULL;
	const zload_edit_t **edits = NULL;
	zload_edit_t *flat = NULL;
	zload_zone_t **live = NULL;
	const char **dead = NULL;
	size_t i, nflat = 0, nlive = 0, ndead = 0;
	int rc = -ENOMEM;

	memset(out, 0, sizeof(*out));
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
	b.certs = calloc(cfg->ncerts + 1, sizeof(b.certs[0]));
	zedits = calloc(cfg->nzones + 1, sizeof(zedits[0]));
	if (b.zones == NULL || b.raw == NULL || b.signed_zones == NULL || b.certs == NULL ||
	    zedits == NULL)
		goto out_nomem;
	rc = load_inputs(cfg, prev, what, &b, err, errlen);
	if (rc != SANDNS_EOK)
		goto out;

	/* The first build of a process: what was served before it, when it was remembered. */
	if (prev == NULL && state_file != NULL) {
		state_read(state_file, &state);
		(void)ctl_build_index(&state); /* without memory, it is walked */
		prev = &state;
	}

	/* No certificate, no policy: the zones are served as written. */
	if (b.ncerts > 0) {
		b.policy = policy_evaluate(b.raw, b.nzones, b.certs, b.ncerts, &popts, err, errlen);
		if (b.policy == NULL) {
			rc = -ENOMEM;
			goto out;
		}
		if (!what->preview)
			policy_alerts(&b);
		nflat = policy_edit_count(b.policy);
	}
	/* Each zone's edits are a slice of FLAT: zt_new reads them all at once. */
	edits = calloc(nflat + 1, sizeof(*edits));
	flat = calloc(nflat + 1, sizeof(*flat));
	if (edits == NULL || flat == NULL)
		goto out_nomem;
	nflat = 0;
	b.policy_key = ctl_policy_key(b.policy);
	if (b.policy_key == NULL)
		goto out_nomem;

	for (i = 0; i < b.nzones; i++) {
		ctl_zone_info_t *info = &b.zones[i];

		info->origin = strdup(zload_origin(b.raw[i]));
		info->records = zload_rr_count(b.raw[i]);
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
	for (i = 0; i < b.nzones; i++) {
		if (b.zones[i].absent)
			dead[ndead++] = b.zones[i].origin;
		else
			live[nlive++] = b.signed_zones[i] != NULL ? b.signed_zones[i] : b.raw[i];
	}
	opts.edits = zedits;
	opts.nedits = b.nzones;
	opts.absent = dead;
	opts.nabsent = ndead;
	b.zt = zt_new(live, nlive, &opts, err, errlen);
	if (b.zt == NULL) {
		rc = SANDNS_EZONE;
		goto out;
	}
	if (ctl_build_index(&b) != 0)
		goto out_nomem;
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
