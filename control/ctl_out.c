/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_out.c: what sandnsctl prints: its errors, and the one --json envelope of every command */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ctl_out.h"

static char said[1024];
static bool printed;

void ctl_say(const char *fmt, ...)
{
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	vsnprintf(said, sizeof(said), fmt, ap);
	va_end(ap);
	n = strlen(said);
	while (n > 0 && said[n - 1] == '\n')
		said[--n] = '\0';
	fprintf(stderr, "sandnsctl: %s\n", said);
}

const char *ctl_said(void)
{
	return said;
}

void ctl_out_str(const char *s)
{
	putchar('"');
	for (; *s != '\0'; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			printf("\\%c", ch);
		else if (ch < 0x20 || ch >= 0x7f)
			printf("\\u%04x", ch); /* as the daemon's documents: no UTF-8 is promised */
		else
			putchar(ch);
	}
	putchar('"');
}

void ctl_out_begin(bool ok, const char *error)
{
	printf("{\"version\":%d,\"ok\":%s", CTL_OUT_VERSION, ok ? "true" : "false");
	if (!ok) {
		printf(",\"error\":");
		ctl_out_str(error != NULL && error[0] != '\0' ? error : "failed");
	}
	printf(",\"data\":");
	printed = true;
}

void ctl_out_end(void)
{
	printf("}\n");
	fflush(stdout);
}

void ctl_out(bool ok, const char *error, const char *data)
{
	size_t n = data != NULL ? strlen(data) : 0;

	while (n > 0 && (data[n - 1] == '\n' || data[n - 1] == ' '))
		n--;
	if (n == 0 && !ok) {
		printf("{\"version\":%d,\"ok\":false,\"error\":", CTL_OUT_VERSION);
		ctl_out_str(error != NULL && error[0] != '\0' ? error : "failed");
		ctl_out_end();
		printed = true;
		return;
	}
	ctl_out_begin(ok, error);
	if (n == 0)
		printf("null");
	else
		fwrite(data, 1, n, stdout);
	ctl_out_end();
}

bool ctl_out_done(void)
{
	return printed;
}
