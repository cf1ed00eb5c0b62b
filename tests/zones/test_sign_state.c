/* SPDX-License-Identifier: BSD-3-Clause */
/* test_sign_state.c: CUnit suite for a signed zone kept in a file: round trip, torn, damaged */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "cutest.h"
#include "sign.h"
#include "sign_state.h"
#include "wire.h"
#include "zload.h"
#include "zload_pvt.h"

static const char zone_text[] = "$ORIGIN example.org.\n$TTL 3600\n"
				"@ IN SOA ns1 hostmaster 2024060101 7200 3600 1209600 300\n"
				"@ IN NS ns1\n@ IN MX 10 mail\nns1 IN A 198.18.0.53\n"
				"mail IN A 198.18.0.25\nmail IN TXT \"v=spf1 -all\"\n"
				"a.b.c IN TXT \"an empty non-terminal above\"\n";

static const sign_params_t params = {13, true, true, 14 * 86400, 7 * 86400, 0};

static char dir[64], path[128], err[1024];
static sign_keys_t *keys;
static zload_zone_t *raw, *signed_zone;
static sign_state_meta_t meta;

/* A key directory, the zone signed, and its metadata (as ctl_signstate.c writes them). */
static int setup(void)
{
	time_t exp;

	snprintf(dir, sizeof(dir), "/tmp/sandns-signstate-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/example.org.signed", dir);
	keys = sign_keys_load(dir, "example.org.", &params, true, NULL, err, sizeof(err));
	raw = zload_string("example.org.", zone_text, "t.zone", NULL, NULL, err, sizeof(err));
	if (keys == NULL || raw == NULL)
		return -1;
	signed_zone = sign_zone(raw, NULL, 0, 2024060101, keys, &params, NULL, time(NULL), &exp,
				NULL, err, sizeof(err));
	if (signed_zone == NULL)
		return -1;
	meta = (sign_state_meta_t){.src = sign_zone_digest(raw),
				   .edits = 7,
				   .sign = sign_keys_hash(keys),
				   .p = params,
				   .serial = 2024060101,
				   .expire = exp,
				   .due = exp - params.refresh};
	return 0;
}

static int teardown(void)
{
	char cmd[128];

	zload_free(&signed_zone);
	zload_free(&raw);
	sign_keys_free(&keys);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Whether A and B hold the same records, octet for octet, in the same order. */
static bool same_records(const zload_zone_t *a, const zload_zone_t *b)
{
	if (a->nrecs != b->nrecs || a->nempty != b->nempty)
		return false;
	for (size_t i = 0; i < a->nrecs; i++) {
		const zload_rec_t *x = &a->recs[i], *y = &b->recs[i];

		if (x->type != y->type || x->ttl != y->ttl || x->rdlen != y->rdlen ||
		    memcmp(zload_rec_rdata(a, i), zload_rec_rdata(b, i), x->rdlen) != 0 ||
		    strcmp(zload_rr_file(a, i), zload_rr_file(b, i)) != 0 ||
		    zload_rec_line(a, i) != zload_rec_line(b, i))
			return false;
		if (wire_name_len(zload_rec_owner(a, i)) != wire_name_len(zload_rec_owner(b, i)) ||
		    memcmp(zload_rec_owner(a, i), zload_rec_owner(b, i),
			   wire_name_len(zload_rec_owner(a, i))) != 0)
			return false;
	}
	return true;
}

/* Written and read back: the same records, header and serial; signing from it keeps them all. */
static void test_round_trip(void)
{
	sign_state_meta_t m;
	zload_zone_t *back, *again;
	bool missing = true;
	size_t reused = 0, sigs = 0;
	time_t exp;
	struct stat st;

	CU_ASSERT_EQUAL_FATAL(sign_state_write(path, signed_zone, &meta, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(stat(path, &st), 0);
	CU_ASSERT_EQUAL(st.st_mode & 0777, 0600);
	CU_ASSERT_EQUAL(access(path, F_OK), 0);
	back = sign_state_read(path, "Example.ORG.", &m, &missing, err, sizeof(err));
	if (back == NULL)
		fprintf(stderr, "\n  %s\n", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(back);
	CU_ASSERT_FALSE(missing);
	CU_ASSERT(same_records(back, signed_zone));
	CU_ASSERT_EQUAL(m.src, meta.src);
	CU_ASSERT_EQUAL(m.edits, 7);
	CU_ASSERT_EQUAL(m.sign, meta.sign);
	CU_ASSERT_EQUAL(m.serial, 2024060101);
	CU_ASSERT_EQUAL(m.expire, meta.expire);
	CU_ASSERT_EQUAL(m.due, meta.due);
	CU_ASSERT(m.p.nsec3 && m.p.csk && m.p.algorithm == 13 && m.p.refresh == params.refresh);
	CU_ASSERT_EQUAL(zload_serial(back), 2024060101);
	CU_ASSERT_TRUE(zload_is_signed(back));
	CU_ASSERT_STRING_EQUAL(zload_origin(back), "example.org.");
	/* The file is no larger than the zone in memory. */
	CU_ASSERT(st.st_size <= (off_t)(signed_zone->data_len +
					signed_zone->nrecs * (sizeof(zload_rec_t) + 8) + 512));
	/* Signed again from it (a new serial): every signature but the SOA's kept. */
	again = sign_zone(raw, NULL, 0, 2024060102, keys, &params, back, time(NULL), &exp, &reused,
			  err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(again);
	for (size_t i = 0; i < again->nrecs; i++)
		sigs += again->recs[i].type == LDNS_RR_TYPE_RRSIG;
	CU_ASSERT_EQUAL(reused, sigs - 1);
	zload_free(&again);
	zload_free(&back);
	/* None there: missing, no reason needed. */
	unlink(path);
	CU_ASSERT_PTR_NULL(sign_state_read(path, "example.org.", &m, &missing, err, sizeof(err)));
	CU_ASSERT_TRUE(missing);
}

/* The file written, then changed by DAMAGE; read back it must fail with REASON in err. */
static void expect_refused(void (*damage)(void), const char *origin, const char *reason)
{
	sign_state_meta_t m;
	bool missing = true;
	zload_zone_t *z;

	CU_ASSERT_EQUAL_FATAL(sign_state_write(path, signed_zone, &meta, err, sizeof(err)), 0);
	damage();
	err[0] = '\0';
	z = sign_state_read(path, origin, &m, &missing, err, sizeof(err));
	CU_ASSERT_PTR_NULL(z);
	zload_free(&z);
	CU_ASSERT_FALSE(missing);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, path));
	if (strstr(err, reason) == NULL)
		fprintf(stderr, "\n  want '%s' in: %s\n", reason, err);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, reason));
	unlink(path);
}

static void truncate_half(void)
{
	struct stat st;

	CU_ASSERT_EQUAL(stat(path, &st), 0);
	CU_ASSERT_EQUAL(truncate(path, st.st_size / 2), 0);
}

static void append_octet(void)
{
	FILE *f = fopen(path, "a");

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputc('x', f);
	fclose(f);
}

/* One octet of the records' data flipped (its signatures, say). */
static void flip_octet(void)
{
	struct stat st;
	uint8_t c;
	int fd = open(path, O_RDWR);

	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(fstat(fd, &st), 0);
	CU_ASSERT_EQUAL(pread(fd, &c, 1, st.st_size - 100), 1);
	c ^= 0x20;
	CU_ASSERT_EQUAL(pwrite(fd, &c, 1, st.st_size - 100), 1);
	close(fd);
}

static void other_magic(void)
{
	int fd = open(path, O_WRONLY);

	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(pwrite(fd, "$ORIGIN x.", 10, 0), 10);
	close(fd);
}

static void nothing(void)
{
}

/* Torn, longer, damaged, another format, another zone: refused, naming the file and why. */
static void test_refused(void)
{
	expect_refused(truncate_half, "example.org.", "torn");
	expect_refused(append_octet, "example.org.", "torn");
	expect_refused(flip_octet, "example.org.", "SHA-256 does not match");
	expect_refused(other_magic, "example.org.", "not of this format");
	expect_refused(nothing, "example.net.", "of zone example.org., not example.net.");
}

/* A file over the bound on a zone's text is not read. */
static void test_bounded(void)
{
	sign_state_meta_t m;
	zload_zone_t *z;

	CU_ASSERT_EQUAL_FATAL(sign_state_write(path, signed_zone, &meta, err, sizeof(err)), 0);
	zload_set_text_max(512);
	z = sign_state_read(path, "example.org.", &m, NULL, err, sizeof(err));
	zload_set_text_max(0);
	CU_ASSERT_PTR_NULL(z);
	zload_free(&z);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "more than"));
	unlink(path);
}

/* A FIFO left where the new file is made (PATH.new): replaced, the save goes through. */
static void test_fifo_at_new(void)
{
	char tmp[160];
	struct stat st;

	snprintf(tmp, sizeof(tmp), "%s.new", path);
	unlink(path);
	CU_ASSERT_EQUAL_FATAL(mkfifo(tmp, 0600), 0);
	CU_ASSERT_EQUAL(sign_state_write(path, signed_zone, &meta, err, sizeof(err)), 0);
	CU_ASSERT(stat(path, &st) == 0 && S_ISREG(st.st_mode));
	CU_ASSERT_EQUAL(access(tmp, F_OK), -1);
	unlink(tmp);
	unlink(path);
}

void reg_cutest_sign_state(void)
{
	CU_pSuite s = CU_add_suite("sign_state", setup, teardown);

	CU_add_test(s, "written, read back the same, signs nothing anew", test_round_trip);
	CU_add_test(s, "torn, longer, damaged, other format or zone: refused", test_refused);
	CU_add_test(s, "bounded by the zone text bound", test_bounded);
	CU_add_test(s, "a FIFO where the new file is made: replaced", test_fifo_at_new);
}
