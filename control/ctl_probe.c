/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_probe.c: live tls:// certificates probed again on an interval; flips after two agree */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "clock.h"
#include "ctl_pvt.h"
#include "log.h"
#include "sandns_err.h"

/* One probe connects to each endpoint in turn; each gets this long. */
#define CTL_PROBE_TIMEOUT_MS 5000

enum ctl_flip ctl_flip(const char *served, char **pending, const char *seen)
{
	if (strcmp(served, seen) == 0) {
		free(*pending);
		*pending = NULL;
		return CTL_FLIP_SAME;
	}
	if (*pending != NULL && strcmp(*pending, seen) == 0) {
		free(*pending);
		*pending = NULL;
		return CTL_FLIP_APPLY;
	}
	free(*pending);
	*pending = strdup(seen); /* without memory: no flip now, the next probe tries again */
	return CTL_FLIP_WAIT;
}

static bool is_tls(const char *src)
{
	return strncmp(src, "tls://", 6) == 0;
}

/* The probe thread: fetches every tls:// leaf, then says so on the eventfd. */
static void *probe_main(void *arg)
{
	ctl_t *ctl = arg;
	const cfg_t *cfg = ctl->cfg;
	uint64_t one = 1;
	char reason[1024];

	for (size_t i = 0; i < cfg->ncerts; i++) {
		if (!is_tls(cfg->certs[i]))
			continue;
		ctl->probed[i] =
		    cert_load(cfg->certs[i], CTL_PROBE_TIMEOUT_MS, reason, sizeof(reason));
		if (ctl->probed[i] == NULL)
			ctl->probe_err[i] = strdup(reason);
	}
	if (write(ctl->probe_ev.fd, &one, sizeof(one)) != (ssize_t)sizeof(one))
		log_msg(LOG_ERR, "certificate probe: cannot wake the control thread: %s",
			strerror(errno));
	return NULL;
}

static void probe_schedule(ctl_t *ctl)
{
	bool any = false;

	for (size_t i = 0; i < ctl->cfg->ncerts; i++)
		any |= is_tls(ctl->cfg->certs[i]);
	ctl->next_probe_ms = any && ctl->cfg->cert_probe_interval > 0
				 ? clock_now_ms() + ctl->cfg->cert_probe_interval * 1000ull
				 : 0;
}

void ctl_probe_tick(ctl_t *ctl)
{
	size_t n = ctl->cfg->ncerts;
	int rc;

	if (ctl->probing || ctl->probe_ev.fd < 0)
		return;
	if (ctl->next_probe_ms == 0) {
		/* First call: the interval starts when serving does. */
		probe_schedule(ctl);
		return;
	}
	if (clock_now_ms() < ctl->next_probe_ms)
		return;
	ctl->probed = calloc(n, sizeof(*ctl->probed));
	ctl->probe_err = calloc(n, sizeof(*ctl->probe_err));
	if (ctl->probed == NULL || ctl->probe_err == NULL) {
		log_msg(LOG_ERR, "certificate probe: out of memory");
		goto out_free;
	}
	rc = pthread_create(&ctl->probe_tid, NULL, probe_main, ctl);
	if (rc != 0) {
		log_msg(LOG_ERR, "certificate probe: cannot start a thread: %s", strerror(rc));
		goto out_free;
	}
	ctl->probing = true;
	return;
out_free:
	free(ctl->probed);
	free(ctl->probe_err);
	ctl->probed = NULL;
	ctl->probe_err = NULL;
	probe_schedule(ctl);
}

static void probe_free(ctl_t *ctl)
{
	for (size_t i = 0; ctl->probed != NULL && i < ctl->cfg->ncerts; i++) {
		cert_free(&ctl->probed[i]);
		free(ctl->probe_err[i]);
	}
	free(ctl->probed);
	free(ctl->probe_err);
	ctl->probed = NULL;
	ctl->probe_err = NULL;
}

/* Whether the probe brought a leaf other than the one served for some source. */
static bool leaf_changed(const ctl_t *ctl)
{
	for (size_t i = 0; i < ctl->cfg->ncerts && i < ctl->info.ncerts; i++)
		if (ctl->probed[i] != NULL &&
		    strcmp(cert_fingerprint_sha256(ctl->probed[i]),
			   cert_fingerprint_sha256(ctl->info.certs[i])) != 0)
			return true;
	return false;
}

void ctl_probe_done(ctl_t *ctl, ctl_todo_t *todo)
{
	uint64_t v;
	ctl_rebuild_t what = {0};
	ctl_build_t b;
	char err[1024];
	size_t got = 0;

	memset(todo, 0, sizeof(*todo));
	if (read(ctl->probe_ev.fd, &v, sizeof(v)) != (ssize_t)sizeof(v) || !ctl->probing)
		return;
	pthread_join(ctl->probe_tid, NULL);
	ctl->probing = false;
	ctl->probes++;
	probe_schedule(ctl);
	for (size_t i = 0; i < ctl->cfg->ncerts; i++) {
		if (ctl->probe_err[i] != NULL)
			/* The last good leaf keeps serving: an endpoint down is no new certificate.
			 */
			log_msg(LOG_WARNING, "certificate probe: %s (keeping the leaf seen before)",
				ctl->probe_err[i]);
		got += ctl->probed[i] != NULL;
	}
	if (got == 0 || !leaf_changed(ctl)) {
		/* The same leaves as served: the served decisions stand. */
		if (got > 0) {
			free(ctl->pending_key);
			ctl->pending_key = NULL;
		}
		probe_free(ctl);
		return;
	}
	what.fresh = ctl->probed;
	if (ctl_build(ctl->cfg, &ctl->info, &what, &b, err, sizeof(err)) != SANDNS_EOK) {
		log_msg(LOG_ERR, "certificate probe: cannot rebuild, the previous policy stays: %s",
			err);
		probe_free(ctl);
		return;
	}
	switch (ctl_flip(ctl->info.policy_key, &ctl->pending_key, b.policy_key)) {
	case CTL_FLIP_SAME:
		/* A new leaf with the same decisions: show it, nothing served changes. */
		todo->want = CTL_WANT_PUBLISH;
		todo->level = LOG_INFO;
		snprintf(todo->done, sizeof(todo->done),
			 "certificate probe: new leaf, same decisions");
		break;
	case CTL_FLIP_APPLY:
		todo->want = CTL_WANT_PUBLISH;
		todo->flip = true;
		todo->level = LOG_NOTICE;
		snprintf(todo->done, sizeof(todo->done),
			 "certificate probe: the decisions changed in two probes in a row: new "
			 "policy published");
		break;
	case CTL_FLIP_WAIT:
		log_msg(LOG_NOTICE, "certificate probe: the decisions would change; waiting for "
				    "the next probe to agree before publishing");
		break;
	}
	if (todo->want == CTL_WANT_PUBLISH)
		todo->build = b; /* the control loop publishes it */
	else
		ctl_build_clear(&b);
	probe_free(ctl);
}

void ctl_probe_fini(ctl_t *ctl)
{
	if (ctl->probing) {
		pthread_join(ctl->probe_tid, NULL);
		ctl->probing = false;
	}
	probe_free(ctl);
	free(ctl->pending_key);
	ctl->pending_key = NULL;
	if (ctl->probe_ev.fd >= 0)
		close(ctl->probe_ev.fd);
	ctl->probe_ev.fd = -1;
}
