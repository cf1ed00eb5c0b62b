/* SPDX-License-Identifier: BSD-3-Clause */
/* log.h: the daemon's log: its targets (stderr, syslog, files), their levels, file reopening */
#ifndef LOG_H
#define LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <syslog.h>

/*
 * Where messages go. Without a target added (log_add), as before targets existed: stderr
 * ("sandnsd: MESSAGE") until log_background(), syslog after it, both at the default level
 * (log_set_level). With targets, exactly those, each at its own level or the default one.
 *
 *   stderr  "sandnsd: MESSAGE", one write() a line, without waiting after log_stderr_nowait().
 *   syslog  facility daemon, "sandnsd[PID]: MESSAGE" datagrams to LOG_SYSLOG_PATH, sent without
 *           waiting: a receiver that does not read loses lines, counted and said when it reads
 *           again. When it cannot be reached (no socket there, nobody bound to it) the line goes
 *           to stderr instead, and stderr says so once, until syslog is reachable again.
 *   FILE    "2026-03-01T12:00:00.123+0100 warning: MESSAGE", appended with one write() a line
 *           (O_APPEND: several writers never mix their lines); log_reopen() opens the path
 *           again, for logrotate.
 */
enum log_kind { LOG_TO_STDERR, LOG_TO_SYSLOG, LOG_TO_FILE };

/* The syslog socket (what glibc's syslog(3) and journald use). */
#define LOG_SYSLOG_PATH "/dev/log"
/* At most this many targets. */
#define LOG_TARGETS_MAX 8

/*
 * Logs one message at PRIO (a syslog priority: LOG_ERR, LOG_WARNING, LOG_NOTICE, LOG_INFO,
 * LOG_DEBUG; LOG_CRIT and above count as errors) to every target whose level lets it through.
 * Any thread may call it; it never waits on a lock or a reader, only on one write() of a line
 * to a file. A message is cut at 2047 octets.
 */
void log_msg(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Adds a target (PATH: the file, absolute, for LOG_TO_FILE; else NULL) at LEVEL (a syslog
 * priority; -1: the default level). A file is created (mode 0640) or appended to; it must be a
 * regular file. Only while one thread runs (start-up). 0, or -1 with the reason in err.
 */
int log_add(enum log_kind kind, const char *path, int level, char *err, size_t errlen);

/*
 * From now on a line to stderr never waits for its reader: a pipe, FIFO or terminal is written
 * through a description of our own opened O_NONBLOCK (put in place of stderr), a socket
 * (journald's) with MSG_DONTWAIT. A reader that does not keep up (a stalled pipe, a terminal
 * stopped with ^S) loses lines, counted and said when it reads again. A regular file stays as it
 * is. Start-up only, once the checks have printed what they had to (they must not lose a line).
 */
void log_stderr_nowait(void);

/* The default level (start-up only): of the targets added without one, and of the implicit ones. */
void log_set_level(int level);

/*
 * Until log_background(), messages also go to stderr when no target is stderr: a daemon that
 * has not yet left its terminal says there why it could not start (start-up only).
 */
void log_set_echo(bool on);

/*
 * The process is in the background (it forked, stderr is about to become /dev/null): the echo
 * to stderr stops and, without targets, messages go to syslog from now on. Said on stderr, the
 * last time it is the terminal, when syslog cannot be reached.
 */
void log_background(void);

/*
 * Opens every file target's path again (after logrotate renamed it): lines written from now on
 * go to the new file, none is lost or cut meanwhile. Control thread only. Returns how many
 * files were reopened, or -1 with the reasons in err (the targets that failed keep their old
 * file).
 */
int log_reopen(char *err, size_t errlen);

/* LEVEL's name: "error", "warning", "notice", "info", "debug". */
const char *log_level_name(int level);

/* The level named NAME (those names; "err", "warn" and "crit" too), or -1. */
int log_level_parse(const char *name);

/* Forgets every target and closes their files (tests; one thread only). */
void log_reset(void);

#endif
