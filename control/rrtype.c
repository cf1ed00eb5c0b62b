/* SPDX-License-Identifier: BSD-3-Clause */
/* rrtype.c: the mnemonics of the RR types the autodiscover policy edits */
#include <stdio.h>

#include "rrtype.h"

const char *rrtype_name(uint16_t t, char *buf, size_t len)
{
	switch (t) {
	case 1:
		return "A";
	case 5:
		return "CNAME";
	case 16:
		return "TXT";
	case 28:
		return "AAAA";
	case 33:
		return "SRV";
	}
	snprintf(buf, len, "TYPE%u", (unsigned)t);
	return buf;
}
