/* SPDX-License-Identifier: BSD-3-Clause */
/* log.h: the daemon's log: "sandnsd: MESSAGE" on stderr, or syslog once the daemon is in the
 * background */
#ifndef LOG_H
#define LOG_H

#include <syslog.h>

/*
 * Logs one message at PRIO (a syslog priority: LOG_ERR, LOG_WARNING, LOG_NOTICE, LOG_INFO). Until
 * log_use_syslog() it goes to stderr as "sandnsd: MESSAGE"; after it, to syslog. Any thread may
 * call it; a message is cut at 2047 octets.
 */
void log_msg(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* From now on log_msg() writes to syslog (called once the daemon has forked into the background).
 */
void log_use_syslog(void);

#endif
