/* SPDX-License-Identifier: BSD-3-Clause */
/* test_notify.c: CUnit suite for NOTIFY out: the notify lines, the message, the thread's matching
 */
#include <arpa/inet.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <CUnit/CUnit.h>
#include <ldns/ldns.h>

#include "cfg.h"
#include "clock.h"
#include "cutest.h"
#include "notify.h"
#include "sandns_err.h"
#include "wire.h"
#include "zload.h"

static char err[1024];

static const char zone_text[] = "$TTL 3600\n"
				"@ IN SOA ns1.example.com. hostmaster.example.com. 2024060101 "
				"7200 3600 1209600 300\n"
				"@ IN NS ns1\n"
				"ns1 IN A 192.0.2.53\n"
				"www IN A 192.0.2.80\n";

static cfg_t *load(const char *text, int *rc)
{
	cfg_t *cfg = cfg_new();

	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	err[0] = '\0';
	*rc = cfg_load_string(cfg, text, "t.conf", "/etc/sandns", err, sizeof(err));
	if (*rc == SANDNS_EOK)
		*rc = cfg_check(cfg, err, sizeof(err));
	return cfg;
}

static void check_fails(const char *text, const char *want)
{
	int rc;
	cfg_t *cfg = load(text, &rc);

	CU_ASSERT_EQUAL(rc, SANDNS_ECONFIG);
	if (strstr(err, want) == NULL)
		fprintf(stderr, "\n  expected '%s' in '%s'\n", want, err);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, want));
	cfg_free(&cfg);
}

static void test_cfg(void)
{
	char *argv[] = {"sandnsd", "--zone", "b.=/b", "--notify", "b. [::1]:5301", NULL};
	cfg_t *cfg;
	int rc;

	cfg = load("zone a. /a\nnotify a. 127.0.0.1@5300\nnotify A 127.0.0.1@5300\n"
		   "notify a 192.0.2.1\n",
		   &rc);
	CU_ASSERT_EQUAL(rc, SANDNS_EOK);
	/* The same zone and secondary twice is kept once; the port defaults to 53. */
	CU_ASSERT_EQUAL_FATAL(cfg->nnotifies, 2);
	CU_ASSERT_STRING_EQUAL(cfg->notifies[0].origin, "a.");
	CU_ASSERT_STRING_EQUAL(cfg->notifies[0].addr.text, "127.0.0.1@5300");
	CU_ASSERT_STRING_EQUAL(cfg->notifies[0].where, "t.conf:2");
	CU_ASSERT_PTR_NULL(cfg->notifies[0].key);
	CU_ASSERT_STRING_EQUAL(cfg->notifies[1].addr.text, "192.0.2.1@53");
	cfg_free(&cfg);

	/* A zone named before its zone line is fine: the check comes once all is read. */
	cfg = load("notify a. 127.0.0.1\nzone a. /a\n", &rc);
	CU_ASSERT_EQUAL(rc, SANDNS_EOK);
	cfg_free(&cfg);

	check_fails("zone a. /a\nnotify b. 127.0.0.1\n",
		    "t.conf:2: notify b. 127.0.0.1@53: b. is not");
	check_fails("zone a. /a\n\nnotify a. 127.0.0.1 key k1\n",
		    "t.conf:3: notify a. 127.0.0.1@53 key k1: no key k1 is defined");
	/* With the key defined (before or after), the line stands. */
	cfg = load("zone a. /a\nnotify a. 127.0.0.1 key k1\n"
		   "key k1 hmac-sha256 c2FuZG5zLXRlc3Qta2V5LXNlY3JldC0zMi1vY3RldHMh\n",
		   &rc);
	CU_ASSERT_EQUAL(rc, SANDNS_EOK);
	CU_ASSERT_PTR_NOT_NULL(cfg);
	cfg_free(&cfg);
	check_fails("zone a. /a\nnotify a.\n",
		    "t.conf:2: notify: expected ORIGIN ADDR[@PORT] [key");
	check_fails("zone a. /a\nnotify a. 127.0.0.1 kye k1\n", "expected ORIGIN ADDR[@PORT]");
	check_fails("zone a. /a\nnotify a. 127.0.0.1 x y z\n", "expected ORIGIN ADDR[@PORT]");
	check_fails("zone a. /a\nnotify a. ns1.example.\n", "t.conf:2: notify a.: 'ns1.example.'");
	check_fails("zone a. /a\nnotify a. 127.0.0.1@99999\n", "out of range");

	/* The command line: --notify 'ORIGIN ADDR', named as such in messages. */
	cfg = cfg_new();
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	CU_ASSERT_EQUAL(cfg_load_args(cfg, 5, argv, err, sizeof(err)), SANDNS_EOK);
	CU_ASSERT_EQUAL(cfg_check(cfg, err, sizeof(err)), SANDNS_EOK);
	CU_ASSERT_EQUAL_FATAL(cfg->nnotifies, 1);
	CU_ASSERT_STRING_EQUAL(cfg->notifies[0].addr.text, "::1@5301");
	CU_ASSERT_STRING_EQUAL(cfg->notifies[0].where, "--notify");
	cfg_free(&cfg);
	argv[4] = "c. ::1";
	cfg = cfg_new();
	CU_ASSERT_EQUAL(cfg_load_args(cfg, 5, argv, err, sizeof(err)), SANDNS_EOK);
	CU_ASSERT_EQUAL(cfg_check(cfg, err, sizeof(err)), SANDNS_ECONFIG);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "--notify: notify c. ::1@53: c. is not a served zone"));
	cfg_free(&cfg);
}

static zt_t *snapshot(void)
{
	zload_zone_t *z =
	    zload_string("example.com.", zone_text, "t.zone", NULL, NULL, err, sizeof(err));
	zt_t *zt;

	CU_ASSERT_PTR_NOT_NULL_FATAL(z);
	zt = zt_new(&z, 1, NULL, err, sizeof(err));
	zload_free(&z);
	CU_ASSERT_PTR_NOT_NULL_FATAL(zt);
	return zt;
}

static void test_build(void)
{
	zt_t *zt = snapshot();
	uint8_t msg[NOTIFY_MSG_MAX];
	size_t len = notify_build(zt, "example.com.", msg, sizeof(msg));
	ldns_pkt *p = NULL;
	ldns_rr *q, *soa;

	CU_ASSERT_FATAL(len > 12);
	CU_ASSERT_EQUAL_FATAL(ldns_wire2pkt(&p, msg, len), LDNS_STATUS_OK);
	/* Opcode NOTIFY, AA, not a response; the question; the SOA alone in the answer. */
	CU_ASSERT_EQUAL(ldns_pkt_get_opcode(p), LDNS_PACKET_NOTIFY);
	CU_ASSERT_TRUE(ldns_pkt_aa(p));
	CU_ASSERT_FALSE(ldns_pkt_qr(p));
	CU_ASSERT_FALSE(ldns_pkt_rd(p));
	CU_ASSERT_EQUAL(ldns_pkt_get_rcode(p), 0);
	CU_ASSERT_EQUAL_FATAL(ldns_pkt_qdcount(p), 1);
	CU_ASSERT_EQUAL_FATAL(ldns_pkt_ancount(p), 1);
	CU_ASSERT_EQUAL(ldns_pkt_nscount(p), 0);
	CU_ASSERT_EQUAL(ldns_pkt_arcount(p), 0);
	q = ldns_rr_list_rr(ldns_pkt_question(p), 0);
	CU_ASSERT_EQUAL(ldns_rr_get_type(q), LDNS_RR_TYPE_SOA);
	CU_ASSERT_EQUAL(ldns_rr_get_class(q), LDNS_RR_CLASS_IN);
	soa = ldns_rr_list_rr(ldns_pkt_answer(p), 0);
	CU_ASSERT_EQUAL_FATAL(ldns_rr_get_type(soa), LDNS_RR_TYPE_SOA);
	CU_ASSERT_EQUAL(ldns_rdf2native_int32(ldns_rr_rdf(soa, 2)), 2024060101u);
	CU_ASSERT_EQUAL(ldns_dname_compare(ldns_rr_owner(q), ldns_rr_owner(soa)), 0);
	ldns_pkt_free(p);

	/* No zone, no message; no room, no message. */
	CU_ASSERT_EQUAL(notify_build(zt, "example.org.", msg, sizeof(msg)), 0);
	CU_ASSERT_EQUAL(notify_build(zt, "example.com.", msg, 20), 0);
	CU_ASSERT_EQUAL(notify_build(NULL, "example.com.", msg, sizeof(msg)), 0);
	zt_free(&zt);
}

/* Waits (at most MS) for a datagram on FD; its length, 0 for none. */
static size_t recv_within(int fd, uint8_t *buf, size_t cap, int ms, struct sockaddr_storage *from,
			  socklen_t *flen)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	ssize_t n;

	if (poll(&p, 1, ms) != 1)
		return 0;
	*flen = sizeof(*from);
	n = recvfrom(fd, buf, cap, 0, (struct sockaddr *)from, flen);
	return n > 0 ? (size_t)n : 0;
}

/* Target 0's result once its NOTIFY of SERIAL is no longer being sent (at most MS). */
static enum notify_result wait_result(notify_t *n, uint32_t serial, int ms, notify_state_t *st)
{
	const uint64_t end = clock_now_ms() + (uint64_t)ms;

	do {
		CU_ASSERT_FATAL(notify_state(n, 0, st));
		if (st->serial == serial &&
		    (st->result == NOTIFY_OK || st->result == NOTIFY_FAILED))
			return st->result;
		usleep(10000);
	} while (clock_now_ms() < end);
	return st->result;
}

/* The thread against a secondary played here: answers that do not match are ignored. */
static void test_thread(void)
{
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t slen = sizeof(sin), flen;
	struct sockaddr_storage from;
	uint8_t msg[NOTIFY_MSG_MAX], got[NOTIFY_MSG_MAX], reply[NOTIFY_MSG_MAX];
	char text[256];
	int fd = socket(AF_INET, SOCK_DGRAM, 0), other = socket(AF_INET, SOCK_DGRAM, 0), rc;
	notify_counters_t c;
	notify_state_t st;
	zt_t *zt = snapshot();
	size_t len, n1;
	notify_t *n, *n2, *n3;
	cfg_t *cfg, *cfg2, *cfg3;

	CU_ASSERT_FATAL(fd >= 0 && other >= 0);
	CU_ASSERT_FATAL(bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0);
	CU_ASSERT_FATAL(getsockname(fd, (struct sockaddr *)&sin, &slen) == 0);
	snprintf(text, sizeof(text), "zone example.com. /x\nnotify example.com 127.0.0.1@%u\n",
		 ntohs(sin.sin_port));
	cfg = load(text, &rc);
	CU_ASSERT_EQUAL_FATAL(rc, SANDNS_EOK);
	n = notify_new(cfg, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(n);
	CU_ASSERT_EQUAL(notify_target_count(n), 1);
	CU_ASSERT_EQUAL(notify_zone_targets(n, "EXAMPLE.com."), 1);
	CU_ASSERT_EQUAL(notify_zone_targets(n, "example.net."), 0);
	len = notify_build(zt, "example.com.", msg, sizeof(msg));
	CU_ASSERT_FATAL(len > 12);
	/* Asked before the thread runs: it sends once started. */
	CU_ASSERT_EQUAL(notify_zone(n, "example.com.", 2024060101u, msg, len), 1);
	CU_ASSERT_EQUAL(notify_zone(n, "example.net.", 1, msg, len), 0);
	CU_ASSERT_EQUAL_FATAL(notify_start(n, err, sizeof(err)), SANDNS_EOK);

	n1 = recv_within(fd, got, sizeof(got), 3000, &from, &flen);
	CU_ASSERT_EQUAL_FATAL(n1, len);
	/* The message sent is the one built, with an ID. */
	CU_ASSERT_EQUAL(memcmp(got + 2, msg + 2, len - 2), 0);

	/* Wrong ID, a query instead of a response, another question, another source: ignored. */
	memcpy(reply, got, n1);
	reply[2] |= 0x80;
	wire_put16(reply, (uint16_t)(wire_get16(got) + 1));
	sendto(fd, reply, n1, 0, (struct sockaddr *)&from, flen);
	memcpy(reply, got, n1);
	sendto(fd, reply, n1, 0, (struct sockaddr *)&from, flen);
	memcpy(reply, got, n1);
	reply[2] |= 0x80;
	reply[12 + 1] = 'x'; /* "xxample.com." */
	sendto(fd, reply, n1, 0, (struct sockaddr *)&from, flen);
	memcpy(reply, got, n1);
	reply[2] |= 0x80;
	sendto(other, reply, n1, 0, (struct sockaddr *)&from, flen);
	/* REFUSED: tried again after the timeout (1 s), same ID. */
	memcpy(reply, got, n1);
	reply[2] |= 0x80;
	reply[3] = 5;
	sendto(fd, reply, n1, 0, (struct sockaddr *)&from, flen);
	n1 = recv_within(fd, got, sizeof(got), 3000, &from, &flen);
	CU_ASSERT_EQUAL_FATAL(n1, len);
	CU_ASSERT_EQUAL(wire_get16(got), wire_get16(reply));
	CU_ASSERT_TRUE(notify_state(n, 0, &st));
	CU_ASSERT_EQUAL(st.result, NOTIFY_SENDING);
	CU_ASSERT_EQUAL(st.tries, 2);
	/* NOERROR ends it. */
	memcpy(reply, got, n1);
	reply[2] |= 0x80;
	sendto(fd, reply, n1, 0, (struct sockaddr *)&from, flen);
	CU_ASSERT_EQUAL(wait_result(n, 2024060101u, 2000, &st), NOTIFY_OK);
	CU_ASSERT_EQUAL(st.serial, 2024060101u);
	CU_ASSERT_EQUAL(st.tries, 2);
	CU_ASSERT_STRING_EQUAL(st.origin, "example.com.");
	notify_get_counters(n, &c);
	CU_ASSERT_EQUAL(c.sent, 2);
	CU_ASSERT_EQUAL(c.ok, 1);
	CU_ASSERT_EQUAL(c.stray, 4);

	/* A newer serial supersedes one not yet answered: a new ID, the new serial. */
	CU_ASSERT_EQUAL(notify_zone(n, "example.com.", 7, msg, len), 1);
	n1 = recv_within(fd, got, sizeof(got), 3000, &from, &flen);
	CU_ASSERT_EQUAL_FATAL(n1, len);
	CU_ASSERT_EQUAL(notify_zone(n, "example.com.", 8, msg, len), 1);
	n1 = recv_within(fd, reply, sizeof(reply), 3000, &from, &flen);
	CU_ASSERT_EQUAL_FATAL(n1, len);
	reply[2] |= 0x80;
	sendto(fd, reply, n1, 0, (struct sockaddr *)&from, flen);
	CU_ASSERT_EQUAL(wait_result(n, 8, 2000, &st), NOTIFY_OK);
	CU_ASSERT_EQUAL(st.serial, 8);
	notify_get_counters(n, &c);
	CU_ASSERT_EQUAL(c.superseded, 1);

	/* A reconfiguration's targets: the one of the same zone (case and a final dot aside) and
	 * the same address shows the last outcome; another zone or another address does not. */
	snprintf(text, sizeof(text),
		 "zone example.com. /x\nzone a.test /x\nnotify a.test 127.0.0.1@%u\n"
		 "notify EXAMPLE.Com 127.0.0.2@%u\nnotify example.com. 127.0.0.1@%u\n",
		 ntohs(sin.sin_port), ntohs(sin.sin_port), ntohs(sin.sin_port));
	cfg2 = load(text, &rc);
	CU_ASSERT_EQUAL_FATAL(rc, SANDNS_EOK);
	n2 = notify_new(cfg2, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(n2);
	/* Each zone's targets, found by origin (case and a final dot aside). */
	CU_ASSERT_EQUAL(notify_zone_targets(n2, "example.com"), 2);
	CU_ASSERT_EQUAL(notify_zone_targets(n2, "A.TEST."), 1);
	CU_ASSERT_EQUAL(notify_zone_targets(n2, "b.test."), 0);
	CU_ASSERT_EQUAL(notify_target_count(n2), 3);
	notify_carry(n2, n);
	CU_ASSERT_TRUE(notify_state(n2, 0, &st));
	CU_ASSERT_EQUAL(st.result, NOTIFY_NONE);
	CU_ASSERT_TRUE(notify_state(n2, 1, &st));
	CU_ASSERT_EQUAL(st.result, NOTIFY_NONE);
	CU_ASSERT_TRUE(notify_state(n2, 2, &st));
	CU_ASSERT_EQUAL(st.result, NOTIFY_OK);
	CU_ASSERT_EQUAL(st.serial, 8);
	/* Carried on again: the zone's first target in N2 is another address, its second is it. */
	snprintf(text, sizeof(text), "zone example.com. /x\nnotify example.com 127.0.0.1@%u\n",
		 ntohs(sin.sin_port));
	cfg3 = load(text, &rc);
	CU_ASSERT_EQUAL_FATAL(rc, SANDNS_EOK);
	n3 = notify_new(cfg3, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(n3);
	notify_carry(n3, n2);
	CU_ASSERT_TRUE(notify_state(n3, 0, &st));
	CU_ASSERT_EQUAL(st.result, NOTIFY_OK);
	CU_ASSERT_EQUAL(st.serial, 8);
	notify_free(&n3);
	cfg_free(&cfg3);
	notify_free(&n2);
	cfg_free(&cfg2);

	notify_free(&n);
	CU_ASSERT_PTR_NULL(n);
	cfg_free(&cfg);
	zt_free(&zt);
	close(fd);
	close(other);
}

void reg_cutest_notify(void)
{
	CU_pSuite s = CU_add_suite("notify", NULL, NULL);

	if (s == NULL)
		return;
	CU_add_test(s, "notify lines: parsed, checked, named by file:line", test_cfg);
	CU_add_test(s, "the message: NOTIFY, AA, question, the SOA", test_build);
	CU_add_test(s, "the thread: matching answers, retry, supersede", test_thread);
}
