/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_client.c: the control socket: binding it, its clients, their requests in and replies out */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>

#include "clock.h"
#include "ctl_proto.h"
#include "ctl_pvt.h"
#include "log.h"
#include "sandns_err.h"

/* Control clients are few (operators, scripts); these bound what a stuck one can hold. */
/* At the cap, a client silent (or not reading) this long gives its place to a new one. */
#define CTL_EVICT_IDLE_MS 1000
#define CTL_CLIENT_IDLE_MS (60 * 1000)
/* accept() short of descriptors or memory: the listener rests, as the TCP thread's do. */
#define CTL_PAUSE_MIN_MS 100
#define CTL_PAUSE_MAX_MS 1000
#define CTL_FAIL_LOG_MS 5000

struct ctl_client {
	struct ctl_ev ev; /* first: epoll hands back this pointer */
	bool eof;	  /* the client shut its side: answer what came, then close */
	bool close_after; /* close once the output is sent */
	bool draining;	  /* refused: our side is shut, input is read and dropped until EOF */
	bool deferred;	  /* its reply comes later (ctl_client_answer); no event asked for */
	uint32_t events;
	uint64_t last_ms;
	struct ctl_client *prev, *next;
	char *out;
	size_t out_off, out_len;
	size_t in_len;
	char in[CTL_LINE_MAX];
};

/* The pid written in the lock file LOCK_FD (of whoever holds it), or 0 if none is there. */
static long ctl_lock_pid(int lock_fd)
{
	char text[32];
	ssize_t n = pread(lock_fd, text, sizeof(text) - 1, 0);

	if (n <= 0)
		return 0;
	text[n] = '\0';
	return strtol(text, NULL, 10);
}

void ctl_lock_note_pid(ctl_t *ctl)
{
	char text[32];
	int n;

	if (ctl->lock_fd < 0)
		return;
	n = snprintf(text, sizeof(text), "%ld\n", (long)getpid());
	if (ftruncate(ctl->lock_fd, 0) != 0 || pwrite(ctl->lock_fd, text, (size_t)n, 0) != n)
		log_msg(LOG_WARNING, "cannot write the pid into %s.lock: %s", ctl->sock_path,
			strerror(errno));
}

/*
 * Takes PATH.lock (flock, held until ctl_unbind): the daemon holding it owns PATH. A relative
 * PATH is made absolute first: the daemon changes directory when it goes into the background.
 */
static int ctl_lock(ctl_t *ctl, const char *path, char *err, size_t errlen)
{
	char cwd[4096], *lock = NULL;
	int rc;

	if (path[0] == '/')
		ctl->sock_path = strdup(path);
	else if (getcwd(cwd, sizeof(cwd)) == NULL ||
		 asprintf(&ctl->sock_path, "%s/%s", cwd, path) < 0)
		ctl->sock_path = NULL;
	if (ctl->sock_path == NULL || asprintf(&lock, "%s.lock", ctl->sock_path) < 0) {
		snprintf(err, errlen, "control socket %s: %s", path, strerror(errno));
		return -errno;
	}
	ctl->lock_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (ctl->lock_fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "cannot open the control socket's lock file %s: %s", lock,
			 strerror(errno));
		free(lock);
		return rc;
	}
	if (flock(ctl->lock_fd, LOCK_EX | LOCK_NB) != 0) {
		rc = -errno;
		if (errno == EWOULDBLOCK)
			snprintf(err, errlen,
				 "another sandnsd holds %s (pid %ld); stop it or pick another "
				 "--control",
				 lock, ctl_lock_pid(ctl->lock_fd));
		else
			snprintf(err, errlen, "cannot lock %s: %s", lock, strerror(errno));
		close(ctl->lock_fd);
		ctl->lock_fd = -1;
		free(lock);
		return rc == -EWOULDBLOCK ? -EADDRINUSE : rc;
	}
	free(lock);
	ctl_lock_note_pid(ctl);
	return SANDNS_EOK;
}

int ctl_bind(ctl_t *ctl, const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	struct stat st;
	mode_t old;
	int fd, rc;

	rc = ctl_lock(ctl, path, err, errlen);
	if (rc != SANDNS_EOK)
		return rc;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			snprintf(err, errlen,
				 "control socket %s: the path exists and is not a "
				 "socket; remove it or pick another --control",
				 path);
			return -EEXIST;
		}
		/* We hold the lock: no sandnsd owns it, whoever may still listen there. */
		if (unlink(path) != 0 && errno != ENOENT) {
			rc = -errno;
			snprintf(err, errlen, "control socket %s: cannot remove the stale one: %s",
				 path, strerror(errno));
			return rc;
		}
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "control socket: %s", strerror(errno));
		return rc;
	}
	/* Owner-only from the start: no moment where others could connect. */
	old = umask(0177);
	rc = bind(fd, (struct sockaddr *)&sun, sizeof(sun));
	umask(old);
	if (rc != 0 || chmod(path, 0600) != 0 || lstat(path, &st) != 0 || listen(fd, 16) != 0) {
		rc = -errno;
		snprintf(err, errlen, "cannot create the control socket %s: %s", path,
			 strerror(errno));
		close(fd);
		return rc;
	}
	/* What ctl_unbind removes: this file, not whatever may be at PATH by then. */
	ctl->sock_dev = st.st_dev;
	ctl->sock_ino = st.st_ino;
	ctl->own_path = true;
	return fd;
}

void ctl_unbind(ctl_t *ctl)
{
	struct stat st;

	if (ctl->own_path && lstat(ctl->sock_path, &st) == 0 && st.st_dev == ctl->sock_dev &&
	    st.st_ino == ctl->sock_ino)
		unlink(ctl->sock_path);
	ctl->own_path = false;
	/* The lock goes last, with the socket file gone; the lock file stays (see ctl_lock). */
	if (ctl->lock_fd >= 0)
		close(ctl->lock_fd);
	ctl->lock_fd = -1;
	free(ctl->sock_path);
	ctl->sock_path = NULL;
}

static void ctl_client_close(ctl_t *ctl, struct ctl_client *c)
{
	if (c->ev.fd < 0)
		return;
	epoll_ctl(ctl->ep, EPOLL_CTL_DEL, c->ev.fd, NULL);
	close(c->ev.fd);
	c->ev.fd = -1;
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		ctl->clients = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	ctl->nclients--;
	if (ctl->reload_client == c)
		ctl->reload_client = NULL; /* the reload goes on; its reply is dropped */
	for (struct ctl_waiter *w = ctl->waiters; w != NULL; w = w->next)
		if (w->c == c)
			w->c = NULL; /* likewise for the reload thread's */
	free(c->out);
	c->out = NULL;
	c->next = ctl->dead;
	ctl->dead = c;
}

static void ctl_client_want(ctl_t *ctl, struct ctl_client *c, uint32_t events)
{
	struct epoll_event ev = {.events = events, .data.ptr = c};

	if (c->events == events)
		return;
	if (epoll_ctl(ctl->ep, EPOLL_CTL_MOD, c->ev.fd, &ev) == 0)
		c->events = events;
	else
		ctl_client_close(ctl, c);
}

/* Answers one request of client C (LEN bytes, NUL-terminated) into its (empty) output. */
static void ctl_client_request(ctl_t *ctl, struct ctl_client *c, const char *line, size_t len)
{
	bool stop = false;

	free(c->out);
	c->out = NULL;
	c->out_off = c->out_len = 0;
	ctl->defer_ok = true;
	if (ctl_handle_request(ctl, line, len, &c->out, &c->out_len, &stop) != SANDNS_EOK) {
		c->out = strdup("error: out of memory\n.\n");
		c->out_len = c->out != NULL ? strlen(c->out) : 0;
		c->close_after = true;
	} else if (ctl->deferred) {
		/* The handler answers later: the reload thread's job, or a `policy reload`
		 * fetching endpoints first. */
		free(c->out);
		c->out = NULL;
		c->out_len = 0;
		c->deferred = true;
		if (ctl->defer_waiter != NULL)
			ctl->defer_waiter->c = c;
		else
			ctl->reload_client = c;
	}
	ctl->defer_waiter = NULL;
	ctl->defer_ok = false;
	ctl->deferred = false;
	if (stop)
		ctl->stop = true;
}

/* A fixed reply to client C's request (its output is empty). */
static void ctl_client_reply(struct ctl_client *c, const char *text)
{
	free(c->out);
	c->out = strdup(text);
	c->out_off = 0;
	c->out_len = c->out != NULL ? strlen(c->out) : 0;
	if (c->out == NULL)
		c->close_after = true;
}

/* Moves the client of EV along: send output, then take the next request line. */
void ctl_client_io(ctl_t *ctl, struct ctl_ev *ev)
{
	struct ctl_client *c = (struct ctl_client *)ev;
	char *nl;
	ssize_t n;

	if (c->deferred) {
		/* Waiting for its reply with no event asked for: only a hang-up or an error. */
		ctl_client_close(ctl, c);
		return;
	}
	for (;;) {
		while (c->out_off < c->out_len) {
			n = send(c->ev.fd, c->out + c->out_off, c->out_len - c->out_off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
				ctl_client_want(ctl, c, EPOLLOUT);
				return;
			}
			if (n < 0) {
				ctl_client_close(ctl, c);
				return;
			}
			c->out_off += (size_t)n;
			c->last_ms = clock_now_ms();
		}
		if (ctl->stop)
			return;
		if (c->deferred) {
			ctl_client_want(ctl, c, 0);
			return;
		}
		if (c->close_after && !c->draining) {
			if (c->in_len == 0 && c->eof) {
				ctl_client_close(ctl, c);
				return;
			}
			/*
			 * Closing with unread input would reset the connection and could destroy
			 * the reply before the client reads it: shut our side and drop the rest.
			 */
			shutdown(c->ev.fd, SHUT_WR);
			c->draining = true;
		}
		if (c->draining) {
			n = recv(c->ev.fd, c->in, sizeof(c->in), MSG_DONTWAIT);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
				ctl_client_want(ctl, c, EPOLLIN);
				return;
			}
			if (n <= 0) {
				ctl_client_close(ctl, c);
				return;
			}
			/* One read per event; no last_ms update: the idle limit ends it. */
			ctl_client_want(ctl, c, EPOLLIN);
			return;
		}
		nl = memchr(c->in, '\n', c->in_len);
		if (nl != NULL) {
			size_t used = (size_t)(nl - c->in) + 1;

			*nl = '\0';
			ctl_client_request(ctl, c, c->in, used - 1);
			memmove(c->in, c->in + used, c->in_len - used);
			c->in_len -= used;
			continue;
		}
		if (c->in_len == sizeof(c->in)) {
			/* No end in sight: answer once and hang up rather than guess the end. */
			free(c->out);
			c->out = NULL;
			if (asprintf(&c->out, "error: request longer than %d bytes\n.\n",
				     CTL_LINE_MAX) < 0)
				c->out = NULL;
			c->out_off = 0;
			c->out_len = c->out != NULL ? strlen(c->out) : 0;
			c->in_len = 0;
			c->close_after = true;
			continue;
		}
		if (c->eof) {
			if (c->in_len == 0) {
				ctl_client_close(ctl, c);
				return;
			}
			/* A last request without its newline still gets its answer. */
			c->in[c->in_len] = '\0';
			ctl_client_request(ctl, c, c->in, c->in_len);
			c->in_len = 0;
			c->close_after = true;
			continue;
		}
		/* Not full (see above): a last line without its newline can be terminated. */
		n = recv(c->ev.fd, c->in + c->in_len, sizeof(c->in) - c->in_len, MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			ctl_client_want(ctl, c, EPOLLIN);
			return;
		}
		if (n < 0) {
			ctl_client_close(ctl, c);
			return;
		}
		if (n == 0)
			c->eof = true;
		c->in_len += (size_t)n;
		c->last_ms = clock_now_ms();
	}
}

/*
 * The socket file is 0600, but its mode is only as good as the directory it sits in and the
 * operator's chmod: the kernel's word on who connected decides. Root and the daemon's own
 * user may command it; anyone else is told why and let go.
 */
/*
 * Sends a refusal to a client not taken on. A request already there is read and dropped: the
 * close that follows would otherwise make the peer's next read after the refusal a reset.
 */
static void ctl_refuse(int fd, const char *msg, size_t len)
{
	char drop[512];

	if (send(fd, msg, len, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
		log_msg(LOG_DEBUG, "control client refused: %s", strerror(errno));
	for (int i = 0; i < 8 && recv(fd, drop, sizeof(drop), MSG_DONTWAIT) > 0; i++)
		;
}

static bool ctl_peer_allowed(ctl_t *ctl, int fd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	char msg[128];
	int n;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 || len != sizeof(cred)) {
		log_msg(LOG_WARNING, "control client refused: no peer credentials (%s)",
			strerror(errno));
		return false;
	}
	if (cred.uid == 0 || cred.uid == geteuid())
		return true;
	ctl->refused++;
	/*
	 * The reason, then the connection closed: a refused peer takes no client slot. On a Unix
	 * socket what was sent stays readable after the close (sandnsctl reads it even when its
	 * own request then meets a broken pipe).
	 */
	n = snprintf(msg, sizeof(msg),
		     "error: permission denied: uid %u may not use the control socket\n.\n",
		     (unsigned)cred.uid);
	ctl_refuse(fd, msg, (size_t)n);
	/* One line per second at most: a local user must not be able to flood the log. */
	if (clock_now_ms() - ctl->refused_log_ms >= 1000) {
		log_msg(LOG_WARNING,
			"control client refused: uid %u pid %d is neither root nor uid %u "
			"(%llu refused so far)",
			(unsigned)cred.uid, (int)cred.pid, (unsigned)geteuid(),
			(unsigned long long)ctl->refused);
		ctl->refused_log_ms = clock_now_ms();
	}
	return false;
}

/*
 * At the cap: the client that has made no progress the longest, if for CTL_EVICT_IDLE_MS, or
 * NULL. One that does not read its reply counts as one that says nothing: else 256 clients
 * that ask and never read would keep everyone out for CTL_CLIENT_IDLE_MS, again and again. One
 * waiting for a reload's reply is waiting on us (CTL_WAITERS_MAX leaves room beside them).
 */
static struct ctl_client *ctl_evictable(ctl_t *ctl)
{
	struct ctl_client *c, *best = NULL;
	const uint64_t now = clock_now_ms();

	for (c = ctl->clients; c != NULL; c = c->next)
		if (!c->deferred && (best == NULL || c->last_ms < best->last_ms))
			best = c;
	return best != NULL && now - best->last_ms >= CTL_EVICT_IDLE_MS ? best : NULL;
}

/*
 * accept() failed with ERR for want of a resource. Out of descriptors, a client silent for
 * CTL_EVICT_IDLE_MS gives way (true: try again), so that an operator still gets in; otherwise
 * the listener leaves epoll for a while (ctl_accept_tick() puts it back).
 */
static bool ctl_accept_failed(ctl_t *ctl, int err)
{
	const uint64_t now = clock_now_ms();
	struct ctl_client *old;

	ctl->accept_failed++;
	if ((err == EMFILE || err == ENFILE) && (old = ctl_evictable(ctl)) != NULL) {
		ctl_client_close(ctl, old);
		return true;
	}
	epoll_ctl(ctl->ep, EPOLL_CTL_DEL, ctl->listen_ev.fd, NULL);
	if (ctl->listen_pause_ms == 0)
		ctl->listen_pause_ms = CTL_PAUSE_MIN_MS;
	ctl->listen_paused_until = now + ctl->listen_pause_ms;
	if (ctl->accept_fail_log_ms == 0 || now - ctl->accept_fail_log_ms >= CTL_FAIL_LOG_MS) {
		log_msg(LOG_WARNING,
			"control socket: cannot accept clients: %s; not accepting for %llu ms "
			"(%llu failures so far)",
			strerror(err), (unsigned long long)ctl->listen_pause_ms,
			(unsigned long long)ctl->accept_failed);
		ctl->accept_fail_log_ms = now;
	}
	ctl->listen_pause_ms = ctl->listen_pause_ms * 2 < CTL_PAUSE_MAX_MS
				   ? ctl->listen_pause_ms * 2
				   : CTL_PAUSE_MAX_MS;
	return false;
}

int ctl_accept_tick(ctl_t *ctl, int timeout)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &ctl->listen_ev};
	const uint64_t now = clock_now_ms();

	if (ctl->listen_paused_until == 0)
		return timeout;
	if (now < ctl->listen_paused_until) {
		if ((uint64_t)timeout > ctl->listen_paused_until - now)
			return (int)(ctl->listen_paused_until - now);
		return timeout;
	}
	ctl->listen_paused_until = 0;
	if (epoll_ctl(ctl->ep, EPOLL_CTL_ADD, ctl->listen_ev.fd, &ev) != 0)
		log_msg(LOG_ERR, "control socket cannot be watched again: %s", strerror(errno));
	return timeout;
}

void ctl_accept(ctl_t *ctl)
{
	struct epoll_event ev;
	struct ctl_client *c;
	int fd, i;

	if (ctl->listen_paused_until != 0)
		return;
	for (i = 0; i < 16; i++) {
		fd = accept4(ctl->listen_ev.fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if ((errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
			     errno == ENOMEM) &&
			    ctl_accept_failed(ctl, errno))
				continue;
			return;
		}
		ctl->listen_pause_ms = CTL_PAUSE_MIN_MS;
		if (!ctl_peer_allowed(ctl, fd)) {
			close(fd);
			continue;
		}
		if (ctl->nclients >= CTL_CLIENTS_MAX) {
			struct ctl_client *old = ctl_evictable(ctl);

			if (old != NULL) {
				ctl_client_close(ctl, old);
			} else {
				static const char busy[] = "error: too many control clients\n.\n";

				ctl_refuse(fd, busy, sizeof(busy) - 1);
				close(fd);
				continue;
			}
		}
		c = malloc(sizeof(*c));
		if (c == NULL) {
			close(fd);
			continue;
		}
		c->ev.kind = CTL_EV_CLIENT;
		c->ev.fd = fd;
		c->eof = false;
		c->close_after = false;
		c->draining = false;
		c->deferred = false;
		c->events = EPOLLIN;
		c->last_ms = clock_now_ms();
		c->out = NULL;
		c->out_off = c->out_len = 0;
		c->in_len = 0;
		ev.events = EPOLLIN;
		ev.data.ptr = c;
		if (epoll_ctl(ctl->ep, EPOLL_CTL_ADD, fd, &ev) != 0) {
			close(fd);
			free(c);
			continue;
		}
		c->prev = NULL;
		c->next = ctl->clients;
		if (ctl->clients != NULL)
			ctl->clients->prev = c;
		ctl->clients = c;
		ctl->nclients++;
	}
}

void ctl_client_answer(ctl_t *ctl, struct ctl_client *c, char *out, size_t len)
{
	if (c == NULL || c->ev.fd < 0) {
		free(out);
		return;
	}
	c->deferred = false;
	c->last_ms = clock_now_ms();
	if (out == NULL) {
		ctl_client_reply(c, "error: out of memory\n.\n");
		c->close_after = true;
	} else {
		free(c->out);
		c->out = out;
		c->out_off = 0;
		c->out_len = len;
	}
	ctl_client_io(ctl, &c->ev);
}

void ctl_clients_free_dead(ctl_t *ctl)
{
	while (ctl->dead != NULL) {
		struct ctl_client *c = ctl->dead;

		ctl->dead = c->next;
		free(c);
	}
}

void ctl_clients_expire(ctl_t *ctl)
{
	const uint64_t now = clock_now_ms();
	struct ctl_client *c, *next;

	for (c = ctl->clients; c != NULL; c = next) {
		next = c->next;
		if (now - c->last_ms >= CTL_CLIENT_IDLE_MS && !c->deferred)
			ctl_client_close(ctl, c);
	}
	ctl_clients_free_dead(ctl);
}

void ctl_clients_close(ctl_t *ctl)
{
	/* Last words (the reply to `stop`) go out if the socket takes them now. */
	while (ctl->clients != NULL) {
		struct ctl_client *c = ctl->clients;

		if (c->out_off < c->out_len &&
		    send(c->ev.fd, c->out + c->out_off, c->out_len - c->out_off,
			 MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
			log_msg(LOG_DEBUG, "control reply lost: %s", strerror(errno));
		ctl_client_close(ctl, c);
	}
	ctl_clients_free_dead(ctl);
}
