/* SPDX-License-Identifier: BSD-3-Clause */
/* cfg_reload.c: a configuration read again at run time keeps what only a restart can change */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "sandns_err.h"

static bool str_eq(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static bool strv_eq(char *const *a, size_t na, char *const *b, size_t nb)
{
	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++)
		if (!str_eq(a[i], b[i]))
			return false;
	return true;
}

/* *DST becomes a copy of SRC (NULL stays NULL); false without memory (*DST then NULL). */
static bool str_set(char **dst, const char *src)
{
	free(*dst);
	*dst = src != NULL ? strdup(src) : NULL;
	return src == NULL || *dst != NULL;
}

static bool strv_set(char ***dst, size_t *ndst, char *const *src, size_t nsrc)
{
	for (size_t i = 0; i < *ndst; i++)
		free((*dst)[i]);
	free(*dst);
	*ndst = 0;
	*dst = calloc(nsrc + 1, sizeof(**dst));
	if (*dst == NULL)
		return false;
	for (size_t i = 0; i < nsrc; i++) {
		if (((*dst)[i] = strdup(src[i])) == NULL)
			return false;
		*ndst = i + 1;
	}
	return true;
}

static bool listens_eq(const cfg_t *a, const cfg_t *b)
{
	if (a->nlistens != b->nlistens)
		return false;
	for (size_t i = 0; i < a->nlistens; i++)
		if (strcmp(a->listens[i].text, b->listens[i].text) != 0)
			return false;
	return true;
}

static bool logs_eq(const cfg_t *a, const cfg_t *b)
{
	if (a->nlog_targets != b->nlog_targets || a->log_level != b->log_level)
		return false;
	for (size_t i = 0; i < a->nlog_targets; i++)
		if (a->log_targets[i].kind != b->log_targets[i].kind ||
		    a->log_targets[i].level != b->log_targets[i].level ||
		    !str_eq(a->log_targets[i].path, b->log_targets[i].path))
			return false;
	return true;
}

static bool listens_set(cfg_t *next, const cfg_t *cur)
{
	free(next->listens);
	next->nlistens = 0;
	next->listens = calloc(cur->nlistens + 1, sizeof(*next->listens));
	if (next->listens == NULL)
		return false;
	memcpy(next->listens, cur->listens, cur->nlistens * sizeof(*cur->listens));
	next->nlistens = cur->nlistens;
	return true;
}

static bool logs_set(cfg_t *next, const cfg_t *cur)
{
	for (size_t i = 0; i < next->nlog_targets; i++) {
		free(next->log_targets[i].path);
		free(next->log_targets[i].where);
	}
	free(next->log_targets);
	next->nlog_targets = 0;
	next->log_level = cur->log_level;
	next->log_targets = calloc(cur->nlog_targets + 1, sizeof(*next->log_targets));
	if (next->log_targets == NULL)
		return false;
	for (size_t i = 0; i < cur->nlog_targets; i++) {
		next->log_targets[i] = cur->log_targets[i];
		next->log_targets[i].path = NULL;
		next->log_targets[i].where = NULL;
		if (!str_set(&next->log_targets[i].path, cur->log_targets[i].path) ||
		    !str_set(&next->log_targets[i].where, cur->log_targets[i].where))
			return false;
		next->nlog_targets = i + 1;
	}
	return true;
}

/* One key that a running sandnsd cannot change: its name, and whether it did change. */
static void said(char *warn, size_t len, size_t *used, const char *key, bool same, size_t *n)
{
	int w;

	if (same)
		return;
	(*n)++;
	if (*used >= len)
		return;
	w = snprintf(warn + *used, len - *used, "warning: %s changed: restart sandnsd to apply\n",
		     key);
	if (w > 0)
		*used = *used + (size_t)w < len ? *used + (size_t)w : len;
}

int cfg_keep_static(cfg_t *next, const cfg_t *cur, char *warn, size_t len, size_t *nwarn)
{
	size_t used = 0, n = 0;
	bool ok = true;

	if (len > 0)
		warn[0] = '\0';
	/* sandnsd gave state-dir its default when none was set: none is that default again. */
	if (next->state_dir == NULL && cur->state_dir != NULL &&
	    strcmp(cur->state_dir, CFG_STATE_DIR_DEFAULT) == 0)
		ok &= str_set(&next->state_dir, cur->state_dir);

	said(warn, len, &used, "listen", listens_eq(next, cur), &n);
	said(warn, len, &used, "io", next->io == cur->io, &n);
	said(warn, len, &used, "eal-args",
	     strv_eq(next->eal_args, next->neal_args, cur->eal_args, cur->neal_args), &n);
	said(warn, len, &used, "control", str_eq(next->control, cur->control), &n);
	said(warn, len, &used, "metrics",
	     next->has_metrics == cur->has_metrics &&
		 (!cur->has_metrics || strcmp(next->metrics.text, cur->metrics.text) == 0),
	     &n);
	said(warn, len, &used, "foreground", next->foreground == cur->foreground, &n);
	said(warn, len, &used, "user", str_eq(next->user, cur->user), &n);
	said(warn, len, &used, "pid-file", str_eq(next->pid_file, cur->pid_file), &n);
	said(warn, len, &used, "log-target or log-level", logs_eq(next, cur), &n);
	said(warn, len, &used, "dnstap", str_eq(next->dnstap, cur->dnstap), &n);
	said(warn, len, &used, "dnstap-log-queries",
	     next->dnstap_log_queries == cur->dnstap_log_queries, &n);
	said(warn, len, &used, "dnstap-log-responses",
	     next->dnstap_log_responses == cur->dnstap_log_responses, &n);
	said(warn, len, &used, "state-dir", str_eq(next->state_dir, cur->state_dir), &n);
	said(warn, len, &used, "serial-state", str_eq(next->serial_state, cur->serial_state), &n);
	said(warn, len, &used, "udp-workers", next->udp_workers == cur->udp_workers, &n);
	said(warn, len, &used, "tcp-idle-timeout", next->tcp_idle_timeout == cur->tcp_idle_timeout,
	     &n);
	said(warn, len, &used, "tcp-io-timeout", next->tcp_io_timeout == cur->tcp_io_timeout, &n);
	said(warn, len, &used, "tcp-max-clients", next->tcp_max_clients == cur->tcp_max_clients,
	     &n);
	said(warn, len, &used, "transfers-out", next->transfers_out == cur->transfers_out, &n);
	said(warn, len, &used, "rate-limit", memcmp(&next->rrl, &cur->rrl, sizeof(cur->rrl)) == 0,
	     &n);
	said(warn, len, &used, "cert", strv_eq(next->certs, next->ncerts, cur->certs, cur->ncerts),
	     &n);
	said(warn, len, &used, "cert-probe-interval",
	     next->cert_probe_interval == cur->cert_probe_interval, &n);
	said(warn, len, &used, "watch", next->watch == cur->watch, &n);
	said(warn, len, &used, "zone-max-size", next->zone_max_size == cur->zone_max_size, &n);

	/* What is served keeps running as it started. */
	ok &= listens_set(next, cur);
	next->io = cur->io;
	ok &= strv_set(&next->eal_args, &next->neal_args, cur->eal_args, cur->neal_args);
	ok &= str_set(&next->control, cur->control);
	next->metrics = cur->metrics;
	next->has_metrics = cur->has_metrics;
	next->foreground = cur->foreground;
	ok &= str_set(&next->user, cur->user);
	next->uid = cur->uid;
	next->gid = cur->gid;
	ok &= str_set(&next->pid_file, cur->pid_file);
	ok &= logs_set(next, cur);
	ok &= str_set(&next->dnstap, cur->dnstap);
	next->dnstap_log_queries = cur->dnstap_log_queries;
	next->dnstap_log_responses = cur->dnstap_log_responses;
	ok &= str_set(&next->state_dir, cur->state_dir);
	ok &= str_set(&next->serial_state, cur->serial_state);
	next->udp_workers = cur->udp_workers;
	next->tcp_idle_timeout = cur->tcp_idle_timeout;
	next->tcp_io_timeout = cur->tcp_io_timeout;
	next->tcp_max_clients = cur->tcp_max_clients;
	next->transfers_out = cur->transfers_out;
	next->rrl = cur->rrl;
	ok &= strv_set(&next->certs, &next->ncerts, cur->certs, cur->ncerts);
	next->cert_probe_interval = cur->cert_probe_interval;
	next->watch = cur->watch;
	next->zone_max_size = cur->zone_max_size;
	if (nwarn != NULL)
		*nwarn = n;
	return ok ? SANDNS_EOK : -ENOMEM;
}

static bool acls_eq(const cfg_acl_t *a, size_t na, const cfg_acl_t *b, size_t nb)
{
	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++)
		if (strcmp(a[i].prefix.text, b[i].prefix.text) != 0 ||
		    strcmp(a[i].key, b[i].key) != 0)
			return false;
	return true;
}

static bool keys_eq(const cfg_t *a, const cfg_t *b)
{
	if (a->nkeys != b->nkeys)
		return false;
	for (size_t i = 0; i < a->nkeys; i++) {
		const tsig_key_t *x = &a->keys[i], *y = &b->keys[i];

		if (x->name_len != y->name_len || memcmp(x->name, y->name, x->name_len) != 0 ||
		    x->alg != y->alg || x->secret_len != y->secret_len ||
		    memcmp(x->secret, y->secret, x->secret_len) != 0)
			return false;
	}
	return true;
}

static bool zones_eq(const cfg_t *a, const cfg_t *b)
{
	if (a->nzones != b->nzones || a->nprimaries != b->nprimaries ||
	    a->nnotifies != b->nnotifies || a->ncatalogs != b->ncatalogs)
		return false;
	for (size_t i = 0; i < a->nzones; i++)
		if (strcmp(a->zones[i].origin, b->zones[i].origin) != 0 ||
		    !zsrc_same(&a->zones[i].src, &b->zones[i].src) ||
		    !str_eq(a->zones[i].catalog, b->zones[i].catalog) ||
		    !str_eq(a->zones[i].catalog_label, b->zones[i].catalog_label))
			return false;
	for (size_t i = 0; i < a->nprimaries; i++)
		if (strcmp(a->primaries[i].origin, b->primaries[i].origin) != 0 ||
		    strcmp(a->primaries[i].addr.text, b->primaries[i].addr.text) != 0 ||
		    !str_eq(a->primaries[i].key, b->primaries[i].key))
			return false;
	for (size_t i = 0; i < a->nnotifies; i++)
		if (strcmp(a->notifies[i].origin, b->notifies[i].origin) != 0 ||
		    strcmp(a->notifies[i].addr.text, b->notifies[i].addr.text) != 0 ||
		    !str_eq(a->notifies[i].key, b->notifies[i].key))
			return false;
	for (size_t i = 0; i < a->ncatalogs; i++)
		if (strcmp(a->catalogs[i].origin, b->catalogs[i].origin) != 0 ||
		    a->catalogs[i].producer != b->catalogs[i].producer)
			return false;
	return true;
}

bool cfg_same_running(const cfg_t *a, const cfg_t *b)
{
	return zones_eq(a, b) && keys_eq(a, b) &&
	       acls_eq(a->xfr_acl, a->nxfr_acl, b->xfr_acl, b->nxfr_acl) &&
	       acls_eq(a->notify_acl, a->nnotify_acl, b->notify_acl, b->nnotify_acl) &&
	       str_eq(a->identity, b->identity) && str_eq(a->version, b->version) &&
	       a->nsid_len == b->nsid_len &&
	       (a->nsid_len == 0 || memcmp(a->nsid, b->nsid, a->nsid_len) == 0) &&
	       a->udp_max_payload == b->udp_max_payload && a->cookies == b->cookies &&
	       a->cookie_secret_set == b->cookie_secret_set &&
	       memcmp(a->cookie_secret, b->cookie_secret, sizeof(a->cookie_secret)) == 0 &&
	       str_eq(a->srv_target, b->srv_target) &&
	       a->legacy_cn_fallback == b->legacy_cn_fallback && a->keep_zones == b->keep_zones &&
	       a->ixfr_max_size == b->ixfr_max_size && a->ixfr_max_depth == b->ixfr_max_depth &&
	       str_eq(a->text, b->text);
}
