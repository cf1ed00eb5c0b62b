/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_cmd.c: one request line answered: the command looked up in ctl_cmds[], run, framed */
#include <errno.h>
#include <ldns/ldns.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>

#include "buf.h"
#include "ctl_cmds.h"
#include "ctl_keys.h"
#include "ctl_proto.h"
#include "ctl_pvt.h"
#include "log.h"
#include "sandns_err.h"
#include "svc.h"
#include "zload.h"

/* One request being answered: what the handlers read and write. */
struct ctl_req {
	ctl_t *ctl;
	bool json;
	const char *const *argv; /* the words after the command's name */
	size_t argc;
	buf_t *body;
	char *err; /* set: the request failed (the body is replaced ...) */
	size_t errlen;
	bool keep_body; /* ... unless this says the handler wrote a body that goes with it */
	bool stop;
};

/* Words a request may have after its command's name (`policy check` takes the most). */
#define CTL_WORDS_MAX 24

static void h_status(struct ctl_req *r)
{
	ctl_cmd_status(r->ctl, r->json, r->body);
}

static void h_stats(struct ctl_req *r)
{
	ctl_cmd_stats(r->ctl, r->json, r->body);
}

/* `reload [ZONE]`: the reload thread's job; the reply waits for it, the control socket not. */
static void h_reload(struct ctl_req *r)
{
	ctl_t *ctl = r->ctl;

	ctl_reload_ask(ctl, CTL_ASK_RELOAD, r->argc == 1 ? r->argv[0] : NULL, r->json, NULL,
		       ctl->defer_ok ? &ctl->deferred : NULL, r->body, r->err, r->errlen,
		       &r->keep_body);
}

static void h_policy_show(struct ctl_req *r)
{
	ctl_fmt_policy(&r->ctl->info, r->argc == 1 ? r->argv[0] : NULL, r->json, r->body, r->err,
		       r->errlen);
}

static void h_policy_reload(struct ctl_req *r)
{
	ctl_t *ctl = r->ctl;

	if (!ctl->defer_ok || !cert_any_tls(ctl->cfg->certs, ctl->cfg->ncerts)) {
		/* Files only (never a wait: rfile.h), or no control socket to answer later: the
		 * reload thread's job (or this thread's, without it). */
		ctl_reload_ask(ctl, CTL_ASK_POLICY, NULL, r->json, NULL,
			       ctl->defer_ok ? &ctl->deferred : NULL, r->body, r->err, r->errlen,
			       &r->keep_body);
		return;
	}
	/* The endpoints are fetched off this thread first (ctl_probe.c), then reloaded. */
	if (ctl->reload_pending) {
		snprintf(r->err, r->errlen,
			 "a policy reload is in progress (its tls:// sources are being fetched); "
			 "try again when it is done");
		return;
	}
	ctl->reload_pending = true;
	ctl->reload_json = r->json;
	ctl->deferred = true;
}

/* `policy check --cert FILE... [--zone D]`: the preview against what is served (ctl_preview.c). */
static void h_policy_check(struct ctl_req *r)
{
	ctl_preview_check(r->ctl, r->argv, r->argc, r->json, r->body, r->err, r->errlen,
			  &r->keep_body);
}

static void h_explain(struct ctl_req *r)
{
	ctl_fmt_explain(&r->ctl->info, r->ctl->current, r->argv[0], r->argv[1], r->json, r->body,
			r->err, r->errlen);
}

/*
 * The answer engine's response to NAME TYPE (over TCP, so never truncated) on the current
 * snapshot: "rcode RCODE" then the answer section's records, one a line (ldns's presentation
 * form); JSON: {"rcode":...,"answer":[...]}. What sandnsctl autodiscover-check reads.
 */
static void lookup_on(struct ctl_req *r, const zt_t *zt, const char *qname, const char *qtype)
{
	static const zt_answer_ctx_t tcp = {.transport = ZT_TCP, .xfr_allowed = false};
	const ldns_rr_type type = ldns_get_rr_type_by_name(qtype);
	ldns_rdf *name = ldns_dname_new_frm_str(qname);
	const ldns_lookup_table *rc;
	ldns_pkt *q = NULL, *a = NULL;
	zt_answer_info_t info = {0};
	uint8_t *wire = NULL, *resp = malloc(65535);
	size_t wlen = 0, n;
	ldns_rr_list *an;
	char *s;

	if (name == NULL || type == 0 || resp == NULL || zt == NULL) {
		snprintf(r->err, r->errlen, "%s",
			 name == NULL ? "lookup: not a domain name"
			 : type == 0  ? "lookup: unknown type"
				      : "lookup: nothing served yet");
		goto out;
	}
	q = ldns_pkt_query_new(name, type, LDNS_RR_CLASS_IN, 0);
	name = NULL; /* q owns it */
	if (q == NULL || ldns_pkt2wire(&wire, q, &wlen) != LDNS_STATUS_OK || wlen > 65535) {
		snprintf(r->err, r->errlen, "lookup: cannot build the query");
		goto out;
	}
	n = zt_answer(zt, wire, wlen, resp, 65535, &tcp, &info);
	if (n == 0 || ldns_wire2pkt(&a, resp, n) != LDNS_STATUS_OK) {
		snprintf(r->err, r->errlen, "lookup: no answer");
		goto out;
	}
	rc = ldns_lookup_by_id(ldns_rcodes, (int)ldns_pkt_get_rcode(a));
	an = ldns_pkt_answer(a);
	if (r->json) {
		BUF_LIT(r->body, "{\"rcode\":");
		buf_json_str(r->body, rc != NULL ? rc->name : "?");
		BUF_LIT(r->body, ",\"answer\":[");
	} else {
		buf_printf(r->body, "rcode %s\n", rc != NULL ? rc->name : "?");
	}
	for (size_t i = 0; an != NULL && i < ldns_rr_list_rr_count(an); i++) {
		/* Names escaped as a zone file needs them (ldns_rr2str() leaves '@' bare). */
		s = zload_rr_str(ldns_rr_list_rr(an, i));
		if (s == NULL)
			s = ldns_rr2str(ldns_rr_list_rr(an, i));
		if (s == NULL)
			continue;
		s[strcspn(s, "\n")] = '\0';
		if (r->json) {
			/* Fields one space apart: a JSON string holds no raw tab. */
			for (char *t = strchr(s, '\t'); t != NULL; t = strchr(t, '\t'))
				*t = ' ';
			if (i > 0)
				BUF_LIT(r->body, ",");
			buf_json_str(r->body, s);
		} else {
			buf_printf(r->body, "%s\n", s);
		}
		free(s);
	}
	if (r->json)
		BUF_LIT(r->body, "]}\n");
out:
	ldns_rdf_deep_free(name);
	ldns_pkt_free(q);
	ldns_pkt_free(a);
	free(wire);
	free(resp);
}

static void h_lookup(struct ctl_req *r)
{
	lookup_on(r, r->ctl->current, r->argv[0], r->argv[1]);
}

/*
 * `lookup --cert FILE NAME TYPE`: as lookup, on the snapshot the served one would become with
 * FILE as the certificate (ctl_preview.c keeps it while FILE and the served snapshot stay the
 * same): what sandnsctl autodiscover-check --cert reads.
 */
static void h_lookup_cert(struct ctl_req *r)
{
	char why[1024];
	const zt_t *zt = ctl_preview_zt(r->ctl, r->argv[0], why, sizeof(why));

	if (zt == NULL) {
		snprintf(r->err, r->errlen, "lookup --cert: %s", why);
		return;
	}
	lookup_on(r, zt, r->argv[1], r->argv[2]);
}

/* `zone-notify ZONE`: NOTIFY ZONE's targets now with the serial served, changed or not. */
static void h_zone_notify(struct ctl_req *r)
{
	const ctl_t *ctl = r->ctl;
	const char *zone = r->argv[0];
	const ctl_zone_info_t *z = NULL;
	size_t n;

	for (size_t i = 0; i < ctl->info.nzones && z == NULL; i++)
		if (cfg_same_origin(ctl->info.zones[i].origin, zone))
			z = &ctl->info.zones[i];
	if (z == NULL) {
		snprintf(r->err, r->errlen, "no zone %s is configured", zone);
		return;
	}
	n = ctl_notify_zone(r->ctl, z->origin, z->serial);
	if (n == 0) {
		snprintf(r->err, r->errlen,
			 "zone %s has no notify targets (add a line 'notify %s ADDR')", z->origin,
			 z->origin);
		return;
	}
	log_msg(LOG_INFO, "NOTIFY %s serial %lu to %zu target%s on request", z->origin, z->serial,
		n, n == 1 ? "" : "s");
	if (r->json) {
		BUF_LIT(r->body, "{\"zone\":");
		buf_json_str(r->body, z->origin);
		buf_printf(r->body, ",\"serial\":%lu,\"targets\":%zu}\n", z->serial, n);
	} else {
		buf_printf(r->body,
			   "NOTIFY %s serial %lu: sending to %zu target%s (see status for the "
			   "outcome)\n",
			   z->origin, z->serial, n, n == 1 ? "" : "s");
	}
}

/* log-reopen: the log files opened again (logrotate's postrotate), as SIGUSR1 does. */
static void h_log_reopen(struct ctl_req *r)
{
	int n = log_reopen(r->err, r->errlen);

	if (n < 0)
		return;
	if (r->json)
		buf_printf(r->body, "{\"reopened\":%d}\n", n);
	else if (n == 0)
		BUF_LIT(r->body, "no log file to reopen (log-target FILE sets one)\n");
	else
		buf_printf(r->body, "reopened %d log file%s\n", n, n == 1 ? "" : "s");
}

static void h_stop(struct ctl_req *r)
{
	buf_printf(r->body, r->json ? "{\"stopping\":true}\n" : "stopping\n");
	r->stop = true;
}

/* The commands `help` lists: "USAGE: HELP" lines, or their names in JSON. */
static void h_help(struct ctl_req *r)
{
	bool first = true;
	char usage[128];

	if (r->json)
		BUF_LIT(r->body, "{\"commands\":[");
	for (size_t i = 0; i < ctl_ncmds; i++) {
		const ctl_cmd_def_t *c = &ctl_cmds[i];

		if (!c->listed)
			continue;
		if (r->json) {
			if (!first)
				BUF_LIT(r->body, ",");
			buf_json_str(r->body, c->name);
		} else {
			ctl_cmd_usage(c, usage, sizeof(usage));
			buf_printf(r->body, "%s: %s\n", usage, c->help);
		}
		first = false;
	}
	if (r->json)
		BUF_LIT(r->body, "]}\n");
	else
		BUF_LIT(r->body, "sandnsctl --json COMMAND: the same in JSON\n");
}

static void h_zone_status(struct ctl_req *r)
{
	ctl_zone_status(r->ctl, r->argc == 1 ? r->argv[0] : NULL, r->json, r->body, r->err,
			r->errlen);
}

static void h_zone_keys(struct ctl_req *r)
{
	ctl_zone_keys(r->ctl, r->argv[0], r->json, r->body, r->err, r->errlen);
}

/* zone-refresh / zone-retransfer: the transfer thread is asked; the reply does not wait. */
static void zone_refresh(struct ctl_req *r, bool axfr)
{
	if (!ctl_zone_refresh(r->ctl, r->argv[0], axfr, r->err, r->errlen))
		return;
	if (r->json) {
		BUF_LIT(r->body, "{\"zone\":");
		buf_json_str(r->body, r->argv[0]);
		buf_printf(r->body, ",\"queued\":\"%s\"}\n", axfr ? "axfr" : "refresh");
	} else {
		buf_printf(r->body, "%s of %s queued; see zone-status\n",
			   axfr ? "full transfer (AXFR)" : "SOA check", r->argv[0]);
	}
}

static void h_zone_refresh(struct ctl_req *r)
{
	zone_refresh(r, false);
}

static void h_zone_retransfer(struct ctl_req *r)
{
	zone_refresh(r, true);
}

/* What each command of ctl_cmds[] runs (by name); FAILED: the text body of a failure. */
static const struct ctl_handler {
	const char *name;
	void (*fn)(struct ctl_req *r);
	const char *failed;
} ctl_handlers[] = {
    {"status", h_status, NULL},
    {"stats", h_stats, NULL},
    {"reload", h_reload, CTL_RELOAD_FAILED_BODY},
    {"policy show", h_policy_show, NULL},
    {"policy reload", h_policy_reload, NULL},
    {"policy check", h_policy_check, NULL},
    {"explain", h_explain, NULL},
    {"lookup --cert", h_lookup_cert, NULL},
    {"lookup", h_lookup, NULL},
    {"zone-notify", h_zone_notify, NULL},
    {"zone-status", h_zone_status, NULL},
    {"zone-keys", h_zone_keys, NULL},
    {"zone-refresh", h_zone_refresh, NULL},
    {"zone-retransfer", h_zone_retransfer, NULL},
    {"log-reopen", h_log_reopen, NULL},
    {"stop", h_stop, NULL},
    {"help", h_help, NULL},
};

#define CTL_NHANDLERS (sizeof(ctl_handlers) / sizeof(ctl_handlers[0]))

static const struct ctl_handler *ctl_handler_find(const char *name)
{
	for (size_t i = 0; i < CTL_NHANDLERS; i++)
		if (strcmp(ctl_handlers[i].name, name) == 0)
			return &ctl_handlers[i];
	return NULL;
}

size_t ctl_handler_count(void)
{
	return CTL_NHANDLERS;
}

const char *ctl_handler_name(size_t i)
{
	return i < CTL_NHANDLERS ? ctl_handlers[i].name : NULL;
}

bool ctl_handler_exists(const char *name)
{
	return ctl_handler_find(name) != NULL;
}

/* Splits ARGS into at most MAX words (in BUF); returns how many there were (may be > MAX). */
static size_t ctl_words(const char *args, char *buf, size_t len, const char **w, size_t max)
{
	size_t n = 0;
	char *save = NULL, *tok;

	snprintf(buf, len, "%s", args);
	for (tok = strtok_r(buf, " \t\r", &save); tok != NULL;
	     tok = strtok_r(NULL, " \t\r", &save)) {
		if (n < max)
			w[n] = tok;
		n++;
	}
	return n;
}

/*
 * The command of ctl_cmds[] that CMD and the words W (NW of them) select, with how many of
 * the words its name took (*USED); NULL when none fits (*KNOWN: CMD is some command's first word).
 */
static const ctl_cmd_def_t *ctl_cmd_find(const char *cmd, const char *const *w, size_t nw,
					 size_t *used, bool *known)
{
	const size_t cl = strlen(cmd);

	*known = false;
	*used = 0;
	for (size_t i = 0; i < ctl_ncmds; i++) {
		const char *name = ctl_cmds[i].name;

		if (cl == 0 || strncmp(name, cmd, cl) != 0 || (name[cl] != '\0' && name[cl] != ' '))
			continue;
		*known = true;
		if (name[cl] == '\0')
			return &ctl_cmds[i];
		if (nw >= 1 && strcmp(name + cl + 1, w[0]) == 0) {
			*used = 1;
			return &ctl_cmds[i];
		}
	}
	return NULL;
}

/* Runs the request CMD ARGS (JSON or not) into R: its body, or its error in r->err. */
static const struct ctl_handler *ctl_dispatch(struct ctl_req *r, const char *cmd, const char *args)
{
	const struct ctl_handler *h;
	const ctl_cmd_def_t *c;
	char words[CTL_LINE_MAX], usage[256];
	const char *w[CTL_WORDS_MAX];
	size_t nw = ctl_words(args, words, sizeof(words), w, CTL_WORDS_MAX), used;
	bool known;

	c = ctl_cmd_find(cmd, w, nw, &used, &known);
	if (!known)
		return NULL;
	if (c != NULL && c->max_args == 0 && used == 0 && nw > 0) {
		snprintf(r->err, r->errlen, "%s takes no argument", cmd);
		return NULL;
	}
	if (c == NULL || nw - used < c->min_args ||
	    (c->max_args != CTL_ARGS_ANY && nw - used > c->max_args)) {
		ctl_cmds_usage_of(cmd, usage, sizeof(usage));
		snprintf(r->err, r->errlen, "usage: %s", usage);
		/* The handler's word on a failure still applies (`reload`: what is served). */
		return c != NULL ? ctl_handler_find(c->name) : NULL;
	}
	h = ctl_handler_find(c->name);
	if (h == NULL) {
		snprintf(r->err, r->errlen, "%s: not available", c->name);
		return NULL;
	}
	r->argv = w + used;
	/* Only a command that ignores its words (CTL_ARGS_ANY) can have more than were kept. */
	r->argc = (nw < CTL_WORDS_MAX ? nw : CTL_WORDS_MAX) - used;
	/* The command's name only: its words may be paths nobody asked to have logged. */
	log_msg(LOG_DEBUG, "control: %s", c->name);
	h->fn(r);
	return h;
}

/* R's response (its body, or its error with H's word on failures) framed into *OUT; frees R's
 * body. SANDNS_EOK or -ENOMEM. */
static int ctl_respond(struct ctl_req *r, const struct ctl_handler *h, char **out, size_t *outlen)
{
	return ctl_frame_reply(r->json, r->err, r->keep_body, h != NULL ? h->failed : NULL, r->body,
			       out, outlen);
}

int ctl_handle_line(ctl_t *ctl, const char *line, char **out, size_t *outlen, bool *stop)
{
	buf_t body = {0};
	char err[1024] = "", list[512];
	struct ctl_req r = {.ctl = ctl, .body = &body, .err = err, .errlen = sizeof(err)};
	const struct ctl_handler *h = NULL;
	char cmd[32] = "";
	const char *args;
	size_t n;

	*stop = false;
	line += strspn(line, " \t");
	n = strcspn(line, " \t\r");
	if (n == 4 && strncmp(line, "json", 4) == 0) {
		r.json = true;
		line += n;
		line += strspn(line, " \t");
		n = strcspn(line, " \t\r");
	}
	if (n < sizeof(cmd))
		snprintf(cmd, sizeof(cmd), "%.*s", (int)n, line);
	args = line + n + strspn(line + n, " \t\r");

	ctl_cmds_list(list, sizeof(list));
	if (n == 0) {
		snprintf(err, sizeof(err), "empty request; commands: %s", list);
	} else {
		h = ctl_dispatch(&r, cmd, args);
		if (h == NULL && err[0] == '\0') {
			char shown[65];
			size_t k;

			/* Echoed as text: what is not printable ASCII shows as '?' (JSON needs
			 * UTF-8). */
			for (k = 0; k < n && k < sizeof(shown) - 1; k++)
				shown[k] = line[k] > 0x20 && line[k] < 0x7f ? line[k] : '?';
			shown[k] = '\0';
			snprintf(err, sizeof(err), "unknown command '%s'; commands: %s", shown,
				 list);
		}
	}
	*stop = r.stop;
	return ctl_respond(&r, h, out, outlen);
}

int ctl_handle_request(ctl_t *ctl, const char *req, size_t len, char **out, size_t *outlen,
		       bool *stop)
{
	buf_t body = {0};
	size_t skip;
	bool json;

	if (memchr(req, '\0', len) == NULL)
		return ctl_handle_line(ctl, req, out, outlen, stop);
	*stop = false;
	/* Nothing of it is run, but a client that asked for JSON reads the refusal as JSON. */
	skip = strspn(req, " \t");
	json = len - skip >= 4 && strncmp(req + skip, "json", 4) == 0 &&
	       (len - skip == 4 || strchr(" \t\r", req[skip + 4]) != NULL);
	return ctl_frame_reply(json, "the request holds a NUL byte", false, NULL, &body, out,
			       outlen);
}
