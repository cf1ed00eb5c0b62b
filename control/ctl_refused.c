/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_refused.c: the policy's edits a zone's records refused (served as written), remembered so
 * that a zone left unread with the same edits asked stays unread */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "ctl_refused.h"
#include "log.h"
#include "sandns_err.h"

static void alert(const char *origin, const char *why)
{
	/* The policy must never cost a zone its service: served as written, loudly. */
	log_msg(LOG_ERR,
		"autodiscover policy alert: cannot apply the policy to %s (%s): the zone is served "
		"as written",
		origin, why);
}

int ctl_refused_set(ctl_zone_info_t *info, const char *why, char *err, size_t errlen)
{
	alert(info->origin, why);
	ctl_refused_clear(info);
	info->edits_refused = info->edits;
	info->refused_why = strdup(why);
	info->edits = strdup("");
	if (info->edits == NULL || info->refused_why == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	return SANDNS_EOK;
}

int ctl_refused_carry(ctl_zone_info_t *info, const ctl_zone_info_t *was, bool preview, char *err,
		      size_t errlen)
{
	if (was->edits_refused == NULL)
		return SANDNS_EOK;
	info->edits_refused = strdup(was->edits_refused);
	info->refused_why = strdup(was->refused_why);
	if (info->edits_refused == NULL || info->refused_why == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	if (!preview)
		alert(info->origin, info->refused_why);
	return SANDNS_EOK;
}

void ctl_refused_clear(ctl_zone_info_t *info)
{
	free(info->edits_refused);
	free(info->refused_why);
	info->edits_refused = info->refused_why = NULL;
}

const char *ctl_refused_asked(const ctl_zone_info_t *was)
{
	return was->edits_refused != NULL ? was->edits_refused : was->edits;
}
