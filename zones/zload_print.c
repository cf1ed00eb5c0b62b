/* SPDX-License-Identifier: BSD-3-Clause */
/* zload_print.c: a version as zone text (a secondary's copy of a transfer), to be read back */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "wire.h"
#include "zload_pvt.h"

/*
 * Room for any name in presentation form (wire_name_to_text()): at most 254 octets in labels,
 * four characters each (\DDD), a dot after each label, the NUL.
 */
#define NAME_TEXT_MAX 1024

/*
 * A record as one line into B (ending in a newline): ldns's presentation form of RR, but for
 * names (OWNER, a wire name, and those in the data), which wire_name_to_text() writes. ldns
 * leaves '@', '$' and '"' in a name bare, and each is syntax to a reader: "@.example.com." read
 * as the apex (ldns, as ours does, takes an owner that starts with '@' for the origin),
 * "$INCLUDE.example.com." at the start of a line as a directive, a quote as the start of a
 * string that runs on to the next line. Escaped, as BIND writes them and Knot requires them,
 * they are labels to every reader. DATA (LEN octets) is RR's data in wire form.
 */
static int print_fields(ldns_buffer *b, const uint8_t *owner, uint32_t ttl, const ldns_rr *rr,
			const uint8_t *data, size_t len)
{
	char name[NAME_TEXT_MAX];
	const ldns_rr_descriptor *d = ldns_rr_descript(ldns_rr_get_type(rr));
	size_t n = ldns_rr_rd_count(rr);

	ldns_buffer_clear(b);
	wire_name_to_text(owner, name, sizeof(name));
	ldns_buffer_printf(b, "%s\t%u\tIN\t", name, (unsigned)ttl);
	(void)ldns_rr_type2buffer_str(b, ldns_rr_get_type(rr));
	/*
	 * Data of fewer fields than its type has (ldns leaves out a last one whose wire form is
	 * empty, as CAA's value may be, and writes nothing for it), or of none (an unknown type's,
	 * empty): RFC 3597's form, which says it is empty.
	 */
	if (n == 0 || (d != NULL && n < ldns_rr_descriptor_minimum(d))) {
		ldns_buffer_printf(b, "\t\\# %u", (unsigned)len);
		for (size_t k = 0; k < len; k++)
			ldns_buffer_printf(b, "%s%02x", k == 0 ? " " : "", data[k]);
		n = 0;
	} else {
		ldns_buffer_printf(b, "\t");
	}
	for (size_t k = 0; k < n; k++) {
		const ldns_rdf *f = ldns_rr_rdf(rr, k);

		if (k > 0)
			ldns_buffer_printf(b, " ");
		if (ldns_rdf_get_type(f) == LDNS_RDF_TYPE_DNAME) {
			wire_name_to_text(ldns_rdf_data(f), name, sizeof(name));
			ldns_buffer_printf(b, "%s", name);
		} else {
			(void)ldns_rdf2buffer_str(b, f);
		}
	}
	ldns_buffer_printf(b, "\n");
	return ldns_buffer_status_ok(b) ? 0 : -ENOMEM;
}

/* Record I of Z as one line into B (print_fields()). */
static int print_rr(const zload_zone_t *z, size_t i, ldns_buffer *b)
{
	ldns_rr *rr = zload_rr(z, i);
	int ret;

	if (rr == NULL)
		return -ENOMEM;
	ret = print_fields(b, zload_rec_owner(z, i), z->recs[i].ttl, rr, zload_rec_rdata(z, i),
			   z->recs[i].rdlen);
	ldns_rr_free(rr);
	return ret;
}

char *zload_rr_line(const zload_zone_t *z, size_t i)
{
	ldns_buffer *b = ldns_buffer_new(256);
	char *text = NULL;

	if (b != NULL && print_rr(z, i, b) == 0)
		text = ldns_buffer_export2str(b);
	ldns_buffer_free(b);
	return text;
}

char *zload_rr_str(const ldns_rr *rr)
{
	ldns_buffer *b = ldns_buffer_new(256), *data = ldns_buffer_new(256);
	char *text = NULL;

	if (b != NULL && data != NULL && ldns_rr_rdata2buffer_wire(data, rr) == LDNS_STATUS_OK &&
	    ldns_rdf_get_type(ldns_rr_owner(rr)) == LDNS_RDF_TYPE_DNAME &&
	    print_fields(b, ldns_rdf_data(ldns_rr_owner(rr)), ldns_rr_ttl(rr), rr,
			 ldns_buffer_begin(data), ldns_buffer_position(data)) == 0) {
		text = ldns_buffer_export2str(b);
		if (text != NULL)
			text[strcspn(text, "\n")] = '\0';
	}
	ldns_buffer_free(b);
	ldns_buffer_free(data);
	return text;
}

int zload_xfr_print(const zload_zone_t *z, FILE *f)
{
	ldns_buffer *b = ldns_buffer_new(1024);
	int ret = 0;

	if (b == NULL)
		return -ENOMEM;
	/* The SOA first, as zone files have it; then the rest in the version's order. */
	for (int pass = 0; pass < 2 && ret == 0; pass++)
		for (size_t i = 0; i < z->nrecs && ret == 0; i++) {
			if ((z->recs[i].type == T_SOA) != (pass == 0))
				continue;
			ret = print_rr(z, i, b);
			if (ret == 0)
				fwrite(ldns_buffer_begin(b), 1, ldns_buffer_position(b), f);
		}
	ldns_buffer_free(b);
	if (ret == 0 && ferror(f))
		ret = -EIO;
	return ret;
}
