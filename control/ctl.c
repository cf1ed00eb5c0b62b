/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl.c: the control thread's loop: signals, the control socket, the probe and the watch */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <syslog.h>
#include <unistd.h>

#include "clock.h"
#include "ctl.h"
#include "ctl_keys.h"
#include "ctl_pvt.h"
#include "ctl_signstate.h"
#include "log.h"
#include "sandns_err.h"
#include "svc.h"

#define CTL_EVENTS 16

void ctl_set_extra_stats(ctl_t *ctl, ctl_stats_fn fn, void *arg)
{
	ctl->extra_stats = fn;
	ctl->extra_arg = arg;
}

void ctl_set_dnstap(ctl_t *ctl, const dnstap_t *tap)
{
	ctl->tap = tap;
}

void ctl_set_extra_dgram(ctl_t *ctl, ctl_dgram_fn fn, void *arg)
{
	ctl->extra_dgram = fn;
	ctl->extra_dgram_arg = arg;
}

ctl_t *ctl_new(const cfg_t *cfg, srv_t *srv, char *err, size_t errlen)
{
	struct epoll_event ev;
	sigset_t set;
	ctl_t *ctl;
	int fd;

	ctl = calloc(1, sizeof(*ctl));
	if (ctl == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	ctl->cfg = cfg;
	ctl->cfg_boot = cfg;
	ctl->srv = srv;
	ctl->ep = -1;
	ctl->sig_ev.kind = CTL_EV_SIGNAL;
	ctl->sig_ev.fd = -1;
	ctl->listen_ev.kind = CTL_EV_LISTEN;
	ctl->listen_ev.fd = -1;
	ctl->probe_ev.kind = CTL_EV_PROBE;
	ctl->probe_ev.fd = -1;
	ctl->watch_ev.kind = CTL_EV_WATCH;
	ctl->watch_ev.fd = -1;
	ctl->xfrin_ev.kind = CTL_EV_XFRIN;
	ctl->xfrin_ev.fd = -1;
	ctl->rl_ev.kind = CTL_EV_RELOAD;
	ctl->rl_ev.fd = -1;
	pthread_mutex_init(&ctl->pub_mu, NULL);
	ctl->lock_fd = -1;
	ctl->started_ms = clock_now_ms();

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	/* Ignored during start-up (sandnsd.c): blocked now, the signalfd takes it (log reopen). */
	signal(SIGUSR1, SIG_DFL);
	ctl->sig_ev.fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	ctl->ep = epoll_create1(EPOLL_CLOEXEC);
	if (ctl->sig_ev.fd < 0 || ctl->ep < 0) {
		snprintf(err, errlen, "cannot set up the control loop: %s", strerror(errno));
		goto out_free;
	}
	ev.events = EPOLLIN;
	ev.data.ptr = &ctl->sig_ev;
	if (epoll_ctl(ctl->ep, EPOLL_CTL_ADD, ctl->sig_ev.fd, &ev) != 0) {
		snprintf(err, errlen, "cannot set up the control loop: %s", strerror(errno));
		goto out_free;
	}
	ctl->probe_ev.fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	ev.events = EPOLLIN;
	ev.data.ptr = &ctl->probe_ev;
	if (ctl->probe_ev.fd < 0 || epoll_ctl(ctl->ep, EPOLL_CTL_ADD, ctl->probe_ev.fd, &ev) != 0) {
		snprintf(err, errlen, "cannot set up the control loop: %s", strerror(errno));
		goto out_free;
	}
	if (ctl_watch_init(ctl, err, errlen) != SANDNS_EOK ||
	    ctl_xfrin_init(ctl, err, errlen) != SANDNS_EOK)
		goto out_free;
	ctl->notify = notify_new(cfg, err, errlen);
	if (ctl->notify == NULL)
		goto out_free;
	if (cfg->control != NULL) {
		fd = ctl_bind(ctl, cfg->control, err, errlen);
		if (fd < 0)
			goto out_free;
		ctl->listen_ev.fd = fd;
		ev.events = EPOLLIN;
		ev.data.ptr = &ctl->listen_ev;
		if (epoll_ctl(ctl->ep, EPOLL_CTL_ADD, fd, &ev) != 0) {
			snprintf(err, errlen, "cannot set up the control loop: %s",
				 strerror(errno));
			goto out_free;
		}
	}
	return ctl;

out_free:
	ctl_free(&ctl);
	return NULL;
}

int ctl_after_fork(ctl_t *ctl, char *err, size_t errlen)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &ctl->sig_ev};

	if (epoll_ctl(ctl->ep, EPOLL_CTL_DEL, ctl->sig_ev.fd, NULL) != 0 ||
	    epoll_ctl(ctl->ep, EPOLL_CTL_ADD, ctl->sig_ev.fd, &ev) != 0) {
		snprintf(err, errlen, "cannot watch signals after going into the background: %s",
			 strerror(errno));
		return -errno;
	}
	ctl_lock_note_pid(ctl);
	return SANDNS_EOK;
}

int ctl_start_notify(ctl_t *ctl, char *err, size_t errlen)
{
	return notify_start(ctl->notify, err, errlen);
}

static void ctl_signal(ctl_t *ctl)
{
	struct signalfd_siginfo si;

	while (read(ctl->sig_ev.fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			ctl_reload_sighup(ctl); /* logged once done, on the reload thread */
		} else if (si.ssi_signo == SIGUSR1) {
			char err[512];

			log_reopen(err, sizeof(err)); /* logs how it went */
		} else {
			log_msg(LOG_NOTICE, "SIG%s: stopping", sigabbrev_np((int)si.ssi_signo));
			ctl->stop = true;
		}
	}
}

/* Has the reload thread do what the watch asked for (ctl_todo_t), logged once done. */
static void ctl_do(ctl_t *ctl, const ctl_todo_t *todo)
{
	if (todo->want == CTL_WANT_RELOAD)
		ctl_reload_watch(ctl, &todo->what, todo->level, todo->done, todo->failed);
}

/* The reload thread's replies to the clients that wait for them (ctl_reload_ask). */
static void ctl_reload_event(ctl_t *ctl)
{
	uint64_t v, id;
	char *out;
	size_t len;

	if (ctl->rl_ev.fd >= 0 && read(ctl->rl_ev.fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		log_msg(LOG_ERR, "reload: cannot read its event: %s", strerror(errno));
	while (ctl_reload_reply(ctl, &id, &out, &len)) {
		struct ctl_waiter **pp = &ctl->waiters, *w;

		while (*pp != NULL && (*pp)->id != id)
			pp = &(*pp)->next;
		w = *pp;
		if (w != NULL)
			*pp = w->next;
		/* Answering reads the client's next request, which may add a waiter. */
		ctl_client_answer(ctl, w != NULL ? w->c : NULL, out, len);
		free(w);
	}
}

void ctl_run(ctl_t *ctl)
{
	struct epoll_event events[CTL_EVENTS];
	ctl_todo_t todo;
	char err[256];
	int n, i;

	/* Seeded with the zones as read, before they may be dropped. */
	ctl_xfrin_start(ctl);
	/* The consumer catalogs' members, from their copies (then kept up by transfers). */
	ctl_catz_update(ctl);
	/* Then the journals of zones no longer configured (the members known by now). */
	ctl_journals_sweep(ctl->cfg, &ctl->info);
	/* What ctl_publish_first() left: the server answers by now. */
	ctl_drop_zones(ctl);
	/* The zones the start signed, kept for the next start (before the reload thread runs). */
	ctl_signstate_save(ctl->cfg, &ctl->info);
	/* From here on the reload thread publishes; without it, reloads stay on this thread. */
	if (ctl_reload_start(ctl, err, sizeof(err)) != SANDNS_EOK)
		log_msg(LOG_ERR, "%s: reloads run on the control thread", err);
	/* Held over each round of events: the reload thread swaps what is served in between. */
	pthread_mutex_lock(&ctl->pub_mu);
	while (!ctl->stop) {
		int timeout = ctl_accept_tick(ctl, 1000);

		pthread_mutex_unlock(&ctl->pub_mu);
		n = epoll_wait(ctl->ep, events, CTL_EVENTS, timeout);
		pthread_mutex_lock(&ctl->pub_mu);
		for (i = 0; i < n; i++) {
			struct ctl_ev *ev = events[i].data.ptr;

			if (ev->kind == CTL_EV_SIGNAL) {
				ctl_signal(ctl);
			} else if (ev->kind == CTL_EV_LISTEN) {
				ctl_accept(ctl);
			} else if (ev->kind == CTL_EV_PROBE) {
				ctl_probe_done(ctl);
			} else if (ev->kind == CTL_EV_RELOAD) {
				ctl_reload_event(ctl);
			} else if (ev->kind == CTL_EV_WATCH) {
				ctl_watch_event(ctl);
			} else if (ev->kind == CTL_EV_XFRIN) {
				ctl_xfrin_event(ctl);
			} else if (ev->fd >= 0) {
				ctl_client_io(ctl, ev);
			}
		}
		ctl_probe_tick(ctl);
		ctl_preview_tick(ctl);
		ctl_watch_tick(ctl, &todo);
		ctl_do(ctl, &todo);
		ctl_resign_tick(ctl);
		ctl_catz_tick(ctl);
		ctl_clients_expire(ctl);
	}
	pthread_mutex_unlock(&ctl->pub_mu);
	/* A reload running ends and is dropped; the replies it gave go out with the last ones. */
	ctl_reload_stop(ctl);
	ctl_reload_event(ctl);
}

void ctl_free(ctl_t **ctlp)
{
	ctl_t *ctl;

	if (ctlp == NULL || *ctlp == NULL)
		return;
	ctl = *ctlp;
	ctl_reload_free(ctl);
	notify_free(&ctl->notify);
	ctl_clients_close(ctl);
	ctl_xfrin_fini(ctl);
	ctl_probe_fini(ctl);
	ctl_preview_free(ctl);
	ctl_watch_fini(ctl);
	if (ctl->listen_ev.fd >= 0)
		close(ctl->listen_ev.fd);
	ctl_unbind(ctl);
	if (ctl->sig_ev.fd >= 0)
		close(ctl->sig_ev.fd);
	if (ctl->ep >= 0)
		close(ctl->ep);
	ctl_build_clear(&ctl->info);
	ctl_metrics_free(ctl);
	/* The configurations read again (sandnsd's own is its to free). */
	ctl_cfg_reap(ctl, NULL);
	ctl_catz_free(ctl);
	cfg_free(&ctl->cfg_next);
	if (ctl->cfg != ctl->cfg_boot) {
		cfg_t *own = (cfg_t *)ctl->cfg;

		cfg_free(&own);
	}
	for (int i = 0; ctl->argv != NULL && i < ctl->argc; i++)
		free(ctl->argv[i]);
	free(ctl->argv);
	pthread_mutex_destroy(&ctl->pub_mu);
	free(ctl);
	*ctlp = NULL;
}
