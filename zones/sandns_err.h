/* SPDX-License-Identifier: BSD-3-Clause */
/* sandns_err.h: the one error space of sandns (0 ok, -errno for the OS, below -1000 ours) */
#ifndef SANDNS_ERR_H
#define SANDNS_ERR_H

enum sandns_err {
	SANDNS_EOK = 0,
	SANDNS_EPARSE = -1001,	/* input text or wire data does not parse */
	SANDNS_EZONE = -1002,	/* zone data fails validation */
	SANDNS_ETOOBIG = -1003, /* does not fit the buffer or a protocol limit */
	SANDNS_ECONFIG = -1004, /* bad configuration */
	SANDNS_ENOZONE = -1005, /* no zone serves the name */
	SANDNS_EMALF = -1006,	/* malformed DNS message */
	SANDNS_ELIMIT = -1007,	/* a configured limit was reached */
};

/* A static, human-readable text for any sandns error or -errno; never NULL. */
const char *sandns_strerror(int err);

#endif
