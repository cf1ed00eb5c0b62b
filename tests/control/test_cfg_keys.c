/* SPDX-License-Identifier: BSD-3-Clause */
/* test_cfg_keys.c: CUnit suite for control/cfg_keys.c: key, key-file and the ACLs with keys */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "cfg.h"
#include "cutest.h"
#include "sandns_err.h"

#define SECRET "c2FuZG5zLXRlc3Qtc2VjcmV0LTAxMjM0NTY3ODk="
#define SECRET2 "b3RoZXItc2VjcmV0LWZvci10aGUtdGVzdHMtMDA="

static char err[1024];
static char dir[] = "/tmp/sandns-cfgkeys.XXXXXX";

static int load(cfg_t **cfg, const char *text)
{
	*cfg = cfg_new();
	CU_ASSERT_PTR_NOT_NULL_FATAL(*cfg);
	err[0] = '\0';
	return cfg_load_string(*cfg, text, "t.conf", dir, err, sizeof(err));
}

/* TEXT fails to load (or to check) with WANT in the message, and no secret in it. */
static void fails(const char *text, const char *want)
{
	cfg_t *cfg;
	int rc = load(&cfg, text);

	if (rc == SANDNS_EOK)
		rc = cfg_check(cfg, err, sizeof(err));
	CU_ASSERT_EQUAL(rc, SANDNS_ECONFIG);
	if (strstr(err, want) == NULL)
		fprintf(stderr, "\n  expected '%s' in '%s'\n", want, err);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, want));
	CU_ASSERT_PTR_NULL(strstr(err, SECRET));
	CU_ASSERT_PTR_NULL(strstr(err, "sandns-test-secret"));
	cfg_free(&cfg);
}

static void write_file(const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs(text, f);
	fclose(f);
}

static struct sockaddr_storage sa4(const char *a)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *s = (struct sockaddr_in *)&ss;

	memset(&ss, 0, sizeof(ss));
	s->sin_family = AF_INET;
	inet_pton(AF_INET, a, &s->sin_addr);
	return ss;
}

static void test_key_lines(void)
{
	cfg_t *cfg;

	CU_ASSERT_EQUAL(load(&cfg, "zone a. /a\nkey xfr hmac-sha256 " SECRET
				   "\nkey Old.Primary. hmac-sha1 " SECRET2 "\n"),
			SANDNS_EOK);
	CU_ASSERT_EQUAL(cfg_check(cfg, err, sizeof(err)), SANDNS_EOK);
	CU_ASSERT_EQUAL_FATAL(cfg->nkeys, 2);
	CU_ASSERT_STRING_EQUAL(cfg->keys[0].text, "xfr.");
	CU_ASSERT_EQUAL(cfg->keys[0].alg, TSIG_HMAC_SHA256);
	CU_ASSERT_EQUAL(cfg->keys[0].secret_len, 29);
	CU_ASSERT_PTR_EQUAL(cfg_key_find(cfg, "old.primary"), &cfg->keys[1]);
	CU_ASSERT_PTR_NULL(cfg_key_find(cfg, "nokey"));
	cfg_free(&cfg);

	fails("key xfr hmac-md5 " SECRET "\n", "t.conf:1: key: unknown algorithm 'hmac-md5'");
	fails("\nkey xfr hmac-sha256 sandns-test-secret!\n",
	      "t.conf:2: key: the secret of key xfr. is not valid base64");
	fails("key xfr hmac-sha256 " SECRET " extra\n", "t.conf:1: key xfr: the secret is not");
	fails("key xfr hmac-sha256\n", "t.conf:1: key xfr: the secret is missing");
	fails("key xfr hmac-sha256 " SECRET "\nkey XFR. hmac-sha512 " SECRET "\n",
	      "t.conf:2: key: key xfr. is defined twice (first at t.conf:1)");
}

static void test_key_file(void)
{
	char line[512];
	cfg_t *cfg;

	write_file("good.key",
		   "# tsig-keygen xfr\n"
		   "key \"xfr\" {\n"
		   "\talgorithm hmac-sha256;\n"
		   "\tsecret \"" SECRET "\";\n"
		   "};\n"
		   "/* a second one */ key \"notify.example.\" { algorithm hmac-sha512; "
		   "secret \"" SECRET2 "\"; };\n");
	CU_ASSERT_EQUAL(load(&cfg, "zone a. /a\nkey-file good.key\nallow-transfer 10.0.0.0/8 key "
				   "xfr\nallow-notify 192.0.2.1 key notify.example\n"),
			SANDNS_EOK);
	CU_ASSERT_EQUAL(cfg_check(cfg, err, sizeof(err)), SANDNS_EOK);
	CU_ASSERT_EQUAL_FATAL(cfg->nkeys, 2);
	CU_ASSERT_STRING_EQUAL(cfg->keys[1].text, "notify.example.");
	CU_ASSERT_EQUAL(cfg->keys[1].alg, TSIG_HMAC_SHA512);
	CU_ASSERT_EQUAL(cfg->notify_acl[0].key_idx, 1);
	cfg_free(&cfg);

	write_file("alg.key",
		   "key \"a\" {\n algorithm hmac-sha256;\n secret \"" SECRET
		   "\";\n};\nkey \"b\" {\n algorithm hmac-md5;\n secret \"" SECRET "\";\n};\n");
	snprintf(line, sizeof(line), "key-file %s/alg.key:6: key b: unknown algorithm 'hmac-md5'",
		 dir);
	fails("key-file alg.key\n", line);
	write_file("b64.key",
		   "key \"a\" {\n algorithm hmac-sha256;\n secret \"sandns-test-secret\";\n"
		   "};\n");
	snprintf(line, sizeof(line),
		 "t.conf:1: key-file %s/b64.key:1: the secret of key a. is not "
		 "valid base64",
		 dir);
	fails("key-file b64.key\n", line);
	snprintf(line, sizeof(line),
		 "t.conf:2: key-file %s/good.key:2: key xfr. is defined twice (first at t.conf:1)",
		 dir);
	fails("key xfr hmac-sha256 " SECRET2 "\nkey-file good.key\n", line);
	write_file("open.key", "key \"a\" {\n algorithm hmac-sha256;\n secret \"" SECRET "\";\n");
	fails("key-file open.key\n", "open.key:4: key a is not closed with '};'");
	write_file("nosecret.key", "key \"a\" { algorithm hmac-sha256; };\n");
	fails("key-file nosecret.key\n", "nosecret.key:1: key a has no secret");
	write_file("junk.key", "\n\nzone \"a\" { };\n");
	fails("key-file junk.key\n", "junk.key:3: 'key' expected, not 'zone'");
	write_file("stmt.key",
		   "key \"a\" { algorithm hmac-sha256; secret \"" SECRET "\"; owner x; };\n");
	fails("key-file stmt.key\n", "stmt.key:1: key a: unknown statement 'owner'");
	fails("key-file missing.key\n", "t.conf:1: key-file");
	fails("key-file missing.key\n", "missing.key: cannot open");
	fails("key-file .\n", "not a regular file");
}

static void test_acls(void)
{
	struct sockaddr_storage lo = sa4("127.0.0.1"), ten = sa4("10.1.2.3"),
				other = sa4("192.0.2.9");
	cfg_t *cfg;
	const tsig_key_t *xfr, *ntf;

	CU_ASSERT_EQUAL(load(&cfg,
			     "zone a. /a\nallow-transfer 127.0.0.0/8\n"
			     "allow-transfer 10.0.0.0/8 key xfr\n"
			     "allow-notify 10.0.0.0/8 key ntf\n"
			     "key xfr hmac-sha256 " SECRET "\nkey ntf hmac-sha256 " SECRET2 "\n"),
			SANDNS_EOK);
	CU_ASSERT_EQUAL_FATAL(cfg_check(cfg, err, sizeof(err)), SANDNS_EOK);
	xfr = cfg_key_find(cfg, "xfr");
	ntf = cfg_key_find(cfg, "ntf");
	CU_ASSERT_PTR_NOT_NULL_FATAL(xfr);
	CU_ASSERT_STRING_EQUAL(cfg->xfr_acl[1].prefix.text, "10.0.0.0/8");
	CU_ASSERT_STRING_EQUAL(cfg->xfr_acl[1].key, "xfr");
	/* Without a key: anyone from the prefix, signed or not. */
	CU_ASSERT_TRUE(cfg_xfr_allowed(cfg, (struct sockaddr *)&lo, NULL));
	CU_ASSERT_TRUE(cfg_xfr_allowed(cfg, (struct sockaddr *)&lo, ntf));
	/* With one: only requests signed with it. */
	CU_ASSERT_FALSE(cfg_xfr_allowed(cfg, (struct sockaddr *)&ten, NULL));
	CU_ASSERT_FALSE(cfg_xfr_allowed(cfg, (struct sockaddr *)&ten, ntf));
	CU_ASSERT_TRUE(cfg_xfr_allowed(cfg, (struct sockaddr *)&ten, xfr));
	CU_ASSERT_FALSE(cfg_xfr_allowed(cfg, (struct sockaddr *)&other, xfr));
	/* allow-notify alike, its own list. */
	CU_ASSERT_TRUE(cfg_notify_allowed(cfg, (struct sockaddr *)&ten, ntf));
	CU_ASSERT_FALSE(cfg_notify_allowed(cfg, (struct sockaddr *)&ten, xfr));
	CU_ASSERT_FALSE(cfg_notify_allowed(cfg, (struct sockaddr *)&lo, NULL));
	cfg_free(&cfg);

	fails("zone a. /a\nkey xfr hmac-sha256 " SECRET "\n\nallow-transfer 127.0.0.1 key nokey\n",
	      "t.conf:4: allow-transfer 127.0.0.1/32: key nokey is not defined");
	fails("zone a. /a\nallow-notify ::1 key nokey\n",
	      "t.conf:2: allow-notify ::1/128: key nokey is not defined");
	fails("allow-transfer 127.0.0.1 kee xfr\n",
	      "t.conf:1: allow-transfer: expected PREFIX [key NAME]");
	fails("allow-transfer 127.0.0.1 key\n", "t.conf:1: allow-transfer: expected PREFIX");
	fails("allow-transfer 127.0.0.1 key a b\n", "t.conf:1: allow-transfer: expected PREFIX");
	fails("allow-notify 300.0.0.1\n", "t.conf:1: allow-notify: '300.0.0.1' is not");
}

/* On the command line: --key, --key-file, the ACLs; messages name the option, not the secret. */
static void test_cmdline(void)
{
	char kf[256];
	char *ok[] = {"sandnsd",
		      "--zone",
		      "a.=/a",
		      "--key",
		      "xfr hmac-sha256 " SECRET,
		      "--allow-transfer",
		      "127.0.0.1 key xfr",
		      "--key-file",
		      kf};
	char *bad[] = {"sandnsd", "--key", "xfr hmac-sha256 sandns-test-secret!"};
	char *undef[] = {"sandnsd", "--zone", "a.=/a", "--allow-transfer", "::1 key x"};
	cfg_t *cfg;

	write_file("cmd.key", "key \"n\" { algorithm hmac-sha384; secret \"" SECRET2 "\"; };\n");
	snprintf(kf, sizeof(kf), "%s/cmd.key", dir);
	cfg = cfg_new();
	CU_ASSERT_EQUAL(cfg_load_args(cfg, 9, ok, err, sizeof(err)), SANDNS_EOK);
	CU_ASSERT_EQUAL(cfg_check(cfg, err, sizeof(err)), SANDNS_EOK);
	CU_ASSERT_EQUAL(cfg->nkeys, 2);
	CU_ASSERT_STRING_EQUAL(cfg->key_where[0], "--key");
	cfg_free(&cfg);

	cfg = cfg_new();
	CU_ASSERT_EQUAL(cfg_load_args(cfg, 3, bad, err, sizeof(err)), SANDNS_ECONFIG);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "--key: the secret of key xfr. is not valid base64"));
	CU_ASSERT_PTR_NULL(strstr(err, "sandns-test-secret"));
	cfg_free(&cfg);

	cfg = cfg_new();
	CU_ASSERT_EQUAL(cfg_load_args(cfg, 5, undef, err, sizeof(err)), SANDNS_EOK);
	CU_ASSERT_EQUAL(cfg_check(cfg, err, sizeof(err)), SANDNS_ECONFIG);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "--allow-transfer: allow-transfer ::1/128: key x is"));
	cfg_free(&cfg);
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

void reg_cutest_cfg_keys(void)
{
	CU_pSuite s = CU_add_suite("cfg_keys", suite_init, suite_clean);

	CU_add_test(s, "key lines", test_key_lines);
	CU_add_test(s, "key-file (tsig-keygen's format)", test_key_file);
	CU_add_test(s, "ACLs with keys", test_acls);
	CU_add_test(s, "the command line", test_cmdline);
}
