/* SPDX-License-Identifier: BSD-3-Clause */
/* cfg_keys.c: the configuration's TSIG keys (key, key-file) and the access lists that name them */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "cfg_pvt.h"
#include "rfile.h"
#include "sandns_err.h"

/* A key file larger than this is not one. */
#define CFG_KEY_FILE_MAX (1u << 20)

/* Adds K (defined at WHERE) unless its name is taken: SANDNS_ECONFIG with the reason in err. */
static int cfg_key_push(cfg_t *cfg, tsig_key_t *k, const char *where, char *err, size_t errlen)
{
	char *w;

	for (size_t i = 0; i < cfg->nkeys; i++)
		if (tsig_key_find(&cfg->keys[i], 1, k->name) != NULL)
			return cfg_fail(err, errlen, "key %s is defined twice (first at %s)",
					k->text, cfg->key_where[i]);
	w = strdup(where);
	if (w == NULL || cfg_push(&cfg->keys, &cfg->nkeys, sizeof(*k), k) != SANDNS_EOK) {
		free(w);
		return cfg_fail(err, errlen, "out of memory");
	}
	if (cfg_push(&cfg->key_where, &(size_t){cfg->nkeys - 1}, sizeof(w), &w) != SANDNS_EOK) {
		cfg->nkeys--;
		free(w);
		return cfg_fail(err, errlen, "out of memory");
	}
	return SANDNS_EOK;
}

int cfg_key_add(cfg_t *cfg, const char *key, const char *value, const struct cfg_src *src,
		char *err, size_t errlen)
{
	char name[256], alg[64], where[128], reason[256];
	const char *p = value, *secret;
	size_t l;
	tsig_key_t k;
	int rc;

	l = strcspn(p, " \t");
	if (l == 0 || l >= sizeof(name))
		return cfg_fail(err, errlen, "%s: expected NAME ALGORITHM SECRET", key);
	memcpy(name, p, l);
	name[l] = '\0';
	p += l + strspn(p + l, " \t");
	l = strcspn(p, " \t");
	if (l == 0 || l >= sizeof(alg))
		return cfg_fail(err, errlen, "%s %s: expected NAME ALGORITHM SECRET", key, name);
	memcpy(alg, p, l);
	alg[l] = '\0';
	secret = p + l + strspn(p + l, " \t");
	if (*secret == '\0')
		return cfg_fail(err, errlen, "%s %s: the secret is missing (NAME ALGORITHM SECRET)",
				key, name);
	if (secret[strcspn(secret, " \t")] != '\0')
		return cfg_fail(err, errlen, "%s %s: the secret is not valid base64", key, name);
	if (tsig_key_init(&k, name, alg, secret, reason, sizeof(reason)) != 0)
		return cfg_fail(err, errlen, "%s: %s", key, reason);
	cfg_where(src, key, where, sizeof(where));
	rc = cfg_key_push(cfg, &k, where, reason, sizeof(reason));
	OPENSSL_cleanse(&k, sizeof(k));
	if (rc != SANDNS_EOK)
		return cfg_fail(err, errlen, "%s: %s", key, reason);
	return SANDNS_EOK;
}

/* ---- key-file: BIND's `key "NAME" { algorithm ALG; secret "BASE64"; };` ---- */

struct kf {
	const char *p;
	unsigned line;
	char tok[512];
	bool quoted;
};

/* The next token into kf->tok: a word, a quoted string, or one of { } ;. False at the end. */
static bool kf_next(struct kf *f)
{
	size_t n = 0;

	for (;;) {
		while (isspace((unsigned char)*f->p)) {
			if (*f->p == '\n')
				f->line++;
			f->p++;
		}
		if (*f->p == '#' || (f->p[0] == '/' && f->p[1] == '/')) {
			f->p += strcspn(f->p, "\n");
			continue;
		}
		if (f->p[0] == '/' && f->p[1] == '*') {
			for (f->p += 2; *f->p != '\0' && !(f->p[0] == '*' && f->p[1] == '/');
			     f->p++)
				if (*f->p == '\n')
					f->line++;
			if (*f->p != '\0')
				f->p += 2;
			continue;
		}
		break;
	}
	f->quoted = false;
	if (*f->p == '\0')
		return false;
	if (strchr("{};", *f->p) != NULL) {
		f->tok[0] = *f->p++;
		f->tok[1] = '\0';
		return true;
	}
	if (*f->p == '"') {
		f->quoted = true;
		for (f->p++; *f->p != '"' && *f->p != '\0' && *f->p != '\n'; f->p++)
			if (n + 1 < sizeof(f->tok))
				f->tok[n++] = *f->p;
		if (*f->p == '"')
			f->p++;
	} else {
		while (*f->p != '\0' && !isspace((unsigned char)*f->p) &&
		       strchr("{};\"", *f->p) == NULL) {
			if (n + 1 < sizeof(f->tok))
				f->tok[n++] = *f->p;
			f->p++;
		}
	}
	f->tok[n] = '\0';
	return true;
}

/* The next token must be TOK; else the reason into err. */
static int kf_expect(struct kf *f, const char *tok, const char *path, char *err, size_t errlen)
{
	if (!kf_next(f))
		return cfg_fail(err, errlen, "%s:%u: '%s' expected, the file ends", path, f->line,
				tok);
	if (f->quoted || strcmp(f->tok, tok) != 0)
		return cfg_fail(err, errlen, "%s:%u: '%s' expected", path, f->line, tok);
	return SANDNS_EOK;
}

/* One `key "NAME" { ... };` after its `key`. */
static int kf_key(cfg_t *cfg, struct kf *f, const char *path, char *err, size_t errlen)
{
	char name[256], alg[64] = "", reason[256], where[4200];
	char *secret = NULL;
	unsigned start = f->line, alg_line = 0;
	tsig_key_t k;
	int rc;

	if (!kf_next(f) || (!f->quoted && strchr("{};", f->tok[0]) != NULL) ||
	    strlen(f->tok) >= sizeof(name))
		return cfg_fail(err, errlen, "%s:%u: a key name is expected after 'key'", path,
				f->line);
	snprintf(name, sizeof(name), "%s", f->tok);
	if (kf_expect(f, "{", path, err, errlen) != SANDNS_EOK)
		return SANDNS_ECONFIG;
	for (;;) {
		char what[16];

		if (!kf_next(f)) {
			rc = cfg_fail(err, errlen, "%s:%u: key %s is not closed with '};'", path,
				      f->line, name);
			goto out;
		}
		if (!f->quoted && strcmp(f->tok, "}") == 0)
			break;
		snprintf(what, sizeof(what), "%s", f->tok);
		if (strcmp(what, "algorithm") != 0 && strcmp(what, "secret") != 0) {
			rc = cfg_fail(err, errlen,
				      "%s:%u: key %s: unknown statement '%s' (algorithm or secret)",
				      path, f->line, name, what);
			goto out;
		}
		if (!kf_next(f) || (!f->quoted && strchr("{};", f->tok[0]) != NULL)) {
			rc = cfg_fail(err, errlen, "%s:%u: key %s: '%s' needs a value", path,
				      f->line, name, what);
			goto out;
		}
		if (strcmp(what, "algorithm") == 0) {
			snprintf(alg, sizeof(alg), "%s", f->tok);
			alg_line = f->line;
			if (tsig_alg_parse(alg) < 0) {
				rc = cfg_fail(err, errlen,
					      "%s:%u: key %s: unknown algorithm '%s' (hmac-sha1, "
					      "hmac-sha256, hmac-sha384 or hmac-sha512)",
					      path, f->line, name, alg);
				goto out;
			}
		} else {
			free(secret);
			secret = strdup(f->tok);
			OPENSSL_cleanse(f->tok, sizeof(f->tok));
			if (secret == NULL) {
				rc = cfg_fail(err, errlen, "%s: out of memory", path);
				goto out;
			}
		}
		if (kf_expect(f, ";", path, err, errlen) != SANDNS_EOK) {
			rc = SANDNS_ECONFIG;
			goto out;
		}
	}
	if (kf_expect(f, ";", path, err, errlen) != SANDNS_EOK) {
		rc = SANDNS_ECONFIG;
		goto out;
	}
	if (alg[0] == '\0' || secret == NULL) {
		rc = cfg_fail(err, errlen, "%s:%u: key %s has no %s", path, start, name,
			      alg[0] == '\0' ? "algorithm" : "secret");
		goto out;
	}
	(void)alg_line;
	if (tsig_key_init(&k, name, alg, secret, reason, sizeof(reason)) != 0) {
		rc = cfg_fail(err, errlen, "%s:%u: %s", path, start, reason);
		goto out;
	}
	snprintf(where, sizeof(where), "%s:%u", path, start);
	rc = cfg_key_push(cfg, &k, where, reason, sizeof(reason));
	OPENSSL_cleanse(&k, sizeof(k));
	if (rc != SANDNS_EOK)
		cfg_fail(err, errlen, "%s:%u: %s", path, start, reason);
out:
	if (secret != NULL) {
		OPENSSL_cleanse(secret, strlen(secret));
		free(secret);
	}
	return rc;
}

int cfg_key_file(cfg_t *cfg, const char *key, const char *value, const struct cfg_src *src,
		 char *err, size_t errlen)
{
	char reason[4400];
	char *path, *text;
	struct kf f;
	ssize_t got;
	size_t len = 0;
	int fd, rc = SANDNS_EOK;

	path = cfg_abs_path(src->basedir, value);
	if (path == NULL)
		return cfg_fail(err, errlen, "%s: out of memory", key);
	fd = rfile_open("", path, O_RDONLY, 0, CFG_KEY_FILE_MAX, reason, sizeof(reason));
	if (fd < 0) {
		rc = cfg_fail(err, errlen, "%s %s", key, reason);
		free(path);
		return rc;
	}
	text = malloc(CFG_KEY_FILE_MAX + 1);
	if (text == NULL) {
		close(fd);
		free(path);
		return cfg_fail(err, errlen, "%s: out of memory", key);
	}
	while (len < CFG_KEY_FILE_MAX &&
	       (got = read(fd, text + len, CFG_KEY_FILE_MAX - len)) != 0) {
		if (got < 0) {
			if (errno == EINTR)
				continue;
			rc = cfg_fail(err, errlen, "%s %s: cannot read: %s", key, path,
				      strerror(errno));
			break;
		}
		len += (size_t)got;
	}
	close(fd);
	text[len] = '\0';
	if (rc == SANDNS_EOK && memchr(text, '\0', len) != NULL)
		rc = cfg_fail(err, errlen, "%s %s: not a text file", key, path);

	f.p = text;
	f.line = 1;
	while (rc == SANDNS_EOK && kf_next(&f)) {
		if (f.quoted || strcmp(f.tok, "key") != 0)
			rc = cfg_fail(reason, sizeof(reason), "%s:%u: 'key' expected, not '%s'",
				      path, f.line, f.tok);
		else
			rc = kf_key(cfg, &f, path, reason, sizeof(reason));
		if (rc != SANDNS_EOK)
			cfg_fail(err, errlen, "%s %s", key, reason);
	}
	OPENSSL_cleanse(text, len);
	free(text);
	free(path);
	return rc;
}

/* ---- access lists ---- */

int cfg_acl_add(cfg_acl_t **acl, size_t *n, const char *key, const char *value,
		const struct cfg_src *src, char *err, size_t errlen)
{
	char prefix[CFG_ADDR_TEXT + 8], reason[256];
	size_t l = strcspn(value, " \t");
	const char *rest = value + l + strspn(value + l, " \t");
	cfg_acl_t a;

	memset(&a, 0, sizeof(a));
	a.key_idx = -1;
	if (l >= sizeof(prefix))
		return cfg_fail(err, errlen, "%s: '%.*s' is not an address prefix", key,
				(int)sizeof(prefix), value);
	memcpy(prefix, value, l);
	prefix[l] = '\0';
	if (cfg_parse_prefix(prefix, &a.prefix, reason, sizeof(reason)) != SANDNS_EOK)
		return cfg_fail(err, errlen, "%s: %s", key, reason);
	if (*rest != '\0') {
		size_t kl;

		if (strncmp(rest, "key", 3) != 0 || (rest[3] != ' ' && rest[3] != '\t'))
			return cfg_fail(err, errlen, "%s: expected PREFIX [key NAME], not '%s'",
					key, value);
		rest += 3 + strspn(rest + 3, " \t");
		kl = strcspn(rest, " \t");
		if (kl == 0 || rest[kl] != '\0' || kl >= sizeof(a.key))
			return cfg_fail(err, errlen, "%s: expected PREFIX [key NAME], not '%s'",
					key, value);
		memcpy(a.key, rest, kl);
	}
	cfg_where(src, key, a.where, sizeof(a.where));
	if (cfg_push(acl, n, sizeof(a), &a) != SANDNS_EOK)
		return cfg_fail(err, errlen, "%s: out of memory", key);
	return SANDNS_EOK;
}

/* Points the entries of ACL (N) at their keys; WHAT names the list in messages. */
static int cfg_acl_resolve(const cfg_t *cfg, cfg_acl_t *acl, size_t n, const char *what, char *err,
			   size_t errlen)
{
	for (size_t i = 0; i < n; i++) {
		const tsig_key_t *k;

		if (acl[i].key[0] == '\0')
			continue;
		k = cfg_key_find(cfg, acl[i].key);
		if (k == NULL)
			return cfg_fail(err, errlen,
					"%s: %s %s: key %s is not defined (add a key or key-file "
					"line)",
					acl[i].where, what, acl[i].prefix.text, acl[i].key);
		acl[i].key_idx = (int)(k - cfg->keys);
	}
	return SANDNS_EOK;
}

int cfg_keys_check(cfg_t *cfg, char *err, size_t errlen)
{
	if (cfg_acl_resolve(cfg, cfg->xfr_acl, cfg->nxfr_acl, "allow-transfer", err, errlen) !=
	    SANDNS_EOK)
		return SANDNS_ECONFIG;
	return cfg_acl_resolve(cfg, cfg->notify_acl, cfg->nnotify_acl, "allow-notify", err, errlen);
}

void cfg_keys_free(cfg_t *cfg)
{
	if (cfg->keys != NULL)
		OPENSSL_cleanse(cfg->keys, cfg->nkeys * sizeof(cfg->keys[0]));
	free(cfg->keys);
	for (size_t i = 0; i < cfg->nkeys; i++)
		free(cfg->key_where[i]);
	free(cfg->key_where);
	free(cfg->xfr_acl);
	free(cfg->notify_acl);
}

const tsig_key_t *cfg_key_find(const cfg_t *cfg, const char *name)
{
	return tsig_key_find_text(cfg->keys, cfg->nkeys, name);
}

static bool cfg_acl_allows(const cfg_t *cfg, const cfg_acl_t *acl, size_t n,
			   const struct sockaddr *sa, const tsig_key_t *key)
{
	for (size_t i = 0; i < n; i++) {
		if (!cfg_prefix_match(&acl[i].prefix, sa))
			continue;
		if (acl[i].key_idx < 0 || (key != NULL && key == &cfg->keys[acl[i].key_idx]))
			return true;
	}
	return false;
}

bool cfg_xfr_allowed(const cfg_t *cfg, const struct sockaddr *sa, const tsig_key_t *key)
{
	return cfg_acl_allows(cfg, cfg->xfr_acl, cfg->nxfr_acl, sa, key);
}

bool cfg_notify_allowed(const cfg_t *cfg, const struct sockaddr *sa, const tsig_key_t *key)
{
	return cfg_acl_allows(cfg, cfg->notify_acl, cfg->nnotify_acl, sa, key);
}
