/* SPDX-License-Identifier: BSD-3-Clause */
/* resolve.c: what an authoritative answer holds (RFC 1034 4.3.2), and rendering it to wire */
#include <string.h>

#include "zt_index.h"
#include "zt_pvt.h"

/* Hops followed inside a zone after the first CNAME (Knot's answers show five CNAMEs at most). */
#define RES_CHAIN_MAX 4

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

/* Whether this RRset is already in the answer under this owner (Knot's KNOT_PF_CHECKDUP). */
static bool res_has(const zt_t *zt, const res_t *r, uint8_t kind, uint32_t node,
		    const uint8_t *name, uint32_t rrset)
{
	const uint8_t *owner = res_owner_name(zt, r, kind, node, name);

	for (unsigned i = 0; i < r->n; i++) {
		const res_item_t *it = &r->item[i];

		if (it->rrset != rrset || rrset == ZT_NONE)
			continue;
		if (wire_name_eq(res_owner_name(zt, r, it->owner_kind, it->node, it->name), owner))
			return true;
	}
	return false;
}

static res_item_t *res_add(res_t *r, uint8_t sec, uint8_t kind, uint32_t node, const uint8_t *name,
			   uint32_t rrset)
{
	res_item_t *it;

	if (r->n >= RES_MAX_ITEMS) {
		r->overflow = true;
		return NULL;
	}
	it = &r->item[r->n++];
	it->section = sec;
	it->owner_kind = kind;
	it->node = node;
	it->name = name;
	it->rrset = rrset;
	it->ttl_override = ZT_NONE;
	it->cname_target = NULL;
	it->required = false;
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

		if (sig != ZT_NONE && !res_has(zt, r, kind, node, name, sig))
			res_add(r, sec, kind, node, name, sig);
	}
	return true;
}

static uint32_t zone_of(const zt_t *zt, uint32_t n)
{
	return node_at(zt, n)->zone;
}

/* Offset of the target name inside one record's RDATA, for additional-section processing. */
static int target_offset(uint16_t type)
{
	switch (type) {
	case T_NS:
		return 0;
	case T_MX:
		return 2;
	case T_SRV:
		return 6;
	default:
		return -1;
	}
}

/*
 * Whether the A/AAAA of TARGET (node T) are glue a referral cannot go without: T is at or below
 * a cut and within the NS owner's own name (Knot's "mandatory glue", RFC 9471 in-domain glue).
 */
static bool glue_mandatory(const zt_t *zt, const zt_rrset_t *set, uint32_t t)
{
	const zt_node_t *tn = node_at(zt, t);

	return set->type == T_NS && tn->deleg != ZT_NONE &&
	       (node_at(zt, tn->deleg)->flags & ZN_CUT) &&
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
	int toff = target_offset(set->type);

	if (toff < 0)
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
			if (n == ZT_NONE || zone_of(zt, n) != zone)
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
				for (unsigned j = before; j < r->n; j++)
					r->item[j].required = referral && mandatory;
			}
		}
	}
}

/* The NSEC record whose owner is the greatest at or before NAME in canonical order. */
static uint32_t nsec_covering(const zt_t *zt, const zt_zone_t *z, const uint8_t *name)
{
	uint32_t lo = 0, hi = z->nnsec;

	if (z->nnsec == 0)
		return ZT_NONE;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		const uint8_t *mn = zt_node_name(zt, node_at(zt, z->nsec[mid]));

		if (wire_name_cmp_canonical(mn, name) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* Before the first owner: the last NSEC wraps around to the apex. */
	return z->nsec[lo == 0 ? z->nnsec - 1 : lo - 1];
}

/* The NSEC at NODE and its signature; nothing for ZT_NONE (a signed zone without NSEC). */
static void res_add_nsec(const zt_t *zt, res_t *r, uint32_t node)
{
	uint32_t nsec;

	if (node == ZT_NONE)
		return;
	nsec = node_rrset(zt, node, T_NSEC);

	if (nsec != ZT_NONE)
		res_add_set(zt, r, 2, OWN_NODE, node, NULL, nsec, true);
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
		if (it != NULL)
			it->ttl_override = z->neg_ttl;
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
		else
			res_add_nsec(zt, r, cut);
	}
	res_additional(zt, r, ns, zone_of(zt, cut), false, true);
}

struct res_walk {
	const zt_t *zt;
	res_t *r;
	uint16_t qtype;
	bool dnssec;
	uint32_t zone; /* the zone the chain stays in */
	unsigned hops;
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
	uint32_t set;

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
		bool any = false;

		for (uint32_t i = node->rrsets; i < node->rrsets + node->nrrsets; i++) {
			if (zt->rrsets[i].type == T_RRSIG) {
				res_add(r, 1, kind, n, name, i);
				any = true;
			}
		}
		if (any)
			return;
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

		/* The chain's end decides the rcode (RFC 6604). */
		if (res_add_set(zt, r, 1, kind, n, name, cn, w->dnssec))
			walk_follow(w, zt->arena + cs->data + 2);
		return;
	}
nodata:
	r->flags = (uint16_t)(r->flags & ~0xf);
	res_soa(zt, r, node->zone, w->dnssec);
	if (w->dnssec && (node->flags & ZN_SIGNED)) {
		if (node_rrset(zt, n, T_NSEC) != ZT_NONE)
			res_add_nsec(zt, r, n);
		else
			res_add_nsec(
			    zt, r,
			    nsec_covering(zt, &zt->zones[node->zone], zt_node_name(zt, node)));
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

	if (set == ZT_NONE)
		return;
	ds = &zt->rrsets[set];
	dname_target = zt->arena + ds->data + 2;
	tlen = wire_name_len(dname_target);
	if (!res_add_set(zt, r, 1, OWN_NODE, d, NULL, set, w->dnssec) && w->hops > 0)
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
		if (node->zone != w->zone)
			return;
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
	if (n == ZT_NONE || node_at(zt, n)->zone != w->zone)
		return;
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

		walk_node(w, node->wildcard, kind, name);
		/* Prove that the name itself does not exist (RFC 4035 3.1.3.3). */
		if (w->dnssec && (node->flags & ZN_SIGNED))
			res_add_nsec(zt, w->r, nsec_covering(zt, z, name));
		return;
	}
	w->r->flags = (uint16_t)((w->r->flags & ~0xf) | RC_NXDOMAIN);
	res_soa(zt, w->r, node->zone, w->dnssec);
	if (w->dnssec && (node->flags & ZN_SIGNED)) {
		const zt_zone_t *z = &zt->zones[node->zone];
		uint8_t wild[WIRE_NAME_MAX + 1];
		size_t elen = node->name_len;

		res_add_nsec(zt, w->r, nsec_covering(zt, z, name));
		if (elen + 2 <= WIRE_NAME_MAX) {
			wild[0] = 1;
			wild[1] = '*';
			memcpy(wild + 2, zt_node_name(zt, node), elen);
			res_add_nsec(zt, w->r, nsec_covering(zt, z, wild));
		}
	}
}

void res_reset(res_t *r)
{
	r->qname = NULL;
	r->flags = F_AA;
	r->n = 0;
	r->nnames = 0;
	r->overflow = false;
}

void res_resolve(const zt_t *zt, const uint8_t *qname, uint16_t qtype, bool dnssec, res_t *r)
{
	uint8_t key[WIRE_NAME_MAX + 1];
	size_t len = wire_name_lower(key, qname);
	const uint8_t *k;
	uint32_t n;
	struct res_walk w = {.zt = zt, .r = r, .qtype = qtype, .dnssec = dnssec};

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
	};

	res_reset(r);
	r->qname = zt_node_name(zt, node_at(zt, node));
	walk_node(&w, node, OWN_QNAME, NULL);
}

/* ------------------------------------------------------------------ rendering */

static bool name_at_eq(const uint8_t *buf, size_t off, const uint8_t *s)
{
	for (unsigned guard = 0; guard < 128; guard++) {
		uint8_t l = buf[off];

		if ((l & 0xc0) == 0xc0) {
			off = (size_t)((l & 0x3f) << 8 | buf[off + 1]);
			continue;
		}
		if (l != *s)
			return false;
		if (l == 0)
			return true;
		for (uint8_t i = 1; i <= l; i++)
			if (wire_lower(buf[off + i]) != wire_lower(s[i]))
				return false;
		off += (size_t)l + 1;
		s += l + 1;
	}
	return false;
}

static int dict_find(const rbuf_t *rb, const uint8_t *s)
{
	for (unsigned i = 0; i < rb->ndict; i++)
		if (name_at_eq(rb->buf, rb->dict[i], s))
			return rb->dict[i];
	return -1;
}

static void dict_add(rbuf_t *rb, size_t off)
{
	if (off <= WIRE_PTR_MAX && rb->ndict < sizeof(rb->dict) / sizeof(rb->dict[0]))
		rb->dict[rb->ndict++] = (uint16_t)off;
}

static void rb_need(rbuf_t *rb, size_t n)
{
	if (rb->len + n > rb->cap)
		rb->err = -1;
}

static void rb_ptr(rbuf_t *rb, uint16_t target)
{
	rb_need(rb, 2);
	if (rb->err)
		return;
	/* In a relocatable blob every pointer moves with the question's length (rb_owner()
	 * writes the one that does not, to the question itself, on its own). */
	if (rb->reloc) {
		if (rb->nfix < sizeof(rb->fix) / sizeof(rb->fix[0]))
			rb->fix[rb->nfix++] = (uint16_t)rb->len;
		else
			rb->err = -1;
		if (target > rb->max_ptr)
			rb->max_ptr = target;
	}
	wire_put16(rb->buf + rb->len, (uint16_t)(0xc000 | target));
	rb->len += 2;
}

static void rb_name(rbuf_t *rb, const uint8_t *name, bool compress)
{
	const uint8_t *s = name;

	while (*s != 0) {
		int at = compress ? dict_find(rb, s) : -1;

		if (at >= 0) {
			rb_ptr(rb, (uint16_t)at);
			return;
		}
		rb_need(rb, (size_t)*s + 1);
		if (rb->err)
			return;
		/* Even names written whole are pointed at later (Knot's glue owners are). */
		dict_add(rb, rb->len);
		memcpy(rb->buf + rb->len, s, (size_t)*s + 1);
		rb->len += (size_t)*s + 1;
		s += *s + 1;
	}
	rb_need(rb, 1);
	if (rb->err)
		return;
	rb->buf[rb->len++] = 0;
}

void rbuf_start(rbuf_t *rb, uint8_t *buf, size_t cap, const uint8_t *qname, uint16_t qtype,
		uint16_t qclass, bool reloc, unsigned anchor_labels)
{
	size_t qlen = wire_name_len(qname);
	unsigned labels = wire_name_labels(qname);
	const uint8_t *s = qname;

	rb->buf = buf;
	rb->cap = cap;
	rb->len = 0;
	rb->limit = cap;
	rb->ndict = 0;
	rb->nfix = 0;
	rb->max_ptr = 0;
	rb->tc = false;
	rb->sfx_pos = WIRE_HDR_LEN;
	/* A relocatable blob at the root still serves names with labels. */
	rb->q_labels = reloc && labels == 0 ? 1 : labels;
	rb->sfx_labels = rb->q_labels;
	rb->anchor_labels = anchor_labels;
	rb->reloc = reloc;
	rb->err = 0;
	if (cap < WIRE_HDR_LEN + qlen + 4) {
		rb->err = -1;
		return;
	}
	memset(buf, 0, WIRE_HDR_LEN);
	memcpy(buf + WIRE_HDR_LEN, qname, qlen);
	wire_put16(buf + WIRE_HDR_LEN + qlen, qtype);
	wire_put16(buf + WIRE_HDR_LEN + qlen + 2, qclass);
	rb->len = WIRE_HDR_LEN + qlen + 4;
	for (unsigned i = 0; *s != 0; i++, s += *s + 1)
		if (!reloc || labels - i <= anchor_labels)
			dict_add(rb, WIRE_HDR_LEN + (size_t)(s - qname));
}

/*
 * Compression as Knot DNS does it, so that our messages have Knot's sizes and truncation and the
 * additional section agree with it. A name is compressed only against one reference name: the
 * question at first, then the last name written that was more than a pointer (Knot's
 * "similar names are grouped together"); the longest common tail of whole labels becomes a
 * pointer. In a relocatable blob only the question's ANCHOR labels are known, so no more of
 * them may match.
 */
static void rb_name_knot(rbuf_t *rb, const uint8_t *name)
{
	size_t spos[128];
	const uint8_t *npos[128];
	unsigned sn = 0, nl = 0, usable, k = 0;
	size_t off = rb->sfx_pos, start = rb->len;

	for (const uint8_t *p = name; *p != 0 && nl < 128; p += *p + 1)
		npos[nl++] = p;
	if (nl == 0) {
		rb_name(rb, name, false);
		return;
	}
	for (unsigned guard = 0; guard < 256 && sn < 128 && rb->sfx_labels > 0; guard++) {
		uint8_t l = rb->buf[off];

		if ((l & 0xc0) == 0xc0) {
			off = (size_t)((l & 0x3f) << 8 | rb->buf[off + 1]);
			continue;
		}
		if (l == 0)
			break;
		spos[sn++] = off;
		off += (size_t)l + 1;
	}
	usable = sn;
	if (rb->reloc && rb->sfx_pos == WIRE_HDR_LEN && rb->anchor_labels < sn)
		usable = rb->anchor_labels;
	while (k < usable && k < nl && spos[sn - 1 - k] <= WIRE_PTR_MAX) {
		const uint8_t *x = npos[nl - 1 - k];
		const uint8_t *y = rb->buf + spos[sn - 1 - k];

		if (*x != *y)
			break;
		for (uint8_t i = 1; i <= *x; i++)
			if (wire_lower(x[i]) != wire_lower(y[i]))
				goto mismatch;
		k++;
	}
mismatch:
	if (k == 0) {
		rb_name(rb, name, false);
	} else {
		size_t lit = (size_t)(npos[nl - k] - name);

		rb_need(rb, lit);
		if (rb->err)
			return;
		for (unsigned i = 0; i < nl - k; i++)
			dict_add(rb, rb->len + (size_t)(npos[i] - name));
		memcpy(rb->buf + rb->len, name, lit);
		rb->len += lit;
		rb_ptr(rb, (uint16_t)spos[sn - k]);
	}
	if (rb->err == 0 && rb->len - start > 2 && rb->len < WIRE_PTR_MAX) {
		rb->sfx_pos = start;
		rb->sfx_labels = nl;
	}
}

/* RDATA of the RFC 1035 types whose names may be compressed (RFC 3597 4); others verbatim. */
static void rb_rdata(rbuf_t *rb, uint16_t type, const uint8_t *rd, uint16_t rdlen)
{
	size_t names = 0, fixed_before = 0;

	switch (type) {
	case T_NS:
	case T_MD:
	case T_MF:
	case T_CNAME:
	case T_MB:
	case T_MG:
	case T_MR:
	case T_PTR:
		names = 1;
		break;
	case T_MX:
		names = 1;
		fixed_before = 2;
		break;
	case T_SOA:
	case T_MINFO:
		names = 2;
		break;
	default:
		break;
	}
	if (names == 0 || rdlen <= fixed_before) {
		rb_need(rb, rdlen);
		if (rb->err)
			return;
		memcpy(rb->buf + rb->len, rd, rdlen);
		/* An SRV target is written whole, and its address records point at it. */
		if (type == T_SRV && rdlen > 6)
			for (size_t o = 6; o < rdlen && rd[o] != 0; o += (size_t)rd[o] + 1)
				dict_add(rb, rb->len + o);
		rb->len += rdlen;
		return;
	}
	{
		const uint8_t *p = rd, *end = rd + rdlen;

		rb_need(rb, fixed_before);
		if (rb->err)
			return;
		memcpy(rb->buf + rb->len, p, fixed_before);
		rb->len += fixed_before;
		p += fixed_before;
		for (size_t i = 0; i < names && p < end; i++) {
			rb_name_knot(rb, p);
			p += wire_name_len(p);
		}
		if (p < end) {
			rb_need(rb, (size_t)(end - p));
			if (rb->err)
				return;
			memcpy(rb->buf + rb->len, p, (size_t)(end - p));
			rb->len += (size_t)(end - p);
		}
	}
}

/* Knot's write_owner(): a hint, the reference name itself, or compression from the question. */
static void rb_owner(rbuf_t *rb, const zt_t *zt, const res_item_t *it, bool repeat)
{
	const uint8_t *owner = it->owner_kind == OWN_NODE   ? zt_node_name(zt, &zt->nodes[it->node])
			       : it->owner_kind == OWN_NAME ? it->name
							    : rb->buf + WIRE_HDR_LEN;

	if (owner[0] == 0) {
		/* The root has no hint; writing it resets the reference to the question. */
		rb->owner_pos = rb->len;
		rb_need(rb, 1);
		if (rb->err)
			return;
		rb->buf[rb->len++] = 0;
		rb->sfx_pos = rb->q_labels ? WIRE_HDR_LEN : 0;
		rb->sfx_labels = rb->q_labels;
		return;
	}
	if (it->owner_kind == OWN_QNAME) {
		/* The question itself: this pointer never moves, even in a relocatable blob. */
		rb->owner_pos = WIRE_HDR_LEN;
		rb_need(rb, 2);
		if (rb->err)
			return;
		wire_put16(rb->buf + rb->len, 0xc000 | WIRE_HDR_LEN);
		rb->len += 2;
		return;
	}
	/* Hints: an RRset's later owners point at its first, glue owners at the target that
	 * named them. */
	if (repeat && rb->owner_pos <= WIRE_PTR_MAX) {
		rb_ptr(rb, (uint16_t)rb->owner_pos);
		return;
	}
	rb->owner_pos = rb->len;
	if (it->section == 3) {
		rb_name(rb, owner, true);
		return;
	}
	if (rb->sfx_pos != 0 && rb->sfx_pos <= WIRE_PTR_MAX &&
	    name_at_eq(rb->buf, rb->sfx_pos, owner) &&
	    !(rb->reloc && rb->sfx_pos == WIRE_HDR_LEN)) {
		rb_ptr(rb, (uint16_t)rb->sfx_pos);
		return;
	}
	/* A message without a question (later AXFR messages) has no reference to go back to. */
	rb->sfx_pos = rb->q_labels ? WIRE_HDR_LEN : 0;
	rb->sfx_labels = rb->q_labels;
	rb_name_knot(rb, owner);
}

static void rb_rr_head(rbuf_t *rb, const zt_t *zt, const res_item_t *it, uint16_t type,
		       uint32_t ttl, bool repeat)
{
	rb_owner(rb, zt, it, repeat);
	rb_need(rb, 8);
	if (rb->err)
		return;
	wire_put16(rb->buf + rb->len, type);
	wire_put16(rb->buf + rb->len + 2, C_IN);
	wire_put32(rb->buf + rb->len + 4, ttl);
	rb->len += 8;
}

/* One RRset (or the synthesized CNAME) of the resolver's answer; returns its record count. */
static uint16_t rb_item(rbuf_t *rb, const zt_t *zt, const res_item_t *it, bool repeat)
{
	size_t rdl_at;

	if (it->rrset == ZT_NONE) {
		rb_rr_head(rb, zt, it, T_CNAME, it->ttl_override, repeat);
		rb_need(rb, 2);
		if (rb->err)
			return 0;
		rdl_at = rb->len;
		rb->len += 2;
		rb_name_knot(rb, it->cname_target);
		if (rb->err)
			return 0;
		wire_put16(rb->buf + rdl_at, (uint16_t)(rb->len - rdl_at - 2));
		return 1;
	}
	{
		const zt_rrset_t *set = &zt->rrsets[it->rrset];
		const uint8_t *p = zt->arena + set->data;
		uint32_t ttl = it->ttl_override != ZT_NONE ? it->ttl_override : set->ttl;

		for (uint16_t k = 0; k < set->count; k++) {
			uint16_t rdlen = wire_get16(p);

			rb_rr_head(rb, zt, it, set->type, ttl, repeat || k > 0);
			rb_need(rb, 2);
			if (rb->err)
				return 0;
			rdl_at = rb->len;
			rb->len += 2;
			rb_rdata(rb, set->type, p + 2, rdlen);
			if (rb->err)
				return 0;
			wire_put16(rb->buf + rdl_at, (uint16_t)(rb->len - rdl_at - 2));
			p += 2 + rdlen;
		}
		return set->count;
	}
}

static bool same_owner(const res_item_t *a, const res_item_t *b)
{
	return a->owner_kind == b->owner_kind && a->node == b->node && a->name == b->name;
}

void rbuf_put_res(rbuf_t *rb, const zt_t *zt, const res_t *r, uint16_t counts[3])
{
	const res_item_t *skipped = NULL, *prev = NULL;

	counts[0] = counts[1] = counts[2] = 0;
	/* Sections in order, whatever order the resolver found them in. */
	for (uint8_t sec = 1; sec <= 3; sec++) {
		for (unsigned i = 0; i < r->n && rb->err == 0 && !(rb->tc && sec < 3); i++) {
			const res_item_t *it = &r->item[i];
			size_t len = rb->len, sfx_pos = rb->sfx_pos;
			unsigned sfx_labels = rb->sfx_labels;
			unsigned ndict = rb->ndict, nfix = rb->nfix;
			uint16_t max_ptr = rb->max_ptr;
			uint16_t n;

			if (it->section != sec)
				continue;
			/* After a glue RRset that did not fit, the same name's others go too
			 * (Knot). */
			if (sec == 3 && skipped != NULL && same_owner(skipped, it))
				continue;
			n = rb_item(rb, zt, it, prev != NULL && same_owner(prev, it));
			if (rb->err == 0 && rb->len <= rb->limit) {
				counts[sec - 1] = (uint16_t)(counts[sec - 1] + n);
				prev = it;
				continue;
			}
			/* It does not fit: whole RRsets only (RFC 2181 9). */
			rb->len = len;
			rb->ndict = ndict;
			rb->nfix = nfix;
			rb->max_ptr = max_ptr;
			rb->sfx_pos = sfx_pos;
			rb->sfx_labels = sfx_labels;
			rb->err = 0;
			if (sec < 3 || it->required)
				rb->tc = true;
			if (sec < 3)
				break;
			skipped = it;
		}
	}
}
