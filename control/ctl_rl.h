/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_rl.h: the reload thread's jobs, as ctl_reload.c merges them and ctl_reload_job.c runs them */
#ifndef CTL_RL_H
#define CTL_RL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ctl_pvt.h"

/* A client's request inside a job; OUT its framed reply once the job ran (NULL: no memory). */
struct ctl_rl_ask {
	uint64_t id; /* its waiter's (struct ctl_waiter) */
	enum ctl_ask_kind kind;
	bool json;
	char *zone; /* `reload ZONE`: as the client wrote it (NULL: every zone) */
	char *out;
	size_t len;
	struct ctl_rl_ask *next;
};

/* A line logged once the job ran: DONE at LEVEL, or FAILED with the reason (the watch). */
struct ctl_rl_note {
	int level;
	char *done;
	char *failed;
	struct ctl_rl_note *next;
};

/*
 * What one reload does: the union of the requests merged into it. Zones: every one, or those
 * set in ZONES; certificates: the most any request asked for, with the newest fetched leaves.
 */
struct ctl_rl_job {
	const cfg_t *cfg; /* the configuration ZONES and XFRIN index (ctl_rl_job_remap) */
	cfg_t *newcfg; /* `reload`, SIGHUP: the configuration read again, to switch to; or NULL */
	char *warn;    /* ... what of it needs a restart ("warning: ..." lines), or NULL */
	bool zones_all;
	bool *zones; /* per cfg->zones: read again */
	enum ctl_certs certs;
	cert_t **fresh; /* per cfg->certs: a referenced leaf just fetched, or NULL */
	bool policy;	/* a `policy reload` is among them: a flip pending is forgotten */
	bool *xfrin;	/* per cfg->zones: a transfer whose outcome the transfer thread awaits */
	unsigned sighups;
	bool catz_retry; /* ctl_catz_tick()'s reload is among them (ctl_rebuild_t.catz_retry) */
	struct ctl_rl_note *notes, **notes_tail;
	struct ctl_rl_ask *asks, **asks_tail;
};

/*
 * ctl_reload_job.c: JOB's ZONES and XFRIN made to index ctl->cfg (by origin) when they index
 * another (a configuration switched meanwhile). False without memory (then every zone).
 */
bool ctl_rl_job_remap(ctl_t *ctl, struct ctl_rl_job *job);

/*
 * ctl_reload_job.c: runs JOB (the reload, then its logs, the transfer thread told, and each
 * ask's reply framed into its OUT). Returns the reload's SANDNS_EOK or error (reason in ERR).
 */
int ctl_rl_job_run(ctl_t *ctl, struct ctl_rl_job *job, char *err, size_t errlen);

/* A probe's leaves PROBED (per cfg->certs, NULL where it failed): rebuilt, published once two
 * probes in a row agree on new decisions (docs/autodiscover-policy.md). */
void ctl_rl_probe_run(ctl_t *ctl, cert_t *const *probed);

/*
 * The reply to one request (KIND, ZONE, JSON) after the reload that returned RC (JOBERR its
 * reason): into BODY, or ERR with *KEEP_BODY saying BODY goes with it. Logs it as before.
 */
void ctl_rl_reply(ctl_t *ctl, enum ctl_ask_kind kind, const char *zone, bool json, int rc,
		  const char *joberr, buf_t *body, char *err, size_t errlen, bool *keep_body);

#endif
