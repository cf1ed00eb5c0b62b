/* SPDX-License-Identifier: BSD-3-Clause */
/* loadgen.c: a fixed-rate UDP DNS load generator that checks every answer and times the gaps */
/*
 * sandns-loadgen [options] ADDR[@PORT]
 *
 * Sends NAME TYPE queries (no RD, no EDNS) at RATE per second for DURATION seconds from one
 * connected, non-blocking UDP socket, then waits DRAIN seconds for the last answers. Queries
 * are paced against CLOCK_MONOTONIC: every turn sends what is due by now (sendmmsg, so a turn
 * that came late catches up in one burst), reads whatever arrived (recvmmsg), then sleeps in
 * ppoll() until the next query is due, but at least TICK (--tick-us, 50 us), so that above
 * 1/TICK queries per second they leave in small bursts (5 per turn at 100k qps) instead of
 * the generator spinning: a spinning generator starves what shares its core, such as the
 * NAPI thread of a veth that brings its answers (whose 256-frame ring then overflows). Only a
 * wait shorter than SPIN_NS is spun through. Answers
 * are matched by message id against a table of 65536 send times: an id is reused after
 * 65536 / RATE seconds, so a query still unanswered then is given up (lost) - 3.3 s at 20k
 * qps, 0.66 s at 100k. A reply whose id is not pending (a duplicate, or after its id was
 * reused) counts as late, never as answered; so lost = sent - answered exactly.
 *
 * With --zone ORIGIN=FILE (repeatable) the queries are drawn at random from the zone's own
 * names instead: every (owner, type) of the file, and one made-up name under ORIGIN for every
 * eight of them (zonemix.c).
 *
 * With one name, every answer must be NOERROR, not truncated, echo the question, and, for TXT,
 * hold in the answer section exactly two TXT records at NAME of one version: "vN-a" and
 * "vN-b" (the design of tests/e2e/reload_load.py). Anything else (two versions mixed, one
 * record missing, another rcode) counts as mixed. With --zone, an answer counts as mixed when
 * it is truncated or does not echo its question; its rcode is counted either way. Arrival times are
 * the kernel's (SO_TIMESTAMPNS), so a generator that is late to read does not make a gap of its
 * own; the longest gap is the longest interval of the sending period [start, start + DURATION] with
 * no reply arriving, edges included. At the end one line on stdout:
 *
 *   sent=N answered=M lost=L mixed=X versions=v1,v2 longest_gap_ms=G p50_us=.. p99_us=..
 *   max_us=.. rate=R late=K send_errors=E longest_send_gap_ms=S longest_server_gap_ms=V
 *   gap_at_ms=T rcodes=NOERROR:N,NXDOMAIN:M,...
 *
 * Latencies run from just before sendmmsg() to the kernel's receive time of the answer. rate
 * is what was really sent per second; longest_send_gap_ms the longest the generator itself
 * went without sending (a pause of its own: preempted, or woken late); longest_server_gap_ms
 * the longest gap less the generator's part: a gap counts from the previous reply or from the
 * first query sent after it, whichever is later (unless the reply that ends it answers an
 * older query), so it is the time queries waited while nothing came back. gap_at_ms: where the
 * longest gap began, from the start. --gap-log MS prints every gap longer than MS on stderr
 * ("gap MS ms at T ms (epoch NS) server MS ms"), to set against the times of other events.
 * rcodes counts the answers by rcode (those seen only). Exit status: 0; 1 when nothing was
 * answered or most answers were errors (an rcode other than NOERROR and NXDOMAIN: the wrong
 * address, zone or name), said on stderr; 2 on a usage error.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "zonemix.h"

#define BATCH 64
#define PKT_MAX 4096
#define NIDS 65536
#define HIST_US 200000 /* latencies to 200 ms by the microsecond; above, in the last bucket */
#define SPIN_NS 3000   /* closer than this, the next send is waited for by spinning */
#define MAX_VERSIONS 16
#define SOCK_BUF (8 << 20)
/* send batches remembered, to tell the generator's pauses from the server's */
#define SRING 65536

#define TYPE_TXT 16
#define MAX_ZONES 16

struct opts {
	double rate, duration, drain, gap_log_ms;
	int64_t tick_ns;
	const char *name;
	uint16_t qtype;
	const char *zones[MAX_ZONES]; /* --zone ORIGIN=FILE */
	unsigned nzones;
	struct sockaddr_storage ss;
	socklen_t sslen;
};

struct stats {
	uint64_t sent, answered, mixed, late, send_errors;
	uint64_t rcodes[16];
	char versions[MAX_VERSIONS][16];
	unsigned nversions;
	uint32_t *hist; /* HIST_US + 1 buckets */
	uint64_t lat_max_ns;
	/* gaps, all in CLOCK_REALTIME nanoseconds */
	int64_t t0, tend, last_rx, gap_max, gap_at, srv_gap_max;
	int64_t last_send_mono, send_gap_max;
	int64_t *sring; /* the send times of the last SRING batches */
	uint64_t nsends;
};

struct pending {
	int64_t sent_ns; /* CLOCK_REALTIME; 0: not pending */
	uint32_t q;	 /* the question asked: an index in the mix */
};

static int64_t now_ns(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: sandns-loadgen [--rate QPS] [--duration S] [--drain S] [--name NAME]\n"
		   "                      [--type TXT|A|AAAA|MX|SOA|NS|SRV|N] [--gap-log MS] "
		   "[--tick-us US]\n"
		   "                      [--zone ORIGIN=FILE]... ADDR[@PORT]\n"
		   "  --rate QPS      queries per second (20000)\n"
		   "  --duration S    seconds of sending (10)\n"
		   "  --drain S       seconds to wait for the last answers (1)\n"
		   "  --name NAME     the query name (ver.example.com.)\n"
		   "  --type TYPE     the query type (TXT: answers must be one whole version)\n"
		   "  --gap-log MS    print every reply gap longer than MS ms on stderr\n"
		   "  --tick-us US    sleep at least US microseconds between turns (50; 0: spin)\n"
		   "  --zone ORIGIN=FILE  draw the queries from the zone's own names (repeatable;\n"
		   "                  instead of --name and --type)\n"
		   "  ADDR[@PORT]     an IPv4 or IPv6 address, port 53 when omitted\n");
}

/* Wire form of NAME into OUT (at most 255 bytes); its length, 0 when NAME is not a name. */
static size_t name_to_wire(const char *name, uint8_t *out)
{
	size_t len = 0, n = strlen(name);
	const char *p = name;

	if (n > 0 && name[n - 1] == '.')
		n--;
	while (n > 0) {
		const char *dot = memchr(p, '.', n);
		size_t l = dot != NULL ? (size_t)(dot - p) : n;

		if (l == 0 || l > 63 || len + l + 2 > 255)
			return 0;
		out[len++] = (uint8_t)l;
		memcpy(out + len, p, l);
		len += l;
		if (dot == NULL)
			break;
		n -= l + 1;
		p = dot + 1;
		if (n == 0)
			return 0; /* "a..": an empty label */
	}
	out[len++] = 0;
	return len;
}

static int parse_type(const char *s, uint16_t *type)
{
	static const struct {
		const char *name;
		uint16_t type;
	} types[] = {{"A", 1},	 {"NS", 2},   {"CNAME", 5}, {"SOA", 6},	 {"PTR", 12},
		     {"MX", 15}, {"TXT", 16}, {"AAAA", 28}, {"SRV", 33}, {"ANY", 255}};
	char *end;
	unsigned long v;
	size_t i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		if (strcasecmp(s, types[i].name) == 0) {
			*type = types[i].type;
			return 0;
		}
	}
	v = strtoul(s, &end, 10);
	if (*s == '\0' || *end != '\0' || v == 0 || v > 65535)
		return -1;
	*type = (uint16_t)v;
	return 0;
}

static int parse_addr(const char *arg, struct sockaddr_storage *ss, socklen_t *len)
{
	char host[128];
	const char *at = strrchr(arg, '@');
	unsigned long port = 53;
	size_t hl = at != NULL ? (size_t)(at - arg) : strlen(arg);
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

	if (hl == 0 || hl >= sizeof(host))
		return -1;
	memcpy(host, arg, hl);
	host[hl] = '\0';
	if (at != NULL) {
		char *end;

		port = strtoul(at + 1, &end, 10);
		if (at[1] == '\0' || *end != '\0' || port == 0 || port > 65535)
			return -1;
	}
	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		*len = sizeof(*s4);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		*len = sizeof(*s6);
		return 0;
	}
	return -1;
}

static int parse_double(const char *s, double min, double *out)
{
	char *end;
	double v = strtod(s, &end);

	if (*s == '\0' || *end != '\0' || !(v >= min) || v > 1e9)
		return -1;
	*out = v;
	return 0;
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
	    {"rate", required_argument, NULL, 'r'},    {"duration", required_argument, NULL, 'd'},
	    {"drain", required_argument, NULL, 'w'},   {"name", required_argument, NULL, 'n'},
	    {"type", required_argument, NULL, 't'},    {"gap-log", required_argument, NULL, 'g'},
	    {"tick-us", required_argument, NULL, 'k'}, {"zone", required_argument, NULL, 'z'},
	    {"help", no_argument, NULL, 'h'},	       {NULL, 0, NULL, 0}};
	double tick_us = 50;
	int c;

	o->rate = 20000;
	o->duration = 10;
	o->drain = 1;
	o->gap_log_ms = 0;
	o->name = "ver.example.com.";
	o->qtype = TYPE_TXT;
	o->nzones = 0;
	while ((c = getopt_long(argc, argv, "r:d:w:n:t:g:k:z:h", lo, NULL)) != -1) {
		switch (c) {
		case 'r':
			if (parse_double(optarg, 1, &o->rate) != 0)
				return -1;
			break;
		case 'd':
			if (parse_double(optarg, 0.001, &o->duration) != 0 || o->duration > 3600)
				return -1;
			break;
		case 'w':
			if (parse_double(optarg, 0, &o->drain) != 0 || o->drain > 60)
				return -1;
			break;
		case 'n':
			o->name = optarg;
			break;
		case 't':
			if (parse_type(optarg, &o->qtype) != 0)
				return -1;
			break;
		case 'g':
			if (parse_double(optarg, 0, &o->gap_log_ms) != 0)
				return -1;
			break;
		case 'k':
			if (parse_double(optarg, 0, &tick_us) != 0 || tick_us > 1e6)
				return -1;
			break;
		case 'z':
			if (o->nzones == MAX_ZONES)
				return -1;
			o->zones[o->nzones++] = optarg;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			return -1;
		}
	}
	if (optind + 1 != argc || parse_addr(argv[optind], &o->ss, &o->sslen) != 0)
		return -1;
	o->tick_ns = (int64_t)(tick_us * 1000);
	return 0;
}

/*
 * Bounded reading of a reply: a cursor with a sticky error, checked once per reply.
 */
struct cur {
	const uint8_t *p;
	size_t len, off;
	bool err;
};

static uint8_t cur_u8(struct cur *c)
{
	if (c->err || c->off + 1 > c->len) {
		c->err = true;
		return 0;
	}
	return c->p[c->off++];
}

static uint16_t cur_u16(struct cur *c)
{
	uint16_t v = (uint16_t)(cur_u8(c) << 8);

	return v | cur_u8(c);
}

static void cur_skip(struct cur *c, size_t n)
{
	if (c->err || c->off + n > c->len) {
		c->err = true;
		return;
	}
	c->off += n;
}

/*
 * Reads the (possibly compressed) name at the cursor into OUT, lower case, uncompressed;
 * leaves the cursor after it. Its length, 0 on a malformed name.
 */
static size_t cur_name(struct cur *c, uint8_t out[256])
{
	size_t pos = c->off, len = 0;
	bool jumped = false;
	unsigned hops = 0;

	for (;;) {
		uint8_t l;

		if (pos >= c->len)
			goto bad;
		l = c->p[pos];
		if ((l & 0xc0) == 0xc0) {
			if (pos + 1 >= c->len || ++hops > 64)
				goto bad;
			if (!jumped)
				c->off = pos + 2;
			jumped = true;
			pos = (size_t)((l & 0x3f) << 8 | c->p[pos + 1]);
			continue;
		}
		if (l > 63 || pos + 1 + l > c->len || len + 1 + l > 255)
			goto bad;
		out[len++] = l;
		for (size_t i = 0; i < l; i++)
			out[len++] = (uint8_t)tolower(c->p[pos + 1 + i]);
		pos += 1 + (size_t)l;
		if (l == 0)
			break;
	}
	if (!jumped)
		c->off = pos;
	return len;
bad:
	c->err = true;
	return 0;
}

static void version_seen(struct stats *st, const char *v, size_t vlen)
{
	unsigned i;

	for (i = 0; i < st->nversions; i++)
		if (strlen(st->versions[i]) == vlen && memcmp(st->versions[i], v, vlen) == 0)
			return;
	if (st->nversions < MAX_VERSIONS && vlen < sizeof(st->versions[0])) {
		memcpy(st->versions[st->nversions], v, vlen);
		st->versions[st->nversions][vlen] = '\0';
		st->nversions++;
	}
}

/*
 * True when REPLY (answering QUERY, QLEN bytes) is a clean answer: NOERROR, not truncated,
 * the same question; for TXT exactly "vN-a" and "vN-b" of one N at the name (then VER, 16
 * bytes, holds "vN", and *VLEN its length).
 */
static bool reply_clean(const uint8_t *reply, size_t len, const uint8_t *query, size_t qlen,
			const uint8_t *lname, size_t lnamelen, uint16_t qtype, bool any_rcode,
			char *ver, size_t *vlen)
{
	struct cur c = {.p = reply, .len = len, .off = 12};
	uint16_t ancount, i;
	unsigned nrec = 0, parts = 0;
	size_t vl = 0;

	if (len < qlen || (reply[2] & 0x80) == 0 || (reply[2] & 0x02) != 0 ||
	    (!any_rcode && (reply[3] & 0x0f) != 0))
		return false;
	/* qdcount 1 and the question as sent (the server echoes our case) */
	if (reply[4] != 0 || reply[5] != 1 || memcmp(reply + 12, query + 12, qlen - 12) != 0)
		return false;
	if (qtype != TYPE_TXT)
		return true;
	ancount = (uint16_t)(reply[6] << 8 | reply[7]);
	c.off = qlen;
	for (i = 0; i < ancount && !c.err; i++) {
		uint8_t owner[256];
		size_t olen = cur_name(&c, owner);
		uint16_t type = cur_u16(&c), rdlen;
		size_t rdend;

		cur_u16(&c);	 /* class */
		cur_skip(&c, 4); /* TTL */
		rdlen = cur_u16(&c);
		rdend = c.off + rdlen;
		if (c.err || rdend > len)
			return false;
		if (type == TYPE_TXT && olen == lnamelen && memcmp(owner, lname, olen) == 0) {
			/* the record's text: its character-strings joined */
			char text[64];
			size_t tl = 0, dash;

			while (c.off < rdend) {
				uint8_t sl = reply[c.off++];

				if (c.off + sl > rdend || tl + sl >= sizeof(text))
					return false;
				memcpy(text + tl, reply + c.off, sl);
				tl += sl;
				c.off += sl;
			}
			nrec++;
			/* "v<digits>-a" or "v<digits>-b" */
			if (tl < 4 || tl > 16 || text[0] != 'v' || text[tl - 2] != '-')
				return false;
			dash = tl - 2;
			for (size_t k = 1; k < dash; k++)
				if (!isdigit((unsigned char)text[k]))
					return false;
			if (vl == 0) {
				memcpy(ver, text, dash);
				vl = dash;
			} else if (vl != dash || memcmp(ver, text, dash) != 0) {
				return false;
			}
			if (text[tl - 1] == 'a')
				parts |= 1;
			else if (text[tl - 1] == 'b')
				parts |= 2;
			else
				return false;
		}
		c.off = rdend;
	}
	if (c.err || nrec != 2 || parts != 3)
		return false;
	*vlen = vl;
	return true;
}

/*
 * The query for Q into OUT (12 + 255 + 4 octets): id 0, no flags (no RD: as from another name
 * server), one question, class IN. Its length.
 */
static size_t render_query(const struct zonemix_q *q, uint8_t *out)
{
	size_t len = 12;

	memset(out, 0, 12);
	out[5] = 1;
	memcpy(out + len, q->name, q->name_len);
	len += q->name_len;
	out[len++] = (uint8_t)(q->type >> 8);
	out[len++] = (uint8_t)q->type;
	out[len++] = 0;
	out[len++] = 1;
	return len;
}

/* The kernel's receive time of MSG (CLOCK_REALTIME), or FALLBACK when it did not give one. */
static int64_t rx_time(struct msghdr *msg, int64_t fallback)
{
	struct cmsghdr *cm;

	for (cm = CMSG_FIRSTHDR(msg); cm != NULL; cm = CMSG_NXTHDR(msg, cm)) {
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_TIMESTAMPNS) {
			struct timespec ts;

			memcpy(&ts, CMSG_DATA(cm), sizeof(ts));
			return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
		}
	}
	return fallback;
}

/*
 * The first send (CLOCK_REALTIME) after T, from the ring of recent send times; INT64_MAX when
 * none was recorded after T.
 */
static int64_t first_send_after(const struct stats *st, int64_t t)
{
	uint64_t lo = st->nsends > SRING ? st->nsends - SRING : 0, hi = st->nsends;

	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;

		if (st->sring[mid % SRING] > t)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo < st->nsends ? st->sring[lo % SRING] : INT64_MAX;
}

/*
 * A reply (or the end edge) at T: the gap since the previous one, and its server's part. The
 * part before the generator's first send after the previous reply is the generator's own pause
 * (nothing was asked, nothing could come back), unless the reply at T answers an older query.
 */
static void note_arrival(struct stats *st, const struct opts *o, int64_t t)
{
	int64_t from, gap, srv_gap, s;

	if (t > st->tend)
		t = st->tend; /* only the sending period counts */
	if (t < st->last_rx)
		return;
	from = st->last_rx;
	gap = t - from;
	s = first_send_after(st, from);
	srv_gap = s >= t ? gap : t - (s > from ? s : from);
	if (gap > st->gap_max) {
		st->gap_max = gap;
		st->gap_at = from - st->t0;
	}
	if (srv_gap > st->srv_gap_max)
		st->srv_gap_max = srv_gap;
	if (o->gap_log_ms > 0 && gap > (int64_t)(o->gap_log_ms * 1e6))
		fprintf(stderr, "gap %.3f ms at %.3f ms (epoch %" PRId64 ") server %.3f ms\n",
			gap / 1e6, (from - st->t0) / 1e6, from, srv_gap / 1e6);
	st->last_rx = t;
}

static uint64_t percentile_us(const struct stats *st, double q)
{
	uint64_t want, seen = 0;
	size_t i;

	if (st->answered == 0)
		return 0;
	want = (uint64_t)(q * (double)st->answered + 0.5);
	if (want == 0)
		want = 1;
	for (i = 0; i <= HIST_US; i++) {
		seen += st->hist[i];
		if (seen >= want)
			return i;
	}
	return HIST_US;
}

/* " rcodes=NOERROR:N,..." of the rcodes seen, or " rcodes=-" when nothing was answered. */
static void print_rcodes(const struct stats *st)
{
	const char *sep = " rcodes=";
	char buf[16];

	for (unsigned rc = 0; rc < 16; rc++) {
		if (st->rcodes[rc] == 0)
			continue;
		printf("%s%s:%" PRIu64, sep, zonemix_rcode_name(rc, buf), st->rcodes[rc]);
		sep = ",";
	}
	if (st->answered == 0)
		printf("%s-", sep);
}

/* The exit status: 1, said on stderr, when nothing was answered or most answers were errors. */
static int verdict(const struct stats *st)
{
	uint64_t errors = 0;
	char buf[16];
	unsigned worst = 0;

	if (st->sent > 0 && st->answered == 0) {
		fprintf(stderr,
			"sandns-loadgen: FAILED: none of %" PRIu64
			" queries was answered (is the server at that address?)\n",
			st->sent);
		return 1;
	}
	for (unsigned rc = 0; rc < 16; rc++) {
		if (!zonemix_rcode_is_error(rc))
			continue;
		errors += st->rcodes[rc];
		if (!zonemix_rcode_is_error(worst) || st->rcodes[rc] > st->rcodes[worst])
			worst = rc;
	}
	if (errors * 2 > st->answered) {
		fprintf(stderr,
			"sandns-loadgen: FAILED: %" PRIu64 " of %" PRIu64
			" answers were errors, most %s (the wrong address, zone or name?)\n",
			errors, st->answered, zonemix_rcode_name(worst, buf));
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static struct pending pend[NIDS];
	static uint8_t sbufs[BATCH][PKT_MAX], rbufs[BATCH][PKT_MAX];
	static char rctl[BATCH][CMSG_SPACE(sizeof(struct timespec)) + 64];
	struct mmsghdr smsg[BATCH], rmsg[BATCH];
	struct iovec siov[BATCH], riov[BATCH];
	uint8_t query[12 + 255 + 4], lname[256];
	size_t qlen, lnamelen = 0, i;
	struct zonemix mix = {NULL, 0, 0};
	uint32_t rng = 0x2545f491u;
	char err[512];
	struct opts o;
	struct stats st;
	uint64_t total, next_id = 0;
	int64_t mono0, real0, end_mono, drain_end;
	const int one = 1, bufsz = SOCK_BUF;
	int fd;

	if (parse_opts(argc, argv, &o) != 0) {
		usage(stderr);
		return 2;
	}
	for (unsigned z = 0; z < o.nzones; z++) {
		if (zonemix_add(&mix, o.zones[z], err, sizeof(err)) != 0) {
			fprintf(stderr, "sandns-loadgen: %s\n", err);
			return 2;
		}
	}
	if (o.nzones == 0) {
		/* one name: the mix of one question */
		mix.q = calloc(1, sizeof(*mix.q));
		if (mix.q == NULL) {
			fprintf(stderr, "sandns-loadgen: out of memory\n");
			return 1;
		}
		lnamelen = name_to_wire(o.name, lname);
		if (lnamelen == 0) {
			fprintf(stderr, "sandns-loadgen: not a domain name: %s\n", o.name);
			return 2;
		}
		memcpy(mix.q[0].name, lname, lnamelen);
		mix.q[0].name_len = (uint8_t)lnamelen;
		mix.q[0].type = o.qtype;
		mix.n = mix.n_zone = 1;
		for (i = 0; i < lnamelen; i++)
			lname[i] = (uint8_t)tolower(lname[i]);
	}
	if (mix.n == 0) {
		fprintf(stderr, "sandns-loadgen: the zones have no names to ask\n");
		return 2;
	}
	memset(&st, 0, sizeof(st));
	st.hist = calloc(HIST_US + 1, sizeof(st.hist[0]));
	st.sring = calloc(SRING, sizeof(st.sring[0]));
	if (st.hist == NULL || st.sring == NULL) {
		fprintf(stderr, "sandns-loadgen: out of memory\n");
		return 1;
	}
	fd = socket(o.ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		perror("sandns-loadgen: socket");
		return 1;
	}
	/* FORCE works as root, past rmem_max; else the plain one, capped by the kernel */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bufsz, sizeof(bufsz)) != 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bufsz, sizeof(bufsz));
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &bufsz, sizeof(bufsz)) != 0)
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &bufsz, sizeof(bufsz));
	setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one));
	if (connect(fd, (struct sockaddr *)&o.ss, o.sslen) != 0) {
		perror("sandns-loadgen: connect");
		return 1;
	}
	/* ppoll() wakes when asked, not up to 50 us later */
	prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);

	for (i = 0; i < BATCH; i++) {
		siov[i].iov_base = sbufs[i];
		memset(&smsg[i], 0, sizeof(smsg[i]));
		smsg[i].msg_hdr.msg_iov = &siov[i];
		smsg[i].msg_hdr.msg_iovlen = 1;
		riov[i].iov_base = rbufs[i];
		riov[i].iov_len = PKT_MAX;
	}

	total = (uint64_t)(o.rate * o.duration + 0.5);
	mono0 = now_ns(CLOCK_MONOTONIC);
	real0 = now_ns(CLOCK_REALTIME);
	end_mono = mono0 + (int64_t)(o.duration * 1e9);
	drain_end = end_mono + (int64_t)(o.drain * 1e9);
	st.t0 = real0;
	st.tend = real0 + (int64_t)(o.duration * 1e9);
	st.last_rx = st.t0;
	st.last_send_mono = mono0;

	for (;;) {
		int64_t mono = now_ns(CLOCK_MONOTONIC), real, next_due;
		uint64_t due;
		int n;

		/* send what is due by now */
		due = mono >= end_mono ? total
				       : (uint64_t)((double)(mono - mono0) * o.rate / 1e9) + 1;
		if (due > total)
			due = total;
		while (st.sent + st.send_errors < due) {
			unsigned k, want = (unsigned)(due - st.sent - st.send_errors);
			uint32_t qis[BATCH];

			if (want > BATCH)
				want = BATCH;
			for (k = 0; k < want; k++) {
				uint16_t id = (uint16_t)(next_id + k);
				uint32_t qi = 0;

				if (mix.n > 1) {
					rng ^= rng << 13;
					rng ^= rng >> 17;
					rng ^= rng << 5;
					qi = rng % (uint32_t)mix.n;
				}
				siov[k].iov_len = render_query(&mix.q[qi], sbufs[k]);
				sbufs[k][0] = (uint8_t)(id >> 8);
				sbufs[k][1] = (uint8_t)id;
				qis[k] = qi;
			}
			real = now_ns(CLOCK_REALTIME);
			n = sendmmsg(fd, smsg, want, 0);
			if (n < 0) {
				if (errno == EINTR)
					continue;
				if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS)
					break; /* full: due again next turn */
				/* ECONNREFUSED (an ICMP from an earlier query) and the like: skip
				 * one */
				st.send_errors++;
				next_id++;
				continue;
			}
			for (k = 0; k < (unsigned)n; k++) {
				struct pending *p = &pend[(uint16_t)(next_id + k)];

				/* an id still pending after 65536 queries is given up: lost */
				p->sent_ns = real;
				p->q = qis[k];
			}
			next_id += (unsigned)n;
			st.sent += (unsigned)n;
			if (n > 0) {
				st.sring[st.nsends++ % SRING] = real;
				if (mono - st.last_send_mono > st.send_gap_max && mono <= end_mono)
					st.send_gap_max = mono - st.last_send_mono;
				st.last_send_mono = mono;
			}
			if ((unsigned)n < want)
				break;
		}

		/* read what arrived */
		for (;;) {
			for (i = 0; i < BATCH; i++) {
				memset(&rmsg[i].msg_hdr, 0, sizeof(rmsg[i].msg_hdr));
				rmsg[i].msg_hdr.msg_iov = &riov[i];
				rmsg[i].msg_hdr.msg_iovlen = 1;
				rmsg[i].msg_hdr.msg_control = rctl[i];
				rmsg[i].msg_hdr.msg_controllen = sizeof(rctl[i]);
			}
			n = recvmmsg(fd, rmsg, BATCH, MSG_DONTWAIT, NULL);
			if (n <= 0) {
				if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK &&
				    errno != EINTR && errno != ECONNREFUSED)
					perror("sandns-loadgen: recvmmsg");
				if (n < 0 && (errno == EINTR || errno == ECONNREFUSED))
					continue;
				break;
			}
			real = now_ns(CLOCK_REALTIME);
			for (i = 0; i < (size_t)n; i++) {
				const uint8_t *r = rbufs[i];
				size_t len = rmsg[i].msg_len;
				int64_t t = rx_time(&rmsg[i].msg_hdr, real), lat;
				struct pending *p;
				char ver[16];
				size_t vlen = 0;

				if (len < 12)
					continue;
				p = &pend[(uint16_t)(r[0] << 8 | r[1])];
				if (p->sent_ns == 0) {
					st.late++;
					continue;
				}
				lat = t - p->sent_ns;
				p->sent_ns = 0;
				st.answered++;
				st.rcodes[r[3] & 0x0f]++;
				qlen = render_query(&mix.q[p->q], query);
				if (lat < 0)
					lat = 0;
				if ((uint64_t)lat > st.lat_max_ns)
					st.lat_max_ns = (uint64_t)lat;
				st.hist[lat / 1000 > HIST_US ? HIST_US : lat / 1000]++;
				note_arrival(&st, &o, t);
				if ((rmsg[i].msg_hdr.msg_flags & MSG_TRUNC) != 0 ||
				    !reply_clean(r, len, query, qlen, lname, lnamelen,
						 o.nzones > 0 ? 0 : o.qtype, o.nzones > 0, ver,
						 &vlen))
					st.mixed++;
				else if (vlen != 0)
					version_seen(&st, ver, vlen);
			}
			if (n < BATCH)
				break;
		}

		mono = now_ns(CLOCK_MONOTONIC);
		if (st.sent + st.send_errors >= total) {
			/* draining: stop when everything is answered or the drain is over */
			if (st.answered >= st.sent || mono >= drain_end)
				break;
			next_due = drain_end;
		} else {
			/* the time the next query is due */
			next_due =
			    mono0 + (int64_t)((double)(st.sent + st.send_errors) * 1e9 / o.rate);
			if (next_due > end_mono)
				next_due = end_mono;
		}
		if (next_due < mono + o.tick_ns)
			next_due = mono + o.tick_ns;
		if (next_due - mono > SPIN_NS) {
			struct pollfd pfd = {.fd = fd, .events = POLLIN};
			int64_t wait = next_due - mono;
			struct timespec ts = {.tv_sec = wait / 1000000000,
					      .tv_nsec = wait % 1000000000};

			ppoll(&pfd, 1, &ts, NULL);
		}
	}
	/* the end edge: from the last reply to the end of the sending period */
	note_arrival(&st, &o, st.tend);

	printf("sent=%" PRIu64 " answered=%" PRIu64 " lost=%" PRIu64 " mixed=%" PRIu64 " versions=",
	       st.sent, st.answered, st.sent - st.answered, st.mixed);
	if (st.nversions == 0)
		printf("-");
	/* sorted, as reload_load.py prints them */
	for (unsigned a = 0; a < st.nversions; a++)
		for (unsigned b = a + 1; b < st.nversions; b++)
			if (strcmp(st.versions[b], st.versions[a]) < 0) {
				char tmp[16];

				memcpy(tmp, st.versions[a], sizeof(tmp));
				memcpy(st.versions[a], st.versions[b], sizeof(tmp));
				memcpy(st.versions[b], tmp, sizeof(tmp));
			}
	for (unsigned a = 0; a < st.nversions; a++)
		printf("%s%s", a ? "," : "", st.versions[a]);
	printf(" longest_gap_ms=%.3f p50_us=%" PRIu64 " p99_us=%" PRIu64 " max_us=%" PRIu64
	       " rate=%.0f late=%" PRIu64 " send_errors=%" PRIu64
	       " longest_send_gap_ms=%.3f longest_server_gap_ms=%.3f gap_at_ms=%.1f",
	       st.gap_max / 1e6, percentile_us(&st, 0.50), percentile_us(&st, 0.99),
	       st.lat_max_ns / 1000, (double)st.sent / o.duration, st.late, st.send_errors,
	       st.send_gap_max / 1e6, st.srv_gap_max / 1e6, st.gap_at / 1e6);
	print_rcodes(&st);
	printf("\n");
	free(st.hist);
	free(st.sring);
	zonemix_free(&mix);
	close(fd);
	return verdict(&st);
}
