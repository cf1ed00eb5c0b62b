/* SPDX-License-Identifier: BSD-3-Clause */
/* test_metrics.c: CUnit suite for the Prometheus exposition (control/metrics.c) */
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "cutest.h"
#include "metrics.h"

/* The families by transport, the labels upper-cased, zone names escaped, DPDK only when on. */
static void test_render(void)
{
	static metrics_counts_t c;
	const char *names[DGRAM_ZONES] = {0};
	uint64_t base[DGRAM_ZONES] = {0}, carry[DGRAM_ZONES] = {0};
	const metrics_view_t v = {
	    .zone_names = names, .zone_base = base, .zone_carry = carry, .gauges = "g 1\n"};
	buf_t b = {0};

	memset(&c, 0, sizeof(c));
	c.dg[METRICS_UDP][DGRAM_QTYPE_FIRST + dgram_qtype_slot[28]] = 3;
	c.dg[METRICS_TCP][DGRAM_RCODE_FIRST + 3] = 2;
	c.zones[0] = 4;
	c.zones[1] = 9;
	c.zones[2] = 5;
	base[2] = 7;   /* went backwards past a zone list change: 0, never a wrap */
	carry[1] = 20; /* what the zone counted in another slot before the list changed */
	names[1] = "we\"ird\\zone.";
	/* Five accepted, three closed; four transfers, one failed, one sent whole. A close seen
	 * before its accept (counters read unlocked) gives 0, never a wrap. */
	c.srv[SRV_TCP_CONNECTIONS] = 5;
	c.srv[SRV_TCP_CLOSED] = 3;
	c.srv[SRV_XFR] = 4;
	c.srv[SRV_XFR_FAILED] = 1;
	c.srv[SRV_XFR_DONE] = 1;
	names[2] = "example.net.";
	metrics_render(&b, &c, &v);
	CU_ASSERT_FATAL(!b.oom && b.p != NULL);
	CU_ASSERT_PTR_NOT_NULL(
	    strstr(b.p, "sandns_queries_total{transport=\"udp\",qtype=\"AAAA\"} 3\n"));
	CU_ASSERT_PTR_NOT_NULL(
	    strstr(b.p, "sandns_responses_total{transport=\"tcp\",rcode=\"NXDOMAIN\"} 2\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(b.p, "sandns_zone_queries_total{zone=\"(none)\"} 4\n"));
	CU_ASSERT_PTR_NOT_NULL(
	    strstr(b.p, "sandns_zone_queries_total{zone=\"we\\\"ird\\\\zone.\"} 29\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(b.p, "sandns_zone_queries_total{zone=\"example.net.\"} 0\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(b.p, "# TYPE sandns_queries_total counter\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(b.p, "# TYPE sandns_tcp_connections_open gauge\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(b.p, "\nsandns_tcp_connections_open 2\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(b.p, "\nsandns_transfers_out_running 2\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(b.p, "sandns_server_events_total{event=\"tcp-closed\"} 3\n"));
	CU_ASSERT_PTR_NULL(strstr(b.p, "transport=\"dpdk\""));
	CU_ASSERT_PTR_NULL(strstr(b.p, "sandns_dpdk_port"));
	CU_ASSERT(b.len >= 4 && strcmp(b.p + b.len - 4, "g 1\n") == 0);
	free(b.p);

	memset(&b, 0, sizeof(b));
	c.dpdk = true;
	c.has_port = true;
	c.srv[SRV_TCP_CLOSED] = 6;
	c.srv[SRV_XFR_DONE] = 9;
	c.port.imissed = 11;
	metrics_render(&b, &c, &v);
	CU_ASSERT_FATAL(!b.oom && b.p != NULL);
	CU_ASSERT_PTR_NOT_NULL(strstr(b.p, "sandns_received_total{transport=\"dpdk\"} 0\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(b.p, "sandns_dpdk_port_missed_total 11\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(b.p, "\nsandns_tcp_connections_open 0\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(b.p, "\nsandns_transfers_out_running 0\n"));
	free(b.p);
}

void reg_cutest_metrics(void)
{
	CU_pSuite s = CU_add_suite("metrics", NULL, NULL);

	if (s == NULL)
		return;
	CU_add_test(s, "the exposition's families and labels", test_render);
}
