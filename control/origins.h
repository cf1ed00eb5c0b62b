/* SPDX-License-Identifier: BSD-3-Clause */
/* origins.h: which of a set of zone origins holds a name (the longest), in label steps */
#ifndef ORIGINS_H
#define ORIGINS_H

#include <stdbool.h>
#include <stddef.h>

/*
 * The origins of the served zones, hashed, so that "which zone holds this name" costs one
 * lookup per label of the name rather than a pass over every zone: the policy asks it for
 * every SAN of every certificate and every domain (thousands of SANs times hundreds of zones).
 * Names and origins are absolute, lower case, in presentation form ("mail.example.com.").
 */
typedef struct origins origins_t;

/* An index of the N origins NAMES (not copied: they outlive the index); NULL: out of memory. */
origins_t *origins_new(const char *const *names, size_t n);

/* The index into NAMES of the longest origin that equals NAME or lies above it, or -1. */
long origins_find(const origins_t *o, const char *name);

/*
 * The index into NAMES of the (first) origin equal to NAME, or -1. Here, and in how the index
 * is built, case does not count and neither does a final dot: "Example.COM" is
 * "example.com.", as the configuration compares origins. Any form of name is fine.
 */
long origins_exact(const origins_t *o, const char *name);

/*
 * The N NAMES O was made of, each linked to the next equal one (origins_exact()'s sense) in
 * their order: NEXT[i] is its index, or SIZE_MAX for the last; the first of each is what
 * origins_exact() finds. 0, or -ENOMEM (NEXT untouched).
 */
int origins_chain(const origins_t *o, const char *const *names, size_t n, size_t *next);

/*
 * Whether origins A and B are one name however written: case, escapes ("\.", "\DDD") and a
 * final dot do not count (a configuration's We\"ird.test is ldns's we"ird.test.). The sense of
 * origins_exact().
 */
bool origins_same(const char *a, const char *b);

/* The first '.' at or after P that ends a label (an escaped one does not: "a\.b" is one label,
 * and "\DDD" holds no dot), or NULL: the way up a name in presentation form. */
const char *origins_label_end(const char *p);

void origins_free(origins_t *o);

#endif
