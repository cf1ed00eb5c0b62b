/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_answer.c: libFuzzer target for the answer engine: the input is one DNS query (as the
 * UDP payload or the TCP message without its length) answered by zt_answer() over the sample
 * and peer zones: over UDP into 512 octets, over UDP in place as the dataplane answers, and over
 * TCP with transfers allowed, which then runs zt_xfr_render() too. Each UDP answer also goes
 * through a response rate limiter (rrl_apply) until it is cut short (slipped): what goes out
 * truncated must still be a response to the query. The signed zones' NODATA answers with DO
 * are kept in parts, as in a large zone, whatever the zones' size.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "rrl.h"
#include "zt_build.h"

#define UDP_CAP 512
#define INPLACE_CAP ZT_UDP_MAX_DEFAULT
#define TCP_CAP 65535

static const zt_t *zt;

/* A limiter that lets one response through per second, then slips every limited one. */
static const rrl_cfg_t rrl_cfg = {.rate = 1, .slip = 1, .ipv4_prefix = 24, .ipv6_prefix = 56};
static const uint8_t client[4] = {198, 51, 100, 7};

/*
 * RESP (LEN octets, with INFO) through a fresh limiter twice: the first goes out whole, the
 * second slips, cut in place to a truncated response; both checked.
 */
static void check_rrl(const uint8_t *query, size_t qlen, const uint8_t *resp, size_t len,
		      const zt_answer_info_t *info)
{
	rrl_t *rrl = rrl_new(&rrl_cfg);
	uint8_t *buf = malloc(len);
	enum rrl_action act;
	size_t n = len;

	memcpy(buf, resp, len);
	rrl_tick_at(rrl, 1000);
	act = rrl_apply(rrl, client, sizeof(client), info, buf, &n);
	FZ_CHECK(act == RRL_SEND && n == len && memcmp(buf, resp, len) == 0,
		 "the first response limited (%d) or changed", (int)act);
	act = rrl_apply(rrl, client, sizeof(client), info, buf, &n);
	FZ_CHECK(act == RRL_SLIP, "the second response not slipped (%d)", (int)act);
	FZ_CHECK(n <= len, "slipped from %zu to %zu octets", len, n);
	if (act == RRL_SLIP) {
		zt_answer_info_t cut = *info;

		cut.truncated = true;
		fz_check_answer(query, qlen, buf, n, len, &cut);
	}
	free(buf);
	rrl_free(&rrl);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* The signed zones' NODATA with DO in parts, as a large zone keeps them (zt_blobs.c). */
	zt_blobs_split_min = 0;
	zt = fz_snapshot();
	return 0;
}

/*
 * Each response goes into a heap buffer of exactly the capacity given, so that AddressSanitizer
 * sees any octet written past it.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const zt_answer_ctx_t udp = {
	    .transport = ZT_UDP, .client = client, .client_len = sizeof(client)};
	const zt_answer_ctx_t tcp = {.transport = ZT_TCP,
				     .xfr_allowed = true,
				     .client = client,
				     .client_len = sizeof(client)};
	zt_answer_info_t info, info_ip;
	size_t cap, len, len_ip;
	uint8_t *resp, *buf;

	if (size > TCP_CAP)
		return 0;

	resp = malloc(UDP_CAP);
	len = zt_answer(zt, data, size, resp, UDP_CAP, &udp, &info);
	fz_check_answer(data, size, resp, len, UDP_CAP, &info);
	FZ_CHECK(!info.xfr, "a transfer over UDP");
	if (len > 0)
		check_rrl(data, size, resp, len, &info);
	free(resp);

	/* In place (the dataplane's way) must give what a separate buffer gives. */
	cap = size > INPLACE_CAP ? size : INPLACE_CAP;
	resp = malloc(cap);
	buf = malloc(cap);
	/* A fresh server cookie holds the time: a second that turns between the two answers
	 * changes it, so they are asked twice before they must agree. */
	for (int attempt = 0; attempt < 2; attempt++) {
		memcpy(buf, data, size);
		len = zt_answer(zt, data, size, resp, cap, &udp, &info);
		len_ip = zt_answer(zt, buf, size, buf, cap, &udp, &info_ip);
		if (len_ip == len && memcmp(resp, buf, len) == 0)
			break;
	}
	fz_check_answer(data, size, resp, len, cap, &info);
	FZ_CHECK(len_ip == len && memcmp(resp, buf, len) == 0,
		 "in place: %zu octets, in another buffer: %zu (or other octets)", len_ip, len);
	FZ_CHECK(info.rcode == info_ip.rcode && info.truncated == info_ip.truncated &&
		     info.xfr == info_ip.xfr && info.dropped == info_ip.dropped &&
		     info.answer == info_ip.answer,
		 "in place: another info");
	free(buf);
	free(resp);

	resp = malloc(TCP_CAP);
	len = zt_answer(zt, data, size, resp, TCP_CAP, &tcp, &info);
	fz_check_answer(data, size, resp, len, TCP_CAP, &info);
	free(resp);
	if (info.xfr)
		fz_check_xfr(zt, data, size);
	return 0;
}
