/* SPDX-License-Identifier: BSD-3-Clause */
/* dgram.c: the UDP counters, and signed queries and IXFR answered off the inline path */
#include <string.h>

#include "dgram.h"
#include "wire.h"

const char *const dgram_stat_names[DGRAM_STAT_COUNT] = {DGRAM_STAT_NAMES(0)};

void dgram_stats_read(const uint64_t *st, uint64_t out[DGRAM_STAT_COUNT])
{
	size_t s;

	for (s = 0; s < DGRAM_STAT_COUNT; s++)
		out[s] = __atomic_load_n(&st[s], __ATOMIC_RELAXED);
	out[DGRAM_RECEIVED] = out[DGRAM_ANSWERED] + out[DGRAM_DROPPED] + out[DGRAM_RRL_DROPPED];
}

size_t dgram_answer_auth(const dgram_ctx_t *dg, const zt_t *zt, uint8_t *buf, size_t qlen,
			 size_t cap, const uint8_t *client, size_t alen, zt_answer_info_t *info)
{
	const dgram_auth_t *a = dg->auth;
	zt_answer_ctx_t ctx = {.transport = ZT_UDP};
	const tsig_key_t *key = NULL;
	bool sign = info->tsig;
	tsig_ctx_t t;
	size_t off, n;

	if (zt == NULL)
		return 0;
	if (sign) {
		int r;

		tsig_ctx_init(&t, 0);
		r = tsig_find(buf, qlen, &off);
		if (r == 1)
			r = tsig_server_verify(&t, a->keys, a->nkeys, buf, &qlen, off);
		else
			r = -1;
		if (r < 0) {
			info->rcode = RC_FORMERR;
			return tsig_formerr_answer(buf, buf);
		}
		if (r != TSIG_OK) {
			info->rcode = RC_NOTAUTH;
			return tsig_error_answer(&t, buf, qlen, buf, cap);
		}
		key = t.key;
		ctx.reserve = (uint16_t)tsig_reserve(&t);
	}
	ctx.xfr_allowed = a->xfr_allowed != NULL && a->xfr_allowed(a->arg, client, alen, key);
	n = zt_answer(zt, buf, qlen, buf, cap, &ctx, info);
	if (n == 0 || n > cap)
		return 0;
	if (sign)
		tsig_xfr_refused(&t, buf, ctx.xfr_allowed);
	if (sign && tsig_sign_first(&t, buf, n, cap, &n) != 0)
		return 0;
	return n;
}
