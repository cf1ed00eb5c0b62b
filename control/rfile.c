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

int rfile_open(const char *what, const char *path, int flags, mode_t mode, unsigned long long max,
	       char *err, size_t errlen)
{
	struct stat st;
	int fd, ret;

	/* O_NONBLOCK: opening a FIFO would otherwise wait for its other end, for ever. */
	fd = open(path, flags | O_NONBLOCK | O_CLOEXEC | O_NOCTTY, mode);
	if (fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "%s%s: cannot open: %s", what, path, strerror(errno));
		return ret;
	}
	if (fstat(fd, &st) != 0) {
		ret = -errno;
		snprintf(err, errlen, "%s%s: cannot stat: %s", what, path, strerror(errno));
		close(fd);
		return ret;
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
