/* SPDX-License-Identifier: BSD-3-Clause */
/* cfg_dnssec.c: the signing keys: dnssec, dnssec-signing, dnssec-policy, dnssec-key-dir */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cfg_pvt.h"
#include "sandns_err.h"

/* Knot's defaults (rrsig-lifetime 14 days, rrsig-refresh 7 days), sandns's CSK of algorithm 13;
 * expirations spread over half the time between a signing and its renewal (3.5 days). */
const sign_params_t cfg_dnssec_default = {
    SIGN_ALG_ECDSAP256SHA256, true, false, 14 * 86400, 7 * 86400, 7 * 86400 / 2};
/* rrsig-jitter not given: half of rrsig-lifetime - rrsig-refresh. */
#define JITTER_UNSET UINT32_MAX

/* Splits a copy of VALUE at white space into TOK (at most MAX; *N more than MAX: too many). */
static char *split(const char *value, char **tok, size_t max, size_t *n)
{
	char *copy = strdup(value), *save = NULL;

	*n = 0;
	if (copy == NULL)
		return NULL;
	for (char *t = strtok_r(copy, " \t", &save); t != NULL; t = strtok_r(NULL, " \t", &save))
		if (*n < max)
			tok[(*n)++] = t;
		else
			*n = max + 1;
	return copy;
}

/* A duration: seconds, or a number with s, m, h, d or w (Knot's units), 60s..10 years. */
static int parse_duration(const char *key, const char *what, const char *v, uint32_t *out,
			  char *err, size_t errlen)
{
	char *end;
	unsigned long long n;
	unsigned long long mul = 1;

	errno = 0;
	n = strtoull(v, &end, 10);
	if (end != v && *end != '\0' && end[1] == '\0') {
		switch (*end) {
		case 's':
			mul = 1;
			break;
		case 'm':
			mul = 60;
			break;
		case 'h':
			mul = 3600;
			break;
		case 'd':
			mul = 86400;
			break;
		case 'w':
			mul = 7 * 86400;
			break;
		default:
			end = (char *)v;
		}
		if (end != v)
			end++;
	}
	if (end == v || *end != '\0' || errno != 0 || *v == '-' || n > 315360000ull / mul ||
	    n * mul < 1)
		return cfg_fail(err, errlen,
				"%s: %s '%s' is not a duration (seconds, or a number with s, m, "
				"h, d or w; at least 1s, at most 10 years)",
				key, what, v);
	*out = (uint32_t)(n * mul);
	return SANDNS_EOK;
}

int cfg_set_dnssec_policy(cfg_t *cfg, const char *key, const char *value, const struct cfg_src *src,
			  char *err, size_t errlen)
{
	cfg_dnssec_policy_t pol = {.params = cfg_dnssec_default};
	char *tok[18], *copy;
	size_t n = 0;
	int rc = SANDNS_EOK;

	pol.params.jitter = JITTER_UNSET;
	copy = split(value, tok, 17, &n);
	if (copy == NULL)
		return cfg_fail(err, errlen, "%s: out of memory", key);
	if (n == 0 || n > 17 || n % 2 == 0) {
		free(copy);
		return cfg_fail(err, errlen,
				"%s: expected NAME [algorithm ALG] [single-type-signing yes|no] "
				"[nsec3 yes|no] [rrsig-lifetime TIME] [rrsig-refresh TIME] "
				"[rrsig-jitter TIME|0], not '%s'",
				key, value);
	}
	for (size_t i = 1; i + 1 < n && rc == SANDNS_EOK; i += 2) {
		const char *k = tok[i], *v = tok[i + 1];

		if (strcmp(k, "algorithm") == 0) {
			pol.params.algorithm = sign_alg_parse(v);
			if (pol.params.algorithm == 0)
				rc = cfg_fail(err, errlen,
					      "%s %s: algorithm %s is not supported: "
					      "ecdsap256sha256 (13) or ed25519 (15)",
					      key, tok[0], v);
		} else if (strcmp(k, "single-type-signing") == 0) {
			rc = cfg_parse_bool(key, v, &pol.params.csk, err, errlen);
		} else if (strcmp(k, "nsec3") == 0) {
			rc = cfg_parse_bool(key, v, &pol.params.nsec3, err, errlen);
		} else if (strcmp(k, "rrsig-lifetime") == 0) {
			rc = parse_duration(key, k, v, &pol.params.lifetime, err, errlen);
		} else if (strcmp(k, "rrsig-refresh") == 0) {
			rc = parse_duration(key, k, v, &pol.params.refresh, err, errlen);
		} else if (strcmp(k, "rrsig-jitter") == 0) {
			if (strcmp(v, "0") == 0)
				pol.params.jitter = 0;
			else
				rc = parse_duration(key, k, v, &pol.params.jitter, err, errlen);
		} else {
			rc = cfg_fail(err, errlen,
				      "%s %s: unknown setting '%s' (algorithm, "
				      "single-type-signing, nsec3, rrsig-lifetime, rrsig-refresh, "
				      "rrsig-jitter)",
				      key, tok[0], k);
		}
	}
	if (rc == SANDNS_EOK && pol.params.refresh >= pol.params.lifetime)
		rc =
		    cfg_fail(err, errlen,
			     "%s %s: rrsig-refresh (%us) must be shorter than rrsig-lifetime (%us)",
			     key, tok[0], pol.params.refresh, pol.params.lifetime);
	if (rc == SANDNS_EOK && pol.params.jitter == JITTER_UNSET)
		pol.params.jitter = (pol.params.lifetime - pol.params.refresh) / 2;
	/* A signature made is due for renewal half of rrsig-lifetime - rrsig-refresh after it at
	 * the soonest, not as it is made. */
	if (rc == SANDNS_EOK && pol.params.jitter > (pol.params.lifetime - pol.params.refresh) / 2)
		rc = cfg_fail(err, errlen,
			      "%s %s: rrsig-jitter (%us) must be at most half of rrsig-lifetime - "
			      "rrsig-refresh (%us)",
			      key, tok[0], pol.params.jitter,
			      (pol.params.lifetime - pol.params.refresh) / 2);
	for (size_t i = 0; rc == SANDNS_EOK && i < cfg->ndnssec_policies; i++)
		if (strcmp(cfg->dnssec_policies[i].name, tok[0]) == 0)
			rc = cfg_fail(err, errlen, "%s %s: defined already at %s", key, tok[0],
				      cfg->dnssec_policies[i].where);
	if (rc == SANDNS_EOK) {
		pol.name = strdup(tok[0]);
		pol.where = cfg_where_dup(src, key);
		if (pol.name == NULL || pol.where == NULL ||
		    cfg_push(&cfg->dnssec_policies, &cfg->ndnssec_policies, sizeof(pol), &pol) !=
			SANDNS_EOK) {
			free(pol.name);
			free(pol.where);
			rc = cfg_fail(err, errlen, "%s: out of memory", key);
		}
	}
	free(copy);
	return rc;
}

int cfg_set_signing(cfg_t *cfg, enum cfg_key k, const char *key, const char *value,
		    const struct cfg_src *src, char *err, size_t errlen)
{
	cfg_signing_t s = {.nsec3 = -1};
	char *tok[4], *copy;
	size_t n = 0;

	copy = split(value, tok, 3, &n);
	if (copy == NULL)
		return cfg_fail(err, errlen, "%s: out of memory", key);
	if (k == CFG_K_DNSSEC) {
		if (n != 2 ||
		    (strcasecmp(tok[1], "nsec") != 0 && strcasecmp(tok[1], "nsec3") != 0)) {
			free(copy);
			return cfg_fail(err, errlen, "%s: expected ORIGIN nsec|nsec3, not '%s'",
					key, value);
		}
		s.nsec3 = strcasecmp(tok[1], "nsec3") == 0;
	} else if (n != 1 && !(n == 3 && strcmp(tok[1], "policy") == 0)) {
		free(copy);
		return cfg_fail(err, errlen, "%s: expected ORIGIN [policy NAME], not '%s'", key,
				value);
	}
	s.origin = strdup(tok[0]);
	s.policy = n == 3 ? strdup(tok[2]) : NULL;
	s.where = cfg_where_dup(src, key);
	free(copy);
	if (s.origin == NULL || (n == 3 && s.policy == NULL) || s.where == NULL ||
	    cfg_push(&cfg->signings, &cfg->nsignings, sizeof(s), &s) != SANDNS_EOK) {
		free(s.origin);
		free(s.policy);
		free(s.where);
		return cfg_fail(err, errlen, "%s: out of memory", key);
	}
	return SANDNS_EOK;
}

int cfg_check_dnssec(cfg_t *cfg, char *err, size_t errlen)
{
	for (size_t i = 0; i < cfg->nsignings; i++) {
		cfg_signing_t *s = &cfg->signings[i];
		size_t j;

		if (cfg_zone_find(cfg, s->origin) < 0)
			return cfg_fail(
			    err, errlen,
			    "%s: %s is not a served zone (add a zone line for it, or fix "
			    "the name)",
			    s->where, s->origin);
		for (j = 0; j < i; j++)
			if (cfg_same_origin(cfg->signings[j].origin, s->origin))
				return cfg_fail(err, errlen,
						"%s: zone %s is set to be signed at %s already",
						s->where, s->origin, cfg->signings[j].where);
		s->params = cfg_dnssec_default;
		if (s->policy != NULL) {
			for (j = 0; j < cfg->ndnssec_policies &&
				    strcmp(cfg->dnssec_policies[j].name, s->policy) != 0;
			     j++)
				;
			if (j == cfg->ndnssec_policies)
				return cfg_fail(err, errlen,
						"%s: no dnssec-policy %s is defined (add a line "
						"'dnssec-policy %s ...')",
						s->where, s->policy, s->policy);
			s->params = cfg->dnssec_policies[j].params;
		}
		if (s->nsec3 >= 0)
			s->params.nsec3 = s->nsec3 == 1;
	}
	return SANDNS_EOK;
}

const cfg_signing_t *cfg_signing_of(const cfg_t *cfg, const char *origin)
{
	for (size_t i = 0; cfg != NULL && i < cfg->nsignings; i++)
		if (cfg_same_origin(cfg->signings[i].origin, origin))
			return &cfg->signings[i];
	return NULL;
}

const char *cfg_key_dir(const cfg_t *cfg, char *buf, size_t len)
{
	if (cfg->key_dir != NULL)
		return cfg->key_dir;
	if (cfg->state_dir == NULL ||
	    (size_t)snprintf(buf, len, "%s/" CFG_KEY_DIR_NAME, cfg->state_dir) >= len)
		return NULL;
	return buf;
}

void cfg_free_dnssec(cfg_t *cfg)
{
	for (size_t i = 0; i < cfg->nsignings; i++) {
		free(cfg->signings[i].origin);
		free(cfg->signings[i].policy);
		free(cfg->signings[i].where);
	}
	free(cfg->signings);
	for (size_t i = 0; i < cfg->ndnssec_policies; i++) {
		free(cfg->dnssec_policies[i].name);
		free(cfg->dnssec_policies[i].where);
	}
	free(cfg->dnssec_policies);
	free(cfg->key_dir);
}

int cfg_check_dnssec_files(cfg_t *cfg)
{
	char buf[4096], why[1024];
	const char *dir = cfg_key_dir(cfg, buf, sizeof(buf));
	int rc = SANDNS_EOK;

	if (dir == NULL && cfg->nsignings > 0)
		dir = CFG_STATE_DIR_DEFAULT "/" CFG_KEY_DIR_NAME;
	for (size_t i = 0; i < cfg->nsignings; i++)
		if (sign_keys_check(dir, cfg->signings[i].origin, &cfg->signings[i].params, why,
				    sizeof(why)) != 0)
			rc = cfg_error(cfg, NULL, 0, "%s: zone %s: %s", cfg->signings[i].where,
				       cfg->signings[i].origin, why);
	return rc;
}
