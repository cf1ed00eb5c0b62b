/* SPDX-License-Identifier: BSD-3-Clause */
/* fuzz_common.h: what the libFuzzer targets share: the served snapshot, queries, the checks */
#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cfg.h"
#include "zt.h"

/* The libFuzzer entry points (no header of libFuzzer's declares them for C). */
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * A broken invariant: prints the reason and aborts, which libFuzzer reports as a crash and
 * saves the input as a reproducer.
 */
#define FZ_CHECK(cond, ...)                                                                        \
	do {                                                                                       \
		if (!(cond))                                                                       \
			fz_fail(__FILE__, __LINE__, #cond, __VA_ARGS__);                           \
	} while (0)

__attribute__((noreturn, format(printf, 4, 5))) void
fz_fail(const char *file, int line, const char *cond, const char *fmt, ...);

/*
 * The configuration the fuzzed snapshot is built from: the sample zones (zones/sample) with the
 * sample certificate, so the autodiscover policy's edits are compiled in, and the peer zones of
 * the differential test (tests/data/peer: delegations, DNAME, wildcards, CNAME chains), with
 * CHAOS identity and version. EXTRA (whole lines, may be NULL) is appended. Exits on failure.
 */
cfg_t *fz_config(const char *extra);

/* The snapshot of fz_config(NULL), compiled once (later calls return the same one). */
const zt_t *fz_snapshot(void);

/* A query for NAME (presentation form, absolute, no escapes) and QTYPE, class IN, into BUF
 * (512 bytes at least); its length. */
size_t fz_query(uint8_t *buf, uint16_t id, const char *name, uint16_t qtype);

/*
 * The invariants of any zt_answer() result: LEN (the return) within CAP; nothing sent only
 * when INFO says dropped or xfr; otherwise a header at least, the query's ID, QR set, and the
 * rcode and TC of INFO; and the message parses (ldns). Aborts through FZ_CHECK otherwise.
 */
void fz_check_answer(const uint8_t *query, size_t qlen, const uint8_t *resp, size_t len, size_t cap,
		     const zt_answer_info_t *info);

/*
 * Runs the zone transfer QUERY asks for (after zt_answer() said info->xfr) and checks every
 * message: a header, the query's ID, QR, at most 65535 octets, parses; SOA first and last.
 */
void fz_check_xfr(const zt_t *zt, const uint8_t *query, size_t qlen);

#endif
