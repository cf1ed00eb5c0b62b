/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_keys.c: `zone-keys ZONE`: a signed zone's DNSKEYs and the DS records for its parent */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "ctl_keys.h"
#include "ctl_pvt.h"
#include "sign.h"

static void key_out(const sign_keys_t *keys, size_t k, bool json, bool first, buf_t *b)
{
	char *dnskey = sign_key_dnskey(keys, k), *ds = sign_key_ds(keys, k);
	bool ksk = sign_key_flags(keys, k) & 1;

	if (json) {
		buf_printf(b,
			   "%s{\"tag\":%u,\"flags\":%u,\"algorithm\":%u,\"role\":\"%s\",\"file\":",
			   first ? "" : ",", (unsigned)sign_key_tag(keys, k),
			   (unsigned)sign_key_flags(keys, k), (unsigned)sign_key_algorithm(keys, k),
			   ksk ? "ksk" : "zsk");
		buf_json_str(b, sign_key_file(keys, k));
		BUF_LIT(b, ",\"dnskey\":");
		buf_json_str(b, dnskey != NULL ? dnskey : "");
		BUF_LIT(b, ",\"ds\":");
		buf_json_str(b, ksk && ds != NULL ? ds : "");
		BUF_LIT(b, "}");
	} else {
		buf_printf(b, "key %u: %s, algorithm %u (%s), %s\n",
			   (unsigned)sign_key_tag(keys, k),
			   ksk ? "key-signing (its DS goes to the parent)" : "zone-signing",
			   (unsigned)sign_key_algorithm(keys, k),
			   sign_alg_name(sign_key_algorithm(keys, k)), sign_key_file(keys, k));
		buf_printf(b, "%s\n", dnskey != NULL ? dnskey : "(out of memory)");
		if (ksk)
			buf_printf(b, "%s\n", ds != NULL ? ds : "(out of memory)");
	}
	free(dnskey);
	free(ds);
}

bool ctl_zone_keys(ctl_t *ctl, const char *zone, bool json, buf_t *b, char *err, size_t errlen)
{
	const cfg_signing_t *sg = cfg_signing_of(ctl->cfg, zone);
	const ctl_zone_info_t *zi = NULL;
	char dirbuf[4096];
	const char *dir = cfg_key_dir(ctl->cfg, dirbuf, sizeof(dirbuf));
	sign_keys_t *keys;
	char t1[32], t2[32];

	for (size_t i = 0; i < ctl->info.nzones; i++)
		if (cfg_same_origin(ctl->info.zones[i].origin, zone))
			zi = &ctl->info.zones[i];
	if (zi == NULL) {
		snprintf(err, errlen, "no zone %s is served", zone);
		return false;
	}
	if (sg == NULL || dir == NULL) {
		snprintf(err, errlen,
			 "zone %s is not signed by sandns (no dnssec or dnssec-signing line names "
			 "it)",
			 zi->origin);
		return false;
	}
	/* Only read: keys are made by the build (on the reload thread), never here. */
	keys = sign_keys_load(dir, zi->origin, &sg->params, false, NULL, err, errlen);
	if (keys == NULL)
		return false;
	if (json) {
		BUF_LIT(b, "{\"zone\":");
		buf_json_str(b, zi->origin);
		buf_printf(b,
			   ",\"algorithm\":%u,\"csk\":%s,\"denial\":\"%s\",\"serial\":%lu,"
			   "\"signatures_expire\":%lld,\"signatures_renewed\":%lld,\"key_dir\":",
			   (unsigned)sg->params.algorithm, sg->params.csk ? "true" : "false",
			   sg->params.nsec3 ? "nsec3" : "nsec", zi->serial,
			   (long long)zi->sign_expire, (long long)zi->sign_due);
		buf_json_str(b, dir);
		BUF_LIT(b, ",\"keys\":[");
	} else {
		buf_printf(b,
			   "zone %s: signed by sandns, %s, algorithm %u (%s), %s; serial %lu; "
			   "signatures valid until %s, renewed from %s\n",
			   zi->origin, sg->params.nsec3 ? "NSEC3" : "NSEC",
			   (unsigned)sg->params.algorithm, sign_alg_name(sg->params.algorithm),
			   sg->params.csk ? "one CSK" : "KSK and ZSK", zi->serial,
			   clock_utc(zi->sign_expire, t1, sizeof(t1)),
			   clock_utc(zi->sign_due, t2, sizeof(t2)));
	}
	for (size_t k = 0; k < sign_keys_count(keys); k++)
		key_out(keys, k, json, k == 0, b);
	if (json)
		BUF_LIT(b, "]}\n");
	sign_keys_free(&keys);
	return true;
}
