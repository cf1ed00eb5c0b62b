/* SPDX-License-Identifier: BSD-3-Clause */
/* err.c: texts for the sandns error space */
#include <string.h>

#include "sandns_err.h"

const char *sandns_strerror(int err)
{
	switch (err) {
	case SANDNS_EOK:
		return "success";
	case SANDNS_EPARSE:
		return "does not parse";
	case SANDNS_EZONE:
		return "zone data is not valid";
	case SANDNS_ETOOBIG:
		return "too big";
	case SANDNS_ECONFIG:
		return "bad configuration";
	case SANDNS_ENOZONE:
		return "no zone serves this name";
	case SANDNS_EMALF:
		return "malformed DNS message";
	case SANDNS_ELIMIT:
		return "limit reached";
	default:
		break;
	}
	if (err < 0 && err > -1000)
		return strerror(-err);
	return "unknown error";
}
