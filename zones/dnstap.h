/* SPDX-License-Identifier: BSD-3-Clause */
/* dnstap.h: the query log in dnstap (protobuf in Frame Streams), written by its own thread */
#ifndef DNSTAP_H
#define DNSTAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * One query log: one ring per answering thread (single producer, lock-free: a full ring drops the
 * message, counted, and never waits) into which the thread copies each message with its client
 * and time; an encoding thread that makes dnstap frames of them; fstrm's I/O thread writing the
 * frames to a file or a unix socket.
 */
typedef struct dnstap dnstap_t;

/* One answering thread's queue, and its counters (written by that thread alone). */
typedef struct dnstap_q dnstap_q_t;

/* A captured message, in its thread's ring until dnstap_commit() or dnstap_cancel(). */
typedef struct dnstap_rec dnstap_rec_t;

/* The transport of a logged message. */
enum dnstap_proto { DNSTAP_UDP, DNSTAP_TCP };

/* What is logged (dnstap_open()'s WHAT): queries (AUTH_QUERY), responses (AUTH_RESPONSE). */
#define DNSTAP_LOG_QUERIES 1u
#define DNSTAP_LOG_RESPONSES 2u

/*
 * Opens the log at DEST: "unix:PATH" (a reader's socket, such as `fstrm_capture -u PATH` or
 * Knot's; reconnected every few seconds while it is gone) or a file, created or truncated.
 * NQUEUES: the most answering threads that will call dnstap_queue(). WHAT: DNSTAP_LOG_QUERIES
 * and/or DNSTAP_LOG_RESPONSES. IDENTITY (or NULL) goes into every message, with our version.
 * NULL with the reason in ERR.
 */
dnstap_t *dnstap_open(const char *dest, unsigned nqueues, unsigned what, const char *identity,
		      const char *version, char *err, size_t errlen);

/*
 * Once no answering thread logs any more: encodes and flushes what is queued and closes the
 * log; NULL is accepted. A reader that stops reading
 * would hold the writing thread in a blocking write for ever: after DNSTAP_CLOSE_SECONDS it is
 * left behind (the process is about to exit) and -ETIMEDOUT returned; else 0.
 */
#define DNSTAP_CLOSE_SECONDS 3
int dnstap_close(dnstap_t *tap);

/* The next free queue, for one answering thread; NULL when TAP is NULL or all are taken. */
dnstap_q_t *dnstap_queue(dnstap_t *tap);

/*
 * Logs the message MSG (LEN octets) that CLIENT (ALEN octets: 4 or 16, network order) at PORT
 * sent (RESPONSE false: AUTH_QUERY) or is sent (true: AUTH_RESPONSE), over PROTO, at the
 * current time, if the log takes that kind. A response takes the time of the last query Q
 * logged (one clock read a query: the thread answers it within the microsecond), or its own
 * when queries are not logged. Never blocks: when the ring is full the message is dropped and
 * counted. Costs the thread a copy of the message (bench/RESULTS.md).
 */
void dnstap_log(dnstap_q_t *q, bool response, enum dnstap_proto proto, const uint8_t *client,
		size_t alen, uint16_t port, const uint8_t *msg, size_t len);

/*
 * dnstap_log() in two steps, for a message about to be overwritten in place: copied now (NULL
 * when the log does not take its kind, or cannot keep it: then counted as dropped), and logged by
 * dnstap_commit() later, or forgotten by dnstap_cancel(). Until then Q takes no other message.
 */
dnstap_rec_t *dnstap_capture(dnstap_q_t *q, bool response, enum dnstap_proto proto,
			     const uint8_t *client, size_t alen, uint16_t port, const uint8_t *msg,
			     size_t len);
void dnstap_commit(dnstap_q_t *q, dnstap_rec_t *rec); /* NULL: nothing */
void dnstap_cancel(dnstap_q_t *q, dnstap_rec_t *rec); /* NULL: nothing */

/* The messages queued and those dropped (a ring or fstrm's queue full, no memory), in all. */
void dnstap_counts(const dnstap_t *tap, uint64_t *queued, uint64_t *dropped);

#endif
