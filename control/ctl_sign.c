/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_sign.c: the zones sandns signs, signed in the build (or their fresh signatures reused) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <time.h>

#include "clock.h"
#include "ctl_sign.h"
#include "ctl_signstate.h"
#include "fnv.h"
#include "log.h"
#include "sandns_err.h"
#include "sign.h"
#include "sigtime.h"
#include "zt_patch.h"

/* A digest of the policy's parameters, mixed into that of the keys. */
static uint64_t params_hash(uint64_t h, const sign_params_t *p)
{
	const uint32_t v[] = {p->algorithm, p->csk, p->nsec3, p->lifetime, p->refresh};

	return fnv_bytes(h, v, sizeof(v));
}

/* The index of zone ORIGIN in B, or B->nzones. */
static size_t index_of(const ctl_build_t *b, const char *origin)
{
	const ctl_zone_info_t *z = ctl_build_find(b, origin);

	return b == NULL ? 0 : z != NULL ? (size_t)(z - b->zones) : b->nzones;
}

/* RFC 1982: whether serial A is newer than B. */
static bool newer(unsigned long a, unsigned long b)
{
	return (int32_t)(uint32_t)(a - b) > 0;
}

/*
 * A signed version (NSEC or NSEC3) of zone I of B indexed by owner before anything shares it:
 * the next build that signs the zone again finds the names that changed against it (records,
 * signatures, NSEC or NSEC3 records) and patches the snapshot (ctl_patch.c). Not when the
 * snapshot served refuses any patch of the zone (zt_patch_blocked(): an NSEC3 zone of fewer than
 * some 240,000 names keeps NXDOMAIN parts below its apex): the one compiled now most likely
 * does too, and the sort costs as much as the comparison it would serve; the first change after
 * a snapshot that lets it be patched then compiles whole once. Without memory, none (the next
 * change compiles whole).
 */
static void index_signed(const ctl_build_t *b, size_t i, zload_zone_t *z)
{
	if (b->base != NULL && zt_patch_blocked(b->base, b->zones[i].origin) != NULL)
		return;
	if (zload_index_owners(z) != 0)
		log_msg(LOG_WARNING,
			"zone %s: out of memory indexing its signed version: the next change "
			"compiles the snapshot whole",
			zload_origin(z));
}

/* Logs the keys of KEYS, some just made, with the DS of each KSK (the parent needs it). */
static void log_keys(const char *origin, const sign_keys_t *keys)
{
	for (size_t k = 0; k < sign_keys_count(keys); k++) {
		char *ds = sign_key_ds(keys, k);
		size_t len = ds != NULL ? strlen(ds) : 0;

		while (len > 0 && (ds[len - 1] == '\n' || ds[len - 1] == ' '))
			ds[--len] = '\0';

		log_msg(LOG_NOTICE, "zone %s: new %s key, tag %u, algorithm %u, in %s; DS: %s",
			origin, sign_key_flags(keys, k) & 1 ? "key-signing" : "zone-signing",
			(unsigned)sign_key_tag(keys, k), (unsigned)sign_key_algorithm(keys, k),
			sign_key_file(keys, k), ds != NULL ? ds : "(out of memory)");
		free(ds);
	}
}

int ctl_sign_zone(const cfg_t *cfg, const ctl_build_t *prev, const ctl_zone_info_t *before,
		  ctl_build_t *b, size_t i, const zload_edit_t *edits, size_t nedits,
		  zt_zone_edits_t *out, char *err, size_t errlen)
{
	const cfg_signing_t *sg = cfg_signing_of(cfg, b->zones[i].origin);
	ctl_zone_info_t *info = &b->zones[i];
	char dirbuf[4096];
	const char *dir = cfg_key_dir(cfg, dirbuf, sizeof(dirbuf));
	size_t j = index_of(prev, info->origin);
	time_t now = (time_t)sigtime_now(), expires = 0;
	unsigned long want;
	const zload_zone_t *reuse;
	zload_zone_t *kept = NULL;
	sign_state_meta_t km;
	sign_report_t rep = {0};
	uint64_t t0 = clock_now_ms(), t_keys, t_sign = 0, t_index = 0;
	sign_keys_t *keys;
	bool made = false, as_is = false, in_prev;
	char t1[32], t2[32];

	if (sg == NULL || info->absent)
		return SANDNS_EOK;
	info->dnssec = true;
	if (dir == NULL) {
		snprintf(err, errlen, "zone %s: no key directory (set state-dir or dnssec-key-dir)",
			 info->origin);
		return SANDNS_ECONFIG;
	}
	/* A zone that cannot be signed gets no key made for it. */
	if (sign_zone_signable(b->raw[i], err, errlen) != SANDNS_EOK)
		return SANDNS_EZONE;
	keys = sign_keys_load(dir, info->origin, &sg->params, true, &made, err, errlen);
	if (keys == NULL)
		return SANDNS_ECONFIG;
	if (made)
		log_keys(info->origin, keys);
	info->sign_hash = params_hash(sign_keys_hash(keys), &sg->params);
	info->sign_src = sign_zone_digest(b->raw[i]);
	t_keys = clock_now_ms();
	in_prev = prev != NULL && before != NULL && j < prev->nzones &&
		  prev->signed_zones != NULL && prev->signed_zones[j] != NULL;
	/* None in memory (the first build after a start): the one kept in the state directory. */
	if (!in_prev)
		kept = ctl_signstate_take(cfg, info, before, &sg->params, now, &km, &as_is);
	/* Signed before (in memory, or at a start serial-state's record: the signed zone kept
	 * is dropped, made with the keys gone), yet no key-signing key of the policy's left in
	 * DIR: the one made chains to no DS the parent has. Said loudly: from now on validators
	 * find the zone bogus until the parent takes the new DS. */
	if (sign_keys_made_ksk(keys) &&
	    (in_prev || kept != NULL || (before != NULL && before->dnssec)))
		log_msg(LOG_WARNING,
			"zone %s: signed before, but no key-signing key of its policy is left in "
			"%s: the new one (above) signs it now, and until the parent's DS is the "
			"new key's, validating resolvers find the zone bogus",
			info->origin, dir);
	if (kept != NULL && as_is) {
		/* Signed from the same zone, edits, keys and policy, still fresh: served again. */
		b->signed_zones[i] = kept;
		index_signed(b, i, b->signed_zones[i]);
		info->serial = km.serial;
		info->sign_expire = km.expire;
		info->sign_due = km.due;
		log_msg(LOG_INFO,
			"zone %s: signed version kept across the restart (%zu records, serial %lu, "
			"signatures valid until %s, renewed from %s)",
			info->origin, zload_rr_count(kept), info->serial,
			clock_utc(info->sign_expire, t1, sizeof(t1)),
			clock_utc(info->sign_due, t2, sizeof(t2)));
	} else if (in_prev && before->sign_src == info->sign_src &&
		   before->edits_hash == info->edits_hash && before->sign_hash == info->sign_hash &&
		   now < before->sign_due) {
		/* The same zone (read again or not), edits, keys and policy, its signatures fresh:
		 * what was signed stands. */
		b->signed_zones[i] = zload_ref(prev->signed_zones[j]);
		info->serial = before->serial;
		info->sign_expire = before->sign_expire;
		info->sign_due = before->sign_due;
	} else {
		/* New signatures: a new serial, never one served before (RFC 1982 forward). */
		want = (info->src_serial + (info->edits[0] != '\0' ? 1 : 0)) & 0xffffffffUL;
		if (before != NULL && !newer(want, before->serial))
			want = (before->serial + 1) & 0xffffffffUL;
		if (kept != NULL && !newer(want, km.serial))
			want = (km.serial + 1) & 0xffffffffUL;
		info->serial = want;
		/* Signatures of RRsets that did not change are kept (same keys and policy). */
		reuse = kept != NULL					  ? kept
			: in_prev && before->sign_hash == info->sign_hash ? prev->signed_zones[j]
									  : NULL;
		/* A clock gone back past the signatures served: refused, the last build stands. */
		if (prev != NULL && j < prev->nzones && prev->signed_zones != NULL &&
		    sigtime_clock_check(prev->signed_zones[j], info->origin, now,
					SIGTIME_CLOCK_MARGIN, err, errlen) != 0) {
			zload_free(&kept);
			sign_keys_free(&keys);
			return SANDNS_EZONE;
		}
		t_sign = clock_now_ms();
		/* indexed as index_signed() would: carried from the version before's index */
		rep.carry_index =
		    b->base == NULL || zt_patch_blocked(b->base, b->zones[i].origin) == NULL;
		b->signed_zones[i] =
		    sign_zone_report(b->raw[i], edits, nedits, info->serial, keys, &sg->params,
				     reuse, now, &expires, &rep, err, errlen);
		t_sign = clock_now_ms() - t_sign;
		/* Read back, the version the build before served (which it held no more: its
		 * serial; the same keys and policy, or it were not kept): kept for ctl_patch.c to
		 * compare the new one with, indexed as the new one is. */
		if (kept != NULL && b->signed_zones[i] != NULL && prev != NULL &&
		    prev->raw != NULL && before != NULL && km.serial == before->serial &&
		    b->served_signed != NULL &&
		    (b->base == NULL || zt_patch_blocked(b->base, info->origin) == NULL) &&
		    zload_index_owners(kept) == 0) {
			b->served_signed[i] = kept;
			kept = NULL;
		}
		zload_free(&kept);
		if (b->signed_zones[i] == NULL) {
			sign_keys_free(&keys);
			return SANDNS_EZONE;
		}
		t_index = clock_now_ms();
		index_signed(b, i, b->signed_zones[i]);
		t_index = clock_now_ms() - t_index;
		info->sign_fresh = true;
		info->sign_expire = (int64_t)expires;
		info->sign_due = (int64_t)expires - (int64_t)sg->params.refresh;
		log_msg(LOG_INFO,
			"zone %s: signed (%s, algorithm %u, %zu key%s, %zu signatures kept), "
			"serial %lu, signatures valid until %s, renewed from %s",
			info->origin, sg->params.nsec3 ? "NSEC3" : "NSEC",
			(unsigned)sg->params.algorithm, sign_keys_count(keys),
			sign_keys_count(keys) == 1 ? "" : "s", rep.reused, info->serial,
			clock_utc(info->sign_expire, t1, sizeof(t1)),
			clock_utc(info->sign_due, t2, sizeof(t2)));
		log_msg(LOG_DEBUG,
			"zone %s: signing took %llu ms: keys and digest %llu, signer %llu (edit "
			"copy %llu, canonical order %llu, chain %llu, kept signatures %llu, new "
			"signatures %llu, owner index carried %llu), owner index %llu",
			info->origin, (unsigned long long)(clock_now_ms() - t0),
			(unsigned long long)(t_keys - t0), (unsigned long long)t_sign,
			(unsigned long long)(rep.edit_us / 1000),
			(unsigned long long)(rep.sort_us / 1000),
			(unsigned long long)(rep.chain_us / 1000),
			(unsigned long long)(rep.reuse_us / 1000),
			(unsigned long long)(rep.run_us / 1000),
			(unsigned long long)(rep.index_us / 1000), (unsigned long long)t_index);
	}
	sign_keys_free(&keys);
	*out = (zt_zone_edits_t){.zone = b->signed_zones[i], .serial = info->serial};
	return SANDNS_EOK;
}

int64_t ctl_sign_next_due(const ctl_build_t *b)
{
	int64_t due = 0;

	for (size_t i = 0; b != NULL && i < b->nzones; i++)
		if (b->zones[i].dnssec && b->zones[i].sign_due > 0 &&
		    (due == 0 || b->zones[i].sign_due < due))
			due = b->zones[i].sign_due;
	return due;
}
