/* SPDX-License-Identifier: BSD-3-Clause */
/* sign.c: a loaded zone (with the policy's edits) signed: DNSKEY, NSEC or NSEC3, RRSIG added */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fnv.h"
#include "sign_pvt.h"
#include "zload_pvt.h"

/* Signatures start this long before now: validators whose clocks lag still take them. */
#define SIGN_INCEPTION_SLACK 3600

/* Adds NAME (a node the policy keeps without records) to DZ, so that the chain covers it. */
static int add_empty_name(ldns_dnssec_zone *dz, const ldns_rdf *name)
{
	ldns_dnssec_name *n;
	ldns_rbnode_t *node;

	if (ldns_rbtree_search(dz->names, name) != NULL)
		return 0;
	n = ldns_dnssec_name_new();
	node = malloc(sizeof(*node));
	if (n == NULL || node == NULL) {
		free(node);
		if (n != NULL)
			ldns_dnssec_name_free(n);
		return -ENOMEM;
	}
	ldns_dnssec_name_set_name(n, ldns_rdf_clone(name));
	if (ldns_dnssec_name_name(n) == NULL) {
		free(node);
		ldns_dnssec_name_free(n);
		return -ENOMEM;
	}
	ldns_dname2canonical(ldns_dnssec_name_name(n));
	n->name_alloced = true; /* freed with the zone */
	node->key = ldns_dnssec_name_name(n);
	node->data = n;
	if (ldns_rbtree_insert(dz->names, node) == NULL) {
		free(node);
		ldns_dnssec_name_deep_free(n);
	}
	return 0;
}

/* The TTL of Z's SOA record (3600 if it had none: never, a loaded zone has one). */
static uint32_t soa_ttl(const zload_zone_t *z)
{
	for (size_t i = 0; i < z->nrecs; i++)
		if (z->recs[i].type == LDNS_RR_TYPE_SOA)
			return z->recs[i].ttl;
	return 3600;
}

/* The records of Z, its empty nodes and KEYS' DNSKEYs (TTL: the SOA's) into a new DZ. */
static ldns_dnssec_zone *to_dnssec_zone(const zload_zone_t *z, const sign_keys_t *keys, char *err,
					size_t errlen)
{
	ldns_dnssec_zone *dz = ldns_dnssec_zone_new();

	if (dz == NULL)
		goto nomem;
	for (size_t i = 0; i < z->nrecs; i++) {
		ldns_rr *rr = zload_rr(z, i);

		if (rr == NULL)
			goto nomem;
		ldns_dname2canonical(ldns_rr_owner(rr));
		if (ldns_dnssec_zone_add_rr(dz, rr) != LDNS_STATUS_OK) {
			ldns_rr_free(rr);
			snprintf(err, errlen, "%s: cannot sign: a record could not be added",
				 z->origin_text);
			ldns_dnssec_zone_deep_free(dz);
			return NULL;
		}
	}
	for (size_t i = 0; i < z->nempty; i++)
		if (add_empty_name(dz, z->empty[i]) != 0)
			goto nomem;
	for (size_t i = 0; i < sign_keys_count(keys); i++) {
		ldns_rr *rr = ldns_rr_clone(sign_key_rr(keys, i));

		if (rr == NULL)
			goto nomem;
		ldns_rr_set_ttl(rr, soa_ttl(z));
		if (ldns_dnssec_zone_add_rr(dz, rr) != LDNS_STATUS_OK) {
			ldns_rr_free(rr);
			goto nomem;
		}
	}
	return dz;
nomem:
	snprintf(err, errlen, "%s: out of memory signing it", z->origin_text);
	if (dz != NULL)
		ldns_dnssec_zone_deep_free(dz);
	return NULL;
}

/* Appends a copy of RR to Z (from file index FILE); 0 or -ENOMEM. */
static int push_copy(zload_zone_t *z, const ldns_rr *rr, unsigned file)
{
	ldns_rr *copy = ldns_rr_clone(rr);

	return copy != NULL && zload_push(z, copy, file, 0) == 0 ? 0 : -ENOMEM;
}

/*
 * Signatures put on the RRsets before signing (sign_reuse) stay, and their keys sign no more.
 * libldns also asks with no signature (SIG NULL) for a set that has none: then sign it.
 */
static int keep_signature(ldns_rr *sig, void *arg)
{
	(void)arg;
	return sig != NULL ? LDNS_SIGNATURE_LEAVE_NO_ADD : LDNS_SIGNATURE_LEAVE_ADD_NEW;
}

/*
 * The NSEC3 chain of DZ with RFC 9276's parameters (SHA-1, no opt-out, no extra iterations, no
 * salt): its empty non-terminals, the NSEC3PARAM at the apex, an NSEC3 per name.
 */
static ldns_status add_nsec3_chain(ldns_dnssec_zone *dz, ldns_rr_list *added)
{
	ldns_status st = ldns_dnssec_zone_add_empty_nonterminals(dz);
	ldns_rr *param;

	if (st != LDNS_STATUS_OK)
		return st;
	param = ldns_rr_new_frm_type(LDNS_RR_TYPE_NSEC3PARAM);
	if (param == NULL)
		return LDNS_STATUS_MEM_ERR;
	ldns_rr_set_owner(param, ldns_rdf_clone(dz->soa->name));
	ldns_nsec3_add_param_rdfs(param, LDNS_SHA1, 0, 0, 0, NULL);
	st = ldns_dnssec_zone_add_rr(dz, param);
	if (st != LDNS_STATUS_OK) {
		ldns_rr_free(param);
		return st;
	}
	return ldns_dnssec_zone_create_nsec3s(dz, added, LDNS_SHA1, 0, 0, 0, NULL);
}

/* Appends the DNSSEC records of DZ (DNSKEY, NSEC3PARAM, NSEC or NSEC3, RRSIG) to Z. */
static int push_dnssec(zload_zone_t *z, ldns_dnssec_zone *dz, unsigned file)
{
	for (ldns_rbnode_t *n = ldns_rbtree_first(dz->names); n != LDNS_RBTREE_NULL;
	     n = ldns_rbtree_next(n)) {
		ldns_dnssec_name *name = (ldns_dnssec_name *)n->data;
		const ldns_dnssec_rrs *r;

		for (const ldns_dnssec_rrsets *s = name->rrsets; s != NULL; s = s->next) {
			if (s->type == LDNS_RR_TYPE_DNSKEY || s->type == LDNS_RR_TYPE_NSEC3PARAM)
				for (r = s->rrs; r != NULL; r = r->next)
					if (push_copy(z, r->rr, file) != 0)
						return -ENOMEM;
			for (r = s->signatures; r != NULL; r = r->next)
				if (push_copy(z, r->rr, file) != 0)
					return -ENOMEM;
		}
		if (name->nsec != NULL && push_copy(z, name->nsec, file) != 0)
			return -ENOMEM;
		for (r = name->nsec_signatures; r != NULL; r = r->next)
			if (push_copy(z, r->rr, file) != 0)
				return -ENOMEM;
	}
	return 0;
}

zload_zone_t *sign_zone(const zload_zone_t *zone, const zload_edit_t *edits, size_t nedits,
			unsigned long serial, const sign_keys_t *keys, const sign_params_t *p,
			const zload_zone_t *prev, time_t now, time_t *expires, size_t *reused,
			char *err, size_t errlen)
{
	uint32_t min_exp = (uint32_t)(now + p->lifetime);
	long kept = 0;
	ldns_key_list *list = sign_keys_list(keys);
	ldns_dnssec_zone *dz = NULL;
	ldns_rr_list *added = NULL;
	zload_zone_t *z = NULL;
	ldns_status st;
	int file;

	if (zone->is_signed) {
		snprintf(err, errlen,
			 "%s: the zone file holds DNSSEC records (DNSKEY or RRSIG): it is "
			 "presigned and cannot be signed by sandns too (serve it unsigned, or "
			 "drop its dnssec line)",
			 zone->origin_text);
		return NULL;
	}
	if (sign_keys_count(keys) == 0) {
		snprintf(err, errlen, "%s: no key to sign with", zone->origin_text);
		return NULL;
	}
	z = zload_edit(zone, edits, nedits, serial, "autodiscover policy", err, errlen);
	if (z == NULL)
		return NULL;
	dz = to_dnssec_zone(z, keys, err, errlen);
	added = ldns_rr_list_new();
	if (dz == NULL || added == NULL)
		goto fail;
	for (size_t i = 0; i < ldns_key_list_key_count(list); i++) {
		ldns_key *k = ldns_key_list_key(list, i);

		ldns_key_set_inception(k, (uint32_t)(now - SIGN_INCEPTION_SLACK));
		ldns_key_set_expiration(k, (uint32_t)(now + p->lifetime));
	}
	/* As ldns_dnssec_zone_sign(_nsec3) do it, in steps, so that the signatures kept go on
	 * the chain before it is signed. */
	st = ldns_dnssec_zone_mark_glue(dz);
	if (st == LDNS_STATUS_OK && p->nsec3)
		st = add_nsec3_chain(dz, added);
	else if (st == LDNS_STATUS_OK)
		st = ldns_dnssec_zone_create_nsecs(dz, added);
	if (st == LDNS_STATUS_OK && prev != NULL) {
		/* Kept only if still valid past the next renewal and half the time after it. */
		kept = sign_reuse(dz, prev, keys,
				  (uint32_t)(now + p->refresh + (p->lifetime - p->refresh) / 2),
				  &min_exp);
		if (kept < 0)
			goto nomem;
	}
	if (st == LDNS_STATUS_OK)
		st = ldns_dnssec_zone_create_rrsigs(dz, added, list, keep_signature, NULL);
	if (st != LDNS_STATUS_OK) {
		snprintf(err, errlen, "%s: signing failed: %s", zone->origin_text,
			 ldns_get_errorstr_by_id(st));
		goto fail;
	}
	file = zload_add_file(z, "(dnssec)");
	if (file < 0)
		goto nomem;
	/* Walked rather than taken from ADDED: the signatures kept are in the zone only. */
	if (push_dnssec(z, dz, (unsigned)file) != 0)
		goto nomem;
	z->is_signed = true;
	*expires = (time_t)min_exp;
	if (reused != NULL)
		*reused = (size_t)kept;
	ldns_rr_list_free(added);
	ldns_dnssec_zone_deep_free(dz);
	return z;
nomem:
	snprintf(err, errlen, "%s: out of memory signing it", zone->origin_text);
fail:
	if (added != NULL)
		ldns_rr_list_free(added);
	if (dz != NULL)
		ldns_dnssec_zone_deep_free(dz);
	zload_free(&z);
	return NULL;
}

uint64_t sign_zone_digest(const zload_zone_t *zone)
{
	uint64_t h = FNV_START;

	for (size_t i = 0; i < zone->nrecs; i++) {
		const zload_rec_t *r = &zone->recs[i];
		const uint8_t *o = zload_rec_owner(zone, i);
		uint8_t fixed[8] = {(uint8_t)(r->type >> 8),  (uint8_t)r->type,
				    (uint8_t)(r->ttl >> 24),  (uint8_t)(r->ttl >> 16),
				    (uint8_t)(r->ttl >> 8),   (uint8_t)r->ttl,
				    (uint8_t)(r->rdlen >> 8), (uint8_t)r->rdlen};
		size_t olen = 0;

		while (o[olen] != 0)
			olen += (size_t)o[olen] + 1;
		h = fnv_bytes(h, o, olen + 1);
		h = fnv_bytes(h, fixed, sizeof(fixed));
		h = fnv_bytes(h, zload_rec_rdata(zone, i), r->rdlen);
	}
	for (size_t i = 0; i < zone->nempty; i++)
		h = fnv_bytes(h, ldns_rdf_data(zone->empty[i]), ldns_rdf_size(zone->empty[i]));
	return h;
}
