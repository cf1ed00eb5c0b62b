/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_out.h: what sandnsctl prints: its errors, and the one --json envelope of every command */
#ifndef CTL_OUT_H
#define CTL_OUT_H

#include <stdbool.h>

/*
 * `sandnsctl --json` prints one document whatever the command and however it ends:
 *     {"version":1,"ok":true,"data":DOCUMENT}
 *     {"version":1,"ok":false,"error":"REASON"}            (or with "data" when the failure
 *                                                           comes with a document)
 * ok is true exactly when the exit status is 0. Fields may be added (in the envelope or in
 * a command's document) without a new version; a change that breaks readers raises it.
 */
#define CTL_OUT_VERSION 1

/* "sandnsctl: MESSAGE" on stderr (a trailing newline in FMT is not doubled), kept as the
 * reason a --json envelope gives if the command ends without a document. */
void ctl_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The last message ctl_say said ("" if none). */
const char *ctl_said(void);

/* The envelope on stdout up to "data": (the caller prints the document, then ctl_out_end). */
void ctl_out_begin(bool ok, const char *error);
void ctl_out_end(void);
/* A whole envelope: DATA (a JSON document, a trailing newline ignored) or NULL for none. */
void ctl_out(bool ok, const char *error, const char *data);
/* Whether an envelope was printed. */
bool ctl_out_done(void);
/* S as a JSON string on stdout. */
void ctl_out_str(const char *s);

#endif
