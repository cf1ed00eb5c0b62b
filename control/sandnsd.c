/* SPDX-License-Identifier: BSD-3-Clause */
/* sandnsd.c: the daemon: configuration, zones, sockets, then serve until told to stop */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "cfg.h"
#include "ctl.h"
#include "dnstap.h"
#include "dp.h"
#include "log.h"
#include "metrics.h"
#include "sandns_err.h"
#include "srv.h"
#include "svc.h"
#include "zcheck.h"
#include "zload.h"
#include "zpub.h"

#ifndef SANDNS_VERSION
#define SANDNS_VERSION "unknown"
#endif

/* Exit statuses: 0 stopped cleanly, 1 could not run (sockets, memory), 2 bad configuration. */
enum { EXIT_RUNTIME = 1, EXIT_CONFIG = 2 };

static const char usage_text[] =
    "usage: sandnsd [--config FILE] [--zone ORIGIN=FILE]... [--listen ADDR[@PORT]]...\n"
    "         [--io dpdk|socket] [--allow-transfer PREFIX]... [--cert SOURCE]...\n"
    "         [--control PATH] [--metrics ADDR@PORT] [--foreground] [--log-target T]...\n"
    "         [--user USER] [-- EAL-ARGS]\n"
    "       sandnsd --check-config [--config FILE] [OPTION]...\n"
    "       sandnsd --check-zone ORIGIN=FILE [--cert FILE]...\n"
    "\n"
    "Authoritative DNS server: answers from precompiled zone snapshots.\n"
    "\n"
    "  --config FILE            read settings from FILE (one 'key value' per line;\n"
    "                           every option below is also a key)\n"
    "  --zone ORIGIN=FILE       serve zone ORIGIN from FILE (repeatable)\n"
    "  --listen ADDR[@PORT]     UDP+TCP address: 127.0.0.1@5353, [::1]:5353\n"
    "                           (repeatable; default 127.0.0.1@53 and ::1@53)\n"
    "  --io socket|dpdk         packet I/O: socket (default) or dpdk: DPDK ports from\n"
    "                           the EAL arguments after --; needs --listen addresses\n"
    "  --allow-transfer PREFIX  allow zone transfers from PREFIX, e.g. 127.0.0.0/8;\n"
    "                           'PREFIX key NAME': only signed with TSIG key NAME\n"
    "                           (repeatable; default: nobody)\n"
    "  --allow-notify PREFIX    who may send NOTIFY, as --allow-transfer\n"
    "  --key-file FILE          TSIG keys, as tsig-keygen writes them (repeatable)\n"
    "  --key 'NAME ALG SECRET'  one TSIG key (hmac-sha256...); the secret shows in ps:\n"
    "                           prefer --key-file\n"
    "  --notify 'ORIGIN ADDR[@PORT]'  send NOTIFY for zone ORIGIN to the secondary ADDR\n"
    "                           when its serial changes, and at start (repeatable)\n"
    "  --primary \"ORIGIN ADDR[@PORT]\"  zone ORIGIN (also given with --zone ORIGIN=FILE,\n"
    "                           where its copy is kept) is transferred from ADDR\n"
    "                           (repeatable: primaries tried in order)\n"
    "  --dnssec 'ORIGIN nsec|nsec3'  sandns signs zone ORIGIN (default policy: a CSK of\n"
    "                           algorithm 13, its keys made in the key directory)\n"
    "  --dnssec-signing 'ORIGIN [policy NAME]'  sign ORIGIN with dnssec-policy NAME\n"
    "  --dnssec-policy 'NAME [algorithm ecdsap256sha256|ed25519]\n"
    "                           [single-type-signing yes|no] [nsec3 yes|no]\n"
    "                           [rrsig-lifetime T] [rrsig-refresh T] [rrsig-jitter T]'\n"
    "                           a signing policy\n"
    "  --dnssec-key-dir DIR     the signing keys, BIND K*.key/.private (STATE-DIR/keys)\n"
    "  --catalog 'ORIGIN consumer [max-members N]|producer'  zone ORIGIN is a catalog\n"
    "                           (RFC 9432): a secondary zone whose members (at most N,\n"
    "                           10000) are served as secondary zones, or one sandns\n"
    "                           makes of its zones (repeatable)\n"
    "  --cert SOURCE            certificate the autodiscover policy checks: a PEM (leaf\n"
    "                           first) or DER file, or tls://HOST[:PORT][@ADDR], the leaf\n"
    "                           that endpoint presents for SNI HOST (repeatable; none:\n"
    "                           the policy is off)\n"
    "  --srv-target NAME        the target of the SRV the policy publishes (default:\n"
    "                           a SAN of the certificate, step 4 of the policy)\n"
    "  --legacy-cn-fallback yes|no  let the subject CN count (no)\n"
    "  --cert-probe-interval S  re-probe tls:// sources every S seconds, 0 never (300);\n"
    "                           a decision flips after two probes agree\n"
    "  --watch yes|no           reload zone and certificate files when they change (no)\n"
    "  --state-dir DIR          what is kept across restarts: the serials served, the\n"
    "                           IXFR journals (created mode 0700; default\n"
    "                           " CFG_STATE_DIR_DEFAULT ")\n"
    "  --serial-state FILE      remember the serials served in FILE, not in DIR/serials\n"
    "  --ixfr-max-size SIZE     IXFR history kept per zone, octets with K, M or G (100M)\n"
    "  --ixfr-max-depth N       changesets kept per zone (20)\n"
    "  --zone-max-size SIZE     largest text of one zone (its file and $INCLUDEs), a number\n"
    "                           of octets with K, M, G or T (1G)\n"
    "  --keep-zones auto|yes|no keep the zones as read beside the snapshot (auto: up to\n"
    "                           250,000 records; no: reloads read the files again)\n"
    "  --control PATH           control socket for sandnsctl (mode 0600)\n"
    "  --metrics ADDR@PORT      Prometheus text on http://ADDR:PORT/metrics (off)\n"
    "  --foreground             stay in the foreground, log to stderr\n"
    "  --log-target stderr|syslog|FILE [level LEVEL]  where messages go (repeatable;\n"
    "                           default stderr in the foreground, syslog after); a FILE\n"
    "                           is reopened on SIGUSR1 or sandnsctl log-reopen\n"
    "  --log-level LEVEL        error, warning, notice, info (default) or debug: the\n"
    "                           level of the targets given without one\n"
    "  --user USER[:GROUP]      once the sockets are bound, run as USER (the state-dir\n"
    "                           and the control socket become its; socket mode keeps no\n"
    "                           capability, dpdk mode what the PMD needs to stop)\n"
    "  --pid-file FILE          write the pid to FILE (removed at exit); refuse to start\n"
    "                           while another sandnsd holds it\n"
    "  --check-config           read and check the configuration and every file it names,\n"
    "                           print each error as FILE:LINE: reason, serve nothing\n"
    "  --udp-max-payload N      largest EDNS UDP response, 512..65535 (1232)\n"
    "  --dnstap FILE|unix:PATH  the query log in dnstap: every query and response,\n"
    "                           to FILE or a reader's socket (drops counted in stats)\n"
    "  --dnstap-log-queries yes|no    log the queries (yes)\n"
    "  --dnstap-log-responses yes|no  log the responses (yes)\n"
    "  --identity NAME          CHAOS id.server./hostname.bind. answer\n"
    "  --server-version TEXT    CHAOS version.server./version.bind. answer\n"
    "                           (config key: version)\n"
    "  --nsid TEXT|0xHEX        NSID answered to queries that ask (RFC 5001)\n"
    "  --cookies yes|no         DNS cookies as Knot's mod-cookies (no)\n"
    "  --cookie-secret HEX      cookie secret, 32 hex digits (random at start)\n"
    "  --tcp-idle-timeout S     close idle TCP connections after S seconds (10)\n"
    "  --tcp-io-timeout MS      a TCP message must arrive whole within MS ms (1000)\n"
    "  --tcp-max-clients N      concurrent TCP connections (256)\n"
    "  --transfers-out N        zone transfers served at once, more are REFUSED (10)\n"
    "  --udp-workers N          UDP threads (1)\n"
    "  --rate-limit N           UDP responses a second per client network and answer,\n"
    "                           0 off (0); TCP is never limited\n"
    "  --rate-limit-slip N      every Nth limited response goes out truncated, 0 none (2)\n"
    "  --rate-limit-table-size N  buckets per answering thread (65536)\n"
    "  --rate-limit-ipv4-prefix N, --rate-limit-ipv6-prefix N\n"
    "                           the bits of a client address that make its network (24, 56)\n"
    "  --version                print the version\n"
    "  --check-zone ORIGIN=FILE check the zone file (and its $INCLUDEs): every error as\n"
    "                           FILE:LINE: reason, exit 2 if any; with --cert, the\n"
    "                           autodiscover policy's verdict too. Serves nothing, needs\n"
    "                           no privileges\n"
    "\n"
    "Signals: SIGINT/SIGTERM stop, SIGHUP reloads every zone (certificates: sandnsctl\n"
    "policy reload), SIGUSR1 reopens the log files (logrotate); a SIGHUP during start-up\n"
    "is acted on once serving, a SIGUSR1 ignored. SIGUSR2 is ignored.\n"
    "Exit status: 0 stopped, 1 could not run, 2 bad configuration or zone (--check-zone:\n"
    "the zone has errors; --check-config: 0 valid, 2 not).\n";

/* mkdir -p: the parents of PATH (mode 0755), then PATH itself with MODE. 0 or -errno. */
static int make_dirs(char *path, mode_t mode)
{
	for (char *p = path + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0755) != 0 && errno != EEXIST) {
			int e = -errno;

			*p = '/';
			return e;
		}
		*p = '/';
	}
	return mkdir(path, mode) != 0 && errno != EEXIST ? -errno : 0;
}

/*
 * The state directory, before anything is read or served: the default when none was set,
 * created mode 0700 when missing, and written to once, so that a directory sandnsd cannot use
 * stops the start now rather than losing the serials served (and the journals) later.
 */
static int state_dir_ready(cfg_t *cfg, char *err, size_t errlen)
{
	static const char hint[] = "(choose another with --state-dir DIR or state-dir)";
	char probe[4096];
	struct stat st;
	int fd, rc;

	if (cfg->state_dir == NULL) {
		cfg->state_dir = strdup(CFG_STATE_DIR_DEFAULT);
		if (cfg->state_dir == NULL)
			return -ENOMEM;
	}
	rc = make_dirs(cfg->state_dir, 0700);
	if (rc != 0) {
		snprintf(err, errlen, "state-dir %s: cannot create it: %s %s", cfg->state_dir,
			 strerror(-rc), hint);
		return SANDNS_ECONFIG;
	}
	if (stat(cfg->state_dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "state-dir %s: not a directory %s", cfg->state_dir, hint);
		return SANDNS_ECONFIG;
	}
	if ((size_t)snprintf(probe, sizeof(probe), "%s/.sandnsd-probe.%ld", cfg->state_dir,
			     (long)getpid()) >= sizeof(probe)) {
		snprintf(err, errlen, "state-dir %.200s...: too long a path", cfg->state_dir);
		return SANDNS_ECONFIG;
	}
	fd = open(probe, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(err, errlen, "state-dir %s: cannot write there: %s %s", cfg->state_dir,
			 strerror(errno), hint);
		return SANDNS_ECONFIG;
	}
	close(fd);
	unlink(probe);
	return SANDNS_EOK;
}

static void usage(FILE *f)
{
	fputs(usage_text, f);
}

/* SIGINT/SIGTERM before the control loop watches them: stop at once, as the loop would. */
static void stop_during_start(int sig)
{
	static const char term[] = "sandnsd: SIGTERM during start-up: stopping\n";
	static const char intr[] = "sandnsd: SIGINT during start-up: stopping\n";
	const char *m = sig == SIGINT ? intr : term;
	size_t n = sig == SIGINT ? sizeof(intr) - 1 : sizeof(term) - 1;

	if (write(STDERR_FILENO, m, n) < 0) {
		/* nothing more can be said */
	}
	_exit(EXIT_SUCCESS);
}

/*
 * The signals before anything slow (zones, tls:// probes) and before any thread, which
 * inherits the mask: SIGHUP is blocked, so one that comes while starting stays pending and the
 * control loop's signalfd reads it once serving (a reload then, as knotd and nsd remember it);
 * SIGINT/SIGTERM stop at once until ctl_new() blocks them for its signalfd too; SIGUSR1 is
 * ignored until then (ctl_new() takes it: log files reopened; they were opened just before the
 * zones load), SIGUSR2 (no meaning yet) and SIGPIPE always. Blocking rather than a handler for
 * SIGHUP: no system call of the start-up (connect, poll of a probe) is interrupted by one.
 */
/*
 * The heap's top kept 4 MiB ahead of its use, grown and given back in steps no smaller. ldns
 * allocates and frees some 200 KiB of buffers for every record it reads (every RRSIG, NSEC3 and
 * NSEC of a signed zone), at the top of the heap: with glibc's default pad of 128 KiB, each free
 * gave the pages back (brk) and the next record took them again, zeroed: two system calls and
 * the faults a record, 17 of the 30 CPU seconds `--check-zone` took on a zone of 1.6 million
 * signed records (bench/RESULTS.md). Builds still give back what they free (malloc_trim(0),
 * ctl_build.c). It fixes glibc's threshold for mmap at 128 KiB as well (no longer raised by
 * the large blocks freed), so such blocks stay mappings that are returned whole.
 */
static void heap_at_start(void)
{
	(void)mallopt(M_TOP_PAD, 4 << 20);
}

static void signals_at_start(void)
{
	struct sigaction sa;
	sigset_t set;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
	sigaction(SIGPIPE, &sa, NULL);
	sa.sa_handler = stop_during_start;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
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
	sigset_t pending;

	if (pipe2(p, O_CLOEXEC) != 0)
		return -errno;
	/* A child starts with no pending signal: a SIGHUP of the start-up is passed on to it. */
	sigemptyset(&pending);
	sigpending(&pending);
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
	if (sigismember(&pending, SIGHUP) == 1)
		kill(getpid(), SIGHUP); /* blocked: pending until the control loop reads it */
	if (setsid() < 0 || chdir("/") != 0) {
		close(p[1]);
		return -errno;
	}
	return p[1];
}

/* After the start-up line: tell the parent, leave the terminal, log to syslog (log.h). */
static void daemon_ready(int ready_fd)
{
	int null;

	log_background();
	if (write(ready_fd, "R", 1) != 1)
		log_msg(LOG_WARNING, "cannot tell the parent process that sandnsd is up");
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
static void print_serving(size_t nzones, size_t records, size_t bytes, srv_t *srv, const dp_t *dp)
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
	if (dp != NULL) {
		char mac[RTE_ETHER_ADDR_FMT_SIZE];

		dp_port_mac_text(dp, mac, sizeof(mac));
		log_msg(
		    LOG_NOTICE,
		    "%s udp+tcp (dpdk: %s port %s, %u worker%s, checksums %s, exception path %s)",
		    line, dp_port_driver(dp), mac, dp_worker_count(dp),
		    dp_worker_count(dp) == 1 ? "" : "s", dp_port_csum_text(dp), dp_tap_name(dp));
		return;
	}
	log_msg(LOG_NOTICE, "%s udp+tcp", line);
}

/* The dataplane's addresses from --listen (cfg_check made them specific, one port, few). */
static void dp_conf_from_cfg(const cfg_t *cfg, dp_conf_t *dc)
{
	size_t i;

	memset(dc, 0, sizeof(*dc));
	dc->eal_args = (const char *const *)cfg->eal_args;
	dc->neal_args = cfg->neal_args;
	dc->rrl = cfg->rrl;
	/* Secondary zones: NOTIFY is answered by a kernel socket (srv.c), through the TAP. */
	dc->addrs.notify_to_kernel = cfg->nprimaries > 0;
	for (i = 0; i < cfg->nlistens; i++) {
		const struct sockaddr_storage *ss = &cfg->listens[i].ss;

		if (ss->ss_family == AF_INET) {
			const struct sockaddr_in *sin = (const struct sockaddr_in *)ss;

			if (dc->addrs.n_ip4 < DP_MAX_ADDRS)
				dc->addrs.ip4[dc->addrs.n_ip4++] = sin->sin_addr.s_addr;
			dc->addrs.dns_port = ntohs(sin->sin_port);
		} else {
			const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)ss;

			if (dc->addrs.n_ip6 < DP_MAX_ADDRS)
				memcpy(dc->addrs.ip6[dc->addrs.n_ip6++], &sin6->sin6_addr, 16);
			dc->addrs.dns_port = ntohs(sin6->sin6_port);
		}
	}
}

/* `sandnsctl stats`: one line per worker lcore and their total; JSON: an array of objects. */
static size_t dp_stats_format(void *arg, bool json, char *buf, size_t len)
{
	const dp_t *dp = arg;
	uint64_t st[DP_ST_COUNT], total[DP_ST_COUNT] = {0};
	unsigned i, s, n = dp_worker_count(dp);
	size_t off = 0;

#define PUT(...)                                                                                   \
	do {                                                                                       \
		if (off < len)                                                                     \
			off += (size_t)snprintf(buf + off, len - off, __VA_ARGS__);                \
	} while (0)
	if (json)
		PUT("[");
	for (i = 0; i <= n; i++) {
		const uint64_t *v = st;

		if (i < n) {
			dp_worker_stats(dp, i, st);
			for (s = 0; s < DP_ST_COUNT; s++)
				total[s] += st[s];
		} else {
			v = total;
		}
		if (json) {
			if (i < n)
				PUT("%s{\"name\":\"lcore%u\"", i != 0 ? "," : "",
				    dp_worker_lcore(dp, i));
			else
				PUT(",{\"name\":\"dataplane\"");
			for (s = 0; s < DP_ST_COUNT; s++)
				PUT(",\"%s\":%llu", dp_stat_names[s], (unsigned long long)v[s]);
			PUT("}");
			continue;
		}
		if (i < n)
			PUT("lcore%u:", dp_worker_lcore(dp, i));
		else
			PUT("dataplane:");
		/* The traffic counters always; drop reasons and rcodes once they happened. */
		for (s = 0; s < DP_ST_COUNT; s++)
			if (s < DP_ST_DROP_FIRST || v[s] != 0)
				PUT(" %s=%llu", dp_stat_names[s], (unsigned long long)v[s]);
		PUT("\n");
	}
	if (json)
		PUT("]");
#undef PUT
	return off < len ? off : len - 1;
}

/* `sandnsctl status`: what the DPDK workers answered, counted with the kernel sockets'. */
static void dp_dgram_total(void *arg, uint64_t out[DGRAM_STAT_COUNT])
{
	dp_dgram_stats(arg, out);
}

/* /metrics and `stats`: the DPDK workers' counters and the data port's. */
static void dp_zones_total(void *arg, uint64_t out[DGRAM_ZONES])
{
	dp_zone_stats(arg, out);
}

static bool dp_port_counters(void *arg, metrics_port_t *out)
{
	dp_port_stats_t st;
	bool ok = dp_port_stats(arg, &st);

	out->ipackets = st.ipackets;
	out->opackets = st.opackets;
	out->ibytes = st.ibytes;
	out->obytes = st.obytes;
	out->imissed = st.imissed;
	out->ierrors = st.ierrors;
	out->oerrors = st.oerrors;
	out->rx_nombuf = st.rx_nombuf;
	return ok;
}

/* The control plane on its own thread while the only lcore polls (`-l N`). */
struct ctl_thread_arg {
	ctl_t *ctl;
	dp_t *dp;
};

static void *ctl_thread_main(void *arg)
{
	struct ctl_thread_arg *a = arg;

	ctl_run(a->ctl);
	dp_request_stop(a->dp);
	return NULL;
}

/* Every error the configuration had (cfg->errors), or ERR alone; ERR when there were none. */
static void print_errors(const cfg_t *cfg, const char *prefix, const char *err)
{
	for (size_t i = 0; i < cfg->nerrors; i++)
		fprintf(stderr, "%s%s\n", prefix, cfg->errors[i]);
	if (cfg->nerrors == 0)
		fprintf(stderr, "%s%s\n", prefix, err);
	if (cfg->nerrors_more > 0)
		fprintf(stderr, "sandnsd: %zu more errors not shown\n", cfg->nerrors_more);
}

/* --check-config: everything read and checked, every error listed; 0 or EXIT_CONFIG. */
static int check_config(cfg_t *cfg)
{
	char err[2048];

	if (cfg->show_help || cfg->show_version)
		fprintf(stderr, "sandnsd: --check-config: --help and --version are ignored\n");
	cfg_check(cfg, err, sizeof(err));
	cfg_check_files(cfg);
	if (cfg->nerrors > 0) {
		print_errors(cfg, "", err);
		fprintf(stderr, "sandnsd: the configuration has %zu error%s\n",
			cfg->nerrors + cfg->nerrors_more,
			cfg->nerrors + cfg->nerrors_more == 1 ? "" : "s");
		return EXIT_CONFIG;
	}
	printf("sandnsd: the configuration is valid (%zu zone%s)\n", cfg->nzones,
	       cfg->nzones == 1 ? "" : "s");
	return EXIT_SUCCESS;
}

int main(int argc, char **argv)
{
	char err[2048];
	ctl_build_t build = {0};
	cfg_t *cfg;
	srv_t *srv = NULL;
	ctl_t *ctl = NULL;
	dp_t *dp = NULL;
	dnstap_t *tap = NULL;
	metrics_t *metrics = NULL;
	metrics_src_t msrc = {0};
	struct ctl_thread_arg cta;
	pthread_t ctl_tid;
	cpu_set_t main_cpus, ctl_cpus;
	bool ctl_threaded = false, cpus_moved = false;
	int status = EXIT_CONFIG, ready_fd = -1, pid_fd = -1, rc;
	size_t nzones, records, bytes;

	heap_at_start();
	signals_at_start();
	cfg = cfg_new();
	if (cfg == NULL) {
		fprintf(stderr, "sandnsd: out of memory\n");
		return EXIT_RUNTIME;
	}
	rc = cfg_load_args(cfg, argc, argv, err, sizeof(err));
	if (cfg->check_config) {
		status = check_config(cfg);
		goto out_free_cfg;
	}
	if (rc != SANDNS_EOK) {
		print_errors(cfg, "sandnsd: ", err);
		goto out_free_cfg;
	}
	/* One zone's text (its file and $INCLUDEs) is bounded: see zone-max-size. */
	zload_set_text_max((size_t)cfg->zone_max_size);
	if (cfg->show_help || cfg->show_version) {
		if (cfg->show_help)
			usage(stdout);
		else
			printf("sandnsd %s\n", SANDNS_VERSION);
		status = EXIT_SUCCESS;
		goto out_free_cfg;
	}
	if (cfg->check_zone != NULL) {
		status = zcheck_main(cfg);
		goto out_free_cfg;
	}
	if (cfg_check(cfg, err, sizeof(err)) != SANDNS_EOK) {
		print_errors(cfg, "sandnsd: ", err);
		goto out_free_cfg;
	}
	/* Serving from here on: a stderr nobody reads must not hold a thread that logs. */
	log_stderr_nowait();
	if (state_dir_ready(cfg, err, sizeof(err)) != SANDNS_EOK ||
	    cfg_log_open(cfg, !cfg->foreground, err, sizeof(err)) != SANDNS_EOK) {
		fprintf(stderr, "sandnsd: %s\n", err);
		goto out_free_cfg;
	}
	/* Before anything slow: a second sandnsd on the same pid file stops here. */
	if (cfg->pid_file != NULL && (pid_fd = svc_pid_take(cfg->pid_file, err, sizeof(err))) < 0) {
		fprintf(stderr, "sandnsd: %s\n", err);
		status = EXIT_RUNTIME;
		goto out_free_cfg;
	}

	/* The zones first: a bad zone is a configuration error, reported before any socket. */
	if (ctl_build(cfg, NULL, NULL, &build, err, sizeof(err)) != SANDNS_EOK) {
		fprintf(stderr, "sandnsd: %s\n", err);
		goto out_free_cfg;
	}

	status = EXIT_RUNTIME;
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
	/* `reload` and SIGHUP read the configuration again as this command line says. */
	if (ctl_set_args(ctl, argc, argv) != SANDNS_EOK) {
		fprintf(stderr, "sandnsd: out of memory\n");
		goto out_free_ctl;
	}
	/* Bound before the fork: an address in use is a start-up error on the terminal. */
	if (cfg->has_metrics && (metrics = metrics_new(cfg, err, sizeof(err))) == NULL) {
		fprintf(stderr, "sandnsd: %s\n", err);
		status = EXIT_CONFIG;
		goto out_free_ctl;
	}
	if (!cfg->foreground) {
		ready_fd = daemonize();
		if (ready_fd < 0) {
			fprintf(stderr, "sandnsd: cannot go into the background: %s\n",
				strerror(-ready_fd));
			goto out_free_ctl;
		}
		svc_pid_write(pid_fd);
		if (ctl_after_fork(ctl, err, sizeof(err)) != SANDNS_EOK) {
			log_msg(LOG_ERR, "%s", err);
			goto out_free_ctl;
		}
	}

	/*
	 * EAL after the fork (its threads would not survive one) and after ctl_new blocked the
	 * signals (EAL's threads inherit the mask, so only the control loop takes them).
	 */
	if (cfg->io == CFG_IO_DPDK) {
		dp_conf_t dc;

		dp_conf_from_cfg(cfg, &dc);
		dp = dp_new(&dc, &rc, err, sizeof(err));
		if (dp == NULL) {
			log_msg(LOG_ERR, "%s", err);
			if (rc == SANDNS_ECONFIG)
				status = EXIT_CONFIG;
			goto out_free_ctl;
		}
		ctl_set_extra_stats(ctl, dp_stats_format, dp);
		ctl_set_extra_dgram(ctl, dp_dgram_total, dp);
		msrc.dp_dgram = dp_dgram_total;
		msrc.dp_zones = dp_zones_total;
		msrc.dp_port = dp_port_counters;
		msrc.dp_arg = dp;
		/* The control threads get the CPUs the workers leave (EAL pinned us to one). */
		dp_control_cpus(dp, &ctl_cpus);
		if (CPU_COUNT(&ctl_cpus) > 0 &&
		    pthread_getaffinity_np(pthread_self(), sizeof(main_cpus), &main_cpus) == 0 &&
		    pthread_setaffinity_np(pthread_self(), sizeof(ctl_cpus), &ctl_cpus) == 0)
			cpus_moved = true;
	}

	/* The query log's thread after the fork too; a queue for every answering thread. */
	if (cfg->dnstap != NULL) {
		tap = dnstap_open(cfg->dnstap,
				  (unsigned)srv_thread_count(srv) +
				      (dp != NULL ? dp_worker_count(dp) : 0),
				  (cfg->dnstap_log_queries ? DNSTAP_LOG_QUERIES : 0) |
				      (cfg->dnstap_log_responses ? DNSTAP_LOG_RESPONSES : 0),
				  cfg->identity, SANDNS_VERSION, err, sizeof(err));
		if (tap == NULL) {
			/* Where it was set: the file and line (no start: nothing to answer with).
			 */
			log_msg(LOG_ERR, "%s: %s: not starting", cfg_set_where(cfg, "dnstap"), err);
			status = EXIT_CONFIG;
			goto out_free_ctl;
		}
		srv_set_dnstap(srv, tap);
		if (dp != NULL)
			dp_set_dnstap(dp, tap);
		ctl_set_dnstap(ctl, tap);
	}

	nzones = build.nzones;
	records = build.records;
	bytes = zt_memsize(build.zt);
	msrc.srv = srv;
	ctl_set_metrics(ctl, metrics, &msrc);
	/* The zones as read are dropped (keep-zones) once answering, when ctl_run() starts. */
	/* The serials cannot be written to the state: nothing is served that a restart after a
	 * crash could contradict (a reload fails the same way, the served snapshot staying). */
	if (ctl_publish_first(ctl, &build, err, sizeof(err)) != SANDNS_EOK) {
		log_msg(LOG_ERR, "%s: not starting", err);
		status = EXIT_RUNTIME;
		goto out_free_ctl;
	}
	rc = srv_start(srv, err, sizeof(err));
	if (rc != SANDNS_EOK) {
		log_msg(LOG_ERR, "%s", err);
		goto out_unpublish;
	}
	/* On the control plane's CPUs (DPDK), with the signals blocked, like the other threads. */
	if (metrics != NULL && metrics_start(metrics, &msrc, err, sizeof(err)) != SANDNS_EOK) {
		log_msg(LOG_ERR, "%s", err);
		goto out_stop_srv;
	}
	if (dp != NULL && dp_main_polls(dp)) {
		cta.ctl = ctl;
		cta.dp = dp;
		rc = pthread_create(&ctl_tid, NULL, ctl_thread_main, &cta);
		if (rc != 0) {
			log_msg(LOG_ERR, "cannot start the control thread: %s", strerror(rc));
			goto out_stop_srv;
		}
		pthread_setname_np(ctl_tid, "sandns-ctl");
		ctl_threaded = true;
	}
	if (cpus_moved)
		pthread_setaffinity_np(pthread_self(), sizeof(main_cpus), &main_cpus);
	if (dp != NULL && dp_start(dp, err, sizeof(err)) != SANDNS_EOK) {
		log_msg(LOG_ERR, "%s", err);
		goto out_stop_srv;
	}
	/* Everything is bound and started: what is left needs no root (svc.h). */
	if (svc_drop_privileges(cfg, err, sizeof(err)) != SANDNS_EOK) {
		log_msg(LOG_ERR, "%s", err);
		goto out_stop_srv;
	}
	print_serving(nzones, records, bytes, srv, dp);
	/* Once answering: a secondary asks for the SOA as soon as it hears the NOTIFY. */
	if (ctl_start_notify(ctl, err, sizeof(err)) != SANDNS_EOK) {
		log_msg(LOG_ERR, "%s", err);
		goto out_stop_srv;
	}
	if (ready_fd >= 0) {
		daemon_ready(ready_fd);
		ready_fd = -1;
	}
	svc_ready("serving %zu zone%s (%zu records)", nzones, nzones == 1 ? "" : "s", records);

	if (ctl_threaded)
		dp_poll_main(dp); /* until the control thread sees a stop */
	else
		ctl_run(ctl);
	svc_stopping("told to stop");
	status = EXIT_SUCCESS;
out_stop_srv:
	if (ctl_threaded) {
		dp_request_stop(dp);
		pthread_join(ctl_tid, NULL);
	}
	/* No scrape reads the counters once the workers' memory goes. */
	metrics_free(&metrics);
	ctl_set_metrics(ctl, NULL, &msrc);
	dp_stop(dp);
	srv_stop(srv);
	/* Every answering thread has stopped: what they queued is written out. */
	if (dnstap_close(tap) != 0)
		log_msg(LOG_WARNING,
			"dnstap %s: the reader has not read for %d s: stopping without the "
			"messages still queued",
			cfg->dnstap, DNSTAP_CLOSE_SECONDS);
	tap = NULL;
	if (status == EXIT_SUCCESS)
		log_msg(LOG_NOTICE, "stopped");
out_unpublish:
	/* No reader is left: free the snapshot now rather than at exit. */
	zpub_publish(NULL);
out_free_ctl:
	(void)dnstap_close(tap);
	metrics_free(&metrics);
	dp_free(&dp);
	ctl_free(&ctl);
out_free_srv:
	srv_free(&srv);
out_free_build:
	ctl_build_clear(&build);
out_free_cfg:
	if (ready_fd >= 0)
		close(ready_fd);
	if (cfg != NULL && cfg->pid_file != NULL)
		svc_pid_release(cfg->pid_file, &pid_fd);
	cfg_free(&cfg);
	return status;
}
