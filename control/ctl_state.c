/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_state.c: serial-state, the serials served, written in place in one of two slots */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "ctl_state.h"
#include "fnv.h"
#include "grow.h"
#include "log.h"
#include "rfile.h"
#include "sandns_err.h"

/* A slot's header: what every slot starts with, then its fields, always this long. */
#define STATE_MAGIC "sandns-serial-state 2 "
#define STATE_HDR_FMT STATE_MAGIC "slot %010u seq %020llu len %010u sum %016llx\n"
#define STATE_HDR_LEN 99
/* The sum covers the header up to its own 16 digits, then what follows it. */
#define STATE_SUM_AT (STATE_HDR_LEN - 17)
/* The smallest slot; larger ones are powers of two with room to double. */
#define STATE_SLOT_MIN 4096u
/* The largest file read: two slots of a state of CTL_STATE_MAX octets. */
#define STATE_FILE_MAX (8ull * CTL_STATE_MAX)
/* Lines not understood, each logged up to this many, the rest counted in one line: a file of
 * 32 MiB of short lines would otherwise log millions at start (gigabytes, a minute). */
#define STATE_BAD_SHOWN 16u

const char *ctl_state_path(const cfg_t *cfg, char *buf, size_t len)
{
	if (cfg->serial_state != NULL)
		return cfg->serial_state;
	if (cfg->state_dir == NULL ||
	    (size_t)snprintf(buf, len, "%s/" CTL_SERIALS_FILE, cfg->state_dir) >= len)
		return NULL;
	return buf;
}

/* The header of a slot of SLOT octets, sequence SEQ, holding the LEN octets at P, into HDR
 * (STATE_HDR_LEN + 1 octets). */
static void slot_header(char *hdr, unsigned slot, unsigned long long seq, const char *p,
			unsigned len)
{
	uint64_t sum;

	snprintf(hdr, STATE_HDR_LEN + 1, STATE_HDR_FMT, slot, seq, len, 0ull);
	sum = fnv_bytes(fnv_bytes(FNV_START, hdr, STATE_SUM_AT), p, len);
	snprintf(hdr, STATE_HDR_LEN + 1, STATE_HDR_FMT, slot, seq, len, (unsigned long long)sum);
}

/*
 * Whether the SLOT octets at P are a whole slot of that size: its header as it would be
 * written (the same octets), its sum right. Its sequence and its lines into *SEQ, *LINES, *LEN.
 */
static bool slot_whole(const char *p, size_t slot, unsigned long long *seq, const char **lines,
		       size_t *len)
{
	char hdr[STATE_HDR_LEN + 1];
	unsigned s, l;
	unsigned long long q, sum;

	if (slot < STATE_HDR_LEN || memcmp(p, STATE_MAGIC, sizeof(STATE_MAGIC) - 1) != 0 ||
	    sscanf(p + sizeof(STATE_MAGIC) - 1, "slot %10u seq %20llu len %10u sum %16llx", &s, &q,
		   &l, &sum) != 4 ||
	    s != slot || l > slot - STATE_HDR_LEN)
		return false;
	slot_header(hdr, s, q, p + STATE_HDR_LEN, l);
	if (memcmp(hdr, p, STATE_HDR_LEN) != 0)
		return false;
	*seq = q;
	*lines = p + STATE_HDR_LEN;
	*len = l;
	return true;
}

/*
 * TEXT (LEN octets: a whole file) as two slots: the newer whole one's lines into *LINES and
 * *LLEN, its index into *NEWEST (-1: neither is whole), its sequence into *SEQ, the slot size
 * into *SLOT. False when TEXT is not of this format (the first one: lines alone); a file that
 * begins with its magic is, whatever its length.
 */
static bool slots_of(const char *text, size_t len, const char **lines, size_t *llen, int *newest,
		     unsigned long long *seq, size_t *slot)
{
	const size_t mlen = sizeof(STATE_MAGIC) - 1;
	bool first_magic = len >= STATE_HDR_LEN && memcmp(text, STATE_MAGIC, mlen) == 0;
	size_t half = len / 2;
	unsigned first;

	*newest = -1;
	*seq = 0;
	*slot = half;
	/* A torn first slot still leaves the second's magic: either says which format. */
	if (!first_magic && (len < 2 * STATE_HDR_LEN || len % 2 != 0 ||
			     memcmp(text + half, STATE_MAGIC, mlen) != 0))
		return false;
	/* A file cut short (damage from outside: a write in place never changes its length) still
	 * holds its first slot whole when its header's size is within it: that slot is read. */
	if (first_magic && sscanf(text + mlen, "slot %10u", &first) == 1 &&
	    first >= STATE_HDR_LEN && first <= len && len < 2 * (size_t)first)
		half = first;
	*slot = half;
	for (int i = 0; i < 2 && half >= STATE_HDR_LEN && (size_t)(i + 1) * half <= len; i++) {
		unsigned long long q;
		const char *p;
		size_t l;

		if (slot_whole(text + (size_t)i * half, half, &q, &p, &l) &&
		    (*newest < 0 || q > *seq)) {
			*newest = i;
			*seq = q;
			*lines = p;
			*llen = l;
		}
	}
	return true;
}

/* The lines of serial-state PATH (TEXT, LEN octets) into STATE. */
static void state_lines(const char *path, const char *text, size_t len, ctl_build_t *state)
{
	char line[1024], origin[512], sig[16];
	unsigned long serial, file_serial;
	unsigned long long hash, catz;
	size_t cap = state->nzones;
	unsigned long bad = 0;
	int nr = 0;
	FILE *f;

	if (len == 0)
		return; /* empty: nothing remembered */
	f = fmemopen((void *)text, len, "r");
	if (f == NULL) {
		log_msg(LOG_WARNING, "serial-state %s: %s (serials start from the files)", path,
			strerror(errno));
		return;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		ctl_zone_info_t *zi;

		nr++;
		/* A last line without its newline is one whose write was cut short (the first
		 * format was written in place, without a rename): a number in it may be cut. */
		if (strchr(line, '\n') == NULL && feof(f)) {
			log_msg(LOG_WARNING,
				"serial-state %s:%d: the last line has no newline (a write cut "
				"short): ignored",
				path, nr);
			break;
		}
		/* The fifth field came later: a line without it (written before) says nothing of
		 * signing, read as not signed by sandns, as it was then. */
		sig[0] = '\0';
		catz = 0;
		if (sscanf(line, "%511s %lu %lu %llx %15s catalog %llx", origin, &serial,
			   &file_serial, &hash, sig, &catz) < 4) {
			if (++bad <= STATE_BAD_SHOWN)
				log_msg(LOG_WARNING,
					"serial-state %s:%d: not 'ORIGIN SERIAL FILE_SERIAL "
					"HASH [signed|unsigned]', ignored",
					path, nr);
			continue;
		}
		if (sig[0] != '\0' && strcmp(sig, "signed") != 0 && strcmp(sig, "unsigned") != 0 &&
		    ++bad <= STATE_BAD_SHOWN)
			log_msg(LOG_WARNING,
				"serial-state %s:%d: '%s' is neither 'signed' nor 'unsigned': read "
				"as unsigned",
				path, nr, sig);
		/* Doubling: tens of thousands of zones are read at start, one line each. */
		if (!GROW(state->zones, cap, state->nzones + 1, 64))
			break;
		zi = &state->zones[state->nzones];
		*zi = (ctl_zone_info_t){.serial = serial & 0xffffffffUL,
					.src_serial = file_serial & 0xffffffffUL,
					.edits_hash = (uint64_t)hash,
					.dnssec = strcmp(sig, "signed") == 0,
					.catz_hash = (uint64_t)catz};
		zi->origin = strdup(origin);
		if (zi->origin == NULL)
			break;
		state->nzones++;
	}
	fclose(f);
	if (bad > STATE_BAD_SHOWN)
		log_msg(LOG_WARNING,
			"serial-state %s: %lu more lines not understood (not logged one by one)",
			path, bad - STATE_BAD_SHOWN);
}

/* The whole of serial-state PATH into *TEXT, *LEN; 0, or -errno with WHY set (-ENOENT: none). */
static int state_load(const char *path, int fd, char **text, size_t *len, char *why, size_t wlen)
{
	int rc = rfile_read(fd, STATE_FILE_MAX, text, len);

	if (rc == -EFBIG)
		snprintf(why, wlen, "serial-state %.900s: more than %llu bytes", path,
			 STATE_FILE_MAX);
	else if (rc != 0)
		snprintf(why, wlen, "serial-state %.900s: %s", path, strerror(-rc));
	return rc;
}

void ctl_state_read(const char *path, ctl_build_t *state)
{
	char why[1024], *text = NULL;
	const char *lines = NULL;
	unsigned long long seq;
	size_t len = 0, llen = 0, slot;
	int fd, rc, newest;

	/* Never a FIFO or a device (the start would wait on it), and bounded while it is read. */
	fd = rfile_open("serial-state ", path, O_RDONLY, 0, STATE_FILE_MAX, why, sizeof(why));
	if (fd < 0) {
		if (fd != -ENOENT)
			log_msg(LOG_WARNING, "%s (serials start from the files)", why);
		return;
	}
	rc = state_load(path, fd, &text, &len, why, sizeof(why));
	close(fd);
	if (rc != 0) {
		log_msg(LOG_WARNING, "%s (serials start from the files)", why);
		return;
	}
	if (!slots_of(text, len, &lines, &llen, &newest, &seq, &slot)) {
		state_lines(path, text, len, state); /* the first format: the lines alone */
	} else if (newest < 0) {
		log_msg(LOG_WARNING,
			"serial-state %s: neither of its two copies is whole (damaged): serials "
			"start from the files",
			path);
	} else {
		state_lines(path, lines, llen, state);
	}
	free(text);
}

/* B's lines into *OUT (malloc'd), *LEN octets; false without memory. */
static bool state_render(const ctl_build_t *b, char **out, size_t *len)
{
	FILE *f = open_memstream(out, len);

	if (f == NULL)
		return false;
	for (size_t i = 0; i < b->nzones; i++) {
		fprintf(f, "%s %lu %lu %016llx %s", b->zones[i].origin, b->zones[i].serial,
			b->zones[i].src_serial, (unsigned long long)b->zones[i].edits_hash,
			b->zones[i].dnssec ? "signed" : "unsigned");
		if (b->zones[i].catz_hash != 0)
			fprintf(f, " catalog %016llx", (unsigned long long)b->zones[i].catz_hash);
		fputc('\n', f);
	}
	if (fclose(f) != 0) {
		free(*out);
		*out = NULL;
		return false;
	}
	return true;
}

/* A new PATH of two slots of SLOT octets, the first holding LINES (LEN octets) as SEQ: written
 * beside it, fsync'd, renamed over it, the directory fsync'd. */
static int state_new_file(const char *path, size_t slot, unsigned long long seq, const char *lines,
			  size_t len, char *err, size_t errlen)
{
	char tmp[4096], *buf = calloc(2, slot);
	bool ok;
	int fd;

	if (buf == NULL) {
		snprintf(err, errlen, "serial-state %.900s: out of memory", path);
		return -ENOMEM;
	}
	slot_header(buf, (unsigned)slot, seq, lines, (unsigned)len);
	memcpy(buf + STATE_HDR_LEN, lines, len);
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.new", path) >= sizeof(tmp)) {
		free(buf);
		snprintf(err, errlen, "serial-state %.900s: path too long", path);
		return -ENAMETOOLONG;
	}
	/* What sits at TMP is replaced by a new file: a FIFO (or a socket, a device) left there
	 * must neither hold us nor make the write fail, which would stop the start (rfile.c). */
	(void)unlink(tmp);
	fd = rfile_open("serial-state ", tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0666, 0,
			err, errlen);
	if (fd < 0) {
		free(buf);
		return fd;
	}
	ok = pwrite(fd, buf, 2 * slot, 0) == (ssize_t)(2 * slot) && fsync(fd) == 0;
	ok = close(fd) == 0 && ok;
	free(buf);
	if (!ok || rename(tmp, path) != 0) {
		int e = errno;

		snprintf(err, errlen, "serial-state %.900s: cannot write: %s", path, strerror(e));
		unlink(tmp);
		return -e;
	}
	rfile_sync_dir(path);
	return SANDNS_EOK;
}

int ctl_state_write(const char *path, const ctl_build_t *b, char *err, size_t errlen)
{
	char *lines = NULL, *text = NULL, *buf;
	const char *cur = NULL;
	unsigned long long seq = 0;
	size_t len = 0, tlen = 0, clen, slot = 0;
	int fd, rc, newest = -1;
	bool ours;

	if (!state_render(b, &lines, &len)) {
		snprintf(err, errlen, "serial-state %.900s: out of memory", path);
		return -ENOMEM;
	}
	if (len > CTL_STATE_MAX) {
		free(lines);
		snprintf(err, errlen, "serial-state %.900s: more than %u bytes", path,
			 CTL_STATE_MAX);
		return SANDNS_ETOOBIG;
	}
	/* In place when the file is of two slots and the state fits one: the slot that does not
	 * hold the newest whole state is written (one pwrite, one fdatasync). */
	fd = rfile_open("serial-state ", path, O_RDWR | O_NOFOLLOW, 0, STATE_FILE_MAX, err, errlen);
	rc = fd >= 0 ? state_load(path, fd, &text, &tlen, err, errlen) : fd;
	ours = rc == 0 && slots_of(text, tlen, &cur, &clen, &newest, &seq, &slot) &&
	       slot >= STATE_SLOT_MIN && STATE_HDR_LEN + len <= slot;
	free(text);
	if (ours) {
		size_t at = newest == 0 ? slot : 0;

		buf = calloc(1, slot);
		ours = buf != NULL;
		if (buf != NULL) {
			slot_header(buf, (unsigned)slot, seq + 1, lines, (unsigned)len);
			memcpy(buf + STATE_HDR_LEN, lines, len);
			rc = pwrite(fd, buf, slot, (off_t)at) == (ssize_t)slot && fdatasync(fd) == 0
				 ? SANDNS_EOK
				 : -errno;
			if (rc != SANDNS_EOK)
				snprintf(err, errlen, "serial-state %.900s: cannot write: %s", path,
					 strerror(-rc));
			free(buf);
		}
	}
	if (fd >= 0)
		close(fd);
	if (!ours) {
		/* Slots that have room to double: a growing state is seldom written anew. */
		for (slot = STATE_SLOT_MIN; slot < 2 * (STATE_HDR_LEN + len); slot *= 2)
			;
		rc = state_new_file(path, slot, seq + 1, lines, len, err, errlen);
	}
	free(lines);
	return rc;
}

int ctl_build_save_serials(const cfg_t *cfg, const ctl_build_t *b, char *err, size_t errlen)
{
	char buf[4096];
	const char *path = ctl_state_path(cfg, buf, sizeof(buf));

	return path != NULL ? ctl_state_write(path, b, err, errlen) : SANDNS_EOK;
}
