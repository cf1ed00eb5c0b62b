/* SPDX-License-Identifier: BSD-3-Clause */
/* zload_fastrr.h: the fast reader's names and DNSSEC record data, text to wire as ldns makes it */
#ifndef ZLOAD_FASTRR_H
#define ZLOAD_FASTRR_H

#include <stddef.h>
#include <stdint.h>

#include "wire.h"

/* Room for the record data zload_fastrr_rdata() writes, from a line of the fast reader's. */
#define ZLOAD_FASTRR_MAX 4096

/*
 * A plain name (fast_name_char() only, no empty label) in wire form into OUT, ORIGIN (wire,
 * OLEN octets) after it unless it ends in a dot: what ldns_str2rdf_dname() and
 * ldns_dname_cat() make of it. 0 when it is not that simple ("@", escapes, over 255 octets:
 * ldns then reads the line).
 */
size_t zload_fast_name(const char *s, const uint8_t *origin, size_t olen,
		       uint8_t out[WIRE_NAME_MAX + 1]);

/*
 * The record type T (the line's type field) when it is one zload_fastrr_rdata() reads: RRSIG,
 * NSEC, NSEC3, NSEC3PARAM, DS, DNSKEY as written (any case), else 0.
 */
uint16_t zload_fastrr_type(const char *t);

/*
 * The data of a record of TYPE (zload_fastrr_type()'s) from its NTOK fields TOK, the line's
 * tokens after the type (comment cut, split at blanks: a base64 or hex field may be split as
 * BIND prints it), into OUT (ZLOAD_FASTRR_MAX octets); a relative name gets ORIGIN (wire, OLEN
 * octets). Its length: the octets ldns makes from the same text (tests/zones/
 * test_zload_fastrr.c compares them); 0 when the text is anything else, a mnemonic or a form
 * ldns reads otherwise or refuses among them (ldns then reads the line, and says what is
 * wrong with it).
 */
size_t zload_fastrr_rdata(uint16_t type, char *const *tok, unsigned ntok, const uint8_t *origin,
			  size_t olen, uint8_t *out);

#endif
