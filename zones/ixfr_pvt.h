/* SPDX-License-Identifier: BSD-3-Clause */
/* ixfr_pvt.h: the layout of changesets and histories (zones/ixfr_*.c only) */
#ifndef IXFR_PVT_H
#define IXFR_PVT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ixfr.h"

struct ixfr_cs {
	unsigned refs; /* atomic */
	uint32_t from, to;
	size_t new_soa;	    /* offset of the new SOA in data */
	size_t new_soa_len; /* its length */
	size_t len;
	uint8_t data[]; /* SOA old, deletions, SOA new, additions */
};

struct ixfr_hist {
	unsigned refs; /* atomic */
	size_t n;
	uint64_t bytes;
	/*
	 * The journal's bookkeeping, set by ixfr_pub.c before the snapshot is published: how many
	 * records and octets the file holds, whether it ends with this history's last changeset.
	 * FILE_TODO: what ixfr_pub_commit() still has to write once the snapshot is served (an
	 * IXFR_FILE_* of ixfr_pub.c); FILE_SYNCED is set only when that is on disk.
	 */
	unsigned file_recs;
	uint64_t file_bytes;
	bool file_synced;
	unsigned char file_op;
	struct ixfr_cs *cs[]; /* oldest first */
};

/* Length of the wire RR at P (an uncompressed owner) within LEFT octets; 0 if it is not whole. */
size_t ixfr_rr_len(const uint8_t *p, size_t left);

#endif
