/* SPDX-License-Identifier: BSD-3-Clause */
/* zload_stamp.c: the files a zone was read from, as they were then: whether they changed since */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "zload_state.h"

/*
 * What a version records of its files, shared by reference: a build keeps it beside the zone's
 * other facts when the version itself is freed (keep-zones), and tells from it alone whether the
 * files changed. Written only while the version is read (one holder then), read only after.
 */
struct zload_stamps {
	unsigned refs; /* holders besides the first (atomic) */
	size_t bound;  /* zload_text_max() when read */
	size_t n;
	struct zload_stamp s[];
};

int zload_stamp_add(zload_zone_t *z, const char *path, const struct zload_file_id *id)
{
	struct zload_stamps *grown;
	size_t n = z->stamps != NULL ? z->stamps->n : 0;
	char *copy;

	if (!id->known || id->racy) {
		z->stamps_bad = true;
		return 0;
	}
	copy = strdup(path);
	grown = copy != NULL
		    ? realloc(z->stamps, sizeof(*z->stamps) + (n + 1) * sizeof(grown->s[0]))
		    : NULL;
	if (grown == NULL) {
		free(copy);
		z->stamps_bad = true;
		return -ENOMEM;
	}
	if (n == 0)
		*grown = (struct zload_stamps){.bound = z->stamp_bound};
	z->stamps = grown;
	z->stamps->s[z->stamps->n++] = (struct zload_stamp){
	    .path = copy, .dev = id->dev, .ino = id->ino, .size = id->size, .mtime = id->mtime};
	return 0;
}

zload_stamps_t *zload_stamps_ref(zload_stamps_t *s)
{
	if (s != NULL)
		__atomic_add_fetch(&s->refs, 1, __ATOMIC_RELAXED);
	return s;
}

zload_stamps_t *zload_stamps(const zload_zone_t *zone)
{
	return zone != NULL && !zone->stamps_bad ? zload_stamps_ref(zone->stamps) : NULL;
}

void zload_stamps_put(zload_stamps_t **s)
{
	struct zload_stamps *p = *s;

	*s = NULL;
	if (p == NULL || __atomic_fetch_sub(&p->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	for (size_t i = 0; i < p->n; i++)
		free(p->s[i].path);
	free(p);
}

void zload_stamps_free(zload_zone_t *z)
{
	zload_stamps_put(&z->stamps);
}

bool zload_stamps_same(const zload_stamps_t *s, const char *path, size_t bound)
{
	struct stat sb;

	/* Another bound might refuse what was read under this one. */
	if (s == NULL || s->n == 0 || path == NULL || s->bound != bound ||
	    strcmp(s->s[0].path, path) != 0)
		return false;
	for (size_t i = 0; i < s->n; i++) {
		const struct zload_stamp *f = &s->s[i];

		if (stat(f->path, &sb) != 0 || sb.st_dev != f->dev || sb.st_ino != f->ino ||
		    sb.st_size != f->size || sb.st_mtim.tv_sec != f->mtime.tv_sec ||
		    sb.st_mtim.tv_nsec != f->mtime.tv_nsec)
			return false;
	}
	return true;
}

bool zload_stamps_equal(const zload_stamps_t *a, const zload_stamps_t *b)
{
	if (a == NULL || b == NULL || a->n != b->n || a->bound != b->bound)
		return false;
	for (size_t i = 0; i < a->n; i++) {
		const struct zload_stamp *x = &a->s[i], *y = &b->s[i];

		if (strcmp(x->path, y->path) != 0 || x->dev != y->dev || x->ino != y->ino ||
		    x->size != y->size || x->mtime.tv_sec != y->mtime.tv_sec ||
		    x->mtime.tv_nsec != y->mtime.tv_nsec)
			return false;
	}
	return true;
}
