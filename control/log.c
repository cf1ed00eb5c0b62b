/* SPDX-License-Identifier: BSD-3-Clause */
/* log.c: where the daemon's messages go: stderr, syslog and files, each at its own level */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "rfile.h"

/* A reconnection to syslog is tried at most this often (from whichever thread logs). */
#define LOG_SYSLOG_RETRY_MS 1000

struct log_target {
	enum log_kind kind;
	int level; /* -1: the default level */
	int fd;	   /* a file's: log_reopen() puts the new file under the same number (dup2) */
	char *path;
};

/* Set while one thread runs (start-up), read by every thread after. */
static struct log_target log_targets[LOG_TARGETS_MAX];
static unsigned log_ntargets;
static int log_default_level = LOG_INFO;
static bool log_has_stderr;
/* Changed once the threads run: atomics. */
static int log_echo;		   /* to stderr too, until log_background() */
static int log_bg;		   /* log_background() was called */
static int log_sl_fd = -1;	   /* the syslog socket (datagram), connected again when it fails */
static int log_sl_down;		   /* syslog unreachable (said on stderr) */
static unsigned long log_sl_lost;  /* lines syslog did not take in time (its buffer full) */
static uint64_t log_sl_retry_ms;   /* the next reconnection, not before */
static int log_err_sock;	   /* stderr is a socket: send() it without waiting */
static unsigned long log_err_lost; /* lines stderr did not take in time (log_stderr_nowait) */

const char *log_level_name(int level)
{
	static const char *const names[] = {"critical", "critical", "critical", "error",
					    "warning",	"notice",   "info",	"debug"};

	return names[level & 7];
}

int log_level_parse(const char *name)
{
	static const struct {
		const char *name;
		int level;
	} levels[] = {{"error", LOG_ERR},    {"err", LOG_ERR},	     {"warning", LOG_WARNING},
		      {"warn", LOG_WARNING}, {"notice", LOG_NOTICE}, {"info", LOG_INFO},
		      {"debug", LOG_DEBUG},  {"critical", LOG_CRIT}, {"crit", LOG_CRIT}};

	for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
		if (strcmp(levels[i].name, name) == 0)
			return levels[i].level;
	return -1;
}

/*
 * One write() of LINE (N octets, at most PIPE_BUF: whole or not at all) to stderr, without
 * waiting when log_stderr_nowait() made that possible; false when it was not taken.
 */
static bool stderr_put(const char *line, size_t n)
{
	if (__atomic_load_n(&log_err_sock, __ATOMIC_RELAXED) != 0) {
		if (send(STDERR_FILENO, line, n, MSG_DONTWAIT | MSG_NOSIGNAL) == (ssize_t)n)
			return true;
		if (errno != ENOTSOCK)
			return false;
		/* stderr became another file (the background's /dev/null) */
		__atomic_store_n(&log_err_sock, 0, __ATOMIC_RELAXED);
	}
	return write(STDERR_FILENO, line, n) == (ssize_t)n;
}

/* One write() of "sandnsd: MSG\n" (lines of several threads never mix). */
static void stderr_line(const char *text)
{
	char line[2200];
	int n = snprintf(line, sizeof(line), "sandnsd: %s\n", text);
	unsigned long lost;

	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line)) {
		n = (int)sizeof(line) - 1;
		line[n - 1] = '\n';
	}
	if (!stderr_put(line, (size_t)n)) {
		/* A reader that does not keep up (or none left): counted, said when it reads. */
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			__atomic_add_fetch(&log_err_lost, 1, __ATOMIC_RELAXED);
		return;
	}
	if (__atomic_load_n(&log_err_lost, __ATOMIC_RELAXED) == 0)
		return;
	lost = __atomic_exchange_n(&log_err_lost, 0, __ATOMIC_ACQ_REL);
	if (lost == 0)
		return;
	n = snprintf(line, sizeof(line),
		     "sandnsd: %lu log line%s lost: stderr was not read in time\n", lost,
		     lost == 1 ? "" : "s");
	if (!stderr_put(line, (size_t)n))
		__atomic_add_fetch(&log_err_lost, lost, __ATOMIC_RELAXED);
}

void log_stderr_nowait(void)
{
	struct stat st;
	int fd;

	if (fstat(STDERR_FILENO, &st) != 0)
		return;
	if (S_ISSOCK(st.st_mode)) {
		/* journald's stream: send() takes MSG_DONTWAIT, the socket stays as it is */
		__atomic_store_n(&log_err_sock, 1, __ATOMIC_RELAXED);
		return;
	}
	/* A regular file waits only on the disk, as a log file does. */
	if (!S_ISFIFO(st.st_mode) && !S_ISCHR(st.st_mode))
		return;
	/*
	 * O_NONBLOCK on the inherited description would change it for the shell and whoever else
	 * shares it: a description of our own, opened again through /proc, takes its place. Where
	 * that fails (no /proc, no reader left) stderr stays as it was.
	 */
	fd = open("/proc/self/fd/2", O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return;
	if (fd != STDERR_FILENO) {
		dup2(fd, STDERR_FILENO);
		close(fd);
	}
}

/* Sends TEXT to syslog at PRIO without waiting; true when the socket took it. */
static bool syslog_send(int prio, const char *text)
{
	char line[2200], stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	int fd = __atomic_load_n(&log_sl_fd, __ATOMIC_ACQUIRE), n;

	if (fd < 0)
		return false;
	if (localtime_r(&now, &tm) == NULL || strftime(stamp, sizeof(stamp), "%b %e %T", &tm) == 0)
		stamp[0] = '\0';
	n = snprintf(line, sizeof(line), "<%d>%s sandnsd[%ld]: %s", LOG_DAEMON | (prio & 7), stamp,
		     (long)getpid(), text);
	if (n < 0)
		return false;
	if ((size_t)n >= sizeof(line))
		n = (int)sizeof(line) - 1;
	return send(fd, line, (size_t)n, MSG_DONTWAIT | MSG_NOSIGNAL) == n;
}

static int syslog_connect(int fd)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};

	memcpy(sa.sun_path, LOG_SYSLOG_PATH, sizeof(LOG_SYSLOG_PATH));
	return connect(fd, (const struct sockaddr *)&sa, sizeof(sa)) == 0 ? 0 : -errno;
}

/* Syslog cannot be reached (REASON, an errno): said on stderr once, until it can again. */
static void syslog_unreachable(int reason)
{
	char text[256];

	if (__atomic_exchange_n(&log_sl_down, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	snprintf(text, sizeof(text),
		 "syslog: cannot reach %s (%s): messages for syslog go to stderr instead",
		 LOG_SYSLOG_PATH, strerror(reason));
	stderr_line(text);
}

/* After a line syslog took: says what it missed (lines lost, a time unreachable). */
static void syslog_caught_up(void)
{
	unsigned long lost;
	char text[160];

	if (__atomic_load_n(&log_sl_down, __ATOMIC_RELAXED) != 0 &&
	    __atomic_exchange_n(&log_sl_down, 0, __ATOMIC_ACQ_REL) != 0)
		syslog_send(LOG_NOTICE, "syslog is reachable again (the lines meanwhile went to "
					"stderr)");
	if (__atomic_load_n(&log_sl_lost, __ATOMIC_RELAXED) == 0)
		return;
	lost = __atomic_exchange_n(&log_sl_lost, 0, __ATOMIC_ACQ_REL);
	if (lost == 0)
		return;
	snprintf(text, sizeof(text), "%lu log line%s lost: syslog did not read in time", lost,
		 lost == 1 ? "" : "s");
	if (!syslog_send(LOG_WARNING, text))
		__atomic_add_fetch(&log_sl_lost, lost, __ATOMIC_RELAXED);
}

/* TEXT to syslog; false when it must go to stderr instead (syslog unreachable). */
static bool syslog_line(int prio, const char *text)
{
	uint64_t now, next;
	int e, fd = __atomic_load_n(&log_sl_fd, __ATOMIC_ACQUIRE);

	if (fd < 0)
		return false;
	if (syslog_send(prio, text)) {
		syslog_caught_up();
		return true;
	}
	e = errno;
	if (e == EAGAIN || e == EWOULDBLOCK || e == ENOBUFS) {
		/* Its buffer is full: never wait for it; counted, said when it reads again. */
		__atomic_add_fetch(&log_sl_lost, 1, __ATOMIC_RELAXED);
		return true;
	}
	/* Gone (restarted, or never there): connect again, one thread and once a second. */
	now = clock_now_ms();
	next = __atomic_load_n(&log_sl_retry_ms, __ATOMIC_RELAXED);
	if (now >= next &&
	    __atomic_compare_exchange_n(&log_sl_retry_ms, &next, now + LOG_SYSLOG_RETRY_MS, false,
					__ATOMIC_ACQ_REL, __ATOMIC_RELAXED)) {
		e = -syslog_connect(fd);
		if (e == 0 && syslog_send(prio, text)) {
			syslog_caught_up();
			return true;
		}
		if (e == 0)
			e = errno;
	}
	syslog_unreachable(e);
	return false;
}

/* The syslog socket, made and connected once; unreachable is said now, at start. */
static int syslog_open(char *err, size_t errlen)
{
	int fd, e;

	if (log_sl_fd >= 0)
		return 0;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		snprintf(err, errlen, "syslog: cannot make a socket: %s", strerror(errno));
		return -1;
	}
	__atomic_store_n(&log_sl_retry_ms, clock_now_ms() + LOG_SYSLOG_RETRY_MS, __ATOMIC_RELAXED);
	__atomic_store_n(&log_sl_fd, fd, __ATOMIC_RELEASE);
	e = syslog_connect(fd);
	if (e != 0)
		syslog_unreachable(-e);
	return 0;
}

/* "2026-03-01T12:00:00.123+0100 LEVEL: TEXT\n" appended to FD with one write(). */
static void file_line(int fd, int prio, const char *text)
{
	char line[2200], stamp[40], zone[8];
	struct timespec ts;
	struct tm tm;
	int n;

	clock_gettime(CLOCK_REALTIME, &ts);
	if (localtime_r(&ts.tv_sec, &tm) == NULL ||
	    strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm) == 0 ||
	    strftime(zone, sizeof(zone), "%z", &tm) == 0)
		stamp[0] = zone[0] = '\0';
	n = snprintf(line, sizeof(line), "%s.%03ld%s %s: %s\n", stamp, ts.tv_nsec / 1000000, zone,
		     log_level_name(prio), text);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line)) {
		n = (int)sizeof(line) - 1;
		line[n - 1] = '\n';
	}
	if (write(fd, line, (size_t)n) < 0) {
		/* a full disk: the line is lost; the other targets still have it */
	}
}

/* Whether a target (or the echo) takes a message at PRIO. */
static bool log_wanted(int prio)
{
	if (prio <= log_default_level)
		return true; /* the implicit targets, the echo, and targets without a level */
	for (unsigned i = 0; i < log_ntargets; i++)
		if (prio <= log_targets[i].level)
			return true;
	return false;
}

void log_msg(int prio, const char *fmt, ...)
{
	char msg[2048];
	va_list ap;
	bool to_stderr = false;
	int lvl;

	prio &= 7;
	/* Nothing wants it (debug, mostly): not even formatted. */
	if (!log_wanted(prio))
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (log_ntargets == 0) {
		if (!__atomic_load_n(&log_bg, __ATOMIC_ACQUIRE) || !syslog_line(prio, msg))
			stderr_line(msg);
		return;
	}
	for (unsigned i = 0; i < log_ntargets; i++) {
		const struct log_target *t = &log_targets[i];

		lvl = t->level >= 0 ? t->level : log_default_level;
		if (prio > lvl)
			continue;
		if (t->kind == LOG_TO_FILE)
			file_line(t->fd, prio, msg);
		else if (t->kind == LOG_TO_STDERR || !syslog_line(prio, msg))
			to_stderr = true;
	}
	if (!to_stderr && prio <= log_default_level && __atomic_load_n(&log_echo, __ATOMIC_ACQUIRE))
		to_stderr = true;
	if (to_stderr)
		stderr_line(msg);
}

/* PATH opened for appending lines: a regular file (created 0640), never a FIFO or a device. */
static int log_open_file(const char *path, char *why, size_t whylen)
{
	return rfile_open_append(path, 0640, why, whylen);
}

int log_add(enum log_kind kind, const char *path, int level, char *err, size_t errlen)
{
	struct log_target *t;
	char why[256];

	if (log_ntargets == LOG_TARGETS_MAX) {
		snprintf(err, errlen, "more than %d log targets", LOG_TARGETS_MAX);
		return -1;
	}
	for (unsigned i = 0; i < log_ntargets; i++)
		if (log_targets[i].kind == kind &&
		    (kind != LOG_TO_FILE || strcmp(log_targets[i].path, path) == 0)) {
			snprintf(err, errlen, "%s is already a log target",
				 kind == LOG_TO_FILE	 ? path
				 : kind == LOG_TO_SYSLOG ? "syslog"
							 : "stderr");
			return -1;
		}
	t = &log_targets[log_ntargets];
	memset(t, 0, sizeof(*t));
	t->kind = kind;
	t->level = level;
	t->fd = -1;
	if (kind == LOG_TO_FILE) {
		t->path = strdup(path);
		if (t->path == NULL) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		t->fd = log_open_file(path, why, sizeof(why));
		if (t->fd < 0) {
			snprintf(err, errlen, "cannot open the log file %s: %s", path, why);
			free(t->path);
			return -1;
		}
	} else if (kind == LOG_TO_SYSLOG && syslog_open(err, errlen) != 0) {
		return -1;
	}
	if (kind == LOG_TO_STDERR)
		log_has_stderr = true;
	log_ntargets++;
	return 0;
}

void log_set_level(int level)
{
	log_default_level = level & 7;
}

void log_set_echo(bool on)
{
	__atomic_store_n(&log_echo, on && !log_has_stderr, __ATOMIC_RELEASE);
}

void log_background(void)
{
	char err[128];

	__atomic_store_n(&log_echo, 0, __ATOMIC_RELEASE);
	if (log_ntargets == 0 && syslog_open(err, sizeof(err)) != 0)
		stderr_line(err);
	__atomic_store_n(&log_bg, 1, __ATOMIC_RELEASE);
}

int log_reopen(char *err, size_t errlen)
{
	char why[256];
	size_t off = 0;
	int done = 0, failed = 0;

	if (errlen > 0)
		err[0] = '\0';
	for (unsigned i = 0; i < log_ntargets; i++) {
		struct log_target *t = &log_targets[i];
		int fd;

		if (t->kind != LOG_TO_FILE)
			continue;
		fd = log_open_file(t->path, why, sizeof(why));
		/* dup2 swaps the file under the number at once: a write() has the old or the new.
		 */
		if (fd >= 0) {
			int r = dup2(fd, t->fd);

			if (r < 0)
				snprintf(why, sizeof(why), "%s", strerror(errno));
			close(fd);
			fd = r;
		}
		if (fd < 0) {
			failed++;
			if (off < errlen)
				off += (size_t)snprintf(err + off, errlen - off, "%s%s: %s",
							off != 0 ? "; " : "", t->path, why);
			continue;
		}
		done++;
	}
	if (failed > 0) {
		log_msg(LOG_ERR, "cannot reopen the log file %s (the old one stays open)", err);
		return -1;
	}
	if (done > 0)
		log_msg(LOG_INFO, "log file%s reopened", done == 1 ? "" : "s");
	return done;
}

void log_reset(void)
{
	for (unsigned i = 0; i < log_ntargets; i++) {
		if (log_targets[i].fd >= 0)
			close(log_targets[i].fd);
		free(log_targets[i].path);
	}
	memset(log_targets, 0, sizeof(log_targets));
	log_ntargets = 0;
	log_has_stderr = false;
	log_default_level = LOG_INFO;
	log_echo = 0;
	log_bg = 0;
	if (log_sl_fd >= 0)
		close(log_sl_fd);
	log_sl_fd = -1;
	log_sl_down = 0;
	log_sl_lost = 0;
	log_err_sock = 0;
	log_err_lost = 0;
}
