/* SPDX-License-Identifier: BSD-3-Clause */
/* xfrin.c: the transfer thread: each secondary zone's SOA timers, refreshes and their state */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "sandns_err.h"
#include "xfrin.h"
#include "xfrin_pvt.h"
#include "xfrin_tab.h"
#include "zsrc.h"

#include <urcu-qsbr.h>

/* The same failure of a zone is logged again only after this long. */
#define XFRIN_LOG_EVERY_MS 300000
/* A new reason is logged, but not more often than this. */
#define XFRIN_LOG_CHANGED_MS 10000
/* Knot's floors (refresh-min-interval, retry-min-interval, expire-min-interval). */
#define XFRIN_REFRESH_MIN 2
#define XFRIN_RETRY_MIN 2
#define XFRIN_EXPIRE_MIN ZSRC_EXPIRE_MIN
#define XFRIN_TIMER_MAX (366UL * 86400)

static void set_timers(struct xz *z, unsigned long refresh, unsigned long retry,
		       unsigned long expire)
{
	z->refresh = refresh < XFRIN_REFRESH_MIN ? XFRIN_REFRESH_MIN
		     : refresh > XFRIN_TIMER_MAX ? XFRIN_TIMER_MAX
						 : refresh;
	z->retry = retry < XFRIN_RETRY_MIN   ? XFRIN_RETRY_MIN
		   : retry > XFRIN_TIMER_MAX ? XFRIN_TIMER_MAX
					     : retry;
	z->expire = expire < XFRIN_EXPIRE_MIN  ? XFRIN_EXPIRE_MIN
		    : expire > XFRIN_TIMER_MAX ? XFRIN_TIMER_MAX
					       : expire;
}

/* Whether a copy whose expire time is UNTIL (0: none) has expired at NOW (check_expiry()). */
static bool expired_at(time_t until, time_t now)
{
	return until != 0 && now > until;
}

/* Under the lock, after Z->ST changed: what xfrin_notify() compares a NOTIFY's serial with. */
static void cur_set(struct xz *z)
{
	__atomic_store_n(&z->cur_until, (int64_t)z->st.expire_time, __ATOMIC_RELEASE);
	__atomic_store_n(&z->cur, z->st.have && !z->st.expired ? 1ULL << 32 | z->st.serial : 0,
			 __ATOMIC_RELEASE);
}

/* Z made the secondary zone of configured zone I of CFG, nothing known of it yet. */
int xfrin_zone_init(struct xz *z, const cfg_t *cfg, size_t i, char *err, size_t errlen)
{
	static unsigned long insts;

	z->inst = __atomic_add_fetch(&insts, 1, __ATOMIC_RELAXED);
	z->zone = i;
	z->origin = cfg->zones[i].origin;
	z->path = cfg->zones[i].src.path;
	z->nprim = cfg_zone_primaries(cfg, i, z->prim, XFRIN_MAX_PRIMARIES);
	if (ldns_str2rdf_dname(&z->name, z->origin) != LDNS_STATUS_OK) {
		snprintf(err, errlen, "zone %s: not a domain name", z->origin);
		return SANDNS_ECONFIG;
	}
	ldns_dname2canonical(z->name);
	/* Until an SOA says otherwise (no copy yet): retry every 30 s. */
	set_timers(z, 3600, 30, 604800);
	z->want = WANT_REFRESH;
	return SANDNS_EOK;
}

xfrin_t *xfrin_new(const cfg_t *cfg, char *err, size_t errlen)
{
	xfrin_t *x = calloc(1, sizeof(*x));

	if (x == NULL)
		goto nomem;
	x->cfg = cfg;
	x->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	x->stop_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	x->event_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	x->want_min = SIZE_MAX;
	pthread_mutex_init(&x->lock, NULL);
	pthread_mutex_init(&x->waker_mu, NULL);
	pthread_cond_init(&x->wr_cv, NULL);
	/* Read by tests only (tests/e2e/secondary.sh): a crash between serving and writing. */
	if (getenv("SANDNS_TEST_XFRIN_WRITE_DELAY_MS") != NULL)
		x->wr_delay_ms =
		    (unsigned)strtoul(getenv("SANDNS_TEST_XFRIN_WRITE_DELAY_MS"), NULL, 10);
	x->z = calloc(cfg->nzones + 1, sizeof(*x->z));
	if (x->z == NULL)
		goto nomem;
	if (x->wake_fd < 0 || x->stop_fd < 0 || x->event_fd < 0) {
		snprintf(err, errlen, "secondary zones: eventfd: %s", strerror(errno));
		xfrin_free(&x);
		return NULL;
	}
	for (size_t i = 0; i < cfg->nzones; i++) {
		if (cfg->zones[i].src.kind != ZSRC_PRIMARY)
			continue;
		if (xfrin_zone_init(&x->z[x->nz], cfg, i, err, errlen) != SANDNS_EOK) {
			xfrin_free(&x);
			return NULL;
		}
		x->nz++;
	}
	x->tab = x->ix = xtab_new(cfg, x->z, x->nz, cfg->nzones);
	if (x->tab == NULL)
		goto nomem;
	xtab_index(x->tab, x->nz);
	return x;
nomem:
	snprintf(err, errlen, "out of memory");
	xfrin_free(&x);
	return NULL;
}

int xfrin_event_fd(const xfrin_t *x)
{
	return x->event_fd;
}

/*
 * When zone Z's copy (SB its stat) was last refreshed: its modification time, but now for one in
 * the future (a clock set back, a file restored or touched by hand), which would hold off its
 * expiry as long: a refresh is due at once anyway, and the copy expires after its expire from now
 * unless one succeeds. Logged, and the file touched so that a restart neither logs it again nor
 * counts from its own start again.
 */
static time_t refreshed_at(const struct xz *z, const struct stat *sb)
{
	time_t now = time(NULL);
	char t[32], t2[32];

	if (sb->st_mtime <= now)
		return sb->st_mtime;
	log_msg(LOG_WARNING,
		"zone %s: its copy %s was last modified at %s, after the clock (%s): counted as "
		"refreshed now, it expires in %lu s unless a refresh succeeds",
		z->origin, z->path, clock_utc((int64_t)sb->st_mtime, t, sizeof(t)),
		clock_utc((int64_t)now, t2, sizeof(t2)), z->expire);
	xfrin_file_touch(z->path);
	return now;
}

void xfrin_seed(xfrin_t *x, size_t zone, zload_zone_t *raw)
{
	struct xz *z = xtab_zone(x->ix, zone);
	unsigned long refresh, retry, expire;
	struct stat sb;

	if (z == NULL || raw == NULL)
		return;
	if (zsrc_soa_timers(raw, &refresh, &retry, &expire))
		set_timers(z, refresh, retry, expire);
	pthread_mutex_lock(&x->lock);
	zload_free(&z->mem);
	z->mem = zload_ref(raw); /* what the first IXFR applies to: no file read again */
	z->st.have = true;
	z->st.serial = (uint32_t)zload_serial(raw);
	/* The file's modification time is its last successful refresh (zsrc_load_served()). */
	if (stat(z->path, &sb) == 0)
		z->st.expire_time = refreshed_at(z, &sb) + (time_t)z->expire;
	cur_set(z);
	snprintf(z->st.last, sizeof(z->st.last), "loaded serial %u from %s", z->st.serial, z->path);
	pthread_mutex_unlock(&x->lock);
	/* The arrays the first IXFR's version takes, made now rather than during that IXFR. */
	zload_xfr_prepare(raw);
}

void xfrin_wake(int fd)
{
	uint64_t one = 1;

	/* A full counter (never in practice) already wakes the reader: nothing is lost. */
	(void)!write(fd, &one, sizeof(one));
}

/* Zone I of the table has its want flag set: the transfer thread looks from there on. */
static void want_from(xfrin_t *x, size_t i)
{
	size_t m = __atomic_load_n(&x->want_min, __ATOMIC_ACQUIRE);

	while (i < m && !__atomic_compare_exchange_n(&x->want_min, &m, i, false, __ATOMIC_ACQ_REL,
						     __ATOMIC_ACQUIRE))
		;
	xfrin_wake(x->wake_fd);
}

/* Asks for a reload of zone Z: of the reload thread (the waker) or the control thread. */
static void want_reload(xfrin_t *x, struct xz *z)
{
	__atomic_store_n(&z->reload, 1, __ATOMIC_RELEASE);
	pthread_mutex_lock(&x->waker_mu);
	x->waker != NULL ? x->waker(x->waker_arg) : xfrin_wake(x->event_fd);
	pthread_mutex_unlock(&x->waker_mu);
}

void xfrin_set_waker(xfrin_t *x, xfrin_waker_fn fn, void *arg)
{
	pthread_mutex_lock(&x->waker_mu);
	x->waker = fn;
	x->waker_arg = arg;
	pthread_mutex_unlock(&x->waker_mu);
}

size_t xfrin_take_reloads(xfrin_t *x, size_t *out, size_t max)
{
	uint64_t v;
	size_t n = 0;

	(void)!read(x->event_fd, &v, sizeof(v));
	for (size_t i = 0; i < x->nz && n < max; i++)
		if (__atomic_exchange_n(&x->z[i].reload, 0, __ATOMIC_ACQ_REL) != 0)
			out[n++] = x->z[i].zone;
	return n;
}

unsigned xfrin_again_s = 60;

void xfrin_reloaded(xfrin_t *x, size_t zone, const char *err, unsigned long served)
{
	struct xz *z = xtab_zone(x->ix, zone);
	zload_zone_t *w = NULL;
	size_t i;

	if (z == NULL)
		return;
	pthread_mutex_lock(&x->lock);
	snprintf(z->st.reload_err, sizeof(z->st.reload_err), "%s", err != NULL ? err : "");
	/* Failed: the copy stays held, newer than the one served, and is asked for again. */
	z->again = err != NULL ? time(NULL) + (time_t)xfrin_again_s : 0;
	/*
	 * Served: the writer may write the copy now, if it is the one served (SERVED, the serial
	 * serial-state now names: one handed over while the build ran waits for its own reload).
	 * Refused, it is not written: its file keeps the version served, which serial-state names,
	 * so a restart serves that one (a newer copy there would be refused as none this sandnsd
	 * served) and asks the primary.
	 */
	if (err == NULL && z->handed != NULL && zload_serial(z->handed) == served) {
		w = z->handed;
		z->handed = NULL;
	} else if (err == NULL) {
		/* One this job's reloads took, superseded while they built: served all the same. */
		zload_zone_t *const took[] = {z->lent, z->lent_first};

		for (size_t k = 0; w == NULL && k < 2; k++)
			if (took[k] != NULL && took[k] != z->unsaved &&
			    zload_serial(took[k]) == served)
				w = zload_ref(took[k]);
	}
	zload_free(&z->lent);
	zload_free(&z->lent_first);
	if (w != NULL) {
		zload_free(&z->unsaved);
		z->unsaved = w;
		i = ((uintptr_t)z - (uintptr_t)x->z) / sizeof(*z); /* not in X->Z: from 0 */
		x->wr_min = i >= x->nz ? 0 : i < x->wr_min ? i : x->wr_min;
		pthread_cond_signal(&x->wr_cv);
	}
	pthread_mutex_unlock(&x->lock);
}

/* xfrin_copy(), remembered as lent to a reload when LEND (the job's first reload: FIRST). */
static zload_zone_t *copy_of(xfrin_t *x, const char *origin, bool lend, bool first)
{
	zload_zone_t *z = NULL;

	if (x == NULL)
		return NULL;
	pthread_mutex_lock(&x->lock);
	struct xz *s = xtab_origin(x->ix, origin);

	if (s != NULL && lend && first)
		zload_free(&s->lent_first);
	if (s != NULL && s->mem != NULL && !s->st.expired) {
		z = zload_ref(s->mem);
		if (lend && first)
			s->lent_first = zload_ref(s->mem);
		if (lend) {
			zload_free(&s->lent);
			s->lent = zload_ref(s->mem);
		}
	}
	pthread_mutex_unlock(&x->lock);
	return z;
}

zload_zone_t *xfrin_copy(xfrin_t *x, const char *origin)
{
	return copy_of(x, origin, false, false);
}

zload_zone_t *xfrin_lend(xfrin_t *x, const char *origin, bool first)
{
	return copy_of(x, origin, true, first);
}

/* Whether FROM is at address A, the port aside (an IPv4-mapped IPv6 address as IPv4). */
bool xfrin_same_address(const struct sockaddr_storage *a, const struct sockaddr *from)
{
	const struct sockaddr_in6 *f6 = (const struct sockaddr_in6 *)from;

	if (a->ss_family == AF_INET && from->sa_family == AF_INET)
		return ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
		       ((const struct sockaddr_in *)from)->sin_addr.s_addr;
	if (a->ss_family == AF_INET && from->sa_family == AF_INET6)
		return IN6_IS_ADDR_V4MAPPED(&f6->sin6_addr) &&
		       memcmp(&f6->sin6_addr.s6_addr[12],
			      &((const struct sockaddr_in *)a)->sin_addr.s_addr, 4) == 0;
	return a->ss_family == AF_INET6 && from->sa_family == AF_INET6 &&
	       memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr, &f6->sin6_addr,
		      sizeof(f6->sin6_addr)) == 0;
}

bool xfrin_notify(xfrin_t *x, const uint8_t *msg, size_t len, const struct sockaddr *from,
		  const tsig_key_t *key, const uint32_t *serial)
{
	const struct xtab *tab = x != NULL ? rcu_dereference(x->tab) : NULL;
	struct xz *z;
	int was = WANT_NONE;

	/* A serving thread, inside its read-side section: TAB stays until its quiescent state. */
	if (tab == NULL || tab->nz == 0 || !cfg_notify_allowed(tab->cfg, from, key))
		return false;
	z = xtab_wire(tab, msg, len); /* no allocation, no lock */
	if (z == NULL)
		return false;
	/* The serial served already: an SOA check would find the copy up to date (as Knot says of
	 * an equal serial; a lower one is still checked, and its primary's age logged). A copy
	 * past its expire is checked even before check_expiry() marks it, which a long refresh of
	 * another zone delays: that check is what keeps it served. */
	if (serial != NULL &&
	    __atomic_load_n(&z->cur, __ATOMIC_ACQUIRE) == (1ULL << 32 | *serial) &&
	    !expired_at((time_t)__atomic_load_n(&z->cur_until, __ATOMIC_ACQUIRE), time(NULL))) {
		__atomic_fetch_add(&z->notifies, 1, __ATOMIC_RELAXED);
		__atomic_fetch_add(&z->uptodate, 1, __ATOMIC_RELAXED);
		return true;
	}
	/* The notifier, if one of the zone's primaries, is asked first: it has the new serial.
	 * Noted before the flag: a refresh that takes the flag finds it. */
	for (size_t i = 0; i < z->nprim; i++)
		if (xfrin_same_address(&z->prim[i]->addr.ss, from)) {
			__atomic_store_n(&z->notifier, (int)i + 1, __ATOMIC_RELEASE);
			break;
		}
	__atomic_store_n(&z->notified, serial != NULL ? 1ULL << 32 | *serial : 0, __ATOMIC_RELEASE);
	/* One flag per zone: a NOTIFY while one waits adds nothing but a count. */
	__atomic_compare_exchange_n(&z->want, &was, WANT_REFRESH, false, __ATOMIC_ACQ_REL,
				    __ATOMIC_ACQUIRE);
	/* Counted without the lock: a serving thread never waits here. */
	__atomic_fetch_add(&z->notifies, 1, __ATOMIC_RELAXED);
	if (was != WANT_NONE)
		__atomic_fetch_add(&z->coalesced, 1, __ATOMIC_RELAXED);
	want_from(x, (size_t)(z - tab->z));
	return true;
}

int xfrin_request(xfrin_t *x, const char *zone, bool axfr)
{
	struct xz *z = x != NULL ? xtab_origin(x->ix, zone) : NULL;

	if (z == NULL)
		return -ENOENT;
	if (axfr)
		__atomic_store_n(&z->want, WANT_AXFR, __ATOMIC_RELEASE);
	else
		__atomic_fetch_or(&z->want, WANT_REFRESH, __ATOMIC_ACQ_REL);
	want_from(x, (size_t)(z - x->ix->z));
	return SANDNS_EOK;
}

bool xfrin_zone_state(xfrin_t *x, size_t zone, xfrin_zstate_t *out)
{
	struct xz *z = x != NULL ? xtab_zone(x->ix, zone) : NULL;
	uint64_t now = clock_now_ms(), next;

	if (z == NULL)
		return false;
	pthread_mutex_lock(&x->lock);
	*out = z->st;
	pthread_mutex_unlock(&x->lock);
	out->notifies = __atomic_load_n(&z->notifies, __ATOMIC_RELAXED);
	out->notifies_coalesced = __atomic_load_n(&z->coalesced, __ATOMIC_RELAXED);
	out->notifies_uptodate = __atomic_load_n(&z->uptodate, __ATOMIC_RELAXED);
	next = __atomic_load_n(&z->next_ms, __ATOMIC_RELAXED);
	out->next_time = __atomic_load_n(&z->want, __ATOMIC_RELAXED) != WANT_NONE || next <= now
			     ? time(NULL)
			     : time(NULL) + (time_t)((next - now + 999) / 1000);
	return true;
}

/* The outcome of one refresh into the zone's state; a failure logged (not too often). */
static void note(xfrin_t *x, struct xz *z, bool ok, const char *what)
{
	uint64_t now = clock_now_ms();

	pthread_mutex_lock(&x->lock);
	z->st.last_time = time(NULL);
	z->st.last_ok = ok;
	snprintf(z->st.last, sizeof(z->st.last), "%s", what);
	if (!ok)
		z->st.failures++;
	pthread_mutex_unlock(&x->lock);
	if (ok) {
		z->logged[0] = '\0';
		z->logged_ms = 0;
		return;
	}
	/* The same reason again: every 5 minutes; another one: every 10 s at most. */
	if (z->logged_ms != 0 &&
	    now - z->logged_ms < (strncmp(z->logged, what, sizeof(z->logged) - 1) == 0
				      ? XFRIN_LOG_EVERY_MS
				      : XFRIN_LOG_CHANGED_MS))
		return;
	snprintf(z->logged, sizeof(z->logged), "%s", what);
	z->logged_ms = now;
	log_msg(LOG_WARNING, "zone %s: refresh failed, %s: %s", z->origin,
		z->st.have ? "serving the copy we have" : "nothing to serve yet (SERVFAIL)", what);
}

/* The copy is fresh again (checked or transferred): its expire starts over. */
static void refreshed(xfrin_t *x, struct xz *z)
{
	bool was_expired;

	pthread_mutex_lock(&x->lock);
	z->st.expire_time = time(NULL) + (time_t)z->expire;
	was_expired = z->st.expired;
	z->st.expired = false;
	cur_set(z);
	pthread_mutex_unlock(&x->lock);
	if (was_expired)
		want_reload(x, z);
}

/* A warning about a transferred zone (a duplicate record, an RRset too large...). */
static void zone_warn(void *ctx, const char *msg)
{
	log_msg(LOG_WARNING, "zone %s: %s", ((const struct xz *)ctx)->origin, msg);
}

/*
 * The version an IXFR of Z applies to: the one held, else (not seeded: none was loaded at start
 * when the first build read it) its copy read once from the file; NULL: AXFR. A reference.
 */
static zload_zone_t *ixfr_base(xfrin_t *x, struct xz *z)
{
	zload_zone_t *base;
	char err[512];

	pthread_mutex_lock(&x->lock);
	base = z->mem != NULL ? zload_ref(z->mem) : NULL;
	pthread_mutex_unlock(&x->lock);
	if (base != NULL)
		return base;
	base = zload_file(z->origin, z->path, NULL, NULL, err, sizeof(err));
	if (base == NULL)
		return NULL;
	pthread_mutex_lock(&x->lock);
	if (z->mem == NULL)
		z->mem = zload_ref(base);
	pthread_mutex_unlock(&x->lock);
	return base;
}

/*
 * NZ (taken over), the version just transferred, handed over: held (the next IXFR's base),
 * waiting for the writer, and a reload asked of the control thread, which serves it from here.
 * Nothing is written here: the publish that serves it first syncs serial-state, which then
 * says which serial of the copy was served; a restart does not serve a copy that is not it.
 */
static void hand_over(xfrin_t *x, struct xz *z, zload_zone_t *nz)
{
	zload_zone_t *old;

	pthread_mutex_lock(&x->lock);
	old = z->mem;
	z->mem = nz;
	/* One not yet served is superseded; one served and not yet written stays to be written
	 * (this one's build may refuse it). */
	zload_free(&z->handed);
	z->handed = zload_ref(nz);
	z->gen++;
	z->st.expired = false; /* served again at once (xfrin_copy) */
	cur_set(z);
	pthread_mutex_unlock(&x->lock);
	zload_free(&old);
	want_reload(x, z);
}

/* One transfer from P (IXFR when IXFR), handed over. XFRIN_OK/UPTODATE or an error. */
static int transfer(xfrin_t *x, struct xz *z, const cfg_primary_t *p, bool ixfr, char *why,
		    size_t whylen)
{
	const uint64_t max_bytes =
	    x->cfg->zone_max_size != 0 ? x->cfg->zone_max_size : (uint64_t)zload_text_max();
	uint32_t ours = z->st.serial, fresh;
	ldns_rr *soa = ixfr ? xfrin_ixfr_soa(z->name, ours) : NULL;
	zload_zone_t *base = ixfr ? ixfr_base(x, z) : NULL, *nz = NULL;
	uint64_t bytes, msgs;
	xfrin_apply_t a;
	char err[512] = "", source[96];
	bool refused = false;
	int rc;

	if (ixfr && soa == NULL) {
		snprintf(why, whylen, "out of memory");
		zload_free(&base);
		return XFRIN_FAIL;
	}
	snprintf(source, sizeof(source), "%s from %s", ixfr ? "IXFR" : "AXFR", p->addr.text);
	xfrin_apply_init(&a, z->name, ours, ixfr, base, source);
	rc = xfrin_tcp_transfer(p, z->name, soa, max_bytes, xfrin_apply_rr, &a, &bytes, &msgs, err,
				sizeof(err));
	ldns_rr_free(soa);
	if (rc == XFRIN_FAIL && xfrin_apply_soa_alone(&a)) {
		/* Its newer SOA alone, then the end (or silence): IXFR is not to be had there, and
		 * asking it again would fail the same way until the zone expires. */
		char cut[sizeof(err)];

		snprintf(cut, sizeof(cut), "%s", err);
		snprintf(err, sizeof(err), "a newer SOA (serial %u) alone, then nothing: %.400s",
			 xfrin_soa_field(a.soa, 2), cut);
		rc = XFRIN_FALLBACK;
	}
	if (rc == XFRIN_OK && a.uptodate) {
		xfrin_apply_clear(&a);
		zload_free(&base);
		return XFRIN_UPTODATE;
	}
	if (rc == XFRIN_OK) {
		/* Checked as a file load is: a zone that breaks the rules is refused whole. */
		nz = xfrin_apply_finish(&a, zone_warn, z, err, sizeof(err));
		refused = nz == NULL;
		if (nz == NULL)
			rc = XFRIN_FAIL;
	}
	zload_free(&base);
	if (rc == XFRIN_OK) {
		fresh = xfrin_soa_field(a.soa, 2);
		set_timers(z, xfrin_soa_field(a.soa, 3), xfrin_soa_field(a.soa, 4),
			   xfrin_soa_field(a.soa, 5));
		hand_over(x, z, nz);
	}
	if (rc != XFRIN_OK) {
		snprintf(why, whylen, "%s: %s%s", source,
			 refused ? "refused, the last good version stays served: " : "", err);
		xfrin_apply_clear(&a);
		return rc;
	}
	if (a.ixfr)
		snprintf(why, whylen, "IXFR from %s: serial %u -> %u (%zu changes), %zu records",
			 p->addr.text, ours, fresh, a.ndiffs, a.nrecs);
	else
		snprintf(why, whylen, "AXFR from %s: serial %u, %zu records, %llu octets",
			 p->addr.text, fresh, a.nrecs, (unsigned long long)bytes);
	pthread_mutex_lock(&x->lock);
	z->st.have = true;
	z->st.serial = fresh;
	cur_set(z);
	z->older_said = false; /* a primary older than this version is logged again */
	z->st.transfers++;
	if (a.ixfr)
		z->st.ixfrs++;
	pthread_mutex_unlock(&x->lock);
	xfrin_apply_clear(&a);
	log_msg(LOG_INFO, "zone %s: %s", z->origin, why);
	refreshed(x, z);
	return XFRIN_OK;
}

/*
 * The primary P answered Z's SOA check with SERIAL, not newer than ours: one older (RFC 1982; a
 * zone started again at a lower serial, or moved on by 2^31 or more) leaves our copy served for
 * good, which BIND and Knot log. Said once per such serial and copy of ours, at the warning
 * level.
 */
static void older(struct xz *z, const cfg_primary_t *p, uint32_t serial)
{
	if (serial == z->st.serial) {
		z->older_said = false;
		return;
	}
	if (z->older_said && z->older_serial == serial)
		return;
	z->older_said = true;
	z->older_serial = serial;
	log_msg(LOG_WARNING,
		"zone %s: %s has serial %u, older than ours (%u) as RFC 1982 compares them: our "
		"copy stays served (`sandnsctl zone-retransfer %s` takes the primary's)",
		z->origin, p->addr.text, serial, z->st.serial, z->origin);
}

/* Z's copy is as new as its primaries have: checked now, checked again after its refresh. */
static void up_to_date(xfrin_t *x, struct xz *z, const char *why)
{
	xfrin_file_touch(z->path);
	note(x, z, true, why);
	refreshed(x, z);
	__atomic_store_n(&z->next_ms, clock_now_ms() + z->refresh * 1000, __ATOMIC_RELAXED);
}

/*
 * Whether NOTIFIED (1 << 32 | a serial a NOTIFY gave, or 0) is newer than both HAVE, the copy's
 * serial, and SERIAL, a primary's: that primary is behind the one that NOTIFYed.
 */
static bool behind_notify(uint64_t notified, uint32_t have, uint32_t serial)
{
	const uint32_t n = (uint32_t)notified;

	return notified != 0 && (int32_t)(n - have) > 0 && (int32_t)(n - serial) > 0;
}

/*
 * An SOA check of Z, and a transfer when the primary is newer (or AXFR is asked for). One cut
 * by a stop is no failure: Z stays due, as asked, for the thread that starts again. A primary
 * behind the serial a NOTIFY gave leaves the question to the next ones (the one at the
 * notifier's address may be another than the notifier); the copy is up to date when none has
 * it.
 */
static void refresh(xfrin_t *x, struct xz *z, bool axfr)
{
	char why[1024] = "no primary", step[512], current[512] = "";
	size_t wl = 0, first = (size_t)__atomic_exchange_n(&z->notifier, 0, __ATOMIC_ACQ_REL);
	const uint64_t notified = __atomic_exchange_n(&z->notified, 0, __ATOMIC_ACQ_REL);
	bool newer = false; /* a primary had a newer version (its transfer failed) */

	/* The primary that NOTIFYed first (FIRST, 1-based), then the others in their order. */
	if (first > z->nprim)
		first = 0;
	for (size_t i = 0; i < z->nprim; i++) {
		const size_t k = first == 0 ? i : i == 0 ? first - 1 : i <= first - 1 ? i - 1 : i;
		const cfg_primary_t *p = z->prim[k];
		uint32_t serial;
		int rc;

		rc = xfrin_soa_query(p, z->name, &serial, NULL, step, sizeof(step));
		if (rc == XFRIN_OK && z->st.have && !axfr &&
		    (int32_t)(serial - z->st.serial) <= 0) {
			older(z, p, serial);
			if (current[0] == '\0')
				snprintf(current, sizeof(current),
					 "up to date at serial %u (%s has %u)", z->st.serial,
					 p->addr.text, serial);
			if (!behind_notify(notified, z->st.serial, serial)) {
				up_to_date(x, z, current);
				return;
			}
			snprintf(step, sizeof(step), "%s has %u, behind the NOTIFY's %u",
				 p->addr.text, serial, (uint32_t)notified);
			rc = XFRIN_UPTODATE; /* the next primary is asked */
		}
		if (rc == XFRIN_OK) {
			bool ixfr = z->st.have && !axfr;

			newer = true;
			rc = transfer(x, z, p, ixfr, step, sizeof(step));
			if (rc == XFRIN_FALLBACK) {
				log_msg(LOG_INFO, "zone %s: %s; AXFR instead", z->origin, step);
				rc = transfer(x, z, p, false, step, sizeof(step));
			}
			if (rc == XFRIN_UPTODATE) {
				snprintf(step, sizeof(step), "up to date at serial %u (%s)",
					 z->st.serial, p->addr.text);
				up_to_date(x, z, step);
				return;
			}
			if (rc == XFRIN_OK) {
				note(x, z, true, step);
				__atomic_store_n(&z->next_ms, clock_now_ms() + z->refresh * 1000,
						 __ATOMIC_RELAXED);
				return;
			}
		}
		if (xfrin_net_stopping()) {
			uint64_t zero = 0;
			int none = 0;

			/* The notifier and its serial too, unless a NOTIFY since named another. */
			if (first != 0)
				__atomic_compare_exchange_n(&z->notifier, &none, (int)first, false,
							    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
			__atomic_compare_exchange_n(&z->notified, &zero, notified, false,
						    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
			__atomic_fetch_or(&z->want, axfr ? WANT_AXFR : WANT_REFRESH,
					  __ATOMIC_ACQ_REL);
			return;
		}
		wl += (size_t)snprintf(why + (i == 0 ? 0 : wl), sizeof(why) - (i == 0 ? 0 : wl),
				       "%s%s", i == 0 ? "" : "; ", step);
		if (wl >= sizeof(why))
			wl = sizeof(why) - 1;
	}
	/* A primary had the copy's serial, none the NOTIFY's newer one (nor any newer at all):
	 * up to date, and why. */
	if (current[0] != '\0' && !newer) {
		log_msg(LOG_NOTICE, "zone %s: no primary has serial %u, which a NOTIFY gave: %s",
			z->origin, (uint32_t)notified, why);
		up_to_date(x, z, current);
		return;
	}
	note(x, z, false, why);
	__atomic_store_n(&z->next_ms, clock_now_ms() + z->retry * 1000, __ATOMIC_RELAXED);
}

/*
 * Zones whose copy outlived its expire: the control thread reloads them (they go SERVFAIL); and
 * zones whose copy's reload failed, due to be asked again (xfrin_reloaded()). Once a second (*LAST,
 * the second last checked): expiries are in seconds, and a pass over every zone after each refresh
 * made a sweep over many due zones cost zones x zones.
 */
static void check_expiry(xfrin_t *x, time_t *last)
{
	time_t now = time(NULL);

	if (now == *last)
		return;
	*last = now;
	for (size_t i = 0; i < x->nz; i++) {
		struct xz *z = &x->z[i];
		bool now_expired, again;

		pthread_mutex_lock(&x->lock);
		now_expired = z->st.have && !z->st.expired && expired_at(z->st.expire_time, now);
		if (now_expired) {
			z->st.expired = true;
			cur_set(z);
		}
		again = z->again != 0 && now >= z->again;
		if (again)
			z->again = 0;
		pthread_mutex_unlock(&x->lock);
		if (again) {
			log_msg(LOG_INFO, "zone %s: the reload of the transferred copy tried again",
				z->origin);
			want_reload(x, z);
		}
		if (now_expired) {
			log_msg(
			    LOG_ERR,
			    "zone %s: expired (no refresh from %s for %lu s): answered SERVFAIL",
			    z->origin, zsrc_where(&x->cfg->zones[z->zone].src), z->expire);
			want_reload(x, z);
		}
	}
}

static void *xfrin_main(void *arg)
{
	xfrin_t *x = arg;
	struct pollfd pfd[2] = {{.fd = x->wake_fd, .events = POLLIN},
				{.fd = x->stop_fd, .events = POLLIN}};
	time_t checked = 0;
	/*
	 * The first zone due (flagged, or its time come) is refreshed, as a pass from the first
	 * zone finds it; the zones below LO were not due when last looked at, and stay so until
	 * LO_NEXT (the earliest of their times) or a flag (want_min): a sweep over many due zones
	 * does not start from the first zone each time.
	 */
	size_t lo = 0, i, m;
	uint64_t lo_next = UINT64_MAX;

	for (;;) {
		uint64_t now = clock_now_ms(), next = now + 1000, v;
		struct xz *due = NULL;
		int want = WANT_NONE;

		m = __atomic_exchange_n(&x->want_min, SIZE_MAX, __ATOMIC_ACQ_REL);
		if (lo_next <= now) {
			lo = 0;
			lo_next = UINT64_MAX;
		}
		if (m < lo)
			lo = m; /* LO_NEXT still bounds the zones below M */
		for (i = lo; i < x->nz && due == NULL; i++) {
			struct xz *z = &x->z[i];

			want = __atomic_exchange_n(&z->want, WANT_NONE, __ATOMIC_ACQ_REL);
			if (want != WANT_NONE || z->next_ms <= now)
				due = z;
			else if (z->next_ms < lo_next)
				lo_next = z->next_ms;
		}
		lo = due != NULL ? i - 1 : x->nz;
		if (lo_next < next)
			next = lo_next;
		check_expiry(x, &checked);
		if (due != NULL) {
			refresh(x, due, (want & WANT_AXFR) != 0);
		} else {
			(void)poll(pfd, 2, (int)(next - now));
			(void)!read(x->wake_fd, &v, sizeof(v));
		}
		if (poll(&pfd[1], 1, 0) > 0)
			break;
	}
	return NULL;
}

int xfrin_start(xfrin_t *x, char *err, size_t errlen)
{
	int rc;

	x->armed = true;
	if (x->nz > 0 && !x->wr_started) {
		rc = pthread_create(&x->wr_tid, NULL, xfrin_writer_main, x);
		if (rc != 0) {
			snprintf(err, errlen,
				 "secondary zones: cannot start the copies' writer: %s",
				 strerror(rc));
			return -rc;
		}
		pthread_setname_np(x->wr_tid, "sandns-xfrwrite");
		x->wr_started = true;
	}
	if (x->nz == 0 || x->started)
		return SANDNS_EOK;
	xfrin_net_stop_fd(x->stop_fd);
	xfrin_net_sources(x->cfg);
	rc = pthread_create(&x->tid, NULL, xfrin_main, x);
	if (rc != 0) {
		snprintf(err, errlen, "secondary zones: cannot start the transfer thread: %s",
			 strerror(rc));
		return -rc;
	}
	x->started = true;
	return SANDNS_EOK;
}

void xfrin_free(xfrin_t **xp)
{
	xfrin_t *x;

	if (xp == NULL || *xp == NULL)
		return;
	x = *xp;
	if (x->started) {
		xfrin_wake(x->stop_fd);
		pthread_join(x->tid, NULL);
	}
	if (x->wr_started) {
		/* The copies served and not yet written are written before it ends. */
		pthread_mutex_lock(&x->lock);
		__atomic_store_n(&x->wr_stop, true, __ATOMIC_RELAXED);
		x->wr_min = 0;
		pthread_cond_signal(&x->wr_cv);
		pthread_mutex_unlock(&x->lock);
		pthread_join(x->wr_tid, NULL);
	}
	for (size_t i = 0; i < x->nz; i++) {
		if (x->z[i].handed != NULL)
			log_msg(LOG_INFO,
				"zone %s: its copy of serial %lu, never served, is not written: a "
				"restart serves the one before and asks the primary",
				x->z[i].origin, zload_serial(x->z[i].handed));
		ldns_rdf_deep_free(x->z[i].name);
		zload_free(&x->z[i].mem);
		zload_free(&x->z[i].handed);
		zload_free(&x->z[i].unsaved);
		zload_free(&x->z[i].lent);
		zload_free(&x->z[i].lent_first);
	}
	free(x->z);
	xtab_free(x->tab);
	xfrin_unprepare(x);
	if (x->wake_fd >= 0)
		close(x->wake_fd);
	if (x->stop_fd >= 0)
		close(x->stop_fd);
	if (x->event_fd >= 0)
		close(x->event_fd);
	pthread_mutex_destroy(&x->lock);
	pthread_mutex_destroy(&x->waker_mu);
	pthread_cond_destroy(&x->wr_cv);
	free(x);
	*xp = NULL;
}

void xfrin_unprepare(xfrin_t *x)
{
	free(x->prep.z);
	free(x->prep.from);
	xtab_free(x->prep.tab);
	memset(&x->prep, 0, sizeof(x->prep));
}
