/* SPDX-License-Identifier: BSD-3-Clause */
/* rfile.h: opening a file someone else names: regular files only, bounded, never a wait */
#ifndef RFILE_H
#define RFILE_H

#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

/*
 * Opens PATH with FLAGS (O_RDONLY, or O_WRONLY|O_CREAT|O_TRUNC with MODE) plus O_NONBLOCK,
 * O_CLOEXEC and O_NOCTTY, so that a FIFO or a device named there can never hold the calling
 * thread, and keeps it only if it is a regular file (rfile_irregular) that fstat says has at
 * most MAX bytes (0: no bound). The size fstat says is not a bound on what a read yields (a
 * file may grow): read it with rfile_read. WHAT prefixes the reason ("serial-state "), PATH follows
 * it. Returns the descriptor (O_NONBLOCK is harmless on a regular file), or -errno with ERR set:
 * "WHAT PATH: not a regular file (a fifo)", "... cannot open: ...", "... N bytes, more than MAX".
 */
int rfile_open(const char *what, const char *path, int flags, mode_t mode, unsigned long long max,
	       char *err, size_t errlen);

/*
 * The step under rfile_open(): PATH opened with FLAGS (and MODE) plus O_NONBLOCK, O_CLOEXEC and
 * O_NOCTTY, and the opened descriptor's fstat into *SB, whatever kind of file it is (the caller
 * decides what it accepts, from SB: never from the path, which may change meanwhile). The
 * descriptor, or -errno.
 */
int rfile_open_stat(const char *path, int flags, mode_t mode, struct stat *sb);

/*
 * NULL when FD (fstat into SB) is a regular file whose size means something, else what it is:
 * rfile_kind()'s "a fifo", "a directory", ..., or "a file of /proc, whose size says nothing"
 * (procfs, sysfs, debugfs, tracefs, securityfs: size 0, any amount of data).
 */
const char *rfile_irregular(int fd, const struct stat *sb);

/*
 * The whole of FD (read from where it is) into *DATA (malloc'd, NUL-terminated, *LEN octets):
 * bounded by the octets actually read, never by the size fstat says: at most MAX octets, and
 * -EFBIG as soon as one more arrives. 0, -EFBIG, -ENOMEM or -errno (*DATA NULL then).
 */
int rfile_read(int fd, unsigned long long max, char **data, size_t *len);

/*
 * Syncs the directory that holds PATH (fsync), so that a file renamed or created there survives
 * a power loss; a directory that cannot be opened is left as it is (the file itself was synced).
 */
void rfile_sync_dir(const char *path);
/* Syncs the whole file system of the directory that holds PATH (syncfs()): many files written
 * there unsynced made durable at once. */
void rfile_sync_fs(const char *path);

/* What kind of file MODE (st_mode) says it is: "a fifo", "a directory", ... */
const char *rfile_kind(mode_t mode);

/*
 * PATH opened for appending (created with MODE when missing) without waiting, kept only if it
 * is a regular file: a FIFO (whose open for writing waits for a reader) or a device is refused
 * at once. The descriptor, or -1 with the reason in WHY ("not a regular file (a fifo)", or the
 * system's).
 */
int rfile_open_append(const char *path, mode_t mode, char *why, size_t whylen);

#endif
