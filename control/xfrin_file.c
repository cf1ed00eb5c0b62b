/* SPDX-License-Identifier: BSD-3-Clause */
/* xfrin_file.c: a secondary zone's copy on disk: written atomically, read back for an IXFR */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sandns_err.h"
#include "xfrin_pvt.h"

/* The directory of PATH into DIR ("." when it has none). */
static void dir_of(const char *path, char *dir, size_t len)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		snprintf(dir, len, ".");
	else if (slash == path)
		snprintf(dir, len, "/");
	else
		snprintf(dir, len, "%.*s", (int)(slash - path), path);
}

int xfrin_file_write(const char *path, const xfrin_zone_t *z, char *err, size_t errlen)
{
	char tmp[4096], dir[4096];
	const char *base = strrchr(path, '/');
	FILE *f;
	bool ok;
	int fd, dfd;

	dir_of(path, dir, sizeof(dir));
	base = base != NULL ? base + 1 : path;
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dir, base) >= sizeof(tmp)) {
		snprintf(err, errlen, "%s: path too long", path);
		return -ENAMETOOLONG;
	}
	/* In the same directory: the rename that puts it in place is atomic. */
	fd = mkstemp(tmp);
	if (fd < 0) {
		snprintf(err, errlen, "cannot write %.900s: %s", tmp, strerror(errno));
		return -errno;
	}
	(void)fchmod(fd, 0644);
	f = fdopen(fd, "w");
	if (f == NULL) {
		snprintf(err, errlen, "cannot write %.900s: %s", tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		return -ENOMEM;
	}
	fprintf(f, ";; transferred by sandnsd: serial %u, %zu records and the SOA\n",
		xfrin_soa_field(z->soa, 2), z->n);
	ldns_rr_print(f, z->soa);
	for (size_t i = 0; i < z->n; i++)
		if (z->rrs[i] != NULL)
			ldns_rr_print(f, z->rrs[i]);
	ok = !ferror(f) && fflush(f) == 0 && fsync(fileno(f)) == 0;
	ok = fclose(f) == 0 && ok;
	if (!ok || rename(tmp, path) != 0) {
		snprintf(err, errlen, "cannot write %.900s: %s", path, strerror(errno));
		unlink(tmp);
		return -EIO;
	}
	/* The rename itself must survive a power loss: the directory too. */
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		(void)fsync(dfd);
		close(dfd);
	}
	return SANDNS_EOK;
}

int xfrin_file_read(const char *path, const ldns_rdf *origin, xfrin_zone_t *z, char *err,
		    size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	ldns_zone *zone = NULL;
	ldns_rr_list *rrs;
	ldns_rr *rr;
	ldns_status st;
	int line = 0;
	struct stat sb;
	FILE *f;

	memset(z, 0, sizeof(*z));
	/* Our own copy, a regular file: never a FIFO someone put there. */
	if (fd < 0 || fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) ||
	    (f = fdopen(fd, "r")) == NULL) {
		snprintf(err, errlen, "%s: %s", path,
			 fd < 0 ? strerror(errno) : "not a regular file");
		if (fd >= 0)
			close(fd);
		return SANDNS_EZONE;
	}
	st = ldns_zone_new_frm_fp_l(&zone, f, origin, 3600, LDNS_RR_CLASS_IN, &line);
	fclose(f);
	if (st != LDNS_STATUS_OK || ldns_zone_soa(zone) == NULL) {
		snprintf(err, errlen, "%s:%d: %s", path, line,
			 st != LDNS_STATUS_OK ? ldns_get_errorstr_by_id(st) : "no SOA");
		ldns_zone_deep_free(zone);
		return SANDNS_EZONE;
	}
	z->soa = ldns_rr_clone(ldns_zone_soa(zone));
	rrs = ldns_zone_rrs(zone);
	while (z->soa != NULL && (rr = ldns_rr_list_pop_rr(rrs)) != NULL) {
		if (!xfrin_zone_push(z, rr)) {
			ldns_rr_free(rr);
			break;
		}
	}
	if (z->soa == NULL || ldns_rr_list_rr_count(rrs) != 0) {
		ldns_zone_deep_free(zone);
		xfrin_zone_clear(z);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	ldns_zone_deep_free(zone);
	return SANDNS_EOK;
}

void xfrin_file_touch(const char *path)
{
	(void)utimensat(AT_FDCWD, path, NULL, 0);
}
