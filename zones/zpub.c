/* SPDX-License-Identifier: BSD-3-Clause */
/* zpub.c: publish a snapshot with rcu_xchg_pointer, let go of the old one after the grace period */
#include "zpub.h"

zt_t *zpub_snapshot;

void zpub_publish(zt_t *next)
{
	zt_t *old = rcu_xchg_pointer(&zpub_snapshot, next);

	/*
	 * Every reader that could hold OLD passes a quiescent state before this returns; a zone
	 * transfer that must keep it longer took a reference meanwhile (zt_ref()). The published
	 * reference goes: OLD is freed here, or by the last transfer that still reads it.
	 */
	synchronize_rcu();
	zt_free(&old);
}
