/* SPDX-License-Identifier: BSD-3-Clause */
/* zt_order.h: each zone's transfer order and NSEC chain (canonical order), sorted now or later */
#ifndef ZT_ORDER_H
#define ZT_ORDER_H

#include <stddef.h>
#include <stdint.h>

#include "zt_pvt.h"

/* Tests set it: from how many nodes a transfer order is sorted after zt_new() (65536). */
extern size_t zt_order_async_min;

/* How many NSEC RRsets (*NN) and RRsets in all (*NA) zone Z holds. */
void zt_order_counts(const zt_t *zt, uint32_t z, uint32_t *nn, uint32_t *na);

/*
 * Zone Z's NSEC owners and transfer order (zone->nsec, zone->axfr): every RRset but the SOA,
 * nodes in canonical order. 0 or -ENOMEM.
 */
int zt_order_zone(zt_t *zt, uint32_t z);

/* Sets up the job for the zones whose transfer order waits (order_later; none: no job). */
int zt_order_job_new(zt_t *zt);

/* Ends the job (joins its thread) and frees it: zt_free(). */
void zt_order_job_free(zt_t *zt);

/*
 * Waits until the transfer orders of ZT's zones are there (a large unsigned zone's is sorted
 * after zt_new(): see zt_order_start()), sorting them here if no thread does; 0, or -ENOMEM
 * when that sort failed. Transfers call it first.
 */
int zt_order_wait(const zt_t *zt);

/*
 * zt_order_wait() without the wait: 0 when the orders are there, -EAGAIN while they are being
 * sorted (or zt_order_start() has not yet been called), another error when the sort failed.
 * Never blocks, unless no thread could be started: then it sorts here, once, as the wait would.
 */
int zt_order_ready(const zt_t *zt);

#endif
