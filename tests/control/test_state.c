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
#include "fnv.h"
#include "log.h"
#include "sandns_err.h"
#include "zload.h"
#include "zsrc.h"

static char dir[] = "/tmp/sandns-test-state-XXXXXX";
static char path[256], err_buf[1024], o0[] = "z0.test.", o1[] = "z1.test.";

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

/* Whether zone z0.test. and z1.test. of what a restart reads were signed by sandns (SIG0,
 * SIG1), at serial SERIAL. */
static void restart_signed(unsigned long serial, bool sig0, bool sig1)
{
	ctl_build_t st = {0};

	ctl_state_read(path, &st);
	CU_ASSERT_EQUAL_FATAL(st.nzones, 2);
	CU_ASSERT_STRING_EQUAL(st.zones[0].origin, "z0.test.");
	CU_ASSERT_EQUAL(st.zones[0].serial, serial);
	CU_ASSERT_EQUAL(st.zones[0].src_serial, serial - 1);
	CU_ASSERT_EQUAL(st.zones[0].edits_hash, 0xab);
	CU_ASSERT_EQUAL(st.zones[0].dnssec, sig0);
	CU_ASSERT_EQUAL(st.zones[1].dnssec, sig1);
	for (size_t i = 0; i < st.nzones; i++)
		free(st.zones[i].origin);
	free(st.zones);
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
	restart_signed(41, false, false);
	save(2, 42);
	CU_ASSERT_EQUAL(restart(&n), 42);
	f = fopen(path, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL(fread(head, 1, 22, f), 22);
	fclose(f);
	CU_ASSERT_STRING_EQUAL(head, "sandns-serial-state 2 ");
	unlink(path);
}

/*
 * The first format, its last line cut short by a crash (written in place, not renamed): its
 * numbers may be cut, so it is ignored, said so, the lines before it read.
 */
static void test_old_format_torn(void)
{
	char logf[300], err[512], *text = NULL;
	size_t n, len = 0;
	FILE *f;

	snprintf(logf, sizeof(logf), "%s/torn.log", dir);
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("z0.test. 41 40 00000000000000ab\nz1.test. 4123 4122 00000000000", f);
	fclose(f);
	CU_ASSERT_EQUAL_FATAL(log_add(LOG_TO_FILE, logf, LOG_WARNING, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(restart(&n), 41);
	CU_ASSERT_EQUAL(n, 1);
	log_reset();
	f = fopen(logf, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT(getdelim(&text, &len, '\0', f) > 0);
	fclose(f);
	CU_ASSERT_PTR_NOT_NULL(text != NULL ? strstr(text, path) : NULL);
	CU_ASSERT_PTR_NOT_NULL(text != NULL ? strstr(text, ":2: the last line has no newline")
					    : NULL);
	free(text);
	unlink(logf);
	unlink(path);
}

/*
 * A file of many lines that are not the state's (garbage, or short lines up to the bound): a few
 * are logged one by one, the rest counted in one line, not a line of log each (32 MiB of short
 * lines logged millions of lines, gigabytes, at start). A good line among them is read.
 */
static void test_bad_lines_bounded(void)
{
	char logf[300], line[4096], err[512];
	size_t n, lines = 0;
	bool counted = false;
	FILE *f;

	snprintf(logf, sizeof(logf), "%s/bad-lines.log", dir);
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	for (int i = 0; i < 5000; i++)
		fputs(i == 2500 ? "z0.test. 41 40 00000000000000ab\n" : "x\n", f);
	fclose(f);
	CU_ASSERT_EQUAL_FATAL(log_add(LOG_TO_FILE, logf, LOG_DEBUG, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(restart(&n), 41);
	CU_ASSERT_EQUAL(n, 1);
	log_reset();
	f = fopen(logf, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		lines++;
		counted = counted || strstr(line, "4983 more lines not understood") != NULL;
	}
	fclose(f);
	CU_ASSERT(lines <= 20);
	CU_ASSERT_TRUE(counted);
	unlink(logf);
	unlink(path);
}

/*
 * A file cut short (damage from outside: writes in place keep its length) whose first slot is
 * whole: that slot is read (it was read as neither whole, the serials lost), and the next write
 * in place makes the file whole again.
 */
static void test_cut_short(void)
{
	size_t n;

	unlink(path);
	save(2, 20); /* a new file: slot 0 */
	save(2, 21); /* slot 1 */
	save(2, 22); /* slot 0: the newest */
	CU_ASSERT_EQUAL_FATAL(size_of(path), 8192);
	CU_ASSERT_EQUAL_FATAL(truncate(path, 6000), 0);
	CU_ASSERT_EQUAL(restart(&n), 22);
	CU_ASSERT_EQUAL(n, 2);
	save(2, 23);
	CU_ASSERT_EQUAL(size_of(path), 8192);
	CU_ASSERT_EQUAL(restart(&n), 23);
	/* Cut at the slot's end, and within its header: the first still read, then nothing. */
	CU_ASSERT_EQUAL_FATAL(truncate(path, 4096), 0);
	CU_ASSERT_EQUAL(restart(&n), 22);
	CU_ASSERT_EQUAL_FATAL(truncate(path, 4095), 0);
	CU_ASSERT_EQUAL(restart(&n), 0);
	CU_ASSERT_EQUAL_FATAL(truncate(path, 60), 0);
	CU_ASSERT_EQUAL(restart(&n), 0);
	unlink(path);
}

/*
 * A FIFO (or a socket) left where a new file is made (PATH.new), with no file at PATH (the first
 * start): replaced, the write goes through. It failed, and a start that cannot write the serial
 * state does not start.
 */
static void test_fifo_at_new(void)
{
	char tmp[300];
	size_t n;

	snprintf(tmp, sizeof(tmp), "%s.new", path);
	unlink(path);
	CU_ASSERT_EQUAL_FATAL(mkfifo(tmp, 0600), 0);
	save(2, 50);
	CU_ASSERT_EQUAL(restart(&n), 50);
	CU_ASSERT_EQUAL(n, 2);
	CU_ASSERT_EQUAL(access(tmp, F_OK), -1);
	unlink(tmp);
	unlink(path);
}

/* Whether sandns signed each zone is remembered: written, read back, written again. */
static void test_signed_flag(void)
{
	ctl_build_t b = {0};
	ctl_zone_info_t z[2] = {
	    {.origin = o0, .serial = 21, .src_serial = 20, .edits_hash = 0xab, .dnssec = true},
	    {.origin = o1, .serial = 21, .src_serial = 20, .edits_hash = 0xab},
	};

	unlink(path);
	b.zones = z;
	b.nzones = 2;
	CU_ASSERT_EQUAL(ctl_state_write(path, &b, err_buf, sizeof(err_buf)), SANDNS_EOK);
	restart_signed(21, true, false);
	/* In place (the other slot), the flags turned. */
	z[0].dnssec = false;
	z[1].dnssec = true;
	z[0].serial = z[1].serial = 22;
	z[0].src_serial = z[1].src_serial = 21;
	CU_ASSERT_EQUAL(ctl_state_write(path, &b, err_buf, sizeof(err_buf)), SANDNS_EOK);
	restart_signed(22, false, true);
	unlink(path);
}

/*
 * A file of two slots written before the flag was (lines of four fields): read, the zones as
 * not signed by sandns; the next write adds the flag, in place.
 */
static void test_unflagged_slots(void)
{
	static const char lines[] = "z0.test. 31 30 00000000000000ab\nz1.test. 31 30 "
				    "00000000000000ab\n";
	static char file[8192];
	char hdr[100], text[256] = "";
	unsigned long long sum;
	const unsigned len = (unsigned)sizeof(lines) - 1;
	ctl_build_t b = {0};
	ctl_zone_info_t z[2] = {
	    {.origin = o0, .serial = 32, .src_serial = 31, .edits_hash = 0xab, .dnssec = true},
	    {.origin = o1, .serial = 32, .src_serial = 31, .edits_hash = 0xab},
	};
	FILE *f;

	memset(file, 0, sizeof(file));
	/* The slot's header as sandns wrote it then: its sum over the header up to the sum's
	 * digits, then the lines. */
	snprintf(hdr, sizeof(hdr),
		 "sandns-serial-state 2 slot %010u seq %020llu len %010u sum %016llx\n", 4096u,
		 1ull, len, 0ull);
	CU_ASSERT_EQUAL_FATAL(strlen(hdr), 99);
	sum = fnv_bytes(fnv_bytes(FNV_START, hdr, 99 - 17), lines, len);
	snprintf(hdr, sizeof(hdr),
		 "sandns-serial-state 2 slot %010u seq %020llu len %010u sum %016llx\n", 4096u,
		 1ull, len, sum);
	memcpy(file, hdr, 99);
	memcpy(file + 99, lines, len);
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL(fwrite(file, 1, 8192, f), 8192);
	fclose(f);
	restart_signed(31, false, false);
	b.zones = z;
	b.nzones = 2;
	CU_ASSERT_EQUAL(ctl_state_write(path, &b, err_buf, sizeof(err_buf)), SANDNS_EOK);
	restart_signed(32, true, false);
	CU_ASSERT_EQUAL(size_of(path), 8192);
	/* The new lines in the second slot, with the flag. */
	f = fopen(path, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL(fseek(f, 4096 + 99, SEEK_SET), 0);
	CU_ASSERT_PTR_NOT_NULL(fgets(text, sizeof(text), f));
	fclose(f);
	CU_ASSERT_STRING_EQUAL(text, "z0.test. 32 31 00000000000000ab signed\n");
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
	/* Served at 9: a copy newer than that is none this sandnsd wrote, and said so. */
	served = 9;
	z = zsrc_load_served(&s, "sec.test.", true, &served, NULL, NULL, &absent, err, sizeof(err));
	CU_ASSERT_PTR_NULL(z);
	CU_ASSERT_TRUE(absent);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "serial 10, newer than serial 9, the last served: not a "
					   "copy this sandnsd wrote"));
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
	CU_add_test(s, "serial-state: the first format's last line cut short: ignored",
		    test_old_format_torn);
	CU_add_test(s, "serial-state: whether sandns signed each zone, round trip",
		    test_signed_flag);
	CU_add_test(s, "serial-state: slots written before that flag read, then flagged",
		    test_unflagged_slots);
	CU_add_test(s, "serial-state: a state larger than its slots", test_growth);
	CU_add_test(s, "serial-state: lines not understood, a few logged, the rest counted",
		    test_bad_lines_bounded);
	CU_add_test(s, "serial-state: a FIFO where the new file is made: replaced",
		    test_fifo_at_new);
	CU_add_test(s, "serial-state: cut short, its first slot whole: read", test_cut_short);
	CU_add_test(s, "a copy behind the serial served is not served", test_copy_behind);
}
