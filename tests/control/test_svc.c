/* SPDX-License-Identifier: BSD-3-Clause */
/* test_svc.c: CUnit suite for the service parts: every error kept, user, pid-file, the file checks
 */
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "cfg.h"
#include "cutest.h"
#include "sandns_err.h"
#include "svc.h"

static char dir[] = "/tmp/sandns-test-svc.XXXXXX";
static char err[1024];

/* Whether some kept error of CFG contains WANT. */
static bool has_error(const cfg_t *cfg, const char *want)
{
	for (size_t i = 0; i < cfg->nerrors; i++)
		if (strstr(cfg->errors[i], want) != NULL)
			return true;
	fprintf(stderr, "\n  no error with '%s' among %zu\n", want, cfg->nerrors);
	return false;
}

/* Reading goes on after an error: each bad line's error is kept, err holds the first. */
static void test_every_error(void)
{
	cfg_t *cfg = cfg_new();
	char *argv[] = {"sandnsd", "--udp-workers", "0", "--no-such-option", "--tcp-max-clients=9"};

	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	CU_ASSERT_EQUAL(cfg_load_string(cfg,
					"listen 127.0.0.1@70000\nbogus 1\n"
					"zone example.com. a.zone\ntcp-idle-timeout x\n"
					"tcp-idle-timeout 5\nzone\n",
					"t.conf", "/etc/sandns", err, sizeof(err)),
			SANDNS_ECONFIG);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "t.conf:1: listen: port 70000"));
	CU_ASSERT_EQUAL(cfg->nerrors, 5);
	CU_ASSERT(has_error(cfg, "t.conf:2: unknown key 'bogus'"));
	CU_ASSERT(has_error(cfg, "t.conf:4: tcp-idle-timeout: 'x' is not a number"));
	CU_ASSERT(has_error(cfg, "t.conf:5: 'tcp-idle-timeout' is already set on line 4"));
	CU_ASSERT(has_error(cfg, "t.conf:6: 'zone' needs a value"));
	/* The good lines after the bad ones were taken. */
	CU_ASSERT_EQUAL(cfg->nzones, 1);
	/* The options too; err holds this call's first. */
	CU_ASSERT_EQUAL(cfg_load_args(cfg, 5, argv, err, sizeof(err)), SANDNS_ECONFIG);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "--udp-workers: 0 is out of range"));
	CU_ASSERT(has_error(cfg, "unknown option --no-such-option"));
	CU_ASSERT_EQUAL(cfg->tcp_max_clients, 9);
	CU_ASSERT_EQUAL(cfg->nerrors, 7);
	cfg_free(&cfg);

	/* At most CFG_ERRORS_MAX kept, the rest counted. */
	cfg = cfg_new();
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	for (int i = 0; i < CFG_ERRORS_MAX + 5; i++)
		cfg_load_string(cfg, "bogus 1\n", "t.conf", NULL, err, sizeof(err));
	CU_ASSERT_EQUAL(cfg->nerrors, CFG_ERRORS_MAX);
	CU_ASSERT_EQUAL(cfg->nerrors_more, 5);
	cfg_free(&cfg);
}

/* cfg_check() goes through every check; cfg_check_files() finds files that cannot be read. */
static void test_check_all(void)
{
	cfg_t *cfg = cfg_new();
	char text[512];

	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	snprintf(text, sizeof(text),
		 "zone a. %s/missing.zone\nnotify b. 192.0.2.1\neal-args -l 0\n"
		 "pid-file %s/nodir/x.pid\nstate-dir %s/state\n",
		 dir, dir, dir);
	CU_ASSERT_EQUAL(cfg_load_string(cfg, text, "t.conf", NULL, err, sizeof(err)), SANDNS_EOK);
	CU_ASSERT_EQUAL(cfg_check(cfg, err, sizeof(err)), SANDNS_ECONFIG);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "EAL arguments"));
	CU_ASSERT(has_error(cfg, "t.conf:2: notify b. 192.0.2.1@53: b. is not a served zone"));
	CU_ASSERT_EQUAL(cfg_check_files(cfg), SANDNS_ECONFIG);
	CU_ASSERT(has_error(cfg, "t.conf:1: zone a.: cannot read"));
	CU_ASSERT(has_error(cfg, "t.conf:4: pid-file "));
	CU_ASSERT_PTR_NOT_NULL(strstr(cfg->errors[3], "t.conf:4:"));
	/* The file's errors in the order of its lines. */
	CU_ASSERT_PTR_NOT_NULL(strstr(cfg->errors[1], "t.conf:1:"));
	CU_ASSERT_PTR_NOT_NULL(strstr(cfg->errors[2], "t.conf:2:"));
	cfg_free(&cfg);
}

/*
 * The files sandnsd writes (dnstap FILE, log-target FILE, pid-file): what is at the path already
 * must be a regular file, which the start would otherwise refuse (or, a FIFO, wait on); each
 * error names its own line.
 */
static void test_check_written(void)
{
	cfg_t *cfg = cfg_new();
	char text[1024], fifo[256];

	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	snprintf(fifo, sizeof(fifo), "%s/w.fifo", dir);
	unlink(fifo);
	CU_ASSERT_EQUAL_FATAL(mkfifo(fifo, 0600), 0);
	snprintf(text, sizeof(text),
		 "state-dir %s/state\ndnstap %s\nlog-target %s/ok.log\nlog-target %s\n"
		 "pid-file %s\nlog-target /dev/null level debug\n",
		 dir, fifo, dir, dir, fifo);
	CU_ASSERT_EQUAL(cfg_load_string(cfg, text, "t.conf", NULL, err, sizeof(err)), SANDNS_EOK);
	CU_ASSERT_EQUAL(cfg_check_files(cfg), SANDNS_ECONFIG);
	CU_ASSERT(has_error(cfg, "t.conf:2: dnstap "));
	CU_ASSERT(has_error(cfg, "w.fifo: not a regular file (a fifo)"));
	CU_ASSERT(has_error(cfg, "t.conf:4: log-target "));
	CU_ASSERT(has_error(cfg, ": not a regular file (a directory)"));
	CU_ASSERT(has_error(cfg, "t.conf:5: pid-file "));
	CU_ASSERT(has_error(cfg, "t.conf:6: log-target /dev/null: not a regular file"));
	CU_ASSERT_EQUAL(cfg->nerrors, 4);
	cfg_free(&cfg);
	unlink(fifo);
}

static void test_user_pid_file(void)
{
	const struct passwd *pw = getpwnam("nobody");
	cfg_t *cfg = cfg_new();

	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	if (pw != NULL) {
		CU_ASSERT_EQUAL(cfg_load_string(cfg, "user nobody\npid-file run/x.pid\n", "t.conf",
						"/srv", err, sizeof(err)),
				SANDNS_EOK);
		CU_ASSERT_STRING_EQUAL(cfg->user, "nobody");
		CU_ASSERT_EQUAL(cfg->uid, pw->pw_uid);
		CU_ASSERT_EQUAL(cfg->gid, pw->pw_gid);
		CU_ASSERT_STRING_EQUAL(cfg->pid_file, "/srv/run/x.pid");
	}
	cfg_free(&cfg);
	cfg = cfg_new();
	CU_ASSERT_EQUAL(cfg_load_string(cfg, "user root\nuser no-such-user-xyz\nuser 0\n", "t.conf",
					NULL, err, sizeof(err)),
			SANDNS_ECONFIG);
	CU_ASSERT(has_error(cfg, "t.conf:1: user: 'root' is root"));
	CU_ASSERT(has_error(cfg, "t.conf:2: 'user' is already set on line 1"));
	cfg_free(&cfg);
	cfg = cfg_new();
	CU_ASSERT_EQUAL(cfg_load_string(cfg, "user no-such-user-xyz:nogroup-xyz\n", "t.conf", NULL,
					err, sizeof(err)),
			SANDNS_ECONFIG);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "no user 'no-such-user-xyz'"));
	cfg_free(&cfg);
	/* Ids are digits alone: strtoul would take a sign ("-18446744073709551615" is 1), a space
	 * or an overflow. */
	static const char *const bad_ids[] = {
	    "user -18446744073709551615\n", "user +7\n",	"user \" 7\"\n",
	    "user 99999999999999999999\n",  "user nobody:-1\n", "user nobody:+65534\n"};
	for (size_t i = 0; i < sizeof(bad_ids) / sizeof(bad_ids[0]); i++) {
		cfg = cfg_new();
		CU_ASSERT_EQUAL(cfg_load_string(cfg, bad_ids[i], "t.conf", NULL, err, sizeof(err)),
				SANDNS_ECONFIG);
		CU_ASSERT(strstr(err, "no user") != NULL || strstr(err, "no group") != NULL);
		cfg_free(&cfg);
	}
}

/* The pid file: written, held against a second taker, removed on release. */
static void test_pid_lock(void)
{
	char path[256], text[32] = "";
	int fd, fd2;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/sandnsd.pid", dir);
	fd = svc_pid_take(path, err, sizeof(err));
	CU_ASSERT_FATAL(fd >= 0);
	n = pread(fd, text, sizeof(text) - 1, 0);
	CU_ASSERT(n > 0);
	CU_ASSERT_EQUAL(strtol(text, NULL, 10), (long)getpid());
	/* Another open file description: the lock is held, the pid named. */
	fd2 = svc_pid_take(path, err, sizeof(err));
	CU_ASSERT_EQUAL(fd2, -1);
	snprintf(text, sizeof(text), "(pid %ld)", (long)getpid());
	CU_ASSERT_PTR_NOT_NULL(strstr(err, text));
	svc_pid_release(path, &fd);
	CU_ASSERT_EQUAL(fd, -1);
	CU_ASSERT_NOT_EQUAL(access(path, F_OK), 0);
	/* A directory is no pid file. */
	CU_ASSERT_EQUAL(svc_pid_take(dir, err, sizeof(err)), -1);
}

static int suite_init(void)
{
	return mkdtemp(dir) == NULL ? -1 : 0;
}

static int suite_clean(void)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

void reg_cutest_svc(void)
{
	CU_pSuite s = CU_add_suite("svc", suite_init, suite_clean);

	CU_add_test(s, "every error kept, with its line", test_every_error);
	CU_add_test(s, "every check, and the files named", test_check_all);
	CU_add_test(s, "the files written must be regular files", test_check_written);
	CU_add_test(s, "user and pid-file keys", test_user_pid_file);
	CU_add_test(s, "the pid file's lock", test_pid_lock);
}
