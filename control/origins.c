/* SPDX-License-Identifier: BSD-3-Clause */
/* origins.c: which of a set of zone origins holds a name (the longest), in label steps */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fnv.h"

#include "origins.h"

struct origins {
	const char *const *names;
	size_t mask;	/* slots - 1, a power of two at least twice the origins */
	uint32_t *slot; /* index into names + 1; 0: empty */
};

/* LEN octets at S without a final dot (but for the root's): the length that names the origin. */
static size_t key_len(const char *s, size_t len)
{
	return len > 1 && s[len - 1] == '.' ? len - 1 : len;
}

/* FNV-1a of the LEN octets at S, lower-cased. */
static uint64_t hash(const char *s, size_t len)
{
	uint64_t h = FNV_START;

	for (size_t i = 0; i < len; i++)
		h = fnv_byte(h, (uint8_t)tolower((unsigned char)s[i]));
	return h;
}

/* The slot holding the origin of LEN octets at S, or the empty slot where it would go. */
static size_t probe(const origins_t *o, const char *s, size_t len)
{
	size_t i;

	len = key_len(s, len);
	i = (size_t)hash(s, len) & o->mask;
	for (;;) {
		uint32_t v = o->slot[i];

		if (v == 0)
			return i;
		if (key_len(o->names[v - 1], strlen(o->names[v - 1])) == len &&
		    strncasecmp(o->names[v - 1], s, len) == 0)
			return i;
		i = (i + 1) & o->mask;
	}
}

origins_t *origins_new(const char *const *names, size_t n)
{
	origins_t *o = calloc(1, sizeof(*o));
	size_t slots = 16;

	if (o == NULL || n > UINT32_MAX / 2)
		goto fail;
	while (slots < 2 * n)
		slots *= 2;
	o->names = names;
	o->mask = slots - 1;
	o->slot = calloc(slots, sizeof(*o->slot));
	if (o->slot == NULL)
		goto fail;
	for (size_t i = 0; i < n; i++) {
		size_t s = probe(o, names[i], strlen(names[i]));

		/* The same origin twice: the first is the one a pass over the list finds. */
		if (o->slot[s] == 0)
			o->slot[s] = (uint32_t)(i + 1);
	}
	return o;
fail:
	origins_free(o);
	return NULL;
}

long origins_find(const origins_t *o, const char *name)
{
	size_t len = strlen(name);
	const char *p = name;

	/* NAME, then the name after each dot: the longest origin is met first; "." last. */
	for (;;) {
		size_t left = len - (size_t)(p - name);
		uint32_t v;

		if (left == 0)
			p = ".", left = 1;
		v = o->slot[probe(o, p, left)];
		if (v != 0)
			return (long)v - 1;
		if (strcmp(p, ".") == 0)
			return -1;
		p = strchr(p, '.');
		if (p == NULL)
			return -1;
		p++;
	}
}

long origins_exact(const origins_t *o, const char *name)
{
	uint32_t v = o->slot[probe(o, name, strlen(name))];

	return (long)v - 1;
}

int origins_chain(const origins_t *o, const char *const *names, size_t n, size_t *next)
{
	size_t *last = calloc(n + 1, sizeof(*last)); /* per first of a name, its latest so far */

	if (last == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		long first = origins_exact(o, names[i]);

		next[i] = SIZE_MAX;
		if (first < 0)
			continue; /* not in O: a chain of its own */
		if ((size_t)first != i)
			next[last[first]] = i;
		last[first] = i;
	}
	free(last);
	return 0;
}

void origins_free(origins_t *o)
{
	if (o == NULL)
		return;
	free(o->slot);
	free(o);
}
