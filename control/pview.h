/* SPDX-License-Identifier: BSD-3-Clause */
/* pview.h: what a policy evaluation read of one zone, to answer the next one without the zone */
#ifndef PVIEW_H
#define PVIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zload_nameset.h"

/*
 * A zone's "policy view": each question the autodiscover policy (policy.c) asked of the zone and
 * the zone's answer, recorded while the zone was read. A later evaluation whose zone files are
 * unchanged asks the view instead of the zone: a question recorded gets the zone's answer, one
 * not recorded gets "not known" (the caller then reads the zone), unless the view holds the
 * zone's names (pview_set_names()) and the name is not among them: then nothing is at it or
 * below it, whatever the question (but PVIEW_SIGNED). Names are compared without case (ASCII),
 * as presentation form with the final dot. Immutable once recorded, shared by reference between
 * builds.
 */
typedef struct pview pview_t;

/* The questions answered yes or no. */
enum pview_q {
	PVIEW_HAS_AT = 1, /* records at NAME (zload_has_name(at)) */
	PVIEW_HAS_ANY,	  /* records at NAME or below it (at and below) */
	PVIEW_HAS_BELOW,  /* records strictly below NAME (below) */
	PVIEW_OTHER,	  /* records at NAME of a type other than A, AAAA and CNAME */
	PVIEW_SIGNED,	  /* the zone holds DNSKEY or RRSIG records (NAME ignored) */
};

/* An empty view; NULL without memory. */
pview_t *pview_new(void);
pview_t *pview_ref(pview_t *v);
/* Drops a reference to *V (NULL accepted) and leaves NULL. */
void pview_put(pview_t **v);

/* How many answers V holds. */
size_t pview_count(const pview_t *v);

/* Records the answer YES to Q about NAME. 0, or -ENOMEM. */
int pview_set(pview_t *v, enum pview_q q, const char *name, bool yes);
/* Gives V the names of the zone it records (NAMES, NULL accepted: none), freed with V. */
void pview_set_names(pview_t *v, zload_nameset_t *names);
/*
 * The answer recorded to Q about NAME: 1 yes, 0 no, -1 not recorded (V NULL: none is); a question
 * not recorded about a name the zone's names lack (pview_set_names()): 0.
 */
int pview_get(const pview_t *v, enum pview_q q, const char *name);

/*
 * Records the first N RDATA texts (file order) of the records of TYPE at NAME; COMPLETE: they are
 * all there are. A second record of the same question keeps the longer list. 0, or -ENOMEM.
 */
int pview_set_rdata(pview_t *v, const char *name, uint16_t type, const char *const *rdata, size_t n,
		    bool complete);
/*
 * The RDATA texts recorded for TYPE at NAME (*N of them, *COMPLETE as recorded; they live as long
 * as V), or NULL when that question was not recorded; none, complete, for a name the zone's names
 * lack.
 */
const char *const *pview_rdata(const pview_t *v, const char *name, uint16_t type, size_t *n,
			       bool *complete);

#endif
