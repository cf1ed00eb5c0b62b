/* SPDX-License-Identifier: BSD-3-Clause */
/* clock.h: the daemon's one clock for timeouts and intervals: milliseconds of CLOCK_MONOTONIC */
#ifndef CLOCK_H
#define CLOCK_H

#include <stdint.h>
#include <stdio.h>
#include <time.h>

static inline uint64_t clock_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Wall-clock time T as the control socket shows it, "2026-12-05T14:50:01Z" (in BUF; the number
 * of seconds when it cannot be written so). */
static inline const char *clock_utc(int64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL || strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, len, "%lld", (long long)t);
	return buf;
}

#endif
