/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_state.h: serial-state, the serials served remembered across restarts (ctl_state.c) */
#ifndef CTL_STATE_H
#define CTL_STATE_H

#include <stddef.h>

#include "cfg.h"
#include "ctl.h"

/* The serials' file in the state directory (serial-state names another). */
#define CTL_SERIALS_FILE "serials"
/* serial-state holds a line per zone (under 600 bytes, 50 or so usually): room for
 * about a hundred thousand zones. */
#define CTL_STATE_MAX (4u << 20)

/*
 * serial-state's file: two slots of the same size, each a header line (format version, the
 * slot's size, a sequence number, the length of what follows, an FNV-1a sum of the header and
 * of it) then one zone a line, "ORIGIN SERIAL FILE_SERIAL EDITS_HASH SIGNED" (SIGNED: "signed" when
 * sandns signed what it served, else "unsigned"; lines written before it was recorded end at
 * EDITS_HASH and read as unsigned, and a sandns of then reads these lines too). A publish writes
 * the slot that does not hold the newest whole state (one pwrite, one fdatasync, no rename): a
 * write torn by a crash leaves the other slot, the state before it, which is what was served then.
 * When the state outgrows a slot (or the file is missing, or of the first format: the same lines
 * without a header), a new file of larger slots is written and renamed over the old one.
 */

/* Where the serials are remembered: serial-state, else state-dir's "serials"; NULL: nowhere. */
const char *ctl_state_path(const cfg_t *cfg, char *buf, size_t len);

/*
 * What was served before this process started, read from PATH into STATE (zones only: origin,
 * serials, hash, whether sandns signed it: dnssec): the newer whole slot, or the lines of the first
 * format; a missing file, or one whose slots are both damaged (logged), is an empty state.
 */
void ctl_state_read(const char *path, ctl_build_t *state);

/* B's serials written to PATH as above; SANDNS_EOK, or an error with ERR. */
int ctl_state_write(const char *path, const ctl_build_t *b, char *err, size_t errlen);

#endif
