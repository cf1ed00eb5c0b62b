/* SPDX-License-Identifier: BSD-3-Clause */
/* zload_ldnsfix.h: records read from text with ldns, the names it misreads read again */
#ifndef ZLOAD_LDNSFIX_H
#define ZLOAD_LDNSFIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ldns/ldns.h>

/*
 * ldns 1.8 reads an owner that starts with "@" ("@x.test.", "@.x.test.") as the origin, a name
 * in the data whose first label is "@" ("@.x.test.", "\@.x.test.", "\064") as the origin too,
 * and no owner of 255 characters or more. Whatever reads records from text with ldns reads them
 * through these, as the loader reads a zone file's (zload_ldns.c), zedit.c an edit's, sandnsctl
 * the daemon's lookup replies (which print "@" bare, as ldns does) and the signer a .key file.
 * zload_ldnsfix.c has them; it calls ldns alone (sandnsctl links it, none of the rest).
 */

/*
 * The record that starts at LINE (LEN octets of a copy of the text, blank and comment lines
 * first) gets an owner ldns would misread written over with "@" and blanks (the same octets).
 */
void zload_owner_hide(char *line, size_t len);
/* zload_owner_hide() on every line of TEXT (LEN octets) that starts a record: outside
 * parentheses and strings, not after an escaped newline. */
void zload_owners_hide(char *text, size_t len);
/*
 * Once ldns read RR with ORIGIN from a text its owner was hidden in: the owner read again from
 * the record's text TEXT (LEN octets, as written), and the names in the data ldns took for the
 * origin; *PREV (PREV NULL: none kept) follows the owner. 0, SANDNS_EPARSE (a name that does
 * not parse) or -ENOMEM.
 */
int zload_names_fix(ldns_rr *rr, const char *text, size_t len, const ldns_rdf *origin,
		    ldns_rdf **prev);
/*
 * The record TEXT (one line, its owner written) into *RR as ldns_rr_new_frm_str() reads it with
 * TTL and ORIGIN (relative names, "@"; not NULL: the root for absolute names only), its names
 * as written. LDNS_STATUS_OK, ldns's error, LDNS_STATUS_SYNTAX_DNAME_ERR (a name that does not
 * parse) or LDNS_STATUS_MEM_ERR.
 */
ldns_status zload_rr_frm_str(ldns_rr **rr, const char *text, uint32_t ttl, const ldns_rdf *origin);

/* Where the record TEXT (LEN octets) starts, past blank and comment lines. */
size_t zload_record_start(const char *text, size_t len);
/* Whether T (N octets) is a class: IN, CH, HS, CS or CLASSnnn. */
bool zload_is_class(const char *t, size_t n);
/* Tests read it: how many names in data were read again from the text. */
extern unsigned long zload_names_reread;

#endif
