/* SPDX-License-Identifier: BSD-3-Clause */
/* notify.h: NOTIFY out (RFC 1996): a thread that tells the secondaries a zone changed */
#ifndef NOTIFY_H
#define NOTIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cfg.h"
#include "zt.h"

/* Tries per NOTIFY (a timeout or an error rcode each), the first waiting NOTIFY_TIMEOUT_MS and
 * each next one twice as long, at most NOTIFY_TIMEOUT_MAX_MS: 1+2+4+4+4 = 15 s in all. */
#define NOTIFY_TRIES 5
#define NOTIFY_TIMEOUT_MS 1000
#define NOTIFY_TIMEOUT_MAX_MS 4000
/* NOTIFYs waiting for an answer at once; the others wait for a place (never dropped). */
#define NOTIFY_INFLIGHT 64
/* The largest NOTIFY: header, question, the SOA with names of 255 octets. */
#define NOTIFY_MSG_MAX 1024

typedef struct notify notify_t;

/*
 * The targets of CFG's notify lines and a UDP socket per address family they use (non-blocking,
 * bound by the kernel at the first send). No thread yet: requests made before notify_start()
 * wait for it. NULL (reason in err) when a socket cannot be made or without memory. CFG must
 * outlive it.
 */
notify_t *notify_new(const cfg_t *cfg, char *err, size_t errlen);

/*
 * Starts the sending thread (every signal blocked in it). Call it once sandnsd answers: a
 * secondary asks for the SOA as soon as it hears the NOTIFY. SANDNS_EOK or an error (err).
 */
int notify_start(notify_t *n, char *err, size_t errlen);

/*
 * The NOTIFY for zone ORIGIN as snapshot ZT serves it, with no ID yet: opcode NOTIFY, AA, the
 * question ORIGIN IN SOA and the zone's SOA in the answer section. Returns its length in MSG (CAP
 * bytes), 0 when ZT does not serve ORIGIN's SOA. Only reads ZT (the control thread's snapshot).
 */
size_t notify_build(const zt_t *zt, const char *origin, uint8_t *msg, size_t cap);

/*
 * Control thread: NOTIFY zone ORIGIN's targets with MSG (LEN bytes, from notify_build(), copied)
 * whose SOA carries SERIAL. Never waits: the request replaces the one before for this zone (one
 * place per zone: the queue is bounded by the configuration), and a NOTIFY still being sent to
 * a target is superseded by it. Returns the number of targets (0: none configured).
 */
size_t notify_zone(notify_t *n, const char *origin, uint32_t serial, const uint8_t *msg,
		   size_t len);

/* The number of targets of zone ORIGIN (0: none), and of every zone. */
size_t notify_zone_targets(const notify_t *n, const char *origin);
size_t notify_target_count(const notify_t *n);

enum notify_result {
	NOTIFY_NONE = 0, /* nothing sent yet */
	NOTIFY_SENDING,	 /* waiting for the answer to try TRIES */
	NOTIFY_WAITING,	 /* waiting for a place among the NOTIFY_INFLIGHT */
	NOTIFY_OK,	 /* answered NOERROR */
	NOTIFY_FAILED,	 /* no NOERROR after NOTIFY_TRIES tries */
};

/* What `status` shows of one target: the last NOTIFY's outcome, or the one being sent. */
typedef struct notify_state {
	char origin[256];
	char target[CFG_ADDR_TEXT];
	enum notify_result result;
	uint32_t serial;  /* of the last NOTIFY (done or being sent) */
	unsigned tries;	  /* sent so far */
	uint64_t when_ms; /* clock_now_ms() of its outcome, or of its last try */
	char reason[48];  /* NOTIFY_FAILED: "timeout", "REFUSED", a send error */
} notify_state_t;

/* Target I's state (copied under the lock, which the thread holds only for moments). */
bool notify_state(notify_t *n, size_t i, notify_state_t *out);

/* Counters since the start, for `status`. */
typedef struct notify_counters {
	uint64_t sent;	      /* datagrams sent (each try) */
	uint64_t ok;	      /* NOTIFYs answered NOERROR */
	uint64_t failed;      /* NOTIFYs given up after NOTIFY_TRIES tries */
	uint64_t superseded;  /* NOTIFYs replaced by a newer one before their answer */
	uint64_t waited;      /* NOTIFYs that had to wait for a place (NOTIFY_INFLIGHT) */
	uint64_t stray;	      /* answers that matched nothing sent (ignored) */
	uint64_t log_dropped; /* log lines held back by the rate limit */
} notify_counters_t;
void notify_get_counters(notify_t *n, notify_counters_t *out);

/*
 * A configuration read again replaced FROM by TO: TO's counters go on from FROM's, and each
 * target of TO that FROM had (same zone and address) shows FROM's last outcome until its own.
 */
void notify_carry(notify_t *to, notify_t *from);

/* Stops the thread (at once: nothing it does blocks) and frees *N (NULL is fine). */
void notify_free(notify_t **n);

#endif
