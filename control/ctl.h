/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl.h: the control thread: builds and publishes snapshots, serves the control socket */
#ifndef CTL_H
#define CTL_H

#include <stdbool.h>
#include <stddef.h>

#include "cfg.h"
#include "srv.h"
#include "zt.h"

/* One loaded zone as the control thread remembers it (for status). */
typedef struct ctl_zone_info {
	char *origin; /* presentation form with the final dot */
	char *path;
	size_t records;
} ctl_zone_info_t;

/* A compiled snapshot not yet published, and what it was built from. */
typedef struct ctl_build {
	zt_t *zt;
	ctl_zone_info_t *zones;
	size_t nzones;
	size_t records; /* over all zones */
} ctl_build_t;

/*
 * Loads every zone of CFG (zload_file), compiles them (zt_new) into OUT without publishing.
 * Warnings are logged. On failure returns SANDNS_EZONE or SANDNS_ECONFIG, OUT stays empty and
 * err holds the reason: the zload error verbatim ("file:line: reason") for a bad zone.
 */
int ctl_build(const cfg_t *cfg, ctl_build_t *out, char *err, size_t errlen);

/* Frees what a build holds (a snapshot not published too); leaves it empty. */
void ctl_build_clear(ctl_build_t *b);

typedef struct ctl ctl_t;

/*
 * The control thread's state: blocks SIGINT, SIGTERM and SIGHUP in the calling thread (call it
 * before srv_start, so the serving threads inherit the mask) and reads them with a signalfd;
 * binds the control socket if cfg->control is set (mode 0600; a stale socket is replaced, a
 * live one is an error). CFG and SRV must outlive it. NULL on failure, with the reason in err.
 */
ctl_t *ctl_new(const cfg_t *cfg, srv_t *srv, char *err, size_t errlen);

/*
 * Publishes the snapshot of B (taking it over and leaving B empty), waits for the grace period
 * and frees the previous one. Only the control thread publishes.
 */
void ctl_publish(ctl_t *ctl, ctl_build_t *b);

/*
 * Rebuilds every zone and publishes the result. If anything fails the served snapshot stays
 * and err holds the reason. Returns SANDNS_EOK or the error.
 */
int ctl_reload(ctl_t *ctl, char *err, size_t errlen);

/* Serves signals and the control socket until SIGINT, SIGTERM or a `stop` request. */
void ctl_run(ctl_t *ctl);

/*
 * Answers one request line (without its newline) as the control socket would: the full
 * response, status line to final ".", appended to *out (malloc'd, *outlen bytes). Sets *stop
 * when the daemon must stop. Returns SANDNS_EOK or -ENOMEM. Exposed for tests.
 */
int ctl_handle_line(ctl_t *ctl, const char *line, char **out, size_t *outlen, bool *stop);

/*
 * Counters kept outside control/ (the dataplane's workers): FN writes them into BUF (LEN bytes)
 * and returns the length written. Text: whole lines "NAME: key=value ...\n"; JSON: one value
 * that `stats --json` shows as "dataplane". Called on the control thread for each request.
 */
typedef size_t (*ctl_stats_fn)(void *arg, bool json, char *buf, size_t len);
void ctl_set_extra_stats(ctl_t *ctl, ctl_stats_fn fn, void *arg);

/* Closes the control socket (removing its path) and frees *ctl; the published snapshot stays. */
void ctl_free(ctl_t **ctl);

#endif
