/* SPDX-License-Identifier: BSD-3-Clause */
/* test_srv_tcp.c: CUnit suite for the TCP thread's clocks and its cap (control/srv_tcp.c) */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "cfg.h"
#include "clock.h"
#include "cutest.h"
#include "srv.h"
#include "tutil.h"
#include "wire.h"
#include "zload.h"
#include "zpub.h"

static char dir[] = "/tmp/sandns-test-srv-tcp-XXXXXX";
static bool dir_made;
static char zpath[600];

/* One snapshot published for every server of the suite; the zone file for the configuration. */
static int suite_init(void)
{
	static const char text[] = TU_ZONE_HEAD "www IN A 192.0.2.2\n";
	zload_zone_t *z;
	char err[256];
	FILE *f;
	zt_t *zt;

	if (mkdtemp(dir) == NULL)
		return -1;
	dir_made = true;
	snprintf(zpath, sizeof(zpath), "%s/example.com.zone", dir);
	f = fopen(zpath, "w");
	if (f == NULL)
		return -1;
	fputs(text, f);
	fclose(f);
	z = zload_string("example.com", text, "example.com.zone", NULL, NULL, err, sizeof(err));
	if (z == NULL)
		return -1;
	zt = zt_new(&z, 1, NULL, err, sizeof(err));
	zload_free(&z);
	if (zt == NULL)
		return -1;
	zpub_publish(zt);
	return 0;
}

static int suite_cleanup(void)
{
	zpub_publish(NULL);
	if (dir_made)
		tu_rm_dir(dir);
	return 0;
}

/* A server on a free loopback port with the settings EXTRA, started; its port in *PORT. */
static srv_t *serve(const char *extra, cfg_t **cfg, unsigned *port)
{
	char conf[1024], err[1024];
	srv_t *s;

	*port = tu_free_port();
	snprintf(conf, sizeof(conf),
		 "zone example.com. %s\nlisten 127.0.0.1@%u\nudp-workers 1\ncert-probe-interval "
		 "0\n%s",
		 zpath, *port, extra);
	*cfg = cfg_new();
	CU_ASSERT_PTR_NOT_NULL_FATAL(*cfg);
	CU_ASSERT_FATAL(cfg_load_string(*cfg, conf, "test", NULL, err, sizeof(err)) == 0 &&
			cfg_check(*cfg, err, sizeof(err)) == 0);
	s = srv_new(*cfg, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL_FATAL(srv_start(s, err, sizeof(err)), 0);
	return s;
}

static int dial(unsigned port)
{
	struct sockaddr_in sin = {.sin_family = AF_INET,
				  .sin_port = htons((uint16_t)port),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL_FATAL(connect(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	return fd;
}

/*
 * What FD gives within SECS seconds: the octets of a response's length prefix (2), the end
 * of the stream or a reset (0), nothing yet (-1).
 */
static int first_read(int fd, int secs)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	uint8_t b[2];
	ssize_t n;

	if (poll(&p, 1, secs * 1000) != 1)
		return -1;
	n = recv(fd, b, sizeof(b), MSG_WAITALL);
	return n == 2 ? 2 : 0;
}

/* The TCP thread's counter S. */
static uint64_t tcp_stat(const srv_t *s, enum srv_stat st)
{
	uint64_t v[SRV_STAT_COUNT];

	for (size_t i = 0; i < srv_thread_count(s); i++)
		if (srv_thread_tcp(s, i)) {
			srv_thread_stats(s, i, v);
			return v[st];
		}
	return 0;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

/*
 * A message that begins and then stops coming (its length prefix alone, or half of it, or a
 * header short of its question) is closed tcp-io-timeout after, by the thread's timer: no
 * event comes to say so. Waiting for the idle timeout (30 s here) instead would let anyone hold
 * every slot that long with two octets a connection.
 */
static void test_stalled_message_closed(void)
{
	static const uint8_t starts[][6] = {{0, 0x20}, {0}, {0, 0x20, 0x12, 0x34, 0x01, 0x00}};
	static const size_t lens[] = {2, 1, 6};
	int fd[3];
	unsigned port;
	uint64_t t0;
	cfg_t *cfg;
	srv_t *s;

	s = serve("tcp-idle-timeout 30\ntcp-io-timeout 200\n", &cfg, &port);
	t0 = clock_now_ms();
	for (size_t i = 0; i < 3; i++) {
		fd[i] = dial(port);
		CU_ASSERT_EQUAL(send(fd[i], starts[i], lens[i], 0), (ssize_t)lens[i]);
	}
	for (size_t i = 0; i < 3; i++) {
		CU_ASSERT_EQUAL(first_read(fd[i], 10), 0);
		close(fd[i]);
	}
	/* Well before the idle timeout, however slow the build. */
	CU_ASSERT(clock_now_ms() - t0 < 8000);
	CU_ASSERT_EQUAL(tcp_stat(s, SRV_TCP_TIMEOUTS), 3);
	srv_free(&s);
	cfg_free(&cfg);
}

/*
 * At tcp-max-clients a new client takes the place of the quiet connection idle the longest,
 * even when a busy one (a message begun) has been idle longer: that one at the head must not
 * get every newcomer refused while quiet ones hold the other places.
 */
static void test_cap_evicts_quiet_past_busy(void)
{
	static const uint8_t start[] = {0, 0x20};
	uint8_t q[64 + 2];
	size_t qlen;
	int busy, quiet[2], fresh;
	unsigned port;
	cfg_t *cfg;
	srv_t *s;

	s = serve("tcp-max-clients 3\ntcp-idle-timeout 30\ntcp-io-timeout 60000\n", &cfg, &port);
	busy = dial(port);
	CU_ASSERT_EQUAL(send(busy, start, sizeof(start), 0), (ssize_t)sizeof(start));
	/* Read by the server before the quiet ones come: it is the longest idle. */
	sleep_ms(300);
	quiet[0] = dial(port);
	quiet[1] = dial(port);
	sleep_ms(300);
	fresh = dial(port);
	qlen = tu_query(q + 2, 0x4242, 0, "www.example.com", T_A, C_IN);
	q[0] = (uint8_t)(qlen >> 8);
	q[1] = (uint8_t)qlen;
	CU_ASSERT_EQUAL(send(fresh, q, qlen + 2, 0), (ssize_t)(qlen + 2));
	CU_ASSERT_EQUAL(first_read(fresh, 10), 2);
	/* The first quiet one gave way; the busy one is still there. */
	CU_ASSERT_EQUAL(first_read(quiet[0], 10), 0);
	CU_ASSERT_EQUAL(first_read(busy, 0), -1);
	CU_ASSERT_EQUAL(tcp_stat(s, SRV_TCP_EVICTED), 1);
	CU_ASSERT_EQUAL(tcp_stat(s, SRV_TCP_REFUSED), 0);
	close(fresh);
	close(quiet[0]);
	close(quiet[1]);
	close(busy);
	srv_free(&s);
	cfg_free(&cfg);
}

/* Whether the TCP thread's counter ST reaches WANT within SECS seconds. */
static bool stat_becomes(const srv_t *s, enum srv_stat st, uint64_t want, int secs)
{
	for (int t = 0; t < secs * 100; t++) {
		if (tcp_stat(s, st) == want)
			return true;
		sleep_ms(10);
	}
	return tcp_stat(s, st) == want;
}

/*
 * What is open now follows from the counters: connections accepted less those closed (one
 * refused at the cap too), transfers run less those failed and those sent whole.
 */
static void test_open_counted(void)
{
	uint8_t q[64 + 2], buf[4096];
	size_t qlen;
	int fd[3], x;
	unsigned port;
	cfg_t *cfg;
	srv_t *s;

	s = serve("tcp-max-clients 2\ntcp-io-timeout 60000\nallow-transfer 127.0.0.1\n", &cfg,
		  &port);
	/* Two held open, a message begun on each (busy: none gives way), a third refused. */
	for (int i = 0; i < 3; i++) {
		fd[i] = dial(port);
		if (i < 2)
			CU_ASSERT_EQUAL(send(fd[i], "\0", 1, 0), 1);
		sleep_ms(100);
	}
	CU_ASSERT_TRUE(stat_becomes(s, SRV_TCP_CONNECTIONS, 3, 5));
	CU_ASSERT_TRUE(stat_becomes(s, SRV_TCP_CLOSED, 1, 5));
	CU_ASSERT_EQUAL(tcp_stat(s, SRV_TCP_REFUSED), 1);
	for (int i = 0; i < 3; i++)
		close(fd[i]);
	CU_ASSERT_TRUE(stat_becomes(s, SRV_TCP_CLOSED, 3, 5));
	/* An AXFR read to its end: run and done, nothing failed; the connection closed after. */
	x = dial(port);
	qlen = tu_query(q + 2, 0x4243, 0, "example.com", 252 /* AXFR */, C_IN);
	q[0] = (uint8_t)(qlen >> 8);
	q[1] = (uint8_t)qlen;
	CU_ASSERT_EQUAL(send(x, q, qlen + 2, 0), (ssize_t)(qlen + 2));
	CU_ASSERT_EQUAL(first_read(x, 10), 2);
	(void)recv(x, buf, sizeof(buf), 0);
	CU_ASSERT_TRUE(stat_becomes(s, SRV_XFR_DONE, 1, 5));
	CU_ASSERT_EQUAL(tcp_stat(s, SRV_XFR), 1);
	CU_ASSERT_EQUAL(tcp_stat(s, SRV_XFR_FAILED), 0);
	close(x);
	CU_ASSERT_TRUE(stat_becomes(s, SRV_TCP_CLOSED, 4, 5));
	CU_ASSERT_EQUAL(tcp_stat(s, SRV_TCP_CONNECTIONS), 4);
	srv_free(&s);
	cfg_free(&cfg);
}

void reg_cutest_srv_tcp(void)
{
	CU_pSuite s = CU_add_suite("srv_tcp", suite_init, suite_cleanup);

	CU_add_test(s, "a message begun and stalled closes at tcp-io-timeout",
		    test_stalled_message_closed);
	CU_add_test(s, "open connections and transfers follow from the counters",
		    test_open_counted);
	CU_add_test(s, "at the cap a quiet connection gives way past a busy one",
		    test_cap_evicts_quiet_past_busy);
}
