/* SPDX-License-Identifier: BSD-3-Clause */
/* sign_keys.c: a signed zone's keys: BIND K*.key/.private pairs read, checked and made */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <ldns/ldns.h>

#include "fnv.h"
#include "rfile.h"
#include "sign_pvt.h"
#include "sigtime.h"
#include "zload_ldnsfix.h"

struct sign_keys {
	ldns_key_list *list;
	ldns_rr *dnskey[SIGN_KEYS_MAX]; /* each key's public half */
	char *file[SIGN_KEYS_MAX];	/* its .private file */
	size_t n;
	bool made_ksk; /* sign_keys_load() made a key-signing key: none of the policy's was there */
};

uint8_t sign_alg_parse(const char *name)
{
	if (strcasecmp(name, "ecdsap256sha256") == 0 || strcmp(name, "13") == 0)
		return SIGN_ALG_ECDSAP256SHA256;
	if (strcasecmp(name, "ed25519") == 0 || strcmp(name, "15") == 0)
		return SIGN_ALG_ED25519;
	return 0;
}

const char *sign_alg_name(uint8_t alg)
{
	return alg == SIGN_ALG_ED25519 ? "ed25519" : "ecdsap256sha256";
}

void sign_keys_free(sign_keys_t **keys)
{
	sign_keys_t *k = *keys;

	if (k == NULL)
		return;
	if (k->list != NULL)
		ldns_key_list_free(k->list); /* frees the keys too */
	for (size_t i = 0; i < k->n; i++) {
		ldns_rr_free(k->dnskey[i]);
		free(k->file[i]);
	}
	free(k);
	*keys = NULL;
}

EVP_PKEY *sign_key_pkey(const sign_keys_t *keys, size_t i)
{
	return ldns_key_evp_key(ldns_key_list_key(keys->list, i));
}

size_t sign_key_rdata(const sign_keys_t *keys, size_t i, uint8_t *out)
{
	size_t len = 0;

	for (size_t f = 0; f < ldns_rr_rd_count(keys->dnskey[i]); f++) {
		const ldns_rdf *rdf = ldns_rr_rdf(keys->dnskey[i], f);

		if (len + ldns_rdf_size(rdf) > 1024)
			break;
		memcpy(out + len, ldns_rdf_data(rdf), ldns_rdf_size(rdf));
		len += ldns_rdf_size(rdf);
	}
	return len;
}

size_t sign_keys_count(const sign_keys_t *keys)
{
	return keys != NULL ? keys->n : 0;
}

/* RR in presentation form on one line, without ldns's comment, tabs as spaces. */
static char *rr_text(const ldns_rr *rr)
{
	char *s = ldns_rr2str_fmt(ldns_output_format_nocomments, rr);
	size_t len = s != NULL ? strlen(s) : 0;

	while (len > 0 && (s[len - 1] == '\n' || s[len - 1] == ' '))
		s[--len] = '\0';
	for (size_t i = 0; i < len; i++)
		if (s[i] == '\t')
			s[i] = ' ';
	return s;
}

char *sign_key_dnskey(const sign_keys_t *keys, size_t i)
{
	return rr_text(keys->dnskey[i]);
}

char *sign_key_ds(const sign_keys_t *keys, size_t i)
{
	ldns_rr *ds = ldns_key_rr2ds(keys->dnskey[i], LDNS_SHA256);
	char *s = ds != NULL ? rr_text(ds) : NULL;

	ldns_rr_free(ds);
	return s;
}

uint16_t sign_key_tag(const sign_keys_t *keys, size_t i)
{
	return ldns_calc_keytag(keys->dnskey[i]);
}

uint16_t sign_key_flags(const sign_keys_t *keys, size_t i)
{
	return ldns_rdf2native_int16(ldns_rr_rdf(keys->dnskey[i], 0));
}

uint8_t sign_key_algorithm(const sign_keys_t *keys, size_t i)
{
	return ldns_rdf2native_int8(ldns_rr_rdf(keys->dnskey[i], 2));
}

bool sign_keys_made_ksk(const sign_keys_t *keys)
{
	return keys->made_ksk;
}

const char *sign_key_file(const sign_keys_t *keys, size_t i)
{
	return keys->file[i];
}

uint64_t sign_keys_hash(const sign_keys_t *keys)
{
	uint64_t h = FNV_START;

	for (size_t i = 0; keys != NULL && i < keys->n; i++) {
		const ldns_rdf *pub = ldns_rr_rdf(keys->dnskey[i], 3);
		uint16_t flags = sign_key_flags(keys, i);

		h = fnv_byte(fnv_byte(h, (uint8_t)(flags >> 8)), (uint8_t)flags);
		h = fnv_bytes(h, ldns_rdf_data(pub), ldns_rdf_size(pub));
	}
	return h;
}

/* A .key file holds a record or two and comments, a .private a few fields: more is not one. */
#define KEY_FILE_MAX 65536
/* read_dnskey(), load_pair(): the .key holds a DNSKEY of another zone. */
#define KEY_OTHER_ZONE (-2)

/*
 * The first DNSKEY record of the .key file PATH into *RR; 0 or the reason in err. Read as a
 * zone file's records are (zload_ldnsfix.h): ldns alone takes an owner that starts with "@"
 * for the origin, the zone, and a key of "@other.example." would pass for its. KEY_OTHER_ZONE
 * when it is a DNSKEY of another zone.
 */
static int read_dnskey(const char *path, ldns_rdf *origin, ldns_rr **rr, char *err, size_t errlen)
{
	ldns_rdf *prev = NULL, *orig = ldns_rdf_clone(origin);
	uint32_t ttl = 3600;
	int line = 0, ret = -1, fd = rfile_open("", path, O_RDONLY, 0, KEY_FILE_MAX, err, errlen);
	ldns_status st = LDNS_STATUS_SYNTAX_EMPTY;
	char *text = NULL, *copy = NULL;
	size_t len = 0;
	FILE *f = NULL;

	*rr = NULL;
	if (fd < 0 || orig == NULL || rfile_read(fd, KEY_FILE_MAX, &text, &len) != 0 ||
	    (copy = malloc(len + 1)) == NULL) {
		if (fd >= 0)
			snprintf(err, errlen, "%s: cannot read it", path);
		goto fail;
	}
	/* ldns reads the copy, its misread owners hidden; they are read again from TEXT. */
	memcpy(copy, text, len);
	zload_owners_hide(copy, len);
	f = len > 0 ? fmemopen(copy, len, "r") : NULL;
	while (f != NULL && !feof(f)) {
		long at = ftell(f), end;

		st = ldns_rr_new_frm_fp_l(rr, f, &ttl, &orig, &prev, &line);
		end = ftell(f);
		if (st == LDNS_STATUS_OK && at >= 0 && end > at &&
		    zload_names_fix(*rr, text + at, (size_t)(end - at), orig, &prev) != 0)
			st = LDNS_STATUS_SYNTAX_DNAME_ERR;
		if (st == LDNS_STATUS_OK ||
		    (st != LDNS_STATUS_SYNTAX_EMPTY && st != LDNS_STATUS_SYNTAX_TTL &&
		     st != LDNS_STATUS_SYNTAX_ORIGIN))
			break;
	}
	if (f != NULL)
		fclose(f);
	if (st != LDNS_STATUS_OK || *rr == NULL) {
		snprintf(err, errlen, "%s:%d: no DNSKEY record (%s)", path, line,
			 st == LDNS_STATUS_OK ? "empty" : ldns_get_errorstr_by_id(st));
		goto fail;
	}
	if (ldns_rr_get_type(*rr) != LDNS_RR_TYPE_DNSKEY ||
	    ldns_dname_compare(ldns_rr_owner(*rr), origin) != 0) {
		snprintf(err, errlen, "%s: not a DNSKEY record of the zone", path);
		ret = ldns_rr_get_type(*rr) == LDNS_RR_TYPE_DNSKEY ? KEY_OTHER_ZONE : -1;
		goto fail;
	}
	ldns_rdf_deep_free(orig);
	ldns_rdf_deep_free(prev);
	free(text);
	free(copy);
	close(fd);
	return 0;
fail:
	ldns_rr_free(*rr);
	*rr = NULL;
	ldns_rdf_deep_free(orig);
	ldns_rdf_deep_free(prev);
	free(text);
	free(copy);
	if (fd >= 0)
		close(fd);
	return ret;
}

/*
 * BIND's timing metadata in a .private's TEXT (LEN octets, "Inactive: 20210101000000", UTC):
 * sandns does no rollovers and signs with every key it reads, so a key BIND would not use at
 * NOW (published or active from a time to come, retired, revoked or deleted already: a
 * successor made ahead, a predecessor kept) is refused, naming PRIV and the date, rather than
 * published and signing. 0, or -1 with err.
 */
static int key_timing(const char *text, size_t len, const char *priv, int64_t now, char *err,
		      size_t errlen)
{
	static const struct {
		const char *field;
		bool future; /* in the future (else: in the past) the key is not in use */
	} fields[] = {{"Publish", true},
		      {"Activate", true},
		      {"Inactive", false},
		      {"Revoke", false},
		      {"Delete", false}};

	for (size_t at = 0; at < len;) {
		const char *line = text + at, *nl = memchr(line, '\n', len - at);
		size_t n = nl != NULL ? (size_t)(nl - line) : len - at;

		at += n + 1;
		for (size_t f = 0; f < sizeof(fields) / sizeof(fields[0]); f++) {
			size_t flen = strlen(fields[f].field);
			struct tm tm = {0};
			char date[15];
			int64_t when;

			if (n < flen + 2 || strncmp(line, fields[f].field, flen) != 0 ||
			    line[flen] != ':')
				continue;
			if (sscanf(line + flen + 1, " %14[0-9]", date) != 1 || strlen(date) != 14 ||
			    sscanf(date, "%4d%2d%2d%2d%2d%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
				   &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6) {
				snprintf(err, errlen, "%s: %.*s: not a date (YYYYMMDDHHMMSS)", priv,
					 (int)(n < 80 ? n : 80), line);
				return -1;
			}
			tm.tm_year -= 1900;
			tm.tm_mon -= 1;
			when = (int64_t)timegm(&tm);
			if (fields[f].future ? when > now : when <= now) {
				snprintf(
				    err, errlen,
				    "%s: %s %s (BIND's timing): the key is not in use %s; sandns "
				    "does no rollovers (move the key out of the directory, or "
				    "drop the line)",
				    priv, fields[f].field, date,
				    fields[f].future ? "yet" : "any more");
				return -1;
			}
		}
	}
	return 0;
}

/*
 * Key BASE (BASE.private and BASE.key) into KEYS; 0, or the reason (naming the file) in err and
 * -1 or KEY_OTHER_ZONE.
 */
static int load_pair(sign_keys_t *keys, const char *base, ldns_rdf *origin, uint8_t alg, char *err,
		     size_t errlen)
{
	char priv[4096], pub[4096];
	ldns_key *k = NULL;
	ldns_rr *rr = NULL, *mine = NULL;
	int line = 0, rc, fd, rd, timing;
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	ldns_status st;

	if (keys->n == SIGN_KEYS_MAX) {
		snprintf(err, errlen, "%s: more than %d keys for the zone", base, SIGN_KEYS_MAX);
		return -1;
	}
	snprintf(priv, sizeof(priv), "%s.private", base);
	snprintf(pub, sizeof(pub), "%s.key", base);
	/*
	 * Read as the .key is, a regular file of at most KEY_FILE_MAX octets: fopen() would wait
	 * for ever on a FIFO there, and ldns reads /dev/zero or a huge file to no end, holding
	 * the thread that loads the keys (the reload thread; `zone-keys`, the control thread).
	 */
	fd = rfile_open("", priv, O_RDONLY, 0, KEY_FILE_MAX, err, errlen);
	if (fd < 0)
		return -1;
	rd = rfile_read(fd, KEY_FILE_MAX, &text, &len);
	close(fd);
	if (rd != 0) {
		snprintf(err, errlen, "%s: cannot read it: %s", priv,
			 rd == -EFBIG ? "over the bound on a key file" : strerror(-rd));
		return -1;
	}
	f = len > 0 ? fmemopen(text, len, "r") : NULL;
	st = f != NULL ? ldns_key_new_frm_fp_l(&k, f, &line) : LDNS_STATUS_SYNTAX_EMPTY;
	if (f != NULL)
		fclose(f);
	timing = st == LDNS_STATUS_OK ? key_timing(text, len, priv, sigtime_now(), err, errlen) : 0;
	explicit_bzero(text, len);
	free(text);
	if (timing != 0) {
		ldns_key_deep_free(k);
		return -1;
	}
	if (st != LDNS_STATUS_OK) {
		snprintf(err, errlen, "%s:%d: not a private key: %s", priv, line,
			 ldns_get_errorstr_by_id(st));
		return -1;
	}
	if ((uint8_t)ldns_key_algorithm(k) != alg) {
		snprintf(err, errlen, "%s: algorithm %u, not the policy's %u", priv,
			 (unsigned)ldns_key_algorithm(k), (unsigned)alg);
		ldns_key_deep_free(k);
		return -1;
	}
	rc = read_dnskey(pub, origin, &rr, err, errlen);
	if (rc != 0) {
		ldns_key_deep_free(k);
		return rc;
	}
	ldns_key_set_flags(k, ldns_rdf2native_int16(ldns_rr_rdf(rr, 0)));
	ldns_key_set_pubkey_owner(k, ldns_rdf_clone(origin));
	mine = ldns_key2rr(k);
	/* The .key must be the .private's public half: same algorithm and key data. */
	if (mine == NULL || ldns_rdf_compare(ldns_rr_rdf(rr, 2), ldns_rr_rdf(mine, 2)) != 0 ||
	    ldns_rdf_compare(ldns_rr_rdf(rr, 3), ldns_rr_rdf(mine, 3)) != 0) {
		snprintf(err, errlen, "%s: its public key is not that of %s (mismatched key files)",
			 pub, priv);
		ldns_rr_free(mine);
		ldns_rr_free(rr);
		ldns_key_deep_free(k);
		return -1;
	}
	ldns_rr_free(mine);
	/*
	 * A copy of a key read already (under another tag's name, or the zone spelt another
	 * way): its DNSKEY twice in the RRset signed, which a validator (and the snapshot) keeps
	 * once, so the DNSKEY RRset's signatures, and with them the whole zone, would not verify.
	 */
	for (size_t i = 0; i < keys->n; i++) {
		if (ldns_rdf_compare(ldns_rr_rdf(rr, 3), ldns_rr_rdf(keys->dnskey[i], 3)) != 0)
			continue;
		snprintf(err, errlen,
			 "%s: the same key as %s (a copy: move one out of the directory)", priv,
			 keys->file[i]);
		ldns_rr_free(rr);
		ldns_key_deep_free(k);
		return -1;
	}
	ldns_key_set_keytag(k, ldns_calc_keytag(rr));
	keys->file[keys->n] = strdup(priv);
	if (keys->file[keys->n] == NULL || !ldns_key_list_push_key(keys->list, k)) {
		snprintf(err, errlen, "%s: out of memory", priv);
		free(keys->file[keys->n]);
		ldns_rr_free(rr);
		ldns_key_deep_free(k);
		return -1;
	}
	keys->dnskey[keys->n++] = rr;
	return 0;
}

/* Writes TEXT to PATH, a new file of MODE (never over one): 0 or the reason in err. */
static int write_new(const char *path, const char *text, mode_t mode, char *err, size_t errlen)
{
	size_t len = strlen(text);
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
	bool ok;

	if (fd < 0) {
		snprintf(err, errlen, "%s: cannot create it: %s", path, strerror(errno));
		return -1;
	}
	ok = write(fd, text, len) == (ssize_t)len && fsync(fd) == 0;
	ok = close(fd) == 0 && ok;
	if (!ok) {
		snprintf(err, errlen, "%s: cannot write it: %s", path, strerror(errno));
		unlink(path);
		return -1;
	}
	return 0;
}

/* Makes a key of FLAGS in DIR for ORIGIN (TEXT: "example.com."), written and added to KEYS. */
static int make_key(sign_keys_t *keys, const char *dir, const char *text, ldns_rdf *origin,
		    uint8_t alg, uint16_t flags, char *err, size_t errlen)
{
	char base[4096], pub[4200], *pubtext = NULL, *privtext = NULL;
	ldns_key *k = ldns_key_new_frm_algorithm((ldns_signing_algorithm)alg, 256);
	ldns_buffer *buf = ldns_buffer_new(1024);
	ldns_rr *rr = NULL;
	struct stat st;
	int rc = -1;

	if (k == NULL || buf == NULL) {
		snprintf(err, errlen, "%s: cannot make a key of algorithm %u for %s", dir,
			 (unsigned)alg, text);
		goto out;
	}
	ldns_key_set_flags(k, flags);
	ldns_key_set_pubkey_owner(k, ldns_rdf_clone(origin));
	rr = ldns_key2rr(k);
	if (rr == NULL)
		goto nomem;
	ldns_key_set_keytag(k, ldns_calc_keytag(rr));
	snprintf(base, sizeof(base), "%s/K%s+%03u+%05u", dir, text, (unsigned)alg,
		 (unsigned)ldns_calc_keytag(rr));
	snprintf(pub, sizeof(pub), "%s.key", base);
	if (stat(pub, &st) == 0) {
		snprintf(err, errlen, "%s: exists already (a key tag taken): try again", pub);
		goto out;
	}
	if (ldns_key2buffer_str(buf, k) != LDNS_STATUS_OK ||
	    (privtext = ldns_buffer_export2str(buf)) == NULL)
		goto nomem;
	if (asprintf(&pubtext, "; This is a %s key, keyid %u, for %s (made by sandns)\n",
		     flags & LDNS_KEY_SEP_KEY ? "key-signing" : "zone-signing",
		     (unsigned)ldns_calc_keytag(rr), text) < 0) {
		pubtext = NULL;
		goto nomem;
	}
	{
		char *line = rr_text(rr), *all = NULL;

		if (line == NULL || asprintf(&all, "%s%s\n", pubtext, line) < 0) {
			free(line);
			goto nomem;
		}
		free(line);
		free(pubtext);
		pubtext = all;
	}
	/* The private half first: a .key alone would be a key that cannot sign. */
	snprintf(pub, sizeof(pub), "%s.private", base);
	if (write_new(pub, privtext, 0600, err, errlen) != 0)
		goto out;
	snprintf(pub, sizeof(pub), "%s.key", base);
	if (write_new(pub, pubtext, 0644, err, errlen) != 0) {
		/* Ours, just made: left alone it would be a key without its .key, refused at
		 * every build after (a disk full once would stop the zone for good). */
		snprintf(pub, sizeof(pub), "%s.private", base);
		unlink(pub);
		goto out;
	}
	snprintf(pub, sizeof(pub), "%s.private", base);
	keys->file[keys->n] = strdup(pub);
	if (keys->file[keys->n] == NULL || !ldns_key_list_push_key(keys->list, k))
		goto nomem;
	keys->dnskey[keys->n++] = rr;
	rr = NULL;
	k = NULL;
	rc = 0;
	goto out;
nomem:
	snprintf(err, errlen, "%s: out of memory making a key for %s", dir, text);
out:
	if (privtext != NULL) {
		explicit_bzero(privtext, strlen(privtext));
		free(privtext);
	}
	free(pubtext);
	ldns_buffer_free(buf);
	ldns_rr_free(rr);
	if (k != NULL)
		ldns_key_deep_free(k);
	return rc;
}

/*
 * A key's base (DIR/K<ORIGIN>+<ALG>+<TAG>); OTHER: its file name spells the zone otherwise
 * than the configuration does (as dnssec-keygen or ldns-keygen do, spell_bind(), spell_ldns()).
 */
struct key_base {
	char *path;
	bool other;
};

static int cmp_base(const void *a, const void *b)
{
	return strcmp(((const struct key_base *)a)->path, ((const struct key_base *)b)->path);
}

/*
 * NAME as dnssec-keygen writes it in a key's file name, into OUT (LEN octets): each label in
 * lower case, an octet other than a letter, a digit, '-' or '_' as %XX, a dot after each ("."
 * for the root). "a\.b.example." is "a%2Eb.example.": the configured text is not it.
 */
static void spell_bind(const ldns_rdf *name, char *out, size_t len)
{
	const uint8_t *w = ldns_rdf_data(name);
	size_t o = 0;

	if (len < 2)
		return;
	snprintf(out, len, ".");
	for (size_t i = 0; i < ldns_rdf_size(name) && w[i] != 0; i += (size_t)w[i] + 1) {
		for (size_t k = 1; k <= w[i] && o + 4 < len; k++) {
			uint8_t c = w[i + k];

			if (c >= 'A' && c <= 'Z')
				c = (uint8_t)(c - 'A' + 'a');
			if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
			    c == '_')
				out[o++] = (char)c;
			else
				o += (size_t)snprintf(out + o, len - o, "%%%02X", c);
		}
		if (o + 2 < len)
			out[o++] = '.';
		out[o] = '\0';
	}
}

/*
 * NAME as ldns-keygen writes it in a key's file name (ldns's presentation form: '@' and '"'
 * bare, which the configuration escapes), into OUT (LEN octets).
 */
static void spell_ldns(const ldns_rdf *name, char *out, size_t len)
{
	char *s = ldns_rdf2str(name);

	snprintf(out, len, "%s", s != NULL ? s : "");
	free(s);
}

/*
 * The bases of the key files in DIR whose names start with one of the N PREFIXES, sorted (a
 * file that the first matches is not OTHER); -1 with err.
 */
static int list_bases(const char *dir, const char *const *prefixes, size_t nprefixes,
		      struct key_base **out, size_t *n, char *err, size_t errlen)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	*out = NULL;
	*n = 0;
	if (d == NULL) {
		snprintf(err, errlen, "key directory %s: %s", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name), stem, which = 0;
		struct key_base *grown;
		char *base;
		bool dup = false;

		while (which < nprefixes &&
		       strncasecmp(de->d_name, prefixes[which], strlen(prefixes[which])) != 0)
			which++;
		if (which == nprefixes)
			continue;
		if (len > 8 && strcmp(de->d_name + len - 8, ".private") == 0)
			stem = len - 8;
		else if (len > 4 && strcmp(de->d_name + len - 4, ".key") == 0)
			stem = len - 4;
		else
			continue;
		for (size_t i = 0; i < *n && !dup; i++)
			dup = strlen((*out)[i].path) == strlen(dir) + 1 + stem &&
			      strncmp((*out)[i].path + strlen(dir) + 1, de->d_name, stem) == 0;
		if (dup)
			continue;
		grown = realloc(*out, (*n + 1) * sizeof(*grown));
		if (grown == NULL || asprintf(&base, "%s/%.*s", dir, (int)stem, de->d_name) < 0) {
			if (grown != NULL)
				*out = grown;
			closedir(d);
			snprintf(err, errlen, "key directory %s: out of memory", dir);
			return -1;
		}
		*out = grown;
		(*out)[*n].path = base;
		(*out)[(*n)++].other = which > 0;
	}
	closedir(d);
	if (*n > 1)
		qsort(*out, *n, sizeof(**out), cmp_base);
	return 0;
}

sign_keys_t *sign_keys_load(const char *dir, const char *origin, const sign_params_t *p,
			    bool create, bool *made, char *err, size_t errlen)
{
	sign_keys_t *keys = calloc(1, sizeof(*keys));
	ldns_rdf *name = NULL;
	char text[300], spelt[2][1024], prefix[3][1100];
	const char *const prefixes[3] = {prefix[0], prefix[1], prefix[2]};
	struct key_base *bases = NULL;
	size_t nbases = 0, len = strlen(origin);
	bool ksk = false, zsk = false;
	int rc = -1;

	if (made != NULL)
		*made = false;
	if (keys == NULL || (keys->list = ldns_key_list_new()) == NULL) {
		snprintf(err, errlen, "%s: out of memory", origin);
		goto out;
	}
	if (p->algorithm != SIGN_ALG_ECDSAP256SHA256 && p->algorithm != SIGN_ALG_ED25519) {
		snprintf(err, errlen, "%s: algorithm %u is not supported (13 or 15)", origin,
			 (unsigned)p->algorithm);
		goto out;
	}
	snprintf(text, sizeof(text), "%s%s", origin, len > 0 && origin[len - 1] == '.' ? "" : ".");
	for (char *c = text; *c != '\0'; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c - 'A' + 'a');
	if (ldns_str2rdf_dname(&name, text) != LDNS_STATUS_OK) {
		snprintf(err, errlen, "%s: not a domain name", origin);
		goto out;
	}
	if (create && mkdir(dir, 0700) != 0 && errno != EEXIST) {
		snprintf(err, errlen, "key directory %s: cannot create it: %s", dir,
			 strerror(errno));
		goto out;
	}
	/*
	 * The keys' files spell the zone as the configuration does (sandns's own), as
	 * dnssec-keygen or as ldns-keygen does: for a name with escapes ("a\.b.example.") or
	 * '@', each its own way. A name spelt one of the other ways may also be another zone's
	 * ("a%2Eb.example." is a name too): such a file whose key is not the zone's is left
	 * alone, where one spelt as configured is an error.
	 */
	spell_bind(name, spelt[0], sizeof(spelt[0]));
	spell_ldns(name, spelt[1], sizeof(spelt[1]));
	snprintf(prefix[0], sizeof(prefix[0]), "K%s+%03u+", text, (unsigned)p->algorithm);
	for (int i = 0; i < 2; i++)
		snprintf(prefix[i + 1], sizeof(prefix[i + 1]), "K%s+%03u+", spelt[i],
			 (unsigned)p->algorithm);
	if (list_bases(dir, prefixes, 3, &bases, &nbases, err, errlen) != 0)
		goto out;
	for (size_t i = 0; i < nbases; i++) {
		int r = load_pair(keys, bases[i].path, name, p->algorithm, err, errlen);

		if (r == KEY_OTHER_ZONE && bases[i].other)
			continue;
		if (r != 0)
			goto out;
	}
	for (size_t i = 0; i < keys->n; i++) {
		if (sign_key_flags(keys, i) & LDNS_KEY_SEP_KEY)
			ksk = true;
		else
			zsk = true;
	}
	if (!ksk || (!p->csk && !zsk)) {
		if (!create) {
			snprintf(err, errlen, "%s: no %s key of algorithm %u in %s", text,
				 ksk ? "zone-signing" : "key-signing", (unsigned)p->algorithm, dir);
			goto out;
		}
		if (!ksk && make_key(keys, dir, text, name, p->algorithm,
				     LDNS_KEY_ZONE_KEY | LDNS_KEY_SEP_KEY, err, errlen) != 0)
			goto out;
		keys->made_ksk = !ksk;
		if (!p->csk && !zsk &&
		    make_key(keys, dir, text, name, p->algorithm, LDNS_KEY_ZONE_KEY, err, errlen) !=
			0)
			goto out;
		if (made != NULL)
			*made = true;
	}
	rc = 0;
out:
	for (size_t i = 0; i < nbases; i++)
		free(bases[i].path);
	free(bases);
	ldns_rdf_deep_free(name);
	if (rc != 0)
		sign_keys_free(&keys);
	return keys;
}

int sign_keys_check(const char *dir, const char *origin, const sign_params_t *p, char *err,
		    size_t errlen)
{
	struct stat st;
	sign_keys_t *keys;

	if (stat(dir, &st) != 0 && errno == ENOENT)
		return 0;
	keys = sign_keys_load(dir, origin, p, false, NULL, err, errlen);
	if (keys != NULL) {
		sign_keys_free(&keys);
		return 0;
	}
	/* Keys missing are made at start; only files that are there and wrong are errors. */
	return strstr(err, ": no key-signing key") != NULL ||
		       strstr(err, ": no zone-signing key") != NULL
		   ? 0
		   : -1;
}
