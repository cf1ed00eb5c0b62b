/* SPDX-License-Identifier: BSD-3-Clause */
/* dgram.c: the UDP answering counters read and named (the answering is inline in dgram.h) */
#include "dgram.h"

const char *const dgram_stat_names[DGRAM_STAT_COUNT] = {DGRAM_STAT_NAMES(0)};

void dgram_stats_read(const uint64_t *st, uint64_t out[DGRAM_STAT_COUNT])
{
	size_t s;

	for (s = 0; s < DGRAM_STAT_COUNT; s++)
		out[s] = __atomic_load_n(&st[s], __ATOMIC_RELAXED);
	out[DGRAM_RECEIVED] = out[DGRAM_ANSWERED] + out[DGRAM_DROPPED] + out[DGRAM_RRL_DROPPED];
}
