/* SPDX-License-Identifier: BSD-3-Clause */
/* zt_nxb.c: an NSEC zone's denial lines by the first two octets of a question's key (nxb_fast) */
#include "denial.h"

/* The first octets of the zone's keys below the apex (an NSEC owner's, or an SOA name's label):
 * SEEN[c] set for each. */
static void firsts(const zt_zone_t *zone, bool seen[256])
{
	for (unsigned c = 0; c < 256; c++)
		seen[c] = c > 0 && zone->nsec_first[c + 1] != zone->nsec_first[c];
	for (int k = 0; k < 2; k++)
		if (zone->nx_soa_lab[k][0] != 0)
			seen[denial_key_first(zone->nx_soa_lab[k])] = true;
}

size_t denial_nxb_fast_len(const zt_t *zt, uint32_t z, bool by_second)
{
	bool seen[256];
	size_t n = 1;

	if (!by_second)
		return DENIAL_NXB_FAST_LEN;
	firsts(&zt->zones[z], seen);
	for (unsigned c = 0; c < 256; c++)
		n += seen[c];
	return n * DENIAL_NXB_FAST_LEN;
}

/* The entry of the owner before I, the last key before those that begin at I (wrapping around
 * to the last owner): its lines, and among them the NXDOMAIN below the apex (any type). */
static void lines_before(const zt_zone_t *zone, uint32_t i, uint32_t *out)
{
	uint32_t o = i == 0 ? zone->nnsec - 1 : i - 1;
	const uint32_t *e =
	    denial_blob_line(zone, zone->nxb_idx[o], zone->nxb_idx[o + 1], zone->apex, 0);

	out[0] = zone->nxb_idx[o];
	out[1] = zone->nxb_idx[o + 1];
	out[2] = e != NULL && e[1] == 0 ? e[2] : ZT_NONE;
	out[3] = e != NULL && e[1] == 0 ? e[3] : 0;
}

/* An entry whose questions' keys are compared. */
static void compared(uint32_t *out)
{
	out[0] = UINT32_MAX;
	out[1] = 0;
	out[2] = ZT_NONE;
	out[3] = 0;
}

/* The second octet of key I (after the apex's). */
static unsigned second(const zt_zone_t *zone, uint32_t i)
{
	return (unsigned)(zone->nsec_pre[i] >> 48) & 0xff;
}

void denial_nxb_fast(zt_t *zt, uint32_t z, uint32_t *out, bool by_second)
{
	zt_zone_t *zone = &zt->zones[z];
	uint32_t sub = 0;
	bool seen[256];

	firsts(zone, seen);
	/* No question's key begins with 0 (the apex's, empty): never asked. */
	compared(out);
	for (unsigned c = 1; c < 256; c++) {
		uint32_t lo = zone->nsec_first[c], hi = zone->nsec_first[c + 1];
		uint32_t *tab;

		if (!seen[c]) {
			/* No key begins with C: the owner before the first that begins after it
			 * covers every question whose key does. */
			lines_before(zone, lo, out + 4 * c);
			continue;
		}
		compared(out + 4 * c);
		if (!by_second) {
			out[4 * c + 1] = UINT32_MAX; /* no table by the second octet: compared */
			continue;
		}
		/* By the second octet, the same way, in a table of its own after the first. */
		out[4 * c + 1] = sub;
		tab = out + DENIAL_NXB_FAST_LEN * (1 + (size_t)sub++);
		for (unsigned c2 = 0, i = lo; c2 < 256; c2++) {
			while (i < hi && second(zone, i) < c2)
				i++;
			/* A key begins with both: the keys are compared. */
			if (i < hi && second(zone, i) == c2)
				compared(tab + 4 * c2);
			else
				lines_before(zone, i, tab + 4 * c2);
		}
		/* A label the SOA's names have below the apex is compared whole (the blobs do
		 * not serve it: soa_label()). */
		for (int k = 0; k < 2; k++)
			if (zone->nx_soa_lab[k][0] != 0 &&
			    denial_key_first(zone->nx_soa_lab[k]) == c)
				compared(tab + 4 * denial_key_second(zone->nx_soa_lab[k]));
	}
	zone->nxb_fast = out;
}
