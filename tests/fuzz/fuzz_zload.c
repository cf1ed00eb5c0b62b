/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_zload.c: libFuzzer target for the zone loader: the input is the text of a master file
 * for example.com., read by zload_string(). A zone that loads is compiled (zt_new), once as it
 * is and once with edits of the kind the autodiscover policy makes, and asked a few queries
 * and a transfer; then everything is freed, so that LeakSanitizer sees what was not.
 *
 * Inputs holding "$INCLUDE" are skipped: it opens whatever path the text names (a fuzzer soon
 * finds /dev/zero or /dev/stdin), and zone files are the operator's, trusted that far.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fuzz_common.h"
#include "zload.h"

#define ORIGIN "example.com."
#define TCP_CAP 65535

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

static bool has_include(const char *text)
{
	for (const char *p = strchr(text, '$'); p != NULL; p = strchr(p + 1, '$'))
		if (strncasecmp(p, "$INCLUDE", 8) == 0)
			return true;
	return false;
}

static int count_rr(void *ctx, const char *owner, uint16_t type, uint32_t ttl,
		    const char *rdata_text)
{
	(void)owner;
	(void)type;
	(void)ttl;
	(void)rdata_text;
	(*(size_t *)ctx)++;
	return 0;
}

/* A few questions to ZT over TCP (transfers allowed): each answer checked, the AXFR run. */
static void ask(const zt_t *zt)
{
	static const struct {
		const char *name;
		uint16_t type;
	} qs[] = {
	    {ORIGIN, 6},			/* SOA */
	    {ORIGIN, 255},			/* ANY */
	    {"www." ORIGIN, 1},			/* A */
	    {"autodiscover." ORIGIN, 28},	/* AAAA */
	    {"a.b.nowhere." ORIGIN, 16},	/* TXT: NXDOMAIN, a wildcard or a cut */
	    {"_autodiscover._tcp." ORIGIN, 33}, /* SRV */
	    {ORIGIN, 252},			/* AXFR */
	};
	const zt_answer_ctx_t tcp = {.transport = ZT_TCP, .xfr_allowed = true};
	uint8_t *resp = malloc(TCP_CAP), q[512];
	zt_answer_info_t info;
	size_t i, qlen, len;

	for (i = 0; i < sizeof(qs) / sizeof(qs[0]); i++) {
		qlen = fz_query(q, (uint16_t)(0x5300 + i), qs[i].name, qs[i].type);
		len = zt_answer(zt, q, qlen, resp, TCP_CAP, &tcp, &info);
		fz_check_answer(q, qlen, resp, len, TCP_CAP, &info);
		if (info.xfr)
			fz_check_xfr(zt, q, qlen);
	}
	free(resp);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* What the policy does to a mail domain (docs/autodiscover-policy.md): withhold, empty
	 * node, SRV. */
	static const zload_edit_t edits[] = {
	    {.op = ZLOAD_EDIT_WITHHOLD, .owner = "autodiscover." ORIGIN, .type = 1},
	    {.op = ZLOAD_EDIT_WITHHOLD, .owner = "autodiscover." ORIGIN, .type = 28},
	    {.op = ZLOAD_EDIT_EMPTY_NODE, .owner = "autodiscover." ORIGIN},
	    {.op = ZLOAD_EDIT_ADD,
	     .owner = "_autodiscover._tcp." ORIGIN,
	     .type = 33,
	     .ttl = 3600,
	     .rdata = "0 0 443 mail." ORIGIN},
	};
	char err[1024], *text;
	zload_zone_t *zone;
	zt_t *zt;
	size_t n = 0;

	text = malloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';
	if (has_include(text))
		goto out_free_text;
	zone = zload_string(ORIGIN, text, "fuzz.zone", NULL, NULL, err, sizeof(err));
	if (zone == NULL)
		goto out_free_text;
	FZ_CHECK(zload_foreach(zone, count_rr, &n) == 0, "zload_foreach failed");
	FZ_CHECK(n == zload_rr_count(zone), "%zu records walked, %zu counted", n,
		 zload_rr_count(zone));

	zt = zt_new(&zone, 1, NULL, err, sizeof(err));
	if (zt != NULL) {
		ask(zt);
		zt_free(&zt);
	}
	if (zload_edits_check(zone, edits, sizeof(edits) / sizeof(edits[0]), err, sizeof(err)) ==
	    0) {
		const zt_zone_edits_t ze = {
		    .zone = zone,
		    .edits = edits,
		    .nedits = sizeof(edits) / sizeof(edits[0]),
		    .serial = zload_serial(zone) + 1,
		};
		const zt_opts_t opts = {.edits = &ze, .nedits = 1};

		zt = zt_new(&zone, 1, &opts, err, sizeof(err));
		if (zt != NULL) {
			ask(zt);
			zt_free(&zt);
		}
	}
	zload_free(&zone);
out_free_text:
	free(text);
	return 0;
}
