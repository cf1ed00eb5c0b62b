/* SPDX-License-Identifier: BSD-3-Clause */
/* xfrin_file.c: a secondary zone's copy on disk: written atomically; an older sandnsd's mark */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "log.h"
#include "rfile.h"
#include "sandns_err.h"
#include "xfrin.h"
#include "xfrin_pvt.h"

/* The mark's file: the copy's path and this. */
#define MARK_SUFFIX ".serial"
/* Its one line, always as long: "pending 0000000012\n" or "written 0000000012\n" (written by
 * sandnsd before serial-state said which copy was served; read, never written any more). */
#define MARK_LEN 19

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

int xfrin_file_prepare(const char *path, const zload_zone_t *z, char *tmp, size_t tmplen, char *err,
		       size_t errlen)
{
	char dir[4096];
	const char *base = strrchr(path, '/');
	FILE *f;
	bool ok;
	int fd;

	dir_of(path, dir, sizeof(dir));
	base = base != NULL ? base + 1 : path;
	if ((size_t)snprintf(tmp, tmplen, "%s/.%s.XXXXXX", dir, base) >= tmplen) {
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
	fprintf(f, ";; transferred by sandnsd: serial %lu, %zu records\n", zload_serial(z),
		zload_rr_count(z));
	ok = zload_xfr_print(z, f) == 0;
	ok = ok && !ferror(f) && fflush(f) == 0 && fsync(fileno(f)) == 0;
	ok = fclose(f) == 0 && ok;
	if (!ok) {
		snprintf(err, errlen, "cannot write %.900s: %s", tmp, strerror(errno));
		unlink(tmp);
		return -EIO;
	}
	return SANDNS_EOK;
}

int xfrin_file_put(const char *tmp, const char *path, char *err, size_t errlen)
{
	if (rename(tmp, path) != 0) {
		snprintf(err, errlen, "cannot write %.900s: %s", path, strerror(errno));
		unlink(tmp);
		return -EIO;
	}
	return SANDNS_EOK;
}

int xfrin_file_write(const char *path, const zload_zone_t *z, char *err, size_t errlen)
{
	char tmp[4096];
	int rc = xfrin_file_prepare(path, z, tmp, sizeof(tmp), err, errlen);

	if (rc == SANDNS_EOK && (rc = xfrin_file_put(tmp, path, err, errlen)) == SANDNS_EOK)
		rfile_sync_dir(path); /* the rename must survive a power loss: the directory too */
	return rc;
}

/*
 * LINE (N octets, the mark MARK's whole) as "pending " or "written " and ten digits: whether it
 * says pending, the serial into *SERIAL. Anything else is refused (logged: the file, the reason),
 * read as no mark: a sign, a value past 32 bits or a line cut short is never cut to a serial.
 */
static bool mark_pending(const char *mark, const char *line, ssize_t n, uint32_t *serial)
{
	unsigned long long s = 0;
	const char *why = NULL;

	if (n < 0)
		why = "cannot be read";
	else if (n != MARK_LEN || line[MARK_LEN - 1] != '\n' ||
		 (strncmp(line, "pending ", 8) != 0 && strncmp(line, "written ", 8) != 0))
		why = "not the one line 'pending SERIAL' or 'written SERIAL' of an older sandnsd";
	for (int i = 8; why == NULL && i < MARK_LEN - 1; i++) {
		if (line[i] < '0' || line[i] > '9')
			why = "its serial is not ten decimal digits";
		else
			s = s * 10 + (unsigned)(line[i] - '0');
	}
	if (why == NULL && s > UINT32_MAX)
		why = "its serial has more than 32 bits";
	if (why != NULL) {
		log_msg(LOG_WARNING, "%s: %s: ignored, as if there were none", mark, why);
		return false;
	}
	if (line[0] != 'p')
		return false; /* written: nothing pending */
	*serial = (uint32_t)s;
	return true;
}

bool xfrin_copy_pending(const char *path, uint32_t *serial)
{
	char mark[4096], line[MARK_LEN + 2] = "";
	ssize_t n;
	int fd;

	if ((size_t)snprintf(mark, sizeof(mark), "%s" MARK_SUFFIX, path) >= sizeof(mark))
		return false;
	fd = open(mark, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW);
	if (fd < 0)
		return false;
	/* One octet more than the line: a longer file is no mark of ours either. */
	n = read(fd, line, MARK_LEN + 1);
	close(fd);
	return mark_pending(mark, line, n, serial);
}

void xfrin_copy_forget(const char *path)
{
	char mark[4096];

	if ((size_t)snprintf(mark, sizeof(mark), "%s" MARK_SUFFIX, path) < sizeof(mark))
		(void)unlink(mark);
}

void xfrin_file_touch(const char *path)
{
	(void)utimensat(AT_FDCWD, path, NULL, 0);
}
