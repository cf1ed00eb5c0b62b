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
#include <sys/stat.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "cfg.h"
#include "ctl.h"
#include "ctl_cmds.h"
#include "ctl_pvt.h"
#include "cutest.h"
#include "sandns_err.h"
#include "tutil.h"

static char dir[] = "/tmp/sandns-test-ctl-cmd-XXXXXX";
static bool dir_made;
static char zpath[512];
static cfg_t *cfg;
static srv_t *srv;
static ctl_t *ctl;

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
	      "www IN A 192.0.2.2\n"
	      "\\@x IN CNAME www\n",
	      f);
	fclose(f);
	snprintf(conf, sizeof(conf),
		 "zone example.com. %s\nlisten 127.0.0.1@%u\ncert-probe-interval 0\n", zpath,
		 tu_free_port());
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
	if (ctl_publish(ctl, &b, err, sizeof(err)) != SANDNS_EOK)
		return -1;
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

#define POLICY_CHECK "policy check --cert FILE [--cert FILE...] [--zone DOMAIN]"
#define POLICY_USAGE "policy show [DOMAIN] | policy reload | " POLICY_CHECK

static void test_table_usage(void)
{
	char buf[512];

	ctl_cmd_usage(&ctl_cmds[2], buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "reload [ZONE]");
	ctl_cmd_usage(&ctl_cmds[0], buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "status");
	ctl_cmds_list(buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(
	    buf,
	    "status, stats, reload [ZONE], policy show [DOMAIN], policy "
	    "reload, policy check --cert FILE [--cert FILE...] [--zone "
	    "DOMAIN], explain NAME TYPE, lookup --cert FILE NAME TYPE, lookup "
	    "NAME TYPE, zone-notify ZONE, zone-status [ZONE], zone-keys ZONE, zone-refresh ZONE, "
	    "zone-retransfer ZONE, log-reopen, stop, help");
	CU_ASSERT_EQUAL(ctl_cmds_usage_of("policy", buf, sizeof(buf)), 3);
	CU_ASSERT_STRING_EQUAL(buf, "policy show [DOMAIN] | policy reload | " POLICY_CHECK);
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

/* What people have always seen (the e2e tests and scripts grep it). */
static const char help_text[] =
    "ok\n"
    "status: uptime, zones and serials, snapshot size, addresses, "
    "queries answered\n"
    "stats: counters of every serving thread\n"
    "reload [ZONE]: read the configuration file and every zone file (ZONE: its file only) "
    "again; publish only if all load\n"
    "policy show [DOMAIN]: the certificates, and per domain the "
    "autodiscover decisions with their reasons\n"
    "policy reload: read every certificate again, re-evaluate, publish\n"
    "policy check --cert FILE [--cert FILE...] [--zone DOMAIN]: what the served data would "
    "become with these certificate files (as sandnsd sees them; no tls://) in place "
    "of the configured ones: per domain the decisions before => after, the records "
    "that would come or go, the serial; publishes nothing\n"
    "explain NAME TYPE: why NAME TYPE gets its answer (zone data, "
    "wildcard, policy)\n"
    "lookup --cert FILE NAME TYPE: as lookup, from the snapshot the served one would "
    "become with FILE as the certificate (one such preview at a time, freed 10 s "
    "after its last use)\n"
    "lookup NAME TYPE: the answer NAME TYPE gets from the served snapshot: "
    "its rcode and answer records\n"
    "zone-notify ZONE: send NOTIFY for ZONE to its notify targets now, whatever its "
    "serial\n"
    "zone-status [ZONE]: every zone (or ZONE): serial served, source (file or "
    "primaries), and for a secondary zone its last refresh and result, next "
    "refresh, expiry\n"
    "zone-keys ZONE: a zone sandns signs: its DNSKEY records and the DS (SHA-256) its "
    "parent needs\n"
    "zone-refresh ZONE: secondary ZONE: ask its primaries for the SOA now, "
    "transfer if newer\n"
    "zone-retransfer ZONE: secondary ZONE: a full transfer (AXFR) now\n"
    "log-reopen: open the log files again (after logrotate renamed them), as SIGUSR1 "
    "does\n"
    "stop: stop sandnsd\n"
    "sandnsctl --json COMMAND: the same in JSON\n"
    ".\n";

static void test_help(void)
{
	CU_ASSERT(answers("help", help_text));
	CU_ASSERT(answers(
	    "json help",
	    "ok\n{\"commands\":[\"status\",\"stats\",\"reload\","
	    "\"policy show\",\"policy reload\",\"policy check\",\"explain\",\"lookup "
	    "--cert\",\"lookup\",\"zone-notify\",\"zone-status\",\"zone-keys\",\"zone-refresh\","
	    "\"zone-retransfer\",\"log-reopen\",\"stop\"]}\n.\n"));
	/* help ignores what follows it. */
	CU_ASSERT(answers("help me please", help_text));
}

#define COMMANDS                                                                                   \
	"status, stats, reload [ZONE], policy show [DOMAIN], policy reload, " POLICY_CHECK         \
	", explain NAME TYPE, lookup --cert FILE NAME TYPE, lookup NAME TYPE, zone-notify ZONE, "  \
	"zone-status [ZONE], zone-keys ZONE, zone-refresh ZONE, zone-retransfer ZONE, "            \
	"log-reopen, stop, help"

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
	CU_ASSERT(answers("policy", "error: usage: " POLICY_USAGE "\n.\n"));
	CU_ASSERT(answers("policy frob", "error: usage: " POLICY_USAGE "\n.\n"));
	CU_ASSERT(answers("policy show a b", "error: usage: " POLICY_USAGE "\n.\n"));
	CU_ASSERT(answers("policy reload now", "error: usage: " POLICY_USAGE "\n.\n"));
	CU_ASSERT(answers("explain onlyname", "error: usage: explain NAME TYPE\n.\n"));
	CU_ASSERT(answers("explain a b c", "error: usage: explain NAME TYPE\n.\n"));
	CU_ASSERT(answers("lookup onlyname",
			  "error: usage: lookup --cert FILE NAME TYPE | lookup NAME TYPE\n.\n"));
	CU_ASSERT(answers("lookup --cert f onlyname",
			  "error: usage: lookup --cert FILE NAME TYPE | lookup NAME TYPE\n.\n"));
	CU_ASSERT(answers("policy check", "error: usage: " POLICY_USAGE "\n.\n"));
	CU_ASSERT(answers("policy check --cert", "error: usage: " POLICY_USAGE "\n.\n"));
	CU_ASSERT(answers("policy check --zone example.com",
			  "error: policy check: which certificate? usage: " POLICY_CHECK "\n.\n"));
	CU_ASSERT(answers("policy check --cert a --frob",
			  "error: policy check: unexpected argument --frob; usage: " POLICY_CHECK
			  " (at most 8 files, one zone)\n.\n"));
	CU_ASSERT(
	    answers("policy check --cert a --zone",
		    "error: policy check: a value is missing after --zone; usage: " POLICY_CHECK
		    " (at most 8 files, one zone)\n.\n"));
	CU_ASSERT(
	    answers("policy check --cert tls://mail.example.com",
		    "error: policy check: tls://mail.example.com: a tls:// source is not "
		    "accepted here (certificate files only: save the endpoint's leaf to a file "
		    "first)\n.\n"));
	CU_ASSERT(answers("policy check --cert a --cert b --cert c --cert d --cert e --cert f "
			  "--cert g --cert h --cert i",
			  "error: policy check: too many files at --cert; usage: " POLICY_CHECK
			  " (at most 8 files, one zone)\n.\n"));
	CU_ASSERT(answers("policy check a b c d e f g h i j k l m n o p q r s t u v w x y",
			  "error: usage: " POLICY_USAGE "\n.\n"));
	CU_ASSERT(answers("status a b c d e f g h i j k l m n o p q r s t u v w x y",
			  "error: status takes no argument\n.\n"));
	CU_ASSERT(answers("lookup www.example.com FROB", "error: lookup: unknown type\n.\n"));
	/* A reload of a zone not configured: the reason, and what is still served. */
	CU_ASSERT(answers("reload example.org", "error: no zone example.org is configured\n"
						"the previous snapshot is still served\n.\n"));
	/* Odd octets of an unknown command are shown as '?'. */
	CU_ASSERT(answers("st\001t", "error: unknown command 'st?t'; commands: " COMMANDS "\n.\n"));
}

/* Whether the request of LEN bytes REQ (NUL octets and all) is answered exactly WANT. */
static bool bytes_answer(const char *req, size_t len, const char *want)
{
	char *out = NULL, copy[64];
	size_t outlen = 0;
	bool stop = true, same;

	CU_ASSERT_FATAL(len < sizeof(copy));
	/* As the control socket hands it over: its newline made a NUL. */
	memcpy(copy, req, len);
	copy[len] = '\0';
	CU_ASSERT_EQUAL_FATAL(ctl_handle_request(ctl, copy, len, &out, &outlen, &stop), SANDNS_EOK);
	CU_ASSERT(!stop);
	CU_ASSERT_EQUAL(strlen(out), outlen);
	same = strcmp(out, want) == 0;
	if (!same)
		fprintf(stderr, "\nrequest of %zu bytes answered:\n%s---- instead of:\n%s----\n",
			len, out, want);
	free(out);
	return same;
}

/* A literal request and its length, NUL octets and all. */
#define REQ(s) s, sizeof(s) - 1
#define NUL_REFUSED "error: the request holds a NUL byte\n"
#define NUL_JSON "{\"ok\":false,\"error\":\"the request holds a NUL byte\"}\n"

static void test_nul(void)
{
	/* A NUL makes it no request: "stop\0" must not stop, "status\0x" must not be status. */
	CU_ASSERT(bytes_answer(REQ("stop\0"), NUL_REFUSED ".\n"));
	CU_ASSERT(bytes_answer(REQ("status\0x"), NUL_REFUSED ".\n"));
	CU_ASSERT(bytes_answer(REQ("\0"), NUL_REFUSED ".\n"));
	/* A client that asked for JSON gets its refusal as JSON, as every other error. */
	CU_ASSERT(bytes_answer(REQ("json status\0"), NUL_REFUSED NUL_JSON ".\n"));
	CU_ASSERT(bytes_answer(REQ(" \tjson\tzone-status a\0b"), NUL_REFUSED NUL_JSON ".\n"));
	CU_ASSERT(bytes_answer(REQ("json\0"), NUL_REFUSED NUL_JSON ".\n"));
	CU_ASSERT(bytes_answer(REQ("jsonx stop\0"), NUL_REFUSED ".\n"));
	/* Without a NUL, the request as ctl_handle_line answers it. */
	CU_ASSERT(bytes_answer(REQ("stats x"), "error: stats takes no argument\n.\n"));
}

static void test_commands(void)
{
	char want[1024], *got;
	bool stop = true;

	/* status: the zone and where it comes from, as before. */
	got = ask("status", &stop);
	CU_ASSERT(!stop);
	snprintf(want, sizeof(want), "zone example.com. serial 7, 5 records, file %s\n", zpath);
	CU_ASSERT_PTR_NOT_NULL(strstr(got, want));
	CU_ASSERT_PTR_NOT_NULL(strstr(got, "policy: off (no --cert)\n"));
	free(got);
	got = ask("json status", NULL);
	snprintf(want, sizeof(want),
		 "{\"origin\":\"example.com.\",\"serial\":7,\"records\":5,\"file\":\"%s\"}", zpath);
	CU_ASSERT_PTR_NOT_NULL(strstr(got, want));
	free(got);
	/* reload of one zone, by name with or without the final dot. */
	got = ask("reload example.com", NULL);
	CU_ASSERT_EQUAL(strncmp(got, "ok\nreloaded example.com: 1 zones, 5 records, ", 44), 0);
	free(got);
	got = ask("reload example.com.", NULL);
	CU_ASSERT_EQUAL(strncmp(got, "ok\nreloaded example.com.: 1 zones, 5 records, ", 45), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(got, "\nzone example.com. serial 7\n.\n"));
	free(got);
	got = ask("explain www.example.com A", NULL);
	CU_ASSERT_PTR_NOT_NULL(strstr(got, "zone: example.com. serial 7\n"));
	snprintf(want, sizeof(want), "from %s:5: www.example.com.", zpath);
	CU_ASSERT_PTR_NOT_NULL(strstr(got, want));
	free(got);
	/* In JSON the lines are arrays, one string a line. */
	got = ask("json explain www.example.com A", NULL);
	snprintf(want, sizeof(want), "\"sources\":[\"%s:5: www.example.com.", zpath);
	CU_ASSERT_PTR_NOT_NULL(strstr(got, want));
	CU_ASSERT_PTR_NOT_NULL(strstr(got, "\"records\":[\"answer: www.example.com."));
	CU_ASSERT_PTR_NULL(strstr(got, "\\u000a"));
	free(got);
	/* lookup: the answer engine's response on the served snapshot. */
	CU_ASSERT(answers("lookup www.example.com A",
			  "ok\nrcode NOERROR\nwww.example.com.\t300\tIN\tA\t192.0.2.2\n.\n"));
	CU_ASSERT(answers("lookup WWW.example.com. AAAA", "ok\nrcode NOERROR\n.\n"));
	/* Names as a zone file needs them: "@x" would be read as the apex. */
	CU_ASSERT(
	    answers("lookup \\@x.example.com CNAME",
		    "ok\nrcode NOERROR\n\\@x.example.com.\t300\tIN\tCNAME\twww.example.com.\n.\n"));
	CU_ASSERT(
	    answers("json lookup \\@x.example.com A",
		    "ok\n{\"rcode\":\"NOERROR\",\"answer\":[\"\\\\@x.example.com. 300 IN CNAME "
		    "www.example.com.\",\"www.example.com. 300 IN A 192.0.2.2\"]}\n.\n"));
	CU_ASSERT(answers("lookup nx.example.com A", "ok\nrcode NXDOMAIN\n.\n"));
	CU_ASSERT(answers("lookup example.org A", "ok\nrcode REFUSED\n.\n"));
	CU_ASSERT(answers("json lookup www.example.com A",
			  "ok\n{\"rcode\":\"NOERROR\",\"answer\":[\"www.example.com. 300 IN A "
			  "192.0.2.2\"]}\n.\n"));
	CU_ASSERT(answers("policy show", "ok\npolicy: off (no certificate configured with --cert): "
					 "the zones are served as written\n"
					 "domain example.com. serial 7\n.\n"));
	CU_ASSERT(answers("json stop", "ok\n{\"stopping\":true}\n.\n"));
	free(ask("stop", &stop));
	CU_ASSERT(stop);
}

/*
 * policy check and lookup --cert: the preview is shown and answered from, the served snapshot
 * is not touched, lookup's preview is kept while it is used and freed after.
 */
static void test_preview(void)
{
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	const zt_t *served = ctl->current;
	char leaf[600], fifo[600], want[1024], *got;

	snprintf(leaf, sizeof(leaf), "%s/leaf.pem", dir);
	snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
	CU_ASSERT_FATAL(key != NULL && tu_write_leaf(leaf, key, 11, "DNS:www.example.com"));
	EVP_PKEY_free(key);
	CU_ASSERT_FATAL(mkfifo(fifo, 0600) == 0);

	snprintf(want, sizeof(want), "policy check --cert %s", leaf);
	got = ask(want, NULL);
	CU_ASSERT_EQUAL(strncmp(got,
				"ok\npolicy check: the served data with 1 certificate in "
				"place of the 0 configured (nothing is changed)\n",
				80),
			0);
	snprintf(want, sizeof(want), "\ncertificate %s: SANs www.example.com\n", leaf);
	CU_ASSERT_PTR_NOT_NULL(strstr(got, want));
	CU_ASSERT_PTR_NOT_NULL(strstr(got,
				      "\ndomain example.com. serial 7, unchanged (file 7)\n"
				      "  autodiscover.example.com. A: (no decision: the policy "
				      "is off) => absent (reported)\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(got, "\npolicy check: 0 of 1 domain would change; nothing "
					   "was published\n.\n"));
	free(got);
	/* Nothing published, nothing kept. */
	CU_ASSERT_PTR_EQUAL(ctl->current, served);
	CU_ASSERT_PTR_NULL(ctl->preview);
	CU_ASSERT_PTR_NULL(ctl->info.policy);

	snprintf(want, sizeof(want), "json policy check --cert %s --zone example.com", leaf);
	got = ask(want, NULL);
	CU_ASSERT_EQUAL(strncmp(got, "ok\n{\"preview\":true,\"certificates\":[", 34), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(got, "\"domains_changed\":0}\n.\n"));
	free(got);
	snprintf(want, sizeof(want), "policy check --cert %s --zone example.org", leaf);
	CU_ASSERT(answers(want, "error: policy check: example.org is not a served zone\n.\n"));
	snprintf(want, sizeof(want), "policy check --cert %s", fifo);
	got = ask(want, NULL);
	CU_ASSERT_PTR_NOT_NULL(strstr(got, "not a regular file (a fifo)"));
	CU_ASSERT_EQUAL(strncmp(got, "error: policy check: ", 21), 0);
	free(got);
	snprintf(want, sizeof(want), "policy check --cert %s/none.pem", dir);
	got = ask(want, NULL);
	CU_ASSERT_PTR_NOT_NULL(strstr(got, "none.pem: cannot open: No such file or directory\n"));
	free(got);
	snprintf(want, sizeof(want), "policy check --cert %s", zpath);
	got = ask(want, NULL);
	CU_ASSERT_PTR_NOT_NULL(strstr(got, "not a certificate"));
	free(got);

	/* lookup --cert: the preview's answers; kept for the next lookup, freed once idle. */
	snprintf(want, sizeof(want), "lookup --cert %s www.example.com A", leaf);
	CU_ASSERT(answers(want, "ok\nrcode NOERROR\nwww.example.com.\t300\tIN\tA\t192.0.2.2\n.\n"));
	CU_ASSERT_PTR_NOT_NULL_FATAL(ctl->preview);
	CU_ASSERT_PTR_EQUAL(ctl->current, served);
	{
		const struct ctl_preview *pv = ctl->preview;

		snprintf(want, sizeof(want), "lookup --cert %s nx.example.com A", leaf);
		CU_ASSERT(answers(want, "ok\nrcode NXDOMAIN\n.\n"));
		CU_ASSERT_PTR_EQUAL(ctl->preview, pv);
	}
	ctl_preview_tick(ctl);
	CU_ASSERT_PTR_NOT_NULL(ctl->preview);
	snprintf(want, sizeof(want), "lookup --cert %s www.example.com A", fifo);
	got = ask(want, NULL);
	CU_ASSERT_EQUAL(strncmp(got, "error: lookup --cert: ", 22), 0);
	free(got);
	ctl_preview_free(ctl);
	CU_ASSERT_PTR_NULL(ctl->preview);
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
	CU_add_test(s, "errors: a request holding a NUL, refused (in JSON when asked)", test_nul);
	CU_add_test(s, "policy check and lookup --cert: a preview, nothing published",
		    test_preview);
	CU_add_test(s, "commands: status, reload, explain, policy show, stop", test_commands);
}
