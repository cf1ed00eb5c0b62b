/* SPDX-License-Identifier: BSD-3-Clause */
/* metrics.c: the serving counters by transport, and the Prometheus /metrics endpoint */
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <microhttpd.h>

#include "clock.h"
#include "metrics.h"
#include "sandns_err.h"

#define METRICS_CONNECTIONS 32	/* scrapers at once; more are refused (or make room, below) */
#define METRICS_PER_IP 8	/* ... and from one address (more are refused, counted apart) */
#define METRICS_TIMEOUT_SECS 10 /* a connection idle (or not reading) this long is closed */
/* A connection that has sent no whole request for this long (or none since its last answer)
 * gives way to a new one when the places are taken: idle is not quiet, one octet every few
 * seconds keeps libmicrohttpd's timeout away for ever. */
#define METRICS_REQUEST_MS 3000
/* libmicrohttpd's own cap, above ours: the connections made to give way close meanwhile. */
#define METRICS_SLOTS (METRICS_CONNECTIONS + 8)

const char *const metrics_transport_names[METRICS_TRANSPORTS] = {"udp", "tcp", "dpdk"};

/* A connection libmicrohttpd holds (its socket context): touched on its thread only. */
struct metrics_conn {
	int fd;		/* -1: the slot is free */
	bool busy;	/* a request read whole, its answer not yet sent */
	uint64_t since; /* when it opened or last finished an answer (clock_now_ms) */
	uint8_t ip[16]; /* the client's address: IPv4's 4 octets or IPv6's 16 ... */
	uint8_t iplen;	/* ... as many (0: none known) */
};

struct metrics {
	metrics_src_t src;
	struct metrics_conn conns[METRICS_SLOTS];
	/* Connections, written by the metrics thread: taken, shut down to make room, refused for
	 * want of room, refused as one too many from their address. */
	uint64_t accepted, evicted, refused, refused_address;
	int fd;
	char where[CFG_ADDR_TEXT];
	struct MHD_Daemon *mhd;
	pthread_mutex_t lock; /* the view: the control thread sets it, scrapes copy it */
	char *zone_names[DGRAM_ZONES];
	uint64_t zone_base[DGRAM_ZONES];
	uint64_t zone_carry[DGRAM_ZONES];
	char *gauges;
};

void metrics_gather(const metrics_src_t *src, metrics_counts_t *out)
{
	uint64_t st[SRV_STAT_COUNT];

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; src->srv != NULL && i < srv_thread_count(src->srv); i++) {
		const enum metrics_transport t =
		    srv_thread_tcp(src->srv, i) ? METRICS_TCP : METRICS_UDP;

		srv_thread_stats(src->srv, i, st);
		for (size_t s = 0; s < SRV_DGRAM; s++)
			out->srv[s] += st[s];
		for (size_t s = 0; s < DGRAM_STAT_COUNT; s++)
			out->dg[t][s] += st[SRV_DGRAM + s];
		srv_thread_zones(src->srv, i, out->zones);
	}
	/* TCP's received are its messages read, not datagrams. */
	out->dg[METRICS_TCP][DGRAM_RECEIVED] = out->srv[SRV_TCP_QUERIES];
	if (src->dp_dgram != NULL) {
		out->dpdk = true;
		src->dp_dgram(src->dp_arg, out->dg[METRICS_DPDK]);
		src->dp_zones(src->dp_arg, out->zones);
		out->has_port = src->dp_port(src->dp_arg, &out->port);
	}
}

void metrics_label(buf_t *b, const char *value)
{
	const char *p;

	BUF_LIT(b, "\"");
	for (p = value; *p != '\0'; p++) {
		if (*p == '\\' || *p == '"')
			buf_printf(b, "\\%c", *p);
		else if (*p == '\n')
			BUF_LIT(b, "\\n");
		else
			buf_put(b, p, 1);
	}
	BUF_LIT(b, "\"");
}

void metrics_stat_label(size_t s, char out[METRICS_LABEL_MAX])
{
	const char *name = dgram_stat_names[s];
	size_t i;

	if (strncmp(name, "qtype-", 6) == 0)
		name += 6;
	if (strcmp(name, "rcode-other") == 0)
		name = "other";
	for (i = 0; name[i] != '\0' && i + 1 < METRICS_LABEL_MAX; i++)
		out[i] = (char)toupper((unsigned char)name[i]);
	out[i] = '\0';
}

static void metrics_head(buf_t *b, const char *name, const char *type, const char *help)
{
	buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* One sample per transport served of the dgram counter S (skipping DPDK when it is off). */
static void metrics_by_transport(buf_t *b, const metrics_counts_t *c, const char *name,
				 const char *type, const char *help, enum dgram_stat s)
{
	metrics_head(b, name, type, help);
	for (size_t t = 0; t < METRICS_TRANSPORTS; t++)
		if (t != METRICS_DPDK || c->dpdk)
			buf_printf(b, "%s{transport=\"%s\"} %llu\n", name,
				   metrics_transport_names[t], (unsigned long long)c->dg[t][s]);
}

/* A family by transport and one of the named blocks of dgram.h (rcodes, types). */
static void metrics_block(buf_t *b, const metrics_counts_t *c, const char *name, const char *help,
			  const char *label, size_t first, size_t count)
{
	metrics_head(b, name, "counter", help);
	for (size_t t = 0; t < METRICS_TRANSPORTS; t++) {
		if (t == METRICS_DPDK && !c->dpdk)
			continue;
		for (size_t s = first; s < first + count; s++) {
			char v[METRICS_LABEL_MAX];

			metrics_stat_label(s, v);
			buf_printf(b, "%s{transport=\"%s\",%s=", name, metrics_transport_names[t],
				   label);
			metrics_label(b, v);
			buf_printf(b, "} %llu\n", (unsigned long long)c->dg[t][s]);
		}
	}
}

static void metrics_port(buf_t *b, const metrics_port_t *p)
{
	metrics_head(b, "sandns_dpdk_port_packets_total", "counter",
		     "Frames the DPDK data port received and sent (ethdev stats).");
	buf_printf(b,
		   "sandns_dpdk_port_packets_total{direction=\"rx\"} %llu\n"
		   "sandns_dpdk_port_packets_total{direction=\"tx\"} %llu\n",
		   (unsigned long long)p->ipackets, (unsigned long long)p->opackets);
	metrics_head(b, "sandns_dpdk_port_bytes_total", "counter",
		     "Octets the DPDK data port received and sent.");
	buf_printf(b,
		   "sandns_dpdk_port_bytes_total{direction=\"rx\"} %llu\n"
		   "sandns_dpdk_port_bytes_total{direction=\"tx\"} %llu\n",
		   (unsigned long long)p->ibytes, (unsigned long long)p->obytes);
	metrics_head(b, "sandns_dpdk_port_missed_total", "counter",
		     "Frames the port dropped because its RX queues were full (imissed).");
	buf_printf(b, "sandns_dpdk_port_missed_total %llu\n", (unsigned long long)p->imissed);
	metrics_head(b, "sandns_dpdk_port_errors_total", "counter",
		     "Erroneous frames received (rx) and frames that failed to go out (tx).");
	buf_printf(b,
		   "sandns_dpdk_port_errors_total{direction=\"rx\"} %llu\n"
		   "sandns_dpdk_port_errors_total{direction=\"tx\"} %llu\n",
		   (unsigned long long)p->ierrors, (unsigned long long)p->oerrors);
	metrics_head(b, "sandns_dpdk_port_nombuf_total", "counter",
		     "RX mbuf allocation failures of the port (rx_nombuf).");
	buf_printf(b, "sandns_dpdk_port_nombuf_total %llu\n", (unsigned long long)p->rx_nombuf);
}

void metrics_render(buf_t *b, const metrics_counts_t *c, const metrics_view_t *v)
{
	metrics_block(b, c, "sandns_queries_total",
		      "Queries answered, by transport and question type (OTHER: any other type "
		      "or none).",
		      "qtype", DGRAM_QTYPE_FIRST, DGRAM_QTYPES);
	metrics_block(b, c, "sandns_responses_total", "Responses sent, by transport and rcode.",
		      "rcode", DGRAM_RCODE_FIRST, DGRAM_RCODE_OTHER + 1 - DGRAM_RCODE_FIRST);
	metrics_by_transport(b, c, "sandns_received_total", "counter",
			     "Queries received (UDP datagrams, TCP messages).", DGRAM_RECEIVED);
	metrics_by_transport(b, c, "sandns_dropped_total", "counter",
			     "Queries not answered (responses, malformed, AXFR over UDP, no "
			     "snapshot), besides the rate limit's.",
			     DGRAM_DROPPED);
	metrics_by_transport(b, c, "sandns_rrl_dropped_total", "counter",
			     "Responses the rate limit dropped.", DGRAM_RRL_DROPPED);
	metrics_by_transport(b, c, "sandns_rrl_slipped_total", "counter",
			     "Responses the rate limit sent truncated instead.", DGRAM_RRL_SLIPPED);
	metrics_by_transport(b, c, "sandns_truncated_total", "counter",
			     "Responses sent with TC set.", DGRAM_TRUNCATED);
	metrics_head(b, "sandns_server_events_total", "counter",
		     "Kernel-socket serving events (sandnsctl stats names).");
	for (size_t s = 0; s < SRV_DGRAM; s++) {
		BUF_LIT(b, "sandns_server_events_total{event=");
		metrics_label(b, srv_stat_names[s]);
		buf_printf(b, "} %llu\n", (unsigned long long)c->srv[s]);
	}
	/* Now, from the counters: each is written by one thread, read here unlocked, so a close
	 * may be seen before its accept: never below 0. */
	metrics_head(b, "sandns_tcp_connections_open", "gauge",
		     "TCP connections open now (tcp-connections less tcp-closed).");
	buf_printf(b, "sandns_tcp_connections_open %llu\n",
		   (unsigned long long)(c->srv[SRV_TCP_CONNECTIONS] > c->srv[SRV_TCP_CLOSED]
					    ? c->srv[SRV_TCP_CONNECTIONS] - c->srv[SRV_TCP_CLOSED]
					    : 0));
	metrics_head(b, "sandns_transfers_out_running", "gauge",
		     "Zone transfers being sent now (xfr less xfr-failed and xfr-done).");
	buf_printf(
	    b, "sandns_transfers_out_running %llu\n",
	    (unsigned long long)(c->srv[SRV_XFR] > c->srv[SRV_XFR_FAILED] + c->srv[SRV_XFR_DONE]
				     ? c->srv[SRV_XFR] - c->srv[SRV_XFR_FAILED] -
					   c->srv[SRV_XFR_DONE]
				     : 0));
	metrics_head(b, "sandns_zone_queries_total", "counter",
		     "Queries answered per zone, every transport (zone \"(none)\": no zone "
		     "held the name; \"(other)\": zones past the 254th).");
	for (size_t z = 0; z < DGRAM_ZONES; z++) {
		const char *name = z == 0		  ? "(none)"
				   : z == DGRAM_ZONES - 1 ? "(other)"
							  : v->zone_names[z];

		if (name == NULL)
			continue;
		BUF_LIT(b, "sandns_zone_queries_total{zone=");
		metrics_label(b, name);
		buf_printf(
		    b, "} %llu\n",
		    (unsigned long long)metrics_zone_value(c, v->zone_base, v->zone_carry, z));
	}
	if (c->has_port)
		metrics_port(b, &c->port);
	if (v->gauges != NULL)
		buf_put(b, v->gauges, strlen(v->gauges));
}

int metrics_set_view(metrics_t *m, const metrics_view_t *v)
{
	char *names[DGRAM_ZONES] = {0}, *gauges = strdup(v->gauges != NULL ? v->gauges : "");
	bool oom = gauges == NULL;

	for (size_t z = 0; z < DGRAM_ZONES; z++)
		if (v->zone_names[z] != NULL && (names[z] = strdup(v->zone_names[z])) == NULL)
			oom = true;
	if (!oom) {
		pthread_mutex_lock(&m->lock);
		for (size_t z = 0; z < DGRAM_ZONES; z++) {
			char *old = m->zone_names[z];

			m->zone_names[z] = names[z];
			names[z] = old;
		}
		memcpy(m->zone_base, v->zone_base, sizeof(m->zone_base));
		memcpy(m->zone_carry, v->zone_carry, sizeof(m->zone_carry));
		free(m->gauges);
		m->gauges = gauges;
		gauges = NULL;
		pthread_mutex_unlock(&m->lock);
	}
	for (size_t z = 0; z < DGRAM_ZONES; z++)
		free(names[z]);
	free(gauges);
	return oom ? -ENOMEM : SANDNS_EOK;
}

/* One scrape: the counters read now, the view copied under the lock (never a worker's). */
static char *metrics_scrape(metrics_t *m, size_t *len)
{
	metrics_counts_t *c = malloc(sizeof(*c));
	metrics_view_t v;
	buf_t b = {0};

	if (c == NULL)
		return NULL;
	metrics_gather(&m->src, c);
	pthread_mutex_lock(&m->lock);
	v.zone_names = (const char *const *)m->zone_names;
	v.zone_base = m->zone_base;
	v.zone_carry = m->zone_carry;
	v.gauges = m->gauges;
	metrics_render(&b, c, &v);
	pthread_mutex_unlock(&m->lock);
	metrics_head(&b, "sandns_metrics_connections_total", "counter",
		     "Connections to this endpoint: accepted, evicted (no request within 3 s "
		     "while the places were taken), refused (every place taken by a busy one), "
		     "refused_per_address (8 open from its address already).");
	buf_printf(&b,
		   "sandns_metrics_connections_total{result=\"accepted\"} %llu\n"
		   "sandns_metrics_connections_total{result=\"evicted\"} %llu\n"
		   "sandns_metrics_connections_total{result=\"refused\"} %llu\n"
		   "sandns_metrics_connections_total{result=\"refused_per_address\"} %llu\n",
		   (unsigned long long)m->accepted, (unsigned long long)m->evicted,
		   (unsigned long long)m->refused, (unsigned long long)m->refused_address);
	free(c);
	if (b.oom) {
		free(b.p);
		return NULL;
	}
	*len = b.len;
	return b.p;
}

static enum MHD_Result metrics_reply(struct MHD_Connection *conn, unsigned status, char *body,
				     size_t len, const char *type)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	enum MHD_Result rc;

	if (r == NULL) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	rc = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return rc;
}

/* The slot of CONN (its socket context), or NULL. */
static struct metrics_conn *metrics_conn_of(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return ci != NULL ? ci->socket_context : NULL;
}

/* ADDR's (LEN octets) address into IP, as many octets as it has (an IPv4-mapped IPv6 one as
 * IPv4); 0: none. */
static uint8_t metrics_ip_of(const struct sockaddr *addr, size_t len, uint8_t ip[16])
{
	if (addr != NULL && len >= sizeof(struct sockaddr_in) && addr->sa_family == AF_INET) {
		memcpy(ip, &((const struct sockaddr_in *)addr)->sin_addr, 4);
		return 4;
	}
	if (addr != NULL && len >= sizeof(struct sockaddr_in6) && addr->sa_family == AF_INET6) {
		const struct in6_addr *a6 = &((const struct sockaddr_in6 *)addr)->sin6_addr;
		const uint8_t *a = a6->s6_addr;

		if (IN6_IS_ADDR_V4MAPPED(a6)) {
			memcpy(ip, a + 12, 4);
			return 4;
		}
		memcpy(ip, a, 16);
		return 16;
	}
	return 0;
}

/* A connection opens (slot taken) or closes (slot freed). */
static void metrics_notify(void *cls, struct MHD_Connection *conn, void **ctx,
			   enum MHD_ConnectionNotificationCode what)
{
	metrics_t *m = cls;
	const union MHD_ConnectionInfo *ci;
	struct metrics_conn *c = *ctx;

	if (what == MHD_CONNECTION_NOTIFY_CLOSED) {
		if (c != NULL)
			c->fd = -1;
		*ctx = NULL;
		return;
	}
	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	for (size_t i = 0; i < METRICS_SLOTS && ci != NULL; i++)
		if (m->conns[i].fd < 0) {
			const union MHD_ConnectionInfo *ai =
			    MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
			struct metrics_conn *c = &m->conns[i];

			*c = (struct metrics_conn){.fd = ci->connect_fd, .since = clock_now_ms()};
			/* libmicrohttpd keeps the whole address the accept gave. */
			c->iplen = metrics_ip_of(ai != NULL ? ai->client_addr : NULL,
						 sizeof(struct sockaddr_in6), c->ip);
			*ctx = c;
			return;
		}
}

/* A request's answer went out (or failed): the connection waits for the next one. */
static void metrics_completed(void *cls, struct MHD_Connection *conn, void **state,
			      enum MHD_RequestTerminationCode why)
{
	struct metrics_conn *c = metrics_conn_of(conn);

	(void)cls;
	(void)state;
	(void)why;
	if (c != NULL) {
		c->busy = false;
		c->since = clock_now_ms();
	}
}

/*
 * A new connection: refused when METRICS_PER_IP are open from its address already (none of
 * them is made to give way: an address that holds its share waits for it); else taken while
 * fewer than METRICS_CONNECTIONS are open; else the one quiet (no request) the longest, for
 * METRICS_REQUEST_MS at least, is shut down to make room (its end read, libmicrohttpd closes
 * it), or the new one is refused. Each counted.
 */
static enum MHD_Result metrics_accept(void *cls, const struct sockaddr *addr, socklen_t len)
{
	metrics_t *m = cls;
	struct metrics_conn *oldest = NULL;
	uint64_t now = clock_now_ms();
	size_t open = 0, same = 0;
	uint8_t ip[16];
	const uint8_t iplen = metrics_ip_of(addr, len, ip);

	for (size_t i = 0; i < METRICS_SLOTS; i++) {
		struct metrics_conn *c = &m->conns[i];

		if (c->fd < 0)
			continue;
		open++;
		if (iplen != 0 && c->iplen == iplen && memcmp(c->ip, ip, iplen) == 0)
			same++;
		if (!c->busy && now - c->since >= METRICS_REQUEST_MS &&
		    (oldest == NULL || c->since < oldest->since))
			oldest = c;
	}
	if (same >= METRICS_PER_IP) {
		m->refused_address++;
		return MHD_NO;
	}
	if (open >= METRICS_SLOTS || (open >= METRICS_CONNECTIONS && oldest == NULL)) {
		m->refused++;
		return MHD_NO;
	}
	if (open >= METRICS_CONNECTIONS) {
		shutdown(oldest->fd, SHUT_RDWR);
		oldest->busy = true; /* going: never chosen twice */
		m->evicted++;
	}
	m->accepted++;
	return MHD_YES;
}

static enum MHD_Result metrics_handle(void *cls, struct MHD_Connection *conn, const char *url,
				      const char *method, const char *version,
				      const char *upload_data, size_t *upload_size, void **state)
{
	static const char text[] = "text/plain; charset=utf-8";
	metrics_t *m = cls;
	char *body;
	size_t len = 0;

	(void)version;
	(void)upload_data;
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
		/* At once, from the headers: a POST's body is never read (libmicrohttpd drops it
		 * with the connection), and the client still hears why. */
		return metrics_reply(conn, MHD_HTTP_METHOD_NOT_ALLOWED, strdup("GET only\n"), 9,
				     text);
	if (*state == NULL) {
		/* The first call only sees the headers: answer on the next one. */
		struct metrics_conn *c = metrics_conn_of(conn);

		if (c != NULL)
			c->busy = true;
		*state = m;
		return MHD_YES;
	}
	if (*upload_size != 0)
		return MHD_NO; /* a body nobody asked for: the connection goes */
	if (strcmp(url, "/metrics") != 0)
		return metrics_reply(conn, MHD_HTTP_NOT_FOUND, strdup("see /metrics\n"), 13, text);
	body = metrics_scrape(m, &len);
	if (body == NULL)
		return MHD_NO;
	return metrics_reply(conn, MHD_HTTP_OK, body, len,
			     "text/plain; version=0.0.4; charset=utf-8");
}

metrics_t *metrics_new(const cfg_t *cfg, char *err, size_t errlen)
{
	const cfg_addr_t *a = &cfg->metrics;
	metrics_t *m = calloc(1, sizeof(*m));
	const int one = 1;

	if (m == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	snprintf(m->where, sizeof(m->where), "%s", a->text);
	for (size_t i = 0; i < METRICS_SLOTS; i++)
		m->conns[i].fd = -1;
	pthread_mutex_init(&m->lock, NULL);
	m->fd = socket(a->ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (m->fd < 0 || setsockopt(m->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    bind(m->fd, (const struct sockaddr *)&a->ss, a->len) != 0 || listen(m->fd, 64) != 0) {
		snprintf(err, errlen, "metrics %s: cannot listen there: %s", a->text,
			 strerror(errno));
		metrics_free(&m);
		return NULL;
	}
	return m;
}

int metrics_start(metrics_t *m, const metrics_src_t *src, char *err, size_t errlen)
{
	m->src = *src;
	/* One thread of its own polls every connection: a scraper that never reads holds one of
	 * METRICS_CONNECTIONS places until the timeout, and no other thread waits for it. */
	m->mhd = MHD_start_daemon(
	    MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL, 0, metrics_accept, m, metrics_handle,
	    m, MHD_OPTION_LISTEN_SOCKET, m->fd, MHD_OPTION_CONNECTION_LIMIT,
	    (unsigned)METRICS_SLOTS, MHD_OPTION_NOTIFY_CONNECTION, metrics_notify, m,
	    MHD_OPTION_NOTIFY_COMPLETED, metrics_completed, m, MHD_OPTION_CONNECTION_TIMEOUT,
	    (unsigned)METRICS_TIMEOUT_SECS, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(32 << 10),
	    MHD_OPTION_END);
	if (m->mhd == NULL) {
		snprintf(err, errlen, "metrics %s: cannot start the HTTP server", m->where);
		return SANDNS_ECONFIG;
	}
	m->fd = -1; /* libmicrohttpd closes its listening socket when it stops */
	return SANDNS_EOK;
}

void metrics_free(metrics_t **mp)
{
	metrics_t *m;

	if (mp == NULL || *mp == NULL)
		return;
	m = *mp;
	if (m->mhd != NULL)
		MHD_stop_daemon(m->mhd); /* joins its thread; the socket is ours to close */
	if (m->fd >= 0)
		close(m->fd);
	for (size_t z = 0; z < DGRAM_ZONES; z++)
		free(m->zone_names[z]);
	free(m->gauges);
	pthread_mutex_destroy(&m->lock);
	free(m);
	*mp = NULL;
}
