/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_signstate.h: the signed zones kept in the state directory across restarts (ctl_signstate.c)
 */
#ifndef CTL_SIGNSTATE_H
#define CTL_SIGNSTATE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "ctl.h"
#include "sign_state.h"

/* The file of zone ORIGIN's signed version in DIR: "ORIGIN.signed" named as its IXFR journal. */
bool ctl_signstate_path(const char *dir, const char *origin, char *buf, size_t len);

/*
 * The signed version of zone INFO (its sign_src, edits_hash and sign_hash set) kept in CFG's state
 * directory, read at a build that has no signed version of it in memory (the first after a start),
 * its header into *M; NULL when there is none, or when it cannot be used at all (unreadable, torn,
 * damaged, another dnssec policy, other keys, made after the clock): logged naming the file and
 * the reason. *AS_IS says it is to be served as it is: signed from the same zone and edits, its
 * serial not older than BEFORE's (the serial state's: serials never go back), its signatures not
 * yet due at NOW; otherwise (logged) it is only where fresh signatures of unchanged RRsets are
 * taken from.
 */
zload_zone_t *ctl_signstate_take(const cfg_t *cfg, const ctl_zone_info_t *info,
				 const ctl_zone_info_t *before, const sign_params_t *p, time_t now,
				 sign_state_meta_t *m, bool *as_is);

/*
 * After the publish of B (BEFORE: the build it replaced): the files of the zones BEFORE signed
 * that B no longer serves or CFG no longer signs removed; at the first publish (BEFORE has no
 * zone), every ORIGIN.signed in the state directory that no zone of B that CFG signs owns, and
 * every ORIGIN.signed.new (a write a crash cut short).
 */
void ctl_signstate_drop(const cfg_t *cfg, const ctl_build_t *before, const ctl_build_t *b);

/*
 * After the publish of B, off the swap: each zone of B signed anew (sign_fresh) written to its
 * file (sign_state_write: a new file renamed over the old one), its sign_fresh cleared (a second
 * call writes nothing); a failure is logged. Only the publisher calls it (B is what it published:
 * no other thread reads sign_fresh).
 */
void ctl_signstate_save(const cfg_t *cfg, ctl_build_t *b);

#endif
