/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_ctl.c: libFuzzer target for the control protocol: the input is what a client sends on
 * the control socket, cut into lines at each newline as sandnsd cuts it (each line at most
 * CTL_LINE_MAX - 1 octets, ending at a NUL as the C string sandnsd hands on does), every line
 * answered by ctl_handle_line() of one control thread serving the sample and peer zones with
 * the sample certificate. Every response is checked for its framing: a status line, body lines
 * dot-stuffed, a final "."; and the body of a "json" request must be one JSON document.
 *
 * `reload` and `policy reload` are fuzzed too: they read five small zone files and a certificate
 * again and publish, about a millisecond; `stop` only sets the flag ctl_handle_line() returns.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include "ctl.h"
#include "ctl_proto.h"
#include "fuzz_common.h"
#include "sandns_err.h"
#include "srv.h"

#define LINES_MAX 16 /* per input: more finds nothing new and slows every run */
#define JSON_DEPTH 64

static ctl_t *ctl;

/* A loopback port nobody uses now, for the serving sockets the control thread reports on. */
static unsigned free_port(void)
{
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t sl = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0 ||
	    getsockname(fd, (struct sockaddr *)&sin, &sl) != 0) {
		perror("fuzz-ctl: a free port");
		exit(1);
	}
	close(fd);
	return ntohs(sin.sin_port);
}

/*
 * The control thread as sandnsd makes it (ctl_new, the first build published), with serving
 * sockets bound but no thread started: `status` and `stats` read their counters. No control
 * socket: the lines come from the fuzzer. Nothing is freed: it serves every run.
 */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char extra[256], err[2048];
	ctl_build_t b;
	sigset_t old;
	cfg_t *cfg;
	srv_t *srv;

	(void)argc;
	(void)argv;
	snprintf(extra, sizeof(extra),
		 "listen 127.0.0.1@%u\nudp-workers 1\ncert-probe-interval 0\n", free_port());
	cfg = fz_config(extra);
	srv = srv_new(cfg, err, sizeof(err));
	if (srv == NULL) {
		fprintf(stderr, "fuzz-ctl: %s\n", err);
		exit(1);
	}
	/* ctl_new blocks SIGINT, SIGTERM and SIGHUP for its signalfd: libFuzzer wants them. */
	pthread_sigmask(SIG_SETMASK, NULL, &old);
	ctl = ctl_new(cfg, srv, err, sizeof(err));
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (ctl == NULL || ctl_build(cfg, NULL, NULL, &b, err, sizeof(err)) != SANDNS_EOK) {
		fprintf(stderr, "fuzz-ctl: %s\n", err);
		exit(1);
	}
	if (ctl_publish(ctl, &b, err, sizeof(err)) != SANDNS_EOK) {
		fprintf(stderr, "fuzz-ctl: %s\n", err);
		exit(1);
	}
	return 0;
}

/* ---- a JSON syntax check (RFC 8259): *P moves past one value; false when there is none */

static void json_ws(const char **p)
{
	*p += strspn(*p, " \t\r\n");
}

static bool json_value(const char **p, int depth);

static bool json_string(const char **p)
{
	const char *s = *p;

	if (*s++ != '"')
		return false;
	for (; *s != '"'; s++) {
		if ((unsigned char)*s < 0x20)
			return false; /* the end, or a control octet not escaped */
		if (*s != '\\')
			continue;
		s++;
		if (*s == 'u') {
			if (strspn(s + 1, "0123456789abcdefABCDEF") < 4)
				return false;
			s += 4;
		} else if (*s == '\0' || strchr("\"\\/bfnrt", *s) == NULL) {
			return false;
		}
	}
	*p = s + 1;
	return true;
}

static bool json_number(const char **p)
{
	const char *s = *p;

	if (*s == '-')
		s++;
	if (*s == '0')
		s++;
	else if (*s >= '1' && *s <= '9')
		s += strspn(s, "0123456789");
	else
		return false;
	if (*s == '.') {
		if (strspn(s + 1, "0123456789") == 0)
			return false;
		s += 1 + strspn(s + 1, "0123456789");
	}
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '+' || *s == '-')
			s++;
		if (strspn(s, "0123456789") == 0)
			return false;
		s += strspn(s, "0123456789");
	}
	*p = s;
	return true;
}

/* An object or array at *P: members (KEYED: "key": value) separated by commas, then CLOSE. */
static bool json_members(const char **p, int depth, bool keyed, char close)
{
	(*p)++;
	json_ws(p);
	if (**p == close) {
		(*p)++;
		return true;
	}
	for (;;) {
		if (keyed) {
			if (!json_string(p))
				return false;
			json_ws(p);
			if (*(*p)++ != ':')
				return false;
		}
		if (!json_value(p, depth + 1))
			return false;
		json_ws(p);
		if (**p == close) {
			(*p)++;
			return true;
		}
		if (*(*p)++ != ',')
			return false;
		json_ws(p);
	}
}

static bool json_value(const char **p, int depth)
{
	if (depth > JSON_DEPTH)
		return false;
	json_ws(p);
	switch (**p) {
	case '{':
		return json_members(p, depth, true, '}');
	case '[':
		return json_members(p, depth, false, ']');
	case '"':
		return json_string(p);
	case 't':
		return strncmp(*p, "true", 4) == 0 ? (*p += 4, true) : false;
	case 'f':
		return strncmp(*p, "false", 5) == 0 ? (*p += 5, true) : false;
	case 'n':
		return strncmp(*p, "null", 4) == 0 ? (*p += 4, true) : false;
	default:
		return json_number(p);
	}
}

/* Whether LINE asks for JSON, as ctl_handle_line() reads its first word. */
static bool wants_json(const char *line)
{
	line += strspn(line, " \t");
	return strcspn(line, " \t\r") == 4 && strncmp(line, "json", 4) == 0;
}

/* The body of response OUT (LEN octets, framing checked), dot-stuffing undone, is one JSON
 * document. */
static void check_json(const char *out, size_t len, const char *line)
{
	char *body = malloc(len + 1), *b = body;
	const char *p = strchr(out, '\n') + 1, *end;

	/* Body lines up to the final "." line. */
	for (; p < out + len - 2; p = end + 1) {
		end = strchr(p, '\n');
		if (*p == '.')
			p++;
		memcpy(b, p, (size_t)(end - p) + 1);
		b += end - p + 1;
	}
	*b = '\0';
	p = body;
	FZ_CHECK(json_value(&p, 0), "not JSON at offset %zu of the body '%.200s' (request '%.60s')",
		 (size_t)(p - body), body, line);
	json_ws(&p);
	FZ_CHECK(*p == '\0', "more than one JSON value: '%.60s' (request '%.60s')", p, line);
	free(body);
}

/* The framing of one response (ctl_proto.h). */
static void check_response(const char *out, size_t len)
{
	const char *p, *end;

	FZ_CHECK(out != NULL && strlen(out) == len, "%zu octets, a NUL inside", len);
	FZ_CHECK(strncmp(out, "ok\n", 3) == 0 || strncmp(out, "error: ", 7) == 0,
		 "status line '%.40s'", out);
	FZ_CHECK(len >= 5 && strcmp(out + len - 3, "\n.\n") == 0, "no final '.' line");
	/* Only the last line may be a lone "."; body lines starting with "." were doubled. */
	for (p = out; p < out + len; p = end + 1) {
		end = strchr(p, '\n');
		FZ_CHECK(end != NULL, "a last line without its newline");
		if (end + 1 < out + len)
			FZ_CHECK(!(end - p == 1 && p[0] == '.'), "a lone '.' inside the response");
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char line[CTL_LINE_MAX];
	size_t off = 0, lines = 0;

	while (off < size && lines++ < LINES_MAX) {
		const uint8_t *nl = memchr(data + off, '\n', size - off);
		size_t n = (nl != NULL ? (size_t)(nl - data) : size) - off;
		char *out = NULL;
		size_t outlen = 0;
		bool stop;

		memcpy(line, data + off, n < sizeof(line) - 1 ? n : sizeof(line) - 1);
		line[n < sizeof(line) - 1 ? n : sizeof(line) - 1] = '\0';
		off += n + 1;
		FZ_CHECK(ctl_handle_line(ctl, line, &out, &outlen, &stop) == SANDNS_EOK,
			 "no response to '%.60s'", line);
		check_response(out, outlen);
		if (wants_json(line))
			check_json(out, outlen, line);
		free(out);
	}
	return 0;
}
