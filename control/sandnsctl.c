/* SPDX-License-Identifier: BSD-3-Clause */
/* sandnsctl.c: send one request to sandnsd's control socket and print the reply */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "adcheck.h"
#include "ctl_cmds.h"
#include "ctl_out.h"
#include "ctl_proto.h"
#include "rfile.h"

#ifndef SANDNS_VERSION
#define SANDNS_VERSION "unknown"
#endif

/* A reload compiles every zone: give it time, but never hang forever. */
#define CTL_REPLY_TIMEOUT_MS (120 * 1000)
/* Replies are small (status of many zones at most); this bounds a broken peer. */
#define CTL_REPLY_MAX (16u << 20)
/* sandnsd's configuration, read for its control line: as large as sandnsd reads one. */
#define CTL_CONFIG_MAX (64u << 20)

#define ADCHECK_USAGE                                                                              \
	"autodiscover-check EMAIL [--resolver ADDR[@PORT] | --cert NEW] [--ca FILE] [--timeout "   \
	"S] "                                                                                      \
	"[--json]"
#define ADCHECK_HELP                                                                               \
	"walks Outlook's autodiscover steps "                                                      \
	"(MS-OXDISCO) for EMAIL's domain D: 1 https://D, 2 https://autodiscover.D, 3 "             \
	"http://autodiscover.D and its redirect to https, 4 the _autodiscover._tcp.D SRV record; " \
	"per step the DNS answer, the TCP connect, the TLS handshake (SNI), the certificate, "     \
	"whether it verifies (--ca FILE, else the system store) and names the host, and whether "  \
	"a "                                                                                       \
	"client would warn. It stops at the first step a client passes without a warning; it "     \
	"connects and shakes hands but POSTs no autodiscover request. DNS from sandnsd's "         \
	"snapshot "                                                                                \
	"(lookup on the control socket), or from the server at --resolver (over UDP, no RD; "      \
	"as a stub resolver, it takes only an answer whose ID, QR, opcode and question "           \
	"(name in any case, type, class) are its query's, ignoring others until the timeout, "     \
	"and says how many it ignored; a truncated answer is taken as none). Each connect, "       \
	"handshake and DNS query waits at most --timeout seconds (5). Exit 0: a step succeeds "    \
	"and "                                                                                     \
	"none before it warns; 1: a client would warn (or nothing succeeds); 2: usage, or the "    \
	"resolver cannot be asked. Changes nothing. With --cert NEW (a PEM or DER file, which "    \
	"sandnsd reads too): what a client would see once NEW is deployed: the DNS answers come "  \
	"from sandnsd's preview with NEW in place of the configured certificates (lookup "         \
	"--cert), "                                                                                \
	"and an https endpoint that presents one of the configured certificates (the same "        \
	"SHA-256 as a leaf policy show lists) is judged with NEW instead; other endpoints are "    \
	"judged as they are."

/* Exit statuses: 0 done, 1 the daemon refused the request, 2 usage, connection or protocol errors.
 */
enum { EXIT_REFUSED = 1, EXIT_USAGE = 2 };

/* Commands and their help come from ctl_cmds[], the daemon's own table. */
#define USAGE_COL 24
#define USAGE_WIDTH 80

/* TEXT from column USAGE_COL on, broken at spaces so that lines stay within USAGE_WIDTH. */
static void usage_wrapped(FILE *f, const char *text)
{
	size_t col = USAGE_COL;

	while (*text != '\0') {
		size_t n = strcspn(text, " ");

		if (col > USAGE_COL && col + 1 + n > USAGE_WIDTH) {
			fprintf(f, "\n%*s", USAGE_COL, "");
			col = USAGE_COL;
		} else if (col > USAGE_COL) {
			fputc(' ', f);
			col++;
		}
		fwrite(text, 1, n, f);
		col += n;
		text += n;
		text += strspn(text, " ");
	}
	fputc('\n', f);
}

/*
 * The control socket sandnsd's configuration FILE names (its last `control` line; a relative
 * path is taken from FILE's directory, as sandnsd takes it) into OUT. Only that key is read:
 * the rest (key files, certificates) may be for sandnsd's eyes. -1 with the reason on stderr.
 */
static int control_from_config(const char *file, char *out, size_t outlen)
{
	char dir[PATH_MAX], found[PATH_MAX] = "", why[1024], *text = NULL, *line, *next;
	const char *slash = strrchr(file, '/');
	unsigned lineno = 0, at = 0;
	size_t len = 0;
	/* As sandnsd reads it: a regular file only (a FIFO never holds us), bounded, whole lines
	 * however long (a tail of a long line is never read as a line of its own). */
	int fd = rfile_open("", file, O_RDONLY, 0, CTL_CONFIG_MAX, why, sizeof(why)), rc;

	if (fd < 0) {
		ctl_say("%s\n", why);
		return -1;
	}
	rc = rfile_read(fd, CTL_CONFIG_MAX, &text, &len);
	close(fd);
	if (rc != 0) {
		ctl_say("%s: cannot read: %s\n", file, strerror(-rc));
		return -1;
	}
	for (line = text; line != NULL && line < text + len; line = next) {
		char *p = line, *end;

		if ((next = memchr(line, '\n', (size_t)(text + len - line))) != NULL)
			*next++ = '\0';
		lineno++;
		if ((end = strchr(p, '#')) != NULL)
			*end = '\0';
		p += strspn(p, " \t");
		if (strncmp(p, "control", 7) != 0 || (p[7] != ' ' && p[7] != '\t'))
			continue;
		p += 7 + strspn(p + 7, " \t");
		end = p + strlen(p);
		while (end > p && strchr(" \t\r", end[-1]) != NULL)
			*--end = '\0';
		if (*p == '\0' || strlen(p) >= sizeof(found)) {
			ctl_say("%s:%u: control: a path is needed\n", file, lineno);
			free(text);
			return -1;
		}
		snprintf(found, sizeof(found), "%s", p);
		at = lineno;
	}
	free(text);
	if (at == 0) {
		ctl_say("%s has no control line: sandnsd has no control socket\n", file);
		return -1;
	}
	if (found[0] == '/' || slash == NULL)
		snprintf(dir, sizeof(dir), "%s", found[0] == '/' ? "" : ".");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - file), file);
	if (found[0] == '/')
		snprintf(out, outlen, "%s", found);
	else if ((size_t)snprintf(out, outlen, "%s/%s", dir, found) >= outlen)
		return -1;
	return 0;
}

static void usage(FILE *f)
{
	char one[128];

	fputs("usage: sandnsctl [--control PATH | --config FILE] [--json] COMMAND [ARGS]\n"
	      "\n"
	      "Commands:\n",
	      f);
	for (size_t i = 0; i < ctl_ncmds; i++) {
		ctl_cmd_usage(&ctl_cmds[i], one, sizeof(one));
		/* A usage too long for its column gets a line of its own. */
		if (strlen(one) > USAGE_COL - 3)
			fprintf(f, "  %s\n%*s", one, USAGE_COL, "");
		else
			fprintf(f, "  %-*s", USAGE_COL - 2, one);
		usage_wrapped(f, ctl_cmds[i].help);
	}
	/* Run here, not by the daemon: its usage is too long for the column. */
	fprintf(f, "  %s\n%*s", ADCHECK_USAGE, USAGE_COL, "");
	usage_wrapped(f, ADCHECK_HELP);
	fputs(
	    "\n"
	    "  --control PATH   the daemon's control socket (default " CTL_PATH_DEFAULT ")\n"
	    "  --config FILE    the control socket sandnsd's configuration FILE names\n"
	    "  --json           one JSON document: {\"version\":1,\"ok\":...,\"data\"/\"error\"}\n"
	    "\n"
	    "Exit status: 0 done, 1 the daemon refused (reason on stderr), 2 usage, "
	    "connection or protocol error.\n",
	    f);
}

static int ctl_connect(const char *path)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	int fd;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		ctl_say("control socket path too long: %s\n", path);
		return -1;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		ctl_say("socket: %s\n", strerror(errno));
		return -1;
	}
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
		const int e = errno;
		struct stat st;

		/* A FIFO, a file or a directory at the path refuses as no listener would. */
		if (stat(path, &st) == 0 && !S_ISSOCK(st.st_mode))
			ctl_say("cannot connect to %s: not a socket but %s (is it sandnsd's "
				"control socket?)\n",
				path, rfile_kind(st.st_mode));
		else
			ctl_say("cannot connect to %s: %s (is sandnsd running with "
				"--control %s?)\n",
				path, strerror(e), path);
		close(fd);
		return -1;
	}
	return fd;
}

static bool send_all(int fd, const char *p, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = send(fd, p, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return false;
		p += n;
		len -= (size_t)n;
	}
	return true;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Where the reply ends: just past the "\n.\n" that closes it, or NULL. */
static const char *reply_end(const char *buf, size_t len)
{
	const char *p;

	for (p = buf; p + 2 <= buf + len; p++) {
		if (p[0] == '.' && p[1] == '\n' && (p == buf || p[-1] == '\n'))
			return p + 2;
		p = memchr(p, '\n', (size_t)(buf + len - p));
		if (p == NULL)
			return NULL;
	}
	return NULL;
}

/* Reads the whole reply into *out (terminated); returns its length or -1. */
static ssize_t read_reply(int fd, char **out, int timeout_ms)
{
	const uint64_t deadline = now_ms() + (uint64_t)timeout_ms;
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap + 1), *grown;
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	ssize_t n;

	if (buf == NULL)
		return -1;
	for (;;) {
		const uint64_t now = now_ms();

		buf[len] = '\0';
		if (reply_end(buf, len) != NULL)
			break;
		if (now >= deadline) {
			ctl_say("no reply within %d ms\n", timeout_ms);
			goto out_fail;
		}
		if (poll(&pfd, 1, (int)(deadline - now)) < 0 && errno != EINTR)
			goto out_fail;
		if (len == cap) {
			if (cap >= CTL_REPLY_MAX) {
				ctl_say("reply too long\n");
				goto out_fail;
			}
			cap *= 2;
			grown = realloc(buf, cap + 1);
			if (grown == NULL)
				goto out_fail;
			buf = grown;
		}
		n = recv(fd, buf + len, cap - len, MSG_DONTWAIT);
		if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
			continue;
		if (n < 0) {
			ctl_say("reading the reply: %s\n", strerror(errno));
			goto out_fail;
		}
		if (n == 0) {
			ctl_say("the daemon closed the connection before it "
				"finished its reply\n");
			goto out_fail;
		}
		len += (size_t)n;
	}
	*out = buf;
	return (ssize_t)len;

out_fail:
	free(buf);
	return -1;
}

/*
 * Sends REQUEST (one line with its newline, LEN bytes) to the daemon at PATH and reads the reply
 * within TIMEOUT_MS: *OK its status, *BODY (malloc'd, un-stuffed, terminated) the body, or for
 * a refusal the reason line then the body. -1 (said on stderr) when there is no reply.
 */
static int ctl_call(const char *path, const char *request, size_t len, int timeout_ms, bool *ok,
		    char **body)
{
	char *reply = NULL, *line, *next, *end, *out;
	size_t o = 0;
	ssize_t rlen;
	int fd, rc = -1;

	fd = ctl_connect(path);
	if (fd < 0)
		return -1;
	if (!send_all(fd, request, len)) {
		/*
		 * The daemon may have answered and closed before reading us (a refusal: not our
		 * uid, too many clients): its reason is waiting in our receive buffer.
		 */
		if (errno != EPIPE && errno != ECONNRESET) {
			ctl_say("sending to %s: %s\n", path, strerror(errno));
			goto out_close;
		}
	}
	rlen = read_reply(fd, &reply, timeout_ms);
	if (rlen < 0)
		goto out_close;

	/*
	 * Bytes with a length: the status line, then the body up to the "." line, un-stuffed. The
	 * protocol is text: a NUL octet (or a reply shaped otherwise) is the daemon's fault, said
	 * and refused, never followed.
	 */
	if (memchr(reply, '\0', (size_t)rlen) != NULL) {
		ctl_say("a malformed reply (a NUL octet in it)\n");
		goto out_free;
	}
	next = memchr(reply, '\n', (size_t)rlen);
	if (next == NULL) {
		ctl_say("a malformed reply (no status line)\n");
		goto out_free;
	}
	*next++ = '\0';
	*ok = strcmp(reply, "ok") == 0;
	if (!*ok && strncmp(reply, "error: ", 7) != 0) {
		ctl_say("unexpected reply: %.200s\n", reply);
		goto out_free;
	}
	end = (char *)reply_end(next, (size_t)(reply + rlen - next));
	if (end == NULL) {
		ctl_say("a malformed reply (its end is missing)\n");
		goto out_free;
	}
	end -= 2; /* the "." line: every line before it ends in a newline */
	out = malloc((size_t)(next - reply) + (size_t)(end - next) + 2);
	if (out == NULL)
		goto out_free;
	if (!*ok)
		o = (size_t)sprintf(out, "%s\n", reply + 7);
	for (line = next; line < end; line = next) {
		next = (char *)memchr(line, '\n', (size_t)(end - line)) + 1;
		if (line[0] == '.')
			line++;
		memcpy(out + o, line, (size_t)(next - line));
		o += (size_t)(next - line);
	}
	out[o] = '\0';
	*body = out;
	rc = 0;

out_free:
	free(reply);
out_close:
	close(fd);
	return rc;
}

/*
 * A certificate file named to the daemon (--cert FILE): sandnsd reads it, from its own working
 * directory (/ in the background): a relative FILE is made absolute from ours into BUF.
 * Returns FILE itself when it is absolute, a tls:// text or cannot be made absolute.
 */
static const char *abs_file(const char *file, char *buf, size_t len)
{
	char cwd[4096];

	if (file[0] == '/' || strstr(file, "://") != NULL || getcwd(cwd, sizeof(cwd)) == NULL ||
	    (size_t)snprintf(buf, len, "%s/%s", cwd, file) >= len)
		return file;
	return buf;
}

/* autodiscover-check's DNS from the daemon: `lookup [--cert NEW] NAME TYPE` on the socket. */
struct ctl_dns {
	const char *path;
	int timeout_ms;
	const char *cert; /* --cert NEW (absolute), or NULL */
};

static bool ctl_dns_ask(void *ctx, const char *qname, uint16_t qtype, ad_dns_t *out)
{
	const struct ctl_dns *c = ctx;
	const char *tname = qtype == 1 ? "A" : qtype == 28 ? "AAAA" : "SRV";
	char req[CTL_LINE_MAX], *body = NULL;
	bool ok = false, parsed;
	int n;

	memset(out, 0, sizeof(*out));
	snprintf(out->qname, sizeof(out->qname), "%s", qname);
	out->qtype = qtype;
	out->kind = AD_DNS_ERROR;
	n = snprintf(req, sizeof(req), "lookup %s%s%s%s %s\n", c->cert != NULL ? "--cert " : "",
		     c->cert != NULL ? c->cert : "", c->cert != NULL ? " " : "", qname, tname);
	if (n <= 0 || (size_t)n >= sizeof(req)) {
		snprintf(out->error, sizeof(out->error), "name too long");
		return true;
	}
	if (ctl_call(c->path, req, (size_t)n, c->timeout_ms, &ok, &body) != 0) {
		snprintf(out->error, sizeof(out->error), "no reply on the control socket");
		return false;
	}
	if (!ok) {
		snprintf(out->error, sizeof(out->error), "the daemon refused: %.*s",
			 (int)strcspn(body, "\n"), body);
		free(body);
		return false;
	}
	parsed = adcheck_dns_from_text(body, qname, qtype, out);
	free(body);
	if (!parsed) {
		out->kind = AD_DNS_ERROR;
		snprintf(out->error, sizeof(out->error), "an unreadable lookup reply");
		return false;
	}
	return true;
}

/*
 * --cert NEW: NEW read here (what the endpoints will present) and the configured certificates'
 * fingerprints asked of the daemon (`policy show`) into O. False (said on stderr) on failure.
 */
static bool preview_setup(const char *path, const char *file, int timeout_ms, ad_opts_t *o,
			  ad_newcert_t **nc)
{
	char err[1200], *body = NULL;
	bool ok = false;

	*nc = adcheck_newcert_load(file, err, sizeof(err));
	if (*nc == NULL) {
		ctl_say("autodiscover-check --cert: %s\n", err);
		return false;
	}
	if (strpbrk(file, " \t\r\n") != NULL) {
		ctl_say("autodiscover-check --cert %s: the control protocol cannot carry "
			"a file name with a space in it\n",
			file);
		return false;
	}
	if (ctl_call(path, "policy show\n", 12, timeout_ms, &ok, &body) != 0) {
		ctl_say("autodiscover-check: cannot ask sandnsd (%s) for its "
			"certificates\n",
			path);
		return false;
	}
	if (!ok) {
		ctl_say("autodiscover-check: sandnsd refused policy show: %s", body);
		free(body);
		return false;
	}
	o->nserved = adcheck_served_leaves(body, o->served, AD_SERVED_MAX);
	o->newcert = *nc;
	free(body);
	return true;
}

/* `autodiscover-check EMAIL [OPTIONS]` (ARGV after the command's name): its exit status. */
static int autodiscover_check(const char *path, bool *json, int argc, char **argv)
{
	struct ctl_dns cd = {.path = path};
	ad_opts_t o = {.timeout_ms = 5000, .dns = ctl_dns_ask, .dns_ctx = &cd};
	const char *email = NULL, *resolver = NULL, *cert = NULL;
	char addr[64], via[8400], absbuf[4096];
	ad_newcert_t *nc = NULL;
	uint16_t port = 53;
	void *res = NULL;
	int status;

	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		char *end;

		if (strcmp(a, "--json") == 0) {
			*json = true;
		} else if (strcmp(a, "--resolver") == 0 && v != NULL) {
			resolver = v;
			i++;
		} else if (strcmp(a, "--cert") == 0 && v != NULL) {
			cert = abs_file(v, absbuf, sizeof(absbuf));
			i++;
		} else if (strcmp(a, "--ca") == 0 && v != NULL) {
			o.ca = v;
			i++;
		} else if (strcmp(a, "--timeout") == 0 && v != NULL) {
			double t = strtod(v, &end);

			if (end == v || *end != '\0' || !(t > 0 && t <= AD_TIMEOUT_MAX)) {
				ctl_say("--timeout wants seconds in (0, %d]: %s\n", AD_TIMEOUT_MAX,
					v);
				return EXIT_USAGE;
			}
			o.timeout_ms = (int)(t * 1000);
			if (o.timeout_ms < 1)
				o.timeout_ms = 1;
			i++;
		} else if (a[0] != '-' && email == NULL) {
			email = a;
		} else {
			ctl_say("autodiscover-check: unexpected argument %s\n", a);
			fputs("usage: sandnsctl [--control PATH] [--json] " ADCHECK_USAGE "\n",
			      stderr);
			return EXIT_USAGE;
		}
	}
	if (email == NULL) {
		fputs("usage: sandnsctl [--control PATH] [--json] " ADCHECK_USAGE "\n", stderr);
		return EXIT_USAGE;
	}
	if (o.ca != NULL && access(o.ca, R_OK) != 0) {
		ctl_say("--ca %s: %s\n", o.ca, strerror(errno));
		return EXIT_USAGE;
	}
	if (o.ca != NULL && !adcheck_ca_loads(o.ca)) {
		ctl_say("--ca %s: no certificate in it could be loaded\n", o.ca);
		return EXIT_USAGE;
	}
	cd.timeout_ms = o.timeout_ms;
	if (cert != NULL && resolver != NULL) {
		ctl_say("autodiscover-check: --cert asks sandnsd's preview for the "
			"DNS answers: not with --resolver\n");
		return EXIT_USAGE;
	}
	if (cert != NULL) {
		if (!preview_setup(path, cert, o.timeout_ms, &o, &nc)) {
			adcheck_newcert_free(nc);
			return EXIT_USAGE;
		}
		cd.cert = cert;
		snprintf(via, sizeof(via), "sandnsd's preview with %s (lookup --cert on %s)", cert,
			 path);
	} else if (resolver != NULL) {
		if (!adcheck_parse_server(resolver, addr, sizeof(addr), &port)) {
			ctl_say("--resolver wants ADDR[@PORT]: %s\n", resolver);
			return EXIT_USAGE;
		}
		res = adcheck_resolver_new(addr, port, o.timeout_ms);
		if (res == NULL) {
			ctl_say("--resolver %s: cannot set up a resolver\n", resolver);
			return EXIT_USAGE;
		}
		o.dns = adcheck_resolver_ask;
		o.dns_ctx = res;
		snprintf(via, sizeof(via), "%s port %u", addr, port);
	} else {
		snprintf(via, sizeof(via), "sandnsd (lookup on %s)", path);
	}
	o.dns_via = via;
	status = adcheck_run(email, &o, *json);
	adcheck_resolver_free(res);
	adcheck_newcert_free(nc);
	fflush(stdout);
	return status;
}

/* The command ARGV asks for, run: its exit status; *JSON: whether --json was given. */
static int run(int argc, char **argv, bool *json)
{
	const char *path = CTL_PATH_DEFAULT;
	char request[CTL_LINE_MAX + 1], conf_path[PATH_MAX];
	char *body = NULL;
	bool ok = false;
	size_t off = 0;
	int i;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			*json = true;
		} else if (strcmp(argv[i], "--control") == 0 && i + 1 < argc) {
			path = argv[++i];
		} else if (strncmp(argv[i], "--control=", 10) == 0) {
			path = argv[i] + 10;
		} else if ((strcmp(argv[i], "--config") == 0 && i + 1 < argc) ||
			   strncmp(argv[i], "--config=", 9) == 0) {
			const char *file = argv[i][8] == '=' ? argv[i] + 9 : argv[++i];

			if (control_from_config(file, conf_path, sizeof(conf_path)) != 0)
				return EXIT_USAGE;
			path = conf_path;
		} else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return 0;
		} else if (strcmp(argv[i], "--version") == 0) {
			printf("sandnsctl %s\n", SANDNS_VERSION);
			return 0;
		} else if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		} else {
			ctl_say("unknown option %s\n", argv[i]);
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	/* `sandnsctl json COMMAND`: the protocol's own prefix, taken as --json (one envelope). */
	if (i < argc && strcmp(argv[i], "json") == 0) {
		*json = true;
		i++;
	}
	if (i >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	/* The one command sandnsctl runs itself: it asks the daemon only for DNS answers. */
	if (strcmp(argv[i], "autodiscover-check") == 0)
		return autodiscover_check(path, json, argc - i - 1, argv + i + 1);

	if (*json)
		off = (size_t)snprintf(request, sizeof(request), "json");
	for (int first = i; i < argc; i++) {
		char absbuf[4096];
		/* The file after --cert is read by the daemon: named from our directory. */
		const char *word = i > first && strcmp(argv[i - 1], "--cert") == 0
				       ? abs_file(argv[i], absbuf, sizeof(absbuf))
				       : argv[i];

		if (strpbrk(argv[i], "\r\n") != NULL) {
			ctl_say("arguments cannot hold line breaks\n");
			return EXIT_USAGE;
		}
		if (i > first && strcmp(argv[i - 1], "--cert") == 0 &&
		    strpbrk(argv[i], " \t") != NULL) {
			ctl_say("--cert %s: the control protocol cannot carry a file name "
				"with a space in it\n",
				argv[i]);
			return EXIT_USAGE;
		}
		off += (size_t)snprintf(request + off, sizeof(request) - off, "%s%s",
					off != 0 ? " " : "", word);
		if (off + 1 >= CTL_LINE_MAX) {
			ctl_say("the request is longer than %d bytes\n", CTL_LINE_MAX - 1);
			return EXIT_USAGE;
		}
	}
	request[off++] = '\n';

	if (ctl_call(path, request, off, CTL_REPLY_TIMEOUT_MS, &ok, &body) != 0)
		return EXIT_USAGE;
	if (ok && *json) {
		ctl_out(true, NULL, body);
	} else if (ok) {
		fputs(body, stdout);
	} else {
		/* A refusal's reason goes to stderr, then its text; JSON always to stdout. */
		const size_t rl = strcspn(body, "\n");
		const char *rest = body + rl + (body[rl] == '\n');

		body[rl] = '\0';
		fprintf(stderr, "sandnsctl: %s\n", body);
		if (!*json)
			fputs(rest, stderr);
		else if (strncmp(rest, CTL_JSON_ERROR_PREFIX, strlen(CTL_JSON_ERROR_PREFIX)) == 0)
			ctl_out(false, body, NULL); /* the reason alone (ctl_proto.h) */
		else
			ctl_out(false, body, rest); /* the command's document that goes with it */
	}
	fflush(stdout);
	free(body);
	return ok ? 0 : EXIT_REFUSED;
}

int main(int argc, char **argv)
{
	bool json = false;
	int rc = run(argc, argv, &json);

	/* --json: one document, whatever ended the command (the reason is on stderr too). */
	if (json && rc != 0 && !ctl_out_done())
		ctl_out(false,
			ctl_said()[0] != '\0' ? ctl_said() : "usage error (see sandnsctl --help)",
			NULL);
	return rc;
}
