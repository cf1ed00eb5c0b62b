/* SPDX-License-Identifier: BSD-3-Clause */
/* srv_tcp.c: DNS over TCP (RFC 7766) and streamed AXFR in one epoll thread; a QSBR reader */
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <syslog.h>
#include <unistd.h>
#include <urcu-qsbr.h>

#include "clock.h"
#include "log.h"
#include "sandns_err.h"
#include "srv_tcp_pvt.h"
#include "tsig.h"
#include "xfr.h"
#include "zpub.h"

static size_t tcp_pending(const struct tcp_conn *c)
{
	return c->out_len - c->out_off;
}

/*
 * The transfer on C is over: done, failed, or the connection goes first (then it counts as cut
 * short). Its snapshot is let go, freed here if a reload replaced it meanwhile.
 */
static void tcp_xfr_stop(struct tcp_loop *l, struct tcp_conn *c)
{
	if (c->xfr == NULL)
		return;
	srv_stat_add(l->t, zt_xfr_done(c->xfr) ? SRV_XFR_DONE : SRV_XFR_FAILED, 1);
	if (c->xfr_wait) {
		c->xfr_wait = false;
		l->nxfr_wait--;
	}
	zt_xfr_end(c->xfr);
	free(c->xfr);
	c->xfr = NULL;
	free(c->tsig);
	c->tsig = NULL;
	l->nxfr--;
}

static void tcp_close(struct tcp_loop *l, struct tcp_conn *c)
{
	if (c->ev.fd < 0)
		return;
	tcp_xfr_stop(l, c);
	epoll_ctl(l->ep, EPOLL_CTL_DEL, c->ev.fd, NULL);
	close(c->ev.fd);
	c->ev.fd = -1;
	srv_stat_add(l->t, SRV_TCP_CLOSED, 1);
	srv_tcp_unlisted(l, c);
	l->nconns--;
	free(c->out);
	c->out = NULL;
	c->next[TCP_BY_ACTIVITY] = l->dead;
	l->dead = c;
}

static void tcp_want(struct tcp_loop *l, struct tcp_conn *c, uint32_t events)
{
	struct epoll_event ev = {.events = events, .data.ptr = c};

	if (c->events == events)
		return;
	if (epoll_ctl(l->ep, EPOLL_CTL_MOD, c->ev.fd, &ev) == 0)
		c->events = events;
	else
		tcp_close(l, c);
}

/*
 * The one place a finished transfer message is handed to the connection: LEN octets at
 * c->out + c->out_len + 2, after room for the length prefix, with at least ZT_XFR_TSIG_ROOM
 * octets free after them inside TCP_MSG_MAX. A signed transfer (RFC 8945 5.3.1) signs each
 * message here, its MAC chained to the previous one's, before the prefix is written.
 */
static int tcp_xfr_emit(struct tcp_conn *c, size_t len)
{
	if (c->tsig != NULL &&
	    tsig_sign(c->tsig, c->out + c->out_len + 2, len, TCP_MSG_MAX, &len) != 0)
		return SANDNS_ETOOBIG;
	c->out[c->out_len] = (uint8_t)(len >> 8);
	c->out[c->out_len + 1] = (uint8_t)len;
	c->out_len += 2 + len;
	return SANDNS_EOK;
}

/*
 * Renders the transfer's next message when little output waits, one a call (a turn): EPOLLOUT
 * brings the next. The snapshot is the transfer's own reference: any turn will do, the RCU
 * read-side section that found it is long over. Non-zero: the connection must close.
 */
static int tcp_xfr_turn(struct tcp_loop *l, struct tcp_conn *c)
{
	size_t len = 0;
	int rc;

	if (c->xfr == NULL || tcp_pending(c) >= TCP_XFR_OUT_LOW)
		return SANDNS_EOK;
	rc = zt_xfr_ready(c->xfr);
	if (rc == -EAGAIN) {
		/* Its zone's order is still being sorted: never block the thread on it. */
		if (!c->xfr_wait) {
			c->xfr_wait = true;
			l->nxfr_wait++;
		}
		return SANDNS_EOK;
	}
	if (c->xfr_wait) {
		c->xfr_wait = false;
		l->nxfr_wait--;
	}
	if (rc == SANDNS_EOK)
		rc = srv_tcp_reserve(c, 2 + TCP_MSG_MAX);
	if (rc == SANDNS_EOK)
		rc = zt_xfr_next(c->xfr, c->out + c->out_len + 2, TCP_MSG_MAX, &len);
	if (rc == SANDNS_EOK && len != 0)
		rc = tcp_xfr_emit(c, len);
	if (rc != SANDNS_EOK) {
		log_msg(LOG_WARNING, "zone transfer stopped: %s", sandns_strerror(rc));
		tcp_xfr_stop(l, c);
		return rc;
	}
	if (zt_xfr_done(c->xfr)) {
		tcp_xfr_stop(l, c);
		srv_stat_add(l->t, SRV_TCP_ANSWERED, 1);
		dgram_count(l->t->detail, &c->xfr_info);
	}
	return SANDNS_EOK;
}

/* Whether the input holds a complete message. */
static bool tcp_has_message(const struct tcp_conn *c)
{
	return c->in_len >= 2 && c->in_len - 2 >= ((size_t)c->in[0] << 8 | c->in[1]);
}

/* Answers the complete messages waiting in the input, in order, while output allows and
 * until one starts a transfer (the next is read once it is over). */
static int tcp_answer_queued(struct tcp_loop *l, struct tcp_conn *c)
{
	size_t off = 0, mlen;
	int rc = SANDNS_EOK;

	while (c->xfr == NULL && c->in_len - off >= 2 && tcp_pending(c) < TCP_OUT_SOFT) {
		mlen = (size_t)c->in[off] << 8 | c->in[off + 1];
		if (c->in_len - off - 2 < mlen)
			break;
		if (mlen == 0) {
			srv_stat_add(l->t, SRV_TCP_QUERIES, 1);
			srv_stat_add(l->t, SRV_TCP_DROPPED, 1);
			rc = SANDNS_EMALF;
		} else {
			rc = srv_tcp_answer(l, c, c->in + off + 2, mlen);
		}
		off += 2 + mlen;
		if (rc != SANDNS_EOK)
			break;
	}
	if (rc == SANDNS_EMALF) {
		/* Answers to the queries before it still go out; nothing after it is read. */
		c->eof = true;
		c->in_len = 0;
		return SANDNS_EOK;
	}
	if (off != 0) {
		memmove(c->in, c->in + off, c->in_len - off);
		c->in_len -= off;
		srv_tcp_msg_done(l, c); /* the next one's starts when we next wait for it */
	}
	return rc;
}

/* Writes what it can; -errno when the connection is broken. */
static int tcp_flush(struct tcp_loop *l, struct tcp_conn *c)
{
	ssize_t n;

	while (tcp_pending(c) != 0) {
		n = send(c->ev.fd, c->out + c->out_off, tcp_pending(c),
			 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return SANDNS_EOK;
			return -errno;
		}
		c->out_off += (size_t)n;
		srv_tcp_touch(l, c);
	}
	c->out_off = c->out_len = 0;
	if (c->out_cap > TCP_OUT_KEEP) {
		free(c->out);
		c->out = NULL;
		c->out_cap = 0;
	}
	return SANDNS_EOK;
}

/*
 * Everything the client sent is read and a message is still incomplete: a message that
 * trickles in keeps the connection from ever being idle, so it gets tcp-io-timeout to arrive
 * whole from when we first waited for its rest (as Knot's tcp-io-timeout), or the connection
 * goes, here or by the timer (tcp_expire) when nothing more comes. The clock is read now: a
 * batch that rendered a transfer may have taken a while.
 */
static bool tcp_msg_overdue(struct tcp_loop *l, struct tcp_conn *c)
{
	uint64_t now;

	if (c->in_len == 0)
		return false;
	now = clock_now_ms();
	if (c->msg_ms == 0) {
		srv_tcp_msg_wait(l, c, now);
		return false;
	}
	return now - c->msg_ms >= l->io_ms;
}

/*
 * Moves the connection as far as it goes without blocking, then sets what to wait for. EVENTS:
 * what epoll said of it (0 from the transfer-order timer).
 */
static void tcp_advance(struct tcp_loop *l, struct tcp_conn *c, uint32_t events)
{
	unsigned reads = 0;
	ssize_t n;

	for (;;) {
		if (tcp_answer_queued(l, c) != SANDNS_EOK || tcp_xfr_turn(l, c) != SANDNS_EOK ||
		    tcp_flush(l, c) != SANDNS_EOK) {
			tcp_close(l, c);
			return;
		}
		if (c->xfr != NULL) {
			/* Nothing is read during a transfer (its clock stops too). */
			srv_tcp_msg_done(l, c);
			if (!c->xfr_wait) {
				/* Its next message on a later turn, once the socket takes more. */
				tcp_want(l, c, EPOLLOUT);
				return;
			}
			/* Until the order is sorted only the timer moves it; a broken one goes. */
			if (events & (EPOLLERR | EPOLLHUP)) {
				tcp_close(l, c);
				return;
			}
			tcp_want(l, c, tcp_pending(c) != 0 ? EPOLLOUT : 0);
			return;
		}
		if (tcp_pending(c) != 0) {
			/* Stop reading until the client takes its answers (its clock stops too). */
			srv_tcp_msg_done(l, c);
			tcp_want(l, c, EPOLLOUT);
			return;
		}
		if (tcp_has_message(c))
			continue;
		if (c->eof) {
			/* Everything complete is answered; a partial message has no sender left. */
			tcp_close(l, c);
			return;
		}
		if (reads++ == TCP_READS_PER_EVENT) {
			/* More may be there, or not: a message begun is waited for from now. */
			srv_tcp_msg_wait(l, c, clock_now_ms());
			tcp_want(l, c, EPOLLIN);
			return;
		}
		/* No complete message is left, so the input has room for more. */
		n = recv(c->ev.fd, c->in + c->in_len, sizeof(c->in) - c->in_len, MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				if (tcp_msg_overdue(l, c)) {
					srv_stat_add(l->t, SRV_TCP_TIMEOUTS, 1);
					tcp_close(l, c);
					return;
				}
				tcp_want(l, c, EPOLLIN);
				return;
			}
			tcp_close(l, c);
			return;
		}
		if (n == 0) {
			c->eof = true;
			continue;
		}
		c->in_len += (size_t)n;
		srv_tcp_touch(l, c);
	}
}

/* tcp_advance(), then the connection is put on the list of what it now is (quiet or busy). */
static void tcp_progress(struct tcp_loop *l, struct tcp_conn *c, uint32_t events)
{
	tcp_advance(l, c, events);
	if (c->ev.fd >= 0)
		srv_tcp_settle(l, c);
}

/* The listeners in or out of epoll; false if one could not be added back. */
static bool tcp_listen_set(struct tcp_loop *l, bool on)
{
	struct epoll_event ev = {.events = EPOLLIN};
	bool ok = true;
	size_t i;

	for (i = 0; i < l->nlisteners; i++) {
		ev.data.ptr = &l->listeners[i];
		if (on)
			ok = epoll_ctl(l->ep, EPOLL_CTL_ADD, l->listeners[i].fd, &ev) == 0 && ok;
		else
			epoll_ctl(l->ep, EPOLL_CTL_DEL, l->listeners[i].fd, NULL);
	}
	return ok;
}

/*
 * accept() failed with ERR for want of a resource. Out of descriptors, the longest-idle quiet
 * client gives way as at tcp-max-clients if it has been quiet for TCP_EVICT_QUIET_MS (true: try
 * again); otherwise the listeners rest a while.
 */
static bool tcp_accept_failed(struct tcp_loop *l, int err)
{
	struct tcp_conn *old = l->quiet.head;

	srv_stat_add(l->t, SRV_TCP_ACCEPT_FAILED, 1);
	if ((err == EMFILE || err == ENFILE) && old != NULL &&
	    l->now_ms - old->last_ms >= TCP_EVICT_QUIET_MS) {
		srv_stat_add(l->t, SRV_TCP_EVICTED, 1);
		tcp_close(l, old);
		return true;
	}
	tcp_listen_set(l, false);
	l->paused_until = l->now_ms + l->pause_ms;
	if (l->fail_log_ms == 0 || l->now_ms - l->fail_log_ms >= TCP_FAIL_LOG_MS) {
		log_msg(LOG_WARNING,
			"cannot accept TCP connections: %s; not accepting for %llu ms "
			"(%llu more failures since the last message)",
			strerror(err), (unsigned long long)l->pause_ms,
			(unsigned long long)l->fail_unlogged);
		l->fail_log_ms = l->now_ms;
		l->fail_unlogged = 0;
	} else {
		l->fail_unlogged++;
	}
	l->pause_ms = l->pause_ms * 2 < TCP_PAUSE_MAX_MS ? l->pause_ms * 2 : TCP_PAUSE_MAX_MS;
	return false;
}

/* The pause is over: the listeners go back into epoll (until the next failure). */
static void tcp_listen_resume(struct tcp_loop *l)
{
	if (l->paused_until == 0 || l->now_ms < l->paused_until)
		return;
	l->paused_until = 0;
	if (!tcp_listen_set(l, true))
		log_msg(LOG_ERR, "TCP listeners cannot be watched again: %s", strerror(errno));
}

static void tcp_accept(struct tcp_loop *l, struct tcp_ev *lst)
{
	const int one = 1;
	unsigned i;

	for (i = 0; i < TCP_ACCEPTS_PER_EVENT; i++) {
		struct sockaddr_storage ss;
		socklen_t sslen = sizeof(ss);
		struct epoll_event ev;
		struct tcp_conn *c;
		int fd;

		fd = accept4(lst->fd, (struct sockaddr *)&ss, &sslen, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if ((errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
			     errno == ENOMEM) &&
			    tcp_accept_failed(l, errno))
				continue;
			return;
		}
		srv_stat_add(l->t, SRV_TCP_CONNECTIONS, 1);
		l->pause_ms = TCP_PAUSE_MIN_MS;
		if (l->nconns >= l->max_clients) {
			/*
			 * At the cap: the quiet connection idle the longest gives way, even when
			 * a busy one was idle longer; with none quiet, the new one goes.
			 */
			struct tcp_conn *old = l->quiet.head;

			if (old == NULL) {
				srv_stat_add(l->t, SRV_TCP_REFUSED, 1);
				srv_stat_add(l->t, SRV_TCP_CLOSED, 1);
				close(fd);
				continue;
			}
			srv_stat_add(l->t, SRV_TCP_EVICTED, 1);
			tcp_close(l, old);
		}
		c = malloc(sizeof(*c));
		if (c == NULL) {
			srv_stat_add(l->t, SRV_TCP_CLOSED, 1);
			close(fd);
			continue;
		}
		c->ev.kind = TCP_EV_CONN;
		c->ev.fd = fd;
		c->xfr_allowed = cfg_xfr_allowed(srv_live(l->t->srv), (struct sockaddr *)&ss, NULL);
		memcpy(&c->peer, &ss, sizeof(ss));
		c->tsig = NULL;
		c->eof = false;
		c->xfr_wait = false;
		c->xfr = NULL;
		c->events = EPOLLIN;
		c->out = NULL;
		c->out_off = c->out_len = c->out_cap = 0;
		c->in_len = 0;
		c->last_ms = l->now_ms;
		/* Responses are written whole; Nagle would hold back pipelined ones. */
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		ev.events = EPOLLIN;
		ev.data.ptr = c;
		if (epoll_ctl(l->ep, EPOLL_CTL_ADD, fd, &ev) != 0) {
			srv_stat_add(l->t, SRV_TCP_CLOSED, 1);
			close(fd);
			free(c);
			continue;
		}
		srv_tcp_listed(l, c);
		l->nconns++;
	}
}

/*
 * Closes the connections at the head of Q whose clock (BY_MSG: since their message began, else
 * since their last progress) is LIMIT past NOW; the time until the next one's is due goes into
 * *NEXT if sooner.
 */
static void tcp_expire_list(struct tcp_loop *l, struct tcp_list *q, bool by_msg, uint64_t limit,
			    uint64_t now, uint64_t *next)
{
	while (q->head != NULL) {
		const uint64_t since = by_msg ? q->head->msg_ms : q->head->last_ms;

		if (now - since < limit) {
			if (since + limit - now < *next)
				*next = since + limit - now;
			return;
		}
		srv_stat_add(l->t, SRV_TCP_TIMEOUTS, 1);
		tcp_close(l, q->head);
	}
}

/*
 * Closes connections idle past tcp-idle-timeout, and those whose message has not come whole
 * within tcp-io-timeout (nothing more came, so no event said so); returns the epoll timeout
 * until the next is due.
 */
static int tcp_expire(struct tcp_loop *l)
{
	const uint64_t now = clock_now_ms();
	uint64_t next = UINT64_MAX;

	tcp_expire_list(l, &l->msgs, true, l->io_ms, now, &next);
	tcp_expire_list(l, &l->quiet, false, l->idle_ms, now, &next);
	tcp_expire_list(l, &l->busy, false, l->idle_ms, now, &next);
	return next == UINT64_MAX ? -1 : (int)next;
}

/* Transfers that waited for their zone's order go on once it is there (a timer, not epoll). */
static void tcp_xfr_retry(struct tcp_loop *l)
{
	struct tcp_conn *c, *next;

	/* A transfer's connection is busy. */
	for (c = l->busy.head; c != NULL && l->nxfr_wait > 0; c = next) {
		next = c->next[TCP_BY_ACTIVITY];
		if (c->xfr_wait && zt_xfr_ready(c->xfr) != -EAGAIN)
			tcp_progress(l, c, 0);
	}
}

static void tcp_free_dead(struct tcp_loop *l)
{
	while (l->dead != NULL) {
		struct tcp_conn *c = l->dead;

		l->dead = c->next[TCP_BY_ACTIVITY];
		free(c);
	}
}

/*
 * How many clients the descriptors allow: the limit less those open now (the thread starts
 * after the sockets and the control loop's are made) and TCP_FD_RESERVE, so that the control
 * socket still answers when TCP clients hold all they may. Fewer than tcp-max-clients is said.
 */
static size_t tcp_fd_room(const cfg_t *cfg)
{
	struct rlimit rl;
	size_t open = 0, room;
	struct dirent *de;
	DIR *d;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
		return cfg->tcp_max_clients;
	d = opendir("/proc/self/fd");
	if (d == NULL)
		return cfg->tcp_max_clients;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			open++;
	closedir(d); /* its own descriptor was counted: one more margin */
	room = rl.rlim_cur > open + TCP_FD_RESERVE ? rl.rlim_cur - open - TCP_FD_RESERVE : 1;
	if (room >= cfg->tcp_max_clients)
		return cfg->tcp_max_clients;
	log_msg(LOG_WARNING,
		"%llu file descriptors allowed, %zu open: at most %zu TCP clients at once, not "
		"tcp-max-clients %u (%d are kept for the control socket)",
		(unsigned long long)rl.rlim_cur, open, room, cfg->tcp_max_clients, TCP_FD_RESERVE);
	return room;
}

static int tcp_loop_init(struct tcp_loop *l, struct srv_thread *t)
{
	struct epoll_event ev;
	size_t i;

	memset(l, 0, sizeof(*l));
	l->t = t;
	l->cfg = t->srv->cfg;
	l->idle_ms = (uint64_t)l->cfg->tcp_idle_timeout * 1000;
	l->io_ms = l->cfg->tcp_io_timeout;
	l->max_clients = tcp_fd_room(l->cfg);
	l->xfr_max = l->cfg->transfers_out;
	l->pause_ms = TCP_PAUSE_MIN_MS;
	l->ep = epoll_create1(EPOLL_CLOEXEC);
	if (l->ep < 0)
		return -errno;
	l->listeners = calloc(t->nfds, sizeof(l->listeners[0]));
	if (l->listeners == NULL)
		return -ENOMEM;
	for (i = 0; i < t->nfds; i++) {
		l->listeners[i].kind = TCP_EV_LISTENER;
		l->listeners[i].fd = t->fds[i];
		ev.events = EPOLLIN;
		ev.data.ptr = &l->listeners[i];
		if (epoll_ctl(l->ep, EPOLL_CTL_ADD, t->fds[i], &ev) != 0)
			return -errno;
		l->nlisteners++;
	}
	l->stop_ev.kind = TCP_EV_STOP;
	l->stop_ev.fd = t->srv->stop_fd;
	ev.events = EPOLLIN;
	ev.data.ptr = &l->stop_ev;
	if (epoll_ctl(l->ep, EPOLL_CTL_ADD, l->stop_ev.fd, &ev) != 0)
		return -errno;
	return SANDNS_EOK;
}

static void tcp_loop_fini(struct tcp_loop *l)
{
	while (l->quiet.head != NULL)
		tcp_close(l, l->quiet.head);
	while (l->busy.head != NULL)
		tcp_close(l, l->busy.head);
	tcp_free_dead(l);
	free(l->listeners);
	if (l->ep >= 0)
		close(l->ep);
}

void *srv_tcp_main(void *arg)
{
	struct epoll_event events[TCP_EVENTS];
	struct srv_thread *t = arg;
	struct tcp_loop l;
	bool stop = false;
	int timeout = -1, rc, n, i;

	rc = tcp_loop_init(&l, t);
	if (rc != SANDNS_EOK) {
		log_msg(LOG_ERR, "TCP thread cannot start: %s", sandns_strerror(rc));
		tcp_loop_fini(&l);
		return NULL;
	}
	rcu_register_thread();
	while (!stop) {
		/* Offline while blocked: grace periods never wait for an idle thread. */
		rcu_thread_offline();
		n = epoll_wait(l.ep, events, TCP_EVENTS, timeout);
		rcu_thread_online();
		l.now_ms = clock_now_ms();
		l.zt = zpub_current();
		for (i = 0; i < n; i++) {
			struct tcp_ev *ev = events[i].data.ptr;

			if (ev->kind == TCP_EV_STOP)
				stop = true;
			else if (ev->kind == TCP_EV_LISTENER) {
				/* Paused (accept failed): a listener is never a connection. */
				if (l.paused_until == 0)
					tcp_accept(&l, ev);
			} else if (ev->fd >= 0)
				tcp_progress(&l, (struct tcp_conn *)ev, events[i].events);
		}
		if (l.nxfr_wait > 0)
			tcp_xfr_retry(&l);
		l.zt = NULL;
		rcu_quiescent_state();
		timeout = tcp_expire(&l);
		tcp_free_dead(&l);
		tcp_listen_resume(&l);
		if (l.paused_until != 0 &&
		    (timeout < 0 || (uint64_t)timeout > l.paused_until - l.now_ms))
			timeout = (int)(l.paused_until - l.now_ms);
		if (l.nxfr_wait > 0 && (timeout < 0 || timeout > TCP_XFR_RETRY_MS))
			timeout = TCP_XFR_RETRY_MS;
	}
	rcu_unregister_thread();
	tcp_loop_fini(&l);
	return NULL;
}
