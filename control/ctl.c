/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl.c: the control thread: signals, the control socket, status, stats, reload and stop */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>

#include "clock.h"
#include "ctl.h"
#include "ctl_proto.h"
#include "ctl_pvt.h"
#include "log.h"
#include "sandns_err.h"
#include "zpub.h"

#ifndef SANDNS_VERSION
#define SANDNS_VERSION "unknown"
#endif

/* Control clients are few (operators, scripts); these bound what a stuck one can hold. */
#define CTL_CLIENTS_MAX 256
/* At the cap, a client silent this long gives its place to a new one. */
#define CTL_EVICT_IDLE_MS 1000
#define CTL_CLIENT_IDLE_MS (60 * 1000)
#define CTL_EVENTS 16
#define CTL_COMMANDS                                                                               \
	"status, stats, reload [ZONE], policy show [DOMAIN], policy reload, "                      \
	"explain NAME TYPE, stop, help"

struct ctl_client {
	struct ctl_ev ev; /* first: epoll hands back this pointer */
	bool eof;	  /* the client shut its side: answer what came, then close */
	bool close_after; /* close once the output is sent */
	bool draining;	  /* refused: our side is shut, input is read and dropped until EOF */
	uint32_t events;
	uint64_t last_ms;
	struct ctl_client *prev, *next;
	char *out;
	size_t out_off, out_len;
	size_t in_len;
	char in[CTL_LINE_MAX];
};

void buf_put(struct ctl_buf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap != 0 ? b->cap : 256;
		char *grown;

		while (cap < b->len + n + 1)
			cap *= 2;
		grown = realloc(b->p, cap);
		if (grown == NULL) {
			b->oom = true;
			return;
		}
		b->p = grown;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void buf_printf(struct ctl_buf *b, const char *fmt, ...)
{
	char small[512], *big = NULL;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof(small)) {
		buf_put(b, small, (size_t)n);
		return;
	}
	va_start(ap, fmt);
	n = vasprintf(&big, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->oom = true;
		return;
	}
	buf_put(b, big, (size_t)n);
	free(big);
}

void buf_json_str(struct ctl_buf *b, const char *s)
{
	BUF_LIT(b, "\"");
	for (; *s != '\0'; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\') {
			char esc[2] = {'\\', (char)ch};

			buf_put(b, esc, 2);
		} else if (ch < 0x20 || ch >= 0x7f) {
			/* Control octets, and anything not ASCII (no UTF-8 is promised): escaped.
			 */
			buf_printf(b, "\\u%04x", ch);
		} else {
			buf_put(b, s, 1);
		}
	}
	BUF_LIT(b, "\"");
}

/* A counter name as a JSON key: "udp-received" -> "udp_received". */
static void buf_json_key(struct ctl_buf *b, const char *name)
{
	char key[64];
	size_t i;

	for (i = 0; name[i] != '\0' && i + 1 < sizeof(key); i++)
		key[i] = name[i] == '-' ? '_' : name[i];
	key[i] = '\0';
	buf_json_str(b, key);
	BUF_LIT(b, ":");
}

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
static void ctl_status_policy(const ctl_t *ctl, struct ctl_buf *b)
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

static void ctl_cmd_status(ctl_t *ctl, bool json, struct ctl_buf *b)
{
	const uint64_t now = clock_now_ms();
	const uint64_t up = (now - ctl->started_ms) / 1000;
	const uint64_t age = (now - ctl->loaded_ms) / 1000;
	const zt_t *zt = ctl->current;
	const size_t nz = zt != NULL ? zt_zone_count(zt) : 0;
	const size_t bytes = zt != NULL ? zt_memsize(zt) : 0;
	uint64_t total[SRV_STAT_COUNT];
	char dur[64];
	size_t i;

	ctl_stats_total(ctl, total);
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
		for (i = 0; i < nz; i++) {
			const ctl_zone_info_t *z = ctl_zone_find(ctl, zt_zone_origin(zt, i));

			if (i != 0)
				BUF_LIT(b, ",");
			BUF_LIT(b, "{\"origin\":");
			buf_json_str(b, zt_zone_origin(zt, i));
			buf_printf(b, ",\"serial\":%lu,\"records\":%zu,\"file\":",
				   zt_zone_serial(zt, i), z != NULL ? z->records : 0);
			buf_json_str(b, z != NULL ? z->path : "");
			BUF_LIT(b, "}");
		}
		buf_printf(b,
			   "],\"records\":%zu,\"snapshot_bytes\":%zu,\"loaded_seconds_ago\":%llu,"
			   "\"reloads\":%lu,\"reload_failures\":%lu,\"queries_answered\":%llu,"
			   "\"udp_answered\":%llu,\"tcp_answered\":%llu,\"policy\":%s,"
			   "\"certificates\":%zu,\"certificate_probes\":%lu,\"probe_flips\":%lu}\n",
			   ctl->info.records, bytes, (unsigned long long)age, ctl->reloads,
			   ctl->reload_failures,
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
		   "done, %lu failed)\n",
		   nz, ctl->info.records, bytes, dur, ctl->reloads, ctl->reload_failures);
	for (i = 0; i < nz; i++) {
		const ctl_zone_info_t *z = ctl_zone_find(ctl, zt_zone_origin(zt, i));

		buf_printf(b, "zone %s serial %lu, %zu records, file %s\n", zt_zone_origin(zt, i),
			   zt_zone_serial(zt, i), z != NULL ? z->records : 0,
			   z != NULL ? z->path : "?");
	}
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

static void ctl_stats_line(struct ctl_buf *b, const char *name, const char *prefix,
			   const uint64_t st[SRV_STAT_COUNT])
{
	size_t s;

	buf_printf(b, "%s:", name);
	for (s = 0; s < SRV_STAT_COUNT; s++)
		if (ctl_stat_shown(s, prefix, st[s]))
			buf_printf(b, " %s=%llu", srv_stat_names[s], (unsigned long long)st[s]);
	BUF_LIT(b, "\n");
}

static void ctl_stats_json(struct ctl_buf *b, const uint64_t st[SRV_STAT_COUNT])
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
static void ctl_extra_stats(ctl_t *ctl, bool json, struct ctl_buf *b)
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

static void ctl_cmd_stats(ctl_t *ctl, bool json, struct ctl_buf *b)
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
		ctl_extra_stats(ctl, true, b);
		BUF_LIT(b, "}\n");
	} else {
		ctl_stats_line(b, "total", NULL, total);
		ctl_extra_stats(ctl, false, b);
	}
}

void ctl_set_extra_stats(ctl_t *ctl, ctl_stats_fn fn, void *arg)
{
	ctl->extra_stats = fn;
	ctl->extra_arg = arg;
}

/* Replaces the remembered build info by that of B (whose snapshot was just published). */
static void ctl_take_info(ctl_t *ctl, ctl_build_t *b)
{
	ctl_build_clear(&ctl->info);
	ctl->info = *b;
	ctl->info.zt = NULL;
	memset(b, 0, sizeof(*b));
}

void ctl_publish_first(ctl_t *ctl, ctl_build_t *b)
{
	zt_t *next = b->zt;

	b->zt = NULL;
	/* Waits for every reader to leave the old snapshot, then frees it. */
	zpub_publish(next);
	/* After the fork and with the signals blocked (ctl_new): threads may start. */
	if (next != NULL)
		zt_order_start(next);
	ctl->current = next;
	ctl->loaded_ms = clock_now_ms();
	ctl_take_info(ctl, b);
	ctl_build_save_serials(ctl->cfg, &ctl->info);
}

/* Frees the zones as read when keep-zones says not to keep them (ctl_build_drop_zones()). */
static void ctl_drop_zones(ctl_t *ctl)
{
	if (ctl_build_drop_zones(ctl->cfg, &ctl->info) && !ctl->said_dropped) {
		log_msg(LOG_INFO,
			"%zu records: the zones as read are not kept in memory "
			"(keep-zones); reloads and explain read the files again",
			ctl->info.records);
		ctl->said_dropped = true;
	}
}

void ctl_publish(ctl_t *ctl, ctl_build_t *b)
{
	ctl_publish_first(ctl, b);
	ctl_drop_zones(ctl);
}

int ctl_reload(ctl_t *ctl, const ctl_rebuild_t *what, char *err, size_t errlen)
{
	ctl_build_t b;
	int rc;

	rc = ctl_build(ctl->cfg, &ctl->info, what, &b, err, errlen);
	if (rc != SANDNS_EOK) {
		ctl->reload_failures++;
		return rc;
	}
	ctl_publish(ctl, &b);
	ctl->reloads++;
	return SANDNS_EOK;
}

static void ctl_cmd_reload(ctl_t *ctl, const ctl_rebuild_t *what, bool json, struct ctl_buf *b,
			   char *err, size_t errlen)
{
	const zt_t *zt;
	size_t i;

	if (ctl_reload(ctl, what, err, errlen) != SANDNS_EOK)
		return;
	err[0] = '\0';
	zt = ctl->current;
	if (json) {
		buf_printf(b,
			   "{\"ok\":true,\"zones\":%zu,\"records\":%zu,\"snapshot_bytes\":%zu,"
			   "\"serials\":{",
			   zt_zone_count(zt), ctl->info.records, zt_memsize(zt));
		for (i = 0; i < zt_zone_count(zt); i++) {
			buf_json_str(b, zt_zone_origin(zt, i));
			buf_printf(b, ":%lu%s", zt_zone_serial(zt, i),
				   i + 1 < zt_zone_count(zt) ? "," : "");
		}
		BUF_LIT(b, "}}\n");
		return;
	}
	buf_printf(b, "reloaded %s: %zu zones, %zu records, %zu bytes snapshot\n",
		   what->certs		? "the certificates"
		   : what->zone != NULL ? what->zone
					: "every zone",
		   zt_zone_count(zt), ctl->info.records, zt_memsize(zt));
	for (i = 0; i < zt_zone_count(zt); i++)
		buf_printf(b, "zone %s serial %lu\n", zt_zone_origin(zt, i), zt_zone_serial(zt, i));
}

/* Splits ARGS into at most MAX words (in BUF); returns how many there were (may be > MAX). */
static size_t ctl_words(const char *args, char *buf, size_t len, const char **w, size_t max)
{
	size_t n = 0;
	char *save = NULL, *tok;

	snprintf(buf, len, "%s", args);
	for (tok = strtok_r(buf, " \t\r", &save); tok != NULL;
	     tok = strtok_r(NULL, " \t\r", &save)) {
		if (n < max)
			w[n] = tok;
		n++;
	}
	return n;
}

/* Frames a response: status line, dot-stuffed body, "." line. */
static void ctl_frame(struct ctl_buf *out, const char *error, const struct ctl_buf *body)
{
	const char *p, *end;

	if (error != NULL) {
		BUF_LIT(out, "error: ");
		for (p = error; *p != '\0'; p++)
			buf_put(out, *p == '\n' || *p == '\r' ? " " : p, 1);
		BUF_LIT(out, "\n");
	} else {
		BUF_LIT(out, "ok\n");
	}
	for (p = body->p; p != NULL && p < body->p + body->len; p = end + 1) {
		end = memchr(p, '\n', (size_t)(body->p + body->len - p));
		if (end == NULL)
			end = body->p + body->len;
		if (*p == '.')
			BUF_LIT(out, ".");
		buf_put(out, p, (size_t)(end - p));
		BUF_LIT(out, "\n");
	}
	BUF_LIT(out, ".\n");
}

int ctl_handle_line(ctl_t *ctl, const char *line, char **out, size_t *outlen, bool *stop)
{
	struct ctl_buf body = {0}, resp = {0};
	char err[1024] = "";
	char cmd[32] = "";
	const char *args;
	bool json = false;
	size_t n;

	*stop = false;
	line += strspn(line, " \t");
	n = strcspn(line, " \t\r");
	if (n == 4 && strncmp(line, "json", 4) == 0) {
		json = true;
		line += n;
		line += strspn(line, " \t");
		n = strcspn(line, " \t\r");
	}
	if (n < sizeof(cmd))
		snprintf(cmd, sizeof(cmd), "%.*s", (int)n, line);
	args = line + n + strspn(line + n, " \t\r");

	if (n == 0) {
		snprintf(err, sizeof(err), "empty request; commands: " CTL_COMMANDS);
	} else if (strcmp(cmd, "help") == 0) {
		if (json)
			BUF_LIT(&body,
				"{\"commands\":[\"status\",\"stats\",\"reload\",\"policy show\","
				"\"policy reload\",\"explain\",\"stop\"]}\n");
		else
			BUF_LIT(
			    &body,
			    "status: uptime, zones and serials, snapshot size, addresses, "
			    "queries answered\n"
			    "stats: counters of every serving thread\n"
			    "reload [ZONE]: load every zone file (or ZONE's) again; publish only "
			    "if all load\n"
			    "policy show [DOMAIN]: the certificates, and per domain the "
			    "autodiscover "
			    "decisions with their reasons\n"
			    "policy reload: read every certificate again, re-evaluate, publish\n"
			    "explain NAME TYPE: why NAME TYPE gets its answer (zone data, "
			    "wildcard, "
			    "policy)\n"
			    "stop: stop sandnsd\n"
			    "prefix a command with 'json' for JSON\n");
	} else if (*args != '\0' && (strcmp(cmd, "status") == 0 || strcmp(cmd, "stats") == 0 ||
				     strcmp(cmd, "stop") == 0)) {
		snprintf(err, sizeof(err), "%s takes no argument", cmd);
	} else if (strcmp(cmd, "status") == 0) {
		ctl_cmd_status(ctl, json, &body);
	} else if (strcmp(cmd, "stats") == 0) {
		ctl_cmd_stats(ctl, json, &body);
	} else if (strcmp(cmd, "reload") == 0) {
		const char *w[2];
		char words[CTL_LINE_MAX];
		size_t nw = ctl_words(args, words, sizeof(words), w, 2);
		ctl_rebuild_t what = {.zones = true, .zone = nw == 1 ? w[0] : NULL};

		if (nw > 1)
			snprintf(err, sizeof(err), "usage: reload [ZONE]");
		else
			ctl_cmd_reload(ctl, &what, json, &body, err, sizeof(err));
		if (nw > 1)
			;
		else if (err[0] != '\0')
			log_msg(LOG_ERR, "reload failed, still serving the previous snapshot: %s",
				err);
		else
			log_msg(LOG_INFO, "reloaded %s (%zu zones, %zu records) on request",
				nw == 1 ? w[0] : "every zone", ctl->info.nzones, ctl->info.records);
	} else if (strcmp(cmd, "policy") == 0) {
		const char *w[3];
		char words[CTL_LINE_MAX];
		size_t nw = ctl_words(args, words, sizeof(words), w, 3);

		if (nw >= 1 && nw <= 2 && strcmp(w[0], "show") == 0) {
			ctl_fmt_policy(&ctl->info, nw == 2 ? w[1] : NULL, json, &body, err,
				       sizeof(err));
		} else if (nw == 1 && strcmp(w[0], "reload") == 0) {
			ctl_rebuild_t what = {.certs = CTL_CERTS_ALL};

			free(ctl->pending_key);
			ctl->pending_key = NULL;
			ctl_cmd_reload(ctl, &what, json, &body, err, sizeof(err));
			if (err[0] != '\0')
				log_msg(LOG_ERR,
					"policy reload failed, the previous certificates and "
					"policy stay: %s",
					err);
			else
				log_msg(LOG_INFO, "policy reloaded: %zu certificate%s",
					ctl->info.ncerts, ctl->info.ncerts == 1 ? "" : "s");
			if (err[0] == '\0' && !json) {
				BUF_LIT(&body, "\n");
				ctl_fmt_policy(&ctl->info, NULL, false, &body, err, sizeof(err));
			}
		} else {
			snprintf(err, sizeof(err), "usage: policy show [DOMAIN] | policy reload");
		}
	} else if (strcmp(cmd, "explain") == 0) {
		const char *w[3];
		char words[CTL_LINE_MAX];
		size_t nw = ctl_words(args, words, sizeof(words), w, 3);

		if (nw != 2)
			snprintf(err, sizeof(err), "usage: explain NAME TYPE");
		else
			ctl_fmt_explain(&ctl->info, ctl->current, w[0], w[1], json, &body, err,
					sizeof(err));
	} else if (strcmp(cmd, "stop") == 0) {
		buf_printf(&body, json ? "{\"ok\":true,\"stopping\":true}\n" : "stopping\n");
		*stop = true;
	} else {
		char shown[65];
		size_t k;

		/* Echoed as text: what is not printable ASCII shows as '?' (JSON needs UTF-8). */
		for (k = 0; k < n && k < sizeof(shown) - 1; k++)
			shown[k] = line[k] > 0x20 && line[k] < 0x7f ? line[k] : '?';
		shown[k] = '\0';
		snprintf(err, sizeof(err), "unknown command '%s'; commands: " CTL_COMMANDS, shown);
	}

	if (err[0] != '\0') {
		body.len = 0;
		if (json) {
			BUF_LIT(&body, "{\"ok\":false,\"error\":");
			buf_json_str(&body, err);
			BUF_LIT(&body, "}\n");
		} else if (strcmp(cmd, "reload") == 0) {
			buf_printf(&body, "the previous snapshot is still served\n");
		}
	}
	ctl_frame(&resp, err[0] != '\0' ? err : NULL, &body);
	free(body.p);
	if (body.oom || resp.oom) {
		free(resp.p);
		return -ENOMEM;
	}
	*out = resp.p;
	*outlen = resp.len;
	return SANDNS_EOK;
}

static int ctl_bind(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	struct stat st;
	mode_t old;
	int fd, probe, rc;

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			snprintf(err, errlen,
				 "control socket %s: the path exists and is not a "
				 "socket; remove it or pick another --control",
				 path);
			return -EEXIST;
		}
		/* A socket that answers belongs to a running daemon; one that does not is stale. */
		probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (probe >= 0 && connect(probe, (struct sockaddr *)&sun, sizeof(sun)) == 0) {
			close(probe);
			snprintf(err, errlen,
				 "control socket %s: another sandnsd answers on it; "
				 "stop it or pick another --control",
				 path);
			return -EADDRINUSE;
		}
		if (probe >= 0)
			close(probe);
		unlink(path);
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "control socket: %s", strerror(errno));
		return rc;
	}
	/* Owner-only from the start: no moment where others could connect. */
	old = umask(0177);
	rc = bind(fd, (struct sockaddr *)&sun, sizeof(sun));
	umask(old);
	if (rc != 0 || chmod(path, 0600) != 0 || listen(fd, 16) != 0) {
		rc = -errno;
		snprintf(err, errlen, "cannot create the control socket %s: %s", path,
			 strerror(errno));
		close(fd);
		return rc;
	}
	return fd;
}

ctl_t *ctl_new(const cfg_t *cfg, srv_t *srv, char *err, size_t errlen)
{
	struct epoll_event ev;
	sigset_t set;
	ctl_t *ctl;
	int fd;

	ctl = calloc(1, sizeof(*ctl));
	if (ctl == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	ctl->cfg = cfg;
	ctl->srv = srv;
	ctl->ep = -1;
	ctl->sig_ev.kind = CTL_EV_SIGNAL;
	ctl->sig_ev.fd = -1;
	ctl->listen_ev.kind = CTL_EV_LISTEN;
	ctl->listen_ev.fd = -1;
	ctl->probe_ev.kind = CTL_EV_PROBE;
	ctl->probe_ev.fd = -1;
	ctl->watch_ev.kind = CTL_EV_WATCH;
	ctl->watch_ev.fd = -1;
	ctl->started_ms = clock_now_ms();

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	ctl->sig_ev.fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	ctl->ep = epoll_create1(EPOLL_CLOEXEC);
	if (ctl->sig_ev.fd < 0 || ctl->ep < 0) {
		snprintf(err, errlen, "cannot set up the control loop: %s", strerror(errno));
		goto out_free;
	}
	ev.events = EPOLLIN;
	ev.data.ptr = &ctl->sig_ev;
	if (epoll_ctl(ctl->ep, EPOLL_CTL_ADD, ctl->sig_ev.fd, &ev) != 0) {
		snprintf(err, errlen, "cannot set up the control loop: %s", strerror(errno));
		goto out_free;
	}
	ctl->probe_ev.fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	ev.events = EPOLLIN;
	ev.data.ptr = &ctl->probe_ev;
	if (ctl->probe_ev.fd < 0 || epoll_ctl(ctl->ep, EPOLL_CTL_ADD, ctl->probe_ev.fd, &ev) != 0) {
		snprintf(err, errlen, "cannot set up the control loop: %s", strerror(errno));
		goto out_free;
	}
	if (ctl_watch_init(ctl, err, errlen) != SANDNS_EOK)
		goto out_free;
	if (cfg->control != NULL) {
		fd = ctl_bind(cfg->control, err, errlen);
		if (fd < 0)
			goto out_free;
		ctl->listen_ev.fd = fd;
		ctl->own_path = true;
		ev.events = EPOLLIN;
		ev.data.ptr = &ctl->listen_ev;
		if (epoll_ctl(ctl->ep, EPOLL_CTL_ADD, fd, &ev) != 0) {
			snprintf(err, errlen, "cannot set up the control loop: %s",
				 strerror(errno));
			goto out_free;
		}
	}
	return ctl;

out_free:
	ctl_free(&ctl);
	return NULL;
}

int ctl_after_fork(ctl_t *ctl, char *err, size_t errlen)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &ctl->sig_ev};

	if (epoll_ctl(ctl->ep, EPOLL_CTL_DEL, ctl->sig_ev.fd, NULL) != 0 ||
	    epoll_ctl(ctl->ep, EPOLL_CTL_ADD, ctl->sig_ev.fd, &ev) != 0) {
		snprintf(err, errlen, "cannot watch signals after going into the background: %s",
			 strerror(errno));
		return -errno;
	}
	return SANDNS_EOK;
}

static void ctl_client_close(ctl_t *ctl, struct ctl_client *c)
{
	if (c->ev.fd < 0)
		return;
	epoll_ctl(ctl->ep, EPOLL_CTL_DEL, c->ev.fd, NULL);
	close(c->ev.fd);
	c->ev.fd = -1;
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		ctl->clients = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	ctl->nclients--;
	free(c->out);
	c->out = NULL;
	c->next = ctl->dead;
	ctl->dead = c;
}

static void ctl_client_want(ctl_t *ctl, struct ctl_client *c, uint32_t events)
{
	struct epoll_event ev = {.events = events, .data.ptr = c};

	if (c->events == events)
		return;
	if (epoll_ctl(ctl->ep, EPOLL_CTL_MOD, c->ev.fd, &ev) == 0)
		c->events = events;
	else
		ctl_client_close(ctl, c);
}

/* Answers one request of client C into its (empty) output. */
static void ctl_client_request(ctl_t *ctl, struct ctl_client *c, const char *line)
{
	bool stop = false;

	free(c->out);
	c->out = NULL;
	c->out_off = c->out_len = 0;
	if (ctl_handle_line(ctl, line, &c->out, &c->out_len, &stop) != SANDNS_EOK) {
		c->out = strdup("error: out of memory\n.\n");
		c->out_len = c->out != NULL ? strlen(c->out) : 0;
		c->close_after = true;
	}
	if (stop)
		ctl->stop = true;
}

/* A fixed reply to client C's request (its output is empty). */
static void ctl_client_reply(struct ctl_client *c, const char *text)
{
	free(c->out);
	c->out = strdup(text);
	c->out_off = 0;
	c->out_len = c->out != NULL ? strlen(c->out) : 0;
	if (c->out == NULL)
		c->close_after = true;
}

/* Moves client C along: send output, then take the next request line. */
static void ctl_client_io(ctl_t *ctl, struct ctl_client *c)
{
	char *nl;
	ssize_t n;

	for (;;) {
		while (c->out_off < c->out_len) {
			n = send(c->ev.fd, c->out + c->out_off, c->out_len - c->out_off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
				ctl_client_want(ctl, c, EPOLLOUT);
				return;
			}
			if (n < 0) {
				ctl_client_close(ctl, c);
				return;
			}
			c->out_off += (size_t)n;
			c->last_ms = clock_now_ms();
		}
		if (ctl->stop)
			return;
		if (c->close_after && !c->draining) {
			if (c->in_len == 0 && c->eof) {
				ctl_client_close(ctl, c);
				return;
			}
			/*
			 * Closing with unread input would reset the connection and could destroy
			 * the reply before the client reads it: shut our side and drop the rest.
			 */
			shutdown(c->ev.fd, SHUT_WR);
			c->draining = true;
		}
		if (c->draining) {
			n = recv(c->ev.fd, c->in, sizeof(c->in), MSG_DONTWAIT);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
				ctl_client_want(ctl, c, EPOLLIN);
				return;
			}
			if (n <= 0) {
				ctl_client_close(ctl, c);
				return;
			}
			/* One read per event; no last_ms update: the idle limit ends it. */
			ctl_client_want(ctl, c, EPOLLIN);
			return;
		}
		nl = memchr(c->in, '\n', c->in_len);
		if (nl != NULL) {
			size_t used = (size_t)(nl - c->in) + 1;

			*nl = '\0';
			if (memchr(c->in, '\0', used - 1) != NULL)
				ctl_client_reply(c, "error: the request holds a NUL byte\n.\n");
			else
				ctl_client_request(ctl, c, c->in);
			memmove(c->in, c->in + used, c->in_len - used);
			c->in_len -= used;
			continue;
		}
		if (c->in_len == sizeof(c->in)) {
			/* No end in sight: answer once and hang up rather than guess the end. */
			free(c->out);
			c->out = NULL;
			if (asprintf(&c->out, "error: request longer than %d bytes\n.\n",
				     CTL_LINE_MAX) < 0)
				c->out = NULL;
			c->out_off = 0;
			c->out_len = c->out != NULL ? strlen(c->out) : 0;
			c->in_len = 0;
			c->close_after = true;
			continue;
		}
		if (c->eof) {
			if (c->in_len == 0) {
				ctl_client_close(ctl, c);
				return;
			}
			/* A last request without its newline still gets its answer. */
			c->in[c->in_len] = '\0';
			if (memchr(c->in, '\0', c->in_len) != NULL)
				ctl_client_reply(c, "error: the request holds a NUL byte\n.\n");
			else
				ctl_client_request(ctl, c, c->in);
			c->in_len = 0;
			c->close_after = true;
			continue;
		}
		/* Not full (see above): a last line without its newline can be terminated. */
		n = recv(c->ev.fd, c->in + c->in_len, sizeof(c->in) - c->in_len, MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			ctl_client_want(ctl, c, EPOLLIN);
			return;
		}
		if (n < 0) {
			ctl_client_close(ctl, c);
			return;
		}
		if (n == 0)
			c->eof = true;
		c->in_len += (size_t)n;
		c->last_ms = clock_now_ms();
	}
}

/*
 * The socket file is 0600, but its mode is only as good as the directory it sits in and the
 * operator's chmod: the kernel's word on who connected decides. Root and the daemon's own
 * user may command it; anyone else is told why and let go.
 */
/*
 * Sends a refusal to a client not taken on. A request already there is read and dropped: the
 * close that follows would otherwise make the peer's next read after the refusal a reset.
 */
static void ctl_refuse(int fd, const char *msg, size_t len)
{
	char drop[512];

	if (send(fd, msg, len, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
		log_msg(LOG_DEBUG, "control client refused: %s", strerror(errno));
	for (int i = 0; i < 8 && recv(fd, drop, sizeof(drop), MSG_DONTWAIT) > 0; i++)
		;
}

static bool ctl_peer_allowed(ctl_t *ctl, int fd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	char msg[128];
	int n;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 || len != sizeof(cred)) {
		log_msg(LOG_WARNING, "control client refused: no peer credentials (%s)",
			strerror(errno));
		return false;
	}
	if (cred.uid == 0 || cred.uid == geteuid())
		return true;
	ctl->refused++;
	/*
	 * The reason, then the connection closed: a refused peer takes no client slot. On a Unix
	 * socket what was sent stays readable after the close (sandnsctl reads it even when its
	 * own request then meets a broken pipe).
	 */
	n = snprintf(msg, sizeof(msg),
		     "error: permission denied: uid %u may not use the control socket\n.\n",
		     (unsigned)cred.uid);
	ctl_refuse(fd, msg, (size_t)n);
	/* One line per second at most: a local user must not be able to flood the log. */
	if (clock_now_ms() - ctl->refused_log_ms >= 1000) {
		log_msg(LOG_WARNING,
			"control client refused: uid %u pid %d is neither root nor uid %u "
			"(%llu refused so far)",
			(unsigned)cred.uid, (int)cred.pid, (unsigned)geteuid(),
			(unsigned long long)ctl->refused);
		ctl->refused_log_ms = clock_now_ms();
	}
	return false;
}

/* At the cap: the client silent longest, if it has been for CTL_EVICT_IDLE_MS, or NULL. */
static struct ctl_client *ctl_evictable(ctl_t *ctl)
{
	struct ctl_client *c, *best = NULL;
	const uint64_t now = clock_now_ms();

	for (c = ctl->clients; c != NULL; c = c->next)
		if (c->out_off >= c->out_len && (best == NULL || c->last_ms < best->last_ms))
			best = c;
	return best != NULL && now - best->last_ms >= CTL_EVICT_IDLE_MS ? best : NULL;
}

static void ctl_accept(ctl_t *ctl)
{
	struct epoll_event ev;
	struct ctl_client *c;
	int fd, i;

	for (i = 0; i < 16; i++) {
		fd = accept4(ctl->listen_ev.fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		if (!ctl_peer_allowed(ctl, fd)) {
			close(fd);
			continue;
		}
		if (ctl->nclients >= CTL_CLIENTS_MAX) {
			struct ctl_client *old = ctl_evictable(ctl);

			if (old != NULL) {
				ctl_client_close(ctl, old);
			} else {
				static const char busy[] = "error: too many control clients\n.\n";

				ctl_refuse(fd, busy, sizeof(busy) - 1);
				close(fd);
				continue;
			}
		}
		c = malloc(sizeof(*c));
		if (c == NULL) {
			close(fd);
			continue;
		}
		c->ev.kind = CTL_EV_CLIENT;
		c->ev.fd = fd;
		c->eof = false;
		c->close_after = false;
		c->draining = false;
		c->events = EPOLLIN;
		c->last_ms = clock_now_ms();
		c->out = NULL;
		c->out_off = c->out_len = 0;
		c->in_len = 0;
		ev.events = EPOLLIN;
		ev.data.ptr = c;
		if (epoll_ctl(ctl->ep, EPOLL_CTL_ADD, fd, &ev) != 0) {
			close(fd);
			free(c);
			continue;
		}
		c->prev = NULL;
		c->next = ctl->clients;
		if (ctl->clients != NULL)
			ctl->clients->prev = c;
		ctl->clients = c;
		ctl->nclients++;
	}
}

static void ctl_signal(ctl_t *ctl)
{
	struct signalfd_siginfo si;
	char err[1024];

	while (read(ctl->sig_ev.fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			if (ctl_reload(ctl, NULL, err, sizeof(err)) == SANDNS_EOK)
				log_msg(LOG_INFO, "reloaded %zu zones (%zu records) on SIGHUP",
					ctl->info.nzones, ctl->info.records);
			else
				log_msg(LOG_ERR,
					"reload failed, still serving the previous "
					"snapshot: %s",
					err);
		} else {
			log_msg(LOG_INFO, "SIG%s: stopping", sigabbrev_np((int)si.ssi_signo));
			ctl->stop = true;
		}
	}
}

static void ctl_free_dead(ctl_t *ctl)
{
	while (ctl->dead != NULL) {
		struct ctl_client *c = ctl->dead;

		ctl->dead = c->next;
		free(c);
	}
}

void ctl_run(ctl_t *ctl)
{
	struct epoll_event events[CTL_EVENTS];
	struct ctl_client *c, *next;
	uint64_t now;
	int n, i;

	/* What ctl_publish_first() left: the server answers by now. */
	ctl_drop_zones(ctl);
	while (!ctl->stop) {
		n = epoll_wait(ctl->ep, events, CTL_EVENTS, 1000);
		for (i = 0; i < n; i++) {
			struct ctl_ev *ev = events[i].data.ptr;

			if (ev->kind == CTL_EV_SIGNAL)
				ctl_signal(ctl);
			else if (ev->kind == CTL_EV_LISTEN)
				ctl_accept(ctl);
			else if (ev->kind == CTL_EV_PROBE)
				ctl_probe_done(ctl);
			else if (ev->kind == CTL_EV_WATCH)
				ctl_watch_event(ctl);
			else if (ev->fd >= 0)
				ctl_client_io(ctl, (struct ctl_client *)ev);
		}
		ctl_probe_tick(ctl);
		ctl_watch_tick(ctl);
		now = clock_now_ms();
		for (c = ctl->clients; c != NULL; c = next) {
			next = c->next;
			if (now - c->last_ms >= CTL_CLIENT_IDLE_MS)
				ctl_client_close(ctl, c);
		}
		ctl_free_dead(ctl);
	}
}

void ctl_free(ctl_t **ctlp)
{
	ctl_t *ctl;

	if (ctlp == NULL || *ctlp == NULL)
		return;
	ctl = *ctlp;
	/* Last words (the reply to `stop`) go out if the socket takes them now. */
	while (ctl->clients != NULL) {
		struct ctl_client *c = ctl->clients;

		if (c->out_off < c->out_len &&
		    send(c->ev.fd, c->out + c->out_off, c->out_len - c->out_off,
			 MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
			log_msg(LOG_DEBUG, "control reply lost: %s", strerror(errno));
		ctl_client_close(ctl, c);
	}
	ctl_free_dead(ctl);
	ctl_probe_fini(ctl);
	ctl_watch_fini(ctl);
	if (ctl->listen_ev.fd >= 0)
		close(ctl->listen_ev.fd);
	if (ctl->own_path)
		unlink(ctl->cfg->control);
	if (ctl->sig_ev.fd >= 0)
		close(ctl->sig_ev.fd);
	if (ctl->ep >= 0)
		close(ctl->ep);
	ctl_build_clear(&ctl->info);
	free(ctl);
	*ctlp = NULL;
}
