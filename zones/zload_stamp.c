/* SPDX-License-Identifier: BSD-3-Clause */
/* zload_stamp.c: the files a zone was read from, as they were then: whether they changed since */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "zload_state.h"

int zload_stamp_add(zload_zone_t *z, const char *path, const struct zload_file_id *id)
{
	struct zload_stamp *grown;
	char *copy;

	if (!id->known || id->racy) {
		z->stamps_bad = true;
		return 0;
	}
	copy = strdup(path);
	grown = copy != NULL ? realloc(z->stamps, (z->nstamps + 1) * sizeof(*z->stamps)) : NULL;
	if (grown == NULL) {
		free(copy);
		z->stamps_bad = true;
		return -ENOMEM;
	}
	z->stamps = grown;
	z->stamps[z->nstamps++] = (struct zload_stamp){
	    .path = copy, .dev = id->dev, .ino = id->ino, .size = id->size, .mtime = id->mtime};
	return 0;
}

void zload_stamps_free(zload_zone_t *z)
{
	for (size_t i = 0; i < z->nstamps; i++)
		free(z->stamps[i].path);
	free(z->stamps);
	z->stamps = NULL;
	z->nstamps = 0;
}

bool zload_stamps_same(const zload_zone_t *zone, const char *path)
{
	struct stat sb;

	if (zone->stamps_bad || zone->nstamps == 0 || path == NULL ||
	    strcmp(zone->stamps[0].path, path) != 0)
		return false;
	for (size_t i = 0; i < zone->nstamps; i++) {
		const struct zload_stamp *s = &zone->stamps[i];

		if (stat(s->path, &sb) != 0 || sb.st_dev != s->dev || sb.st_ino != s->ino ||
		    sb.st_size != s->size || sb.st_mtim.tv_sec != s->mtime.tv_sec ||
		    sb.st_mtim.tv_nsec != s->mtime.tv_nsec)
			return false;
	}
	return true;
}
