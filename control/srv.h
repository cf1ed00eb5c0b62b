/* SPDX-License-Identifier: BSD-3-Clause */
/* srv.h: serving DNS on kernel sockets: UDP worker threads and one TCP event-loop thread */
#ifndef SRV_H
#define SRV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "cfg.h"
#include "dgram.h"
#include "dnstap.h"

typedef struct srv srv_t;

/*
 * Per-thread counters. Each thread writes only its own; the control thread reads them all
 * (relaxed loads) and sums them on request, so the fast path shares no cache line. The UDP
 * answering counters (zones/dgram.h, the same in DPDK mode) come last, from SRV_DGRAM: the UDP
 * workers count there, and TCP its rcodes and truncated responses too.
 */
enum srv_stat {
	SRV_UDP_SEND_FAILED,   /* responses the kernel refused (of udp-answered) */
	SRV_TCP_CONNECTIONS,   /* connections accepted */
	SRV_TCP_REFUSED,       /* closed at once: at tcp-max-clients with no idle one to close */
	SRV_TCP_EVICTED,       /* idle ones closed to make room for a new one */
	SRV_TCP_ACCEPT_FAILED, /* accept() short of descriptors or memory (listeners paused) */
	SRV_TCP_TIMEOUTS,      /* closed after tcp-idle-timeout */
	SRV_TCP_QUERIES,       /* messages read */
	SRV_TCP_ANSWERED,      /* responses queued (a transfer counts once) */
	SRV_TCP_DROPPED,       /* messages not answered: the connection closes */
	SRV_TCP_CLOSED,	       /* connections closed (refused ones too): open = accepted - closed */
	SRV_XFR,	       /* zone transfers run */
	SRV_XFR_FAILED,	       /* zone transfers cut short (an error, or the client went first) */
	SRV_XFR_DONE,	       /* zone transfers sent whole: running = run - failed - done */
	SRV_XFR_REFUSED,       /* zone transfers refused: transfers-out were under way */
	SRV_DGRAM,	       /* enum dgram_stat from here on */
	SRV_UDP_RECEIVED = SRV_DGRAM + DGRAM_RECEIVED, /* datagrams read */
	SRV_UDP_ANSWERED = SRV_DGRAM + DGRAM_ANSWERED, /* responses made to send */
	SRV_UDP_DROPPED = SRV_DGRAM + DGRAM_DROPPED,   /* no response (short, a response, AXFR) */
	SRV_TRUNCATED = SRV_DGRAM + DGRAM_TRUNCATED,   /* responses with TC set, UDP and TCP */
	SRV_RRL_DROPPED = SRV_DGRAM + DGRAM_RRL_DROPPED,
	SRV_RRL_SLIPPED = SRV_DGRAM + DGRAM_RRL_SLIPPED,
	SRV_RCODE_FIRST = SRV_DGRAM + DGRAM_RCODE_FIRST, /* responses by rcode, UDP and TCP */
	SRV_RCODE_OTHER = SRV_DGRAM + DGRAM_RCODE_OTHER,
	SRV_STAT_COUNT = SRV_DGRAM + DGRAM_STAT_COUNT
};

/* Names of the counters ("udp-send-failed", ..., "udp-received", ..., "noerror", ...). */
extern const char *const srv_stat_names[SRV_STAT_COUNT];

/*
 * Creates every socket sandnsd serves on, bound and listening, without starting a thread: one
 * UDP socket (SO_REUSEPORT) per worker and listen address, one TCP listener per address.
 * A default address whose family the host lacks is skipped. CFG must outlive the server.
 * On failure returns NULL with what to fix in err.
 */
srv_t *srv_new(const cfg_t *cfg, char *err, size_t errlen);

/*
 * Starts the UDP workers and the TCP thread: they read zpub_current(), so a snapshot must be
 * published first. Returns SANDNS_EOK or an error with the reason in err.
 */
int srv_start(srv_t *srv, char *err, size_t errlen);

/* Stops and joins every thread (they close their connections); safe to call twice. */
void srv_stop(srv_t *srv);

/* Stops the threads if needed, closes the sockets, frees *srv (NULL is fine), leaves NULL. */
void srv_free(srv_t **srv);

/*
 * A NOTIFY (opcode 4) the engine answered NOTAUTH (info.notify): FN (any UDP worker, must not
 * block) says whether it is accepted, for MSG (the response, its question as asked) from FROM,
 * signed with KEY (verified; NULL: unsigned);
 * accepted, the response goes out NOERROR with AA. Set before srv_start(); NULL: none.
 */
typedef bool (*srv_notify_fn)(void *arg, const uint8_t *msg, size_t len,
			      const struct sockaddr *from, const tsig_key_t *key,
			      const uint32_t *serial);
void srv_set_notify(srv_t *srv, srv_notify_fn fn, void *arg);

/*
 * The configuration whose TSIG keys and ACLs the serving threads use from now on (the one
 * srv_new() was given until then). Returns once no serving thread can still read the one it
 * replaces (a grace period): the caller may then free that one. Listen addresses and limits
 * stay those srv_new() was given.
 */
void srv_set_cfg(srv_t *srv, const cfg_t *cfg);

/* The addresses actually served, as "127.0.0.1@53". */
size_t srv_listen_count(const srv_t *srv);
const char *srv_listen_text(const srv_t *srv, size_t i);

/* The serving threads ("udp0", ..., "tcp") and a copy of their counters. */
size_t srv_thread_count(const srv_t *srv);
const char *srv_thread_name(const srv_t *srv, size_t i);
void srv_thread_stats(const srv_t *srv, size_t i, uint64_t out[SRV_STAT_COUNT]);
/* Whether thread I serves TCP (else UDP); its responses per zone added into OUT (dgram.h). */
bool srv_thread_tcp(const srv_t *srv, size_t i);
void srv_thread_zones(const srv_t *srv, size_t i, uint64_t out[DGRAM_ZONES]);

/*
 * Gives each serving thread a queue of the query log TAP (NULL: none); before srv_start(). The
 * threads then log every query and its response (a transfer: its query only).
 */
void srv_set_dnstap(srv_t *srv, dnstap_t *tap);

#endif
