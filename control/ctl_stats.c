/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_stats.c: `status` and `stats`: the daemon, its snapshot and the serving threads' counters */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "buf.h"
#include "clock.h"
#include "ctl_pvt.h"

#ifndef SANDNS_VERSION
#define SANDNS_VERSION "unknown"
#endif

static void ctl_format_duration(char *out, size_t len, uint64_t secs)
{
	if (secs >= 86400)
		snprintf(out, len, "%llud%02lluh%02llum%02llus", (unsigned long long)secs / 86400,
			 (unsigned long long)secs % 86400 / 3600,
			 (unsigned long long)secs % 3600 / 60, (unsigned long long)secs % 60);
	else if (secs >= 3600)
		snprintf(out, len, "%lluh%02llum%02llus", (unsigned long long)secs / 3600,
			 (unsigned long long)secs % 3600 / 60, (unsigned long long)secs % 60);
	else if (secs >= 60)
		snprintf(out, len, "%llum%02llus", (unsigned long long)secs / 60,
			 (unsigned long long)secs % 60);
	else
		snprintf(out, len, "%llus", (unsigned long long)secs);
}

/* The counters of every serving thread added up. */
static void ctl_stats_total(const ctl_t *ctl, uint64_t total[SRV_STAT_COUNT])
{
	uint64_t one[SRV_STAT_COUNT];
	size_t i, s;

	memset(total, 0, sizeof(uint64_t) * SRV_STAT_COUNT);
	for (i = 0; i < srv_thread_count(ctl->srv); i++) {
		srv_thread_stats(ctl->srv, i, one);
		for (s = 0; s < SRV_STAT_COUNT; s++)
			total[s] += one[s];
	}
}

static const ctl_zone_info_t *ctl_zone_find(const ctl_t *ctl, const char *origin)
{
	size_t i;

	for (i = 0; i < ctl->info.nzones; i++)
		if (strcasecmp(ctl->info.zones[i].origin, origin) == 0)
			return &ctl->info.zones[i];
	return NULL;
}

/* The policy in one line of `status`: on or off, what it changed, what needs attention. */
static void ctl_status_policy(const ctl_t *ctl, buf_t *b)
{
	const policy_t *p = ctl->info.policy;
	size_t changed = 0, alerts = 0;

	if (p == NULL) {
		BUF_LIT(b, "policy: off (no --cert)\n");
		return;
	}
	for (size_t z = 0; z < ctl->info.nzones; z++)
		changed += ctl->info.zones[z].edits != NULL && ctl->info.zones[z].edits[0] != '\0';
	for (size_t i = 0; i < policy_count(p); i++)
		alerts += policy_alert(p, i);
	buf_printf(b, "policy: on, %zu certificate%s, %zu domain%s changed, %zu alert%s%s\n",
		   ctl->info.ncerts, ctl->info.ncerts == 1 ? "" : "s", changed,
		   changed == 1 ? "" : "s", alerts, alerts == 1 ? "" : "s",
		   ctl->pending_key != NULL ? ", a probe saw a change (waiting for the next)" : "");
}

static const char *notify_result_name(enum notify_result r)
{
	switch (r) {
	case NOTIFY_NONE:
		return "none";
	case NOTIFY_SENDING:
		return "sending";
	case NOTIFY_WAITING:
		return "waiting";
	case NOTIFY_OK:
		return "ok";
	case NOTIFY_FAILED:
		return "failed";
	}
	return "?";
}

/* Per notify target, the last NOTIFY's outcome (or the one being sent); then the counters. */
static void ctl_status_notify(ctl_t *ctl, bool json, uint64_t now, buf_t *b)
{
	const size_t n = notify_target_count(ctl->notify);
	notify_counters_t c;
	notify_state_t st;
	char dur[64];

	if (json)
		BUF_LIT(b, ",\"notify\":[");
	for (size_t i = 0; i < n && notify_state(ctl->notify, i, &st); i++) {
		const uint64_t ago =
		    st.when_ms != 0 && now > st.when_ms ? (now - st.when_ms) / 1000 : 0;

		if (json) {
			if (i != 0)
				BUF_LIT(b, ",");
			BUF_LIT(b, "{\"zone\":");
			buf_json_str(b, st.origin);
			BUF_LIT(b, ",\"target\":");
			buf_json_str(b, st.target);
			buf_printf(b, ",\"result\":\"%s\"", notify_result_name(st.result));
			if (st.result != NOTIFY_NONE)
				buf_printf(b, ",\"serial\":%lu,\"tries\":%u,\"seconds_ago\":%llu",
					   (unsigned long)st.serial, st.tries,
					   (unsigned long long)ago);
			if (st.result == NOTIFY_FAILED) {
				BUF_LIT(b, ",\"reason\":");
				buf_json_str(b, st.reason);
			}
			BUF_LIT(b, "}");
			continue;
		}
		buf_printf(b, "notify %s to %s: ", st.origin, st.target);
		ctl_format_duration(dur, sizeof(dur), ago);
		switch (st.result) {
		case NOTIFY_NONE:
			BUF_LIT(b, "nothing sent yet\n");
			break;
		case NOTIFY_SENDING:
			buf_printf(b, "serial %lu sending (try %u of %u)\n",
				   (unsigned long)st.serial, st.tries, NOTIFY_TRIES);
			break;
		case NOTIFY_WAITING:
			buf_printf(b, "serial %lu waiting for a place (%u in flight at most)\n",
				   (unsigned long)st.serial, NOTIFY_INFLIGHT);
			break;
		case NOTIFY_OK:
			buf_printf(b, "serial %lu ok %s ago (%u tr%s)\n", (unsigned long)st.serial,
				   dur, st.tries, st.tries == 1 ? "y" : "ies");
			break;
		case NOTIFY_FAILED:
			buf_printf(b, "serial %lu failed %s ago after %u tries (%s)\n",
				   (unsigned long)st.serial, dur, st.tries, st.reason);
			break;
		}
	}
	notify_get_counters(ctl->notify, &c);
	if (json) {
		buf_printf(b,
			   "],\"notify_counters\":{\"sent\":%llu,\"ok\":%llu,\"failed\":%llu,"
			   "\"superseded\":%llu,\"waited\":%llu,\"stray\":%llu,"
			   "\"log_dropped\":%llu}",
			   (unsigned long long)c.sent, (unsigned long long)c.ok,
			   (unsigned long long)c.failed, (unsigned long long)c.superseded,
			   (unsigned long long)c.waited, (unsigned long long)c.stray,
			   (unsigned long long)c.log_dropped);
		return;
	}
	if (n > 0)
		buf_printf(
		    b,
		    "notify: %zu target%s, %llu sent, %llu ok, %llu failed, %llu superseded, "
		    "%llu waited, %llu stray answers\n",
		    n, n == 1 ? "" : "s", (unsigned long long)c.sent, (unsigned long long)c.ok,
		    (unsigned long long)c.failed, (unsigned long long)c.superseded,
		    (unsigned long long)c.waited, (unsigned long long)c.stray);
}

void ctl_cmd_status(ctl_t *ctl, bool json, buf_t *b)
{
	const uint64_t now = clock_now_ms();
	const uint64_t up = (now - ctl->started_ms) / 1000;
	const uint64_t age = (now - ctl->loaded_ms) / 1000;
	const zt_t *zt = ctl->current;
	const size_t nz = zt != NULL ? zt_zone_count(zt) : 0;
	const size_t bytes = zt != NULL ? zt_memsize(zt) : 0;
	uint64_t total[SRV_STAT_COUNT];
	unsigned waiting;
	const bool reloading = ctl_reload_busy(ctl, &waiting);
	char dur[64];
	size_t i, shown;

	ctl_stats_total(ctl, total);
	if (ctl->extra_dgram != NULL) {
		uint64_t dg[DGRAM_STAT_COUNT];

		ctl->extra_dgram(ctl->extra_dgram_arg, dg);
		for (i = 0; i < DGRAM_STAT_COUNT; i++)
			total[SRV_DGRAM + i] += dg[i];
	}
	if (json) {
		buf_printf(b,
			   "{\"version\":\"%s\",\"pid\":%ld,\"uptime_seconds\":%llu,"
			   "\"io\":\"%s\",",
			   SANDNS_VERSION, (long)getpid(), (unsigned long long)up,
			   ctl->cfg->io == CFG_IO_DPDK ? "dpdk" : "socket");
		BUF_LIT(b, "\"listen\":[");
		for (i = 0; i < srv_listen_count(ctl->srv); i++) {
			if (i != 0)
				BUF_LIT(b, ",");
			buf_json_str(b, srv_listen_text(ctl->srv, i));
		}
		BUF_LIT(b, "],\"transports\":[\"udp\",\"tcp\"],\"control\":");
		if (ctl->cfg->control != NULL)
			buf_json_str(b, ctl->cfg->control);
		else
			BUF_LIT(b, "null");
		buf_printf(b, ",\"control_clients\":%zu,\"control_refused\":%llu", ctl->nclients,
			   (unsigned long long)ctl->refused);
		BUF_LIT(b, ",\"zones\":[");
		for (i = 0, shown = 0; i < nz; i++) {
			const ctl_zone_info_t *z;

			if (zt_zone_origin(zt, i) == NULL)
				continue; /* a slot left empty by a zone taken out */
			z = ctl_zone_find(ctl, zt_zone_origin(zt, i));
			if (shown++ != 0)
				BUF_LIT(b, ",");
			BUF_LIT(b, "{\"origin\":");
			buf_json_str(b, zt_zone_origin(zt, i));
			/* "file":PATH for a file: the source's kind is the key. */
			buf_printf(b, ",\"serial\":%lu,\"records\":%zu,", zt_zone_serial(zt, i),
				   z != NULL ? z->records : 0);
			buf_json_str(b, z != NULL ? zsrc_kind_name(&z->src) : "file");
			BUF_LIT(b, ":");
			buf_json_str(b, z != NULL ? zsrc_where(&z->src) : "");
			BUF_LIT(b, "}");
		}
		BUF_LIT(b, "]");
		ctl_status_notify(ctl, true, now, b);
		buf_printf(b,
			   ",\"records\":%zu,\"snapshot_bytes\":%zu,\"loaded_seconds_ago\":%llu,"
			   "\"reloads\":%lu,\"reload_failures\":%lu,\"builds_patched\":%lu,"
			   "\"builds_full\":%lu,\"reload_running\":%s,"
			   "\"reload_waiting\":%u,\"queries_answered\":%llu,"
			   "\"udp_answered\":%llu,\"tcp_answered\":%llu,\"policy\":%s,"
			   "\"certificates\":%zu,\"certificate_probes\":%lu,\"probe_flips\":%lu}\n",
			   ctl->info.records, bytes, (unsigned long long)age, ctl->reloads,
			   ctl->reload_failures, ctl->builds_patched, ctl->builds_full,
			   reloading ? "true" : "false", waiting,
			   (unsigned long long)(total[SRV_UDP_ANSWERED] + total[SRV_TCP_ANSWERED]),
			   (unsigned long long)total[SRV_UDP_ANSWERED],
			   (unsigned long long)total[SRV_TCP_ANSWERED],
			   ctl->info.policy != NULL ? "true" : "false", ctl->info.ncerts,
			   ctl->probes, ctl->probe_flips);
		return;
	}

	ctl_format_duration(dur, sizeof(dur), up);
	buf_printf(b, "sandnsd %s, pid %ld, up %s\n", SANDNS_VERSION, (long)getpid(), dur);
	buf_printf(b, "io %s, listening on", ctl->cfg->io == CFG_IO_DPDK ? "dpdk" : "socket");
	for (i = 0; i < srv_listen_count(ctl->srv); i++)
		buf_printf(b, "%s %s", i != 0 ? "," : "", srv_listen_text(ctl->srv, i));
	BUF_LIT(b, " udp+tcp\n");
	if (ctl->cfg->control != NULL)
		buf_printf(b, "control %s (%zu clients, %llu refused for their uid)\n",
			   ctl->cfg->control, ctl->nclients, (unsigned long long)ctl->refused);
	ctl_format_duration(dur, sizeof(dur), age);
	buf_printf(b,
		   "snapshot: %zu zones, %zu records, %zu bytes, loaded %s ago (reloads: %lu "
		   "done, %lu failed; snapshots %lu patched, %lu compiled whole)\n",
		   zt != NULL ? zt_zones_served(zt) : 0, ctl->info.records, bytes, dur,
		   ctl->reloads, ctl->reload_failures, ctl->builds_patched, ctl->builds_full);
	if (reloading || waiting > 0)
		buf_printf(b, "reload: in progress (%u more request%s waiting for the next)\n",
			   waiting, waiting == 1 ? "" : "s");
	for (i = 0; i < nz; i++) {
		const ctl_zone_info_t *z;

		if (zt_zone_origin(zt, i) == NULL)
			continue; /* a slot left empty by a zone taken out */
		z = ctl_zone_find(ctl, zt_zone_origin(zt, i));
		buf_printf(b, "zone %s serial %lu, %zu records, %s %s\n", zt_zone_origin(zt, i),
			   zt_zone_serial(zt, i), z != NULL ? z->records : 0,
			   z != NULL ? zsrc_kind_name(&z->src) : "file",
			   z != NULL ? zsrc_where(&z->src) : "?");
	}
	ctl_status_notify(ctl, false, now, b);
	ctl_status_policy(ctl, b);
	buf_printf(b, "queries answered: %llu (udp %llu, tcp %llu)\n",
		   (unsigned long long)(total[SRV_UDP_ANSWERED] + total[SRV_TCP_ANSWERED]),
		   (unsigned long long)total[SRV_UDP_ANSWERED],
		   (unsigned long long)total[SRV_TCP_ANSWERED]);
}

/* Whether counter S belongs on the line of a thread whose name starts with PREFIX. */
static bool ctl_stat_shown(size_t s, const char *prefix, uint64_t value)
{
	const char *name = srv_stat_names[s];

	if (s >= SRV_RCODE_FIRST)
		return value != 0;
	if (prefix == NULL || s == SRV_TRUNCATED)
		return true;
	if (s == SRV_RRL_DROPPED || s == SRV_RRL_SLIPPED)
		return strncmp(prefix, "udp", 3) == 0 && value != 0;
	if (strncmp(name, prefix, 3) == 0)
		return true;
	return strcmp(prefix, "tcp") == 0 && strncmp(name, "xfr", 3) == 0;
}

static void ctl_stats_line(buf_t *b, const char *name, const char *prefix,
			   const uint64_t st[SRV_STAT_COUNT])
{
	size_t s;

	buf_printf(b, "%s:", name);
	for (s = 0; s < SRV_STAT_COUNT; s++)
		if (ctl_stat_shown(s, prefix, st[s]))
			buf_printf(b, " %s=%llu", srv_stat_names[s], (unsigned long long)st[s]);
	BUF_LIT(b, "\n");
}

static void ctl_stats_json(buf_t *b, const uint64_t st[SRV_STAT_COUNT])
{
	size_t s;

	for (s = 0; s < SRV_STAT_COUNT; s++) {
		BUF_LIT(b, ",");
		buf_json_key(b, srv_stat_names[s]);
		buf_printf(b, "%llu", (unsigned long long)st[s]);
	}
}

#define CTL_EXTRA_STATS_MAX (64 << 10)

/* Appends the dataplane's counters: text lines, or ',"dataplane":VALUE' inside the JSON object. */
static void ctl_extra_stats(ctl_t *ctl, bool json, buf_t *b)
{
	size_t n;
	char *text;

	if (ctl->extra_stats == NULL)
		return;
	text = malloc(CTL_EXTRA_STATS_MAX);
	if (text == NULL) {
		b->oom = true;
		return;
	}
	n = ctl->extra_stats(ctl->extra_arg, json, text, CTL_EXTRA_STATS_MAX);
	if (n >= CTL_EXTRA_STATS_MAX)
		n = CTL_EXTRA_STATS_MAX - 1;
	if (json)
		BUF_LIT(b, ",\"dataplane\":");
	buf_put(b, text, n);
	free(text);
}

/* The query log's counters: a line, or ',"dnstap":{...}' inside the JSON object. */
static void ctl_tap_stats(const ctl_t *ctl, bool json, buf_t *b)
{
	uint64_t queued, dropped;

	if (ctl->tap == NULL)
		return;
	dnstap_counts(ctl->tap, &queued, &dropped);
	if (json)
		buf_printf(b, ",\"dnstap\":{\"dnstap-queued\":%llu,\"dnstap-dropped\":%llu}",
			   (unsigned long long)queued, (unsigned long long)dropped);
	else
		buf_printf(b, "dnstap: dnstap-queued %llu dnstap-dropped %llu\n",
			   (unsigned long long)queued, (unsigned long long)dropped);
}

void ctl_cmd_stats(ctl_t *ctl, bool json, buf_t *b)
{
	uint64_t st[SRV_STAT_COUNT], total[SRV_STAT_COUNT];
	size_t i;

	ctl_stats_total(ctl, total);
	if (json)
		BUF_LIT(b, "{\"threads\":[");
	for (i = 0; i < srv_thread_count(ctl->srv); i++) {
		const char *name = srv_thread_name(ctl->srv, i);

		srv_thread_stats(ctl->srv, i, st);
		if (json) {
			if (i != 0)
				BUF_LIT(b, ",");
			BUF_LIT(b, "{\"name\":");
			buf_json_str(b, name);
			ctl_stats_json(b, st);
			BUF_LIT(b, "}");
		} else {
			ctl_stats_line(b, name, name, st);
		}
	}
	if (json) {
		BUF_LIT(b, "],\"total\":{\"name\":\"total\"");
		ctl_stats_json(b, total);
		BUF_LIT(b, "}");
		ctl_metrics_stats(ctl, true, b);
		ctl_extra_stats(ctl, true, b);
		ctl_tap_stats(ctl, true, b);
		BUF_LIT(b, "}\n");
	} else {
		ctl_stats_line(b, "total", NULL, total);
		ctl_metrics_stats(ctl, false, b);
		ctl_extra_stats(ctl, false, b);
		ctl_tap_stats(ctl, false, b);
	}
}
