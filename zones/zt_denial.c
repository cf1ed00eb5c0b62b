/* SPDX-License-Identifier: BSD-3-Clause */
/* zt_denial.c: signed zones' NXDOMAIN answers with DO made ahead, within the snapshot's budget */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "denial.h"
#include "nsec3.h"
#include "render.h"
#include "resolve.h"
#include "zt_build.h"
#include "zt_index.h"

/* Closest enclosers of the names an NSEC covers. */
struct encl {
	uint32_t n[2 * WIRE_NAME_MAX];
	unsigned count;
};

/* Node N among the enclosers E when a question below it may be answered with a blob. */
static void encl_add(const zt_t *zt, struct encl *e, uint32_t n)
{
	if (!zt_denial_encloser(zt, n))
		return;
	for (unsigned i = 0; i < e->count; i++)
		if (e->n[i] == n)
			return;
	if (e->count < sizeof(e->n) / sizeof(e->n[0]))
		e->n[e->count++] = n;
}

/*
 * The names of zone Z under NAME (LEN octets, lower case) and above, to its apex, that are
 * nodes of the zone: NAME itself when SELF.
 */
static void encl_walk(const zt_t *zt, struct encl *e, uint32_t z, const uint8_t *name, size_t len,
		      bool self)
{
	size_t apex_len = zt->nodes[zt->zones[z].apex].name_len;

	if (!self) {
		if (name[0] == 0)
			return;
		len -= name[0] + 1u;
		name += name[0] + 1;
	}
	while (len >= apex_len) {
		uint32_t n = zt_find(zt, name, len);

		if (n != ZT_NONE && zt->nodes[n].zone == z)
			encl_add(zt, e, n);
		if (len == apex_len || name[0] == 0)
			break;
		len -= name[0] + 1u;
		name += name[0] + 1;
	}
}

/*
 * The enclosers of the names NSEC I covers: below its owner or one of the owner's ancestors,
 * or below an ancestor of the next name (the names between the two sort there).
 */
static void enclosers(const zt_t *zt, uint32_t z, uint32_t i, struct encl *e)
{
	const zt_zone_t *zone = &zt->zones[z];
	const zt_node_t *o = &zt->nodes[zone->nsec[i]];
	uint8_t owner[WIRE_NAME_MAX + 1], next[WIRE_NAME_MAX + 1];
	size_t nlen;

	e->count = 0;
	memcpy(owner, zt_node_name(zt, o), o->name_len);
	encl_walk(zt, e, z, owner, o->name_len, true);
	for (uint32_t s = o->rrsets; s < o->rrsets + o->nrrsets; s++)
		if (zt->rrsets[s].type == T_NSEC) {
			nlen = wire_name_lower(next, zt->arena + zt->rrsets[s].data + 2);
			encl_walk(zt, e, z, next, nlen, false);
			break;
		}
}

/* Blob D (its fix-ups in FIX; PART as zt_blob_t's) into the arena: its offset, or ZT_NONE
 * without memory. */
static uint32_t put_blob(struct zt_build *b, const struct denial_built *d, const uint16_t *fix,
			 uint16_t part)
{
	uint32_t off =
	    zt_mem_arena_put(&b->mem, NULL, zt_blob_size((uint32_t)d->len, (uint16_t)d->nfix), 4);
	zt_blob_t *blob;
	uint8_t *data;

	if (off == ZT_NONE)
		return ZT_NONE;
	blob = (zt_blob_t *)(void *)(b->zt->arena + off);
	blob->flags = d->flags;
	blob->an = d->an;
	blob->ns = d->ns;
	blob->ar = d->ar;
	blob->ref_qlen = d->ref_qlen;
	blob->max_ptr = d->max_ptr;
	blob->nfix = (uint16_t)d->nfix;
	blob->part = part;
	blob->len = (uint32_t)d->len;
	data = b->zt->arena + off + sizeof(zt_blob_t);
	memcpy(data, d->data, d->len);
	memcpy(data + ((d->len + 1) & ~(size_t)1), fix, d->nfix * sizeof(*fix));
	return off;
}

/* Whether wildcard W has an RRset of TYPE (RRSIG aside). */
static bool wild_has(const zt_t *zt, uint32_t w, uint32_t type)
{
	const zt_node_t *n = &zt->nodes[w];

	for (uint32_t s = n->rrsets; s < n->rrsets + n->nrrsets; s++)
		if (zt->rrsets[s].type == type && type != T_RRSIG)
			return true;
	return false;
}

/* Whether each type wildcard W has, RRSIG aside, had its line made: LINES of them (ANY and
 * RRSIG have none), so that the NODATA line after them is taken for no such type. */
static bool wild_typed(const zt_t *zt, uint32_t w, unsigned lines)
{
	const zt_node_t *n = &zt->nodes[w];
	unsigned types = 0;

	for (uint32_t s = n->rrsets; s < n->rrsets + n->nrrsets; s++)
		types += zt->rrsets[s].type != T_RRSIG;
	return lines == types;
}

/* A blob made for NSEC I, as zone->nxb holds it with I before. */
struct nsec_ent {
	uint32_t i, ce, qtype, off, what;
};

static int cmp_ent(const void *a, const void *b)
{
	const struct nsec_ent *x = a, *y = b;

	/* By NSEC, then as made (the apex's first): each (encloser, qtype) is made once. */
	if (x->i != y->i)
		return x->i < y->i ? -1 : 1;
	return x->off < y->off ? -1 : x->off > y->off;
}

/*
 * NSEC zone Z's blobs, all of them within SHARE octets (with their tables) or none: each serves
 * only the names its NSEC covers, so a part of them is worth no more than its share of the
 * questions, while a large zone's would take the whole budget. The octets taken, or -1 without
 * memory. MEASURE: none is kept, only rendered to be counted: 1 when they would fit, else 0.
 */
static ssize_t nsec_blobs(struct zt_build *b, uint32_t z, size_t share, bool measure)
{
	zt_t *zt = b->zt;
	zt_zone_t *zone = &zt->zones[z];
	size_t used, nent = 0, cap = 0, start = zt->arena_len;
	/* The tables by the second octet (fast2) only where the share holds them too. */
	size_t fast = denial_nxb_fast_len(zt, z, false), fast2 = denial_nxb_fast_len(zt, z, true);
	uint32_t *idx = NULL, *tab = NULL;
	struct nsec_ent *ent = NULL;
	struct encl *e;
	uint16_t fix[ZT_FIX_MAX];
	bool full = false, second;

	used = (zone->nnsec + 1u + fast) * sizeof(uint32_t);
	if (used > share)
		return 0;
	/* Measured for a patch: a zone whose blobs surely pass the share is told so without
	 * rendering a share's worth of them (the answer the rendering gives). */
	if (measure && zt_denial_nsec_floor(b, z, share - used) > share - used)
		return 0;
	e = malloc(sizeof(*e));
	if (e == NULL)
		return -1;
	for (uint32_t i = 0; i < zone->nnsec && !full; i++) {
		enclosers(zt, z, i, e);
		for (unsigned k = 0; k < e->count && !full; k++) {
			const zt_node_t *ce = &zt->nodes[e->n[k]];
			uint32_t wild = ce->wildcard;
			/* NXDOMAIN (qtype 0), or the wildcard's answer to each type, then its
			 * NODATA when every type it has (RRSIG aside) has its line before. */
			uint32_t nq = wild != ZT_NONE ? zt->nodes[wild].nans_do + 1 : 1;
			unsigned lines = 0;

			for (uint32_t a = 0; a < nq; a++) {
				uint32_t qtype = wild == ZT_NONE ? 0
						 : a + 1 < nq
						     ? zt->ans[zt->nodes[wild].ans_do + a].qtype
						 : wild_typed(zt, wild, lines) ? DENIAL_WILD_NODATA
									       : 0;
				struct denial_built d;
				uint32_t off;

				if ((wild != ZT_NONE && qtype == 0) ||
				    !denial_render(zt, z, i, e->n[k], qtype, b->scratch,
						   sizeof(b->scratch), fix, ZT_FIX_MAX, &d))
					continue; /* composed, or answered live */
				lines += wild != ZT_NONE && wild_has(zt, wild, qtype);
				if (used + zt_blob_size((uint32_t)d.len, (uint16_t)d.nfix) +
					4 * sizeof(uint32_t) >
				    share) {
					full = true;
					break;
				}
				if (measure) {
					used += zt_blob_size((uint32_t)d.len, (uint16_t)d.nfix) +
						4 * sizeof(uint32_t);
					nent++;
					continue;
				}
				if (nent == cap) {
					struct nsec_ent *more;

					cap = cap ? 2 * cap : 64;
					more = realloc(ent, cap * sizeof(*ent));
					if (more == NULL)
						goto nomem;
					ent = more;
				}
				off = put_blob(b, &d, fix, 0);
				if (off == ZT_NONE)
					goto nomem;
				used += zt_blob_size((uint32_t)d.len, (uint16_t)d.nfix) +
					4 * sizeof(uint32_t);
				ent[nent++] = (struct nsec_ent){i, e->n[k], qtype, off, d.what};
			}
		}
	}
	free(e);
	e = NULL;
	if (measure)
		return !full && nent > 0;
	if (full || nent == 0) {
		/* Past its share: the zone's blobs, the last put in the arena, are taken
		 * back. */
		zt->arena_len = start;
		free(ent);
		return 0;
	}
	second = used + (fast2 - fast) * sizeof(uint32_t) <= share;
	if (second) {
		used += (fast2 - fast) * sizeof(uint32_t);
		fast = fast2;
	}
	qsort(ent, nent, sizeof(*ent), cmp_ent);
	idx = malloc((zone->nnsec + 1u + fast) * sizeof(*idx));
	tab = malloc(4 * nent * sizeof(*tab));
	if (idx == NULL || tab == NULL)
		goto nomem;
	for (uint32_t i = 0, k = 0; i <= zone->nnsec; i++) {
		idx[i] = k;
		while (i < zone->nnsec && k < nent && ent[k].i == i) {
			tab[4 * k] = ent[k].ce;
			tab[4 * k + 1] = ent[k].qtype;
			tab[4 * k + 2] = ent[k].off;
			tab[4 * k + 3] = ent[k].what;
			k++;
		}
	}
	free(ent);
	zone->nxb_idx = idx;
	zone->nxb = tab;
	denial_nxb_fast(zt, z, idx + zone->nnsec + 1, second);
	zone->nxb_fast_len = (uint32_t)fast;
	zt->memsize += (zone->nnsec + 1u + fast + 4 * nent) * sizeof(uint32_t);
	return (ssize_t)used;
nomem:
	free(idx);
	free(tab);
	free(ent);
	free(e);
	return -1;
}

/*
 * Nodes by depth, then by name: not by number, as a compile numbers them in load order and a
 * patch appends those it makes, and the two must keep the same parts of the same zone.
 */
static int cmp_depth(const void *a, const void *b, void *ctx)
{
	const zt_t *zt = ctx;
	const zt_node_t *x = &zt->nodes[*(const uint32_t *)a],
			*y = &zt->nodes[*(const uint32_t *)b];
	int c;

	if (x->labels != y->labels)
		return x->labels < y->labels ? -1 : 1;
	if (x->name_len != y->name_len)
		return x->name_len < y->name_len ? -1 : 1;
	c = memcmp(zt_node_name(zt, x), zt_node_name(zt, y), x->name_len);
	return c != 0 ? c : (x < y ? -1 : x > y);
}

static int cmp_triple(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Whether zone Z's I-th node (n3base + I) may be a closest provable encloser with parts made:
 * questions below a cut, a DNAME or a wildcard are not NXDOMAIN. Only the index's node of its
 * name (the one answer.c's lookup() finds) has a match: a patch's n3 table holds BASE's nodes it
 * copied or took out too, whose parts no answer would use (the apex's, made for BASE's apex,
 * left the patched one without its part and the zone looking as if it kept parts below its
 * apex), and the patch takes their matches out (zt_patch_n3.c): no lookup per node of a large
 * zone at each patch.
 */
static bool n3_candidate(const zt_t *zt, const zt_zone_t *zone, uint32_t z, uint32_t i)
{
	const zt_node_t *node = &zt->nodes[zone->n3base + i];

	return node->zone == z && zone->n3[2 * i] != ZT_NONE && node->deleg == ZT_NONE &&
	       node->wildcard == ZT_NONE && (node->flags & ZN_SIGNED) &&
	       !(node->flags & (ZN_DNAME | ZN_SHADOW));
}

/* Whether the label LAB (lower case) is one the SOA's names have just below zone Z's apex. */
static bool soa_lab(const zt_zone_t *zone, const uint8_t *lab)
{
	for (int i = 0; i < 2; i++)
		if (zone->nx_soa_lab[i][0] != 0 && zone->nx_soa_lab[i][0] == lab[0] &&
		    memcmp(zone->nx_soa_lab[i] + 1, lab + 1, lab[0]) == 0)
			return true;
	return false;
}

/*
 * Into NAME, a question one label below node CE (of zone Z) that is no name of the zone, as
 * denial_n3.c joins the parts for (its label_odd()): the label above the apex neither an NSEC3
 * owner's length nor the SOA's names' label. False when there is none: no question below CE
 * would be joined.
 */
static bool wild_question(const zt_t *zt, const zt_zone_t *zone, uint32_t ce,
			  uint8_t name[WIRE_NAME_MAX + 1])
{
	const zt_node_t *node = &zt->nodes[ce];
	const uint8_t *above = zt_node_name(zt, node);
	unsigned apex_labels = zt->nodes[zone->apex].labels;

	if (node->name_len + 2u > WIRE_NAME_MAX)
		return false;
	/* Below the apex the label above it is the encloser's, whatever the question. */
	for (unsigned i = node->labels; i > apex_labels + 1; i--)
		above += *above + 1;
	if (node->labels > apex_labels && (*above == NSEC3_LABEL_LEN || soa_lab(zone, above)))
		return false;
	memcpy(name + 2, zt_node_name(zt, node), node->name_len);
	name[0] = 1;
	for (unsigned c = 0; c < 256; c++) {
		if (c >= 'A' && c <= 'Z')
			continue;
		name[1] = (uint8_t)c;
		if (zt_find(zt, name, node->name_len + 2u) == ZT_NONE &&
		    (node->labels > apex_labels || !soa_lab(zone, name)))
			return true;
	}
	return false;
}

/* Node N's RRset of TYPE (not RRSIG), or ZT_NONE. */
static uint32_t rrset_of(const zt_t *zt, uint32_t n, uint16_t type)
{
	const zt_node_t *node = &zt->nodes[n];

	for (uint32_t i = node->rrsets; i < node->rrsets + node->nrrsets; i++)
		if (zt->rrsets[i].type == type)
			return i;
	return ZT_NONE;
}

/*
 * NSEC3 zone Z's NODATA with DO for the names below node CE that its wildcard stands for and
 * that ask a type the wildcard lacks (RFC 5155 7.2.5), without the next closer name's NSEC3 and
 * its signatures: the live path's answer (resolve.c, render.c, relocatable below CE) to a
 * question one label below CE, that NSEC3's records taken out, in the order the live path
 * writes the rest (SOA, the wildcard's NSEC3, the closest provable encloser's, their RRSIGs:
 * checked). HOLE: where the two go, the first before the SOA's RRSIG, the second at the end.
 * In b->scratch (its fix-ups in FIX, FCAP of them), R and RB a resolution and a message to use.
 * False when CE has none (a CNAME or DNAME wildcard, an NSEC3 missing, a name no question joins).
 */
static bool wild_render(struct zt_build *b, res_t *r, rbuf_t *rb, uint32_t z, uint32_t ce,
			uint16_t *fix, unsigned fcap, struct denial_built *out, uint16_t hole[2])
{
	zt_t *zt = b->zt;
	const zt_zone_t *zone = &zt->zones[z];
	uint32_t w = zt->nodes[ce].wildcard, cpe, x, m[2];
	uint8_t name[WIRE_NAME_MAX + 1];
	uint16_t qtype = 65280, counts[3]; /* a private type: one the wildcard lacks */
	unsigned k = 0, own = 0;
	size_t head, h0;
	bool ok;

	if (w == ZT_NONE || (zt->nodes[w].flags & (ZN_CNAME | ZN_DNAME)) ||
	    !(zt->nodes[w].flags & ZN_SIGNED) || zt->nodes[w].deleg != ZT_NONE)
		return false;
	cpe = denial_n3_encloser(zt, zone, ce);
	m[0] = nsec3_match(zone, w);
	m[1] = nsec3_match(zone, cpe);
	if (m[0] == ZT_NONE || m[1] == ZT_NONE || !wild_question(zt, zone, ce, name))
		return false;
	while (rrset_of(zt, w, qtype) != ZT_NONE)
		qtype++;
	res_reset(r);
	res_resolve(zt, name, qtype, true, r);
	x = denial_n3_next_closer(zt, zone, cpe, name);
	/* The next closer's NSEC3 and its RRSIGs out, when they are none of the two. */
	for (unsigned i = 0; i < r->n; i++) {
		const res_item_t *it = &r->item[i];

		if (x != ZT_NONE && x != m[0] && x != m[1] && it->owner_kind == OWN_NODE &&
		    it->node == x)
			continue;
		r->item[k++] = *it;
	}
	r->n = k;
	/* What is left: SOA, the two NSEC3, each with its RRSIG after it, in the authority. */
	for (unsigned i = 0; i < r->n; i++) {
		const res_item_t *it = &r->item[i];
		static const uint16_t types[3] = {T_SOA, T_NSEC3, T_NSEC3};

		if (it->section != 2 || it->owner_kind != OWN_NODE || it->rrset == ZT_NONE)
			return false;
		if (it->sig)
			continue;
		if (own == 3 || zt->rrsets[it->rrset].type != types[own] ||
		    it->node != (own == 0 ? zone->apex : m[own - 1]))
			return false;
		own++;
	}
	if (r->overflow || own != 3 || (r->flags & 0xf) != 0)
		return false;
	rbuf_start(rb, b->scratch, sizeof(b->scratch), name, qtype, C_IN, true,
		   zt->nodes[ce].labels);
	rbuf_put_res(rb, zt, r, counts);
	head = WIRE_HDR_LEN + wire_name_len(name) + 4;
	ok = rb->err == 0 && !rb->tc && rb->nfix <= fcap && rb->len - head <= UINT16_MAX &&
	     counts[0] == 0 && counts[2] == 0 &&
	     (h0 = wire_until_rrsig(b->scratch + head, rb->len - head, 0)) != SIZE_MAX;
	if (ok) {
		out->flags = r->flags;
		out->an = out->ar = 0;
		out->ns = counts[1];
		out->ref_qlen = (uint16_t)wire_name_len(name);
		out->max_ptr = rb->max_ptr;
		out->what = zone->soa;
		out->data = b->scratch + head;
		out->len = rb->len - head;
		out->nfix = rb->nfix;
		for (unsigned i = 0; i < rb->nfix; i++)
			fix[i] = (uint16_t)(rb->fix[i] - head);
		hole[0] = (uint16_t)h0;
		hole[1] = (uint16_t)out->len;
	}
	return ok;
}

/*
 * NSEC3 zone Z's wildcard NODATA parts (wild_render()), into zone->n3wn, each kept when it fits
 * LEFT octets: a zone has few wildcards, and each part serves every name below one. Their
 * enclosers taken in cmp_depth()'s order, which a patch's new node numbers do not change: the
 * ones kept are those a compile keeps. The octets taken, or -1 without memory.
 */
static ssize_t wild_parts(struct zt_build *b, uint32_t z, size_t left)
{
	zt_t *zt = b->zt;
	uint32_t *tab = NULL, nt = 0, *ce = NULL, nce = 0;
	uint16_t fix[ZT_FIX_MAX];
	size_t used = 0;
	rbuf_t *rb = malloc(sizeof(*rb));
	res_t r;

	if (rb == NULL)
		return -1;
	if (res_init_heap(&r) != 0) {
		free(rb);
		return -1;
	}
	/* The zone's nodes are among those its NSEC3 facts cover (a patch's new ones too): not a
	 * pass over every zone's nodes for each zone. */
	for (uint32_t i = 0; i < zt->zones[z].n3count; i++) {
		const uint32_t n = zt->zones[z].n3base + i;
		const zt_node_t *node = &zt->nodes[n];

		/* A closest encloser answer.c's lookup() finds (the index's node of its name). */
		if (node->zone != z || node->wildcard == ZT_NONE || node->deleg != ZT_NONE ||
		    !(node->flags & ZN_SIGNED) || (node->flags & (ZN_DNAME | ZN_SHADOW)) ||
		    zt_find(zt, zt_node_name(zt, node), node->name_len) != n)
			continue;
		if (nce % 16 == 0) {
			uint32_t *more = realloc(ce, (nce + 16) * sizeof(*ce));

			if (more == NULL)
				goto nomem;
			ce = more;
		}
		ce[nce++] = n;
	}
	if (nce > 1)
		qsort_r(ce, nce, sizeof(*ce), cmp_depth, zt);
	for (uint32_t k = 0; k < nce; k++) {
		struct denial_built d;
		uint16_t hole[2];
		uint32_t off;
		size_t size;

		if (!wild_render(b, &r, rb, z, ce[k], fix, ZT_FIX_MAX, &d, hole))
			continue;
		size = zt_blob_size((uint32_t)d.len, (uint16_t)d.nfix) + 3 * sizeof(uint32_t);
		if (used + size > left)
			continue;
		if (nt % 16 == 0) {
			uint32_t *more = realloc(tab, (nt + 16) * 3 * sizeof(*tab));

			if (more == NULL)
				goto nomem;
			tab = more;
		}
		off = put_blob(b, &d, fix, hole[0]);
		if (off == ZT_NONE)
			goto nomem;
		tab[3 * nt] = ce[k];
		tab[3 * nt + 1] = off;
		tab[3 * nt + 2] = hole[1];
		nt++;
		used += size;
	}
	res_fini(&r);
	free(rb);
	free(ce);
	/* By node, as the answers look them up (triple_of()). */
	if (nt > 1)
		qsort(tab, nt, 3 * sizeof(*tab), cmp_triple);
	zt->zones[z].n3wn = nt > 0 ? tab : NULL;
	zt->zones[z].n3wn_count = nt;
	if (nt == 0)
		free(tab);
	zt->memsize += 3 * nt * sizeof(*tab);
	return (ssize_t)used;
nomem:
	res_fini(&r);
	free(rb);
	free(ce);
	free(tab);
	return -1;
}

/*
 * Whether the parts of N more candidates, the next of SIZE octets, pass LEFT: the others' parts
 * are about the size of the first's, and when half of that each would pass, none are made (all
 * or none). nsec3_parts() and zt_denial_n3_apex() stop on this one rule.
 */
static bool others_past(uint32_t n, size_t size, size_t left)
{
	return (size_t)n * (size / 2) > left;
}

/* Owner POS's entry of an NSEC3 extra table: a cover (COVERS) or the apex's NXDOMAIN joined
 * ahead; *PART where a cover's RRSIGs begin (0 for the other). */
static bool n3_render(const zt_t *zt, uint32_t z, uint32_t pos, bool covers, uint8_t *buf,
		      size_t cap, uint16_t *fix, struct denial_built *d, uint16_t *part)
{
	*part = 0;
	return covers ? denial_n3_cover(zt, z, pos, buf, cap, fix, ZT_FIX_MAX, d, part)
		      : denial_n3_ahead(zt, z, pos, buf, cap, fix, ZT_FIX_MAX, d);
}

/*
 * NSEC3 zone Z's table of an entry per owner of the chain, when they all fit LEFT octets (else
 * none: joined or written per question, the same answers): with COVERS each owner's NSEC3 and
 * RRSIGs written ahead (denial_n3_cover(), zone->n3cv), else its first parts' encloser's (the
 * apex's, mostly) NXDOMAIN joined ahead with each owner as the next closer's cover
 * (denial_n3_ahead(), zone->n3ax). The octets taken (the table's counted in the snapshot's size
 * by the caller), or -1 without memory.
 */
static ssize_t n3_table(struct zt_build *b, uint32_t z, bool covers, size_t left)
{
	zt_t *zt = b->zt;
	zt_zone_t *zone = &zt->zones[z];
	uint16_t fix[ZT_FIX_MAX], part;
	size_t used = zone->nnsec3 * sizeof(uint32_t);
	struct denial_built d;
	uint32_t *tab;

	if ((!covers && zone->n3nx == NULL) || zone->nnsec3 == 0 || used > left)
		return 0;
	/* Measured first: all or none. */
	for (uint32_t i = 0; i < zone->nnsec3; i++) {
		if (!n3_render(zt, z, i, covers, b->scratch, sizeof(b->scratch), fix, &d, &part))
			continue;
		used += zt_blob_size((uint32_t)d.len, (uint16_t)d.nfix);
		if (used > left)
			return 0;
	}
	tab = malloc(zone->nnsec3 * sizeof(*tab));
	if (tab == NULL)
		return -1;
	for (uint32_t i = 0; i < zone->nnsec3; i++) {
		tab[i] = ZT_NONE;
		if (!n3_render(zt, z, i, covers, b->scratch, sizeof(b->scratch), fix, &d, &part))
			continue;
		tab[i] = put_blob(b, &d, fix, part);
		if (tab[i] == ZT_NONE) {
			free(tab);
			return -1;
		}
	}
	if (covers)
		zone->n3cv = tab;
	else
		zone->n3ax = tab;
	return (ssize_t)used;
}

/*
 * After NSEC3 zone Z's parts, with the LEFT octets they leave: its covers written ahead, then
 * its first encloser's NXDOMAIN joined ahead. The octets taken, or -1 without memory.
 */
static ssize_t n3_extra(struct zt_build *b, uint32_t z, size_t left)
{
	ssize_t cu = n3_table(b, z, true, left), au;

	if (cu < 0)
		return -1;
	au = n3_table(b, z, false, left - (size_t)cu);
	return au < 0 ? -1 : cu + au;
}

/*
 * NSEC3 zone Z's NXDOMAIN parts (denial_n3_render()) within SHARE octets: the apex's first
 * (a question for a name right below it, the usual NXDOMAIN and the random-name floods, one
 * part for them all), then every other closest provable encloser's (each serving the names
 * below one name) if they all fit, else none of them: a large zone's would take the whole
 * budget for little. The octets taken, or -1 without memory.
 */
static ssize_t nsec3_parts(struct zt_build *b, uint32_t z, size_t share)
{
	zt_t *zt = b->zt;
	zt_zone_t *zone = &zt->zones[z];
	uint32_t *cand, *tab = NULL, nc = 0, nt = 0;
	uint16_t fix[ZT_FIX_MAX];
	size_t used = 0, after_first = 0, first_used = 0;

	cand = malloc((zone->n3count ? zone->n3count : 1) * sizeof(*cand));
	if (cand == NULL)
		return -1;
	for (uint32_t i = 0; i < zone->n3count; i++) {
		if (n3_candidate(zt, zone, z, i))
			cand[nc++] = zone->n3base + i;
	}
	/* The apex first (it has the fewest labels), then the others by depth. */
	qsort_r(cand, nc, sizeof(*cand), cmp_depth, zt);
	for (uint32_t k = 0; k < nc; k++) {
		struct denial_built d;
		uint16_t hole[2];
		uint32_t off;
		size_t size;

		if (!denial_n3_render(zt, z, cand[k], b->scratch, sizeof(b->scratch), fix,
				      ZT_FIX_MAX, &d, hole))
			continue;
		size = zt_blob_size((uint32_t)d.len, (uint16_t)d.nfix) + 3 * sizeof(uint32_t);
		if (nt == 1 && others_past(nc - k, size, share - used))
			break;
		if (used + size > share) {
			if (nt > 1) {
				/* The others' taken back: they were the last put in the
				 * arena. */
				zt->arena_len = after_first;
				nt = 1;
				used = first_used;
			}
			break;
		}
		off = put_blob(b, &d, fix, hole[0]);
		if (off == ZT_NONE)
			goto nomem;
		if (tab == NULL || nt % 64 == 0) {
			uint32_t *more = realloc(tab, (nt + 64) * 3 * sizeof(*tab));

			if (more == NULL)
				goto nomem;
			tab = more;
		}
		tab[3 * nt] = cand[k];
		tab[3 * nt + 1] = off;
		tab[3 * nt + 2] = hole[1];
		nt++;
		used += size;
		if (nt == 1) {
			/* Then the wildcards' NODATA parts, before the other enclosers'. */
			ssize_t wu = wild_parts(b, z, share - used);

			if (wu < 0)
				goto nomem;
			used += (size_t)wu;
			after_first = zt->arena_len;
			first_used = used;
		}
	}
	free(cand);
	if (nt == 0) {
		/* No NXDOMAIN parts: the wildcards' NODATA parts may fit still. */
		ssize_t wu = wild_parts(b, z, share);

		free(tab);
		return wu;
	}
	qsort(tab, nt, 3 * sizeof(*tab), cmp_triple);
	zone->n3nx = tab;
	zone->n3nx_count = nt;
	zt->memsize += 3 * nt * sizeof(*tab);
	/* Last, with what the parts left: the covers, the first triple's NXDOMAIN joined ahead. */
	{
		ssize_t au = n3_extra(b, z, share - used);

		if (au < 0)
			return -1;
		used += (size_t)au;
		zt->memsize +=
		    ((zone->n3ax != NULL) + (zone->n3cv != NULL)) * zone->nnsec3 * sizeof(uint32_t);
	}
	return (ssize_t)used;
nomem:
	free(cand);
	free(tab);
	return -1;
}

int zt_denial_make(struct zt_build *b)
{
	zt_t *zt = b->zt;
	struct zt_denial_want *w = malloc((zt->nzones ? zt->nzones : 1) * sizeof(*w));
	uint32_t nw;
	size_t left = zt_denial_budget;

	if (w == NULL)
		return -ENOMEM;
	/*
	 * Shared fairly (max-min): the zones that want least first, each taking at most an
	 * equal part of what is left; what a zone does not take goes to the larger ones
	 * after it. What each takes is kept: a patch shares the budget the same way
	 * (zt_denial_share()).
	 */
	nw = zt_denial_wants(zt, w);
	for (uint32_t k = 0; k < nw; k++) {
		uint32_t z = w[k].z;
		size_t share = left / (nw - k);
		ssize_t used = zt->zones[z].has_nsec3 ? nsec3_parts(b, z, share)
						      : nsec_blobs(b, z, share, false);

		if (used < 0) {
			free(w);
			return -ENOMEM;
		}
		zt->zones[z].denial_used = (size_t)used;
		left -= (size_t)used;
	}
	free(w);
	return 0;
}

int zt_denial_fits(struct zt_build *b, uint32_t z, size_t share)
{
	const zt_zone_t *zone = &b->zt->zones[z];
	ssize_t r;

	/* Only NSEC zones are asked (zt_patch_sig.c), with the share a compile gives them. */
	if (zone->origin == NULL || !zone->is_signed || zone->nx_do >= ZT_LIVE || zone->has_nsec3 ||
	    zone->nsec_keys == NULL || zone->nnsec == 0)
		return 0;
	r = nsec_blobs(b, z, share, true);
	return r < 0 ? -ENOMEM : (int)r;
}

/* How many of the first candidates (by depth) zt_denial_n3_apex() looks at. */
#define N3_FIRST 8

/*
 * Whether NSEC3 zone Z's candidates but KEPT (the first's, made) all fit LEFT octets: then
 * nsec3_parts() keeps them all (1), else the first's alone (0). Rendered until they pass it:
 * no more than the whole compile it spares renders.
 */
static int others_fit(struct zt_build *b, uint32_t z, uint32_t kept, size_t left)
{
	zt_t *zt = b->zt;
	const zt_zone_t *zone = &zt->zones[z];
	uint16_t fix[ZT_FIX_MAX], hole[2];
	struct denial_built d;
	size_t sum = 0;

	for (uint32_t i = 0; i < zone->n3count; i++) {
		if (zone->n3base + i == kept || !n3_candidate(zt, zone, z, i) ||
		    !denial_n3_render(zt, z, zone->n3base + i, b->scratch, sizeof(b->scratch), fix,
				      ZT_FIX_MAX, &d, hole))
			continue;
		sum += zt_blob_size((uint32_t)d.len, (uint16_t)d.nfix) + 3 * sizeof(uint32_t);
		if (sum > left)
			return 0;
	}
	return 1;
}

int zt_denial_n3_apex(struct zt_build *b, uint32_t z, size_t share)
{
	zt_t *zt = b->zt;
	zt_zone_t *zone = &zt->zones[z];
	uint32_t first[N3_FIRST], nf = 0, nc = 0, nt = 0, *tab;
	uint16_t fix[ZT_FIX_MAX];
	size_t used = 0;
	ssize_t wu;
	bool past = false;

	zone->denial_used = 0;
	if (zone->origin == NULL || !zone->is_signed || zone->nx_do >= ZT_LIVE ||
	    !zone->has_nsec3 || zone->nnsec3 == 0)
		return 0;
	/* The candidates counted, the N3_FIRST first of them in nsec3_parts()'s order kept. */
	for (uint32_t i = 0; i < zone->n3count; i++) {
		uint32_t n = zone->n3base + i, k;

		if (!n3_candidate(zt, zone, z, i))
			continue;
		nc++;
		for (k = nf; k > 0 && cmp_depth(&n, &first[k - 1], zt) < 0; k--)
			if (k < N3_FIRST)
				first[k] = first[k - 1];
		if (k < N3_FIRST) {
			first[k] = n;
			nf += nf < N3_FIRST;
		}
	}
	for (uint32_t k = 0; k < nf; k++) {
		struct denial_built d;
		uint16_t hole[2];
		uint32_t off;
		size_t size;

		if (!denial_n3_render(zt, z, first[k], b->scratch, sizeof(b->scratch), fix,
				      ZT_FIX_MAX, &d, hole))
			continue;
		size = zt_blob_size((uint32_t)d.len, (uint16_t)d.nfix) + 3 * sizeof(uint32_t);
		/* Given the same share, nsec3_parts() stops here when the others would pass
		 * half this size each (the first's parts alone), else keeps them all if they
		 * all fit (the first's alone if not): measured, not guessed. */
		if (nt == 1)
			return others_past(nc - k, size, share - used)
				   ? 0
				   : others_fit(b, z, zone->n3nx[0], share - used);
		/* The first's parts past the share: nsec3_parts() keeps none, nor any other
		 * encloser's, only the wildcards' (below). */
		if (size > share) {
			past = true;
			break;
		}
		off = put_blob(b, &d, fix, hole[0]);
		tab = malloc(3 * sizeof(*tab));
		if (off == ZT_NONE || tab == NULL) {
			free(tab);
			return -ENOMEM;
		}
		tab[0] = first[k];
		tab[1] = off;
		tab[2] = hole[1];
		zone->n3nx = tab;
		zone->n3nx_count = 1;
		nt = 1;
		used = size;
		/* The wildcards' NODATA parts next, as nsec3_parts() makes them. */
		if ((wu = wild_parts(b, z, share - used)) < 0)
			return -ENOMEM;
		used += (size_t)wu;
		zone->denial_used = used;
	}
	if (nt == 0) {
		if ((wu = wild_parts(b, z, share)) < 0)
			return -ENOMEM;
		zone->denial_used = (size_t)wu;
	}
	/* All candidates looked at, or the first past the share (nothing more is); else the
	 * first N3_FIRST would not render: more may. */
	if (!past && nf < nc && nf == N3_FIRST)
		return 1;
	/* No NXDOMAINs joined ahead nor covers written ahead (n3_extra()): a patch would
	 * append them all again at each patch (a blob per owner of the chain); the joins
	 * answer the same until the next whole compile. */
	return 0;
}
