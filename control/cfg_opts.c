/* SPDX-License-Identifier: BSD-3-Clause */
/* cfg_opts.c: the configuration keys: their table, and what each one's value sets */
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
#include "cfg_pvt.h"
#include "sandns_err.h"
#include "zt.h"

const struct cfg_keydef cfg_keys[CFG_K_COUNT] = {
    [CFG_K_ZONE] = {"zone", "zone", true, false},
    [CFG_K_LISTEN] = {"listen", "listen", true, false},
    [CFG_K_IO] = {"io", "io", false, false},
    [CFG_K_ALLOW_TRANSFER] = {"allow-transfer", "allow-transfer", true, false},
    [CFG_K_CERT] = {"cert", "cert", true, false},
    [CFG_K_CONTROL] = {"control", "control", false, false},
    [CFG_K_FOREGROUND] = {"foreground", "foreground", false, true},
    [CFG_K_LOG_TARGET] = {"log-target", "log-target", true, false},
    [CFG_K_LOG_LEVEL] = {"log-level", "log-level", false, false},
    [CFG_K_CHECK_ZONE] = {NULL, "check-zone", false, false},
    [CFG_K_UDP_MAX_PAYLOAD] = {"udp-max-payload", "udp-max-payload", false, false},
    [CFG_K_IDENTITY] = {"identity", "identity", false, false},
    [CFG_K_VERSION] = {"version", "server-version", false, false},
    [CFG_K_TCP_IDLE_TIMEOUT] = {"tcp-idle-timeout", "tcp-idle-timeout", false, false},
    [CFG_K_TCP_MAX_CLIENTS] = {"tcp-max-clients", "tcp-max-clients", false, false},
    [CFG_K_TCP_IO_TIMEOUT] = {"tcp-io-timeout", "tcp-io-timeout", false, false},
    [CFG_K_TRANSFERS_OUT] = {"transfers-out", "transfers-out", false, false},
    [CFG_K_UDP_WORKERS] = {"udp-workers", "udp-workers", false, false},
    [CFG_K_EAL_ARGS] = {"eal-args", NULL, true, false},
    [CFG_K_SRV_TARGET] = {"srv-target", "srv-target", false, false},
    [CFG_K_LEGACY_CN_FALLBACK] = {"legacy-cn-fallback", "legacy-cn-fallback", false, false},
    [CFG_K_CERT_PROBE_INTERVAL] = {"cert-probe-interval", "cert-probe-interval", false, false},
    [CFG_K_WATCH] = {"watch", "watch", false, false},
    [CFG_K_KEEP_ZONES] = {"keep-zones", "keep-zones", false, false},
    [CFG_K_SERIAL_STATE] = {"serial-state", "serial-state", false, false},
    [CFG_K_DNSTAP] = {"dnstap", "dnstap", false, false},
    [CFG_K_DNSTAP_LOG_QUERIES] = {"dnstap-log-queries", "dnstap-log-queries", false, false},
    [CFG_K_DNSTAP_LOG_RESPONSES] = {"dnstap-log-responses", "dnstap-log-responses", false, false},
    [CFG_K_ZONE_MAX_SIZE] = {"zone-max-size", "zone-max-size", false, false},
    [CFG_K_STATE_DIR] = {"state-dir", "state-dir", false, false},
    [CFG_K_IXFR_MAX_SIZE] = {"ixfr-max-size", "ixfr-max-size", false, false},
    [CFG_K_IXFR_MAX_DEPTH] = {"ixfr-max-depth", "ixfr-max-depth", false, false},
    [CFG_K_RATE_LIMIT] = {"rate-limit", "rate-limit", false, false},
    [CFG_K_RATE_LIMIT_SLIP] = {"rate-limit-slip", "rate-limit-slip", false, false},
    [CFG_K_RATE_LIMIT_TABLE_SIZE] = {"rate-limit-table-size", "rate-limit-table-size", false,
				     false},
    [CFG_K_RATE_LIMIT_IPV4_PREFIX] = {"rate-limit-ipv4-prefix", "rate-limit-ipv4-prefix", false,
				      false},
    [CFG_K_RATE_LIMIT_IPV6_PREFIX] = {"rate-limit-ipv6-prefix", "rate-limit-ipv6-prefix", false,
				      false},
    [CFG_K_NOTIFY] = {"notify", "notify", true, false},
    [CFG_K_KEY] = {"key", "key", true, false},
    [CFG_K_KEY_FILE] = {"key-file", "key-file", true, false},
    [CFG_K_PRIMARY] = {"primary", "primary", true, false},
    [CFG_K_ALLOW_NOTIFY] = {"allow-notify", "allow-notify", true, false},
    [CFG_K_USER] = {"user", "user", false, false},
    [CFG_K_PID_FILE] = {"pid-file", "pid-file", false, false},
    [CFG_K_NSID] = {"nsid", "nsid", false, false},
    [CFG_K_COOKIES] = {"cookies", "cookies", false, false},
    [CFG_K_COOKIE_SECRET] = {"cookie-secret", "cookie-secret", false, false},
    [CFG_K_METRICS] = {"metrics", "metrics", false, false},
    [CFG_K_DNSSEC] = {"dnssec", "dnssec", true, false},
    [CFG_K_DNSSEC_SIGNING] = {"dnssec-signing", "dnssec-signing", true, false},
    [CFG_K_DNSSEC_POLICY] = {"dnssec-policy", "dnssec-policy", true, false},
    [CFG_K_DNSSEC_KEY_DIR] = {"dnssec-key-dir", "dnssec-key-dir", false, false},
    [CFG_K_CATALOG] = {"catalog", "catalog", true, false},
};

int cfg_find_key(const char *name, bool cmdline)
{
	int k;

	for (k = 0; k < CFG_K_COUNT; k++) {
		const char *kn = cmdline ? cfg_keys[k].option : cfg_keys[k].name;

		if (kn != NULL && strcmp(kn, name) == 0)
			return k;
	}
	return -1;
}

const char *cfg_set_where(const cfg_t *cfg, const char *key)
{
	const int k = cfg_find_key(key, false);

	return k >= 0 && cfg->set_at[k] != NULL ? cfg->set_at[k] : key;
}

int cfg_push_str(char ***array, size_t *n, const char *s)
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

static int cfg_set_zone(cfg_t *cfg, const char *key, const char *value, const struct cfg_src *src,
			char *err, size_t errlen)
{
	const char *sep = strpbrk(value, " \t");
	const char *path;
	cfg_zone_t z = {0};
	char *abs = NULL;
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
	abs = cfg_abs_path(src->basedir, path);
	z.where = cfg_where_dup(src, key);
	if (z.origin == NULL || abs == NULL || z.where == NULL ||
	    zsrc_file(&z.src, abs) != SANDNS_EOK)
		goto out_nomem;
	free(abs);
	abs = NULL;
	if (cfg_push(&cfg->zones, &cfg->nzones, sizeof(z), &z) != SANDNS_EOK)
		goto out_nomem;
	return SANDNS_EOK;

out_nomem:
	free(z.origin);
	free(z.where);
	free(abs);
	zsrc_clear(&z.src);
	return cfg_fail(err, errlen, "%s: out of memory", key);
}

/* Hex digits (HEX, an even number of them) into OUT (at most CAP octets); -1 when not so. */
static long cfg_hex(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = strlen(hex);

	if (n == 0 || n % 2 != 0 || n / 2 > cap || strspn(hex, "0123456789abcdefABCDEF") != n)
		return -1;
	for (size_t i = 0; i < n / 2; i++) {
		char pair[3] = {hex[2 * i], hex[2 * i + 1], '\0'};

		out[i] = (uint8_t)strtoul(pair, NULL, 16);
	}
	return (long)(n / 2);
}

/* `nsid TEXT` or `nsid 0xHEX` (as Knot's nsid): the octets answered to an NSID query. */
static int cfg_set_nsid(cfg_t *cfg, const char *key, const char *value, char *err, size_t errlen)
{
	uint8_t buf[ZT_NSID_MAX];
	long n;

	if (strncasecmp(value, "0x", 2) == 0) {
		n = cfg_hex(value + 2, buf, sizeof(buf));
		if (n < 0)
			return cfg_fail(err, errlen,
					"%s: '%s' is not 1 to %d octets in hex (an even number of "
					"hex digits after 0x)",
					key, value, ZT_NSID_MAX);
	} else {
		n = (long)strlen(value);
		if (n > ZT_NSID_MAX)
			return cfg_fail(err, errlen, "%s: longer than %d octets", key, ZT_NSID_MAX);
		memcpy(buf, value, (size_t)n);
	}
	free(cfg->nsid);
	cfg->nsid = malloc((size_t)n);
	if (cfg->nsid == NULL)
		return cfg_fail(err, errlen, "%s: out of memory", key);
	memcpy(cfg->nsid, buf, (size_t)n);
	cfg->nsid_len = (size_t)n;
	return SANDNS_EOK;
}

/* `notify ORIGIN ADDR[@PORT] [key NAME]` (on the command line: one value, the same words). */
static int cfg_set_notify(cfg_t *cfg, const char *key, const char *value, const struct cfg_src *src,
			  char *err, size_t errlen)
{
	const char *w[5];
	char reason[256], *copy, *save = NULL, *tok;
	cfg_notify_t n = {0};
	size_t nw = 0;
	int rc;

	copy = strdup(value);
	if (copy == NULL)
		return cfg_fail(err, errlen, "%s: out of memory", key);
	for (tok = strtok_r(copy, " \t", &save); tok != NULL; tok = strtok_r(NULL, " \t", &save))
		if (nw < sizeof(w) / sizeof(w[0]))
			w[nw++] = tok;
		else
			nw++;
	if (nw != 2 && !(nw == 4 && strcmp(w[2], "key") == 0)) {
		rc = cfg_fail(err, errlen, "%s: expected ORIGIN ADDR[@PORT] [key NAME], not '%s'",
			      key, value);
		goto out;
	}
	if (cfg_parse_addr(w[1], &n.addr, reason, sizeof(reason)) != SANDNS_EOK) {
		rc = cfg_fail(err, errlen, "%s %s: %s", key, w[0], reason);
		goto out;
	}
	n.origin = strdup(w[0]);
	n.key = nw == 4 ? strdup(w[3]) : NULL;
	n.where = cfg_where_dup(src, key);
	if (n.origin == NULL || (nw == 4 && n.key == NULL) || n.where == NULL ||
	    cfg_push(&cfg->notifies, &cfg->nnotifies, sizeof(n), &n) != SANDNS_EOK) {
		free(n.origin);
		free(n.key);
		free(n.where);
		rc = cfg_fail(err, errlen, "%s: out of memory", key);
		goto out;
	}
	rc = SANDNS_EOK;
out:
	free(copy);
	return rc;
}

int cfg_apply(cfg_t *cfg, enum cfg_key k, const char *key, const char *value,
	      const struct cfg_src *src, char *err, size_t errlen)
{
	char reason[256];
	cfg_addr_t addr;
	unsigned long n;
	char *copy, *tok, *save;
	int rc = SANDNS_EOK;

	if (*value == '\0' && k != CFG_K_FOREGROUND)
		return cfg_fail(err, errlen, "%s needs a value", key);
	/* Where it was set, for --check-config's messages about what it names. */
	free(cfg->set_at[k]);
	if (src->name != NULL ? asprintf(&cfg->set_at[k], "%s:%u", src->name, src->line) < 0
			      : asprintf(&cfg->set_at[k], "%s", key) < 0)
		cfg->set_at[k] = NULL;

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
		return cfg_acl_add(&cfg->xfr_acl, &cfg->nxfr_acl, key, value, src, err, errlen);
	case CFG_K_ALLOW_NOTIFY:
		return cfg_acl_add(&cfg->notify_acl, &cfg->nnotify_acl, key, value, src, err,
				   errlen);
	case CFG_K_KEY:
		return cfg_key_add(cfg, key, value, src, err, errlen);
	case CFG_K_KEY_FILE:
		return cfg_key_file(cfg, key, value, src, err, errlen);
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
		if (cfg->check_config && strncmp(value, "tls://", 6) != 0 &&
		    cfg_check_cert_file(key, copy, err, errlen) != SANDNS_EOK) {
			free(copy);
			return SANDNS_ECONFIG;
		}
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
	case CFG_K_METRICS:
		/* The port is not 53's default: a metrics port is always the operator's choice. */
		if (strchr(value, '@') == NULL && strstr(value, "]:") == NULL &&
		    (strchr(value, ':') == NULL || strchr(value, ':') != strrchr(value, ':')))
			return cfg_fail(err, errlen, "%s %s: give the port too (ADDR@PORT)", key,
					value);
		if (cfg_parse_addr(value, &cfg->metrics, reason, sizeof(reason)) != SANDNS_EOK)
			return cfg_fail(err, errlen, "%s: %s", key, reason);
		cfg->has_metrics = true;
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
	case CFG_K_TRANSFERS_OUT:
		return cfg_set_uint(key, value, 1, 1024, &cfg->transfers_out, err, errlen);
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
	case CFG_K_DNSTAP:
		if (*value == '\0' || strcmp(value, "unix:") == 0)
			return cfg_fail(err, errlen, "%s: a file or unix:PATH is needed", key);
		if (strncmp(value, "unix:", 5) == 0) {
			char *path = cfg_abs_path(src->basedir, value + 5);

			copy = path != NULL ? malloc(strlen(path) + 6) : NULL;
			if (copy != NULL)
				sprintf(copy, "unix:%s", path);
			free(path);
		} else {
			copy = cfg_abs_path(src->basedir, value);
		}
		if (copy == NULL)
			return cfg_fail(err, errlen, "%s: out of memory", key);
		free(cfg->dnstap);
		cfg->dnstap = copy;
		return SANDNS_EOK;
	case CFG_K_SERIAL_STATE:
		copy = cfg_abs_path(src->basedir, value);
		if (copy == NULL)
			return cfg_fail(err, errlen, "%s: out of memory", key);
		free(cfg->serial_state);
		cfg->serial_state = copy;
		return SANDNS_EOK;
	case CFG_K_STATE_DIR:
		if (*value == '\0')
			return cfg_fail(err, errlen, "%s: a directory is needed", key);
		copy = cfg_abs_path(src->basedir, value);
		if (copy == NULL)
			return cfg_fail(err, errlen, "%s: out of memory", key);
		free(cfg->state_dir);
		cfg->state_dir = copy;
		return SANDNS_EOK;
	case CFG_K_IXFR_MAX_SIZE:
		/* From one small changeset's worth to what memory could ever hold. */
		return cfg_parse_size(key, value, 4096, (uint64_t)1 << 40, &cfg->ixfr_max_size, err,
				      errlen);
	case CFG_K_IXFR_MAX_DEPTH:
		rc = cfg_parse_uint(key, value, 1, 100000, &n, err, errlen);
		if (rc == SANDNS_EOK)
			cfg->ixfr_max_depth = (unsigned)n;
		return rc;
	case CFG_K_ZONE_MAX_SIZE:
		/* At least a small zone's worth; at most what a 64-bit loader may be asked to hold.
		 */
		return cfg_parse_size(key, value, 4096, (uint64_t)1 << 40, &cfg->zone_max_size, err,
				      errlen);
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
	case CFG_K_NOTIFY:
		return cfg_set_notify(cfg, key, value, src, err, errlen);
	case CFG_K_DNSSEC:
	case CFG_K_DNSSEC_SIGNING:
		return cfg_set_signing(cfg, k, key, value, src, err, errlen);
	case CFG_K_DNSSEC_POLICY:
		return cfg_set_dnssec_policy(cfg, key, value, src, err, errlen);
	case CFG_K_DNSSEC_KEY_DIR:
		if (*value == '\0')
			return cfg_fail(err, errlen, "%s: a directory is needed", key);
		copy = cfg_abs_path(src->basedir, value);
		if (copy == NULL)
			return cfg_fail(err, errlen, "%s: out of memory", key);
		free(cfg->key_dir);
		cfg->key_dir = copy;
		return SANDNS_EOK;
	case CFG_K_PRIMARY:
		return cfg_set_primary(cfg, key, value, src, err, errlen);
	case CFG_K_CATALOG:
		return cfg_set_catalog(cfg, key, value, src, err, errlen);
	case CFG_K_LOG_TARGET:
		return cfg_log_target(cfg, key, value, src, err, errlen);
	case CFG_K_LOG_LEVEL:
		return cfg_log_level(cfg, key, value, err, errlen);
	case CFG_K_CHECK_ZONE:
		if (strchr(value, '=') == NULL || *value == '=')
			return cfg_fail(err, errlen, "%s: expected ORIGIN=FILE, not '%s'", key,
					value);
		rc = cfg_replace_str(&cfg->check_zone, value);
		break;
	case CFG_K_USER:
		return cfg_set_user(cfg, key, value, err, errlen);
	case CFG_K_PID_FILE:
		return cfg_set_pid_file(cfg, key, value, src, err, errlen);
	case CFG_K_NSID:
		return cfg_set_nsid(cfg, key, value, err, errlen);
	case CFG_K_COOKIES:
		return cfg_parse_bool(key, value, &cfg->cookies, err, errlen);
	case CFG_K_DNSTAP_LOG_QUERIES:
		return cfg_parse_bool(key, value, &cfg->dnstap_log_queries, err, errlen);
	case CFG_K_DNSTAP_LOG_RESPONSES:
		return cfg_parse_bool(key, value, &cfg->dnstap_log_responses, err, errlen);
	case CFG_K_COOKIE_SECRET:
		/* Never echoed in the message: it is a secret. */
		if (cfg_hex(value, cfg->cookie_secret, sizeof(cfg->cookie_secret)) !=
		    (long)sizeof(cfg->cookie_secret))
			return cfg_fail(err, errlen, "%s: expected 32 hex digits (16 octets)", key);
		cfg->cookie_secret_set = true;
		return SANDNS_EOK;
	case CFG_K_COUNT:
		break;
	}
	if (rc != SANDNS_EOK)
		return cfg_fail(err, errlen, "%s: out of memory", key);
	return SANDNS_EOK;
}
