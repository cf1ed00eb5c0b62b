/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_cmds.h: the control commands: names, arguments and help, for sandnsd and sandnsctl alike */
#ifndef CTL_CMDS_H
#define CTL_CMDS_H

#include <stdbool.h>
#include <stddef.h>

/* max_args of a command that takes whatever follows it and ignores it. */
#define CTL_ARGS_ANY 255

/*
 * One control command as people see it. The daemon's `help`, its dispatch and its error
 * messages, and sandnsctl's usage all come from ctl_cmds[]; sandnsd maps each NAME to its
 * handler (ctl_cmd.c). sandnsctl compiles this file and links nothing else of the server.
 */
typedef struct ctl_cmd_def {
	const char *name; /* the words that select it: "status", "policy show" */
	const char *args; /* its arguments in usage form ("[ZONE]", "NAME TYPE"), "" none */
	unsigned char min_args, max_args; /* words after NAME (CTL_ARGS_ANY: not counted) */
	bool listed;			  /* shown by the daemon's `help` */
	const char *help;		  /* what it does, one line for people */
} ctl_cmd_def_t;

extern const ctl_cmd_def_t ctl_cmds[];
extern const size_t ctl_ncmds;

/* The command's usage ("reload [ZONE]") into BUF (LEN bytes, always terminated). */
void ctl_cmd_usage(const ctl_cmd_def_t *c, char *buf, size_t len);

/*
 * Every command's usage, joined by ", " ("status, stats, reload [ZONE], ..."), into BUF (LEN
 * bytes, always terminated): what an unknown command is answered with.
 */
void ctl_cmds_list(char *buf, size_t len);

/*
 * The usage of every command whose first word is WORD, joined by " | " ("policy show [DOMAIN] |
 * policy reload"), into BUF; returns how many there are (0: WORD is no command).
 */
size_t ctl_cmds_usage_of(const char *word, char *buf, size_t len);

#endif
