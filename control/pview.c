/* SPDX-License-Identifier: BSD-3-Clause */
/* pview.c: a zone's answers to the autodiscover policy's questions, recorded and asked again */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fnv.h"
#include "grow.h"
#include "pview.h"
#include "zload_nameset.h"

/* The kind of an RDATA question: its type is in the key too. */
#define PVIEW_RDATA 0

struct pentry {
	char *name; /* lower case */
	uint64_t hash;
	uint16_t type; /* RDATA: the record type */
	uint8_t q;     /* enum pview_q, or PVIEW_RDATA */
	bool yes;      /* the answer (not RDATA) */
	bool complete; /* RDATA: every record there is */
	char **rdata;
	size_t n;
};

struct pview {
	struct pentry *e;
	size_t n, cap;
	size_t *slot; /* open addressing: index + 1 into E, 0 empty; NSLOT a power of two */
	size_t nslot;
	unsigned long refs;	/* references beyond the first */
	zload_nameset_t *names; /* the zone's names, or NULL */
};

static uint64_t key_hash(uint8_t q, uint16_t type, const char *name)
{
	uint64_t h = fnv_byte(fnv_byte(fnv_byte(FNV_START, q), (uint8_t)type), type >> 8);

	for (; *name != '\0'; name++)
		h = fnv_byte(h,
			     (uint8_t)(*name >= 'A' && *name <= 'Z' ? *name - 'A' + 'a' : *name));
	return h;
}

/* The entry for the question, or NULL. */
static struct pentry *find(const pview_t *v, uint8_t q, uint16_t type, const char *name)
{
	uint64_t h;

	if (v == NULL || v->nslot == 0)
		return NULL;
	h = key_hash(q, type, name);
	for (size_t i = h & (v->nslot - 1);; i = (i + 1) & (v->nslot - 1)) {
		struct pentry *e;

		if (v->slot[i] == 0)
			return NULL;
		e = &v->e[v->slot[i] - 1];
		if (e->hash == h && e->q == q && e->type == type && strcasecmp(e->name, name) == 0)
			return e;
	}
}

static void place(pview_t *v, size_t k)
{
	size_t i = v->e[k].hash & (v->nslot - 1);

	while (v->slot[i] != 0)
		i = (i + 1) & (v->nslot - 1);
	v->slot[i] = k + 1;
}

/* A new entry for the question (the slots kept at most half full); NULL without memory. */
static struct pentry *add(pview_t *v, uint8_t q, uint16_t type, const char *name)
{
	struct pentry *e;
	char *copy = strdup(name);

	if (copy == NULL || !GROW(v->e, v->cap, v->n + 1, 16)) {
		free(copy);
		return NULL;
	}
	if (2 * (v->n + 1) > v->nslot) {
		size_t ns = v->nslot != 0 ? 2 * v->nslot : 32, *slot = calloc(ns, sizeof(*slot));

		if (slot == NULL) {
			free(copy);
			return NULL;
		}
		free(v->slot);
		v->slot = slot;
		v->nslot = ns;
		for (size_t k = 0; k < v->n; k++)
			place(v, k);
	}
	for (char *c = copy; *c != '\0'; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c - 'A' + 'a');
	e = &v->e[v->n];
	*e = (struct pentry){.name = copy, .hash = key_hash(q, type, name), .type = type, .q = q};
	place(v, v->n++);
	return e;
}

pview_t *pview_new(void)
{
	return calloc(1, sizeof(pview_t));
}

pview_t *pview_ref(pview_t *v)
{
	if (v != NULL)
		__atomic_add_fetch(&v->refs, 1, __ATOMIC_RELAXED);
	return v;
}

static void free_rdata(struct pentry *e)
{
	for (size_t k = 0; k < e->n; k++)
		free(e->rdata[k]);
	free(e->rdata);
	e->rdata = NULL;
	e->n = 0;
}

void pview_put(pview_t **vp)
{
	pview_t *v = *vp;

	*vp = NULL;
	if (v == NULL || __atomic_fetch_sub(&v->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	for (size_t i = 0; i < v->n; i++) {
		free(v->e[i].name);
		free_rdata(&v->e[i]);
	}
	free(v->e);
	free(v->slot);
	zload_nameset_free(&v->names);
	free(v);
}

size_t pview_count(const pview_t *v)
{
	return v != NULL ? v->n : 0;
}

int pview_set(pview_t *v, enum pview_q q, const char *name, bool yes)
{
	struct pentry *e = find(v, (uint8_t)q, 0, name);

	if (e == NULL && (e = add(v, (uint8_t)q, 0, name)) == NULL)
		return -ENOMEM;
	e->yes = yes;
	return 0;
}

void pview_set_names(pview_t *v, zload_nameset_t *names)
{
	zload_nameset_free(&v->names);
	v->names = names;
}

/* Whether the zone's names say that nothing is at NAME nor below it. */
static bool surely_absent(const pview_t *v, const char *name)
{
	return v != NULL && v->names != NULL && zload_nameset_has(v->names, name) == 0;
}

int pview_get(const pview_t *v, enum pview_q q, const char *name)
{
	const struct pentry *e = find(v, (uint8_t)q, 0, name);

	if (e != NULL)
		return e->yes;
	/* Every question about records at or below a name the zone lacks: no. */
	return q != PVIEW_SIGNED && surely_absent(v, name) ? 0 : -1;
}

int pview_set_rdata(pview_t *v, const char *name, uint16_t type, const char *const *rdata, size_t n,
		    bool complete)
{
	struct pentry *e = find(v, PVIEW_RDATA, type, name);
	char **copy;

	if (e != NULL && (e->complete || (!complete && e->n >= n)))
		return 0; /* as much known already */
	copy = calloc(n + 1, sizeof(*copy));
	if (copy == NULL)
		return -ENOMEM;
	for (size_t k = 0; k < n; k++) {
		copy[k] = strdup(rdata[k]);
		if (copy[k] == NULL) {
			while (k > 0)
				free(copy[--k]);
			free(copy);
			return -ENOMEM;
		}
	}
	if (e == NULL && (e = add(v, PVIEW_RDATA, type, name)) == NULL) {
		for (size_t k = 0; k < n; k++)
			free(copy[k]);
		free(copy);
		return -ENOMEM;
	}
	free_rdata(e);
	e->rdata = copy;
	e->n = n;
	e->complete = complete;
	return 0;
}

const char *const *pview_rdata(const pview_t *v, const char *name, uint16_t type, size_t *n,
			       bool *complete)
{
	const struct pentry *e = find(v, PVIEW_RDATA, type, name);
	static const char *const none[1] = {NULL};

	if (e == NULL && surely_absent(v, name)) {
		*n = 0;
		*complete = true;
		return none;
	}
	if (e == NULL)
		return NULL;
	*n = e->n;
	*complete = e->complete;
	return e->n > 0 ? (const char *const *)e->rdata : none;
}
