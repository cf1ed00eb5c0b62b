/* SPDX-License-Identifier: BSD-3-Clause */
/* xfr_apply.c: the time to make a large zone's next version from a small IXFR (zload_xfr), and
 * (--axfr) what an AXFR's version holds while it is checked and after */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "zload.h"

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Octets malloc has handed out and not had back: what a version costs, as the difference. */
static size_t in_use(void)
{
	struct mallinfo2 m = mallinfo2();

	return m.uordblks + m.hblkhd;
}

/* "hN.bench.test." in wire form into W; its length. */
static size_t owner(uint8_t *w, unsigned n)
{
	char lab[16];
	int l = snprintf(lab, sizeof(lab), "h%u", n);

	w[0] = (uint8_t)l;
	memcpy(w + 1, lab, (size_t)l);
	memcpy(w + 1 + l, "\5bench\4test", 12);
	return (size_t)l + 13;
}

static const uint8_t apex[] = "\5bench\4test";

/* The SOA data of serial S. */
static size_t soa(uint8_t *rd, unsigned s)
{
	static const uint8_t head[] = "\3ns1\5bench\4test\0\1h\5bench\4test";
	size_t at = sizeof(head);

	memcpy(rd, head, sizeof(head));
	rd[at++] = (uint8_t)(s >> 24);
	rd[at++] = (uint8_t)(s >> 16);
	rd[at++] = (uint8_t)(s >> 8);
	rd[at++] = (uint8_t)s;
	memset(rd + at, 0, 16);
	return at + 16;
}

/*
 * An AXFR of RECORDS records made into a version (zload_xfr_new() without a base, as the transfer
 * thread does): the time, and what it holds after. Run alone under /usr/bin/time -v, the peak.
 */
static int axfr(unsigned records)
{
	uint8_t w[256], rd[128];
	char err[1024];
	zload_xfr_t *x = zload_xfr_new("bench.test.", NULL, "AXFR from bench");
	zload_zone_t *z;
	size_t m0 = in_use(), m1, m2;
	double t0 = now_ms(), t1, t2;
	static const uint8_t ns[] = "\3ns1\5bench\4test";
	static const uint8_t a1[] = {192, 0, 2, 1};

	if (x == NULL)
		return 1;
	zload_xfr_add(x, apex, 6, 300, rd, soa(rd, 1));
	zload_xfr_add(x, apex, 2, 300, ns, sizeof(ns));
	zload_xfr_add(x, ns, 1, 300, a1, 4);
	for (unsigned i = 0; i + 3 < records; i++) {
		uint8_t a[4] = {10, (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i};

		owner(w, i);
		if (zload_xfr_add(x, w, 1, 300, a, 4) != 0) {
			fprintf(stderr, "record %u not added\n", i);
			return 1;
		}
	}
	t1 = now_ms();
	m1 = in_use();
	z = zload_xfr_finish(&x, NULL, NULL, err, sizeof(err));
	t2 = now_ms();
	m2 = in_use();
	if (z == NULL) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	printf("axfr %zu records: added %.1f ms (%.1f MiB held), zload_xfr_finish %.1f ms, %.1f "
	       "MiB held after\n",
	       zload_rr_count(z), t1 - t0, ((double)m1 - (double)m0) / (1 << 20), t2 - t1,
	       ((double)m2 - (double)m0) / (1 << 20));
	zload_free(&z);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--axfr") == 0)
		return axfr(argc > 2 ? (unsigned)atoi(argv[2]) : 1000000);
	unsigned records = argc > 1 ? (unsigned)atoi(argv[1]) : 1000000;
	unsigned changes = argc > 2 ? (unsigned)atoi(argv[2]) : 100;
	/* Each round applies an IXFR to the version the round before made, as a secondary does. */
	int rounds = argc > 3 ? atoi(argv[3]) : 3;
	size_t cap = (size_t)records * 48 + 256, len = 0;
	char *text = malloc(cap), err[1024];
	zload_zone_t *z, *next;
	zload_xfr_t *x;
	uint8_t w[256], rd[128];
	double t0, t1, t2;
	size_t m0, m1;

	len += (size_t)snprintf(text + len, cap - len,
				"$ORIGIN bench.test.\n@ 300 IN SOA ns1 h 1 0 0 0 0\n"
				"@ 300 IN NS ns1\nns1 300 IN A 192.0.2.1\n");
	for (unsigned i = 0; i + 3 < records; i++)
		len += (size_t)snprintf(text + len, cap - len, "h%u 300 IN A 10.%u.%u.%u\n", i,
					(i >> 16) & 255, (i >> 8) & 255, i & 255);
	z = zload_string("bench.test.", text, "bench.zone", NULL, NULL, err, sizeof(err));
	free(text);
	if (z == NULL) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	/* As the transfer thread does with the copy it loads at a start (xfrin_seed()): the
	 * arrays the first IXFR's version takes, made before it comes. */
	t0 = now_ms();
	zload_xfr_prepare(z);
	printf("zload_xfr_prepare %.1f ms\n", now_ms() - t0);
	for (int round = 0; round < rounds; round++) {
		t0 = now_ms();
		x = zload_xfr_new("bench.test.", z, "IXFR from bench");
		zload_xfr_del(x, apex, 6, 300, rd, soa(rd, (unsigned)round + 1));
		/* Half the changes delete a record of the file, half add one at a new name. */
		for (unsigned c = 0; c < changes / 2; c++) {
			unsigned i = (c * 7919u + (unsigned)round * (changes / 2)) % (records - 4);
			uint8_t a[4] = {10, (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i};

			if (zload_xfr_del(x, w, 1, 300, a, (owner(w, i), 4)) != 0)
				fprintf(stderr, "deletion %u failed\n", i);
		}
		zload_xfr_add(x, apex, 6, 300, rd, soa(rd, (unsigned)round + 2));
		for (unsigned c = 0; c < changes - changes / 2; c++) {
			uint8_t a[4] = {172, 16, (uint8_t)(c >> 8), (uint8_t)c};

			owner(w, records + (unsigned)round * changes + c);
			zload_xfr_add(x, w, 1, 300, a, 4);
		}
		t1 = now_ms();
		m0 = in_use();
		next = zload_xfr_finish(&x, NULL, NULL, err, sizeof(err));
		t2 = now_ms();
		m1 = in_use();
		if (next == NULL) {
			fprintf(stderr, "%s\n", err);
			return 1;
		}
		printf("records %u changes %u: applied %.1f ms, zload_xfr_finish %.1f ms (%zu "
		       "records), %.1f MiB more held\n",
		       records, changes, t1 - t0, t2 - t1, zload_rr_count(next),
		       ((double)m1 - (double)m0) / (1 << 20));
		{
			/* The names a reload patches: noted by the IXFR, or found by a walk of both
			 * versions (what a file reload does). */
			zload_names_t *nm = NULL;
			size_t n1, n2;

			t0 = now_ms();
			zload_changes(z, next, &nm);
			zload_names_list(nm, &n1);
			zload_names_free(&nm);
			t1 = now_ms();
			zload_changes(next, z, &nm);
			zload_names_list(nm, &n2);
			zload_names_free(&nm);
			t2 = now_ms();
			printf(
			    "  changed names: %zu noted, %.2f ms; %zu by a walk of both versions, "
			    "%.1f ms\n",
			    n1, t1 - t0, n2, t2 - t1);
		}
		zload_free(&z);
		z = next;
	}
	zload_free(&z);
	return 0;
}
