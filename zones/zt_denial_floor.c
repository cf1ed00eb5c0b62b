/* SPDX-License-Identifier: BSD-3-Clause */
/* zt_denial_floor.c: the fewest octets an NSEC zone's denial blobs take, without rendering them */
#include "denial.h"
#include "resolve.h" /* ZT_LIVE */
#include "wire.h"
#include "zt_build.h"
#include "zt_index.h"

/*
 * A patch asks whether an NSEC zone without blobs would keep them all in a compile
 * (zt_denial_fits()): rendering them until they pass the share costs a share's worth of
 * rendering (64 MiB for a large zone) at each patch. Every NSEC's names have the apex for one of
 * their closest enclosers (zt_denial.c's enclosers()), and without a wildcard there the compile
 * renders their NXDOMAIN below the apex (denial_render()) for each NSEC: the question, the SOA's
 * part (zone->nx_do) and the node whose NSEC covers the apex's wildcard (W) are the same for
 * all, only the NSEC's records differ. So when it renders for NSEC 0 (the template), it renders
 * for another NSEC unless the records pass the message or their pointers pass ZT_FIX_MAX
 * (w.err): told from the NSEC's records at their most and W's. W's records are bounded by the
 * template: they took what it holds besides the SOA's part and NSEC 0's records (at their
 * fewest), at least 11 octets a record (an owner, type, class, TTL, length), and elsewhere
 * each record's owner takes at most a name's octets more; or W is NSEC 0's node. Each NSEC that
 * renders takes at least that blob, the SOA's part and its records at their fewest octets, and
 * its line in the table: a sum over the NSEC RRsets' lengths, no rendering.
 */
size_t zt_denial_nsec_floor(struct zt_build *b, uint32_t z, size_t enough)
{
	const zt_t *zt = b->zt;
	const zt_zone_t *zone = &zt->zones[z];
	const zt_node_t *apex = &zt->nodes[zone->apex];
	uint32_t a = zt_find(zt, zt_node_name(zt, apex), apex->name_len);
	uint16_t fix[ZT_FIX_MAX];
	struct denial_built d;
	const zt_blob_t *nx;
	size_t floor = 0, lo, hi, room, w_hi, w_recs, rest;
	unsigned owners, fix_room;

	/* The apex as enclosers() finds it (by name: a patch may have made it a new node). */
	if (zone->nnsec == 0 || zone->nx_do >= ZT_LIVE || zone->nsec_keys == NULL || a == ZT_NONE ||
	    zt->nodes[a].zone != z || !zt_denial_encloser(zt, a) ||
	    zt->nodes[a].wildcard != ZT_NONE ||
	    !denial_render(zt, z, 0, a, 0, b->scratch, sizeof(b->scratch), fix, ZT_FIX_MAX, &d))
		return 0;
	nx = zt_blob(zt, zone->nx_do);
	denial_nsec_octets(zt, zone->nsec[0], &lo, &hi, &owners);
	if (d.len < nx->len + lo)
		return 0; /* not the blob described above: no floor */
	rest = d.len - nx->len - lo;
	w_recs = rest / 11;
	w_hi = rest + w_recs * (WIRE_NAME_MAX - 1);
	if (w_hi < hi)
		w_hi = hi;
	if (w_recs < owners)
		w_recs = owners;
	/* denial_render()'s message: the question one label below the apex, then the blob. */
	room = sizeof(b->scratch) < WIRE_PTR_MAX ? sizeof(b->scratch) : WIRE_PTR_MAX;
	if (WIRE_HDR_LEN + zt->nodes[a].name_len + 2u + 4u + nx->len + w_hi > room ||
	    nx->nfix + w_recs > ZT_FIX_MAX)
		return 0;
	room -= WIRE_HDR_LEN + zt->nodes[a].name_len + 2u + 4u + nx->len + w_hi;
	fix_room = ZT_FIX_MAX - nx->nfix - (unsigned)w_recs;
	for (uint32_t i = 0; i < zone->nnsec && floor <= enough; i++) {
		denial_nsec_octets(zt, zone->nsec[i], &lo, &hi, &owners);
		if (hi <= room && owners <= fix_room)
			floor += zt_blob_size((uint32_t)(nx->len + lo), 0) + 4 * sizeof(uint32_t);
	}
	return floor;
}
