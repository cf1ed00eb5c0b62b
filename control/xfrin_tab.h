/* SPDX-License-Identifier: BSD-3-Clause */
/* xfrin_tab.h: the secondary zones' table (the transfer thread's zones), and its indexes */
#ifndef XFRIN_TAB_H
#define XFRIN_TAB_H

#include <ldns/ldns.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "cfg.h"
#include "origins.h"
#include "xfrin.h"
#include "zload.h"

#define XFRIN_MAX_PRIMARIES 16

enum { WANT_NONE = 0, WANT_REFRESH = 1, WANT_AXFR = 2 };

/* One secondary zone (xfrin.c keeps them; the fields are its own). */
struct xz {
	size_t zone; /* in cfg->zones */
	const char *origin;
	const char *path;
	ldns_rdf *name; /* lower case */
	const cfg_primary_t *prim[XFRIN_MAX_PRIMARIES];
	size_t nprim;
	int want; /* WANT_*: atomic, set by any thread, taken by the transfer thread */
	/* Atomic: 1 + the index in PRIM of the primary a NOTIFY came from last (0: none), which
	 * the next refresh asks first (as Knot and BIND do); that refresh takes it (and puts it
	 * back when a stop cuts it); a reconfiguration finds it again by its address. */
	int notifier;
	/* Atomic: 1 << 32 | the serial the last NOTIFY gave (0: none, or taken): a refresh that
	 * finds a primary behind it asks the next ones (another primary at the notifier's address,
	 * on another port, has it) before it takes the copy as up to date. */
	uint64_t notified;
	int reload;			   /* atomic: the control thread must reload the zone */
	unsigned long notifies, coalesced; /* atomic: NOTIFYs taken, and those a flag absorbed */
	unsigned long uptodate;		   /* atomic: NOTIFYs taken that gave CUR's serial */
	/* Atomic: 1 << 32 | the serial of the copy held while it is not expired (0: none), which
	 * a NOTIFY that gives it needs no SOA check for (set with ST, under the lock). */
	uint64_t cur;
	/* Atomic: CUR's copy expires after this (CLOCK_REALTIME seconds, ST.EXPIRE_TIME; 0:
	 * never). Past it, a copy the transfer thread has yet to find expired is checked too. */
	int64_t cur_until;
	uint64_t next_ms; /* the transfer thread's: next refresh (monotonic) */
	unsigned long refresh, retry, expire;
	uint64_t logged_ms;
	char logged[256];
	/* The transfer thread's: a primary's serial older than ours was logged (OLDER_SERIAL). */
	bool older_said;
	uint32_t older_serial;
	xfrin_zstate_t st; /* under the lock */
	/*
	 * Under the lock: MEM, the version held (transferred, or loaded at start), which an IXFR
	 * applies to and reloads serve (xfrin_copy); HANDED, the newest handed over whose reload
	 * has not said it served it; UNSAVED, the newest one served whose file the writer has yet
	 * to write (a newer HANDED never drops it: it may be refused); GEN counts the versions.
	 */
	zload_zone_t *mem;
	zload_zone_t *handed;
	zload_zone_t *unsaved;
	/* Under the lock: the versions xfrin_lend() gave a reload job, its first reload's
	 * (LENT_FIRST) and the last (LENT), one of which is written when the job says it served
	 * its serial, though a newer one was handed over while it built. */
	zload_zone_t *lent_first;
	zload_zone_t *lent;
	unsigned long gen;
	/* This zone as configured, unique in the process (a reconfiguration keeping it keeps it): a
	 * copy the writer took is put in place only while its zone is still this one. */
	unsigned long inst;
	/* Under the lock: when the reload of a copy handed over that failed (the serial state not
	 * written, memory) is asked again (CLOCK_REALTIME seconds; 0: none due). */
	time_t again;
};

/*
 * The NZ zones at Z (not owned) with their indexes, made once (xtab_new) and read-only after:
 * what a serving thread's NOTIFY reads (swapped whole, under RCU, by xfrin_reconfigure()),
 * and what the other threads find a zone by. No lookup allocates or locks.
 */
struct xtab {
	const cfg_t *cfg; /* allow-notify */
	struct xz *z;
	size_t nz;
	const char **names; /* Z's origins, for BY_ORIGIN */
	origins_t *by_origin;
	uint32_t *by_zone; /* per configured zone: its index in Z + 1, 0: not secondary */
	size_t nzones;
	/* Z's wire names as they were made: a reconfiguration moves them to its own table while
	 * serving threads may still read this one */
	const ldns_rdf **wnames;
	uint32_t *wire;	  /* by lower-case wire name: index in Z + 1, 0: empty */
	size_t wire_mask; /* slots - 1 */
};

/* A table for up to MAX zones at Z (not owned), for CFG, whose zone numbers (z[i].zone) are
 * below NZONES; none indexed yet. NULL: out of memory. */
struct xtab *xtab_new(const cfg_t *cfg, struct xz *z, size_t max, size_t nzones);
/*
 * The first NZ zones at Z, filled in, indexed: by origin, zone number and wire name (the first
 * of any that repeat). It cannot fail: out of memory, an origin is found by a pass.
 */
void xtab_index(struct xtab *t, size_t nz);
void xtab_free(struct xtab *t);

/* The zone of configured zone ZONE, or NULL. */
struct xz *xtab_zone(const struct xtab *t, size_t zone);
/* The zone ORIGIN (case and a final dot aside), or NULL. */
struct xz *xtab_origin(const struct xtab *t, const char *origin);
/* The zone named by the wire name at MSG+12 (any case; LEN octets in all), or NULL. */
struct xz *xtab_wire(const struct xtab *t, const uint8_t *msg, size_t len);

#endif
