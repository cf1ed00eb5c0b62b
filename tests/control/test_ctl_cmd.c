/* SPDX-License-Identifier: BSD-3-Clause */
/* test_ctl_cmd.c: CUnit suite for the control commands: the one table (control/ctl_cmds.c), its
 * handlers (control/ctl_cmd.c), and requests answered by ctl_handle_line() */
#include <arpa/inet.h>
#include <ftw.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "cfg.h"
#include "ctl.h"
#include "ctl_cmds.h"
#include "ctl_pvt.h"
#include "cutest.h"
#include "sandns_err.h"

static char dir[] = "/tmp/sandns-test-ctl-cmd-XXXXXX";
static bool dir_made;
static char zpath[512];
static cfg_t *cfg;
static srv_t *srv;
static ctl_t *ctl;

/* A loopback port nobody uses now, for the serving sockets `status` reports on. */
static unsigned free_port(void)
{
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t sl = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	unsigned port = 0;

	if (fd >= 0 && bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&sin, &sl) == 0)
		port = ntohs(sin.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}

/* The control thread as sandnsd makes it: one zone file, serving sockets bound (no thread). */
static int suite_init(void)
{
	char conf[1024], err[1024];
	ctl_build_t b;
	sigset_t old;
	FILE *f;

	if (mkdtemp(dir) == NULL)
		return -1;
	dir_made = true;
	snprintf(zpath, sizeof(zpath), "%s/example.com.zone", dir);
	f = fopen(zpath, "w");
	if (f == NULL)
		return -1;
	fputs("$TTL 300\n"
	      "@ IN SOA ns1.example.com. host.example.com. 7 3600 900 604800 300\n"
	      "@ IN NS ns1.example.com.\n"
	      "ns1 IN A 192.0.2.1\n"
	      "www IN A 192.0.2.2\n",
	      f);
	fclose(f);
	snprintf(conf, sizeof(conf),
		 "zone example.com. %s\nlisten 127.0.0.1@%u\ncert-probe-interval 0\n", zpath,
		 free_port());
	cfg = cfg_new();
	if (cfg == NULL || cfg_load_string(cfg, conf, "test", NULL, err, sizeof(err)) != 0 ||
	    cfg_check(cfg, err, sizeof(err)) != 0)
		return -1;
	srv = srv_new(cfg, err, sizeof(err));
	if (srv == NULL)
		return -1;
	/* ctl_new blocks SIGINT, SIGTERM and SIGHUP for its signalfd: not in the test runner. */
	pthread_sigmask(SIG_SETMASK, NULL, &old);
	ctl = ctl_new(cfg, srv, err, sizeof(err));
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (ctl == NULL || ctl_build(cfg, NULL, NULL, &b, err, sizeof(err)) != SANDNS_EOK)
		return -1;
	ctl_publish(ctl, &b);
	return 0;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int suite_cleanup(void)
{
	ctl_free(&ctl);
	srv_free(&srv);
	cfg_free(&cfg);
	return dir_made ? nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS) : 0;
}

/* The response to LINE (malloc'd), and whether it asked to stop. */
static char *ask(const char *line, bool *stop)
{
	char *out = NULL;
	size_t len = 0;
	bool s = false;

	CU_ASSERT_EQUAL_FATAL(ctl_handle_line(ctl, line, &out, &len, &s), SANDNS_EOK);
	CU_ASSERT_EQUAL(strlen(out), len);
	if (stop != NULL)
		*stop = s;
	return out;
}

/* Whether the response to LINE is exactly WANT. */
static bool answers(const char *line, const char *want)
{
	char *got = ask(line, NULL);
	bool same = strcmp(got, want) == 0;

	if (!same)
		fprintf(stderr, "\n'%s' answered:\n%s---- instead of:\n%s----\n", line, got, want);
	free(got);
	return same;
}

/* ------------------------------------------------------------------ the table */

static void test_table_handlers(void)
{
	/* Every command of the table has a handler, and every handler a command. */
	for (size_t i = 0; i < ctl_ncmds; i++) {
		CU_ASSERT(ctl_handler_exists(ctl_cmds[i].name));
		if (!ctl_handler_exists(ctl_cmds[i].name))
			fprintf(stderr, "\nno handler for '%s'\n", ctl_cmds[i].name);
	}
	for (size_t h = 0; h < ctl_handler_count(); h++) {
		const char *name = ctl_handler_name(h);
		bool found = false;

		for (size_t i = 0; i < ctl_ncmds; i++)
			found |= strcmp(ctl_cmds[i].name, name) == 0;
		CU_ASSERT(found);
		if (!found)
			fprintf(stderr, "\nhandler '%s' is in no table entry\n", name);
	}
	CU_ASSERT_EQUAL(ctl_handler_count(), ctl_ncmds);
	CU_ASSERT_PTR_NULL(ctl_handler_name(ctl_handler_count()));
	CU_ASSERT(!ctl_handler_exists("frobnicate"));
}

static void test_table_entries(void)
{
	for (size_t i = 0; i < ctl_ncmds; i++) {
		const ctl_cmd_def_t *c = &ctl_cmds[i];

		/* One or two words, help for people, sane argument counts, no name twice. */
		CU_ASSERT(c->name[0] != '\0' && strlen(c->name) < 32);
		CU_ASSERT(strchr(strchr(c->name, ' ') != NULL ? strchr(c->name, ' ') + 1 : c->name,
				 ' ') == NULL);
		CU_ASSERT(c->help != NULL && c->help[0] != '\0' && strchr(c->help, '\n') == NULL);
		CU_ASSERT(c->min_args <= c->max_args);
		CU_ASSERT((c->args[0] == '\0') ==
			  (c->max_args == 0 || c->max_args == CTL_ARGS_ANY));
		for (size_t j = i + 1; j < ctl_ncmds; j++)
			CU_ASSERT(strcmp(c->name, ctl_cmds[j].name) != 0);
	}
}

static void test_table_usage(void)
{
	char buf[512];

	ctl_cmd_usage(&ctl_cmds[2], buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "reload [ZONE]");
	ctl_cmd_usage(&ctl_cmds[0], buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "status");
	ctl_cmds_list(buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf,
			       "status, stats, reload [ZONE], policy show [DOMAIN], policy "
			       "reload, explain NAME TYPE, lookup NAME TYPE, zone-status [ZONE], "
			       "zone-refresh ZONE, zone-retransfer ZONE, stop, help");
	CU_ASSERT_EQUAL(ctl_cmds_usage_of("policy", buf, sizeof(buf)), 2);
	CU_ASSERT_STRING_EQUAL(buf, "policy show [DOMAIN] | policy reload");
	CU_ASSERT_EQUAL(ctl_cmds_usage_of("explain", buf, sizeof(buf)), 1);
	CU_ASSERT_STRING_EQUAL(buf, "explain NAME TYPE");
	/* A prefix of a name is no command. */
	CU_ASSERT_EQUAL(ctl_cmds_usage_of("stat", buf, sizeof(buf)), 0);
	CU_ASSERT_EQUAL(ctl_cmds_usage_of("", buf, sizeof(buf)), 0);
	/* Cut short, still terminated. */
	ctl_cmds_list(buf, 10);
	CU_ASSERT_EQUAL(strlen(buf), 9);
}

/* ------------------------------------------------------------------ requests */

static void test_help(void)
{
	/* What people have always seen (the e2e tests and scripts grep it). */
	CU_ASSERT(answers(
	    "help", "ok\n"
		    "status: uptime, zones and serials, snapshot size, addresses, "
		    "queries answered\n"
		    "stats: counters of every serving thread\n"
		    "reload [ZONE]: load every zone file (or ZONE's) again; publish "
		    "only if all load\n"
		    "policy show [DOMAIN]: the certificates, and per domain the "
		    "autodiscover decisions with their reasons\n"
		    "policy reload: read every certificate again, re-evaluate, publish\n"
		    "explain NAME TYPE: why NAME TYPE gets its answer (zone data, "
		    "wildcard, policy)\n"
		    "lookup NAME TYPE: the answer NAME TYPE gets from the served snapshot: "
		    "its rcode and answer records\n"
		    "zone-status [ZONE]: every zone (or ZONE): serial served, source (file or "
		    "primaries), and for a secondary zone its last refresh and result, next "
		    "refresh, expiry\n"
		    "zone-refresh ZONE: secondary ZONE: ask its primaries for the SOA now, "
		    "transfer if newer\n"
		    "zone-retransfer ZONE: secondary ZONE: a full transfer (AXFR) now\n"
		    "stop: stop sandnsd\n"
		    "prefix a command with 'json' for JSON\n"
		    ".\n"));
	CU_ASSERT(answers(
	    "json help", "ok\n{\"commands\":[\"status\",\"stats\",\"reload\","
			 "\"policy show\",\"policy reload\",\"explain\",\"lookup\",\"zone-status\","
			 "\"zone-refresh\",\"zone-retransfer\",\"stop\"]}\n.\n"));
	/* help ignores what follows it. */
	CU_ASSERT(
	    answers("help me please",
		    "ok\n"
		    "status: uptime, zones and serials, snapshot size, "
		    "addresses, queries answered\n"
		    "stats: counters of every serving thread\n"
		    "reload [ZONE]: load every zone file (or ZONE's) again; "
		    "publish only if all load\n"
		    "policy show [DOMAIN]: the certificates, and per domain "
		    "the autodiscover decisions with their reasons\n"
		    "policy reload: read every certificate again, "
		    "re-evaluate, publish\n"
		    "explain NAME TYPE: why NAME TYPE gets its answer (zone "
		    "data, wildcard, policy)\n"
		    "lookup NAME TYPE: the answer NAME TYPE gets from the served snapshot: "
		    "its rcode and answer records\n"
		    "zone-status [ZONE]: every zone (or ZONE): serial served, source (file or "
		    "primaries), and for a secondary zone its last refresh and result, next "
		    "refresh, expiry\n"
		    "zone-refresh ZONE: secondary ZONE: ask its primaries for the SOA now, "
		    "transfer if newer\n"
		    "zone-retransfer ZONE: secondary ZONE: a full transfer (AXFR) now\n"
		    "stop: stop sandnsd\n"
		    "prefix a command with 'json' for JSON\n"
		    ".\n"));
}

#define COMMANDS                                                                                   \
	"status, stats, reload [ZONE], policy show [DOMAIN], policy reload, explain NAME TYPE, "   \
	"lookup NAME TYPE, zone-status [ZONE], zone-refresh ZONE, zone-retransfer ZONE, stop, "    \
	"help"

static void test_errors(void)
{
	CU_ASSERT(answers("", "error: empty request; commands: " COMMANDS "\n.\n"));
	CU_ASSERT(answers("json", "error: empty request; commands: " COMMANDS
				  "\n{\"ok\":false,\"error\":\"empty request; commands: " COMMANDS
				  "\"}\n.\n"));
	CU_ASSERT(answers("frobnicate x",
			  "error: unknown command 'frobnicate'; commands: " COMMANDS "\n.\n"));
	CU_ASSERT(answers("stat", "error: unknown command 'stat'; commands: " COMMANDS "\n.\n"));
	CU_ASSERT(answers("status now", "error: status takes no argument\n.\n"));
	CU_ASSERT(answers("stats  x", "error: stats takes no argument\n.\n"));
	CU_ASSERT(answers("stop x", "error: stop takes no argument\n.\n"));
	CU_ASSERT(answers("reload a b", "error: usage: reload [ZONE]\n"
					"the previous snapshot is still served\n.\n"));
	CU_ASSERT(answers("json reload a b",
			  "error: usage: reload [ZONE]\n"
			  "{\"ok\":false,\"error\":\"usage: reload [ZONE]\"}\n.\n"));
	CU_ASSERT(answers("policy", "error: usage: policy show [DOMAIN] | policy reload\n.\n"));
	CU_ASSERT(
	    answers("policy frob", "error: usage: policy show [DOMAIN] | policy reload\n.\n"));
	CU_ASSERT(
	    answers("policy show a b", "error: usage: policy show [DOMAIN] | policy reload\n.\n"));
	CU_ASSERT(answers("policy reload now",
			  "error: usage: policy show [DOMAIN] | policy reload\n.\n"));
	CU_ASSERT(answers("explain onlyname", "error: usage: explain NAME TYPE\n.\n"));
	CU_ASSERT(answers("explain a b c", "error: usage: explain NAME TYPE\n.\n"));
	CU_ASSERT(answers("lookup onlyname", "error: usage: lookup NAME TYPE\n.\n"));
	CU_ASSERT(answers("lookup www.example.com FROB", "error: lookup: unknown type\n.\n"));
	/* A reload of a zone not configured: the reason, and what is still served. */
	CU_ASSERT(answers("reload example.org", "error: no zone example.org is configured\n"
						"the previous snapshot is still served\n.\n"));
	/* Odd octets of an unknown command are shown as '?'. */
	CU_ASSERT(answers("st\001t", "error: unknown command 'st?t'; commands: " COMMANDS "\n.\n"));
}

static void test_commands(void)
{
	char want[1024], *got;
	bool stop = true;

	/* status: the zone and where it comes from, as before. */
	got = ask("status", &stop);
	CU_ASSERT(!stop);
	snprintf(want, sizeof(want), "zone example.com. serial 7, 4 records, file %s\n", zpath);
	CU_ASSERT_PTR_NOT_NULL(strstr(got, want));
	CU_ASSERT_PTR_NOT_NULL(strstr(got, "policy: off (no --cert)\n"));
	free(got);
	got = ask("json status", NULL);
	snprintf(want, sizeof(want),
		 "{\"origin\":\"example.com.\",\"serial\":7,\"records\":4,\"file\":\"%s\"}", zpath);
	CU_ASSERT_PTR_NOT_NULL(strstr(got, want));
	free(got);
	/* reload of one zone, by name with or without the final dot. */
	got = ask("reload example.com", NULL);
	CU_ASSERT_EQUAL(strncmp(got, "ok\nreloaded example.com: 1 zones, 4 records, ", 44), 0);
	free(got);
	got = ask("reload example.com.", NULL);
	CU_ASSERT_EQUAL(strncmp(got, "ok\nreloaded example.com.: 1 zones, 4 records, ", 45), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(got, "\nzone example.com. serial 7\n.\n"));
	free(got);
	got = ask("explain www.example.com A", NULL);
	CU_ASSERT_PTR_NOT_NULL(strstr(got, "zone: example.com. serial 7\n"));
	snprintf(want, sizeof(want), "from %s:5: www.example.com.", zpath);
	CU_ASSERT_PTR_NOT_NULL(strstr(got, want));
	free(got);
	/* lookup: the answer engine's response on the served snapshot. */
	CU_ASSERT(answers("lookup www.example.com A",
			  "ok\nrcode NOERROR\nwww.example.com.\t300\tIN\tA\t192.0.2.2\n.\n"));
	CU_ASSERT(answers("lookup WWW.example.com. AAAA", "ok\nrcode NOERROR\n.\n"));
	CU_ASSERT(answers("lookup nx.example.com A", "ok\nrcode NXDOMAIN\n.\n"));
	CU_ASSERT(answers("lookup example.org A", "ok\nrcode REFUSED\n.\n"));
	CU_ASSERT(answers("json lookup www.example.com A",
			  "ok\n{\"rcode\":\"NOERROR\",\"answer\":[\"www.example.com. 300 IN A "
			  "192.0.2.2\"]}\n.\n"));
	CU_ASSERT(answers("policy show", "ok\npolicy: off (no certificate configured with --cert): "
					 "the zones are served as written\n"
					 "domain example.com. serial 7\n.\n"));
	CU_ASSERT(answers("json stop", "ok\n{\"ok\":true,\"stopping\":true}\n.\n"));
	free(ask("stop", &stop));
	CU_ASSERT(stop);
}

void reg_cutest_ctl_cmd(void)
{
	CU_pSuite s = CU_add_suite("ctl_cmd", suite_init, suite_cleanup);

	CU_add_test(s, "table: every command has a handler, every handler a command",
		    test_table_handlers);
	CU_add_test(s, "table: the entries", test_table_entries);
	CU_add_test(s, "table: usage and the list of commands", test_table_usage);
	CU_add_test(s, "help: as it always was", test_help);
	CU_add_test(s, "errors: unknown, empty, arguments", test_errors);
	CU_add_test(s, "commands: status, reload, explain, policy show, stop", test_commands);
}
