/* SPDX-License-Identifier: BSD-3-Clause */
/* zload_msg.c: the loader's errors and warnings, worded "file:line: reason" */
#include <stdarg.h>
#include <stdio.h>

#include "zload_state.h"

void zload_fail(struct zload_state *st, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (line > 0)
		n = snprintf(st->err, st->errlen, "%s:%d: ", file, line);
	else
		n = snprintf(st->err, st->errlen, "%s: ", file);
	if (n < 0 || (size_t)n >= st->errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(st->err + n, st->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	if (st->collect == NULL || st->stopped)
		return;
	st->collect(st->collect_ctx, st->err);
	if (++st->nerrors >= st->max_errors)
		st->stopped = true;
}

void zload_warn(struct zload_state *st, const char *file, int line, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	int n;

	if (st->warn == NULL)
		return;
	/* Line 0: a record with no place of its own (a transfer's), as zload_fail() words it. */
	if (line > 0)
		n = snprintf(msg, sizeof(msg), "%s:%d: warning: ", file, line);
	else
		n = snprintf(msg, sizeof(msg), "%s: warning: ", file);
	va_start(ap, fmt);
	vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
	va_end(ap);
	st->warn(st->warn_ctx, msg);
}
