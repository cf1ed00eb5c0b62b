/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_serial.h: the serial each zone is served with (ctl_serial.c) */
#ifndef CTL_SERIAL_H
#define CTL_SERIAL_H

#include <stdbool.h>
#include <stdint.h>

#include "catz.h"
#include "ctl_pvt.h"

/* RFC 1982: whether serial A is newer than B. */
bool ctl_serial_newer(unsigned long a, unsigned long b);

/*
 * The serial to serve: the file's when nothing is edited; one more when the policy edits the
 * zone; and whenever what is served changes (file serial or edits), newer than the serial
 * served before (BEFORE: what was served, or NULL), so that secondaries see every change (a
 * policy lifted still moves forward).
 */
unsigned long ctl_served_serial(const ctl_zone_info_t *before, unsigned long src_serial,
				const char *edits, uint64_t edits_hash);

/*
 * What zone I of CFG (a catalog sandns produces) was before this build, for catz_produce_cfg():
 * PREV's (the build before; NULL at a start), else at a start what KNOWN (serial-state) remembers
 * of it: its serial and its members' hash, so that the same members keep that serial.
 */
catz_prev_t ctl_catz_prev(const cfg_t *cfg, const ctl_build_t *prev, const ctl_build_t *known,
			  size_t i);

/* The hash of a zone's edits as text (ctl_zone_info_t.edits_hash). */
uint64_t ctl_edits_hash(const char *s);

#endif
