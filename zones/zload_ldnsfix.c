/* SPDX-License-Identifier: BSD-3-Clause */
/* zload_ldnsfix.c: the names ldns misreads in zone text, read again as RFC 1035 5.1 has them */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sandns_err.h"
#include "zload_ldnsfix.h"
#include "zload_scan.h"

/*
 * ldns 1.8 reads three kinds of names other than RFC 1035 5.1, BIND and Knot do: an owner
 * that starts with '@' ("@.example.com.", "@foo") as the origin, where only a free-standing
 * "@" is; a name in the data whose first label is "@", escaped or not ("\@.example.com.",
 * "\064"), as the origin too; and an owner of more than 254 characters of text (a 255-octet
 * name with escapes: up to 1,013) as no name at all, its buffer being that short. The records
 * it reads are put right here from their text, so that a name comes back as it was written:
 * what a secondary's copy of its transfers needs (zload_print.c writes such names).
 */

/* An owner of this many characters or more does not fit ldns's buffer for it. */
#define LDNS_OWNER_TEXT 255

unsigned long zload_names_reread;

size_t zload_record_start(const char *text, size_t len)
{
	size_t i = 0;

	for (size_t s = 0; s < len; s = i) {
		while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r'))
			i++;
		if (i < len && text[i] == ';')
			while (i < len && text[i] != '\n')
				i++;
		if (i < len && text[i] == '\n') {
			i++;
			continue;
		}
		return s;
	}
	return i;
}

bool zload_is_class(const char *t, size_t n)
{
	return (n == 2 && (strncasecmp(t, "IN", 2) == 0 || strncasecmp(t, "CH", 2) == 0 ||
			   strncasecmp(t, "HS", 2) == 0 || strncasecmp(t, "CS", 2) == 0)) ||
	       (n > 5 && strncasecmp(t, "CLASS", 5) == 0);
}

/* Whether C ends a token outside quotes, as ldns's reader takes it. */
static bool token_end(char c)
{
	return isspace((unsigned char)c) || c == '(' || c == ')' || c == ';';
}

/*
 * The next token of TEXT (LEN octets) from *I: parentheses and comments skipped, a quoted
 * string one token (*QUOTED; [*START, *START + return) inside its quotes), escapes kept as
 * written. 0 at the end.
 */
static size_t next_token(const char *text, size_t len, size_t *i, size_t *start, bool *quoted)
{
	size_t end;

	while (*i < len && (isspace((unsigned char)text[*i]) || text[*i] == '(' ||
			    text[*i] == ')' || text[*i] == ';')) {
		if (text[*i] == ';')
			while (*i < len && text[*i] != '\n')
				(*i)++;
		else
			(*i)++;
	}
	*quoted = *i < len && text[*i] == '"';
	if (*quoted)
		(*i)++;
	*start = *i;
	while (*i < len && (*quoted ? text[*i] != '"' : !token_end(text[*i]))) {
		if (text[*i] == '\\' && *i + 1 < len)
			(*i)++;
		(*i)++;
	}
	end = *i;
	if (*quoted && *i < len)
		(*i)++;
	return end - *start;
}

/*
 * The owner of the record whose text is TEXT (LEN octets): its length; 0 for none (a blank),
 * or a quoted one, which is no name.
 */
static size_t owner_token(const char *text, size_t len, size_t *start)
{
	size_t i = zload_record_start(text, len), n;
	bool quoted;

	if (i >= len || isspace((unsigned char)text[i]))
		return 0;
	n = next_token(text, len, &i, start, &quoted);
	return quoted ? 0 : n;
}

/* Whether ldns misreads the owner T (N characters): one it takes for the origin, or too long. */
static bool owner_misread(const char *t, size_t n)
{
	return (n > 1 && t[0] == '@') || n >= LDNS_OWNER_TEXT;
}

void zload_owner_hide(char *line, size_t len)
{
	size_t start, n = owner_token(line, len, &start);

	/* "@" and blanks: the same octets, and ldns has an owner it reads. */
	if (n > 0 && owner_misread(line + start, n)) {
		line[start] = '@';
		memset(line + start + 1, ' ', n - 1);
	}
}

void zload_owners_hide(char *text, size_t len)
{
	struct line_scan sc = {0};

	for (size_t off = 0, eol; off < len; off = eol) {
		const char *nl = memchr(text + off, '\n', len - off);

		eol = nl != NULL ? (size_t)(nl - text) + 1 : len;
		if (scan_free(&sc))
			zload_owner_hide(text + off, eol - off);
		scan_line(&sc, text, off, eol);
	}
}

/*
 * The name T (N characters of zone text, not "@") with ORIGIN after it unless it is absolute,
 * into *OUT: 0, SANDNS_EPARSE or -ENOMEM.
 */
static int name_read(const char *t, size_t n, const ldns_rdf *origin, ldns_rdf **out)
{
	char buf[LDNS_MAX_DOMAINLEN * 4 + 2];
	ldns_status s;

	*out = NULL;
	if (n >= sizeof(buf))
		return SANDNS_EPARSE;
	memcpy(buf, t, n);
	buf[n] = '\0';
	s = ldns_str2rdf_dname(out, buf);
	if (s == LDNS_STATUS_MEM_ERR)
		return -ENOMEM;
	if (s != LDNS_STATUS_OK)
		return SANDNS_EPARSE;
	if (!ldns_dname_str_absolute(buf) && ldns_dname_cat(*out, origin) != LDNS_STATUS_OK) {
		ldns_rdf_deep_free(*out);
		*out = NULL;
		return -ENOMEM;
	}
	return 0;
}

/* The owner of RR, read from TEXT (LEN octets), again when ldns misreads it; *PREV follows. */
static int owner_fix(ldns_rr *rr, const char *text, size_t len, const ldns_rdf *origin,
		     ldns_rdf **prev)
{
	size_t start, n = owner_token(text, len, &start);
	ldns_rdf *owner, *again;
	int ret;

	if (n == 0 || !owner_misread(text + start, n))
		return 0;
	ret = name_read(text + start, n, origin, &owner);
	if (ret != 0)
		return ret;
	if (prev != NULL) {
		again = ldns_rdf_clone(owner);
		if (again == NULL) {
			ldns_rdf_deep_free(owner);
			return -ENOMEM;
		}
		ldns_rdf_deep_free(*prev);
		*prev = again;
	}
	ldns_rdf_deep_free(ldns_rr_owner(rr));
	ldns_rr_set_owner(rr, owner);
	return 0;
}

/* Whether the name field F is the origin ORIGIN, octet for octet: what ldns made it. */
static bool is_origin(const ldns_rdf *f, const ldns_rdf *origin)
{
	return ldns_rdf_get_type(f) == LDNS_RDF_TYPE_DNAME &&
	       ldns_rdf_size(f) == ldns_rdf_size(origin) &&
	       memcmp(ldns_rdf_data(f), ldns_rdf_data(origin), ldns_rdf_size(f)) == 0;
}

/*
 * Whether the name T (N characters of zone text) has "@" for its first label, escaped or not
 * ("@.x", "\@", "\064."): the names in data that ldns takes for the origin. A name that is
 * the origin as written ("example.com.") ldns read right: not read again, as a zone of many
 * CNAMEs to its apex would pay for each.
 */
static bool first_label_at(const char *t, size_t n)
{
	size_t k = n >= 1 && t[0] == '@'		   ? 1
		   : n >= 2 && t[0] == '\\' && t[1] == '@' ? 2
		   : n >= 4 && strncmp(t, "\\064", 4) == 0 ? 4
							   : 0;

	return k > 0 && (k == n || t[k] == '.');
}

/*
 * The names in RR's data that ldns made the origin, read from TEXT (LEN octets) again: each
 * is the token its field was read from (one a field; three for HIP's first), when that has
 * "@" for its first label and is not "@" alone (the origin).
 */
static int data_fix(ldns_rr *rr, const char *text, size_t len, const ldns_rdf *origin)
{
	size_t n = ldns_rr_rd_count(rr), i, start, tlen = 0, tok = 0, at = 0;
	bool quoted, any = false;

	for (size_t k = 0; k < n && !any; k++)
		any = is_origin(ldns_rr_rdf(rr, k), origin);
	/* No "@" in the text, bare or as \064: the origin there is as written. */
	if (!any || (memchr(text, '@', len) == NULL && memmem(text, len, "\\064", 4) == NULL))
		return 0;
	/* The owner (none when the line starts blank), a TTL and a class, the type. */
	i = zload_record_start(text, len);
	if (i < len && !isspace((unsigned char)text[i]))
		next_token(text, len, &i, &start, &quoted);
	for (int k = 0; k < 3; k++) {
		tlen = next_token(text, len, &i, &start, &quoted);
		if (tlen == 0 ||
		    (!isdigit((unsigned char)text[start]) && !zload_is_class(text + start, tlen)))
			break;
	}
	for (size_t k = 0; k < n; k++) {
		ldns_rdf *f = ldns_rr_rdf(rr, k), *name;
		int ret;

		/* The data's token for field K. */
		for (; tok <= at; tok++) {
			tlen = next_token(text, len, &i, &start, &quoted);
			if (tlen == 0 && !quoted)
				return 0; /* not the text ldns read: leave it */
			/* RFC 3597's generic data: wire form, no name read from text */
			if (tok == 0 && !quoted && tlen == 2 &&
			    strncmp(text + start, "\\#", 2) == 0)
				return 0;
		}
		at += ldns_rdf_get_type(f) == LDNS_RDF_TYPE_HIP ? 3 : 1;
		if (!is_origin(f, origin) || quoted || (tlen == 1 && text[start] == '@') ||
		    !first_label_at(text + start, tlen))
			continue;
		ret = name_read(text + start, tlen, origin, &name);
		if (ret != 0)
			return ret;
		/* Pieces of a file are read on threads (zload_par.c). */
		__atomic_add_fetch(&zload_names_reread, 1, __ATOMIC_RELAXED);
		ldns_rdf_deep_free(ldns_rr_set_rdf(rr, name, k));
	}
	return 0;
}

int zload_names_fix(ldns_rr *rr, const char *text, size_t len, const ldns_rdf *origin,
		    ldns_rdf **prev)
{
	int ret = owner_fix(rr, text, len, origin, prev);

	return ret != 0 ? ret : data_fix(rr, text, len, origin);
}

ldns_status zload_rr_frm_str(ldns_rr **rr, const char *text, uint32_t ttl, const ldns_rdf *origin)
{
	size_t len = strlen(text);
	char *copy = strdup(text);
	ldns_status st;
	int ret;

	*rr = NULL;
	if (copy == NULL)
		return LDNS_STATUS_MEM_ERR;
	zload_owner_hide(copy, len);
	st = ldns_rr_new_frm_str(rr, copy, ttl, origin, NULL);
	free(copy);
	if (st != LDNS_STATUS_OK)
		return st;
	ret = zload_names_fix(*rr, text, len, origin, NULL);
	if (ret == 0)
		return LDNS_STATUS_OK;
	ldns_rr_free(*rr);
	*rr = NULL;
	return ret == -ENOMEM ? LDNS_STATUS_MEM_ERR : LDNS_STATUS_SYNTAX_DNAME_ERR;
}
