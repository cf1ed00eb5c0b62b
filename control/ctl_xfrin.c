/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_xfrin.c: the control thread's side of secondary zones: reloads asked for, zone-status */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "ctl_pvt.h"
#include "log.h"
#include "sandns_err.h"
#include "xfrin.h"

/* The UDP workers' NOTIFY hook (srv_set_notify): any serving thread, never blocks. */
static bool notify_hook(void *arg, const uint8_t *msg, size_t len, const struct sockaddr *from,
			const tsig_key_t *key, const uint32_t *serial)
{
	return xfrin_notify(arg, msg, len, from, key, serial);
}

int ctl_xfrin_init(ctl_t *ctl, char *err, size_t errlen)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &ctl->xfrin_ev};

	ctl->xfrin = xfrin_new(ctl->cfg, err, errlen);
	if (ctl->xfrin == NULL)
		return SANDNS_ECONFIG;
	ctl->xfrin_ev.fd = xfrin_event_fd(ctl->xfrin);
	if (epoll_ctl(ctl->ep, EPOLL_CTL_ADD, ctl->xfrin_ev.fd, &ev) != 0) {
		snprintf(err, errlen, "cannot set up the control loop: %s", strerror(errno));
		return -errno;
	}
	if (ctl->srv != NULL)
		srv_set_notify(ctl->srv, notify_hook, ctl->xfrin);
	return SANDNS_EOK;
}

void ctl_xfrin_start(ctl_t *ctl)
{
	char err[512];

	if (ctl->xfrin == NULL)
		return;
	for (size_t i = 0; i < ctl->info.nzones && ctl->info.raw != NULL; i++)
		if (!ctl->info.zones[i].absent)
			xfrin_seed(ctl->xfrin, i, ctl->info.raw[i]);
	if (xfrin_start(ctl->xfrin, err, sizeof(err)) != SANDNS_EOK)
		log_msg(LOG_ERR, "%s: secondary zones are not refreshed", err);
}

void ctl_xfrin_event(ctl_t *ctl)
{
	size_t zones[64], n;
	uint64_t v;

	/* Asked before the reload thread ran (since, the transfer thread wakes it): that thread
	 * takes the zones itself. */
	if (ctl_reload_xfrin_due(ctl)) {
		(void)!read(ctl->xfrin_ev.fd, &v, sizeof(v));
		return;
	}
	/* No reload thread: each a reload of its zone, run here, which tells the transfer
	 * thread how it went (xfrin_reloaded) and NOTIFYs a serial changed (ctl_pub.c). */
	while ((n = xfrin_take_reloads(ctl->xfrin, zones, 64)) > 0)
		for (size_t k = 0; k < n; k++)
			ctl_reload_xfrin(ctl, zones[k]);
}

void ctl_xfrin_fini(ctl_t *ctl)
{
	xfrin_free(&ctl->xfrin);
	ctl->xfrin_ev.fd = -1;
}

/* T as "2026-12-05T14:50:01Z" ("-" for 0). */
static const char *iso(time_t t, char *buf, size_t len)
{
	return t == 0 ? "-" : clock_utc(t, buf, len);
}

static void status_text(const ctl_zone_info_t *zi, const xfrin_zstate_t *s, const char *cat,
			buf_t *b)
{
	char t1[32], t2[32], t3[32];

	if (zi->absent)
		buf_printf(b, "zone %s serial - (not served: SERVFAIL) source %s %s\n", zi->origin,
			   zsrc_kind_name(&zi->src), zsrc_where(&zi->src));
	else
		buf_printf(b, "zone %s serial %lu source %s %s\n", zi->origin, zi->serial,
			   zsrc_kind_name(&zi->src), zsrc_where(&zi->src));
	if (cat != NULL)
		buf_printf(b, "  member of catalog %s\n", cat);
	if (s == NULL)
		return;
	if (s->have)
		buf_printf(b, "  primary serial %u, file %s\n", s->serial,
			   zi->src.path != NULL ? zi->src.path : "-");
	else
		buf_printf(b, "  primary serial none (no copy yet), file %s\n",
			   zi->src.path != NULL ? zi->src.path : "-");
	if (s->last_time == 0)
		buf_printf(b, "  last refresh: none yet\n");
	else
		buf_printf(b, "  last refresh %s: %s: %s\n", iso(s->last_time, t1, sizeof(t1)),
			   s->last_ok ? "ok" : "failed", s->last);
	buf_printf(b, "  next refresh %s, expires %s%s\n", iso(s->next_time, t2, sizeof(t2)),
		   iso(s->expire_time, t3, sizeof(t3)), s->expired ? " (expired)" : "");
	if (s->reload_err[0] != '\0')
		buf_printf(b, "  not served: the last reload failed: %s\n", s->reload_err);
	buf_printf(b,
		   "  notifies %lu (coalesced %lu, up to date %lu), transfers %lu (ixfr %lu), "
		   "failures %lu\n",
		   s->notifies, s->notifies_coalesced, s->notifies_uptodate, s->transfers, s->ixfrs,
		   s->failures);
}

static void status_json(const ctl_zone_info_t *zi, const xfrin_zstate_t *s, const char *cat,
			buf_t *b)
{
	char t[32];

	BUF_LIT(b, "{\"zone\":");
	buf_json_str(b, zi->origin);
	if (zi->absent)
		BUF_LIT(b, ",\"serial\":null,\"served\":false");
	else
		buf_printf(b, ",\"serial\":%lu,\"served\":true", zi->serial);
	BUF_LIT(b, ",\"source\":");
	buf_json_str(b, zsrc_kind_name(&zi->src));
	BUF_LIT(b, ",\"where\":");
	buf_json_str(b, zsrc_where(&zi->src));
	BUF_LIT(b, ",\"file\":");
	buf_json_str(b, zi->src.path != NULL ? zi->src.path : "");
	BUF_LIT(b, ",\"catalog\":");
	if (cat != NULL)
		buf_json_str(b, cat);
	else
		BUF_LIT(b, "null");
	if (s != NULL) {
		if (s->have)
			buf_printf(b, ",\"primary_serial\":%u", s->serial);
		else
			BUF_LIT(b, ",\"primary_serial\":null");
		BUF_LIT(b, ",\"last_refresh\":");
		buf_json_str(b, iso(s->last_time, t, sizeof(t)));
		buf_printf(b, ",\"last_ok\":%s,\"last_result\":", s->last_ok ? "true" : "false");
		buf_json_str(b, s->last);
		BUF_LIT(b, ",\"next_refresh\":");
		buf_json_str(b, iso(s->next_time, t, sizeof(t)));
		BUF_LIT(b, ",\"expires\":");
		buf_json_str(b, iso(s->expire_time, t, sizeof(t)));
		buf_printf(b, ",\"expired\":%s,\"reload_error\":", s->expired ? "true" : "false");
		buf_json_str(b, s->reload_err);
		buf_printf(b,
			   ",\"notifies\":%lu,\"notifies_coalesced\":%lu,\"notifies_uptodate\":%lu,"
			   "\"transfers\":%lu,\"ixfrs\":%lu,\"failures\":%lu",
			   s->notifies, s->notifies_coalesced, s->notifies_uptodate, s->transfers,
			   s->ixfrs, s->failures);
	}
	BUF_LIT(b, "}");
}

bool ctl_zone_status(ctl_t *ctl, const char *zone, bool json, buf_t *b, char *err, size_t errlen)
{
	size_t shown = 0;

	if (json)
		BUF_LIT(b, "{\"zones\":[");
	for (size_t i = 0; i < ctl->info.nzones; i++) {
		const ctl_zone_info_t *zi = &ctl->info.zones[i];
		const char *cat;
		xfrin_zstate_t st;
		bool sec;

		if (zone != NULL && !cfg_same_origin(zi->origin, zone))
			continue;
		sec = xfrin_zone_state(ctl->xfrin, i, &st);
		/* The configuration's zones are in the order of the build's. */
		cat = i < ctl->cfg->nzones ? ctl->cfg->zones[i].catalog : NULL;
		if (json && shown > 0)
			BUF_LIT(b, ",");
		if (json)
			status_json(zi, sec ? &st : NULL, cat, b);
		else
			status_text(zi, sec ? &st : NULL, cat, b);
		shown++;
	}
	if (json)
		BUF_LIT(b, "]}\n");
	if (zone != NULL && shown == 0) {
		snprintf(err, errlen, "no zone %s is served", zone);
		return false;
	}
	return true;
}

bool ctl_zone_refresh(ctl_t *ctl, const char *zone, bool axfr, char *err, size_t errlen)
{
	if (xfrin_request(ctl->xfrin, zone, axfr) == SANDNS_EOK) {
		log_msg(LOG_INFO, "zone %s: %s on request", zone,
			axfr ? "full transfer (AXFR)" : "SOA check");
		return true;
	}
	snprintf(err, errlen, "zone %s is not a secondary zone (no primary line names it)", zone);
	return false;
}
