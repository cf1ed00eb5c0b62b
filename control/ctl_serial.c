/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_serial.c: the serial each zone is served with, and serials left unchanged over new data */
#include <stdint.h>
#include <string.h>

#include "catz.h"
#include "ctl_pvt.h"
#include "ctl_serial.h"
#include "fnv.h"
#include "sandns_err.h"

bool ctl_serial_newer(unsigned long a, unsigned long b)
{
	return (int32_t)(uint32_t)(a - b) > 0;
}

unsigned long ctl_served_serial(const ctl_zone_info_t *before, unsigned long src_serial,
				const char *edits, uint64_t edits_hash)
{
	unsigned long want = (src_serial + (edits[0] != '\0' ? 1 : 0)) & 0xffffffffUL;

	if (before == NULL)
		return want;
	if (before->src_serial == src_serial && before->edits_hash == edits_hash)
		return before->serial;
	/* Never raised and nothing to raise for (no policy, a signed zone): the file's own. */
	if (edits[0] == '\0' && before->serial == before->src_serial)
		return src_serial;
	return ctl_serial_newer(want, before->serial) ? want : (before->serial + 1) & 0xffffffffUL;
}

uint64_t ctl_edits_hash(const char *s)
{
	return fnv_bytes(FNV_START, s, strlen(s));
}

static int digest_msg(void *ctx, const uint8_t *msg, size_t len)
{
	uint64_t *h = ctx;

	*h = fnv_bytes(*h, msg, len);
	return 0;
}

/*
 * A digest of zone ORIGIN as snapshot ZT serves it: its transfer (AXFR, every record in
 * canonical order, the policy's edits and the served serial in), rendered from the
 * precomputed data, no zone file read. 0: not known (an origin with escapes, or no such zone).
 */
static uint64_t zone_digest(const zt_t *zt, const char *origin)
{
	uint8_t q[12 + 256 + 4] = {0, 0, 0, 0, 0, 1}; /* id 0, QDCOUNT 1 */
	size_t len = 12, lab;
	uint64_t h = FNV_START;

	while (*origin != '\0' && strcmp(origin, ".") != 0) {
		lab = strcspn(origin, ".");
		if (lab == 0 || lab > 63 || len + 1 + lab + 5 > sizeof(q) ||
		    memchr(origin, '\\', lab) != NULL)
			return 0;
		q[len++] = (uint8_t)lab;
		memcpy(q + len, origin, lab);
		len += lab;
		origin += lab + (origin[lab] == '.');
	}
	q[len++] = 0;
	q[len++] = 0;
	q[len++] = 252; /* AXFR */
	q[len++] = 0;
	q[len++] = 1; /* IN */
	if (zt_xfr_render(zt, q, len, digest_msg, &h) != SANDNS_EOK)
		return 0;
	return h != 0 ? h : 1;
}

void ctl_build_check_serials(const ctl_build_t *prev, const zt_t *prev_zt, ctl_build_t *b)
{
	for (size_t i = 0; i < b->nzones; i++) {
		ctl_zone_info_t *info = &b->zones[i];
		const ctl_zone_info_t *before = ctl_build_find(prev, info->origin);
		uint64_t was;

		info->serial_stale = false;
		/* A secondary zone going or coming back (expired, transferred) is no stale serial.
		 */
		if (prev_zt == NULL || info->absent || (before != NULL && before->absent))
			continue;
		/* A new serial is seen by secondaries; an unchanged zone needs no look. */
		if (before == NULL || before->src_serial != info->src_serial ||
		    before->serial != info->serial)
			continue;
		if (prev->raw != NULL && i < prev->nzones && prev->raw[i] == b->raw[i] &&
		    strcmp(before->edits, info->edits) == 0)
			continue;
		was = zone_digest(prev_zt, info->origin);
		info->serial_stale = was != 0 && was != zone_digest(b->zt, info->origin);
	}
}

catz_prev_t ctl_catz_prev(const cfg_t *cfg, const ctl_build_t *prev, const ctl_build_t *known,
			  size_t i)
{
	const ctl_zone_info_t *was;

	if (prev != NULL)
		return (catz_prev_t){.zone = prev->raw[i], .serial = prev->zones[i].src_serial};
	/* A start: the catalog served before it, as serial-state remembers it. */
	was = cfg_catalog_find(cfg, cfg->zones[i].origin) != NULL
		  ? ctl_build_find(known, cfg->zones[i].origin)
		  : NULL;
	return (catz_prev_t){.serial = was != NULL ? was->src_serial : 0,
			     .hash = was != NULL ? was->catz_hash : 0};
}
