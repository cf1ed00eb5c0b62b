/* SPDX-License-Identifier: BSD-3-Clause */
/* rrtype.h: the mnemonics of the RR types the autodiscover policy edits */
#ifndef RRTYPE_H
#define RRTYPE_H

#include <stddef.h>
#include <stdint.h>

/*
 * The mnemonic of type T ("A", "CNAME", "TXT", "AAAA", "SRV": the types the policy edits;
 * control/ does not link libldns's tables), or "TYPEnnn" written into BUF (LEN bytes).
 */
const char *rrtype_name(uint16_t t, char *buf, size_t len);

#endif
