/* SPDX-License-Identifier: BSD-3-Clause */
/* xfrin_net.c: asking a primary: the SOA query (UDP, TCP on TC), AXFR/IXFR over TCP, all bounded */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "clock.h"
#include "sandns_err.h"
#include "tsig.h"
#include "xfrin_pvt.h"

/*
 * ldns_wire2pkt() of a primary's message, which must have at most one TSIG, its last record
 * (RFC 8945 5.1; tsig_find()): libldns 1.8.3 keeps only the last of several and loses the
 * others' memory, which a primary could repeat message after message.
 */
static bool parse_msg(ldns_pkt **pkt, const uint8_t *wire, size_t len)
{
	size_t off;

	return tsig_find(wire, len, &off) >= 0 && ldns_wire2pkt(pkt, wire, len) == LDNS_STATUS_OK;
}

/*
 * The TSIG state of the exchange in progress: the transfer thread has one request out at a time
 * (an SOA query, then perhaps a transfer), each answered before the next is made.
 */
static tsig_ctx_t exch_tsig;
static const tsig_key_t *exch_key;

int xfrin_req_finish(const cfg_primary_t *p, ldns_pkt *req, uint8_t **wire, size_t *len, char *err,
		     size_t errlen)
{
	uint8_t *w;

	if (ldns_pkt2wire(wire, req, len) != LDNS_STATUS_OK) {
		snprintf(err, errlen, "out of memory");
		return XFRIN_FAIL;
	}
	tsig_ctx_clear(&exch_tsig);
	exch_key = p->tkey;
	if (exch_key == NULL)
		return XFRIN_OK;
	/* Signed with the primary's key (RFC 8945); its answers must be signed with it too. */
	w = realloc(*wire, *len + XFRIN_TSIG_ROOM);
	if (w == NULL) {
		snprintf(err, errlen, "out of memory");
		return XFRIN_FAIL;
	}
	*wire = w;
	tsig_ctx_init(&exch_tsig, 0);
	if (tsig_client_sign(&exch_tsig, exch_key, w, *len, *len + XFRIN_TSIG_ROOM, len) != 0) {
		snprintf(err, errlen, "%s: the request cannot be signed", p->addr.text);
		return XFRIN_FAIL;
	}
	return XFRIN_OK;
}

bool xfrin_exchange_signed_whole(void)
{
	return exch_key == NULL || tsig_client_done(&exch_tsig);
}

int xfrin_msg_check(const cfg_primary_t *p, const ldns_pkt *req, const uint8_t *wire, size_t len,
		    const ldns_pkt *msg, bool first, char *err, size_t errlen)
{
	const ldns_rr_list *q = ldns_pkt_question(msg);
	const ldns_rr *rq = ldns_rr_list_rr(ldns_pkt_question(req), 0);
	char rcode[32];

	int t;

	if (ldns_pkt_id(msg) != ldns_pkt_id(req) || !ldns_pkt_qr(msg) ||
	    ldns_pkt_get_opcode(msg) != LDNS_PACKET_QUERY) {
		snprintf(err, errlen, "%s: a message that is not the answer to our query",
			 p->addr.text);
		return XFRIN_FAIL;
	}
	/* Signed request: WIRE (as received) verified, every message of a transfer (up to 99
	 * unsigned in a row, each covered by the next signed one: RFC 8945 5.3.1). */
	t = exch_key != NULL ? tsig_client_verify(&exch_tsig, wire, len) : TSIG_OK;
	if (t != TSIG_OK) {
		snprintf(err, errlen, "%s: TSIG with key %s: %s", p->addr.text, exch_key->text,
			 t < 0		     ? "a malformed TSIG record"
			 : t == TSIG_BADKEY  ? "BADKEY (the primary does not know the key)"
			 : t == TSIG_BADTIME ? "BADTIME (the clocks differ)"
					     : "BADSIG (a wrong or missing signature)");
		return XFRIN_FAIL;
	}
	/* The first message echoes the question; later ones may leave it out (RFC 5936 2.2). */
	if ((first && ldns_rr_list_rr_count(q) != 1) || ldns_rr_list_rr_count(q) > 1 ||
	    (ldns_rr_list_rr_count(q) == 1 &&
	     (ldns_dname_compare(ldns_rr_owner(ldns_rr_list_rr(q, 0)), ldns_rr_owner(rq)) != 0 ||
	      ldns_rr_get_type(ldns_rr_list_rr(q, 0)) != ldns_rr_get_type(rq) ||
	      ldns_rr_get_class(ldns_rr_list_rr(q, 0)) != LDNS_RR_CLASS_IN))) {
		snprintf(err, errlen, "%s: the answer's question is not ours", p->addr.text);
		return XFRIN_FAIL;
	}
	if (ldns_pkt_get_rcode(msg) != LDNS_RCODE_NOERROR) {
		const ldns_lookup_table *t =
		    ldns_lookup_by_id(ldns_rcodes, (int)ldns_pkt_get_rcode(msg));

		snprintf(rcode, sizeof(rcode), "%s", t != NULL ? t->name : "an unknown rcode");
		snprintf(err, errlen, "%s answered %s", p->addr.text, rcode);
		return XFRIN_FAIL;
	}
	return XFRIN_OK;
}

/* Readable for good once the transfer thread must stop: every wait ends then. */
static int stop_fd = -1;

void xfrin_net_stop_fd(int fd)
{
	stop_fd = fd;
}

bool xfrin_net_stopping(void)
{
	struct pollfd pfd = {.fd = stop_fd, .events = POLLIN};

	return stop_fd >= 0 && poll(&pfd, 1, 0) > 0;
}

/* io dpdk: the source address per family (port 0); family 0: none, the kernel picks. */
static struct sockaddr_storage src4, src6;

void xfrin_net_sources(const cfg_t *cfg)
{
	cfg_dpdk_sources(cfg, &src4, &src6);
}

/* Milliseconds left until DEADLINE (at least 1 while it is not reached; 0 once it is). */
static int left_ms(uint64_t deadline)
{
	uint64_t now = clock_now_ms();

	return now >= deadline ? 0 : (int)(deadline - now);
}

/* Waits until FD is ready for EVENTS; false on a timeout (DEADLINE) or an error. */
static bool wait_fd(int fd, short events, uint64_t deadline)
{
	struct pollfd pfd[2] = {{.fd = fd, .events = events}, {.fd = stop_fd, .events = POLLIN}};
	int ms, r;

	for (;;) {
		ms = left_ms(deadline);
		if (ms == 0)
			return false;
		r = poll(pfd, stop_fd >= 0 ? 2 : 1, ms);
		if (r > 0)
			return pfd[1].revents == 0 || stop_fd < 0;
		if (r < 0 && errno != EINTR)
			return false;
	}
}

/* Moves LEN octets (write when OUT); SANDNS_EOK, -ETIMEDOUT, -ECONNRESET (EOF) or -errno. */
static int io_full(int fd, uint8_t *buf, size_t len, bool out, uint64_t total_deadline)
{
	uint64_t deadline;

	while (len > 0) {
		ssize_t n;

		deadline = clock_now_ms() + XFRIN_IO_MS;
		if (deadline > total_deadline)
			deadline = total_deadline;
		if (!wait_fd(fd, out ? POLLOUT : POLLIN, deadline))
			return -ETIMEDOUT;
		n = out ? send(fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT)
			: recv(fd, buf, len, MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -ECONNRESET;
		buf += n;
		len -= (size_t)n;
	}
	return SANDNS_EOK;
}

/* A socket of TYPE connected to P (TCP: within XFRIN_CONNECT_MS); -1 with the reason. */
static int peer_socket(const cfg_primary_t *p, int type, char *err, size_t errlen)
{
	int fd = socket(p->addr.ss.ss_family, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	const struct sockaddr_storage *src;
	int soerr = 0;
	socklen_t sl = sizeof(soerr);

	if (fd < 0) {
		snprintf(err, errlen, "%s: socket: %s", p->addr.text, strerror(errno));
		return -1;
	}
	src = p->addr.ss.ss_family == AF_INET ? &src4 : &src6;
	if (src->ss_family != 0 &&
	    bind(fd, (const struct sockaddr *)src,
		 src->ss_family == AF_INET ? sizeof(struct sockaddr_in)
					   : sizeof(struct sockaddr_in6)) != 0) {
		snprintf(err, errlen, "%s: cannot send from our listen address: %s", p->addr.text,
			 strerror(errno));
		close(fd);
		return -1;
	}
	if (connect(fd, (const struct sockaddr *)&p->addr.ss, p->addr.len) == 0)
		return fd;
	if (errno != EINPROGRESS) {
		snprintf(err, errlen, "%s: connect: %s", p->addr.text, strerror(errno));
		close(fd);
		return -1;
	}
	if (!wait_fd(fd, POLLOUT, clock_now_ms() + XFRIN_CONNECT_MS)) {
		snprintf(err, errlen, "%s: no connection within %d ms", p->addr.text,
			 XFRIN_CONNECT_MS);
		close(fd);
		return -1;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) != 0 || soerr != 0) {
		snprintf(err, errlen, "%s: connect: %s", p->addr.text,
			 strerror(soerr != 0 ? soerr : errno));
		close(fd);
		return -1;
	}
	return fd;
}

ldns_rr *xfrin_ixfr_soa(const ldns_rdf *zone, uint32_t serial)
{
	ldns_rr *rr = ldns_rr_new_frm_type(LDNS_RR_TYPE_SOA);
	ldns_rdf *owner = ldns_rdf_clone(zone);
	bool ok = rr != NULL && owner != NULL && ldns_rr_rd_count(rr) == 7;

	if (rr != NULL && owner != NULL) {
		ldns_rr_set_owner(rr, owner);
		owner = NULL;
	}
	ldns_rdf_deep_free(owner);
	/* MNAME and RNAME the root, the serial, then refresh, retry, expire and minimum 0. */
	for (size_t i = 0; ok && i < 7; i++) {
		ldns_rdf *f = i < 2    ? ldns_dname_new_frm_str(".")
			      : i == 2 ? ldns_native2rdf_int32(LDNS_RDF_TYPE_INT32, serial)
				       : ldns_native2rdf_int32(LDNS_RDF_TYPE_PERIOD, 0);

		ok = f != NULL;
		ldns_rdf_deep_free(ldns_rr_set_rdf(rr, f, i));
	}
	if (!ok) {
		ldns_rr_free(rr);
		return NULL;
	}
	ldns_rr_set_ttl(rr, 0);
	ldns_rr_set_class(rr, LDNS_RR_CLASS_IN);
	return rr;
}

/* A query for ZONE TYPE (IXFR: with OURS in the authority section), finished to go out. */
static ldns_pkt *make_query(const cfg_primary_t *p, const ldns_rdf *zone, ldns_rr_type type,
			    const ldns_rr *ours, uint8_t **wire, size_t *len, char *err,
			    size_t errlen)
{
	ldns_pkt *q = ldns_pkt_query_new(ldns_rdf_clone(zone), type, LDNS_RR_CLASS_IN, 0);
	ldns_rr *soa;

	if (q == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	ldns_pkt_set_id(q, ldns_get_random());
	if (ours != NULL) {
		soa = ldns_rr_clone(ours);
		if (soa == NULL || !ldns_pkt_push_rr(q, LDNS_SECTION_AUTHORITY, soa)) {
			ldns_rr_free(soa);
			ldns_pkt_free(q);
			snprintf(err, errlen, "out of memory");
			return NULL;
		}
	}
	if (xfrin_req_finish(p, q, wire, len, err, errlen) != XFRIN_OK) {
		ldns_pkt_free(q);
		return NULL;
	}
	return q;
}

/* Reads one length-prefixed message into BUF (65535 octets); its length, or -errno. */
static int tcp_read_msg(int fd, uint8_t *buf, uint64_t total_deadline)
{
	uint8_t lb[2];
	size_t len;
	int rc = io_full(fd, lb, 2, false, total_deadline);

	if (rc != SANDNS_EOK)
		return rc;
	len = (size_t)lb[0] << 8 | lb[1];
	if (len < 12)
		return -EBADMSG;
	rc = io_full(fd, buf, len, false, total_deadline);
	return rc != SANDNS_EOK ? rc : (int)len;
}

static const char *io_reason(int rc)
{
	if (rc == -ETIMEDOUT)
		return "timed out";
	if (rc == -ECONNRESET)
		return "the primary closed the connection";
	if (rc == -EBADMSG)
		return "a message shorter than a DNS header";
	return strerror(-rc);
}

/* The SOA in MSG's answer for ZONE: serial into *SERIAL, a copy into *SOA (if asked). */
static int soa_from(const cfg_primary_t *p, const ldns_pkt *msg, const ldns_rdf *zone,
		    uint32_t *serial, ldns_rr **soa, char *err, size_t errlen)
{
	const ldns_rr_list *an = ldns_pkt_answer(msg);

	for (size_t i = 0; i < ldns_rr_list_rr_count(an); i++) {
		ldns_rr *rr = ldns_rr_list_rr(an, i);

		if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_SOA || ldns_rr_rd_count(rr) != 7 ||
		    ldns_dname_compare(ldns_rr_owner(rr), zone) != 0)
			continue;
		*serial = xfrin_soa_field(rr, 2);
		if (soa != NULL && (*soa = ldns_rr_clone(rr)) == NULL) {
			snprintf(err, errlen, "out of memory");
			return XFRIN_FAIL;
		}
		return XFRIN_OK;
	}
	snprintf(err, errlen, "%s: no SOA for the zone in its answer%s", p->addr.text,
		 ldns_pkt_aa(msg) ? "" : " (not authoritative: does it serve the zone?)");
	return XFRIN_FAIL;
}

/* The SOA query over TCP (the UDP answer was truncated). */
static int soa_tcp(const cfg_primary_t *p, const ldns_pkt *q, const uint8_t *wire, size_t wlen,
		   ldns_pkt **ans, char *err, size_t errlen)
{
	uint64_t deadline = clock_now_ms() + XFRIN_CONNECT_MS + 2 * XFRIN_IO_MS;
	uint8_t *buf = malloc(65535 + 2);
	int fd, rc, n;

	if (buf == NULL) {
		snprintf(err, errlen, "out of memory");
		return XFRIN_FAIL;
	}
	fd = peer_socket(p, SOCK_STREAM, err, errlen);
	if (fd < 0) {
		free(buf);
		return XFRIN_FAIL;
	}
	buf[0] = (uint8_t)(wlen >> 8);
	buf[1] = (uint8_t)wlen;
	memcpy(buf + 2, wire, wlen);
	rc = io_full(fd, buf, wlen + 2, true, deadline);
	n = rc == SANDNS_EOK ? tcp_read_msg(fd, buf, deadline) : rc;
	close(fd);
	if (n < 0 || !parse_msg(ans, buf, (size_t)n)) {
		snprintf(err, errlen, "%s: SOA query over TCP: %s", p->addr.text,
			 n < 0 ? io_reason(n) : "an answer that does not parse");
		free(buf);
		return XFRIN_FAIL;
	}
	rc = xfrin_msg_check(p, q, buf, (size_t)n, *ans, true, err, errlen);
	free(buf);
	if (rc != XFRIN_OK) {
		ldns_pkt_free(*ans);
		*ans = NULL;
	}
	return rc;
}

int xfrin_soa_query(const cfg_primary_t *p, const ldns_rdf *zone, uint32_t *serial, ldns_rr **soa,
		    char *err, size_t errlen)
{
	uint8_t *wire = NULL, buf[65535];
	ldns_pkt *q, *ans = NULL;
	size_t wlen;
	int fd, rc = XFRIN_FAIL;
	bool refused = false, checked = false;
	ssize_t n = -1;

	q = make_query(p, zone, LDNS_RR_TYPE_SOA, NULL, &wire, &wlen, err, errlen);
	if (q == NULL)
		return XFRIN_FAIL;
	fd = peer_socket(p, SOCK_DGRAM, err, errlen);
	for (int attempt = 0; fd >= 0 && attempt < 2 && ans == NULL; attempt++) {
		uint64_t deadline = clock_now_ms() + XFRIN_UDP_MS;

		if (attempt > 0 && xfrin_net_stopping())
			break;

		if (send(fd, wire, wlen, MSG_NOSIGNAL) < 0)
			break;
		/* Datagrams not the answer (another id, a late one) are skipped till the end. */
		while (ans == NULL && wait_fd(fd, POLLIN, deadline)) {
			n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
			if (n < 12 || !parse_msg(&ans, buf, (size_t)n)) {
				ans = NULL;
				refused = n < 0 && errno == ECONNREFUSED;
				if (refused)
					break;
				continue;
			}
			if (ldns_pkt_id(ans) != ldns_pkt_id(q)) {
				ldns_pkt_free(ans);
				ans = NULL;
			}
		}
	}
	if (ans == NULL && fd >= 0)
		snprintf(err, errlen, "%s: no answer to the SOA query%s", p->addr.text,
			 refused ? " (port unreachable)" : "");
	if (fd >= 0)
		close(fd);
	if (ans != NULL && (ldns_pkt_tc(ans) || ldns_pkt_get_rcode(ans) == LDNS_RCODE_REFUSED)) {
		/* Truncated, or refused (Knot answers its catalog zones over TCP only): asked
		 * again over TCP, where its answer is checked. */
		ldns_pkt_free(ans);
		ans = NULL;
		checked = soa_tcp(p, q, wire, wlen, &ans, err, errlen) == XFRIN_OK;
	}
	if (ans != NULL &&
	    (checked || xfrin_msg_check(p, q, buf, (size_t)n, ans, true, err, errlen) == XFRIN_OK))
		rc = soa_from(p, ans, zone, serial, soa, err, errlen);
	ldns_pkt_free(ans);
	ldns_pkt_free(q);
	free(wire);
	return rc;
}

int xfrin_take_msg(const cfg_primary_t *p, const ldns_pkt *req, const uint8_t *wire, size_t len,
		   uint64_t nmsg, bool ixfr, xfrin_rr_fn fn, void *ctx, char *err, size_t errlen)
{
	const char *what = ixfr ? "IXFR" : "AXFR";
	ldns_pkt *msg = NULL;
	int rc = XFRIN_FAIL, r;

	if (!parse_msg(&msg, wire, len)) {
		snprintf(err, errlen, "%s: %s: a message that does not parse", p->addr.text, what);
		return XFRIN_FAIL;
	}
	if (xfrin_msg_check(p, req, wire, len, msg, nmsg == 1, err, errlen) != XFRIN_OK) {
		/* An IXFR refused or not known: AXFR instead (RFC 1995 allows either). */
		if (ixfr && nmsg == 1 && ldns_pkt_qr(msg) &&
		    ldns_pkt_get_rcode(msg) != LDNS_RCODE_NOERROR)
			rc = XFRIN_FALLBACK;
		goto out;
	}
	for (size_t i = 0; i < ldns_rr_list_rr_count(ldns_pkt_answer(msg)); i++) {
		ldns_rr *rr = ldns_rr_clone(ldns_rr_list_rr(ldns_pkt_answer(msg), i));

		if (rr == NULL) {
			snprintf(err, errlen, "out of memory");
			goto out;
		}
		r = fn(ctx, rr, err, errlen);
		if (r == 1 && !xfrin_exchange_signed_whole()) {
			snprintf(err, errlen, "%s: %s: its last message is not signed",
				 p->addr.text, what);
			goto out;
		}
		if (r != XFRIN_OK) {
			rc = r;
			goto out;
		}
	}
	if (ldns_rr_list_rr_count(ldns_pkt_answer(msg)) == 0) {
		snprintf(err, errlen, "%s: %s: a message without records", p->addr.text, what);
		goto out;
	}
	rc = XFRIN_OK;
out:
	ldns_pkt_free(msg);
	return rc;
}

int xfrin_tcp_transfer(const cfg_primary_t *p, const ldns_rdf *zone, const ldns_rr *ours,
		       uint64_t max_bytes, xfrin_rr_fn fn, void *ctx, uint64_t *bytes,
		       uint64_t *msgs, char *err, size_t errlen)
{
	const uint64_t deadline = clock_now_ms() + XFRIN_TOTAL_MS;
	const char *what = ours != NULL ? "IXFR" : "AXFR";
	uint8_t *wire = NULL, *buf = NULL;
	ldns_pkt *q;
	int fd = -1, rc = XFRIN_FAIL, n, r;
	size_t wlen;

	*bytes = *msgs = 0;
	q = make_query(p, zone, ours != NULL ? LDNS_RR_TYPE_IXFR : LDNS_RR_TYPE_AXFR, ours, &wire,
		       &wlen, err, errlen);
	buf = malloc(65535 + 2);
	if (q == NULL || buf == NULL)
		goto out;
	fd = peer_socket(p, SOCK_STREAM, err, errlen);
	if (fd < 0)
		goto out;
	buf[0] = (uint8_t)(wlen >> 8);
	buf[1] = (uint8_t)wlen;
	memcpy(buf + 2, wire, wlen);
	n = io_full(fd, buf, wlen + 2, true, deadline);
	if (n != SANDNS_EOK) {
		snprintf(err, errlen, "%s: %s request: %s", p->addr.text, what, io_reason(n));
		goto out;
	}
	for (;;) {
		n = tcp_read_msg(fd, buf, deadline);
		if (n < 0) {
			snprintf(err, errlen, "%s: %s cut short after %llu messages: %s",
				 p->addr.text, what, (unsigned long long)*msgs, io_reason(n));
			goto out;
		}
		*bytes += (uint64_t)n + 2;
		if (++*msgs > XFRIN_MAX_MSGS || *bytes > max_bytes) {
			snprintf(err, errlen, "%s: %s larger than %llu octets or %u messages",
				 p->addr.text, what, (unsigned long long)max_bytes, XFRIN_MAX_MSGS);
			goto out;
		}
		r = xfrin_take_msg(p, q, buf, (size_t)n, *msgs, ours != NULL, fn, ctx, err, errlen);
		if (r != XFRIN_OK) {
			rc = r == 1 ? XFRIN_OK : r;
			goto out;
		}
	}
out:
	if (fd >= 0)
		close(fd);
	ldns_pkt_free(q);
	free(wire);
	free(buf);
	return rc;
}
