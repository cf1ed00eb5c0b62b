/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_pvt.h: what ctl.c shares with ctl_policy.c: the response buffer and the formatters */
#ifndef CTL_PVT_H
#define CTL_PVT_H

#include <stdbool.h>
#include <stddef.h>

#include <pthread.h>
#include <stdint.h>

#include "ctl.h"

enum ctl_kind { CTL_EV_SIGNAL, CTL_EV_LISTEN, CTL_EV_CLIENT, CTL_EV_PROBE, CTL_EV_WATCH };

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
	bool own_path; /* we created cfg->control: remove it at the end */
	struct ctl_client *clients;
	size_t nclients;
	uint64_t refused;	 /* connections refused for their peer credentials */
	uint64_t refused_log_ms; /* when the last refusal was logged */
	struct ctl_client *dead; /* closed during this round of events; freed after it */
	bool stop;
	uint64_t started_ms;
	ctl_stats_fn extra_stats; /* the dataplane's counters, or NULL */
	void *extra_arg;

	/* The published snapshot: only this thread publishes, so it may read it freely. */
	zt_t *current;
	ctl_build_t info; /* what it was built from (its zt is NULL: published) */
	uint64_t loaded_ms;
	unsigned long reloads;
	unsigned long reload_failures;
	bool said_dropped; /* the keep-zones message was logged */

	/* Re-probing tls:// certificate sources (ctl_probe.c). */
	struct ctl_ev probe_ev; /* eventfd: the probe thread is done */
	pthread_t probe_tid;
	bool probing;		/* a probe thread runs (join it on probe_ev) */
	cert_t **probed;	/* its results, per cfg->certs source (NULL: a file or a failure) */
	char **probe_err;	/* and its failures, per source */
	uint64_t next_probe_ms; /* 0: no tls:// source or no interval */
	char *pending_key;	/* decisions a probe saw that differ from those served, or NULL */
	unsigned long probes, probe_flips;

	/* `watch yes`: inotify on the directories of the zone and certificate files (ctl_watch.c).
	 */
	struct ctl_ev watch_ev;
	int *watch_wd; /* per watched directory */
	char **watch_dir;
	size_t nwatch;
	bool *watch_zones;     /* per cfg->zones: changed since the last reload */
	bool watch_certs;      /* a certificate file changed */
	uint64_t watch_due_ms; /* reload then (the files have been quiet); 0: nothing changed */
};

/* Starts the probe of the tls:// sources when it is due (called about once a second). */
void ctl_probe_tick(ctl_t *ctl);
/* The probe thread signalled: joins it and acts on what it found (flip after two agree). */
void ctl_probe_done(ctl_t *ctl);
/* `watch yes`: sets up inotify (nothing without it); SANDNS_EOK or an error with err. */
int ctl_watch_init(ctl_t *ctl, char *err, size_t errlen);
/* inotify says something changed in a watched directory: note which files. */
void ctl_watch_event(ctl_t *ctl);
/* Reloads what changed once the files have been quiet for a moment. */
void ctl_watch_tick(ctl_t *ctl);
void ctl_watch_fini(ctl_t *ctl);

/* Waits for a running probe and frees its results (at exit). */
void ctl_probe_fini(ctl_t *ctl);

/* A growing text buffer; running out of memory is sticky and checked once at the end. */
struct ctl_buf {
	char *p;
	size_t len, cap;
	bool oom;
};

void buf_put(struct ctl_buf *b, const char *s, size_t n);
__attribute__((format(printf, 2, 3))) void buf_printf(struct ctl_buf *b, const char *fmt, ...);
/* S as a JSON string, quotes included. */
void buf_json_str(struct ctl_buf *b, const char *s);

/* LIT must be a string literal (the "" around it refuse anything else at compile time). */
#define BUF_LIT(b, lit) buf_put((b), "" lit "", sizeof(lit) - 1)

/* The mnemonic of the RR types the policy edits (control/ does not link libldns's tables). */
const char *ctl_type_name(uint16_t t, char *buf, size_t len);

/*
 * `policy show [DOMAIN]` for the published build B: the certificates and, per domain, the
 * decisions with their reasons and the edits made. DOMAIN NULL: every domain. False (reason in
 * err) for a domain that is not served.
 */
bool ctl_fmt_policy(const ctl_build_t *b, const char *domain, bool json, struct ctl_buf *out,
		    char *err, size_t errlen);

/*
 * `explain NAME TYPE` against the published snapshot ZT built from B: the answer, the node
 * that produced it, the zone file lines behind each RRset, and the policy's part. False
 * (reason in err) for a name or type that does not parse.
 */
bool ctl_fmt_explain(const ctl_build_t *b, const zt_t *zt, const char *name, const char *type,
		     bool json, struct ctl_buf *out, char *err, size_t errlen);

#endif
