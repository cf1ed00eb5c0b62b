/* SPDX-License-Identifier: BSD-3-Clause */
/* dnstap.h: the query log in dnstap (protobuf in Frame Streams), written by its own thread */
#ifndef DNSTAP_H
#define DNSTAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * One query log: an fstrm I/O thread writing to a file or a unix socket, and one input queue per
 * answering thread (single producer, lock-free: a full queue drops the message, counted, and
 * never waits). The answering threads encode their messages themselves.
 */
typedef struct dnstap dnstap_t;

/* One answering thread's queue, and its counters (written by that thread alone). */
typedef struct dnstap_q dnstap_q_t;

/* The transport of a logged message. */
enum dnstap_proto { DNSTAP_UDP, DNSTAP_TCP };

/*
 * Opens the log at DEST: "unix:PATH" (a reader's socket, such as `fstrm_capture -u PATH` or
 * Knot's; reconnected every few seconds while it is gone) or a file, created or truncated.
 * NQUEUES: the most answering threads that will call dnstap_queue(). IDENTITY (or NULL) goes
 * into every message, with our version. NULL with the reason in ERR.
 */
dnstap_t *dnstap_open(const char *dest, unsigned nqueues, const char *identity, const char *version,
		      char *err, size_t errlen);

/*
 * Flushes what is queued and closes the log; NULL is accepted. A reader that stops reading
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
 * current time. Never blocks: when the queue is full the message is dropped and counted.
 */
void dnstap_log(dnstap_q_t *q, bool response, enum dnstap_proto proto, const uint8_t *client,
		size_t alen, uint16_t port, const uint8_t *msg, size_t len);

/*
 * dnstap_log() in two steps, for a message about to be overwritten in place: the frame is made
 * now (malloc'd; NULL when out of memory, *SIZE then 0) and handed to dnstap_submit() later, or
 * freed with free() when it is not to be logged after all.
 */
void *dnstap_encode(dnstap_q_t *q, bool response, enum dnstap_proto proto, const uint8_t *client,
		    size_t alen, uint16_t port, const uint8_t *msg, size_t len, size_t *size);

/* Queues FRAME (SIZE octets, from dnstap_encode(); NULL counts as dropped) and gives it up. */
void dnstap_submit(dnstap_q_t *q, void *frame, size_t size);

/* The messages queued and those dropped (queue full, no memory), over every queue. */
void dnstap_counts(const dnstap_t *tap, uint64_t *queued, uint64_t *dropped);

#endif
