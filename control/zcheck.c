/* SPDX-License-Identifier: BSD-3-Clause */
/* zcheck.c: sandnsd --check-zone: every error of a zone file, and the policy's verdict on it */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_pvt.h" /* ctl_fmt_policy: the verdict as `policy show` prints it */
#include "log.h"
#include "sandns_err.h"
#include "zcheck.h"
#include "zload.h"

struct zcheck_count {
	size_t n;
};

static void zcheck_print(void *ctx, const char *msg)
{
	struct zcheck_count *c = ctx;

	printf("%s\n", msg);
	c->n++;
}

/*
 * The policy's verdict: the zone built as sandnsd would serve it with the certificates (a
 * preview: no alert logged, nothing published), shown as `policy show ORIGIN` shows it.
 */
static int zcheck_verdict(const cfg_t *cfg, const char *origin, const char *file)
{
	ctl_rebuild_t what = {.zones = true, .certs = CTL_CERTS_ALL, .preview = true};
	ctl_build_t b = {0};
	cfg_t *one = cfg_new();
	buf_t out = {0};
	char err[2048];
	int status = 2;

	if (one == NULL)
		return 1;
	one->srv_target = cfg->srv_target;
	one->legacy_cn_fallback = cfg->legacy_cn_fallback;
	one->certs = cfg->certs;
	one->ncerts = cfg->ncerts;
	one->zones = &(cfg_zone_t){.origin = (char *)origin};
	one->nzones = 1;
	if (zsrc_file(&one->zones[0].src, file) != SANDNS_EOK) {
		status = 1;
		goto out;
	}
	if (ctl_build(one, NULL, &what, &b, err, sizeof(err)) != SANDNS_EOK) {
		printf("policy: %s\n", err);
		goto out_src;
	}
	if (!ctl_fmt_policy(&b, origin, false, &out, err, sizeof(err)) || out.oom) {
		printf("policy: %s\n", out.oom ? "out of memory" : err);
		status = 1;
	} else {
		fputs(out.p, stdout);
		status = 0;
	}
	free(out.p);
	ctl_build_clear(&b);
out_src:
	zsrc_clear(&one->zones[0].src);
out:
	/* Borrowed from CFG: not freed with ONE. */
	one->srv_target = NULL;
	one->certs = NULL;
	one->ncerts = 0;
	one->zones = NULL;
	one->nzones = 0;
	cfg_free(&one);
	return status;
}

int zcheck_main(const cfg_t *cfg)
{
	struct zcheck_count errors = {0}, warnings = {0};
	const char *eq = strchr(cfg->check_zone, '=');
	char *origin = strndup(cfg->check_zone, (size_t)(eq - cfg->check_zone));
	const char *file = eq + 1;
	bool stopped = false;
	int status;

	if (origin == NULL) {
		fprintf(stderr, "sandnsd: out of memory\n");
		return 1;
	}
	zload_check(origin, file, NULL, zcheck_print, &warnings, zcheck_print, &errors,
		    ZCHECK_MAX_ERRORS, &stopped);
	if (stopped)
		printf("%s: stopped after %d errors; there may be more\n", file, ZCHECK_MAX_ERRORS);
	printf("%s: zone %s: %zu error%s, %zu warning%s\n", file, origin, errors.n,
	       errors.n == 1 ? "" : "s", warnings.n, warnings.n == 1 ? "" : "s");
	status = errors.n > 0 ? 2 : 0;
	if (cfg->ncerts > 0 && errors.n > 0)
		printf("policy: no verdict: the zone does not load\n");
	else if (cfg->ncerts > 0) {
		/* The zone's warnings were listed above: not again from the build. */
		log_set_level(LOG_ERR);
		status = zcheck_verdict(cfg, origin, file);
	}
	fflush(stdout);
	free(origin);
	return status;
}
