/* SPDX-License-Identifier: BSD-3-Clause */
/* srv.c: sockets, threads and counters of the kernel-socket server */
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "sandns_err.h"
#include "srv_pvt.h"

#ifndef IPV6_FREEBIND
#define IPV6_FREEBIND 78 /* linux/in6.h; not in every libc's netinet/in.h */
#endif

/* Ask for this much socket receive buffer: absorbs bursts while a worker is busy. */
#define SRV_UDP_RCVBUF (4 << 20)
#define SRV_TCP_BACKLOG 1024

const char *const srv_stat_names[SRV_STAT_COUNT] = {
    [SRV_UDP_SEND_FAILED] = "udp-send-failed",
    [SRV_TCP_CONNECTIONS] = "tcp-connections",
    [SRV_TCP_REFUSED] = "tcp-refused",
    [SRV_TCP_EVICTED] = "tcp-evicted",
    [SRV_TCP_ACCEPT_FAILED] = "tcp-accept-failed",
    [SRV_TCP_TIMEOUTS] = "tcp-timeouts",
    [SRV_TCP_QUERIES] = "tcp-queries",
    [SRV_TCP_ANSWERED] = "tcp-answered",
    [SRV_TCP_DROPPED] = "tcp-dropped",
    [SRV_TCP_CLOSED] = "tcp-closed",
    [SRV_XFR] = "xfr",
    [SRV_XFR_FAILED] = "xfr-failed",
    [SRV_XFR_DONE] = "xfr-done",
    [SRV_XFR_REFUSED] = "xfr-refused",
    DGRAM_STAT_NAMES(SRV_DGRAM),
};

static bool srv_is_wildcard(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return ((const struct sockaddr_in *)ss)->sin_addr.s_addr == htonl(INADDR_ANY);
	return IN6_IS_ADDR_UNSPECIFIED(&((const struct sockaddr_in6 *)ss)->sin6_addr);
}

/* A bound socket for A (SOCK_DGRAM or SOCK_STREAM), or -errno with the reason in err. */
static int srv_socket(const cfg_addr_t *a, int type, bool freebind, char *err, size_t errlen)
{
	const int one = 1, family = a->ss.ss_family;
	const char *proto = type == SOCK_DGRAM ? "UDP" : "TCP";
	int fd, rc;

	fd = socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "cannot open a %s socket for %s: %s", proto, a->text,
			 strerror(errno));
		return rc;
	}
	/* v4 and v6 addresses are separate listen entries, so :: must not take v4 too. */
	if (family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (type == SOCK_DGRAM) {
		const int rcvbuf = SRV_UDP_RCVBUF;

		/* Every worker binds its own socket to the address; the kernel spreads flows. */
		if (setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) != 0) {
			rc = -errno;
			snprintf(err, errlen, "cannot set SO_REUSEPORT on %s: %s", a->text,
				 strerror(errno));
			goto out_close;
		}
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
		/* Never fragment on a learned path MTU (spoofed ICMP could make us). */
		if (family == AF_INET) {
			const int omit = IP_PMTUDISC_OMIT;

			setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &omit, sizeof(omit));
		} else {
			const int omit = IPV6_PMTUDISC_OMIT;

			setsockopt(fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER, &omit, sizeof(omit));
		}
		/* On a wildcard address, answer from the address the query was sent to. */
		if (srv_is_wildcard(&a->ss)) {
			if (family == AF_INET)
				setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one));
			else
				setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one));
		}
	} else {
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	}
	/* io dpdk: the address appears on the dataplane's TAP only once the ports are up. */
	if (freebind) {
		if (family == AF_INET)
			rc = setsockopt(fd, IPPROTO_IP, IP_FREEBIND, &one, sizeof(one));
		else
			rc = setsockopt(fd, IPPROTO_IPV6, IPV6_FREEBIND, &one, sizeof(one));
		if (rc != 0) {
			rc = -errno;
			snprintf(err, errlen, "cannot set FREEBIND on %s: %s", a->text,
				 strerror(errno));
			goto out_close;
		}
	}
	if (bind(fd, (const struct sockaddr *)&a->ss, a->len) != 0) {
		rc = -errno;
		snprintf(err, errlen, "cannot bind %s %s: %s%s", proto, a->text, strerror(errno),
			 errno == EACCES ? " (ports below 1024 need root or CAP_NET_BIND_SERVICE)"
			 : errno == EADDRINUSE ? " (another server uses it; pick another --listen)"
			 : errno == EADDRNOTAVAIL ? " (no interface has this address)"
						  : "");
		goto out_close;
	}
	if (type == SOCK_STREAM && listen(fd, SRV_TCP_BACKLOG) != 0) {
		rc = -errno;
		snprintf(err, errlen, "cannot listen on TCP %s: %s", a->text, strerror(errno));
		goto out_close;
	}
	return fd;

out_close:
	close(fd);
	return rc;
}

static void srv_close_fds(struct srv_thread *t)
{
	size_t i;

	for (i = 0; i < t->nfds; i++)
		if (t->fds[i] >= 0)
			close(t->fds[i]);
	free(t->fds);
	t->fds = NULL;
	t->nfds = 0;
}

/* Room for the TCP connections plus every socket and a margin for the control clients. */
static void srv_raise_nofile(const cfg_t *cfg)
{
	struct rlimit rl;
	rlim_t want =
	    (rlim_t)cfg->tcp_max_clients + 64 + (rlim_t)cfg->nlistens * (cfg->udp_workers + 1) + 64;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= want)
		return;
	rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > want ? want : rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur < want)
		log_msg(LOG_WARNING,
			"only %lu file descriptors allowed; tcp-max-clients %u may "
			"not be reached",
			(unsigned long)rl.rlim_cur, cfg->tcp_max_clients);
}

/*
 * Binds the sockets of address A for every thread. A default address whose family or address
 * the host lacks fails on the first socket, before anything is bound: it is skipped (1).
 */
static int srv_bind_address(srv_t *srv, const cfg_addr_t *a, char *err, size_t errlen)
{
	struct srv_thread *tcp = &srv->threads[srv->nthreads - 1];
	size_t w;
	int fd;

	for (w = 0; w < srv->nthreads; w++) {
		struct srv_thread *t = &srv->threads[w];

		fd = srv_socket(a, t == tcp ? SOCK_STREAM : SOCK_DGRAM, srv->cfg->io == CFG_IO_DPDK,
				err, errlen);
		if (fd == -EAFNOSUPPORT || fd == -EADDRNOTAVAIL) {
			if (a->is_default && w == 0) {
				log_msg(LOG_NOTICE, "not listening on %s: %s", a->text, err);
				return 1;
			}
		}
		if (fd < 0)
			return fd;
		t->fds[t->nfds++] = fd;
	}
	return SANDNS_EOK;
}

void srv_set_cfg(srv_t *srv, const cfg_t *cfg)
{
	if (srv->live == cfg)
		return;
	rcu_assign_pointer(srv->live, (cfg_t *)cfg);
	/* Not a reader (the reload thread): waits for every serving thread's quiescent state. */
	synchronize_rcu();
}

srv_t *srv_new(const cfg_t *cfg, char *err, size_t errlen)
{
	srv_t *srv;
	size_t i;
	int rc;

	srv = calloc(1, sizeof(*srv));
	if (srv == NULL)
		goto out_nomem;
	srv->cfg = cfg;
	srv->live = (cfg_t *)cfg;
	srv->stop_fd = -1;
	/*
	 * io dpdk: UDP is the dataplane's; what it passes to the kernel through its TAP is served
	 * here: TCP by the TCP thread, and by one UDP thread the queries the workers cannot answer
	 * (signed with TSIG, IXFR: the keys and the transfer ACL are here; NOTIFY for secondary
	 * zones: dp_pkt.c).
	 */
	srv->nthreads = cfg->io == CFG_IO_DPDK ? 2 : cfg->udp_workers + 1;
	srv->threads = aligned_alloc(SRV_CACHE_LINE, srv->nthreads * sizeof(srv->threads[0]));
	srv->listens = calloc(cfg->nlistens, sizeof(srv->listens[0]));
	if (srv->threads == NULL || srv->listens == NULL)
		goto out_free;
	memset(srv->threads, 0, srv->nthreads * sizeof(srv->threads[0]));
	for (i = 0; i < srv->nthreads; i++) {
		struct srv_thread *t = &srv->threads[i];

		t->srv = srv;
		if (i + 1 < srv->nthreads)
			snprintf(t->name, sizeof(t->name), "udp%u", (unsigned)(i % 100));
		else
			snprintf(t->name, sizeof(t->name), "tcp");
		t->fds = calloc(cfg->nlistens, sizeof(t->fds[0]));
		if (t->fds == NULL)
			goto out_free;
	}
	srv->stop_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (srv->stop_fd < 0) {
		snprintf(err, errlen, "cannot create an eventfd: %s", strerror(errno));
		goto out_free;
	}
	srv_raise_nofile(cfg);

	for (i = 0; i < cfg->nlistens; i++) {
		rc = srv_bind_address(srv, &cfg->listens[i], err, errlen);
		if (rc < 0)
			goto out_free;
		if (rc == SANDNS_EOK)
			srv->listens[srv->nlistens++] = &cfg->listens[i];
	}
	if (srv->nlistens == 0) {
		snprintf(err, errlen, "no address to listen on: add --listen ADDR[@PORT]");
		goto out_free;
	}
	return srv;

out_nomem:
	snprintf(err, errlen, "out of memory");
	return NULL;
out_free:
	srv_free(&srv);
	return NULL;
}

int srv_start(srv_t *srv, char *err, size_t errlen)
{
	size_t i;
	int rc;

	for (i = 0; i < srv->nthreads; i++) {
		struct srv_thread *t = &srv->threads[i];
		char tname[16];

		rc = pthread_create(&t->tid, NULL,
				    i + 1 < srv->nthreads ? srv_udp_main : srv_tcp_main, t);
		if (rc != 0) {
			snprintf(err, errlen, "cannot start thread %s: %s", t->name, strerror(rc));
			srv->running = true;
			srv_stop(srv);
			return -rc;
		}
		t->started = true;
		snprintf(tname, sizeof(tname), "sandns-%.8s", t->name);
		pthread_setname_np(t->tid, tname);
	}
	srv->running = true;
	return SANDNS_EOK;
}

void srv_stop(srv_t *srv)
{
	const uint64_t one = 1;
	size_t i;

	if (srv == NULL || !srv->running)
		return;
	__atomic_store_n(&srv->stopping, 1, __ATOMIC_RELEASE);
	if (write(srv->stop_fd, &one, sizeof(one)) != sizeof(one))
		log_msg(LOG_ERR, "cannot wake the serving threads: %s", strerror(errno));
	for (i = 0; i < srv->nthreads; i++) {
		if (!srv->threads[i].started)
			continue;
		pthread_join(srv->threads[i].tid, NULL);
		srv->threads[i].started = false;
	}
	srv->running = false;
}

void srv_free(srv_t **srvp)
{
	srv_t *srv;
	size_t i;

	if (srvp == NULL || *srvp == NULL)
		return;
	srv = *srvp;
	srv_stop(srv);
	if (srv->threads != NULL) {
		for (i = 0; i < srv->nthreads; i++)
			srv_close_fds(&srv->threads[i]);
		free(srv->threads);
	}
	if (srv->stop_fd >= 0)
		close(srv->stop_fd);
	free(srv->listens);
	free(srv);
	*srvp = NULL;
}

size_t srv_listen_count(const srv_t *srv)
{
	return srv->nlistens;
}

const char *srv_listen_text(const srv_t *srv, size_t i)
{
	return srv->listens[i]->text;
}

void srv_set_dnstap(srv_t *srv, dnstap_t *tap)
{
	for (size_t i = 0; i < srv->nthreads; i++)
		srv->threads[i].tap = dnstap_queue(tap);
}

size_t srv_thread_count(const srv_t *srv)
{
	return srv->nthreads;
}

const char *srv_thread_name(const srv_t *srv, size_t i)
{
	return srv->threads[i].name;
}

void srv_thread_stats(const srv_t *srv, size_t i, uint64_t out[SRV_STAT_COUNT])
{
	size_t s;

	for (s = 0; s < SRV_DGRAM; s++)
		out[s] = __atomic_load_n(&srv->threads[i].stats[s], __ATOMIC_RELAXED);
	dgram_stats_read(&srv->threads[i].stats[SRV_DGRAM], srv->threads[i].detail,
			 &out[SRV_DGRAM]);
}

bool srv_thread_tcp(const srv_t *srv, size_t i)
{
	return i + 1 == srv->nthreads; /* the TCP thread comes last */
}

void srv_thread_zones(const srv_t *srv, size_t i, uint64_t out[DGRAM_ZONES])
{
	dgram_zones_add(srv->threads[i].detail, out);
}
