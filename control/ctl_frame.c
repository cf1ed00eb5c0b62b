/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_frame.c: a control reply framed: status line, dot-stuffed body, "." (ctl_proto.h) */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "ctl_proto.h"
#include "ctl_pvt.h"
#include "sandns_err.h"

void ctl_frame(buf_t *out, const char *error, const buf_t *body)
{
	const char *p, *end;

	if (error != NULL) {
		BUF_LIT(out, "error: ");
		for (p = error; *p != '\0'; p++)
			buf_put(out, *p == '\n' || *p == '\r' ? " " : p, 1);
		BUF_LIT(out, "\n");
	} else {
		BUF_LIT(out, "ok\n");
	}
	for (p = body->p; p != NULL && p < body->p + body->len; p = end + 1) {
		end = memchr(p, '\n', (size_t)(body->p + body->len - p));
		if (end == NULL)
			end = body->p + body->len;
		if (*p == '.')
			BUF_LIT(out, ".");
		buf_put(out, p, (size_t)(end - p));
		BUF_LIT(out, "\n");
	}
	BUF_LIT(out, ".\n");
}

int ctl_frame_reply(bool json, const char *err, bool keep_body, const char *failed, buf_t *body,
		    char **out, size_t *outlen)
{
	buf_t resp = {0};

	if (err[0] != '\0' && !keep_body) {
		body->len = 0;
		if (json) {
			BUF_LIT(body, CTL_JSON_ERROR_PREFIX);
			buf_json_str(body, err);
			BUF_LIT(body, "}\n");
		} else if (failed != NULL) {
			buf_printf(body, "%s", failed);
		}
	}
	ctl_frame(&resp, err[0] != '\0' ? err : NULL, body);
	free(body->p);
	body->p = NULL;
	if (body->oom || resp.oom) {
		free(resp.p);
		return -ENOMEM;
	}
	*out = resp.p;
	*outlen = resp.len;
	return SANDNS_EOK;
}
