/* SPDX-License-Identifier: BSD-3-Clause */
/* srv_pvt.h: what the UDP and TCP threads share with srv.c; included only inside control/ */
#ifndef SRV_PVT_H
#define SRV_PVT_H

#include <pthread.h>
#include <stdbool.h>

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
} __attribute__((aligned(SRV_CACHE_LINE)));

struct srv {
	const cfg_t *cfg;
	int stop_fd;  /* eventfd, readable for good once the threads must stop */
	int stopping; /* set once with CMM_STORE_SHARED; the UDP loop checks it between batches */
	struct srv_thread *threads; /* udp-workers UDP threads, then the TCP thread */
	size_t nthreads;
	const cfg_addr_t **listens; /* the addresses served (into cfg) */
	size_t nlistens;
	bool running;
	srv_notify_fn notify; /* NOTIFY accepted? (secondary zones), or NULL */
	void *notify_arg;
};

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
bool srv_notify_answer(struct srv *srv, uint8_t *resp, size_t len,
		       const struct sockaddr_storage *from, const tsig_key_t *key);

/* Thread bodies (arg: struct srv_thread *). */
void *srv_udp_main(void *arg);
void *srv_tcp_main(void *arg);

#endif
