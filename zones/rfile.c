/* SPDX-License-Identifier: BSD-3-Clause */
/* rfile.c: opening a file someone else names: regular files only, bounded, never a wait */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "rfile.h"
#include "sandns_err.h"

const char *rfile_kind(mode_t mode)
{
	if (S_ISFIFO(mode))
		return "a fifo";
	if (S_ISDIR(mode))
		return "a directory";
	if (S_ISCHR(mode))
		return "a character device";
	if (S_ISBLK(mode))
		return "a block device";
	if (S_ISSOCK(mode))
		return "a socket";
	if (S_ISLNK(mode))
		return "a symbolic link";
	return "of an unknown kind";
}

int rfile_open_stat(const char *path, int flags, mode_t mode, struct stat *sb)
{
	/* O_NONBLOCK: opening a FIFO would otherwise wait for its other end, for ever. */
	int fd = open(path, flags | O_NONBLOCK | O_CLOEXEC | O_NOCTTY, mode), ret;

	if (fd < 0)
		return -errno;
	if (fstat(fd, sb) != 0) {
		ret = -errno;
		close(fd);
		return ret;
	}
	return fd;
}

const char *rfile_irregular(int fd, const struct stat *sb)
{
	struct statfs fs;

	if (!S_ISREG(sb->st_mode))
		return rfile_kind(sb->st_mode);
	/* Their files say size 0 and yield what they like (/proc/self/pagemap: gigabytes). */
	if (fstatfs(fd, &fs) == 0) {
		if (fs.f_type == PROC_SUPER_MAGIC)
			return "a file of /proc, whose size says nothing";
		if (fs.f_type == SYSFS_MAGIC || fs.f_type == DEBUGFS_MAGIC ||
		    fs.f_type == TRACEFS_MAGIC || fs.f_type == SECURITYFS_MAGIC)
			return "a file of /sys, whose size says nothing";
	}
	return NULL;
}

int rfile_read(int fd, unsigned long long max, char **data, size_t *len)
{
	struct stat sb;
	size_t cap = 4096, n = 0, more;
	char *buf, *grown;
	ssize_t got;

	*data = NULL;
	*len = 0;
	if (max >= SIZE_MAX)
		max = SIZE_MAX - 1;
	/* The size fstat gives is a hint for the first buffer, never the bound. */
	if (fstat(fd, &sb) == 0 && sb.st_size > 0)
		cap =
		    (unsigned long long)sb.st_size < max ? (size_t)sb.st_size + 1 : (size_t)max + 1;
	if (cap > max + 1)
		cap = (size_t)max + 1;
	buf = malloc(cap + 1);
	if (buf == NULL)
		return -ENOMEM;
	for (;;) {
		got = read(fd, buf + n, cap - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			int e = errno ? errno : EIO;

			free(buf);
			return -e;
		}
		if (got == 0)
			break;
		n += (size_t)got;
		if (n > max) {
			/* One octet past the bound has been read: the file is over it. */
			free(buf);
			return -EFBIG;
		}
		if (n < cap)
			continue;
		more = cap > max + 1 - cap ? (size_t)max + 1 : cap * 2;
		grown = realloc(buf, more + 1);
		if (grown == NULL) {
			free(buf);
			return -ENOMEM;
		}
		buf = grown;
		cap = more;
	}
	buf[n] = '\0';
	*data = buf;
	*len = n;
	return 0;
}

int rfile_open(const char *what, const char *path, int flags, mode_t mode, unsigned long long max,
	       char *err, size_t errlen)
{
	struct stat st;
	const char *kind;
	int fd;

	fd = rfile_open_stat(path, flags, mode, &st);
	if (fd < 0) {
		snprintf(err, errlen, "%s%s: cannot open: %s", what, path, strerror(-fd));
		return fd;
	}
	kind = rfile_irregular(fd, &st);
	if (kind != NULL) {
		snprintf(err, errlen, "%s%s: not a regular file (%s)", what, path, kind);
		close(fd);
		return -EINVAL;
	}
	if (max > 0 && (unsigned long long)st.st_size > max) {
		snprintf(err, errlen, "%s%s: %lld bytes, more than %llu", what, path,
			 (long long)st.st_size, max);
		close(fd);
		return SANDNS_ETOOBIG;
	}
	return fd;
}

/* The directory that holds PATH, opened to sync it or its file system; -1 if it cannot be. */
static int open_dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	char dir[4096];

	/* "a/b" -> "a/", "/b" -> "/", "b" -> "." */
	if ((size_t)snprintf(dir, sizeof(dir), "%.*s", slash == NULL ? 1 : (int)(slash - path + 1),
			     slash == NULL ? "." : path) >= sizeof(dir))
		return -1;
	return open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

void rfile_sync_dir(const char *path)
{
	int dfd = open_dir_of(path);

	if (dfd >= 0) {
		(void)fsync(dfd);
		close(dfd);
	}
}

void rfile_sync_fs(const char *path)
{
	int dfd = open_dir_of(path);

	if (dfd >= 0) {
		(void)syncfs(dfd);
		close(dfd);
	}
}

int rfile_open_append(const char *path, mode_t mode, char *why, size_t whylen)
{
	struct stat st;
	int fd =
	    open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, mode);

	if (fd < 0) {
		/* A FIFO nobody reads (or a socket): ENXIO, whose text says nothing useful. */
		if (errno == ENXIO && stat(path, &st) == 0 && !S_ISREG(st.st_mode))
			snprintf(why, whylen, "not a regular file (%s)", rfile_kind(st.st_mode));
		else
			snprintf(why, whylen, "%s", strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(why, whylen, "not a regular file (%s)", rfile_kind(st.st_mode));
		close(fd);
		return -1;
	}
	return fd;
}
