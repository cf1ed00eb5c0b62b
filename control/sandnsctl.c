/* SPDX-License-Identifier: BSD-3-Clause */
/* sandnsctl.c: send one request to sandnsd's control socket and print the reply */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "ctl_cmds.h"
#include "ctl_proto.h"

#ifndef SANDNS_VERSION
#define SANDNS_VERSION "unknown"
#endif

/* A reload compiles every zone: give it time, but never hang forever. */
#define CTL_REPLY_TIMEOUT_MS (120 * 1000)
/* Replies are small (status of many zones at most); this bounds a broken peer. */
#define CTL_REPLY_MAX (16u << 20)

/* Exit statuses: 0 done, 1 the daemon refused the request, 2 usage or connection errors. */
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

static void usage(FILE *f)
{
	char one[128];

	fputs("usage: sandnsctl [--control PATH] [--json] COMMAND [ARGS]\n"
	      "\n"
	      "Commands:\n",
	      f);
	for (size_t i = 0; i < ctl_ncmds; i++) {
		ctl_cmd_usage(&ctl_cmds[i], one, sizeof(one));
		fprintf(f, "  %-*s", USAGE_COL - 2, one);
		usage_wrapped(f, ctl_cmds[i].help);
	}
	fputs("\n"
	      "  --control PATH   the daemon's control socket (default " CTL_PATH_DEFAULT ")\n"
	      "  --json           ask for JSON\n"
	      "\n"
	      "Exit status: 0 done, 1 the daemon refused (reason on stderr), 2 usage or "
	      "connection error.\n",
	      f);
}

static int ctl_connect(const char *path)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	int fd;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "sandnsctl: control socket path too long: %s\n", path);
		return -1;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		fprintf(stderr, "sandnsctl: socket: %s\n", strerror(errno));
		return -1;
	}
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
		fprintf(stderr,
			"sandnsctl: cannot connect to %s: %s (is sandnsd running with "
			"--control %s?)\n",
			path, strerror(errno), path);
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
static ssize_t read_reply(int fd, char **out)
{
	const uint64_t deadline = now_ms() + CTL_REPLY_TIMEOUT_MS;
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
			fprintf(stderr, "sandnsctl: no reply within %d s\n",
				CTL_REPLY_TIMEOUT_MS / 1000);
			goto out_fail;
		}
		if (poll(&pfd, 1, (int)(deadline - now)) < 0 && errno != EINTR)
			goto out_fail;
		if (len == cap) {
			if (cap >= CTL_REPLY_MAX) {
				fprintf(stderr, "sandnsctl: reply too long\n");
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
			fprintf(stderr, "sandnsctl: reading the reply: %s\n", strerror(errno));
			goto out_fail;
		}
		if (n == 0) {
			fprintf(stderr, "sandnsctl: the daemon closed the connection before it "
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

int main(int argc, char **argv)
{
	const char *path = CTL_PATH_DEFAULT;
	char request[CTL_LINE_MAX + 1];
	char *reply = NULL, *line, *next, *end;
	bool json = false, ok;
	size_t off = 0;
	int i, fd, status = EXIT_USAGE;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			json = true;
		} else if (strcmp(argv[i], "--control") == 0 && i + 1 < argc) {
			path = argv[++i];
		} else if (strncmp(argv[i], "--control=", 10) == 0) {
			path = argv[i] + 10;
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
			fprintf(stderr, "sandnsctl: unknown option %s\n", argv[i]);
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}

	if (json)
		off = (size_t)snprintf(request, sizeof(request), "json");
	for (; i < argc; i++) {
		if (strpbrk(argv[i], "\r\n") != NULL) {
			fprintf(stderr, "sandnsctl: arguments cannot hold line breaks\n");
			return EXIT_USAGE;
		}
		off += (size_t)snprintf(request + off, sizeof(request) - off, "%s%s",
					off != 0 ? " " : "", argv[i]);
		if (off + 1 >= CTL_LINE_MAX) {
			fprintf(stderr, "sandnsctl: the request is longer than %d bytes\n",
				CTL_LINE_MAX - 1);
			return EXIT_USAGE;
		}
	}
	request[off++] = '\n';

	fd = ctl_connect(path);
	if (fd < 0)
		return EXIT_USAGE;
	if (!send_all(fd, request, off)) {
		/*
		 * The daemon may have answered and closed before reading us (a refusal: not our
		 * uid, too many clients): its reason is waiting in our receive buffer.
		 */
		if (errno != EPIPE && errno != ECONNRESET) {
			fprintf(stderr, "sandnsctl: sending to %s: %s\n", path, strerror(errno));
			goto out_close;
		}
	}
	if (read_reply(fd, &reply) < 0)
		goto out_close;

	/* Status line, then the body up to the "." line, un-stuffed. */
	next = strchr(reply, '\n');
	*next++ = '\0';
	ok = strcmp(reply, "ok") == 0;
	if (!ok && strncmp(reply, "error: ", 7) != 0) {
		fprintf(stderr, "sandnsctl: unexpected reply: %s\n", reply);
		goto out_free;
	}
	end = (char *)reply_end(next, strlen(next));
	if (end == NULL) {
		fprintf(stderr, "sandnsctl: unexpected reply\n");
		goto out_free;
	}
	end -= 2;
	if (!ok)
		fprintf(stderr, "sandnsctl: %s\n", reply + 7);
	for (line = next; line < end; line = next) {
		next = strchr(line, '\n') + 1;
		if (line[0] == '.')
			line++;
		/* A refusal's text goes to stderr with the reason; JSON always to stdout. */
		fwrite(line, 1, (size_t)(next - line), ok || json ? stdout : stderr);
	}
	status = ok ? 0 : EXIT_REFUSED;
	fflush(stdout);

out_free:
	free(reply);
out_close:
	close(fd);
	return status;
}
