/* SPDX-License-Identifier: BSD-3-Clause */
/* test_ctl_reload.c: CUnit suite for the reload thread (control/ctl_reload.c): deferred replies,
 * requests merged while a reload runs, status answered meanwhile, a failed reload */
#include <arpa/inet.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <CUnit/CUnit.h>
#include <ldns/ldns.h>
#include <openssl/evp.h>

#include "cert.h"
#include "cfg.h"
#include "ctl.h"
#include "ctl_part.h"
#include "ctl_pvt.h"
#include "ctl_rl.h"
#include "cutest.h"
#include "sandns_err.h"
#include "tutil.h"
#include "zload.h"
#include "zt_index.h"
#include "zt_pvt.h"
#include "zt_spare.h"

static char dir[] = "/tmp/sandns-test-ctl-reload-XXXXXX";
static bool dir_made;
static char zpath[512];
static char conf_text[1024]; /* the configuration the suite starts with */
static cfg_t *cfg;
static srv_t *srv;
static ctl_t *ctl;

/* The zone file replaced whole by the text FMT makes (written aside, renamed): a reload running
 * meanwhile reads the old file or the new one, never one half written. */
__attribute__((format(printf, 1, 2))) static bool replace_zone(const char *fmt, ...)
{
	char tmp[sizeof(zpath) + 8];
	va_list ap;
	FILE *f;
	int n;

	snprintf(tmp, sizeof(tmp), "%s.new", zpath);
	f = fopen(tmp, "w");
	if (f == NULL)
		return false;
	va_start(ap, fmt);
	n = vfprintf(f, fmt, ap);
	va_end(ap);
	if (fclose(f) != 0 || n < 0)
		return false;
	return rename(tmp, zpath) == 0;
}

/* example.com with serial SERIAL (BROKEN: a file that does not parse). */
static bool write_zone(unsigned serial, bool broken)
{
	if (broken)
		return replace_zone("this is no zone file\n");
	return replace_zone("$TTL 300\n"
			    "@ IN SOA ns1.example.com. host.example.com. %u 3600 900 604800 300\n"
			    "@ IN NS ns1.example.com.\n"
			    "ns1 IN A 192.0.2.1\n",
			    serial);
}

static int suite_init(void)
{
	char conf[1024], err[1024];
	ctl_build_t b;
	sigset_t old;

	if (mkdtemp(dir) == NULL)
		return -1;
	dir_made = true;
	snprintf(zpath, sizeof(zpath), "%s/example.com.zone", dir);
	if (!write_zone(1, false))
		return -1;
	snprintf(conf, sizeof(conf),
		 "zone example.com. %s\nlisten 127.0.0.1@%u\ncert-probe-interval 0\n", zpath,
		 tu_free_port());
	snprintf(conf_text, sizeof(conf_text), "%s", conf);
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

/* LINE answered as for a client (the reply may be deferred); the waiter's id, or 0. */
static uint64_t defer(const char *line)
{
	char *out = NULL;
	size_t len = 0;
	bool stop = false;
	uint64_t id = 0;

	ctl->defer_ok = true;
	CU_ASSERT_EQUAL_FATAL(ctl_handle_line(ctl, line, &out, &len, &stop), SANDNS_EOK);
	CU_ASSERT(ctl->deferred);
	if (ctl->deferred && ctl->defer_waiter != NULL)
		id = ctl->defer_waiter->id;
	ctl->defer_ok = false;
	ctl->deferred = false;
	ctl->defer_waiter = NULL;
	free(out);
	return id;
}

/* The response to LINE, answered now (malloc'd). */
static char *ask(const char *line)
{
	char *out = NULL;
	size_t len = 0;
	bool stop = false;

	CU_ASSERT_EQUAL_FATAL(ctl_handle_line(ctl, line, &out, &len, &stop), SANDNS_EOK);
	return out;
}

/* Waits (10 s at most) until the thread runs a job. */
static bool wait_busy(void)
{
	unsigned waiting;

	for (int i = 0; i < 1000; i++) {
		if (ctl_reload_busy(ctl, &waiting))
			return true;
		usleep(10000);
	}
	return false;
}

/* The next reply the thread hands back (10 s at most): its id and text (malloc'd), or NULL. */
static char *next_reply(uint64_t *id)
{
	struct pollfd pfd = {.fd = ctl->rl_ev.fd, .events = POLLIN};
	uint64_t v;
	char *out;
	size_t len;

	for (int i = 0; i < 100; i++) {
		if (ctl_reload_reply(ctl, id, &out, &len))
			return out;
		if (poll(&pfd, 1, 100) > 0 && read(ctl->rl_ev.fd, &v, sizeof(v)) < 0)
			break;
	}
	return NULL;
}

/* The waiters the test played the client for: the control loop drops each one it answers. */
static void drop_waiters(void)
{
	while (ctl->waiters != NULL) {
		struct ctl_waiter *w = ctl->waiters;

		ctl->waiters = w->next;
		free(w);
	}
}

static void test_merge(void)
{
	char err[256], *st, *got[3] = {NULL, NULL, NULL};
	uint64_t ids[3], id;
	unsigned long r0;

	CU_ASSERT_EQUAL_FATAL(ctl_reload_start(ctl, err, sizeof(err)), SANDNS_EOK);
	CU_ASSERT_FATAL(write_zone(2, false));
	/* Held as the control loop holds it over a round: the thread's swap waits for it. */
	pthread_mutex_lock(&ctl->pub_mu);
	r0 = ctl->reloads;
	ids[0] = defer("reload");
	CU_ASSERT_FATAL(ids[0] != 0);
	CU_ASSERT_FATAL(wait_busy());
	CU_ASSERT_FATAL(write_zone(3, false));
	ids[1] = defer("reload example.com.");
	ids[2] = defer("json reload");
	CU_ASSERT(ids[1] != 0 && ids[2] != 0 && ids[1] != ids[0] && ids[2] != ids[1]);
	/* A reload runs, two wait: status answers all the same, from what is served. */
	st = ask("status");
	CU_ASSERT_PTR_NOT_NULL(strstr(st, "reload: in progress (2 more requests waiting"));
	CU_ASSERT_PTR_NOT_NULL(strstr(st, "zone example.com. serial 1,"));
	free(st);
	pthread_mutex_unlock(&ctl->pub_mu);

	for (int n = 0; n < 3; n++) {
		char *out = next_reply(&id);

		CU_ASSERT_PTR_NOT_NULL_FATAL(out);
		for (int k = 0; k < 3; k++)
			if (ids[k] == id && got[k] == NULL) {
				got[k] = out;
				out = NULL;
			}
		CU_ASSERT_PTR_NULL(out); /* an id asked for, answered once */
		free(out);
	}
	CU_ASSERT(got[0] != NULL && strncmp(got[0], "ok\nreloaded every zone: 1 zones", 31) == 0);
	/* The two asked during the first ran together after it, and saw serial 3. */
	CU_ASSERT(got[1] != NULL && strncmp(got[1], "ok\nreloaded example.com.: 1 zones", 33) == 0);
	CU_ASSERT(got[1] != NULL && strstr(got[1], "zone example.com. serial 3\n") != NULL);
	CU_ASSERT(got[2] != NULL && strncmp(got[2], "ok\n{\"zones\":1,", 13) == 0);
	CU_ASSERT(got[2] != NULL && strstr(got[2], "\"example.com.\":3") != NULL);
	for (int k = 0; k < 3; k++)
		free(got[k]);
	pthread_mutex_lock(&ctl->pub_mu);
	CU_ASSERT_EQUAL(ctl->reloads, r0 + 2);
	pthread_mutex_unlock(&ctl->pub_mu);
	drop_waiters();
	ctl_reload_free(ctl);
}

static void test_failed(void)
{
	char err[256], *out, *st;
	uint64_t id, got = 0;
	unsigned long f0;

	CU_ASSERT_EQUAL_FATAL(ctl_reload_start(ctl, err, sizeof(err)), SANDNS_EOK);
	f0 = ctl->reload_failures;
	CU_ASSERT_FATAL(write_zone(4, true));
	id = defer("reload");
	out = next_reply(&got);
	CU_ASSERT_EQUAL(got, id);
	CU_ASSERT(out != NULL && strncmp(out, "error: ", 7) == 0);
	CU_ASSERT(out != NULL && strstr(out, "example.com.zone:1") != NULL);
	CU_ASSERT(out != NULL && strstr(out, "the previous snapshot is still served") != NULL);
	free(out);
	/* An unknown zone is refused at once: nothing is queued. */
	out = ask("reload nosuch.example.");
	CU_ASSERT(strncmp(out, "error: no zone nosuch.example. is configured", 44) == 0);
	free(out);
	pthread_mutex_lock(&ctl->pub_mu);
	CU_ASSERT_EQUAL(ctl->reload_failures, f0 + 1);
	st = ask("status");
	CU_ASSERT_PTR_NOT_NULL(strstr(st, "zone example.com. serial 3,"));
	CU_ASSERT_PTR_NULL(strstr(st, "reload: in progress"));
	free(st);
	pthread_mutex_unlock(&ctl->pub_mu);
	CU_ASSERT_FATAL(write_zone(3, false));
	drop_waiters();
	ctl_reload_free(ctl);
}

/* The suite's configuration with EXTRA lines after it, checked (NULL: it does not load). */
static cfg_t *conf_with(const char *extra)
{
	char text[2048], err[1024];
	cfg_t *c = cfg_new();

	snprintf(text, sizeof(text), "%s%s", conf_text, extra);
	if (c == NULL || cfg_load_string(c, text, "test", NULL, err, sizeof(err)) != 0 ||
	    cfg_check(c, err, sizeof(err)) != 0) {
		fprintf(stderr, "conf_with: %s\n", err);
		cfg_free(&c);
	}
	return c;
}

/*
 * A configuration reload that adds a zone beside the one served, then one that takes it out
 * again: each snapshot patched from the one served (zt_patch_zones(): the other zone's nodes
 * untouched), counted as patched, the zone answered then gone.
 */
static void test_zone_added(void)
{
	const ctl_rebuild_t every = {.zones = true}; /* as a configuration reload reads them */
	char err[512], line[1024], npath[600], *st;
	unsigned long patched = ctl->builds_patched, full = ctl->builds_full;
	const zt_t *served = ctl->current;
	cfg_t *next;
	FILE *f;
	int rc;

	/* The reload thread the tests before stopped: this thread reloads, as before it runs. */
	__atomic_store_n(&ctl->rl_stop, false, __ATOMIC_RELEASE);
	snprintf(npath, sizeof(npath), "%s/example.net.zone", dir);
	f = fopen(npath, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("$TTL 300\n@ IN SOA ns1.example.net. host.example.net. 7 3600 900 604800 300\n"
	      "@ IN NS ns1.example.net.\nns1 IN A 192.0.2.7\nwww IN A 192.0.2.8\n",
	      f);
	CU_ASSERT_EQUAL_FATAL(fclose(f), 0);
	snprintf(line, sizeof(line), "zone example.net. %s\n", npath);
	next = conf_with(line);
	CU_ASSERT_PTR_NOT_NULL_FATAL(next);
	rc = ctl_reload_cfg(ctl, next, &every, err, sizeof(err));
	if (rc != SANDNS_EOK)
		fprintf(stderr, "reload: %s\n", err);
	CU_ASSERT_EQUAL_FATAL(rc, SANDNS_EOK);
	CU_ASSERT_PTR_NOT_EQUAL(ctl->current, served);
	CU_ASSERT_TRUE(ctl->info.patched);
	CU_ASSERT_EQUAL(ctl->info.patched_zones, 1);
	CU_ASSERT_EQUAL(ctl->builds_patched, patched + 1);
	CU_ASSERT_EQUAL(ctl->builds_full, full);
	st = ask("status");
	CU_ASSERT_PTR_NOT_NULL(strstr(st, "snapshot: 2 zones"));
	CU_ASSERT_PTR_NOT_NULL(strstr(st, "zone example.net. serial 7,"));
	CU_ASSERT_PTR_NOT_NULL(strstr(st, "zone example.com. serial 3,"));
	free(st);
	/* And out again: the first zone's nodes still the compile's, its slot left empty. */
	next = conf_with("");
	CU_ASSERT_PTR_NOT_NULL_FATAL(next);
	CU_ASSERT_EQUAL_FATAL(ctl_reload_cfg(ctl, next, &every, err, sizeof(err)), SANDNS_EOK);
	CU_ASSERT_TRUE(ctl->info.patched);
	CU_ASSERT_EQUAL(ctl->info.patched_zones, 1);
	CU_ASSERT_EQUAL(ctl->builds_patched, patched + 2);
	CU_ASSERT_EQUAL(zt_zones_served(ctl->current), 1);
	st = ask("status");
	CU_ASSERT_PTR_NOT_NULL(strstr(st, "snapshot: 1 zones"));
	CU_ASSERT_PTR_NULL(strstr(st, "example.net."));
	CU_ASSERT_PTR_NOT_NULL(strstr(st, "zone example.com. serial 3,"));
	free(st);
	st = ask("reload");
	CU_ASSERT_PTR_NULL(strstr(st, "(null)"));
	free(st);
	remove(npath);
}

/* PATH's modification time set to AGO seconds before now (nanoseconds NSEC). */
static void set_mtime(const char *path, time_t ago, long nsec)
{
	struct timespec t[2] = {{.tv_sec = time(NULL) - ago, .tv_nsec = nsec}};

	t[1] = t[0];
	CU_ASSERT_EQUAL_FATAL(utimensat(AT_FDCWD, path, t, 0), 0);
}

/* example.com (serial 9) with its host from INC by $INCLUDE, written aside and renamed. */
static void write_with_include(const char *inc)
{
	CU_ASSERT_TRUE_FATAL(replace_zone(
	    "$TTL 300\n@ IN SOA ns1.example.com. host.example.com. 9 3600 900 604800 300\n"
	    "@ IN NS ns1.example.com.\n$INCLUDE %s\n",
	    inc));
}

/* `reload` (every zone) through the reload job, as a client asks it; the zone served after. */
static uint64_t reload_all(const char *line)
{
	char *st = ask(line);

	CU_ASSERT_PTR_NULL(strstr(st, "failed"));
	free(st);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ctl->info.raw);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ctl->info.raw[0]);
	return zload_version(ctl->info.raw[0]);
}

/*
 * A whole reload keeps the version of a zone whose file and $INCLUDEs are unchanged (the very
 * version, unread); a file rewritten with the same text but a new time, an $INCLUDE touched, or
 * `reload ZONE` read it again; its serial stays.
 */
static void test_unchanged(void)
{
	char inc[600], *st;
	uint64_t v1, v2, v3;
	FILE *f;

	__atomic_store_n(&ctl->rl_stop, false, __ATOMIC_RELEASE);
	snprintf(inc, sizeof(inc), "%s/hosts.inc", dir);
	f = fopen(inc, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("ns1 IN A 192.0.2.1\nwww IN A 192.0.2.9\n", f);
	CU_ASSERT_EQUAL_FATAL(fclose(f), 0);
	write_with_include(inc);
	/* Written a minute ago: a change now would show in the time (no second to share). */
	set_mtime(zpath, 60, 1);
	set_mtime(inc, 60, 2);
	v1 = reload_all("reload");
	CU_ASSERT_EQUAL(zload_serial(ctl->info.raw[0]), 9);
	CU_ASSERT_EQUAL(reload_all("reload"), v1);
	/* The same text written again, a new time: read again. */
	write_with_include(inc);
	set_mtime(zpath, 50, 1);
	v2 = reload_all("reload");
	CU_ASSERT_NOT_EQUAL(v2, v1);
	CU_ASSERT_EQUAL(reload_all("reload"), v2);
	/* Only the $INCLUDEd file changed (its time): read again. */
	set_mtime(inc, 40, 2);
	v3 = reload_all("reload");
	CU_ASSERT_NOT_EQUAL(v3, v2);
	CU_ASSERT_EQUAL(reload_all("reload"), v3);
	/* `reload ZONE` reads it whatever. */
	CU_ASSERT_NOT_EQUAL(reload_all("reload example.com"), v3);
	/* The same records all along: the serial served stays the file's. */
	st = ask("status");
	CU_ASSERT_PTR_NOT_NULL(strstr(st, "zone example.com. serial 9,"));
	free(st);
	/* Modified within the second before it was read: read again, the time may not show. */
	write_with_include(inc);
	v1 = reload_all("reload");
	CU_ASSERT_NOT_EQUAL(reload_all("reload"), v1);
}

/*
 * A configuration reload keeps the version of a zone whose line and files are unchanged, and
 * reads it again when its FILE is another path, even one naming the very same file (a link).
 */
static void test_unchanged_cfg(void)
{
	const ctl_rebuild_t whole = {.zones = true, .keep_unchanged = true};
	char err[512], text[2048], link_path[600];
	const char *at;
	uint64_t v;
	cfg_t *next;

	set_mtime(zpath, 30, 3);
	v = reload_all("reload"); /* read: its time changed */
	next = conf_with("");
	CU_ASSERT_PTR_NOT_NULL_FATAL(next);
	CU_ASSERT_EQUAL_FATAL(ctl_reload_cfg(ctl, next, &whole, err, sizeof(err)), SANDNS_EOK);
	CU_ASSERT_EQUAL(zload_version(ctl->info.raw[0]), v);
	/* The same file under another name: the zone line changed, read again. */
	snprintf(link_path, sizeof(link_path), "%s/linked.zone", dir);
	CU_ASSERT_EQUAL_FATAL(link(zpath, link_path), 0);
	at = strstr(conf_text, zpath);
	CU_ASSERT_PTR_NOT_NULL_FATAL(at);
	snprintf(text, sizeof(text), "%.*s%s%s", (int)(at - conf_text), conf_text, link_path,
		 at + strlen(zpath));
	next = cfg_new();
	CU_ASSERT_PTR_NOT_NULL_FATAL(next);
	CU_ASSERT_EQUAL_FATAL(cfg_load_string(next, text, "test", NULL, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL_FATAL(cfg_check(next, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL_FATAL(ctl_reload_cfg(ctl, next, &whole, err, sizeof(err)), SANDNS_EOK);
	CU_ASSERT_NOT_EQUAL(zload_version(ctl->info.raw[0]), v);
}

/* A whole configuration reload to NEXT as `reload` makes it (ctl_rl_job_run()): SANDNS_EOK. */
static int reload_to(cfg_t *next, enum ctl_certs certs)
{
	const ctl_rebuild_t whole = {.zones = true, .keep_unchanged = true, .certs = certs};
	char err[512];
	int rc;

	CU_ASSERT_PTR_NOT_NULL_FATAL(next);
	rc = ctl_reload_cfg(ctl, next, &whole, err, sizeof(err));
	if (rc != SANDNS_EOK)
		fprintf(stderr, "reload: %s\n", err);
	return rc;
}

/* The answers of the snapshot served to NAME/TYPE: their count (-1: no NOERROR response). */
static int answers(const char *name, uint16_t type)
{
	ldns_pkt *r = tu_ask(ctl->current, 1, name, type);
	int n = r != NULL && ldns_pkt_get_rcode(r) == LDNS_RCODE_NOERROR ? (int)ldns_pkt_ancount(r)
									 : -1;

	ldns_pkt_free(r);
	return n;
}

/* example.com (serial SERIAL, EXTRA lines after its records), written a minute ago. */
static void write_old(unsigned serial, const char *extra)
{
	CU_ASSERT_TRUE_FATAL(replace_zone(
	    "$TTL 300\n@ IN SOA ns1.example.com. host.example.com. %u 3600 900 604800 300\n"
	    "@ IN NS ns1.example.com.\nns1 IN A 192.0.2.1\n%s",
	    serial, extra));
	set_mtime(zpath, 60, 5);
}

/* `reload` (or `reload ZONE`) through the reload job, the zone maybe not kept after. */
static void reload_line(const char *line)
{
	char *st = ask(line);

	CU_ASSERT_PTR_NULL(strstr(st, "failed"));
	free(st);
}

/* Whether the zone example.com is served unread: the version served before (VER), none held. */
static bool unread(uint64_t ver)
{
	return ctl->info.zones[0].zone_ver == ver && ctl->info.raw[0] == NULL;
}

/*
 * A zone not kept in memory (keep-zones no; auto above its bound of records) whose files are
 * unchanged: a whole reload (and one that adds a zone beside it) leaves it unread, its part of
 * the snapshot served shared by the patch, its serial served as before; a file changed, a
 * whole compile, keep-zones set to keep it and `reload ZONE` read it.
 */
static void test_unchanged_not_kept(void)
{
	const char *no = "keep-zones no\n";
	char line[2048], npath[600], spath[600], *st;
	unsigned long full;
	uint64_t v, ov;
	FILE *f;

	__atomic_store_n(&ctl->rl_stop, false, __ATOMIC_RELEASE);
	write_old(20, "");
	CU_ASSERT_EQUAL_FATAL(reload_to(conf_with(no), CTL_CERTS_KEEP), SANDNS_EOK);
	/* Not kept: the stamps of the files are, with the zone's facts. */
	CU_ASSERT_PTR_NULL(ctl->info.raw[0]);
	CU_ASSERT_PTR_NOT_NULL(ctl->info.zones[0].stamps);
	v = ctl->info.zones[0].zone_ver;
	full = ctl->builds_full;
	reload_line("reload");
	CU_ASSERT_TRUE(unread(v));
	CU_ASSERT_TRUE(ctl->info.patched);
	CU_ASSERT_EQUAL(ctl->builds_full, full);
	CU_ASSERT_EQUAL(ctl->info.zones[0].serial, 20);
	CU_ASSERT_EQUAL(ctl->info.zones[0].records, 3);
	CU_ASSERT_EQUAL(answers("ns1.example.com.", LDNS_RR_TYPE_A), 1);
	/* A zone added by the configuration: patched in, the other one still unread. */
	snprintf(npath, sizeof(npath), "%s/example.org.zone", dir);
	f = fopen(npath, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("$TTL 300\n@ IN SOA ns1.example.org. host.example.org. 7 3600 900 604800 300\n"
	      "@ IN NS ns1.example.org.\nns1 IN A 192.0.2.7\n",
	      f);
	CU_ASSERT_EQUAL_FATAL(fclose(f), 0);
	set_mtime(npath, 60, 9);
	snprintf(line, sizeof(line), "%szone example.org. %s\n", no, npath);
	CU_ASSERT_EQUAL_FATAL(reload_to(conf_with(line), CTL_CERTS_KEEP), SANDNS_EOK);
	CU_ASSERT_TRUE(unread(v));
	CU_ASSERT_TRUE(ctl->info.patched);
	CU_ASSERT_EQUAL(ctl->info.patched_zones, 1);
	CU_ASSERT_EQUAL(ctl->builds_full, full);
	CU_ASSERT_EQUAL(answers("ns1.example.org.", LDNS_RR_TYPE_A), 1);
	CU_ASSERT_EQUAL(answers("ns1.example.com.", LDNS_RR_TYPE_A), 1);
	st = ask("status");
	CU_ASSERT_PTR_NOT_NULL(strstr(st, "zone example.com. serial 20,"));
	free(st);
	/* A zone below it comes: compiled whole (nested), so read for it; both served. */
	snprintf(spath, sizeof(spath), "%s/sub.example.com.zone", dir);
	f = fopen(spath, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("$TTL 300\n@ IN SOA ns1 host 3 3600 900 604800 300\n@ IN NS ns1\n"
	      "ns1 IN A 192.0.2.33\nwww IN A 192.0.2.34\n",
	      f);
	CU_ASSERT_EQUAL_FATAL(fclose(f), 0);
	set_mtime(spath, 60, 3);
	snprintf(line, sizeof(line), "%szone example.org. %s\nzone sub.example.com. %s\n", no,
		 npath, spath);
	CU_ASSERT_EQUAL_FATAL(reload_to(conf_with(line), CTL_CERTS_KEEP), SANDNS_EOK);
	CU_ASSERT_EQUAL(ctl->builds_full, full + 1);
	CU_ASSERT_NOT_EQUAL(ctl->info.zones[0].zone_ver, v);
	CU_ASSERT_EQUAL(answers("www.sub.example.com.", LDNS_RR_TYPE_A), 1);
	CU_ASSERT_EQUAL(answers("ns1.example.com.", LDNS_RR_TYPE_A), 1);
	CU_ASSERT_EQUAL(ctl->info.zones[0].serial, 20);
	v = ctl->info.zones[0].zone_ver;
	reload_line("reload");
	CU_ASSERT_TRUE(unread(v));
	CU_ASSERT_EQUAL(answers("www.sub.example.com.", LDNS_RR_TYPE_A), 1);
	/* Other settings of the snapshot (and the zone below gone): compiled whole, read. */
	snprintf(line, sizeof(line), "%sidentity ns.test\nzone example.org. %s\n", no, npath);
	CU_ASSERT_EQUAL_FATAL(reload_to(conf_with(line), CTL_CERTS_KEEP), SANDNS_EOK);
	CU_ASSERT_EQUAL(ctl->builds_full, full + 2);
	CU_ASSERT_NOT_EQUAL(ctl->info.zones[0].zone_ver, v);
	CU_ASSERT_EQUAL(answers("www.sub.example.com.", LDNS_RR_TYPE_A), -1); /* NXDOMAIN */
	CU_ASSERT_EQUAL(answers("ns1.example.com.", LDNS_RR_TYPE_A), 1);
	snprintf(line, sizeof(line), "%szone example.org. %s\n", no, npath);
	CU_ASSERT_EQUAL_FATAL(reload_to(conf_with(line), CTL_CERTS_KEEP), SANDNS_EOK);
	v = ctl->info.zones[0].zone_ver;
	full = ctl->builds_full;
	/* Its file changed (records and serial): read, the change served, the zone replaced by
	 * the patch (nothing to compare with), the other zone left unread. */
	ov = ctl->info.zones[1].zone_ver;
	write_old(21, "www IN A 192.0.2.80\n");
	reload_line("reload");
	CU_ASSERT_NOT_EQUAL(ctl->info.zones[0].zone_ver, v);
	CU_ASSERT_EQUAL(ctl->info.zones[0].serial, 21);
	CU_ASSERT_EQUAL(answers("www.example.com.", LDNS_RR_TYPE_A), 1);
	CU_ASSERT_EQUAL(answers("ns1.example.org.", LDNS_RR_TYPE_A), 1);
	CU_ASSERT_EQUAL(ctl->builds_full, full);
	CU_ASSERT_TRUE(ctl->info.patched);
	CU_ASSERT_EQUAL(ctl->info.patched_zones, 1);
	CU_ASSERT_EQUAL(ctl->info.zones[1].zone_ver, ov);
	CU_ASSERT_PTR_NULL(ctl->info.raw[1]);
	v = ctl->info.zones[0].zone_ver;
	/* Only its time: read again, the same records served, the serial stays. */
	set_mtime(zpath, 50, 5);
	reload_line("reload");
	CU_ASSERT_NOT_EQUAL(ctl->info.zones[0].zone_ver, v);
	CU_ASSERT_EQUAL(ctl->info.zones[0].serial, 21);
	v = ctl->info.zones[0].zone_ver;
	reload_line("reload");
	CU_ASSERT_TRUE(unread(v));
	/* `reload ZONE` reads it. */
	reload_line("reload example.com");
	CU_ASSERT_NOT_EQUAL(ctl->info.zones[0].zone_ver, v);
	/* keep-zones auto, above its bound: the same. */
	ctl_keep_auto_records = 3;
	snprintf(line, sizeof(line), "zone example.org. %s\n", npath);
	CU_ASSERT_EQUAL_FATAL(reload_to(conf_with(line), CTL_CERTS_KEEP), SANDNS_EOK);
	CU_ASSERT_PTR_NULL(ctl->info.raw[0]);
	v = ctl->info.zones[0].zone_ver;
	reload_line("reload");
	CU_ASSERT_TRUE(unread(v));
	CU_ASSERT_EQUAL(ctl->info.zones[0].serial, 21);
	CU_ASSERT_EQUAL(answers("www.example.com.", LDNS_RR_TYPE_A), 1);
	/* ... and below it: kept now, so read. */
	ctl_keep_auto_records = CFG_KEEP_AUTO_RECORDS;
	reload_line("reload");
	CU_ASSERT_NOT_EQUAL(ctl->info.zones[0].zone_ver, v);
	CU_ASSERT_PTR_NOT_NULL(ctl->info.raw[0]);
	CU_ASSERT_EQUAL(ctl->info.zones[0].serial, 21);
	CU_ASSERT_EQUAL_FATAL(reload_to(conf_with(""), CTL_CERTS_KEEP), SANDNS_EOK);
	remove(npath);
	remove(spath);
}

/* The apex node of zone ORIGIN in the snapshot served. */
static uint32_t apex_served(const char *origin)
{
	uint8_t key[WIRE_NAME_MAX + 1];

	return zt_find(ctl->current, key, tu_name_wire(key, origin));
}

/* Whether the snapshot served answers NAMES as a whole compile of the configuration does. */
static bool as_compiled(const char *const *names, size_t n)
{
	char err[512];
	ctl_build_t ref;
	bool same;

	CU_ASSERT_EQUAL_FATAL(ctl_build(ctl->cfg, NULL, NULL, &ref, err, sizeof(err)), SANDNS_EOK);
	same = tu_same_answers(ctl->current, ref.zt, names, n);
	ctl_build_clear(&ref);
	return same;
}

/*
 * Two zones not kept in memory (keep-zones auto above a bound lowered for the test), one of a
 * few hundred records: a change to the other (its version served not kept, no transfer noted
 * what changed) replaces that zone alone in the snapshot served, the large one's nodes and
 * version untouched (unread), the answers those of a whole compile to the octet; twice in a
 * row. Then keep-zones yes and a reload that changes nothing: patched, every node shared.
 */
static void test_replace_not_kept(void)
{
	static const char *const names[] = {
	    "example.com.", "ns1.example.com.", "www.example.com.",  "new.example.com.",
	    "example.org.", "h7.example.org.",	"h199.example.org.", "no.example.org."};
	const size_t nn = sizeof(names) / sizeof(names[0]);
	char line[2048], npath[600];
	unsigned long full, patched;
	const zt_node_t *nodes;
	uint32_t big_apex;
	uint64_t ov;
	FILE *f;

	__atomic_store_n(&ctl->rl_stop, false, __ATOMIC_RELEASE);
	snprintf(npath, sizeof(npath), "%s/example.org.zone", dir);
	f = fopen(npath, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("$TTL 300\n@ IN SOA ns1.example.org. host.example.org. 7 3600 900 604800 300\n"
	      "@ IN NS ns1.example.org.\nns1 IN A 192.0.2.7\n",
	      f);
	for (int i = 0; i < 300; i++)
		fprintf(f, "h%d IN A 198.51.100.%d\nh%d IN TXT \"host %d\"\n", i, i % 250, i, i);
	CU_ASSERT_EQUAL_FATAL(fclose(f), 0);
	set_mtime(npath, 60, 11);
	write_old(30, "");
	ctl_keep_auto_records = 50;
	snprintf(line, sizeof(line), "zone example.org. %s\n", npath);
	CU_ASSERT_EQUAL_FATAL(reload_to(conf_with(line), CTL_CERTS_KEEP), SANDNS_EOK);
	CU_ASSERT_PTR_NULL(ctl->info.raw[0]);
	CU_ASSERT_PTR_NULL(ctl->info.raw[1]);
	full = ctl->builds_full;
	patched = ctl->builds_patched;
	ov = ctl->info.zones[1].zone_ver;
	nodes = ctl->current->nodes;
	big_apex = apex_served("example.org.");
	for (unsigned k = 0; k < 2; k++) {
		uint32_t apex = apex_served("example.com.");

		write_old(31 + k, k == 0 ? "www IN A 192.0.2.80\n" : "new IN A 192.0.2.81\n");
		reload_line("reload");
		CU_ASSERT_EQUAL(ctl->builds_full, full);
		CU_ASSERT_EQUAL(ctl->builds_patched, patched + 1 + k);
		CU_ASSERT_TRUE(ctl->info.patched);
		CU_ASSERT_EQUAL(ctl->info.patched_zones, 1);
		CU_ASSERT_EQUAL(ctl->info.zones[0].serial, 31 + k);
		/* The large zone: unread, its nodes the compile's in the same store. */
		CU_ASSERT_EQUAL(ctl->info.zones[1].zone_ver, ov);
		CU_ASSERT_PTR_NULL(ctl->info.raw[1]);
		CU_ASSERT_PTR_EQUAL(ctl->current->nodes, nodes);
		CU_ASSERT_EQUAL(apex_served("example.org."), big_apex);
		CU_ASSERT_NOT_EQUAL(apex_served("example.com."), apex);
		CU_ASSERT_EQUAL(
		    answers(k == 0 ? "www.example.com." : "new.example.com.", LDNS_RR_TYPE_A), 1);
		CU_ASSERT_TRUE(as_compiled(names, nn));
	}
	/* Everything kept, nothing changed: a reload patches, sharing every node. */
	ctl_keep_auto_records = CFG_KEEP_AUTO_RECORDS;
	snprintf(line, sizeof(line), "keep-zones yes\nzone example.org. %s\n", npath);
	CU_ASSERT_EQUAL_FATAL(reload_to(conf_with(line), CTL_CERTS_KEEP), SANDNS_EOK);
	CU_ASSERT_PTR_NOT_NULL(ctl->info.raw[0]);
	CU_ASSERT_PTR_NOT_NULL(ctl->info.raw[1]);
	full = ctl->builds_full;
	nodes = ctl->current->nodes;
	big_apex = apex_served("example.org.");
	{
		uint32_t apex = apex_served("example.com.");
		const zt_t *served = ctl->current;

		reload_line("reload");
		CU_ASSERT_EQUAL(ctl->builds_full, full);
		CU_ASSERT_TRUE(ctl->info.patched);
		CU_ASSERT_EQUAL(ctl->info.patched_names, 0);
		CU_ASSERT_EQUAL(ctl->info.patched_zones, 0);
		CU_ASSERT_PTR_NOT_EQUAL(ctl->current, served);
		CU_ASSERT_PTR_EQUAL(ctl->current->nodes, nodes);
		CU_ASSERT_EQUAL(apex_served("example.org."), big_apex);
		CU_ASSERT_EQUAL(apex_served("example.com."), apex);
		CU_ASSERT_EQUAL(ctl->info.zones[0].serial, 32);
		CU_ASSERT_TRUE(as_compiled(names, nn));
	}
	CU_ASSERT_EQUAL_FATAL(reload_to(conf_with(""), CTL_CERTS_KEEP), SANDNS_EOK);
	remove(npath);
}

/*
 * A certificate read again by the same whole reload changes the autodiscover policy's edits of
 * a zone not kept in memory, its file unchanged: the edits are applied (the policy weighs every
 * zone's records: they are read), the serial raised; and lifted again the same way.
 */
static void test_unchanged_not_kept_cert(void)
{
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	char line[2048], npath[600], cpath[600];
	FILE *f;

	CU_ASSERT_PTR_NOT_NULL_FATAL(key);
	__atomic_store_n(&ctl->rl_stop, false, __ATOMIC_RELEASE);
	snprintf(npath, sizeof(npath), "%s/example.net.zone", dir);
	snprintf(cpath, sizeof(cpath), "%s/leaf.pem", dir);
	f = fopen(npath, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("$TTL 300\n@ IN SOA ns1.example.net. host.example.net. 40 3600 900 604800 300\n"
	      "@ IN NS ns1.example.net.\nns1 IN A 192.0.2.53\nmail IN A 192.0.2.25\n"
	      "autodiscover IN A 192.0.2.25\n",
	      f);
	CU_ASSERT_EQUAL_FATAL(fclose(f), 0);
	set_mtime(npath, 60, 7);
	CU_ASSERT_FATAL(
	    tu_write_leaf(cpath, key, 1, "DNS:mail.example.net,DNS:autodiscover.example.net"));
	snprintf(line, sizeof(line), "keep-zones no\nzone example.net. %s\ncert %s\n", npath,
		 cpath);
	CU_ASSERT_EQUAL_FATAL(reload_to(conf_with(line), CTL_CERTS_ALL), SANDNS_EOK);
	CU_ASSERT_PTR_NULL(ctl->info.raw[1]);
	CU_ASSERT_STRING_EQUAL(ctl->info.zones[1].edits, "");
	CU_ASSERT_EQUAL(ctl->info.zones[1].serial, 40);
	CU_ASSERT_EQUAL(answers("autodiscover.example.net.", LDNS_RR_TYPE_A), 1);
	/* The certificate no longer covers autodiscover.D: its address withheld, SRV made. */
	CU_ASSERT_FATAL(tu_write_leaf(cpath, key, 2, "DNS:mail.example.net"));
	CU_ASSERT_EQUAL_FATAL(reload_to(conf_with(line), CTL_CERTS_ALL), SANDNS_EOK);
	CU_ASSERT_STRING_NOT_EQUAL(ctl->info.zones[1].edits, "");
	CU_ASSERT_EQUAL(ctl->info.zones[1].serial, 41);
	CU_ASSERT_EQUAL(answers("autodiscover.example.net.", LDNS_RR_TYPE_A), 0);
	CU_ASSERT_EQUAL(answers("_autodiscover._tcp.example.net.", LDNS_RR_TYPE_SRV), 1);
	/* And covered again: lifted, the serial on. */
	CU_ASSERT_FATAL(
	    tu_write_leaf(cpath, key, 3, "DNS:mail.example.net,DNS:autodiscover.example.net"));
	CU_ASSERT_EQUAL_FATAL(reload_to(conf_with(line), CTL_CERTS_ALL), SANDNS_EOK);
	CU_ASSERT_STRING_EQUAL(ctl->info.zones[1].edits, "");
	CU_ASSERT_EQUAL(ctl->info.zones[1].serial, 42);
	CU_ASSERT_EQUAL(answers("autodiscover.example.net.", LDNS_RR_TYPE_A), 1);
	CU_ASSERT_EQUAL_FATAL(reload_to(conf_with(""), CTL_CERTS_KEEP), SANDNS_EOK);
	EVP_PKEY_free(key);
	remove(npath);
	remove(cpath);
}

/* FMT's text written to PATH, its time set a minute ago (NSEC nanoseconds). */
__attribute__((format(printf, 3, 4))) static void write_at(const char *path, long nsec,
							   const char *fmt, ...)
{
	va_list ap;
	FILE *f = fopen(path, "w");

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	CU_ASSERT_EQUAL_FATAL(fclose(f), 0);
	set_mtime(path, 60, nsec);
}

/* The policy served: every decision with its reason, every edit, one a line (malloc'd). */
static char *policy_text(void)
{
	const policy_t *p = ctl->info.policy;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	for (size_t i = 0; p != NULL && i < policy_count(p); i++)
		fprintf(f, "%s %s %u %s %s %d %d %d: %s\n", policy_domain(p, i), policy_name(p, i),
			(unsigned)policy_family(p, i), policy_kind_name(policy_kind(p, i)),
			policy_target(p, i) != NULL ? policy_target(p, i) : "-",
			policy_applies(p, i), policy_alert(p, i), policy_via_wildcard(p, i),
			policy_reason(p, i));
	for (size_t i = 0; p != NULL && i < policy_edit_count(p); i++) {
		const zload_edit_t *e = policy_edit(p, i);

		fprintf(f, "edit %s %d %s %u %u %s\n", policy_edit_domain(p, i), (int)e->op,
			e->owner, (unsigned)e->type, (unsigned)e->ttl,
			e->rdata != NULL ? e->rdata : "-");
	}
	CU_ASSERT_EQUAL_FATAL(fclose(f), 0);
	return text;
}

/* The policy's decisions now are those of a reload that reads every zone (CONF keeps them). */
static void same_as_all_read(const char *conf)
{
	char *was = policy_text(), *now;

	CU_ASSERT_EQUAL_FATAL(reload_to(conf_with(conf), CTL_CERTS_ALL), SANDNS_EOK);
	now = policy_text();
	CU_ASSERT_STRING_EQUAL(now, was);
	free(now);
	free(was);
}

/* Whether zone I is served unread: the version served before (VER), none held. */
static bool unread_at(size_t i, uint64_t ver)
{
	return ctl->info.zones[i].zone_ver == ver && ctl->info.raw[i] == NULL;
}

/*
 * A zone not kept whose policy edits its records refuse (the SRV target a SAN with a space: no
 * SRV record can name it) is served as written; a whole reload that changes nothing leaves it
 * unread (the same edits asked, the same refusal), serial and answers as before; its file
 * changed, it is read.
 */
static void test_not_kept_refused_edits(void)
{
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	const char *net = "$TTL 300\n@ IN SOA ns1.example.net. host.example.net. %u 3600 900 "
			  "604800 300\n@ IN NS ns1.example.net.\nns1 IN A 192.0.2.53\n"
			  "a\\032b IN A 192.0.2.25\nautodiscover IN A 192.0.2.25\n";
	char line[2048], npath[600], cpath[600];
	unsigned long full;
	uint64_t v;

	CU_ASSERT_PTR_NOT_NULL_FATAL(key);
	__atomic_store_n(&ctl->rl_stop, false, __ATOMIC_RELEASE);
	snprintf(npath, sizeof(npath), "%s/example.net.zone", dir);
	snprintf(cpath, sizeof(cpath), "%s/leaf.pem", dir);
	write_at(npath, 23, net, 80);
	CU_ASSERT_FATAL(tu_write_leaf(cpath, key, 1, "DNS:a b.example.net"));
	snprintf(line, sizeof(line), "keep-zones no\nzone example.net. %s\ncert %s\n", npath,
		 cpath);
	CU_ASSERT_EQUAL_FATAL(reload_to(conf_with(line), CTL_CERTS_ALL), SANDNS_EOK);
	/* The policy asks for edits; the zone refuses them: served as written. */
	CU_ASSERT(policy_edit_count(ctl->info.policy) > 0);
	CU_ASSERT_STRING_EQUAL(ctl->info.zones[1].edits, "");
	CU_ASSERT_EQUAL(ctl->info.zones[1].serial, 80);
	CU_ASSERT_EQUAL(answers("autodiscover.example.net.", LDNS_RR_TYPE_A), 1);
	CU_ASSERT_PTR_NULL(ctl->info.raw[1]);
	v = ctl->info.zones[1].zone_ver;
	full = ctl->builds_full;
	/* Nothing changed: left unread, twice, the snapshot patched. */
	for (int k = 0; k < 2; k++) {
		reload_line("reload");
		CU_ASSERT_TRUE(unread_at(1, v));
		CU_ASSERT_STRING_EQUAL(ctl->info.zones[1].edits, "");
		CU_ASSERT_EQUAL(ctl->info.zones[1].serial, 80);
		CU_ASSERT_EQUAL(answers("autodiscover.example.net.", LDNS_RR_TYPE_A), 1);
	}
	CU_ASSERT_EQUAL(ctl->builds_full, full);
	/* Its file changed: read, still served as written. */
	write_at(npath, 29, net, 81);
	reload_line("reload");
	CU_ASSERT_NOT_EQUAL(ctl->info.zones[1].zone_ver, v);
	CU_ASSERT_STRING_EQUAL(ctl->info.zones[1].edits, "");
	CU_ASSERT_EQUAL(ctl->info.zones[1].serial, 81);
	CU_ASSERT_EQUAL_FATAL(reload_to(conf_with(""), CTL_CERTS_KEEP), SANDNS_EOK);
	EVP_PKEY_free(key);
	remove(npath);
	remove(cpath);
}

/*
 * The catalog sandns produces, with keep-zones no: a reload that changes nothing keeps its
 * version and serial (nothing replaced, nothing for consumers to fetch); a zone added gives it a
 * newer serial and the new member's PTR; a reload after that keeps that version again.
 */
static void test_produced_catalog_not_kept(void)
{
	char line[2048], npath[600], cpath[600];
	unsigned long serial;
	uint64_t v;

	__atomic_store_n(&ctl->rl_stop, false, __ATOMIC_RELEASE);
	snprintf(npath, sizeof(npath), "%s/example.net.zone", dir);
	snprintf(cpath, sizeof(cpath), "%s/pcat.test.zone", dir); /* never read */
	write_at(npath, 31,
		 "$TTL 300\n@ IN SOA ns1.example.net. host.example.net. 90 3600 900 604800 300\n"
		 "@ IN NS ns1.example.net.\nns1 IN A 192.0.2.53\n");
	snprintf(line, sizeof(line),
		 "keep-zones no\nzone pcat.test. %s\ncatalog pcat.test. producer\n", cpath);
	CU_ASSERT_EQUAL_FATAL(reload_to(conf_with(line), CTL_CERTS_KEEP), SANDNS_EOK);
	CU_ASSERT_EQUAL(answers("pcat.test.", LDNS_RR_TYPE_SOA), 1);
	/* Not kept, but for the catalog made: small, and nothing to read it from. */
	CU_ASSERT_PTR_NULL(ctl->info.raw[0]);
	CU_ASSERT_PTR_NOT_NULL(ctl->info.raw[1]);
	serial = ctl->info.zones[1].serial;
	v = ctl->info.zones[1].zone_ver;
	for (int k = 0; k < 2; k++) {
		if (k == 1)
			sleep(1); /* a serial made again would be the time: another one */
		reload_line("reload");
		CU_ASSERT_EQUAL(ctl->info.zones[1].serial, serial);
		CU_ASSERT_EQUAL(ctl->info.zones[1].zone_ver, v);
		CU_ASSERT_TRUE(ctl->info.patched);
		CU_ASSERT_EQUAL(ctl->info.patched_zones, 0);
	}
	/* A zone added: a member more, a newer serial. */
	snprintf(line, sizeof(line),
		 "keep-zones no\nzone pcat.test. %s\ncatalog pcat.test. producer\n"
		 "zone example.net. %s\n",
		 cpath, npath);
	CU_ASSERT_EQUAL_FATAL(reload_to(conf_with(line), CTL_CERTS_KEEP), SANDNS_EOK);
	CU_ASSERT(ctl->info.zones[1].serial > serial);
	CU_ASSERT_EQUAL(answers("pcat.test.", LDNS_RR_TYPE_SOA), 1);
	serial = ctl->info.zones[1].serial;
	v = ctl->info.zones[1].zone_ver;
	reload_line("reload");
	CU_ASSERT_EQUAL(ctl->info.zones[1].serial, serial);
	CU_ASSERT_EQUAL(ctl->info.zones[1].zone_ver, v);
	CU_ASSERT_EQUAL(ctl->info.patched_zones, 0);
	CU_ASSERT_EQUAL_FATAL(reload_to(conf_with(""), CTL_CERTS_KEEP), SANDNS_EOK);
	remove(npath);
}

/*
 * With certificates configured, zones not kept whose files are unchanged stay unread on a whole
 * reload (their edits as compiled): the policy asks what it read of them when they were read
 * (ctl_zone_info_t.pview). Decisions that weigh records of such a zone (an SRV target, a CNAME
 * into it) are those reading every zone gives; a name asked of it for the first time reads it; a
 * certificate that makes the policy edit it, or lift its edits, reads it and applies them.
 */
static void test_not_kept_policy(void)
{
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	const char *sans =
	    "DNS:mail.example.com,DNS:other.example.com,DNS:autodiscover.example.com";
	const char *net = "$TTL 300\n@ IN SOA ns1.example.net. host.example.net. %u 3600 900 "
			  "604800 300\n@ IN NS ns1.example.net.\nns1 IN A 192.0.2.53\n"
			  "autodiscover IN A 192.0.2.25\n_autodiscover._tcp IN SRV 0 0 443 %s\n";
	char line[2100], keep[2048], npath[600], opath[600], cpath[600], *was, *now;
	uint64_t v, v1, v2;
	unsigned long full;

	CU_ASSERT_PTR_NOT_NULL_FATAL(key);
	__atomic_store_n(&ctl->rl_stop, false, __ATOMIC_RELEASE);
	snprintf(npath, sizeof(npath), "%s/example.net.zone", dir);
	snprintf(opath, sizeof(opath), "%s/example.org.zone", dir);
	snprintf(cpath, sizeof(cpath), "%s/leaf.pem", dir);
	/* example.com: the zone beside the mail domains, its own autodiscover covered. */
	write_old(30, "mail IN A 192.0.2.25\nhost IN A 192.0.2.99\nother IN A 192.0.2.26\n"
		      "web IN A 192.0.2.27\nautodiscover IN A 192.0.2.25\nspare IN A 192.0.2.28\n");
	/* example.net: an SRV into example.com; example.org: a CNAME into it. */
	write_at(npath, 11, net, 50, "mail.example.com.");
	write_at(opath, 13,
		 "$TTL 300\n@ IN SOA ns1.example.org. host.example.org. 60 3600 900 604800 300\n"
		 "@ IN NS ns1.example.org.\nns1 IN A 192.0.2.54\n"
		 "autodiscover IN CNAME host.example.com.\n");
	CU_ASSERT_FATAL(tu_write_leaf(cpath, key, 1, sans));
	snprintf(keep, sizeof(keep), "zone example.net. %s\nzone example.org. %s\ncert %s\n", npath,
		 opath, cpath);
	snprintf(line, sizeof(line), "keep-zones no\n%s", keep);
	CU_ASSERT_EQUAL_FATAL(reload_to(conf_with(line), CTL_CERTS_ALL), SANDNS_EOK);
	CU_ASSERT_PTR_NULL(ctl->info.raw[0]);
	CU_ASSERT_STRING_EQUAL(ctl->info.zones[0].edits, "");
	CU_ASSERT_STRING_NOT_EQUAL(ctl->info.zones[1].edits, "");
	CU_ASSERT_STRING_NOT_EQUAL(ctl->info.zones[2].edits, "");
	CU_ASSERT_PTR_NOT_NULL(strstr(ctl->info.policy_key,
				      "autodiscover.example.net. 1 "
				      "suppress-existing-srv mail.example.com."));
	CU_ASSERT_PTR_NOT_NULL(strstr(ctl->info.policy_key, "autodiscover.example.org. 1 "
							    "synthesize-srv mail.example.com."));
	CU_ASSERT_EQUAL(answers("autodiscover.example.net.", LDNS_RR_TYPE_A), 0);
	CU_ASSERT_EQUAL(answers("_autodiscover._tcp.example.org.", LDNS_RR_TYPE_SRV), 1);
	CU_ASSERT_EQUAL(answers("autodiscover.example.com.", LDNS_RR_TYPE_A), 1);

	/* Nothing changed: every zone unread (those edited too), the snapshot patched. */
	v = ctl->info.zones[0].zone_ver;
	v1 = ctl->info.zones[1].zone_ver;
	v2 = ctl->info.zones[2].zone_ver;
	full = ctl->builds_full;
	was = policy_text();
	reload_line("reload");
	CU_ASSERT_TRUE(unread_at(0, v));
	CU_ASSERT_TRUE(unread_at(1, v1));
	CU_ASSERT_TRUE(unread_at(2, v2));
	CU_ASSERT_TRUE(ctl->info.patched);
	CU_ASSERT_EQUAL(ctl->builds_full, full);
	CU_ASSERT_EQUAL(ctl->info.zones[0].serial, 30);
	CU_ASSERT_EQUAL(ctl->info.zones[1].serial, 51);
	CU_ASSERT_EQUAL(ctl->info.zones[2].serial, 61);
	CU_ASSERT_EQUAL(answers("autodiscover.example.net.", LDNS_RR_TYPE_A), 0);
	CU_ASSERT_EQUAL(answers("_autodiscover._tcp.example.org.", LDNS_RR_TYPE_SRV), 1);
	now = policy_text();
	CU_ASSERT_STRING_EQUAL(now, was);
	free(now);
	/* The certificates read again (the same): the same. */
	CU_ASSERT_EQUAL_FATAL(reload_to(conf_with(line), CTL_CERTS_ALL), SANDNS_EOK);
	CU_ASSERT_TRUE(unread_at(0, v));
	CU_ASSERT_TRUE(unread_at(1, v1));
	CU_ASSERT_EQUAL(ctl->builds_full, full);
	/* Every zone read (kept): the very decisions, reasons and edits. */
	CU_ASSERT_EQUAL_FATAL(reload_to(conf_with(keep), CTL_CERTS_ALL), SANDNS_EOK);
	CU_ASSERT_PTR_NOT_NULL(ctl->info.raw[0]);
	now = policy_text();
	CU_ASSERT_STRING_EQUAL(now, was);
	free(now);
	free(was);

	/* example.net's SRV to another name of example.com, one no certificate covers: asked of
	 * it for the first time, so example.com is read; what a read of every zone decides. */
	CU_ASSERT_EQUAL_FATAL(reload_to(conf_with(line), CTL_CERTS_ALL), SANDNS_EOK);
	v = ctl->info.zones[0].zone_ver;
	reload_line("reload");
	CU_ASSERT_TRUE(unread_at(0, v));
	write_at(npath, 17, net, 52, "web.example.com.");
	reload_line("reload");
	CU_ASSERT_NOT_EQUAL(ctl->info.zones[0].zone_ver, v);
	CU_ASSERT_PTR_NOT_NULL(strstr(ctl->info.policy_key, "autodiscover.example.net. 1 "
							    "synthesize-srv mail.example.com."));
	was = policy_text();
	CU_ASSERT_PTR_NOT_NULL(strstr(was, "web.example.com.) not used: target not covered"));
	free(was);
	same_as_all_read(keep);
	CU_ASSERT_EQUAL_FATAL(reload_to(conf_with(line), CTL_CERTS_ALL), SANDNS_EOK);
	v = ctl->info.zones[0].zone_ver;
	reload_line("reload");
	CU_ASSERT_TRUE(unread_at(0, v));

	/* The certificate no longer covers autodiscover.example.com: the policy edits
	 * example.com, the edit applied (from the records kept at the edits' owners: its view
	 * holds what the policy asks, the zone not read), its serial raised; then it stays unread
	 * with its edits. */
	CU_ASSERT_FATAL(tu_write_leaf(cpath, key, 2, "DNS:mail.example.com,DNS:other.example.com"));
	CU_ASSERT_EQUAL_FATAL(reload_to(conf_with(line), CTL_CERTS_ALL), SANDNS_EOK);
	CU_ASSERT_EQUAL(ctl->info.zones[0].zone_ver, v);
	CU_ASSERT_EQUAL(ctl->info.patched_unread, 1);
	CU_ASSERT_STRING_NOT_EQUAL(ctl->info.zones[0].edits, "");
	CU_ASSERT_EQUAL(ctl->info.zones[0].serial, 31);
	CU_ASSERT_EQUAL(answers("autodiscover.example.com.", LDNS_RR_TYPE_A), 0);
	CU_ASSERT_EQUAL(answers("_autodiscover._tcp.example.com.", LDNS_RR_TYPE_SRV), 1);
	v = ctl->info.zones[0].zone_ver;
	full = ctl->builds_full;
	reload_line("reload");
	CU_ASSERT_TRUE(unread_at(0, v));
	CU_ASSERT_EQUAL(ctl->builds_full, full);
	CU_ASSERT_STRING_NOT_EQUAL(ctl->info.zones[0].edits, "");
	CU_ASSERT_EQUAL(ctl->info.zones[0].serial, 31);
	CU_ASSERT_EQUAL(answers("autodiscover.example.com.", LDNS_RR_TYPE_A), 0);
	/* Covered again: the edits lifted (patched from the records kept at their owners when
	 * it was read: not read again), the serial on; then unread again. */
	CU_ASSERT_FATAL(tu_write_leaf(cpath, key, 3, sans));
	CU_ASSERT_EQUAL_FATAL(reload_to(conf_with(line), CTL_CERTS_ALL), SANDNS_EOK);
	CU_ASSERT_EQUAL(ctl->info.zones[0].zone_ver, v);
	CU_ASSERT_EQUAL(ctl->info.patched_unread, 1);
	CU_ASSERT_STRING_EQUAL(ctl->info.zones[0].edits, "");
	CU_ASSERT_EQUAL(ctl->info.zones[0].serial, 32);
	CU_ASSERT_EQUAL(answers("autodiscover.example.com.", LDNS_RR_TYPE_A), 1);
	v = ctl->info.zones[0].zone_ver;
	reload_line("reload");
	CU_ASSERT_TRUE(unread_at(0, v));
	CU_ASSERT_EQUAL(ctl->info.zones[0].serial, 32);

	/* A certificate that also names a host example.com lacks, never asked of it: its view
	 * holds its names, the host is not among them, so it is not read; the decisions those of
	 * reading every zone. */
	CU_ASSERT_FATAL(tu_write_leaf(cpath, key, 4,
				      "DNS:mail.example.com,DNS:other.example.com,"
				      "DNS:autodiscover.example.com,DNS:absent.example.com"));
	CU_ASSERT_EQUAL_FATAL(reload_to(conf_with(line), CTL_CERTS_ALL), SANDNS_EOK);
	CU_ASSERT_TRUE(unread_at(0, v));
	CU_ASSERT_EQUAL(ctl->info.zones[0].serial, 32);
	same_as_all_read(keep);
	/* One that names a host it has, never asked of it: read. */
	CU_ASSERT_EQUAL_FATAL(reload_to(conf_with(line), CTL_CERTS_ALL), SANDNS_EOK);
	v = ctl->info.zones[0].zone_ver;
	CU_ASSERT_FATAL(tu_write_leaf(cpath, key, 5,
				      "DNS:mail.example.com,DNS:other.example.com,"
				      "DNS:autodiscover.example.com,DNS:spare.example.com"));
	CU_ASSERT_EQUAL_FATAL(reload_to(conf_with(line), CTL_CERTS_ALL), SANDNS_EOK);
	CU_ASSERT_NOT_EQUAL(ctl->info.zones[0].zone_ver, v);
	CU_ASSERT_FATAL(tu_write_leaf(cpath, key, 6, sans));
	CU_ASSERT_EQUAL_FATAL(reload_to(conf_with(line), CTL_CERTS_ALL), SANDNS_EOK);
	v = ctl->info.zones[0].zone_ver;
	/* keep-zones auto above its bound: the same. */
	ctl_keep_auto_records = 3;
	CU_ASSERT_EQUAL_FATAL(reload_to(conf_with(keep), CTL_CERTS_ALL), SANDNS_EOK);
	CU_ASSERT_PTR_NULL(ctl->info.raw[0]);
	v = ctl->info.zones[0].zone_ver;
	v1 = ctl->info.zones[1].zone_ver;
	full = ctl->builds_full;
	reload_line("reload");
	CU_ASSERT_TRUE(unread_at(0, v));
	CU_ASSERT_TRUE(unread_at(1, v1));
	CU_ASSERT_TRUE(ctl->info.patched);
	CU_ASSERT_EQUAL(ctl->builds_full, full);
	CU_ASSERT_EQUAL(answers("autodiscover.example.net.", LDNS_RR_TYPE_A), 0);
	ctl_keep_auto_records = CFG_KEEP_AUTO_RECORDS;
	CU_ASSERT_EQUAL_FATAL(reload_to(conf_with(""), CTL_CERTS_KEEP), SANDNS_EOK);
	EVP_PKEY_free(key);
	remove(npath);
	remove(opath);
	remove(cpath);
}

/*
 * A zone not kept, served with the policy's edits and left unread, when the certificates go
 * (no policy at all): served as written again, its serial on, not the edits compiled before
 * shared by the patch; patched from the records kept at the edits' owners, not read.
 */
static void test_not_kept_policy_off(void)
{
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	char line[2048], npath[600], cpath[600], bare[700];
	uint64_t v;

	CU_ASSERT_PTR_NOT_NULL_FATAL(key);
	__atomic_store_n(&ctl->rl_stop, false, __ATOMIC_RELEASE);
	snprintf(npath, sizeof(npath), "%s/example.net.zone", dir);
	snprintf(cpath, sizeof(cpath), "%s/leaf.pem", dir);
	write_at(npath, 19,
		 "$TTL 300\n@ IN SOA ns1.example.net. host.example.net. 70 3600 900 604800 300\n"
		 "@ IN NS ns1.example.net.\nns1 IN A 192.0.2.53\nmail IN A 192.0.2.25\n"
		 "autodiscover IN A 192.0.2.25\n");
	CU_ASSERT_FATAL(tu_write_leaf(cpath, key, 1, "DNS:mail.example.net"));
	snprintf(bare, sizeof(bare), "keep-zones no\nzone example.net. %s\n", npath);
	snprintf(line, sizeof(line), "%scert %s\n", bare, cpath);
	CU_ASSERT_EQUAL_FATAL(reload_to(conf_with(line), CTL_CERTS_ALL), SANDNS_EOK);
	CU_ASSERT_STRING_NOT_EQUAL(ctl->info.zones[1].edits, "");
	CU_ASSERT_EQUAL(ctl->info.zones[1].serial, 71);
	CU_ASSERT_EQUAL(answers("autodiscover.example.net.", LDNS_RR_TYPE_A), 0);
	v = ctl->info.zones[1].zone_ver;
	reload_line("reload");
	CU_ASSERT_TRUE(unread_at(1, v));
	CU_ASSERT_EQUAL(answers("autodiscover.example.net.", LDNS_RR_TYPE_A), 0);
	/* The cert line taken out: no policy, the zone as written. */
	CU_ASSERT_EQUAL_FATAL(reload_to(conf_with(bare), CTL_CERTS_ALL), SANDNS_EOK);
	CU_ASSERT_PTR_NULL(ctl->info.policy);
	CU_ASSERT_EQUAL(ctl->info.zones[1].zone_ver, v);
	CU_ASSERT(ctl->info.patched_unread >= 1);
	CU_ASSERT_STRING_EQUAL(ctl->info.zones[1].edits, "");
	CU_ASSERT_EQUAL(ctl->info.zones[1].serial, 72);
	CU_ASSERT_EQUAL(answers("autodiscover.example.net.", LDNS_RR_TYPE_A), 1);
	/* The SRV made by the policy gone: the name is not in the file (NXDOMAIN). */
	CU_ASSERT_EQUAL(answers("_autodiscover._tcp.example.net.", LDNS_RR_TYPE_SRV), -1);
	/* Then unread again, as written. */
	v = ctl->info.zones[1].zone_ver;
	reload_line("reload");
	CU_ASSERT_TRUE(unread_at(1, v));
	CU_ASSERT_EQUAL(answers("autodiscover.example.net.", LDNS_RR_TYPE_A), 1);
	CU_ASSERT_EQUAL_FATAL(reload_to(conf_with(""), CTL_CERTS_KEEP), SANDNS_EOK);
	EVP_PKEY_free(key);
	remove(npath);
	remove(cpath);
}

/* Whether the snapshot served answers NAMES as a whole compile on the build served does (the
 * same serials: ctl_build() without a snapshot to patch). */
static bool as_whole(const char *const *names, size_t n)
{
	char err[512];
	ctl_build_t ref;
	bool same;

	CU_ASSERT_EQUAL_FATAL(ctl_build(ctl->cfg, &ctl->info, NULL, &ref, err, sizeof(err)),
			      SANDNS_EOK);
	CU_ASSERT_FALSE(ref.patched);
	same = tu_same_answers(ctl->current, ref.zt, names, n);
	ctl_build_clear(&ref);
	return same;
}

/*
 * A certificate change that makes the autodiscover policy edit a zone, or lift its edits, its
 * file unchanged: the snapshot patched (that zone's edited names and its apex compiled again,
 * the other zone untouched, none replaced), the serial on as before, every answer those of a
 * whole compile; kept in memory (keep-zones yes) and not (read for the policy, then patched:
 * its files unchanged since the version served); and the cert line taken out (no policy).
 */
static void test_edits_patched(void)
{
	static const char *const names[] = {"example.net.",
					    "autodiscover.example.net.",
					    "_autodiscover._tcp.example.net.",
					    "_tcp.example.net.",
					    "_sandns.autodiscover.example.net.",
					    "x.autodiscover.example.net.",
					    "mail.example.net.",
					    "ns1.example.net.",
					    "nx.example.net.",
					    "example.com.",
					    "ns1.example.com."};
	const size_t nn = sizeof(names) / sizeof(names[0]);
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	const char *both = "DNS:mail.example.net,DNS:autodiscover.example.net";
	char line[2048], bare[1024], npath[600], cpath[600];
	unsigned long full, patched, serial = 80;
	uint64_t ver;
	int serial_k = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(key);
	__atomic_store_n(&ctl->rl_stop, false, __ATOMIC_RELEASE);
	snprintf(npath, sizeof(npath), "%s/example.net.zone", dir);
	snprintf(cpath, sizeof(cpath), "%s/leaf.pem", dir);
	write_at(npath, 23,
		 "$TTL 300\n@ IN SOA ns1.example.net. host.example.net. 80 3600 900 604800 300\n"
		 "@ IN NS ns1.example.net.\nns1 IN A 192.0.2.53\nmail IN A 192.0.2.25\n"
		 "autodiscover IN A 192.0.2.25\n");
	for (int kept = 1; kept >= 0; kept--) {
		snprintf(bare, sizeof(bare), "keep-zones %s\nzone example.net. %s\n",
			 kept ? "yes" : "no", npath);
		snprintf(line, sizeof(line), "%scert %s\n", bare, cpath);
		CU_ASSERT_FATAL(tu_write_leaf(cpath, key, ++serial_k, both));
		CU_ASSERT_EQUAL_FATAL(reload_to(conf_with(line), CTL_CERTS_ALL), SANDNS_EOK);
		CU_ASSERT_STRING_EQUAL(ctl->info.zones[1].edits, "");
		/* Records kept at the edits' owners for a zone read only when not kept: a build
		 * that keeps its zones never leaves one unread. */
		CU_ASSERT_EQUAL(ctl->info.part_records == 0, kept);
		serial = ctl->info.zones[1].serial;
		ver = ctl->info.zones[1].zone_ver;
		CU_ASSERT_EQUAL(answers("autodiscover.example.net.", LDNS_RR_TYPE_A), 1);
		for (int lift = 0; lift < 2; lift++) {
			full = ctl->builds_full;
			patched = ctl->builds_patched;
			/* Withheld (the SRV made), then lifted again. */
			CU_ASSERT_FATAL(tu_write_leaf(cpath, key, ++serial_k,
						      lift ? both : "DNS:mail.example.net"));
			CU_ASSERT_EQUAL_FATAL(reload_to(conf_with(line), CTL_CERTS_ALL),
					      SANDNS_EOK);
			CU_ASSERT_EQUAL(ctl->builds_full, full);
			CU_ASSERT_EQUAL(ctl->builds_patched, patched + 1);
			CU_ASSERT_TRUE(ctl->info.patched);
			CU_ASSERT_EQUAL(ctl->info.patched_zones, 0);
			CU_ASSERT(ctl->info.patched_names >= 2);
			/* Not kept: patched from the records kept at the edits' owners, the
			 * file not read (its version number that of the first read). */
			CU_ASSERT_EQUAL(ctl->info.patched_unread, !kept);
			CU_ASSERT_EQUAL(ctl->info.zones[1].zone_ver, ver);
			CU_ASSERT_EQUAL(strcmp(ctl->info.zones[1].edits, "") == 0, lift);
			CU_ASSERT_EQUAL(ctl->info.zones[1].serial, serial + 1);
			serial = ctl->info.zones[1].serial;
			CU_ASSERT_EQUAL(answers("autodiscover.example.net.", LDNS_RR_TYPE_A), lift);
			CU_ASSERT_EQUAL(
			    answers("_autodiscover._tcp.example.net.", LDNS_RR_TYPE_SRV),
			    lift ? -1 : 1);
			CU_ASSERT_TRUE(as_whole(names, nn));
		}
		/* Withheld again, then the cert line taken out: no policy, the zone as written. */
		CU_ASSERT_FATAL(tu_write_leaf(cpath, key, ++serial_k, "DNS:mail.example.net"));
		CU_ASSERT_EQUAL_FATAL(reload_to(conf_with(line), CTL_CERTS_ALL), SANDNS_EOK);
		CU_ASSERT_TRUE(ctl->info.patched);
		serial = ctl->info.zones[1].serial;
		ver = ctl->info.zones[1].zone_ver;
		full = ctl->builds_full;
		CU_ASSERT_EQUAL_FATAL(reload_to(conf_with(bare), CTL_CERTS_ALL), SANDNS_EOK);
		CU_ASSERT_PTR_NULL(ctl->info.policy);
		CU_ASSERT_EQUAL(ctl->builds_full, full);
		CU_ASSERT_TRUE(ctl->info.patched);
		CU_ASSERT_EQUAL(ctl->info.patched_unread > 0, !kept);
		CU_ASSERT_EQUAL(ctl->info.zones[1].zone_ver, ver);
		CU_ASSERT_EQUAL(ctl->info.patched_zones, 0);
		CU_ASSERT_STRING_EQUAL(ctl->info.zones[1].edits, "");
		CU_ASSERT_EQUAL(ctl->info.zones[1].serial, serial + 1);
		CU_ASSERT_EQUAL(answers("autodiscover.example.net.", LDNS_RR_TYPE_A), 1);
		CU_ASSERT_EQUAL(answers("_autodiscover._tcp.example.net.", LDNS_RR_TYPE_SRV), -1);
		CU_ASSERT_TRUE(as_whole(names, nn));
	}
	CU_ASSERT_EQUAL_FATAL(reload_to(conf_with(""), CTL_CERTS_KEEP), SANDNS_EOK);
	EVP_PKEY_free(key);
	remove(npath);
	remove(cpath);
}

/* example.net (serial SERIAL, EXTRA lines after its records) written to PATH, its time a minute
 * ago (NSEC nanoseconds). */

static void write_net(const char *path, long nsec, unsigned serial, const char *extra)
{
	write_at(path, nsec,
		 "$TTL 300\n@ IN SOA ns1.example.net. host.example.net. %u 3600 900 604800 300\n"
		 "@ IN NS ns1.example.net.\nns1 IN A 192.0.2.53\nmail IN A 192.0.2.25\n"
		 "autodiscover IN A 192.0.2.25\n%s",
		 serial, extra);
}

/*
 * A zone not kept in memory whose edits certificates change, its file unchanged: patched from the
 * records kept at the edits' owners when it was read, the file not read (its version number
 * stays), every answer and its transfer those of a whole compile; with an autodiscover CNAME, an
 * SRV of the file's where the policy makes one, a wildcard at the apex (the closest encloser of
 * autodiscover.D), names below autodiscover.D (no marker), and the certificates gone. An apex
 * with more records than the bound keeps none: read for its edits, as before.
 */
static void test_edits_unread_part(void)
{
	static const char *const names[] = {"example.net.",
					    "autodiscover.example.net.",
					    "_autodiscover._tcp.example.net.",
					    "_tcp.example.net.",
					    "_sandns.autodiscover.example.net.",
					    "x.autodiscover.example.net.",
					    "y.x.autodiscover.example.net.",
					    "www.example.net.",
					    "mail.example.net.",
					    "nx.example.net.",
					    "example.com."};
	static const char *const extra[] = {
	    "autodiscover IN CNAME mail.example.net.\n",
	    "autodiscover IN A 192.0.2.25\n_autodiscover._tcp IN SRV 0 0 443 mail.example.net.\n"
	    "* IN TXT \"any\"\n* IN A 192.0.2.77\n",
	    "autodiscover IN A 192.0.2.25\nautodiscover IN AAAA 2001:db8::25\n"
	    "x.autodiscover IN A 192.0.2.26\n",
	    NULL, /* the apex past the bound */
	};
	const size_t nn = sizeof(names) / sizeof(names[0]);
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	const char *both = "DNS:mail.example.net,DNS:autodiscover.example.net";
	char line[2048], bare[1024], npath[600], cpath[600], *text;
	int serial_k = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(key);
	__atomic_store_n(&ctl->rl_stop, false, __ATOMIC_RELEASE);
	snprintf(npath, sizeof(npath), "%s/example.net.zone", dir);
	snprintf(cpath, sizeof(cpath), "%s/leaf.pem", dir);
	snprintf(bare, sizeof(bare), "keep-zones no\nzone example.net. %s\n", npath);
	snprintf(line, sizeof(line), "%scert %s\n", bare, cpath);
	for (size_t v = 0; v < sizeof(extra) / sizeof(extra[0]); v++) {
		bool big = extra[v] == NULL;
		size_t unread = 0;
		uint64_t ver;

		if (big) {
			size_t len = 0, cap = 40 * (CTL_PART_RECS_MAX + 8);

			text = calloc(1, cap);
			CU_ASSERT_PTR_NOT_NULL_FATAL(text);
			len += (size_t)snprintf(text, cap, "autodiscover IN A 192.0.2.25\n");
			for (int k = 0; k < CTL_PART_RECS_MAX; k++)
				len += (size_t)snprintf(text + len, cap - len, "@ IN TXT \"t%d\"\n",
							k);
		} else {
			text = strdup(extra[v]);
			CU_ASSERT_PTR_NOT_NULL_FATAL(text);
		}
		write_at(
		    npath, 51 + (long)v,
		    "$TTL 300\n@ IN SOA ns1.example.net. host.example.net. %u 3600 900 604800 "
		    "300\n@ IN NS ns1.example.net.\nns1 IN A 192.0.2.53\nmail IN A 192.0.2.25\n%s",
		    200 + (unsigned)v, text);
		free(text);
		CU_ASSERT_FATAL(tu_write_leaf(cpath, key, ++serial_k, both));
		CU_ASSERT_EQUAL_FATAL(reload_to(conf_with(line), CTL_CERTS_ALL), SANDNS_EOK);
		CU_ASSERT_TRUE(as_whole(names, nn));
		/* Withheld, lifted, withheld: each from the records kept (past the bound: read). */
		for (int step = 0; step < 3; step++) {
			ver = ctl->info.zones[1].zone_ver;
			CU_ASSERT_FATAL(tu_write_leaf(cpath, key, ++serial_k,
						      step % 2 ? both : "DNS:mail.example.net"));
			CU_ASSERT_EQUAL_FATAL(reload_to(conf_with(line), CTL_CERTS_ALL),
					      SANDNS_EOK);
			CU_ASSERT_TRUE(ctl->info.patched);
			CU_ASSERT_EQUAL(strcmp(ctl->info.zones[1].edits, "") == 0, step % 2);
			CU_ASSERT_EQUAL(ctl->info.patched_unread > 0,
					ctl->info.zones[1].zone_ver == ver);
			if (big)
				CU_ASSERT_EQUAL(ctl->info.patched_unread, 0);
			unread += ctl->info.patched_unread;
			CU_ASSERT_TRUE(as_whole(names, nn));
		}
		CU_ASSERT_EQUAL(unread, big ? 0 : 3);
		/* The certificates gone: as written again, not read but past the bound. */
		ver = ctl->info.zones[1].zone_ver;
		CU_ASSERT_EQUAL_FATAL(reload_to(conf_with(bare), CTL_CERTS_ALL), SANDNS_EOK);
		CU_ASSERT_PTR_NULL(ctl->info.policy);
		CU_ASSERT_TRUE(ctl->info.patched);
		CU_ASSERT_STRING_EQUAL(ctl->info.zones[1].edits, "");
		CU_ASSERT_EQUAL(ctl->info.zones[1].zone_ver == ver, !big);
		CU_ASSERT_TRUE(as_whole(names, nn));
	}
	CU_ASSERT_EQUAL_FATAL(reload_to(conf_with(""), CTL_CERTS_KEEP), SANDNS_EOK);
	EVP_PKEY_free(key);
	remove(npath);
	remove(cpath);
}

/*
 * A zone not kept in memory (keep-zones no) whose file AND the autodiscover policy's edits (a
 * certificate read again) change in the same reload: the new records served with the new edits
 * (withheld, then lifted, then withheld with the file rewritten as it was but a new time; a CNAME
 * where the SRV goes; the address taken out of the file, then back), the serial on, every answer
 * those of a whole compile, the snapshot patched or compiled whole; the same kept in memory.
 */
static void test_edits_and_data_not_kept(void)
{
	static const char *const names[] = {"example.net.",
					    "autodiscover.example.net.",
					    "_autodiscover._tcp.example.net.",
					    "_tcp.example.net.",
					    "_sandns.autodiscover.example.net.",
					    "mail.example.net.",
					    "new.example.net.",
					    "new2.example.net.",
					    "ns1.example.net.",
					    "nx.example.net.",
					    "example.com.",
					    "ns1.example.com."};
	const size_t nn = sizeof(names) / sizeof(names[0]);
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	const char *both = "DNS:mail.example.net,DNS:autodiscover.example.net";
	char line[2048], npath[600], cpath[600];
	int serial_k = 0;
	uint32_t serial;

	CU_ASSERT_PTR_NOT_NULL_FATAL(key);
	__atomic_store_n(&ctl->rl_stop, false, __ATOMIC_RELEASE);
	snprintf(npath, sizeof(npath), "%s/example.net.zone", dir);
	snprintf(cpath, sizeof(cpath), "%s/leaf.pem", dir);
	for (int kept = 0; kept < 2; kept++) {
		unsigned fs = 90 + 20 * (unsigned)kept;

		write_net(npath, 31, fs, "");
		snprintf(line, sizeof(line), "keep-zones %s\nzone example.net. %s\ncert %s\n",
			 kept ? "yes" : "no", npath, cpath);
		CU_ASSERT_FATAL(tu_write_leaf(cpath, key, ++serial_k, both));
		CU_ASSERT_EQUAL_FATAL(reload_to(conf_with(line), CTL_CERTS_ALL), SANDNS_EOK);
		CU_ASSERT_STRING_EQUAL(ctl->info.zones[1].edits, "");
		CU_ASSERT_EQUAL(ctl->info.zones[1].serial, fs);
		CU_ASSERT_TRUE(as_whole(names, nn));
		serial = ctl->info.zones[1].serial;
		/* A record added (the file's serial on) and the address withheld at once. */
		write_net(npath, 33, fs + 1, "new IN A 192.0.2.80\n");
		CU_ASSERT_FATAL(tu_write_leaf(cpath, key, ++serial_k, "DNS:mail.example.net"));
		CU_ASSERT_EQUAL_FATAL(reload_to(conf_with(line), CTL_CERTS_ALL), SANDNS_EOK);
		CU_ASSERT_EQUAL(kept, ctl->info.raw[1] != NULL);
		CU_ASSERT_STRING_NOT_EQUAL(ctl->info.zones[1].edits, "");
		CU_ASSERT(ctl->info.zones[1].serial > serial);
		serial = ctl->info.zones[1].serial;
		CU_ASSERT_EQUAL(answers("new.example.net.", LDNS_RR_TYPE_A), 1);
		CU_ASSERT_EQUAL(answers("autodiscover.example.net.", LDNS_RR_TYPE_A), 0);
		CU_ASSERT_EQUAL(answers("_autodiscover._tcp.example.net.", LDNS_RR_TYPE_SRV), 1);
		CU_ASSERT_TRUE(as_whole(names, nn));
		/* That record taken out, another added, and the address lifted at once. */
		write_net(npath, 35, fs + 2, "new2 IN A 192.0.2.81\n");
		CU_ASSERT_FATAL(tu_write_leaf(cpath, key, ++serial_k, both));
		CU_ASSERT_EQUAL_FATAL(reload_to(conf_with(line), CTL_CERTS_ALL), SANDNS_EOK);
		CU_ASSERT_STRING_EQUAL(ctl->info.zones[1].edits, "");
		CU_ASSERT(ctl->info.zones[1].serial > serial);
		serial = ctl->info.zones[1].serial;
		CU_ASSERT_EQUAL(answers("new.example.net.", LDNS_RR_TYPE_A), -1);
		CU_ASSERT_EQUAL(answers("new2.example.net.", LDNS_RR_TYPE_A), 1);
		CU_ASSERT_EQUAL(answers("autodiscover.example.net.", LDNS_RR_TYPE_A), 1);
		CU_ASSERT_EQUAL(answers("_autodiscover._tcp.example.net.", LDNS_RR_TYPE_SRV), -1);
		CU_ASSERT_TRUE(as_whole(names, nn));
		/* The same text written again (a new time: read), the address withheld. */
		write_net(npath, 37, fs + 2, "new2 IN A 192.0.2.81\n");
		CU_ASSERT_FATAL(tu_write_leaf(cpath, key, ++serial_k, "DNS:mail.example.net"));
		CU_ASSERT_EQUAL_FATAL(reload_to(conf_with(line), CTL_CERTS_ALL), SANDNS_EOK);
		CU_ASSERT_STRING_NOT_EQUAL(ctl->info.zones[1].edits, "");
		CU_ASSERT_EQUAL(ctl->info.zones[1].serial, serial + 1);
		serial = ctl->info.zones[1].serial;
		CU_ASSERT_EQUAL(answers("autodiscover.example.net.", LDNS_RR_TYPE_A), 0);
		CU_ASSERT_TRUE(as_whole(names, nn));
		/* A CNAME where the policy puts its SRV, still withheld: the edits refused. */
		write_net(npath, 45, fs + 3, "_autodiscover._tcp IN CNAME elsewhere.example.\n");
		CU_ASSERT_EQUAL_FATAL(reload_to(conf_with(line), CTL_CERTS_ALL), SANDNS_EOK);
		CU_ASSERT(ctl->info.zones[1].serial > serial);
		serial = ctl->info.zones[1].serial;
		CU_ASSERT_TRUE(as_whole(names, nn));
		/* The address gone from the file: nothing to withhold. */
		write_at(
		    npath, 47,
		    "$TTL 300\n@ IN SOA ns1.example.net. host.example.net. %u 3600 900 604800 "
		    "300\n@ IN NS ns1.example.net.\nns1 IN A 192.0.2.53\nmail IN A 192.0.2.25\n",
		    fs + 4);
		CU_ASSERT_EQUAL_FATAL(reload_to(conf_with(line), CTL_CERTS_ALL), SANDNS_EOK);
		CU_ASSERT(ctl->info.zones[1].serial > serial);
		serial = ctl->info.zones[1].serial;
		CU_ASSERT_EQUAL(answers("autodiscover.example.net.", LDNS_RR_TYPE_A), -1);
		CU_ASSERT_TRUE(as_whole(names, nn));
		/* The address back and withheld again. */
		write_net(npath, 49, fs + 5, "");
		CU_ASSERT_EQUAL_FATAL(reload_to(conf_with(line), CTL_CERTS_ALL), SANDNS_EOK);
		CU_ASSERT_STRING_NOT_EQUAL(ctl->info.zones[1].edits, "");
		CU_ASSERT(ctl->info.zones[1].serial > serial);
		serial = ctl->info.zones[1].serial;
		CU_ASSERT_EQUAL(answers("autodiscover.example.net.", LDNS_RR_TYPE_A), 0);
		CU_ASSERT_TRUE(as_whole(names, nn));
		/* The file changed and the cert line taken out at once: as written. */
		write_net(npath, 39, fs + 6, "");
		snprintf(line, sizeof(line), "keep-zones %s\nzone example.net. %s\n",
			 kept ? "yes" : "no", npath);
		CU_ASSERT_EQUAL_FATAL(reload_to(conf_with(line), CTL_CERTS_ALL), SANDNS_EOK);
		CU_ASSERT_PTR_NULL(ctl->info.policy);
		CU_ASSERT_STRING_EQUAL(ctl->info.zones[1].edits, "");
		CU_ASSERT(ctl->info.zones[1].serial > serial);
		CU_ASSERT_EQUAL(answers("new2.example.net.", LDNS_RR_TYPE_A), -1);
		CU_ASSERT_EQUAL(answers("autodiscover.example.net.", LDNS_RR_TYPE_A), 1);
		CU_ASSERT_EQUAL(answers("_autodiscover._tcp.example.net.", LDNS_RR_TYPE_SRV), -1);
		CU_ASSERT_TRUE(as_whole(names, nn));
		CU_ASSERT_EQUAL_FATAL(reload_to(conf_with(""), CTL_CERTS_KEEP), SANDNS_EOK);
	}
	EVP_PKEY_free(key);
	remove(npath);
	remove(cpath);
}

/*
 * In the same reload, a certificate changes the policy's edits of one zone and the file of
 * another changes (kept in memory, then not): the snapshot patched, both zones' answers those of
 * a whole compile, each serial on.
 */
static void test_edits_one_data_other(void)
{
	static const char *const names[] = {
	    "example.net.",	 "autodiscover.example.net.", "_autodiscover._tcp.example.net.",
	    "_tcp.example.net.", "mail.example.net.",	      "nx.example.net.",
	    "example.com.",	 "ns1.example.com.",	      "www.example.com.",
	    "nx.example.com."};
	const size_t nn = sizeof(names) / sizeof(names[0]);
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	const char *both = "DNS:mail.example.net,DNS:autodiscover.example.net";
	char line[2048], npath[600], cpath[600];
	unsigned com = 300;
	int serial_k = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(key);
	__atomic_store_n(&ctl->rl_stop, false, __ATOMIC_RELEASE);
	snprintf(npath, sizeof(npath), "%s/example.net.zone", dir);
	snprintf(cpath, sizeof(cpath), "%s/leaf.pem", dir);
	write_net(npath, 41, 120, "");
	for (int kept = 1; kept >= 0; kept--) {
		write_old(com, "");
		snprintf(line, sizeof(line), "keep-zones %s\nzone example.net. %s\ncert %s\n",
			 kept ? "yes" : "no", npath, cpath);
		CU_ASSERT_FATAL(tu_write_leaf(cpath, key, ++serial_k, both));
		CU_ASSERT_EQUAL_FATAL(reload_to(conf_with(line), CTL_CERTS_ALL), SANDNS_EOK);
		CU_ASSERT_TRUE(as_whole(names, nn));
		for (int lift = 0; lift < 2; lift++) {
			uint32_t snet = ctl->info.zones[1].serial;
			unsigned long full = ctl->builds_full, patched = ctl->builds_patched;

			write_old(++com, lift ? "" : "www IN A 192.0.2.80\n");
			CU_ASSERT_FATAL(tu_write_leaf(cpath, key, ++serial_k,
						      lift ? both : "DNS:mail.example.net"));
			CU_ASSERT_EQUAL_FATAL(reload_to(conf_with(line), CTL_CERTS_ALL),
					      SANDNS_EOK);
			CU_ASSERT_EQUAL(ctl->builds_full, full);
			CU_ASSERT_EQUAL(ctl->builds_patched, patched + 1);
			CU_ASSERT_TRUE(ctl->info.patched);
			CU_ASSERT_EQUAL(ctl->info.zones[0].serial, com);
			CU_ASSERT_EQUAL(ctl->info.zones[1].serial, snet + 1);
			CU_ASSERT_EQUAL(strcmp(ctl->info.zones[1].edits, "") == 0, lift);
			CU_ASSERT_EQUAL(answers("www.example.com.", LDNS_RR_TYPE_A), lift ? -1 : 1);
			CU_ASSERT_EQUAL(answers("autodiscover.example.net.", LDNS_RR_TYPE_A), lift);
			CU_ASSERT_TRUE(as_whole(names, nn));
		}
	}
	CU_ASSERT_EQUAL_FATAL(reload_to(conf_with(""), CTL_CERTS_KEEP), SANDNS_EOK);
	EVP_PKEY_free(key);
	remove(npath);
	remove(cpath);
}

/*
 * A zone with a wildcard at its apex whose edits a certificate changes (kept in memory and not):
 * the SRV the policy makes puts an empty non-terminal (_tcp) where the wildcard answered, and
 * lifting it gives the wildcard back; names at and below the edited ones and beside them
 * answered as a whole compile does.
 */
static void test_edits_apex_wildcard(void)
{
	static const char *const names[] = {"example.net.",
					    "autodiscover.example.net.",
					    "_autodiscover._tcp.example.net.",
					    "x._autodiscover._tcp.example.net.",
					    "_tcp.example.net.",
					    "x._tcp.example.net.",
					    "_sandns.autodiscover.example.net.",
					    "x.autodiscover.example.net.",
					    "x._sandns.autodiscover.example.net.",
					    "zz.example.net.",
					    "x.zz.example.net.",
					    "mail.example.net.",
					    "example.com."};
	const size_t nn = sizeof(names) / sizeof(names[0]);
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	const char *both = "DNS:mail.example.net,DNS:autodiscover.example.net";
	char line[2048], npath[600], cpath[600];
	int serial_k = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(key);
	__atomic_store_n(&ctl->rl_stop, false, __ATOMIC_RELEASE);
	snprintf(npath, sizeof(npath), "%s/example.net.zone", dir);
	snprintf(cpath, sizeof(cpath), "%s/leaf.pem", dir);
	write_net(npath, 43, 140, "* IN TXT \"any\"\n* IN A 192.0.2.77\n");
	for (int kept = 1; kept >= 0; kept--) {
		snprintf(line, sizeof(line), "keep-zones %s\nzone example.net. %s\ncert %s\n",
			 kept ? "yes" : "no", npath, cpath);
		CU_ASSERT_FATAL(tu_write_leaf(cpath, key, ++serial_k, both));
		CU_ASSERT_EQUAL_FATAL(reload_to(conf_with(line), CTL_CERTS_ALL), SANDNS_EOK);
		CU_ASSERT_EQUAL(answers("x._tcp.example.net.", LDNS_RR_TYPE_TXT), 1);
		CU_ASSERT_TRUE(as_whole(names, nn));
		for (int lift = 0; lift < 2; lift++) {
			unsigned long full = ctl->builds_full;

			CU_ASSERT_FATAL(tu_write_leaf(cpath, key, ++serial_k,
						      lift ? both : "DNS:mail.example.net"));
			CU_ASSERT_EQUAL_FATAL(reload_to(conf_with(line), CTL_CERTS_ALL),
					      SANDNS_EOK);
			CU_ASSERT_EQUAL(ctl->builds_full, full);
			CU_ASSERT_TRUE(ctl->info.patched);
			/* Not kept: patched from the records kept at the edits' owners. */
			CU_ASSERT_EQUAL(ctl->info.patched_unread, !kept);
			CU_ASSERT_EQUAL(strcmp(ctl->info.zones[1].edits, "") == 0, lift);
			/* _tcp: the wildcard's, else an empty non-terminal (NODATA). */
			CU_ASSERT_EQUAL(answers("_tcp.example.net.", LDNS_RR_TYPE_TXT), lift);
			CU_ASSERT_EQUAL(answers("x._tcp.example.net.", LDNS_RR_TYPE_TXT),
					lift ? 1 : -1);
			CU_ASSERT_TRUE(as_whole(names, nn));
		}
	}
	CU_ASSERT_EQUAL_FATAL(reload_to(conf_with(""), CTL_CERTS_KEEP), SANDNS_EOK);
	EVP_PKEY_free(key);
	remove(npath);
	remove(cpath);
}

/*
 * Two zones not kept in memory whose edits one certificate changes at once (their files
 * unchanged), then lifted in the reload that takes one of the zones out of the configuration,
 * then withheld in the reload that adds it back: each build patched, its answers those of a whole
 * compile.
 */
static void test_edits_two_zones_and_removal(void)
{
	static const char *const names[] = {"example.net.",
					    "autodiscover.example.net.",
					    "_autodiscover._tcp.example.net.",
					    "_tcp.example.net.",
					    "mail.example.net.",
					    "example.org.",
					    "autodiscover.example.org.",
					    "_autodiscover._tcp.example.org.",
					    "_tcp.example.org.",
					    "mail.example.org.",
					    "example.com.",
					    "ns1.example.com."};
	const size_t nn = sizeof(names) / sizeof(names[0]);
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	const char *all = "DNS:mail.example.net,DNS:autodiscover.example.net,"
			  "DNS:mail.example.org,DNS:autodiscover.example.org";
	const char *mail = "DNS:mail.example.net,DNS:mail.example.org";
	char one[2048], two[2048], npath[600], opath[600], cpath[600];
	unsigned long full;
	int serial_k = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(key);
	__atomic_store_n(&ctl->rl_stop, false, __ATOMIC_RELEASE);
	snprintf(npath, sizeof(npath), "%s/example.net.zone", dir);
	snprintf(opath, sizeof(opath), "%s/example.org.zone", dir);
	snprintf(cpath, sizeof(cpath), "%s/leaf.pem", dir);
	write_net(npath, 51, 160, "");
	write_at(opath, 53,
		 "$TTL 300\n@ IN SOA ns1.example.org. host.example.org. 170 3600 900 604800 300\n"
		 "@ IN NS ns1.example.org.\nns1 IN A 192.0.2.53\nmail IN A 192.0.2.26\n"
		 "autodiscover IN A 192.0.2.26\n");
	snprintf(one, sizeof(one), "keep-zones no\nzone example.net. %s\ncert %s\n", npath, cpath);
	snprintf(two, sizeof(two),
		 "keep-zones no\nzone example.net. %s\nzone example.org. %s\ncert %s\n", npath,
		 opath, cpath);
	CU_ASSERT_FATAL(tu_write_leaf(cpath, key, ++serial_k, all));
	CU_ASSERT_EQUAL_FATAL(reload_to(conf_with(two), CTL_CERTS_ALL), SANDNS_EOK);
	CU_ASSERT_TRUE(as_whole(names, nn));
	/* Both withheld at once. */
	full = ctl->builds_full;
	CU_ASSERT_FATAL(tu_write_leaf(cpath, key, ++serial_k, mail));
	CU_ASSERT_EQUAL_FATAL(reload_to(conf_with(two), CTL_CERTS_ALL), SANDNS_EOK);
	CU_ASSERT_EQUAL(ctl->builds_full, full);
	CU_ASSERT_TRUE(ctl->info.patched);
	CU_ASSERT_STRING_NOT_EQUAL(ctl->info.zones[1].edits, "");
	CU_ASSERT_STRING_NOT_EQUAL(ctl->info.zones[2].edits, "");
	CU_ASSERT_EQUAL(answers("autodiscover.example.net.", LDNS_RR_TYPE_A), 0);
	CU_ASSERT_EQUAL(answers("autodiscover.example.org.", LDNS_RR_TYPE_A), 0);
	CU_ASSERT_TRUE(as_whole(names, nn));
	/* Lifted, example.org taken out in the same reload. */
	CU_ASSERT_FATAL(tu_write_leaf(cpath, key, ++serial_k, all));
	CU_ASSERT_EQUAL_FATAL(reload_to(conf_with(one), CTL_CERTS_ALL), SANDNS_EOK);
	CU_ASSERT_EQUAL(ctl->builds_full, full);
	CU_ASSERT_TRUE(ctl->info.patched);
	CU_ASSERT_STRING_EQUAL(ctl->info.zones[1].edits, "");
	CU_ASSERT_EQUAL(answers("autodiscover.example.net.", LDNS_RR_TYPE_A), 1);
	CU_ASSERT_EQUAL(answers("autodiscover.example.org.", LDNS_RR_TYPE_A), -1);
	CU_ASSERT_TRUE(as_whole(names, nn));
	/* Withheld, example.org added back in the same reload. */
	CU_ASSERT_FATAL(tu_write_leaf(cpath, key, ++serial_k, mail));
	CU_ASSERT_EQUAL_FATAL(reload_to(conf_with(two), CTL_CERTS_ALL), SANDNS_EOK);
	CU_ASSERT_EQUAL(ctl->builds_full, full);
	CU_ASSERT_TRUE(ctl->info.patched);
	CU_ASSERT_STRING_NOT_EQUAL(ctl->info.zones[1].edits, "");
	CU_ASSERT_STRING_NOT_EQUAL(ctl->info.zones[2].edits, "");
	CU_ASSERT_EQUAL(answers("autodiscover.example.net.", LDNS_RR_TYPE_A), 0);
	CU_ASSERT_EQUAL(answers("autodiscover.example.org.", LDNS_RR_TYPE_A), 0);
	CU_ASSERT_TRUE(as_whole(names, nn));
	CU_ASSERT_EQUAL_FATAL(reload_to(conf_with(""), CTL_CERTS_KEEP), SANDNS_EOK);
	EVP_PKEY_free(key);
	remove(npath);
	remove(opath);
	remove(cpath);
}

/*
 * C loaded from TEXT and checked, with a server SV (not started) and a control side serving C's
 * first build; the control side returned.
 */
static ctl_t *serving(cfg_t *c, const char *text, srv_t **sv)
{
	char e[1024];
	ctl_build_t b;
	sigset_t old;
	ctl_t *x;

	CU_ASSERT_FATAL(cfg_load_string(c, text, "test", NULL, e, sizeof(e)) == 0 &&
			cfg_check(c, e, sizeof(e)) == 0);
	*sv = srv_new(c, e, sizeof(e));
	CU_ASSERT_PTR_NOT_NULL_FATAL(*sv);
	pthread_sigmask(SIG_SETMASK, NULL, &old);
	x = ctl_new(c, *sv, e, sizeof(e));
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	CU_ASSERT_EQUAL_FATAL(ctl_build(c, NULL, NULL, &b, e, sizeof(e)), SANDNS_EOK);
	CU_ASSERT_EQUAL_FATAL(ctl_publish(x, &b, e, sizeof(e)), SANDNS_EOK);
	return x;
}

/*
 * A certificate probe whose new decisions cannot be published (serial-state not writable: a
 * directory where its file is) leaves the snapshot served, and the decisions pending: the next
 * probe that sees them publishes them at once, as the next reload would, without waiting for
 * two more probes to agree.
 */
static void test_probe_state_not_written(void)
{
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	char text[2048], e[1024], zp[600], cp[600], cp2[600], sp[600], kept[620];
	cert_t *probed[2] = {NULL, NULL};
	cfg_t *c = cfg_new();
	srv_t *sv = NULL;
	ctl_t *cx = NULL;
	const zt_t *served;

	CU_ASSERT_PTR_NOT_NULL_FATAL(key);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	snprintf(zp, sizeof(zp), "%s/probe.example.zone", dir);
	snprintf(cp, sizeof(cp), "%s/probe.pem", dir);
	snprintf(cp2, sizeof(cp2), "%s/probe2.pem", dir);
	snprintf(sp, sizeof(sp), "%s/probe.serials", dir);
	snprintf(kept, sizeof(kept), "%s.kept", sp);
	write_at(zp, 3,
		 "$TTL 300\n@ IN SOA ns1.probe.example. h.probe.example. 7 3600 900 604800 300\n"
		 "@ IN NS ns1\nns1 IN A 192.0.2.53\nmail IN A 192.0.2.25\n"
		 "autodiscover IN A 192.0.2.25\n");
	CU_ASSERT_FATAL(tu_write_leaf(cp, key, 1, "DNS:mail.probe.example"));
	snprintf(text, sizeof(text),
		 "zone probe.example. %s\ncert %s\nserial-state %s\nlisten 127.0.0.1@%u\n"
		 "cert-probe-interval 0\n",
		 zp, cp, sp, tu_free_port());
	cx = serving(c, text, &sv);
	CU_ASSERT_EQUAL(cx->info.zones[0].serial, 8); /* withheld: the file's 7, raised */
	/* The probe finds a leaf that covers autodiscover: the edits would be lifted. */
	CU_ASSERT_FATAL(
	    tu_write_leaf(cp2, key, 2, "DNS:mail.probe.example,DNS:autodiscover.probe.example"));
	probed[0] = cert_load_file(cp2, e, sizeof(e));
	CU_ASSERT_PTR_NOT_NULL_FATAL(probed[0]);
	served = cx->current;
	CU_ASSERT_EQUAL_FATAL(rename(sp, kept), 0);
	CU_ASSERT_EQUAL_FATAL(mkdir(sp, 0700), 0);
	ctl_rl_probe_run(cx, probed); /* seen once: waits */
	CU_ASSERT(cx->current == served && cx->pending_key != NULL);
	ctl_rl_probe_run(cx, probed); /* seen twice: applied, but not publishable */
	CU_ASSERT(cx->current == served);
	CU_ASSERT_EQUAL(cx->info.zones[0].serial, 8);
	CU_ASSERT_EQUAL(cx->probe_flips, 0);
	CU_ASSERT_PTR_NOT_NULL(cx->pending_key);
	/* Writable again: the next probe publishes what the two before agreed on. */
	CU_ASSERT_EQUAL_FATAL(rmdir(sp), 0);
	CU_ASSERT_EQUAL_FATAL(rename(kept, sp), 0);
	ctl_rl_probe_run(cx, probed);
	CU_ASSERT(cx->current != served);
	CU_ASSERT_EQUAL(cx->probe_flips, 1);
	CU_ASSERT_PTR_NULL(cx->pending_key);
	CU_ASSERT_EQUAL(cx->info.zones[0].serial, 9); /* lifted: on by one */
	cert_free(&probed[0]);
	ctl_free(&cx);
	srv_free(&sv);
	cfg_free(&c);
	EVP_PKEY_free(key);
}

/* Zone ORIGIN as PATH: serial SERIAL, NAMES hosts h000000... (their A records), EXTRA more. */
static void write_hosts(const char *path, const char *origin, unsigned serial, unsigned names,
			const char *extra)
{
	FILE *f = fopen(path, "w");

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fprintf(f,
		"$ORIGIN %s\n$TTL 300\n@ SOA ns h %u 3600 900 604800 300\n@ NS ns\n"
		"ns A 192.0.2.1\n%s",
		origin, serial, extra);
	for (unsigned i = 0; i < names; i++)
		fprintf(f, "h%06u A 192.0.2.%u\n", i, 1 + i % 250);
	CU_ASSERT_EQUAL_FATAL(fclose(f), 0);
}

/* The seeded mappings counted so far (zt_spare.c). */
static unsigned long seeded_now(void)
{
	struct zt_spare_stats s;

	zt_spare_stats(&s);
	return s.seeded;
}

/*
 * The reload thread makes memory ahead for a snapshot's first patch (zt_seed.c) once it has
 * answered and has nothing else to do: a client's reply does not wait for it, nor is it made for
 * a snapshot the next queued job replaces at once.
 */
static void test_seed_when_idle(void)
{
	char text[2048], e[1024], p1[600], p2[600], st[600], *out;
	ctl_t *suite_ctl = ctl;
	cfg_t *c = cfg_new();
	srv_t *sv = NULL;
	unsigned long s0;
	uint64_t ids[2], id;

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	snprintf(p1, sizeof(p1), "%s/seed1.zone", dir);
	snprintf(p2, sizeof(p2), "%s/seed2.zone", dir);
	snprintf(st, sizeof(st), "%s/seedstate", dir);
	CU_ASSERT_EQUAL_FATAL(mkdir(st, 0700), 0);
	write_hosts(p1, "seed1.example.", 1, 0, "");
	write_hosts(p2, "seed2.example.", 1, 0, "");
	/* A secondary zone (its primary never answers; served from its copy): patches come to it
	 * without an operator, and a patch of any zone copies the index. */
	snprintf(text, sizeof(text), "%s/sec.zone", dir);
	write_hosts(text, "sec.example.", 1, 0, "");
	snprintf(text, sizeof(text),
		 "zone seed1.example. %s\nzone seed2.example. %s\nzone sec.example. %s/sec.zone\n"
		 "primary sec.example. 127.0.0.1@9\nstate-dir %s\nlisten 127.0.0.1@%u\n"
		 "cert-probe-interval 0\n",
		 p1, p2, dir, st, tu_free_port());
	ctl = serving(c, text, &sv);
	zt_spare_clear();
	CU_ASSERT_EQUAL_FATAL(ctl_reload_start(ctl, e, sizeof(e)), SANDNS_EOK);

	/* Compiled whole, its index on a mapping: once answered, memory made for its patch. */
	write_hosts(p1, "seed1.example.", 2, 70000, "");
	s0 = seeded_now();
	ids[0] = defer("reload seed1.example.");
	out = next_reply(&id);
	CU_ASSERT(out != NULL && id == ids[0] && strncmp(out, "ok\n", 3) == 0);
	free(out);
	for (int i = 0; i < 1000 && seeded_now() == s0; i++)
		usleep(10000);
	CU_ASSERT(seeded_now() > s0);
	CU_ASSERT(ctl->current->patch == NULL);

	/*
	 * Twice the names (an index too big for what was kept): compiled whole, and while it
	 * runs another zone's reload queued, which patches it. The one compiled whole is replaced
	 * at once: nothing made for it (the patch's own is given back by what it replaces).
	 */
	write_hosts(p1, "seed1.example.", 3, 140000, "");
	write_hosts(p2, "seed2.example.", 2, 0, "www A 192.0.2.80\n");
	pthread_mutex_lock(&ctl->pub_mu);
	s0 = seeded_now();
	ids[0] = defer("reload seed1.example.");
	CU_ASSERT_FATAL(wait_busy());
	ids[1] = defer("reload seed2.example.");
	pthread_mutex_unlock(&ctl->pub_mu);
	for (int n = 0; n < 2; n++) {
		out = next_reply(&id);
		CU_ASSERT(out != NULL && (id == ids[0] || id == ids[1]) &&
			  strncmp(out, "ok\n", 3) == 0);
		free(out);
	}
	ctl_reload_free(ctl); /* the thread joined: whatever it was to make is made */
	CU_ASSERT(ctl->current->patch != NULL);
	CU_ASSERT_EQUAL(ctl->info.zones[0].serial, 3);
	CU_ASSERT_EQUAL(ctl->info.zones[1].serial, 2);
	CU_ASSERT_EQUAL(seeded_now(), s0);
	drop_waiters();
	ctl_free(&ctl);
	ctl = suite_ctl;
	srv_free(&sv);
	cfg_free(&c);
	zt_spare_clear();
}

void reg_cutest_ctl_reload(void)
{
	CU_pSuite s = CU_add_suite("ctl_reload", suite_init, suite_cleanup);

	CU_add_test(s, "merge: requests during a reload run once after it, status answers",
		    test_merge);
	CU_add_test(s, "failed: the error to the client, the last snapshot stays", test_failed);
	CU_add_test(s, "a zone added and taken out by configuration reloads: patched",
		    test_zone_added);
	CU_add_test(s, "a whole reload keeps zones whose files are unchanged, unread",
		    test_unchanged);
	CU_add_test(s, "a configuration reload reads a zone whose FILE changed, kept otherwise",
		    test_unchanged_cfg);
	CU_add_test(s, "a zone not kept in memory, its files unchanged: left unread, patched",
		    test_unchanged_not_kept);
	CU_add_test(s, "a zone not kept changed beside a larger one: replaced, the other shared",
		    test_replace_not_kept);
	CU_add_test(s, "a zone not kept, a certificate changes its edits: applied",
		    test_unchanged_not_kept_cert);
	CU_add_test(s, "a zone not kept whose records refuse the policy's edits: left unread",
		    test_not_kept_refused_edits);
	CU_add_test(s,
		    "the catalog sandns produces, keep-zones no: the same version while unchanged",
		    test_produced_catalog_not_kept);
	CU_add_test(s, "certificates configured: zones not kept stay unread, the policy the same",
		    test_not_kept_policy);
	CU_add_test(s,
		    "a zone not kept served with the policy's edits, the certificates gone: "
		    "as written",
		    test_not_kept_policy_off);
	CU_add_test(s, "a certificate changes a zone's edits: patched, as a whole compile answers",
		    test_edits_patched);
	CU_add_test(s,
		    "a zone not kept, its edits changed: patched from the records kept, not read",
		    test_edits_unread_part);
	CU_add_test(s, "a zone's file and its edits changed in one reload: as a whole compile",
		    test_edits_and_data_not_kept);
	CU_add_test(s, "one zone's edits and another's file changed in one reload: patched",
		    test_edits_one_data_other);
	CU_add_test(s,
		    "a wildcard at the apex, a certificate changes the edits: as a whole compile",
		    test_edits_apex_wildcard);
	CU_add_test(s, "two zones' edits at once, one zone taken out and back: patched",
		    test_edits_two_zones_and_removal);
	CU_add_test(s, "memory made ahead once answered, and not for a snapshot replaced at once",
		    test_seed_when_idle);
	CU_add_test(s, "a probe's decisions not published (serial-state): the next probe publishes",
		    test_probe_state_not_written);
}
