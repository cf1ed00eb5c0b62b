/* SPDX-License-Identifier: BSD-3-Clause */
/* cfg_pvt.h: what the configuration's files share: the keys, and the value parsers */
#ifndef CFG_PVT_H
#define CFG_PVT_H

#include <stdbool.h>
#include <stddef.h>

#include "cfg.h"

enum cfg_key {
	CFG_K_ZONE,
	CFG_K_LISTEN,
	CFG_K_IO,
	CFG_K_ALLOW_TRANSFER,
	CFG_K_CERT,
	CFG_K_CONTROL,
	CFG_K_FOREGROUND,
	CFG_K_LOG_TARGET,
	CFG_K_LOG_LEVEL,
	CFG_K_CHECK_ZONE,
	CFG_K_UDP_MAX_PAYLOAD,
	CFG_K_IDENTITY,
	CFG_K_VERSION,
	CFG_K_TCP_IDLE_TIMEOUT,
	CFG_K_TCP_MAX_CLIENTS,
	CFG_K_TCP_IO_TIMEOUT,
	CFG_K_TRANSFERS_OUT,
	CFG_K_UDP_WORKERS,
	CFG_K_EAL_ARGS,
	CFG_K_SRV_TARGET,
	CFG_K_LEGACY_CN_FALLBACK,
	CFG_K_CERT_PROBE_INTERVAL,
	CFG_K_WATCH,
	CFG_K_KEEP_ZONES,
	CFG_K_SERIAL_STATE,
	CFG_K_ZONE_MAX_SIZE,
	CFG_K_STATE_DIR,
	CFG_K_IXFR_MAX_SIZE,
	CFG_K_IXFR_MAX_DEPTH,
	CFG_K_RATE_LIMIT,
	CFG_K_RATE_LIMIT_SLIP,
	CFG_K_RATE_LIMIT_TABLE_SIZE,
	CFG_K_RATE_LIMIT_IPV4_PREFIX,
	CFG_K_RATE_LIMIT_IPV6_PREFIX,
	CFG_K_NOTIFY,
	CFG_K_KEY,
	CFG_K_KEY_FILE,
	CFG_K_PRIMARY,
	CFG_K_ALLOW_NOTIFY,
	CFG_K_DNSTAP,
	CFG_K_DNSTAP_LOG_QUERIES,
	CFG_K_DNSTAP_LOG_RESPONSES,
	CFG_K_USER,
	CFG_K_PID_FILE,
	CFG_K_NSID,
	CFG_K_COOKIES,
	CFG_K_COOKIE_SECRET,
	CFG_K_METRICS,
	CFG_K_DNSSEC,
	CFG_K_DNSSEC_SIGNING,
	CFG_K_DNSSEC_POLICY,
	CFG_K_DNSSEC_KEY_DIR,
	CFG_K_CATALOG,
	CFG_K_COUNT
};

_Static_assert(CFG_K_COUNT <= CFG_KEYS_MAX, "cfg_t.set_at has a slot for every key");

struct cfg_keydef {
	const char *name;   /* in the file; NULL: none (an action of the command line) */
	const char *option; /* on the command line, without "--"; NULL: none */
	bool repeatable;
	bool flag; /* on the command line it takes no value */
};

/* cfg_opts.c: every key, by enum cfg_key. */
extern const struct cfg_keydef cfg_keys[CFG_K_COUNT];

/* Where a setting comes from, so that messages name the key the way the user wrote it. */
struct cfg_src {
	bool cmdline;
	const char *basedir; /* for relative paths; NULL: the current directory */
	const char *name;    /* the file's name in messages; NULL on the command line */
	unsigned line;	     /* the line in it */
};

/* cfg_opts.c: the key named NAME in the file (or on the command line, without "--"), or -1. */
int cfg_find_key(const char *name, bool cmdline);

/* cfg_opts.c: applies one setting; messages start with KEY as the user wrote it. */
int cfg_apply(cfg_t *cfg, enum cfg_key k, const char *key, const char *value,
	      const struct cfg_src *src, char *err, size_t errlen);

/* cfg_val.c: appends ELEM (SIZE bytes) to the array *ARRAYP of *N; SANDNS_EOK or -ENOMEM. */
int cfg_push(void *arrayp, size_t *n, size_t size, const void *elem);
/* cfg_opts.c: appends a copy of S to the string array *ARRAY of *N. */
int cfg_push_str(char ***array, size_t *n, const char *s);

/* cfg_keys.c: `key NAME ALGORITHM SECRET`: a TSIG key; messages never quote the secret. */
int cfg_key_add(cfg_t *cfg, const char *key, const char *value, const struct cfg_src *src,
		char *err, size_t errlen);
/* cfg_keys.c: `key-file FILE`: the keys of a file in BIND's format (tsig-keygen). */
int cfg_key_file(cfg_t *cfg, const char *key, const char *value, const struct cfg_src *src,
		 char *err, size_t errlen);
/* cfg_keys.c: `allow-transfer|allow-notify PREFIX [key NAME]` appended to *ACL (*N). */
int cfg_acl_add(cfg_acl_t **acl, size_t *n, const char *key, const char *value,
		const struct cfg_src *src, char *err, size_t errlen);
/* cfg_keys.c: every key an ACL names is defined (cfg_check()); the ACLs point at them. */
int cfg_keys_check(cfg_t *cfg, char *err, size_t errlen);
/* cfg_keys.c: frees the keys (secrets wiped) and the ACLs. */
void cfg_keys_free(cfg_t *cfg);

/* cfg_val.c: where a setting was made, for its messages: "FILE:LINE", or KEY as given on the
 * command line ("--zone"), into BUF (LEN bytes); cfg_where_dup(): a new string (NULL without
 * memory). */
void cfg_where(const struct cfg_src *src, const char *key, char *buf, size_t len);
char *cfg_where_dup(const struct cfg_src *src, const char *key);

/* cfg_val.c: the message into err (ERRLEN bytes); returns SANDNS_ECONFIG. */
__attribute__((format(printf, 3, 4))) int cfg_fail(char *err, size_t errlen, const char *fmt, ...);

/*
 * cfg_val.c: adds the message to cfg->errors (the first CFG_ERRORS_MAX; the others are only
 * counted) and, when ERR is given and this is the first error since the public function called
 * began (CFG_ERRORS_BEGIN at its start), into ERR too. SANDNS_ECONFIG.
 */
#define CFG_ERRORS_BEGIN(cfg) ((cfg)->errors_mark = (cfg)->nerrors + (cfg)->nerrors_more)
__attribute__((format(printf, 4, 5))) int cfg_error(cfg_t *cfg, char *err, size_t errlen,
						    const char *fmt, ...);

/* cfg_val.c: PATH made absolute against BASEDIR or the current directory; the caller frees it. */
char *cfg_abs_path(const char *basedir, const char *path);

/* cfg_val.c: VALUE as a number in MIN..MAX for KEY; SANDNS_EOK or SANDNS_ECONFIG with err. */
int cfg_parse_uint(const char *key, const char *value, unsigned long min, unsigned long max,
		   unsigned long *out, char *err, size_t errlen);

/*
 * cfg_val.c: VALUE as a size in octets for KEY: a number with an optional suffix K, M, G or T
 * (powers of 1024, either case), within MIN..MAX octets.
 */
int cfg_parse_size(const char *key, const char *value, uint64_t min, uint64_t max, uint64_t *out,
		   char *err, size_t errlen);

/* cfg_val.c: VALUE as yes/true/on/1 or no/false/off/0 for KEY. */
int cfg_parse_bool(const char *key, const char *value, bool *out, char *err, size_t errlen);

/* cfg_log.c: `log-target stderr|syslog|FILE [level LEVEL]` and `log-level LEVEL`. */
int cfg_log_target(cfg_t *cfg, const char *key, const char *value, const struct cfg_src *src,
		   char *err, size_t errlen);
int cfg_log_level(cfg_t *cfg, const char *key, const char *value, char *err, size_t errlen);
void cfg_log_free(cfg_t *cfg);

/* cfg_sec.c: `primary ORIGIN ADDR[@PORT] [key NAME]` and `allow-notify PREFIX`. */
int cfg_set_primary(cfg_t *cfg, const char *key, const char *value, const struct cfg_src *src,
		    char *err, size_t errlen);
/* cfg_sec.c: each primary names a configured zone (which becomes a secondary zone); no key yet. */
int cfg_check_primaries(cfg_t *cfg, char *err, size_t errlen);
void cfg_free_primaries(cfg_t *cfg);

/* cfg_dnssec.c: `dnssec-policy NAME ...`; `dnssec ORIGIN nsec|nsec3` and `dnssec-signing ORIGIN
 * [policy NAME]` (K says which). */
int cfg_set_dnssec_policy(cfg_t *cfg, const char *key, const char *value, const struct cfg_src *src,
			  char *err, size_t errlen);
int cfg_set_signing(cfg_t *cfg, enum cfg_key k, const char *key, const char *value,
		    const struct cfg_src *src, char *err, size_t errlen);
/* cfg_dnssec.c: each signed zone is configured once, with a defined policy (params set). */
int cfg_check_dnssec(cfg_t *cfg, char *err, size_t errlen);
void cfg_free_dnssec(cfg_t *cfg);
/* cfg_dnssec.c: --check-config: the key files of each signed zone read and match (cfg->errors). */
int cfg_check_dnssec_files(cfg_t *cfg);
/* cfg_cat.c: `catalog ORIGIN consumer|producer`; its check (cfg_check); freeing. */
int cfg_set_catalog(cfg_t *cfg, const char *key, const char *value, const struct cfg_src *src,
		    char *err, size_t errlen);
int cfg_check_catalogs(cfg_t *cfg, char *err, size_t errlen);
void cfg_free_catalogs(cfg_t *cfg);

/* cfg_svc.c: `user USER[:GROUP]` (the account looked up now) and `pid-file FILE`. */
int cfg_set_user(cfg_t *cfg, const char *key, const char *value, char *err, size_t errlen);
int cfg_set_pid_file(cfg_t *cfg, const char *key, const char *value, const struct cfg_src *src,
		     char *err, size_t errlen);
/* cfg_svc.c: with --check-config, a certificate file that cannot be read (at its line). */
int cfg_check_cert_file(const char *key, const char *path, char *err, size_t errlen);

#endif
