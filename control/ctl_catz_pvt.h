/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_catz_pvt.h: what ctl_catz.c takes from ctl_catz_read.c (catalogs' members read, indexed) */
#ifndef CTL_CATZ_PVT_H
#define CTL_CATZ_PVT_H

#include <stdbool.h>
#include <stddef.h>

#include "catz.h"
#include "ctl_pvt.h"
#include "origins.h"

/* A catalog's member names, indexed once (without memory: catz_has() walks them). */
struct catz_ix {
	const catz_t *want;
	const char **names;
	origins_t *idx;
};

/* W indexes WANT's names; the index of ORIGIN among them, or -1; W's memory freed. */
void ctl_catz_ix_init(struct catz_ix *w, const catz_t *want);
long ctl_catz_ix_find(const struct catz_ix *w, const char *origin);
void ctl_catz_ix_free(struct catz_ix *w);

/*
 * The members catalog CAT (the Ith zone served) lists, those refused logged unless QUIET:
 * SANDNS_EOK, else the members it had stay: SANDNS_EZONE for a catalog refused (its serial must
 * change), -EIO or -ENOMEM for one not read (tried again); OUT is then empty.
 */
int ctl_catz_read_members(ctl_t *ctl, const char *cat, size_t i, catz_t *out, bool quiet);

/* The other consumer catalogs' members, read (quietly) the first time a member's coo names one. */
struct ctl_catz_others {
	catz_t *lists; /* per catalog of the configuration in force (its catalogs[]) */
	struct catz_ix *ix;
	bool *read;
	size_t n;
};

void ctl_catz_others_free(struct ctl_catz_others *o);

/*
 * Whether member M, listed by catalog CAT and configured by none, is left to the consumer
 * catalog its coo property names because that one lists it (it takes M: RFC 9432 4.4.1). At a
 * start both catalogs list a member handed over, read in either order: it is the new one's,
 * and its copy, made under the new one's label, is not reset by the old one's.
 */
bool ctl_catz_left_for_coo(ctl_t *ctl, const char *cat, const catz_member_t *m,
			   struct ctl_catz_others *o);

/*
 * Whether member M, listed by catalog CAT and configured by none, is left to another consumer
 * catalog that lists it too and whose member it was, as the label file of its copy PATH says
 * (RFC 9432 5.4: of two catalogs that list a member, the one that had it keeps it): at a
 * start, whichever of the two is read first. Not when its listing there hands it over to CAT
 * by a coo property; a coo naming another catalog leaves it to the owner all the same.
 */
bool ctl_catz_left_to_owner(ctl_t *ctl, const char *cat, const catz_member_t *m, const char *path,
			    struct ctl_catz_others *o);

#endif
