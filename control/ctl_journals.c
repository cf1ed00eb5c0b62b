/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_journals.c: what zones no longer configured left in the state directory, removed at start */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "catz.h"
#include "ctl_pvt.h"
#include "ixfr.h"
#include "log.h"
#include "xfrin.h"

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Whether NAME ends with SUFFIX (and has more before it). */
static bool ends_with(const char *name, const char *suffix)
{
	size_t n = strlen(name), m = strlen(suffix);

	return n > m && strcmp(name + n - m, suffix) == 0;
}

/* Whether CFG has a consumer catalog. */
static bool consumes(const cfg_t *cfg)
{
	for (size_t i = 0; i < cfg->ncatalogs; i++)
		if (!cfg->catalogs[i].producer)
			return true;
	return false;
}

/* Whether CFG has consumer catalog ORIGIN. */
static bool consumer(const cfg_t *cfg, const char *origin)
{
	for (size_t i = 0; i < cfg->ncatalogs; i++)
		if (!cfg->catalogs[i].producer && cfg_same_origin(cfg->catalogs[i].origin, origin))
			return true;
	return false;
}

/*
 * The copy PATH (no zone of CFG reads it) removed with its label and mark when its label file
 * names a catalog CFG no longer consumes (dropped while sandnsd was down, or by a reload: its
 * members' copies stay behind, as nothing lists them any more); kept when the catalog is still
 * configured (not read yet) or the label names none (an older sandnsd's). Whether it went.
 */
static bool orphan_gone(const cfg_t *cfg, const char *path)
{
	char label[CATZ_LABEL_MAX], owner[CATZ_OWNER_MAX], why[1024];

	if (catz_label_read(path, label, sizeof(label), owner, sizeof(owner), why, sizeof(why)) !=
		1 ||
	    owner[0] == '\0' || consumer(cfg, owner))
		return false;
	if (unlink(path) != 0 && errno != ENOENT) {
		log_msg(LOG_WARNING,
			"%s: a member of catalog %s, no longer configured: cannot "
			"remove it: %s",
			path, owner, strerror(errno));
		return false;
	}
	xfrin_copy_forget(path);
	catz_label_forget(path);
	log_msg(LOG_NOTICE, "%s removed: the copy of member %s of catalog %s, no longer configured",
		path, label, owner);
	return true;
}

/*
 * A member's copy in DIR/catalog/ that no zone of CFG reads (its catalog not read yet, refused,
 * or a copy left behind by an older sandnsd), its path into WHO: a member whose journal may
 * still be wanted, whose name cannot be told from the copy's. False when each copy is a
 * configured zone's. The copies of catalogs no longer configured are removed on the way.
 */
static bool member_unknown(const cfg_t *cfg, const char *dir, char *who, size_t len)
{
	char **paths = calloc(cfg->nzones + 1, sizeof(*paths)), sub[4096], one[4096];
	const char *p;
	size_t n = 0;
	bool unknown = false;
	struct dirent *de;
	DIR *d;

	if (paths == NULL)
		return true; /* left for the next start */
	for (size_t i = 0; i < cfg->nzones; i++)
		if (cfg->zones[i].src.path != NULL)
			paths[n++] = cfg->zones[i].src.path;
	qsort(paths, n, sizeof(*paths), name_cmp);
	snprintf(sub, sizeof(sub), "%s/" CATZ_MEMBERS_DIR, dir);
	d = opendir(sub);
	/* Every copy looked at: the orphans all go, the first unknown one is said. */
	while (d != NULL && (de = readdir(d)) != NULL) {
		/* The copies, not their labels nor a write under way (".NAME.zone.XXXXXX"). */
		if (de->d_name[0] == '.' || !ends_with(de->d_name, ".zone") ||
		    (size_t)snprintf(one, sizeof(one), "%s/%s", sub, de->d_name) >= sizeof(one))
			continue;
		p = one;
		if (bsearch(&p, paths, n, sizeof(*paths), name_cmp) != NULL ||
		    orphan_gone(cfg, one))
			continue;
		if (!unknown)
			snprintf(who, len, "%s", one);
		unknown = true;
	}
	if (d != NULL)
		closedir(d);
	free(paths);
	return unknown;
}

/* The journal names (without DIR) of the zones of CFG and of B into *MINE, sorted: how many. */
static size_t owned(const cfg_t *cfg, const ctl_build_t *b, const char *dir, char ***mine)
{
	char path[4096];
	size_t n = 0, dlen = strlen(dir);

	*mine = calloc(cfg->nzones + b->nzones + 1, sizeof(**mine));
	for (size_t i = 0; *mine != NULL && i < cfg->nzones + b->nzones; i++) {
		const char *origin =
		    i < cfg->nzones ? cfg->zones[i].origin : b->zones[i - cfg->nzones].origin;

		if (ixfr_journal_path(dir, origin, path, sizeof(path)) &&
		    ((*mine)[n] = strdup(path + dlen + 1)) != NULL)
			n++;
	}
	if (*mine != NULL)
		qsort(*mine, n, sizeof(**mine), name_cmp);
	return n;
}

void ctl_journals_sweep(const cfg_t *cfg, const ctl_build_t *b)
{
	const char *dir = cfg->state_dir;
	char **mine, path[4096];
	struct dirent *de;
	size_t n;
	DIR *d;

	if (dir == NULL)
		return;
	/* A member not configured now may be once its catalog is read: its journal is kept. */
	if (member_unknown(cfg, dir, path, sizeof(path)) && consumes(cfg)) {
		log_msg(LOG_NOTICE,
			"IXFR journals of zones no longer configured are not looked for in %s: the "
			"catalog member copy %s is no configured zone's",
			dir, path);
		return;
	}
	n = owned(cfg, b, dir, &mine);
	if (mine == NULL)
		return; /* left for the next start */
	d = opendir(dir);
	while (d != NULL && (de = readdir(d)) != NULL) {
		const char *name = de->d_name;
		bool cut = ends_with(name, ".journal.new");
		struct stat st;

		/* Ours only: a name a journal has, a regular file (never followed), a journal's
		 * header (a write cut short may lack it), no zone's now. */
		if ((!cut && !ends_with(name, ".journal")) ||
		    (!cut && bsearch(&name, mine, n, sizeof(*mine), name_cmp) != NULL) ||
		    (size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path) ||
		    lstat(path, &st) != 0 || !S_ISREG(st.st_mode) ||
		    (!cut && !ixfr_file_is_journal(path)) || unlink(path) != 0)
			continue;
		log_msg(LOG_INFO, "%s removed: %s", path,
			cut ? "a journal's write cut short"
			    : "the IXFR journal of no zone configured");
	}
	if (d != NULL)
		closedir(d);
	for (size_t i = 0; i < n; i++)
		free(mine[i]);
	free(mine);
}
