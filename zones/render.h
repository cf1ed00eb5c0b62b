/* SPDX-License-Identifier: BSD-3-Clause */
/* render.h: a resolver's answer to DNS wire format, compressed as Knot compresses (zones/ only) */
#ifndef RENDER_H
#define RENDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "resolve.h"
#include "zt_pvt.h"

typedef struct rbuf {
	uint8_t *buf;
	size_t cap;
	size_t len;
	size_t limit; /* for truncation: rendering stops (and counts) past it */
	uint16_t dict[1024];
	unsigned ndict;
	uint16_t fix[512];
	unsigned nfix;
	uint16_t max_ptr;
	size_t sfx_pos; /* Knot-style compression: the one reference name */
	unsigned sfx_labels;
	unsigned q_labels; /* labels of the question name */
	size_t owner_pos;  /* where the last RRset's first owner was written */
	unsigned anchor_labels;
	bool reloc;
	bool tc;  /* an answer or authority RRset, or required glue, did not fit */
	bool cut; /* an answer or authority RRset did not fit (over TCP: SERVFAIL, as Knot) */
	int err;
} rbuf_t;

/*
 * Starts a message in RB: header space and the question QNAME/QTYPE/QCLASS at offset 12.
 * RELOC: the question name stands for any name below its ANCHOR_LABELS last labels; only those
 * suffixes are offered for compression, and pointers that would move are recorded as fix-ups.
 */
void rbuf_start(rbuf_t *rb, uint8_t *buf, size_t cap, const uint8_t *qname, uint16_t qtype,
		uint16_t qclass, bool reloc, unsigned anchor_labels);

/*
 * Appends the resolver's records, whole RRsets up to rb->limit as Knot does: each section's
 * RRsets, then their signatures (res_item_t.sig). What does not fit in the answer or authority
 * section stops the message with rb->tc; additional RRsets that do not fit are skipped (rb->tc
 * when they were required glue), their signatures only as far as they fit. Returns the counts
 * per section; R's items note what was written (res_item_t.put).
 */
void rbuf_put_res(rbuf_t *rb, const zt_t *zt, res_t *r, uint16_t counts[3]);

#endif
