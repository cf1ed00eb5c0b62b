/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_probe.c: live tls:// certificates fetched off the control thread: re-probes, reloads */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "ctl_pvt.h"
#include "log.h"
#include "sandns_err.h"

/* One probe connects to each endpoint in turn; each gets this long. */
#define CTL_PROBE_TIMEOUT_MS 5000
/* At exit a cancelled fetch gets this long to end (a name lookup is not cancellable). */
#define CTL_PROBE_STOP_MS 500

/*
 * One fetch of every tls:// source, shared by the control thread and the fetch thread. The
 * control thread takes the results after the join; at exit it may abandon a fetch that does not
 * end in time, and then the thread frees it: whoever comes second under MU frees.
 */
struct ctl_fetch {
	pthread_mutex_t mu;
	bool finished;	/* the thread is done with the fetch (under MU) */
	bool abandoned; /* the control thread is gone: the thread frees all (under MU) */
	int done_fd;	/* the control thread's eventfd, written once when finished */
	int cancel_fd;	/* eventfd: readable = give up now */
	bool for_reload;
	size_t n;
	char **src;    /* copies of cfg->certs (NULL: a file, not fetched here) */
	cert_t **got;  /* per source */
	char **reason; /* per source, a failure */
};

static bool is_tls(const char *src)
{
	return strncmp(src, "tls://", 6) == 0;
}

static void fetch_free(struct ctl_fetch *f)
{
	if (f == NULL)
		return;
	for (size_t i = 0; i < f->n; i++) {
		if (f->src != NULL)
			free(f->src[i]);
		if (f->got != NULL)
			cert_free(&f->got[i]);
		if (f->reason != NULL)
			free(f->reason[i]);
	}
	free(f->src);
	free(f->got);
	free(f->reason);
	if (f->cancel_fd >= 0)
		close(f->cancel_fd);
	pthread_mutex_destroy(&f->mu);
	free(f);
}

/* A fetch of CFG's tls:// sources, not started; NULL without memory. */
static struct ctl_fetch *fetch_new(const cfg_t *cfg, int done_fd, bool for_reload)
{
	struct ctl_fetch *f = calloc(1, sizeof(*f));
	bool ok;

	if (f == NULL)
		return NULL;
	pthread_mutex_init(&f->mu, NULL);
	f->done_fd = done_fd;
	f->for_reload = for_reload;
	f->n = cfg->ncerts;
	f->cancel_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	f->src = calloc(f->n + 1, sizeof(*f->src));
	f->got = calloc(f->n + 1, sizeof(*f->got));
	f->reason = calloc(f->n + 1, sizeof(*f->reason));
	ok = f->cancel_fd >= 0 && f->src != NULL && f->got != NULL && f->reason != NULL;
	for (size_t i = 0; ok && i < f->n; i++)
		if (is_tls(cfg->certs[i]))
			ok = (f->src[i] = strdup(cfg->certs[i])) != NULL;
	if (!ok) {
		fetch_free(f);
		return NULL;
	}
	return f;
}

/* The fetch thread: every tls:// leaf, each within its deadline, then says so on the eventfd. */
static void *probe_main(void *arg)
{
	struct ctl_fetch *f = arg;
	uint64_t one = 1;
	char reason[1024] = "";
	bool abandoned;

	for (size_t i = 0; i < f->n; i++) {
		struct pollfd pfd = {.fd = f->cancel_fd, .events = POLLIN};

		if (f->src[i] == NULL)
			continue;
		if (poll(&pfd, 1, 0) > 0) {
			f->reason[i] = strdup(strerror(ECANCELED));
			continue; /* stopping: the remaining sources are skipped */
		}
		f->got[i] = cert_load_cancel(f->src[i], CTL_PROBE_TIMEOUT_MS, f->cancel_fd, reason,
					     sizeof(reason));
		if (f->got[i] == NULL)
			f->reason[i] = strdup(reason);
	}
	pthread_mutex_lock(&f->mu);
	f->finished = true;
	abandoned = f->abandoned;
	if (!abandoned && write(f->done_fd, &one, sizeof(one)) != (ssize_t)sizeof(one))
		log_msg(LOG_ERR, "certificate probe: cannot wake the control thread: %s",
			strerror(errno));
	pthread_mutex_unlock(&f->mu);
	if (abandoned)
		fetch_free(f);
	return NULL;
}

static void probe_schedule(ctl_t *ctl)
{
	ctl->next_probe_ms =
	    cert_any_tls(ctl->cfg->certs, ctl->cfg->ncerts) && ctl->cfg->cert_probe_interval > 0
		? clock_now_ms() + ctl->cfg->cert_probe_interval * 1000ull
		: 0;
}

/* The `policy reload` waiting for its fetch: its reload, with what FRESH brought (NULL: none). */
static void reload_finish(ctl_t *ctl, cert_t *const *fresh)
{
	struct ctl_client *c = ctl->reload_client;
	buf_t body = {0};
	char err[1024] = "", *out = NULL;
	size_t len = 0;
	bool deferred = false, keep = false;

	ctl->reload_client = NULL;
	ctl->reload_pending = false;
	ctl_reload_ask(ctl, CTL_ASK_POLICY, NULL, ctl->reload_json, fresh, &deferred, &body, err,
		       sizeof(err), &keep);
	if (deferred) {
		/* The reload thread's job answers it (NULL: it went away, the reply is dropped). */
		ctl->defer_waiter->c = c;
		ctl->defer_waiter = NULL;
		return;
	}
	/* Done here (no reload thread) or refused: answered now. */
	if (ctl_frame_reply(ctl->reload_json, err, keep, NULL, &body, &out, &len) != SANDNS_EOK)
		out = NULL;
	ctl_client_answer(ctl, c, out, len);
}

void ctl_probe_tick(ctl_t *ctl)
{
	bool reload = ctl->reload_pending;
	int rc;

	if (ctl->probing || ctl->probe_ev.fd < 0)
		return;
	if (!reload && ctl->next_probe_ms == 0) {
		/* First call: the interval starts when serving does. */
		probe_schedule(ctl);
		return;
	}
	if (!reload && clock_now_ms() < ctl->next_probe_ms)
		return;
	ctl->fetch = fetch_new(ctl->cfg, ctl->probe_ev.fd, reload);
	if (ctl->fetch == NULL) {
		log_msg(LOG_ERR, "certificate probe: out of memory");
		goto out_fail;
	}
	rc = pthread_create(&ctl->probe_tid, NULL, probe_main, ctl->fetch);
	if (rc != 0) {
		log_msg(LOG_ERR, "certificate probe: cannot start a thread: %s", strerror(rc));
		goto out_fail;
	}
	ctl->probing = true;
	return;
out_fail:
	fetch_free(ctl->fetch);
	ctl->fetch = NULL;
	if (reload)
		/* The files are still read again; the endpoints keep their leaves. */
		reload_finish(ctl, NULL);
	else
		probe_schedule(ctl);
}

static void probe_free(ctl_t *ctl)
{
	for (size_t i = 0; ctl->probed != NULL && i < ctl->cfg->ncerts; i++) {
		cert_free(&ctl->probed[i]);
		free(ctl->probe_err[i]);
	}
	free(ctl->probed);
	free(ctl->probe_err);
	ctl->probed = NULL;
	ctl->probe_err = NULL;
}

void ctl_probe_done(ctl_t *ctl)
{
	uint64_t v;

	if (read(ctl->probe_ev.fd, &v, sizeof(v)) != (ssize_t)sizeof(v) || !ctl->probing)
		return;
	pthread_join(ctl->probe_tid, NULL);
	ctl->probing = false;
	/* The results are this thread's now. */
	ctl->probed = ctl->fetch->got;
	ctl->probe_err = ctl->fetch->reason;
	ctl->fetch->got = NULL;
	ctl->fetch->reason = NULL;
	if (ctl->fetch->for_reload) {
		fetch_free(ctl->fetch);
		ctl->fetch = NULL;
		for (size_t i = 0; i < ctl->cfg->ncerts; i++)
			if (ctl->probe_err[i] != NULL)
				/* An endpoint down is no new certificate: the last leaf stands. */
				log_msg(LOG_WARNING, "%s (keeping the leaf it presented before)",
					ctl->probe_err[i]);
		reload_finish(ctl, ctl->probed);
		probe_free(ctl);
		return;
	}
	fetch_free(ctl->fetch);
	ctl->fetch = NULL;
	ctl->probes++;
	probe_schedule(ctl);
	for (size_t i = 0; i < ctl->cfg->ncerts; i++)
		if (ctl->probe_err[i] != NULL)
			/* The last good leaf keeps serving: an endpoint down is no new certificate.
			 */
			log_msg(LOG_WARNING, "certificate probe: %s (keeping the leaf seen before)",
				ctl->probe_err[i]);
	/* Compared with what is served, rebuilt and published (two probes agreeing) there. */
	ctl_reload_probe(ctl, ctl->probed);
	probe_free(ctl);
}

void ctl_probe_fini(ctl_t *ctl)
{
	struct ctl_fetch *f = ctl->fetch;
	uint64_t one = 1;
	struct timespec until;
	bool done;

	if (ctl->probing) {
		/* Stop the fetch (an endpoint may be stalling); a name lookup may still hold it. */
		if (write(f->cancel_fd, &one, sizeof(one)) != (ssize_t)sizeof(one))
			log_msg(LOG_ERR, "certificate probe: cannot stop the fetch: %s",
				strerror(errno));
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += CTL_PROBE_STOP_MS * 1000000L;
		until.tv_sec += until.tv_nsec / 1000000000L;
		until.tv_nsec %= 1000000000L;
		done = pthread_timedjoin_np(ctl->probe_tid, NULL, &until) == 0;
		if (!done) {
			pthread_mutex_lock(&f->mu);
			done = f->finished;
			f->abandoned = !done;
			pthread_mutex_unlock(&f->mu);
			if (done)
				pthread_join(ctl->probe_tid, NULL);
			else
				pthread_detach(ctl->probe_tid); /* it frees the fetch itself */
		}
		if (done)
			fetch_free(f);
		ctl->fetch = NULL;
		ctl->probing = false;
	}
	probe_free(ctl);
	free(ctl->pending_key);
	ctl->pending_key = NULL;
	if (ctl->probe_ev.fd >= 0)
		close(ctl->probe_ev.fd);
	ctl->probe_ev.fd = -1;
}
