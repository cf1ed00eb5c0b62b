/* SPDX-License-Identifier: BSD-3-Clause */
/* sign.c: a loaded zone (with the policy's edits) signed: DNSKEY, NSEC or NSEC3, RRSIG added */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fnv.h"
#include "grow.h"
#include "sandns_err.h"
#include "sign_pvt.h"
#include "wire.h"

/* Signatures start this long before now: validators whose clocks lag still take them. */
#define SIGN_INCEPTION_SLACK 3600

/* C set up for Z: its apex, keys, the SOA's TTLs, the times. 0 or the reason in err. */
static int ctx_init(sign_ctx_t *c, zload_zone_t *z, const sign_keys_t *keys, const sign_params_t *p,
		    time_t now, char *err, size_t errlen)
{
	uint32_t soa_ttl = 3600, minimum = 3600;

	c->z = z;
	c->keys = keys;
	c->p = p;
	c->apex_len = wire_name_lower(c->apex, ldns_rdf_data(z->origin));
	c->apex_labels = wire_name_labels(c->apex);
	c->nkeys = sign_keys_count(keys);
	for (size_t k = 0; k < c->nkeys; k++) {
		c->tag[k] = sign_key_tag(keys, k);
		c->alg[k] = sign_key_algorithm(keys, k);
		c->pkey[k] = sign_key_pkey(keys, k);
		if (c->pkey[k] == NULL) {
			snprintf(err, errlen, "%s: key %u cannot sign (%s)", z->origin_text,
				 (unsigned)c->tag[k], sign_key_file(keys, k));
			return -1;
		}
	}
	for (size_t i = 0; i < z->nrecs; i++)
		if (z->recs[i].type == LDNS_RR_TYPE_SOA && z->recs[i].rdlen >= 4) {
			soa_ttl = z->recs[i].ttl;
			minimum = wire_get32(zload_rec_rdata(z, i) + z->recs[i].rdlen - 4);
			break;
		}
	c->nsec_ttl = soa_ttl < minimum ? soa_ttl : minimum;
	c->inception = (uint32_t)(now - SIGN_INCEPTION_SLACK);
	c->expiration = (uint32_t)(now + p->lifetime);
	/* The keys at the apex, with the SOA's TTL; NSEC3's parameters (RFC 9276). */
	for (size_t k = 0; k < c->nkeys; k++) {
		uint8_t rd[1024];
		size_t len = sign_key_rdata(keys, k, rd);

		if (zload_push_wire(z, c->apex, c->apex_len, LDNS_RR_TYPE_DNSKEY, soa_ttl, rd, len,
				    c->file, 0) != 0)
			goto nomem;
	}
	if (p->nsec3) {
		static const uint8_t param[5] = {1, 0, 0, 0, 0};

		if (zload_push_wire(z, c->apex, c->apex_len, LDNS_RR_TYPE_NSEC3PARAM, c->nsec_ttl,
				    param, sizeof(param), c->file, 0) != 0)
			goto nomem;
	}
	return 0;
nomem:
	snprintf(err, errlen, "%s: out of memory signing it", z->origin_text);
	return -1;
}

/* Which of C's keys sign an RRset of TYPE: the KSKs the DNSKEYs, the ZSKs the rest (or all). */
static uint16_t keys_for(const sign_ctx_t *c, uint16_t type)
{
	uint16_t ksk = 0, zsk = 0;

	for (size_t k = 0; k < c->nkeys; k++) {
		if (sign_key_flags(c->keys, k) & LDNS_KEY_SEP_KEY)
			ksk |= (uint16_t)(1u << k);
		else
			zsk |= (uint16_t)(1u << k);
	}
	if (type == LDNS_RR_TYPE_DNSKEY)
		return ksk != 0 ? ksk : zsk;
	return zsk != 0 ? zsk : ksk;
}

/*
 * When the signatures of C's set of TYPE at OWNER (a wire name) expire: the lifetime from now
 * less a share of the jitter (0 to J seconds) taken from a digest of the owner (any case), the
 * type and now, so that the signatures of one signing expire spread over J, and those of a name
 * signed again at another time fall elsewhere in it.
 */
static uint32_t expiry_of(const sign_ctx_t *c, const uint8_t *owner, uint16_t type, uint32_t j)
{
	uint64_t h = FNV_START;
	size_t len = wire_name_len(owner);

	if (j == 0)
		return c->expiration;
	for (size_t i = 0; i < len; i++)
		h = fnv_byte(h, wire_lower(owner[i]));
	h = fnv_byte(fnv_byte(h, (uint8_t)(type >> 8)), (uint8_t)type);
	for (int k = 0; k < 32; k += 8)
		h = fnv_byte(h, (uint8_t)(c->expiration >> k));
	/* the high half: FNV's last multiply leaves the low bits poorly mixed */
	return c->expiration - (uint32_t)((h >> 32) % ((uint64_t)j + 1));
}

/*
 * The RRSIG records of C's sets laid out at the end of its zone: those kept from PREV (X, the
 * index of it; NULL: none) copied, those to be made written up to their signatures. How many
 * were kept; -ENOMEM.
 */
static long layout(sign_ctx_t *c, const sign_reuse_t *x, sign_merge_t *m, const zload_zone_t *prev,
		   uint32_t keep_until, uint32_t jitter, uint32_t *min_exp)
{
	zload_zone_t *z = c->z;
	uint32_t *kept = NULL, got[SIGN_KEYS_MAX * 2];
	size_t nkept = 0, keptcap = 0, recs = 0, data = 0, fresh = SIGN_RRSIG_FIXED + c->apex_len;
	size_t rec, off;
	uint16_t masks[2] = {keys_for(c, LDNS_RR_TYPE_DNSKEY), keys_for(c, 0)};

	fresh += SIGN_SIG_LEN;
	for (size_t i = 0; i < c->nsets; i++) {
		sign_set_t *s = &c->sets[i];
		size_t n = m != NULL ? sign_merge_find(m, c, s, keep_until, got, SIGN_KEYS_MAX * 2,
						       min_exp)
			   : x != NULL ? sign_reuse_find(x, c, s, keep_until, got,
							 SIGN_KEYS_MAX * 2, min_exp, NULL)
				       : 0;

		if (n > 0) {
			if (!GROW(kept, keptcap, nkept + n, 1024)) {
				free(kept);
				return -ENOMEM;
			}
			s->slot = (uint32_t)nkept; /* until the records are laid out */
			memcpy(kept + nkept, got, n * sizeof(*got));
			nkept += n;
			for (size_t k = 0; k < n; k++)
				data += prev->recs[got[k]].rdlen;
			s->nsig = (uint8_t)n;
			s->signers = 0;
			s->keymask = 0;
		} else {
			s->keymask = masks[s->type == LDNS_RR_TYPE_DNSKEY ? 0 : 1];
			s->signers = (uint8_t)__builtin_popcount(s->keymask);
			s->nsig = s->signers;
			data += fresh * s->nsig;
		}
		recs += s->nsig;
	}
	if (!zload_reserve(z, recs, data, true)) {
		free(kept);
		return -ENOMEM;
	}
	rec = z->nrecs;
	off = z->data_len;
	for (size_t i = 0; i < c->nsets; i++) {
		sign_set_t *s = &c->sets[i];
		uint32_t owner = z->recs[c->order[s->first]].owner, from = s->slot;
		const uint8_t *o = z->data + owner;
		uint8_t labels = (uint8_t)(wire_name_labels(o) - (o[0] == 1 && o[1] == '*'));
		uint32_t exp = s->signers > 0 ? expiry_of(c, o, s->type, jitter) : 0;
		size_t k = 0;

		if (s->signers > 0 && (int32_t)(exp - *min_exp) < 0)
			*min_exp = exp;

		s->slot = (uint32_t)rec;
		for (size_t j = 0; j < s->nsig; j++, rec++) {
			uint8_t *rd = z->data + off;
			size_t len;

			if (s->signers == 0) {
				sign_merge_kept(m, kept[from + j], (uint32_t)rec);
				len = prev->recs[kept[from + j]].rdlen;
				memcpy(rd, zload_rec_rdata(prev, kept[from + j]), len);
			} else {
				while (!(s->keymask & (1u << k)))
					k++;
				/* RFC 4034 3.1; the signature itself is sign_run's */
				wire_put16(rd, s->type);
				rd[2] = c->p->algorithm;
				rd[3] = labels;
				wire_put32(rd + 4, s->ttl);
				wire_put32(rd + 8, exp);
				wire_put32(rd + 12, c->inception);
				wire_put16(rd + 16, c->tag[k++]);
				memcpy(rd + SIGN_RRSIG_FIXED, c->apex, c->apex_len);
				len = fresh;
				memset(rd + len - SIGN_SIG_LEN, 0, SIGN_SIG_LEN);
			}
			z->recs[rec] = (zload_rec_t){.owner = owner,
						     .rdata = (uint32_t)off,
						     .ttl = s->ttl,
						     .type = LDNS_RR_TYPE_RRSIG,
						     .rdlen = (uint16_t)len};
			zload_rec_set_line(z, rec, c->file, 0);
			off += len;
		}
	}
	z->nrecs = rec;
	z->data_len = off;
	free(kept);
	return (long)nkept;
}

/*
 * What signing ZONE (with NEDITS edits) adds, about: DNSKEYs, a chain record a name (NSEC3's
 * empty non-terminals aside) and an RRSIG an RRset a key, the RRsets counted as records. Room
 * made for it at once in the copy signed: the copy is not copied again as it grows (a fault
 * a page, a copy a doubling: a tenth of a reload's time), and a zone that needs more grows as
 * before.
 */
static size_t room_recs(const zload_zone_t *zone, size_t nedits, const sign_keys_t *keys)
{
	size_t names = zone->nrecs + nedits + zone->nempty + SIGN_KEYS_MAX + 1;

	return SIGN_KEYS_MAX + 1 + names + 2 * names * sign_keys_count(keys);
}

static size_t room_data(const zload_zone_t *zone, size_t nedits, const sign_keys_t *keys)
{
	size_t names = zone->nrecs + nedits + zone->nempty + SIGN_KEYS_MAX + 1;
	size_t per = zone->nrecs > 0 ? zone->data_len / zone->nrecs : 64;
	size_t apex = ldns_rdf_size(zone->origin);

	/* a chain record: its owner, the next name or hash, a bitmap; an RRSIG: RFC 4034 3.1 */
	return SIGN_KEYS_MAX * 1100 + names * (2 * per + 64 + apex) +
	       2 * names * sign_keys_count(keys) * (SIGN_RRSIG_FIXED + apex + SIGN_SIG_LEN);
}

/* Microseconds of CLOCK_MONOTONIC since *T, and *T moved to now. */
static uint64_t lap(struct timespec *t)
{
	struct timespec n;
	int64_t us;

	clock_gettime(CLOCK_MONOTONIC, &n);
	us = (int64_t)(n.tv_sec - t->tv_sec) * 1000000 + (n.tv_nsec - t->tv_nsec) / 1000;
	*t = n;
	return us > 0 ? (uint64_t)us : 0;
}

zload_zone_t *sign_zone(const zload_zone_t *zone, const zload_edit_t *edits, size_t nedits,
			unsigned long serial, const sign_keys_t *keys, const sign_params_t *p,
			const zload_zone_t *prev, time_t now, time_t *expires, size_t *reused,
			char *err, size_t errlen)
{
	sign_report_t rep = {.carry_index = true};
	zload_zone_t *z = sign_zone_report(zone, edits, nedits, serial, keys, p, prev, now, expires,
					   &rep, err, errlen);

	if (z != NULL && reused != NULL)
		*reused = rep.reused;
	return z;
}

/*
 * The first record of ZONE that a signed zone holds and a zone to sign must not: a DNSKEY or an
 * RRSIG (when DNSSEC, presigned), or one of the types the signer makes itself beside its
 * signatures (NSEC, NSEC3, NSEC3PARAM: a signed zone stripped of its signatures, whose chain
 * would be served beside ours); ZONE->nrecs when there is none.
 */
static size_t chain_record(const zload_zone_t *zone, bool dnssec)
{
	for (size_t i = 0; i < zone->nrecs; i++)
		if (zone->recs[i].type == T_NSEC || zone->recs[i].type == T_NSEC3 ||
		    zone->recs[i].type == T_NSEC3PARAM ||
		    (dnssec && (zone->recs[i].type == T_DNSKEY || zone->recs[i].type == T_RRSIG)))
			return i;
	return zone->nrecs;
}

int sign_zone_signable(const zload_zone_t *zone, char *err, size_t errlen)
{
	size_t chain = chain_record(zone, zone->is_signed);
	unsigned f;
	uint16_t t;

	if (chain >= zone->nrecs) {
		if (!zone->is_signed)
			return SANDNS_EOK;
		/* Signed, though its DNSKEY and RRSIG records are not among its own (never so
		 * for a zone read or transferred: said without a place). */
		snprintf(
		    err, errlen,
		    "zone %s: it holds DNSSEC records (DNSKEY or RRSIG): it is presigned and "
		    "cannot be signed by sandns too (serve it unsigned, or drop its dnssec line)",
		    zone->origin_text);
		return SANDNS_EZONE;
	}
	f = zload_rec_file(zone, chain);
	t = zone->recs[chain].type;
	snprintf(err, errlen,
		 "zone %s: %s line %d holds a DNSSEC record (%s): the zone is presigned and "
		 "cannot be signed by sandns too (%s)",
		 zone->origin_text, f < zone->nfiles ? zone->files[f] : "the zone",
		 zload_rec_line(zone, chain),
		 t == T_DNSKEY	? "DNSKEY"
		 : t == T_RRSIG ? "RRSIG"
		 : t == T_NSEC	? "NSEC"
		 : t == T_NSEC3 ? "NSEC3"
				: "NSEC3PARAM",
		 zone->is_signed ? "serve it unsigned, or drop its dnssec line"
				 : "drop them, or its dnssec line");
	return SANDNS_EZONE;
}

zload_zone_t *sign_zone_report(const zload_zone_t *zone, const zload_edit_t *edits, size_t nedits,
			       unsigned long serial, const sign_keys_t *keys,
			       const sign_params_t *p, const zload_zone_t *prev, time_t now,
			       time_t *expires, sign_report_t *rep, char *err, size_t errlen)
{
	struct timespec t;
	sign_ctx_t c = {0};
	sign_reuse_t *x = NULL;
	sign_merge_t *m = NULL;
	uint32_t min_exp = (uint32_t)(now + p->lifetime), rrsig_first, chain_sig, jitter, slice;
	long kept = 0;
	zload_zone_t *z = NULL;
	int file, rc;

	*rep = (sign_report_t){.carry_index = rep->carry_index};
	clock_gettime(CLOCK_MONOTONIC, &t);
	if (sign_zone_signable(zone, err, errlen) != SANDNS_EOK)
		return NULL;
	if (sign_keys_count(keys) == 0) {
		snprintf(err, errlen, "%s: no key to sign with", zone->origin_text);
		return NULL;
	}
	if (sign_keys_count(keys) > SIGN_KEYS_MAX) {
		snprintf(err, errlen, "%s: more than %d keys", zone->origin_text, SIGN_KEYS_MAX);
		return NULL;
	}
	z = zload_edit_room(zone, edits, nedits, serial, "autodiscover policy",
			    room_recs(zone, nedits, keys), room_data(zone, nedits, keys), err,
			    errlen);
	if (z == NULL)
		return NULL;
	rep->edit_us = lap(&t);
	file = zload_add_file(z, "(dnssec)");
	if (file < 0)
		goto nomem;
	c.file = (unsigned)file;
	if (ctx_init(&c, z, keys, p, now, err, errlen) != 0)
		goto fail;
	if (sign_canon_sort(&c) != 0)
		goto nomem;
	c.nzone = c.norder;
	rep->sort_us = lap(&t);
	rc = sign_chain(&c, z->empty, z->nempty);
	if (rc == -ENOMEM)
		goto nomem;
	if (rc != 0) {
		snprintf(err, errlen, "%s: signing failed: its NSEC/NSEC3 chain could not be made",
			 zone->origin_text);
		goto fail;
	}
	rep->chain_us = lap(&t);
	/* The version before walked beside this one when sign_zone() made it; else by hash. */
	if (prev != NULL && (m = sign_merge_new(prev, &c)) == NULL &&
	    (x = sign_reuse_new(prev)) == NULL)
		goto nomem;
	rrsig_first = (uint32_t)z->nrecs;
	/* New signatures expire spread over the jitter, each early enough to be renewed before
	 * it expires; one that stays valid past the refresh time and a slice of the jitter is
	 * kept: a renewal at the due time remakes those expiring within that, not the zone. */
	jitter = p->lifetime <= p->refresh		? 0
		 : p->jitter < p->lifetime - p->refresh ? p->jitter
							: p->lifetime - p->refresh - 1;
	slice = jitter / SIGN_SLICES;
	if (jitter > 0 && slice < (p->lifetime - p->refresh) / SIGN_SLICE_MIN_PART)
		slice = jitter < (p->lifetime - p->refresh) / SIGN_SLICE_MIN_PART
			    ? jitter
			    : (p->lifetime - p->refresh) / SIGN_SLICE_MIN_PART;
	kept = layout(&c, x, m, prev, (uint32_t)(now + p->refresh + slice), jitter, &min_exp);
	sign_reuse_free(&x);
	if (kept < 0)
		goto nomem;
	rep->reuse_us = lap(&t);
	if (sign_run(&c, err, errlen) != 0)
		goto fail;
	rep->run_us = lap(&t);
	/* Indexed by owner from the version before's index (what ctl_sign.c would sort). */
	if (m != NULL && rep->carry_index && sign_merge_index(m, z) != 0)
		goto nomem;
	sign_merge_free(&m);
	rep->index_us = lap(&t);
	/* What the next signing walks beside its own (sign_merge.c): the canonical order of the
	 * records before the chain, where the chain's and the RRSIGs' records begin. */
	chain_sig = (uint32_t)z->nrecs;
	for (size_t i = 0; i < c.nsets; i++)
		if (c.sets[i].first >= c.nzone) {
			chain_sig = c.sets[i].slot;
			break;
		}
	z->sign_order = realloc(c.order, (c.nzone ? c.nzone : 1) * sizeof(*c.order));
	if (z->sign_order == NULL)
		free(c.order);
	z->sign_nzone = (uint32_t)c.nzone;
	z->sign_rrsig = rrsig_first;
	z->sign_chain_sig = chain_sig;
	free(c.sets);
	z->is_signed = true;
	*expires = (time_t)min_exp;
	rep->reused = (size_t)kept;
	return z;
nomem:
	snprintf(err, errlen, "%s: out of memory signing it", zone->origin_text);
fail:
	sign_reuse_free(&x);
	sign_merge_free(&m);
	free(c.order);
	free(c.sets);
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
