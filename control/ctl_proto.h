/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_proto.h: the control socket protocol shared by sandnsd and sandnsctl */
#ifndef CTL_PROTO_H
#define CTL_PROTO_H

/*
 * The control socket: a Unix stream socket (mode 0600, path from --control).
 *
 * Request: one line, "[json] COMMAND [ARGS]\n", at most CTL_LINE_MAX bytes with the newline.
 * A longer one gets an error response and the connection is closed. Several requests may
 * follow each other on one connection; each is answered before the next is read.
 *
 * Response: a status line, then the body, then a line holding a single ".":
 *     ok                       or   error: REASON
 *     BODY LINES...
 *     .
 * A body line that starts with "." is sent with one more "." in front (as SMTP does), which
 * the reader takes off. With "json" the body is a single JSON document: the command's, or on
 * an error {"ok":false,"error":"REASON"} (CTL_JSON_ERROR_PREFIX), or the command's own document
 * when its failure comes with one (a policy reload published with an expired leaf, a policy
 * check that finds one); a command's document never begins with that prefix. Without "json",
 * text for people. sandnsctl --json wraps what it gets in one envelope (ctl_out.h).
 *
 * Only root and the daemon's own user may use it: the daemon checks the peer's credentials
 * (SO_PEERCRED) on accept and answers anyone else "error: permission denied: ..." and closes.
 *
 * The commands, their arguments and help: ctl_cmds.h (one table for sandnsd and sandnsctl).
 */

#define CTL_LINE_MAX 4096
#define CTL_JSON_ERROR_PREFIX "{\"ok\":false,\"error\":"
#define CTL_PATH_DEFAULT "/run/sandns/sandnsd.sock"

#endif
