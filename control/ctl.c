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
#include "ctl_pvt.h"
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
	char err[1024];

	while (read(ctl->sig_ev.fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			bool ok;

			svc_reloading("every zone (SIGHUP)");
			ok = ctl_reload(ctl, NULL, err, sizeof(err)) == SANDNS_EOK;
			svc_reloaded(ok, ctl->info.nzones, ctl->info.records, err);
			if (ok)
				log_msg(LOG_INFO, "reloaded %zu zones (%zu records) on SIGHUP",
					ctl->info.nzones, ctl->info.records);
			else
				log_msg(LOG_ERR,
					"reload failed, still serving the previous "
					"snapshot: %s",
					err);
		} else if (si.ssi_signo == SIGUSR1) {
			log_reopen(err, sizeof(err)); /* logs how it went */
		} else {
			log_msg(LOG_NOTICE, "SIG%s: stopping", sigabbrev_np((int)si.ssi_signo));
			ctl->stop = true;
		}
	}
}

/* Does what the probe or the watch asked for (ctl_todo_t), then logs how it went. */
static void ctl_do(ctl_t *ctl, ctl_todo_t *todo)
{
	char err[1024];

	if (todo->want == CTL_WANT_PUBLISH) {
		ctl_publish(ctl, &todo->build);
		if (todo->flip) {
			ctl->probe_flips++;
			ctl->reloads++;
		}
	} else if (todo->want == CTL_WANT_RELOAD &&
		   ctl_reload(ctl, &todo->what, err, sizeof(err)) != SANDNS_EOK) {
		log_msg(LOG_ERR, "%s: %s", todo->failed, err);
		todo->done[0] = '\0';
	}
	if (todo->done[0] != '\0')
		log_msg(todo->level, "%s", todo->done);
	ctl_build_clear(&todo->build);
}

void ctl_run(ctl_t *ctl)
{
	struct epoll_event events[CTL_EVENTS];
	ctl_todo_t todo;
	int n, i;

	/* Seeded with the zones as read, before they may be dropped. */
	ctl_xfrin_start(ctl);
	/* What ctl_publish_first() left: the server answers by now. */
	ctl_drop_zones(ctl);
	while (!ctl->stop) {
		n = epoll_wait(ctl->ep, events, CTL_EVENTS, ctl_accept_tick(ctl, 1000));
		for (i = 0; i < n; i++) {
			struct ctl_ev *ev = events[i].data.ptr;

			if (ev->kind == CTL_EV_SIGNAL) {
				ctl_signal(ctl);
			} else if (ev->kind == CTL_EV_LISTEN) {
				ctl_accept(ctl);
			} else if (ev->kind == CTL_EV_PROBE) {
				ctl_probe_done(ctl, &todo);
				ctl_do(ctl, &todo);
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
		ctl_clients_expire(ctl);
	}
}

void ctl_free(ctl_t **ctlp)
{
	ctl_t *ctl;

	if (ctlp == NULL || *ctlp == NULL)
		return;
	ctl = *ctlp;
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
	free(ctl);
	*ctlp = NULL;
}
