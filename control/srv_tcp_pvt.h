/* SPDX-License-Identifier: BSD-3-Clause */
/* srv_tcp_pvt.h: what the TCP thread's loop (srv_tcp.c) and its answers (srv_tcp_answer.c) share */
#ifndef SRV_TCP_PVT_H
#define SRV_TCP_PVT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "srv_pvt.h"
#include "tsig.h"
#include "xfr.h"

#define TCP_MSG_MAX 65535
/* Queued queries are answered only while less output than this waits to be sent. */
#define TCP_OUT_SOFT (64u << 10)
/* An output buffer larger than this is given back once it has drained (after a transfer). */
#define TCP_OUT_KEEP (256u << 10)
/*
 * A transfer's next message is rendered only while less than this waits in its output, and one
 * a turn: a client that does not read holds at most this and one message (the buffer's first
 * size, 128 KiB, is never outgrown), and every other client gets its turn between messages.
 */
#define TCP_XFR_OUT_LOW (32u << 10)
/* A transfer whose zone's order is still being sorted is looked at again this often. */
#define TCP_XFR_RETRY_MS 10
/* Transfers refused at transfers-out: one log line at most this often. */
#define TCP_XFR_LOG_MS 5000
#define TCP_EVENTS 64
/* Reads per connection and event, then the others get their turn (epoll is level-triggered). */
#define TCP_READS_PER_EVENT 4
#define TCP_ACCEPTS_PER_EVENT 64
/*
 * accept() failing for want of descriptors or memory leaves the connection in the backlog and the
 * listener readable: the listeners leave epoll for this long, doubled while it persists, up to
 * the max; one log line at most every TCP_FAIL_LOG_MS.
 */
#define TCP_PAUSE_MIN_MS 100
#define TCP_PAUSE_MAX_MS 1000
#define TCP_FAIL_LOG_MS 5000
/*
 * Out of descriptors, a client gives way only once it has been quiet this long: new ones
 * arriving in a burst would otherwise close each other before any had said a word.
 */
#define TCP_EVICT_QUIET_MS 1000
/* Descriptors the TCP clients never take: the control socket's clients, reloads, the probe. */
#define TCP_FD_RESERVE 16

enum tcp_kind { TCP_EV_LISTENER, TCP_EV_CONN, TCP_EV_STOP };

/*
 * The two orders a connection is kept in (srv_tcp_order.c): by last progress, on the quiet list
 * or the busy one; and, while a message has begun and waits for its rest, by when it began.
 */
enum tcp_order { TCP_BY_ACTIVITY, TCP_BY_MSG, TCP_ORDERS };

struct tcp_conn;

/* A list of connections in one order: the head is the oldest. */
struct tcp_list {
	struct tcp_conn *head, *tail;
};

struct tcp_ev {
	enum tcp_kind kind;
	int fd;
};

struct tcp_conn {
	struct tcp_ev ev; /* first: epoll hands back this pointer */
	bool xfr_allowed;
	struct sockaddr_storage peer; /* for the transfer ACL and DNS cookies */
	tsig_ctx_t *tsig;	      /* signs each message of its transfer; NULL: unsigned */
	bool eof;	  /* the client shut its side: answer what is queued, then close */
	bool xfr_wait;	  /* its transfer waits for the zone's order (retried on a timer) */
	zt_xfr_t *xfr;	  /* the transfer under way, or NULL: no query is read meanwhile */
	uint32_t events;  /* epoll interest now */
	uint64_t last_ms; /* last progress in either direction */
	uint64_t msg_ms;  /* since when a partial message waits for the rest; 0: none seen yet */
	bool quiet;	  /* on l->quiet: nothing in, nothing out, no transfer; else on l->busy */
	struct tcp_conn *prev[TCP_ORDERS], *next[TCP_ORDERS];
	uint8_t *out;
	size_t out_off, out_len, out_cap;
	size_t in_len;
	uint8_t in[2 + TCP_MSG_MAX]; /* one whole message always fits */
	/* The transfer's question type and zone, counted when it is done. */
	zt_answer_info_t xfr_info;
};

struct tcp_loop {
	struct srv_thread *t;
	const cfg_t *cfg;
	int ep;
	struct tcp_ev *listeners;
	size_t nlisteners;
	struct tcp_ev stop_ev;
	/*
	 * Every open connection, on one of two lists by last progress, the least recent first:
	 * the quiet ones (one gives way to a new client at the cap) and the busy ones; and those
	 * whose message has begun, by when (tcp-io-timeout).
	 */
	struct tcp_list quiet, busy, msgs;
	size_t nconns;
	struct tcp_conn *dead; /* closed in this batch; freed after it (events may name them) */
	uint64_t now_ms;
	uint64_t idle_ms;
	uint64_t io_ms;		/* tcp-io-timeout: how long one message may take to arrive */
	size_t max_clients;	/* tcp-max-clients, or fewer when the descriptors allow fewer */
	uint64_t paused_until;	/* the listeners are out of epoll until then; 0: they are in */
	uint64_t pause_ms;	/* the next pause */
	uint64_t fail_log_ms;	/* when a failed accept was last logged */
	uint64_t fail_unlogged; /* failed accepts since then */
	unsigned nxfr;		/* transfers under way */
	unsigned xfr_max;	/* transfers-out */
	unsigned nxfr_wait;	/* of which waiting for their zone's order */
	uint64_t xfr_log_ms;	/* when a refused transfer was last logged */
	uint64_t xfr_unlogged;	/* refused since then */
	const zt_t *zt;		/* valid only inside the current batch */
};

/* srv_tcp_order.c. A new connection C onto its list; C off every list (it closes). */
void srv_tcp_listed(struct tcp_loop *l, struct tcp_conn *c);
void srv_tcp_unlisted(struct tcp_loop *l, struct tcp_conn *c);
/* C made progress now: the last of its list. */
void srv_tcp_touch(struct tcp_loop *l, struct tcp_conn *c);
/* C moved on: onto the quiet or the busy list as it now is, in its place by last progress. */
void srv_tcp_settle(struct tcp_loop *l, struct tcp_conn *c);
/*
 * We wait for the rest of C's message, begun in its input: its clock starts at NOW unless it
 * runs already. Done: it came whole, or we stopped reading (the clock stops).
 */
void srv_tcp_msg_wait(struct tcp_loop *l, struct tcp_conn *c, uint64_t now);
void srv_tcp_msg_done(struct tcp_loop *l, struct tcp_conn *c);

/* Room for NEED more bytes of output. */
int srv_tcp_reserve(struct tcp_conn *c, size_t need);

/*
 * Answers one query into the output. SANDNS_EMALF: no answer, and the stream is not to be
 * trusted any further; any other error: the connection must close at once.
 */
int srv_tcp_answer(struct tcp_loop *l, struct tcp_conn *c, uint8_t *q, size_t qlen);

#endif
