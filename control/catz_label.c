/* SPDX-License-Identifier: BSD-3-Clause */
/* catz_label.c: the unique label a catalog member's copy was made under, kept beside the copy */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "catz.h"
#include "rfile.h"
#include "sandns_err.h"

/* The label's file: the copy's path and this. */
#define LABEL_SUFFIX ".label"
/* What is not a file at the label's path is moved to the label's path and this (then ".2" ...). */
#define ASIDE_SUFFIX ".moved-aside"
/* The names tried for it: the first free one. */
#define ASIDE_TRIES 10
/* Its one line: this, the label, a space, the catalog that has the member, a newline. */
#define LABEL_MAGIC "sandns-catalog-label 2 "
/* As an older sandnsd wrote it: this, the label, a newline (no catalog said). */
#define LABEL_MAGIC1 "sandns-catalog-label 1 "
/* A label as catz_parse() gives it (63 octets, each at most "\DDD"), a catalog's name as
 * configured (255 octets at most "\DDD" each). */
#define LABEL_FILE_MAX (sizeof(LABEL_MAGIC) + 4 * 63 + 1 + 4 * 255 + 1)

/* Whether C may be in a label's file: printable, no space (catz_parse escapes the others). */
static bool label_char(char c)
{
	return c > ' ' && c < 0x7f;
}

/* Whether the N octets at P are all label_char(). */
static bool label_text(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!label_char(p[i]))
			return false;
	return true;
}

int catz_label_parse(const char *text, size_t len, char *label, size_t labellen, char *owner,
		     size_t ownerlen)
{
	const size_t m = sizeof(LABEL_MAGIC) - 1;
	const bool v1 = len > m && memcmp(text, LABEL_MAGIC1, m) == 0;
	const char *sp;
	size_t n, o = 0;

	if (len <= m + 1 || (!v1 && memcmp(text, LABEL_MAGIC, m) != 0) || text[len - 1] != '\n')
		return -EINVAL;
	n = len - m - 1;
	if (!v1) {
		/* "LABEL CATALOG": one space between two words */
		sp = memchr(text + m, ' ', n);
		if (sp == NULL || sp == text + m)
			return -EINVAL;
		o = n - (size_t)(sp - (text + m)) - 1;
		n = (size_t)(sp - (text + m));
		if (o == 0 || !label_text(sp + 1, o) || (owner != NULL && o >= ownerlen))
			return -EINVAL;
	}
	if (n >= labellen || !label_text(text + m, n))
		return -EINVAL;
	memcpy(label, text + m, n);
	label[n] = '\0';
	if (owner != NULL) {
		memcpy(owner, text + m + n + 1, o);
		owner[o] = '\0';
	}
	return SANDNS_EOK;
}

/* PATH's label file into BUF; false: the name is too long. */
static bool label_path(const char *path, char *buf, size_t len)
{
	return (size_t)snprintf(buf, len, "%s" LABEL_SUFFIX, path) < len;
}

int catz_label_read(const char *path, char *label, size_t labellen, char *owner, size_t ownerlen,
		    char *why, size_t whylen)
{
	char file[4096];
	char *text = NULL;
	size_t len = 0;
	int fd, rc;

	if (!label_path(path, file, sizeof(file))) {
		snprintf(why, whylen, "%.900s: no label file for it (path too long)", path);
		return -ENAMETOOLONG;
	}
	fd = rfile_open("catalog label ", file, O_RDONLY, 0, LABEL_FILE_MAX, why, whylen);
	if (fd == -ENOENT)
		return 0;
	/* rfile_open's -EINVAL: not a regular file (WHY says what), which no write of ours left. */
	if (fd == -EINVAL)
		return -EISDIR;
	if (fd < 0)
		return fd == SANDNS_ETOOBIG ? -EFBIG : fd;
	rc = rfile_read(fd, LABEL_FILE_MAX, &text, &len);
	close(fd);
	if (rc != SANDNS_EOK)
		snprintf(why, whylen, "catalog label %.900s: cannot read: %s", file, strerror(-rc));
	else if ((rc = catz_label_parse(text, len, label, labellen, owner, ownerlen)) != SANDNS_EOK)
		snprintf(why, whylen,
			 "catalog label %.900s: damaged (not the one line '" LABEL_MAGIC
			 "LABEL CATALOG')",
			 file);
	free(text);
	return rc == SANDNS_EOK ? 1 : rc;
}

int catz_label_write(const char *path, const char *label, const char *owner, char *err,
		     size_t errlen)
{
	char file[4096], tmp[4096];
	const size_t n = strlen(label);
	bool ok;
	FILE *f;
	int fd;

	if (!label_text(label, n)) {
		snprintf(err, errlen, "label '%.300s': not as a catalog gives one", label);
		return -EINVAL;
	}
	/* A catalog whose name as configured holds a space or another odd octet: not said. */
	if (owner != NULL &&
	    (owner[0] == '\0' || strlen(owner) > 4 * 255 || !label_text(owner, strlen(owner))))
		owner = NULL;
	if (n == 0 || n > 4 * 63 || !label_path(path, file, sizeof(file)) ||
	    (size_t)snprintf(tmp, sizeof(tmp), "%s.XXXXXX", file) >= sizeof(tmp)) {
		snprintf(err, errlen, "%.900s: no label file for it", path);
		return -EINVAL;
	}
	/* In the same directory, put in place by a rename: read whole or not at all. */
	fd = mkstemp(tmp);
	if (fd < 0 || (f = fdopen(fd, "w")) == NULL) {
		snprintf(err, errlen, "cannot write %.900s: %s", tmp, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(tmp);
		}
		return -EIO;
	}
	(void)fchmod(fd, 0644);
	if (owner != NULL)
		fprintf(f, LABEL_MAGIC "%s %s\n", label, owner);
	else
		fprintf(f, LABEL_MAGIC1 "%s\n", label);
	/* Not synced one by one: a catalog adding 10,000 members (or the first start that records
	 * the labels of copies an older sandnsd made) would wait for 10,000 syncs on the control
	 * thread. catz_label_sync() syncs them all once their catalog's members are checked. */
	ok = !ferror(f) && fflush(f) == 0;
	ok = fclose(f) == 0 && ok;
	if (!ok || rename(tmp, file) != 0) {
		snprintf(err, errlen, "cannot write %.900s: %s", file, strerror(errno));
		unlink(tmp);
		return -EIO;
	}
	return SANDNS_EOK;
}

int catz_label_aside(const char *path, char *aside, size_t asidelen, char *err, size_t errlen)
{
	char file[4096];
	struct stat st;
	int e = EEXIST;

	if (!label_path(path, file, sizeof(file))) {
		snprintf(err, errlen, "%.900s: no label file for it (path too long)", path);
		return -ENAMETOOLONG;
	}
	if (lstat(file, &st) != 0) {
		e = errno;
		snprintf(err, errlen, "catalog label %.900s: %s", file, strerror(e));
		return -e;
	}
	if (S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "catalog label %.900s: a regular file, not moved", file);
		return -EINVAL;
	}
	/* Renamed, never removed: a directory put there may hold what someone wants back. Never
	 * over another name (RENAME_NOREPLACE): an earlier obstacle moved aside stays too. */
	for (unsigned i = 1; i <= ASIDE_TRIES && e == EEXIST; i++) {
		int n = i == 1 ? snprintf(aside, asidelen, "%s" ASIDE_SUFFIX, file)
			       : snprintf(aside, asidelen, "%s" ASIDE_SUFFIX ".%u", file, i);

		if (n < 0 || (size_t)n >= asidelen) {
			e = ENAMETOOLONG;
			break;
		}
		e = renameat2(AT_FDCWD, file, AT_FDCWD, aside, RENAME_NOREPLACE) == 0 ? 0 : errno;
	}
	if (e != 0) {
		snprintf(err, errlen, "catalog label %.900s: cannot move %s aside: %s", file,
			 rfile_kind(st.st_mode), strerror(e));
		return -e;
	}
	rfile_sync_dir(file);
	return SANDNS_EOK;
}

void catz_label_sync(const char *path)
{
	/* The file system of PATH's directory: every label written there, and the renames. */
	rfile_sync_fs(path);
}

void catz_label_forget(const char *path)
{
	char file[4096];

	if (label_path(path, file, sizeof(file)))
		(void)unlink(file);
}
