/* SPDX-License-Identifier: BSD-3-Clause */
/* srv_udp.c: a UDP worker: recvmmsg, answer each datagram in place, sendmmsg; a QSBR reader */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <syslog.h>
#include <urcu-qsbr.h>

#include "burst.h"
#include "dgram.h"
#include "log.h"
#include "srv_pvt.h"
#include "wire.h"
#include "zpub.h"

#define UDP_BATCH 32
/* Every datagram fits whole: a response may then grow in place up to the 64 KiB limit. */
#define UDP_BUF 65536
/* The buffers are one cache line more than that apart: at exactly 64 KiB a batch's queries would
 * all start in the same L1 and L2 sets, and a batch of 32 evict each other's lines. */
#define UDP_STRIDE (UDP_BUF + 64)

union udp_cmsg {
	char buf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
	struct cmsghdr align;
};

/* One batch of datagrams; reused for every socket of the worker. */
struct udp_batch {
	struct mmsghdr msgs[UDP_BATCH];
	struct iovec iov[UDP_BATCH];
	struct sockaddr_storage names[UDP_BATCH];
	union udp_cmsg ctrl[UDP_BATCH];
	uint8_t *bufs;	  /* UDP_BATCH buffers of UDP_BUF, UDP_STRIDE apart */
	zt_burst_t burst; /* a large snapshot's queries read ahead (zones/burst.h) */
};

/*
 * Turns the destination address the query arrived on (IP_PKTINFO / IPV6_PKTINFO, present only
 * on wildcard sockets) into the source address of the response, written into OUT.
 * Returns the control length to send (0: none).
 */
static size_t udp_reply_cmsg(const struct msghdr *rx, union udp_cmsg *out)
{
	struct in_pktinfo v4;
	struct in6_pktinfo v6;
	struct cmsghdr *c, *w;
	struct msghdr tx = {.msg_control = out->buf, .msg_controllen = sizeof(out->buf)};

	for (c = CMSG_FIRSTHDR(rx); c != NULL; c = CMSG_NXTHDR((struct msghdr *)rx, c)) {
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
			memcpy(&v4, CMSG_DATA(c), sizeof(v4));
			v4.ipi_spec_dst = v4.ipi_addr;
			v4.ipi_ifindex = 0;
			w = CMSG_FIRSTHDR(&tx);
			w->cmsg_level = IPPROTO_IP;
			w->cmsg_type = IP_PKTINFO;
			w->cmsg_len = CMSG_LEN(sizeof(v4));
			memcpy(CMSG_DATA(w), &v4, sizeof(v4));
			return CMSG_SPACE(sizeof(v4));
		}
		if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
			/* Keep the interface index: link-local destinations need it. */
			memcpy(&v6, CMSG_DATA(c), sizeof(v6));
			w = CMSG_FIRSTHDR(&tx);
			w->cmsg_level = IPPROTO_IPV6;
			w->cmsg_type = IPV6_PKTINFO;
			w->cmsg_len = CMSG_LEN(sizeof(v6));
			memcpy(CMSG_DATA(w), &v6, sizeof(v6));
			return CMSG_SPACE(sizeof(v6));
		}
	}
	return 0;
}

static void udp_batch_prepare(struct udp_batch *b)
{
	unsigned i;

	for (i = 0; i < UDP_BATCH; i++) {
		struct msghdr *h = &b->msgs[i].msg_hdr;

		b->iov[i].iov_base = b->bufs + (size_t)i * UDP_STRIDE;
		b->iov[i].iov_len = UDP_BUF;
		h->msg_name = &b->names[i];
		h->msg_namelen = sizeof(b->names[i]);
		h->msg_iov = &b->iov[i];
		h->msg_iovlen = 1;
		h->msg_control = b->ctrl[i].buf;
		h->msg_controllen = sizeof(b->ctrl[i].buf);
		h->msg_flags = 0;
		b->msgs[i].msg_len = 0;
	}
}

/* CLIENT (ALEN octets, as srv_client() gave it) as a socket address, port 0. */
static bool udp_client_addr(const uint8_t *client, size_t alen, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (alen == 4) {
		ss->ss_family = AF_INET;
		memcpy(&((struct sockaddr_in *)ss)->sin_addr, client, 4);
	} else if (alen == 16) {
		ss->ss_family = AF_INET6;
		memcpy(&((struct sockaddr_in6 *)ss)->sin6_addr, client, 16);
	} else {
		return false;
	}
	return true;
}

/* A signed NOTIFY for dgram_answer_auth(): taken by the secondary side (srv_set_notify)? */
static bool udp_notify_signed(void *arg, uint8_t *resp, size_t len, const uint8_t *client,
			      size_t alen, const tsig_key_t *key, const uint32_t *serial)
{
	const zt_answer_info_t info = {.notify_soa = serial != NULL,
				       .notify_serial = serial != NULL ? *serial : 0};
	struct sockaddr_storage ss;

	return udp_client_addr(client, alen, &ss) &&
	       srv_notify_answer(arg, resp, len, &ss, key, &info);
}

/* The transfer ACL for dgram_answer_auth(): CLIENT as srv_client() gave it. */
static bool udp_xfr_allowed(const void *arg, const uint8_t *client, size_t alen,
			    const tsig_key_t *key)
{
	struct sockaddr_storage ss;

	return udp_client_addr(client, alen, &ss) &&
	       cfg_xfr_allowed(arg, (struct sockaddr *)&ss, key);
}

void srv_set_notify(srv_t *srv, srv_notify_fn fn, void *arg)
{
	srv->notify = fn;
	srv->notify_arg = arg;
}

bool srv_notify_answer(struct srv *srv, uint8_t *resp, size_t len,
		       const struct sockaddr_storage *from, const tsig_key_t *key,
		       const zt_answer_info_t *info)
{
	if (srv->notify == NULL ||
	    !srv->notify(srv->notify_arg, resp, len, (const struct sockaddr *)from, key,
			 info->notify_soa ? &info->notify_serial : NULL))
		return false;
	resp[2] |= 0x04; /* AA */
	resp[3] &= 0xf0; /* NOERROR */
	return true;
}

/*
 * Reads one batch from FD, answers it from the current snapshot and sends the responses
 * (through RRL, unless it is NULL). Runs inside the caller's read-side section. Returns how
 * many datagrams it read.
 */
static unsigned udp_serve_batch(struct srv_thread *t, int fd, struct udp_batch *b, rrl_t *rrl)
{
	/* The keys and ACLs of the configuration in force: read once a batch (srv_live). */
	const cfg_t *live = srv_live(t->srv);
	const dgram_auth_t auth0 = {.keys = live->keys,
				    .nkeys = live->nkeys,
				    .xfr_allowed = udp_xfr_allowed,
				    .arg = live,
				    .notify = udp_notify_signed,
				    .notify_arg = t->srv};
	const dgram_auth_t *auth = &auth0;
	dgram_ctx_t dg = {.rrl = rrl,
			  .stats = srv_dgram_stats(t),
			  .detail = t->detail,
			  .auth = auth,
			  .tap = t->tap};
	unsigned i, nout = 0, sent = 0;
	const zt_t *zt;
	zt_burst_t *burst;
	int n;

	udp_batch_prepare(b);
	n = recvmmsg(fd, b->msgs, UDP_BATCH, MSG_DONTWAIT, NULL);
	if (n <= 0)
		return 0;
	if (rrl != NULL)
		rrl_tick(rrl);

	zt = zpub_current();
	/* A large snapshot: the batch's queries read and their lookups' lines fetched at once. */
	burst = zt_burst_reads(&b->burst, zt) ? &b->burst : NULL;
	if (burst != NULL) {
		const uint8_t *q[UDP_BATCH];
		uint16_t qlen[UDP_BATCH];

		for (i = 0; i < (unsigned)n; i++) {
			const bool cut = (b->msgs[i].msg_hdr.msg_flags & MSG_TRUNC) != 0;

			q[i] = cut ? NULL : b->bufs + (size_t)i * UDP_STRIDE;
			qlen[i] = cut ? 0 : (uint16_t)b->msgs[i].msg_len;
		}
		zt_burst_prepare(burst, zt, q, qlen, (unsigned)n);
	}
	for (i = 0; i < (unsigned)n; i++) {
		struct msghdr *rx = &b->msgs[i].msg_hdr;
		uint8_t *buf = b->bufs + (size_t)i * UDP_STRIDE;
		zt_answer_info_t info = {0};
		uint8_t act = RRL_SEND;
		const uint8_t *client;
		size_t len, clen, alen;
		uint16_t port;

		client = srv_client(&b->names[i], &alen, &port);
		dg.rrl = client != NULL ? rrl : NULL;
		/* A datagram cut short (MSG_TRUNC) is not answered: counted as without a snapshot.
		 */
		len = dgram_answer_from_burst(&dg, (rx->msg_flags & MSG_TRUNC) == 0 ? zt : NULL,
					      burst, i, buf, b->msgs[i].msg_len, UDP_BUF - 1,
					      client, alen, port, &info, &act);
		if (len == 0)
			continue;
		if (info.notify && srv_notify_answer(t->srv, buf, len, &b->names[i], NULL, &info)) {
			/* dgram_answer() counted the engine's NOTAUTH: it went out NOERROR. */
			srv_stat_add(t, SRV_RCODE_FIRST + RC_NOTAUTH, (uint64_t)-1);
			srv_stat_add(t, SRV_RCODE_FIRST, 1);
		}

		/* Compact the responses to the front; slot nout <= i is no longer read. */
		clen = udp_reply_cmsg(rx, &b->ctrl[nout]);
		b->iov[nout].iov_base = buf;
		b->iov[nout].iov_len = len;
		b->msgs[nout].msg_hdr.msg_name = &b->names[i];
		b->msgs[nout].msg_hdr.msg_namelen = rx->msg_namelen;
		b->msgs[nout].msg_hdr.msg_iov = &b->iov[nout];
		b->msgs[nout].msg_hdr.msg_iovlen = 1;
		b->msgs[nout].msg_hdr.msg_control = clen != 0 ? b->ctrl[nout].buf : NULL;
		b->msgs[nout].msg_hdr.msg_controllen = clen;
		b->msgs[nout].msg_hdr.msg_flags = 0;
		nout++;
	}

	while (sent < nout) {
		int r = sendmmsg(fd, b->msgs + sent, nout - sent, MSG_DONTWAIT);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			/* The first message failed (full buffer, unreachable peer): skip it. */
			srv_stat_add(t, SRV_UDP_SEND_FAILED, 1);
			sent++;
			continue;
		}
		sent += (unsigned)r;
	}
	return (unsigned)n;
}

void *srv_udp_main(void *arg)
{
	struct srv_thread *t = arg;
	struct srv *srv = t->srv;
	struct pollfd *pfds;
	struct udp_batch *b;
	rrl_t *rrl = NULL;
	size_t i;

	b = calloc(1, sizeof(*b));
	pfds = calloc(t->nfds + 1, sizeof(*pfds));
	if (b == NULL || pfds == NULL)
		goto out_nomem;
	if (srv->cfg->rrl.rate != 0) {
		rrl = rrl_new(&srv->cfg->rrl);
		if (rrl == NULL)
			goto out_nomem;
	}
	b->bufs = malloc((size_t)UDP_BATCH * UDP_STRIDE);
	if (b->bufs == NULL)
		goto out_nomem;
	zt_burst_init(&b->burst);
	for (i = 0; i < t->nfds; i++) {
		pfds[i].fd = t->fds[i];
		pfds[i].events = POLLIN;
	}
	pfds[t->nfds].fd = srv->stop_fd;
	pfds[t->nfds].events = POLLIN;

	rcu_register_thread();
	while (!__atomic_load_n(&srv->stopping, __ATOMIC_ACQUIRE)) {
		unsigned got = 0;

		/* Round robin over the addresses, one batch each. */
		for (i = 0; i < t->nfds; i++)
			got += udp_serve_batch(t, t->fds[i], b, rrl);
		rcu_quiescent_state();
		if (got != 0)
			continue;
		/* Idle: offline while blocked, so grace periods never wait for this thread. */
		rcu_thread_offline();
		poll(pfds, t->nfds + 1, -1);
		rcu_thread_online();
	}
	rcu_unregister_thread();
	goto out_free;

out_nomem:
	log_msg(LOG_ERR, "%s: out of memory; this worker does not serve", t->name);
out_free:
	rrl_free(&rrl);
	if (b != NULL)
		free(b->bufs);
	free(b);
	free(pfds);
	return NULL;
}
