/* SPDX-License-Identifier: BSD-3-Clause */
/* test_ctl_signstate.c: CUnit suite for signed zones kept across restarts: taken, ignored, dropped
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "cfg.h"
#include "ctl.h"
#include "ctl_signstate.h"
#include "ctl_state.h"
#include "cutest.h"
#include "log.h"
#include "sandns_err.h"
#include "sigtime.h"
#include "zload_pvt.h"

static char dir[64], err[1024], kept[256];

static void write_zone(const char *extra)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/z.zone", dir);
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fprintf(f,
		"$ORIGIN example.net.\n$TTL 3600\n@ IN SOA ns1 h 10 7200 3600 1209600 300\n"
		"@ IN NS ns1\nns1 IN A 192.0.2.53\nmail IN A 192.0.2.25\n%s",
		extra);
	fclose(f);
}

/* example.net signed as MODE ("nsec3", "nsec"; NULL: not signed); a secondary zone of a primary
 * that never answers when SECONDARY (z.zone its copy). */
static cfg_t *config_of(const char *mode, bool secondary)
{
	char text[512];
	cfg_t *cfg = cfg_new();

	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	snprintf(text, sizeof(text), "%s/state", dir);
	(void)mkdir(text, 0700); /* there already for the second configuration */
	snprintf(text, sizeof(text), "zone example.net. z.zone\nstate-dir %s/state\n%s%s%s%s", dir,
		 mode != NULL ? "dnssec example.net " : "", mode != NULL ? mode : "",
		 mode != NULL ? "\n" : "", secondary ? "primary example.net. 127.0.0.1@9\n" : "");
	CU_ASSERT_EQUAL_FATAL(cfg_load_string(cfg, text, "t.conf", dir, err, sizeof(err)),
			      SANDNS_EOK);
	CU_ASSERT_EQUAL_FATAL(cfg_check(cfg, err, sizeof(err)), SANDNS_EOK);
	return cfg;
}

/* The configuration: example.net signed as MODE ("nsec3", "nsec"; NULL: not signed). */
static cfg_t *config(const char *mode)
{
	return config_of(mode, false);
}

/*
 * A build as at a start (nothing in memory before it), saved as a publish saves it; whether it
 * signed anew (its sign_fresh, which the save clears).
 */
static bool start(const cfg_t *cfg, ctl_build_t *b)
{
	bool fresh;

	static const ctl_rebuild_t all = {.zones = true};

	err[0] = '\0';
	if (ctl_build(cfg, NULL, &all, b, err, sizeof(err)) != SANDNS_EOK)
		fprintf(stderr, "\n  %s\n", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b->zt);
	fresh = b->zones[0].sign_fresh;
	CU_ASSERT_EQUAL(ctl_build_save_serials(cfg, b, NULL, 0), SANDNS_EOK);
	ctl_signstate_save(cfg, b);
	return fresh;
}

/* How many RRSIGs of A are in B octet for octet (and whether A's SOA one is, in *SOA). */
static size_t same_sigs(const zload_zone_t *a, const zload_zone_t *b, bool *soa)
{
	size_t n = 0;

	*soa = false;
	for (size_t i = 0; i < a->nrecs; i++) {
		bool found = false;

		if (a->recs[i].type != LDNS_RR_TYPE_RRSIG)
			continue;
		for (size_t j = 0; j < b->nrecs && !found; j++)
			found = b->recs[j].type == LDNS_RR_TYPE_RRSIG &&
				b->recs[j].rdlen == a->recs[i].rdlen &&
				memcmp(zload_rec_rdata(a, i), zload_rec_rdata(b, j),
				       a->recs[i].rdlen) == 0;
		n += found;
		if (found && zload_rec_rdata(a, i)[1] == LDNS_RR_TYPE_SOA)
			*soa = true;
	}
	return n;
}

static size_t sig_count(const zload_zone_t *z)
{
	size_t n = 0;

	for (size_t i = 0; i < z->nrecs; i++)
		n += z->recs[i].type == LDNS_RR_TYPE_RRSIG;
	return n;
}

static void rm_tree(const char *path)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", path);
	CU_ASSERT_EQUAL(system(cmd), 0);
}

/*
 * A restart with nothing changed serves the signed zone kept, signing nothing, with its serial;
 * edited while down: what changed is signed anew (and the SOA), the rest kept, the serial newer.
 */
static void test_restart(void)
{
	ctl_build_t b1, b2, b3;
	cfg_t *cfg;
	bool soa;

	snprintf(dir, sizeof(dir), "/tmp/sandns-signkeep-XXXXXX");
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	snprintf(kept, sizeof(kept), "%s/state/example.net.signed", dir);
	write_zone("");
	cfg = config("nsec3");
	CU_ASSERT_TRUE(start(cfg, &b1));
	CU_ASSERT_EQUAL(access(kept, F_OK), 0);
	CU_ASSERT_EQUAL(b1.zones[0].serial, 10);
	/* Restart, nothing changed: the same records, the same serial, nothing signed. */
	CU_ASSERT_FALSE(start(cfg, &b2));
	CU_ASSERT_EQUAL(b2.zones[0].serial, 10);
	CU_ASSERT_EQUAL(b2.zones[0].sign_expire, b1.zones[0].sign_expire);
	CU_ASSERT_EQUAL(b2.zones[0].sign_due, b1.zones[0].sign_due);
	CU_ASSERT_EQUAL(zload_rr_count(b2.signed_zones[0]), zload_rr_count(b1.signed_zones[0]));
	CU_ASSERT_EQUAL(same_sigs(b1.signed_zones[0], b2.signed_zones[0], &soa),
			sig_count(b1.signed_zones[0]));
	CU_ASSERT_TRUE(soa);
	/* A reload after it keeps them too. */
	ctl_build_clear(&b1);
	CU_ASSERT_EQUAL_FATAL(ctl_build(cfg, &b2, NULL, &b1, err, sizeof(err)), SANDNS_EOK);
	CU_ASSERT_PTR_EQUAL(b1.signed_zones[0], b2.signed_zones[0]);
	/* Edited while down (the file's serial unchanged): www's A, its NSEC3, the one before it
	 * and the SOA signed anew; the rest kept; the serial newer. */
	write_zone("www IN A 192.0.2.80\n");
	CU_ASSERT_TRUE(start(cfg, &b3));
	CU_ASSERT_EQUAL(b3.zones[0].serial, 11);
	CU_ASSERT_EQUAL(same_sigs(b2.signed_zones[0], b3.signed_zones[0], &soa),
			sig_count(b2.signed_zones[0]) - 2);
	CU_ASSERT_FALSE(soa);
	CU_ASSERT_EQUAL(sig_count(b3.signed_zones[0]), sig_count(b2.signed_zones[0]) + 2);
	ctl_build_clear(&b1);
	ctl_build_clear(&b2);
	ctl_build_clear(&b3);
	/* Saved again: the next start serves that one. */
	CU_ASSERT_FALSE(start(cfg, &b1));
	CU_ASSERT_EQUAL(b1.zones[0].serial, 11);
	ctl_build_clear(&b1);
	cfg_free(&cfg);
	rm_tree(dir);
}

/* Keys changed, another dnssec mode, a torn file, a serial older than served: none of it kept. */
static void test_ignored(void)
{
	ctl_build_t b1, b2;
	cfg_t *cfg, *nsec;
	char cmd[256];
	bool soa;

	snprintf(dir, sizeof(dir), "/tmp/sandns-signkeep-XXXXXX");
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	snprintf(kept, sizeof(kept), "%s/state/example.net.signed", dir);
	write_zone("");
	cfg = config("nsec3");
	nsec = config("nsec");
	start(cfg, &b1);
	/* New keys: nothing of the file kept, a newer serial. */
	snprintf(cmd, sizeof(cmd), "rm -rf '%s/state/keys'", dir);
	CU_ASSERT_EQUAL(system(cmd), 0);
	CU_ASSERT_TRUE(start(cfg, &b2));
	CU_ASSERT_EQUAL(same_sigs(b1.signed_zones[0], b2.signed_zones[0], &soa), 0);
	CU_ASSERT_EQUAL(b2.zones[0].serial, 11);
	ctl_build_clear(&b1);
	/* NSEC now: signed anew. */
	CU_ASSERT_TRUE(start(nsec, &b1));
	CU_ASSERT_EQUAL(same_sigs(b2.signed_zones[0], b1.signed_zones[0], &soa), 0);
	CU_ASSERT_EQUAL(b1.zones[0].serial, 12);
	ctl_build_clear(&b2);
	/* Torn: signed anew. */
	CU_ASSERT_EQUAL(truncate(kept, 200), 0);
	CU_ASSERT_TRUE(start(nsec, &b2));
	CU_ASSERT_EQUAL(same_sigs(b1.signed_zones[0], b2.signed_zones[0], &soa), 0);
	CU_ASSERT_EQUAL(b2.zones[0].serial, 13);
	/* A serial served since (the serial state says 14): the file is not served as it is. */
	b2.zones[0].serial = 14;
	CU_ASSERT_EQUAL(ctl_build_save_serials(nsec, &b2, NULL, 0), SANDNS_EOK);
	ctl_build_clear(&b1);
	CU_ASSERT_TRUE(start(nsec, &b1));
	CU_ASSERT_EQUAL(b1.zones[0].serial, 15);
	ctl_build_clear(&b1);
	ctl_build_clear(&b2);
	cfg_free(&nsec);
	cfg_free(&cfg);
	rm_tree(dir);
}

static void touch(const char *path)
{
	FILE *f = fopen(path, "w");

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("x", f);
	fclose(f);
}

/* A zone no longer signed, or no longer served: its file removed after the publish. */
static void test_dropped(void)
{
	ctl_build_t b1, b2, none = {0};
	cfg_t *cfg, *plain;
	char other[256], cut[300];

	snprintf(dir, sizeof(dir), "/tmp/sandns-signkeep-XXXXXX");
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	snprintf(kept, sizeof(kept), "%s/state/example.net.signed", dir);
	write_zone("");
	cfg = config("nsec3");
	plain = config(NULL);
	start(cfg, &b1);
	CU_ASSERT_EQUAL(access(kept, F_OK), 0);
	/* Saved once: a second call (nothing signed since) writes nothing. */
	CU_ASSERT_FALSE(b1.zones[0].sign_fresh);
	CU_ASSERT_EQUAL(unlink(kept), 0);
	ctl_signstate_save(cfg, &b1);
	CU_ASSERT_NOT_EQUAL(access(kept, F_OK), 0);
	b1.zones[0].sign_fresh = true;
	ctl_signstate_save(cfg, &b1);
	CU_ASSERT_EQUAL(access(kept, F_OK), 0);
	start(plain, &b2);
	ctl_signstate_drop(plain, &b1, &b2);
	CU_ASSERT_NOT_EQUAL(access(kept, F_OK), 0);
	/* At a start (nothing before), a zone not signed loses a file left there. */
	b1.zones[0].sign_fresh = true;
	ctl_signstate_save(cfg, &b1);
	CU_ASSERT_EQUAL(access(kept, F_OK), 0);
	ctl_signstate_drop(plain, &none, &b2);
	CU_ASSERT_NOT_EQUAL(access(kept, F_OK), 0);
	/* At a start, the files no zone signed here owns (a zone gone while sandnsd was down, a
	 * write cut short) removed; the signed zone's own kept. */
	b1.zones[0].sign_fresh = true;
	ctl_signstate_save(cfg, &b1);
	snprintf(other, sizeof(other), "%s/state/other.org.signed", dir);
	snprintf(cut, sizeof(cut), "%s.new", kept);
	touch(other);
	touch(cut);
	ctl_signstate_drop(cfg, &none, &b1);
	CU_ASSERT_EQUAL(access(kept, F_OK), 0);
	CU_ASSERT_NOT_EQUAL(access(other, F_OK), 0);
	CU_ASSERT_NOT_EQUAL(access(cut, F_OK), 0);
	/* Gone from the configuration. */
	b1.zones[0].sign_fresh = true;
	ctl_signstate_save(cfg, &b1);
	ctl_signstate_drop(cfg, &b1, &none);
	CU_ASSERT_NOT_EQUAL(access(kept, F_OK), 0);
	ctl_build_clear(&b1);
	ctl_build_clear(&b2);
	cfg_free(&plain);
	cfg_free(&cfg);
	rm_tree(dir);
}

/* The serial served at a start by CFG (its build cleared); *SIGNED: whether sandns signed it. */
static unsigned long start_serial(const cfg_t *cfg, bool drop, bool *signd)
{
	ctl_build_t b, none = {0};
	unsigned long serial;

	start(cfg, &b);
	if (drop)
		ctl_signstate_drop(cfg, &none, &b); /* as sandnsd does once it serves */
	serial = b.zones[0].serial;
	*signd = b.signed_zones[0] != NULL;
	/* Signed when sandns signs it; an absent zone only remembers whether it was. */
	if (!b.zones[0].absent)
		CU_ASSERT_EQUAL(b.zones[0].dnssec, *signd);
	ctl_build_clear(&b);
	return serial;
}

/*
 * Signed by sandns, then not, then signed again, each change made while sandnsd was down: the
 * serial moves on at each (what is served changed), and stays at a restart with nothing changed.
 */
static void test_signed_toggled(void)
{
	cfg_t *cfg, *plain;
	bool sig;

	snprintf(dir, sizeof(dir), "/tmp/sandns-signkeep-XXXXXX");
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	snprintf(kept, sizeof(kept), "%s/state/example.net.signed", dir);
	write_zone("");
	cfg = config("nsec");
	plain = config(NULL);
	CU_ASSERT_EQUAL(start_serial(cfg, true, &sig), 10);
	CU_ASSERT_TRUE(sig);
	/* The dnssec line gone: unsigned, newer (its signed file left there, not dropped). */
	CU_ASSERT_EQUAL(start_serial(plain, false, &sig), 11);
	CU_ASSERT_FALSE(sig);
	CU_ASSERT_EQUAL(access(kept, F_OK), 0);
	CU_ASSERT_EQUAL(start_serial(plain, false, &sig), 11);
	/* Signed again: the file kept at 10, older than 11, is not served as it is. */
	CU_ASSERT_EQUAL(start_serial(cfg, true, &sig), 12);
	CU_ASSERT_TRUE(sig);
	CU_ASSERT_EQUAL(start_serial(cfg, true, &sig), 12);
	/* Once more, its file dropped as sandnsd drops it: newer each way. */
	CU_ASSERT_EQUAL(start_serial(plain, true, &sig), 13);
	CU_ASSERT_NOT_EQUAL(access(kept, F_OK), 0);
	CU_ASSERT_EQUAL(start_serial(cfg, true, &sig), 14);
	CU_ASSERT_TRUE(sig);
	cfg_free(&plain);
	cfg_free(&cfg);
	rm_tree(dir);
}

/*
 * A secondary zone sandns signs, absent at a start (its copy gone), then back unsigned: the
 * absent start keeps in serial-state that what it served was signed, so the serial moves on.
 */
static void test_absent_signed(void)
{
	cfg_t *cfg, *plain;
	char path[128], aside[128];
	bool sig;

	snprintf(dir, sizeof(dir), "/tmp/sandns-signkeep-XXXXXX");
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/z.zone", dir);
	snprintf(aside, sizeof(aside), "%s/z.aside", dir);
	write_zone("");
	cfg = config_of("nsec", true);
	plain = config_of(NULL, true);
	CU_ASSERT_EQUAL(start_serial(cfg, true, &sig), 10);
	CU_ASSERT_TRUE(sig);
	CU_ASSERT_EQUAL(rename(path, aside), 0);
	(void)start_serial(plain, false, &sig); /* absent: nothing served */
	CU_ASSERT_FALSE(sig);
	CU_ASSERT_EQUAL(rename(aside, path), 0);
	CU_ASSERT_EQUAL(start_serial(plain, false, &sig), 11);
	CU_ASSERT_FALSE(sig);
	cfg_free(&plain);
	cfg_free(&cfg);
	rm_tree(dir);
}

/*
 * A start whose clock is days behind the signatures kept (set back while sandnsd was down): the
 * file is ignored and the zone signed anew, and the log says so, not that it will not sign (the
 * words of a reload, which keeps serving what it signed).
 */
static void test_clock_back(void)
{
	ctl_build_t b1, b2;
	char logf[128], *text = NULL;
	size_t len = 0;
	cfg_t *cfg;
	FILE *f;

	snprintf(dir, sizeof(dir), "/tmp/sandns-signkeep-XXXXXX");
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	snprintf(kept, sizeof(kept), "%s/state/example.net.signed", dir);
	snprintf(logf, sizeof(logf), "%s/log", dir);
	write_zone("");
	cfg = config("nsec");
	CU_ASSERT_TRUE(start(cfg, &b1));
	sigtime_set_skew(-3 * 86400);
	CU_ASSERT_EQUAL_FATAL(log_add(LOG_TO_FILE, logf, LOG_WARNING, err, sizeof(err)), 0);
	CU_ASSERT_TRUE(start(cfg, &b2));
	log_reset();
	sigtime_set_skew(0);
	CU_ASSERT_EQUAL(b2.zones[0].serial, 11);
	f = fopen(logf, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT(getdelim(&text, &len, '\0', f) > 0);
	fclose(f);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "signed after the clock"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, kept));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "ignored, the zone is signed anew by this clock"));
	CU_ASSERT_PTR_NULL(strstr(text, "not signing again"));
	free(text);
	ctl_build_clear(&b1);
	ctl_build_clear(&b2);
	cfg_free(&cfg);
	rm_tree(dir);
}

void reg_cutest_ctl_signstate(void)
{
	CU_pSuite s = CU_add_suite("ctl_signstate", NULL, NULL);

	CU_add_test(s, "restart: kept as is; edited while down: what changed", test_restart);
	CU_add_test(s, "keys, mode, torn file, older serial: ignored", test_ignored);
	CU_add_test(s, "no longer signed or served: file removed", test_dropped);
	CU_add_test(s, "signed, unsigned, signed across restarts: the serial moves on",
		    test_signed_toggled);
	CU_add_test(s, "signed, absent, back unsigned: the serial moves on", test_absent_signed);
	CU_add_test(s, "a start with the clock set back: signed anew, said so", test_clock_back);
}
