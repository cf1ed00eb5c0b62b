/* SPDX-License-Identifier: BSD-3-Clause */
/* cfg_log.c: the keys log-target and log-level, and the log they set up at start */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg_pvt.h"
#include "log.h"
#include "sandns_err.h"

int cfg_log_target(cfg_t *cfg, const char *key, const char *value, const struct cfg_src *src,
		   char *err, size_t errlen)
{
	cfg_log_target_t t = {.level = -1};
	char *copy = strdup(value), *save = NULL, *what, *w, *lvl;
	int rc = SANDNS_ECONFIG;

	if (copy == NULL)
		return cfg_fail(err, errlen, "%s: out of memory", key);
	what = strtok_r(copy, " \t", &save);
	w = strtok_r(NULL, " \t", &save);
	lvl = strtok_r(NULL, " \t", &save);
	if (what == NULL || (w != NULL && (strcmp(w, "level") != 0 || lvl == NULL)) ||
	    strtok_r(NULL, " \t", &save) != NULL) {
		cfg_fail(
		    err, errlen,
		    "%s: expected stderr, syslog or FILE, then level LEVEL or nothing, not '%s'",
		    key, value);
		goto out;
	}
	if (lvl != NULL) {
		t.level = log_level_parse(lvl);
		if (t.level < 0) {
			cfg_fail(err, errlen,
				 "%s %s: level %s: expected error, warning, notice, info or debug",
				 key, what, lvl);
			goto out;
		}
	}
	if (strcmp(what, "stderr") == 0) {
		t.kind = LOG_TO_STDERR;
	} else if (strcmp(what, "syslog") == 0) {
		t.kind = LOG_TO_SYSLOG;
	} else {
		t.kind = LOG_TO_FILE;
		t.path = cfg_abs_path(src->basedir, what);
		if (t.path == NULL) {
			cfg_fail(err, errlen, "%s: out of memory", key);
			goto out;
		}
	}
	for (size_t i = 0; i < cfg->nlog_targets; i++) {
		const cfg_log_target_t *o = &cfg->log_targets[i];

		if (o->kind == t.kind && (t.path == NULL || strcmp(o->path, t.path) == 0)) {
			cfg_fail(err, errlen, "%s %s: given twice (one line per target)", key,
				 what);
			goto out;
		}
	}
	if (cfg->nlog_targets == LOG_TARGETS_MAX) {
		cfg_fail(err, errlen, "%s %s: more than %d log targets", key, what,
			 LOG_TARGETS_MAX);
		goto out;
	}
	t.where = cfg_where_dup(src, key);
	if (t.where == NULL ||
	    cfg_push(&cfg->log_targets, &cfg->nlog_targets, sizeof(t), &t) != SANDNS_EOK) {
		cfg_fail(err, errlen, "%s: out of memory", key);
		goto out;
	}
	t.path = NULL;
	t.where = NULL;
	rc = SANDNS_EOK;
out:
	free(t.path);
	free(t.where);
	free(copy);
	return rc;
}

int cfg_log_level(cfg_t *cfg, const char *key, const char *value, char *err, size_t errlen)
{
	int level = log_level_parse(value);

	if (level < 0)
		return cfg_fail(err, errlen,
				"%s: expected error, warning, notice, info or debug, not '%s'", key,
				value);
	cfg->log_level = level;
	return SANDNS_EOK;
}

void cfg_log_free(cfg_t *cfg)
{
	for (size_t i = 0; i < cfg->nlog_targets; i++) {
		free(cfg->log_targets[i].path);
		free(cfg->log_targets[i].where);
	}
	free(cfg->log_targets);
	cfg->log_targets = NULL;
	cfg->nlog_targets = 0;
}

int cfg_log_open(const cfg_t *cfg, bool background, char *err, size_t errlen)
{
	char why[512];

	log_set_level(cfg->log_level);
	for (size_t i = 0; i < cfg->nlog_targets; i++) {
		const cfg_log_target_t *t = &cfg->log_targets[i];

		if (log_add((enum log_kind)t->kind, t->path, t->level, why, sizeof(why)) != 0)
			return cfg_fail(err, errlen, "%s: %s",
					t->where != NULL ? t->where : "log-target", why);
	}
	log_set_echo(background);
	return SANDNS_EOK;
}
