/* SPDX-License-Identifier: BSD-3-Clause */
/* explain.c: why the snapshot answers a name and type the way it does (sandnsctl explain) */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "resolve.h"
#include "sandns_err.h"
#include "zt_index.h"
#include "zt_pvt.h"

static void name_text(const uint8_t *wire, char *out, size_t len)
{
	ldns_rdf *rdf = ldns_rdf_new_frm_data(LDNS_RDF_TYPE_DNAME, wire_name_len(wire), wire);
	char *s = rdf != NULL ? ldns_rdf2str(rdf) : NULL;

	snprintf(out, len, "%s", s != NULL ? s : "?");
	free(s);
	ldns_rdf_deep_free(rdf);
}

/* The match: how far the name reaches into the tree (RFC 4592 terms). */
static void explain_match(const zt_t *zt, const uint8_t *key, size_t len, zt_explanation_t *out)
{
	const uint8_t *k;
	const zt_node_t *node;
	uint32_t n = zt_find_closest(zt, key, len, &k);
	if (n == ZT_NONE) {
		out->match = ZT_MATCH_NO_ZONE;
		return;
	}
	node = &zt->nodes[n];
	snprintf(out->zone, sizeof(out->zone), "%s", zt->zones[node->zone].origin);
	out->serial = zt->zones[node->zone].serial;
	if (node->deleg != ZT_NONE) {
		const zt_node_t *d = &zt->nodes[node->deleg];

		out->match = (d->flags & ZN_DNAME) ? ZT_MATCH_DNAME : ZT_MATCH_DELEGATION;
		name_text(zt_node_name(zt, d), out->node, sizeof(out->node));
		return;
	}
	if (k == key) {
		out->match = (node->flags & ZN_CUT) && !(node->flags & ZN_APEX)
				 ? ZT_MATCH_DELEGATION
			     : node->nrrsets == 0 ? ZT_MATCH_EMPTY
						  : ZT_MATCH_EXACT;
		name_text(key, out->node, sizeof(out->node));
		return;
	}
	if (node->flags & ZN_DNAME) {
		out->match = ZT_MATCH_DNAME;
		name_text(k, out->node, sizeof(out->node));
	} else if (node->wildcard != ZT_NONE) {
		out->match = ZT_MATCH_WILDCARD;
		name_text(zt_node_name(zt, &zt->nodes[node->wildcard]), out->node,
			  sizeof(out->node));
	} else {
		out->match = ZT_MATCH_NXDOMAIN;
		name_text(k, out->node, sizeof(out->node)); /* the closest encloser */
	}
}

/* The node behind each RRset of the answer and authority sections. */
static void explain_sources(const zt_t *zt, const res_t *r, zt_explanation_t *out)
{
	for (unsigned i = 0; i < r->n && out->nsrc < ZT_EXPLAIN_SOURCES; i++) {
		const res_item_t *it = &r->item[i];
		zt_explain_src_t *s;

		if (it->rrset == ZT_NONE)
			continue; /* a CNAME synthesized from a DNAME: the DNAME is the source */
		s = &out->src[out->nsrc++];
		s->section = it->section;
		s->type = zt->rrsets[it->rrset].type;
		name_text(zt_node_name(zt, &zt->nodes[zt->rrsets[it->rrset].node]), s->owner,
			  sizeof(s->owner));
	}
}

/* The response's records as text, "answer: RR" per line. */
static void explain_text(const uint8_t *resp, size_t len, zt_explanation_t *out)
{
	static const char *const names[] = {"answer", "authority", "additional"};
	static const char more[] = "... (more records: the rest is not shown)\n";
	ldns_pkt *pkt = NULL;
	size_t off = 0;

	if (ldns_wire2pkt(&pkt, resp, len) != LDNS_STATUS_OK)
		return;
	for (int sec = 0; sec < 3; sec++) {
		ldns_rr_list *l = sec == 0   ? ldns_pkt_answer(pkt)
				  : sec == 1 ? ldns_pkt_authority(pkt)
					     : ldns_pkt_additional(pkt);

		for (size_t i = 0; i < ldns_rr_list_rr_count(l); i++) {
			char *rr = ldns_rr2str(ldns_rr_list_rr(l, i));

			if (rr == NULL)
				continue;
			rr[strcspn(rr, "\n")] = '\0';
			for (char *c = rr; *c != '\0'; c++)
				if (*c == '\t')
					*c = ' ';
			if (off + strlen(names[sec]) + strlen(rr) + 3 + sizeof(more) <
			    sizeof(out->text))
				off += (size_t)snprintf(out->text + off, sizeof(out->text) - off,
							"%s: %s\n", names[sec], rr);
			else if (strstr(out->text, more) == NULL)
				off += (size_t)snprintf(out->text + off, sizeof(out->text) - off,
							"%s", more);
			free(rr);
		}
	}
	ldns_pkt_free(pkt);
}

int zt_explain(const zt_t *zt, const char *name, const char *type, zt_explanation_t *out, char *err,
	       size_t errlen)
{
	static const zt_answer_ctx_t tcp = {.transport = ZT_TCP};
	ldns_rdf *rdf = NULL;
	ldns_rr_type t = ldns_get_rr_type_by_name(type);
	uint8_t key[WIRE_NAME_MAX + 1], *q = NULL, *resp = NULL;
	res_t *r = NULL;
	zt_answer_info_t info;
	size_t qlen, rlen;
	int rc = SANDNS_EOK;

	memset(out, 0, sizeof(*out));
	if (t == 0 || t == LDNS_RR_TYPE_AXFR || t == LDNS_RR_TYPE_IXFR) {
		snprintf(err, errlen, "'%s' is not a record type that can be explained", type);
		return SANDNS_EPARSE;
	}
	if (ldns_str2rdf_dname(&rdf, name) != LDNS_STATUS_OK) {
		snprintf(err, errlen, "'%s' is not a domain name", name);
		return SANDNS_EPARSE;
	}
	r = malloc(sizeof(*r));
	if (r != NULL && res_init_heap(r) != 0) {
		free(r);
		r = NULL;
	}
	qlen = 12 + ldns_rdf_size(rdf) + 4;
	q = calloc(1, qlen);
	resp = malloc(65535);
	if (r == NULL || q == NULL || resp == NULL) {
		snprintf(err, errlen, "out of memory");
		rc = -ENOMEM;
		goto out;
	}
	wire_name_lower(key, ldns_rdf_data(rdf));
	name_text(key, out->name, sizeof(out->name));
	explain_match(zt, key, ldns_rdf_size(rdf), out);

	/* The query a client would send (ID 0, RD clear), answered as over TCP: never truncated. */
	wire_put16(q + 4, 1);
	memcpy(q + 12, ldns_rdf_data(rdf), ldns_rdf_size(rdf));
	wire_put16(q + 12 + ldns_rdf_size(rdf), (uint16_t)t);
	wire_put16(q + 14 + ldns_rdf_size(rdf), 1);
	rlen = zt_answer(zt, q, qlen, resp, 65535, &tcp, &info);
	if (rlen >= 12) {
		out->rcode = info.rcode;
		out->aa = (resp[2] & 0x04) != 0;
		explain_text(resp, rlen, out);
	}
	if (out->match != ZT_MATCH_NO_ZONE) {
		res_resolve(zt, ldns_rdf_data(rdf), (uint16_t)t, false, r);
		explain_sources(zt, r, out);
	}
out:
	if (r != NULL)
		res_fini(r);
	free(r);
	free(q);
	free(resp);
	ldns_rdf_deep_free(rdf);
	return rc;
}
