/* SPDX-License-Identifier: BSD-3-Clause */
/* test_log.c: CUnit suite for the log (control/log.c) and its keys (control/cfg_log.c) */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "cfg.h"
#include "cutest.h"
#include "log.h"
#include "sandns_err.h"

static char dir[] = "/tmp/sandns-log.XXXXXX";

static int log_init(void)
{
	return mkdtemp(dir) == NULL ? -1 : 0;
}

static int log_fini(void)
{
	char cmd[128];

	log_reset();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* The text of DIR/NAME (static; "" when missing). */
static const char *slurp(const char *name)
{
	static char text[8192];
	char path[256];
	FILE *f;
	size_t n = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	text[0] = '\0';
	f = fopen(path, "r");
	if (f != NULL) {
		n = fread(text, 1, sizeof(text) - 1, f);
		fclose(f);
	}
	text[n] = '\0';
	return text;
}

static const char *at(const char *name)
{
	static char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return path;
}

/* How many lines of TEXT contain S. */
static int lines_with(const char *text, const char *s)
{
	int n = 0;

	for (const char *p = text; (p = strstr(p, s)) != NULL; p += strlen(s))
		n++;
	return n;
}

static void test_levels(void)
{
	char err[256];

	log_reset();
	CU_ASSERT_EQUAL(log_add(LOG_TO_FILE, at("debug.log"), LOG_DEBUG, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(log_add(LOG_TO_FILE, at("warn.log"), LOG_WARNING, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(log_add(LOG_TO_FILE, at("default.log"), -1, err, sizeof(err)), 0);
	log_set_level(LOG_NOTICE);
	log_msg(LOG_DEBUG, "m-debug");
	log_msg(LOG_INFO, "m-info");
	log_msg(LOG_NOTICE, "m-notice");
	log_msg(LOG_WARNING, "m-warning");
	log_msg(LOG_ERR, "m-error %d", 42);
	log_msg(LOG_CRIT, "m-crit");
	CU_ASSERT_EQUAL(lines_with(slurp("debug.log"), "m-"), 6);
	CU_ASSERT_PTR_NOT_NULL(strstr(slurp("debug.log"), " debug: m-debug\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(slurp("debug.log"), " error: m-error 42\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(slurp("debug.log"), " critical: m-crit\n"));
	CU_ASSERT_EQUAL(lines_with(slurp("warn.log"), "m-"), 3);
	CU_ASSERT_PTR_NULL(strstr(slurp("warn.log"), "m-notice"));
	/* Without a level of its own: log-level's (notice), set after it was added. */
	CU_ASSERT_EQUAL(lines_with(slurp("default.log"), "m-"), 4);
	CU_ASSERT_PTR_NULL(strstr(slurp("default.log"), "m-info"));
	/* "YYYY-MM-DDTHH:MM:SS.mmm+ZZZZ LEVEL: text" */
	{
		const char *t = slurp("warn.log");
		int y, mo, d, h, mi, s, ms;
		char sign, level[16];

		CU_ASSERT_EQUAL(sscanf(t, "%4d-%2d-%2dT%2d:%2d:%2d.%3d%c%*4d %15[a-z]:", &y, &mo,
				       &d, &h, &mi, &s, &ms, &sign, level),
				9);
		CU_ASSERT_TRUE(sign == '+' || sign == '-');
		CU_ASSERT_STRING_EQUAL(level, "warning");
	}
	log_reset();
}

static void test_reopen(void)
{
	char err[512], from[256];

	log_reset();
	CU_ASSERT_EQUAL(log_add(LOG_TO_FILE, at("r.log"), LOG_INFO, err, sizeof(err)), 0);
	log_msg(LOG_INFO, "before");
	snprintf(from, sizeof(from), "%s", at("r.log"));
	CU_ASSERT_EQUAL(rename(from, at("r.log.1")), 0);
	log_msg(LOG_INFO, "renamed");
	CU_ASSERT_EQUAL(log_reopen(err, sizeof(err)), 1);
	log_msg(LOG_INFO, "after");
	CU_ASSERT_PTR_NOT_NULL(strstr(slurp("r.log.1"), "info: before\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(slurp("r.log.1"), "info: renamed\n"));
	CU_ASSERT_PTR_NULL(strstr(slurp("r.log.1"), "after"));
	CU_ASSERT_PTR_NOT_NULL(strstr(slurp("r.log"), "info: log file reopened\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(slurp("r.log"), "info: after\n"));
	CU_ASSERT_PTR_NULL(strstr(slurp("r.log"), "before"));
	/* A path that cannot be opened again: said, the old file kept. */
	CU_ASSERT_EQUAL(unlink(at("r.log")), 0);
	CU_ASSERT_EQUAL(mkdir(at("r.log"), 0700), 0);
	CU_ASSERT_EQUAL(log_reopen(err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "r.log: Is a directory"));
	log_msg(LOG_INFO, "still");
	rmdir(at("r.log"));
	log_reset();
	/* No file target: nothing to do. */
	CU_ASSERT_EQUAL(log_reopen(err, sizeof(err)), 0);
}

static void test_refused(void)
{
	char err[512];

	log_reset();
	CU_ASSERT_EQUAL(log_add(LOG_TO_FILE, dir, -1, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "Is a directory"));
	CU_ASSERT_EQUAL(mkfifo(at("fifo"), 0600), 0);
	CU_ASSERT_EQUAL(log_add(LOG_TO_FILE, at("fifo"), -1, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "cannot open the log file"));
	CU_ASSERT_EQUAL(log_add(LOG_TO_FILE, at("a.log"), -1, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(log_add(LOG_TO_FILE, at("a.log"), LOG_DEBUG, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "already a log target"));
	CU_ASSERT_EQUAL(log_add(LOG_TO_STDERR, NULL, -1, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(log_add(LOG_TO_STDERR, NULL, -1, err, sizeof(err)), -1);
	log_reset();
}

/* stderr: "sandnsd: text", at its level; the echo until the background. */
static void test_stderr(void)
{
	char err[256];
	int saved = dup(STDERR_FILENO);
	int fd = open(at("stderr.txt"), O_WRONLY | O_CREAT | O_TRUNC, 0600);

	CU_ASSERT_FATAL(saved >= 0 && fd >= 0);
	dup2(fd, STDERR_FILENO);
	log_reset();
	log_msg(LOG_INFO, "implicit-info");
	log_msg(LOG_DEBUG, "implicit-debug");
	CU_ASSERT_EQUAL(log_add(LOG_TO_FILE, at("only.log"), LOG_DEBUG, err, sizeof(err)), 0);
	log_set_echo(true);
	log_msg(LOG_WARNING, "echoed");
	log_background();
	log_msg(LOG_WARNING, "not-echoed");
	log_reset();
	CU_ASSERT_EQUAL(log_add(LOG_TO_STDERR, NULL, LOG_WARNING, err, sizeof(err)), 0);
	log_msg(LOG_NOTICE, "stderr-notice");
	log_msg(LOG_ERR, "stderr-error");
	log_reset();
	dup2(saved, STDERR_FILENO);
	close(saved);
	close(fd);
	CU_ASSERT_STRING_EQUAL(slurp("stderr.txt"), "sandnsd: implicit-info\n"
						    "sandnsd: echoed\n"
						    "sandnsd: stderr-error\n");
	CU_ASSERT_EQUAL(lines_with(slurp("only.log"), "echoed"), 2);
}

static void *log_many(void *arg)
{
	(void)arg;
	for (int i = 0; i < 400; i++)
		log_msg(LOG_NOTICE, "line %03d of a reader that does not read ....................",
			i);
	return NULL;
}

/* Reads what the pipe FD holds (non-blocking) into BUF (LEN octets, 0-terminated). */
static size_t drain(int fd, char *buf, size_t len)
{
	size_t got = 0;
	ssize_t n;

	while (got + 1 < len && (n = read(fd, buf + got, len - 1 - got)) > 0)
		got += (size_t)n;
	buf[got] = '\0';
	return got;
}

/*
 * stderr a pipe whose reader stops reading (`sandnsd --foreground | less`, a stalled journal):
 * the thread that logs goes on, the lines it could not write are counted and said once the
 * reader reads again. Without log_stderr_nowait() it would wait in write() for ever (the control
 * thread, deaf to SIGTERM too); after 5 s the test reads, to release it.
 */
static void test_stderr_stalled(void)
{
	static char buf[1 << 16];
	int p[2], saved = dup(STDERR_FILENO);
	struct timespec until;
	pthread_t th;
	bool waited;

	CU_ASSERT_FATAL(saved >= 0 && pipe2(p, O_NONBLOCK | O_CLOEXEC) == 0);
	(void)fcntl(p[1], F_SETPIPE_SZ, 4096);
	dup2(p[1], STDERR_FILENO);
	close(p[1]);
	/* Blocking, as a shell's pipe is: only log_stderr_nowait() may make it otherwise. */
	fcntl(STDERR_FILENO, F_SETFL, fcntl(STDERR_FILENO, F_GETFL) & ~O_NONBLOCK);
	log_reset();
	log_stderr_nowait();
	CU_ASSERT_FATAL(pthread_create(&th, NULL, log_many, NULL) == 0);
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 5;
	waited = pthread_timedjoin_np(th, NULL, &until) != 0;
	while (waited && pthread_tryjoin_np(th, NULL) != 0) {
		drain(p[0], buf, sizeof(buf));
		usleep(1000);
	}
	CU_ASSERT_FALSE(waited);
	drain(p[0], buf, sizeof(buf));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "sandnsd: line 000 "));
	log_msg(LOG_NOTICE, "read again");
	drain(p[0], buf, sizeof(buf));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "sandnsd: read again\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, " log lines lost: stderr was not read in time\n"));
	log_reset();
	dup2(saved, STDERR_FILENO);
	close(saved);
	close(p[0]);
}

static void test_cfg_keys(void)
{
	char err[512];
	cfg_t *cfg = cfg_new();

	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	CU_ASSERT_EQUAL(cfg->log_level, LOG_INFO);
	CU_ASSERT_EQUAL(cfg_load_string(cfg,
					"log-target stderr\n"
					"log-target syslog level warning\n"
					"log-target logs/sandnsd.log level debug\n"
					"log-level notice\n",
					"t.conf", "/etc/sandns", err, sizeof(err)),
			SANDNS_EOK);
	CU_ASSERT_EQUAL_FATAL(cfg->nlog_targets, 3);
	CU_ASSERT_EQUAL(cfg->log_targets[0].kind, LOG_TO_STDERR);
	CU_ASSERT_EQUAL(cfg->log_targets[0].level, -1);
	CU_ASSERT_EQUAL(cfg->log_targets[1].kind, LOG_TO_SYSLOG);
	CU_ASSERT_EQUAL(cfg->log_targets[1].level, LOG_WARNING);
	CU_ASSERT_EQUAL(cfg->log_targets[2].kind, LOG_TO_FILE);
	CU_ASSERT_STRING_EQUAL(cfg->log_targets[2].path, "/etc/sandns/logs/sandnsd.log");
	CU_ASSERT_EQUAL(cfg->log_targets[2].level, LOG_DEBUG);
	CU_ASSERT_EQUAL(cfg->log_level, LOG_NOTICE);
	cfg_free(&cfg);

	{
		static const struct {
			const char *text, *want;
		} bad[] = {
		    {"log-target stderr level\n", "t.conf:1: log-target: expected stderr, syslog"},
		    {"log-target stderr lvl debug\n", "t.conf:1: log-target: expected"},
		    {"log-target stderr level debug x\n", "t.conf:1: log-target: expected"},
		    {"log-target syslog level loud\n",
		     "t.conf:1: log-target syslog: level loud: expected error, warning, notice, "
		     "info or debug"},
		    {"log-target stderr\nlog-target stderr level info\n",
		     "t.conf:2: log-target stderr: given twice"},
		    {"log-level loud\n", "t.conf:1: log-level: expected error, warning, notice, "
					 "info or debug, not 'loud'"},
		    {"log-level info\nlog-level debug\n", "t.conf:2: 'log-level' is already set"},
		};

		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			cfg = cfg_new();
			CU_ASSERT_EQUAL(
			    cfg_load_string(cfg, bad[i].text, "t.conf", "/", err, sizeof(err)),
			    SANDNS_ECONFIG);
			CU_ASSERT_PTR_NOT_NULL(strstr(err, bad[i].want));
			if (strstr(err, bad[i].want) == NULL)
				fprintf(stderr, "\n  '%s': got '%s'\n", bad[i].text, err);
			cfg_free(&cfg);
		}
	}
	/* --check-zone: a command-line action, not a key of the file. */
	cfg = cfg_new();
	CU_ASSERT_EQUAL(cfg_load_string(cfg, "check-zone a=b\n", "t.conf", "/", err, sizeof(err)),
			SANDNS_ECONFIG);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "unknown key 'check-zone'"));
	cfg_free(&cfg);
}

void reg_cutest_log(void)
{
	CU_pSuite s = CU_add_suite("log", log_init, log_fini);

	if (s == NULL)
		return;
	CU_add_test(s, "levels: each target's, or the default", test_levels);
	CU_add_test(s, "reopen after a rename (logrotate)", test_reopen);
	CU_add_test(s, "refused targets", test_refused);
	CU_add_test(s, "stderr, and the echo until the background", test_stderr);
	CU_add_test(s, "stderr a pipe nobody reads: lines lost, counted", test_stderr_stalled);
	CU_add_test(s, "the keys log-target and log-level", test_cfg_keys);
}
