/* SPDX-License-Identifier: BSD-3-Clause */
/* zt_patch_rec.h: what zt_free() needs of a patched snapshot's record (zt_patch_rec.c) */
#ifndef ZT_PATCH_REC_H
#define ZT_PATCH_REC_H

struct zt_patch_rec;

/* Frees a patched snapshot's record of the names it was made with (NULL is fine). */
void zt_patch_rec_free(struct zt_patch_rec *rec);

#endif
