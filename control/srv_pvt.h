/* SPDX-License-Identifier: BSD-3-Clause */
/* srv_pvt.h: what the UDP and TCP threads share with srv.c; included only inside control/ */
#ifndef SRV_PVT_H
#define SRV_PVT_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <urcu-qsbr.h>

#include "srv.h"

#define SRV_CACHE_LINE 64

/* One serving thread. Cache-line aligned: its counters are written by this thread alone. */
struct srv_thread {
	uint64_t stats[SRV_STAT_COUNT];
	uint64_t detail[DGRAM_DETAIL]; /* by rcode and type, by zone (dgram.h): its own */
	struct srv *srv;
	pthread_t tid;
	bool started;
	char name[16];
	int *fds; /* UDP: this worker's sockets, one per address; TCP: the listeners */
	size_t nfds;
	dnstap_q_t *tap; /* its query log queue (srv_set_dnstap()), or NULL */
} __attribute__((aligned(SRV_CACHE_LINE)));

struct srv {
	const cfg_t *cfg; /* the configuration it started with: addresses, limits (never swapped) */
	/*
	 * What may change at run time (`reload` reads the configuration again): the TSIG keys and
	 * the ACLs, read with srv_live() inside a read-side section (urcu-qsbr) and never kept past
	 * a quiescent state; srv_set_cfg() swaps it and waits for the grace period.
	 */
	cfg_t *live;
	int stop_fd;  /* eventfd, readable for good once the threads must stop */
	int stopping; /* set once (atomic, release); the UDP loop checks it between batches */
	struct srv_thread *threads; /* udp-workers UDP threads, then the TCP thread */
	size_t nthreads;
	const cfg_addr_t **listens; /* the addresses served (into cfg) */
	size_t nlistens;
	bool running;
	srv_notify_fn notify; /* NOTIFY accepted? (secondary zones), or NULL */
	void *notify_arg;
};

/*
 * The client's address in NAME as the rate limit and the query log take it (4 octets for IPv4,
 * also when mapped into IPv6; 16 for IPv6) with its length in *ALEN, and its port in *PORT;
 * NULL (and *ALEN 0) for another family.
 */
static inline const uint8_t *srv_client(const struct sockaddr_storage *name, size_t *alen,
					uint16_t *port)
{
	if (name->ss_family == AF_INET) {
		const struct sockaddr_in *a4 = (const struct sockaddr_in *)name;

		*alen = 4;
		*port = ntohs(a4->sin_port);
		return (const uint8_t *)&a4->sin_addr;
	}
	if (name->ss_family == AF_INET6) {
		const struct sockaddr_in6 *a6 = (const struct sockaddr_in6 *)name;

		*port = ntohs(a6->sin6_port);
		if (IN6_IS_ADDR_V4MAPPED(&a6->sin6_addr)) {
			*alen = 4;
			return a6->sin6_addr.s6_addr + 12;
		}
		*alen = 16;
		return a6->sin6_addr.s6_addr;
	}
	*alen = 0;
	*port = 0;
	return NULL;
}

/* Counts N more of S; only the owning thread calls it, other threads load the value. */
static inline void srv_stat_add(struct srv_thread *t, enum srv_stat s, uint64_t n)
{
	__atomic_store_n(&t->stats[s], t->stats[s] + n, __ATOMIC_RELAXED);
}

/* The thread's UDP answering counters (enum dgram_stat), for dgram_answer(). */
static inline uint64_t *srv_dgram_stats(struct srv_thread *t)
{
	return &t->stats[SRV_DGRAM];
}

/*
 * srv_udp.c: a NOTIFY the engine answered NOTAUTH (RESP, LEN octets, from FROM): made NOERROR
 * with AA when the secondary side takes it (srv_set_notify), UDP and TCP alike; whether it did.
 */
static inline const cfg_t *srv_live(const struct srv *srv)
{
	return rcu_dereference(srv->live);
}

bool srv_notify_answer(struct srv *srv, uint8_t *resp, size_t len,
		       const struct sockaddr_storage *from, const tsig_key_t *key,
		       const zt_answer_info_t *info);

/* Thread bodies (arg: struct srv_thread *). */
void *srv_udp_main(void *arg);
void *srv_tcp_main(void *arg);

/* srv_client() without the port: the address for the rate limit and DNS cookies. */
static inline const uint8_t *srv_client_ip(const struct sockaddr_storage *name, size_t *alen)
{
	uint16_t port;

	return srv_client(name, alen, &port);
}

#endif
