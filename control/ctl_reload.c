/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_reload.c: the reload thread: reload requests queued and merged, run off the control thread */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <syslog.h>
#include <unistd.h>

#include "ctl_rl.h"
#include "log.h"
#include "sandns_err.h"
#include "xfrin.h"
#include "zt_seed.h"

/* A framed reply for waiter ID, from the reload thread to the control thread. */
struct rl_reply {
	uint64_t id;
	char *out;
	size_t len;
	struct rl_reply *next;
};

/*
 * Shared by the control thread and the reload thread, under MU. PENDING is what the requests
 * that arrived since the running job started ask for, merged: it runs once that job is done.
 */
struct ctl_rl {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t tid;
	bool running; /* the thread runs (set and cleared by the control thread) */
	bool stop;
	bool busy;	  /* a job runs */
	unsigned waiting; /* requests merged into PENDING */
	bool xfrin_due;	  /* the transfer thread has zones to reload (xfrin_take_reloads) */
	struct ctl_rl_job *pending;
	cert_t **probed; /* a probe's leaves not yet looked at (a newer probe replaces them) */
	struct rl_reply *replies, **replies_tail;
	unsigned delay_ms; /* tests: SANDNS_TEST_RELOAD_DELAY_MS before a configuration switch */
};

static void certs_free(cert_t **certs, size_t n)
{
	for (size_t i = 0; certs != NULL && i < n; i++)
		cert_free(&certs[i]);
	free(certs);
}

static void job_free(const cfg_t *cfg, struct ctl_rl_job *job)
{
	if (job == NULL)
		return;
	free(job->zones);
	free(job->xfrin);
	cfg_free(&job->newcfg);
	free(job->warn);
	certs_free(job->fresh, cfg->ncerts);
	while (job->notes != NULL) {
		struct ctl_rl_note *n = job->notes;

		job->notes = n->next;
		free(n->done);
		free(n->failed);
		free(n);
	}
	while (job->asks != NULL) {
		struct ctl_rl_ask *a = job->asks;

		job->asks = a->next;
		free(a->zone);
		free(a->out);
		free(a);
	}
	free(job);
}

static struct ctl_rl_job *job_new(const cfg_t *cfg)
{
	struct ctl_rl_job *job = calloc(1, sizeof(*job));

	if (job == NULL)
		return NULL;
	job->cfg = cfg;
	job->zones = calloc(cfg->nzones + 1, sizeof(*job->zones));
	job->xfrin = calloc(cfg->nzones + 1, sizeof(*job->xfrin));
	job->fresh = calloc(cfg->ncerts + 1, sizeof(*job->fresh));
	job->notes_tail = &job->notes;
	job->asks_tail = &job->asks;
	if (job->zones == NULL || job->xfrin == NULL || job->fresh == NULL) {
		job_free(cfg, job);
		return NULL;
	}
	return job;
}

/* JOB switches to NEWCFG (taken over; NULL: none), replacing one an earlier request read. */
static void job_take_cfg(struct ctl_rl_job *job, cfg_t *newcfg, const char *warn)
{
	if (newcfg == NULL && warn[0] == '\0')
		return;
	if (newcfg != NULL) {
		cfg_free(&job->newcfg);
		job->newcfg = newcfg;
	}
	free(job->warn);
	job->warn = strdup(warn); /* without memory: the warnings go unsaid */
}

/* The job requests go into: the pending one (under MU) when the thread runs, else a new one. */
static struct ctl_rl_job *job_open(ctl_t *ctl)
{
	struct ctl_rl *rl = ctl->rl;

	if (rl == NULL || !rl->running)
		return job_new(ctl->cfg);
	pthread_mutex_lock(&rl->mu);
	if (rl->pending == NULL)
		rl->pending = job_new(ctl->cfg);
	if (rl->pending == NULL)
		pthread_mutex_unlock(&rl->mu);
	else /* made before a configuration switch: what we add indexes the new one */
		ctl_rl_job_remap(ctl, rl->pending);
	return rl->pending;
}

/*
 * The request is in JOB: the thread is woken, or (not running) the job runs here at once and
 * ERR gets its reason. Returns what the reload returned, or SANDNS_EOK once queued.
 */
static int job_close(ctl_t *ctl, struct ctl_rl_job *job, char *err, size_t errlen)
{
	struct ctl_rl *rl = ctl->rl;
	int rc;

	if (rl != NULL && rl->running) {
		rl->waiting++;
		pthread_cond_signal(&rl->cv);
		pthread_mutex_unlock(&rl->mu);
		return SANDNS_EOK;
	}
	rc = ctl_rl_job_run(ctl, job, err, errlen);
	job_free(ctl->cfg, job);
	ctl_cfg_reap(ctl, NULL); /* run here: no job queued indexes a configuration replaced */
	return rc;
}

/* The index of ZONE in cfg->zones, or cfg->nzones for none. */
static size_t zone_index(const cfg_t *cfg, const char *zone)
{
	size_t i;

	for (i = 0; i < cfg->nzones && !cfg_same_origin(cfg->zones[i].origin, zone); i++)
		;
	return i;
}

void ctl_reload_ask(ctl_t *ctl, enum ctl_ask_kind kind, const char *zone, bool json,
		    cert_t *const *fresh, bool *deferred, buf_t *body, char *err, size_t errlen,
		    bool *keep_body)
{
	const cfg_t *cfg = ctl->cfg;
	const bool queue = ctl->rl != NULL && ctl->rl->running;
	cfg_t *newcfg = NULL;
	char warn[2048];
	struct ctl_rl_ask *a = NULL;
	struct ctl_waiter *w = NULL;
	struct ctl_rl_job *job;
	char joberr[1024] = "";
	size_t zi = cfg->nzones;
	int rc;

	if (zone != NULL && (zi = zone_index(cfg, zone)) == cfg->nzones) {
		snprintf(err, errlen, "no zone %s is configured", zone);
		/* Refused at once, but logged as every failed reload is. */
		log_msg(LOG_ERR, "reload failed, still serving the previous snapshot: %s", err);
		return;
	}
	/* `reload` (every zone): the configuration file is read again first, here. */
	if (kind == CTL_ASK_RELOAD && zone == NULL) {
		newcfg = ctl_conf_read(ctl, warn, sizeof(warn), joberr, sizeof(joberr));
		if (newcfg == NULL && joberr[0] != '\0') {
			snprintf(err, errlen, "%s", joberr);
			log_msg(
			    LOG_ERR,
			    "reload failed, the configuration is not read again and the previous "
			    "snapshot is still served: %s",
			    err);
			return;
		}
	}
	if (queue && deferred == NULL) {
		/* Only a client's request waits for the thread; no other caller asks. */
		cfg_free(&newcfg);
		snprintf(err, errlen, "a reload runs on the reload thread; try again");
		return;
	}
	if (queue) {
		size_t nwaiting = 0;

		for (const struct ctl_waiter *x = ctl->waiters; x != NULL; x = x->next)
			nwaiting++;
		if (nwaiting >= CTL_WAITERS_MAX) {
			cfg_free(&newcfg);
			snprintf(err, errlen,
				 "%zu clients wait for reloads already; try again once they are "
				 "answered",
				 nwaiting);
			return;
		}
		a = calloc(1, sizeof(*a));
		w = calloc(1, sizeof(*w));
		if (a == NULL || w == NULL || (zone != NULL && (a->zone = strdup(zone)) == NULL)) {
			cfg_free(&newcfg);
			free(a != NULL ? a->zone : NULL);
			free(a);
			free(w);
			snprintf(err, errlen, "out of memory");
			return;
		}
		a->id = w->id = ++ctl->waiter_ids;
		a->kind = kind;
		a->json = json;
	}
	job = job_open(ctl);
	if (job == NULL) {
		cfg_free(&newcfg);
		free(a != NULL ? a->zone : NULL);
		free(a);
		free(w);
		snprintf(err, errlen, "out of memory");
		return;
	}
	if (kind == CTL_ASK_POLICY) {
		job->policy = true;
		/* The files read again; tls:// leaves FRESH, or fetched by the build (no FRESH). */
		if (fresh == NULL)
			job->certs = CTL_CERTS_ALL;
		else if (job->certs != CTL_CERTS_ALL)
			job->certs = CTL_CERTS_FILES;
		for (size_t i = 0; fresh != NULL && i < cfg->ncerts; i++)
			if (fresh[i] != NULL) {
				cert_free(&job->fresh[i]);
				job->fresh[i] = cert_ref(fresh[i]);
			}
	} else if (zone != NULL) {
		job->zones[zi] = true;
	} else {
		job->zones_all = true;
		job_take_cfg(job, newcfg, warn);
	}
	if (a != NULL) {
		*job->asks_tail = a;
		job->asks_tail = &a->next;
		/* The caller names the client (ctl_client.c): this thread's list only. */
		w->next = ctl->waiters;
		ctl->waiters = w;
		ctl->defer_waiter = w;
		*deferred = true;
	}
	rc = job_close(ctl, job, joberr, sizeof(joberr));
	if (!queue)
		ctl_rl_reply(ctl, kind, zone, json, rc, joberr, body, err, errlen, keep_body);
}

void ctl_reload_sighup(ctl_t *ctl)
{
	char err[1024], warn[2048];
	cfg_t *newcfg = ctl_conf_read(ctl, warn, sizeof(warn), err, sizeof(err));
	struct ctl_rl_job *job;

	if (newcfg == NULL && err[0] != '\0') {
		log_msg(LOG_ERR,
			"reload on SIGHUP failed, the configuration is not read again and the "
			"previous snapshot is still served: %s",
			err);
		return;
	}
	job = job_open(ctl);
	if (job == NULL) {
		cfg_free(&newcfg);
		log_msg(LOG_ERR, "reload on SIGHUP: out of memory");
		return;
	}
	job->zones_all = true;
	job_take_cfg(job, newcfg, warn);
	job->sighups++;
	job_close(ctl, job, err, sizeof(err));
}

void ctl_reload_watch(ctl_t *ctl, const ctl_rebuild_t *what, int level, const char *done,
		      const char *failed)
{
	char err[1024];
	struct ctl_rl_note *n = calloc(1, sizeof(*n));
	struct ctl_rl_job *job = n != NULL ? job_open(ctl) : NULL;

	if (job == NULL || (n->done = strdup(done)) == NULL ||
	    (n->failed = strdup(failed)) == NULL) {
		log_msg(LOG_ERR, "%s: out of memory", failed);
		if (n != NULL) {
			free(n->done);
			free(n);
		}
		if (job != NULL)
			job_close(ctl, job, err, sizeof(err)); /* runs what it held already */
		return;
	}
	n->level = level;
	job->catz_retry = job->catz_retry || what->catz_retry;
	*job->notes_tail = n;
	job->notes_tail = &n->next;
	if (what->zones && what->zone == NULL)
		job->zones_all = true;
	else if (what->zones && zone_index(ctl->cfg, what->zone) < ctl->cfg->nzones)
		job->zones[zone_index(ctl->cfg, what->zone)] = true;
	/* ALL (files and endpoints) covers FILES, which covers KEEP. */
	if (what->certs == CTL_CERTS_ALL || job->certs == CTL_CERTS_ALL)
		job->certs = CTL_CERTS_ALL;
	else if (what->certs == CTL_CERTS_FILES)
		job->certs = CTL_CERTS_FILES;
	job_close(ctl, job, err, sizeof(err));
}

void ctl_reload_xfrin(ctl_t *ctl, size_t zone)
{
	char err[1024];
	struct ctl_rl_job *job = job_open(ctl);

	if (job == NULL) {
		log_msg(LOG_ERR, "zone %s: cannot reload it: out of memory",
			ctl->cfg->zones[zone].origin);
		return;
	}
	job->zones[zone] = true;
	job->xfrin[zone] = true;
	job_close(ctl, job, err, sizeof(err));
}

/* The transfer thread's waker (xfrin_set_waker), set while the thread runs: zones are due. */
static void xfrin_waker(void *arg)
{
	struct ctl_rl *rl = ((ctl_t *)arg)->rl;

	pthread_mutex_lock(&rl->mu);
	rl->xfrin_due = true;
	rl->waiting++;
	pthread_mutex_unlock(&rl->mu);
	/* After the unlock: the thread woken does not block at once on the lock we hold. */
	pthread_cond_signal(&rl->cv);
}

bool ctl_reload_xfrin_due(ctl_t *ctl)
{
	if (ctl->rl == NULL || !ctl->rl->running)
		return false;
	xfrin_waker(ctl);
	return true;
}

/*
 * The reload thread: the zones the transfer thread handed over, into JOB (NULL: a new one).
 * Their indexes are of the configuration in force: this thread alone switches it, and the
 * transfer thread's table with it (ctl_cfg_switch, xfrin_reconfigure), flags carried over.
 */
static struct ctl_rl_job *xfrin_take(ctl_t *ctl, struct ctl_rl_job *job)
{
	const cfg_t *cfg = ctl->cfg;
	size_t zones[64], n;

	while (ctl->xfrin != NULL && (n = xfrin_take_reloads(ctl->xfrin, zones, 64)) > 0) {
		if (job == NULL)
			job = job_new(cfg);
		else /* opened before a configuration switch: what we add indexes the new one */
			ctl_rl_job_remap(ctl, job);
		for (size_t k = 0; k < n; k++) {
			if (zones[k] >= cfg->nzones)
				continue;
			if (job == NULL) {
				log_msg(LOG_ERR, "zone %s: cannot reload it: out of memory",
					cfg->zones[zones[k]].origin);
				continue;
			}
			job->zones[zones[k]] = true;
			job->xfrin[zones[k]] = true;
		}
	}
	return job;
}

void ctl_reload_probe(ctl_t *ctl, cert_t *const *probed)
{
	const size_t n = ctl->cfg->ncerts;
	struct ctl_rl *rl = ctl->rl;
	cert_t **mine;

	if (rl == NULL || !rl->running) {
		ctl_rl_probe_run(ctl, probed);
		return;
	}
	mine = calloc(n + 1, sizeof(*mine));
	if (mine == NULL) {
		log_msg(LOG_ERR, "certificate probe: out of memory");
		return;
	}
	for (size_t i = 0; i < n; i++)
		mine[i] = probed[i] != NULL ? cert_ref(probed[i]) : NULL;
	pthread_mutex_lock(&rl->mu);
	certs_free(rl->probed, n); /* a probe not yet looked at: this newer one replaces it */
	rl->probed = mine;
	pthread_cond_signal(&rl->cv);
	pthread_mutex_unlock(&rl->mu);
}

/* The jobs' replies handed to the control thread (under MU), which the eventfd wakes. */
static void replies_post(ctl_t *ctl, struct ctl_rl_job *job)
{
	struct ctl_rl *rl = ctl->rl;
	uint64_t one = 1;
	bool any = false;

	for (struct ctl_rl_ask *a = job->asks; a != NULL; a = a->next) {
		struct rl_reply *r = calloc(1, sizeof(*r));

		if (r == NULL) {
			free(a->out); /* the client's socket closes at exit, or it times out */
			a->out = NULL;
			continue;
		}
		r->id = a->id;
		r->out = a->out;
		r->len = a->len;
		a->out = NULL;
		*rl->replies_tail = r;
		rl->replies_tail = &r->next;
		any = true;
	}
	if (any && write(ctl->rl_ev.fd, &one, sizeof(one)) != (ssize_t)sizeof(one))
		log_msg(LOG_ERR, "reload: cannot wake the control thread: %s", strerror(errno));
}

/* Whether zone ORIGIN of CFG is patched without an operator: a secondary zone (each IXFR) or a
 * zone sandns signs (each renewal). */
static bool patched_often(void *arg, const char *origin)
{
	const cfg_t *cfg = arg;
	long i = cfg_zone_find(cfg, origin);

	if (i >= 0 && cfg->zones[i].src.kind == ZSRC_PRIMARY)
		return true;
	for (size_t k = 0; k < cfg->nsignings; k++)
		if (cfg_same_origin(cfg->signings[k].origin, origin))
			return true;
	return false;
}

/*
 * The snapshot served given, ahead, the memory its first patch takes (zt_seed.c), for its zones
 * that patches come to without an operator; its cost is what every later patch of them holds
 * anyway: the replaced snapshot's arrays. Only the reload thread publishes, so CURRENT stays
 * until it returns.
 */
static void seed_spares(ctl_t *ctl)
{
	size_t made;

	if (ctl->current != NULL &&
	    (made = zt_seed_spares(ctl->current, patched_often, (void *)ctl->cfg)) > 0)
		log_msg(LOG_DEBUG, "memory for the next patch made ahead: %zu mappings", made);
}

/*
 * Under the reload thread's lock: seed_spares() when nothing is queued (it waits for the
 * transfer orders and faults in tens of MiB; a snapshot a queued job replaces is not seeded).
 */
static void seed_when_idle(ctl_t *ctl)
{
	struct ctl_rl *rl = ctl->rl;

	if (rl->stop || rl->pending != NULL || rl->probed != NULL || rl->xfrin_due)
		return;
	pthread_mutex_unlock(&rl->mu);
	seed_spares(ctl);
	pthread_mutex_lock(&rl->mu);
}

static void *rl_main(void *arg)
{
	ctl_t *ctl = arg;
	struct ctl_rl *rl = ctl->rl;
	char err[1024];

	/*
	 * Not a registered RCU reader: it never reads the snapshot through zpub_current(), and
	 * synchronize_rcu() (zpub_retire) is for any thread, registered or not, as the control
	 * thread always did it. It reads the published state freely (it is the one writer) and
	 * changes it only under pub_mu (ctl_pub.c).
	 */
	pthread_mutex_lock(&rl->mu);
	seed_when_idle(ctl);
	for (;;) {
		struct ctl_rl_job *job;
		cert_t **probed;
		bool due;

		while (!rl->stop && rl->pending == NULL && rl->probed == NULL && !rl->xfrin_due)
			pthread_cond_wait(&rl->cv, &rl->mu);
		if (rl->stop)
			break;
		job = rl->pending;
		probed = rl->probed;
		due = rl->xfrin_due;
		rl->pending = NULL;
		rl->probed = NULL;
		rl->xfrin_due = false;
		rl->busy = true;
		rl->waiting = 0;
		pthread_mutex_unlock(&rl->mu);
		/* Secondary zones' new versions join what was asked meanwhile, as one job. */
		/* Tests only: a window in which a transfer lands before the switch
		 * (xfrin-renumber). */
		for (unsigned t = 0; job != NULL && job->newcfg != NULL && t < rl->delay_ms &&
				     !__atomic_load_n(&ctl->rl_stop, __ATOMIC_ACQUIRE);
		     t += 10)
			(void)poll(NULL, 0, 10);
		if (due)
			job = xfrin_take(ctl, job);
		if (job != NULL)
			ctl_rl_job_run(ctl, job, err, sizeof(err));
		if (probed != NULL)
			ctl_rl_probe_run(ctl, probed);
		certs_free(probed, ctl->cfg->ncerts);
		pthread_mutex_lock(&rl->mu);
		if (job != NULL)
			replies_post(ctl, job);
		rl->busy = false;
		job_free(ctl->cfg, job);
		/* Configurations switched from go once no queued job indexes them (the grace
		 * periods were waited for by the switch). */
		if (ctl->cfg_old != NULL)
			ctl_cfg_reap(ctl, rl->pending != NULL ? rl->pending->cfg : NULL);
		seed_when_idle(ctl); /* answered first */
	}
	pthread_mutex_unlock(&rl->mu);
	return NULL;
}

int ctl_reload_start(ctl_t *ctl, char *err, size_t errlen)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &ctl->rl_ev};
	struct ctl_rl *rl = calloc(1, sizeof(*rl));
	int rc;

	if (rl == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	pthread_mutex_init(&rl->mu, NULL);
	pthread_cond_init(&rl->cv, NULL);
	rl->replies_tail = &rl->replies;
	/* Read by tests only (tests/e2e/xfrin_renumber.sh). */
	if (getenv("SANDNS_TEST_RELOAD_DELAY_MS") != NULL)
		rl->delay_ms = (unsigned)strtoul(getenv("SANDNS_TEST_RELOAD_DELAY_MS"), NULL, 10);
	ctl->rl_ev.kind = CTL_EV_RELOAD;
	ctl->rl_ev.fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (ctl->rl_ev.fd < 0 || epoll_ctl(ctl->ep, EPOLL_CTL_ADD, ctl->rl_ev.fd, &ev) != 0) {
		rc = -errno;
		snprintf(err, errlen, "cannot set up the reload thread: %s", strerror(errno));
		goto out_free;
	}
	ctl->rl = rl;
	rl->running = true;
	rc = pthread_create(&rl->tid, NULL, rl_main, ctl);
	if (rc != 0) {
		snprintf(err, errlen, "cannot start the reload thread: %s", strerror(rc));
		rc = -rc;
		goto out_free;
	}
	pthread_setname_np(rl->tid, "sandns-reload");
	/* The transfer thread hands its zones here, not through the control thread (what it
	 * asked before comes through ctl_xfrin_event, which passes it on). */
	if (ctl->xfrin != NULL)
		xfrin_set_waker(ctl->xfrin, xfrin_waker, ctl);
	return SANDNS_EOK;
out_free:
	if (ctl->rl_ev.fd >= 0)
		close(ctl->rl_ev.fd);
	ctl->rl_ev.fd = -1;
	ctl->rl = NULL;
	pthread_cond_destroy(&rl->cv);
	pthread_mutex_destroy(&rl->mu);
	free(rl);
	return rc;
}

void ctl_reload_stop(ctl_t *ctl)
{
	struct ctl_rl *rl = ctl->rl;

	if (rl == NULL || !rl->running)
		return;
	/* A build running ends (it cannot be cut short) and is dropped; queued jobs never run.
	 * The transfer thread no longer calls in here once this returns. */
	if (ctl->xfrin != NULL)
		xfrin_set_waker(ctl->xfrin, NULL, NULL);
	__atomic_store_n(&ctl->rl_stop, true, __ATOMIC_RELEASE);
	pthread_mutex_lock(&rl->mu);
	rl->stop = true;
	pthread_cond_signal(&rl->cv);
	pthread_mutex_unlock(&rl->mu);
	pthread_join(rl->tid, NULL);
	rl->running = false;
	job_free(ctl->cfg, rl->pending);
	rl->pending = NULL;
	certs_free(rl->probed, ctl->cfg->ncerts);
	rl->probed = NULL;
}

bool ctl_reload_busy(ctl_t *ctl, unsigned *waiting)
{
	struct ctl_rl *rl = ctl->rl;
	bool busy;

	*waiting = 0;
	if (rl == NULL)
		return false;
	pthread_mutex_lock(&rl->mu);
	busy = rl->busy;
	*waiting = rl->waiting;
	pthread_mutex_unlock(&rl->mu);
	return busy;
}

bool ctl_reload_reply(ctl_t *ctl, uint64_t *id, char **out, size_t *outlen)
{
	struct ctl_rl *rl = ctl->rl;
	struct rl_reply *r;

	if (rl == NULL)
		return false;
	pthread_mutex_lock(&rl->mu);
	r = rl->replies;
	if (r != NULL) {
		rl->replies = r->next;
		if (rl->replies == NULL)
			rl->replies_tail = &rl->replies;
	}
	pthread_mutex_unlock(&rl->mu);
	if (r == NULL)
		return false;
	*id = r->id;
	*out = r->out;
	*outlen = r->len;
	free(r);
	return true;
}

void ctl_reload_free(ctl_t *ctl)
{
	struct ctl_rl *rl = ctl->rl;

	ctl_reload_stop(ctl);
	while (ctl->waiters != NULL) {
		struct ctl_waiter *w = ctl->waiters;

		ctl->waiters = w->next;
		free(w);
	}
	if (ctl->rl_ev.fd >= 0)
		close(ctl->rl_ev.fd);
	ctl->rl_ev.fd = -1;
	if (rl == NULL)
		return;
	while (rl->replies != NULL) {
		struct rl_reply *r = rl->replies;

		rl->replies = r->next;
		free(r->out);
		free(r);
	}
	pthread_cond_destroy(&rl->cv);
	pthread_mutex_destroy(&rl->mu);
	free(rl);
	ctl->rl = NULL;
}
