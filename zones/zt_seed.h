/* SPDX-License-Identifier: BSD-3-Clause */
/* zt_seed.h: a snapshot's first patch given memory made ahead */
#ifndef ZT_SEED_H
#define ZT_SEED_H

#include <stdbool.h>
#include <stddef.h>

#include "zt.h"

/*
 * For ZT, a snapshot served that a whole compile made (its transfer orders waited for), and
 * those of its zones OFTEN(ARG, origin) says are patched often: mappings of the sizes of the
 * arrays a patch of one makes again (and of the index), made now with their pages faulted in
 * and kept for that patch, unless kept ones fit already (none for a patched ZT). Tens of ms for
 * a zone of millions of names: a thread that serves nothing calls it. How many were made.
 */
size_t zt_seed_spares(const zt_t *zt, bool (*often)(void *arg, const char *origin), void *arg);

#endif
