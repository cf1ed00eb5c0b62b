/* SPDX-License-Identifier: BSD-3-Clause */
/* zt_patch_edits.c: the policy's edits of a patched zone, applied to its changed names */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "zload_pvt.h"
#include "zt_index.h"
#include "zt_patch_pvt.h"

void zt_patch_edits_free(struct patch *p)
{
	struct pedits *pe = &p->ed;

	free(pe->wh);
	free(pe->add);
	free(pe->keep);
	free(pe->rdata);
	memset(pe, 0, sizeof(*pe));
}

/* An owner of the edits as a lower-case wire name in KEY: its length, or 0 when not a name. */
static size_t edit_owner(const char *text, uint8_t *key)
{
	ldns_rdf *name = NULL;
	size_t len;

	if (ldns_str2rdf_dname(&name, text) != LDNS_STATUS_OK)
		return 0;
	len = wire_name_lower(key, ldns_rdf_data(name));
	ldns_rdf_deep_free(name);
	return len;
}

/*
 * A name kept without records (KEY, LEN): listed, when BASE holds it as one of the zone's. With
 * edits other than BASE's (IN->edits_new) a name BASE does not hold may be one the new edits
 * keep: listed when its closest name in BASE is the zone's.
 */
static int keep_add(struct patch *p, const uint8_t *key, size_t len)
{
	struct pedits *pe = &p->ed;
	uint32_t n = zt_find(p->base, key, len);
	const uint8_t *k = key;
	size_t l = len;

	while (n == ZT_NONE && p->in->edits_new && l > p->apex_len &&
	       wire_name_is_sub(k, p->apex)) {
		k = zt_patch_parent(k, &l);
		n = zt_find(p->base, k, l);
	}
	/* Not in BASE, or another zone's: at or below a zone served beside it, where the compile
	 * keeps no node for it either. */
	if (n == ZT_NONE || p->base->nodes[n].zone != p->z)
		return 0;
	memcpy(pe->keep[pe->nkeep].key, key, len);
	pe->keep[pe->nkeep].len = len;
	pe->nkeep++;
	return 0;
}

/* As zt_nodes.c reads them: withholds, added records (in wire form), names kept empty. */
int zt_patch_edits_init(struct patch *p)
{
	const zt_zone_edits_t *e = p->in->edits;
	const zload_zone_t *zone = p->zone;
	struct pedits *pe = &p->ed;
	size_t n = e != NULL ? e->nedits : 0, rdlen = 0;
	ldns_buffer *buf = NULL;
	char why[256];
	int ret = -ENOMEM;

	memset(pe, 0, sizeof(*pe));
	if (!p->in->edits_new && zt_edits_fp(e) != p->base->zones[p->z].edits_fp)
		return zt_patch_full(p,
				     "zone %s: the policy's edits are not those it was compiled "
				     "with",
				     p->base->zones[p->z].origin);
	if (n > 0 && zload_edits_check(zone, e->edits, n, why, sizeof(why)) != 0)
		return zt_patch_full(p, "the policy's edits do not apply: %s", why);
	pe->wh = calloc(n + 1, sizeof(*pe->wh));
	pe->add = calloc(n + 1, sizeof(*pe->add));
	pe->keep = calloc(n + zone->nempty + 1, sizeof(*pe->keep));
	buf = ldns_buffer_new(65535);
	if (pe->wh == NULL || pe->add == NULL || pe->keep == NULL || buf == NULL)
		goto out;
	for (size_t i = 0; i < n; i++) {
		const zload_edit_t *ed = &e->edits[i];
		uint8_t key[WIRE_NAME_MAX + 1];
		size_t len;

		if (ed->op == ZLOAD_EDIT_WITHHOLD) {
			struct pwh *w = &pe->wh[pe->nwh];

			if ((w->len = edit_owner(ed->owner, w->key)) == 0) {
				ret = zt_patch_full(p, "'%s' is not a domain name", ed->owner);
				goto out;
			}
			w->type = ed->type;
			w->at = i;
			pe->nwh++;
		} else if (ed->op == ZLOAD_EDIT_ADD) {
			struct padd *a = &pe->add[pe->nadd];
			ldns_rr *rr = NULL;
			uint8_t *m;

			if (zload_edit_rr(zone, ed, &rr, why, sizeof(why)) != 0) {
				ret = zt_patch_full(p, "the policy's edits do not apply: %s", why);
				goto out;
			}
			a->len = wire_name_lower(a->key, ldns_rdf_data(ldns_rr_owner(rr)));
			a->type = (uint16_t)ldns_rr_get_type(rr);
			a->ttl = ldns_rr_ttl(rr);
			a->at = i;
			ldns_buffer_clear(buf);
			if (ldns_rr_rdata2buffer_wire(buf, rr) != LDNS_STATUS_OK ||
			    ldns_buffer_position(buf) > 65535) {
				ldns_rr_free(rr);
				ret = zt_patch_full(p, "an added record's RDATA cannot be encoded");
				goto out;
			}
			ldns_rr_free(rr);
			a->rdlen = (uint16_t)ldns_buffer_position(buf);
			m = realloc(pe->rdata, rdlen + a->rdlen + 1);
			if (m == NULL)
				goto out;
			pe->rdata = m;
			memcpy(pe->rdata + rdlen, ldns_buffer_begin(buf), a->rdlen);
			a->rd = rdlen; /* an offset until the buffer is whole */
			rdlen += a->rdlen;
			pe->nadd++;
		} else if (ed->op == ZLOAD_EDIT_EMPTY_NODE) {
			if ((len = edit_owner(ed->owner, key)) == 0) {
				ret = zt_patch_full(p, "'%s' is not a domain name", ed->owner);
				goto out;
			}
			keep_add(p, key, len);
		}
	}
	for (size_t i = 0; i < zone->nempty; i++) {
		uint8_t key[WIRE_NAME_MAX + 1];

		keep_add(p, key, wire_name_lower(key, ldns_rdf_data(zone->empty[i])));
	}
	ret = 0;
out:
	if (buf != NULL)
		ldns_buffer_free(buf);
	return ret;
}

/* As zt_nodes.c's zedits_withheld(): AFTER is 0 for the zone's records, an add's place + 1. */
static bool withheld(const struct pedits *pe, const uint8_t *key, size_t len, uint16_t type,
		     size_t after)
{
	for (size_t i = 0; i < pe->nwh; i++)
		if (pe->wh[i].at + 1 > after && pe->wh[i].type == type && pe->wh[i].len == len &&
		    memcmp(pe->wh[i].key, key, len) == 0)
			return true;
	return false;
}

size_t zt_patch_recs(const struct patch *p, const struct pn *pn, struct prec *out)
{
	const struct pedits *pe = &p->ed;
	const zload_zone_t *zone = p->zone;
	size_t cnt = 0;

	for (size_t k = pn->r0; k < pn->r1; k++) {
		size_t i = zone->by_owner[k];

		if (pe->nwh > 0 && withheld(pe, pn->key, pn->len, zone->recs[i].type, 0))
			continue;
		if (out != NULL)
			out[cnt] = (struct prec){.type = zone->recs[i].type,
						 .rdlen = zone->recs[i].rdlen,
						 .ttl = zone->recs[i].ttl,
						 .order = (uint32_t)i,
						 .rd = zload_rec_rdata(zone, i)};
		cnt++;
	}
	for (size_t i = 0; i < pe->nadd; i++) {
		const struct padd *a = &pe->add[i];

		if (a->len != pn->len || memcmp(a->key, pn->key, pn->len) != 0 ||
		    withheld(pe, pn->key, pn->len, a->type, a->at + 1))
			continue;
		/* After the zone's records, in the edits' order: as zt_nodes.c numbers them. */
		if (out != NULL)
			out[cnt] = (struct prec){.type = a->type,
						 .rdlen = a->rdlen,
						 .ttl = a->ttl,
						 .order = (uint32_t)(zone->nrecs + i),
						 .rd = pe->rdata + a->rd};
		cnt++;
	}
	return cnt;
}

bool zt_patch_kept(const struct patch *p, const uint8_t *key, size_t len)
{
	/* A few names at most (the policy keeps one a mail domain): looked through. */
	for (size_t i = 0; i < p->ed.nkeep; i++)
		if (p->ed.keep[i].len == len && memcmp(p->ed.keep[i].key, key, len) == 0)
			return true;
	return false;
}
