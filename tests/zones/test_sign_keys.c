/* SPDX-License-Identifier: BSD-3-Clause */
/* test_sign_keys.c: CUnit suite for key files someone else put in the key directory */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "cutest.h"
#include "sign.h"
#include "tutil.h"
#include "zload.h"

static const sign_params_t csk13 = {13, true, false, 14 * 86400, 7 * 86400, 0};

/* A fresh key directory (removed with its files by tu_rm_dir). */
static void tmp_dir(char *buf, size_t len)
{
	snprintf(buf, len, "/tmp/sandns-signkeys-XXXXXX");
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(buf));
}

/* A key made in DIR for example.com.; its .private's path into PRIV. */
static void make_one(const char *dir, char *priv, size_t len)
{
	char err[1024];
	sign_keys_t *k = sign_keys_load(dir, "example.com.", &csk13, true, NULL, err, sizeof(err));

	CU_ASSERT_PTR_NOT_NULL_FATAL(k);
	snprintf(priv, len, "%s", sign_key_file(k, 0));
	sign_keys_free(&k);
}

/*
 * sign_keys_load(DIR, example.com., no key made) in a child given 5 s: 0 when it returned NULL
 * with an error that has WANT, 1 when it loaded the keys, 2 when it had to be killed (it
 * waited: the reload thread, or the control thread for `zone-keys`, would wait for ever).
 */
static int load_in_child(const char *dir, const char *want)
{
	int status = 0;
	pid_t pid = fork();

	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0) {
		char err[1024] = "";
		sign_keys_t *k;

		alarm(5);
		k = sign_keys_load(dir, "example.com.", &csk13, false, NULL, err, sizeof(err));
		if (k == NULL && strstr(err, want) == NULL)
			fprintf(stderr, "\n  error: %s (no '%s')\n", err, want);
		_exit(k != NULL ? 1 : strstr(err, want) != NULL ? 0 : 3);
	}
	CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
	if (WIFSIGNALED(status))
		return 2;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 4;
}

/*
 * A .private that is a FIFO, /dev/zero, a huge file or a directory: refused at once, naming
 * the file, never waited on or read to no end.
 */
static void test_private_not_regular(void)
{
	char dir[64], priv[512], big[600], cmd[1200];

	tmp_dir(dir, sizeof(dir));
	make_one(dir, priv, sizeof(priv));
	CU_ASSERT_EQUAL(unlink(priv), 0);
	CU_ASSERT_EQUAL(mkfifo(priv, 0600), 0);
	CU_ASSERT_EQUAL(load_in_child(dir, "not a regular file (a fifo)"), 0);
	CU_ASSERT_EQUAL(unlink(priv), 0);
	CU_ASSERT_EQUAL(symlink("/dev/zero", priv), 0);
	CU_ASSERT_EQUAL(load_in_child(dir, "not a regular file (a character device)"), 0);
	CU_ASSERT_EQUAL(unlink(priv), 0);
	/* 200 MB of nothing (sparse): refused by its size, not read */
	snprintf(big, sizeof(big), "%s.big", dir);
	snprintf(cmd, sizeof(cmd), "truncate -s 200M %s", big);
	CU_ASSERT_EQUAL_FATAL(system(cmd), 0);
	CU_ASSERT_EQUAL(symlink(big, priv), 0);
	CU_ASSERT_EQUAL(load_in_child(dir, "more than 65536"), 0);
	CU_ASSERT_EQUAL(unlink(priv), 0);
	unlink(big);
	CU_ASSERT_EQUAL(mkdir(priv, 0700), 0);
	CU_ASSERT_EQUAL(load_in_child(dir, "not a regular file (a directory)"), 0);
	rmdir(priv);
	tu_rm_dir(dir);
}

/* Appends TEXT to FILE. */
static void append(const char *file, const char *text)
{
	FILE *f = fopen(file, "a");

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs(text, f);
	fclose(f);
}

/*
 * BIND's timing metadata: a key retired (Inactive, Delete, Revoke past) or not yet in use
 * (Publish, Activate to come) is refused naming the file and the date, not published and
 * signing; a key published and active from the past (as dnssec-keygen writes them) is read.
 */
static void test_private_timing(void)
{
	static const struct {
		const char *line, *want; /* WANT NULL: the key is read */
	} cases[] = {
	    {"Created: 20200101000000\nPublish: 20200101000000\nActivate: 20200101000000\n", NULL},
	    {"Inactive: 20210101000000\n", "Inactive 20210101000000"},
	    {"Delete: 20210201000000\n", "Delete 20210201000000"},
	    {"Revoke: 20210201000000\n", "Revoke 20210201000000"},
	    {"Publish: 20300101000000\n", "Publish 20300101000000"},
	    {"Activate: 20300101000000\n", "Activate 20300101000000"},
	    {"Inactive: 20300101000000\nDelete: 20310101000000\n", NULL},
	    {"Inactive: soon\n", "not a date"},
	};
	char dir[64], priv[512], err[1024], saved[512], cmd[1200];
	sign_keys_t *k;

	tmp_dir(dir, sizeof(dir));
	make_one(dir, priv, sizeof(priv));
	snprintf(saved, sizeof(saved), "%s.saved", dir);
	snprintf(cmd, sizeof(cmd), "cp %s %s", priv, saved);
	CU_ASSERT_EQUAL_FATAL(system(cmd), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(cmd, sizeof(cmd), "cp %s %s", saved, priv);
		CU_ASSERT_EQUAL_FATAL(system(cmd), 0);
		append(priv, cases[i].line);
		k = sign_keys_load(dir, "example.com.", &csk13, true, NULL, err, sizeof(err));
		if (cases[i].want == NULL) {
			if (k == NULL)
				fprintf(stderr, "\n  %s: %s\n", cases[i].line, err);
			CU_ASSERT_PTR_NOT_NULL(k);
			CU_ASSERT_EQUAL(sign_keys_count(k), 1);
		} else {
			if (k != NULL || strstr(err, cases[i].want) == NULL)
				fprintf(stderr, "\n  %s: %s\n", cases[i].line,
					k != NULL ? "read" : err);
			CU_ASSERT_PTR_NULL(k);
			CU_ASSERT_PTR_NOT_NULL(strstr(err, cases[i].want));
			CU_ASSERT_PTR_NOT_NULL(strstr(err, priv));
		}
		sign_keys_free(&k);
	}
	/* Refused, not replaced: no key made beside it. */
	snprintf(cmd, sizeof(cmd), "test $(ls %s | wc -l) = 2", dir);
	CU_ASSERT_EQUAL(system(cmd), 0);
	unlink(saved);
	tu_rm_dir(dir);
}

/*
 * A key that cannot be written whole (a disk full between its .private and its .key, here a
 * file size limit that lets the .private through): no .private is left without its .key, which
 * every build after would refuse; once there is room, the key is made.
 */
static void test_make_key_half_written(void)
{
	char dir[64], err[1024], cmd[256];
	struct rlimit old, small;
	void (*was)(int) = signal(SIGXFSZ, SIG_IGN);
	sign_keys_t *k;

	tmp_dir(dir, sizeof(dir));
	CU_ASSERT_EQUAL_FATAL(getrlimit(RLIMIT_FSIZE, &old), 0);
	small = old;
	small.rlim_cur = 160; /* a .private of algorithm 13 has 114 octets, its .key 200 */
	CU_ASSERT_EQUAL_FATAL(setrlimit(RLIMIT_FSIZE, &small), 0);
	k = sign_keys_load(dir, "example.com.", &csk13, true, NULL, err, sizeof(err));
	CU_ASSERT_EQUAL(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, was);
	CU_ASSERT_PTR_NULL(k);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, ".key: cannot write it"));
	snprintf(cmd, sizeof(cmd), "test -z \"$(ls %s)\"", dir);
	CU_ASSERT_EQUAL(system(cmd), 0);
	sign_keys_free(&k);
	k = sign_keys_load(dir, "example.com.", &csk13, true, NULL, err, sizeof(err));
	if (k == NULL)
		fprintf(stderr, "\n  %s\n", err);
	CU_ASSERT_PTR_NOT_NULL(k);
	sign_keys_free(&k);
	tu_rm_dir(dir);
}

/*
 * A zone file with the records the signer makes (NSEC, NSEC3, NSEC3PARAM) but no DNSKEY or
 * RRSIG, a signed zone stripped of its signatures: refused as presigned, naming the zone, the
 * type and its line, not signed with its chain served beside ours.
 */
static void test_chain_records_refused(void)
{
	static const char *const extra[] = {
	    "@ 3600 IN NSEC3PARAM 1 0 10 abcd\n",
	    "mail 3600 IN NSEC zzz.example.com. A\n",
	    "gone 3600 IN NSEC3 1 0 0 - 0123456789ABCDEFGHIJKLMNOPQRSTUV A\n",
	};
	static const char *const type[] = {"(NSEC3PARAM)", "(NSEC)", "(NSEC3)"};
	char dir[64], err[1024], text[1024];
	sign_keys_t *keys;
	time_t expires;

	tmp_dir(dir, sizeof(dir));
	keys = sign_keys_load(dir, "example.com.", &csk13, true, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(keys);
	for (size_t i = 0; i < sizeof(extra) / sizeof(extra[0]); i++) {
		zload_zone_t *z, *s;

		snprintf(text, sizeof(text),
			 "$ORIGIN example.com.\n$TTL 3600\n"
			 "@ IN SOA ns1 hostmaster 1 7200 3600 1209600 300\n"
			 "@ IN NS ns1\nns1 IN A 198.18.0.53\nmail IN A 198.18.0.25\n%s",
			 extra[i]);
		z = zload_string("example.com.", text, "t.zone", NULL, NULL, err, sizeof(err));
		CU_ASSERT_PTR_NOT_NULL_FATAL(z);
		s = sign_zone(z, NULL, 0, 2, keys, &csk13, NULL, time(NULL), &expires, NULL, err,
			      sizeof(err));
		CU_ASSERT_PTR_NULL(s);
		if (s == NULL) {
			CU_ASSERT_PTR_NOT_NULL(strstr(err, "example.com."));
			CU_ASSERT_PTR_NOT_NULL(strstr(err, "presigned"));
			CU_ASSERT_PTR_NOT_NULL(strstr(err, type[i]));
			CU_ASSERT_PTR_NOT_NULL(strstr(err, "t.zone line 7"));
		}
		zload_free(&s);
		zload_free(&z);
	}
	sign_keys_free(&keys);
	tu_rm_dir(dir);
}

/*
 * A key's files copied under another tag's name (as the zone spelt another way would be): the
 * same DNSKEY twice in the RRset signed, kept once by validators, its signatures bogus. Refused,
 * naming both; the copy (a KSK's key with a ZSK's flags too) removed, the key loads.
 */
static void test_key_copied(void)
{
	char dir[64], priv[512], err[1024], cmd[2048];
	sign_params_t split = csk13;
	sign_keys_t *k;
	size_t n;

	tmp_dir(dir, sizeof(dir));
	make_one(dir, priv, sizeof(priv));
	n = strlen(priv) - strlen(".private");
	snprintf(cmd, sizeof(cmd),
		 "cp %s %s/Kexample.com.+013+00001.private && "
		 "cp %.*s.key %s/Kexample.com.+013+00001.key",
		 priv, dir, (int)n, priv, dir);
	CU_ASSERT_EQUAL_FATAL(system(cmd), 0);
	k = sign_keys_load(dir, "example.com.", &csk13, true, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NULL(k);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, ": the same key as "));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "+00001.private"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, priv + strlen(dir)));
	sign_keys_free(&k);
	/* The copy said to be a ZSK (flags 256): the same key all the same. */
	snprintf(cmd, sizeof(cmd),
		 "sed -i 's/ 257 3 13 / 256 3 13 /' %s/Kexample.com.+013+00001.key", dir);
	CU_ASSERT_EQUAL_FATAL(system(cmd), 0);
	split.csk = false;
	k = sign_keys_load(dir, "example.com.", &split, false, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NULL(k);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, ": the same key as "));
	sign_keys_free(&k);
	snprintf(cmd, sizeof(cmd), "rm %s/Kexample.com.+013+00001.*", dir);
	CU_ASSERT_EQUAL_FATAL(system(cmd), 0);
	k = sign_keys_load(dir, "example.com.", &csk13, false, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL(k);
	CU_ASSERT_EQUAL(sign_keys_count(k), 1);
	sign_keys_free(&k);
	tu_rm_dir(dir);
}

void reg_cutest_sign_keys(void)
{
	CU_pSuite s = CU_add_suite("sign_keys", NULL, NULL);

	CU_add_test(s, "a .private that is a FIFO, /dev/zero, huge, a directory: refused at once",
		    test_private_not_regular);
	CU_add_test(s, "BIND's timing: a key retired or not yet in use refused, naming it",
		    test_private_timing);
	CU_add_test(s, "a key half written (disk full): no .private left alone",
		    test_make_key_half_written);
	CU_add_test(s, "NSEC, NSEC3, NSEC3PARAM in a zone to sign: refused as presigned",
		    test_chain_records_refused);
	CU_add_test(s, "a key's files copied under another name: refused, naming both",
		    test_key_copied);
}
