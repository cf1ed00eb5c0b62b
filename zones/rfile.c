/* SPDX-License-Identifier: BSD-3-Clause */
/* rfile.c: opening a file someone else names: regular files only, bounded, never a wait */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
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

int rfile_open(const char *what, const char *path, int flags, mode_t mode, unsigned long long max,
	       char *err, size_t errlen)
{
	struct stat st;
	int fd;

	fd = rfile_open_stat(path, flags, mode, &st);
	if (fd < 0) {
		snprintf(err, errlen, "%s%s: cannot open: %s", what, path, strerror(-fd));
		return fd;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s%s: not a regular file (%s)", what, path,
			 rfile_kind(st.st_mode));
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
