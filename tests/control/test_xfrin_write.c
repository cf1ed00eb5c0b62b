/* SPDX-License-Identifier: BSD-3-Clause */
/* test_xfrin_write.c: CUnit suite: the writer writes a secondary zone's copy served, only that */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <CUnit/CUnit.h>
#include <ldns/ldns.h>

#include "cfg.h"
#include "cutest.h"
#include "sandns_err.h"
#include "tutil.h"
#include "xfrin.h"

static char dir[] = "/tmp/sandns-test-xfrwr-XXXXXX";
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
	if (!dir_made)
		return 0;
	unlink(zpath);
	return rmdir(dir);
}

/* The query waiting on FD (a datagram, or a stream's first message), parsed; PEER its sender. */
static ldns_pkt *query_of(int fd, bool stream, struct sockaddr_storage *peer, socklen_t *pl)
{
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	uint8_t buf[512];
	ldns_pkt *q = NULL;
	ssize_t n;

	if (poll(&pfd, 1, 3000) <= 0)
		return NULL;
	n = stream ? recv(fd, buf, sizeof(buf), 0)
		   : recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)peer, pl);
	if (stream && n > 2)
		n = ldns_wire2pkt(&q, buf + 2, (size_t)n - 2) == LDNS_STATUS_OK ? n : -1;
	else if (!stream && n > 0)
		n = ldns_wire2pkt(&q, buf, (size_t)n) == LDNS_STATUS_OK ? n : -1;
	return n > 0 ? q : NULL;
}

/* Q answered with RRS (texts, NULL-ended), aa: its wire form into *WIRE, *WL. */
static bool answer(ldns_pkt *q, const char *const *rrs, uint8_t **wire, size_t *wl)
{
	ldns_pkt_set_qr(q, true);
	ldns_pkt_set_aa(q, true);
	for (size_t i = 0; rrs[i] != NULL; i++) {
		ldns_rr *rr = NULL;

		if (ldns_rr_new_frm_str(&rr, rrs[i], 0, NULL, NULL) != LDNS_STATUS_OK)
			return false;
		ldns_pkt_push_rr(q, LDNS_SECTION_ANSWER, rr);
	}
	return ldns_pkt2wire(wire, q, wl) == LDNS_STATUS_OK;
}

/*
 * The primary on UDP (FD) and TCP (LST), one port: the refresh's SOA query answered with
 * serial SERIAL, then its transfer with the zone at that serial. Whether both were.
 */
static bool serve_version(int fd, int lst, unsigned serial)
{
	char soa[128];
	const char *const rrs[] = {soa, "sec.test. 300 IN NS ns1.sec.test.",
				   "ns1.sec.test. 300 IN A 192.0.2.1", soa, NULL};
	struct sockaddr_storage peer;
	socklen_t pl = sizeof(peer);
	struct pollfd pfd = {.fd = lst, .events = POLLIN};
	uint8_t *wire = NULL;
	size_t wl = 0;
	ldns_pkt *q;
	bool ok;
	int c;

	snprintf(soa, sizeof(soa), "sec.test. 300 IN SOA ns1.sec.test. h.sec.test. %u 3600 1 10 60",
		 serial);
	q = query_of(fd, false, &peer, &pl);
	ok = q != NULL && answer(q, (const char *const[]){soa, NULL}, &wire, &wl) &&
	     sendto(fd, wire, wl, 0, (struct sockaddr *)&peer, pl) == (ssize_t)wl;
	ldns_pkt_free(q);
	free(wire);
	wire = NULL;
	if (!ok || poll(&pfd, 1, 3000) <= 0 || (c = accept(lst, NULL, NULL)) < 0)
		return false;
	q = query_of(c, true, NULL, NULL);
	ok = q != NULL && answer(q, rrs, &wire, &wl);
	if (ok) {
		uint8_t len[2] = {(uint8_t)(wl >> 8), (uint8_t)wl};

		ok = send(c, len, 2, MSG_NOSIGNAL) == 2 &&
		     send(c, wire, wl, MSG_NOSIGNAL) == (ssize_t)wl;
	}
	ldns_pkt_free(q);
	free(wire);
	close(c);
	return ok;
}

/* The reload the transfer thread asks for, within 3 s. */
static bool reload_asked(xfrin_t *x)
{
	size_t out[4];

	for (int t = 0; t < 300; t++) {
		if (xfrin_take_reloads(x, out, 4) == 1 && out[0] == 0)
			return true;
		usleep(10000);
	}
	return false;
}

/* Whether the copy at zpath holds serial SERIAL. */
static bool file_serial(unsigned serial)
{
	char want[64], text[4096];
	FILE *f = fopen(zpath, "r");
	size_t n = f != NULL ? fread(text, 1, sizeof(text) - 1, f) : 0;

	if (f != NULL)
		fclose(f);
	text[n] = '\0';
	snprintf(want, sizeof(want), "h.sec.test. %u ", serial);
	return strstr(text, want) != NULL;
}

/*
 * The writer busy with serial 11 (a delay before each write), serial 12 is served and waits
 * for it; 13 is handed over and its reload takes it (xfrin_lend), then 14 arrives while 13's
 * build runs; a catalog's members are read from 14 (xfrin_copy) and applied by a reload of the
 * same job that takes 14 too, serving 13 still (a zone kept in memory is not read again); the
 * job serves 13, then 14's is refused. Written in the end: 11, then 13, the newest served (the
 * one its reload took, though 14 came and was lent since): never a copy not served (14), nor an
 * older one (12) when a newer one was served.
 */
static void test_served_only(void)
{
	struct sockaddr_in sin = {.sin_family = AF_INET};
	char err[1024], text[1024];
	unsigned port;
	int fd = tu_silent_udp("127.0.0.1", &port), lst = socket(AF_INET, SOCK_STREAM, 0);
	cfg_t *cfg = cfg_new();
	zload_zone_t *took = NULL, *look, *again;
	xfrin_t *x;

	sin.sin_port = htons((uint16_t)port);
	inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr);
	CU_ASSERT_EQUAL_FATAL(bind(lst, (struct sockaddr *)&sin, sizeof(sin)), 0);
	CU_ASSERT_EQUAL_FATAL(listen(lst, 4), 0);
	snprintf(text, sizeof(text), "zone sec.test. %s\nprimary sec.test. 127.0.0.1@%u\n", zpath,
		 port);
	CU_ASSERT_EQUAL_FATAL(cfg_load_string(cfg, text, "t.conf", dir, err, sizeof(err)),
			      SANDNS_EOK);
	CU_ASSERT_EQUAL_FATAL(cfg_check(cfg, err, sizeof(err)), SANDNS_EOK);
	setenv("SANDNS_TEST_XFRIN_WRITE_DELAY_MS", "1500", 1);
	x = xfrin_new(cfg, err, sizeof(err));
	unsetenv("SANDNS_TEST_XFRIN_WRITE_DELAY_MS");
	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	CU_ASSERT_EQUAL_FATAL(xfrin_start(x, err, sizeof(err)), SANDNS_EOK);
	CU_ASSERT_TRUE_FATAL(serve_version(fd, lst, 11));
	CU_ASSERT_TRUE_FATAL(reload_asked(x));
	xfrin_reloaded(x, 0, NULL, 11);
	for (unsigned s = 12; s <= 14; s++) {
		CU_ASSERT_EQUAL(xfrin_request(x, "sec.test.", true), SANDNS_EOK);
		CU_ASSERT_TRUE_FATAL(serve_version(fd, lst, s));
		CU_ASSERT_TRUE_FATAL(reload_asked(x));
		if (s == 12)
			xfrin_reloaded(x, 0, NULL, 12);
		if (s == 13)
			took = xfrin_lend(x, "sec.test.", true); /* what 13's reload builds */
	}
	look = xfrin_copy(x, "sec.test.");	   /* a catalog's members read */
	again = xfrin_lend(x, "sec.test.", false); /* a catalog's members applied */
	CU_ASSERT_EQUAL(look != NULL ? zload_serial(look) : 0, 14);
	CU_ASSERT_EQUAL(again != NULL ? zload_serial(again) : 0, 14);
	zload_free(&look);
	zload_free(&again);
	CU_ASSERT_PTR_NOT_NULL(took);
	CU_ASSERT_EQUAL(took != NULL ? zload_serial(took) : 0, 13);
	zload_free(&took);
	xfrin_reloaded(x, 0, NULL, 13);
	/* 11 written meanwhile: the writer looks again before 14's build is refused. */
	usleep(2000000);
	xfrin_reloaded(x, 0, "zone sec.test.: refused", 0);
	/* The stop waits for the writer: 11, then 12. */
	xfrin_free(&x);
	CU_ASSERT_TRUE(file_serial(13));
	CU_ASSERT_FALSE(file_serial(14));
	cfg_free(&cfg);
	close(fd);
	close(lst);
}

void reg_cutest_xfrin_write(void)
{
	CU_pSuite s = CU_add_suite("xfrin_write", suite_init, suite_cleanup);

	CU_add_test(s, "the writer writes the copy served, never one refused or not yet served",
		    test_served_only);
}
