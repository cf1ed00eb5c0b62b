/* SPDX-License-Identifier: BSD-3-Clause */
/* test_xfrin_notifier.c: CUnit suite: the primary a NOTIFY came from stays the one asked first
 * across a reconfiguration and a refresh it cuts */
#include <arpa/inet.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "cfg.h"
#include "cutest.h"
#include "sandns_err.h"
#include "tutil.h"
#include "xfrin.h"

static char dir[] = "/tmp/sandns-test-xfrnot-XXXXXX";
static bool dir_made;
static char zpath[512];

static int suite_init(void)
{
	if (mkdtemp(dir) == NULL)
		return -1;
	dir_made = true;
	snprintf(zpath, sizeof(zpath), "%s/sec.test.zone", dir);
	return 0;
}

static int suite_cleanup(void)
{
	return dir_made ? rmdir(dir) : 0;
}

/* CFG made of TEXT, checked; the zone's copy ZPATH, absent. */
static void load(cfg_t *cfg, const char *text)
{
	char err[1024];

	CU_ASSERT_EQUAL_FATAL(cfg_load_string(cfg, text, "t.conf", dir, err, sizeof(err)),
			      SANDNS_EOK);
	CU_ASSERT_EQUAL_FATAL(cfg_check(cfg, err, sizeof(err)), SANDNS_EOK);
}

/* The datagrams FD[0..2] have got, read. */
static void drain(const int *fd)
{
	for (int i = 0; i < 3; i++)
		while (tu_datagram(fd[i], 0))
			;
}

/*
 * Which of the silent primaries FD[0..2] (127.0.0.1, .2, .3) the next SOA query reaches: the
 * first one asked at once, no other within 1 s after (the first's two tries take 3 s). -1: none.
 */
static int asked_first(const int *fd)
{
	struct pollfd pfd[3];
	int first = -1;

	for (int i = 0; i < 3; i++)
		pfd[i] = (struct pollfd){.fd = fd[i], .events = POLLIN};
	if (poll(pfd, 3, 1000) <= 0)
		return -1;
	for (int i = 0; i < 3 && first < 0; i++)
		if (pfd[i].revents != 0 && tu_datagram(fd[i], 0))
			first = i;
	usleep(1000000);
	for (int i = 0; i < 3; i++)
		CU_ASSERT_FALSE(i != first && tu_datagram(fd[i], 0));
	return first;
}

/*
 * A NOTIFY from the second primary, 127.0.0.2; then a reconfiguration, which lists the zone's
 * primaries as NEXT says (printf arguments: the three ports). The first query after it reaches
 * WANT (-1: the reconfiguration dropped the notifier: the list's first). With CUT the refresh
 * the NOTIFY made due is under way (waiting on .2) when the reconfiguration cuts it.
 */
static void one(bool cut, const char *next_fmt, int want, const int *fd, const unsigned *port)
{
	struct sockaddr_in from = {.sin_family = AF_INET, .sin_port = htons(5353)};
	char err[1024], text[2048];
	cfg_t *cfg = cfg_new(), *next = cfg_new();
	uint8_t q[512];
	size_t n = tu_query(q, 1, 4 << 11, "sec.test.", LDNS_RR_TYPE_SOA, LDNS_RR_CLASS_IN);
	xfrin_t *x;

	inet_pton(AF_INET, "127.0.0.2", &from.sin_addr);
	snprintf(text, sizeof(text),
		 "zone sec.test. %s\nprimary sec.test. 127.0.0.1@%u\n"
		 "primary sec.test. 127.0.0.2@%u\nallow-notify 127.0.0.0/8\n",
		 zpath, port[0], port[1]);
	load(cfg, text);
	snprintf(text, sizeof(text), "zone sec.test. %s\n", zpath);
	snprintf(text + strlen(text), sizeof(text) - strlen(text), next_fmt, port[0], port[1],
		 port[2]);
	load(next, text);
	x = xfrin_new(cfg, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	CU_ASSERT_TRUE(xfrin_notify(x, q, n, (struct sockaddr *)&from, NULL, NULL));
	if (cut) {
		CU_ASSERT_EQUAL_FATAL(xfrin_start(x, err, sizeof(err)), SANDNS_EOK);
		CU_ASSERT_EQUAL(asked_first(fd), 1); /* the refresh waits on .2 */
	}
	CU_ASSERT_EQUAL_FATAL(xfrin_reconfigure(x, next, err, sizeof(err)), SANDNS_EOK);
	drain(fd); /* the cut SOA query's second try, sent as the thread stopped */
	/* Not started before: xfrin_resume() would leave it stopped. */
	CU_ASSERT_EQUAL(cut ? xfrin_resume(x, err, sizeof(err)) : xfrin_start(x, err, sizeof(err)),
			SANDNS_EOK);
	CU_ASSERT_EQUAL(asked_first(fd), want);
	xfrin_free(&x);
	cfg_free(&next);
	cfg_free(&cfg);
	drain(fd);
}

/*
 * The primary a NOTIFY came from is still asked first after a reconfiguration (a catalog
 * version) that keeps the zone: found again by its address when the primaries move, forgotten
 * when it is no longer one; and after a refresh the reconfiguration cut (asked again at once,
 * from the notifier again). Otherwise the first listed, which may not have the new serial yet,
 * answers "up to date" and the change waits for the next refresh.
 */
static void test_notifier_kept(void)
{
	static const char same[] = "primary sec.test. 127.0.0.1@%1$u\n"
				   "primary sec.test. 127.0.0.2@%2$u\nallow-notify 127.0.0.0/8\n";
	static const char moved[] = "primary sec.test. 127.0.0.3@%3$u\n"
				    "primary sec.test. 127.0.0.1@%1$u\n"
				    "primary sec.test. 127.0.0.2@%2$u\nallow-notify 127.0.0.0/8\n";
	static const char gone[] = "primary sec.test. 127.0.0.3@%3$u\n"
				   "primary sec.test. 127.0.0.1@%1$u\nallow-notify 127.0.0.0/8\n";
	unsigned port[3];
	int fd[3] = {tu_silent_udp("127.0.0.1", &port[0]), tu_silent_udp("127.0.0.2", &port[1]),
		     tu_silent_udp("127.0.0.3", &port[2])};

	one(false, same, 1, fd, port);
	one(false, moved, 1, fd, port);
	one(false, gone, 2, fd, port);
	one(true, same, 1, fd, port);
	one(true, moved, 1, fd, port);
	for (int i = 0; i < 3; i++)
		close(fd[i]);
}

void reg_cutest_xfrin_notifier(void)
{
	CU_pSuite s = CU_add_suite("xfrin_notifier", suite_init, suite_cleanup);

	CU_add_test(s, "the notifier asked first across a reconfiguration and a cut refresh",
		    test_notifier_kept);
}
