/* SPDX-License-Identifier: BSD-3-Clause */
/* dgram.c: the names of the UDP answering counters (the answering itself is inline in dgram.h) */
#include "dgram.h"

const char *const dgram_stat_names[DGRAM_STAT_COUNT] = {DGRAM_STAT_NAMES(0)};
