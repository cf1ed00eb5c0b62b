/* SPDX-License-Identifier: BSD-3-Clause */
/* clock.h: the daemon's one clock for timeouts and intervals: milliseconds of CLOCK_MONOTONIC */
#ifndef CLOCK_H
#define CLOCK_H

#include <stdint.h>
#include <time.h>

static inline uint64_t clock_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

#endif
