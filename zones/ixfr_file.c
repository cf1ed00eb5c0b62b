/* SPDX-License-Identifier: BSD-3-Clause */
/* ixfr_file.c: a zone's IXFR journal on disk: read whole, appended, or rewritten atomically */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fnv.h"
#include "ixfr_pvt.h"
#include "rfile.h"
#include "sandns_err.h"
#include "wire.h"

/* The file: this header, then per changeset [u32 length][its RRs][u64 FNV-1a of the RRs]. */
static const char journal_magic[8] = {'S', 'N', 'S', 'I', 'X', 'F', 'R', '1'};
#define REC_OVERHEAD 12u

uint64_t ixfr_file_record_size(const ixfr_cs_t *cs)
{
	return REC_OVERHEAD + ixfr_cs_size(cs);
}

static int fail(char *err, size_t errlen, int ret, const char *fmt, const char *path,
		const char *why)
{
	snprintf(err, errlen, fmt, path, why);
	return ret;
}

/* Reads the whole of FD (at most MAX octets) into a new buffer. */
static int read_all(int fd, uint64_t max, uint8_t **out, size_t *len)
{
	size_t cap = 65536, n = 0;
	uint8_t *buf = malloc(cap);

	if (buf == NULL)
		return -ENOMEM;
	for (;;) {
		ssize_t r;

		if (n == cap) {
			uint8_t *grown = cap > max ? NULL : realloc(buf, cap * 2);

			if (grown == NULL) {
				free(buf);
				return cap > max ? SANDNS_ETOOBIG : -ENOMEM;
			}
			buf = grown;
			cap *= 2;
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			free(buf);
			return -errno;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	*out = buf;
	*len = n;
	return 0;
}

int ixfr_file_read(const char *path, uint64_t max_file, uint64_t max_bytes, unsigned max_depth,
		   ixfr_hist_t **out, unsigned *nrecs, char *err, size_t errlen)
{
	ixfr_hist_t *h = NULL;
	uint8_t *buf = NULL;
	size_t len = 0, off = sizeof(journal_magic);
	int fd, ret;

	*out = NULL;
	*nrecs = 0;
	fd = rfile_open("IXFR journal ", path, O_RDONLY, 0, max_file, err, errlen);
	if (fd == -ENOENT)
		return SANDNS_EOK;
	if (fd < 0)
		return fd;
	ret = read_all(fd, max_file, &buf, &len);
	close(fd);
	if (ret != 0)
		return fail(err, errlen, ret, "IXFR journal %s: cannot read: %s", path,
			    sandns_strerror(ret));
	if (len < sizeof(journal_magic) || memcmp(buf, journal_magic, sizeof(journal_magic)) != 0) {
		free(buf);
		return fail(err, errlen, SANDNS_EPARSE, "IXFR journal %s: %s", path,
			    "not a journal of sandns (no header)");
	}
	ret = SANDNS_EOK;
	while (off < len && ret == SANDNS_EOK) {
		ixfr_hist_t *next;
		ixfr_cs_t *cs;
		unsigned dropped;
		uint32_t rl;

		if (len - off < REC_OVERHEAD || (rl = wire_get32(buf + off)) > len - off - 12 ||
		    fnv_bytes(FNV_START, buf + off + 4, rl) !=
			((uint64_t)wire_get32(buf + off + 4 + rl) << 32 |
			 wire_get32(buf + off + 8 + rl))) {
			ret = SANDNS_EPARSE;
			snprintf(err, errlen, "IXFR journal %s: damaged at offset %zu", path, off);
			break;
		}
		cs = ixfr_cs_new(buf + off + 4, rl);
		if (cs == NULL ||
		    (h != NULL && ixfr_hist_count(h) > 0 &&
		     ixfr_cs_from(cs) != ixfr_cs_to(ixfr_hist_get(h, ixfr_hist_count(h) - 1)))) {
			ixfr_cs_unref(&cs);
			ret = SANDNS_EPARSE;
			snprintf(err, errlen,
				 "IXFR journal %s: damaged at offset %zu (not a changeset that "
				 "follows the one before)",
				 path, off);
			break;
		}
		next = ixfr_hist_add(h, cs, max_bytes, max_depth, &dropped);
		ixfr_hist_unref(&h);
		h = next;
		if (h == NULL)
			ret = -ENOMEM;
		off += REC_OVERHEAD + rl;
		(*nrecs)++;
	}
	free(buf);
	if (ret != SANDNS_EOK) {
		if (ret == -ENOMEM)
			snprintf(err, errlen, "IXFR journal %s: out of memory", path);
		ixfr_hist_unref(&h);
		return ret;
	}
	*out = h;
	return SANDNS_EOK;
}

bool ixfr_file_is_journal(const char *path)
{
	uint8_t head[sizeof(journal_magic)];
	struct stat st;
	bool ours;
	/* Not followed, never waited on: only a regular file there is looked into. */
	int fd = rfile_open_stat(path, O_RDONLY | O_NOFOLLOW, 0, &st);

	if (fd < 0)
		return false;
	ours = S_ISREG(st.st_mode) && read(fd, head, sizeof(head)) == (ssize_t)sizeof(head) &&
	       memcmp(head, journal_magic, sizeof(head)) == 0;
	close(fd);
	return ours;
}

static bool write_all(int fd, const void *p, size_t len)
{
	const uint8_t *b = p;

	while (len > 0) {
		ssize_t w = write(fd, b, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		b += w;
		len -= (size_t)w;
	}
	return true;
}

static bool write_record(int fd, const ixfr_cs_t *cs)
{
	uint8_t head[4], tail[8];
	uint64_t sum = fnv_bytes(FNV_START, ixfr_cs_data(cs), ixfr_cs_size(cs));

	wire_put32(head, (uint32_t)ixfr_cs_size(cs));
	wire_put32(tail, (uint32_t)(sum >> 32));
	wire_put32(tail + 4, (uint32_t)sum);
	return write_all(fd, head, 4) && write_all(fd, ixfr_cs_data(cs), ixfr_cs_size(cs)) &&
	       write_all(fd, tail, 8);
}

int ixfr_file_append(const char *path, const ixfr_cs_t *cs, char *err, size_t errlen)
{
	struct stat st;
	bool made = false;
	int fd, e, ret = SANDNS_EOK;

	if (ixfr_cs_size(cs) > UINT32_MAX - REC_OVERHEAD)
		return fail(err, errlen, SANDNS_ETOOBIG, "IXFR journal %s: %s", path,
			    "changeset too large");
	/* Made here only when missing (O_EXCL): a failed append removes what it made, only. */
	fd = rfile_open_stat(path, O_WRONLY | O_APPEND | O_NOFOLLOW, 0, &st);
	if (fd == -ENOENT) {
		fd = rfile_open_stat(path, O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_NOFOLLOW,
				     0600, &st);
		made = fd >= 0;
	}
	if (fd < 0)
		return fail(err, errlen, fd, "IXFR journal %s: cannot open: %s", path,
			    strerror(-fd));
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return fail(err, errlen, SANDNS_ECONFIG, "IXFR journal %s: not a regular file (%s)",
			    path, rfile_kind(st.st_mode));
	}
	errno = 0;
	if ((st.st_size == 0 && !write_all(fd, journal_magic, sizeof(journal_magic))) ||
	    !write_record(fd, cs) || fsync(fd) != 0) {
		/*
		 * A full disk stops the write part way: the record cut short would make the whole
		 * journal unreadable at the next start. What this append wrote is taken back, the
		 * file left as it was (one it made removed), never shorter.
		 */
		e = errno != 0 ? errno : EIO;
		if (made ? unlink(path) == 0 : ftruncate(fd, st.st_size) == 0 && fsync(fd) == 0)
			snprintf(err, errlen, "IXFR journal %s: cannot write: %s", path,
				 strerror(e));
		else
			snprintf(
			    err, errlen,
			    "IXFR journal %s: cannot write: %s, nor cut back to its %lld octets "
			    "(%s): its last record is torn, the journal dropped at start",
			    path, strerror(e), (long long)st.st_size, strerror(errno));
		ret = -e;
	}
	close(fd);
	return ret;
}

int ixfr_file_write(const char *path, const ixfr_hist_t *h, char *err, size_t errlen)
{
	char tmp[4096];
	bool ok;
	int fd;

	if (ixfr_hist_count(h) == 0) {
		if (unlink(path) != 0 && errno != ENOENT)
			return fail(err, errlen, -errno, "IXFR journal %s: cannot remove: %s", path,
				    strerror(errno));
		rfile_sync_dir(path);
		return SANDNS_EOK;
	}
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.new", path) >= sizeof(tmp))
		return fail(err, errlen, SANDNS_ETOOBIG, "IXFR journal %s: %s", path,
			    "path too long");
	/* What sits at TMP is replaced: a FIFO there must not hold us (rfile.c). */
	(void)unlink(tmp);
	fd = rfile_open("IXFR journal ", tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0600, 0,
			err, errlen);
	if (fd < 0)
		return fd;
	ok = write_all(fd, journal_magic, sizeof(journal_magic));
	for (size_t i = 0; ok && i < ixfr_hist_count(h); i++)
		ok = write_record(fd, ixfr_hist_get(h, i));
	ok = ok && fsync(fd) == 0;
	ok = close(fd) == 0 && ok;
	if (!ok || rename(tmp, path) != 0) {
		int e = errno;

		unlink(tmp);
		return fail(err, errlen, -e, "IXFR journal %s: cannot write: %s", path,
			    strerror(e));
	}
	rfile_sync_dir(path);
	return SANDNS_EOK;
}
