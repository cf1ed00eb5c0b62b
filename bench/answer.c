/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * answer.c: sandns-bench, the answer engine alone on one core. Loads zones (by default the
 * sample zones with the sample certificate, so the autodiscover policy is applied), builds a
 * query mix in memory, checks every query's answer once, then answers the mix for a few seconds
 * and prints queries per second. --records N generates a mail domain of N records first. With
 * --zone ORIGIN=FILE the mix is drawn from those zones' own names (zonemix.c) and the answers'
 * rcodes are counted: most of them errors is a failure. --dnssec ORIGIN nsec|nsec3 has the build
 * sign a zone as sandnsd does (keys made in a temporary directory); --do sets EDNS's DO bit on
 * every query, as validating resolvers do.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "burst.h"
#include "cfg.h"
#include "ctl.h"
#include "dgram.h"
#include "dnstap.h"
#include "sandns_err.h"
#include "zonemix.h"
#include "zt.h"

#ifndef SANDNS_SOURCE_ROOT
#define SANDNS_SOURCE_ROOT "."
#endif

#define POOL_SIZE 8192	 /* queries per pool: spreads the random case and the names */
#define QUERY_MAX 300	 /* a question of at most 255 octets, header and OPT */
#define CHECK_EVERY 4096 /* queries between clock reads */
#define GEN_DOMAIN "example.com."
#define MAX_ZONES 64

/* What a kind's answers must be; EXP_ANY: anything, the rcodes counted (a zone's own mix). */
enum expect { EXP_ANSWER, EXP_NODATA, EXP_NXDOMAIN, EXP_ANY };

/* One kind of query in the mix: a name pattern ('%' is replaced by a random host), a type. */
struct kind {
	const char *label;
	const char *name; /* "%" stands for a random label */
	uint16_t type;
	enum expect expect;
};

struct query {
	uint16_t len;
	uint8_t buf[QUERY_MAX];
};

struct pool {
	struct query *q;
	size_t n;
	size_t names; /* distinct names (case aside) */
};

static const char *type_name(uint16_t t)
{
	switch (t) {
	case 1:
		return "A";
	case 2:
		return "NS";
	case 6:
		return "SOA";
	case 15:
		return "MX";
	case 28:
		return "AAAA";
	case 33:
		return "SRV";
	case 0:
		return "*";
	}
	return "?";
}

/* The standard mix over the sample zones: D = example.com, W = example.net. */
static const struct kind sample_kinds[] = {
    {"A", "mail.example.com.", 1, EXP_ANSWER},
    {"SRV", "_autodiscover._tcp.example.com.", 33, EXP_ANSWER},
    {"MX", "example.com.", 15, EXP_ANSWER},
    {"SOA", "example.com.", 6, EXP_ANSWER},
    {"NS", "example.com.", 2, EXP_ANSWER},
    {"wildcard", "%.example.net.", 1, EXP_ANSWER},
    {"NXDOMAIN", "%.example.com.", 1, EXP_NXDOMAIN},
    {"withheld", "autodiscover.example.com.", 1, EXP_NODATA},
    /* Not in the mix (NMIX): a type the wildcard lacks, its NODATA (RFC 5155 7.2.5 with DO). */
    {"wildNODATA", "%.example.net.", 28, EXP_NODATA},
};

/* The same over a generated domain: its hosts are h0000000 ... (random ones asked). */
static const struct kind gen_kinds[] = {
    {"A", "h%." GEN_DOMAIN, 1, EXP_ANSWER},
    {"SRV", "_autodiscover._tcp." GEN_DOMAIN, 33, EXP_ANSWER},
    {"MX", GEN_DOMAIN, 15, EXP_ANSWER},
    {"SOA", GEN_DOMAIN, 6, EXP_ANSWER},
    {"NS", GEN_DOMAIN, 2, EXP_ANSWER},
    {"wildcard", "%.users." GEN_DOMAIN, 1, EXP_ANSWER},
    {"NXDOMAIN", "nx%." GEN_DOMAIN, 1, EXP_NXDOMAIN},
    {"withheld", "autodiscover." GEN_DOMAIN, 1, EXP_NODATA},
    {"wildNODATA", "%.users." GEN_DOMAIN, 28, EXP_NODATA},
};

#define NKINDS (sizeof(sample_kinds) / sizeof(sample_kinds[0]))
/* The standard mix: the first NMIX kinds (the others have a line of their own, or --kind). */
#define NMIX 8
_Static_assert(NKINDS == sizeof(gen_kinds) / sizeof(gen_kinds[0]), "kinds differ");

/* The mix drawn from the zones given (--zone): their own names, and names made up under them. */
static const struct kind zone_kinds[] = {
    {"names", "each (owner, type) of the zones", 0, EXP_ANY},
    {"made-up", "nxXXXXXXXX.ORIGIN", 1, EXP_ANY},
};

static uint64_t rng_state = 0x853c49e6748fea9bull;

/* --do: every query with EDNS and its DO bit (otherwise half of them with EDNS, without DO). */
static bool bench_do;
/* --dnssec: with --do, every answer must carry signatures (check_pool). */
static bool bench_signed;

static uint32_t rnd(void)
{
	/* xorshift64*: reproducible mixes from run to run */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545f4914f6cdd1dull) >> 32);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void die(const char *fmt, const char *arg)
{
	fprintf(stderr, "sandns-bench: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n");
	exit(1);
}

/*
 * Writes the query for the wire name NAME (LEN octets) and TYPE into Q, its letters in random
 * case as resolvers using 0x20 send them; EDNS adds an OPT.
 */
static void make_query_wire(struct query *q, const uint8_t *name, size_t len, uint16_t type,
			    bool edns)
{
	uint8_t *p = q->buf;

	memset(p, 0, 12);
	p[0] = (uint8_t)(rnd() >> 8);
	p[1] = (uint8_t)rnd();
	p[5] = 1; /* QDCOUNT */
	p[11] = edns ? 1 : 0;
	p += 12;
	for (size_t i = 0; i < len;) {
		size_t n = name[i];

		*p++ = name[i++];
		for (size_t k = 0; k < n; k++, i++) {
			uint8_t c = name[i];

			if (c >= 'a' && c <= 'z' && (rnd() & 1))
				c = (uint8_t)(c - 'a' + 'A');
			else if (c >= 'A' && c <= 'Z' && (rnd() & 1))
				c = (uint8_t)(c - 'A' + 'a');
			*p++ = c;
		}
		if (n == 0)
			break;
	}
	*p++ = (uint8_t)(type >> 8);
	*p++ = (uint8_t)type;
	*p++ = 0;
	*p++ = 1; /* IN */
	if (edns) {
		static const uint8_t opt[11] = {0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, 0, 0};

		memcpy(p, opt, sizeof(opt));
		if (bench_do)
			p[7] = 0x80; /* the DO bit, the first of the OPT TTL's flags (RFC 3225) */
		p += sizeof(opt);
	}
	q->len = (uint16_t)(p - q->buf);
}

/* The same for NAME in presentation form (absolute). */
static void make_query(struct query *q, const char *name, uint16_t type, bool edns)
{
	uint8_t wire[256], *p = wire;
	const char *l = name;

	while (*l != '\0' && strcmp(l, ".") != 0) {
		const char *dot = strchr(l, '.');
		size_t n = dot != NULL ? (size_t)(dot - l) : strlen(l);

		*p++ = (uint8_t)n;
		memcpy(p, l, n);
		p += n;
		l += n + (dot != NULL);
	}
	*p++ = 0;
	make_query_wire(q, wire, (size_t)(p - wire), type, edns);
}

/* The first octet of a random word (--word-first): 'q' begins no owner of the sample zones. */
static char word_first = 'q';

/* NAME with each '%' replaced by a random host label among HOSTS (or a random word). */
static void expand(const char *pattern, unsigned long hosts, char *out, size_t len)
{
	const char *pct = strchr(pattern, '%');

	if (pct == NULL) {
		snprintf(out, len, "%s", pattern);
		return;
	}
	if (hosts > 0)
		snprintf(out, len, "%.*s%07lu%s", (int)(pct - pattern), pattern,
			 (unsigned long)rnd() % hosts, pct + 1);
	else
		snprintf(out, len, "%.*s%c%08x%s", (int)(pct - pattern), pattern, word_first, rnd(),
			 pct + 1);
}

/*
 * Answers every query once and checks its rcode and answer count against the kind's; the
 * kinds that take any answer have their rcodes counted, printed as LABEL's, and fail when most
 * are errors.
 */
static void check_pool(const zt_t *zt, const struct pool *pl, const struct kind *const *of,
		       const char *label)
{
	static uint8_t resp[65535];
	const zt_answer_ctx_t ctx = {.transport = ZT_UDP};
	size_t rcodes[16] = {0}, counted = 0, errors = 0;

	for (size_t i = 0; i < pl->n; i++) {
		const struct kind *k = of[i];
		zt_answer_info_t info;
		size_t len =
		    zt_answer(zt, pl->q[i].buf, pl->q[i].len, resp, sizeof(resp), &ctx, &info);
		unsigned an = len >= 12 ? (unsigned)resp[6] << 8 | resp[7] : 0;
		bool ok;

		if (k->expect == EXP_ANY) {
			rcodes[info.rcode & 15]++;
			counted++;
			errors += zonemix_rcode_is_error(info.rcode & 15) || len < 12;
			continue;
		}
		ok = len >= 12 && !info.truncated &&
		     (k->expect == EXP_NXDOMAIN ? info.rcode == 3 && an == 0
		      : k->expect == EXP_NODATA ? info.rcode == 0 && an == 0
						: info.rcode == 0 && an > 0);

		/* signed zones asked with DO: an RRSIG beside the answer, or the SOA's in authority
		 */
		if (ok && bench_do && bench_signed)
			ok = k->expect == EXP_ANSWER ? an >= 2
						     : ((unsigned)resp[8] << 8 | resp[9]) >= 2;
		if (!ok) {
			fprintf(stderr,
				"sandns-bench: the %s query (%s %s) got rcode %u with %u answers, "
				"not what the mix expects: wrong zones, or no --cert?%s\n",
				k->label, k->name, type_name(k->type), info.rcode, an,
				bench_do && bench_signed ? " (signed, DO: signatures expected)"
							 : "");
			exit(1);
		}
	}
	if (counted > 0) {
		char buf[16];

		printf("%-9s rcodes:", label);
		for (unsigned rc = 0; rc < 16; rc++)
			if (rcodes[rc] > 0)
				printf(" %s %zu", zonemix_rcode_name(rc, buf), rcodes[rc]);
		printf(" (of %zu)\n", counted);
		if (errors * 2 > counted) {
			fprintf(stderr,
				"sandns-bench: FAILED: %zu of %zu answers are errors: the zones "
				"do not load as given, or the mix asks what they do not hold\n",
				errors, counted);
			exit(1);
		}
	}
}

/*
 * With --dgram, the queries go through dgram_answer_from() as the UDP threads and the DPDK workers
 * answer them (in place, counted; with --dnstap, logged too), from this client and port.
 */
static const dgram_ctx_t *bench_dg;
static const uint8_t bench_client[4] = {198, 18, 0, 1};

/*
 * With --burst N (and so --dgram), N queries at a time as the DPDK workers take them: each copied
 * into a buffer of its own, the burst read ahead (zt_burst_prepare()), then each answered
 * (dgram_answer_burst()).
 */
static unsigned bench_burst;
static zt_burst_t bench_zb;
/* Each buffer as large as run_mix()'s, a line apart from the next (4096 apart, they would share
 * the same few sets of the first-level cache, which packet buffers do not). */
static struct {
	uint8_t b[4096];
	uint8_t pad[64];
} burst_buf[ZT_BURST_MAX];

/* N queries of the pool from *I on answered as one burst; *I moves past them. */
static void run_burst(const zt_t *zt, const struct pool *pl, size_t *i, unsigned n)
{
	static uint8_t *bufs[ZT_BURST_MAX];
	static const uint8_t *read[ZT_BURST_MAX];
	static uint16_t lens[ZT_BURST_MAX];
	zt_answer_info_t info;

	for (unsigned j = 0; j < n; j++) {
		const struct query *q = &pl->q[*i];

		memcpy(burst_buf[j].b, q->buf, q->len);
		bufs[j] = burst_buf[j].b;
		read[j] = bufs[j];
		lens[j] = q->len;
		if (++*i == pl->n)
			*i = 0;
	}
	zt_burst_prepare(&bench_zb, zt, read, lens, n);
	for (unsigned j = 0; j < n; j++) {
		uint8_t act = RRL_SEND;

		dgram_answer_burst(bench_dg, zt, &bench_zb, j, bufs[j], lens[j],
				   sizeof(burst_buf[j].b), bench_client, 4, &info, &act);
	}
}

/* run_mix() with --burst: the pool answered BENCH_BURST queries at a time. */
__attribute__((noinline)) static uint64_t run_bursts(const zt_t *zt, const struct pool *pl,
						     uint64_t iterations, double seconds)
{
	double end = seconds > 0 ? now_s() + seconds : 0;
	uint64_t done = 0;
	size_t i = 0;

	for (;;) {
		for (unsigned b = 0; b < CHECK_EVERY; b += bench_burst)
			run_burst(zt, pl, &i,
				  CHECK_EVERY - b < bench_burst ? CHECK_EVERY - b : bench_burst);
		done += CHECK_EVERY;
		if (iterations > 0 ? done >= iterations : now_s() >= end)
			return done;
	}
}

/* The timed loop: answers the pool round and round. Not inlined: callgrind counts this alone. */
__attribute__((noinline)) static uint64_t run_mix(const zt_t *zt, const struct pool *pl,
						  uint64_t iterations, double seconds)
{
	static uint8_t resp[4096];
	const zt_answer_ctx_t ctx = {.transport = ZT_UDP};
	zt_answer_info_t info;
	double end = seconds > 0 ? now_s() + seconds : 0;
	uint64_t done = 0;
	size_t i = 0;

	if (bench_burst > 0)
		return run_bursts(zt, pl, iterations, seconds);
	for (;;) {
		for (unsigned b = 0; b < CHECK_EVERY; b++) {
			const struct query *q = &pl->q[i];

			if (bench_dg != NULL) {
				uint8_t act = RRL_SEND;

				memcpy(resp, q->buf, q->len);
				dgram_answer_from(bench_dg, zt, resp, q->len, sizeof(resp),
						  bench_client, 4, 53000, &info, &act);
			} else {
				zt_answer(zt, q->buf, q->len, resp, sizeof(resp), &ctx, &info);
			}
			if (++i == pl->n)
				i = 0;
		}
		done += CHECK_EVERY;
		if (iterations > 0 ? done >= iterations : now_s() >= end)
			return done;
	}
}

/* The CPU time this thread has run: what a shared machine's other processes do not add to. */
static double cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Queries a second of the clock (*NS: its nanoseconds a query) and, into *CPU_MQPS, a second
 * of this thread's CPU time. */
static double measure(const zt_t *zt, const struct pool *pl, uint64_t iterations, double seconds,
		      double *ns, double *cpu_mqps)
{
	double t0 = now_s(), c0 = cpu_s(), dt;
	uint64_t n = run_mix(zt, pl, iterations, seconds);

	dt = now_s() - t0;
	*cpu_mqps = (double)n / (cpu_s() - c0) / 1e6;
	*ns = dt * 1e9 / (double)n;
	return (double)n / dt / 1e6;
}

/*
 * Room for a pool's POOL_SIZE queries (2.4 MiB), zeroed, in 2 MiB pages where the kernel gives
 * them (THP in madvise mode takes MADV_HUGEPAGE): the engine's snapshot is in huge pages, and the
 * benchmark's own reads should not add a page walk every 13 queries that the workers' frames
 * (DPDK's hugepage mempools) do not. Freed with free().
 */
static struct query *pool_alloc(void)
{
	const size_t huge = 2u << 20;
	const size_t size = (POOL_SIZE * sizeof(struct query) + huge - 1) & ~(huge - 1);
	struct query *q = aligned_alloc(huge, size);

	if (q == NULL)
		die("%s", "out of memory");
	(void)madvise(q, size, MADV_HUGEPAGE);
	memset(q, 0, size);
	return q;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A pool of POOL_SIZE queries of the kinds in KINDS (half with EDNS), in a random order. */
static void make_pool(struct pool *pl, const struct kind *kinds, size_t nkinds, unsigned long hosts,
		      const struct kind **of)
{
	char name[512], **names;

	pl->n = POOL_SIZE;
	pl->q = pool_alloc();
	names = calloc(POOL_SIZE, sizeof(*names));
	if (names == NULL)
		die("%s", "out of memory");
	for (size_t i = 0; i < POOL_SIZE; i++) {
		const struct kind *k = &kinds[(i / 2) % nkinds];

		expand(k->name, strncmp(k->name, "h%", 2) == 0 ? hosts : 0, name, sizeof(name));
		make_query(&pl->q[i], name, k->type, bench_do || i % 2 == 1);
		of[i] = k;
		names[i] = strdup(name);
		if (names[i] == NULL)
			die("%s", "out of memory");
	}
	/* distinct names asked (the pool repeats the fixed ones) */
	qsort(names, POOL_SIZE, sizeof(*names), cmp_str);
	pl->names = 0;
	for (size_t i = 0; i < POOL_SIZE; i++) {
		pl->names += i == 0 || strcmp(names[i], names[i - 1]) != 0;
		if (i > 0)
			free(names[i - 1]);
	}
	free(names[POOL_SIZE - 1]);
	free(names);
	/* shuffle, so that no branch predictor learns the order */
	for (size_t i = POOL_SIZE - 1; i > 0; i--) {
		size_t j = rnd() % (i + 1);
		struct query t = pl->q[i];
		const struct kind *tk = of[i];

		pl->q[i] = pl->q[j];
		pl->q[j] = t;
		of[i] = of[j];
		of[j] = tk;
	}
}

/*
 * A pool of POOL_SIZE queries drawn at random from MIX (half with EDNS): its own names (WHICH
 * 0), the made-up ones (1) or both (-1); their kinds from zone_kinds.
 */
static void make_pool_mix(struct pool *pl, const struct zonemix *mix, int which,
			  const struct kind **of)
{
	size_t *idx = calloc(mix->n, sizeof(*idx)), nidx = 0, *seen;

	pl->n = POOL_SIZE;
	pl->q = pool_alloc();
	seen = calloc(mix->n, sizeof(*seen));
	if (idx == NULL || pl->q == NULL || seen == NULL)
		die("%s", "out of memory");
	for (size_t i = 0; i < mix->n; i++)
		if (which < 0 || mix->q[i].nx == which)
			idx[nidx++] = i;
	if (nidx == 0)
		die("%s", "the zones have no names to ask");
	pl->names = 0;
	for (size_t i = 0; i < POOL_SIZE; i++) {
		size_t j = idx[rnd() % nidx];
		const struct zonemix_q *q = &mix->q[j];

		make_query_wire(&pl->q[i], q->name, q->name_len, q->type, bench_do || i % 2 == 1);
		of[i] = &zone_kinds[q->nx];
		pl->names += seen[j]++ == 0;
	}
	free(seen);
	free(idx);
}

/* Writes a mail domain of about RECORDS records to PATH: the apex, mail, autodiscover, hosts. */
static void generate_zone(const char *path, unsigned long records, unsigned long *hosts)
{
	FILE *f = fopen(path, "w");
	unsigned long fixed = 12, h;

	if (f == NULL)
		die("cannot write %s", path);
	fprintf(f, "$ORIGIN " GEN_DOMAIN "\n$TTL 3600\n"
		   "@ IN SOA ns1 hostmaster 2026112601 7200 3600 1209600 300\n"
		   "@ IN NS ns1\n@ IN NS ns2\n@ IN MX 10 mail\n@ IN A 198.18.4.10\n"
		   "ns1 IN A 198.18.4.53\nns2 IN A 198.18.5.53\n"
		   "mail IN A 198.18.4.25\nmail IN AAAA 2001:db8:4::25\n"
		   "autodiscover IN A 198.18.4.25\nautodiscover IN AAAA 2001:db8:4::25\n"
		   "*.users IN A 198.18.4.80\n");
	*hosts = records > fixed ? records - fixed : 1;
	for (h = 0; h < *hosts; h++)
		fprintf(f, "h%07lu IN A 10.%lu.%lu.%lu\n", h, (h >> 16) & 255, (h >> 8) & 255,
			h & 255);
	if (fclose(f) != 0)
		die("cannot write %s", path);
}

/* The temporary key directory of --dnssec, removed with its keys at exit. */
static char key_dir[] = "/tmp/sandns-bench-keys-XXXXXX";
static bool key_dir_made;

static void key_dir_remove(void)
{
	DIR *d = key_dir_made ? opendir(key_dir) : NULL;
	struct dirent *de;
	char path[sizeof(key_dir) + 300];

	while (d != NULL && (de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", key_dir, de->d_name);
		unlink(path);
	}
	if (d != NULL) {
		closedir(d);
		rmdir(key_dir);
	}
}

static long rss_kib(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kib = -1;

	while (f != NULL && fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
			break;
	if (f != NULL)
		fclose(f);
	return kib;
}

static void usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: sandns-bench [--zone ORIGIN=FILE]... [--cert FILE]... [--records N]\n"
	    "                    [--seconds S] [--warmup S] [--iterations N] [--cpu N] [--quick]\n"
	    "\n"
	    "The answer engine alone, on one core: a query mix answered in memory.\n"
	    "  default            the sample zones and certificate (zones/sample/ of the source\n"
	    "                     tree this program was built from)\n"
	    "  --zone ORIGIN=FILE a zone to load instead (repeatable): the mix is drawn from its\n"
	    "                     own names, and names made up under ORIGIN; the rcodes counted\n"
	    "  --records N        generate a mail domain " GEN_DOMAIN " of N records instead\n"
	    "  --seconds S        how long the whole mix runs (3); --warmup S before it (0.5)\n"
	    "  --iterations N     a fixed number of queries instead of a time (for callgrind)\n"
	    "  --cpu N            pin to CPU N\n"
	    "  --dgram            answer as the UDP threads do (dgram_answer: in place, counted)\n"
	    "  --dnstap FILE      --dgram with the query log on, written to FILE\n"
	    "  --burst N          --dgram N queries at a time (1..32), read ahead as the DPDK\n"
	    "                     workers read their bursts (zt_burst_prepare())\n"
	    "  --dnssec 'ORIGIN nsec|nsec3'  sign zone ORIGIN as sandnsd does (repeatable; the\n"
	    "                     keys made in a temporary directory, removed at exit)\n"
	    "  --do               every query with EDNS and the DO bit (else half with EDNS, no "
	    "DO)\n"
	    "  --quick            only the whole mix, not one line per kind of query\n"
	    "  --kind LABEL       the timed mix is that kind's queries alone (a label of the\n"
	    "                     per-kind lines, e.g. wildNODATA: not in the standard mix)\n"
	    "  --word-first C     the random words of missing and wildcard names begin with the\n"
	    "                     letter C, not q (m: as owners of the sample zones begin)\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"zone", required_argument, NULL, 'z'},
	    {"cert", required_argument, NULL, 'c'},
	    {"records", required_argument, NULL, 'r'},
	    {"seconds", required_argument, NULL, 's'},
	    {"warmup", required_argument, NULL, 'w'},
	    {"iterations", required_argument, NULL, 'i'},
	    {"cpu", required_argument, NULL, 'p'},
	    {"quick", no_argument, NULL, 'q'},
	    {"dgram", no_argument, NULL, 'g'},
	    {"dnstap", required_argument, NULL, 't'},
	    {"dnssec", required_argument, NULL, 'd'},
	    {"do", no_argument, NULL, 'D'},
	    {"burst", required_argument, NULL, 'b'},
	    {"kind", required_argument, NULL, 'k'},
	    {"word-first", required_argument, NULL, 'W'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	char *conf = NULL, err[2048], gen_path[] = "/tmp/sandns-bench-XXXXXX";
	size_t conf_len = 0;
	FILE *conf_f = open_memstream(&conf, &conf_len);
	double seconds = 3, warmup = 0.5, t0, build_s, mqps, ns, cpu_mqps;
	unsigned long records = 0, hosts = 0;
	uint64_t iterations = 0;
	bool quick = false, own_zones = false, own_certs = false, signs = false;
	const struct kind *kinds = sample_kinds;
	const struct kind **of;
	const char *zone_specs[MAX_ZONES];
	size_t nzone_specs = 0, nkinds = NKINDS;
	struct zonemix mix = {NULL, 0, 0};
	static uint64_t dg_stats[DGRAM_STAT_COUNT], dg_detail[DGRAM_DETAIL];
	dgram_ctx_t dg = {.stats = dg_stats, .detail = dg_detail};
	const char *tap_file = NULL, *only = NULL;
	size_t only_k = 0;
	dnstap_t *tap = NULL;
	bool use_dg = false;
	struct pool pool;
	ctl_build_t b;
	cfg_t *cfg;
	int c, cpu = -1;
	long rss0;

	if (conf_f == NULL)
		die("%s", "out of memory");
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'z':
			fprintf(conf_f, "zone %s\n", optarg);
			own_zones = true;
			if (nzone_specs == MAX_ZONES)
				die("more than %s --zone", "64");
			zone_specs[nzone_specs++] = optarg;
			break;
		case 'c':
			fprintf(conf_f, "cert %s\n", optarg);
			own_certs = true;
			break;
		case 'r':
			records = strtoul(optarg, NULL, 10);
			break;
		case 's':
			seconds = strtod(optarg, NULL);
			break;
		case 'w':
			warmup = strtod(optarg, NULL);
			break;
		case 'i':
			iterations = strtoull(optarg, NULL, 10);
			break;
		case 'p':
			cpu = atoi(optarg);
			break;
		case 'q':
			quick = true;
			break;
		case 'g':
			use_dg = true;
			break;
		case 't':
			tap_file = optarg;
			use_dg = true;
			break;
		case 'd':
			fprintf(conf_f, "dnssec %s\n", optarg);
			signs = true;
			bench_signed = true;
			break;
		case 'D':
			bench_do = true;
			break;
		case 'b':
			bench_burst = (unsigned)strtoul(optarg, NULL, 10);
			if (bench_burst < 1 || bench_burst > ZT_BURST_MAX)
				die("--burst %s: from 1 to 32 queries", optarg);
			use_dg = true;
			break;
		case 'k':
			only = optarg;
			break;
		case 'W':
			if (strlen(optarg) != 1 || optarg[0] < 'a' || optarg[0] > 'z')
				die("--word-first %s: one letter a-z", optarg);
			word_first = optarg[0];
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		usage(stderr);
		return 2;
	}
	if (cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set) != 0)
			die("cannot pin to the CPU: %s", strerror(errno));
	}
	if (records > 0) {
		int fd = mkstemp(gen_path);

		if (fd < 0)
			die("cannot create %s", gen_path);
		close(fd);
		t0 = now_s();
		generate_zone(gen_path, records, &hosts);
		fprintf(stderr, "generated %s: %lu records in %.2f s\n", gen_path, records,
			now_s() - t0);
		fprintf(conf_f, "zone " GEN_DOMAIN " %s\n", gen_path);
		kinds = gen_kinds;
		own_zones = true;
	}
	if (!own_zones)
		fprintf(conf_f,
			"zone example.com. " SANDNS_SOURCE_ROOT "/zones/sample/example.com.zone\n"
			"zone example.net. " SANDNS_SOURCE_ROOT "/zones/sample/example.net.zone\n");
	if (!own_certs)
		fprintf(conf_f, "cert " SANDNS_SOURCE_ROOT "/zones/sample/mail.example.com.pem\n");
	if (signs) {
		if (mkdtemp(key_dir) == NULL)
			die("cannot create %s", key_dir);
		key_dir_made = true;
		atexit(key_dir_remove);
		fprintf(conf_f, "dnssec-key-dir %s\n", key_dir);
	}
	if (fclose(conf_f) != 0)
		die("%s", "out of memory");

	cfg = cfg_new();
	if (cfg == NULL ||
	    cfg_load_string(cfg, conf, "sandns-bench", NULL, err, sizeof(err)) != 0 ||
	    cfg_check(cfg, err, sizeof(err)) != 0)
		die("%s", err);
	rss0 = rss_kib();
	t0 = now_s();
	if (ctl_build(cfg, NULL, NULL, &b, err, sizeof(err)) != SANDNS_EOK)
		die("%s", err);
	build_s = now_s() - t0;
	if (records > 0)
		unlink(gen_path);
	printf("build: %zu records in %zu zones loaded, policy applied and compiled in %.3f s; "
	       "snapshot %.1f MiB; process RSS %.1f MiB (+%.1f MiB)\n",
	       b.records, b.nzones, build_s, (double)zt_memsize(b.zt) / 1048576.0,
	       (double)rss_kib() / 1024.0, (double)(rss_kib() - rss0) / 1024.0);

	if (only != NULL) {
		while (only_k < NKINDS && strcmp(kinds[only_k].label, only) != 0)
			only_k++;
		if (only_k == NKINDS || (nzone_specs > 0 && records == 0))
			die("--kind %s: no such kind of the standard mix's zones", only);
		quick = true;
	}
	if (nzone_specs > 0 && records == 0) {
		for (size_t z = 0; z < nzone_specs; z++)
			if (zonemix_add(&mix, zone_specs[z], err, sizeof(err)) != 0)
				die("%s", err);
		kinds = zone_kinds;
		nkinds = sizeof(zone_kinds) / sizeof(zone_kinds[0]);
	}
	if (tap_file != NULL) {
		tap = dnstap_open(tap_file, 1, DNSTAP_LOG_QUERIES | DNSTAP_LOG_RESPONSES,
				  "sandns-bench", NULL, err, sizeof(err));
		if (tap == NULL)
			die("%s", err);
		dg.tap = dnstap_queue(tap);
	}
	if (use_dg)
		bench_dg = &dg;
	zt_burst_init(&bench_zb);
	of = calloc(POOL_SIZE, sizeof(*of));
	if (of == NULL)
		die("%s", "out of memory");
	if (!quick && iterations == 0) {
		for (size_t k = 0; k < nkinds; k++) {
			/* A kind past the mix gives the generator its state back: the mix's
			 * names stay those of the standard mix. */
			uint64_t rng_saved = rng_state;

			if (mix.n > 0)
				make_pool_mix(&pool, &mix, (int)k, of);
			else
				make_pool(&pool, &kinds[k], 1, hosts, of);
			if (k >= NMIX)
				rng_state = rng_saved;
			check_pool(b.zt, &pool, of, kinds[k].label);
			run_mix(b.zt, &pool, 0, warmup / 4);
			mqps = measure(b.zt, &pool, 0, seconds / 4, &ns, &cpu_mqps);
			/* The clock's rate is the CPU's share a loaded machine gives the thread:
			 * its own CPU time says what a query costs. */
			printf("%-9s %-30s %-3s %6.1f Mqps, %6.1f ns/query, %6.1f ns of CPU time\n",
			       kinds[k].label, kinds[k].name, type_name(kinds[k].type), mqps, ns,
			       1e3 / cpu_mqps);
			free(pool.q);
		}
	}
	if (mix.n > 0)
		make_pool_mix(&pool, &mix, -1, of);
	else if (only != NULL)
		make_pool(&pool, &kinds[only_k], 1, hosts, of);
	else
		make_pool(&pool, kinds, NMIX, hosts, of);
	check_pool(b.zt, &pool, of, "mix");
	if (iterations == 0)
		run_mix(b.zt, &pool, 0, warmup);
	mqps = measure(b.zt, &pool, iterations, seconds, &ns, &cpu_mqps);
	{
		char zones[512] = "";
		size_t off = 0;

		for (size_t z = 0; z < b.nzones && off < sizeof(zones); z++)
			off += (size_t)snprintf(zones + off, sizeof(zones) - off, "%s%s",
						z > 0 ? "," : "", b.zones[z].origin);
		printf("answer: %.1f Mqps/core, %.1f ns/query (mix=%s, zone=%s, names=%zu%s%s%s)\n",
		       mqps, ns,
		       mix.n > 0      ? "zone"
		       : only != NULL ? only
				      : "standard",
		       zones, pool.names, signs ? ", signed" : "", bench_do ? ", do" : "",
		       tap != NULL ? ", dgram, dnstap"
		       : use_dg	   ? ", dgram"
				   : "");
		printf("cpu: %.1f Mqps a second of the thread's CPU time\n", cpu_mqps);
		if (bench_burst > 0)
			printf(
			    "burst: %u queries at a time (zt_burst_prepare, dgram_answer_burst)\n",
			    bench_burst);
	}
	if (tap != NULL) {
		uint64_t queued, dropped;

		dnstap_counts(tap, &queued, &dropped);
		printf("dnstap: %llu messages queued, %llu dropped (the log could not keep up)\n",
		       (unsigned long long)queued, (unsigned long long)dropped);
		(void)dnstap_close(tap);
	}
	free(pool.q);
	free(of);
	zonemix_free(&mix);
	ctl_build_clear(&b);
	cfg_free(&cfg);
	free(conf);
	return 0;
}
