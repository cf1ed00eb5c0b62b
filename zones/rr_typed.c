/* SPDX-License-Identifier: BSD-3-Clause */
/* rr_typed.c: whether a record ldns made has the fields its type has (zone files, transfers) */
#include "rr_typed.h"

/*
 * Whether RR's fields are those its type has (ldns's descriptor: how many, and of which kind).
 * ldns can make them otherwise: "SRV 20 40 500 \# 4 0a000001" (RFC 3597 data after some fields)
 * becomes five 16-bit integers, whose wire form has no target name, and "A \# 0" an address
 * record without an address; the snapshot would serve them as they are: a response, or a whole
 * AXFR message, that no client can parse. From a primary's message ldns makes them too: a
 * record of any type with no data (RDLENGTH 0), or with its last fields missing. Types whose
 * data is opaque (NULL, and every type ldns does not know: one field of any length, RFC 3597)
 * may have none.
 */
bool rr_rdata_typed(const ldns_rr *rr)
{
	const ldns_rr_descriptor *d = ldns_rr_descript(ldns_rr_get_type(rr));
	size_t n = ldns_rr_rd_count(rr);

	if (d == NULL)
		return true;
	if (n == 0 && ldns_rr_descriptor_field_type(d, 0) == LDNS_RDF_TYPE_UNKNOWN)
		return true;
	if (n > ldns_rr_descriptor_maximum(d))
		return false;
	for (size_t i = 0; i < n; i++)
		if (ldns_rdf_get_type(ldns_rr_rdf(rr, i)) != ldns_rr_descriptor_field_type(d, i))
			return false;
	/*
	 * Fewer fields than the type has: ldns leaves out a last field that \# data holds empty.
	 * Fine where that field's wire form may be empty (CAA's value, a DS digest, a signature,
	 * a type bitmap...); a missing number or name is not.
	 */
	for (size_t i = n; i < ldns_rr_descriptor_minimum(d); i++) {
		switch (ldns_rr_descriptor_field_type(d, i)) {
		case LDNS_RDF_TYPE_B64:
		case LDNS_RDF_TYPE_HEX:
		case LDNS_RDF_TYPE_LONG_STR:
		case LDNS_RDF_TYPE_BITMAP:
			break;
		default:
			return false;
		}
	}
	return true;
}
