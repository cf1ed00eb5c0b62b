/* SPDX-License-Identifier: BSD-3-Clause */
/* cfg.c: sandnsd configuration from a file and the command line, checked before serving */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "cert.h"
#include "cfg.h"
#include "sandns_err.h"

/* A configuration file larger than this is surely not one. */
#define CFG_FILE_MAX (1u << 20)

enum cfg_key {
	CFG_K_ZONE,
	CFG_K_LISTEN,
	CFG_K_IO,
	CFG_K_ALLOW_TRANSFER,
	CFG_K_CERT,
	CFG_K_CONTROL,
	CFG_K_FOREGROUND,
	CFG_K_UDP_MAX_PAYLOAD,
	CFG_K_IDENTITY,
	CFG_K_VERSION,
	CFG_K_TCP_IDLE_TIMEOUT,
	CFG_K_TCP_MAX_CLIENTS,
	CFG_K_TCP_IO_TIMEOUT,
	CFG_K_UDP_WORKERS,
	CFG_K_EAL_ARGS,
	CFG_K_SRV_TARGET,
	CFG_K_LEGACY_CN_FALLBACK,
	CFG_K_CERT_PROBE_INTERVAL,
	CFG_K_WATCH,
	CFG_K_KEEP_ZONES,
	CFG_K_SERIAL_STATE,
	CFG_K_RATE_LIMIT,
	CFG_K_RATE_LIMIT_SLIP,
	CFG_K_RATE_LIMIT_TABLE_SIZE,
	CFG_K_RATE_LIMIT_IPV4_PREFIX,
	CFG_K_RATE_LIMIT_IPV6_PREFIX,
	CFG_K_COUNT
};

struct cfg_keydef {
	const char *name;   /* in the file */
	const char *option; /* on the command line, without "--"; NULL: none */
	bool repeatable;
	bool flag; /* on the command line it takes no value */
};

static const struct cfg_keydef cfg_keys[CFG_K_COUNT] = {
    [CFG_K_ZONE] = {"zone", "zone", true, false},
    [CFG_K_LISTEN] = {"listen", "listen", true, false},
    [CFG_K_IO] = {"io", "io", false, false},
    [CFG_K_ALLOW_TRANSFER] = {"allow-transfer", "allow-transfer", true, false},
    [CFG_K_CERT] = {"cert", "cert", true, false},
    [CFG_K_CONTROL] = {"control", "control", false, false},
    [CFG_K_FOREGROUND] = {"foreground", "foreground", false, true},
    [CFG_K_UDP_MAX_PAYLOAD] = {"udp-max-payload", "udp-max-payload", false, false},
    [CFG_K_IDENTITY] = {"identity", "identity", false, false},
    [CFG_K_VERSION] = {"version", "server-version", false, false},
    [CFG_K_TCP_IDLE_TIMEOUT] = {"tcp-idle-timeout", "tcp-idle-timeout", false, false},
    [CFG_K_TCP_MAX_CLIENTS] = {"tcp-max-clients", "tcp-max-clients", false, false},
    [CFG_K_TCP_IO_TIMEOUT] = {"tcp-io-timeout", "tcp-io-timeout", false, false},
    [CFG_K_UDP_WORKERS] = {"udp-workers", "udp-workers", false, false},
    [CFG_K_EAL_ARGS] = {"eal-args", NULL, true, false},
    [CFG_K_SRV_TARGET] = {"srv-target", "srv-target", false, false},
    [CFG_K_LEGACY_CN_FALLBACK] = {"legacy-cn-fallback", "legacy-cn-fallback", false, false},
    [CFG_K_CERT_PROBE_INTERVAL] = {"cert-probe-interval", "cert-probe-interval", false, false},
    [CFG_K_WATCH] = {"watch", "watch", false, false},
    [CFG_K_KEEP_ZONES] = {"keep-zones", "keep-zones", false, false},
    [CFG_K_SERIAL_STATE] = {"serial-state", "serial-state", false, false},
    [CFG_K_RATE_LIMIT] = {"rate-limit", "rate-limit", false, false},
    [CFG_K_RATE_LIMIT_SLIP] = {"rate-limit-slip", "rate-limit-slip", false, false},
    [CFG_K_RATE_LIMIT_TABLE_SIZE] = {"rate-limit-table-size", "rate-limit-table-size", false,
				     false},
    [CFG_K_RATE_LIMIT_IPV4_PREFIX] = {"rate-limit-ipv4-prefix", "rate-limit-ipv4-prefix", false,
				      false},
    [CFG_K_RATE_LIMIT_IPV6_PREFIX] = {"rate-limit-ipv6-prefix", "rate-limit-ipv6-prefix", false,
				      false},
};

/* Where a setting comes from, so that messages name the key the way the user wrote it. */
struct cfg_src {
	bool cmdline;
	const char *basedir; /* for relative paths; NULL: the current directory */
};

__attribute__((format(printf, 3, 4))) static int cfg_fail(char *err, size_t errlen, const char *fmt,
							  ...)
{
	va_list ap;

	if (errlen == 0)
		return SANDNS_ECONFIG;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return SANDNS_ECONFIG;
}

static int cfg_push(void *arrayp, size_t *n, size_t size, const void *elem)
{
	void **array = arrayp;
	void *grown = realloc(*array, (*n + 1) * size);

	if (grown == NULL)
		return -ENOMEM;
	memcpy((char *)grown + *n * size, elem, size);
	*array = grown;
	(*n)++;
	return SANDNS_EOK;
}

static int cfg_push_str(char ***array, size_t *n, const char *s)
{
	char *copy = strdup(s);

	if (copy == NULL)
		return -ENOMEM;
	if (cfg_push(array, n, sizeof(copy), &copy) != SANDNS_EOK) {
		free(copy);
		return -ENOMEM;
	}
	return SANDNS_EOK;
}

static int cfg_replace_str(char **slot, const char *s)
{
	char *copy = strdup(s);

	if (copy == NULL)
		return -ENOMEM;
	free(*slot);
	*slot = copy;
	return SANDNS_EOK;
}

/* PATH made absolute against BASEDIR or the current directory; the caller frees it. */
static char *cfg_abs_path(const char *basedir, const char *path)
{
	char cwd[4096];
	char *out;

	if (path[0] == '/')
		return strdup(path);
	if (basedir == NULL) {
		if (getcwd(cwd, sizeof(cwd)) == NULL)
			return strdup(path);
		basedir = cwd;
	}
	if (asprintf(&out, "%s/%s", basedir, path) < 0)
		return NULL;
	return out;
}

static int cfg_parse_uint(const char *key, const char *value, unsigned long min, unsigned long max,
			  unsigned long *out, char *err, size_t errlen)
{
	unsigned long v = 0;
	const char *p;

	if (*value == '\0')
		return cfg_fail(err, errlen, "%s: a number is needed", key);
	for (p = value; *p != '\0'; p++) {
		if (!isdigit((unsigned char)*p))
			return cfg_fail(err, errlen, "%s: '%s' is not a number", key, value);
		if (v <= max)
			v = v * 10 + (unsigned long)(*p - '0');
	}
	if (v < min || v > max)
		return cfg_fail(err, errlen, "%s: %s is out of range (%lu..%lu)", key, value, min,
				max);
	*out = v;
	return SANDNS_EOK;
}

/* cfg_parse_uint() into an unsigned setting, left as it was on error. */
static int cfg_set_uint(const char *key, const char *value, unsigned long min, unsigned long max,
			unsigned *out, char *err, size_t errlen)
{
	unsigned long n;
	int rc = cfg_parse_uint(key, value, min, max, &n, err, errlen);

	if (rc == SANDNS_EOK)
		*out = (unsigned)n;
	return rc;
}

static int cfg_parse_bool(const char *key, const char *value, bool *out, char *err, size_t errlen)
{
	static const char *const yes[] = {"yes", "true", "on", "1"};
	static const char *const no[] = {"no", "false", "off", "0"};
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(value, yes[i]) == 0) {
			*out = true;
			return SANDNS_EOK;
		}
		if (strcasecmp(value, no[i]) == 0) {
			*out = false;
			return SANDNS_EOK;
		}
	}
	return cfg_fail(err, errlen, "%s: expected yes or no, not '%s'", key, value);
}

static int cfg_set_zone(cfg_t *cfg, const char *key, const char *value, const struct cfg_src *src,
			char *err, size_t errlen)
{
	const char *sep = strpbrk(value, " \t");
	const char *path;
	cfg_zone_t z;
	size_t olen;

	if (sep != NULL) {
		olen = (size_t)(sep - value);
		path = sep + strspn(sep, " \t");
	} else {
		sep = strchr(value, '=');
		if (sep == NULL)
			return cfg_fail(err, errlen,
					"%s: expected ORIGIN=FILE (or ORIGIN FILE), not '%s'", key,
					value);
		olen = (size_t)(sep - value);
		path = sep + 1;
	}
	if (olen == 0)
		return cfg_fail(err, errlen, "%s: the zone origin is missing in '%s'", key, value);
	if (*path == '\0')
		return cfg_fail(err, errlen, "%s: the zone file is missing in '%s'", key, value);

	z.origin = strndup(value, olen);
	z.path = cfg_abs_path(src->basedir, path);
	if (z.origin == NULL || z.path == NULL)
		goto out_nomem;
	if (cfg_push(&cfg->zones, &cfg->nzones, sizeof(z), &z) != SANDNS_EOK)
		goto out_nomem;
	return SANDNS_EOK;

out_nomem:
	free(z.origin);
	free(z.path);
	return cfg_fail(err, errlen, "%s: out of memory", key);
}

/* Applies one setting; messages start with KEY as the user wrote it ("--listen" or "listen"). */
static int cfg_apply(cfg_t *cfg, enum cfg_key k, const char *key, const char *value,
		     const struct cfg_src *src, char *err, size_t errlen)
{
	char reason[256];
	cfg_addr_t addr;
	cfg_prefix_t prefix;
	unsigned long n;
	char *copy, *tok, *save;
	int rc = SANDNS_EOK;

	if (*value == '\0' && k != CFG_K_FOREGROUND)
		return cfg_fail(err, errlen, "%s needs a value", key);

	switch (k) {
	case CFG_K_ZONE:
		return cfg_set_zone(cfg, key, value, src, err, errlen);
	case CFG_K_LISTEN:
		if (cfg_parse_addr(value, &addr, reason, sizeof(reason)) != SANDNS_EOK)
			return cfg_fail(err, errlen, "%s: %s", key, reason);
		rc = cfg_push(&cfg->listens, &cfg->nlistens, sizeof(addr), &addr);
		break;
	case CFG_K_IO:
		if (strcmp(value, "socket") == 0) {
			cfg->io = CFG_IO_SOCKET;
			return SANDNS_EOK;
		}
		if (strcmp(value, "dpdk") == 0) {
			cfg->io = CFG_IO_DPDK;
			return SANDNS_EOK;
		}
		return cfg_fail(err, errlen, "%s: expected socket or dpdk, not '%s'", key, value);
	case CFG_K_ALLOW_TRANSFER:
		if (cfg_parse_prefix(value, &prefix, reason, sizeof(reason)) != SANDNS_EOK)
			return cfg_fail(err, errlen, "%s: %s", key, reason);
		rc = cfg_push(&cfg->xfr_acl, &cfg->nxfr_acl, sizeof(prefix), &prefix);
		break;
	case CFG_K_CERT:
		if (strncmp(value, "tls://", 6) == 0) {
			cert_tls_target_t t;

			if (cert_parse_source(value, &t, reason, sizeof(reason)) < 0)
				return cfg_fail(err, errlen, "%s %s: %s", key, value, reason);
			copy = strdup(value);
		} else {
			copy = cfg_abs_path(src->basedir, value);
		}
		if (copy == NULL)
			return cfg_fail(err, errlen, "%s: out of memory", key);
		rc = cfg_push(&cfg->certs, &cfg->ncerts, sizeof(copy), &copy);
		if (rc != SANDNS_EOK)
			free(copy);
		break;
	case CFG_K_CONTROL:
		copy = cfg_abs_path(src->basedir, value);
		if (copy == NULL)
			return cfg_fail(err, errlen, "%s: out of memory", key);
		if (strlen(copy) >= sizeof(((struct sockaddr_un *)NULL)->sun_path)) {
			rc = cfg_fail(err, errlen,
				      "%s: the socket path %s is too long (at most %zu bytes)", key,
				      copy, sizeof(((struct sockaddr_un *)NULL)->sun_path) - 1);
			free(copy);
			return rc;
		}
		free(cfg->control);
		cfg->control = copy;
		return SANDNS_EOK;
	case CFG_K_FOREGROUND:
		if (*value == '\0') {
			cfg->foreground = true;
			return SANDNS_EOK;
		}
		return cfg_parse_bool(key, value, &cfg->foreground, err, errlen);
	case CFG_K_UDP_MAX_PAYLOAD:
		rc = cfg_parse_uint(key, value, 512, 65535, &n, err, errlen);
		if (rc == SANDNS_EOK)
			cfg->udp_max_payload = (uint16_t)n;
		return rc;
	case CFG_K_IDENTITY:
	case CFG_K_VERSION:
		/* Served as one TXT character-string. */
		if (strlen(value) > 255)
			return cfg_fail(err, errlen, "%s: longer than 255 bytes", key);
		rc = cfg_replace_str(k == CFG_K_IDENTITY ? &cfg->identity : &cfg->version, value);
		break;
	case CFG_K_TCP_IDLE_TIMEOUT:
		rc = cfg_parse_uint(key, value, 1, 3600, &n, err, errlen);
		if (rc == SANDNS_EOK)
			cfg->tcp_idle_timeout = (unsigned)n;
		return rc;
	case CFG_K_TCP_MAX_CLIENTS:
		rc = cfg_parse_uint(key, value, 1, 65536, &n, err, errlen);
		if (rc == SANDNS_EOK)
			cfg->tcp_max_clients = (unsigned)n;
		return rc;
	case CFG_K_TCP_IO_TIMEOUT:
		return cfg_set_uint(key, value, 100, 60000, &cfg->tcp_io_timeout, err, errlen);
	case CFG_K_RATE_LIMIT:
		return cfg_set_uint(key, value, 0, 1000000, &cfg->rrl.rate, err, errlen);
	case CFG_K_RATE_LIMIT_SLIP:
		return cfg_set_uint(key, value, 0, 100, &cfg->rrl.slip, err, errlen);
	case CFG_K_RATE_LIMIT_TABLE_SIZE:
		return cfg_set_uint(key, value, 64, 1UL << 24, &cfg->rrl.table_size, err, errlen);
	case CFG_K_RATE_LIMIT_IPV4_PREFIX:
		return cfg_set_uint(key, value, 8, 32, &cfg->rrl.ipv4_prefix, err, errlen);
	case CFG_K_RATE_LIMIT_IPV6_PREFIX:
		return cfg_set_uint(key, value, 16, 128, &cfg->rrl.ipv6_prefix, err, errlen);
	case CFG_K_UDP_WORKERS:
		rc = cfg_parse_uint(key, value, 1, 64, &n, err, errlen);
		if (rc == SANDNS_EOK)
			cfg->udp_workers = (unsigned)n;
		return rc;
	case CFG_K_EAL_ARGS:
		copy = strdup(value);
		if (copy == NULL)
			return cfg_fail(err, errlen, "%s: out of memory", key);
		for (tok = strtok_r(copy, " \t", &save); tok != NULL && rc == SANDNS_EOK;
		     tok = strtok_r(NULL, " \t", &save))
			rc = cfg_push_str(&cfg->eal_args, &cfg->neal_args, tok);
		free(copy);
		break;
	case CFG_K_SRV_TARGET:
		if (strlen(value) > 253 || strchr(value, ' ') != NULL || *value == '\0')
			return cfg_fail(err, errlen, "%s: '%s' is not a host name", key, value);
		rc = cfg_replace_str(&cfg->srv_target, value);
		break;
	case CFG_K_LEGACY_CN_FALLBACK:
		return cfg_parse_bool(key, value, &cfg->legacy_cn_fallback, err, errlen);
	case CFG_K_WATCH:
		return cfg_parse_bool(key, value, &cfg->watch, err, errlen);
	case CFG_K_SERIAL_STATE:
		copy = cfg_abs_path(src->basedir, value);
		if (copy == NULL)
			return cfg_fail(err, errlen, "%s: out of memory", key);
		free(cfg->serial_state);
		cfg->serial_state = copy;
		return SANDNS_EOK;
	case CFG_K_KEEP_ZONES:
		if (strcmp(value, "auto") == 0)
			cfg->keep_zones = CFG_KEEP_AUTO;
		else if (strcmp(value, "yes") == 0)
			cfg->keep_zones = CFG_KEEP_YES;
		else if (strcmp(value, "no") == 0)
			cfg->keep_zones = CFG_KEEP_NO;
		else
			return cfg_fail(err, errlen, "%s: expected auto, yes or no, not '%s'", key,
					value);
		return SANDNS_EOK;
	case CFG_K_CERT_PROBE_INTERVAL:
		rc = cfg_parse_uint(key, value, 0, 86400, &n, err, errlen);
		if (rc == SANDNS_EOK)
			cfg->cert_probe_interval = (unsigned)n;
		return rc;
	case CFG_K_COUNT:
		break;
	}
	if (rc != SANDNS_EOK)
		return cfg_fail(err, errlen, "%s: out of memory", key);
	return SANDNS_EOK;
}

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
	cfg->udp_workers = 1;
	cfg->cert_probe_interval = 300;
	cfg->rrl.slip = 2;
	cfg->rrl.table_size = 65536;
	cfg->rrl.ipv4_prefix = 24;
	cfg->rrl.ipv6_prefix = 56;
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
		free(cfg->zones[i].path);
	}
	free(cfg->zones);
	free(cfg->listens);
	free(cfg->xfr_acl);
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
	free(cfg->version);
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

static int cfg_find_key(const char *name, bool cmdline)
{
	int k;

	for (k = 0; k < CFG_K_COUNT; k++) {
		const char *kn = cmdline ? cfg_keys[k].option : cfg_keys[k].name;

		if (kn != NULL && strcmp(kn, name) == 0)
			return k;
	}
	return -1;
}

int cfg_load_string(cfg_t *cfg, const char *text, const char *name, const char *basedir, char *err,
		    size_t errlen)
{
	const struct cfg_src src = {.cmdline = false, .basedir = basedir};
	unsigned seen[CFG_K_COUNT] = {0};
	char reason[512];
	unsigned lineno = 0;
	const char *next;
	char *buf = NULL;
	int rc = SANDNS_EOK;

	for (; text != NULL && *text != '\0' && rc == SANDNS_EOK; text = next) {
		size_t len = strcspn(text, "\n");
		char *line, *value, *end;
		int k;

		next = text[len] == '\n' ? text + len + 1 : text + len;
		lineno++;
		free(buf);
		buf = strndup(text, len);
		if (buf == NULL) {
			rc = cfg_fail(err, errlen, "%s: out of memory", name);
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
			if (strcmp(line, "config") == 0)
				rc = cfg_fail(err, errlen,
					      "%s:%u: 'config' only works on the command line",
					      name, lineno);
			else
				rc = cfg_fail(err, errlen, "%s:%u: unknown key '%s'", name, lineno,
					      line);
			break;
		}
		if (!cfg_keys[k].repeatable && seen[k] != 0) {
			rc = cfg_fail(err, errlen, "%s:%u: '%s' is already set on line %u", name,
				      lineno, line, seen[k]);
			break;
		}
		seen[k] = lineno;
		if (*value == '\0') {
			rc = cfg_fail(err, errlen, "%s:%u: '%s' needs a value", name, lineno, line);
			break;
		}
		rc = cfg_apply(cfg, (enum cfg_key)k, line, value, &src, reason, sizeof(reason));
		if (rc != SANDNS_EOK)
			cfg_fail(err, errlen, "%s:%u: %s", name, lineno, reason);
	}
	free(buf);
	return rc;
}

int cfg_load_file(cfg_t *cfg, const char *path, char *err, size_t errlen)
{
	char *text = NULL, *abs = NULL, *slash;
	struct stat st;
	size_t got = 0;
	FILE *f;
	int rc;

	f = fopen(path, "r");
	if (f == NULL)
		return cfg_fail(err, errlen, "cannot read the configuration file %s: %s", path,
				strerror(errno));
	if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
		rc = cfg_fail(err, errlen, "the configuration file %s is not a regular file", path);
		goto out_close;
	}
	if (st.st_size > (off_t)CFG_FILE_MAX) {
		rc = cfg_fail(err, errlen, "the configuration file %s is larger than %u bytes",
			      path, CFG_FILE_MAX);
		goto out_close;
	}
	text = malloc((size_t)st.st_size + 1);
	if (text == NULL) {
		rc = cfg_fail(err, errlen, "%s: out of memory", path);
		goto out_close;
	}
	got = fread(text, 1, (size_t)st.st_size, f);
	if (ferror(f)) {
		rc = cfg_fail(err, errlen, "cannot read the configuration file %s: %s", path,
			      strerror(errno));
		goto out_free_text;
	}
	text[got] = '\0';
	if (memchr(text, '\0', got) != NULL) {
		rc = cfg_fail(err, errlen, "the configuration file %s is not text", path);
		goto out_free_text;
	}

	/* Relative paths inside the file are relative to its directory. */
	abs = cfg_abs_path(NULL, path);
	if (abs == NULL) {
		rc = cfg_fail(err, errlen, "%s: out of memory", path);
		goto out_free_text;
	}
	slash = strrchr(abs, '/');
	if (slash == abs)
		slash[1] = '\0';
	else if (slash != NULL)
		*slash = '\0';
	rc = cfg_load_string(cfg, text, path, abs, err, errlen);

	free(abs);
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
	char reason[512];
	char key[64];
	int i, rc;

	/* The file first, wherever --config stands: the other options override it. */
	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		const char *path;

		if (strncmp(argv[i], "--config=", 9) == 0) {
			path = argv[i] + 9;
		} else if (strcmp(argv[i], "--config") == 0) {
			if (i + 1 >= argc)
				return cfg_fail(err, errlen, "--config needs a file");
			path = argv[++i];
		} else {
			continue;
		}
		if (config != NULL)
			return cfg_fail(err, errlen, "--config is given twice");
		if (*path == '\0')
			return cfg_fail(err, errlen, "--config needs a file");
		config = path;
	}
	if (config != NULL) {
		rc = cfg_load_file(cfg, config, err, errlen);
		if (rc != SANDNS_EOK)
			return rc;
	}

	for (i = 1; i < argc; i++) {
		const char *arg = argv[i], *value, *eq;
		int k;

		if (strcmp(arg, "--") == 0) {
			for (i++; i < argc; i++)
				if (cfg_push_str(&cfg->eal_args, &cfg->neal_args, argv[i]) != 0)
					return cfg_fail(err, errlen, "out of memory");
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
		if (strncmp(arg, "--", 2) != 0)
			return cfg_fail(err, errlen,
					"unexpected argument '%s': options start with --, EAL "
					"arguments go after --",
					arg);
		eq = strchr(arg + 2, '=');
		snprintf(key, sizeof(key), "%.*s",
			 (int)(eq != NULL ? (size_t)(eq - arg - 2) : strlen(arg + 2)), arg + 2);
		if (strcmp(key, "config") == 0) {
			if (eq == NULL)
				i++;
			continue;
		}
		k = cfg_find_key(key, true);
		if (k < 0)
			return cfg_fail(err, errlen, "unknown option --%s (see sandnsd --help)",
					key);
		if (eq != NULL) {
			value = eq + 1;
		} else if (cfg_keys[k].flag) {
			value = "";
		} else {
			if (i + 1 >= argc)
				return cfg_fail(err, errlen, "--%s needs a value", key);
			value = argv[++i];
		}
		snprintf(reason, sizeof(reason), "--%s", key);
		rc = cfg_apply(cfg, (enum cfg_key)k, reason, value, &src, err, errlen);
		if (rc != SANDNS_EOK)
			return rc;
	}
	return SANDNS_EOK;
}

/* Whether two origins name the same zone: case and the final dot do not matter. */
static bool cfg_same_origin(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la > 1 && a[la - 1] == '.')
		la--;
	if (lb > 1 && b[lb - 1] == '.')
		lb--;
	return la == lb && strncasecmp(a, b, la) == 0;
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

int cfg_check(cfg_t *cfg, char *err, size_t errlen)
{
	size_t i, j;

	if (cfg->io == CFG_IO_DPDK) {
		if (cfg_check_dpdk(cfg, err, errlen) != SANDNS_EOK)
			return SANDNS_ECONFIG;
	} else if (cfg->neal_args > 0)
		return cfg_fail(err, errlen,
				"EAL arguments (after --) are only used with --io dpdk; remove "
				"them, or the eal-args lines");
	if (cfg->nzones == 0)
		return cfg_fail(err, errlen,
				"no zones to serve: add --zone ORIGIN=FILE, or a line 'zone ORIGIN "
				"FILE' to the configuration file");

	/* The same zone twice is a mistake unless it is the very same file. */
	for (i = 0; i < cfg->nzones; i++) {
		for (j = i + 1; j < cfg->nzones; j++) {
			if (!cfg_same_origin(cfg->zones[i].origin, cfg->zones[j].origin))
				continue;
			if (strcmp(cfg->zones[i].path, cfg->zones[j].path) != 0)
				return cfg_fail(err, errlen,
						"zone %s is given twice, from %s and from %s; keep "
						"one",
						cfg->zones[j].origin, cfg->zones[i].path,
						cfg->zones[j].path);
			free(cfg->zones[j].origin);
			free(cfg->zones[j].path);
			memmove(&cfg->zones[j], &cfg->zones[j + 1],
				(cfg->nzones - j - 1) * sizeof(cfg->zones[0]));
			cfg->nzones--;
			j--;
		}
	}

	if (cfg->nlistens == 0) {
		if (cfg_add_default_listen(cfg, "127.0.0.1@53") != SANDNS_EOK ||
		    cfg_add_default_listen(cfg, "::1@53") != SANDNS_EOK)
			return cfg_fail(err, errlen, "out of memory");
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
	return SANDNS_EOK;
}

static int cfg_parse_port(const char *text, uint16_t *port, char *err, size_t errlen)
{
	unsigned long v;
	char reason[128];

	if (*text == '\0')
		return cfg_fail(err, errlen, "the port is missing");
	if (cfg_parse_uint("port", text, 1, 65535, &v, reason, sizeof(reason)) != SANDNS_EOK) {
		if (strspn(text, "0123456789") == strlen(text))
			return cfg_fail(err, errlen, "port %s is out of range (1..65535)", text);
		return cfg_fail(err, errlen, "port '%s' is not a number", text);
	}
	*port = (uint16_t)v;
	return SANDNS_EOK;
}

int cfg_parse_addr(const char *text, cfg_addr_t *out, char *err, size_t errlen)
{
	struct addrinfo hints = {
	    .ai_family = AF_UNSPEC, .ai_socktype = SOCK_DGRAM, .ai_flags = AI_NUMERICHOST};
	struct addrinfo *res = NULL;
	const char *host = text, *port = NULL;
	char hostbuf[CFG_ADDR_TEXT];
	size_t hlen = strlen(text);
	uint16_t portnum = 53;
	const char *at;

	memset(out, 0, sizeof(*out));
	if (text[0] == '[') {
		const char *close = strchr(text, ']');

		if (close == NULL)
			return cfg_fail(err, errlen, "'%s': missing ']'", text);
		host = text + 1;
		hlen = (size_t)(close - host);
		if (close[1] == '@' || close[1] == ':')
			port = close + 2;
		else if (close[1] != '\0')
			return cfg_fail(err, errlen, "'%s': expected @PORT or :PORT after ']'",
					text);
	} else if ((at = strrchr(text, '@')) != NULL) {
		hlen = (size_t)(at - text);
		port = at + 1;
	} else if ((at = strchr(text, ':')) != NULL && strchr(at + 1, ':') == NULL) {
		/* One colon: IPv4:PORT. IPv6 needs brackets or @ for a port. */
		hlen = (size_t)(at - text);
		port = at + 1;
	}
	if (hlen == 0)
		return cfg_fail(err, errlen, "'%s': the address is missing", text);
	if (hlen >= sizeof(hostbuf))
		return cfg_fail(err, errlen, "'%s' is not an IPv4 or IPv6 address", text);
	memcpy(hostbuf, host, hlen);
	hostbuf[hlen] = '\0';
	if (port != NULL && cfg_parse_port(port, &portnum, err, errlen) != SANDNS_EOK)
		return SANDNS_ECONFIG;

	if (getaddrinfo(hostbuf, NULL, &hints, &res) != 0 || res == NULL)
		return cfg_fail(err, errlen,
				"'%s' is not an IPv4 or IPv6 address (names are not looked up)",
				hostbuf);
	if ((res->ai_family != AF_INET && res->ai_family != AF_INET6) ||
	    res->ai_addrlen > sizeof(out->ss)) {
		freeaddrinfo(res);
		return cfg_fail(err, errlen, "'%s' is not an IPv4 or IPv6 address", hostbuf);
	}
	memcpy(&out->ss, res->ai_addr, res->ai_addrlen);
	out->len = res->ai_addrlen;
	freeaddrinfo(res);
	if (out->ss.ss_family == AF_INET)
		((struct sockaddr_in *)&out->ss)->sin_port = htons(portnum);
	else
		((struct sockaddr_in6 *)&out->ss)->sin6_port = htons(portnum);
	cfg_addr_format((struct sockaddr *)&out->ss, out->text, sizeof(out->text));
	return SANDNS_EOK;
}

int cfg_parse_prefix(const char *text, cfg_prefix_t *out, char *err, size_t errlen)
{
	char buf[INET6_ADDRSTRLEN + 1], shown[INET6_ADDRSTRLEN];
	const char *slash = strchr(text, '/');
	size_t alen = slash != NULL ? (size_t)(slash - text) : strlen(text);
	unsigned long bits;
	unsigned maxbits, i;
	char reason[128];

	memset(out, 0, sizeof(*out));
	if (alen == 0 || alen >= sizeof(buf))
		return cfg_fail(err, errlen, "'%s' is not an address prefix (like 127.0.0.0/8)",
				text);
	memcpy(buf, text, alen);
	buf[alen] = '\0';
	if (inet_pton(AF_INET, buf, out->addr) == 1) {
		out->family = AF_INET;
		maxbits = 32;
	} else if (inet_pton(AF_INET6, buf, out->addr) == 1) {
		out->family = AF_INET6;
		maxbits = 128;
	} else {
		return cfg_fail(err, errlen, "'%s' is not an IPv4 or IPv6 address", buf);
	}
	bits = maxbits;
	if (slash != NULL && cfg_parse_uint("prefix length", slash + 1, 0, maxbits, &bits, reason,
					    sizeof(reason)) != SANDNS_EOK)
		return cfg_fail(err, errlen, "'%s': the prefix length must be 0..%u", text,
				maxbits);
	out->bits = (unsigned)bits;
	for (i = 0; i < maxbits / 8; i++) {
		if (i * 8 >= bits)
			out->addr[i] = 0;
		else if (i * 8 + 8 > bits)
			out->addr[i] &= (uint8_t)(0xff << (8 - (bits - i * 8)));
	}
	inet_ntop(out->family, out->addr, shown, sizeof(shown));
	snprintf(out->text, sizeof(out->text), "%s/%u", shown, out->bits);
	return SANDNS_EOK;
}

bool cfg_prefix_match(const cfg_prefix_t *p, const struct sockaddr *sa)
{
	static const uint8_t v4mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	const uint8_t *a;
	unsigned full, rest;

	if (sa->sa_family == AF_INET) {
		if (p->family != AF_INET)
			return false;
		a = (const uint8_t *)&((const struct sockaddr_in *)sa)->sin_addr;
	} else if (sa->sa_family == AF_INET6) {
		a = ((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr;
		if (p->family == AF_INET) {
			if (memcmp(a, v4mapped, sizeof(v4mapped)) != 0)
				return false;
			a += sizeof(v4mapped);
		}
	} else {
		return false;
	}
	full = p->bits / 8;
	rest = p->bits % 8;
	if (memcmp(a, p->addr, full) != 0)
		return false;
	return rest == 0 || ((a[full] ^ p->addr[full]) & (uint8_t)(0xff << (8 - rest))) == 0;
}

bool cfg_xfr_allowed(const cfg_t *cfg, const struct sockaddr *sa)
{
	size_t i;

	for (i = 0; i < cfg->nxfr_acl; i++)
		if (cfg_prefix_match(&cfg->xfr_acl[i], sa))
			return true;
	return false;
}

void cfg_addr_format(const struct sockaddr *sa, char *buf, size_t len)
{
	char host[NI_MAXHOST];
	unsigned port;
	socklen_t salen;

	if (sa->sa_family == AF_INET) {
		salen = sizeof(struct sockaddr_in);
		port = ntohs(((const struct sockaddr_in *)sa)->sin_port);
	} else if (sa->sa_family == AF_INET6) {
		salen = sizeof(struct sockaddr_in6);
		port = ntohs(((const struct sockaddr_in6 *)sa)->sin6_port);
	} else {
		snprintf(buf, len, "(family %d)", sa->sa_family);
		return;
	}
	if (getnameinfo(sa, salen, host, sizeof(host), NULL, 0, NI_NUMERICHOST) != 0)
		snprintf(host, sizeof(host), "?");
	snprintf(buf, len, "%s@%u", host, port);
}
