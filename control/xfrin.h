/* SPDX-License-Identifier: BSD-3-Clause */
/* xfrin.h: secondary zones: the transfer thread, its timers, NOTIFY in, and what it tells the
 * reload thread */
#ifndef XFRIN_H
#define XFRIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

#include "cfg.h"
#include "tsig.h"
#include "zload.h"

/*
 * One thread refreshes every secondary zone (a zone with `primary` lines): SOA query, then IXFR
 * (AXFR when refused, inconsistent or answered AXFR-style) applied to the version held in
 * memory, and a reload of that zone asked of the reload thread (the waker; the control thread
 * without one), which builds and publishes it from memory as for any reload; another thread
 * writes the zone's file once it is served.
 * Timers from the SOA: refresh, retry, expire. It never publishes, and never blocks another
 * thread: they hand it requests through flags and an eventfd.
 */
typedef struct xfrin xfrin_t;

/* The state for CFG's secondary zones (none: an idle object). NULL with the reason in err. */
xfrin_t *xfrin_new(const cfg_t *cfg, char *err, size_t errlen);

/* Readable (an eventfd) when zones wait to be reloaded and no waker is set: the control thread
 * polls it. */
int xfrin_event_fd(const xfrin_t *x);

/*
 * Called by the transfer thread once zones wait to be reloaded (xfrin_take_reloads), in place of
 * the eventfd: it must only flag them for the thread that takes them, and wake it.
 */
typedef void (*xfrin_waker_fn)(void *arg);

/*
 * FN(ARG) is the waker from now on (NULL: the eventfd again). Returns once no call of the one
 * before runs: ARG may go then.
 */
void xfrin_set_waker(xfrin_t *x, xfrin_waker_fn fn, void *arg);

/*
 * Control thread, before xfrin_start() or xfrin_resume(): what the build serves of configured
 * zone ZONE: RAW as read from its file, or NULL when absent (not transferred yet, expired).
 */
void xfrin_seed(xfrin_t *x, size_t zone, zload_zone_t *raw);

/* Starts the thread (after the fork into the background); SANDNS_EOK or an error. */
int xfrin_start(xfrin_t *x, char *err, size_t errlen);

/*
 * The secondary zones are now those of CFG (which must outlive X or the next call): zones kept
 * (same origin and file) keep their state and timers, new ones are refreshed at once, those
 * gone are dropped with their state. The thread is stopped (a transfer under way is cut and
 * asked again) and left stopped: the caller seeds the new zones that have a copy
 * (xfrin_seed()), then xfrin_resume(); a refresh before the seed would see no copy and
 * transfer the zone whole. A NOTIFY a serving thread takes meanwhile is kept. Waits for a grace
 * period (urcu-qsbr): call it from no registered reader. Indexes given out before
 * (xfrin_take_reloads) are CFG's from now on. SANDNS_EOK or an error with the reason.
 */
int xfrin_reconfigure(xfrin_t *x, const cfg_t *cfg, char *err, size_t errlen);

/*
 * The memory xfrin_reconfigure(X, CFG) needs, taken ahead by the thread that will call it: the
 * switch to CFG can then be refused whole (-ENOMEM, X unchanged) rather than fail half done,
 * with the transfer thread following a configuration its caller frees. xfrin_unprepare()
 * gives it back when no such call follows; a prepare for another CFG replaces it.
 */
int xfrin_prepare(xfrin_t *x, const cfg_t *cfg, char *err, size_t errlen);
void xfrin_unprepare(xfrin_t *x);

/* After xfrin_reconfigure(): the thread started again if xfrin_start() had been called. */
int xfrin_resume(xfrin_t *x, char *err, size_t errlen);

/* Stops the thread (a transfer under way is cut at once) and frees *X (NULL is fine). */
void xfrin_free(xfrin_t **x);

/*
 * The thread that reloads (the reload thread, which also calls xfrin_reconfigure, or the control
 * thread when there is none): the configured zones (indexes of the configuration last given) to
 * reload now, up to MAX into OUT; how many.
 */
size_t xfrin_take_reloads(xfrin_t *x, size_t *out, size_t max);

/*
 * The thread that reloads: how the reload of zone ZONE went (ERR: why it failed; NULL when it did
 * not, SERVED the serial of the copy it served, as serial-state names it). The copy handed over
 * is written to the zone's file from then on, by the writer thread, if it is the one served; a
 * copy refused is held in memory, never written (the file keeps the version served).
 */
void xfrin_reloaded(xfrin_t *x, size_t zone, const char *err, unsigned long served);

/*
 * Seconds after a failed reload of a transferred copy (xfrin_reloaded() with an error) until the
 * transfer thread asks for it again: the copy is held, its serial newer than the one served, so
 * no refresh would hand it over again (60; tests lower it).
 */
extern unsigned xfrin_again_s;

/*
 * Any thread: a reference to the version of secondary zone ORIGIN the transfer thread holds in
 * memory (the last one transferred, or loaded at start), which its file holds or will hold once
 * the writer has written it; NULL when there is none or the zone expired. A look (a catalog's
 * members read): nothing remembered; a reload takes it with xfrin_lend().
 */
zload_zone_t *xfrin_copy(xfrin_t *x, const char *origin);

/*
 * The reload thread: xfrin_copy(), for a reload that serves it in place of reading the file
 * (ctl_build: ctl_rebuild_t.given), remembered until xfrin_reloaded(): written if its serial is
 * the one served, though a newer one came meanwhile. FIRST for a job's own reload (the versions
 * lent before are forgotten); without, for a later reload of the same job (a catalog's members
 * applied), which may serve it again or keep the one the first served: both are remembered.
 */
zload_zone_t *xfrin_lend(xfrin_t *x, const char *origin, bool first);

/*
 * xfrin_file.c: whether the mark an older sandnsd left beside the copy at PATH (PATH.serial:
 * `pending SERIAL`) says a version (*SERIAL) was handed over to be served and PATH was not
 * written with it (a crash came between). A load of PATH whose serial is not *SERIAL must then
 * not be served (zsrc_load_served()). sandnsd now keeps that in serial-state (ctl_state.c),
 * writes no mark and removes one once it writes the copy.
 */
bool xfrin_copy_pending(const char *path, uint32_t *serial);

/* xfrin_file.c: the mark beside the copy PATH removed (a catalog member gone with its copy, or
 * the copy written). */
void xfrin_copy_forget(const char *path);

/*
 * Any serving thread: the NOTIFY MSG (LEN octets, its question read by the engine) from FROM,
 * signed with KEY (verified; NULL: unsigned), giving the SOA serial *SERIAL (NULL: none). True
 * when it is for a secondary zone and FROM with KEY is allowed (allow-notify): an SOA check of
 * the zone is then due at once (a flag per zone: a NOTIFY while one waits is counted, not
 * queued), unless SERIAL is the one of the copy served, which is then up to date (counted).
 * Never blocks.
 */
bool xfrin_notify(xfrin_t *x, const uint8_t *msg, size_t len, const struct sockaddr *from,
		  const tsig_key_t *key, const uint32_t *serial);

/*
 * Control thread: `zone-refresh ZONE` (an SOA check now) or `zone-retransfer ZONE` (AXFR
 * now). SANDNS_EOK, or -ENOENT when ZONE is no secondary zone.
 */
int xfrin_request(xfrin_t *x, const char *zone, bool axfr);

/* What `zone-status` shows of a secondary zone. */
typedef struct xfrin_zstate {
	bool have;	      /* a copy to serve */
	bool expired;	      /* not refreshed within its expire: SERVFAIL */
	uint32_t serial;      /* the primary's serial of our copy */
	time_t last_time;     /* last refresh attempt ended (0: none yet) */
	bool last_ok;	      /* ... and succeeded */
	char last[384];	      /* ... what it did or why it failed */
	time_t next_time;     /* next refresh (wall clock) */
	time_t expire_time;   /* when the copy expires without a refresh (0: no copy) */
	char reload_err[384]; /* the copy was transferred but its reload failed: why ("" fine) */
	unsigned long notifies, notifies_coalesced, transfers, ixfrs, failures;
	unsigned long notifies_uptodate; /* NOTIFYs that gave the serial held: no SOA check */
} xfrin_zstate_t;

/* The state of configured zone ZONE into OUT; false when it is no secondary zone. */
bool xfrin_zone_state(xfrin_t *x, size_t zone, xfrin_zstate_t *out);

#endif
