/* SPDX-License-Identifier: BSD-3-Clause */
/* ixfr_hist.c: changesets and a zone's bounded history of them, shared by reference */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ixfr_pvt.h"
#include "wire.h"
#include "zt_pvt.h"

size_t ixfr_rr_len(const uint8_t *p, size_t left)
{
	size_t i = 0, len;

	/* An uncompressed owner: labels up to the root, 255 octets at most. */
	while (i < left && p[i] != 0) {
		if (p[i] > 63)
			return 0;
		i += (size_t)p[i] + 1;
	}
	if (i >= left || i + 1 > WIRE_NAME_MAX)
		return 0;
	i++;
	if (left - i < 10)
		return 0;
	len = i + 10 + wire_get16(p + i + 8);
	return len <= left ? len : 0;
}

/* The type of the wire RR at P (whole) and, for an SOA, its serial. */
static uint16_t rr_type(const uint8_t *p, size_t len, uint32_t *serial)
{
	size_t owner = wire_name_len(p);
	uint16_t type = wire_get16(p + owner);
	const uint8_t *rd = p + owner + 10, *end = p + len;

	if (type == T_SOA) {
		/* MNAME and RNAME are uncompressed here (we wrote them): bounded walks. */
		for (int k = 0; k < 2; k++) {
			while (rd < end && *rd != 0)
				rd += *rd + 1;
			rd++;
		}
		if (rd + 20 > end)
			return 0;
		*serial = wire_get32(rd);
	}
	return type;
}

ixfr_cs_t *ixfr_cs_new(const uint8_t *data, size_t len)
{
	struct ixfr_cs *cs;
	size_t off = 0, nsoa = 0, new_soa = 0, new_soa_len = 0;
	uint32_t serial[2] = {0, 0};

	while (off < len) {
		size_t l = ixfr_rr_len(data + off, len - off);
		uint32_t s = 0;

		if (l == 0)
			return NULL;
		if (rr_type(data + off, l, &s) == T_SOA) {
			if (nsoa == 2 || (nsoa == 0 && off != 0))
				return NULL;
			serial[nsoa] = s;
			if (nsoa == 1) {
				new_soa = off;
				new_soa_len = l;
			}
			nsoa++;
		}
		off += l;
	}
	if (nsoa != 2)
		return NULL;
	cs = malloc(sizeof(*cs) + len);
	if (cs == NULL)
		return NULL;
	cs->refs = 1;
	cs->from = serial[0];
	cs->to = serial[1];
	cs->new_soa = new_soa;
	cs->new_soa_len = new_soa_len;
	cs->len = len;
	memcpy(cs->data, data, len);
	return cs;
}

uint32_t ixfr_cs_from(const ixfr_cs_t *cs)
{
	return cs->from;
}

uint32_t ixfr_cs_to(const ixfr_cs_t *cs)
{
	return cs->to;
}

size_t ixfr_cs_size(const ixfr_cs_t *cs)
{
	return cs->len;
}

const uint8_t *ixfr_cs_data(const ixfr_cs_t *cs)
{
	return cs->data;
}

void ixfr_cs_unref(ixfr_cs_t **csp)
{
	ixfr_cs_t *cs = *csp;

	*csp = NULL;
	if (cs != NULL && __atomic_sub_fetch(&cs->refs, 1, __ATOMIC_ACQ_REL) == 0)
		free(cs);
}

ixfr_hist_t *ixfr_hist_add(const ixfr_hist_t *prev, ixfr_cs_t *cs, uint64_t max_bytes,
			   unsigned max_depth, unsigned *dropped)
{
	size_t keep = 0, first = 0, n;
	uint64_t bytes;
	struct ixfr_hist *h;

	*dropped = 0;
	if (prev != NULL && prev->n > 0 && prev->cs[prev->n - 1]->to == cs->from)
		keep = prev->n;
	else if (prev != NULL)
		*dropped = (unsigned)prev->n;
	bytes = cs->len;
	for (size_t i = 0; i < keep; i++)
		bytes += prev->cs[i]->len;
	/* Oldest first out, until both bounds hold (CS itself too large: nothing is left). */
	while (first < keep && (bytes > max_bytes || keep - first + 1 > max_depth)) {
		bytes -= prev->cs[first]->len;
		first++;
	}
	*dropped += (unsigned)first;
	n = keep - first + 1;
	if (bytes > max_bytes || max_depth == 0) {
		(*dropped)++;
		n = 0;
		bytes = 0;
	}
	h = calloc(1, sizeof(*h) + (n ? n : 1) * sizeof(h->cs[0]));
	if (h == NULL) {
		ixfr_cs_unref(&cs);
		return NULL;
	}
	h->refs = 1;
	h->n = n;
	h->bytes = bytes;
	for (size_t i = 0; n > 0 && i + 1 < n; i++) {
		h->cs[i] = prev->cs[first + i];
		__atomic_add_fetch(&h->cs[i]->refs, 1, __ATOMIC_RELAXED);
	}
	if (n > 0)
		h->cs[n - 1] = cs;
	else
		ixfr_cs_unref(&cs);
	return h;
}

ixfr_hist_t *ixfr_hist_new(void)
{
	struct ixfr_hist *h = calloc(1, sizeof(*h));

	if (h != NULL)
		h->refs = 1;
	return h;
}

ixfr_hist_t *ixfr_hist_ref(const ixfr_hist_t *ch)
{
	ixfr_hist_t *h = (ixfr_hist_t *)ch;

	if (h != NULL)
		__atomic_add_fetch(&h->refs, 1, __ATOMIC_RELAXED);
	return h;
}

void ixfr_hist_unref(ixfr_hist_t **hp)
{
	ixfr_hist_t *h = *hp;

	*hp = NULL;
	if (h == NULL || __atomic_sub_fetch(&h->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	for (size_t i = 0; i < h->n; i++)
		ixfr_cs_unref(&h->cs[i]);
	free(h);
}

size_t ixfr_hist_count(const ixfr_hist_t *h)
{
	return h != NULL ? h->n : 0;
}

uint64_t ixfr_hist_bytes(const ixfr_hist_t *h)
{
	return h != NULL ? h->bytes : 0;
}

const ixfr_cs_t *ixfr_hist_get(const ixfr_hist_t *h, size_t i)
{
	return h != NULL && i < h->n ? h->cs[i] : NULL;
}

bool ixfr_hist_range(const ixfr_hist_t *h, uint32_t *first, uint32_t *last)
{
	if (h == NULL || h->n == 0)
		return false;
	*first = h->cs[0]->from;
	*last = h->cs[h->n - 1]->to;
	return true;
}

const ixfr_hist_t *ixfr_hist_of(const zt_t *zt, uint32_t z)
{
	return z < zt->nzones ? zt->zones[z].ixfr : NULL;
}

void ixfr_hist_attach(zt_t *zt, uint32_t z, ixfr_hist_t *h)
{
	if (z >= zt->nzones) {
		ixfr_hist_unref(&h);
		return;
	}
	ixfr_hist_unref(&zt->zones[z].ixfr);
	zt->zones[z].ixfr = h;
}
