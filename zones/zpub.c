/* SPDX-License-Identifier: BSD-3-Clause */
/* zpub.c: publish a snapshot with rcu_xchg_pointer, free the old one after the grace period */
#include "zpub.h"

zt_t *zpub_snapshot;

void zpub_publish(zt_t *next)
{
	zt_t *old = rcu_xchg_pointer(&zpub_snapshot, next);

	/* Every reader that could hold OLD passes a quiescent state before this returns. */
	synchronize_rcu();
	zt_free(&old);
}
