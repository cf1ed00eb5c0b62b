/* SPDX-License-Identifier: BSD-3-Clause */
/* zt_seed.h: a snapshot's first patch given memory made ahead */
#ifndef ZT_SEED_H
#define ZT_SEED_H

#include <stddef.h>

#include "zt.h"

/*
 * For ZT, a snapshot served that a whole compile made (its transfer orders waited for):
 * mappings of the sizes of the arrays a patch of it makes again, made now with their pages
 * faulted in and kept for that patch, unless kept ones fit already (none for a patched ZT).
 * Tens of ms for a zone of millions of names: a thread that serves nothing calls it. How many
 * mappings were made.
 */
size_t zt_seed_spares(const zt_t *zt);

#endif
