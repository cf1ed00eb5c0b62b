/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_part.c: the records a change of a zone's policy edits compiles again, kept when it is read */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ctl_part.h"
#include "zload.h"

/* Room for one owner in presentation form (the policy's names are at most 1024). */
#define PART_NAME_MAX 1100

/* The owners the policy's edits of zone ORIGIN may name, into NAMES: the apex first. */
static void part_owners(const char *origin, char names[4][PART_NAME_MAX])
{
	snprintf(names[0], PART_NAME_MAX, "%s", origin);
	snprintf(names[1], PART_NAME_MAX, "autodiscover.%s", origin);
	snprintf(names[2], PART_NAME_MAX, "_autodiscover._tcp.%s", origin);
	snprintf(names[3], PART_NAME_MAX, "%s.autodiscover.%s", POLICY_MARKER_LABEL, origin);
}

int ctl_part_keep(ctl_zone_info_t *info, const zload_zone_t *zone)
{
	char names[4][PART_NAME_MAX];
	const char *owners[4] = {names[0], names[1], names[2], names[3]};
	int why = 0;

	zload_free(&info->part);
	if (zone == NULL || zload_is_signed(zone))
		return 0;
	part_owners(zload_origin(zone), names);
	info->part = zload_part(zone, owners, 4, CTL_PART_RECS_MAX, CTL_PART_OCTETS_MAX, &why);
	return why == -ENOMEM ? -ENOMEM : 0;
}

/* Whether OWNER (LEN octets, presentation form) is one of NAMES. */
static bool named(const char names[4][PART_NAME_MAX], const char *owner, size_t len)
{
	for (size_t k = 0; k < 4; k++)
		if (strlen(names[k]) == len && strncasecmp(names[k], owner, len) == 0)
			return true;
	return false;
}

bool ctl_part_covers(const ctl_zone_info_t *was, const char *origin, const policy_t *p)
{
	char names[4][PART_NAME_MAX];

	if (was->part == NULL || was->edits == NULL || strcasecmp(was->origin, origin) != 0)
		return false;
	part_owners(origin, names);
	/* The edits compiled in, one a line: "OP OWNER ...", an owner ending at a space not
	 * escaped (ctl_build.c writes them). */
	for (const char *l = was->edits; *l != '\0';) {
		const char *end = strchr(l, '\n'), *o = strchr(l, ' '), *c;

		if (end == NULL)
			end = l + strlen(l);
		if (o == NULL || o >= end)
			return false;
		for (c = ++o; c < end && *c != ' '; c++)
			if (*c == '\\' && c + 1 < end)
				c++;
		if (!named(names, o, (size_t)(c - o)))
			return false;
		l = *end != '\0' ? end + 1 : end;
	}
	for (size_t i = 0; p != NULL && i < policy_edit_count(p); i++) {
		const char *owner = policy_edit(p, i)->owner;

		if (strcasecmp(policy_edit_domain(p, i), origin) == 0 &&
		    !named(names, owner, strlen(owner)))
			return false;
	}
	return true;
}

static int ignore_rr(void *ctx, const char *owner, uint16_t type, uint32_t ttl, const char *rdata)
{
	(void)ctx;
	(void)owner;
	(void)type;
	(void)ttl;
	(void)rdata;
	return 0;
}

/* The questions ctl_part_prime() asks about NAME (presentation form, final dot). */
static void prime_name(policy_zone_t *pz, const char *name)
{
	static const uint16_t types[] = {1 /* A */, 28 /* AAAA */, 5 /* CNAME */, 33 /* SRV */};

	(void)pzone_has(pz, name, true, false);
	(void)pzone_has(pz, name, false, true);
	(void)pzone_has(pz, name, true, true);
	(void)pzone_other(pz, name);
	for (size_t t = 0; t < sizeof(types) / sizeof(types[0]); t++)
		(void)pzone_lookup(pz, name, types[t], ignore_rr, NULL);
	(void)pzone_below_cut(pz, name); /* NS at NAME and its ancestors: is it delegated? */
}

/* Whether NAME (no final dot needed) lies at or below ORIGIN (final dot). */
static bool in_zone(const char *name, size_t len, const char *origin)
{
	size_t ol = strlen(origin);

	if (len > 0 && name[len - 1] == '.')
		len--;
	if (ol > 0 && origin[ol - 1] == '.')
		ol--;
	if (ol == 0)
		return true; /* the root */
	return len >= ol && strncasecmp(name + len - ol, origin, ol) == 0 &&
	       (len == ol || name[len - ol - 1] == '.');
}

void ctl_part_prime(policy_zone_t *pz, cert_t *const *certs, size_t ncerts)
{
	char names[4][PART_NAME_MAX], n[PART_NAME_MAX];

	if (pz->zone == NULL || pz->record == NULL)
		return;
	part_owners(pz->origin, names);
	for (size_t k = 0; k < 4; k++)
		prime_name(pz, names[k]);
	(void)pzone_signed(pz);
	for (size_t c = 0; c < ncerts; c++)
		for (size_t i = 0; i < cert_san_count(certs[c]); i++) {
			const char *san = cert_san(certs[c], i);
			size_t len;

			if (san == NULL)
				continue;
			if (strncmp(san, "*.", 2) == 0)
				san += 2;
			len = strlen(san);
			if (len == 0 || len + 2 > sizeof(n) || !in_zone(san, len, pz->origin))
				continue;
			snprintf(n, sizeof(n), "%s%s", san, san[len - 1] == '.' ? "" : ".");
			prime_name(pz, n);
		}
}
