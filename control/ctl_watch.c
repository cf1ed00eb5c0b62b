/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_watch.c: `watch yes`: zone and certificate files reloaded when they change (inotify) */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <syslog.h>
#include <unistd.h>

#include "clock.h"
#include "ctl_pvt.h"
#include "log.h"
#include "sandns_err.h"

/* Editors write a file in several steps: act once it has been quiet this long. */
#define CTL_WATCH_QUIET_MS 300

/* Watches the directory of every file (an editor or `cp` may replace the file itself). */
static int watch_dir_of(ctl_t *ctl, const char *path)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	size_t n = slash == NULL ? 0 : (size_t)(slash - path);
	char **dirs;
	int wd, *grown;

	if (n == 0)
		snprintf(dir, sizeof(dir), "%s", slash == NULL ? "." : "/");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)n, path);
	wd = inotify_add_watch(ctl->watch_ev.fd, dir,
			       IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE_SELF);
	if (wd < 0) {
		log_msg(LOG_WARNING,
			"watch: cannot watch %s: %s (its files reload only on request)", dir,
			strerror(errno));
		return 0;
	}
	for (size_t i = 0; i < ctl->nwatch; i++)
		if (ctl->watch_wd[i] == wd)
			return 0; /* the same directory: one watch */
	grown = realloc(ctl->watch_wd, (ctl->nwatch + 1) * sizeof(*grown));
	if (grown == NULL)
		return -ENOMEM;
	ctl->watch_wd = grown;
	ctl->watch_wd[ctl->nwatch] = wd;
	dirs = realloc(ctl->watch_dir, (ctl->nwatch + 1) * sizeof(*dirs));
	if (dirs == NULL)
		return -ENOMEM;
	ctl->watch_dir = dirs;
	ctl->watch_dir[ctl->nwatch] = strdup(dir);
	if (ctl->watch_dir[ctl->nwatch] == NULL)
		return -ENOMEM;
	ctl->nwatch++;
	return 0;
}

int ctl_watch_init(ctl_t *ctl, char *err, size_t errlen)
{
	const cfg_t *cfg = ctl->cfg;
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &ctl->watch_ev};

	ctl->watch_ev.kind = CTL_EV_WATCH;
	ctl->watch_ev.fd = -1;
	if (!cfg->watch)
		return SANDNS_EOK;
	ctl->watch_zones = calloc(cfg->nzones + 1, sizeof(bool));
	ctl->watch_ev.fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (ctl->watch_zones == NULL || ctl->watch_ev.fd < 0 ||
	    epoll_ctl(ctl->ep, EPOLL_CTL_ADD, ctl->watch_ev.fd, &ev) != 0) {
		snprintf(err, errlen, "watch: cannot set up inotify: %s", strerror(errno));
		return SANDNS_ECONFIG;
	}
	for (size_t i = 0; i < cfg->nzones; i++)
		if (zsrc_file_path(&cfg->zones[i].src) != NULL &&
		    watch_dir_of(ctl, zsrc_file_path(&cfg->zones[i].src)) != 0)
			goto out_nomem;
	for (size_t i = 0; i < cfg->ncerts; i++)
		if (strncmp(cfg->certs[i], "tls://", 6) != 0 &&
		    watch_dir_of(ctl, cfg->certs[i]) != 0)
			goto out_nomem;
	return SANDNS_EOK;
out_nomem:
	snprintf(err, errlen, "watch: out of memory");
	return -ENOMEM;
}

/* Marks what PATH (a file that changed) feeds: a zone, the certificates. */
static void watch_mark(ctl_t *ctl, const char *path)
{
	const cfg_t *cfg = ctl->cfg;
	bool hit = false;

	for (size_t i = 0; i < cfg->nzones; i++) {
		const char *file = zsrc_file_path(&cfg->zones[i].src);

		if (file != NULL && strcmp(file, path) == 0)
			hit = ctl->watch_zones[i] = true;
	}
	for (size_t i = 0; i < cfg->ncerts; i++)
		if (strcmp(cfg->certs[i], path) == 0)
			hit = ctl->watch_certs = true;
	if (hit)
		ctl->watch_due_ms = clock_now_ms() + CTL_WATCH_QUIET_MS;
}

/* Marks every zone and the certificates as changed. */
static void watch_all(ctl_t *ctl)
{
	for (size_t i = 0; i < ctl->cfg->nzones; i++)
		ctl->watch_zones[i] = true;
	ctl->watch_certs = ctl->cfg->ncerts > 0;
	ctl->watch_due_ms = clock_now_ms() + CTL_WATCH_QUIET_MS;
}

/* A watched directory went away (deleted, replaced, unmounted): watch its path again. */
static void watch_again(ctl_t *ctl, int wd)
{
	for (size_t i = 0; i < ctl->nwatch; i++) {
		int nwd;

		if (ctl->watch_wd[i] != wd)
			continue;
		nwd = inotify_add_watch(ctl->watch_ev.fd, ctl->watch_dir[i],
					IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE_SELF);
		if (nwd < 0) {
			log_msg(LOG_WARNING,
				"watch: %s is gone (%s): its files reload only on "
				"request now",
				ctl->watch_dir[i], strerror(errno));
			ctl->watch_wd[i] = -1;
			continue;
		}
		ctl->watch_wd[i] = nwd;
		/* Whatever is there now is new. */
		watch_all(ctl);
	}
}

void ctl_watch_event(ctl_t *ctl)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t n;

	while ((n = read(ctl->watch_ev.fd, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *e = (const struct inotify_event *)(void *)p;
			char path[PATH_MAX];

			p += sizeof(*e) + e->len;
			if (e->mask & IN_Q_OVERFLOW) {
				/* Events were lost: any file may have changed. */
				watch_all(ctl);
				continue;
			}
			if (e->mask & IN_IGNORED) {
				watch_again(ctl, e->wd);
				continue;
			}
			if (e->len == 0)
				continue;
			for (size_t i = 0; i < ctl->nwatch; i++) {
				if (ctl->watch_wd[i] != e->wd)
					continue;
				snprintf(path, sizeof(path), "%s%s%s", ctl->watch_dir[i],
					 strcmp(ctl->watch_dir[i], "/") == 0 ? "" : "/", e->name);
				watch_mark(ctl, path);
			}
		}
	}
}

void ctl_watch_tick(ctl_t *ctl, ctl_todo_t *todo)
{
	const cfg_t *cfg = ctl->cfg;
	ctl_rebuild_t *what = &todo->what;
	size_t dirty = 0, last = 0;

	memset(todo, 0, sizeof(*todo));
	if (ctl->watch_due_ms == 0 || clock_now_ms() < ctl->watch_due_ms)
		return;
	ctl->watch_due_ms = 0;
	for (size_t i = 0; i < cfg->nzones; i++) {
		if (ctl->watch_zones[i]) {
			dirty++;
			last = i;
		}
		ctl->watch_zones[i] = false;
	}
	what->certs = ctl->watch_certs ? CTL_CERTS_FILES : CTL_CERTS_KEEP;
	what->zones = dirty > 0;
	what->zone = dirty == 1 ? cfg->zones[last].origin : NULL;
	ctl->watch_certs = false;
	todo->want = CTL_WANT_RELOAD;
	todo->level = LOG_INFO;
	snprintf(todo->done, sizeof(todo->done), "watch: reloaded %s%s%s after a file changed",
		 what->zones ? (what->zone != NULL ? what->zone : "every zone") : "",
		 what->zones && what->certs ? " and " : "",
		 what->certs ? "the certificate files" : "");
	todo->failed = "watch: reload failed, still serving the previous snapshot";
}

void ctl_watch_fini(ctl_t *ctl)
{
	if (ctl->watch_ev.fd >= 0)
		close(ctl->watch_ev.fd);
	ctl->watch_ev.fd = -1;
	for (size_t i = 0; i < ctl->nwatch; i++)
		free(ctl->watch_dir[i]);
	free(ctl->watch_dir);
	free(ctl->watch_wd);
	free(ctl->watch_zones);
	ctl->watch_dir = NULL;
	ctl->watch_wd = NULL;
	ctl->watch_zones = NULL;
	ctl->nwatch = 0;
}
