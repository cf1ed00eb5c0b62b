/* SPDX-License-Identifier: BSD-3-Clause */
/* zpub.c: publish a snapshot with rcu_xchg_pointer, let go of the old one after the grace period */
#include "zpub.h"

zt_t *zpub_snapshot;

zt_t *zpub_swap(zt_t *next)
{
	return rcu_xchg_pointer(&zpub_snapshot, next);
}

void zpub_retire(zt_t *old)
{
	/*
	 * Every reader that could hold OLD passes a quiescent state before this returns; a zone
	 * transfer that must keep it longer took a reference meanwhile (zt_ref()). The published
	 * reference goes: OLD is freed here, or by the last transfer that still reads it.
	 */
	synchronize_rcu();
	zt_free(&old);
}

void zpub_publish(zt_t *next)
{
	zpub_retire(zpub_swap(next));
}
