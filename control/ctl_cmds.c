/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_cmds.c: the control commands: names, arguments and help, for sandnsd and sandnsctl alike */
#include <stdio.h>
#include <string.h>

#include "ctl_cmds.h"

const ctl_cmd_def_t ctl_cmds[] = {
    {"status", "", 0, 0, true,
     "uptime, zones and serials, snapshot size, addresses, queries answered"},
    {"stats", "", 0, 0, true, "counters of every serving thread"},
    {"reload", "[ZONE]", 0, 1, true,
     "read the configuration file and every zone file (ZONE: its file only) again; "
     "publish only if all load"},
    {"policy show", "[DOMAIN]", 0, 1, true,
     "the certificates, and per domain the autodiscover decisions with their reasons"},
    {"policy reload", "", 0, 0, true, "read every certificate again, re-evaluate, publish"},
    /* At most 18 words: eight --cert FILE (ctl_preview.c) and one --zone DOMAIN. */
    {"policy check", "--cert FILE [--cert FILE...] [--zone DOMAIN]", 2, 18, true,
     "what the served data would become with these certificate files (as sandnsd sees them; "
     "no tls://) in place of the configured ones: per domain the decisions before => after, "
     "the records that would come or go, the serial; publishes nothing"},
    {"explain", "NAME TYPE", 2, 2, true,
     "why NAME TYPE gets its answer (zone data, wildcard, policy)"},
    {"lookup --cert", "FILE NAME TYPE", 3, 3, true,
     "as lookup, from the snapshot the served one would become with FILE as the certificate "
     "(one such preview at a time, freed 10 s after its last use)"},
    {"lookup", "NAME TYPE", 2, 2, true,
     "the answer NAME TYPE gets from the served snapshot: its rcode and answer records"},
    {"zone-notify", "ZONE", 1, 1, true,
     "send NOTIFY for ZONE to its notify targets now, whatever its serial"},
    {"zone-status", "[ZONE]", 0, 1, true,
     "every zone (or ZONE): serial served, source (file or primaries), and for a secondary "
     "zone its last refresh and result, next refresh, expiry"},
    {"zone-keys", "ZONE", 1, 1, true,
     "a zone sandns signs: its DNSKEY records and the DS (SHA-256) its parent needs"},
    {"zone-refresh", "ZONE", 1, 1, true,
     "secondary ZONE: ask its primaries for the SOA now, transfer if newer"},
    {"zone-retransfer", "ZONE", 1, 1, true, "secondary ZONE: a full transfer (AXFR) now"},
    {"log-reopen", "", 0, 0, true,
     "open the log files again (after logrotate renamed them), as SIGUSR1 does"},
    {"stop", "", 0, 0, true, "stop sandnsd"},
    {"help", "", 0, CTL_ARGS_ANY, false, "the daemon's list of commands"},
};

const size_t ctl_ncmds = sizeof(ctl_cmds) / sizeof(ctl_cmds[0]);

void ctl_cmd_usage(const ctl_cmd_def_t *c, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s", c->name, c->args[0] != '\0' ? " " : "", c->args);
}

/* Appends the usage of C to BUF (LEN bytes) after SEP when BUF is not empty. */
static void add_usage(const ctl_cmd_def_t *c, const char *sep, char *buf, size_t len)
{
	size_t off = strlen(buf);
	char one[128];

	ctl_cmd_usage(c, one, sizeof(one));
	if (off < len)
		snprintf(buf + off, len - off, "%s%s", off != 0 ? sep : "", one);
}

void ctl_cmds_list(char *buf, size_t len)
{
	if (len == 0)
		return;
	buf[0] = '\0';
	for (size_t i = 0; i < ctl_ncmds; i++)
		add_usage(&ctl_cmds[i], ", ", buf, len);
}

size_t ctl_cmds_usage_of(const char *word, char *buf, size_t len)
{
	size_t n = 0, wl = strlen(word);

	if (len == 0)
		return 0;
	buf[0] = '\0';
	for (size_t i = 0; i < ctl_ncmds; i++) {
		const char *name = ctl_cmds[i].name;

		if (wl == 0 || strncmp(name, word, wl) != 0 ||
		    (name[wl] != '\0' && name[wl] != ' '))
			continue;
		add_usage(&ctl_cmds[i], " | ", buf, len);
		n++;
	}
	return n;
}
