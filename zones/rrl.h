/* SPDX-License-Identifier: BSD-3-Clause */
/* rrl.h: response rate limiting for UDP (in the manner of BIND's and Knot's RRL), per thread */
#ifndef RRL_H
#define RRL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zt.h"

/*
 * Spoofed queries turn an authoritative server into an amplifier aimed at the address they
 * forge. RRL bounds how many identical responses one client network gets per second: each
 * bucket, keyed by the client's network (IPv4 /24, IPv6 /56 by default) and by what the
 * response says (the precomputed answer it is: a node and type, a wildcard, a zone's
 * NXDOMAIN, a referral; or the error), holds `rate` tokens and regains `rate` a second. A
 * response finding its bucket empty is dropped, except every `slip`-th one, which goes out
 * truncated (TC set, no records) so that a real client behind the forged address retries over
 * TCP and is served. Off unless rate > 0. TCP is never limited.
 *
 * One rrl_t per answering thread (a UDP worker or a DPDK lcore): it is written without locks,
 * never allocates after rrl_new() and makes no system call (the clock is read through the vDSO).
 */
typedef struct rrl rrl_t;

typedef struct rrl_cfg {
	unsigned rate;	      /* responses per second per bucket; 0: off */
	unsigned slip;	      /* every slip-th limited response goes out truncated; 0: none */
	unsigned table_size;  /* buckets (rounded up to a power of two) */
	unsigned ipv4_prefix; /* bits of an IPv4 client address that make its network */
	unsigned ipv6_prefix; /* and of an IPv6 one */
} rrl_cfg_t;

enum rrl_action { RRL_SEND = 0, RRL_DROP = 1, RRL_SLIP = 2 };

/*
 * The memory of the tables, each thread's allocated whole (calloc: pages come as spoofed
 * sources touch them, so plan for all of it): a table of TABLE_SIZE is rrl_table_bytes(), and
 * all the threads' tables together may take at most RRL_TABLES_MAX (the configuration check
 * refuses more, giving the figure).
 */
#define RRL_TABLES_MAX ((uint64_t)1 << 30)
#define RRL_BUCKET_BYTES 24 /* one bucket: key, second, tokens, count of limited responses */
/* The buckets of a table of TABLE_SIZE: rounded up to a power of two, 64..16777216. */
size_t rrl_buckets(unsigned table_size);
/* Octets of one thread's table of TABLE_SIZE. */
uint64_t rrl_table_bytes(unsigned table_size);

/* A limiter for one thread; NULL when cfg->rate is 0 or memory ran out (check cfg->rate). */
rrl_t *rrl_new(const rrl_cfg_t *cfg);
void rrl_free(rrl_t **rrl);

/* Reads the clock: call once per batch of responses, before rrl_apply(). */
void rrl_tick(rrl_t *rrl);

/* Sets the clock to SECOND (monotonic seconds) instead: for tests. */
void rrl_tick_at(rrl_t *rrl, uint32_t second);

/*
 * Decides about the response RESP (*LEN bytes, built by zt_answer() with INFO) to a UDP query
 * from the client address ADDR (4 bytes IPv4 or 16 bytes IPv6, network order). On RRL_SLIP the
 * response has been cut in place to its header and question with TC set, and *LEN shortened.
 * On RRL_DROP nothing must be sent.
 */
enum rrl_action rrl_apply(rrl_t *rrl, const uint8_t *addr, size_t alen,
			  const zt_answer_info_t *info, uint8_t *resp, size_t *len);

#endif
