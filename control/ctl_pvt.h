/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_pvt.h: the control thread's state and what its files (ctl_*.c) give each other */
#ifndef CTL_PVT_H
#define CTL_PVT_H

#include <stdbool.h>
#include <stddef.h>

#include <pthread.h>
#include <stdint.h>
#include <sys/types.h>

#include "buf.h"
#include "ctl.h"
#include "dnstap.h"
#include "notify.h"

enum ctl_kind {
	CTL_EV_SIGNAL,
	CTL_EV_LISTEN,
	CTL_EV_CLIENT,
	CTL_EV_PROBE,
	CTL_EV_WATCH,
	CTL_EV_XFRIN,
	CTL_EV_RELOAD,
};

/*
 * A client whose reply a reload thread's job gives (ctl_reload.c): this thread's own list, so
 * that the reload thread never sees a client. The reply comes back tagged with ID.
 */
/* Control clients at once (ctl_client.c). */
#define CTL_CLIENTS_MAX 256
/*
 * Of them, clients waiting for a reload's reply at most (ctl_reload.c): the rest stay free, so
 * that `status` and `stop` always get in while reloads queue.
 */
#define CTL_WAITERS_MAX (CTL_CLIENTS_MAX - 16)

struct ctl_waiter {
	uint64_t id;
	struct ctl_client *c; /* NULL: it went away (the reload goes on, its reply is dropped) */
	struct ctl_waiter *next;
};

struct ctl_ev {
	enum ctl_kind kind;
	int fd;
};

struct ctl {
	const cfg_t *cfg;
	srv_t *srv;
	int ep;
	struct ctl_ev sig_ev;
	struct ctl_ev listen_ev;
	bool own_path;	 /* we bound cfg->control: remove it at the end if it is still ours */
	int lock_fd;	 /* cfg->control + ".lock", flock held for the daemon's life; or -1 */
	char *sock_path; /* cfg->control made absolute (we chdir when going to the background) */
	dev_t sock_dev;	 /* the socket file we bound */
	ino_t sock_ino;
	struct ctl_client *clients;
	size_t nclients;
	uint64_t refused;	      /* connections refused for their peer credentials */
	uint64_t refused_log_ms;      /* when the last refusal was logged */
	uint64_t accept_failed;	      /* accept() short of descriptors or memory */
	uint64_t accept_fail_log_ms;  /* when that was last logged */
	uint64_t listen_paused_until; /* the listener is out of epoll until then; 0: it is in */
	uint64_t listen_pause_ms;     /* the next pause */
	struct ctl_client *dead;      /* closed during this round of events; freed after it */
	bool stop;
	uint64_t started_ms;
	ctl_stats_fn extra_stats; /* the dataplane's counters, or NULL */
	void *extra_arg;
	ctl_dgram_fn extra_dgram; /* the dataplane's UDP answering counters, or NULL */
	void *extra_dgram_arg;
	const dnstap_t *tap; /* the query log, for `stats`; NULL: none */

	/*
	 * The published snapshot. One thread publishes: this one until ctl_run() starts the reload
	 * thread (ctl_reload.c), that one from then on, which reads them freely and changes them
	 * (and the counters reloads, reload_failures, probe_flips) only under PUB_MU. This thread
	 * holds PUB_MU over each round of events (ctl_run), so what it reads stays put meanwhile;
	 * it never changes them itself.
	 */
	pthread_mutex_t pub_mu;
	zt_t *current;
	ctl_build_t info; /* what it was built from (its zt is NULL: published) */
	uint64_t loaded_ms;
	unsigned long reloads;
	unsigned long reload_failures;
	/* Snapshots published by reloads: patched from the one served (ctl_patch.c), or whole. */
	unsigned long builds_patched, builds_full;
	bool said_dropped; /* the keep-zones message was logged */
	/* ctl_metrics.c: what /metrics and the breakdowns of `stats` need of this thread. */
	struct ctl_metrics *metrics;

	/*
	 * Fetching the tls:// certificate sources, off this thread (ctl_probe.c): on an interval
	 * (a re-probe), and for a `policy reload` (whose reply waits for it, not this thread).
	 * One fetch at a time; the reload's starts when a re-probe running is done.
	 */
	struct ctl_ev probe_ev; /* eventfd: the fetch thread is done */
	pthread_t probe_tid;
	bool probing;		 /* a fetch thread runs (join it on probe_ev) */
	struct ctl_fetch *fetch; /* what it shares with this thread (ctl_probe.c) */
	cert_t **probed;     /* its results, per cfg->certs source (NULL: a file or a failure) */
	char **probe_err;    /* and its failures, per source */
	bool reload_pending; /* a `policy reload` waits for its fetch */
	bool reload_json;    /* ... and answers in JSON */
	struct ctl_client *reload_client; /* ... to this client (NULL: it went away) */
	bool defer_ok;			  /* set around a control client's request: ... */
	bool deferred;		/* ... its handler may say here that the reply comes later */
	uint64_t next_probe_ms; /* 0: no tls:// source or no interval */
	char *
	    pending_key; /* decisions a probe saw that differ from those served, or NULL (pub_mu) */
	unsigned long probes, probe_flips;

	/* `policy check`, `lookup --cert`: one preview build at a time, never published. */
	struct ctl_preview *preview;

	/* `watch yes`: inotify on the directories of the zone and certificate files (ctl_watch.c).
	 */
	struct ctl_ev watch_ev;
	notify_t *notify; /* NOTIFY out: its thread and targets (notify.c) */
	int *watch_wd;	  /* per watched directory */
	char **watch_dir;
	size_t nwatch;
	bool *watch_zones;     /* per cfg->zones: changed since the last reload */
	bool watch_certs;      /* a certificate file changed */
	uint64_t watch_due_ms; /* reload then (the files have been quiet); 0: nothing changed */

	/* Secondary zones (ctl_xfrin.c): the transfer thread asks for reloads on xfrin_ev. */
	struct xfrin *xfrin;
	struct ctl_ev xfrin_ev;

	/* The reload thread (ctl_reload.c); NULL: not running, reloads run on this thread. */
	struct ctl_rl *rl;
	struct ctl_ev rl_ev; /* eventfd: replies of its jobs are ready (ctl_reload_replies) */
	bool rl_stop;	     /* atomic: stopping, a build that ends is dropped (ctl_reload) */
	struct ctl_waiter *waiters;	 /* this thread's: clients waiting for a job's reply */
	struct ctl_waiter *defer_waiter; /* a handler deferred its reply to this waiter */
	uint64_t waiter_ids;

	/*
	 * The configuration read again (`reload`, SIGHUP: ctl_conf.c, ctl_cfgswap.c). CFG above is
	 * the one in force: the control thread reads it during its rounds (under PUB_MU), the
	 * publisher swaps it under PUB_MU together with the snapshot built from it. CFG_BOOT is
	 * sandnsd's own (never freed here); the others are this object's.
	 */
	const cfg_t *cfg_boot;
	cfg_t *cfg_next;	     /* the publisher's: the next publish switches to it */
	struct ctl_cfg_old *cfg_old; /* replaced ones, freed once no queued job indexes them */
	char **argv;		     /* sandnsd's command line, --config made absolute */
	int argc;
	bool has_config; /* it names a configuration file: `reload` reads it again */
	/* Consumer catalogs: the serial of each last read (ctl_catz.c; the publisher's). */
	struct ctl_catz_seen *catz_seen;
	size_t ncatz_seen;
	/* atomic: when a catalog whose members failed is due again (clock_now_ms(); 0: none),
	 * the publisher's word to the control thread's ctl_catz_tick() */
	uint64_t catz_retry_at;
};

/*
 * ctl_catz.c: the members of the consumer catalogs of CUR (but catalog EXCEPT's; NULL: none)
 * added to NEXT (read, not yet checked) where NEXT still has the catalog and no zone of that
 * name: a configuration read again keeps the members the catalogs gave. SANDNS_EOK or -ENOMEM.
 */
int ctl_catz_carry(const cfg_t *cur, cfg_t *next, const char *except);
/*
 * ctl_catz.c, the publisher after a publish: each consumer catalog served with a serial not
 * read yet is read; members added or removed switch the configuration (ctl_reload_cfg), only
 * the new members read. A broken catalog keeps the members it had (logged). One that could not
 * be read, or whose members could not be applied, is read again at a later publish (ctl_catz_tick
 * below) without waiting for a new serial.
 */
void ctl_catz_update(ctl_t *ctl);
void ctl_catz_free(ctl_t *ctl);
/*
 * ctl_catz.c, the control thread's round: a catalog whose members could not be read or applied
 * is due again (ctl_catz_update, at most CTL_CATZ_TRIES times per serial, the first wait
 * ctl_catz_retry_ms, each next one twice the last): a reload that reads nothing is queued, whose
 * publish tries it again.
 */
void ctl_catz_tick(ctl_t *ctl);
/*
 * ctl_catz.c, the publisher after the reload ctl_catz_tick() queued failed before its publish
 * (ctl_catz_update not called): a catalog served and due again counts the failure as one of its
 * tries and is scheduled again, else nothing would, the tick having handed its due time to that
 * reload, until some other publish succeeds.
 */
void ctl_catz_unpublished(ctl_t *ctl);
#define CTL_CATZ_TRIES 5
#define CTL_CATZ_RETRY_MS 30000
extern uint64_t ctl_catz_retry_ms;     /* CTL_CATZ_RETRY_MS; tests lower it */
extern unsigned ctl_catz_fail_applies; /* tests: the next N applies fail as a failed reload */

/* A configuration replaced (ctl_cfgswap.c). */
struct ctl_cfg_old {
	cfg_t *cfg;
	struct ctl_cfg_old *next;
};

/*
 * ctl_conf.c: the configuration read again as sandnsd's command line says, checked, with the
 * settings only a restart changes kept as they are (each that differs said in WARN: "warning:
 * KEY changed: restart sandnsd to apply"). NULL with "FILE:LINE: reason" in ERR when it does
 * not parse or check; NULL with ERR "" when sandnsd was started without a configuration file, or
 * when what it configures is what runs (cfg_same_running(); WARN may still say something).
 */
cfg_t *ctl_conf_read(ctl_t *ctl, char *warn, size_t wlen, char *err, size_t errlen);

/*
 * ctl_cfgswap.c: MAP, PREV (the published build) seen through configuration NEXT: per zone of
 * NEXT, what PREV served under its origin (its zone as read only when the source is the same),
 * so that ctl_build(NEXT, MAP, ...) reads only what is new. Shallow: freed with
 * ctl_cfg_prev_unmap(). SANDNS_EOK or -ENOMEM.
 */
int ctl_cfg_prev_map(const cfg_t *next, const ctl_build_t *prev, ctl_build_t *map);
void ctl_cfg_prev_unmap(ctl_build_t *map);
/*
 * ctl_cfgswap.c, the publisher under PUB_MU once INFO is the build made from CFG_NEXT: CFG
 * becomes CFG_NEXT for every thread (serving threads' keys and ACLs, the transfer thread's
 * zones, the NOTIFY targets, the watch); the one replaced waits in CFG_OLD.
 */
void ctl_cfg_switch(ctl_t *ctl);
/* ctl_cfgswap.c: frees the replaced configurations but KEEP (NULL: all of them). */
void ctl_cfg_reap(ctl_t *ctl, const cfg_t *keep);
/*
 * ctl_pub.c: a reload with configuration NEXT (taken over: switched to, or freed on failure):
 * what WHAT asks is read again, the zones NEXT adds read, those it drops gone.
 */
int ctl_reload_cfg(ctl_t *ctl, cfg_t *next, const ctl_rebuild_t *what, char *err, size_t errlen);

/*
 * What the watch wants done. It never reloads itself: it hands this back to the control loop
 * (ctl.c), which has the reload thread do it and log DONE (or FAILED and the reason).
 */
enum ctl_want {
	CTL_WANT_NOTHING = 0,
	CTL_WANT_RELOAD, /* rebuild what WHAT says and publish: files changed */
};

typedef struct ctl_todo {
	enum ctl_want want;
	ctl_rebuild_t what; /* CTL_WANT_RELOAD */
	int level;	    /* syslog level of DONE */
	char done[640];	    /* logged once done ("" nothing) */
	const char *failed; /* CTL_WANT_RELOAD failed: logged with the reason */
} ctl_todo_t;

/* ctl_probe.c: starts the probe of the tls:// sources when it is due (about once a second). */
void ctl_probe_tick(ctl_t *ctl);
/*
 * The probe thread signalled: joins it and hands the leaves it fetched to the reload thread
 * (ctl_reload_probe), or the `policy reload` waiting for them its reload.
 */
void ctl_probe_done(ctl_t *ctl);
/* Stops a running fetch (at once, or leaves the thread to end alone) and frees all (at exit). */
void ctl_probe_fini(ctl_t *ctl);

/*
 * ctl_preview.c: `policy check --cert FILE... [--zone D]` (ARGV: the words after the command):
 * the policy evaluated with the files in place of the configured certificates, shown against
 * what is served, into OUT. False with the reason in ERR for a file that cannot be read or
 * parsed, a tls:// source, an unknown zone; also for a certificate outside its validity
 * period, and then *KEEP_BODY says OUT holds the preview all the same.
 */
bool ctl_preview_check(ctl_t *ctl, const char *const *argv, size_t argc, bool json, buf_t *out,
		       char *err, size_t errlen, bool *keep_body);
/*
 * The snapshot the served one would become with FILE in place of the configured certificates,
 * for `lookup --cert FILE`: kept (one at a time) while FILE and the served snapshot stay the
 * same; NULL with the reason in ERR.
 */
const zt_t *ctl_preview_zt(ctl_t *ctl, const char *file, char *err, size_t errlen);
/*
 * The first certificate of B outside its validity period, said into ERR ("certificate X is
 * expired (not after T): clients will refuse it; ..."); false when every one is valid now.
 */
bool ctl_cert_validity_problem(const ctl_build_t *b, char *err, size_t errlen);
/* Frees the preview once it has not been used for a while (called about once a second). */
void ctl_preview_tick(ctl_t *ctl);
/* Frees the preview (at exit). */
void ctl_preview_free(ctl_t *ctl);

/*
 * ctl_policy.c: a certificate and a decision as `policy show` prints them (text, or a JSON
 * object preceded by a comma unless FIRST).
 */
void ctl_fmt_cert(const cert_t *c, bool json, bool first, buf_t *out);
void ctl_fmt_decision(const policy_t *p, size_t i, bool json, bool first, buf_t *out);
const char *ctl_family_name(enum policy_family f);

/* ctl_watch.c: `watch yes`: sets up inotify (nothing without it); SANDNS_EOK or an error. */
int ctl_watch_init(ctl_t *ctl, char *err, size_t errlen);
/* inotify says something changed in a watched directory: note which files. */
void ctl_watch_event(ctl_t *ctl);
/* Once the files have been quiet for a moment: what changed, in TODO, to be reloaded. */
void ctl_watch_tick(ctl_t *ctl, ctl_todo_t *todo);
void ctl_watch_fini(ctl_t *ctl);

/*
 * ctl_xfrin.c: secondary zones. Init: the transfer thread's state, its event in epoll, the
 * NOTIFY hook of the UDP workers (before they start). Start (in ctl_run, after the fork): seeds
 * it with what the first build serves, then starts it. Event: reloads the zones it asks for.
 */
int ctl_xfrin_init(ctl_t *ctl, char *err, size_t errlen);
void ctl_xfrin_start(ctl_t *ctl);
void ctl_xfrin_event(ctl_t *ctl);
void ctl_xfrin_fini(ctl_t *ctl);
/* `zone-status [ZONE]` into B; false (reason in err) for a zone not served. */
bool ctl_zone_status(ctl_t *ctl, const char *zone, bool json, buf_t *b, char *err, size_t errlen);
/* `zone-refresh ZONE` / `zone-retransfer ZONE`: false (reason in err) for no secondary zone. */
bool ctl_zone_refresh(ctl_t *ctl, const char *zone, bool axfr, char *err, size_t errlen);

/* Said (log, reload result) of a zone whose records changed but not its serial: origin, serial. */
#define CTL_STALE_SERIAL_FMT                                                                       \
	"%s: zone file changed but its serial %lu did not; secondaries will not see the change"

/*
 * ctl_pub.c: pub_mu taken (and let go) by the reload thread around what the control thread reads
 * of the published state (and pending_key); nothing while that thread does not run.
 */
void ctl_pub_lock(ctl_t *ctl);
void ctl_pub_unlock(ctl_t *ctl);
/* ctl_pub.c: adds one to COUNTER (a field of CTL read by `status`) as a publish changes it. */
void ctl_pub_count(ctl_t *ctl, unsigned long *counter);
/*
 * ctl_journals.c, at start once the catalogs' members are added: the IXFR journals in CFG's
 * state directory that no zone of CFG or of B (what is served) owns removed, logged: those of
 * zones gone from the configuration while sandnsd was down (a publish that drops a zone removes
 * its journal then). Only regular files named as journals that begin with a journal's header
 * (and every ".journal.new", a rewrite a crash cut short). Nothing is removed while a catalog
 * member's copy is there that no zone configured reads (logged): its journal may be wanted.
 * Before that, the members' copies whose label file names a catalog no longer consumed are
 * removed with their labels (logged).
 */
void ctl_journals_sweep(const cfg_t *cfg, const ctl_build_t *b);
/* ctl_pub.c: frees the zones as read when keep-zones says not to keep them (logged once). */
void ctl_drop_zones(ctl_t *ctl);
/*
 * ctl_pub.c: NOTIFY zone ORIGIN's targets with the SOA the published snapshot serves (SERIAL);
 * never waits (the notify thread sends). Returns how many targets there are (0: none).
 */
size_t ctl_notify_zone(ctl_t *ctl, const char *origin, unsigned long serial);

/*
 * ctl_client.c: binds the control socket PATH (mode 0600); its fd, or -errno with err set.
 * PATH.lock decides who owns PATH: without its flock, another sandnsd runs (refused, its pid
 * said); with it, a socket left at PATH is stale and replaced.
 */
int ctl_bind(ctl_t *ctl, const char *path, char *err, size_t errlen);
/* Writes this process's pid into the lock file (again after the fork into the background). */
void ctl_lock_note_pid(ctl_t *ctl);
/* At exit: removes the socket file if it is still the one bound, then lets the lock go. */
void ctl_unbind(ctl_t *ctl);
/* Takes on the clients waiting on the listening socket (peer credentials checked). */
void ctl_accept(ctl_t *ctl);
/*
 * Puts the listener back into epoll once a pause after a failed accept is over; returns
 * TIMEOUT (ms), shortened to the end of a pause still running.
 */
int ctl_accept_tick(ctl_t *ctl, int timeout);
/* Moves the client of EV along: its reply out, its next request in and answered. */
void ctl_client_io(ctl_t *ctl, struct ctl_ev *ev);
/* Closes the clients idle too long and frees those closed during this round. */
void ctl_clients_expire(ctl_t *ctl);
/*
 * The reply to client C's request whose handler deferred it (ctl->deferred): OUT (malloc'd, LEN
 * bytes, taken over; NULL: out of memory) goes out and C's next request is read. C NULL (the
 * client went away meanwhile): OUT is freed.
 */
void ctl_client_answer(ctl_t *ctl, struct ctl_client *c, char *out, size_t len);
/* Frees the clients closed during this round of events. */
void ctl_clients_free_dead(ctl_t *ctl);
/* At exit: what is left of their replies goes out if it can, and every client is closed. */
void ctl_clients_close(ctl_t *ctl);

/* ctl_stats.c: `status` and `stats` (text, or one JSON document) appended to B. */
void ctl_cmd_status(ctl_t *ctl, bool json, buf_t *b);
void ctl_cmd_stats(ctl_t *ctl, bool json, buf_t *b);

/*
 * ctl_reload.c: the reload thread. It compiles, diffs and publishes what is asked of it while
 * this thread goes on answering; requests that arrive while it works are merged (the union of
 * what they read again) and run once after it. Start (ctl_run, after the fork): SANDNS_EOK or
 * an error (reloads then stay on this thread). Stop: ends it, its build dropped if one runs.
 */
int ctl_reload_start(ctl_t *ctl, char *err, size_t errlen);
void ctl_reload_stop(ctl_t *ctl);
/* Frees what the thread left (its last replies, the waiters) at exit. */
void ctl_reload_free(ctl_t *ctl);

/* What a client asked for: its reply is worded after it (ctl_reload_job.c). */
enum ctl_ask_kind { CTL_ASK_RELOAD, CTL_ASK_POLICY };

/*
 * A client's `reload [ZONE]` (ZONE NULL: every zone) or `policy reload` (FRESH: per source,
 * the leaves just fetched, NULL: none). With the thread running, the reply is deferred to a
 * new waiter (ctl->defer_waiter; its client set by the caller) and *DEFERRED set; without it
 * the reload runs here and its reply goes into BODY, or ERR (with *KEEP_BODY) on failure.
 */
void ctl_reload_ask(ctl_t *ctl, enum ctl_ask_kind kind, const char *zone, bool json,
		    cert_t *const *fresh, bool *deferred, buf_t *body, char *err, size_t errlen,
		    bool *keep_body);
/* SIGHUP, or the watch (WHAT, logging DONE at LEVEL or FAILED: the reason): a reload to run. */
void ctl_reload_sighup(ctl_t *ctl);
void ctl_reload_watch(ctl_t *ctl, const ctl_rebuild_t *what, int level, const char *done,
		      const char *failed);
/* The transfer thread brought zone I (of cfg->zones): a reload of it, then xfrin_reloaded(). */
void ctl_reload_xfrin(ctl_t *ctl, size_t zone);
/*
 * Control thread: zones the transfer thread flagged before the reload thread ran are that
 * thread's to take (it takes them itself: xfrin_take_reloads); false when it does not run.
 */
bool ctl_reload_xfrin_due(ctl_t *ctl);
/* A probe's leaves (per cfg->certs, NULL where it failed; referenced, not taken over). */
void ctl_reload_probe(ctl_t *ctl, cert_t *const *probed);
/* Whether a reload (or a probe's rebuild) runs now; *WAITING: requests merged for the next. */
bool ctl_reload_busy(ctl_t *ctl, unsigned *waiting);
/* Replies of finished jobs: takes the next one (false: none left); *OUT malloc'd, or NULL. */
bool ctl_reload_reply(ctl_t *ctl, uint64_t *id, char **out, size_t *outlen);

/* ctl_frame.c: a reply framed (status line, dot-stuffed BODY, "."): ERR NULL for "ok". */
void ctl_frame(buf_t *out, const char *error, const buf_t *body);
/*
 * A request's reply framed into *OUT (malloc'd, *OUTLEN bytes): BODY, or the error ERR ("" none)
 * with BODY replaced (unless KEEP_BODY) by {"ok":false,...} in JSON or FAILED (NULL: nothing)
 * in text. Frees BODY's memory. SANDNS_EOK or -ENOMEM.
 */
int ctl_frame_reply(bool json, const char *err, bool keep_body, const char *failed, buf_t *body,
		    char **out, size_t *outlen);

/* The text body of a failed `reload`. */
#define CTL_RELOAD_FAILED_BODY "the previous snapshot is still served\n"

/* ctl_cmd.c: the handlers of the commands in ctl_cmds[], by name (for the unit test). */
size_t ctl_handler_count(void);
const char *ctl_handler_name(size_t i);
bool ctl_handler_exists(const char *name);

/*
 * `policy show [DOMAIN]` for the published build B: the certificates and, per domain, the
 * decisions with their reasons and the edits made. DOMAIN NULL: every domain. False (reason in
 * err) for a domain that is not served.
 */
bool ctl_fmt_policy(const ctl_build_t *b, const char *domain, bool json, buf_t *out, char *err,
		    size_t errlen);

/*
 * `explain NAME TYPE` against the published snapshot ZT built from B: the answer, the node
 * that produced it, the zone file lines behind each RRset, and the policy's part. False
 * (reason in err) for a name or type that does not parse.
 */
bool ctl_fmt_explain(const ctl_build_t *b, const zt_t *zt, const char *name, const char *type,
		     bool json, buf_t *out, char *err, size_t errlen);

/*
 * ctl_metrics.c: after each publish, what /metrics shows of the snapshot (update); after each
 * reload, its time and result too (reloaded); the breakdowns `stats` appends; freed with ctl.
 */
void ctl_metrics_update(ctl_t *ctl);
void ctl_metrics_reloaded(ctl_t *ctl, bool ok);
void ctl_metrics_stats(ctl_t *ctl, bool json, buf_t *b);
void ctl_metrics_free(ctl_t *ctl);

#endif
