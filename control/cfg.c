/* SPDX-License-Identifier: BSD-3-Clause */
/* cfg.c: sandnsd configuration read from a file and the command line, checked before serving */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>

#include "cfg.h"
#include "cfg_pvt.h"
#include "rrl.h"
#include "sandns_err.h"

/* A configuration file larger than this is surely not one (a million zone lines fit). */
#define CFG_FILE_MAX (64u << 20)

cfg_t *cfg_new(void)
{
	cfg_t *cfg = calloc(1, sizeof(*cfg));

	if (cfg == NULL)
		return NULL;
	cfg->io = CFG_IO_SOCKET;
	cfg->udp_max_payload = 1232;
	cfg->tcp_idle_timeout = 10;
	cfg->tcp_max_clients = 256;
	cfg->tcp_io_timeout = 1000;
	cfg->transfers_out = 10;
	cfg->udp_workers = 1;
	cfg->cert_probe_interval = 300;
	cfg->dnstap_log_queries = true;
	cfg->dnstap_log_responses = true;
	cfg->ixfr_max_size = CFG_IXFR_MAX_SIZE;
	cfg->ixfr_max_depth = CFG_IXFR_MAX_DEPTH;
	cfg->rrl.slip = 2;
	cfg->rrl.table_size = 65536;
	cfg->rrl.ipv4_prefix = 24;
	cfg->rrl.ipv6_prefix = 56;
	cfg->log_level = LOG_INFO;
	return cfg;
}

void cfg_free(cfg_t **cfgp)
{
	cfg_t *cfg;
	size_t i;

	if (cfgp == NULL || *cfgp == NULL)
		return;
	cfg = *cfgp;
	for (i = 0; i < cfg->nzones; i++) {
		free(cfg->zones[i].origin);
		free(cfg->zones[i].where);
		free(cfg->zones[i].catalog);
		free(cfg->zones[i].catalog_label);
		free(cfg->zones[i].catalog_coo);
		zsrc_clear(&cfg->zones[i].src);
	}
	free(cfg->zones);
	cfg_zone_index_free(cfg);
	cfg_free_catalogs(cfg);
	free(cfg->text);
	free(cfg->listens);
	for (i = 0; i < cfg->nnotifies; i++) {
		free(cfg->notifies[i].origin);
		free(cfg->notifies[i].key);
		free(cfg->notifies[i].where);
	}
	free(cfg->notifies);
	cfg_keys_free(cfg);
	cfg_free_primaries(cfg);
	cfg_free_dnssec(cfg);
	cfg_log_free(cfg);
	free(cfg->check_zone);
	for (i = 0; i < cfg->ncerts; i++)
		free(cfg->certs[i]);
	free(cfg->certs);
	for (i = 0; i < cfg->neal_args; i++)
		free(cfg->eal_args[i]);
	free(cfg->eal_args);
	free(cfg->control);
	free(cfg->identity);
	free(cfg->srv_target);
	free(cfg->serial_state);
	free(cfg->dnstap);
	free(cfg->state_dir);
	free(cfg->version);
	free(cfg->user);
	free(cfg->pid_file);
	for (i = 0; i < CFG_KEYS_MAX; i++)
		free(cfg->set_at[i]);
	for (i = 0; i < cfg->nerrors; i++)
		free(cfg->errors[i]);
	free(cfg->errors);
	free(cfg->nsid);
	explicit_bzero(cfg->cookie_secret, sizeof(cfg->cookie_secret));
	free(cfg);
	*cfgp = NULL;
}

/* Cuts the comment off LINE (in place) and trims white space; returns the start. */
static char *cfg_strip_line(char *line)
{
	bool quoted = false;
	char *p, *end;

	for (p = line; *p != '\0'; p++) {
		if (*p == '"')
			quoted = !quoted;
		else if (*p == '#' && !quoted && (p == line || isspace((unsigned char)p[-1]))) {
			*p = '\0';
			break;
		}
	}
	while (isspace((unsigned char)*line))
		line++;
	end = line + strlen(line);
	while (end > line && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return line;
}

int cfg_load_string(cfg_t *cfg, const char *text, const char *name, const char *basedir, char *err,
		    size_t errlen)
{
	struct cfg_src src = {.cmdline = false, .basedir = basedir, .name = name};
	unsigned seen[CFG_K_COUNT] = {0};
	char reason[512];
	unsigned lineno = 0;
	const char *next;
	char *buf = NULL;
	int rc = SANDNS_EOK;

	CFG_ERRORS_BEGIN(cfg);
	/* Every line is read, whatever failed before: each error is kept (cfg->errors). */
	for (; text != NULL && *text != '\0'; text = next) {
		size_t len = strcspn(text, "\n");
		char *line, *value, *end;
		int k;

		next = text[len] == '\n' ? text + len + 1 : text + len;
		lineno++;
		free(buf);
		buf = strndup(text, len);
		if (buf == NULL) {
			rc = cfg_error(cfg, err, errlen, "%s: out of memory", name);
			break;
		}
		line = cfg_strip_line(buf);
		if (*line == '\0')
			continue;

		value = line + strcspn(line, " \t");
		if (*value != '\0') {
			*value++ = '\0';
			value += strspn(value, " \t");
		}
		end = value + strlen(value);
		if (end - value >= 2 && value[0] == '"' && end[-1] == '"') {
			end[-1] = '\0';
			value++;
		}

		k = cfg_find_key(line, false);
		if (k < 0) {
			if (strcmp(line, "config") == 0 || strcmp(line, "check-config") == 0)
				rc = cfg_error(cfg, err, errlen,
					       "%s:%u: '%s' only works on the command line", name,
					       lineno, line);
			else
				rc = cfg_error(cfg, err, errlen, "%s:%u: unknown key '%s'", name,
					       lineno, line);
			continue;
		}
		if (!cfg_keys[k].repeatable && seen[k] != 0) {
			rc = cfg_error(cfg, err, errlen, "%s:%u: '%s' is already set on line %u",
				       name, lineno, line, seen[k]);
			continue;
		}
		seen[k] = lineno;
		src.line = lineno;
		if (*value == '\0') {
			rc = cfg_error(cfg, err, errlen, "%s:%u: '%s' needs a value", name, lineno,
				       line);
			continue;
		}
		if (cfg_apply(cfg, (enum cfg_key)k, line, value, &src, reason, sizeof(reason)) !=
		    SANDNS_EOK)
			rc = cfg_error(cfg, err, errlen, "%s:%u: %s", name, lineno, reason);
	}
	free(buf);
	return rc;
}

/* TEXT, read earlier from the configuration file PATH, read again (its copy kept). */
static int cfg_load_text_of(cfg_t *cfg, const char *path, const char *text, char *err,
			    size_t errlen)
{
	char *abs = cfg_abs_path(NULL, path), *slash;
	int rc;

	free(cfg->text);
	cfg->text = strdup(text);
	if (abs == NULL || cfg->text == NULL) {
		free(abs);
		return cfg_error(cfg, err, errlen, "%s: out of memory", path);
	}
	slash = strrchr(abs, '/');
	if (slash == abs)
		slash[1] = '\0';
	else if (slash != NULL)
		*slash = '\0';
	rc = cfg_load_string(cfg, text, path, abs, err, errlen);
	free(abs);
	return rc;
}

/* The line (from 1) of TEXT that AT is on. */
static unsigned cfg_line_at(const char *text, const char *at)
{
	unsigned line = 1;

	for (const char *p = text; p < at; p++)
		line += *p == '\n';
	return line;
}

int cfg_load_file(cfg_t *cfg, const char *path, char *err, size_t errlen)
{
	const char *nul;
	char *text = NULL;
	struct stat st;
	size_t got = 0;
	FILE *f;
	int rc, fd;

	CFG_ERRORS_BEGIN(cfg);
	/* O_NONBLOCK: a FIFO named here is refused below (not regular), never waited on. */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	f = fd >= 0 ? fdopen(fd, "r") : NULL;
	if (f == NULL && fd >= 0)
		close(fd);
	if (f == NULL)
		return cfg_error(cfg, err, errlen, "cannot read the configuration file %s: %s",
				 path, strerror(errno));
	if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
		rc = cfg_error(cfg, err, errlen, "the configuration file %s is not a regular file",
			       path);
		goto out_close;
	}
	if (st.st_size > (off_t)CFG_FILE_MAX) {
		rc =
		    cfg_error(cfg, err, errlen, "the configuration file %s is larger than %u bytes",
			      path, CFG_FILE_MAX);
		goto out_close;
	}
	text = malloc((size_t)st.st_size + 1);
	if (text == NULL) {
		rc = cfg_error(cfg, err, errlen, "%s: out of memory", path);
		goto out_close;
	}
	got = fread(text, 1, (size_t)st.st_size, f);
	if (ferror(f)) {
		rc = cfg_error(cfg, err, errlen, "cannot read the configuration file %s: %s", path,
			       strerror(errno));
		goto out_free_text;
	}
	text[got] = '\0';
	nul = memchr(text, '\0', got);
	if (nul != NULL) {
		rc = cfg_error(cfg, err, errlen,
			       "%s:%u: a NUL byte: the configuration file is not text", path,
			       cfg_line_at(text, nul));
		goto out_free_text;
	}

	/* Relative paths inside the file are relative to its directory. */
	rc = cfg_load_text_of(cfg, path, text, err, errlen);
out_free_text:
	free(text);
out_close:
	fclose(f);
	return rc;
}

int cfg_load_args(cfg_t *cfg, int argc, char *const argv[], char *err, size_t errlen)
{
	const struct cfg_src src = {.cmdline = true, .basedir = NULL};
	const char *config = NULL;
	char reason[512], why[512];
	char key[64];
	int i, rc = SANDNS_EOK;

	CFG_ERRORS_BEGIN(cfg);
	/* The file first, wherever --config stands: the other options override it. */
	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		const char *path;

		if (strncmp(argv[i], "--config=", 9) == 0) {
			path = argv[i] + 9;
		} else if (strcmp(argv[i], "--config") == 0) {
			if (i + 1 >= argc)
				return cfg_error(cfg, err, errlen, "--config needs a file");
			path = argv[++i];
		} else {
			/* Known before the file is read: it checks the files it names. */
			if (strcmp(argv[i], "--check-config") == 0)
				cfg->check_config = true;
			continue;
		}
		if (config != NULL)
			return cfg_error(cfg, err, errlen, "--config is given twice");
		if (*path == '\0')
			return cfg_error(cfg, err, errlen, "--config needs a file");
		config = path;
	}
	/* A bad file does not stop the options' reading: every error is kept (cfg->errors). */
	if (config != NULL && cfg->reuse_text != NULL)
		rc = cfg_load_text_of(cfg, config, cfg->reuse_text, err, errlen);
	else if (config != NULL)
		rc = cfg_load_file(cfg, config, err, errlen);

	for (i = 1; i < argc; i++) {
		const char *arg = argv[i], *value, *eq;
		int k;

		if (strcmp(arg, "--") == 0) {
			for (i++; i < argc; i++)
				if (cfg_push_str(&cfg->eal_args, &cfg->neal_args, argv[i]) != 0)
					return cfg_error(cfg, err, errlen, "out of memory");
			break;
		}
		if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
			cfg->show_help = true;
			continue;
		}
		if (strcmp(arg, "--version") == 0) {
			cfg->show_version = true;
			continue;
		}
		if (strcmp(arg, "--check-config") == 0)
			continue;
		if (strncmp(arg, "--", 2) != 0) {
			rc = cfg_error(cfg, err, errlen,
				       "unexpected argument '%s': options start with --, EAL "
				       "arguments go after --",
				       arg);
			continue;
		}
		eq = strchr(arg + 2, '=');
		snprintf(key, sizeof(key), "%.*s",
			 (int)(eq != NULL ? (size_t)(eq - arg - 2) : strlen(arg + 2)), arg + 2);
		if (strcmp(key, "config") == 0) {
			if (eq == NULL)
				i++;
			continue;
		}
		k = cfg_find_key(key, true);
		if (k < 0) {
			rc = cfg_error(cfg, err, errlen, "unknown option --%s (see sandnsd --help)",
				       key);
			continue;
		}
		if (eq != NULL) {
			value = eq + 1;
		} else if (cfg_keys[k].flag) {
			value = "";
		} else {
			if (i + 1 >= argc)
				return cfg_error(cfg, err, errlen, "--%s needs a value", key);
			value = argv[++i];
		}
		snprintf(reason, sizeof(reason), "--%s", key);
		if (cfg_apply(cfg, (enum cfg_key)k, reason, value, &src, why, sizeof(why)) !=
		    SANDNS_EOK)
			rc = cfg_error(cfg, err, errlen, "%s", why);
	}
	return rc;
}

static bool cfg_same_sockaddr(const cfg_addr_t *a, const cfg_addr_t *b)
{
	return a->len == b->len && memcmp(&a->ss, &b->ss, a->len) == 0;
}

static bool cfg_is_wildcard(const cfg_addr_t *a)
{
	if (a->ss.ss_family == AF_INET)
		return ((const struct sockaddr_in *)&a->ss)->sin_addr.s_addr == htonl(INADDR_ANY);
	return IN6_IS_ADDR_UNSPECIFIED(&((const struct sockaddr_in6 *)&a->ss)->sin6_addr);
}

static int cfg_add_default_listen(cfg_t *cfg, const char *text)
{
	cfg_addr_t addr;
	char reason[128];

	if (cfg_parse_addr(text, &addr, reason, sizeof(reason)) != SANDNS_EOK)
		return SANDNS_ECONFIG;
	addr.is_default = true;
	return cfg_push(&cfg->listens, &cfg->nlistens, sizeof(addr), &addr);
}

/*
 * With io dpdk the addresses are the dataplane's own (it answers ARP/ND for them and gives them
 * to its TAP): they must be given, specific (not 0.0.0.0 or ::), and share one port.
 */
static int cfg_check_dpdk(const cfg_t *cfg, char *err, size_t errlen)
{
	size_t i, n4 = 0, n6 = 0;
	uint16_t port = 0;

	if (cfg->neal_args == 0)
		return cfg_fail(err, errlen,
				"--io dpdk needs EAL arguments after --, e.g. -- --no-huge -m 512 "
				"--no-pci -l 0 --vdev=net_af_xdp0,iface=eth0");
	if (cfg->nlistens == 0)
		return cfg_fail(err, errlen,
				"--io dpdk needs the server's own addresses: add --listen ADDR "
				"(an address of the data port's network, not 0.0.0.0 or ::)");
	for (i = 0; i < cfg->nlistens; i++) {
		const cfg_addr_t *a = &cfg->listens[i];
		const uint16_t p = a->ss.ss_family == AF_INET
				       ? ntohs(((const struct sockaddr_in *)&a->ss)->sin_port)
				       : ntohs(((const struct sockaddr_in6 *)&a->ss)->sin6_port);

		if (cfg_is_wildcard(a))
			return cfg_fail(err, errlen,
					"--listen %s: --io dpdk needs specific addresses, not a "
					"wildcard",
					a->text);
		if (i != 0 && p != port)
			return cfg_fail(err, errlen,
					"--listen %s: with --io dpdk every address uses the same "
					"port (%u)",
					a->text, port);
		port = p;
		if (a->ss.ss_family == AF_INET)
			n4++;
		else
			n6++;
	}
	if (n4 > CFG_DPDK_MAX_ADDRS || n6 > CFG_DPDK_MAX_ADDRS)
		return cfg_fail(err, errlen,
				"--io dpdk serves at most %u IPv4 and %u IPv6 addresses",
				CFG_DPDK_MAX_ADDRS, CFG_DPDK_MAX_ADDRS);
	return SANDNS_EOK;
}

static void cfg_notify_clear(cfg_notify_t *n)
{
	free(n->origin);
	free(n->key);
	free(n->where);
}

/*
 * notify: each names a configured zone and, with a key, a defined key (a NOTIFY is never sent
 * unsigned where a key was asked for); the same zone and secondary twice is sent once.
 */
static int cfg_check_notify(cfg_t *cfg, char *err, size_t errlen)
{
	size_t i, j;

	for (i = 0; i < cfg->nnotifies; i++) {
		const cfg_notify_t *n = &cfg->notifies[i];

		if (cfg_zone_find(cfg, n->origin) < 0)
			return cfg_fail(err, errlen,
					"%s: notify %s %s: %s is not a served zone (add a zone "
					"line for it, or fix the name)",
					n->where, n->origin, n->addr.text, n->origin);
		if (n->key != NULL && cfg_key_find(cfg, n->key) == NULL)
			return cfg_fail(err, errlen,
					"%s: notify %s %s key %s: no key %s is defined (add a key "
					"or key-file line for it)",
					n->where, n->origin, n->addr.text, n->key, n->key);
	}
	for (i = 0; i < cfg->nnotifies; i++) {
		for (j = i + 1; j < cfg->nnotifies; j++) {
			if (!cfg_same_origin(cfg->notifies[i].origin, cfg->notifies[j].origin) ||
			    !cfg_same_sockaddr(&cfg->notifies[i].addr, &cfg->notifies[j].addr))
				continue;
			cfg_notify_clear(&cfg->notifies[j]);
			memmove(&cfg->notifies[j], &cfg->notifies[j + 1],
				(cfg->nnotifies - j - 1) * sizeof(cfg->notifies[0]));
			cfg->nnotifies--;
			j--;
		}
	}
	return SANDNS_EOK;
}

/*
 * Zones given more than once: a repeat of the same source is dropped (the first stays), one from
 * another source is an error (counted into *RC, as cfg_check's checks are). Through an index of
 * the origins: tens of thousands of zones compared pairwise took seconds. The index left is the
 * checked list's. Returns -ENOMEM only when out of memory.
 */
static int cfg_dedup_zones(cfg_t *cfg, char *err, size_t errlen, int *rc)
{
	bool *drop = calloc(cfg->nzones + 1, sizeof(*drop));
	size_t kept = 0, ndrop = 0;
	char e[1024];

	if (drop == NULL || cfg_zone_index(cfg) != 0) {
		free(drop);
		*rc = cfg_error(cfg, err, errlen, "out of memory");
		return -ENOMEM;
	}
	for (size_t j = 0; j < cfg->nzones; j++) {
		long i = cfg_zone_find(cfg, cfg->zones[j].origin);

		if (i < 0 || (size_t)i == j)
			continue;
		if (zsrc_same(&cfg->zones[i].src, &cfg->zones[j].src)) {
			drop[j] = true;
			ndrop++;
			continue;
		}
		cfg_fail(e, sizeof(e), "%s: zone %s is given twice, from %s and from %s; keep one",
			 cfg->zones[j].where != NULL ? cfg->zones[j].where : "zone",
			 cfg->zones[j].origin, zsrc_where(&cfg->zones[i].src),
			 zsrc_where(&cfg->zones[j].src));
		*rc = cfg_error(cfg, err, errlen, "%s", e);
	}
	for (size_t j = 0; ndrop > 0 && j < cfg->nzones; j++) {
		if (!drop[j]) {
			cfg->zones[kept++] = cfg->zones[j];
			continue;
		}
		free(cfg->zones[j].origin);
		free(cfg->zones[j].where);
		free(cfg->zones[j].catalog);
		free(cfg->zones[j].catalog_label);
		free(cfg->zones[j].catalog_coo);
		zsrc_clear(&cfg->zones[j].src);
	}
	free(drop);
	if (ndrop == 0)
		return SANDNS_EOK;
	cfg->nzones = kept;
	if (cfg_zone_index(cfg) != 0) {
		*rc = cfg_error(cfg, err, errlen, "out of memory");
		return -ENOMEM;
	}
	return SANDNS_EOK;
}

int cfg_check(cfg_t *cfg, char *err, size_t errlen)
{
	char e[1024];
	size_t i, j;
	int rc = SANDNS_EOK;

	CFG_ERRORS_BEGIN(cfg);
	/* Every check runs: each error is kept (cfg->errors), the first also goes into err. */
#define CFG_CHECK(call)                                                                            \
	do {                                                                                       \
		if ((call) != SANDNS_EOK)                                                          \
			rc = cfg_error(cfg, err, errlen, "%s", e);                                 \
	} while (0)
	if (cfg->io == CFG_IO_DPDK)
		CFG_CHECK(cfg_check_dpdk(cfg, e, sizeof(e)));
	else if (cfg->neal_args > 0)
		CFG_CHECK(cfg_fail(e, sizeof(e),
				   "EAL arguments (after --) are only used with --io dpdk; remove "
				   "them, or the eal-args lines"));
	CFG_CHECK(cfg_keys_check(cfg, e, sizeof(e)));
	if (cfg->nzones == 0)
		CFG_CHECK(cfg_fail(e, sizeof(e),
				   "no zones to serve: add --zone ORIGIN=FILE, or a line 'zone "
				   "ORIGIN FILE' to the configuration file"));

	/* The same zone twice is a mistake unless it is the very same source. */
	if (cfg_dedup_zones(cfg, err, errlen, &rc) != SANDNS_EOK)
		return rc;

	CFG_CHECK(cfg_check_notify(cfg, e, sizeof(e)));
	CFG_CHECK(cfg_check_primaries(cfg, e, sizeof(e)));
	CFG_CHECK(cfg_check_dnssec(cfg, e, sizeof(e)));
	CFG_CHECK(cfg_check_catalogs(cfg, e, sizeof(e)));
	/*
	 * The rate limit's tables, one per UDP worker: bounded together, since spoofed sources
	 * touch every page of them. (DPDK: the workers are EAL's lcores, checked in dp_port.c.)
	 */
	if (cfg->io == CFG_IO_SOCKET && cfg->rrl.rate > 0 &&
	    rrl_table_bytes(cfg->rrl.table_size) * cfg->udp_workers > RRL_TABLES_MAX)
		CFG_CHECK(cfg_fail(
		    e, sizeof(e),
		    "rate-limit-table-size %u with udp-workers %u: the rate limit's tables "
		    "would take %.1f GiB (%zu buckets of %u octets for each of %u "
		    "threads), more than %llu GiB; lower rate-limit-table-size or "
		    "udp-workers",
		    cfg->rrl.table_size, cfg->udp_workers,
		    (double)(rrl_table_bytes(cfg->rrl.table_size) * cfg->udp_workers) / (1 << 30),
		    rrl_buckets(cfg->rrl.table_size), RRL_BUCKET_BYTES, cfg->udp_workers,
		    (unsigned long long)(RRL_TABLES_MAX >> 30)));
#undef CFG_CHECK

	if (cfg->nlistens == 0) {
		if (cfg_add_default_listen(cfg, "127.0.0.1@53") != SANDNS_EOK ||
		    cfg_add_default_listen(cfg, "::1@53") != SANDNS_EOK)
			return cfg_error(cfg, err, errlen, "out of memory");
	}
	/* An address given in the file and again on the command line is served once. */
	for (i = 0; i < cfg->nlistens; i++) {
		for (j = i + 1; j < cfg->nlistens; j++) {
			if (!cfg_same_sockaddr(&cfg->listens[i], &cfg->listens[j]))
				continue;
			memmove(&cfg->listens[j], &cfg->listens[j + 1],
				(cfg->nlistens - j - 1) * sizeof(cfg->listens[0]));
			cfg->nlistens--;
			j--;
		}
	}
	return rc;
}
