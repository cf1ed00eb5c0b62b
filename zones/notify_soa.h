/* SPDX-License-Identifier: BSD-3-Clause */
/* notify_soa.h: the serial a NOTIFY's answer section carries */
#ifndef SANDNS_NOTIFY_SOA_H
#define SANDNS_NOTIFY_SOA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * MSG (LEN octets) a NOTIFY whose question, a name of QNAME_LEN octets, was read: the serial of
 * the SOA its answer section gives first for that name (RFC 1996 3.7: a hint of the primary's
 * version), into *SERIAL. False when there is none or it cannot be read whole: the NOTIFY is
 * then taken as one without a serial. Never allocates; reads only within LEN.
 */
bool notify_soa_serial(const uint8_t *msg, size_t len, size_t qname_len, uint32_t *serial);

#endif
