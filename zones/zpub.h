/* SPDX-License-Identifier: BSD-3-Clause */
/* zpub.h: the one published snapshot, read with urcu-qsbr and swapped whole */
#ifndef ZPUB_H
#define ZPUB_H

#include <urcu-qsbr.h>

#include "zt.h"

/* Readers: register with rcu_register_thread(), call zpub_current() once per batch of
 * queries and rcu_quiescent_state() between batches; never keep the pointer past it without
 * a reference taken before it (zt_ref(), as a zone transfer does; zt_free() drops it). */
extern zt_t *zpub_snapshot;

static inline const zt_t *zpub_current(void)
{
	return rcu_dereference(zpub_snapshot);
}

/*
 * Writer (one control thread at a time): publishes NEXT (taking its reference), waits for the
 * grace period and drops the reference of the snapshot it replaced (freed unless a transfer
 * still holds one). NEXT may be NULL at shutdown.
 */
void zpub_publish(zt_t *next);

/*
 * zpub_publish() in two steps, for a writer that must say what it serves in between: the swap
 * (NEXT visible to new readers; returns the snapshot it replaced) and the retirement (waits for
 * the grace period, then drops OLD's published reference). synchronize_rcu() needs no
 * registration of the calling thread with urcu-qsbr, so any writer thread may call it (not a
 * registered reader while online).
 */
zt_t *zpub_swap(zt_t *next);
void zpub_retire(zt_t *old);

#endif
