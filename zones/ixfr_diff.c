/* SPDX-License-Identifier: BSD-3-Clause */
/* ixfr_diff.c: the difference of a zone between two snapshots, as one IXFR changeset */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ixfr.h"
#include "sandns_err.h"
#include "wire.h"
#include "zt_order.h"
#include "zt_pvt.h"

/* RRs in wire form, growing; BOUND: octets it may reach (0: none). */
struct dbuf {
	uint8_t *p;
	size_t len, cap;
	uint64_t bound;
	int err;
};

static void dbuf_put(struct dbuf *b, const void *data, size_t len)
{
	if (b->err != 0)
		return;
	if (b->bound != 0 && b->len + len > b->bound) {
		b->err = SANDNS_ELIMIT;
		return;
	}
	if (b->len + len > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		uint8_t *grown;

		while (cap < b->len + len)
			cap *= 2;
		grown = realloc(b->p, cap);
		if (grown == NULL) {
			b->err = -ENOMEM;
			return;
		}
		b->p = grown;
		b->cap = cap;
	}
	memcpy(b->p + b->len, data, len);
	b->len += len;
}

/* One RR of RRset S of ZT: RR points at its [u16 rdlen][rdata]. */
static void put_rr(struct dbuf *b, const zt_t *zt, const zt_rrset_t *s, const uint8_t *rr)
{
	const zt_node_t *n = &zt->nodes[s->node];
	uint8_t fixed[8];

	dbuf_put(b, zt_node_name(zt, n), n->name_len);
	wire_put16(fixed, s->type);
	wire_put16(fixed + 2, C_IN);
	wire_put32(fixed + 4, s->ttl);
	dbuf_put(b, fixed, sizeof(fixed));
	dbuf_put(b, rr, 2u + wire_get16(rr));
}

static void put_rrset(struct dbuf *b, const zt_t *zt, const zt_rrset_t *s)
{
	const uint8_t *rr = zt->arena + s->data;

	for (uint16_t i = 0; i < s->count; i++) {
		put_rr(b, zt, s, rr);
		rr += 2u + wire_get16(rr);
	}
}

/* The order of the transfer: owner canonically, then type, then the type an RRSIG covers. */
static int cmp_rrset(const zt_t *a, const zt_rrset_t *x, const zt_t *b, const zt_rrset_t *y)
{
	int c = wire_name_cmp_canonical(zt_node_name(a, &a->nodes[x->node]),
					zt_node_name(b, &b->nodes[y->node]));

	if (c != 0)
		return c;
	if (x->type != y->type)
		return x->type < y->type ? -1 : 1;
	if (x->covered != y->covered)
		return x->covered < y->covered ? -1 : 1;
	return 0;
}

/* Two RRs ([u16 rdlen][rdata]) in the order an RRset keeps them (zt_rrsets.c): binary. */
static int cmp_rdata(const uint8_t *x, const uint8_t *y)
{
	uint16_t lx = wire_get16(x), ly = wire_get16(y);
	int c = memcmp(x + 2, y + 2, lx < ly ? lx : ly);

	if (c != 0)
		return c;
	return lx < ly ? -1 : (lx > ly);
}

/* Two RRsets of one owner and type: the RRs only in X go to DEL, those only in Y to ADD. */
static void diff_rrset(struct dbuf *del, struct dbuf *add, const zt_t *a, const zt_rrset_t *x,
		       const zt_t *b, const zt_rrset_t *y)
{
	const uint8_t *p = a->arena + x->data, *q = b->arena + y->data;
	uint16_t i = 0, j = 0;

	if (x->ttl != y->ttl) {
		/* One TTL per RRset: the secondary's copy is replaced whole. */
		put_rrset(del, a, x);
		put_rrset(add, b, y);
		return;
	}
	while (i < x->count || j < y->count) {
		int c = i == x->count ? 1 : j == y->count ? -1 : cmp_rdata(p, q);

		if (c < 0) {
			put_rr(del, a, x, p);
		} else if (c > 0) {
			put_rr(add, b, y, q);
		}
		if (c <= 0) {
			p += 2u + wire_get16(p);
			i++;
		}
		if (c >= 0) {
			q += 2u + wire_get16(q);
			j++;
		}
	}
}

/*
 * The RRsets OLD's AXFR[I..IEND) and NEW's AXFR[J..JEND) (transfer order) walked together: the
 * RRs only in OLD to DEL, those only in NEW to ADD. False once a buffer failed or the bound passed.
 */
static bool walk(struct dbuf *del, struct dbuf *add, const zt_t *old, const uint32_t *ax,
		 uint32_t i, uint32_t iend, const zt_t *new, const uint32_t *ay, uint32_t j,
		 uint32_t jend, uint64_t max_bytes)
{
	while ((i < iend || j < jend) && del->err == 0 && add->err == 0) {
		const zt_rrset_t *x = i < iend ? &old->rrsets[ax[i]] : NULL;
		const zt_rrset_t *y = j < jend ? &new->rrsets[ay[j]] : NULL;
		int c = x == NULL ? 1 : y == NULL ? -1 : cmp_rrset(old, x, new, y);

		if (c < 0) {
			put_rrset(del, old, x);
			i++;
		} else if (c > 0) {
			put_rrset(add, new, y);
			j++;
		} else {
			diff_rrset(del, add, old, x, new, y);
			i++;
			j++;
		}
		if (max_bytes != 0 && del->len + add->len > max_bytes)
			del->err = SANDNS_ELIMIT;
	}
	return del->err == 0 && add->err == 0;
}

/* The changeset from the two buffers: deletions then additions. */
static int finish(struct dbuf *del, struct dbuf *add, ixfr_cs_t **out)
{
	int ret = del->err != 0 ? del->err : add->err;

	if (ret == 0) {
		/* One buffer: the deletions then the additions (the bound was checked). */
		del->bound = 0;
		dbuf_put(del, add->p, add->len);
		ret = del->err;
	}
	if (ret == 0) {
		*out = ixfr_cs_new(del->p, del->len);
		if (*out == NULL)
			ret = -ENOMEM;
	}
	free(del->p);
	free(add->p);
	return ret;
}

int ixfr_diff(const zt_t *old, uint32_t oz, const zt_t *new, uint32_t nz, uint64_t max_bytes,
	      ixfr_cs_t **out)
{
	const zt_zone_t *zo = &old->zones[oz], *zn = &new->zones[nz];
	struct dbuf del = {.bound = max_bytes}, add = {.bound = max_bytes};
	int ret;

	*out = NULL;
	/* The transfer orders of a large zone may still be sorted on a thread: wait for them. */
	ret = zt_order_wait(old);
	if (ret == 0)
		ret = zt_order_wait(new);
	if (ret != 0)
		return ret;
	/* The old SOA first, then the deletions; the new SOA, then the additions. */
	put_rrset(&del, old, &old->rrsets[zo->soa]);
	put_rrset(&add, new, &new->rrsets[zn->soa]);
	walk(&del, &add, old, zo->axfr, 0, zo->naxfr, new, zn->axfr, 0, zn->naxfr, max_bytes);
	return finish(&del, &add, out);
}

/* The first position of ZONE's transfer order (N RRsets) whose owner is not before NAME. */
static uint32_t first_at(const zt_t *zt, const uint32_t *ax, uint32_t n, const uint8_t *name)
{
	uint32_t lo = 0, hi = n;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		const zt_rrset_t *s = &zt->rrsets[ax[mid]];

		if (wire_name_cmp_canonical(zt_node_name(zt, &zt->nodes[s->node]), name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The end of NAME's RRsets from position AT of the transfer order. */
static uint32_t end_at(const zt_t *zt, const uint32_t *ax, uint32_t n, uint32_t at,
		       const uint8_t *name)
{
	while (at < n && wire_name_cmp_canonical(
			     zt_node_name(zt, &zt->nodes[zt->rrsets[ax[at]].node]), name) == 0)
		at++;
	return at;
}

static int canon_cmp(const void *a, const void *b)
{
	return wire_name_cmp_canonical(*(const uint8_t *const *)a, *(const uint8_t *const *)b);
}

int ixfr_diff_names(const zt_t *old, uint32_t oz, const zt_t *new, uint32_t nz,
		    const uint8_t *const *names, size_t nnames, uint64_t max_bytes, ixfr_cs_t **out)
{
	const zt_zone_t *zo = &old->zones[oz], *zn = &new->zones[nz];
	struct dbuf del = {.bound = max_bytes}, add = {.bound = max_bytes};
	const uint8_t **sorted = malloc((nnames + 1) * sizeof(*sorted));
	int ret;

	*out = NULL;
	if (sorted == NULL)
		return -ENOMEM;
	ret = zt_order_wait(old);
	if (ret == 0)
		ret = zt_order_wait(new);
	if (ret != 0) {
		free(sorted);
		return ret;
	}
	/* The names in transfer order, each once: their RRsets are where the whole walk has them.
	 */
	if (nnames > 0) {
		memcpy(sorted, names, nnames * sizeof(*sorted));
		qsort(sorted, nnames, sizeof(*sorted), canon_cmp);
	}
	put_rrset(&del, old, &old->rrsets[zo->soa]);
	put_rrset(&add, new, &new->rrsets[zn->soa]);
	for (size_t k = 0; k < nnames; k++) {
		uint32_t i, j;

		if (k > 0 && canon_cmp(&sorted[k - 1], &sorted[k]) == 0)
			continue;
		i = first_at(old, zo->axfr, zo->naxfr, sorted[k]);
		j = first_at(new, zn->axfr, zn->naxfr, sorted[k]);
		if (!walk(&del, &add, old, zo->axfr, i,
			  end_at(old, zo->axfr, zo->naxfr, i, sorted[k]), new, zn->axfr, j,
			  end_at(new, zn->axfr, zn->naxfr, j, sorted[k]), max_bytes))
			break;
	}
	free(sorted);
	return finish(&del, &add, out);
}
