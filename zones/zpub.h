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

#endif
