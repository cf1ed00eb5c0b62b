/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_catz_read.c: consumer catalogs' members read from their zones, indexed by name */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "ctl_catz_pvt.h"
#include "log.h"
#include "sandns_err.h"
#include "xfrin.h"
#include "zsrc.h"

void ctl_catz_ix_init(struct catz_ix *w, const catz_t *want)
{
	w->want = want;
	w->idx = NULL;
	w->names = calloc(want->nmembers + 1, sizeof(*w->names));
	for (size_t k = 0; w->names != NULL && k < want->nmembers; k++)
		w->names[k] = want->members[k].name;
	if (w->names != NULL)
		w->idx = origins_new(w->names, want->nmembers);
}

long ctl_catz_ix_find(const struct catz_ix *w, const char *origin)
{
	if (w->idx != NULL)
		return origins_exact(w->idx, origin);
	for (size_t k = 0; k < w->want->nmembers; k++)
		if (cfg_same_origin(w->want->members[k].name, origin))
			return (long)k;
	return -1;
}

void ctl_catz_ix_free(struct catz_ix *w)
{
	origins_free(w->idx);
	free(w->names);
	w->idx = NULL;
	w->names = NULL;
}

int ctl_catz_read_members(ctl_t *ctl, const char *cat, size_t i, catz_t *out, bool quiet)
{
	const zload_zone_t *raw = ctl->info.raw != NULL ? ctl->info.raw[i] : NULL;
	const cfg_catalog_t *c = cfg_catalog_find(ctl->cfg, cat);
	zload_zone_t *read = NULL;
	char err[1024];
	int rc;

	memset(out, 0, sizeof(*out));
	/* Not kept in memory (keep-zones): the version the transfer thread holds, which the
	 * copy on disk may not hold yet (its writer runs after the reload), else the copy. */
	if (raw == NULL && ctl->xfrin != NULL && ctl->cfg->zones[i].src.kind == ZSRC_PRIMARY)
		raw = read = xfrin_copy(ctl->xfrin, ctl->cfg->zones[i].origin);
	if (raw == NULL) {
		read = zsrc_load(&ctl->cfg->zones[i].src, ctl->cfg->zones[i].origin, NULL, NULL,
				 err, sizeof(err));
		if (read == NULL) {
			if (!quiet)
				log_msg(LOG_ERR, "catalog %s: cannot read it: %s; its members stay",
					cat, err);
			return -EIO;
		}
		raw = read;
	}
	rc = catz_parse(raw, c != NULL ? c->max_members : CATZ_MAX_MEMBERS_DEFAULT, out, err,
			sizeof(err));
	zload_free(&read);
	if (rc != SANDNS_EOK) {
		if (!quiet)
			log_msg(LOG_ERR, "%s; the members it had stay served", err);
		return rc;
	}
	if (quiet)
		return SANDNS_EOK;
	for (size_t k = 0; k < out->nrefused; k++)
		log_msg(LOG_WARNING, "catalog %s: member %s", cat, out->refused[k]);
	if (out->nrefused_more > 0)
		log_msg(LOG_WARNING, "catalog %s: %zu more members left out for such reasons", cat,
			out->nrefused_more);
	if (out->over > 0)
		log_msg(LOG_WARNING,
			"catalog %s: %zu members past the first %zu left out: the catalog's "
			"max-members (%s)",
			cat, out->over, out->nmembers, c != NULL ? c->where : "default");
	return SANDNS_EOK;
}

void ctl_catz_others_free(struct ctl_catz_others *o)
{
	for (size_t c = 0; c < o->n; c++)
		if (o->read[c]) {
			ctl_catz_ix_free(&o->ix[c]);
			catz_clear(&o->lists[c]);
		}
	free(o->lists);
	free(o->ix);
	free(o->read);
}

/*
 * The consumer catalog of CTL's configuration named OTHER, when it lists member NAME (its list
 * read quietly once, into O), and that listing into *ENTRY; NULL when it does not, or is no
 * consumer catalog, or without memory (the catalog asking then keeps the member).
 */
static const char *listed_by(ctl_t *ctl, const char *other, const char *name,
			     struct ctl_catz_others *o, const catz_member_t **entry)
{
	long at;
	const cfg_t *cfg = ctl->cfg;

	if (o->read == NULL) {
		o->n = cfg->ncatalogs;
		o->lists = calloc(o->n + 1, sizeof(*o->lists));
		o->ix = calloc(o->n + 1, sizeof(*o->ix));
		o->read = calloc(o->n + 1, sizeof(*o->read));
		if (o->lists == NULL || o->ix == NULL || o->read == NULL) {
			ctl_catz_others_free(o);
			memset(o, 0, sizeof(*o));
			return NULL;
		}
	}
	for (size_t c = 0; c < o->n; c++) {
		const cfg_catalog_t *k = &cfg->catalogs[c];
		size_t i = 0;

		if (k->producer || !cfg_same_origin(k->origin, other))
			continue;
		if (!o->read[c]) {
			while (i < ctl->info.nzones &&
			       !cfg_same_origin(ctl->info.zones[i].origin, k->origin))
				i++;
			if (i < ctl->info.nzones && !ctl->info.zones[i].absent)
				(void)ctl_catz_read_members(ctl, k->origin, i, &o->lists[c], true);
			ctl_catz_ix_init(&o->ix[c], &o->lists[c]);
			o->read[c] = true;
		}
		if ((at = ctl_catz_ix_find(&o->ix[c], name)) < 0)
			return NULL;
		*entry = &o->lists[c].members[at];
		return k->origin;
	}
	return NULL;
}

bool ctl_catz_left_for_coo(ctl_t *ctl, const char *cat, const catz_member_t *m,
			   struct ctl_catz_others *o)
{
	const catz_member_t *entry;
	const char *to;

	if (m->coo == NULL || cfg_same_origin(m->coo, cat) ||
	    (to = listed_by(ctl, m->coo, m->name, o, &entry)) == NULL)
		return false;
	log_msg(LOG_INFO,
		"catalog %s: member %s is left to catalog %s, which lists it: its coo property "
		"hands it over",
		cat, m->name, to);
	return true;
}

bool ctl_catz_left_to_owner(ctl_t *ctl, const char *cat, const catz_member_t *m, const char *path,
			    struct ctl_catz_others *o)
{
	char label[CATZ_LABEL_MAX], owner[CATZ_OWNER_MAX], why[1024];
	const catz_member_t *entry;
	const char *to;

	/* Not when the one that had it hands it over to CAT by a coo property: CAT's then. A coo
	 * naming a third catalog is the owner's to weigh (that one takes it if it lists it, else
	 * the owner keeps it): CAT taking it would reset a copy made under another label. */
	if (catz_label_read(path, label, sizeof(label), owner, sizeof(owner), why, sizeof(why)) !=
		1 ||
	    owner[0] == '\0' || cfg_same_origin(owner, cat) ||
	    (to = listed_by(ctl, owner, m->name, o, &entry)) == NULL ||
	    (entry->coo != NULL && cfg_same_origin(entry->coo, cat)))
		return false;
	log_msg(LOG_INFO,
		"catalog %s: member %s is left to catalog %s, whose member it was and which lists "
		"it still",
		cat, m->name, to);
	return true;
}
