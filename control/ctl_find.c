/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_find.c: a zone of a build found by its origin, through the build's index of origins */
#include <errno.h>
#include <stdlib.h>
#include <strings.h>

#include "ctl.h"
#include "origins.h"

int ctl_build_index(ctl_build_t *b)
{
	const char **names;

	ctl_build_index_free(b);
	names = calloc(b->nzones + 1, sizeof(*names));
	if (names == NULL)
		return -ENOMEM;
	/* A zone without an origin (a new zone's slot in a map) is "", which no origin equals. */
	for (size_t i = 0; i < b->nzones; i++)
		names[i] = b->zones[i].origin != NULL ? b->zones[i].origin : "";
	b->by_origin = origins_new(names, b->nzones);
	if (b->by_origin == NULL) {
		free(names);
		return -ENOMEM;
	}
	b->by_origin_names = names;
	return 0;
}

void ctl_build_index_free(ctl_build_t *b)
{
	origins_free(b->by_origin);
	free(b->by_origin_names);
	b->by_origin = NULL;
	b->by_origin_names = NULL;
}

ctl_zone_info_t *ctl_build_find(const ctl_build_t *b, const char *origin)
{
	long i;

	if (b == NULL || origin == NULL)
		return NULL;
	if (b->by_origin == NULL) {
		/* Not indexed (a build being made, serial-state as read): one pass. */
		for (size_t k = 0; k < b->nzones; k++)
			if (b->zones[k].origin != NULL &&
			    strcasecmp(b->zones[k].origin, origin) == 0)
				return &b->zones[k];
		return NULL;
	}
	i = origins_exact(b->by_origin, origin);
	return i >= 0 && b->zones[i].origin != NULL && b->zones[i].origin[0] != '\0' ? &b->zones[i]
										     : NULL;
}
