/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_edits.c: the autodiscover policy's decisions and edits of a zone, as text to compare */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ctl_edits.h"
#include "rrtype.h"

/* Appends printf output to a malloc'd string; false without memory (the string is kept). */
static bool __attribute__((format(printf, 2, 3))) str_add(char **s, const char *fmt, ...)
{
	size_t old = *s != NULL ? strlen(*s) : 0;
	va_list ap;
	char *more, *grown;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&more, fmt, ap);
	va_end(ap);
	if (n < 0)
		return false;
	grown = realloc(*s, old + (size_t)n + 1);
	if (grown == NULL) {
		free(more);
		return false;
	}
	memcpy(grown + old, more, (size_t)n + 1);
	free(more);
	*s = grown;
	return true;
}

char *ctl_policy_key(const policy_t *p)
{
	char *key = strdup("");

	for (size_t i = 0; p != NULL && key != NULL && i < policy_count(p); i++) {
		const char *t = policy_target(p, i);

		if (!str_add(&key, "%s %u %s %s %d\n", policy_name(p, i),
			     (unsigned)policy_family(p, i), policy_kind_name(policy_kind(p, i)),
			     t != NULL ? t : "-", policy_applies(p, i))) {
			free(key);
			return NULL;
		}
	}
	return key;
}

static const char *edit_op_name(enum zload_edit_op op)
{
	switch (op) {
	case ZLOAD_EDIT_WITHHOLD:
		return "withhold";
	case ZLOAD_EDIT_ADD:
		return "add";
	case ZLOAD_EDIT_EMPTY_NODE:
		return "empty-node";
	}
	return "?";
}

int ctl_zone_edits(const policy_t *p, const char *origin, const zload_edit_t **edits, size_t *n,
		   char **text)
{
	*n = 0;
	*text = strdup("");
	if (*text == NULL)
		return -ENOMEM;
	for (size_t i = 0; p != NULL && i < policy_edit_count(p); i++) {
		const zload_edit_t *e = policy_edit(p, i);
		char tb[16];

		if (strcasecmp(policy_edit_domain(p, i), origin) != 0)
			continue;
		edits[(*n)++] = e;
		if (!str_add(text, "%s %s", edit_op_name(e->op), e->owner) ||
		    (e->op != ZLOAD_EDIT_EMPTY_NODE &&
		     !str_add(text, " %s", rrtype_name(e->type, tb, sizeof(tb)))) ||
		    (e->op == ZLOAD_EDIT_ADD && !str_add(text, " %u %s", e->ttl, e->rdata)) ||
		    !str_add(text, "\n"))
			return -ENOMEM;
	}
	return 0;
}

int ctl_same_edits(const policy_t *p, const char *origin, const char *was,
		   const zload_edit_t **edits)
{
	char *text = NULL;
	size_t n;
	int rc = ctl_zone_edits(p, origin, edits, &n, &text);

	if (rc == 0)
		rc = strcmp(text, was) == 0;
	free(text);
	return rc;
}
