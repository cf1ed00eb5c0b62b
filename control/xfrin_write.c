/* SPDX-License-Identifier: BSD-3-Clause */
/* xfrin_write.c: the writer thread: each secondary zone's copy written to its file once served */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "rfile.h"
#include "sandns_err.h"
#include "xfrin_pvt.h"
#include "xfrin_tab.h"

/* The zone whose copy is the next to write, or NULL (under the lock). */
static struct xz *next_write(xfrin_t *x)
{
	for (size_t i = x->wr_min; i < x->nz; i++)
		if (x->z[i].unsaved != NULL)
			return &x->z[(x->wr_min = i)];
	x->wr_min = x->nz; /* the first to write is found from the first zone it could be */
	return NULL;
}

/* Whether version GEN of ORIGIN (whose copy is PATH) is still the newest handed over. */
static bool newest(xfrin_t *x, const char *origin, const char *path, unsigned long inst,
		   unsigned long gen)
{
	bool same = false;

	pthread_mutex_lock(&x->lock);
	const struct xz *z = xtab_origin(x->ix, origin);

	same = z != NULL && z->inst == inst && strcmp(z->path, path) == 0 && z->gen == gen;
	pthread_mutex_unlock(&x->lock);
	return same;
}

/*
 * TMP, a copy of ORIGIN written, renamed to PATH while ORIGIN is still the zone INST (under the
 * lock: a reconfiguration that drops it waits, and whoever removes the copy of a zone dropped,
 * a catalog's member, does so after). Otherwise TMP goes: a member removed, or reset (its
 * unique label changed: the same origin and path, another zone), would get its stale copy back,
 * which a restart would serve. SANDNS_EOK, -ENOENT for a zone gone, or an error with the reason.
 */
static int put_copy(xfrin_t *x, const char *tmp, const char *origin, const char *path,
		    unsigned long inst, char *err, size_t errlen)
{
	const struct xz *z;
	int rc = -ENOENT;

	pthread_mutex_lock(&x->lock);
	z = xtab_origin(x->ix, origin);
	if (z != NULL && z->inst == inst && strcmp(z->path, path) == 0)
		rc = xfrin_file_put(tmp, path, err, errlen);
	pthread_mutex_unlock(&x->lock);
	if (rc == -ENOENT)
		(void)unlink(tmp);
	else if (rc == SANDNS_EOK)
		rfile_sync_dir(path); /* the rename must survive a power loss: the directory too */
	return rc;
}

/* The writer waits MS milliseconds, less when it is to stop. */
static void writer_wait(xfrin_t *x, unsigned ms)
{
	for (unsigned t = 0; t < ms && !__atomic_load_n(&x->wr_stop, __ATOMIC_RELAXED); t += 10)
		(void)poll(NULL, 0, 10);
}

/*
 * The writer: ZONE (version GEN of ORIGIN, whose copy is PATH) written. A failed write is tried
 * again (XFRIN_WRITE_TRIES in all, waiting longer each time) while no newer version came (that
 * one is written instead) and the daemon does not stop; each failure is logged, and the last.
 */
static void write_copy(xfrin_t *x, zload_zone_t *zone, const char *origin, const char *path,
		       unsigned long inst, unsigned long gen)
{
	uint64_t t0 = clock_now_ms();
	unsigned long serial = zload_serial(zone);
	char err[1024], tmp[4096];
	unsigned tries = 1;
	int rc;

	writer_wait(x, x->wr_delay_ms);
	while ((rc = xfrin_file_prepare(path, zone, tmp, sizeof(tmp), err, sizeof(err))) !=
		   SANDNS_EOK ||
	       (rc = put_copy(x, tmp, origin, path, inst, err, sizeof(err))) != SANDNS_EOK) {
		if (rc == -ENOENT) {
			log_msg(LOG_INFO,
				"zone %s: its copy of serial %lu is not written: it is no longer "
				"the zone configured",
				origin, serial);
			return;
		}
		if (tries >= XFRIN_WRITE_TRIES || __atomic_load_n(&x->wr_stop, __ATOMIC_RELAXED) ||
		    !newest(x, origin, path, inst, gen)) {
			/* serial-state says serial SERIAL was served: a restart does not serve the
			 * older copy (zsrc_load_served) but refreshes it from the primary. */
			log_msg(LOG_ERR,
				"zone %s: serial %lu is served but its copy is not written (try "
				"%u, given up until the next transfer; a restart answers SERVFAIL "
				"until the primary is asked): %s",
				origin, serial, tries, err);
			return;
		}
		log_msg(LOG_ERR,
			"zone %s: serial %lu is served but its copy is not written (try %u of %u, "
			"again in %u ms): %s",
			origin, serial, tries, XFRIN_WRITE_TRIES, 500u << (tries - 1), err);
		writer_wait(x, 500u << (tries - 1));
		tries++;
	}
	/* A mark an older sandnsd left beside the copy says nothing any more (serial-state does).
	 */
	xfrin_copy_forget(path);
	log_msg(LOG_INFO, "zone %s: copy written, serial %lu, %zu records, to %s (%llu ms)", origin,
		serial, zload_rr_count(zone), path, (unsigned long long)(clock_now_ms() - t0));
}

void *xfrin_writer_main(void *arg)
{
	xfrin_t *x = arg;

	pthread_mutex_lock(&x->lock);
	for (;;) {
		struct xz *z = next_write(x);
		zload_zone_t *zone;
		char *origin, *path;
		unsigned long inst, gen;

		if (z == NULL) {
			if (x->wr_stop)
				break; /* every copy served is written: stop */
			pthread_cond_wait(&x->wr_cv, &x->lock);
			continue;
		}
		zone = z->unsaved;
		z->unsaved = NULL;
		gen = z->gen;
		inst = z->inst;
		origin = strdup(z->origin);
		path = strdup(z->path);
		pthread_mutex_unlock(&x->lock);
		if (origin != NULL && path != NULL)
			write_copy(x, zone, origin, path, inst, gen);
		else
			log_msg(LOG_ERR, "zone %s: its copy is not written: out of memory",
				zload_origin(zone));
		zload_free(&zone);
		free(origin);
		free(path);
		pthread_mutex_lock(&x->lock);
	}
	pthread_mutex_unlock(&x->lock);
	return NULL;
}
