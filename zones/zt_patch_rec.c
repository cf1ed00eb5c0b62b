/* SPDX-License-Identifier: BSD-3-Clause */
/* zt_patch_rec.c: a patched snapshot's record of where it came from and which names changed */
#include <stdlib.h>
#include <string.h>

#include "wire.h"
#include "zt_patch.h"
#include "zt_patch_pvt.h"

struct zt_patch_rec *zt_patch_rec_new(uint32_t z, const zt_t *from, const uint8_t *const *names,
				      size_t nnames)
{
	struct zt_patch_rec *rec = calloc(1, sizeof(*rec));

	if (rec == NULL)
		return NULL;
	rec->zone = z;
	rec->from = from;
	rec->names = calloc(nnames ? nnames : 1, sizeof(*rec->names));
	if (rec->names == NULL)
		goto nomem;
	for (size_t i = 0; i < nnames; i++) {
		size_t len = wire_name_len(names[i]);

		rec->names[i] = malloc(len);
		if (rec->names[i] == NULL)
			goto nomem;
		memcpy(rec->names[i], names[i], len);
		rec->nnames++;
	}
	return rec;
nomem:
	zt_patch_rec_free(rec);
	return NULL;
}

void zt_patch_rec_free(struct zt_patch_rec *rec)
{
	if (rec == NULL)
		return;
	for (size_t i = 0; i < rec->nnames; i++)
		free(rec->names[i]);
	free(rec->names);
	free(rec);
}

bool zt_patch_names(const zt_t *zt, uint32_t z, const zt_t *from, const uint8_t *const **names,
		    size_t *nnames)
{
	const struct zt_patch_rec *rec = zt->patch;

	if (rec == NULL || rec->zone != z || rec->from != from)
		return false;
	*names = (const uint8_t *const *)rec->names;
	*nnames = rec->nnames;
	return true;
}
