/* SPDX-License-Identifier: BSD-3-Clause */
/* dnstap.c: the query log in dnstap (protobuf in Frame Streams), written by its own thread */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <fstrm.h>

#include "dnstap.h"
#include "dnstap_wire.h"
#include "rfile.h"

#define CONTENT_TYPE "protobuf:dnstap.Dnstap"
#define RING_SLOTS 2048	  /* records an answering thread's ring holds (a power of 2) */
#define INLINE_MAX 464	  /* DNS messages up to this long are copied into their record */
#define DRAIN_BATCH 256	  /* records the encoder takes from one ring before the next ring */
#define FSTRM_QUEUE 16384 /* frames the encoder may have queued for the writer (fstrm's most) */
#define LOG_NICE 19	  /* the log's two threads yield to the answering ones (log_yields) */
/* The encoder's naps (a ring fills in about 0.3 ms at a full worker's rate): */
#define NAP_BUSY_NS 50000L	   /* after a busy pass */
#define NAP_NS 1000000L		   /* after a light or empty one, or when the writer is full */
#define NAP_IDLE_NS 10000000L	   /* after a second of nothing */
#define DNSTAP_STOP_NS 1000000000L /* at a stop, what the writer cannot take in 1 s is dropped */
#define REOPEN_SECONDS 5	   /* a unix socket reader gone: tried again this often */
#define FLUSH_SECONDS 1		   /* a file written at least this often */
#define CACHE_LINE 64

/*
 * The workers' share of the log is a copy: each answering thread copies the message, the client
 * and the time into a record of its own ring (single producer, single consumer, lock-free) and
 * goes on. The encoding thread (sandns-dnstap) turns the records into dnstap frames and hands
 * them to fstrm's writing thread. Encoding and fstrm's queue cost about five times the engine's
 * work for a query (bench/RESULTS.md); on the workers they would halve the answer rate.
 */
struct dnstap_rec {
	uint64_t sec;
	uint32_t nsec;
	uint16_t port, len;
	uint8_t response, proto, alen;
	uint8_t addr[16];
	uint8_t *big; /* a message longer than INLINE_MAX: a malloc'd copy, freed by the encoder */
	uint8_t msg[INLINE_MAX];
};

struct dnstap_q {
	/* The answering thread's: */
	uint64_t head;	    /* records published (its release stores; the encoder acquires) */
	uint64_t tail_seen; /* the encoder's tail as last read */
	uint64_t captured, dropped; /* its stores, others' relaxed loads */
	bool full;		    /* the last capture found no room: dropped if committed */
	uint64_t sec;		    /* the time of the last query captured (or tried) */
	uint32_t nsec;
	struct dnstap_rec *ring;
	dnstap_t *tap;
	/* The encoder's, on a line of its own: */
	uint64_t tail __attribute__((aligned(CACHE_LINE))); /* records taken (release stores) */
} __attribute__((aligned(CACHE_LINE)));

struct dnstap {
	struct fstrm_iothr *iothr;
	struct fstrm_iothr_queue *fq; /* the encoder's input queue to the writer */
	struct dnstap_q *queues;
	unsigned nqueues, taken, what;
	pthread_t encoder;
	bool encoder_started;
	int stop;	      /* set once every answering thread has stopped */
	uint64_t enc_dropped; /* the encoder's stores: frames fstrm could not take, or no memory */
	char *identity, *version;
	size_t identity_len, version_len;
	uint8_t prefix[2 * (10 + 255)]; /* the identity and version fields, written once */
	size_t prefix_len;
};

/*
 * Whether the log FILE can be written: a regular file (made when missing), refused at once
 * when a FIFO or a device (rfile_open_append()). 0, or -1 with the reason in WHY.
 */
static int probe_file(const char *path, char *why, size_t whylen)
{
	int fd = rfile_open_append(path, 0666, why, whylen);

	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

static struct fstrm_writer *open_writer(const char *dest, char *err, size_t errlen)
{
	struct fstrm_writer_options *wopt = fstrm_writer_options_init();
	struct fstrm_writer *w = NULL;

	if (wopt == NULL) {
		snprintf(err, errlen, "dnstap: out of memory");
		return NULL;
	}
	fstrm_writer_options_add_content_type(wopt, CONTENT_TYPE, strlen(CONTENT_TYPE));
	if (strncmp(dest, "unix:", 5) == 0) {
		struct fstrm_unix_writer_options *uopt = fstrm_unix_writer_options_init();

		if (uopt != NULL) {
			fstrm_unix_writer_options_set_socket_path(uopt, dest + 5);
			w = fstrm_unix_writer_init(uopt, wopt);
			fstrm_unix_writer_options_destroy(&uopt);
		}
		if (w == NULL)
			snprintf(err, errlen, "dnstap %s: cannot set up the socket writer", dest);
	} else {
		struct fstrm_file_options *fopt = fstrm_file_options_init();
		char why[128];

		/* fstrm opens the file on its thread and says nothing when it cannot: try here. */
		if (probe_file(dest, why, sizeof(why)) != 0) {
			snprintf(err, errlen, "dnstap %s: %s", dest, why);
			fstrm_file_options_destroy(&fopt);
			fstrm_writer_options_destroy(&wopt);
			return NULL;
		}
		if (fopt != NULL) {
			fstrm_file_options_set_file_path(fopt, dest);
			w = fstrm_file_writer_init(fopt, wopt);
			fstrm_file_options_destroy(&fopt);
		}
		if (w == NULL)
			snprintf(err, errlen, "dnstap %s: cannot set up the file writer", dest);
	}
	fstrm_writer_options_destroy(&wopt);
	return w;
}

static void count(uint64_t *c)
{
	/* Release: dnstap_counts() reads the encoder's losses, then what was captured before them.
	 */
	__atomic_store_n(c, __atomic_load_n(c, __ATOMIC_RELAXED) + 1, __ATOMIC_RELEASE);
}

/*
 * One record as a frame, queued for the writer. False when the writer's queue is full: the
 * record stays in its ring to be tried again (the rings take the pressure, and a full ring
 * drops at capture, where it is counted). A frame that cannot be allocated is dropped here.
 */
static bool encode_submit(dnstap_t *tap, const struct dnstap_rec *r)
{
	const struct dnstap_msg m = {
	    .type = r->response ? DNSTAP_AUTH_RESPONSE : DNSTAP_AUTH_QUERY,
	    .family = r->alen == 16 ? DNSTAP_INET6 : DNSTAP_INET,
	    .proto = r->proto == DNSTAP_TCP ? DNSTAP_PROTO_TCP : DNSTAP_PROTO_UDP,
	    .addr = r->addr,
	    .alen = r->alen,
	    .port = r->port,
	    .sec = r->sec,
	    .nsec = r->nsec,
	    .dns = r->big != NULL ? r->big : r->msg,
	    .dns_len = r->len,
	};
	size_t inner, size = dnstap_wire_size(&m, &inner) + tap->prefix_len;
	uint8_t *frame = malloc(size);

	if (frame == NULL) {
		count(&tap->enc_dropped);
		return true;
	}
	size = dnstap_wire_write(&m, inner, tap->prefix, tap->prefix_len, frame);
	if (fstrm_iothr_submit(tap->iothr, tap->fq, frame, size, fstrm_free_wrapper, NULL) !=
	    fstrm_res_success) {
		free(frame);
		return false;
	}
	return true;
}

/* Frees the record at T of Q's ring and hands the slot back to its thread. */
static void release(struct dnstap_q *q, uint64_t t)
{
	struct dnstap_rec *r = &q->ring[(t - 1) & (RING_SLOTS - 1)];

	free(r->big);
	r->big = NULL;
	__atomic_store_n(&q->tail, t, __ATOMIC_RELEASE);
}

/*
 * Encodes up to DRAIN_BATCH records of Q's ring; how many. *BLOCKED: the writer's queue was
 * full (the record it refused stays first in the ring).
 */
static size_t drain(dnstap_t *tap, struct dnstap_q *q, bool *blocked)
{
	uint64_t t = q->tail, h = __atomic_load_n(&q->head, __ATOMIC_ACQUIRE);
	size_t n = 0;

	for (; t != h && n < DRAIN_BATCH; n++) {
		if (!encode_submit(tap, &q->ring[t & (RING_SLOTS - 1)])) {
			*blocked = true;
			break;
		}
		release(q, ++t);
	}
	return n;
}

/* At a stop whose time is up: what is still in the rings, counted as dropped. */
static void drop_rest(dnstap_t *tap)
{
	for (unsigned i = 0; i < tap->nqueues; i++) {
		struct dnstap_q *q = &tap->queues[i];
		uint64_t t = q->tail, h = __atomic_load_n(&q->head, __ATOMIC_ACQUIRE);

		while (t != h) {
			count(&tap->enc_dropped);
			release(q, ++t);
		}
	}
}

/*
 * The calling thread (the encoder, and the one libfstrm's writer is started from, whose nice it
 * inherits) yields to every other: the log takes what CPU the answering threads leave. A DPDK
 * worker polls without a pause, so on a core both share the log would otherwise take half of it;
 * at nice 19 it takes a few percent, the rest of the log is dropped and counted, and where a core
 * is free the log has it all.
 */
static void log_yields(void)
{
	(void)setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), LOG_NICE);
}

/* fstrm_iothr_init() on a thread of nice LOG_NICE, so that libfstrm's writer inherits it. */
struct iothr_start {
	const struct fstrm_iothr_options *opt;
	struct fstrm_writer **w;
	struct fstrm_iothr *iothr;
};

static void *iothr_start_main(void *arg)
{
	struct iothr_start *s = arg;

	log_yields();
	s->iothr = fstrm_iothr_init(s->opt, s->w);
	return NULL;
}

/*
 * The encoder: every ring in turn until told to stop, then what is left of them (for at most
 * DNSTAP_STOP_NS while the writer cannot take it). Its naps follow what a pass found: none
 * after a full batch, 50 us after a busy pass, 1 ms after a light or empty one, 10 ms once it
 * has found nothing for about a second.
 */
static void *encoder_main(void *arg)
{
	dnstap_t *tap = arg;
	unsigned empty = 0;
	struct timespec stop_at = {0, 0}, now;

	log_yields();

	pthread_setname_np(pthread_self(), "sandns-dnstap");
	for (;;) {
		/* Read before the pass: a stop seen here came after the last record was published.
		 */
		bool stop = __atomic_load_n(&tap->stop, __ATOMIC_ACQUIRE) != 0, blocked = false;
		size_t n = 0;
		long nap;

		for (unsigned i = 0; i < tap->nqueues && !blocked; i++)
			n += drain(tap, &tap->queues[i], &blocked);
		if (stop) {
			if (!blocked && n == 0)
				break;
			clock_gettime(CLOCK_MONOTONIC, &now);
			if (stop_at.tv_sec == 0)
				stop_at = now;
			else if ((now.tv_sec - stop_at.tv_sec) * 1000000000L + now.tv_nsec -
				     stop_at.tv_nsec >
				 DNSTAP_STOP_NS) {
				drop_rest(tap);
				break;
			}
		}
		empty = n > 0 ? 0 : empty < 1000 ? empty + 1 : empty;
		if (blocked)
			nap = NAP_NS;
		else if (n >= DRAIN_BATCH)
			continue;
		else
			nap = n >= DRAIN_BATCH / 8 ? NAP_BUSY_NS
			      : empty < 1000	   ? NAP_NS
						   : NAP_IDLE_NS;
		nanosleep(&(struct timespec){0, nap}, NULL);
	}
	return NULL;
}

dnstap_t *dnstap_open(const char *dest, unsigned nqueues, unsigned what, const char *identity,
		      const char *version, char *err, size_t errlen)
{
	struct fstrm_iothr_options *opt;
	struct fstrm_writer *w;
	dnstap_t *tap;

	if (nqueues == 0)
		nqueues = 1;
	tap = calloc(1, sizeof(*tap));
	if (tap == NULL ||
	    (tap->queues = aligned_alloc(CACHE_LINE, nqueues * sizeof(*tap->queues))) == NULL ||
	    (identity != NULL && (tap->identity = strdup(identity)) == NULL) ||
	    (version != NULL && (tap->version = strdup(version)) == NULL)) {
		snprintf(err, errlen, "dnstap: out of memory");
		dnstap_close(tap);
		return NULL;
	}
	memset(tap->queues, 0, nqueues * sizeof(*tap->queues));
	tap->nqueues = nqueues;
	tap->what = what;
	for (unsigned i = 0; i < nqueues; i++) {
		tap->queues[i].tap = tap;
		tap->queues[i].ring = calloc(RING_SLOTS, sizeof(struct dnstap_rec));
		if (tap->queues[i].ring == NULL) {
			snprintf(err, errlen, "dnstap: out of memory");
			dnstap_close(tap);
			return NULL;
		}
	}
	tap->identity_len = identity != NULL ? strnlen(identity, 255) : 0;
	tap->version_len = version != NULL ? strnlen(version, 255) : 0;
	{
		const struct dnstap_msg m = {.identity = (const uint8_t *)tap->identity,
					     .identity_len = tap->identity_len,
					     .version = (const uint8_t *)tap->version,
					     .version_len = tap->version_len};

		tap->prefix_len = dnstap_wire_prefix(&m, tap->prefix);
	}
	w = open_writer(dest, err, errlen);
	if (w == NULL) {
		dnstap_close(tap);
		return NULL;
	}
	opt = fstrm_iothr_options_init();
	if (opt == NULL) {
		fstrm_writer_destroy(&w);
		snprintf(err, errlen, "dnstap: out of memory");
		dnstap_close(tap);
		return NULL;
	}
	fstrm_iothr_options_set_num_input_queues(opt, 1);
	fstrm_iothr_options_set_input_queue_size(opt, FSTRM_QUEUE);
	fstrm_iothr_options_set_queue_model(opt, FSTRM_IOTHR_QUEUE_MODEL_SPSC);
	fstrm_iothr_options_set_reopen_interval(opt, REOPEN_SECONDS);
	fstrm_iothr_options_set_flush_timeout(opt, FLUSH_SECONDS);
	/* On success the I/O thread owns the writer. */
	{
		struct iothr_start s = {.opt = opt, .w = &w, .iothr = NULL};
		pthread_t th;

		if (pthread_create(&th, NULL, iothr_start_main, &s) == 0)
			pthread_join(th, NULL);
		else
			s.iothr = fstrm_iothr_init(opt, &w); /* at this thread's priority, then */
		tap->iothr = s.iothr;
	}
	fstrm_iothr_options_destroy(&opt);
	if (tap->iothr == NULL) {
		if (w != NULL)
			fstrm_writer_destroy(&w);
		snprintf(err, errlen, "dnstap %s: cannot start the writing thread", dest);
		dnstap_close(tap);
		return NULL;
	}
	tap->fq = fstrm_iothr_get_input_queue_idx(tap->iothr, 0);
	if (pthread_create(&tap->encoder, NULL, encoder_main, tap) != 0) {
		snprintf(err, errlen, "dnstap %s: cannot start the encoding thread", dest);
		dnstap_close(tap);
		return NULL;
	}
	tap->encoder_started = true;
	return tap;
}

static void *destroy_main(void *arg)
{
	dnstap_t *tap = arg;

	fstrm_iothr_destroy(&tap->iothr);
	return NULL;
}

int dnstap_close(dnstap_t *tap)
{
	struct timespec until;
	pthread_t th;

	if (tap == NULL)
		return 0;
	/* The whole close within DNSTAP_CLOSE_SECONDS: the encoder's part (at most
	 * DNSTAP_STOP_NS), then the writer's. */
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += DNSTAP_CLOSE_SECONDS;
	if (tap->encoder_started) {
		/* It never waits on the writer (a full fstrm queue drops): it ends once the rings
		 * are empty. */
		__atomic_store_n(&tap->stop, 1, __ATOMIC_RELEASE);
		pthread_join(tap->encoder, NULL);
	}
	if (tap->iothr != NULL) {
		/* fstrm joins its thread, which may sit in a write to a reader that never reads. */
		if (pthread_create(&th, NULL, destroy_main, tap) != 0) {
			fstrm_iothr_destroy(&tap->iothr);
		} else {
			if (pthread_timedjoin_np(th, NULL, &until) != 0) {
				pthread_detach(th);
				return -ETIMEDOUT; /* TAP stays: the thread still uses it */
			}
		}
	}
	if (tap->queues != NULL)
		for (unsigned i = 0; i < tap->nqueues; i++)
			free(tap->queues[i].ring);
	free(tap->queues);
	free(tap->identity);
	free(tap->version);
	free(tap);
	return 0;
}

dnstap_q_t *dnstap_queue(dnstap_t *tap)
{
	unsigned i;

	if (tap == NULL)
		return NULL;
	i = __atomic_fetch_add(&tap->taken, 1, __ATOMIC_RELAXED);
	return i < tap->nqueues ? &tap->queues[i] : NULL;
}

dnstap_rec_t *dnstap_capture(dnstap_q_t *q, bool response, enum dnstap_proto proto,
			     const uint8_t *client, size_t alen, uint16_t port, const uint8_t *msg,
			     size_t len)
{
	uint64_t head = __atomic_load_n(&q->head, __ATOMIC_RELAXED);
	struct dnstap_rec *r;

	if ((q->tap->what & (response ? DNSTAP_LOG_RESPONSES : DNSTAP_LOG_QUERIES)) == 0)
		return NULL;
	/*
	 * One clock read a query: its response, answered on this thread within the microsecond,
	 * takes the query's time (when queries are not logged, it reads its own).
	 */
	if (!response || (q->tap->what & DNSTAP_LOG_QUERIES) == 0) {
		struct timespec now;

		clock_gettime(CLOCK_REALTIME, &now);
		q->sec = (uint64_t)now.tv_sec;
		q->nsec = (uint32_t)now.tv_nsec;
	}
	if (head - q->tail_seen >= RING_SLOTS) {
		q->tail_seen = __atomic_load_n(&q->tail, __ATOMIC_ACQUIRE);
		if (head - q->tail_seen >= RING_SLOTS) {
			q->full = true; /* counted by dnstap_commit(), not by dnstap_cancel() */
			return NULL;
		}
	}
	r = &q->ring[head & (RING_SLOTS - 1)];
	if (len > UINT16_MAX)
		len = UINT16_MAX;
	if (len > INLINE_MAX) {
		r->big = malloc(len);
		if (r->big == NULL) {
			q->full = true;
			return NULL;
		}
		memcpy(r->big, msg, len);
	} else {
		memcpy(r->msg, msg, len);
	}
	r->sec = q->sec;
	r->nsec = q->nsec;
	r->len = (uint16_t)len;
	r->port = port;
	r->response = response;
	r->proto = (uint8_t)proto;
	r->alen = client != NULL && (alen == 4 || alen == 16) ? (uint8_t)alen : 0;
	if (r->alen != 0)
		memcpy(r->addr, client, r->alen);
	return r;
}

void dnstap_commit(dnstap_q_t *q, dnstap_rec_t *r)
{
	if (r == NULL) {
		if (q->full)
			count(&q->dropped);
		q->full = false;
		return;
	}
	/* One capture at a time: the record at the head, or a caller mixed two up. */
	assert(r == &q->ring[__atomic_load_n(&q->head, __ATOMIC_RELAXED) & (RING_SLOTS - 1)]);
	count(&q->captured); /* before the encoder can see it, and count it lost */
	__atomic_store_n(&q->head, __atomic_load_n(&q->head, __ATOMIC_RELAXED) + 1,
			 __ATOMIC_RELEASE);
}

void dnstap_cancel(dnstap_q_t *q, dnstap_rec_t *r)
{
	q->full = false;
	if (r != NULL) {
		assert(r ==
		       &q->ring[__atomic_load_n(&q->head, __ATOMIC_RELAXED) & (RING_SLOTS - 1)]);
		free(r->big);
		r->big = NULL;
	}
}

void dnstap_log(dnstap_q_t *q, bool response, enum dnstap_proto proto, const uint8_t *client,
		size_t alen, uint16_t port, const uint8_t *msg, size_t len)
{
	dnstap_commit(q, dnstap_capture(q, response, proto, client, alen, port, msg, len));
}

void dnstap_counts(const dnstap_t *tap, uint64_t *queued, uint64_t *dropped)
{
	uint64_t lost;

	*queued = *dropped = 0;
	if (tap == NULL)
		return;
	/* The encoder's losses first: each was captured before, so the difference stays >= 0. */
	lost = __atomic_load_n(&tap->enc_dropped, __ATOMIC_ACQUIRE);
	for (unsigned i = 0; i < tap->nqueues; i++) {
		*queued += __atomic_load_n(&tap->queues[i].captured, __ATOMIC_ACQUIRE);
		*dropped += __atomic_load_n(&tap->queues[i].dropped, __ATOMIC_RELAXED);
	}
	*queued = *queued >= lost ? *queued - lost : 0;
	*dropped += lost;
}
