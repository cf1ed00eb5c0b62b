/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sandns-memlat: what one random cache line costs this host, by how much memory the lines are
 * drawn from: the figure that bounds a large snapshot's lookups (bench/RESULTS.md, issue 16).
 *
 *   sandns-memlat [MIB...]        (default 2 16 64 180)
 *
 * For each size, an anonymous area of MIB MiB (2 MiB aligned) is taken twice, once with
 * MADV_HUGEPAGE and once with MADV_NOHUGEPAGE, filled, and read at random lines in two ways:
 * "chase", each read's address taken from the line read before (the latency of one line, as a
 * lookup that waits for its slot, then its node, then its name); "burst", 32 addresses made
 * first and prefetched, then the 32 lines read (as zt_burst_prepare() does: how many lines a
 * second when nothing waits for another). Each prints nanoseconds a line of this thread's CPU
 * time and the area's AnonHugePages (0: the kernel gave no huge pages). In a virtual machine
 * whose host backs the guest's memory with 4 KiB pages, the 2 MiB pages change little: each
 * line far from the last one also waits for a page walk through the host's tables.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#define LINE 64
#define READS 4000000u /* lines read per measure */
#define BURST 32

static uint64_t rng = 0x9e3779b97f4a7c15ull;

/* xorshift64: addresses no hardware prefetcher predicts. */
static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static double cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* The AnonHugePages (KiB) of the mapping that holds P, from /proc/self/smaps; -1: not found. */
static long huge_kib(const void *p)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[512];
	bool in = false;
	long kib = -1;

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		unsigned long lo, hi;

		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2) /* a mapping's first line */
			in = (uintptr_t)p >= lo && (uintptr_t)p < hi;
		else if (in && strncmp(line, "AnonHugePages:", 14) == 0) {
			kib = atol(line + 14);
			break;
		}
	}
	fclose(f);
	return kib;
}

/* One size, huge pages asked for or refused: prints its two figures. 0, or -1 without memory. */
static int measure(size_t mib, int advice, const char *label)
{
	const size_t align = 2u << 20, size = mib << 20, lines = size / LINE;
	uint8_t *map, *p;
	uint32_t *order;
	uint64_t at = 0, sum = 0;
	double t;

	map = mmap(NULL, size + align, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	order = malloc(lines * sizeof(*order));
	if (map == MAP_FAILED || order == NULL) {
		fprintf(stderr, "sandns-memlat: %zu MiB: out of memory\n", mib);
		return -1;
	}
	p = (uint8_t *)(((uintptr_t)map + align - 1) & ~(uintptr_t)(align - 1));
	(void)madvise(p, size, advice);
	memset(p, 1, size);
	/* One cycle through every line in a random order: each line names the next one's offset. */
	for (size_t i = 0; i < lines; i++)
		order[i] = (uint32_t)i;
	for (size_t i = lines - 1; i > 0; i--) {
		size_t j = rnd() % (i + 1);
		uint32_t x = order[i];

		order[i] = order[j];
		order[j] = x;
	}
	for (size_t i = 0; i < lines; i++)
		*(uint64_t *)(p + (size_t)order[i] * LINE) =
		    (uint64_t)order[(i + 1) % lines] * LINE;
	free(order);

	t = cpu_s();
	for (unsigned i = 0; i < READS; i++)
		at = *(volatile uint64_t *)(p + at);
	t = cpu_s() - t;
	printf("%5zu MiB %-9s chase %6.1f ns a line", mib, label, t * 1e9 / READS);

	t = cpu_s();
	for (unsigned i = 0; i < READS; i += BURST) {
		size_t off[BURST];

		for (unsigned k = 0; k < BURST; k++) {
			off[k] = (size_t)(rnd() % lines) * LINE;
			__builtin_prefetch(p + off[k]);
		}
		for (unsigned k = 0; k < BURST; k++)
			sum += *(volatile uint64_t *)(p + off[k]);
	}
	t = cpu_s() - t;
	printf(", burst %5.1f ns a line, AnonHugePages %ld MiB%s\n", t * 1e9 / READS,
	       huge_kib(p) / 1024, sum + at == 1 ? " " : "");
	munmap(map, size + align);
	return 0;
}

int main(int argc, char **argv)
{
	static const size_t sizes[] = {2, 16, 64, 180};
	size_t n = argc > 1 ? (size_t)argc - 1 : sizeof(sizes) / sizeof(sizes[0]);

	for (size_t i = 0; i < n; i++) {
		size_t mib = argc > 1 ? strtoul(argv[i + 1], NULL, 10) : sizes[i];

		if (mib < 1 || mib > 16384) {
			fprintf(stderr, "sandns-memlat: %s: a size from 1 to 16384 MiB\n",
				argv[i + 1]);
			return 2;
		}
		if (measure(mib, MADV_HUGEPAGE, "huge") != 0 ||
		    measure(mib, MADV_NOHUGEPAGE, "4k-pages") != 0)
			return 1;
	}
	return 0;
}
