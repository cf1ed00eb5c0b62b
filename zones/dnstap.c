/* SPDX-License-Identifier: BSD-3-Clause */
/* dnstap.c: the query log in dnstap (protobuf in Frame Streams), written by its own thread */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <fstrm.h>

#include "dnstap.h"
#include "dnstap_wire.h"

#define CONTENT_TYPE "protobuf:dnstap.Dnstap"
#define QUEUE_SIZE 4096	 /* messages a queue holds (a power of 2, fstrm's bound 16384) */
#define REOPEN_SECONDS 5 /* a unix socket reader gone: tried again this often */
#define FLUSH_SECONDS 1	 /* a file written at least this often */
#define CACHE_LINE 64

struct dnstap_q {
	struct fstrm_iothr_queue *q;
	dnstap_t *tap;
	uint64_t queued, dropped; /* this thread's stores, others' relaxed loads */
} __attribute__((aligned(CACHE_LINE)));

struct dnstap {
	struct fstrm_iothr *iothr;
	struct dnstap_q *queues;
	unsigned nqueues, taken;
	char *identity, *version;
	size_t identity_len, version_len;
	uint8_t prefix[2 * (10 + 255)]; /* the identity and version fields, written once */
	size_t prefix_len;
};

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
		FILE *probe = fopen(dest, "a");

		/* fstrm opens the file on its thread and says nothing when it cannot: try here. */
		if (probe == NULL) {
			snprintf(err, errlen, "dnstap %s: %s", dest, strerror(errno));
			fstrm_file_options_destroy(&fopt);
			fstrm_writer_options_destroy(&wopt);
			return NULL;
		}
		fclose(probe);
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

dnstap_t *dnstap_open(const char *dest, unsigned nqueues, const char *identity, const char *version,
		      char *err, size_t errlen)
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
	tap->identity_len = identity != NULL ? strnlen(identity, 255) : 0;
	tap->version_len = version != NULL ? strnlen(version, 255) : 0;
	{
		const struct dnstap_msg m = {.identity = (const uint8_t *)tap->identity,
					     .identity_len = tap->identity_len,
					     .version = (const uint8_t *)tap->version,
					     .version_len = tap->version_len};

		tap->prefix_len = dnstap_wire_prefix(&m, tap->prefix);
	}
	tap->nqueues = nqueues;
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
	fstrm_iothr_options_set_num_input_queues(opt, nqueues);
	fstrm_iothr_options_set_input_queue_size(opt, QUEUE_SIZE);
	fstrm_iothr_options_set_queue_model(opt, FSTRM_IOTHR_QUEUE_MODEL_SPSC);
	fstrm_iothr_options_set_reopen_interval(opt, REOPEN_SECONDS);
	fstrm_iothr_options_set_flush_timeout(opt, FLUSH_SECONDS);
	/* On success the I/O thread owns the writer. */
	tap->iothr = fstrm_iothr_init(opt, &w);
	fstrm_iothr_options_destroy(&opt);
	if (tap->iothr == NULL) {
		if (w != NULL)
			fstrm_writer_destroy(&w);
		snprintf(err, errlen, "dnstap %s: cannot start the writing thread", dest);
		dnstap_close(tap);
		return NULL;
	}
	for (unsigned i = 0; i < nqueues; i++) {
		tap->queues[i].q = fstrm_iothr_get_input_queue_idx(tap->iothr, i);
		tap->queues[i].tap = tap;
	}
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
	if (tap->iothr != NULL) {
		/* fstrm joins its thread, which may sit in a write to a reader that never reads. */
		if (pthread_create(&th, NULL, destroy_main, tap) != 0) {
			fstrm_iothr_destroy(&tap->iothr);
		} else {
			clock_gettime(CLOCK_REALTIME, &until);
			until.tv_sec += DNSTAP_CLOSE_SECONDS;
			if (pthread_timedjoin_np(th, NULL, &until) != 0) {
				pthread_detach(th);
				return -ETIMEDOUT; /* TAP stays: the thread still uses it */
			}
		}
	}
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

static void count(uint64_t *c)
{
	__atomic_store_n(c, *c + 1, __ATOMIC_RELAXED);
}

void *dnstap_encode(dnstap_q_t *q, bool response, enum dnstap_proto proto, const uint8_t *client,
		    size_t alen, uint16_t port, const uint8_t *msg, size_t len, size_t *size)
{
	const dnstap_t *tap = q->tap;
	struct dnstap_msg m = {
	    .identity = (const uint8_t *)tap->identity,
	    .identity_len = tap->identity_len,
	    .version = (const uint8_t *)tap->version,
	    .version_len = tap->version_len,
	    .type = response ? DNSTAP_AUTH_RESPONSE : DNSTAP_AUTH_QUERY,
	    .family = alen == 16 ? DNSTAP_INET6 : DNSTAP_INET,
	    .proto = proto == DNSTAP_TCP ? DNSTAP_PROTO_TCP : DNSTAP_PROTO_UDP,
	    .addr = client,
	    .alen = client != NULL && (alen == 4 || alen == 16) ? alen : 0,
	    .port = port,
	    .dns = msg,
	    .dns_len = len,
	};
	struct timespec now;
	size_t inner;
	uint8_t *buf;

	clock_gettime(CLOCK_REALTIME, &now);
	m.sec = (uint64_t)now.tv_sec;
	m.nsec = (uint32_t)now.tv_nsec;
	*size = 0;
	buf = malloc(dnstap_wire_size(&m, &inner));
	if (buf != NULL)
		*size = dnstap_wire_write(&m, inner, tap->prefix, tap->prefix_len, buf);
	return buf;
}

void dnstap_submit(dnstap_q_t *q, void *frame, size_t size)
{
	if (frame == NULL) {
		count(&q->dropped);
		return;
	}
	if (fstrm_iothr_submit(q->tap->iothr, q->q, frame, size, fstrm_free_wrapper, NULL) !=
	    fstrm_res_success) {
		free(frame);
		count(&q->dropped);
		return;
	}
	count(&q->queued);
}

void dnstap_log(dnstap_q_t *q, bool response, enum dnstap_proto proto, const uint8_t *client,
		size_t alen, uint16_t port, const uint8_t *msg, size_t len)
{
	size_t size;
	void *frame = dnstap_encode(q, response, proto, client, alen, port, msg, len, &size);

	dnstap_submit(q, frame, size);
}

void dnstap_counts(const dnstap_t *tap, uint64_t *queued, uint64_t *dropped)
{
	*queued = *dropped = 0;
	if (tap == NULL)
		return;
	for (unsigned i = 0; i < tap->nqueues; i++) {
		*queued += __atomic_load_n(&tap->queues[i].queued, __ATOMIC_RELAXED);
		*dropped += __atomic_load_n(&tap->queues[i].dropped, __ATOMIC_RELAXED);
	}
}
