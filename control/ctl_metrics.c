/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_metrics.c: what the control thread tells /metrics, and the breakdowns of `stats` */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctl_pvt.h"
#include "metrics.h"

/* The control thread's side of the metrics: the per-zone slots' names and bases, the reloads. */
struct ctl_metrics {
	metrics_t *server; /* NULL: no metrics key (the breakdowns of `stats` still work) */
	metrics_src_t src;
	char *zone_names[DGRAM_ZONES];
	uint64_t zone_base[DGRAM_ZONES];
	uint64_t zone_carry[DGRAM_ZONES];
	time_t reload_at; /* the last reload (the start until one happens) */
	bool reload_ok;
};

static struct ctl_metrics *ctl_metrics_get(ctl_t *ctl)
{
	if (ctl->metrics == NULL) {
		ctl->metrics = calloc(1, sizeof(*ctl->metrics));
		if (ctl->metrics == NULL)
			return NULL;
		ctl->metrics->src.srv = ctl->srv;
		ctl->metrics->reload_at = time(NULL);
		ctl->metrics->reload_ok = true;
	}
	return ctl->metrics;
}

void ctl_set_metrics(ctl_t *ctl, metrics_t *server, const metrics_src_t *src)
{
	struct ctl_metrics *cm = ctl_metrics_get(ctl);

	if (cm == NULL)
		return;
	cm->server = server;
	cm->src = *src;
}

void ctl_metrics_free(ctl_t *ctl)
{
	if (ctl->metrics == NULL)
		return;
	for (size_t z = 0; z < DGRAM_ZONES; z++)
		free(ctl->metrics->zone_names[z]);
	free(ctl->metrics);
	ctl->metrics = NULL;
}

/* The zone of slot Z in the snapshot served (1 + its index), or NULL. */
static const char *ctl_slot_origin(const zt_t *zt, size_t z)
{
	if (zt == NULL || z == 0 || z >= DGRAM_ZONES - 1 || z - 1 >= zt_zone_count(zt))
		return NULL;
	return zt_zone_origin(zt, z - 1);
}

/*
 * When the snapshot's zone list changed, a zone may count in another slot: each zone's count
 * goes on from what it had in its old slot (a zone new to the list starts at 0), so that its
 * counter never goes back. The slots are at most DGRAM_ZONES: comparing them all is bounded.
 */
static void ctl_metrics_zones(ctl_t *ctl, struct ctl_metrics *cm)
{
	metrics_counts_t *c;
	uint64_t had[DGRAM_ZONES];
	bool same = true;

	for (size_t z = 1; z < DGRAM_ZONES - 1 && same; z++) {
		const char *now = ctl_slot_origin(ctl->current, z);

		same = (now == NULL) == (cm->zone_names[z] == NULL) &&
		       (now == NULL || strcmp(now, cm->zone_names[z]) == 0);
	}
	if (same || (c = malloc(sizeof(*c))) == NULL)
		return;
	metrics_gather(&cm->src, c);
	for (size_t z = 0; z < DGRAM_ZONES; z++)
		had[z] = metrics_zone_value(c, cm->zone_base, cm->zone_carry, z);
	for (size_t z = 1; z < DGRAM_ZONES - 1; z++) {
		const char *now = ctl_slot_origin(ctl->current, z);
		uint64_t carried = 0;

		for (size_t o = 1; now != NULL && o < DGRAM_ZONES - 1; o++)
			if (cm->zone_names[o] != NULL && strcmp(cm->zone_names[o], now) == 0) {
				carried = had[o];
				break;
			}
		cm->zone_base[z] = c->zones[z];
		cm->zone_carry[z] = carried;
	}
	for (size_t z = 1; z < DGRAM_ZONES - 1; z++) {
		const char *now = ctl_slot_origin(ctl->current, z);

		free(cm->zone_names[z]);
		cm->zone_names[z] = now != NULL ? strdup(now) : NULL;
	}
	free(c);
}

/* The gauges: serials, the snapshot, the reloads, the policy's decisions. */
static void ctl_metrics_gauges(ctl_t *ctl, struct ctl_metrics *cm, buf_t *b)
{
	const zt_t *zt = ctl->current;
	const size_t nz = zt != NULL ? zt_zone_count(zt) : 0;
	const policy_t *p = ctl->info.policy;

	BUF_LIT(b, "# HELP sandns_zone_serial The SOA serial served per zone.\n"
		   "# TYPE sandns_zone_serial gauge\n");
	for (size_t i = 0; i < nz; i++) {
		if (zt_zone_origin(zt, i) == NULL)
			continue; /* a slot left empty by a zone taken out */
		BUF_LIT(b, "sandns_zone_serial{zone=");
		metrics_label(b, zt_zone_origin(zt, i));
		buf_printf(b, "} %lu\n", zt_zone_serial(zt, i));
	}
	buf_printf(b,
		   "# HELP sandns_zones Zones the snapshot serves.\n# TYPE sandns_zones gauge\n"
		   "sandns_zones %zu\n"
		   "# HELP sandns_snapshot_records Records the snapshot was built from.\n"
		   "# TYPE sandns_snapshot_records gauge\nsandns_snapshot_records %zu\n"
		   "# HELP sandns_snapshot_bytes Memory the snapshot holds.\n"
		   "# TYPE sandns_snapshot_bytes gauge\nsandns_snapshot_bytes %zu\n"
		   "# HELP sandns_reloads_total Reloads by result.\n"
		   "# TYPE sandns_reloads_total counter\n"
		   "sandns_reloads_total{result=\"ok\"} %lu\n"
		   "sandns_reloads_total{result=\"failed\"} %lu\n"
		   "# HELP sandns_snapshot_builds_total Snapshots reloads published, by how they "
		   "were made: patched from the one served, or compiled whole.\n"
		   "# TYPE sandns_snapshot_builds_total counter\n"
		   "sandns_snapshot_builds_total{build=\"patched\"} %lu\n"
		   "sandns_snapshot_builds_total{build=\"full\"} %lu\n"
		   "# HELP sandns_last_reload_timestamp_seconds When the last reload ended (the "
		   "start until one did).\n"
		   "# TYPE sandns_last_reload_timestamp_seconds gauge\n"
		   "sandns_last_reload_timestamp_seconds %lld\n"
		   "# HELP sandns_last_reload_success Whether the last reload was published "
		   "(1) or failed (0).\n"
		   "# TYPE sandns_last_reload_success gauge\nsandns_last_reload_success %d\n",
		   zt != NULL ? zt_zones_served(zt) : 0, ctl->info.records,
		   zt != NULL ? zt_memsize(zt) : 0, ctl->reloads, ctl->reload_failures,
		   ctl->builds_patched, ctl->builds_full, (long long)cm->reload_at,
		   cm->reload_ok ? 1 : 0);
	if (p == NULL)
		return;
	BUF_LIT(b, "# HELP sandns_policy_decision The autodiscover policy's decisions served "
		   "(1 per decision).\n# TYPE sandns_policy_decision gauge\n");
	for (size_t i = 0; i < policy_count(p); i++) {
		BUF_LIT(b, "sandns_policy_decision{domain=");
		metrics_label(b, policy_domain(p, i));
		BUF_LIT(b, ",name=");
		metrics_label(b, policy_name(p, i));
		buf_printf(b, ",family=\"%s\",decision=",
			   policy_family(p, i) == POLICY_FAMILY_A ? "A" : "AAAA");
		metrics_label(b, policy_kind_name(policy_kind(p, i)));
		buf_printf(b, ",alert=\"%s\"} 1\n", policy_alert(p, i) ? "yes" : "no");
	}
}

void ctl_metrics_update(ctl_t *ctl)
{
	struct ctl_metrics *cm = ctl_metrics_get(ctl);
	metrics_view_t v;
	buf_t b = {0};

	if (cm == NULL)
		return;
	ctl_metrics_zones(ctl, cm);
	if (cm->server == NULL)
		return;
	ctl_metrics_gauges(ctl, cm, &b);
	v.zone_names = (const char *const *)cm->zone_names;
	v.zone_base = cm->zone_base;
	v.zone_carry = cm->zone_carry;
	v.gauges = b.p;
	if (!b.oom)
		metrics_set_view(cm->server, &v);
	free(b.p);
}

void ctl_metrics_reloaded(ctl_t *ctl, bool ok)
{
	struct ctl_metrics *cm = ctl_metrics_get(ctl);

	if (cm == NULL)
		return;
	cm->reload_at = time(NULL);
	cm->reload_ok = ok;
	ctl_metrics_update(ctl);
}

/* One "name=value" list (text) or JSON object of the named counters FIRST.. of transport T. */
static void ctl_breakdown_block(buf_t *b, bool json, const uint64_t *dg, size_t first, size_t count)
{
	bool any = false;

	if (json)
		BUF_LIT(b, "{");
	for (size_t s = first; s < first + count; s++) {
		char v[METRICS_LABEL_MAX];

		if (dg[s] == 0)
			continue;
		metrics_stat_label(s, v);
		if (json)
			buf_printf(b, "%s\"%s\":%llu", any ? "," : "", v,
				   (unsigned long long)dg[s]);
		else
			buf_printf(b, " %s=%llu", v, (unsigned long long)dg[s]);
		any = true;
	}
	if (json)
		BUF_LIT(b, "}");
}

void ctl_metrics_stats(ctl_t *ctl, bool json, buf_t *b)
{
	struct ctl_metrics *cm = ctl_metrics_get(ctl);
	metrics_counts_t *c;
	const char *sep = "";

	if (cm == NULL || (c = malloc(sizeof(*c))) == NULL) {
		b->oom = true;
		return;
	}
	metrics_gather(&cm->src, c);
	if (json)
		BUF_LIT(b, ",\"by_transport\":{");
	for (size_t t = 0; t < METRICS_TRANSPORTS; t++) {
		const char *name = metrics_transport_names[t];

		if (t == METRICS_DPDK && !c->dpdk)
			continue;
		if (json)
			buf_printf(b, "%s\"%s\":{\"received\":%llu,\"qtype\":", sep, name,
				   (unsigned long long)c->dg[t][DGRAM_RECEIVED]);
		else
			buf_printf(b, "%s qtype:", name);
		ctl_breakdown_block(b, json, c->dg[t], DGRAM_QTYPE_FIRST, DGRAM_QTYPES);
		if (json)
			BUF_LIT(b, ",\"rcode\":");
		else
			buf_printf(b, "\n%s rcode:", name);
		ctl_breakdown_block(b, json, c->dg[t], DGRAM_RCODE_FIRST,
				    DGRAM_RCODE_OTHER + 1 - DGRAM_RCODE_FIRST);
		buf_printf(b, "%s", json ? "}" : "\n");
		sep = ",";
	}
	buf_printf(b, "%s", json ? "},\"zones\":{" : "zones:");
	sep = "";
	for (size_t z = 0; z < DGRAM_ZONES; z++) {
		const char *name = z == 0		  ? "(none)"
				   : z == DGRAM_ZONES - 1 ? "(other)"
							  : cm->zone_names[z];
		const uint64_t n = metrics_zone_value(c, cm->zone_base, cm->zone_carry, z);

		if (name == NULL || (n == 0 && cm->zone_names[z] == NULL))
			continue;
		if (json) {
			buf_printf(b, "%s", sep);
			buf_json_str(b, name);
			buf_printf(b, ":%llu", (unsigned long long)n);
		} else {
			buf_printf(b, " %s=%llu", name, (unsigned long long)n);
		}
		sep = ",";
	}
	buf_printf(b, "%s", json ? "}" : "\n");
	if (c->has_port) {
		const metrics_port_t *p = &c->port;

		buf_printf(b,
			   json ? ",\"dpdk_port\":{\"rx_packets\":%llu,\"tx_packets\":%llu,"
				  "\"missed\":%llu,\"rx_errors\":%llu,\"tx_errors\":%llu,"
				  "\"no_mbuf\":%llu}"
				: "dpdk-port: rx-packets=%llu tx-packets=%llu missed=%llu "
				  "rx-errors=%llu tx-errors=%llu no-mbuf=%llu\n",
			   (unsigned long long)p->ipackets, (unsigned long long)p->opackets,
			   (unsigned long long)p->imissed, (unsigned long long)p->ierrors,
			   (unsigned long long)p->oerrors, (unsigned long long)p->rx_nombuf);
	}
	free(c);
}
