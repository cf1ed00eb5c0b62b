/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl.h: the control thread: builds and publishes snapshots, serves the control socket */
#ifndef CTL_H
#define CTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cert.h"
#include "cfg.h"
#include "dnstap.h"
#include "policy.h"
#include "srv.h"
#include "zsrc.h"
#include "zt.h"

/* One served zone as the control thread remembers it (status, policy show, serials). */
typedef struct ctl_zone_info {
	char *origin;		  /* presentation form with the final dot */
	zsrc_t src;		  /* where it came from (a copy of the configured source) */
	size_t records;		  /* as loaded from its source */
	unsigned long src_serial; /* the SOA serial its source gave (the file's) */
	unsigned long serial;	  /* the SOA serial served: raised when the policy edits the zone */
	char *edits;		  /* the policy's edits, one per line ("" none) */
	uint64_t edits_hash;	  /* of EDITS (FNV-1a): what serial-state remembers of them */
	bool serial_stale; /* what it serves changed since the build before, its serial did not */
	bool absent; /* a secondary zone with nothing to serve (not transferred, expired): SERVFAIL
		      */
	bool dnssec; /* sandns signs it (dnssec, dnssec-signing): the fields below say how */
	int64_t sign_expire; /* when its signatures expire (Unix time) */
	int64_t sign_due;    /* when they are to be renewed (a reload of the zone is queued) */
	uint64_t sign_hash;  /* of the keys and the policy it was signed with */
	uint64_t sign_src;   /* of the zone as read (sign_zone_digest) */
	uint64_t zone_ver;   /* zload_version() of the zone as read: known when it is not kept */
	/* What the version read recorded of its files (NULL: nothing sure), kept when the version
	 * is not (keep-zones): whether they changed since, without it (zload_stamps_unchanged()) */
	zload_stamps_t *stamps;
	/* Not read by this build: the version served before (ZONE_VER) compiled in the snapshot
	 * patched (its raw entry NULL), its files unchanged since (ctl_build.c) */
	bool unread;
	/* What the autodiscover policy read of the zone when it was read (NULL: nothing, or no
	 * policy): answers it again while the zone stays unread (ctl_build.c, pview.h) */
	pview_t *pview;
	/* The records the zone's version read held at the owners the policy's edits may name
	 * (ctl_part.c), kept beside PVIEW (NULL: none, or more than the bound): while the zone
	 * stays unread, a change of its edits is patched from them (ctl_patch.c) */
	zload_zone_t *part;
	/* This build leaves it unread with edits other than those PREV compiled in: patched from
	 * PART (only while UNREAD) */
	bool part_edits;
	/* The policy's edits of it (as EDITS would hold them) that its records refused
	 * (zload_edits_check()), and why: it is served as written (EDITS ""). While its files do
	 * not change and the policy asks the same, it may stay unread (ctl_build.c). NULL: none. */
	char *edits_refused;
	char *refused_why;
	int64_t sign_retry; /* renewal asked for: not again before then (ctl_resign.c) */
	bool sign_fresh;    /* signed by this build: saved to the state directory once published */
	/* A catalog sandns produces: the hash of its members (catz_produce()), which serial-state
	 * keeps so that a restart with the same members serves it at the same serial; 0 else */
	uint64_t catz_hash;
} ctl_zone_info_t;

/*
 * A compiled snapshot not yet published, and what it was built from: the zones as read from
 * their sources (zsrc) and the certificates, as references (zload_ref, cert_ref) shared with the
 * build before it, so that a rebuild re-reads only what changed.
 */
typedef struct ctl_build {
	zt_t *zt;
	ctl_zone_info_t *zones; /* cfg->zones order */
	size_t nzones;
	size_t records; /* over all zones */
	zload_zone_t **raw;
	zload_zone_t **signed_zones; /* per zone: as signed (NULL: not signed by sandns) */
	/* per zone: the signed version the build before served, read back from the state directory
	 * when that build held it no more (keep-zones; ctl_sign.c): what ctl_patch.c compares the
	 * new one with. Freed once the snapshot is made. */
	zload_zone_t **served_signed;
	/* While ctl_build() runs: the snapshot served that it may patch (ctl_rebuild_t.base, with
	 * a PREV), for ctl_sign.c to leave unindexed a signed version that snapshot would not let
	 * be patched anyway (zt_patch_blocked()); NULL otherwise and once built. */
	const zt_t *base;
	cert_t **certs; /* cfg->certs order */
	size_t ncerts;
	bool patched;	      /* ZT was patched from the snapshot served (ctl_patch.c) ... */
	size_t patched_names; /* ... with this many names compiled again ... */
	size_t patched_zones; /* ... and this many zones added, taken out or replaced
			       * (zt_patch_zones) */
	policy_t *policy;     /* NULL: no certificate configured, the policy is off */
	char *policy_key;     /* the decisions in one string, to compare evaluations; "" when off */
	/* zones by origin (ctl_build_index()), so that a build with tens of thousands of zones
	 * finds each in its predecessor at once; NULL: not indexed, ctl_build_find() walks */
	struct origins *by_origin;
	const char **by_origin_names;
	/* Zones whose new edits ZT has patched in from their PART, left unread (ctl_patch.c) */
	size_t patched_unread;
	/* The records the zones' PARTs hold, all told (each at most CTL_PART_RECS_MAX) */
	size_t part_records;
} ctl_build_t;

/* Which certificate sources a rebuild reads again. */
enum ctl_certs {
	CTL_CERTS_KEEP = 0,  /* none: the previous leaves (or the fresh ones given) */
	CTL_CERTS_ALL = 1,   /* files and tls:// endpoints (`policy reload`) */
	CTL_CERTS_FILES = 2, /* files only (a file changed); endpoints keep their leaves */
};

/* What a rebuild reads again; everything else comes from the previous build. */
typedef struct ctl_rebuild {
	bool zones;	      /* read zones from their sources again ... */
	const char *zone;     /* ... only this one (an origin), or every one when NULL ... */
	const bool *zone_set; /* ... but for those false here (per cfg->zones; NULL: none) */
	enum ctl_certs certs; /* which certificate sources to read again */
	cert_t *const *fresh; /* per source, a leaf just probed (NULL: keep the previous) */
	bool preview;	      /* never published (policy check): no alerts logged */
	/* A whole reload (`reload`, SIGHUP): a zone of a master file that PREV holds as read from
	 * the same file, that file and its $INCLUDEs unchanged since (zload_files_unchanged()),
	 * is not read again. Otherwise every zone asked for is read. */
	bool keep_unchanged;
	/* Per cfg->zones (or NULL): a zone in memory served in place of reading its source when
	 * it is read again (a secondary zone's version the transfer thread holds: xfrin_copy) */
	zload_zone_t *const *given;
	/* The snapshot served (PREV's), when the reload may patch it rather than compile every
	 * zone (ctl_patch.c): the reload thread's own builds on the configuration in force. */
	const zt_t *base;
	/* The reload ctl_catz_tick() queues: when it fails before its publish, the consumer
	 * catalogs then due count it as one of their tries (ctl_catz_unpublished()). */
	bool catz_retry;
} ctl_rebuild_t;

/*
 * Builds a snapshot into OUT without publishing: the zones and certificates WHAT asks for are
 * read again (all of them when PREV is NULL; WHAT NULL: every zone), the policy is
 * evaluated over them and applied to the zone data with the serials raised
 * (docs/autodiscover-policy.md), and the result compiled (zt_new). A tls:// endpoint that does not
 * answer keeps the leaf it had (with a warning); a certificate file that cannot be read fails the
 * build. Warnings are logged. On failure returns SANDNS_EZONE, SANDNS_ECONFIG or -ENOMEM, OUT stays
 * empty and err holds the reason: "file:line: reason" for a zone, "SOURCE: reason" for a
 * certificate. PREV is only read.
 */
int ctl_build(const cfg_t *cfg, const ctl_build_t *prev, const ctl_rebuild_t *what,
	      ctl_build_t *out, char *err, size_t errlen);

/* The snapshot's settings CFG gives (edits and absent zones aside): what ctl_build() starts from.
 */
void ctl_build_opts(const cfg_t *cfg, zt_opts_t *opts);

/*
 * Sets serial_stale on each zone of B (built from PREV, whose snapshot is PREV_ZT) that serves
 * other records than PREV_ZT did while its file's serial and the served one stayed the same:
 * secondaries would never ask for the change. Only zones read again or edited otherwise are
 * compared (their transfers, rendered from both snapshots).
 */
void ctl_build_check_serials(const ctl_build_t *prev, const zt_t *prev_zt, ctl_build_t *b);

/*
 * ctl_patch.c: B's snapshot (B built on PREV, OPTS what zt_new() would get, its edits B's zones')
 * made from BASE, PREV's snapshot: zt_patch() of each zone whose data alone changed (their
 * names from zload_changes()), then zt_patch_zones() for the zones B adds (not in PREV, by
 * origin), those BASE serves that B has no more, and those replaced whole (changed, PREV's
 * version not kept: nothing to compare), when nothing else did: the same settings, edits and
 * policy, no zone sandns signs comes or goes, one it signs that changed signed with NSEC with the
 * same keys and policy (its signed versions compared and patched in), at most a few zones;
 * nothing changed at all, a snapshot of B's own sharing every zone of BASE. 0 with *OUT,
 * B->patched, B->patched_names and B->patched_zones set; ZT_PATCH_FULL with the reason in WHY
 * (compile with zt_new()); or the patch's error with the reason in ERR.
 */
int ctl_patch(const cfg_t *cfg, const ctl_build_t *prev, const zt_t *base, ctl_build_t *b,
	      const zt_opts_t *opts, zt_t **out, char *why, size_t whylen, char *err,
	      size_t errlen);

/*
 * Whether a probe's decisions SEEN replace the SERVED ones (docs/autodiscover-policy.md: a decision
 * flips only after two consistent evaluations). *PENDING holds what an earlier probe saw (or NULL)
 * and is updated: SAME (nothing to do), WAIT (seen once, kept in *PENDING), APPLY (seen twice).
 */
enum ctl_flip { CTL_FLIP_SAME, CTL_FLIP_WAIT, CTL_FLIP_APPLY };
enum ctl_flip ctl_flip(const char *served, char **pending, const char *seen);

/*
 * Drops the zones as read from B (not its snapshot) when CFG's keep-zones says so for their
 * size: later builds and `explain` read the zones from their sources again. Returns whether they
 * were dropped.
 */
bool ctl_build_drop_zones(const cfg_t *cfg, ctl_build_t *b);
/* Whether CFG's keep-zones keeps the zones as read of B (ctl_build_drop_zones() keeps them). */
bool ctl_build_keeps_zones(const cfg_t *cfg, const ctl_build_t *b);
/* The records in all above which keep-zones auto keeps no zone (CFG_KEEP_AUTO_RECORDS; tests
 * lower it). */
extern size_t ctl_keep_auto_records;

/*
 * Writes the serials B serves to the serial state (state-dir's file, or serial-state's). Called
 * just before B is published, so that no serial is served or NOTIFYed before it is on disk; a
 * build that is thrown away (a probe waiting for a second) leaves no trace. SANDNS_EOK (also
 * when no state is kept), or the error with the file and the reason in ERR: B must then not be
 * published (ctl_publish()).
 */
int ctl_build_save_serials(const cfg_t *cfg, const ctl_build_t *b, char *err, size_t errlen);

/* Frees what a build holds (a snapshot not published too); leaves it empty. */
void ctl_build_clear(ctl_build_t *b);

/* ctl_find.c: indexes B's zones by origin (again, if it was); 0 or -ENOMEM (B unindexed). */
int ctl_build_index(ctl_build_t *b);

/* Drops B's index (the zones stay). */
void ctl_build_index_free(ctl_build_t *b);

/*
 * The zone of B (NULL: none) whose origin is ORIGIN, case and a final dot aside: through the
 * index when B has one, else one pass. NULL when there is none.
 */
ctl_zone_info_t *ctl_build_find(const ctl_build_t *b, const char *origin);

/* The decisions of P as one comparable string (malloc'd; "" for NULL), or NULL without memory. */
char *ctl_policy_key(const policy_t *p);

typedef struct ctl ctl_t;

/*
 * The control thread's state: blocks SIGINT, SIGTERM and SIGHUP in the calling thread (call it
 * before srv_start, so the serving threads inherit the mask) and reads them with a signalfd;
 * binds the control socket if cfg->control is set (mode 0600; a stale socket is replaced, a
 * live one is an error). CFG and SRV must outlive it. NULL on failure, with the reason in err.
 */
ctl_t *ctl_new(const cfg_t *cfg, srv_t *srv, char *err, size_t errlen);

/*
 * In the child, after sandnsd forked into the background: watches the signalfd again. epoll
 * hears a signalfd through the signal queue of the process that added it, the parent's, so
 * SIGTERM and SIGHUP sent to the child would otherwise never wake the control loop.
 */
int ctl_after_fork(ctl_t *ctl, char *err, size_t errlen);

/*
 * Publishes the snapshot of B (taking it over and leaving B empty), waits for the grace period
 * and frees the previous one. One thread publishes: the control thread until ctl_run() starts
 * the reload thread (ctl_reload.c), that one from then on. When B's serials cannot be written
 * to the serial state (ctl_build_save_serials()), nothing is published: B is freed (and a
 * configuration waiting in cfg_next with it), the snapshot served stays, and the error (the
 * file and the reason) is returned in ERR. SANDNS_EOK once published.
 */
int ctl_publish(ctl_t *ctl, ctl_build_t *b, char *err, size_t errlen);

/*
 * ctl_publish() without ctl_drop_zones(): at start-up, so that freeing a large zone as read
 * (a tenth of a second for a million records) comes after the first answer, not before;
 * ctl_run() drops them when it starts.
 */
int ctl_publish_first(ctl_t *ctl, ctl_build_t *b, char *err, size_t errlen);

/*
 * Rebuilds what WHAT says (NULL: every zone) and publishes the result, on the publishing thread
 * (ctl_publish). If anything fails the served snapshot stays and err holds the reason; a build
 * that ends once the reload thread is told to stop is dropped, not published. Returns
 * SANDNS_EOK or the error.
 */
int ctl_reload(ctl_t *ctl, const ctl_rebuild_t *what, char *err, size_t errlen);

/*
 * Starts the thread that sends NOTIFY to the secondaries (notify lines): call it once sandnsd
 * answers, after the fork. The NOTIFYs of the first publish wait for it. SANDNS_EOK or an error.
 */
int ctl_start_notify(ctl_t *ctl, char *err, size_t errlen);

/*
 * sandnsd's command line (copied; a relative --config made absolute): `reload` and SIGHUP read
 * the configuration again as it says. Without it, or without --config, they read the zones
 * again only. SANDNS_EOK or -ENOMEM.
 */
int ctl_set_args(ctl_t *ctl, int argc, char *const argv[]);

/* Serves signals and the control socket until SIGINT, SIGTERM or a `stop` request. */
void ctl_run(ctl_t *ctl);

/*
 * Answers one request line (without its newline) as the control socket would: the full
 * response, status line to final ".", appended to *out (malloc'd, *outlen bytes). Sets *stop
 * when the daemon must stop. Returns SANDNS_EOK or -ENOMEM. Exposed for tests.
 */
int ctl_handle_line(ctl_t *ctl, const char *line, char **out, size_t *outlen, bool *stop);

/*
 * As ctl_handle_line, for a request of LEN bytes as it came (REQ[LEN] is a NUL): one that holds
 * a NUL byte is no request and is refused, in JSON when it begins with "json". Exposed for tests.
 */
int ctl_handle_request(ctl_t *ctl, const char *req, size_t len, char **out, size_t *outlen,
		       bool *stop);

/*
 * Counters kept outside control/ (the dataplane's workers): FN writes them into BUF (LEN bytes)
 * and returns the length written. Text: whole lines "NAME: key=value ...\n"; JSON: one value
 * that `stats --json` shows as "dataplane". Called on the control thread for each request.
 */
typedef size_t (*ctl_stats_fn)(void *arg, bool json, char *buf, size_t len);
void ctl_set_extra_stats(ctl_t *ctl, ctl_stats_fn fn, void *arg);

/*
 * UDP answers made outside control/ (the dataplane's workers): FN writes their counters (enum
 * dgram_stat) into OUT, and `status` counts them with the kernel sockets'. Control thread.
 */
typedef void (*ctl_dgram_fn)(void *arg, uint64_t out[DGRAM_STAT_COUNT]);
void ctl_set_extra_dgram(ctl_t *ctl, ctl_dgram_fn fn, void *arg);

/* The query log whose counters `stats` shows (dnstap-queued, dnstap-dropped); NULL: none. */
void ctl_set_dnstap(ctl_t *ctl, const dnstap_t *tap);

/*
 * The metrics endpoint (NULL: none) and where the counters are (SRC, copied: the DPDK workers'
 * too), for /metrics and the breakdowns of `stats`. Before the first publish.
 */
struct metrics;
struct metrics_src;
void ctl_set_metrics(ctl_t *ctl, struct metrics *server, const struct metrics_src *src);

/* Closes the control socket (removing its path) and frees *ctl; the published snapshot stays. */
void ctl_free(ctl_t **ctl);

#endif
