/* SPDX-License-Identifier: BSD-3-Clause */
/* origins.c: which of a set of zone origins holds a name (the longest), in label steps */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fnv.h"

#include "origins.h"

struct origins {
	const char *const *names;
	size_t mask;	/* slots - 1, a power of two at least twice the origins */
	uint32_t *slot; /* index into names + 1; 0: empty */
};

/* What name_unit() gives besides octets: the end of a label, the end of the name. */
#define UNIT_DOT 256
#define UNIT_END 257

/*
 * The next unit of the name of LEN octets at S from *I: an octet of a label, lower-cased, its
 * escape decoded ("\." is the octet '.', "\065" is 'a'); UNIT_DOT where a label ends (a
 * '.' not escaped); UNIT_END at the end, a final dot included. So a name is compared as its
 * labels, however it is written: as the configuration has it or as ldns prints it.
 */
static int name_unit(const char *s, size_t len, size_t *i)
{
	unsigned ch;

	if (*i >= len)
		return UNIT_END;
	ch = (unsigned char)s[(*i)++];
	if (ch == '.')
		return *i >= len ? UNIT_END : UNIT_DOT;
	if (ch == '\\' && *i < len) {
		const char *d = s + *i;
		const int v = len - *i >= 3 && isdigit((unsigned char)d[0]) &&
				      isdigit((unsigned char)d[1]) && isdigit((unsigned char)d[2])
				  ? (d[0] - '0') * 100 + (d[1] - '0') * 10 + (d[2] - '0')
				  : -1;

		/* \DDD is an octet's number; over 255 it is none, and the digit stands. */
		if (v >= 0 && v <= 255) {
			ch = (unsigned)v;
			*i += 3;
		} else {
			ch = (unsigned char)s[(*i)++];
		}
	}
	/* DNS names ignore the case of ASCII letters only. */
	return ch >= 'A' && ch <= 'Z' ? (int)(ch - 'A' + 'a') : (int)ch;
}

/* FNV-1a of the name of LEN octets at S, unit by unit (name_unit()). */
static uint64_t hash(const char *s, size_t len)
{
	uint64_t h = FNV_START;
	size_t i = 0;
	int u;

	while ((u = name_unit(s, len, &i)) != UNIT_END)
		h = fnv_byte(h, (uint8_t)(u == UNIT_DOT ? '.' : u));
	return h;
}

/* Whether the names of ALEN octets at A and BLEN at B are one (name_unit()); "" is no name. */
static bool same(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t i = 0, j = 0;
	int u;

	if ((alen == 0) != (blen == 0))
		return false;
	do {
		u = name_unit(a, alen, &i);
		if (u != name_unit(b, blen, &j))
			return false;
	} while (u != UNIT_END);
	return true;
}

bool origins_same(const char *a, const char *b)
{
	return same(a, strlen(a), b, strlen(b));
}

/* The slot holding the origin of LEN octets at S, or the empty slot where it would go. */
static size_t probe(const origins_t *o, const char *s, size_t len)
{
	size_t i = (size_t)hash(s, len) & o->mask;

	for (;;) {
		uint32_t v = o->slot[i];

		if (v == 0)
			return i;
		if (same(o->names[v - 1], strlen(o->names[v - 1]), s, len))
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

const char *origins_label_end(const char *p)
{
	for (; *p != '\0'; p++) {
		if (*p == '.')
			return p;
		if (*p == '\\' && p[1] != '\0')
			p++; /* the escaped octet (of "\DDD", the first digit: no dot) */
	}
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
		p = origins_label_end(p);
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
