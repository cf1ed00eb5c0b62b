/* SPDX-License-Identifier: BSD-3-Clause */
/* log.c: where the daemon's messages go: stderr in the foreground, syslog in the background */
#include <stdarg.h>
#include <stdio.h>

#include "log.h"

static int log_syslog;

void log_use_syslog(void)
{
	openlog("sandnsd", LOG_PID | LOG_NDELAY, LOG_DAEMON);
	__atomic_store_n(&log_syslog, 1, __ATOMIC_RELEASE);
}

void log_msg(int prio, const char *fmt, ...)
{
	char msg[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (__atomic_load_n(&log_syslog, __ATOMIC_ACQUIRE))
		syslog(prio, "%s", msg);
	else
		fprintf(stderr, "sandnsd: %s\n", msg);
}
