/* SPDX-License-Identifier: BSD-3-Clause */
/* rr_typed.h: whether a record ldns made has the fields its type has */
#ifndef SANDNS_RR_TYPED_H
#define SANDNS_RR_TYPED_H

#include <stdbool.h>

#include <ldns/ldns.h>

/*
 * Whether RR's fields are those of its type (ldns's descriptor), so that its wire form is what
 * a client parses as that type. Opaque types may have none.
 */
bool rr_rdata_typed(const ldns_rr *rr);

#endif
