/* SPDX-License-Identifier: BSD-3-Clause */
/* test_cfg.c: CUnit suite for control/cfg.c: the configuration file, the command line, addresses */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "cfg.h"
#include "cutest.h"
#include "sandns_err.h"

static char err[1024];

/* A fresh configuration read from TEXT (as file "t.conf" in /etc/sandns); the result code. */
static int load(cfg_t **cfg, const char *text)
{
	*cfg = cfg_new();
	CU_ASSERT_PTR_NOT_NULL_FATAL(*cfg);
	err[0] = '\0';
	return cfg_load_string(*cfg, text, "t.conf", "/etc/sandns", err, sizeof(err));
}

/* Loads TEXT, expects failure with a message containing WANT. */
static void load_fails(const char *text, const char *want)
{
	cfg_t *cfg;

	CU_ASSERT_EQUAL(load(&cfg, text), SANDNS_ECONFIG);
	if (strstr(err, want) == NULL)
		fprintf(stderr, "\n  expected '%s' in '%s'\n", want, err);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, want));
	cfg_free(&cfg);
	CU_ASSERT_PTR_NULL(cfg);
}

static int args(cfg_t **cfg, int argc, char *const argv[])
{
	*cfg = cfg_new();
	CU_ASSERT_PTR_NOT_NULL_FATAL(*cfg);
	err[0] = '\0';
	return cfg_load_args(*cfg, argc, argv, err, sizeof(err));
}

static void args_fail(int argc, char *const argv[], const char *want)
{
	cfg_t *cfg;

	CU_ASSERT_EQUAL(args(&cfg, argc, argv), SANDNS_ECONFIG);
	if (strstr(err, want) == NULL)
		fprintf(stderr, "\n  expected '%s' in '%s'\n", want, err);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, want));
	cfg_free(&cfg);
}

static void test_defaults(void)
{
	cfg_t *cfg = cfg_new();

	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	CU_ASSERT_EQUAL(cfg->io, CFG_IO_SOCKET);
	CU_ASSERT_EQUAL(cfg->udp_max_payload, 1232);
	CU_ASSERT_EQUAL(cfg->tcp_idle_timeout, 10);
	CU_ASSERT_EQUAL(cfg->tcp_max_clients, 256);
	CU_ASSERT_EQUAL(cfg->tcp_io_timeout, 1000);
	CU_ASSERT_EQUAL(cfg->transfers_out, 10);
	CU_ASSERT_EQUAL(cfg->udp_workers, 1);
	CU_ASSERT_EQUAL(cfg->rrl.rate, 0);
	CU_ASSERT_EQUAL(cfg->rrl.slip, 2);
	CU_ASSERT_EQUAL(cfg->rrl.table_size, 65536);
	CU_ASSERT_EQUAL(cfg->rrl.ipv4_prefix, 24);
	CU_ASSERT_EQUAL(cfg->rrl.ipv6_prefix, 56);
	CU_ASSERT_FALSE(cfg->foreground);
	CU_ASSERT_PTR_NULL(cfg->control);
	CU_ASSERT_PTR_NULL(cfg->identity);
	CU_ASSERT_EQUAL(cfg->nzones, 0);
	CU_ASSERT_EQUAL(cfg->nxfr_acl, 0);
	CU_ASSERT_EQUAL(cfg->zone_max_size, 0); /* the loader's default */
	/* No state directory until sandnsd sets its default: a test's configuration writes nothing.
	 */
	CU_ASSERT_PTR_NULL(cfg->state_dir);
	CU_ASSERT_EQUAL(cfg->ixfr_max_size, (uint64_t)100 << 20);
	CU_ASSERT_EQUAL(cfg->ixfr_max_depth, 20);
	cfg_free(&cfg);
	cfg_free(&cfg); /* NULL is fine */
	cfg_free(NULL);
}

static void test_file_all_keys(void)
{
	const char *text = "# a comment line\n"
			   "\n"
			   "   zone example.com. example.com.zone   # relative\n"
			   "zone example.net.=/var/z/net.zone\r\n"
			   "listen 127.0.0.1@5353\n"
			   "listen [::1]:5353\n"
			   "io socket\n"
			   "allow-transfer 127.0.0.0/8\n"
			   "allow-transfer ::1\n"
			   "control /run/s.sock\n"
			   "foreground yes\n"
			   "udp-max-payload 1400\n"
			   "identity \"ns1 # not a comment\"\n"
			   "version sandns test#1\n"
			   "tcp-idle-timeout 30\n"
			   "tcp-max-clients 1000\n"
			   "tcp-io-timeout 250\n"
			   "transfers-out 3\n"
			   "udp-workers 4\n"
			   "rate-limit 50\n"
			   "rate-limit-slip 0\n"
			   "rate-limit-table-size 1000\n"
			   "rate-limit-ipv4-prefix 32\n"
			   "rate-limit-ipv6-prefix 64\n"
			   "cert mail.pem\n"
			   "cert tls://mail.example.com:8443@192.0.2.25\n"
			   "srv-target mail.example.com\n"
			   "legacy-cn-fallback yes\n"
			   "cert-probe-interval 60\n"
			   "watch yes\n"
			   "keep-zones no\n"
			   "zone-max-size 64M\n"
			   "state-dir state\n"
			   "ixfr-max-size 2M\n"
			   "ixfr-max-depth 5\n";
	cfg_t *cfg;

	CU_ASSERT_EQUAL_FATAL(load(&cfg, text), SANDNS_EOK);
	CU_ASSERT_EQUAL_FATAL(cfg->ncerts, 2);
	/* a file relative to the configuration's directory; an endpoint as written */
	CU_ASSERT_STRING_EQUAL(cfg->certs[0], "/etc/sandns/mail.pem");
	CU_ASSERT_STRING_EQUAL(cfg->certs[1], "tls://mail.example.com:8443@192.0.2.25");
	CU_ASSERT_STRING_EQUAL(cfg->srv_target, "mail.example.com");
	CU_ASSERT_TRUE(cfg->legacy_cn_fallback);
	CU_ASSERT_EQUAL(cfg->cert_probe_interval, 60);
	CU_ASSERT_TRUE(cfg->watch);
	CU_ASSERT_EQUAL(cfg->keep_zones, CFG_KEEP_NO);
	CU_ASSERT_EQUAL(cfg->zone_max_size, (uint64_t)64 << 20);
	CU_ASSERT_STRING_EQUAL(cfg->state_dir, "/etc/sandns/state");
	CU_ASSERT_EQUAL(cfg->ixfr_max_size, (uint64_t)2 << 20);
	CU_ASSERT_EQUAL(cfg->ixfr_max_depth, 5);
	CU_ASSERT_EQUAL_FATAL(cfg->nzones, 2);
	CU_ASSERT_STRING_EQUAL(cfg->zones[0].origin, "example.com.");
	CU_ASSERT_STRING_EQUAL(cfg->zones[0].src.path, "/etc/sandns/example.com.zone");
	CU_ASSERT_STRING_EQUAL(cfg->zones[1].origin, "example.net.");
	CU_ASSERT_STRING_EQUAL(cfg->zones[1].src.path, "/var/z/net.zone");
	CU_ASSERT_EQUAL_FATAL(cfg->nlistens, 2);
	CU_ASSERT_STRING_EQUAL(cfg->listens[0].text, "127.0.0.1@5353");
	CU_ASSERT_STRING_EQUAL(cfg->listens[1].text, "::1@5353");
	CU_ASSERT_FALSE(cfg->listens[0].is_default);
	CU_ASSERT_EQUAL_FATAL(cfg->nxfr_acl, 2);
	CU_ASSERT_STRING_EQUAL(cfg->xfr_acl[0].prefix.text, "127.0.0.0/8");
	CU_ASSERT_STRING_EQUAL(cfg->xfr_acl[1].prefix.text, "::1/128");
	CU_ASSERT_STRING_EQUAL(cfg->control, "/run/s.sock");
	CU_ASSERT_TRUE(cfg->foreground);
	CU_ASSERT_EQUAL(cfg->udp_max_payload, 1400);
	CU_ASSERT_STRING_EQUAL(cfg->identity, "ns1 # not a comment");
	/* '#' only starts a comment at the start or after white space */
	CU_ASSERT_STRING_EQUAL(cfg->version, "sandns test#1");
	CU_ASSERT_EQUAL(cfg->tcp_idle_timeout, 30);
	CU_ASSERT_EQUAL(cfg->tcp_max_clients, 1000);
	CU_ASSERT_EQUAL(cfg->tcp_io_timeout, 250);
	CU_ASSERT_EQUAL(cfg->transfers_out, 3);
	CU_ASSERT_EQUAL(cfg->udp_workers, 4);
	CU_ASSERT_EQUAL(cfg->rrl.rate, 50);
	CU_ASSERT_EQUAL(cfg->rrl.slip, 0);
	CU_ASSERT_EQUAL(cfg->rrl.table_size, 1000);
	CU_ASSERT_EQUAL(cfg->rrl.ipv4_prefix, 32);
	CU_ASSERT_EQUAL(cfg->rrl.ipv6_prefix, 64);
	cfg_free(&cfg);
}

/* zone-max-size: the top of its range, 1T, written as such (and in lower case). */
static void test_size_units(void)
{
	static const char *const ok[] = {"zone-max-size 1T\n", "zone-max-size 1t\n",
					 "zone-max-size 1024G\n", "zone-max-size 1099511627776\n"};
	cfg_t *cfg;

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		CU_ASSERT_EQUAL_FATAL(load(&cfg, ok[i]), SANDNS_EOK);
		CU_ASSERT_EQUAL(cfg->zone_max_size, (uint64_t)1 << 40);
		cfg_free(&cfg);
	}
	CU_ASSERT_EQUAL_FATAL(load(&cfg, "zone-max-size 4k\n"), SANDNS_EOK);
	CU_ASSERT_EQUAL(cfg->zone_max_size, 4096);
	cfg_free(&cfg);
}

/* The rate limit's tables, one per UDP worker, at most 1 GiB together (cfg_check). */
static void test_rrl_memory(void)
{
	cfg_t *cfg;

	/* 16777216 buckets of 24 octets: 384 MiB a thread; two fit, three do not. */
	CU_ASSERT_EQUAL_FATAL(load(&cfg, "zone a. a.zone\nrate-limit 10\n"
					 "rate-limit-table-size 16777216\nudp-workers 2\n"),
			      SANDNS_EOK);
	CU_ASSERT_EQUAL(cfg_check(cfg, err, sizeof(err)), SANDNS_EOK);
	cfg_free(&cfg);
	CU_ASSERT_EQUAL_FATAL(load(&cfg, "zone a. a.zone\nrate-limit 10\n"
					 "rate-limit-table-size 16777216\nudp-workers 64\n"),
			      SANDNS_EOK);
	CU_ASSERT_EQUAL(cfg_check(cfg, err, sizeof(err)), SANDNS_ECONFIG);
	CU_ASSERT_PTR_NOT_NULL(strstr(err,
				      "rate-limit-table-size 16777216 with udp-workers 64: "
				      "the rate limit's tables would take 24.0 GiB "
				      "(16777216 buckets of 24 octets for each of 64 threads), "
				      "more than 1 GiB"));
	cfg_free(&cfg);
	CU_ASSERT_EQUAL_FATAL(load(&cfg, "zone a. a.zone\nrate-limit 10\n"
					 "rate-limit-table-size 16000000\nudp-workers 3\n"),
			      SANDNS_EOK);
	CU_ASSERT_EQUAL(cfg_check(cfg, err, sizeof(err)), SANDNS_ECONFIG); /* rounded up: 2^24 */
	cfg_free(&cfg);
	/* Off: no table, any size. */
	CU_ASSERT_EQUAL_FATAL(load(&cfg, "zone a. a.zone\nrate-limit-table-size 16777216\n"
					 "udp-workers 64\n"),
			      SANDNS_EOK);
	CU_ASSERT_EQUAL(cfg_check(cfg, err, sizeof(err)), SANDNS_EOK);
	cfg_free(&cfg);
}

static void test_file_errors(void)
{
	load_fails("zone a. a.zone\nfrobnicate 1\n", "t.conf:2: unknown key 'frobnicate'");
	load_fails("io socket\n\n# x\nio socket\n", "t.conf:4: 'io' is already set on line 1");
	load_fails("listen\n", "t.conf:1: 'listen' needs a value");
	load_fails("listen 127.0.0.1@70000\n", "t.conf:1: listen: port 70000 is out of range");
	load_fails("listen 127.0.0.1@0\n", "port 0 is out of range (1..65535)");
	load_fails("listen 127.0.0.1@http\n", "port 'http' is not a number");
	load_fails("listen localhost\n", "'localhost' is not an IPv4 or IPv6 address");
	load_fails("listen [::1\n", "missing ']'");
	load_fails("allow-transfer 10.0.0.0/33\n", "the prefix length must be 0..32");
	load_fails("allow-transfer 10.0.0.0/x\n", "the prefix length must be 0..32");
	load_fails("allow-transfer ::/129\n", "the prefix length must be 0..128");
	load_fails("io kernel\n", "io: expected socket or dpdk, not 'kernel'");
	load_fails("cert tls://mail.example.com:99999\n", "cert tls://mail.example.com:99999: ");
	load_fails("legacy-cn-fallback sometimes\n", "legacy-cn-fallback: expected yes or no");
	load_fails("cert-probe-interval 86401\n", "cert-probe-interval: 86401 is out of range");
	load_fails("srv-target a b\n", "srv-target: 'a b' is not a host name");
	load_fails("keep-zones maybe\n", "keep-zones: expected auto, yes or no, not 'maybe'");
	load_fails("zone-max-size 1P\n",
		   "zone-max-size: '1P' is not a size (a number, then K, M, G or T)");
	load_fails("zone-max-size 2T\n", "zone-max-size: 2T is out of range");
	load_fails("zone-max-size 12KB\n", "zone-max-size: '12KB' is not a size");
	load_fails("zone-max-size M\n", "zone-max-size: 'M' is not a size");
	load_fails("zone-max-size 4095\n",
		   "zone-max-size: 4095 is out of range (4096..1099511627776 octets)");
	load_fails("zone-max-size 1025G\n", "zone-max-size: 1025G is out of range");
	load_fails("ixfr-max-size 1000\n", "ixfr-max-size: 1000 is out of range");
	load_fails("ixfr-max-depth 0\n", "ixfr-max-depth: 0 is out of range (1..100000)");
	load_fails("state-dir \"\"\n", "'state-dir' needs a value");
	load_fails("zone-max-size 99999999999999999999999999\n", "is out of range");
	load_fails("foreground maybe\n", "foreground: expected yes or no, not 'maybe'");
	load_fails("udp-max-payload 511\n", "udp-max-payload: 511 is out of range (512..65535)");
	load_fails("tcp-idle-timeout 0\n", "tcp-idle-timeout: 0 is out of range");
	load_fails("tcp-max-clients -1\n", "tcp-max-clients: '-1' is not a number");
	load_fails("tcp-io-timeout 99\n", "tcp-io-timeout: 99 is out of range (100..60000)");
	load_fails("transfers-out 0\n", "transfers-out: 0 is out of range (1..1024)");
	load_fails("transfers-out 1025\n", "transfers-out: 1025 is out of range (1..1024)");
	load_fails("rate-limit 1000001\n", "rate-limit: 1000001 is out of range (0..1000000)");
	load_fails("rate-limit-slip 101\n", "rate-limit-slip: 101 is out of range (0..100)");
	load_fails("rate-limit-table-size 10\n", "rate-limit-table-size: 10 is out of range");
	load_fails("rate-limit-ipv4-prefix 33\n", "rate-limit-ipv4-prefix: 33 is out of range");
	load_fails("rate-limit-ipv6-prefix 8\n", "rate-limit-ipv6-prefix: 8 is out of range");
	load_fails("udp-workers 99999999999999999999999\n", "out of range (1..64)");
	load_fails("zone example.com.\n", "expected ORIGIN=FILE");
	load_fails("zone =x.zone\n", "the zone origin is missing");
	load_fails("zone a.=\n", "the zone file is missing");
	load_fails("config other.conf\n", "'config' only works on the command line");
	load_fails("control /this/path/is/far/too/long/for/a/unix/socket/because/sun_path/holds/"
		   "only/one/hundred/and/eight/bytes/including/its/terminating/nul.sock\n",
		   "is too long");
}

static void test_file_read(void)
{
	char dir[] = "/tmp/sandns-test-cfg.XXXXXX";
	char path[256], cwd[4096];
	cfg_t *cfg = cfg_new();
	FILE *f;

	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/sandns.conf", dir);
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("zone example.com. sub/example.com.zone\ncontrol ctl.sock\nbogus\n", f);
	fclose(f);

	/* A relative path to the file itself: its directory still anchors the zone files. */
	CU_ASSERT_PTR_NOT_NULL_FATAL(getcwd(cwd, sizeof(cwd)));
	CU_ASSERT_EQUAL_FATAL(chdir("/tmp"), 0);
	CU_ASSERT_EQUAL(cfg_load_file(cfg, path + 5, err, sizeof(err)), SANDNS_ECONFIG);
	CU_ASSERT_EQUAL(chdir(cwd), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "sandns.conf:3: unknown key 'bogus'"));
	CU_ASSERT_EQUAL_FATAL(cfg->nzones, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(cfg->zones[0].src.path, dir));
	CU_ASSERT_PTR_NOT_NULL(strstr(cfg->zones[0].src.path, "/sub/example.com.zone"));
	CU_ASSERT_EQUAL(cfg->zones[0].src.path[0], '/');
	CU_ASSERT_PTR_NOT_NULL(strstr(cfg->control, "/ctl.sock"));
	cfg_free(&cfg);

	cfg = cfg_new();
	CU_ASSERT_EQUAL(cfg_load_file(cfg, "/nonexistent/sandns.conf", err, sizeof(err)),
			SANDNS_ECONFIG);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "cannot read the configuration file"));
	CU_ASSERT_EQUAL(cfg_load_file(cfg, dir, err, sizeof(err)), SANDNS_ECONFIG);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "not a regular file"));
	cfg_free(&cfg);

	/* A NUL byte: the error names its line (the file is not read further). */
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fwrite("control ctl.sock\r\n# x\nidentity a\0b\n", 1, 35, f);
	fclose(f);
	cfg = cfg_new();
	CU_ASSERT_EQUAL(cfg_load_file(cfg, path, err, sizeof(err)), SANDNS_ECONFIG);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "sandns.conf:3: a NUL byte"));
	cfg_free(&cfg);

	unlink(path);
	rmdir(dir);
}

static void test_args(void)
{
	char *const argv[] = {"sandnsd",
			      "--zone",
			      "example.com.=/z/com.zone",
			      "--listen=::1@53",
			      "--listen",
			      "127.0.0.1@5399",
			      "--io",
			      "socket",
			      "--allow-transfer",
			      "127.0.0.0/8",
			      "--control",
			      "/tmp/x.sock",
			      "--foreground",
			      "--udp-max-payload",
			      "4096",
			      "--identity",
			      "ns1",
			      "--server-version",
			      "v1",
			      "--tcp-idle-timeout=3",
			      "--tcp-max-clients",
			      "2",
			      "--udp-workers",
			      "2"};
	cfg_t *cfg;

	CU_ASSERT_EQUAL_FATAL(args(&cfg, sizeof(argv) / sizeof(argv[0]), argv), SANDNS_EOK);
	CU_ASSERT_EQUAL_FATAL(cfg->nzones, 1);
	CU_ASSERT_STRING_EQUAL(cfg->zones[0].origin, "example.com.");
	CU_ASSERT_STRING_EQUAL(cfg->zones[0].src.path, "/z/com.zone");
	CU_ASSERT_EQUAL_FATAL(cfg->nlistens, 2);
	CU_ASSERT_STRING_EQUAL(cfg->listens[0].text, "::1@53");
	CU_ASSERT_STRING_EQUAL(cfg->listens[1].text, "127.0.0.1@5399");
	CU_ASSERT_EQUAL(cfg->nxfr_acl, 1);
	CU_ASSERT_STRING_EQUAL(cfg->control, "/tmp/x.sock");
	CU_ASSERT_TRUE(cfg->foreground);
	CU_ASSERT_EQUAL(cfg->udp_max_payload, 4096);
	CU_ASSERT_STRING_EQUAL(cfg->identity, "ns1");
	CU_ASSERT_STRING_EQUAL(cfg->version, "v1");
	CU_ASSERT_EQUAL(cfg->tcp_idle_timeout, 3);
	CU_ASSERT_EQUAL(cfg->tcp_max_clients, 2);
	CU_ASSERT_EQUAL(cfg->udp_workers, 2);
	CU_ASSERT_FALSE(cfg->show_help);
	CU_ASSERT_EQUAL(cfg_check(cfg, err, sizeof(err)), SANDNS_EOK);
	cfg_free(&cfg);
}

static void test_args_errors(void)
{
	char *const a1[] = {"sandnsd", "--io", "xdp"};
	char *const a2[] = {"sandnsd", "--cert", "tls://"};
	char *const a3[] = {"sandnsd", "--bogus"};
	char *const a4[] = {"sandnsd", "stray"};
	char *const a5[] = {"sandnsd", "--listen"};
	char *const a6[] = {"sandnsd", "--config", "/a", "--config", "/b"};
	char *const a7[] = {"sandnsd", "--listen", "1.2.3.4@99999"};
	char *const a8[] = {"sandnsd", "--version", "v1"}; /* --version takes no value */

	args_fail(3, a1, "--io: expected socket or dpdk, not 'xdp'");
	args_fail(3, a2, "--cert tls://: ");
	args_fail(2, a3, "unknown option --bogus");
	args_fail(2, a4, "unexpected argument 'stray'");
	args_fail(2, a5, "--listen needs a value");
	args_fail(5, a6, "--config is given twice");
	args_fail(3, a7, "--listen: port 99999 is out of range (1..65535)");
	args_fail(3, a8, "unexpected argument 'v1'");
}

static void test_args_help_and_eal(void)
{
	char *const a1[] = {"sandnsd", "--help"};
	char *const a2[] = {"sandnsd", "--zone", "a.=/a", "--", "--no-huge", "-m", "512"};
	cfg_t *cfg;

	CU_ASSERT_EQUAL(args(&cfg, 2, a1), SANDNS_EOK);
	CU_ASSERT_TRUE(cfg->show_help);
	cfg_free(&cfg);

	CU_ASSERT_EQUAL(args(&cfg, 7, a2), SANDNS_EOK);
	CU_ASSERT_EQUAL_FATAL(cfg->neal_args, 3);
	CU_ASSERT_STRING_EQUAL(cfg->eal_args[0], "--no-huge");
	CU_ASSERT_STRING_EQUAL(cfg->eal_args[2], "512");
	/* EAL arguments mean nothing to the socket I/O: say so rather than ignore them. */
	CU_ASSERT_EQUAL(cfg_check(cfg, err, sizeof(err)), SANDNS_ECONFIG);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "only used with --io dpdk"));
	cfg_free(&cfg);
}

/* io dpdk: EAL arguments and specific --listen addresses on one port, or a clear refusal. */
static void dpdk_check(int argc, char *const argv[], const char *want)
{
	cfg_t *cfg;

	CU_ASSERT_EQUAL_FATAL(args(&cfg, argc, argv), SANDNS_EOK);
	CU_ASSERT_EQUAL(cfg->io, CFG_IO_DPDK);
	if (want == NULL) {
		CU_ASSERT_EQUAL(cfg_check(cfg, err, sizeof(err)), SANDNS_EOK);
	} else {
		CU_ASSERT_EQUAL(cfg_check(cfg, err, sizeof(err)), SANDNS_ECONFIG);
		if (strstr(err, want) == NULL)
			fprintf(stderr, "\n  expected '%s' in '%s'\n", want, err);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, want));
	}
	cfg_free(&cfg);
}

static void test_args_dpdk(void)
{
	char *const ok[] = {"sandnsd",	   "--io",     "dpdk",	     "--zone",
			    "a.=/a",	   "--listen", "198.18.0.2", "--listen",
			    "2001:db8::2", "--",       "--no-huge"};
	char *const no_eal[] = {"sandnsd", "--io",     "dpdk",	    "--zone",
				"a.=/a",   "--listen", "198.18.0.2"};
	char *const no_listen[] = {"sandnsd", "--io=dpdk", "--zone", "a.=/a", "--", "-l", "0"};
	char *const wild[] = {"sandnsd", "--io=dpdk", "--zone", "a.=/a", "--listen",
			      "0.0.0.0", "--",	      "-l",	"0"};
	char *const ports[] = {
	    "sandnsd",	"--io=dpdk",	   "--zone", "a.=/a", "--listen", "198.18.0.2@53",
	    "--listen", "198.18.0.3@5353", "--",     "-l",    "0"};

	dpdk_check(11, ok, NULL);
	dpdk_check(7, no_eal, "--io dpdk needs EAL arguments after --");
	dpdk_check(7, no_listen, "--io dpdk needs the server's own addresses");
	dpdk_check(9, wild, "needs specific addresses, not a wildcard");
	dpdk_check(11, ports, "every address uses the same port (53)");
}

/* The file is read first wherever --config stands; the command line adds and overrides. */
static void test_args_over_file(void)
{
	char dir[] = "/tmp/sandns-test-cfg.XXXXXX";
	char path[256];
	cfg_t *cfg;
	FILE *f;

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/s.conf", dir);
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("zone a. /z/a.zone\nlisten 127.0.0.1@5000\nudp-workers 3\ntcp-idle-timeout 7\n"
	      "eal-args --no-huge  -m 512\n",
	      f);
	fclose(f);
	{
		char *const argv[] = {
		    "sandnsd",	     "--udp-workers", "1",	  "--config",	    path,
		    "--zone",	     "b.=/z/b.zone",  "--listen", "127.0.0.1@5000", "--listen",
		    "127.0.0.1@5001"};

		CU_ASSERT_EQUAL_FATAL(args(&cfg, sizeof(argv) / sizeof(argv[0]), argv), SANDNS_EOK);
	}
	CU_ASSERT_EQUAL(cfg->udp_workers, 1);	   /* overridden */
	CU_ASSERT_EQUAL(cfg->tcp_idle_timeout, 7); /* from the file */
	CU_ASSERT_EQUAL(cfg->nzones, 2);	   /* added */
	CU_ASSERT_EQUAL(cfg->neal_args, 3);
	CU_ASSERT_EQUAL(cfg->nlistens, 3);
	cfg->neal_args = 0; /* only to pass cfg_check; cfg_free still frees them */
	CU_ASSERT_EQUAL(cfg_check(cfg, err, sizeof(err)), SANDNS_EOK);
	CU_ASSERT_EQUAL(cfg->nlistens, 2); /* the address given twice is served once */
	cfg->neal_args = 3;
	cfg_free(&cfg);

	{
		char *const argv[] = {"sandnsd", "--config", "/nonexistent.conf"};

		args_fail(3, argv, "cannot read the configuration file /nonexistent.conf");
	}
	unlink(path);
	rmdir(dir);
}

static void test_check(void)
{
	cfg_t *cfg;

	CU_ASSERT_EQUAL(load(&cfg, "listen 127.0.0.1\n"), SANDNS_EOK);
	CU_ASSERT_EQUAL(cfg_check(cfg, err, sizeof(err)), SANDNS_ECONFIG);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "no zones to serve"));
	cfg_free(&cfg);

	/* Without listen: 127.0.0.1@53 and ::1@53, marked as defaults. */
	CU_ASSERT_EQUAL(load(&cfg, "zone a. /a\n"), SANDNS_EOK);
	CU_ASSERT_EQUAL(cfg_check(cfg, err, sizeof(err)), SANDNS_EOK);
	CU_ASSERT_EQUAL_FATAL(cfg->nlistens, 2);
	CU_ASSERT_STRING_EQUAL(cfg->listens[0].text, "127.0.0.1@53");
	CU_ASSERT_STRING_EQUAL(cfg->listens[1].text, "::1@53");
	CU_ASSERT_TRUE(cfg->listens[0].is_default);
	cfg_free(&cfg);

	/* The same zone twice: one file is fine (served once), two files are a mistake. */
	CU_ASSERT_EQUAL(load(&cfg, "zone a. /a\nzone A /a\nzone b. /b\n"), SANDNS_EOK);
	CU_ASSERT_EQUAL(cfg_check(cfg, err, sizeof(err)), SANDNS_EOK);
	CU_ASSERT_EQUAL(cfg->nzones, 2);
	cfg_free(&cfg);
	/* Repeats dropped, the first of each kept in place, the list found by origin after. */
	CU_ASSERT_EQUAL(load(&cfg, "zone a. /a\nzone c /c\nzone A /a\nzone b. /b\nzone a /a\n"
				   "zone C. /c\n"),
			SANDNS_EOK);
	CU_ASSERT_EQUAL(cfg_check(cfg, err, sizeof(err)), SANDNS_EOK);
	CU_ASSERT_EQUAL_FATAL(cfg->nzones, 3);
	CU_ASSERT_STRING_EQUAL(cfg->zones[0].origin, "a.");
	CU_ASSERT_STRING_EQUAL(cfg->zones[1].origin, "c"); /* as written first */
	CU_ASSERT_STRING_EQUAL(cfg->zones[2].origin, "b.");
	CU_ASSERT_EQUAL(cfg_zone_find(cfg, "B"), 2);
	CU_ASSERT_EQUAL(cfg_zone_find(cfg, "a."), 0);
	CU_ASSERT_EQUAL(cfg_zone_find(cfg, "x.a."), -1);
	cfg_free(&cfg);
	CU_ASSERT_EQUAL(load(&cfg, "zone a. /a\nzone a /other\n"), SANDNS_EOK);
	CU_ASSERT_EQUAL(cfg_check(cfg, err, sizeof(err)), SANDNS_ECONFIG);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "zone a is given twice, from /a and from /other"));
	cfg_free(&cfg);
}

static void addr_ok(const char *text, const char *want, int family)
{
	cfg_addr_t a;

	CU_ASSERT_EQUAL(cfg_parse_addr(text, &a, err, sizeof(err)), SANDNS_EOK);
	CU_ASSERT_STRING_EQUAL(a.text, want);
	CU_ASSERT_EQUAL(a.ss.ss_family, family);
	CU_ASSERT_EQUAL(a.len, family == AF_INET ? sizeof(struct sockaddr_in)
						 : sizeof(struct sockaddr_in6));
}

static void addr_bad(const char *text, const char *want)
{
	cfg_addr_t a;

	CU_ASSERT_EQUAL(cfg_parse_addr(text, &a, err, sizeof(err)), SANDNS_ECONFIG);
	if (strstr(err, want) == NULL)
		fprintf(stderr, "\n  %s: expected '%s' in '%s'\n", text, want, err);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, want));
}

static void test_parse_addr(void)
{
	cfg_addr_t a;

	addr_ok("127.0.0.1", "127.0.0.1@53", AF_INET);
	addr_ok("127.0.0.1@5353", "127.0.0.1@5353", AF_INET);
	addr_ok("127.0.0.1:5353", "127.0.0.1@5353", AF_INET);
	addr_ok("0.0.0.0@1", "0.0.0.0@1", AF_INET);
	addr_ok("::1", "::1@53", AF_INET6);
	addr_ok("::1@5353", "::1@5353", AF_INET6);
	addr_ok("[::1]:5353", "::1@5353", AF_INET6);
	addr_ok("[::1]@65535", "::1@65535", AF_INET6);
	addr_ok("[2001:DB8::1]", "2001:db8::1@53", AF_INET6);
	addr_ok("::", "::@53", AF_INET6);

	CU_ASSERT_EQUAL(cfg_parse_addr("198.51.100.7@5300", &a, err, sizeof(err)), SANDNS_EOK);
	CU_ASSERT_EQUAL(ntohs(((struct sockaddr_in *)&a.ss)->sin_port), 5300);
	CU_ASSERT_EQUAL(((struct sockaddr_in *)&a.ss)->sin_addr.s_addr, inet_addr("198.51.100.7"));

	addr_bad("127.0.0.1@65536", "port 65536 is out of range (1..65535)");
	addr_bad("127.0.0.1@0", "port 0 is out of range");
	addr_bad("127.0.0.1@", "the port is missing");
	addr_bad("127.0.0.1@5x", "port '5x' is not a number");
	addr_bad("@53", "the address is missing");
	addr_bad("[]:53", "the address is missing");
	addr_bad("[::1]5353", "expected @PORT or :PORT");
	addr_bad("::1:5353:zz", "is not an IPv4 or IPv6 address");
	addr_bad("256.0.0.1", "is not an IPv4 or IPv6 address");
	addr_bad("ns1.example.com", "names are not looked up");
}

static void test_parse_prefix(void)
{
	cfg_prefix_t p;

	CU_ASSERT_EQUAL(cfg_parse_prefix("127.0.0.0/8", &p, err, sizeof(err)), SANDNS_EOK);
	CU_ASSERT_EQUAL(p.family, AF_INET);
	CU_ASSERT_EQUAL(p.bits, 8);
	CU_ASSERT_STRING_EQUAL(p.text, "127.0.0.0/8");
	/* host bits are cleared */
	CU_ASSERT_EQUAL(cfg_parse_prefix("10.1.2.3/12", &p, err, sizeof(err)), SANDNS_EOK);
	CU_ASSERT_STRING_EQUAL(p.text, "10.0.0.0/12");
	CU_ASSERT_EQUAL(cfg_parse_prefix("192.0.2.1", &p, err, sizeof(err)), SANDNS_EOK);
	CU_ASSERT_STRING_EQUAL(p.text, "192.0.2.1/32");
	CU_ASSERT_EQUAL(cfg_parse_prefix("2001:db8:ffff::1/33", &p, err, sizeof(err)), SANDNS_EOK);
	CU_ASSERT_EQUAL(p.family, AF_INET6);
	CU_ASSERT_STRING_EQUAL(p.text, "2001:db8:8000::/33");
	CU_ASSERT_EQUAL(cfg_parse_prefix("::/0", &p, err, sizeof(err)), SANDNS_EOK);
	CU_ASSERT_STRING_EQUAL(p.text, "::/0");

	CU_ASSERT_EQUAL(cfg_parse_prefix("", &p, err, sizeof(err)), SANDNS_ECONFIG);
	CU_ASSERT_EQUAL(cfg_parse_prefix("/8", &p, err, sizeof(err)), SANDNS_ECONFIG);
	CU_ASSERT_EQUAL(cfg_parse_prefix("10.0.0.0/", &p, err, sizeof(err)), SANDNS_ECONFIG);
	CU_ASSERT_EQUAL(cfg_parse_prefix("10.0.0/8", &p, err, sizeof(err)), SANDNS_ECONFIG);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "'10.0.0' is not an IPv4 or IPv6 address"));
	CU_ASSERT_EQUAL(cfg_parse_prefix("example.com/8", &p, err, sizeof(err)), SANDNS_ECONFIG);
}

static struct sockaddr_storage sa4(const char *addr)
{
	struct sockaddr_storage ss = {0};
	struct sockaddr_in *in = (struct sockaddr_in *)&ss;

	in->sin_family = AF_INET;
	inet_pton(AF_INET, addr, &in->sin_addr);
	return ss;
}

static struct sockaddr_storage sa6(const char *addr)
{
	struct sockaddr_storage ss = {0};
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;

	in6->sin6_family = AF_INET6;
	inet_pton(AF_INET6, addr, &in6->sin6_addr);
	return ss;
}

static bool match(const char *prefix, struct sockaddr_storage ss)
{
	cfg_prefix_t p;

	CU_ASSERT_EQUAL_FATAL(cfg_parse_prefix(prefix, &p, err, sizeof(err)), SANDNS_EOK);
	return cfg_prefix_match(&p, (struct sockaddr *)&ss);
}

static void test_prefix_match(void)
{
	CU_ASSERT_TRUE(match("127.0.0.0/8", sa4("127.0.0.1")));
	CU_ASSERT_TRUE(match("127.0.0.0/8", sa4("127.255.255.255")));
	CU_ASSERT_FALSE(match("127.0.0.0/8", sa4("128.0.0.1")));
	CU_ASSERT_TRUE(match("10.16.0.0/12", sa4("10.31.255.255")));
	CU_ASSERT_FALSE(match("10.16.0.0/12", sa4("10.32.0.0")));
	CU_ASSERT_FALSE(match("10.16.0.0/12", sa4("10.15.255.255")));
	CU_ASSERT_TRUE(match("192.0.2.1", sa4("192.0.2.1")));
	CU_ASSERT_FALSE(match("192.0.2.1", sa4("192.0.2.2")));
	CU_ASSERT_TRUE(match("0.0.0.0/0", sa4("203.0.113.9")));
	CU_ASSERT_TRUE(match("::1", sa6("::1")));
	CU_ASSERT_FALSE(match("::1", sa6("::2")));
	CU_ASSERT_TRUE(match("2001:db8::/32", sa6("2001:db8:1::5")));
	CU_ASSERT_FALSE(match("2001:db8::/32", sa6("2001:db9::5")));
	CU_ASSERT_TRUE(match("2001:db8::/31", sa6("2001:db9::5")));
	/* families do not mix, except IPv4-mapped IPv6 clients against IPv4 prefixes */
	CU_ASSERT_FALSE(match("::/0", sa4("127.0.0.1")));
	CU_ASSERT_FALSE(match("0.0.0.0/0", sa6("::1")));
	CU_ASSERT_TRUE(match("127.0.0.0/8", sa6("::ffff:127.0.0.1")));
	CU_ASSERT_FALSE(match("127.0.0.0/8", sa6("::ffff:10.0.0.1")));
}

static void test_xfr_acl(void)
{
	struct sockaddr_storage lo = sa4("127.0.0.1"), other = sa4("192.0.2.1"), lo6 = sa6("::1");
	cfg_t *cfg;

	CU_ASSERT_EQUAL(load(&cfg, "zone a. /a\n"), SANDNS_EOK);
	/* default: nobody */
	CU_ASSERT_FALSE(cfg_xfr_allowed(cfg, (struct sockaddr *)&lo, NULL));
	cfg_free(&cfg);

	CU_ASSERT_EQUAL(load(&cfg, "allow-transfer 127.0.0.0/8\nallow-transfer ::1/128\n"),
			SANDNS_EOK);
	CU_ASSERT_TRUE(cfg_xfr_allowed(cfg, (struct sockaddr *)&lo, NULL));
	CU_ASSERT_TRUE(cfg_xfr_allowed(cfg, (struct sockaddr *)&lo6, NULL));
	CU_ASSERT_FALSE(cfg_xfr_allowed(cfg, (struct sockaddr *)&other, NULL));
	cfg_free(&cfg);
}

/* NSID as text or hex (as Knot's nsid), cookies, a secret that no message repeats; what the query
 * log takes. */
static void test_edns_keys(void)
{
	cfg_t *cfg;

	CU_ASSERT_EQUAL_FATAL(load(&cfg, "nsid ns1.example\n"), SANDNS_EOK);
	CU_ASSERT_EQUAL(cfg->nsid_len, 11);
	CU_ASSERT_EQUAL(memcmp(cfg->nsid, "ns1.example", 11), 0);
	CU_ASSERT_FALSE(cfg->cookies); /* as Knot 3.2 without mod-cookies */
	CU_ASSERT_FALSE(cfg->cookie_secret_set);
	CU_ASSERT_TRUE(cfg->dnstap_log_queries && cfg->dnstap_log_responses);
	cfg_free(&cfg);
	CU_ASSERT_EQUAL_FATAL(load(&cfg, "dnstap-log-queries no\ndnstap-log-responses yes\n"),
			      SANDNS_EOK);
	CU_ASSERT_FALSE(cfg->dnstap_log_queries);
	CU_ASSERT_TRUE(cfg->dnstap_log_responses);
	cfg_free(&cfg);
	load_fails("dnstap-log-responses maybe\n", "dnstap-log-responses: expected yes or no");
	CU_ASSERT_EQUAL_FATAL(load(&cfg, "nsid 0x00FF10\ncookies yes\n"
					 "cookie-secret e5e973e5a6b2a43f48e7dc849e37bfcf\n"),
			      SANDNS_EOK);
	CU_ASSERT_EQUAL(cfg->nsid_len, 3);
	CU_ASSERT_EQUAL(memcmp(cfg->nsid, "\x00\xff\x10", 3), 0);
	CU_ASSERT_TRUE(cfg->cookies);
	CU_ASSERT_TRUE(cfg->cookie_secret_set);
	CU_ASSERT_EQUAL(cfg->cookie_secret[0], 0xe5);
	CU_ASSERT_EQUAL(cfg->cookie_secret[15], 0xcf);
	cfg_free(&cfg);
	load_fails("nsid 0x0\n", "nsid: '0x0' is not 1 to 128 octets in hex");
	load_fails("nsid 0xzz\n", "is not 1 to 128 octets in hex");
	load_fails("nsid "
		   "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		   "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n",
		   "nsid: longer than 128 octets");
	load_fails("cookies maybe\n", "cookies: expected yes or no");
	load_fails("cookie-secret 00112233\n", "cookie-secret: expected 32 hex digits");
	/* The secret is never in a message, even a wrong one. */
	load_fails("cookie-secret e5e973e5a6b2a43f48e7dc849e37bfcz\n", "expected 32 hex digits");
	CU_ASSERT_PTR_NULL(strstr(err, "e5e973"));
}

void reg_cutest_cfg(void)
{
	CU_pSuite s = CU_add_suite("cfg", NULL, NULL);

	if (s == NULL)
		return;
	CU_add_test(s, "defaults", test_defaults);
	CU_add_test(s, "file: every key", test_file_all_keys);
	CU_add_test(s, "file: errors name line and reason", test_file_errors);
	CU_add_test(s, "file: sizes with K, M, G, T", test_size_units);
	CU_add_test(s, "rate limit: its tables bounded together", test_rrl_memory);
	CU_add_test(s, "file: read from disk, relative paths", test_file_read);
	CU_add_test(s, "command line: every option", test_args);
	CU_add_test(s, "command line: errors", test_args_errors);
	CU_add_test(s, "command line: --help and EAL arguments", test_args_help_and_eal);
	CU_add_test(s, "command line: --io dpdk", test_args_dpdk);
	CU_add_test(s, "command line over the file", test_args_over_file);
	CU_add_test(s, "check: zones, defaults, duplicates", test_check);
	CU_add_test(s, "addresses", test_parse_addr);
	CU_add_test(s, "prefixes", test_parse_prefix);
	CU_add_test(s, "prefix matching", test_prefix_match);
	CU_add_test(s, "transfer ACL", test_xfr_acl);
	CU_add_test(s, "nsid, cookies, cookie-secret", test_edns_keys);
}
