/* SPDX-License-Identifier: BSD-3-Clause */
/* zload_pvt.h: the loaded zone's body, shared by zload.c and the compiler (zt.c) only */
#ifndef ZLOAD_PVT_H
#define ZLOAD_PVT_H

#include <ldns/ldns.h>

#include "zload.h"

struct zload_zone {
	char *origin_text;   /* presentation form with trailing dot */
	ldns_rdf *origin;    /* as a DNAME rdf */
	ldns_rr_list *rrs;   /* every record, deduplicated, in file order */
	char **files;        /* distinct file names ($INCLUDE adds more) */
	size_t nfiles;
	unsigned *rr_file;   /* per record: index into files */
	int *rr_line;        /* per record: line it ended on */
	size_t cap;          /* allocated length of rr_file/rr_line */
	unsigned long serial;
};

#endif
