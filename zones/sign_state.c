/* SPDX-License-Identifier: BSD-3-Clause */
/* sign_state.c: a zone sandns signed written to a file and read back, checked, after a restart */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "rfile.h"
#include "sign_state.h"
#include "wire.h"
#include "zload_pvt.h"

#define STATE_MAGIC "sandns-signed 1\n"
#define STATE_HDR 128
#define STATE_REC 24
#define STATE_SUM 32
/* What the writer buffers before a write(2). */
#define STATE_BUF (1u << 20)

static void put64(uint8_t *p, uint64_t v)
{
	wire_put32(p, (uint32_t)(v >> 32));
	wire_put32(p + 4, (uint32_t)v);
}

static uint64_t get64(const uint8_t *p)
{
	return (uint64_t)wire_get32(p) << 32 | wire_get32(p + 4);
}

/* The counts the header carries besides META. */
typedef struct counts {
	uint32_t nrecs, nfiles, nempty, meta_len;
	uint64_t data_len;
} counts_t;

static void header_put(uint8_t *h, const sign_state_meta_t *m, const counts_t *n)
{
	memset(h, 0, STATE_HDR);
	memcpy(h, STATE_MAGIC, 16);
	put64(h + 16, m->src);
	put64(h + 24, m->edits);
	put64(h + 32, m->sign);
	put64(h + 40, (uint64_t)m->expire);
	put64(h + 48, (uint64_t)m->due);
	wire_put32(h + 56, m->serial);
	h[60] = m->p.algorithm;
	h[61] = m->p.csk;
	h[62] = m->p.nsec3;
	wire_put32(h + 64, m->p.lifetime);
	wire_put32(h + 68, m->p.refresh);
	wire_put32(h + 72, n->nrecs);
	wire_put32(h + 76, n->nfiles);
	wire_put32(h + 80, n->nempty);
	wire_put32(h + 84, n->meta_len);
	put64(h + 88, n->data_len);
}

static void header_get(const uint8_t *h, sign_state_meta_t *m, counts_t *n)
{
	m->src = get64(h + 16);
	m->edits = get64(h + 24);
	m->sign = get64(h + 32);
	m->expire = (int64_t)get64(h + 40);
	m->due = (int64_t)get64(h + 48);
	m->serial = wire_get32(h + 56);
	m->p = (sign_params_t){.algorithm = h[60],
			       .csk = h[61] != 0,
			       .nsec3 = h[62] != 0,
			       .lifetime = wire_get32(h + 64),
			       .refresh = wire_get32(h + 68)};
	n->nrecs = wire_get32(h + 72);
	n->nfiles = wire_get32(h + 76);
	n->nempty = wire_get32(h + 80);
	n->meta_len = wire_get32(h + 84);
	n->data_len = get64(h + 88);
}

/* A buffered writer that sums what it writes. */
typedef struct writer {
	int fd;
	EVP_MD_CTX *md;
	uint8_t *buf;
	size_t len;
	int rc; /* 0, or the first -errno */
} writer_t;

static void w_flush(writer_t *w)
{
	size_t at = 0;

	while (w->rc == 0 && at < w->len) {
		ssize_t n = write(w->fd, w->buf + at, w->len - at);

		if (n > 0)
			at += (size_t)n;
		else if (n < 0 && errno != EINTR)
			w->rc = -errno;
		else if (n == 0)
			w->rc = -EIO;
	}
	w->len = 0;
}

static void w_put(writer_t *w, const void *p, size_t len, bool sum)
{
	const uint8_t *b = p;

	if (sum && EVP_DigestUpdate(w->md, p, len) != 1 && w->rc == 0)
		w->rc = -ENOMEM;
	while (len > 0 && w->rc == 0) {
		size_t n = STATE_BUF - w->len < len ? STATE_BUF - w->len : len;

		memcpy(w->buf + w->len, b, n);
		w->len += n;
		b += n;
		len -= n;
		if (w->len == STATE_BUF)
			w_flush(w);
	}
}

/* The header, names, table and octets of Z to W. */
static void put_zone(writer_t *w, const zload_zone_t *z, const sign_state_meta_t *m)
{
	counts_t n = {.nrecs = (uint32_t)z->nrecs,
		      .nfiles = (uint32_t)z->nfiles,
		      .nempty = (uint32_t)z->nempty,
		      .data_len = z->data_len};
	uint8_t h[STATE_HDR], sum[STATE_SUM];
	size_t meta = strlen(z->origin_text) + 1;

	for (size_t i = 0; i < z->nfiles; i++)
		meta += strlen(z->files[i]) + 1;
	for (size_t i = 0; i < z->nempty; i++)
		meta += 1 + ldns_rdf_size(z->empty[i]);
	n.meta_len = (uint32_t)meta;
	header_put(h, m, &n);
	w_put(w, h, sizeof(h), true);
	w_put(w, z->origin_text, strlen(z->origin_text) + 1, true);
	for (size_t i = 0; i < z->nfiles; i++)
		w_put(w, z->files[i], strlen(z->files[i]) + 1, true);
	for (size_t i = 0; i < z->nempty; i++) {
		uint8_t len = (uint8_t)ldns_rdf_size(z->empty[i]);

		w_put(w, &len, 1, true);
		w_put(w, ldns_rdf_data(z->empty[i]), len, true);
	}
	for (size_t i = 0; i < z->nrecs; i++) {
		const zload_rec_t *r = &z->recs[i];
		uint8_t t[STATE_REC];

		wire_put32(t, r->owner);
		wire_put32(t + 4, r->rdata);
		wire_put32(t + 8, r->ttl);
		wire_put16(t + 12, r->type);
		wire_put16(t + 14, r->rdlen);
		wire_put32(t + 16, zload_rec_file(z, i));
		wire_put32(t + 20, (uint32_t)zload_rec_line(z, i));
		w_put(w, t, sizeof(t), true);
	}
	w_put(w, z->data, z->data_len, true);
	if (EVP_DigestFinal_ex(w->md, sum, NULL) != 1 && w->rc == 0)
		w->rc = -ENOMEM;
	w_put(w, sum, sizeof(sum), false);
	w_flush(w);
}

int sign_state_write(const char *path, const zload_zone_t *z, const sign_state_meta_t *m, char *err,
		     size_t errlen)
{
	writer_t w = {.fd = -1};
	char tmp[4096];
	int rc;

	for (size_t i = 0; i < z->nempty; i++)
		if (ldns_rdf_size(z->empty[i]) > WIRE_NAME_MAX) {
			snprintf(err, errlen, "signed zone %.900s: a name too long", path);
			return -EINVAL;
		}
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.new", path) >= sizeof(tmp)) {
		snprintf(err, errlen, "signed zone %.900s: path too long", path);
		return -ENAMETOOLONG;
	}
	/* What sits at TMP is replaced: a FIFO there must not fail every save (rfile.c). */
	(void)unlink(tmp);
	w.fd = rfile_open("signed zone ", tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0600, 0,
			  err, errlen);
	if (w.fd < 0)
		return w.fd;
	w.md = EVP_MD_CTX_new();
	w.buf = malloc(STATE_BUF);
	if (w.md == NULL || w.buf == NULL || EVP_DigestInit_ex(w.md, EVP_sha256(), NULL) != 1)
		w.rc = -ENOMEM;
	/* signatures are public, but the file is the state directory's: its owner's alone (a file
	 * left by a crash keeps its mode through O_TRUNC) */
	if (w.rc == 0 && fchmod(w.fd, 0600) != 0)
		w.rc = -errno;
	put_zone(&w, z, m);
	if (w.rc == 0 && fsync(w.fd) != 0)
		w.rc = -errno;
	if (close(w.fd) != 0 && w.rc == 0)
		w.rc = -errno;
	if (w.rc == 0 && rename(tmp, path) != 0)
		w.rc = -errno;
	rc = w.rc;
	EVP_MD_CTX_free(w.md);
	free(w.buf);
	if (rc != 0) {
		snprintf(err, errlen, "signed zone %.900s: cannot write: %s", path, strerror(-rc));
		unlink(tmp);
		return rc;
	}
	rfile_sync_dir(path);
	return 0;
}

/* LEN octets of FD into P, summed into MD; 0, or -errno (-ENODATA: the file ended before). */
static int read_all(int fd, EVP_MD_CTX *md, void *p, size_t len)
{
	uint8_t *b = p;
	size_t at = 0;

	while (at < len) {
		ssize_t n = read(fd, b + at, len - at);

		if (n > 0)
			at += (size_t)n;
		else if (n == 0)
			return -ENODATA;
		else if (errno != EINTR)
			return -errno;
	}
	if (md != NULL && len > 0 && EVP_DigestUpdate(md, p, len) != 1)
		return -ENOMEM;
	return 0;
}

/* Whether a wire name starts at OFF of the LEN octets at D and ends within them; its length. */
static size_t name_at(const uint8_t *d, size_t len, size_t off)
{
	size_t at = off;

	while (at < len && at - off < WIRE_NAME_MAX) {
		uint8_t l = d[at];

		if (l == 0)
			return at + 1 - off;
		if (l > 63)
			return 0;
		at += 1u + l;
	}
	return 0;
}

/* The origin, file names and empty nodes of the META_LEN octets at P into Z; false: bad. */
static bool parse_meta(zload_zone_t *z, const uint8_t *p, const counts_t *n)
{
	const uint8_t *end = p + n->meta_len, *q;

	q = memchr(p, 0, n->meta_len);
	if (q == NULL || (z->origin_text = strdup((const char *)p)) == NULL)
		return false;
	p = q + 1;
	z->files = calloc(n->nfiles + 1, sizeof(*z->files));
	z->empty = calloc(n->nempty + 1, sizeof(*z->empty));
	if (z->files == NULL || z->empty == NULL)
		return false;
	for (; z->nfiles < n->nfiles; z->nfiles++) {
		q = memchr(p, 0, (size_t)(end - p));
		if (q == NULL || (z->files[z->nfiles] = strdup((const char *)p)) == NULL)
			return false;
		p = q + 1;
	}
	for (; z->nempty < n->nempty; z->nempty++) {
		size_t len;

		if (p >= end || (size_t)(end - p) < 1u + p[0] ||
		    (len = name_at(p + 1, p[0], 0)) == 0 || len != p[0] ||
		    (z->empty[z->nempty] = ldns_dname_new_frm_data(p[0], p + 1)) == NULL)
			return false;
		p += 1u + len;
	}
	return p == end;
}

/* The table of N's records at T into Z (its octets read already); false: inconsistent. */
static bool parse_recs(zload_zone_t *z, const uint8_t *t, const counts_t *n)
{
	uint32_t last = UINT32_MAX;

	z->recs = malloc((n->nrecs + 1) * sizeof(*z->recs));
	z->rr_file = malloc((n->nrecs + 1) * sizeof(*z->rr_file));
	z->rr_line = malloc((n->nrecs + 1) * sizeof(*z->rr_line));
	if (z->recs == NULL || z->rr_file == NULL || z->rr_line == NULL)
		return false;
	z->cap = z->lcap = n->nrecs + 1;
	for (size_t i = 0; i < n->nrecs; i++, t += STATE_REC) {
		zload_rec_t *r = &z->recs[i];

		*r = (zload_rec_t){.owner = wire_get32(t),
				   .rdata = wire_get32(t + 4),
				   .ttl = wire_get32(t + 8),
				   .type = wire_get16(t + 12),
				   .rdlen = wire_get16(t + 14)};
		z->rr_file[i] = wire_get32(t + 16);
		z->rr_line[i] = (int)wire_get32(t + 20);
		/* records in a row share their owner: it is checked once */
		if ((r->owner != last && name_at(z->data, z->data_len, r->owner) == 0) ||
		    (uint64_t)r->rdata + r->rdlen > z->data_len || z->rr_file[i] >= z->nfiles)
			return false;
		last = r->owner;
		z->nrecs++;
		/* the SOA's data ends with the serial and four more fields */
		if (r->type == LDNS_RR_TYPE_SOA && r->rdlen >= 22)
			z->serial = wire_get32(z->data + r->rdata + r->rdlen - 20);
	}
	return true;
}

/* The reason a read of PATH failed with RC, into err. */
static void read_failed(const char *path, int rc, char *err, size_t errlen)
{
	if (rc == -ENODATA)
		snprintf(err, errlen,
			 "signed zone %.900s: torn (it ends before what its header says)", path);
	else
		snprintf(err, errlen, "signed zone %.900s: %s", path, strerror(-rc));
}

zload_zone_t *sign_state_read(const char *path, const char *origin, sign_state_meta_t *m,
			      bool *missing, char *err, size_t errlen)
{
	uint8_t h[STATE_HDR], sum[STATE_SUM], got[STATE_SUM], *meta = NULL, *table = NULL, extra;
	zload_zone_t *z = NULL;
	EVP_MD_CTX *md = NULL;
	struct stat sb;
	uint64_t want;
	counts_t n;
	int fd, rc;

	if (missing != NULL)
		*missing = false;
	fd = rfile_open("signed zone ", path, O_RDONLY, 0, zload_text_max(), err, errlen);
	if (fd < 0) {
		if (fd == -ENOENT && missing != NULL)
			*missing = true;
		return NULL;
	}
	md = EVP_MD_CTX_new();
	if (md == NULL || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1 || fstat(fd, &sb) != 0) {
		rc = -ENOMEM;
		goto failed;
	}
	rc = read_all(fd, md, h, sizeof(h));
	if (rc != 0)
		goto failed;
	if (memcmp(h, STATE_MAGIC, 16) != 0) {
		snprintf(err, errlen, "signed zone %.900s: not of this format (sandns-signed 1)",
			 path);
		goto fail;
	}
	header_get(h, m, &n);
	want = STATE_HDR + (uint64_t)n.meta_len + (uint64_t)n.nrecs * STATE_REC + n.data_len +
	       STATE_SUM;
	if (n.data_len > UINT32_MAX || n.nrecs == 0 || n.meta_len == 0 || n.nempty > n.meta_len ||
	    n.nfiles > n.meta_len || want > zload_text_max() || (uint64_t)sb.st_size != want) {
		snprintf(err, errlen,
			 "signed zone %.900s: torn or damaged (%lld bytes, its header says %llu)",
			 path, (long long)sb.st_size, (unsigned long long)want);
		goto fail;
	}
	z = calloc(1, sizeof(*z));
	meta = malloc(n.meta_len);
	table = malloc((size_t)n.nrecs * STATE_REC);
	if (z == NULL || meta == NULL || table == NULL ||
	    (z->data = malloc(n.data_len + 1)) == NULL) {
		rc = -ENOMEM;
		goto failed;
	}
	z->data_len = z->data_cap = n.data_len;
	if ((rc = read_all(fd, md, meta, n.meta_len)) != 0 ||
	    (rc = read_all(fd, md, table, (size_t)n.nrecs * STATE_REC)) != 0 ||
	    (rc = read_all(fd, md, z->data, n.data_len)) != 0 ||
	    (rc = read_all(fd, NULL, sum, sizeof(sum))) != 0)
		goto failed;
	if (read(fd, &extra, 1) != 0) {
		snprintf(err, errlen, "signed zone %.900s: longer than its header says", path);
		goto fail;
	}
	if (EVP_DigestFinal_ex(md, got, NULL) != 1 || memcmp(got, sum, sizeof(sum)) != 0) {
		snprintf(err, errlen, "signed zone %.900s: damaged (its SHA-256 does not match)",
			 path);
		goto fail;
	}
	if (!parse_meta(z, meta, &n) || !parse_recs(z, table, &n) || z->serial != m->serial) {
		snprintf(err, errlen, "signed zone %.900s: inconsistent (a name or offset is bad)",
			 path);
		goto fail;
	}
	if (strcasecmp(z->origin_text, origin) != 0) {
		snprintf(err, errlen, "signed zone %.900s: of zone %.300s, not %.300s", path,
			 z->origin_text, origin);
		goto fail;
	}
	z->origin = ldns_dname_new_frm_str(z->origin_text);
	if (z->origin == NULL) {
		rc = -ENOMEM;
		goto failed;
	}
	z->is_signed = true;
	goto out;
failed:
	read_failed(path, rc, err, errlen);
fail:
	zload_free(&z);
out:
	free(meta);
	free(table);
	EVP_MD_CTX_free(md);
	close(fd);
	return z;
}
