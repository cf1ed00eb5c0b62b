/* SPDX-License-Identifier: BSD-3-Clause */
/* sandnsd.c: the daemon: configuration, zones, sockets, then serve until told to stop */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "cfg.h"
#include "ctl.h"
#include "sandns_err.h"
#include "srv.h"
#include "zpub.h"

#ifndef SANDNS_VERSION
#define SANDNS_VERSION "unknown"
#endif

/* Exit statuses: 0 stopped cleanly, 1 could not run (sockets, memory), 2 bad configuration. */
enum { EXIT_RUNTIME = 1, EXIT_CONFIG = 2 };

static const char usage_text[] =
    "usage: sandnsd [--config FILE] [--zone ORIGIN=FILE]... [--listen ADDR[@PORT]]...\n"
    "         [--io dpdk|socket] [--allow-transfer PREFIX]... [--cert SOURCE]...\n"
    "         [--control PATH] [--foreground] [-- EAL-ARGS]\n"
    "\n"
    "Authoritative DNS server: answers from precompiled zone snapshots.\n"
    "\n"
    "  --config FILE            read settings from FILE (one 'key value' per line;\n"
    "                           every option below is also a key)\n"
    "  --zone ORIGIN=FILE       serve zone ORIGIN from FILE (repeatable)\n"
    "  --listen ADDR[@PORT]     UDP+TCP address: 127.0.0.1@5353, [::1]:5353\n"
    "                           (repeatable; default 127.0.0.1@53 and ::1@53)\n"
    "  --io socket|dpdk         packet I/O: socket (default); no dpdk in this build\n"
    "  --allow-transfer PREFIX  allow AXFR over TCP from PREFIX, e.g. 127.0.0.0/8\n"
    "                           (repeatable; default: nobody)\n"
    "  --cert SOURCE            certificate for the autodiscover policy (not yet)\n"
    "  --control PATH           control socket for sandnsctl (mode 0600)\n"
    "  --foreground             stay in the foreground, log to stderr\n"
    "  --udp-max-payload N      largest EDNS UDP response, 512..65535 (1232)\n"
    "  --identity NAME          CHAOS id.server./hostname.bind. answer\n"
    "  --server-version TEXT    CHAOS version.server./version.bind. answer\n"
    "                           (config key: version)\n"
    "  --tcp-idle-timeout S     close idle TCP connections after S seconds (10)\n"
    "  --tcp-max-clients N      concurrent TCP connections (256)\n"
    "  --udp-workers N          UDP threads (1)\n"
    "  --version                print the version\n"
    "\n"
    "Signals: SIGINT/SIGTERM stop, SIGHUP reloads every zone.\n"
    "Exit status: 0 stopped, 1 could not run, 2 bad configuration or zone.\n";

static void usage(FILE *f)
{
	fputs(usage_text, f);
}

/*
 * Forks into the background; the parent waits until the child serves (or fails) and exits
 * with the child's verdict, so that `sandnsd && kdig ...` works. Returns the pipe end on which
 * the child says "ready", or -errno.
 */
static int daemonize(void)
{
	int p[2];
	pid_t pid;
	char c = 0;
	ssize_t n;

	if (pipe2(p, O_CLOEXEC) != 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return -errno;
	}
	if (pid > 0) {
		close(p[1]);
		do
			n = read(p[0], &c, 1);
		while (n < 0 && errno == EINTR);
		/* The child printed its own error; without "R" it did not come up. */
		_exit(n == 1 && c == 'R' ? 0 : EXIT_RUNTIME);
	}
	close(p[0]);
	if (setsid() < 0 || chdir("/") != 0) {
		close(p[1]);
		return -errno;
	}
	return p[1];
}

/* After the start-up line: tell the parent, leave the terminal, log to syslog. */
static void daemon_ready(int ready_fd)
{
	int null;

	srv_log_use_syslog();
	if (write(ready_fd, "R", 1) != 1)
		syslog(LOG_WARNING, "cannot tell the parent process that sandnsd is up");
	close(ready_fd);
	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null >= 0) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
		if (null > STDERR_FILENO)
			close(null);
	}
}

/* The line start-up scripts and tests wait for: printed once every thread serves. */
static void print_serving(size_t nzones, size_t records, size_t bytes, srv_t *srv)
{
	char line[2048];
	size_t i, off;

	off = (size_t)snprintf(line, sizeof(line),
			       "serving %zu zone%s (%zu records, %zu bytes "
			       "snapshot) on",
			       nzones, nzones == 1 ? "" : "s", records, bytes);
	for (i = 0; i < srv_listen_count(srv) && off < sizeof(line); i++)
		off += (size_t)snprintf(line + off, sizeof(line) - off, "%s %s", i != 0 ? "," : "",
					srv_listen_text(srv, i));
	srv_log(LOG_NOTICE, "%s udp+tcp", line);
}

int main(int argc, char **argv)
{
	char err[2048];
	ctl_build_t build = {0};
	cfg_t *cfg;
	srv_t *srv = NULL;
	ctl_t *ctl = NULL;
	int status = EXIT_CONFIG, ready_fd = -1, rc;
	size_t nzones, records, bytes;

	cfg = cfg_new();
	if (cfg == NULL) {
		fprintf(stderr, "sandnsd: out of memory\n");
		return EXIT_RUNTIME;
	}
	if (cfg_load_args(cfg, argc, argv, err, sizeof(err)) != SANDNS_EOK) {
		fprintf(stderr, "sandnsd: %s\n", err);
		goto out_free_cfg;
	}
	if (cfg->show_help || cfg->show_version) {
		if (cfg->show_help)
			usage(stdout);
		else
			printf("sandnsd %s\n", SANDNS_VERSION);
		status = EXIT_SUCCESS;
		goto out_free_cfg;
	}
	if (cfg_check(cfg, err, sizeof(err)) != SANDNS_EOK) {
		fprintf(stderr, "sandnsd: %s\n", err);
		goto out_free_cfg;
	}

	/* The zones first: a bad zone is a configuration error, reported before any socket. */
	if (ctl_build(cfg, &build, err, sizeof(err)) != SANDNS_EOK) {
		fprintf(stderr, "sandnsd: %s\n", err);
		goto out_free_cfg;
	}

	status = EXIT_RUNTIME;
	signal(SIGPIPE, SIG_IGN);
	srv = srv_new(cfg, err, sizeof(err));
	if (srv == NULL) {
		fprintf(stderr, "sandnsd: %s\n", err);
		goto out_free_build;
	}
	/* Blocks the signals before any thread starts, so only the control loop takes them. */
	ctl = ctl_new(cfg, srv, err, sizeof(err));
	if (ctl == NULL) {
		fprintf(stderr, "sandnsd: %s\n", err);
		goto out_free_srv;
	}
	if (!cfg->foreground) {
		ready_fd = daemonize();
		if (ready_fd < 0) {
			fprintf(stderr, "sandnsd: cannot go into the background: %s\n",
				strerror(-ready_fd));
			goto out_free_ctl;
		}
	}

	nzones = build.nzones;
	records = build.records;
	bytes = zt_memsize(build.zt);
	ctl_publish(ctl, &build);
	rc = srv_start(srv, err, sizeof(err));
	if (rc != SANDNS_EOK) {
		srv_log(LOG_ERR, "%s", err);
		goto out_unpublish;
	}
	print_serving(nzones, records, bytes, srv);
	if (ready_fd >= 0) {
		daemon_ready(ready_fd);
		ready_fd = -1;
	}

	ctl_run(ctl);
	status = EXIT_SUCCESS;
	srv_stop(srv);
	srv_log(LOG_NOTICE, "stopped");
out_unpublish:
	/* No reader is left: free the snapshot now rather than at exit. */
	zpub_publish(NULL);
out_free_ctl:
	ctl_free(&ctl);
out_free_srv:
	srv_free(&srv);
out_free_build:
	ctl_build_clear(&build);
out_free_cfg:
	if (ready_fd >= 0)
		close(ready_fd);
	cfg_free(&cfg);
	return status;
}
