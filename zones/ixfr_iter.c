/* SPDX-License-Identifier: BSD-3-Clause */
/* ixfr_iter.c: the RRs of an IXFR response (RFC 1995 4) from a history, one at a time */
#include "ixfr_pvt.h"

bool ixfr_iter_start(ixfr_iter_t *it, const ixfr_hist_t *h, uint32_t from)
{
	*it = (ixfr_iter_t){.hist = h, .stage = 3};
	for (size_t i = 0; h != NULL && i < h->n; i++) {
		if (h->cs[i]->from == from) {
			it->cs = i;
			it->stage = 0;
			return true;
		}
	}
	return false;
}

bool ixfr_iter_next(ixfr_iter_t *it, const uint8_t **rr, size_t *len)
{
	const struct ixfr_hist *h = it->hist;
	const struct ixfr_cs *last;

	if (it->stage == 3 || h == NULL || h->n == 0)
		return false;
	last = h->cs[h->n - 1];
	switch (it->stage) {
	case 0:
		/* The SOA served: the last version's new SOA. */
		*rr = last->data + last->new_soa;
		*len = last->new_soa_len;
		it->stage = 1;
		it->off = 0;
		return true;
	case 1:
		if (it->cs < h->n) {
			const struct ixfr_cs *cs = h->cs[it->cs];

			/* ixfr_cs_new() checked every RR: each one is whole. */
			*rr = cs->data + it->off;
			*len = ixfr_rr_len(*rr, cs->len - it->off);
			it->off += *len;
			if (it->off >= cs->len) {
				it->cs++;
				it->off = 0;
			}
			return true;
		}
		it->stage = 2;
		/* fall through */
	case 2:
		*rr = last->data + last->new_soa;
		*len = last->new_soa_len;
		it->stage = 3;
		return true;
	default:
		return false;
	}
}
