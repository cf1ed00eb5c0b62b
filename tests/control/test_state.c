/* SPDX-License-Identifier: BSD-3-Clause */
/* test_state.c: serial-state in two slots (ctl_state.c), and a copy not served after a crash */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "ctl.h"
#include "ctl_state.h"
#include "cutest.h"
#include "sandns_err.h"
#include "zload.h"
#include "zsrc.h"

static char dir[] = "/tmp/sandns-test-state-XXXXXX";
static char path[256];

/* A build of N zones z0.test. ... each at SERIAL (its file's: SERIAL - 1), as a publish saves. */
static void save(size_t n, unsigned long serial)
{
	ctl_build_t b = {0};
	char err[1024];

	b.zones = calloc(n, sizeof(*b.zones));
	CU_ASSERT_PTR_NOT_NULL_FATAL(b.zones);
	b.nzones = n;
	for (size_t i = 0; i < n; i++) {
		char origin[64];

		snprintf(origin, sizeof(origin), "z%zu.test.", i);
		b.zones[i].origin = strdup(origin);
		b.zones[i].serial = serial;
		b.zones[i].src_serial = serial - 1;
		b.zones[i].edits_hash = 0xab;
	}
	CU_ASSERT_EQUAL(ctl_state_write(path, &b, err, sizeof(err)), SANDNS_EOK);
	for (size_t i = 0; i < n; i++)
		free(b.zones[i].origin);
	free(b.zones);
}

/* What a restart reads: the serial of zone z0.test. (0: nothing), the zones into *N. */
static unsigned long restart(size_t *n)
{
	ctl_build_t st = {0};
	unsigned long serial = 0;

	ctl_state_read(path, &st);
	*n = st.nzones;
	if (st.nzones > 0 && strcmp(st.zones[0].origin, "z0.test.") == 0)
		serial = st.zones[0].serial;
	if (st.nzones > 0)
		CU_ASSERT_EQUAL(st.zones[0].src_serial, serial - 1);
	for (size_t i = 0; i < st.nzones; i++)
		free(st.zones[i].origin);
	free(st.zones);
	return serial;
}

static off_t size_of(const char *p)
{
	struct stat sb;

	return stat(p, &sb) == 0 ? sb.st_size : -1;
}

/* LEN octets at OFF of the file overwritten with C (a write torn by a crash, or garbage). */
static void damage(off_t off, size_t len, int c)
{
	char buf[8192];
	int fd = open(path, O_WRONLY);

	CU_ASSERT_FATAL(fd >= 0 && len <= sizeof(buf));
	memset(buf, c, len);
	CU_ASSERT_EQUAL(pwrite(fd, buf, len, off), (ssize_t)len);
	close(fd);
}

/* Written in place: the newer whole slot wins; a torn or garbage slot leaves the older one. */
static void test_slots(void)
{
	size_t n;
	ino_t ino;
	struct stat sb;

	unlink(path);
	CU_ASSERT_EQUAL(restart(&n), 0);
	CU_ASSERT_EQUAL(n, 0);
	save(3, 5); /* a new file: slot 0, sequence 1 */
	CU_ASSERT_EQUAL(restart(&n), 5);
	CU_ASSERT_EQUAL(n, 3);
	CU_ASSERT_EQUAL(size_of(path), 8192);
	CU_ASSERT_EQUAL_FATAL(stat(path, &sb), 0);
	ino = sb.st_ino;
	save(3, 6); /* slot 1 */
	CU_ASSERT_EQUAL(restart(&n), 6);
	save(3, 7); /* slot 0 */
	CU_ASSERT_EQUAL(restart(&n), 7);
	/* In place: the same file, the same size (no rename, no new file). */
	CU_ASSERT_EQUAL_FATAL(stat(path, &sb), 0);
	CU_ASSERT_EQUAL(sb.st_ino, ino);
	CU_ASSERT_EQUAL(sb.st_size, 8192);
	/* The write of 7 torn (its lines half old): the state before it, 6. */
	damage(120, 8, 'x');
	CU_ASSERT_EQUAL(restart(&n), 6);
	CU_ASSERT_EQUAL(n, 3);
	/* The next write goes to the damaged slot, never over the whole one. */
	save(3, 8);
	CU_ASSERT_EQUAL(restart(&n), 8);
	damage(0, 4096, 0xff); /* slot 0 garbage, its header too */
	CU_ASSERT_EQUAL(restart(&n), 6);
	CU_ASSERT_EQUAL(n, 3);
	/* A header's sequence changed (its sum no longer matches): not whole either. */
	save(3, 9); /* slot 0 again, sequence above 6's */
	CU_ASSERT_EQUAL(restart(&n), 9);
	damage(4096 + 52, 1, '9'); /* slot 1's sequence: 6 -> a high one */
	CU_ASSERT_EQUAL(restart(&n), 9);
	/* Both damaged: nothing remembered (logged), not a wrong serial. */
	damage(0, 4096, 0);
	CU_ASSERT_EQUAL(restart(&n), 0);
	CU_ASSERT_EQUAL(n, 0);
	/* And written again from there. */
	save(3, 10);
	CU_ASSERT_EQUAL(restart(&n), 10);
	unlink(path);
}

/* The first format (the lines alone) is read, and replaced by two slots at the first write. */
static void test_old_format(void)
{
	FILE *f;
	size_t n;
	char head[32] = "";

	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("z0.test. 41 40 00000000000000ab\nz1.test. 41 40 00000000000000ab\n", f);
	fclose(f);
	CU_ASSERT_EQUAL(restart(&n), 41);
	CU_ASSERT_EQUAL(n, 2);
	save(2, 42);
	CU_ASSERT_EQUAL(restart(&n), 42);
	f = fopen(path, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL(fread(head, 1, 22, f), 22);
	fclose(f);
	CU_ASSERT_STRING_EQUAL(head, "sandns-serial-state 2 ");
	unlink(path);
}

/* A state larger than a slot: a new file of larger slots, then in place again. */
static void test_growth(void)
{
	size_t n;

	unlink(path);
	save(2, 5);
	CU_ASSERT_EQUAL(size_of(path), 8192);
	save(500, 6); /* about 15,000 octets */
	CU_ASSERT_EQUAL(restart(&n), 6);
	CU_ASSERT_EQUAL(n, 500);
	CU_ASSERT(size_of(path) >= 2 * 30000);
	save(500, 7);
	CU_ASSERT_EQUAL(restart(&n), 7);
	save(1, 8);
	CU_ASSERT_EQUAL(restart(&n), 8);
	CU_ASSERT_EQUAL(n, 1);
	unlink(path);
}

/* A secondary zone's copy that is not the one served (serial-state) is not served. */
static void test_copy_behind(void)
{
	char zpath[300], err[1024];
	zsrc_t s = {0};
	uint32_t served;
	zload_zone_t *z;
	bool absent;
	FILE *f;

	snprintf(zpath, sizeof(zpath), "%s/sec.zone", dir);
	f = fopen(zpath, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("$ORIGIN sec.test.\n@ 300 IN SOA ns hm 10 3600 600 864000 300\n@ 300 IN NS ns\n"
	      "ns 300 IN A 192.0.2.1\n",
	      f);
	fclose(f);
	CU_ASSERT_EQUAL_FATAL(zsrc_file(&s, zpath), SANDNS_EOK);
	CU_ASSERT_EQUAL_FATAL(zsrc_make_primary(&s, "192.0.2.9@53"), SANDNS_EOK);
	/* Nothing known: served. */
	z = zsrc_load_served(&s, "sec.test.", true, NULL, NULL, NULL, &absent, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL(z);
	CU_ASSERT_FALSE(absent);
	zload_free(&z);
	/* Served at 10: served. */
	served = 10;
	z = zsrc_load_served(&s, "sec.test.", true, &served, NULL, NULL, &absent, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL(z);
	zload_free(&z);
	/* Served at 11, the crash before the copy was written: absent (SERVFAIL), and why. */
	served = 11;
	z = zsrc_load_served(&s, "sec.test.", true, &served, NULL, NULL, &absent, err, sizeof(err));
	CU_ASSERT_PTR_NULL(z);
	CU_ASSERT_TRUE(absent);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "serial 11 was served and not written"));
	unlink(zpath);
	zsrc_clear(&s);
}

static int suite_init(void)
{
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/serials", dir);
	return 0;
}

static int suite_cleanup(void)
{
	char tmp[300];

	snprintf(tmp, sizeof(tmp), "%s.new", path);
	unlink(tmp);
	unlink(path);
	return rmdir(dir);
}

void reg_cutest_state(void)
{
	CU_pSuite s = CU_add_suite("state", suite_init, suite_cleanup);

	if (s == NULL)
		return;
	CU_add_test(s, "serial-state: the newer whole slot wins, torn and garbage slots",
		    test_slots);
	CU_add_test(s, "serial-state: the first format read, then replaced", test_old_format);
	CU_add_test(s, "serial-state: a state larger than its slots", test_growth);
	CU_add_test(s, "a copy behind the serial served is not served", test_copy_behind);
}
