/* SPDX-License-Identifier: BSD-3-Clause */
/* zcheck.h: sandnsd --check-zone: every error of a zone file, and the policy's verdict on it */
#ifndef ZCHECK_H
#define ZCHECK_H

#include "cfg.h"

/* The errors listed at most; then the check stops and says so. */
#define ZCHECK_MAX_ERRORS 1000

/*
 * sandnsd --check-zone ORIGIN=FILE [--cert SOURCE]...: lists on stdout every error of FILE and
 * of the files it $INCLUDEs ("FILE:LINE: reason"; warnings as "FILE:LINE: warning: reason"),
 * at most ZCHECK_MAX_ERRORS, then a summary line. With certificates (cfg->certs) and a zone
 * without errors, the autodiscover policy's verdict for the zone as `sandnsctl policy show`
 * prints it. Opens no socket, writes nothing, needs no privilege. Returns the exit status: 0 no
 * error, 2 errors (or a certificate that cannot be read), 1 out of memory.
 */
int zcheck_main(const cfg_t *cfg);

#endif
