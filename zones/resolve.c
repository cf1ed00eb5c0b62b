/* SPDX-License-Identifier: BSD-3-Clause */
/* resolve.c: what an authoritative answer holds (RFC 1034 4.3.2): RRsets by section */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "denial.h"
#include "nsec3.h"
#include "resolve.h"
#include "zt_index.h"
#include "zt_sides.h"

/* Records of an RRset whose names Knot remembers for its additional owners' compression. */
#define RES_HINTS 15

/*
 * CNAMEs (a DNAME's made one among them) an answer holds at most, as Knot's: the fifth's target is
 * still looked up and answered (its records, NODATA, NXDOMAIN, a referral, a wildcard's proof);
 * a CNAME or DNAME found there is not put, and the answer ends there (NOERROR).
 */
#define RES_CHAIN_MAX 5

static const zt_node_t *node_at(const zt_t *zt, uint32_t i)
{
	return &zt->nodes[i];
}

static uint32_t node_rrset(const zt_t *zt, uint32_t n, uint16_t type)
{
	const zt_node_t *node = node_at(zt, n);

	for (uint32_t i = node->rrsets; i < node->rrsets + node->nrrsets; i++)
		if (zt->rrsets[i].type == type)
			return i;
	return ZT_NONE;
}

static uint32_t node_sigs(const zt_t *zt, uint32_t n, uint16_t covered)
{
	const zt_node_t *node = node_at(zt, n);

	for (uint32_t i = node->rrsets; i < node->rrsets + node->nrrsets; i++)
		if (zt->rrsets[i].type == T_RRSIG && zt->rrsets[i].covered == covered)
			return i;
	return ZT_NONE;
}

/* The owner of an answer record as a name (the question's for OWN_QNAME). */
static const uint8_t *res_owner_name(const zt_t *zt, const res_t *r, uint8_t kind, uint32_t node,
				     const uint8_t *name)
{
	if (kind == OWN_NODE)
		return zt_node_name(zt, &zt->nodes[node]);
	return kind == OWN_QNAME ? r->qname : name;
}

/*
 * Whether this RRset is already in the answer under this owner (Knot's KNOT_PF_CHECKDUP). The
 * question's name expanded from a wildcard is an owner of its own, not the name a chain reaches
 * again (NSD numbers the two apart; Knot stops the chain only when the wildcard comes again):
 * *.b CNAME t.b asked for t.b gives that CNAME twice.
 */
static bool res_has(const zt_t *zt, res_t *r, uint8_t kind, uint32_t node, const uint8_t *name,
		    uint32_t rrset)
{
	const uint8_t *owner = res_owner_name(zt, r, kind, node, name);

	for (unsigned i = 0; i < r->n; i++) {
		const res_item_t *it = &r->item[i];

		if (it->rrset != rrset || rrset == ZT_NONE ||
		    (it->owner_kind == OWN_QNAME && r->qname_wild))
			continue;
		if (wire_name_eq(res_owner_name(zt, r, it->owner_kind, it->node, it->name),
				 owner)) {
			r->qname_loop |= it->owner_kind == OWN_QNAME;
			return true;
		}
	}
	return false;
}

/* Whether a CNAME made from a DNAME for this owner is in the answer already. */
static bool res_has_synth(const zt_t *zt, const res_t *r, uint8_t kind, const uint8_t *name)
{
	const uint8_t *owner = res_owner_name(zt, r, kind, ZT_NONE, name);

	for (unsigned i = 0; i < r->n; i++) {
		const res_item_t *it = &r->item[i];

		if (it->cname_target == NULL || (it->owner_kind == OWN_QNAME && r->qname_wild))
			continue;
		if (wire_name_eq(res_owner_name(zt, r, it->owner_kind, it->node, it->name), owner))
			return true;
	}
	return false;
}

/*
 * Whether R has room for one more item of section SEC. The heap's grows; a fixed array keeps
 * RES_RESERVE items for the answer and authority sections, and additional RRsets past it are
 * left out: 4,096 written fill a message (16 octets each at least), so only an answer whose
 * earlier additional RRsets were each too big to be written could have had room for them.
 */
static bool res_room(res_t *r, uint8_t sec)
{
	if (r->grow) {
		res_item_t *more;
		unsigned cap = r->cap * 2;

		if (r->n < r->cap)
			return true;
		more = realloc(r->item, cap * sizeof(*more));
		if (more == NULL) {
			r->overflow = true;
			return false;
		}
		r->item = more;
		r->cap = cap;
		return true;
	}
	if (r->n < r->cap && (sec != 3 || r->n + RES_RESERVE < r->cap))
		return true;
	if (sec != 3)
		r->overflow = true;
	return false;
}

static res_item_t *res_add(res_t *r, uint8_t sec, uint8_t kind, uint32_t node, const uint8_t *name,
			   uint32_t rrset)
{
	res_item_t *it;

	if (!res_room(r, sec))
		return NULL;
	it = &r->item[r->n++];
	it->section = sec;
	it->owner_kind = kind;
	it->node = node;
	it->name = name;
	it->rrset = rrset;
	it->ttl_override = ZT_NONE;
	it->cname_target = NULL;
	it->required = false;
	it->sig = false;
	it->hint = false;
	return it;
}

/*
 * An RRset and, for DO queries on signed zones, the signatures that cover it. False when it was
 * there already: a CNAME or DNAME chain that comes back to itself stops there (as Knot's).
 */
static bool res_add_set(const zt_t *zt, res_t *r, uint8_t sec, uint8_t kind, uint32_t node,
			const uint8_t *name, uint32_t rrset, bool dnssec)
{
	if (res_has(zt, r, kind, node, name, rrset))
		return false;
	res_add(r, sec, kind, node, name, rrset);
	if (dnssec && zt->rrsets[rrset].type != T_RRSIG) {
		uint32_t sig = node_sigs(zt, node, zt->rrsets[rrset].type);

		if (sig != ZT_NONE && !res_has(zt, r, kind, node, name, sig)) {
			res_item_t *it = res_add(r, sec, kind, node, name, sig);

			if (it != NULL)
				it->sig = true;
		}
	}
	return true;
}

static uint32_t zone_of(const zt_t *zt, uint32_t n)
{
	return node_at(zt, n)->zone;
}

/*
 * The cut of ZONE whose child, served here too, holds KEY (LEN octets, lower case): the parent
 * side of the child's apex at or above KEY. ZT_NONE when a name of ZONE comes first (going up)
 * or no such apex is above it.
 */
static uint32_t side_cut(const zt_t *zt, uint32_t zone, const uint8_t *k, size_t len)
{
	for (;;) {
		uint32_t n = zt_find(zt, k, len);

		if (n != ZT_NONE) {
			const zt_node_t *node = node_at(zt, n);

			if (node->zone == zone)
				return ZT_NONE;
			if ((node->flags & ZN_APEX) && node->parent_side != ZT_NONE &&
			    zone_of(zt, node->parent_side) == zone)
				return node->parent_side;
		}
		if (*k == 0)
			return ZT_NONE;
		len -= (size_t)*k + 1;
		k += *k + 1;
	}
}

/*
 * Whether the A/AAAA of TARGET (node T) are glue a referral cannot go without: T is at or below
 * a cut and within the NS owner's own name (Knot's "mandatory glue", RFC 9471 in-domain glue).
 * A parent-side node (below a child served here too) is below that child's cut.
 */
static bool glue_mandatory(const zt_t *zt, const zt_rrset_t *set, uint32_t t)
{
	const zt_node_t *tn = node_at(zt, t);
	uint32_t cut;

	if (set->type != T_NS)
		return false;
	cut = (tn->flags & ZN_SHADOW) ? side_cut(zt, tn->zone, zt_node_name(zt, tn), tn->name_len)
				      : tn->deleg;
	return cut != ZT_NONE && (node_at(zt, cut)->flags & ZN_CUT) &&
	       wire_name_is_sub(zt_node_name(zt, tn), zt_node_name(zt, node_at(zt, set->node)));
}

/*
 * A/AAAA of in-zone targets of NS, MX and SRV records (Knot and NSD both do this): mandatory
 * glue first, then the rest, each in RDATA order, A before AAAA. In a REFERRAL, mandatory glue
 * that does not fit truncates the response; otherwise additional data is only dropped.
 */
static void res_additional(const zt_t *zt, res_t *r, uint32_t rrset, uint32_t zone, bool dnssec,
			   bool referral)
{
	const zt_rrset_t *set = &zt->rrsets[rrset];
	int toff = res_target_offset(set->type);

	/*
	 * An RRset that cannot fit in the message (each record an owner pointer, 10 octets, the
	 * data before the target and a pointer at least) is cut with TC before any additional
	 * record: none is looked for (Knot stops there too). A UDP answer of an NS, MX or SRV
	 * RRset with thousands of targets costs no more than its truncation.
	 */
	if (toff < 0 || (size_t)set->count * (14u + (unsigned)toff) > r->limit)
		return;
	for (int pass = 0; pass < 2; pass++) {
		const uint8_t *p = zt->arena + set->data;

		for (uint16_t i = 0; i < set->count; i++) {
			uint16_t rdlen = wire_get16(p);
			const uint8_t *target = p + 2 + toff;
			uint8_t key[WIRE_NAME_MAX + 1];
			bool mandatory;
			size_t klen;
			uint32_t n;

			p += 2 + rdlen;
			if ((int)rdlen <= toff)
				continue;
			klen = wire_name_lower(key, target);
			n = zt_find(zt, key, klen);
			/* Below a child served here too, the index has the child's names: this
			 * zone's own records there are its parent side (Knot's glue, from the
			 * parent zone's contents, whether the child is served or not). */
			if (n == ZT_NONE || zone_of(zt, n) != zone)
				n = zt_sides_find(zt, zone, key, klen);
			if (n == ZT_NONE)
				continue;
			mandatory = glue_mandatory(zt, set, n);
			if (mandatory != (pass == 0))
				continue;
			for (int k = 0; k < 2; k++) {
				uint32_t a = node_rrset(zt, n, k == 0 ? T_A : T_AAAA);
				unsigned before = r->n;

				if (a == ZT_NONE)
					continue;
				res_add_set(zt, r, 3, OWN_NODE, n, NULL, a, dnssec);
				for (unsigned j = before; j < r->n; j++) {
					r->item[j].required = referral && mandatory;
					r->item[j].hint = i < RES_HINTS;
				}
			}
		}
	}
}

/* The NSEC (or NSEC3: TYPE) at NODE and its signature; nothing for ZT_NONE or none there. */
static void res_add_nx(const zt_t *zt, res_t *r, uint32_t node, uint16_t type)
{
	uint32_t nsec;

	if (node == ZT_NONE)
		return;
	nsec = node_rrset(zt, node, type);

	if (nsec != ZT_NONE)
		res_add_set(zt, r, 2, OWN_NODE, node, NULL, nsec, true);
}

static void res_add_nsec(const zt_t *zt, res_t *r, uint32_t node)
{
	res_add_nx(zt, r, node, T_NSEC);
}

/* The closest encloser proof of NAME (RFC 5155 7.2.1) from its closest encloser CE. */
static void res_n3_encloser_proof(const zt_t *zt, res_t *r, const zt_zone_t *z, uint32_t ce,
				  const uint8_t *name)
{
	uint32_t cpe = denial_n3_encloser(zt, z, ce);

	res_add_nx(zt, r, nsec3_match(z, cpe), T_NSEC3);
	res_add_nx(zt, r, denial_n3_next_closer(zt, z, cpe, name), T_NSEC3);
}

/*
 * NODATA at node N, and no DS at a cut N, with NSEC3: its NSEC3, or when it has none (opted
 * out) the closest encloser proof (RFC 5155 7.2.3, 7.2.4, 7.2.7).
 */
static void res_n3_nodata(const zt_t *zt, res_t *r, const zt_zone_t *z, uint32_t n)
{
	uint32_t match = nsec3_match(z, n);

	res_add_nx(zt, r, match, T_NSEC3);
	if (match == ZT_NONE)
		res_n3_encloser_proof(zt, r, z, n, zt_node_name(zt, node_at(zt, n)));
}

static void res_soa(const zt_t *zt, res_t *r, uint32_t zone, bool dnssec)
{
	const zt_zone_t *z = &zt->zones[zone];
	res_item_t *it;
	uint32_t sig;

	if (res_has(zt, r, OWN_NODE, z->apex, NULL, z->soa))
		return;
	it = res_add(r, 2, OWN_NODE, z->apex, NULL, z->soa);
	if (it != NULL)
		it->ttl_override = z->neg_ttl;
	if (dnssec && (sig = node_sigs(zt, z->apex, T_SOA)) != ZT_NONE) {
		it = res_add(r, 2, OWN_NODE, z->apex, NULL, sig);
		if (it != NULL) {
			it->ttl_override = z->neg_ttl;
			it->sig = true;
		}
	}
}

void res_negative(const zt_t *zt, uint32_t zone, uint8_t rcode, bool dnssec, res_t *r)
{
	r->flags = (uint16_t)((r->flags & ~0xf) | rcode);
	res_soa(zt, r, zone, dnssec);
}

void res_referral(const zt_t *zt, uint32_t cut, bool dnssec, res_t *r)
{
	uint32_t ns = node_rrset(zt, cut, T_NS);
	uint32_t ds;

	if (r->n == 0)
		r->flags &= (uint16_t)~F_AA;
	if (ns == ZT_NONE)
		return;
	res_add(r, 2, OWN_NODE, cut, NULL, ns);
	if (dnssec && (node_at(zt, cut)->flags & ZN_SIGNED)) {
		ds = node_rrset(zt, cut, T_DS);
		if (ds != ZT_NONE)
			res_add_set(zt, r, 2, OWN_NODE, cut, NULL, ds, true);
		else if (zt->zones[zone_of(zt, cut)].has_nsec3)
			res_n3_nodata(zt, r, &zt->zones[zone_of(zt, cut)], cut);
		else
			res_add_nsec(zt, r, cut);
	}
	/* With DO, an in-zone target's A/AAAA (authoritative, not glue) comes with its RRSIGs
	 * (RFC 4035 3.1.1; Knot); glue has none. */
	res_additional(zt, r, ns, zone_of(zt, cut), dnssec, true);
}

struct res_walk {
	const zt_t *zt;
	res_t *r;
	uint16_t qtype;
	bool dnssec;
	uint32_t zone; /* the zone the chain stays in */
	unsigned hops;
	uint32_t wild_ce;	  /* the next node is a wildcard expanded below this encloser */
	const uint8_t *wild_name; /* for this name (else ZT_NONE) */
};

static void walk_name(struct res_walk *w, const uint8_t *name, uint8_t kind);

static void walk_follow(struct res_walk *w, const uint8_t *target)
{
	const zt_t *zt = w->zt;
	const uint8_t *apex = zt_node_name(zt, node_at(zt, zt->zones[w->zone].apex));

	if (w->hops >= RES_CHAIN_MAX || !wire_name_is_sub(target, apex))
		return;
	w->hops++;
	walk_name(w, target, OWN_NAME);
}

/* Answers at node N for an owner given by KIND/NAME (the question, a chain target). */
static void walk_node(struct res_walk *w, uint32_t n, uint8_t kind, const uint8_t *name)
{
	const zt_t *zt = w->zt;
	res_t *r = w->r;
	const zt_node_t *node = node_at(zt, n);
	uint32_t set, wild_ce = w->wild_ce;
	const uint8_t *wild_name = w->wild_name;

	w->wild_ce = ZT_NONE;
	if (w->qtype == T_ANY) {
		/* RFC 8482: one RRset, the one with the lowest type (what Knot returns). */
		for (uint32_t i = node->rrsets; i < node->rrsets + node->nrrsets; i++) {
			if (zt->rrsets[i].type == T_RRSIG)
				continue;
			res_add_set(zt, r, 1, kind, n, name, i, w->dnssec);
			res_additional(zt, r, i, node->zone, w->dnssec, false);
			return;
		}
		goto nodata;
	}
	if (w->qtype == T_RRSIG) {
		/* Some signatures, not all: those of the lowest type covered (as Knot). */
		uint32_t best = ZT_NONE;

		for (uint32_t i = node->rrsets; i < node->rrsets + node->nrrsets; i++)
			if (zt->rrsets[i].type == T_RRSIG &&
			    (best == ZT_NONE || zt->rrsets[i].covered < zt->rrsets[best].covered))
				best = i;
		if (best != ZT_NONE) {
			res_add(r, 1, kind, n, name, best);
			return;
		}
	}
	set = node_rrset(zt, n, w->qtype);
	if (set != ZT_NONE) {
		res_add_set(zt, r, 1, kind, n, name, set, w->dnssec);
		res_additional(zt, r, set, node->zone, w->dnssec, false);
		return;
	}
	/* Knot answers RRSIG and NSEC at a CNAME from the node itself, without the chain. */
	if ((node->flags & ZN_CNAME) && w->qtype != T_CNAME && w->qtype != T_RRSIG &&
	    w->qtype != T_NSEC) {
		uint32_t cn = node_rrset(zt, n, T_CNAME);
		const zt_rrset_t *cs = &zt->rrsets[cn];

		if (w->hops >= RES_CHAIN_MAX)
			return;
		/* The chain's end decides the rcode (RFC 6604). */
		if (res_add_set(zt, r, 1, kind, n, name, cn, w->dnssec))
			walk_follow(w, zt->arena + cs->data + 2);
		return;
	}
nodata:
	r->flags = (uint16_t)(r->flags & ~0xf);
	res_soa(zt, r, node->zone, w->dnssec);
	if (w->dnssec && (node->flags & ZN_SIGNED) && zt->zones[node->zone].has_nsec3) {
		const zt_zone_t *z = &zt->zones[node->zone];

		/* RFC 5155 7.2.3-7.2.5: the NSEC3 of the name, and for a wildcard's NODATA or a
		 * name without NSEC3 (opted out) the closest encloser proof too. */
		if (wild_ce != ZT_NONE) {
			res_add_nx(zt, r, nsec3_match(z, n), T_NSEC3);
			res_n3_encloser_proof(zt, r, z, wild_ce, wild_name);
		} else {
			res_n3_nodata(zt, r, z, n);
		}
	} else if (w->dnssec && (node->flags & ZN_SIGNED)) {
		if (node_rrset(zt, n, T_NSEC) != ZT_NONE)
			res_add_nsec(zt, r, n);
		else
			res_add_nsec(
			    zt, r,
			    denial_nsec_cover(zt, &zt->zones[node->zone], zt_node_name(zt, node)));
	}
}

/* DNAME at D applies to NAME below it (RFC 6672): DNAME, synthesized CNAME, then the target. */
static void walk_dname(struct res_walk *w, uint32_t d, const uint8_t *name, uint8_t kind)
{
	const zt_t *zt = w->zt;
	res_t *r = w->r;
	uint32_t set = node_rrset(zt, d, T_DNAME);
	const zt_rrset_t *ds;
	const uint8_t *dname_target;
	size_t name_len = wire_name_len(name);
	size_t owner_len = node_at(zt, d)->name_len;
	size_t prefix = name_len - owner_len;
	size_t tlen;
	res_item_t *it;
	uint8_t *out;

	if (set == ZT_NONE || w->hops >= RES_CHAIN_MAX)
		return;
	ds = &zt->rrsets[set];
	dname_target = zt->arena + ds->data + 2;
	tlen = wire_name_len(dname_target);
	/*
	 * The DNAME there already: a chain back to it stops when its target is below it (a name
	 * that grows each time) or when NAME's CNAME was made already; else that name's goes on
	 * (as Knot and NSD: a wildcard's CNAME back through the DNAME, *.e CNAME x.d, d DNAME e).
	 */
	if (!res_add_set(zt, r, 1, OWN_NODE, d, NULL, set, w->dnssec) && w->hops > 0 &&
	    (wire_name_is_sub(dname_target, zt_node_name(zt, node_at(zt, d))) ||
	     res_has_synth(zt, r, kind, name)))
		return;
	if (prefix + tlen > WIRE_NAME_MAX) {
		r->flags = (uint16_t)((r->flags & ~0xf) | 6); /* YXDOMAIN */
		return;
	}
	if (r->nnames >= RES_MAX_NAMES) {
		r->overflow = true;
		return;
	}
	out = r->names[r->nnames++];
	memcpy(out, name, prefix);
	memcpy(out + prefix, dname_target, tlen);
	it = res_add(r, 1, kind, ZT_NONE, name, ZT_NONE);
	if (it == NULL)
		return;
	it->ttl_override = ds->ttl;
	it->cname_target = out;
	if (w->qtype != T_CNAME)
		walk_follow(w, out);
}

/*
 * NAME, a chain's target, is in a zone served below the chain's: Knot answers from the chain's
 * zone, the referral of its cut there (the parent side: DS or the proof of none, glue), as if the
 * child were not served (NSD goes on into the child zone). Nothing when no cut of the chain's
 * zone is above it.
 */
static void walk_child_zone(struct res_walk *w, const uint8_t *name)
{
	uint8_t key[WIRE_NAME_MAX + 1];
	size_t len = wire_name_lower(key, name);
	uint32_t cut = side_cut(w->zt, w->zone, key, len);

	if (cut != ZT_NONE)
		res_referral(w->zt, cut, w->dnssec, w->r);
}

static void walk_name(struct res_walk *w, const uint8_t *name, uint8_t kind)
{
	const zt_t *zt = w->zt;
	uint8_t key[WIRE_NAME_MAX + 1];
	size_t len = wire_name_lower(key, name);
	const uint8_t *k = key;
	uint32_t n = zt_find(zt, key, len);
	const zt_node_t *node;

	if (n != ZT_NONE && w->qtype == T_DS && node_at(zt, n)->parent_side != ZT_NONE)
		n = node_at(zt, n)->parent_side;
	if (n != ZT_NONE) {
		node = node_at(zt, n);
		if (node->zone != w->zone) {
			walk_child_zone(w, name);
			return;
		}
		if (node->deleg != ZT_NONE) {
			const zt_node_t *d = node_at(zt, node->deleg);

			if (d->flags & ZN_CUT) {
				if (!(node->deleg == n && w->qtype == T_DS)) {
					res_referral(zt, node->deleg, w->dnssec, w->r);
					return;
				}
			} else {
				walk_dname(w, node->deleg, name, kind);
				return;
			}
		}
		walk_node(w, n, kind, name);
		return;
	}
	/* The closest encloser: strip labels until a node exists. */
	while (*k != 0) {
		len -= (size_t)*k + 1;
		k += *k + 1;
		n = zt_find(zt, k, len);
		if (n != ZT_NONE)
			break;
	}
	if (n == ZT_NONE)
		return;
	if (node_at(zt, n)->zone != w->zone) {
		walk_child_zone(w, name);
		return;
	}
	node = node_at(zt, n);
	if (node->deleg != ZT_NONE) {
		if (node_at(zt, node->deleg)->flags & ZN_CUT)
			res_referral(zt, node->deleg, w->dnssec, w->r);
		else
			walk_dname(w, node->deleg, name, kind);
		return;
	}
	if (node->flags & ZN_DNAME) {
		walk_dname(w, n, name, kind);
		return;
	}
	if (node->wildcard != ZT_NONE) {
		const zt_zone_t *z = &zt->zones[node->zone];

		w->wild_ce = n;
		w->wild_name = name;
		w->r->qname_wild |= kind == OWN_QNAME;
		walk_node(w, node->wildcard, kind, name);
		/* Prove that the name itself does not exist (RFC 4035 3.1.3.3, RFC 5155 7.2.6). */
		if (w->dnssec && (node->flags & ZN_SIGNED) && z->has_nsec3)
			res_add_nx(zt, w->r,
				   denial_n3_next_closer(zt, z, denial_n3_encloser(zt, z, n), name),
				   T_NSEC3);
		else if (w->dnssec && (node->flags & ZN_SIGNED))
			res_add_nsec(zt, w->r, denial_nsec_cover(zt, z, name));
		return;
	}
	w->r->flags = (uint16_t)((w->r->flags & ~0xf) | RC_NXDOMAIN);
	res_soa(zt, w->r, node->zone, w->dnssec);
	if (w->dnssec && (node->flags & ZN_SIGNED)) {
		const zt_zone_t *z = &zt->zones[node->zone];
		uint8_t wild[WIRE_NAME_MAX + 1];
		size_t elen = node->name_len;

		if (z->has_nsec3) {
			/* RFC 5155 7.2.2: closest encloser proof, no wildcard at the encloser. */
			res_n3_encloser_proof(zt, w->r, z, n, name);
			res_add_nx(zt, w->r, nsec3_wildcard(z, denial_n3_encloser(zt, z, n)),
				   T_NSEC3);
			return;
		}
		res_add_nsec(zt, w->r, denial_nsec_cover(zt, z, name));
		if (elen + 2 <= WIRE_NAME_MAX) {
			wild[0] = 1;
			wild[1] = '*';
			memcpy(wild + 2, zt_node_name(zt, node), elen);
			res_add_nsec(zt, w->r, denial_nsec_cover(zt, z, wild));
		}
	}
}

void res_init(res_t *r, res_item_t *items, unsigned cap)
{
	r->item = items;
	r->cap = cap;
	r->grow = false;
	r->limit = 65535;
	res_reset(r);
}

int res_init_heap(res_t *r)
{
	r->cap = 64;
	r->item = malloc(r->cap * sizeof(*r->item));
	r->grow = true;
	r->limit = 65535;
	res_reset(r);
	if (r->item == NULL) {
		r->cap = 0;
		return -ENOMEM;
	}
	return 0;
}

void res_fini(res_t *r)
{
	if (r->grow)
		free(r->item);
	r->item = NULL;
	r->cap = 0;
	r->n = 0;
}

void res_reset(res_t *r)
{
	r->qname = NULL;
	r->flags = F_AA;
	r->n = 0;
	r->nnames = 0;
	r->overflow = false;
	r->qname_wild = false;
	r->qname_loop = false;
}

void res_resolve(const zt_t *zt, const uint8_t *qname, uint16_t qtype, bool dnssec, res_t *r)
{
	uint8_t key[WIRE_NAME_MAX + 1];
	size_t len = wire_name_lower(key, qname);
	const uint8_t *k;
	uint32_t n;
	struct res_walk w = {
	    .zt = zt, .r = r, .qtype = qtype, .dnssec = dnssec, .wild_ce = ZT_NONE};

	res_reset(r);
	r->qname = qname;
	/* The zone: the deepest one that holds a node at or above the name. */
	n = zt_find_closest(zt, key, len, &k);
	if (n == ZT_NONE) {
		r->flags = RC_REFUSED;
		return;
	}
	if (qtype == T_DS && k == key && node_at(zt, n)->parent_side != ZT_NONE)
		n = node_at(zt, n)->parent_side;
	w.zone = node_at(zt, n)->zone;
	walk_name(&w, qname, OWN_QNAME);
}

void res_at_node(const zt_t *zt, uint32_t node, uint16_t qtype, bool dnssec, res_t *r)
{
	struct res_walk w = {
	    .zt = zt,
	    .r = r,
	    .qtype = qtype,
	    .dnssec = dnssec,
	    .zone = node_at(zt, node)->zone,
	    .wild_ce = ZT_NONE,
	};

	res_reset(r);
	r->qname = zt_node_name(zt, node_at(zt, node));
	walk_node(&w, node, OWN_QNAME, NULL);
}
