/* SPDX-License-Identifier: BSD-3-Clause */
/* test_dnstap_log.c: CUnit suite for zones/dnstap.c, its file read back with fstrm and protobuf-c
 */
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <CUnit/CUnit.h>
#include <fstrm.h>

#include "cutest.h"
#include "dnstap.h"
#include "dnstap.pb-c.h"

#define BIG 1500 /* longer than a ring's record holds: copied aside */

static char path[64];

static void fresh_path(void)
{
	int fd;

	snprintf(path, sizeof(path), "/tmp/sandns-dnstap-XXXXXX");
	fd = mkstemp(path);
	CU_ASSERT_TRUE_FATAL(fd >= 0);
	close(fd);
}

/* A DNS message of LEN octets (at least 14) whose ID and octets 12-13 say I. */
static void make_msg(uint8_t *m, size_t len, unsigned i)
{
	for (size_t k = 0; k < len; k++)
		m[k] = (uint8_t)(k * 7 + i);
	m[0] = (uint8_t)(i >> 8);
	m[1] = (uint8_t)i;
	m[12] = (uint8_t)(i >> 16);
	m[13] = (uint8_t)(i >> 24);
}

/* Calls CHECK on every frame of the file, in order; the number of frames. */
static size_t read_back(void (*check)(const Dnstap__Dnstap *d, size_t n, void *arg), void *arg)
{
	struct fstrm_file_options *fopt = fstrm_file_options_init();
	struct fstrm_reader *r;
	const uint8_t *data;
	size_t len, n = 0;

	fstrm_file_options_set_file_path(fopt, path);
	r = fstrm_file_reader_init(fopt, NULL);
	fstrm_file_options_destroy(&fopt);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL_FATAL(fstrm_reader_open(r), fstrm_res_success);
	while (fstrm_reader_read(r, &data, &len) == fstrm_res_success) {
		Dnstap__Dnstap *d = dnstap__dnstap__unpack(NULL, len, data);

		CU_ASSERT_PTR_NOT_NULL_FATAL(d);
		CU_ASSERT_PTR_NOT_NULL_FATAL(d->message);
		if (check != NULL)
			check(d, n, arg);
		dnstap__dnstap__free_unpacked(d, NULL);
		n++;
	}
	fstrm_reader_destroy(&r);
	return n;
}

/* Frame N of test_order: message N, a query (even N) or a response, from 192.0.2.N. */
static void check_order(const Dnstap__Dnstap *d, size_t n, void *arg)
{
	const Dnstap__Message *m = d->message;
	bool response = n % 2 == 1;
	size_t len = n % 10 == 3 ? BIG : 40 + n % 50;
	uint8_t want[BIG];
	const ProtobufCBinaryData *dns = response ? &m->response_message : &m->query_message;

	(void)arg;
	make_msg(want, len, (unsigned)n);
	CU_ASSERT_EQUAL(m->type, response ? DNSTAP__MESSAGE__TYPE__AUTH_RESPONSE
					  : DNSTAP__MESSAGE__TYPE__AUTH_QUERY);
	CU_ASSERT_TRUE(response ? m->has_response_message && m->has_response_time_sec
				: m->has_query_message && m->has_query_time_sec);
	CU_ASSERT_EQUAL(m->socket_protocol,
			n % 4 < 2 ? DNSTAP__SOCKET_PROTOCOL__UDP : DNSTAP__SOCKET_PROTOCOL__TCP);
	CU_ASSERT_TRUE(m->has_query_address && m->query_address.len == 4 &&
		       m->query_address.data[3] == (uint8_t)n);
	CU_ASSERT_EQUAL(m->query_port, 1024 + n);
	CU_ASSERT_EQUAL(dns->len, len);
	CU_ASSERT_TRUE(dns->len == len && memcmp(dns->data, want, len) == 0);
	CU_ASSERT_TRUE(d->has_identity && d->identity.len == 8 &&
		       memcmp(d->identity.data, "ns1.test", 8) == 0);
}

/* Messages short and long, queries and responses, UDP and TCP: every one written, in order. */
static void test_order(void)
{
	char err[256];
	dnstap_t *tap;
	dnstap_q_t *q;
	uint8_t msg[BIG], addr[4] = {192, 0, 2, 0};
	uint64_t queued, dropped;
	const unsigned n = 600;

	fresh_path();
	tap = dnstap_open(path, 2, DNSTAP_LOG_QUERIES | DNSTAP_LOG_RESPONSES, "ns1.test", "t 1",
			  err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(tap);
	q = dnstap_queue(tap);
	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	for (unsigned i = 0; i < n; i++) {
		size_t len = i % 10 == 3 ? BIG : 40 + i % 50;

		make_msg(msg, len, i);
		addr[3] = (uint8_t)i;
		dnstap_log(q, i % 2 == 1, i % 4 < 2 ? DNSTAP_UDP : DNSTAP_TCP, addr, 4,
			   (uint16_t)(1024 + i), msg, len);
	}
	/* Captured and cancelled: never written; captured and committed: written. */
	dnstap_cancel(q, dnstap_capture(q, false, DNSTAP_UDP, addr, 4, 53, msg, BIG));
	dnstap_counts(tap, &queued, &dropped);
	CU_ASSERT_EQUAL(queued + dropped, n);
	CU_ASSERT_EQUAL(dropped, 0); /* fewer than a ring holds */
	CU_ASSERT_EQUAL(dnstap_close(tap), 0);
	CU_ASSERT_EQUAL(read_back(check_order, NULL), n);
	unlink(path);
}

/* Logs MSG (64 octets) until a capture finds Q's ring full (left uncommitted); whether one did. */
static bool fill(dnstap_q_t *q, const uint8_t *msg)
{
	for (unsigned i = 0; i < 1000000; i++) {
		dnstap_rec_t *r = dnstap_capture(q, false, DNSTAP_UDP, NULL, 0, 0, msg, 64);

		if (r == NULL)
			return true;
		dnstap_commit(q, r);
	}
	return false;
}

/* More than a ring holds at once: what is not written is counted, and nothing else is lost. */
static void test_overflow(void)
{
	char err[256];
	dnstap_t *tap;
	dnstap_q_t *q;
	uint8_t msg[64];
	uint64_t queued, dropped;
	const unsigned n = 50000;

	fresh_path();
	tap = dnstap_open(path, 1, DNSTAP_LOG_QUERIES | DNSTAP_LOG_RESPONSES, NULL, NULL, err,
			  sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(tap);
	q = dnstap_queue(tap);
	CU_ASSERT_PTR_NULL(dnstap_queue(tap)); /* one queue asked for */
	for (unsigned i = 0; i < n; i++) {
		make_msg(msg, sizeof(msg), i);
		dnstap_log(q, false, DNSTAP_UDP, NULL, 0, 0, msg, sizeof(msg));
	}
	dnstap_counts(tap, &queued, &dropped);
	CU_ASSERT_EQUAL(queued + dropped, n);
	/* A capture that finds the ring full, then cancelled (a query the kernel will answer and
	 * log): not a drop; committed: one. */
	{
		uint64_t q2, d2;

		CU_ASSERT_TRUE_FATAL(fill(q, msg));
		dnstap_counts(tap, &queued, &dropped);
		dnstap_cancel(q, NULL);
		dnstap_counts(tap, &q2, &d2);
		CU_ASSERT_EQUAL(d2, dropped);
		CU_ASSERT_TRUE_FATAL(fill(q, msg));
		dnstap_commit(q, NULL);
		dnstap_counts(tap, &q2, &d2);
		CU_ASSERT_EQUAL(d2, dropped + 1);
		dnstap_counts(tap, &queued, &dropped);
	}
	CU_ASSERT_EQUAL(dnstap_close(tap), 0);
	CU_ASSERT_EQUAL(read_back(NULL, NULL), queued);
	unlink(path);
}

static void count_types(const Dnstap__Dnstap *d, size_t n, void *arg)
{
	unsigned *responses = arg;

	(void)n;
	*responses += d->message->type == DNSTAP__MESSAGE__TYPE__AUTH_RESPONSE;
}

/* A log of the responses only: the queries are neither written nor counted. */
static void test_responses_only(void)
{
	char err[256];
	dnstap_t *tap;
	dnstap_q_t *q;
	uint8_t msg[64];
	uint64_t queued, dropped;
	unsigned responses = 0;

	fresh_path();
	tap = dnstap_open(path, 1, DNSTAP_LOG_RESPONSES, NULL, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(tap);
	q = dnstap_queue(tap);
	make_msg(msg, sizeof(msg), 1);
	for (unsigned i = 0; i < 10; i++) {
		CU_ASSERT_PTR_NULL(dnstap_capture(q, false, DNSTAP_UDP, NULL, 0, 0, msg, 64));
		dnstap_log(q, false, DNSTAP_UDP, NULL, 0, 0, msg, sizeof(msg));
		dnstap_log(q, true, DNSTAP_UDP, NULL, 0, 0, msg, sizeof(msg));
	}
	dnstap_counts(tap, &queued, &dropped);
	CU_ASSERT_EQUAL(queued, 10);
	CU_ASSERT_EQUAL(dropped, 0);
	CU_ASSERT_EQUAL(dnstap_close(tap), 0);
	CU_ASSERT_EQUAL(read_back(count_types, &responses), 10);
	CU_ASSERT_EQUAL(responses, 10);
	unlink(path);
}

/* Frame times into ARG (uint64_t[2] per frame: seconds, nanoseconds), up to 4 frames. */
static void get_times(const Dnstap__Dnstap *d, size_t n, void *arg)
{
	uint64_t *t = arg;
	const Dnstap__Message *m = d->message;
	const bool response = m->type == DNSTAP__MESSAGE__TYPE__AUTH_RESPONSE;

	if (n >= 4)
		return;
	t[2 * n] = response ? m->response_time_sec : m->query_time_sec;
	t[2 * n + 1] = response ? m->response_time_nsec : m->query_time_nsec;
}

/*
 * One clock read a query: a response takes its query's time; with queries not logged, each
 * response reads its own.
 */
static void test_times(void)
{
	char err[256];
	dnstap_t *tap;
	dnstap_q_t *q;
	uint8_t msg[64];
	uint64_t t[8] = {0};
	const struct timespec pause = {0, 20000000};

	make_msg(msg, sizeof(msg), 1);
	fresh_path();
	tap = dnstap_open(path, 1, DNSTAP_LOG_QUERIES | DNSTAP_LOG_RESPONSES, NULL, NULL, err,
			  sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(tap);
	q = dnstap_queue(tap);
	dnstap_log(q, false, DNSTAP_UDP, NULL, 0, 0, msg, sizeof(msg));
	nanosleep(&pause, NULL);
	dnstap_log(q, true, DNSTAP_UDP, NULL, 0, 0, msg, sizeof(msg));
	nanosleep(&pause, NULL);
	dnstap_log(q, false, DNSTAP_UDP, NULL, 0, 0, msg, sizeof(msg));
	CU_ASSERT_EQUAL(dnstap_close(tap), 0);
	CU_ASSERT_EQUAL_FATAL(read_back(get_times, t), 3);
	CU_ASSERT_TRUE(t[0] == t[2] && t[1] == t[3]); /* the query's time */
	CU_ASSERT_TRUE(t[4] * 1000000000u + t[5] >= t[0] * 1000000000u + t[1] + 40000000u);
	unlink(path);

	fresh_path();
	tap = dnstap_open(path, 1, DNSTAP_LOG_RESPONSES, NULL, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(tap);
	q = dnstap_queue(tap);
	dnstap_log(q, true, DNSTAP_UDP, NULL, 0, 0, msg, sizeof(msg));
	nanosleep(&pause, NULL);
	dnstap_log(q, true, DNSTAP_UDP, NULL, 0, 0, msg, sizeof(msg));
	CU_ASSERT_EQUAL(dnstap_close(tap), 0);
	CU_ASSERT_EQUAL_FATAL(read_back(get_times, t), 2);
	CU_ASSERT_TRUE(t[2] * 1000000000u + t[3] >= t[0] * 1000000000u + t[1] + 20000000u);
	unlink(path);
}

/* The nice value of thread TID of this process, or -100 when it cannot be read. */
static int thread_nice(const char *tid)
{
	char p[64], buf[1024], *e;
	FILE *f;
	int nice = -100;

	snprintf(p, sizeof(p), "/proc/self/task/%s/stat", tid);
	f = fopen(p, "r");
	if (f == NULL)
		return nice;
	if (fgets(buf, sizeof(buf), f) != NULL && (e = strrchr(buf, ')')) != NULL) {
		/* After the name: state (3) ... nice is field 19, the 17th after it. */
		char *tok = strtok(e + 2, " ");

		for (int i = 3; tok != NULL && i < 19; i++)
			tok = strtok(NULL, " ");
		if (tok != NULL)
			nice = atoi(tok);
	}
	fclose(f);
	return nice;
}

/* How many of this process's threads run at nice 19. */
static unsigned threads_at_19(void)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	unsigned n = 0;

	if (d == NULL)
		return 0;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.' && thread_nice(e->d_name) == 19)
			n++;
	closedir(d);
	return n;
}

/* The log's two threads (the encoder and libfstrm's writer) yield to the answering ones. */
static void test_threads_yield(void)
{
	char err[256];
	dnstap_t *tap;
	unsigned before = threads_at_19(), after = 0;
	const struct timespec tick = {0, 10000000};

	fresh_path();
	tap = dnstap_open(path, 1, DNSTAP_LOG_QUERIES, NULL, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(tap);
	for (int i = 0; i < 200 && (after = threads_at_19()) < before + 2; i++)
		nanosleep(&tick, NULL);
	CU_ASSERT_EQUAL(after, before + 2);
	CU_ASSERT_EQUAL(dnstap_close(tap), 0);
	unlink(path);
}

/* A file that cannot be made: the reason, no log. */
static void test_bad_path(void)
{
	char err[256] = "";

	CU_ASSERT_PTR_NULL(dnstap_open("/nonexistent-dir/x.tap", 1, DNSTAP_LOG_QUERIES, NULL, NULL,
				       err, sizeof(err)));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "/nonexistent-dir/x.tap"));
}

struct open_call {
	const char *dest;
	char err[256];
	dnstap_t *tap;
};

static void *open_main(void *arg)
{
	struct open_call *c = arg;

	c->tap = dnstap_open(c->dest, 1, DNSTAP_LOG_QUERIES, NULL, NULL, c->err, sizeof(c->err));
	return NULL;
}

/*
 * A FIFO (nobody reading) or a device named as the log FILE: refused at once, saying why. An
 * open for writing would wait for a reader: the start would hang, deaf to SIGTERM. After 5 s a
 * reader comes, to release the call and end the test.
 */
static void test_not_regular(void)
{
	struct open_call c = {.dest = path};
	struct timespec until;
	pthread_t th;
	bool waited;
	int rd;

	snprintf(path, sizeof(path), "/tmp/sandns-dnstap-fifo-%ld", (long)getpid());
	unlink(path);
	CU_ASSERT_EQUAL_FATAL(mkfifo(path, 0600), 0);
	CU_ASSERT_EQUAL_FATAL(pthread_create(&th, NULL, open_main, &c), 0);
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 5;
	waited = pthread_timedjoin_np(th, NULL, &until) != 0;
	if (waited) {
		rd = open(path, O_RDONLY | O_NONBLOCK);
		pthread_join(th, NULL);
		dnstap_close(c.tap);
		c.tap = NULL;
		if (rd >= 0)
			close(rd);
	}
	CU_ASSERT_FALSE(waited);
	CU_ASSERT_PTR_NULL(c.tap);
	CU_ASSERT_PTR_NOT_NULL(strstr(c.err, "not a regular file"));
	unlink(path);

	c.dest = "/dev/null";
	c.err[0] = '\0';
	open_main(&c);
	CU_ASSERT_PTR_NULL(c.tap);
	CU_ASSERT_PTR_NOT_NULL(strstr(c.err, "/dev/null: not a regular file"));
	dnstap_close(c.tap);
}

void reg_cutest_dnstap_log(void)
{
	CU_pSuite s = CU_add_suite("dnstap_log", NULL, NULL);

	CU_add_test(s, "every message written, in order", test_order);
	CU_add_test(s, "a full ring drops and counts", test_overflow);
	CU_add_test(s, "responses only", test_responses_only);
	CU_add_test(s, "a file that cannot be made", test_bad_path);
	CU_add_test(s, "a FIFO or a device is refused at once", test_not_regular);
	CU_add_test(s, "a response takes its query's time", test_times);
	CU_add_test(s, "the log's threads yield to the answering ones", test_threads_yield);
}
