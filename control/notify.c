/* SPDX-License-Identifier: BSD-3-Clause */
/* notify.c: NOTIFY out (RFC 1996): one thread sends each zone's NOTIFY and retries it */
#include <arpa/inet.h>
#include <errno.h>
#include <ldns/ldns.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/eventfd.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <syslog.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "notify.h"
#include "origins.h"
#include "sandns_err.h"
#include "tsig.h"
#include "wire.h"
#include "zthread.h"

#define DNS_OPCODE_NOTIFY 4
#define DNS_TYPE_SOA 6
#define DNS_CLASS_IN 1
/* Log lines (answers, failures) at most this many a minute; the rest are counted. */
#define NOTIFY_LOG_PER_MIN 20

/* A zone with targets: the newest request for it (a mailbox, under the lock). */
struct nzone {
	char *origin; /* as configured */
	uint8_t *msg; /* the NOTIFY to send, no ID yet; NULL: nothing asked yet */
	size_t len;
	uint32_t serial;
	uint64_t gen; /* bumped by each request (under the lock) */
	size_t ntgts; /* its targets */
};

/* One secondary of one zone. */
struct ntgt {
	size_t zone; /* index into zones */
	struct sockaddr_storage ss;
	socklen_t sslen;
	char text[CFG_ADDR_TEXT];
	const tsig_key_t *key; /* TSIG key the NOTIFY is signed with (the cfg's), or NULL */
	tsig_ctx_t tsig;       /* the try in flight's signature, which its answer must match */
	int fd;		       /* the socket of its family */

	/* The thread's alone. */
	uint64_t want_gen;   /* the zone's request it must send */
	uint64_t active_gen; /* the request started last (sent, or done) */
	bool active;	     /* waiting for an answer */
	uint16_t id;
	unsigned tries;
	uint64_t deadline_ms; /* the next try, or the end */
	char last_err[48];    /* why the last try did not end it */
	uint8_t msg[NOTIFY_MSG_MAX];
	size_t len;
	uint32_t serial;

	notify_state_t st; /* what `status` sees (under the lock) */
};

struct notify {
	pthread_mutex_t lock;
	struct nzone *zones;
	size_t nzones;
	origins_t *by_origin; /* ZONES by origin (NULL: no memory, a pass), over NAMES */
	const char **names;
	struct ntgt *tgts;
	size_t ntgts;
	int fd4, fd6, efd;
	/* io dpdk: the sockets' source, a listen address of their family (port 0); family 0: none
	 */
	struct sockaddr_storage src4, src6;
	pthread_t tid;
	bool started;
	atomic_bool stop;
	size_t inflight; /* the thread's */
	notify_counters_t count;
	uint64_t log_window_ms; /* the minute the log lines are counted in */
	unsigned log_lines;
};

static struct nzone *zone_find(const notify_t *n, const char *origin)
{
	long i = n != NULL && n->by_origin != NULL ? origins_exact(n->by_origin, origin) : -1;

	if (i >= 0 || (n != NULL && n->by_origin != NULL))
		return i >= 0 ? &n->zones[i] : NULL;
	for (size_t i = 0; n != NULL && i < n->nzones; i++)
		if (cfg_same_origin(n->zones[i].origin, origin))
			return &n->zones[i];
	return NULL;
}

static int udp_socket(int family, char *err, size_t errlen)
{
	int one = 1, fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0) {
		snprintf(err, errlen, "notify: cannot open an IPv%c UDP socket: %s",
			 family == AF_INET ? '4' : '6', strerror(errno));
		return -1;
	}
	if (family == AF_INET6)
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	return fd;
}

notify_t *notify_new(const cfg_t *cfg, char *err, size_t errlen)
{
	notify_t *n = calloc(1, sizeof(*n));
	/* Per configured zone, its zone here + 1: the lines of a zone gathered without a pass. */
	size_t *of = calloc(cfg->nzones + 1, sizeof(*of));

	if (n == NULL)
		goto out_nomem;
	n->fd4 = n->fd6 = n->efd = -1;
	pthread_mutex_init(&n->lock, NULL);
	if (of == NULL)
		goto out_nomem;
	n->zones = calloc(cfg->nnotifies + 1, sizeof(*n->zones));
	n->tgts = calloc(cfg->nnotifies + 1, sizeof(*n->tgts));
	if (n->zones == NULL || n->tgts == NULL)
		goto out_nomem;
	for (size_t i = 0; i < cfg->nnotifies; i++) {
		const cfg_notify_t *c = &cfg->notifies[i];
		const long zi = cfg_zone_find(cfg, c->origin);
		struct nzone *z = zi < 0	? zone_find(n, c->origin)
				  : of[zi] == 0 ? NULL
						: &n->zones[of[zi] - 1];
		struct ntgt *t = &n->tgts[n->ntgts++];

		if (z == NULL) {
			z = &n->zones[n->nzones];
			/* Shown as served: with the final dot. */
			const size_t ol = strlen(c->origin);

			if (asprintf(&z->origin, "%s%s", c->origin,
				     ol > 0 && c->origin[ol - 1] == '.' ? "" : ".") < 0) {
				z->origin = NULL;
				goto out_nomem;
			}
			n->nzones++;
			if (zi >= 0)
				of[zi] = n->nzones;
		}
		z->ntgts++;
		t->zone = (size_t)(z - n->zones);
		memcpy(&t->ss, &c->addr.ss, sizeof(t->ss));
		t->sslen = c->addr.len;
		snprintf(t->text, sizeof(t->text), "%s", c->addr.text);
		t->key = c->key != NULL ? cfg_key_find(cfg, c->key) : NULL;
		snprintf(t->st.origin, sizeof(t->st.origin), "%s", z->origin);
		snprintf(t->st.target, sizeof(t->st.target), "%s", t->text);
		if (t->ss.ss_family == AF_INET && n->fd4 < 0)
			n->fd4 = udp_socket(AF_INET, err, errlen);
		else if (t->ss.ss_family == AF_INET6 && n->fd6 < 0)
			n->fd6 = udp_socket(AF_INET6, err, errlen);
		t->fd = t->ss.ss_family == AF_INET ? n->fd4 : n->fd6;
		if (t->fd < 0)
			goto out_free;
	}
	/*
	 * With io dpdk the host routes nothing to the secondaries but what leaves from the
	 * dataplane's addresses (dp_tap.c: a rule "from OUR-ADDRESS" through the TAP), and answers
	 * to those addresses on other ports come back through the TAP: send from one of them.
	 * With kernel sockets the kernel picks the source, as Knot does without `via`.
	 */
	n->names = calloc(n->nzones + 1, sizeof(*n->names));
	for (size_t i = 0; n->names != NULL && i < n->nzones; i++)
		n->names[i] = n->zones[i].origin;
	/* Without memory, zone_find() walks the zones. */
	n->by_origin = n->names != NULL ? origins_new(n->names, n->nzones) : NULL;
	free(of);
	of = NULL;
	cfg_dpdk_sources(cfg, &n->src4, &n->src6);
	n->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (n->efd < 0) {
		snprintf(err, errlen, "notify: cannot make an eventfd: %s", strerror(errno));
		goto out_free;
	}
	return n;

out_nomem:
	snprintf(err, errlen, "notify: out of memory");
out_free:
	free(of);
	notify_free(&n);
	return NULL;
}

size_t notify_zone_targets(const notify_t *n, const char *origin)
{
	const struct nzone *z = zone_find(n, origin);

	return z != NULL ? z->ntgts : 0;
}

size_t notify_target_count(const notify_t *n)
{
	return n != NULL ? n->ntgts : 0;
}

/* Skips the (possibly compressed) name at *OFF of MSG (LEN bytes); false when malformed. */
static bool skip_name(const uint8_t *msg, size_t len, size_t *off)
{
	wire_ctx_t c;

	wire_ctx_init(&c, msg, len);
	c.pos = msg + *off;
	wire_ctx_skip_name(&c);
	if (c.err != 0)
		return false;
	*off = (size_t)(c.pos - msg);
	return true;
}

size_t notify_build(const zt_t *zt, const char *origin, uint8_t *msg, size_t cap)
{
	static const zt_answer_ctx_t tcp = {.transport = ZT_TCP, .xfr_allowed = false};
	ldns_rdf *name = ldns_dname_new_frm_str(origin);
	uint8_t q[12 + 255 + 4] = {0, 0, 0, 0, 0, 1}; /* ID 0, QDCOUNT 1 */
	zt_answer_info_t info = {0};
	size_t qlen, rlen, off, end = 0;
	uint8_t *resp = NULL;

	if (zt == NULL || name == NULL || ldns_rdf_size(name) > 255)
		goto out;
	memcpy(q + 12, ldns_rdf_data(name), ldns_rdf_size(name));
	qlen = 12 + ldns_rdf_size(name);
	wire_put16(q + qlen, DNS_TYPE_SOA);
	wire_put16(q + qlen + 2, DNS_CLASS_IN);
	qlen += 4;
	resp = malloc(65535);
	if (resp == NULL)
		goto out;
	rlen = zt_answer(zt, q, qlen, resp, 65535, &tcp, &info);
	/* NOERROR, authoritative, the SOA first in the answer section. */
	if (rlen < qlen || (resp[3] & 0x0f) != 0 || (resp[2] & 0x04) == 0 ||
	    wire_get16(resp + 4) != 1 || wire_get16(resp + 6) < 1)
		goto out;
	off = qlen;
	if (!skip_name(resp, rlen, &off) || off + 10 > rlen ||
	    wire_get16(resp + off) != DNS_TYPE_SOA || off + 10 + wire_get16(resp + off + 8) > rlen)
		goto out;
	end = off + 10 + wire_get16(resp + off + 8);
	if (end > cap) {
		end = 0;
		goto out;
	}
	/* The SOA's names may point into the question or its owner: both are kept. */
	memcpy(msg, resp, end);
	msg[2] = (uint8_t)(DNS_OPCODE_NOTIFY << 3) | 0x04; /* QR 0, opcode NOTIFY, AA */
	msg[3] = 0;
	wire_put16(msg + 6, 1); /* ANCOUNT: the SOA */
	wire_put16(msg + 8, 0);
	wire_put16(msg + 10, 0);
out:
	free(resp);
	ldns_rdf_deep_free(name);
	return end;
}

size_t notify_zone(notify_t *n, const char *origin, uint32_t serial, const uint8_t *msg, size_t len)
{
	struct nzone *z = zone_find(n, origin);
	uint8_t *copy, *old;
	const uint64_t one = 1;

	if (z == NULL || len < 12 || len > NOTIFY_MSG_MAX)
		return 0;
	copy = malloc(len);
	if (copy == NULL) {
		log_msg(LOG_ERR, "NOTIFY %s: out of memory, not sent", origin);
		return 0;
	}
	memcpy(copy, msg, len);
	pthread_mutex_lock(&n->lock);
	old = z->msg;
	z->msg = copy;
	z->len = len;
	z->serial = serial;
	z->gen++;
	pthread_mutex_unlock(&n->lock);
	free(old);
	if (write(n->efd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		log_msg(LOG_ERR, "NOTIFY %s: cannot wake the notify thread: %s", origin,
			strerror(errno));
	return notify_zone_targets(n, origin);
}

bool notify_state(notify_t *n, size_t i, notify_state_t *out)
{
	if (n == NULL || i >= n->ntgts)
		return false;
	pthread_mutex_lock(&n->lock);
	*out = n->tgts[i].st;
	pthread_mutex_unlock(&n->lock);
	return true;
}

void notify_get_counters(notify_t *n, notify_counters_t *out)
{
	memset(out, 0, sizeof(*out));
	if (n == NULL)
		return;
	pthread_mutex_lock(&n->lock);
	*out = n->count;
	pthread_mutex_unlock(&n->lock);
}

/* FROM's target of TO's target T (same zone, same address), or NULL: through IX (FROM's targets by
 * origin) and NEXT (the next of the same origin, SIZE_MAX: none), else (NULL: no memory) a pass. */
static const struct ntgt *carried(const notify_t *from, const struct ntgt *t, const origins_t *ix,
				  const size_t *next)
{
	long first = ix != NULL ? origins_exact(ix, t->st.origin) : -1;

	for (size_t j = first < 0 ? SIZE_MAX : (size_t)first; ix != NULL && j != SIZE_MAX;
	     j = next[j])
		if (strcmp(t->text, from->tgts[j].text) == 0)
			return &from->tgts[j];
	for (size_t j = 0; ix == NULL && j < from->ntgts; j++)
		if (strcmp(t->text, from->tgts[j].text) == 0 &&
		    cfg_same_origin(t->st.origin, from->tgts[j].st.origin))
			return &from->tgts[j];
	return NULL;
}

void notify_carry(notify_t *to, notify_t *from)
{
	const char **names;
	size_t *next;
	origins_t *ix = NULL;

	if (to == NULL || from == NULL)
		return;
	/* FROM's targets by origin (targets of one zone chained in order): no pass per target. */
	names = calloc(from->ntgts + 1, sizeof(*names));
	next = calloc(from->ntgts + 1, sizeof(*next));
	pthread_mutex_lock(&from->lock);
	if (names != NULL && next != NULL) {
		for (size_t j = 0; j < from->ntgts; j++)
			names[j] = from->tgts[j].st.origin;
		ix = origins_new(names, from->ntgts);
	}
	if (ix != NULL && origins_chain(ix, names, from->ntgts, next) != 0) {
		origins_free(ix); /* without memory: a pass (carried()) */
		ix = NULL;
	}
	pthread_mutex_lock(&to->lock);
	to->count.sent += from->count.sent;
	to->count.ok += from->count.ok;
	to->count.failed += from->count.failed;
	to->count.superseded += from->count.superseded;
	to->count.waited += from->count.waited;
	to->count.stray += from->count.stray;
	to->count.log_dropped += from->count.log_dropped;
	/* A target kept (same zone, same address) shows its last outcome until its next NOTIFY. */
	for (size_t i = 0; i < to->ntgts; i++) {
		const struct ntgt *f;

		if (to->tgts[i].st.result != NOTIFY_NONE)
			continue;
		f = carried(from, &to->tgts[i], ix, next);
		if (f != NULL)
			to->tgts[i].st = f->st;
	}
	pthread_mutex_unlock(&to->lock);
	pthread_mutex_unlock(&from->lock);
	origins_free(ix);
	free(names);
	free(next);
}

/* ---------------------------------------------------------------- the thread */

/* A log line within the rate limit (NOTIFY_LOG_PER_MIN), else counted. Thread only. */
static bool log_allowed(notify_t *n, uint64_t now)
{
	if (now - n->log_window_ms >= 60000) {
		if (n->log_lines > NOTIFY_LOG_PER_MIN)
			log_msg(LOG_WARNING, "NOTIFY: %u log lines held back in the last minute",
				n->log_lines - NOTIFY_LOG_PER_MIN);
		n->log_window_ms = now;
		n->log_lines = 0;
	}
	if (n->log_lines++ < NOTIFY_LOG_PER_MIN)
		return true;
	pthread_mutex_lock(&n->lock);
	n->count.log_dropped++;
	pthread_mutex_unlock(&n->lock);
	return false;
}

static uint16_t random_id(void)
{
	uint16_t id;

	if (getrandom(&id, sizeof(id), GRND_NONBLOCK) != (ssize_t)sizeof(id))
		id = (uint16_t)(clock_now_ms() * 2654435761u >> 7);
	return id;
}

/*
 * The one place a request is finished before it goes out: its ID, then its TSIG signature with
 * T's key (RFC 8945), made again for each try (the time moves). Returns the length to send from
 * OUT (CAP bytes), 0 when it cannot be made.
 */
static size_t notify_finish(struct ntgt *t, uint8_t *out, size_t cap)
{
	size_t len = t->len;

	if (t->len > cap)
		return 0;
	memcpy(out, t->msg, t->len);
	wire_put16(out, t->id);
	if (t->key != NULL) {
		tsig_ctx_clear(&t->tsig);
		tsig_ctx_init(&t->tsig, 0);
		if (tsig_client_sign(&t->tsig, t->key, out, t->len, cap, &len) != 0)
			return 0;
	}
	return len;
}

/* Publishes T's state for `status`. */
static void publish_state(notify_t *n, struct ntgt *t, enum notify_result r, uint64_t now,
			  const char *reason)
{
	pthread_mutex_lock(&n->lock);
	t->st.result = r;
	t->st.serial = t->serial;
	t->st.tries = t->tries;
	t->st.when_ms = now;
	snprintf(t->st.reason, sizeof(t->st.reason), "%s", reason != NULL ? reason : "");
	if (r == NOTIFY_OK)
		n->count.ok++;
	else if (r == NOTIFY_FAILED)
		n->count.failed++;
	pthread_mutex_unlock(&n->lock);
}

/* One try: sends T's NOTIFY and sets when the next try (or the end) is due. */
static void send_try(notify_t *n, struct ntgt *t, uint64_t now)
{
	uint8_t out[NOTIFY_MSG_MAX];
	size_t len = notify_finish(t, out, sizeof(out));
	unsigned timeout = NOTIFY_TIMEOUT_MS << (t->tries < 3 ? t->tries : 3);

	if (timeout > NOTIFY_TIMEOUT_MAX_MS)
		timeout = NOTIFY_TIMEOUT_MAX_MS;
	t->tries++;
	t->deadline_ms = now + timeout;
	/* Published first: whoever sees the datagram sees the try counted. */
	publish_state(n, t, NOTIFY_SENDING, now, NULL);
	if (len == 0) {
		snprintf(t->last_err, sizeof(t->last_err), "cannot build the message");
	} else if (sendto(t->fd, out, len, 0, (const struct sockaddr *)&t->ss, t->sslen) < 0) {
		/* Counted as a try: the network may come back before the next. */
		snprintf(t->last_err, sizeof(t->last_err), "%s", strerror(errno));
	} else {
		pthread_mutex_lock(&n->lock);
		n->count.sent++;
		pthread_mutex_unlock(&n->lock);
	}
}

/* T's NOTIFY is over: answered (OK) or given up. */
static void finish(notify_t *n, struct ntgt *t, bool ok, uint64_t now)
{
	const char *origin = n->zones[t->zone].origin;

	t->active = false;
	n->inflight--;
	publish_state(n, t, ok ? NOTIFY_OK : NOTIFY_FAILED, now, ok ? NULL : t->last_err);
	if (!log_allowed(n, now))
		return;
	if (ok)
		log_msg(LOG_INFO, "NOTIFY %s to %s: serial %lu acknowledged (%u tr%s)", origin,
			t->text, (unsigned long)t->serial, t->tries, t->tries == 1 ? "y" : "ies");
	else
		log_msg(LOG_WARNING, "NOTIFY %s to %s: failed after %u tries (%s), serial %lu",
			origin, t->text, t->tries, t->last_err, (unsigned long)t->serial);
}

/* Takes the requests made since the last look: each target learns its zone's newest. */
static void take_requests(notify_t *n, uint64_t now)
{
	pthread_mutex_lock(&n->lock);
	for (size_t i = 0; i < n->ntgts; i++) {
		struct ntgt *t = &n->tgts[i];
		struct nzone *z = &n->zones[t->zone];

		if (z->msg == NULL || z->gen == t->active_gen)
			continue;
		t->want_gen = z->gen;
		if (t->active) {
			/* A newer serial replaces the one being sent: a new NOTIFY, its own place.
			 */
			n->count.superseded++;
		} else if (n->inflight >= NOTIFY_INFLIGHT) {
			if (t->st.result != NOTIFY_WAITING) {
				n->count.waited++;
				t->st.result = NOTIFY_WAITING;
				t->st.serial = z->serial;
				t->st.when_ms = now;
			}
			continue;
		} else {
			t->active = true;
			n->inflight++;
		}
		memcpy(t->msg, z->msg, z->len);
		t->len = z->len;
		t->serial = z->serial;
		t->active_gen = z->gen;
		t->id = random_id();
		t->tries = 0;
		t->deadline_ms = now; /* the first try goes now */
		t->last_err[0] = '\0';
	}
	pthread_mutex_unlock(&n->lock);
}

/* The tries due: a first one, a retry after a timeout or an error rcode, or the end. */
static void run_timers(notify_t *n, uint64_t now)
{
	for (size_t i = 0; i < n->ntgts; i++) {
		struct ntgt *t = &n->tgts[i];

		if (!t->active || t->deadline_ms > now)
			continue;
		if (t->tries > 0 && t->last_err[0] == '\0')
			snprintf(t->last_err, sizeof(t->last_err), "timeout");
		if (t->tries >= NOTIFY_TRIES)
			finish(n, t, false, now);
		else
			send_try(n, t, now);
	}
}

/* Whether question Q (at 12 in MSG, LEN bytes) is the NOTIFY's: the same name (any case), SOA, IN.
 */
static bool same_question(const struct ntgt *t, const uint8_t *msg, size_t len)
{
	size_t qn = wire_name_len(t->msg + 12), off = 12;

	if (wire_get16(msg + 4) != 1 || !skip_name(msg, len, &off) || off != 12 + qn ||
	    off + 4 > len)
		return false;
	/* skip_name accepted pointers: an echoed question has none (its first label starts it). */
	for (size_t k = 12; k < off; k += msg[k] + 1u)
		if ((msg[k] & 0xc0) != 0)
			return false;
	return wire_name_eq(msg + 12, t->msg + 12) && wire_get16(msg + off) == DNS_TYPE_SOA &&
	       wire_get16(msg + off + 2) == DNS_CLASS_IN;
}

static bool same_peer(const struct ntgt *t, const struct sockaddr_storage *from)
{
	if (from->ss_family != t->ss.ss_family)
		return false;
	if (from->ss_family == AF_INET) {
		const struct sockaddr_in *a = (const void *)from, *b = (const void *)&t->ss;

		return a->sin_port == b->sin_port && a->sin_addr.s_addr == b->sin_addr.s_addr;
	}
	const struct sockaddr_in6 *a = (const void *)from, *b = (const void *)&t->ss;

	return a->sin6_port == b->sin6_port &&
	       memcmp(&a->sin6_addr, &b->sin6_addr, sizeof(a->sin6_addr)) == 0;
}

/* The answers waiting on socket FD: NOERROR ends a NOTIFY; another rcode waits for a retry. */
static void read_answers(notify_t *n, int fd, uint64_t now)
{
	uint8_t buf[NOTIFY_MSG_MAX * 2];
	struct sockaddr_storage from;
	socklen_t flen;
	ssize_t got;

	for (int k = 0; k < 256; k++) {
		struct ntgt *t = NULL;

		flen = sizeof(from);
		got = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen);
		if (got < 0)
			return; /* EAGAIN, or an ICMP error reported: the timer retries */
		if (got < 12 || (buf[2] & 0x80) == 0 || ((buf[2] >> 3) & 0x0f) != DNS_OPCODE_NOTIFY)
			goto stray;
		for (size_t i = 0; i < n->ntgts && t == NULL; i++)
			if (n->tgts[i].active && n->tgts[i].tries > 0 &&
			    n->tgts[i].id == wire_get16(buf) && same_peer(&n->tgts[i], &from) &&
			    same_question(&n->tgts[i], buf, (size_t)got))
				t = &n->tgts[i];
		if (t == NULL)
			goto stray;
		/* Signed, its answer must carry the secondary's signature over our MAC. */
		if (t->key != NULL && tsig_client_verify(&t->tsig, buf, (size_t)got) != TSIG_OK) {
			snprintf(t->last_err, sizeof(t->last_err), "%s",
				 "answer not signed with its key");
			continue;
		}
		if ((buf[3] & 0x0f) == 0) {
			finish(n, t, true, now);
		} else {
			const char *name = ldns_pkt_rcode2str((ldns_pkt_rcode)(buf[3] & 0x0f));

			snprintf(t->last_err, sizeof(t->last_err), "%s",
				 name != NULL ? name : "error rcode");
			free((void *)name);
		}
		continue;
	stray:
		pthread_mutex_lock(&n->lock);
		n->count.stray++;
		pthread_mutex_unlock(&n->lock);
	}
}

static int next_timeout(const notify_t *n, uint64_t now)
{
	uint64_t next = UINT64_MAX;

	for (size_t i = 0; i < n->ntgts; i++)
		if (n->tgts[i].active && n->tgts[i].deadline_ms < next)
			next = n->tgts[i].deadline_ms;
	if (next == UINT64_MAX)
		return 60000; /* nothing in flight: the rate limit's minute at most */
	return next <= now ? 0 : (int)(next - now);
}

static void *notify_main(void *arg)
{
	notify_t *n = arg;
	struct pollfd pfd[3] = {
	    {.fd = n->efd, .events = POLLIN},
	    {.fd = n->fd4, .events = POLLIN},
	    {.fd = n->fd6, .events = POLLIN},
	};
	uint64_t drain;

	while (!atomic_load(&n->stop)) {
		uint64_t now = clock_now_ms();

		take_requests(n, now);
		run_timers(n, now);
		if (poll(pfd, 3, next_timeout(n, clock_now_ms())) < 0 && errno != EINTR)
			break;
		now = clock_now_ms();
		if (pfd[0].revents != 0)
			while (read(n->efd, &drain, sizeof(drain)) == (ssize_t)sizeof(drain))
				;
		for (int i = 1; i < 3; i++)
			if (pfd[i].fd >= 0 && pfd[i].revents != 0)
				read_answers(n, pfd[i].fd, now);
	}
	return NULL;
}

int notify_start(notify_t *n, char *err, size_t errlen)
{
	int rc;

	if (n == NULL || n->started || n->ntgts == 0)
		return SANDNS_EOK;
	/* io dpdk: the TAP has the addresses by now (the dataplane runs). */
	for (int f = 0; f < 2; f++) {
		const struct sockaddr_storage *src = f == 0 ? &n->src4 : &n->src6;
		const int fd = f == 0 ? n->fd4 : n->fd6;
		char text[CFG_ADDR_TEXT];

		if (fd < 0 || src->ss_family == 0)
			continue;
		if (bind(fd, (const struct sockaddr *)src,
			 src->ss_family == AF_INET ? sizeof(struct sockaddr_in)
						   : sizeof(struct sockaddr_in6)) != 0) {
			cfg_addr_format((const struct sockaddr *)src, text, sizeof(text));
			log_msg(LOG_WARNING,
				"NOTIFY: cannot send from %s (%s); the kernel picks the source",
				text, strerror(errno));
		}
	}
	rc = zthread_start(&n->tid, notify_main, n);
	if (rc != 0) {
		snprintf(err, errlen, "cannot start the notify thread: %s", strerror(rc));
		return -rc;
	}
	pthread_setname_np(n->tid, "sandns-notify");
	n->started = true;
	return SANDNS_EOK;
}

void notify_free(notify_t **np)
{
	notify_t *n;
	const uint64_t one = 1;

	if (np == NULL || *np == NULL)
		return;
	n = *np;
	if (n->started) {
		atomic_store(&n->stop, true);
		if (write(n->efd, &one, sizeof(one)) < 0)
			log_msg(LOG_ERR, "cannot wake the notify thread to stop it");
		pthread_join(n->tid, NULL);
	}
	for (size_t i = 0; i < n->nzones; i++) {
		free(n->zones[i].origin);
		free(n->zones[i].msg);
	}
	free(n->zones);
	origins_free(n->by_origin);
	free(n->names);
	for (size_t i = 0; i < n->ntgts; i++)
		tsig_ctx_clear(&n->tgts[i].tsig);
	free(n->tgts);
	if (n->fd4 >= 0)
		close(n->fd4);
	if (n->fd6 >= 0)
		close(n->fd6);
	if (n->efd >= 0)
		close(n->efd);
	pthread_mutex_destroy(&n->lock);
	free(n);
	*np = NULL;
}
